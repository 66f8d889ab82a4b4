package optimize

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/analytic"
)

// Floor is the staffing floor of shifts: units of the decided type on
// duty, at least, in each hour of the day. In YAML one number (every
// hour) or a list of 24 (00:00–01:00 first).
type Floor []int

// UnmarshalYAML reads a number or a list.
func (f *Floor) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var x int
		if err := n.Decode(&x); err != nil {
			return err
		}
		*f = Floor{x}
		return nil
	}
	var xs []int
	if err := n.Decode(&xs); err != nil {
		return err
	}
	*f = xs
	return nil
}

// at is the floor in hour h.
func (f Floor) at(h int) int {
	switch len(f) {
	case 0:
		return 0
	case 1:
		return f[0]
	}
	return f[h]
}

var startRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// shiftData is what shifts adds to a Problem: one slot a shift start, a
// candidate the units starting at each.
type shiftData struct {
	startSec   []float64 // each slot's start, seconds after midnight
	shiftHours float64   // the decided type's shift length
	floor      Floor
	// The screen's inputs, by hour of the day: the calls' rate (per
	// second, the week's mean at that hour), the units of the other types
	// on duty, and which slots are on duty.
	lambda [24]float64
	others [24]int
	on     [][24]bool // [slot][hour]
	// fullTravel is the hypercube's mean travel with every unit of the force
	// (nAll) on duty, seconds; onScene the mean time on scene.
	fullTravel, onScene float64
	nAll                int
}

// checkShifts is Parse's check of the shifts keys.
func (p *parser) checkShifts(s *Spec) {
	d := s.Decision
	if len(d.Starts) < 2 {
		p.add("decision.starts", "give at least two shift starts (HH:MM) to choose from (got %d)", len(d.Starts))
	}
	for i, st := range d.Starts {
		if !startRE.MatchString(st) {
			p.add(fmt.Sprintf("decision.starts[%d]", i), "must be a time of day HH:MM from 00:00 to 23:59 (got %q)", st)
		} else if slices.Index(d.Starts, st) < i {
			p.add(fmt.Sprintf("decision.starts[%d]", i), "start %s listed twice", st)
		}
	}
	if len(d.Starts) > MaxKeep*5 {
		p.add("decision.starts", "at most %d starts (got %d)", MaxKeep*5, len(d.Starts))
	}
	if n := len(d.Floor); n != 0 && n != 1 && n != 24 {
		p.add("decision.floor", "must be one number (every hour) or 24, one an hour from 00:00 (got %d)", n)
	}
	for i, x := range d.Floor {
		if x < 0 {
			p.add("decision.floor", "must be at least 0 units (got %d at [%d])", x, i)
		}
	}
	if d.Candidates != "" || len(d.Districts) > 0 || len(d.Squads) > 0 || d.Min != 0 {
		p.add("decision", "shifts takes unit, starts, floor, count and max (candidates, districts, squads and min are for the other kinds)")
	}
	if s.Budget.OfficerHours != 0 || s.Budget.Units != 0 {
		p.add("budget", "shifts keeps decision.count units (default: the unit type's count): give no budget")
	}
	if s.Screen.Method == "" {
		s.Screen.Method = Hourly
	}
	if s.Screen.Method != Hourly {
		p.add("screen.method", "must be %s for shifts (got %q)", Hourly, s.Screen.Method)
	}
	if s.Screen.Busy != nil {
		p.add("screen.busy", "is for the screens of post-sites")
	}
}

func clockSeconds(s string) float64 {
	m := startRE.FindStringSubmatch(s)
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return float64(h*3600 + mm*60)
}

// prepareShifts is Prepare for shifts: the decided type (home: district,
// a shift shorter than a day) is split into one type per start, each with
// its count; the hour-by-hour inputs of the screen are computed once.
func (pr *Problem) prepareShifts(p *parser) (*Problem, error) {
	spec, base := pr.Spec, pr.Base
	f := base.File
	d := spec.Decision
	if len(p.list) > 0 {
		return nil, p.err()
	}
	u := f.Units[pr.unit]
	switch {
	case u.Home != "district":
		p.add("decision.unit", "unit type %q is homed at %s: shifts splits a type with home: district by start", d.Unit, u.Home)
	case len(u.Districts) > 0:
		p.add("decision.unit", "unit type %q lists its districts (%s): shifts splits a type homed in every district", d.Unit, strings.Join(u.Districts, ", "))
	case u.Shift.Hours >= 24:
		p.add("decision.unit", "unit type %q is on duty round the clock (shift.hours 24): give the shift length in the scenario, shifts chooses its starts", d.Unit)
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	sd := &shiftData{shiftHours: u.Shift.Hours, floor: d.Floor}
	pr.shiftData = sd
	pr.PerUnit = float64(u.Squad) * u.Shift.Hours
	pr.Most = u.Count
	if d.Count > 0 {
		pr.Most = d.Count
	}
	pr.Min, pr.Max = 0, pr.Most
	if d.Max > 0 {
		pr.Max = min(d.Max, pr.Most)
	}
	seen := map[string]bool{}
	for _, x := range f.Units {
		seen[x.Name] = true
	}
	for _, st := range d.Starts {
		name := strings.ReplaceAll(st, ":", "")
		if len(name) == 3 {
			name = "0" + name
		}
		pr.Names = append(pr.Names, name)
		un := d.Unit + "-" + name
		for k := 2; seen[un]; k++ {
			un = d.Unit + "-" + name + "-" + strconv.Itoa(k)
		}
		seen[un] = true
		pr.Units = append(pr.Units, un)
		sd.startSec = append(sd.startSec, clockSeconds(st))
	}
	// Which starts cover each hour (its middle), and the floor's
	// feasibility: an hour with a floor must be covered by some start, and
	// the floor cannot exceed the units.
	sd.on = make([][24]bool, len(pr.Names))
	for h := range 24 {
		mid := float64(h)*3600 + 1800
		covered := false
		for k, s := range sd.startSec {
			sd.on[k][h] = math.Mod(mid-s+86400, 86400) < sd.shiftHours*3600
			covered = covered || sd.on[k][h]
		}
		if fl := sd.floor.at(h); fl > 0 && !covered {
			p.add("decision.floor", "hour %02d:00–%02d:00 needs %d units but no start of %s covers it (shifts of %g h)", h, (h+1)%24, fl, strings.Join(d.Starts, ", "), sd.shiftHours)
		}
		if fl := sd.floor.at(h); fl > min(pr.Most, pr.Max*len(pr.Names)) {
			p.add("decision.floor", "hour %02d:00 needs %d units, more than the %d decided", h, fl, pr.Most)
			break
		}
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	// The split scenario.
	sf := pr.splitFile(func(k int, v *scenarios.Unit) {
		v.Shift.Start = d.Starts[k]
		v.Count = 0
	})
	pr.split = sf
	pr.load = loader(base)
	probe := sf
	probe.Units = slices.Clone(sf.Units)
	for i := range probe.Units {
		if slices.Contains(pr.Units, probe.Units[i].Name) {
			probe.Units[i].Count = 1
		}
	}
	s, err := pr.scenario(probe)
	if err != nil {
		return nil, fmt.Errorf("the scenario with %s split by shift start does not load: %w", d.Unit, err)
	}
	pr.cfg = s.Variants[0].Model.Cfg
	for _, un := range pr.Units {
		pr.at = append(pr.at, slices.IndexFunc(pr.cfg.Units, func(x sim.UnitType) bool { return x.Name == un }))
	}
	if s.Variants[0].Mode == sim.PointToPoint {
		pr.delay = pr.cfg.Dispatch.Delay.Mean
	} else {
		for _, l := range pr.cfg.Dispatch.Levels {
			pr.delay += l.Delay.Mean
		}
	}
	// The hour's rates: the week's mean at that hour, near-repeat
	// offspring at their long-run rate (as the hypercube takes them).
	rate := pr.cfg.RateFunc()
	boost := 1.0
	if m := pr.cfg.NearRepeat.Offspring; m > 0 && m < 1 {
		boost = 1 / (1 - m)
	}
	for h := range 24 {
		var sum float64
		for day := range 7 {
			t := float64(day)*86400 + float64(h)*3600 + 1800
			for a := range pr.cfg.City.Atoms {
				sum += rate(a, t)
			}
		}
		sd.lambda[h] = sum / 7 * boost
	}
	// The other types' units on duty, hour by hour.
	for _, un := range s.Variants[0].Model.World.Units {
		ut := &pr.cfg.Units[un.Type]
		if slices.Contains(pr.Units, ut.Name) {
			continue
		}
		for h := range 24 {
			if ut.OnDutyAt(float64(h)*3600 + 1800) {
				sd.others[h]++
			}
		}
	}
	// The mean travel of the whole force on duty: one hypercube model of
	// the base variant (every unit at its home, the decided type at its
	// count).
	hm, err := hypercube.New(&scenarios.Scenario{File: base.File, Config: base.Config, Variants: base.Variants[pr.variant : pr.variant+1]}, false)
	if err != nil {
		return nil, fmt.Errorf("the screen's hypercube: %w", err)
	}
	res, err := hm.Solve(len(hm.Units) <= exactUnits)
	if err != nil {
		return nil, fmt.Errorf("the screen's hypercube of %s with every unit on duty: %w", base.Path, err)
	}
	sd.fullTravel, sd.onScene, sd.nAll = res.TravelMean, hm.OnScene, len(hm.Units)
	return pr, nil
}

// shiftScore scores shift counts hour by hour: in hour h, n_h units are
// on duty (the decided type's by their starts, the others by their
// shifts), the calls come at the hour's rate λ_h, and the mean response
// is the dispatch delay + the M/M/n_h queue's wait (Erlang C) + a travel
// that grows as the units thin out, by the square-root law: the whole
// force's hypercube travel × √(N / n_h) (Kolesar & Blum 1973: the
// distance to the nearest of n units scattered over an area goes as
// 1/√n; turnout scaled with it, a small overstatement). The score is
// the mean over the day, hours weighted by λ_h, in seconds. A candidate below the floor in some hour, or whose queue is
// unstable in some hour, scores +Inf, its strain the units it lacks
// (floor shortfall plus the load beyond the units), so that the search
// first fills the gaps.
func (pr *Problem) shiftScore(c Candidate) Candidate {
	sd := pr.shiftData
	var sum, total, lack float64
	for h := range 24 {
		n := 0
		for k, x := range c.Counts {
			if sd.on[k][h] {
				n += x
			}
		}
		if short := sd.floor.at(h) - n; short > 0 {
			lack += float64(short)
		}
		all := n + sd.others[h]
		l := sd.lambda[h]
		if all == 0 {
			lack += 1 + l*sd.onScene
			continue
		}
		travel := sd.fullTravel * math.Sqrt(float64(sd.nAll)/float64(all))
		mu := 1 / (sd.onScene + travel)
		if l >= float64(all)*mu {
			lack += l/mu - float64(all) + 1
			continue
		}
		sum += l * (pr.delay + analytic.MMcWait(all, l, mu) + travel)
		total += l
	}
	c.Method = "hourly"
	if lack > 0 {
		c.Screen, c.strain, c.Method = math.Inf(1), lack, "below floor or unstable"
		return c
	}
	c.Screen = sum / total
	return c
}
