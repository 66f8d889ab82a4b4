package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runMain(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = NewMain(&out, &errb).Run(ctx, args)
	return code, out.String(), errb.String()
}

// TestRunJSONDeterministic: the same seed gives byte-identical JSON with one
// and with two workers, and twice in a row.
func TestRunJSONDeterministic(t *testing.T) {
	dir := t.TempDir()
	var docs []string
	for i, workers := range []string{"1", "2", "2"} {
		out := filepath.Join(dir, "out", workers+string(rune('a'+i)))
		code, stdout, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--json", "--workers", workers, "--replications", "3", "-o", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		file, err := os.ReadFile(filepath.Join(out, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		if string(file) != stdout {
			t.Fatal("results.json differs from the JSON printed")
		}
		docs = append(docs, stdout)
	}
	if docs[0] != docs[1] || docs[1] != docs[2] {
		t.Fatal("JSON differs between runs with 1 and 2 workers")
	}
	// The public schema.
	var doc struct {
		Scenario     string  `json:"scenario"`
		Seed         *uint64 `json:"seed"`
		Replications int     `json:"replications"`
		Variants     []struct {
			Name     string `json:"name"`
			Rank     int    `json:"rank"`
			Position int    `json:"position"`
			Metrics  map[string]struct {
				Mean *float64 `json:"mean"`
				Low  *float64 `json:"ci95_low"`
				High *float64 `json:"ci95_high"`
			} `json:"metrics"`
		} `json:"variants"`
	}
	if err := json.Unmarshal([]byte(docs[0]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Scenario != "grid" || doc.Seed == nil || doc.Replications != 3 || len(doc.Variants) != 2 {
		t.Fatalf("unexpected document head: %+v", doc)
	}
	positions := map[int]bool{}
	for _, v := range doc.Variants {
		positions[v.Position] = true
		for _, name := range []string{"response_mean_s", "response_p90_s", "response_p90_s_p1", "queue_wait_mean_s", "travel_mean_s", "utilization", "incidents"} {
			m, ok := v.Metrics[name]
			if !ok || m.Mean == nil || m.Low == nil || m.High == nil {
				t.Fatalf("variant %s: metric %s missing or null: %+v", v.Name, name, m)
			}
			if !(*m.Low <= *m.Mean && *m.Mean <= *m.High) {
				t.Fatalf("variant %s: %s interval [%v, %v] does not hold the mean %v", v.Name, name, *m.Low, *m.High, *m.Mean)
			}
		}
	}
	if !positions[1] || !positions[2] {
		t.Fatalf("positions %v, want 1 and 2", positions)
	}
}

func TestRunWritesFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	code, stdout, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--replications", "2", "--trace", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "group") || !strings.Contains(stdout, "P1 response, p90 (min)") {
		t.Fatalf("table missing rows:\n%s", stdout)
	}
	if strings.Contains(stdout, "\x1b[") {
		t.Error("colour codes in output that is not a terminal")
	}
	for _, line := range strings.Split(stdout, "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("table line of %d columns > 100: %q", n, line)
		}
	}
	for _, f := range []string{"results.json", "replications.csv", "scenario.yaml", "trace.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(out, "replications.csv"))
	if got := strings.Count(string(csv), "\n"); got != 1+2*2 {
		t.Errorf("replications.csv has %d lines, want header + 2 variants × 2 replications", got)
	}
	trace, _ := os.ReadFile(filepath.Join(out, "trace.csv"))
	if !strings.HasPrefix(string(trace), "variant,replication,id,type,priority,atom,district") {
		t.Errorf("trace.csv header: %.80q", trace)
	}
	// The resolved scenario runs as it is and gives the same results.
	out2 := filepath.Join(t.TempDir(), "o2")
	code, _, stderr = runMain(t, context.Background(), "run", filepath.Join(out, "scenario.yaml"), "-o", out2, "-q")
	if code != 0 {
		t.Fatalf("resolved scenario: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(out, "results.json"))
	b, _ := os.ReadFile(filepath.Join(out2, "results.json"))
	if !bytes.Equal(a, b) {
		t.Error("the resolved scenario gives other results than the original")
	}
}

func TestBrokenScenario(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "city.yaml")
	os.WriteFile(path, []byte("version: 1\nname: x\nreplications: 0\ncity: {grid: {rows: 2, cols: 2, cell_m: 100, districts: 1}}\n"+
		"incidents: {per_day: 10, types: [{name: a, share: 1}]}\nunits: [{name: car, speed_kmh: -5}]\nvariants: [{name: v, policy: random}]\n"), 0o644)
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{{"run", path, "-o", out}, {"validate", path}} {
		code, stdout, stderr := runMain(t, context.Background(), args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		for _, want := range []string{path + ":3: replications: must be between 1 and", path + ":6: units[0].speed_kmh: must be between 0.1 and 1000 (got -5)"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, stderr)
			}
		}
		if strings.Contains(stderr, "goroutine") || stdout != "" {
			t.Errorf("%v: unexpected output: stdout %q stderr %q", args, stdout, stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder written for a broken scenario: %v", err)
	}
	if code, _, _ := runMain(t, context.Background(), "run", filepath.Join(dir, "missing.yaml")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
	if code, _, _ := runMain(t, context.Background(), "run", "--workers", "0", "builtin:grid"); code != 2 {
		t.Errorf("--workers 0: exit %d, want 2", code)
	}
	if code, _, _ := runMain(t, context.Background(), "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

// TestInterruptedRunWritesNothing: a run cancelled before it finishes
// leaves no result files.
func TestInterruptedRunWritesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, _ := runMain(t, ctx, "run", "builtin:grid", "-o", out)
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("files written by an interrupted run: %v", entries)
	}
}

func TestValidateTemplateVersion(t *testing.T) {
	dir := t.TempDir()
	code, tmpl, _ := runMain(t, context.Background(), "template")
	if code != 0 {
		t.Fatal("template failed")
	}
	path := filepath.Join(dir, "t.yaml")
	os.WriteFile(path, []byte(tmpl), 0o644)
	if code, stdout, stderr := runMain(t, context.Background(), "validate", path); code != 0 || !strings.Contains(stdout, "ok") {
		t.Fatalf("validate template: exit %d %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := runMain(t, context.Background(), "version"); code != 0 || !strings.HasPrefix(stdout, "patrolsim ") {
		t.Fatalf("version: %d %q", code, stdout)
	}
}

// TestResolvedFileScenario: a scenario file with GeoJSON data in another
// folder runs; its resolved copy (absolute data paths) runs to the same
// results.
func TestResolvedFileScenario(t *testing.T) {
	dir := t.TempDir()
	data, err := filepath.Abs("../../scenarios/testdata/city")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, data)
	if err != nil {
		t.Fatal(err)
	}
	scenario := "version: 1\nname: two\nduration: 3d\nwarmup: 1d\nreplications: 2\n" +
		"city: {areas: " + filepath.Join(rel, "areas.geojson") + ", posts: " + filepath.Join(rel, "posts.geojson") + "}\n" +
		"incidents: {per_day: 40, types: [{name: a, share: 1, officers: 1}]}\n" +
		"units: [{name: car, count: 2}, {name: post, count: 1, home: post}]\n" +
		"variants: [{name: r, policy: random}, {name: p, policy: posts}]\n"
	path := filepath.Join(dir, "s.yaml")
	os.WriteFile(path, []byte(scenario), 0o644)
	out1, out2 := filepath.Join(dir, "o1"), filepath.Join(dir, "o2")
	if code, _, stderr := runMain(t, context.Background(), "run", path, "-q", "-o", out1); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := runMain(t, context.Background(), "run", filepath.Join(out1, "scenario.yaml"), "-q", "-o", out2); code != 0 {
		t.Fatalf("resolved: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(out1, "results.json"))
	b, _ := os.ReadFile(filepath.Join(out2, "results.json"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("the resolved scenario gives other results than the original")
	}
}

// TestOutputSafety: an output folder holding the input scenario is refused
// before anything runs; a run without --trace removes an old trace.csv.
func TestOutputSafety(t *testing.T) {
	dir := t.TempDir()
	code, tmpl, _ := runMain(t, context.Background(), "template")
	if code != 0 {
		t.Fatal("template failed")
	}
	path := filepath.Join(dir, "scenario.yaml")
	os.WriteFile(path, []byte(strings.Replace(tmpl, "replications: 10", "replications: 2", 1)), 0o644)
	code, _, stderr := runMain(t, context.Background(), "run", path, "-o", dir, "-q")
	if code != 2 || !strings.Contains(stderr, "would overwrite the input") {
		t.Fatalf("exit %d, stderr %q; want 2 and a refusal", code, stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != strings.Replace(tmpl, "replications: 10", "replications: 2", 1) {
		t.Fatal("the input scenario was changed")
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := runMain(t, context.Background(), "run", path, "-o", out, "-q", "--trace"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := runMain(t, context.Background(), "run", path, "-o", out, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "trace.csv")); !os.IsNotExist(err) {
		t.Errorf("stale trace.csv left beside new results: %v", err)
	}
	// The resolved scenario spells out the policy defaults.
	resolved, _ := os.ReadFile(filepath.Join(out, "scenario.yaml"))
	if !strings.Contains(string(resolved), "dwell: 15m") {
		t.Errorf("resolved scenario lacks the dwell default:\n%s", resolved)
	}
}

// TestResolvedBuiltinWithRules: the built-in city's variants give unit types
// policies of their own (by_unit); its resolved scenario still validates.
func TestResolvedBuiltinWithRules(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	if code, _, stderr := runMain(t, context.Background(), "run", "--replications", "1", "-q", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := runMain(t, context.Background(), "validate", filepath.Join(out, "scenario.yaml")); code != 0 {
		t.Fatalf("the resolved built-in scenario does not validate: %s", stderr)
	}
}

func TestRunVerbose(t *testing.T) {
	code, stdout, stderr := runMain(t, context.Background(), "run", "builtin:grid", "--replications", "2", "-v", "-o", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Runs:", "point-to-point dispatch, 2 runs", "Every metric", "response_p90_s_p1 — "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("verbose output lacks %q", want)
		}
	}
}
