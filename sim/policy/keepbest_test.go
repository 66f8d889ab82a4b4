package policy

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKeepBest: the K best atoms kept as scores come, in any order and
// with tied scores, are the first K of the full sort.
func TestKeepBest(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 500 {
		n := 1 + r.IntN(80)
		h := &hotspots{rank: make([]float64, n)}
		for a := range h.rank {
			h.rank[a] = float64(r.IntN(1 + trial%12)) // ties are common
		}
		k := 1 + r.IntN(12)
		order := r.Perm(n)
		var best []int
		for _, a := range order {
			best = h.keepBest(best, k, a)
		}
		all := slices.Clone(order)
		slices.SortFunc(all, h.better)
		if want := all[:min(k, n)]; !slices.Equal(best, want) {
			t.Fatalf("trial %d: kept %v, want %v", trial, best, want)
		}
	}
}

// TestLowerBound checks the branch-free search of areaSampler against
// slices.BinarySearch, on sorted lists with repeated values and targets
// on, between and beyond them.
func TestLowerBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6)) // fixed seed
	for n := 0; n <= 40; n++ {
		a := make([]float64, n)
		c := 0.0
		for k := range a {
			if r.IntN(3) > 0 { // a third of the steps repeat the value
				c += float64(r.IntN(4))
			}
			a[k] = c
		}
		for x := -1.0; x <= c+1; x += 0.5 {
			want, _ := slices.BinarySearch(a, x)
			if got := lowerBound(a, x); got != want {
				t.Fatalf("n = %d, a %v, x = %v: lowerBound %d, want %d", n, a, x, got, want)
			}
		}
	}
}
