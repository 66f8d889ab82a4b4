package serve

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patrolsim/patrolsim/internal/browsertest"
	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
)

// fakeVariant is a variant of a fake run: its name and each replication's
// values, in the order of the run's metrics.
type fakeVariant struct {
	name string
	reps [][]float64
}

// fakeSummary is the summary a fake runner gives: the seed, the objective
// (the metrics it ranks by, weight 1), every metric's name and the
// variants with their estimates, ranked in the order given.
func fakeSummary(seed uint64, rankedBy, metrics []string, variants ...fakeVariant) *results.Summary {
	s := &results.Summary{Scenario: "grid", Seed: seed}
	for _, m := range rankedBy {
		s.Objective = append(s.Objective, results.Goal{Metric: m, Weight: 1})
	}
	for _, m := range metrics {
		s.Metrics = append(s.Metrics, results.Metric{Name: m})
	}
	for _, v := range variants {
		vs := results.VariantSummary{Name: v.name, Reps: v.reps, Rank: len(s.Variants) + 1}
		for m := range metrics {
			col := make([]float64, len(v.reps))
			for r := range v.reps {
				col[r] = v.reps[r][m]
			}
			vs.Estimates = append(vs.Estimates, results.EstimateOf(col))
		}
		s.Variants = append(s.Variants, vs)
		s.Replications = len(v.reps)
	}
	return s
}

// compareOutputs returns a fake run's output by the grid's car count: 8 and
// 4 give runs of seed 1 with 3 replications (paired), 5 a run of seed 2
// (Welch), 3 a run of seed 1 with 5 replications whose first 3 are those
// of 4 (paired over those 3). 6, 2 and 1 are runs of seed 1 with 8
// replications: 6's priority-1 p90 response is 200 + r in replication r;
// in 2 and 1 calls went unanswered, so it is +Inf in 4 of them (2) or in
// all (1), and 50 + r in the others. 7, 9 and 10 are 6's plus, in even
// and odd replications, 0.5 and 1.5 (7), −30 and +30 (9), −1 and +1
// (10). Only beats is in every run; random only in the first. The metrics
// are response_p90_s_p1, incidents_prevented and utilization.
func compareOutputs(s *scenarios.Scenario) *Output {
	nan, inf := math.NaN(), math.Inf(1)
	seed := uint64(1)
	var vs []fakeVariant
	switch s.File.Units[0].Count {
	case 8:
		vs = []fakeVariant{
			{"beats", [][]float64{{100, 5, 0.2}, {110, 7, 0.2}, {120, 6, 0.2}}},
			{"random", [][]float64{{90, 1, 0.3}, {nan, 1, 0.3}, {95, 1, 0.3}}},
		}
	case 4:
		vs = []fakeVariant{{"beats", [][]float64{{130, 5, 0.4}, {150, 7, 0.4}, {140, 6, 0.4}}}}
	case 3:
		vs = []fakeVariant{{"beats", [][]float64{{130, 5, 0.4}, {150, 7, 0.4}, {140, 6, 0.4}, {inf, 6, 0.4}, {90, 6, 0.4}}}}
	case 5:
		seed = 2
		vs = []fakeVariant{{"beats", [][]float64{{130, 5, 0.4}, {150, 7, 0.4}, {140, 6, 0.4}}}}
	case 2, 1, 6, 7, 9, 10:
		v := fakeVariant{name: "beats"}
		for r := range 8 {
			p90 := float64(50 + r)
			odd := float64(r % 2)
			switch n := s.File.Units[0].Count; {
			case n == 6:
				p90 = float64(200 + r)
			case n == 7:
				p90 = float64(200+r) + 0.5 + odd
			case n == 9:
				p90 = float64(200+r) - 30 + 60*odd
			case n == 10:
				p90 = float64(200+r) - 1 + 2*odd
			case n == 1 || r%2 == 0:
				p90 = inf
			}
			v.reps = append(v.reps, []float64{p90, 5, 0.9})
		}
		vs = []fakeVariant{v}
	}
	return &Output{Summary: fakeSummary(seed, []string{"response_p90_s_p1", "incidents_prevented"},
		[]string{"response_p90_s_p1", "incidents_prevented", "utilization"}, vs...)}
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
//
// Equivalence: the default tolerance of a time is max(5 s, 5% of A's
// mean), 5.5 s at 110 s; of a count max(2, 5%). The TOST p-value of the
// paired 30 ± 5.773503 (se) on 2 df is F₂((30 − 5.5)/5.773503) =
// 0.974352, and the smallest detectable difference (t(0.975, 2) + t(0.8,
// 2))·se = (4.302653 + 1.060660)·5.773503 = 30.965101 (t(0.8, 2) =
// √1.125 from F₂). Welch: 0.980041 and (2.776445 + 0.940965)·8.164966 =
// 30.352523 (mpmath's Student t). A constant difference of 0 is shown the
// same (p = 0) and its detectable difference is 0.
func TestCompare(t *testing.T) {
	f := newFake()
	f.output = compareOutputs
	close(f.release)
	_, ts := testServer(t, f, nil)
	var ids []string
	for _, n := range []string{"8", "4", "5", "3", "2", "1", "6", "7", "9", "10"} {
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
	near("margin", r.Equivalence.Margin, 5.5)
	near("TOST p", r.Equivalence.P, 0.974352)
	near("detectable", r.Equivalence.Detectable, 30.965101)
	if !r.Significant || r.Verdict != "worse" || r.Equivalence.Equivalent || r.Better != "lower" || r.A.N != 3 || r.Difference.NA != 3 || r.Difference.NB != 3 {
		t.Errorf("paired row: %+v", r)
	}
	r = row(c, "beats", "incidents_prevented")
	near("prevented B − A", r.Difference.Mean, 0)
	near("prevented p", r.Difference.P, 1)
	near("prevented df", r.Difference.DF, 2) // no spread: still pairs − 1
	near("prevented margin", r.Equivalence.Margin, 2)
	near("prevented TOST p", r.Equivalence.P, 0)
	near("prevented detectable", r.Equivalence.Detectable, 0)
	if r.Significant || r.Verdict != "same" || !r.Equivalence.Equivalent || r.Better != "higher" || r.Note != "" {
		t.Errorf("prevented row: %+v", r)
	}
	if !strings.Contains(c.Why, "(Student t, pairs − 1: 2 degrees of freedom)") {
		t.Errorf("why: %s", c.Why)
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
	near("welch TOST p", r.Equivalence.P, 0.980041)
	near("welch detectable", r.Equivalence.Detectable, 30.352523)
	if !r.Significant || r.Verdict != "worse" {
		t.Errorf("welch row: %+v", r)
	}
	// No spread on either side: n_a + n_b − 2 degrees of freedom, as the
	// paired difference keeps pairs − 1.
	near("welch prevented df", row(c, "beats", "incidents_prevented").Difference.DF, 4)
	if !strings.Contains(c.Why, "different seeds (1, 2)") || !strings.Contains(c.Why, "4 degrees of freedom") {
		t.Errorf("welch why: %s", c.Why)
	}

	// Same seed, 3 and 5 replications: paired over the first 3, the same
	// numbers as against the 3-replication run; B's +Inf in replication 3
	// is not compared. B's own mean is over all 5 (+Inf in one: null).
	c = get(ids[0], ids[3])
	if c.Method != "paired" || !strings.Contains(c.Why, "paired over the first 3 replications, and B's other 2 are left out") ||
		!strings.Contains(c.Why, "2 degrees of freedom") {
		t.Errorf("paired on the first 3: %s %s", c.Method, c.Why)
	}
	r = row(c, "beats", "response_p90_s_p1")
	near("first-3 B − A", r.Difference.Mean, 30)
	near("first-3 p", r.Difference.P, 0.035099)
	if r.Verdict != "worse" || r.Difference.NA != 3 || r.B.N != 5 || r.B.Infinite != 1 || r.B.Mean != nil || r.Difference.UndefinedB != 0 {
		t.Errorf("first-3 row: %+v", r)
	}

	// Calls never answered in 4 of B's 8 replications (+Inf), far faster
	// in the others: not "better" on the finite remainder (left out, the 4
	// pairs left differ by −150 each: p = 0, "better"). The numbers of
	// replications with an infinite value are compared instead, by
	// Fisher's exact test as patrolsim check does (R: fisher.test of
	// matrix(c(0, 8, 4, 4), 2): p = 0.07692; of matrix(c(0, 8, 8, 0), 2):
	// 0.0001554; of matrix(c(0, 3, 2, 1), 2): 0.4).
	for _, k := range []struct {
		a, b, note string
		p          float64
		verdict    string
	}{
		// Not significant: inconclusive, never the same (an infinite
		// difference is within no tolerance); it had no verdict.
		{ids[6], ids[4], "infinite in 4 of 8 replications of B (" + ids[4] + "), 0 of 8 of A (" + ids[6] + ") (Fisher's exact test on those counts)", 0.076923, "inconclusive"},
		{ids[6], ids[5], "infinite in 8 of 8 replications of B (" + ids[5] + "), 0 of 8 of A (" + ids[6] + ") (Fisher's exact test on those counts)", 0.00015540, "worse"},
		// Against the 3-replication run: paired over its 3.
		{ids[0], ids[4], "infinite in 2 of 3 replications of B (" + ids[4] + "), 0 of 3 of A (" + ids[0] + ") (Fisher's exact test on those counts)", 0.4, "inconclusive"},
		// The other way round: fewer infinities in B.
		{ids[4], ids[6], "infinite in 0 of 8 replications of B (" + ids[6] + "), 4 of 8 of A (" + ids[4] + ") (Fisher's exact test on those counts)", 0.076923, "inconclusive"},
	} {
		c = get(k.a, k.b)
		r = row(c, "beats", "response_p90_s_p1")
		if r.Note != k.note || r.Verdict != k.verdict || r.Significant != (k.verdict == "worse") || r.Difference.Mean != nil ||
			r.Equivalence.P != nil || r.Equivalence.Detectable != nil || r.Equivalence.Equivalent {
			t.Errorf("%s against %s: %+v", k.b, k.a, r)
		}
		near(k.b+" against "+k.a+" p", r.Difference.P, k.p)
		if c.Method != "paired" || strings.Contains(c.Why, "no verdict") {
			t.Errorf("why: %s", c.Why)
		}
		if r := row(c, "beats", "incidents_prevented"); r.Note != "" || r.Difference.P == nil {
			t.Errorf("a finite metric of the same runs: %+v", r)
		}
	}

	// Equivalence, paired over 8 replications against run 6 (200 + r),
	// tolerance max(5 s, 5% of 203.5 s) = 10.175 s; t(0.975, 7) =
	// 2.364624, t(0.8, 7) = 0.896029, t(0.95, 7) = 1.894579 (mpmath):
	//   - 7, differences 0.5, 1.5, …: mean 1, sd 0.534522, se 0.188982:
	//     significant (p = 0.001134) and within tolerance (TOST p =
	//     2.1e-10): worse, and the same in practice; detectable 0.616206;
	//   - 10, differences −1, +1, …: mean 0, se 0.377964: not
	//     significant, the same (TOST p = 1.3e-8); detectable 1.232411;
	//   - 9, differences −30, +30, …: mean 0, sd 32.071349, se 11.338934:
	//     not significant, and not shown within 10.175 s either (TOST p
	//     = F₇(−10.175/11.338934) = 0.199671): inconclusive; the change
	//     it could detect is 36.972340.
	for _, k := range []struct {
		b                string
		p, tost, detect  float64
		verdict          string
		significant, equ bool
	}{
		{ids[7], 0.001134, 2.06e-10, 0.616206, "worse", true, true},
		{ids[9], 1, 1.25e-8, 1.232411, "same", false, true},
		{ids[8], 1, 0.199671, 36.972340, "inconclusive", false, false},
	} {
		c = get(ids[6], k.b)
		r = row(c, "beats", "response_p90_s_p1")
		near(k.b+" p", r.Difference.P, k.p)
		near(k.b+" TOST p", r.Equivalence.P, k.tost)
		near(k.b+" detectable", r.Equivalence.Detectable, k.detect)
		near(k.b+" margin", r.Equivalence.Margin, 10.175)
		if r.Verdict != k.verdict || r.Significant != k.significant || r.Equivalence.Equivalent != k.equ || r.Note != "" {
			t.Errorf("%s against %s: %+v", k.b, ids[6], r)
		}
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

// TestCompareView drives the page's compare view in headless Chromium
// against the fake runs of TestCompare: run 6 as A and 9, 10, 7 as B give
// the priority-1 p90 response of beats as inconclusive (with the change
// it could detect), the same, and significant but the same in practice,
// in words, in minutes as the metric's header says (36.972340 s = 0.62
// min, 10.175 s = 0.17 min). Without Chromium it skips, except under
// CI=true.
func TestCompareView(t *testing.T) {
	bin := browsertest.Find(t)
	f := newFake()
	f.output = compareOutputs
	close(f.release)
	_, ts := testServer(t, f, nil)
	var ids []string
	for _, n := range []string{"6", "9", "10", "7"} {
		code, r, b := startRun(t, ts, `{"units":{"car":{"count":`+n+`}},"replications":3}`)
		if code != 202 {
			t.Fatalf("%d %s", code, b)
		}
		if v := waitStatus(t, ts, r.ID); v.Status != "done" {
			t.Fatalf("run %s: %+v", r.ID, v)
		}
		ids = append(ids, r.ID)
	}
	ctx := browsertest.Context(t, bin)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTime()
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#compare-a option").length >= 4 && !document.getElementById("compare").disabled`)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	for _, k := range []struct {
		b, verdict, words string
	}{
		{ids[1], "inconclusive", "? inconclusive: could detect ±0.62, tolerance ±0.17"},
		{ids[2], "same", "≈ same: within ±0.17"},
		{ids[3], "worse", "▲ significant (worse), within ±0.17: the same in practice"},
	} {
		// Clear the table first, so the poll waits for this comparison.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("comparison").replaceChildren()`),
			chromedp.SetValue(chromedp.ID("compare-a"), ids[0]), chromedp.SetValue(chromedp.ID("compare-b"), k.b),
			chromedp.Click(chromedp.ID("compare")),
			chromedp.Poll[chromedp.Void](`document.querySelector("#comparison td[data-verdict]") !== null`)); err != nil {
			t.Fatalf("compare %s with %s: %v", k.b, ids[0], err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const td = document.querySelector('#comparison td.sig[data-variant="beats"][data-metric="response_p90_s_p1"]'); return [td.dataset.verdict, td.textContent, document.querySelector("#comparison caption").textContent]; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != k.verdict || got[1] != k.words || !strings.Contains(got[2], "Same: two one-sided tests at 0.05") {
			t.Errorf("%s against %s: %q (%s), want %q (%s); caption %q", k.b, ids[0], got[1], got[0], k.words, k.verdict, got[2])
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
		metrics := append([]string{}, mainMetrics...)
		for len(metrics) < 66 {
			metrics = append(metrics, "m"+strconv.Itoa(len(metrics)))
		}
		var vs []fakeVariant
		for v := range 12 {
			fv := fakeVariant{name: "v" + strconv.Itoa(v)}
			for r := range 8 {
				vals := make([]float64, len(metrics))
				for m := range metrics {
					vals[m] = shift + float64(v*m+r*r)/7
				}
				fv.reps = append(fv.reps, vals)
			}
			vs = append(vs, fv)
		}
		return &Output{Summary: fakeSummary(1, []string{"response_p90_s_p1", "incidents_prevented"}, metrics, vs...)}
	}
	a, c := out(0), out(3)
	for b.Loop() {
		if _, err := compareRuns("r1", "r2", a, c, nil); err != nil {
			b.Fatal(err)
		}
	}
}
