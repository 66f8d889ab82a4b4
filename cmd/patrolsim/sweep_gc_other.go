//go:build !linux

package main

// memoryLimit returns 0 (unknown) outside Linux: the sweep command keeps
// the collector's defaults there.
func memoryLimit() int64 { return 0 }
