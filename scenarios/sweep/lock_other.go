//go:build !unix

package sweep

import "os"

// lockFile: journals are not locked on this system (see lockJournal).
func lockFile(*os.File, string, bool) error { return nil }
