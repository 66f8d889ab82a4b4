package results

import (
	"cmp"
	"math"
	"slices"
)

// Goal is one term of the ranking objective: a metric and its weight. The
// direction (lower or higher is better) is the metric's own.
type Goal struct {
	Metric string
	Weight float64
}

// DefaultObjective ranks by priority-1 90th-percentile response time and
// prevented incidents, with equal weights (DESIGN.md §3).
var DefaultObjective = []Goal{{"response_p90_s_p1", 1}, {"incidents_prevented", 1}}

// DefaultAlpha is the family-wise significance level of the pairwise
// comparisons.
const DefaultAlpha = 0.05

// rank computes each variant's score and Pareto mark and orders them.
//
// The score is Σ_k w_k · d_k · (m_vk − r_k) / |r_k|: for each goal, the
// variant's mean relative to the reference r_k, the mean of the first
// variant listed (the scenario's baseline), signed so that lower is better
// (d = +1 when lower is better, −1 when higher is). A fixed reference keeps
// the order of two variants from depending on which others are compared.
// When the reference is 0 or undefined, the mean absolute value over the
// variants is the scale instead (a goal that is 0 everywhere adds nothing).
// A variant missing a goal's value ranks after those that have all (an
// infinite value, such as a percentile beyond the answered calls, counts as
// missing). Ties keep name order.
func (s *Summary) rank() {
	nv := len(s.Variants)
	score := make([]float64, nv)
	missing := make([]bool, nv)
	for _, g := range s.Objective {
		i := s.Index(g.Metric)
		sign := 1.0
		if s.Metrics[i].Better == Higher {
			sign = -1
		}
		var absSum float64
		n := 0
		for v := range s.Variants {
			if m := s.Variants[v].Estimates[i].Mean; finite(m) {
				absSum += math.Abs(m)
				n++
			} else {
				missing[v] = true
			}
		}
		ref := s.Variants[0].Estimates[i].Mean
		scale := math.Abs(ref)
		if !finite(ref) || scale == 0 {
			ref = 0
			if n > 0 {
				scale = absSum / float64(n)
			}
		}
		if scale == 0 {
			continue
		}
		for v := range s.Variants {
			if m := s.Variants[v].Estimates[i].Mean; finite(m) {
				score[v] += g.Weight * sign * (m - ref) / scale
			}
		}
	}
	order := make([]int, nv)
	for v := range order {
		order[v] = v
		s.Variants[v].Score = score[v]
		if missing[v] {
			s.Variants[v].Score = math.NaN()
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if missing[a] != missing[b] {
			if missing[a] {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(score[a], score[b]); c != 0 {
			return c
		}
		return cmp.Compare(s.Variants[a].Name, s.Variants[b].Name)
	})
	for r, v := range order {
		s.Variants[v].Rank = r + 1
	}
	s.pareto()
}

// pareto marks the variants no other variant dominates on the objective's
// metrics (means): at least as good on every goal and better on one.
func (s *Summary) pareto() {
	better := func(a, b float64, m Metric) int { // +1 if a is better than b
		if m.Better == Higher {
			a, b = -a, -b
		}
		return cmp.Compare(b, a)
	}
	for v := range s.Variants {
		s.Variants[v].Pareto = true
		for u := range s.Variants {
			if u == v {
				continue
			}
			dominates, strictly := true, false
			for _, g := range s.Objective {
				i := s.Index(g.Metric)
				mu, mv := s.Variants[u].Estimates[i].Mean, s.Variants[v].Estimates[i].Mean
				if mu != mu || mv != mv {
					dominates = mu == mu && mv != mv && dominates
					strictly = strictly || (mu == mu && mv != mv)
					continue
				}
				switch better(mu, mv, s.Metrics[i]) {
				case -1:
					dominates = false
				case 1:
					strictly = true
				}
			}
			if dominates && strictly {
				s.Variants[v].Pareto = false
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

// compare computes every pairwise comparison on the objective's metrics, in
// rank order, and adjusts the p-values for multiplicity (Holm 1979).
func (s *Summary) compare() {
	order := make([]int, len(s.Variants))
	for v := range s.Variants {
		order[s.Variants[v].Rank-1] = v
	}
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
