package sim

import (
	"context"
	"sync"
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
// workers goroutines. Each replication's candidates are generated once,
// from the first variant's configuration (every variant shares its city
// and incidents), and shared by all variants. newRecorder(i, v) is called
// once per run of replication reps[i] and variant v, from the goroutine
// that runs it; ran, if set, after each run ends. Stats[i*len(variants)+v]
// is that run's. Results are identical for any number of workers because
// no run shares mutable state with another. It stops early when ctx is
// done and returns ctx's error.
func ReplicateList(ctx context.Context, variants []Variant, seed uint64, reps []int, workers int, newRecorder func(i, v int) Recorder, ran func()) ([]Stats, error) {
	if len(variants) == 0 || len(reps) == 0 {
		return nil, ctx.Err()
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers = max(1, min(workers, len(reps)))
	stats := make([]Stats, len(reps)*len(variants))
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				for v := range variants {
					if ctx.Err() != nil {
						return
					}
					// Each run draws the replication's candidates as it
					// goes (the same for every variant): memory bounded by
					// what is in flight, not by the run's length.
					rec := newRecorder(i, v)
					st, err := variants[v].RunReplication(ctx, seed, reps[i], rec)
					if err != nil {
						if ctx.Err() == nil {
							fail(err)
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
feed:
	for i := range reps {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
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
