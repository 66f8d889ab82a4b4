package sim

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"weak"

	"github.com/patrolsim/patrolsim/sim/des"
)

// runPool keeps the storage of finished runs (the pages of candidates and
// incidents with their lists of units, units, atoms, the indexes, the
// event queue) for the
// next run, so that a run allocates little and its events nothing once the
// storage is as large as the runs need. Nothing of one run's state reaches
// the next: newRun sets every field. The pool holds its runs weakly, so
// the collector reclaims what no run is using (a sync.Pool keeps an object
// on the processor that put it, where a run on another one misses it).
var runPool struct {
	sync.Mutex
	free []weak.Pointer[run]
}

// getRun returns a run from the pool, or a new one.
func getRun() *run {
	runPool.Lock()
	defer runPool.Unlock()
	for n := len(runPool.free); n > 0; n-- {
		w := runPool.free[n-1]
		runPool.free = runPool.free[:n-1]
		if r := w.Value(); r != nil {
			return r
		}
	}
	return new(run)
}

// putRun returns r to the pool (up to two runs a processor).
func putRun(r *run) {
	runPool.Lock()
	defer runPool.Unlock()
	if len(runPool.free) < 2*runtime.GOMAXPROCS(0) {
		runPool.free = append(runPool.free, weak.Make(r))
	}
}

// newRun returns a run of variant v over nBase candidates (the run adds
// displaced and near-repeat candidates after them), reporting to rec,
// ready for Run to set up its policies and units and its source of
// candidates.
func newRun(v *Variant, nBase int, rec Recorder) *run {
	r := getRun()
	m := v.Model
	nu, na := len(m.World.Units), len(m.Cfg.City.Atoms)
	old := *r
	*r = run{m: m, mode: v.Mode, cfg: m.Cfg, rec: rec, nBase: nBase, nextID: nBase,
		// Storage kept.
		eng: old.eng, onDuty: old.onDuty, atAssumed: old.atAssumed, near: old.near[:0],
		queue: old.queue[:0], learners: old.learners[:0], policies: old.policies[:0], keepers: old.keepers[:0],
		assumed: old.assumed[:0], scan: old.scan, reach: old.reach, prng: old.prng, pcg: old.pcg, store: old.store,
		stays: old.stays[:0],
	}
	r.store.reset()
	r.vis = resize(old.vis, nu, nu)
	r.pres.stops = resize(old.pres.stops, nu, nu)
	r.units = resize(old.units, nu, nu)
	r.unitType = resize(old.unitType, nu, nu)
	r.freeBits = resize(old.freeBits, nu, nu)
	r.res = resize(old.res, na, na)
	r.byAtom = resize(old.byAtom, na, na)
	if r.eng == nil {
		r.eng = des.New(r, 4*nu+64)
	} else {
		r.eng.Reset()
	}
	if r.prng == nil {
		r.pcg = new(rand.PCG)
		r.prng = rand.New(r.pcg)
	}
	return r
}

// release returns r's storage to the pool, dropping what belongs to the
// caller or the variant.
func (r *run) release() {
	clear(r.policies)
	clear(r.keepers)
	r.m, r.cfg, r.rec, r.rPolicy, r.err, r.given, r.gen = nil, nil, nil, nil, nil, nil, nil
	putRun(r)
}

// resize returns s with length n and every element zero, reusing its
// array when its capacity is at least c (>= n).
func resize[T any](s []T, n, c int) []T {
	if cap(s) < c {
		return make([]T, n, c)
	}
	s = s[:n]
	clear(s)
	return s
}

// resetIncident zeroes ir, keeping the array of its list of units
// (Recorder may not keep it).
func resetIncident(ir *incidentRun) {
	units := ir.rec.Units[:0]
	*ir = incidentRun{}
	ir.rec.Units = units
}
