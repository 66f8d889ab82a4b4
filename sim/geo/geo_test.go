package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// ---------------------------------------------------------------------------
// Helpers

// mustGrid builds a grid city or fails the test.
func mustGrid(tb testing.TB, g GridSpec) *City {
	tb.Helper()
	c, err := NewGrid(g)
	if err != nil {
		tb.Fatalf("NewGrid(%+v): %v", g, err)
	}
	return c
}

// closeTo fails the test when |got-want| > tol.
func closeTo(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s: got %.12g, want %.12g ± %g", what, got, want, tol)
	}
}

// rect returns the closed ring of the axis-aligned rectangle [x0,x1]×[y0,y1],
// counter-clockwise.
func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// handCity builds a city with one district from the given shapes, in order,
// and calls Finish.
func handCity(t *testing.T, shapes ...orb.MultiPolygon) *City {
	t.Helper()
	c := &City{Districts: []District{{Name: "D"}}}
	for i, s := range shapes {
		c.Atoms = append(c.Atoms, Atom{Name: fmt.Sprintf("a%d", i), Population: 1, Weight: 1, shape: s})
	}
	if err := c.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	return c
}

// samePoint reports whether p and q are within tol metres on each axis.
func samePoint(p, q Point, tol float64) bool {
	return math.Abs(p.X-q.X) <= tol && math.Abs(p.Y-q.Y) <= tol
}

// ---------------------------------------------------------------------------
// NewGrid

func TestNewGridRejectsBadSpecs(t *testing.T) {
	tests := []struct {
		name string
		g    GridSpec
	}{
		{"zero rows", GridSpec{Rows: 0, Cols: 3, CellM: 100, Districts: 1}},
		{"negative cols", GridSpec{Rows: 3, Cols: -1, CellM: 100, Districts: 1}},
		{"zero cell", GridSpec{Rows: 3, Cols: 3, CellM: 0, Districts: 1}},
		{"negative cell", GridSpec{Rows: 3, Cols: 3, CellM: -5, Districts: 1}},
		{"NaN cell", GridSpec{Rows: 3, Cols: 3, CellM: math.NaN(), Districts: 1}},
		{"zero districts", GridSpec{Rows: 3, Cols: 3, CellM: 100, Districts: 0}},
		{"more districts than columns", GridSpec{Rows: 3, Cols: 3, CellM: 100, Districts: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewGrid(tt.g)
			if err == nil {
				t.Fatalf("NewGrid(%+v): got %d atoms and no error, want an error", tt.g, len(c.Atoms))
			}
			if !strings.Contains(err.Error(), "bad grid") {
				t.Errorf("got error %q, want it to contain %q", err, "bad grid")
			}
		})
	}
}

func TestNewGrid(t *testing.T) {
	tests := []struct {
		name string
		g    GridSpec
		// wantDistrict is the district of each column: floor(col·Districts/Cols),
		// as NewGrid's doc promises vertical strips of near-equal width.
		wantDistrict []int
	}{
		{"single cell", GridSpec{Rows: 1, Cols: 1, CellM: 50, Districts: 1}, []int{0}},
		{"one row", GridSpec{Rows: 1, Cols: 4, CellM: 100, Districts: 2}, []int{0, 0, 1, 1}},
		{"3x4 two districts", GridSpec{Rows: 3, Cols: 4, CellM: 100, Districts: 2}, []int{0, 0, 1, 1}},
		// 7 columns, 3 districts: 0·3/7=0, 3/7=0, 6/7=0, 9/7=1, 12/7=1, 15/7=2, 18/7=2.
		{"5x7 three districts", GridSpec{Rows: 5, Cols: 7, CellM: 250, Districts: 3}, []int{0, 0, 0, 1, 1, 2, 2}},
		{"one district per column", GridSpec{Rows: 2, Cols: 3, CellM: 1000, Districts: 3}, []int{0, 1, 2}},
		{"fractional cell", GridSpec{Rows: 4, Cols: 4, CellM: 12.5, Districts: 4}, []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.g
			c := mustGrid(t, g)
			if got, want := len(c.Atoms), g.Rows*g.Cols; got != want {
				t.Fatalf("atoms: got %d, want Rows·Cols = %d", got, want)
			}
			if got, want := len(c.Districts), g.Districts; got != want {
				t.Fatalf("districts: got %d, want %d", got, want)
			}
			if c.Proj != nil {
				t.Errorf("Proj: got %+v, want nil for a generated grid", c.Proj)
			}
			cellArea := g.CellM * g.CellM
			for r := range g.Rows {
				for col := range g.Cols {
					i := r*g.Cols + col // NewGrid: cell (r, c) is atom r*Cols+c
					a := &c.Atoms[i]
					if want := fmt.Sprintf("r%dc%d", r, col); a.Name != want {
						t.Errorf("atom %d name: got %q, want %q", i, a.Name, want)
					}
					// 1e-9 relative: exact up to float rounding.
					closeTo(t, fmt.Sprintf("atom %d area", i), a.Area, cellArea, 1e-9*cellArea)
					// The centroid of cell (r, c) is its south-west corner
					// (c·CellM, r·CellM) plus half a cell.
					want := Point{(float64(col) + 0.5) * g.CellM, (float64(r) + 0.5) * g.CellM}
					if !samePoint(a.Centroid, want, 1e-9*g.CellM) {
						t.Errorf("atom %d centroid: got %+v, want %+v", i, a.Centroid, want)
					}
					if a.District != tt.wantDistrict[col] {
						t.Errorf("atom %d (column %d) district: got %d, want %d", i, col, a.District, tt.wantDistrict[col])
					}
					if a.Population != 1 || a.Weight != 1 {
						t.Errorf("atom %d population, weight: got %g, %g, want 1, 1", i, a.Population, a.Weight)
					}
				}
			}
			totalArea := 0.0
			for d := range c.Districts {
				dist := &c.Districts[d]
				if want := fmt.Sprintf("D%d", d+1); dist.Name != want {
					t.Errorf("district %d name: got %q, want %q", d, dist.Name, want)
				}
				var want []int
				var sx, sy, sa float64
				for i := range c.Atoms {
					if c.Atoms[i].District == d {
						want = append(want, i)
						sx += c.Atoms[i].Centroid.X * c.Atoms[i].Area
						sy += c.Atoms[i].Centroid.Y * c.Atoms[i].Area
						sa += c.Atoms[i].Area
					}
				}
				if !slices.Equal(dist.Atoms, want) {
					t.Errorf("district %d atoms: got %v, want %v", d, dist.Atoms, want)
				}
				totalArea += sa
				// Area-weighted centroid of the district's atoms.
				if cen := (Point{sx / sa, sy / sa}); !samePoint(dist.Centroid, cen, 1e-9*g.CellM*float64(g.Cols+g.Rows)) {
					t.Errorf("district %d centroid: got %+v, want %+v", d, dist.Centroid, cen)
				}
				// Base is the centroid of an atom of the district, and no
				// atom of the district is nearer the district centroid.
				baseAtom := c.Locate(dist.Base)
				if baseAtom < 0 || !slices.Contains(dist.Atoms, baseAtom) || c.Atoms[baseAtom].Centroid != dist.Base {
					t.Errorf("district %d base %+v: got atom %d, want the centroid of one of %v", d, dist.Base, baseAtom, dist.Atoms)
				}
				for _, i := range dist.Atoms {
					if c.Atoms[i].Centroid.Dist(dist.Centroid) < dist.Base.Dist(dist.Centroid) {
						t.Errorf("district %d: atom %d is nearer the centroid than the base %+v", d, i, dist.Base)
					}
				}
			}
			closeTo(t, "total area", totalArea, float64(g.Rows*g.Cols)*cellArea, 1e-9*float64(g.Rows*g.Cols)*cellArea)
			b := c.Bound()
			wantB := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{float64(g.Cols) * g.CellM, float64(g.Rows) * g.CellM}}
			if b != wantB {
				t.Errorf("Bound: got %v, want %v", b, wantB)
			}
		})
	}
}

// queenNeighbours lists the cells around (r, c) on a rows×cols grid that share
// an edge or a corner vertex with it, as atom indices, ascending.
func rookNeighbours(rows, cols, r, c int) []int {
	var out []int
	for rr := r - 1; rr <= r+1; rr++ {
		for cc := c - 1; cc <= c+1; cc++ {
			if (rr == r) != (cc == c) && rr >= 0 && rr < rows && cc >= 0 && cc < cols {
				out = append(out, rr*cols+cc)
			}
		}
	}
	return out
}

// TestGridNeighbours checks the documented rule, "atoms sharing a border
// (two vertices within 1 m)": on a grid, cells sharing only a corner are not
// neighbours, so the neighbourhood is the rook's (4 around an interior cell).
func TestGridNeighbours(t *testing.T) {
	tests := []struct {
		name       string
		g          GridSpec
		r, c, want int // cell and its number of neighbours
	}{
		{"single cell", GridSpec{Rows: 1, Cols: 1, CellM: 100, Districts: 1}, 0, 0, 0},
		{"row end", GridSpec{Rows: 1, Cols: 5, CellM: 100, Districts: 1}, 0, 0, 1},
		{"row middle", GridSpec{Rows: 1, Cols: 5, CellM: 100, Districts: 1}, 0, 2, 2},
		{"column end", GridSpec{Rows: 5, Cols: 1, CellM: 100, Districts: 1}, 4, 0, 1},
		// Corner: 2 edge neighbours; the diagonal shares only a corner.
		{"corner", GridSpec{Rows: 4, Cols: 5, CellM: 100, Districts: 1}, 0, 0, 2},
		{"far corner", GridSpec{Rows: 4, Cols: 5, CellM: 100, Districts: 1}, 3, 4, 2},
		// Edge: 3 edge neighbours.
		{"south edge", GridSpec{Rows: 4, Cols: 5, CellM: 100, Districts: 1}, 0, 2, 3},
		{"west edge", GridSpec{Rows: 4, Cols: 5, CellM: 100, Districts: 1}, 2, 0, 3},
		// Interior: 4 edge neighbours.
		{"interior", GridSpec{Rows: 4, Cols: 5, CellM: 100, Districts: 1}, 1, 2, 4},
		{"interior, large cells", GridSpec{Rows: 3, Cols: 3, CellM: 5000, Districts: 1}, 1, 1, 4},
		// Cells smaller than the 1 m matching distance would link diagonals
		// through their near corners; 3 m cells do not.
		{"interior, 3 m cells", GridSpec{Rows: 3, Cols: 3, CellM: 3, Districts: 1}, 1, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustGrid(t, tt.g)
			i := tt.r*tt.g.Cols + tt.c
			got := c.Atoms[i].Neighbours
			if len(got) != tt.want {
				t.Errorf("cell (%d,%d): got %d neighbours %v, want %d", tt.r, tt.c, len(got), got, tt.want)
			}
			if want := rookNeighbours(tt.g.Rows, tt.g.Cols, tt.r, tt.c); !slices.Equal(got, want) {
				t.Errorf("cell (%d,%d) neighbours: got %v, want %v", tt.r, tt.c, got, want)
			}
		})
	}
}

func TestNeighboursAscendingAndSymmetric(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 6, Cols: 7, CellM: 120, Districts: 3})
	for i := range c.Atoms {
		nb := c.Atoms[i].Neighbours
		if !slices.IsSorted(nb) || len(slices.Compact(slices.Clone(nb))) != len(nb) {
			t.Errorf("atom %d neighbours %v: want strictly ascending", i, nb)
		}
		for _, j := range nb {
			if j == i {
				t.Errorf("atom %d lists itself as a neighbour", i)
			}
			if !slices.Contains(c.Atoms[j].Neighbours, i) {
				t.Errorf("atom %d lists %d, but %d does not list %d", i, j, j, i)
			}
		}
	}
}

// TestNeighboursVertexDistance checks the documented threshold of
// findNeighbours: atoms are linked when they have a vertex within 1 m of each
// other, and not otherwise.
func TestNeighboursVertexDistance(t *testing.T) {
	tests := []struct {
		name string
		gap  float64 // metres between two 10 m squares side by side
		want bool
	}{
		{"shared edge", 0, true},
		{"0.5 m gap", 0.5, true},
		{"1 m gap", 1, true},
		{"1.5 m gap", 1.5, false},
		{"3 m gap", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Squares [0,10]² and [10+gap, 20+gap]×[0,10].
			c := handCity(t,
				orb.MultiPolygon{{rect(0, 0, 10, 10)}},
				orb.MultiPolygon{{rect(10+tt.gap, 0, 20+tt.gap, 10)}})
			got := slices.Contains(c.Atoms[0].Neighbours, 1)
			if got != tt.want {
				t.Errorf("gap %g m: got neighbours=%v (%v), want %v", tt.gap, got, c.Atoms[0].Neighbours, tt.want)
			}
		})
	}
}

func TestFinishErrors(t *testing.T) {
	tests := []struct {
		name string
		city *City
		want string
	}{
		{
			name: "atom without area",
			city: &City{
				Districts: []District{{Name: "D"}},
				Atoms:     []Atom{{Name: "flat", shape: orb.MultiPolygon{{rect(0, 0, 10, 0)}}}},
			},
			want: `atom "flat" has no area`,
		},
		{
			name: "district index out of range",
			city: &City{
				Districts: []District{{Name: "D"}},
				Atoms:     []Atom{{Name: "a", District: 1, shape: orb.MultiPolygon{{rect(0, 0, 10, 10)}}}},
			},
			want: `atom "a": district index 1 out of range`,
		},
		{
			name: "empty district",
			city: &City{
				Districts: []District{{Name: "D"}, {Name: "Empty"}},
				Atoms:     []Atom{{Name: "a", shape: orb.MultiPolygon{{rect(0, 0, 10, 10)}}}},
			},
			want: `district "Empty" has no atoms`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.city.Finish()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Finish: got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Locate

func TestLocate(t *testing.T) {
	// 3×3 grid of 100 m cells: atom r*3+c covers [100c, 100c+100]×[100r, 100r+100].
	c := mustGrid(t, GridSpec{Rows: 3, Cols: 3, CellM: 100, Districts: 1})
	tests := []struct {
		name string
		p    Point
		want int
	}{
		{"interior of cell 0", Point{50, 50}, 0},
		{"interior of centre cell", Point{150, 150}, 4},
		{"interior of last cell", Point{299, 299}, 8},
		{"interior near a border", Point{100.01, 50}, 1},
		{"west of the city", Point{-1, 50}, -1},
		{"east of the city", Point{350, 50}, -1},
		{"north of the city", Point{50, 300.5}, -1},
		{"south-west, diagonal", Point{-10, -10}, -1},
		{"far away", Point{1e9, -1e9}, -1},
		// A shared border goes to the lowest index.
		{"border of 0 and 1", Point{100, 50}, 0},
		{"border of 4 and 5", Point{200, 150}, 4},
		{"border of 4 and 7", Point{150, 200}, 4},
		{"border of 1 and 4", Point{150, 100}, 1},
		// A shared corner goes to the lowest of its four atoms.
		{"corner of 0, 1, 3, 4", Point{100, 100}, 0},
		{"corner of 4, 5, 7, 8", Point{200, 200}, 4},
		{"corner of 1, 2, 4, 5", Point{200, 100}, 1},
		// The city's outer boundary belongs to the city (closed polygons).
		{"outer corner (0,0)", Point{0, 0}, 0},
		{"outer corner (300,300)", Point{300, 300}, 8},
		{"outer east edge", Point{300, 150}, 5},
		{"outer north edge", Point{250, 300}, 8},
		// borderTol = 1e-6 m; 1 mm is well beyond it.
		{"1 mm outside the west edge", Point{-1e-3, 50}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Locate(tt.p); got != tt.want {
				t.Errorf("Locate(%+v): got %d, want %d", tt.p, got, tt.want)
			}
		})
	}
}

// bruteLocate is Locate without the spatial index: the first atom whose closed
// shape holds p.
func bruteLocate(c *City, p Point) int {
	for i := range c.Atoms {
		if multiPolygonHolds(c.Atoms[i].shape, p) {
			return i
		}
	}
	return -1
}

// TestLocateMatchesBruteForce checks the spatial index against a scan of all
// atoms, on a lattice that puts many points exactly on cell borders and on
// the index's own cell borders (which do not coincide with the grid's when
// the grid is not square). Cell sides are exact in binary so that the
// lattice points fall exactly on the borders; TestLocateNearBorder covers
// points a rounding error away.
func TestLocateMatchesBruteForce(t *testing.T) {
	grids := []GridSpec{
		{Rows: 2, Cols: 5, CellM: 100, Districts: 1},
		{Rows: 7, Cols: 3, CellM: 12.5, Districts: 3},
		{Rows: 10, Cols: 10, CellM: 1, Districts: 2},
		{Rows: 3, Cols: 11, CellM: 0.25, Districts: 2},
		{Rows: 1, Cols: 1, CellM: 10, Districts: 1},
	}
	for _, g := range grids {
		t.Run(fmt.Sprintf("%dx%d_%g", g.Rows, g.Cols, g.CellM), func(t *testing.T) {
			c := mustGrid(t, g)
			step := g.CellM / 4 // quarter cells: borders, corners and interiors
			for ky := -1; ky <= 4*g.Rows+1; ky++ {
				for kx := -1; kx <= 4*g.Cols+1; kx++ {
					p := Point{float64(kx) * step, float64(ky) * step}
					if got, want := c.Locate(p), bruteLocate(c, p); got != want {
						t.Errorf("Locate(%+v): got %d, want %d (brute force)", p, got, want)
					}
				}
			}
		})
	}
}

// TestLocateNearBorder checks points within borderTol (1e-6 m) of a border:
// the package counts them as on it, so a shared border goes to the lower atom
// and the city's outer edge still belongs to the city.
func TestLocateNearBorder(t *testing.T) {
	d := 33.3 // a variable, so that 3*d is rounded like NewGrid's arithmetic
	tests := []struct {
		name string
		g    GridSpec
		p    Point
		want int
	}{
		// 1×2 grid of 100 m cells: atom 0 is [0,100]×[0,100], atom 1 east of it.
		{"1e-9 m west of the shared border", GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 1}, Point{100 - 1e-9, 50}, 0},
		{"1e-9 m east of the shared border", GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 1}, Point{100 + 1e-9, 50}, 0},
		{"1e-9 m outside the west edge", GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 1}, Point{-1e-9, 50}, 0},
		{"1e-5 m outside the west edge (beyond borderTol)", GridSpec{Rows: 1, Cols: 2, CellM: 100, Districts: 1}, Point{-1e-5, 50}, -1},
		// CellM = 33.3 is not exact in binary. Cells 2 and 3 share the
		// vertex 3·33.3 = 2·33.3+33.3 = 99.89999999999999 (float64), which
		// atom 2 gets; the decimal 99.9 is one ulp east of it, on the
		// border within borderTol, so atom 2 should get it too.
		{"on the computed border, 33.3 m cells", GridSpec{Rows: 1, Cols: 4, CellM: 33.3, Districts: 1}, Point{3 * d, 10}, 2},
		{"decimal 99.9, one ulp east of the border", GridSpec{Rows: 1, Cols: 4, CellM: 33.3, Districts: 1}, Point{99.9, 10}, 2},
		// 4·33.3 = 133.2 is the city's east edge; the next float64 is on it
		// within borderTol.
		{"one ulp east of the outer edge, 33.3 m cells", GridSpec{Rows: 1, Cols: 4, CellM: 33.3, Districts: 1}, Point{math.Nextafter(4*d, math.Inf(1)), 10}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustGrid(t, tt.g)
			// The brute-force scan states the documented rule.
			if want := bruteLocate(c, tt.p); want != tt.want {
				t.Fatalf("test case: brute force gives %d, the case wants %d", want, tt.want)
			}
			if got := c.Locate(tt.p); got != tt.want {
				t.Errorf("Locate(%+v): got %d, want %d", tt.p, got, tt.want)
			}
		})
	}
}

func TestLocateHoleAndMultiPolygon(t *testing.T) {
	// Atom 0: the square [0,30]² with the hole [10,20]², plus a separate
	// island [40,50]×[0,10]. Atom 1 fills the hole exactly.
	c := handCity(t,
		orb.MultiPolygon{
			{rect(0, 0, 30, 30), rect(10, 10, 20, 20)},
			{rect(40, 0, 50, 10)},
		},
		orb.MultiPolygon{{rect(10, 10, 20, 20)}},
	)
	closeTo(t, "atom 0 area", c.Atoms[0].Area, 30*30-10*10+10*10, 1e-9) // square - hole + island
	closeTo(t, "atom 1 area", c.Atoms[1].Area, 10*10, 1e-9)
	tests := []struct {
		name string
		p    Point
		want int
	}{
		{"ring of atom 0", Point{5, 5}, 0},
		{"inside the hole", Point{15, 15}, 1},
		{"on the hole's border: atom 0 is closed and listed first", Point{10, 15}, 0},
		{"island of atom 0", Point{45, 5}, 0},
		{"between the pieces", Point{35, 5}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Locate(tt.p); got != tt.want {
				t.Errorf("Locate(%+v): got %d, want %d", tt.p, got, tt.want)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// RandomPoint

// TestRandomPointInsideAndUniform draws many points from atoms of several
// shapes and checks that each lies in its atom and that the mean lies near
// the atom's centroid. For a uniform distribution the mean of n draws of one
// coordinate has standard error sd/sqrt(n); the tolerance is 4 standard errors
// (two-sided p ≈ 6e-5 per check, and the seed is fixed).
func TestRandomPointInsideAndUniform(t *testing.T) {
	const n = 20000
	tests := []struct {
		name  string
		shape orb.MultiPolygon
		// sdX, sdY: standard deviation of each coordinate under the uniform
		// distribution over the shape.
		sdX, sdY float64
	}{
		{
			// Uniform on [0,L]: sd = L/sqrt(12).
			name:  "square 100 m",
			shape: orb.MultiPolygon{{rect(0, 0, 100, 100)}},
			sdX:   100 / math.Sqrt(12), sdY: 100 / math.Sqrt(12),
		},
		{
			name:  "rectangle 400×50 m",
			shape: orb.MultiPolygon{{rect(1000, 2000, 1400, 2050)}},
			sdX:   400 / math.Sqrt(12), sdY: 50 / math.Sqrt(12),
		},
		{
			// Right triangle with legs L: the x marginal has density
			// 2(L-x)/L², variance L²/18; rejection takes half the draws.
			name:  "right triangle 100 m",
			shape: orb.MultiPolygon{{orb.Ring{{0, 0}, {100, 0}, {0, 100}, {0, 0}}}},
			sdX:   100 / math.Sqrt(18), sdY: 100 / math.Sqrt(18),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := handCity(t, tt.shape)
			a := &c.Atoms[0]
			r := rand.New(rand.NewPCG(1, 2)) // fixed seed
			var sx, sy float64
			for range n {
				p := c.RandomPoint(0, r)
				if !multiPolygonHolds(a.shape, p) {
					t.Fatalf("RandomPoint gave %+v, outside the atom", p)
				}
				sx += p.X
				sy += p.Y
			}
			closeTo(t, "mean x", sx/n, a.Centroid.X, 4*tt.sdX/math.Sqrt(n))
			closeTo(t, "mean y", sy/n, a.Centroid.Y, 4*tt.sdY/math.Sqrt(n))
		})
	}
}

// TestRandomPointGridLocates draws from every cell of a grid and checks that
// Locate returns that cell: the draws are continuous, so none should fall on
// a shared border, where Locate would give the lower index.
func TestRandomPointGridLocates(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 4, Cols: 5, CellM: 100, Districts: 2})
	r := rand.New(rand.NewPCG(3, 4)) // fixed seed
	for i := range c.Atoms {
		for range 500 {
			p := c.RandomPoint(i, r)
			got := c.Locate(p)
			if got == i {
				continue
			}
			if got < i && onRing(c.Atoms[i].shape[0][0], p) {
				continue // on a border shared with a lower atom
			}
			t.Fatalf("RandomPoint(%d) = %+v: Locate got %d, want %d", i, p, got, i)
		}
	}
}

// TestRandomPointDeterministic checks that the same seed gives the same draws.
func TestRandomPointDeterministic(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 3, Cols: 3, CellM: 100, Districts: 1})
	r1 := rand.New(rand.NewPCG(7, 8))
	r2 := rand.New(rand.NewPCG(7, 8))
	for k := range 1000 {
		i := k % len(c.Atoms)
		if p, q := c.RandomPoint(i, r1), c.RandomPoint(i, r2); p != q {
			t.Fatalf("draw %d: got %+v and %+v from the same seed, want equal", k, p, q)
		}
	}
}

// TestRandomPointThinNonConvex uses a thin chevron (Λ with 10 m arms) whose
// area is about 2% of its bounding box, so the 64 rejection tries fail about
// 0.98^64 ≈ 28% of the time, and whose centroid (500, ≈495) lies in the empty
// space under the Λ, outside the atom.
func TestRandomPointThinNonConvex(t *testing.T) {
	chevron := orb.MultiPolygon{{orb.Ring{{0, 0}, {500, 1000}, {1000, 0}, {990, 0}, {500, 980}, {10, 0}, {0, 0}}}}
	c := handCity(t, chevron)
	a := &c.Atoms[0]
	// Area: outer triangle ½·1000·1000 minus inner triangle ½·980·980.
	closeTo(t, "area", a.Area, 500000-480200, 1e-6)
	if multiPolygonHolds(a.shape, a.Centroid) {
		t.Fatalf("centroid %+v: want it outside the chevron for this test", a.Centroid)
	}
	if !multiPolygonHolds(a.shape, a.Inside) {
		t.Errorf("Inside %+v: want a point inside the atom", a.Inside)
	}
	r := rand.New(rand.NewPCG(5, 6)) // fixed seed
	for k := range 200 {
		if p := c.RandomPoint(0, r); !multiPolygonHolds(a.shape, p) {
			t.Fatalf("draw %d: got %+v, want a point inside the atom", k, p)
		}
	}
}

// ---------------------------------------------------------------------------
// Projection

// R·π/180 is the length of one degree of a great circle, metres, for the
// IUGG mean radius R = 6371008.8 m used by the package.
const metresPerDegree = earthRadius * math.Pi / 180

func TestProjectionOrigin(t *testing.T) {
	tests := []struct {
		name       string
		lon0, lat0 float64
	}{
		{"Chicago", -87.68, 41.84},
		{"San Francisco", -122.44, 37.76},
		{"equator and Greenwich", 0, 0},
		{"southern hemisphere", 151.2, -33.87},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Projection{Lon0: tt.lon0, Lat0: tt.lat0}
			got := p.Forward(tt.lon0, tt.lat0)
			// 1e-6 m: zero up to rounding of tan/atan2 at R ≈ 6.4e6 m.
			if !samePoint(got, Point{}, 1e-6) {
				t.Errorf("Forward(Lon0, Lat0): got %+v, want (0, 0)", got)
			}
		})
	}
}

func TestProjectionRoundTrip(t *testing.T) {
	p := &Projection{Lon0: -87.68, Lat0: 41.84} // centre of Chicago
	// Points up to 0.5° (≈ 40–55 km) from the centre: the city and beyond.
	for _, dlon := range []float64{-0.5, -0.2, -0.013, 0, 0.07, 0.3, 0.5} {
		for _, dlat := range []float64{-0.5, -0.1, 0, 0.004, 0.25, 0.5} {
			lon, lat := p.Lon0+dlon, p.Lat0+dlat
			q := p.Forward(lon, lat)
			glon, glat := p.Inverse(q)
			// 1e-9° ≈ 0.1 mm.
			if math.Abs(glon-lon) > 1e-9 || math.Abs(glat-lat) > 1e-9 {
				t.Errorf("Inverse(Forward(%g, %g)) = (%.12g, %.12g), want the input within 1e-9°", lon, lat, glon, glat)
			}
		}
	}
}

func TestProjectionDistances(t *testing.T) {
	p := &Projection{Lon0: -87.68, Lat0: 41}
	t.Run("0.01° of latitude on the central meridian", func(t *testing.T) {
		// On the central meridian the projection is exact: y = R·Δφ.
		// R·π/180·0.01 = 1111.95 m.
		want := metresPerDegree * 0.01
		closeTo(t, "want itself", want, 1111.95, 0.005)
		got := p.Forward(p.Lon0, p.Lat0+0.01)
		closeTo(t, "x", got.X, 0, 1e-9)
		closeTo(t, "y", got.Y, want, 1e-6)
	})
	t.Run("0.01° of longitude at 41°", func(t *testing.T) {
		// A parallel's degree is R·cos(φ)·π/180; the projection's scale
		// error this close to the central meridian is ~1e-8, so 0.01% is
		// ample.
		want := metresPerDegree * math.Cos(41*math.Pi/180) * 0.01
		got := p.Forward(p.Lon0+0.01, 41)
		closeTo(t, "x", got.X, want, 1e-4*want)
		west := p.Forward(p.Lon0-0.01, 41)
		closeTo(t, "x west (symmetry)", west.X, -got.X, 1e-9)
	})
}

func TestProjectLonLatGridIsIdentity(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 1, Cols: 1, CellM: 10, Districts: 1})
	if got, want := c.ProjectLonLat(3.5, -7), (Point{3.5, -7}); got != want {
		t.Errorf("ProjectLonLat on a grid: got %+v, want %+v", got, want)
	}
}

// ---------------------------------------------------------------------------
// FromGeoJSON

// squareFeature returns a GeoJSON Polygon feature for the lon/lat square with
// south-west corner (lon, lat) and side s degrees, with the given properties
// (a JSON object body, without braces).
func squareFeature(lon, lat, s float64, props string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{%s},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
		props, lon, lat, lon+s, lat, lon+s, lat+s, lon, lat+s, lon, lat)
}

func collection(features ...string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
}

// sphericalArea is the area in m² of the lon/lat rectangle [lon0,lon1]×[lat0,lat1]
// on the sphere of radius R: R²·Δλ·(sin φ1 − sin φ0).
func sphericalArea(lon0, lat0, lon1, lat1 float64) float64 {
	rad := math.Pi / 180
	return earthRadius * earthRadius * (lon1 - lon0) * rad * (math.Sin(lat1*rad) - math.Sin(lat0*rad))
}

// threeSquares is a FeatureCollection of three 0.01° squares in Chicago:
// A at (-87.71, 41.80), B east of A, C north of A. A and C are in district
// "7", B in district "3"; the district property of C is a number.
var threeSquares = collection(
	squareFeature(-87.71, 41.80, 0.01, `"name":"A","district":"7","population":1200,"weight":3.5`),
	squareFeature(-87.70, 41.80, 0.01, `"name":"B","district":"3","population":"800","weight":0`),
	squareFeature(-87.71, 41.81, 0.01, `"name":"C","district":7,"population":0,"weight":"2"`),
)

func TestFromGeoJSON(t *testing.T) {
	c, err := FromGeoJSON(threeSquares, AreaFields{Name: "name", District: "district", Population: "population", Weight: "weight"})
	if err != nil {
		t.Fatalf("FromGeoJSON: %v", err)
	}
	if got, want := len(c.Atoms), 3; got != want {
		t.Fatalf("atoms: got %d, want %d", got, want)
	}
	// Districts in order of first appearance: "7" (A), then "3" (B); C's
	// numeric 7 reads as "7".
	var names []string
	for _, d := range c.Districts {
		names = append(names, d.Name)
	}
	if want := []string{"7", "3"}; !slices.Equal(names, want) {
		t.Errorf("district names: got %v, want %v", names, want)
	}
	if c.Proj == nil {
		t.Fatal("Proj: got nil, want the projection centred on the bounding box")
	}
	// Centre of the bounding box [-87.71,-87.69]×[41.80,41.82].
	closeTo(t, "Lon0", c.Proj.Lon0, -87.70, 1e-12)
	closeTo(t, "Lat0", c.Proj.Lat0, 41.81, 1e-12)

	tests := []struct {
		name               string
		district           int
		population, weight float64
		lon0, lat0         float64 // south-west corner of the square
		neighbours         []int
	}{
		// C shares only the corner (-87.70, 41.81) with B: one vertex, so
		// they are not neighbours.
		{"A", 0, 1200, 3.5, -87.71, 41.80, []int{1, 2}},
		{"B", 1, 800, 0, -87.70, 41.80, []int{0}},
		{"C", 0, 0, 2, -87.71, 41.81, []int{0}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &c.Atoms[i]
			if a.Name != tt.name {
				t.Errorf("name: got %q, want %q", a.Name, tt.name)
			}
			if a.District != tt.district {
				t.Errorf("district: got %d, want %d", a.District, tt.district)
			}
			if a.Population != tt.population || a.Weight != tt.weight {
				t.Errorf("population, weight: got %g, %g, want %g, %g", a.Population, a.Weight, tt.population, tt.weight)
			}
			// Transverse Mercator is conformal, not equal-area, but within
			// 1.5 km of the centre its scale error is ~(x/R)²/2 ≈ 3e-8, so
			// the planar area matches the spherical one to 1e-5.
			want := sphericalArea(tt.lon0, tt.lat0, tt.lon0+0.01, tt.lat0+0.01)
			closeTo(t, "area", a.Area, want, 1e-5*want)
			if !slices.Equal(a.Neighbours, tt.neighbours) {
				t.Errorf("neighbours: got %v, want %v", a.Neighbours, tt.neighbours)
			}
			centre := c.ProjectLonLat(tt.lon0+0.005, tt.lat0+0.005)
			if got := c.Locate(centre); got != i {
				t.Errorf("Locate(centre of %s): got %d, want %d", tt.name, got, i)
			}
		})
	}
	if got := c.Locate(c.ProjectLonLat(-87.695, 41.815)); got != -1 {
		t.Errorf("Locate(north-east square, not in the city): got %d, want -1", got)
	}
	if got, want := c.Districts[0].Atoms, []int{0, 2}; !slices.Equal(got, want) {
		t.Errorf("district 7 atoms: got %v, want %v", got, want)
	}
}

func TestFromGeoJSONDefaults(t *testing.T) {
	tests := []struct {
		name   string
		fields AreaFields
		// wantPop, wantWeight: nil means the default, Area/1e6 (one
		// resident per km²) and weight = population.
		wantNames []string
		wantPop   []float64
		wantW     []float64
	}{
		{
			name:      "district only",
			fields:    AreaFields{District: "district"},
			wantNames: []string{"0", "1", "2"}, // feature indices
		},
		{
			name:      "population but no weight: weight = population",
			fields:    AreaFields{Name: "name", District: "district", Population: "population"},
			wantNames: []string{"A", "B", "C"},
			wantPop:   []float64{1200, 800, 0},
			wantW:     []float64{1200, 800, 0},
		},
		{
			name:      "weight but no population: population from area",
			fields:    AreaFields{District: "district", Weight: "weight"},
			wantNames: []string{"0", "1", "2"},
			wantW:     []float64{3.5, 0, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromGeoJSON(threeSquares, tt.fields)
			if err != nil {
				t.Fatalf("FromGeoJSON: %v", err)
			}
			for i := range c.Atoms {
				a := &c.Atoms[i]
				if a.Name != tt.wantNames[i] {
					t.Errorf("atom %d name: got %q, want %q", i, a.Name, tt.wantNames[i])
				}
				wantPop := a.Area / 1e6
				if tt.wantPop != nil {
					wantPop = tt.wantPop[i]
				}
				wantW := wantPop
				if tt.wantW != nil {
					wantW = tt.wantW[i]
				}
				if a.Population != wantPop || a.Weight != wantW {
					t.Errorf("atom %d population, weight: got %g, %g, want %g, %g", i, a.Population, a.Weight, wantPop, wantW)
				}
			}
			// Sanity of the default: a 0.01° square at 41.8° is ≈ 0.92 km²
			// (1.11195 km × 1.11195·cos 41.8° km).
			if tt.wantPop == nil {
				closeTo(t, "default population of A", c.Atoms[0].Population, 0.922, 0.001)
			}
		})
	}
}

func TestFromGeoJSONMultiPolygon(t *testing.T) {
	// One atom made of two 0.01° squares 0.02° apart, and a second atom
	// between them; all in one district.
	mp := `{"type":"Feature","properties":{"d":"1"},"geometry":{"type":"MultiPolygon","coordinates":[` +
		`[[[-87.71,41.80],[-87.70,41.80],[-87.70,41.81],[-87.71,41.81],[-87.71,41.80]]],` +
		`[[[-87.68,41.80],[-87.67,41.80],[-87.67,41.81],[-87.68,41.81],[-87.68,41.80]]]]}}`
	c, err := FromGeoJSON(collection(mp, squareFeature(-87.695, 41.80, 0.01, `"d":"1"`)), AreaFields{District: "d"})
	if err != nil {
		t.Fatalf("FromGeoJSON: %v", err)
	}
	want := 2 * sphericalArea(-87.71, 41.80, -87.70, 41.81)
	closeTo(t, "multipolygon area", c.Atoms[0].Area, want, 1e-5*want)
	for _, lon := range []float64{-87.705, -87.675} {
		if got := c.Locate(c.ProjectLonLat(lon, 41.805)); got != 0 {
			t.Errorf("Locate(%g, 41.805): got %d, want 0", lon, got)
		}
	}
	if got := c.Locate(c.ProjectLonLat(-87.69, 41.805)); got != 1 {
		t.Errorf("Locate(-87.69, 41.805): got %d, want 1", got)
	}
}

func TestFromGeoJSONErrors(t *testing.T) {
	square := func(props string) string { return squareFeature(-87.71, 41.80, 0.01, props) }
	fields := AreaFields{Name: "name", District: "district", Population: "population", Weight: "weight"}
	full := `"name":"A","district":"1","population":10,"weight":1`
	tests := []struct {
		name   string
		data   []byte
		fields AreaFields
		want   []string // substrings of the error
	}{
		{
			name: "not JSON", data: []byte("this is not json"), fields: fields,
			want: []string{"not a GeoJSON FeatureCollection"},
		},
		{
			name: "empty collection", data: collection(), fields: fields,
			want: []string{"no features"},
		},
		{
			name:   "point feature",
			data:   collection(square(full), `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-87.7,41.8]}}`),
			fields: fields,
			want:   []string{"feature 1", "geometry Point", "want Polygon or MultiPolygon"},
		},
		{
			name:   "null geometry",
			data:   collection(`{"type":"Feature","properties":{},"geometry":null}`),
			fields: fields,
			want:   []string{"feature 0", "geometry null"},
		},
		{
			name: "missing district", data: collection(square(full), squareFeature(-87.70, 41.80, 0.01, `"name":"B"`)),
			fields: AreaFields{Name: "name", District: "district"},
			want:   []string{"feature 1 (B)", `no property "district"`},
		},
		{
			name: "null district", data: collection(square(`"district":null`)),
			fields: AreaFields{District: "district"},
			want:   []string{"feature 0", `no property "district"`},
		},
		{
			name: "district field not named", data: collection(square(full)),
			fields: AreaFields{},
			want:   []string{"feature 0", "for the district"},
		},
		{
			name: "missing name", data: collection(square(`"district":"1"`)),
			fields: AreaFields{Name: "name", District: "district"},
			want:   []string{"feature 0", `no property "name"`},
		},
		{
			name:   "projected metres, not lon/lat",
			data:   collection(squareFeature(447000, 4630000, 1000, `"district":"1"`)),
			fields: AreaFields{District: "district"},
			want:   []string{"outside lon/lat range", "WGS 84"},
		},
		{
			name:   "latitude beyond 85°",
			data:   collection(squareFeature(10, 85, 1, `"district":"1"`)),
			fields: AreaFields{District: "district"},
			want:   []string{"outside lon/lat range"},
		},
		{
			name: "negative population", data: collection(square(`"name":"A","district":"1","population":-1,"weight":1`)),
			fields: fields,
			want:   []string{"feature 0 (A)", `"population"`, ">= 0"},
		},
		{
			name: "population not a number", data: collection(square(`"name":"A","district":"1","population":"many","weight":1`)),
			fields: fields,
			want:   []string{"feature 0 (A)", `"population"`},
		},
		{
			name: "missing weight", data: collection(square(`"name":"A","district":"1","population":3`)),
			fields: fields,
			want:   []string{"feature 0 (A)", `"weight"`},
		},
		{
			name: "negative weight", data: collection(square(`"name":"A","district":"1","population":3,"weight":-0.5`)),
			fields: fields,
			want:   []string{"feature 0 (A)", `"weight"`},
		},
		{
			name:   "polygon without area",
			data:   collection(`{"type":"Feature","properties":{"d":"1","n":"flat"},"geometry":{"type":"Polygon","coordinates":[[[-87.7,41.8],[-87.7,41.9],[-87.7,42.0],[-87.7,41.8]]]}}`),
			fields: AreaFields{Name: "n", District: "d"},
			want:   []string{`"flat"`, "no area"},
		},
		{
			name:   "ring of three positions",
			data:   collection(`{"type":"Feature","properties":{"d":"1","n":"flat"},"geometry":{"type":"Polygon","coordinates":[[[-87.7,41.8],[-87.6,41.8],[-87.7,41.8]]]}}`),
			fields: AreaFields{Name: "n", District: "d"},
			want:   []string{"feature 0", "3 positions", "at least 4"},
		},
		{
			name:   "unclosed ring",
			data:   collection(`{"type":"Feature","properties":{"d":"1","n":"open"},"geometry":{"type":"Polygon","coordinates":[[[-87.7,41.8],[-87.6,41.8],[-87.6,41.9],[-87.7,41.9]]]}}`),
			fields: AreaFields{Name: "n", District: "d"},
			want:   []string{"feature 0", "not closed", "RFC 7946"},
		},
		{
			name:   "bow tie",
			data:   collection(`{"type":"Feature","properties":{"d":"1","n":"bow"},"geometry":{"type":"Polygon","coordinates":[[[-87.7,41.8],[-87.6,41.9],[-87.6,41.8],[-87.7,41.9],[-87.7,41.8]]]}}`),
			fields: AreaFields{Name: "n", District: "d"},
			want:   []string{"feature 0", "crosses itself", "[-87.7 41.8]–[-87.6 41.9]"},
		},
		{
			name:   "hole crossing itself in a multipolygon",
			data:   collection(`{"type":"Feature","properties":{"d":"1","n":"holey"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-88,41],[-87,41],[-87,42],[-88,42],[-88,41]],[[-87.7,41.8],[-87.6,41.9],[-87.6,41.8],[-87.7,41.9],[-87.7,41.8]]]]}}`),
			fields: AreaFields{Name: "n", District: "d"},
			want:   []string{"polygon 1, ring 2 crosses itself"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromGeoJSON(tt.data, tt.fields)
			if err == nil {
				t.Fatalf("got a city of %d atoms and no error, want an error containing %q", len(c.Atoms), tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestPostsFromGeoJSON(t *testing.T) {
	c, err := FromGeoJSON(threeSquares, AreaFields{District: "district"})
	if err != nil {
		t.Fatalf("FromGeoJSON: %v", err)
	}
	data := collection(
		`{"type":"Feature","properties":{"name":"Platform 1","kind":"platform"},"geometry":{"type":"Point","coordinates":[-87.705,41.805]}}`,
		`{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-87.695,41.805]}}`,
		`{"type":"Feature","properties":{"name":"Far","kind":"station"},"geometry":{"type":"Point","coordinates":[-87.5,41.9]}}`,
	)
	if err := c.PostsFromGeoJSON(data); err != nil {
		t.Fatalf("PostsFromGeoJSON: %v", err)
	}
	tests := []struct {
		name, kind string
		lon, lat   float64
		atom       int
	}{
		{"Platform 1", "platform", -87.705, 41.805, 0},
		{"post1", "", -87.695, 41.805, 1}, // no name: "post" + feature index
		{"Far", "station", -87.5, 41.9, -1},
	}
	if len(c.Posts) != len(tests) {
		t.Fatalf("posts: got %d, want %d", len(c.Posts), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := c.Posts[i]
			if p.Name != tt.name || p.Kind != tt.kind {
				t.Errorf("name, kind: got %q, %q, want %q, %q", p.Name, p.Kind, tt.name, tt.kind)
			}
			if want := c.ProjectLonLat(tt.lon, tt.lat); p.At != want {
				t.Errorf("At: got %+v, want %+v", p.At, want)
			}
			if p.Atom != tt.atom {
				t.Errorf("Atom: got %d, want %d", p.Atom, tt.atom)
			}
		})
	}
}

func TestPostsFromGeoJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"not JSON", []byte("{"), []string{"not a GeoJSON FeatureCollection"}},
		{
			"line string",
			collection(`{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[-87.7,41.8],[-87.6,41.8]]}}`),
			[]string{"feature 0", "geometry LineString", "want Point"},
		},
		{
			"polygon after a point",
			collection(`{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-87.7,41.8]}}`,
				squareFeature(-87.71, 41.80, 0.01, `"d":"1"`)),
			[]string{"feature 1", "geometry Polygon", "want Point"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustGrid(t, GridSpec{Rows: 1, Cols: 1, CellM: 10, Districts: 1})
			err := c.PostsFromGeoJSON(tt.data)
			if err == nil {
				t.Fatalf("got no error, want one containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestAddPostOnGrid(t *testing.T) {
	c := mustGrid(t, GridSpec{Rows: 2, Cols: 2, CellM: 100, Districts: 1})
	c.AddPost("S", "station", Point{150, 50})
	c.AddPost("Out", "", Point{-5, 50})
	// (150, 50) is in cell (0, 1) = atom 1.
	if got := c.Posts[0]; got.Name != "S" || got.Kind != "station" || got.At != (Point{150, 50}) || got.Atom != 1 {
		t.Errorf("post 0: got %+v, want {S station {150 50} 1}", got)
	}
	if got := c.Posts[1].Atom; got != -1 {
		t.Errorf("post outside: got atom %d, want -1", got)
	}
}

// ---------------------------------------------------------------------------
// Travel

func TestTravelDistanceAndTime(t *testing.T) {
	a, b := Point{100, 200}, Point{400, 600} // dx = 300, dy = 400: a 3-4-5 triangle
	tests := []struct {
		name     string
		tr       Travel
		wantDist float64
	}{
		{"Euclidean", Travel{Metric: Euclidean, Detour: 1}, 500},
		{"Euclidean, Detour 0 read as 1", Travel{Metric: Euclidean}, 500},
		{"Euclidean, detour 1.3", Travel{Metric: Euclidean, Detour: 1.3}, 650},
		{"Manhattan", Travel{Metric: Manhattan, Detour: 1}, 700},
		{"Manhattan, Detour 0 read as 1", Travel{Metric: Manhattan}, 700},
		{"Manhattan, detour 1.2", Travel{Metric: Manhattan, Detour: 1.2}, 840},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closeTo(t, "Distance(a, b)", tt.tr.Distance(a, b), tt.wantDist, 1e-9)
			closeTo(t, "Distance(b, a)", tt.tr.Distance(b, a), tt.wantDist, 1e-9)
			closeTo(t, "Distance(a, a)", tt.tr.Distance(a, a), 0, 0)
			// 10 m/s = 36 km/h; Time = distance / speed.
			closeTo(t, "Time at 10 m/s", tt.tr.Time(a, b, 10), tt.wantDist/10, 1e-9)
			// 50 km/h = 50/3.6 m/s.
			closeTo(t, "Time at 50 km/h", tt.tr.Time(a, b, 50/3.6), tt.wantDist*3.6/50, 1e-9)
		})
	}
}

func TestPointDist(t *testing.T) {
	if got := (Point{1, 1}).Dist(Point{4, 5}); got != 5 { // 3-4-5
		t.Errorf("Dist: got %g, want 5", got)
	}
}

func TestLegAt(t *testing.T) {
	// From (0,0) to (300,400), departing at 10 s and arriving at 20 s.
	euc := Leg{From: Point{0, 0}, To: Point{300, 400}, Depart: 10, Arrive: 20, Metric: Euclidean}
	man := euc
	man.Metric = Manhattan
	back := Leg{From: Point{300, 400}, To: Point{0, 0}, Depart: 10, Arrive: 20, Metric: Manhattan}
	tests := []struct {
		name string
		leg  Leg
		t    float64
		want Point
	}{
		{"Euclidean before Depart", euc, 0, Point{0, 0}},
		{"Euclidean at Depart", euc, 10, Point{0, 0}},
		{"Euclidean midpoint", euc, 15, Point{150, 200}},
		{"Euclidean quarter", euc, 12.5, Point{75, 100}},
		{"Euclidean at Arrive", euc, 20, Point{300, 400}},
		{"Euclidean after Arrive", euc, 99, Point{300, 400}},
		// Manhattan path: 300 m along x, then 400 m along y, 700 m in 10 s.
		// A quarter of the time is 175 m: still on the x part.
		{"Manhattan quarter", man, 12.5, Point{175, 0}},
		// 3/7 of the time is exactly 300 m: the corner.
		{"Manhattan corner", man, 10 + 30.0/7, Point{300, 0}},
		// Three quarters is 525 m: 300 along x, then 225 along y.
		{"Manhattan three quarters", man, 17.5, Point{300, 225}},
		{"Manhattan before Depart", man, 5, Point{0, 0}},
		{"Manhattan after Arrive", man, 25, Point{300, 400}},
		// Going back (negative dx, dy): x first, then y.
		{"Manhattan back, quarter", back, 12.5, Point{125, 400}},
		{"Manhattan back, three quarters", back, 17.5, Point{0, 175}},
		// Arrive <= Depart: a stop at To.
		{"zero-length leg, before", Leg{From: Point{1, 2}, To: Point{3, 4}, Depart: 10, Arrive: 10}, 5, Point{3, 4}},
		{"zero-length leg, at", Leg{From: Point{1, 2}, To: Point{3, 4}, Depart: 10, Arrive: 10}, 10, Point{3, 4}},
		{"zero-length leg, after", Leg{From: Point{1, 2}, To: Point{3, 4}, Depart: 10, Arrive: 10}, 11, Point{3, 4}},
		{"Arrive before Depart, between", Leg{From: Point{1, 2}, To: Point{3, 4}, Depart: 10, Arrive: 5}, 7, Point{3, 4}},
		{"Arrive before Depart, after", Leg{From: Point{1, 2}, To: Point{3, 4}, Depart: 10, Arrive: 5, Metric: Manhattan}, 12, Point{3, 4}},
		{"Stay", Stay(Point{7, 8}, 3), 100, Point{7, 8}},
		{"Stay, before", Stay(Point{7, 8}, 3), 0, Point{7, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.leg.At(tt.t)
			if !samePoint(got, tt.want, 1e-9) {
				t.Errorf("At(%g): got %+v, want %+v", tt.t, got, tt.want)
			}
		})
	}
}

// TestLegAtSpeed checks that positions along a leg move at constant speed:
// the path length covered between two instants is proportional to the time.
func TestLegAtSpeed(t *testing.T) {
	for _, m := range []Metric{Euclidean, Manhattan} {
		leg := Leg{From: Point{-50, 20}, To: Point{250, -380}, Depart: 100, Arrive: 170, Metric: m}
		tr := Travel{Metric: m}
		total := tr.Distance(leg.From, leg.To)
		prev := leg.At(leg.Depart)
		covered := 0.0
		const steps = 70
		for k := 1; k <= steps; k++ {
			now := leg.Depart + float64(k)*(leg.Arrive-leg.Depart)/steps
			p := leg.At(now)
			covered += tr.Distance(prev, p) // the metric's path length, Detour 0 = 1
			prev = p
			closeTo(t, fmt.Sprintf("metric %d: path covered at step %d", m, k), covered, total*float64(k)/steps, 1e-6)
		}
	}
}

// ---------------------------------------------------------------------------
// Real data: Chicago police beats

// chicagoBeatsPath is the beats file inside the shared data folder beside
// the checkout (see shared/data/README.md).
const chicagoBeatsPath = "chicago/chicago_police_beats_2012.geojson"

// readChicagoBeats returns the beats file, skipping when it is absent outside
// CI; under CI=true a missing file is a failure.
func readChicagoBeats(tb testing.TB) []byte {
	tb.Helper()
	return readShared(tb, chicagoBeatsPath)
}

var chicagoFields = AreaFields{Name: "BEAT_NUM", District: "DISTRICT"}

func TestChicagoBeats(t *testing.T) {
	data := readChicagoBeats(t)
	c, err := FromGeoJSON(data, chicagoFields)
	if err != nil {
		t.Fatalf("FromGeoJSON: %v", err)
	}
	// Read the names and districts independently of the package.
	var raw struct {
		Features []struct {
			Properties struct{ BEAT_NUM, DISTRICT string }
		}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("json: %v", err)
	}
	// 277 polygons (shared/data/README.md); features sharing a BEAT_NUM
	// ("3100" is drawn as three) are the parts of one atom.
	if len(raw.Features) != 277 {
		t.Fatalf("features: got %d, want 277", len(raw.Features))
	}
	var wantNames, wantDistricts []string
	parts := map[string]int{}
	for _, f := range raw.Features {
		if parts[f.Properties.BEAT_NUM] == 0 {
			wantNames = append(wantNames, f.Properties.BEAT_NUM)
		}
		parts[f.Properties.BEAT_NUM]++
		if !slices.Contains(wantDistricts, f.Properties.DISTRICT) {
			wantDistricts = append(wantDistricts, f.Properties.DISTRICT)
		}
	}
	if got, want := len(c.Atoms), len(wantNames); got != want {
		t.Fatalf("atoms: got %d, want %d (distinct BEAT_NUM)", got, want)
	}
	for i, name := range wantNames {
		a := &c.Atoms[i]
		if a.Name != name {
			t.Errorf("atom %d name: got %q, want %q", i, a.Name, name)
		}
		if len(a.shape) < parts[name] {
			t.Errorf("beat %s: %d polygons, want at least the %d features", name, len(a.shape), parts[name])
		}
		if !multiPolygonHolds(a.shape, a.Inside) {
			t.Errorf("beat %s: Inside %+v is outside the beat", name, a.Inside)
		}
	}
	if len(c.Districts) != len(wantDistricts) {
		t.Errorf("districts: got %d, want %d (distinct DISTRICT values)", len(c.Districts), len(wantDistricts))
	}
	total := 0.0
	for i := range c.Atoms {
		a := &c.Atoms[i]
		total += a.Area
		if len(a.Neighbours) == 0 {
			t.Errorf("atom %d (beat %s): no neighbours", i, a.Name)
		}
		// Default population: one per km².
		if a.Population != a.Area/1e6 || a.Weight != a.Population {
			t.Errorf("atom %d: population, weight = %g, %g, want area/1e6 = %g for both", i, a.Population, a.Weight, a.Area/1e6)
		}
	}
	// 605 km²: shared/data/README.md; 1% tolerance.
	closeTo(t, "total area, km²", total/1e6, 605, 6.05)
	for d := range c.Districts {
		if len(c.Districts[d].Atoms) == 0 {
			t.Errorf("district %q: no atoms", c.Districts[d].Name)
		}
	}
	// Every draw from a beat lies in that beat; Locate gives that beat or a
	// lower one whose polygon overlaps it there (borders digitised twice).
	// A fixed seed, 50 draws per beat.
	r := rand.New(rand.NewPCG(11, 12))
	for i := range c.Atoms {
		for range 50 {
			p := c.RandomPoint(i, r)
			got := c.Locate(p)
			if !multiPolygonHolds(c.Atoms[i].shape, p) || got < 0 || got > i {
				t.Errorf("RandomPoint(%d) = %+v: Locate got %d, want %d (or a lower overlapping beat)", i, p, got, i)
				break
			}
		}
	}
}

func BenchmarkFromGeoJSONChicago(b *testing.B) {
	data := readChicagoBeats(b)
	for b.Loop() {
		if _, err := FromGeoJSON(data, chicagoFields); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocateChicago(b *testing.B) {
	c, err := FromGeoJSON(readChicagoBeats(b), chicagoFields)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	bd := c.Bound()
	pts := make([]Point, 1024)
	for i := range pts {
		pts[i] = Point{bd.Min[0] + r.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + r.Float64()*(bd.Max[1]-bd.Min[1])}
	}
	i := 0
	for b.Loop() {
		c.Locate(pts[i%len(pts)])
		i++
	}
}

// TestLocateRasterMatchesScan checks Locate's raster against the scan of
// the index cell's candidates (locateScan, the rule the raster keeps) on
// Chicago's beats (overlapping borders digitised twice), San Francisco's
// districts (thousands of vertices an atom) and a jittered lattice: at
// uniform points of the city's box and beyond it, and at points on, a
// rounding error from and borderTol either side of the atoms' edges.
func TestLocateRasterMatchesScan(t *testing.T) {
	cities := map[string]*City{"jittered": jitteredCity(t, 28, 18, 700)}
	for name, path := range map[string]struct {
		file   string
		fields AreaFields
	}{"chicago": {chicagoBeatsPath, chicagoFields}, "sf": {sfDistrictsPath, AreaFields{Name: "DISTRICT", District: "DISTRICT"}}} {
		c, err := FromGeoJSON(readShared(t, path.file), path.fields)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cities[name] = c
	}
	// The raster in 32 bits, as a city of more than 32767 atoms has it.
	wide := jitteredCity(t, 28, 18, 700)
	for _, v := range wide.index.fine {
		wide.index.fine32 = append(wide.index.fine32, int32(v))
	}
	wide.index.fine = nil
	cities["jittered32"] = wide
	for _, name := range []string{"chicago", "jittered", "jittered32", "sf"} {
		c := cities[name]
		r := rand.New(rand.NewPCG(19, 16))
		b := c.Bound()
		w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
		var pts []Point
		for range 200000 {
			pts = append(pts, Point{b.Min[0] - 0.05*w + 1.1*w*r.Float64(), b.Min[1] - 0.05*h + 1.1*h*r.Float64()})
		}
		for i := range c.Atoms {
			for _, poly := range c.Atoms[i].shape {
				for _, ring := range poly {
					for k := 1; k < len(ring); k += max(1, len(ring)/50) {
						a, q := ring[k-1], ring[k]
						f := r.Float64()
						p := Point{a[0] + f*(q[0]-a[0]), a[1] + f*(q[1]-a[1])}
						pts = append(pts, p, Point{a[0], a[1]}, Point{math.Nextafter(p.X, math.Inf(1)), p.Y},
							Point{p.X - 0.9*borderTol, p.Y}, Point{p.X + 0.9*borderTol, p.Y},
							Point{p.X, p.Y - 1.1*borderTol}, Point{p.X, p.Y + 1.1*borderTol},
							Point{p.X + 1e-3*(r.Float64()-0.5), p.Y + 1e-3*(r.Float64()-0.5)})
					}
				}
			}
		}
		bad := 0
		for _, p := range pts {
			if got, want := c.Locate(p), c.locateScan(p); got != want {
				if bad++; bad <= 5 {
					t.Errorf("%s: Locate(%+v) = %d, the scan gives %d", name, p, got, want)
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d points differ", name, bad, len(pts))
		}
		// LocateAll: Locate's answers, in passes over a batch.
		all := make([]int32, len(pts))
		c.LocateAll(pts, all)
		bad = 0
		for i, p := range pts {
			if got, want := int(all[i]), c.locateScan(p); got != want {
				if bad++; bad <= 5 {
					t.Errorf("%s: LocateAll: point %d %+v: %d, the scan gives %d", name, i, p, got, want)
				}
			}
		}
	}
}

// jitteredCity returns a lattice of rows × cols cells of side m whose
// inner corners are moved up to a fifth of a side either way (as the
// communities of sim's BenchmarkScale).
func jitteredCity(tb testing.TB, cols, rows int, m float64) *City {
	tb.Helper()
	r := rand.New(rand.NewPCG(2011, 1027))
	corner := make([][]orb.Point, rows+1)
	for i := range corner {
		corner[i] = make([]orb.Point, cols+1)
		for j := range corner[i] {
			x, y := float64(j)*m, float64(i)*m
			if i > 0 && i < rows && j > 0 && j < cols {
				x += (r.Float64() - 0.5) * 0.4 * m
				y += (r.Float64() - 0.5) * 0.4 * m
			}
			corner[i][j] = orb.Point{x, y}
		}
	}
	c := &City{Districts: []District{{Name: "D"}}}
	for i := range rows {
		for j := range cols {
			ring := orb.Ring{corner[i][j], corner[i][j+1], corner[i+1][j+1], corner[i+1][j], corner[i][j]}
			c.Atoms = append(c.Atoms, Atom{Name: fmt.Sprintf("c%d-%d", i, j), Population: 1, Weight: 1, shape: orb.MultiPolygon{{ring}}})
		}
	}
	if err := c.Finish(); err != nil {
		tb.Fatal(err)
	}
	return c
}
