package results

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a metric over replications: the mean and the 95% confidence
// interval of the mean (Student t with N−1 degrees of freedom). Fields are
// NaN when undefined: no replication had a value, or (for the interval)
// fewer than two did.
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
	if len(vals) < 2 {
		return e
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
	Estimates []Estimate  // aligned with Summary.Metrics
	Reps      [][]float64 // per replication, aligned with Summary.Metrics
}

// Summary is the result of a run of all variants over all replications.
type Summary struct {
	Scenario     string
	Seed         uint64
	Replications int
	RankedBy     []string // metric names of the objective, in priority order
	Metrics      []Metric
	Variants     []VariantSummary
}

// Objective is the default ranking: priority-1 90th-percentile response
// time, then overall mean response time (both lower is better).
var Objective = []string{"response_p90_s_p1", "response_mean_s"}

// Summarize aggregates values[v][rep] (from Collector.Values) into a
// summary and ranks the variants by Objective.
func Summarize(scenario string, seed uint64, metrics []Metric, names []string, values [][][]float64) *Summary {
	s := &Summary{Scenario: scenario, Seed: seed, Metrics: metrics, RankedBy: Objective}
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
	s.rank()
	return s
}

// Index returns the position of the named metric, or -1.
func (s *Summary) Index(name string) int {
	return slices.IndexFunc(s.Metrics, func(m Metric) bool { return m.Name == name })
}

func (s *Summary) rank() {
	order := make([]int, len(s.Variants))
	for i := range order {
		order[i] = i
	}
	key := func(v, k int) float64 {
		i := s.Index(s.RankedBy[k])
		if i < 0 || s.Variants[v].Estimates[i].Mean != s.Variants[v].Estimates[i].Mean {
			return math.Inf(1) // undefined ranks last
		}
		x := s.Variants[v].Estimates[i].Mean
		if s.Metrics[i].Better == Higher {
			x = -x
		}
		return x
	}
	slices.SortStableFunc(order, func(a, b int) int {
		for k := range s.RankedBy {
			if c := cmp.Compare(key(a, k), key(b, k)); c != 0 {
				return c
			}
		}
		return cmp.Compare(s.Variants[a].Name, s.Variants[b].Name)
	})
	for r, v := range order {
		s.Variants[v].Rank = r + 1
	}
}
