package run

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/scenarios"
)

// builtinFor loads built-in scenario name with its duration replaced by
// days (as run --duration does) and reps replications.
func builtinFor(tb testing.TB, name string, days, reps int) *scenarios.Scenario {
	tb.Helper()
	data, fsys, err := scenarios.BuiltinFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	doc := regexp.MustCompile(`(?m)^duration: \S+`).ReplaceAll(data, fmt.Appendf(nil, "duration: %dd", days))
	s, err := scenarios.Load("builtin:"+name+"/scenario.yaml", doc, fsys)
	if err != nil {
		tb.Fatal(err)
	}
	s.File.Replications = reps
	return s
}

// peakHeap samples the heap in use every 5 ms while f runs and returns
// the largest sample, in bytes: runtime/metrics'
// /memory/classes/heap/objects:bytes, the objects allocated and not yet
// freed — what the run holds plus the garbage not yet collected, so an
// upper bound of what it needs (RSS adds the runtime and free spans). The
// live heap (/gc/heap/live:bytes) would leave the garbage out, but it is
// only measured when a collection ends: a run that reuses its storage
// collects rarely, and that figure then stood still at what the run
// before had left while this run's lists of times grew unseen.
func peakHeap(f func()) uint64 {
	// Two collections empty the sync.Pool of the collectors' lists of
	// times (results: a finished collector gives them to the next), so a
	// run starts without the storage of the run before.
	runtime.GC()
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	f()
	runtime.GC() // the heap as the run left it, before its result is dropped
	close(stop)
	wg.Wait()
	return peak.Load()
}

// reportRun runs s on workers and reports events per second of wall time
// and per second of processor time (all threads: the figure to compare on
// a shared machine), and the peak live heap.
func reportRun(b *testing.B, s *scenarios.Scenario, workers int) {
	b.Helper()
	var events uint64
	var peak uint64
	cpu0, cpuOK := cpuTime()
	for b.Loop() {
		p := peakHeap(func() {
			res, err := Execute(context.Background(), s, Options{Workers: workers})
			if err != nil {
				b.Fatal(err)
			}
			events += res.Events()
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if cpu1, ok := cpuTime(); ok && cpuOK {
		b.ReportMetric(float64(events)/(cpu1-cpu0).Seconds(), "events/cpu-s")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkMetropolisYear runs builtin:metropolis for a year (365 days),
// both variants, 2 replications, on 2 workers: the target is
// 60 s a run (sec/op) and 1 GB of memory (see peak-heap-MiB, and the
// command's peak RSS in docs/performance.md).
func BenchmarkMetropolisYear(b *testing.B) {
	reportRun(b, builtinFor(b, "metropolis", 365, 2), 2)
}

// BenchmarkMemoryDays runs the built-in grid city (one replication, on one
// worker) for 30 and 300 days and reports the peak live heap and its share
// per simulated day: memory bounded by what is in flight stays flat as the
// run grows longer (the target: 300 days within 1.5× of 30 days).
func BenchmarkMemoryDays(b *testing.B) {
	for _, days := range []int{30, 300} {
		b.Run(fmt.Sprintf("%dd", days), func(b *testing.B) {
			s := builtinFor(b, "grid", days, 1)
			var peak uint64
			for b.Loop() {
				peak = max(peak, peakHeap(func() {
					if _, err := Execute(context.Background(), s, Options{Workers: 1}); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peak)/float64(days), "bytes/day")
		})
	}
}
