package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEstimate(t *testing.T) {
	// xs = 1..5: mean 3, sample sd sqrt(2.5), se sqrt(2.5/5) = sqrt(0.5);
	// t(0.975, 4 df) = 2.776445105 (standard t table).
	e := estimate([]float64{1, 2, 3, 4, 5})
	hw := 2.776445105 * math.Sqrt(0.5)
	if e.N != 5 || e.Mean != 3 || math.Abs(e.High-3-hw) > 1e-8 || math.Abs(3-e.Low-hw) > 1e-8 {
		t.Fatalf("estimate(1..5) = %+v, want mean 3 ± %.9f", e, hw)
	}
	e = estimate([]float64{math.NaN(), 7, math.NaN()})
	if e.N != 1 || e.Mean != 7 || e.Low == e.Low || e.High == e.High {
		t.Fatalf("one value: %+v, want mean 7, NaN interval", e)
	}
	e = estimate([]float64{math.NaN()})
	if e.N != 0 || e.Mean == e.Mean {
		t.Fatalf("no value: %+v, want NaN mean", e)
	}
	e = estimate([]float64{4, 4, 4})
	if e.Low != 4 || e.High != 4 {
		t.Fatalf("constant: %+v, want a zero-width interval", e)
	}
}

func testSummary() *Summary {
	metrics := []Metric{
		{Name: "response_p90_s_p1", Better: Lower},
		{Name: "response_mean_s", Better: Lower},
		{Name: "incidents", Better: Neutral},
	}
	nan := math.NaN()
	values := [][][]float64{
		{{300, 200, 10}, {310, 210, 12}}, // a
		{{250, 220, 10}, {260, 230, 12}}, // b: best p90
		{{300, 190, 10}, {310, 200, 12}}, // c: ties a on p90, better mean
		{{nan, 100, 10}, {nan, 100, 12}}, // d: undefined p90 ranks last
	}
	return Summarize("test", 7, metrics, []string{"a", "b", "c", "d"}, values)
}

func TestRank(t *testing.T) {
	s := testSummary()
	want := map[string]int{"b": 1, "c": 2, "a": 3, "d": 4}
	for _, v := range s.Variants {
		if v.Rank != want[v.Name] {
			t.Errorf("rank of %s = %d, want %d", v.Name, v.Rank, want[v.Name])
		}
	}
}

func TestJSONNulls(t *testing.T) {
	var buf bytes.Buffer
	if err := testSummary().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
	}
	d := doc["variants"].([]any)[3].(map[string]any)
	m := d["metrics"].(map[string]any)["response_p90_s_p1"].(map[string]any)
	if m["mean"] != nil || m["ci95_low"] != nil || m["ci95_high"] != nil {
		t.Errorf("undefined metric not null: %v", m)
	}
	for _, key := range []string{`"scenario": "test"`, `"seed": 7`, `"replications": 2`, `"rank": 4`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestCSVAndTable(t *testing.T) {
	s := testSummary()
	var buf bytes.Buffer
	if err := s.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1+4*2 || lines[0] != "variant,replication,response_p90_s_p1,response_mean_s,incidents" {
		t.Fatalf("CSV:\n%s", buf.String())
	}
	if lines[7] != "d,0,,100,10" {
		t.Errorf("NaN row = %q, want empty field", lines[7])
	}
	buf.Reset()
	if err := s.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Variants are shown best first, three per block.
	if ib, ic := strings.Index(out, " b"), strings.Index(out, " c"); ib < 0 || ic < 0 || ib > ic {
		t.Errorf("table not in rank order:\n%s", out)
	}
	if !strings.Contains(out, "4.25 ± ") { // b's p90: 255 s = 4.25 min
		t.Errorf("table lacks b's P1 p90 in minutes:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("line wider than 100 columns: %q", line)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	// A writer that fails half-way leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "new, half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Errorf("content %q after a failed write, want old", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left files %v, want only f.txt", entries)
	}
}
