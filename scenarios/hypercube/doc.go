// Package hypercube provides Larson's hypercube queueing model of a loaded
// scenario's force (Larson 1974; Larson & Odoni, Urban Operations Research,
// 1981, ch. 5) and a simulation of the scenario under the model's
// assumptions to compare with it: `patrolsim hypercube` and its --compare.
//
// New turns the first variant's force into the model: every unit at its
// home, on duty round the clock and able to take every call (one unit a
// call); each area's mean rate over the week (near-repeat offspring at
// their long-run rate); exponential service of the mean on-scene time plus
// the mean travel time; each area's dispatch preference by mean travel
// time from the units' homes, turnout included. An area's mean travel is
// over points uniform in it, as calls fall: integrated exactly over its
// polygons for Manhattan and straight-line travel (sim/analytic's
// MeanManhattan and MeanEuclidean), and for road travel the mean over a
// fixed lattice of about LatticePoints points of it; either way it
// depends on the area's shape alone, not on its place in the file. Solve finds the exact
// (2^N states) or approximate (Larson 1975) solution, the mean service time
// by fixed-point iteration. Simulate plays ComparedConfig and
// ComparedVariant, the simulator under the same assumptions, and gives each
// measure as a mean over replications with its 95% interval
// (results.EstimateOf: NaNs left out, as everywhere). WriteTable and
// WriteJSON print the comparison. Times are in seconds, rates per second,
// shares in [0, 1].
//
// It sits under scenarios/ beside run, as its own package, because it
// plays a loaded scenario (it imports sim, its analytic models, scenarios
// and results) but is an analysis of its own, with its own types and
// documents, not part of the pipeline every run goes through.
package hypercube
