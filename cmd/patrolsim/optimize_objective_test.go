package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOptimizeObjectiveCommand: `patrolsim optimize` with minimise:
// officer_hours subject to a P1 p90 limit writes pareto.csv, optimize.svg
// and its journal; a rerun resumes from the journal (stderr says how many
// replications it read) and writes the same candidates.csv; an OPT file
// whose candidates changed is refused with exit 2 naming --restart, and
// --restart starts over.
func TestOptimizeObjectiveCommand(t *testing.T) {
	dir := t.TempDir()
	opt := filepath.Join(dir, "opt.yaml")
	good := `version: 1
scenario: builtin:grid
variant: beats
decision: {kind: unit-counts, unit: car, min: 1}
budget: {units: 5}
objective: {minimise: officer_hours, subject_to: ["response_p90_s_p1 <= 9m"]}
select: {first: 5, max: 10}
`
	if err := os.WriteFile(opt, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runMain(t, context.Background(), "optimize", opt, "-o", out, "-q", "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"response_p90_s_p1 <= 9m: status [bounds] (min)", "feasibility of response_p90_s_p1 <= 9m", "pareto.csv"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"pareto.csv", "optimize.svg", "journal.txt", "chosen.yaml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	first, _ := os.ReadFile(filepath.Join(out, "candidates.csv"))
	code, _, stderr = runMain(t, context.Background(), "optimize", opt, "-o", out, "--workers", "1")
	if code != 0 || !strings.Contains(stderr, "resumed: ") {
		t.Errorf("rerun: exit %d, stderr %q, want it to say it resumed", code, stderr)
	}
	if again, _ := os.ReadFile(filepath.Join(out, "candidates.csv")); string(again) != string(first) {
		t.Errorf("candidates.csv differs after resuming")
	}
	changed := strings.Replace(good, "budget: {units: 5}", "budget: {units: 4}", 1)
	if err := os.WriteFile(opt, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runMain(t, context.Background(), "optimize", opt, "-o", out, "-q")
	if code != 2 || !strings.Contains(stderr, "--restart") {
		t.Errorf("changed candidates: exit %d, stderr %q, want 2 naming --restart", code, stderr)
	}
	if code, _, stderr = runMain(t, context.Background(), "optimize", opt, "-o", out, "-q", "--restart"); code != 0 {
		t.Errorf("--restart: exit %d: %s", code, stderr)
	}
}

// TestOptimizeShardCommand: two slices with --shard, then the deciding
// run, write the candidates.csv of a single run.
func TestOptimizeShardCommand(t *testing.T) {
	dir := t.TempDir()
	opt := filepath.Join(dir, "opt.yaml")
	if err := os.WriteFile(opt, []byte(`version: 1
scenario: builtin:grid
variant: beats
decision: {kind: unit-counts, unit: car, min: 1}
budget: {units: 5}
objective: {minimise: officer_hours, subject_to: ["response_p90_s_p1 <= 9m"]}
select: {first: 5, max: 10}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	single, sliced := filepath.Join(dir, "single"), filepath.Join(dir, "sliced")
	if code, _, stderr := runMain(t, context.Background(), "optimize", opt, "-o", single, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"0/2", "1/2"} {
		code, stdout, stderr := runMain(t, context.Background(), "optimize", opt, "-o", sliced, "-q", "--shard", s)
		if code != 0 || !strings.Contains(stdout, "slice "+s[:1]+" of 2: 5 replications") {
			t.Fatalf("--shard %s: exit %d, stdout %q, stderr %q", s, code, stdout, stderr)
		}
	}
	if code, _, stderr := runMain(t, context.Background(), "optimize", opt, "-o", sliced, "-q"); code != 0 {
		t.Fatalf("deciding run: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(single, "candidates.csv"))
	b, _ := os.ReadFile(filepath.Join(sliced, "candidates.csv"))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("candidates.csv of the sliced run differs from a single run's")
	}
	if code, _, stderr := runMain(t, context.Background(), "optimize", opt, "-o", sliced, "-q", "--shard", "2/2"); code != 2 || !strings.Contains(stderr, "--shard") {
		t.Errorf("--shard 2/2: exit %d, stderr %q, want 2", code, stderr)
	}
}
