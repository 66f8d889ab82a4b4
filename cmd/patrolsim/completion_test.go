package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionSweeps: report's --variant and --metric complete from a
// sweep's folder (its points.csv), and sweep and merge complete a sweep
// file (YAML), merge's further arguments and -o folders.
func TestCompletionSweeps(t *testing.T) {
	w := t.TempDir()
	sweep := filepath.Join(w, "s.yaml")
	os.WriteFile(sweep, []byte("version: 1\nscenario: builtin:grid\ndesign: grid\nreplications: 1\nparams:\n  duration: [2d]\n"), 0o644)
	out := filepath.Join(w, "out")
	if code, _, stderr := runMain(t, context.Background(), "sweep", sweep, "-q", "-o", out); code != 0 {
		t.Fatalf("sweep: %s", stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", out, "--variant", ""}, "random beats"},
		{[]string{"report", out, "--metric", "response_p90_s_p"}, "response_p90_s_p1 response_p90_s_p2 response_p90_s_p3"},
		{[]string{"sweep", ""}, "yaml yml"},
		{[]string{"merge", ""}, "yaml yml"},
	} {
		if got := strings.Join(complete(t, "", tc.args...), " "); got != tc.want {
			t.Errorf("completing %q: %q, want %q", tc.args, got, tc.want)
		}
	}
	for _, args := range [][]string{{"merge", sweep, ""}, {"sweep", sweep, "-o", ""}} {
		code, stdout, _ := runMain(t, context.Background(), append([]string{"__complete"}, args...)...)
		if code != 0 || !strings.Contains(stdout, ":16") { // cobra.ShellCompDirectiveFilterDirs
			t.Errorf("completing %q: %q, want folders (directive 16)", args, stdout)
		}
	}
}

// TestHelpDefaultsOnce: no flag's help line says its default twice (issue
// 20: calibrate's --near-repeat-radii said "(default 50,…) (default [])").
func TestHelpDefaultsOnce(t *testing.T) {
	root := NewMain(nil, nil).root()
	for _, c := range root.Commands() {
		for _, line := range strings.Split(c.LocalFlags().FlagUsages(), "\n") {
			if strings.Count(line, "(default") > 1 {
				t.Errorf("%s --help: %s", c.Name(), strings.TrimSpace(line))
			}
		}
	}
}
