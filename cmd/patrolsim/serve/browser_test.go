package serve

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/patrolsim/patrolsim/internal/browsertest"
)

// TestBrowserPage loads the page in headless Chromium: the form must be
// filled from /api/scenario, the city map asked for before any run, the
// scenario choice, upload and compare controls labelled, and the console
// free of errors. Without Chromium it skips, except under CI=true.
func TestBrowserPage(t *testing.T) {
	bin := browsertest.Find(t)
	const tok = "browser-token"
	_, ts := testServer(t, newFake(), func(o *Options) { o.Token = tok })
	dom, logs := browsertest.Run(t, bin, ts.URL+"/?token="+tok, "--window-size=1280,800", "--virtual-time-budget=5000", "--dump-dom")
	browsertest.NoErrors(t, logs)
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
		regexp.MustCompile(`<img id="expected-map" alt="[^"]+" src="api/map.svg\?scenario=start&amp;per_day=60&amp;token=browser-token">`),
		regexp.MustCompile(`<label for="scenario-choice">`),
		regexp.MustCompile(`<option value="start">start scenario: grid \(builtin:grid/scenario.yaml\)</option>`),
		regexp.MustCompile(`<label for="upload-files">`),
		regexp.MustCompile(`<label for="compare-a">Run A</label> <select id="compare-a">`),
		regexp.MustCompile(`<button type="button" id="compare" disabled="">`),
	} {
		if !want.MatchString(dom) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs)
	}
}

// TestBrowserPageMapTooBig: for a city too big to draw, the page says why
// instead of asking for the map.
func TestBrowserPageMapTooBig(t *testing.T) {
	bin := browsertest.Find(t)
	_, ts := testServer(t, newFake(), func(o *Options) {
		o.Doc = bytes.Replace(o.Doc, []byte("rows: 10, cols: 10"), []byte("rows: 150, cols: 150"), 1)
	})
	dom, logs := browsertest.Run(t, bin, ts.URL+"/", "--window-size=1280,800", "--virtual-time-budget=5000", "--dump-dom")
	browsertest.NoErrors(t, logs)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<img id="expected-map" alt="[^"]+" hidden="">`),
		regexp.MustCompile(`<p id="map-problem" class="problem">the city map is not drawn here: 22500 areas`),
	} {
		if !want.MatchString(dom) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs)
	}
}
