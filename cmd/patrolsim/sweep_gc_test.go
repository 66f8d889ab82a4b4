package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// gcSettings returns GOGC and the memory limit now (each read by setting
// it to itself).
func gcSettings() (int, int64) {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p, debug.SetMemoryLimit(-1) // a negative limit only reads it
}

// TestSweepGC: the sweep command's collector setting (GOGC=400, a memory
// limit of 3/4 of the memory as a guard) is set for the sweep and restored
// after it; GOGC or GOMEMLIMIT in the environment leaves it alone.
func TestSweepGC(t *testing.T) {
	p0, l0 := gcSettings()
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	restore := tuneSweepGC()
	p, l := gcSettings()
	restore()
	if p1, l1 := gcSettings(); p1 != p0 || l1 != l0 {
		t.Errorf("after the sweep: GOGC %d, limit %d; want %d, %d as before", p1, l1, p0, l0)
	}
	mem := memoryLimit()
	t.Logf("memory the process may use: %d MiB", mem>>20)
	switch {
	case mem <= 0 && runtime.GOOS == "linux":
		t.Errorf("no memory size found on Linux")
	case mem <= 0:
		if p != p0 || l != l0 {
			t.Errorf("memory unknown: GOGC %d, limit %d; want them unchanged", p, l)
		}
	default:
		if p != sweepGCPercent || l != mem/4*3 || l == math.MaxInt64 {
			t.Errorf("during the sweep: GOGC %d, limit %d; want %d, %d (3/4 of %d)", p, l, sweepGCPercent, mem/4*3, mem)
		}
	}
	t.Setenv("GOGC", "150")
	tuneSweepGC()()
	if p, _ := gcSettings(); p != p0 {
		t.Errorf("with GOGC set: GOGC %d, want it left at %d", p, p0)
	}
}
