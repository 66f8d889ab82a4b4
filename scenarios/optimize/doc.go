// Package optimize provides `patrolsim optimize`: a search over deployments
// of a scenario in two stages, a fast analytic screen and a simulation that
// selects among the screen's best with a stated probability of correct
// selection.
//
// An OPT.yaml file (Spec, read by Parse) names a scenario, one decision
// and its bounds. A decision is a count per slot of one unit type:
//
//   - unit-counts: how many units (home: district) stand in each district,
//     integers between a floor and a ceiling per district, within a budget
//     of officer-hours a day (count × squad × shift hours) or of units;
//   - post-sites (sites.go): where k units (home: post) stand, a slot per
//     candidate site (the areas' interior points or a GeoJSON of points),
//     with the scenario's own placement simulated beside as "current";
//   - squad-size (squad.go): one slot per squad size, the units the
//     officer-hours afford at that size;
//   - shifts (shifts.go): one slot per shift start, the units of a type
//     (home: district) that start then, with a floor on duty every hour.
//
// The kinds share one pipeline:
// Screen, Run (the selection) and Write; a kind shows only in Prepare,
// evaluate, Name, File, Chosen and the descriptions of describe.go.
//
// Stage 1, the screen (Screen), scores candidates and searches them. For
// unit-counts and squad-size the score is Larson's hypercube model
// (scenarios/hypercube): the mean response time, dispatch delay + Erlang C
// queue wait + mean travel, in seconds; for post-sites the expected travel
// of the first free unit (p-median at busy 0) or MEXCLP's uncovered share
// (coverage.go), each unit busy with one probability (Daskin 1983); for
// shifts the hour-by-hour Erlang C response of the units on duty. The
// search is marginal allocation / greedy addition (add the unit that
// improves the score most, Fox 1966, the method of PCAM's district
// allocation, Chaiken & Dormont 1978), then pairwise exchange / swaps
// (move one unit between two slots while that improves; Teitz & Bart
// 1968 for sites); squad sizes are few and all scored. It keeps the Keep
// best candidates that spend the most of the budget. Every step is
// deterministic: ties go to the lower slot and candidates sort by score
// then counts.
//
// Stage 2, the selection (Select), plays the kept candidates as variants
// of one scenario, on common random numbers, with Kim & Nelson's fully
// sequential procedure (scenarios/run.ExecuteUntilDecided, results.KN) on
// the scenario's ranking objective: when it decides, the chosen candidate
// is the best or within Delta of it with probability at least 1 − alpha.
// Its result is byte-identical for any worker count.
//
// An objective block (Objective, objective.go) states what to minimise or
// maximise — a metric, or officer_hours — subject to constraints on
// metrics' means, decided by a sequential feasibility test (one-sided t
// bounds, Bonferroni over candidates, constraints and looks); with
// minimise: officer_hours the screen keeps each total's best split and
// the cheapest shown feasible wins (constrained.go). pareto.csv and
// optimize.svg put the candidates on two objectives (pareto.go). The
// selection's finished replications go to a journal (journal.go, a
// run.Store), so a rerun resumes with byte-identical outputs; slices of
// the replication budget run on several machines into journal-I-of-N.txt
// (RunSlice, shard.go), and the deciding run reads them.
//
// Not in this increment: kinds combined in one search.
package optimize
