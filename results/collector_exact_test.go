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

// TestDayTime checks dayTime against math.Mod(t, 86400), bit for bit:
// whole days and the floats next to them, random times over a long run,
// and what it hands to math.Mod (negative, huge, NaN, ±Inf).
func TestDayTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var ts []float64
	for d := range 2000 {
		x := float64(d) * 86400
		ts = append(ts, x, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1)), x+3600*rng.Float64())
	}
	for range 100000 {
		ts = append(ts, rng.Float64()*86400*float64(1+rng.IntN(100000)))
	}
	ts = append(ts, -1, -86400.5, 1<<52, 1e300, math.NaN(), math.Inf(1), math.Inf(-1), math.Nextafter(1<<52, 0))
	for _, x := range ts {
		got, want := dayTime(x), math.Mod(x, 86400)
		if math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
			t.Fatalf("dayTime(%v) = %v, math.Mod gives %v", x, got, want)
		}
	}
}
