package geo

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/patrolsim/patrolsim/internal/errlist"
	"github.com/paulmach/orb"
)

// DefaultRoadSpeeds are the travel speeds in km/h assumed for US Census
// TIGER/Line road classes (property MTFCC; class names from the Census
// "MAF/TIGER Feature Class Code" definitions). TIGER carries no speed data:
// these are this project's assumptions of typical urban travel speeds for a
// patrol car, not posted limits. S1100 primary roads are the limited-access
// highways (in San Francisco US-101, I-80, I-280); S1200 secondary roads the
// main arterials; S1400 local streets (a 25 mph limit, slowed by stops); a
// class not listed travels at RoadSpeedOther.
var DefaultRoadSpeeds = map[string]float64{
	"S1100": 70, // primary road
	"S1200": 50, // secondary road
	"S1400": 30, // local neighbourhood road, rural road, city street
	"S1630": 40, // ramp
	"S1640": 20, // service drive
	"S1730": 15, // alley
	"S1740": 15, // private road for service vehicles
	"S1710": 5,  // walkway / pedestrian trail
	"S1720": 5,  // stairway
}

// RoadSpeedOther is the speed in km/h of a road whose MTFCC is missing or
// not in the speed table (e.g. S1500 4WD trails, S1780 parking lot roads,
// S1820 bike paths).
const RoadSpeedOther = 25.0

// RoadJoinTol is the distance in metres within which vertices of the road
// lines are joined into one node.
const RoadJoinTol = 0.5

// AccessSpeed is the speed in km/h of the snap legs of a Route: the straight
// walk or drive from a point to its nearest road node and from the last node
// to the destination. One fixed speed rather than the local edge's: the
// nearest node may lie on a road the leg does not follow.
const AccessSpeed = 20.0

// SnapLimit is the largest snap distance in metres that Route accepts.
const SnapLimit = 1000.0

// ErrSnapTooFar is returned (wrapped) by Route when an end point lies more
// than SnapLimit from every road node.
var ErrSnapTooFar = errors.New("point too far from the road network")

// RoadNet is a road graph in planar metres: the largest connected component
// of the network read from line strings, stored in compressed sparse row
// form. Nodes are numbered 0 .. Nodes()-1. A RoadNet is read-only once built
// and its methods may be called from concurrent goroutines (searches borrow
// buffers from a pool; use a RoadSearch per goroutine to control them).
type RoadNet struct {
	pos []Point   // node positions
	off []int32   // edges of node u: off[u] .. off[u+1]-1
	to  []int32   // edge targets
	sec []float64 // edge travel times, seconds

	// A directed network (OpenStreetMap, with one-way streets) also has
	// the reverse edges: roff, rto, rsec list the edges into each node
	// (rto their start). An undirected one (TIGER) has every edge both
	// ways in off, to, sec.
	directed        bool
	osm             bool // read from OpenStreetMap (classes are highway values)
	roff, rto       []int32
	rsec            []float64
	segments        int // pairs of adjacent nodes
	maxspeedTagged  int // OSM ways whose maxspeed was used
	maxspeedIgnored int // OSM ways whose maxspeed was malformed: the class default was used

	maxSpeed float64  // km/h, over kept edges
	length   float64  // metres of kept road (each undirected edge once)
	dropped  int      // nodes outside the largest component
	classes  []string // the MTFCC classes of the roads read, sorted

	// Snap index: uniform grid of cells of side cell from (x0, y0); cell
	// (cx, cy) holds cellNodes[cellOff[k] .. cellOff[k+1]-1], k = cy*nx+cx.
	x0, y0, cell float64
	nx, ny       int
	cellOff      []int32
	cellNodes    []int32

	pool sync.Pool // *RoadSearch

	city orb.Bound // the city's areas (RoadTable's region); empty if unknown
}

// Nodes returns the number of nodes kept.
func (n *RoadNet) Nodes() int { return len(n.pos) }

// Edges returns the number of road segments kept: one per pair of
// adjacent nodes (a segment drawn by several features, or passable both
// ways, counts once).
func (n *RoadNet) Edges() int { return n.segments }

// Directed reports whether the network has one-way edges (read from
// OpenStreetMap): then the time from a to b may differ from b to a.
func (n *RoadNet) Directed() bool { return n.directed }

// Length returns the total length in metres of the kept edges.
func (n *RoadNet) Length() float64 { return n.length }

// MaxSpeed returns the highest edge speed in km/h.
func (n *RoadNet) MaxSpeed() float64 { return n.maxSpeed }

// Classes returns the road classes (MTFCC) of the features read, sorted.
func (n *RoadNet) Classes() []string { return n.classes }

// Dropped returns the number of nodes left out because they lie outside the
// largest connected component.
func (n *RoadNet) Dropped() int { return n.dropped }

// Node returns the position of node i.
func (n *RoadNet) Node(i int) Point { return n.pos[i] }

// roadEdge is an edge from u to v (and, in an undirected network, back).
type roadEdge struct {
	u, v     int32
	sec, kmh float64
}

// RoadsFromGeoJSON builds the road network of the city from LineString and
// MultiLineString features in lon/lat (WGS 84 degrees), projected with the
// city's projection. Vertices within RoadJoinTol metres of each other become
// one node (the first vertex read gives its position); every segment between
// two distinct nodes is an undirected edge whose time is its length at the
// speed of the feature's MTFCC class (DefaultRoadSpeeds, RoadSpeedOther;
// of a segment drawn by several features, the fastest),
// with speeds (km/h, may be nil) overriding or adding classes. Only the
// largest connected component is kept (Dropped counts the rest).
//
// The errors of all features are reported together, each naming the feature
// index and LINEARID. A grid city (Proj == nil) has no lon/lat and gets an
// error.
func (c *City) RoadsFromGeoJSON(data []byte, speeds map[string]float64) (*RoadNet, error) {
	if c.Proj == nil {
		return nil, fmt.Errorf("a grid city has no lon/lat: road networks need a city read from GeoJSON")
	}
	speed := make(map[string]float64, len(DefaultRoadSpeeds)+len(speeds))
	for k, v := range DefaultRoadSpeeds {
		speed[k] = v
	}
	for k, v := range speeds {
		if !(v > 0) || !finite(v) {
			return nil, fmt.Errorf("road speed for %q: %g km/h, want a finite number > 0", k, v)
		}
		speed[k] = v
	}
	var fc roadFeatures
	if err := json.Unmarshal(data, &fc); err != nil || fc.Type != "FeatureCollection" {
		if err == nil {
			err = fmt.Errorf("type %q", fc.Type)
		}
		return nil, fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("no features: want LineString or MultiLineString roads")
	}

	// Join vertices: cells of side RoadJoinTol, each holding a chain of the
	// nodes in it; a vertex joins the nearest node within RoadJoinTol in the
	// 3×3 cells around it.
	type key struct{ x, y int64 }
	head := map[key]int32{}
	var next []int32
	var pos []Point
	nodeOf := func(p Point) int32 {
		kx, ky := int64(math.Floor(p.X/RoadJoinTol)), int64(math.Floor(p.Y/RoadJoinTol))
		best, bd := int32(-1), RoadJoinTol
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				j, ok := head[key{kx + dx, ky + dy}]
				for ok && j >= 0 {
					if d := pos[j].Dist(p); d <= bd {
						best, bd = j, d
					}
					j = next[j]
				}
			}
		}
		if best >= 0 {
			return best
		}
		id := int32(len(pos))
		pos = append(pos, p)
		k := key{kx, ky}
		if h, ok := head[k]; ok {
			next = append(next, h)
		} else {
			next = append(next, -1)
		}
		head[k] = id
		return id
	}

	var edges []roadEdge
	var errs []error
	classes := map[string]bool{}
	for i, ft := range fc.Features {
		id, ok := propValue(ft.Properties.LINEARID)
		if !ok {
			id = "no LINEARID"
		}
		parts, err := ft.Geometry.lines()
		if err != nil {
			errs = append(errs, fmt.Errorf("feature %d (%s): %w", i, id, err))
			continue
		}
		kmh := RoadSpeedOther
		if class, ok := propValue(ft.Properties.MTFCC); ok {
			classes[class] = true
			if v, ok := speed[class]; ok {
				kmh = v
			}
		}
		mps := kmh / 3.6
		for k, ls := range parts {
			path, err := c.projectLine(ls)
			if err != nil {
				errs = append(errs, fmt.Errorf("feature %d (%s), part %d: %w", i, id, k+1, err))
				continue
			}
			prev := int32(-1)
			for _, p := range path {
				u := nodeOf(p)
				if prev >= 0 && u != prev {
					edges = append(edges, roadEdge{prev, u, pos[prev].Dist(pos[u]) / mps, kmh})
				}
				prev = u
			}
		}
	}
	if len(errs) > 0 {
		return nil, errlist.List(errs)
	}
	return c.buildRoadNet(pos, edges, classes, false)
}

// roadFeatures is what is read of a GeoJSON FeatureCollection of roads.
// Decoded into these types directly it takes about a third of the time of
// the general decoder of orb/geojson, which keeps every property.
type roadFeatures struct {
	Type     string `json:"type"`
	Features []struct {
		Properties struct {
			LINEARID any `json:"LINEARID"`
			MTFCC    any `json:"MTFCC"`
		} `json:"properties"`
		Geometry *roadGeometry `json:"geometry"`
	} `json:"features"`
}

type roadGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// lines returns the line strings of a LineString or MultiLineString.
func (g *roadGeometry) lines() (orb.MultiLineString, error) {
	if g == nil {
		return nil, errors.New("geometry null, want LineString or MultiLineString")
	}
	line := func(ps [][]float64) (orb.LineString, error) {
		ls := make(orb.LineString, len(ps))
		for i, p := range ps {
			if len(p) < 2 {
				return nil, fmt.Errorf("position %d has %d numbers, want lon and lat", i, len(p))
			}
			ls[i] = orb.Point{p[0], p[1]}
		}
		return ls, nil
	}
	switch g.Type {
	case "LineString":
		var ps [][]float64
		if err := json.Unmarshal(g.Coordinates, &ps); err != nil {
			return nil, fmt.Errorf("LineString coordinates: %w", err)
		}
		ls, err := line(ps)
		return orb.MultiLineString{ls}, err
	case "MultiLineString":
		var pss [][][]float64
		if err := json.Unmarshal(g.Coordinates, &pss); err != nil {
			return nil, fmt.Errorf("MultiLineString coordinates: %w", err)
		}
		out := make(orb.MultiLineString, len(pss))
		for k, ps := range pss {
			ls, err := line(ps)
			if err != nil {
				return nil, fmt.Errorf("part %d: %w", k+1, err)
			}
			out[k] = ls
		}
		return out, nil
	}
	return nil, fmt.Errorf("geometry %s, want LineString or MultiLineString", g.Type)
}

// hilbert returns the position of cell (x, y) along the Hilbert curve
// through an n × n grid (n a power of two).
func hilbert(n, x, y uint32) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 { // rotate the quadrant
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}

// buildIndex buckets the nodes into a uniform grid of about two nodes per
// cell (at least 1 m wide). The grid covers the nodes' bounding box, or,
// where a few nodes lie far out (a road file reaching far beyond the city:
// a long ferry line, a stray vertex), the box of the 1st to 99th
// percentile of each coordinate widened by its own width on each side:
// nodes outside it go into the cells at its edge (cellXY clamps), and the
// cells stay the size of the bulk's spacing. Snap's answers do not depend
// on the grid; without the clamp, one road 90° of longitude away made the
// cells kilometres wide and every Snap a scan of the whole city.
func (n *RoadNet) buildIndex() {
	lo, hi := gridBox(n.pos)
	w, h := hi.X-lo.X, hi.Y-lo.Y
	inside := 0
	for _, p := range n.pos {
		if p.X >= lo.X && p.X <= hi.X && p.Y >= lo.Y && p.Y <= hi.Y {
			inside++
		}
	}
	n.cell = max(1, math.Sqrt(max(w*h, 1)*2/float64(max(inside, 1))))
	n.x0, n.y0 = lo.X, lo.Y
	n.nx, n.ny = int(w/n.cell)+1, int(h/n.cell)+1
	n.cellOff = make([]int32, n.nx*n.ny+1)
	cellOf := make([]int32, len(n.pos))
	for i, p := range n.pos {
		cx, cy := n.cellXY(p)
		cellOf[i] = int32(cy*n.nx + cx)
		n.cellOff[cellOf[i]+1]++
	}
	for k := range n.nx * n.ny {
		n.cellOff[k+1] += n.cellOff[k]
	}
	n.cellNodes = make([]int32, len(n.pos))
	fill := make([]int32, n.nx*n.ny)
	copy(fill, n.cellOff)
	for i, k := range cellOf {
		n.cellNodes[fill[k]] = int32(i)
		fill[k]++
	}
}

// gridBox returns the box buildIndex's grid covers: the points' bounding
// box, cut on each axis to the 1st … 99th percentile widened by its width
// on each side where that is narrower.
func gridBox(pos []Point) (lo, hi Point) {
	lo, hi = pos[0], pos[0]
	for _, p := range pos {
		lo = Point{min(lo.X, p.X), min(lo.Y, p.Y)}
		hi = Point{max(hi.X, p.X), max(hi.Y, p.Y)}
	}
	if len(pos) < 100 {
		return lo, hi
	}
	xs := make([]float64, len(pos))
	cut := func(lo, hi *float64) {
		slices.Sort(xs)
		a, b := xs[len(xs)/100], xs[len(xs)-1-len(xs)/100]
		if wide := b - a; wide > 0 {
			*lo, *hi = max(*lo, a-wide), min(*hi, b+wide)
		}
	}
	for i, p := range pos {
		xs[i] = p.X
	}
	cut(&lo.X, &hi.X)
	for i, p := range pos {
		xs[i] = p.Y
	}
	cut(&lo.Y, &hi.Y)
	return lo, hi
}

func (n *RoadNet) cellXY(p Point) (int, int) {
	cx := int(math.Floor((p.X - n.x0) / n.cell))
	cy := int(math.Floor((p.Y - n.y0) / n.cell))
	return max(0, min(n.nx-1, cx)), max(0, min(n.ny-1, cy))
}

// Snap returns the node nearest p and its distance in metres (the lowest
// node number of several equally near). It searches rings of grid cells
// outward from p's cell (or, for p outside the grid, the nearest cell) until
// no unsearched cell can hold a nearer node. Cost: O(1) cells for a point
// among the roads.
func (n *RoadNet) Snap(p Point) (node int, dist float64) {
	cx, cy := n.cellXY(p)
	best, bd := -1, math.Inf(1)
	for r := 0; ; r++ {
		// Ring r: cells at Chebyshev distance r from (cx, cy).
		for y := cy - r; y <= cy+r; y++ {
			if y < 0 || y >= n.ny {
				continue
			}
			step := 2 * r
			if y == cy-r || y == cy+r || r == 0 {
				step = 1
			}
			for x := cx - r; x <= cx+r; x += step {
				if x < 0 || x >= n.nx {
					continue
				}
				k := y*n.nx + x
				for _, j := range n.cellNodes[n.cellOff[k]:n.cellOff[k+1]] {
					if d := n.pos[j].Dist(p); d < bd || (d == bd && int(j) < best) {
						best, bd = int(j), d
					}
				}
			}
		}
		// Every cell of ring r+1 lies at least r·cell from the projection
		// of p onto the grid, and p is at least as far from any point of
		// the grid as its projection (the grid is convex).
		if bd <= float64(r)*n.cell || (r > n.nx && r > n.ny) {
			return best, bd
		}
	}
}

// RoadSearch holds the buffers of shortest-path searches on one RoadNet.
// After the first search it allocates nothing (but the path Route returns).
// A RoadSearch is not safe for concurrent use: make one per goroutine.
type RoadSearch struct {
	net    *RoadNet
	heap   []heapItem
	g      []float64 // A*: best time found, valid where seen[u] == gen
	prev   []int32   // A*: predecessor
	seen   []uint32
	closed []uint32
	gen    uint32
}

type heapItem struct {
	key  float64
	node int32
}

// NewSearch returns search buffers for n.
func (n *RoadNet) NewSearch() *RoadSearch { return &RoadSearch{net: n} }

// Times runs Dijkstra's algorithm from node from and writes the shortest
// travel time in seconds to every node into dst, which must have length
// Nodes(). It borrows a RoadSearch from a pool.
func (n *RoadNet) Times(from int, dst []float64) {
	s := n.pool.Get().(*RoadSearch)
	s.Times(from, dst)
	n.pool.Put(s)
}

// Route returns the fastest path from a to b: the straight snap leg from a
// to its nearest node, the road path (A*) through node positions, and the
// snap leg from the last node to b; seconds is the road time plus the snap
// legs at AccessSpeed. Consecutive equal points are dropped from the path
// (a point on a node starts there), so a route between two points on one
// node is [a, node, b] or shorter.
//
// An end more than SnapLimit from every node gets an error wrapping
// ErrSnapTooFar; the fallback for a caller is straight-line travel
// (Travel with the Euclidean metric) for that leg. Within the kept
// component every pair of nodes is connected, so there is no other error.
// It borrows a RoadSearch from a pool.
func (n *RoadNet) Route(a, b Point) (path []Point, seconds float64, err error) {
	s := n.pool.Get().(*RoadSearch)
	path, seconds, err = s.Route(a, b)
	n.pool.Put(s)
	return path, seconds, err
}

// Times is RoadNet.Times on s's buffers.
func (s *RoadSearch) Times(from int, dst []float64) {
	net := s.net
	if len(dst) != len(net.pos) {
		panic("geo: RoadSearch.Times: dst has length " + strconv.Itoa(len(dst)) + ", want Nodes() = " + strconv.Itoa(len(net.pos)))
	}
	for i := range dst {
		dst[i] = math.Inf(1)
	}
	dst[from] = 0
	s.heap = s.heap[:0]
	s.push(heapItem{0, int32(from)})
	for len(s.heap) > 0 {
		it := s.pop()
		u := it.node
		if it.key > dst[u] {
			continue // stale entry
		}
		for e := net.off[u]; e < net.off[u+1]; e++ {
			v := net.to[e]
			if d := it.key + net.sec[e]; d < dst[v] {
				dst[v] = d
				s.push(heapItem{d, v})
			}
		}
	}
}

// RoadTime returns the shortest road time in seconds from node from to node
// to and, if path is not nil, appends the node positions of the path to
// *path. It is A* with the straight-line distance at MaxSpeed as the
// heuristic (consistent: no edge is faster).
func (s *RoadSearch) RoadTime(from, to int, path *[]Point) float64 {
	net := s.net
	if len(s.g) != len(net.pos) {
		s.g = make([]float64, len(net.pos))
		s.prev = make([]int32, len(net.pos))
		s.seen = make([]uint32, len(net.pos))
		s.closed = make([]uint32, len(net.pos))
	}
	s.gen++
	if s.gen == 0 { // wrapped: clear the stamps
		clear(s.seen)
		clear(s.closed)
		s.gen = 1
	}
	gen := s.gen
	inv := 3.6 / net.maxSpeed // seconds per metre at the maximum speed
	goal := net.pos[to]
	s.heap = s.heap[:0]
	s.g[from], s.prev[from], s.seen[from] = 0, -1, gen
	s.push(heapItem{net.pos[from].Dist(goal) * inv, int32(from)})
	for len(s.heap) > 0 {
		u := s.pop().node
		if s.closed[u] == gen {
			continue
		}
		s.closed[u] = gen
		if int(u) == to {
			break
		}
		gu := s.g[u]
		for e := net.off[u]; e < net.off[u+1]; e++ {
			v := net.to[e]
			d := gu + net.sec[e]
			if s.seen[v] != gen || d < s.g[v] {
				s.g[v], s.prev[v], s.seen[v] = d, u, gen
				if s.closed[v] == gen {
					// Only by rounding in the heuristic: reopen.
					s.closed[v] = 0
				}
				s.push(heapItem{d + net.pos[v].Dist(goal)*inv, v})
			}
		}
	}
	if path != nil {
		start := len(*path)
		for u := int32(to); u >= 0; u = s.prev[u] {
			*path = append(*path, net.pos[u])
		}
		p := (*path)[start:]
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	return s.g[to]
}

// Route is RoadNet.Route on s's buffers.
func (s *RoadSearch) Route(a, b Point) (path []Point, seconds float64, err error) {
	na, da := s.net.Snap(a)
	nb, db := s.net.Snap(b)
	for _, x := range []struct {
		what string
		p    Point
		d    float64
	}{{"start", a, da}, {"end", b, db}} {
		if x.d > SnapLimit {
			return nil, 0, fmt.Errorf("%s (%.1f, %.1f) is %.0f m from the nearest road node (limit %g m): %w", x.what, x.p.X, x.p.Y, x.d, SnapLimit, ErrSnapTooFar)
		}
	}
	path = make([]Point, 0, 64)
	if da > 0 {
		path = append(path, a)
	}
	road := s.RoadTime(na, nb, &path)
	if db > 0 {
		path = append(path, b)
	}
	return path, road + (da+db)/(AccessSpeed/3.6), nil
}

func (s *RoadSearch) push(x heapItem) {
	s.heap = append(s.heap, x)
	h := s.heap
	j := len(h) - 1
	for j > 0 {
		i := (j - 1) / 2
		if !(x.key < h[i].key) {
			break
		}
		h[j] = h[i]
		j = i
	}
	h[j] = x
}

func (s *RoadSearch) pop() heapItem {
	h := s.heap
	top := h[0]
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	s.heap = h
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && h[r].key < h[l].key {
			j = r
		}
		if !(h[j].key < x.key) {
			break
		}
		h[i] = h[j]
		i = j
	}
	if n > 0 {
		h[i] = x
	}
	return top
}

// buildRoadNet builds the network from its nodes' positions and edges (for
// directed, each edge runs from u to v only; else both ways): one edge per
// pair of nodes (per ordered pair if directed), the fastest, and only the
// largest connected component (strongly connected if directed, so that
// every node reaches every other).
func (c *City) buildRoadNet(pos []Point, edges []roadEdge, classes map[string]bool, directed bool) (*RoadNet, error) {
	// One edge per pair of nodes, the fastest: TIGER draws some segments
	// twice (in San Francisco 113 of 2,127 km, e.g. a street under two names).
	seen := make(map[uint64]int, len(edges))
	uniq := edges[:0]
	for _, e := range edges {
		k := uint64(uint32(min(e.u, e.v)))<<32 | uint64(uint32(max(e.u, e.v)))
		if directed {
			k = uint64(uint32(e.u))<<32 | uint64(uint32(e.v))
		}
		if j, dup := seen[k]; dup {
			if e.sec < uniq[j].sec {
				uniq[j].sec, uniq[j].kmh = e.sec, e.kmh
			}
			continue
		}
		seen[k] = len(uniq)
		uniq = append(uniq, e)
	}
	edges = uniq
	if len(edges) == 0 {
		return nil, fmt.Errorf("no road segment of positive length")
	}

	var inRoot func(i int32) bool
	if directed {
		comp := largestSCC(len(pos), edges)
		inRoot = func(i int32) bool { return comp[i] }
	} else {
		// Largest component by node count (union-find with path halving).
		parent := make([]int32, len(pos))
		for i := range parent {
			parent[i] = int32(i)
		}
		find := func(x int32) int32 {
			for parent[x] != x {
				parent[x] = parent[parent[x]]
				x = parent[x]
			}
			return x
		}
		for _, e := range edges {
			if a, b := find(e.u), find(e.v); a != b {
				parent[a] = b
			}
		}
		size := make([]int32, len(pos))
		root := int32(0)
		for i := range pos {
			r := find(int32(i))
			size[r]++
			if size[r] > size[root] || (size[r] == size[root] && r < root) {
				root = r
			}
		}
		inRoot = func(i int32) bool { return find(i) == root }
	}
	// Kept nodes are numbered along a Hilbert curve through their
	// positions, so that nodes near each other in the city are near each
	// other in memory and searches touch fewer cache lines.
	var keep []int32
	lo, hi := Point{math.Inf(1), math.Inf(1)}, Point{math.Inf(-1), math.Inf(-1)}
	for i := range pos {
		if inRoot(int32(i)) {
			keep = append(keep, int32(i))
			lo = Point{min(lo.X, pos[i].X), min(lo.Y, pos[i].Y)}
			hi = Point{max(hi.X, pos[i].X), max(hi.Y, pos[i].Y)}
		}
	}
	side := max(hi.X-lo.X, hi.Y-lo.Y, 1)
	curve := make([]uint64, len(pos))
	for _, i := range keep {
		const cells = 1 << 16
		x := uint32(min((pos[i].X-lo.X)/side*cells, cells-1))
		y := uint32(min((pos[i].Y-lo.Y)/side*cells, cells-1))
		curve[i] = hilbert(cells, x, y)
	}
	slices.SortStableFunc(keep, func(a, b int32) int { return cmp.Compare(curve[a], curve[b]) })
	newID := make([]int32, len(pos))
	for i := range newID {
		newID[i] = -1
	}
	net := &RoadNet{directed: directed}
	for _, i := range keep {
		newID[i] = int32(len(net.pos))
		net.pos = append(net.pos, pos[i])
	}
	net.dropped = len(pos) - len(net.pos)

	n := len(net.pos)
	if directed {
		// Forward and reverse CSR; a kept edge has both ends kept (the
		// component is strongly connected, so an edge with one end in
		// it and the other out is not on any path within it).
		var kept []roadEdge
		for _, e := range edges {
			if newID[e.u] >= 0 && newID[e.v] >= 0 {
				kept = append(kept, roadEdge{newID[e.u], newID[e.v], e.sec, e.kmh})
			}
		}
		net.off, net.to, net.sec = csr(n, kept, false)
		net.roff, net.rto, net.rsec = csr(n, kept, true)
		// Length and segments: each pair of nodes once, whatever its
		// directions.
		pairs := make(map[uint64]bool, len(kept))
		for _, e := range kept {
			k := uint64(uint32(min(e.u, e.v)))<<32 | uint64(uint32(max(e.u, e.v)))
			if !pairs[k] {
				pairs[k] = true
				net.length += net.pos[e.u].Dist(net.pos[e.v])
			}
			net.maxSpeed = max(net.maxSpeed, e.kmh)
		}
		net.segments = len(pairs)
	} else {
		// CSR, both directions of every kept edge.
		net.off = make([]int32, n+1)
		kept := 0
		for _, e := range edges {
			if newID[e.u] >= 0 {
				net.off[newID[e.u]+1]++
				net.off[newID[e.v]+1]++
				kept++
			}
		}
		for i := range n {
			net.off[i+1] += net.off[i]
		}
		net.to = make([]int32, 2*kept)
		net.sec = make([]float64, 2*kept)
		fill := make([]int32, n)
		copy(fill, net.off[:n])
		add := func(u, v int32, s float64) {
			net.to[fill[u]], net.sec[fill[u]] = v, s
			fill[u]++
		}
		for _, e := range edges {
			u, v := newID[e.u], newID[e.v]
			if u < 0 {
				continue
			}
			add(u, v, e.sec)
			add(v, u, e.sec)
			net.length += net.pos[u].Dist(net.pos[v])
			net.maxSpeed = max(net.maxSpeed, e.kmh)
		}
		net.segments = kept
	}
	net.buildIndex()
	net.pool.New = func() any { return net.NewSearch() }
	for class := range classes {
		net.classes = append(net.classes, class)
	}
	slices.Sort(net.classes)
	if len(c.Atoms) > 0 {
		net.city = c.Bound()
	} else {
		net.city = orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{-1, -1}} // empty: no region
	}
	return net, nil
}

// csr returns the edges in compressed sparse row form, by their u (or, if
// reverse, by their v, pointing to u), in the order given.
func csr(n int, edges []roadEdge, reverse bool) (off, to []int32, sec []float64) {
	off = make([]int32, n+1)
	for _, e := range edges {
		u := e.u
		if reverse {
			u = e.v
		}
		off[u+1]++
	}
	for i := range n {
		off[i+1] += off[i]
	}
	to, sec = make([]int32, len(edges)), make([]float64, len(edges))
	fill := make([]int32, n)
	copy(fill, off[:n])
	for _, e := range edges {
		u, v := e.u, e.v
		if reverse {
			u, v = v, u
		}
		to[fill[u]], sec[fill[u]] = v, e.sec
		fill[u]++
	}
	return off, to, sec
}

// largestSCC returns which of the n nodes belong to the largest strongly
// connected component of the directed edges (of several equally large, the
// one holding the lowest node). Tarjan's algorithm, iterative.
func largestSCC(n int, edges []roadEdge) []bool {
	off, to, _ := csr(n, edges, false)
	index := make([]int32, n) // 0: unvisited; else visit order + 1
	low := make([]int32, n)
	onStack := make([]bool, n)
	comp := make([]int32, n) // component id, by completion
	var stack []int32
	type frame struct{ v, e int32 }
	var call []frame
	next, ncomp := int32(1), int32(0)
	var sizes []int32
	for s := range int32(n) {
		if index[s] != 0 {
			continue
		}
		call = append(call[:0], frame{s, off[s]})
		index[s], low[s] = next, next
		next++
		stack = append(stack, s)
		onStack[s] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.e < off[v+1] {
				w := to[f.e]
				f.e++
				if index[w] == 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, off[w]})
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				var size int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					size++
					if w == v {
						break
					}
				}
				sizes = append(sizes, size)
				ncomp++
			}
		}
	}
	// The largest; of equal sizes, the one holding the lowest node.
	best := int32(-1)
	for v := range n {
		c := comp[v]
		if best < 0 || sizes[c] > sizes[best] {
			best = c
		}
	}
	in := make([]bool, n)
	for v := range n {
		in[v] = comp[v] == best
	}
	return in
}
