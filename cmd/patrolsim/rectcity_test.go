package main

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/analytic"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// The two-unit "nonhomogeneous rectangular city" of Larson & Odoni 1981,
// §5.3.3 (fig. 5.2; web edition web.mit.edu/urban_or_book): a 2 × 1 mile
// city, −1 ≤ x ≤ 1; unit 1 at x = 0.75, unit 2 at x = −0.25; half the calls
// uniform over the east strip 0.75 ≤ x ≤ 1, half uniform over −1 ≤ x <
// 0.75; λ = 5/4 calls per mean service time; zero line capacity; travel
// east–west; the district boundary a distance w west of unit 1, each unit
// first choice in its district and the other's backup.

const mile = 1609.344 // metres

// rectCityCols is the number of columns of the simulated city: 504 strips
// of 2/504 mile put x = 0.75, x = −0.25 and the boundaries w = k/252 (w =
// 1/2, 1/4, 3/4 and the optimal 53/126 among them) exactly on strip edges.
const rectCityCols = 504

// rectCityCube is the book's model as a 3-atom exact hypercube for the
// boundary w (as analytic.rectangularCity in sim/analytic/hypercube_test.go):
// atoms east (x ≥ 0.75), middle (0.75 − w ≤ x < 0.75, unit 1's district)
// and west (unit 2's), with the mean east–west distances (miles) from each
// unit's home to a uniform point of the atom. Unit index 0 is the book's
// unit 1.
func rectCityCube(w float64) (*analytic.Hypercube, [][]float64) {
	h := &analytic.Hypercube{
		Units:  2,
		Mu:     1,
		Loss:   true,
		Lambda: []float64{0.625, 0.625 * w / 1.75, 0.625 * (1.75 - w) / 1.75},
		Pref:   [][]int{{0, 1}, {0, 1}, {1, 0}},
	}
	t := [][]float64{
		{0.125, 1.125},   // east: 0…0.25 from unit 1, 1…1.25 from unit 2
		{w / 2, 1 - w/2}, // middle: 0…w from unit 1, 1−w…1 from unit 2
		// west, −1 ≤ x < 0.75 − w: w…1.75 from unit 1; from unit 2,
		// |x + 0.25| over [−1, −0.25) and [−0.25, 0.75 − w).
		{(w + 1.75) / 2, (0.75*0.375 + (1-w)*(1-w)/2) / (1.75 - w)},
	}
	return h, t
}

// TestRectCityCube: the copy of the book's model reproduces its numbers
// (§5.3.3, rounded to five decimals): ρ1 = 0.49010, ρ2 = 0.43773 and mean
// travel 0.46246 mile at w = 1/2; mean travel 0.46166 and imbalance 0.04405
// at w* = 53/126.
func TestRectCityCube(t *testing.T) {
	for _, tc := range []struct {
		w, rho1, rho2, imb, bar float64
	}{
		{0.5, 0.49010, 0.43773, 0.05236, 0.46246},
		{53.0 / 126, math.NaN(), math.NaN(), 0.04405, 0.46166},
	} {
		h, tt := rectCityCube(tc.w)
		s, err := h.Exact()
		if err != nil {
			t.Fatal(err)
		}
		_, bar := s.MeanTravel(tt)
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"rho1", s.Workload[0], tc.rho1}, {"rho2", s.Workload[1], tc.rho2},
			{"imbalance", s.Workload[0] - s.Workload[1], tc.imb}, {"travel", bar, tc.bar},
		} {
			if c.want == c.want && math.Abs(c.got-c.want) > 1e-5 {
				t.Errorf("w = %.5f: %s %.6f, book %.5f", tc.w, c.name, c.got, c.want)
			}
		}
	}
}

// rectCityConfig is the book's city in the simulator for the boundary w =
// k/252: one row of rectCityCols square cells of side 2/504 mile (x = −1
// at the grid's west edge), cell weights giving half the calls uniformly
// east of x = 0.75 and half west of it, two districts split at x = 0.75 −
// w, one unit homed at a post at x = 0.75 (index 0, the book's unit 1) and
// one at x = −0.25, both on the mid-line; 1.25 calls an hour, exponential
// on-scene times of mean 1 h, travel at 100 000 km/h (under 0.2 s, so
// service is the on-scene time as in the book), calls lost when both units
// are busy, hierarchical dispatch with mutual aid and no command delay.
// Manhattan travel; the strip is 2/504 mile tall, so the north–south part
// of a trip averages a quarter of that (see rectCityRows).
func rectCityConfig(t *testing.T, w, days float64) (*sim.Config, sim.Variant) {
	t.Helper()
	cellM := 2 * mile / rectCityCols
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: rectCityCols, CellM: cellM, Districts: 2})
	if err != nil {
		t.Fatal(err)
	}
	perCol := float64(rectCityCols) / 2 // columns per mile
	east := int(math.Round(1.75 * perCol))
	boundary := int(math.Round((1.75 - w) * perCol))
	if math.Abs(float64(boundary)-(1.75-w)*perCol) > 1e-9 || boundary <= int(0.75*perCol) || boundary >= east {
		t.Fatalf("boundary w = %v is not on a strip edge between the units", w)
	}
	for c := range city.Atoms {
		a := &city.Atoms[c]
		a.District = 1 // unit 2's
		if c >= boundary {
			a.District = 0
		}
		a.Weight = 0.5 / float64(east) // west of x = 0.75: half the calls
		if c >= east {
			a.Weight = 0.5 / float64(rectCityCols-east)
		}
	}
	if err := city.Finish(); err != nil {
		t.Fatal(err)
	}
	city.AddPost("unit 1", "car", geo.Point{X: 1.75 * mile, Y: cellM / 2})
	city.AddPost("unit 2", "car", geo.Point{X: 0.75 * mile, Y: cellM / 2})
	const fast = 1e5 / 3.6
	cfg := &sim.Config{
		Name: "rectangular-city", City: city, Travel: geo.Travel{Metric: geo.Manhattan, Detour: 1},
		Duration: days * 86400, Warmup: 2 * 86400,
		Incidents: sim.Incidents{
			PerDay:      1.25 * 24,
			ReportDelay: sim.Dist{Kind: sim.Fixed},
			Types:       []sim.IncidentType{{Name: "call", Priority: 1, Share: 1, OnScene: sim.Dist{Kind: sim.Exponential, Mean: 3600}, Officers: 1}},
		},
		Units: []sim.UnitType{{Name: "car", Count: 2, Squad: 1, Speed: fast, PatrolSpeed: fast,
			ShiftLen: 86400, Home: policy.HomePost, PostKind: "car", Priorities: [4]bool{false, true, true, true}}},
		Dispatch: sim.Dispatch{MutualAid: true, LostCalls: true},
	}
	for h := range cfg.Incidents.HourOfDay {
		cfg.Incidents.HourOfDay[h] = 1
	}
	for d := range cfg.Incidents.DayOfWeek {
		cfg.Incidents.DayOfWeek[d] = 1
	}
	v, err := hypercube.ComparedVariant(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v.Mode = sim.Hierarchical
	for u, want := range []int{0, 1} {
		if got := v.Model.World.Units[u].District; got != want {
			t.Fatalf("unit %d homed in district %d, want %d", u, got, want)
		}
	}
	return cfg, v
}

// rectCityRows simulates the book's city for several boundaries (reps
// replications of 60 days from a fixed seed) and returns the rows of
// docs/validation.md: workloads ρ1, ρ2 and the mean travel distance of the
// answered calls against the exact hypercube of rectCityCube. The book's
// travel is east–west only; the simulator's is Manhattan over a strip of
// height h = 2/504 mile with the units on its mid-line, which adds h/4 to
// every trip on average whoever answers (calls are uniform in y): the
// analytic travel is the book's plus h/4 (0.001 mile).
func rectCityRows(t *testing.T, ctx context.Context, reps int) []validationRow {
	t.Helper()
	ns := 2.0 / rectCityCols / 4 // mean north–south distance, miles
	var rows []validationRow
	for _, b := range []struct {
		w    float64
		name string
	}{
		{0.5, "w = 1/2 (equal travel)"},
		{53.0 / 126, "w* = 53/126 (optimal)"},
		{0.25, "w = 1/4"},
		{0.75, "w = 3/4"},
	} {
		h, tt := rectCityCube(b.w)
		sol, err := h.Exact()
		if err != nil {
			t.Fatal(err)
		}
		_, bar := sol.MeanTravel(tt)
		cfg, v := rectCityConfig(t, b.w, rectCityDays)
		sr, err := hypercube.SimulateVariant(ctx, v, []int{0, 1}, 20260101, reps, 2)
		if err != nil {
			t.Fatal(err)
		}
		speed := cfg.Units[0].Speed
		src := "exact hypercube; L&O §5.3.3"
		for u := range 2 {
			rows = append(rows, validationRow{Case: fmt.Sprintf("rectangular city, %s: ρ%d", b.name, u+1),
				Source: src, Analytic: sol.Workload[u], Scale: 100, Unit: "%", Sim: sr.Workload[u]})
		}
		// Travel time (s) as distance (miles).
		k := speed / mile
		tr := results.Estimate{Mean: sr.Travel.Mean * k, Low: sr.Travel.Low * k, High: sr.Travel.High * k, N: sr.Travel.N}
		rows = append(rows, validationRow{Case: fmt.Sprintf("rectangular city, %s: travel", b.name),
			Source: src + ", eq. 5.36 (note 2)", Analytic: bar + ns, Scale: 1, Unit: "mi", Sim: tr})
	}
	return rows
}

// rectCityDays is the length of each replication of the rectangular city
// (2 days of warm-up included): about 1.25 × 24 × 998 ≈ 30 000 calls, for
// standard errors near 0.2 percentage points on the workloads.
const rectCityDays = 1000
