package sweep

import (
	"fmt"
	"os"
	"sync"
)

// BusyError is the refusal of a journal another sweep is writing: two
// sweeps appending to one journal would mix their results.
type BusyError struct {
	Path string
	PID  int // the process holding the lock; 0 when the system cannot say (another machine, another container)
}

func (e *BusyError) Error() string {
	who := "another sweep (process id unknown: on another machine or in another container)"
	if e.PID > 0 {
		who = fmt.Sprintf("another sweep (process %d)", e.PID)
	}
	return fmt.Sprintf("%s: %s is writing this journal; two sweeps into one folder would mix their results: wait for it to end, or stop it first", e.Path, who)
}

// locked holds the journals this process has locked: POSIX record locks
// belong to a process, so a second lock of the same file by this process
// would succeed; this refuses it too.
var locked struct {
	sync.Mutex
	files []os.FileInfo
}

// lockJournal locks the journal f at path: exclusive to write it, shared
// to read it (merge). A journal locked by another process in a way that
// conflicts is refused with a *BusyError. unlock releases what was taken.
//
// On Unix the lock is an fcntl(2) record lock on the whole file (it works
// on NFS, and F_GETLK names the holder's process id); it goes with the
// process, so a crashed sweep holds nothing. Elsewhere (Windows, Plan 9,
// WebAssembly) journals are not locked: do not run two sweeps into one
// folder there.
//
// POSIX record locks are released when the process closes any descriptor
// of the file: while a journal is locked, this process must read it
// through f only.
func lockJournal(f *os.File, path string, exclusive bool) (unlock func(), err error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	locked.Lock()
	defer locked.Unlock()
	for _, other := range locked.files {
		if os.SameFile(st, other) {
			return nil, &BusyError{Path: path, PID: os.Getpid()}
		}
	}
	if err := lockFile(f, path, exclusive); err != nil {
		return nil, err
	}
	locked.files = append(locked.files, st)
	return func() {
		locked.Lock()
		defer locked.Unlock()
		for i, other := range locked.files {
			if other == st {
				locked.files = append(locked.files[:i], locked.files[i+1:]...)
				break
			}
		}
	}, nil
}
