package scenarios

// Reading files: every file a scenario names is read through these, bounded
// by MaxFileBytes of bytes actually read.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/patrolsim/patrolsim/internal/inputs"
)

// readFileLimited reads a file a scenario names: a regular file only (a
// FIFO or a device is refused without reading, inputs.Open), bounded by
// the bytes actually read.
func readFileLimited(path string) ([]byte, error) {
	f, err := inputs.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path)
}

// maxFileBytes is MaxFileBytes; tests lower it.
var maxFileBytes int64 = MaxFileBytes

func readAll(f fs.File, name string) ([]byte, error) {
	var b bytes.Buffer
	if st, err := f.Stat(); err == nil {
		if st.Size() > maxFileBytes {
			return nil, fmt.Errorf("%s: %d bytes, more than the limit of %d", name, st.Size(), maxFileBytes)
		}
		if st.Mode().IsRegular() && st.Size() > 0 {
			// Room for the whole file and the read that finds its end
			// (as inputs.ReadAll): doubling the buffer as it fills
			// allocates, clears and copies about twice the file, which
			// a run on roads paid for its road file (1–2 MB) at every
			// load, the disk cache's included (it hashes the file).
			b.Grow(int(st.Size()) + bytes.MinRead)
		}
	}
	// The size a file reports is 0 for devices, pipes and FIFOs
	// (/dev/zero): the bytes actually read are what is bounded.
	n, err := b.ReadFrom(io.LimitReader(f, maxFileBytes+1))
	if err == nil && n > maxFileBytes {
		return nil, fmt.Errorf("%s: more than the limit of %d bytes", name, maxFileBytes)
	}
	return b.Bytes(), err
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, name)
}

// readData reads the data file named by the field at path, or records why
// it cannot.
func readData(read reader, e *errs, path, file string) ([]byte, bool) {
	data, err := read(file)
	if err != nil {
		e.add(path, "cannot read %q: %v", file, unwrapPath(err))
		return nil, false
	}
	return data, true
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
