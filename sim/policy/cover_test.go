package policy_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// fakeFleet is a fleet whose states the test sets: a unit reaches a point
// in a 30 s turnout plus its Manhattan distance at 10 m/s, and the
// priority-1 target is 150 s.
type fakeFleet struct{ status []policy.Status }

func (f *fakeFleet) Status(u int) policy.Status { return f.status[u] }
func (f *fakeFleet) Pos(u int) geo.Point        { panic("not used by cover") }
func (f *fakeFleet) Heading(u int) geo.Point    { panic("not used by cover for the units it governs") }
func (f *fakeFleet) Able(u, p int) bool         { return true }
func (f *fakeFleet) Reach(u int, from, to geo.Point) float64 {
	return 30 + (math.Abs(to.X-from.X)+math.Abs(to.Y-from.Y))/10
}
func (f *fakeFleet) Target(p int) float64 { return 150 }

// coverWorld is a row of five 1 km cells of weights 3, 0, 0, 0, 4 with two
// district cars at the district base, the centre of cell 2. From a cell's
// centre a car reaches its own (30 s) and its neighbours' (130 s) within
// the 150 s target, not farther (230 s).
func coverWorld(t *testing.T) *policy.World {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 5, CellM: 1000, Districts: 1})
	if err != nil {
		t.Fatal(err)
	}
	for a, w := range []float64{3, 0, 0, 0, 4} {
		city.Atoms[a].Weight = w
	}
	base := city.Districts[0].Base
	car := policy.Unit{Type: 0, TypeName: "car", Squad: 1, Home: policy.HomeDistrict, Atom: 2, Post: -1, At: base}
	return &policy.World{City: city, Units: []policy.Unit{car, car}}
}

// TestCoverMoveUp follows cover's decisions on coverWorld with busy = 0.2,
// so that one more car covering an area of weight w whose n cars already
// cover it adds w/7 · 0.2ⁿ · 0.8 of demand (Daskin's MEXCLP):
//   - car 0 goes on duty alone: from cell 2 (covering weight 0) the best
//     site is one covering cell 4 (weight 4): cells 3 and 4 tie, and the
//     lower, 3, wins;
//   - car 1 goes on duty: the best is then to cover cell 0 (weight 3):
//     cells 0 and 1 tie, and 0 wins;
//   - a review with both free moves nobody: every move loses coverage;
//   - car 0 is dispatched: the review moves car 1 from cell 0 to cell 3,
//     gaining (4 − 3)/7 · 0.8 ≈ 0.114 of demand, above min_gain;
//   - with min_gain 0.2 it would not move, nor with moves 0.
func TestCoverMoveUp(t *testing.T) {
	type step struct {
		status  [2]policy.Status
		next    int // the unit asking for an order, or -1 for a review
		wantAt  int // the area of the order (next), or of the move (review; -1: none)
		wantWho int // the unit moved by a review
	}
	steps := []step{
		{[2]policy.Status{policy.Free, policy.OffDuty}, 0, 3, 0},
		{[2]policy.Status{policy.Free, policy.Free}, 1, 0, 1},
		{[2]policy.Status{policy.Free, policy.Free}, -1, -1, 0},
		{[2]policy.Status{policy.Busy, policy.Free}, -1, 3, 1},
	}
	for _, tc := range []struct {
		name    string
		params  map[string]float64
		moveUps bool
	}{
		{"defaults", map[string]float64{"busy": 0.2}, true},
		{"min_gain 0.2", map[string]float64{"busy": 0.2, "min_gain": 0.2}, false},
		{"moves 0", map[string]float64{"busy": 0.2, "moves": 0}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := coverWorld(t)
			p := newPolicy(t, "cover", w, []int{0, 1}, tc.params)
			c, ok := p.(policy.Commander)
			if !ok {
				t.Fatal("cover is not a Commander")
			}
			f := &fakeFleet{status: make([]policy.Status, 2)}
			rev, err := c.Attach(f)
			if err != nil {
				t.Fatal(err)
			}
			if !rev.OnChange || rev.Every != 600 {
				t.Errorf("review: got %+v, want on changes and every 600 s", rev)
			}
			r := rand.New(rand.NewPCG(1, 2)) // fixed seed
			for k, s := range steps {
				copy(f.status, s.status[:])
				if s.next >= 0 {
					o := c.Next(float64(k), s.next, geo.Point{X: -1, Y: -1}, r)
					if o.Atom != s.wantAt || w.City.Locate(o.To) != s.wantAt || o.Dwell != 15*60 {
						t.Errorf("step %d: unit %d got order %+v, want a 15-minute stop in area %d", k, s.next, o, s.wantAt)
					}
					continue
				}
				moves := c.Command(float64(k), r)
				want := s.wantAt >= 0 && tc.moveUps
				switch {
				case !want && len(moves) > 0:
					t.Errorf("step %d: got moves %+v, want none", k, moves)
				case want && (len(moves) != 1 || moves[0].Unit != s.wantWho || moves[0].Atom != s.wantAt || w.City.Locate(moves[0].To) != s.wantAt):
					t.Errorf("step %d: got moves %+v, want unit %d to area %d", k, moves, s.wantWho, s.wantAt)
				}
			}
		})
	}
}

// TestCoverNeedsTarget: without a target of its own or the scenario's,
// cover refuses to start, saying what to set.
func TestCoverNeedsTarget(t *testing.T) {
	w := coverWorld(t)
	c := newPolicy(t, "cover", w, []int{0, 1}, nil).(policy.Commander)
	if _, err := c.Attach(noTarget{&fakeFleet{status: make([]policy.Status, 2)}}); err == nil {
		t.Error("Attach without a target: got no error, want one naming the parameter target and targets.p1")
	}
}

type noTarget struct{ *fakeFleet }

func (noTarget) Target(p int) float64 { return 0 }
