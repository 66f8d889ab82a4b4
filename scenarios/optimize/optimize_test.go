package optimize

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// twoDistricts writes a city of 2 × 4 square cells of about 1 km near
// (0, 0): district West (the two western columns) draws weight 4 a cell,
// East weight 1, so 80% of the calls fall in West. Six one-officer cars
// round the clock, 120 calls a day of 30 min on scene: 2.5 Erlangs, 2 of
// them in West.
func twoDistricts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const step = 0.009 // degrees, about 1 km at the equator
	var feats []map[string]any
	for r := range 2 {
		for c := range 4 {
			x0, y0 := float64(c-2)*step, float64(r-1)*step
			ring := [][]float64{{x0, y0}, {x0 + step, y0}, {x0 + step, y0 + step}, {x0, y0 + step}, {x0, y0}}
			d, w := "West", 4.0
			if c >= 2 {
				d, w = "East", 1.0
			}
			feats = append(feats, map[string]any{"type": "Feature",
				"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}},
				"properties": map[string]any{"name": fmt.Sprintf("c%d%d", r, c), "district": d, "weight": w}})
		}
	}
	data, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": feats})
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "areas.geojson"), string(data))
	write(t, filepath.Join(dir, "scenario.yaml"), `version: 1
name: two-districts
seed: 7
duration: 8d
warmup: 1d
replications: 2
city:
  areas: areas.geojson
  fields: {name: name, district: district, weight: weight}
travel: {model: manhattan, detour: 1.2, turnout: 30s}
incidents:
  per_day: 120
  types:
    - {name: urgent, priority: 1, share: 0.5, on_scene: {dist: exponential, mean: 30m}, officers: 1}
    - {name: routine, priority: 2, share: 0.5, on_scene: {dist: exponential, mean: 30m}, officers: 1}
units:
  - {name: car, count: 6, squad: 1, speed_kmh: 30, home: district}
  - {name: foot, count: 1, squad: 1, speed_kmh: 5, home: district, priorities: [2]}
dispatch: {delay: 30s}
targets: {p1: 5m}
variants:
  - {name: random, policy: random}
  - {name: beats, policy: static-beats}
`)
	return dir
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

const twoOpt = `version: 1
scenario: scenario.yaml
variant: beats
decision: {kind: unit-counts, unit: car, min: 1}
budget: {officer_hours: 150, units: 10}
screen: {keep: 3}
select: {delta: 15, first: 10, max: 40}
`

// runAndWrite prepares opt on dir, runs it on workers and writes its
// folder: the problem, the outcome and the folder.
func runAndWrite(t *testing.T, dir, opt string, workers int) (*Problem, *Outcome, string) {
	t.Helper()
	pr := prepare(t, dir, opt)
	out, err := pr.Run(context.Background(), Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	o := filepath.Join(t.TempDir(), "out")
	if err := out.Write(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return pr, out, o
}

// outputFiles are the files of an optimize folder.
var outputFiles = []string{ChosenFile, CandidatesFile, TableFile, ScreenFile, SummaryFile, ResultsFile, ParetoFile, ChartFile}

// sameFiles checks that folders a and b hold the same bytes in each of
// names (written by runs on different worker counts).
func sameFiles(t *testing.T, a, b string, names []string) {
	t.Helper()
	for _, name := range names {
		x, errX := os.ReadFile(filepath.Join(a, name))
		y, errY := os.ReadFile(filepath.Join(b, name))
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between the worker counts (%v, %v)", name, errX, errY)
		}
	}
}

func prepare(t *testing.T, dir, opt string) *Problem {
	t.Helper()
	path := filepath.Join(dir, "opt.yaml")
	spec, err := Parse(path, []byte(opt))
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.LoadFile(ScenarioPath(path, spec))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Prepare(spec, s)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// TestScreenFindsEnumeratedOptimum: the screen's search (marginal
// allocation, then exchanges) finds the candidate that enumerating every
// split of the budget under the same hypercube score finds, and keeps the
// candidates in score order. The budget, 150 officer-hours a day of cars
// of 24 officer-hours, is 6 cars (floor of 6.25), below budget.units 10.
func TestScreenFindsEnumeratedOptimum(t *testing.T) {
	pr := prepare(t, twoDistricts(t), twoOpt)
	if pr.Most != 6 {
		t.Fatalf("the budget affords %d cars, want 6 (150 / 24, rounded down)", pr.Most)
	}
	sc, err := pr.Screen()
	if err != nil {
		t.Fatal(err)
	}
	best := Candidate{Screen: math.Inf(1)}
	for west := 1; west <= 5; west++ {
		c, err := pr.evaluate([]int{6 - west, west}) // districts in file order: East first? see Names
		if pr.Names[0] == "West" {
			c, err = pr.evaluate([]int{west, 6 - west})
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Screen < best.Screen {
			best = c
		}
	}
	if !slices.Equal(sc.Kept[0].Counts, best.Counts) {
		t.Errorf("screen kept %v first, enumeration's best is %v (%.1f s)", sc.Kept[0].Counts, best.Counts, best.Screen)
	}
	for i := 1; i < len(sc.Kept); i++ {
		if sc.Kept[i].Screen < sc.Kept[i-1].Screen {
			t.Errorf("kept out of order: %v", sc.Kept)
		}
	}
	if len(sc.Kept) != 3 {
		t.Errorf("kept %d candidates, want screen.keep = 3", len(sc.Kept))
	}
}

// TestOptimizeMovesCarsToLoadedDistrict: with 80% of the calls in West,
// the chosen deployment has more cars in West than in East, spends no
// more than the budget, and a separate simulation (replications 100–119,
// which the selection never saw) confirms it beats the even split 3–3 on
// the objective (P1 p90 response): the paired 95% interval of chosen −
// even lies below zero.
func TestOptimizeMovesCarsToLoadedDistrict(t *testing.T) {
	dir := twoDistricts(t)
	pr := prepare(t, dir, twoOpt)
	out, err := pr.Run(context.Background(), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	w := slices.Index(pr.Names, "West")
	e := 1 - w
	ch := out.Chosen.Counts
	if ch[w] <= ch[e] {
		t.Fatalf("chose West %d, East %d: want more cars where the calls are", ch[w], ch[e])
	}
	for _, c := range out.Candidates {
		if c.Total() > 6 || c.OfficerHours > 150 {
			t.Errorf("candidate %s: %d cars, %g officer-hours a day, over the budget (6 cars, 150)", c.Name, c.Total(), c.OfficerHours)
		}
	}
	even := Candidate{Counts: []int{3, 3}}
	f := pr.File([]Candidate{out.Chosen.Candidate, even})
	s, err := pr.scenario(f)
	if err != nil {
		t.Fatal(err)
	}
	reps := make([]int, 20)
	for i := range reps {
		reps[i] = 100 + i
	}
	res, err := run.Execute(context.Background(), s, run.Options{Workers: 2, Replications: reps})
	if err != nil {
		t.Fatal(err)
	}
	goals := s.Objective()
	a, b := objectiveCosts(res.Summary, goals, 0), objectiveCosts(res.Summary, goals, 1)
	diff := make([]float64, len(a))
	for i := range diff {
		diff[i] = a[i] - b[i]
	}
	d := results.EstimateOf(diff)
	t.Logf("chosen %s minus the even split 3-3: %.1f s [%.1f, %.1f]", out.Chosen.Name, d.Mean, d.Low, d.High)
	if !(d.High < 0) {
		t.Errorf("chosen %s minus even split 3-3 on %v: %.1f s [%.1f, %.1f], want the interval below 0", out.Chosen.Name, goals, d.Mean, d.Low, d.High)
	}
	var buf bytes.Buffer
	if err := out.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"screen: mean response (min)", "sim: P1 response, p90 (min)", "±", out.Chosen.Name + " *"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestOptimizeDeterministic: the written folder is byte-identical for 1
// and 2 workers, and its chosen.yaml loads as a scenario with the chosen
// counts.
func TestOptimizeDeterministic(t *testing.T) {
	dir := twoDistricts(t)
	var folders []string
	for _, workers := range []int{1, 2} {
		_, _, o := runAndWrite(t, dir, twoOpt, workers)
		folders = append(folders, o)
	}
	sameFiles(t, folders[0], folders[1], outputFiles)
	s, err := scenarios.LoadFile(filepath.Join(folders[0], ChosenFile))
	if err != nil {
		t.Fatalf("chosen.yaml does not load: %v", err)
	}
	if n := len(s.Variants[0].Model.World.Units); n != 7 {
		t.Errorf("chosen.yaml has %d units, want 6 cars and the foot patrol", n)
	}
}

// TestBadOptFile: every problem names the file, the line, the field and
// the value.
func TestBadOptFile(t *testing.T) {
	dir := twoDistricts(t)
	cases := []struct {
		name, opt string
		want      []string
	}{
		{"unknown key", strings.Replace(twoOpt, "budget: {", "budgett: 3\nbudget: {", 1),
			[]string{`opt.yaml:5: budgett: unknown key "budgett"`}},
		{"another kind's keys", strings.Replace(twoOpt, "kind: unit-counts", "kind: shifts", 1),
			[]string{`opt.yaml:4: decision.starts: give at least two shift starts`, `opt.yaml:5: budget: shifts keeps decision.count units`}},
		{"unknown kind", strings.Replace(twoOpt, "kind: unit-counts", "kind: drones", 1),
			[]string{`opt.yaml:4: decision.kind: unknown kind`, `got "drones"`}},
		{"wrong type", strings.Replace(twoOpt, "officer_hours: 150", "officer_hours: lots", 1),
			[]string{`opt.yaml:5: budget.`, "lots"}},
		{"negative keep", strings.Replace(twoOpt, "keep: 3", "keep: 1", 1),
			[]string{`opt.yaml:6: screen.keep: must be between 2 and 20 candidates (got 1)`}},
		{"no budget", strings.Replace(twoOpt, "budget: {officer_hours: 150, units: 10}", "budget: {}", 1),
			[]string{`opt.yaml:5: budget: give officer_hours`}},
		{"no unit", strings.Replace(twoOpt, "unit: car", "unit: van", 1),
			[]string{`opt.yaml:4: decision.unit: no unit type "van"`, "(units: car, foot)"}},
		{"no district", strings.Replace(twoOpt, "min: 1}", "min: 1, districts: [West, North]}", 1),
			[]string{`opt.yaml:4: decision.districts[1]: no district "North"`}},
		{"no variant", strings.Replace(twoOpt, "variant: beats", "variant: follow", 1),
			[]string{`opt.yaml:3: variant: no variant "follow"`, "(variants: random, beats)"}},
		{"budget below floor", strings.Replace(twoOpt, "min: 1}", "min: 4}", 1),
			[]string{`opt.yaml:5: budget.officer_hours: affords 6 car units`, "needs 8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantOptError(t, dir, c.opt, c.want)
		})
	}
}

// TestSplitKeepsDispatchReferences: splitting the decided type renames it
// (patrol_car → patrol_car-Taihe, …), and the dispatch block's references
// to it — builtin:jinzhou's reserve counts patrol_car — name the split
// types, so the candidates' scenario loads and the reserve still counts
// the decided cars.
func TestSplitKeepsDispatchReferences(t *testing.T) {
	spec, err := Parse("opt.yaml", []byte(`version: 1
scenario: builtin:jinzhou
variant: beats-p2p
decision: {kind: unit-counts, unit: patrol_car, min: 1, max: 8}
budget: {units: 18}
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Prepare(spec, s)
	if err != nil {
		t.Fatal(err)
	}
	got := pr.split.Dispatch.Reserve.Units
	want := []string{"patrol_car-Taihe", "patrol_car-Guta", "patrol_car-Linghe", "motorbike", "station_car"}
	if !slices.Equal(got, want) {
		t.Errorf("reserve counts %v, want %v", got, want)
	}
	if s.File.Dispatch.Reserve.Units[0] != "patrol_car" {
		t.Errorf("the base scenario's reserve changed: %v", s.File.Dispatch.Reserve.Units)
	}
}

// TestUnitCountsMinZero: with min 0 a district may get no car, and the
// decided type is the only one taking priority-1 calls: the candidates'
// scenario must still load (its own counts are the first candidate's, as
// the loader checks the file's force before the variants change it).
func TestUnitCountsMinZero(t *testing.T) {
	dir := twoDistricts(t)
	pr := prepare(t, dir, strings.Replace(strings.Replace(twoOpt, "min: 1", "min: 0", 1), "first: 10, max: 40", "first: 3, max: 6", 1))
	if _, err := pr.Run(context.Background(), Options{Workers: 2}); err != nil {
		t.Fatalf("min 0: %v", err)
	}
}

// wantOptError checks that the OPT file opt, as dir/opt.yaml, is refused
// by Parse or Prepare with an error that contains every string of want
// and names the file.
func wantOptError(t *testing.T, dir, opt string, want []string) {
	t.Helper()
	path := filepath.Join(dir, "opt.yaml")
	spec, err := Parse(path, []byte(opt))
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
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error\n%v\nwant it to contain %q", err, w)
		}
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name the file %s", err, path)
	}
}
