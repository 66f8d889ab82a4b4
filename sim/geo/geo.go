package geo

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Point is a position in planar metres.
type Point struct{ X, Y float64 }

// Dist returns the Euclidean distance from p to q in metres.
func (p Point) Dist(q Point) float64 { return math.Hypot(q.X-p.X, q.Y-p.Y) }

// Atom is one reporting area: a community, a beat or a grid cell.
type Atom struct {
	Name       string
	District   int     // index into City.Districts
	Centroid   Point   // area centroid, metres (may lie outside a non-convex atom)
	Inside     Point   // a point inside the atom: the centroid if it is inside, else the middle of the widest span across the atom at the centroid's y
	Area       float64 // square metres
	Population float64 // residents (weights visibility)
	Weight     float64 // relative expected incident volume (any scale)
	Neighbours []int   // atoms sharing a border (two vertices within 1 m), ascending

	shape orb.MultiPolygon // planar metres
	bound orb.Bound
	slabs *slabIndex // nil for an atom with few edges
}

// Shape returns the atom's polygons in planar metres.
func (a *Atom) Shape() orb.MultiPolygon { return a.shape }

// District is a named group of atoms.
type District struct {
	Name     string
	Atoms    []int // ascending
	Centroid Point // area-weighted centroid of its atoms
	Base     Point // the district's base: centroid of the atom nearest Centroid
}

// Post is a fixed point: a street police platform, a workstation, a station.
type Post struct {
	Name string
	Kind string // free text, e.g. "platform", "workstation", "station"
	At   Point
	Atom int // atom holding the post, or -1 if outside the city
}

// City is the geography of one scenario. Build one with NewGrid or
// FromGeoJSON and then call Finish; a City is read-only afterwards and may be
// shared by concurrent replications.
type City struct {
	Atoms     []Atom
	Districts []District
	Posts     []Post
	Routes    []Route     // patrol routes in planar metres (RoutesFromGeoJSON, AddRoute)
	Proj      *Projection // nil for a generated grid

	bound orb.Bound
	index gridIndex
	tri   *triangulation // the atoms' triangles (UniformPoint)
}

// GridSpec describes a generated city of rows × cols square cells.
type GridSpec struct {
	Rows, Cols int
	CellM      float64 // cell side, metres
	Districts  int     // vertical strips of near-equal width (>= 1)
}

// NewGrid returns a city of square cells. Cell (r, c) is atom r*Cols+c, with
// its south-west corner at (c*CellM, r*CellM). Districts are vertical strips;
// every cell has population 1 and weight 1.
func NewGrid(g GridSpec) (*City, error) {
	if g.Rows < 1 || g.Cols < 1 || !(g.CellM > 0) || g.Districts < 1 || g.Districts > g.Cols {
		return nil, fmt.Errorf("geo: bad grid %+v", g)
	}
	c := &City{}
	for d := range g.Districts {
		c.Districts = append(c.Districts, District{Name: fmt.Sprintf("D%d", d+1)})
	}
	for r := range g.Rows {
		for col := range g.Cols {
			// Corners from the lattice index, so that neighbouring cells share
			// bit-identical edges.
			x0, y0 := float64(col)*g.CellM, float64(r)*g.CellM
			x1, y1 := float64(col+1)*g.CellM, float64(r+1)*g.CellM
			ring := orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
			c.Atoms = append(c.Atoms, Atom{
				Name:       fmt.Sprintf("r%dc%d", r, col),
				District:   col * g.Districts / g.Cols,
				Population: 1,
				Weight:     1,
				shape:      orb.MultiPolygon{{ring}},
			})
		}
	}
	if err := c.Finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// Finish computes centroids, areas, neighbours, district membership and the
// spatial index. It returns an error for an atom without area or a district
// without atoms.
func (c *City) Finish() error {
	c.bound = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for d := range c.Districts {
		c.Districts[d].Atoms = c.Districts[d].Atoms[:0]
	}
	for i := range c.Atoms {
		a := &c.Atoms[i]
		cen, area := planar.CentroidArea(a.shape)
		if !(area > 0) {
			return fmt.Errorf("atom %q has no area", a.Name)
		}
		a.Centroid, a.Area = Point{cen[0], cen[1]}, area
		a.bound = a.shape.Bound()
		a.slabs = newSlabIndex(a.shape, a.bound)
		a.Inside = a.Centroid
		if !multiPolygonHolds(a.shape, a.Centroid) {
			a.Inside = interiorPoint(a.shape, a.Centroid.Y, a.bound)
		}
		c.bound = c.bound.Union(a.bound)
		if a.District < 0 || a.District >= len(c.Districts) {
			return fmt.Errorf("atom %q: district index %d out of range", a.Name, a.District)
		}
		c.Districts[a.District].Atoms = append(c.Districts[a.District].Atoms, i)
	}
	for d := range c.Districts {
		dist := &c.Districts[d]
		if len(dist.Atoms) == 0 {
			return fmt.Errorf("district %q has no atoms", dist.Name)
		}
		var sx, sy, sa float64
		for _, i := range dist.Atoms {
			a := &c.Atoms[i]
			sx += a.Centroid.X * a.Area
			sy += a.Centroid.Y * a.Area
			sa += a.Area
		}
		dist.Centroid = Point{sx / sa, sy / sa}
		best := dist.Atoms[0]
		for _, i := range dist.Atoms {
			if c.Atoms[i].Centroid.Dist(dist.Centroid) < c.Atoms[best].Centroid.Dist(dist.Centroid) {
				best = i
			}
		}
		dist.Base = c.Atoms[best].Centroid
	}
	c.index = newGridIndex(c)
	c.findNeighbours()
	c.tri = new(triangulation) // made on first use (UniformPoint)
	for i := range c.Posts {
		c.Posts[i].Atom = c.Locate(c.Posts[i].At)
	}
	return nil
}

// Bound returns the bounding box of all atoms, in metres.
func (c *City) Bound() orb.Bound { return c.bound }

// Locate returns the atom holding p, or -1 if p is outside every atom. A
// point on a shared border goes to the atom with the lowest index.
// Cost: one read of the index's raster for a point in a raster cell that
// lies wholly inside one atom or outside all (most points); else O(k·v)
// for the k atoms whose boundaries or interiors meet that raster cell, v
// the vertices of an atom's horizontal slab (see slabIndex).
func (c *City) Locate(p Point) int {
	g := &c.index
	fx, fy := (p.X-g.x0)/g.cell, (p.Y-g.y0)/g.cell
	if !(fx >= 0 && fy >= 0 && fx < float64(g.nx) && fy < float64(g.ny)) || (g.fine == nil && g.fine32 == nil) {
		return c.locateScan(p)
	}
	// The index cell of gridIndex.cellOf (the same arithmetic, unclamped
	// inside the index), then the raster cell within it: fx - cx is exact.
	cx, cy := math.Floor(fx), math.Floor(fy)
	sx, sy := min(int((fx-cx)*fineSide), fineSide-1), min(int((fy-cy)*fineSide), fineSide-1)
	k := (int(cy)*g.nx+int(cx))*fineSide*fineSide + sy*fineSide + sx
	var v int32
	if g.fine != nil {
		v = int32(g.fine[k])
	} else {
		v = g.fine32[k]
	}
	if v >= -1 {
		return int(v)
	}
	j := -v - 2
	for _, k := range g.lists[g.listOff[j]:g.listOff[j+1]] {
		if k.bound.Contains(orb.Point{p.X, p.Y}) && g.holds(c, &k, p) {
			return int(k.atom)
		}
	}
	return -1
}

// LocateAll sets out[i] to Locate(ps[i]) for every i (out must be as long
// as ps): the same answers, found in passes — first the raster entry of
// every point, then the candidates of the few points whose raster cells do
// not decide. The raster reads of a pass do not wait on one another, so
// that in a large city, whose raster no longer fits the processor's caches,
// their misses overlap rather than come one after another.
func (c *City) LocateAll(ps []Point, out []int32) {
	out = out[:len(ps)]
	g := &c.index
	if (g.fine == nil && g.fine32 == nil) || len(g.fine)+len(g.fine32) > math.MaxInt32 {
		for i, p := range ps {
			out[i] = int32(c.Locate(p))
		}
		return
	}
	// Each point's raster entry, as Locate finds it; a point outside the
	// raster gets its answer a at once, kept as −2 − a (at most −1).
	nx, ny := float64(g.nx), float64(g.ny)
	for i, p := range ps {
		fx, fy := (p.X-g.x0)/g.cell, (p.Y-g.y0)/g.cell
		if !(fx >= 0 && fy >= 0 && fx < nx && fy < ny) {
			out[i] = int32(-2 - c.locateScan(p))
			continue
		}
		cx, cy := math.Floor(fx), math.Floor(fy)
		sx, sy := min(int((fx-cx)*fineSide), fineSide-1), min(int((fy-cy)*fineSide), fineSide-1)
		out[i] = int32((int(cy)*g.nx+int(cx))*fineSide*fineSide + sy*fineSide + sx)
	}
	// The raster's values: an answer, or (below −1) a list of candidates.
	open := false
	if g.fine != nil {
		fine := g.fine
		for i, k := range out {
			if k >= 0 {
				v := int32(fine[k])
				out[i] = v
				open = open || v < -1
			} else {
				out[i] = -2 - k
			}
		}
	} else {
		fine := g.fine32
		for i, k := range out {
			if k >= 0 {
				v := fine[k]
				out[i] = v
				open = open || v < -1
			} else {
				out[i] = -2 - k
			}
		}
	}
	if !open {
		return
	}
	for i, v := range out {
		if v >= -1 {
			continue
		}
		p, j := ps[i], -v-2
		out[i] = -1
		for _, k := range g.lists[g.listOff[j]:g.listOff[j+1]] {
			if k.bound.Contains(orb.Point{p.X, p.Y}) && g.holds(c, &k, p) {
				out[i] = k.atom
				break
			}
		}
	}
}

// locateScan is Locate by the candidates of p's index cell, in order: the
// first atom whose padded box holds p and whose polygon holds p.
func (c *City) locateScan(p Point) int {
	for _, k := range c.index.candidates(p) {
		if k.bound.Contains(orb.Point{p.X, p.Y}) && c.Atoms[k.atom].holds(p) {
			return int(k.atom)
		}
	}
	return -1
}

// RandomPoint returns a point drawn uniformly from atom i's area, by
// rejection from its bounding box. After 64 rejections (an atom filling
// less than a few percent of its box) it draws a point uniformly along the
// atom's widest span at a random height instead: inside the atom, though no
// longer exactly uniform.
func (c *City) RandomPoint(i int, r *rand.Rand) Point {
	a := &c.Atoms[i]
	b := a.bound
	for range 64 {
		p := Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		if a.holds(p) {
			return p
		}
	}
	y := b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])
	lo, hi, ok := widestSpan(a.shape, y)
	if !ok {
		return a.Inside
	}
	return Point{lo + r.Float64()*(hi-lo), y}
}

// widestSpan returns the widest interval of the horizontal line at y that
// lies inside mp (even-odd rule), and whether there is one.
func widestSpan(mp orb.MultiPolygon, y float64) (lo, hi float64, ok bool) {
	var xs []float64
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				a, b := ring[i-1], ring[i]
				if (a[1] > y) != (b[1] > y) {
					xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
				}
			}
		}
	}
	slices.Sort(xs)
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > 0 && (!ok || w > hi-lo) {
			lo, hi, ok = xs[i], xs[i+1], true
		}
	}
	return lo, hi, ok
}

// interiorPoint returns the middle of the widest span across mp at height y,
// or at the middle of its box if the line at y misses it.
func interiorPoint(mp orb.MultiPolygon, y float64, b orb.Bound) Point {
	for _, yy := range []float64{y, (b.Min[1] + b.Max[1]) / 2} {
		if lo, hi, ok := widestSpan(mp, yy); ok {
			return Point{(lo + hi) / 2, yy}
		}
	}
	return Point{(b.Min[0] + b.Max[0]) / 2, (b.Min[1] + b.Max[1]) / 2}
}

// multiPolygonHolds reports whether p is inside or on the boundary of mp.
func multiPolygonHolds(mp orb.MultiPolygon, p Point) bool {
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		// The crossing test first: it is cheap, and most points are well
		// inside or well outside; the boundary test only when it says no.
		if !ringHolds(poly[0], p) {
			if onRing(poly[0], p) {
				return true
			}
			continue
		}
		inHole := false
		for _, hole := range poly[1:] {
			if ringHolds(hole, p) && !onRing(hole, p) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// ringHolds is the even-odd crossing test (W. R. Franklin's PNPOLY).
func ringHolds(r orb.Ring, p Point) bool {
	in := false
	n := len(r)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		xi, yi := r[i][0], r[i][1]
		xj, yj := r[j][0], r[j][1]
		if (yi > p.Y) != (yj > p.Y) && p.X < (xj-xi)*(p.Y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// borderTol is how close (metres) a point must be to an edge to count as on it.
const borderTol = 1e-6

func onRing(r orb.Ring, p Point) bool {
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		// Skip segments whose box, padded by the tolerance, misses p.
		if p.X < min(a[0], b[0])-borderTol || p.X > max(a[0], b[0])+borderTol ||
			p.Y < min(a[1], b[1])-borderTol || p.Y > max(a[1], b[1])+borderTol {
			continue
		}
		if segDist(a, b, p) <= borderTol {
			return true
		}
	}
	return false
}

func segDist(a, b orb.Point, p Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((p.X-a[0])*dx + (p.Y-a[1])*dy) / l2
		t = max(0, min(1, t))
	}
	return math.Hypot(p.X-(a[0]+t*dx), p.Y-(a[1]+t*dy))
}

// findNeighbours links atoms that share a border: at least two vertices of
// one lie within 1 m of vertices of the other (the borders of a tessellation
// drawn from one source share their vertices). Atoms touching at a single
// corner are not neighbours (rook contiguity). Cost: O(V) hashing of all
// vertices into 1 m cells, plus the pairs found in neighbouring cells.
func (c *City) findNeighbours() {
	type key struct{ x, y int64 }
	type vert struct {
		atom int32
		p    orb.Point
	}
	cellOf := func(v orb.Point) key { return key{int64(math.Floor(v[0])), int64(math.Floor(v[1]))} }
	cells := map[key][]vert{}
	for i := range c.Atoms {
		for _, poly := range c.Atoms[i].shape {
			for _, ring := range poly {
				for _, v := range ring {
					k := cellOf(v)
					cells[k] = append(cells[k], vert{int32(i), v})
				}
			}
		}
	}
	// shared[i][j] counts distinct vertices of i near a vertex of j.
	shared := make([]map[int32]int, len(c.Atoms))
	for i := range c.Atoms {
		shared[i] = map[int32]int{}
		for _, poly := range c.Atoms[i].shape {
			for _, ring := range poly {
				// The closing vertex repeats the first; count it once.
				for _, v := range ring[:max(0, len(ring)-1)] {
					k := cellOf(v)
					var near []int32
					for dx := int64(-1); dx <= 1; dx++ {
						for dy := int64(-1); dy <= 1; dy++ {
							for _, w := range cells[key{k.x + dx, k.y + dy}] {
								if int(w.atom) != i && math.Hypot(w.p[0]-v[0], w.p[1]-v[1]) <= 1 && !slices.Contains(near, w.atom) {
									near = append(near, w.atom)
								}
							}
						}
					}
					for _, j := range near {
						shared[i][j]++
					}
				}
			}
		}
	}
	for i := range c.Atoms {
		var nb []int
		for j, n := range shared[i] {
			if n >= 2 || shared[j][int32(i)] >= 2 {
				nb = append(nb, int(j))
			}
		}
		slices.Sort(nb)
		c.Atoms[i].Neighbours = nb
	}
}

// gridIndex buckets atoms by the index cells their bounding boxes cover.
// Each index cell is cut into fineSide × fineSide raster cells, and each
// raster cell keeps Locate's answer for every point in it where that answer
// does not depend on the point: the atom, or -1, when the cell lies wholly
// inside or outside each of its candidates up to the first it lies inside
// (no edge of theirs within borderTol of it). Else it keeps the candidates
// that could answer, in order: those whose edges come near the cell, up to
// the first atom that holds the cell wholly. That is exactly the answer of
// the scan over the index cell's candidates: an atom left out either holds
// no point of the cell, or comes after one that holds all of them.
type gridIndex struct {
	x0, y0, cell float64
	nx, ny       int
	cells        [][]candidate // ascending atom index

	// fine is the raster, index cell by index cell (row-major within
	// one): an atom, -1 for none, or -2-j for the candidates
	// lists[listOff[j]:listOff[j+1]]; in 16 bits when they fit (half the
	// cache lines), else in fine32.
	fine    []int16
	fine32  []int32
	listOff []int32
	lists   []candidate
	rings   []orb.Point // copies of atoms' rings (see candidate)
}

// fineSide is the raster cells a side of an index cell; fineWords the
// uint64s of a bit per raster cell of an index cell, while it is made.
const (
	fineSide  = 16
	fineWords = (fineSide*fineSide + 63) / 64
)

// candidate is an atom of an index cell and its bounding box padded by
// borderTol, kept beside it so that Locate reads no atom it then passes by;
// and, for an atom of one ring (no hole, no slab index), where a copy of
// that ring lies in the index's rings, so that Locate's polygon test reads
// its points there, in a line or two, rather than through the atom's
// record, its polygons and its ring, one after another.
type candidate struct {
	bound orb.Bound
	atom  int32
	ring  uint32 // the copy is rings[ring>>8:][:ring&255]; 0: none (the atom's own test)
}

// holds reports whether k's atom holds p: Atom.holds, from the copy of
// its ring when it has one (for one ring, multiPolygonHolds is the
// crossing test or, when that says no, the boundary test).
func (g *gridIndex) holds(c *City, k *candidate, p Point) bool {
	if k.ring == 0 {
		return c.Atoms[k.atom].holds(p)
	}
	r := orb.Ring(g.rings[k.ring>>8:][:k.ring&255])
	return ringHolds(r, p) || onRing(r, p)
}

// ringCopies copies into g.rings the ring of every atom of one ring (no
// hole, no slab index) of at most 255 points, while the copies start below
// 1<<24, and returns each atom's candidate.ring (0 for the others).
func (g *gridIndex) ringCopies(c *City) []uint32 {
	ref := make([]uint32, len(c.Atoms))
	g.rings = append(g.rings[:0], orb.Point{}) // (offset 0 would read as none)
	for i := range c.Atoms {
		a := &c.Atoms[i]
		if a.slabs != nil || len(a.shape) != 1 || len(a.shape[0]) != 1 {
			continue
		}
		ring := a.shape[0][0]
		if n, off := len(ring), len(g.rings); n > 0 && n <= 255 && off < 1<<24 {
			ref[i] = uint32(off)<<8 | uint32(n)
			g.rings = append(g.rings, ring...)
		}
	}
	return ref
}

func newGridIndex(c *City) gridIndex {
	b := c.bound
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	n := max(1, int(math.Sqrt(float64(len(c.Atoms)))))
	cell := max(w, h) / float64(n)
	if !(cell > 0) {
		cell = 1
	}
	g := gridIndex{x0: b.Min[0], y0: b.Min[1], cell: cell, nx: int(w/cell) + 1, ny: int(h/cell) + 1}
	g.cells = make([][]candidate, g.nx*g.ny)
	near := make([][][fineWords]uint64, g.nx*g.ny) // per candidate, the raster cells its edges come near
	ring := g.ringCopies(c)
	for i := range c.Atoms {
		ab := c.Atoms[i].bound
		cx0, cy0 := g.cellOf(ab.Min[0], ab.Min[1])
		cx1, cy1 := g.cellOf(ab.Max[0], ab.Max[1])
		masks := g.edgeCells(c.Atoms[i].shape, cx0, cy0, cx1, cy1)
		for x := cx0; x <= cx1; x++ {
			for y := cy0; y <= cy1; y++ {
				g.cells[y*g.nx+x] = append(g.cells[y*g.nx+x], candidate{c.Atoms[i].bound.Pad(borderTol), int32(i), ring[i]})
				near[y*g.nx+x] = append(near[y*g.nx+x], masks[(y-cy0)*(cx1-cx0+1)+x-cx0])
			}
		}
	}
	g.raster(c, near)
	return g
}

// fineMargin is how far (metres) beyond its nominal bounds a raster cell
// is taken to reach: more than the rounding of (x - x0) / cell in Locate.
func (g *gridIndex) fineMargin() float64 {
	return 1e-3 + 1e-9*max(math.Abs(g.x0), math.Abs(g.y0), g.cell*float64(max(g.nx, g.ny)))
}

// fineBound returns raster cell (sx, sy) of index cell (cx, cy), grown by
// pad.
func (g *gridIndex) fineBound(cx, cy, sx, sy int, pad float64) orb.Bound {
	f := g.cell / fineSide
	x := g.x0 + float64(cx)*g.cell + float64(sx)*f
	y := g.y0 + float64(cy)*g.cell + float64(sy)*f
	return orb.Bound{Min: orb.Point{x - pad, y - pad}, Max: orb.Point{x + f + pad, y + f + pad}}
}

// edgeCells returns, for each index cell of [cx0, cx1] × [cy0, cy1] (row by
// row), the raster cells that an edge of mp (any ring, its closing edge
// included) comes within borderTol of, with the raster margin.
func (g *gridIndex) edgeCells(mp orb.MultiPolygon, cx0, cy0, cx1, cy1 int) [][fineWords]uint64 {
	wide := cx1 - cx0 + 1
	masks := make([][fineWords]uint64, wide*(cy1-cy0+1))
	pad := borderTol + g.fineMargin()
	f := g.cell / fineSide
	fineOf := func(v, v0 float64, lo, hi int) int {
		k := int(math.Floor((v - v0) / f))
		return max(lo*fineSide, min(hi*fineSide+fineSide-1, k))
	}
	edge := func(a, b orb.Point) {
		fx0 := fineOf(min(a[0], b[0])-pad, g.x0, cx0, cx1)
		fx1 := fineOf(max(a[0], b[0])+pad, g.x0, cx0, cx1)
		fy0 := fineOf(min(a[1], b[1])-pad, g.y0, cy0, cy1)
		fy1 := fineOf(max(a[1], b[1])+pad, g.y0, cy0, cy1)
		for fy := fy0; fy <= fy1; fy++ {
			for fx := fx0; fx <= fx1; fx++ {
				cx, cy, sx, sy := fx/fineSide, fy/fineSide, fx%fineSide, fy%fineSide
				if segMeetsBound(a, b, g.fineBound(cx, cy, sx, sy, pad)) {
					b := sy*fineSide + sx
					masks[(cy-cy0)*wide+cx-cx0][b/64] |= 1 << (b % 64)
				}
			}
		}
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				edge(ring[i-1], ring[i])
			}
			if len(ring) > 0 {
				edge(ring[len(ring)-1], ring[0])
			}
		}
	}
	return masks
}

// raster fills g.fine and g.lists from the index cells' candidates and the
// raster cells their edges come near.
func (g *gridIndex) raster(c *City, near [][][fineWords]uint64) {
	fine := make([]int32, len(g.cells)*fineSide*fineSide)
	g.listOff = []int32{0}
	seen := map[string]int32{}
	var list []candidate
	var key []byte
	for ci, cands := range g.cells {
		cx, cy := ci%g.nx, ci/g.nx
		for s := range fineSide * fineSide {
			fb := g.fineBound(cx, cy, s%fineSide, s/fineSide, 0)
			mid := Point{(fb.Min[0] + fb.Max[0]) / 2, (fb.Min[1] + fb.Max[1]) / 2}
			list, key = list[:0], key[:0]
			whole := false
			for j, k := range cands {
				if near[ci][j][s/64]>>(s%64)&1 != 0 {
					list = append(list, k)
					key = binary.LittleEndian.AppendUint32(key, uint32(k.atom))
					continue
				}
				// No edge near the cell: the atom holds all of it or none.
				if k.bound.Contains(orb.Point{mid.X, mid.Y}) && c.Atoms[k.atom].holds(mid) {
					list = append(list, k)
					key = binary.LittleEndian.AppendUint32(key, uint32(k.atom))
					whole = true
					break
				}
			}
			v := int32(-1)
			switch {
			case len(list) == 1 && whole:
				v = list[0].atom
			case len(list) > 0:
				j, ok := seen[string(key)]
				if !ok {
					j = int32(len(g.listOff) - 1)
					seen[string(key)] = j
					g.lists = append(g.lists, list...)
					g.listOff = append(g.listOff, int32(len(g.lists)))
				}
				v = -2 - j
			}
			fine[ci*fineSide*fineSide+s] = v
		}
	}
	if len(c.Atoms) > math.MaxInt16 || len(g.listOff)-1 > math.MaxInt16-1 {
		g.fine32 = fine
		return
	}
	g.fine = make([]int16, len(fine))
	for i, v := range fine {
		g.fine[i] = int16(v)
	}
}

// segMeetsBound reports whether the segment from a to b meets the box
// (Liang–Barsky clipping).
func segMeetsBound(a, b orb.Point, r orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := b[0]-a[0], b[1]-a[1]
	for _, c := range [4][2]float64{{-dx, a[0] - r.Min[0]}, {dx, r.Max[0] - a[0]}, {-dy, a[1] - r.Min[1]}, {dy, r.Max[1] - a[1]}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return false
			}
			t0 = max(t0, t)
		} else {
			if t < t0 {
				return false
			}
			t1 = min(t1, t)
		}
	}
	return t0 <= t1
}

func (g *gridIndex) cellOf(x, y float64) (int, int) {
	cx := int(math.Floor((x - g.x0) / g.cell))
	cy := int(math.Floor((y - g.y0) / g.cell))
	return max(0, min(g.nx-1, cx)), max(0, min(g.ny-1, cy))
}

func (g *gridIndex) candidates(p Point) []candidate {
	if len(g.cells) == 0 {
		return nil
	}
	cx, cy := g.cellOf(p.X, p.Y)
	return g.cells[cy*g.nx+cx]
}
