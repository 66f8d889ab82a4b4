package geo

import (
	"fmt"
	"github.com/patrolsim/patrolsim/internal/errlist"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Route is a patrol route: a line string in planar metres that units ride
// over and over. Build one with NewRoute, City.AddRoute or
// City.RoutesFromGeoJSON; a Route is read-only afterwards.
//
// Positions on a route are arc lengths s in metres from its first point,
// taken along its loop:
//   - a closed route (its last point equals its first) is ridden round and
//     round: the loop is the path itself, LoopLength() = Length();
//   - an open route is ridden there and back: out from the first point to the
//     last, then back along the same path, so LoopLength() = 2·Length(), and
//     for s in [L, 2L) the position is the point at 2L − s on the path.
//
// Any s is read modulo the loop length, negative s included.
type Route struct {
	Name string
	Kind string  // free text matched against unit type names; may be empty
	Path []Point // planar metres, at least 2 distinct points

	cum []float64 // cum[i]: length of the path up to Path[i]; cum[0] = 0
}

// NewRoute returns a route along path (planar metres), which it copies. It
// returns an error when a coordinate is not finite or the path has fewer
// than 2 distinct points. Repeated consecutive points are allowed.
func NewRoute(name, kind string, path []Point) (Route, error) {
	for i, p := range path {
		if !finite(p.X) || !finite(p.Y) {
			return Route{}, fmt.Errorf("point %d (%g, %g) is not finite", i, p.X, p.Y)
		}
	}
	rt := Route{Name: name, Kind: kind, Path: slices.Clone(path), cum: make([]float64, len(path))}
	for i := 1; i < len(path); i++ {
		rt.cum[i] = rt.cum[i-1] + path[i-1].Dist(path[i])
	}
	if len(path) < 2 || !(rt.Length() > 0) {
		return Route{}, fmt.Errorf("a route needs at least 2 distinct points (got %s)", distinctPoints(path))
	}
	if !finite(rt.LoopLength()) {
		return Route{}, fmt.Errorf("route too long to measure (%g m)", rt.Length())
	}
	return rt, nil
}

func distinctPoints(path []Point) string {
	switch {
	case len(path) == 0:
		return "no point"
	case len(path) == 1:
		return "1 point"
	}
	return fmt.Sprintf("%d points, all equal", len(path))
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// check panics if r was not built by NewRoute (a programmer error).
func (r *Route) check() {
	if len(r.cum) != len(r.Path) || len(r.Path) < 2 {
		panic("geo: Route " + strconv.Quote(r.Name) + " not built by NewRoute, AddRoute or RoutesFromGeoJSON")
	}
}

// Closed reports whether the route's last point equals its first, so that
// it is ridden round and round rather than there and back.
func (r *Route) Closed() bool {
	r.check()
	return r.Path[0] == r.Path[len(r.Path)-1]
}

// Length returns the length of the path in metres.
// It panics if r was not built by NewRoute, AddRoute or RoutesFromGeoJSON.
func (r *Route) Length() float64 {
	r.check()
	return r.cum[len(r.cum)-1]
}

// LoopLength returns the distance in metres after which a unit riding the
// route is back where it started: Length() for a closed route, 2·Length()
// for an open one (there and back).
func (r *Route) LoopLength() float64 {
	if r.Closed() {
		return r.Length()
	}
	return 2 * r.Length()
}

// PointAt returns the point at arc position s metres along the route's loop
// (see Route): s is taken modulo LoopLength(), and on an open route
// s in [L, 2L) lies on the way back, at 2L − s. Cost: O(log n) for n points.
// It panics if r was not built by NewRoute, AddRoute or RoutesFromGeoJSON.
func (r *Route) PointAt(s float64) Point {
	loop, l := r.LoopLength(), r.Length()
	s = math.Mod(s, loop)
	if s < 0 {
		s += loop
	}
	if s >= l { // the way back of an open route (s = L on a closed one is its start)
		s = loop - s
	}
	// First vertex at or beyond s: the segment (i-1, i) holds s and has a
	// positive length, since cum[i-1] < s <= cum[i].
	i, _ := slices.BinarySearch(r.cum, s)
	switch {
	case i == 0:
		return r.Path[0]
	case i >= len(r.cum):
		return r.Path[len(r.Path)-1]
	}
	a, b := r.Path[i-1], r.Path[i]
	f := (s - r.cum[i-1]) / (r.cum[i] - r.cum[i-1])
	return Point{a.X + f*(b.X-a.X), a.Y + f*(b.Y-a.Y)}
}

// Nearest returns the arc position s in [0, Length()] of the point of the
// path nearest p, and its distance d from p in metres; PointAt(s) is that
// point. Of several equally near points it returns the one with the smallest
// s (on an open route, the position on the way out). Cost: O(n) for n
// points. It panics if r was not built by NewRoute, AddRoute or
// RoutesFromGeoJSON.
func (r *Route) Nearest(p Point) (s, d float64) {
	r.check()
	d = math.Inf(1)
	for i := 1; i < len(r.Path); i++ {
		a, b := r.Path[i-1], r.Path[i]
		seg := r.cum[i] - r.cum[i-1]
		t := 0.0
		if seg > 0 {
			t = ((p.X-a.X)*(b.X-a.X) + (p.Y-a.Y)*(b.Y-a.Y)) / (seg * seg)
			t = max(0, min(1, t))
		}
		q := Point{a.X + t*(b.X-a.X), a.Y + t*(b.Y-a.Y)}
		if dq := p.Dist(q); dq < d {
			s, d = r.cum[i-1]+t*seg, dq
		}
	}
	return s, d
}

// AddRoute adds a route along path, in planar metres (a grid city, tests).
// On error (see NewRoute) no route is added.
func (c *City) AddRoute(name, kind string, path []Point) error {
	rt, err := NewRoute(name, kind, path)
	if err != nil {
		return fmt.Errorf("route %q: %w", name, err)
	}
	c.Routes = append(c.Routes, rt)
	return nil
}

// RoutesFromGeoJSON reads LineString and MultiLineString features in lon/lat
// (WGS 84 degrees) as routes of the city, projected with the city's
// projection. A LineString is one route; a MultiLineString is one route per
// part, named NAME-1, NAME-2, … The name and kind come from the properties
// "name" (default "route" + feature index) and "kind" (may be empty).
//
// Every line must have finite coordinates within lon [-180, 180] and
// lat [-85, 85] and at least 2 distinct points. The errors of all features
// are reported together, each naming the feature index and name; on error
// no route is added. A grid city (Proj == nil) has no lon/lat and gets an
// error: give its routes in metres with AddRoute.
func (c *City) RoutesFromGeoJSON(data []byte) error {
	if c.Proj == nil {
		return fmt.Errorf("a grid city has no lon/lat: give its routes in planar metres (AddRoute)")
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	if len(fc.Features) == 0 {
		return fmt.Errorf("no features: want LineString or MultiLineString routes")
	}
	var routes []Route
	var errs []error
	for i, ft := range fc.Features {
		name, ok := propString(ft.Properties, "name")
		if !ok {
			name = "route" + strconv.Itoa(i)
		}
		kind, _ := propString(ft.Properties, "kind")
		var parts orb.MultiLineString
		multi := false
		switch g := ft.Geometry.(type) {
		case orb.LineString:
			parts = orb.MultiLineString{g}
		case orb.MultiLineString:
			if len(g) == 0 {
				errs = append(errs, fmt.Errorf("feature %d (%s): MultiLineString without parts", i, name))
				continue
			}
			parts, multi = g, true
		default:
			errs = append(errs, fmt.Errorf("feature %d (%s): geometry %s, want LineString or MultiLineString", i, name, geomType(ft.Geometry)))
			continue
		}
		for k, ls := range parts {
			rname, where := name, fmt.Sprintf("feature %d (%s)", i, name)
			if multi {
				rname = name + "-" + strconv.Itoa(k+1)
				where = fmt.Sprintf("feature %d (%s), part %d", i, name, k+1)
			}
			path, err := c.projectLine(ls)
			if err == nil {
				var rt Route
				if rt, err = NewRoute(rname, kind, path); err == nil {
					routes = append(routes, rt)
					continue
				}
			}
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
	}
	if len(errs) > 0 {
		return errlist.List(errs)
	}
	c.Routes = append(c.Routes, routes...)
	return nil
}

// projectLine checks that ls is in lon/lat and projects it to the plane.
func (c *City) projectLine(ls orb.LineString) ([]Point, error) {
	path := make([]Point, len(ls))
	for j, v := range ls {
		lon, lat := v[0], v[1]
		if !finite(lon) || !finite(lat) || lon < -180 || lon > 180 || lat < -85 || lat > 85 {
			return nil, fmt.Errorf("point %d (%g, %g) outside lon/lat range: GeoJSON must be WGS 84 degrees (lon in [-180, 180], lat in [-85, 85])", j, lon, lat)
		}
		path[j] = c.Proj.Forward(lon, lat)
	}
	return path, nil
}
