package results

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Goal is one term of the ranking objective: a metric and its weight, in
// objective units per unit of the metric as stored (per second, per
// fraction, per count, per rate). The direction (lower or higher is
// better) is the metric's own.
type Goal struct {
	Metric string
	Weight float64
}

// DefaultObjective is the objective of a scenario that does not state one
// and has deterrable incidents: the cost, in seconds of priority-1
// 90th-percentile response time,
//
//	response_p90_s_p1 − 1000 × prevented_per_1000_month
//
// so 1 s of P1 p90 response counts as much as 0.001 incidents prevented
// per 1,000 residents per 30 days (one prevented incident per 1,000
// residents a month is worth 1000 s ≈ 17 min). Where the rate comes from:
// a 10% longer response lowers the chance of clearing a crime by 4.7
// percentage points (Blanes i Vidal & Kirchmaier 2018, Greater
// Manchester); at a P1 response of about 10 min that is 0.047 clearances
// per P1 call per minute; with about 1.4 P1 calls per 1,000 residents a
// month (the built-in city: 210 incidents a day for 900,000 residents, one
// in five priority 1) and one future incident prevented per clearance, a
// minute of P1 response is worth about 0.066 prevented incidents per 1,000
// residents a month, 0.0011 a second. docs/model.md ("Ranking") gives the
// argument and how to state another rate.
var DefaultObjective = []Goal{{"response_p90_s_p1", 1}, {"prevented_per_1000_month", 1000}}

// ResponseObjective is the default of a scenario where nothing can be
// prevented (no deterrable incident type, or deterrence off): P1 p90
// response time alone, in seconds.
var ResponseObjective = []Goal{{"response_p90_s_p1", 1}}

// DefaultAlpha is 1 − the joint confidence of the best set and the
// family-wise significance level of the pairwise comparisons.
const DefaultAlpha = 0.05

// Group names of variants in the table and results.json.
const (
	GroupBest      = "1="        // in the best set: may be the best
	GroupBenchmark = "benchmark" // knows what no real force knows; never ranked
	GroupUndefined = "undefined" // its score is not finite in some replication
)

// rank scores the variants and selects the best.
//
// A variant's score is the mean over replications of its cost, Σ_g w_g ·
// d_g · m_g (d = +1 when lower is better, −1 when higher), in objective
// units: it depends on no other variant. Goals that cannot separate the
// variants (the same value for every ranked variant in every replication,
// or no value) are dropped with a warning. Among the ranked variants
// (neither benchmarks nor undefined) multiple comparisons with the best
// (MultipleComparisonsWithBest, at 1 − Alpha) give the best set — group
// "1=", rank 1 — and each variant's distance from the best; the others
// have rank 0. Position orders the table: ranked variants by score (ties
// by name), then undefined ones, then benchmarks.
func (s *Summary) rank() {
	ranked := func(v *VariantSummary) bool { return !v.Benchmark }
	// Drop goals that cannot separate the variants.
	goals := s.Objective[:0:0]
	for _, g := range s.Objective {
		i := s.Index(g.Metric)
		first, same, any := math.NaN(), true, false
		for v := range s.Variants {
			if !ranked(&s.Variants[v]) {
				continue
			}
			for _, rep := range s.Variants[v].Reps {
				x := rep[i]
				if !finite(x) {
					continue
				}
				if !any {
					first, any = x, true
				} else if x != first {
					same = false
				}
			}
		}
		switch {
		case !any:
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s has no value for any variant: left out of the objective", g.Metric))
		case same && len(s.Variants) > 1:
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s is %s for every variant in every replication: it cannot rank them and is left out of the objective",
				g.Metric, strconv.FormatFloat(first, 'g', 6, 64)))
		default:
			goals = append(goals, g)
		}
	}
	s.Objective = goals
	if len(goals) == 0 {
		s.Warnings = append(s.Warnings, "no objective metric separates the variants: no ranking is possible")
	}

	// Costs and scores.
	var rankedIdx []int
	for v := range s.Variants {
		vs := &s.Variants[v]
		vs.Costs = make([]float64, len(vs.Reps))
		for r, rep := range vs.Reps {
			var c float64
			for _, g := range goals {
				i := s.Index(g.Metric)
				d := 1.0
				if s.Metrics[i].Better == Higher {
					d = -1
				}
				c += g.Weight * d * rep[i]
			}
			vs.Costs[r] = c
		}
		vs.Score, vs.ScoreLow, vs.ScoreHigh = math.NaN(), math.NaN(), math.NaN()
		vs.BehindLow, vs.BehindHigh = math.NaN(), math.NaN()
		vs.Rank, vs.Best, vs.Group = 0, false, ""
		switch {
		case vs.Benchmark:
			vs.Group = GroupBenchmark
		case len(goals) == 0:
		case slices.ContainsFunc(vs.Costs, func(x float64) bool { return !finite(x) }):
			vs.Group = GroupUndefined
			n := 0
			for _, x := range vs.Costs {
				if !finite(x) {
					n++
				}
			}
			vs.Note = fmt.Sprintf("its score is undefined in %d of %d replications (a value of the objective is missing or infinite: calls never answered)", n, len(vs.Costs))
		default:
			rankedIdx = append(rankedIdx, v)
		}
		if len(goals) > 0 && vs.Group != GroupUndefined {
			e := estimate(vs.Costs)
			vs.Score, vs.ScoreLow, vs.ScoreHigh = e.Mean, e.Low, e.High
		}
	}

	// The best set.
	switch {
	case len(rankedIdx) == 1:
		v := &s.Variants[rankedIdx[0]]
		v.Best, v.Rank, v.Group, v.BehindLow, v.BehindHigh = true, 1, GroupBest, 0, 0
	case len(rankedIdx) > 1 && s.Replications < 2:
		s.Warnings = append(s.Warnings, "one replication: no interval, so no variant can be told from another (run at least 2)")
	case len(rankedIdx) > 1:
		costs := make([][]float64, len(rankedIdx))
		for k, v := range rankedIdx {
			costs[k] = s.Variants[v].Costs
		}
		b, err := MultipleComparisonsWithBest(costs, s.Alpha)
		if err != nil {
			s.Warnings = append(s.Warnings, "no best set: "+err.Error())
			break
		}
		for k, v := range rankedIdx {
			vs := &s.Variants[v]
			vs.BehindLow, vs.BehindHigh = b.Low[k], b.High[k]
			if b.In[k] {
				vs.Best, vs.Rank, vs.Group = true, 1, GroupBest
			}
		}
	}

	// Positions.
	order := make([]int, len(s.Variants))
	for v := range order {
		order[v] = v
	}
	class := func(v *VariantSummary) int {
		switch v.Group {
		case GroupBenchmark:
			return 2
		case GroupUndefined:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(order, func(a, b int) int {
		va, vb := &s.Variants[a], &s.Variants[b]
		if c := cmp.Compare(class(va), class(vb)); c != 0 {
			return c
		}
		if finite(va.Score) && finite(vb.Score) {
			if c := cmp.Compare(va.Score, vb.Score); c != 0 {
				return c
			}
		}
		return cmp.Compare(va.Name, vb.Name)
	})
	for p, v := range order {
		s.Variants[v].Position = p + 1
	}
}

// pareto marks the variants that may be on the Pareto front of the
// objective's metrics ("possibly non-dominated"): a ranked variant is off
// the front only when another ranked variant is significantly better on
// one objective metric and not significantly worse on any (the paired
// comparisons, after Holm's correction over all comparisons). A variant
// that is much worse on one metric and better by noise on another is thus
// off the front, and one that is not shown worse stays on it. Benchmarks
// and undefined variants are never on the front. Call after compare.
func (s *Summary) pareto() {
	sig := map[[3]string]bool{} // metric, better, worse
	for _, c := range s.Comparisons {
		if !c.Significant {
			continue
		}
		m := s.Metrics[s.Index(c.Metric)]
		aBetter := c.Difference < 0
		if m.Better == Higher {
			aBetter = c.Difference > 0
		}
		if aBetter {
			sig[[3]string{c.Metric, c.A, c.B}] = true
		} else {
			sig[[3]string{c.Metric, c.B, c.A}] = true
		}
	}
	for v := range s.Variants {
		vv := &s.Variants[v]
		vv.Pareto = vv.Group != GroupBenchmark && vv.Group != GroupUndefined && len(s.Objective) > 0
		if !vv.Pareto {
			continue
		}
		for u := range s.Variants {
			uu := &s.Variants[u]
			if u == v || uu.Group == GroupBenchmark || uu.Group == GroupUndefined {
				continue
			}
			all, one := true, false
			for _, g := range s.Objective {
				all = all && !sig[[3]string{g.Metric, vv.Name, uu.Name}]
				one = one || sig[[3]string{g.Metric, uu.Name, vv.Name}]
			}
			if all && one {
				vv.Pareto = false
				break
			}
		}
	}
}

// Comparison is the paired difference A − B of one metric between two
// variants over the replications (common random numbers: replication r of
// every variant saw the same incidents). When a value of either is not
// finite in some replication (no value, or an infinite percentile: calls
// never answered) there is no verdict: the difference, interval and
// p-values are NaN, the comparison is not significant, it does not count
// among Holm's tests, and Note says why (PairedDifference).
type Comparison struct {
	Metric      string
	A, B        string
	Difference  float64 // mean of A − B
	Low, High   float64 // 95% confidence interval (Student t)
	P           float64 // two-sided paired t test
	PHolm       float64 // Holm-adjusted over all comparisons of the summary
	Significant bool    // PHolm < Alpha
	N           int     // replications where both values are finite

	UndefinedA, UndefinedB int    // replications where A's (B's) value is not finite
	Note                   string // why there is no verdict; "" when there is one
}

// compare computes every pairwise comparison on the objective's metrics
// between the variants that are not benchmarks, in table order (A before
// B), and adjusts the p-values for multiplicity (Holm 1979).
func (s *Summary) compare() {
	order := make([]int, 0, len(s.Variants))
	for v := range s.Variants {
		order = append(order, v)
	}
	slices.SortFunc(order, func(a, b int) int { return s.Variants[a].Position - s.Variants[b].Position })
	order = slices.DeleteFunc(order, func(v int) bool { return s.Variants[v].Benchmark })
	s.Comparisons = nil
	for _, g := range s.Objective {
		i := s.Index(g.Metric)
		for x := 0; x < len(order); x++ {
			for y := x + 1; y < len(order); y++ {
				a, b := &s.Variants[order[x]], &s.Variants[order[y]]
				s.Comparisons = append(s.Comparisons, paired(g.Metric, a, b, i))
			}
		}
	}
	holm(s.Comparisons)
	for k := range s.Comparisons {
		c := &s.Comparisons[k]
		c.Significant = c.PHolm < s.Alpha
	}
}

func paired(metric string, a, b *VariantSummary, i int) Comparison {
	x, y := make([]float64, len(a.Reps)), make([]float64, len(b.Reps))
	for r := range a.Reps {
		x[r] = a.Reps[r][i]
	}
	for r := range b.Reps {
		y[r] = b.Reps[r][i]
	}
	d := PairedDifference(x, y)
	c := Comparison{Metric: metric, A: a.Name, B: b.Name, Difference: d.Mean, Low: d.Low, High: d.High, P: d.P, N: d.NX,
		UndefinedA: d.UndefinedX, UndefinedB: d.UndefinedY}
	if !d.Defined() {
		c.Note = "no verdict: " + d.UndefinedNote(a.Name, b.Name)
	}
	return c
}

// holm sets each comparison's PHolm from its P (holmAdjust).
func holm(cs []Comparison) {
	ps := make([]float64, len(cs))
	for k := range cs {
		ps[k] = cs[k].P
	}
	for k, p := range holmAdjust(ps) {
		cs[k].PHolm = p
	}
}
