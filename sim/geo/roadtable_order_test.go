package geo

import (
	"slices"
	"testing"
)

// cacheModel is a set-associative cache of 64-byte lines with least
// recently used replacement, counting misses and, among them, first
// touches of a line (misses any cache would have).
type cacheModel struct {
	ways   int
	sets   [][]uint64
	misses int
	first  int
	seen   map[uint64]bool
}

func newCacheModel(bytes, ways int) *cacheModel {
	return &cacheModel{ways: ways, sets: make([][]uint64, bytes/64/ways), seen: map[uint64]bool{}}
}

func (c *cacheModel) touch(addr uint64) {
	line := addr / 64
	s := &c.sets[line%uint64(len(c.sets))]
	for i, l := range *s {
		if l == line {
			copy((*s)[1:i+1], (*s)[:i])
			(*s)[0] = line
			return
		}
	}
	c.misses++
	if !c.seen[line] {
		c.seen[line] = true
		c.first++
	}
	if len(*s) < c.ways {
		*s = append(*s, 0)
	}
	copy((*s)[1:], (*s)[:len(*s)-1])
	(*s)[0] = line
}

// walkTouches calls touch(row, i) for every pred entry (and so position)
// that atCached reads for the position a fraction f along the leg, i in
// the table's order (the same walk, without the arithmetic of the
// position).
func walkTouches(t *RoadTable, l *Leg, f float64, c *PathCache, touch func(row int, i int32)) {
	if l.pa.Zone == l.pb.Zone {
		return
	}
	net := t.Net
	z := len(t.anchor)
	l1 := planeDist(l.From, net.pos[l.pa.Node])
	l2 := float64(t.toAnchorLen[l.pa.Node])
	l3 := float64(t.box[5*(int(l.pb.Zone)*z+int(l.pa.Zone))+4])
	l4 := float64(t.toAnchorLen[l.pb.Node])
	if net.directed {
		l4 = float64(t.fromAnchorLen[l.pb.Node])
	}
	l5 := planeDist(net.pos[l.pb.Node], l.To)
	s := f * (l1 + l2 + l3 + l4 + l5)
	steps := func(row int, v int32, d float64) {
		for {
			touch(row, v)
			u := t.next(row, v)
			if u < 0 {
				return
			}
			seg := planeDist(t.ipos[v], t.ipos[u])
			if d <= seg {
				touch(row, u)
				return
			}
			d -= seg
			v = u
		}
	}
	switch {
	case s <= l1:
		return
	case s <= l1+l2:
		steps(int(l.pa.Zone), t.rank[l.pa.Node], s-l1)
		return
	case s <= l1+l2+l3:
	case s <= l1+l2+l3+l4:
		if !net.directed {
			steps(int(l.pb.Zone), t.rank[l.pb.Node], l1+l2+l3+l4-s)
		}
		return
	default:
		return
	}
	r := s - l1 - l2
	if c.t != t || c.za != l.pa.Zone || c.zb != l.pb.Zone || r < c.sv {
		c.t, c.za, c.zb, c.v, c.sv = t, l.pa.Zone, l.pb.Zone, t.rank[t.anchor[l.pa.Zone]], 0
	}
	v, sv := c.v, c.sv
	for {
		touch(int(l.pb.Zone), v)
		u := t.next(int(l.pb.Zone), v)
		if u < 0 {
			c.v, c.sv = v, sv
			return
		}
		seg := planeDist(t.ipos[v], t.ipos[u])
		if sv+seg >= r {
			touch(int(l.pb.Zone), u)
			c.v, c.sv = v, sv
			return
		}
		v, sv = u, sv+seg
	}
}

// TestTableOrderLocality: the walks of BenchmarkLegPositions' workload on
// San Francisco (TIGER) and central Baltimore (OSM), through a model of a
// 48 KiB 12-way first-level and a 1 MiB 16-way second-level cache (tree
// row entries of predWidth bytes, positions of 16; a directed network's
// ways from the anchors, in the network's numbering, are left out), miss
// less with the table's order (chains in consecutive places) than they
// would with the network's own (Hilbert) order, and far less than with
// breadth-first order. Measured when written (misses a position, L1 /
// L2), with 4-byte entries: San Francisco Hilbert 8.25 / 2.22, the
// table's 7.58 / 2.04, breadth-first 15.6 / 5.95 (Cuthill–McKee and its
// reverse the same within 1%, random 21.6 / 10.9); Baltimore Hilbert
// 7.57 / 0.34, the table's 5.98 / 0.30, breadth-first 17.8 / 1.10. With
// 2-byte entries (both cities): San Francisco Hilbert 7.10 / 1.34, the
// table's 6.51 / 1.24, breadth-first 14.7 / 4.78; Baltimore 6.19 / 0.25,
// 5.01 / 0.23, 16.5 / 0.57. Of the 1 MiB cache's misses, first touches of
// a line: San Francisco 0.97 (table), 1.02 (Hilbert); Baltimore all. The
// model is deterministic, so the comparison is exact.
func TestTableOrderLocality(t *testing.T) {
	t.Run("SanFrancisco", func(t *testing.T) {
		c, tab := sfTable(t)
		tab.Build()
		orderLocality(t, c, tab)
	})
	t.Run("Baltimore", func(t *testing.T) {
		c, tab := osmTable(t, osmCities[0])
		orderLocality(t, c, tab)
	})
}

// orderLocality runs the walks of TestTableOrderLocality on tab through
// the cache model.
func orderLocality(t *testing.T, c *City, tab *RoadTable) {
	n := len(tab.ord)
	// The other orders: place of network node v.
	hilbert := func(v int32) int32 { return v }
	bfsRank := make([]int32, n)
	{
		seen := make([]bool, n)
		q := []int32{0}
		seen[0] = true
		for h := 0; h < len(q); h++ {
			v := q[h]
			bfsRank[v] = int32(h)
			for _, u := range tab.Net.to[tab.Net.off[v]:tab.Net.off[v+1]] {
				if !seen[u] {
					seen[u] = true
					q = append(q, u)
				}
			}
		}
		if len(q) != n {
			t.Fatalf("breadth-first order reaches %d of %d nodes", len(q), n)
		}
	}
	orders := []struct {
		name  string
		place func(v int32) int32 // network node → place
	}{
		{"table", func(v int32) int32 { return tab.rank[v] }},
		{"hilbert", hilbert},
		{"bfs", func(v int32) int32 { return bfsRank[v] }},
	}
	legs, qs := legWorkload(c, tab, 20, 20000, 9)
	l1 := make([]*cacheModel, len(orders))
	l2 := make([]*cacheModel, len(orders))
	for k := range orders {
		l1[k], l2[k] = newCacheModel(48<<10, 12), newCacheModel(1<<20, 16)
	}
	caches := make([]PathCache, 20)
	w := uint64(predWidth(n))
	touch := func(row int, i int32) {
		v := tab.ord[i]
		for k, o := range orders {
			p := uint64(o.place(v))
			for _, a := range []uint64{1<<40 + (uint64(row*n)+p)*w, p * 16} {
				l1[k].touch(a)
				l2[k].touch(a)
			}
		}
	}
	for _, q := range qs {
		l := &legs[q.leg]
		if f := (q.t - l.Depart) / (l.Arrive - l.Depart); f > 0 && f < 1 {
			walkTouches(tab, l, f, &caches[q.unit], touch)
		}
	}
	per := func(m *cacheModel) float64 { return float64(m.misses) / float64(len(qs)) }
	for k, o := range orders {
		t.Logf("%-8s misses a position: L1 %.2f, L2 %.2f (first touches %.2f)", o.name, per(l1[k]), per(l2[k]), float64(l2[k].first)/float64(len(qs)))
	}
	if !(l2[0].misses < l2[1].misses && l2[1].misses < l2[2].misses) {
		t.Errorf("L2 misses: table %d, Hilbert %d, breadth-first %d: want increasing", l2[0].misses, l2[1].misses, l2[2].misses)
	}
}

// TestTableWideRows: a table whose tree rows are 32-bit steps (networks of
// more than 32,768 nodes) answers exactly as one of 16-bit steps: the same
// positions on legs, with and without a cursor, and the same paths, also
// read back from its encoding. Baltimore's table, its rows widened.
func TestTableWideRows(t *testing.T) {
	c, tab := osmTable(t, osmCities[0])
	wide, err := NewRoadTable(tab.Net, tab.ZoneM, tab.RefKmh)
	if err != nil {
		t.Fatal(err)
	}
	wide.Build()
	if tab.pred16 == nil || wide.pred16 == nil {
		t.Fatal("Baltimore's rows are not 16-bit")
	}
	wide.pred32 = make([]int32, len(wide.pred16))
	for k, d := range wide.pred16 {
		wide.pred32[k] = int32(d)
	}
	wide.pred16 = nil
	back, _, err := DecodeRoadTable(encoded(t, wide, "k"))
	if err != nil {
		t.Fatal(err)
	}
	if back.pred32 == nil {
		t.Fatal("read back: rows not 32-bit")
	}
	legs16, qs := legWorkload(c, tab, 20, 2000, 5)
	for _, w := range []*RoadTable{wide, back} {
		legs32, _ := legWorkload(c, w, 20, 2000, 5)
		c16, c32 := make([]PathCache, 20), make([]PathCache, 20)
		for _, q := range qs {
			a, b := &legs16[q.leg], &legs32[q.leg]
			if p, r := a.AtCached(q.t, &c16[q.unit]), b.AtCached(q.t, &c32[q.unit]); p != r || a.At(q.t) != b.At(q.t) {
				t.Fatalf("leg %d at %g: %v with 16-bit rows, %v with 32-bit", q.leg, q.t, p, r)
			}
		}
		for i := range 200 {
			if !slices.Equal(tab.Path(&legs16[i]), w.Path(&legs32[i])) {
				t.Fatalf("leg %d: paths differ", i)
			}
		}
	}
}
