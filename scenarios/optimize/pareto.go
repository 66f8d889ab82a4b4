package optimize

// The Pareto front of the simulated candidates on two objectives, and the
// optimisation's chart.

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/results/report"
)

// ParetoAxis is one objective of the front: a metric of the simulation,
// or the officer-hours a day.
type ParetoAxis struct {
	Name   string // the metric, or officer_hours_per_day
	Better results.Better
	metric *results.Metric // nil for officer-hours
}

// Label is the axis' title with its shown unit.
func (a ParetoAxis) Label() string {
	if a.metric == nil {
		return "officer-hours a day"
	}
	return a.metric.Header()
}

// scale is the factor from the stored value to the shown one.
func (a ParetoAxis) scale() float64 {
	if a.metric == nil {
		return 1
	}
	return a.metric.Format().Scale
}

// ParetoRow is a candidate on the two objectives.
type ParetoRow struct {
	Scored
	X, Y  results.Estimate // stored units; 95% intervals
	Front bool             // no other candidate is as good on both by means and better on one
}

// ParetoAxes are the front's two objectives: with minimise: officer_hours,
// officer-hours and the first constraint's metric; with constraints, the
// first constraint's metric and the objective's; with an objective of two
// goals (the default: P1 p90 response and prevention), those; else
// officer-hours and the objective's metric.
func (o *Outcome) ParetoAxes() (x, y ParetoAxis) {
	hours := ParetoAxis{Name: "officer_hours_per_day", Better: results.Lower}
	axis := func(name string) ParetoAxis {
		m := o.metric(name)
		return ParetoAxis{Name: name, Better: m.Better, metric: &m}
	}
	cons := o.Problem.Spec.Objective.constraints
	switch {
	case o.Problem.byCost():
		return hours, axis(cons[0].Metric)
	case len(cons) > 0:
		return axis(cons[0].Metric), axis(o.Goals[0].Metric)
	case len(o.Goals) == 2:
		return axis(o.Goals[0].Metric), axis(o.Goals[1].Metric)
	}
	return hours, axis(o.Goals[0].Metric)
}

// Pareto returns the candidates on the front's axes, in the table's order.
func (o *Outcome) Pareto() (x, y ParetoAxis, rows []ParetoRow) {
	x, y = o.ParetoAxes()
	sum := o.Result.Summary
	value := func(a ParetoAxis, c Scored) results.Estimate {
		if a.metric == nil {
			return results.Estimate{Mean: c.OfficerHours, Low: c.OfficerHours, High: c.OfficerHours, N: 1}
		}
		if i := sum.Index(a.Name); i >= 0 {
			return sum.Variants[c.variant].Estimates[i]
		}
		return results.Estimate{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
	}
	for _, c := range o.Candidates {
		rows = append(rows, ParetoRow{Scored: c, X: value(x, c), Y: value(y, c)})
	}
	// asGood: a at least as good as b on an axis.
	asGood := func(ax ParetoAxis, a, b float64) bool {
		if ax.Better == results.Higher {
			return a >= b
		}
		return a <= b
	}
	for i := range rows {
		a := rows[i]
		if !finiteAll(a.X.Mean, a.Y.Mean) {
			continue
		}
		a.Front = true
		for j, b := range rows {
			if j == i || !finiteAll(b.X.Mean, b.Y.Mean) {
				continue
			}
			if asGood(x, b.X.Mean, a.X.Mean) && asGood(y, b.Y.Mean, a.Y.Mean) && (b.X.Mean != a.X.Mean || b.Y.Mean != a.Y.Mean) {
				a.Front = false
				break
			}
		}
		rows[i].Front = a.Front
	}
	return x, y, rows
}

func finiteAll(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// writePareto writes pareto.csv: each candidate's two objectives with
// their 95% intervals (stored units: seconds, fractions) and whether it
// is on the front.
func (o *Outcome) writePareto(w io.Writer) error {
	x, y, rows := o.Pareto()
	cw := csv.NewWriter(w)
	cw.Write([]string{"candidate", "chosen", "units", x.Name, x.Name + "_low", x.Name + "_high", y.Name, y.Name + "_low", y.Name + "_high", "on_front", "feasibility"})
	for i, r := range rows {
		feas := ""
		if o.feas != nil {
			feas = r.Status.String()
		}
		cw.Write([]string{r.Name, strconv.FormatBool(i == 0), strconv.Itoa(r.Total()),
			num(r.X.Mean), num(r.X.Low), num(r.X.High), num(r.Y.Mean), num(r.Y.Low), num(r.Y.High),
			strconv.FormatBool(r.Front), feas})
	}
	cw.Flush()
	return cw.Error()
}

// writeChart writes optimize.svg: the front, and the screen against the
// simulation (report.OptimizeSVG).
func (o *Outcome) writeChart(w io.Writer) error {
	x, y, rows := o.Pareto()
	ch := report.OptimizeChart{Title: "Candidates: " + x.Label() + " against " + y.Label(), XLabel: x.Label(), YLabel: y.Label(), Limit: math.NaN()}
	if cons := o.Problem.Spec.Objective.constraints; len(cons) > 0 && cons[0].Metric == y.Name {
		ch.Limit = cons[0].Limit * y.scale()
	}
	for i, r := range rows {
		sx, sy := x.scale(), y.scale()
		ch.Points = append(ch.Points, report.OptimizePoint{Name: r.Name, Chosen: i == 0, Front: r.Front,
			X: r.X.Mean * sx, XLow: r.X.Low * sx, XHigh: r.X.High * sx,
			Y: r.Y.Mean * sy, YLow: r.Y.Low * sy, YHigh: r.Y.High * sy,
			Screen: r.Screen / 60, Sim: r.Response.Mean / 60, SimLow: r.Response.Low / 60, SimHigh: r.Response.High / 60})
	}
	b, err := report.OptimizeSVG(ch)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
