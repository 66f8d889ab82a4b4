package results

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/sim"
)

// The metric registry: every metric is declared once, below, with its
// name, kind, direction, label, description and computation; a family of
// metrics (one per priority, unit type, incident type, district or unit)
// is one declaration too. Everything that lists, computes, formats or
// checks a metric reads its declaration: the collector's values, the
// terminal table, results.json, check's tolerances and output, the report
// and the what-if page (through results.json), and docs/metrics.md.
//
// Adding a metric is one declaration with its computation, placed last
// (the registry's order is the order of the columns of replications.csv
// and of the sweeps' rows; new metrics go at the end so that existing
// columns keep their places), plus whatever the collector must count for
// it.

// Better says which direction of a metric is an improvement.
type Better int

const (
	Neutral Better = iota
	Lower
	Higher
)

// String is the direction as the files write it: lower, higher or
// neutral.
func (b Better) String() string { return betterName(b) }

// Kind is what a metric measures. It sets the unit its values are stored
// in, how they are shown, and the metric's default tolerance in check.
type Kind int

const (
	KindUnknown Kind = iota // not declared (a metric read from an older baseline, say)
	KindTime                // a duration: stored in seconds, shown in minutes
	KindShare               // a share: stored in [0, 1], shown in percent
	KindCount               // a number of things (incidents, areas); its mean over replications may be fractional
	KindRatio               // a ratio without unit that is not a share (a coefficient of variation)
	KindRate                // events per 1,000 residents per 30 days
)

var kindNames = [...]string{KindUnknown: "unknown", KindTime: "time", KindShare: "share", KindCount: "count", KindRatio: "ratio", KindRate: "rate"}

// String is the kind's name: time, share, count, ratio (unknown).
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return kindNames[KindUnknown]
	}
	return kindNames[k]
}

// Unit is the unit values of the kind are stored in (results.json,
// replications.csv, baselines): s, fraction (in [0, 1]), count or ratio.
func (k Kind) Unit() string {
	switch k {
	case KindTime:
		return "s"
	case KindShare:
		return "fraction"
	case KindCount:
		return "count"
	case KindRatio:
		return "ratio"
	case KindRate:
		return "per 1000 residents per 30 d"
	}
	return ""
}

// Format is how the values of a kind are shown on every screen (terminal
// table, check, report, what-if page): Scale × the stored value with
// Digits decimals, in Unit.
type Format struct {
	Unit   string  // the shown unit, for headers: "min", "%"; "" for none
	Scale  float64 // from the stored unit to the shown one
	Digits int     // decimals of a mean
}

// Format returns the kind's display format: times in minutes (2
// decimals), shares in percent (1 decimal), counts whole, ratios with 2
// decimals. An unknown kind is shown as stored, with 3 decimals.
func (k Kind) Format() Format {
	switch k {
	case KindTime:
		return Format{Unit: "min", Scale: 1.0 / 60, Digits: 2}
	case KindShare:
		return Format{Unit: "%", Scale: 100, Digits: 1}
	case KindCount:
		return Format{Scale: 1, Digits: 0}
	case KindRatio:
		return Format{Scale: 1, Digits: 2}
	case KindRate:
		return Format{Unit: "/1000/30 d", Scale: 1, Digits: 3}
	}
	return Format{Scale: 1, Digits: 3}
}

// Metric is one metric: its declaration in the registry, for one key of
// its family. Metrics returns them; a Metric{Name, Better} built by hand
// (tests, baselines) takes the rest of its description from the registry
// by name (Describe).
type Metric struct {
	Name   string // the contract name: a key of results.json, a column of replications.csv; never renamed
	Doc    string // what it measures, a line
	Better Better
	Kind   Kind   // KindUnknown: not in the registry
	Label  string // short, for tables, charts and the page ("P1 response, p90"); the unit is the Format's
	Table  bool   // a row of the terminal table (the JSON and CSV files have every metric)

	decl *decl  // the declaration that computes it; nil if not declared
	key  string // the key of its family, as in the name ("1", a unit type's name…)
}

// PerUnit reports whether the metric is one unit's (utilization_unit_UNIT):
// it exists only for the forces that have that unit, so baselines and
// checks, which compare the same metrics run after run, leave it out.
func (m Metric) PerUnit() bool { return m.decl != nil && m.decl.over == perUnit }

// Unit is the unit the metric's values are stored in: s, fraction, count
// or ratio ("" when unknown).
func (m Metric) Unit() string { return m.Kind.Unit() }

// Format is how the metric's values are shown.
func (m Metric) Format() Format { return m.Kind.Format() }

// Header is the metric's label with its shown unit: "P1 response, p90
// (min)", "visibility (%)", "incidents called in".
func (m Metric) Header() string {
	label := m.Label
	if label == "" {
		label = m.Name
	}
	if u := m.Format().Unit; u != "" {
		return label + " (" + u + ")"
	}
	return label
}

// Text shows a value in the metric's format, without unit: "5.46" for 327.6
// seconds, "84.3" for a share of 0.843; "–" when undefined, "∞" when
// infinite (a percentile beyond the answered calls).
func (m Metric) Text(x float64) string {
	f := m.Format()
	switch {
	case math.IsNaN(x):
		return "–"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	}
	return strconv.FormatFloat(x*f.Scale, 'f', f.Digits, 64)
}

// Cell shows an estimate as the terminal table and the what-if page do:
// "5.46 ± 0.26", the mean ± the half-width of its 95% interval; the mean
// alone without an interval; "–" when undefined, "∞ (unanswered)" when
// infinite.
func (m Metric) Cell(e Estimate) string {
	f := m.Format()
	if e.Mean != e.Mean {
		return "–"
	}
	if math.IsInf(e.Mean, 1) {
		return "∞ (unanswered)"
	}
	mean := e.Mean * f.Scale
	if e.Low != e.Low {
		return strconv.FormatFloat(mean, 'f', f.Digits, 64)
	}
	hw := math.Abs((e.High - e.Mean) * f.Scale)
	return strconv.FormatFloat(mean, 'f', f.Digits, 64) + " ± " + strconv.FormatFloat(hw, 'f', f.Digits, 64)
}

// Describe returns m completed from its declaration when m was built by
// name alone (Metric{Name, Better}): kind, label, doc and table flag.
// m's Better is kept: it is what the caller (a baseline file, say) says.
// A name the registry does not declare stays KindUnknown, labelled by its
// name.
func Describe(m Metric) Metric {
	if m.decl != nil {
		return m
	}
	d, ok := Lookup(m.Name)
	if !ok {
		if m.Label == "" {
			m.Label = m.Name
		}
		return m
	}
	d.Better = m.Better
	if m.Doc != "" {
		d.Doc = m.Doc
	}
	return d
}

// Metrics lists the metrics of a configuration in the registry's order:
// the order of columns in replications.csv and of rows in tables. They
// are the same for every force of the configuration's unit types (every
// variant, every point of a sweep), so the per-unit metrics
// (utilization_unit_UNIT) are not among them: RunMetrics adds them.
func Metrics(cfg *sim.Config) []Metric {
	var ms []Metric
	for i := range registry {
		f := &registry[i]
		if f.over == perUnit {
			continue
		}
		ms = f.appendMetrics(ms, cfg, f.over.keys(cfg))
	}
	return ms
}

// RunMetrics is Metrics(cfg) and the per-unit metrics of the units of
// every variant (their union, by unit type and number: a variant without
// unit car-9 has no value for utilization_unit_car-9), in the registry's
// order. A run that lists them gets them in results.json and
// replications.csv; the terminal table leaves them out.
func RunMetrics(cfg *sim.Config, variants []sim.Variant) []Metric {
	// The union by number: as many units of each type as the variant with
	// the most.
	most := make([]int, len(cfg.Units))
	for _, v := range variants {
		count := make([]int, len(cfg.Units))
		for _, u := range v.Model.World.Units {
			if u.Type < len(count) {
				count[u.Type]++
			}
		}
		for t := range most {
			most[t] = max(most[t], count[t])
		}
	}
	var units []string
	for t, ut := range cfg.Units {
		for n := 1; n <= most[t]; n++ {
			units = append(units, unitID(ut.Name, n))
		}
	}
	ms := Metrics(cfg)
	for i := range registry {
		if f := &registry[i]; f.over == perUnit {
			ms = f.appendMetrics(ms, cfg, units)
		}
	}
	return ms
}

// unitID names the n-th unit (from 1) of a unit type as the trace does
// (UnitNames): "car-3".
func unitID(unitType string, n int) string { return unitType + "-" + strconv.Itoa(n) }

// Lookup returns the declared metric of that name, without a
// configuration: a single metric by its name, a family's by its pattern
// (response_p90_s_p1, utilization_car, utilization_unit_car-3). When two
// families match, the one with the longer fixed part wins
// (utilization_unit_car-3 is a unit's, not a unit type's). ok is false for
// a name no declaration matches.
func Lookup(name string) (m Metric, ok bool) {
	best := -1
	for i := range registry {
		f := &registry[i]
		for j := range f.decls {
			d := &f.decls[j]
			pre, suf, _ := strings.Cut(d.name, "{k}")
			var key string
			if f.over == single {
				if name != d.name {
					continue
				}
			} else {
				if len(name) <= len(pre)+len(suf) || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, suf) {
					continue
				}
				key = name[len(pre) : len(name)-len(suf)]
				if !f.over.valid(key) {
					continue
				}
			}
			if n := len(pre) + len(suf); n > best {
				best, m, ok = n, d.metric(nil, key), true
			}
		}
	}
	return m, ok
}

// Reference lists every declaration for the metric reference
// (docs/metrics.md): a family's with its key as a placeholder in braces
// (response_p90_s_p{P}, utilization_{UNIT_TYPE}), and which keys it has.
func Reference() []RefEntry {
	var out []RefEntry
	for i := range registry {
		f := &registry[i]
		for j := range f.decls {
			d := &f.decls[j]
			ph := f.over.placeholder()
			m := d.metric(nil, ph)
			e := RefEntry{Metric: m, Keys: f.over.describe()}
			if d.when != nil {
				e.When = d.whenDoc
			}
			out = append(out, e)
		}
	}
	return out
}

// RefEntry is one declaration in the metric reference.
type RefEntry struct {
	Metric        // Name and Label with the family's placeholder
	Keys   string // the family's keys in words; "" for a single metric
	When   string // which keys have the metric, when not all
}

// over is what a family ranges over.
type over int

const (
	single          over = iota // one metric
	perPriority                 // P: 1, 2, 3
	perUnitType                 // UNIT_TYPE: the names of units[]
	perIncidentType             // TYPE: the names of incidents.types[]
	perDistrict                 // DISTRICT: the districts' names
	perUnit                     // UNIT: TYPE-N, the units of the force (RunMetrics)
)

// placeholder stands for the family's key in the metric reference.
func (o over) placeholder() string {
	return [...]string{"", "{P}", "{UNIT_TYPE}", "{TYPE}", "{DISTRICT}", "{UNIT}"}[o]
}

// describe says what the family's keys are, for the metric reference.
func (o over) describe() string {
	return [...]string{"",
		"{P}: each priority, 1, 2, 3",
		"{UNIT_TYPE}: each unit type (`units[].name`)",
		"{TYPE}: each incident type (`incidents.types[].name`)",
		"{DISTRICT}: each district",
		"{UNIT}: each unit of the forces run, `UNIT_TYPE-N` with N from 1 within its type, as in trace.csv",
	}[o]
}

// keys returns the family's keys in cfg, as they appear in names.
func (o over) keys(cfg *sim.Config) []string {
	var ks []string
	switch o {
	case single:
		ks = []string{""}
	case perPriority:
		ks = []string{"1", "2", "3"}
	case perUnitType:
		for _, u := range cfg.Units {
			ks = append(ks, u.Name)
		}
	case perIncidentType:
		for _, t := range cfg.Incidents.Types {
			ks = append(ks, t.Name)
		}
	case perDistrict:
		for _, d := range cfg.City.Districts {
			ks = append(ks, d.Name)
		}
	}
	return ks
}

// valid reports whether key may be a key of the family (for Lookup, which
// has no configuration).
func (o over) valid(key string) bool {
	switch o {
	case perPriority:
		return key == "1" || key == "2" || key == "3"
	case perUnit:
		i := strings.LastIndexByte(key, '-')
		n, err := strconv.Atoi(key[i+1:])
		return i > 0 && err == nil && n >= 1
	}
	return key != ""
}

// index returns the position of key in the collector's run: the priority,
// or the index of the unit type, incident type, district or unit; -1 if
// the run has none of that name.
func (o over) index(c *Collector, key string) int {
	cfg := c.cfg
	switch o {
	case single:
		return 0
	case perPriority:
		p, _ := strconv.Atoi(key)
		return p
	case perUnitType:
		for t := range cfg.Units {
			if cfg.Units[t].Name == key {
				return t
			}
		}
	case perIncidentType:
		for t := range cfg.Incidents.Types {
			if cfg.Incidents.Types[t].Name == key {
				return t
			}
		}
	case perDistrict:
		for d := range cfg.City.Districts {
			if cfg.City.Districts[d].Name == key {
				return d
			}
		}
	case perUnit:
		if u, ok := c.unitIndex[key]; ok {
			return u
		}
	}
	return -1
}

// family is a group of declarations over the keys of one kind of thing,
// listed key by key (for P = 1, 2, 3: every declaration of priority 1,
// then of 2…).
type family struct {
	over  over
	decls []decl
}

// decl declares a metric, or one per key of its family: name, label and
// doc hold {k} where the key goes.
type decl struct {
	name, label, doc string
	kind             Kind
	better           Better
	table            bool                                   // a row of the terminal table
	docf             func(cfg *sim.Config, k string) string // a doc that needs the configuration (cfg nil: without one, for Lookup and the reference)
	when             func(cfg *sim.Config, k string) bool   // whether key k has the metric; nil: every key
	windowed         bool                                   // counted per zero_window: the label says the window
	whenDoc          string                                 // when, in words, for the reference
	over             over                                   // its family's (set by init)
	value            func(c *Collector, i int) float64      // the value in a run; i is the key's index (over.index)
}

func (d *decl) metric(cfg *sim.Config, key string) Metric {
	sub := func(s string) string { return strings.ReplaceAll(s, "{k}", key) }
	m := Metric{Name: sub(d.name), Label: sub(d.label), Doc: sub(d.doc), Better: d.better, Kind: d.kind, Table: d.table, decl: d, key: key}
	if d.docf != nil {
		m.Doc = d.docf(cfg, key)
	}
	if d.windowed && cfg != nil && cfg.ZeroWindow > 0 {
		m.Label += " (" + windowText(cfg.ZeroWindow) + ")" // e.g. "(7 d)": a mean over windows of 7 days
	}
	return m
}

// windowText is a window in seconds as a label says it: whole days in
// days ("7 d"), else hours ("36 h").
func windowText(s float64) string {
	if d := s / 86400; d == math.Trunc(d) {
		return strconv.FormatFloat(d, 'f', -1, 64) + " d"
	}
	return strconv.FormatFloat(s/3600, 'f', -1, 64) + " h"
}

func (f *family) appendMetrics(ms []Metric, cfg *sim.Config, keys []string) []Metric {
	for _, k := range keys {
		for j := range f.decls {
			d := &f.decls[j]
			if d.when == nil || d.when(cfg, k) {
				ms = append(ms, d.metric(cfg, k))
			}
		}
	}
	return ms
}

// priority is the priority of a perPriority key.
func priority(k string) int {
	p, _ := strconv.Atoi(k)
	return p
}

func init() {
	for i := range registry {
		for j := range registry[i].decls {
			registry[i].decls[j].over = registry[i].over
		}
	}
}

// registry declares every metric, in order. Do not reorder: the order is
// that of the columns of replications.csv and rows.csv. Add new metrics at
// the end.
var registry = []family{
	{single, []decl{
		{name: "incidents", label: "incidents called in", kind: KindCount, better: Neutral, table: true,
			doc:   "incidents whose call came in the window",
			value: func(c *Collector, _ int) float64 { return float64(c.counted()) }},
		{name: "unresolved", label: "unresolved", kind: KindCount, better: Lower, table: true,
			doc:   "of those, not cleared by the end of the run (arrivals stop at duration; the run then drains for up to 7 days)",
			value: func(c *Collector, _ int) float64 { return float64(c.unresolved) }},
		{name: "lost_share", label: "lost calls", kind: KindShare, better: Lower,
			doc:   "share of those lost because no unit was free (dispatch.lost_calls)",
			value: func(c *Collector, _ int) float64 { return ratio(float64(c.lost), float64(c.counted())) }},
		{name: "response_mean_s", label: "response, mean", kind: KindTime, better: Lower, table: true,
			doc:   "call received → first unit on scene, mean over answered calls",
			value: func(c *Collector, _ int) float64 { return c.dist(0)[0] }},
		{name: "response_median_s", label: "response, median", kind: KindTime, better: Lower, table: true,
			doc:   "response time, median (empirical quantile; an unanswered call counts as infinitely late, so the value is infinite, null in results.json, when too many are unanswered)",
			value: func(c *Collector, _ int) float64 { return c.dist(0)[1] }},
		{name: "response_p90_s", label: "response, p90", kind: KindTime, better: Lower, table: true,
			doc:   "response time, 90th percentile (as the median)",
			value: func(c *Collector, _ int) float64 { return c.dist(0)[2] }},
	}},
	{perPriority, []decl{
		{name: "response_mean_s_p{k}", label: "P{k} response, mean", kind: KindTime, better: Lower, table: true,
			doc:   "response time of priority-{k} calls, mean",
			value: func(c *Collector, p int) float64 { return c.dist(p)[0] }},
		{name: "response_median_s_p{k}", label: "P{k} response, median", kind: KindTime, better: Lower,
			doc:   "response time of priority-{k} calls, median",
			value: func(c *Collector, p int) float64 { return c.dist(p)[1] }},
		{name: "response_p90_s_p{k}", label: "P{k} response, p90", kind: KindTime, better: Lower, table: true,
			doc:   "response time of priority-{k} calls, 90th percentile",
			value: func(c *Collector, p int) float64 { return c.dist(p)[2] }},
		{name: "within_target_p{k}", label: "P{k} within target", kind: KindShare, better: Higher, table: true,
			docf: func(cfg *sim.Config, k string) string {
				if cfg == nil {
					return "share of priority-" + k + " calls answered within the target (targets.p" + k + "; an unanswered call is a miss)"
				}
				return fmt.Sprintf("share of priority-%s calls answered within %gs", k, cfg.Targets[priority(k)])
			},
			when:    func(cfg *sim.Config, k string) bool { return cfg.Targets[priority(k)] > 0 },
			whenDoc: "priorities with a target",
			value: func(c *Collector, p int) float64 {
				if c.byPriority[p] == 0 {
					return math.NaN()
				}
				// Unanswered calls count as missed.
				return float64(c.within[p]) / float64(c.byPriority[p])
			}},
	}},
	{single, []decl{
		{name: "command_delay_mean_s", label: "command delay", kind: KindTime, better: Lower, table: true,
			doc:   "call received → ready for dispatch, mean",
			value: func(c *Collector, _ int) float64 { return c.cmd.mean() }},
		{name: "queue_wait_mean_s", label: "queue wait", kind: KindTime, better: Lower, table: true,
			doc:   "ready for dispatch → first unit sent, mean",
			value: func(c *Collector, _ int) float64 { return c.qwait.mean() }},
		{name: "travel_mean_s", label: "travel", kind: KindTime, better: Lower, table: true,
			doc:   "first unit sent → first unit on scene (turnout included), mean",
			value: func(c *Collector, _ int) float64 { return c.travel.mean() }},
		{name: "full_strength_mean_s", label: "to full strength", kind: KindTime, better: Lower, table: true,
			doc:   "call received → enough officers on scene, mean",
			value: func(c *Collector, _ int) float64 { return c.ful.mean() }},
		{name: "utilization", label: "utilisation", kind: KindShare, better: Neutral, table: true,
			doc: "share of on-duty unit time spent on calls (sent → cleared), all units",
			value: func(c *Collector, _ int) float64 {
				var busy, duty float64
				for t := range c.busy {
					busy += c.busy[t]
					duty += c.duty[t]
				}
				return ratio(busy, duty)
			}},
		{name: "cross_district_share", label: "sent across districts", kind: KindShare, better: Lower,
			doc:   "share of units sent that are homed in another district than the incident's",
			value: func(c *Collector, _ int) float64 { return ratio(float64(c.cross), float64(c.sent)) }},
		{name: "outside_beat_share", label: "sent outside their beat", kind: KindShare, better: Lower,
			doc:   "share of units with a beat sent to an incident outside their beat",
			value: func(c *Collector, _ int) float64 { return ratio(float64(c.outsideBeat), float64(c.withBeat)) }},
	}},
	{perUnitType, []decl{
		{name: "utilization_{k}", label: "utilisation, {k}", kind: KindShare, better: Neutral,
			doc:   "share of on-duty time on calls, {k}",
			value: func(c *Collector, t int) float64 { return ratio(c.busy[t], c.duty[t]) }},
	}},
	{single, []decl{
		{name: "incidents_realised", label: "incidents occurred", kind: KindCount, better: Lower, table: true,
			doc:   "incidents that happened in the window, by occurrence time",
			value: func(c *Collector, _ int) float64 { return float64(c.realised) }},
		{name: "incidents_realised_day", label: "incidents occurred, day", kind: KindCount, better: Lower,
			doc:   "of those, between 06:00 and 18:00",
			value: func(c *Collector, _ int) float64 { return float64(c.realised - c.realisedNight) }},
		{name: "incidents_realised_night", label: "incidents occurred, night", kind: KindCount, better: Lower, table: true,
			doc:   "of those, between 18:00 and 06:00",
			value: func(c *Collector, _ int) float64 { return float64(c.realisedNight) }},
		{name: "incidents_prevented", label: "incidents prevented", kind: KindCount, better: Higher, table: true,
			doc:   "candidates suppressed by presence and not displaced, in the window",
			value: func(c *Collector, _ int) float64 { return float64(c.prevented) }},
		{name: "incidents_prevented_day", label: "incidents prevented, day", kind: KindCount, better: Higher,
			doc:   "of those, between 06:00 and 18:00",
			value: func(c *Collector, _ int) float64 { return float64(c.prevented - c.preventedNight) }},
		{name: "incidents_prevented_night", label: "incidents prevented, night", kind: KindCount, better: Higher,
			doc:   "of those, between 18:00 and 06:00",
			value: func(c *Collector, _ int) float64 { return float64(c.preventedNight) }},
		{name: "incidents_displaced", label: "incidents displaced", kind: KindCount, better: Neutral, table: true,
			doc:   "candidates suppressed and displaced in space or time, in the window",
			value: func(c *Collector, _ int) float64 { return float64(c.movedSpace + c.movedTime) }},
		{name: "incidents_displaced_space", label: "displaced in space", kind: KindCount, better: Neutral,
			doc:   "of those, to a neighbouring area",
			value: func(c *Collector, _ int) float64 { return float64(c.movedSpace) }},
		{name: "incidents_displaced_time", label: "displaced in time", kind: KindCount, better: Neutral,
			doc:   "of those, to a later time",
			value: func(c *Collector, _ int) float64 { return float64(c.movedTime) }},
		{name: "incidents_displaced_night", label: "displaced, night", kind: KindCount, better: Neutral,
			doc:   "displaced candidates that would have happened between 18:00 and 06:00",
			value: func(c *Collector, _ int) float64 { return float64(c.movedNight) }},
		{name: "incidents_near_repeat", label: "near-repeat incidents", kind: KindCount, better: Lower,
			doc:   "realised incidents that were near-repeat offspring",
			value: func(c *Collector, _ int) float64 { return float64(c.nearRepeat) }},
		{name: "discovered_share", label: "seen on view", kind: KindShare, better: Neutral,
			doc:   "share of counted incidents seen on view by a unit",
			value: func(c *Collector, _ int) float64 { return ratio(float64(c.discovered), float64(c.counted())) }},
		{name: "visibility", label: "visibility", kind: KindShare, better: Higher, table: true,
			doc:   "见警率: population-weighted share of area-hours with presence above the threshold (deterrence.visible_above)",
			value: func(c *Collector, _ int) float64 { return ratio(c.visSeen, c.visAll) }},
		{name: "zero_incident_atoms", label: "areas without incident", kind: KindCount, better: Higher, table: true,
			doc:   "areas of nonzero weight with no incident realised in the window",
			value: func(c *Collector, _ int) float64 { return float64(c.zeroAtoms()) }},
		{name: "workload_cv", label: "workload CV", kind: KindRatio, better: Lower,
			doc:   "coefficient of variation of the busy share across units on duty (0: even)",
			value: func(c *Collector, _ int) float64 { return c.workloadCV() }},
	}},
	{perPriority, []decl{
		{name: "incidents_p{k}", label: "P{k} incidents", kind: KindCount, better: Neutral,
			doc:   "priority-{k} incidents",
			value: func(c *Collector, p int) float64 { return float64(c.byPriority[p]) }},
	}},
	{perIncidentType, []decl{
		{name: "incidents_type_{k}", label: "incidents, {k}", kind: KindCount, better: Neutral,
			doc:   "{k} incidents",
			value: func(c *Collector, t int) float64 { return float64(c.byType[t]) }},
	}},
	{perDistrict, []decl{
		{name: "incidents_district_{k}", label: "incidents in {k}", kind: KindCount, better: Neutral,
			doc:   "incidents in district {k}",
			value: func(c *Collector, d int) float64 { return float64(c.byDistrict[d]) }},
	}},
	{perIncidentType, []decl{
		{name: "prevented_type_{k}", label: "prevented, {k}", kind: KindCount, better: Higher,
			doc: "{k} candidates prevented",
			when: func(cfg *sim.Config, k string) bool {
				for _, t := range cfg.Incidents.Types {
					if t.Name == k {
						return t.Deterrable > 0
					}
				}
				return false
			},
			whenDoc: "types with deterrable > 0",
			value:   func(c *Collector, t int) float64 { return float64(c.preventedType[t]) }},
	}},
	{perDistrict, []decl{
		{name: "prevented_district_{k}", label: "prevented in {k}", kind: KindCount, better: Higher,
			doc:   "candidates prevented in district {k}",
			value: func(c *Collector, d int) float64 { return float64(c.preventedDist[d]) }},
	}},
	// Added after the metrics above: keep them last (see registry).
	{single, []decl{
		{name: "wait_share", label: "waited for a unit", kind: KindShare, better: Lower,
			doc: "share of counted calls that waited in the queue: ready for dispatch when no unit that may take them was free " +
				"(hierarchical dispatch without mutual aid: none of their district's) or held by dispatch.reserve, so the first unit was sent later, or never; " +
				"lost calls (dispatch.lost_calls) do not wait, so wait_share + lost_share is the share of calls that found none free",
			value: func(c *Collector, _ int) float64 { return ratio(float64(c.waited), float64(c.counted())) }},
	}},
	{single, []decl{
		{name: "prevented_per_1000_month", label: "prevented, rate", kind: KindRate, better: Higher,
			doc: "incidents_prevented per 1,000 residents (the areas' population) per 30 days of the window: " +
				"the default objective's deterrence term (docs/model.md, Ranking)",
			value: func(c *Collector, _ int) float64 { return c.perResidentMonth(float64(c.prevented)) }},
	}},
	{single, []decl{
		{name: "zero_crime_atoms", label: "areas without crime", kind: KindCount, better: Higher, table: true, windowed: true,
			doc: "areas of nonzero weight where no crime (incident types with crime: true) was realised in the measurement window " +
				"(零发案, the Jinzhou report's \"communities with zero cases\"), or with the scenario's zero_window the mean over " +
				"its complete windows of the areas without crime in each; no value when no type is a crime",
			value: func(c *Collector, _ int) float64 {
				if !c.anyCrime() {
					return math.NaN()
				}
				if c.zeroWins > 0 {
					return c.zeroAreasWindows(c.winCrime, len(c.atomHits), 0)
				}
				return float64(c.zeroAreas(c.atomCrimes))
			}},
		{name: "victim_wait_mean_s", label: "victim's wait", kind: KindTime, better: Lower, table: true,
			doc: "occurrence → first unit on scene, mean over answered counted calls: what the victim waits, reporting delay included " +
				"(what observers, on-view discovery and the taxi alliance shorten)",
			value: func(c *Collector, _ int) float64 { return c.victim[0].mean() }},
	}},
	{perPriority, []decl{
		{name: "victim_wait_mean_s_p{k}", label: "P{k} victim's wait", kind: KindTime, better: Lower,
			doc:   "occurrence → first unit on scene of priority-{k} calls, mean",
			value: func(c *Collector, p int) float64 { return c.victim[p].mean() }},
	}},
	{perIncidentType, []decl{
		{name: "zero_atoms_type_{k}", label: "areas without {k}", kind: KindCount, better: Higher, windowed: true,
			doc: "areas of nonzero weight with no {k} incident realised in the measurement window (with zero_window: the mean over its windows)",
			value: func(c *Collector, t int) float64 {
				n := len(c.atomHits)
				if c.zeroWins > 0 {
					return c.zeroAreasWindows(c.winType, len(c.cfg.Incidents.Types)*n, t*n)
				}
				return float64(c.zeroAreas(c.atomTypeHits[t*n : (t+1)*n]))
			}},
	}},
	{single, []decl{
		{name: "coverage", label: "coverage", kind: KindShare, better: Higher, table: true,
			doc: "share of expected demand (areas weighted by their expected incidents) that a free unit able to take " +
				"priority-1 calls could reach within the priority-1 target (turnout and travel from its true position), " +
				"sampled every 10 minutes (sim.CoverEvery) and averaged over the window: the time-weighted share of demand covered " +
				"(Daskin 1983); no value without a priority-1 target",
			value: func(c *Collector, _ int) float64 {
				if c.coverN == 0 {
					return math.NaN()
				}
				return c.coverSum / float64(c.coverN)
			}},
	}},
	{single, []decl{
		{name: "command_queue_wait_mean_s", label: "wait at command", kind: KindTime, better: Lower,
			doc: "time a received call waits for a free call-taker (dispatch.call_takers) or dispatcher " +
				"(dispatch.levels[].servers), mean over calls received; part of the command delay, 0 without such queues",
			value: func(c *Collector, _ int) float64 { return c.cmdWait.mean() }},
	}},
	{perUnit, []decl{
		{name: "utilization_unit_{k}", label: "utilisation, {k}", kind: KindShare, better: Neutral,
			doc:   "share of on-duty time on calls, unit {k}",
			value: func(c *Collector, u int) float64 { return ratio(c.unitBusy[u], c.unitDuty[u]) }},
	}}, {single, []decl{
		{name: "incidents_diffused", label: "suppressed by diffusion", kind: KindCount, better: Higher,
			doc: "candidates suppressed (prevented or displaced) in the window that presence at their place alone would not have " +
				"suppressed: the residual deterrence diffusing from neighbouring areas did (diffusion of benefits)",
			when: func(cfg *sim.Config, _ string) bool {
				return cfg != nil && cfg.Deterrence.On && cfg.Deterrence.Diffusion > 0
			},
			whenDoc: "deterrence.diffusion > 0",
			value:   func(c *Collector, _ int) float64 { return float64(c.diffused) }},
	}},
	{single, []decl{
		{name: "crimes_realised", label: "crimes occurred", kind: KindCount, better: Lower,
			doc:   "realised incidents of the crime types (crime: true; cases, 案件) occurring in the window; no value when no type is a crime",
			value: func(c *Collector, _ int) float64 { return c.crimeCount(c.crimes) }},
		{name: "crimes_realised_night", label: "crimes occurred, night", kind: KindCount, better: Lower,
			doc:   "of those, between 18:00 and 06:00 (the Jinzhou report's \"cases in the night patrol hours\", 夜间巡防时段案件)",
			value: func(c *Collector, _ int) float64 { return c.crimeCount(c.crimesNight) }},
	}},
}

// anyCrime reports whether some incident type is a crime.
func (c *Collector) anyCrime() bool {
	return slices.ContainsFunc(c.cfg.Incidents.Types, func(t sim.IncidentType) bool { return t.Crime })
}

// crimeCount is n, or NaN when no incident type is a crime.
func (c *Collector) crimeCount(n int) float64 {
	if !c.anyCrime() {
		return math.NaN()
	}
	return float64(n)
}
