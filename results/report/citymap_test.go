package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// TestCityMapSVG: the exported map is the report's own drawing (same bytes
// as the report's map-realised chart for the same values, but for the
// noise band: its values are exact), deterministic, and draws areas
// without values grey with a "no data" legend entry.
func TestCityMapSVG(t *testing.T) {
	in, err := Load(copyRun(t, "grid"))
	if err != nil {
		t.Fatal(err)
	}
	best := in.ByRank()[0]
	name := in.Results.Variants[best].Name
	got, err := CityMapSVG(in.City(), in.Details.Variants[best].AtomsData.Realised, "Incidents realised — "+name, "incidents per replication")
	if err != nil {
		t.Fatal(err)
	}
	vals := in.Details.Variants[best].AtomsData.Realised
	exact := countScale(vals, 0, 1) // map-realised's scale, without the band of its replications' noise
	realised := mapFigures(in)[0]
	want, err := mapFigure(in.City(), realised.Name, realised.Title, realised.Caption, "incidents per replication", "no calls",
		vals, rampRdYlBu, exact, exact.note("incidents per replication")).svg()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("CityMapSVG differs from the report's map-realised.svg for the same values")
	}

	s, err := scenarios.LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	city := s.Config.City
	vals = make([]float64, len(city.Atoms))
	for a := range vals {
		vals[a] = city.Atoms[a].Weight
	}
	vals[0] = math.NaN()
	a, err := CityMapSVG(city, vals, "Expected incidents", "incidents per day")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CityMapSVG(city, vals, "Expected incidents", "incidents per day")
	if !bytes.Equal(a, b) {
		t.Error("two drawings of the same map differ")
	}
	for _, w := range []string{"<svg", "Expected incidents", "no data", "district border"} {
		if !strings.Contains(string(a), w) {
			t.Errorf("the map lacks %q", w)
		}
	}
	if none, err := CityMapSVG(city, nil, "t", "l"); err != nil || !strings.Contains(string(none), "no data") {
		t.Errorf("nil values: %v", err)
	}
	if _, err := CityMapSVG(city, vals[:3], "t", "l"); err == nil || !strings.Contains(err.Error(), "3 values for 126 areas") {
		t.Errorf("wrong length: %v", err)
	}
}
