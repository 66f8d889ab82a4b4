// Package browsertest runs pages in headless Chromium for the tests of the
// report and the what-if page: it finds the browser (skipping without one,
// except under CI=true), runs it with a fresh profile and no network
// services, and recognises the errors a page logs.
package browsertest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Find returns the path of a Chromium (or Chrome) binary. Without one the
// test is skipped, or fails when CI=true (CI must run the browser tests).
func Find(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no Chromium found (install the Debian package chromium)")
	}
	t.Skip("no Chromium (chromium, chromium-browser or google-chrome) in PATH; install it to run the browser test")
	return ""
}

// Run runs headless Chromium (bin, from Find) on url with the extra
// arguments (e.g. --dump-dom, --screenshot=FILE) and returns its standard
// output and its log.
func Run(t testing.TB, bin, url string, extra ...string) (stdout, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	args = append(append(args, extra...), url)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	return out.String(), errb.String()
}

// Context returns a chromedp context on headless Chromium (bin, from
// Find) run as Run runs it: a fresh profile, no network services, and a
// 1280 × 800 window. The browser starts with the first action on the
// context (start it on the context itself, chromedp.Do(ctx), before
// running steps under a timeout: a browser started under a step's
// timeout closes with it) and closes when the test ends, before the
// cleanups the test registered earlier (its servers).
func Context(t testing.TB, bin string) context.Context {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}

// ConsoleErrors matches what Chromium logs for errors of the page: console
// errors, uncaught exceptions and resources it failed to load.
var ConsoleErrors = regexp.MustCompile(`(?m)^.*(ERROR:CONSOLE|Uncaught|Failed to load resource|net::ERR_).*$`)

// NoErrors fails the test for every page error in log.
func NoErrors(t testing.TB, log string) {
	t.Helper()
	for _, line := range ConsoleErrors.FindAllString(log, -1) {
		t.Errorf("the page logged an error: %s", strings.TrimSpace(line))
	}
}
