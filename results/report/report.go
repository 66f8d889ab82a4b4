package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/patrolsim/patrolsim/results"
)

// Options choose what a report shows and where it goes.
type Options struct {
	// HTML is the report's path; empty means report.html in the input
	// folder.
	HTML string
	// Compare names the variant shown beside the best-ranked one by hour of
	// day; empty means the first variant listed (the reference), or the
	// second-ranked when the reference is best.
	Compare string
}

// Files lists what Write wrote.
type Files struct {
	HTML   string
	Charts []string // SVG and PNG files, in the report's order
}

// ChartsDir is the folder, inside the input folder, that holds the charts.
const ChartsDir = "charts"

// figures returns the report's charts in order; charts without data (no
// objective, no utilisation metrics) are left out.
func (in *Input) figures(opts Options) []*figure {
	var out []*figure
	add := func(fs ...*figure) {
		for _, f := range fs {
			if f != nil {
				out = append(out, f)
			}
		}
	}
	add(rankingFigure(in), paretoFigure(in), cdfFigure(in), hoursFigure(in, hourVariants(in, opts.Compare)), utilFigure(in))
	add(mapFigures(in)...)
	return out
}

// rendered is a figure drawn as SVG and, unless left out, PNG.
type rendered struct {
	fig      *figure
	svg, png []byte
}

// render draws every figure, in parallel (each on its own canvas; the
// output does not depend on the order), as SVG and, with png, PNG.
func render(figs []*figure, png bool) ([]rendered, error) {
	out := make([]rendered, len(figs))
	errs := make([]error, len(figs))
	var wg sync.WaitGroup
	for i, f := range figs {
		wg.Go(func() {
			out[i].fig = f
			if out[i].svg, errs[i] = f.svg(); errs[i] != nil || !png {
				return
			}
			out[i].png, errs[i] = f.png()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckOptions returns an error, the user's, when opts name a variant the
// run does not have.
func (in *Input) CheckOptions(opts Options) error {
	if opts.Compare != "" && in.Variant(opts.Compare) < 0 {
		names := ""
		for i, v := range in.Results.Variants {
			if i > 0 {
				names += ", "
			}
			names += v.Name
		}
		return fmt.Errorf("--compare %q: no such variant (the run has %s)", opts.Compare, names)
	}
	return nil
}

// Write draws the charts into Dir/charts (NAME.svg and NAME.png each) and
// writes the HTML report, every file atomically.
func (in *Input) Write(opts Options) (Files, error) {
	if err := in.CheckOptions(opts); err != nil {
		return Files{}, err
	}
	return writeAll(in.Dir, opts.HTML, in.figures(opts), in.writeHTML)
}

// writeAll renders figs into dir/charts (NAME.svg and NAME.png each) and
// writes the HTML page made by page (default path dir/report.html), every
// file atomically. page gets the rendered charts and the link from the
// page to the charts folder.
func writeAll(dir, htmlPath string, figs []*figure, page func(w io.Writer, rs []rendered, link string) error) (Files, error) {
	if htmlPath == "" {
		htmlPath = filepath.Join(dir, "report.html")
	}
	rs, err := render(figs, true)
	if err != nil {
		return Files{}, err
	}
	charts := filepath.Join(dir, ChartsDir)
	if err := os.MkdirAll(charts, 0o755); err != nil {
		return Files{}, err
	}
	files := Files{HTML: htmlPath}
	for _, r := range rs {
		for _, x := range []struct {
			ext  string
			data []byte
		}{{".svg", r.svg}, {".png", r.png}} {
			path := filepath.Join(charts, r.fig.Name+x.ext)
			if err := writeBytes(path, x.data); err != nil {
				return files, err
			}
			files.Charts = append(files.Charts, path)
		}
	}
	var buf bytes.Buffer
	if err := page(&buf, rs, chartsLink(htmlPath, charts)); err != nil {
		return files, err
	}
	if dir := filepath.Dir(htmlPath); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return files, err
		}
	}
	return files, writeBytes(htmlPath, buf.Bytes())
}

func writeBytes(path string, data []byte) error {
	return results.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// chartsLink returns the charts folder relative to the HTML file, with
// forward slashes, or "" when there is no relative path.
func chartsLink(htmlPath, charts string) string {
	a, err1 := filepath.Abs(filepath.Dir(htmlPath))
	b, err2 := filepath.Abs(charts)
	if err1 != nil || err2 != nil {
		return ""
	}
	rel, err := filepath.Rel(a, b)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(rel)
}
