package serve

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patrolsim/patrolsim/internal/browsertest"
)

// TestBrowserSaysWhatItMeans drives the page in headless Chromium at
// 1280 × 800 px (a fake runner): the city map is drawn wide enough to
// read (at least 560 px of its natural 595; before, about 330), each
// variant shows its own force, an edit of the units table that a variant
// overrides says so under that variant, a problem that follows from an
// edit shows at the edited field naming the edit, and the run list says
// the edits in words. Without Chromium it skips, except under CI=true.
func TestBrowserSaysWhatItMeans(t *testing.T) {
	bin := browsertest.Find(t)
	f := newFake()
	close(f.release)
	_, ts := testServer(t, f, withSolo)

	ctx := browsertest.Context(t, bin)
	// Start the browser on ctx itself: a browser started under a step's
	// timeout would close with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		defer scancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(what, js string, v any) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		defer scancel()
		raw, err := chromedp.Run(sctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
		if err == nil {
			err = json.Unmarshal(raw, v)
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(id string) string {
		t.Helper()
		var s string
		eval("text of "+id, `document.getElementById(`+jsString(id)+`)?.textContent ?? "(none)"`, &s)
		return s
	}

	step("open the page", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("unit-0-count")),
		chromedp.Poll[chromedp.Void](`(() => { const m = document.getElementById("expected-map"); return m.complete && m.naturalWidth > 300; })()`))

	var width float64
	eval("map width", `document.getElementById("expected-map").getBoundingClientRect().width`, &width)
	if width < 560 {
		t.Errorf("the city map is %.0f px wide in a 1280 px window, want at least 560 (its labels are 8–9 pt at 595 px)", width)
	}

	if got, want := text("variant-2-overrides"), "Its own: car count 4, squad 1; deterrence {enabled: false}"; got != want {
		t.Errorf("solo-cars' overrides %q, want %q", got, want)
	}
	if got := text("variant-1-overrides"); got != "(none)" {
		t.Errorf("beats has no overrides, yet shows %q", got)
	}

	// Halve the cars: solo-cars keeps its own 4, and says so.
	step("halve the cars", chromedp.Evaluate[chromedp.Void](`document.getElementById("unit-0-count").select()`),
		chromedp.SendKeys(chromedp.ID("unit-0-count"), "4"))
	if got, want := text("variant-2-override-note"), "car count edited to 4: not here, solo-cars keeps its own 4"; got != want {
		t.Errorf("note under solo-cars %q, want %q", got, want)
	}
	if got := text("variant-0-override-note"); got != "" {
		t.Errorf("random has no overrides, yet notes %q", got)
	}

	// One car of one: the problem is the incident types' officers, shown at
	// the car row, naming the edits.
	step("one car of one", chromedp.Evaluate[chromedp.Void](`document.getElementById("unit-0-count").select()`),
		chromedp.SendKeys(chromedp.ID("unit-0-count"), "1"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("unit-0-squad").select()`),
		chromedp.SendKeys(chromedp.ID("unit-0-squad"), "1"),
		chromedp.Click(chromedp.ID("check")),
		chromedp.Poll[chromedp.Void](`document.getElementById("problem-units[0]").textContent !== ""`))
	if got := text("problem-units[0]"); !strings.HasPrefix(got, "after your edit car: count 8 → 1 and car: squad 2 → 1: incidents.types[0].officers: urgent needs 2 officers") {
		t.Errorf("problem at the car row %q, want it to name the edits and the incident type's need", got)
	}
	if got := text("general-problems"); got != "" {
		t.Errorf("problems left without a field: %q", got)
	}

	// Five cars, run: the run list says it in words.
	step("five cars, run", chromedp.Evaluate[chromedp.Void](`document.getElementById("unit-0-count").select()`),
		chromedp.SendKeys(chromedp.ID("unit-0-count"), "5"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("unit-0-squad").select()`),
		chromedp.SendKeys(chromedp.ID("unit-0-squad"), "2"),
		chromedp.Click(chromedp.ID("run")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#runs td.edits") !== null`))
	var edits string
	eval("run list", `document.querySelector("#runs td.edits").textContent`, &edits)
	if want := "car: count 8 → 5 (not in solo-cars, which has its own count 4)"; edits != want {
		t.Errorf("run list edits %q, want %q", edits, want)
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
