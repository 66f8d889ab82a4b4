package results

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// formatValue writes a value of a metric the registry does not declare:
// four significant digits (all the integer digits from 1000 up), without
// an exponent; "–" when undefined.
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

// text writes a value of the row's metric in its format (Metric.Text), as
// the terminal table and the what-if page show it: minutes, percent.
func (row CheckRow) text(x float64) string {
	if row.Declared.Kind == KindUnknown {
		return formatValue(x)
	}
	return row.Declared.Text(x)
}

// withUnit writes a value with its shown unit: "5.46 min", "84.3%",
// "784"; a difference of percentages in percentage points.
func (row CheckRow) withUnit(x float64, difference bool) string {
	s := row.text(x)
	switch u := row.Declared.Format().Unit; {
	case s == "–" || u == "" || row.Declared.Kind == KindUnknown:
	case u == "%" && difference:
		s += " percentage points"
	case u == "%":
		s += "%"
	default:
		s += " " + u
	}
	return s
}

// margin is the row's tolerance in the metric's unit; NaN for a row
// without a metric.
func (row CheckRow) margin() float64 {
	if row.Metric == "" {
		return math.NaN()
	}
	return row.Tolerance.Threshold(row.Baseline)
}

// plusMinus writes a half-width in the metric's format, "±0.25" (with its
// unit, "±0.25 min", if unit is set); "–" when undefined.
func (row CheckRow) plusMinus(x float64, unit bool) string {
	if math.IsNaN(x) {
		return "–"
	}
	if unit {
		return "±" + row.withUnit(x, true)
	}
	return "±" + row.text(x)
}

// formatDifference writes the difference in the metric's format, signed,
// with the relative difference: "+0.73 (+13.4%)".
func formatDifference(row CheckRow, unit bool) string {
	d := row.Difference
	if math.IsNaN(d) {
		return "–"
	}
	s := row.text(d)
	if unit {
		s = row.withUnit(d, true)
	}
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

// Summary returns the counts line: "1 worse, 2 better, 5 inconclusive,
// 40 same, …".
func (r *CheckReport) Summary() string {
	var parts []string
	for _, v := range Verdicts {
		n := r.Count(v)
		if n > 0 || v == VerdictWorse || v == VerdictBetter || v == VerdictInconclusive || v == VerdictSame || v == VerdictIdentical {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return strings.Join(parts, ", ")
}

// WriteTable writes the readable report: a head, the warnings, a table of
// the rows that are not identical (all rows if all is set) and the counts.
// A row gives the metric's name and header ("P1 response, p90 (min)") and
// the means and difference in the metric's format, as the terminal table
// of run shows them.
func (r *CheckReport) WriteTable(w io.Writer, all bool) error {
	b, n := r.Baseline, r.Now
	fmt.Fprintf(w, "check %s against %s\n", n.Scenario, r.BaselineFile)
	fmt.Fprintf(w, "baseline: seed %d, %d replications, patrolsim %s, scenario %s\n", b.Seed, b.Replications, b.Version, shortHash(b.ScenarioHash))
	fmt.Fprintf(w, "now:      seed %d, %d replications, patrolsim %s, scenario %s\n", n.Seed, n.Replications, n.Version, shortHash(n.ScenarioHash))
	fmt.Fprintf(w, "worse or better = significant (Welch t test, Holm over %d tests, level %g) and beyond tolerance\n", r.Tests, r.Level)
	fmt.Fprintf(w, "same = shown within tolerance (two one-sided tests, level %g each); inconclusive = neither:\n", r.Level)
	fmt.Fprintf(w, "  more replications are needed; detectable = the smallest change found with 80%% power at this count\n")
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
		fmt.Fprintln(tw, "variant\tmetric\tas shown\tbaseline\tnow\tdifference\ttolerance\tdetectable\tp (Holm)\tverdict")
		for _, row := range rows {
			verdict := string(row.Verdict)
			if row.Note != "" {
				verdict += " (" + row.Note + ")"
			}
			metric, header := row.Metric, row.Declared.Header()
			if metric == "" {
				metric, header = "–", "–"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.Variant, metric, header, row.text(row.Baseline),
				row.text(row.Now), formatDifference(row, false), row.plusMinus(row.margin(), false), row.plusMinus(row.Detectable, false),
				formatP(row.PHolm), verdict)
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
	Equivalence     string         `json:"equivalence"` // "tost": how same is decided, per metric at the level
	Tests           int            `json:"tests"`
	Strict          bool           `json:"strict"` // inconclusive metrics fail the check too
	ScenarioChanged bool           `json:"scenario_changed"`
	VersionChanged  bool           `json:"version_changed"`
	Warnings        []string       `json:"warnings"`
	Counts          map[string]int `json:"counts"`
	Regression      bool           `json:"regression"` // a metric got worse
	Failed          bool           `json:"failed"`     // the check fails (exit status 1): regression, or inconclusive when strict
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
	Label       string        `json:"label,omitempty"` // the metric's label (without unit)
	Kind        string        `json:"kind,omitempty"`  // time, share, count, ratio; unknown if not declared
	Unit        string        `json:"unit,omitempty"`  // of the means, difference and tolerance: s, fraction, count, ratio
	Better      string        `json:"better,omitempty"`
	Baseline    *float64      `json:"baseline_mean"`
	Now         *float64      `json:"now_mean"`
	Difference  *float64      `json:"difference"`
	P           *float64      `json:"p_value"`
	PHolm       *float64      `json:"p_holm"`
	Significant bool          `json:"significant"`
	Tolerance   ToleranceJSON `json:"tolerance"`
	Beyond      bool          `json:"beyond_tolerance"`
	// Margin is the tolerance in the metric's unit, max(abs, rel ×
	// |baseline mean|); TOSTP the p-value of the two one-sided tests that
	// the difference lies within ±Margin (same when below the level);
	// Detectable the smallest difference a test at the level finds with
	// 80% power at these replications (null when not tested).
	Margin     *float64 `json:"margin"`
	TOSTP      *float64 `json:"tost_p"`
	Detectable *float64 `json:"detectable"`
	Verdict    Verdict  `json:"verdict"`
	Note       string   `json:"note,omitempty"`
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
		Level: r.Level, Correction: "holm", Equivalence: "tost", Tests: r.Tests, Strict: r.Strict, ScenarioChanged: r.ScenarioChanged,
		VersionChanged: r.VersionChanged, Warnings: append([]string{}, r.Warnings...), Counts: map[string]int{}, Regression: r.Regression(),
		Failed: r.Failed(), Results: []CheckRowJSON{}}
	for _, v := range Verdicts {
		doc.Counts[string(v)] = r.Count(v)
	}
	for _, row := range r.Rows {
		rj := CheckRowJSON{Variant: row.Variant, Metric: row.Metric, Baseline: num(row.Baseline), Now: num(row.Now),
			Difference: num(row.Difference), P: num(row.P), PHolm: num(row.PHolm), Significant: row.Significant,
			Tolerance: ToleranceJSON{row.Tolerance.Rel, row.Tolerance.Abs}, Beyond: row.Beyond, TOSTP: num(row.TOSTP),
			Detectable: num(row.Detectable), Verdict: row.Verdict, Note: row.Note}
		if row.Metric != "" {
			rj.Margin = num(row.margin())
			rj.Better = betterName(row.Better)
			rj.Label, rj.Kind, rj.Unit = row.Declared.Label, row.Declared.Kind.String(), row.Declared.Unit()
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
	name := row.Metric
	if l := row.Declared.Label; l != "" && l != row.Metric {
		name += " (" + l + ")"
	}
	s := fmt.Sprintf("%s of variant %s: %s, baseline %s, now %s, difference %s", name, row.Variant, row.Verdict,
		row.withUnit(row.Baseline, false), row.withUnit(row.Now, false), formatDifference(row, true))
	if !math.IsNaN(row.PHolm) {
		s += fmt.Sprintf(", p (Holm) %s", formatP(row.PHolm))
	}
	if row.Verdict != VerdictIdentical {
		s += ", tolerance " + row.plusMinus(row.margin(), true)
		if row.Better != Neutral {
			s += fmt.Sprintf(" (%s is better)", betterName(row.Better))
		}
	}
	if !math.IsNaN(row.Detectable) {
		s += ", detectable " + row.plusMinus(row.Detectable, true)
	}
	if row.Verdict == VerdictInconclusive && !math.IsNaN(row.Detectable) {
		s += ": more replications needed to tell"
	}
	if row.Note != "" {
		s += " (" + row.Note + ")"
	}
	return s
}

// WriteJUnit writes the report as JUnit XML: one test suite per variant,
// one test case per metric; worse metrics fail, metrics or variants
// missing on one side are skipped, and inconclusive metrics are skipped
// (neither passed nor failed) or, when the report is strict, fail. The warnings and what produced both
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
		case VerdictInconclusive:
			if r.Strict {
				c.Failure = &junitMessage{Message: row.describe(), Type: "inconclusive", Text: row.describe()}
				suite.Failures++
			} else {
				c.Skipped = &junitMessage{Message: row.describe()}
				suite.Skipped++
			}
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
// every warning of the report, an error for every worse metric, and one
// warning (an error when the report is strict) that counts the
// inconclusive metrics and names the first few. file, if not empty, is
// the scenario file the errors point at.
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
	if n := r.Count(VerdictInconclusive); n > 0 {
		kind := "warning"
		if r.Strict {
			kind = "error"
		}
		// One annotation, not one per metric: GitHub shows only the first
		// ten warnings of a step.
		const shown = 5
		var names []string
		for _, row := range r.Rows {
			if row.Verdict == VerdictInconclusive && len(names) < shown {
				names = append(names, r.inconclusiveName(row))
			}
		}
		if n > shown {
			names = append(names, fmt.Sprintf("and %d more", n-shown))
		}
		msg := fmt.Sprintf("%d metric(s) inconclusive: neither shown within tolerance nor significantly beyond it at %d and %d replications "+
			"(more replications, or wider tolerances, would decide): %s", n, r.Baseline.Replications, r.Now.Replications, strings.Join(names, "; "))
		title := fmt.Sprintf("%d metric(s) inconclusive in %s", n, r.Now.Scenario)
		if _, err := fmt.Fprintf(w, "::%s title=%s::%s\n", kind, ghProperty(title), ghData(msg)); err != nil {
			return err
		}
	}
	return nil
}

// inconclusiveName names an inconclusive row with its difference,
// tolerance and detectable change, for the annotation.
func (r *CheckReport) inconclusiveName(row CheckRow) string {
	s := row.Variant + "/" + row.Metric + " " + formatDifference(row, true)
	if !math.IsNaN(row.Detectable) {
		s += ", tolerance " + row.plusMinus(row.margin(), true) + ", detectable " + row.plusMinus(row.Detectable, true)
	} else if row.Note != "" {
		s += " (" + row.Note + ")"
	}
	return s
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
