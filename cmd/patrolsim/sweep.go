package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/scenarios/sweep"
)

type sweepFlags struct {
	out     string
	workers int
	shard   string
	restart bool
	quiet   bool
}

func (m *Main) sweepCmd() *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep SWEEP.yaml",
		Short: "Run a scenario over a grid or sample of parameter values, crash-safe and resumable",
		Long: "Sweep runs every point of the sweep file (a grid, a random sample or a Latin\n" +
			"hypercube of parameter values) for its replications, on all cores. Every finished\n" +
			"item is recorded durably: after Ctrl-C or a crash, the same command continues where\n" +
			"it stopped. The output folder gets rows.csv, rows.parquet (typed, zstd), points.csv,\n" +
			"sweep.json and areas.geojson (per point and area, lon/lat; docs/sweeps.md,\n" +
			"docs/outputs.md).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return m.sweep(cmd, args[0], f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "out/sweep", "output folder")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "items run in parallel; results are identical for any number")
	fl.StringVar(&f.shard, "shard", "", "run only slice I of N (I/N; I may be 'env': SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)")
	fl.BoolVar(&f.restart, "restart", false, "discard the results of a partial run and start over")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress")
	return cmd
}

func (m *Main) mergeCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge SWEEP.yaml [DIR...]",
		Short: "Combine the slices of a sharded sweep into the files a single run writes",
		Long: "Merge reads the journals of every slice (journal-I-of-N.txt) in the output folder\n" +
			"and in the folders given, checks that they come from this sweep and hold every item\n" +
			"exactly once, and writes rows.csv, rows.parquet, points.csv, sweep.json and\n" +
			"areas.geojson to the output folder: byte for byte what a single run writes.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSweep(args[0])
			if err != nil {
				return err
			}
			dirs := append([]string{out}, args[1:]...)
			var journals []string
			for _, d := range dirs {
				found, _ := filepath.Glob(filepath.Join(d, "journal-*-of-*.txt"))
				journals = append(journals, found...)
			}
			sort.Strings(journals)
			journals = compactStrings(journals)
			if len(journals) == 0 {
				return usageError{fmt.Errorf("no journal-I-of-N.txt in %s", strings.Join(dirs, ", "))}
			}
			if err := sweep.Finalize(cmd.Context(), out, s, journals); err != nil {
				if errors.Is(err, context.Canceled) {
					return fmt.Errorf("interrupted before the merged files were in place: %s is as it was: %w", out, err)
				}
				return sweepError(err)
			}
			if cmd.Context().Err() != nil {
				return fmt.Errorf("interrupted; the merged files were written to %s before it took effect: %w", out, context.Canceled)
			}
			fmt.Fprintf(m.stdout, "merged %d slice(s): %d items; results in %s\n", len(journals), s.Items(), out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "out/sweep", "output folder (and where the slices' journals are)")
	return cmd
}

// sweepError marks what is the user's to fix as such (exit status 2): a
// journal of another sweep or that is not a journal, missing items, a
// journal another sweep is writing, an output folder that cannot be
// replaced.
func sweepError(err error) error {
	var je *sweep.JournalError
	var be *sweep.BusyError
	var fe *outputs.Error
	if errors.Is(err, sweep.ErrChanged) || errors.Is(err, sweep.ErrIncomplete) || errors.As(err, &je) || errors.As(err, &be) || errors.As(err, &fe) {
		return usageError{err}
	}
	return err
}

func compactStrings(xs []string) []string {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func loadSweep(path string) (*sweep.Sweep, error) {
	s, err := sweep.Load(path)
	if err != nil {
		return nil, usageError{err}
	}
	return s, nil
}

// parseShard reads I/N; I may be "env".
func parseShard(spec string) (int, int, error) {
	if spec == "" {
		return 0, 1, nil
	}
	is, ns, ok := strings.Cut(spec, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return 0, 0, fmt.Errorf("--shard must be I/N with N >= 1 (got %q)", spec)
	}
	if is == "env" {
		for _, v := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"} {
			if e := os.Getenv(v); e != "" {
				is = e
				break
			}
		}
		if is == "env" {
			return 0, 0, errors.New("--shard env/N: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %s: the slice must be from 0 to %d (got %q)", spec, n-1, is)
	}
	return i, n, nil
}

func (m *Main) sweep(cmd *cobra.Command, path string, f sweepFlags) error {
	shard, shards, err := parseShard(f.shard)
	if err != nil {
		return usageError{err}
	}
	if f.workers < 1 {
		return usageError{fmt.Errorf("--workers must be >= 1 (got %d)", f.workers)}
	}
	s, err := loadSweep(path)
	if err != nil {
		return err
	}
	defer tuneSweepGC()()
	p := newProgress(m.stderr, f.quiet)
	start := time.Now()
	err = s.Run(cmd.Context(), sweep.Options{Out: f.out, Workers: f.workers, Shard: shard, Shards: shards,
		Restart: f.restart, Progress: p.update})
	p.finish()
	if err == nil && cmd.Context().Err() != nil {
		// Stopped as the final files were swapped in: they are complete,
		// but the sweep was asked to stop (exit status 130, not 0).
		err = cmd.Context().Err()
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(m.stderr, "patrolsim: interrupted; the finished items are kept: run the same command to continue")
	}
	if err != nil {
		return sweepError(err)
	}
	if !f.quiet {
		what := "results in " + f.out
		if shards > 1 {
			what = fmt.Sprintf("slice %d of %d done in %s; run patrolsim merge when every slice is", shard, shards, f.out)
		}
		fmt.Fprintf(m.stdout, "%d points × %d replications (%d items) in %.1fs; %s\n",
			len(s.Points), s.Replications, s.Items(), time.Since(start).Seconds(), what)
	}
	return nil
}

// progress shows done/total, rate and ETA: a redrawn bar on a terminal,
// a plain line every 10 s otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	start time.Time
	last  time.Time
	first int
	done  int
	total int
	drawn bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet, start: time.Now(), first: -1}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(done, total int) {
	if p.quiet {
		return
	}
	if p.first < 0 {
		p.first = done
	}
	p.done, p.total = done, total
	now := time.Now()
	every := 10 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	if done < total && now.Sub(p.last) < every {
		return
	}
	p.last = now
	rate := float64(done-p.first) / max(now.Sub(p.start).Seconds(), 1e-9)
	eta := "–"
	if rate > 0 {
		eta = (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String()
	}
	line := fmt.Sprintf("%d/%d items, %.1f items/s, ETA %s", done, total, rate, eta)
	if p.tty {
		width := 30
		fill := 0
		if total > 0 {
			fill = done * width / total
		}
		fmt.Fprintf(p.w, "\r[%s%s] %s  ", strings.Repeat("#", fill), strings.Repeat(".", width-fill), line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
