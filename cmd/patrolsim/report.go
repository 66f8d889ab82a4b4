package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/report"
)

type reportFlags struct {
	html    string
	compare string
	quiet   bool
}

// reportCmd is `patrolsim report OUT_DIR`: charts and an HTML report from
// a run's output folder.
func (m *Main) reportCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report OUT_DIR",
		Short: "Draw charts, maps and a self-contained HTML report from a run's output folder",
		Long: "Report reads OUT_DIR/results.json, details.json and scenario.yaml (written by run)\n" +
			"and writes OUT_DIR/charts/NAME.svg and NAME.png for every chart, and one HTML file\n" +
			"(default OUT_DIR/report.html) that holds them all and opens offline in a browser.\n" +
			"See docs/report.md.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.report(args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.html, "out", "o", "", "the HTML file (default OUT_DIR/report.html)")
	fl.StringVar(&f.compare, "compare", "", "variant shown beside the best-ranked one by hour of day (default: the first listed)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

func (m *Main) report(dir string, f reportFlags) error {
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
