package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportOptimize: `patrolsim report` on an optimisation's folder writes
// one page with optimize.svg inline and the candidates' table, the chosen
// first, the same bytes each time; flags of the other reports are usage
// errors (exit 2).
func TestReportOptimize(t *testing.T) {
	dir := t.TempDir()
	opt := filepath.Join(dir, "opt.yaml")
	if err := os.WriteFile(opt, []byte(gridOpt), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := runMain(t, context.Background(), "optimize", opt, "-o", out, "-q", "--workers", "2"); code != 0 {
		t.Fatalf("optimize: exit %d: %s", code, stderr)
	}
	stdout, err := execReport(t, out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "optimisation report in "+filepath.Join(out, "report.html")) {
		t.Errorf("stdout %q", stdout)
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(out, "candidates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	chosen := strings.SplitN(strings.Split(string(csv), "\n")[1], ",", 2)[0]
	for _, want := range []string{`<svg role="img"`, "Chosen: " + chosen + ".", `<tr class="chosen"><td class="name">` + chosen + "</td>", `href="optimize.svg"`, "unit-counts of unit type car"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if _, err := execReport(t, out, "-q"); err != nil {
		t.Fatal(err)
	}
	if again, err := os.ReadFile(filepath.Join(out, "report.html")); err != nil || string(again) != string(page) {
		t.Errorf("a second report of the same folder differs (err %v)", err)
	}
	// Elsewhere, the link to the chart follows.
	other := filepath.Join(dir, "pages", "opt.html")
	if _, err := execReport(t, out, "-o", other, "-q"); err != nil {
		t.Fatal(err)
	}
	if page, err := os.ReadFile(other); err != nil || !strings.Contains(string(page), `href="../out/optimize.svg"`) {
		t.Errorf("-o %s: link to the chart not relative to the page (err %v)", other, err)
	}
	_, err = execReport(t, out, "--metric", "response_mean_s")
	if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), "is an optimisation's") {
		t.Errorf("--metric on an optimisation's folder: %v, want a usage error", err)
	}
}
