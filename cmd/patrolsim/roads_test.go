package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// sfScenario writes a scenario of San Francisco's police districts with
// the given travel line and returns it loaded, skipping when the data are
// absent outside CI (under CI=true that fails).
func sfScenario(tb testing.TB, travel string, days, reps int) *scenarios.Scenario {
	tb.Helper()
	abs := shareddata.Path(tb, "sf") // San Francisco's data beside the checkout
	doc := strings.NewReplacer("TRAVEL", travel, "DAYS", itoa(days), "REPS", itoa(reps)).Replace(`version: 1
name: sf
seed: 7
duration: DAYSd
warmup: 1d
replications: REPS
city:
  areas: DIR/sfpd_districts.geojson
  fields: {name: DISTRICT, district: DISTRICT}
travel: TRAVEL
incidents:
  per_day: 240     # San Francisco, December 2013: 237.5 a day (README, Real data)
  types:
    - {name: urgent, priority: 1, share: 0.3, on_scene: {dist: exponential, mean: 40m}, officers: 2}
    - {name: routine, priority: 2, share: 0.7, on_scene: {dist: exponential, mean: 30m}}
units: [{name: car, count: 22, squad: 2, speed_kmh: 30, patrol_speed_kmh: 15}]
dispatch: {mode: point-to-point, delay: 60s}
variants:
  - {name: random, policy: random}
  - {name: hot, policy: hot-spots}
  - {name: command, policy: random, dispatch: hierarchical}
`)
	doc = strings.ReplaceAll(doc, "DIR", abs)
	path := filepath.Join(tb.TempDir(), "sf.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		tb.Fatal(err)
	}
	s, err := scenarios.LoadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestRoadTableTooBig: zones of 50 m over San Francisco's 28,172 road
// nodes would take about 6.7 GB (14,931 zones: trees 1.7 GB, pairs 5.4
// GB); the loader refuses, naming the field.
func TestRoadTableTooBig(t *testing.T) {
	abs := shareddata.Path(t, "sf")
	doc := strings.ReplaceAll(`version: 1
name: sf
city: {areas: DIR/sfpd_districts.geojson, fields: {name: DISTRICT, district: DISTRICT}}
travel: {model: road, roads: DIR/sf_roads_tiger2013.geojson, zone_m: 50}
incidents: {per_day: 100, types: [{name: any, share: 1}]}
units: [{name: car, count: 10}]
variants: [{name: random, policy: random}]
`, "DIR", abs)
	path := filepath.Join(t.TempDir(), "big.yaml")
	_, err := scenarios.LoadAt(path, []byte(doc))
	if err == nil || !strings.Contains(err.Error(), "big.yaml:4: travel.zone_m: zones of 50 m") || !strings.Contains(err.Error(), "GB, more than the limit of 2 GB") {
		t.Fatalf("got %v, want travel.zone_m refused for memory", err)
	}
}

const roadTravel = "{model: road, roads: DIR/sf_roads_tiger2013.geojson}"

// TestSanFranciscoOnRoads runs San Francisco on its TIGER roads: it runs,
// gives the same bytes on one and two workers, and its mean travel time is
// not shorter than straight-line travel at the local-street speed would
// give less the speed-up of arterials (a loose sanity bound: within a
// factor of two of the Euclidean run's).
func TestSanFranciscoOnRoads(t *testing.T) {
	road := sfScenario(t, roadTravel, 4, 2)
	var docs [2][]byte
	for i, workers := range []int{1, 2} {
		res, err := run.Execute(context.Background(), road, run.Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := res.Summary.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		docs[i] = b.Bytes()
	}
	if !bytes.Equal(docs[0], docs[1]) {
		t.Fatal("results on roads differ between 1 and 2 workers")
	}
	straight := sfScenario(t, "{model: euclidean}", 4, 2)
	res, err := run.Execute(context.Background(), straight, run.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	resRoad, err := run.Execute(context.Background(), road, run.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	k := res.Summary.Index("travel_mean_s")
	for v := range res.Summary.Variants {
		e, r := res.Summary.Variants[v].Estimates[k].Mean, resRoad.Summary.Variants[v].Estimates[k].Mean
		t.Logf("%s: mean travel %.1f s straight, %.1f s on roads", res.Summary.Variants[v].Name, e, r)
		if !(r > 0.5*e && r < 2*e) {
			t.Errorf("%s: mean travel on roads %.1f s, straight %.1f s: more than a factor 2 apart", res.Summary.Variants[v].Name, r, e)
		}
	}
}

// BenchmarkSanFranciscoRun is a whole run of San Francisco (3 variants × 8
// replications × 30 days, about the size of the README's calibrated San
// Francisco run), scenario loading included, with straight-line and with
// road travel: the ratio of the two is the slowdown of roads (reading the
// road file and building the table included, once per run as on the
// command line).
func BenchmarkSanFranciscoRun(b *testing.B) {
	for _, tc := range []struct{ name, travel string }{{"straight", "{model: euclidean}"}, {"road", roadTravel}} {
		b.Run(tc.name, func(b *testing.B) {
			sfScenario(b, tc.travel, 30, 8) // skip early without the data
			roads := shareddata.Read(b, "sf/sf_roads_tiger2013.geojson")
			dir := b.TempDir()
			i := 0
			for b.Loop() {
				// A road file of other bytes each time (one more trailing
				// space), so that the loader's cache of road tables does
				// not serve it: every run pays for reading and building,
				// as a command-line run does.
				i++
				file := filepath.Join(dir, "roads.geojson")
				if err := os.WriteFile(file, append(roads, bytes.Repeat([]byte(" "), i)...), 0o644); err != nil {
					b.Fatal(err)
				}
				travel := strings.ReplaceAll(tc.travel, "DIR/sf_roads_tiger2013.geojson", file)
				s := sfScenario(b, travel, 30, 8)
				if _, err := run.Execute(context.Background(), s, run.Options{Workers: runtime.GOMAXPROCS(0)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
