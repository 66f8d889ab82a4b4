package serve

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// TestCityMap: the map before any run, coloured by expected incidents per
// day for the incidents per day asked for.
func TestCityMap(t *testing.T) {
	srv, ts := testServer(t, newFake(), nil)
	code, def := do(t, "GET", ts.URL+"/api/map.svg", "")
	if code != 200 || !bytes.Contains(def, []byte("<svg")) {
		t.Fatalf("GET /api/map.svg: %d %.100s", code, def)
	}
	for _, want := range []string{"Expected incidents — grid", "incidents per day", "district border"} {
		if !bytes.Contains(def, []byte(want)) {
			t.Errorf("the map lacks %q", want)
		}
	}
	// The grid's 100 cells have equal weight: 60 a day is 0.6 in each, the
	// colour bar's lower end; 150 a day is 1.5.
	if _, same := do(t, "GET", ts.URL+"/api/map.svg?per_day=60", ""); !bytes.Equal(same, def) {
		t.Error("per_day=60 (the scenario's) differs from the default map")
	}
	_, more := do(t, "GET", ts.URL+"/api/map.svg?per_day=150", "")
	if bytes.Equal(more, def) || !bytes.Contains(more, []byte(">1.5<")) || !bytes.Contains(def, []byte(">0.6<")) {
		t.Error("the colour bar does not follow incidents per day")
	}
	for _, q := range []string{"per_day=-1", "per_day=0", "per_day=abc", "per_day=NaN", "per_day=Inf"} {
		if code, b := do(t, "GET", ts.URL+"/api/map.svg?"+q, ""); code != 400 || !strings.Contains(string(b), "per_day must be") {
			t.Errorf("%s: %d %s", q, code, b)
		}
	}
	if code, _ := do(t, "GET", ts.URL+"/api/map.svg?scenario=u3", ""); code != 404 {
		t.Errorf("unknown scenario: %d", code)
	}
	// The cache stays bounded.
	for i := range 3 * mapCacheSize {
		if code, _ := do(t, "GET", ts.URL+"/api/map.svg?per_day="+strconv.Itoa(10+i), ""); code != 200 {
			t.Fatalf("per_day=%d: %d", 10+i, code)
		}
	}
	srv.mu.Lock()
	if n := len(srv.maps.keys); n != mapCacheSize || len(srv.maps.svgs) != mapCacheSize {
		t.Errorf("%d maps cached, want %d", n, mapCacheSize)
	}
	srv.mu.Unlock()
}

// TestExpectedIncidents: per day per area, summing to the incidents per day,
// in proportion to the areas' weights.
func TestExpectedIncidents(t *testing.T) {
	s, err := scenarios.LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	city := s.Config.City
	vals := expectedIncidents(city, 210)
	sum := 0.0
	for a, x := range vals {
		sum += x
		if a > 0 && math.Abs(x/vals[0]-city.Atoms[a].Weight/city.Atoms[0].Weight) > 1e-12 {
			t.Errorf("area %d: %g, not in proportion to its weight", a, x)
		}
	}
	if math.Abs(sum-210) > 1e-9 {
		t.Errorf("sum %g, want 210", sum)
	}
}
