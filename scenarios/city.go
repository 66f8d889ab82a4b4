package scenarios

// The city (areas, posts, routes) and how units travel in it.

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/patrolsim/patrolsim/sim/geo"
)

func buildCity(c *City, read reader, e *errs) *geo.City {
	var city *geo.City
	switch {
	case c.Grid != nil && c.Areas != "":
		e.add("city", "give either grid or areas, not both")
		return nil
	case c.Grid != nil:
		g := c.Grid
		ok := true
		if g.Rows < 1 || g.Cols < 1 || g.Rows*g.Cols > MaxAtoms || g.Rows > MaxAtoms || g.Cols > MaxAtoms {
			e.add("city.grid", "rows and cols must be >= 1 with rows × cols at most %d (got %d × %d)", MaxAtoms, g.Rows, g.Cols)
			ok = false
		}
		ok = e.bound("city.grid.cell_m", "city.grid.cell_m", g.CellM) && ok
		if g.Districts < 1 || g.Districts > max(g.Cols, 1) {
			e.add("city.grid.districts", "must be between 1 and cols = %d (got %d)", g.Cols, g.Districts)
			ok = false
		}
		if !ok {
			return nil
		}
		var err error
		city, err = geo.NewGrid(geo.GridSpec{Rows: g.Rows, Cols: g.Cols, CellM: g.CellM, Districts: g.Districts})
		if err != nil {
			e.add("city.grid", "%v", err)
			return nil
		}
	case c.Areas != "":
		fields := geo.AreaFields{Name: "name", District: "district", Population: "", Weight: ""}
		if c.Fields != nil {
			fields = geo.AreaFields(*c.Fields)
			if fields.District == "" {
				e.add("city.fields.district", "must name the property that holds the district")
				return nil
			}
		}
		data, ok := readData(read, e, "city.areas", c.Areas)
		if !ok {
			return nil
		}
		var err error
		city, err = geo.FromGeoJSON(data, fields)
		if err != nil {
			e.add("city.areas", "%s: %v", c.Areas, err)
			return nil
		}
		if len(city.Atoms) > MaxAtoms {
			e.add("city.areas", "%s: %d areas, more than the limit of %d", c.Areas, len(city.Atoms), MaxAtoms)
			return nil
		}
	default:
		e.add("city", "give a grid ({rows, cols, cell_m, districts}) or areas (a GeoJSON file)")
		return nil
	}
	layer := func(key, file string, load func([]byte) error) {
		switch {
		case file == "":
		case city.Proj == nil:
			hint := ""
			if key == "posts" {
				hint = "; place posts with post_points {name, kind, x_m, y_m}"
			}
			e.add("city."+key, "a grid city has no lon/lat: %s from GeoJSON need a city given by areas (GeoJSON)%s", key, hint)
		default:
			if data, ok := readData(read, e, "city."+key, file); ok {
				if err := load(data); err != nil {
					e.add("city."+key, "%s: %v", file, err)
				}
			}
		}
	}
	layer("posts", c.Posts, city.PostsFromGeoJSON)
	layer("routes", c.Routes, city.RoutesFromGeoJSON)
	for i, p := range c.PostPoints {
		path := fmt.Sprintf("city.post_points[%d]", i)
		switch {
		case city.Proj == nil && p.XM != nil && p.YM != nil && p.Lon == nil && p.Lat == nil:
			city.AddPost(p.Name, p.Kind, geo.Point{X: *p.XM, Y: *p.YM})
		case city.Proj != nil && p.Lon != nil && p.Lat != nil && p.XM == nil && p.YM == nil:
			city.AddPost(p.Name, p.Kind, city.ProjectLonLat(*p.Lon, *p.Lat))
		case city.Proj == nil:
			e.add(path, "a grid city places posts with x_m and y_m (metres)")
			continue
		default:
			e.add(path, "a GeoJSON city places posts with lon and lat (degrees)")
			continue
		}
		if p.Name == "" {
			e.add(path+".name", "must not be empty")
		}
	}
	fromFile := len(city.Posts) - len(c.PostPoints)
	for i, p := range city.Posts {
		if p.Atom >= 0 {
			continue
		}
		if i < fromFile {
			e.add("city.posts", "%s: post %q lies outside every area", c.Posts, p.Name)
		} else {
			e.add(fmt.Sprintf("city.post_points[%d]", i-fromFile), "post %q lies outside every area", p.Name)
		}
	}
	return city
}

func buildTravel(t *Travel, city *geo.City, read reader, e *errs) geo.Travel {
	var out geo.Travel
	switch t.Model {
	case "manhattan":
		out.Metric = geo.Manhattan
	case "euclidean":
		out.Metric = geo.Euclidean
	case "road":
		out.Roads = buildRoads(t, city, read, e)
	default:
		e.add("travel.model", "must be manhattan, euclidean or road (got %q)", t.Model)
	}
	if t.Model != "road" {
		for _, k := range []struct {
			key string
			set bool
		}{{"roads", t.Roads != ""}, {"speeds", t.Speeds != nil}, {"zone_m", t.ZoneM != 0}} {
			if k.set {
				e.add("travel."+k.key, "is for model: road only (the model is %s)", t.Model)
			}
		}
	}
	e.bound("travel.detour", "travel.detour", t.Detour)
	out.Detour = t.Detour
	if t.Turnout.check(e, "travel.turnout") {
		e.bound("travel.turnout", "travel.turnout", t.Turnout.Seconds)
	}
	return out
}

// buildRoads reads the road network of a road travel model and checks that
// the city's areas and posts lie near it.
func buildRoads(t *Travel, city *geo.City, read reader, e *errs) *geo.RoadTable {
	if t.Roads == "" {
		e.add("travel.roads", "missing: model: road needs a GeoJSON file of road line strings (e.g. US Census TIGER/Line roads) or an OpenStreetMap extract (.osm.pbf or .osm)")
		return nil
	}
	bad := false
	for _, class := range sortedKeys(t.Speeds) {
		if !e.bound("travel.speeds[]", "travel.speeds."+class, t.Speeds[class]) {
			bad = true
		}
	}
	if bad {
		return nil
	}
	if !e.bound("travel.zone_m", "travel.zone_m", t.ZoneM) {
		return nil
	}
	if city == nil {
		return nil
	}
	if city.Proj == nil {
		e.add("travel.model", "a grid city has no lon/lat: road travel needs a city given by areas (GeoJSON)")
		return nil
	}
	data, ok := readData(read, e, "travel.roads", t.Roads)
	if !ok {
		return nil
	}
	b := city.Bound()
	table, err := cachedRoadTable(data, t.Speeds, t.ZoneM, *city.Proj, [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, MaxRoadTable, func() (*geo.RoadTable, error) {
		net, err := city.Roads(t.Roads, data, t.Speeds)
		if err != nil {
			return nil, err
		}
		return geo.NewRoadTable(net, t.ZoneM, net.RefSpeed(t.Speeds))
	})
	if err != nil {
		e.add("travel.roads", "%s: %v", t.Roads, err)
		return nil
	}
	if b := table.Bytes(); b > MaxRoadTable {
		e.add("travel.zone_m", "zones of %g m over %s's %d road nodes make a travel table of about %.1f GB, more than the limit of %d GB: use larger zones", table.ZoneM, t.Roads, table.Net.Nodes(), float64(b)/1e9, MaxRoadTable>>30)
		return nil
	}
	net := table.Net
	ok = true
	// A speed for a class that is neither the format's (TIGER's MTFCC,
	// OpenStreetMap's highway) nor in the file is a typo (s1400 for
	// S1400): it would change nothing.
	defaults := net.DefaultSpeeds()
	for _, class := range sortedKeys(t.Speeds) {
		if _, known := defaults[class]; !known && !slices.Contains(net.Classes(), class) {
			e.add("travel.speeds."+class, "no road of class %q in %s (its classes: %s)", class, t.Roads, strings.Join(net.Classes(), ", "))
			ok = false
		}
	}
	// Every area far from the roads, at most 5 named.
	var far []string
	for i := range city.Atoms {
		a := &city.Atoms[i]
		if _, d := net.Snap(a.Inside); d > geo.SnapLimit {
			far = append(far, fmt.Sprintf("%q (%.1f km)", a.Name, d/1000))
		}
	}
	if len(far) > 0 {
		more := ""
		if len(far) > 5 {
			far, more = far[:5], fmt.Sprintf(" and %d more", len(far)-5)
		}
		e.add("travel.roads", "%s: areas %s lie more than %g m from the nearest road: is the road file for this city?", t.Roads, strings.Join(far, ", ")+more, geo.SnapLimit)
		ok = false
	}
	for _, p := range city.Posts {
		if _, d := net.Snap(p.At); d > geo.SnapLimit {
			e.add("city.posts", "post %q lies %.1f km from the nearest road of %s (limit %g m)", p.Name, d/1000, t.Roads, geo.SnapLimit)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	// The resolved scenario says every speed and the zone size it ran with.
	speeds := maps.Clone(defaults)
	maps.Copy(speeds, t.Speeds)
	t.Speeds, t.ZoneM = speeds, table.ZoneM
	return table
}
