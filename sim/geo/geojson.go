package geo

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// earthRadius is the mean Earth radius in metres (IUGG R1).
const earthRadius = 6371008.8

// Projection is a spherical transverse Mercator projection centred on
// (Lon0, Lat0), in degrees, with scale 1 on the central meridian.
type Projection struct{ Lon0, Lat0 float64 }

// Forward maps lon/lat degrees to planar metres (Snyder 1987, eq. 8-1, 8-3).
func (p *Projection) Forward(lon, lat float64) Point {
	phi := lat * math.Pi / 180
	lam := (lon - p.Lon0) * math.Pi / 180
	phi0 := p.Lat0 * math.Pi / 180
	b := math.Cos(phi) * math.Sin(lam)
	x := earthRadius * math.Atanh(b)
	y := earthRadius * (math.Atan2(math.Tan(phi), math.Cos(lam)) - phi0)
	return Point{x, y}
}

// Inverse maps planar metres back to lon/lat degrees (Snyder 1987, eq. 8-6, 8-7).
func (p *Projection) Inverse(q Point) (lon, lat float64) {
	d := q.Y/earthRadius + p.Lat0*math.Pi/180
	x := q.X / earthRadius
	phi := math.Asin(math.Sin(d) / math.Cosh(x))
	lam := math.Atan2(math.Sinh(x), math.Cos(d))
	return p.Lon0 + lam*180/math.Pi, phi * 180 / math.Pi
}

// AreaFields names the GeoJSON properties read for each atom. Empty names are
// not read.
type AreaFields struct {
	Name       string // atom name (default: feature index)
	District   string // district name (required)
	Population string // residents (default: proportional to area)
	Weight     string // relative incident volume (default: population)
}

// FromGeoJSON builds a city from a FeatureCollection of Polygon or
// MultiPolygon features in lon/lat. Districts are named by the District
// property and ordered by first appearance. Errors name the feature.
func FromGeoJSON(data []byte, f AreaFields) (*City, error) {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("no features")
	}
	var b orb.Bound
	first := true
	for i, ft := range fc.Features {
		switch ft.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			return nil, fmt.Errorf("feature %d: geometry %s, want Polygon or MultiPolygon", i, geomType(ft.Geometry))
		}
		if err := checkRings(ft.Geometry); err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		if first {
			b, first = ft.Geometry.Bound(), false
		} else {
			b = b.Union(ft.Geometry.Bound())
		}
	}
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -85 || b.Max[1] > 85 {
		return nil, fmt.Errorf("coordinates outside lon/lat range (bound %v): GeoJSON must be WGS 84 degrees", b)
	}
	c := &City{Proj: &Projection{Lon0: (b.Min[0] + b.Max[0]) / 2, Lat0: (b.Min[1] + b.Max[1]) / 2}}
	districtIdx := map[string]int{}
	atomIdx := map[string]int{}
	for i, ft := range fc.Features {
		a := Atom{Name: strconv.Itoa(i)}
		if f.Name != "" {
			if s, ok := propString(ft.Properties, f.Name); ok {
				a.Name = s
			} else {
				return nil, fmt.Errorf("feature %d: no property %q for the atom name", i, f.Name)
			}
		}
		ds, ok := propString(ft.Properties, f.District)
		if !ok {
			return nil, fmt.Errorf("feature %d (%s): no property %q for the district", i, a.Name, f.District)
		}
		d, seen := districtIdx[ds]
		if !seen {
			d = len(c.Districts)
			districtIdx[ds] = d
			c.Districts = append(c.Districts, District{Name: ds})
		}
		a.District = d
		a.shape = c.project(ft.Geometry)
		if f.Name != "" {
			// Features sharing a name are the parts of one atom (a beat
			// drawn as several polygons).
			if k, dup := atomIdx[a.Name]; dup {
				prev := &c.Atoms[k]
				if prev.District != d {
					return nil, fmt.Errorf("feature %d (%s): district %q, but an earlier part of %s is in %q", i, a.Name, ds, a.Name, c.Districts[prev.District].Name)
				}
				prev.shape = append(prev.shape, a.shape...)
				if err := addProps(ft.Properties, f, i, prev); err != nil {
					return nil, err
				}
				continue
			}
			atomIdx[a.Name] = len(c.Atoms)
		}
		a.Population, a.Weight = -1, -1
		if err := addProps(ft.Properties, f, i, &a); err != nil {
			return nil, err
		}
		c.Atoms = append(c.Atoms, a)
	}
	if err := c.Finish(); err != nil {
		return nil, err
	}
	for i := range c.Atoms {
		a := &c.Atoms[i]
		if a.Population < 0 {
			a.Population = a.Area / 1e6 // one per km² when unknown: area-proportional
		}
		if a.Weight < 0 {
			a.Weight = a.Population
		}
	}
	return c, nil
}

// addProps adds feature i's population and weight to atom a (parts of one
// atom add up). A value of -1 in a means "not read yet".
func addProps(p geojson.Properties, f AreaFields, i int, a *Atom) error {
	for _, x := range []struct {
		name string
		dst  *float64
	}{{f.Population, &a.Population}, {f.Weight, &a.Weight}} {
		if x.name == "" {
			continue
		}
		v, ok := propNumber(p, x.name)
		if !ok || v < 0 {
			return fmt.Errorf("feature %d (%s): property %q must be a number >= 0", i, a.Name, x.name)
		}
		*x.dst = max(*x.dst, 0) + v
	}
	return nil
}

// PostsFromGeoJSON reads Point features as posts of the city. The name and
// kind come from the properties "name" and "kind" (kind may be empty). On
// error no post is added.
func (c *City) PostsFromGeoJSON(data []byte) error {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	var posts []Post
	for i, ft := range fc.Features {
		pt, ok := ft.Geometry.(orb.Point)
		if !ok {
			return fmt.Errorf("feature %d: geometry %s, want Point", i, geomType(ft.Geometry))
		}
		name, ok := propString(ft.Properties, "name")
		if !ok {
			name = "post" + strconv.Itoa(i)
		}
		kind, _ := propString(ft.Properties, "kind")
		p := c.ProjectLonLat(pt[0], pt[1])
		posts = append(posts, Post{Name: name, Kind: kind, At: p, Atom: c.Locate(p)})
	}
	c.Posts = append(c.Posts, posts...)
	return nil
}

// AddPost adds a post at planar point p.
func (c *City) AddPost(name, kind string, p Point) {
	c.Posts = append(c.Posts, Post{Name: name, Kind: kind, At: p, Atom: c.Locate(p)})
}

// ProjectLonLat maps lon/lat to the city's plane (identity for a grid city).
func (c *City) ProjectLonLat(lon, lat float64) Point {
	if c.Proj == nil {
		return Point{lon, lat}
	}
	return c.Proj.Forward(lon, lat)
}

func (c *City) project(g orb.Geometry) orb.MultiPolygon {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	}
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			r := make(orb.Ring, len(ring))
			for k, v := range ring {
				q := c.Proj.Forward(v[0], v[1])
				r[k] = orb.Point{q.X, q.Y}
			}
			out[i][j] = r
		}
	}
	return out
}

func geomType(g orb.Geometry) string {
	if g == nil {
		return "null"
	}
	return g.GeoJSONType()
}

func propString(p geojson.Properties, name string) (string, bool) {
	return propValue(p[name])
}

// propValue returns a decoded JSON property value as text (false for a
// missing or null one).
func propValue(v any) (string, bool) {
	if v == nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return fmt.Sprint(v), true
}

func propNumber(p geojson.Properties, name string) (float64, bool) {
	switch v := p[name].(type) {
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}
