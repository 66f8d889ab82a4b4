package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/grid.golden with the current charts' hashes")

// copyRun copies the run folder testdata/NAME into a fresh temporary folder,
// so that reports are written there and not into testdata.
func copyRun(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"results.json", "details.json", "scenario.yaml"} {
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

func writeReport(t *testing.T, dir string, opts Options) Files {
	t.Helper()
	in, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := in.Write(opts)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// chartNames are the charts of the grid run (it has every kind of data).
var chartNames = []string{"ranking", "pareto", "response-cdf", "by-hour", "utilisation", "map-realised", "map-visibility", "map-response"}

func TestWriteReport(t *testing.T) {
	dir := copyRun(t, "grid")
	files := writeReport(t, dir, Options{})
	if got, want := files.HTML, filepath.Join(dir, "report.html"); got != want {
		t.Errorf("HTML at %s, want %s", got, want)
	}
	var want []string
	for _, n := range chartNames {
		want = append(want, filepath.Join(dir, ChartsDir, n+".svg"), filepath.Join(dir, ChartsDir, n+".png"))
	}
	if !slices.Equal(files.Charts, want) {
		t.Errorf("charts %v, want %v", files.Charts, want)
	}
	for _, f := range files.Charts {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(f) {
		case ".png":
			if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) || len(data) < 5000 {
				t.Errorf("%s: not a PNG with content (%d bytes)", f, len(data))
			}
		case ".svg":
			if !bytes.Contains(data, []byte("<svg")) || !bytes.HasSuffix(data, []byte("</svg>\n")) {
				t.Errorf("%s: not a complete SVG document", f)
			}
		}
	}
	html, err := os.ReadFile(files.HTML)
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, string(html))
	for _, n := range chartNames {
		if !regexp.MustCompile(`<section id="` + n + `">(?s:.)*?<svg role="img"`).Match(html) {
			t.Errorf("report.html: no inline <svg> in section %s", n)
		}
	}
	for _, s := range []string{"beats", "random", "follow", "target 5 min", "grid-report"} {
		if !bytes.Contains(html, []byte(s)) {
			t.Errorf("report.html does not mention %q", s)
		}
	}
	// No temporary files left behind by the atomic writes.
	for _, d := range []string{dir, filepath.Join(dir, ChartsDir)} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("temporary file %s left in %s", e.Name(), d)
			}
		}
	}
}

// checkSelfContained fails when the page would load anything: scripts,
// style sheets, fonts or images from elsewhere.
func checkSelfContained(t *testing.T, html string) {
	t.Helper()
	bad := []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`),
		regexp.MustCompile(`(?i)<link`),
		regexp.MustCompile(`(?i)@import|@font-face|url\(`),
		regexp.MustCompile(`(?i)src="[a-z]+:`),
		regexp.MustCompile(`(?i)href="https?:`),
		regexp.MustCompile(`(?i)xlink:href="(https?|file):`),
	}
	for _, re := range bad {
		if loc := re.FindStringIndex(html); loc != nil {
			t.Errorf("report.html is not self-contained: %q at byte %d", html[loc[0]:loc[1]], loc[0])
		}
	}
}

// TestDeterministic renders the same run twice, in different folders, and
// compares every SVG and the HTML byte for byte, and the SVGs with the
// hashes in testdata/grid.golden (refresh with go test -update after a
// deliberate change to the charts or to gonum/plot).
func TestDeterministic(t *testing.T) {
	a, b := copyRun(t, "grid"), copyRun(t, "grid")
	writeReport(t, a, Options{})
	writeReport(t, b, Options{})
	var sums strings.Builder
	for _, n := range append(slices.Clone(chartNames), "report.html") {
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
			t.Errorf("%s differs between two renders of the same input", n)
		}
		if n != "report.html" {
			sum := sha256.Sum256(da)
			fmt.Fprintf(&sums, "%s  %s.svg\n", hex.EncodeToString(sum[:]), n)
		}
	}
	golden := filepath.Join("testdata", "grid.golden")
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

func TestCompare(t *testing.T) {
	dir := copyRun(t, "grid")
	in, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	best := in.Results.Variants[in.ByRank()[0]].Name
	for _, tc := range []struct {
		name, compare string
		want          []string
	}{
		{"default is the reference", "", nil},
		{"named", "follow", []string{"follow"}},
		{"the best itself", best, []string{best}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := hourVariants(in, tc.compare)
			if in.Results.Variants[vs[0]].Name != best {
				t.Errorf("first variant %s, want the best-ranked %s", in.Results.Variants[vs[0]].Name, best)
			}
			if tc.want != nil && in.Results.Variants[vs[len(vs)-1]].Name != tc.want[0] {
				t.Errorf("compared with %s, want %s", in.Results.Variants[vs[len(vs)-1]].Name, tc.want[0])
			}
			if tc.compare == "" && len(vs) != 2 {
				t.Errorf("got %d variants, want the best and one other", len(vs))
			}
		})
	}
	if _, err := in.Write(Options{Compare: "nosuch"}); err == nil || !strings.Contains(err.Error(), "random, beats, follow") {
		t.Errorf("unknown --compare: error %v, want one listing the variants", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(dir string) error
		want   string
	}{
		{"no results.json", func(dir string) error { return os.Remove(filepath.Join(dir, "results.json")) }, "results.json"},
		{"no scenario", func(dir string) error { return os.Remove(filepath.Join(dir, "scenario.yaml")) }, "scenario.yaml"},
		{"broken details", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "details.json"), []byte("{"), 0o644)
		}, "details.json"},
		{"other run's details", func(dir string) error {
			return replace(filepath.Join(dir, "details.json"), `"name": "beats"`, `"name": "other"`)
		}, `"other"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyRun(t, "grid")
			if err := tc.change(dir); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
}

// TestLoadMisresolvedParams: resolved scenarios with a variant's policy
// parameters that its policy rejects (written by run for variants with
// per-unit-type policies) still give a report.
func TestLoadMisresolvedParams(t *testing.T) {
	dir := copyRun(t, "grid")
	if err := replace(filepath.Join(dir, "scenario.yaml"), "policy: static-beats\n", "policy: static-beats\n    params:\n      half_life: 3d\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err != nil {
		t.Fatal(err)
	}
}

func replace(path, old, new string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(old)) {
		return fmt.Errorf("%s: no %q", path, old)
	}
	return os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644)
}

func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	for _, f := range []string{"results.json", "details.json", "scenario.yaml"} {
		data, _ := os.ReadFile(filepath.Join("testdata", "grid", f))
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	for b.Loop() {
		in, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.Write(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
