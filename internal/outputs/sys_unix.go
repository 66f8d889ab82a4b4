//go:build unix

package outputs

import (
	"errors"
	"os"
	"syscall"
)

// alive reports whether a process with this id runs (or may: one of
// another user's is alive too).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// syncDir syncs a folder's entries; file systems that cannot sync a
// folder say EINVAL, which is taken as done.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}
