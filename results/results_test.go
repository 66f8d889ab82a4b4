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
	return Summarize("test", 7, metrics, []string{"a", "b", "c", "d"}, values, []Goal{{"response_p90_s_p1", 1}, {"response_mean_s", 1}, {"no_such_metric", 1}}, DefaultAlpha)
}

// TestRank: scores are costs in the first goal's unit (both goals in
// seconds, weight 1): a = (500 + 520)/2 = 510, b = (470 + 490)/2 = 480,
// c = (490 + 510)/2 = 500; d lacks a goal value (undefined) and is not
// ranked. Every difference of costs is constant across replications, so
// multiple comparisons with the best leave b alone in the best set (rank
// 1); the others have rank 0. Table order: b, c, a, then d. The unknown
// goal metric is left out.
func TestRank(t *testing.T) {
	s := testSummary()
	wantPos := map[string]int{"b": 1, "c": 2, "a": 3, "d": 4}
	wantRank := map[string]int{"b": 1}
	wantScore := map[string]float64{"a": 510, "b": 480, "c": 500}
	for _, v := range s.Variants {
		if v.Position != wantPos[v.Name] || v.Rank != wantRank[v.Name] {
			t.Errorf("%s: position %d rank %d, want %d and %d", v.Name, v.Position, v.Rank, wantPos[v.Name], wantRank[v.Name])
		}
		if w, ok := wantScore[v.Name]; ok && math.Abs(v.Score-w) > 1e-12 {
			t.Errorf("score of %s = %v, want %v", v.Name, v.Score, w)
		}
	}
	if d := s.Variants[3]; d.Group != GroupUndefined || !math.IsNaN(d.Score) || d.Note == "" {
		t.Errorf("d: group %q score %v note %q, want undefined, NaN and a note", d.Group, d.Score, d.Note)
	}
	if len(s.Objective) != 2 {
		t.Errorf("objective %v, want the two known metrics", s.Objective)
	}
	// Pareto on (p90 lower, mean lower), with uncertainty: c (305, 195)
	// is as good as a (305, 205) on p90 and significantly better on the
	// mean, so a is off; b (255, 225) and c trade off; d is undefined.
	wantPareto := map[string]bool{"a": false, "b": true, "c": true, "d": false}
	for _, v := range s.Variants {
		if v.Pareto != wantPareto[v.Name] {
			t.Errorf("Pareto of %s = %v, want %v", v.Name, v.Pareto, wantPareto[v.Name])
		}
	}
}

// TestComparisons: paired differences and Holm's adjustment by hand.
func TestComparisons(t *testing.T) {
	metrics := []Metric{{Name: "x", Better: Lower}}
	// a − b = 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t = 2·sqrt(3) = 3.464
	// with 2 df: two-sided p = 0.07418 (t table; 1 − F(3.464; 2) = 0.03709).
	// a − c = 0 in every replication: p = 1. b − c = −1, −2, −3: p = 0.07418.
	values := [][][]float64{{{11}, {12}, {13}}, {{10}, {10}, {10}}, {{11}, {12}, {13}}}
	s := Summarize("t", 1, metrics, []string{"a", "b", "c"}, values, []Goal{{"x", 1}}, 0.05)
	got := map[string]Comparison{}
	for _, c := range s.Comparisons {
		got[c.A+"-"+c.B] = c
	}
	if len(got) != 3 {
		t.Fatalf("comparisons %v, want 3", s.Comparisons)
	}
	// Rank: b (10) first, then a and c tied (12) by name.
	ab := got["b-a"]
	if ab.Difference != -2 || math.Abs(ab.P-0.07418) > 1e-4 {
		t.Errorf("b − a = %v (p %v), want −2 (p 0.07418)", ab.Difference, ab.P)
	}
	hw := 4.302652730 / math.Sqrt(3) // t(0.975, 2) · se
	if math.Abs(ab.High-(-2+hw)) > 1e-6 || math.Abs(ab.Low-(-2-hw)) > 1e-6 {
		t.Errorf("b − a interval [%v, %v], want −2 ± %v", ab.Low, ab.High, hw)
	}
	if ac := got["a-c"]; ac.P != 1 || ac.Difference != 0 {
		t.Errorf("a − c: %+v, want difference 0, p 1", ac)
	}
	// Holm: sorted p = 0.07418, 0.07418, 1 → 3·0.07418 = 0.2225, then
	// max(0.2225, 2·0.07418) = 0.2225, then max(0.2225, 1) = 1.
	for _, k := range []string{"b-a", "b-c"} {
		if c := got[k]; math.Abs(c.PHolm-3*c.P) > 1e-12 || c.Significant {
			t.Errorf("%s: p_holm %v, want %v and not significant", k, c.PHolm, 3*c.P)
		}
	}
	if c := got["a-c"]; c.PHolm != 1 {
		t.Errorf("a − c: p_holm %v, want 1", c.PHolm)
	}
}

func TestHolm(t *testing.T) {
	// Holm 1979 example shape: p = 0.01, 0.04, 0.03, 0.005 with m = 4:
	// sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max 0.06.
	cs := []Comparison{{P: 0.01}, {P: 0.04}, {P: 0.03}, {P: 0.005}, {P: math.NaN()}}
	holm(cs)
	want := []float64{0.03, 0.06, 0.06, 0.02}
	for i, w := range want {
		if math.Abs(cs[i].PHolm-w) > 1e-12 {
			t.Errorf("p_holm[%d] = %v, want %v", i, cs[i].PHolm, w)
		}
	}
	if cs[4].PHolm == cs[4].PHolm {
		t.Errorf("undefined p adjusted to %v, want NaN", cs[4].PHolm)
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
	for _, key := range []string{`"scenario": "test"`, `"seed": 7`, `"replications": 2`, `"position": 4`, `"group": "undefined"`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

// TestJSONMetrics: results.json describes its metrics from the registry,
// in the summary's order, whatever the summary was built with (here bare
// names and directions).
func TestJSONMetrics(t *testing.T) {
	doc := testSummary().Document()
	var names []string
	for _, m := range doc.Metrics {
		names = append(names, m.Name)
	}
	if strings.Join(names, " ") != "response_p90_s_p1 response_mean_s incidents" {
		t.Fatalf("metrics %v, want the summary's", names)
	}
	want := MetricJSON{Name: "response_p90_s_p1", Label: "P1 response, p90", Kind: "time", Unit: "s", Better: "lower",
		Description: "response time of priority-1 calls, 90th percentile", Table: true, Display: DisplayJSON{"min", 1.0 / 60, 2}}
	if doc.Metrics[0] != want {
		t.Errorf("got %+v\nwant %+v", doc.Metrics[0], want)
	}
	if m := doc.Metrics[2]; m.Kind != "count" || m.Unit != "count" || m.Display.Unit != "" || m.Better != "neutral" {
		t.Errorf("incidents: %+v", m)
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

// TestRankStable: adding a variant does not change the order of the others
// (the reference is the first variant, not the mean of all).
func TestRankStable(t *testing.T) {
	metrics := []Metric{{Name: "p90", Better: Lower}, {Name: "prevented", Better: Higher}}
	goals := []Goal{{"p90", 1}, {"prevented", 1}}
	two := [][][]float64{{{300, 100}, {300, 100}}, {{400, 150}, {400, 150}}}
	three := append(two, [][]float64{{350, 1000}, {350, 1000}})
	s2 := Summarize("t", 1, metrics, []string{"A", "B"}, two, goals, 0.05)
	s3 := Summarize("t", 1, metrics, []string{"A", "B", "C"}, three, goals, 0.05)
	if (s2.Variants[0].Rank < s2.Variants[1].Rank) != (s3.Variants[0].Rank < s3.Variants[1].Rank) {
		t.Errorf("A and B swap order when C is added: ranks %d,%d then %d,%d",
			s2.Variants[0].Rank, s2.Variants[1].Rank, s3.Variants[0].Rank, s3.Variants[1].Rank)
	}
}

// TestColorize: colour codes go around the header, the Pareto marks and
// significant differences, and nothing else changes.
func TestColorize(t *testing.T) {
	var buf bytes.Buffer
	if err := testSummary().WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	plain := buf.String()
	col := Colorize(plain)
	if !strings.Contains(col, ansiGreen+"●"+ansiReset) || !strings.Contains(col, ansiBold+"group") {
		t.Errorf("no colour:\n%s", col)
	}
	strip := strings.NewReplacer(ansiBold, "", ansiGreen, "", ansiReset, "").Replace(col)
	if strip != plain {
		t.Error("Colorize changed the text itself")
	}
}

// TestOneReplication: with one replication there is no interval and no
// test: the table and the JSON say so with dashes and nulls, never NaN,
// and a warning says why no variant can be told from another.
func TestOneReplication(t *testing.T) {
	metrics := []Metric{{Name: "response_p90_s_p1", Better: Lower}, {Name: "incidents", Better: Neutral}}
	values := [][][]float64{{{300, 10}}, {{250, 10}}}
	s := Summarize("t", 1, metrics, []string{"a", "b"}, values, []Goal{{"response_p90_s_p1", 1}}, DefaultAlpha)
	var table, doc bytes.Buffer
	if err := s.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteJSON(&doc); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"table": table.String(), "JSON": doc.String()} {
		if strings.Contains(out, "NaN") {
			t.Errorf("%s shows NaN:\n%s", name, out)
		}
	}
	if !strings.Contains(table.String(), "one replication") || !strings.Contains(table.String(), "no interval and no test from 1 replication") {
		t.Errorf("table does not say why there is no interval:\n%s", table.String())
	}
	for _, v := range s.Variants {
		if v.Best || v.Rank != 0 {
			t.Errorf("%s: best %v rank %d from one replication", v.Name, v.Best, v.Rank)
		}
	}
}

// TestConstantGoal: an objective metric with the same value for every
// variant cannot rank them: it is dropped with a warning that names it,
// and the ranking falls back to the other goal — never a tie broken by
// order.
func TestConstantGoal(t *testing.T) {
	metrics := []Metric{{Name: "incidents_prevented", Better: Higher}, {Name: "response_p90_s_p1", Better: Lower}}
	values := [][][]float64{
		{{0, 300}, {0, 310}, {0, 305}}, // random: slower
		{{0, 250}, {0, 262}, {0, 255}}, // beats
	}
	s := Summarize("t", 1, metrics, []string{"random", "beats"}, values, []Goal{{"incidents_prevented", 1}, {"response_p90_s_p1", 1}}, DefaultAlpha)
	if len(s.Objective) != 1 || s.Objective[0].Metric != "response_p90_s_p1" {
		t.Errorf("objective %v, want response_p90_s_p1 alone", s.Objective)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "incidents_prevented is 0 for every variant") {
		t.Errorf("warnings %q, want one naming incidents_prevented", s.Warnings)
	}
	if !s.Variants[1].Best || s.Variants[0].Best || s.Variants[1].Position != 1 {
		t.Errorf("beats (faster) should be the best and first: %+v", s.Variants)
	}
	s = Summarize("t", 1, metrics, []string{"random", "beats"}, values, []Goal{{"incidents_prevented", 1}}, DefaultAlpha)
	var table bytes.Buffer
	s.WriteTable(&table)
	if !strings.Contains(table.String(), "no ranking is possible") || s.Variants[0].Best || s.Variants[1].Best {
		t.Errorf("a constant objective alone must give no ranking:\n%s", table.String())
	}
}
