package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSVGCharts: the charts drawn in memory, from an input without a
// folder, are byte for byte the SVG files Write puts in charts/, one for
// each.
func TestSVGCharts(t *testing.T) {
	dir := copyRun(t, "grid")
	files := writeReport(t, dir, Options{})
	loaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := &Input{Results: loaded.Results, Details: loaded.Details, Scenario: loaded.Scenario}
	charts, err := in.SVGCharts(Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files.Charts {
		if filepath.Ext(path) != ".svg" {
			continue
		}
		n++
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := charts[filepath.Base(path)]; !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: drawn in memory differs from the file (present %v)", filepath.Base(path), ok)
		}
	}
	if n == 0 || len(charts) != n {
		t.Errorf("%d charts in memory, %d SVG files", len(charts), n)
	}
	if _, err := in.SVGCharts(Options{Compare: "nobody"}); err == nil || !strings.Contains(err.Error(), "no such variant") {
		t.Errorf("an unknown variant to compare: %v", err)
	}
}
