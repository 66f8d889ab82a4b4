package results

import (
	"io"

	"github.com/patrolsim/patrolsim/internal/outputs"
)

// WriteFileAtomic writes a file through fn so that path holds either its old
// content or the complete new one, never a part (outputs.WriteFile: a
// synced temporary beside it renamed over it; stale temporaries of dead
// processes removed first).
func WriteFileAtomic(path string, fn func(w io.Writer) error) error {
	return outputs.WriteFile(path, fn)
}
