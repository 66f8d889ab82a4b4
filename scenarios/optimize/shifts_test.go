package optimize

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// shiftCity is twoDistricts' city with a day-night profile (calls 3
// times as frequent 16:00–24:00 as 00:00–08:00), 60 calls a day, and 12
// one-officer cars on 8-hour shifts: about 1.5 Erlangs on average, 2.2 in
// the evening.
func shiftCity(t *testing.T) string {
	t.Helper()
	dir := twoDistricts(t)
	path := filepath.Join(dir, "scenario.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "  per_day: 120\n", "  per_day: 60\n  hour_of_day: [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3]\n", 1)
	s = strings.Replace(s, "{name: car, count: 6, squad: 1, speed_kmh: 30, home: district}",
		`{name: car, count: 12, squad: 1, speed_kmh: 30, home: district, shift: {start: "00:00", hours: 8}}`, 1)
	write(t, path, s)
	return dir
}

const shiftOpt = `version: 1
scenario: scenario.yaml
variant: beats
decision: {kind: shifts, unit: car, starts: ["00:00", "08:00", "16:00"], floor: 2}
screen: {keep: 3}
select: {delta: 20, first: 8, max: 30}
`

// TestShiftScreenFindsEnumeratedOptimum: over the 91 ways to give 12 cars
// one of 3 starts, the search (greedy addition, then exchanges) finds the
// one enumeration finds under the same hourly score, every kept candidate
// meets the floor of 2 cars each hour, and the evening (3 times the
// calls of the night) gets the most cars.
func TestShiftScreenFindsEnumeratedOptimum(t *testing.T) {
	pr := prepare(t, shiftCity(t), shiftOpt)
	sc, err := pr.Screen()
	if err != nil {
		t.Fatal(err)
	}
	best := math.Inf(1)
	var bestAt []int
	for a := 0; a <= 12; a++ {
		for b := 0; a+b <= 12; b++ {
			c := pr.shiftScore(Candidate{Counts: []int{a, b, 12 - a - b}})
			if c.Screen < best {
				best, bestAt = c.Screen, c.Counts
			}
		}
	}
	got := sc.Kept[0]
	if math.Abs(got.Screen-best) > 1e-9*best {
		t.Errorf("screen kept %v (%.3f s) first, enumeration finds %v (%.3f s)", got.Counts, got.Screen, bestAt, best)
	}
	for _, c := range sc.Kept {
		if slices.Min(c.Counts) < 2 || c.Total() != 12 {
			t.Errorf("kept %v: want 12 cars, at least 2 a start (the floor of 2 each hour, 8-hour shifts end to end)", c.Counts)
		}
	}
	if len(sc.Kept) != 3 {
		t.Errorf("kept %d, want screen.keep = 3", len(sc.Kept))
	}
	if c := got.Counts; !(c[2] > c[0]) {
		t.Errorf("best %v: want more cars 16:00–24:00 than 00:00–08:00", c)
	}
}

// TestOptimizeShifts: the end-to-end shifts optimisation writes a
// chosen.yaml whose cars start at the chosen times.
func TestOptimizeShifts(t *testing.T) {
	dir := shiftCity(t)
	pr := prepare(t, dir, shiftOpt)
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
	byStart := make([]int, 3)
	for _, u := range s.Variants[0].Model.World.Units {
		ut := s.Config.Units[u.Type]
		if k := slices.Index(pr.Units, ut.Name); k >= 0 {
			byStart[k]++
			if ut.ShiftStart != []float64{0, 8 * 3600, 16 * 3600}[k] || ut.ShiftLen != 8*3600 {
				t.Errorf("%s: shift from %g s for %g s, want start %d of 00:00, 08:00, 16:00 for 8 h", ut.Name, ut.ShiftStart, ut.ShiftLen, k)
			}
		}
	}
	if !slices.Equal(byStart, out.Chosen.Counts) {
		t.Errorf("chosen.yaml: cars by start %v, want %v (%s)", byStart, out.Chosen.Counts, out.Chosen.Name)
	}
}

// TestBadShiftsFile: shifts' own problems name file, line, field and
// value.
func TestBadShiftsFile(t *testing.T) {
	dir := shiftCity(t)
	cases := []struct {
		name, opt string
		want      []string
	}{
		{"bad start", strings.Replace(shiftOpt, `"16:00"`, `"16:60"`, 1),
			[]string{`opt.yaml:4: decision.starts[2]: must be a time of day HH:MM from 00:00 to 23:59 (got "16:60")`}},
		{"one start", strings.Replace(shiftOpt, `["00:00", "08:00", "16:00"]`, `["00:00"]`, 1),
			[]string{`opt.yaml:4: decision.starts: give at least two shift starts`}},
		{"floor length", strings.Replace(shiftOpt, "floor: 2", "floor: [1, 2]", 1),
			[]string{`opt.yaml:4: decision.floor: must be one number (every hour) or 24`}},
		{"uncovered hour", strings.Replace(shiftOpt, `["00:00", "08:00", "16:00"]`, `["00:00", "08:00"]`, 1),
			[]string{`opt.yaml:4: decision.floor: hour 16:00–17:00 needs 2 units but no start of 00:00, 08:00 covers it (shifts of 8 h)`}},
		{"floor above count", strings.Replace(shiftOpt, "floor: 2", "floor: 14", 1),
			[]string{`opt.yaml:4: decision.floor: hour 00:00 needs 14 units, more than the 12 decided`}},
		{"budget", strings.Replace(shiftOpt, "screen:", "budget: {units: 12}\nscreen:", 1),
			[]string{`opt.yaml:5: budget: shifts keeps decision.count units`}},
		{"round the clock", strings.Replace(shiftOpt, "unit: car", "unit: foot", 1),
			[]string{`opt.yaml:4: decision.unit: unit type "foot" is on duty round the clock`}},
		{"starts elsewhere", strings.Replace(twoOpt, "min: 1}", `min: 1, starts: ["06:00"]}`, 1),
			[]string{`opt.yaml:4: decision.starts: is for shifts`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "opt.yaml")
			spec, err := Parse(path, []byte(c.opt))
			if err == nil {
				s, lerr := scenarios.LoadFile(ScenarioPath(path, spec))
				if lerr != nil {
					t.Fatal(lerr)
				}
				_, err = Prepare(spec, s)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}
