package hypercube

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/patrolsim/patrolsim/results"
)

// row is one line of the table: a label, how to show the value
// ("min", "%", or plain), the analytic value and, with --compare, the
// simulated estimate.
type row struct {
	label, unit string
	value       float64
	sim         *results.Estimate
}

func (r row) scale() (float64, int) {
	switch r.unit {
	case "min":
		return 1.0 / 60, 2
	case "%":
		return 100, 1
	}
	return 1, 3
}

func rows(hm *Model, res *Result, sr *Simulated) []row {
	var total float64
	for _, l := range hm.Cube.Lambda {
		total += l
	}
	allBusy := "P(all busy) (%)"
	if hm.Cube.Loss {
		allBusy = "P(all busy) = lost (%)"
	}
	rows := []row{
		{label: "calls per hour", value: total * 3600},
		{label: "offered load (units)", value: total / hm.Cube.Mu},
		{label: "mean service (min)", unit: "min", value: res.MeanService},
		{label: allBusy, unit: "%", value: res.Sol.AllBusy},
		{label: "cross-district (%)", unit: "%", value: res.Cross},
		{label: "travel (min)", unit: "min", value: res.TravelMean},
	}
	if !hm.Cube.Loss {
		rows = append(rows, row{label: "queue wait (min)", unit: "min", value: res.QueueWait})
	}
	rows = append(rows, row{label: "mean workload (%)", unit: "%", value: res.Sol.Carried() / float64(hm.Cube.Units)})
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
		mean := results.Estimate{Mean: m, Low: math.NaN(), High: math.NaN()}
		rows[len(rows)-1].sim = &mean
	}
	for u, name := range hm.Units {
		row := row{label: "workload " + name + " (%)", unit: "%", value: res.Sol.Workload[u]}
		if sr != nil {
			row.sim = &sr.Workload[u]
		}
		rows = append(rows, row)
	}
	return rows
}

// WriteTable prints the analytic values of hm's solution res and, when sr
// is not nil, the simulated ones (from seed) with their 95% intervals and
// the differences: times in minutes, shares in percent.
func WriteTable(w io.Writer, hm *Model, res *Result, sr *Simulated, seed uint64) error {
	var b strings.Builder
	capacity := "unlimited FCFS queue"
	if hm.Cube.Loss {
		capacity = "zero line capacity (calls lost when all are busy)"
	}
	fmt.Fprintf(&b, "%s: hypercube model (%s, %d sweeps), %d units, %d areas, %s\n",
		hm.Name, res.Method, res.Sol.Iterations, hm.Cube.Units, len(hm.Atoms), capacity)
	fmt.Fprintf(&b, "area travel: %s\n", travelNote(hm))
	if sr != nil {
		fmt.Fprintf(&b, "simulated under the same assumptions: %d replications, seed %d; difference = simulated − analytic\n", sr.Reps, seed)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%-34s%16s", "", "analytic")
	if sr != nil {
		fmt.Fprintf(&b, "%26s%16s", "simulated", "difference")
	}
	b.WriteString("\n")
	for _, r := range rows(hm, res, sr) {
		sc, prec := r.scale()
		fmt.Fprintf(&b, "%-34s%16s", clipLabel(r.label, 33), fmtNum(r.value*sc, prec))
		if r.sim != nil {
			cell := fmtNum(r.sim.Mean*sc, prec)
			if half := r.sim.High - r.sim.Mean; half == half {
				cell += " ± " + fmtNum(half*sc, prec)
			}
			fmt.Fprintf(&b, "%26s%16s", cell, fmtNum((r.sim.Mean-r.value)*sc, prec))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// travelNote says how the areas' mean travel was computed.
func travelNote(hm *Model) string {
	if hm.TravelMethod == "lattice" {
		return fmt.Sprintf("mean over a fixed lattice of about %d points of each area (road travel has no closed form; the lattice's two checkerboard halves differ by at most %.1f s)", LatticePoints, hm.TravelSpread)
	}
	return "exact (the metric distance integrated in closed form over each area's polygons)"
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

// JSON is the document `patrolsim hypercube --json` prints. Times
// in seconds, shares in [0, 1]; undefined values are null.
type JSON struct {
	Scenario     string `json:"scenario"`
	Method       string `json:"method"` // exact or approximate
	LineCapacity string `json:"line_capacity"`
	Iterations   int    `json:"iterations"`
	// AreaTravel is how the areas' mean travel was computed: "exact" or
	// "lattice" (Model.TravelMethod), and AreaTravelSpread, for
	// "lattice", the largest difference in seconds between the lattice's
	// checkerboard halves (Model.TravelSpread).
	AreaTravel       string     `json:"area_travel"`
	AreaTravelSpread float64    `json:"area_travel_spread_s"`
	CallsPerHour     float64    `json:"calls_per_hour"`
	OfferedLoad      float64    `json:"offered_load"`
	OnSceneMean      float64    `json:"on_scene_mean_s"`
	ServiceMean      float64    `json:"service_mean_s"`
	AllBusy          *float64   `json:"all_busy"`
	Cross            *float64   `json:"cross_district_share"`
	TravelMean       *float64   `json:"travel_mean_s"`
	QueueWait        *float64   `json:"queue_wait_mean_s"`
	Units            []UnitJSON `json:"units"`
	Atoms            []AtomJSON `json:"atoms"`
	Compare          *SimJSON   `json:"compare,omitempty"`
}

// UnitJSON is one unit.
type UnitJSON struct {
	Name     string  `json:"name"`
	District int     `json:"district"`
	Workload float64 `json:"workload"`
}

// AtomJSON is one area: its rate, mean travel and the units that
// answer its calls (shares of at least 0.001).
type AtomJSON struct {
	Name        string      `json:"name"`
	District    int         `json:"district"`
	RatePerHour float64     `json:"calls_per_hour"`
	TravelMean  *float64    `json:"travel_mean_s"`
	AnsweredBy  []ShareJSON `json:"answered_by"`
}

// ShareJSON is the share of an area's calls a unit answers.
type ShareJSON struct {
	Unit  int     `json:"unit"`
	Share float64 `json:"share"`
}

// SimJSON is what the simulator measured (--compare), each value
// a mean over replications with its 95% confidence interval.
type SimJSON struct {
	Replications int            `json:"replications"`
	Seed         uint64         `json:"seed"`
	AllBusy      EstimateJSON   `json:"all_busy"`
	Cross        EstimateJSON   `json:"cross_district_share"`
	TravelMean   EstimateJSON   `json:"travel_mean_s"`
	QueueWait    EstimateJSON   `json:"queue_wait_mean_s"`
	ServiceMean  EstimateJSON   `json:"service_mean_s"`
	Workloads    []EstimateJSON `json:"workloads"`
}

// EstimateJSON is a mean and its 95% confidence interval.
type EstimateJSON struct {
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

func jest(e results.Estimate) EstimateJSON {
	return EstimateJSON{jnum(e.Mean), jnum(e.Low), jnum(e.High)}
}

// WriteJSON prints the JSON document of res and, when sr is not nil, of
// the simulation from seed, indented.
func WriteJSON(w io.Writer, hm *Model, res *Result, sr *Simulated, seed uint64) error {
	var total float64
	for _, l := range hm.Cube.Lambda {
		total += l
	}
	doc := JSON{Scenario: hm.Name, Method: res.Method, LineCapacity: "infinite", Iterations: res.Sol.Iterations,
		AreaTravel: hm.TravelMethod, AreaTravelSpread: hm.TravelSpread,
		CallsPerHour: total * 3600, OfferedLoad: total / hm.Cube.Mu, OnSceneMean: hm.OnScene, ServiceMean: res.MeanService,
		AllBusy: jnum(res.Sol.AllBusy), Cross: jnum(res.Cross), TravelMean: jnum(res.TravelMean), QueueWait: jnum(res.QueueWait)}
	if hm.Cube.Loss {
		doc.LineCapacity = "zero"
	}
	for u, name := range hm.Units {
		doc.Units = append(doc.Units, UnitJSON{name, hm.UnitDist[u], res.Sol.Workload[u]})
	}
	for a, name := range hm.Atoms {
		aj := AtomJSON{Name: name, District: hm.AtomDist[a], RatePerHour: hm.Rate[a] * 3600,
			TravelMean: jnum(res.TravelAtom[a]), AnsweredBy: []ShareJSON{}}
		for _, u := range hm.Pref[a] {
			if x := res.Frac[a][u]; x >= 0.001 {
				aj.AnsweredBy = append(aj.AnsweredBy, ShareJSON{u, x})
			}
		}
		doc.Atoms = append(doc.Atoms, aj)
	}
	if sr != nil {
		c := &SimJSON{Replications: sr.Reps, Seed: seed, AllBusy: jest(sr.AllBusy), Cross: jest(sr.Cross),
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
