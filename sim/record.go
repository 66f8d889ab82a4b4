package sim

import "github.com/patrolsim/patrolsim/sim/geo"

// IncidentRecord is the observation of one incident. Times are seconds from
// the start of the run; a stage that never happened is NaN.
type IncidentRecord struct {
	ID       int // index among the replication's candidates
	Type     int // index into Config.Incidents.Types
	Priority int
	Atom     int
	District int
	Pos      geo.Point
	Needed   int // officers needed

	Occur    float64 // the incident happens
	Call     float64 // the call is received
	Ready    float64 // command delay over: the call enters the dispatch queue
	Dispatch float64 // the first unit is sent
	Arrive   float64 // the first unit is on scene
	Full     float64 // enough officers are on scene; on-scene work starts
	Clear    float64 // the last unit leaves

	// CommandWait is the time the call spent waiting for a free
	// call-taker or dispatcher (Dispatch.CallTakers, Dispatch.LevelServers), in
	// seconds: part of Ready − Call; 0 without such queues.
	CommandWait float64

	Units         []int // units sent, in dispatch order
	CrossDistrict int   // of those, units homed in another district
	WithBeat      int   // of those, units that have a beat (static beats)
	OutsideBeat   int   // of those, units whose beat does not hold the incident

	Origin     Origin // background, displaced, or near-repeat offspring
	Discovered bool   // seen on view by a unit (the call came at once)
	Lost       bool   // lost: no unit was free when it was ready (Dispatch.LostCalls)
}

// Outcome is what presence did to a deterrable candidate.
type Outcome uint8

const (
	Prevented  Outcome = iota // it did not happen
	MovedSpace                // displaced to a neighbouring area (a new candidate)
	MovedTime                 // displaced to a later time (a new candidate)
)

// DeterRecord is the observation of a suppressed candidate.
type DeterRecord struct {
	Time     float64 // when it would have happened, seconds
	Type     int
	Atom     int
	District int
	Presence float64 // presence that suppressed it
	Outcome  Outcome
	Origin   Origin
	// Diffused: presence alone would not have suppressed it; the residual
	// deterrence diffusing from neighbouring areas did (Deterrence.Diffusion).
	Diffused bool
}

// Resolved reports whether the incident was cleared (or lost: it is over).
func (r *IncidentRecord) Resolved() bool { return r.Clear == r.Clear || r.Lost }

// Recorder receives the observations of one run, in time order. It must not
// keep the *IncidentRecord (nor its Units slice) or the *DeterRecord beyond
// the call: the run reuses their storage (copy what is needed).
type Recorder interface {
	// Incident reports an incident once it is cleared, or at the end of the
	// run if it never was.
	Incident(r *IncidentRecord)
	// Busy reports that unit u was assigned to calls during [from, to).
	Busy(u int, from, to float64)
	// OnDuty reports that unit u was on duty during [from, to).
	OnDuty(u int, from, to float64)
	// Deterred reports a candidate that presence suppressed.
	Deterred(d *DeterRecord)
	// Presence reports, every hour on the hour, the presence in each atom
	// (visible officers inside it plus residual deterrence). The slice is
	// reused: read it during the call.
	Presence(t float64, byAtom []float64)
}

// PresenceThreshold is implemented by Recorders whose Presence reads each
// atom's presence only as whether it is at least PresenceAbove(): to such
// a recorder the engine may report, for an atom, another value on the same
// side of that threshold (it computes fewer residuals).
type PresenceThreshold interface {
	PresenceAbove() float64
}

// Finisher is a Recorder that wants to know when its run is over:
// ReplicateList calls Finish once the run has returned, and reports
// nothing to it after. A recorder keeping something per observation (the
// response times behind a quantile) may then summarise it and let it go,
// so that a finished run holds its summary only.
type Finisher interface {
	Finish()
}
