package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

// page is what the HTML template shows.
type page struct {
	Scenario     string
	Seed         uint64
	Replications int
	Objective    string
	Verdict      string // what the evidence supports, in words (results.json)
	ScoreUnit    string
	Metrics      []string // objective metrics' labels, table columns
	Rows         []row
	Figures      []figureHTML
	Charts       string // link to the charts folder, "" for none
}

type row struct {
	Group  string
	Name   string
	Score  string
	Pareto bool
	Cells  []string
}

type figureHTML struct {
	ID, Title, Caption string
	SVG                template.HTML
	Name               string
	WidthPx            int // natural width: never shown larger
}

// inlineSVG strips the XML prelude of an SVG document so it can sit inside
// HTML.
func inlineSVG(b []byte) template.HTML {
	if i := bytes.Index(b, []byte("<svg")); i >= 0 {
		b = b[i:]
	}
	s := string(b)
	// An accessible name for the figure.
	return template.HTML(strings.Replace(s, "<svg ", `<svg role="img" `, 1))
}

func (in *Input) writeHTML(w io.Writer, rs []rendered, charts string) error {
	r := in.Results
	pg := page{Scenario: r.Scenario, Seed: r.Seed, Replications: r.Replications, Charts: charts}
	var terms []string
	for _, g := range r.Objective {
		terms = append(terms, fmt.Sprintf("%g × %s (%s is better)", g.Weight, metricTitle(g.Metric), g.Better))
	}
	pg.Objective = strings.Join(terms, " + ")
	pg.Verdict, pg.ScoreUnit = r.Verdict, r.ScoreUnit
	ms := objectiveMetrics(in)
	for _, m := range ms {
		pg.Metrics = append(pg.Metrics, metricLabel(m))
	}
	for _, v := range in.ByRank() {
		vj := r.Variants[v]
		rw := row{Group: groupLabel(vj), Name: vj.Name, Pareto: vj.Pareto, Score: "–"}
		if vj.Score != nil {
			rw.Score = fmt.Sprintf("%.4g", *vj.Score)
			if vj.ScoreLow != nil && vj.ScoreHigh != nil {
				rw.Score += fmt.Sprintf(" ± %.3g", (*vj.ScoreHigh-*vj.ScoreLow)/2)
			}
		}
		for _, m := range ms {
			rw.Cells = append(rw.Cells, in.cell(v, m))
		}
		pg.Rows = append(pg.Rows, rw)
	}
	for _, x := range rs {
		pg.Figures = append(pg.Figures, figureHTML{ID: x.fig.Name, Title: x.fig.Title, Caption: x.fig.Caption, SVG: inlineSVG(x.svg), Name: x.fig.Name,
			WidthPx: int(math.Round(x.fig.W.Points() * 4 / 3))})
	}
	return pageTemplate.Execute(w, pg)
}

// cell formats a metric as mean ± half-width of the 95% interval.
func (in *Input) cell(v int, m string) string {
	mean, lo, hi, ok := in.estimate(v, m)
	if !ok {
		return "–"
	}
	scale, _ := metricUnit(m)
	mean, half := mean*scale, (hi-lo)/2*scale
	digits := 0
	if a := math.Abs(mean); a < 100 {
		digits = 2
		if a >= 10 {
			digits = 1
		}
	}
	if math.IsInf(mean, 0) {
		return "∞"
	}
	return fmt.Sprintf("%.*f ± %.*f", digits, mean, digits, half)
}

// pageCSS is the style sheet the report and the sweep report share.
const pageCSS = `body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; margin: 0 auto; max-width: 1240px; padding: 16px 20px 40px; color: #222; background: #fff; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.2em; margin: 1.4em 0 0.3em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.meta { color: #555; margin: 0.2em 0 1em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; }
td.name, th.name { text-align: left; }
figure { margin: 0 0 1em; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: #444; font-size: 0.9em; margin-top: 0.3em; }
`

// figureMarkup is one chart in a page: inline SVG, caption and links to its
// files ($.Charts: the charts folder, empty when the page stands alone).
const figureMarkup = `<figure style="max-width: {{.WidthPx}}px">
{{.SVG}}
<figcaption>{{.Caption}}{{if $.Charts}} Files: <a href="{{$.Charts}}/{{.Name}}.svg">SVG</a>, <a href="{{$.Charts}}/{{.Name}}.png">PNG</a>.{{end}}</figcaption>
</figure>
`

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>patrolsim report: {{.Scenario}}</title>
<style>
` + pageCSS + `.maps { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
nav a { margin-right: 1em; }
</style>
</head>
<body>
<h1>patrolsim report: {{.Scenario}}</h1>
<p class="meta">{{.Replications}} replications per variant, seed {{.Seed}}.{{if .Objective}} Score = {{.Objective}} (lower is better; it depends on no other variant).{{end}}{{if .Verdict}} {{.Verdict}}{{end}}</p>
<nav>{{range .Figures}}<a href="#{{.ID}}">{{.Title}}</a> {{end}}</nav>
<h2 id="summary">Variants</h2>
<table>
<thead><tr><th>group</th><th class="name">variant</th><th>score{{if .ScoreUnit}} ({{.ScoreUnit}}){{end}}</th><th>Pareto (possibly)</th>{{range .Metrics}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Group}}</td><td class="name">{{.Name}}</td><td>{{.Score}}</td><td>{{if .Pareto}}●{{end}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
<p class="meta">Mean over replications ± half-width of the 95% confidence interval (Student t).</p>
{{range .Figures}}{{if not (eq .ID "map-realised" "map-visibility" "map-response")}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
` + figureMarkup + `</section>
{{end}}{{end}}
<h2 id="maps">Maps of the city</h2>
<div class="maps">
{{range .Figures}}{{if eq .ID "map-realised" "map-visibility" "map-response"}}<section id="{{.ID}}">
` + figureMarkup + `</section>
{{end}}{{end}}</div>
</body>
</html>
`))
