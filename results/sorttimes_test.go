package results

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortTimes checks that sortTimes makes the slice slices.Sort makes,
// bit for bit: response-time-like lists (zeros, ties, +Inf, a wide range),
// short ones, and lists it must hand to slices.Sort (NaN, negative, −0).
func TestSortTimes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n int, f func() float64) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = f()
		}
		return xs
	}
	times := func() float64 {
		switch k := rng.IntN(20); {
		case k == 0:
			return math.Inf(1)
		case k == 1:
			return 0
		case k < 5:
			return float64(rng.IntN(600)) // ties
		default:
			return rng.ExpFloat64() * 900
		}
	}
	cases := map[string][]float64{
		"times":    gen(10000, times),
		"short":    gen(100, times),
		"edge":     gen(256, times),
		"wide":     gen(5000, func() float64 { return math.Ldexp(rng.Float64(), rng.IntN(200)-100) }),
		"one byte": gen(1000, func() float64 { return 1 }),
		"negative": gen(1000, func() float64 { return rng.NormFloat64() }),
		"nan":      append(gen(999, times), math.NaN()),
		"-0":       append(gen(999, times), math.Copysign(0, -1)),
	}
	for name, xs := range cases {
		want := slices.Clone(xs)
		slices.Sort(want)
		sortTimes(xs)
		for i := range xs {
			if math.Float64bits(xs[i]) != math.Float64bits(want[i]) {
				t.Errorf("%s: [%d] = %v, slices.Sort has %v", name, i, xs[i], want[i])
				break
			}
		}
	}
}
