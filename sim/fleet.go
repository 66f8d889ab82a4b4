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
	atoms   []coverAtom  // by atom: what the search reads and keeps
	dest    []geo.Target // by atom: its point, prepared for travel times
	rad     float64      // no unit farther than this (straight line, metres) can cover a point
	reach2  []float64    // by unit type: the square of its own such distance (−1: it covers none)
	samples uint64       // coverage samples taken (not counted in Stats.Events)
	able    []int32      // the units able to take priority 1
	free    []int32      // the sample's free units able to take priority 1
	stop    []int32      // scratch for free
	moving  []int32      // scratch for free
	pos     []geo.Point  // by unit: its position at the sample (for those in free)
	origin  []geo.Origin // by unit: pos prepared for travel times (located once a sample)
	mark    []coverMark  // by unit: the last sample it was free at, and its leg then
	// The free units that may cover an atom no free unit covered at the
	// last sample: all but those that were free then and stood, as now,
	// at the end of the same leg (they reach every atom as they did).
	changed []int32
	// free and changed as the search reads them (coverUnit), in their
	// order; with more than coverLinear of them, sorted into a grid of
	// cells as well, on the first atom that asks (at sample gridAt).
	freeU, changedU []coverUnit
	all, chg        coverGrid
}

// coverGrid is a list of units of a coverage sample sorted by position
// into a grid: cell (cx, cy) of side side from (x0, y0) holds
// units[start[k]:start[k+1]], k = cy*nx+cx, in the order of the list
// (positions outside the grid are counted in its edge cells).
type coverGrid struct {
	x0, y0, side float64
	nx, ny       int
	start        []int32
	units        []coverUnit
	cell         []int32 // scratch: by position in the list, its cell
	at           uint64  // the sample the grid is of
}

// coverAtom is an atom as the coverage samples search it, in one place.
type coverAtom struct {
	p       geo.Point // its point (dest's)
	lastGen int64     // the leg (unitRun.gen) of last then
	last    int32     // the unit that covered it at the last sample, or -1
	still   bool      // last had ended that leg then (stood at its end)
	none    bool      // no free unit covered it at the last sample
	// The cells of the grids within rad of p: columns x0 … x1, rows
	// y0 … y1.
	x0, x1, y0, y1 int32
}

// coverMark is what a coverage sample keeps of a unit free at it: the
// sample (fleetRun.samples), the unit's leg (unitRun.gen) then, and
// whether it had ended that leg (stood at its end). The unit's position
// then is in fleetRun.pos.
type coverMark struct {
	stamp uint64
	gen   int64
	still bool
}

// coverUnit is a free unit as a coverage sample searches it: its position
// and the square of the distance beyond which it covers no point, beside
// its index, so that a search reads one array.
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
	f.atoms = make([]coverAtom, na)
	f.dest = make([]geo.Target, na)
	f.pos = make([]geo.Point, len(r.units))
	f.origin = make([]geo.Origin, len(r.units))
	f.mark = make([]coverMark, len(r.units))
	for a := range na {
		f.dest[a] = r.cfg.Travel.Target(r.cfg.City.Atoms[a].Inside)
		f.atoms[a] = coverAtom{p: f.dest[a].P, last: -1}
	}
	for u := range r.units {
		if r.m.ableBits[u]&(1<<1) != 0 {
			f.able = append(f.able, int32(u))
		}
	}
	// Travel.MinTime is linear in the distance: a unit farther than rad
	// needs more than the target even at the highest speed and shortest
	// turnout of the units able to take priority 1.
	f.rad = -1
	if per := r.cfg.Travel.MinTime(1, r.m.maxSpeed[1]); per > 0 && target >= r.m.minTurnout[1] {
		f.rad = (target-r.m.minTurnout[1])/per + searchSlack
	}
	if f.rad >= 0 {
		// Cells of half rad (wider if that would make too many): an
		// atom's units are in the cells its square of side 2·rad meets.
		b := r.cfg.City.Bound()
		w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
		g := coverGrid{x0: b.Min[0], y0: b.Min[1], side: max(f.rad/2, 1)}
		for {
			g.nx, g.ny = int(w/g.side)+1, int(h/g.side)+1
			if g.nx*g.ny <= coverCells {
				break
			}
			g.side *= 2
		}
		for a := range f.atoms {
			at := &f.atoms[a]
			at.x0, at.x1 = int32(g.col(at.p.X-f.rad)), int32(g.col(at.p.X+f.rad))
			at.y0, at.y1 = int32(g.row(at.p.Y-f.rad)), int32(g.row(at.p.Y+f.rad))
		}
		f.all, f.chg = g, g
		for _, g := range []*coverGrid{&f.all, &f.chg} {
			g.start = make([]int32, g.nx*g.ny+1)
			g.units = make([]coverUnit, 0, len(f.able))
			g.cell = make([]int32, 0, len(f.able))
		}
	}
	// Each type's own distance, by the same bound at its own speed and
	// turnout (no farther than rad): most units are ruled out by it
	// without computing a travel time.
	f.reach2 = make([]float64, len(r.cfg.Units))
	for t := range r.cfg.Units {
		ut := &r.cfg.Units[t]
		f.reach2[t] = -1
		if per := r.cfg.Travel.MinTime(1, ut.Speed); per > 0 && target >= ut.Turnout {
			d := (target-ut.Turnout)/per + searchSlack
			f.reach2[t] = d * d
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
	// The free units able to take priority 1, and where they are: those
	// that have stood still longest first (an atom one of them covers is
	// not computed again while it stays: units at posts, then units at a
	// stop, then units on the way). A unit that stands where it stood at
	// the last sample, free then and now, keeps its position (and is not
	// in changed).
	f.free = f.free[:0]
	f.stop = f.stop[:0]
	f.moving = f.moving[:0]
	f.changed = f.changed[:0]
	f.changedU = f.changedU[:0]
	if r.freeAble[1] > 0 {
		for _, u := range f.able {
			ur := &r.units[u]
			if ur.state != stPatrol {
				continue
			}
			switch {
			case now-ur.leg.Arrive >= CoverEvery:
				f.free = append(f.free, u)
			case now >= ur.leg.Arrive:
				f.stop = append(f.stop, u)
			default:
				f.moving = append(f.moving, u)
			}
			still := now >= ur.leg.Arrive
			m := &f.mark[u]
			if m.stamp != f.samples-1 || ur.gen != m.gen || !m.still {
				f.pos[u] = ur.at(now)
				f.origin[u] = r.cfg.Travel.Origin(&ur.leg, now, f.pos[u])
				f.changed = append(f.changed, u)
				f.changedU = append(f.changedU, coverUnit{x: f.pos[u].X, y: f.pos[u].Y, reach2: f.reach2[ur.typ], u: u})
			}
			*m = coverMark{stamp: f.samples, gen: ur.gen, still: still}
		}
		f.free = append(append(f.free, f.stop...), f.moving...)
	}
	f.freeU = f.freeU[:0]
	if f.rad >= 0 {
		for _, u := range f.free {
			f.freeU = append(f.freeU, coverUnit{x: f.pos[u].X, y: f.pos[u].Y, reach2: f.reach2[r.units[u].typ], u: u})
		}
	}
	for a := range f.atoms {
		// (coveredNow's first test, here: it answers most atoms.)
		at := &f.atoms[a]
		c := false
		// (A unit free at this sample has its leg in mark: reading it
		// there rather than in units touches one small array.)
		if u := at.last; u >= 0 && at.still && f.mark[u].stamp == f.samples && f.mark[u].gen == at.lastGen && !coverBrute {
			c = true
		} else {
			c = r.coveredNow(a, now)
		}
		f.covered[a], at.none = c, !c
	}
	f.cover.Cover(now, f.covered)
	if next := now + CoverEvery; next < r.cfg.Duration {
		r.eng.Schedule(next, evCover, 0, 0)
	}
}

// coveredNow reports whether a free unit able to take priority 1 could
// reach atom a's point within the target: the unit that did at the last
// sample is tried first, then every unit near enough (of an atom no unit
// covered at the last sample, every changed unit near enough).
func (r *run) coveredNow(a int, now float64) bool {
	if coverBrute {
		return r.coveredBrute(a, now)
	}
	f := &r.fleet
	at := &f.atoms[a]
	if u := at.last; u >= 0 && f.mark[u].stamp == f.samples {
		ur := &r.units[u]
		if at.still && ur.gen == at.lastGen {
			return true // it stands where it stood, so it reaches a as it did
		}
		if r.covers(int(u), a, now) {
			at.lastGen, at.still = ur.gen, now >= ur.leg.Arrive
			return true
		}
	}
	if len(f.free) == 0 || f.rad < 0 {
		return false
	}
	list, g := f.freeU, &f.all
	if at.none {
		list, g = f.changedU, &f.chg
	}
	if len(list) <= coverLinear {
		return r.coveredBy(a, now, list)
	}
	if g.at != f.samples {
		g.fill(list)
		g.at = f.samples
	}
	for cy := at.y0; cy <= at.y1; cy++ {
		row := int(cy) * g.nx
		if r.coveredBy(a, now, g.units[g.start[row+int(at.x0)]:g.start[row+int(at.x1)+1]]) {
			return true
		}
	}
	return false
}

// coveredBy reports whether one of units covers atom a, and keeps the
// first that does in the atom's last.
func (r *run) coveredBy(a int, now float64, units []coverUnit) bool {
	at := &r.fleet.atoms[a]
	p := at.p
	for i := range units {
		// (Within the unit's own distance, in a straight line: the bound
		// is far above the rounding of either side.)
		c := &units[i]
		if dx, dy := c.x-p.X, c.y-p.Y; dx*dx+dy*dy <= c.reach2 && r.covers(int(c.u), a, now) {
			ur := &r.units[c.u]
			at.last, at.lastGen, at.still = c.u, ur.gen, now >= ur.leg.Arrive
			return true
		}
	}
	return false
}

// coverLinear is the most units an atom's search scans in a list rather
// than in a grid (a variable for tests only).
var coverLinear = 64

// coverBrute makes coveredNow try every free unit from its position
// computed afresh, without the unit of the last sample, the grid or any
// bound (tests only: the answers must not change).
var coverBrute = false

// coveredBrute is coveredNow's search by trying every free unit able to
// take priority 1, from its position computed afresh.
func (r *run) coveredBrute(a int, now float64) bool {
	at := &r.fleet.atoms[a]
	for u := range r.units {
		ur := &r.units[u]
		if ur.state != stPatrol || r.m.ableBits[u]&(1<<1) == 0 {
			continue
		}
		ut := &r.cfg.Units[ur.typ]
		o := r.cfg.Travel.Origin(&ur.leg, now, ur.at(now))
		if ut.Turnout+r.cfg.Travel.TimeFromOrigin(&o, &r.fleet.dest[a], ut.Speed) <= r.cfg.Targets[1] {
			at.last, at.lastGen, at.still = int32(u), ur.gen, now >= ur.leg.Arrive
			return true
		}
	}
	return false
}

// coverCells bounds the cells of the grids of free units of a coverage
// sample (a variable for tests only: with 1 cell every atom scans every
// free unit).
var coverCells = 1 << 16

// col and row return the grid column of x and row of y, clamped to the
// grid (so that a unit outside it, counted in an edge cell, is still met).
func (g *coverGrid) col(x float64) int {
	return max(0, min(int(math.Floor((x-g.x0)/g.side)), g.nx-1))
}

func (g *coverGrid) row(y float64) int {
	return max(0, min(int(math.Floor((y-g.y0)/g.side)), g.ny-1))
}

// fill sorts units into the grid by their positions (a counting sort:
// each cell keeps the order of units).
func (g *coverGrid) fill(units []coverUnit) {
	clear(g.start)
	g.cell = g.cell[:0]
	for i := range units {
		k := int32(g.row(units[i].y)*g.nx + g.col(units[i].x))
		g.cell = append(g.cell, k)
		g.start[k+1]++
	}
	for k := 1; k < len(g.start); k++ {
		g.start[k] += g.start[k-1]
	}
	g.units = g.units[:len(units)]
	for i, k := range g.cell {
		g.units[g.start[k]] = units[i]
		g.start[k]++
	}
	// start[k] is now the end of cell k: shift back to starts.
	copy(g.start[1:], g.start[:len(g.start)-1])
	g.start[0] = 0
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
