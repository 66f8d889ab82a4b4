package optimize

// The OPT file's objective: what to minimise or maximise, subject to
// constraints on the scenario's metrics, and the sequential feasibility
// test that decides the constraints by simulation.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// Objective is the OPT file's objective block. Absent, the candidates are
// ranked by the scenario's ranking objective. Minimise or Maximise names
// a metric of the scenario (a key of results.json: response_p90_s_p1,
// prevented_per_1000_month…) or officer_hours (the decided units'
// officer-hours a day); SubjectTo lists constraints "METRIC <= LIMIT" or
// "METRIC >= LIMIT", a limit in the metric's stored unit or, for a time
// metric, a duration (5m).
type Objective struct {
	Minimise  string   `yaml:"minimise"`
	Maximise  string   `yaml:"maximise"`
	SubjectTo []string `yaml:"subject_to"`

	constraints []Constraint // parsed SubjectTo
}

// OfficerHours is the objective's name for the decided units'
// officer-hours a day.
const OfficerHours = "officer_hours"

// Constraint is one "METRIC <= LIMIT" (or >=): on the metric's mean over
// replications.
type Constraint struct {
	Metric string
	AtMost bool    // <=; else >=
	Limit  float64 // in the metric's stored unit (seconds for times)
	Text   string  // as written
	limit  string
}

var constraintRE = regexp.MustCompile(`^\s*([A-Za-z0-9_]+)\s*(<=|>=|≤|≥)\s*(\S+)\s*$`)

// Holds reports whether a value meets c.
func (c Constraint) Holds(x float64) bool {
	if c.AtMost {
		return x <= c.Limit
	}
	return x >= c.Limit
}

// set reports whether the objective block was given.
func (o Objective) set() bool { return o.Minimise != "" || o.Maximise != "" || len(o.SubjectTo) > 0 }

// metric is the objective's metric ("" when none is given).
func (o Objective) metric() string { return o.Minimise + o.Maximise }

// checkObjective checks the block's syntax (Parse); the metric names are
// checked against the scenario by Prepare.
func (p *parser) checkObjective(s *Spec) {
	o := &s.Objective
	if !o.set() {
		return
	}
	switch {
	case o.Minimise != "" && o.Maximise != "":
		p.add("objective", "give minimise or maximise, not both (got minimise: %s, maximise: %s)", o.Minimise, o.Maximise)
	case o.Minimise == "" && o.Maximise == "":
		p.add("objective", "give minimise: METRIC or maximise: METRIC (a key of results.json, or officer_hours)")
	case o.Maximise == OfficerHours:
		p.add("objective.maximise", "officer_hours can only be minimised (got maximise: %s)", o.Maximise)
	}
	if o.Minimise == OfficerHours && len(o.SubjectTo) == 0 {
		p.add("objective.subject_to", "minimise: officer_hours needs a constraint (e.g. [\"response_p90_s_p1 <= 5m\"]): without one the fewest units win")
	}
	for i, text := range o.SubjectTo {
		field := fmt.Sprintf("objective.subject_to[%d]", i)
		g := constraintRE.FindStringSubmatch(text)
		if g == nil {
			p.add(field, "want METRIC <= LIMIT or METRIC >= LIMIT, e.g. \"response_p90_s_p1 <= 5m\" (got %q)", text)
			continue
		}
		o.constraints = append(o.constraints, Constraint{Metric: g[1], AtMost: g[2] == "<=" || g[2] == "≤", Text: strings.TrimSpace(text), limit: g[3]})
	}
}

// prepareObjective checks the objective's metrics against the scenario's
// (results.Metrics of the split scenario's config) and reads the limits.
func (pr *Problem) prepareObjective() error {
	p := pr.Spec.pos
	if p == nil {
		p = &parser{file: "optimisation", lines: map[string]int{}}
	}
	p.list = nil
	o := &pr.Spec.Objective
	ms := results.Metrics(pr.cfg)
	find := func(name string) *results.Metric {
		i := slices.IndexFunc(ms, func(m results.Metric) bool { return m.Name == name })
		if i < 0 {
			return nil
		}
		return &ms[i]
	}
	unknown := func(field, name string) {
		msg := fmt.Sprintf("unknown metric %q (the metrics are the keys of results.json", name)
		if field != "objective.subject_to" {
			msg += ", or officer_hours"
		}
		p.add(field, "%s)", msg)
	}
	if name := o.metric(); name != "" && name != OfficerHours {
		field := "objective.minimise"
		if o.Maximise != "" {
			field = "objective.maximise"
		}
		switch m := find(name); {
		case m == nil:
			unknown(field, name)
		case m.Better == results.Neutral:
			p.add(field, "%s is neither better high nor low: constrain it instead (subject_to)", name)
		case o.Minimise != "" && m.Better == results.Higher:
			p.add(field, "%s is better high: maximise it (got minimise: %s)", name, name)
		case o.Maximise != "" && m.Better == results.Lower:
			p.add(field, "%s is better low: minimise it (got maximise: %s)", name, name)
		}
	}
	for i := range o.constraints {
		c := &o.constraints[i]
		field := fmt.Sprintf("objective.subject_to[%d]", i)
		m := find(c.Metric)
		if m == nil {
			unknown(field, c.Metric)
			continue
		}
		x, err := strconv.ParseFloat(c.limit, 64)
		if err != nil && m.Unit() == "s" {
			x, err = scenarios.ParseDuration(c.limit)
		}
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			unit := "a number in " + m.Unit()
			if m.Unit() == "s" {
				unit = "a duration (5m, 300s) or seconds"
			}
			p.add(field, "limit %q of %s: want %s", c.limit, c.Metric, unit)
			continue
		}
		c.Limit = x
	}
	return p.err()
}

// Status is a candidate's feasibility.
type Status int

const (
	Undecided Status = iota
	Feasible
	Infeasible
)

func (s Status) String() string {
	return [...]string{"undecided", "feasible", "infeasible"}[s]
}

// feasibility is the sequential test of the constraints. At each look (r
// = first, 2·first, 4·first, … and the budget max) it bounds each
// candidate's mean of each constrained metric by one-sided t bounds at
// level alpha / (candidates × constraints × looks): a candidate is
// feasible once every constraint's bound on the far side meets it,
// infeasible once one constraint's bound on the near side breaks it
// (Bonferroni over candidates, constraints and looks: every claim made is
// right with probability at least 1 − alpha, whatever the means). A
// decided candidate stays decided. A replication whose value is not
// finite (a 90th percentile beyond the answered calls) breaks the
// constraint.
type feasibility struct {
	cons   []Constraint
	alpha  float64
	looks  []int
	level  float64       // each test's one-sided level
	vals   [][][]float64 // [candidate][constraint][replication]
	status []Status
	// low and high bound each candidate's mean of each constrained metric
	// at the last look (at level), mean its mean.
	low, high, mean [][]float64
	n               int // replications read
}

// looks are the replication counts at which the test looks: first,
// doubling, then max.
func looks(first, max int) []int {
	var out []int
	for r := first; r < max; r *= 2 {
		out = append(out, r)
	}
	return append(out, max)
}

func newFeasibility(k int, cons []Constraint, alpha float64, first, max int) *feasibility {
	f := &feasibility{cons: cons, alpha: alpha, looks: looks(first, max), status: make([]Status, k),
		vals: make([][][]float64, k), low: make([][]float64, k), high: make([][]float64, k), mean: make([][]float64, k)}
	f.level = alpha / float64(k*len(cons)*len(f.looks))
	for c := range k {
		f.vals[c] = make([][]float64, len(cons))
		f.low[c] = make([]float64, len(cons))
		f.high[c] = make([]float64, len(cons))
		f.mean[c] = make([]float64, len(cons))
		for j := range cons {
			f.low[c][j], f.high[c][j], f.mean[c][j] = math.NaN(), math.NaN(), math.NaN()
		}
	}
	return f
}

// add reads one replication of every candidate (variant v of x is
// candidate v) and reports whether it was a look.
func (f *feasibility) add(x run.Replication) bool { return f.addValues(x.Value) }

// addValues is add with value(c, metric) candidate c's value of the
// metric in the replication.
func (f *feasibility) addValues(value func(c int, metric string) float64) bool {
	f.n++
	for c := range f.vals {
		for j, con := range f.cons {
			f.vals[c][j] = append(f.vals[c][j], value(c, con.Metric))
		}
	}
	if !slices.Contains(f.looks, f.n) {
		return false
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(f.n - 1)}.Quantile(1 - f.level)
	for c := range f.vals {
		feasible, infeasible := true, false
		for j, con := range f.cons {
			xs := f.vals[c][j]
			if slices.ContainsFunc(xs, func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }) {
				f.low[c][j], f.high[c][j], f.mean[c][j] = math.NaN(), math.NaN(), math.NaN()
				feasible, infeasible = false, true
				continue
			}
			e := results.EstimateOf(xs)
			var ss float64
			for _, x := range xs {
				ss += (x - e.Mean) * (x - e.Mean)
			}
			w := t * math.Sqrt(ss/float64(len(xs)-1)/float64(len(xs)))
			f.mean[c][j], f.low[c][j], f.high[c][j] = e.Mean, e.Mean-w, e.Mean+w
			near, far := f.low[c][j], f.high[c][j]
			if !con.AtMost {
				near, far = far, near
			}
			if !con.Holds(far) {
				feasible = false
			}
			if !con.Holds(near) {
				infeasible = true
			}
		}
		if f.status[c] != Undecided {
			continue
		}
		switch {
		case infeasible:
			f.status[c] = Infeasible
		case feasible:
			f.status[c] = Feasible
		}
	}
	return true
}

// cheapest is the first feasible candidate when every one before it is
// infeasible (the candidates in order of cost), else −1.
func (f *feasibility) cheapest() int {
	for c, s := range f.status {
		switch s {
		case Feasible:
			return c
		case Undecided:
			return -1
		}
	}
	return -1
}

// decided reports whether every candidate is decided.
func (f *feasibility) decided() bool { return !slices.Contains(f.status, Undecided) }

// lastLook reports whether n is the test's last look.
func (f *feasibility) lastLook(n int) bool { return n >= f.looks[len(f.looks)-1] }
