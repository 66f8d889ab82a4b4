package geo

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// The table of a directed network (one-way streets: OpenStreetMap). Time
// from a to b is not time from b to a, so each anchor zb gets a search on
// the reversed network (every node's time to zb, and its next node on the
// way: pred[zb*N+v] is then v's successor towards zb, so that following
// pred from any node walks forward to zb, as RoadTable.atCached and Path
// walk it) and a forward search that stops once every node of zb's own
// zone is reached (the way from zb's anchor to each of them, the last part
// of a leg into that zone). The searches run on the whole network (no
// chains: a one-way chain is not the same both ways), with a binary heap.

// buildDirected fills time, box and pred from one reverse search per
// anchor, and fromOff, fromPath, fromAnchorLen, fromAnchorBox from one
// bounded forward search per anchor, on all cores; rows are independent,
// so the result does not depend on the order.
func (t *RoadTable) buildDirected() {
	net := t.Net
	n, z := len(net.pos), len(t.anchor)
	// Nodes of each zone, in node order.
	zoneOff := make([]int32, z+1)
	for _, zv := range t.zoneOfNode {
		zoneOff[zv+1]++
	}
	for i := range z {
		zoneOff[i+1] += zoneOff[i]
	}
	zoneNodes := make([]int32, n)
	fill := make([]int32, z)
	copy(fill, zoneOff[:z])
	for v, zv := range t.zoneOfNode {
		zoneNodes[fill[zv]] = int32(v)
		fill[zv]++
	}
	// Per zone: the ways of its nodes from its anchor, one after another,
	// and each one's number of nodes.
	paths, lens := make([][]int32, z), make([][]int32, z)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), z) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &RoadSearch{net: net}
			var buckets bucketQueue
			dist := make([]float64, n)
			box := make([][5]float32, n)
			done := make([]bool, n)
			via := make([]int32, n)
			ext := make([]int32, n)
			for {
				zb := int(next.Add(1) - 1)
				if zb >= z {
					return
				}
				t.reverseRow(&buckets, zb, dist, box, ext)
				t.setRow(zb, ext)
				paths[zb], lens[zb] = t.forwardPaths(s, zb, zoneNodes[zoneOff[zb]:zoneOff[zb+1]], dist, done, via)
			}
		}()
	}
	wg.Wait()
	// Every node's way from its anchor, in node order.
	start := make([]int32, n)
	length := make([]int32, n)
	total := 0
	for zb := range z {
		k := int32(0)
		for i, v := range zoneNodes[zoneOff[zb]:zoneOff[zb+1]] {
			start[v], length[v] = k, lens[zb][i]
			k += lens[zb][i]
		}
		total += int(k)
	}
	t.fromOff = make([]int32, n+1)
	t.fromPath = make([]int32, 0, total)
	t.fromAnchorLen = make([]float32, n)
	t.fromAnchorBox = make([]box4, n)
	for v := range n {
		p := paths[t.zoneOfNode[v]][start[v] : start[v]+length[v]]
		t.fromOff[v] = int32(len(t.fromPath))
		t.fromPath = append(t.fromPath, p...)
		b, l := boxOf(net.pos[p[0]], net.pos[p[0]]), 0.0
		for i := 1; i < len(p); i++ {
			l += planeDist(net.pos[p[i-1]], net.pos[p[i]])
			b = b.with(net.pos[p[i]])
		}
		t.fromAnchorLen[v], t.fromAnchorBox[v] = float32(l), b
	}
	t.fromOff[n] = int32(len(t.fromPath))
}

// reverseRow searches the reversed network from anchor zb: every node's
// time to it (column zb of time), the boxes and lengths of those ways
// (box[5*(zb*Z+za)…]: the way from anchor za to zb) and, in succ, tree
// row zb (each node's next node towards zb; setRow stores it).
func (t *RoadTable) reverseRow(buckets *bucketQueue, zb int, dist []float64, box [][5]float32, succ []int32) {
	net := t.Net
	z := len(t.anchor)
	for i := range dist {
		dist[i], succ[i] = math.Inf(1), -1
	}
	src := t.anchor[zb]
	dist[src] = 0
	// Label-correcting, as coreGraph.search: a node whose time improves
	// after it was taken is taken again (its box recomputed, its
	// neighbours relaxed again), so the times are exact; stale entries are
	// skipped.
	q := buckets
	q.reset()
	q.put(heapItem{0, src})
	for {
		it, ok := q.pop()
		if !ok {
			break
		}
		u := it.node
		if it.key > dist[u] {
			continue
		}
		p := net.pos[u]
		if v := succ[u]; v >= 0 {
			// The way from u: the step to v, then v's way (v was
			// taken before u: it relaxed u).
			b := box[v]
			box[u] = [5]float32{min(b[0], float32(p.X)), min(b[1], float32(p.Y)), max(b[2], float32(p.X)), max(b[3], float32(p.Y)), b[4] + float32(planeDist(p, net.pos[v]))}
		} else {
			box[u] = [5]float32{float32(p.X), float32(p.Y), float32(p.X), float32(p.Y), 0}
		}
		for e := net.roff[u]; e < net.roff[u+1]; e++ {
			v := net.rto[e]
			if d := it.key + net.rsec[e]; d < dist[v] {
				dist[v], succ[v] = d, u
				q.put(heapItem{d, v})
			}
		}
	}
	for za, a := range t.anchor {
		t.time[za*z+zb] = float32(dist[a])
		k := 5 * (zb*z + za)
		copy(t.box[k:k+5], box[a][:])
	}
}

// forwardPaths searches the network forward from anchor zb until every node
// of its zone (nodes, in node order) is reached, and returns their ways
// from the anchor, one after another, in that order (for each node the
// anchor … the node), and the number of nodes of each way.
func (t *RoadTable) forwardPaths(s *RoadSearch, zb int, nodes []int32, dist []float64, done []bool, via []int32) (out, lens []int32) {
	net := t.Net
	for i := range dist {
		dist[i], via[i], done[i] = math.Inf(1), -1, false
	}
	inZone := int32(zb)
	left := len(nodes)
	src := t.anchor[zb]
	dist[src] = 0
	s.heap = s.heap[:0]
	s.push(heapItem{0, src})
	for len(s.heap) > 0 && left > 0 {
		it := s.pop()
		u := it.node
		if done[u] || it.key > dist[u] {
			continue
		}
		done[u] = true
		if t.zoneOfNode[u] == inZone {
			left--
		}
		for e := net.off[u]; e < net.off[u+1]; e++ {
			v := net.to[e]
			if d := it.key + net.sec[e]; d < dist[v] {
				dist[v], via[v] = d, u
				s.push(heapItem{d, v})
			}
		}
	}
	var rev []int32
	lens = make([]int32, len(nodes))
	for i, v := range nodes {
		rev = rev[:0]
		for u := v; u >= 0; u = via[u] {
			rev = append(rev, u)
		}
		for j := len(rev) - 1; j >= 0; j-- {
			out = append(out, rev[j])
		}
		lens[i] = int32(len(rev))
	}
	return out, lens
}
