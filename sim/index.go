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
// Items of a cell are a circular doubly linked list through a sentinel
// item of the cell's own (after the n items), so that linking and
// unlinking take no branch: a unit moves at every patrol stop, and which
// cell it leaves and enters is a coin toss for the branch predictor.
//
// An item stays in its cell while its box stays in the cell's keep
// region (keepRegion) and is too large for the level below: a unit that
// patrols near one place moves its box, not its links (Set).
//
// Costs: Set and Remove O(1) (O(levels) to choose the level); Near
// O(cells visited + items returned), a few cells for each level that holds
// any box. Near returns a superset of the items asked for, in no
// particular order.
type boxIndex struct {
	x0, y0 float64 // the region's lower-left corner, metres
	w, h   float64 // the region's size, metres
	levels []gridLevel
	// sideBits is, by level, the bits of its cells' side (Set chooses a
	// box's level by them, from one cache line: sides grow with the
	// level, as their bits do).
	sideBits []uint64
	cells    int   // cells of every level; cell cells is the list of large boxes
	sent     int32 // the sentinel of cell c is item sent + c

	// held counts the items held by level: then the list of large boxes,
	// then (the last) the items not held.
	held []int

	// item is, by item, what Set reads and writes on its common path,
	// one cache line (boxItem); level, by item, its level; link, by item
	// then the cells' sentinels, the cells' circular lists.
	item  []boxItem
	level []int8
	link  []boxLink

	// below is, by level, the side of the level below (0 for the first;
	// for the list of large boxes and the items not held, any: their keep
	// region holds no box): an item stays only while its box is too large
	// for the level below, so that queries meet it at the level its box
	// needs.
	below  []float64
	margin float64 // the keep regions' margin (keepRegion)
}

// boxItem is an item's box (x0, y0, x1, y1) and its keep region: the
// region its box may move in without leaving its cell (keepRegion; Set),
// noKeep when it is not held or in the list of large boxes. 64 bytes, one
// cache line (Go allocates an array of them at a multiple of 64 bytes:
// TestBoxItemLine), so that an update that keeps its cell, most of a
// patrol's, reads and writes one line.
type boxItem struct {
	box, keep [4]float64
}

// boxLink is an item's (or a sentinel's) place in its cell's circular
// list (itself alone when not held): 8 bytes, so that the lists of a
// large index stay in few cache lines for the moves that relink them and
// the queries that walk them (a row's sentinels are next to each other).
type boxLink struct {
	next, prev int32
}

// levelRatio is the ratio of the cell sides of two successive levels.
const levelRatio = 4

type gridLevel struct {
	side, inv  float64 // cell side, metres, and its inverse
	topX, topY float64 // nx − 1 and ny − 1 (cellIndex)
	nx, ny     int
	off        int // the level's first cell
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
	ix.levels = ix.levels[:0]
	off := 0
	for side := side0; ; side *= levelRatio {
		lv := gridLevel{side: side, inv: 1 / side, nx: int(ix.w/side) + 1, ny: int(ix.h/side) + 1, off: off}
		lv.topX, lv.topY = float64(lv.nx-1), float64(lv.ny-1)
		off += lv.nx * lv.ny
		ix.levels = append(ix.levels, lv)
		if side >= ix.w && side >= ix.h {
			break
		}
	}
	ix.cells, ix.sent = off, int32(n)
	ix.sideBits = ix.sideBits[:0]
	for _, lv := range ix.levels {
		ix.sideBits = append(ix.sideBits, math.Float64bits(lv.side))
	}
	ix.held = resize(ix.held, len(ix.levels)+2, len(ix.levels)+2)
	clear(ix.held)
	ix.held[len(ix.levels)+1] = n
	ix.item = resize(ix.item, n, n)
	ix.level = resize(ix.level, n, n)
	for i := range ix.item {
		ix.item[i].keep = noKeep
		ix.level[i] = int8(len(ix.levels) + 1)
	}
	ix.below = resize(ix.below, len(ix.levels)+2, len(ix.levels)+2)
	for k := range ix.below {
		ix.below[k] = 0
		if k > 0 {
			ix.below[k] = ix.levels[min(k, len(ix.levels))-1].side
		}
	}
	ix.margin = 1e-9 * (1 + math.Abs(ix.x0) + math.Abs(ix.y0) + ix.w + ix.h)
	ix.link = resize(ix.link, n+off+1, n+off+1)
	for i := range ix.link {
		ix.link[i] = boxLink{next: int32(i), prev: int32(i)}
	}
}

// cellIndex returns the cell of a coordinate at a level: floor((v − v0)·inv)
// clamped to [0, n−1] (0 for NaN), monotone in v; top is n − 1 as a
// float. The clamps are masks, not branches.
func cellIndex(v, v0, inv, top float64, n int) int {
	f := (v - v0) * inv
	i := int(f) & -b2i(f >= 0)
	m := -b2i(f >= top)
	return i&^m | (n-1)&m
}

// b2i is 1 for true, 0 for false (a flag set, not a branch).
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// Set places item i with box (x0, y0, x1, y1) (x0 <= x1, y0 <= y1), moving
// it if it is held already.
//
// An item whose new box lies in its keep region (see boxItem) and is too
// large for the level below its own stays in its cell: only its box is
// written. A unit patrolling near one place keeps its cell for most of its
// stops. (A point, as SetPoint places a unit found at the stop it was
// heading to, is never too large for the level below, so it is always
// placed anew: below[0] is 0.)
// Otherwise Set takes the item out of its cell's list and puts it first in
// its new cell's, without a branch on either, and sets its keep region.
func (ix *boxIndex) Set(i int, x0, y0, x1, y1 float64) {
	it := &ix.item[i]
	it.box = [4]float64{x0, y0, x1, y1}
	if k := &it.keep; k[0] <= x0 && k[1] <= y0 && x1 <= k[2] && y1 <= k[3] {
		if b := ix.below[ix.level[i]]; x1-x0 > b || y1-y0 > b {
			return
		}
	}
	// The larger side, e, as the larger bit pattern: the sides are not
	// negative, and their patterns order as they do (a NaN side is above
	// every number, as is +Inf, so the box goes to the list of large
	// boxes).
	e := max(math.Float64bits(x1-x0), math.Float64bits(y1-y0))
	// Its level: the first whose cells are as large (sides grow with the
	// level), counted without a branch on the box.
	k := 0
	for _, sb := range ix.sideBits {
		k += b2i(e > sb)
	}
	c := ix.cells // the list of large boxes
	it.keep = noKeep
	if k < len(ix.levels) {
		lv := &ix.levels[k]
		cx, cy := cellIndex(x0, ix.x0, lv.inv, lv.topX, lv.nx), cellIndex(y0, ix.y0, lv.inv, lv.topY, lv.ny)
		c = lv.off + cy*lv.nx + cx
		// it.keep = ix.keepRegion(lv, cx, cy), written out:
		it.keep = [4]float64{
			ix.x0 + float64(cx)*lv.side + ix.margin, ix.y0 + float64(cy)*lv.side + ix.margin,
			ix.x0 + float64(cx+2)*lv.side - ix.margin, ix.y0 + float64(cy+2)*lv.side - ix.margin,
		}
		if cx == 0 {
			it.keep[0] = math.Inf(-1)
		}
		if cy == 0 {
			it.keep[1] = math.Inf(-1)
		}
		if cx == lv.nx-1 {
			it.keep[2] = math.Inf(1)
		}
		if cy == lv.ny-1 {
			it.keep[3] = math.Inf(1)
		}
	}
	lk := &ix.link[i]
	n, p := lk.next, lk.prev // itself when not held
	ix.link[p].next, ix.link[n].prev = n, p
	ix.held[ix.level[i]]--
	s := ix.sent + int32(c)
	h := ix.link[s].next
	lk.next, lk.prev = h, s
	ix.link[h].prev, ix.link[s].next = int32(i), int32(i)
	ix.level[i] = int8(k)
	ix.held[k]++
}

// noKeep is the keep region of an item not held or in the list of large
// boxes: it holds no box, so that Set places the item anew.
var noKeep = [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}

// keepRegion returns the keep region of cell (cx, cy) of level lv: a box
// (x0, y0, x1, y1) such that every query that should find a box inside it
// visits the cell, so that an item whose box lies inside may stay there.
// A query for the boxes within r of p visits the cells of the corners in
// [p − r − side, p + r] (window); a box B within r of p has its corner at
// most p + r and its far side at least p − r, so the query visits column
// cx if B.x0 is not left of the column (cellIndex(p + r) ≥ cx: cellIndex
// is monotone) and B.x1 − side is left of its right side (cellIndex(p − r
// − side) ≤ cx); the same for rows. The region is the cell's x and y
// ranges, each extended by one side to the right (top), shrunk by a margin
// far above the rounding of cellIndex (relative 1e-16 of the coordinates
// and of the cell count: the sides are then surely in the cell) and far
// below the window's pad (relative 1e-6: rounding of the query and of the
// box's tests cannot undo it); the edge columns and rows, which hold the
// corners beyond the region, are unbounded on their outer side.
//
// It is worked out, not read from a table of the columns' and rows'
// sides: in a large index the table's lines are out of the first-level
// cache at most of the moves that need them. (Set has it written out: the
// compiler would call this. TestBoxIndexKeep checks that they agree.)
func (ix *boxIndex) keepRegion(lv *gridLevel, cx, cy int) [4]float64 {
	k := [4]float64{
		ix.x0 + float64(cx)*lv.side + ix.margin, ix.y0 + float64(cy)*lv.side + ix.margin,
		ix.x0 + float64(cx+2)*lv.side - ix.margin, ix.y0 + float64(cy+2)*lv.side - ix.margin,
	}
	if cx == 0 {
		k[0] = math.Inf(-1)
	}
	if cy == 0 {
		k[1] = math.Inf(-1)
	}
	if cx == lv.nx-1 {
		k[2] = math.Inf(1)
	}
	if cy == lv.ny-1 {
		k[3] = math.Inf(1)
	}
	return k
}

// SetPoint places item i at the point p.
func (ix *boxIndex) SetPoint(i int, p geo.Point) { ix.Set(i, p.X, p.Y, p.X, p.Y) }

// Remove takes item i out of the index (nothing if it is not held).
func (ix *boxIndex) Remove(i int) {
	lk := &ix.link[i]
	n, p := lk.next, lk.prev // itself when not held
	ix.link[p].next, ix.link[n].prev = n, p
	ix.held[ix.level[i]]--
	lk.next, lk.prev = int32(i), int32(i)
	ix.level[i] = int8(len(ix.levels) + 1)
	ix.held[ix.level[i]]++
	ix.item[i].keep = noKeep
}

// Box returns the box of item i.
func (ix *boxIndex) Box(i int) *[4]float64 { return &ix.item[i].box }

// Held reports whether item i is in the index.
func (ix *boxIndex) Held(i int) bool { return int(ix.level[i]) <= len(ix.levels) }

// Near appends to dst every item whose box may lie within r of p on both
// axes (p.X ∈ [x0 − r, x1 + r] and p.Y ∈ [y0 − r, y1 + r]), and possibly
// others, each once, and returns it.
func (ix *boxIndex) Near(dst []int32, p geo.Point, r float64) []int32 {
	for k := range ix.levels {
		if ix.held[k] > 0 {
			lv := &ix.levels[k]
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
		if ix.held[k] > 0 {
			lv := &ix.levels[k]
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
		cellIndex(p.X-r-lv.side-pad, ix.x0, lv.inv, lv.topX, lv.nx), cellIndex(p.X+r+pad, ix.x0, lv.inv, lv.topX, lv.nx),
		cellIndex(p.Y-r-lv.side-pad, ix.y0, lv.inv, lv.topY, lv.ny), cellIndex(p.Y+r+pad, ix.y0, lv.inv, lv.topY, lv.ny),
	}
}

// appendCells appends the items of the cells of w (at level lv) that are
// not in old, which w contains: row by row, each row's cells left to
// right, skipping in the rows of old its columns.
func (ix *boxIndex) appendCells(dst []int32, lv *gridLevel, w, old window) []int32 {
	for cy := w.y0; cy <= w.y1; cy++ {
		row := ix.sent + int32(lv.off+cy*lv.nx) // the sentinel of the row's first cell
		skip0, skip1 := w.x1+1, w.x1            // none
		if cy >= old.y0 && cy <= old.y1 && old.x0 <= old.x1 {
			skip0, skip1 = old.x0, old.x1
		}
		for cx := w.x0; cx <= w.x1; cx++ {
			if cx == skip0 {
				cx = skip1
				continue
			}
			// appendCell, written out: the compiler would call it.
			s := row + int32(cx)
			l := ix.link[s]
			j, last := l.next, l.prev
			dst = append(dst, j)
			dst = dst[:len(dst)-1+b2i(j != s)]
			if j != last { // two items or more
				for j = ix.link[j].next; j != last; j = ix.link[j].next {
					dst = append(dst, j)
				}
				dst = append(dst, last)
			}
		}
	}
	return dst
}

// appendCell appends the items of the cell whose sentinel is s.
//
// Most cells hold no item or one, as often one as the other: the first
// (the sentinel's next) is appended and kept only if it is an item (the
// sentinel of an empty cell is its own next), and the sentinel's prev,
// read with it, is that item again only if it is the one (or the cell is
// empty), so that neither reads an item's link (a cache line of its own
// in a large index) and only a cell of two items or more takes the
// branch the other way. Its items come in the list's order, as a walk
// from the sentinel gives them.
func (ix *boxIndex) appendCell(dst []int32, s int32) []int32 {
	l := ix.link[s]
	j, last := l.next, l.prev
	dst = append(dst, j)
	dst = dst[:len(dst)-1+b2i(j != s)]
	if j != last { // two items or more
		for j = ix.link[j].next; j != last; j = ix.link[j].next {
			dst = append(dst, j)
		}
		dst = append(dst, last)
	}
	return dst
}

// appendLarge appends the items too large for every level.
func (ix *boxIndex) appendLarge(dst []int32) []int32 {
	return ix.appendCell(dst, ix.sent+int32(ix.cells))
}

// Covers reports whether Near(p, r) visits every cell, so that it returns
// every item held.
func (ix *boxIndex) Covers(p geo.Point, r float64) bool {
	return r >= p.X-ix.x0 && r >= ix.x0+ix.w-p.X && r >= p.Y-ix.y0 && r >= ix.y0+ix.h-p.Y
}
