package inputs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRefusesWhatIsNotAFile: a FIFO without a writer, /dev/zero and a
// folder are refused at once, before a byte is read, with the kind named.
func TestRefusesWhatIsNotAFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs or /dev/zero")
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, kind string }{
		{fifo, "a named pipe (FIFO)"},
		{"/dev/zero", "a character device"},
		{t.TempDir(), "a folder"},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			start := time.Now()
			_, err := ReadFile(tc.path, 1<<20)
			var nr *NotRegularError
			if !errors.As(err, &nr) || nr.Kind != tc.kind {
				t.Fatalf("got %v, want a refusal naming %s", err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("%q does not name the path", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("refused after %v", d)
			}
		})
	}
}

func TestReadFileLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("0123456789"), 0o644)
	if data, err := ReadFile(path, 10); err != nil || string(data) != "0123456789" {
		t.Fatalf("at the limit: %q, %v", data, err)
	}
	_, err := ReadFile(path, 9)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 9 {
		t.Fatalf("over the limit: %v", err)
	}
	// A reader whose size says nothing (a pipe): the bytes read count.
	_, err = ReadAll(io.LimitReader(zeros{}, 1<<20), "pipe", 1000)
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "more than the limit of 1000 bytes") {
		t.Fatalf("endless reader: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "none"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestLineLimit(t *testing.T) {
	cases := []struct {
		name, in string
		limit    int64
		line     int // 0: no error
	}{
		{"short lines", "ab\ncd\nef", 2, 0},
		{"exactly the limit", "abc\n", 3, 0},
		{"second line long", "ab\nabcdef\nx", 4, 2},
		{"no newline", strings.Repeat("x", 100), 10, 1},
		{"empty", "", 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time and all at once.
			for _, r := range []io.Reader{strings.NewReader(tc.in), &oneByte{tc.in}} {
				got, err := io.ReadAll(LineLimit(r, tc.limit))
				var lt *LineTooLongError
				if tc.line == 0 {
					if err != nil || string(got) != tc.in {
						t.Fatalf("got %q, %v", got, err)
					}
					continue
				}
				if !errors.As(err, &lt) || lt.Line != tc.line {
					t.Fatalf("got %v, want line %d too long", err, tc.line)
				}
			}
		})
	}
	// An endless line stops after about the limit.
	n, err := io.Copy(io.Discard, LineLimit(zeros{}, 1<<16))
	if err == nil || n > 1<<17 {
		t.Fatalf("endless line: %d bytes, %v", n, err)
	}
}

type oneByte struct{ s string }

func (o *oneByte) Read(p []byte) (int, error) {
	if o.s == "" {
		return 0, io.EOF
	}
	p[0] = o.s[0]
	o.s = o.s[1:]
	return 1, nil
}

func TestExcerpt(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"text", "name,lat,lon", 20, `"name,lat,lon"`},
		{"cut", "abcdefghij", 5, `"abcde…"`},
		{"binary", "\x7fELF\x02\x01\x01\x00\x00\x00\x00", 40, `binary data (starts "\x7fELF\x02\x01\x01\x00…")`},
		{"invalid utf-8", "\xff\xfeab", 40, `binary data (starts "\xff\xfeab")`},
		{"control", "a\x1bb", 5, `"a\x1bb"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Excerpt([]byte(tc.in), tc.max); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	long := Excerpt([]byte(strings.Repeat("\x00", 8192)), 40)
	if len(long) > 60 {
		t.Errorf("excerpt of 8 KiB of binary is %d bytes: %s", len(long), long)
	}
}
