package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// Seeds salts of the incident-local streams (never renumber).
const (
	saltOffspring = 0x6f6666737072696e // "offsprin"
	saltDisplace  = 0x646973706c616365 // "displace"
)

// presenceAt is the visible presence at p at time t: the visibility ×
// squad of every unit on duty within the presence radius of p, summed in
// unit order.
//
// With an on-view radius no larger than the presence radius, it also
// answers seen(p) at time t, from the same units (every unit within the
// on-view radius is among them), and keeps the answer in r.seenAt.
func (r *run) presenceAt(p geo.Point, t float64) float64 {
	rad := r.cfg.Deterrence.RadiusM
	ov := r.cfg.OnViewRadiusM
	look := ov > 0 && ov <= rad // answer seen too
	saw := false
	r.near = r.onDuty.Near(r.near[:0], p, rad)
	in := r.near[:0] // the units within the radius
	for _, u := range r.near {
		b := r.onDuty.Box(int(u))
		if farFromBox(b, p, rad) {
			continue
		}
		vis := r.vis[u] != 0
		check := look && !saw && !farFromBox(b, p, ov)
		if !vis && !check {
			continue
		}
		if r.farOnRoad(int(u), t, p, rad+searchSlack) {
			continue // neither within rad nor within ov (ov <= rad when check)
		}
		d := r.at(int(u), t).Dist(p)
		if vis && d <= rad {
			in = append(in, u)
		}
		if check && d <= ov {
			saw = true
		}
	}
	r.seenAt = seenAt{p: p, t: t, saw: saw, known: look}
	slices.Sort(in)
	total := 0.0
	for _, u := range in {
		total += r.vis[u]
	}
	return total
}

// resid is an atom's residual deterrence: v as of time t. Value and
// time are one record, so that reading an atom's residual reads one cache
// line (in a large city the atoms are read at random, from stays and
// incidents).
type resid struct {
	v, t float64
}

// residualAt is the residual deterrence left in atom a at time t.
func (r *run) residualAt(a int, t float64) float64 {
	rs := &r.res[a]
	if rs.v == 0 {
		return 0
	}
	x := (t - rs.t) / r.cfg.Deterrence.Tau
	if x > 50 {
		rs.v = 0 // below 2e-22 of what it was: gone
		return 0
	}
	return rs.v * math.Exp(-x)
}

// neighbourResidual is the mean residual deterrence of atom a's neighbours
// at time t (0 without neighbours), summed in neighbour order.
func (r *run) neighbourResidual(a int, t float64) float64 {
	nb := r.cfg.City.Atoms[a].Neighbours
	if len(nb) == 0 {
		return 0
	}
	s := 0.0
	for _, b := range nb {
		s += r.residualAt(b, t)
	}
	return s / float64(len(nb))
}

// leave records the end of unit u's stay at its current stop (a patrol stop,
// a scene or a post): a stay of d seconds leaves visibility × squad × g(d)
// of residual deterrence in the stop's atom, decaying with time (Koper 1995).
func (r *run) leave(u int) {
	if !r.cfg.Deterrence.On {
		return
	}
	ur := &r.units[u]
	// The unit's visibility × squad, from its type's when every unit of
	// a type has the same (the same bits): the first line of the unit's
	// record is in the caches (the event read it), r.vis[u] may not be.
	var vis float64
	if ps := &r.pres; ps.visBy == visByType {
		vis = ps.visType[ur.typ&(maxVisTypes-1)]
	} else {
		vis = r.unitVis(u)
	}
	if vis == 0 {
		return
	}
	now := r.eng.Now()
	if ur.state == stOff || now <= ur.leg.Arrive {
		return // off duty, or never got there
	}
	dose := r.cfg.Deterrence.Dose(now - max(ur.leg.Arrive, ur.leg.Depart))
	if dose == 0 {
		return
	}
	a := int(ur.stopAtom)
	if a < 0 {
		if a = r.cfg.City.Locate(ur.leg.To); a < 0 {
			return
		}
	}
	// The stay is added later (settle), by the same operations in the
	// same order, before anything reads the residuals.
	r.stays = append(r.stays, stay{t: now, add: vis * dose, atom: int32(a)})
	if len(r.stays) >= maxStays {
		r.settle()
	}
}

// How leave finds a unit's visibility × squad (presenceScratch.visBy).
const (
	visUnknown = iota // not looked at yet this run
	visByType         // visType[its type]: r.vis[u], bit for bit
	visByUnit         // r.vis[u]
)

// maxVisTypes bounds the unit types of visByType (a power of 2).
const maxVisTypes = 16

// unitVis is r.vis[u], once it has looked whether every unit of a type
// has the same (visByType: then leave reads its type's instead).
func (r *run) unitVis(u int) float64 {
	ps := &r.pres
	if ps.visBy == visUnknown {
		var seen [maxVisTypes]bool
		ps.visBy = visByType
		if len(r.cfg.Units) > maxVisTypes {
			ps.visBy = visByUnit
		}
		for v, unit := range r.m.World.Units {
			if ps.visBy != visByType {
				break
			}
			switch t := unit.Type; {
			case !seen[t]:
				seen[t], ps.visType[t] = true, r.vis[v]
			case math.Float64bits(ps.visType[t]) != math.Float64bits(r.vis[v]):
				ps.visBy = visByUnit
			}
		}
		if ps.visBy == visByType && !visTypes {
			ps.visBy = visByUnit
		}
	}
	return r.vis[u]
}

// visTypes lets leave read a unit's visibility from its type's (a
// variable for tests only).
var visTypes = true

// stay is a stay whose residual deterrence is not yet added (see settle):
// at time t it adds add to atom's residual.
type stay struct {
	t, add float64
	atom   int32
}

// maxStays bounds the stays waiting for settle (a variable for tests
// only: with 1 each stay is added as the unit leaves). 16 stays (384
// bytes) are decayed side by side and are still in the first-level cache
// when settled: with 1,024 a large city's settle, called by the next
// incident some 60 stays later, found every line of them gone.
var maxStays = 16

// settle adds the waiting stays to the residuals, in the order they
// ended: each adds its dose to its atom's residual decayed to its time,
// as leave once did at once. Every reader of res settles first, so
// what they read is unchanged, bit for bit; only the cost moves: the
// decay of each stay (math.Exp) no longer waits on the one before in the
// event chain, and up to maxStays stays are decayed side by side.
func (r *run) settle() {
	for _, s := range r.stays {
		v := r.residualAt(int(s.atom), s.t) + s.add
		r.res[s.atom] = resid{v: v, t: s.t}
	}
	r.stays = r.stays[:0]
}

// sample reports the presence in every atom, on the hour.
func (r *run) sample() {
	now := r.eng.Now()
	r.settle()
	if pt, ok := r.rec.(PresenceThreshold); ok && r.cfg.Deterrence.On && presenceBounds {
		r.sampleAbove(now, pt.PresenceAbove())
	} else {
		for a := range r.byAtom {
			r.byAtom[a] = 0
			if r.cfg.Deterrence.On {
				r.byAtom[a] = r.residualAt(a, now)
			}
		}
		for u, a := range r.unitAtoms(now) {
			if a >= 0 {
				r.byAtom[a] += r.vis[u]
			}
		}
	}
	r.rec.Presence(now, r.byAtom)
	if next := now + 3600; next < r.cfg.Duration {
		r.eng.Schedule(next, evSample, 0, 0)
	}
}

// unitAtoms returns, by unit, the atom whose presence the unit adds to at
// time now (−1: none, or off duty or invisible). A unit on the way is
// located where it is now; those units' positions are found first and
// located together (geo.City.LocateAll), so that in a large city the
// reads of the raster for the units of an hour overlap. What it reads of
// a unit that is not on the way comes from pres.stops (see placed), 16
// bytes a unit read in order, not from the unit's 256-byte record.
func (r *run) unitAtoms(now float64) []int32 {
	ps := &r.pres
	ps.atom = slices.Grow(ps.atom[:0], len(r.units))[:len(r.units)]
	ps.moving, ps.at = ps.moving[:0], ps.at[:0]
	vis := r.vis[:len(ps.stops)]
	atom := ps.atom[:len(ps.stops)]
	for u, st := range ps.stops {
		a := int32(-1)
		if st.on && vis[u] != 0 {
			a = st.atom
			if now < st.arrive || a < 0 {
				ps.moving = append(ps.moving, int32(u)) // on the way: where is it now?
				ps.at = append(ps.at, r.units[u].at(now))
			}
		}
		atom[u] = a
	}
	if checkStops {
		r.checkStops()
	}
	ps.loc = slices.Grow(ps.loc[:0], len(ps.at))[:len(ps.at)]
	r.cfg.City.LocateAll(ps.at, ps.loc)
	for i, u := range ps.moving {
		ps.atom[u] = ps.loc[i]
	}
	return ps.atom
}

// unitStop is what the presence sample reads of a unit (pres.stops):
// whether it is on duty, its leg's arrival and its stop's atom
// (unitRun.stopAtom). The zero value is a unit off duty, as every unit
// starts a run (newRun clears pres.stops).
type unitStop struct {
	arrive float64
	atom   int32
	on     bool
}

// placed notes unit u's state, leg and stop for the presence samples
// (pres.stops): track calls it, which every change of them calls
// within the event (send, start, goOffDuty; the others — clear turning
// a unit back, goOnDuty — go on to start or goOffDuty).
func (r *run) placed(u int) {
	ur := &r.units[u]
	r.pres.stops[u] = unitStop{arrive: ur.leg.Arrive, atom: ur.stopAtom, on: ur.state != stOff}
}

// checkStops makes unitAtoms compare pres.stops with the units' records
// (a variable for tests only).
var checkStops = false

// checkStops sets r.err where pres.stops differs from the units' records.
func (r *run) checkStops() {
	for u := range r.units {
		ur := &r.units[u]
		want := unitStop{arrive: ur.leg.Arrive, atom: ur.stopAtom, on: ur.state != stOff}
		if got := r.pres.stops[u]; got != want && r.err == nil {
			r.err = fmt.Errorf("unit %d at %v: presence sample's copy %+v, record %+v", u, r.eng.Now(), got, want)
		}
	}
}

// sampleAbove makes the presence sample for a recorder that reads each
// atom's presence only against thr (PresenceThreshold): an atom's value
// is its presence or, where bounds of its residual deterrence decide it,
// the bound that does (a lower bound at least thr, or an upper bound
// below it). The bounds take exp(−x) from a table at x rounded up and
// down to 1/64 (each bound by a relative 1e-12 beyond, far above the
// rounding of math.Exp and of the products), and add the units'
// visibility as the presence does, in unit order: float addition is
// monotonic, so each bounds the presence. Only the atoms left between
// them have their residual computed (1,346 of 2,358,720 atom-hours in
// BenchmarkDefaultScenario's run of builtin:jinzhou).
func (r *run) sampleAbove(now, thr float64) {
	ps := &r.pres
	na := len(r.byAtom)
	if len(ps.hi) != na {
		ps.hi = make([]float64, na)
	}
	tau := r.cfg.Deterrence.Tau
	res, los, his := r.res[:na], r.byAtom[:na], ps.hi[:na]
	for a, rs := range res {
		lo, hi := 0.0, 0.0
		if v := rs.v; v != 0 {
			x := (now - rs.t) / tau
			switch {
			case x > 50:
				// (residualAt gives 0.)
			case v > 0 && x >= 0 && x <= 50:
				k := x * 64 // (exact: a power of 2)
				// ⌊k⌋ and ⌈k⌉: with 0 ≤ k ≤ 3200 the conversion
				// truncates, exactly, and k is whole only if ⌊k⌋ is k.
				fl := int(k)
				ce := fl
				if float64(fl) < k {
					ce++
				}
				lo = v * expTable[ce] * (1 - 1e-12)
				hi = v * expTable[fl] * (1 + 1e-12)
			default:
				lo = math.Inf(-1)
				hi = math.Inf(1)
			}
		}
		los[a], his[a] = lo, hi
	}
	in, vis := ps.in[:0], r.vis
	for u, a := range r.unitAtoms(now) {
		if a >= 0 {
			v := vis[u]
			los[a] += v
			his[a] += v
			in = append(in, int32(u), a)
		}
	}
	ps.in = in
	// The atoms left open: their presence, as sample makes it.
	ps.open = ps.open[:0]
	for a := range na {
		if !(los[a] >= thr) {
			if his[a] < thr {
				los[a] = his[a]
			} else {
				los[a] = r.residualAt(a, now)
				his[a] = math.NaN() // (marks it open)
				ps.open = append(ps.open, int32(a))
			}
		}
	}
	if len(ps.open) == 0 {
		return
	}
	for i := 0; i < len(ps.in); i += 2 {
		if a := ps.in[i+1]; ps.hi[a] != ps.hi[a] {
			r.byAtom[a] += r.vis[ps.in[i]]
		}
	}
}

// presenceScratch is the presence samples' scratch.
type presenceScratch struct {
	hi   []float64 // by atom: the upper bound of its presence (NaN: computed)
	in   []int32   // unit, atom: the units adding to an atom's presence, in unit order
	open []int32   // atoms whose presence is computed

	// unitAtoms's: by unit, its atom; the units on the way, their
	// positions and their atoms.
	atom, moving, loc []int32
	at                []geo.Point

	// by unit, what the presence samples read of it (placed).
	stops []unitStop

	// leave's: how it finds a unit's visibility × squad, and by type.
	visBy   int8
	visType [maxVisTypes]float64
}

// expTable[k] is math.Exp(−k/64), k = 0 … 3200 (x up to 50, as residualAt).
var expTable = func() (t [50*64 + 1]float64) {
	for k := range t {
		t[k] = math.Exp(-float64(k) / 64)
	}
	return t
}()

// presenceBounds lets sample report bounds to a PresenceThreshold (a
// variable for tests only: what the recorder reads must not change).
var presenceBounds = true

// deter decides whether presence suppresses candidate i, and if so what
// becomes of it. It reports whether the candidate was suppressed.
func (r *run) deter(i int) bool {
	d := &r.cfg.Deterrence
	c := *r.store.cand(i)
	typ := &r.cfg.Incidents.Types[c.Type]
	if !d.On || typ.Deterrable <= 0 {
		return false
	}
	if c.U(USuppress) >= typ.Deterrable {
		// No presence suppresses it (the chance below is at most
		// Deterrable, in floating point too), so it is not asked for:
		// residuals read later are the same (settle and residualAt give
		// what they would have).
		return false
	}
	now := r.eng.Now()
	r.settle()
	p := r.presenceAt(c.Pos, now) + r.residualAt(int(c.Atom), now)
	diffused := 0.0
	if d.Diffusion > 0 {
		diffused = d.Diffusion * r.neighbourResidual(int(c.Atom), now)
	}
	u := c.U(USuppress)
	if p+diffused <= 0 || u >= typ.Deterrable*(1-math.Exp(-(p+diffused)/d.HalfPresence)) {
		return false
	}
	rec := &r.deterRec
	*rec = DeterRecord{Time: now, Type: int(c.Type), Atom: int(c.Atom),
		District: r.cfg.City.Atoms[c.Atom].District, Presence: p + diffused, Outcome: Prevented, Origin: c.Origin,
		Diffused: diffused > 0 && u >= typ.Deterrable*(1-math.Exp(-p/d.HalfPresence))}
	// A displaced incident is not displaced again: if presence meets it
	// where it went, it is prevented.
	u = c.U(UDisplace)
	moved := c
	moved.Seed = splitmix(c.Seed ^ saltDisplace)
	nb := r.cfg.City.Atoms[c.Atom].Neighbours
	switch {
	case c.Origin == DisplacedSpace || c.Origin == DisplacedTime:
	case u < d.SpaceShare && len(nb) > 0:
		a := nb[min(len(nb)-1, int(c.U(UWhere)*float64(len(nb))))]
		r.pcg.Seed(moved.Seed, splitmix(moved.Seed^saltDisplace))
		moved.Atom, moved.Pos, moved.Origin = int32(a), r.cfg.City.RandomPoint(a, r.prng), DisplacedSpace
		rec.Outcome = MovedSpace
		r.add(moved)
	case u < d.SpaceShare+d.TimeShare:
		// (An area without neighbours displaces in time what it would
		// have displaced in space.)
		moved.Occur = now + d.TimeShift.Quantile(c.U(UWhere))
		moved.Origin = DisplacedTime
		rec.Outcome = MovedTime
		if moved.Occur < r.cfg.Duration {
			r.add(moved)
		}
	}
	r.rec.Deterred(rec)
	return true
}

// add appends a candidate created during the run and schedules it.
func (r *run) add(c Candidate) {
	id := r.nextID
	r.nextID++
	r.store.put(id, c)
	r.eng.Schedule(max(c.Occur, r.eng.Now()), evOccur, int32(id), 0)
}

// spawn draws the near-repeat offspring of realised candidate i (a Hawkes
// process): a Poisson number with mean Offspring, each after an exponential
// delay of mean Decay, uniformly within RadiusM of the parent (redrawn when
// outside the city, up to 8 times, then at the parent's place), of the
// parent's type. The draws come from the parent's own stream, so a parent
// realised in two variants has the same offspring in both. A type with
// NoNearRepeat has none.
func (r *run) spawn(i int) {
	nr := &r.cfg.NearRepeat
	if nr.Offspring <= 0 {
		return
	}
	parent := *r.store.cand(i)
	typ := &r.cfg.Incidents.Types[parent.Type]
	if typ.NoNearRepeat {
		return
	}
	r.pcg.Seed(parent.Seed, splitmix(parent.Seed^saltOffspring))
	rng := r.prng
	n := poisson(rng, nr.Offspring)
	for range n {
		child := Candidate{Type: parent.Type, Origin: NearRepeat}
		child.Occur = parent.Occur + rng.ExpFloat64()*nr.Decay
		child.Pos, child.Atom = parent.Pos, parent.Atom
		for range 8 {
			ang := 2 * math.Pi * rng.Float64()
			rad := nr.RadiusM * math.Sqrt(rng.Float64())
			p := geo.Point{X: parent.Pos.X + rad*math.Cos(ang), Y: parent.Pos.Y + rad*math.Sin(ang)}
			if a := r.cfg.City.Locate(p); a >= 0 {
				child.Pos, child.Atom = p, int32(a)
				break
			}
		}
		child.OnScene = typ.OnScene.Sample(rng)
		child.Report = r.cfg.Incidents.ReportDelay.Sample(rng)
		child.Seed = rng.Uint64()
		if child.Occur < r.cfg.Duration {
			r.add(child)
		}
	}
}

// poisson draws a Poisson count of mean lambda by inversion (lambda small).
func poisson(r *rand.Rand, lambda float64) int {
	u := r.Float64()
	p := math.Exp(-lambda)
	cdf := p
	k := 0
	for u > cdf && k < 1000 {
		k++
		p *= lambda / float64(k)
		cdf += p
	}
	return k
}

// seen reports whether a unit on duty is within the on-view radius of p.
func (r *run) seen(p geo.Point) bool {
	rad := r.cfg.OnViewRadiusM
	if rad <= 0 {
		return false
	}
	now := r.eng.Now()
	if k := &r.seenAt; k.known && k.p == p && k.t == now {
		return k.saw // presenceAt asked already
	}
	r.near = r.onDuty.Near(r.near[:0], p, rad)
	for _, u := range r.near {
		if farFromBox(r.onDuty.Box(int(u)), p, rad) {
			continue
		}
		if r.farOnRoad(int(u), now, p, rad+searchSlack) {
			continue
		}
		if r.at(int(u), now).Dist(p) <= rad {
			return true
		}
	}
	return false
}

// learn tells every learning policy of a sighting.
func (r *run) learn(s policy.Sighting) {
	for _, k := range r.learners {
		r.policies[k].(policy.Learner).Learn(r.eng.Now(), s)
	}
}

// seenAt is seen's answer at point p and time t, as presenceAt found it
// (known), for occur to read after deter. occur forgets it before deter.
type seenAt struct {
	p          geo.Point
	t          float64
	saw, known bool
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
