package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runHypercube builds the command directly and runs it with args.
func runHypercube(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain(&out, &errb)
	cmd := m.hypercubeCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage = true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestHypercubeCommandGrid(t *testing.T) {
	out, err := runHypercube(t, "builtin:grid", "--compare", "--replications", "4")
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out)
	for _, want := range []string{"hypercube model (exact", "P(all busy)", "workload car 0", "simulated"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestHypercubeCommandJSONAndErrors(t *testing.T) {
	out, err := runHypercube(t, "builtin:grid", "--json", "--loss", "--approx")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"method": "approximate"`) || !strings.Contains(out, `"line_capacity": "zero"`) {
		t.Errorf("JSON lacks method or line capacity:\n%.400s", out)
	}
	if _, err := runHypercube(t, "builtin:grid", "--exact", "--approx"); err == nil {
		t.Error("--exact --approx: no error")
	}
	if _, err := runHypercube(t, "builtin:jinzhou", "--exact"); err == nil {
		t.Error("--exact with 199 units: no error")
	}
}
