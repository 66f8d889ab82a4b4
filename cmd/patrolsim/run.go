package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/results/report"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

type runFlags struct {
	out          string
	json         bool
	seed         uint64
	replications int
	workers      int
	trace        bool
	quiet        bool
	verbose      bool
	report       bool
}

func (m *Main) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [SCENARIO.yaml]",
		Short: "Run a scenario (default: the built-in city) and print the ranked results",
		Long: "Run plays every variant of the scenario over its replications and prints a\n" +
			"table of metrics with 95% confidence intervals, variants ranked best first.\n" +
			"It writes results.json, replications.csv and the resolved scenario (and with\n" +
			"--trace, trace.csv) to the output folder. Without an argument it runs the\n" +
			"built-in city (" + scenarios.DefaultName + "); builtin:NAME names another built-in scenario.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			return m.run(cmd, path, f, cmd.Flags().Changed("seed"))
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "out", "output folder")
	fl.BoolVar(&f.json, "json", false, "print the JSON result document instead of the table")
	fl.Uint64Var(&f.seed, "seed", 0, "master random seed (default: the scenario's)")
	fl.IntVar(&f.replications, "replications", 0, "replications per variant (default: the scenario's)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel")
	fl.BoolVar(&f.trace, "trace", false, "also write trace.csv: one row per incident per run")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing but errors")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "also print every metric's mean and interval, and what each variant's runs did")
	fl.BoolVar(&f.report, "report", false, "also write report.html and charts/ (see patrolsim report)")
	return cmd
}

func (m *Main) run(cmd *cobra.Command, path string, f runFlags, seedSet bool) error {
	s, err := loadScenario(path)
	if err != nil {
		return err
	}
	if seedSet {
		s.File.Seed = f.seed
	}
	if f.replications != 0 {
		if f.replications < 1 || f.replications > scenarios.MaxReplications {
			return usageError{fmt.Errorf("--replications must be between 1 and %d (got %d)", scenarios.MaxReplications, f.replications)}
		}
		s.File.Replications = f.replications
	}
	if f.workers < 1 {
		return usageError{fmt.Errorf("--workers must be >= 1 (got %d)", f.workers)}
	}
	start := time.Now()
	res, err := Execute(cmd.Context(), s, f.workers, f.trace)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	if err := checkNoOverwrite(f.out, s); err != nil {
		return usageError{err}
	}
	if err := writeOutputs(f.out, s, res); err != nil {
		return err
	}
	if f.report {
		in, err := report.Load(f.out)
		if err != nil {
			return err
		}
		if _, err := in.Write(report.Options{}); err != nil {
			return err
		}
	}
	if f.quiet {
		return nil
	}
	if f.json {
		return res.Summary.WriteJSON(m.stdout)
	}
	var table strings.Builder
	if err := res.Summary.WriteTable(&table); err != nil {
		return err
	}
	out := table.String()
	if colorTerminal(m.stdout) {
		out = results.Colorize(out)
	}
	if _, err := io.WriteString(m.stdout, out); err != nil {
		return err
	}
	if f.verbose {
		m.writeVerbose(s, res)
	}
	fmt.Fprintf(m.stdout, "\n%d runs, %d events in %.1fs; results in %s\n", len(res.Stats), res.Events(), elapsed.Seconds(), f.out)
	return nil
}

// Result is what Execute produces.
type Result struct {
	Summary *results.Summary
	Details results.DetailsJSON // distributions for charts and maps
	Stats   []sim.Stats
	Trace   []results.TraceRow // with tracing, in (variant, replication, id) order
}

// Events returns the total number of events delivered.
func (r *Result) Events() uint64 {
	var n uint64
	for _, s := range r.Stats {
		n += s.Events
	}
	return n
}

// Execute runs every variant of s over its replications on workers
// goroutines and summarises the results. The result does not depend on
// workers.
func Execute(ctx context.Context, s *scenarios.Scenario, workers int, trace bool) (*Result, error) {
	return execute(ctx, s, workers, trace, nil)
}

// execute is Execute with an optional progress report: done counts the
// variant runs finished (approximately while runs are in flight: a worker
// asks for its next recorder when its previous run ended), out of total.
func execute(ctx context.Context, s *scenarios.Scenario, workers int, trace bool, progress func(done, total int)) (*Result, error) {
	reps := s.File.Replications
	nv := len(s.Variants)
	total := reps * nv
	collectors := make([]*results.Collector, reps*nv)
	traces := make([][]results.TraceRow, reps*nv)
	var started atomic.Int64
	if progress != nil {
		progress(0, total)
	}
	newRec := func(j sim.Job) sim.Recorder {
		if progress != nil {
			n := int(started.Add(1))
			progress(max(0, n-workers), total)
		}
		c := results.NewCollector(s.Variants[j.Variant].Model)
		k := j.Variant*reps + j.Rep
		if trace {
			name := s.Variants[j.Variant].Name
			c.Keep = func(r *sim.IncidentRecord) {
				row := results.TraceRow{Variant: name, Rep: j.Rep, Counted: c.Counted(r), Rec: *r}
				row.Rec.Units = append([]int(nil), r.Units...)
				traces[k] = append(traces[k], row)
			}
		}
		collectors[k] = c
		return c
	}
	stats, err := sim.Replicate(ctx, s.Variants, s.File.Seed, reps, workers, newRec)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(total, total)
	}
	metrics := results.Metrics(s.Config)
	values := make([][][]float64, nv)
	details := make([][]results.RunDetails, nv)
	names := make([]string, nv)
	for v := range nv {
		names[v] = s.Variants[v].Name
		for r := range reps {
			values[v] = append(values[v], collectors[v*reps+r].Values())
			details[v] = append(details[v], collectors[v*reps+r].Details())
		}
	}
	atoms := make([]string, len(s.Config.City.Atoms))
	for a := range atoms {
		atoms[a] = s.Config.City.Atoms[a].Name
	}
	res := &Result{Stats: stats, Details: results.MergeDetails(s.File.Name, atoms, names, details)}
	res.Summary = results.Summarize(s.File.Name, s.File.Seed, metrics, names, values, s.Objective(), s.File.Ranking.Alpha)
	if trace {
		for k := range traces {
			rows := traces[k]
			sortTrace(rows)
			res.Trace = append(res.Trace, rows...)
		}
	}
	return res, nil
}

// sortTrace orders a run's records by incident; they arrive in clearing order.
func sortTrace(rows []results.TraceRow) {
	slices.SortFunc(rows, func(a, b results.TraceRow) int { return a.Rec.ID - b.Rec.ID })
}

// writeOutputs writes every result file atomically.
func writeOutputs(dir string, s *scenarios.Scenario, res *Result) error {
	if err := results.WriteFileAtomic(filepath.Join(dir, "details.json"), res.Details.WriteJSON); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "results.json"), res.Summary.WriteJSON); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "replications.csv"), res.Summary.WriteCSV); err != nil {
		return err
	}
	if res.Trace != nil {
		if err := results.WriteFileAtomic(filepath.Join(dir, "trace.csv"), func(w io.Writer) error {
			return results.WriteTrace(w, s.Variants, res.Trace)
		}); err != nil {
			return err
		}
	} else if err := os.Remove(filepath.Join(dir, "trace.csv")); err != nil && !os.IsNotExist(err) {
		return err // a trace from an earlier run would not match these results
	}
	return writeResolved(dir, s)
}

// writeResolved saves the scenario as run, every default filled in, as
// scenario.yaml. Data files of a built-in scenario are copied beside it;
// those of a file scenario are referred to by absolute path; builtin:
// paths stay as they are (they load anywhere).
func writeResolved(dir string, s *scenarios.Scenario) error {
	f := s.File
	for _, df := range f.DataFiles() {
		p := df.Path
		if *p == "" || strings.HasPrefix(*p, scenarios.BuiltinPrefix) {
			continue
		}
		if s.IsBuiltin() {
			data, err := s.ReadData(*p)
			if err != nil {
				return err
			}
			if err := results.WriteFileAtomic(filepath.Join(dir, filepath.Base(*p)), func(w io.Writer) error {
				_, err := w.Write(data)
				return err
			}); err != nil {
				return err
			}
			*p = filepath.Base(*p)
		} else if !filepath.IsAbs(*p) {
			abs, err := filepath.Abs(filepath.Join(filepath.Dir(s.Path), *p))
			if err != nil {
				return err
			}
			*p = abs
		}
	}
	// Policy parameters with their defaults filled in.
	for i := range f.Variants {
		// The variant's own policy is the one of every unit type without
		// a by_unit rule.
		for t, u := range f.Units {
			if _, ruled := f.Variants[i].ByUnit[u.Name]; !ruled {
				f.Variants[i].Params = paramNodes(s.Variants[i].Policies[t])
				break
			}
		}
		for name, rule := range f.Variants[i].ByUnit {
			for t, u := range f.Units {
				if u.Name == name {
					rule.Params = paramNodes(s.Variants[i].Policies[t])
				}
			}
			f.Variants[i].ByUnit[name] = rule
		}
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Resolved scenario: %s as run by patrolsim %s, every default filled in.\n", s.Path, version())
	var node yaml.Node
	if err := node.Encode(f); err != nil {
		return err
	}
	flowScalarLists(&node)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, "scenario.yaml"), func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// flowScalarLists writes lists of plain values on one line: [1, 2, 3].
func flowScalarLists(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode {
		flat := true
		for _, c := range n.Content {
			flat = flat && c.Kind == yaml.ScalarNode
		}
		if flat {
			n.Style = yaml.FlowStyle
		}
	}
	for _, c := range n.Content {
		flowScalarLists(c)
	}
}

// paramNodes writes a policy's resolved parameters as YAML values.
func paramNodes(c sim.PolicyChoice) map[string]yaml.Node {
	if len(c.Spec.Params) == 0 {
		return nil
	}
	out := map[string]yaml.Node{}
	for _, p := range c.Spec.Params {
		v := scenarios.FormatParam(p, c.Params[p.Name])
		out[p.Name] = yaml.Node{Kind: yaml.ScalarNode, Value: v}
	}
	return out
}

// checkNoOverwrite refuses an output folder where the files a run writes
// would replace the scenario or its data files.
func checkNoOverwrite(dir string, s *scenarios.Scenario) error {
	if s.IsBuiltin() {
		return nil
	}
	inputs := []string{s.Path}
	base := filepath.Dir(s.Path)
	for _, p := range dataFiles(s) {
		if strings.HasPrefix(p, scenarios.BuiltinPrefix) {
			continue
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		inputs = append(inputs, p)
	}
	for _, out := range []string{"results.json", "details.json", "replications.csv", "scenario.yaml", "trace.csv"} {
		o, err := os.Stat(filepath.Join(dir, out))
		if err != nil {
			continue
		}
		for _, in := range inputs {
			if i, err := os.Stat(in); err == nil && os.SameFile(i, o) {
				return fmt.Errorf("output folder %s: writing %s would overwrite the input %s; choose another folder with -o", dir, out, in)
			}
		}
	}
	return nil
}

// policyValue writes a policy parameter's value as a scenario file does.
// colorTerminal reports whether w is a terminal that wants colour: a
// character device, NO_COLOR unset (no-color.org) and TERM not dumb.
func colorTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeVerbose prints, per variant, what its runs did and every metric
// with its interval (the table shows a selection).
func (m *Main) writeVerbose(s *scenarios.Scenario, res *Result) {
	reps := s.File.Replications
	fmt.Fprintf(m.stdout, "\nRuns:\n")
	for v, variant := range s.Variants {
		var events uint64
		cands := 0
		for r := range reps {
			st := res.Stats[r*len(s.Variants)+v]
			events += st.Events
			cands += st.Incidents
		}
		fmt.Fprintf(m.stdout, "  %-22s %s dispatch, %d runs, %d events, %d background candidates\n",
			variant.Name, variant.Mode, reps, events, cands)
	}
	fmt.Fprintf(m.stdout, "\nEvery metric (mean [95%% interval]):\n")
	for i, mt := range res.Summary.Metrics {
		fmt.Fprintf(m.stdout, "  %s — %s\n", mt.Name, mt.Doc)
		for _, v := range res.Summary.Variants {
			e := v.Estimates[i]
			fmt.Fprintf(m.stdout, "    %-22s %.6g [%.6g, %.6g]\n", v.Name, e.Mean, e.Low, e.High)
		}
	}
}
