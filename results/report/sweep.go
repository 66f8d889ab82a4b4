package report

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/sweep"
)

// SweepMeta is a sweep's sweep.json: what was swept.
type SweepMeta = sweep.Meta

// SweepInput is what a sweep report is drawn from: sweep.json and
// points.csv of a sweep's output folder.
type SweepInput struct {
	Dir     string
	Meta    SweepMeta
	Metrics []string // in the order of points.csv

	est  map[string][][]estimate // metric → [point][variant]
	axes []paramAxis             // per parameter, in sweep.json order
}

// estimate is one (point, variant, metric) row of points.csv.
type estimate struct {
	mean, low, high float64
	n               int
	ok              bool // the mean is a number
}

// SweepOptions choose what a sweep report shows and where it goes.
type SweepOptions struct {
	// HTML is the report's path; empty means report.html in the folder.
	HTML string
	// Metric is drawn against the parameters; empty means
	// DefaultMetric.
	Metric string
	// Variant is the one the heat map shows; empty means the first.
	Variant string
}

// IsSweepDir reports whether dir holds a sweep's output (sweep.json and
// points.csv) and not a run's (results.json).
func IsSweepDir(dir string) bool {
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	return exists(sweep.MetaFile) && exists(sweep.PointsFile) && !exists("results.json")
}

// LoadSweep reads dir/sweep.json and dir/points.csv and checks that they
// belong together. Its errors name the file and what is wrong.
func LoadSweep(dir string) (*SweepInput, error) {
	in := &SweepInput{Dir: dir, est: map[string][][]estimate{}}
	metaPath := filepath.Join(dir, sweep.MetaFile)
	if err := readJSON(metaPath, &in.Meta); err != nil {
		return nil, err
	}
	m := &in.Meta
	if len(m.Params) == 0 || len(m.Points) == 0 || len(m.Variants) == 0 {
		return nil, fmt.Errorf("%s: no parameters, points or variants", metaPath)
	}
	for i, p := range m.Points {
		if p.Point != i {
			return nil, fmt.Errorf("%s: point %d is numbered %d", metaPath, i, p.Point)
		}
		for _, par := range m.Params {
			if _, ok := p.Values[par]; !ok {
				return nil, fmt.Errorf("%s: point %d has no value for %s", metaPath, i, par)
			}
		}
	}
	path := filepath.Join(dir, sweep.PointsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	want := append(append([]string{"point", "variant"}, m.Params...), "metric", "mean", "ci95_low", "ci95_high", "n")
	if len(recs) == 0 || !slices.Equal(recs[0], want) {
		return nil, fmt.Errorf("%s: header is not %s: the files come from different sweeps", path, strings.Join(want, ","))
	}
	np := len(m.Params)
	for line, r := range recs[1:] {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", path, line+2, fmt.Sprintf(format, args...))
		}
		p, err := strconv.Atoi(r[0])
		if err != nil || p < 0 || p >= len(m.Points) {
			return nil, bad("point %q is not one of sweep.json's %d points", r[0], len(m.Points))
		}
		v := slices.Index(m.Variants, r[1])
		if v < 0 {
			return nil, bad("variant %q is not in sweep.json", r[1])
		}
		for k, par := range m.Params {
			if r[2+k] != m.Points[p].Values[par] {
				return nil, bad("%s is %q, sweep.json says %q: the files come from different sweeps", par, r[2+k], m.Points[p].Values[par])
			}
		}
		metric := r[2+np]
		rows, seen := in.est[metric]
		if !seen {
			rows = make([][]estimate, len(m.Points))
			for i := range rows {
				rows[i] = make([]estimate, len(m.Variants))
			}
			in.est[metric] = rows
			in.Metrics = append(in.Metrics, metric)
		}
		var e estimate
		num := func(s string) float64 {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return math.NaN()
			}
			return x
		}
		e.mean, e.low, e.high = num(r[3+np]), num(r[4+np]), num(r[5+np])
		e.n, _ = strconv.Atoi(r[6+np])
		e.ok = !math.IsNaN(e.mean) && !math.IsInf(e.mean, 0)
		if math.IsNaN(e.low) || math.IsNaN(e.high) || math.IsInf(e.low, 0) || math.IsInf(e.high, 0) {
			e.low, e.high = e.mean, e.mean
		}
		rows[p][v] = e
	}
	if len(in.Metrics) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	for k := range m.Params {
		in.axes = append(in.axes, in.newAxis(k))
	}
	return in, nil
}

// DefaultMetric is the metric drawn when none is chosen: priority-1 90th
// percentile response time, else the mean response time, else the first.
func (in *SweepInput) DefaultMetric() string {
	for _, m := range []string{"response_p90_s_p1", "response_mean_s"} {
		if in.hasMetric(m) {
			return m
		}
	}
	return in.Metrics[0]
}

func (in *SweepInput) hasMetric(m string) bool {
	for _, row := range in.est[m] {
		for _, e := range row {
			if e.ok {
				return true
			}
		}
	}
	return false
}

// CheckOptions returns an error, the user's, when opts name a metric or
// variant the sweep does not have.
func (in *SweepInput) CheckOptions(opts SweepOptions) error {
	if opts.Metric != "" && !in.hasMetric(opts.Metric) {
		if _, ok := in.est[opts.Metric]; ok {
			return fmt.Errorf("--metric %s: no point has a value", opts.Metric)
		}
		return fmt.Errorf("--metric %q: no such metric in points.csv (e.g. %s)", opts.Metric, strings.Join(in.Metrics[:min(6, len(in.Metrics))], ", "))
	}
	if opts.Variant != "" && !slices.Contains(in.Meta.Variants, opts.Variant) {
		return fmt.Errorf("--variant %q: no such variant (the sweep has %s)", opts.Variant, strings.Join(in.Meta.Variants, ", "))
	}
	return nil
}

// Gridded reports whether the points form a grid (every combination of
// the values): lines and a heat map; otherwise scatter plots.
func (in *SweepInput) Gridded() bool { return in.Meta.Design == "grid" }

// paramAxis is how one swept parameter is drawn.
type paramAxis struct {
	path    string
	values  []string  // distinct values: numeric ones ascending, others in order of first appearance
	x       []float64 // position of each value on the axis
	of      []int     // per point: index into values
	numeric bool
	unit    string // "" or the unit of durations: d, h, min, s
	// linked: the other members of the parameter's linked group, and per
	// value their values (paired), when ticks can show them; else nil.
	linked []string
	ticks  []string // per value: the value over the partners' values
}

// label is the axis label: the path and the unit, over the linked
// partners' paths when the ticks show their values.
func (a paramAxis) label() string {
	l := a.path
	if a.unit != "" {
		l += " (" + a.unit + ")"
	}
	for _, p := range a.linked {
		l += "\n" + p
	}
	return l
}

// withPartners returns axis k with its linked group's other members under
// each tick (value over value, as the label lists the paths), when the
// axis has ticks per value (a grid of at most 10 values, or categories)
// and each of its values goes with one value of each partner.
func (in *SweepInput) withPartners(k int) paramAxis {
	ax := in.axes[k]
	g := in.group(k)
	if g < 0 || !in.Gridded() || ax.numeric && len(ax.x) > 10 {
		return ax
	}
	var partners []string
	for _, p := range in.Meta.Linked[g] {
		if p != ax.path {
			partners = append(partners, p)
		}
	}
	ticks := make([]string, len(ax.values))
	for i, v := range ax.values {
		var lines []string
		for _, par := range partners {
			val := ""
			for p, pt := range in.Meta.Points {
				if ax.of[p] != i {
					continue
				}
				if val != "" && pt.Values[par] != val {
					return ax // a value of k with two values of a partner
				}
				val = pt.Values[par]
			}
			lines = append(lines, val)
		}
		if ax.numeric {
			v = strconv.FormatFloat(ax.x[i], 'g', 4, 64)
		}
		ticks[i] = strings.Join(append([]string{v}, lines...), "\n")
	}
	ax.linked, ax.ticks = partners, ticks
	return ax
}

// newAxis reads parameter k's values: numbers, durations (shown in days,
// hours, minutes or seconds, whichever keeps the largest value at 2 or
// more), or categories.
func (in *SweepInput) newAxis(k int) paramAxis {
	a := paramAxis{path: in.Meta.Params[k], numeric: true}
	var raw []string
	for _, p := range in.Meta.Points {
		if v := p.Values[a.path]; !slices.Contains(raw, v) {
			raw = append(raw, v)
		}
	}
	xs := make([]float64, len(raw))
	for i, v := range raw {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			a.numeric = false
			break
		}
		xs[i] = x
	}
	if !a.numeric {
		a.numeric = true
		big := 0.0
		for i, v := range raw {
			s, err := scenarios.ParseDuration(v)
			if err != nil {
				a.numeric = false
				break
			}
			xs[i] = s
			big = max(big, s)
		}
		if a.numeric {
			div := 1.0
			switch {
			case big >= 2*86400:
				div, a.unit = 86400, "d"
			case big >= 2*3600:
				div, a.unit = 3600, "h"
			case big >= 120:
				div, a.unit = 60, "min"
			default:
				a.unit = "s"
			}
			for i := range xs {
				xs[i] /= div
			}
		}
	}
	idx := make([]int, len(raw))
	for i := range idx {
		idx[i] = i
	}
	if a.numeric {
		slices.SortStableFunc(idx, func(i, j int) int { return cmpFloat(xs[i], xs[j]) })
	}
	for pos, i := range idx {
		a.values = append(a.values, raw[i])
		if a.numeric {
			a.x = append(a.x, xs[i])
		} else {
			a.x = append(a.x, float64(pos))
		}
	}
	for _, p := range in.Meta.Points {
		a.of = append(a.of, slices.Index(a.values, p.Values[a.path]))
	}
	return a
}
