package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/analytic"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// The -update flag refreshes docs/validation.md: go test ./cmd/patrolsim -run
// TestValidationTable -update. The flag is shared with any other golden
// test of the package that defines "update" first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite docs/validation.md (TestValidationTable)")
	}
}

func updateRequested() bool {
	if f := flag.Lookup("update"); f != nil {
		return f.Value.String() == "true"
	}
	return false
}

// validationScenario is a rows × cols grid of cell_m cells in districts
// districts, perHour calls an hour spread evenly, one incident type with
// exponential on-scene times of mean onScene seconds, and count units of
// one type homed by home, fast enough that travel is a small part of
// service. Days of 24 h, warm-up 2 days; no delays.
func validationScenario(t *testing.T, name string, rows, cols, districts int, perHour, onScene float64, count int, home policy.Home, speed float64, days float64, reps int) *scenarios.Scenario {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: rows, Cols: cols, CellM: 1000, Districts: districts})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &sim.Config{
		Name: name, City: city, Travel: geo.Travel{Metric: geo.Manhattan, Detour: 1},
		Duration: days * 86400, Warmup: 2 * 86400,
		Incidents: sim.Incidents{
			PerDay: perHour * 24,
			Types:  []sim.IncidentType{{Name: "call", Priority: 1, Share: 1, OnScene: sim.Dist{Kind: sim.Exponential, Mean: onScene}, Officers: 1}},
		},
		Units: []sim.UnitType{{Name: "car", Count: count, Squad: 1, Speed: speed, PatrolSpeed: speed,
			ShiftLen: 86400, Home: home, Priorities: [4]bool{false, true, true, true}}},
	}
	for h := range cfg.Incidents.HourOfDay {
		cfg.Incidents.HourOfDay[h] = 1
	}
	for d := range cfg.Incidents.DayOfWeek {
		cfg.Incidents.DayOfWeek[d] = 1
	}
	for a := range city.Atoms {
		city.Atoms[a].Weight = 1
	}
	v, err := hypercube.ComparedVariant(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &scenarios.Scenario{Config: cfg, Variants: []sim.Variant{v}}
	s.File.Name, s.File.Seed, s.File.Replications = name, 20260101, reps
	return s
}

// validationRow is one line of docs/validation.md.
type validationRow struct {
	Case, Source    string
	Analytic        float64
	Sim             results.Estimate
	SE              float64
	Scale           float64
	Unit            string
	disagreeAllowed bool
}

// agrees: the analytic value is within 3 standard errors of the simulated
// mean (a two-sided test at the 0.27% level for each row; a failure is a
// finding to explain, not a tolerance to widen).
func (r validationRow) agrees() bool { return math.Abs(r.Sim.Mean-r.Analytic) <= 3*r.SE }

// half is the half-width of e's 95% interval.
func half(e results.Estimate) float64 { return e.High - e.Mean }

// se recovers the standard error from the 95% half-width.
func se(e results.Estimate, reps int) float64 {
	return half(e) / tQuantile(reps)
}

func tQuantile(reps int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(reps - 1)}.Quantile(0.975)
}

// priorityRecorder: mean queue wait by priority of the calls in the window.
type priorityRecorder struct {
	lo, hi float64
	n      [4]int
	wait   [4]float64
}

func (r *priorityRecorder) Incident(rec *sim.IncidentRecord) {
	if rec.Call < r.lo || rec.Call >= r.hi || rec.Dispatch != rec.Dispatch {
		return
	}
	r.n[rec.Priority]++
	r.wait[rec.Priority] += rec.Dispatch - rec.Ready
}
func (r *priorityRecorder) Busy(u int, from, to float64)    {}
func (r *priorityRecorder) OnDuty(u int, from, to float64)  {}
func (r *priorityRecorder) Deterred(d *sim.DeterRecord)     {}
func (r *priorityRecorder) Presence(t float64, p []float64) {}

func validationRows(t *testing.T) []validationRow {
	t.Helper()
	ctx := context.Background()
	const reps = 10
	var rows []validationRow
	const fast = 1e5 / 3.6 // 100 000 km/h: travel well under a second
	// Erlang C and B: one 1 km cell, c units at its centre, on-scene 30 min.
	for _, tc := range []struct {
		c       int
		perHour float64
		loss    bool
	}{
		{2, 3, false}, {5, 8, false}, {2, 3, true}, {4, 6, true},
	} {
		s := validationScenario(t, "mmc", 1, 1, 1, tc.perHour, 1800, tc.c, policy.HomeDistrict, fast, 60, reps)
		hm, err := hypercube.New(s, tc.loss)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := hm.Simulate(ctx, s.File.Seed, reps, 2)
		if err != nil {
			t.Fatal(err)
		}
		a := tc.perHour / 2
		if tc.loss {
			rows = append(rows, validationRow{Case: fmt.Sprintf("M/M/%d/%d, a = %g: P(lost)", tc.c, tc.c, a),
				Source: "Erlang B (Larson & Odoni 1981, §4.8)", Analytic: analytic.ErlangB(tc.c, a), Sim: sr.AllBusy, Scale: 100, Unit: "%"})
			continue
		}
		rows = append(rows,
			validationRow{Case: fmt.Sprintf("M/M/%d, a = %g: P(wait)", tc.c, a),
				Source: "Erlang C (Larson & Odoni 1981, §4.6)", Analytic: analytic.ErlangC(tc.c, a), Sim: sr.AllBusy, Scale: 100, Unit: "%"},
			validationRow{Case: fmt.Sprintf("M/M/%d, a = %g: mean wait", tc.c, a),
				Source: "Erlang C: C/(cμ − λ)", Analytic: analytic.MMcWait(tc.c, tc.perHour/3600, 1.0/1800), Sim: sr.QueueWait, Scale: 1.0 / 60, Unit: "min"})
	}
	// Cobham: M/M/2, three priorities of 1 call an hour each, 30 min.
	{
		s := validationScenario(t, "cobham", 1, 1, 1, 3, 1800, 2, policy.HomeDistrict, fast, 60, reps)
		cfg := hypercube.ComparedConfig(s.Config, 1800, false)
		cfg.Incidents.Types = nil
		for p := 1; p <= 3; p++ {
			cfg.Incidents.Types = append(cfg.Incidents.Types, sim.IncidentType{Name: fmt.Sprintf("p%d", p), Priority: p, Share: 1.0 / 3,
				OnScene: sim.Dist{Kind: sim.Exponential, Mean: 1800}, Officers: 1})
		}
		v, err := hypercube.ComparedVariant(cfg)
		if err != nil {
			t.Fatal(err)
		}
		recs := make([]*priorityRecorder, reps)
		if _, err := sim.Replicate(ctx, []sim.Variant{v}, s.File.Seed, reps, 2, func(j sim.Job) sim.Recorder {
			recs[j.Rep] = &priorityRecorder{lo: cfg.Warmup, hi: cfg.Duration}
			return recs[j.Rep]
		}); err != nil {
			t.Fatal(err)
		}
		want := analytic.PriorityWaits(2, []float64{1.0 / 3600, 1.0 / 3600, 1.0 / 3600}, 1.0/1800)
		for p := 1; p <= 3; p++ {
			xs := make([]float64, reps)
			for i, r := range recs {
				xs[i] = r.wait[p] / float64(r.n[p])
			}
			rows = append(rows, validationRow{Case: fmt.Sprintf("M/M/2, 3 priorities, a = 1.5: priority %d wait", p),
				Source: "Cobham 1954 (Kleinrock 1976, §3.6)", Analytic: want[p-1], Sim: results.EstimateOf(xs), Scale: 1.0 / 60, Unit: "min"})
		}
	}
	// Hypercube, zero line capacity: a 3 × 3 grid of 1 km cells in 3
	// districts, 3 units homed in the first three cells, 4 calls an hour of
	// 30 min (a = 2): workloads and P(all busy). Travel (at most 4 km at
	// 100 km/h, 2.4 min) is part of service, as in the model.
	{
		s := validationScenario(t, "hypercube", 3, 3, 3, 4, 1800, 3, policy.HomeCommunity, 100/3.6, 60, reps)
		hm, err := hypercube.New(s, true)
		if err != nil {
			t.Fatal(err)
		}
		res, err := hm.Solve(true)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := hm.Simulate(ctx, s.File.Seed, reps, 2)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, validationRow{Case: "hypercube 3 × 3 grid, 3 units, loss: P(all busy)",
			Source: "exact hypercube (Larson 1974)", Analytic: res.Sol.AllBusy, Sim: sr.AllBusy, Scale: 100, Unit: "%"})
		for u := range hm.Cube.Units {
			rows = append(rows, validationRow{Case: fmt.Sprintf("hypercube 3 × 3 grid, loss: workload unit %d", u),
				Source: "exact hypercube (Larson 1974)", Analytic: res.Sol.Workload[u], Sim: sr.Workload[u], Scale: 100, Unit: "%"})
		}
		rows = append(rows, validationRow{Case: "hypercube 3 × 3 grid, loss: travel",
			Source: "exact hypercube, eq. 5.36", Analytic: res.TravelMean, Sim: sr.Travel, Scale: 1.0 / 60, Unit: "min", disagreeAllowed: true})
	}
	// Hypercube, two units, loss, hierarchical dispatch by district: the
	// nonhomogeneous rectangular city of Larson & Odoni §5.3.3 at four
	// district boundaries (rectcity_test.go).
	rows = append(rows, rectCityRows(t, ctx, reps)...)
	for i := range rows {
		rows[i].SE = se(rows[i].Sim, reps)
	}
	return rows
}

func validationMarkdown(rows []validationRow) string {
	var b strings.Builder
	b.WriteString(`# Validation against queueing theory

Generated by ` + "`go test ./cmd/patrolsim -run TestValidationTable -update`" + `; the
test fails when this file is out of date or a row disagrees. Each simulated
value is the mean over 10 replications of 60 days (2 days of warm-up, fixed
seed) ± the half-width of its 95% confidence interval (Student t). A row
*agrees* when the analytic value lies within 3 standard errors of the
simulated mean. The simulator runs under the analytic model's assumptions
(` + "`ComparedConfig`" + ` in scenarios/hypercube): units wait at home
(posts policy), point-to-point dispatch, no reporting or command delay,
exponential on-scene times, one officer a call, always on duty. In the
Erlang and Cobham cases units travel at 100 000 km/h, so service is the
on-scene time alone; in the hypercube case at 100 km/h, and travel is part
of service as in Larson's model.

| case | source | analytic | simulated ± 95% CI | verdict |
|---|---|---|---|---|
`)
	for _, r := range rows {
		verdict := "agrees"
		if !r.agrees() {
			verdict = "**disagrees**"
			if r.disagreeAllowed {
				verdict = "differs: model (note 1)"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %.3f %s | %.3f ± %.3f %s | %s |\n", r.Case, r.Source,
			r.Analytic*r.Scale, r.Unit, r.Sim.Mean*r.Scale, half(r.Sim)*r.Scale, r.Unit, verdict)
	}
	b.WriteString(`
Note 1. The hypercube dispatches by a fixed preference list per area (its
atoms are points), and travel to an area is the mean over points of the
area from each unit's home. The simulator sends the unit nearest to the
call's actual point, from its true position (a unit driving home after a
call is free but not at home). Both make simulated travel a little shorter
than the hypercube's (here by about 1.2%): a real difference of the models,
not of the code; the workloads and P(all busy), which do not depend on it
to first order, agree.

Note 2. The rectangular city of Larson & Odoni 1981, §5.3.3 (fig. 5.2):
a 2 × 1 mile city, unit 1 at x = 0.75, unit 2 at x = −0.25, half the calls
uniform east of x = 0.75 and half uniform west of it, λ = 1.25 calls per
mean service time, calls lost when both units are busy, each unit first
choice in its district and the other's backup, the district boundary a
distance w west of unit 1 (w = 1/2: equal travel from both units; w* =
53/126: least mean travel, the book's optimum). Analytic: the book's
three-atom model solved by the exact hypercube (which reproduces the
book's ρ1 = 0.49010, ρ2 = 0.43773, travel 0.46246 mile at w = 1/2 and
0.46166 at w*: TestRectCityCube). Simulated (` + "`rectCityConfig`" + ` in
cmd/patrolsim/rectcity_test.go): one row of 504 square cells of 2/504 mile
with weights giving the book's call density, units homed at posts,
hierarchical dispatch by district with mutual aid and no command delay,
exponential on-scene times of 1 h, 1.25 calls an hour, travel at
100 000 km/h (service = on-scene time, as the book assumes travel small
beside service). These rows use 10 replications of 1000 days (about
30 000 calls each), all four boundaries from the same seed (common random
numbers: their deviations from the analytic values are correlated, and
here the workloads all lean slightly high together, within 2 standard
errors; seeds 1 to 4 at w = 1/2 lean as slightly low). The one
difference: the book's travel is east–west only; the simulator's is
Manhattan, and the strip is 2/504 mile tall (not 1 mile: grid cells are
square), the units on its mid-line, which adds a quarter of the height,
0.001 mile, to every trip on average whoever answers (calls are uniform in
y). The analytic travel row is the book's plus that 0.001; in
the real 2 × 1 mile city the same argument adds 0.25 mile, a constant the
book leaves out because it does not depend on the boundary.

Closed forms the analytic package checks exactly (sim/analytic/*_test.go):
the hypercube's P(all busy) is Erlang B (loss) or Erlang C (queue) and its
carried load (λ/μ)(1 − B) or λ/μ on random cities of up to 12 units; the
two-unit rectangular city of Larson & Odoni §5.3.3 (ρ1 = 0.49010, ρ2 =
0.43773, mean travel 0.46246 at w = 1/2; 0.46166 and imbalance 0.04405 at
w* = 53/126); Larson's correction factors Q(3, 1/2, j) of §5.5.3; the
approximate hypercube within 2% (mean) of the exact workloads.
`)
	return b.String()
}

// TestValidationTable runs the validation cases and checks docs/validation.md
// (with -update, rewrites it).
func TestValidationTable(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	rows := validationRows(t)
	for _, r := range rows {
		if !r.agrees() && !r.disagreeAllowed {
			t.Errorf("%s: analytic %.5g, simulated %.5g ± %.5g (se %.3g)", r.Case, r.Analytic, r.Sim.Mean, half(r.Sim), r.SE)
		}
	}
	got := validationMarkdown(rows)
	path := filepath.Join("..", "..", "docs", "validation.md")
	// The generated part is the file up to its first "## " section; the
	// sections after it are written by hand and kept.
	split := func(b []byte) ([]byte, []byte) {
		if i := bytes.Index(b, []byte("\n## ")); i >= 0 {
			return bytes.TrimRight(b[:i+1], "\n"), b[i+1:]
		}
		return bytes.TrimRight(b, "\n"), nil
	}
	if updateRequested() {
		old, _ := os.ReadFile(path)
		out := []byte(got)
		if _, tail := split(old); tail != nil {
			out = append(append(out, '\n'), tail...)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if want, _ := split(file); !bytes.Equal(want, bytes.TrimRight([]byte(got), "\n")) {
		t.Errorf("docs/validation.md is out of date: run go test ./cmd/patrolsim -run TestValidationTable -update\n%s", got)
	}
}
