package calibrate

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/patrolsim/patrolsim/sim/geo"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// MaxOffspring bounds the fitted expected offspring (the process must stay
// subcritical).
const MaxOffspring = 0.99

// DefaultRadii is the profile grid of near-repeat radii (metres): 50 m steps
// up to 500 m, then coarser up to 2 km.
var DefaultRadii = []float64{50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 1000, 1250, 1500, 2000}

// DefaultWindowDays is the longest parent–child delay considered (days).
const DefaultWindowDays = 30.0

// RadiusFit is the best fit of the other parameters at one radius.
type RadiusFit struct {
	RadiusM    float64
	LogL       float64
	Offspring  float64
	DecayDays  float64
	Background float64 // background incidents per day
	Pairs      int     // parent–child candidate pairs within the radius and window
}

// NearRepeatFit is the fitted self-exciting (Hawkes) model and its
// comparison with the plain Poisson one. See docs/calibrate.md.
type NearRepeatFit struct {
	Events     int
	Background float64 // fitted background incidents per day (μ0)
	Offspring  float64 // m
	DecayDays  float64 // τ
	RadiusM    float64 // R, the best of the profile grid
	// Standard errors from the observed information (inverse Hessian of the
	// log-likelihood in μ0, m, τ at the best R; R held fixed). NaN if the
	// Hessian is not positive definite (e.g. m at its boundary 0).
	OffspringSE, DecayDaysSE float64
	LogL, LogL0              float64 // Hawkes, Poisson (m = 0)
	AIC, AIC0                float64 // 2k − 2 logL, k = 4 and 1
	WindowDays               float64 // longest delay considered
	Profile                  []RadiusFit
	Elapsed                  time.Duration
}

// hawkesEvent is one incident for the fit: time in days from the start,
// planar position, and its relative background density beta (the
// hour × day profile times the area's weight share ÷ its area, per m²).
type hawkesEvent struct {
	t, x, y, beta float64
}

// hawkesData holds the events sorted by time and, for each, its earlier
// neighbours within the largest radius and the window, sorted by distance,
// so that the neighbours within a smaller radius are a prefix.
type hawkesData struct {
	ev     []hawkesEvent
	off    []int     // neighbours of event i: off[i] … off[i+1]-1
	dist   []float32 // metres
	dt     []float64 // days, > 0
	src    []int32   // the neighbour's index in ev
	tEnd   float64   // observation length, days
	g      float64   // ∫ background profile over [0, tEnd], days
	window float64
	// inside reports whether a point is in the city (nil: no edge
	// correction). The simulator redraws offspring that fall outside the
	// city, so an offspring is uniform over the part of its parent's disc
	// inside the city: the kernel density near an edge is 1/|disc ∩ city|,
	// not 1/(πR²).
	inside func(x, y float64) bool
}

func newHawkesData(ev []hawkesEvent, tEnd, g, rmax, window float64) *hawkesData {
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].t < ev[j].t })
	h := &hawkesData{ev: ev, tEnd: tEnd, g: g, window: window, off: make([]int, len(ev)+1)}
	type nb struct {
		d  float32
		dt float64
		j  int32
	}
	var buf []nb
	r2 := rmax * rmax
	lo := 0
	for i := range ev {
		for lo < i && ev[i].t-ev[lo].t > window {
			lo++
		}
		buf = buf[:0]
		for j := lo; j < i; j++ {
			dt := ev[i].t - ev[j].t
			if dt <= 0 { // ties (rounded times): no order, no excitation
				continue
			}
			dx, dy := ev[i].x-ev[j].x, ev[i].y-ev[j].y
			if d2 := dx*dx + dy*dy; d2 <= r2 {
				buf = append(buf, nb{float32(math.Sqrt(d2)), dt, int32(j)})
			}
		}
		slices.SortFunc(buf, func(a, b nb) int {
			switch {
			case a.d < b.d:
				return -1
			case a.d > b.d:
				return 1
			}
			return 0
		})
		for _, b := range buf {
			h.dist = append(h.dist, b.d)
			h.dt = append(h.dt, b.dt)
			h.src = append(h.src, b.j)
		}
		h.off[i+1] = len(h.dist)
	}
	return h
}

// prefix returns, for each event, the end of its neighbours within r.
func (h *hawkesData) prefix(r float64) []int {
	end := make([]int, len(h.ev))
	rr := float32(r)
	for i := range h.ev {
		d := h.dist[h.off[i]:h.off[i+1]]
		k, _ := slices.BinarySearchFunc(d, rr, func(a, b float32) int {
			if a <= b {
				return -1
			}
			return 1
		})
		end[i] = h.off[i] + k
	}
	return end
}

// params maps the unconstrained variables to (B, m, τ): B = e^u0 (total
// background rate per day, weighted by the profile), m = 0.99·σ(u1),
// τ = e^u2 days. It also returns dB/du0, dm/du1, dτ/du2.
func params(u []float64) (b, m, tau, db, dm, dtau float64) {
	b = math.Exp(u[0])
	s := 1 / (1 + math.Exp(-u[1]))
	m = MaxOffspring * s
	tau = math.Exp(u[2])
	return b, m, tau, b, MaxOffspring * s * (1 - s), tau
}

// logLik returns the log-likelihood at u for radius r (neighbour ends end)
// and, if grad is not nil, its gradient in u.
//
//	logL = Σ_i log(B β_i + m/(τπR²) Σ_{j<i, |x_i−x_j|≤R, t_i−t_j≤W} e^{−(t_i−t_j)/τ})
//	       − B·G − m Σ_i (1 − e^{−min(T−t_i, W)/τ})
func (h *hawkesData) logLik(u []float64, r float64, end []int, grad []float64) float64 {
	return h.logLikFrac(u, r, end, nil, grad)
}

// logLikFrac is logLik with each parent's kernel divided by frac[j], the
// share of its disc inside the city (nil: 1 for all).
func (h *hawkesData) logLikFrac(u []float64, r float64, end []int, frac []float64, grad []float64) float64 {
	b, m, tau, db, dm, dtau := params(u)
	c := 1 / (math.Pi * r * r)
	var ll, gb, gm, gt float64
	for i := range h.ev {
		var s, s1 float64
		for k := h.off[i]; k < end[i]; k++ {
			e := math.Exp(-h.dt[k] / tau)
			if frac != nil {
				e /= frac[h.src[k]]
			}
			s += e
			s1 += h.dt[k] * e
		}
		bg := b * h.ev[i].beta
		lam := bg + m*c*s/tau
		if !(lam > 0) {
			lam = math.SmallestNonzeroFloat64
		}
		ll += math.Log(lam)
		gb += h.ev[i].beta / lam
		gm += c * s / tau / lam
		gt += m * c * (s1/(tau*tau*tau) - s/(tau*tau)) / lam
		dd := math.Min(h.tEnd-h.ev[i].t, h.window)
		e := math.Exp(-dd / tau)
		ll -= m * (1 - e)
		gm -= 1 - e
		gt += m * e * dd / (tau * tau)
	}
	ll -= b * h.g
	gb -= h.g
	if grad != nil {
		grad[0], grad[1], grad[2] = gb*db, gm*dm, gt*dtau
	}
	return ll
}

// fitRadius maximises the log-likelihood at radius r from a few starts.
func (h *hawkesData) fitRadius(r float64) (RadiusFit, []float64) {
	end := h.prefix(r)
	frac := h.fractions(r)
	pairs := 0
	for i := range end {
		pairs += end[i] - h.off[i]
	}
	n := float64(len(h.ev))
	prob := optimize.Problem{
		Func: func(u []float64) float64 { return -h.logLikFrac(u, r, end, frac, nil) / n },
		Grad: func(g, u []float64) {
			h.logLikFrac(u, r, end, frac, g)
			for k := range g {
				g[k] /= -n
			}
		},
	}
	best := RadiusFit{RadiusM: r, LogL: math.Inf(-1), Pairs: pairs}
	var bestU []float64
	for _, start := range [][2]float64{{0.2, 0.5}, {0.3, 5}} {
		m0, tau0 := start[0], math.Min(start[1], h.window/3)
		u0 := []float64{math.Log(n * (1 - m0) / h.g), math.Log(m0 / (MaxOffspring - m0)), math.Log(tau0)}
		res, err := optimize.Minimize(prob, u0, &optimize.Settings{GradientThreshold: 1e-7, MajorIterations: 200}, &optimize.BFGS{})
		if res == nil || (err != nil && res.X == nil) {
			continue
		}
		ll := -res.F * n
		if math.IsNaN(ll) || ll <= best.LogL {
			continue
		}
		b, m, tau, _, _, _ := params(res.X)
		best.LogL, best.Offspring, best.DecayDays = ll, m, tau
		best.Background = b * h.g / h.tEnd
		bestU = slices.Clone(res.X)
	}
	return best, bestU
}

// fitHawkes profiles the radius over radii, fitting the rest at each (in
// parallel), and compares the best fit with the Poisson model.
func fitHawkes(ev []hawkesEvent, tEnd, g float64, radii []float64, window float64, inside func(x, y float64) bool) *NearRepeatFit {
	start := time.Now()
	h := newHawkesData(ev, tEnd, g, slices.Max(radii), window)
	h.inside = inside
	n := float64(len(h.ev))
	fit := &NearRepeatFit{Events: len(h.ev), WindowDays: window, Profile: make([]RadiusFit, len(radii))}
	us := make([][]float64, len(radii))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k, r := range radii {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fit.Profile[k], us[k] = h.fitRadius(r)
		}()
	}
	wg.Wait()
	// Poisson: B = n/G in closed form.
	b0 := n / h.g
	fit.LogL0 = -n
	for _, e := range h.ev {
		fit.LogL0 += math.Log(b0 * e.beta)
	}
	bi := 0
	for k := range fit.Profile {
		if fit.Profile[k].LogL > fit.Profile[bi].LogL {
			bi = k
		}
	}
	p := fit.Profile[bi]
	fit.Background, fit.Offspring, fit.DecayDays, fit.RadiusM, fit.LogL = p.Background, p.Offspring, p.DecayDays, p.RadiusM, p.LogL
	if fit.LogL < fit.LogL0 { // the optimiser should never do worse than m → 0
		fit.LogL = fit.LogL0
	}
	fit.AIC = 2*4 - 2*fit.LogL
	fit.AIC0 = 2*1 - 2*fit.LogL0
	fit.OffspringSE, fit.DecayDaysSE = math.NaN(), math.NaN()
	if us[bi] != nil {
		fit.OffspringSE, fit.DecayDaysSE = h.standardErrors(us[bi], p.RadiusM)
	}
	fit.Elapsed = time.Since(start)
	return fit
}

// standardErrors inverts the observed information (the Hessian of −logL in
// u by central differences of the analytic gradient) and maps the variances
// of u1, u2 to m and τ by the delta method.
func (h *hawkesData) standardErrors(u []float64, r float64) (seM, seTau float64) {
	end := h.prefix(r)
	frac := h.fractions(r)
	const eps = 1e-4
	hess := mat.NewSymDense(3, nil)
	gp, gm := make([]float64, 3), make([]float64, 3)
	rows := make([][]float64, 3)
	for k := range 3 {
		up, um := slices.Clone(u), slices.Clone(u)
		up[k] += eps
		um[k] -= eps
		h.logLikFrac(up, r, end, frac, gp)
		h.logLikFrac(um, r, end, frac, gm)
		rows[k] = make([]float64, 3)
		for l := range 3 {
			rows[k][l] = -(gp[l] - gm[l]) / (2 * eps)
		}
	}
	for k := range 3 {
		for l := k; l < 3; l++ {
			hess.SetSym(k, l, (rows[k][l]+rows[l][k])/2)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(hess) {
		return math.NaN(), math.NaN()
	}
	var cov mat.SymDense
	if err := ch.InverseTo(&cov); err != nil {
		return math.NaN(), math.NaN()
	}
	_, _, _, _, dm, dtau := params(u)
	return math.Sqrt(cov.At(1, 1)) * dm, math.Sqrt(cov.At(2, 2)) * dtau
}

// hawkesEvents turns the records into fit events: times in days from the
// start of the range, and the background density of the calibrated
// model, hour(h)·day(d)·weight(a)/area(a) with hour and day profiles of
// mean 1 (or one hour-of-week profile of mean 1) and weights summing to 1. It returns the events, the
// length of the range (days) and the integral of the profile over it.
func hawkesEvents(res *Result, recs []record, city *geo.City) ([]hawkesEvent, float64, float64) {
	var hRel [24]float64
	var dRel [7]float64
	var hs, ds, ws float64
	for _, v := range res.HourFitted {
		hs += v
	}
	for _, v := range res.DayObserved {
		ds += float64(v)
	}
	for h := range 24 {
		hRel[h] = res.HourFitted[h] / (hs / 24)
	}
	for d := range 7 {
		dRel[d] = float64(res.DayObserved[d]) / (ds / 7)
	}
	for _, w := range res.Weights {
		ws += w
	}
	// With an hour-of-week profile (res.Weekly), that profile of mean 1
	// replaces hour(h)·day(d).
	var wRel [168]float64
	if res.Weekly {
		var s float64
		for _, v := range res.HourOfWeek {
			s += v
		}
		for h, v := range res.HourOfWeek {
			wRel[h] = v / (s / 168)
		}
	}
	shape := func(d, h int) float64 {
		if res.Weekly {
			return wRel[d*24+h]
		}
		return hRel[h] * dRel[d]
	}
	ev := make([]hawkesEvent, len(recs))
	for i, r := range recs {
		d := (int(r.t.Weekday()) + 6) % 7
		ev[i] = hawkesEvent{
			t:    r.t.Sub(res.From).Hours() / 24,
			x:    r.pos.X,
			y:    r.pos.Y,
			beta: shape(d, r.t.Hour()) * res.Weights[r.atom] / ws / city.Atoms[r.atom].Area,
		}
	}
	// The profile's integral over the range, in days: each day's mean
	// over its hours.
	var g float64
	for k := 0; k < int(res.Days); k++ {
		d := (int(res.From.AddDate(0, 0, k).Weekday()) + 6) % 7
		var day float64
		for h := range 24 {
			day += shape(d, h)
		}
		g += day / 24
	}
	return ev, res.Days, g
}

// writeNearRepeat writes the Hawkes fit section of the report.
func writeNearRepeat(w io.Writer, perDay float64, nr *NearRepeatFit) {
	pf := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	pf("\nNear repeats (self-exciting model, fitted in %s on %d incidents):\n", nr.Elapsed.Round(time.Millisecond), nr.Events)
	pf("  intensity mu0 * hour(h) * day(d) * weight(a)/area(a)\n")
	pf("          + sum over earlier incidents of m * exp(-dt/tau)/tau * 1{dist <= R}/(pi R^2)\n")
	pf("  background mu0    %10.4f a day (total %.4f; per_day x (1 - m) = %.4f)\n", nr.Background, perDay, perDay*(1-nr.Offspring))
	pf("  offspring m       %10.4f  (s.e. %.4f)\n", nr.Offspring, nr.OffspringSE)
	pf("  decay tau         %10.3f days (s.e. %.3f)\n", nr.DecayDays, nr.DecayDaysSE)
	pf("  radius R          %10g m (best of the grid below; s.e. for R fixed)\n", nr.RadiusM)
	pf("  window            %10g days (longer delays ignored)\n", nr.WindowDays)
	pf("  log-likelihood    %10.1f   Poisson (m = 0) %.1f   gain %.1f (2x gain %.1f)\n", nr.LogL, nr.LogL0, nr.LogL-nr.LogL0, 2*(nr.LogL-nr.LogL0))
	pf("  AIC (k = 4)       %10.1f   Poisson (k = 1) %.1f\n", nr.AIC, nr.AIC0)
	if nr.DecayDays > nr.WindowDays/3 {
		pf("  WARNING: tau is more than a third of the window: the kernel is cut at the\n")
		pf("  window, so m is not the simulator's offspring; the excitation is more likely\n")
		pf("  fixed hot spots finer than the areas (the background cannot express them).\n")
	}
	pf("  Under m = 0, tau and R are not identified and m sits on its boundary, so\n")
	pf("  2x gain is not exactly chi-square; 7.81 (chi-square 3 df, 95%%) is a rough guide.\n")
	pf("  Profile over R (radius, log-likelihood, m, tau days, background a day, pairs):\n")
	for _, p := range nr.Profile {
		pf("    %6g %14.1f %8.4f %8.3f %10.4f %10d\n", p.RadiusM, p.LogL, p.Offspring, p.DecayDays, p.Background, p.Pairs)
	}
}

// fractions returns, for each event, the share of its disc of radius r that
// lies inside the city (1 everywhere without h.inside): 1 when 8 points on
// the circle are inside, else the share of 64 points spread evenly over the
// disc (a sunflower pattern), at least 1/64.
func (h *hawkesData) fractions(r float64) []float64 {
	if h.inside == nil {
		return nil
	}
	frac := make([]float64, len(h.ev))
	golden := math.Pi * (3 - math.Sqrt(5))
	for j, e := range h.ev {
		all := true
		for k := range 8 {
			a := 2 * math.Pi * float64(k) / 8
			if !h.inside(e.x+r*math.Cos(a), e.y+r*math.Sin(a)) {
				all = false
				break
			}
		}
		if all {
			frac[j] = 1
			continue
		}
		in := 0
		const n = 64
		for k := range n {
			rad := r * math.Sqrt((float64(k)+0.5)/n)
			a := float64(k) * golden
			if h.inside(e.x+rad*math.Cos(a), e.y+rad*math.Sin(a)) {
				in++
			}
		}
		frac[j] = max(float64(in), 1) / n
	}
	return frac
}
