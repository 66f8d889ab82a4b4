//go:build unix

package sweep

import (
	"syscall"
	"time"
)

// cpuTime returns the processor time the process has used (user and
// system, every thread: the garbage collector's too), and true.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
