package geo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/shareddata"
)

// roadFeature returns a LineString feature with class MTFCC through the
// lon/lat points xy (lon, lat, lon, lat, …).
func roadFeature(id, mtfcc string, xy ...float64) string {
	var pts []string
	for i := 0; i+1 < len(xy); i += 2 {
		pts = append(pts, fmt.Sprintf("[%.7f,%.7f]", xy[i], xy[i+1]))
	}
	return fmt.Sprintf(`{"type":"Feature","properties":{"LINEARID":%q,"MTFCC":%q},"geometry":{"type":"LineString","coordinates":[%s]}}`,
		id, mtfcc, strings.Join(pts, ","))
}

// Synthetic network: a 3×3 lattice of streets about 880 m apart near San
// Francisco. Row 0 (the bottom street) is a primary road (70 km/h), the
// rest local streets (30 km/h). The street at column 1 starts 0.33 m from
// the lattice point (joined); the street at column 2 ends 0.78 m above the
// top-right point (not joined: a dead end of its own). A separate segment
// far away is pruned.
const (
	synLon0, synLat0 = -122.45, 37.77
	synDLon, synDLat = 0.01, 0.008
	joinOff          = 3e-6 // degrees of latitude, ≈ 0.33 m
	apartOff         = 7e-6 // ≈ 0.78 m
)

// synLon and synLat are rounded to the 7 decimals written in the GeoJSON.
func synLon(c int) float64 { return math.Round((synLon0+float64(c)*synDLon)*1e7) / 1e7 }
func synLat(r int) float64 { return math.Round((synLat0+float64(r)*synDLat)*1e7) / 1e7 }

func synCity(t *testing.T) *City {
	t.Helper()
	return &City{Proj: &Projection{Lon0: synLon0 + synDLon, Lat0: synLat0 + synDLat}}
}

func synRoads() []byte {
	var fs []string
	for r := range 3 {
		class := "S1400"
		if r == 0 {
			class = "S1100"
		}
		fs = append(fs, roadFeature(fmt.Sprintf("h%d", r), class, synLon(0), synLat(r), synLon(1), synLat(r), synLon(2), synLat(r)))
	}
	fs = append(fs,
		roadFeature("v0", "S1400", synLon(0), synLat(0), synLon(0), synLat(1), synLon(0), synLat(2)),
		roadFeature("v1", "S1400", synLon(1), synLat(0)+joinOff, synLon(1), synLat(1), synLon(1), synLat(2)),
		roadFeature("v2", "S1400", synLon(2), synLat(0), synLon(2), synLat(1), synLon(2), synLat(2)+apartOff),
		roadFeature("dup", "S1200", synLon(0), synLat(1), synLon(1), synLat(1)), // h1's first segment again, faster
		roadFeature("far", "S1400", synLon(0)+0.1, synLat(0), synLon(0)+0.1, synLat(1)),
	)
	return collection(fs...)
}

func synNet(t *testing.T) (*City, *RoadNet) {
	t.Helper()
	c := synCity(t)
	net, err := c.RoadsFromGeoJSON(synRoads(), nil)
	if err != nil {
		t.Fatalf("RoadsFromGeoJSON: %v", err)
	}
	return c, net
}

// synNode returns the node at lattice point (r, c), which must lie on it.
func synNode(t *testing.T, c *City, net *RoadNet, r, col int) int {
	t.Helper()
	n, d := net.Snap(c.ProjectLonLat(synLon(col), synLat(r)))
	if d != 0 {
		t.Fatalf("lattice point (%d,%d): nearest node %.3f m away, want 0", r, col, d)
	}
	return n
}

func TestRoadsSyntheticStructure(t *testing.T) {
	c, net := synNet(t)
	// 9 lattice nodes + the unjoined top of v2 = 10 kept; the far segment's
	// 2 nodes are dropped.
	if net.Nodes() != 10 || net.Dropped() != 2 {
		t.Fatalf("nodes %d, dropped %d; want 10, 2", net.Nodes(), net.Dropped())
	}
	// 3 horizontal streets × 2 + 3 vertical × 2 segments; "dup" merged.
	if net.Edges() != 12 {
		t.Errorf("edges %d, want 12", net.Edges())
	}
	if net.MaxSpeed() < 70-1e-9 || net.MaxSpeed() > 70+1e-9 {
		t.Errorf("max speed %g, want 70", net.MaxSpeed())
	}
	want := 0.0
	p := func(r, col int) Point { return c.ProjectLonLat(synLon(col), synLat(r)) }
	for r := range 3 {
		want += p(r, 0).Dist(p(r, 1)) + p(r, 1).Dist(p(r, 2))
	}
	for col := range 3 {
		top := p(2, col)
		if col == 2 {
			top = c.ProjectLonLat(synLon(2), synLat(2)+apartOff)
		}
		want += p(0, col).Dist(p(1, col)) + p(1, col).Dist(top)
	}
	closeTo(t, "total length", net.Length(), want, 1e-6)
	// The 0.33 m offset joined: v1's first vertex is the bottom street's
	// node (its position from the bottom street, read first).
	n10 := synNode(t, c, net, 0, 1)
	if got, _ := net.Snap(c.ProjectLonLat(synLon(1), synLat(0)+joinOff)); got != n10 {
		t.Errorf("vertex 0.33 m from (0,1) snaps to node %d, want %d", got, n10)
	}
	// The segment drawn twice keeps the faster class (S1200, 50 km/h).
	n10m, n11 := synNode(t, c, net, 1, 0), synNode(t, c, net, 1, 1)
	dst := make([]float64, net.Nodes())
	net.Times(n10m, dst)
	closeTo(t, "time along the doubly drawn segment", dst[n11], p(1, 0).Dist(p(1, 1))/(50/3.6), 1e-9)
	deg := func(u int) int { return int(net.off[u+1] - net.off[u]) }
	if deg(n10) != 3 {
		t.Errorf("degree of (0,1) = %d, want 3", deg(n10))
	}
	// The 0.78 m offset did not join: (2,2) has degree 1 (top street only).
	if n22 := synNode(t, c, net, 2, 2); deg(n22) != 1 {
		t.Errorf("degree of (2,2) = %d, want 1", deg(n22))
	}
}

func TestRoadsSyntheticTimes(t *testing.T) {
	c, net := synNet(t)
	p := func(r, col int) Point { return c.ProjectLonLat(synLon(col), synLat(r)) }
	fast, slow := 70/3.6, 30/3.6
	from := synNode(t, c, net, 0, 0)
	dst := make([]float64, net.Nodes())
	net.Times(from, dst)
	cases := []struct {
		r, col int
		want   float64
	}{
		{0, 0, 0},
		{0, 2, (p(0, 0).Dist(p(0, 1)) + p(0, 1).Dist(p(0, 2))) / fast},
		// Along the primary road, then up column 2.
		{1, 2, (p(0, 0).Dist(p(0, 1))+p(0, 1).Dist(p(0, 2)))/fast + p(0, 2).Dist(p(1, 2))/slow},
		// (2,2) only from (2,1): primary to (0,1), then up and right.
		{2, 2, p(0, 0).Dist(p(0, 1))/fast + (p(0, 1).Dist(p(1, 1))+p(1, 1).Dist(p(2, 1))+p(2, 1).Dist(p(2, 2)))/slow},
		// Straight up column 0 (≈211 s) beats the primary detour (≈256 s).
		{2, 0, (p(0, 0).Dist(p(1, 0)) + p(1, 0).Dist(p(2, 0))) / slow},
	}
	for _, k := range cases {
		got := dst[synNode(t, c, net, k.r, k.col)]
		closeTo(t, fmt.Sprintf("time to (%d,%d)", k.r, k.col), got, k.want, 1e-9)
	}
	// Dijkstra against Bellman–Ford from every node; A* against Dijkstra
	// for every pair.
	s := net.NewSearch()
	for u := range net.Nodes() {
		net.Times(u, dst)
		bf := bellmanFord(net, u)
		for v := range net.Nodes() {
			closeTo(t, fmt.Sprintf("Dijkstra %d→%d", u, v), dst[v], bf[v], 1e-9)
			var path []Point
			got := s.RoadTime(u, v, &path)
			closeTo(t, fmt.Sprintf("A* %d→%d", u, v), got, dst[v], 1e-9)
			if path[0] != net.Node(u) || path[len(path)-1] != net.Node(v) {
				t.Errorf("A* %d→%d: path %v does not join the nodes", u, v, path)
			}
		}
	}
}

func bellmanFord(net *RoadNet, from int) []float64 {
	d := make([]float64, net.Nodes())
	for i := range d {
		d[i] = math.Inf(1)
	}
	d[from] = 0
	for changed := true; changed; {
		changed = false
		for u := range net.Nodes() {
			for e := net.off[u]; e < net.off[u+1]; e++ {
				if v := net.to[e]; d[u]+net.sec[e] < d[v] {
					d[v], changed = d[u]+net.sec[e], true
				}
			}
		}
	}
	return d
}

func TestRoadsSyntheticSnapAndRoute(t *testing.T) {
	c, net := synNet(t)
	n00 := synNode(t, c, net, 0, 0)
	p00 := net.Node(n00)
	// 30 m south-west of (0,0), outside the grid of nodes.
	q := Point{p00.X - 18, p00.Y - 24}
	if n, d := net.Snap(q); n != n00 {
		t.Errorf("snap: node %d, want %d", n, n00)
	} else {
		closeTo(t, "snap distance", d, 30, 1e-9)
	}
	// A point beside the pruned far segment snaps to a kept node.
	farP := c.ProjectLonLat(synLon(0)+0.1, synLat(0))
	n, d := net.Snap(farP)
	if want := synNode(t, c, net, 0, 2); n != want {
		t.Errorf("snap near the pruned segment: node %d, want (0,2) = %d", n, want)
	}
	closeTo(t, "snap distance near the pruned segment", d, farP.Dist(net.Node(n)), 1e-9)
	// Snap matches a brute-force search on random points.
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		q := Point{p00.X - 500 + r.Float64()*2800, p00.Y - 500 + r.Float64()*2800}
		_, d := net.Snap(q)
		best := math.Inf(1)
		for i := range net.Nodes() {
			best = min(best, q.Dist(net.Node(i)))
		}
		if d != best {
			t.Fatalf("snap %v: %g m, brute force %g m", q, d, best)
		}
	}
	// Route with snap legs.
	n22 := synNode(t, c, net, 2, 2)
	b := Point{net.Node(n22).X + 6, net.Node(n22).Y - 8} // 10 m
	path, sec, err := net.Route(Point{p00.X - 18, p00.Y - 24}, b)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, net.Nodes())
	net.Times(n00, dst)
	closeTo(t, "route time", sec, dst[n22]+40/(AccessSpeed/3.6), 1e-9)
	if path[0] != (Point{p00.X - 18, p00.Y - 24}) || path[1] != p00 || path[len(path)-2] != net.Node(n22) || path[len(path)-1] != b {
		t.Errorf("route path %v: want the snap legs at both ends", path)
	}
	// On-node ends: no snap leg, no repeated point.
	path, sec, err = net.Route(p00, p00)
	if err != nil || sec != 0 || len(path) != 1 {
		t.Errorf("route node to itself: %v, %g, %v; want 1 point, 0 s", path, sec, err)
	}
	// Too far from the roads.
	_, _, err = net.Route(Point{p00.X - 2000, p00.Y}, b)
	if !errors.Is(err, ErrSnapTooFar) {
		t.Errorf("route from 2 km off the roads: err %v, want ErrSnapTooFar", err)
	}
}

func TestRoadsSpeedsOverride(t *testing.T) {
	c := synCity(t)
	net, err := c.RoadsFromGeoJSON(synRoads(), map[string]float64{"S1100": 100, "S1400": 40})
	if err != nil {
		t.Fatal(err)
	}
	if net.MaxSpeed() < 100-1e-9 || net.MaxSpeed() > 100+1e-9 {
		t.Errorf("max speed %g, want 100", net.MaxSpeed())
	}
	// A class not in the table travels at RoadSpeedOther.
	other, err := c.RoadsFromGeoJSON(collection(roadFeature("x", "S9999", synLon(0), synLat(0), synLon(1), synLat(0))), nil)
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "other class speed", other.MaxSpeed(), RoadSpeedOther, 1e-9)
}

func TestRoadsErrors(t *testing.T) {
	grid := mustGrid(t, GridSpec{Rows: 2, Cols: 2, CellM: 100, Districts: 1})
	if _, err := grid.RoadsFromGeoJSON(synRoads(), nil); err == nil || !strings.Contains(err.Error(), "grid city") {
		t.Errorf("grid city: err %v", err)
	}
	c := synCity(t)
	for _, k := range []struct {
		name   string
		data   []byte
		speeds map[string]float64
		want   string
	}{
		{"bad speed", synRoads(), map[string]float64{"S1400": 0}, "S1400"},
		{"not json", []byte("nope"), nil, "FeatureCollection"},
		{"empty", collection(), nil, "no features"},
		{"point", collection(`{"type":"Feature","properties":{"LINEARID":"p1"},"geometry":{"type":"Point","coordinates":[-122.4,37.7]}}`), nil, "feature 0 (p1): geometry Point"},
		{"out of range", collection(roadFeature("big", "S1400", 500000, 4000000, 500100, 4000000)), nil, "lon/lat range"},
		{"no length", collection(roadFeature("dot", "S1400", -122.4, 37.7, -122.4, 37.7)), nil, "no road segment"},
	} {
		_, err := c.RoadsFromGeoJSON(k.data, k.speeds)
		if err == nil || !strings.Contains(err.Error(), k.want) {
			t.Errorf("%s: err %v, want one containing %q", k.name, err, k.want)
		}
	}
}

func TestRoadsTimesNoAlloc(t *testing.T) {
	_, net := synNet(t)
	s := net.NewSearch()
	dst := make([]float64, net.Nodes())
	s.Times(0, dst)
	if a := testing.AllocsPerRun(100, func() { s.Times(3, dst) }); a != 0 {
		t.Errorf("Times allocates %g times per call", a)
	}
	s.RoadTime(0, 5, nil)
	if a := testing.AllocsPerRun(100, func() { s.RoadTime(1, 7, nil) }); a != 0 {
		t.Errorf("RoadTime allocates %g times per call", a)
	}
}

// ---------------------------------------------------------------------------
// Real data: San Francisco roads (TIGER/Line 2013)

// Paths inside the shared data folder (internal/shareddata).
const (
	sfRoadsPath     = "sf/sf_roads_tiger2013.geojson"
	sfDistrictsPath = "sf/sfpd_districts.geojson"
)

func readShared(tb testing.TB, rel string) []byte {
	tb.Helper()
	return shareddata.Read(tb, rel)
}

func sfRoads(tb testing.TB) (*City, *RoadNet) {
	tb.Helper()
	c, err := FromGeoJSON(readShared(tb, sfDistrictsPath), AreaFields{Name: "DISTRICT", District: "DISTRICT"})
	if err != nil {
		tb.Fatalf("districts: %v", err)
	}
	net, err := c.RoadsFromGeoJSON(readShared(tb, sfRoadsPath), nil)
	if err != nil {
		tb.Fatalf("roads: %v", err)
	}
	return c, net
}

func TestRoadsSanFrancisco(t *testing.T) {
	c, net := sfRoads(t)
	share := float64(net.Dropped()) / float64(net.Nodes()+net.Dropped())
	t.Logf("SF roads: %d nodes, %d edges, %.1f km, %d nodes dropped (%.3f%%), max %g km/h",
		net.Nodes(), net.Edges(), net.Length()/1000, net.Dropped(), 100*share, net.MaxSpeed())
	// README: the largest piece holds 99.85% of the vertices.
	if share > 0.005 {
		t.Errorf("dropped share %.3f%%, want about 0.15%%", 100*share)
	}
	// README: 2,014 km of road (distinct segments); the kept component a
	// little less.
	if l := net.Length() / 1000; l < 1990 || l > 2015 {
		t.Errorf("length %.0f km, want about 2,014", l)
	}
	if net.MaxSpeed() != 70 {
		t.Errorf("max speed %g, want 70 (S1100)", net.MaxSpeed())
	}
	r := rand.New(rand.NewPCG(8, 13))
	dst := make([]float64, net.Nodes())
	s := net.NewSearch()
	vmax := net.MaxSpeed() / 3.6
	far := 0
	for k := range 40 {
		a := c.RandomPoint(r.IntN(len(c.Atoms)), r)
		b := c.RandomPoint(r.IntN(len(c.Atoms)), r)
		path, sec, err := s.Route(a, b)
		if errors.Is(err, ErrSnapTooFar) {
			far++ // a point in the bay or a park far from roads
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		na, da := net.Snap(a)
		nb, db := net.Snap(b)
		net.Times(na, dst)
		legs := (da + db) / (AccessSpeed / 3.6)
		closeTo(t, fmt.Sprintf("pair %d: A* time − Dijkstra time", k), sec-legs, dst[nb], 1e-9*dst[nb]+1e-9)
		if straight := a.Dist(b) / vmax; sec < straight-1e-9 {
			t.Errorf("pair %d: %g s, shorter than the straight line at max speed %g s", k, sec, straight)
		}
		if path[0] != a && da > 0 || path[len(path)-1] != b && db > 0 {
			t.Errorf("pair %d: path does not start at a and end at b", k)
		}
		var plen float64
		for i := 1; i < len(path); i++ {
			plen += path[i-1].Dist(path[i])
		}
		if plen < a.Dist(b)-1e-6 {
			t.Errorf("pair %d: path %.1f m shorter than the straight line %.1f m", k, plen, a.Dist(b))
		}
	}
	if far > 4 {
		t.Errorf("%d of 40 pairs more than %g m from a road node", far, SnapLimit)
	}
	t.Logf("%d of 40 pairs too far from the roads", far)
}

func BenchmarkRoadsBuildSF(b *testing.B) {
	c, _ := sfRoads(b)
	data := readShared(b, sfRoadsPath)
	b.ResetTimer()
	for range b.N {
		if _, err := c.RoadsFromGeoJSON(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoadsRouteSF(b *testing.B) {
	c, net := sfRoads(b)
	r := rand.New(rand.NewPCG(3, 4))
	var pairs [][2]Point
	for len(pairs) < 256 {
		a := c.RandomPoint(r.IntN(len(c.Atoms)), r)
		q := c.RandomPoint(r.IntN(len(c.Atoms)), r)
		if _, _, err := net.Route(a, q); err == nil {
			pairs = append(pairs, [2]Point{a, q})
		}
	}
	s := net.NewSearch()
	b.ResetTimer()
	for i := range b.N {
		p := pairs[i%len(pairs)]
		if _, _, err := s.Route(p[0], p[1]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoadsTimesSF(b *testing.B) {
	_, net := sfRoads(b)
	s := net.NewSearch()
	dst := make([]float64, net.Nodes())
	b.ResetTimer()
	for i := range b.N {
		s.Times((i*7919)%net.Nodes(), dst)
	}
}
