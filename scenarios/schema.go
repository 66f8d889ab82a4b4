package scenarios

import (
	"go.yaml.in/yaml/v3"
)

// File is a scenario file as written (version 1). Field docs give units and
// defaults; Default returns a File with every default filled in.
type File struct {
	Version     int      `yaml:"version"`
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Seed        uint64   `yaml:"seed"`
	Duration    Duration `yaml:"duration"`
	Warmup      Duration `yaml:"warmup"`
	// ZeroWindow: areas without crime (and without each type) are counted
	// in windows of this length and averaged; zero: the whole measurement
	// window.
	ZeroWindow   Duration   `yaml:"zero_window,omitempty"`
	Replications int        `yaml:"replications"`
	City         City       `yaml:"city"`
	Travel       Travel     `yaml:"travel"`
	Incidents    Incidents  `yaml:"incidents"`
	Units        []Unit     `yaml:"units"`
	Dispatch     Dispatch   `yaml:"dispatch"`
	Targets      Targets    `yaml:"targets"`
	Variants     []Variant  `yaml:"variants"`
	Ranking      Ranking    `yaml:"ranking"`
	Deterrence   Deterrence `yaml:"deterrence"`
	Reporting    Reporting  `yaml:"reporting"`
	// Check is what `patrolsim check` compares (level, metrics,
	// tolerances; docs/ci.md) unless a check file is given.
	Check yaml.Node `yaml:"check,omitempty"` // zero (Kind 0) when absent
}

// Deterrence is the presence model (docs/model.md, "Deterrence").
type Deterrence struct {
	Enabled        bool     `yaml:"enabled"`
	RadiusM        float64  `yaml:"radius_m"`        // units within this distance of a place are present there
	HalfPresence   float64  `yaml:"half_presence"`   // presence (visible officers) at which suppression reaches 63% of its maximum
	ResidualDecay  Duration `yaml:"residual_decay"`  // decay time of residual deterrence after a unit leaves
	DoseMin        Duration `yaml:"dose_min"`        // stops shorter than this leave no residual
	DoseFull       Duration `yaml:"dose_full"`       // stops this long leave the full residual
	DisplacedSpace float64  `yaml:"displaced_space"` // share of suppressed incidents moved to a neighbouring area
	DisplacedTime  float64  `yaml:"displaced_time"`  // share moved to a later time
	TimeShift      Dist     `yaml:"time_shift"`      // how much later
	VisibleAbove   float64  `yaml:"visible_above"`   // presence that makes an area-hour count as seeing police
	Diffusion      float64  `yaml:"diffusion"`       // share of the neighbours' mean residual deterrence counted in an area (diffusion of benefits; 0: none)
}

// Reporting is how incidents become known.
type Reporting struct {
	OnViewRadiusM float64   `yaml:"on_view_radius_m"` // a unit this close sees an incident happen (0: never)
	Observers     Observers `yaml:"observers"`
}

// Observers are people who report what they see (the taxi alliance):
// spread uniformly, they see an incident when one is within RadiusM.
type Observers struct {
	PerKm2  float64 `yaml:"per_km2"`  // observers out at any time per km² (0: none)
	RadiusM float64 `yaml:"radius_m"` // how close one must be to see an incident
	Delay   Dist    `yaml:"delay"`    // occurrence → call when an observer saw it
}

// NearRepeat is self-excitation of incidents (a Hawkes process).
type NearRepeat struct {
	Offspring float64  `yaml:"offspring"` // expected offspring of a realised incident, < 1 (0: off)
	Decay     Duration `yaml:"decay"`     // mean delay of an offspring
	RadiusM   float64  `yaml:"radius_m"`  // offspring fall uniformly within this distance
}

// Ranking says how variants are ranked and compared.
type Ranking struct {
	Objective []Goal  `yaml:"objective,omitempty"` // empty: the default objective
	Alpha     float64 `yaml:"alpha"`               // family-wise level of the pairwise tests
}

// Goal is one weighted term of the ranking objective.
type Goal struct {
	Metric string  `yaml:"metric"`
	Weight float64 `yaml:"weight"`
}

// City is either a generated grid or GeoJSON areas.
type City struct {
	Grid       *Grid       `yaml:"grid,omitempty"`
	Areas      string      `yaml:"areas,omitempty"`  // GeoJSON polygons, path relative to the scenario file
	Fields     *AreaFields `yaml:"fields,omitempty"` // property names in Areas
	Posts      string      `yaml:"posts,omitempty"`  // GeoJSON points (properties name, kind)
	Routes     string      `yaml:"routes,omitempty"` // GeoJSON line strings (properties name, kind)
	PostPoints []PostPoint `yaml:"post_points,omitempty"`
}

// Grid is a generated city of square cells.
type Grid struct {
	Rows      int     `yaml:"rows"`
	Cols      int     `yaml:"cols"`
	CellM     float64 `yaml:"cell_m"`
	Districts int     `yaml:"districts"`
}

// AreaFields names the GeoJSON properties of the areas.
type AreaFields struct {
	Name       string `yaml:"name"`
	District   string `yaml:"district"`
	Population string `yaml:"population,omitempty"`
	Weight     string `yaml:"weight,omitempty"`
}

func (a *AreaFields) defaultsOnly() {}

// UnmarshalYAML applies the defaults (name: name, district: district)
// before decoding, so a mapping that names only some properties keeps the
// others.
func (a *AreaFields) UnmarshalYAML(n *yaml.Node) error {
	*a = AreaFields{Name: "name", District: "district"}
	type plain AreaFields
	return n.Decode((*plain)(a))
}

// PostPoint is a post written in the scenario: planar metres for a grid
// city, lon/lat for a GeoJSON city.
type PostPoint struct {
	Name string   `yaml:"name"`
	Kind string   `yaml:"kind,omitempty"`
	XM   *float64 `yaml:"x_m,omitempty"`
	YM   *float64 `yaml:"y_m,omitempty"`
	Lon  *float64 `yaml:"lon,omitempty"`
	Lat  *float64 `yaml:"lat,omitempty"`
}

// Travel is the travel model.
type Travel struct {
	Model   string             `yaml:"model"`            // manhattan, euclidean or road
	Detour  float64            `yaml:"detour"`           // >= 1
	Turnout Duration           `yaml:"turnout"`          // dispatch → moving, for units without their own
	Roads   string             `yaml:"roads,omitempty"`  // road: GeoJSON line strings, or OpenStreetMap .osm.pbf / .osm
	Speeds  map[string]float64 `yaml:"speeds,omitempty"` // road: km/h by road class (TIGER MTFCC, OSM highway)
	ZoneM   float64            `yaml:"zone_m,omitempty"` // road: zone side, metres
}

// Incidents is the incident model.
type Incidents struct {
	PerDay      float64        `yaml:"per_day"`
	HourOfDay   []float64      `yaml:"hour_of_day"`
	DayOfWeek   []float64      `yaml:"day_of_week"`
	HourOfWeek  []float64      `yaml:"hour_of_week,omitempty"`
	ReportDelay Dist           `yaml:"report_delay"`
	Types       []IncidentType `yaml:"types"`
	NearRepeat  NearRepeat     `yaml:"near_repeat"`

	// Replay, when set, plays the incidents of this CSV log (path relative
	// to the scenario) instead of drawing them; per_day and the profiles
	// then draw nothing (docs/scenario-format.md, "Replaying an incident
	// log"). The other keys below are for a replay only.
	Replay  string         `yaml:"replay,omitempty"`
	Columns *ReplayColumns `yaml:"columns,omitempty"`
	// Start is the date (YYYY-MM-DD) at whose midnight the run starts;
	// default the day of the log's first incident.
	Start string `yaml:"start,omitempty"`
	// Categories maps the log's categories (column type) to incident
	// types; a category that is a type's name needs no entry.
	Categories map[string]string `yaml:"categories,omitempty"`
	// DefaultType is the type of incidents of any other category.
	DefaultType string `yaml:"default_type,omitempty"`
}

// IncidentType is one kind of incident.
type IncidentType struct {
	Name       string  `yaml:"name"`
	Priority   int     `yaml:"priority"`
	Share      float64 `yaml:"share"`
	OnScene    Dist    `yaml:"on_scene"`
	Officers   int     `yaml:"officers"`
	Deterrable float64 `yaml:"deterrable"` // 0 … 1: how far presence can suppress this type
	Crime      bool    `yaml:"crime"`      // a crime (case, 案件), not another kind of call; default false
	// NearRepeat: whether incidents of this type bring near-repeat
	// offspring (incidents.near_repeat); default true (absent: true).
	NearRepeat *bool `yaml:"near_repeat,omitempty"`
}

func (t *IncidentType) defaultsOnly() {}

// UnmarshalYAML applies the defaults of an incident type before decoding.
func (t *IncidentType) UnmarshalYAML(n *yaml.Node) error {
	*t = IncidentType{Priority: 2, Officers: 1, OnScene: Dist{Dist: "exponential", Mean: D(30 * 60)}}
	type plain IncidentType
	return n.Decode((*plain)(t))
}

// Dist is a distribution of durations: a bare duration means fixed, or a
// mapping {dist: exponential|lognormal|fixed, mean: …, sd: …}.
type Dist struct {
	Dist string   `yaml:"dist"`
	Mean Duration `yaml:"mean"`
	SD   Duration `yaml:"sd,omitempty"`
}

func (d *Dist) defaultsOnly() {}

// UnmarshalYAML accepts the scalar shorthand.
func (d *Dist) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*d = Dist{Dist: "fixed"}
		return d.Mean.UnmarshalYAML(n)
	}
	*d = Dist{}
	type plain Dist
	return n.Decode((*plain)(d))
}

// MarshalYAML writes the shorthand for a fixed value.
func (d Dist) MarshalYAML() (any, error) {
	if d.Dist == "fixed" {
		return d.Mean, nil
	}
	type plain Dist
	return plain(d), nil
}

// Unit is one unit type and its count.
type Unit struct {
	Name           string    `yaml:"name"`
	Count          int       `yaml:"count"`
	Squad          int       `yaml:"squad"`
	SpeedKmh       float64   `yaml:"speed_kmh"`
	PatrolSpeedKmh float64   `yaml:"patrol_speed_kmh,omitempty"` // 0: speed_kmh
	Turnout        *Duration `yaml:"turnout,omitempty"`          // default travel.turnout
	Shift          Shift     `yaml:"shift"`
	Home           string    `yaml:"home"`                // district, community or post
	PostKind       string    `yaml:"post_kind,omitempty"` // with home: post
	// Districts, with home: district, are the districts (by name) the
	// units are homed in, in turn; empty means every district in turn.
	Districts  []string `yaml:"districts,omitempty"`
	Priorities []int    `yaml:"priorities"`
	Visibility float64  `yaml:"visibility"` // presence of one officer: 1 uniformed, 0 unmarked
}

func (u *Unit) defaultsOnly() {}

// UnmarshalYAML applies the defaults of a unit type before decoding.
func (u *Unit) UnmarshalYAML(n *yaml.Node) error {
	*u = Unit{Count: 1, Squad: 2, SpeedKmh: 30, Shift: Shift{Start: "00:00", Hours: 24}, Home: "district", Priorities: []int{1, 2, 3}, Visibility: 1}
	type plain Unit
	return n.Decode((*plain)(u))
}

// Shift is a daily duty period.
type Shift struct {
	Start string  `yaml:"start"` // HH:MM
	Hours float64 `yaml:"hours"` // (0, 24]; 24 means always on duty
}

// Dispatch is the dispatch model.
type Dispatch struct {
	Mode      string  `yaml:"mode"`       // point-to-point or hierarchical: the default of the variants
	Delay     Dist    `yaml:"delay"`      // point-to-point: call received → ready for dispatch
	Levels    []Level `yaml:"levels"`     // hierarchical: the command levels, in order
	MutualAid bool    `yaml:"mutual_aid"` // hierarchical: send units across districts when none is free
	LostCalls bool    `yaml:"lost_calls"` // a call that finds no free unit is lost instead of queued
	// CallTakers, when > 0, is a call-taking stage before the command
	// delay: that many call-takers, each holding a call for CallTaking;
	// 0 (default): calls are taken at once.
	CallTakers int  `yaml:"call_takers"`
	CallTaking Dist `yaml:"call_taking"`
	// Territory: none (default) or station-first, a police station's units
	// answering their own district's calls first (派出所按属地原则接处警).
	Territory string `yaml:"territory"`
	// Stations names the unit types that are a police station's units;
	// default: those with home: post, post_kind: station.
	Stations []string `yaml:"stations,omitempty"`
	// TerritoryPriorities: the priorities of the calls the territory rule
	// applies to; default all (1, 2, 3).
	TerritoryPriorities []int `yaml:"territory_priorities,omitempty"`
	// Reserve holds low-priority calls while few units are free.
	Reserve *Reserve `yaml:"reserve,omitempty"`
}

// Reserve is a cutoff priority queue (Schaack & Larson 1986): calls of
// the listed priorities wait while Free or fewer of the counted units of
// their district are free, keeping those for emergencies.
type Reserve struct {
	Priorities []int    `yaml:"priorities"` // the priorities held
	Free       int      `yaml:"free"`       // held while this many or fewer counted units are free
	Units      []string `yaml:"units"`      // the unit types counted; default those taking priority 1
}

// Level is one command level of hierarchical dispatch.
type Level struct {
	Name  string `yaml:"name"`
	Delay Dist   `yaml:"delay"`
	// Servers, when > 0, makes the level a queue of that many dispatchers,
	// each holding a call for its delay; 0 (default): a pure delay.
	Servers int `yaml:"servers,omitempty"`
}

// Targets are response-time targets by priority (0: none).
type Targets struct {
	P1 Duration `yaml:"p1"`
	P2 Duration `yaml:"p2"`
	P3 Duration `yaml:"p3"`
}

// Variant is one arrangement to compare.
type Variant struct {
	Name     string                  `yaml:"name"`
	Policy   string                  `yaml:"policy"`
	Params   map[string]yaml.Node    `yaml:"params,omitempty"`
	ByUnit   map[string]UnitRule     `yaml:"by_unit,omitempty"`  // unit type name → its own policy
	Dispatch string                  `yaml:"dispatch,omitempty"` // mode; default dispatch.mode
	Units    map[string]UnitOverride `yaml:"units,omitempty"`    // unit type name → changed count or squad
	// Benchmark: the variant is shown but never ranked (it uses knowledge
	// no real force has). Default: true when a unit type's policy is an
	// oracle (hotspot-oracle), else false.
	Benchmark *bool `yaml:"benchmark,omitempty"`
	// Deterrence and Reporting change, in this variant only, the keys of
	// the scenario's deterrence and reporting blocks they give (a before /
	// after comparison: deterrence off, no taxi alliance).
	Deterrence yaml.Node `yaml:"deterrence,omitempty"`
	Reporting  yaml.Node `yaml:"reporting,omitempty"`
	// DispatchRules changes, in this variant only, the keys of the
	// scenario's dispatch block it gives (levels, call_takers, call_taking,
	// territory, stations, mutual_aid …); the mode is the variant's
	// dispatch key.
	DispatchRules yaml.Node `yaml:"dispatch_rules,omitempty"`
}

// UnitOverride changes a unit type's force in one variant.
type UnitOverride struct {
	Count *int   `yaml:"count,omitempty"`
	Squad *int   `yaml:"squad,omitempty"`
	Shift *Shift `yaml:"shift,omitempty"`
	// Priorities replaces the priorities the unit type takes.
	Priorities []int `yaml:"priorities,omitempty"`
}

// UnitRule gives one unit type a policy of its own within a variant.
type UnitRule struct {
	Policy string               `yaml:"policy"`
	Params map[string]yaml.Node `yaml:"params,omitempty"`
}

// Default returns a File holding every default.
func Default() File {
	return File{
		Version:      1,
		Name:         "scenario",
		Seed:         1,
		Duration:     D(30 * 86400),
		Warmup:       D(2 * 86400),
		Replications: 10,
		Travel:       Travel{Model: "manhattan", Detour: 1, Turnout: D(30)},
		Incidents: Incidents{
			PerDay:      100,
			HourOfDay:   []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			DayOfWeek:   []float64{1, 1, 1, 1, 1, 1, 1},
			ReportDelay: Dist{Dist: "fixed", Mean: D(0)},
			NearRepeat:  NearRepeat{Offspring: 0, Decay: D(7 * 86400), RadiusM: 350},
		},
		Dispatch: Dispatch{Mode: "point-to-point", Delay: Dist{Dist: "fixed", Mean: D(60)}, MutualAid: true,
			// Call-taking, when call_takers is set: a minute a call (NFPA
			// 1221 (2019) §7.4.2: 90% of calls processed within 60 s).
			CallTaking: Dist{Dist: "exponential", Mean: D(60)}, Territory: "none",
			// The command chain city → district → station of DESIGN.md §3a
			// (illustrative delays).
			Levels: []Level{
				{Name: "city", Delay: Dist{Dist: "fixed", Mean: D(45)}},
				{Name: "district", Delay: Dist{Dist: "fixed", Mean: D(60)}},
				{Name: "station", Delay: Dist{Dist: "fixed", Mean: D(90)}},
			}},
		Targets: Targets{P1: D(5 * 60), P2: D(10 * 60), P3: D(30 * 60)},
		Ranking: Ranking{Alpha: 0.05},
		Deterrence: Deterrence{
			Enabled: true,
			// Assumptions, with their sources in docs/model.md.
			RadiusM:        200,
			HalfPresence:   4,
			ResidualDecay:  D(3600),
			DoseMin:        D(2 * 60),
			DoseFull:       D(15 * 60),
			DisplacedSpace: 0.15,
			DisplacedTime:  0.10,
			TimeShift:      Dist{Dist: "exponential", Mean: D(6 * 3600)},
			VisibleAbove:   1,
		},
		Reporting: Reporting{OnViewRadiusM: 50, Observers: Observers{PerKm2: 0, RadiusM: 50,
			Delay: Dist{Dist: "exponential", Mean: D(60)}}},
	}
}

// DataFile is a data file named by a scenario: its key (e.g. "city.areas")
// and the path as written.
type DataFile struct {
	Key  string
	Path *string // into the File; "" when not given
}

// DataFiles returns every data-file field of f in a fixed order: city.areas,
// city.posts, city.routes, travel.roads, incidents.replay (empty ones included), so that code
// copying, hashing or rewriting a scenario's files misses none.
func (f *File) DataFiles() []DataFile {
	return []DataFile{
		{"city.areas", &f.City.Areas},
		{"city.posts", &f.City.Posts},
		{"city.routes", &f.City.Routes},
		{"travel.roads", &f.Travel.Roads},
		{"incidents.replay", &f.Incidents.Replay},
	}
}
