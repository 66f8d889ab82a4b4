// Package shareddata gives tests the real data beside the checkout
// (../shared/data from the module's root; see its README): a test that
// needs it skips when it is absent, except under CI=true, where that is a
// failure (CI must run the real-data tests).
package shareddata

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Path returns the absolute path of rel inside the shared data folder, or
// skips the test (fails it under CI=true) when that does not exist.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			tb.Fatal("shareddata: no go.mod above the test's folder")
		}
		dir = up
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") != "true" {
			tb.Skipf("%s absent: skipping the real-data test", p)
		}
		tb.Fatalf("shared data: %v", err)
	}
	return p
}

// Read returns the file rel of the shared data folder (see Path).
func Read(tb testing.TB, rel string) []byte {
	tb.Helper()
	data, err := os.ReadFile(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
