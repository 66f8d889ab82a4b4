package sweep

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkSweepSerial measures the part of BenchmarkSweep's sweep that
// its workers do not share: each iteration runs the sweep on one worker
// (processor time A) and then writes its final files again from its
// journal (Finalize, processor time B: the same work its Run did at the
// end, after every item). serial-% is B/A, the serial fraction s of
// Amdahl's law, and amdahl-2 = 1/(s + (1−s)/2) the speed-up on 2 workers
// it allows at best, if the items' work divided perfectly. Processor
// time, not wall time, so that the figure holds on a shared machine; the
// writing of the final files is itself spread over the workers
// (writeFinal), which this bound does not count.
func BenchmarkSweepSerial(b *testing.B) {
	if _, ok := cpuTime(); !ok {
		b.Skip("no processor time on this system")
	}
	path := writeSweep(b, strings.Replace(gridSweep, "replications: 3", "replications: 10", 1))
	s, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var run, final time.Duration
	for b.Loop() {
		out := b.TempDir()
		c0, _ := cpuTime()
		if err := s.Run(ctx, Options{Out: out, Workers: 1}); err != nil {
			b.Fatal(err)
		}
		c1, _ := cpuTime()
		if err := Finalize(ctx, filepath.Join(b.TempDir(), "again"), s, []string{filepath.Join(out, JournalName(0, 1))}); err != nil {
			b.Fatal(err)
		}
		c2, _ := cpuTime()
		run, final = run+c1-c0, final+c2-c1
	}
	sf := float64(final) / float64(run)
	b.ReportMetric(run.Seconds()*1000/float64(b.N), "sweep-cpu-ms")
	b.ReportMetric(final.Seconds()*1000/float64(b.N), "final-cpu-ms")
	b.ReportMetric(100*sf, "serial-%")
	b.ReportMetric(1/(sf+(1-sf)/2), "amdahl-2")
}
