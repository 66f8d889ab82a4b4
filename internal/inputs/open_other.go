//go:build !unix

package inputs

import "os"

// openNoBlock opens path read-only. Outside Unix there are no FIFOs that
// block open.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

func clearNoBlock(*os.File) error { return nil }
