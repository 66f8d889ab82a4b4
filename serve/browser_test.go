package serve

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// consoleErrors matches what Chromium logs for errors of the page.
var consoleErrors = regexp.MustCompile(`(?m)^.*(ERROR:CONSOLE|Uncaught|Failed to load resource|net::ERR_).*$`)

// TestBrowserPage loads the page in headless Chromium: the form must be
// filled from /api/scenario, the map section present and the console free
// of errors. Without Chromium it skips, except under CI=true.
func TestBrowserPage(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium found (install the Debian package chromium)")
		}
		t.Skip("no Chromium in PATH; install it to run the browser test")
	}
	const tok = "browser-token"
	_, ts := testServer(t, newFake(), func(o *Options) { o.Token = tok })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--window-size=1280,800",
		"--virtual-time-budget=5000", "--dump-dom", ts.URL+"/?token="+tok)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	dom := out.String()
	for _, line := range consoleErrors.FindAllString(errb.String(), -1) {
		t.Errorf("the page logged an error: %s", strings.TrimSpace(line))
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<form id="knobs"`),
		regexp.MustCompile(`<section id="map-section"`),
		regexp.MustCompile(`<input id="unit-0-count" type="number" value="8"`),
		regexp.MustCompile(`<label for="variant-1">beats</label>`),
		regexp.MustCompile(`<select id="variant-1-policy"[^>]*>.*<option value="static-beats" title="[^"]*" selected="">`),
		regexp.MustCompile(`<select id="variant-1-dispatch"[^>]*><option value="point-to-point" selected="">`),
		regexp.MustCompile(`<input id="variant-1-params" type="text"`),
		regexp.MustCompile(`<label for="half_presence">`),
		regexp.MustCompile(`— grid`),
	} {
		if !want.MatchString(dom) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", errb.String())
	}
}
