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
