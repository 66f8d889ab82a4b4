package run

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/results"
)

// TestTraceSpool: a trace spooled to disk as incidents complete gives
// trace.csv byte for byte as the trace held in memory does, on 1 and 2
// workers, with chunks small enough that every run's rows are merged from
// several sorted chunks (records arrive in clearing order; the file is by
// variant, replication, then incident); and the spool folder sits beside
// the output folder, never inside it.
func TestTraceSpool(t *testing.T) {
	s := builtinFor(t, "grid", 7, 2)
	ctx := context.Background()
	mem, err := Execute(ctx, s, Options{Workers: 1, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := results.WriteTrace(&want, s.Variants, mem.Trace); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { results.TraceChunkBytes = n }(results.TraceChunkBytes)
	results.TraceChunkBytes = 4096 // a 7-day run of the grid writes ~100 KB of rows: many chunks
	for _, workers := range []int{1, 2} {
		out := filepath.Join(t.TempDir(), "out")
		spool, remove, err := outputs.Spool(out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Execute(ctx, s, Options{Workers: workers, Trace: true, TraceSpool: spool})
		if err != nil {
			t.Fatal(err)
		}
		if res.Trace != nil || !res.HasTrace() {
			t.Fatalf("spooled: Trace %d rows in memory, HasTrace %v", len(res.Trace), res.HasTrace())
		}
		chunks, _ := filepath.Glob(filepath.Join(spool, "trace-*.bin"))
		if len(chunks) != 2*len(s.Variants) {
			t.Errorf("%d spool files, want one per run (%d)", len(chunks), 2*len(s.Variants))
		}
		if err := Write(out, s, res); err != nil {
			t.Fatal(err)
		}
		remove()
		got, err := os.ReadFile(filepath.Join(out, TraceFile))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%d workers: spooled trace.csv (%d bytes) differs from the in-memory one (%d bytes)", workers, len(got), want.Len())
		}
		if len(got) < 10*len(chunks)*results.TraceChunkBytes {
			t.Errorf("only %d bytes: the chunks were not exercised", len(got))
		}
		left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".out.spool-*"))
		if len(left) > 0 {
			t.Errorf("spool folder left: %v", left)
		}
	}
}

// BenchmarkTraceMemory runs the built-in grid city with --trace (one
// replication, one worker) for 30 and 300 days, the rows held in memory
// (as before) and spooled to disk as incidents complete (as `run --trace`
// now does), and reports the peak live heap (peakHeap) including writing
// trace.csv.
func BenchmarkTraceMemory(b *testing.B) {
	for _, days := range []int{30, 300} {
		for _, spooled := range []bool{false, true} {
			b.Run(fmt.Sprintf("%dd/spooled=%v", days, spooled), func(b *testing.B) {
				s := builtinFor(b, "grid", days, 1)
				var peak uint64
				for b.Loop() {
					out := filepath.Join(b.TempDir(), "out")
					opts := Options{Workers: 1, Trace: true}
					var remove func()
					if spooled {
						var err error
						if opts.TraceSpool, remove, err = outputs.Spool(out); err != nil {
							b.Fatal(err)
						}
					}
					runtime.GC()
					peak = max(peak, peakHeap(func() {
						res, err := Execute(context.Background(), s, opts)
						if err != nil {
							b.Fatal(err)
						}
						if err := Write(out, s, res); err != nil {
							b.Fatal(err)
						}
					}))
					if remove != nil {
						remove()
					}
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(peak)/float64(days), "bytes/day")
			})
		}
	}
}
