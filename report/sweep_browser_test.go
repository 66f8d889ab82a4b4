package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSweepBrowser renders the grid sweep's report in headless Chromium:
// the screenshot must not be blank, the DOM must hold every chart's <svg>,
// and the page must log no errors. Without Chromium it skips, except under
// CI=true.
func TestSweepBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium found (install the Debian package chromium)")
		}
		t.Skip("no Chromium (chromium, chromium-browser or google-chrome) in PATH; install it to run the browser test")
	}
	dir := copySweep(t, "sweep")
	files := writeSweepReport(t, dir, SweepOptions{})
	page, err := filepath.Abs(files.HTML)
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	_, logs := chromium(t, bin, page, "--screenshot="+shot, "--window-size=1280,2000")
	for _, line := range consoleErrors.FindAllString(logs, -1) {
		t.Errorf("the page logged an error: %s", strings.TrimSpace(line))
	}
	checkScreenshot(t, shot)
	dom, logs := chromium(t, bin, page, "--dump-dom")
	for _, line := range consoleErrors.FindAllString(logs, -1) {
		t.Errorf("the page logged an error: %s", strings.TrimSpace(line))
	}
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
