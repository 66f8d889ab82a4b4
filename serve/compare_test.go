package serve

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// compareOutputs returns a fake run's output by the grid's car count: 8 and
// 4 give runs of seed 1 with 3 replications (paired), 5 a run of seed 2
// (Welch). Only beats is in every run; random only in the first.
func compareOutputs(s *scenarios.Scenario) *Output {
	seed, csv := "1", ""
	switch s.File.Units[0].Count {
	case 8:
		csv = "beats,0,100,5,0.2\nbeats,1,110,7,0.2\nbeats,2,120,6,0.2\nrandom,0,90,1,0.3\nrandom,1,,1,0.3\nrandom,2,95,1,0.3\n"
	case 4:
		csv = "beats,0,130,5,0.4\nbeats,1,150,7,0.4\nbeats,2,140,6,0.4\n"
	case 5:
		seed = "2"
		csv = "beats,0,130,5,0.4\nbeats,1,150,7,0.4\nbeats,2,140,6,0.4\n"
	}
	return &Output{
		Results:      []byte(`{"scenario":"grid","seed":` + seed + `,"replications":3,"ranked_by":["response_p90_s_p1","incidents_prevented"]}`),
		Replications: []byte("variant,replication,response_p90_s_p1,incidents_prevented,utilization\n" + csv),
	}
}

// TestCompare checks /api/compare against a hand computation. Beats'
// response_p90_s_p1 is 100, 110, 120 in run A and 130, 150, 140 in run B:
// means 110 and 140, each ± t(0.975, 2) · 10/√3 = 4.302653 · 5.773503 =
// 24.841377. Same seed and replications: the paired differences 30, 40,
// 20 have mean 30, sd 10, so B − A = 30 ± 24.841377, p = 2(1 − F₂(5.196152))
// = 0.035099 with F₂(t) = 1/2 + t/(2√(2+t²)) (Student t, 2 degrees of
// freedom). Against the seed-2 run, Welch: se = √(100/3 + 100/3) =
// 8.164966 on 4 degrees of freedom, t(0.975, 4) = 2.776445, so 30 ±
// 22.669579, p = 0.021312. incidents_prevented is the same in every
// replication: difference 0, p = 1, not significant.
func TestCompare(t *testing.T) {
	f := newFake()
	f.output = compareOutputs
	close(f.release)
	_, ts := testServer(t, f, nil)
	var ids []string
	for _, n := range []string{"8", "4", "5"} {
		code, r, b := startRun(t, ts, `{"units":{"car":{"count":`+n+`}},"replications":3}`)
		if code != 202 {
			t.Fatalf("%d %s", code, b)
		}
		if v := waitStatus(t, ts, r.ID); v.Status != "done" {
			t.Fatalf("run %s: %+v", r.ID, v)
		}
		ids = append(ids, r.ID)
	}
	get := func(a, b string) Comparison {
		t.Helper()
		code, body := do(t, "GET", ts.URL+"/api/compare?a="+a+"&b="+b, "")
		if code != 200 {
			t.Fatalf("compare %s %s: %d %s", a, b, code, body)
		}
		var c Comparison
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	near := func(what string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 5e-6 {
			t.Errorf("%s = %v, want %v", what, deref(got), want)
		}
	}
	row := func(c Comparison, variant, metric string) CompareRow {
		t.Helper()
		for _, r := range c.Rows {
			if r.Variant == variant && r.Metric == metric {
				return r
			}
		}
		t.Fatalf("no row %s %s in %+v", variant, metric, c.Rows)
		return CompareRow{}
	}

	c := get(ids[0], ids[1])
	if c.Method != "paired" || !strings.Contains(c.Why, "seed 1 and 3 replications") || c.Level != 0.95 ||
		strings.Join(c.Variants, ",") != "beats" || strings.Join(c.OnlyA, ",") != "random" || len(c.OnlyB) != 0 {
		t.Errorf("paired comparison: %+v", c)
	}
	if len(c.Rows) != 2 { // the objective's two metrics; utilization is neither objective nor main
		t.Errorf("rows: %+v", c.Rows)
	}
	r := row(c, "beats", "response_p90_s_p1")
	near("A mean", r.A.Mean, 110)
	near("A low", r.A.Low, 110-24.841377)
	near("A high", r.A.High, 110+24.841377)
	near("B mean", r.B.Mean, 140)
	near("B − A", r.Difference.Mean, 30)
	near("B − A low", r.Difference.Low, 30-24.841377)
	near("B − A high", r.Difference.High, 30+24.841377)
	near("p", r.Difference.P, 0.035099)
	near("df", r.Difference.DF, 2)
	if !r.Significant || r.Verdict != "worse" || r.Better != "lower" || r.A.N != 3 || r.Difference.NA != 3 || r.Difference.NB != 3 {
		t.Errorf("paired row: %+v", r)
	}
	r = row(c, "beats", "incidents_prevented")
	near("prevented B − A", r.Difference.Mean, 0)
	near("prevented p", r.Difference.P, 1)
	if r.Significant || r.Verdict != "" || r.Better != "higher" {
		t.Errorf("prevented row: %+v", r)
	}

	c = get(ids[0], ids[2])
	if c.Method != "welch" || !strings.Contains(c.Why, "Welch") {
		t.Errorf("welch comparison: %+v", c)
	}
	r = row(c, "beats", "response_p90_s_p1")
	near("welch B − A", r.Difference.Mean, 30)
	near("welch low", r.Difference.Low, 30-22.669579)
	near("welch high", r.Difference.High, 30+22.669579)
	near("welch p", r.Difference.P, 0.021312)
	near("welch df", r.Difference.DF, 4)
	if !r.Significant || r.Verdict != "worse" {
		t.Errorf("welch row: %+v", r)
	}

	// B against A is the mirror image: better.
	r = row(get(ids[1], ids[0]), "beats", "response_p90_s_p1")
	near("A − B", r.Difference.Mean, -30)
	if r.Verdict != "better" {
		t.Errorf("reverse: %+v", r)
	}

	// Unknown or unfinished runs.
	for _, q := range []string{"a=" + ids[0] + "&b=r99", "a=&b=" + ids[0], "a=..%2F..%2Fetc%2Fpasswd&b=" + ids[0]} {
		if code, b := do(t, "GET", ts.URL+"/api/compare?"+q, ""); code != 404 || !strings.Contains(string(b), "no finished run") {
			t.Errorf("compare %s: %d %s", q, code, b)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// BenchmarkCompare compares two runs the size of the built-in city's (12
// variants, 8 replications, 66 metrics), as GET /api/compare does after
// looking the runs up.
func BenchmarkCompare(b *testing.B) {
	out := func(shift float64) *Output {
		var csv strings.Builder
		csv.WriteString("variant,replication")
		metrics := append([]string{}, mainMetrics...)
		for len(metrics) < 66 {
			metrics = append(metrics, "m"+strconv.Itoa(len(metrics)))
		}
		for _, m := range metrics {
			csv.WriteString("," + m)
		}
		csv.WriteString("\n")
		for v := range 12 {
			for r := range 8 {
				csv.WriteString("v" + strconv.Itoa(v) + "," + strconv.Itoa(r))
				for m := range metrics {
					csv.WriteString("," + strconv.FormatFloat(shift+float64(v*m+r*r)/7, 'g', -1, 64))
				}
				csv.WriteString("\n")
			}
		}
		return &Output{Results: []byte(`{"seed":1,"replications":8,"ranked_by":["response_p90_s_p1","incidents_prevented"]}`), Replications: []byte(csv.String())}
	}
	a, c := out(0), out(3)
	for b.Loop() {
		if _, err := compareRuns("r1", "r2", a, c, nil); err != nil {
			b.Fatal(err)
		}
	}
}
