//go:build !amd64

package sim

import "unsafe"

// prefetch2 is a hint only (see prefetch_amd64.go); elsewhere it does
// nothing.
func prefetch2(p, q unsafe.Pointer) {}
