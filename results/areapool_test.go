package results

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAreaPoolDense checks the pool against AreaSketch: the pool filled
// replication by replication (its bins widened once an area and a call)
// holds the counts AreaSketch.Add makes value by value, and AreaPool.p90
// is p90Of of PooledSketches' sketch, bit for bit, for areas without
// calls, with unanswered calls only, and with times spread widely.
func TestAreaPoolDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const areas, reps = 6, 5
	pool := NewAreaPool(areas)
	want := make([]AreaSketch, areas)
	for range reps {
		resps := make([][]float32, areas)
		for a := 1; a < areas; a++ {
			for range rng.IntN(200) {
				var x float64
				switch {
				case a == 2 || rng.IntN(30) == 0:
					x = math.Inf(1)
				case a == 3:
					x = math.Ldexp(rng.Float64(), rng.IntN(40)-10)
				default:
					x = rng.ExpFloat64() * 600
				}
				resps[a] = append(resps[a], float32(x))
				want[a].Add(float64(float32(x)))
			}
		}
		pool.Add(resps)
	}
	got := PooledSketches(pool, nil, areas)
	for a := range areas {
		if got[a].N() != want[a].N() || got[a].Inf != want[a].Inf {
			t.Fatalf("area %d: %d times (%d unanswered), want %d (%d)", a, got[a].N(), got[a].Inf, want[a].N(), want[a].Inf)
		}
		for k, c := range want[a].Bins {
			if got[a].Bins[k] != c {
				t.Fatalf("area %d: bin %d holds %d, want %d", a, k, got[a].Bins[k], c)
			}
		}
		p, q := pool.p90(a), p90Of(got[a])
		if (p == nil) != (q == nil) || p != nil && math.Float64bits(*p) != math.Float64bits(*q) {
			t.Errorf("area %d: p90 %v, p90Of of the sketch %v", a, p, q)
		}
	}
}
