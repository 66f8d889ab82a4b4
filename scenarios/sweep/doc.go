// Package sweep runs a scenario over a grid, a random sample or a Latin
// hypercube of parameter values, many replications each, crash-safe and
// resumable.
//
// A sweep file names a base scenario and the parameters to vary by path into
// the scenario document (units[patrol_car].count, variants[follow].params.
// half_life, dispatch.mode). Each point is the base document with those
// values set, loaded and validated like any scenario before anything runs.
//
// The unit of work is an item: one point and one replication, running every
// variant of the point on the same incident candidates. Random streams derive
// from the scenario's seed and the replication only — the point never enters
// the seed — so every point of a replication sees the same incidents
// (common random numbers) and differences between points are paired.
//
// Every finished item is appended to a journal and synced before the next is
// counted, so a run stopped at any moment (Ctrl-C, kill -9) resumes where it
// stopped and loses nothing. The final files are written from the journal
// in item order, atomically, so they are identical for any number of workers
// and any sharding.
package sweep
