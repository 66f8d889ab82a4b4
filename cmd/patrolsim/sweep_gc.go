package main

import (
	"os"
	"runtime/debug"
)

// sweepGCPercent is the garbage collector's GOGC for the sweep command.
// A sweep's live heap is small (a few MB a worker for builtin:grid) but
// it allocates a lot (~35 MB a sweep of 40 items), so at the default 100
// it collects tens of times a second, and each cycle stops every worker
// twice and takes a share of the processor from them: at 400 it collects
// a quarter as often, for a heap up to five times the live one instead of
// twice (docs/performance.md, Sweeps).
const sweepGCPercent = 400

// tuneSweepGC sets GOGC to sweepGCPercent for a sweep, with a memory
// limit of three quarters of the memory the process may use (the
// machine's, or its control group's when lower) as a guard: near it the
// collector works harder rather than let the heap grow past it, so a
// sweep of large runs uses no more memory than under GOGC=100 unless that
// would pass the limit. It changes nothing when GOGC or GOMEMLIMIT is set
// in the environment (the user's choice) or the memory is unknown (no
// guard). It returns what restores the settings before it.
func tuneSweepGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	mem := memoryLimit()
	if mem <= 0 {
		return func() {}
	}
	oldLimit := debug.SetMemoryLimit(mem / 4 * 3)
	oldPercent := debug.SetGCPercent(sweepGCPercent)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
