package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunDuration: --duration replaces the scenario's duration — the
// resolved scenario saved beside the results says so, and so does the
// run's length — for a built-in scenario and a file; a value that is not a
// duration, or one shorter than the warm-up, is refused (exit 2) naming
// the flag and the value.
func TestRunDuration(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "grid")
	code, _, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--duration", "3d", "--replications", "2", "-o", out, "-q")
	if code != 0 {
		t.Fatalf("run builtin:grid --duration 3d: exit %d: %s", code, stderr)
	}
	saved, err := os.ReadFile(filepath.Join(out, "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(saved), "duration: 3d") {
		t.Errorf("saved scenario does not say duration: 3d:\n%s", saved)
	}

	code, stdout, _ := runMain(t, context.Background(), "template")
	if code != 0 {
		t.Fatal("template failed")
	}
	file := writeFile(t, filepath.Join(dir, "city.yaml"), stdout)
	code, _, stderr = runMain(t, context.Background(), "run", file, "--duration", "5d", "--replications", "2", "-q", "-o", filepath.Join(dir, "file"))
	if code != 0 {
		t.Fatalf("run %s --duration 5d: exit %d: %s", file, code, stderr)
	}
	saved, err = os.ReadFile(filepath.Join(dir, "file", "scenario.yaml"))
	if err != nil || !strings.Contains(string(saved), "duration: 5d") {
		t.Errorf("saved scenario (%v) does not say duration: 5d", err)
	}

	for _, bad := range []string{"soon", "1h"} { // not a duration; shorter than the warm-up
		code, _, stderr = runMain(t, context.Background(), "run", "builtin:grid", "--duration", bad, "-q", "-o", filepath.Join(dir, "bad"))
		if code != 2 || !strings.Contains(stderr, bad) || !strings.Contains(stderr, "duration") {
			t.Errorf("--duration %s: exit %d, stderr %q; want 2 and a message naming the flag and the value", bad, code, stderr)
		}
	}
}
