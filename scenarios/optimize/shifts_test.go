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
			wantOptError(t, dir, c.opt, c.want)
		})
	}
}

// lengthCity is shiftCity with calls 3 times as frequent 12:00–24:00 as
// 00:00–12:00: a peak of 12 hours that 8-hour shifts at 00:00, 08:00 and
// 16:00 cannot follow.
func lengthCity(t *testing.T) string {
	t.Helper()
	dir := shiftCity(t)
	path := filepath.Join(dir, "scenario.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "hour_of_day: [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3]",
		"hour_of_day: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]", 1)
	write(t, path, s)
	return dir
}

// lengthOpt decides starts and lengths of lengthCity's cars within 100
// officer-hours a day: 8-hour shifts at 00:00, 08:00 and 16:00, 12-hour
// shifts at 00:00 and 12:00. 100 is no multiple of 8 or 12: only a mix
// spends it all.
const lengthOpt = `version: 1
scenario: scenario.yaml
variant: beats
decision:
  kind: shifts
  unit: car
  shifts:
    - {start: "00:00", hours: 8}
    - {start: "08:00", hours: 8}
    - {start: "16:00", hours: 8}
    - {start: "00:00", hours: 12}
    - {start: "12:00", hours: 12}
  floor: 2
budget: {officer_hours: 100}
screen: {keep: 3}
select: {delta: 20, first: 8, max: 30}
`

// TestShiftLengthScreenFindsEnumeratedOptimum: over every way to give
// lengthCity's cars one of the 5 patterns of lengthOpt within 100
// officer-hours a day (a 12-hour car costs 12, an 8-hour one 8; 3,488
// ways), the screen (every maximal mix of lengths, the starts searched in
// each) keeps first the candidate enumeration finds best under the same
// hourly score; that optimum mixes lengths and beats the best of 8-hour
// shifts alone and of 12-hour shifts alone, and every kept candidate keeps
// the budget and the floor.
func TestShiftLengthScreenFindsEnumeratedOptimum(t *testing.T) {
	pr := prepare(t, lengthCity(t), lengthOpt)
	sc, err := pr.Screen()
	if err != nil {
		t.Fatal(err)
	}
	cost := []float64{8, 8, 8, 12, 12}
	best, best8, best12 := math.Inf(1), math.Inf(1), math.Inf(1)
	var bestAt []int
	n := 0
	counts := make([]int, 5)
	var walk func(k int, left float64)
	walk = func(k int, left float64) {
		if k == len(counts) {
			n++
			c := pr.shiftScore(Candidate{Counts: slices.Clone(counts)})
			if c.Screen < best {
				best, bestAt = c.Screen, slices.Clone(counts)
			}
			if counts[3]+counts[4] == 0 {
				best8 = min(best8, c.Screen)
			}
			if counts[0]+counts[1]+counts[2] == 0 {
				best12 = min(best12, c.Screen)
			}
			return
		}
		for x := 0; float64(x)*cost[k] <= left; x++ {
			counts[k] = x
			walk(k+1, left-float64(x)*cost[k])
		}
		counts[k] = 0
	}
	walk(0, 100)
	got := sc.Kept[0]
	if math.Abs(got.Screen-best) > 1e-9*best {
		t.Errorf("screen kept %v (%.3f s) first; enumeration of %d candidates finds %v (%.3f s)", got.Counts, got.Screen, n, bestAt, best)
	}
	if !(best < best8 && best < best12) {
		t.Errorf("the optimum %v (%.1f s) does not beat 8-hour shifts alone (%.1f s) and 12-hour alone (%.1f s): not the test's case", bestAt, best, best8, best12)
	}
	for _, c := range sc.Kept {
		if h := pr.OfficerHours(c); h > 100 {
			t.Errorf("kept %v: %g officer-hours a day, above the budget of 100", c.Counts, h)
		}
		if math.IsInf(c.Screen, 1) {
			t.Errorf("kept %v below the floor", c.Counts)
		}
	}
	if len(sc.Kept) != 3 {
		t.Errorf("kept %d, want screen.keep = 3", len(sc.Kept))
	}
	t.Logf("best %v at %.1f s among %d candidates (8 h alone %.1f s, 12 h alone %.1f s); %d scored by the screen", got.Counts, got.Screen, n, best8, best12, sc.Evaluations)
}

// TestOptimizeShiftLengths: the end-to-end optimisation of lengths writes
// a chosen.yaml whose cars work the chosen patterns, within the budget,
// and the same files with 1 and 2 workers.
func TestOptimizeShiftLengths(t *testing.T) {
	dir := lengthCity(t)
	var pr *Problem
	var out *Outcome
	var folders []string
	for _, workers := range []int{2, 1} {
		var o string
		pr, out, o = runAndWrite(t, dir, lengthOpt, workers)
		folders = append(folders, o)
	}
	sameFiles(t, folders[0], folders[1], outputFiles)
	o := folders[0]
	s, err := scenarios.LoadFile(filepath.Join(o, ChosenFile))
	if err != nil {
		t.Fatalf("chosen.yaml does not load: %v", err)
	}
	starts := []float64{0, 8 * 3600, 16 * 3600, 0, 12 * 3600}
	lens := []float64{8, 8, 8, 12, 12}
	byPattern := make([]int, 5)
	var hours float64
	for _, u := range s.Variants[0].Model.World.Units {
		ut := s.Config.Units[u.Type]
		if k := slices.Index(pr.Units, ut.Name); k >= 0 {
			byPattern[k]++
			hours += ut.ShiftLen / 3600
			if ut.ShiftStart != starts[k] || ut.ShiftLen != lens[k]*3600 {
				t.Errorf("%s: shift from %g s for %g s, want %g s for %g h", ut.Name, ut.ShiftStart, ut.ShiftLen, starts[k], lens[k])
			}
		}
	}
	if !slices.Equal(byPattern, out.Chosen.Counts) {
		t.Errorf("chosen.yaml: cars by pattern %v, want %v (%s)", byPattern, out.Chosen.Counts, out.Chosen.Name)
	}
	if hours > 100 || hours != pr.OfficerHours(out.Chosen.Candidate) {
		t.Errorf("chosen.yaml: %g officer-hours a day, want %g, at most the budget of 100", hours, pr.OfficerHours(out.Chosen.Candidate))
	}
}

// TestBadShiftLengthsFile: the problems of shift lengths name file, line,
// field and value.
func TestBadShiftLengthsFile(t *testing.T) {
	dir := lengthCity(t)
	startsHours := strings.Replace(lengthOpt, `  shifts:
    - {start: "00:00", hours: 8}
    - {start: "08:00", hours: 8}
    - {start: "16:00", hours: 8}
    - {start: "00:00", hours: 12}
    - {start: "12:00", hours: 12}
`, `  starts: ["00:00", "08:00"]
  hours: [8, 30]
`, 1)
	cases := []struct {
		name, opt string
		want      []string
	}{
		{"budget below the floor", strings.Replace(lengthOpt, "officer_hours: 100", "officer_hours: 40", 1),
			[]string{`opt.yaml:14: budget.officer_hours: 40 officer-hours a day cannot meet the floor: its 48 unit-hours on duty a day need at least 48 (squad 1)`}},
		{"budget of units", strings.Replace(lengthOpt, "officer_hours: 100", "officer_hours: 100, units: 10", 1),
			[]string{`opt.yaml:14: budget.units: with shift lengths a unit's cost depends on its length: give budget.officer_hours instead of units (got 10)`}},
		{"count", strings.Replace(lengthOpt, "  floor: 2\n", "  floor: 2\n  count: 10\n", 1),
			[]string{`opt.yaml:14: decision.count: with shift lengths (hours or shifts) the budget decides the units`}},
		{"length", strings.Replace(lengthOpt, `{start: "12:00", hours: 12}`, `{start: "12:00", hours: 24}`, 1),
			[]string{`opt.yaml:12: decision.shifts[4].hours: must be a shift length above 0 and below 24 hours (got 24)`}},
		{"pattern key", strings.Replace(lengthOpt, `{start: "12:00", hours: 12}`, `{start: "12:00", hours: 12, squad: 2}`, 1),
			[]string{`opt.yaml:12: decision.shifts[4].squad: unknown key "squad" (valid: start, hours)`}},
		{"pattern twice", strings.Replace(lengthOpt, `{start: "12:00", hours: 12}`, `{start: "00:00", hours: 12}`, 1),
			[]string{`opt.yaml:12: decision.shifts[4]: shift 00:00 for 12 h listed twice`}},
		{"both", strings.Replace(lengthOpt, "  floor: 2\n", "  floor: 2\n  starts: [\"07:00\"]\n", 1),
			[]string{`opt.yaml:8: decision.shifts: give shifts (patterns of start and hours) or starts (with hours), not both`}},
		{"starts × hours", startsHours,
			[]string{`opt.yaml:8: decision.hours[1]: must be a shift length above 0 and below 24 hours (got 30)`}},
		{"uncovered hour", strings.Replace(startsHours, "[8, 30]", "[8, 10]", 1),
			[]string{`opt.yaml:9: decision.floor: hour 18:00–19:00 needs 2 units but no shift pattern (00:00 8 h, 00:00 10 h, 08:00 8 h, 08:00 10 h) covers it`}},
		{"floor above the units", strings.Replace(lengthOpt, "floor: 2", "floor: 13", 1),
			[]string{`opt.yaml:13: decision.floor: hour 00:00 needs 13 units, more than the 12 the budget of 100 officer-hours a day affords`}},
		{"minimise officer_hours", lengthOpt + "objective: {minimise: officer_hours, subject_to: [\"response_p90_s_p1 <= 5m\"]}\n",
			[]string{`opt.yaml:17: objective.minimise: shifts spends its budget`}},
		{"hours elsewhere", strings.Replace(twoOpt, "min: 1}", "min: 1, hours: [8, 12]}", 1),
			[]string{`opt.yaml:4: decision.hours: is for shifts`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantOptError(t, dir, c.opt, c.want)
		})
	}
}
