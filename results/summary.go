package results

import (
	"slices"
)

// VariantSummary is one variant's results.
type VariantSummary struct {
	Name      string
	Estimates []Estimate  // aligned with Summary.Metrics
	Reps      [][]float64 // per replication, aligned with Summary.Metrics

	// What the variant is, as the scenario defines it; nil when unknown.
	Definition *VariantDefinition
	// Benchmark: it uses knowledge no real force has (the hotspot oracle):
	// shown, never ranked, never in the best set, never on the front.
	Benchmark bool

	// The ranking (rank in rank.go).
	Costs      []float64 // the objective's cost in each replication, lower is better
	Score      float64   // mean cost over replications, in objective units (NaN: undefined, or no objective)
	ScoreLow   float64   // 95% confidence interval of the score (NaN with one replication)
	ScoreHigh  float64
	Best       bool    // in the best set: may be the best at 1 − Alpha joint confidence
	Rank       int     // 1 in the best set, 0 otherwise (not a place: see Position)
	Group      string  // GroupBest, GroupBenchmark, GroupUndefined or ""
	BehindLow  float64 // MCB interval of the score's distance from the best of the others (NaN: not ranked)
	BehindHigh float64
	Position   int    // 1-based place in the table: ranked by score, then undefined, then benchmarks
	Pareto     bool   // possibly non-dominated on the objective's metrics
	Note       string // why it is not ranked, when it is not
}

// VariantDefinition says what a variant is: the policy of each unit type,
// the dispatch mode, the force overrides and whether it is a benchmark.
type VariantDefinition struct {
	Policy    string                       `json:"policy"`            // of every unit type without a by_unit rule
	Params    map[string]string            `json:"params,omitempty"`  // its resolved parameters
	ByUnit    map[string]UnitPolicy        `json:"by_unit,omitempty"` // unit type → its own policy (mixed)
	Dispatch  string                       `json:"dispatch"`          // point-to-point or hierarchical
	Overrides map[string]map[string]string `json:"overrides,omitempty"`
	Benchmark bool                         `json:"benchmark"`
}

// UnitPolicy is one unit type's policy in a mixed variant.
type UnitPolicy struct {
	Policy string            `json:"policy"`
	Params map[string]string `json:"params,omitempty"`
}

// Summary is the result of a run of all variants over all replications.
type Summary struct {
	Scenario     string
	Seed         uint64
	Replications int
	Objective    []Goal // the ranking objective, as applied (goals that cannot separate the variants dropped)
	Alpha        float64
	Metrics      []Metric
	Variants     []VariantSummary
	Comparisons  []Comparison // pairwise differences on the objective's metrics
	Warnings     []string     // what the ranking could not do, in words	// Replay says where the incidents came from when they were replayed
	// from a log (nil: drawn).
	Replay *Replay
}

// RankedBy returns the metric names of the objective.
func (s *Summary) RankedBy() []string {
	names := make([]string, len(s.Objective))
	for i, g := range s.Objective {
		names[i] = g.Metric
	}
	return names
}

// Input is what a summary is made from: values[v][rep] (from
// Collector.ValuesFor(Metrics)) of the named variants.
type Input struct {
	Scenario  string
	Seed      uint64
	Metrics   []Metric
	Names     []string
	Values    [][][]float64
	Objective []Goal
	Alpha     float64
	// Definitions, if set, says what each variant is (aligned with Names);
	// a Benchmark definition is never ranked.
	Definitions []*VariantDefinition
	// Replay, if set, is the log the incidents were replayed from.
	Replay *Replay
}

// Summarize aggregates values[v][rep] into a summary, ranks the variants
// by the objective (goals naming metrics the run does not have are left
// out) and compares them pairwise at level alpha.
func Summarize(scenario string, seed uint64, metrics []Metric, names []string, values [][][]float64, objective []Goal, alpha float64) *Summary {
	return Input{Scenario: scenario, Seed: seed, Metrics: metrics, Names: names, Values: values, Objective: objective, Alpha: alpha}.Summarize()
}

// Summarize is the package function Summarize with variant definitions.
func (in Input) Summarize() *Summary {
	s := &Summary{Scenario: in.Scenario, Seed: in.Seed, Metrics: in.Metrics, Alpha: in.Alpha, Replay: in.Replay}
	for _, g := range in.Objective { // goals naming unknown metrics are left out
		if s.Index(g.Metric) >= 0 && g.Weight > 0 {
			s.Objective = append(s.Objective, g)
		}
	}
	for v, name := range in.Names {
		vs := VariantSummary{Name: name, Reps: in.Values[v]}
		if v < len(in.Definitions) && in.Definitions[v] != nil {
			vs.Definition = in.Definitions[v]
			vs.Benchmark = vs.Definition.Benchmark
		}
		s.Replications = len(in.Values[v])
		col := make([]float64, len(in.Values[v]))
		for m := range in.Metrics {
			for r := range in.Values[v] {
				col[r] = in.Values[v][r][m]
			}
			vs.Estimates = append(vs.Estimates, estimate(col))
		}
		s.Variants = append(s.Variants, vs)
	}
	s.rank()
	s.compare()
	s.pareto()
	return s
}

// Index returns the position of the named metric, or -1.
func (s *Summary) Index(name string) int {
	return slices.IndexFunc(s.Metrics, func(m Metric) bool { return m.Name == name })
}
