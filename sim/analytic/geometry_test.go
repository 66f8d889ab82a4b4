package analytic

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// TestMeanManhattanDistance: for two points uniform in an X × Y rectangle,
// E|x1 − x2| = X/3, so the mean right-angle distance is (X + Y)/3 (Larson &
// Odoni 1981, §3.3). Monte Carlo with a fixed seed; tolerance 4 standard
// errors of the sample mean.
func TestMeanManhattanDistance(t *testing.T) {
	const X, Y, n = 3000.0, 1200.0, 200000
	r := rand.New(rand.NewPCG(1, 2))
	tr := geo.Travel{Metric: geo.Manhattan, Detour: 1}
	var sum, sum2 float64
	for range n {
		a := geo.Point{X: r.Float64() * X, Y: r.Float64() * Y}
		b := geo.Point{X: r.Float64() * X, Y: r.Float64() * Y}
		d := tr.Distance(a, b)
		sum += d
		sum2 += d * d
	}
	mean := sum / n
	se := math.Sqrt((sum2/n - mean*mean) / n)
	if want := (X + Y) / 3; math.Abs(mean-want) > 4*se {
		t.Errorf("mean Manhattan distance %.1f ± %.1f m, want (X+Y)/3 = %.1f", mean, se, want)
	}
}

// TestSquareRootLaw: the distance from a random point to the nearest of
// units scattered as a Poisson field of density γ has
// P(D > r) = exp(−γ·a(r)), a(r) the area of the ball of radius r: πr²
// (straight line) or 2r² (right-angle metric). So E[D] = 0.5/√γ and
// 0.5·√(π/2)/√γ ≈ 0.6267/√γ: the square-root law (Larson & Odoni 1981,
// §3.6; Kolesar & Blum 1973). Units fill a 20 km square; queries are drawn
// in its central 4 km so that edges do not matter (the nearest unit is well
// within 8 km). Tolerance: 4 standard errors over independent layouts.
func TestSquareRootLaw(t *testing.T) {
	const side, units = 20000.0, 4000
	gamma := units / (side * side)
	for _, tc := range []struct {
		name   string
		metric geo.Metric
		coeff  float64
	}{
		{"euclidean", geo.Euclidean, 0.5},
		{"manhattan", geo.Manhattan, 0.5 * math.Sqrt(math.Pi/2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			tr := geo.Travel{Metric: tc.metric, Detour: 1}
			var means []float64
			for range 30 {
				pts := make([]geo.Point, units)
				for i := range pts {
					pts[i] = geo.Point{X: r.Float64() * side, Y: r.Float64() * side}
				}
				sum := 0.0
				const q = 200
				for range q {
					p := geo.Point{X: side/2 + (r.Float64()-0.5)*4000, Y: side/2 + (r.Float64()-0.5)*4000}
					best := math.Inf(1)
					for _, u := range pts {
						best = min(best, tr.Distance(p, u))
					}
					sum += best
				}
				means = append(means, sum/q)
			}
			var m, ss float64
			for _, x := range means {
				m += x
			}
			m /= float64(len(means))
			for _, x := range means {
				ss += (x - m) * (x - m)
			}
			se := math.Sqrt(ss / float64(len(means)-1) / float64(len(means)))
			want := tc.coeff / math.Sqrt(gamma)
			t.Logf("mean nearest distance %.1f ± %.1f m, want %.1f", m, se, want)
			if math.Abs(m-want) > 4*se {
				t.Errorf("mean nearest distance %.1f ± %.1f m, want %.1f", m, se, want)
			}
		})
	}
}
