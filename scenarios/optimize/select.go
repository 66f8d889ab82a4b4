package optimize

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// Options control Run.
type Options struct {
	// Workers is how many replications run at once (0: all cores). The
	// outcome does not depend on it.
	Workers int
	// Step, if set, is called after each replication of the selection
	// with its number and the candidates still in contention.
	Step func(replications int, alive []string)

	// Journal, if set, is the file that keeps the selection's finished
	// replications (JournalFile in the output folder): a rerun reads
	// them instead of simulating them again, and its outcome is the same.
	// Restart empties it first.
	Journal string
	Restart bool

	seed uint64 // when not zero, replaces the scenario's seed (tests)
}

// Scored is a kept candidate with the simulation's estimates.
type Scored struct {
	Candidate
	Name         string
	OfficerHours float64            // a day
	Response     results.Estimate   // simulated mean response, seconds (response_mean_s), 95% interval
	Objective    results.Estimate   // simulated objective cost (the ranking's: P1 p90 response in seconds by default), 95% interval
	Goals        []results.Estimate // each goal's metric, aligned with Outcome.Goals
	// VsChosen is the paired difference of objective cost, this candidate
	// minus the chosen one, over the same replications (common random
	// numbers), with its 95% interval: above zero, the chosen is better.
	VsChosen  results.Estimate
	InBestSet bool // MCB: no other candidate is significantly better
	Alive     bool // still in contention when KN stopped
	// Status is the candidate's feasibility under the objective's
	// constraints (Undecided without constraints), Bounds each
	// constraint's metric: its mean and the feasibility test's bounds at
	// its last look (Outcome.Feasibility).
	Status Status
	Bounds []results.Estimate

	variant int // the candidate's variant in Outcome.Scenario and Result
}

// Outcome is what Run found.
type Outcome struct {
	Problem  *Problem
	Screened *Screened
	Decision *run.Decision
	Result   *run.Result // the selection's run of the kept candidates
	Scenario *scenarios.Scenario
	Goals    []results.Goal
	// Phase2 is the first replication of KN after the feasibility test
	// (constraints and an objective metric), else 0.
	Phase2 int
	feas   *feasibility // the feasibility test, nil without constraints
	// Resumed is how many replications the journal held when the
	// selection began (printed, never written: the files do not depend
	// on it).
	Resumed int
	// Candidates are the kept ones, the chosen first, then by simulated
	// objective.
	Candidates []Scored
	Chosen     Scored
	// Seconds spent in each stage (wall clock: a budget, not a result;
	// it is left out of the written files' determinism).
	ScreenSeconds, SelectSeconds float64
}

// Run screens and selects. The chosen candidate is KN's when it decided,
// else the one of lowest mean objective cost among those still in
// contention (stated as undecided).
func (pr *Problem) Run(ctx context.Context, opts Options) (*Outcome, error) {
	out := &Outcome{Problem: pr}
	t0 := time.Now()
	screen := pr.Screen
	if pr.byCost() {
		screen = pr.screenTotals
	}
	sc, err := screen()
	if err != nil {
		return nil, err
	}
	out.Screened = sc
	out.ScreenSeconds = time.Since(t0).Seconds()
	t1 := time.Now()
	s, err := pr.candidates(sc.Kept, opts.seed)
	if err != nil {
		return nil, err
	}
	out.Scenario = s
	out.Goals = s.Objective()
	sel, err := pr.decide(ctx, s, sc.Kept, opts)
	if err != nil {
		return nil, err
	}
	res, dec := sel.res, sel.dec
	out.SelectSeconds = time.Since(t1).Seconds()
	out.Result, out.Decision, out.Phase2, out.feas, out.Resumed = res, dec, sel.phase2, sel.feas, sel.resumed
	sum := res.Summary
	costs := make([][]float64, len(sc.Kept))
	for v := range sc.Kept {
		costs[v] = objectiveCosts(sum, out.Goals, v)
	}
	mean := func(v int) float64 {
		e := results.EstimateOf(costs[v])
		if e.N == 0 {
			return math.Inf(1)
		}
		return e.Mean
	}
	alive := map[string]bool{}
	for _, n := range dec.Alive {
		alive[n] = true
	}
	chosen := sel.chosen
	for v := range sc.Kept {
		if sel.chosen >= 0 {
			break
		}
		name := pr.Name(sc.Kept[v])
		if dec.Decided && name == dec.Best {
			chosen = v
			break
		}
		if !dec.Decided && alive[name] && (chosen < 0 || mean(v) < mean(chosen)) {
			chosen = v
		}
	}
	if chosen < 0 {
		return nil, fmt.Errorf("selection: no candidate has a finite objective")
	}
	// The best set among the candidates not shown infeasible.
	var among []int
	for v := range sc.Kept {
		if sel.feas == nil || sel.feas.status[v] != Infeasible {
			among = append(among, v)
		}
	}
	inBest := make([]bool, len(sc.Kept))
	if len(among) > 0 {
		sub := make([][]float64, len(among))
		for i, v := range among {
			sub[i] = costs[v]
		}
		if best, _ := results.MultipleComparisonsWithBest(finite(sub), s.File.Ranking.Alpha); best != nil {
			for i, v := range among {
				inBest[v] = best.In[i]
			}
		}
	}
	respIdx := sum.Index("response_mean_s")
	for v, c := range sc.Kept {
		sv := Scored{Candidate: c, Name: pr.Name(c), OfficerHours: pr.OfficerHours(c), Alive: alive[pr.Name(c)], variant: v}
		if respIdx >= 0 {
			sv.Response = sum.Variants[v].Estimates[respIdx]
		}
		sv.Objective = results.EstimateOf(costs[v])
		for _, g := range out.Goals {
			if i := sum.Index(g.Metric); i >= 0 {
				sv.Goals = append(sv.Goals, sum.Variants[v].Estimates[i])
			} else {
				sv.Goals = append(sv.Goals, results.Estimate{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()})
			}
		}
		diff := make([]float64, len(costs[v]))
		for r := range diff {
			diff[r] = costs[v][r] - costs[chosen][r]
		}
		sv.VsChosen = results.EstimateOf(diff)
		sv.InBestSet = inBest[v]
		if f := sel.feas; f != nil {
			sv.Status = f.status[v]
			for j := range f.cons {
				sv.Bounds = append(sv.Bounds, results.Estimate{Mean: f.mean[v][j], Low: f.low[v][j], High: f.high[v][j], N: f.n})
			}
		}
		out.Candidates = append(out.Candidates, sv)
	}
	out.Chosen = out.Candidates[chosen]
	// The chosen first, then by mean objective, then by name.
	order := make([]Scored, 0, len(out.Candidates))
	order = append(order, out.Candidates[chosen])
	rest := append([]Scored(nil), out.Candidates[:chosen]...)
	rest = append(rest, out.Candidates[chosen+1:]...)
	if pr.byCost() {
		slices.SortStableFunc(rest, func(a, b Scored) int {
			return cmp.Or(cmp.Compare(a.Total(), b.Total()), strings.Compare(a.Name, b.Name))
		})
	} else {
		sortScored(rest)
	}
	out.Candidates = append(order, rest...)
	return out, nil
}

// objectiveCosts is variant v's objective cost in each replication: Σ
// weight · direction · value over the goals, as the ranking and KN score
// it; NaN where a goal's value is missing.
func objectiveCosts(sum *results.Summary, goals []results.Goal, v int) []float64 {
	out := make([]float64, len(sum.Variants[v].Reps))
	for r, rep := range sum.Variants[v].Reps {
		var c float64
		for _, g := range goals {
			m := sum.Index(g.Metric)
			if m < 0 {
				continue
			}
			d := 1.0
			if sum.Metrics[m].Better == results.Higher {
				d = -1
			}
			c += g.Weight * d * rep[m]
		}
		out[r] = c
	}
	return out
}

// finite replaces non-finite costs by a large finite one (never answered:
// worse than any answer), for MCB, which needs finite costs.
func finite(costs [][]float64) [][]float64 {
	out := make([][]float64, len(costs))
	for v, xs := range costs {
		out[v] = make([]float64, len(xs))
		for r, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				x = 1e12
			}
			out[v][r] = x
		}
	}
	return out
}
