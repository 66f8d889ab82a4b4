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
		{"builtin:nyc", `no built-in scenario "nyc" (built in: ` + strings.Join(scenarios.Builtins(), ", ") + ")"},
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
	if !strings.Contains(stdout, "replacing the earlier run's areas.geojson, communities.geojson, details.json, posts.geojson") {
		t.Errorf("the run does not say which files it replaced:\n%s", stdout)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	got := strings.Join(names, " ")
	if want := ".patrolsim-set.json areas.geojson details.json notes.txt replications.csv results.json scenario.yaml"; got != want {
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

// complete asks the command's completion (cobra's hidden __complete, what
// the shell scripts call) and returns the candidates, descriptions cut.
func complete(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	if dir != "" {
		wd, _ := os.Getwd()
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	code, stdout, stderr := runMain(t, context.Background(), append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d: %s", args, code, stderr)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if strings.HasPrefix(l, ":") {
			break // the directive
		}
		name, _, _ := strings.Cut(l, "\t")
		out = append(out, name)
	}
	return out
}

// TestCompletion: the shell completes built-in scenarios (and the folder's
// scenario files), policy names, metric names and the variants of a run's
// folder, besides commands and flags.
func TestCompletion(t *testing.T) {
	w := t.TempDir()
	os.WriteFile(filepath.Join(w, "city.yaml"), []byte(scenarios.Template), 0o644)
	os.WriteFile(filepath.Join(w, "notes.txt"), nil, 0o644)
	out := filepath.Join(w, "out")
	if code, _, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--replications", "2", "-q", "-o", out); code != 0 {
		t.Fatalf("run: %s", stderr)
	}
	var bs []string
	for _, name := range scenarios.Builtins() {
		bs = append(bs, "builtin:"+name)
	}
	builtins := strings.Join(bs, " ")
	for _, tc := range []struct {
		dir  string
		args []string
		want string
	}{
		{w, []string{"run", ""}, builtins + " city.yaml"},
		{"", []string{"validate", "builtin:j"}, "builtin:jinzhou builtin:jinzhou-reform"},
		{"", []string{"serve", "bu"}, builtins},
		{"", []string{"policies", "hot"}, "hot-spots hotspot-oracle"},
		{"", []string{"report", out, "--compare", ""}, "random beats"},
		{"", []string{"report", out, "--metric", "response_p90_s_p"}, "response_p90_s_p1 response_p90_s_p2 response_p90_s_p3"},
		{"", []string{"report", "nowhere", "--metric", "within_target_p"}, "within_target_p1 within_target_p2 within_target_p3"},
	} {
		if got := strings.Join(complete(t, tc.dir, tc.args...), " "); got != tc.want {
			t.Errorf("completing %q: %q, want %q", tc.args, got, tc.want)
		}
	}
	// The completion script itself.
	code, stdout, _ := runMain(t, context.Background(), "completion", "bash")
	if code != 0 || !strings.Contains(stdout, "__start_patrolsim") {
		t.Errorf("patrolsim completion bash: exit %d, no script", code)
	}
}

// TestPoliciesNamed: policies NAME lists that policy only; an unknown name
// is a bad argument with the nearest name.
func TestPoliciesNamed(t *testing.T) {
	code, stdout, _ := runMain(t, context.Background(), "policies", "posts")
	if code != 0 || !strings.HasPrefix(stdout, "posts\n") || strings.Contains(stdout, "\nrandom\n") {
		t.Errorf("policies posts: exit %d:\n%s", code, stdout)
	}
	if strings.Contains(strings.ToLower(stdout), "atom") {
		t.Errorf("policies says atoms where the README says areas:\n%s", stdout)
	}
	code, _, stderr := runMain(t, context.Background(), "policies", "hotspot")
	if code != exitUsage || !strings.Contains(stderr, "did you mean hot-spots?") {
		t.Errorf("policies hotspot: exit %d, %q", code, stderr)
	}
	_, all, _ := runMain(t, context.Background(), "policies")
	for _, line := range strings.Split(all, "\n") {
		if !strings.HasPrefix(line, "  - units_per_atom") && strings.Contains(strings.ToLower(strings.ReplaceAll(line, "units_per_atom", "")), "atom") {
			t.Errorf("policies says atoms where the README says areas: %s", line)
		}
	}
}
