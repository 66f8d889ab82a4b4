package run

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

// Options control Execute. The zero value runs every replication of the
// scenario on all cores, without trace or progress.
type Options struct {
	// Workers is how many replications run at once; 0 (or less) means
	// runtime.GOMAXPROCS(0). The result does not depend on it.
	Workers int
	// Trace keeps one row per incident per run (Result.Trace).
	Trace bool
	// TraceSpool, with Trace, is a folder (outputs.Spool) where each
	// run's trace rows are written as its incidents complete, instead of
	// being held in Result.Trace: memory then does not grow with the
	// trace. Write makes the same trace.csv from it. ExecuteUntilDecided
	// ignores it (its trace is held in memory).
	TraceSpool string
	// Progress, if set, is called with the variant runs finished and their
	// total (variants × replications): once with 0 before any starts, then
	// after each run. Calls are serialised and done never decreases.
	Progress func(done, total int)
	// Replications lists the replications to run, by number, in the order
	// the result gives them. Replication r draws from the streams of the
	// scenario's seed and r only, so a subset gives exactly the values the
	// full run gives for those replications (a sweep runs one at a time).
	// nil means all of the scenario's: 0 … File.Replications−1. Numbers
	// must be distinct and not negative.
	Replications []int
	// Store, if set, keeps finished replications across runs for
	// ExecuteUntil and ExecuteUntilDecided (a journal); Execute ignores it.
	Store Store

	// keepAreas keeps each replication's response times by area in its
	// RunDetails instead of pooling them by variant (see Result.pools).
	keepAreas bool
}

// Result is what Execute produces, in memory.
type Result struct {
	// Summary holds the estimates, ranking and comparisons, and every
	// replication's metric values: Summary.Variants[v].Reps[i] is
	// replication Replications[i] of variant v, in the order of
	// Summary.Metrics.
	Summary *results.Summary
	// Details are the distributions behind the means (for charts and
	// maps), merged over the replications run.
	Details results.DetailsJSON
	// Replications are the replications run, in the result's order.
	Replications []int
	// Stats[i*len(variants)+v] is what replication Replications[i] of
	// variant v did.
	Stats []sim.Stats
	// Trace, with Options.Trace, holds one row per incident per run, in
	// (variant, replication, id) order; nil otherwise, and nil when the
	// rows were spooled to disk (Options.TraceSpool; HasTrace).
	Trace []results.TraceRow
	// traceRuns are the spooled traces, by run in Trace's order.
	traceRuns []*results.TraceRun

	// What the summary and details were made from, per variant and
	// replication (in the result's order): results of several Executes
	// over disjoint replications combine into the result of one (merge).
	metrics    []results.Metric
	values     [][][]float64
	runDetails [][]results.RunDetails
	// pools[v] holds variant v's response times by area, pooled as its
	// replications finished (nil with Options.keepAreas: then each
	// replication's are in its RunDetails).
	pools  []*results.AreaPool
	replay [][]*replayed // [v][i]: recorded-vs-simulated measurements (replay.go); nil without
}

// Events returns the total number of events delivered.
func (r *Result) Events() uint64 {
	var n uint64
	for _, s := range r.Stats {
		n += s.Events
	}
	return n
}

// Execute runs every variant of s over the replications opts names (all of
// the scenario's by default) and summarises them, as `patrolsim run`
// reports them. It stops early with ctx's error when ctx is done.
func Execute(ctx context.Context, s *scenarios.Scenario, opts Options) (*Result, error) {
	reps := opts.Replications
	if reps == nil {
		reps = make([]int, s.File.Replications)
		for r := range reps {
			reps[r] = r
		}
	}
	seen := make(map[int]bool, len(reps))
	for _, r := range reps {
		if r < 0 {
			return nil, fmt.Errorf("run: replication %d: replications are numbered from 0", r)
		}
		if seen[r] {
			return nil, fmt.Errorf("run: replication %d listed twice", r)
		}
		seen[r] = true
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nr, nv := len(reps), len(s.Variants)
	total := nr * nv
	collectors := make([]*results.Collector, total)
	traces := make([][]results.TraceRow, total)
	var replay [][]*replayed
	if s.Replay != nil && s.Replay.Response != nil {
		replay = make([][]*replayed, nv)
		for v := range replay {
			replay[v] = make([]*replayed, nr)
		}
	}
	var spooled []*results.TraceRun
	if opts.Trace && opts.TraceSpool != "" {
		spooled = make([]*results.TraceRun, total)
	}
	// Each variant's response times by area go into its pool as each
	// replication finishes, unless the caller merges replications of
	// several Executes (keepAreas: ExecuteUntil).
	var pools []*results.AreaPool
	if !opts.keepAreas {
		pools = newPools(s)
	}
	newRec := func(i, v int) sim.Recorder {
		c := results.NewCollector(s.Variants[v].Model)
		if pools != nil {
			c.Pool = pools[v]
		}
		k := v*nr + i
		if spooled != nil {
			name, rep := s.Variants[v].Name, reps[i]
			tr := results.NewTraceRun(filepath.Join(opts.TraceSpool, fmt.Sprintf("trace-%d.bin", k)), s.Variants[v].Model)
			spooled[k] = tr
			c.Keep = func(r *sim.IncidentRecord) {
				row := results.TraceRow{Variant: name, Rep: rep, Counted: c.Counted(r), Rec: *r}
				tr.Add(&row)
			}
		} else if opts.Trace {
			name, rep := s.Variants[v].Name, reps[i]
			c.Keep = func(r *sim.IncidentRecord) {
				row := results.TraceRow{Variant: name, Rep: rep, Counted: c.Counted(r), Rec: *r}
				row.Rec.Units = append([]int(nil), r.Units...)
				traces[k] = append(traces[k], row)
			}
		}
		collectors[k] = c
		if replay != nil {
			replay[v][i] = &replayed{Recorder: c, recorded: s.Replay.Response, warmup: s.Config.Warmup}
			return replay[v][i]
		}
		return c
	}
	var (
		mu   sync.Mutex
		done int
	)
	ran := func() {}
	if opts.Progress != nil {
		opts.Progress(0, total)
		ran = func() {
			mu.Lock()
			defer mu.Unlock()
			done++
			opts.Progress(done, total)
		}
	}
	stats, err := sim.ReplicateList(ctx, s.Variants, s.File.Seed, reps, workers, newRec, ran)
	if err != nil {
		return nil, err
	}
	// Every metric of the run, the per-unit ones for the units of all
	// variants (NaN for a unit a variant does not have).
	metrics := results.RunMetrics(s.Config, s.Variants)
	values := make([][][]float64, nv)
	details := make([][]results.RunDetails, nv)
	for v := range nv {
		for i := range nr {
			values[v] = append(values[v], collectors[v*nr+i].ValuesFor(metrics))
			details[v] = append(details[v], collectors[v*nr+i].Details())
		}
	}
	res := &Result{Replications: reps, Stats: stats, metrics: metrics, values: values, runDetails: details, pools: pools, replay: replay}
	if spooled != nil {
		for _, tr := range spooled {
			if err := tr.Close(); err != nil {
				return nil, fmt.Errorf("trace: %w", err)
			}
		}
		res.traceRuns = spooled
	} else if opts.Trace {
		for _, rows := range traces {
			// A run's records arrive in clearing order: by incident.
			slices.SortFunc(rows, func(a, b results.TraceRow) int { return a.Rec.ID - b.Rec.ID })
			res.Trace = append(res.Trace, rows...)
		}
	}
	res.summarise(s)
	return res, nil
}

// summarise makes the summary and the details from values and runDetails.
func (res *Result) summarise(s *scenarios.Scenario) {
	names := make([]string, len(s.Variants))
	for v := range names {
		names[v] = s.Variants[v].Name
	}
	atoms := make([]string, len(s.Config.City.Atoms))
	for a := range atoms {
		atoms[a] = s.Config.City.Atoms[a].Name
	}
	res.Details = results.MergeDetails(s.File.Name, atoms, names, res.runDetails, res.pools)
	res.Summary = results.Input{Scenario: s.File.Name, Seed: s.File.Seed, Metrics: res.metrics, Names: names, Values: res.values,
		Objective: s.Objective(), Alpha: s.File.Ranking.Alpha, Definitions: s.Definitions(), Replay: replayInfo(s, res.replay)}.Summarize()
}

// HasTrace reports whether the result has a trace, in memory or spooled.
func (res *Result) HasTrace() bool { return res.Trace != nil || res.traceRuns != nil }

// RunDetails returns the distributions of variant v's i-th replication (in
// the result's order): what a sweep keeps per area.
func (res *Result) RunDetails(v, i int) results.RunDetails { return res.runDetails[v][i] }

// newPools returns an empty pool of the response times by area for each
// of s's variants.
func newPools(s *scenarios.Scenario) []*results.AreaPool {
	pools := make([]*results.AreaPool, len(s.Variants))
	for v := range pools {
		pools[v] = results.NewAreaPool(len(s.Config.City.Atoms))
	}
	return pools
}

// AppendAreaItems appends the text of variant v's i-th replication's
// areas in a sweep's journal (results.AppendAreaItems: the items of
// RunDetails(v, i) and AreaSketches(v)).
func (res *Result) AppendAreaItems(b []byte, v, i int) []byte {
	var pool *results.AreaPool
	if res.pools != nil {
		pool = res.pools[v]
	}
	return results.AppendAreaItems(b, res.runDetails[v][i], pool, res.runDetails[v], len(res.Details.Atoms))
}

// AreaSketches returns the sketches of variant v's response times by area,
// pooled over the result's replications.
func (res *Result) AreaSketches(v int) []results.AreaSketch {
	var pool *results.AreaPool
	if res.pools != nil {
		pool = res.pools[v]
	}
	return results.PooledSketches(pool, res.runDetails[v], len(res.Details.Atoms))
}
