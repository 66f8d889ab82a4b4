package sim

import "unsafe"

// prefetch2 asks the processor to bring the cache lines at p and q into
// its caches (PREFETCHT0), without waiting for them: a hint that changes
// no result. See prefetch_amd64.s.
//
//go:noescape
func prefetch2(p, q unsafe.Pointer)
