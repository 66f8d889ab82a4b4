package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// slabMinEdges is the number of edges from which an atom gets a slab index;
// smaller atoms are tested edge by edge.
const slabMinEdges = 32

// slabIndex speeds up point-in-atom tests of atoms with many vertices (real
// police areas have thousands): the atom's box, padded by borderTol, is cut
// into horizontal slabs, and each slab lists the edges whose y-range
// (padded by borderTol) meets it, grouped by ring. A test then visits the
// edges of one slab only. It gives exactly the answer of multiPolygonHolds:
// the same crossing test and boundary test on the same edges, since an edge
// outside p's slab can neither cross the horizontal line through p nor come
// within borderTol of p.
type slabIndex struct {
	y0, h  float64 // slab k covers [y0 + k·h, y0 + (k+1)·h)
	n      int     // slabs
	off    []int32 // slab k: groups[off[k] : off[k+1]]
	groups []slabGroup
	edges  []slabEdge
}

// slabGroup is the edges of one ring within one slab.
type slabGroup struct {
	poly       int32 // polygon index in the atom's multipolygon
	hole       bool  // an inner ring
	start, end int32 // edges[start:end]
}

// slabEdge is the edge from (xj, yj) to (xi, yi) in the orientation of
// ringHolds; cross says the crossing test uses it, bound that onRing does
// (the closing edge from the last vertex to the first is crossing only).
type slabEdge struct {
	xi, yi, xj, yj float64
	cross, bound   bool
}

// newSlabIndex returns the index of mp within bound b, or nil when mp has
// fewer than slabMinEdges edges.
func newSlabIndex(mp orb.MultiPolygon, b orb.Bound) *slabIndex {
	type ringEdge struct {
		e          slabEdge
		poly, ring int32
	}
	var all []ringEdge
	for pi, poly := range mp {
		for ri, ring := range poly {
			n := len(ring)
			for i, j := 0, n-1; i < n; j, i = i, i+1 {
				all = append(all, ringEdge{slabEdge{ring[i][0], ring[i][1], ring[j][0], ring[j][1], true, i > 0}, int32(pi), int32(ri)})
			}
		}
	}
	if len(all) < slabMinEdges {
		return nil
	}
	y0, y1 := b.Min[1]-borderTol, b.Max[1]+borderTol
	s := &slabIndex{y0: y0, n: min(max(len(all)/4, 1), 1024)}
	s.h = (y1 - y0) / float64(s.n)
	if !(s.h > 0) {
		return nil
	}
	// Per slab, the edges in input order: rings stay contiguous and in
	// order, outer ring before its holes.
	lists := make([][]ringEdge, s.n)
	for _, re := range all {
		lo, hi := s.slab(min(re.e.yi, re.e.yj)-borderTol), s.slab(max(re.e.yi, re.e.yj)+borderTol)
		for k := lo; k <= hi; k++ {
			lists[k] = append(lists[k], re)
		}
	}
	s.off = make([]int32, s.n+1)
	for k, list := range lists {
		for i, re := range list {
			if i == 0 || re.poly != list[i-1].poly || re.ring != list[i-1].ring {
				s.groups = append(s.groups, slabGroup{poly: re.poly, hole: re.ring > 0, start: int32(len(s.edges))})
			}
			s.edges = append(s.edges, re.e)
			s.groups[len(s.groups)-1].end = int32(len(s.edges))
		}
		s.off[k+1] = int32(len(s.groups))
	}
	return s
}

// slab returns the slab holding height y, clamped to the index.
func (s *slabIndex) slab(y float64) int {
	k := math.Floor((y - s.y0) / s.h)
	if !(k >= 0) {
		return 0
	}
	return min(int(k), s.n-1)
}

// holds is multiPolygonHolds for the indexed shape.
func (s *slabIndex) holds(p Point) bool {
	if !(p.Y >= s.y0 && p.Y <= s.y0+float64(s.n)*s.h) {
		return false
	}
	k := s.slab(p.Y)
	groups := s.groups[s.off[k]:s.off[k+1]]
	poly := int32(-1)
	outerIn, holeOut := false, false
	for _, g := range groups {
		if g.poly != poly {
			if outerIn && !holeOut {
				return true
			}
			poly, outerIn, holeOut = g.poly, false, false
		}
		edges := s.edges[g.start:g.end]
		if !g.hole {
			if crosses(edges, p) {
				outerIn = true
			} else if onEdges(edges, p) {
				return true
			}
		} else if outerIn && !holeOut && crosses(edges, p) && !onEdges(edges, p) {
			holeOut = true
		}
	}
	return outerIn && !holeOut
}

// crosses is ringHolds over some of a ring's edges.
func crosses(edges []slabEdge, p Point) bool {
	in := false
	for i := range edges {
		e := &edges[i]
		if e.cross && (e.yi > p.Y) != (e.yj > p.Y) && p.X < (e.xj-e.xi)*(p.Y-e.yi)/(e.yj-e.yi)+e.xi {
			in = !in
		}
	}
	return in
}

// onEdges is onRing over some of a ring's edges.
func onEdges(edges []slabEdge, p Point) bool {
	for i := range edges {
		e := &edges[i]
		if !e.bound {
			continue
		}
		// onRing's segment from ring[i-1] = (xj, yj) to ring[i] = (xi, yi).
		if p.X < min(e.xj, e.xi)-borderTol || p.X > max(e.xj, e.xi)+borderTol ||
			p.Y < min(e.yj, e.yi)-borderTol || p.Y > max(e.yj, e.yi)+borderTol {
			continue
		}
		if segDist(orb.Point{e.xj, e.yj}, orb.Point{e.xi, e.yi}, p) <= borderTol {
			return true
		}
	}
	return false
}

// holds reports whether p is inside or on the boundary of the atom.
func (a *Atom) holds(p Point) bool {
	if a.slabs != nil {
		return a.slabs.holds(p)
	}
	return multiPolygonHolds(a.shape, p)
}
