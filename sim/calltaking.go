package sim

// The command stages a call passes between being received and being ready
// for dispatch, when some of them have a capacity: call-takers
// (Dispatch.CallTakers) and dispatchers at hierarchical command levels
// (Dispatch.LevelServers). Without any capacity the command delay is one sum of
// delays (run.commandDelay), as before this file existed.

import "slices"

// stageRun is one command stage of a run: a pure delay (servers 0) or a
// queue served by that many call-takers or dispatchers.
type stageRun struct {
	servers int
	busy    int
	delay   *Dist
	u       int     // which of the incident's uniforms draws its delay
	queue   []int32 // calls waiting, ordered by (priority, arrival, id)
}

// setupStages builds the run's command stages when any of them has a
// capacity; otherwise it leaves r.stages nil.
func (r *run) setupStages() {
	d := &r.cfg.Dispatch
	queued := d.CallTakers > 0
	if r.mode == Hierarchical {
		for _, n := range d.LevelServers {
			queued = queued || n > 0
		}
	}
	if !queued {
		return
	}
	if d.CallTakers > 0 {
		r.stages = append(r.stages, stageRun{servers: d.CallTakers, delay: &d.CallTaking, u: UCallTake})
	}
	if r.mode == PointToPoint {
		r.stages = append(r.stages, stageRun{delay: &d.Delay, u: UCommand})
		return
	}
	for k := range d.Levels {
		l := &d.Levels[k]
		n := 0
		if k < len(d.LevelServers) {
			n = d.LevelServers[k]
		}
		r.stages = append(r.stages, stageRun{servers: n, delay: &l.Delay, u: UCommand + k})
	}
}

// enterStage brings call i to command stage s (ready for dispatch after
// the last one).
func (r *run) enterStage(i, s int) {
	if s == len(r.stages) {
		r.ready(i)
		return
	}
	st := &r.stages[s]
	if st.servers == 0 || st.busy < st.servers {
		r.serve(i, s)
		return
	}
	ir := r.store.inc(i)
	ir.waitSince = r.eng.Now()
	pos := len(st.queue)
	for pos > 0 && r.store.inc(int(st.queue[pos-1])).rec.Priority > ir.rec.Priority {
		pos--
	}
	st.queue = slices.Insert(st.queue, pos, int32(i))
}

// serve starts stage s's work on call i.
func (r *run) serve(i, s int) {
	st := &r.stages[s]
	if st.servers > 0 {
		st.busy++
	}
	r.eng.After(st.delay.Quantile(r.store.cand(i).U(st.u)), evStage, int32(i), int64(s))
}

// stageDone ends stage s's work on call i: the server takes the next call
// waiting, and i goes on to the next stage.
func (r *run) stageDone(i, s int) {
	st := &r.stages[s]
	if st.servers > 0 {
		st.busy--
		if len(st.queue) > 0 {
			j := int(st.queue[0])
			st.queue = slices.Delete(st.queue, 0, 1)
			ij := r.store.inc(j)
			ij.rec.CommandWait += r.eng.Now() - ij.waitSince
			r.serve(j, s)
		}
	}
	r.enterStage(i, s+1)
}
