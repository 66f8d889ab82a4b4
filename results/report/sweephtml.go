package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
)

// Write draws the sweep's charts into Dir/charts (NAME.svg and NAME.png
// each) and writes the HTML report, every file atomically.
func (in *SweepInput) Write(opts SweepOptions) (Files, error) {
	if err := in.CheckOptions(opts); err != nil {
		return Files{}, err
	}
	metric := opts.Metric
	if metric == "" {
		metric = in.DefaultMetric()
	}
	variant := max(0, slices.Index(in.Meta.Variants, opts.Variant))
	return writeAll(in.Dir, opts.HTML, in.sweepFigures(metric, variant), func(w io.Writer, rs []rendered, link string) error {
		return in.writeHTML(w, rs, link, metric)
	})
}

type sweepPage struct {
	Scenario, Design, Metric, MetricLabel, Variants, Notes string
	Points, Replications                                   int
	Params                                                 []string
	VariantNames                                           []string
	Rows                                                   []sweepRow
	Figures                                                []figureHTML
	Charts                                                 string
}

type sweepRow struct {
	Point  int
	Values []string
	Cells  []string
}

func (in *SweepInput) writeHTML(w io.Writer, rs []rendered, charts, metric string) error {
	m := in.Meta
	pg := sweepPage{Scenario: m.Scenario, Design: m.Design, Metric: metric, MetricLabel: metricLabel(metric),
		Variants: strings.Join(m.Variants, ", "), Points: len(m.Points), Replications: m.Replications,
		Params: m.Params, VariantNames: m.Variants, Charts: charts}
	if !in.Gridded() {
		pg.Notes = fmt.Sprintf("The %s design scatters its points, so each parameter's chart shows every point with its interval and there is no heat map.", m.Design)
	} else if len(m.Params) < 2 {
		pg.Notes = "One parameter: no heat map."
	} else if in.dims() < 2 {
		pg.Notes = "The parameters vary together (linked): one dimension, no heat map."
	}
	scale, _ := metricUnit(metric)
	for p, pt := range m.Points {
		r := sweepRow{Point: p}
		for _, par := range m.Params {
			r.Values = append(r.Values, pt.Values[par])
		}
		for v := range m.Variants {
			r.Cells = append(r.Cells, fmtCell(in.est[metric][p][v], scale))
		}
		pg.Rows = append(pg.Rows, r)
	}
	for _, x := range rs {
		pg.Figures = append(pg.Figures, figureHTML{ID: x.fig.Name, Title: x.fig.Title, Caption: x.fig.Caption, SVG: inlineSVG(x.svg), Name: x.fig.Name,
			WidthPx: int(math.Round(x.fig.W.Points() * 4 / 3))})
	}
	return sweepTemplate.Execute(w, pg)
}

// fmtCell formats an estimate as mean ± half-width of the 95% interval,
// in display units.
func fmtCell(e estimate, scale float64) string {
	if math.IsInf(e.mean, 0) {
		return "∞"
	}
	if !e.ok {
		return "–"
	}
	mean, half := e.mean*scale, (e.high-e.low)/2*scale
	digits := 0
	if a := math.Abs(mean); a < 100 {
		digits = 2
		if a >= 10 {
			digits = 1
		}
	}
	return fmt.Sprintf("%.*f ± %.*f", digits, mean, digits, half)
}

var sweepTemplate = template.Must(template.New("sweep").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>patrolsim sweep report: {{.Scenario}}</title>
<style>
` + pageCSS + `nav a { margin-right: 1em; }
</style>
</head>
<body>
<h1>patrolsim sweep report: {{.Scenario}}</h1>
<p class="meta">{{.Design}} design, {{.Points}} points × {{.Replications}} replications; variants {{.Variants}}. Metric: {{.MetricLabel}} (<code>{{.Metric}}</code>).{{if .Notes}} {{.Notes}}{{end}}</p>
<nav>{{range .Figures}}<a href="#{{.ID}}">{{.Title}}</a> {{end}}<a href="#points">Points</a></nav>
{{range .Figures}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
` + figureMarkup + `</section>
{{end}}
<h2 id="points">Points</h2>
<table>
<thead><tr><th>point</th>{{range .Params}}<th class="name">{{.}}</th>{{end}}{{range .VariantNames}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Point}}</td>{{range .Values}}<td class="name">{{.}}</td>{{end}}{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
<p class="meta">{{.MetricLabel}}: mean over replications ± half-width of the 95% confidence interval (Student t), per variant.</p>
</body>
</html>
`))
