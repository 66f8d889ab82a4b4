package report

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/browsertest"
)

// TestSweepBrowser renders the grid sweep's report in headless Chromium:
// the screenshot must not be blank, the DOM must hold every chart's <svg>,
// and the page must log no errors. Without Chromium it skips, except under
// CI=true.
func TestSweepBrowser(t *testing.T) {
	bin := browsertest.Find(t)
	dir := copySweep(t, "sweep")
	files := writeSweepReport(t, dir, SweepOptions{})
	page, err := filepath.Abs(files.HTML)
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	_, logs := browsertest.Run(t, bin, "file://"+page, "--screenshot="+shot, "--window-size=1280,2000")
	browsertest.NoErrors(t, logs)
	checkScreenshot(t, shot)
	dom, logs := browsertest.Run(t, bin, "file://"+page, "--dump-dom")
	browsertest.NoErrors(t, logs)
	names := sweepCharts["sweep"]
	for _, n := range names {
		if !regexp.MustCompile(`<section id="` + n + `">(?s:.)*?<svg role="img"`).MatchString(dom) {
			t.Errorf("rendered DOM: no <svg> in section %s", n)
		}
	}
	if got := strings.Count(dom, "</svg>"); got != len(names) {
		t.Errorf("rendered DOM holds %d SVG elements, want %d", got, len(names))
	}
}
