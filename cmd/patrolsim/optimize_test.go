package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gridOpt is a small optimisation of builtin:grid's cars (a few seconds).
const gridOpt = `version: 1
scenario: builtin:grid
variant: beats
decision: {kind: unit-counts, unit: car, min: 2}
budget: {units: 8}
screen: {keep: 2}
select: {delta: 30, first: 5, max: 10}
`

// TestOptimizeCommand: `patrolsim optimize` on the built-in grid writes a
// chosen.yaml that `patrolsim validate` accepts, prints the table with
// units and intervals, and a bad file exits 2 naming file, line, field and
// value, without a stack trace.
func TestOptimizeCommand(t *testing.T) {
	dir := t.TempDir()
	opt := filepath.Join(dir, "opt.yaml")
	good := gridOpt
	if err := os.WriteFile(opt, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runMain(t, context.Background(), "optimize", opt, "-o", out, "-q", "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"screen: mean response (min)", "sim: P1 response, p90 (min)", " ± ", "officer-h/day", "chosen.yaml"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, stderr := runMain(t, context.Background(), "validate", filepath.Join(out, "chosen.yaml")); code != 0 {
		t.Errorf("validate chosen.yaml: exit %d: %s", code, stderr)
	}
	bad := strings.Replace(good, "kind: unit-counts", "kind: drones", 1)
	if err := os.WriteFile(opt, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runMain(t, context.Background(), "optimize", opt, "-o", out, "-q")
	if code != 2 {
		t.Errorf("bad file: exit %d, want 2", code)
	}
	if want := opt + `:4: decision.kind: unknown kind (valid: unit-counts, post-sites, squad-size, shifts; got "drones")`; !strings.Contains(stderr, want) || strings.Contains(stderr, "goroutine") {
		t.Errorf("bad file: stderr %q, want it to contain %q and no stack trace", stderr, want)
	}
}
