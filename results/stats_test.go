package results

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestDifferences checks PairedDifference and WelchDifference against
// closed forms of Student's t: for 2 degrees of freedom F(t) = 1/2 +
// t/(2√(2+t²)) and t_0.975 = 0.95/√(2·0.975·0.025) = 4.302653; for 4,
// F(t) = 1/2 + 3/8 · t/√(1+t²/4) · (1 − t²/(12(1+t²/4))) and t_0.975 =
// 2.776445 (the cubic's trigonometric root). The numbers below were worked
// out from those by hand (a calculator), not by this package.
func TestDifferences(t *testing.T) {
	x := []float64{130, 150, 140}
	y := []float64{100, 110, 120}
	nan := math.NaN()
	for _, tc := range []struct {
		name                string
		got                 Difference
		mean, lo, hi, p, df float64
		nx, ny              int
	}{
		// Differences 30, 40, 20: mean 30, sd 10, se 10/√3 = 5.773503.
		{"paired", PairedDifference(x, y), 30, 5.158623, 54.841377, 0.035099, 2, 3, 3},
		// Means 140 and 110, variances 100 each: se = √(200/3) = 8.164966,
		// Welch–Satterthwaite df = (200/3)² / (2 · (100/3)² / 2) = 4.
		{"welch", WelchDifference(x, y), 30, 7.330421, 52.669579, 0.021312, 4, 3, 3},
		// A value that is not finite (NaN, ±Inf) makes the difference
		// undefined: n counts the finite values (pairs: both finite).
		{"paired-undefined", PairedDifference(append(x, math.NaN(), 1), append(y, 5, math.Inf(1))), nan, nan, nan, nan, nan, 3, 3},
		{"welch-undefined", WelchDifference(append(x, math.Inf(1)), append(y, math.NaN())), nan, nan, nan, nan, nan, 3, 3},
		// Paired over the first min(n) values: y's fourth is not compared.
		{"paired-shorter", PairedDifference(x, append(y, math.Inf(1))), 30, 5.158623, 54.841377, 0.035099, 2, 3, 3},
		// No spread: the interval is the mean, p 0 for a nonzero mean, and
		// the degrees of freedom of the test there would be (pairs − 1;
		// n_x + n_y − 2).
		{"paired-constant", PairedDifference([]float64{3, 4}, []float64{1, 2}), 2, 2, 2, 0, 1, 2, 2},
		{"welch-constant", WelchDifference([]float64{5, 5}, []float64{5, 5}), 0, 0, 0, 1, 2, 2, 2},
		{"welch-constant-apart", WelchDifference([]float64{6, 6, 6}, []float64{5, 5}), 1, 1, 1, 0, 3, 3, 2},
		// Too few values: only the mean.
		{"paired-one", PairedDifference([]float64{3}, []float64{1}), 2, math.NaN(), math.NaN(), math.NaN(), math.NaN(), 1, 1},
		{"welch-one", WelchDifference([]float64{3}, []float64{1, 2}), 1.5, math.NaN(), math.NaN(), math.NaN(), math.NaN(), 1, 2},
		{"welch-none", WelchDifference(nil, []float64{1, 2}), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), 0, 2},
	} {
		g := tc.got
		for _, c := range []struct {
			what      string
			got, want float64
		}{{"mean", g.Mean, tc.mean}, {"low", g.Low, tc.lo}, {"high", g.High, tc.hi}, {"p", g.P, tc.p}, {"df", g.DF, tc.df}} {
			if math.IsNaN(c.want) != math.IsNaN(c.got) || math.Abs(c.got-c.want) > 5e-6 {
				t.Errorf("%s: %s = %v, want %v", tc.name, c.what, c.got, c.want)
			}
		}
		if g.NX != tc.nx || g.NY != tc.ny {
			t.Errorf("%s: n = %d, %d, want %d, %d", tc.name, g.NX, g.NY, tc.nx, tc.ny)
		}
	}
	// Welch's p is symmetric; the difference changes sign.
	if a, b := WelchDifference(x, y), WelchDifference(y, x); a.P != b.P || a.Mean != -b.Mean || a.Low != -b.High {
		t.Errorf("welch not symmetric: %+v %+v", a, b)
	}
}

// TestDifferenceNotFinite: a run much worse than another (calls never
// answered in 4 of its 8 replications, so its 90th-percentile response is
// +Inf there) must not be called better on the 4 replications left. Left
// out, the remaining paired differences −95, −92, −97, −94 (mean −94.5, sd
// 2.0817, se 1.0408, t = −90.8 on 3 degrees of freedom) had p ≈ 3e-6:
// "better". Defined only when every value compared is finite.
func TestDifferenceNotFinite(t *testing.T) {
	inf := math.Inf(1)
	b := []float64{inf, 105, inf, 110, inf, 100, inf, 108}
	a := []float64{200, 200, 205, 202, 199, 197, 201, 202}
	all := []float64{inf, inf, inf}
	for _, tc := range []struct {
		name   string
		d      Difference
		ux, uy int
		note   string
	}{
		{"paired", PairedDifference(b, a), 4, 0, "undefined (no value or infinite) in 4 of 8 replications of B"},
		{"welch", WelchDifference(b, a), 4, 0, "undefined (no value or infinite) in 4 of 8 replications of B"},
		{"paired-both", PairedDifference([]float64{1, math.NaN(), 3}, []float64{inf, 2, 3}), 1, 1,
			"undefined (no value or infinite) in 1 of 3 replications of B and 1 of 3 replications of A"},
		{"paired-all", PairedDifference(all, a), 3, 0, "undefined (no value or infinite) in every replication of B"},
		{"welch-all-a", WelchDifference(a, all), 0, 3, "undefined (no value or infinite) in every replication of A"},
		{"paired-minus-inf", PairedDifference(a[:2], []float64{math.Inf(-1), 1}), 0, 1, "undefined (no value or infinite) in 1 of 2 replications of A"},
	} {
		d := tc.d
		if d.Defined() || d.UndefinedX != tc.ux || d.UndefinedY != tc.uy {
			t.Errorf("%s: defined %v, undefined %d, %d; want false, %d, %d", tc.name, d.Defined(), d.UndefinedX, d.UndefinedY, tc.ux, tc.uy)
		}
		for _, v := range []float64{d.Mean, d.Low, d.High, d.P, d.DF} {
			if !math.IsNaN(v) {
				t.Errorf("%s: %+v, want NaN statistics", tc.name, d)
				break
			}
		}
		if got := d.UndefinedNote("B", "A"); got != tc.note {
			t.Errorf("%s: note %q, want %q", tc.name, got, tc.note)
		}
		if d.P < 0.05 {
			t.Errorf("%s: significant", tc.name)
		}
	}
	if d := PairedDifference(a, a); !d.Defined() || d.UndefinedNote("B", "A") != "" {
		t.Errorf("finite values: %+v, note %q", d, d.UndefinedNote("B", "A"))
	}
}

// TestRankComparisonsNotFinite: the ranking's pairwise comparisons give no
// verdict when a value is not finite in some replication, say why in the
// JSON and the table, and leave those comparisons out of Holm's
// correction. Variant c's calls go unanswered in 2 of 4 replications
// (+Inf); on the other two it looks far better than a and b.
func TestRankComparisonsNotFinite(t *testing.T) {
	inf := math.Inf(1)
	metrics := []Metric{{Name: "x", Better: Lower}}
	// a − b = 50, 49, 51, 50: mean 50, sd 0.8165, se 0.4082, t = 122.5
	// on 3 degrees of freedom, p = 1.2e-6; the only comparison tested, so
	// Holm's p is the same.
	values := [][][]float64{
		{{100}, {110}, {105}, {108}},
		{{50}, {61}, {54}, {58}},
		{{inf}, {20}, {inf}, {22}},
	}
	s := Summarize("t", 1, metrics, []string{"a", "b", "c"}, values, []Goal{{"x", 1}}, 0.05)
	got := map[string]Comparison{}
	for _, c := range s.Comparisons {
		got[c.A+"-"+c.B] = c
	}
	if c := got["b-a"]; c.Note != "" || !c.Significant || c.PHolm != c.P || c.N != 4 || c.UndefinedA+c.UndefinedB != 0 {
		t.Errorf("b − a: %+v, want significant, Holm over itself alone", c)
	}
	for k, note := range map[string]string{
		"b-c": "no verdict: undefined (no value or infinite) in 2 of 4 replications of c",
		"a-c": "no verdict: undefined (no value or infinite) in 2 of 4 replications of c",
	} {
		c := got[k]
		if c.Note != note || c.Significant || !math.IsNaN(c.P) || !math.IsNaN(c.PHolm) || !math.IsNaN(c.Difference) || c.UndefinedB != 2 || c.UndefinedA != 0 || c.N != 2 {
			t.Errorf("%s: %+v, want no verdict: %q", k, c, note)
		}
	}
	var buf bytes.Buffer
	if err := s.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"undefined_b": 2`, `"note": "no verdict: undefined (no value or infinite) in 2 of 4 replications of c"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, buf.String())
		}
	}
	// Two comparisons without verdict and variant c, not ranked, have notes.
	if strings.Count(buf.String(), `"note"`) != 3 || strings.Contains(buf.String(), `"undefined_a"`) {
		t.Errorf("JSON: note or undefined_a where every value is finite:\n%s", buf.String())
	}
	buf.Reset()
	if err := s.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Holm's correction over the 1 tested;\n2 of the 3 comparisons have no verdict",
		"a − c: no verdict: undefined (no value or infinite) in 2 of 4 replications of c"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestFisherExact against R's fisher.test: matrix(c(0, 8, 4, 4), 2)
// gives p = 0.07692 (= 2 · 495/12870), matrix(c(0, 8, 8, 0), 2) 0.0001554
// (= 2/12870), matrix(c(3, 5, 3, 5), 2) 1.
func TestFisherExact(t *testing.T) {
	for _, tc := range []struct {
		a, n1, b, n2 int
		want         float64
	}{{0, 8, 4, 8, 0.076923}, {0, 8, 8, 8, 0.00015540}, {3, 8, 3, 8, 1}, {0, 8, 2, 8, 0.46667}} {
		if got := fisherExact(tc.a, tc.n1, tc.b, tc.n2); math.Abs(got-tc.want) > 1e-5*tc.want+1e-9 {
			t.Errorf("fisherExact(%d/%d, %d/%d) = %.7g, want %.7g", tc.a, tc.n1, tc.b, tc.n2, got, tc.want)
		}
	}
}
