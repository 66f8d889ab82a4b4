package main

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/results"
)

// FuzzReadBaseline: any bytes as a baseline are read or refused with a
// message naming the file and no Go type, never a panic; a baseline that
// is read writes back to bytes that read to the same baseline, and those
// bytes write back unchanged.
func FuzzReadBaseline(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input it finds, which
	// is slow from a large one (a real baseline is 14 KB).
	for _, name := range []string{"testdata/broken/baseline/truncated.json", "testdata/broken/baseline/wrong-type.json", "testdata/broken/baseline/negative-seed.json"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"format": 2, "scenario": "s", "scenario_hash": "sha256:ab", "seed": 1, "replications": 2, "patrolsim_version": "devel",
  "metrics": [{"name": "m", "better": "lower"}, {"name": "n", "better": "neutral"}],
  "variants": [{"name": "v", "values": {"m": [1.5, "+Inf"], "n": [null, -2e-9]}}, {"name": "w", "values": {"m": [0, 1], "n": [3, 4]}}]}`))
	f.Add([]byte(`[1]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := results.ReadBaseline("b.json", bytes.NewReader(data))
		if err != nil {
			msg := jsonWords(err.Error())
			if !strings.Contains(msg, "b.json") || strings.Contains(msg, "Go struct") || strings.Contains(msg, "Go value") {
				t.Fatalf("message %q", msg)
			}
			return
		}
		var out bytes.Buffer
		if err := b.WriteJSON(&out); err != nil {
			t.Fatalf("a baseline that reads does not write: %v", err)
		}
		again, err := results.ReadBaseline("b.json", bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("a baseline written does not read: %v\n%s", err, out.Bytes())
		}
		if again.Seed != b.Seed || again.Replications != b.Replications || len(again.Variants) != len(b.Variants) || len(again.Metrics) != len(b.Metrics) {
			t.Fatalf("written and read again: %+v, want %+v", again, b)
		}
		for v := range b.Variants {
			for m := range b.Variants[v].Values {
				for r, x := range b.Variants[v].Values[m] {
					y := again.Variants[v].Values[m][r]
					if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
						t.Fatalf("variant %d metric %d replication %d: %v, then %v", v, m, r, x, y)
					}
				}
			}
		}
		var out2 bytes.Buffer
		again.WriteJSON(&out2)
		if !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("written twice, the bytes differ")
		}
	})
}
