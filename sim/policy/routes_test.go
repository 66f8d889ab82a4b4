package policy_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// routesWorld is a 6×6 grid of 100 m cells in three districts (district
// bases (50,250), (250,250), (450,250): each 100 m or more from every route)
// with three routes:
//
//	0 "A", kind T0: open, (50,50) → (550,50): length 500 m, loop 1000 m;
//	1 "B", kind T0: closed rectangle (150,150) → (550,150) → (550,450) →
//	  (150,450) → (150,150): length = loop = 400+300+400+300 = 1400 m;
//	2 "C", no kind: open, (50,550) → (550,550): loop 1000 m;
//
// and a post at (250, 350). Types T0 and T1 are homed in districts (no route
// has kind T1), T2 is a community team and T3 a post.
func routesWorld(t *testing.T) *policy.World {
	t.Helper()
	c := mustGrid(t, geo.GridSpec{Rows: 6, Cols: 6, CellM: 100, Districts: 3})
	c.AddPost("P1", "platform", geo.Point{X: 250, Y: 350})
	for _, r := range []struct {
		name, kind string
		path       []geo.Point
	}{
		{"A", "T0", []geo.Point{{X: 50, Y: 50}, {X: 550, Y: 50}}},
		{"B", "T0", []geo.Point{{X: 150, Y: 150}, {X: 550, Y: 150}, {X: 550, Y: 450}, {X: 150, Y: 450}, {X: 150, Y: 150}}},
		{"C", "", []geo.Point{{X: 50, Y: 550}, {X: 550, Y: 550}}},
	} {
		if err := c.AddRoute(r.name, r.kind, r.path); err != nil {
			t.Fatalf("AddRoute(%s): %v", r.name, err)
		}
	}
	return &policy.World{City: c, Units: []policy.Unit{
		districtUnit(c, 0, 0),   // 0: T0, 1st of its type → route A
		districtUnit(c, 0, 1),   // 1: T0, 2nd → B
		districtUnit(c, 0, 2),   // 2: T0, 3rd → A (3 mod 2 routes of kind T0 = 0)
		districtUnit(c, 0, 0),   // 3: T0, 4th → B
		districtUnit(c, 0, 1),   // 4: T0, 5th → A
		districtUnit(c, 1, 0),   // 5: T1, 1st → route 0 of all three, A
		districtUnit(c, 1, 1),   // 6: T1, 2nd → B
		communityUnit(c, 2, 20), // 7: atom 20 = row 3, column 2
		postUnit(c, 3, 0),       // 8
		districtUnit(c, 1, 2),   // 9: T1, 3rd → C
	}}
}

// routeStart gives each district unit of routesWorld (all governed) its
// route and starting arc position: the units sharing a route, in unit order,
// are spaced loop/n apart from 0.
var routeStart = []struct {
	unit, route int
	start       float64   // metres along the loop
	at          geo.Point // PointAt(start), worked out by hand
}{
	// Route A (loop 1000) has units 0, 2, 4, 5: 1000/4 = 250 apart. On an
	// open route s and loop − s are the same place, ridden in opposite
	// directions: units 2 and 5 start together, one going out, one back.
	{0, 0, 0, geo.Point{X: 50, Y: 50}},
	{2, 0, 250, geo.Point{X: 300, Y: 50}},
	{4, 0, 500, geo.Point{X: 550, Y: 50}}, // the far end
	{5, 0, 750, geo.Point{X: 300, Y: 50}}, // back: 1000 − 750 = 250
	// Route B (loop 1400) has units 1, 3, 6: 1400/3 apart.
	{1, 1, 0, geo.Point{X: 150, Y: 150}},
	{3, 1, 1400.0 / 3, geo.Point{X: 550, Y: 150 + (1400.0/3 - 400)}}, // 400 east, then north
	{6, 1, 2800.0 / 3, geo.Point{X: 550 - (2800.0/3 - 700), Y: 450}}, // 400 east, 300 north, then west
	{9, 2, 0, geo.Point{X: 50, Y: 550}},                              // route C, alone
}

func near(p, q geo.Point, tol float64) bool { return p.Dist(q) <= tol }

func TestRoutesParams(t *testing.T) {
	spec, ok := policy.Lookup("routes")
	if !ok {
		t.Fatal(`Lookup("routes"): not registered`)
	}
	// Defaults: 400 m between stops, 60 s stops (routes.go).
	got, err := spec.Resolve(nil)
	if err != nil || got["step_m"] != 400 || got["dwell"] != 60 || len(got) != 2 {
		t.Errorf("Resolve(nil): got %v, %v, want step_m 400, dwell 60", got, err)
	}
	for _, tt := range []struct {
		raw  map[string]float64
		want string
	}{
		{map[string]float64{"step_m": 9}, "[10, 10000]"},
		{map[string]float64{"step_m": 10001}, "[10, 10000]"},
		{map[string]float64{"dwell": 0}, "[1, 86400]"},
		{map[string]float64{"step": 100}, `unknown parameter "step"`},
	} {
		if _, err := spec.Resolve(tt.raw); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Resolve(%v): got error %v, want one containing %q", tt.raw, err, tt.want)
		}
	}
}

func TestRoutesNoRoutes(t *testing.T) {
	c := mustGrid(t, geo.GridSpec{Rows: 2, Cols: 2, CellM: 100, Districts: 1})
	w := &policy.World{City: c, Units: []policy.Unit{districtUnit(c, 0, 0)}}
	spec, _ := policy.Lookup("routes")
	vals, _ := spec.Resolve(nil)
	p, err := spec.New(w, []int{0}, vals)
	if want := "policy routes: the city has no routes (city.routes)"; err == nil || err.Error() != want {
		t.Errorf("New without routes: got %v, %v, want error %q", p, err, want)
	}
}

// TestRoutesAssignment checks each unit's route (kind = type name, else all
// routes, round robin in unit order) and the even spacing of the units
// sharing a route, through each unit's first order: its starting point.
func TestRoutesAssignment(t *testing.T) {
	w := routesWorld(t)
	p := newPolicy(t, "routes", w, unitIndices(w), nil)
	r := rand.New(rand.NewPCG(11, 12)) // fixed seed; the policy draws only for community teams
	for _, tt := range routeStart {
		rt := &w.City.Routes[tt.route]
		// 1e-9 m: exact up to float rounding.
		if got := rt.PointAt(tt.start); !near(got, tt.at, 1e-9) {
			t.Fatalf("unit %d: PointAt(%g) on %s is %+v, but the table says %+v", tt.unit, tt.start, rt.Name, got, tt.at)
		}
		o := p.Next(0, tt.unit, w.Units[tt.unit].At, r)
		if !near(o.To, tt.at, 1e-9) || o.Dwell != 60 { // default dwell 60 s
			t.Errorf("unit %d first order: got %+v, want To %+v on route %s at %g m, Dwell 60", tt.unit, o, tt.at, rt.Name, tt.start)
		}
	}
}

// TestRoutesAdvance checks that successive orders of an undisturbed unit
// (each asked for from where the last one took it) advance step_m along the
// loop: order k is PointAt(start + k·step_m), through the corners, the far
// end of an open route and more than one loop.
func TestRoutesAdvance(t *testing.T) {
	const step, dwell = 150, 30 // metres, seconds: set below
	w := routesWorld(t)
	p := newPolicy(t, "routes", w, unitIndices(w), map[string]float64{"step_m": step, "dwell": dwell})
	r := rand.New(rand.NewPCG(13, 14)) // fixed seed
	for _, tt := range routeStart {
		rt := &w.City.Routes[tt.route]
		// 25 orders: 24·150 = 3600 m, over 2.5 loops of the longest route.
		for k, o := range orders(p, tt.unit, 25, r) {
			want := rt.PointAt(tt.start + float64(k)*step)
			// 1e-6 m: the policy reduces s modulo the loop at every stop,
			// so rounding adds up over the orders, but stays tiny.
			if !near(o.To, want, 1e-6) || o.Dwell != dwell {
				t.Fatalf("unit %d order %d: got %+v, want To %+v (PointAt(%g + %d·%d) on %s), Dwell %d",
					tt.unit, k, o, want, tt.start, k, step, rt.Name, dwell)
			}
		}
	}
}

// TestRoutesRejoin moves units off their route (as a call would) and checks
// where they rejoin it: at the nearest point, keeping their direction on an
// open route; back at their starting point when at home (a shift start);
// and not at all when within 50 m of their last stop.
func TestRoutesRejoin(t *testing.T) {
	w := routesWorld(t)
	p := newPolicy(t, "routes", w, unitIndices(w), map[string]float64{"step_m": 300})
	r := rand.New(rand.NewPCG(15, 16)) // fixed seed
	home0, home1 := w.Units[0].At, w.Units[1].At
	tests := []struct {
		unit int
		why  string
		pos  geo.Point // where the unit asks from
		want geo.Point // where it is sent
	}{
		// Unit 0 rides route A, (50,50) → (550,50) and back (loop 1000),
		// from s = 0, 300 m a stop.
		{0, "first order: its start, s = 0", home0, geo.Point{X: 50, Y: 50}},
		{0, "s = 300", geo.Point{X: 50, Y: 50}, geo.Point{X: 350, Y: 50}},
		{0, "40 m off: still on the route, s = 600, back at 1000−600 = 400",
			geo.Point{X: 350, Y: 90}, geo.Point{X: 450, Y: 50}},
		{0, "exactly 50 m off: still on, s = 900, back at 100",
			geo.Point{X: 450, Y: 100}, geo.Point{X: 150, Y: 50}},
		{0, "101 m off, way back: nearest point at 350 out, rejoined on the way back at s = 1000−350 = 650",
			geo.Point{X: 400, Y: 151}, geo.Point{X: 400, Y: 50}},
		{0, "s = 950: still going back, at 50", geo.Point{X: 400, Y: 50}, geo.Point{X: 100, Y: 50}},
		{0, "s = 1250 ≡ 250: round the start, going out", geo.Point{X: 100, Y: 50}, geo.Point{X: 300, Y: 50}},
		{0, "150 m off, going out: nearest point s = 250, rejoined there",
			geo.Point{X: 300, Y: 200}, geo.Point{X: 300, Y: 50}},
		{0, "s = 550: back at 450", geo.Point{X: 300, Y: 50}, geo.Point{X: 500, Y: 50}},
		{0, "beyond the far end: nearest is the end, s = 500", geo.Point{X: 700, Y: 80}, geo.Point{X: 550, Y: 50}},
		{0, "at home (a new shift): its start again", home0, geo.Point{X: 50, Y: 50}},
		{0, "s = 300", geo.Point{X: 50, Y: 50}, geo.Point{X: 350, Y: 50}},
		// Unit 1 rides the closed route B from s = 0 at (150,150).
		{1, "first order: its start", geo.Point{X: 9, Y: 9}, geo.Point{X: 150, Y: 150}},
		{1, "s = 300", geo.Point{X: 150, Y: 150}, geo.Point{X: 450, Y: 150}},
		{1, "off the west side: nearest (150,400), s = 1100 + 50 = 1150",
			geo.Point{X: 100, Y: 400}, geo.Point{X: 150, Y: 400}},
		{1, "s = 1450 ≡ 50: round the corner", geo.Point{X: 150, Y: 400}, geo.Point{X: 200, Y: 150}},
		{1, "at home: its start", home1, geo.Point{X: 150, Y: 150}},
	}
	for i, tt := range tests {
		o := p.Next(float64(i)*600, tt.unit, tt.pos, r)
		// 1e-9 m: exact up to float rounding.
		if !near(o.To, tt.want, 1e-9) {
			t.Errorf("step %d, unit %d (%s): from %+v got To %+v, want %+v", i, tt.unit, tt.why, tt.pos, o.To, tt.want)
		}
	}
}

func TestRoutesPostAndCommunityUnits(t *testing.T) {
	w := routesWorld(t)
	const dwell = 90 // seconds, set below
	p := newPolicy(t, "routes", w, unitIndices(w), map[string]float64{"dwell": dwell})
	r := rand.New(rand.NewPCG(17, 18)) // fixed seed
	for k, o := range orders(p, 8, 5, r) {
		if o.To != w.Units[8].At || !math.IsInf(o.Dwell, 1) {
			t.Errorf("post unit, order %d: got %+v, want To = its post %+v, Dwell = +Inf", k, o, w.Units[8].At)
		}
	}
	for k, o := range orders(p, 7, 100, r) {
		if a := w.City.Locate(o.To); a != 20 || o.Dwell != dwell {
			t.Errorf("community unit, order %d: got %+v in atom %d, want a point of its community 20, Dwell %d", k, o, a, dwell)
		}
	}
}

// TestRoutesSubset checks that the round robin and the spacing count only
// the governed units: of units 2, 3 and 6, unit 2 is the first T0 (route A),
// unit 3 the second (B), unit 6 the first T1 (all routes: A); A is shared by
// 2 and 6, 1000/2 = 500 m apart.
func TestRoutesSubset(t *testing.T) {
	w := routesWorld(t)
	p := newPolicy(t, "routes", w, []int{2, 3, 6}, nil)
	r := rand.New(rand.NewPCG(19, 20)) // fixed seed
	for _, tt := range []struct {
		unit int
		want geo.Point
	}{
		{2, geo.Point{X: 50, Y: 50}},   // A at 0
		{3, geo.Point{X: 150, Y: 150}}, // B at 0
		{6, geo.Point{X: 550, Y: 50}},  // A at 500: the far end
	} {
		if o := p.Next(0, tt.unit, w.Units[tt.unit].At, r); !near(o.To, tt.want, 1e-9) {
			t.Errorf("unit %d first order: got To %+v, want %+v", tt.unit, o.To, tt.want)
		}
	}
	defer func() {
		if rec := recover(); rec == nil || !strings.Contains(rec.(string), "not governed") {
			t.Errorf("Next for unit 0, not governed: got panic %v, want one saying so", rec)
		}
	}()
	p.Next(0, 0, w.Units[0].At, r)
}

// TestRoutesDeterministic builds the policy several times and asks each copy
// for the same orders, interleaving units, with positions drawn near and far
// from the routes so that units advance, rejoin and restart: every copy must
// give identical orders.
func TestRoutesDeterministic(t *testing.T) {
	run := func() []policy.Order {
		w := routesWorld(t)
		p := newPolicy(t, "routes", w, unitIndices(w), map[string]float64{"step_m": 170})
		r := rand.New(rand.NewPCG(21, 22))  // fixed seed, for the policy
		pr := rand.New(rand.NewPCG(23, 24)) // fixed seed, for the positions
		last := make([]geo.Point, len(w.Units))
		var out []policy.Order
		for k := range 2000 {
			u := k % len(w.Units)
			pos := last[u]
			switch pr.IntN(10) {
			case 0:
				pos = geo.Point{X: pr.Float64() * 600, Y: pr.Float64() * 600} // a call somewhere
			case 1:
				pos = w.Units[u].At // a new shift
			}
			o := p.Next(float64(k)*60, u, pos, r)
			last[u] = o.To
			out = append(out, o)
		}
		return out
	}
	first := run()
	for i := range 4 {
		again := run()
		for k := range first {
			if first[k] != again[k] {
				t.Fatalf("build %d, call %d: got %+v, want %+v as in the first build", i+2, k, again[k], first[k])
			}
		}
	}
}
