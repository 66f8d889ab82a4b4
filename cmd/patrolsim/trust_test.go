package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// TestRunJSONQuiet: -q silences the table and the progress, never the JSON
// document --json asks for (issue 20: `run --json -q` printed nothing).
func TestRunJSONQuiet(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--json", "-q", "--replications", "2", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Scenario string            `json:"scenario"`
		Variants []json.RawMessage `json:"variants"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Scenario != "grid" || len(doc.Variants) == 0 {
		t.Fatalf("run --json -q printed no JSON document (%v):\n%q", err, stdout)
	}
	if stderr != "" {
		t.Errorf("run --json -q printed on stderr: %q", stderr)
	}
}

// TestUnknownBuiltin: builtin:NAME naming no built-in scenario is a bad
// argument (exit 2, like any other), names the built-in ones and suggests
// the nearest.
func TestUnknownBuiltin(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"builtin:nyc", `no built-in scenario "nyc" (built in: grid, jinzhou)`},
		{"builtin:gird", "did you mean builtin:grid?"},
	} {
		for _, cmd := range []string{"run", "validate"} {
			code, _, stderr := runMain(t, context.Background(), cmd, tc.arg, "-o", filepath.Join(t.TempDir(), "o"))
			if cmd == "validate" {
				code, _, stderr = runMain(t, context.Background(), cmd, tc.arg)
			}
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s %s: exit %d, stderr %q; want exit 2 and %q", cmd, tc.arg, code, stderr, tc.want)
			}
		}
	}
}

// TestInterruptedMessage: a command stopped by Ctrl-C says "interrupted",
// not Go's "context canceled", and exits 130.
func TestInterruptedMessage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := runMain(t, ctx, "run", "builtin:grid", "-o", filepath.Join(t.TempDir(), "out"))
	if code != exitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	if !strings.HasPrefix(stderr, "patrolsim: interrupted") || strings.Contains(stderr, "context canceled") {
		t.Errorf("stderr %q: want it to start with \"patrolsim: interrupted\" and not say \"context canceled\"", stderr)
	}
}

// TestRunRefusesGoPackage: -o naming a folder of Go source (the README's
// old `-o results/`, from the checkout, was the package results) is refused
// before the run, and the folder is left as it was.
func TestRunRefusesGoPackage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "results")
	os.MkdirAll(dir, 0o755)
	src := filepath.Join(dir, "metrics.go")
	os.WriteFile(src, []byte("package results\n"), 0o644)
	code, _, stderr := runMain(t, context.Background(), "run", "builtin:grid", "-o", dir)
	if code != exitUsage || !strings.Contains(stderr, "holds Go source (metrics.go)") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming metrics.go", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the package folder changed: %d entries", len(entries))
	}
}

// TestRunReplacesEarlierSet: a run into a folder holding another
// scenario's run leaves none of that run's files (the built-in city's
// GeoJSON beside the grid's results was the case), keeps a user's
// own file, and says which files it replaced; without -o it writes to
// out/NAME.
func TestRunReplacesEarlierSet(t *testing.T) {
	w := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(w); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	if code, _, stderr := runMain(t, context.Background(), "run", "builtin:jinzhou", "--replications", "1", "-q"); code != 0 {
		t.Fatalf("jinzhou: exit %d: %s", code, stderr)
	}
	dir := filepath.Join("out", "jinzhou")
	if _, err := os.Stat(filepath.Join(dir, "communities.geojson")); err != nil {
		t.Fatalf("run without -o did not write out/jinzhou: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644)
	code, stdout, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--replications", "2", "-o", dir)
	if code != 0 {
		t.Fatalf("grid: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "replacing the earlier run's communities.geojson, details.json, posts.geojson") {
		t.Errorf("the run does not say which files it replaced:\n%s", stdout)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	got := strings.Join(names, " ")
	if want := ".patrolsim-set.json details.json notes.txt replications.csv results.json scenario.yaml"; got != want {
		t.Errorf("folder after the second run: %s\nwant %s", got, want)
	}
}

// TestTableLeavesOutAbsentPriority: the template's scenario has types of
// priorities 1 and 3 only, so the table has no P2 rows (they were columns
// of dashes) and says why; its P1 and P3 rows stay. The grid (with a
// priority-2 type) keeps its P2 rows.
func TestTableLeavesOutAbsentPriority(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "city.yaml")
	os.WriteFile(path, []byte(scenarios.Template), 0o644)
	code, stdout, stderr := runMain(t, context.Background(), "run", path, "--replications", "2", "-o", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"P1 response, p90", "P3 within target", "No priority-2 incident was counted: the P2 rows are left out."} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "P2 response") {
		t.Errorf("table has P2 rows though no type has priority 2:\n%s", stdout)
	}
	_, stdout, _ = runMain(t, context.Background(), "run", "builtin:grid", "--replications", "2", "-o", filepath.Join(dir, "grid"))
	if !strings.Contains(stdout, "P2 response, p90") || strings.Contains(stdout, "left out") {
		t.Errorf("the grid's table lost its P2 rows:\n%s", stdout)
	}
}
