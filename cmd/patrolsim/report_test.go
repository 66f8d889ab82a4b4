package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyReportRun copies the report package's test run into a fresh folder.
func copyReportRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"results.json", "details.json", "scenario.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "results", "report", "testdata", "grid", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func execReport(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain(&out, &errb)
	cmd := m.reportCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestReportCmd(t *testing.T) {
	dir := copyReportRun(t)
	out, err := execReport(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, filepath.Join(dir, "report.html")) {
		t.Errorf("output %q does not name the report", out)
	}
	for _, f := range []string{"report.html", "charts/ranking.svg", "charts/ranking.png", "charts/map-realised.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}

	other := filepath.Join(t.TempDir(), "sub", "r.html")
	if _, err := execReport(t, dir, "-o", other, "--compare", "follow", "-q"); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte(" and follow: ")) {
		t.Errorf("-o %s --compare follow: the hour chart does not compare with follow", other)
	}
}

func TestReportCmdErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(dir string) []string
		want string
	}{
		{"no argument", func(string) []string { return nil }, "accepts 1 arg"},
		{"not a run folder", func(string) []string { return []string{t.TempDir()} }, "results.json"},
		{"unknown variant", func(dir string) []string { return []string{dir, "--compare", "nosuch"} }, "nosuch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execReport(t, tc.args(copyReportRun(t))...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			var ue usageError
			if !errors.As(err, &ue) && !isCobraUsage(err) {
				t.Errorf("error %v is not a usage error (exit 2)", err)
			}
		})
	}
}
