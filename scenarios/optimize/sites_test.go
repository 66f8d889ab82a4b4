package optimize

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// sitesCity writes, beside twoDistricts' areas (2 × 4 cells of about 1 km,
// 80% of the calls in the western half), a scenario with 2 foot platforms
// (home: post, 5 km/h) at two eastern posts and 3 cars at the district
// bases. Its platforms are the decided type of the post-sites tests.
func sitesCity(t *testing.T) string {
	t.Helper()
	dir := twoDistricts(t)
	write(t, filepath.Join(dir, "scenario.yaml"), `version: 1
name: sites
seed: 11
duration: 6d
warmup: 1d
replications: 2
city:
  areas: areas.geojson
  fields: {name: name, district: district, weight: weight}
  post_points:
    - {name: p1, kind: platform, lon: 0.0045, lat: -0.0045}
    - {name: p2, kind: platform, lon: 0.0135, lat: 0.0045}
travel: {model: manhattan, detour: 1.2, turnout: 30s}
incidents:
  per_day: 60
  types:
    - {name: urgent, priority: 1, share: 0.5, on_scene: {dist: exponential, mean: 30m}, officers: 1}
    - {name: routine, priority: 2, share: 0.5, on_scene: {dist: exponential, mean: 30m}, officers: 1}
units:
  - {name: car, count: 3, squad: 1, speed_kmh: 30, home: district}
  - {name: platform, count: 2, squad: 2, speed_kmh: 5, home: post, post_kind: platform, shift: {start: "07:00", hours: 16}}
dispatch: {delay: 30s}
targets: {p1: 5m}
variants:
  - {name: posts, policy: posts}
`)
	return dir
}

const sitesOpt = `version: 1
scenario: scenario.yaml
decision: {kind: post-sites, unit: platform, candidates: communities}
screen: {keep: 3}
select: {delta: 20, first: 8, max: 30}
`

// TestSiteScreenFindsEnumeratedOptimum: on 8 candidate sites (the areas),
// the screen's greedy addition and swaps find the placement that
// enumerating every choice of k sites finds under the same score, for k =
// 2 and 3 (28 and 56 placements), with the default busy probability and
// with 0 (the p-median), with up to 2 units a site (k = 3: 120
// placements) and under the coverage score; its kept candidates are in
// score order, the current placement last.
func TestSiteScreenFindsEnumeratedOptimum(t *testing.T) {
	dir := sitesCity(t)
	cases := []struct {
		name string
		opt  string
		k    int
	}{
		{"choose 2 of 8", sitesOpt, 2},
		{"choose 3 of 8", strings.Replace(sitesOpt, "communities}", "communities, count: 3}", 1), 3},
		{"p-median, choose 3", strings.Replace(sitesOpt, "communities}", "communities, count: 3}\nscreen: {keep: 3, busy: 0}", 1), 3},
		{"2 a site, choose 3", strings.Replace(sitesOpt, "communities}", "communities, count: 3, max: 2}", 1), 3},
		{"coverage, choose 3", strings.Replace(sitesOpt, "communities}", "communities, count: 3}\nscreen: {keep: 3, method: coverage}", 1), 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := c.opt
			if strings.Count(opt, "screen:") == 2 {
				opt = strings.Replace(opt, "screen: {keep: 3}\n", "", 1)
			}
			pr := prepare(t, dir, opt)
			// 8 candidates, then the 2 posts of the current placement.
			if pr.nSites != 8 || len(pr.Names) != 10 || pr.Most != c.k {
				t.Fatalf("%d candidate sites of %d, %d units; want 8 of 10 and %d", pr.nSites, len(pr.Names), pr.Most, c.k)
			}
			sc, err := pr.Screen()
			if err != nil {
				t.Fatal(err)
			}
			best, n := math.Inf(1), 0
			var bestAt []int
			var enumerate func(at int, counts []int, left int)
			enumerate = func(at int, counts []int, left int) {
				if left == 0 {
					n++
					c, err := pr.evaluate(counts)
					if err != nil {
						t.Fatal(err)
					}
					if s := c.Screen; s < best {
						best, bestAt = s, slices.Clone(counts)
					}
					return
				}
				if at == pr.nSites {
					return
				}
				for x := min(left, pr.Max); x >= 0; x-- {
					counts[at] = x
					enumerate(at+1, counts, left-x)
				}
				counts[at] = 0
			}
			enumerate(0, make([]int, len(pr.Names)), c.k)
			got := sc.Kept[0]
			// Equal up to rounding: the score sums the same terms.
			if math.Abs(got.Screen-best) > 1e-9*best {
				t.Errorf("screen kept %v (%.4f s) first, enumeration of %d placements finds %v (%.4f s)", pr.SiteList(got), got.Screen, n, bestAt, best)
			}
			if got.Total() != c.k {
				t.Errorf("kept %d units, want %d", got.Total(), c.k)
			}
			last := sc.Kept[len(sc.Kept)-1]
			if pr.Name(last) != "current" || !slices.Equal(pr.SiteList(last), []string{"p1", "p2"}) {
				t.Errorf("the last kept is %s at %v, want current at p1, p2", pr.Name(last), pr.SiteList(last))
			}
			for i := 1; i < len(sc.Kept)-1; i++ {
				if sc.Kept[i].Screen < sc.Kept[i-1].Screen {
					t.Errorf("kept out of order: %v", sc.Kept)
				}
			}
			if pr.Name(got) != "sites-1" {
				t.Errorf("the screen's best is named %q, want sites-1", pr.Name(got))
			}
		})
	}
}

// TestCoverageByHand: one platform at the interior point (the centre) of
// a western cell of about 1 km (0.009°), busy 0: it reaches, within the
// 5 min target less 30 s dispatch delay and 30 s turnout, 4 min on foot
// at 5 km/h = 333 m, 278 m Manhattan at detour 1.2 — a diamond of 2 ×
// 278² m², 15.4% of its cell — and nothing of the other cells (their
// nearest points are more than 500 m away). The sample lattice of about
// 64 points (step √(area/64) = 125 m) sees the diamond as the points
// within 278 m: 12 of an 8 × 8 lattice (18.75%), or 13 of the 65 a 9 × 9
// lattice centred on the cell keeps (20%; the cell is a hair wider than
// 8 steps). The cell draws 4 of the city's 20 weight units, so the
// covered share of calls is 0.2 × 0.1875 = 0.0375 or 0.2 × 0.2 = 0.04.
func TestCoverageByHand(t *testing.T) {
	pr := prepare(t, sitesCity(t), strings.Replace(sitesOpt, "screen: {keep: 3}", "screen: {keep: 3, method: coverage, busy: 0}", 1))
	counts := make([]int, len(pr.Names))
	k := slices.Index(pr.Names, "c00")
	counts[k] = 1
	covered := 1 - pr.coverScore(counts)
	if math.Abs(covered-0.0375) > 1e-9 && math.Abs(covered-0.04) > 1e-9 {
		t.Errorf("one platform at c00: covered share %.6f, want 0.0375 or 0.04", covered)
	}
	// Busy q: each covered point is covered with probability 1 − q.
	pr.Busy = 0.25
	if got := 1 - pr.coverScore(counts); math.Abs(got-0.75*covered) > 1e-12 {
		t.Errorf("busy 0.25: covered share %.6f, want 0.75 × %.6f", got, covered)
	}
}

// TestSiteScoreByHand: with one site and busy 0 the score is the delay
// plus the rate-weighted mean travel from that site; with two units at one
// site and busy q, each area's expected travel is that site's time (the
// renormalised geometric weights sum to 1).
func TestSiteScoreByHand(t *testing.T) {
	pr := prepare(t, sitesCity(t), strings.Replace(sitesOpt, "screen: {keep: 3}", "screen: {keep: 3, busy: 0.3}", 1))
	counts := make([]int, len(pr.Names))
	counts[2] = 2
	var sum, tot float64
	for a := range pr.rate {
		sum += pr.rate[a] * pr.travel[a][2]
		tot += pr.rate[a]
	}
	want := pr.delay + sum/tot
	if got := pr.siteScore(pr.delay, counts); math.Abs(got-want) > 1e-9*want {
		t.Errorf("two units at site 2, busy 0.3: score %.6f s, want %.6f", got, want)
	}
	if pr.delay != 30 {
		t.Errorf("delay %g s, want the scenario's 30 s", pr.delay)
	}
}

// TestOptimizeSites: an end-to-end post-sites optimisation writes a
// chosen.yaml that loads with the platforms at the chosen sites (and the
// cars as they were), byte-identical folders for 1 and 2 workers, and a
// table naming the chosen and its sites.
func TestOptimizeSites(t *testing.T) {
	dir := sitesCity(t)
	var folders []string
	var chosen []string
	for _, workers := range []int{1, 2} {
		pr, out, o := runAndWrite(t, dir, sitesOpt, workers)
		folders = append(folders, o)
		chosen = pr.SiteList(out.Chosen.Candidate)
		// The scenario's own platforms stand at two eastern posts, where
		// 20% of the calls fall: the simulation finds them worse than the
		// chosen (paired interval above 0, over the selection's
		// replications).
		cur := out.Candidates[slices.IndexFunc(out.Candidates, func(s Scored) bool { return s.Name == "current" })]
		if !(cur.VsChosen.Low > 0) {
			t.Errorf("current minus chosen %s: %.1f s [%.1f, %.1f], want above 0", out.Chosen.Name, cur.VsChosen.Mean, cur.VsChosen.Low, cur.VsChosen.High)
		}
		var buf bytes.Buffer
		if err := out.WriteTable(&buf); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"2 platform units at 2 of 8 candidate sites", "screen: delay + expected travel (min)", out.Chosen.Name + " *"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("table lacks %q:\n%s", want, buf.String())
			}
		}
	}
	sameFiles(t, folders[0], folders[1], outputFiles[:6])
	s, err := scenarios.LoadFile(filepath.Join(folders[0], ChosenFile))
	if err != nil {
		t.Fatalf("chosen.yaml does not load: %v", err)
	}
	w := s.Variants[0].Model.World
	var at []string
	cars := 0
	for _, u := range w.Units {
		switch u.TypeName {
		case "platform":
			at = append(at, s.Config.City.Atoms[s.Config.City.Locate(u.At)].Name)
		case "car":
			cars++
		}
	}
	slices.Sort(at)
	want := slices.Sorted(slices.Values(chosen))
	if !slices.Equal(at, want) || cars != 3 {
		t.Errorf("chosen.yaml: platforms in %v and %d cars, want platforms at the chosen sites %v and 3 cars", at, cars, want)
	}
	csv, err := os.ReadFile(filepath.Join(folders[0], TableFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(csv), "candidate,chosen,sites,units,") {
		t.Errorf("candidates.csv header: %q", strings.SplitN(string(csv), "\n", 2)[0])
	}
}

// TestBadSitesFile: post-sites' own problems name file, line, field and
// value.
func TestBadSitesFile(t *testing.T) {
	dir := sitesCity(t)
	write(t, filepath.Join(dir, "far.geojson"), `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"in"},"geometry":{"type":"Point","coordinates":[0.001,0.001]}},
{"type":"Feature","properties":{"name":"far"},"geometry":{"type":"Point","coordinates":[5,5]}},
{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[0.001,0.001]]}}]}`)
	cases := []struct {
		name, opt string
		want      []string
	}{
		{"not a post type", strings.Replace(sitesOpt, "unit: platform", "unit: car", 1),
			[]string{`opt.yaml:3: decision.unit: unit type "car" is homed at district`}},
		{"no candidates", strings.Replace(sitesOpt, ", candidates: communities", "", 1),
			[]string{`opt.yaml:3: decision.candidates: missing`}},
		{"budget given", strings.Replace(sitesOpt, "screen:", "budget: {units: 3}\nscreen:", 1),
			[]string{`opt.yaml:4: budget: post-sites places decision.count units`}},
		{"too many units", strings.Replace(sitesOpt, "communities}", "communities, count: 9}", 1),
			[]string{`opt.yaml:3: decision.count: 9 units but only 8 candidate sites of at most 1 units each`}},
		{"busy out of range", strings.Replace(sitesOpt, "keep: 3}", "keep: 3, busy: 1}", 1),
			[]string{`opt.yaml:4: screen.busy: must be between 0 and 0.95`, "(got 1)"}},
		{"hypercube screen", strings.Replace(sitesOpt, "keep: 3}", "keep: 3, method: hypercube}", 1),
			[]string{`opt.yaml:4: screen.method: must be expected-travel or coverage for post-sites (got "hypercube"`}},
		{"missing file", strings.Replace(sitesOpt, "communities", "none.geojson", 1),
			[]string{`opt.yaml:3: decision.candidates: cannot read none.geojson`}},
		{"bad features", strings.Replace(sitesOpt, "communities", "far.geojson", 1),
			[]string{`decision.candidates: far.geojson: feature 1 ("far", lon 5, lat 5) lies outside every area`,
				`far.geojson: feature 2: must be a Point (got LineString)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantOptError(t, dir, c.opt, c.want)
		})
	}
}

// BenchmarkScreenJinzhou compares the cost of one screen evaluation on the
// built-in Jinzhou city (199 units, 126 areas): the expected-travel score
// of 22 platforms among the 126 communities, and a hypercube model of the
// force (Larson's approximation, the unit-counts screen of its 18 patrol
// cars), which post-sites would need once per placement scored. Compare
// evaluations/cpu-s, not wall time, on a loaded machine.
func BenchmarkScreenJinzhou(b *testing.B) {
	base, err := scenarios.LoadBuiltin("jinzhou")
	if err != nil {
		b.Fatal(err)
	}
	bind := func(opt string) *Problem {
		spec, err := Parse("opt.yaml", []byte(opt))
		if err != nil {
			b.Fatal(err)
		}
		pr, err := Prepare(spec, base)
		if err != nil {
			b.Fatal(err)
		}
		return pr
	}
	b.Run("expected-travel", func(b *testing.B) {
		pr := bind("version: 1\nscenario: builtin:jinzhou\nvariant: beats-p2p\ndecision: {kind: post-sites, unit: platform, candidates: communities}\n")
		counts := make([]int, len(pr.Names))
		for k := range 22 {
			counts[k*5] = 1
		}
		for b.Loop() {
			pr.siteScore(pr.delay, counts)
		}
	})
	b.Run("hypercube", func(b *testing.B) {
		pr := bind("version: 1\nscenario: builtin:jinzhou\nvariant: beats-p2p\ndecision: {kind: unit-counts, unit: patrol_car}\nbudget: {units: 18}\n")
		for b.Loop() {
			if _, err := pr.evaluate([]int{6, 6, 6}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
