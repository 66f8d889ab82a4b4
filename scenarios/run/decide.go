package run

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
)

// Decide configures ExecuteUntilDecided.
type Decide struct {
	// Delta is the indifference zone, in the objective's units (seconds
	// of P1 p90 response for the default objective): a difference of
	// scores smaller than Delta is not worth telling apart. Zero means
	// DefaultDelta.
	Delta float64
	// First is the number of first-stage replications (n0 of Kim & Nelson
	// 2001), at least 2; zero means DefaultFirst.
	First int
	// Max is the budget: the most replications to run; zero means
	// DefaultMaxReplications.
	Max int
	// Step, if set, is called after each replication with its number (from
	// 1) and the variants still in contention.
	Step func(replications int, alive []string)
}

// Defaults of Decide.
const (
	DefaultDelta           = 10  // objective units: 10 s of P1 p90 response by default
	DefaultFirst           = 10  // first-stage replications (Kim & Nelson 2001 use n0 = 10 in their experiments)
	DefaultMaxReplications = 500 // budget
)

// Decision is how ExecuteUntilDecided ended.
type Decision struct {
	Decided      bool     // one variant is left: it is the best, or within Delta of it, with probability ≥ 1 − alpha
	Best         string   // that variant ("" when not decided)
	Alive        []string // the variants still in contention (all of them when the budget ended)
	Replications int      // replications run and summarised
	Delta        float64
	First        int
	Max          int
	Alpha        float64
	Dropped      []string // variants left out of the procedure: benchmarks, and scores that are not finite
	// Fixed is the number of replications after which KN's continuation
	// regions all close (max over pairs of h²·S²/δ², first-stage
	// variances): what a procedure taking a fixed number of replications
	// for the same guarantee would need (the bound of Kim & Nelson 2001,
	// close to Rinott's two-stage sample size).
	Fixed int
}

// ExecuteUntilDecided runs replications until the best variant is decided
// by Kim & Nelson's fully sequential procedure KN (results.KN) on the
// variants' scores — paired on common random numbers, probability of
// correct selection at least 1 − alpha (the scenario's ranking.alpha) when
// the best is better than every other by Delta or more — or until
// d.Max replications have run. Benchmarks take no part. The result is
// that of Execute over replications 0 … n−1, n the replication at which
// it stopped, so it is byte-identical to a run of n replications, for any
// worker count: replications run in batches on opts.Workers, but the
// procedure reads them one at a time, in order.
func ExecuteUntilDecided(ctx context.Context, s *scenarios.Scenario, opts Options, d Decide) (*Result, *Decision, error) {
	if d.Delta == 0 {
		d.Delta = DefaultDelta
	}
	if d.First == 0 {
		d.First = DefaultFirst
	}
	if d.Max == 0 {
		d.Max = DefaultMaxReplications
	}
	if !(d.Delta > 0) || d.First < 2 || d.Max < d.First {
		return nil, nil, fmt.Errorf("until decided: need delta > 0, at least 2 first-stage replications and a budget of at least those (got %g, %d, %d)", d.Delta, d.First, d.Max)
	}
	alpha := s.File.Ranking.Alpha
	dec := &Decision{Delta: d.Delta, First: d.First, Max: d.Max, Alpha: alpha}
	defs := s.Definitions()
	goals := s.Objective()
	var in []int // variants taking part
	for v := range s.Variants {
		if defs[v].Benchmark {
			dec.Dropped = append(dec.Dropped, s.Variants[v].Name)
			continue
		}
		in = append(in, v)
	}
	var kn *results.KN
	res, stop, err := ExecuteUntil(ctx, s, opts, d.First, d.Max, func(x Replication) (bool, error) {
		r := x.R + 1
		costs := make([]float64, len(in))
		for k, v := range in {
			costs[k] = x.Cost(goals, v)
		}
		if kn == nil {
			// Variants whose score is not finite in the first
			// replications cannot take part.
			if r == 1 {
				keep := in[:0:0]
				var kc []float64
				for k, v := range in {
					if isFinite(costs[k]) {
						keep, kc = append(keep, v), append(kc, costs[k])
					} else {
						dec.Dropped = append(dec.Dropped, s.Variants[v].Name)
					}
				}
				in, costs = keep, kc
			}
			if len(in) == 0 {
				return false, fmt.Errorf("until decided: no variant has a finite score")
			}
			var err error
			if kn, err = results.NewKN(len(in), d.First, alpha, d.Delta); err != nil {
				return false, err
			}
		}
		for k := range costs {
			if !isFinite(costs[k]) {
				costs[k] = math.Inf(1) // never answered: worse than any finite score
			}
		}
		done := kn.Add(costs)
		if d.Step != nil {
			d.Step(r, names(s, in, kn.Alive()))
		}
		return done, nil
	})
	if err != nil {
		return nil, nil, err
	}
	dec.Replications = stop
	dec.Alive = names(s, in, kn.Alive())
	dec.Fixed = kn.FirstStageBound()
	if kn.Done() {
		dec.Decided, dec.Best = true, dec.Alive[0]
	}
	return res, dec, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// names returns the names of variants in[k] for k in alive.
func names(s *scenarios.Scenario, in, alive []int) []string {
	out := make([]string, len(alive))
	for i, k := range alive {
		out[i] = s.Variants[in[k]].Name
	}
	return out
}

// merge combines the results of Executes over consecutive batches of
// replications into the result of one Execute over replications 0 … n−1;
// pools holds the response times by area of the replications whose
// RunDetails no longer do.
func merge(s *scenarios.Scenario, parts []*Result, n int, trace bool, pools []*results.AreaPool) *Result {
	nv := len(s.Variants)
	out := &Result{metrics: parts[0].metrics, values: make([][][]float64, nv), runDetails: make([][]results.RunDetails, nv), pools: pools}
	for _, p := range parts {
		for i, r := range p.Replications {
			if r >= n {
				break
			}
			out.Replications = append(out.Replications, r)
			for v := range nv {
				out.values[v] = append(out.values[v], p.values[v][i])
				out.runDetails[v] = append(out.runDetails[v], p.runDetails[v][i])
				if p.replay != nil {
					if out.replay == nil {
						out.replay = make([][]*replayed, nv)
					}
					out.replay[v] = append(out.replay[v], p.replay[v][i])
				}
			}
			out.Stats = append(out.Stats, p.Stats[i*nv:(i+1)*nv]...)
		}
		if trace {
			for _, row := range p.Trace {
				if row.Rep < n {
					out.Trace = append(out.Trace, row)
				}
			}
		}
	}
	if trace {
		index := map[string]int{}
		for v, sv := range s.Variants {
			index[sv.Name] = v
		}
		// Execute orders the trace by variant, then replication, then
		// incident; each part already is.
		slices.SortStableFunc(out.Trace, func(a, b results.TraceRow) int {
			if c := cmp.Compare(index[a.Variant], index[b.Variant]); c != 0 {
				return c
			}
			return cmp.Compare(a.Rep, b.Rep)
		})
	}
	out.summarise(s)
	return out
}
