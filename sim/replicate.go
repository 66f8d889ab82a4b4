package sim

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"unsafe"
)

// Job identifies one run: replication Rep of variant Variant.
type Job struct{ Rep, Variant int }

// Replicate runs every variant for replications 0 … reps−1 on up to workers
// goroutines (ReplicateList with those numbers; newRecorder gets the
// replication's number in Job.Rep).
func Replicate(ctx context.Context, variants []Variant, seed uint64, reps, workers int, newRecorder func(Job) Recorder) ([]Stats, error) {
	list := make([]int, reps)
	for r := range list {
		list[r] = r
	}
	return ReplicateList(ctx, variants, seed, list, workers, func(i, v int) Recorder { return newRecorder(Job{i, v}) }, nil)
}

// ReplicateList runs every variant for each replication of reps on up to
// workers goroutines. A worker runs the variants of a replication one
// after the other: when they draw the same candidates (sameDraws) and
// these fit shareBudget, it draws them once and every variant plays them;
// else each run draws them as it goes (RunReplication). Either way the
// runs are the same. Replications are handed out whole, one a worker, as
// long as every worker can have one; the last len(reps) mod workers of
// them, too few for every worker, are handed out a variant at a time, so
// that workers left without a replication take variants of those still
// running (a worker draws the candidates of each replication it takes a
// variant of, once): one replication of many variants runs on every
// worker, and the end of a run does not wait on one worker's last
// replication while the others idle. newRecorder(i, v) is called
// once per run of replication reps[i] and variant v, from the goroutine
// that runs it; ran, if set, after each run ends. Stats[i*len(variants)+v]
// is that run's. Results are identical for any number of workers because
// no run shares mutable state with another. It stops early when ctx is
// done and returns ctx's error, or at the first run that fails: of the
// runs that failed before the others stopped, it returns the error of the
// first in (replication, variant) order.
func ReplicateList(ctx context.Context, variants []Variant, seed uint64, reps []int, workers int, newRecorder func(i, v int) Recorder, ran func()) ([]Stats, error) {
	if len(variants) == 0 || len(reps) == 0 {
		return nil, ctx.Err()
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers = max(1, min(workers, len(reps)*len(variants)))
	stats := make([]Stats, len(reps)*len(variants))
	// A job is replication reps[i]: all its variants in order (v < 0), or
	// variant v alone.
	type job struct{ i, v int }
	jobs := make(chan job)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		firstRun = len(stats) // the failed run of firstErr: i·len(variants) + v
	)
	fail := func(run int, err error) {
		mu.Lock()
		if run < firstRun {
			firstRun, firstErr = run, err
		}
		mu.Unlock()
		cancel()
	}
	for range workers {
		wg.Go(func() {
			var share candShare
			for jb := range jobs {
				i, v0, v1 := jb.i, 0, len(variants)
				if jb.v >= 0 {
					v0, v1 = jb.v, jb.v+1
				}
				for v := v0; v < v1; v++ {
					if ctx.Err() != nil {
						return
					}
					rec := newRecorder(i, v)
					var st Stats
					var err error
					if len(variants) > 1 {
						st, err = variants[v].runShared(ctx, &share, seed, reps[i], rec)
					} else {
						st, err = variants[v].RunReplication(ctx, seed, reps[i], rec)
					}
					if err != nil {
						if ctx.Err() == nil {
							fail(i*len(variants)+v, err)
						}
						return
					}
					if f, ok := rec.(Finisher); ok {
						f.Finish()
					}
					stats[i*len(variants)+v] = st
					if ran != nil {
						ran()
					}
				}
			}
		})
	}
	whole := len(reps) - len(reps)%workers // replications handed out whole
feed:
	for i := range reps {
		jb, n := job{i, -1}, 1
		if i >= whole {
			jb.v, n = 0, len(variants)
		}
		for range n {
			select {
			case jobs <- jb:
			case <-ctx.Done():
				break feed
			}
			jb.v++
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := parent.Err(); err != nil {
		return nil, err
	}
	return stats, nil
}

// shareBudget is the most memory (bytes) a worker gives to the candidates
// of the replication it runs, drawn once and played by each of its
// variants (candShare): 4 MiB, some 75,000 candidates (the built-in city,
// 335 a day, up to about 220 simulated days). Drawing a candidate costs
// about 5% of a run of the built-in city, paid once a replication rather
// than once a variant; a longer or busier run draws them as it goes, in
// memory bounded by the incidents in flight.
var shareBudget = 4 << 20 // (a variable for tests only)

// candShare holds the candidates of the replication a worker is running,
// for its variants: those of (cfg, seed, rep), or none if they would not
// fit shareBudget (over).
type candShare struct {
	cfg   *Config
	seed  uint64
	rep   int
	held  bool // cands (or over) are (cfg, seed, rep)'s
	over  bool // too many to hold: n of them
	n     int
	cands []Candidate
}

// runShared is RunReplication over the candidates of s: those it holds if
// they are this replication's and drawn alike, else drawn into s first;
// when they do not fit, the run draws them as it goes.
func (v *Variant) runShared(ctx context.Context, s *candShare, seed uint64, rep int, rec Recorder) (Stats, error) {
	cfg := v.Model.Cfg
	if !s.held || s.seed != seed || s.rep != rep || !sameDraws(s.cfg, cfg) {
		s.cfg, s.seed, s.rep, s.held, s.over = cfg, seed, rep, true, false
		if cfg.Incidents.Replay != nil {
			s.cands = replayed(cfg, seed, rep)
		} else if s.n = countCandidates(cfg, seed, rep); s.n <= shareBudget/int(unsafe.Sizeof(Candidate{})) {
			s.cands = generate(slices.Grow(s.cands[:0], s.n), cfg, seed, rep)
		} else {
			s.cands, s.over = s.cands[:0], true
		}
	}
	if s.over {
		return v.run(ctx, nil, newGenerator(cfg, seed, rep), s.n, seed, rep, rec)
	}
	return v.run(ctx, s.cands, nil, len(s.cands), seed, rep, rec)
}

// sameDraws reports whether configurations a and b draw the same
// candidates for a seed and replication: the same city, duration and
// incidents (compared in full: a difference anywhere in them, or a NaN,
// says no).
func sameDraws(a, b *Config) bool {
	return a == b || a.City == b.City && a.Duration == b.Duration && reflect.DeepEqual(a.Incidents, b.Incidents)
}
