package scenarios

// The ranking objective and the check: block, read by results.

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/sim"
)

// checkRanking validates the objective's metric names against the metrics
// the configuration produces.
func checkRanking(f *File, cfg *sim.Config, e *errs) {
	e.bound("ranking.alpha", "ranking.alpha", f.Ranking.Alpha)
	if cfg.City == nil || len(f.Ranking.Objective) == 0 {
		return
	}
	var names []string
	neutral := map[string]bool{}
	for _, m := range results.Metrics(cfg) {
		names = append(names, m.Name)
		neutral[m.Name] = m.Better == results.Neutral
	}
	for i, g := range f.Ranking.Objective {
		path := fmt.Sprintf("ranking.objective[%d]", i)
		if !slices.Contains(names, g.Metric) {
			msg := fmt.Sprintf("unknown metric %q", g.Metric)
			if s := closest(g.Metric, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (the metrics are the keys of results.json; see README)"
			}
			e.add(path+".metric", "%s", msg)
		} else if neutral[g.Metric] {
			e.add(path+".metric", "%s is neither better high nor low, so it cannot rank variants", g.Metric)
		}
		e.bound("ranking.objective[].weight", path+".weight", g.Weight)
	}
}

// Objective returns the ranking objective: the scenario's, or the default.
//
// The default is results.DefaultObjective (P1 p90 response against
// prevented incidents per 1,000 residents a month), or, when nothing can
// be prevented (deterrence off, or no deterrable incident type),
// results.ResponseObjective (P1 p90 response alone).
func (s *Scenario) Objective() []results.Goal {
	if len(s.File.Ranking.Objective) == 0 {
		if !s.Config.Deterrence.On || !slices.ContainsFunc(s.Config.Incidents.Types, func(t sim.IncidentType) bool { return t.Deterrable > 0 }) {
			return results.ResponseObjective
		}
		return results.DefaultObjective
	}
	out := make([]results.Goal, len(s.File.Ranking.Objective))
	for i, g := range s.File.Ranking.Objective {
		out[i] = results.Goal{Metric: g.Metric, Weight: g.Weight}
	}
	return out
}

// Definitions says what each variant is, for results.json: the policy of
// each unit type (with resolved parameters), the dispatch mode, the force
// overrides and whether it is a benchmark.
func (s *Scenario) Definitions() []*results.VariantDefinition {
	out := make([]*results.VariantDefinition, len(s.Variants))
	for i, v := range s.Variants {
		fv := s.File.Variants[i]
		d := &results.VariantDefinition{Policy: fv.Policy, Dispatch: v.Mode.String()}
		oracle := false
		for t, u := range s.File.Units {
			c := v.Policies[t]
			oracle = oracle || c.Spec.Oracle
			if _, ruled := fv.ByUnit[u.Name]; ruled {
				if d.ByUnit == nil {
					d.ByUnit = map[string]results.UnitPolicy{}
				}
				d.ByUnit[u.Name] = results.UnitPolicy{Policy: c.Spec.Name, Params: paramStrings(c)}
			} else if d.Params == nil {
				d.Params = paramStrings(c)
			}
		}
		d.Benchmark = oracle
		if fv.Benchmark != nil {
			d.Benchmark = *fv.Benchmark
		}
		for _, name := range sortedKeys(fv.Units) {
			o := fv.Units[name]
			m := map[string]string{}
			if o.Count != nil {
				m["count"] = strconv.Itoa(*o.Count)
			}
			if o.Squad != nil {
				m["squad"] = strconv.Itoa(*o.Squad)
			}
			if o.Shift != nil {
				m["shift.start"] = o.Shift.Start
				m["shift.hours"] = strconv.FormatFloat(o.Shift.Hours, 'g', -1, 64)
			}
			if d.Overrides == nil {
				d.Overrides = map[string]map[string]string{}
			}
			d.Overrides[name] = m
		}
		out[i] = d
	}
	return out
}

// paramStrings writes a policy's resolved parameters as the scenario file
// would.
func paramStrings(c sim.PolicyChoice) map[string]string {
	if len(c.Spec.Params) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, p := range c.Spec.Params {
		out[p.Name] = FormatParam(p, c.Params[p.Name])
	}
	return out
}

// checkBlock validates the check: block (read by results.ParseCheckNode,
// as a check file would be), its problems at the scenario's lines.
func checkBlock(f *File, e *errs) {
	if f.Check.Kind == 0 {
		return
	}
	_, err := results.ParseCheckNode(e.file, &f.Check)
	if err == nil {
		return
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	for _, err := range list {
		fe := FieldError{File: e.file, Path: "check", Msg: err.Error()}
		var p *results.CheckProblem
		if errors.As(err, &p) {
			fe.Line, fe.Msg = p.Line, p.Msg
			if p.Field != "" {
				fe.Path += "." + p.Field
			}
		}
		e.list = append(e.list, fe)
	}
}

// CheckConfig returns the scenario's check: block, or nil if it has none.
func (s *Scenario) CheckConfig() *results.CheckConfig {
	if s.File.Check.Kind == 0 {
		return nil
	}
	c, err := results.ParseCheckNode(s.Path, &s.File.Check)
	if err != nil {
		return nil // validated when loaded
	}
	return c
}
