package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"gonum.org/v1/gonum/stat/distuv"
)

// clipArea returns the area of ring ∩ the box [x0,x1]×[y0,y1], in square
// metres: the ring clipped to the box by Sutherland–Hodgman (exact in area
// for any simple ring against a convex window: where the clipped ring
// runs along the box edge twice, the pieces it joins add zero area).
func clipArea(ring orb.Ring, x0, y0, x1, y1 float64) float64 {
	pts := []orb.Point(ring)
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	// Each edge of the box as a half-plane: inside(p) and the crossing of
	// the segment p→q with the edge line.
	type half struct {
		in  func(p orb.Point) bool
		cut func(p, q orb.Point) orb.Point
	}
	atX := func(x float64) func(p, q orb.Point) orb.Point {
		return func(p, q orb.Point) orb.Point {
			return orb.Point{x, p[1] + (q[1]-p[1])*(x-p[0])/(q[0]-p[0])}
		}
	}
	atY := func(y float64) func(p, q orb.Point) orb.Point {
		return func(p, q orb.Point) orb.Point {
			return orb.Point{p[0] + (q[0]-p[0])*(y-p[1])/(q[1]-p[1]), y}
		}
	}
	for _, h := range []half{
		{func(p orb.Point) bool { return p[0] >= x0 }, atX(x0)},
		{func(p orb.Point) bool { return p[0] <= x1 }, atX(x1)},
		{func(p orb.Point) bool { return p[1] >= y0 }, atY(y0)},
		{func(p orb.Point) bool { return p[1] <= y1 }, atY(y1)},
	} {
		var out []orb.Point
		for i, q := range pts {
			p := pts[(i+len(pts)-1)%len(pts)]
			switch {
			case h.in(q) && !h.in(p):
				out = append(out, h.cut(p, q), q)
			case h.in(q):
				out = append(out, q)
			case h.in(p):
				out = append(out, h.cut(p, q))
			}
		}
		if pts = out; len(pts) < 3 {
			return 0
		}
	}
	return math.Abs(signedArea(pts))
}

// cellShares returns the share of the atom's area in each cell of a k×k
// lattice over its box, exactly (clipped polygons, holes subtracted).
func cellShares(mp orb.MultiPolygon, b orb.Bound, k int) []float64 {
	shares := make([]float64, k*k)
	total := 0.0
	w, h := (b.Max[0]-b.Min[0])/float64(k), (b.Max[1]-b.Min[1])/float64(k)
	for i := range k {
		for j := range k {
			x0, y0 := b.Min[0]+float64(i)*w, b.Min[1]+float64(j)*h
			a := 0.0
			for _, poly := range mp {
				for r, ring := range poly {
					s := clipArea(ring, x0, y0, x0+w, y0+h)
					if r > 0 {
						s = -s // a hole
					}
					a += s
				}
			}
			shares[i*k+j] = a
			total += a
		}
	}
	for i := range shares {
		shares[i] /= total
	}
	return shares
}

// chiSquare bins n draws of draw into the k×k lattice over b and returns
// Pearson's statistic against the exact shares, cells expecting fewer than
// 5 draws pooled into one (Cochran's rule), and its degrees of freedom.
func chiSquare(t *testing.T, draw func() Point, b orb.Bound, shares []float64, k, n int) (stat float64, df int) {
	t.Helper()
	counts := make([]float64, k*k)
	w, h := (b.Max[0]-b.Min[0])/float64(k), (b.Max[1]-b.Min[1])/float64(k)
	for range n {
		p := draw()
		i := min(int((p.X-b.Min[0])/w), k-1)
		j := min(int((p.Y-b.Min[1])/h), k-1)
		if i < 0 || j < 0 {
			t.Fatalf("draw %+v outside the box %v", p, b)
		}
		counts[i*k+j]++
	}
	var poolObs, poolExp float64
	bins := 0
	for c, s := range shares {
		e := s * float64(n)
		if e < 5 {
			poolObs += counts[c]
			poolExp += e
			if s == 0 && counts[c] > 0 {
				t.Fatalf("%g draws in cell %d, which holds none of the atom", counts[c], c)
			}
			continue
		}
		stat += (counts[c] - e) * (counts[c] - e) / e
		bins++
	}
	if poolExp > 0 {
		stat += (poolObs - poolExp) * (poolObs - poolExp) / poolExp
		bins++
	}
	return stat, bins - 1
}

// TestUniformPointChiSquare: on non-convex atoms (an L, a comb, a star, a
// square with a hole, a bow tie) the counts of 60,000 UniformPoint draws
// in a 12×12 lattice over the atom's box match the exact share of the
// atom's area in each cell (polygon clipping) by Pearson's chi-square test
// at the 0.1% level (critical value: the 0.999 quantile of χ² with the
// test's degrees of freedom; the seed is fixed). The test can fail: a
// sampler that picks a triangle uniformly instead of by area (exact
// within each triangle, wrong across them) is rejected on the same
// lattice.
func TestUniformPointChiSquare(t *testing.T) {
	const n, k = 60000, 12
	hole := orb.Ring{{10, 10}, {10, 60}, {40, 60}, {40, 10}, {10, 10}}
	shapes := []struct {
		name  string
		shape orb.MultiPolygon
	}{
		{"L", orb.MultiPolygon{{orb.Ring{{0, 0}, {300, 0}, {300, 100}, {100, 100}, {100, 300}, {0, 300}, {0, 0}}}}},
		{"comb", orb.MultiPolygon{{comb(8)}}},
		{"star", orb.MultiPolygon{{star(12, 500, 100)}}},
		{"square with a hole", orb.MultiPolygon{{rect(0, 0, 100, 100), hole}}},
		{"bow tie", orb.MultiPolygon{{orb.Ring{{0, 0}, {100, 0}, {100, 100}, {200, 100}, {200, 200}, {100, 200}, {100, 100}, {0, 100}, {0, 0}}}}},
	}
	for _, tc := range shapes {
		t.Run(tc.name, func(t *testing.T) {
			c := handCity(t, tc.shape)
			b := c.Atoms[0].bound
			shares := cellShares(tc.shape, b, k)
			r := rand.New(rand.NewPCG(2026, 19)) // fixed seed
			stat, df := chiSquare(t, func() Point { return c.UniformPoint(0, r) }, b, shares, k, n)
			crit := distuv.ChiSquared{K: float64(df)}.Quantile(0.999)
			t.Logf("χ² = %.1f on %d degrees of freedom (critical %.1f at 0.1%%)", stat, df, crit)
			if stat > crit {
				t.Errorf("χ² = %.1f on %d degrees of freedom, above %.1f: UniformPoint is not uniform", stat, df, crit)
			}
		})
	}

	// Power: wrong samplers on the star (triangles of unequal area) must
	// be rejected by the same test.
	c := handCity(t, orb.MultiPolygon{{star(12, 500, 100)}})
	b := c.Atoms[0].bound
	shares := cellShares(c.Atoms[0].shape, b, k)
	tri := c.triangulated()
	tris := tri.tris[tri.off[0].lo:tri.off[0].hi]
	r := rand.New(rand.NewPCG(2026, 20))
	byCount := func() Point { // a triangle uniformly, not by area
		tr := &tris[r.IntN(len(tris))]
		u, v := r.Float64(), r.Float64()
		if u+v > 1 {
			u, v = 1-u, 1-v
		}
		return Point{tr.ax + u*tr.ux + v*tr.vx, tr.ay + u*tr.uy + v*tr.vy}
	}
	for _, wrong := range []struct {
		name string
		draw func() Point
	}{{"triangle by count", byCount}} {
		stat, df := chiSquare(t, wrong.draw, b, shares, k, n)
		if crit := (distuv.ChiSquared{K: float64(df)}).Quantile(0.999); !(stat > crit) {
			t.Errorf("%s: χ² = %.1f on %d degrees of freedom, not above %.1f: the test cannot tell a wrong sampler", wrong.name, stat, df, crit)
		}
	}
}
