package results

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// AreaMeasures are the per-area measures of areas.geojson, named as the
// metric registry names the city-wide ones, in the order of each variant's
// columns. A property is "VARIANT_MEASURE" (follow_response_p90_s).
var AreaMeasures = []string{
	"incidents_realised",  // incidents that happened in the area in the window, mean per replication
	"incidents_prevented", // candidates in the area suppressed and not displaced, mean per replication
	"incidents_displaced", // candidates in the area displaced in space or time, mean per replication
	"visibility",          // share (0–1) of the window's hourly samples with presence at or above deterrence.visible_above, mean over replications
	"response_mean_s",     // mean response time of the area's answered calls, seconds, mean over the replications with calls
	"response_p90_s",      // 90th percentile of the area's response times pooled over the replications, seconds
}

// GridAnchor says where a grid city, which has no geographic position,
// is drawn in areas.geojson and trace.csv's lon/lat.
const GridAnchor = "a grid city has no geographic position: it is drawn with its planar origin (x_m = 0, y_m = 0, the south-west corner) at 0°E 0°N, through the same spherical transverse Mercator projection, so sizes and shapes are right but the place is not"

// gridProjection places a grid city (GridAnchor).
var gridProjection = geo.Projection{}

// LonLat returns the WGS 84 longitude and latitude, degrees, of the planar
// point p of city c: through the city's projection, or for a grid city the
// projection at 0°E 0°N (GridAnchor).
func LonLat(c *geo.City, p geo.Point) (lon, lat float64) {
	if c.Proj == nil {
		return gridProjection.Inverse(p)
	}
	return c.Proj.Inverse(p)
}

// AreaProperty is the name of variant's column of measure in areas.geojson.
func AreaProperty(variant, measure string) string { return variant + "_" + measure }

// WriteAreasGeoJSON writes areas.geojson: a GeoJSON FeatureCollection
// (RFC 7946: WGS 84 lon/lat, exterior rings counter-clockwise) with one
// feature per area of city, in the scenario's order, whose properties are
// "area" (its name), "district", "population", and for each variant of d
// one number per AreaMeasures, named AreaProperty (null where undefined:
// no call, or a p90 that is infinite because more than a tenth of the
// area's calls were never answered). Coordinates have 7 decimals (about
// 1 cm). The collection's foreign member "patrolsim" says what the file
// is and, for a grid city, where it is drawn (GridAnchor).
func WriteAreasGeoJSON(w io.Writer, city *geo.City, d DetailsJSON) error {
	bw := bufio.NewWriter(w)
	meta := map[string]any{
		"scenario":     d.Scenario,
		"replications": d.Replications,
		"crs":          "EPSG:4326 (WGS 84 longitude, latitude in degrees)",
		"measures":     "per variant, VARIANT_MEASURE: incidents_* are means per replication over the measurement window; visibility a share 0-1; response_*_s seconds; null where undefined (docs/outputs.md)",
	}
	if city.Proj == nil {
		meta["anchor"] = GridAnchor
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	bw.WriteString(`{"type":"FeatureCollection","patrolsim":`)
	bw.Write(mb)
	bw.WriteString(`,"features":[`)
	for a := range city.Atoms {
		atom := &city.Atoms[a]
		if a > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		gb, err := json.Marshal(geojson.NewGeometry(areaGeometry(city, atom.Shape())))
		if err != nil {
			return err
		}
		bw.WriteString(`{"type":"Feature","id":`)
		bw.WriteString(strconv.Itoa(a))
		bw.WriteString(`,"geometry":`)
		bw.Write(gb)
		bw.WriteString(`,"properties":{`)
		writeProp(bw, "area", atom.Name, true)
		writeProp(bw, "district", city.Districts[atom.District].Name, false)
		writeNum(bw, "population", atom.Population)
		for _, v := range d.Variants {
			ad := &v.AtomsData
			vals := []float64{at(ad.Realised, a), at(ad.Prevented, a), at(ad.Displaced, a), at(ad.Visibility, a), ptrAt(ad.RespMeanS, a), ptrAt(ad.RespP90S, a)}
			for i, m := range AreaMeasures {
				writeNum(bw, AreaProperty(v.Name, m), vals[i])
			}
		}
		bw.WriteString("}}")
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

func at(xs []float64, i int) float64 {
	if i >= len(xs) {
		return math.NaN()
	}
	return xs[i]
}

func ptrAt(xs []*float64, i int) float64 {
	if i >= len(xs) || xs[i] == nil {
		return math.NaN()
	}
	return *xs[i]
}

func writeProp(w *bufio.Writer, name, value string, first bool) {
	if !first {
		w.WriteString(",")
	}
	k, _ := json.Marshal(name)
	v, _ := json.Marshal(value)
	w.Write(k)
	w.WriteString(":")
	w.Write(v)
}

// writeNum writes a number property, null when x is NaN or infinite.
func writeNum(w *bufio.Writer, name string, x float64) {
	k, _ := json.Marshal(name)
	w.WriteString(",")
	w.Write(k)
	w.WriteString(":")
	if math.IsNaN(x) || math.IsInf(x, 0) {
		w.WriteString("null")
		return
	}
	w.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
}

// areaGeometry returns an atom's planar shape in lon/lat: a Polygon for a
// single part, else a MultiPolygon; exterior rings counter-clockwise and
// holes clockwise (RFC 7946 §3.1.6).
func areaGeometry(c *geo.City, shape orb.MultiPolygon) orb.Geometry {
	out := make(orb.MultiPolygon, len(shape))
	for i, poly := range shape {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			r := make(orb.Ring, len(ring))
			for k, v := range ring {
				lon, lat := LonLat(c, geo.Point{X: v[0], Y: v[1]})
				r[k] = orb.Point{round7(lon), round7(lat)}
			}
			if want := orb.CCW; (j == 0) != (r.Orientation() == want) {
				r.Reverse()
			}
			out[i][j] = r
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

func round7(x float64) float64 { return math.Round(x*1e7) / 1e7 }
