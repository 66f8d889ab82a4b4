package optimize

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
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

// Hours are the shift lengths of shifts: one number or a list.
type Hours []float64

// UnmarshalYAML reads a number or a list.
func (hs *Hours) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var x float64
		if err := n.Decode(&x); err != nil {
			return err
		}
		*hs = Hours{x}
		return nil
	}
	var xs []float64
	if err := n.Decode(&xs); err != nil {
		return err
	}
	*hs = xs
	return nil
}

// Pattern is a shift pattern of shifts: a start (HH:MM) and a length.
type Pattern struct {
	Start string  `yaml:"start"`
	Hours float64 `yaml:"hours"`
}

// patterns reports whether d decides shift lengths too (hours or shifts
// given): the units then follow from a budget of officer-hours.
func (d Decision) patterns() bool { return len(d.Hours) > 0 || len(d.Shifts) > 0 }

var startRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// shiftData is what shifts adds to a Problem: one slot a shift start, a
// candidate the units starting at each.
type shiftData struct {
	startSec   []float64 // each slot's start, seconds after midnight
	shiftHours float64   // the decided type's shift length
	floor      Floor
	// With shift lengths (decision.hours or decision.shifts): each
	// slot's start (HH:MM) and length, its officer-hours a day (squad ×
	// length), and the budget of officer-hours a day. slotHours is nil
	// without lengths (every slot at shiftHours, a fixed count).
	slotStart []string
	slotHours []float64
	slotCost  []float64
	budget    float64
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
	switch {
	case len(d.Shifts) > 0 && (len(d.Starts) > 0 || len(d.Hours) > 0):
		p.add("decision.shifts", "give shifts (patterns of start and hours) or starts (with hours), not both")
	case len(d.Shifts) > 0:
		if len(d.Shifts) < 2 {
			p.add("decision.shifts", "give at least two shift patterns ({start: HH:MM, hours: H}) to choose from (got %d)", len(d.Shifts))
		}
		for i, x := range d.Shifts {
			field := fmt.Sprintf("decision.shifts[%d]", i)
			if !startRE.MatchString(x.Start) {
				p.add(field+".start", "must be a time of day HH:MM from 00:00 to 23:59 (got %q)", x.Start)
			}
			if !(x.Hours > 0 && x.Hours < 24) {
				p.add(field+".hours", "must be a shift length above 0 and below 24 hours (got %g)", x.Hours)
			}
			if slices.Index(d.Shifts, x) < i {
				p.add(field, "shift %s for %g h listed twice", x.Start, x.Hours)
			}
		}
		if len(d.Shifts) > MaxKeep*5 {
			p.add("decision.shifts", "at most %d patterns (got %d)", MaxKeep*5, len(d.Shifts))
		}
	default:
		switch {
		case len(d.Hours) == 0 && len(d.Starts) < 2:
			p.add("decision.starts", "give at least two shift starts (HH:MM) to choose from (got %d)", len(d.Starts))
		case len(d.Hours) > 0 && len(d.Starts)*len(d.Hours) < 2:
			p.add("decision.starts", "give starts and hours that make at least two shift patterns (got %d starts × %d lengths)", len(d.Starts), len(d.Hours))
		}
		for i, st := range d.Starts {
			if !startRE.MatchString(st) {
				p.add(fmt.Sprintf("decision.starts[%d]", i), "must be a time of day HH:MM from 00:00 to 23:59 (got %q)", st)
			} else if slices.Index(d.Starts, st) < i {
				p.add(fmt.Sprintf("decision.starts[%d]", i), "start %s listed twice", st)
			}
		}
		for i, h := range d.Hours {
			if !(h > 0 && h < 24) {
				p.add(fmt.Sprintf("decision.hours[%d]", i), "must be a shift length above 0 and below 24 hours (got %g)", h)
			} else if slices.Index(d.Hours, h) < i {
				p.add(fmt.Sprintf("decision.hours[%d]", i), "length %g listed twice", h)
			}
		}
		if len(d.Starts)*max(1, len(d.Hours)) > MaxKeep*5 {
			p.add("decision.starts", "at most %d patterns, starts × hours (got %d)", MaxKeep*5, len(d.Starts)*max(1, len(d.Hours)))
		}
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
		p.add("decision", "shifts takes unit, starts, hours, shifts, floor, count and max (candidates, districts, squads and min are for the other kinds)")
	}
	switch {
	case d.patterns() && d.Count != 0:
		p.add("decision.count", "with shift lengths (hours or shifts) the budget decides the units: give budget.officer_hours (default: the unit type's own, count × squad × shift hours) instead of count (got %d)", d.Count)
	case d.patterns() && s.Budget.Units != 0:
		p.add("budget.units", "with shift lengths a unit's cost depends on its length: give budget.officer_hours instead of units (got %d)", s.Budget.Units)
	case !d.patterns() && (s.Budget.OfficerHours != 0 || s.Budget.Units != 0):
		p.add("budget", "shifts keeps decision.count units (default: the unit type's count): give no budget, or give hours (or shifts) to decide lengths within budget.officer_hours")
	}
	if s.Objective.Minimise == OfficerHours {
		p.add("objective.minimise", "shifts spends its budget: minimise or maximise a metric instead (officer_hours is for unit-counts)")
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
	// The slots: the starts at the type's length, or the patterns.
	starts, hours := d.Starts, []float64(nil)
	switch {
	case len(d.Shifts) > 0:
		starts = nil
		for _, x := range d.Shifts {
			starts, hours = append(starts, x.Start), append(hours, x.Hours)
		}
	case len(d.Hours) > 0:
		starts = nil
		for _, st := range d.Starts {
			for _, h := range d.Hours {
				starts, hours = append(starts, st), append(hours, h)
			}
		}
	}
	if hours != nil {
		sd.slotStart, sd.slotHours = starts, hours
		for _, h := range hours {
			sd.slotCost = append(sd.slotCost, float64(u.Squad)*h)
		}
		sd.budget = spec.Budget.OfficerHours
		if sd.budget == 0 {
			sd.budget = float64(u.Count) * pr.PerUnit
		}
		// The most units: all at the cheapest pattern.
		pr.Most = int(math.Floor(sd.budget/slices.Min(sd.slotCost) + 1e-9))
		if pr.Most < 1 {
			p.add("budget.officer_hours", "affords no %s unit: the shortest pattern costs %g officer-hours a day (squad %d × %g h; got %g)", d.Unit, slices.Min(sd.slotCost), u.Squad, slices.Min(hours), sd.budget)
			return nil, p.err()
		}
		pr.Most = min(pr.Most, scenarios.MaxUnits)
	}
	pr.Min, pr.Max = 0, pr.Most
	if d.Max > 0 {
		pr.Max = min(d.Max, pr.Most)
	}
	seen := map[string]bool{}
	for _, x := range f.Units {
		seen[x.Name] = true
	}
	for k, st := range starts {
		name := strings.ReplaceAll(st, ":", "")
		if len(name) == 3 {
			name = "0" + name
		}
		if hours != nil {
			name += "_" + strconv.FormatFloat(hours[k], 'g', -1, 64) + "h"
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
	floorSum := 0
	for h := range 24 {
		mid := float64(h)*3600 + 1800
		covered := false
		for k, s := range sd.startSec {
			sd.on[k][h] = math.Mod(mid-s+86400, 86400) < sd.hoursOf(k)*3600
			covered = covered || sd.on[k][h]
		}
		floorSum += sd.floor.at(h)
		if fl := sd.floor.at(h); fl > 0 && !covered {
			if hours != nil {
				p.add("decision.floor", "hour %02d:00–%02d:00 needs %d units but no shift pattern (%s) covers it", h, (h+1)%24, fl, pr.patternText())
			} else {
				p.add("decision.floor", "hour %02d:00–%02d:00 needs %d units but no start of %s covers it (shifts of %g h)", h, (h+1)%24, fl, strings.Join(d.Starts, ", "), sd.shiftHours)
			}
		}
		if fl := sd.floor.at(h); fl > min(pr.Most, pr.Max*len(pr.Names)) {
			if hours != nil {
				p.add("decision.floor", "hour %02d:00 needs %d units, more than the %d the budget of %g officer-hours a day affords", h, fl, min(pr.Most, pr.Max*len(pr.Names)), sd.budget)
			} else {
				p.add("decision.floor", "hour %02d:00 needs %d units, more than the %d decided", h, fl, pr.Most)
			}
			break
		}
	}
	// With lengths, the floor needs Σ floor unit-hours on duty a day, each
	// unit-hour squad officer-hours: a budget below that cannot meet it.
	if need := float64(floorSum * u.Squad); hours != nil && len(p.list) == 0 && need > sd.budget+1e-9 {
		field, of := "budget.officer_hours", ""
		if spec.Budget.OfficerHours == 0 {
			field, of = "decision.floor", fmt.Sprintf(" (the default budget: %d units × %g)", u.Count, pr.PerUnit)
		}
		p.add(field, "%g officer-hours a day%s cannot meet the floor: its %d unit-hours on duty a day need at least %g (squad %d)", sd.budget, of, floorSum, need, u.Squad)
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	// The split scenario.
	sf := pr.splitFile(func(k int, v *scenarios.Unit) {
		v.Shift.Start = starts[k]
		if hours != nil {
			v.Shift.Hours = hours[k]
		}
		v.Count = 0
	})
	pr.split = sf
	pr.load = loader(base)
	s, err := pr.probe(1, "split by shift start")
	if err != nil {
		return nil, err
	}
	pr.locate(s)
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
	if err := pr.prepareObjective(); err != nil {
		return nil, err
	}
	return pr, nil
}

// hoursOf is slot k's shift length.
func (sd *shiftData) hoursOf(k int) float64 {
	if sd.slotHours != nil {
		return sd.slotHours[k]
	}
	return sd.shiftHours
}

// patternText lists the patterns: "07:00 8 h, 19:00 12 h".
func (sd *shiftData) patternText() string {
	parts := make([]string, len(sd.slotStart))
	for k := range parts {
		parts[k] = fmt.Sprintf("%s %g h", sd.slotStart[k], sd.slotHours[k])
	}
	return strings.Join(parts, ", ")
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

// lengths reports whether pr decides shift lengths (hours or shifts
// given): a budget of officer-hours, each slot its own cost.
func (pr *Problem) lengths() bool { return pr.shiftData != nil && pr.slotHours != nil }

// maxMixes bounds the length mixes screenLengths searches.
const maxMixes = 20000

// screenLengths is the screen of shifts with lengths. A candidate's cost
// is Σ units × squad × length; the budget is spent in whole units. The
// search splits in two: the length mix (how many units of each length)
// is enumerated, every mix the budget affords to which no unit of any
// length can be added (more units on duty never raise the hourly score);
// for each mix the starts are searched as with one length: greedy
// addition (the unit, of a length the mix still lacks, that lowers the
// score most, ties to the earlier pattern), then exchanges between
// patterns of the same length (the best move first, while one lowers the
// score). The kept candidates are the Keep best of every mix's
// candidates met, by score then counts.
func (pr *Problem) screenLengths() (*Screened, error) {
	sd := pr.shiftData
	// The lengths, in order of first appearance, and each slot's.
	var lens []float64
	group := make([]int, len(pr.Names))
	for k, h := range sd.slotHours {
		g := slices.Index(lens, h)
		if g < 0 {
			g = len(lens)
			lens = append(lens, h)
		}
		group[k] = g
	}
	cost := make([]float64, len(lens))
	capG := make([]int, len(lens))
	for k, g := range group {
		cost[g] = sd.slotCost[k]
		capG[g] += pr.Max
	}
	// Every maximal mix within the budget.
	var mixes [][]int
	mix := make([]int, len(lens))
	var walk func(g int, left float64) error
	walk = func(g int, left float64) error {
		if g == len(lens) {
			for j := range lens {
				if mix[j] < capG[j] && cost[j] <= left+1e-9 {
					return nil // a unit of length j still fits: not maximal
				}
			}
			if len(mixes) == maxMixes {
				return fmt.Errorf("screen: more than %d mixes of shift lengths within %g officer-hours a day; give fewer lengths or a smaller budget", maxMixes, sd.budget)
			}
			mixes = append(mixes, slices.Clone(mix))
			return nil
		}
		for n := 0; n <= capG[g] && float64(n)*cost[g] <= left+1e-9; n++ {
			mix[g] = n
			if err := walk(g+1, left-float64(n)*cost[g]); err != nil {
				return err
			}
		}
		mix[g] = 0
		return nil
	}
	if err := walk(0, sd.budget); err != nil {
		return nil, err
	}
	// One mix's candidates at a time (memory: a mix of 60 units over 15
	// patterns meets thousands), the pool the best Keep of the mixes so far.
	var seen map[string]Candidate
	var pool []Candidate
	out := &Screened{}
	eval := func(counts []int) Candidate {
		k := fmt.Sprint(counts)
		if c, ok := seen[k]; ok {
			return c
		}
		c := pr.shiftScore(Candidate{Counts: slices.Clone(counts)})
		out.Evaluations++
		seen[k] = c
		return c
	}
	mixOf := func(counts []int) string {
		m := make([]int, len(lens))
		for k, n := range counts {
			m[group[k]] += n
		}
		return fmt.Sprint(m)
	}
	order := func(a, b Candidate) int {
		if c := cmp.Compare(a.Screen, b.Screen); c != 0 {
			return c
		}
		return slices.Compare(a.Counts, b.Counts)
	}
	D := len(pr.Names)
	for _, want := range mixes {
		seen = map[string]Candidate{}
		cur := make([]int, D)
		have := make([]int, len(lens))
		var best Candidate
		for {
			var next *Candidate
			for k := range D {
				if have[group[k]] >= want[group[k]] || cur[k] >= pr.Max {
					continue
				}
				try := slices.Clone(cur)
				try[k]++
				c := eval(try)
				if next == nil || better(c, *next) {
					next = &c
				}
			}
			if next == nil {
				break
			}
			best, cur = *next, next.Counts
			for k := range D {
				have[group[k]] = 0
			}
			for k, n := range cur {
				have[group[k]] += n
			}
		}
		for range 1000 { // each exchange strictly lowers the score
			var next *Candidate
			for from := range D {
				for to := range D {
					if from == to || group[from] != group[to] || cur[from] == 0 || cur[to] >= pr.Max {
						continue
					}
					try := slices.Clone(cur)
					try[from]--
					try[to]++
					c := eval(try)
					if better(c, best) && (next == nil || better(c, *next)) {
						next = &c
					}
				}
			}
			if next == nil {
				break
			}
			best, cur = *next, next.Counts
		}
		out.Path = append(out.Path, best)
		// This mix's complete candidates join the pool.
		full := fmt.Sprint(want)
		for _, c := range seen {
			if mixOf(c.Counts) == full && !math.IsInf(c.Screen, 1) {
				pool = append(pool, c)
			}
		}
		slices.SortFunc(pool, order)
		pool = pool[:min(len(pool), pr.Spec.Screen.Keep)]
	}
	out.Kept = pool
	if len(out.Kept) == 0 {
		return nil, fmt.Errorf("screen: no mix of the shift patterns within %g officer-hours a day meets the floor with a stable queue in every hour (%d mixes of lengths searched)", sd.budget, len(mixes))
	}
	return out, nil
}

// lengthCost is c's officer-hours a day with shift lengths.
func (pr *Problem) lengthCost(c Candidate) float64 {
	var sum float64
	for k, n := range c.Counts {
		sum += float64(n) * pr.slotCost[k]
	}
	return sum
}
