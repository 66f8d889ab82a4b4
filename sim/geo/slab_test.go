package geo

import (
	"math/rand/v2"
	"testing"
)

// TestSlabIndexSameAnswer checks that the slab index answers exactly as the
// plain test (multiPolygonHolds) on real police areas with thousands of
// vertices: random points over each atom's box, every vertex, edge
// midpoints and points a hair beside them (borderTol is 1e-6 m).
func TestSlabIndexSameAnswer(t *testing.T) {
	sf, err := FromGeoJSON(readShared(t, sfDistrictsPath), AreaFields{Name: "DISTRICT", District: "DISTRICT"})
	if err != nil {
		t.Fatal(err)
	}
	chi, err := FromGeoJSON(readChicagoBeats(t), chicagoFields)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []*City{sf, chi} {
		indexed := 0
		for i := range c.Atoms {
			a := &c.Atoms[i]
			if a.slabs == nil {
				continue
			}
			indexed++
			check := func(p Point) {
				if got, want := a.holds(p), multiPolygonHolds(a.shape, p); got != want {
					t.Fatalf("atom %s, point (%.9f, %.9f): slab index says %v, plain test %v", a.Name, p.X, p.Y, got, want)
				}
			}
			b := a.bound.Pad(10)
			for range 2000 {
				check(Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])})
			}
			for _, poly := range a.shape {
				for _, ring := range poly {
					for k, v := range ring {
						check(Point{v[0], v[1]})
						for _, d := range []float64{-2e-6, -5e-7, 5e-7, 2e-6} {
							check(Point{v[0] + d, v[1]})
							check(Point{v[0], v[1] + d})
						}
						if k > 0 {
							m := Point{(v[0] + ring[k-1][0]) / 2, (v[1] + ring[k-1][1]) / 2}
							check(m)
							check(Point{m.X + 5e-7, m.Y - 5e-7})
						}
					}
				}
			}
		}
		if indexed == 0 {
			t.Fatal("no atom got a slab index: the test tests nothing")
		}
	}
}

// BenchmarkRandomPointSF draws points in San Francisco's police districts
// (thousands of vertices each): the cost of placing incidents and patrol
// stops in real areas.
func BenchmarkRandomPointSF(b *testing.B) {
	c, err := FromGeoJSON(readShared(b, sfDistrictsPath), AreaFields{Name: "DISTRICT", District: "DISTRICT"})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	i := 0
	for b.Loop() {
		c.RandomPoint(i%len(c.Atoms), r)
		i++
	}
}
