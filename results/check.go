package results

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/stat"
)

// Regression checks (patrolsim check) compare a run with a stored
// Baseline, metric by metric and variant by variant.
//
// A metric is compared on its per-replication values in two ways:
//
//   - statistically: Welch's two-sample t test of equal means (Welch,
//     Biometrika 34, 1947), with the p-values of one check adjusted by
//     Holm's method over every comparison it makes (Holm, Scand. J.
//     Statistics 6(2), 1979), so that the chance that a check reports
//     any difference when there is none is at most the level;
//   - practically: the difference of the means must exceed the metric's
//     tolerance, max(abs, rel × |baseline mean|).
//
// A difference counts only when it is both significant and beyond
// tolerance; its direction then makes it better or worse (changed for a
// metric without a direction). Values that are bit for bit those of the
// baseline are identical, which is what the same seed and unchanged
// inputs give.

// DefaultCheckLevel is the default family-wise level of a check: the
// largest chance that noise alone makes a check report a difference.
const DefaultCheckLevel = 0.05

// Tolerance is how large a difference of means must be to matter.
type Tolerance struct {
	Rel float64 // relative to |baseline mean|; 0.05 is 5%
	Abs float64 // in the metric's unit (seconds, share, count)
}

// Threshold returns the difference beyond which a change matters:
// max(Abs, Rel × |ref|).
func (t Tolerance) Threshold(ref float64) float64 {
	if math.IsNaN(ref) || math.IsInf(ref, 0) {
		return t.Abs
	}
	return max(t.Abs, t.Rel*math.Abs(ref))
}

// Default tolerances by kind of metric. They are judgement calls, not taken
// from a source: a planner reads response times to a few seconds, shares to
// the percent point and counts to a couple of incidents, and a change of
// less than 5% rarely changes a deployment decision. Set them per metric in
// a check file (docs/ci.md).
var (
	TimeTolerance  = Tolerance{Rel: 0.05, Abs: 5}    // metrics in seconds (_s)
	ShareTolerance = Tolerance{Rel: 0.05, Abs: 0.01} // shares and ratios
	CountTolerance = Tolerance{Rel: 0.05, Abs: 2}    // counts
)

// DefaultTolerance returns the tolerance of m's kind: a time if its name
// carries the unit _s, a count if its description says so, else a share.
func DefaultTolerance(m Metric) Tolerance {
	switch {
	case strings.HasSuffix(m.Name, "_s") || strings.Contains(m.Name, "_s_"):
		return TimeTolerance
	case strings.Contains(m.Doc, "(count)"):
		return CountTolerance
	}
	return ShareTolerance
}

// CheckConfig says which metrics a check compares, with which tolerances
// and at which level. The zero value is valid: every metric, the default
// tolerances, level DefaultCheckLevel.
type CheckConfig struct {
	File       string          // where it was read from, for messages; "" if none
	Level      float64         // family-wise level in (0, 0.5]; 0: DefaultCheckLevel
	Metrics    []Pattern       // metrics to compare; none: every metric
	Tolerances []ToleranceRule // exact names first, then the first matching pattern
}

// Pattern is a metric name or a pattern of path.Match ("response_*_p1").
type Pattern struct {
	Pattern string
	Line    int // in the check file, 0 if unknown
}

// ToleranceRule sets the tolerance of the metrics matching Pattern. A nil
// field keeps the default of the metric's kind.
type ToleranceRule struct {
	Pattern
	Rel, Abs *float64
}

func (p Pattern) matches(name string) bool {
	if p.Pattern == name {
		return true
	}
	ok, _ := path.Match(p.Pattern, name)
	return ok
}

func (c *CheckConfig) level() float64 {
	if c == nil || c.Level == 0 {
		return DefaultCheckLevel
	}
	return c.Level
}

// selects reports whether metric is compared.
func (c *CheckConfig) selects(metric string) bool {
	if c == nil || len(c.Metrics) == 0 {
		return true
	}
	return slices.ContainsFunc(c.Metrics, func(p Pattern) bool { return p.matches(metric) })
}

// Tolerance returns m's tolerance: the rule naming m exactly, else the
// first rule whose pattern matches, else the default of m's kind.
func (c *CheckConfig) Tolerance(m Metric) Tolerance {
	t := DefaultTolerance(m)
	if c == nil {
		return t
	}
	k := slices.IndexFunc(c.Tolerances, func(r ToleranceRule) bool { return r.Pattern.Pattern == m.Name })
	if k < 0 {
		k = slices.IndexFunc(c.Tolerances, func(r ToleranceRule) bool { return r.matches(m.Name) })
	}
	if k >= 0 {
		if r := c.Tolerances[k]; r.Rel != nil {
			t.Rel = *r.Rel
		}
		if r := c.Tolerances[k]; r.Abs != nil {
			t.Abs = *r.Abs
		}
	}
	return t
}

// ParseCheckConfig reads a check file:
//
//	level: 0.05                      # family-wise level, in (0, 0.5]
//	metrics: [response_*, within_target_p1, incidents_prevented]
//	tolerances:
//	  response_p90_s_p1: {rel: 0.1, abs: 30}
//	  "*_share": {abs: 0.02}
//
// name prefixes every message. Unknown keys, values of the wrong type or
// out of range and bad patterns are errors naming file and line; all of
// them are reported at once. An empty file is the zero configuration.
func ParseCheckConfig(name string, data []byte) (*CheckConfig, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, checkYAMLError(name, err)
	}
	if len(doc.Content) == 0 {
		return &CheckConfig{File: name}, nil
	}
	return ParseCheckNode(name, doc.Content[0])
}

// ParseCheckNode reads a check configuration from a YAML mapping, such as
// the check: block of a scenario; messages name the file and the node's
// lines.
func ParseCheckNode(name string, root *yaml.Node) (*CheckConfig, error) {
	c := &CheckConfig{File: name}
	var errs []error
	bad := func(n *yaml.Node, field, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if field != "" {
			msg = field + ": " + msg
		}
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, n.Line, msg))
	}
	if root.Kind != yaml.MappingNode {
		bad(root, "", "a check file is a mapping with the keys level, metrics and tolerances")
		return nil, errors.Join(errs...)
	}
	number := func(n *yaml.Node, field string) (float64, bool) {
		var x float64
		if n.Kind != yaml.ScalarNode || n.Decode(&x) != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			bad(n, field, "must be a number (got %s)", nodeText(n))
			return 0, false
		}
		return x, true
	}
	pattern := func(n *yaml.Node, field string) (Pattern, bool) {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
			bad(n, field, "must be a metric name or pattern such as response_*_p1 (got %s)", nodeText(n))
			return Pattern{}, false
		}
		if _, err := path.Match(n.Value, ""); err != nil {
			bad(n, field, "bad pattern %q: %v", n.Value, err)
			return Pattern{}, false
		}
		return Pattern{Pattern: n.Value, Line: n.Line}, true
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			bad(k, k.Value, "given twice")
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "level":
			if x, ok := number(v, "level"); ok {
				if !(x > 0 && x <= 0.5) {
					bad(v, "level", "must be in (0, 0.5] (got %s)", v.Value)
				} else {
					c.Level = x
				}
			}
		case "metrics":
			if v.Kind != yaml.SequenceNode {
				bad(v, "metrics", "must be a list of metric names or patterns (got %s)", nodeText(v))
				continue
			}
			for j, item := range v.Content {
				if p, ok := pattern(item, fmt.Sprintf("metrics[%d]", j)); ok {
					c.Metrics = append(c.Metrics, p)
				}
			}
		case "tolerances":
			if v.Kind != yaml.MappingNode {
				bad(v, "tolerances", "must be a mapping of metric names or patterns to {rel, abs} (got %s)", nodeText(v))
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				pk, pv := v.Content[j], v.Content[j+1]
				field := "tolerances." + pk.Value
				p, ok := pattern(pk, field)
				if !ok {
					continue
				}
				if slices.ContainsFunc(c.Tolerances, func(r ToleranceRule) bool { return r.Pattern.Pattern == p.Pattern }) {
					bad(pk, field, "given twice")
					continue
				}
				if pv.Kind != yaml.MappingNode {
					bad(pv, field, "must be a mapping {rel: …, abs: …} (got %s)", nodeText(pv))
					continue
				}
				rule := ToleranceRule{Pattern: p}
				for m := 0; m+1 < len(pv.Content); m += 2 {
					tk, tv := pv.Content[m], pv.Content[m+1]
					f := field + "." + tk.Value
					var dst **float64
					switch tk.Value {
					case "rel":
						dst = &rule.Rel
					case "abs":
						dst = &rule.Abs
					default:
						bad(tk, f, "unknown key (valid: rel, abs)")
						continue
					}
					if *dst != nil {
						bad(tk, f, "given twice")
						continue
					}
					if x, ok := number(tv, f); ok {
						if x < 0 {
							bad(tv, f, "must be >= 0 (got %s)", tv.Value)
							continue
						}
						*dst = &x
					}
				}
				c.Tolerances = append(c.Tolerances, rule)
			}
		default:
			bad(k, "", "unknown key %q (valid: level, metrics, tolerances)", k.Value)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func nodeText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "an alias"
}

// checkYAMLError turns a YAML syntax error into "file:line: message".
func checkYAMLError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.Contains(msg, "anchor") {
		msg += ` (a pattern that starts with * must be quoted: "*_share")`
	}
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		// go.yaml.in/yaml/v3 gives parser errors ("did not find
		// expected …") the 0-based line of their construct.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
		return fmt.Errorf("%s:%d: %s", name, line, msg)
	}
	return fmt.Errorf("%s: %s", name, msg)
}

// Verdict is the outcome of one metric of one variant.
type Verdict string

const (
	VerdictIdentical Verdict = "identical" // every value bit for bit the baseline's
	VerdictSame      Verdict = "same"      // not significant, or within tolerance
	VerdictBetter    Verdict = "better"    // significant and beyond tolerance, the good way
	VerdictWorse     Verdict = "worse"     // significant and beyond tolerance, the bad way
	VerdictChanged   Verdict = "changed"   // a metric without direction moved; or defined on one side only
	VerdictMissing   Verdict = "missing"   // in the baseline, not in this run
	VerdictNew       Verdict = "new"       // in this run, not in the baseline
)

// Verdicts lists the verdicts in the order reports count them.
var Verdicts = []Verdict{VerdictWorse, VerdictBetter, VerdictChanged, VerdictSame, VerdictIdentical, VerdictMissing, VerdictNew}

// CheckRow is the comparison of one metric of one variant (Metric is empty
// for a variant missing on one side).
type CheckRow struct {
	Variant, Metric string
	Better          Better
	Baseline, Now   float64 // means over the replications with a value; NaN if none
	Difference      float64 // Now − Baseline
	P, PHolm        float64 // Welch t test, raw and Holm-adjusted; NaN when not tested
	Significant     bool    // PHolm < level
	Tolerance       Tolerance
	Beyond          bool // |Difference| > Tolerance.Threshold(Baseline)
	Verdict         Verdict
	Note            string // why, for changed, missing and new rows
}

// RunInfo says what produced a set of values.
type RunInfo struct {
	Scenario     string
	ScenarioHash string
	Seed         uint64
	Replications int
	Version      string
}

func (b *Baseline) info() RunInfo {
	return RunInfo{b.Scenario, b.ScenarioHash, b.Seed, b.Replications, b.Version}
}

// CheckReport is the result of a check.
type CheckReport struct {
	BaselineFile    string // for messages
	Baseline, Now   RunInfo
	Level           float64
	Tests           int // comparisons tested, over which p-values are Holm-adjusted
	ScenarioChanged bool
	VersionChanged  bool
	Warnings        []string
	Rows            []CheckRow
}

// Count returns the number of rows with verdict v.
func (r *CheckReport) Count(v Verdict) int {
	n := 0
	for _, row := range r.Rows {
		if row.Verdict == v {
			n++
		}
	}
	return n
}

// Regression reports whether any metric got worse.
func (r *CheckReport) Regression() bool { return r.Count(VerdictWorse) > 0 }

// Compare checks now against base. metrics gives the metrics' directions
// and kinds (Summary.Metrics of the run that made now); nil takes them from
// now. cfg may be nil. The baseline's variants come first, in its order,
// then those new in now; within a variant, metrics come in now's order,
// then those only in the baseline.
func Compare(base, now *Baseline, metrics []Metric, cfg *CheckConfig) *CheckReport {
	if metrics == nil {
		metrics = now.Metrics
	}
	r := &CheckReport{Baseline: base.info(), Now: now.info(), Level: cfg.level()}
	r.ScenarioChanged = base.ScenarioHash != now.ScenarioHash
	r.VersionChanged = base.Version != now.Version
	if base.Scenario != now.Scenario {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the baseline is of scenario %q, this run of %q", base.Scenario, now.Scenario))
	}
	if r.ScenarioChanged {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the scenario or its data files changed since the baseline was made (%s, now %s)",
			shortHash(base.ScenarioHash), shortHash(now.ScenarioHash)))
	}
	if r.VersionChanged {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the baseline was made by patrolsim %s, this is %s", base.Version, now.Version))
	}
	if min(base.Replications, now.Replications) < 2 {
		r.Warnings = append(r.Warnings, "fewer than 2 replications on a side: no difference can be significant")
	}

	// Every metric on either side, in now's order, then the baseline's.
	all := slices.Clone(metrics)
	for _, m := range base.Metrics {
		if !slices.ContainsFunc(all, func(x Metric) bool { return x.Name == m.Name }) {
			all = append(all, m)
		}
	}
	r.Warnings = append(r.Warnings, cfg.unmatched(all)...)

	for _, bv := range base.Variants {
		nv := now.Variant(bv.Name)
		if nv == nil {
			r.Rows = append(r.Rows, CheckRow{Variant: bv.Name, Verdict: VerdictMissing, Note: "variant not in this run"})
			continue
		}
		for _, m := range all {
			if !cfg.selects(m.Name) {
				continue
			}
			row := CheckRow{Variant: bv.Name, Metric: m.Name, Better: m.Better, Tolerance: cfg.Tolerance(m),
				Baseline: math.NaN(), Now: math.NaN(), Difference: math.NaN(), P: math.NaN(), PHolm: math.NaN()}
			i0, i1 := base.Index(m.Name), now.Index(m.Name)
			switch {
			case i1 < 0:
				row.Verdict, row.Note = VerdictMissing, "metric not produced by this run"
			case i0 < 0:
				row.Verdict, row.Note = VerdictNew, "metric not in the baseline"
			default:
				row.compare(bv.Values[i0], nv.Values[i1])
			}
			r.Rows = append(r.Rows, row)
		}
	}
	for _, nv := range now.Variants {
		if base.Variant(nv.Name) == nil {
			r.Rows = append(r.Rows, CheckRow{Variant: nv.Name, Verdict: VerdictNew, Note: "variant not in the baseline"})
		}
	}

	// Holm over every test of the check, then the verdicts.
	var ps []float64
	var idx []int
	for k, row := range r.Rows {
		if row.Verdict == "" && !math.IsNaN(row.P) {
			ps = append(ps, row.P)
			idx = append(idx, k)
		}
	}
	r.Tests = len(ps)
	for j, p := range holmAdjust(ps) {
		r.Rows[idx[j]].PHolm = p
	}
	for k := range r.Rows {
		row := &r.Rows[k]
		if row.Verdict != "" {
			continue
		}
		row.Significant = row.PHolm < r.Level
		row.Beyond = math.Abs(row.Difference) > row.Tolerance.Threshold(row.Baseline)
		row.Verdict = VerdictSame
		if !row.Significant || !row.Beyond {
			continue
		}
		switch {
		case row.Better == Neutral:
			row.Verdict = VerdictChanged
		case (row.Difference > 0) == (row.Better == Lower):
			row.Verdict = VerdictWorse
		default:
			row.Verdict = VerdictBetter
		}
	}
	return r
}

// compare sets the means, difference and raw p-value of a row, or its
// verdict when there is nothing to test.
func (row *CheckRow) compare(base, now []float64) {
	if slices.EqualFunc(base, now, func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}) {
		row.Baseline, row.Now = meanOf(base), meanOf(now)
		row.Difference = 0
		if math.IsNaN(row.Baseline) {
			row.Difference = math.NaN()
		}
		row.Verdict = VerdictIdentical
		return
	}
	x, y := definedValues(base), definedValues(now)
	row.Baseline, row.Now = meanOf(x), meanOf(y)
	row.Difference = row.Now - row.Baseline
	// Infinite values (a 90th percentile of response when more than a
	// tenth of the calls were never answered) are extreme, not missing:
	// when the shares of replications with one differ, the number of such
	// replications is what is tested (Fisher's exact test), and the
	// difference is infinite in the direction of the infinities gained.
	if it, ok := TestInfinities(base, now); ok {
		row.Difference = math.Inf(it.Sign)
		row.P = it.P
		row.Note = it.Note("this run", "the baseline")
		return
	}
	switch {
	case len(x) == 0 && len(y) == 0:
		row.Verdict = VerdictSame
	case len(x) == 0:
		row.Verdict, row.Note = VerdictChanged, "undefined in every replication of the baseline"
	case len(y) == 0:
		row.Verdict, row.Note = VerdictChanged, "undefined in every replication of this run"
	default:
		row.P = welch(x, y)
	}
}

func definedValues(xs []float64) []float64 {
	var out []float64
	for _, x := range xs {
		if finite(x) {
			out = append(out, x)
		}
	}
	return out
}

func meanOf(xs []float64) float64 {
	xs = definedValues(xs)
	if len(xs) == 0 {
		return math.NaN()
	}
	return stat.Mean(xs, nil)
}

// welch returns the two-sided p-value of Welch's t test that x and y have
// the same mean (WelchDifference); NaN with fewer than two values on a
// side.
func welch(x, y []float64) float64 { return WelchDifference(x, y).P }

// unmatched warns of the configuration's patterns that match no metric.
func (c *CheckConfig) unmatched(metrics []Metric) []string {
	if c == nil {
		return nil
	}
	var out []string
	check := func(p Pattern, what string) {
		if !slices.ContainsFunc(metrics, func(m Metric) bool { return p.matches(m.Name) }) {
			out = append(out, fmt.Sprintf("%s:%d: %s %q matches no metric of this run", c.File, p.Line, what, p.Pattern))
		}
	}
	for _, p := range c.Metrics {
		check(p, "metrics:")
	}
	for _, r := range c.Tolerances {
		check(r.Pattern, "tolerances:")
	}
	return out
}

func shortHash(h string) string {
	if h == "" {
		return "no hash"
	}
	if len(h) > len("sha256:")+12 {
		return h[:len("sha256:")+12] + "…"
	}
	return h
}

// formatValue writes a metric value for the table: four significant
// digits (all the integer digits from 1000 up), without an exponent; "–"
// when undefined.
func formatValue(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case math.IsInf(x, 0) || math.Abs(x) >= 1000:
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func formatDifference(row CheckRow) string {
	d := row.Difference
	if math.IsNaN(d) {
		return "–"
	}
	s := formatValue(d)
	if d > 0 {
		s = "+" + s
	}
	if row.Baseline != 0 && finite(row.Baseline) && d != 0 {
		s += fmt.Sprintf(" (%+.1f%%)", 100*d/math.Abs(row.Baseline))
	}
	return s
}

func formatP(p float64) string {
	if math.IsNaN(p) {
		return "–"
	}
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// Summary returns the counts line: "1 worse, 2 better, 40 same, …".
func (r *CheckReport) Summary() string {
	var parts []string
	for _, v := range Verdicts {
		n := r.Count(v)
		if n > 0 || v == VerdictWorse || v == VerdictBetter || v == VerdictSame || v == VerdictIdentical {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return strings.Join(parts, ", ")
}

// WriteTable writes the readable report: a head, the warnings, a table of
// the rows that are not identical (all rows if all is set) and the counts.
func (r *CheckReport) WriteTable(w io.Writer, all bool) error {
	b, n := r.Baseline, r.Now
	fmt.Fprintf(w, "check %s against %s\n", n.Scenario, r.BaselineFile)
	fmt.Fprintf(w, "baseline: seed %d, %d replications, patrolsim %s, scenario %s\n", b.Seed, b.Replications, b.Version, shortHash(b.ScenarioHash))
	fmt.Fprintf(w, "now:      seed %d, %d replications, patrolsim %s, scenario %s\n", n.Seed, n.Replications, n.Version, shortHash(n.ScenarioHash))
	fmt.Fprintf(w, "worse or better = significant (Welch t test, Holm over %d tests, level %g) and beyond tolerance\n", r.Tests, r.Level)
	for _, msg := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", msg)
	}
	var rows []CheckRow
	for _, row := range r.Rows {
		if all || row.Verdict != VerdictIdentical {
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "variant\tmetric\tbaseline\tnow\tdifference\tp (Holm)\tverdict")
		for _, row := range rows {
			verdict := string(row.Verdict)
			if row.Note != "" {
				verdict += " (" + row.Note + ")"
			}
			metric := row.Metric
			if metric == "" {
				metric = "–"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.Variant, metric, formatValue(row.Baseline),
				formatValue(row.Now), formatDifference(row), formatP(row.PHolm), verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\n%d compared: %s\n", len(r.Rows), r.Summary())
	return err
}

// CheckJSON is the document check --json prints. Fields may be added,
// never renamed or removed.
type CheckJSON struct {
	Scenario        string         `json:"scenario"`
	BaselineFile    string         `json:"baseline_file"`
	Baseline        RunInfoJSON    `json:"baseline"`
	Now             RunInfoJSON    `json:"now"`
	Level           float64        `json:"level"`
	Correction      string         `json:"correction"`
	Tests           int            `json:"tests"`
	ScenarioChanged bool           `json:"scenario_changed"`
	VersionChanged  bool           `json:"version_changed"`
	Warnings        []string       `json:"warnings"`
	Counts          map[string]int `json:"counts"`
	Regression      bool           `json:"regression"`
	Results         []CheckRowJSON `json:"results"`
}

// RunInfoJSON is a RunInfo in the check document.
type RunInfoJSON struct {
	Scenario     string `json:"scenario"`
	ScenarioHash string `json:"scenario_hash"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	Version      string `json:"patrolsim_version"`
}

// CheckRowJSON is one row of the check document.
type CheckRowJSON struct {
	Variant     string        `json:"variant"`
	Metric      string        `json:"metric,omitempty"`
	Better      string        `json:"better,omitempty"`
	Baseline    *float64      `json:"baseline_mean"`
	Now         *float64      `json:"now_mean"`
	Difference  *float64      `json:"difference"`
	P           *float64      `json:"p_value"`
	PHolm       *float64      `json:"p_holm"`
	Significant bool          `json:"significant"`
	Tolerance   ToleranceJSON `json:"tolerance"`
	Beyond      bool          `json:"beyond_tolerance"`
	Verdict     Verdict       `json:"verdict"`
	Note        string        `json:"note,omitempty"`
}

// ToleranceJSON is a Tolerance in the check document.
type ToleranceJSON struct {
	Rel float64 `json:"rel"`
	Abs float64 `json:"abs"`
}

func (i RunInfo) json() RunInfoJSON {
	return RunInfoJSON{i.Scenario, i.ScenarioHash, i.Seed, i.Replications, i.Version}
}

// Document returns the report as the check document.
func (r *CheckReport) Document() CheckJSON {
	doc := CheckJSON{Scenario: r.Now.Scenario, BaselineFile: r.BaselineFile, Baseline: r.Baseline.json(), Now: r.Now.json(),
		Level: r.Level, Correction: "holm", Tests: r.Tests, ScenarioChanged: r.ScenarioChanged, VersionChanged: r.VersionChanged,
		Warnings: append([]string{}, r.Warnings...), Counts: map[string]int{}, Regression: r.Regression(), Results: []CheckRowJSON{}}
	for _, v := range Verdicts {
		doc.Counts[string(v)] = r.Count(v)
	}
	for _, row := range r.Rows {
		rj := CheckRowJSON{Variant: row.Variant, Metric: row.Metric, Baseline: num(row.Baseline), Now: num(row.Now),
			Difference: num(row.Difference), P: num(row.P), PHolm: num(row.PHolm), Significant: row.Significant,
			Tolerance: ToleranceJSON{row.Tolerance.Rel, row.Tolerance.Abs}, Beyond: row.Beyond, Verdict: row.Verdict, Note: row.Note}
		if row.Metric != "" {
			rj.Better = betterName(row.Better)
		}
		doc.Results = append(doc.Results, rj)
	}
	return doc
}

// WriteJSON writes the check document, indented, with a final newline.
func (r *CheckReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.Document())
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// describe says what happened to a row in one line.
func (row CheckRow) describe() string {
	if row.Metric == "" {
		return fmt.Sprintf("variant %s: %s", row.Variant, row.Note)
	}
	s := fmt.Sprintf("%s of variant %s: %s, baseline %s, now %s, difference %s", row.Metric, row.Variant, row.Verdict,
		formatValue(row.Baseline), formatValue(row.Now), formatDifference(row))
	if !math.IsNaN(row.PHolm) {
		s += fmt.Sprintf(", p (Holm) %s", formatP(row.PHolm))
	}
	if row.Verdict != VerdictIdentical {
		s += ", tolerance " + formatValue(row.Tolerance.Threshold(row.Baseline))
		if row.Better != Neutral {
			s += fmt.Sprintf(" (%s is better)", betterName(row.Better))
		}
	}
	if row.Note != "" {
		s += " (" + row.Note + ")"
	}
	return s
}

// WriteJUnit writes the report as JUnit XML: one test suite per variant,
// one test case per metric; worse metrics fail, metrics or variants
// missing on one side are skipped. The warnings and what produced both
// sides are properties of every suite.
func (r *CheckReport) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Name: "patrolsim check " + r.Now.Scenario}
	props := []junitProperty{
		{"baseline_file", r.BaselineFile},
		{"baseline_scenario_hash", r.Baseline.ScenarioHash},
		{"scenario_hash", r.Now.ScenarioHash},
		{"baseline_patrolsim_version", r.Baseline.Version},
		{"patrolsim_version", r.Now.Version},
		{"baseline_seed", strconv.FormatUint(r.Baseline.Seed, 10)},
		{"seed", strconv.FormatUint(r.Now.Seed, 10)},
		{"level", strconv.FormatFloat(r.Level, 'g', -1, 64)},
		{"scenario_changed", strconv.FormatBool(r.ScenarioChanged)},
		{"version_changed", strconv.FormatBool(r.VersionChanged)},
	}
	for _, msg := range r.Warnings {
		props = append(props, junitProperty{"warning", msg})
	}
	var suite *junitSuite
	for _, row := range r.Rows {
		if suite == nil || suite.Name != r.Now.Scenario+"/"+row.Variant {
			doc.Suites = append(doc.Suites, junitSuite{Name: r.Now.Scenario + "/" + row.Variant, Properties: props})
			suite = &doc.Suites[len(doc.Suites)-1]
		}
		c := junitCase{Name: row.Metric, Classname: r.Now.Scenario + "." + row.Variant, Time: "0", SystemOut: row.describe()}
		if row.Metric == "" {
			c.Name = "(variant)"
		}
		switch row.Verdict {
		case VerdictWorse:
			c.Failure = &junitMessage{Message: row.describe(), Type: "worse", Text: row.describe()}
			suite.Failures++
		case VerdictMissing, VerdictNew:
			c.Skipped = &junitMessage{Message: row.describe()}
			suite.Skipped++
		}
		suite.Tests++
		suite.Cases = append(suite.Cases, c)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteAnnotations writes GitHub Actions workflow commands: a warning for
// every warning of the report and an error for every worse metric. file,
// if not empty, is the scenario file the errors point at.
func (r *CheckReport) WriteAnnotations(w io.Writer, file string) error {
	for _, msg := range r.Warnings {
		if _, err := fmt.Fprintf(w, "::warning title=%s::%s\n", ghProperty("patrolsim check: "+r.Now.Scenario), ghData(msg)); err != nil {
			return err
		}
	}
	for _, row := range r.Rows {
		if row.Verdict != VerdictWorse {
			continue
		}
		props := ""
		if file != "" {
			props = "file=" + ghProperty(file) + ","
		}
		title := fmt.Sprintf("%s worse in %s/%s", row.Metric, r.Now.Scenario, row.Variant)
		if _, err := fmt.Fprintf(w, "::error %stitle=%s::%s\n", props, ghProperty(title), ghData(row.describe())); err != nil {
			return err
		}
	}
	return nil
}

// ghData escapes the message of a workflow command (the runner's
// CommandExtensions: %, CR and LF).
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value of a workflow command: as data, and
// also ':' and ','.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
