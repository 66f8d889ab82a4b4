package serve

import (
	"bytes"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/browsertest"
	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/results/report"
	"github.com/patrolsim/patrolsim/scenarios"
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

// rankedOutput is a fake run's output with the statistics of selecting
// the best, as results.json of a real run carries them: two variants in
// the best set (listed after the others, so the page must sort), one
// behind the best, a benchmark, and one whose score is undefined, with a
// warning, a variant with its own overrides and one without an interval.
// With old, the same run as a results.json written before groups: no
// positions, ranks as places.
func rankedOutput(old bool) func(*scenarios.Scenario) *Output {
	return func(*scenarios.Scenario) *Output {
		inf := math.Inf(1)
		s := fakeSummary(1, []string{"response_p90_s_p1"}, []string{"response_p90_s_p1", "incidents_prevented"},
			fakeVariant{"slow", [][]float64{{400, 5}, {410, 6}, {420, 7}}},
			fakeVariant{"oracle", [][]float64{{250, 9}, {260, 9}, {270, 9}}},
			fakeVariant{"broken", [][]float64{{inf, 5}, {300, 5}, {310, 5}}},
			fakeVariant{"beats", [][]float64{{300, 5}, {310, 6}, {320, 7}}},
			fakeVariant{"cars-4", [][]float64{{305, 5}, {305, 6}, {305, 7}}})
		s.Alpha = results.DefaultAlpha
		nan := math.NaN()
		set := func(i, rank, pos int, group string, score, half, behind float64, pareto bool) {
			v := &s.Variants[i]
			v.Rank, v.Position, v.Group, v.Best, v.Benchmark = rank, pos, group, group == results.GroupBest, group == results.GroupBenchmark
			v.Score, v.ScoreLow, v.ScoreHigh = score, score-half, score+half
			v.BehindLow, v.BehindHigh, v.Pareto = 0, behind, pareto
			v.Definition = &results.VariantDefinition{Policy: "static-beats", Params: map[string]string{"dwell": "15m"}, Dispatch: "point-to-point"}
		}
		set(0, 0, 3, "", 410, 24.8, 123.456, false)
		set(1, 0, 5, results.GroupBenchmark, 260, 24.8, nan, false)
		set(2, 0, 4, results.GroupUndefined, nan, nan, nan, false)
		set(3, 1, 1, results.GroupBest, 310, 24.8, 0, true)
		set(4, 1, 2, results.GroupBest, 305, nan, 0, true)
		s.Variants[1].Definition.Policy, s.Variants[1].Definition.Benchmark = "hotspot-oracle", true
		s.Variants[2].Note = "its score is undefined in 1 of 3 replications"
		s.Variants[4].Definition.Overrides = map[string]map[string]string{"car": {"count": "4", "squad": "2"}}
		s.Variants[4].Definition.ByUnit = map[string]results.UnitPolicy{"van": {Policy: "posts"}}
		s.Warnings = []string{"incidents_prevented is 0 for every variant in every replication: it cannot rank them"}
		if old {
			for i, r := range []int{3, 5, 4, 1, 2} {
				v := &s.Variants[i]
				v.Rank, v.Position, v.Group, v.Best, v.Benchmark, v.Definition, v.Note = r, 0, "", false, false, nil, ""
			}
			s.Warnings = nil
		}
		return &Output{Summary: s, Charts: map[string][]byte{"ranking.svg": []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")}}
	}
}

// TestBrowserRanking shows a finished run's ranking in headless Chromium
// as the terminal table shows it: the warning and the verdict above the
// table, variants in table order (by position), the group ("1=",
// "benchmark", "undefined" with its note, "–"), the score as mean ±
// half-width in the score's unit, "up to" the distance from the best, the
// Pareto mark, each variant's definition with its own overrides, and no
// NaN. A results.json written before groups (no positions) still shows,
// in the order of its ranks.
func TestBrowserRanking(t *testing.T) {
	bin := browsertest.Find(t)
	for _, tc := range []struct {
		name  string
		old   bool
		order []string
		want  []*regexp.Regexp
	}{
		{"groups", false, []string{"beats", "cars-4", "slow", "broken", "oracle"}, []*regexp.Regexp{
			regexp.MustCompile(`<p class="warning" role="alert">warning: incidents_prevented is 0 for every variant`),
			regexp.MustCompile(`<p class="verdict">The best is one of beats, cars-4, at 95% joint confidence[^<]*</p><p class="verdict">Benchmark, not ranked \(uses knowledge no real force has\): oracle.</p>`),
			regexp.MustCompile(`<th scope="col">Group</th><th scope="col">Variant</th><th scope="col" title="[^"]*">Score \(s, lower better\)</th><th scope="col" title="[^"]*">Behind the best \(s\)</th><th scope="col">Pareto front \(possibly\)</th>`),
			regexp.MustCompile(`<tr data-variant="beats" data-group="1="><td class="group" title="in the best set[^"]*">1=</td><th scope="row" class="variant" title="static-beats \(dwell=15m\) · point-to-point"><span class="swatch" data-colour="#d62728"[^>]*></span>beats<span class="definition">static-beats · point-to-point</span></th><td class="num" data-score="310">310 ± 24.8</td><td class="num">–</td><td class="pareto">●</td>`),
			// No interval: the mean alone. Its own overrides and a unit type's own policy.
			regexp.MustCompile(`<tr data-variant="cars-4" [^>]*><td [^>]*>1=</td><th [^>]*><span class="swatch" data-colour="#9467bd"[^>]*></span>cars-4<span class="definition">static-beats; van: posts · point-to-point · car count=4 squad=2</span></th><td class="num" data-score="305">305</td>`),
			regexp.MustCompile(`<tr data-variant="slow" data-group=""><td class="group" title="">–</td>.*?<td class="num" data-score="410">410 ± 24.8</td><td class="num">up to 123</td><td class="pareto"></td>`),
			regexp.MustCompile(`<tr data-variant="broken" [^>]*><td [^>]*>undefined</td><th [^>]*><span class="swatch"[^>]*></span>broken<span class="definition">[^<]*</span><span class="note">its score is undefined in 1 of 3 replications</span></th><td class="num" data-score="">–</td><td class="num">–</td>`),
			regexp.MustCompile(`<tr data-variant="oracle" data-group="benchmark" class="benchmark"><td class="group" title="a benchmark[^"]*">benchmark</td><th [^>]*><span class="swatch"[^>]*></span>oracle<span class="definition">hotspot-oracle · point-to-point</span></th><td class="num" data-score="260">260 ± 24.8</td><td class="num">–</td><td class="pareto"></td>`),
		}},
		{"results.json before groups", true, []string{"beats", "cars-4", "slow", "broken", "oracle"}, []*regexp.Regexp{
			regexp.MustCompile(`<th scope="col">Rank</th><th scope="col">Variant</th>`),
			regexp.MustCompile(`<tr data-variant="beats" [^>]*><td class="group" title="">1</td><th scope="row" class="variant" title=""><span class="swatch"[^>]*></span>beats</th>`),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.output = rankedOutput(tc.old)
			_, ts := testServer(t, f, nil)
			if code, _, b := startRun(t, ts, `{}`); code != 202 {
				t.Fatalf("start: %d %s", code, b)
			}
			close(f.release)
			if v := waitStatus(t, ts, "r1"); v.Status != "done" {
				t.Fatalf("run: %s %s", v.Status, v.Error)
			}
			dom, logs := browsertest.Run(t, bin, ts.URL+"/", "--window-size=1280,800", "--virtual-time-budget=5000", "--dump-dom")
			browsertest.NoErrors(t, logs)
			rows := regexp.MustCompile(`<tr data-variant="([^"]+)"`).FindAllStringSubmatch(dom, -1)
			var order []string
			for _, r := range rows {
				order = append(order, r[1])
			}
			if !slices.Equal(order, tc.order) {
				t.Errorf("rows in the order %v, want %v", order, tc.order)
			}
			for _, want := range tc.want {
				if !want.MatchString(dom) {
					t.Errorf("rendered DOM lacks %s", want)
				}
			}
			// Each name carries its variant's colour in every chart: the
			// colour of its place in results.json (slow, oracle, broken,
			// beats, cars-4).
			for i, name := range []string{"slow", "oracle", "broken", "beats", "cars-4"} {
				if want := `data-variant="` + name + `"[^>]*><td[^>]*>[^<]*</td><th[^>]*><span class="swatch" data-colour="` + report.VariantColour(i) + `"`; !regexp.MustCompile(want).MatchString(dom) {
					t.Errorf("%s: no swatch of its chart colour %s", name, report.VariantColour(i))
				}
			}
			if strings.Contains(dom, "NaN") {
				t.Errorf("the page shows NaN")
			}
			if t.Failed() {
				i := strings.Index(dom, `<div id="ranking">`)
				t.Logf("ranking:\n%.6000s", dom[max(i, 0):])
			}
		})
	}
}
