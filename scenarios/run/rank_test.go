package run

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/results"
)

// TestRankingPermutation: a variant's score, group, best-set membership,
// distance from the best and Pareto mark do not depend on the order in
// which the scenario lists the variants (the built-in city, its twelve
// variants reversed and shuffled). The hotspot oracle is a benchmark.
func TestRankingPermutation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built-in city three times")
	}
	type out struct {
		score, behind float64
		group         string
		pareto, best  bool
	}
	runOrder := func(perm []int) map[string]out {
		s := loadBuiltin(t, "jinzhou", 3)
		if perm != nil {
			vs, fs := s.Variants, s.File.Variants
			s.Variants, s.File.Variants = nil, nil
			for _, i := range perm {
				s.Variants = append(s.Variants, vs[i])
				s.File.Variants = append(s.File.Variants, fs[i])
			}
		}
		res, err := Execute(context.Background(), s, Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]out{}
		for _, v := range res.Summary.Variants {
			m[v.Name] = out{v.Score, v.BehindHigh, v.Group, v.Pareto, v.Best}
			if strings.HasPrefix(v.Name, "oracle") && (v.Group != results.GroupBenchmark || v.Best || v.Pareto || v.Rank != 0) {
				t.Errorf("%s: group %q best %v pareto %v rank %d, want a benchmark, never ranked", v.Name, v.Group, v.Best, v.Pareto, v.Rank)
			}
		}
		return m
	}
	base := runOrder(nil)
	n := len(base)
	rev := make([]int, n)
	for i := range rev {
		rev[i] = n - 1 - i
	}
	shuffled := rand.New(rand.NewPCG(1, 2)).Perm(n)
	for _, perm := range [][]int{rev, shuffled} {
		got := runOrder(perm)
		for name, w := range base {
			g := got[name]
			if g.score != w.score || g.group != w.group || g.pareto != w.pareto || g.best != w.best || !(g.behind == w.behind || g.behind != g.behind && w.behind != w.behind) {
				t.Errorf("order %v: %s is %+v, listed first to last it was %+v", perm, name, g, w)
			}
		}
	}
	best := 0
	for _, w := range base {
		if w.best {
			best++
		}
	}
	if best == 0 {
		t.Error("no variant in the best set")
	}
}
