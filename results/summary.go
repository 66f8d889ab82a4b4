package results

import (
	"slices"
)

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
