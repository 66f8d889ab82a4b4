package results

import (
	"math"
	"math/rand/v2"
	"testing"
)

// crnCosts draws n replications of k variants with the given means: each
// replication shares a common component (sd common) across variants, as
// common random numbers do, plus an own normal noise of sd own.
func crnCosts(rng *rand.Rand, means []float64, n int, common, own float64) [][]float64 {
	out := make([][]float64, len(means))
	for range n {
		c := rng.NormFloat64() * common
		for v, m := range means {
			out[v] = append(out[v], m+c+rng.NormFloat64()*own)
		}
	}
	return out
}

// TestMCBCoverage: over many independent experiments the true best is in
// the best set, and all k MCB intervals cover their true distances jointly,
// at least 95% of the time (the procedure is Bonferroni, hence
// conservative). Tolerance: 3 binomial standard errors at p = 0.95 over
// 2000 experiments (3·√(0.95·0.05/2000) = 0.0146).
func TestMCBCoverage(t *testing.T) {
	means := []float64{0, 0.2, 0.5, 1, 1}
	rng := rand.New(rand.NewPCG(1, 2))
	const trials = 2000
	inSet, covered := 0, 0
	for range trials {
		b, err := MultipleComparisonsWithBest(crnCosts(rng, means, 10, 2, 1), 0.05)
		if err != nil {
			t.Fatal(err)
		}
		if b.In[0] {
			inSet++
		}
		all := true
		for i := range means {
			best := math.Inf(1)
			for l, m := range means {
				if l != i {
					best = min(best, m)
				}
			}
			d := means[i] - best
			all = all && b.Low[i] <= d && d <= b.High[i]
		}
		if all {
			covered++
		}
	}
	floor := 0.95 - 3*math.Sqrt(0.95*0.05/trials)
	if got := float64(inSet) / trials; got < floor {
		t.Errorf("true best in the best set in %.3f of experiments, want ≥ %.3f", got, floor)
	}
	if got := float64(covered) / trials; got < floor {
		t.Errorf("joint coverage of the MCB intervals %.3f, want ≥ %.3f", got, floor)
	}
	t.Logf("best in set %.3f, joint coverage %.3f (floor %.3f)", float64(inSet)/trials, float64(covered)/trials, floor)
}

// TestMCBClear: variants far apart leave one variant in the best set, with
// High = 0 for it and the others' Low = 0; equal variants all stay.
func TestMCBClear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	b, err := MultipleComparisonsWithBest(crnCosts(rng, []float64{0, 5, 10}, 20, 1, 0.5), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if !b.In[0] || b.In[1] || b.In[2] || b.High[0] != 0 || b.Low[1] != 0 || b.Low[2] != 0 {
		t.Errorf("got %+v, want only variant 0 in the best set", b)
	}
	// Variant 1 is 5 behind the best (the interval holds 5, well inside).
	if !(b.Low[1] <= 5 && 5 <= b.High[1]) {
		t.Errorf("variant 1's distance interval [%g, %g] misses 5", b.Low[1], b.High[1])
	}
	b, err = MultipleComparisonsWithBest(crnCosts(rng, []float64{1, 1, 1}, 20, 1, 0.5), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if !b.In[0] || !b.In[1] || !b.In[2] {
		t.Errorf("three equal variants: best set %v, want all", b.In)
	}
	if _, err := MultipleComparisonsWithBest([][]float64{{1}, {2}}, 0.05); err == nil {
		t.Error("one replication gave intervals")
	}
	if _, err := MultipleComparisonsWithBest([][]float64{{1, math.NaN()}, {2, 3}}, 0.05); err == nil {
		t.Error("a NaN cost gave intervals")
	}
}

// runKN runs KN on normal costs until it decides or max replications pass.
func runKN(t *testing.T, rng *rand.Rand, means []float64, delta float64, maxReps int) (winner, reps int) {
	t.Helper()
	kn, err := NewKN(len(means), 10, 0.05, delta)
	if err != nil {
		t.Fatal(err)
	}
	for kn.Replications() < maxReps {
		c := crnCosts(rng, means, 1, 2, 1)
		row := make([]float64, len(means))
		for v := range row {
			row[v] = c[v][0]
		}
		if kn.Add(row) {
			return kn.Alive()[0], kn.Replications()
		}
	}
	return -1, kn.Replications()
}

// TestKNCorrectSelection: in the slippage configuration (the best better
// than every other by exactly delta, the least favourable case of the
// indifference zone) KN selects the best with probability at least 0.95
// (Kim & Nelson 2001, Theorem 1); tolerance 3 binomial SEs over 1000
// experiments (0.0207). A gap three times larger is decided with fewer
// replications on average.
func TestKNCorrectSelection(t *testing.T) {
	const trials = 1000
	rng := rand.New(rand.NewPCG(5, 6))
	delta := 0.5
	correct, total := 0, 0
	for range trials {
		w, n := runKN(t, rng, []float64{0, delta, delta, delta}, delta, 100000)
		if w == 0 {
			correct++
		}
		total += n
	}
	floor := 0.95 - 3*math.Sqrt(0.95*0.05/trials)
	if got := float64(correct) / trials; got < floor {
		t.Errorf("KN chose the best in %.3f of experiments, want ≥ %.3f", got, floor)
	}
	near := float64(total) / trials
	total = 0
	for range trials {
		_, n := runKN(t, rng, []float64{0, 3 * delta, 3 * delta, 3 * delta}, delta, 100000)
		total += n
	}
	far := float64(total) / trials
	if !(far < near) {
		t.Errorf("mean replications: gap δ %.1f, gap 3δ %.1f; want fewer for the larger gap", near, far)
	}
	t.Logf("PCS %.3f; mean replications %.1f (gap δ) vs %.1f (gap 3δ)", float64(correct)/trials, near, far)
}

// TestKNDeterministic: the same costs give the same decision at the same
// replication.
func TestKNDeterministic(t *testing.T) {
	a, na := runKN(t, rand.New(rand.NewPCG(7, 8)), []float64{0, 0.3, 0.6}, 0.3, 10000)
	b, nb := runKN(t, rand.New(rand.NewPCG(7, 8)), []float64{0, 0.3, 0.6}, 0.3, 10000)
	if a != b || na != nb {
		t.Errorf("runs differ: %d at %d vs %d at %d", a, na, b, nb)
	}
}

// TestEquivalence: a difference well inside the margin with a small SE is
// equivalent; one with a large SE is not, and says what it could detect;
// the TOST p-value at the margin itself is 0.5.
func TestEquivalence(t *testing.T) {
	if e := EquivalenceTest(0.1, 0.1, 20, 1, 0.05); !(e.P < 0.05) {
		t.Errorf("0.1 ± 0.1 within ±1: P = %g, want < 0.05", e.P)
	}
	e := EquivalenceTest(0.84, 0.5, 5, 0.1, 0.05)
	if e.P < 0.05 {
		t.Errorf("+84%% with SE 50%%: P = %g, want not equivalent", e.P)
	}
	// (t_{0.975,5} + t_{0.8,5})·0.5 = (2.5706 + 0.9195)·0.5 = 1.745.
	if math.Abs(e.Detectable-1.745) > 0.001 {
		t.Errorf("detectable %g, want 1.745", e.Detectable)
	}
	if e := EquivalenceTest(1, 0.3, 10, 1, 0.05); math.Abs(e.P-0.5) > 1e-9 {
		t.Errorf("difference at the margin: P = %g, want 0.5", e.P)
	}
	if e := EquivalenceTest(0, math.NaN(), 10, 1, 0.05); e.P != 1 {
		t.Errorf("undefined SE: P = %g, want 1", e.P)
	}
}
