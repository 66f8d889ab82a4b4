package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// findChromium returns the path of a Chromium (or Chrome) binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// chromium runs headless Chromium on the page with a fresh profile and no
// network services, with the extra arguments; it returns stdout and stderr.
func chromium(t *testing.T, bin, page string, extra ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	args = append(args, extra...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	return out.String(), errb.String()
}

// consoleErrors matches what Chromium logs for errors of the page: console
// errors, uncaught exceptions and resources it failed to load.
var consoleErrors = regexp.MustCompile(`(?m)^.*(ERROR:CONSOLE|Uncaught|Failed to load resource|net::ERR_).*$`)

// TestBrowser renders the report in headless Chromium: the screenshot must
// show something (not one colour), the DOM must hold every chart's <svg>,
// and the page must log no errors. Without Chromium it skips, except under
// CI=true.
func TestBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium found (install the Debian package chromium)")
		}
		t.Skip("no Chromium (chromium, chromium-browser or google-chrome) in PATH; install it to run the browser test")
	}
	dir := copyRun(t, "grid")
	files := writeReport(t, dir, Options{})
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
	for _, n := range chartNames {
		if !regexp.MustCompile(`<section id="` + n + `">(?s:.)*?<svg role="img"`).MatchString(dom) {
			t.Errorf("rendered DOM: no <svg> in section %s", n)
		}
	}
	if got := strings.Count(dom, "</svg>"); got != len(chartNames) {
		t.Errorf("rendered DOM holds %d SVG elements, want %d", got, len(chartNames))
	}

	// The error check itself: a page that fails to load a resource and
	// throws must be caught.
	bad := filepath.Join(t.TempDir(), "bad.html")
	if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><img src="missing.png"><script>throw new Error("boom")</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, logs := chromium(t, bin, bad, "--dump-dom"); !consoleErrors.MatchString(logs) {
		t.Errorf("a page with errors logged none that the check recognises:\n%s", logs)
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
