package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// copySweep copies the sweep folder testdata/NAME into a fresh temporary
// folder.
func copySweep(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"sweep.json", "points.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeSweepReport(t *testing.T, dir string, opts SweepOptions) Files {
	t.Helper()
	if !IsSweepDir(dir) {
		t.Fatalf("%s not recognised as a sweep's folder", dir)
	}
	in, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := in.Write(opts)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sweepCharts are the charts of the test sweeps.
var sweepCharts = map[string][]string{
	"sweep":       {"sweep-units-car-count", "sweep-units-car-squad", "sweep-heatmap"},
	"sweep-latin": {"sweep-units-car-count", "sweep-dispatch-delay"},
}

func TestSweepReport(t *testing.T) {
	for _, name := range []string{"sweep", "sweep-latin"} {
		t.Run(name, func(t *testing.T) {
			dir := copySweep(t, name)
			files := writeSweepReport(t, dir, SweepOptions{})
			var want []string
			for _, n := range sweepCharts[name] {
				want = append(want, filepath.Join(dir, ChartsDir, n+".svg"), filepath.Join(dir, ChartsDir, n+".png"))
			}
			if !slices.Equal(files.Charts, want) {
				t.Errorf("charts %v, want %v", files.Charts, want)
			}
			html, err := os.ReadFile(files.HTML)
			if err != nil {
				t.Fatal(err)
			}
			checkSelfContained(t, string(html))
			for _, n := range sweepCharts[name] {
				if !regexp.MustCompile(`<section id="` + n + `">(?s:.)*?<svg role="img"`).Match(html) {
					t.Errorf("report.html: no inline <svg> in section %s", n)
				}
			}
			for _, s := range []string{"response_p90_s_p1", "units[car].count", "<h2 id=\"points\">", "beats"} {
				if !bytes.Contains(html, []byte(s)) {
					t.Errorf("report.html does not mention %q", s)
				}
			}
		})
	}
}

// TestSweepLinked: a linked group (testdata/sweep-linked, from
// docs/examples/squad-size-quick.yaml: the one- and two-officer counts
// move together, crossed with one duration) is one dimension: one chart on
// its first member's axis, none for the second, the group not split into
// panels, and a heat map over the duration and the group.
func TestSweepLinked(t *testing.T) {
	dir := copySweep(t, "sweep-linked")
	files := writeSweepReport(t, dir, SweepOptions{})
	var want []string
	for _, n := range []string{"sweep-duration", "sweep-variants-one-officer-units-patrol-car-count", "sweep-heatmap"} {
		want = append(want, filepath.Join(dir, ChartsDir, n+".svg"), filepath.Join(dir, ChartsDir, n+".png"))
	}
	if !slices.Equal(files.Charts, want) {
		t.Errorf("charts %v, want %v", files.Charts, want)
	}
	in, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, titles := in.combos(1); len(titles) != 1 {
		t.Errorf("the group's chart has %d panels (%q), want 1", len(titles), titles)
	}
	if x, y := in.heatAxes(); x != 0 || y != 1 || in.dims() != 2 {
		t.Errorf("heat map axes %d, %d over %d dimensions, want 0, 1 over 2", x, y, in.dims())
	}
	// Each tick shows the partner's paired value under its own.
	ax := in.withPartners(1)
	if !slices.Equal(ax.ticks, []string{"24\n12", "40\n20"}) || !strings.HasSuffix(ax.label(), "\nvariants[two-officer].units.patrol_car.count") {
		t.Errorf("ticks %q, label %q: want the two-officer counts under the one-officer ones", ax.ticks, ax.label())
	}
	f := in.paramFigure(1, "response_p90_s_p1")
	if !strings.Contains(f.Caption, "variants[two-officer].units.patrol_car.count varies with it (a linked group") {
		t.Errorf("caption does not name the linked parameter: %s", f.Caption)
	}
}

func TestSweepAxes(t *testing.T) {
	in, err := LoadSweep(filepath.Join("testdata", "sweep-latin"))
	if err != nil {
		t.Fatal(err)
	}
	count, delay := in.axes[0], in.axes[1]
	if !count.numeric || count.unit != "" || !slices.IsSorted(count.x) {
		t.Errorf("units[car].count: %+v, want numeric, ascending, no unit", count)
	}
	if !delay.numeric || delay.unit != "min" || !slices.IsSorted(delay.x) {
		t.Errorf("dispatch.delay: %+v, want durations in minutes, ascending", delay)
	}
	if i := slices.Index(delay.values, "2m2s"); i < 0 || fmt.Sprintf("%.4f", delay.x[i]) != "2.0333" {
		t.Errorf("dispatch.delay 2m2s not at 2.0333 min: %v %v", delay.values, delay.x)
	}
	if in.DefaultMetric() != "response_p90_s_p1" {
		t.Errorf("default metric %s", in.DefaultMetric())
	}
}

func TestSweepOptions(t *testing.T) {
	dir := copySweep(t, "sweep")
	in, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.CheckOptions(SweepOptions{Metric: "nosuch"}); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unknown metric: error %v", err)
	}
	if err := in.CheckOptions(SweepOptions{Variant: "nosuch"}); err == nil || !strings.Contains(err.Error(), "random, beats") {
		t.Errorf("unknown variant: error %v, want one listing the variants", err)
	}
	files := writeSweepReport(t, dir, SweepOptions{Metric: "incidents_prevented", Variant: "beats"})
	html, _ := os.ReadFile(files.HTML)
	if !bytes.Contains(html, []byte("Incidents prevented of variant beats")) {
		t.Errorf("the heat map caption does not name the metric and variant chosen")
	}
}

func TestLoadSweepErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"other sweep's values", "points.csv", "0,random,4,1,", "0,random,5,1,", "different sweeps"},
		{"unknown variant", "points.csv", "0,random,4,1,", "0,other,4,1,", `"other"`},
		{"other parameters", "points.csv", "units[car].squad,metric", "units[car].shift,metric", "header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copySweep(t, "sweep")
			if err := replace(filepath.Join(dir, tc.file), tc.old, tc.new); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadSweep(dir); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %s", err, tc.want)
			}
		})
	}
	if IsSweepDir(filepath.Join("testdata", "grid")) {
		t.Error("a run's folder recognised as a sweep's")
	}
}

// TestSweepDeterministic renders each test sweep twice and compares the
// bytes, and the SVGs with testdata/sweep.golden (refresh with -update).
func TestSweepDeterministic(t *testing.T) {
	var sums strings.Builder
	for _, name := range []string{"sweep", "sweep-latin"} {
		a, b := copySweep(t, name), copySweep(t, name)
		writeSweepReport(t, a, SweepOptions{})
		writeSweepReport(t, b, SweepOptions{})
		for _, n := range append(slices.Clone(sweepCharts[name]), "report.html") {
			pa, pb := filepath.Join(a, ChartsDir, n+".svg"), filepath.Join(b, ChartsDir, n+".svg")
			if n == "report.html" {
				pa, pb = filepath.Join(a, n), filepath.Join(b, n)
			}
			da, err := os.ReadFile(pa)
			if err != nil {
				t.Fatal(err)
			}
			db, err := os.ReadFile(pb)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(da, db) {
				t.Errorf("%s/%s differs between two renders of the same input", name, n)
			}
			if n != "report.html" {
				sum := sha256.Sum256(da)
				fmt.Fprintf(&sums, "%s  %s/%s.svg\n", hex.EncodeToString(sum[:]), name, n)
			}
		}
	}
	golden := filepath.Join("testdata", "sweep.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(sums.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with go test ./report -run Deterministic -update)", err)
	}
	if got := sums.String(); got != string(want) {
		t.Errorf("SVG hashes changed (after a deliberate change, refresh with -update):\ngot\n%swant\n%s", got, want)
	}
}
