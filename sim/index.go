package sim

import (
	"math"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// boxIndex finds the items (units) whose box lies near a point without
// scanning every item: presence, on-view and the dispatch search ask it
// for the units that could be within reach, then apply their exact test to
// those alone, so the index changes the cost of a question, never its
// answer.
//
// It is a hierarchy of loose uniform grids over a region (the city's box):
// level k has square cells of side side₀·4ᵏ and holds the boxes no wider
// and no taller than that, each in the cell of its lower-left corner; a box
// larger than every level goes to a list that every query reads. Boxes
// outside the region go to its edge cells. A box within r of p (in x and
// in y) then has its corner within [p − r − sideₖ, p + r] on each axis:
// two to three cells a level on each axis for a radius r up to side₀/2.
// Items of a cell are a doubly linked list.
//
// Costs: Set and Remove O(1) (O(levels) to choose the level); Near
// O(cells visited + items returned), a few cells for each level that holds
// any box. Near returns a superset of the items asked for, in no
// particular order.
type boxIndex struct {
	x0, y0 float64 // the region's lower-left corner, metres
	w, h   float64 // the region's size, metres
	levels []gridLevel
	head   []int32 // first item of each cell of every level, then of the list of large boxes; -1 if none

	large int // items in the list of large boxes

	item []boxItem // by item
}

// boxItem is one item's place: its box and its cell's list, together so
// that a query or a move touches one cache line.
type boxItem struct {
	box        [4]float64 // x0, y0, x1, y1
	next, prev int32      // in its cell's list, -1 at the ends
	cell       int32      // index into head, or -1 when the item is not held
	level      int8       // its level, len(levels) for the list of large boxes
}

// levelRatio is the ratio of the cell sides of two successive levels.
const levelRatio = 4

type gridLevel struct {
	side, inv float64 // cell side, metres, and its inverse
	nx, ny    int
	off       int // index in head of the level's first cell
	n         int // items held
}

// newBoxIndex returns an empty index of n items over the region from
// (x0, y0) to (x1, y1) with cells of side0 metres at the finest level.
func newBoxIndex(n int, x0, y0, x1, y1, side0 float64) *boxIndex {
	ix := new(boxIndex)
	ix.reset(n, x0, y0, x1, y1, side0)
	return ix
}

// reset empties the index and sets it up as newBoxIndex does, keeping its
// storage where it is large enough.
func (ix *boxIndex) reset(n int, x0, y0, x1, y1, side0 float64) {
	ix.x0, ix.y0, ix.w, ix.h = x0, y0, max(0, x1-x0), max(0, y1-y0)
	if !(side0 > 0) {
		side0 = 1
	}
	ix.levels, ix.large = ix.levels[:0], 0
	off := 0
	for side := side0; ; side *= levelRatio {
		lv := gridLevel{side: side, inv: 1 / side, nx: int(ix.w/side) + 1, ny: int(ix.h/side) + 1, off: off}
		off += lv.nx * lv.ny
		ix.levels = append(ix.levels, lv)
		if side >= ix.w && side >= ix.h {
			break
		}
	}
	ix.head = resize(ix.head, off+1, off+1)
	for k := range ix.head {
		ix.head[k] = -1
	}
	ix.item = resize(ix.item, n, n)
	for i := range ix.item {
		ix.item[i].cell = -1
	}
}

// cellIndex returns the cell of a coordinate at a level: floor((v − v0)·inv)
// clamped to [0, n−1], monotone in v.
func cellIndex(v, v0, inv float64, n int) int {
	f := (v - v0) * inv
	if !(f >= 0) {
		return 0
	}
	if f >= float64(n-1) {
		return n - 1
	}
	return int(f)
}

// Set places item i with box (x0, y0, x1, y1) (x0 <= x1, y0 <= y1), moving
// it if it is held already.
func (ix *boxIndex) Set(i int, x0, y0, x1, y1 float64) {
	it := &ix.item[i]
	it.box = [4]float64{x0, y0, x1, y1}
	e := x1 - x0 // the larger side (not max: its NaN and ±0 care costs here)
	if h := y1 - y0; h > e {
		e = h
	}
	k, c := len(ix.levels), len(ix.head)-1 // the list of large boxes
	for j := range ix.levels {
		lv := &ix.levels[j]
		if e <= lv.side {
			k, c = j, lv.off+cellIndex(y0, ix.y0, lv.inv, lv.ny)*lv.nx+cellIndex(x0, ix.x0, lv.inv, lv.nx)
			break
		}
	}
	if int(it.cell) == c {
		return
	}
	ix.Remove(i)
	it.cell, it.level = int32(c), int8(k)
	ix.count(k, 1)
	h := ix.head[c]
	it.next, it.prev = h, -1
	if h >= 0 {
		ix.item[h].prev = int32(i)
	}
	ix.head[c] = int32(i)
}

// SetPoint places item i at the point p.
func (ix *boxIndex) SetPoint(i int, p geo.Point) { ix.Set(i, p.X, p.Y, p.X, p.Y) }

// Remove takes item i out of the index (nothing if it is not held).
func (ix *boxIndex) Remove(i int) {
	it := &ix.item[i]
	c := it.cell
	if c < 0 {
		return
	}
	ix.count(int(it.level), -1)
	n, p := it.next, it.prev
	if p >= 0 {
		ix.item[p].next = n
	} else {
		ix.head[c] = n
	}
	if n >= 0 {
		ix.item[n].prev = p
	}
	it.cell = -1
}

// count adds d to the items held at level k.
func (ix *boxIndex) count(k, d int) {
	if k < len(ix.levels) {
		ix.levels[k].n += d
	} else {
		ix.large += d
	}
}

// Box returns the box of item i.
func (ix *boxIndex) Box(i int) *[4]float64 { return &ix.item[i].box }

// Held reports whether item i is in the index.
func (ix *boxIndex) Held(i int) bool { return ix.item[i].cell >= 0 }

// Near appends to dst every item whose box may lie within r of p on both
// axes (p.X ∈ [x0 − r, x1 + r] and p.Y ∈ [y0 − r, y1 + r]), and possibly
// others, each once, and returns it.
func (ix *boxIndex) Near(dst []int32, p geo.Point, r float64) []int32 {
	for k := range ix.levels {
		if lv := &ix.levels[k]; lv.n > 0 {
			dst = ix.appendCells(dst, lv, ix.window(lv, p, r), window{0, -1, 0, -1})
		}
	}
	return ix.appendLarge(dst)
}

// A scan is a query whose radius grows (the dispatch search): NearMore
// returns only the items of the cells that earlier calls did not visit,
// so that each item is returned once however often the radius grows. Its
// zero value is a new scan.
type scan struct {
	win     []window // by level: the cells visited so far
	started bool
}

// window is the cells of one level a query visits: columns x0 … x1 and rows
// y0 … y1 (none when x1 < x0).
type window struct{ x0, x1, y0, y1 int }

// NearMore appends to dst the items of the cells that Near(p, r) visits and
// the scan's earlier calls (with the same p and smaller radii) did not. So
// after it, the scan has returned every item Near(p, r) returns, each once.
func (ix *boxIndex) NearMore(dst []int32, s *scan, p geo.Point, r float64) []int32 {
	if !s.started {
		s.started = true
		s.win = s.win[:0]
		for range ix.levels {
			s.win = append(s.win, window{0, -1, 0, -1})
		}
		dst = ix.appendLarge(dst)
	}
	for k := range ix.levels {
		if lv := &ix.levels[k]; lv.n > 0 {
			w := ix.window(lv, p, r)
			dst = ix.appendCells(dst, lv, w, s.win[k])
			s.win[k] = w
		}
	}
	return dst
}

// window returns the cells of level lv that hold the corner of every box
// within r of p: corners within [p − r − side, p + r] on each axis, widened
// by a margin far above rounding error so that every box the exact test
// (in floating point) could keep is among them.
func (ix *boxIndex) window(lv *gridLevel, p geo.Point, r float64) window {
	pad := 1e-6 * (1 + math.Abs(p.X) + math.Abs(p.Y) + r + lv.side)
	return window{
		cellIndex(p.X-r-lv.side-pad, ix.x0, lv.inv, lv.nx), cellIndex(p.X+r+pad, ix.x0, lv.inv, lv.nx),
		cellIndex(p.Y-r-lv.side-pad, ix.y0, lv.inv, lv.ny), cellIndex(p.Y+r+pad, ix.y0, lv.inv, lv.ny),
	}
}

// appendCells appends the items of the cells of w (at level lv) that are
// not in old, which w contains.
func (ix *boxIndex) appendCells(dst []int32, lv *gridLevel, w, old window) []int32 {
	for cy := w.y0; cy <= w.y1; cy++ {
		row := ix.head[lv.off+cy*lv.nx : lv.off+cy*lv.nx+lv.nx]
		if cy < old.y0 || cy > old.y1 || old.x1 < old.x0 {
			dst = ix.appendRow(dst, row, w.x0, w.x1)
			continue
		}
		dst = ix.appendRow(dst, row, w.x0, old.x0-1)
		dst = ix.appendRow(dst, row, old.x1+1, w.x1)
	}
	return dst
}

// appendRow appends the items of the cells x0 … x1 of row.
func (ix *boxIndex) appendRow(dst []int32, row []int32, x0, x1 int) []int32 {
	for cx := x0; cx <= x1; cx++ {
		for j := row[cx]; j >= 0; j = ix.item[j].next {
			dst = append(dst, j)
		}
	}
	return dst
}

// appendLarge appends the items too large for every level.
func (ix *boxIndex) appendLarge(dst []int32) []int32 {
	for j := ix.head[len(ix.head)-1]; j >= 0; j = ix.item[j].next {
		dst = append(dst, j)
	}
	return dst
}

// Covers reports whether Near(p, r) visits every cell, so that it returns
// every item held.
func (ix *boxIndex) Covers(p geo.Point, r float64) bool {
	return r >= p.X-ix.x0 && r >= ix.x0+ix.w-p.X && r >= p.Y-ix.y0 && r >= ix.y0+ix.h-p.Y
}
