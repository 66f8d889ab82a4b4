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
// variant of the point on the same incident candidates (run.Execute of the
// point's scenario with that one replication: the values are those a full
// run of the point gives that replication). Random streams derive
// from the scenario's seed and the replication only — the point never enters
// the seed — so every point of a replication sees the same incidents
// (common random numbers) and differences between points are paired.
//
// Every finished item is appended to a journal and synced before the next is
// counted, so a run stopped at any moment (Ctrl-C, kill -9) resumes where it
// stopped and loses nothing. The journal's header holds the sweep's hash:
// the sweep file and the base scenario's run.Hash (its document and every
// data file it names, roads included), so a journal of anything else is
// refused. The final files are written from the journal
// in item order, atomically, so they are identical for any number of workers
// and any sharding.
package sweep
