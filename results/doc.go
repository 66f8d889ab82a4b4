// Package results turns the observations of runs into metrics: per
// replication, then mean and 95% confidence interval over replications
// (Student t), a ranking of the variants, and the files and tables that show
// them.
//
// Which incidents count: those whose call is received in the measurement
// window [warm-up, duration). Unit time counts only inside that window.
// A metric that has no value in a replication (no priority-1 call, say) is
// left out of that replication's mean rather than counted as zero.
//
// Where things live:
//
//   - metrics.go: the metric registry — every metric declared once with
//     its name, kind, unit, direction, label, format, description and
//     computation (Metric, Metrics, RunMetrics, Lookup); metricsdoc.go
//     writes it as docs/metrics.md;
//   - collector.go: the Collector, a sim.Recorder that accumulates one
//     run's observations and computes each metric by its declaration
//     (Value); details.go: the distributions behind the means (RunDetails)
//     and details.json;
//   - stats.go: the statistics: estimates over replications (Estimate),
//     paired and Welch differences, Fisher's exact test on infinite
//     values, Holm's adjustment; selection.go: selecting the best variant
//     (multiple comparisons with the best, Kim and Nelson's KN, TOST
//     equivalence);
//   - summary.go: Summarize, the Summary of a run; rank.go: the objective
//     (Goal), ranking, Pareto front and the comparisons between variants;
//   - regression checks: baseline.go (the Baseline file), check.go
//     (Compare, verdicts, tolerances), checkconfig.go (the check file),
//     checkwrite.go (the check's table, JSON, JUnit and annotations);
//   - file formats: json.go (results.json), csv.go (replications.csv),
//     table.go (the terminal table), trace.go (trace.csv), atomic.go
//     (WriteFileAtomic).
package results
