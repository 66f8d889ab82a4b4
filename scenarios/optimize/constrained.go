package optimize

// The selection stage: KN on the objective, or, with constraints, the
// sequential feasibility test (objective.go) then KN among the feasible;
// with minimise: officer_hours, the cheapest candidate shown feasible.

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// byCost reports whether the objective is minimise: officer_hours: the
// candidates are then one a total, and the cheapest feasible wins.
func (pr *Problem) byCost() bool { return pr.Spec.Objective.Minimise == OfficerHours }

// candidates returns the scenario of cs as variants on the selection's
// alpha and objective: the objective's metric, or with minimise:
// officer_hours the first constraint's (when it can rank), as the ranking
// objective; seed, when not zero, replaces the scenario's.
func (pr *Problem) candidates(cs []Candidate, seed uint64) (*scenarios.Scenario, error) {
	f := pr.File(cs)
	if pr.Spec.Select.Alpha > 0 {
		f.Ranking.Alpha = pr.Spec.Select.Alpha
	}
	if seed != 0 {
		f.Seed = seed
	}
	o := pr.Spec.Objective
	rank := o.metric()
	if rank == OfficerHours {
		rank = ""
		if m := results.Metrics(pr.cfg); len(o.constraints) > 0 {
			if i := slices.IndexFunc(m, func(m results.Metric) bool { return m.Name == o.constraints[0].Metric }); i >= 0 && m[i].Better != results.Neutral {
				rank = o.constraints[0].Metric
			}
		}
	}
	if rank != "" {
		f.Ranking.Objective = []scenarios.Goal{{Metric: rank, Weight: 1}}
	}
	s, err := pr.scenario(f)
	if err != nil {
		return nil, fmt.Errorf("the candidates' scenario does not load: %w", err)
	}
	return s, nil
}

// selection is stage 2's outcome.
type selection struct {
	res    *run.Result
	dec    *run.Decision
	feas   *feasibility // nil without constraints
	chosen int          // the chosen variant, or −1: KN's rule (Run)
	// phase2 is the first replication of KN after the feasibility test
	// (constraints and an objective metric), else 0.
	phase2  int
	resumed int // replications the journal held when the run began
}

// decide runs stage 2 on s, the candidates' scenario: KN on the ranking
// objective without constraints; else the feasibility test, then KN
// among the candidates shown feasible on fresh replications, or with
// minimise: officer_hours the cheapest feasible.
func (pr *Problem) decide(ctx context.Context, s *scenarios.Scenario, cs []Candidate, opts Options) (*selection, error) {
	ro := run.Options{Workers: opts.Workers}
	resumed := 0
	if opts.Journal != "" {
		j, err := pr.newJournal(opts.Journal, s, cs, opts.Restart, false)
		if err != nil {
			return nil, err
		}
		defer j.Close()
		ro.Store, resumed = j, j.Resumed()
	}
	sel := pr.Spec.Select
	cons := pr.Spec.Objective.constraints
	if len(cons) == 0 {
		res, dec, err := run.ExecuteUntilDecided(ctx, s, ro, run.Decide{
			Delta: sel.Delta, First: sel.First, Max: sel.Max, Step: opts.Step})
		if err != nil {
			return nil, err
		}
		return &selection{res: res, dec: dec, chosen: -1, resumed: resumed}, nil
	}
	first, most, delta := sel.First, sel.Max, sel.Delta
	if first == 0 {
		first = run.DefaultFirst
	}
	if most == 0 {
		most = run.DefaultMaxReplications
	}
	if delta == 0 {
		delta = run.DefaultDelta
	}
	alpha := s.File.Ranking.Alpha
	k := len(s.Variants)
	out := &selection{chosen: -1, resumed: resumed}
	dec := &run.Decision{Delta: delta, First: first, Max: most, Alpha: alpha}
	out.dec = dec
	all := make([]string, k)
	for v := range k {
		all[v] = s.Variants[v].Name
	}
	if pr.byCost() {
		// The candidates are in order of officer-hours: stop once the
		// cheapest feasible is known, or every one is decided.
		f := newFeasibility(k, cons, alpha, first, most)
		out.feas = f
		res, n, err := run.ExecuteUntil(ctx, s, ro, first, most, func(x run.Replication) (bool, error) {
			looked := f.add(x)
			if opts.Step != nil {
				opts.Step(x.R+1, pending(f, all))
			}
			return looked && (f.cheapest() >= 0 || f.decided()), nil
		})
		if err != nil {
			return nil, err
		}
		out.res, dec.Replications = res, n
		dec.Alive = pending(f, all)
		if c := f.cheapest(); c >= 0 {
			out.chosen, dec.Decided, dec.Best = c, true, all[c]
		} else {
			out.chosen = fallback(f)
		}
		return out, nil
	}
	// The feasibility test on up to half the budget (alpha/2), then KN
	// (alpha/2) among the candidates shown feasible — or, when none is,
	// those not shown infeasible — on the replications after it.
	half := max(first, most/2)
	f := newFeasibility(k, cons, alpha/2, first, half)
	out.feas = f
	var kn *results.KN
	var in []int
	goals := s.Objective()
	res, n, err := run.ExecuteUntil(ctx, s, ro, first, most, func(x run.Replication) (bool, error) {
		if kn == nil {
			looked := f.add(x)
			if opts.Step != nil {
				opts.Step(x.R+1, pending(f, all))
			}
			if !looked || !(f.decided() || f.lastLook(x.R+1)) {
				return false, nil
			}
			for c, st := range f.status {
				if st == Feasible {
					in = append(in, c)
				}
			}
			if len(in) == 0 {
				for c, st := range f.status {
					if st == Undecided {
						in = append(in, c)
					}
				}
			}
			if len(in) == 0 {
				return true, nil // every candidate infeasible
			}
			out.phase2 = x.R + 1
			var err error
			kn, err = results.NewKN(len(in), first, alpha/2, delta)
			if err != nil {
				return false, err
			}
			if len(in) == 1 {
				return true, nil
			}
			return out.phase2+first > most, nil
		}
		costs := make([]float64, len(in))
		for i, v := range in {
			costs[i] = x.Cost(goals, v)
			if math.IsNaN(costs[i]) || math.IsInf(costs[i], 0) {
				costs[i] = math.Inf(1)
			}
		}
		done := kn.Add(costs)
		if opts.Step != nil {
			alive := make([]string, 0, len(in))
			for _, i := range kn.Alive() {
				alive = append(alive, all[in[i]])
			}
			opts.Step(x.R+1, alive)
		}
		return done, nil
	})
	if err != nil {
		return nil, err
	}
	out.res, dec.Replications = res, n
	switch {
	case len(in) == 0:
		dec.Alive = nil
		out.chosen = fallback(f)
	case len(in) == 1:
		dec.Alive = []string{all[in[0]]}
		out.chosen = in[0]
		dec.Decided, dec.Best = f.status[in[0]] == Feasible, all[in[0]]
	default:
		for _, i := range kn.Alive() {
			dec.Alive = append(dec.Alive, all[in[i]])
		}
		dec.Fixed = kn.FirstStageBound()
		if kn.Done() {
			c := in[kn.Alive()[0]]
			out.chosen = c
			dec.Decided, dec.Best = f.status[c] == Feasible, all[c]
		}
		// else KN's rule among those alive (Run)
	}
	return out, nil
}

// pending names the candidates not yet decided feasible or infeasible.
func pending(f *feasibility, all []string) []string {
	var out []string
	for c, st := range f.status {
		if st == Undecided {
			out = append(out, all[c])
		}
	}
	return out
}

// fallback is the candidate chosen when the test did not decide: the
// first shown feasible (a cheaper one is undecided: it may be feasible
// too), else the first undecided (the cheapest that may be feasible),
// else the last (the most units: every one is infeasible).
func fallback(f *feasibility) int {
	if c := slices.Index(f.status, Feasible); c >= 0 {
		return c
	}
	if c := slices.Index(f.status, Undecided); c >= 0 {
		return c
	}
	return len(f.status) - 1
}

// screenTotals is the screen for minimise: officer_hours: marginal
// allocation from every district at Min to the budget, with exchanges at
// each total (move one unit between districts while that lowers the
// score), keeping each total's best split whose queue is stable, in
// order of units. A total whose every split is unstable in the hypercube
// (calls outrun units) is not kept.
func (pr *Problem) screenTotals() (*Screened, error) {
	sr := pr.newSearch()
	out := sr.out
	cur := make([]int, len(pr.Names))
	for k := range cur {
		cur[k] = pr.Min
	}
	best, err := sr.eval(cur)
	if err != nil {
		return nil, err
	}
	for {
		out.Path = append(out.Path, best)
		if best, err = sr.exchange(best); err != nil {
			return nil, err
		}
		cur = best.Counts
		if !math.IsInf(best.Screen, 1) {
			out.Kept = append(out.Kept, best)
		}
		if best.Total() >= pr.Most {
			break
		}
		next, err := sr.add(cur)
		if err != nil {
			return nil, err
		}
		if next == nil {
			break
		}
		best, cur = *next, next.Counts
	}
	if len(out.Kept) == 0 {
		return nil, fmt.Errorf("screen: no total up to %d units has a finite mean response (the queue is unstable: too few units for the calls)", pr.Most)
	}
	return out, nil
}
