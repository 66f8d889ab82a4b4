package run

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
)

// Replication is one replication's values, as ExecuteUntil hands them to
// its procedure.
type Replication struct {
	R   int // the replication, from 0
	sum *results.Summary
	i   int
}

// Value is variant v's value of the metric in this replication: NaN when
// the run has no such metric.
func (x Replication) Value(v int, metric string) float64 {
	m := x.sum.Index(metric)
	if m < 0 {
		return math.NaN()
	}
	return x.sum.Variants[v].Reps[x.i][m]
}

// Cost is variant v's objective cost in this replication: Σ weight ·
// direction · value over goals (as results ranks them: lower is better).
func (x Replication) Cost(goals []results.Goal, v int) float64 {
	var c float64
	for _, g := range goals {
		m := x.sum.Index(g.Metric)
		if m < 0 {
			continue
		}
		d := 1.0
		if x.sum.Metrics[m].Better == results.Higher {
			d = -1
		}
		c += g.Weight * d * x.sum.Variants[v].Reps[x.i][m]
	}
	return c
}

// ExecuteUntil runs replications 0, 1, … of s until a sequential procedure
// says stop: the first `first` in one batch, then opts.Workers at a time,
// and hands each to next in order; next returns true to stop there. It
// stops after max replications in any case. The result is that of Execute
// over replications 0 … n−1, n the replication at which it stopped (the
// rest of the last batch is dropped), so it is byte-identical to a run of
// n replications, for any worker count. It returns n.
func ExecuteUntil(ctx context.Context, s *scenarios.Scenario, opts Options, first, max int, next func(Replication) (bool, error)) (*Result, int, error) {
	if first < 1 || max < first {
		return nil, 0, fmt.Errorf("execute until: need at least 1 first replication and a budget of at least those (got %d, %d)", first, max)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var parts []*Result
	at, stop := 0, 0
	for stop == 0 && at < max {
		size := workers
		if at < first {
			size = first - at
		}
		size = min(size, max-at)
		batch := make([]int, size)
		for i := range batch {
			batch[i] = at + i
		}
		o := opts
		o.TraceSpool = "" // parts are merged in memory
		o.Replications, o.Progress = batch, nil
		part, err := Execute(ctx, s, o)
		if err != nil {
			return nil, 0, err
		}
		parts = append(parts, part)
		for i := range batch {
			done, err := next(Replication{R: at + i, sum: part.Summary, i: i})
			if err != nil {
				return nil, 0, err
			}
			if done || at+i+1 == max {
				stop = at + i + 1
				break
			}
		}
		at += size
	}
	return merge(s, parts, stop, opts.Trace), stop, nil
}
