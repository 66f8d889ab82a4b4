package policy

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/patrolsim/patrolsim/sim/geo"
)

func init() {
	register(&Spec{
		Name: "routes",
		Doc: "Idle units ride the city's patrol routes (city.routes): each district unit gets a route " +
			"of its own kind (route kind = unit type name; all routes if none matches), round robin in " +
			"unit order, and the units sharing a route start spread evenly along it. A unit stops every " +
			"`step_m` metres along the route for `dwell`; an open route is ridden there and back, a " +
			"closed one round and round. A unit found off its route (after a call) rejoins it at the " +
			"nearest point; at the start of a shift it goes back to its own starting point. " +
			"Community teams keep their community; units homed at a post keep it.",
		Params: []Param{routeStepParam, routeDwellParam},
		New:    newRoutes,
	})
}

// routeStepParam is the distance between stops along a route. 400 m is a
// judgement, not a cited figure: a few city blocks, so that stops show the
// unit all along the route and the straight legs between them (the travel
// model's) cut the route's corners by little.
var routeStepParam = Param{Name: "step_m", Kind: Number, Default: 400, Min: 10, Max: 10000,
	Doc: "metres along the route between two stops"}

// routeDwellParam is the stop length on a route. Riding a route is about
// being seen while moving, so stops are short: 1 minute by default, a
// judgement, not a cited figure (below the ~2 min from which a stop starts
// to leave residual deterrence, Koper 1995).
var routeDwellParam = Param{Name: "dwell", Kind: Duration, Default: 60, Min: 1, Max: 86400,
	Doc: "how long a unit stops at each point of its route"}

// offRoute is how far (metres) a unit may be from the route point it should
// be at and still count as on its route.
const offRoute = 50

// rider is the state of one district unit riding a route.
type rider struct {
	route   int     // index into City.Routes, or -1 when the unit rides none
	start   float64 // arc position where it starts, metres along the loop
	s       float64 // arc position of its last stop, in [0, LoopLength)
	started bool    // it has had an order
}

type routes struct {
	w     *World
	home  homes[struct{}]
	step  float64 // metres
	dwell float64 // seconds
	ride  []rider // by unit index
}

func newRoutes(w *World, units []int, p Values) (Policy, error) {
	rs := w.City.Routes
	if len(rs) == 0 {
		return nil, errors.New("policy routes: the city has no routes (city.routes)")
	}
	q := &routes{w: w, home: newHomes[struct{}](w), step: p["step_m"], dwell: p["dwell"], ride: make([]rider, len(w.Units))}
	for u := range q.ride {
		q.ride[u].route = -1
	}
	// The routes of each type: those whose kind is its name, else all.
	all := make([]int, len(rs))
	for i := range all {
		all[i] = i
	}
	candidates := func(typeName string) []int {
		var out []int
		for i := range rs {
			if rs[i].Kind == typeName {
				out = append(out, i)
			}
		}
		if len(out) == 0 {
			return all
		}
		return out
	}
	// Round robin within each type, in unit order. The maps are for lookup
	// only: every loop runs over slices.
	next := map[int]int{}
	cands := map[int][]int{}
	riders := make([][]int, len(rs)) // units on each route, in unit order
	for _, u := range units {
		unit := &w.Units[u]
		if unit.Home != HomeDistrict {
			continue
		}
		c, ok := cands[unit.Type]
		if !ok {
			c = candidates(unit.TypeName)
			cands[unit.Type] = c
		}
		k := next[unit.Type]
		next[unit.Type] = k + 1
		r := c[k%len(c)]
		q.ride[u].route = r
		riders[r] = append(riders[r], u)
	}
	// The units sharing a route start evenly spaced along its loop.
	for r, us := range riders {
		loop := rs[r].LoopLength()
		for j, u := range us {
			q.ride[u].start = loop * float64(j) / float64(len(us))
		}
	}
	return q, nil
}

// Next sends unit u to its next stop. A district unit's first order, and any
// order given at its home (where a shift starts), take it to its starting
// point; a unit more than offRoute metres from its last stop (after a call)
// rejoins the route at the nearest point, keeping its direction on an open
// route; otherwise it goes step_m metres further along the loop.
func (p *routes) Next(now float64, u int, pos geo.Point, r *rand.Rand) Order {
	if o, ok := p.home.order(p.w.City, u, p.dwell, r); ok {
		return o
	}
	rd := &p.ride[u]
	if rd.route < 0 {
		panic(fmt.Sprintf("policy routes: unit %d is not governed by this policy", u))
	}
	rt := &p.w.City.Routes[rd.route]
	loop := rt.LoopLength()
	far := !rd.started || pos.Dist(rt.PointAt(rd.s)) > offRoute
	switch {
	case far && (!rd.started || pos == p.w.Units[u].At):
		rd.s = rd.start
	case far:
		s, _ := rt.Nearest(pos)
		if !rt.Closed() && rd.s >= rt.Length() {
			s = loop - s // on the way back: stay on it
		}
		rd.s = s
	default:
		rd.s += p.step
	}
	rd.s = math.Mod(rd.s, loop)
	rd.started = true
	return Order{To: rt.PointAt(rd.s), Dwell: p.dwell, Atom: -1}
}

// Assumed is the length-weighted centre of the unit's route (its home when
// it rides none): where hierarchical command assumes it patrols.
func (p *routes) Assumed(u int) geo.Point {
	rd := p.ride[u]
	if rd.route < 0 {
		return p.w.Units[u].At
	}
	path := p.w.City.Routes[rd.route].Path
	var x, y, l float64
	for i := 1; i < len(path); i++ {
		d := path[i-1].Dist(path[i])
		x += (path[i-1].X + path[i].X) / 2 * d
		y += (path[i-1].Y + path[i].Y) / 2 * d
		l += d
	}
	if l == 0 {
		return path[0]
	}
	return geo.Point{X: x / l, Y: y / l}
}
