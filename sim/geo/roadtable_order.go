package geo

// The table's own node order. Placing a moving unit walks a shortest-path
// tree row (pred[zb*N+v]) and the nodes' positions node by node, and a
// step costs the latency of loading the next node's entries: one cache
// miss a step when consecutive nodes of a path lie far apart in memory.
// The network's nodes are already numbered along a Hilbert curve (roads.go),
// which keeps a neighbourhood's nodes near each other; the table goes one
// step further and renumbers its rows so that each chain (a run of
// two-neighbour shape points between junctions: chains.go) lies in
// consecutive entries, right after its first junction, the junctions
// keeping their Hilbert order. Measured by TestTableOrderLocality's cache
// model (misses a position in a 48 KiB and a 1 MiB cache): San Francisco
// 8% fewer than with the Hilbert order alone in both, Baltimore 21% and
// 12% fewer; breadth-first and (reverse) Cuthill–McKee orders had 2–3
// times as many as the Hilbert order. A row's entries are steps between
// places, which fit in 16 bits up to 32,768 nodes: half the bytes again
// (San Francisco: 2.04 misses a position in the 1 MiB cache with 32-bit
// entries, 1.24 with 16).
//
// Only the walk sees this order: the tree rows and the positions copy ipos
// are indexed by it (rank[v] is network node v's place, ord[i] the node at
// place i), and a row's entries are steps between places; everything else (zones,
// anchors, the ways to and from the anchors, Place, Leg) keeps the
// network's node numbers. The walk visits the same nodes in the same order
// and reads the same positions, so no answer changes.

// tableOrder returns the table's node order for net with the anchors kept
// as junctions: ord[i] is the network node at place i.
func tableOrder(net *RoadNet, anchors []int32) []int32 {
	n := len(net.pos)
	// The distinct neighbours of v, either way (at most 3 wanted).
	var buf [3]int32
	nbrs := func(v int32) []int32 {
		ns := buf[:0]
		add := func(to []int32) {
			for _, u := range to {
				if u == v {
					continue
				}
				dup := false
				for _, w := range ns {
					dup = dup || w == u
				}
				if !dup {
					if len(ns) == 3 {
						return
					}
					ns = append(ns, u)
				}
			}
		}
		add(net.to[net.off[v]:net.off[v+1]])
		if net.directed {
			add(net.rto[net.roff[v]:net.roff[v+1]])
		}
		return ns
	}
	junction := make([]bool, n)
	for v := range int32(n) {
		junction[v] = len(nbrs(v)) != 2
	}
	for _, a := range anchors {
		junction[a] = true
	}
	ord := make([]int32, 0, n)
	placed := make([]bool, n)
	for u := range int32(n) {
		if !junction[u] {
			continue
		}
		ord = append(ord, u)
		placed[u] = true
		first := net.to[net.off[u]:net.off[u+1]]
		if net.directed {
			first = append(first[:len(first):len(first)], net.rto[net.roff[u]:net.roff[u+1]]...)
		}
		for _, w := range first {
			// The chain from u through w, to the next junction.
			prev, cur := u, w
			for !junction[cur] && !placed[cur] {
				ord = append(ord, cur)
				placed[cur] = true
				ns := nbrs(cur)
				next := ns[0]
				if next == prev {
					next = ns[1]
				}
				prev, cur = cur, next
			}
		}
	}
	for v := range int32(n) { // a network that is one loop of shape points
		if !placed[v] {
			ord = append(ord, v)
		}
	}
	return ord
}

// setOrder sets the table's node order to ord (tableOrder's, or read
// back) and derives rank, ipos and seg from it; pred must already be in
// it.
func (t *RoadTable) setOrder(ord []int32) {
	t.ord = ord
	t.rank = make([]int32, len(ord))
	t.ipos = make([]Point, len(ord))
	for i, v := range ord {
		t.rank[v] = int32(i)
		t.ipos[i] = t.Net.pos[v]
	}
	t.seg = make([]float64, len(ord))
	for i := 1; i < len(ord); i++ {
		t.seg[i-1] = planeDist(t.ipos[i-1], t.ipos[i])
	}
}

// predWidth is the bytes of a tree row's entry for a network of n nodes:
// a step between two places fits in 16 bits up to 32,768 nodes.
func predWidth(n int) int64 {
	if n <= 1<<15 {
		return 2
	}
	return 4
}

// allocPred makes the z tree rows of n entries.
func (t *RoadTable) allocPred(z, n int) {
	if predWidth(n) == 2 {
		t.pred16 = make([]int16, z*n)
	} else {
		t.pred32 = make([]int32, z*n)
	}
}

// setRow stores tree row za from ext (each network node's predecessor,
// -1 at the root) in the table's order: each search's worker stores its
// own row, so the renumbering runs on all cores too (San Francisco: 36 ms
// of processor time in all).
func (t *RoadTable) setRow(za int, ext []int32) {
	n := len(t.ord)
	for i, v := range t.ord {
		var d int32
		if u := ext[v]; u >= 0 {
			d = t.rank[u] - int32(i)
		}
		if t.pred16 != nil {
			t.pred16[za*n+i] = int16(d)
		} else {
			t.pred32[za*n+i] = d
		}
	}
}

// next returns the place of the predecessor of place i in tree row za, or
// -1 at the root (for building, drawing and tests; the walks read the
// rows directly).
func (t *RoadTable) next(za int, i int32) int32 {
	n := len(t.ord)
	var d int32
	if t.pred16 != nil {
		d = int32(t.pred16[za*n+int(i)])
	} else {
		d = t.pred32[za*n+int(i)]
	}
	if d == 0 {
		return -1
	}
	return i + d
}

// predRow returns row za of pred in the network's numbering (for tests
// and drawing: a copy).
func (t *RoadTable) predRow(za int) []int32 {
	row := make([]int32, len(t.ord))
	for i, v := range t.ord {
		row[v] = -1
		if u := t.next(za, int32(i)); u >= 0 {
			row[v] = t.ord[u]
		}
	}
	return row
}
