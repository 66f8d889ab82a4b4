package policy_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/sim/policy"
)

func TestOracleParams(t *testing.T) {
	spec, ok := policy.Lookup("hotspot-oracle")
	if !ok {
		t.Fatal(`Lookup("hotspot-oracle"): not registered`)
	}
	checkParams(t, spec, []policy.Param{wantUpdate, wantDwell, wantPerAtom, wantScope})
	// The defaults of follow_test.go's wantUpdate, wantDwell, wantPerAtom,
	// wantScope.
	want := policy.Values{"update": 3600, "dwell": 900, "units_per_atom": 1, "scope": 0}
	if got, err := spec.Resolve(nil); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve(nil): got %v, %v, want %v", got, err, want)
	}
	// The oracle knows the truth: it neither forgets nor chooses sources.
	for _, name := range []string{"half_life", "learn_from"} {
		_, err := spec.Resolve(map[string]float64{name: 0})
		if want := `unknown parameter "` + name + `" for policy hotspot-oracle (valid: update, dwell, units_per_atom, scope)`; err == nil || err.Error() != want {
			t.Errorf("Resolve(%s): got error %v, want %q", name, err, want)
		}
	}
}

func TestOracleNeedsRate(t *testing.T) {
	w := hotWorld(t)
	w.Rate = nil
	spec, _ := policy.Lookup("hotspot-oracle")
	vals, _ := spec.Resolve(nil)
	p, err := spec.New(w, unitIndices(w), vals)
	if want := "policy hotspot-oracle needs the true rates (World.Rate)"; err == nil || err.Error() != want {
		t.Errorf("New without World.Rate: got %v, %v, want error %q", p, err, want)
	}
}

// TestOracleRateRanking checks that without near repeats the oracle scores
// each atom by World.Rate and ranks by it. The rate is (a mod 7 + 1) a day
// before noon of day 0 and (7 − a mod 7) a day after, so the ranking turns
// over at noon.
func TestOracleRateRanking(t *testing.T) {
	rate := func(a int, t float64) float64 {
		if t < 43200 {
			return float64(a%7+1) / 86400
		}
		return float64(7-a%7) / 86400
	}
	tests := []struct {
		name string
		at   float64 // seconds
		want [][]int
	}{
		// Morning rates (per day), atom:rate —
		// district 0: 0:1 1:2 6:7 7:1 12:6 13:7 18:5 19:6, K = 3: 6, 13
		//   (7, by index), then 12 (6, before 19);
		// district 1: 2:3 3:4 8:2 9:3 14:1 15:2 20:7 21:1, K = 1: 20;
		// district 2: 4:5 5:6 10:4 11:5 16:3 17:4 22:2 23:3, K = 1: 5.
		{"morning", 3600, [][]int{{6, 13, 12}, {20}, {5}}},
		// Evening rates:
		// district 0: 0:7 1:6 6:1 7:7 12:2 13:1 18:3 19:2: 0, 7 (7), 1 (6);
		// district 1: 2:5 3:4 8:6 9:5 14:7 15:6 20:1 21:7: 14 (before 21);
		// district 2: 4:3 5:2 10:4 11:3 16:5 17:4 22:6 23:5: 22.
		{"evening", 50000, [][]int{{0, 7, 1}, {14}, {22}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := hotWorld(t)
			w.Rate = rate
			p := newHotspot(t, "hotspot-oracle", w, unitIndices(w), nil)
			for a := range w.City.Atoms {
				if got, want := p.Score(a, tt.at), rate(a, tt.at); got != want {
					t.Errorf("Score(%d, %g): got %g, want World.Rate = %g exactly", a, tt.at, got, want)
				}
			}
			p.Update(tt.at, nil)
			if got := p.Hot(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Hot: got %v, want %v", got, tt.want)
			}
			// The units go where the rate is highest, one an atom, as under
			// follow-incidents.
			r := rand.New(rand.NewPCG(51, 52)) // fixed seed
			got := atomsOf(w, p.Next(tt.at, 0, w.Units[0].At, r), p.Next(tt.at, 1, w.Units[1].At, r),
				p.Next(tt.at, 2, w.Units[2].At, r), p.Next(tt.at, 3, w.Units[3].At, r), p.Next(tt.at, 6, w.Units[6].At, r))
			want := append(append(append([]int{}, tt.want[0]...), tt.want[1]...), tt.want[2]...)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("atoms of units 0, 1, 2, 3, 6: got %v, want %v", got, want)
			}
		})
	}
}

// TestOracleZeroRate checks that atoms of rate 0 are never hot: district 2
// has rate 0 everywhere, so its unit patrols it at random.
func TestOracleZeroRate(t *testing.T) {
	w := hotWorld(t)
	w.Rate = func(a int, t float64) float64 {
		if w.City.Atoms[a].District == 2 {
			return 0
		}
		return 1.0 / 86400
	}
	p := newHotspot(t, "hotspot-oracle", w, unitIndices(w), nil)
	p.Update(0, nil)
	// Equal rates: the lowest indices of districts 0 (K = 3) and 1 (K = 1).
	if got, want := p.Hot(), [][]int{{0, 1, 6}, {2}, {}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hot: got %v, want %v", got, want)
	}
	r := rand.New(rand.NewPCG(53, 54)) // fixed seed
	seen := map[int]bool{}
	for k, o := range orders(p, 6, 200, r) {
		a := w.City.Locate(o.To)
		if w.City.Atoms[a].District != 2 {
			t.Fatalf("unit 6, order %d: got atom %d, want one of district 2", k, a)
		}
		seen[a] = true
	}
	// 200 uniform draws over 8 atoms miss one with chance below
	// 8·(7/8)^200 ≈ 2e-11.
	if len(seen) != 8 {
		t.Errorf("unit 6 visited %v, want all 8 atoms of district 2", seen)
	}
}

// TestOracleExcitation checks the near-repeat term: each realised incident j
// of an atom adds Offspring·exp(−(t − t_j)/Decay)/Decay to the atom's rate,
// and nothing to the others'.
func TestOracleExcitation(t *testing.T) {
	const (
		base      = 1.0 / 86400 // one incident a day in every atom (hotWorld)
		offspring = 0.5
		decay     = 2 * 86400.0 // 2 days
	)
	w := hotWorld(t)
	w.NearRepeat = policy.NearRepeat{Offspring: offspring, Decay: decay, RadiusM: 300}
	// units_per_atom 3: one hot atom in district 0 (3 units).
	p := newHotspot(t, "hotspot-oracle", w, unitIndices(w), map[string]float64{"units_per_atom": 3})
	closed := func(ts []float64, t float64) float64 {
		s := base
		for _, tj := range ts {
			s += offspring * math.Exp(-(t-tj)/decay) / decay
		}
		return s
	}
	var ts []float64
	for _, tj := range []float64{0, 3600, 86400, 86400, 3 * 86400} {
		learn(p, w, 13, 1, tj, tj, policy.Truth) // Truth is learnt at occurrence
		ts = append(ts, tj)
		for _, at := range []float64{tj, tj + 600, tj + decay, tj + 10*decay} {
			// Scores are about 1e-5 per second: compare relatively, 1e-12.
			if got, want := p.Score(13, at), closed(ts, at); math.Abs(got-want) > 1e-12*want {
				t.Errorf("Score(13, %g) after %d incidents: got %.17g, want %.17g", at, len(ts), got, want)
			}
			if got := p.Score(12, at); got != base {
				t.Errorf("Score(12, %g): got %g, want the background %g: excitation stays in its atom", at, got, base)
			}
		}
	}
	// By hand, one day after the last incident (t = 4 days): the five
	// incidents are 4, 4 − 1/24, 3, 3 and 1 days old, that is 2, 1.979, 1.5,
	// 1.5 and 0.5 decays: 0.5/2 days · (e^−2 + e^−1.979 + 2e^−1.5 + e^−0.5)
	// = 0.25 · 1.32631 = 0.33158 incidents a day above the background.
	if got := (p.Score(13, 4*86400) - base) * 86400; math.Abs(got-0.33158) > 1e-5 {
		t.Errorf("excitation of atom 13 at 4 days: got %.5f a day, want 0.33158", got)
	}
	p.Update(4*86400, nil)
	if got := p.Hot()[0]; !reflect.DeepEqual(got, []int{13}) {
		t.Errorf("district 0 hot at 4 days: got %v, want [13], excited above the equal background", got)
	}
	// 400 days later the excitation is e^−200 ≈ 1e-87 of a day's rate,
	// far below the rounding of the background: every atom ties and the
	// lowest index wins.
	p.Update(404*86400, nil)
	if got := p.Hot()[0]; !reflect.DeepEqual(got, []int{0}) {
		t.Errorf("district 0 hot at 404 days: got %v, want [0], the excitation gone", got)
	}
}

// TestOracleExcitationOff checks that Truth sightings change nothing when
// near repeats are off (Offspring or Decay 0).
func TestOracleExcitationOff(t *testing.T) {
	for _, nr := range []policy.NearRepeat{{}, {Offspring: 0.5}, {Decay: 86400}, {Offspring: -1, Decay: 86400}} {
		w := hotWorld(t)
		w.NearRepeat = nr
		p := newHotspot(t, "hotspot-oracle", w, unitIndices(w), nil)
		learn(p, w, 13, 10, 100, 100, policy.Truth)
		// hotWorld's rate: one a day.
		if got := p.Score(13, 200); got != 1.0/86400 {
			t.Errorf("%+v: Score(13, 200): got %g, want the background 1/86400", nr, got)
		}
	}
}

// TestOracleIgnoresCalls checks that the oracle learns only Truth: reported
// calls and discovered incidents leave the scores at World.Rate.
func TestOracleIgnoresCalls(t *testing.T) {
	w := hotWorld(t)
	w.NearRepeat = policy.NearRepeat{Offspring: 0.5, Decay: 86400}
	p := newHotspot(t, "hotspot-oracle", w, unitIndices(w), nil)
	learn(p, w, 13, 5, 100, 160, policy.Reported)
	learn(p, w, 19, 5, 100, 100, policy.Discovered)
	// Truth outside every atom is ignored, not a panic.
	p.Learn(100, policy.Sighting{Occur: 100, Atom: -1, How: policy.Truth})
	for _, a := range []int{13, 19} {
		if got := p.Score(a, 200); got != 1.0/86400 { // hotWorld's rate: one a day
			t.Errorf("Score(%d, 200): got %g, want the background 1/86400", a, got)
		}
	}
	p.Update(200, nil)
	// All rates equal: the lowest indices, K = 3, 1, 1.
	if got, want := p.Hot(), [][]int{{0, 1, 6}, {2}, {4}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hot: got %v, want %v", got, want)
	}
	// Assumed: the district base, as for follow-incidents.
	if got, want := p.Assumed(3), w.City.Districts[1].Base; got != want {
		t.Errorf("Assumed(3): got %+v, want district 1's base %+v", got, want)
	}
	if !strings.Contains(specDoc(t, "hotspot-oracle"), "true expected rate") {
		t.Errorf("hotspot-oracle Doc: want it to say it uses the true expected rate")
	}
}

func specDoc(t *testing.T, name string) string {
	t.Helper()
	s, ok := policy.Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q): not registered", name)
	}
	return s.Doc
}
