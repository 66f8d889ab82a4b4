package scenarios

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestReadFileOnce: a regular file is read into one buffer of its size
// (and the read that finds its end), not a buffer doubled as it fills,
// which allocated, cleared and copied about twice the file (a road file
// of 1–2 MB at every load of a road scenario): reading a 1 MiB file
// allocates less than 1.25 MiB, and gives its bytes.
func TestReadFileOnce(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	path := filepath.Join(t.TempDir(), "roads.geojson")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	got, err := readFileLimited(path)
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the bytes read differ from the file's")
	}
	if a := m1.TotalAlloc - m0.TotalAlloc; a > 5<<18 {
		t.Errorf("reading a file of %d bytes allocated %d", len(data), a)
	}
}
