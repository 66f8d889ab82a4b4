package optimize

import (
	"math/rand/v2"
	"testing"
)

// TestFeasibilityClaims: the feasibility test's claims are all right
// together with probability at least 1 − α, also in its least
// favourable case, means exactly at the limit. Synthetic normal values
// (no simulation): 6 candidates, one constraint "x <= 0", means −0.5,
// −0.1, 0, 0, 0.1, 0.5 (in units of the standard deviation 1), first 10,
// max 80 (looks at 10, 20, 40, 80), α = 0.05. A run is wrong when it
// calls a candidate of mean > 0 feasible or one of mean ≤ 0 infeasible
// (a mean at the limit meets "<=": only "infeasible" is wrong there).
// Over 2000 seeded runs the share of wrong runs must stay under α plus
// 3 binomial standard errors (0.05 + 3·√(0.05·0.95/2000) = 0.065); it
// measured 1.6% (Bonferroni is conservative). The test can fail: with
// the Bonferroni division left out (each test at level α), the share of
// wrong runs must exceed 0.065 — it measured 32.8%.
func TestFeasibilityClaims(t *testing.T) {
	means := []float64{-0.5, -0.1, 0, 0, 0.1, 0.5}
	cons := []Constraint{{Metric: "x", AtMost: true, Limit: 0}}
	const runs, alpha = 2000, 0.05
	wrongShare := func(bonferroni bool) float64 {
		rng := rand.New(rand.NewPCG(1, 2))
		wrong := 0
		for range runs {
			f := newFeasibility(len(means), cons, alpha, 10, 80)
			if !bonferroni {
				f.level = alpha
			}
			for r := 0; r < 80 && !f.decided(); r++ {
				f.addValues(func(c int, _ string) float64 { return means[c] + rng.NormFloat64() })
			}
			for c, st := range f.status {
				if (st == Feasible && means[c] > 0) || (st == Infeasible && means[c] <= 0) {
					wrong++
					break
				}
			}
		}
		return float64(wrong) / runs
	}
	const bound = 0.065
	got := wrongShare(true)
	naive := wrongShare(false)
	t.Logf("runs with a wrong claim: %.2f%% (Bonferroni), %.2f%% (each test at α)", 100*got, 100*naive)
	if got > bound {
		t.Errorf("%.2f%% of runs made a wrong feasibility claim, more than α + 3 standard errors (%.1f%%)", 100*got, 100*bound)
	}
	if naive <= bound {
		t.Errorf("without Bonferroni %.2f%% of runs were wrong: the test cannot tell a procedure without the guarantee", 100*naive)
	}
}
