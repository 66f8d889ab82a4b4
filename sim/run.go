package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/patrolsim/patrolsim/sim/des"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
	"github.com/patrolsim/patrolsim/sim/rng"
)

// DrainLimit is how long after the end of arrivals a run goes on to clear
// the incidents still open (seconds). Incidents open after that are reported
// unresolved.
const DrainLimit = 7 * 86400

// event kinds
const (
	evOccur int32 = iota
	evCall
	evReady
	evArrive
	evClear
	evPatrol
	evShift
	evDispatch
	evSample
	evUpdate
	evCover  // a coverage sample (fleet.go)
	evReview // a Commander's review (fleet.go)
	evStage  // a command stage's work on a call is over (calltaking.go)
)

type unitState uint8

const (
	stOff unitState = iota
	stPatrol
	stEnroute
	stOnScene
)

// at returns the unit's position at time t.
func (ur *unitRun) at(t float64) geo.Point { return ur.leg.AtCached(t, &ur.path) }

// unitRun is a unit in a run. The fields a patrol stop reads come first,
// so that it touches two cache lines of the unit, not four.
type unitRun struct {
	state     unitState
	wantDuty  bool  // on shift (a busy unit finishes its call first)
	free      bool  // counted in run.freeAble (and held in run.atAssumed)
	stopAtom  int32 // atom holding leg.To, or -1 if not known yet
	policy    int32 // index into run.policies
	typ       int32 // index into Config.Units
	incident  int32
	gen       int64
	leg       geo.Leg
	path      geo.PathCache // road path of leg, when it has one
	busySince float64
	dutySince float64

	// To 256 bytes, so that (the array starting on a page) every unit
	// takes four whole cache lines and its first fields one: an event of
	// a unit among thousands finds its record out of cache.
	_ [16]byte
}

// incidentRun is an incident in progress. Its on-scene work is OnScene
// seconds at full strength; with fewer officers than needed on scene it
// progresses proportionally slower (work is officer-time), so an
// understaffed scene still ends and reinforcements speed it up.
type incidentRun struct {
	rec      IncidentRecord
	sent     int     // officers sent
	onScene  int     // officers on scene
	work     float64 // seconds of full-strength work left, as of since
	rate     float64 // work done per second: min(onScene, needed)/needed
	since    float64
	clearGen int64 // generation of the pending clear event
	// waitSince is when the call began waiting for a call-taker or
	// dispatcher (calltaking.go).
	waitSince float64
	queued    bool
	resolved  bool
}

// Stats counts what a run did.
type Stats struct {
	Events    uint64
	Incidents int
	End       float64 // simulated time at which the run stopped, seconds
	// Held is the most candidates and incidents the run held in memory
	// at once (pages of its store × their size): what is in flight, not
	// the run's length.
	Held int
}

type run struct {
	m        *Model
	mode     Mode
	assumed  []geo.Point // hierarchical dispatch: where command thinks each unit is
	cfg      *Config
	eng      *des.Engine
	rec      Recorder
	store    incStore    // candidates and incidents in flight, by id
	given    []Candidate // Generate's candidates, when the caller drew them (Run)
	gen      *generator  // else they are drawn as the run goes (RunReplication)
	nextID   int         // id of the next candidate the run adds
	units    []unitRun
	policies []policy.Policy
	rPolicy  *rand.Rand
	queue    []int32             // queued incidents, ordered by (priority, ready, id)
	open     int                 // incidents occurred and not yet cleared
	free     int                 // units on patrol
	arrived  bool                // all candidates have occurred
	pending  bool                // a batched dispatch event is scheduled
	nBase    int                 // candidates drawn by Generate; later ones come from the run
	vis      []float64           // by unit: visibility × squad
	res      []resid             // by atom: residual deterrence (deter.go)
	stays    []stay              // stays not yet added to res (settle)
	byAtom   []float64           // presence sample buffer
	pres     presenceScratch     // (deter.go)
	learners []int               // policies that learn from incidents
	keepers  []policy.BeatKeeper // by policy: it as a BeatKeeper, or nil
	keeping  bool                // some policy is a BeatKeeper
	err      error
	fleet    fleetRun   // Commanders and coverage samples (fleet.go)
	stages   []stageRun // command stages with a capacity, or nil (calltaking.go)
	// stationIn[d][p]: units of a police station's type (Dispatch.Station)
	// homed in district d that may take priority p; nil without
	// Dispatch.Territory.
	stationIn [][4][]int
	// reserveIn[d]: the units homed in district d that the reserve counts
	// (Dispatch.ReserveUnits); nil without a reserve.
	reserveIn [][]int
	// reserveAble: every unit the reserve counts may take some priority,
	// so that it is free (on patrol) exactly when its freeBits are not 0.
	reserveAble bool
	// uncountedIn[d][p], uncountedFor[p]: the units the reserve does not
	// count that may take priority p, homed in district d and in any,
	// ascending (uncounted); nil without a reserve.
	uncountedIn  [][4][]int
	uncountedFor [4][]int

	// Where units are (track keeps them up to date): onDuty holds every
	// unit on duty by the box of its leg; atAssumed (hierarchical
	// dispatch) every free unit at its assumed position.
	onDuty, atAssumed *boxIndex
	freeAble          [4]int  // free units that may take priority p
	searchFrom        float64 // first radius of a dispatch search, metres
	near              []int32 // scratch for index queries
	scan              scan    // scratch for the dispatch search
	reach             reach   // scratch for the dispatch search (cannotBeat)
	// By unit, packed for the dispatch search's scan: its type, and the
	// priorities it may take (Model.ableBits) while free, else 0 (track).
	unitType []int32
	freeBits []uint8

	// prng draws from pcg, which deter and spawn seed with an incident's
	// own stream (as rand.New(rand.NewPCG(…)) would, without allocating).
	prng *rand.Rand
	pcg  *rand.PCG
	// deterRec is the record passed to Recorder.Deterred (which may not
	// keep it): one per run rather than one allocation per record.
	deterRec DeterRecord
	seenAt   seenAt // seen's answer from presenceAt (deter), for occur
}

// Run plays one replication of variant v over the candidates cands (from
// Generate with the same seed and replication) and reports to rec. It stops
// early with ctx's error when ctx is done.
func (v *Variant) Run(ctx context.Context, cands []Candidate, seed uint64, rep int, rec Recorder) (Stats, error) {
	return v.run(ctx, cands, nil, len(cands), seed, rep, rec)
}

// RunReplication is Run over the candidates of replication rep, drawn as
// the run goes rather than held: the same run as Run over Generate(cfg,
// seed, rep), in memory bounded by the incidents in flight.
func (v *Variant) RunReplication(ctx context.Context, seed uint64, rep int, rec Recorder) (Stats, error) {
	cfg := v.Model.Cfg
	if cfg.Incidents.Replay != nil {
		// A replay's candidates are the log's: held already.
		cands := replayed(cfg, seed, rep)
		return v.run(ctx, cands, nil, len(cands), seed, rep, rec)
	}
	return v.run(ctx, nil, newGenerator(cfg, seed, rep), countCandidates(cfg, seed, rep), seed, rep, rec)
}

// run plays the replication over the nBase candidates of given or, if
// given is nil, of gen.
func (v *Variant) run(ctx context.Context, given []Candidate, gen *generator, nBase int, seed uint64, rep int, rec Recorder) (Stats, error) {
	m := v.Model
	cfg := m.Cfg
	if len(v.Policies) != len(cfg.Units) {
		return Stats{}, fmt.Errorf("variant %s: %d policies for %d unit types", v.Name, len(v.Policies), len(cfg.Units))
	}
	r := newRun(v, nBase, rec)
	r.given, r.gen = given, gen
	defer r.release()
	r.rPolicy = rng.New(seed, rep, rng.Policy)
	// One policy instance per distinct policy choice, governing the units of
	// the types that chose it.
	byChoice := map[int]int{} // unit type → policy index
	for t := range cfg.Units {
		found := -1
		for t2 := 0; t2 < t; t2++ {
			if samePolicy(v.Policies[t], v.Policies[t2]) {
				found = byChoice[t2]
				break
			}
		}
		if found < 0 {
			var governed []int
			for u := range m.World.Units {
				if ut := m.World.Units[u].Type; samePolicy(v.Policies[ut], v.Policies[t]) {
					governed = append(governed, u)
				}
			}
			p, err := v.Policies[t].Spec.New(m.World, governed, v.Policies[t].Params)
			if err != nil {
				return Stats{}, fmt.Errorf("variant %s: %w", v.Name, err)
			}
			found = len(r.policies)
			r.policies = append(r.policies, p)
		}
		byChoice[t] = found
	}
	if r.mode == Hierarchical {
		// Command assumes each unit is where its policy keeps it (a beat's
		// centre) or else at its home.
		r.assumed = resize(r.assumed, len(r.units), len(r.units))
		for u := range r.units {
			r.assumed[u] = m.World.Units[u].At
			if a, ok := r.policies[byChoice[m.World.Units[u].Type]].(policy.Assumer); ok {
				r.assumed[u] = a.Assumed(u)
			}
		}
	}
	for u, unit := range m.World.Units {
		r.vis[u] = cfg.Units[unit.Type].Visibility * float64(unit.Squad)
	}
	r.newIndexes()
	r.setupReach()
	r.setupStages()
	r.setupTerritory()
	r.setupReserve()
	for k, p := range r.policies {
		if _, ok := p.(policy.Learner); ok {
			r.learners = append(r.learners, k)
		}
		bk, _ := p.(policy.BeatKeeper)
		r.keepers = append(r.keepers, bk)
		r.keeping = r.keeping || bk != nil
		if up, ok := p.(policy.Updater); ok {
			if iv := up.Interval(); iv > 0 {
				r.eng.Schedule(0, evUpdate, int32(k), 0)
			}
		}
	}
	if err := r.attachCommanders(); err != nil {
		return Stats{}, fmt.Errorf("variant %s: %w", v.Name, err)
	}
	r.eng.Schedule(0, evSample, 0, 0)
	for u := range r.units {
		ur := &r.units[u]
		ur.policy = int32(byChoice[m.World.Units[u].Type])
		ur.typ = int32(m.World.Units[u].Type)
		ur.leg = geo.Stay(m.World.Units[u].At, 0)
		ut := &cfg.Units[m.World.Units[u].Type]
		on := ut.OnDutyAt(0)
		if on {
			r.goOnDuty(u)
		}
		if next := ut.nextShiftChange(0); !math.IsInf(next, 1) {
			r.eng.Schedule(next, evShift, int32(u), shiftState(!on))
		}
	}
	r.startCover()
	if nBase > 0 {
		r.eng.Schedule(r.background(0).Occur, evOccur, 0, 0)
	} else {
		r.arrived = true
	}
	limit := cfg.Duration + DrainLimit
	for r.eng.Step() {
		if r.err != nil {
			return Stats{}, r.err
		}
		if r.eng.Steps()&(1<<14-1) == 0 && ctx.Err() != nil {
			return Stats{}, ctx.Err()
		}
		if r.arrived && r.open == 0 && r.eng.Now() >= cfg.Duration {
			break
		}
		if r.eng.Peek() > limit {
			break
		}
	}
	end := max(r.eng.Now(), cfg.Duration)
	r.finish(end)
	// Coverage samples are measurement, not model: a recorder that takes
	// them does not change the count.
	return Stats{Events: r.eng.Steps() - r.fleet.samples, Incidents: nBase, End: end, Held: r.store.peak * pageSize}, nil
}

// background stores background candidate i, the next one in time, and
// returns it.
func (r *run) background(i int) *Candidate {
	var c Candidate
	if r.gen != nil {
		c, _ = r.gen.next()
	} else {
		c = r.given[i]
	}
	r.store.put(i, c)
	return r.store.cand(i)
}

func samePolicy(a, b PolicyChoice) bool {
	if a.Spec != b.Spec || len(a.Params) != len(b.Params) {
		return false
	}
	for k, v := range a.Params {
		if w, ok := b.Params[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Handle is the model's event handler.
func (r *run) Handle(e *des.Engine, ev des.Event) {
	switch ev.Kind {
	case evOccur:
		r.occur(int(ev.A))
	case evCall:
		r.call(int(ev.A))
	case evReady:
		r.ready(int(ev.A))
	case evArrive:
		if r.units[ev.A].gen == ev.B {
			r.arrive(int(ev.A))
		}
	case evClear:
		// (A stale clear of a finished incident may find its page given
		// back.)
		if ir := r.store.incIf(int(ev.A)); ir != nil && ir.clearGen == ev.B && !ir.resolved {
			r.clear(int(ev.A))
		}
	case evPatrol:
		if r.units[ev.A].gen == ev.B && r.units[ev.A].state == stPatrol {
			r.patrol(int(ev.A))
		}
	case evShift:
		r.shift(int(ev.A), ev.B == 1)
	case evDispatch:
		r.pending = false
		r.dispatch()
	case evSample:
		r.sample()
	case evUpdate:
		up := r.policies[ev.A].(policy.Updater)
		up.Update(r.eng.Now(), r.rPolicy)
		if next := r.eng.Now() + up.Interval(); next < r.cfg.Duration+DrainLimit {
			r.eng.Schedule(next, evUpdate, ev.A, 0)
		}
	case evCover:
		r.coverSample()
	case evReview:
		r.review(ev.A, ev.B)
	case evStage:
		r.stageDone(int(ev.A), int(ev.B))
	}
}

// occur handles candidate i at its time: presence may suppress it (and
// displace it); otherwise it is realised, seen on view or reported later,
// and may bring near-repeat offspring.
func (r *run) occur(i int) {
	if i < r.nBase {
		if i+1 < r.nBase {
			r.eng.Schedule(r.background(i+1).Occur, evOccur, int32(i+1), 0)
		} else {
			r.arrived = true
		}
	}
	r.seenAt.known = false
	if r.deter(i) {
		r.store.done(i)
		return
	}
	now := r.eng.Now()
	c := *r.store.cand(i)
	t := &r.cfg.Incidents.Types[c.Type]
	nan := math.NaN()
	prio := t.Priority
	if c.Priority > 0 {
		prio = int(c.Priority) // a replayed incident's own
	}
	ir := r.store.inc(i)
	ir.rec = IncidentRecord{
		ID: i, Type: int(c.Type), Priority: prio, Atom: int(c.Atom),
		District: r.cfg.City.Atoms[c.Atom].District, Pos: c.Pos, Needed: t.Officers,
		Occur: now, Call: nan, Ready: nan, Dispatch: nan, Arrive: nan, Full: nan, Clear: nan,
		Origin: c.Origin,
		Units:  ir.rec.Units[:0], // its storage kept (see incStore)
	}
	r.open++
	sighting := policy.Sighting{Occur: now, Atom: int(c.Atom), Pos: c.Pos, How: policy.Truth, Sterile: t.NoNearRepeat}
	r.learn(sighting)
	if r.seen(c.Pos) {
		ir.rec.Discovered = true
		sighting.How = policy.Discovered
		r.learn(sighting)
		r.eng.Schedule(now, evCall, int32(i), 0)
	} else {
		delay := c.Report
		if ob := &r.cfg.Observers; ob.PerKm2 > 0 && c.U(UObserve) < ob.SeenShare() {
			delay = min(delay, ob.Delay.Quantile(c.U(UObsDelay)))
		}
		r.eng.Schedule(now+delay, evCall, int32(i), 0)
	}
	r.spawn(i)
}

func (r *run) call(i int) {
	ir := r.store.inc(i)
	ir.rec.Call = r.eng.Now()
	if !ir.rec.Discovered {
		c := r.store.cand(i)
		r.learn(policy.Sighting{Occur: ir.rec.Occur, Atom: int(c.Atom), Pos: c.Pos, How: policy.Reported})
	}
	if r.stages != nil {
		r.enterStage(i, 0)
		return
	}
	r.eng.After(r.commandDelay(r.store.cand(i)), evReady, int32(i), 0)
}

// commandDelay is the time from call to ready for dispatch: one level for
// point-to-point dispatch, the sum of every level's delay for hierarchical.
// Level k always uses the incident's uniform UCommand+k.
func (r *run) commandDelay(c *Candidate) float64 {
	d := &r.cfg.Dispatch
	if r.mode == PointToPoint {
		return d.Delay.Quantile(c.U(UCommand))
	}
	total := 0.0
	for k, l := range d.Levels {
		total += l.Delay.Quantile(c.U(UCommand + k))
	}
	return total
}

func (r *run) ready(i int) {
	ir := r.store.inc(i)
	ir.rec.Ready = r.eng.Now()
	ir.queued = true
	// Insert keeping (priority, ready time, id) order; ready times only
	// grow, so the new call goes after every call of its priority.
	pos := len(r.queue)
	for pos > 0 && r.store.inc(int(r.queue[pos-1])).rec.Priority > ir.rec.Priority {
		pos--
	}
	r.queue = slices.Insert(r.queue, pos, int32(i))
	r.dispatch()
	if r.cfg.Dispatch.LostCalls && len(ir.rec.Units) == 0 {
		// A loss system: a call no free unit can take is lost (passed to
		// another agency), not queued.
		r.queue = slices.DeleteFunc(r.queue, func(id int32) bool { return int(id) == i })
		ir.queued = false
		ir.rec.Lost = true
		ir.resolved = true
		r.open--
		r.rec.Incident(&ir.rec)
		r.store.done(i)
	}
}

// dispatch sends free capable units to queued calls, in queue order.
func (r *run) dispatch() {
	if r.free == 0 || len(r.queue) == 0 {
		return
	}
	kept := r.queue[:0]
	// noUncounted[p]: uncounted found no unit for a call of priority p
	// in any district, so it finds none for the later ones of this pass
	// (units only become busy in it).
	var noUncounted [4]bool
	anyDistrict := r.mode == PointToPoint || r.cfg.Dispatch.MutualAid
	for qi, id := range r.queue {
		if r.free == 0 {
			kept = append(kept, r.queue[qi:]...)
			break
		}
		ir := r.store.inc(int(id))
		if ir.sent == 0 && r.held(ir) {
			// Only a unit the reserve does not count may take it now.
			if p := ir.rec.Priority; !noUncounted[p] {
				if u := r.uncounted(int(id)); u >= 0 {
					r.send(u, int(id))
				} else if anyDistrict {
					noUncounted[p] = true
				}
			}
			if ir.sent < ir.rec.Needed {
				kept = append(kept, id)
				continue
			}
			ir.queued = false
			continue
		}
		for ir.sent < ir.rec.Needed {
			u := r.nearest(int(id))
			if u < 0 {
				break
			}
			r.send(u, int(id))
		}
		if ir.sent < ir.rec.Needed {
			kept = append(kept, id)
		} else {
			ir.queued = false
		}
	}
	r.queue = kept
}

// nearest returns the free unit to send to incident i, or -1.
// Point-to-point: of all free units able to take it, the one that would
// reach it first from its true position. Hierarchical: of those homed in the
// incident's district, the one nearest by assumed position; from the other
// districts (mutual aid, if allowed) only when none of them is free. Ties
// go to the lowest unit index. Searches over the whole force go through the
// indexes of where units are (search); a district's units are scanned.
func (r *run) nearest(i int) int {
	p := r.store.inc(i).rec.Priority
	if r.stationIn != nil && r.cfg.Dispatch.TerritoryFor[p] {
		if u := r.pickStation(i, p); u >= 0 {
			return u
		}
	}
	if r.mode == PointToPoint {
		return r.search(i, p, r.onDuty, true)
	}
	// Hierarchical: the beat's owner first (none without a BeatKeeper:
	// that scan would find no unit), then the district's unit command
	// expects to arrive first, then (mutual aid) any district's.
	d := r.store.inc(i).rec.District
	if r.keeping {
		if u := r.pick(i, r.m.ableIn[d][p], true); u >= 0 {
			return u
		}
	}
	if u := r.pick(i, r.m.ableIn[d][p], false); u >= 0 || !r.cfg.Dispatch.MutualAid {
		return u
	}
	return r.search(i, p, r.atAssumed, false)
}

// setupReserve lists, under a reserve (Dispatch.ReserveFor), each
// district's units that the reserve counts.
func (r *run) setupReserve() {
	d := &r.cfg.Dispatch
	if d.ReserveFor == [4]bool{} {
		return
	}
	r.reserveIn = make([][]int, len(r.m.ableIn))
	r.uncountedIn = make([][4][]int, len(r.m.ableIn))
	r.uncountedFor = [4][]int{}
	r.reserveAble = true
	for u, unit := range r.m.World.Units {
		if unit.Type < len(d.ReserveUnits) && d.ReserveUnits[unit.Type] {
			r.reserveIn[unit.District] = append(r.reserveIn[unit.District], u)
			r.reserveAble = r.reserveAble && r.m.ableBits[u] != 0
			continue
		}
		for p := 1; p <= 3; p++ {
			if r.m.ableBits[u]&(1<<p) != 0 {
				r.uncountedIn[unit.District][p] = append(r.uncountedIn[unit.District][p], u)
				r.uncountedFor[p] = append(r.uncountedFor[p], u)
			}
		}
	}
}

// held reports whether the reserve holds call ir: its priority is held and
// no more than ReserveFree of the counted units of its district are free.
// A call already partly served is never held. Whether a unit is free is
// read from freeBits (one byte a unit, as the dispatch search reads it)
// rather than from its state (a cache line a unit) where they agree.
func (r *run) held(ir *incidentRun) bool {
	if r.reserveIn == nil || !r.cfg.Dispatch.ReserveFor[ir.rec.Priority] {
		return false
	}
	free := 0
	if r.reserveAble {
		for _, u := range r.reserveIn[ir.rec.District] {
			if r.freeBits[u] != 0 {
				if free++; free > r.cfg.Dispatch.ReserveFree {
					return false
				}
			}
		}
		return true
	}
	for _, u := range r.reserveIn[ir.rec.District] {
		if r.units[u].state == stPatrol {
			if free++; free > r.cfg.Dispatch.ReserveFree {
				return false
			}
		}
	}
	return true
}

// uncounted returns the free unit, of a type the reserve does not count,
// to send to held incident i, or -1: the one that would arrive first, from
// its true position point to point, from its assumed one under
// hierarchical dispatch, where it must be homed in the incident's district
// unless mutual aid allows any. A held call needing several officers gets
// one such unit at a time. Ties go to the lowest unit index. A linear scan:
// it runs only while the reserve binds.
func (r *run) uncounted(i int) int {
	ir := r.store.inc(i)
	p, d := ir.rec.Priority, ir.rec.District
	gps := r.mode == PointToPoint
	pos := r.store.cand(i).Pos
	dest := r.cfg.Travel.Target(pos)
	ix := r.onDuty
	if !gps {
		ix = r.atAssumed
	}
	best, bestT := -1, math.Inf(1)
	r.setReach(p, bestT)
	for pass := 0; pass < 2 && best < 0; pass++ {
		units := r.uncountedFor[p] // ascending
		if !gps && pass == 0 {
			units = r.uncountedIn[d][p]
		}
		for _, u := range units {
			if r.freeBits[u] == 0 || r.cannotBeat(u, ix, pos) {
				continue
			}
			if t := r.expected(u, &dest, gps); t < bestT {
				best, bestT = u, t
				r.setReach(p, t)
			}
		}
		if gps || !r.cfg.Dispatch.MutualAid {
			break
		}
	}
	return best
}

// setupTerritory lists, under Dispatch.Territory, each district's police
// station units by the priorities they may take.
func (r *run) setupTerritory() {
	d := &r.cfg.Dispatch
	if !d.Territory {
		return
	}
	r.stationIn = make([][4][]int, len(r.m.ableIn))
	for dist := range r.m.ableIn {
		for p := 1; p <= 3; p++ {
			for _, u := range r.m.ableIn[dist][p] {
				if t := r.m.World.Units[u].Type; t < len(d.Station) && d.Station[t] {
					r.stationIn[dist][p] = append(r.stationIn[dist][p], u)
				}
			}
		}
	}
}

// pickStation returns the free unit of the incident's own police station
// (Dispatch.Territory) to send to incident i, or -1: of the free station
// units homed in its district able to take priority p, the one that would
// arrive first, judged from its true (GPS) position under point-to-point
// dispatch and from its assumed one under hierarchical. Ties go to the
// lowest unit index.
func (r *run) pickStation(i, p int) int {
	units := r.stationIn[r.store.inc(i).rec.District][p]
	if r.mode == Hierarchical {
		return r.pick(i, units, false)
	}
	dest := r.cfg.Travel.Target(r.store.cand(i).Pos)
	best, bestT := -1, math.Inf(1)
	for _, u := range units {
		if r.freeBits[u] == 0 { // (every unit listed may take the priority)
			continue
		}
		if t := r.expected(u, &dest, true); t < bestT {
			best, bestT = u, t
		}
	}
	return best
}

// pick scans units (all able to take the incident's priority) for the free
// one command expects to arrive first: turnout plus travel at the unit's
// speed from where command assumes it is. With ownBeat, only units whose
// beat holds the incident's atom are considered. Ties go to the lowest
// unit index.
func (r *run) pick(i int, units []int, ownBeat bool) int {
	c := r.store.cand(i)
	dest := r.cfg.Travel.Target(c.Pos)
	best, bestT := -1, math.Inf(1)
	for _, u := range units {
		if r.freeBits[u] == 0 { // (every unit listed may take the priority)
			continue
		}
		if ownBeat {
			bk := r.keepers[r.units[u].policy]
			if bk == nil || !bk.InBeat(u, int(c.Atom)) {
				continue
			}
		}
		if t := r.expected(u, &dest, false); t < bestT {
			best, bestT = u, t
		}
	}
	return best
}

// expected is when unit u would reach dest if sent now, in seconds from
// now: its turnout plus travel at its speed from its true position (gps)
// or from where command assumes it is.
func (r *run) expected(u int, dest *geo.Target, gps bool) float64 {
	ut := &r.cfg.Units[r.unitType[u]]
	if gps {
		now := r.eng.Now()
		ur := &r.units[u]
		return ut.Turnout + r.cfg.Travel.TimeFrom(&ur.leg, now, r.at(u, now), dest, ut.Speed)
	}
	return ut.Turnout + r.cfg.Travel.TimeTo(r.assumed[u], dest, ut.Speed)
}

func (r *run) send(u, i int) {
	now := r.eng.Now()
	ur := &r.units[u]
	ut := &r.cfg.Units[r.units[u].typ]
	ir := r.store.inc(i)
	c := r.store.cand(i)
	r.leave(u)
	from := ur.at(now)
	depart := now + ut.Turnout
	r.cfg.Travel.SetLeg(&ur.leg, from, c.Pos, depart, ut.Speed)
	ur.stopAtom = c.Atom
	ur.state = stEnroute
	ur.gen++
	r.fleet.touch(u)
	ur.incident = int32(i)
	ur.busySince = now
	r.free--
	r.changed()
	if len(ir.rec.Units) == 0 {
		ir.rec.Dispatch = now
	}
	ir.rec.Units = append(ir.rec.Units, u)
	if r.m.World.Units[u].District != ir.rec.District {
		ir.rec.CrossDistrict++
	}
	if bk := r.keepers[ur.policy]; bk != nil && bk.HasBeat(u) {
		ir.rec.WithBeat++
		if !bk.InBeat(u, ir.rec.Atom) {
			ir.rec.OutsideBeat++
		}
	}
	ir.sent += ut.Squad
	r.track(u)
	r.eng.Schedule(ur.leg.Arrive, evArrive, int32(u), ur.gen)
}

func (r *run) arrive(u int) {
	now := r.eng.Now()
	ur := &r.units[u]
	ur.state = stOnScene
	ir := r.store.inc(int(ur.incident))
	if ir.onScene == 0 {
		ir.rec.Arrive = now
		ir.work = r.store.cand(int(ur.incident)).OnScene
	} else {
		ir.work = max(0, ir.work-ir.rate*(now-ir.since))
	}
	ir.since = now
	ir.onScene += r.cfg.Units[ur.typ].Squad
	if ir.onScene >= ir.rec.Needed && ir.rec.Full != ir.rec.Full {
		ir.rec.Full = now
	}
	rate := float64(min(ir.onScene, ir.rec.Needed)) / float64(ir.rec.Needed)
	if rate != ir.rate {
		ir.rate = rate
		ir.clearGen++
		r.eng.Schedule(now+ir.work/rate, evClear, ur.incident, ir.clearGen)
	}
}

func (r *run) clear(i int) {
	now := r.eng.Now()
	ir := r.store.inc(i)
	ir.rec.Clear = now
	ir.resolved = true
	r.open--
	if ir.queued {
		// Reinforcements still asked for are no longer needed.
		ir.queued = false
		r.queue = slices.DeleteFunc(r.queue, func(id int32) bool { return int(id) == i })
	}
	for _, u := range ir.rec.Units {
		// Units on scene clear; units still on the way turn back where
		// they are.
		ur := &r.units[u]
		if ur.state == stEnroute {
			ur.leg = geo.Stay(ur.at(now), now)
			ur.stopAtom = -1
		}
		r.rec.Busy(u, ur.busySince, now)
		if !ur.wantDuty {
			r.goOffDuty(u)
			continue
		}
		ur.state = stPatrol
		r.free++
		r.patrol(u)
	}
	r.changed()
	r.rec.Incident(&ir.rec)
	r.store.done(i)
	r.dispatch()
}

// patrol asks the unit's policy for its next order and starts it.
func (r *run) patrol(u int) {
	now := r.eng.Now()
	ur := &r.units[u]
	r.leave(u)
	pos := ur.at(now)
	r.start(u, pos, r.policies[ur.policy].Next(now, u, pos, r.rPolicy))
}

// start sets unit u, at pos, on order o: travel at its patrol speed, then
// stay o.Dwell.
func (r *run) start(u int, pos geo.Point, o policy.Order) {
	now := r.eng.Now()
	ur := &r.units[u]
	ut := &r.cfg.Units[r.units[u].typ]
	ur.gen++
	r.fleet.touch(u)
	r.cfg.Travel.SetLeg(&ur.leg, pos, o.To, now, ut.PatrolSpeed)
	ur.stopAtom = int32(o.Atom)
	r.track(u)
	if math.IsInf(o.Dwell, 1) {
		return
	}
	if !(o.Dwell > 0) {
		r.err = fmt.Errorf("policy %T: order with dwell %v, want > 0", r.policies[ur.policy], o.Dwell)
		return
	}
	r.eng.Schedule(ur.leg.Arrive+o.Dwell, evPatrol, int32(u), ur.gen)
}

func shiftState(on bool) int64 {
	if on {
		return 1
	}
	return 0
}

// shift starts (on) or ends a unit's shift and schedules the next change.
// Shift lengths are whole seconds, so the boundaries are exact.
func (r *run) shift(u int, on bool) {
	now := r.eng.Now()
	ut := &r.cfg.Units[r.m.World.Units[u].Type]
	ur := &r.units[u]
	next := now + ut.ShiftLen
	if on {
		if ur.state == stOff {
			r.goOnDuty(u)
		} else {
			ur.wantDuty = true // still busy from the last shift
		}
	} else {
		next = now + 86400 - ut.ShiftLen
		ur.wantDuty = false
		if ur.state == stPatrol {
			r.goOffDuty(u)
		}
	}
	if !(next > now) {
		r.err = fmt.Errorf("unit type %s: shift of %v s does not advance the clock", ut.Name, ut.ShiftLen)
		return
	}
	r.eng.Schedule(next, evShift, int32(u), shiftState(!on))
}

func (r *run) goOnDuty(u int) {
	now := r.eng.Now()
	ur := &r.units[u]
	ur.wantDuty = true
	ur.state = stPatrol
	ur.dutySince = now
	ur.leg = geo.Stay(r.m.World.Units[u].At, now)
	ur.stopAtom = int32(r.m.World.Units[u].Atom)
	r.free++
	r.patrol(u)
	r.changed()
	// Units starting together are all free before the queue is served, so
	// that each call gets the nearest of them: dispatch once, after every
	// event of this instant scheduled so far.
	if !r.pending && len(r.queue) > 0 {
		r.pending = true
		r.eng.After(0, evDispatch, 0, 0)
	}
}

func (r *run) goOffDuty(u int) {
	now := r.eng.Now()
	ur := &r.units[u]
	r.leave(u)
	if ur.state == stPatrol {
		r.free--
	}
	ur.state = stOff
	ur.gen++
	r.fleet.touch(u)
	ur.leg = geo.Stay(r.m.World.Units[u].At, now)
	r.track(u)
	r.rec.OnDuty(u, ur.dutySince, now)
	r.changed()
}

// finish closes the intervals still open at time now and reports unresolved
// incidents.
func (r *run) finish(now float64) {
	for u := range r.units {
		ur := &r.units[u]
		if ur.state == stEnroute || ur.state == stOnScene {
			r.rec.Busy(u, ur.busySince, now)
		}
		if ur.state != stOff {
			r.rec.OnDuty(u, ur.dutySince, now)
		}
	}
	r.store.each(func(_ int, ir *incidentRun) {
		if ir.rec.Needed > 0 && !ir.resolved { // occurred, never cleared
			r.rec.Incident(&ir.rec)
		}
	})
}
