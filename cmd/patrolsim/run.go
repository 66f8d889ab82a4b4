package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/results/report"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
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
	decide       bool    // --until-decided
	delta        float64 // --delta
	maxReps      int     // --max-replications
	duration     string  // --duration: the simulated time, replacing the scenario's
}

func (m *Main) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [SCENARIO.yaml]",
		Short: "Run a scenario (default: the built-in city) and print the ranked results",
		Long: "Run plays every variant of the scenario over its replications and prints a\n" +
			"table of metrics with 95% confidence intervals, variants ranked best first.\n" +
			"It writes results.json, details.json, replications.csv, areas.geojson (each area's\n" +
			"polygon in lon/lat with its results per variant, for QGIS) and the resolved scenario\n" +
			"(scenario.yaml, with the built-in city's GeoJSON files; with --trace, trace.csv, with\n" +
			"x_m, y_m and lon, lat; with --report, report.html and charts/) to the output folder,\n" +
			"default out/NAME (NAME: the scenario's name), as one set that replaces the folder's\n" +
			"previous run (docs/outputs.md). Without an argument it runs the built-in city\n" +
			"(" + scenarios.DefaultName + "); builtin:NAME names another built-in scenario.",
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
	fl.StringVarP(&f.out, "out", "o", "", "output folder (default out/NAME, NAME the scenario's name)")
	fl.BoolVar(&f.json, "json", false, "print the JSON result document instead of the table")
	fl.Uint64Var(&f.seed, "seed", 0, "master random seed (default: the scenario's)")
	fl.IntVar(&f.replications, "replications", 0, "replications per variant (default: the scenario's)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel")
	fl.BoolVar(&f.trace, "trace", false, "also write trace.csv: one row per incident per run")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print no table nor progress, only errors (and the JSON with --json)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "also print every metric's mean and interval, and what each variant's runs did")
	fl.BoolVar(&f.report, "report", false, "also write report.html and charts/ (see patrolsim report)")
	fl.BoolVar(&f.decide, "until-decided", false, "add replications until the best variant is decided (Kim & Nelson's KN; see --delta) or --max-replications run")
	fl.Float64Var(&f.delta, "delta", run.DefaultDelta, "with --until-decided: the indifference zone, in the score's unit (s for the default objective)")
	fl.IntVar(&f.maxReps, "max-replications", run.DefaultMaxReplications, "with --until-decided: the budget of replications")
	fl.StringVar(&f.duration, "duration", "", "simulated time of each run, e.g. 365d (default: the scenario's)")
	return cmd
}

func (m *Main) run(cmd *cobra.Command, path string, f runFlags, seedSet bool) error {
	s, err := loadScenario(path)
	if err != nil {
		return err
	}
	if err := applyRunFlags(s, f.seed, seedSet, f.replications, f.workers); err != nil {
		return err
	}
	if f.duration != "" {
		if s, err = withDuration(path, s, f.duration); err != nil {
			return err
		}
	}
	if f.out == "" {
		f.out = defaultOut(s)
	}
	// Refused before the run, and again by Write.
	if err := refuseSourceFolder(f.out); err != nil {
		return usageError{err}
	}
	if err := run.CheckOutput(f.out, s); err != nil {
		return usageError{err}
	}
	// What the set replaces, said at the end.
	replaced, err := run.Folder(f.out).Dropped(nil)
	if err != nil {
		return usageError{err}
	}
	start := time.Now()
	ctx := cmd.Context()
	var res *run.Result
	var dec *run.Decision
	if f.decide {
		if !(f.delta > 0) || f.maxReps < run.DefaultFirst {
			return usageError{fmt.Errorf("--until-decided needs --delta > 0 and --max-replications of at least %d (got %g, %d)", run.DefaultFirst, f.delta, f.maxReps)}
		}
		step := func(r int, alive []string) {
			if !f.quiet {
				fmt.Fprintf(m.stderr, "replication %d: %d in contention: %s\n", r, len(alive), strings.Join(alive, ", "))
			}
		}
		res, dec, err = run.ExecuteUntilDecided(ctx, s, run.Options{Workers: f.workers, Trace: f.trace},
			run.Decide{Delta: f.delta, Max: f.maxReps, Step: step})
	} else {
		opts := run.Options{Workers: f.workers, Trace: f.trace}
		if f.trace {
			// Trace rows go to disk as incidents complete, in a scratch
			// folder beside the output folder (removed at the end, or by
			// the next write after a crash), never into the set itself
			// until it is written whole.
			spool, remove, err := outputs.Spool(f.out)
			if err != nil {
				return outputError(err)
			}
			defer remove()
			opts.TraceSpool = spool
		}
		res, err = run.Execute(ctx, s, opts)
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	var also func(stage string) error
	if f.report {
		// The report is drawn in the staging folder: it is part of the set.
		also = func(stage string) error {
			in, err := report.Load(stage)
			if err != nil {
				return err
			}
			_, err = in.Write(report.Options{})
			return err
		}
	}
	if err := run.WriteWith(ctx, f.out, s, res, also); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted before the results were in place: %s is as it was: %w", f.out, err)
		}
		return outputError(err)
	}
	if ctx.Err() != nil {
		// Interrupted while the set was swapped in: it is complete, but
		// the run was asked to stop (exit status 130, not 0).
		return fmt.Errorf("interrupted; the results were written to %s before it took effect: %w", f.out, context.Canceled)
	}
	if f.json {
		// -q silences the progress, never the document asked for.
		return res.Summary.WriteJSON(m.stdout)
	}
	if f.quiet {
		return nil
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
	if dec != nil {
		if dec.Decided {
			fmt.Fprintf(m.stdout, "\nDecided after %d replications: %s is the best, or within %g %s of it, with probability ≥ %g%% (Kim & Nelson's KN, %d first-stage replications; a fixed number of replications would need %d for the same guarantee).\n",
				dec.Replications, dec.Best, dec.Delta, res.Summary.ScoreUnit(), 100*(1-dec.Alpha), dec.First, dec.Fixed)
		} else {
			fmt.Fprintf(m.stdout, "\nNot decided within the budget of %d replications: still in contention: %s.\n", dec.Max, strings.Join(dec.Alive, ", "))
		}
		if len(dec.Dropped) > 0 {
			fmt.Fprintf(m.stdout, "Not in the procedure: %s.\n", strings.Join(dec.Dropped, ", "))
		}
	}
	if f.verbose {
		m.writeVerbose(s, res)
	}
	fmt.Fprintf(m.stdout, "\n%d runs, %d events in %.1fs; results in %s%s\n", len(res.Stats), res.Events(), elapsed.Seconds(), f.out, replacedNote(replaced))
	return nil
}

// defaultOut is the output folder of a run without -o: out/NAME, the
// scenario's name when it is a plain file name, so that runs of different
// scenarios do not replace each other's results.
func defaultOut(s *scenarios.Scenario) string {
	name := s.File.Name
	if !simpleName.MatchString(name) {
		name = "run"
	}
	return filepath.Join("out", name)
}

var simpleName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// refuseSourceFolder refuses an output folder that holds Go source or a
// go.mod (-o results/ in the checkout is the Go package of that name): the
// results would sit among the package's files.
func refuseSourceFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // missing: it is made; unreadable: CheckOutput says so
	}
	for _, e := range entries {
		if n := e.Name(); n == "go.mod" || strings.HasSuffix(n, ".go") {
			return fmt.Errorf("output folder %s holds Go source (%s): it is a package of a Go module, not a folder for results; give run a folder of its own, e.g. -o out/NAME", dir, n)
		}
	}
	return nil
}

// replacedNote says which files of an earlier run the new set replaced
// (the manifest is not a result file).
func replacedNote(paths []string) string {
	var names []string
	for _, p := range paths {
		if n := filepath.Base(p); n != outputs.ManifestFile {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf(" (replacing the earlier run's %s)", strings.Join(names, ", "))
}

// outputError marks the refusal of an output (a folder that cannot be
// replaced, an output that would replace an input) as the user's: exit
// status 2.
func outputError(err error) error {
	var oe *run.OverwriteError
	var fe *outputs.Error
	if errors.As(err, &oe) || errors.As(err, &fe) {
		return usageError{err}
	}
	return err
}

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
func (m *Main) writeVerbose(s *scenarios.Scenario, res *run.Result) {
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

// withDuration returns s with its duration replaced by d (as written in a
// scenario: 365d, 12h), validated again as a whole: the resolved scenario
// saved beside the results, and its hash, carry the new duration.
func withDuration(path string, s *scenarios.Scenario, d string) (*scenarios.Scenario, error) {
	sec, err := scenarios.ParseDuration(d)
	if err != nil {
		return nil, usageError{fmt.Errorf("--duration: %w (got %q)", err, d)}
	}
	f := s.File
	f.Duration = scenarios.D(sec)
	doc, err := yaml.Marshal(f)
	if err != nil {
		return nil, err
	}
	var again *scenarios.Scenario
	if name, ok := strings.CutPrefix(path, "builtin:"); ok || path == "" {
		if !ok {
			name = scenarios.DefaultName
		}
		_, fsys, ferr := scenarios.BuiltinFile(name)
		if ferr != nil {
			return nil, ferr
		}
		again, err = scenarios.Load(s.Path, doc, fsys)
	} else {
		again, err = scenarios.LoadAt(s.Path, doc)
	}
	if err != nil {
		return nil, usageError{fmt.Errorf("--duration %s: %w", d, err)}
	}
	return again, nil
}
