// Package run provides the pipeline that plays a loaded scenario end to
// end: every variant over its replications, summarised as `patrolsim run`
// reports it (Execute), the files it writes (Write), the resolved scenario
// (Resolve) and the one hash that identifies a scenario and its data files
// for baselines, checks and sweeps (Hash).
//
// It sits under scenarios/ because it plays a scenario as the loader gives
// it: it imports sim (the engine), scenarios (the loader) and results
// (metrics, summaries, writers), and none of those may import it. The
// commands, the what-if server and sweeps call it; none has a loop of its
// own.
//
// Invariants: replication r of every variant draws from the random streams
// of (seed, r) only, so a Result does not depend on the number of workers,
// and the values of replication r are the same whichever other
// replications run beside it (a sweep runs them one at a time). Every
// variant of a replication plays the same incident candidates (common
// random numbers). Cost: one simulation per variant and replication; the
// summary, details and files are small beside it.
package run
