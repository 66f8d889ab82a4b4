package results

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// testConfig is a configuration with every family: two unit types, two
// incident types (one deterrable), two districts, targets for priorities
// 1 and 3.
func testConfig(t *testing.T) *sim.Config {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 2})
	if err != nil {
		t.Fatal(err)
	}
	return &sim.Config{
		City: city, Duration: 1000, Warmup: 100,
		Incidents: sim.Incidents{Types: []sim.IncidentType{{Name: "theft", Priority: 2, Deterrable: 0.5}, {Name: "fight", Priority: 1}}},
		Units: []sim.UnitType{{Name: "car", Count: 2, Home: policy.HomeDistrict},
			{Name: "foot", Count: 1, Home: policy.HomeDistrict}},
		Targets: [4]float64{0, 300, 0, 1800},
	}
}

// TestMetricOrder: the names and order of Metrics are a contract (the
// columns of replications.csv and rows.csv, the keys of results.json).
// The list below is what Metrics gave before the registry, for this
// configuration, with the metrics added since at the end.
func TestMetricOrder(t *testing.T) {
	want := strings.Fields(`incidents unresolved lost_share response_mean_s response_median_s response_p90_s
		response_mean_s_p1 response_median_s_p1 response_p90_s_p1 within_target_p1
		response_mean_s_p2 response_median_s_p2 response_p90_s_p2
		response_mean_s_p3 response_median_s_p3 response_p90_s_p3 within_target_p3
		command_delay_mean_s queue_wait_mean_s travel_mean_s full_strength_mean_s utilization
		cross_district_share outside_beat_share utilization_car utilization_foot
		incidents_realised incidents_realised_day incidents_realised_night
		incidents_prevented incidents_prevented_day incidents_prevented_night
		incidents_displaced incidents_displaced_space incidents_displaced_time incidents_displaced_night
		incidents_near_repeat discovered_share visibility zero_incident_atoms workload_cv
		incidents_p1 incidents_p2 incidents_p3 incidents_type_theft incidents_type_fight
		incidents_district_D1 incidents_district_D2 prevented_type_theft
		prevented_district_D1 prevented_district_D2
		wait_share prevented_per_1000_month
		zero_crime_atoms victim_wait_mean_s victim_wait_mean_s_p1 victim_wait_mean_s_p2 victim_wait_mean_s_p3
		zero_atoms_type_theft zero_atoms_type_fight coverage command_queue_wait_mean_s
		crimes_realised crimes_realised_night`)
	var got []string
	for _, m := range Metrics(testConfig(t)) {
		got = append(got, m.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Metrics:\ngot  %v\nwant %v", got, want)
	}
}

// TestRegistry: every declared metric has a label, a doc, a kind, and is
// found again by its name with the same description; names are unique.
func TestRegistry(t *testing.T) {
	cfg := testConfig(t)
	m, err := sim.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, mt := range RunMetrics(cfg, []sim.Variant{{Model: m}}) {
		if seen[mt.Name] {
			t.Errorf("%s listed twice", mt.Name)
		}
		seen[mt.Name] = true
		if mt.Label == "" || mt.Doc == "" || mt.Kind == KindUnknown || strings.Contains(mt.Name+mt.Label+mt.Doc, "{k}") {
			t.Errorf("%s: incomplete declaration %+v", mt.Name, mt)
		}
		if len(mt.Header()) > 25 && mt.Table {
			t.Errorf("%s: header %q is longer than the table's 25 columns", mt.Name, mt.Header())
		}
		got, ok := Lookup(mt.Name)
		if !ok || got.Name != mt.Name || got.Label != mt.Label || got.Kind != mt.Kind || got.Better != mt.Better || got.Table != mt.Table {
			t.Errorf("Lookup(%s) = %+v, %v; want %+v", mt.Name, got, ok, mt)
		}
	}
	for _, name := range []string{"utilization_unit_car-1", "utilization_unit_car-2", "utilization_unit_foot-1", "wait_share"} {
		if !seen[name] {
			t.Errorf("RunMetrics has no %s", name)
		}
	}
	for _, name := range []string{"no_such_metric", "response_p90_s_p4", "response_p90_s_p", "incidents_type_"} {
		if m, ok := Lookup(name); ok {
			t.Errorf("Lookup(%s) = %+v, want none", name, m)
		}
	}
}

// TestFormat: how each kind is shown, the same on every screen.
func TestFormat(t *testing.T) {
	p90, _ := Lookup("response_p90_s_p1")
	vis, _ := Lookup("visibility")
	inc, _ := Lookup("incidents")
	cv, _ := Lookup("workload_cv")
	nan := math.NaN()
	for _, tc := range []struct {
		m            Metric
		e            Estimate
		header, cell string
	}{
		// 327.6 s = 5.46 min; the half-width 15.6 s = 0.26 min.
		{p90, Estimate{Mean: 327.6, Low: 312, High: 343.2}, "P1 response, p90 (min)", "5.46 ± 0.26"},
		{p90, Estimate{Mean: math.Inf(1), Low: nan, High: nan}, "P1 response, p90 (min)", "∞ (unanswered)"},
		{vis, Estimate{Mean: 0.2534, Low: 0.2514, High: 0.2554}, "visibility (%)", "25.3 ± 0.2"},
		{inc, Estimate{Mean: 784.4, Low: 760, High: 808.8}, "incidents called in", "784 ± 24"},
		{inc, Estimate{Mean: 784.5, Low: nan, High: nan}, "incidents called in", "784"}, // ties go to the even digit
		{cv, Estimate{Mean: nan, Low: nan, High: nan}, "workload CV", "–"},
	} {
		if h := tc.m.Header(); h != tc.header {
			t.Errorf("%s: header %q, want %q", tc.m.Name, h, tc.header)
		}
		if c := tc.m.Cell(tc.e); c != tc.cell {
			t.Errorf("%s: cell %q, want %q", tc.m.Name, c, tc.cell)
		}
	}
	if k := (Metric{Name: "no_such_metric"}); Describe(k).Header() != "no_such_metric" || Describe(k).Kind != KindUnknown {
		t.Errorf("undeclared metric: %+v", Describe(k))
	}
}

// TestValueByDeclaration: a collector computes a metric from its
// declaration, whatever list it comes in, and gives NaN for a key its run
// does not have.
func TestValueByDeclaration(t *testing.T) {
	cfg := testConfig(t)
	m, err := sim.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(m)
	c.OnDuty(0, 0, 1000)
	c.Busy(0, 100, 550) // 450 of 900 s in the window
	ms := Metrics(cfg)
	slices.Reverse(ms)
	vals := c.ValuesFor(ms)
	for i, mt := range ms {
		if v := c.Value(mt); !(v == vals[i] || v != v && vals[i] != vals[i]) {
			t.Errorf("%s: Value %v, ValuesFor %v", mt.Name, v, vals[i])
		}
	}
	for _, tc := range []struct {
		name string
		want float64
	}{
		{"utilization_car", 0.5},
		{"utilization", 0.5},
		{"utilization_foot", math.NaN()},         // never on duty
		{"utilization_unit_car-1", 0.5},          // by unit: the first car
		{"utilization_unit_car-2", math.NaN()},   // never on duty
		{"utilization_unit_car-9", math.NaN()},   // no such unit in this force
		{"utilization_no_such_type", math.NaN()}, // no such unit type
		{"incidents_district_D2", 0},             // declared, found by name alone
		{"incidents_district_D9", math.NaN()},    // no such district
		{"response_mean_s_p2", math.NaN()},       // no priority-2 call
		{"zero_incident_atoms", 2},               // both areas can have incidents, none had one
		{"no_such_metric", math.NaN()},           // not declared
	} {
		got := c.Value(Metric{Name: tc.name})
		if !(got == tc.want || got != got && tc.want != tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRunMetricsUnion: the per-unit metrics of a run are those of the
// union of its variants' forces, by unit type then number, after every
// metric of Metrics; a variant without a unit has no value for it.
func TestRunMetricsUnion(t *testing.T) {
	cfg := testConfig(t) // 2 cars, 1 foot patrol
	big := *cfg
	big.Units = slices.Clone(cfg.Units)
	big.Units[1].Count = 3 // a variant with 3 foot patrols
	m1, err := sim.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := sim.NewModel(&big)
	if err != nil {
		t.Fatal(err)
	}
	ms := RunMetrics(cfg, []sim.Variant{{Model: m1}, {Model: m2}})
	base := Metrics(cfg)
	var units []string
	for _, m := range ms[len(base):] {
		units = append(units, m.Name)
	}
	want := []string{"utilization_unit_car-1", "utilization_unit_car-2", "utilization_unit_foot-1", "utilization_unit_foot-2", "utilization_unit_foot-3"}
	if !slices.Equal(units, want) || !slices.EqualFunc(ms[:len(base)], base, func(a, b Metric) bool { return a.Name == b.Name }) {
		t.Fatalf("RunMetrics: per-unit %v, want %v after Metrics", units, want)
	}
	for _, m := range ms[len(base):] {
		if m.Table {
			t.Errorf("%s is a row of the terminal table", m.Name)
		}
	}
	c := NewCollector(m1)
	c.OnDuty(2, 0, 1000)
	c.Busy(2, 100, 280) // 180 of 900 s
	vals := c.ValuesFor(ms)
	got := map[string]float64{}
	for i, m := range ms {
		got[m.Name] = vals[i]
	}
	if got["utilization_unit_foot-1"] != 0.2 || !math.IsNaN(got["utilization_unit_foot-3"]) {
		t.Errorf("foot-1 %v (want 0.2), foot-3 %v (want NaN: not in this force)", got["utilization_unit_foot-1"], got["utilization_unit_foot-3"])
	}
}

// TestWaitShare: a counted call waits when its first unit is sent after
// it was ready for dispatch, or never; a call sent at once, a lost call
// and a call never ready do not.
func TestWaitShare(t *testing.T) {
	cfg := testConfig(t)
	m, err := sim.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(m)
	nan := math.NaN()
	for _, r := range []sim.IncidentRecord{
		{Priority: 1, Call: 200, Ready: 260, Dispatch: 260, Arrive: 400}, // sent at once
		{Priority: 1, Call: 300, Ready: 360, Dispatch: 500, Arrive: 700}, // waited 140 s
		{Priority: 2, Call: 400, Ready: 460, Dispatch: nan, Arrive: nan}, // never sent: waited
		{Priority: 2, Call: 500, Ready: 560, Dispatch: nan, Lost: true},  // lost: did not wait
		{Priority: 3, Call: 990, Ready: nan, Dispatch: nan, Arrive: nan}, // never ready
		{Priority: 3, Call: 50, Ready: 60, Dispatch: 900, Arrive: 950},   // before the window
	} {
		c.Incident(&r)
	}
	wait, _ := Lookup("wait_share")
	lost, _ := Lookup("lost_share")
	if got := c.Value(wait); got != 2.0/5 {
		t.Errorf("wait_share = %v, want 2/5", got)
	}
	if got := c.Value(lost); got != 1.0/5 {
		t.Errorf("lost_share = %v, want 1/5", got)
	}
}
