package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/analytic"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

type hypercubeFlags struct {
	json, exact, approx, loss, compare bool
	replications, workers              int
}

// hypercubeCmd is `patrolsim hypercube`: Larson's hypercube queueing model
// of a scenario, and with --compare the simulator under the same
// assumptions.
func (m *Main) hypercubeCmd() *cobra.Command {
	var f hypercubeFlags
	cmd := &cobra.Command{
		Use:   "hypercube [SCENARIO.yaml]",
		Short: "Larson's hypercube queueing model of a scenario: workloads, P(all busy), travel",
		Long: "Hypercube solves Larson's hypercube queueing model (Larson 1974; Larson & Odoni,\n" +
			"Urban Operations Research, 1981, ch. 5) for the units of the scenario's first\n" +
			"variant, every unit at its home, and prints each unit's workload, the probability\n" +
			"that all units are busy, the cross-district share and the mean travel time.\n" +
			"Assumptions: every unit is on duty round the clock and may take every call (one\n" +
			"unit a call); calls arrive at each area's mean rate over the week (near-repeat\n" +
			"offspring included at their long-run rate); the service time is exponential with\n" +
			"the mean on-scene time (by type share) plus the mean travel time; each area's\n" +
			"dispatch preference is by mean travel time from the units' homes to points of the\n" +
			"area, turnout included.\n" +
			"The exact solution (2^N states) is the default up to 15 units, the approximation\n" +
			"(Larson 1975) above. --compare also runs the simulator under these assumptions.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			if f.exact && f.approx {
				return usageError{errors.New("--exact and --approx exclude each other")}
			}
			if f.workers < 1 {
				return usageError{fmt.Errorf("--workers must be >= 1 (got %d)", f.workers)}
			}
			if f.replications < 0 || f.replications > scenarios.MaxReplications {
				return usageError{fmt.Errorf("--replications must be between 1 and %d (got %d)", scenarios.MaxReplications, f.replications)}
			}
			s, err := loadScenario(path)
			if err != nil {
				return err
			}
			if f.replications > 0 {
				s.File.Replications = f.replications
			}
			return m.hypercube(cmd.Context(), s, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print a JSON document instead of the table")
	fl.BoolVar(&f.exact, "exact", false, "solve the 2^N balance equations (default up to 15 units)")
	fl.BoolVar(&f.approx, "approx", false, "use Larson's approximation (default above 15 units)")
	fl.BoolVar(&f.loss, "loss", false, "zero line capacity: a call that finds every unit busy is lost")
	fl.BoolVar(&f.compare, "compare", false, "also simulate under the hypercube's assumptions and compare")
	fl.IntVar(&f.replications, "replications", 0, "replications for --compare (default: the scenario's)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel for --compare")
	return cmd
}

// hypercubeModel is a scenario turned into Larson's model. Times in
// seconds, rates per second.
type hypercubeModel struct {
	Name     string
	Cube     *analytic.Hypercube
	Travel   [][]float64 // [atom][unit], turnout included
	UnitDist []int
	AtomDist []int
	Units    []string // unit names: type and index
	Atoms    []string
	OnScene  float64 // mean on-scene time
	Force    *sim.Model
}

// defaultExactUnits: up to this many units the exact solution is the
// default (0.13 s for 15 units and 100 areas, BenchmarkExact15).
const defaultExactUnits = 15

// travelSamples is how many points of each area the mean travel time to it
// averages over.
const travelSamples = 256

// newHypercubeModel builds the hypercube of s's first variant. The mean
// service rate is left for solveHypercube (it depends on the travel times).
func newHypercubeModel(s *scenarios.Scenario, loss bool) (*hypercubeModel, error) {
	if len(s.Variants) == 0 {
		return nil, usageError{errors.New("the scenario has no variant")}
	}
	force := s.Variants[0].Model
	cfg := force.Cfg
	city := cfg.City
	units := force.World.Units
	if len(units) == 0 {
		return nil, usageError{errors.New("the scenario's first variant has no units")}
	}
	hm := &hypercubeModel{Name: s.File.Name, Force: force}
	// Mean rate of each atom over the week: the hour-by-hour average of
	// the intensity the simulator draws from, times 1/(1 − offspring) for
	// near-repeat offspring (the long-run rate of the Hawkes process).
	rate := cfg.RateFunc()
	boost := 1.0
	if m := cfg.NearRepeat.Offspring; m > 0 && m < 1 {
		boost = 1 / (1 - m)
	}
	lambda := make([]float64, len(city.Atoms))
	for a := range city.Atoms {
		var sum float64
		for h := range 168 {
			sum += rate(a, float64(h)*3600+1800)
		}
		lambda[a] = sum / 168 * boost
	}
	for _, it := range cfg.Incidents.Types {
		hm.OnScene += it.Share * it.OnScene.Mean
	}
	hm.Cube = &analytic.Hypercube{Units: len(units), Lambda: lambda, Loss: loss}
	for u, un := range units {
		hm.Units = append(hm.Units, fmt.Sprintf("%s %d", un.TypeName, u))
		hm.UnitDist = append(hm.UnitDist, un.District)
	}
	for a := range city.Atoms {
		at := &city.Atoms[a]
		hm.Atoms = append(hm.Atoms, at.Name)
		hm.AtomDist = append(hm.AtomDist, at.District)
		// Travel to an area is the mean over travelSamples points drawn
		// uniformly in it (a fixed stream), as the simulator places calls:
		// the centroid alone would miss the spread within the area (from a
		// unit at the centre of a square cell of side X, Manhattan travel
		// averages X/2, not 0).
		r := rand.New(rand.NewPCG(uint64(a), 0x6879706572637562))
		pts := make([]geo.Point, travelSamples)
		for i := range pts {
			pts[i] = city.RandomPoint(a, r)
		}
		t := make([]float64, len(units))
		for u, un := range units {
			ut := &cfg.Units[un.Type]
			var sum float64
			for _, p := range pts {
				sum += cfg.Travel.Time(un.At, p, ut.Speed)
			}
			t[u] = ut.Turnout + sum/travelSamples
		}
		pref := make([]int, len(units))
		for u := range pref {
			pref[u] = u
		}
		// By travel time, ties to the lowest unit index as in dispatch.
		slices.SortStableFunc(pref, func(x, y int) int {
			switch {
			case t[x] < t[y]:
				return -1
			case t[x] > t[y]:
				return 1
			}
			return 0
		})
		hm.Travel = append(hm.Travel, t)
		hm.Cube.Pref = append(hm.Cube.Pref, pref)
	}
	return hm, nil
}

// hypercubeResult is the analytic answer.
type hypercubeResult struct {
	Sol         *analytic.Solution
	Method      string  // "exact" or "approximate"
	MeanService float64 // seconds: on-scene + mean travel
	TravelMean  float64 // seconds
	TravelAtom  []float64
	Cross       float64
	QueueWait   float64 // seconds, mean over all calls (infinite queue), else NaN
}

// solveHypercube solves hm. The service time includes travel, and the mean
// travel depends on who answers, so the mean service time is found by
// fixed-point iteration: start from the on-scene time plus the travel of
// each area's first choice, solve, recompute the mean travel, until it
// moves by less than 0.01 s (at most 20 rounds; it usually takes 3).
func solveHypercube(hm *hypercubeModel, exact bool) (*hypercubeResult, error) {
	r := &hypercubeResult{Method: "approximate"}
	if exact {
		r.Method = "exact"
	}
	var first, total float64
	for j, l := range hm.Cube.Lambda {
		first += l * hm.Travel[j][hm.Cube.Pref[j][0]]
		total += l
	}
	if total == 0 {
		return nil, usageError{errors.New("the scenario has no incidents (incidents.per_day or the area weights are zero)")}
	}
	travel := first / total
	for range 20 {
		hm.Cube.Mu = 1 / (hm.OnScene + travel)
		var sol *analytic.Solution
		var err error
		if exact {
			sol, err = hm.Cube.Exact()
		} else {
			sol, err = hm.Cube.Approx()
		}
		if err != nil {
			return nil, usageError{err}
		}
		r.Sol = sol
		var next float64
		r.TravelAtom, next = sol.MeanTravel(hm.Travel)
		done := math.Abs(next-travel) < 0.01
		travel = next
		if done {
			break
		}
	}
	r.MeanService = 1 / hm.Cube.Mu
	r.TravelMean = travel
	r.Cross = r.Sol.CrossShare(hm.UnitDist, hm.AtomDist)
	r.QueueWait = math.NaN()
	if !hm.Cube.Loss {
		// The number of busy units is the M/M/N queue whatever the
		// geography, so the mean wait is Erlang C's.
		r.QueueWait = analytic.MMcWait(hm.Cube.Units, total, hm.Cube.Mu)
	}
	return r, nil
}

// comparedConfig is a copy of cfg under the hypercube's assumptions: one
// incident type of priority 1 needing one officer, exponential on-scene time
// with the mean of cfg's types, no reporting or command delay, no
// deterrence, on-view or observers, near-repeat offspring replaced by
// their long-run rate, every unit on duty round the clock and able to take
// every call, point-to-point dispatch, calls lost when loss.
func comparedConfig(cfg *sim.Config, onScene float64, loss bool) *sim.Config {
	c := *cfg
	c.Name = cfg.Name + "-hypercube"
	inc := cfg.Incidents
	if m := cfg.NearRepeat.Offspring; m > 0 && m < 1 {
		inc.PerDay /= 1 - m
	}
	inc.ReportDelay = sim.Dist{Kind: sim.Fixed}
	inc.Types = []sim.IncidentType{{Name: "call", Priority: 1, Share: 1, Officers: 1,
		OnScene: sim.Dist{Kind: sim.Exponential, Mean: onScene}}}
	c.Incidents = inc
	c.Units = slices.Clone(cfg.Units)
	for t := range c.Units {
		c.Units[t].ShiftLen = 86400
		c.Units[t].ShiftStart = 0
		c.Units[t].Priorities = [4]bool{false, true, true, true}
	}
	c.Dispatch = sim.Dispatch{Delay: sim.Dist{Kind: sim.Fixed}, LostCalls: loss}
	c.Deterrence = sim.Deterrence{}
	c.NearRepeat = policy.NearRepeat{}
	c.OnViewRadiusM = 0
	c.Observers = sim.Observers{}
	return &c
}

// comparedVariant is the one variant of a comparison: posts policy for
// every unit type (units wait at home between calls) and point-to-point
// dispatch.
func comparedVariant(cfg *sim.Config) (sim.Variant, error) {
	spec, ok := policy.Lookup("posts")
	if !ok {
		return sim.Variant{}, errors.New("no posts policy")
	}
	params, err := spec.Resolve(nil)
	if err != nil {
		return sim.Variant{}, err
	}
	m, err := sim.NewModel(cfg)
	if err != nil {
		return sim.Variant{}, err
	}
	v := sim.Variant{Name: "hypercube", Model: m, Mode: sim.PointToPoint}
	for range cfg.Units {
		v.Policies = append(v.Policies, sim.PolicyChoice{Spec: spec, Params: params})
	}
	return v, nil
}

// simEstimate is a mean over replications with the half-width of its 95%
// confidence interval (Student t, n − 1 degrees of freedom).
type simEstimate struct {
	Mean, Half float64
}

func estimateOf(xs []float64) simEstimate {
	n := float64(len(xs))
	var m, v float64
	for _, x := range xs {
		m += x
	}
	m /= n
	if len(xs) < 2 {
		return simEstimate{m, math.NaN()}
	}
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	v /= n - 1
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975)
	return simEstimate{m, t * math.Sqrt(v/n)}
}

// hypercubeSim is what the simulator measured, per replication reduced to
// estimates.
type hypercubeSim struct {
	Reps      int
	Workload  []simEstimate
	AllBusy   simEstimate // lost share (loss) or share of calls that waited
	Cross     simEstimate
	Travel    simEstimate // seconds
	QueueWait simEstimate // seconds, over all calls
	Service   simEstimate // seconds: busy time per answered call
}

// unitRecorder measures, in the window [lo, hi), each unit's busy time and,
// for the calls received in the window, how many were lost or waited, how
// many answered by a unit of another district, the first unit's travel, the
// queue wait.
type unitRecorder struct {
	lo, hi                       float64
	unitDist                     []int
	busy                         []float64
	n, lost, waited, cross, sent int
	travel, wait                 float64
}

func (r *unitRecorder) Incident(rec *sim.IncidentRecord) {
	if rec.Call < r.lo || rec.Call >= r.hi {
		return
	}
	r.n++
	if rec.Lost {
		r.lost++
		return
	}
	if len(rec.Units) == 0 || rec.Dispatch != rec.Dispatch {
		return
	}
	r.sent++
	if r.unitDist[rec.Units[0]] != rec.District {
		r.cross++
	}
	q := rec.Dispatch - rec.Ready
	r.wait += q
	if q > 0 {
		r.waited++
	}
	if rec.Arrive == rec.Arrive {
		r.travel += rec.Arrive - rec.Dispatch
	}
}

func (r *unitRecorder) Busy(u int, from, to float64) {
	from, to = max(from, r.lo), min(to, r.hi)
	if to > from {
		r.busy[u] += to - from
	}
}
func (r *unitRecorder) OnDuty(u int, from, to float64)  {}
func (r *unitRecorder) Deterred(d *sim.DeterRecord)     {}
func (r *unitRecorder) Presence(t float64, p []float64) {}

// simulateHypercube runs the simulator under the hypercube's assumptions
// (comparedConfig, comparedVariant) over reps replications from seed.
func simulateHypercube(ctx context.Context, hm *hypercubeModel, seed uint64, reps, workers int) (*hypercubeSim, error) {
	cfg := comparedConfig(hm.Force.Cfg, hm.OnScene, hm.Cube.Loss)
	v, err := comparedVariant(cfg)
	if err != nil {
		return nil, err
	}
	recs := make([]*unitRecorder, reps)
	_, err = sim.Replicate(ctx, []sim.Variant{v}, seed, reps, workers, func(j sim.Job) sim.Recorder {
		r := &unitRecorder{lo: cfg.Warmup, hi: cfg.Duration, unitDist: hm.UnitDist, busy: make([]float64, hm.Cube.Units)}
		recs[j.Rep] = r
		return r
	})
	if err != nil {
		return nil, err
	}
	out := &hypercubeSim{Reps: reps}
	span := cfg.Duration - cfg.Warmup
	col := func(f func(r *unitRecorder) float64) simEstimate {
		xs := make([]float64, 0, reps)
		for _, r := range recs {
			if x := f(r); x == x {
				xs = append(xs, x)
			}
		}
		if len(xs) == 0 {
			return simEstimate{math.NaN(), math.NaN()}
		}
		return estimateOf(xs)
	}
	for u := range hm.Cube.Units {
		out.Workload = append(out.Workload, col(func(r *unitRecorder) float64 { return r.busy[u] / span }))
	}
	out.AllBusy = col(func(r *unitRecorder) float64 {
		if hm.Cube.Loss {
			return ratio(r.lost, r.n)
		}
		return ratio(r.waited, r.sent)
	})
	out.Cross = col(func(r *unitRecorder) float64 { return ratio(r.cross, r.sent) })
	out.Travel = col(func(r *unitRecorder) float64 { return r.travel / float64(r.sent) })
	out.QueueWait = col(func(r *unitRecorder) float64 { return r.wait / float64(r.sent) })
	out.Service = col(func(r *unitRecorder) float64 {
		var b float64
		for _, x := range r.busy {
			b += x
		}
		return b / float64(r.sent)
	})
	return out, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func (m *Main) hypercube(ctx context.Context, s *scenarios.Scenario, f hypercubeFlags) error {
	hm, err := newHypercubeModel(s, f.loss)
	if err != nil {
		return err
	}
	exact := hm.Cube.Units <= defaultExactUnits
	if f.exact {
		if hm.Cube.Units > analytic.MaxExactUnits {
			return usageError{fmt.Errorf("--exact: %d units, at most %d for the exact solution (use --approx)", hm.Cube.Units, analytic.MaxExactUnits)}
		}
		exact = true
	}
	if f.approx {
		exact = false
	}
	res, err := solveHypercube(hm, exact)
	if err != nil {
		return err
	}
	var simRes *hypercubeSim
	if f.compare {
		simRes, err = simulateHypercube(ctx, hm, s.File.Seed, s.File.Replications, f.workers)
		if err != nil {
			return err
		}
	}
	if f.json {
		return writeHypercubeJSON(m.stdout, hm, res, simRes, s.File.Seed)
	}
	return writeHypercubeTable(m.stdout, hm, res, simRes, s.File.Seed)
}

// hypercubeRow is one line of the table: a label, how to show the value
// ("min", "%", or plain), the analytic value and, with --compare, the
// simulated estimate.
type hypercubeRow struct {
	label, unit string
	value       float64
	sim         *simEstimate
}

func (r hypercubeRow) scale() (float64, int) {
	switch r.unit {
	case "min":
		return 1.0 / 60, 2
	case "%":
		return 100, 1
	}
	return 1, 3
}

func hypercubeRows(hm *hypercubeModel, res *hypercubeResult, sr *hypercubeSim) []hypercubeRow {
	var total float64
	for _, l := range hm.Cube.Lambda {
		total += l
	}
	allBusy := "P(all busy) (%)"
	if hm.Cube.Loss {
		allBusy = "P(all busy) = lost (%)"
	}
	rows := []hypercubeRow{
		{label: "calls per hour", value: total * 3600},
		{label: "offered load (units)", value: total / hm.Cube.Mu},
		{label: "mean service (min)", unit: "min", value: res.MeanService},
		{label: allBusy, unit: "%", value: res.Sol.AllBusy},
		{label: "cross-district (%)", unit: "%", value: res.Cross},
		{label: "travel (min)", unit: "min", value: res.TravelMean},
	}
	if !hm.Cube.Loss {
		rows = append(rows, hypercubeRow{label: "queue wait (min)", unit: "min", value: res.QueueWait})
	}
	rows = append(rows, hypercubeRow{label: "mean workload (%)", unit: "%", value: res.Sol.Carried() / float64(hm.Cube.Units)})
	if sr != nil {
		rows[2].sim = &sr.Service
		rows[3].sim = &sr.AllBusy
		rows[4].sim = &sr.Cross
		rows[5].sim = &sr.Travel
		if !hm.Cube.Loss {
			rows[6].sim = &sr.QueueWait
		}
		var m float64
		for _, e := range sr.Workload {
			m += e.Mean / float64(len(sr.Workload))
		}
		mean := simEstimate{m, math.NaN()}
		rows[len(rows)-1].sim = &mean
	}
	for u, name := range hm.Units {
		row := hypercubeRow{label: "workload " + name + " (%)", unit: "%", value: res.Sol.Workload[u]}
		if sr != nil {
			row.sim = &sr.Workload[u]
		}
		rows = append(rows, row)
	}
	return rows
}

func writeHypercubeTable(w io.Writer, hm *hypercubeModel, res *hypercubeResult, sr *hypercubeSim, seed uint64) error {
	var b strings.Builder
	capacity := "unlimited FCFS queue"
	if hm.Cube.Loss {
		capacity = "zero line capacity (calls lost when all are busy)"
	}
	fmt.Fprintf(&b, "%s: hypercube model (%s, %d sweeps), %d units, %d areas, %s\n",
		hm.Name, res.Method, res.Sol.Iterations, hm.Cube.Units, len(hm.Atoms), capacity)
	if sr != nil {
		fmt.Fprintf(&b, "simulated under the same assumptions: %d replications, seed %d; difference = simulated − analytic\n", sr.Reps, seed)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%-34s%16s", "", "analytic")
	if sr != nil {
		fmt.Fprintf(&b, "%26s%16s", "simulated", "difference")
	}
	b.WriteString("\n")
	for _, r := range hypercubeRows(hm, res, sr) {
		sc, prec := r.scale()
		fmt.Fprintf(&b, "%-34s%16s", clipLabel(r.label, 33), fmtNum(r.value*sc, prec))
		if r.sim != nil {
			cell := fmtNum(r.sim.Mean*sc, prec)
			if r.sim.Half == r.sim.Half {
				cell += " ± " + fmtNum(r.sim.Half*sc, prec)
			}
			fmt.Fprintf(&b, "%26s%16s", cell, fmtNum((r.sim.Mean-r.value)*sc, prec))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func clipLabel(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func fmtNum(x float64, prec int) string {
	if x != x {
		return "–"
	}
	return fmt.Sprintf("%.*f", prec, x)
}

// HypercubeJSON is the document `patrolsim hypercube --json` prints. Times
// in seconds, shares in [0, 1]; undefined values are null.
type HypercubeJSON struct {
	Scenario     string              `json:"scenario"`
	Method       string              `json:"method"` // exact or approximate
	LineCapacity string              `json:"line_capacity"`
	Iterations   int                 `json:"iterations"`
	CallsPerHour float64             `json:"calls_per_hour"`
	OfferedLoad  float64             `json:"offered_load"`
	OnSceneMean  float64             `json:"on_scene_mean_s"`
	ServiceMean  float64             `json:"service_mean_s"`
	AllBusy      *float64            `json:"all_busy"`
	Cross        *float64            `json:"cross_district_share"`
	TravelMean   *float64            `json:"travel_mean_s"`
	QueueWait    *float64            `json:"queue_wait_mean_s"`
	Units        []HypercubeUnitJSON `json:"units"`
	Atoms        []HypercubeAtomJSON `json:"atoms"`
	Compare      *HypercubeSimJSON   `json:"compare,omitempty"`
}

// HypercubeUnitJSON is one unit.
type HypercubeUnitJSON struct {
	Name     string  `json:"name"`
	District int     `json:"district"`
	Workload float64 `json:"workload"`
}

// HypercubeAtomJSON is one area: its rate, mean travel and the units that
// answer its calls (shares of at least 0.001).
type HypercubeAtomJSON struct {
	Name        string               `json:"name"`
	District    int                  `json:"district"`
	RatePerHour float64              `json:"calls_per_hour"`
	TravelMean  *float64             `json:"travel_mean_s"`
	AnsweredBy  []HypercubeShareJSON `json:"answered_by"`
}

// HypercubeShareJSON is the share of an area's calls a unit answers.
type HypercubeShareJSON struct {
	Unit  int     `json:"unit"`
	Share float64 `json:"share"`
}

// HypercubeSimJSON is what the simulator measured (--compare), each value
// a mean over replications with its 95% confidence interval.
type HypercubeSimJSON struct {
	Replications int              `json:"replications"`
	Seed         uint64           `json:"seed"`
	AllBusy      EstimateJSONHC   `json:"all_busy"`
	Cross        EstimateJSONHC   `json:"cross_district_share"`
	TravelMean   EstimateJSONHC   `json:"travel_mean_s"`
	QueueWait    EstimateJSONHC   `json:"queue_wait_mean_s"`
	ServiceMean  EstimateJSONHC   `json:"service_mean_s"`
	Workloads    []EstimateJSONHC `json:"workloads"`
}

// EstimateJSONHC is a mean and its 95% confidence interval.
type EstimateJSONHC struct {
	Mean *float64 `json:"mean"`
	Low  *float64 `json:"ci95_low"`
	High *float64 `json:"ci95_high"`
}

func jnum(x float64) *float64 {
	if x != x || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func jest(e simEstimate) EstimateJSONHC {
	return EstimateJSONHC{jnum(e.Mean), jnum(e.Mean - e.Half), jnum(e.Mean + e.Half)}
}

func writeHypercubeJSON(w io.Writer, hm *hypercubeModel, res *hypercubeResult, sr *hypercubeSim, seed uint64) error {
	var total float64
	for _, l := range hm.Cube.Lambda {
		total += l
	}
	doc := HypercubeJSON{Scenario: hm.Name, Method: res.Method, LineCapacity: "infinite", Iterations: res.Sol.Iterations,
		CallsPerHour: total * 3600, OfferedLoad: total / hm.Cube.Mu, OnSceneMean: hm.OnScene, ServiceMean: res.MeanService,
		AllBusy: jnum(res.Sol.AllBusy), Cross: jnum(res.Cross), TravelMean: jnum(res.TravelMean), QueueWait: jnum(res.QueueWait)}
	if hm.Cube.Loss {
		doc.LineCapacity = "zero"
	}
	for u, name := range hm.Units {
		doc.Units = append(doc.Units, HypercubeUnitJSON{name, hm.UnitDist[u], res.Sol.Workload[u]})
	}
	for a, name := range hm.Atoms {
		aj := HypercubeAtomJSON{Name: name, District: hm.AtomDist[a], RatePerHour: hm.Cube.Lambda[a] * 3600,
			TravelMean: jnum(res.TravelAtom[a]), AnsweredBy: []HypercubeShareJSON{}}
		for _, u := range hm.Cube.Pref[a] {
			if x := res.Sol.Frac[a][u]; x >= 0.001 {
				aj.AnsweredBy = append(aj.AnsweredBy, HypercubeShareJSON{u, x})
			}
		}
		doc.Atoms = append(doc.Atoms, aj)
	}
	if sr != nil {
		c := &HypercubeSimJSON{Replications: sr.Reps, Seed: seed, AllBusy: jest(sr.AllBusy), Cross: jest(sr.Cross),
			TravelMean: jest(sr.Travel), QueueWait: jest(sr.QueueWait), ServiceMean: jest(sr.Service)}
		for _, e := range sr.Workload {
			c.Workloads = append(c.Workloads, jest(e))
		}
		doc.Compare = c
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
