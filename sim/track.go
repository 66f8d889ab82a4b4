package sim

import (
	"math"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// newIndexes makes the run's indexes of where units are (see boxIndex),
// empty: units enter them as they go on duty. atAssumed is used under
// hierarchical dispatch only. The finest cells are about
// the size of the area per unit, and no smaller than a presence or on-view
// disc, so that a query reads a few cells holding a few units.
func (r *run) newIndexes() {
	b := r.cfg.City.Bound()
	n := len(r.units)
	area := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1])
	side := math.Sqrt(area / float64(max(1, n)))
	side = max(side, 2*r.cfg.OnViewRadiusM)
	if r.cfg.Deterrence.On {
		side = max(side, 2*r.cfg.Deterrence.RadiusM)
	}
	if !(side > 0) || math.IsInf(side, 0) {
		side = 1
	}
	if r.onDuty == nil {
		r.onDuty, r.atAssumed = new(boxIndex), new(boxIndex)
	}
	r.onDuty.reset(n, b.Min[0], b.Min[1], b.Max[0], b.Max[1], side)
	if r.mode == Hierarchical {
		r.atAssumed.reset(n, b.Min[0], b.Min[1], b.Max[0], b.Max[1], side)
	}
	r.searchFrom = side
}

// track brings the indexes, the counts of free units and the presence
// samples' copy (placed) up to date with unit u's state and leg. Every
// change of either calls it.
func (r *run) track(u int) {
	r.placed(u)
	ur := &r.units[u]
	if ur.state == stOff {
		r.onDuty.Remove(u)
	} else {
		x0, y0, x1, y1 := ur.leg.Box()
		r.onDuty.Set(u, x0, y0, x1, y1)
	}
	free := ur.state == stPatrol
	if free == ur.free {
		return
	}
	ur.free = free
	d := -1
	r.freeBits[u] = 0
	if free {
		d = 1
		r.freeBits[u] = r.m.ableBits[u]
	}
	able := int(r.m.ableBits[u])
	for p := 1; p <= 3; p++ {
		r.freeAble[p] += d * (able >> p & 1) // no branch on the unit's type
	}
	if r.mode == Hierarchical {
		if free {
			r.atAssumed.SetPoint(u, r.assumed[u])
		} else {
			r.atAssumed.Remove(u)
		}
	}
}

// at returns unit u's position at time t (not before the start of its
// leg), and once the leg has ended keeps the unit in onDuty at that point
// rather than by the box of the whole leg: the unit stays there until its
// next leg (track), so queries find it among fewer units, and nearer.
func (r *run) at(u int, t float64) geo.Point {
	ur := &r.units[u]
	if t >= ur.leg.Arrive {
		if b := r.onDuty.Box(u); b[0] != b[2] || b[1] != b[3] {
			if r.onDuty.Held(u) {
				r.onDuty.SetPoint(u, ur.leg.To)
			}
		}
		return ur.leg.To
	}
	return ur.at(t)
}

// searchSlack is how far (metres) a unit's computed position may stray
// outside the box of its leg: rounding, far below a metre.
const searchSlack = 1.0

// search returns the free unit able to take incident i (priority p) that
// would arrive first, from its true position (gps, ix the units on duty)
// or its assumed one (ix the free units at their assumed positions); ties
// go to the lowest unit index; -1 if there is none. It is the answer of a
// scan of every such unit (pick) without the scan: it asks ix for the
// units within a radius of the incident, growing it until no unit beyond
// can arrive before the best found (beyond): one of type t farther than
// the radius in a straight line needs at least t's turnout plus
// Travel.MinTime of that distance at t's speed. Units found at the same
// time as the best are still compared, so the tie rule holds; those that
// cannot beat it are ruled out by their box alone (cannotBeat).
func (r *run) search(i, p int, ix *boxIndex, gps bool) int {
	if r.freeAble[p] == 0 {
		return -1
	}
	c := r.store.cand(i)
	dest := r.cfg.Travel.Target(c.Pos)
	bit := uint8(1) << p
	best, bestT := -1, math.Inf(1)
	r.setReach(p, bestT)
	r.scan.started = false
	for rad := r.searchFrom; ; {
		r.near = ix.NearMore(r.near[:0], &r.scan, c.Pos, rad)
		for _, j := range r.near {
			u := int(j)
			if r.freeBits[u]&bit == 0 || r.cannotBeat(u, ix, c.Pos) {
				continue
			}
			t := r.expected(u, &dest, gps)
			if t < bestT || (t == bestT && best >= 0 && u < best) {
				if t < bestT {
					r.setReach(p, t)
				}
				best, bestT = u, t
			}
		}
		if ix.Covers(c.Pos, rad) {
			return best
		}
		if r.beyond(p, rad, bestT) {
			return best
		}
		// Grow the radius: twice as far, or, once a unit is found, only
		// as far as the stop test above needs (the radius beyond which
		// no unit can beat it) when that is nearer.
		next := 2 * rad
		if stop := r.reach.stop; best >= 0 && stop < next && r.beyond(p, stop, bestT) {
			next = stop
		}
		rad = next
	}
}

// reach rules units out of a search for the first to arrive without
// their exact travel times (cannotBeat), by type: per[t] is Travel.MinTime
// of a metre at the type's speed (a lower bound on seconds a metre), sq[t]
// the square of the straight-line distance beyond which a unit of the
// type arriving by the best time found so far is impossible.
type reach struct {
	per, inv, sq []float64 // inv: 1 / per
	d            []float64 // the distance whose square is sq (+Inf with it; unset while sq < 0)
	types        [4][]int  // the unit types that may take priority p
	// stop is the largest of those distances (0 if none), the radius
	// a search that has found a unit grows to at most (if beyond holds
	// there: otherwise it doubles).
	stop float64
}

// beyond reports whether no unit able to take priority p whose box is
// farther than rad from the incident in a straight line (its position
// farther than rad − searchSlack) can arrive by bestT: for every such
// type, its turnout plus Travel.MinTime of that distance at its speed
// exceeds bestT. (A bound for each type rather than the shortest turnout
// with the highest speed of any: a slow type with no turnout and a fast
// one with a turnout stop the search sooner.)
func (r *run) beyond(p int, rad, bestT float64) bool {
	for _, t := range r.reach.types[p] {
		ut := &r.cfg.Units[t]
		if !(ut.Turnout+r.cfg.Travel.MinTime(max(0, rad-searchSlack), ut.Speed) > bestT) {
			return false
		}
	}
	return true
}

// setupReach sizes r.reach for the run's unit types.
func (r *run) setupReach() {
	n := len(r.cfg.Units)
	r.reach.per = resize(r.reach.per, n, n)
	r.reach.sq = resize(r.reach.sq, n, n)
	r.reach.d = resize(r.reach.d, n, n)
	r.reach.inv = resize(r.reach.inv, n, n)
	for p := range r.reach.types {
		r.reach.types[p] = r.reach.types[p][:0]
	}
	for u := range r.unitType {
		r.unitType[u] = int32(r.m.World.Units[u].Type)
	}
	for t := range r.cfg.Units {
		r.reach.per[t] = r.cfg.Travel.MinTime(1, r.cfg.Units[t].Speed)
		r.reach.inv[t] = 1 / r.reach.per[t]
		for p := 1; p <= 3; p++ {
			if r.cfg.Units[t].Priorities[p] {
				r.reach.types[p] = append(r.reach.types[p], t)
			}
		}
	}
}

// setReach sets r.reach.sq, for the types able to take priority p (those
// of the units cannotBeat is asked about), for the best time bestT: a
// unit of type t whose box is farther than (bestT − turnout) / per[t] +
// searchSlack from the incident (widened by a relative 1e-6, far above
// rounding) arrives later than bestT, even from the nearest point of its
// box (its position strays at most searchSlack from it) at its top speed;
// with bestT below its turnout every unit of the type does.
func (r *run) setReach(p int, bestT float64) {
	r.reach.stop = 0
	for _, t := range r.reach.types[p] {
		turnout, per := r.cfg.Units[t].Turnout, r.reach.per[t]
		switch {
		case math.IsInf(bestT, 1) || !(per > 0):
			r.reach.sq[t], r.reach.d[t] = math.Inf(1), math.Inf(1)
		case bestT < turnout:
			r.reach.sq[t] = -1
		default:
			d := (bestT-turnout)*r.reach.inv[t]*(1+1e-6) + searchSlack + 1e-6
			r.reach.sq[t], r.reach.d[t] = d*d, d
			r.reach.stop = max(r.reach.stop, d)
		}
	}
}

// cannotBeat reports whether unit u, held in ix (onDuty for its true
// position, atAssumed for its assumed one), surely arrives at p later than
// the time r.reach was set for (setReach), without its exact travel time:
// its box is beyond its type's reach. Its exact time (and position) is
// then not needed to find the first to arrive, nor to break a tie. A unit
// on its way on roads (onDuty) whose box is within reach is ruled out too
// if it is beyond reach of where its way may have taken it (geo.Leg.Beyond:
// the box of a road leg is wide, and its position costs a walk along the
// road).
func (r *run) cannotBeat(u int, ix *boxIndex, p geo.Point) bool {
	b := ix.Box(u)
	dx := max(b[0]-p.X, 0, p.X-b[2])
	dy := max(b[1]-p.Y, 0, p.Y-b[3])
	t := r.unitType[u]
	if dx*dx+dy*dy > r.reach.sq[t] {
		return true
	}
	return ix == r.onDuty && r.farOnRoad(u, r.eng.Now(), p, r.reach.d[t])
}

// farOnRoad reports whether unit u, on its way on roads at time t (before
// its leg arrives: its position a walk along the road), is farther than d
// from p less rounding (geo.Leg.Beyond: d must hold searchSlack), by the
// lengths of its way from the leg's start and to its end: a road leg's
// box is wide. False for a unit that has arrived (its position costs
// nothing, and placing it, run.at, also narrows its box in onDuty: that
// stays as it was) or not on roads.
func (r *run) farOnRoad(u int, t float64, p geo.Point, d float64) bool {
	l := &r.units[u].leg
	return l.OnRoads() && t < l.Arrive && l.Beyond(t, p, d)
}

// farFromBox reports whether p is more than rad from the box b (x0, y0,
// x1, y1) on either axis, so that no position in it can be within rad: a
// cheap test that spares computing the position of most units.
func farFromBox(b *[4]float64, p geo.Point, rad float64) bool {
	return p.X < b[0]-rad || p.X > b[2]+rad || p.Y < b[1]-rad || p.Y > b[3]+rad
}
