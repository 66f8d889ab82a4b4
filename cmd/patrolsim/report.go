package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/results/report"
)

type reportFlags struct {
	html    string
	compare string
	metric  string
	variant string
	quiet   bool
}

// reportCmd is `patrolsim report OUT_DIR`: charts and an HTML report from
// a run's output folder.
func (m *Main) reportCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report OUT_DIR",
		Short: "Draw charts, maps and a self-contained HTML report from a run's, a sweep's or an optimisation's output folder",
		Long: "Report reads OUT_DIR/results.json, details.json and scenario.yaml (written by run)\n" +
			"and writes OUT_DIR/charts/NAME.svg and NAME.png for every chart, and one HTML file\n" +
			"(default OUT_DIR/report.html) that holds them all and opens offline in a browser.\n" +
			"A sweep's folder (sweep.json and points.csv, no results.json) gives a sweep report:\n" +
			"a metric against each swept parameter, a heat map and a table of the points.\n" +
			"An optimisation's folder (optimize.json) gives a page with its chart (optimize.svg)\n" +
			"and its candidates.\n" +
			"See docs/report.md.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.report(args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.html, "out", "o", "", "the HTML file (default OUT_DIR/report.html)")
	fl.StringVar(&f.compare, "compare", "", "variant shown beside the best-ranked one by hour of day (default: the first listed)")
	fl.StringVar(&f.metric, "metric", "", "sweeps: the metric drawn (default response_p90_s_p1, else response_mean_s)")
	fl.StringVar(&f.variant, "variant", "", "sweeps: the variant of the heat map (default: the first)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

func (m *Main) report(dir string, f reportFlags) error {
	if report.IsOptimizeDir(dir) {
		return m.optimizeReport(dir, f)
	}
	if report.IsSweepDir(dir) {
		return m.sweepReport(dir, f)
	}
	if f.metric != "" || f.variant != "" {
		return usageError{fmt.Errorf("--metric and --variant apply to a sweep's folder; %s is not one (no sweep.json and points.csv)", dir)}
	}
	in, err := report.Load(dir)
	if err != nil {
		return usageError{err} // not a run's folder, or files from different runs
	}
	opts := report.Options{HTML: f.html, Compare: f.compare}
	if err := in.CheckOptions(opts); err != nil {
		return usageError{err}
	}
	files, err := in.Write(opts)
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(m.stdout, "report in %s; %d charts (SVG and PNG) in %s\n",
			files.HTML, len(files.Charts)/2, filepath.Join(dir, report.ChartsDir))
	}
	return nil
}

func (m *Main) sweepReport(dir string, f reportFlags) error {
	if f.compare != "" {
		return usageError{fmt.Errorf("--compare applies to a run's folder; %s is a sweep's", dir)}
	}
	in, err := report.LoadSweep(dir)
	if err != nil {
		return usageError{err}
	}
	opts := report.SweepOptions{HTML: f.html, Metric: f.metric, Variant: f.variant}
	if err := in.CheckOptions(opts); err != nil {
		return usageError{err}
	}
	files, err := in.Write(opts)
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(m.stdout, "sweep report in %s; %d charts (SVG and PNG) in %s\n",
			files.HTML, len(files.Charts)/2, filepath.Join(dir, report.ChartsDir))
	}
	return nil
}

// optimizeReport is the report of an optimisation's folder (optimize.json,
// candidates.csv, optimize.svg): one HTML page with its chart and table.
func (m *Main) optimizeReport(dir string, f reportFlags) error {
	if f.compare != "" || f.metric != "" || f.variant != "" {
		return usageError{fmt.Errorf("--compare, --metric and --variant apply to a run's or a sweep's folder; %s is an optimisation's", dir)}
	}
	in, err := report.LoadOptimize(dir)
	if err != nil {
		return usageError{err}
	}
	path, err := in.Write(f.html)
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(m.stdout, "optimisation report in %s (its chart: %s)\n", path, filepath.Join(dir, "optimize.svg"))
	}
	return nil
}
