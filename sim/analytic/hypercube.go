package analytic

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Hypercube is the input of Larson's hypercube queueing model (Larson 1974,
// "A hypercube queuing model for facility location and redistricting in
// urban emergency services", Computers & Operations Research 1(1); Larson &
// Odoni, Urban Operations Research, 1981, §5.4): N distinguishable units with
// the same exponential service rate, J atoms each an independent Poisson
// source of calls, and for every atom a fixed preference list of units. A
// call is dispatched to the most preferred free unit of its atom; when all
// units are busy it waits in one first-come-first-served queue (infinite line
// capacity) or is lost (Loss: zero line capacity).
type Hypercube struct {
	Units  int       // N >= 1
	Lambda []float64 // Lambda[j]: arrival rate of atom j, calls per unit time (>= 0)
	Mu     float64   // service rate of every unit, per unit time (> 0): 1 / mean service time
	// Pref[j] lists the units in atom j's dispatch preference order, most
	// preferred first: a permutation of 0…N−1 (every unit may serve every
	// atom, as in Larson's model).
	Pref [][]int
	// Loss selects zero line capacity: a call that finds every unit busy is
	// lost (or passed to another agency). Otherwise it waits, and the
	// offered load Σλ/μ must be below N.
	Loss bool
}

// Solution holds the hypercube's performance measures (Larson & Odoni 1981,
// §5.4.4).
type Solution struct {
	// Workload[n] is ρ_n, the share of time unit n is busy.
	Workload []float64
	// AllBusy is the probability that every unit is busy: under Loss the
	// share of calls lost; otherwise the probability that a call waits.
	AllBusy float64
	// Frac[j][n] is the share of atom j's calls answered by unit n. Under
	// Loss a row sums to 1 − AllBusy; otherwise to 1, a queued call going
	// to each unit with probability 1/N (the next unit to free up, any of
	// N identical exponential servers).
	Frac [][]float64
	// Iterations is the number of sweeps of the iterative solver and
	// Residual the L1 norm of the balance equations' residual at the end
	// (exact) or of the last change in the workloads (approximate).
	Iterations int
	Residual   float64

	lambda []float64
}

// ExactTol is the exact solver's stopping rule: it stops when a sweep
// changes the state distribution by less than ExactTol in L1 norm. Every
// probability it reports is then good to about that much (the chain is
// small and well mixed: the tests compare with closed forms to 1e-8).
const ExactTol = 1e-11

// MaxSweeps bounds the exact solver's sweeps.
const MaxSweeps = 100000

// MaxExactUnits bounds N for the exact solution: its memory is 2^N · (N + 1)
// float64 (about 38 MB at N = 18).
const MaxExactUnits = 18

// Validate reports every problem with h, or nil.
func (h *Hypercube) Validate() error {
	var errs []error
	if h.Units < 1 {
		errs = append(errs, fmt.Errorf("units: must be >= 1 (got %d)", h.Units))
	}
	if !(h.Mu > 0) || math.IsInf(h.Mu, 0) {
		errs = append(errs, fmt.Errorf("mu: must be > 0 and finite (got %v)", h.Mu))
	}
	if len(h.Pref) != len(h.Lambda) {
		errs = append(errs, fmt.Errorf("pref: %d lists for %d atoms", len(h.Pref), len(h.Lambda)))
	}
	var total float64
	for j, l := range h.Lambda {
		if !(l >= 0) || math.IsInf(l, 0) {
			errs = append(errs, fmt.Errorf("lambda[%d]: must be >= 0 and finite (got %v)", j, l))
		}
		total += l
		if j < len(h.Pref) && h.Units >= 1 {
			if !isPermutation(h.Pref[j], h.Units) {
				errs = append(errs, fmt.Errorf("pref[%d]: must list each of the %d units once (got %v)", j, h.Units, h.Pref[j]))
			}
		}
	}
	if !h.Loss && h.Mu > 0 && h.Units >= 1 && total/h.Mu >= float64(h.Units) {
		errs = append(errs, fmt.Errorf("offered load %.4g must be below the %d units with an unlimited queue", total/h.Mu, h.Units))
	}
	return errors.Join(errs...)
}

func isPermutation(p []int, n int) bool {
	if len(p) != n {
		return false
	}
	seen := make([]bool, n)
	for _, u := range p {
		if u < 0 || u >= n || seen[u] {
			return false
		}
		seen[u] = true
	}
	return true
}

func (h *Hypercube) totalLambda() float64 {
	var s float64
	for _, l := range h.Lambda {
		s += l
	}
	return s
}

// Exact solves the 2^N balance equations of the hypercube (Larson & Odoni
// 1981, §5.4.3) by Gauss–Seidel sweeps over the states in increasing order
// of their bit mask, normalising after each sweep, from the M/M/N
// distribution spread evenly over the states with the same number of busy
// units. The state "all busy" stands for all busy with any queue behind:
// its probability is the sum of the geometric tail P{all busy, q waiting} =
// P{all busy, 0 waiting}·(λ/Nμ)^q, so only P{all busy, none waiting} =
// (1 − λ/Nμ)·P{all busy} flows down to the states with one unit free
// (Larson 1974, §3). Under Loss there is no queue.
//
// Each sweep costs O(2^N · N); setting up the dispatch rates costs
// O(2^N · J · N) for J atoms at worst. It returns an error if h is invalid,
// N > MaxExactUnits, or the solver has not converged within MaxSweeps.
func (h *Hypercube) Exact() (*Solution, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	n := h.Units
	if n > MaxExactUnits {
		return nil, fmt.Errorf("exact hypercube: %d units, at most %d (use the approximation)", n, MaxExactUnits)
	}
	ns := 1 << n
	full := ns - 1
	lambda := h.totalLambda()
	mu := h.Mu
	// up[s*n+u]: rate at which calls are sent to free unit u in state s.
	up := make([]float64, ns*n)
	for s := range full {
		for j, l := range h.Lambda {
			if l == 0 {
				continue
			}
			up[s*n+firstFree(h.Pref[j], s)] += l
		}
	}
	// downFull: the rate at which the aggregated all-busy state loses mass
	// to each state with one unit free, per unit of its probability.
	downFull := mu
	if !h.Loss {
		downFull = mu * (1 - lambda/(float64(n)*mu))
	}
	out := make([]float64, ns)
	for s := range ns {
		k := bits.OnesCount(uint(s))
		switch {
		case s == full:
			out[s] = float64(n) * downFull
		default:
			out[s] = lambda + float64(k)*mu
		}
	}
	// Initial guess: M/M/N by number busy, spread evenly.
	pk := mmnBusy(n, lambda/mu, h.Loss)
	p := make([]float64, ns)
	for s := range ns {
		k := bits.OnesCount(uint(s))
		p[s] = pk[k] / binomial(n, k)
	}
	inflow := func(s int) float64 {
		var in float64
		for m := uint(s); m != 0; m &= m - 1 {
			u := bits.TrailingZeros(m)
			from := s &^ (1 << u)
			in += p[from] * up[from*n+u]
		}
		for m := uint(full &^ s); m != 0; m &= m - 1 {
			u := bits.TrailingZeros(m)
			from := s | 1<<u
			if from == full {
				in += p[from] * downFull
			} else {
				in += p[from] * mu
			}
		}
		return in
	}
	sol := &Solution{lambda: append([]float64(nil), h.Lambda...)}
	converged := false
	prev := make([]float64, ns)
	for sweep := 1; sweep <= MaxSweeps; sweep++ {
		copy(prev, p)
		var sum float64
		for s := range ns {
			if out[s] > 0 {
				p[s] = inflow(s) / out[s]
			}
			sum += p[s]
		}
		var change float64
		for s := range ns {
			p[s] /= sum
			change += math.Abs(p[s] - prev[s])
		}
		sol.Iterations = sweep
		if change < ExactTol && sweep > 1 {
			converged = true
			break
		}
	}
	var res float64
	for s := range ns {
		res += math.Abs(inflow(s) - out[s]*p[s])
	}
	sol.Residual = res
	if !converged && res > 1e-8 {
		return nil, fmt.Errorf("exact hypercube: no convergence after %d sweeps (residual %.3g)", MaxSweeps, res)
	}

	sol.Workload = make([]float64, n)
	for s := range ns {
		for m := uint(s); m != 0; m &= m - 1 {
			sol.Workload[bits.TrailingZeros(m)] += p[s]
		}
	}
	sol.AllBusy = p[full]
	queued := 0.0
	if !h.Loss {
		queued = p[full] / float64(n)
	}
	sol.Frac = make([][]float64, len(h.Lambda))
	for j := range h.Lambda {
		f := make([]float64, n)
		for u := range f {
			f[u] = queued
		}
		for s := range full {
			f[firstFree(h.Pref[j], s)] += p[s]
		}
		sol.Frac[j] = f
	}
	return sol, nil
}

// firstFree returns the first unit of pref not busy in state s (s must have
// a free unit).
func firstFree(pref []int, s int) int {
	for _, u := range pref {
		if s&(1<<u) == 0 {
			return u
		}
	}
	panic("analytic: firstFree on the all-busy state")
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// CorrectionFactors returns Larson's correction factors Q(N, ρ, j) for
// j = 0…N−1 (Larson 1975, "Approximating the performance of urban
// emergency service systems", Operations Research 23(5); Larson & Odoni
// 1981, §5.5.1, eq. 5.48): the exact probability, in an M/M/N system, that
// the first j units sampled at random without replacement are busy and the
// (j+1)st is free, divided by the independence guess ρ^j (1 − ρ). With p_k
// the probability that exactly k units are busy:
//
//	Q(N, ρ, j) = Σ_{k=j}^{N−1} p_k · [k!/(k−j)!] / [N!/(N−j)!] · (N−k)/(N−j)  /  (ρ^j (1 − ρ))
//
// which for infinite line capacity is Larson's closed form (5.48), and for
// zero line capacity (loss) the factor Q' of Larson & Odoni's problem 5.10,
// with p_k the truncated Poisson (Erlang loss) distribution and ρ = a(1 −
// B(N, a))/N. a is the offered load λ/μ; the infinite case needs a < N.
func CorrectionFactors(n int, a float64, loss bool) []float64 {
	p := mmnBusy(n, a, loss)
	rho := a / float64(n)
	if loss {
		rho *= 1 - p[n]
	}
	q := make([]float64, n)
	for j := range n {
		var s float64
		for k := j; k < n; k++ {
			r := float64(n-k) / float64(n-j)
			for i := range j {
				r *= float64(k-i) / float64(n-i)
			}
			s += p[k] * r
		}
		q[j] = s / (math.Pow(rho, float64(j)) * (1 - rho))
	}
	return q
}

// ApproxTol is the approximate solver's stopping rule: the largest change
// of a workload in one iteration.
const ApproxTol = 1e-10

// Approx solves Larson's approximate hypercube (Larson 1975; Larson & Odoni
// 1981, §5.5.2): N equations in the workloads ρ_n in place of 2^N. The
// probability that atom j's k-th preferred unit n answers (the k−1 before
// it busy, n free) is taken as Q(N, ρ, k−1)·ρ_{m_j1}⋯ρ_{m_j,k−1}·(1 − ρ_n),
// with ρ the mean workload and Q the correction factors; then, with V_n =
// Σ_j λ_j Q(N, ρ, k−1) Π ρ / μ over the atoms where n is k-th,
//
//	ρ_n = (1 − ρ_n)·V_n + (λ/μ)·P_N/N
//
// (the last term: calls that find all busy wait and go to each unit with
// probability 1/N; zero under Loss), so ρ_n = (V_n + a·P_N/N)/(1 + V_n).
// The iteration starts from ρ_n = ρ and normalises the workloads to sum
// to Nρ (the M/M/N carried load) after each step, as in Larson's
// algorithm (Larson & Odoni 1981, fig. 5.19). It stops when no workload
// moves by more than ApproxTol, after at most MaxSweeps iterations. Each
// iteration costs O(J · N).
func (h *Hypercube) Approx() (*Solution, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	n := h.Units
	lambda := h.totalLambda()
	a := lambda / h.Mu
	pk := mmnBusy(n, a, h.Loss)
	rho := a / float64(n)
	queued := pk[n] / float64(n)
	if h.Loss {
		rho *= 1 - pk[n]
		queued = 0
	}
	q := CorrectionFactors(n, a, h.Loss)
	w := make([]float64, n)
	for u := range w {
		w[u] = rho
	}
	v := make([]float64, n)
	sol := &Solution{AllBusy: pk[n], lambda: append([]float64(nil), h.Lambda...)}
	converged := false
	for it := 1; it <= MaxSweeps; it++ {
		clear(v)
		for j, l := range h.Lambda {
			prod := l / h.Mu
			for k, u := range h.Pref[j] {
				v[u] += q[k] * prod
				prod *= w[u]
			}
		}
		var sum float64
		nw := make([]float64, n)
		for u := range n {
			nw[u] = (v[u] + a*queued) / (1 + v[u])
			sum += nw[u]
		}
		var change float64
		for u := range n {
			if sum > 0 {
				nw[u] *= float64(n) * rho / sum
			}
			change = max(change, math.Abs(nw[u]-w[u]))
		}
		w = nw
		sol.Iterations, sol.Residual = it, change
		if change < ApproxTol {
			converged = true
			break
		}
	}
	if !converged {
		return nil, fmt.Errorf("approximate hypercube: no convergence after %d iterations (last change %.3g)", MaxSweeps, sol.Residual)
	}
	sol.Workload = w
	sol.Frac = make([][]float64, len(h.Lambda))
	for j := range h.Lambda {
		f := make([]float64, n)
		prod := 1.0
		for k, u := range h.Pref[j] {
			f[u] = q[k]*prod*(1-w[u]) + queued
			prod *= w[u]
		}
		sol.Frac[j] = f
	}
	return sol, nil
}

// Carried returns the carried load Σ_n ρ_n: the mean number of busy units.
func (s *Solution) Carried() float64 {
	var c float64
	for _, w := range s.Workload {
		c += w
	}
	return c
}

// MeanTravel returns the mean travel time of the answered calls of each atom
// and over all atoms (weighted by the atoms' answered calls), where
// t[j][n] is unit n's travel time from its home to atom j (Larson & Odoni
// 1981, §5.4.4, eq. 5.36). As in the hypercube, a unit always leaves from
// home, queued calls included. An atom without answered calls gets NaN.
func (s *Solution) MeanTravel(t [][]float64) (byAtom []float64, overall float64) {
	byAtom = make([]float64, len(s.Frac))
	var num, den float64
	for j, f := range s.Frac {
		var nj, dj float64
		for u, x := range f {
			nj += x * t[j][u]
			dj += x
		}
		byAtom[j] = math.NaN()
		if dj > 0 {
			byAtom[j] = nj / dj
		}
		num += s.lambda[j] * nj
		den += s.lambda[j] * dj
	}
	overall = math.NaN()
	if den > 0 {
		overall = num / den
	}
	return byAtom, overall
}

// CrossShare returns the share of answered calls answered by a unit of
// another district than the call's atom (Larson & Odoni 1981, §5.6:
// interresponse-area dispatches), given each unit's and each atom's
// district.
func (s *Solution) CrossShare(unitDistrict, atomDistrict []int) float64 {
	var num, den float64
	for j, f := range s.Frac {
		for u, x := range f {
			den += s.lambda[j] * x
			if unitDistrict[u] != atomDistrict[j] {
				num += s.lambda[j] * x
			}
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}
