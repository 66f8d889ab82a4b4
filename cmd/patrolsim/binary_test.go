package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The tests that run patrolsim as a program (the broken-input corpus, the
// kill -9 harness) share one build, made on first use and removed when the
// package's tests end. PATROLSIM_BIN names a binary built beforehand
// instead (.ci/run builds it outside the memory cap).
var (
	binOnce sync.Once
	binPath string
	binDir  string
	binErr  error
)

// patrolsimBinary returns the path of a built patrolsim.
func patrolsimBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("PATROLSIM_BIN"); p != "" {
			binPath, binErr = filepath.Abs(p)
			return
		}
		binDir, binErr = os.MkdirTemp("", "patrolsim-bin")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "patrolsim")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{err, out}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + string(e.out) }

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
