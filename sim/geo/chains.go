package geo

import "math"

var inf = math.Inf(1)

// A road network from TIGER/Line is mostly shape points: nodes with exactly
// two neighbours, drawn to follow a road's curve (17,857 of San Francisco's
// 28,172 nodes). The table's searches run on the core instead: the nodes
// with another number of neighbours, and the anchors; every maximal run of
// two-neighbour nodes between two core nodes is one chain, a single edge of
// the core graph. Times to the core are then exact shortest times of the
// whole network, and the nodes inside a chain get their predecessor from
// whichever end reaches them first. Measured 2–3 times faster per search.

// chain is a maximal path a → x1 … xk → b whose inner nodes x have two
// neighbours; a and b are core nodes (possibly a == b, or k == 0: a plain
// edge).
type chain struct {
	a, b   int32
	inner  []int32   // x1 … xk, from a
	at     []float64 // at[i]: seconds from a to inner[i] along the chain
	sec    float64   // seconds from a to b
	metres float64   // length
	box    box4
}

// coreGraph is the core of a RoadNet in compressed sparse row form: the
// chain edges leaving each core node.
type coreGraph struct {
	isCore []bool
	coreOf []int32 // network node → core index, -1 for an inner node
	node   []int32 // core index → network node
	// Edges of core node i (core indices): off[i] .. off[i+1]-1. Searches
	// work on core indices, so that their arrays are a third of the
	// network's size and stay in cache.
	off    []int32
	to     []int32 // core index
	ch     []int32 // chain of the edge
	sec    []float64
	fwd    []bool // the edge runs from the chain's a to its b
	chains []chain
}

// newCoreGraph builds the core of net; the nodes in keep are core whatever
// their degree (the anchors, which searches start from).
func newCoreGraph(net *RoadNet, keep []int32) *coreGraph {
	n := len(net.pos)
	g := &coreGraph{isCore: make([]bool, n)}
	for u := range n {
		g.isCore[u] = net.off[u+1]-net.off[u] != 2
	}
	for _, u := range keep {
		g.isCore[u] = true
	}
	visited := make([]bool, n)
	for u := range int32(n) {
		if !g.isCore[u] {
			continue
		}
		for e := net.off[u]; e < net.off[u+1]; e++ {
			v := net.to[e]
			if g.isCore[v] {
				if u < v {
					pu, pv := net.pos[u], net.pos[v]
					g.chains = append(g.chains, chain{a: u, b: v, sec: net.sec[e], metres: planeDist(pu, pv), box: boxOf(pu, pv)})
				}
				continue
			}
			if visited[v] {
				continue // walked from its other end
			}
			c := chain{a: u, box: boxOf(net.pos[u], net.pos[u])}
			prev, cur, t := u, v, net.sec[e]
			c.metres = planeDist(net.pos[u], net.pos[v])
			for !g.isCore[cur] {
				visited[cur] = true
				c.inner = append(c.inner, cur)
				c.at = append(c.at, t)
				c.box = c.box.with(net.pos[cur])
				// The neighbour of cur that is not prev.
				e0 := net.off[cur]
				next, s := net.to[e0], net.sec[e0]
				if next == prev {
					next, s = net.to[e0+1], net.sec[e0+1]
				}
				c.metres += planeDist(net.pos[cur], net.pos[next])
				prev, cur, t = cur, next, t+s
			}
			c.b, c.sec = cur, t
			c.box = c.box.with(net.pos[cur])
			g.chains = append(g.chains, c)
		}
	}
	// Core indices, in network order (which is spatial: see RoadsFromGeoJSON).
	g.coreOf = make([]int32, n)
	for u := range n {
		g.coreOf[u] = -1
		if g.isCore[u] {
			g.coreOf[u] = int32(len(g.node))
			g.node = append(g.node, int32(u))
		}
	}
	// The core's edges: both directions of every chain between two
	// distinct core nodes (a loop from a node back to itself is no
	// shorter way anywhere).
	m := len(g.node)
	g.off = make([]int32, m+1)
	for _, c := range g.chains {
		if c.a != c.b {
			g.off[g.coreOf[c.a]+1]++
			g.off[g.coreOf[c.b]+1]++
		}
	}
	for i := range m {
		g.off[i+1] += g.off[i]
	}
	k := g.off[m]
	g.to, g.ch, g.sec, g.fwd = make([]int32, k), make([]int32, k), make([]float64, k), make([]bool, k)
	fill := make([]int32, m)
	copy(fill, g.off[:m])
	add := func(u, v int32, ch int, sec float64, fwd bool) {
		i, j := g.coreOf[u], g.coreOf[v]
		e := fill[i]
		g.to[e], g.ch[e], g.sec[e], g.fwd[e] = j, int32(ch), sec, fwd
		fill[i]++
	}
	for i, c := range g.chains {
		if c.a != c.b {
			add(c.a, c.b, i, c.sec, true)
			add(c.b, c.a, i, c.sec, false)
		}
	}
	return g
}

// box4 is a bounding box: min x, min y, max x, max y.
type box4 [4]float32

func boxOf(p, q Point) box4 {
	return box4{float32(min(p.X, q.X)), float32(min(p.Y, q.Y)), float32(max(p.X, q.X)), float32(max(p.Y, q.Y))}
}

func (b box4) with(p Point) box4 {
	x, y := float32(p.X), float32(p.Y)
	return box4{min(b[0], x), min(b[1], y), max(b[2], x), max(b[3], y)}
}

// search runs Dijkstra's algorithm on the core from core node src (a
// network node): dist and box (with the path length in box[4]) by core
// index, and pred for every node of the network, so that following pred
// from any node leads back to src along a shortest path. buckets, dist,
// box and viaEdge are scratch: dist, box and viaEdge of the core's size.
func (g *coreGraph) search(net *RoadNet, src int32, buckets *bucketQueue, dist []float64, box [][5]float32, viaEdge []int32, pred []int32) {
	for i := range dist {
		dist[i] = inf
	}
	s := g.coreOf[src]
	dist[s] = 0
	viaEdge[s] = -1
	p := net.pos[src]
	box[s] = [5]float32{float32(p.X), float32(p.Y), float32(p.X), float32(p.Y), 0}
	// A node whose time improves after it was taken is taken again (its
	// box recomputed, its neighbours relaxed again), so the times are exact
	// shortest times; stale entries (a key above the node's time) are
	// skipped. On San Francisco's roads a node is taken again about once
	// in a thousand.
	q := buckets
	q.reset()
	q.put(heapItem{0, s})
	for {
		it, ok := q.pop()
		if !ok {
			break
		}
		u := it.node
		if it.key > dist[u] {
			continue
		}
		if e := viaEdge[u]; e >= 0 {
			// The path's box and length: its predecessor's and the
			// chain's.
			c := &g.chains[g.ch[e]]
			pu, cb := box[g.coreOf[g.from(e)]], c.box
			box[u] = [5]float32{min(pu[0], cb[0]), min(pu[1], cb[1]), max(pu[2], cb[2]), max(pu[3], cb[3]), pu[4] + float32(c.metres)}
		}
		for e := g.off[u]; e < g.off[u+1]; e++ {
			v := g.to[e]
			if d := it.key + g.sec[e]; d < dist[v] {
				dist[v], viaEdge[v] = d, e
				q.put(heapItem{d, v})
			}
		}
	}
	// Predecessors of every node. Core nodes: the chain's node next to
	// them on the way they were reached. Inner nodes: towards whichever
	// end of their chain reaches them first (a consistent split: every
	// inner node on a's side has its neighbour towards a on a's side too).
	for i := range g.chains {
		c := &g.chains[i]
		da, db := dist[g.coreOf[c.a]], dist[g.coreOf[c.b]]
		for j, x := range c.inner {
			if da+c.at[j] <= db+(c.sec-c.at[j]) {
				if j == 0 {
					pred[x] = c.a
				} else {
					pred[x] = c.inner[j-1]
				}
			} else {
				if j == len(c.inner)-1 {
					pred[x] = c.b
				} else {
					pred[x] = c.inner[j+1]
				}
			}
		}
	}
	for i, u := range g.node {
		e := viaEdge[i]
		if u == src || e < 0 || dist[i] == inf {
			pred[u] = -1
			continue
		}
		c := &g.chains[g.ch[e]]
		switch {
		case len(c.inner) == 0:
			pred[u] = g.from(e)
		case g.fwd[e]: // reached from a: the last inner node
			pred[u] = c.inner[len(c.inner)-1]
		default:
			pred[u] = c.inner[0]
		}
	}
}

// from returns the network node core edge e starts from.
func (g *coreGraph) from(e int32) int32 {
	c := &g.chains[g.ch[e]]
	if g.fwd[e] {
		return c.a
	}
	return c.b
}

// bucketQueue is Dial's bucket queue for the label-correcting road
// searches: bucket k holds the entries with keys in [k·w, (k+1)·w), w = 1 s,
// taken last in first out within a bucket and buckets in increasing order
// (a search's keys never fall below the bucket being taken). Measured
// faster than a binary heap on road networks. Its buckets are kept between
// searches.
type bucketQueue struct {
	bk [][]heapItem
	k  int // the bucket being taken
}

const bucketWidth = 1.0 // seconds

// reset empties the queue, keeping its storage.
func (q *bucketQueue) reset() {
	for k := range q.bk {
		q.bk[k] = q.bk[k][:0]
	}
	q.k = 0
}

func (q *bucketQueue) put(x heapItem) {
	k := int(x.key / bucketWidth)
	for k >= len(q.bk) {
		q.bk = append(q.bk, nil)
	}
	q.bk[k] = append(q.bk[k], x)
}

// pop takes the next entry; false when the queue is empty.
func (q *bucketQueue) pop() (heapItem, bool) {
	for ; q.k < len(q.bk); q.k++ {
		if b := q.bk[q.k]; len(b) > 0 {
			q.bk[q.k] = b[:len(b)-1]
			return b[len(b)-1], true
		}
	}
	return heapItem{}, false
}
