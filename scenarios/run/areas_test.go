package run

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// TestAreasGeoJSON: the areas.geojson a run writes parses with orb; it has
// one feature per area in the scenario's order, each a valid polygon (rings
// closed, at least 4 points, positive planar area, exterior
// counter-clockwise as RFC 7946 asks) inside the city's bounds in lon/lat;
// its property names are stable; and the per-area counts add up to the
// city-wide metrics of the same run (realised, prevented, displaced: every
// incident and suppressed candidate is in exactly one area), and the
// population-weighted mean of the areas' visibility is the visibility metric.
func TestAreasGeoJSON(t *testing.T) {
	for _, name := range []string{"grid", "jinzhou"} {
		t.Run(name, func(t *testing.T) {
			s := shortBuiltin(t, name)
			res, err := Execute(context.Background(), s, Options{Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := Write(dir, s, res); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, AreasFile))
			if err != nil {
				t.Fatal(err)
			}
			fc, err := geojson.UnmarshalFeatureCollection(data)
			if err != nil {
				t.Fatalf("areas.geojson does not parse: %v", err)
			}
			city := s.Config.City
			if len(fc.Features) != len(city.Atoms) {
				t.Fatalf("got %d features, want one per area (%d)", len(fc.Features), len(city.Atoms))
			}

			// The city's bounds in lon/lat: the input GeoJSON's for a
			// city read from one, the grid's corners placed at 0°E 0°N
			// (results.GridAnchor) for a grid.
			var cityBound orb.Bound
			if city.Proj != nil {
				in, err := s.ReadData(s.File.City.Areas)
				if err != nil {
					t.Fatal(err)
				}
				src, err := geojson.UnmarshalFeatureCollection(in)
				if err != nil {
					t.Fatal(err)
				}
				cityBound = src.Features[0].Geometry.Bound()
				for _, f := range src.Features {
					cityBound = cityBound.Union(f.Geometry.Bound())
				}
			} else {
				g := s.File.City.Grid
				lon, lat := results.LonLat(city, geo.Point{X: float64(g.Cols) * g.CellM, Y: float64(g.Rows) * g.CellM})
				cityBound = orb.Bound{Max: orb.Point{lon, lat}}
			}
			const eps = 1e-6 // degrees, about 0.1 m: the file's 7 decimals round by at most 5e-8
			cityBound = cityBound.Pad(eps)

			variants := res.Details.Variants
			var sums [3][]float64 // realised, prevented, displaced by variant
			for k := range sums {
				sums[k] = make([]float64, len(variants))
			}
			visW := make([]float64, len(variants))
			var pop float64
			for i, f := range fc.Features {
				atom := city.Atoms[i]
				if got := f.Properties["area"]; got != atom.Name {
					t.Errorf("feature %d: area %v, want %s (the scenario's order)", i, got, atom.Name)
				}
				var polys orb.MultiPolygon
				switch g := f.Geometry.(type) {
				case orb.Polygon:
					polys = orb.MultiPolygon{g}
				case orb.MultiPolygon:
					polys = g
				default:
					t.Fatalf("feature %d: geometry %T, want a Polygon or MultiPolygon", i, g)
				}
				for _, poly := range polys {
					for j, ring := range poly {
						if len(ring) < 4 || !ring.Closed() {
							t.Errorf("feature %d ring %d: %d points, closed %v; want a closed ring of at least 4", i, j, len(ring), ring.Closed())
						}
						if a := planar.Area(ring); !(a > 0) {
							t.Errorf("feature %d ring %d: planar area %g, want > 0", i, j, a)
						}
						if want := orb.CCW; (j == 0) != (ring.Orientation() == want) {
							t.Errorf("feature %d ring %d: orientation %v (RFC 7946: exterior counter-clockwise, holes clockwise)", i, j, ring.Orientation())
						}
					}
				}
				if b := f.Geometry.Bound(); !cityBound.Contains(b.Min) || !cityBound.Contains(b.Max) {
					t.Errorf("feature %d (%s): bound %v outside the city's %v", i, atom.Name, b, cityBound)
				}
				pop += atom.Population
				for v, vd := range variants {
					for k, m := range []string{"incidents_realised", "incidents_prevented", "incidents_displaced"} {
						x, ok := f.Properties[results.AreaProperty(vd.Name, m)].(float64)
						if !ok {
							t.Fatalf("feature %d: %s is %v, want a number", i, results.AreaProperty(vd.Name, m), f.Properties[results.AreaProperty(vd.Name, m)])
						}
						sums[k][v] += x
					}
					vis, _ := f.Properties[results.AreaProperty(vd.Name, "visibility")].(float64)
					visW[v] += vis * atom.Population
				}
			}
			// The city-wide metrics' means over the replications.
			for v, vd := range variants {
				for k, m := range []string{"incidents_realised", "incidents_prevented", "incidents_displaced", "visibility"} {
					got := visW[v] / pop
					if k < 3 {
						got = sums[k][v]
					}
					want := meanOf(t, res, v, m)
					if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
						t.Errorf("%s: areas give %s %g, the run %g", vd.Name, m, got, want)
					}
				}
			}
			// The built-in city deters and displaces: the sums above compare
			// non-zero counts there.
			if name == "jinzhou" && (sums[1][0] == 0 || sums[2][0] == 0) {
				t.Errorf("%s: prevented %g, displaced %g: want some of each to compare", variants[0].Name, sums[1][0], sums[2][0])
			}
			if name == "grid" {
				checkAreaProps(t, fc.Features[0].Properties, variants)
			}
			checkTraceLonLat(t, city, filepath.Join(dir, TraceFile))
		})
	}
}

// shortBuiltin loads a built-in scenario cut to 2 replications of 4 days
// after a 1-day warm-up, to keep the test fast.
func shortBuiltin(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	doc, fsys, err := scenarios.BuiltinFile(name)
	if err != nil {
		t.Fatal(err)
	}
	doc = regexp.MustCompile(`(?m)^duration: .*$`).ReplaceAll(doc, []byte("duration: 5d"))
	doc = regexp.MustCompile(`(?m)^warmup: .*$`).ReplaceAll(doc, []byte("warmup: 1d"))
	s, err := scenarios.Load("builtin:"+name+"/scenario.yaml", doc, fsys)
	if err != nil {
		t.Fatal(err)
	}
	s.File.Replications = 2
	return s
}

// checkAreaProps: the property names of a feature, in the documented
// convention (docs/outputs.md), so a QGIS project or a script built on them
// keeps working.
func checkAreaProps(t *testing.T, p geojson.Properties, variants []results.VariantDetails) {
	t.Helper()
	want := []string{"area", "district", "population"}
	for _, v := range variants {
		for _, m := range []string{"incidents_realised", "incidents_prevented", "incidents_displaced", "visibility", "response_mean_s", "response_p90_s"} {
			want = append(want, v.Name+"_"+m)
		}
	}
	var got []string
	for k := range p {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("properties %v, want %v", got, want)
	}
}

// meanOf is metric m's mean over the replications of variant v.
func meanOf(t *testing.T, res *Result, v int, m string) float64 {
	t.Helper()
	k := slices.IndexFunc(res.Summary.Metrics, func(x results.Metric) bool { return x.Name == m })
	if k < 0 {
		t.Fatalf("no metric %s", m)
	}
	var s float64
	for _, rep := range res.Summary.Variants[v].Reps {
		s += rep[k]
	}
	return s / float64(len(res.Summary.Variants[v].Reps))
}

// checkTraceLonLat: every trace row's lon, lat projects back to its x_m,
// y_m within 1 m (the metres are written to 0.1 m, lon/lat to 1e-6°,
// about 0.11 m of latitude).
func checkTraceLonLat(t *testing.T, city *geo.City, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if len(recs) < 2 {
		t.Fatal("empty trace")
	}
	proj := city.Proj
	if proj == nil {
		proj = &geo.Projection{} // results.GridAnchor
	}
	worst := 0.0
	for _, r := range recs[1:] {
		f := func(name string) float64 {
			x, err := strconv.ParseFloat(r[col[name]], 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return x
		}
		p := proj.Forward(f("lon"), f("lat"))
		worst = max(worst, p.Dist(geo.Point{X: f("x_m"), Y: f("y_m")}))
	}
	if worst > 1 {
		t.Errorf("lon/lat lands up to %.2f m from x_m, y_m, want within 1 m", worst)
	}
}
