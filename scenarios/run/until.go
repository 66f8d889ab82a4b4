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
	R       int // the replication, from 0
	metrics []results.Metric
	vals    [][]float64 // [variant][metric]
}

func (x Replication) index(metric string) int {
	for m := range x.metrics {
		if x.metrics[m].Name == metric {
			return m
		}
	}
	return -1
}

// Value is variant v's value of the metric in this replication: NaN when
// the run has no such metric.
func (x Replication) Value(v int, metric string) float64 {
	m := x.index(metric)
	if m < 0 {
		return math.NaN()
	}
	return x.vals[v][m]
}

// Cost is variant v's objective cost in this replication: Σ weight ·
// direction · value over goals (as results ranks them: lower is better).
func (x Replication) Cost(goals []results.Goal, v int) float64 {
	var c float64
	for _, g := range goals {
		m := x.index(g.Metric)
		if m < 0 {
			continue
		}
		d := 1.0
		if x.metrics[m].Better == results.Higher {
			d = -1
		}
		c += g.Weight * d * x.vals[v][m]
	}
	return c
}

// Store keeps the values of finished replications across runs (a
// journal): ExecuteUntil takes a replication the store holds from it
// instead of running it, and puts each one it runs, in order, before the
// procedure reads it. Values are per variant, in the order of
// results.RunMetrics of the scenario.
type Store interface {
	Get(r int) (values [][]float64, ok bool)
	Put(r int, values [][]float64) error
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
	if opts.Store != nil && s.Replay == nil {
		return executeStored(ctx, s, opts, first, max, workers, next)
	}
	var parts []*Result
	// A batch that ran whole (no stop within it) gives its response
	// times by area to the variants' pools: only the last batch's are
	// kept by replication, for merge to take those before the stop.
	pools := newPools(s)
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
		o.TraceSpool = ""  // parts are merged in memory
		o.keepAreas = true // and by replication (merge)
		o.Replications, o.Progress = batch, nil
		part, err := Execute(ctx, s, o)
		if err != nil {
			return nil, 0, err
		}
		parts = append(parts, part)
		for i := range batch {
			vals := make([][]float64, len(s.Variants))
			for v := range vals {
				vals[v] = part.values[v][i]
			}
			done, err := next(Replication{R: at + i, metrics: part.metrics, vals: vals})
			if err != nil {
				return nil, 0, err
			}
			if err := ctx.Err(); err != nil {
				return nil, 0, err // interrupted: with a store, what ran is kept
			}
			if done || at+i+1 == max {
				stop = at + i + 1
				break
			}
		}
		if stop == 0 {
			for v := range pools {
				for i := range batch {
					d := &part.runDetails[v][i]
					pools[v].Add(d.AtomResps)
					d.AtomResps = nil
				}
			}
		}
		at += size
	}
	return merge(s, parts, stop, opts.Trace, pools), stop, nil
}

// executeStored is ExecuteUntil with a store: the replications the store
// lacks run (each batch's on the workers) and are put in it; the result
// holds the summary of the values (results.json), without the
// distributions behind them (Details) or the runs' statistics. A
// scenario replaying a log never takes this path (its summary needs the
// runs' replay measurements).
func executeStored(ctx context.Context, s *scenarios.Scenario, opts Options, first, max, workers int, next func(Replication) (bool, error)) (*Result, int, error) {
	metrics := results.RunMetrics(s.Config, s.Variants)
	nv := len(s.Variants)
	values := make([][][]float64, nv)
	at, stop := 0, 0
	for stop == 0 && at < max {
		size := workers
		if at < first {
			size = first - at
		}
		size = min(size, max-at)
		got := make([][][]float64, size)
		var missing []int
		for i := range size {
			if vals, ok := opts.Store.Get(at + i); ok && len(vals) == nv {
				got[i] = vals
			} else {
				missing = append(missing, at+i)
			}
		}
		if len(missing) > 0 {
			o := opts
			o.Trace, o.TraceSpool, o.Progress, o.Store = false, "", nil, nil
			o.Replications = missing
			part, err := Execute(ctx, s, o)
			if err != nil {
				return nil, 0, err
			}
			for k, r := range missing {
				vals := make([][]float64, nv)
				for v := range vals {
					vals[v] = part.values[v][k]
				}
				if err := opts.Store.Put(r, vals); err != nil {
					return nil, 0, err
				}
				got[r-at] = vals
			}
		}
		for i := range size {
			for v := range nv {
				values[v] = append(values[v], got[i][v])
			}
			done, err := next(Replication{R: at + i, metrics: metrics, vals: got[i]})
			if err != nil {
				return nil, 0, err
			}
			if err := ctx.Err(); err != nil {
				return nil, 0, err // interrupted: with a store, what ran is kept
			}
			if done || at+i+1 == max {
				stop = at + i + 1
				break
			}
		}
		at += size
	}
	res := &Result{metrics: metrics, values: make([][][]float64, nv)}
	for r := range stop {
		res.Replications = append(res.Replications, r)
	}
	for v := range nv {
		res.values[v] = values[v][:stop]
	}
	names := make([]string, nv)
	for v := range names {
		names[v] = s.Variants[v].Name
	}
	res.Summary = results.Input{Scenario: s.File.Name, Seed: s.File.Seed, Metrics: metrics, Names: names, Values: res.values,
		Objective: s.Objective(), Alpha: s.File.Ranking.Alpha, Definitions: s.Definitions()}.Summarize()
	return res, stop, nil
}

// Fill runs the replications reps of s that opts.Store lacks, opts.Workers
// at a time, and puts each batch's values in the store as it finishes,
// in order: a slice of a sharded sequential procedure, whose values a
// later ExecuteUntil with the same store reads instead of running them.
// progress, if set, is called with the replications done and their total.
func Fill(ctx context.Context, s *scenarios.Scenario, opts Options, reps []int, progress func(done, total int)) error {
	if opts.Store == nil {
		return fmt.Errorf("fill: no store")
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var todo []int
	for _, r := range reps {
		if _, ok := opts.Store.Get(r); !ok {
			todo = append(todo, r)
		}
	}
	done := len(reps) - len(todo)
	if progress != nil {
		progress(done, len(reps))
	}
	nv := len(s.Variants)
	for at := 0; at < len(todo); at += workers {
		batch := todo[at:min(at+workers, len(todo))]
		o := opts
		o.Trace, o.TraceSpool, o.Progress, o.Store = false, "", nil, nil
		o.Replications = batch
		part, err := Execute(ctx, s, o)
		if err != nil {
			return err
		}
		for k, r := range batch {
			vals := make([][]float64, nv)
			for v := range vals {
				vals[v] = part.values[v][k]
			}
			if err := opts.Store.Put(r, vals); err != nil {
				return err
			}
		}
		done += len(batch)
		if progress != nil {
			progress(done, len(reps))
		}
	}
	return nil
}
