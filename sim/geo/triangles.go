package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/paulmach/orb"
)

// triangle is one triangle of an atom's triangulation: corner a and the
// edge vectors u and v from it, and the area of its atom's triangles up
// to it, itself included (UniformPoint's cumulative weights). It fills a
// cache line (the large array of them starts on one), so that the two
// triangles of a quadrilateral atom take two lines, not three.
type triangle struct {
	ax, ay, ux, uy, vx, vy, cum float64
	_                           [8]byte
}

// triangulation is every atom's triangles, and by atom where they are:
// apart from the atoms, which are large, so that a draw reads little. It
// is made on first use, once, by whichever run asks first.
type triangulation struct {
	once  sync.Once
	tris  []triangle
	off   []triSpan
	quads []quad
}

// triSpan is where an atom's triangles are: tris[lo:hi] (none if it could
// not be triangulated), covering more than the atom if more. An atom of
// two triangles on four corners (most communities, every grid cell) has
// them also as a quad: corners quads[q] (q -1 if none), triangle k being
// corners (a, b, c) = bits 6k … 6k+5 of corners, two bits each, and the
// areas cum0 (its first triangle's) and total (both) — the values of its
// triangles' cum, so that UniformPoint draws the same point from one
// cache line of corners as from the two of triangles.
type triSpan struct {
	lo, hi, q   int32
	corners     uint16
	more        bool
	cum0, total float64
}

// quad is the four corners of a two-triangle atom.
type quad [4]Point

// asQuad returns tris, two triangles, as four corners and the corners of
// each triangle (see triSpan), if they have at most four distinct corners
// among ring's points, each of which gives back its triangle's fields
// exactly (a corner, and the edge vectors as clipSimple subtracted them).
func asQuad(tris []triangle, mp orb.MultiPolygon) (q quad, corners uint16, ok bool) {
	if len(tris) != 2 || len(mp) != 1 || len(mp[0]) != 1 {
		return q, 0, false
	}
	n := 0
	find := func(x, y float64) (int, bool) {
		for k := range n {
			if q[k].X == x && q[k].Y == y {
				return k, true
			}
		}
		if n == len(q) {
			return 0, false
		}
		q[n] = Point{x, y}
		n++
		return n - 1, true
	}
	for k, t := range tris {
		var ib, ic int = -1, -1
		ia, okA := find(t.ax, t.ay)
		for _, v := range mp[0][0] {
			if ib < 0 && v[0]-t.ax == t.ux && v[1]-t.ay == t.uy {
				ib, ok = find(v[0], v[1])
				if !ok {
					return q, 0, false
				}
			}
			if ic < 0 && v[0]-t.ax == t.vx && v[1]-t.ay == t.vy {
				ic, ok = find(v[0], v[1])
				if !ok {
					return q, 0, false
				}
			}
		}
		if !okA || ib < 0 || ic < 0 {
			return q, 0, false
		}
		corners |= uint16(ia|ib<<2|ic<<4) << (6 * k)
	}
	// Each triangle as UniformPoint will rebuild it.
	for k, t := range tris {
		c := corners >> (6 * k)
		a, b, cc := q[c&3], q[c>>2&3], q[c>>4&3]
		if a.X != t.ax || a.Y != t.ay || b.X-a.X != t.ux || b.Y-a.Y != t.uy || cc.X-a.X != t.vx || cc.Y-a.Y != t.vy {
			return q, 0, false
		}
	}
	return q, corners, true
}

// area returns the triangle's area in square metres.
func (t *triangle) area() float64 { return math.Abs(t.ux*t.vy-t.uy*t.vx) / 2 }

// triangulate appends to tris the triangles of the outer rings of mp, by
// ear clipping, and reports whether it could (false for a ring that
// clipping does not cut into triangles of its area: degenerate in floating
// point) and whether the triangles cover more than mp: where mp has holes,
// or a ring touches itself around a sliver that the even-odd rule of
// Locate leaves out (some triangle's centroid is outside). Cost: O(v²) for
// a ring of v vertices.
func triangulate(tris []triangle, mp orb.MultiPolygon) (_ []triangle, more, ok bool) {
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		more = more || len(poly) > 1
		start := len(tris)
		if tris, ok = clipEars(tris, poly[0]); !ok {
			return tris, more, false
		}
		for _, t := range tris[start:] {
			if !ringHolds(poly[0], Point{t.ax + (t.ux+t.vx)/3, t.ay + (t.uy+t.vy)/3}) {
				more = true
			}
		}
	}
	return tris, more, true
}

// clipEars appends the triangles of a ring (closed or not, either
// orientation) to tris. The ring must not cross itself; where it touches
// itself at a vertex, each loop is cut apart and clipped on its own (a
// small lobe turning the other way, as the outlines of real districts
// have, is inside by the even-odd rule too).
func clipEars(tris []triangle, ring orb.Ring) ([]triangle, bool) {
	// The vertices, without the closing one or repeated neighbours.
	var pts []orb.Point
	for _, p := range ring {
		if len(pts) == 0 || p != pts[len(pts)-1] {
			pts = append(pts, p)
		}
	}
	for len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	return clipLoops(tris, pts)
}

// signedArea returns the area of the ring through pts, positive when it
// turns counter-clockwise.
func signedArea(pts []orb.Point) float64 {
	area := 0.0
	for i := range pts {
		p, q := pts[i], pts[(i+1)%len(pts)]
		area += p[0]*q[1] - q[0]*p[1]
	}
	return area / 2
}

// clipLoops cuts the ring through pts at a vertex it passes twice, if any,
// and clips each loop.
func clipLoops(tris []triangle, pts []orb.Point) ([]triangle, bool) {
	seen := make(map[orb.Point]int, len(pts))
	for j, p := range pts {
		i, twice := seen[p]
		if !twice {
			seen[p] = j
			continue
		}
		loop := slices.Clone(pts[i:j])
		rest := append(slices.Clone(pts[:i]), pts[j:]...)
		var ok bool
		if tris, ok = clipLoops(tris, loop); !ok {
			return tris, false
		}
		return clipLoops(tris, rest)
	}
	if len(pts) < 3 {
		return tris, false
	}
	area := signedArea(pts)
	if area == 0 {
		return tris, false
	}
	if area < 0 {
		slices.Reverse(pts)
		area = -area
	}
	return clipSimple(tris, pts, area)
}

// clipSimple appends the triangles of the simple counter-clockwise ring
// through pts, of the given area, by ear clipping.
func clipSimple(tris []triangle, pts []orb.Point, area float64) ([]triangle, bool) {
	n := len(pts)
	prev, next := make([]int, n), make([]int, n)
	for i := range n {
		prev[i], next[i] = (i+n-1)%n, (i+1)%n
	}
	// cross is twice the signed area of (a, b, c): positive when c is to
	// the left of a→b.
	cross := func(a, b, c orb.Point) float64 {
		return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	}
	start, sum := len(tris), 0.0
	left, i, tries := n, 0, 0
	for left > 3 {
		if tries > left { // a whole turn without an ear
			return tris[:start], false
		}
		p, q := prev[i], next[i]
		a, b, c := pts[p], pts[i], pts[q]
		turn := cross(a, b, c)
		ear := turn == 0 // a straight or doubling-back vertex: no area
		if turn > 0 {
			ear = true
			for j := next[q]; j != p; j = next[j] {
				x := pts[j]
				if cross(a, b, x) >= 0 && cross(b, c, x) >= 0 && cross(c, a, x) >= 0 {
					ear = false // a vertex inside or on the triangle
					break
				}
			}
			if ear {
				t := triangle{ax: a[0], ay: a[1], ux: b[0] - a[0], uy: b[1] - a[1], vx: c[0] - a[0], vy: c[1] - a[1]}
				tris = append(tris, t)
				sum += t.area()
			}
		}
		if !ear {
			i, tries = q, tries+1
			continue
		}
		next[p], prev[q] = q, p
		left--
		i, tries = p, 0
	}
	a, b, c := pts[prev[i]], pts[i], pts[next[i]]
	if t := (triangle{ax: a[0], ay: a[1], ux: b[0] - a[0], uy: b[1] - a[1], vx: c[0] - a[0], vy: c[1] - a[1]}); t.area() > 0 {
		tris = append(tris, t)
		sum += t.area()
	}
	// Ears of the ring's own area, or the ring was not simple.
	if math.Abs(sum-area) > 1e-9*area {
		return tris[:start], false
	}
	return tris, true
}

// UniformPoint returns a point drawn uniformly from atom i's area: a
// triangle of the atom's triangulation (made on first use) with probability
// proportional to its area, then a point uniform in it, from three
// uniforms of r. It is exact, and cheaper than RandomPoint's rejection from
// the atom's box, which draws pairs until one falls inside and tests each.
// Where the triangles cover more than the atom (holes: they cover the
// outer ring), draws outside are rejected as RandomPoint rejects them (up
// to 64 times, then RandomPoint); an atom that could not be triangulated
// is drawn from by RandomPoint.
//
// Patrol stops are drawn with UniformPoint (three uniforms a stop, not a
// variable number); incidents are placed by RandomPoint.
func (c *City) UniformPoint(i int, r *rand.Rand) Point {
	tri := c.triangulated()
	span := tri.off[i]
	if span.q >= 0 {
		// The two triangles of a quad, as below for tris[0:2].
		q := &tri.quads[span.q]
		x := r.Float64() * span.total
		cn := span.corners >> (6 * b2i(span.cum0 <= x))
		a, b, cc := q[cn&3], q[cn>>2&3], q[cn>>4&3]
		ux, uy, vx, vy := b.X-a.X, b.Y-a.Y, cc.X-a.X, cc.Y-a.Y
		u, v := r.Float64(), r.Float64()
		m := -uint64(b2i(u+v > 1))
		u = math.Float64frombits(math.Float64bits(u)&^m | math.Float64bits(1-u)&m)
		v = math.Float64frombits(math.Float64bits(v)&^m | math.Float64bits(1-v)&m)
		return Point{a.X + u*ux + v*vx, a.Y + u*uy + v*vy}
	}
	tris := tri.tris[span.lo:span.hi]
	if len(tris) == 0 {
		return c.RandomPoint(i, r)
	}
	last := len(tris) - 1
	for range 64 {
		// The first triangle whose cumulative area exceeds x (the last if
		// none), found without a branch on x: for the few triangles of
		// most atoms, the count of those up to x (the same index, the
		// areas being cumulative); for many, by halving with a select.
		x := r.Float64() * tris[last].cum
		k := 0
		if last < 16 {
			for j := range last {
				k += b2i(tris[j].cum <= x)
			}
		} else {
			k = min(upperBound(tris, x), last)
		}
		t := &tris[k]
		// u, v uniform in the triangle: folded back into it when beyond
		// its third side, selected without a branch (half the draws fold).
		u, v := r.Float64(), r.Float64()
		m := -uint64(b2i(u+v > 1))
		u = math.Float64frombits(math.Float64bits(u)&^m | math.Float64bits(1-u)&m)
		v = math.Float64frombits(math.Float64bits(v)&^m | math.Float64bits(1-v)&m)
		p := Point{t.ax + u*t.ux + v*t.vx, t.ay + u*t.uy + v*t.vy}
		if !span.more || c.Atoms[i].holds(p) {
			return p
		}
	}
	return c.RandomPoint(i, r)
}

// triangulated makes every atom's triangulation, once after Finish: a
// cost (O(v²) a ring: 70 ms for San Francisco's districts, 130 ms for
// Chicago's beats) that only cities drawn from by UniformPoint pay.
func (c *City) triangulated() *triangulation {
	t := c.tri
	t.once.Do(func() {
		for i := range c.Atoms {
			lo := len(t.tris)
			tris, more, ok := triangulate(t.tris, c.Atoms[i].shape)
			if !ok {
				tris, more = tris[:lo], false
			}
			t.tris = tris
			total := 0.0
			for k := lo; k < len(t.tris); k++ {
				total += t.tris[k].area()
				t.tris[k].cum = total
			}
			span := triSpan{lo: int32(lo), hi: int32(len(t.tris)), q: -1, more: more}
			if q, corners, ok := asQuad(t.tris[lo:], c.Atoms[i].shape); ok && !more {
				span.q, span.corners = int32(len(t.quads)), corners
				span.cum0, span.total = t.tris[lo].cum, t.tris[lo+1].cum
				t.quads = append(t.quads, q)
			}
			t.off = append(t.off, span)
		}
		// The quads in an array of their own size (a large one starts on
		// a page, so every quad fills one cache line).
		t.quads = slices.Clip(slices.Clone(t.quads))
	})
	return t
}

// upperBound is the first k with tris[k].cum > x (len(tris) if none), the
// cumulative areas being sorted, by halving with a select: the same steps
// for every x.
func upperBound(tris []triangle, x float64) int {
	if len(tris) == 0 {
		return 0
	}
	lo, n := 0, len(tris)
	for n > 1 {
		half := n / 2
		lo += half & -b2i(tris[lo+half-1].cum <= x)
		n -= half
	}
	return lo + b2i(tris[lo].cum <= x)
}

// b2i is 1 for true, 0 for false (a flag set, not a branch).
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
