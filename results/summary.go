package results

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a metric over replications: the mean and the 95% confidence
// interval of the mean (Student t with N−1 degrees of freedom). Fields are
// NaN when undefined: no replication had a value, or (for the interval)
// fewer than two did. The mean is +Inf, with no interval, when a
// replication's value was +Inf (a quantile of response times beyond the
// answered calls).
type Estimate struct {
	Mean, Low, High float64
	N               int // replications with a value
}

// Estimate computes the estimate of the mean of xs, ignoring NaNs.
func estimate(xs []float64) Estimate {
	var vals []float64
	for _, x := range xs {
		if x == x {
			vals = append(vals, x)
		}
	}
	e := Estimate{Mean: math.NaN(), Low: math.NaN(), High: math.NaN(), N: len(vals)}
	if len(vals) == 0 {
		return e
	}
	e.Mean = stat.Mean(vals, nil)
	if len(vals) < 2 || math.IsInf(e.Mean, 0) {
		return e // no interval from one value, or around an infinite mean
	}
	se := stat.StdDev(vals, nil) / math.Sqrt(float64(len(vals)))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(vals) - 1)}.Quantile(0.975)
	e.Low, e.High = e.Mean-t*se, e.Mean+t*se
	return e
}

// VariantSummary is one variant's results.
type VariantSummary struct {
	Name      string
	Rank      int         // 1 = best by the objective
	Score     float64     // objective score, lower is better (NaN: a goal undefined)
	Pareto    bool        // on the Pareto front of the objective's metrics
	Estimates []Estimate  // aligned with Summary.Metrics
	Reps      [][]float64 // per replication, aligned with Summary.Metrics
}

// Summary is the result of a run of all variants over all replications.
type Summary struct {
	Scenario     string
	Seed         uint64
	Replications int
	Objective    []Goal // the ranking objective, as applied
	Alpha        float64
	Metrics      []Metric
	Variants     []VariantSummary
	Comparisons  []Comparison // pairwise differences on the objective's metrics
}

// RankedBy returns the metric names of the objective.
func (s *Summary) RankedBy() []string {
	names := make([]string, len(s.Objective))
	for i, g := range s.Objective {
		names[i] = g.Metric
	}
	return names
}

// Summarize aggregates values[v][rep] (from Collector.Values) into a
// summary, ranks the variants by the objective (goals naming metrics the
// run does not have are left out) and compares them pairwise at level
// alpha.
func Summarize(scenario string, seed uint64, metrics []Metric, names []string, values [][][]float64, objective []Goal, alpha float64) *Summary {
	s := &Summary{Scenario: scenario, Seed: seed, Metrics: metrics, Alpha: alpha}
	for _, g := range objective { // goals naming unknown metrics are left out
		if s.Index(g.Metric) >= 0 && g.Weight > 0 {
			s.Objective = append(s.Objective, g)
		}
	}
	for v, name := range names {
		vs := VariantSummary{Name: name, Reps: values[v]}
		s.Replications = len(values[v])
		col := make([]float64, len(values[v]))
		for m := range metrics {
			for r := range values[v] {
				col[r] = values[v][r][m]
			}
			vs.Estimates = append(vs.Estimates, estimate(col))
		}
		s.Variants = append(s.Variants, vs)
	}
	// A goal no variant has a value for (no priority-1 type, say) ranks
	// nothing: leave it out.
	goals := s.Objective[:0]
	for _, g := range s.Objective {
		i := s.Index(g.Metric)
		if slices.ContainsFunc(s.Variants, func(v VariantSummary) bool { return finite(v.Estimates[i].Mean) }) {
			goals = append(goals, g)
		}
	}
	s.Objective = goals
	s.rank()
	s.compare()
	return s
}

// Index returns the position of the named metric, or -1.
func (s *Summary) Index(name string) int {
	return slices.IndexFunc(s.Metrics, func(m Metric) bool { return m.Name == name })
}

// EstimateOf is the mean and 95% confidence interval of xs over
// replications, NaNs left out (as in a Summary).
func EstimateOf(xs []float64) Estimate { return estimate(xs) }
