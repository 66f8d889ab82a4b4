package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/scenarios"
)

func TestCalibrateCmdSF(t *testing.T) {
	data := shareddata.Path(t, "")
	dir := t.TempDir()
	out := filepath.Join(dir, "sf.yaml")
	var stdout, stderr bytes.Buffer
	m := NewMain(&stdout, &stderr)
	cmd := m.calibrateCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--incidents", filepath.Join(data, "sf/crime.csv"), "--areas", filepath.Join(data, "sf/sfpd_districts.geojson"),
		"--name-field", "DISTRICT", "--district-field", "DISTRICT", "--lon", "lng", "--lat", "lat",
		"--date", "Date", "--clock", "Time", "--time-format", "01/02/2006", "--type", "Category", "--id", "IncidntNum", "-o", out})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "7363 incidents over 31 days") || !strings.Contains(stderr.String(), "2 of 7365 records") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	if _, err := scenarios.LoadFile(out); err != nil {
		t.Fatal(err)
	}
}

func TestCalibrateCmdErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	m := NewMain(&stdout, &stderr)
	cmd := m.calibrateCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--incidents", "x.csv", "--areas", "a.geojson", "-o", filepath.Join(t.TempDir(), "s.yaml")})
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "time column") {
		t.Fatalf("err = %v", err)
	}
}

func TestCalibrateCmdNearRepeat(t *testing.T) {
	data := shareddata.Path(t, "")
	out := filepath.Join(t.TempDir(), "sf.yaml")
	var stdout, stderr bytes.Buffer
	m := NewMain(&stdout, &stderr)
	cmd := m.calibrateCmd()
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--incidents", filepath.Join(data, "sf/crime.csv"), "--areas", filepath.Join(data, "sf/sfpd_districts.geojson"),
		"--name-field", "DISTRICT", "--district-field", "DISTRICT", "--lon", "lng", "--lat", "lat",
		"--date", "Date", "--clock", "Time", "--time-format", "01/02/2006", "--id", "IncidntNum",
		"--near-repeat", "--near-repeat-radii", "100,200,400", "--near-repeat-window", "7", "-o", out})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "near repeats: offspring") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	s, err := scenarios.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	nr := s.Variants[0].Model.Cfg.NearRepeat
	t.Logf("%s", stdout.String())
	if nr.Offspring <= 0 || nr.RadiusM <= 0 {
		t.Errorf("near_repeat %+v not written", nr)
	}
	// τ (about 5 days) is more than a third of the 7-day window: the
	// warning goes to stderr and into the YAML, not only the fit report.
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	const warn = "is more than a third of the window"
	if !strings.Contains(stderr.String(), "calibrate: warning: near repeats: tau") || !strings.Contains(stderr.String(), warn) {
		t.Errorf("stderr lacks the near-repeat warning:\n%s", stderr.String())
	}
	joined := strings.ReplaceAll(string(doc), "\n#   ", " ") // the comment's continuation lines
	if !strings.Contains(joined, "# WARNING: near repeats: tau") || !strings.Contains(joined, warn) {
		t.Errorf("the YAML lacks the near-repeat warning:\n%.1500s", doc)
	}
}
