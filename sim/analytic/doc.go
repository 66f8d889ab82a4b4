// Package analytic provides the queueing formulas patrolsim is checked
// against: Erlang B and C, mean waits of an M/M/c queue with non-preemptive
// priorities (Cobham 1954), and Larson's hypercube queueing model of
// spatially distributed servers (Larson 1974), exact and approximate
// (Larson 1975); and the mean Manhattan and straight-line distance from a
// point to a uniform point of a polygon, in closed form (the hypercube's
// mean travel to an area).
//
// Everything here is a pure function of its inputs: no randomness, no
// state. Time is in any unit the caller chooses as long as rates and
// service rates agree (the tests mostly use one mean service time as the
// unit, as Larson & Odoni, Urban Operations Research, 1981, do).
//
// The hypercube's state is the set of busy units, a bit mask over N units:
// 2^N states, each with at most N transitions up (a call dispatched to a
// free unit) and N down (a unit completing service). The exact solver is
// Gauss–Seidel on the balance equations, O(2^N · N) per sweep; the
// approximation (Larson 1975) solves N equations in the N workloads by
// fixed-point iteration, O(J · N) per sweep for J atoms.
package analytic
