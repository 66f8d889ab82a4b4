package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	restart bool
	shard   string
}

// optimizeCmd is `patrolsim optimize`: a screen over unit counts per
// district, post sites, squad sizes or shift starts, then a selection among the best by
// simulation.
func (m *Main) optimizeCmd() *cobra.Command {
	var f optimizeFlags
	cmd := &cobra.Command{
		Use:   "optimize OPT.yaml",
		Short: "Search a deployment (unit counts per district, post sites, squad size, shift starts and lengths): a fast screen, then selection by simulation, with constraints and a Pareto front",
		Long: "Optimize reads an optimisation file (docs/optimize.md) naming a scenario and one\n" +
			"decision: unit-counts (how many units of one type stand in each district, within\n" +
			"officer-hours a day or units), post-sites (where k units homed at posts stand, among\n" +
			"candidate sites: the communities or a GeoJSON of points), squad-size (which squad\n" +
			"size at equal officer-hours) or shifts (which start each unit's shift has, or which\n" +
			"start and length within officer-hours a day, with a floor of units on duty every\n" +
			"hour). Stage 1 screens candidates (Larson's hypercube;\n" +
			"for sites an expected-travel or MEXCLP coverage score; for shifts an hour-by-hour\n" +
			"queue) with a greedy search then exchanges, and keeps the best few; stage 2\n" +
			"simulates them on common random numbers and selects with Kim & Nelson's procedure:\n" +
			"when it decides, the chosen deployment is the best or within delta of it with\n" +
			"probability at least 1 - alpha. An objective block\n" +
			"(objective: {minimise: officer_hours, subject_to: [\"response_p90_s_p1 <= 5m\"]})\n" +
			"adds constraints, decided by a sequential feasibility test: the cheapest total shown\n" +
			"to meet them, or the best among those shown to. The output folder gets chosen.yaml\n" +
			"(a ready scenario), candidates.yaml, candidates.csv (screen vs simulation),\n" +
			"screen.csv, pareto.csv and optimize.svg (two objectives, the front), optimize.json\n" +
			"and results.json; results are identical for any --workers. Finished replications\n" +
			"go to journal.txt in the output folder: a rerun after an interruption resumes.\n" +
			"--shard I/N runs slice I of the selection's replication budget (select.max) into\n" +
			"journal-I-of-N.txt on one machine of many (Slurm job arrays, Kubernetes indexed\n" +
			"jobs: I may be 'env'); the same command without --shard then decides from them.\n" +
			"patrolsim report OUT_DIR then gives a page with the chart and the candidates.",
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
			if err := optimize.Folder(f.out).Check(); err != nil {
				return err
			}
			if err := os.MkdirAll(f.out, 0o755); err != nil {
				return err
			}
			opts := optimize.Options{Workers: f.workers, Journal: filepath.Join(f.out, optimize.JournalFile), Restart: f.restart}
			shard, shards, err := parseShard(f.shard)
			if err != nil {
				return usageError{err}
			}
			if shards > 1 {
				var progress func(done, total int)
				if !f.quiet {
					progress = func(done, total int) {
						fmt.Fprintf(m.stderr, "\rslice %d of %d: replication %d of %d   ", shard, shards, done, total)
					}
				}
				sl, err := pr.RunSlice(cmd.Context(), opts, f.out, shard, shards, progress)
				if !f.quiet {
					fmt.Fprintln(m.stderr)
				}
				if err != nil {
					if errors.Is(err, optimize.ErrJournalChanged) {
						return usageError{err}
					}
					return err
				}
				_, err = fmt.Fprintf(m.stdout, "slice %d of %d: %d replications of every candidate in %s (%d were there) in %.1f s; when every slice is done, run patrolsim optimize %s -o %s to decide\n",
					shard, shards, sl.Replications, sl.Journal, sl.Resumed, sl.Seconds, path, f.out)
				return err
			}
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
				if errors.Is(err, optimize.ErrJournalChanged) {
					return usageError{err}
				}
				if errors.Is(err, cmd.Context().Err()) {
					return fmt.Errorf("interrupted: the finished replications are in %s; run the same command again to resume: %w", opts.Journal, err)
				}
				return err
			}
			if out.Resumed > 0 && !f.quiet {
				fmt.Fprintf(m.stderr, "resumed: %d replications read from the journals in %s\n", out.Resumed, f.out)
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
			_, err = fmt.Fprintf(m.stdout, "\nwrote %s/%s (the chosen deployment: patrolsim run %s/%s), candidates.csv, pareto.csv, optimize.svg, optimize.json\n", f.out, optimize.ChosenFile, f.out, optimize.ChosenFile)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "out/optimize", "output folder")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "replications run in parallel; results are identical for any number")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress")
	fl.BoolVar(&f.restart, "restart", false, "discard the journal of an earlier run and start over")
	fl.StringVar(&f.shard, "shard", "", "run only slice I of N of the selection's replications (I/N; I may be 'env': SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX), deciding nothing")
	return cmd
}
