package sim

import (
	"fmt"
	"math"
	"slices"

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
	dest    []geo.Target // by atom: its point, prepared for travel times
	rad     float64      // no unit farther than this (straight line, metres) can cover a point
	types   []coverType  // by unit type: its bounds
	metric  coverMetric  // how types' lo and hi are measured
	samples uint64       // coverage samples taken (not counted in Stats.Events)
	able    []int32      // the units able to take priority 1, of types that may cover a point
	// By atom: how many of the units that stand still (counted) cover it.
	count []int32
	// The units a sample looks at: dirty, those whose leg or state changed
	// since the last sample (touch) and those it found on the way; by
	// unit, touched if it is in dirty (or cannot cover a point: never in
	// it). spare is the other list's array.
	dirty, spare []int32
	touched      []bool
	still        []coverStill // by unit: what it covers while it stands still
	// By unit: the leg (unitRun.gen) at whose end it stood free at the
	// last sample, its atoms (still) counted; −1 if they are not (legs
	// are numbered from 0 up).
	counted []int64
	moving  []int32     // scratch: the sample's free units on the way
	open    int         // atoms not covered so far in the sample
	openAt  []coverAtom // scratch: those atoms, if at most coverOpen
	openIdx []int32     // scratch: those atoms (by atom: room for all)
	hit     []int32     // scratch: the atoms a unit covers
	grid    coverGrid   // the atoms by cell
	// By atom: its bounding box (x0, y0, x1, y1). By unit type t and atom
	// a, at t·len(atoms)+a: the list of the atoms a unit of type t
	// standing in a's box may cover (those within its reach of the box),
	// made when first needed.
	box   [][4]float64
	lists []coverList
	sure  []int32
	cand  []coverAtom
	// By atom: its point (dest[a].P).
	xy [][2]float64
	// On roads, by unit type t and road zone z, at t·zones+z: the list of
	// the atoms a unit of type t whose place is in zone z may cover, with
	// the bounds that decide most of them without a travel time (made
	// when first needed; nil without roads).
	zones []zoneList
	zone  []zoneAtom
}

// zoneList is the list of the atoms a unit of a type may cover from a
// place in a road zone: zone[i0:i1].
type zoneList struct {
	i0, i1 int32
	made   bool
}

// zoneAtom is an atom of a zoneList. With x the unit's access time
// (geo.Travel.AccessTime), the unit covers the atom if x ≤ sure, and does
// not if x > never; between the two geo.Travel.Within decides from the
// distance between the unit's node and the atom's (zt), and where it
// cannot, the travel time.
type zoneAtom struct {
	sure, never float64
	zt          geo.ZoneTarget
	a           int32
}

// coverList is the list of the atoms that a unit of a type standing in an
// atom's box may cover: sure[sure0:sure1] it covers from anywhere in the
// box, cand[cand0:cand1] it may (with their points, so that a unit's
// search reads one array, in order, as from the grid's cells).
type coverList struct {
	sure0, sure1, cand0, cand1 int32
	made                       bool
}

// coverStill is what the coverage samples keep of a unit: the atoms it
// covers from a point where it stood free at a sample. While it stands
// there, free, on the same leg, it covers them at every sample (its
// position, and so every travel time from it, is the same), and they are
// counted in fleetRun.count; when it moves, leaves the point or becomes
// busy, they are taken off. A unit that stands again at the same point
// (a unit back at its post) covers them again without a travel time:
// the same point gives the same travel times.
type coverStill struct {
	p     geo.Point // the point atoms was made from, when made
	made  bool      // atoms holds what it covers from p
	atoms []int32   // the atoms it covers from p, in the order searched
}

// coverType is what the coverage samples know of a unit type able to
// take priority 1: the distance (straight line, metres) beyond which it
// covers no point, reach, and its square; and, without roads, the
// distances lo and hi (squared for Euclidean travel) of the metric such
// that a point within lo of it, measured as Travel measures it, is within
// its turnout plus travel time of the target, and a point beyond hi is
// not: those between are computed as the travel time is.
type coverType struct {
	reach, reach2 float64 // −1: it covers none
	lo, hi        float64
	turnout       float64
	speed         float64
}

// coverMetric is how a sample measures the distance of an atom from a
// unit before, or instead of, its travel time.
type coverMetric int

const (
	coverAny       coverMetric = iota // straight line squared, against reach2; then the travel time
	coverEuclidean                    // straight line squared, against lo and hi
	coverManhattan                    // |dx| + |dy|, against lo and hi
)

// coverGrid is the atoms sorted by their points into a grid: cell (cx, cy)
// of side side from (x0, y0) holds cells[start[k]:start[k+1]], k =
// cy*nx+cx, in atom order (points outside the grid are counted in its edge
// cells).
type coverGrid struct {
	x0, y0, side float64
	inv          float64 // 1/side
	nx, ny       int
	start        []int32
	cells        []coverAtom
}

// coverAtom is an atom in the grid: its point and index, so that a unit's
// search reads one array.
type coverAtom struct {
	x, y float64
	a    int32
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
	f.count = make([]int32, na)
	f.openIdx = make([]int32, na)
	f.dest = make([]geo.Target, na)
	f.still = make([]coverStill, len(r.units))
	f.counted = make([]int64, len(r.units))
	for u := range f.counted {
		f.counted[u] = -1
	}
	f.xy = make([][2]float64, na)
	for a := range na {
		f.dest[a] = r.cfg.Travel.Target(r.cfg.City.Atoms[a].Inside)
		f.xy[a] = [2]float64{f.dest[a].P.X, f.dest[a].P.Y}
	}
	// Travel.MinTime is linear in the distance: a unit farther than rad
	// needs more than the target even at the highest speed and shortest
	// turnout of the units able to take priority 1.
	f.rad = -1
	if per := r.cfg.Travel.MinTime(1, r.m.maxSpeed[1]); per > 0 && target >= r.m.minTurnout[1] {
		f.rad = (target-r.m.minTurnout[1])/per + searchSlack
	}
	// Each type's own distance, by the same bound at its own speed and
	// turnout (no farther than rad): a unit reads the atoms of the cells
	// within it, and computes travel times to those within it in a
	// straight line only.
	f.types = make([]coverType, len(r.cfg.Units))
	tr := r.cfg.Travel
	switch {
	case tr.Roads != nil:
		f.metric = coverAny
	case tr.Metric == geo.Euclidean:
		f.metric = coverEuclidean
	case tr.Metric == geo.Manhattan:
		f.metric = coverManhattan
	}
	for t := range r.cfg.Units {
		ut := &r.cfg.Units[t]
		ct := &f.types[t]
		*ct = coverType{reach: -1, reach2: -1, lo: -1, hi: math.Inf(1), turnout: ut.Turnout, speed: ut.Speed}
		if per := tr.MinTime(1, ut.Speed); f.rad >= 0 && per > 0 && target >= ut.Turnout {
			d := (target-ut.Turnout)/per + searchSlack
			ct.reach, ct.reach2 = d, d*d
		}
		// Travel.Distance ÷ speed + turnout ≤ target holds for a metric
		// distance m below (target − turnout)·speed/detour and fails above
		// it; lo and hi lie a relative 1e-7 either side, far beyond the
		// rounding of the travel time (a few parts in 1e16 of the target),
		// and a distance between them is computed as the travel time is.
		// (With the turnout within 1e-6 of the target, lo stays −1: every
		// distance up to hi is computed.)
		detour := 1.0
		if tr.Detour > 0 {
			detour = tr.Detour
		}
		m := (target - ut.Turnout) * ut.Speed / detour
		if f.metric != coverAny && m > 0 && !math.IsInf(m, 1) && target-ut.Turnout > 1e-6*target {
			ct.lo, ct.hi = m*(1-1e-7), m*(1+1e-7)
			if f.metric == coverEuclidean {
				ct.lo, ct.hi = ct.lo*ct.lo, ct.hi*ct.hi
			}
		}
	}
	f.touched = make([]bool, len(r.units))
	for u := range r.units {
		// (A unit of a type that covers no point is left out.)
		if r.m.ableBits[u]&(1<<1) != 0 && f.types[r.units[u].typ].reach2 >= 0 {
			f.able = append(f.able, int32(u))
		} else {
			f.touched[u] = true // (never in dirty)
		}
	}
	// The first sample looks at every unit that may cover a point.
	for _, u := range f.able {
		f.touch(int(u))
	}
	if f.rad >= 0 {
		// Cells of rad/coverSplit (wider if that would make too many): a
		// unit that searches the grid reads, row by row, the cells within
		// its reach; the atom lists of still units are made from it.
		b := r.cfg.City.Bound()
		w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
		g := &f.grid
		*g = coverGrid{x0: b.Min[0], y0: b.Min[1], side: max(f.rad/coverSplit, 1)}
		for {
			g.nx, g.ny = int(w/g.side)+1, int(h/g.side)+1
			if g.nx*g.ny <= coverCells {
				break
			}
			g.side *= 2
		}
		g.inv = 1 / g.side
		g.fill(f.dest)
		f.box = make([][4]float64, na)
		for a := range na {
			bd := r.cfg.City.Atoms[a].Shape().Bound()
			f.box[a] = [4]float64{bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]}
		}
		f.lists = make([]coverList, len(r.cfg.Units)*na)
		if tr.Roads != nil {
			f.zones = make([]zoneList, len(r.cfg.Units)*tr.Zones())
		}
	}
	first := math.Ceil(r.cfg.Warmup/CoverEvery) * CoverEvery
	if first < r.cfg.Duration {
		r.eng.Schedule(first, evCover, 0, 0)
	}
}

// coverSample reports which atoms a free unit covers now (CoverRecorder).
// It reads the run's state and changes nothing the model uses.
//
// An atom is covered if a unit that stands still covers it (count), or
// else if a unit on the way does. A unit that stood at the last sample
// where it stands now, free then and now, on the same leg, has its atoms
// counted already, and the sample does not look at it: it looks only at
// the units noted (touch) since the last sample, those whose leg or
// state changed and those that were on the way. Of these, a unit that
// stands still has its atoms computed (or taken again, at the same
// point) and counted, and a unit no longer standing free has its atoms
// taken off. Units on the way are at a new position at every sample:
// each computes the travel times to the atoms near it that no unit
// covered before it.
func (r *run) coverSample() {
	now := r.eng.Now()
	f := &r.fleet
	f.samples++
	if coverBrute {
		for a := range f.covered {
			f.covered[a] = r.coveredBrute(a, now)
		}
		r.coverDone(now)
		return
	}
	f.moving = f.moving[:0]
	list := f.dirty
	f.dirty = f.spare[:0]
	for _, u := range list {
		f.touched[u] = false // (a unit on the way is noted again below)
		ur := &r.units[u]
		if ur.state == stPatrol && f.counted[u] == ur.gen {
			// Free and on the leg it stood at the end of at the last
			// sample: it stands there still (the leg, and so its end,
			// changes with gen).
			continue
		}
		if ur.state != stPatrol {
			if f.counted[u] >= 0 {
				f.uncount(u)
			}
			continue
		}
		if now < ur.leg.Arrive {
			if f.counted[u] >= 0 {
				f.uncount(u)
			}
			f.moving = append(f.moving, u)
			f.touch(int(u)) // (at a new position at the next sample)
			continue
		}
		// It stands at leg.To (ur.at(now)), until its next leg.
		s := &f.still[u]
		p := ur.leg.To
		if s.made && s.p == p && coverReuse {
			if f.counted[u] < 0 {
				f.recount(u)
			}
		} else {
			if f.counted[u] >= 0 {
				f.uncount(u)
			}
			o := r.cfg.Travel.Origin(&ur.leg, now, p)
			s.atoms = r.coveredStill(s.atoms[:0], int(u), int(ur.stopAtom), &o)
			s.p, s.made = p, true
			f.recount(u)
		}
		f.counted[u] = ur.gen
	}
	f.spare = list
	// The atoms no counted unit covers are open: listed in openIdx, and,
	// if at most coverOpen and some unit is on the way, in openAt.
	count := f.count
	covered := f.covered[:len(count)]
	idx := f.openIdx[:len(count)]
	open := 0
	for a, n := range count {
		covered[a] = n > 0
		if n == 0 {
			idx[open] = int32(a) // (open ≤ a)
			open++
		}
	}
	f.open = open
	few := f.open <= coverOpen
	f.openAt = f.openAt[:0]
	if few && len(f.moving) > 0 {
		at := slices.Grow(f.openAt, open)[:open]
		xy := f.xy
		for i, a := range idx[:open] {
			at[i] = coverAtom{x: xy[a][0], y: xy[a][1], a: a}
		}
		f.openAt = at
	}
	// With few atoms left (all of them in openAt), each unit on the way
	// tries each of them rather than the cells near it, and those it
	// covers leave the list.
	for _, u := range f.moving {
		if f.open == 0 {
			break // (its position is not needed)
		}
		ur := &r.units[u]
		if few && f.zones != nil && !r.mayCover(ur, now) {
			continue // (its position on the road is not needed)
		}
		pos := ur.at(now)
		o := r.cfg.Travel.Origin(&ur.leg, now, pos)
		r.coverOpenFrom(u, &o, few)
	}
	r.coverDone(now)
}

// coverOpenFrom marks the atoms left open that unit u, not counted, at
// origin o covers: with few, those of openAt (which it leaves), else
// through the cells near it.
func (r *run) coverOpenFrom(u int32, o *geo.Origin, few bool) {
	f := &r.fleet
	ur := &r.units[u]
	if f.zones != nil && coverZones {
		before := f.open
		r.coveredZone(nil, &f.types[ur.typ], int(ur.typ), o, f.covered)
		if few && f.open < before {
			f.dropCovered()
		}
		return
	}
	if !few {
		r.coveredFrom(nil, int(u), o, f.covered)
		return
	}
	// (The places in openAt of the atoms it covers, ascending: each is
	// replaced by openAt's last, from the highest down.)
	f.hit = r.coverScanOpen(f.hit[:0], &f.types[ur.typ], o, f.openAt)
	for j := len(f.hit) - 1; j >= 0; j-- {
		i := f.hit[j]
		a := f.openAt[i].a
		f.covered[a] = true
		last := len(f.openAt) - 1
		f.openAt[i] = f.openAt[last]
		f.openAt = f.openAt[:last]
	}
	f.open -= len(f.hit)
}

// touch notes that unit u's leg or state changed (its gen moved on), or
// that the sample must look at it again: the next sample looks at it.
// (Without coverage samples touched is empty: nothing.)
func (f *fleetRun) touch(u int) {
	if u < len(f.touched) && !f.touched[u] {
		f.touched[u] = true
		f.dirty = append(f.dirty, int32(u))
	}
}

// dropCovered takes the atoms now covered out of openAt, keeping the
// order of the others.
func (f *fleetRun) dropCovered() {
	k := 0
	for _, c := range f.openAt {
		if !f.covered[c.a] {
			f.openAt[k] = c
			k++
		}
	}
	f.openAt = f.openAt[:k]
}

// coverDone hands the sample to the recorder and schedules the next.
func (r *run) coverDone(now float64) {
	f := &r.fleet
	f.cover.Cover(now, f.covered)
	if next := now + CoverEvery; next < r.cfg.Duration {
		r.eng.Schedule(next, evCover, 0, 0)
	}
}

// recount counts unit u's atoms (still) as covered by a unit that stands
// still (the caller sets counted).
// (count is read into a local: f.count's fields, in memory the loop
// writes, would be read again for each atom.)
func (f *fleetRun) recount(u int32) {
	count := f.count
	for _, a := range f.still[u].atoms {
		count[a]++
	}
}

// uncount takes unit u's atoms off the count.
func (f *fleetRun) uncount(u int32) {
	count := f.count
	for _, a := range f.still[u].atoms {
		count[a]--
	}
	f.counted[u] = -1
}

// coveredStill returns in dst the atoms unit u, free and standing at
// origin o in atom a (−1: not known), covers: if o is in a's box, those of
// a's list for its type that it covers from anywhere in the box, and
// those of the rest of the list that it covers from o; else those of the
// cells near it.
func (r *run) coveredStill(dst []int32, u, a int, o *geo.Origin) []int32 {
	f := &r.fleet
	t := int(r.units[u].typ)
	ct := &f.types[t]
	if f.zones != nil && coverZones {
		return r.coveredZone(dst, ct, t, o, nil)
	}
	if a < 0 || !coverLists {
		return r.coveredFrom(dst, u, o, nil)
	}
	if b := &f.box[a]; o.P.X < b[0] || o.P.X > b[2] || o.P.Y < b[1] || o.P.Y > b[3] {
		return r.coveredFrom(dst, u, o, nil)
	}
	k := t*len(f.box) + a
	if !f.lists[k].made {
		f.lists[k] = r.coverList(ct, &f.box[a])
	}
	l := &f.lists[k]
	dst = append(dst, f.sure[l.sure0:l.sure1]...)
	return r.coverScan(dst, ct, o, f.cand[l.cand0:l.cand1], nil)
}

// coveredZone finds the atoms a free unit of type ct (t) at origin o on
// roads covers, among those of its zone's list (made on first use), each
// decided by the list's bounds where they can and by its travel time
// where they cannot. With skip nil it appends them to dst; else it tries
// only the atoms not yet marked in skip, marks those it covers and counts
// them off open.
func (r *run) coveredZone(dst []int32, ct *coverType, t int, o *geo.Origin, skip []bool) []int32 {
	f := &r.fleet
	tr := r.cfg.Travel
	k := t*tr.Zones() + o.OriginZone()
	if !f.zones[k].made {
		f.zones[k] = r.zoneList(ct, o.OriginZone())
	}
	l := f.zones[k]
	x := tr.AccessTime(o, ct.speed)
	for i := range f.zone[l.i0:l.i1] {
		c := &f.zone[int(l.i0)+i]
		if x > c.never || (skip != nil && skip[c.a]) {
			continue
		}
		if x <= c.sure || r.coverWithin(ct, o, c) {
			dst = f.mark(dst, skip, c.a)
		}
	}
	return dst
}

// mark records atom a as covered by a unit: in skip, counted off open,
// when skip is given (the atoms left open at a sample), else appended to
// dst (a unit's own list).
func (f *fleetRun) mark(dst []int32, skip []bool, a int32) []int32 {
	if skip != nil {
		skip[a] = true
		f.open--
		return dst
	}
	return append(dst, a)
}

// coverWithin reports whether a unit of type ct at origin o on roads
// covers the atom of za, where za's bounds did not decide: by
// geo.Travel.Within, else by its travel time.
func (r *run) coverWithin(ct *coverType, o *geo.Origin, za *zoneAtom) bool {
	if coverZoneWithin {
		if in, ok := r.cfg.Travel.Within(o, &za.zt, r.cfg.Targets[1]-ct.turnout); ok {
			return in
		}
	}
	return r.coverTime(ct, o, za.a)
}

// zoneList lists, for a unit of type ct whose place is in road zone z,
// the atoms it may cover with the bounds of its access time that decide
// them (zoneAtom): those within its reach of the box of the zone's nodes
// (a covered atom is within the reach of the unit's node: its access and
// road time are each at least their straight line at the top speed) whose
// bounds do not rule them out at every access. The bounds are
// geo.Travel.ZoneBound's, widened far beyond rounding, so that a decided
// atom is decided as its travel time would decide it.
func (r *run) zoneList(ct *coverType, z int) zoneList {
	f := &r.fleet
	g := &f.grid
	tr := r.cfg.Travel
	l := zoneList{made: true, i0: int32(len(f.zone))}
	if ct.reach2 < 0 {
		l.i1 = l.i0
		return l
	}
	b := tr.ZoneBox(z)
	left := r.cfg.Targets[1] - ct.turnout
	y0, y1 := g.row(b[1]-ct.reach), g.row(b[3]+ct.reach)
	x0, x1 := g.col(b[0]-ct.reach), g.col(b[2]+ct.reach)
	for cy := y0; cy <= y1; cy++ {
		row := cy * g.nx
		for _, c := range g.cells[g.start[row+x0]:g.start[row+x1+1]] {
			dx := max(0, b[0]-c.x, c.x-b[2])
			dy := max(0, b[1]-c.y, c.y-b[3])
			if dx*dx+dy*dy > ct.reach2 {
				continue
			}
			lo, hi := tr.ZoneBound(z, &f.dest[c.a], ct.speed)
			za := zoneAtom{sure: left - hi, never: left - lo, zt: tr.ZoneTarget(z, &f.dest[c.a], ct.speed), a: c.a}
			if za.never < 0 {
				continue // not at any access (0 or more)
			}
			if !coverZoneSure {
				za.sure = math.Inf(-1)
			}
			f.zone = append(f.zone, za)
		}
	}
	l.i1 = int32(len(f.zone))
	return l
}

// coverList lists the atoms a unit of type ct standing anywhere in box b
// may cover, those within its reach of the box (and under Manhattan
// travel within hi of it as Manhattan travel measures it): in sure those
// within lo of every point of the box, by a relative margin of 1e-12 far
// above the rounding of a distance (covered from anywhere in it), in cand
// the others.
func (r *run) coverList(ct *coverType, b *[4]float64) coverList {
	f := &r.fleet
	g := &f.grid
	l := coverList{made: true, sure0: int32(len(f.sure)), cand0: int32(len(f.cand))}
	lo := ct.lo * (1 - 1e-12)
	y0, y1 := g.row(b[1]-ct.reach), g.row(b[3]+ct.reach)
	x0, x1 := g.col(b[0]-ct.reach), g.col(b[2]+ct.reach)
	for cy := y0; cy <= y1; cy++ {
		row := cy * g.nx
		for _, c := range g.cells[g.start[row+x0]:g.start[row+x1+1]] {
			dx := max(0, b[0]-c.x, c.x-b[2])
			dy := max(0, b[1]-c.y, c.y-b[3])
			if dx*dx+dy*dy > ct.reach2 || (f.metric == coverManhattan && dx+dy > ct.hi) {
				continue
			}
			// The farthest a point of the box is from the atom.
			fx := max(math.Abs(c.x-b[0]), math.Abs(c.x-b[2]))
			fy := max(math.Abs(c.y-b[1]), math.Abs(c.y-b[3]))
			sure := false
			switch f.metric {
			case coverManhattan:
				sure = fx+fy <= lo
			case coverEuclidean:
				sure = fx*fx+fy*fy <= lo
			}
			if sure && coverSure {
				f.sure = append(f.sure, c.a)
			} else {
				f.cand = append(f.cand, c)
			}
		}
	}
	l.sure1, l.cand1 = int32(len(f.sure)), int32(len(f.cand))
	return l
}

// coveredFrom finds the atoms free unit u, at origin o, covers, among
// those of the cells within its type's reach (coverScan). It appends them
// to dst, or with skip set marks them there (see coverScan).
func (r *run) coveredFrom(dst []int32, u int, o *geo.Origin, skip []bool) []int32 {
	f := &r.fleet
	ct := &f.types[r.units[u].typ]
	if ct.reach2 < 0 {
		return dst
	}
	g := &f.grid
	p := o.P
	y0, y1 := g.row(p.Y-ct.reach), g.row(p.Y+ct.reach)
	for cy := y0; cy <= y1; cy++ {
		// The columns of the row that a covered atom may be in: |dx| is at
		// most the reach left beside the least |dy| of the row (its edge
		// rows reach beyond the grid), less under Manhattan travel (hi
		// bounds |dx| + |dy| of a covered atom); a metre of slack beside
		// each for rounding.
		var dy float64
		if top := g.y0 + float64(cy)*g.side; cy > 0 && p.Y < top {
			dy = top - p.Y
		} else if bot := top + g.side; cy < g.ny-1 && p.Y > bot {
			dy = p.Y - bot
		}
		dy = max(0, dy-searchSlack)
		w := ct.reach2 - dy*dy
		if w < 0 {
			continue
		}
		w = math.Sqrt(w)
		if f.metric == coverManhattan {
			if w = min(w, ct.hi-dy); w < 0 {
				continue
			}
		}
		x0, x1 := g.col(p.X-w-searchSlack), g.col(p.X+w+searchSlack)
		row := cy * g.nx
		dst = r.coverScan(dst, ct, o, g.cells[g.start[row+x0]:g.start[row+x1+1]], skip)
	}
	return dst
}

// coverScan finds the atoms of cells that a free unit of type ct at
// origin o covers: within its reach in a straight line (or within hi as
// the metric measures it) and within the priority-1 target (turnout plus
// travel time, computed only for a distance between lo and hi). With
// skip nil it appends them to dst; else it tests only the atoms not yet
// marked in skip, marks those it covers and counts them off open.
func (r *run) coverScan(dst []int32, ct *coverType, o *geo.Origin, cells []coverAtom, skip []bool) []int32 {
	f := &r.fleet
	if skip == nil && f.metric != coverAny {
		return r.coverScanMetric(dst, ct, o, cells)
	}
	p := o.P
	for i := range cells {
		c := &cells[i]
		if skip != nil && skip[c.a] {
			continue
		}
		dx, dy := c.x-p.X, c.y-p.Y
		var d float64
		switch f.metric {
		case coverManhattan:
			d = math.Abs(dx) + math.Abs(dy)
		case coverEuclidean:
			d = dx*dx + dy*dy
		default:
			// (Within the unit's own distance, in a straight line: the
			// bound is far above the rounding of either side.)
			if dx*dx+dy*dy > ct.reach2 {
				continue
			}
		}
		if d > ct.hi {
			continue
		}
		if d <= ct.lo || r.coverTime(ct, o, c.a) {
			dst = f.mark(dst, skip, c.a)
		}
	}
	return dst
}

// coverScanMetric is coverScan without skip or roads, without a branch
// on most atoms: each is written past the end of dst and kept if within
// lo (a conditional move, where a branch would be mistaken about half the
// time); only those between lo and hi take a branch, to their travel time.
func (r *run) coverScanMetric(dst []int32, ct *coverType, o *geo.Origin, cells []coverAtom) []int32 {
	n := len(dst)
	dst = slices.Grow(dst, len(cells))[:n+len(cells)]
	p := o.P
	lo, hi := ct.lo, ct.hi
	// (A loop for each metric, the same but for d.)
	if r.fleet.metric == coverEuclidean {
		for i := range cells {
			c := &cells[i]
			dx, dy := c.x-p.X, c.y-p.Y
			d := dx*dx + dy*dy
			dst[n] = c.a
			in := 0
			if d <= lo {
				in = 1
			}
			n += in
			if d > lo && d <= hi && r.coverTime(ct, o, c.a) {
				n++
			}
		}
		return dst[:n]
	}
	for i := range cells {
		c := &cells[i]
		d := math.Abs(c.x-p.X) + math.Abs(c.y-p.Y)
		dst[n] = c.a
		in := 0
		if d <= lo {
			in = 1
		}
		n += in
		if d > lo && d <= hi && r.coverTime(ct, o, c.a) {
			n++
		}
	}
	return dst[:n]
}

// coverScanOpen is coverScan without skip, of the atoms left open
// (openAt): it appends to dst the places in cells of those it covers.
func (r *run) coverScanOpen(dst []int32, ct *coverType, o *geo.Origin, cells []coverAtom) []int32 {
	p := o.P
	if r.fleet.metric == coverAny {
		for i := range cells {
			c := &cells[i]
			dx, dy := c.x-p.X, c.y-p.Y
			if dx*dx+dy*dy <= ct.reach2 && r.coverTime(ct, o, c.a) {
				dst = append(dst, int32(i))
			}
		}
		return dst
	}
	// As coverScanMetric.
	n := len(dst)
	dst = slices.Grow(dst, len(cells))[:n+len(cells)]
	lo, hi := ct.lo, ct.hi
	if r.fleet.metric == coverEuclidean {
		for i := range cells {
			c := &cells[i]
			dx, dy := c.x-p.X, c.y-p.Y
			d := dx*dx + dy*dy
			dst[n] = int32(i)
			in := 0
			if d <= lo {
				in = 1
			}
			n += in
			if d > lo && d <= hi && r.coverTime(ct, o, c.a) {
				n++
			}
		}
		return dst[:n]
	}
	for i := range cells {
		c := &cells[i]
		d := math.Abs(c.x-p.X) + math.Abs(c.y-p.Y)
		dst[n] = int32(i)
		in := 0
		if d <= lo {
			in = 1
		}
		n += in
		if d > lo && d <= hi && r.coverTime(ct, o, c.a) {
			n++
		}
	}
	return dst[:n]
}

// coverTime reports whether a unit of type ct at origin o reaches atom a
// within the priority-1 target: its turnout plus travel time.
func (r *run) coverTime(ct *coverType, o *geo.Origin, a int32) bool {
	return ct.turnout+r.cfg.Travel.TimeFromOrigin(o, &r.fleet.dest[a], ct.speed) <= r.cfg.Targets[1]
}

// coverLists lets a unit that stands still in a known atom try the atoms
// of that atom's list rather than the cells near it, coverSure lets it
// take those it covers from anywhere in the atom's box without a test,
// and coverOpen is the
// most atoms left uncovered that units on the way try one by one rather
// than through the cells near them (variables for tests only: the answers
// must not change).
var (
	coverLists = true
	coverSure  = true
	coverOpen  = 64
)

// coverZones lets units on roads try the atoms of their zone's list (and
// coverZoneSure take those its bounds decide as covered without a travel
// time, coverZoneWithin decide others from their nodes' distance) rather than their atom's list or the cells near them (variables
// for tests only: the answers must not change).
var (
	coverZones      = true
	coverZoneSure   = true
	coverZoneWithin = true
)

// mayCover reports whether unit ur, on the way, may cover one of the
// atoms left open (openAt) at time now: whether one is within its type's
// reach of where it may be, in the box of its leg and within the lengths
// of its way from the leg's start and to its end (Leg.Reach), give or take
// searchSlack (Leg.BeyondReach).
func (r *run) mayCover(ur *unitRun, now float64) bool {
	f := &r.fleet
	l := &ur.leg
	x0, y0, x1, y1 := l.Box()
	rf, rt := l.Reach(now)
	reach := f.types[ur.typ].reach + searchSlack
	reach2 := reach * reach
	for _, c := range f.openAt {
		dx := max(0, x0-c.x, c.x-x1)
		dy := max(0, y0-c.y, c.y-y1)
		if dx*dx+dy*dy <= reach2 && !l.BeyondReach(rf, rt, geo.Point{X: c.x, Y: c.y}, reach) {
			return true
		}
	}
	return false
}

// coverReuse lets a unit that stands again where it stood take the atoms
// it covered there without computing them again (a variable for tests
// only: the answers must not change).
var coverReuse = true

// coverBrute makes coverSample try, for every atom, every free unit from
// its position computed afresh, without the counts, the grid or any bound
// (tests only: the answers must not change).
var coverBrute = false

// coveredBrute reports whether a free unit able to take priority 1 could
// reach atom a's point within the target, by trying every such unit from
// its position computed afresh.
func (r *run) coveredBrute(a int, now float64) bool {
	for u := range r.units {
		ur := &r.units[u]
		if ur.state != stPatrol || r.m.ableBits[u]&(1<<1) == 0 {
			continue
		}
		ut := &r.cfg.Units[ur.typ]
		o := r.cfg.Travel.Origin(&ur.leg, now, ur.at(now))
		if ut.Turnout+r.cfg.Travel.TimeFromOrigin(&o, &r.fleet.dest[a], ut.Speed) <= r.cfg.Targets[1] {
			return true
		}
	}
	return false
}

// coverSplit is how many cells of the grid of atoms make rad (2 read
// fewest cells and atoms in all on the built-in city).
var coverSplit = 2.0

// coverCells bounds the cells of the grid of atoms of the coverage
// samples (a variable for tests only: with 1 cell every unit reads every
// atom).
var coverCells = 1 << 16

// col and row return the grid column of x and row of y, clamped to the
// grid (so that an atom outside it, counted in an edge cell, is still met).
// (Truncating rather than flooring differs only between −1 and 0, both
// clamped to 0.)
func (g *coverGrid) col(x float64) int {
	return max(0, min(int((x-g.x0)*g.inv), g.nx-1))
}

func (g *coverGrid) row(y float64) int {
	return max(0, min(int((y-g.y0)*g.inv), g.ny-1))
}

// fill sorts the atoms into the grid by their points (a counting sort:
// each cell keeps atom order).
func (g *coverGrid) fill(dest []geo.Target) {
	g.start = make([]int32, g.nx*g.ny+1)
	cell := make([]int32, len(dest))
	for a := range dest {
		k := int32(g.row(dest[a].P.Y)*g.nx + g.col(dest[a].P.X))
		cell[a] = k
		g.start[k+1]++
	}
	for k := 1; k < len(g.start); k++ {
		g.start[k] += g.start[k-1]
	}
	g.cells = make([]coverAtom, len(dest))
	next := append([]int32(nil), g.start...)
	for a, k := range cell {
		g.cells[next[k]] = coverAtom{x: dest[a].P.X, y: dest[a].P.Y, a: int32(a)}
		next[k]++
	}
}
