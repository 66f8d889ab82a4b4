package geo

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// sfTable returns the road table of San Francisco (shared/data) with the
// default zones and the local-street reference speed.
func sfTable(tb testing.TB) (*City, *RoadTable) {
	tb.Helper()
	c, net := sfRoads(tb)
	t, err := NewRoadTable(net, 0, DefaultRoadSpeeds["S1400"])
	if err != nil {
		tb.Fatal(err)
	}
	return c, t
}

// randomCityPoint draws a point in a random district of c.
func randomCityPoint(c *City, r *rand.Rand) Point {
	return c.RandomPoint(r.IntN(len(c.Atoms)), r)
}

// TestRoadTableNeverFasterThanStraight: a road time is never shorter than
// the straight line at the network's top speed (no road is faster), and
// within zones of 500 m the table's time between two points is close to
// the exact shortest road time (Route): the table is an estimate, and this
// measures how good.
func TestRoadTableNeverFasterThanStraight(t *testing.T) {
	c, tab := sfTable(t)
	r := rand.New(rand.NewPCG(3, 4))
	top := tab.Net.MaxSpeed() / 3.6
	var sumErr, sumAbs, sumExact float64
	const n = 400
	for i := range n {
		a, b := randomCityPoint(c, r), randomCityPoint(c, r)
		got := tab.Time(a, b)
		if floor := a.Dist(b) / top; got < floor*(1-1e-9) {
			t.Fatalf("pair %d: road time %.1f s < straight line at %g km/h %.1f s", i, got, tab.Net.MaxSpeed(), floor)
		}
		if back := tab.Time(b, a); math.Abs(back-got) > 1e-6*got+1e-3 {
			t.Fatalf("pair %d: time a→b %.3f s, b→a %.3f s: not symmetric", i, got, back)
		}
		_, exact, err := tab.Net.Route(a, b)
		if err != nil {
			t.Fatal(err)
		}
		sumErr += got - exact
		sumAbs += math.Abs(got - exact)
		sumExact += exact
	}
	// Short trips, as from a call to the nearest unit: points 300–2000 m
	// apart.
	var sErr, sAbs, sExact float64
	ns := 0
	for ns < 300 {
		a := randomCityPoint(c, r)
		b := Point{a.X + (r.Float64()*2-1)*1500, a.Y + (r.Float64()*2-1)*1500}
		if d := a.Dist(b); d < 300 || d > 2000 || c.Locate(b) < 0 {
			continue
		}
		_, exact, err := tab.Net.Route(a, b)
		if err != nil {
			t.Fatal(err)
		}
		got := tab.Time(a, b)
		sErr += got - exact
		sAbs += math.Abs(got - exact)
		sExact += exact
		ns++
	}
	t.Logf("short trips (300–2000 m): mean exact %.1f s, bias %+.1f s, mean absolute error %.1f s", sExact/float64(ns), sErr/float64(ns), sAbs/float64(ns))
	if math.Abs(sErr/float64(ns)) > 20 || sAbs/float64(ns) > 45 {
		t.Errorf("short trips too far from exact road times")
	}
	bias, mae := sumErr/n, sumAbs/n
	t.Logf("table vs exact over %d random pairs: mean exact %.1f s, bias %+.1f s, mean absolute error %.1f s (%d zones of %g m)",
		n, sumExact/n, bias, mae, tab.Zones(), tab.ZoneM)
	// Bounds: a zone of 500 m puts a node up to ~350 m from its anchor, 25 s
	// at 50 km/h; the first-order correction keeps the bias well below it.
	if math.Abs(bias) > 15 || mae > 45 {
		t.Errorf("table too far from exact road times: bias %+.1f s, mean absolute error %.1f s", bias, mae)
	}
}

// TestRoadLegFollowsPath: a leg on roads starts at From, ends at To,
// follows road edges between its two access links, moves continuously (no jump longer than the distance its pace allows, plus the
// straight end links), stays inside its Box, and AtCached agrees with At.
func TestRoadLegFollowsPath(t *testing.T) {
	c, tab := sfTable(t)
	tr := Travel{Roads: tab}
	r := rand.New(rand.NewPCG(5, 6))
	var cache PathCache
	node := map[Point]int32{}
	for v := range int32(tab.Net.Nodes()) {
		node[tab.Net.Node(int(v))] = v
	}
	adjacent := func(u, v int32) bool {
		for e := tab.Net.off[u]; e < tab.Net.off[u+1]; e++ {
			if tab.Net.to[e] == v {
				return true
			}
		}
		return u == v
	}
	for i := range 50 {
		a, b := randomCityPoint(c, r), randomCityPoint(c, r)
		l := tr.Leg(a, b, 100, 30/3.6)
		if l.At(100) != a || l.At(l.Arrive) != b {
			t.Fatalf("leg %d: ends %v %v, want %v %v", i, l.At(100), l.At(l.Arrive), a, b)
		}
		if want := 100 + tr.Time(a, b, 30/3.6); math.Abs(l.Arrive-want) > 1e-9 {
			t.Fatalf("leg %d: arrives %v, Time says %v", i, l.Arrive, want)
		}
		x0, y0, x1, y1 := l.Box()
		path := l.RoadPath()
		// Between the access links at its ends, the path is made of road
		// edges.
		for k := 1; k+2 < len(path); k++ {
			u, ok1 := node[path[k]]
			v, ok2 := node[path[k+1]]
			if !ok1 || !ok2 || !adjacent(u, v) {
				t.Fatalf("leg %d: path points %d and %d are not the ends of a road edge", i, k, k+1)
			}
		}
		length := 0.0
		for k := 1; k < len(path); k++ {
			length += path[k-1].Dist(path[k])
		}
		const steps = 400
		prev := a
		for k := 1; k <= steps; k++ {
			tt := 100 + (l.Arrive-100)*float64(k)/steps
			p := l.At(tt)
			if q := l.AtCached(tt, &cache); q.Dist(p) > 1e-3 { // sums in another order
				t.Fatalf("leg %d at %v: At %v, AtCached %v", i, tt, p, q)
			}
			if p.X < x0-1e-6 || p.X > x1+1e-6 || p.Y < y0-1e-6 || p.Y > y1+1e-6 {
				t.Fatalf("leg %d at %v: %v outside its box", i, tt, p)
			}
			// Positions are spread evenly over the path's length.
			if d := prev.Dist(p); d > length/steps*(1+1e-3)+0.05 { // lengths stored as float32
				t.Fatalf("leg %d: jump of %.2f m in one step of %.2f m", i, d, length/steps)
			}
			prev = p
		}
	}
}

// BenchmarkRoadTableTime is the cost of one travel-time query between two
// points in San Francisco (the table built beforehand).
func BenchmarkRoadTableTime(b *testing.B) {
	c, tab := sfTable(b)
	tab.Build()
	r := rand.New(rand.NewPCG(7, 8))
	pts := make([]Point, 1024)
	for i := range pts {
		pts[i] = randomCityPoint(c, r)
	}
	i := 0
	for b.Loop() {
		tab.Time(pts[i%1024], pts[(i*7+3)%1024])
		i++
	}
}

// BenchmarkRoadTableBuild builds San Francisco's table (526 zones of 500 m:
// a search from each) on all cores.
func BenchmarkRoadTableBuild(b *testing.B) {
	_, net := sfRoads(b)
	for b.Loop() {
		tab, err := NewRoadTable(net, 0, 30)
		if err != nil {
			b.Fatal(err)
		}
		tab.Build()
		b.ReportMetric(float64(tab.Zones()), "zones")
	}
}

// BenchmarkRoadTableRow is one row of San Francisco's table: a search from
// one anchor over the core of the 28,172 nodes, with the path boxes carried
// along and every node's predecessor.
func BenchmarkRoadTableRow(b *testing.B) {
	_, tab := sfTable(b)
	tab.Build()
	g := newCoreGraph(tab.Net, tab.anchor)
	m := len(g.node)
	var buckets bucketQueue
	dist := make([]float64, m)
	box := make([][5]float32, m)
	via := make([]int32, m)
	ext := make([]int32, tab.Net.Nodes())
	i := 0
	for b.Loop() {
		tab.row(g, &buckets, i%tab.Zones(), dist, box, via, ext)
		i++
	}
}

// TestRoadTableExact: the table's anchor-to-anchor times equal Dijkstra's
// on the whole network (RoadNet.Times), and following pred from any node
// walks real edges back to the anchor in exactly the node's shortest time:
// the core search with chains loses nothing.
func TestRoadTableExact(t *testing.T) {
	_, tab := sfTable(t)
	tab.Build()
	net, z, n := tab.Net, tab.Zones(), tab.Net.Nodes()
	want := make([]float64, n)
	edge := func(u, v int32) float64 {
		for e := net.off[u]; e < net.off[u+1]; e++ {
			if net.to[e] == v {
				return net.sec[e]
			}
		}
		t.Fatalf("pred %d of %d is not a neighbour", v, u)
		return 0
	}
	for _, za := range []int{0, z / 3, z / 2, z - 1} {
		src := tab.anchor[za]
		net.Times(int(src), want)
		for zb, b := range tab.anchor {
			if got, w := float64(tab.time[za*z+zb]), want[b]; math.Abs(got-w) > 1e-6*w+1e-3 {
				t.Fatalf("anchor %d → %d: table %.4f s, Dijkstra %.4f s", za, zb, got, w)
			}
		}
		pred := tab.predRow(za)
		for v := range int32(n) {
			if v%97 != 0 {
				continue // a sample of the nodes
			}
			sum, steps := 0.0, 0
			for u := v; u != src; u = pred[u] {
				if pred[u] < 0 || steps > n {
					t.Fatalf("node %d: the walk from anchor %d stops at %d", v, za, u)
				}
				sum += edge(u, pred[u])
				steps++
			}
			if math.Abs(sum-want[v]) > 1e-6*want[v]+1e-6 {
				t.Fatalf("node %d: walk takes %.4f s, its shortest time is %.4f s", v, sum, want[v])
			}
		}
	}
}

// TestRoadNeverShorterAtOneSpeed: with every road at one speed (30 km/h,
// the unit's), a road time is never shorter than the straight line at that
// speed — the road is never shorter than the straight line.
func TestRoadNeverShorterAtOneSpeed(t *testing.T) {
	c, err := FromGeoJSON(readShared(t, sfDistrictsPath), AreaFields{Name: "DISTRICT", District: "DISTRICT"})
	if err != nil {
		t.Fatal(err)
	}
	speeds := map[string]float64{}
	for class := range DefaultRoadSpeeds {
		speeds[class] = 30
	}
	speeds["S1500"], speeds["S1780"], speeds["S1820"] = 30, 30, 30
	net, err := c.RoadsFromGeoJSON(readShared(t, sfRoadsPath), speeds)
	if err != nil {
		t.Fatal(err)
	}
	if net.MaxSpeed() != 30 {
		t.Fatalf("top speed %g, want 30", net.MaxSpeed())
	}
	tab, err := NewRoadTable(net, 0, 30)
	if err != nil {
		t.Fatal(err)
	}
	tr := Travel{Roads: tab}
	straight := Travel{Metric: Euclidean}
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 2000 {
		a := randomCityPoint(c, r)
		b := a
		if i%2 == 0 { // half of them short trips
			b = Point{a.X + (r.Float64()*2-1)*800, a.Y + (r.Float64()*2-1)*800}
		} else {
			b = randomCityPoint(c, r)
		}
		v := 30 / 3.6
		if road, line := tr.Time(a, b, v), straight.Time(a, b, v); road < line*(1-1e-9) {
			t.Fatalf("pair %d: road %.2f s < straight line %.2f s at the same speed", i, road, line)
		}
	}
}

// sfFarRoads returns San Francisco's districts and its roads with one more
// road, from the first vertex of the file's first road to 90° of longitude
// east.
func sfFarRoads(t *testing.T) (*City, *RoadNet) {
	t.Helper()
	c, err := FromGeoJSON(readShared(t, sfDistrictsPath), AreaFields{Name: "DISTRICT", District: "DISTRICT"})
	if err != nil {
		t.Fatal(err)
	}
	roads := readShared(t, sfRoadsPath)
	i := bytes.LastIndex(roads, []byte("]}"))
	far := `,{"type":"Feature","properties":{"LINEARID":"far","MTFCC":"S1100"},"geometry":{"type":"LineString","coordinates":[[-122.480706,37.792316],[-110,37.7],[-32.40,37.70]]}}`
	data := slices.Concat(roads[:i], []byte(far), roads[i:])
	net, err := c.RoadsFromGeoJSON(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, net
}

// TestSnapMatchesScan: Snap finds the nearest node (the lowest number of
// equally near ones) that a scan of every node finds, on San Francisco's
// roads alone and with a road reaching 90° of longitude away (whose far
// nodes buildIndex puts in the cells at its grid's edge), for points in
// the city, points between the city and the far road, and points beyond
// the grid on every side.
func TestSnapMatchesScan(t *testing.T) {
	_, sf := sfRoads(t)
	c, far := sfFarRoads(t)
	r := rand.New(rand.NewPCG(21, 22))
	var pts []Point
	for range 400 {
		pts = append(pts, randomCityPoint(c, r))
	}
	for _, ll := range [][2]float64{{-122.6, 37.7}, {-122.3, 37.9}, {-110, 37.7}, {-100, 37.69}, {-32.4, 37.7}, {-20, 40}, {-122.45, 30}, {-122.45, 45}, {-150, 37.75}} {
		pts = append(pts, c.ProjectLonLat(ll[0], ll[1]))
	}
	for _, net := range []*RoadNet{sf, far} {
		for i, p := range pts {
			best, bd := -1, math.Inf(1)
			for j, q := range net.pos {
				if d := q.Dist(p); d < bd {
					best, bd = j, d
				}
			}
			if got, d := net.Snap(p); got != best || d != bd {
				t.Fatalf("%d nodes, point %d %v: Snap %d at %.3f m, scan %d at %.3f m", len(net.pos), i, p, got, d, best, bd)
			}
		}
	}
	// Cells of the bulk's spacing: no cell holds more than a few dozen
	// nodes (San Francisco alone: at most 50 of 28,172; with the far road,
	// 94 — and all 28,172 of the city's nodes in one cell before
	// buildIndex cut its grid to the bulk, which made TestRoadTableFarRoads
	// take 77 s).
	for _, net := range []*RoadNet{sf, far} {
		most := 0
		for k := range net.nx * net.ny {
			most = max(most, int(net.cellOff[k+1]-net.cellOff[k]))
		}
		t.Logf("%d nodes, %d × %d cells, at most %d nodes a cell", len(net.pos), net.nx, net.ny, most)
		if most > 500 {
			t.Errorf("%d nodes: a cell of %d", len(net.pos), most)
		}
	}
}

// TestRoadTableFarRoads: a road file reaching far beyond the city (here one
// road 90° of longitude away, whose raster over the whole network would
// take 200 GiB) gives a table of the city's size: zones and raster cover
// the city's areas padded by RoadRegionPad.
func TestRoadTableFarRoads(t *testing.T) {
	c, net := sfFarRoads(t)
	// The far road starts at the first vertex of the file's first road,
	// so it is part of the network.
	if _, d := net.Snap(c.ProjectLonLat(-32.40, 37.70)); d > 1 {
		t.Fatalf("the far road's end is %.0f m from every node: not in the network", d)
	}
	tab, err := NewRoadTable(net, 0, 30)
	if err != nil {
		t.Fatal(err)
	}
	if b := tab.Bytes(); b > 200<<20 {
		t.Fatalf("table estimated at %d MiB", b>>20)
	}
	tab.Build()
	if z := tab.Zones(); z < 500 || z > 700 {
		t.Errorf("%d zones, want San Francisco's 526 and a few at the region's edge", z)
	}
	if tab.rnx*tab.rny > maxRasterCells {
		t.Errorf("raster of %d cells", tab.rnx*tab.rny)
	}
	_, sf := sfTable(t)
	r := rand.New(rand.NewPCG(11, 12))
	for range 200 {
		a, b := randomCityPoint(c, r), randomCityPoint(c, r)
		if got, want := tab.Time(a, b), sf.Time(a, b); math.Abs(got-want) > 1e-6*want {
			t.Fatalf("a far road changed a time inside the city: %.3f s, without it %.3f s", got, want)
		}
	}
}

// TestMinTime: no travel time between two points, by any metric, detour or
// on roads (the synthetic lattice, whose primary road is faster than the
// reference street), from a point or from a unit's position on a leg, is
// shorter than MinTime of their straight distance.
func TestMinTime(t *testing.T) {
	tab, around := synTable(t)
	travels := []struct {
		name string
		tr   Travel
	}{
		{"Euclidean", Travel{Metric: Euclidean}},
		{"Euclidean, detour 1.3", Travel{Metric: Euclidean, Detour: 1.3}},
		{"Manhattan", Travel{Metric: Manhattan, Detour: 1}},
		{"Manhattan, detour 1.2", Travel{Metric: Manhattan, Detour: 1.2}},
		{"roads", Travel{Roads: tab}},
	}
	for _, tc := range travels {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			point := func() Point { return around(r) }
			for i := range 5000 {
				a, b, v := point(), point(), 1+r.Float64()*20
				if i%4 == 0 {
					b = Point{a.X + r.Float64()*30, a.Y - r.Float64()*30} // near: often one zone
				}
				floor := tc.tr.MinTime(a.Dist(b), v)
				if got := tc.tr.Time(a, b, v); got < floor {
					t.Fatalf("pair %d: Time %.9g s < MinTime %.9g s", i, got, floor)
				}
				// From a position on a leg (its end, or on the way).
				leg := tc.tr.Leg(point(), a, 0, v)
				now := leg.Arrive * float64(i%3) / 2
				pos := leg.At(now)
				target := tc.tr.Target(b)
				if got, floor := tc.tr.TimeFrom(&leg, now, pos, &target, v), tc.tr.MinTime(pos.Dist(b), v); got < floor {
					t.Fatalf("pair %d: TimeFrom %.9g s < MinTime %.9g s", i, got, floor)
				}
			}
		})
	}
}

// TestNodeRecLine: a node's record for legs fills one cache line (64
// bytes), so that a leg reads one line a node.
func TestNodeRecLine(t *testing.T) {
	if s := unsafe.Sizeof(nodeRec{}); s != 64 {
		t.Errorf("nodeRec is %d bytes, want 64", s)
	}
}
