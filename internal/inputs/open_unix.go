//go:build unix

package inputs

import (
	"os"
	"syscall"
)

// openNoBlock opens path read-only without blocking: open(2) of a FIFO
// without a writer waits for one unless O_NONBLOCK is set.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// clearNoBlock puts a regular file back in blocking mode (O_NONBLOCK has no
// effect on regular files; this keeps the descriptor as os.Open makes it).
func clearNoBlock(f *os.File) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := sc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
