package hypercube

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/geo"
)

const mile = 1609.344 // metres

// rectCityHeight is the height of the simulated strip, in miles: the book's
// travel is east–west only, so the city is a thin strip whose north–south
// part adds, from units on its mid-line to calls uniform in y, a quarter of
// its height to every trip whoever answers (subtracted below, as in
// docs/validation.md note 2).
const rectCityHeight = 2.0 / 504

// writeRectCity writes the two-unit "nonhomogeneous rectangular city" of
// Larson & Odoni 1981, §5.3.3 (fig. 5.2; the web edition
// web.mit.edu/urban_or_book) as a scenario in dir and returns its path: a
// 2-mile strip, −1 ≤ x ≤ 1, of three areas (east 0.75 ≤ x ≤ 1, middle
// 0.75 − w ≤ x < 0.75, west −1 ≤ x < 0.75 − w) with half the calls in the
// east strip and half uniform over the rest, unit 1 at x = 0.75 (first
// post) and unit 2 at x = −0.25 on the mid-line, λ = 5/4 calls per mean
// on-scene time (3 a day, 10 h), calls lost when both are busy, Manhattan
// travel at 1000 km/h (about 3 s beside 10 h on scene: the book's service
// is the on-scene time). Lon/lat about (0, 0) through geo.Projection's
// inverse, so the city's planar metres are the book's miles to rounding.
// reversed writes the areas in the opposite order.
func writeRectCity(t *testing.T, dir string, w float64, reversed bool) string {
	t.Helper()
	pr := geo.Projection{}
	ll := func(xMile, yMile float64) [2]float64 {
		lon, lat := pr.Inverse(geo.Point{X: xMile * mile, Y: yMile * mile})
		return [2]float64{lon, lat}
	}
	h := rectCityHeight / 2
	type area struct {
		name, district string
		x0, x1, weight float64
	}
	areas := []area{
		{"east", "D1", 0.75, 1, 0.5},
		{"middle", "D1", 0.75 - w, 0.75, 0.5 * w / 1.75},
		{"west", "D2", -1, 0.75 - w, 0.5 * (1.75 - w) / 1.75},
	}
	if reversed {
		slices.Reverse(areas)
	}
	var feats []any
	for _, a := range areas {
		ring := [][2]float64{ll(a.x0, -h), ll(a.x1, -h), ll(a.x1, h), ll(a.x0, h), ll(a.x0, -h)}
		feats = append(feats, map[string]any{
			"type":       "Feature",
			"properties": map[string]any{"name": a.name, "district": a.district, "weight": a.weight},
			"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}},
		})
	}
	gj, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": feats})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "areas.geojson"), gj, 0o644); err != nil {
		t.Fatal(err)
	}
	u1, u2 := ll(0.75, 0), ll(-0.25, 0)
	doc := fmt.Sprintf(`version: 1
name: rectangular-city
duration: 30d
warmup: 1d
replications: 2
city:
  areas: areas.geojson
  fields: {name: name, district: district, weight: weight}
  post_points:
    - {name: unit1, kind: car, lon: %.17g, lat: %.17g}
    - {name: unit2, kind: car, lon: %.17g, lat: %.17g}
travel: {model: manhattan, detour: 1, turnout: 0s}
incidents:
  per_day: 3
  types:
    - {name: call, priority: 1, share: 1, on_scene: {dist: exponential, mean: 10h}, officers: 1}
units:
  - {name: car, count: 2, squad: 1, speed_kmh: 1000, home: post, post_kind: car}
dispatch: {delay: 0s, lost_calls: true}
variants:
  - {name: posts, policy: posts}
`, u1[0], u1[1], u2[0], u2[1])
	path := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRectCityBook: `patrolsim hypercube` on the rectangular city (model
// New, exact solution, zero line capacity) gives the book's mean travel,
// 0.46246 mile at w = 1/2 and 0.46166 at the optimal w* = 53/126 (Larson &
// Odoni 1981, §5.3.3, eq. 5.36 and the text after fig. 5.3), within 0.1%,
// and unit 1's and unit 2's workloads ρ1 = 0.49010, ρ2 = 0.43773 at w = 1/2
// (same section) within 0.1%. The areas' travel is integrated exactly, so
// writing the areas in the opposite order gives bit-identical travel
// times. (Sampled travel, before, was 1.05% off at w = 1/2, 0.45761 mile,
// and 0.46759 with the areas reversed.)
func TestRectCityBook(t *testing.T) {
	for _, tc := range []struct {
		w, travel, rho1, rho2 float64
	}{
		{0.5, 0.46246, 0.49010, 0.43773},
		{53.0 / 126, 0.46166, math.NaN(), math.NaN()},
	} {
		var got [2]float64
		var atomTravel [2]map[string][]float64
		for k, rev := range []bool{false, true} {
			s, err := scenarios.LoadFile(writeRectCity(t, t.TempDir(), tc.w, rev))
			if err != nil {
				t.Fatal(err)
			}
			hm, err := New(s, true)
			if err != nil {
				t.Fatal(err)
			}
			res, err := hm.Solve(true)
			if err != nil {
				t.Fatal(err)
			}
			if hm.TravelMethod != "exact" {
				t.Errorf("travel method %q, want exact", hm.TravelMethod)
			}
			speed := s.Config.Units[0].Speed
			got[k] = res.TravelMean*speed/mile - rectCityHeight/4
			atomTravel[k] = map[string][]float64{}
			for a, name := range hm.Atoms {
				atomTravel[k][name] = hm.Travel[a]
			}
			if k == 0 && tc.rho1 == tc.rho1 {
				for u, want := range []float64{tc.rho1, tc.rho2} {
					if rho := res.Sol.Workload[u]; math.Abs(rho-want) > 1e-3*want {
						t.Errorf("w = %.5f: ρ%d %.5f, book %.5f", tc.w, u+1, rho, want)
					}
				}
			}
		}
		t.Logf("w = %.5f: mean travel %.6f mile (book %.5f, %+.4f%%); areas reversed %.6f", tc.w, got[0], tc.travel, 100*(got[0]/tc.travel-1), got[1])
		if math.Abs(got[0]-tc.travel) > 1e-3*tc.travel {
			t.Errorf("w = %.5f: mean travel %.6f mile, book %.5f (more than 0.1%% off)", tc.w, got[0], tc.travel)
		}
		for name, tt := range atomTravel[0] {
			if !slices.Equal(tt, atomTravel[1][name]) {
				t.Errorf("w = %.5f: area %s travel %v, areas reversed %v", tc.w, name, tt, atomTravel[1][name])
			}
		}
		if math.Abs(got[0]-got[1]) > 1e-12 {
			t.Errorf("w = %.5f: mean travel %.15g, areas reversed %.15g", tc.w, got[0], got[1])
		}
	}
}

// TestLatticeTravel: the lattice rule areaTravel uses on roads. On the
// built-in grid (Manhattan, detour 1) it is checked against the exact
// integral, in both metrics: a 500 m cell gets a 16 × 16 lattice of
// 31.25 m steps, and a lattice cell's centre is within a mean distance of
// step/2 (right-angle) or 0.383·step (straight line) of its points, so for
// a travel time with Lipschitz constant 1/speed (s/m) the lattice mean is
// within step/(2·speed) of the exact one. On roads
// (scenarios/testdata/city) the model says "lattice", its travel times are
// finite, and loading twice gives identical times.
func TestLatticeTravel(t *testing.T) {
	s, err := scenarios.LoadBuiltin("grid")
	if err != nil {
		t.Fatal(err)
	}
	for _, metric := range []geo.Metric{geo.Manhattan, geo.Euclidean} {
		cfg := *s.Variants[0].Model.Cfg
		cfg.Travel.Metric = metric
		units := s.Variants[0].Model.World.Units
		speed := cfg.Units[0].Speed
		bound := 500.0 / 16 / 2 / speed
		var worst float64
		for a := range cfg.City.Atoms {
			exact, _ := areaTravel(&cfg, units, &cfg.City.Atoms[a])
			lat, spread := latticeTravel(&cfg, units, &cfg.City.Atoms[a])
			if !(spread >= 0) {
				t.Fatalf("area %d: spread %v", a, spread)
			}
			for u := range units {
				worst = max(worst, math.Abs(lat[u]-exact[u]))
			}
		}
		t.Logf("metric %d: largest |lattice − exact| %.4f s, bound %.4f s", metric, worst, bound)
		if worst > bound {
			t.Errorf("metric %d: lattice differs from the exact travel by %.4f s, more than step/(2·speed) = %.4f s", metric, worst, bound)
		}
	}

	doc := []byte(`version: 1
name: roads
duration: 2d
warmup: 0s
city: {areas: city/areas.geojson}
travel: {model: road, roads: city/roads.geojson, zone_m: 200}
incidents:
  per_day: 20
  types: [{name: call, share: 1}]
units:
  - {name: car, count: 2, squad: 1, speed_kmh: 30, home: district}
variants:
  - {name: random, policy: random}
`)
	var prev [][]float64
	for range 2 {
		s, err := scenarios.Load("roads.yaml", doc, os.DirFS("../testdata"))
		if err != nil {
			t.Fatal(err)
		}
		hm, err := New(s, false)
		if err != nil {
			t.Fatal(err)
		}
		if hm.TravelMethod != "lattice" || !(hm.TravelSpread >= 0) || math.IsInf(hm.TravelSpread, 0) {
			t.Errorf("roads: method %q, spread %v", hm.TravelMethod, hm.TravelSpread)
		}
		for a := range hm.Travel {
			for u, x := range hm.Travel[a] {
				if !(x > 0) || math.IsInf(x, 0) {
					t.Errorf("roads: area %d unit %d travel %v s", a, u, x)
				}
			}
		}
		if prev != nil && !reflect.DeepEqual(prev, hm.Travel) {
			t.Error("roads: two loads give different travel")
		}
		prev = hm.Travel
	}
}

// TestTieOrders: units tied in travel time take turns. Three units on a
// row of three cells (homes at the cells' centres, Manhattan): the middle
// cell's backup is a tie between the outer units, so its calls are split
// between the two orders [1 0 2] and [1 2 0]; the outer units, mirror
// images, then have equal workloads (to the solver's 1e-11), where
// breaking the tie to the lowest index gave unit 0 all the middle's
// backup calls (53.9% against 51.1% in the validation table's 3 × 3 case).
func TestTieOrders(t *testing.T) {
	apart := []geo.Point{{X: 0}, {X: 1}, {X: 2}, {X: 3}, {X: 4}}
	for _, tc := range []struct {
		pref []int
		t    []float64
		at   []geo.Point
		want [][]int
	}{
		{[]int{1, 0, 2}, []float64{45, 18, 45}, apart, [][]int{{1, 0, 2}, {1, 2, 0}}},
		{[]int{0, 1, 2}, []float64{1, 2, 3}, apart, [][]int{{0, 1, 2}}},
		{[]int{0, 1, 2, 3, 4}, []float64{5, 5, 5, 7, 7}, apart, [][]int{
			{0, 1, 2, 3, 4}, {1, 2, 0, 4, 3}, {2, 0, 1, 3, 4}, {0, 1, 2, 4, 3}, {1, 2, 0, 3, 4}, {2, 0, 1, 4, 3}}},
		// Units sharing a home keep index order (the simulator's tie
		// break); homes take turns.
		{[]int{0, 1, 2}, []float64{5, 5, 5}, []geo.Point{{X: 1}, {X: 1}, {X: 1}}, [][]int{{0, 1, 2}}},
		{[]int{0, 1, 2, 3}, []float64{5, 5, 5, 5}, []geo.Point{{X: 1}, {X: 1}, {X: 2}, {X: 2}}, [][]int{{0, 1, 2, 3}, {2, 3, 0, 1}}},
	} {
		if got := tieOrders(tc.pref, tc.t, tc.at); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("tieOrders(%v, %v) = %v, want %v", tc.pref, tc.t, got, tc.want)
		}
	}
	doc := []byte(`version: 1
name: ties
duration: 2d
warmup: 0s
city: {grid: {rows: 1, cols: 3, cell_m: 1000, districts: 3}}
travel: {model: manhattan, turnout: 0s}
incidents:
  per_day: 96
  types: [{name: call, share: 1, on_scene: {dist: exponential, mean: 30m}}]
units:
  - {name: car, count: 3, squad: 1, speed_kmh: 100, home: community}
variants:
  - {name: posts, policy: posts}
`)
	s, err := scenarios.Load("ties.yaml", doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	hm, err := New(s, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(hm.Area) != 4 || !slices.Equal(hm.Area, []int{0, 1, 1, 2}) {
		t.Fatalf("cube atoms by area %v, want [0 1 1 2]", hm.Area)
	}
	res, err := hm.Solve(true)
	if err != nil {
		t.Fatal(err)
	}
	if w := res.Sol.Workload; math.Abs(w[0]-w[2]) > 1e-9 {
		t.Errorf("workloads %v: units 0 and 2 mirror each other", w)
	}
	if f := res.Frac[1]; math.Abs(f[0]-f[2]) > 1e-9 || !(f[0] > 0) {
		t.Errorf("middle area answered by %v: units 0 and 2 should share its backup calls", f)
	}
}

// TestRectCityFile: the checked-in copy of the rectangular city at w = 1/2
// (testdata/rectcity, the command docs/hypercube.md shows) gives the
// book's 0.46246 mile within 0.1%, as TestRectCityBook.
func TestRectCityFile(t *testing.T) {
	s, err := scenarios.LoadFile("testdata/rectcity/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	hm, err := New(s, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := hm.Solve(true)
	if err != nil {
		t.Fatal(err)
	}
	got := res.TravelMean*s.Config.Units[0].Speed/mile - rectCityHeight/4
	if math.Abs(got-0.46246) > 1e-3*0.46246 {
		t.Errorf("mean travel %.6f mile, book 0.46246", got)
	}
}
