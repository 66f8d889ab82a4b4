package main

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/optimize"
)

type optimizeFlags struct {
	out     string
	workers int
	quiet   bool
}

// optimizeCmd is `patrolsim optimize`: a screen over unit counts per
// district, post sites, squad sizes or shift starts, then a selection among the best by
// simulation.
func (m *Main) optimizeCmd() *cobra.Command {
	var f optimizeFlags
	cmd := &cobra.Command{
		Use:   "optimize OPT.yaml",
		Short: "Search a deployment (unit counts per district, post sites, squad size, shift starts): a fast screen, then selection by simulation",
		Long: "Optimize reads an optimisation file (docs/optimize.md) naming a scenario and one\n" +
			"decision: unit-counts (how many units of one type stand in each district, within\n" +
			"officer-hours a day or units), post-sites (where k units homed at posts stand, among\n" +
			"candidate sites: the communities or a GeoJSON of points), squad-size (which squad\n" +
			"size at equal officer-hours) or shifts (which start each unit's shift has, with a\n" +
			"floor of units on duty every hour). Stage 1 screens candidates (Larson's hypercube;\n" +
			"for sites an expected-travel or MEXCLP coverage score; for shifts an hour-by-hour\n" +
			"queue) with a greedy search then\n" +
			"exchanges, and keeps the best few; stage 2 simulates them on common random numbers\n" +
			"and selects with Kim & Nelson's procedure: when it decides, the chosen deployment is\n" +
			"the best or within delta of it with probability at least 1 - alpha. The output folder\n" +
			"gets chosen.yaml (a ready scenario), candidates.yaml, candidates.csv (screen vs\n" +
			"simulation), screen.csv, optimize.json and results.json; results are identical for\n" +
			"any --workers.\n" +
			"Not in this version: a journal to resume an interrupted run (it starts over), and\n" +
			"Slurm or Kubernetes shards.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.workers < 1 {
				return usageError{fmt.Errorf("--workers must be >= 1 (got %d)", f.workers)}
			}
			path := args[0]
			data, err := inputs.ReadFile(path, scenarios.MaxFileBytes)
			if err != nil {
				return usageError{fmt.Errorf("cannot read optimisation %s: %w", path, err)}
			}
			spec, err := optimize.Parse(path, data)
			if err != nil {
				return usageError{err}
			}
			s, err := loadScenario(optimize.ScenarioPath(path, spec))
			if err != nil {
				return err
			}
			pr, err := optimize.Prepare(spec, s)
			if err != nil {
				return usageError{err}
			}
			opts := optimize.Options{Workers: f.workers}
			if !f.quiet {
				opts.Step = func(r int, alive []string) {
					fmt.Fprintf(m.stderr, "\rselect: replication %d, %d in contention   ", r, len(alive))
				}
			}
			out, err := pr.Run(cmd.Context(), opts)
			if !f.quiet {
				fmt.Fprintln(m.stderr)
			}
			if err != nil {
				return err
			}
			if err := out.Write(cmd.Context(), f.out); err != nil {
				if errors.Is(err, cmd.Context().Err()) {
					return fmt.Errorf("interrupted before the files were in place: %s is as it was: %w", f.out, err)
				}
				return err
			}
			if err := out.WriteTable(m.stdout); err != nil {
				return err
			}
			_, err = fmt.Fprintf(m.stdout, "\nwrote %s/%s (the chosen deployment: patrolsim run %s/%s), candidates.csv, optimize.json\n", f.out, optimize.ChosenFile, f.out, optimize.ChosenFile)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "out/optimize", "output folder")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel; results are identical for any number")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress")
	return cmd
}
