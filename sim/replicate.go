package sim

import (
	"context"
	"sync"
)

// Job identifies one run: replication Rep of variant Variant.
type Job struct{ Rep, Variant int }

// Replicate runs every variant for replications 0 … reps−1 on up to workers
// goroutines. Each replication's candidates are generated once, from the
// first variant's configuration (every variant shares its city and
// incidents), and shared by all variants. newRecorder is called once per
// job, from the goroutine that runs it; results are identical for any number
// of workers because no run shares mutable state with another. Replicate
// stops early when ctx is done and returns ctx's error.
func Replicate(ctx context.Context, variants []Variant, seed uint64, reps, workers int, newRecorder func(Job) Recorder) ([]Stats, error) {
	if len(variants) == 0 {
		return nil, nil
	}
	base := variants[0].Model.Cfg
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers = max(1, min(workers, reps))
	stats := make([]Stats, reps*len(variants))
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
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := range jobs {
				cands := Generate(base, seed, rep)
				for v := range variants {
					if ctx.Err() != nil {
						return
					}
					st, err := variants[v].Run(ctx, cands, seed, rep, newRecorder(Job{rep, v}))
					if err != nil {
						if ctx.Err() == nil {
							fail(err)
						}
						return
					}
					stats[rep*len(variants)+v] = st
				}
			}
		}()
	}
feed:
	for rep := range reps {
		select {
		case jobs <- rep:
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
