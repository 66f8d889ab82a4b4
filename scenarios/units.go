package scenarios

// The force: unit types, shifts, homes, and the dispatch.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

func buildUnits(f *File, cfg *sim.Config, e *errs) []sim.UnitType {
	var out []sim.UnitType
	if len(f.Units) == 0 {
		e.add("units", "must list at least one unit type")
	}
	seen := map[string]bool{}
	total := 0
	badCount := false
	for i, u := range f.Units {
		path := fmt.Sprintf("units[%d]", i)
		ut := sim.UnitType{Name: u.Name, Count: u.Count, Squad: u.Squad, PostKind: u.PostKind, Visibility: u.Visibility}
		e.bound("units[].visibility", path+".visibility", u.Visibility)
		checkName(e, path+".name", "unit type", u.Name, seen)
		if !e.bound("units[].count", path+".count", float64(u.Count)) {
			badCount = true
		} else {
			total += u.Count
		}
		e.bound("units[].squad", path+".squad", float64(u.Squad))
		e.bound("units[].speed_kmh", path+".speed_kmh", u.SpeedKmh)
		e.bound("units[].patrol_speed_kmh", path+".patrol_speed_kmh", u.PatrolSpeedKmh)
		ut.Speed = u.SpeedKmh / 3.6
		ut.PatrolSpeed = ut.Speed
		if u.PatrolSpeedKmh > 0 {
			ut.PatrolSpeed = u.PatrolSpeedKmh / 3.6
		}
		ut.Turnout = f.Travel.Turnout.Seconds
		if u.Turnout != nil && u.Turnout.check(e, path+".turnout") {
			e.bound("units[].turnout", path+".turnout", u.Turnout.Seconds)
			ut.Turnout = u.Turnout.Seconds
		}
		if start, err := parseClock(u.Shift.Start); err != nil {
			e.add(path+".shift.start", "%v", err)
		} else {
			ut.ShiftStart = start
		}
		// Shifts are whole seconds, so that their boundaries are exact.
		ut.ShiftLen = math.Round(u.Shift.Hours * 3600)
		if !(ut.ShiftLen >= 60 && u.Shift.Hours <= 24) {
			e.add(path+".shift.hours", "must be at least 1 minute (0.0167) and at most 24 (got %g)", u.Shift.Hours)
		}
		switch u.Home {
		case "district":
			ut.Home = policy.HomeDistrict
		case "community":
			ut.Home = policy.HomeCommunity
		case "post":
			ut.Home = policy.HomePost
			if cfg.City != nil {
				n := 0
				for _, p := range cfg.City.Posts {
					if u.PostKind == "" || p.Kind == u.PostKind {
						n++
					}
				}
				if n == 0 {
					if u.PostKind == "" {
						e.add(path+".home", "home post needs posts in the city (city.posts or city.post_points)")
					} else {
						e.add(path+".post_kind", "no post of kind %q in the city", u.PostKind)
					}
				}
			}
		default:
			e.add(path+".home", "must be district, community or post (got %q)", u.Home)
		}
		if len(u.Districts) > 0 {
			if u.Home != "district" {
				e.add(path+".districts", "only for home: district (home is %s)", u.Home)
			} else if cfg.City != nil {
				seenD := map[int]bool{}
				for j, name := range u.Districts {
					d := slices.IndexFunc(cfg.City.Districts, func(x geo.District) bool { return x.Name == name })
					switch {
					case d < 0:
						e.add(fmt.Sprintf("%s.districts[%d]", path, j), "no district %q (districts: %s)", name, districtNames(cfg.City))
					case seenD[d]:
						e.add(fmt.Sprintf("%s.districts[%d]", path, j), "district %q listed twice", name)
					default:
						seenD[d] = true
						ut.Districts = append(ut.Districts, d)
					}
				}
			}
		}
		if u.PostKind != "" && u.Home != "post" {
			e.add(path+".post_kind", "only for home: post (home is %s)", u.Home)
		}
		for j, p := range u.Priorities {
			if p < 1 || p > 3 {
				e.add(fmt.Sprintf("%s.priorities[%d]", path, j), "must be 1, 2 or 3 (got %d)", p)
				continue
			}
			ut.Priorities[p] = true
		}
		out = append(out, ut)
	}
	switch {
	case badCount:
		return out // the totals below would only repeat the count error
	case total > MaxUnits:
		e.add("units", "%d units in all, more than the limit of %d", total, MaxUnits)
	case total == 0 && len(f.Units) > 0:
		e.add("units", "there must be at least one unit (every count is 0)")
	}
	// Every incident type needs unit types able to bring its officers.
	for i, t := range cfg.Incidents.Types {
		if t.Priority < 1 || t.Priority > 3 {
			continue
		}
		officers := 0
		for _, ut := range out {
			if ut.Priorities[t.Priority] {
				officers += ut.Count * ut.Squad
			}
		}
		if officers < t.Officers {
			e.add(fmt.Sprintf("incidents.types[%d].officers", i), "%s needs %s but the unit types taking priority %d have %d in all",
				t.Name, plural(t.Officers, "officer"), t.Priority, officers)
		}
	}
	return out
}

var clockRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

func parseClock(s string) (float64, error) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("must be a time of day HH:MM from 00:00 to 23:59 (got %q)", s)
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return float64(h*3600 + mm*60), nil
}

// districtNames lists the city's district names for a message.
func districtNames(c *geo.City) string {
	var names []string
	for _, d := range c.Districts {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func parseMode(s string) (sim.Mode, bool) {
	switch s {
	case "point-to-point":
		return sim.PointToPoint, true
	case "hierarchical":
		return sim.Hierarchical, true
	}
	return 0, false
}

func buildDispatch(d *Dispatch, units []Unit, at string, e *errs) sim.Dispatch {
	out := sim.Dispatch{Delay: buildDist(&d.Delay, at+".delay", true, e), MutualAid: d.MutualAid, LostCalls: d.LostCalls}
	if _, ok := parseMode(d.Mode); !ok {
		e.add(at+".mode", "must be point-to-point or hierarchical (got %q)", d.Mode)
	}
	if len(d.Levels) == 0 || len(d.Levels) > sim.MaxLevels {
		e.add(at+".levels", "must list 1 to %d command levels (got %d)", sim.MaxLevels, len(d.Levels))
	}
	seen := map[string]bool{}
	for i, l := range d.Levels {
		path := fmt.Sprintf("%s.levels[%d]", at, i)
		checkName(e, path+".name", "level", l.Name, seen)
		out.Levels = append(out.Levels, sim.Level{Name: l.Name, Delay: buildDist(&l.Delay, path+".delay", true, e)})
		if l.Servers != 0 {
			if e.bound("dispatch.levels[].servers", path+".servers", float64(l.Servers)) {
				out.LevelServers = resizeInts(out.LevelServers, i+1)
				out.LevelServers[i] = l.Servers
			}
		}
	}
	if d.CallTakers != 0 && e.bound("dispatch.call_takers", at+".call_takers", float64(d.CallTakers)) {
		out.CallTakers = d.CallTakers
	}
	out.CallTaking = buildDist(&d.CallTaking, at+".call_taking", true, e)
	switch d.Territory {
	case "", "none":
	case "station-first":
		out.Territory = true
	default:
		e.add(at+".territory", "must be none or station-first (got %q)", d.Territory)
	}
	if d.TerritoryPriorities == nil {
		out.TerritoryFor = [4]bool{false, true, true, true}
	}
	for j, p := range d.TerritoryPriorities {
		if p < 1 || p > 3 {
			e.add(fmt.Sprintf("%s.territory_priorities[%d]", at, j), "must be 1, 2 or 3 (got %d)", p)
			continue
		}
		out.TerritoryFor[p] = true
	}
	out.Station = make([]bool, len(units))
	if d.Stations == nil {
		for t, u := range units {
			out.Station[t] = u.Home == "post" && u.PostKind == "station"
		}
	}
	for j, name := range d.Stations {
		t := slices.IndexFunc(units, func(u Unit) bool { return u.Name == name })
		if t < 0 {
			e.add(fmt.Sprintf("%s.stations[%d]", at, j), "no unit type %q (units: %s)", name, unitNames(units))
			continue
		}
		out.Station[t] = true
	}
	if r := d.Reserve; r != nil {
		buildReserve(r, units, at+".reserve", &out, e)
		if d.LostCalls {
			e.add(at+".reserve", "cannot hold calls in a loss system (lost_calls: true)")
		}
	}
	if out.Territory && !slices.Contains(out.Station, true) {
		e.add(at+".territory", "station-first needs a police station's units: name them in %s.stations, or give a unit type home: post, post_kind: station", at)
	}
	return out
}

// buildReserve checks dispatch.reserve and sets it in out.
func buildReserve(r *Reserve, units []Unit, at string, out *sim.Dispatch, e *errs) {
	if len(r.Priorities) == 0 {
		e.add(at+".priorities", "must list the priorities held (2 or 3)")
	}
	for j, p := range r.Priorities {
		switch p {
		case 2, 3:
			out.ReserveFor[p] = true
		case 1:
			e.add(fmt.Sprintf("%s.priorities[%d]", at, j), "priority 1 cannot be held: the reserve is kept for it")
		default:
			e.add(fmt.Sprintf("%s.priorities[%d]", at, j), "must be 2 or 3 (got %d)", p)
		}
	}
	if e.bound("dispatch.reserve.free", at+".free", float64(r.Free)) {
		out.ReserveFree = r.Free
	}
	out.ReserveUnits = make([]bool, len(units))
	if r.Units == nil {
		for t, u := range units {
			out.ReserveUnits[t] = slices.Contains(u.Priorities, 1)
		}
	}
	for j, name := range r.Units {
		t := slices.IndexFunc(units, func(u Unit) bool { return u.Name == name })
		if t < 0 {
			e.add(fmt.Sprintf("%s.units[%d]", at, j), "no unit type %q (units: %s)", name, unitNames(units))
			continue
		}
		out.ReserveUnits[t] = true
	}
}

func resizeInts(s []int, n int) []int {
	for len(s) < n {
		s = append(s, 0)
	}
	return s
}

// checkForce checks that a variant's force can still answer every incident
// type.
func checkForce(c *sim.Config, path string, e *errs) {
	total := 0
	for _, ut := range c.Units {
		total += ut.Count
	}
	if total == 0 {
		e.add(path, "there must be at least one unit (every count is 0)")
	}
	if total > MaxUnits {
		e.add(path, "%d units in all, more than the limit of %d", total, MaxUnits)
	}
	for _, t := range c.Incidents.Types {
		officers := 0
		for _, ut := range c.Units {
			if ut.Priorities[t.Priority] {
				officers += ut.Count * ut.Squad
			}
		}
		if officers < t.Officers {
			e.add(path, "%s needs %s but the unit types taking priority %d have %d in all", t.Name, plural(t.Officers, "officer"), t.Priority, officers)
		}
	}
}

func hasUnit(units []Unit, name string) bool {
	for _, u := range units {
		if u.Name == name {
			return true
		}
	}
	return false
}

func unitNames(units []Unit) string {
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = u.Name
	}
	return strings.Join(names, ", ")
}
