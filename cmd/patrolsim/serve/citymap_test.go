package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/geo"
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
	// The cache stays within its bytes, least recently used out first.
	srv.mu.Lock()
	limit := 3*len(def) + len(def)/2
	srv.mapCacheBytes = limit
	srv.mu.Unlock()
	for i := range 12 {
		if code, _ := do(t, "GET", ts.URL+"/api/map.svg?per_day="+strconv.Itoa(10+i), ""); code != 200 {
			t.Fatalf("per_day=%d: %d", 10+i, code)
		}
		if i == 10 {
			do(t, "GET", ts.URL+"/api/map.svg?per_day=18", "") // the oldest of 18, 19, 20, used again: kept
		}
	}
	srv.mu.Lock()
	sum := 0
	for _, svg := range srv.maps.svgs {
		sum += len(svg)
	}
	if srv.maps.bytes != sum || sum > limit || len(srv.maps.keys) != 3 || len(srv.maps.svgs) != 3 ||
		strings.Join(srv.maps.keys, ",") != "start 20,start 18,start 21" {
		t.Errorf("cache: %v, %d bytes (counted %d), limit %d", srv.maps.keys, sum, srv.maps.bytes, limit)
	}
	// A map larger than maxCachedMap is drawn but not kept.
	srv.maxCachedMap = len(def) / 2
	srv.mu.Unlock()
	if code, b := do(t, "GET", ts.URL+"/api/map.svg?per_day=99", ""); code != 200 || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("a map too big to keep: %d", code)
	}
	srv.mu.Lock()
	if _, kept := srv.maps.svgs["start 99"]; kept || len(srv.maps.svgs) != 3 {
		t.Errorf("a map larger than maxCachedMap was kept: %v", srv.maps.keys)
	}
	srv.mu.Unlock()
}

// TestCityMapShared: requests for a map being drawn wait for that drawing
// (one drawing however many ask), at most MaxMapRenders drawings run at
// once, and when the request drawing a map goes away before its turn, one
// that was waiting for it draws it.
func TestCityMapShared(t *testing.T) {
	var calls, running, most atomic.Int32
	release := make(chan struct{})
	srv, ts := testServerWith(t, newFake(), nil, func(s *Server) {
		s.cityMapSVG = func(city *geo.City, values []float64, title, label string) ([]byte, error) {
			calls.Add(1)
			n := running.Add(1)
			defer running.Add(-1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			<-release
			return []byte("<svg>" + strconv.FormatFloat(values[0], 'g', -1, 64) + "</svg>"), nil
		}
	})
	get := func(q string, out chan<- string) {
		code, b := do(t, "GET", ts.URL+"/api/map.svg?"+q, "")
		out <- strconv.Itoa(code) + " " + string(b)
	}
	// Eight requests for one map, four for four others.
	out := make(chan string, 12)
	for range 8 {
		go get("per_day=100", out)
	}
	for i := range 4 {
		go get("per_day="+strconv.Itoa(200+i), out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for running.Load() < MaxMapRenders && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // any third drawing would start now
	if n := running.Load(); n != MaxMapRenders {
		t.Errorf("%d maps drawn at once, want %d", n, MaxMapRenders)
	}
	close(release)
	got := map[string]int{}
	for range 12 {
		got[<-out]++
	}
	if got["200 <svg>1</svg>"] != 8 || calls.Load() != 5 || most.Load() != MaxMapRenders {
		t.Errorf("answers %v after %d drawings (at most %d at once), want 8 of one map from 5 drawings", got, calls.Load(), most.Load())
	}

	// Every slot busy: a request gives up waiting (its client's timeout);
	// another that was waiting for its drawing then draws the map.
	for range MaxMapRenders {
		srv.renderSlots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/map.svg?per_day=300", nil)
	gone := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		gone <- err
	}()
	time.Sleep(100 * time.Millisecond) // the first request is drawing (waiting for a slot)
	go get("per_day=300", out)
	if err := <-gone; err == nil {
		t.Error("the first request did not time out")
	}
	time.Sleep(100 * time.Millisecond)
	for range MaxMapRenders {
		<-srv.renderSlots
	}
	if got := <-out; got != "200 <svg>3</svg>" {
		t.Errorf("the request left waiting got %q", got)
	}
	if calls.Load() != 6 {
		t.Errorf("%d drawings, want 6", calls.Load())
	}
}

// TestCityMapTooBig: a city with more areas than a map may have is not
// drawn (400, and the form says why), whatever scenario it is.
func TestCityMapTooBig(t *testing.T) {
	_, ts := testServer(t, newFake(), func(o *Options) {
		// 150 × 150 = 22,500 cells, more than MaxMapAreas.
		o.Doc = bytes.Replace(o.Doc, []byte("rows: 10, cols: 10"), []byte("rows: 150, cols: 150"), 1)
	})
	code, b := do(t, "GET", ts.URL+"/api/map.svg", "")
	if code != 400 || !strings.Contains(string(b), "22500 areas with 112500 vertices, more than the 20000 areas and 250000 vertices") {
		t.Errorf("map of 22,500 areas: %d %s", code, b)
	}
	var f Form
	_, b = do(t, "GET", ts.URL+"/api/scenario", "")
	if err := json.Unmarshal(b, &f); err != nil || !strings.Contains(f.MapProblem, "not drawn") {
		t.Errorf("form: map_problem %q (%v)", f.MapProblem, err)
	}
	if f.Areas != 22500 {
		t.Errorf("areas %d", f.Areas)
	}
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
