package optimize

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

// squadOpt compares one- and two-officer cars of twoDistricts' city at
// its 144 officer-hours a day (6 one-officer cars round the clock); the
// test writes its urgent calls as needing 2 officers.
const squadOpt = `version: 1
scenario: scenario.yaml
variant: beats
decision: {kind: squad-size, unit: car, squads: [1, 2]}
select: {delta: 15, first: 8, max: 30}
`

func squadCity(t *testing.T) string {
	t.Helper()
	dir := twoDistricts(t)
	path := filepath.Join(dir, "scenario.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "{name: urgent, priority: 1, share: 0.5, on_scene: {dist: exponential, mean: 30m}, officers: 1}",
		"{name: urgent, priority: 1, share: 0.5, on_scene: {dist: exponential, mean: 30m}, officers: 2}", 1)
	write(t, path, s)
	return dir
}

// TestSquadCandidates: at the type's own 144 officer-hours a day, squads
// of 1 and 2 give 6 × 1 and 3 × 2 cars (equal officer-hours), and the
// screen's units sent a call are Σ share × ⌈officers / squad⌉: half the
// calls need 2 officers, so 1.5 at squad 1 and 1 at squad 2.
func TestSquadCandidates(t *testing.T) {
	pr := prepare(t, squadCity(t), squadOpt)
	sc, err := pr.Screen()
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Kept) != 2 {
		t.Fatalf("kept %d, want both squad sizes", len(sc.Kept))
	}
	got := map[string]float64{}
	for _, c := range sc.Kept {
		got[pr.Name(c)] = pr.OfficerHours(c)
		if math.IsInf(c.Screen, 0) || c.Method == "" {
			t.Errorf("%s: screen %g (%s), want a finite hypercube score", pr.Name(c), c.Screen, c.Method)
		}
	}
	if got["6x1"] != 144 || got["3x2"] != 144 {
		t.Errorf("officer-hours by candidate %v, want 6x1 and 3x2 at 144 each", got)
	}
	if pr.mult[0] != 1.5 || pr.mult[1] != 1 {
		t.Errorf("units sent a call %v, want [1.5 1]", pr.mult)
	}
}

// incidentUnits counts, for calls needing 2 officers that reached full
// strength, how many units were sent.
type incidentUnits struct{ sent map[int]int }

func (r *incidentUnits) Incident(rec *sim.IncidentRecord) {
	if rec.Needed == 2 && !math.IsNaN(rec.Full) {
		r.sent[len(rec.Units)]++
	}
}
func (r *incidentUnits) Busy(int, float64, float64)   {}
func (r *incidentUnits) OnDuty(int, float64, float64) {}
func (r *incidentUnits) Deterred(*sim.DeterRecord)    {}
func (r *incidentUnits) Presence(float64, []float64)  {}

// TestOptimizeSquad: the end-to-end squad-size optimisation writes a
// chosen.yaml that loads with the chosen count and squad; and, how the
// model staffs a call of 2 officers: two one-officer cars (officers are
// summed over the units sent, sim.run.dispatch), one two-officer car.
func TestOptimizeSquad(t *testing.T) {
	dir := squadCity(t)
	pr := prepare(t, dir, squadOpt)
	out, err := pr.Run(context.Background(), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	o := filepath.Join(t.TempDir(), "out")
	if err := out.Write(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.LoadFile(filepath.Join(o, ChosenFile))
	if err != nil {
		t.Fatalf("chosen.yaml does not load: %v", err)
	}
	k := pr.slot(out.Chosen.Candidate)
	var cars int
	for _, u := range s.Variants[0].Model.World.Units {
		if u.TypeName == "car" {
			cars++
			if u.Squad != pr.squads[k] {
				t.Errorf("chosen.yaml: a car of squad %d, want %d (%s)", u.Squad, pr.squads[k], out.Chosen.Name)
			}
		}
	}
	if cars != out.Chosen.Counts[k] {
		t.Errorf("chosen.yaml: %d cars, want %d (%s)", cars, out.Chosen.Counts[k], out.Chosen.Name)
	}
	cand, err := pr.scenario(pr.File(pr.allSquads()))
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[int]int{0: 2, 1: 1} { // 6x1, then 3x2
		r := &incidentUnits{sent: map[int]int{}}
		if _, err := sim.Replicate(context.Background(), cand.Variants[v:v+1], cand.File.Seed, 1, 1, func(sim.Job) sim.Recorder { return r }); err != nil {
			t.Fatal(err)
		}
		// The foot patrol (squad 1, routine calls only) never joins an
		// urgent call, so every full-strength call had exactly want units.
		if len(r.sent) != 1 || r.sent[want] == 0 {
			t.Errorf("%s: units sent to full-strength 2-officer calls %v, want all %d", cand.Variants[v].Name, r.sent, want)
		}
	}
}

// allSquads is every squad size's candidate, in order.
func (pr *Problem) allSquads() []Candidate {
	var cs []Candidate
	for k := range pr.squads {
		cs = append(cs, pr.candidateOf(k))
	}
	return cs
}

// TestBadSquadFile: squad-size's own problems name file, line, field and
// value.
func TestBadSquadFile(t *testing.T) {
	dir := squadCity(t)
	cases := []struct {
		name, opt string
		want      []string
	}{
		{"twice", strings.Replace(squadOpt, "squads: [1, 2]", "squads: [2, 2]", 1),
			[]string{`opt.yaml:4: decision.squads[1]: squad size 2 listed twice`}},
		{"too big", strings.Replace(squadOpt, "squads: [1, 2]", "squads: [1, 200]", 1),
			[]string{`opt.yaml:4: decision.squads[1]: must be between 1 and 100 officers (got 200)`}},
		{"one size", strings.Replace(squadOpt, "squads: [1, 2]", "squads: [2]", 1),
			[]string{`opt.yaml:4: decision.squads: give at least two squad sizes`}},
		{"units budget", strings.Replace(squadOpt, "select:", "budget: {units: 4}\nselect:", 1),
			[]string{`opt.yaml:5: budget.units: squad-size compares squads at equal officer-hours`}},
		{"too few hours", strings.Replace(squadOpt, "select:", "budget: {officer_hours: 30}\nselect:", 1),
			[]string{`opt.yaml:5: budget.officer_hours: affords no car unit of 2 officers (48 officer-hours a day each; got 30)`}},
		{"squads elsewhere", strings.Replace(twoOpt, "min: 1}", "min: 1, squads: [1, 2]}", 1),
			[]string{`opt.yaml:4: decision.squads: is for squad-size`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantOptError(t, dir, c.opt, c.want)
		})
	}
}
