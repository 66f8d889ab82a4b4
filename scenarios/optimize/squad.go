package optimize

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
	"github.com/patrolsim/patrolsim/sim"
)

// squadData is what squad-size adds to a Problem: one slot a squad size,
// a candidate the count of that size the officer-hours afford (one slot
// non-zero).
type squadData struct {
	squads []int   // the squad sizes, one a slot
	hours  float64 // the decided type's shift hours a day
	// hoursBudget is the officer-hours a day: budget.officer_hours, or the
	// unit type's own count × squad × shift hours.
	hoursBudget float64
	// units is each squad size's units, ⌊OfficerHours / (squad × hours)⌋.
	units []int
	// mult is each squad size's units sent a call on average, Σ share ×
	// ⌈officers / squad⌉ (the screen counts a call needing m units as m
	// calls).
	mult []float64
}

// prepareSquad is Prepare for squad-size: any unit type; each squad size
// gets the units the officer-hours afford.
func (pr *Problem) prepareSquad(p *parser) (*Problem, error) {
	spec, base := pr.Spec, pr.Base
	f := base.File
	if len(p.list) > 0 {
		return nil, p.err()
	}
	u := f.Units[pr.unit]
	sq := &squadData{squads: slices.Clone(spec.Decision.Squads), hours: u.Shift.Hours}
	if len(sq.squads) == 0 {
		sq.squads = []int{1, 2}
	}
	pr.squadData = sq
	sq.hoursBudget = spec.Budget.OfficerHours
	if sq.hoursBudget == 0 {
		sq.hoursBudget = float64(u.Count*u.Squad) * u.Shift.Hours
	}
	for _, s := range sq.squads {
		n := int(math.Floor(sq.hoursBudget/(float64(s)*sq.hours) + 1e-9))
		if n < 1 {
			p.add("budget.officer_hours", "affords no %s unit of %d officers (%g officer-hours a day each; got %g)", u.Name, s, float64(s)*sq.hours, sq.hoursBudget)
		}
		if n > scenarios.MaxUnits {
			p.add("budget.officer_hours", "affords %d %s units of %d officers, more than the limit of %d", n, u.Name, s, scenarios.MaxUnits)
		}
		sq.units = append(sq.units, n)
		pr.Names = append(pr.Names, "squad "+strconv.Itoa(s))
		pr.Units = append(pr.Units, u.Name)
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	pr.PerUnit = float64(u.Squad) * u.Shift.Hours
	pr.Max = slices.Max(sq.units)
	single := f
	single.Check = yaml.Node{}
	single.Variants = []scenarios.Variant{f.Variants[pr.variant]}
	pr.split = single
	pr.load = loader(base)
	s, err := pr.scenario(single)
	if err != nil {
		return nil, fmt.Errorf("the scenario with its variant %q alone does not load: %w", single.Variants[0].Name, err)
	}
	pr.cfg = s.Variants[0].Model.Cfg
	pr.at = []int{slices.IndexFunc(pr.cfg.Units, func(x sim.UnitType) bool { return x.Name == u.Name })}
	for _, q := range sq.squads {
		var m float64
		for _, it := range pr.cfg.Incidents.Types {
			m += it.Share * float64((it.Officers+q-1)/q)
		}
		sq.mult = append(sq.mult, m)
	}
	if s.Variants[0].Mode == sim.PointToPoint {
		pr.delay = pr.cfg.Dispatch.Delay.Mean
	} else {
		for _, l := range pr.cfg.Dispatch.Levels {
			pr.delay += l.Delay.Mean
		}
	}
	return pr, nil
}

// slot is a squad-size candidate's squad size index.
func (sq *squadData) slot(c Candidate) int {
	return slices.IndexFunc(c.Counts, func(n int) bool { return n > 0 })
}

// candidateOf is the candidate of squad size index k.
func (sq *squadData) candidateOf(k int) Candidate {
	counts := make([]int, len(sq.squads))
	counts[k] = sq.units[k]
	return Candidate{Counts: counts}
}

// evaluateSquad scores a squad size by the hypercube of the force with
// the decided type at that size and count, every call's rate times the
// units a call needs on average at that size (a call of m officers takes
// ⌈m / squad⌉ units: counted as that many calls, which keeps the busy
// time right and ignores that they are sent together).
func (pr *Problem) evaluateSquad(c Candidate) (Candidate, error) {
	k := pr.slot(c)
	cfg := *pr.cfg
	cfg.Units = slices.Clone(pr.cfg.Units)
	cfg.Units[pr.at[0]].Count = c.Counts[k]
	cfg.Units[pr.at[0]].Squad = pr.squads[k]
	return pr.solve(c, &cfg, pr.mult[k], func(hm *hypercube.Model) float64 {
		var l float64
		for _, x := range hm.Rate {
			l += x
		}
		return l / float64(max(c.Counts[k], 1))
	})
}

// screenSquad scores every squad size (a handful: no search) and keeps
// the Keep best by score, then squad size.
func (pr *Problem) screenSquad() (*Screened, error) {
	out := &Screened{}
	var pool []Candidate
	for k := range pr.squads {
		c, err := pr.evaluate(pr.candidateOf(k).Counts)
		if err != nil {
			return nil, fmt.Errorf("screen %s: %w", pr.Name(c), err)
		}
		out.Evaluations++
		out.Path = append(out.Path, c)
		pool = append(pool, c)
	}
	slices.SortStableFunc(pool, func(a, b Candidate) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return cmp.Compare(pr.slot(a), pr.slot(b))
	})
	out.Kept = pool[:min(len(pool), pr.Spec.Screen.Keep)]
	return out, nil
}

// squadName: 36x1 (36 units of 1 officer).
func (pr *Problem) squadName(c Candidate) string {
	k := pr.slot(c)
	if k < 0 {
		return "none"
	}
	return strconv.Itoa(c.Counts[k]) + "x" + strconv.Itoa(pr.squads[k])
}

// squadFile is File for squad-size: the base variant once a candidate,
// each changing the decided type's count and squad.
func (pr *Problem) squadFile(cs []Candidate) scenarios.File {
	f := pr.split
	base := pr.split.Variants[0]
	f.Variants = nil
	for _, c := range cs {
		k := pr.slot(c)
		v := base
		v.Name = pr.Name(c)
		v.Units = map[string]scenarios.UnitOverride{}
		n, s := c.Counts[k], pr.squads[k]
		v.Units[pr.Spec.Decision.Unit] = scenarios.UnitOverride{Count: &n, Squad: &s}
		f.Variants = append(f.Variants, v)
	}
	return f
}

// squadChosen is Chosen for squad-size: the decided type with c's count
// and squad.
func (pr *Problem) squadChosen(c Candidate) scenarios.File {
	f := pr.split
	f.Units = slices.Clone(f.Units)
	k := pr.slot(c)
	f.Units[pr.unit].Count = c.Counts[k]
	f.Units[pr.unit].Squad = pr.squads[k]
	return f
}
