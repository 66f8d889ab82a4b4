package geo

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// ---------------------------------------------------------------------------
// Route geometry

// mustRoute builds a route or fails the test.
func mustRoute(t *testing.T, path ...Point) Route {
	t.Helper()
	rt, err := NewRoute("r", "", path)
	if err != nil {
		t.Fatalf("NewRoute(%v): %v", path, err)
	}
	return rt
}

// openL is an open L-shaped route: 300 m east, then 400 m north. Length
// 300 + 400 = 700 m; ridden there and back, its loop is 2·700 = 1400 m.
var openL = []Point{{0, 0}, {300, 0}, {300, 400}}

// square is a closed route round the 100 m square, counter-clockwise from
// the origin: length = loop = 4·100 = 400 m.
var square = []Point{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}

func TestRouteLengths(t *testing.T) {
	nearlyClosed := 200 + math.Hypot(100-1e-9, 100)
	tests := []struct {
		name         string
		path         []Point
		closed       bool
		length, loop float64
	}{
		{"open L", openL, false, 700, 1400},
		{"closed square", square, true, 400, 400},
		// One segment, 3-4-5: length 5, there and back 10.
		{"one segment", []Point{{0, 0}, {3, 4}}, false, 5, 10},
		// A repeated point adds nothing: 100 m, there and back 200 m.
		{"repeated point", []Point{{0, 0}, {0, 0}, {100, 0}}, false, 100, 200},
		// Out and back drawn explicitly is a closed path of 2·100 m.
		{"out and back drawn", []Point{{0, 0}, {100, 0}, {0, 0}}, true, 200, 200},
		// The last point only nearly equals the first: open, of length
		// 100 + 100 + hypot(100 − 1e-9, 100), ridden there and back.
		{"nearly closed is open", []Point{{0, 0}, {100, 0}, {100, 100}, {1e-9, 0}}, false, nearlyClosed, 2 * nearlyClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := mustRoute(t, tt.path...)
			if got := rt.Closed(); got != tt.closed {
				t.Errorf("Closed: got %v, want %v", got, tt.closed)
			}
			closeTo(t, "Length", rt.Length(), tt.length, 1e-9)
			closeTo(t, "LoopLength", rt.LoopLength(), tt.loop, 1e-9)
		})
	}
}

func TestRoutePointAt(t *testing.T) {
	tests := []struct {
		name string
		path []Point
		s    float64
		want Point
	}{
		// Open L (length 700, loop 1400).
		{"open: start", openL, 0, Point{0, 0}},
		{"open: mid first segment", openL, 150, Point{150, 0}},
		{"open: first vertex", openL, 300, Point{300, 0}},
		{"open: mid second segment", openL, 500, Point{300, 200}}, // 300 + 200
		{"open: end", openL, 700, Point{300, 400}},
		// The way back: s in [700, 1400) is at 1400 − s.
		{"open: back, 1400−900 = 500", openL, 900, Point{300, 200}},
		{"open: back at the vertex, 1400−1100 = 300", openL, 1100, Point{300, 0}},
		{"open: back, 1400−1250 = 150", openL, 1250, Point{150, 0}},
		{"open: just before home, 1400−1399 = 1", openL, 1399, Point{1, 0}},
		// Beyond one loop: modulo 1400.
		{"open: one loop", openL, 1400, Point{0, 0}},
		{"open: loop + 150", openL, 1550, Point{150, 0}},
		{"open: 3 loops + 500", openL, 3*1400 + 500, Point{300, 200}},
		{"open: 2 loops + 900 (back)", openL, 2*1400 + 900, Point{300, 200}},
		// Negative s: −150 ≡ 1250 (back, at 150); −900 ≡ 500; −1400 ≡ 0.
		{"open: −150", openL, -150, Point{150, 0}},
		{"open: −900", openL, -900, Point{300, 200}},
		{"open: −1400", openL, -1400, Point{0, 0}},
		// Closed square (length = loop = 400): round and round.
		{"closed: start", square, 0, Point{0, 0}},
		{"closed: mid first side", square, 50, Point{50, 0}},
		{"closed: second vertex", square, 100, Point{100, 0}},
		{"closed: mid third side, 250 = 200 + 50 west", square, 250, Point{50, 100}},
		{"closed: mid fourth side, 350 = 300 + 50 south", square, 350, Point{0, 50}},
		{"closed: one loop", square, 400, Point{0, 0}},
		{"closed: loop + 50", square, 450, Point{50, 0}},
		{"closed: −50 ≡ 350", square, -50, Point{0, 50}},
		{"closed: −400 ≡ 0", square, -400, Point{0, 0}},
		// A repeated point is skipped: 50 m is halfway to (100, 0).
		{"repeated point: 0", []Point{{0, 0}, {0, 0}, {100, 0}}, 0, Point{0, 0}},
		{"repeated point: 50", []Point{{0, 0}, {0, 0}, {100, 0}}, 50, Point{50, 0}},
		{"repeated point in the middle", []Point{{0, 0}, {100, 0}, {100, 0}, {100, 100}}, 150, Point{100, 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := mustRoute(t, tt.path...)
			// 1e-9 m: exact up to float rounding.
			if got := rt.PointAt(tt.s); !samePoint(got, tt.want, 1e-9) {
				t.Errorf("PointAt(%g): got %+v, want %+v", tt.s, got, tt.want)
			}
		})
	}
}

// TestRoutePointAtWalk checks that PointAt moves at unit speed along the
// loop: the distance between points 1 m apart in s is 1 m except across a
// corner (less, never more), and the walk ends where it began.
func TestRoutePointAtWalk(t *testing.T) {
	for _, path := range [][]Point{openL, square} {
		rt := mustRoute(t, path...)
		loop := rt.LoopLength()
		prev := rt.PointAt(0)
		for s := 1.0; s <= loop; s++ {
			p := rt.PointAt(s)
			if d := prev.Dist(p); d > 1+1e-9 || d < 0.7 { // a right-angle corner cut at worst: √(0.5²+0.5²) ≈ 0.707
				t.Fatalf("route %v: PointAt(%g) is %g m from PointAt(%g), want 1 m or a corner", path, s, d, s-1)
			}
			prev = p
		}
		if !samePoint(prev, path[0], 1e-9) {
			t.Errorf("route %v: after one loop at %+v, want the start %+v", path, prev, path[0])
		}
	}
}

func TestRouteNearest(t *testing.T) {
	tests := []struct {
		name  string
		path  []Point
		p     Point
		s, d  float64
		point Point // PointAt(s)
	}{
		// Open L: (0,0) → (300,0) → (300,400).
		{"beside the first segment", openL, Point{150, 30}, 150, 30, Point{150, 0}},
		{"beside the second segment", openL, Point{350, 200}, 500, 50, Point{300, 200}}, // 300 + 200
		{"on the route", openL, Point{300, 123}, 423, 0, Point{300, 123}},
		{"before the start: 3-4-5", openL, Point{-30, -40}, 0, 50, Point{0, 0}},
		{"beyond the end", openL, Point{400, 500}, 700, math.Hypot(100, 100), Point{300, 400}},
		{"outside the corner", openL, Point{350, -50}, 300, math.Hypot(50, 50), Point{300, 0}},
		// (200, 100) is 100 m from (200, 0) on the first segment and from
		// (300, 100) on the second: the tie goes to the smaller s, 200.
		{"tie: smaller s", openL, Point{200, 100}, 200, 100, Point{200, 0}},
		// The centre of the square is 50 m from every side: the first, at 50.
		{"closed: centre, tie", square, Point{50, 50}, 50, 50, Point{50, 0}},
		{"closed: outside the third side", square, Point{30, 180}, 270, 80, Point{30, 100}}, // 200 + (100 − 30)
		// (−10, −10) is nearest the start, s = 0 (not 400, the same point).
		{"closed: near the start", square, Point{-10, -10}, 0, math.Hypot(10, 10), Point{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := mustRoute(t, tt.path...)
			s, d := rt.Nearest(tt.p)
			closeTo(t, "s", s, tt.s, 1e-9)
			closeTo(t, "d", d, tt.d, 1e-9)
			if got := rt.PointAt(s); !samePoint(got, tt.point, 1e-9) {
				t.Errorf("PointAt(s = %g): got %+v, want %+v", s, got, tt.point)
			}
			closeTo(t, "distance to PointAt(s)", tt.p.Dist(rt.PointAt(s)), d, 1e-9)
		})
	}
}

// TestRouteNearestBruteForce compares Nearest with the nearest of points
// sampled every 0.5 m along the path: the sample is at most 0.25 m from the
// true nearest point, so its distance is at most 0.25 m more.
func TestRouteNearestBruteForce(t *testing.T) {
	rt := mustRoute(t, Point{0, 0}, Point{200, 50}, Point{150, 300}, Point{-100, 250}, Point{20, 20})
	for _, p := range []Point{{100, 100}, {-50, 0}, {300, 300}, {0, 400}, {60, 130}, {175, 175}} {
		_, d := rt.Nearest(p)
		best := math.Inf(1)
		for s := 0.0; s <= rt.Length(); s += 0.5 {
			best = min(best, p.Dist(rt.PointAt(s)))
		}
		if d > best+1e-9 || d < best-0.25 {
			t.Errorf("Nearest(%+v): d = %g, sampled minimum %g: want d in [%g, %g]", p, d, best, best-0.25, best)
		}
	}
}

func TestNewRouteErrors(t *testing.T) {
	tests := []struct {
		name string
		path []Point
		want string
	}{
		{"no point", nil, "at least 2 distinct points (got no point)"},
		{"one point", []Point{{1, 2}}, "(got 1 point)"},
		{"all equal", []Point{{1, 2}, {1, 2}, {1, 2}}, "(got 3 points, all equal)"},
		{"NaN", []Point{{0, 0}, {math.NaN(), 5}}, "point 1 (NaN, 5) is not finite"},
		{"infinite", []Point{{math.Inf(-1), 0}, {0, 0}}, "point 0 (-Inf, 0) is not finite"},
		// Finite points whose distance overflows: 2e308 > MaxFloat64.
		{"too long", []Point{{-1e308, 0}, {1e308, 0}}, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRoute("r", "", tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewRoute(%v): got error %v, want one containing %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestRouteNotBuiltPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func(rt *Route)
	}{
		{"Length", func(rt *Route) { rt.Length() }},
		{"PointAt", func(rt *Route) { rt.PointAt(1) }},
		{"Nearest", func(rt *Route) { rt.Nearest(Point{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "not built by NewRoute") {
					t.Errorf("got panic %v, want one saying the route was not built by NewRoute", r)
				}
			}()
			tt.f(&Route{Name: "literal", Path: []Point{{0, 0}, {1, 0}}})
		})
	}
}

// ---------------------------------------------------------------------------
// AddRoute

func TestAddRoute(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 2, Cols: 2, CellM: 100, Districts: 1})
	path := []Point{{50, 50}, {150, 50}, {150, 150}}
	if err := c.AddRoute("east-north", "car", path); err != nil {
		t.Fatalf("AddRoute: %v", err)
	}
	path[0] = Point{-1, -1} // the route keeps its own copy
	if len(c.Routes) != 1 {
		t.Fatalf("routes: got %d, want 1", len(c.Routes))
	}
	rt := &c.Routes[0]
	if rt.Name != "east-north" || rt.Kind != "car" {
		t.Errorf("name, kind: got %q, %q, want %q, %q", rt.Name, rt.Kind, "east-north", "car")
	}
	if want := []Point{{50, 50}, {150, 50}, {150, 150}}; !slices.Equal(rt.Path, want) {
		t.Errorf("Path: got %v, want %v", rt.Path, want)
	}
	closeTo(t, "Length", rt.Length(), 200, 1e-9) // 100 east + 100 north

	err := c.AddRoute("stub", "", []Point{{5, 5}})
	if err == nil || !strings.Contains(err.Error(), `route "stub"`) || !strings.Contains(err.Error(), "2 distinct points") {
		t.Errorf("AddRoute(one point): got error %v, want one naming route \"stub\" and 2 distinct points", err)
	}
	if len(c.Routes) != 1 {
		t.Errorf("after an error: got %d routes, want still 1", len(c.Routes))
	}
}

// ---------------------------------------------------------------------------
// RoutesFromGeoJSON

// lineFeature returns a GeoJSON feature with the given properties (a JSON
// object body, without braces) and geometry (type and coordinates JSON).
func lineFeature(props, typ, coords string) string {
	return `{"type":"Feature","properties":{` + props + `},"geometry":{"type":"` + typ + `","coordinates":` + coords + `}}`
}

// haversine returns the great-circle distance in metres between two lon/lat
// points on the sphere of radius earthRadius.
func haversine(lon0, lat0, lon1, lat1 float64) float64 {
	rad := math.Pi / 180
	dlat, dlon := (lat1-lat0)*rad, (lon1-lon0)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat0*rad)*math.Cos(lat1*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(a))
}

func TestRoutesFromGeoJSON(t *testing.T) {
	c, err := FromGeoJSON(threeSquares, AreaFields{District: "district"})
	if err != nil {
		t.Fatalf("FromGeoJSON: %v", err)
	}
	data := collection(
		lineFeature(`"name":"Main","kind":"car"`, "LineString", `[[-87.71,41.805],[-87.69,41.805]]`),
		lineFeature(`"name":"Loop"`, "MultiLineString",
			`[[[-87.705,41.80],[-87.705,41.82]],[[-87.71,41.81],[-87.70,41.81],[-87.70,41.82],[-87.71,41.81]]]`),
		lineFeature(``, "LineString", `[[-87.70,41.80],[-87.70,41.80],[-87.70,41.81]]`),
		lineFeature(`"name":12,"kind":"foot"`, "MultiLineString", `[[[-87.71,41.80],[-87.70,41.80]]]`),
	)
	if err := c.RoutesFromGeoJSON(data); err != nil {
		t.Fatalf("RoutesFromGeoJSON: %v", err)
	}
	tests := []struct {
		name, kind string
		lonlat     [][2]float64
		closed     bool
	}{
		{"Main", "car", [][2]float64{{-87.71, 41.805}, {-87.69, 41.805}}, false},
		// A MultiLineString gives one route per part, named NAME-1, NAME-2.
		{"Loop-1", "", [][2]float64{{-87.705, 41.80}, {-87.705, 41.82}}, false},
		{"Loop-2", "", [][2]float64{{-87.71, 41.81}, {-87.70, 41.81}, {-87.70, 41.82}, {-87.71, 41.81}}, true},
		// No name: "route" + feature index; a repeated point is allowed.
		{"route2", "", [][2]float64{{-87.70, 41.80}, {-87.70, 41.80}, {-87.70, 41.81}}, false},
		// A numeric name reads as text; one part is still NAME-1.
		{"12-1", "foot", [][2]float64{{-87.71, 41.80}, {-87.70, 41.80}}, false},
	}
	if len(c.Routes) != len(tests) {
		t.Fatalf("routes: got %d, want %d", len(c.Routes), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &c.Routes[i]
			if rt.Name != tt.name || rt.Kind != tt.kind {
				t.Errorf("name, kind: got %q, %q, want %q, %q", rt.Name, rt.Kind, tt.name, tt.kind)
			}
			var want []Point
			length := 0.0
			for j, ll := range tt.lonlat {
				want = append(want, c.ProjectLonLat(ll[0], ll[1]))
				if j > 0 {
					length += haversine(tt.lonlat[j-1][0], tt.lonlat[j-1][1], ll[0], ll[1])
				}
			}
			if !slices.Equal(rt.Path, want) {
				t.Errorf("Path: got %v, want the projected points %v", rt.Path, want)
			}
			if rt.Closed() != tt.closed {
				t.Errorf("Closed: got %v, want %v", rt.Closed(), tt.closed)
			}
			// Within 2 km of the projection's centre the scale error is
			// ~(x/R)²/2 < 1e-7, and a planar chord of a few km differs from
			// the great circle by far less: 1e-5 relative is ample.
			closeTo(t, "Length vs great circle", rt.Length(), length, 1e-5*length)
		})
	}
	// Sanity of the numbers: 0.02° of latitude is R·0.02·π/180 ≈ 2223.9 m.
	closeTo(t, "Loop-1 length", c.Routes[1].Length(), earthRadius*0.02*math.Pi/180, 0.1)
}

func TestRoutesFromGeoJSONErrors(t *testing.T) {
	good := lineFeature(`"name":"ok"`, "LineString", `[[-87.71,41.805],[-87.69,41.805]]`)
	tests := []struct {
		name string
		data []byte
		want []string // substrings of the error
	}{
		{"not JSON", []byte("{"), []string{"not a GeoJSON FeatureCollection"}},
		{"no features", collection(), []string{"no features"}},
		{
			"point", collection(good, lineFeature(`"name":"P"`, "Point", `[-87.7,41.8]`)),
			[]string{"feature 1 (P)", "geometry Point", "want LineString or MultiLineString"},
		},
		{
			"polygon", collection(squareFeature(-87.71, 41.80, 0.01, `"name":"sq"`)),
			[]string{"feature 0 (sq)", "geometry Polygon"},
		},
		{
			"null geometry", collection(`{"type":"Feature","properties":{},"geometry":null}`),
			[]string{"feature 0 (route0)", "geometry null"},
		},
		{
			"one point", collection(lineFeature(`"name":"short"`, "LineString", `[[-87.7,41.8]]`)),
			[]string{"feature 0 (short)", "at least 2 distinct points", "1 point"},
		},
		{
			"all points equal", collection(good, lineFeature(``, "LineString", `[[-87.7,41.8],[-87.7,41.8]]`)),
			[]string{"feature 1 (route1)", "2 points, all equal"},
		},
		{
			"projected metres, not lon/lat",
			collection(lineFeature(`"name":"utm"`, "LineString", `[[447000,4630000],[448000,4630000]]`)),
			[]string{"feature 0 (utm)", "point 0 (447000, 4.63e+06)", "outside lon/lat range", "WGS 84"},
		},
		{
			"latitude beyond 85°", collection(lineFeature(`"name":"N"`, "LineString", `[[10,84],[10,86]]`)),
			[]string{"feature 0 (N)", "point 1 (10, 86)", "outside lon/lat range"},
		},
		{
			"longitude beyond 180°", collection(lineFeature(`"name":"E"`, "LineString", `[[179,0],[181,0]]`)),
			[]string{"feature 0 (E)", "point 1", "outside lon/lat range"},
		},
		{
			"bad part of a MultiLineString",
			collection(lineFeature(`"name":"M"`, "MultiLineString", `[[[-87.71,41.80],[-87.70,41.80]],[[-87.70,41.80]]]`)),
			[]string{"feature 0 (M), part 2", "2 distinct points"},
		},
		{
			"MultiLineString without parts", collection(lineFeature(`"name":"E"`, "MultiLineString", `[]`)),
			[]string{"feature 0 (E)", "without parts"},
		},
		{
			// Every feature's errors, on one line.
			"several errors",
			collection(lineFeature(`"name":"A"`, "Point", `[-87.7,41.8]`), good, lineFeature(`"name":"C"`, "LineString", `[[-87.7,41.8]]`)),
			[]string{"feature 0 (A): geometry Point", "; feature 2 (C): "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromGeoJSON(threeSquares, AreaFields{District: "district"})
			if err != nil {
				t.Fatalf("FromGeoJSON: %v", err)
			}
			if err := c.AddRoute("existing", "", []Point{{0, 0}, {10, 0}}); err != nil {
				t.Fatalf("AddRoute: %v", err)
			}
			err = c.RoutesFromGeoJSON(tt.data)
			if err == nil {
				t.Fatalf("got %d routes and no error, want an error containing %q", len(c.Routes), tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("got a multi-line error %q, want one line", err)
			}
			// Atomic: the route added before is the only one.
			if len(c.Routes) != 1 || c.Routes[0].Name != "existing" {
				t.Errorf("routes after the error: got %d (%v), want only \"existing\"", len(c.Routes), c.Routes)
			}
		})
	}
}

func TestRoutesFromGeoJSONGridCity(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 2, Cols: 2, CellM: 100, Districts: 1})
	data := collection(lineFeature(`"name":"x"`, "LineString", `[[10,10],[150,10]]`))
	err := c.RoutesFromGeoJSON(data)
	if err == nil || !strings.Contains(err.Error(), "a grid city has no lon/lat") {
		t.Errorf("got error %v, want one saying a grid city has no lon/lat", err)
	}
	if len(c.Routes) != 0 {
		t.Errorf("routes: got %d, want 0", len(c.Routes))
	}
}
