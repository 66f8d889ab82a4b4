package run

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/patrolsim/patrolsim/scenarios"
)

// carsScenario is the built-in grid city for a week, with two variants
// that differ only in how many of the same cars they have: a cars and b
// cars. With everything else equal, more cars can only shorten the
// queue (Erlang C: for the same offered load, P(wait) and the mean wait
// fall as servers are added), so the variant with more cars has the lower
// P1 p90 response: the known best.
func carsScenario(t *testing.T, seed, a, b int) *scenarios.Scenario {
	t.Helper()
	doc := fmt.Sprintf(`version: 1
name: cars
seed: %d
duration: 7d
warmup: 1d
replications: 10
city:
  grid: {rows: 10, cols: 10, cell_m: 500, districts: 2}
travel: {model: manhattan, detour: 1, turnout: 30s}
incidents:
  per_day: 40
  types:
    - {name: urgent, priority: 1, share: 0.3, on_scene: {dist: exponential, mean: 40m}, officers: 1}
    - {name: routine, priority: 3, share: 0.7, on_scene: {dist: exponential, mean: 30m}, officers: 1}
units:
  - {name: car, count: 8, squad: 2, speed_kmh: 30, home: district}
dispatch: {delay: 60s}
targets: {p1: 5m}
variants:
  - {name: cars-%d, policy: random, units: {car: {count: %d}}}
  - {name: cars-%d, policy: random, units: {car: {count: %d}}}
`, seed, a, a, b, b)
	s, err := scenarios.Load("cars.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestUntilDecided: KN picks the variant with more cars (the known best)
// and gives the same decision and byte-identical results for 1 and 2
// workers — identical too to a plain run of as many replications.
func TestUntilDecided(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many replications")
	}
	ctx := context.Background()
	decide := func(a, b, workers int) (*Result, *Decision) {
		res, dec, err := ExecuteUntilDecided(ctx, carsScenario(t, 3, a, b), Options{Workers: workers}, Decide{Delta: 10, Max: 300})
		if err != nil {
			t.Fatal(err)
		}
		return res, dec
	}
	resNear, near := decide(4, 5, 2)
	if !near.Decided || near.Best != "cars-5" {
		t.Fatalf("4 vs 5 cars: %+v, want cars-5 decided", near)
	}
	_, far := decide(4, 8, 2)
	if !far.Decided || far.Best != "cars-8" {
		t.Fatalf("4 vs 8 cars: %+v, want cars-8 decided", far)
	}
	t.Logf("4 vs 5 cars: decided after %d replications; 4 vs 8: %d", near.Replications, far.Replications)

	resOne, one := decide(4, 5, 1)
	if one.Replications != near.Replications || one.Best != near.Best {
		t.Errorf("1 worker: %+v; 2 workers: %+v", one, near)
	}
	plain, err := Execute(ctx, carsScenario(t, 3, 4, 5), Options{Workers: 2, Replications: seq(near.Replications)})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := encodedJSON(t, resNear), encodedJSON(t, resOne), encodedJSON(t, plain)
	if a != b || a != c {
		t.Error("results differ between 2 workers, 1 worker and a plain run of as many replications")
	}
}

// TestUntilDecidedSoonerForLargerGap: KN stops sooner, on average, when
// the best is further ahead (its continuation region closes as the summed
// differences grow, Kim & Nelson 2001). One seed's stopping count is
// noisy — either comparison may stop at the first stage, or one may be
// lucky — so the claim is tested over 20 scenario seeds: the paired
// difference (replications for 4 vs 5 cars minus those for 4 vs 8) must
// have a mean above two of its standard errors (a one-sided t test at
// about 3%, 19 degrees of freedom; measured: mean 7.6, standard error
// 1.9). The first stage is 5 replications, not the default 10, so that
// the stopping counts can differ at all: with 10 most seeds decide both
// at the first stage. Every decision should pick the variant with more
// cars (probability of correct selection at least 1 − alpha = 0.95 per
// decision when the gap is at least delta); more than 5 wrong of 40 has
// probability below 1.4% even at exactly 0.95 (binomial tail).
func TestUntilDecidedSoonerForLargerGap(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many replications")
	}
	ctx := context.Background()
	const seeds = 20
	var diffs []float64
	wrong := 0
	for seed := 1; seed <= seeds; seed++ {
		var n [2]int
		for i, b := range []int{5, 8} {
			_, dec, err := ExecuteUntilDecided(ctx, carsScenario(t, seed, 4, b), Options{Workers: 2}, Decide{Delta: 10, First: 5, Max: 300})
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("cars-%d", b); !dec.Decided || dec.Best != want {
				wrong++
				t.Logf("seed %d, 4 vs %d cars: %+v, want %s decided", seed, b, dec, want)
			}
			n[i] = dec.Replications
		}
		diffs = append(diffs, float64(n[0]-n[1]))
	}
	mean, sd := stat.MeanStdDev(diffs, nil)
	se := sd / math.Sqrt(seeds)
	t.Logf("replications for 4 vs 5 cars minus 4 vs 8 over %d seeds: %v; mean %.2f, standard error %.2f", seeds, diffs, mean, se)
	if !(mean > 2*se) {
		t.Errorf("mean difference %.2f replications (standard error %.2f): want above 2 standard errors — KN should stop sooner for the larger gap", mean, se)
	}
	if wrong > 5 {
		t.Errorf("%d of %d decisions did not pick the variant with more cars, want at most 5", wrong, 2*seeds)
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func encodedJSON(t *testing.T, res *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := res.Summary.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := res.Details.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	// And the areas' p90 (areas.geojson, not in details.json): pooled
	// by batch under ExecuteUntil, by replication under Execute.
	for _, v := range res.Details.Variants {
		for a, p := range v.AtomsData.RespP90S {
			if p != nil {
				fmt.Fprintf(&b, "%s %d %v\n", v.Name, a, *p)
			}
		}
	}
	return b.String()
}

// TestUntilAreas: ExecuteUntil pools the areas' response times of each
// batch that ran whole and keeps the last batch's by replication, so that
// the areas' p90 after a stop inside a batch (replication 7 of batches
// 0–2, 3–4, 5–6, 7–8 on 2 workers) are those of a plain run of
// replications 0–7.
func TestUntilAreas(t *testing.T) {
	ctx := context.Background()
	s := carsScenario(t, 5, 4, 6)
	res, n, err := ExecuteUntil(ctx, s, Options{Workers: 2}, 3, 20, func(x Replication) (bool, error) { return x.R == 7, nil })
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Execute(ctx, s, Options{Workers: 2, Replications: seq(8)})
	if err != nil {
		t.Fatal(err)
	}
	got, want := encodedJSON(t, res), encodedJSON(t, plain)
	if n != 8 || got != want {
		t.Errorf("stopped after %d replications (want 8); results equal to a plain run of 8: %v", n, got == want)
	}
	if !strings.Contains(want, "cars-4 0 ") {
		t.Error("no area p90 compared")
	}
}
