// Package des provides the discrete-event core of patrolsim: a clock and a
// queue of pending events, ordered by (time, sequence).
//
// The core knows nothing about patrols. An Event is a small value (a time,
// a kind and two integer arguments); the Engine pops events in order and hands
// each to one Handler. Events scheduled for the same instant pop in the order
// they were scheduled (the sequence number breaks ties, as in SimPy's
// (time, priority, eid) entries), so a run is deterministic.
//
// Invariants: Now never decreases; an event is never scheduled in the past.
// Costs: Schedule and Step are O(1) amortized on well-spread event times
// (a calendar queue that refits itself as the density of events changes:
// queue.go) and do not allocate once the queue has grown to its working
// size. There is no
// package-level state and no goroutine: each replication owns one Engine, and
// independent Engines may run in parallel.
//
// Cancellation is left to the caller: a handler that wants to cancel an event
// stores a generation number in the event's arguments and ignores stale ones
// when they pop; this keeps the queue a plain calendar of values.
package des
