// Package sim is the patrol model of patrolsim: incidents occur, become
// calls, wait in a dispatch queue and are answered by units that otherwise
// patrol as their deployment policy says.
//
// One run plays one replication of one variant on its own des.Engine; runs
// share nothing mutable, so replications can run in parallel. The model
// reports what happens to a Recorder as typed observations (one record per
// incident, busy and on-duty intervals per unit); metrics are computed
// elsewhere (package results).
//
// Time is in seconds from the start of the run; day 0 is a Monday and starts
// at midnight. Positions are planar metres (package geo).
//
// Common random numbers: the incident candidates of a replication (when,
// where, what type, on-scene time, reporting and command delays) are drawn by
// Generate from streams of their own, before and independently of any policy
// decision, so every variant of one replication sees the same incidents.
//
// The life of an incident: it occurs; after the reporting delay it becomes a
// call; after the command delay the call enters the dispatch queue (priority
// first, then first come first served); free capable units are sent, nearest
// by travel time from their true position, until the officers sent cover the
// officers needed (a call that cannot be covered keeps its place in the queue
// for the rest); on-scene work starts when full strength is on scene and lasts
// the incident's on-scene time; then every unit is cleared and resumes patrol.
//
// Costs. An event costs the same whatever the size of the force: an index
// of where units are (by the box of their current leg, kept up to date as
// legs start and end) answers presence, on-view and the dispatch search
// among the units near the incident, with the answers a scan of every unit
// would give (the same units, the same sums in unit order, the same tie
// rule); the event queue is O(1) amortized (package des); a run reuses the
// storage of a finished one and allocates nothing per event. What grows
// with the force is once an hour: the presence sample reads every unit and
// area, and the hot-spot policies rank their areas.
package sim
