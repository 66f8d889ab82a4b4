package scenarios

import (
	"math"
	"strconv"
	"strings"
)

// Limits refuse scenarios that would exhaust memory or time rather than
// answer a question.
const (
	MaxDays         = 3650
	MaxReplications = 100000
	MaxUnits        = 100000
	MaxAtoms        = 200000
	MaxIncidents    = 10_000_000 // expected incidents in one replication
	MaxEvents       = 5e9        // estimated events in one run of one variant
	MaxFileBytes    = 256 << 20  // any file a scenario reads, in bytes actually read
	MaxRoadTable    = 2 << 30    // bytes of a road travel table (geo.RoadTable.Bytes)
)

// A bound is the valid range of one number of a scenario file. Every
// numeric field with a range is declared once in bounds, and the loader
// checks it with one call (errs.bound), so the ranges can be read (and
// documented) in one place, as policy parameters are (policy.Param).
type bound struct {
	Min, Max float64
	// AboveMin and BelowMax exclude the ends: > Min, < Max.
	AboveMin, BelowMax bool
	// Duration: the value is seconds, written as a duration (1h).
	Duration bool
	// ZeroOK: 0 is valid too (it means "use the default").
	ZeroOK bool
	// Unit follows the maximum in messages (km/h, officers, metres).
	Unit string
	// Why is appended to the message: ", or incidents would multiply…".
	Why string
}

// bounds are the ranges of the scenario's numbers, by field path; [] stands
// for any list index. Ranges are wide: they refuse nonsense (a negative
// radius, a squad of 10,000), not unusual choices.
var bounds = map[string]bound{
	"duration":                        {Min: 0, AboveMin: true, Max: MaxDays * 86400, Duration: true},
	"replications":                    {Min: 1, Max: MaxReplications},
	"targets.p[]":                     {Min: 0, Max: math.Inf(1), Duration: true},
	"reporting.on_view_radius_m":      {Min: 0, Max: 5000},
	"reporting.observers.per_km2":     {Min: 0, Max: 1e5},
	"reporting.observers.radius_m":    {Min: 0, Max: 5000},
	"city.grid.cell_m":                {Min: 0, AboveMin: true, Max: 100000},
	"travel.detour":                   {Min: 1, Max: 5},
	"travel.turnout":                  {Min: 0, Max: 3600, Duration: true},
	"travel.speeds[]":                 {Min: 1, Max: 200, Unit: "km/h"},
	"travel.zone_m":                   {Min: 50, Max: 10000, ZeroOK: true, Unit: "metres"},
	"incidents.per_day":               {Min: 0, AboveMin: true, Max: math.Inf(1)},
	"incidents.profile[]":             {Min: 0, Max: 1e9},
	"incidents.types[].share":         {Min: 0, AboveMin: true, Max: 1},
	"incidents.types[].officers":      {Min: 1, Max: 100},
	"incidents.types[].deterrable":    {Min: 0, Max: 1},
	"incidents.near_repeat.offspring": {Min: 0, Max: 1, BelowMax: true, Why: ", or incidents would multiply without end"},
	"incidents.near_repeat.decay":     {Min: 0, AboveMin: true, Max: math.Inf(1), Duration: true},
	"incidents.near_repeat.radius_m":  {Min: 0, Max: 50000},
	"units[].visibility":              {Min: 0, Max: 10},
	"units[].count":                   {Min: 0, Max: MaxUnits},
	"units[].squad":                   {Min: 1, Max: 100, Unit: "officers"},
	"units[].speed_kmh":               {Min: 0.1, Max: 1000},
	"units[].patrol_speed_kmh":        {Min: 0.1, Max: 1000, ZeroOK: true, Why: ", or 0 for speed_kmh"},
	"units[].turnout":                 {Min: 0, Max: 3600, Duration: true},
	"dispatch.call_takers":            {Min: 0, Max: 10000, Unit: "call-takers"},
	"dispatch.levels[].servers":       {Min: 0, Max: 10000, Unit: "dispatchers"},
	"dispatch.reserve.free":           {Min: 0, Max: 10000, Unit: "units"},
	"deterrence.radius_m":             {Min: 0, Max: 5000},
	"deterrence.half_presence":        {Min: 0, AboveMin: true, Max: 1e6},
	"deterrence.residual_decay":       {Min: 0, AboveMin: true, Max: math.Inf(1), Duration: true},
	"deterrence.displaced_space":      {Min: 0, Max: 1},
	"deterrence.displaced_time":       {Min: 0, Max: 1},
	"deterrence.visible_above":        {Min: 0, Max: math.Inf(1)},
	"deterrence.diffusion":            {Min: 0, Max: 1},
	"ranking.alpha":                   {Min: 0, AboveMin: true, Max: 0.5},
	"ranking.objective[].weight":      {Min: 0, AboveMin: true, Max: 1e6},
}

// bound checks x against the range declared for key (a path of bounds)
// and records a problem at path if it is outside; it reports whether x is
// valid. A key missing from bounds is a programmer error.
func (e *errs) bound(key, path string, x float64) bool {
	b, ok := bounds[key]
	if !ok {
		panic("scenarios: no bound declared for " + key)
	}
	if b.contains(x) {
		return true
	}
	e.add(path, "must be %s%s (got %s)", b.describe(), b.Why, b.format(x))
	return false
}

func (b bound) contains(x float64) bool {
	if b.ZeroOK && x == 0 {
		return true
	}
	lo := x >= b.Min && !(b.AboveMin && x == b.Min)
	hi := x <= b.Max && !(b.BelowMax && x == b.Max)
	return lo && hi // false for NaN
}

// describe writes the range: "between 1 and 5", "> 0 and at most 1",
// ">= 0 and below 1", "> 0", "between 1 and 100 officers".
func (b bound) describe() string {
	lo, hi := b.format(b.Min), b.format(b.Max)
	unit := ""
	if b.Unit != "" {
		unit = " " + b.Unit
	}
	switch {
	case math.IsInf(b.Max, 1) && b.AboveMin:
		return "> " + lo + unit
	case math.IsInf(b.Max, 1):
		return ">= " + lo + unit
	case b.AboveMin && b.BelowMax:
		return "> " + lo + " and below " + hi + unit
	case b.AboveMin:
		return "> " + lo + " and at most " + hi + unit
	case b.BelowMax:
		return ">= " + lo + " and below " + hi + unit
	}
	return "between " + lo + " and " + hi + unit
}

// format writes a value as the scenario file would: a duration, or a
// number (100000, 0.5, 1e9, 1e-300).
func (b bound) format(x float64) string {
	if b.Duration {
		return FormatDuration(x)
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e6 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	return strings.NewReplacer("e+0", "e", "e+", "e", "e-0", "e-").Replace(s)
}
