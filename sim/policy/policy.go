// Package policy holds the deployment policies of patrolsim: where idle units
// go. A policy is one type behind the small Policy interface, registered by
// name with its parameters; the engine asks it for orders and carries them
// out. A policy returns decisions and never touches the event queue, so adding
// one changes nothing in the engine. A fleet-aware policy (Commander,
// fleet.go) also sees the whole force and returns relocation orders for
// free units; the engine carries them out.
//
// Policies must be deterministic: the same calls with the same random stream
// must give the same orders. They must not iterate over maps in a way that
// affects their decisions.
package policy

import (
	"fmt"
	"github.com/patrolsim/patrolsim/internal/errlist"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// Home says where a unit belongs.
type Home int

const (
	HomeDistrict  Home = iota // a district: patrols it from the district base
	HomeCommunity             // one atom: a community team
	HomePost                  // a fixed post
)

// Unit describes one unit to the policies.
type Unit struct {
	Type     int    // index of the unit type
	TypeName string // name of the unit type
	Squad    int    // officers
	Home     Home
	District int       // district of the home
	Atom     int       // home atom for HomeCommunity, else the atom holding Home (or -1)
	Post     int       // post index for HomePost, else -1
	At       geo.Point // home position: district base, community centroid or post
}

// World is what a policy may know of the city and the force. It is shared
// and read-only.
type World struct {
	City  *geo.City
	Units []Unit
	// Rate is the true expected rate of incidents in atom a at time t
	// (incidents per second) from the background process alone, without
	// near-repeat excitation. Only an oracle policy may use it.
	Rate func(a int, t float64) float64
	// NearRepeat is the true self-excitation of incidents (zero when off).
	// Only an oracle policy may use it.
	NearRepeat NearRepeat
}

// NearRepeat describes self-exciting incidents: each realised incident
// brings Offspring further incidents on average, after delays drawn from an
// exponential distribution of mean Decay seconds, within RadiusM metres.
type NearRepeat struct {
	Offspring float64
	Decay     float64 // seconds
	RadiusM   float64
}

// Knowledge says how an incident became known.
type Knowledge int

const (
	Reported   Knowledge = iota // a call came in (learnt at the call)
	Discovered                  // a unit saw it happen (on-view; learnt at once)
	Truth                       // it happened (every realised incident, learnt at once): for oracles only
)

// Sighting is an incident as a policy learns of it.
type Sighting struct {
	Occur float64 // when it happened, seconds
	Atom  int
	Pos   geo.Point
	How   Knowledge
	// Sterile: the incident's type brings no near-repeat offspring
	// (IncidentType.NoNearRepeat), so an oracle adds no excitation for it.
	Sterile bool
}

// Learner is implemented by policies that learn from incidents. The engine
// calls Learn once for each way an incident becomes known: Reported at the
// call, Discovered at occurrence when a unit saw it, Truth at occurrence for
// every realised incident. A policy must ignore what it is not meant to
// know; only an oracle may use Truth.
type Learner interface {
	Learn(now float64, s Sighting)
}

// Updater is implemented by policies that revise their plan at intervals:
// the engine calls Update every Interval seconds from the start of the run.
type Updater interface {
	Interval() float64 // seconds, > 0
	Update(now float64, r *rand.Rand)
}

// Order tells an idle unit where to go: travel to To, then stay Dwell
// seconds, then ask again. Dwell = +Inf means stay until dispatched.
type Order struct {
	To    geo.Point
	Dwell float64 // seconds, > 0
	// Atom is the atom holding To, or -1 when the policy does not know it
	// (the engine then locates To). Note that the zero value is atom 0.
	Atom int
}

// Policy decides where idle units go.
type Policy interface {
	// Next returns the next order for unit u (an index into World.Units),
	// which is idle at pos at time now (seconds). It must be deterministic
	// given r.
	Next(now float64, u int, pos geo.Point, r *rand.Rand) Order
}

// Assumer is implemented by policies that keep units in a known area: it
// returns where command assumes unit u to be when it cannot see it (without
// GPS, in hierarchical dispatch), e.g. the centre of its beat. Policies
// without it leave units assumed at home.
type Assumer interface {
	Assumed(u int) geo.Point
}

// BeatKeeper is implemented by policies that give units beats: it reports
// whether atom a is in unit u's beat (false for units without one), so that
// calls answered outside the beat can be counted.
type BeatKeeper interface {
	HasBeat(u int) bool
	InBeat(u, a int) bool
}

// Kind is the type of a policy parameter.
type Kind int

const (
	Duration Kind = iota // seconds, written like 90s, 12m, 3d
	Number               // a real number
	Integer              // a whole number
	Choice               // one of Param.Choices, written by name; the value is its index
)

// Param declares one parameter of a policy.
type Param struct {
	Name     string
	Kind     Kind
	Default  float64
	Min, Max float64  // valid closed range (for a Choice: 0 and len(Choices)-1)
	Choices  []string // the names of a Choice's values
	Doc      string
}

// Values are parameter values by name, complete (defaults filled in).
type Values map[string]float64

// Spec registers a policy: its name, documentation, parameters and
// constructor. New is called once per run, with the units the policy governs
// (ascending indices into w.Units).
type Spec struct {
	Name string
	Doc  string
	// Oracle: the policy uses knowledge no real force has (the true
	// rates); a variant using it is a benchmark, never ranked.
	Oracle bool
	Params []Param
	New    func(w *World, units []int, p Values) (Policy, error)
}

// registry lists the policies by name; it is filled by this package's files
// and read-only afterwards.
var registry = map[string]*Spec{}

func register(s *Spec) {
	if _, dup := registry[s.Name]; dup {
		panic("policy: duplicate " + s.Name)
	}
	registry[s.Name] = s
}

// Lookup returns the policy registered under name.
func Lookup(name string) (*Spec, bool) {
	s, ok := registry[name]
	return s, ok
}

// Names returns the registered policy names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve checks raw parameter values against the spec and fills in defaults.
// Errors name the parameter, the value and the valid range.
func (s *Spec) Resolve(raw map[string]float64) (Values, error) {
	v := Values{}
	var errs []error
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.ContainsFunc(s.Params, func(p Param) bool { return p.Name == k }) {
			errs = append(errs, fmt.Errorf("unknown parameter %q for policy %s (valid: %s)", k, s.Name, s.paramNames()))
		}
	}
	for _, p := range s.Params {
		x, ok := raw[p.Name]
		if !ok {
			x = p.Default
		}
		if math.IsNaN(x) || x < p.Min || x > p.Max || ((p.Kind == Integer || p.Kind == Choice) && x != math.Trunc(x)) {
			errs = append(errs, fmt.Errorf("parameter %s of policy %s: must be in [%g, %g] (got %g)", p.Name, s.Name, p.Min, p.Max, x))
		}
		v[p.Name] = x
	}
	if len(errs) > 0 {
		return nil, errlist.Join(errs)
	}
	return v, nil
}

func (s *Spec) paramNames() string {
	if len(s.Params) == 0 {
		return "none"
	}
	out := ""
	for i, p := range s.Params {
		if i > 0 {
			out += ", "
		}
		out += p.Name
	}
	return out
}

// areaSampler draws a uniformly random point from a set of atoms: an atom
// with probability proportional to its area, then a point in it. Each atom
// is kept with the cumulative area up to it (itself included), so that the
// search and the atom it finds read the same cache lines.
type areaSampler struct{ e []sampledAtom }

// sampledAtom is an atom of an areaSampler and the cumulative area.
type sampledAtom struct {
	cum  float64
	atom int
}

func newAreaSampler(c *geo.City, atoms []int) areaSampler {
	return areaSampler{appendSampled(nil, c, atoms)}
}

// appendSampled appends atoms, with their cumulative areas, to e.
func appendSampled(e []sampledAtom, c *geo.City, atoms []int) []sampledAtom {
	total := 0.0
	for _, a := range atoms {
		total += c.Atoms[a].Area
		e = append(e, sampledAtom{cum: total, atom: a})
	}
	return e
}

// order draws a point and makes it an order with the given dwell.
func (s areaSampler) order(c *geo.City, r *rand.Rand, dwell float64) Order {
	x := r.Float64() * s.e[len(s.e)-1].cum
	a := s.e[min(lowerBound(s.e, x), len(s.e)-1)].atom
	return Order{To: c.UniformPoint(a, r), Dwell: dwell, Atom: a}
}

// dwellParam is the stop length shared by the patrolling policies. Default:
// 15 minutes, the length Koper (Justice Quarterly 12(4), 1995) found to
// maximise residual deterrence of a hot-spot stop.
var dwellParam = Param{Name: "dwell", Kind: Duration, Default: 15 * 60, Min: 1, Max: 86400,
	Doc: "how long a unit stays at each patrol stop"}

// stayAt is the order for a unit that keeps its post.
func stayAt(u *Unit) Order { return Order{To: u.At, Dwell: math.Inf(1), Atom: u.Atom} }

// homes holds, by unit, what a unit's home decides (homes.order), apart
// from World.Units (large structs: a patrol stop looks one unit up among
// thousands), and beside it what the policy keeps by unit (own: at most 8
// bytes, so that a unit's record is 32 bytes, within one cache line).
type homes[T any] []homeOf[T]

type homeOf[T any] struct {
	at   geo.Point
	atom int32
	home int8 // a Home
	own  T
}

func newHomes[T any](w *World) homes[T] {
	h := make(homes[T], len(w.Units))
	for u := range w.Units {
		h[u] = homeOf[T]{at: w.Units[u].At, atom: int32(w.Units[u].Atom), home: int8(w.Units[u].Home)}
	}
	return h
}

// order gives the order of a unit whose home decides it under the
// patrolling policies: a post-homed unit keeps its post, a community team
// patrols its community. It reports false for district-homed units.
func (x *homeOf[T]) order(c *geo.City, dwell float64, r *rand.Rand) (Order, bool) {
	switch Home(x.home) {
	case HomePost:
		return Order{To: x.at, Dwell: math.Inf(1), Atom: int(x.atom)}, true
	case HomeCommunity:
		return Order{To: c.UniformPoint(int(x.atom), r), Dwell: dwell, Atom: int(x.atom)}, true
	}
	return Order{}, false
}

// order is homeOf.order for unit u.
func (h homes[T]) order(c *geo.City, u int, dwell float64, r *rand.Rand) (Order, bool) {
	return h[u].order(c, dwell, r)
}

// lowerBound is slices.BinarySearch's index in the cumulative areas: the
// first i with e[i].cum >= x in the sorted e (len(e) if none), for e
// without NaN, found by halving with a select rather than a branch on x:
// the same number of steps for every x, so none is mispredicted (a patrol
// stop draws its area so).
func lowerBound(e []sampledAtom, x float64) int {
	lo, n := 0, len(e)
	for n > 1 {
		half := n / 2
		lo += half & -b2i(e[lo+half-1].cum < x)
		n -= half
	}
	if n > 0 {
		lo += b2i(e[lo].cum < x)
	}
	return lo
}

// b2i is 1 for true, 0 for false (a flag set, not a branch).
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
