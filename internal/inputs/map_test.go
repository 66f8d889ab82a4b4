package inputs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestMapFile: MapFile gives the bytes ReadFile gives, refuses what
// ReadFile refuses (over the limit, not a regular file, missing), gives an
// empty file as empty (read, not mapped); the bytes stay whole after the
// file is removed; Unmap leaves a slice it did not map alone.
func TestMapFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<14) // 256 KiB: several pages
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	b, _, err := MapFile(path, int64(len(want)))
	if err != nil || !bytes.Equal(b, want) {
		t.Fatalf("at the limit: %d bytes, %v; want the file's %d", len(b), err, len(want))
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Error("the bytes changed when the file was removed")
	}
	Unmap(b)

	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = MapFile(path, int64(len(want))-1)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != int64(len(want))-1 {
		t.Errorf("over the limit: %v", err)
	}
	var nr *NotRegularError
	if _, _, err := MapFile(dir, 1<<20); !errors.As(err, &nr) {
		t.Errorf("a folder: %v", err)
	}
	if _, _, err := MapFile(filepath.Join(dir, "none"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, mapped, err := MapFile(empty, 10); err != nil || len(b) != 0 || mapped {
		t.Errorf("empty file: %q, mapped %v, %v", b, mapped, err)
	}
	read, err := ReadFile(path, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	Unmap(read) // not mapped: left alone
	if !bytes.Equal(read, want) {
		t.Error("Unmap of bytes read changed them")
	}
}
