// Package optimize provides `patrolsim optimize`: a search over deployments
// of a scenario in two stages, a fast analytic screen and a simulation that
// selects among the screen's best with a stated probability of correct
// selection.
//
// An OPT.yaml file (Spec, read by Parse) names a scenario, one decision
// and a budget. The one decision of this increment is unit-counts: how
// many units of one type (home: district) stand in each district, integers
// between a floor and a ceiling per district, within a budget of
// officer-hours a day (count × squad × shift hours) or of units. Other
// kinds (post sites, shifts, squad size) are refused by name.
//
// Stage 1, the screen (Screen), scores a candidate by Larson's hypercube
// model of it (scenarios/hypercube): the mean response time, dispatch
// delay + Erlang C queue wait + mean travel, in seconds. It searches by
// marginal allocation (add the unit that lowers the score most, Fox 1966,
// the method of PCAM's district allocation, Chaiken & Dormont 1978) then by
// pairwise exchange (move one unit between two districts while that
// improves), and keeps the Keep best candidates that spend the most of the
// budget. Every step is deterministic: ties go to the lower district and
// candidates sort by score then counts.
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
// Not in this increment: the decision kinds other than unit-counts.
package optimize
