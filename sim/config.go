package sim

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// DistKind names a family of non-negative distributions.
type DistKind int

const (
	Fixed       DistKind = iota // always Mean
	Exponential                 // mean Mean
	Lognormal                   // mean Mean, standard deviation SD
)

// Dist is a distribution of durations in seconds.
type Dist struct {
	Kind DistKind
	Mean float64 // seconds, >= 0
	SD   float64 // seconds, Lognormal only
}

// Quantile returns the value at cumulative probability u in (0, 1): the
// inverse CDF, so that a pre-drawn uniform gives the same delay in every
// variant (common random numbers).
func (d Dist) Quantile(u float64) float64 {
	switch d.Kind {
	case Exponential:
		return -d.Mean * math.Log1p(-u)
	case Lognormal:
		if d.Mean <= 0 {
			return 0
		}
		s2 := math.Log1p(d.SD * d.SD / (d.Mean * d.Mean))
		return math.Exp(math.Log(d.Mean) - s2/2 + math.Sqrt(s2)*distuv.UnitNormal.Quantile(u))
	}
	return d.Mean
}

// Sample draws one value from r.
func (d Dist) Sample(r *rand.Rand) float64 {
	switch d.Kind {
	case Exponential:
		return r.ExpFloat64() * d.Mean
	case Lognormal:
		if d.Mean <= 0 {
			return 0
		}
		// For a lognormal with mean m and standard deviation s:
		// sigma² = ln(1 + s²/m²), mu = ln m − sigma²/2.
		s2 := math.Log1p(d.SD * d.SD / (d.Mean * d.Mean))
		return math.Exp(math.Log(d.Mean) - s2/2 + math.Sqrt(s2)*r.NormFloat64())
	}
	return d.Mean
}

// IncidentType is one kind of incident.
type IncidentType struct {
	Name     string
	Priority int     // 1 = emergency … 3 = routine
	Share    float64 // share of the volume (shares sum to 1)
	OnScene  Dist    // on-scene work once full strength is there
	Officers int     // officers needed on scene (>= 1)
	// Deterrable is how far visible police presence can suppress this
	// type: the suppression probability saturates at this value (0 = not
	// at all, e.g. domestic incidents; near 1 = opportunistic street crime).
	Deterrable float64
	// Crime: the type is a crime (a case, 案件), not another kind of call
	// (a traffic accident, a request for assistance). Metrics of crimes
	// (areas without crime) count only these.
	Crime bool
	// NoNearRepeat: incidents of this type bring no near-repeat offspring
	// (a traffic accident or a request for assistance does not make
	// another nearby more likely; burglaries and robberies do: Johnson et
	// al. 2007, Haberman & Ratcliffe 2012). The zero value keeps the
	// near-repeat model of Config.NearRepeat for the type.
	NoNearRepeat bool
}

// Incidents is the incident model: a non-homogeneous Poisson process with a
// daily volume shaped by hour-of-day and day-of-week profiles (or one
// hour-of-week profile) and spread over atoms in proportion to their
// Weight.
type Incidents struct {
	PerDay    float64     // mean incidents per day
	HourOfDay [24]float64 // relative weights, hour 0 = 00:00–01:00
	DayOfWeek [7]float64  // relative weights, day 0 = Monday
	// HourOfWeek, when not all zero, replaces HourOfDay × DayOfWeek:
	// relative weights of the 168 hours of the week, Monday 00:00–01:00
	// first (weekday and weekend days differ in shape, not only in volume).
	HourOfWeek  [168]float64
	ReportDelay Dist // occurrence → call
	Types       []IncidentType
	// Replay, when set, replaces the drawn arrivals by a recorded log
	// (the profiles above then only shape RateFunc).
	Replay *Replay
}

// UnitType is one kind of unit and how many there are.
type UnitType struct {
	Name        string
	Count       int
	Squad       int     // officers per unit
	Speed       float64 // response speed, metres per second
	PatrolSpeed float64 // patrol speed, metres per second
	Turnout     float64 // seconds from dispatch to moving
	ShiftStart  float64 // seconds after midnight
	ShiftLen    float64 // seconds on duty per day; >= 86400 means always on duty
	Home        policy.Home
	PostKind    string // for HomePost: only posts of this kind ("" = any)
	// Districts, for HomeDistrict, are the districts (indices into
	// City.Districts) its units are homed in, unit i in Districts[i mod
	// len]; nil means every district in turn (unit i in district i mod D).
	Districts  []int
	Priorities [4]bool // Priorities[p]: may take priority-p incidents
	// Visibility weighs the presence of one officer of this type (1: a
	// uniformed officer or marked car; 0: an unmarked observer).
	Visibility float64
}

// OnDutyAt reports whether a unit of this type is on duty at time t.
func (u *UnitType) OnDutyAt(t float64) bool {
	if u.ShiftLen >= 86400 {
		return true
	}
	phase := math.Mod(t-u.ShiftStart, 86400)
	if phase < 0 {
		phase += 86400
	}
	return phase < u.ShiftLen
}

// nextShiftChange returns the first time after t at which the duty state
// changes (+Inf for a unit always on duty).
func (u *UnitType) nextShiftChange(t float64) float64 {
	if u.ShiftLen >= 86400 || u.ShiftLen <= 0 {
		return math.Inf(1)
	}
	phase := math.Mod(t-u.ShiftStart, 86400)
	if phase < 0 {
		phase += 86400
	}
	if phase < u.ShiftLen {
		return t + u.ShiftLen - phase
	}
	return t + 86400 - phase
}

// Config is a complete, validated model input. Build it with package
// scenarios; the engine trusts it.
type Config struct {
	Name     string
	City     *geo.City
	Travel   geo.Travel
	Duration float64 // seconds during which incidents occur
	Warmup   float64 // seconds at the start that do not count in metrics
	// ZeroWindow: the length, in seconds, of the windows in which areas
	// without crime (and without each type) are counted, then averaged
	// over the complete windows of the measurement window; 0: one window,
	// the whole measurement window.
	ZeroWindow float64
	Incidents  Incidents
	Units      []UnitType
	Dispatch   Dispatch
	Targets    [4]float64 // response-time target by priority, seconds (0: none)

	Deterrence Deterrence
	NearRepeat policy.NearRepeat // self-exciting incidents (Offspring 0: off)
	// OnViewRadiusM: a unit on duty within this distance of an incident
	// sees it happen, and the call comes at once (0: never).
	OnViewRadiusM float64
	Observers     Observers
}

// Observers are people out in the city who report what they see (the taxi
// "patrol alliance" of the Jinzhou reform). Spread as a Poisson field of
// PerKm2 per km², at least one is within RadiusM of an incident with
// probability 1 − exp(−PerKm2 · π·RadiusM²/10⁶); then the call comes after
// Delay if that is sooner than the ordinary reporting delay.
type Observers struct {
	PerKm2  float64
	RadiusM float64
	Delay   Dist
}

// SeenShare is the probability that an observer sees an incident.
func (o *Observers) SeenShare() float64 {
	return 1 - math.Exp(-o.PerKm2*math.Pi*o.RadiusM*o.RadiusM/1e6)
}

// Deterrence is the model of visible police presence suppressing incidents
// (docs/model.md, "Deterrence", gives the formulas and their sources).
type Deterrence struct {
	On           bool
	RadiusM      float64 // units within this distance of a place count as present there
	HalfPresence float64 // presence at which suppression reaches 1 − 1/e of its maximum
	Tau          float64 // decay time of residual deterrence, seconds
	DoseMin      float64 // a stop shorter than this leaves no residual, seconds
	DoseFull     float64 // a stop this long or longer leaves the full residual, seconds
	SpaceShare   float64 // share of suppressed incidents displaced to a neighbouring area
	TimeShare    float64 // share displaced to a later time at the same place
	TimeShift    Dist    // how much later a temporally displaced incident happens
	VisibleAbove float64 // presence above which an area counts as seeing police (visibility)
	// Diffusion is the diffusion of benefits (Guerette & Bowers 2009): this
	// share of the mean residual deterrence of an area's neighbours counts
	// in the area too (0: none, the default).
	Diffusion float64
}

// Dose is Koper's residual-deterrence dose of a stop of d seconds: 0 below
// DoseMin, rising linearly to 1 at DoseFull, 1 after.
func (d *Deterrence) Dose(stay float64) float64 {
	switch {
	case stay < d.DoseMin:
		return 0
	case stay >= d.DoseFull:
		return 1
	}
	return (stay - d.DoseMin) / (d.DoseFull - d.DoseMin)
}

// Mode is how calls are dispatched.
type Mode int

const (
	// PointToPoint: one command level (Dispatch.Delay); the unit that would
	// arrive first is chosen from the true (GPS) positions of all free
	// capable units.
	PointToPoint Mode = iota
	// Hierarchical: the call passes every command level in turn (the sum
	// of their delays); the unit is chosen among the free capable units of
	// the incident's district by assumed position (beat centre or home),
	// and from another district (mutual aid) only when none is free there.
	Hierarchical
)

func (m Mode) String() string {
	if m == Hierarchical {
		return "hierarchical"
	}
	return "point-to-point"
}

// Level is one command level of hierarchical dispatch.
type Level struct {
	Name  string
	Delay Dist
}

// Dispatch is the dispatch model: the command delays of both modes.
type Dispatch struct {
	Delay     Dist    // point-to-point: call received → ready for dispatch
	Levels    []Level // hierarchical: the levels a call passes, in order
	MutualAid bool    // hierarchical: a call may get units of another district
	// LostCalls makes dispatch a loss system: a call that finds no free
	// unit able to take it when it is ready is lost (for instance passed to
	// another agency) instead of waiting in the queue (Larson's hypercube
	// with zero line capacity).
	LostCalls bool
	// CallTakers, when > 0, puts a call-taking stage before the command
	// delay of either mode: that many call-takers, each holding a call for
	// CallTaking; a call finding them all busy waits (priority first, then
	// first come). 0: no such stage (calls are taken at once).
	CallTakers int
	CallTaking Dist
	// LevelServers[k], when > 0, makes hierarchical level k a queue: that
	// many dispatchers, each holding a call for the level's delay; a call
	// finding them all busy waits (priority first, then first come).
	// 0 or missing: a pure delay, as many calls at once as come.
	LevelServers []int
	// Territory: a police station's units answer the calls of their own
	// district first (派出所按属地原则接处警): of the free units able to
	// take a call, those of a Station type homed in the incident's
	// district are tried before the mode's usual rule.
	Territory bool
	Station   []bool // by unit type: a police station's units (Territory)
	// TerritoryFor[p]: the territory rule applies to priority-p calls
	// (with Territory; others go by the mode's usual rule).
	TerritoryFor [4]bool
	// ReserveFor[p]: priority-p calls are held to keep units free for
	// emergencies, a cutoff priority queue (Schaack & Larson 1986): such
	// a call is not dispatched while ReserveFree or fewer units of a
	// ReserveUnits type homed in its district are free; it waits in the
	// queue, keeping its place, until more are.
	ReserveFor   [4]bool
	ReserveFree  int
	ReserveUnits []bool // by unit type: the units the reserve counts
}

// MaxLevels bounds the command levels (each draws from its own pre-drawn
// uniform of the incident).
const MaxLevels = 8

// Variant is one arrangement to compare: a force (its own Model, whose
// Config may override the base's unit types), a policy per unit type and a
// dispatch mode. Every variant of a comparison shares the base's city and
// incidents.
type Variant struct {
	Name     string
	Model    *Model
	Policies []PolicyChoice // indexed like Model.Cfg.Units
	Mode     Mode
}

// PolicyChoice is a policy and its resolved parameters.
type PolicyChoice struct {
	Spec   *policy.Spec
	Params policy.Values
}

// weekly reports whether the hour-of-week profile is used, and its sum.
func (inc *Incidents) weekly() (bool, float64) {
	s := 0.0
	for _, x := range inc.HourOfWeek {
		s += x
	}
	return s > 0, s
}
