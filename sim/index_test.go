package sim

import (
	"math"
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

// TestBoxIndexKeep moves items as patrolling units move: each new box is
// a leg from where the last one ended (or a point there, as run.at keeps
// a unit at its stop) to a point nearby, so that most boxes stay in their
// keep region and Set leaves them in their cell; some walk across cell
// sides and the region's edges. After every move, Near must still return
// every box within the radius (against a scan of all), for radii from
// zero up, and queries at and just beside the cells' sides and the keep
// regions' sides.
func TestBoxIndexKeep(t *testing.T) {
	const n = 60
	ix := newBoxIndex(n, -1000, 500, 9000, 6500, 250)
	r := rand.New(rand.NewPCG(3, 4))
	at := make([]geo.Point, n)
	for i := range at {
		at[i] = geo.Point{X: -1500 + r.Float64()*11000, Y: 0 + r.Float64()*7000}
		ix.SetPoint(i, at[i])
	}
	kept := 0
	for step := range 40000 {
		i := r.IntN(n)
		before := ix.link[i]
		if r.IntN(3) == 0 {
			ix.SetPoint(i, at[i])
		} else {
			reach := []float64{30, 200, 1000, 5000}[r.IntN(4)]
			to := geo.Point{X: at[i].X + (r.Float64()*2-1)*reach, Y: at[i].Y + (r.Float64()*2-1)*reach}
			ix.Set(i, min(at[i].X, to.X), min(at[i].Y, to.Y), max(at[i].X, to.X), max(at[i].Y, to.Y))
			at[i] = to
		}
		if ix.link[i] == before {
			kept++
		}
		if k := int(ix.level[i]); k < len(ix.levels) { // Set's keep region is keepRegion's
			lv := &ix.levels[k]
			b := ix.Box(i)
			cx, cy := cellIndex(b[0], ix.x0, lv.inv, lv.topX, lv.nx), cellIndex(b[1], ix.y0, lv.inv, lv.topY, lv.ny)
			if want := ix.keepRegion(lv, cx, cy); ix.item[i].keep != want && ix.link[i] != before {
				t.Fatalf("step %d: item %d (level %d, cell %d, %d) has keep region %v, want %v", step, i, k, cx, cy, ix.item[i].keep, want)
			}
		}
		rad := []float64{0, 1e-6, r.Float64() * 60, r.Float64() * 600}[r.IntN(4)]
		// A query near a side of a cell of the item's level, or of its
		// keep region, or anywhere; or a box that just fits its keep
		// region (its sides a hair inside), asked for from just rad
		// beyond one of its corners.
		var p geo.Point
		b := ix.Box(i)
		switch r.IntN(4) {
		case 3:
			k, fit := ix.item[i].keep, *b
			hair := []float64{0, 1e-9, 1e-3}[r.IntN(3)]
			for j := range 4 {
				if !math.IsInf(k[j], 0) && r.IntN(2) == 0 {
					fit[j] = k[j] + hair*float64(1-j/2*2)
				}
			}
			if fit[0] <= fit[2] && fit[1] <= fit[3] {
				ix.Set(i, fit[0], fit[1], fit[2], fit[3])
				b = ix.Box(i)
			}
			p = geo.Point{X: b[2] + rad, Y: b[3] + rad}
			if r.IntN(2) == 0 {
				p = geo.Point{X: b[0] - rad, Y: b[1] - rad}
			}
		case 0:
			side := ix.levels[min(int(ix.level[i]), len(ix.levels)-1)].side
			p = geo.Point{X: -1000 + math.Round((b[0]+1000)/side)*side, Y: 500 + math.Round((b[1]-500)/side)*side}
		case 1:
			k := ix.item[i].keep
			p = geo.Point{X: k[r.IntN(2)*2], Y: k[1+r.IntN(2)*2]}
			if math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
				p = geo.Point{X: b[0], Y: b[1]}
			}
		default:
			p = geo.Point{X: -3000 + r.Float64()*15000, Y: -3000 + r.Float64()*15000}
		}
		if p.X != b[2]+rad && p.X != b[0]-rad {
			p.X += (r.Float64()*2 - 1) * []float64{0, 1e-9, 1e-3, 1, 100}[r.IntN(5)]
			p.Y += (r.Float64()*2 - 1) * []float64{0, 1e-9, 1e-3, 1, 100}[r.IntN(5)]
		}
		got := ix.Near(nil, p, rad)
		for k := range n {
			if !farFromBox(ix.Box(k), p, rad) && !slices.Contains(got, int32(k)) {
				t.Fatalf("step %d: box %v of %d (level %d, keep %v) is within %g of %v but Near missed it",
					step, *ix.Box(k), k, ix.level[k], ix.item[k].keep, rad, p)
			}
		}
	}
	// Most moves of a patrol stay in their cell (else the test does not
	// test keeping).
	if kept < 40000/3 {
		t.Errorf("%d of 40000 moves kept their cell, want at least a third", kept)
	}
	t.Logf("%d of 40000 moves kept their cell", kept)
}

// TestBoxIndexKeepExtremes: items walk as patrols do but their
// boxes now and then reach to ±Inf, become points or NaN, leave the region
// far out, or are removed; queries come from anywhere (infinite points
// too) with radii from 0 to +Inf. Near must return every box farFromBox
// keeps, and NearMore the same items as Near.
func TestBoxIndexKeepExtremes(t *testing.T) {
	const n = 40
	inf := math.Inf(1)
	for _, reg := range [][5]float64{{-1000, 500, 9000, 6500, 250}, {0, 0, 100, 100, 250}, {5e5, 4e6, 5.2e5, 4.03e6, 100}} {
		ix := newBoxIndex(n, reg[0], reg[1], reg[2], reg[3], reg[4])
		r := rand.New(rand.NewPCG(21, 22))
		w, h := reg[2]-reg[0], reg[3]-reg[1]
		at := make([]geo.Point, n)
		coord := func() geo.Point {
			return geo.Point{X: reg[0] - w + r.Float64()*3*w, Y: reg[1] - h + r.Float64()*3*h}
		}
		for i := range at {
			at[i] = coord()
			ix.SetPoint(i, at[i])
		}
		for step := range 6000 {
			i := r.IntN(n)
			switch r.IntN(10) {
			case 0:
				ix.Remove(i)
			case 1:
				ix.SetPoint(i, at[i])
			case 2: // reach out to infinity on one or two sides
				b := [4]float64{at[i].X, at[i].Y, at[i].X, at[i].Y}
				for j := range 4 {
					if r.IntN(3) == 0 {
						b[j] = []float64{-inf, -inf, inf, inf}[j]
					}
				}
				ix.Set(i, b[0], b[1], b[2], b[3])
			case 3:
				if r.IntN(4) == 0 {
					ix.Set(i, math.NaN(), at[i].Y, at[i].X, at[i].Y)
				} else {
					at[i] = coord()
					ix.SetPoint(i, at[i])
				}
			default:
				reach := []float64{1, 30, 200, 1000, 5000, 1e6}[r.IntN(6)]
				to := geo.Point{X: at[i].X + (r.Float64()*2-1)*reach, Y: at[i].Y + (r.Float64()*2-1)*reach}
				ix.Set(i, min(at[i].X, to.X), min(at[i].Y, to.Y), max(at[i].X, to.X), max(at[i].Y, to.Y))
				at[i] = to
			}
			p := coord()
			if r.IntN(20) == 0 {
				p.X = []float64{-inf, inf}[r.IntN(2)]
			}
			if r.IntN(20) == 0 {
				p.Y = []float64{-inf, inf}[r.IntN(2)]
			}
			rad := []float64{0, 1e-9, r.Float64() * 60, r.Float64() * 600, r.Float64() * 1e5, inf}[r.IntN(6)]
			if math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
				rad = min(rad, 1e5) // (an infinite point and radius make NaN windows, before and after keep regions)
			}
			got := ix.Near(nil, p, rad)
			var sc scan
			var grown []int32
			for _, f := range []float64{1.0 / 8, 1.0 / 2, 1} {
				grown = ix.NearMore(grown, &sc, p, rad*f)
			}
			slices.Sort(got)
			slices.Sort(grown)
			if !slices.Equal(got, grown) {
				t.Fatalf("region %v step %d: NearMore %v, Near %v", reg, step, grown, got)
			}
			for k := range n {
				if ix.Held(k) && !farFromBox(ix.Box(k), p, rad) && !slices.Contains(got, int32(k)) {
					t.Fatalf("region %v step %d: box %v of %d (level %d, keep %v) is within %g of %v but Near missed it",
						reg, step, *ix.Box(k), k, ix.level[k], ix.item[k].keep, rad, p)
				}
			}
		}
	}
}

// TestBoxIndexOrder: Near and NearMore return their items in the order of
// a walk of every cell they visit (levels up, rows up, cells left to
// right, each cell's list from its sentinel, to the end), however they
// read the cells (appendCells stops a cell's walk at the sentinel's
// prev): the answers depend on the order nowhere, but the same run must
// read the same items in the same order. Long rows, items moved, removed
// and placed back, windows at the region's edges.
func TestBoxIndexOrder(t *testing.T) {
	const n = 300
	for _, reg := range [][5]float64{{0, 0, 100000, 3000, 100}, {-500, -500, 500, 500, 7}, {0, 0, 1000, 1000, 400}} {
		ix := newBoxIndex(n, reg[0], reg[1], reg[2], reg[3], reg[4])
		r := rand.New(rand.NewPCG(31, 32))
		w, h := reg[2]-reg[0], reg[3]-reg[1]
		coord := func() geo.Point {
			return geo.Point{X: reg[0] - w/10 + r.Float64()*1.2*w, Y: reg[1] - h/10 + r.Float64()*1.2*h}
		}
		// walk is the reference: every cell of w not in old, from its sentinel.
		walk := func(dst []int32, lv *gridLevel, w, old window) []int32 {
			for cy := w.y0; cy <= w.y1; cy++ {
				for cx := w.x0; cx <= w.x1; cx++ {
					if cy >= old.y0 && cy <= old.y1 && cx >= old.x0 && cx <= old.x1 {
						continue
					}
					s := ix.sent + int32(lv.off+cy*lv.nx+cx)
					for j := ix.link[s].next; j != s; j = ix.link[j].next {
						dst = append(dst, j)
					}
				}
			}
			return dst
		}
		for step := range 20000 {
			i := r.IntN(n)
			switch r.IntN(8) {
			case 0:
				ix.Remove(i)
			case 1, 2:
				ix.SetPoint(i, coord())
			default:
				a, b := coord(), coord()
				f := []float64{0.001, 0.01, 0.1, 1}[r.IntN(4)]
				b = geo.Point{X: a.X + (b.X-a.X)*f, Y: a.Y + (b.Y-a.Y)*f}
				ix.Set(i, min(a.X, b.X), min(a.Y, b.Y), max(a.X, b.X), max(a.Y, b.Y))
			}
			if step%4 != 0 {
				continue
			}
			p := coord()
			rad := []float64{0, 10, 100, 1000, 10000}[r.IntN(5)] * r.Float64()
			var want []int32
			for k := range ix.levels {
				if ix.held[k] > 0 {
					lv := &ix.levels[k]
					want = walk(want, lv, ix.window(lv, p, rad), window{0, -1, 0, -1})
				}
			}
			want = ix.appendLarge(want)
			if got := ix.Near(nil, p, rad); !slices.Equal(got, want) {
				t.Fatalf("region %v step %d: Near %v, want %v", reg, step, got, want)
			}
			var sc scan
			var grown []int32
			want = want[:0]
			old := make([]window, len(ix.levels))
			for k := range old {
				old[k] = window{0, -1, 0, -1}
			}
			want = ix.appendLarge(want)
			for _, f := range []float64{1.0 / 8, 1.0 / 2, 1, 3} {
				grown = ix.NearMore(grown, &sc, p, rad*f)
				for k := range ix.levels {
					if ix.held[k] > 0 {
						lv := &ix.levels[k]
						nw := ix.window(lv, p, rad*f)
						want = walk(want, lv, nw, old[k])
						old[k] = nw
					}
				}
				if !slices.Equal(grown, want) {
					t.Fatalf("region %v step %d: NearMore %v, want %v", reg, step, grown, want)
				}
			}
		}
	}
}
