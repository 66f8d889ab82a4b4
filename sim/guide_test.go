package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGuideMatchesPick compares guide.pick with pick (the binary search)
// on weights with zeros, runs of equal sums and extreme ratios, at random
// uniforms times the total and at every cumulative sum and bucket edge
// (and the floats beside them), where rounding could put x in the wrong
// bucket.
func TestGuideMatchesPick(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 1 + rng.IntN(200)
		w := make([]float64, n)
		for i := range w {
			switch rng.IntN(4) {
			case 0: // zero weight
			case 1:
				w[i] = 1e-12 * rng.Float64()
			default:
				w[i] = rng.ExpFloat64() * float64(1+rng.IntN(1000))
			}
		}
		w[rng.IntN(n)] += 1 // a positive total
		cum := make([]float64, n)
		total := 0.0
		for i, x := range w {
			total += x
			cum[i] = total
		}
		g := newGuide(cum, total)
		if g.start == nil {
			t.Fatalf("trial %d: no guide", trial)
		}
		xs := []float64{0}
		for range 2000 {
			xs = append(xs, rng.Float64()*total)
		}
		for _, c := range cum {
			xs = append(xs, c, nextDown(c), nextUp(c))
		}
		for b := range g.start {
			e := float64(b) / g.scale
			xs = append(xs, e, nextDown(e), nextUp(e))
		}
		for _, x := range xs {
			if !(x >= 0 && x < total) {
				continue
			}
			if got, want := g.pick(cum, x), pick(cum, x); got != want {
				t.Fatalf("trial %d: x = %v: guide %d, pick %d", trial, x, got, want)
			}
		}
	}
}

func nextUp(x float64) float64   { return math.Nextafter(x, math.Inf(1)) }
func nextDown(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }
