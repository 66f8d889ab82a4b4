package results

// Selecting the best of k variants compared on common random numbers:
// multiple comparisons with the best (the set of variants that may be the
// best, and each variant's distance from the best, at a joint confidence),
// the Kim–Nelson fully sequential procedure that decides when enough
// replications have been run, and two one-sided tests for equivalence.
//
// All take costs: smaller is better, one value per variant and replication,
// replication r of every variant run on the same random numbers (paired).
// None assumes equal variances or independence between variants: every
// comparison uses the variance of the paired differences, which is what
// common random numbers shrink.

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// BestSet is the outcome of multiple comparisons with the best (MCB).
type BestSet struct {
	// Alpha is 1 − the joint confidence.
	Alpha float64
	// N is the number of replications (pairs) used.
	N int
	// In reports, per variant, whether it may be the best: no other
	// variant is significantly better (lower cost) than it.
	In []bool
	// Low and High bound, per variant, the distance of its mean cost from
	// the best of the others (μ_i − min_{l≠i} μ_l): Low < 0 means it may be
	// the best; High = 0 means it is at least as good as every other; a
	// variant outside the best set has Low = 0 and High > 0 (how far behind
	// the best it may be, at most).
	Low, High []float64
	// Crit is the critical value of the one-sided paired t tests.
	Crit float64
}

// MultipleComparisonsWithBest returns the best set and the MCB intervals of
// costs[v][r] (smaller is better; costs of all variants paired by r) at
// joint confidence 1 − alpha.
//
// The procedure is Hsu's MCB (Hsu 1984; Hsu 1996, Multiple Comparisons,
// §4.1) with the half-width of each pair from the variance of its paired
// differences and a Bonferroni critical value t_{1−alpha/(k−1), n−1}, the
// form that stays valid under common random numbers without assuming
// sphericity (Nelson & Matejcik 1995; the same screening rule as Nelson,
// Swann, Goldsman & Song 2001): for each pair, w_il = t·S_il/√n, and
//
//	Low_i  = min(0, max_{l≠i}(X̄_i − X̄_l − w_il))
//	High_i = max(0, max_{l≠i}(X̄_i − X̄_l + w_il))
//
// so i may be the best exactly when X̄_i − X̄_l ≤ w_il for every l.
// It needs n ≥ 2 replications and finite costs; cost O(k² n).
func MultipleComparisonsWithBest(costs [][]float64, alpha float64) (*BestSet, error) {
	k := len(costs)
	if k == 0 {
		return nil, errors.New("no variants")
	}
	n := len(costs[0])
	for v := range costs {
		if len(costs[v]) != n {
			return nil, fmt.Errorf("variant %d has %d replications, variant 0 has %d: comparisons need pairs", v, len(costs[v]), n)
		}
		for _, x := range costs[v] {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("variant %d has a cost that is not finite", v)
			}
		}
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("alpha must be in (0, 1) (got %g)", alpha)
	}
	b := &BestSet{Alpha: alpha, N: n, In: make([]bool, k), Low: make([]float64, k), High: make([]float64, k)}
	if k == 1 {
		b.In[0] = true
		return b, nil
	}
	if n < 2 {
		return nil, errors.New("one replication: no interval can be computed")
	}
	b.Crit = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - alpha/float64(k-1))
	means := make([]float64, k)
	for v := range costs {
		means[v] = meanCost(costs[v])
	}
	for i := range k {
		lo, hi := math.Inf(-1), math.Inf(-1)
		for l := range k {
			if l == i {
				continue
			}
			w := b.Crit * math.Sqrt(pairedVariance(costs[i], costs[l])/float64(n))
			d := means[i] - means[l]
			lo = max(lo, d-w)
			hi = max(hi, d+w)
		}
		b.Low[i], b.High[i] = min(0, lo), max(0, hi)
		// lo = 0 exactly: identical costs (every difference 0, no spread);
		// such variants cannot be told apart, so all may be the best.
		b.In[i] = lo <= 0
	}
	return b, nil
}

// pairedVariance is the sample variance (n − 1) of x[r] − y[r].
func pairedVariance(x, y []float64) float64 {
	n := len(x)
	var m float64
	for r := range n {
		m += x[r] - y[r]
	}
	m /= float64(n)
	var s float64
	for r := range n {
		d := x[r] - y[r] - m
		s += d * d
	}
	return s / float64(n-1)
}

func meanCost(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// KN is the fully sequential procedure of Kim & Nelson (2001, "A fully
// sequential procedure for indifference-zone selection in simulation",
// ACM TOMACS 11(3), procedure KN with c = 1): after n0 first-stage
// replications it adds one replication of every variant at a time and
// eliminates a variant as soon as another is better by more than a
// continuation region that shrinks with r; it stops when one variant is
// left. With probability at least 1 − Alpha the survivor is the best
// whenever the best is better than every other by at least Delta (the
// indifference zone, in cost units); otherwise the survivor is within Delta
// of the best with that probability. It stays valid under common random
// numbers (it uses the variances of paired differences).
//
// Feed replications in order with Add; the decision depends only on the
// values, so the same values give the same decision.
type KN struct {
	K, N0        int
	Alpha, Delta float64

	h2    float64     // h² = 2η(n0 − 1)
	s2    [][]float64 // first-stage variances of differences
	first [][]float64 // first-stage costs, kept until n0
	sums  []float64
	alive []bool
	r     int
}

// NewKN returns the procedure for k variants with n0 ≥ 2 first-stage
// replications, 1 − alpha probability of correct selection and
// indifference zone delta > 0.
func NewKN(k, n0 int, alpha, delta float64) (*KN, error) {
	if k < 1 || n0 < 2 || !(alpha > 0 && alpha < 1) || !(delta > 0) {
		return nil, fmt.Errorf("KN needs k ≥ 1, n0 ≥ 2, alpha in (0, 1), delta > 0 (got %d, %d, %g, %g)", k, n0, alpha, delta)
	}
	kn := &KN{K: k, N0: n0, Alpha: alpha, Delta: delta, sums: make([]float64, k), alive: make([]bool, k), first: make([][]float64, k)}
	for i := range kn.alive {
		kn.alive[i] = true
	}
	if k > 1 {
		// η from Kim & Nelson (2001) §2, with c = 1.
		eta := 0.5 * (math.Pow(2*alpha/float64(k-1), -2/float64(n0-1)) - 1)
		kn.h2 = 2 * eta * float64(n0-1)
	}
	return kn, nil
}

// Add takes one replication: costs[v] for every variant (also eliminated
// ones; their costs are ignored). It reports whether the procedure has
// decided.
func (kn *KN) Add(costs []float64) bool {
	kn.r++
	for v, x := range costs {
		kn.sums[v] += x
		if kn.r <= kn.N0 {
			kn.first[v] = append(kn.first[v], x)
		}
	}
	if kn.r < kn.N0 || kn.K == 1 {
		return kn.Done()
	}
	if kn.r == kn.N0 {
		kn.s2 = make([][]float64, kn.K)
		for i := range kn.K {
			kn.s2[i] = make([]float64, kn.K)
			for l := range kn.K {
				if l != i {
					kn.s2[i][l] = pairedVariance(kn.first[i], kn.first[l])
				}
			}
		}
		kn.first = nil
	}
	r := float64(kn.r)
	out := make([]bool, kn.K)
	for i := range kn.K {
		if !kn.alive[i] {
			continue
		}
		for l := range kn.K {
			if l == i || !kn.alive[l] {
				continue
			}
			w := max(0, kn.Delta/(2*r)*(kn.h2*kn.s2[i][l]/(kn.Delta*kn.Delta)-r))
			if kn.sums[i]/r > kn.sums[l]/r+w {
				out[i] = true
				break
			}
		}
	}
	for i, o := range out {
		if o {
			kn.alive[i] = false
		}
	}
	return kn.Done()
}

// Done reports whether one variant is left.
func (kn *KN) Done() bool { return len(kn.Alive()) == 1 }

// Replications returns the replications taken so far.
func (kn *KN) Replications() int { return kn.r }

// Alive returns the variants not eliminated, in order.
func (kn *KN) Alive() []int {
	var out []int
	for i, a := range kn.alive {
		if a {
			out = append(out, i)
		}
	}
	return out
}

// Bound returns an upper bound on the replications the procedure can take
// from now, given the first-stage variances: past it every continuation
// region between variants still alive is empty (W = 0). Zero before n0
// replications.
func (kn *KN) Bound() int { return kn.bound(false) }

// FirstStageBound is Bound over every pair of variants, eliminated or
// not: the replications a procedure that fixes its sample size after the
// first stage would need for the same guarantee.
func (kn *KN) FirstStageBound() int { return kn.bound(true) }

func (kn *KN) bound(all bool) int {
	if kn.s2 == nil {
		return 0
	}
	n := kn.N0
	for i := range kn.K {
		for l := range kn.K {
			if i != l && (all || kn.alive[i] && kn.alive[l]) {
				n = max(n, int(math.Ceil(kn.h2*kn.s2[i][l]/(kn.Delta*kn.Delta))))
			}
		}
	}
	return n
}

// Equivalence is the outcome of two one-sided tests (TOST; Schuirmann
// 1987) that a difference lies within ±Margin.
type Equivalence struct {
	// P is the larger of the two one-sided p-values: the difference is
	// shown to lie within the margin at level alpha when P < alpha.
	P float64
	// Detectable is the smallest true difference a two-sided test at the
	// same level would detect with 80% power at this standard error and
	// degrees of freedom: (t_{1−α/2} + t_{0.8}) · SE.
	Detectable float64
}

// EquivalenceTest returns the TOST of a difference estimated as diff with
// standard error se on df degrees of freedom, against ±margin, and the
// smallest detectable difference at level alpha. A margin of 0, an
// undefined standard error or df < 1 give P = 1 (never equivalent).
func EquivalenceTest(diff, se, df, margin, alpha float64) Equivalence {
	e := Equivalence{P: 1, Detectable: math.NaN()}
	if !(df >= 1) || math.IsNaN(se) || math.IsNaN(diff) {
		return e
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	e.Detectable = (t.Quantile(1-alpha/2) + t.Quantile(0.8)) * se
	if !(margin > 0) {
		return e
	}
	if se == 0 {
		if math.Abs(diff) < margin {
			e.P = 0
		}
		return e
	}
	pLow := 1 - t.CDF((diff+margin)/se)  // H0: diff ≤ −margin
	pHigh := t.CDF((diff - margin) / se) // H0: diff ≥ +margin
	e.P = max(pLow, pHigh)
	return e
}
