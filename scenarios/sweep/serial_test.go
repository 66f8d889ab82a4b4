package sweep

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkSweepSerial measures the part of BenchmarkSweep's sweep that
// its workers do not share. Each iteration runs the sweep on one worker
// (processor time A) and notes the processor time its Run took after the
// last item was in the journal (T: the final files' last point, their
// closing and the swap of the folder; the rest of the files is written as
// the items finish, beside them); then it writes the final files again
// from the journal (Finalize, processor time B: what they cost in all,
// and what a run wrote after its items before they were written beside
// them). serial-% is T/A, the serial fraction s of Amdahl's law, and
// amdahl-2 = 1/(s + (1−s)/2) the speed-up on 2 workers it allows at best,
// if the rest divided perfectly; final-% is B/A. Processor time, not wall
// time, so that the figures hold on a shared machine.
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
	var run, tail, final time.Duration
	for b.Loop() {
		out := b.TempDir()
		var last time.Duration
		c0, _ := cpuTime()
		if err := s.Run(ctx, Options{Out: out, Workers: 1, Progress: func(done, total int) {
			if done == total {
				last, _ = cpuTime()
			}
		}}); err != nil {
			b.Fatal(err)
		}
		c1, _ := cpuTime()
		if err := Finalize(ctx, filepath.Join(b.TempDir(), "again"), s, []string{filepath.Join(out, JournalName(0, 1))}); err != nil {
			b.Fatal(err)
		}
		c2, _ := cpuTime()
		run, tail, final = run+c1-c0, tail+c1-last, final+c2-c1
	}
	sf := float64(tail) / float64(run)
	b.ReportMetric(run.Seconds()*1000/float64(b.N), "sweep-cpu-ms")
	b.ReportMetric(tail.Seconds()*1000/float64(b.N), "tail-cpu-ms")
	b.ReportMetric(final.Seconds()*1000/float64(b.N), "final-cpu-ms")
	b.ReportMetric(100*float64(final)/float64(run), "final-%")
	b.ReportMetric(100*sf, "serial-%")
	b.ReportMetric(1/(sf+(1-sf)/2), "amdahl-2")
}
