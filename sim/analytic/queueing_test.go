package analytic

import (
	"math"
	"testing"
)

func close(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s: got %.6g, want %.6g (±%g)", name, got, want, tol)
	}
}

func TestErlangB(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    int
		a    float64
		want float64
		tol  float64
	}{
		// B(0, a) = 1: no server, every call lost.
		{"c=0", 0, 2, 1, 0},
		// B(1, a) = a/(1 + a): by hand.
		{"c=1 a=1", 1, 1, 0.5, 1e-15},
		// B(2, 1) = (1/2)/(1 + 1 + 1/2) = 0.2: by hand.
		{"c=2 a=1", 2, 1, 0.2, 1e-15},
		// B(2, 1.25) = 0.78125/3.03125 = 0.257732: Larson & Odoni 1981,
		// §5.3.3 (the rectangular city, λ = 5/4 per service time).
		{"c=2 a=1.25", 2, 1.25, 0.78125 / 3.03125, 1e-15},
		// B(10, 5) = 0.018385: standard Erlang B tables (e.g. Kleinrock,
		// Queueing Systems I, 1975, fig. 3.6 reads 0.018), here
		// (5^10/10!)/Σ_{k<=10} 5^k/k! = 2691.1/146370.5 by hand.
		{"c=10 a=5", 10, 5, 0.0183846, 5e-7},
	} {
		t.Run(tc.name, func(t *testing.T) { close(t, "B", ErlangB(tc.c, tc.a), tc.want, tc.tol) })
	}
}

func TestErlangC(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        int
		lambda   float64
		mu       float64
		wantC    float64
		wantWait float64
	}{
		// M/M/1: P(wait) = ρ, Wq = ρ/(μ − λ) (Larson & Odoni 1981, §4.5).
		{"M/M/1 rho=0.5", 1, 0.5, 1, 0.5, 1},
		// M/M/2, a = 1: P0 = 1/(1 + 1 + 1/2 · 2) = 1/3, C = 1/3,
		// Wq = (1/3)/(2 − 1) = 1/3: by hand.
		{"M/M/2 a=1", 2, 1, 1, 1.0 / 3, 1.0 / 3},
		// M/M/3, a = 1.5: p0 : p1 : p2 : p3+ = 1 : 1.5 : 1.125 : 1.125,
		// C = 1.125/4.75 (Larson & Odoni 1981, §5.5.3, the three-server
		// example at ρ = 1/2); Wq = C/(3 − 1.5).
		{"M/M/3 a=1.5", 3, 1.5, 1, 1.125 / 4.75, 1.125 / 4.75 / 1.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			close(t, "C", ErlangC(tc.c, tc.lambda/tc.mu), tc.wantC, 1e-12)
			close(t, "Wq", MMcWait(tc.c, tc.lambda, tc.mu), tc.wantWait, 1e-12)
		})
	}
	if got := ErlangC(2, 2); got != 1 {
		t.Errorf("ErlangC(2, 2) = %v, want 1 (unstable)", got)
	}
	if got := MMcWait(2, 3, 1); !math.IsInf(got, 1) {
		t.Errorf("MMcWait(2, 3, 1) = %v, want +Inf", got)
	}
}

func TestPriorityWaits(t *testing.T) {
	// One class: Cobham reduces to the M/M/c mean wait.
	close(t, "one class", PriorityWaits(3, []float64{1.5}, 1)[0], MMcWait(3, 1.5, 1), 1e-15)

	// M/M/1, two classes λ = (0.25, 0.25), μ = 1: W0 = ρ/μ = 0.5,
	// W1 = 0.5/(1·0.75) = 2/3, W2 = 0.5/(0.75·0.5) = 4/3 (by hand from
	// Cobham's formula). The conservation law (Kleinrock 1965) holds:
	// the mean of the class waits weighted by rate is the FCFS wait
	// ρ/(μ − λ) = 1.
	w := PriorityWaits(1, []float64{0.25, 0.25}, 1)
	close(t, "W1", w[0], 2.0/3, 1e-15)
	close(t, "W2", w[1], 4.0/3, 1e-15)
	close(t, "conservation", (w[0]+w[1])/2, 1, 1e-15)

	// M/M/2, λ = (0.5, 0.5, 0.5), μ = 1, a = 1.5: C(2, 1.5) = 9/14 by
	// hand (p0 : p1 : p2+ = 1 : 1.5 : 4.5), W0 = (9/14)/2 = 9/28, σ =
	// 1/4, 1/2, 3/4: W = 9/28/(3/4), 9/28/(3/4 · 1/2), 9/28/(1/2 · 1/4).
	w = PriorityWaits(2, []float64{0.5, 0.5, 0.5}, 1)
	close(t, "C(2,1.5)", ErlangC(2, 1.5), 9.0/14, 1e-15)
	for k, want := range []float64{9.0 / 28 / 0.75, 9.0 / 28 / 0.375, 9.0 / 28 / 0.125} {
		close(t, "M/M/2 class", w[k], want, 1e-14)
	}
	// Conservation: the rate-weighted mean is the FCFS wait.
	close(t, "M/M/2 conservation", (w[0]+w[1]+w[2])/3, MMcWait(2, 1.5, 1), 1e-14)

	// Overload of the last class only.
	w = PriorityWaits(1, []float64{0.5, 0.6}, 1)
	if math.IsInf(w[0], 0) || !math.IsInf(w[1], 1) {
		t.Errorf("overloaded: got %v, want finite then +Inf", w)
	}
}

func TestMMNBusy(t *testing.T) {
	// Three-server example of Larson & Odoni §5.5.3: 1 : 1.5 : 1.125 : 1.125.
	p := mmnBusy(3, 1.5, false)
	for k, want := range []float64{1, 1.5, 1.125, 1.125} {
		close(t, "p", p[k], want/4.75, 1e-15)
	}
	p = mmnBusy(2, 1.25, true)
	close(t, "loss pN", p[2], ErlangB(2, 1.25), 1e-15)
}
