package sweep

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/results"
)

// parseLineRef is how journal lines were checked before checkFields: read
// in full, every area's sketch made (results.ParseAreaItem).
func parseLineRef(line string, nv, nm, na int) error {
	parts := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
	if len(parts) != 2*nv+1 {
		return fmt.Errorf("journal line with %d fields after the item, want %d (%d variants' metrics, then their areas)", len(parts)-1, 2*nv, nv)
	}
	for v := range nv {
		fields := strings.Split(parts[v+1], ",")
		if len(fields) != nm {
			return fmt.Errorf("journal line with %d metrics, want %d", len(fields), nm)
		}
		for k, f := range fields {
			if _, err := strconv.ParseFloat(f, 64); err != nil {
				return fmt.Errorf("value %d of variant %d is %s, not a number", k+1, v+1, inputs.Excerpt([]byte(f), 20))
			}
		}
	}
	var areas [][]results.AreaItem
	for v := range nv {
		f := parts[1+nv+v]
		if f == "-" {
			if v > 0 && areas != nil {
				return fmt.Errorf("variant %d has no areas, variant 1 has", v+1)
			}
			continue
		}
		if v > 0 && areas == nil {
			return fmt.Errorf("variant %d has areas, variant 1 has none", v+1)
		}
		fields := strings.Split(f, ";")
		if len(fields) != na {
			return fmt.Errorf("variant %d with %d areas, want %d", v+1, len(fields), na)
		}
		items := make([]results.AreaItem, na)
		for a, t := range fields {
			it, err := results.ParseAreaItem(t)
			if err != nil {
				return fmt.Errorf("area %d of variant %d: %w", a+1, v+1, err)
			}
			items[a] = it
		}
		areas = append(areas, items)
	}
	return nil
}

// TestCheckFields: checkFields accepts the journal lines the full read
// (parseLineRef) accepts and refuses the others with its message: the
// lines of a sweep with a point of the base's areas and one without
// ("-"), changed at random a few bytes at a time, and with the variants'
// areas swapped, one of them "-", among them.
func TestCheckFields(t *testing.T) {
	s, err := Load(writeSweep(t, `version: 1
scenario: builtin:grid
design: grid
replications: 2
params:
  city.grid.cols: [10, 9]
  duration: [3d]
`))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, JournalName(0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	h := s.header(Options{Shards: 1})
	nv, nm, na := len(h.Variants), len(h.Metrics), h.Areas
	lines := strings.SplitAfter(string(data), "\n")[1:]
	lines = lines[:len(lines)-1]
	if len(lines) != s.Items() || !strings.Contains(string(data), "\t-\t-\n") {
		t.Fatalf("%d lines (want %d), with and without areas:\n%s", len(lines), s.Items(), data)
	}
	r := rand.New(rand.NewPCG(9, 10))
	accepted, refused := 0, 0
	for trial := range 4000 {
		b := []byte(lines[trial%len(lines)])
		switch r.IntN(8) {
		case 0: // unchanged
		case 1: // the variants' areas swapped, one of them none ("-")
			f := strings.Split(strings.TrimSuffix(string(b), "\n"), "\t")
			f[1+nv], f[2+nv] = f[2+nv], f[1+nv]
			if k := r.IntN(3); k < nv {
				f[1+nv+k] = "-"
			}
			b = []byte(strings.Join(f, "\t") + "\n")
		default:
			for range 1 + r.IntN(3) {
				i := r.IntN(len(b) - 1)
				switch r.IntN(3) {
				case 0:
					b[i] = "\t,;: -+0123456789.eNax"[r.IntN(22)]
				case 1:
					b = append(b[:i], b[i+1:]...)
				default:
					b = append(b[:i], append([]byte{"\t,;: -0"[r.IntN(7)]}, b[i:]...)...)
				}
			}
		}
		line := string(b)
		want := parseLineRef(line, nv, nm, na)
		got := checkFields(line, nv, nm, na)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q:\ncheckFields %v\nwant %v", line, got, want)
		}
		if want == nil {
			accepted++
		} else {
			refused++
		}
	}
	if accepted < 500 || refused < 500 {
		t.Errorf("%d lines accepted, %d refused: too few of one to tell", accepted, refused)
	}
}
