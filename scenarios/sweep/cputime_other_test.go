//go:build !unix

package sweep

import "time"

// cpuTime reports false: processor time is read on Unix systems only.
func cpuTime() (time.Duration, bool) { return 0, false }
