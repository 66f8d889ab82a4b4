package calibrate

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/sim/geo"
)

var fuzzAreas = func() []byte {
	data, err := os.ReadFile("../testdata/city/areas.geojson")
	if err != nil {
		panic(err)
	}
	return data
}()

// FuzzAreas: any bytes as the areas GeoJSON are read or refused, never a
// panic; areas that are read get their weights written into a copy that
// reads back to the same areas (names, districts, count).
func FuzzAreas(f *testing.F) {
	f.Add(fuzzAreas)
	f.Add([]byte(`{"type": "FeatureCollection", "features": []}`))
	f.Add([]byte(`{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x", "district": "d"}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}`))
	f.Add([]byte(`{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": 1, "district": null}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[0,0],[0.001,0],[0.001,0.001],[0,0]]]]}}]}`))
	f.Add([]byte("\x00{"))
	fields := geo.AreaFields{Name: "name", District: "district"}
	f.Fuzz(func(t *testing.T, data []byte) {
		city, err := geo.FromGeoJSON(data, fields)
		if err != nil {
			return
		}
		o := &Options{NameField: "name"}
		res := &Result{Weights: make([]float64, len(city.Atoms)), AreaCounts: make([]int, len(city.Atoms))}
		for i := range res.Weights {
			res.Weights[i] = float64(i) + WeightFloor
		}
		out, err := weightedAreas(data, o, city, res)
		if err != nil {
			t.Fatalf("areas that read cannot be weighted: %v", err)
		}
		again, err := geo.FromGeoJSON(out, geo.AreaFields{Name: "name", District: "district", Weight: "weight"})
		if err != nil {
			t.Fatalf("the weighted copy does not read: %v", err)
		}
		if len(again.Atoms) != len(city.Atoms) || len(again.Districts) != len(city.Districts) {
			t.Fatalf("%d areas in %d districts, then %d in %d", len(city.Atoms), len(city.Districts), len(again.Atoms), len(again.Districts))
		}
		for i := range city.Atoms {
			if again.Atoms[i].Name != city.Atoms[i].Name {
				t.Fatalf("area %d: %q, then %q", i, city.Atoms[i].Name, again.Atoms[i].Name)
			}
		}
	})
}

// FuzzRecords: any bytes as the incident CSV are read or refused, never a
// panic, and every data row is counted once: unparsable, a duplicate,
// out of range, outside every area or inside one.
func FuzzRecords(f *testing.F) {
	city, err := geo.FromGeoJSON(fuzzAreas, geo.AreaFields{Name: "name", District: "district"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("date,longitude,latitude,id\n2024-01-01 10:00,121.005,41.005,1\n2024-01-01 10:00,121.005,41.005,1\n2024-02-01 10:00,121.015,41.005,2\n"))
	f.Add([]byte("date,longitude,latitude,id\nx\"y,121.01,41.005,3\n\"a\nb\",1,2,3\n"))
	f.Add([]byte("\ufeffdate,longitude,latitude,id\n2024-01-01 10:00,NaN,Inf,4\n,,,\n"))
	f.Add([]byte("\x89PNG\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o := &Options{Incidents: "in.csv", Lon: "longitude", Lat: "latitude", Time: "date", TimeFormat: "2006-01-02 15:04", ID: "id", MaxBad: 1}
		to := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
		recs, res, err := readRecordsFrom(bytes.NewReader(data), o, city, time.Time{}, to)
		if err != nil {
			return
		}
		if n := res.Bad + res.Duplicates + res.OutOfRange + res.Outside + res.Inside; n != res.Rows {
			t.Fatalf("%d rows, counted %d: %+v", res.Rows, n, res)
		}
		if len(recs) != res.Inside {
			t.Fatalf("%d records kept, %d inside", len(recs), res.Inside)
		}
		for _, r := range recs {
			if r.atom < 0 || r.atom >= len(city.Atoms) || r.t.After(to.Add(24*time.Hour)) {
				t.Fatalf("record %+v", r)
			}
		}
	})
}
