package geo

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"
)

// checkRings reports the first invalid ring of a polygon geometry in lon/lat
// degrees: a ring of fewer than 4 positions, a ring not closed (RFC 7946
// §3.1.6: the first and last positions are equivalent), or a ring whose
// edges cross each other (a "bow tie": which side is inside is then
// undefined, and areas, point-in-area tests and sampling go wrong).
// Touching at a vertex is allowed, as real boundary files do it.
//
// Cost: O(n log n + k) for a ring of n edges with k pairs of edges whose x
// ranges overlap (a sweep over x).
func checkRings(g orb.Geometry) error {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for pi, poly := range polys {
		for ri, ring := range poly {
			where := "ring"
			if len(poly) > 1 || len(polys) > 1 {
				where = fmt.Sprintf("polygon %d, ring %d", pi+1, ri+1)
			}
			if len(ring) < 4 {
				return fmt.Errorf("%s has %d positions; a ring needs at least 4 (the last repeating the first)", where, len(ring))
			}
			if ring[0] != ring[len(ring)-1] {
				return fmt.Errorf("%s is not closed: it starts at %v and ends at %v (RFC 7946 requires the last position to repeat the first)", where, ring[0], ring[len(ring)-1])
			}
			if i, j, ok := crossing(ring); ok {
				return fmt.Errorf("%s crosses itself: edge %v–%v crosses edge %v–%v", where, ring[i], ring[i+1], ring[j], ring[j+1])
			}
		}
	}
	return nil
}

// crossing returns two edges of a closed ring (edge i runs from ring[i] to
// ring[i+1]) that cross properly, if any.
func crossing(ring orb.Ring) (int, int, bool) {
	n := len(ring) - 1 // edges
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	lo := func(i int) float64 { return min(ring[i][0], ring[i+1][0]) }
	hi := func(i int) float64 { return max(ring[i][0], ring[i+1][0]) }
	slices.SortFunc(order, func(a, b int) int {
		if c := lo(a) - lo(b); c != 0 {
			if c < 0 {
				return -1
			}
			return 1
		}
		return a - b
	})
	for k, i := range order {
		for _, j := range order[k+1:] {
			if lo(j) > hi(i) {
				break
			}
			a, b := min(i, j), max(i, j)
			if b == a+1 || a == 0 && b == n-1 {
				continue // neighbours share a vertex
			}
			if properCross(ring[a], ring[a+1], ring[b], ring[b+1]) {
				return a, b, true
			}
		}
	}
	return 0, 0, false
}

// properCross reports whether segments pq and rs cross at a point inside
// both (not at an end, not collinear).
func properCross(p, q, r, s orb.Point) bool {
	d1 := orient(r, s, p)
	d2 := orient(r, s, q)
	d3 := orient(p, q, r)
	d4 := orient(p, q, s)
	return (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0)
}

// orient is the sign of the cross product (b − a) × (c − a).
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}
