package results

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestWelch: R's t.test(extra ~ group, data = sleep), the Welch test of
// R's documentation: t = −1.8608, df = 17.776, p-value = 0.07939 (R prints
// four significant digits, hence the tolerance).
func TestWelch(t *testing.T) {
	g1 := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	g2 := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	if p := welch(g1, g2); math.Abs(p-0.07939) > 5e-6 {
		t.Errorf("welch(sleep) = %.6f, want 0.07939", p)
	}
	if p := welch(g2, g1); math.Abs(p-0.07939) > 5e-6 {
		t.Errorf("welch is not symmetric: %.6f", p)
	}
	for _, tc := range []struct {
		name string
		x, y []float64
		want float64
	}{
		{"no spread, equal", []float64{3, 3}, []float64{3, 3, 3}, 1},
		{"no spread, different", []float64{3, 3}, []float64{4, 4}, 0},
		{"one value", []float64{3}, []float64{4, 5}, math.NaN()},
	} {
		got := welch(tc.x, tc.y)
		if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("%s: welch = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestHolmAdjust: p = (0.01, 0.04, 0.03, 0.005) sorted is 0.005, 0.01,
// 0.03, 0.04; times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04; running maximum:
// 0.02, 0.03, 0.06, 0.06.
func TestHolmAdjust(t *testing.T) {
	got := holmAdjust([]float64{0.01, 0.04, math.NaN(), 0.03, 0.005})
	want := []float64{0.03, 0.06, math.NaN(), 0.06, 0.02}
	for k := range want {
		if !(math.Abs(got[k]-want[k]) < 1e-12 || math.IsNaN(got[k]) && math.IsNaN(want[k])) {
			t.Errorf("p[%d]: got %v, want %v", k, got[k], want[k])
		}
	}
}

func TestDefaultTolerance(t *testing.T) {
	for _, tc := range []struct {
		m    Metric
		want Tolerance
	}{
		{Metric{Name: "response_mean_s"}, TimeTolerance},
		{Metric{Name: "response_p90_s_p1"}, TimeTolerance},
		{Metric{Name: "command_delay_mean_s"}, TimeTolerance},
		{Metric{Name: "within_target_p1"}, ShareTolerance},
		{Metric{Name: "utilization_car"}, ShareTolerance},
		{Metric{Name: "incidents"}, CountTolerance},
		{Metric{Name: "prevented_type_theft"}, CountTolerance},
		{Metric{Name: "zero_incident_atoms"}, CountTolerance},
		{Metric{Name: "workload_cv"}, ShareTolerance}, // a ratio
		// The kind is the declaration's, not guessed from the name or the
		// description: an undeclared name ending in _s is not a time.
		{Metric{Name: "no_such_metric_s", Doc: "a count (count)"}, ShareTolerance},
	} {
		if got := DefaultTolerance(tc.m); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.m.Name, got, tc.want)
		}
	}
	// The threshold is the larger of the two: 5% of 300 s is 15 s > 5 s;
	// 5% of 20 s is 1 s < 5 s.
	if got := TimeTolerance.Threshold(-300); got != 15 {
		t.Errorf("threshold at 300 s: got %v, want 15", got)
	}
	if got := TimeTolerance.Threshold(20); got != 5 {
		t.Errorf("threshold at 20 s: got %v, want 5", got)
	}
}

// testBaseline makes a baseline of one variant per entry of vals:
// vals[variant][metric] holds the replications.
func testBaseline(metrics []Metric, names []string, vals [][][]float64) *Baseline {
	b := &Baseline{Scenario: "t", ScenarioHash: "sha256:1", Seed: 1, Version: "v1", Metrics: metrics}
	for v, name := range names {
		b.Variants = append(b.Variants, BaselineVariant{Name: name, Values: vals[v]})
		b.Replications = len(vals[v][0])
	}
	return b
}

func row(t *testing.T, r *CheckReport, variant, metric string) CheckRow {
	t.Helper()
	for _, row := range r.Rows {
		if row.Variant == variant && row.Metric == metric {
			return row
		}
	}
	t.Fatalf("no row %s/%s in %+v", variant, metric, r.Rows)
	return CheckRow{}
}

// TestCompareVerdicts: one metric per case, chosen so the verdict follows
// from the numbers. Eight replications around the baseline mean with
// spread ±1 (sd 0.61) give a Welch test far from significance for a shift
// of 0.1 and p < 1e-10 for a shift of 50; the TOST against the default
// tolerance of a time of 300 s (15 s) then has se = 0.61·√(2/8) = 0.31, so
// any shift within 15 − t(0.95, 14)·0.31 = 14.5 s is shown the same.
// Spread ±40 (sd 24.6, se 12.3) shows nothing within 15 s: 12.3 × 1.76 =
// 21.6 > 15.
func TestCompareVerdicts(t *testing.T) {
	noise := []float64{-1, 1, -0.5, 0.5, -0.25, 0.25, 0, 0.1}
	around := func(m float64) []float64 {
		out := make([]float64, len(noise))
		for i, e := range noise {
			out[i] = m + e
		}
		return out
	}
	noisy := func(m float64) []float64 {
		out := make([]float64, len(noise))
		for i, e := range noise {
			out[i] = m + 40*e
		}
		return out
	}
	// Six replications of a mean response time with a wide spread (sd
	// 170 s), and the same times 84% longer (sd 313 s): Welch's se =
	// √(170²/6 + 313²/6) = 146 s, t = 252/146 = 1.73 on 7.7 degrees of
	// freedom, p = 0.12, not significant. It used to be "same"; it is a
	// change the check cannot see at six replications.
	wide := []float64{100, 500, 200, 400, 150, 450}
	longer := make([]float64, len(wide))
	for i, x := range wide {
		longer[i] = 1.84 * x
	}
	nan := math.NaN()
	allNaN := []float64{nan, nan, nan, nan, nan, nan, nan, nan}
	for _, tc := range []struct {
		name      string
		m         Metric
		base, now []float64
		want      Verdict
	}{
		{"identical", Metric{Name: "response_mean_s", Better: Lower}, around(300), around(300), VerdictIdentical},
		{"identical with NaN", Metric{Name: "response_p90_s", Better: Lower}, allNaN, allNaN, VerdictIdentical},
		{"noise", Metric{Name: "response_mean_s", Better: Lower}, around(300), around(300.1), VerdictSame},
		// Not significant is not the same: too few replications for the
		// spread.
		{"noisy", Metric{Name: "response_mean_s", Better: Lower}, noisy(300), noisy(300.1), VerdictInconclusive},
		{"84% longer, not significant", Metric{Name: "response_mean_s", Better: Lower}, wide, longer, VerdictInconclusive},
		{"slower", Metric{Name: "response_mean_s", Better: Lower}, around(300), around(350), VerdictWorse},
		{"faster", Metric{Name: "response_mean_s", Better: Lower}, around(300), around(250), VerdictBetter},
		{"fewer prevented", Metric{Name: "incidents_prevented", Doc: "(count)", Better: Higher}, around(300), around(250), VerdictWorse},
		// 10 s slower is significant but within 5% of 300 s (15 s).
		{"within tolerance", Metric{Name: "response_mean_s", Better: Lower}, around(300), around(310), VerdictSame},
		{"neutral moved", Metric{Name: "incidents", Doc: "(count)", Better: Neutral}, around(300), around(350), VerdictChanged},
		{"undefined now", Metric{Name: "response_p90_s", Better: Lower}, around(300), allNaN, VerdictChanged},
		// Undefined on both sides, not bit for bit (6 and 8 replications):
		// nothing shows it unchanged.
		{"undefined on both", Metric{Name: "response_p90_s", Better: Lower}, allNaN, allNaN[:6], VerdictInconclusive},
		// Calls never answered make a 90th percentile +Inf. All 8 now
		// against none in the baseline: Fisher's exact p = 2/C(16, 8) =
		// 1.6e-4, worse; 2 of 8 against none: p = 0.467, not significant,
		// and an infinite difference is never within tolerance:
		// inconclusive (it was "same").
		{"never answered now", Metric{Name: "response_p90_s", Better: Lower}, around(300), withInf(around(300), 8), VerdictWorse},
		{"answered again", Metric{Name: "response_p90_s", Better: Lower}, withInf(around(300), 8), around(300), VerdictBetter},
		{"a few never answered", Metric{Name: "response_p90_s", Better: Lower}, around(300), withInf(around(300), 2), VerdictInconclusive},
		// The same number of infinities on both sides: the finite rest is
		// compared as usual.
		{"as many infinities", Metric{Name: "response_p90_s", Better: Lower}, withInf(around(300), 2), withInf(around(350), 2), VerdictWorse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := []Metric{tc.m}
			base := testBaseline(ms, []string{"a"}, [][][]float64{{tc.base}})
			now := testBaseline(ms, []string{"a"}, [][][]float64{{tc.now}})
			r := Compare(base, now, nil, nil)
			got := row(t, r, "a", tc.m.Name)
			if got.Verdict != tc.want {
				t.Errorf("verdict %s, want %s (row %+v)", got.Verdict, tc.want, got)
			}
			if r.Regression() != (tc.want == VerdictWorse) {
				t.Errorf("Regression() = %v with verdict %s", r.Regression(), got.Verdict)
			}
			// Same only when the TOST shows it; then the difference
			// itself is within tolerance.
			if same := got.TOSTP < r.Level; (got.Verdict == VerdictSame) != same && got.Verdict != VerdictIdentical {
				t.Errorf("verdict %s with TOST p %v at level %v", got.Verdict, got.TOSTP, r.Level)
			}
			if got.Verdict == VerdictSame && !(math.Abs(got.Difference) <= got.Tolerance.Threshold(got.Baseline)) {
				t.Errorf("same with a difference %v beyond the tolerance %v", got.Difference, got.Tolerance.Threshold(got.Baseline))
			}
		})
	}
}

// TestEquivalenceOf: the standard error EquivalenceOf takes from a
// difference's interval is the one each method defines, so its TOST and
// detectable difference are EquivalenceTest's with that standard error
// computed directly: Welch's √(s_x²/n_x + s_y²/n_y) on R's sleep data (t =
// −1.8608 on 17.776 df, as TestWelch), and √(s_d²/n) of paired
// differences (R's t.test(paired = TRUE) on sleep: t = −4.0621, df = 9,
// mean −1.58).
func TestEquivalenceOf(t *testing.T) {
	g1 := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	g2 := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	variance := func(xs []float64) float64 {
		m := meanOf(xs)
		var s float64
		for _, x := range xs {
			s += (x - m) * (x - m)
		}
		return s / float64(len(xs)-1)
	}
	diffs := make([]float64, len(g1))
	for i := range g1 {
		diffs[i] = g1[i] - g2[i]
	}
	for _, tc := range []struct {
		name      string
		d         Difference
		se        float64 // computed directly
		df, tstat float64 // R's
	}{
		{"welch", WelchDifference(g1, g2), math.Sqrt(variance(g1)/10 + variance(g2)/10), 17.776, -1.8608},
		{"paired", PairedDifference(g1, g2), math.Sqrt(variance(diffs) / 10), 9, -4.0621},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if math.Abs(tc.d.DF-tc.df) > 5e-4 {
				t.Fatalf("df %v, want %v", tc.d.DF, tc.df)
			}
			if got := tc.d.Mean / tc.se; math.Abs(got-tc.tstat) > 5e-4 {
				t.Fatalf("t = %v, want %v: the directly computed standard error is off", got, tc.tstat)
			}
			for _, margin := range []float64{0.5, 2, 3} {
				got := EquivalenceOf(tc.d, margin, 0.05)
				want := EquivalenceTest(tc.d.Mean, tc.se, tc.d.DF, margin, 0.05)
				if math.Abs(got.P-want.P) > 1e-9 || math.Abs(got.Detectable-want.Detectable) > 1e-9 {
					t.Errorf("margin %v: got %+v, want %+v", margin, got, want)
				}
			}
		})
	}
	// Undefined: a value not finite, or one value on a side.
	for _, d := range []Difference{WelchDifference([]float64{1, math.Inf(1)}, []float64{1, 2}), WelchDifference([]float64{1}, []float64{1, 2})} {
		if got := EquivalenceOf(d, 10, 0.05); got.P != 1 || !math.IsNaN(got.Detectable) {
			t.Errorf("undefined difference %+v: got %+v, want P 1, Detectable NaN", d, got)
		}
	}
}

// withInf returns xs with its first k values +Inf.
func withInf(xs []float64, k int) []float64 {
	out := slices.Clone(xs)
	for i := range k {
		out[i] = math.Inf(1)
	}
	return out
}

// TestCompareHolm: the p-values are adjusted over all the tests of a
// check. Shifting one metric by 1 (spread ±1, 8 replications; raw p ≈ 0.006)
// is significant alone but not among 20 tests; a zero tolerance makes
// significance the only criterion.
func TestCompareHolm(t *testing.T) {
	noise := []float64{-1, 1, -0.5, 0.5, -0.25, 0.25, 0, 0.1}
	col := func(shift float64) []float64 {
		out := make([]float64, len(noise))
		for i, e := range noise {
			out[i] = 100 + shift + e
		}
		return out
	}
	zero := 0.0
	cfg := &CheckConfig{Tolerances: []ToleranceRule{{Pattern: Pattern{Pattern: "*"}, Rel: &zero, Abs: &zero}}}
	for _, n := range []int{1, 20} {
		var ms []Metric
		var base, now [][]float64
		for i := range n {
			ms = append(ms, Metric{Name: "m" + string(rune('a'+i)), Better: Lower})
			base = append(base, col(0))
			// The others differ by one replication's swap: not identical,
			// no shift.
			other := col(0)
			other[0], other[1] = other[1], other[0]
			now = append(now, other)
		}
		now[0] = col(1)
		r := Compare(testBaseline(ms, []string{"a"}, [][][]float64{base}), testBaseline(ms, []string{"a"}, [][][]float64{now}), nil, cfg)
		first := row(t, r, "a", "ma")
		t.Logf("%d tests: p %.4f, Holm %.4f", r.Tests, first.P, first.PHolm)
		if r.Tests != n {
			t.Errorf("%d metrics: %d tests", n, r.Tests)
		}
		if want := n == 1; (first.Verdict == VerdictWorse) != want {
			t.Errorf("%d tests: verdict %s, want worse: %v", n, first.Verdict, want)
		}
	}
}

func TestCompareMissing(t *testing.T) {
	ms := []Metric{{Name: "response_mean_s", Better: Lower}, {Name: "old_metric", Better: Lower}}
	v := [][]float64{{1, 2}, {3, 4}}
	base := testBaseline(ms, []string{"a", "gone"}, [][][]float64{v, v})
	now := testBaseline([]Metric{ms[0], {Name: "new_metric", Better: Higher}}, []string{"a", "added"}, [][][]float64{v, v})
	now.ScenarioHash, now.Version = "sha256:2", "v2"
	r := Compare(base, now, nil, nil)
	for _, tc := range []struct {
		variant, metric string
		want            Verdict
	}{
		{"a", "response_mean_s", VerdictIdentical},
		{"a", "new_metric", VerdictNew},
		{"a", "old_metric", VerdictMissing},
		{"gone", "", VerdictMissing},
		{"added", "", VerdictNew},
	} {
		if got := row(t, r, tc.variant, tc.metric).Verdict; got != tc.want {
			t.Errorf("%s/%s: got %s, want %s", tc.variant, tc.metric, got, tc.want)
		}
	}
	if !r.ScenarioChanged || !r.VersionChanged || len(r.Warnings) != 2 {
		t.Errorf("want both flags and two warnings, got %v %v %q", r.ScenarioChanged, r.VersionChanged, r.Warnings)
	}
	if r.Regression() {
		t.Error("missing and new rows are not regressions")
	}
	// The side that has the metric gives its mean (3 and 4: 3.5).
	if n, m := row(t, r, "a", "new_metric"), row(t, r, "a", "old_metric"); n.Now != 3.5 || !math.IsNaN(n.Baseline) || m.Baseline != 3.5 || !math.IsNaN(m.Now) {
		t.Errorf("new row: baseline %v now %v; missing row: baseline %v now %v; want NaN 3.5 3.5 NaN", n.Baseline, n.Now, m.Baseline, m.Now)
	}
}

func TestParseCheckConfig(t *testing.T) {
	c, err := ParseCheckConfig("check.yaml", []byte(`# what CI checks
level: 0.01
metrics: [response_*, incidents_prevented, "*_share"]
tolerances:
  response_p90_s_p1: {rel: 0.1}
  "response_*": {rel: 0.2, abs: 1}
  "*": {abs: 0}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Level != 0.01 || len(c.Metrics) != 3 || len(c.Tolerances) != 3 {
		t.Fatalf("got %+v", c)
	}
	for _, tc := range []struct {
		metric   string
		selected bool
		tol      Tolerance
	}{
		// The exact name wins and keeps the kind's abs; then the first
		// pattern in file order.
		{"response_p90_s_p1", true, Tolerance{0.1, 5}},
		{"response_mean_s", true, Tolerance{0.2, 1}},
		{"cross_district_share", true, Tolerance{0.05, 0}},
		{"incidents_prevented", true, Tolerance{0.05, 0}},
		{"utilization", false, Tolerance{0.05, 0}},
	} {
		m := Metric{Name: tc.metric}
		if got := c.selects(tc.metric); got != tc.selected {
			t.Errorf("%s: selected %v, want %v", tc.metric, got, tc.selected)
		}
		if got := c.Tolerance(m); got != tc.tol {
			t.Errorf("%s: tolerance %+v, want %+v", tc.metric, got, tc.tol)
		}
	}
	if w := c.unmatched([]Metric{{Name: "response_mean_s"}}); len(w) != 3 || !strings.Contains(w[0], `check.yaml:3: metrics: "incidents_prevented" matches no metric`) {
		t.Errorf("unmatched patterns: got %q", w)
	}
	if c, err := ParseCheckConfig("empty.yaml", nil); err != nil || c.level() != DefaultCheckLevel {
		t.Errorf("empty file: %+v, %v", c, err)
	}

	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"unknown key", "level: 0.05\nlevle: 0.1\n", []string{`check.yaml:2: unknown key "levle" (valid: level, metrics, tolerances)`}},
		{"level range", "level: 1.5\n", []string{"check.yaml:1: level: must be in (0, 0.5] (got 1.5)"}},
		{"level type", "level: often\n", []string{`check.yaml:1: level: must be a number (got "often")`}},
		{"bad pattern", "metrics:\n  - ok\n  - \"[\"\n", []string{`check.yaml:3: metrics[1]: bad pattern "["`}},
		{"metrics not a list", "metrics: response_mean_s\n", []string{"check.yaml:1: metrics: must be a list"}},
		{"tolerance key", "tolerances:\n  response_mean_s: {rell: 0.1, abs: -1}\n", []string{
			"check.yaml:2: tolerances.response_mean_s.rell: unknown key (valid: rel, abs)",
			"check.yaml:2: tolerances.response_mean_s.abs: must be >= 0 (got -1)"}},
		{"syntax", "level: [0.05\n", []string{"check.yaml:"}},
		{"not a mapping", "- level\n", []string{"check.yaml:1: a check file is a mapping"}},
		{"unquoted star", "metrics: [*_share]\n", []string{`check.yaml: unknown anchor '_share' referenced (a pattern that starts with * must be quoted: "*_share")`}},
		{"twice", "level: 0.05\nlevel: 0.01\n", []string{"check.yaml:2: level: given twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCheckConfig("check.yaml", []byte(tc.doc))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

// regressionReport: variant a got slower, variant b is unchanged, c is
// gone; the scenario changed.
func regressionReport() *CheckReport {
	noise := []float64{-1, 1, -0.5, 0.5}
	col := func(m float64) []float64 {
		out := make([]float64, len(noise))
		for i, e := range noise {
			out[i] = m + e
		}
		return out
	}
	ms := []Metric{{Name: "response_mean_s", Better: Lower}, {Name: "visibility", Better: Higher}}
	base := testBaseline(ms, []string{"a", "b", "c"}, [][][]float64{{col(300), col(0.5)}, {col(300), col(0.5)}, {col(1), col(1)}})
	now := testBaseline(ms, []string{"a", "b"}, [][][]float64{{col(400), col(0.5)}, {col(300), col(0.5)}})
	now.ScenarioHash = "sha256:2"
	r := Compare(base, now, nil, nil)
	r.BaselineFile = "base,line.json"
	return r
}

func TestCheckReportOutputs(t *testing.T) {
	r := regressionReport()
	if got := r.Count(VerdictWorse); got != 1 {
		t.Fatalf("worse: %d, want 1: %+v", got, r.Rows)
	}

	var table bytes.Buffer
	if err := r.WriteTable(&table, false); err != nil {
		t.Fatal(err)
	}
	out := table.String()
	// 300 s → 400 s: the means and difference in minutes, as run's table
	// shows response times, beside the metric's name and header.
	for _, want := range []string{"warning: the scenario or its data files changed", "response_mean_s  response, mean (min)  5.00      6.67  +1.67 (+33.3%)", "worse",
		"variant not in this run", "5 compared: 1 worse, 0 better, 0 inconclusive, 0 same, 3 identical, 1 missing"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "visibility") {
		t.Errorf("identical rows listed without all:\n%s", out)
	}

	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc CheckJSON
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Regression || !doc.ScenarioChanged || doc.Counts["worse"] != 1 || doc.Counts["missing"] != 1 || len(doc.Results) != 5 {
		t.Errorf("JSON document: %+v", doc)
	}
	// The JSON keeps the values in their stored unit, and says which.
	if row := doc.Results[0]; row.Metric != "response_mean_s" || row.Label != "response, mean" || row.Kind != "time" || row.Unit != "s" ||
		row.Baseline == nil || *row.Baseline != 300 {
		t.Errorf("JSON row: %+v", row)
	}
	// The tolerance in seconds (5% of 300 s), the TOST's p-value (far
	// from equivalence: 100 s beyond 15 s) and the detectable difference:
	// noise ±1, ±0.5 has sd 0.913, so se = 0.913·√(2/4) = 0.645 s on 6
	// degrees of freedom and (t(0.975, 6) + t(0.8, 6))·se = (2.447 +
	// 0.906)·0.645 = 2.16 s, "±0.04 min" in the annotation below.
	if row := doc.Results[0]; row.Margin == nil || *row.Margin != 15 || row.TOSTP == nil || *row.TOSTP < 0.99 ||
		row.Detectable == nil || math.Abs(*row.Detectable-2.164) > 0.001 {
		t.Errorf("JSON row's margin %v, tost_p %v, detectable %v; want 15, about 1, 2.164", deref(row.Margin), deref(row.TOSTP), deref(row.Detectable))
	}
	if doc.Equivalence != "tost" || doc.Failed != doc.Regression || doc.Strict {
		t.Errorf("JSON document: equivalence %q, failed %v, strict %v", doc.Equivalence, doc.Failed, doc.Strict)
	}

	var x bytes.Buffer
	if err := r.WriteJUnit(&x); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(x.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, x.String())
	}
	if suites.Tests != 5 || suites.Failures != 1 || suites.Skipped != 1 || len(suites.Suites) != 3 {
		t.Errorf("JUnit counts: tests %d failures %d skipped %d suites %d, want 5 1 1 3", suites.Tests, suites.Failures, suites.Skipped, len(suites.Suites))
	}

	var ann bytes.Buffer
	if err := r.WriteAnnotations(&ann, "city.yaml"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(ann.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "::warning title=patrolsim check%3A t::the scenario") ||
		lines[1] != "::error file=city.yaml,title=response_mean_s worse in t/a::response_mean_s (response, mean) of variant a: worse, "+
			"baseline 5.00 min, now 6.67 min, difference +1.67 min (+33.3%25), p (Holm) <0.001, tolerance ±0.25 min (lower is better), "+
			"detectable ±0.04 min" {
		t.Errorf("annotations:\n%s", ann.String())
	}
	if got := ghProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("ghProperty: got %q", got)
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{{784, "784"}, {788.8, "788.8"}, {4.8, "4.8"}, {0.16523, "0.1652"}, {0.0010123, "0.001012"}, {12345.6, "12346"}, {math.NaN(), "–"}, {-3.14159, "-3.142"}} {
		if got := formatValue(tc.x); got != tc.want {
			t.Errorf("formatValue(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestCheckInconclusive: a metric that moved a lot but not significantly
// (the 84% longer response of TestCompareVerdicts, six replications) is
// inconclusive in every output: the table's count and row with the
// tolerance and the detectable difference, the JSON's verdict and counts,
// JUnit (skipped; failed when strict) and the annotations (one warning; an
// error when strict). It fails the check only when strict.
func TestCheckInconclusive(t *testing.T) {
	wide := []float64{100, 500, 200, 400, 150, 450}
	longer := make([]float64, len(wide))
	for i, x := range wide {
		longer[i] = 1.84 * x
	}
	ms := []Metric{{Name: "response_mean_s", Better: Lower}}
	for _, strict := range []bool{false, true} {
		r := Compare(testBaseline(ms, []string{"a"}, [][][]float64{{wide}}), testBaseline(ms, []string{"a"}, [][][]float64{{longer}}), nil, nil)
		r.Strict = strict
		if got := row(t, r, "a", "response_mean_s"); got.Verdict != VerdictInconclusive || r.Regression() || r.Failed() != strict {
			t.Fatalf("strict %v: verdict %s, regression %v, failed %v", strict, got.Verdict, r.Regression(), r.Failed())
		}
		var table bytes.Buffer
		if err := r.WriteTable(&table, false); err != nil {
			t.Fatal(err)
		}
		// 300 s → 552 s, tolerance 15 s, detectable (t(0.975, 7.7) +
		// t(0.8, 7.7))·se = (2.32 + 0.89) × 146 s = 467 s: 7.79 min.
		for _, want := range []string{"1 compared: 0 worse, 0 better, 1 inconclusive, 0 same, 0 identical",
			"5.00      9.20  +4.20 (+84.0%)  ±0.25      ±7.79       0.123     inconclusive"} {
			if !strings.Contains(table.String(), want) {
				t.Errorf("table lacks %q:\n%s", want, table.String())
			}
		}
		var js bytes.Buffer
		if err := r.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		var doc CheckJSON
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if res := doc.Results[0]; res.Verdict != VerdictInconclusive || doc.Counts["inconclusive"] != 1 || doc.Counts["same"] != 0 ||
			doc.Regression || doc.Failed != strict || doc.Strict != strict || res.Detectable == nil || res.TOSTP == nil || *res.TOSTP < 0.05 {
			t.Errorf("strict %v: JSON %+v", strict, doc)
		}
		var x bytes.Buffer
		if err := r.WriteJUnit(&x); err != nil {
			t.Fatal(err)
		}
		var suites junitSuites
		if err := xml.Unmarshal(x.Bytes(), &suites); err != nil {
			t.Fatal(err)
		}
		wantFail, wantSkip := 0, 1
		if strict {
			wantFail, wantSkip = 1, 0
		}
		if suites.Failures != wantFail || suites.Skipped != wantSkip ||
			!strings.Contains(x.String(), "inconclusive, baseline 5.00 min, now 9.20 min, difference +4.20 min (+84.0%), p (Holm) 0.123, "+
				"tolerance ±0.25 min (lower is better), detectable ±7.79 min: more replications needed to tell") {
			t.Errorf("strict %v: JUnit failures %d skipped %d, want %d %d:\n%s", strict, suites.Failures, suites.Skipped, wantFail, wantSkip, x.String())
		}
		var ann bytes.Buffer
		if err := r.WriteAnnotations(&ann, ""); err != nil {
			t.Fatal(err)
		}
		kind := "::warning "
		if strict {
			kind = "::error "
		}
		if want := kind + "title=1 metric(s) inconclusive in t::1 metric(s) inconclusive: neither shown within tolerance nor significantly beyond it " +
			"at 6 and 6 replications (more replications, or wider tolerances, would decide): a/response_mean_s +4.20 min (+84.0%25), " +
			"tolerance ±0.25 min, detectable ±7.79 min\n"; ann.String() != want {
			t.Errorf("strict %v: annotations\n%s\nwant\n%s", strict, ann.String(), want)
		}
	}
}
