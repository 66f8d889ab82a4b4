package geo

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// DefaultZoneM is the default side in metres of the zones of a RoadTable.
const DefaultZoneM = 500.0

// snapRasterM is the side in metres of the cells of a RoadTable's snap
// raster (wider for a region of more than maxRasterCells of that side): a
// point takes the node nearest its raster cell's centre, whose distance
// exceeds that of its own nearest node by at most the cell's diagonal
// (35 m; measured on San Francisco: at most 33 m).
const snapRasterM = 25.0

// maxRasterCells bounds the snap raster (2 or 4 bytes a cell: at most 16 MiB).
const maxRasterCells = 1 << 22

// RoadRegionPad is how far beyond the city's areas the zones and the snap
// raster of a RoadTable reach: nodes farther out (a road file reaching far
// beyond the city) share the zones at the region's edge, so that memory
// follows the city's size, not the road file's.
const RoadRegionPad = 10000.0

// RoadTable answers travel-time queries on a road network in constant time,
// as the simulator needs (tens of thousands of legs a simulated month: an
// exact shortest-path search each, at 0.1–1 ms, would cost a hundred times
// the rest of the run).
//
// The city (its areas' box padded by RoadRegionPad) is cut into square
// zones of ZoneM metres; every zone holding road nodes has an anchor, its
// node nearest the zone's centre. One shortest-path search from every
// anchor (on the network's core, chains.go) gives the exact road time
// between every two anchors and the shortest-path tree that Leg positions
// follow. A point
// belongs to the zone of its nearest node. The road time from point a to
// point b is
//
//   - in one zone: the right-angle distance between their nodes at the
//     reference speed;
//   - else: the anchors' road time, plus the difference between the nodes'
//     straight distance and the anchors', at the reference speed (a
//     first-order correction for where the nodes lie in their zones); never
//     less than the nodes' straight distance at the network's top speed;
//
// plus, at each end, the straight access from the point to its node at
// AccessSpeed (or the top road speed if that is slower). The reference speed is the speed of a local street (TIGER
// class S1400, or OpenStreetMap's residential). On an undirected network
// (TIGER) times are symmetric. On a directed one (OpenStreetMap, with
// one-way streets) the anchors' times are directed (from za to zb is not
// from zb to za), and a leg's path follows one-way streets: from its node
// to its anchor, between the anchors, and from the other anchor to the end
// node (roadtable_directed.go); within one zone the time is still the
// right-angle distance, the same both ways.
//
// A RoadTable is built on first use (NewRoadTable is cheap; the searches
// run on all cores, about 1 ms each for 28,000 nodes) and is read-only
// and safe for concurrent use afterwards.
type RoadTable struct {
	Net    *RoadNet
	ZoneM  float64 // zone side, metres
	RefKmh float64 // reference speed: a local street's

	once sync.Once

	// Zones: cell (cx, cy) of side ZoneM from (zx0, zy0) is zone
	// zoneOfCell[cy*znx+cx] (-1 without nodes).
	zx0, zy0   float64
	znx, zny   int
	zoneOfNode []int32
	anchor     []int32      // zone → its anchor node
	anchorPos  []Point      // zone → its anchor node's position (a few KB: stays in cache for Seconds)
	zoneBox    [][4]float64 // zone → the box of its nodes (x0, y0, x1, y1), for ZoneBound
	time       []float32    // [za*Z+zb]: road seconds from anchor za to anchor zb
	box        []float32    // [5*(za*Z+zb)…]: bounding box of that path (min x, min y, max x, max y) and its length in metres
	// Shortest-path trees: row za holds, at place i (the table's order),
	// the step d to the place i+d of its predecessor on the shortest path
	// from anchor za (0 at the anchor), in 16 bits for a network of at
	// most 32,768 nodes (pred16, half the memory and cache lines), else
	// in 32 (pred32); the other is nil.
	pred16 []int16
	pred32 []int32
	// The table's node order (roadtable_order.go): ord[i] is the network
	// node at place i, rank[v] node v's place, ipos[i] the position of
	// ord[i]. pred16/pred32 are in this order; nothing else is.
	ord, rank []int32
	ipos      []Point
	// seg[i] is the distance from place i to place i+1 (planeDist of
	// their positions, either way round; 0 for the last): a walk's step
	// along a chain of shape points reads its length here.
	seg []float64
	// Every node's way to its own zone's anchor (along that anchor's
	// tree): its length in metres and its box.
	toAnchorLen []float32
	toAnchorBox []box4
	// A directed network's nodes also have their way from their own
	// zone's anchor (fromPath[fromOff[v]:fromOff[v+1]]: the anchor … v),
	// its length in metres and its box. (Undirected: the reverse of the
	// way to the anchor.)
	fromOff       []int32
	fromPath      []int32
	fromAnchorLen []float32
	fromAnchorBox []box4
	// nodes[v] holds what a leg reads of node v (copies of the arrays
	// above, in one cache line a node: see nodeRec).
	nodes []nodeRec

	// Snap raster: cell (cx, cy) of side snapRasterM from (rx0, ry0);
	// cell k holds 1 + the node nearest the cell's centre, 0 until first
	// asked for (rasterCell): in raster16, two cells a word, for a
	// network of fewer than 65,535 nodes (half the bytes, more of them
	// in cache: San Francisco 0.6 MB, not 1.3), else in raster; the other
	// is nil.
	rx0, ry0, rasterM float64
	rnx, rny          int
	raster            []atomic.Int32
	raster16          []atomic.Uint32

	refSpeed, topSpeed float64 // metres per second
}

// NewRoadTable returns the table of net with zones of zoneM metres (0 means
// DefaultZoneM) and the reference speed refKmh.
func NewRoadTable(net *RoadNet, zoneM, refKmh float64) (*RoadTable, error) {
	if zoneM == 0 {
		zoneM = DefaultZoneM
	}
	if !(zoneM >= 50 && zoneM <= 10000) {
		return nil, fmt.Errorf("geo: zone size %g m: want 50 … 10000", zoneM)
	}
	if !(refKmh > 0) || refKmh > net.maxSpeed {
		return nil, fmt.Errorf("geo: reference speed %g km/h: want > 0 and at most the network's top speed %g km/h", refKmh, net.maxSpeed)
	}
	return &RoadTable{Net: net, ZoneM: zoneM, RefKmh: refKmh, refSpeed: refKmh / 3.6, topSpeed: net.maxSpeed / 3.6}, nil
}

// Zones returns the number of zones, building the table if needed.
func (t *RoadTable) Zones() int {
	t.build()
	return len(t.anchor)
}

// Build builds the table now rather than on first use.
func (t *RoadTable) Build() { t.build() }

func (t *RoadTable) build() {
	t.once.Do(func() {
		net := t.Net
		n := len(net.pos)
		zg := t.grid()
		t.zx0, t.zy0, t.znx, t.zny = zg.x0, zg.y0, zg.nx, zg.ny
		cellOf, cellAnchor := zg.cellOf, zg.anchor
		zoneOfCell := make([]int32, len(cellAnchor))
		for k, a := range cellAnchor {
			zoneOfCell[k] = -1
			if a >= 0 {
				zoneOfCell[k] = int32(len(t.anchor))
				t.anchor = append(t.anchor, a)
			}
		}
		t.zoneOfNode = make([]int32, n)
		for v, k := range cellOf {
			t.zoneOfNode[v] = zoneOfCell[k]
		}
		// One search from every anchor, on all cores; rows are
		// independent, so the result does not depend on the order.
		z := len(t.anchor)
		t.time = make([]float32, z*z)
		t.box = make([]float32, 5*z*z)
		t.allocPred(z, n)
		t.setOrder(tableOrder(net, t.anchor))
		if net.directed {
			t.buildDirected()
		} else {
			g := newCoreGraph(net, t.anchor)
			var next atomic.Int64
			var wg sync.WaitGroup
			for range min(runtime.GOMAXPROCS(0), z) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var buckets bucketQueue
					m := len(g.node)
					dist := make([]float64, m)
					box := make([][5]float32, m)
					viaEdge := make([]int32, m)
					ext := make([]int32, n)
					for {
						za := int(next.Add(1) - 1)
						if za >= z {
							return
						}
						t.row(g, &buckets, za, dist, box, viaEdge, ext)
						t.setRow(za, ext)
					}
				}()
			}
			wg.Wait()
		}
		t.toAnchorLen = make([]float32, n)
		t.toAnchorBox = make([]box4, n)
		for v := range int32(n) {
			zv := t.zoneOfNode[v]
			pos := t.ipos
			b, l := boxOf(net.pos[v], net.pos[v]), 0.0
			for u := t.rank[v]; t.next(int(zv), u) >= 0; u = t.next(int(zv), u) {
				p := t.next(int(zv), u)
				l += planeDist(pos[u], pos[p])
				b = b.with(pos[p])
			}
			t.toAnchorLen[v], t.toAnchorBox[v] = float32(l), b
		}
		// Snap raster over the region (points outside it are snapped
		// exactly).
		t.rx0, t.ry0 = zg.lo.X, zg.lo.Y
		t.rasterM, t.rnx, t.rny = rasterCells(zg.hi.X-zg.lo.X, zg.hi.Y-zg.lo.Y)
		t.fillRaster()
		t.setAnchorPos()
	})
}

// fullRasterCells is the most cells of a snap raster filled when the
// table is built (and written with it to the disk cache): the cells near
// roads (fillRaster). Filled on use only, a raster is filled again by
// every process that reads the table from the disk cache: San Francisco's
// 318,450 cells, of which a run of 3 variants × 8 replications × 30 days
// snapped about 173,000 afresh (a search of the network's snap grid each,
// some 0.15 s of processor time a run). A larger raster, and the cells
// far from roads (open water, where a search goes out ring after ring of
// the snap grid), are filled on use.
const fullRasterCells = 1 << 20

// fillRaster makes the snap raster and, if it has at most
// fullRasterCells, fills on all cores every cell whose centre has a node
// in its cell of the network's snap grid or in one of the 8 around
// (nearRoads), with the node Locate would find for it.
func (t *RoadTable) fillRaster() {
	cells := t.rnx * t.rny
	if len(t.Net.pos) < math.MaxUint16 {
		t.raster16 = make([]atomic.Uint32, (cells+1)/2)
	} else {
		t.raster = make([]atomic.Int32, cells)
	}
	if cells > fullRasterCells {
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), t.rny) {
		wg.Go(func() {
			for {
				cy := int(next.Add(1) - 1)
				if cy >= t.rny {
					return
				}
				for cx := range t.rnx {
					if c := t.cellCentre(cx, cy); t.nearRoads(c) {
						node, _ := t.Net.Snap(c)
						t.setRasterCell(cy*t.rnx+cx, int32(node+1))
					}
				}
			}
		})
	}
	wg.Wait()
}

// nearRoads reports whether the network's snap grid has a node in p's
// cell or one of the 8 around it (Snap's search then ends within a few
// rings).
func (t *RoadTable) nearRoads(p Point) bool {
	n := t.Net
	cx, cy := n.cellXY(p)
	for y := max(0, cy-1); y <= min(n.ny-1, cy+1); y++ {
		for x := max(0, cx-1); x <= min(n.nx-1, cx+1); x++ {
			if k := y*n.nx + x; n.cellOff[k+1] > n.cellOff[k] {
				return true
			}
		}
	}
	return false
}

// rasterCell returns 1 + the node of raster cell k, or 0 if not filled
// yet.
func (t *RoadTable) rasterCell(k int) int32 {
	if t.raster16 != nil {
		return int32(t.raster16[k>>1].Load()>>(16*(k&1))) & 0xffff
	}
	return t.raster[k].Load()
}

// setRasterCell fills raster cell k with v (1 + its node; every goroutine
// that fills a cell fills it with the same v).
func (t *RoadTable) setRasterCell(k int, v int32) {
	if t.raster16 == nil {
		t.raster[k].Store(v)
		return
	}
	w, shift := &t.raster16[k>>1], 16*(k&1)
	for {
		old := w.Load()
		if w.CompareAndSwap(old, old&^(0xffff<<shift)|uint32(v)<<shift) {
			return
		}
	}
}

// builtRaster returns the raster's cells as fillRaster fills them (the
// cells near roads; 0 elsewhere, whatever was filled on use since), or nil
// for a raster of more than fullRasterCells: what Encode writes.
func (t *RoadTable) builtRaster() []int32 {
	cells := t.rnx * t.rny
	if cells > fullRasterCells {
		return nil
	}
	out := make([]int32, cells)
	for k := range out {
		if t.nearRoads(t.cellCentre(k%t.rnx, k/t.rnx)) {
			out[k] = t.rasterCell(k)
		}
	}
	return out
}

// cellCentre returns the centre of the snap raster's cell (cx, cy).
func (t *RoadTable) cellCentre(cx, cy int) Point {
	return Point{t.rx0 + (float64(cx)+0.5)*t.rasterM, t.ry0 + (float64(cy)+0.5)*t.rasterM}
}

// nodeRec is what a leg on roads reads of a node, in 64 bytes (one cache
// line: a large slice starts on a page): Locate its position and zone,
// pathBox its boxes, atCached and pathLen its lengths and place. On an
// undirected network the way from the anchor is the way to it reversed,
// so fromLen and fromBox repeat toLen and toBox. A run places some
// hundred thousand legs a simulated month between random nodes: each of
// those arrays read apart was a cache miss.
type nodeRec struct {
	pos            Point
	zone, rank     int32
	toLen, fromLen float32
	toBox, fromBox box4
}

// setNodes fills nodes from the arrays it copies.
func (t *RoadTable) setNodes() {
	t.nodes = make([]nodeRec, len(t.Net.pos))
	for v := range t.nodes {
		r := &t.nodes[v]
		r.pos, r.zone, r.rank = t.Net.pos[v], t.zoneOfNode[v], t.rank[v]
		r.toLen, r.toBox = t.toAnchorLen[v], t.toAnchorBox[v]
		r.fromLen, r.fromBox = r.toLen, r.toBox
		if t.Net.directed {
			r.fromLen, r.fromBox = t.fromAnchorLen[v], t.fromAnchorBox[v]
		}
	}
}

// setAnchorPos fills anchorPos from anchor, zoneBox from the nodes'
// zones, and nodes.
func (t *RoadTable) setAnchorPos() {
	t.setNodes()
	t.anchorPos = make([]Point, len(t.anchor))
	t.zoneBox = make([][4]float64, len(t.anchor))
	for z, a := range t.anchor {
		p := t.Net.pos[a]
		t.anchorPos[z] = p
		t.zoneBox[z] = [4]float64{p.X, p.Y, p.X, p.Y}
	}
	for v, z := range t.zoneOfNode {
		p, b := t.Net.pos[v], &t.zoneBox[z]
		b[0], b[1], b[2], b[3] = min(b[0], p.X), min(b[1], p.Y), max(b[2], p.X), max(b[3], p.Y)
	}
}

// zoneGrid is the zones of a RoadTable: the region (the network's box
// within the city's box padded by RoadRegionPad) from lo to hi, cut into
// nx × ny cells of ZoneM from (x0, y0); cellOf[v] is node v's cell (nodes
// outside the region take the nearest cell) and anchor[k] the anchor of
// cell k, or -1 for a cell without nodes.
type zoneGrid struct {
	lo, hi         Point
	x0, y0         float64
	nx, ny         int
	cellOf, anchor []int32
}

func (t *RoadTable) grid() zoneGrid {
	net := t.Net
	lo, hi := net.pos[0], net.pos[0]
	for _, p := range net.pos {
		lo = Point{min(lo.X, p.X), min(lo.Y, p.Y)}
		hi = Point{max(hi.X, p.X), max(hi.Y, p.Y)}
	}
	if c := net.city; !c.IsEmpty() {
		lo = Point{max(lo.X, c.Min[0]-RoadRegionPad), max(lo.Y, c.Min[1]-RoadRegionPad)}
		hi = Point{min(hi.X, c.Max[0]+RoadRegionPad), min(hi.Y, c.Max[1]+RoadRegionPad)}
		hi = Point{max(hi.X, lo.X), max(hi.Y, lo.Y)}
	}
	g := zoneGrid{lo: lo, hi: hi, x0: lo.X, y0: lo.Y}
	g.nx, g.ny = int((hi.X-lo.X)/t.ZoneM)+1, int((hi.Y-lo.Y)/t.ZoneM)+1
	g.anchor = make([]int32, g.nx*g.ny)
	for k := range g.anchor {
		g.anchor[k] = -1
	}
	g.cellOf = make([]int32, len(net.pos))
	for v, p := range net.pos {
		cx := max(0, min(int(math.Floor((p.X-g.x0)/t.ZoneM)), g.nx-1))
		cy := max(0, min(int(math.Floor((p.Y-g.y0)/t.ZoneM)), g.ny-1))
		k := int32(cy*g.nx + cx)
		g.cellOf[v] = k
		c := Point{g.x0 + (float64(cx)+0.5)*t.ZoneM, g.y0 + (float64(cy)+0.5)*t.ZoneM}
		if a := g.anchor[k]; a < 0 || p.Dist(c) < net.pos[a].Dist(c) {
			g.anchor[k] = int32(v)
		}
	}
	return g
}

// rasterCells returns the side and the numbers of columns and rows of the
// snap raster of a w × h region: snapRasterM, or wider to stay within
// maxRasterCells.
func rasterCells(w, h float64) (side float64, nx, ny int) {
	side = max(snapRasterM, math.Sqrt((w+snapRasterM)*(h+snapRasterM)/maxRasterCells))
	for {
		nx, ny = int(w/side)+1, int(h/side)+1
		if nx*ny <= maxRasterCells {
			return side, nx, ny
		}
		side *= 1.01
	}
}

// Bytes estimates the memory the table takes once built, without building
// it: per zone a shortest-path tree over every node (2 bytes a node, 4
// for a network of more than 32,768 nodes), per
// pair of zones a time, box and length (24 bytes), per node its zone and
// way to its anchor (24 bytes), its place in the table's order and its
// position there (24 bytes), its record for legs (nodeRec, 64 bytes), and
// the snap raster (2 bytes a cell for a network of fewer than 65,535
// nodes, else 4); for a directed network also per node its way from its
// anchor (24 bytes, and 4 a node of the way: counted as 32 nodes).
func (t *RoadTable) Bytes() int64 {
	g := t.grid()
	z := int64(0)
	for _, a := range g.anchor {
		if a >= 0 {
			z++
		}
	}
	n := int64(len(t.Net.pos))
	_, rx, ry := rasterCells(g.hi.X-g.lo.X, g.hi.Y-g.lo.Y)
	cell := int64(4)
	if n < math.MaxUint16 {
		cell = 2
	}
	b := z*n*predWidth(int(n)) + z*z*24 + n*(48+64) + int64(rx*ry)*cell
	if t.Net.directed {
		b += n * (24 + 4*32)
	}
	return b
}

// row runs the search from anchor za on the core graph g and fills its
// rows of time and box, and its tree in ext (N entries, the network's
// numbering; setRow stores it).
func (t *RoadTable) row(g *coreGraph, buckets *bucketQueue, za int, dist []float64, box [][5]float32, viaEdge []int32, ext []int32) {
	net := t.Net
	g.search(net, t.anchor[za], buckets, dist, box, viaEdge, ext)
	z := len(t.anchor)
	for zb, b := range t.anchor {
		k, i := za*z+zb, g.coreOf[b]
		t.time[k] = float32(dist[i])
		copy(t.box[5*k:5*k+5], box[i][:])
	}
}

// Place is where a point meets the road network: its node (approximately
// the nearest: see snapRasterM), the node's zone and the straight distance
// from the point to the node.
type Place struct {
	Node, Zone int32
	Access     float64 // metres
	pos        Point   // the node's position (Seconds and the leg's path read it here, not from the network's array)
}

// Locate returns the place of p.
func (t *RoadTable) Locate(p Point) Place {
	t.build()
	node := -1
	cx := int(math.Floor((p.X - t.rx0) / t.rasterM))
	cy := int(math.Floor((p.Y - t.ry0) / t.rasterM))
	switch {
	case cx < 0 || cy < 0 || cx >= t.rnx || cy >= t.rny:
		node, _ = t.Net.Snap(p)
	default:
		k := cy*t.rnx + cx
		if v := t.rasterCell(k); v > 0 {
			node = int(v - 1)
		} else {
			node, _ = t.Net.Snap(t.cellCentre(cx, cy))
			t.setRasterCell(k, int32(node+1)) // every goroutine computes the same node
		}
	}
	rec := &t.nodes[node]
	return Place{Node: int32(node), Zone: rec.zone, Access: planeDist(rec.pos, p), pos: rec.pos}
}

// Seconds returns the road time in seconds from a (at place pa) to b (at
// place pb), as described on RoadTable, for a vehicle at the reference
// speed on local streets.
func (t *RoadTable) Seconds(a Point, pa Place, b Point, pb Place) float64 {
	na, nb := pa.pos, pb.pos
	// Access at AccessSpeed, or the top road speed if that is slower: so
	// a road time is never shorter than the straight line at the top
	// speed.
	access := (pa.Access + pb.Access) / min(AccessSpeed/3.6, t.topSpeed)
	if pa.Zone == pb.Zone {
		return access + (math.Abs(nb.X-na.X)+math.Abs(nb.Y-na.Y))/t.refSpeed
	}
	z := len(t.anchor)
	road := float64(t.time[int(pa.Zone)*z+int(pb.Zone)])
	d := planeDist(na, nb)
	road += (d - planeDist(t.anchorPos[pa.Zone], t.anchorPos[pb.Zone])) / t.refSpeed
	return access + max(road, d/t.topSpeed)
}

// Time returns Seconds for two points.
func (t *RoadTable) Time(a, b Point) float64 {
	return t.Seconds(a, t.Locate(a), b, t.Locate(b))
}

// pathBox returns the bounding box of the leg's path: its ends and, between
// zones, the roads from the end nodes to their anchors and between the
// anchors (Travel.Leg stores it in the leg).
func (t *RoadTable) pathBox(l *Leg) (x0, y0, x1, y1 float64) {
	x0, y0 = min(l.From.X, l.To.X), min(l.From.Y, l.To.Y)
	x1, y1 = max(l.From.X, l.To.X), max(l.From.Y, l.To.Y)
	if l.pa.Zone != l.pb.Zone {
		k := 5 * (int(l.pb.Zone)*len(t.anchor) + int(l.pa.Zone)) // the path walked: see PathCache
		add := func(b box4) {
			// Stored as float32: within 1 m of the true box for cities
			// under 8,000 km across; widened by that.
			x0, y0 = min(x0, float64(b[0])-1), min(y0, float64(b[1])-1)
			x1, y1 = max(x1, float64(b[2])+1), max(y1, float64(b[3])+1)
		}
		add(box4(t.box[k : k+4]))
		add(t.nodes[l.pa.Node].toBox)
		add(t.nodes[l.pb.Node].fromBox)
	}
	return x0, y0, x1, y1
}

// at returns the position a fraction f (0 < f < 1) of the way along the
// leg's path: within a zone the straight line; between zones the straight
// access from From to its node, the road from there to its zone's anchor,
// the road between the anchors, the road from the other anchor to To's
// node and the access to To. Positions are spread evenly over the path's
// length.
func (t *RoadTable) at(l *Leg, f float64) Point {
	var c PathCache
	return t.atCached(l, f, &c)
}

// pathLen returns the length of the leg's path, as atCached measures it.
func (t *RoadTable) pathLen(l *Leg) float64 {
	if l.pa.Zone == l.pb.Zone {
		return planeDist(l.From, l.To)
	}
	z := len(t.anchor)
	l4 := float64(t.nodes[l.pb.Node].fromLen)
	return planeDist(l.From, l.pa.pos) + float64(t.nodes[l.pa.Node].toLen) + float64(t.box[5*(int(l.pb.Zone)*z+int(l.pa.Zone))+4]) + l4 + planeDist(l.pb.pos, l.To)
}

// PathCache is a cursor on the road path between two zones' anchors, for
// repeated positions on a leg (Leg.AtCached): positions asked at later
// times continue the walk where the last one stopped, so a leg's path is
// walked about once however often it is asked. The path from anchor za to
// anchor zb is read forward from zb's shortest-path tree (the reverse of a
// shortest path from zb: a shortest path too). The zero value is empty; one
// per goroutine (the simulator keeps one per unit).
type PathCache struct {
	t      *RoadTable
	za, zb int32
	v      int32   // a node of the path (its place in the table's order)
	sv     float64 // metres along the path from anchor za to v
}

// atCached is at with the cursor c (on the road between the anchors; the
// short ways between a node and its anchor are walked afresh).
func (t *RoadTable) atCached(l *Leg, f float64, c *PathCache) Point {
	if l.pa.Zone == l.pb.Zone {
		return lerp(l.From, l.To, f)
	}
	net := t.Net
	n, z := len(net.pos), len(t.anchor)
	na, nb := l.pa.pos, l.pb.pos
	// The five parts' lengths.
	l1 := planeDist(l.From, na)
	ra, rb := &t.nodes[l.pa.Node], &t.nodes[l.pb.Node]
	l2 := float64(ra.toLen)
	l3 := float64(t.box[5*(int(l.pb.Zone)*z+int(l.pa.Zone))+4])
	l4 := float64(rb.fromLen)
	l5 := planeDist(nb, l.To)
	s := f * (l1 + l2 + l3 + l4 + l5)
	switch {
	case s <= l1:
		return lerp(l.From, na, s/l1)
	case s <= l1+l2: // from na towards its anchor
		if t.pred16 != nil {
			return walk(t.ipos, t.seg, t.pred16[int(l.pa.Zone)*n:], ra.rank, s-l1)
		}
		return walk(t.ipos, t.seg, t.pred32[int(l.pa.Zone)*n:], ra.rank, s-l1)
	case s <= l1+l2+l3:
	case s <= l1+l2+l3+l4: // towards nb: from nb back, the rest of the way
		if net.directed {
			return walkBack(net, t.fromPath[t.fromOff[l.pb.Node]:t.fromOff[l.pb.Node+1]], l1+l2+l3+l4-s)
		}
		if t.pred16 != nil {
			return walk(t.ipos, t.seg, t.pred16[int(l.pb.Zone)*n:], rb.rank, l1+l2+l3+l4-s)
		}
		return walk(t.ipos, t.seg, t.pred32[int(l.pb.Zone)*n:], rb.rank, l1+l2+l3+l4-s)
	default:
		return lerp(nb, l.To, (s-l1-l2-l3-l4)/l5)
	}
	r := s - l1 - l2
	if c.t != t || c.za != l.pa.Zone || c.zb != l.pb.Zone || r < c.sv {
		c.t, c.za, c.zb, c.v, c.sv = t, l.pa.Zone, l.pb.Zone, t.rank[t.anchor[l.pa.Zone]], 0
	}
	if t.pred16 != nil {
		return walkCursor(t.ipos[:n], t.seg[:n], t.pred16[int(l.pb.Zone)*n:(int(l.pb.Zone)+1)*n], c, r)
	}
	return walkCursor(t.ipos[:n], t.seg[:n], t.pred32[int(l.pb.Zone)*n:(int(l.pb.Zone)+1)*n], c, r)
}

// predStep is the type of a tree row's entries.
type predStep interface{ ~int16 | ~int32 }

// walkCursor continues c's walk along the tree row pred to r metres from
// its start. The cursor is kept in locals during the walk. A step between
// neighbouring places (along a chain of shape points, in the table's
// order: most steps) takes its length from seg, the same number planeDist
// gives, without loading the two positions: the same sums in the same
// order. The next place of such a step is v±1 by the branch taken, not
// v+pred[v]: the walk along a chain then waits on no load of the row
// (the branch is predicted), only on the sum.
func walkCursor[T predStep](pos []Point, seg []float64, pred []T, c *PathCache, r float64) Point {
	v, sv := c.v, c.sv
	for {
		var u int32
		var l float64
		switch d := pred[v]; d {
		case 1:
			u, l = v+1, seg[v]
		case -1:
			u = v - 1
			l = seg[u]
		case 0:
			c.v, c.sv = v, sv
			return pos[v]
		default:
			u = v + int32(d)
			l = planeDist(pos[v], pos[u])
		}
		if sv+l >= r {
			c.v, c.sv = v, sv
			return lerp(pos[v], pos[u], (r-sv)/l)
		}
		v, sv = u, sv+l
	}
}

// walk returns the point d metres from node v along the tree row pred
// (or the tree's root, if that is nearer); v, pred, pos and seg in the
// table's order (see walkCursor).
func walk[T predStep](pos []Point, seg []float64, pred []T, v int32, d float64) Point {
	for {
		var u int32
		var l float64
		switch step := pred[v]; step {
		case 1:
			u, l = v+1, seg[v]
		case -1:
			u = v - 1
			l = seg[u]
		case 0:
			return pos[v]
		default:
			u = v + int32(step)
			l = planeDist(pos[v], pos[u])
		}
		if d <= l {
			return lerp(pos[v], pos[u], d/l)
		}
		d -= l
		v = u
	}
}

// walkBack returns the point d metres back from the last node of path (a
// node list) along it (or its first node, if that is nearer).
func walkBack(net *RoadNet, path []int32, d float64) Point {
	for i := len(path) - 1; i > 0; i-- {
		v, u := path[i], path[i-1]
		seg := planeDist(net.pos[v], net.pos[u])
		if d <= seg {
			return lerp(net.pos[v], net.pos[u], d/seg)
		}
		d -= seg
	}
	return net.pos[path[0]]
}

// planeDist is the Euclidean distance by a plain square root: faster than
// Point.Dist's math.Hypot, whose overflow care planar metres never need.
func planeDist(a, b Point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	return math.Sqrt(dx*dx + dy*dy)
}

func lerp(a, b Point, f float64) Point {
	if !(f > 0) {
		return a
	}
	if f >= 1 {
		return b
	}
	return Point{a.X + f*(b.X-a.X), a.Y + f*(b.Y-a.Y)}
}

// Path returns the points the leg passes through, in order (for drawing and
// tests): From, and between zones its node, the road to its anchor, the
// road between the anchors, the road to To's node; then To.
func (t *RoadTable) Path(l *Leg) []Point {
	path := []Point{l.From}
	if l.pa.Zone != l.pb.Zone {
		za, zb := int(l.pa.Zone), int(l.pb.Zone)
		for v := t.rank[l.pa.Node]; v != t.rank[t.anchor[l.pa.Zone]]; v = t.next(za, v) {
			path = append(path, t.ipos[v])
		}
		for v := t.rank[t.anchor[l.pa.Zone]]; v >= 0; v = t.next(zb, v) {
			path = append(path, t.ipos[v])
		}
		if t.Net.directed {
			for _, v := range t.fromPath[t.fromOff[l.pb.Node]+1 : t.fromOff[l.pb.Node+1]] {
				path = append(path, t.Net.pos[v])
			}
			return append(path, l.To)
		}
		var back []Point // nb … just before the anchor, reversed below
		for v := t.rank[l.pb.Node]; v != t.rank[t.anchor[l.pb.Zone]]; v = t.next(zb, v) {
			back = append(back, t.ipos[v])
		}
		for i := len(back) - 1; i >= 0; i-- {
			path = append(path, back[i])
		}
	}
	return append(path, l.To)
}
