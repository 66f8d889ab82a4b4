//go:build !unix

package outputs

import "os"

// alive reports whether a process with this id runs: where the system
// cannot say, it is taken to run (its temporaries stay).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}

// syncDir: folders cannot be synced here; renames are as durable as the
// file system makes them.
func syncDir(string) error { return nil }
