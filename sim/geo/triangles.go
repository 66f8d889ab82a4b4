package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

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
	done  atomic.Bool // once has made the rest
	tris  []triangle
	off   []triSpan
	quads []quad // by atom
}

// triSpan is where an atom's triangles are: tris[lo:hi] (none if it could
// not be triangulated), covering more than the atom if more.
type triSpan struct {
	lo, hi int32
	more   bool
}

// quad is an atom of two triangles on four corners (most communities,
// every grid cell) as its corners alone, one cache line that a draw reads
// and nothing else: triangle 0 is corners (0, 1, 2) and triangle 1
// corners (3, 0, 2) (corner a, then the ends of its edge vectors u and v),
// the two triangles ear clipping makes of four corners, and their areas
// are computed from the corners as triangulated computed them, so that
// UniformPoint draws the same point from it as from the triangles (both
// turn counter-clockwise, as ear clipping cuts them: their areas need no
// absolute value). The quad of any other atom is noQuad (first corner
// NaN).
type quad [4]Point

// noQuad marks an atom drawn from its triangles.
var noQuad = quad{{X: math.NaN()}}

// isQuad reports whether q holds an atom's corners (not noQuad).
func (q *quad) isQuad() bool { return q[0].X == q[0].X }

// asQuad returns tris, two triangles, as a quad, if their corners are
// among ring's points in the quad's order, each of which gives back its
// triangle's fields exactly (a corner, and the edge vectors as clipSimple
// subtracted them).
func asQuad(tris []triangle, mp orb.MultiPolygon) (q quad, ok bool) {
	if len(tris) != 2 || len(mp) != 1 || len(mp[0]) != 1 {
		return q, false
	}
	t0, t1 := &tris[0], &tris[1]
	q[0], q[3] = Point{t0.ax, t0.ay}, Point{t1.ax, t1.ay}
	b, c := false, false
	for _, v := range mp[0][0] {
		if !b && v[0]-t0.ax == t0.ux && v[1]-t0.ay == t0.uy {
			q[1], b = Point{v[0], v[1]}, true
		}
		if !c && v[0]-t0.ax == t0.vx && v[1]-t0.ay == t0.vy {
			q[2], c = Point{v[0], v[1]}, true
		}
	}
	if !b || !c {
		return q, false
	}
	// Each triangle as UniformPoint will rebuild it, and its cum.
	sum := 0.0
	for k, t := range tris {
		a, b, c := q[3*k], q[1-k], q[2]
		if a.X != t.ax || a.Y != t.ay || b.X-a.X != t.ux || b.Y-a.Y != t.uy || c.X-a.X != t.vx || c.Y-a.Y != t.vy {
			return q, false
		}
		h := halfCross(b.X-a.X, b.Y-a.Y, c.X-a.X, c.Y-a.Y)
		if sum += h; !(h > 0) || sum != t.cum {
			return q, false
		}
	}
	return q, true
}

// area returns the triangle's area in square metres.
func (t *triangle) area() float64 { return triArea(t.ux, t.uy, t.vx, t.vy) }

// triArea is the area of the triangle of edge vectors u and v (each
// product rounded on its own: never fused, so the same bits wherever it is
// computed).
func triArea(ux, uy, vx, vy float64) float64 { return math.Abs(float64(ux*vy)-float64(uy*vx)) / 2 }

// halfCross is triArea without the absolute value: the same bits for a
// triangle turning counter-clockwise (a positive cross product u × v).
func halfCross(ux, uy, vx, vy float64) float64 { return (float64(ux*vy) - float64(uy*vx)) / 2 }

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
	if q := &tri.quads[i]; q.isQuad() {
		// The two triangles of a quad, as below for tris[0:2]: the three
		// uniforms first, in the same order (no call between the
		// arithmetic, which keeps its values in registers), the areas
		// (the triangles' cum) from the corners, then triangle k.
		x, u, v := r.Float64(), r.Float64(), r.Float64()
		c0 := halfCross(q[1].X-q[0].X, q[1].Y-q[0].Y, q[2].X-q[0].X, q[2].Y-q[0].Y)
		x *= c0 + halfCross(q[0].X-q[3].X, q[0].Y-q[3].Y, q[2].X-q[3].X, q[2].Y-q[3].Y)
		k := b2i(c0 <= x)
		a, b, cc := q[3*k&3], q[(1-k)&3], q[2]
		ux, uy, vx, vy := b.X-a.X, b.Y-a.Y, cc.X-a.X, cc.Y-a.Y
		m := -uint64(b2i(u+v > 1))
		u = math.Float64frombits(math.Float64bits(u)&^m | math.Float64bits(1-u)&m)
		v = math.Float64frombits(math.Float64bits(v)&^m | math.Float64bits(1-v)&m)
		return Point{a.X + u*ux + v*vx, a.Y + u*uy + v*vy}
	}
	span := tri.off[i]
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
		x, u, v := r.Float64(), r.Float64(), r.Float64()
		x *= tris[last].cum
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
	if t := c.tri; t.done.Load() {
		return t
	}
	return c.triangulate()
}

// triangulate is triangulated's first use.
func (c *City) triangulate() *triangulation {
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
			t.off = append(t.off, triSpan{lo: int32(lo), hi: int32(len(t.tris)), more: more})
			q, ok := asQuad(t.tris[lo:], c.Atoms[i].shape)
			if !ok || more {
				q = noQuad
			}
			t.quads = append(t.quads, q)
		}
		// The quads in an array of their own size (64 bytes an atom: its
		// size class, or the pages of a large one, put every quad on one
		// cache line).
		t.quads = slices.Clip(slices.Clone(t.quads))
		t.done.Store(true)
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
