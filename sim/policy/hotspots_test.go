package policy_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/patrolsim/patrolsim/sim/policy"
)

// TestHotSpots: the hot spots are the heaviest atoms of each district, fixed
// from the start: district 0 of hotWorld (columns 0–1, atoms 0, 1, 6, 7, 12,
// 13, 18, 19) has 3 district units, so its 3 heaviest atoms are hot.
func TestHotSpots(t *testing.T) {
	w := hotWorld(t)
	for a := range w.City.Atoms {
		w.City.Atoms[a].Weight = 1
	}
	w.City.Atoms[13].Weight, w.City.Atoms[6].Weight, w.City.Atoms[19].Weight = 9, 8, 7
	spec, ok := policy.Lookup("hot-spots")
	if !ok {
		t.Fatal("hot-spots is not registered")
	}
	vals, err := spec.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := spec.New(w, unitIndices(w), vals)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var got []int
	for _, u := range []int{0, 1, 2} {
		o := p.Next(0, u, w.Units[u].At, r)
		got = append(got, w.City.Locate(o.To))
		if o.Atom != got[len(got)-1] {
			t.Errorf("order atom %d, but its point is in %d", o.Atom, got[len(got)-1])
		}
	}
	slices.Sort(got)
	if want := []int{6, 13, 19}; !slices.Equal(got, want) {
		t.Errorf("units sent to %v, want the hot spots %v", got, want)
	}
	// Incidents of the run change nothing.
	learn(p.(policy.Learner), w, 0, 50, 0, 0, policy.Reported)
	p.(policy.Updater).Update(3600, r)
	o := p.Next(3600, 0, w.Units[0].At, r)
	if a := w.City.Locate(o.To); !slices.Contains([]int{6, 13, 19}, a) {
		t.Errorf("after learning, unit 0 sent to %d, want a hot spot", a)
	}
}
