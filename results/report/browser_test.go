package report

import (
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/browsertest"
)

// TestBrowser renders the report in headless Chromium: the screenshot must
// show something (not one colour), the DOM must hold every chart's <svg>,
// and the page must log no errors. Without Chromium it skips, except under
// CI=true.
func TestBrowser(t *testing.T) {
	bin := browsertest.Find(t)
	dir := copyRun(t, "grid")
	files := writeReport(t, dir, Options{})
	checkRendered(t, bin, files.HTML, chartNames)

	// The error check itself: a page that fails to load a resource and
	// throws must be caught.
	bad := filepath.Join(t.TempDir(), "bad.html")
	if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><img src="missing.png"><script>throw new Error("boom")</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, logs := browsertest.Run(t, bin, "file://"+bad, "--dump-dom"); !browsertest.ConsoleErrors.MatchString(logs) {
		t.Errorf("a page with errors logged none that the check recognises:\n%s", logs)
	}
}

// checkRendered renders the report page html in headless Chromium: the
// screenshot must not be blank, the DOM must hold an <svg> in the section
// of every chart named and no other, and the page must log no errors.
func checkRendered(t *testing.T, bin, html string, charts []string) {
	t.Helper()
	page, err := filepath.Abs(html)
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	_, logs := browsertest.Run(t, bin, "file://"+page, "--screenshot="+shot, "--window-size=1280,2000")
	browsertest.NoErrors(t, logs)
	checkScreenshot(t, shot)
	dom, logs := browsertest.Run(t, bin, "file://"+page, "--dump-dom")
	browsertest.NoErrors(t, logs)
	for _, n := range charts {
		if !regexp.MustCompile(`<section id="` + n + `">(?s:.)*?<svg role="img"`).MatchString(dom) {
			t.Errorf("rendered DOM: no <svg> in section %s", n)
		}
	}
	if got := strings.Count(dom, "</svg>"); got != len(charts) {
		t.Errorf("rendered DOM holds %d SVG elements, want %d", got, len(charts))
	}
}

// checkScreenshot requires a 1280 px wide PNG that is not blank: at least
// 2% of its pixels not white and at least 16 distinct colours.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != 1280 || b.Dy() < 1000 {
		t.Errorf("screenshot is %d×%d px, want 1280 wide and at least 1000 high", b.Dx(), b.Dy())
	}
	colours := map[uint32]bool{}
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				inked++
			}
			if len(colours) < 1000 {
				colours[r>>11<<10|g>>11<<5|bl>>11] = true
			}
		}
	}
	if n := b.Dx() * b.Dy(); inked < n/50 {
		t.Errorf("screenshot nearly blank: %d of %d pixels not white", inked, n)
	}
	if len(colours) < 16 {
		t.Errorf("screenshot has %d colours, want at least 16", len(colours))
	}
}
