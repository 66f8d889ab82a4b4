package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// shapes for the triangulation tests: convex and not, either orientation,
// with collinear vertices, several polygons.
func triangulationShapes() []struct {
	name  string
	shape orb.MultiPolygon
} {
	return []struct {
		name  string
		shape orb.MultiPolygon
	}{
		{"square", orb.MultiPolygon{{rect(0, 0, 100, 100)}}},
		{"square clockwise", orb.MultiPolygon{{orb.Ring{{0, 0}, {0, 100}, {100, 100}, {100, 0}, {0, 0}}}}},
		{"L", orb.MultiPolygon{{orb.Ring{{0, 0}, {300, 0}, {300, 100}, {100, 100}, {100, 300}, {0, 300}, {0, 0}}}}},
		{"collinear vertices", orb.MultiPolygon{{orb.Ring{{0, 0}, {50, 0}, {100, 0}, {100, 50}, {100, 100}, {0, 100}, {0, 0}}}}},
		{"chevron", orb.MultiPolygon{{orb.Ring{{0, 0}, {500, 1000}, {1000, 0}, {990, 0}, {500, 980}, {10, 0}, {0, 0}}}}},
		{"star", orb.MultiPolygon{{star(12, 500, 100)}}},
		{"comb", orb.MultiPolygon{{comb(8)}}},
		{"two squares", orb.MultiPolygon{{rect(0, 0, 100, 100)}, {rect(300, 0, 350, 400)}}},
		// A ring touching itself at a vertex: two lobes, one turning the
		// other way (a bow tie of two squares).
		{"bow tie", orb.MultiPolygon{{orb.Ring{{0, 0}, {100, 0}, {100, 100}, {200, 100}, {200, 200}, {100, 200}, {100, 100}, {0, 100}, {0, 0}}}}},
	}
}

// star returns a star of k points between radii r0 and r1, centred at the
// origin.
func star(k int, r1, r0 float64) orb.Ring {
	var ring orb.Ring
	for i := range 2 * k {
		r := r1
		if i%2 == 1 {
			r = r0
		}
		a := float64(i) * math.Pi / float64(k)
		ring = append(ring, orb.Point{r * math.Cos(a), r * math.Sin(a)})
	}
	return append(ring, ring[0])
}

// comb returns a comb of k teeth 10 m wide and 100 m long on a 20 m spine.
func comb(k int) orb.Ring {
	ring := orb.Ring{{0, 0}, {float64(20 * k), 0}}
	for i := k - 1; i >= 0; i-- {
		x := float64(20 * i)
		ring = append(ring, orb.Point{x + 10, 20}, orb.Point{x + 10, 120}, orb.Point{x, 120}, orb.Point{x, 20})
	}
	ring[len(ring)-1] = orb.Point{0, 20}
	return append(ring, orb.Point{0, 0})
}

// TestTriangulate: every shape is cut into triangles whose areas add up to
// the atom's, lying inside it; of a polygon with a hole the outer ring is,
// and UniformPoint rejects draws in the hole.
func TestTriangulate(t *testing.T) {
	for _, tc := range triangulationShapes() {
		t.Run(tc.name, func(t *testing.T) {
			c := handCity(t, tc.shape)
			tri := c.triangulated()
			a, span := &c.Atoms[0], tri.off[0]
			if span.lo == span.hi || span.more {
				t.Fatalf("not triangulated, or covering more than the atom (%v)", span.more)
			}
			sum := 0.0
			for _, tr := range tri.tris[span.lo:span.hi] {
				sum += tr.area()
				// The triangle's centroid is inside the atom.
				p := Point{tr.ax + (tr.ux+tr.vx)/3, tr.ay + (tr.uy+tr.vy)/3}
				if !multiPolygonHolds(a.shape, p) {
					t.Fatalf("triangle %+v: its centroid %+v is outside the atom", tr, p)
				}
			}
			closeTo(t, "area of the triangles", sum, a.Area, 1e-9*a.Area)
		})
	}
	t.Run("hole", func(t *testing.T) {
		holed := orb.MultiPolygon{{rect(0, 0, 100, 100), orb.Ring{{40, 40}, {40, 60}, {60, 60}, {60, 40}, {40, 40}}}}
		c := handCity(t, holed)
		if span := c.triangulated().off[0]; span.hi-span.lo != 2 || !span.more {
			t.Fatalf("%d triangles for a square with a hole (more %v), want its outer ring's 2, covering more", span.hi-span.lo, span.more)
		}
		r := rand.New(rand.NewPCG(1, 1))
		for range 1000 {
			if p := c.UniformPoint(0, r); !multiPolygonHolds(holed, p) {
				t.Fatalf("UniformPoint gave %+v, outside the holed square", p)
			}
		}
	})
}

// TestUniformPointInsideAndUniform draws from every shape (and a square
// with a hole, where draws in the hole are rejected) and checks that
// each point is inside the atom and that the share falling in each half of
// the atom's box (left, right, below, above) is the share of the atom's
// area there, within 4 standard errors of a binomial share (n = 40,000
// draws; a false failure needs a 4-sigma draw, and the seed is fixed).
func TestUniformPointInsideAndUniform(t *testing.T) {
	const n = 40000
	shapes := append(triangulationShapes(), struct {
		name  string
		shape orb.MultiPolygon
	}{"square with an off-centre hole", orb.MultiPolygon{{rect(0, 0, 100, 100), orb.Ring{{10, 10}, {10, 60}, {40, 60}, {40, 10}, {10, 10}}}}})
	for _, tc := range shapes {
		t.Run(tc.name, func(t *testing.T) {
			c := handCity(t, tc.shape)
			a := &c.Atoms[0]
			b := a.bound
			mx, my := (b.Min[0]+b.Max[0])/2, (b.Min[1]+b.Max[1])/2
			// Expected shares: the area of the atom clipped to each half,
			// by a fine rejection count on a lattice (10⁶ points).
			var inLeft, inBelow, inside float64
			const m = 1000
			for i := range m {
				for j := range m {
					p := Point{b.Min[0] + (float64(i)+0.5)*(b.Max[0]-b.Min[0])/m, b.Min[1] + (float64(j)+0.5)*(b.Max[1]-b.Min[1])/m}
					if multiPolygonHolds(a.shape, p) {
						inside++
						if p.X < mx {
							inLeft++
						}
						if p.Y < my {
							inBelow++
						}
					}
				}
			}
			r := rand.New(rand.NewPCG(11, 12)) // fixed seed
			var left, below float64
			for range n {
				p := c.UniformPoint(0, r)
				if !multiPolygonHolds(a.shape, p) {
					t.Fatalf("UniformPoint gave %+v, outside the atom", p)
				}
				if p.X < mx {
					left++
				}
				if p.Y < my {
					below++
				}
			}
			for _, s := range []struct {
				name      string
				got, want float64
			}{{"left", left / n, inLeft / inside}, {"below", below / n, inBelow / inside}} {
				se := math.Sqrt(s.want * (1 - s.want) / n)
				closeTo(t, s.name+" share", s.got, s.want, 4*se+1e-3) // + the lattice's own error
			}
		})
	}
}

// TestUniformPointDeterministic: the same seed gives the same points, three
// uniforms each.
func TestUniformPointDeterministic(t *testing.T) {
	c := handCity(t, orb.MultiPolygon{{star(7, 300, 80)}})
	r1, r2 := rand.New(rand.NewPCG(7, 8)), rand.New(rand.NewPCG(7, 8))
	for k := range 1000 {
		if p, q := c.UniformPoint(0, r1), c.UniformPoint(0, r2); p != q {
			t.Fatalf("draw %d: %+v and %+v from the same seed", k, p, q)
		}
	}
	r3, r4 := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	c.UniformPoint(0, r3)
	r4.Float64()
	r4.Float64()
	r4.Float64()
	if r3.Uint64() != r4.Uint64() {
		t.Error("UniformPoint drew other than three uniforms")
	}
}

// TestTriangulateRealAreas triangulates the San Francisco districts and the
// Chicago beats (shared data; skipped without it): every atom is, and the
// triangles of an atom without holes cover its area (up to the slivers
// where a real outline touches itself: 1e-4 of it).
func TestTriangulateRealAreas(t *testing.T) {
	for _, f := range []struct {
		path   string
		fields AreaFields
	}{
		{sfDistrictsPath, AreaFields{Name: "DISTRICT", District: "DISTRICT"}},
		{"chicago/chicago_police_beats_2012.geojson", AreaFields{District: "DISTRICT"}},
	} {
		t.Run(f.path, func(t *testing.T) {
			c, err := FromGeoJSON(readShared(t, f.path), f.fields)
			if err != nil {
				t.Fatal(err)
			}
			more, tri := 0, c.triangulated()
			for i := range c.Atoms {
				a, span := &c.Atoms[i], tri.off[i]
				if span.lo == span.hi {
					t.Errorf("atom %s: not triangulated", a.Name)
					continue
				}
				holes := false
				for _, poly := range a.shape {
					holes = holes || len(poly) > 1
				}
				if span.more {
					more++
				}
				if holes {
					continue
				}
				sum := 0.0
				for _, tr := range tri.tris[span.lo:span.hi] {
					sum += tr.area()
				}
				closeTo(t, a.Name+" area", sum, a.Area, 1e-4*a.Area)
			}
			t.Logf("%d of %d atoms covered by more than themselves (draws there are tested)", more, len(c.Atoms))
		})
	}
}

// TestUniformPointConcurrentFirstUse: runs sharing a city may draw from it
// at once; the triangulation is made once, by whichever asks first.
func TestUniformPointConcurrentFirstUse(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 6, Cols: 6, CellM: 100, Districts: 2})
	done := make(chan Point)
	for g := range 4 {
		go func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			var p Point
			for range 100 {
				p = c.UniformPoint(g, r)
			}
			done <- p
		}()
	}
	for range 4 {
		<-done
	}
	if n := len(c.triangulated().tris); n != 2*36 {
		t.Errorf("%d triangles for 36 square cells, want 72", n)
	}
}

// BenchmarkUniformPoint draws patrol stops in the atoms of a 14 × 9 grid
// of 700 m cells (two triangles each, as the built-in city's jittered
// quadrilaterals), the atom chosen at random: the draw of a community
// team's patrol stop.
func BenchmarkUniformPoint(b *testing.B) {
	c, err := NewGrid(GridSpec{Rows: 9, Cols: 14, CellM: 700, Districts: 3})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var s float64
	for b.Loop() {
		p := c.UniformPoint(int(r.Uint64()%uint64(len(c.Atoms))), r)
		s += p.X
	}
	if s == 0 {
		b.Fatal("no draws")
	}
}

// TestUpperBound checks the branch-free search of UniformPoint against a
// scan, on sorted lists with repeated values (zero-area triangles) and
// targets on, between and beyond them.
func TestUpperBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6)) // fixed seed
	for n := 1; n <= 40; n++ {
		tris := make([]triangle, n)
		c := 0.0
		for k := range tris {
			if r.IntN(3) > 0 { // a third of the steps repeat the value
				c += float64(r.IntN(4))
			}
			tris[k].cum = c
		}
		for x := -1.0; x <= c+1; x += 0.5 {
			want := 0
			for want < n && tris[want].cum <= x {
				want++
			}
			if got := upperBound(tris, x); got != want {
				t.Fatalf("n = %d, cum %v, x = %v: upperBound %d, want %d", n, tris, x, got, want)
			}
		}
	}
}

// TestUniformPointQuadMatchesTriangles checks that an atom drawn from as a
// quad (four corners in one cache line) gets exactly the points, bit for
// bit, that its two triangles give, from the same generator state: on a
// jittered lattice and a grid, where every atom is a quad.
func TestUniformPointQuadMatchesTriangles(t *testing.T) {
	for name, c := range map[string]*City{
		"jittered": jitteredCity(t, 14, 9, 700),
		"grid":     mustGrid(t, GridSpec{Rows: 7, Cols: 9, CellM: 33.3, Districts: 2}),
	} {
		tri := c.triangulated()
		for i := range c.Atoms {
			if !tri.quads[i].isQuad() {
				t.Errorf("%s atom %d: not a quad", name, i)
			}
			r1, r2 := rand.New(rand.NewPCG(uint64(i), 7)), rand.New(rand.NewPCG(uint64(i), 7))
			for range 200 {
				p := c.UniformPoint(i, r1)
				q := tri.quads[i]
				tri.quads[i] = noQuad
				want := c.UniformPoint(i, r2)
				tri.quads[i] = q
				if p != want || c.Locate(p) < 0 {
					t.Fatalf("%s atom %d: quad draw %+v, triangles %+v", name, i, p, want)
				}
			}
		}
	}
}
