package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
)

func TestParseMaxspeed(t *testing.T) {
	for _, k := range []struct {
		in   string
		kmh  float64
		kind int
	}{
		{"50", 50, MaxspeedNumber},
		{" 30 ", 30, MaxspeedNumber},
		{"50 km/h", 50, MaxspeedNumber},
		{"50kmh", 50, MaxspeedNumber},
		{"60 kph", 60, MaxspeedNumber},
		{"25 mph", 25 * 1.609344, MaxspeedNumber}, // international mile: 1.609344 km
		{"25mph", 25 * 1.609344, MaxspeedNumber},
		{"35 MPH", 35 * 1.609344, MaxspeedNumber},
		{"10 knots", 10 * 1.852, MaxspeedNumber}, // nautical mile: 1.852 km
		{"7.5", 7.5, MaxspeedNumber},
		{"none", 0, MaxspeedDefault},
		{"signals", 0, MaxspeedDefault},
		{"variable", 0, MaxspeedDefault},
		{"walk", 0, MaxspeedDefault},
		{"DE:urban", 0, MaxspeedDefault},
		{"RU:living_street", 0, MaxspeedDefault},
		{"GB:nsl_single", 0, MaxspeedDefault},
		{"FR:zone30", 0, MaxspeedDefault},
		{"", 0, MaxspeedMalformed},
		{"fast", 0, MaxspeedMalformed},
		{"50;30", 0, MaxspeedMalformed},
		{"0", 0, MaxspeedMalformed},
		{"-30", 0, MaxspeedMalformed},
		{"500", 0, MaxspeedMalformed},
		{"30 furlongs", 0, MaxspeedMalformed},
		{"mph", 0, MaxspeedMalformed},
	} {
		kmh, kind := ParseMaxspeed(k.in)
		if kind != k.kind || math.Abs(kmh-k.kmh) > 1e-9 {
			t.Errorf("ParseMaxspeed(%q) = %g, kind %d; want %g, kind %d", k.in, kmh, kind, k.kmh, k.kind)
		}
	}
}

func TestOSMOneway(t *testing.T) {
	for _, k := range []struct {
		tags string
		want int
	}{
		{"highway=residential", OnewayNo},
		{"highway=residential oneway=yes", OnewayForward},
		{"highway=residential oneway=true", OnewayForward},
		{"highway=residential oneway=1", OnewayForward},
		{"highway=residential oneway=-1", OnewayReverse},
		{"highway=residential oneway=reverse", OnewayReverse},
		{"highway=residential oneway=no", OnewayNo},
		{"highway=residential junction=roundabout", OnewayForward},
		{"highway=residential junction=circular", OnewayForward},
		{"highway=residential junction=roundabout oneway=no", OnewayNo},
		{"highway=residential junction=roundabout oneway=-1", OnewayReverse},
		{"highway=motorway", OnewayForward},
		{"highway=motorway oneway=no", OnewayNo},
		{"highway=residential oneway=reversible", OnewaySkip},
		{"highway=residential oneway=alternating", OnewaySkip},
		{"highway=residential oneway=maybe", OnewayNo},
	} {
		tags := map[string]string{}
		for _, kv := range strings.Fields(k.tags) {
			key, v, _ := strings.Cut(kv, "=")
			tags[key] = v
		}
		if got := OSMOneway(tags); got != k.want {
			t.Errorf("OSMOneway(%s) = %d, want %d", k.tags, got, k.want)
		}
	}
}

func TestRoadFormat(t *testing.T) {
	pbf := readShared(t, "osm/monaco_2016.osm.pbf")
	for _, k := range []struct {
		name string
		data []byte
		want string // format, or the error's text
	}{
		{"roads.geojson", []byte(`{"type":"FeatureCollection"}`), FormatGeoJSON},
		{"roads.json", []byte("\xef\xbb\xbf {}"), FormatGeoJSON},
		{"roads", []byte(`{}`), FormatGeoJSON},
		{"city.osm", []byte(`<?xml version="1.0"?><osm></osm>`), FormatOSMXML},
		{"city.osm.pbf", pbf, FormatOSMPBF},
		{"city.bin", pbf, FormatOSMPBF},
		{"city.osm.pbf", []byte(`{"type":"FeatureCollection"}`), "named city.osm.pbf (OSM PBF) but holds GeoJSON"},
		{"roads.geojson", pbf, "named roads.geojson (GeoJSON) but holds OSM PBF"},
		{"city.osm", []byte("PK\x03\x04zip"), `neither GeoJSON, OpenStreetMap XML nor OpenStreetMap PBF (it starts with "PK\x03\x04zip")`},
		{"empty.osm.pbf", nil, "neither GeoJSON"},
	} {
		got, err := RoadFormat(k.name, k.data)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, k.want) {
			t.Errorf("RoadFormat(%s): got %q, want %q", k.name, got, k.want)
		}
	}
}

// osmSquare is a hand-made OpenStreetMap extract near Monaco: a square of
// four corners 1 (south-west), 2 (south-east), 3 (north-east), 4
// (north-west), about 800 m a side, and its roads:
//
//   - 1→2 residential, oneway=yes;
//   - 2–3 residential both ways, maxspeed=50;
//   - 4,3 residential, oneway=-1 (drawn 4 to 3, driven 3 → 4 only);
//   - 4–1 residential both ways, maxspeed=fast (malformed: 25 km/h);
//   - 1–3 a footway (not drivable);
//   - 2→5 a motorway (implied one-way) to node 5, which then has no way
//     back (dropped: not strongly connected);
//   - 4–99 residential to a node the extract lacks (cut: left out).
func osmSquare() []byte {
	const lon0, lat0, d = 7.42, 43.73, 0.01
	nodes := []struct {
		id       int
		lon, lat float64
	}{{1, lon0, lat0}, {2, lon0 + d, lat0}, {3, lon0 + d, lat0 + d*0.72}, {4, lon0, lat0 + d*0.72}, {5, lon0 + 2*d, lat0}}
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"hand\">\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, " <node id=\"%d\" lat=\"%.7f\" lon=\"%.7f\" version=\"1\"/>\n", n.id, n.lat, n.lon)
	}
	way := func(id int, refs []int, tags ...string) {
		fmt.Fprintf(&b, " <way id=\"%d\" version=\"1\">\n", id)
		for _, r := range refs {
			fmt.Fprintf(&b, "  <nd ref=\"%d\"/>\n", r)
		}
		for i := 0; i+1 < len(tags); i += 2 {
			fmt.Fprintf(&b, "  <tag k=\"%s\" v=\"%s\"/>\n", tags[i], tags[i+1])
		}
		b.WriteString(" </way>\n")
	}
	way(10, []int{1, 2}, "highway", "residential", "oneway", "yes")
	way(11, []int{2, 3}, "highway", "residential", "maxspeed", "50")
	way(12, []int{4, 3}, "highway", "residential", "oneway", "-1")
	way(13, []int{4, 1}, "highway", "residential", "maxspeed", "fast")
	way(14, []int{1, 3}, "highway", "footway")
	way(15, []int{2, 5}, "highway", "motorway")
	way(16, []int{4, 99}, "highway", "residential")
	b.WriteString("</osm>\n")
	return []byte(b.String())
}

// TestOSMSquare reads osmSquare and checks the graph and its times, worked
// out by hand from its roads: from 1 to 2 straight (one-way), from 2 to 1
// round by 3 and 4 (1→2 is one-way, 3→4 allowed); from 4 to 3 round by 1
// and 2 (3→4 is one-way the other way).
func TestOSMSquare(t *testing.T) {
	c := &City{Proj: &Projection{Lon0: 7.425, Lat0: 43.733}}
	net, err := c.Roads("square.osm", osmSquare(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if net.Nodes() != 4 || net.Dropped() != 1 || net.Edges() != 4 || !net.Directed() {
		t.Fatalf("nodes %d dropped %d segments %d directed %v: want 4, 1 (node 5), 4, true", net.Nodes(), net.Dropped(), net.Edges(), net.Directed())
	}
	if used, bad := net.Maxspeeds(); used != 1 || bad != 1 {
		t.Errorf("maxspeed used on %d ways, malformed on %d: want 1 and 1", used, bad)
	}
	corner := func(lon, lat float64) int {
		t.Helper()
		n, d := net.Snap(c.ProjectLonLat(lon, lat))
		if d > 0.01 {
			t.Fatalf("corner (%g, %g): nearest node %.3f m away", lon, lat, d)
		}
		return n
	}
	const lon0, lat0, dd = 7.42, 43.73, 0.01
	n1, n2, n3, n4 := corner(lon0, lat0), corner(lon0+dd, lat0), corner(lon0+dd, lat0+dd*0.72), corner(lon0, lat0+dd*0.72)
	p := func(n int) Point { return net.Node(n) }
	at := func(a, b int, kmh float64) float64 { return p(a).Dist(p(b)) / (kmh / 3.6) }
	s := net.NewSearch()
	for _, k := range []struct {
		name     string
		from, to int
		want     float64
	}{
		{"1→2 (one-way, along)", n1, n2, at(n1, n2, 25)},
		{"2→1 (one-way, against: by 3 and 4)", n2, n1, at(n2, n3, 50) + at(n3, n4, 25) + at(n4, n1, 25)},
		{"3→4 (oneway=-1, along)", n3, n4, at(n3, n4, 25)},
		{"4→3 (oneway=-1, against: by 1 and 2)", n4, n3, at(n4, n1, 25) + at(n1, n2, 25) + at(n2, n3, 50)},
		{"2→3 (both ways, maxspeed 50)", n2, n3, at(n2, n3, 50)},
		{"3→2", n3, n2, at(n2, n3, 50)},
	} {
		if got := s.RoadTime(k.from, k.to, nil); math.Abs(got-k.want) > 1e-9*k.want {
			t.Errorf("%s: %.6f s, want %.6f s", k.name, got, k.want)
		}
	}

	// The table: zones of 100 m put every corner in a zone of its own;
	// times between corners are then the anchors' (the corners) exact
	// times, different each way.
	tab, err := NewRoadTable(net, 100, net.RefSpeed(nil))
	if err != nil {
		t.Fatal(err)
	}
	a, b := p(n1), p(n2)
	fwd, back := tab.Time(a, b), tab.Time(b, a)
	if want := at(n1, n2, 25); math.Abs(fwd-want) > 1e-3 {
		t.Errorf("table 1→2: %.4f s, want %.4f s", fwd, want)
	}
	if want := at(n2, n3, 50) + at(n3, n4, 25) + at(n4, n1, 25); math.Abs(back-want) > 1e-3*want {
		t.Errorf("table 2→1: %.4f s, want %.4f s", back, want)
	}
	// The leg from 2 to 1 is drawn round by 3 and 4.
	l := Travel{Roads: tab}.Leg(b, a, 0, tab.RefKmh)
	var path []Point // the drawn path, without repeated points (From is node 2)
	for _, q := range l.RoadPath() {
		if len(path) == 0 || q != path[len(path)-1] {
			path = append(path, q)
		}
	}
	want := []Point{p(n2), p(n3), p(n4), p(n1)}
	if len(path) != len(want) {
		t.Fatalf("leg 2→1 passes %v, want %v", path, want)
	}
	for i := range want {
		if path[i].Dist(want[i]) > 1e-6 {
			t.Fatalf("leg 2→1 passes %v, want %v", path, want)
		}
	}
}

func TestOSMErrors(t *testing.T) {
	c := &City{Proj: &Projection{Lon0: 7.425, Lat0: 43.733}}
	for _, k := range []struct {
		name string
		data string
		want string
	}{
		{"none.osm", `<osm><node id="1" lat="43.73" lon="7.42"/><way id="1"><nd ref="1"/><nd ref="1"/><tag k="highway" v="footway"/></way></osm>`, "no drivable way"},
		{"bad.osm", `<osm><node id="1" lat="43.73" lon="7.42"/><way id="1"><nd ref="1"/>`, "OpenStreetMap XML"},
		{"far.osm", `<osm><node id="1" lat="95" lon="7.42"/><node id="2" lat="43.73" lon="7.42"/><way id="7"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way></osm>`, "way 7: node 1 (7.42, 95) outside lon/lat range"},
		{"cut.osm.pbf", string(readShared(t, "osm/monaco_2016.osm.pbf")[:100000]), "OpenStreetMap PBF: blob"},
	} {
		_, err := c.Roads(k.name, []byte(k.data), nil)
		if err == nil || !strings.Contains(err.Error(), k.want) {
			t.Errorf("%s: got %v, want an error containing %q", k.name, err, k.want)
		}
	}
	grid := &City{}
	if _, err := grid.RoadsFromOSM(osmSquare(), nil); err == nil || !strings.Contains(err.Error(), "grid city") {
		t.Errorf("grid city: got %v", err)
	}
}

// TestReadPBFCounts: the PBF reader finds the numbers of nodes and ways the
// shared data's README gives for central Baltimore (51k nodes, 7.2k ways).
func TestReadPBFCounts(t *testing.T) {
	var nodes, ways int
	err := readPBF(readShared(t, "osm/baltimore_central_2015.osm.pbf"), func(osmNode) { nodes++ }, func(osmWay) { ways++ })
	if err != nil {
		t.Fatal(err)
	}
	if nodes < 50500 || nodes >= 51500 || ways < 7150 || ways >= 7250 {
		t.Errorf("%d nodes, %d ways: want 51k and 7.2k", nodes, ways)
	}
}

// osmCity is one of the shared OpenStreetMap extracts with the example
// scenario's areas (docs/examples).
type osmCity struct {
	name, roads, areas string
}

var osmCities = []osmCity{
	{"Baltimore", "osm/baltimore_central_2015.osm.pbf", "baltimore_areas.geojson"},
	{"Monaco", "osm/monaco_2016.osm.pbf", "monaco_areas.geojson"},
}

// osmTables caches the cities' tables: several tests use them.
var osmTables sync.Map // name → *RoadTable

func osmTable(tb testing.TB, oc osmCity) (*City, *RoadTable) {
	tb.Helper()
	areas, err := os.ReadFile("../../docs/examples/" + oc.areas)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := FromGeoJSON(areas, AreaFields{Name: "name", District: "district"})
	if err != nil {
		tb.Fatal(err)
	}
	if v, ok := osmTables.Load(oc.name); ok {
		return c, v.(*RoadTable)
	}
	net, err := c.Roads(oc.roads, readShared(tb, oc.roads), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tab, err := NewRoadTable(net, 0, net.RefSpeed(nil))
	if err != nil {
		tb.Fatal(err)
	}
	tab.Build()
	osmTables.Store(oc.name, tab)
	return c, tab
}

// edgeSec returns the time of the edge u → v of the directed network, or
// fails.
func edgeSec(tb testing.TB, net *RoadNet, u, v int32) float64 {
	tb.Helper()
	for e := net.off[u]; e < net.off[u+1]; e++ {
		if net.to[e] == v {
			return net.sec[e]
		}
	}
	tb.Fatalf("no edge %d → %d", u, v)
	return 0
}

// TestOSMOneWayStreets: on both cities' real roads, exact shortest times
// from a to b and from b to a differ for many pairs of nodes (one-way
// streets), and the table's times between points differ too.
func TestOSMOneWayStreets(t *testing.T) {
	for _, oc := range osmCities {
		t.Run(oc.name, func(t *testing.T) {
			c, tab := osmTable(t, oc)
			net := tab.Net
			s := net.NewSearch()
			r := rand.New(rand.NewPCG(17, 1))
			const pairs = 100
			differ, worst := 0, 0.0
			for range pairs {
				a, b := r.IntN(net.Nodes()), r.IntN(net.Nodes())
				fwd, back := s.RoadTime(a, b, nil), s.RoadTime(b, a, nil)
				if math.Abs(fwd-back) > 0.05*max(fwd, back) {
					differ++
				}
				worst = max(worst, math.Abs(fwd-back))
			}
			tableDiffer := 0
			for range pairs {
				a, b := randomCityPoint(c, r), randomCityPoint(c, r)
				if fwd, back := tab.Time(a, b), tab.Time(b, a); math.Abs(fwd-back) > 0.05*max(fwd, back) {
					tableDiffer++
				}
			}
			t.Logf("%s: %d of %d node pairs differ by more than 5%% each way (largest difference %.0f s); %d of %d point pairs in the table", oc.name, differ, pairs, worst, tableDiffer, pairs)
			// With every street two-way both counts would be 0.
			if differ < pairs/10 || tableDiffer < pairs/10 {
				t.Errorf("%d node pairs and %d point pairs of %d differ by more than 5%%: want at least %d", differ, tableDiffer, pairs, pairs/10)
			}
		})
	}
}

// TestOSMTableExact: on the directed networks, the table's anchor-to-anchor
// times equal Dijkstra's on the whole network from the first anchor
// (RoadNet.Times, forward); following pred from a node walks forward
// edges to the anchor in the node's shortest time to it; every node's way
// from its anchor walks forward edges in the anchor's shortest time to it;
// and a leg's drawn path between zones steps along forward edges only.
func TestOSMTableExact(t *testing.T) {
	for _, oc := range osmCities {
		t.Run(oc.name, func(t *testing.T) {
			c, tab := osmTable(t, oc)
			net, z, n := tab.Net, tab.Zones(), tab.Net.Nodes()
			r := rand.New(rand.NewPCG(19, 2))
			want := make([]float64, n)
			close := func(got, w float64) bool { return math.Abs(got-w) <= 1e-6*w+1e-3 } // float32 storage
			for range 6 {
				za := r.IntN(z)
				src := tab.anchor[za]
				net.Times(int(src), want)
				for zb, b := range tab.anchor {
					if got := float64(tab.time[za*z+zb]); !close(got, want[b]) {
						t.Fatalf("anchor %d → %d: table %.4f s, Dijkstra %.4f s", za, zb, got, want[b])
					}
				}
				// Ways from anchor za into its zone.
				for v := range int32(n) {
					if tab.zoneOfNode[v] != int32(za) {
						continue
					}
					p := tab.fromPath[tab.fromOff[v]:tab.fromOff[v+1]]
					if p[0] != src || p[len(p)-1] != v {
						t.Fatalf("way from anchor %d to node %d: %v", za, v, p)
					}
					sum := 0.0
					for i := 1; i < len(p); i++ {
						sum += edgeSec(t, net, p[i-1], p[i])
					}
					if !close(sum, want[v]) {
						t.Fatalf("way from anchor %d to node %d takes %.4f s, shortest %.4f s", za, v, sum, want[v])
					}
				}
				// Ways to anchor za from a sample of nodes.
				pred := tab.predRow(za)
				from := make([]float64, n)
				for range 5 {
					v := int32(r.IntN(n))
					net.Times(int(v), from)
					sum, steps := 0.0, 0
					for u := v; u != src; u = pred[u] {
						if pred[u] < 0 || steps > n {
							t.Fatalf("node %d: the walk to anchor %d stops at %d", v, za, u)
						}
						sum += edgeSec(t, net, u, pred[u])
						steps++
					}
					if !close(sum, from[src]) {
						t.Fatalf("node %d: walk to anchor %d takes %.4f s, shortest %.4f s", v, za, sum, from[src])
					}
				}
			}
			// Legs between random points: consecutive road nodes of the
			// drawn path are joined by forward edges.
			tr := Travel{Roads: tab}
			for range 100 {
				a, b := randomCityPoint(c, r), randomCityPoint(c, r)
				l := tr.Leg(a, b, 0, tab.RefKmh)
				path := l.RoadPath()
				prev := int32(-1)
				for _, q := range path[1 : len(path)-1] {
					u, d := net.Snap(q)
					if d > 1e-6 {
						t.Fatalf("leg %v → %v: point %v of its path is no road node", a, b, q)
					}
					if prev >= 0 && prev != int32(u) {
						edgeSec(t, net, prev, int32(u))
					}
					prev = int32(u)
				}
			}
		})
	}
}

// BenchmarkOSMBuild measures, per city, reading the extract into a
// directed network ("read") and building its zone-anchor table of 500 m
// zones ("table"), in ms of wall time per operation (target for both
// together: < 1 s) and in ms of CPU time of the process (all cores: on a
// shared machine, less dependent on the load than wall time).
func BenchmarkOSMBuild(b *testing.B) {
	for _, oc := range osmCities {
		data := readShared(b, oc.roads)
		c, _ := osmTable(b, oc)
		b.Run(oc.name+"/read", func(b *testing.B) {
			cpu0, _ := cpuTime()
			for b.Loop() {
				if _, err := c.Roads(oc.roads, data, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			if cpu, ok := cpuTime(); ok {
				b.ReportMetric((cpu-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/op")
			}
		})
		net, err := c.Roads(oc.roads, data, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(oc.name+"/table", func(b *testing.B) {
			cpu0, _ := cpuTime()
			for b.Loop() {
				tab, err := NewRoadTable(net, 0, net.RefSpeed(nil))
				if err != nil {
					b.Fatal(err)
				}
				tab.Build()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			if cpu, ok := cpuTime(); ok {
				b.ReportMetric((cpu-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/op")
			}
		})
	}
}
