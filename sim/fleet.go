package sim

import (
	"fmt"
	"math"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// This file holds what the engine does for fleet-aware policies
// (policy.Commander: it shows them the fleet, reviews them, carries out
// their relocation orders) and the coverage samples (CoverRecorder).
// Neither happens in a run without a Commander or a CoverRecorder, so such
// a run plays exactly as it did before they existed.

// CoverEvery is the interval of the coverage samples, seconds: every 10
// minutes, below the 20–45 minute on-scene times of the built-in
// scenarios, so that the average of the samples, equally spaced, estimates
// the time average of coverage without bias; a shorter interval costs
// more (a sample reads every area) without changing the estimate's
// expectation.
const CoverEvery = 600

// CoverRecorder is implemented by recorders that take coverage samples.
// At every multiple of CoverEvery seconds in the measurement window
// [Config.Warmup, Config.Duration), the engine reports for each atom
// whether a free unit able to take priority-1 calls could reach the atom's
// point (Atom.Inside) within the priority-1 target if sent now: its
// turnout plus travel at its response speed from its true position, as
// point-to-point dispatch estimates it. Without a priority-1 target there
// are no samples. The slice is reused: read it during the call.
type CoverRecorder interface {
	Cover(t float64, covered []bool)
}

// fleetRun is a run's state for Commanders and coverage samples; the zero
// value is a run with neither.
type fleetRun struct {
	onChange bool  // some Commander reviews on changes
	pending  bool  // a change review is scheduled at this instant
	changes  []int // policies reviewed on changes, ascending

	cover   CoverRecorder
	covered []bool       // by atom: the sample's answer
	last    []int32      // by atom: the unit that covered it at the last sample, or -1
	lastGen []int64      // by atom: that unit's leg (unitRun.gen) then
	still   []bool       // by atom: that unit had ended that leg then (stood at its end)
	dest    []geo.Target // by atom: its point, prepared for travel times
	awin    []window     // by atom: the cells of the grid within rad of its point
	rad     float64      // no unit farther than this (straight line, metres) can cover a point
	reach2  []float64    // by unit type: the square of its own such distance (−1: it covers none)
	samples uint64       // coverage samples taken (not counted in Stats.Events)
	free    []int32      // the sample's free units able to take priority 1
	stop    []int32      // scratch for free
	moving  []int32      // scratch for free
	pos     []geo.Point  // by unit: its position at the sample (for those in free)
	origin  []geo.Origin // by unit: pos prepared for travel times (located once a sample)
	stamp   []uint64     // by unit: the sample pos is of
	// A grid of the sample's free units by position: cell (cx, cy) of
	// side gside from (gx0, gy0) holds gunits[gstart[k]:gstart[k+1]],
	// k = cy*gnx+cx, in the order of free (positions outside the grid
	// are counted in its edge cells).
	gx0, gy0, gside float64
	gnx, gny        int
	gstart          []int32
	gunits          []coverUnit
	gcell           []int32 // scratch: by position in free, its cell
}

// coverUnit is a free unit in the grid of a coverage sample: its position
// and the square of the distance beyond which it covers no point, beside
// its index, so that the search of an atom's cells reads one array.
type coverUnit struct {
	x, y, reach2 float64
	u            int32
}

// attachCommanders gives every Commander among the run's policies its
// fleet and schedules its periodic reviews.
func (r *run) attachCommanders() error {
	for k, p := range r.policies {
		c, ok := p.(policy.Commander)
		if !ok {
			continue
		}
		rev, err := c.Attach((*fleetView)(r))
		if err != nil {
			return err
		}
		if rev.OnChange {
			r.fleet.onChange = true
			r.fleet.changes = append(r.fleet.changes, k)
		}
		if rev.Every > 0 {
			r.eng.Schedule(0, evReview, int32(k), int64(math.Float64bits(rev.Every)))
		}
	}
	return nil
}

// changed notes that a unit was dispatched, cleared, or went on or off
// duty: Commanders that review on changes are asked once at this instant,
// after the events of the instant scheduled so far.
func (r *run) changed() {
	if !r.fleet.onChange || r.fleet.pending {
		return
	}
	r.fleet.pending = true
	r.eng.After(0, evReview, -1, 0)
}

// review handles an evReview event: policy k's periodic review (every
// math.Float64frombits(b) seconds), or with k = −1 the change review.
func (r *run) review(k int32, b int64) {
	now := r.eng.Now()
	if k < 0 {
		r.fleet.pending = false
		for _, j := range r.fleet.changes {
			r.command(j)
			if r.err != nil {
				return
			}
		}
		return
	}
	r.command(int(k))
	if next := now + math.Float64frombits(uint64(b)); next < r.cfg.Duration+DrainLimit {
		r.eng.Schedule(next, evReview, k, b)
	}
}

// command asks Commander k for its orders and carries them out.
func (r *run) command(k int) {
	c := r.policies[k].(policy.Commander)
	for _, mv := range c.Command(r.eng.Now(), r.rPolicy) {
		u := mv.Unit
		switch {
		case u < 0 || u >= len(r.units) || int(r.units[u].policy) != k:
			r.err = fmt.Errorf("policy %T: relocation order for unit %d, which it does not govern", c, u)
		case r.units[u].state != stPatrol:
			r.err = fmt.Errorf("policy %T: relocation order for unit %d, which is not free", c, u)
		}
		if r.err != nil {
			return
		}
		r.relocate(u, mv.Order)
		if r.err != nil {
			return
		}
	}
}

// relocate starts order o for free unit u at once, at its patrol speed,
// replacing its current order.
func (r *run) relocate(u int, o policy.Order) {
	ur := &r.units[u]
	r.leave(u)
	r.start(u, ur.at(r.eng.Now()), o)
}

// fleetView is a run as a policy.Fleet shows it.
type fleetView run

func (f *fleetView) Status(u int) policy.Status {
	switch f.units[u].state {
	case stOff:
		return policy.OffDuty
	case stPatrol:
		return policy.Free
	}
	return policy.Busy
}

func (f *fleetView) Pos(u int) geo.Point { return f.units[u].at(f.eng.Now()) }

func (f *fleetView) Heading(u int) geo.Point { return f.units[u].leg.To }

func (f *fleetView) Able(u, p int) bool {
	return p >= 1 && p <= 3 && f.m.ableBits[u]&(1<<p) != 0
}

func (f *fleetView) Reach(u int, from, to geo.Point) float64 {
	ut := &f.cfg.Units[f.units[u].typ]
	return ut.Turnout + f.cfg.Travel.Time(from, to, ut.Speed)
}

func (f *fleetView) Target(p int) float64 {
	if p < 1 || p > 3 {
		return 0
	}
	return f.cfg.Targets[p]
}

// startCover prepares the coverage samples for a recorder that takes them
// and schedules the first.
func (r *run) startCover() {
	cr, ok := r.rec.(CoverRecorder)
	target := r.cfg.Targets[1]
	if !ok || !(target > 0) {
		return
	}
	f := &r.fleet
	f.cover = cr
	na := len(r.cfg.City.Atoms)
	f.covered = make([]bool, na)
	f.last = make([]int32, na)
	f.lastGen = make([]int64, na)
	f.still = make([]bool, na)
	f.dest = make([]geo.Target, na)
	f.pos = make([]geo.Point, len(r.units))
	f.origin = make([]geo.Origin, len(r.units))
	f.stamp = make([]uint64, len(r.units))
	for a := range na {
		f.last[a] = -1
		f.dest[a] = r.cfg.Travel.Target(r.cfg.City.Atoms[a].Inside)
	}
	// Travel.MinTime is linear in the distance: a unit farther than rad
	// needs more than the target even at the highest speed and shortest
	// turnout of the units able to take priority 1.
	f.rad = -1
	if per := r.cfg.Travel.MinTime(1, r.m.maxSpeed[1]); per > 0 && target >= r.m.minTurnout[1] {
		f.rad = (target-r.m.minTurnout[1])/per + searchSlack
	}
	if f.rad >= 0 {
		// Cells of side rad (wider if that would make too many): an
		// atom's units are in the cells its square of side 2·rad meets.
		b := r.cfg.City.Bound()
		w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
		f.gx0, f.gy0, f.gside = b.Min[0], b.Min[1], max(f.rad, 1)
		for {
			f.gnx, f.gny = int(w/f.gside)+1, int(h/f.gside)+1
			if f.gnx*f.gny <= coverCells {
				break
			}
			f.gside *= 2
		}
		f.gstart = make([]int32, f.gnx*f.gny+1)
		f.gunits = make([]coverUnit, 0, len(r.units))
		f.gcell = make([]int32, 0, len(r.units))
		f.awin = make([]window, na)
		for a := range na {
			p := f.dest[a].P
			f.awin[a] = window{f.gcol(p.X - f.rad), f.gcol(p.X + f.rad), f.grow(p.Y - f.rad), f.grow(p.Y + f.rad)}
		}
		// Each type's own distance, by the same bound at its own speed
		// and turnout (no farther than rad): most units are ruled out by
		// it without computing a travel time.
		f.reach2 = make([]float64, len(r.cfg.Units))
		for t := range r.cfg.Units {
			ut := &r.cfg.Units[t]
			f.reach2[t] = -1
			if per := r.cfg.Travel.MinTime(1, ut.Speed); per > 0 && target >= ut.Turnout {
				d := (target-ut.Turnout)/per + searchSlack
				f.reach2[t] = d * d
			}
		}
	}
	first := math.Ceil(r.cfg.Warmup/CoverEvery) * CoverEvery
	if first < r.cfg.Duration {
		r.eng.Schedule(first, evCover, 0, 0)
	}
}

// coverSample reports which atoms a free unit covers now (CoverRecorder).
// It reads the run's state and changes nothing the model uses.
func (r *run) coverSample() {
	now := r.eng.Now()
	f := &r.fleet
	f.samples++
	// The free units able to take priority 1, and where they are: with
	// few of them each atom scans them all, those that have stood still
	// longest first (an atom one of them covers is not computed again
	// while it stays: units at posts, then units at a stop, then units on
	// the way); with many, it asks the index.
	f.free = f.free[:0]
	f.stop = f.stop[:0]
	f.moving = f.moving[:0]
	if r.freeAble[1] > 0 {
		for u := range r.units {
			ur := &r.units[u]
			if ur.state != stPatrol || r.m.ableBits[u]&(1<<1) == 0 {
				continue
			}
			switch {
			case now-ur.leg.Arrive >= CoverEvery:
				f.free = append(f.free, int32(u))
			case now >= ur.leg.Arrive:
				f.stop = append(f.stop, int32(u))
			default:
				f.moving = append(f.moving, int32(u))
			}
			f.pos[u] = ur.at(now)
			f.origin[u] = r.cfg.Travel.Origin(&ur.leg, now, f.pos[u])
			f.stamp[u] = f.samples
		}
		f.free = append(append(f.free, f.stop...), f.moving...)
	}
	if f.rad >= 0 {
		f.gridFree(r)
	}
	for a := range f.covered {
		f.covered[a] = r.coveredNow(a, now)
	}
	f.cover.Cover(now, f.covered)
	if next := now + CoverEvery; next < r.cfg.Duration {
		r.eng.Schedule(next, evCover, 0, 0)
	}
}

// coveredNow reports whether a free unit able to take priority 1 could
// reach atom a's point within the target: the unit that did at the last
// sample is tried first, then every unit near enough.
func (r *run) coveredNow(a int, now float64) bool {
	f := &r.fleet
	if u := f.last[a]; u >= 0 && f.stamp[u] == f.samples {
		if f.still[a] && r.units[u].gen == f.lastGen[a] {
			return true // it stands where it stood, so it reaches a as it did
		}
		if r.covers(int(u), a, now) {
			f.lastGen[a], f.still[a] = r.units[u].gen, now >= r.units[u].leg.Arrive
			return true
		}
	}
	if len(f.free) == 0 || f.rad < 0 {
		return false
	}
	if coverBrute {
		return r.coveredBrute(a, now)
	}
	p := f.dest[a].P
	w := f.awin[a]
	for cy := w.y0; cy <= w.y1; cy++ {
		row := cy * f.gnx
		for _, c := range f.gunits[f.gstart[row+w.x0]:f.gstart[row+w.x1+1]] {
			// (Within the unit's own distance, in a straight line: the
			// bound is far above the rounding of either side.)
			if dx, dy := c.x-p.X, c.y-p.Y; dx*dx+dy*dy <= c.reach2 && r.covers(int(c.u), a, now) {
				j := c.u
				f.last[a], f.lastGen[a], f.still[a] = j, r.units[j].gen, now >= r.units[j].leg.Arrive
				return true
			}
		}
	}
	return false
}

// coverBrute makes coveredNow try every free unit, without the grid or
// any bound (tests only: the answers must not change).
var coverBrute = false

// coveredBrute is coveredNow's search by trying every free unit.
func (r *run) coveredBrute(a int, now float64) bool {
	f := &r.fleet
	for _, j := range f.free {
		if r.covers(int(j), a, now) {
			f.last[a], f.lastGen[a], f.still[a] = j, r.units[j].gen, now >= r.units[j].leg.Arrive
			return true
		}
	}
	return false
}

// coverCells bounds the cells of the grid of free units of a coverage
// sample (a variable for tests only: with 1 cell every atom scans every
// free unit).
var coverCells = 1 << 16

// gcol and grow return the grid column of x and row of y, clamped to the
// grid (so that a unit outside it, counted in an edge cell, is still met).
func (f *fleetRun) gcol(x float64) int {
	return max(0, min(int(math.Floor((x-f.gx0)/f.gside)), f.gnx-1))
}

func (f *fleetRun) grow(y float64) int {
	return max(0, min(int(math.Floor((y-f.gy0)/f.gside)), f.gny-1))
}

// gridFree sorts the sample's free units into the grid by their positions
// (a counting sort: each cell keeps the order of free).
func (f *fleetRun) gridFree(r *run) {
	clear(f.gstart)
	f.gcell = f.gcell[:0]
	for _, j := range f.free {
		q := f.pos[j]
		k := int32(f.grow(q.Y)*f.gnx + f.gcol(q.X))
		f.gcell = append(f.gcell, k)
		f.gstart[k+1]++
	}
	for k := 1; k < len(f.gstart); k++ {
		f.gstart[k] += f.gstart[k-1]
	}
	f.gunits = f.gunits[:len(f.free)]
	for i, j := range f.free {
		k := f.gcell[i]
		q := f.pos[j]
		f.gunits[f.gstart[k]] = coverUnit{x: q.X, y: q.Y, reach2: f.reach2[r.units[j].typ], u: j}
		f.gstart[k]++
	}
	// gstart[k] is now the end of cell k: shift back to starts.
	copy(f.gstart[1:], f.gstart[:len(f.gstart)-1])
	f.gstart[0] = 0
}

// covers reports whether unit u, free and able to take priority 1 at this
// sample (its position in fleet.pos), could reach atom a's point within
// the priority-1 target if sent now.
func (r *run) covers(u, a int, now float64) bool {
	ur := &r.units[u]
	ut := &r.cfg.Units[ur.typ]
	t := ut.Turnout + r.cfg.Travel.TimeFromOrigin(&r.fleet.origin[u], &r.fleet.dest[a], ut.Speed)
	return t <= r.cfg.Targets[1]
}
