package policy_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// ---------------------------------------------------------------------------
// Helpers for the hot-spot policies (follow-incidents, hotspot-oracle)

// hotspotPolicy is what follow-incidents and hotspot-oracle implement: the
// policy interfaces the engine uses, and Score and Hot for inspection.
type hotspotPolicy interface {
	policy.Policy
	policy.Learner
	policy.Updater
	policy.Assumer
	Score(a int, t float64) float64
	Hot() [][]int
}

func newHotspot(tb testing.TB, name string, w *policy.World, units []int, raw map[string]float64) hotspotPolicy {
	tb.Helper()
	p := newPolicy(tb, name, w, units, raw)
	h, ok := p.(hotspotPolicy)
	if !ok {
		tb.Fatalf("policy %s (%T): does not implement Learner, Updater, Assumer, Score and Hot", name, p)
	}
	return h
}

// hotWorld is a 4×6 grid of 100 m cells (atom = row·6 + column) in three
// districts of two columns each:
//
//	district 0: atoms 0, 1, 6, 7, 12, 13, 18, 19
//	district 1: atoms 2, 3, 8, 9, 14, 15, 20, 21
//	district 2: atoms 4, 5, 10, 11, 16, 17, 22, 23
//
// with one post at (450, 350) (atom 22), a true rate of one incident a day in
// every atom, and a force of three district units in district 0, one in
// each of districts 1 and 2, a community team and a post unit.
func hotWorld(tb testing.TB) *policy.World {
	tb.Helper()
	c := mustGrid(tb, geo.GridSpec{Rows: 4, Cols: 6, CellM: 100, Districts: 3})
	c.AddPost("P1", "platform", geo.Point{X: 450, Y: 350})
	return &policy.World{City: c,
		Rate: func(a int, t float64) float64 { return 1.0 / 86400 },
		Units: []policy.Unit{
			districtUnit(c, 0, 0),  // 0
			districtUnit(c, 0, 0),  // 1
			districtUnit(c, 0, 0),  // 2
			districtUnit(c, 0, 1),  // 3
			communityUnit(c, 1, 9), // 4: atom 9, district 1
			postUnit(c, 2, 0),      // 5
			districtUnit(c, 0, 2),  // 6
		}}
}

// learn tells p of n incidents in atom a that occurred at t, learnt at now.
func learn(p policy.Learner, w *policy.World, a, n int, t, now float64, how policy.Knowledge) {
	for range n {
		p.Learn(now, policy.Sighting{Occur: t, Atom: a, Pos: w.City.Atoms[a].Centroid, How: how})
	}
}

// atomsOf returns the atoms of the orders' destinations.
func atomsOf(w *policy.World, os ...policy.Order) []int {
	out := make([]int, len(os))
	for i, o := range os {
		out[i] = w.City.Locate(o.To)
	}
	return out
}

// checkParams compares a spec's parameters with the wanted ones, field by
// field (Doc only for being set).
func checkParams(t *testing.T, spec *policy.Spec, want []policy.Param) {
	t.Helper()
	if len(spec.Params) != len(want) {
		t.Fatalf("%s: got %d parameters, want %d", spec.Name, len(spec.Params), len(want))
	}
	for i, p := range spec.Params {
		if p.Doc == "" {
			t.Errorf("%s: parameter %s has no doc", spec.Name, p.Name)
		}
		p.Doc = ""
		if !reflect.DeepEqual(p, want[i]) {
			t.Errorf("%s: parameter %d: got %+v, want %+v", spec.Name, i, p, want[i])
		}
	}
}

// The parameters the two hot-spot policies share, without their docs.
var (
	// 1 hour (3600 s) between updates, in [1 min, 1 day].
	wantUpdate = policy.Param{Name: "update", Kind: policy.Duration, Default: 3600, Min: 60, Max: 86400}
	// dwellParam of policy.go: 15 min (900 s, Koper 1995), in [1 s, 1 day].
	wantDwell = policy.Param{Name: "dwell", Kind: policy.Duration, Default: 900, Min: 1, Max: 86400}
	// One hot atom per unit by default, up to 100 units an atom.
	wantPerAtom = policy.Param{Name: "units_per_atom", Kind: policy.Integer, Default: 1, Min: 1, Max: 100}
	// district (index 0) by default, or city (1).
	wantScope = policy.Param{Name: "scope", Kind: policy.Choice, Default: 0, Min: 0, Max: 1,
		Choices: []string{"district", "city"}}
)

// ---------------------------------------------------------------------------
// follow-incidents: parameters

func TestFollowParams(t *testing.T) {
	spec, ok := policy.Lookup("follow-incidents")
	if !ok {
		t.Fatal(`Lookup("follow-incidents"): not registered`)
	}
	checkParams(t, spec, []policy.Param{
		// 3 days = 259200 s, in [1 hour, 90 days = 7776000 s].
		{Name: "half_life", Kind: policy.Duration, Default: 3 * 86400, Min: 3600, Max: 90 * 86400},
		wantUpdate, wantDwell, wantPerAtom, wantScope,
		// calls (index 0) by default, or discovered (1).
		{Name: "learn_from", Kind: policy.Choice, Default: 0, Min: 0, Max: 1, Choices: []string{"calls", "discovered"}},
	})
	tests := []struct {
		name    string
		raw     map[string]float64
		want    policy.Values
		wantErr []string
	}{
		{name: "defaults", raw: nil, want: policy.Values{"half_life": 259200, "update": 3600, "dwell": 900,
			"units_per_atom": 1, "scope": 0, "learn_from": 0}},
		{name: "all set", raw: map[string]float64{"half_life": 3600, "update": 60, "dwell": 1, "units_per_atom": 100,
			"scope": 1, "learn_from": 1},
			want: policy.Values{"half_life": 3600, "update": 60, "dwell": 1, "units_per_atom": 100, "scope": 1, "learn_from": 1}},
		{name: "half_life too short", raw: map[string]float64{"half_life": 3599},
			wantErr: []string{"half_life", "follow-incidents", "[3600, 7.776e+06]", "got 3599"}},
		{name: "half_life too long", raw: map[string]float64{"half_life": 90*86400 + 1},
			wantErr: []string{"half_life", "got 7.776001e+06"}},
		{name: "update too short", raw: map[string]float64{"update": 59}, wantErr: []string{"update", "[60, 86400]", "got 59"}},
		{name: "update too long", raw: map[string]float64{"update": 86401}, wantErr: []string{"update", "got 86401"}},
		{name: "units_per_atom 0", raw: map[string]float64{"units_per_atom": 0}, wantErr: []string{"units_per_atom", "[1, 100]", "got 0"}},
		{name: "units_per_atom not whole", raw: map[string]float64{"units_per_atom": 1.5}, wantErr: []string{"units_per_atom", "got 1.5"}},
		{name: "scope out of range", raw: map[string]float64{"scope": 2}, wantErr: []string{"scope", "[0, 1]", "got 2"}},
		{name: "learn_from negative", raw: map[string]float64{"learn_from": -1}, wantErr: []string{"learn_from", "got -1"}},
		{name: "unknown", raw: map[string]float64{"halflife": 3600},
			wantErr: []string{`unknown parameter "halflife"`, "valid: half_life, update, dwell, units_per_atom, scope, learn_from"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := spec.Resolve(tt.raw)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Resolve(%v): got %v, want an error", tt.raw, got)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("got error %q, want it to contain %q", err, w)
					}
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve(%v): got %v, %v, want %v", tt.raw, got, err, tt.want)
			}
		})
	}
}

// TestHotspotChoiceNotWhole checks that Resolve refuses a Choice value
// between two indices.
func TestHotspotChoiceNotWhole(t *testing.T) {
	for _, tt := range []struct {
		policy, param string
	}{
		{"follow-incidents", "scope"},
		{"follow-incidents", "learn_from"},
		{"hotspot-oracle", "scope"},
	} {
		spec, _ := policy.Lookup(tt.policy)
		if _, err := spec.Resolve(map[string]float64{tt.param: 0.5}); err == nil {
			t.Errorf("%s: Resolve(%s: 0.5) accepted a value between two choices", tt.policy, tt.param)
		}
	}
}

// ---------------------------------------------------------------------------
// follow-incidents: scores

// closedForm is Σ 2^(−(t − t_i)/h) over the occurrence times ts.
func closedForm(ts []float64, t, h float64) float64 {
	s := 0.0
	for _, ti := range ts {
		s += math.Pow(2, -(t-ti)/h)
	}
	return s
}

func TestFollowScoreDecay(t *testing.T) {
	const h = 86400 // half-life, 1 day, set below
	type sighting struct{ occur, now float64 }
	// Sightings of atom 7, in the order learnt. Reported calls are learnt
	// after the incident; two are older than incidents learnt before them,
	// which exercises the decay to the later reference time.
	seq := []sighting{
		{0, 0},
		{3600, 3900},           // a call 5 min after the incident
		{86400, 86400},         // on-view, at once
		{50000, 90000},         // occurred before the previous one
		{86000, 90000},         // likewise, same call time
		{5 * 86400, 5 * 86400}, // much later
	}
	w := hotWorld(t)
	p := newHotspot(t, "follow-incidents", w, []int{0, 1, 2}, map[string]float64{"half_life": h})
	var ts []float64
	for i, s := range seq {
		learn(p, w, 7, 1, s.occur, s.now, policy.Reported)
		ts = append(ts, s.occur)
		// Checked at the time learnt and later. The sums stay below 6
		// (six weights ≤ 1), where 1e-12 is over 1000 ulps: room for the
		// rounding of exp against pow, no room for a wrong decay.
		for _, at := range []float64{s.now, s.now + 1, s.now + 7200, s.now + 3*h, s.now + 40*h} {
			if got, want := p.Score(7, at), closedForm(ts, at, h); math.Abs(got-want) > 1e-12 {
				t.Errorf("after sighting %d: Score(7, %g): got %.17g, want Σ 2^(−Δ/h) = %.17g", i, at, got, want)
			}
		}
	}
	// By hand: incidents at 0 and h seen at 2h weigh 2^−2 + 2^−1 = 0.75.
	q := newHotspot(t, "follow-incidents", w, []int{0}, map[string]float64{"half_life": h})
	learn(q, w, 1, 1, h, h, policy.Discovered)
	learn(q, w, 1, 1, 0, h+60, policy.Reported) // the older one, reported late
	if got := q.Score(1, 2*h); math.Abs(got-0.75) > 1e-12 {
		t.Errorf("Score(1, 2h): got %.17g, want 0.75", got)
	}
	// Atoms never learnt score 0.
	for _, a := range []int{0, 2, 23} {
		if got := q.Score(a, 2*h); got != 0 {
			t.Errorf("Score(%d, 2h), nothing learnt: got %g, want 0", a, got)
		}
	}
}

// TestFollowScoreOrderFree learns the same sightings in two orders: the
// scores agree with each other and with the closed form.
func TestFollowScoreOrderFree(t *testing.T) {
	const h = 3 * 86400 // the default half-life
	w := hotWorld(t)
	r := rand.New(rand.NewPCG(31, 32)) // fixed seed
	ts := make([]float64, 200)
	for i := range ts {
		ts[i] = r.Float64() * 20 * 86400 // within 20 days
	}
	const end = 20 * 86400 // every sighting learnt at the end
	a := newHotspot(t, "follow-incidents", w, []int{0}, nil)
	b := newHotspot(t, "follow-incidents", w, []int{0}, nil)
	for i := range ts {
		learn(a, w, 12, 1, ts[i], end, policy.Reported)
		learn(b, w, 12, 1, ts[len(ts)-1-i], end, policy.Reported)
	}
	want := closedForm(ts, end, h)
	// 200 weights ≤ 1 each: the sum is below 200, and rounding over 200
	// additions stays far below 1e-12 relative.
	for name, p := range map[string]hotspotPolicy{"in order": a, "reversed": b} {
		if got := p.Score(12, end); math.Abs(got-want) > 1e-12*want {
			t.Errorf("%s: Score(12, 20d): got %.17g, want %.17g", name, got, want)
		}
	}
}

// TestFollowLearnFrom checks which sightings follow-incidents learns from:
// reported calls and on-view incidents (calls), on-view incidents only
// (discovered); Truth never.
func TestFollowLearnFrom(t *testing.T) {
	w := hotWorld(t)
	tests := []struct {
		learnFrom float64 // index into calls, discovered
		how       policy.Knowledge
		want      float64 // score at the sighting's time: 1 if learnt, else 0
	}{
		{0, policy.Reported, 1},
		{0, policy.Discovered, 1},
		{0, policy.Truth, 0},
		{1, policy.Reported, 0},
		{1, policy.Discovered, 1},
		{1, policy.Truth, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("learn_from=%g/how=%d", tt.learnFrom, tt.how), func(t *testing.T) {
			p := newHotspot(t, "follow-incidents", w, []int{0}, map[string]float64{"learn_from": tt.learnFrom})
			learn(p, w, 6, 1, 1000, 1000, tt.how)
			if got := p.Score(6, 1000); got != tt.want {
				t.Errorf("Score after one sighting: got %g, want %g", got, tt.want)
			}
			p.Update(1000, nil)
			wantHot := [][]int{{}, {}, {}}
			if tt.want > 0 {
				wantHot[0] = []int{6}
			}
			if got := p.Hot(); !reflect.DeepEqual(got, wantHot) {
				t.Errorf("Hot: got %v, want %v", got, wantHot)
			}
		})
	}
	// Sightings outside every atom (Atom −1) are ignored, not a panic.
	p := newHotspot(t, "follow-incidents", w, []int{0}, nil)
	p.Learn(0, policy.Sighting{Atom: -1, How: policy.Reported})
	p.Learn(0, policy.Sighting{Atom: len(w.City.Atoms), How: policy.Reported})
}

// ---------------------------------------------------------------------------
// follow-incidents: hot atoms and orders

// learnHotWorld tells p, at time 0, of 3 incidents in atom 13, 2 each in
// atoms 1, 6, 18 and 1 in atom 0 (district 0), and of 1 each in atoms 3 and
// 20 (district 1); nothing in district 2.
func learnHotWorld(p policy.Learner, w *policy.World) {
	for _, l := range []struct{ atom, n int }{{13, 3}, {1, 2}, {6, 2}, {18, 2}, {0, 1}, {3, 1}, {20, 1}} {
		learn(p, w, l.atom, l.n, 0, 0, policy.Reported)
	}
}

func TestFollowUpdateTopK(t *testing.T) {
	tests := []struct {
		name  string
		units []int // governed; nil: all
		raw   map[string]float64
		want  [][]int
	}{
		// District 0 has 3 units: K = 3, atom 13 (3), then 1, 6, 18 tie at 2
		// and the lower indices 1, 6 win. District 1 has 1 unit: atoms 3 and
		// 20 tie at 1, 3 wins. District 2: nothing learnt, no hot atom.
		{"default", nil, nil, [][]int{{13, 1, 6}, {3}, {}}},
		// K = ceil(3/2) = 2 in district 0, ceil(1/2) = 1 in district 1.
		{"two units an atom", nil, map[string]float64{"units_per_atom": 2}, [][]int{{13, 1}, {3}, {}}},
		// K = ceil(3/3) = 1.
		{"three units an atom", nil, map[string]float64{"units_per_atom": 3}, [][]int{{13}, {3}, {}}},
		// Only units 0 and 3 governed: K = 1 in districts 0 and 1; the
		// community and post units (4, 5) count for nothing.
		{"subset", []int{0, 3, 4, 5}, nil, [][]int{{13}, {3}, {}}},
		// No unit of district 1 governed: K = 0 there.
		{"no unit in district 1", []int{0, 1, 2, 6}, nil, [][]int{{13, 1, 6}, {}, {}}},
		// The city: 5 district units, K = 5 of the 7 scored atoms, by
		// score (13; 1, 6, 18; 0, 3, 20) then index.
		{"city", nil, map[string]float64{"scope": 1}, [][]int{{13, 1, 6, 18, 0}}},
		// K = ceil(5/2) = 3.
		{"city, two units an atom", nil, map[string]float64{"scope": 1, "units_per_atom": 2}, [][]int{{13, 1, 6}}},
		// K = ceil(5/10) = 1.
		{"city, ten units an atom", nil, map[string]float64{"scope": 1, "units_per_atom": 10}, [][]int{{13}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := hotWorld(t)
			units := tt.units
			if units == nil {
				units = unitIndices(w)
			}
			p := newHotspot(t, "follow-incidents", w, units, tt.raw)
			learnHotWorld(p, w)
			got := p.Hot()
			if len(got) != len(tt.want) {
				t.Fatalf("Hot before the first Update: got %d groups, want %d", len(got), len(tt.want))
			}
			for g := range got {
				if len(got[g]) != 0 {
					t.Errorf("Hot before the first Update: got %v, want every group empty", got)
				}
			}
			p.Update(3600, nil)
			if got := p.Hot(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Hot after Update: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFollowUpdateDecay checks that the ranking is by decayed score, not by
// count: with a half-life h of 1 day, one incident beats two older ones when
// it is more than h younger (2^(Δ/h) > 2). Scores decay at the same rate
// everywhere, so the order of two atoms changes only with new incidents.
func TestFollowUpdateDecay(t *testing.T) {
	const h = 86400
	tests := []struct {
		name  string
		young float64 // when atom 19's one incident occurred; atom 0 has two at 0
		want  int     // the hot atom of district 0
	}{
		// 2·2^−(t/h) against 2^−((t − 1.5h)/h) = 2^1.5·2^−(t/h) ≈ 2.83·2^−(t/h).
		{"1.5 half-lives younger", 1.5 * h, 19},
		// Against 2^0.5·2^−(t/h) ≈ 1.41·2^−(t/h).
		{"half a half-life younger", 0.5 * h, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := hotWorld(t)
			p := newHotspot(t, "follow-incidents", w, []int{0}, map[string]float64{"half_life": h})
			learn(p, w, 0, 2, 0, 0, policy.Reported)
			learn(p, w, 19, 1, tt.young, tt.young, policy.Reported)
			for _, now := range []float64{2 * h, 5 * h, 30 * h} {
				p.Update(now, nil)
				if got, want := p.Hot(), [][]int{{tt.want}, {}, {}}; !reflect.DeepEqual(got, want) {
					t.Errorf("Hot at %g days: got %v, want %v", now/h, got, want)
				}
			}
		})
	}
}

func TestFollowNextSpreads(t *testing.T) {
	w := hotWorld(t)
	r := rand.New(rand.NewPCG(33, 34)) // fixed seed
	p := newHotspot(t, "follow-incidents", w, unitIndices(w), nil)
	learnHotWorld(p, w)
	p.Update(0, r) // district 0: hot 13, 1, 6 (TestFollowUpdateTopK)
	next := func(u int) int {
		t.Helper()
		o := p.Next(0, u, w.Units[u].At, r)
		if o.Dwell != 900 { // the default dwell, 15 min
			t.Errorf("unit %d: Dwell got %g, want 900", u, o.Dwell)
		}
		return w.City.Locate(o.To)
	}
	steps := []struct {
		unit, want int
		why        string
	}{
		{0, 13, "all free: the highest score"},
		{1, 1, "13 taken: 1 and 6 tie at score 2, lower index"},
		{2, 6, "the last free one"},
		{0, 13, "unit 0 gives up 13, the only atom left with no unit"},
		{1, 1, "likewise for 1"},
		{3, 3, "district 1's only hot atom"},
		{3, 3, "it stays the only one"},
	}
	for i, s := range steps {
		if got := next(s.unit); got != s.want {
			t.Errorf("step %d, unit %d (%s): got atom %d, want %d", i, s.unit, s.why, got, s.want)
		}
	}
	// The hot atoms move: 4 new incidents in atom 19 make it the best,
	// and 6 drops out (district 0: 19, 13, 1). Unit 2 still holds 6 until
	// it asks again; then 19 has no unit and 13, 1 have one each.
	learn(p, w, 19, 4, 10, 10, policy.Reported)
	p.Update(60, r)
	if got, want := p.Hot()[0], []int{19, 13, 1}; !slices.Equal(got, want) {
		t.Fatalf("district 0 hot after new incidents: got %v, want %v", got, want)
	}
	for i, s := range []struct {
		unit, want int
		why        string
	}{
		{2, 19, "gives up 6, not hot any more; 19 has no unit"},
		{0, 13, "gives up 13: 13 has no unit, 19 and 1 one each"},
		{1, 1, "likewise for 1"},
	} {
		if got := next(s.unit); got != s.want {
			t.Errorf("after the move, step %d, unit %d (%s): got atom %d, want %d", i, s.unit, s.why, got, s.want)
		}
	}
}

// TestFollowNextSharesAtoms checks units_per_atom = 2: district 0's three
// units share two hot atoms (13, 1), the third unit joining the better one.
func TestFollowNextSharesAtoms(t *testing.T) {
	w := hotWorld(t)
	r := rand.New(rand.NewPCG(35, 36)) // fixed seed
	p := newHotspot(t, "follow-incidents", w, unitIndices(w), map[string]float64{"units_per_atom": 2})
	learnHotWorld(p, w)
	p.Update(0, r)
	var got []int
	for _, u := range []int{0, 1, 2, 0, 2, 1} {
		got = append(got, atomsOf(w, p.Next(0, u, w.Units[u].At, r))...)
	}
	// Hot 13 (score 3) and 1 (score 2); counts in brackets after each order.
	//  0 → 13, the best of two free atoms        [13: 1, 1: 0]
	//  1 → 1, the one with no unit               [13: 1, 1: 1]
	//  2 → 13, one unit each: the higher score   [13: 2, 1: 1]
	//  0 gives up 13: one unit each again, and 13
	//    is the atom it just left → 1             [13: 1, 1: 2]
	//  2 gives up 13 → 13, now with no unit      [13: 1, 1: 2]
	//  1 gives up 1: one unit each, 1 just left
	//    and 13 the higher score → 13             [13: 2, 1: 1]
	want := []int{13, 1, 13, 1, 13, 13}
	if !slices.Equal(got, want) {
		t.Errorf("atoms of successive orders for units 0, 1, 2, 0, 2, 1: got %v, want %v", got, want)
	}
}

// TestFollowUnitsMoveOn checks that a unit asking again and again, while the
// other units of its group hold nothing, moves between hot atoms instead of
// staying at the best one: the atom it just left loses the tie of counts.
func TestFollowUnitsMoveOn(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]float64
		want []int
	}{
		// Three hot atoms (13, 1, 6), all free: 13, then 1 (13 just left),
		// then 13 again (1 just left), and so on.
		{"three hot atoms", nil, []int{13, 1, 13, 1, 13, 1}},
		// Two hot atoms (13, 1).
		{"two hot atoms", map[string]float64{"units_per_atom": 2}, []int{13, 1, 13, 1, 13, 1}},
		// One hot atom (13): nowhere else to go; a new point in it each time.
		{"one hot atom", map[string]float64{"units_per_atom": 3}, []int{13, 13, 13, 13, 13, 13}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := hotWorld(t)
			r := rand.New(rand.NewPCG(37, 38)) // fixed seed
			p := newHotspot(t, "follow-incidents", w, unitIndices(w), tt.raw)
			learnHotWorld(p, w)
			p.Update(0, r)
			os := orders(p, 0, len(tt.want), r)
			if got := atomsOf(w, os...); !slices.Equal(got, tt.want) {
				t.Errorf("atoms of unit 0's successive orders: got %v, want %v", got, tt.want)
			}
			for k := 1; k < len(os); k++ {
				if os[k].To == os[k-1].To {
					t.Errorf("orders %d and %d go to the same point %+v, want a new point each time", k-1, k, os[k].To)
				}
			}
		})
	}
}

// TestFollowCityScope checks that with scope city a unit may be sent to a
// hot atom of another district, and with scope district it may not.
func TestFollowCityScope(t *testing.T) {
	w := hotWorld(t)
	r := rand.New(rand.NewPCG(39, 40)) // fixed seed
	// Incidents only in district 0.
	city := newHotspot(t, "follow-incidents", w, unitIndices(w), map[string]float64{"scope": 1})
	learn(city, w, 13, 3, 0, 0, policy.Reported)
	city.Update(0, r)
	// Unit 3 (district 1) and unit 6 (district 2) go to atom 13 (district 0),
	// the only atom with a score.
	for _, u := range []int{3, 6} {
		if got := atomsOf(w, city.Next(0, u, w.Units[u].At, r)); got[0] != 13 {
			t.Errorf("scope city, unit %d of district %d: got atom %d, want 13 in district 0", u, w.Units[u].District, got[0])
		}
	}
	district := newHotspot(t, "follow-incidents", w, unitIndices(w), nil)
	learn(district, w, 13, 3, 0, 0, policy.Reported)
	district.Update(0, r)
	for k, o := range orders(district, 3, 50, r) {
		if a := w.City.Locate(o.To); w.City.Atoms[a].District != 1 {
			t.Fatalf("scope district, unit 3, order %d: got atom %d of district %d, want district 1", k, a, w.City.Atoms[a].District)
		}
	}
}

// TestFollowNoKnowledge checks that district units patrol their own
// district at random while their group has no hot atom: before the first
// Update, after one with nothing learnt, and when what was learnt lies in
// another district.
func TestFollowNoKnowledge(t *testing.T) {
	tests := []struct {
		name  string
		setup func(p hotspotPolicy, w *policy.World)
	}{
		{"before any update", func(p hotspotPolicy, w *policy.World) {}},
		{"learnt, not yet updated", func(p hotspotPolicy, w *policy.World) { learnHotWorld(p, w) }},
		{"nothing learnt", func(p hotspotPolicy, w *policy.World) { p.Update(3600, nil) }},
		{"learnt in another district", func(p hotspotPolicy, w *policy.World) {
			learn(p, w, 13, 5, 0, 0, policy.Reported)
			p.Update(3600, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := hotWorld(t)
			c := w.City
			p := newHotspot(t, "follow-incidents", w, unitIndices(w), nil)
			tt.setup(p, w)
			r := rand.New(rand.NewPCG(41, 42)) // fixed seed
			const unit = 6                     // district 2
			visited := map[int]bool{}
			for k, o := range orders(p, unit, 300, r) {
				a := c.Locate(o.To)
				if a < 0 || c.Atoms[a].District != 2 || o.Dwell != 900 {
					t.Fatalf("order %d: got %+v (atom %d), want a point of district 2, Dwell 900", k, o, a)
				}
				visited[a] = true
			}
			// 300 uniform draws over 8 equal atoms miss one with chance
			// below 8·(7/8)^300 ≈ 3e-17.
			if len(visited) != len(c.Districts[2].Atoms) {
				t.Errorf("visited atoms %v, want all 8 of district 2", visited)
			}
		})
	}
}

func TestFollowHomeUnits(t *testing.T) {
	w := hotWorld(t)
	r := rand.New(rand.NewPCG(43, 44)) // fixed seed
	p := newHotspot(t, "follow-incidents", w, unitIndices(w), map[string]float64{"dwell": 600})
	learnHotWorld(p, w)
	learn(p, w, 9, 5, 0, 0, policy.Reported) // the community's own atom
	learn(p, w, 22, 5, 0, 0, policy.Reported)
	p.Update(0, r)
	for k, o := range orders(p, 4, 50, r) {
		if a := w.City.Locate(o.To); a != 9 || o.Dwell != 600 {
			t.Fatalf("community unit, order %d: got %+v in atom %d, want a point of its community 9, Dwell 600", k, o, a)
		}
	}
	for k, o := range orders(p, 5, 5, r) {
		if o.To != w.Units[5].At || !math.IsInf(o.Dwell, 1) {
			t.Fatalf("post unit, order %d: got %+v, want To = its post %+v, Dwell +Inf", k, o, w.Units[5].At)
		}
	}
	// Assumed: the district base for district units (the policy moves them
	// about), the home for the others.
	for u, unit := range w.Units {
		want := unit.At
		if unit.Home == policy.HomeDistrict {
			want = w.City.Districts[unit.District].Base
		}
		if got := p.Assumed(u); got != want {
			t.Errorf("Assumed(%d): got %+v, want %+v", u, got, want)
		}
	}
}

// TestFollowNotGoverned checks the panic for a district unit the policy was
// not built for.
func TestFollowNotGoverned(t *testing.T) {
	w := hotWorld(t)
	p := newHotspot(t, "follow-incidents", w, []int{0, 1}, nil)
	defer func() {
		if rec := recover(); rec == nil || !strings.Contains(fmt.Sprint(rec), "unit 3 is not governed") {
			t.Errorf("Next for unit 3, not governed: got panic %v, want one saying so", rec)
		}
	}()
	p.Next(0, 3, w.Units[3].At, rand.New(rand.NewPCG(1, 1)))
}

// TestHotspotsDeterministic runs each hot-spot policy twice through the same
// interleaving of sightings, updates and orders, from generators of the same
// seeds: the orders and hot atoms must be identical.
func TestHotspotsDeterministic(t *testing.T) {
	for _, tt := range []struct {
		name string
		raw  map[string]float64
	}{
		{"follow-incidents", nil},
		{"follow-incidents", map[string]float64{"scope": 1, "learn_from": 1, "units_per_atom": 2}},
		{"hotspot-oracle", nil},
		{"hotspot-oracle", map[string]float64{"scope": 1}},
	} {
		t.Run(fmt.Sprint(tt.name, tt.raw), func(t *testing.T) {
			run := func() ([]policy.Order, [][][]int) {
				w := hotWorld(t)
				w.NearRepeat = policy.NearRepeat{Offspring: 0.4, Decay: 86400}
				p := newHotspot(t, tt.name, w, unitIndices(w), tt.raw)
				r := rand.New(rand.NewPCG(45, 46))  // fixed seed, for the policy
				ir := rand.New(rand.NewPCG(47, 48)) // fixed seed, for the incidents
				var os []policy.Order
				var hot [][][]int
				for k := range 3000 {
					now := float64(k) * 60
					if ir.IntN(4) == 0 {
						a := ir.IntN(len(w.City.Atoms))
						learn(p, w, a, 1, now-ir.Float64()*600, now, policy.Knowledge(ir.IntN(3)))
					}
					if k%60 == 0 {
						p.Update(now, r)
						hot = append(hot, p.Hot())
					}
					u := k % len(w.Units)
					os = append(os, p.Next(now, u, w.Units[u].At, r))
				}
				return os, hot
			}
			os1, hot1 := run()
			os2, hot2 := run()
			if !slices.Equal(os1, os2) {
				t.Errorf("orders differ between two runs with the same seeds")
			}
			if !reflect.DeepEqual(hot1, hot2) {
				t.Errorf("hot atoms differ between two runs with the same seeds")
			}
		})
	}
}

// BenchmarkHotspotsUpdate times Update on a 1,000-atom city (25 × 40 cells
// in 10 districts) with 100 district units and 5,000 incidents learnt.
func BenchmarkHotspotsUpdate(b *testing.B) {
	c := mustGrid(b, geo.GridSpec{Rows: 25, Cols: 40, CellM: 100, Districts: 10})
	w := &policy.World{City: c, Rate: func(a int, t float64) float64 { return float64(1+a%13) / 86400 },
		NearRepeat: policy.NearRepeat{Offspring: 0.3, Decay: 7 * 86400}}
	for u := range 100 {
		w.Units = append(w.Units, districtUnit(c, 0, u%10))
	}
	for _, bc := range []struct {
		name string
		raw  map[string]float64
	}{
		{"follow-incidents/district", nil},
		{"follow-incidents/city", map[string]float64{"scope": 1}},
		{"hotspot-oracle/district", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			name, _, _ := strings.Cut(bc.name, "/")
			p := newHotspot(b, name, w, unitIndices(w), bc.raw)
			r := rand.New(rand.NewPCG(49, 50)) // fixed seed
			for k := range 5000 {
				now := float64(k) * 120
				learn(p, w, r.IntN(len(c.Atoms)), 1, now, now, policy.Knowledge(r.IntN(3)))
			}
			now := 5000 * 120.0
			for b.Loop() {
				p.Update(now, r)
				now += 3600
			}
			b.ReportMetric(float64(len(c.Atoms))*float64(b.N)/b.Elapsed().Seconds(), "atoms/s")
		})
	}
}
