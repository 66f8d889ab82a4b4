package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"slices"
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
	meta := map[string]any{
		"scenario":     d.Scenario,
		"replications": d.Replications,
		"measures":     "per variant, VARIANT_MEASURE: incidents_* are means per replication over the measurement window; visibility a share 0-1; response_*_s seconds, the p90 within 0.5%; null where undefined (docs/outputs.md)",
	}
	names := make([]string, len(d.Variants))
	data := make([]AtomDetails, len(d.Variants))
	for v := range d.Variants {
		names[v], data[v] = d.Variants[v].Name, d.Variants[v].AtomsData
	}
	return writeAreas(w, city, meta, 1, func(int) (AreaPoint, error) {
		return AreaPoint{Point: -1, Variants: names, Data: data}, nil
	})
}

// AreaPoint is one point of a sweep in its areas.geojson: its swept
// values and, per variant, its areas' measures.
type AreaPoint struct {
	Point    int         // −1: not a sweep's (no "point" property)
	Params   []AreaParam // the swept values, as properties
	Variants []string
	Data     []AtomDetails // by variant
}

// AreaParam is a swept parameter's property: its name and its value as
// JSON (a number, or a string).
type AreaParam struct {
	Name  string
	Value json.RawMessage
}

// WriteSweepAreasGeoJSON writes a sweep's areas.geojson: the features of
// WriteAreasGeoJSON for each of n points in turn (point's result), so one
// feature per point and area, with id point × areas + area and the
// properties "point" and each swept parameter before the area's. meta is
// the collection's foreign member "patrolsim" (its crs and, for a grid
// city, anchor are added).
func WriteSweepAreasGeoJSON(w io.Writer, city *geo.City, meta map[string]any, n int, point func(p int) (AreaPoint, error)) error {
	return writeAreas(w, city, meta, n, point)
}

func writeAreas(w io.Writer, city *geo.City, meta map[string]any, n int, point func(p int) (AreaPoint, error)) error {
	bw := bufio.NewWriter(w)
	meta["crs"] = "EPSG:4326 (WGS 84 longitude, latitude in degrees)"
	if city.Proj == nil {
		meta["anchor"] = GridAnchor
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	geoms := make([][]byte, len(city.Atoms))
	for a := range city.Atoms {
		if geoms[a], err = json.Marshal(geojson.NewGeometry(areaGeometry(city, city.Atoms[a].Shape()))); err != nil {
			return err
		}
	}
	// What a feature repeats is made once: each area's properties
	// (name, district, population), each variant's measures' names and
	// each point's swept values, as writeProp and writeNum write them.
	var sb bytes.Buffer
	pw := bufio.NewWriter(&sb)
	areaProps := make([]string, len(city.Atoms))
	for a := range city.Atoms {
		atom := &city.Atoms[a]
		sb.Reset()
		writeProp(pw, "area", atom.Name, true)
		writeProp(pw, "district", city.Districts[atom.District].Name, false)
		writeNum(pw, "population", atom.Population)
		pw.Flush()
		areaProps[a] = sb.String()
	}
	var keys [][]string // [variant][measure]: `,"VARIANT_MEASURE":`
	var keysOf []string // the variants keys was made for
	var params []byte   // the point's `"point":P,"NAME":VALUE…,`
	bw.WriteString(`{"type":"FeatureCollection","patrolsim":`)
	bw.Write(mb)
	bw.WriteString(`,"features":[`)
	first := true
	for p := range n {
		pt, err := point(p)
		if err != nil {
			return err
		}
		if pt.Data == nil {
			continue
		}
		if !slices.Equal(keysOf, pt.Variants) {
			keysOf = slices.Clone(pt.Variants)
			keys = make([][]string, len(pt.Variants))
			for v, name := range pt.Variants {
				for _, m := range AreaMeasures {
					k, _ := json.Marshal(AreaProperty(name, m))
					keys[v] = append(keys[v], ","+string(k)+":")
				}
			}
		}
		params = params[:0]
		if pt.Point >= 0 {
			params = append(params, `"point":`...)
			params = strconv.AppendInt(params, int64(pt.Point), 10)
			for _, par := range pt.Params {
				k, _ := json.Marshal(par.Name)
				params = append(params, ',')
				params = append(params, k...)
				params = append(params, ':')
				params = append(params, par.Value...)
			}
			params = append(params, ',')
		}
		for a := range city.Atoms {
			if !first {
				bw.WriteByte(',')
			}
			first = false
			bw.WriteString("\n")
			bw.WriteString(`{"type":"Feature","id":`)
			id := a
			if pt.Point >= 0 {
				id = pt.Point*len(city.Atoms) + a
			}
			bw.Write(strconv.AppendInt(bw.AvailableBuffer(), int64(id), 10))
			bw.WriteString(`,"geometry":`)
			bw.Write(geoms[a])
			bw.WriteString(`,"properties":{`)
			bw.Write(params)
			bw.WriteString(areaProps[a])
			for v := range pt.Variants {
				ad := &pt.Data[v]
				k := keys[v]
				writeNumKey(bw, k[0], at(ad.Realised, a))
				writeNumKey(bw, k[1], at(ad.Prevented, a))
				writeNumKey(bw, k[2], at(ad.Displaced, a))
				writeNumKey(bw, k[3], at(ad.Visibility, a))
				writeNumKey(bw, k[4], ptrAt(ad.RespMeanS, a))
				writeNumKey(bw, k[5], ptrAt(ad.RespP90S, a))
			}
			bw.WriteString("}}")
		}
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
	writeNumKey(w, ","+string(k)+":", x)
}

// writeNumKey is writeNum of the property's key as written before its
// value (`,"NAME":`).
func writeNumKey(w *bufio.Writer, key string, x float64) {
	w.WriteString(key)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		w.WriteString("null")
		return
	}
	w.Write(strconv.AppendFloat(w.AvailableBuffer(), x, 'g', -1, 64))
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
