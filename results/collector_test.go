package results

import (
	"math"
	"testing"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

func TestCollector(t *testing.T) {
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 2})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &sim.Config{
		City: city, Duration: 1000, Warmup: 100,
		Incidents: sim.Incidents{Types: []sim.IncidentType{{Name: "a", Priority: 1}, {Name: "b", Priority: 3}}},
		Units:     []sim.UnitType{{Name: "car", Count: 2, Home: policy.HomeDistrict}},
		Targets:   [4]float64{0, 60, 0, 0},
	}
	m, err := sim.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(m)
	nan := math.NaN()
	rec := func(typ, prio, district int, call, ready, dispatch, arrive, full, clear float64) *sim.IncidentRecord {
		return &sim.IncidentRecord{Type: typ, Priority: prio, District: district, Needed: 1,
			Occur: call, Call: call, Ready: ready, Dispatch: dispatch, Arrive: arrive, Full: full, Clear: clear}
	}
	c.Incident(rec(0, 1, 0, 50, 60, 70, 90, 90, 200))            // before the window: not counted
	c.Incident(rec(0, 1, 0, 200, 210, 220, 250, 250, 400))       // response 50 (within 60)
	c.Incident(rec(0, 1, 1, 300, 310, 330, 400, 410, 500))       // response 100
	c.Incident(rec(1, 3, 1, 900, 910, nan, nan, nan, nan))       // unresolved
	c.Incident(rec(1, 3, 1, 1000, 1010, 1020, 1030, 1030, 1100)) // after the window
	c.Busy(0, 50, 150)                                           // 50 s in the window
	c.Busy(1, 900, 1200)                                         // 100 s in the window
	c.OnDuty(0, 0, 2000)
	c.OnDuty(1, 0, 2000) // 900 s each in the window
	vals := c.Values()
	if len(vals) != len(Metrics(cfg)) {
		t.Fatalf("%d values for %d metrics", len(vals), len(Metrics(cfg)))
	}
	got := map[string]float64{}
	for i, mt := range Metrics(cfg) {
		got[mt.Name] = vals[i]
	}
	want := map[string]float64{
		"incidents":       3,
		"unresolved":      1,
		"response_mean_s": 75,
		// Response times {50, 100, +Inf}: the unanswered call counts as
		// infinitely late in the quantiles, not in the mean.
		"response_median_s":     100, // empirical quantile at 0.5 of three values: the second
		"response_p90_s":        math.Inf(1),
		"response_mean_s_p1":    75,
		"within_target_p1":      0.5,
		"command_delay_mean_s":  10,
		"queue_wait_mean_s":     15, // (10 + 20) / 2; the unresolved call never waited to a dispatch
		"travel_mean_s":         50, // (30 + 70) / 2
		"full_strength_mean_s":  80, // (50 + 110) / 2
		"utilization":           150.0 / 1800,
		"utilization_car":       150.0 / 1800,
		"incidents_p1":          2,
		"incidents_p3":          1,
		"incidents_type_a":      2,
		"incidents_type_b":      1,
		"incidents_district_D1": 1,
		"incidents_district_D2": 2,
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !(g == w || math.Abs(g-w) <= 1e-9) {
			t.Errorf("%s = %v, want %v", k, g, w)
		}
	}
	if !math.IsNaN(got["response_mean_s_p2"]) {
		t.Errorf("response_mean_s_p2 = %v, want NaN (no priority-2 call)", got["response_mean_s_p2"])
	}
	if _, ok := got["within_target_p2"]; ok {
		t.Error("within_target_p2 listed although priority 2 has no target")
	}
}

// TestZeroWindow: with cfg.ZeroWindow the areas without crime (and without
// each type) are counted in each complete window and averaged. Two areas,
// a measurement window of 100 s … 1,000 s cut into three windows of 300 s
// (the last 0 s left over): a crime in area 0 in the first window and one
// in area 1 in the third, an incident of the non-crime type in area 1 in
// the second. Areas without crime: 1, 2, 1 → mean 4/3; without type b
// (the non-crime type): 2, 1, 2 → 5/3. Over the whole window (no
// ZeroWindow) no area is without crime.
func TestZeroWindow(t *testing.T) {
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		window      float64
		crime, typB float64
	}{{300, 4.0 / 3, 5.0 / 3}, {0, 0, 1}} {
		cfg := &sim.Config{
			City: city, Duration: 1000, Warmup: 100, ZeroWindow: tc.window,
			Incidents: sim.Incidents{Types: []sim.IncidentType{{Name: "a", Priority: 1, Crime: true}, {Name: "b", Priority: 3}}},
			Units:     []sim.UnitType{{Name: "car", Count: 1, Home: policy.HomeDistrict}},
		}
		m, err := sim.NewModel(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c := NewCollector(m)
		for _, r := range []sim.IncidentRecord{
			{Type: 0, Priority: 1, Atom: 0, Occur: 150},
			{Type: 1, Priority: 3, Atom: 1, Occur: 450},
			{Type: 0, Priority: 1, Atom: 1, Occur: 999},
			{Type: 0, Priority: 1, Atom: 0, Occur: 50}, // before the window
		} {
			r.Call = r.Occur
			c.Incident(&r)
		}
		vals := c.Values()
		got := map[string]float64{}
		for i, mt := range Metrics(cfg) {
			got[mt.Name] = vals[i]
		}
		if math.Abs(got["zero_crime_atoms"]-tc.crime) > 1e-12 || math.Abs(got["zero_atoms_type_b"]-tc.typB) > 1e-12 {
			t.Errorf("window %g: zero_crime_atoms %g, zero_atoms_type_b %g; want %g, %g",
				tc.window, got["zero_crime_atoms"], got["zero_atoms_type_b"], tc.crime, tc.typB)
		}
	}
}

// TestZeroWindowLabel: with a zero_window the labels of the areas-without
// metrics say the window, so that no screen shows a week's count as the
// run's; without one they are unchanged.
func TestZeroWindowLabel(t *testing.T) {
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		window      float64
		crime, typB string
	}{{7 * 86400, "areas without crime (7 d)", "areas without b (7 d)"}, {36 * 3600, "areas without crime (36 h)", "areas without b (36 h)"}, {0, "areas without crime", "areas without b"}} {
		cfg := &sim.Config{City: city, Duration: 30 * 86400, ZeroWindow: tc.window,
			Incidents: sim.Incidents{Types: []sim.IncidentType{{Name: "a", Priority: 1, Crime: true}, {Name: "b", Priority: 3}}}}
		got := map[string]string{}
		for _, m := range Metrics(cfg) {
			got[m.Name] = m.Label
		}
		if got["zero_crime_atoms"] != tc.crime || got["zero_atoms_type_b"] != tc.typB {
			t.Errorf("window %g s: labels %q, %q; want %q, %q", tc.window, got["zero_crime_atoms"], got["zero_atoms_type_b"], tc.crime, tc.typB)
		}
	}
}
