package run

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// carsScenario is the built-in grid city for a week, with two variants
// that differ only in how many of the same cars they have: a cars and b
// cars. With everything else equal, more cars can only shorten the
// queue (Erlang C: for the same offered load, P(wait) and the mean wait
// fall as servers are added), so the variant with more cars has the lower
// P1 p90 response: the known best.
func carsScenario(t *testing.T, a, b int) *scenarios.Scenario {
	t.Helper()
	doc := fmt.Sprintf(`version: 1
name: cars
seed: 3
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
`, a, a, b, b)
	s, err := scenarios.Load("cars.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestUntilDecided: KN picks the variant with more cars (the known best),
// decides sooner when the gap between the variants is larger, and gives
// the same decision and byte-identical results for 1 and 2 workers —
// identical too to a plain run of as many replications.
func TestUntilDecided(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many replications")
	}
	ctx := context.Background()
	decide := func(a, b, workers int) (*Result, *Decision) {
		res, dec, err := ExecuteUntilDecided(ctx, carsScenario(t, a, b), Options{Workers: workers}, Decide{Delta: 10, Max: 300})
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
	if !(far.Replications < near.Replications) {
		t.Errorf("replications: %d for 4 vs 8 cars, %d for 4 vs 5: want fewer for the larger gap", far.Replications, near.Replications)
	}
	t.Logf("4 vs 5 cars: decided after %d replications; 4 vs 8: %d", near.Replications, far.Replications)

	resOne, one := decide(4, 5, 1)
	if one.Replications != near.Replications || one.Best != near.Best {
		t.Errorf("1 worker: %+v; 2 workers: %+v", one, near)
	}
	plain, err := Execute(ctx, carsScenario(t, 4, 5), Options{Workers: 2, Replications: seq(near.Replications)})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := encodedJSON(t, resNear), encodedJSON(t, resOne), encodedJSON(t, plain)
	if a != b || a != c {
		t.Error("results differ between 2 workers, 1 worker and a plain run of as many replications")
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
	return b.String()
}
