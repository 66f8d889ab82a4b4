// Package inputs opens and reads the files users name, bounded by the bytes
// actually read: a path that names something other than a regular file (a
// named pipe, a device such as /dev/zero, a socket, a folder) is refused
// before a byte is read, and a whole-file read stops at a limit.
//
// A file's reported size is no bound: it is 0 for devices, pipes and FIFOs,
// and a regular file can grow while it is read (or be a /proc file that
// reports 0). So ReadFile reads at most limit+1 bytes, and LineLimit bounds
// the bytes between two newlines of a file read as a stream. Opening never
// blocks: a FIFO without a writer would make open(2) wait forever, so on
// Unix the file is opened non-blocking and checked before use.
//
// Cost: one open and one fstat more than os.ReadFile; memory at most limit
// bytes (plus the buffer's growth).
package inputs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NotRegularError is the refusal of a path that names something other than
// a regular file.
type NotRegularError struct {
	Kind string // "a named pipe (FIFO)", "a character device", "a folder", …
}

func (e *NotRegularError) Error() string {
	return "not a regular file but " + e.Kind + ": only files are read"
}

// TooLargeError is the refusal of a file larger than the limit, counted in
// bytes actually read.
type TooLargeError struct {
	Limit int64 // bytes
}

func (e *TooLargeError) Error() string {
	return "more than the limit of " + Size(e.Limit)
}

// LineTooLongError is the refusal of a stream with a line longer than the
// limit (LineLimit).
type LineTooLongError struct {
	Line  int   // 1-based
	Limit int64 // bytes
}

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("line %d is longer than %s: not a text file of records", e.Line, Size(e.Limit))
}

// Size writes a number of bytes for messages: 256 MiB, 1 KiB, 17 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// kind names a file mode that is not a regular file.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a file (" + m.Type().String() + ")"
}

// Open opens the regular file at path for reading. Anything else is
// refused with an *fs.PathError whose Err is a *NotRegularError, without
// blocking (a FIFO with no writer) and without reading from it.
func Open(path string) (*os.File, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: &NotRegularError{Kind: kind(st.Mode())}}
	}
	if err := clearNoBlock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads the whole regular file at path, refusing (Open) what is
// not a regular file, and a file of more than limit bytes actually read
// with an *fs.PathError whose Err is a *TooLargeError.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, limit)
}

// ReadAll reads r to its end, at most limit bytes; name is the path in the
// error.
func ReadAll(r io.Reader, name string, limit int64) ([]byte, error) {
	var b bytes.Buffer
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		st, err := f.Stat()
		if err == nil && st.Size() > limit {
			return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Limit: limit}}
		}
		if err == nil && st.Mode().IsRegular() && st.Size() > 0 {
			// Room for the whole file at once (and the read that finds
			// its end), rather than doubling the buffer as it fills:
			// each doubling allocates, clears and copies, which for a
			// road table of tens of MB was a tenth of a run's
			// processor time.
			b.Grow(int(st.Size()) + bytes.MinRead)
		}
	}
	n, err := b.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if n > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Limit: limit}}
	}
	return b.Bytes(), nil
}

// Reason returns err without the operation and path of an *fs.PathError,
// for messages that name the file already: "not a regular file but a
// named pipe (FIFO): only files are read", "no such file or directory".
func Reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LineLimit returns a reader of r that fails with a *LineTooLongError once
// more than limit bytes come without a newline: a stream read record by
// record (a CSV file) then holds at most about limit bytes of one record,
// whatever the file.
func LineLimit(r io.Reader, limit int64) io.Reader {
	return &lineLimit{r: r, limit: limit, line: 1}
}

type lineLimit struct {
	r     io.Reader
	limit int64
	run   int64 // bytes since the last newline
	line  int
	err   error
}

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	rest := p[:n]
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			l.run += int64(len(rest))
			break
		}
		if l.run+int64(i) > l.limit {
			l.run += int64(i)
			break
		}
		l.run = 0
		l.line++
		rest = rest[i+1:]
	}
	if l.run > l.limit {
		l.err = &LineTooLongError{Line: l.line, Limit: l.limit}
		return n - len(rest), l.err
	}
	return n, err
}

// Excerpt quotes the start of data for a message: at most max runes of
// printable text, Go-quoted so that control characters and invalid UTF-8
// show as escapes, "…" after it when cut. Data that looks binary (a NUL
// byte or invalid UTF-8 in its first 512 bytes) is described, not quoted
// at length: `binary data (starts "\x7fELF\x02…")`.
func Excerpt(data []byte, max int) string {
	head := data[:min(len(data), 512)]
	binary := bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(trimPartialRune(head, len(data) > 512))
	if binary {
		max = min(max, 8)
	}
	cut := data
	runes := 0
	for i := range string(data) {
		if runes == max {
			cut = data[:i]
			break
		}
		runes++
	}
	if len(cut) > 4*max { // invalid UTF-8 counts a byte a rune
		cut = cut[:4*max]
	}
	q := strconvQuote(cut, len(cut) < len(data))
	if binary {
		return "binary data (starts " + q + ")"
	}
	return q
}

// trimPartialRune drops an incomplete rune at the end of b when b was cut
// from longer data.
func trimPartialRune(b []byte, cut bool) []byte {
	if !cut {
		return b
	}
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

func strconvQuote(b []byte, more bool) string {
	q := strconv.Quote(string(b))
	if more {
		q = strings.TrimSuffix(q, `"`) + `…"`
	}
	return q
}
