package main

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// The story tests check that the model reproduces the effects the Jinzhou
// reform is about (DESIGN.md §1, issue 3). Each runs a small scenario with a
// fixed seed and judges the paired differences between variants the way a
// user would: by their 95% confidence interval on common random numbers
// (replication r of every variant sees the same background incidents).

// storyBase is a 10 × 10 grid of 400 m cells with 4 two-officer cars and
// one deterrable street-crime type; each story changes what it needs.
const storyBase = `version: 1
name: story
seed: 7
duration: 60d
warmup: 5d
replications: 12
city:
  grid: {rows: 10, cols: 10, cell_m: 400, districts: 1}
travel: {model: manhattan, detour: 1, turnout: 30s}
incidents:
  per_day: 20
  types:
    - {name: street, priority: 2, share: 1, on_scene: {dist: exponential, mean: 20m}, officers: 1, deterrable: 0.9}
  near_repeat: {offspring: 0.7, decay: 3d, radius_m: 250}
units:
  - {name: car, count: 4, squad: 2, speed_kmh: 30, patrol_speed_kmh: 15}
deterrence: {radius_m: 150}
`

func story(t *testing.T, doc string) *results.Summary {
	t.Helper()
	s, err := scenarios.Load("story.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Execute(context.Background(), s, run.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res.Summary
}

// pairDiff returns the paired difference a − b of metric over replications,
// with its 95% interval (results.Comparison covers the objective's metrics;
// this covers any metric).
func pairDiff(t *testing.T, s *results.Summary, metric, a, b string) (mean, low, high float64) {
	t.Helper()
	i := s.Index(metric)
	var va, vb *results.VariantSummary
	for k := range s.Variants {
		switch s.Variants[k].Name {
		case a:
			va = &s.Variants[k]
		case b:
			vb = &s.Variants[k]
		}
	}
	if i < 0 || va == nil || vb == nil {
		t.Fatalf("no metric %s or variants %s, %s", metric, a, b)
	}
	var d []float64
	for r := range va.Reps {
		d = append(d, va.Reps[r][i]-vb.Reps[r][i])
	}
	n := float64(len(d))
	for _, x := range d {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range d {
		ss += (x - mean) * (x - mean)
	}
	// t(0.975, 11 df) = 2.201 (t table): every story runs 12 replications.
	hw := 2.201 * math.Sqrt(ss/(n-1)/n)
	return mean, mean - hw, mean + hw
}

// Story 1: point-to-point dispatch beats hierarchical on response time, all
// else equal (the reform's 点对点指挥调度): fewer command levels, and the
// nearest unit by GPS.
func TestStoryPointToPoint(t *testing.T) {
	s := story(t, storyBase+`variants:
  - {name: p2p, policy: random, dispatch: point-to-point}
  - {name: hier, policy: random, dispatch: hierarchical}
`)
	d, lo, hi := pairDiff(t, s, "response_mean_s", "hier", "p2p")
	t.Logf("hierarchical − point-to-point mean response: %+.1f s [%+.1f, %+.1f]", d, lo, hi)
	if !(lo > 0) {
		t.Errorf("hierarchical is not significantly slower: %+.1f s [%+.1f, %+.1f]", d, lo, hi)
	}
}

// Story 2: with clustered (self-exciting) incidents, following incidents
// prevents more than static beats; with homogeneous, unclustered incidents it
// is not significantly better (there is nothing to follow).
func TestStoryFollowIncidents(t *testing.T) {
	variants := `variants:
  - {name: beats, policy: static-beats}
  - {name: follow, policy: follow-incidents, params: {half_life: 2d, update: 30m}}
`
	clustered := story(t, storyBase+variants)
	d, lo, hi := pairDiff(t, clustered, "incidents_prevented", "follow", "beats")
	t.Logf("clustered: follow − beats prevented: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	if !(lo > 0) {
		t.Errorf("clustered: follow-incidents does not prevent significantly more: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	}
	// The same volume (20 / (1 − 0.7) ≈ 66 a day) without clustering.
	uniform := strings.Replace(strings.Replace(storyBase, "offspring: 0.7", "offspring: 0", 1), "per_day: 20", "per_day: 66", 1)
	flat := story(t, uniform+variants)
	d, lo, hi = pairDiff(t, flat, "incidents_prevented", "follow", "beats")
	t.Logf("uniform: follow − beats prevented: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	if lo > 0 {
		t.Errorf("uniform: follow-incidents prevents significantly more: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	}
}

// Story 3: concentrating patrol at night lowers night incidents and, with
// temporal displacement, raises day incidents (the report's night drop of
// 35.6% while daytime incidents rose). The same officer-hours: 6 cars round
// the clock against 12 cars from 18:00 to 06:00.
func TestStoryNightPatrol(t *testing.T) {
	doc := strings.Replace(storyBase, "offspring: 0.7", "offspring: 0", 1)
	doc = strings.Replace(doc, "per_day: 20", "per_day: 60", 1)
	doc = strings.Replace(doc, "count: 4,", "count: 6,", 1)
	doc = strings.Replace(doc, "deterrence: {radius_m: 150}", "deterrence: {radius_m: 200, displaced_space: 0, displaced_time: 0.6, time_shift: {dist: exponential, mean: 8h}}", 1)
	s := story(t, doc+`variants:
  - {name: round-the-clock, policy: random}
  - {name: night, policy: random, units: {car: {count: 12, shift: {start: "18:00", hours: 12}}}}
`)
	d, lo, hi := pairDiff(t, s, "incidents_realised_night", "night", "round-the-clock")
	t.Logf("night − round-the-clock, night incidents: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	if !(hi < 0) {
		t.Errorf("night patrol does not lower night incidents significantly: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	}
	d, lo, hi = pairDiff(t, s, "incidents_realised_day", "night", "round-the-clock")
	t.Logf("night − round-the-clock, day incidents: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	if !(lo > 0) {
		t.Errorf("night patrol does not raise day incidents significantly: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	}
}

// Story 4: the hotspot oracle, which knows the true rates, prevents at least
// as much as following the incidents the police know of: it is not
// significantly worse.
func TestStoryOracle(t *testing.T) {
	s := story(t, storyBase+`variants:
  - {name: follow, policy: follow-incidents, params: {half_life: 2d, update: 30m}}
  - {name: oracle, policy: hotspot-oracle, params: {update: 30m}}
`)
	d, lo, hi := pairDiff(t, s, "incidents_prevented", "oracle", "follow")
	t.Logf("oracle − follow prevented: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	if hi < 0 {
		t.Errorf("the oracle prevents significantly less than follow-incidents: %+.1f [%+.1f, %+.1f]", d, lo, hi)
	}
}

// Story 5: with deterrence switched off, nothing is prevented or displaced.
func TestStoryNoDeterrence(t *testing.T) {
	doc := strings.Replace(storyBase, "deterrence: {radius_m: 150}", "deterrence: {enabled: false}", 1)
	s := story(t, doc+`variants:
  - {name: beats, policy: static-beats}
  - {name: follow, policy: follow-incidents}
`)
	for _, v := range s.Variants {
		for _, m := range []string{"incidents_prevented", "incidents_displaced"} {
			if e := v.Estimates[s.Index(m)]; e.Mean != 0 {
				t.Errorf("%s: %s = %v, want 0", v.Name, m, e.Mean)
			}
		}
	}
}
