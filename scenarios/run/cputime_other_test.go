//go:build !unix

package run

import "time"

// cpuTime reports false: processor time is read on Unix systems only.
func cpuTime() (time.Duration, bool) { return 0, false }
