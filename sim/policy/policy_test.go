package policy_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// ---------------------------------------------------------------------------
// Helpers

func mustGrid(tb testing.TB, g geo.GridSpec) *geo.City {
	tb.Helper()
	c, err := geo.NewGrid(g)
	if err != nil {
		tb.Fatalf("NewGrid(%+v): %v", g, err)
	}
	return c
}

func allAtoms(c *geo.City) []int {
	out := make([]int, len(c.Atoms))
	for i := range out {
		out[i] = i
	}
	return out
}

// districtUnit, communityUnit and postUnit lay out a unit the way
// sim.NewModel does.
func districtUnit(c *geo.City, typ, d int) policy.Unit {
	at := c.Districts[d].Base
	return policy.Unit{Type: typ, TypeName: fmt.Sprintf("T%d", typ), Squad: 2, Home: policy.HomeDistrict,
		District: d, Atom: c.Locate(at), Post: -1, At: at}
}

func communityUnit(c *geo.City, typ, atom int) policy.Unit {
	return policy.Unit{Type: typ, TypeName: fmt.Sprintf("T%d", typ), Squad: 2, Home: policy.HomeCommunity,
		District: c.Atoms[atom].District, Atom: atom, Post: -1, At: c.Atoms[atom].Centroid}
}

func postUnit(c *geo.City, typ, post int) policy.Unit {
	p := c.Posts[post]
	d := 0
	if p.Atom >= 0 {
		d = c.Atoms[p.Atom].District
	}
	return policy.Unit{Type: typ, TypeName: fmt.Sprintf("T%d", typ), Squad: 4, Home: policy.HomePost,
		District: d, Atom: p.Atom, Post: post, At: p.At}
}

// newPolicy looks up, resolves and builds a registered policy governing
// units.
func newPolicy(tb testing.TB, name string, w *policy.World, units []int, raw map[string]float64) policy.Policy {
	tb.Helper()
	spec, ok := policy.Lookup(name)
	if !ok {
		tb.Fatalf("Lookup(%q): not registered", name)
	}
	vals, err := spec.Resolve(raw)
	if err != nil {
		tb.Fatalf("Resolve(%v): %v", raw, err)
	}
	p, err := spec.New(w, units, vals)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return p
}

func unitIndices(w *policy.World) []int {
	out := make([]int, len(w.Units))
	for i := range out {
		out[i] = i
	}
	return out
}

// ---------------------------------------------------------------------------
// Beats

// checkBeats checks the documented contract of Beats(c, atoms, k) for k >= 1:
// k non-empty beats of atoms from the input; for k <= len(atoms) an exact
// partition; for k > len(atoms) one atom each, every atom used.
func checkBeats(t *testing.T, atoms []int, k int, beats [][]int) {
	t.Helper()
	if len(beats) != k {
		t.Fatalf("got %d beats, want %d", len(beats), k)
	}
	count := map[int]int{}
	for j, b := range beats {
		if len(b) == 0 {
			t.Errorf("beat %d is empty", j)
		}
		if k > len(atoms) && len(b) != 1 {
			t.Errorf("k=%d > %d atoms: beat %d has %d atoms %v, want 1", k, len(atoms), j, len(b), b)
		}
		for _, a := range b {
			if !slices.Contains(atoms, a) {
				t.Errorf("beat %d holds atom %d, not in the input", j, a)
			}
			count[a]++
		}
	}
	for _, a := range atoms {
		switch {
		case count[a] == 0:
			t.Errorf("atom %d is in no beat", a)
		case k <= len(atoms) && count[a] != 1:
			t.Errorf("atom %d is in %d beats, want exactly 1", a, count[a])
		}
	}
}

func beatWeight(c *geo.City, beat []int) float64 {
	s := 0.0
	for _, a := range beat {
		s += c.Atoms[a].Weight
	}
	return s
}

func TestBeatsContract(t *testing.T) {
	grids := []geo.GridSpec{
		{Rows: 1, Cols: 1, CellM: 100, Districts: 1},
		{Rows: 1, Cols: 6, CellM: 100, Districts: 1},
		{Rows: 2, Cols: 3, CellM: 100, Districts: 1},
		{Rows: 3, Cols: 3, CellM: 100, Districts: 1},
		{Rows: 4, Cols: 6, CellM: 250, Districts: 2},
		{Rows: 5, Cols: 7, CellM: 100, Districts: 3},
		{Rows: 10, Cols: 10, CellM: 50, Districts: 5},
	}
	for _, g := range grids {
		c := mustGrid(t, g)
		// The whole city, and each district on its own.
		sets := map[string][]int{"all": allAtoms(c)}
		names := []string{"all"}
		for d := range c.Districts {
			name := c.Districts[d].Name
			sets[name] = c.Districts[d].Atoms
			names = append(names, name)
		}
		for _, set := range names {
			atoms := sets[set]
			n := len(atoms)
			for _, k := range []int{1, 2, 3, 5, 7, n, n + 3} {
				t.Run(fmt.Sprintf("%dx%d/%s/k=%d", g.Rows, g.Cols, set, k), func(t *testing.T) {
					in := slices.Clone(atoms)
					beats := policy.Beats(c, atoms, k)
					if !slices.Equal(atoms, in) {
						t.Errorf("Beats modified its input: got %v, want %v", atoms, in)
					}
					checkBeats(t, atoms, k, beats)
					if again := policy.Beats(c, atoms, k); !reflect.DeepEqual(beats, again) {
						t.Errorf("not deterministic: got %v, then %v", beats, again)
					}
					// Balance, uniform weights (every grid cell weighs 1):
					// each beat within one atom's weight of total/k.
					if k <= n {
						total := float64(n)
						for j, b := range beats {
							if w := beatWeight(c, b); math.Abs(w-total/float64(k)) > 1 {
								t.Errorf("beat %d weight: got %g, want %g ± 1 (one atom)", j, w, total/float64(k))
							}
						}
					}
					if k <= n && n%k == 0 {
						for j, b := range beats {
							if len(b) != n/k {
								t.Errorf("k divides n: beat %d has %d atoms, want %d", j, len(b), n/k)
							}
						}
					}
				})
			}
		}
	}
}

func TestBeatsGolden(t *testing.T) {
	tests := []struct {
		name    string
		g       geo.GridSpec
		weights []float64 // nil: the grid's weight 1 everywhere
		k       int
		want    [][]int
	}{
		{
			// k=4: round(sqrt 4) = 2 bands over centroid y 50..350, height 150:
			// rows 0-1 in band 0 (west to east), rows 2-3 in band 1 (east to
			// west); ties in x broken by atom index. Cut every 4 atoms.
			name: "4x4 serpentine, k=4",
			g:    geo.GridSpec{Rows: 4, Cols: 4, CellM: 100, Districts: 1},
			k:    4,
			want: [][]int{{0, 4, 1, 5}, {2, 6, 3, 7}, {11, 15, 10, 14}, {9, 13, 8, 12}},
		},
		{
			// One band: west to east. Total 8, half 4: the running weight to
			// the middle of atom 4 is 4+2 = 6 >= 4, so the cut is before it.
			name:    "heavy last atom, k=2",
			g:       geo.GridSpec{Rows: 1, Cols: 5, CellM: 100, Districts: 1},
			weights: []float64{1, 1, 1, 1, 4},
			k:       2,
			want:    [][]int{{0, 1, 2, 3}, {4}},
		},
		{
			// Total 12, half 6: the middle of atom 0 is at 5 < 6, so atom 0
			// alone; a beat cannot be balanced below one atom's weight.
			name:    "heavy first atom, k=2",
			g:       geo.GridSpec{Rows: 1, Cols: 3, CellM: 100, Districts: 1},
			weights: []float64{10, 1, 1},
			k:       2,
			want:    [][]int{{0}, {1, 2}},
		},
		{
			// All weights zero: every cut is clamped so each beat keeps at
			// least one atom, and the last takes the rest.
			name:    "zero weights, k=3",
			g:       geo.GridSpec{Rows: 1, Cols: 5, CellM: 100, Districts: 1},
			weights: []float64{0, 0, 0, 0, 0},
			k:       3,
			want:    [][]int{{0}, {1}, {2, 3, 4}},
		},
		{
			// Negative weights count as 0: the same as two zeros and two ones.
			name:    "negative weight read as 0, k=2",
			g:       geo.GridSpec{Rows: 1, Cols: 4, CellM: 100, Districts: 1},
			weights: []float64{-5, 0, 1, 1},
			k:       2,
			want:    [][]int{{0, 1, 2}, {3}},
		},
		{
			// k=5 > 3 atoms: beat j is atom order[j·3/5] = 0,0,1,1,2.
			name: "k exceeds atoms",
			g:    geo.GridSpec{Rows: 1, Cols: 3, CellM: 100, Districts: 1},
			k:    5,
			want: [][]int{{0}, {0}, {1}, {1}, {2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustGrid(t, tt.g)
			for i, w := range tt.weights {
				c.Atoms[i].Weight = w
			}
			got := policy.Beats(c, allAtoms(c), tt.k)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Beats: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBeatsBalanceRandomWeights checks the balance on weights drawn uniformly
// from [0.5, 1.5]: the cut where the running weight crosses j/k of the total,
// counted to each atom's middle, puts each beat within one (the largest)
// atom's weight of total/k. With 100 atoms and k <= 10 each beat's share is
// >= 5 atoms' minimum weight, so no cut is clamped.
func TestBeatsBalanceRandomWeights(t *testing.T) {
	c := mustGrid(t, geo.GridSpec{Rows: 10, Cols: 10, CellM: 100, Districts: 1})
	r := rand.New(rand.NewPCG(21, 22)) // fixed seed
	total, maxW := 0.0, 0.0
	for i := range c.Atoms {
		c.Atoms[i].Weight = 0.5 + r.Float64()
		total += c.Atoms[i].Weight
		maxW = max(maxW, c.Atoms[i].Weight)
	}
	for k := 1; k <= 10; k++ {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			beats := policy.Beats(c, allAtoms(c), k)
			checkBeats(t, allAtoms(c), k, beats)
			for j, b := range beats {
				if w := beatWeight(c, b); math.Abs(w-total/float64(k)) > maxW {
					t.Errorf("beat %d weight: got %g, want %g ± %g (largest atom)", j, w, total/float64(k), maxW)
				}
			}
		})
	}
}

func TestBeatsDegenerate(t *testing.T) {
	c := mustGrid(t, geo.GridSpec{Rows: 2, Cols: 2, CellM: 100, Districts: 1})
	tests := []struct {
		name  string
		atoms []int
		k     int
	}{
		{"k = 0", allAtoms(c), 0},
		{"k < 0", allAtoms(c), -2},
		{"no atoms", nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.Beats(c, tt.atoms, tt.k); got != nil {
				t.Errorf("Beats: got %v, want nil", got)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Registry and parameters

func TestRegistry(t *testing.T) {
	names := policy.Names()
	if !sort.StringsAreSorted(names) {
		t.Errorf("Names: got %v, want sorted", names)
	}
	for _, want := range []string{"posts", "random", "static-beats"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names: got %v, want it to include %q", names, want)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, ok := policy.Lookup(name)
			if !ok || s == nil {
				t.Fatalf("Lookup(%q): got %v, %v, want the spec", name, s, ok)
			}
			if s.Name != name {
				t.Errorf("spec name: got %q, want %q", s.Name, name)
			}
			if s.Doc == "" || s.New == nil {
				t.Errorf("spec %q: Doc %q, New nil: %v; want both set", name, s.Doc, s.New == nil)
			}
			for _, p := range s.Params {
				if p.Default < p.Min || p.Default > p.Max || p.Doc == "" {
					t.Errorf("param %s: default %g outside [%g, %g] or no doc", p.Name, p.Default, p.Min, p.Max)
				}
			}
			if _, err := s.Resolve(nil); err != nil {
				t.Errorf("Resolve(nil): got %v, want the defaults", err)
			}
		})
	}
	for _, name := range []string{"nope", "", "Random", "static_beats"} {
		if s, ok := policy.Lookup(name); ok {
			t.Errorf("Lookup(%q): got %v, true, want false", name, s)
		}
	}
}

func TestResolve(t *testing.T) {
	// A spec with a parameter of each kind, to test Resolve on its own.
	custom := &policy.Spec{Name: "custom", Params: []policy.Param{
		{Name: "wait", Kind: policy.Duration, Default: 60, Min: 1, Max: 3600},
		{Name: "share", Kind: policy.Number, Default: 0.5, Min: 0, Max: 1},
		{Name: "count", Kind: policy.Integer, Default: 3, Min: 1, Max: 10},
	}}
	random, _ := policy.Lookup("random")
	posts, _ := policy.Lookup("posts")
	tests := []struct {
		name    string
		spec    *policy.Spec
		raw     map[string]float64
		want    policy.Values // when no error
		wantErr []string      // substrings of the error
	}{
		// Default dwell: 15 min = 900 s (Koper 1995, see dwellParam).
		{name: "random defaults", spec: random, raw: nil, want: policy.Values{"dwell": 900}},
		{name: "random dwell set", spec: random, raw: map[string]float64{"dwell": 600}, want: policy.Values{"dwell": 600}},
		// dwell range [1 s, 86400 s = 1 day], closed.
		{name: "random dwell at min", spec: random, raw: map[string]float64{"dwell": 1}, want: policy.Values{"dwell": 1}},
		{name: "random dwell at max", spec: random, raw: map[string]float64{"dwell": 86400}, want: policy.Values{"dwell": 86400}},
		{name: "random dwell fractional", spec: random, raw: map[string]float64{"dwell": 1.5}, want: policy.Values{"dwell": 1.5}},
		{name: "random dwell 0", spec: random, raw: map[string]float64{"dwell": 0},
			wantErr: []string{"dwell", "random", "[1, 86400]", "got 0"}},
		{name: "random dwell too long", spec: random, raw: map[string]float64{"dwell": 86401},
			wantErr: []string{"dwell", "got 86401"}},
		{name: "random dwell negative", spec: random, raw: map[string]float64{"dwell": -5},
			wantErr: []string{"dwell", "got -5"}},
		{name: "random dwell NaN", spec: random, raw: map[string]float64{"dwell": math.NaN()},
			wantErr: []string{"dwell", "got NaN"}},
		{name: "random dwell +Inf", spec: random, raw: map[string]float64{"dwell": math.Inf(1)},
			wantErr: []string{"dwell", "got +Inf"}},
		{name: "random unknown parameter", spec: random, raw: map[string]float64{"dwel": 60},
			wantErr: []string{`unknown parameter "dwel"`, "random", "valid: dwell"}},
		{name: "unknown and out of range together", spec: random, raw: map[string]float64{"speed": 3, "dwell": 0},
			wantErr: []string{`unknown parameter "speed"`, "got 0"}},
		{name: "posts takes none", spec: posts, raw: nil, want: policy.Values{}},
		{name: "posts rejects dwell", spec: posts, raw: map[string]float64{"dwell": 60},
			wantErr: []string{`unknown parameter "dwell"`, "posts", "valid: none"}},
		{name: "custom defaults", spec: custom, raw: map[string]float64{},
			want: policy.Values{"wait": 60, "share": 0.5, "count": 3}},
		{name: "custom integer", spec: custom, raw: map[string]float64{"count": 10, "share": 0},
			want: policy.Values{"wait": 60, "share": 0, "count": 10}},
		{name: "custom integer not whole", spec: custom, raw: map[string]float64{"count": 2.5},
			wantErr: []string{"count", "got 2.5"}},
		{name: "custom number above range", spec: custom, raw: map[string]float64{"share": 1.01},
			wantErr: []string{"share", "[0, 1]", "got 1.01"}},
		{name: "custom unknown lists all", spec: custom, raw: map[string]float64{"x": 1},
			wantErr: []string{`unknown parameter "x"`, "valid: wait, share, count"}},
		{name: "custom collects every error", spec: custom, raw: map[string]float64{"wait": 0, "share": 2, "count": 0.5, "zz": 1},
			wantErr: []string{"wait", "got 0", "share", "got 2", "count", "got 0.5", `"zz"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.spec.Resolve(tt.raw)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Resolve(%v): got %v and no error, want an error containing %q", tt.raw, got, tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("got error %q, want it to contain %q", err, w)
					}
				}
				if got != nil {
					t.Errorf("values with an error: got %v, want nil", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%v): %v", tt.raw, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve(%v): got %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Policies

// testWorld is a 6×6 grid of 100 m cells in three districts of two columns
// each, with one post at (250, 250) (atom 14, district 1), one closed patrol
// route round the cell centres of the city's edge, and a force of every kind
// of unit.
func testWorld(t *testing.T) *policy.World {
	t.Helper()
	c := mustGrid(t, geo.GridSpec{Rows: 6, Cols: 6, CellM: 100, Districts: 3})
	c.AddPost("P1", "platform", geo.Point{X: 250, Y: 250})
	if err := c.AddRoute("ring", "", []geo.Point{{X: 50, Y: 50}, {X: 550, Y: 50}, {X: 550, Y: 550}, {X: 50, Y: 550}, {X: 50, Y: 50}}); err != nil {
		t.Fatalf("AddRoute: %v", err)
	}
	return &policy.World{City: c, Rate: func(a int, t float64) float64 { return 1.0 / 86400 }, Units: []policy.Unit{
		districtUnit(c, 0, 0),   // 0
		districtUnit(c, 1, 0),   // 1: another type in the same district
		districtUnit(c, 0, 0),   // 2
		districtUnit(c, 0, 1),   // 3
		communityUnit(c, 2, 20), // 4: atom 20 = row 3, column 2
		districtUnit(c, 0, 0),   // 5
		postUnit(c, 3, 0),       // 6
		districtUnit(c, 0, 1),   // 7
		districtUnit(c, 0, 2),   // 8
	}}
}

// orders asks p for n orders for unit u, from one generator.
func orders(p policy.Policy, u, n int, r *rand.Rand) []policy.Order {
	out := make([]policy.Order, n)
	pos := geo.Point{}
	for i := range out {
		out[i] = p.Next(float64(i)*60, u, pos, r)
		pos = out[i].To
	}
	return out
}

func TestRandomPolicy(t *testing.T) {
	w := testWorld(t)
	c := w.City
	const dwell = 600 // seconds, set below
	p := newPolicy(t, "random", w, unitIndices(w), map[string]float64{"dwell": dwell})
	r := rand.New(rand.NewPCG(1, 2)) // fixed seed
	for u := range w.Units {
		unit := w.Units[u]
		t.Run(fmt.Sprintf("unit %d", u), func(t *testing.T) {
			for k, o := range orders(p, u, 300, r) {
				if unit.Home == policy.HomePost {
					if o.To != unit.At || !math.IsInf(o.Dwell, 1) {
						t.Fatalf("order %d: got %+v, want To = home %+v, Dwell = +Inf", k, o, unit.At)
					}
					continue
				}
				if o.Dwell != dwell {
					t.Fatalf("order %d: Dwell got %g, want %d", k, o.Dwell, dwell)
				}
				a := c.Locate(o.To)
				if a < 0 {
					t.Fatalf("order %d: To %+v is outside the city", k, o.To)
				}
				switch unit.Home {
				case policy.HomeCommunity:
					if a != unit.Atom {
						t.Fatalf("order %d: To %+v in atom %d, want the community %d", k, o.To, a, unit.Atom)
					}
				case policy.HomeDistrict:
					if c.Atoms[a].District != unit.District {
						t.Fatalf("order %d: To %+v in atom %d of district %d, want district %d", k, o.To, a, c.Atoms[a].District, unit.District)
					}
				}
			}
		})
	}
}

// TestRandomPolicyCoversDistrict checks that the random policy spreads a
// district unit's stops evenly over the 12 equal cells of its district: each
// gets 1/12 of n draws; the binomial standard error of a count is
// sqrt(n·p·(1-p)), and the tolerance is 4 of them.
func TestRandomPolicyCoversDistrict(t *testing.T) {
	w := testWorld(t)
	c := w.City
	p := newPolicy(t, "random", w, unitIndices(w), nil)
	const n = 6000
	count := map[int]int{}
	r := rand.New(rand.NewPCG(3, 4)) // fixed seed
	for _, o := range orders(p, 0, n, r) {
		count[c.Locate(o.To)]++
	}
	atoms := c.Districts[0].Atoms
	pr := 1 / float64(len(atoms))
	se := math.Sqrt(n * pr * (1 - pr))
	for _, a := range atoms {
		if got := float64(count[a]); math.Abs(got-n*pr) > 4*se {
			t.Errorf("atom %d: got %g stops, want %g ± %.0f", a, got, n*pr, 4*se)
		}
	}
}

// TestRandomPolicyAreaWeighted checks that the random policy draws a point
// uniformly over the district's area, so a cell three times as large gets
// three times the stops. The two cells are lon/lat rectangles 0.01° and 0.03°
// wide; the expected share is read from their projected areas, and the
// tolerance is 4 binomial standard errors, sqrt(p(1-p)/n).
func TestRandomPolicyAreaWeighted(t *testing.T) {
	data := []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"d":"1"},"geometry":{"type":"Polygon","coordinates":[[[-87.71,41.80],[-87.70,41.80],[-87.70,41.81],[-87.71,41.81],[-87.71,41.80]]]}},
{"type":"Feature","properties":{"d":"1"},"geometry":{"type":"Polygon","coordinates":[[[-87.70,41.80],[-87.67,41.80],[-87.67,41.81],[-87.70,41.81],[-87.70,41.80]]]}}]}`)
	c, err := geo.FromGeoJSON(data, geo.AreaFields{District: "d"})
	if err != nil {
		t.Fatalf("FromGeoJSON: %v", err)
	}
	w := &policy.World{City: c, Units: []policy.Unit{districtUnit(c, 0, 0)}}
	p := newPolicy(t, "random", w, []int{0}, nil)
	const n = 4000
	want := c.Atoms[1].Area / (c.Atoms[0].Area + c.Atoms[1].Area) // ≈ 3/4
	in1 := 0
	r := rand.New(rand.NewPCG(5, 6)) // fixed seed
	for _, o := range orders(p, 0, n, r) {
		switch c.Locate(o.To) {
		case 1:
			in1++
		case 0:
		default:
			t.Fatalf("To %+v outside the district", o.To)
		}
	}
	se := math.Sqrt(want * (1 - want) / n)
	if got := float64(in1) / n; math.Abs(got-want) > 4*se {
		t.Errorf("share of stops in the large cell: got %.4f, want %.4f ± %.4f", got, want, 4*se)
	}
}

// expectedBeats groups the district-homed units among units by (type,
// district) in unit order and cuts each group's district with Beats, as the
// static-beats policy documents; it returns each unit's beat.
func expectedBeats(w *policy.World, units []int) map[int][]int {
	type key struct{ typ, district int }
	groups := map[key][]int{}
	for _, u := range units {
		unit := w.Units[u]
		if unit.Home == policy.HomeDistrict {
			k := key{unit.Type, unit.District}
			groups[k] = append(groups[k], u)
		}
	}
	out := map[int][]int{}
	for k, members := range groups {
		parts := policy.Beats(w.City, w.City.Districts[k.district].Atoms, len(members))
		for i, u := range members {
			out[u] = parts[i]
		}
	}
	return out
}

func TestStaticBeatsPolicy(t *testing.T) {
	tests := []struct {
		name  string
		units []int // governed units; nil: all
	}{
		{"all units", nil},
		// Units 0 and 2 alone share district 0 as two beats instead of three.
		{"a subset", []int{0, 2, 4, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := testWorld(t)
			c := w.City
			units := tt.units
			if units == nil {
				units = unitIndices(w)
			}
			beat := expectedBeats(w, units)
			const dwell = 300 // seconds, set below
			p := newPolicy(t, "static-beats", w, units, map[string]float64{"dwell": dwell})
			r := rand.New(rand.NewPCG(7, 8)) // fixed seed
			for _, u := range units {
				unit := w.Units[u]
				visited := map[int]bool{}
				for k, o := range orders(p, u, 300, r) {
					if unit.Home == policy.HomePost {
						if o.To != unit.At || !math.IsInf(o.Dwell, 1) {
							t.Fatalf("unit %d order %d: got %+v, want To = home %+v, Dwell = +Inf", u, k, o, unit.At)
						}
						continue
					}
					if o.Dwell != dwell {
						t.Fatalf("unit %d order %d: Dwell got %g, want %d", u, k, o.Dwell, dwell)
					}
					a := c.Locate(o.To)
					visited[a] = true
					switch unit.Home {
					case policy.HomeCommunity:
						if a != unit.Atom {
							t.Fatalf("unit %d order %d: To %+v in atom %d, want the community %d", u, k, o.To, a, unit.Atom)
						}
					case policy.HomeDistrict:
						if !slices.Contains(beat[u], a) {
							t.Fatalf("unit %d order %d: To %+v in atom %d, want one of its beat %v", u, k, o.To, a, beat[u])
						}
					}
				}
				// Beats here hold at most 12 atoms: with 300 uniform draws the
				// chance of missing one is below 12·(11/12)^300 ≈ 5e-11.
				if unit.Home == policy.HomeDistrict && len(visited) != len(beat[u]) {
					t.Errorf("unit %d: visited atoms %v, want all of its beat %v", u, visited, beat[u])
				}
			}
		})
	}
}

// TestStaticBeatsPartitionDistrict checks that the beats of the type-0 units
// of district 0 (units 0, 2, 5) cut the district into three disjoint parts.
func TestStaticBeatsPartitionDistrict(t *testing.T) {
	w := testWorld(t)
	beat := expectedBeats(w, unitIndices(w))
	var union []int
	for _, u := range []int{0, 2, 5} {
		union = append(union, beat[u]...)
	}
	slices.Sort(union)
	if want := w.City.Districts[0].Atoms; !slices.Equal(union, want) {
		t.Errorf("union of the beats of units 0, 2, 5: got %v, want district 0's atoms %v", union, want)
	}
	// Unit 1, the only type-1 unit of district 0, patrols the whole district.
	got := slices.Sorted(slices.Values(beat[1]))
	if want := w.City.Districts[0].Atoms; !slices.Equal(got, want) {
		t.Errorf("beat of unit 1: got %v, want district 0's atoms %v", got, want)
	}
}

func TestPostsPolicy(t *testing.T) {
	w := testWorld(t)
	p := newPolicy(t, "posts", w, unitIndices(w), nil)
	r := rand.New(rand.NewPCG(9, 10)) // fixed seed
	for u, unit := range w.Units {
		for k, o := range orders(p, u, 5, r) {
			if o.To != unit.At || !math.IsInf(o.Dwell, 1) {
				t.Errorf("unit %d order %d: got %+v, want To = home %+v, Dwell = +Inf", u, k, o, unit.At)
			}
		}
	}
}

// TestPoliciesDeterministic builds every registered policy twice and asks
// both for orders with generators of the same seed, interleaving units: the
// orders must be identical.
func TestPoliciesDeterministic(t *testing.T) {
	for _, name := range policy.Names() {
		t.Run(name, func(t *testing.T) {
			w := testWorld(t)
			p1 := newPolicy(t, name, w, unitIndices(w), nil)
			p2 := newPolicy(t, name, w, unitIndices(w), nil)
			r1 := rand.New(rand.NewPCG(42, 1))
			r2 := rand.New(rand.NewPCG(42, 1))
			for k := range 500 {
				u := k % len(w.Units)
				now := float64(k) * 30
				pos := geo.Point{X: float64(k), Y: 1}
				if o1, o2 := p1.Next(now, u, pos, r1), p2.Next(now, u, pos, r2); o1 != o2 {
					t.Fatalf("call %d (unit %d): got %+v and %+v, want identical orders", k, u, o1, o2)
				}
			}
		})
	}
}
