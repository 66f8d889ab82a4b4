// Package results turns the observations of runs into metrics: per
// replication, then mean and 95% confidence interval over replications
// (Student t), a ranking of the variants, and the files and tables that show
// them.
//
// Which incidents count: those whose call is received in the measurement
// window [warm-up, duration). Unit time counts only inside that window.
// A metric that has no value in a replication (no priority-1 call, say) is
// left out of that replication's mean rather than counted as zero.
package results
