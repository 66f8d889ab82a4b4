package results

import (
	"math"
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
		// NaN and ±Inf are left out (pairs: both values finite).
		{"paired-undefined", PairedDifference(append(x, math.NaN(), 1), append(y, 5, math.Inf(1))), 30, 5.158623, 54.841377, 0.035099, 2, 3, 3},
		{"welch-undefined", WelchDifference(append(x, math.Inf(1)), append(y, math.NaN())), 30, 7.330421, 52.669579, 0.021312, 4, 3, 3},
		// No spread: the interval is the mean, p 0 for a nonzero mean.
		{"paired-constant", PairedDifference([]float64{3, 4}, []float64{1, 2}), 2, 2, 2, 0, 1, 2, 2},
		{"welch-constant", WelchDifference([]float64{5, 5}, []float64{5, 5}), 0, 0, 0, 1, math.NaN(), 2, 2},
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
