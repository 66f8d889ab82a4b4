//go:build unix

package sweep

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// lockFile takes an fcntl record lock on all of f without waiting.
func lockFile(f *os.File, path string, exclusive bool) error {
	typ := int16(syscall.F_RDLCK)
	if exclusive {
		typ = syscall.F_WRLCK
	}
	lk := syscall.Flock_t{Type: typ, Whence: io.SeekStart}
	err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
	if err == nil {
		return nil
	}
	if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EACCES) {
		return &os.PathError{Op: "lock", Path: path, Err: err}
	}
	q := syscall.Flock_t{Type: typ, Whence: io.SeekStart}
	pid := 0
	if syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &q) == nil && q.Type != syscall.F_UNLCK {
		pid = int(q.Pid)
	}
	return &BusyError{Path: path, PID: pid}
}
