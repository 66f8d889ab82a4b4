package analytic

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomHypercube is n units and j atoms at random points of the unit
// square, preferences by Manhattan distance, total offered load a.
func randomHypercube(seed uint64, n, j int, a float64, loss bool) (*Hypercube, [][]float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	type pt struct{ x, y float64 }
	units := make([]pt, n)
	for u := range units {
		units[u] = pt{r.Float64(), r.Float64()}
	}
	h := &Hypercube{Units: n, Mu: 1, Loss: loss}
	var t [][]float64
	var sum float64
	for range j {
		p := pt{r.Float64(), r.Float64()}
		l := r.Float64() + 0.1
		sum += l
		h.Lambda = append(h.Lambda, l)
		d := make([]float64, n)
		for u := range d {
			d[u] = math.Abs(units[u].x-p.x) + math.Abs(units[u].y-p.y)
		}
		pref := make([]int, n)
		for u := range pref {
			pref[u] = u
		}
		slices.SortStableFunc(pref, func(x, y int) int {
			if d[x] < d[y] {
				return -1
			} else if d[x] > d[y] {
				return 1
			}
			return 0
		})
		h.Pref = append(h.Pref, pref)
		t = append(t, d)
	}
	for i := range h.Lambda {
		h.Lambda[i] *= a / sum
	}
	return h, t
}

// TestHypercubeClosedForms checks the exact solution against the laws that
// hold whatever the geography: the number of busy units is the M/M/N (or
// M/M/N/N) birth-death process, so P(all busy) is Erlang C (queue) or
// Erlang B (loss), and the carried load Σρ_n is λ/μ (queue) or
// (λ/μ)(1 − B) (loss, Little's law on the served calls).
func TestHypercubeClosedForms(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n, j  int
		a     float64
		loss  bool
		exact bool
	}{
		{"N=1 queue", 1, 3, 0.6, false, true},
		{"N=3 queue", 3, 10, 1.5, false, true},
		{"N=6 queue", 6, 20, 4.5, false, true},
		{"N=4 loss", 4, 12, 3, true, true},
		{"N=8 loss", 8, 30, 6, true, true},
		{"N=12 queue", 12, 40, 9, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := randomHypercube(7, tc.n, tc.j, tc.a, tc.loss)
			s, err := h.Exact()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d sweeps, residual %.2g", s.Iterations, s.Residual)
			wantAll, wantCarried := ErlangC(tc.n, tc.a), tc.a
			if tc.loss {
				wantAll = ErlangB(tc.n, tc.a)
				wantCarried = tc.a * (1 - wantAll)
			}
			close(t, "P(all busy)", s.AllBusy, wantAll, 1e-8)
			close(t, "carried load", s.Carried(), wantCarried, 1e-8)
			for j, f := range s.Frac {
				var sum float64
				for _, x := range f {
					sum += x
				}
				want := 1.0
				if tc.loss {
					want = 1 - wantAll
				}
				if math.Abs(sum-want) > 1e-8 {
					t.Errorf("atom %d: answered share %.10f, want %.10f", j, sum, want)
				}
			}
			// Workloads also equal the answered calls: ρ_n = Σ_j λ_j f_nj / μ.
			for u := range tc.n {
				var r float64
				for j, f := range s.Frac {
					r += h.Lambda[j] * f[u]
				}
				close(t, "workload = dispatch rate", s.Workload[u], r/h.Mu, 1e-8)
			}
		})
	}
}

// TestHypercubeOneAtom: N identical units and one atom is the M/M/N queue:
// P(all busy) is Erlang C; with preference 0, 1, …, N−1 unit 0 is busy most.
func TestHypercubeOneAtom(t *testing.T) {
	h := &Hypercube{Units: 4, Lambda: []float64{2.8}, Mu: 1, Pref: [][]int{{0, 1, 2, 3}}}
	s, err := h.Exact()
	if err != nil {
		t.Fatal(err)
	}
	close(t, "P(all busy)", s.AllBusy, ErlangC(4, 2.8), 1e-9)
	if !slices.IsSortedFunc(s.Workload, func(a, b float64) int {
		if a > b {
			return -1
		}
		return 1
	}) {
		t.Errorf("workloads %v: want decreasing along the preference list", s.Workload)
	}
	// Unit 0 alone: it is free when in state "all free or only others
	// busy"; loss variant with 1 unit is the M/M/1/1: ρ = a/(1 + a).
	h1 := &Hypercube{Units: 1, Lambda: []float64{0.5}, Mu: 1, Pref: [][]int{{0}}, Loss: true}
	s1, err := h1.Exact()
	if err != nil {
		t.Fatal(err)
	}
	close(t, "M/M/1/1 workload", s1.Workload[0], 0.5/1.5, 1e-12)
}

// rectangularCity is the two-unit "nonhomogeneous rectangular city" of
// Larson & Odoni 1981, §5.3.3 (fig. 5.2): a 2 × 1 mile city, unit 1 (index 0)
// at x = 0.75, unit 2 at x = −0.25, half the calls uniform over the east
// strip 0.75 ≤ x ≤ 1 and half uniform over −1 ≤ x < 0.75, λ = 5/4 per mean
// service time, zero line capacity, and the district boundary a distance w
// west of unit 1. Three atoms: east (x ≥ 0.75), middle (0.75 − w ≤ x < 0.75,
// unit 1's) and west (unit 2's), with their mean east–west distances from
// each unit (the only part of travel that depends on w).
func rectangularCity(w float64) (*Hypercube, [][]float64) {
	h := &Hypercube{
		Units:  2,
		Mu:     1,
		Loss:   true,
		Lambda: []float64{0.625, 0.625 * w / 1.75, 0.625 * (1.75 - w) / 1.75},
		Pref:   [][]int{{0, 1}, {0, 1}, {1, 0}},
	}
	t := [][]float64{
		{0.125, 1.125},      // east strip: 0…0.25 from unit 1, 1…1.25 from unit 2
		{w / 2, 1 - w/2},    // middle: 0…w from unit 1, 1−w…1 from unit 2
		{(w + 1.75) / 2, 0}, // west: w…1.75 from unit 1; unit 2 below
	}
	t[2][1] = (0.75*0.375 + (1-w)*(1-w)/2) / (1.75 - w) // |x + 0.25| over −1 ≤ x < 0.75 − w
	return h, t
}

// TestRectangularCity reproduces the numbers of Larson & Odoni 1981, §5.3.3
// (the web edition, web.mit.edu/urban_or_book, "Nonhomogeneous rectangular
// city example"): with the equal-travel-time boundary w = 1/2, ρ1 =
// 0.49010, ρ2 = 0.43773, workload imbalance 0.05236 and mean (east–west)
// travel 0.46246 mile; with the optimal boundary w* = 53/126, mean travel
// 0.46166 and imbalance 0.04405. The book rounds to five decimals: we allow
// one unit in the last place.
func TestRectangularCity(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		w                    float64
		rho1, rho2, imb, bar float64
	}{
		{"w=1/2", 0.5, 0.49010, 0.43773, 0.05236, 0.46246},
		{"w=53/126", 53.0 / 126, math.NaN(), math.NaN(), 0.04405, 0.46166},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, tt := rectangularCity(tc.w)
			{
				s, err := h.Exact()
				if err != nil {
					t.Fatal(err)
				}
				if !math.IsNaN(tc.rho1) {
					close(t, "rho1", s.Workload[0], tc.rho1, 1e-5)
					close(t, "rho2", s.Workload[1], tc.rho2, 1e-5)
				}
				close(t, "imbalance", s.Workload[0]-s.Workload[1], tc.imb, 1e-5)
				_, bar := s.MeanTravel(tt)
				close(t, "mean travel", bar, tc.bar, 1e-5)
				close(t, "P(both busy)", s.AllBusy, ErlangB(2, 1.25), 1e-9)
			}
		})
	}
}

// TestCorrectionFactors: Larson & Odoni 1981, §5.5.3 give Q(3, 1/2, 0) = 1,
// Q(3, 1/2, 1) = 0.73684, Q(3, 1/2, 2) = 0.63158.
func TestCorrectionFactors(t *testing.T) {
	q := CorrectionFactors(3, 1.5, false)
	for j, want := range []float64{1, 0.73684, 0.63158} {
		close(t, "Q", q[j], want, 5e-6)
	}
	// Q(N, ρ, 0) = 1 in the loss system too: P{first sampled free} = 1 − ρ.
	close(t, "Q' 0", CorrectionFactors(5, 3, true)[0], 1, 1e-12)
}

// TestApproxAgainstExact: Larson (1975; Larson & Odoni 1981, §5.5) reports
// the approximation "within 1 or 2 percent of the exact results", the
// three-server example's average error 0.7% and worst 1.1%. On five random
// 10-unit, 60-atom cities at ρ = 0.6 we find the same average (0.7–1.0%)
// and a worst single workload of up to 3.5% (a unit with a small, isolated
// area): the test asks for a mean relative error below 2% and a worst below
// 5%, both line capacities, and the mean travel within 3%.
func TestApproxAgainstExact(t *testing.T) {
	for _, loss := range []bool{false, true} {
		for seed := uint64(1); seed <= 5; seed++ {
			h, tt := randomHypercube(seed, 10, 60, 6, loss)
			ex, err := h.Exact()
			if err != nil {
				t.Fatal(err)
			}
			ap, err := h.Approx()
			if err != nil {
				t.Fatal(err)
			}
			var worst, mean float64
			for u := range h.Units {
				e := math.Abs(ap.Workload[u]-ex.Workload[u]) / ex.Workload[u]
				worst = max(worst, e)
				mean += e / float64(h.Units)
			}
			_, te := ex.MeanTravel(tt)
			_, ta := ap.MeanTravel(tt)
			close(t, "P(all busy)", ap.AllBusy, ex.AllBusy, 1e-8)
			if mean > 0.02 || worst > 0.05 || math.Abs(ta-te)/te > 0.03 {
				t.Errorf("loss=%v seed %d: workload error mean %.2f%%, worst %.2f%%; travel %.4f vs exact %.4f",
					loss, seed, 100*mean, 100*worst, ta, te)
			}
		}
	}
}

// TestApproxRectangularCity: the approximation on the book's two-unit city
// (exact numbers in TestRectangularCity) is within 1% of ρ1 and ρ2.
func TestApproxRectangularCity(t *testing.T) {
	h, _ := rectangularCity(0.5)
	s, err := h.Approx()
	if err != nil {
		t.Fatal(err)
	}
	close(t, "rho1", s.Workload[0], 0.49010, 0.01*0.49010)
	close(t, "rho2", s.Workload[1], 0.43773, 0.01*0.43773)
}

func TestValidate(t *testing.T) {
	for _, h := range []*Hypercube{
		{Units: 0, Mu: 1},
		{Units: 2, Mu: 0, Lambda: []float64{1}, Pref: [][]int{{0, 1}}},
		{Units: 2, Mu: 1, Lambda: []float64{1}, Pref: [][]int{{0, 0}}},
		{Units: 2, Mu: 1, Lambda: []float64{3}, Pref: [][]int{{0, 1}}},
		{Units: 2, Mu: 1, Lambda: []float64{1, 1}, Pref: [][]int{{0, 1}}},
	} {
		if _, err := h.Exact(); err == nil {
			t.Errorf("%+v: no error", h)
		}
	}
}

func BenchmarkExact15(b *testing.B) {
	h, _ := randomHypercube(3, 15, 100, 9, false)
	var s *Solution
	for b.Loop() {
		var err error
		if s, err = h.Exact(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Iterations), "sweeps")
}

func BenchmarkExact15Loss(b *testing.B) {
	h, _ := randomHypercube(3, 15, 100, 9, true)
	for b.Loop() {
		if _, err := h.Exact(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApprox15(b *testing.B) {
	h, _ := randomHypercube(3, 15, 100, 9, false)
	for b.Loop() {
		if _, err := h.Approx(); err != nil {
			b.Fatal(err)
		}
	}
}
