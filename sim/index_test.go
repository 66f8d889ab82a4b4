package sim

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// TestBoxIndexNear moves boxes of every size (points, legs across a few
// cells, boxes larger than the region, boxes partly or wholly outside it)
// in and out of an index at random and checks that Near returns every box
// within the radius on both axes (the superset the exact tests need), each
// once, that a radius that Covers the point returns every box held, and
// that NearMore, growing the radius in steps, returns what Near does.
func TestBoxIndexNear(t *testing.T) {
	const n = 300
	ix := newBoxIndex(n, -1000, 500, 9000, 6500, 250)
	r := rand.New(rand.NewPCG(1, 2))
	held := make([]bool, n)
	coord := func() float64 { return -3000 + r.Float64()*15000 }
	for step := range 20000 {
		i := r.IntN(n)
		switch r.IntN(4) {
		case 0:
			ix.Remove(i)
			held[i] = false
		case 1:
			p := geo.Point{X: coord(), Y: coord()}
			ix.SetPoint(i, p)
			held[i] = true
		default:
			x, y := coord(), coord()
			w, h := r.ExpFloat64()*[]float64{50, 500, 5000}[r.IntN(3)], r.ExpFloat64()*800
			ix.Set(i, x, y, x+w, y+h)
			held[i] = true
		}
		for k := range n {
			if ix.Held(k) != held[k] {
				t.Fatalf("step %d: Held(%d) = %v, want %v", step, k, ix.Held(k), held[k])
			}
		}
		p, rad := geo.Point{X: coord(), Y: coord()}, r.ExpFloat64()*[]float64{50, 300, 3000}[r.IntN(3)]
		got := ix.Near(nil, p, rad)
		slices.Sort(got)
		if len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("step %d: Near returned an item twice: %v", step, got)
		}
		// The same query grown from a smaller radius in steps returns the
		// same items, each once.
		var sc scan
		var grown []int32
		for _, f := range []float64{1.0 / 8, 1.0 / 3, 1.0 / 2, 1} {
			grown = ix.NearMore(grown, &sc, p, rad*f)
		}
		slices.Sort(grown)
		if !slices.Equal(grown, got) {
			t.Fatalf("step %d: NearMore grown to %g gave %v, Near %v", step, rad, grown, got)
		}
		for k := range n {
			found := slices.Contains(got, int32(k))
			if found && !held[k] {
				t.Fatalf("step %d: Near returned %d, which is not held", step, k)
			}
			if held[k] && !farFromBox(ix.Box(k), p, rad) && !found {
				t.Fatalf("step %d: box %v of %d is within %g of %v but Near missed it", step, *ix.Box(k), k, rad, p)
			}
			if held[k] && ix.Covers(p, rad) && !found {
				t.Fatalf("step %d: Covers(%v, %g) but Near missed %d", step, p, rad, k)
			}
		}
	}
}
