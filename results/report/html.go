package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/results"
)

// page is what the HTML template shows.
type page struct {
	Scenario     string
	Seed         uint64
	Replications int
	Incidents    string // where the incidents came from, when replayed from a log ("replayed from …")
	Objective    string
	Warnings     []string // what the ranking could not do (results.json)
	Verdict      []string // what the evidence supports, in words, a line each (results.json)
	Confidence   string   // of the best set: "95%"
	Grouped      bool     // false for a results.json written before groups: ranks are places
	ScoreUnit    string
	Metrics      []string // objective metrics' labels, table columns
	Rows         []row
	Notes        []string // "variant: note"
	Figures      []figureHTML
	Charts       string // link to the charts folder, "" for none
}

// row is a variant in the table, as the terminal table shows it.
type row struct {
	Group      string // "1=", "benchmark", "undefined" or "–"
	Name       string
	Colour     template.CSS // the variant's colour in every chart, "background: #rrggbb"
	Definition string       // policy per unit type, dispatch, overrides
	Full       string       // the same with the policies' parameters
	Benchmark  bool
	Score      string // "-987 ± 47.9"
	Behind     string // "up to 63.3", or "–"
	Pareto     bool
	Cells      []string
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
	pg := page{Scenario: r.Scenario, Seed: r.Seed, Replications: r.Replications, Charts: charts,
		Objective: objectiveText(r.Objective), Warnings: r.Warnings, ScoreUnit: r.ScoreUnit,
		Confidence: fmt.Sprintf("%g%%", 100*(1-r.Alpha))}
	if r.Incidents != nil {
		pg.Incidents = r.Incidents.Description
	}
	if r.Verdict != "" {
		pg.Verdict = strings.Split(r.Verdict, "\n")
	}
	ms := objectiveMetrics(in)
	for _, m := range ms {
		pg.Metrics = append(pg.Metrics, metricLabel(m))
	}
	// A results.json written before the best set has no positions: its
	// ranks are places, shown as such.
	pg.Grouped = slices.ContainsFunc(r.Variants, func(v results.VariantJSON) bool { return v.Position > 0 })
	for _, v := range in.ByRank() {
		vj := r.Variants[v]
		group := groupLabel(vj)
		if !pg.Grouped {
			group = strconv.Itoa(vj.Rank)
		}
		rw := row{Group: group, Name: vj.Name, Colour: template.CSS("background: " + VariantColour(v)), Benchmark: vj.Benchmark, Pareto: vj.Pareto,
			Definition: definitionText(vj.Definition, false), Full: definitionText(vj.Definition, true),
			Score: scoreCell(vj.Score, vj.ScoreLow, vj.ScoreHigh), Behind: "–"}
		if !vj.Best && vj.BehindBestHigh != nil {
			rw.Behind = "up to " + results.FormatScore(*vj.BehindBestHigh)
		}
		for _, m := range ms {
			rw.Cells = append(rw.Cells, in.cell(v, m))
		}
		pg.Rows = append(pg.Rows, rw)
		if vj.Note != "" {
			pg.Notes = append(pg.Notes, vj.Name+": "+vj.Note)
		}
	}
	for _, x := range rs {
		pg.Figures = append(pg.Figures, figureHTML{ID: x.fig.Name, Title: x.fig.Title, Caption: x.fig.Caption, SVG: inlineSVG(x.svg), Name: x.fig.Name,
			WidthPx: int(math.Round(x.fig.W.Points() * 4 / 3))})
	}
	return pageTemplate.Execute(w, pg)
}

// objectiveText says how a variant's score is made, as the terminal table
// does: "1 × P1 response, p90 (s) − 1000 × prevented, rate (per 1000
// residents per 30 d)", each metric in its stored unit (the weights apply
// to it).
func objectiveText(goals []results.GoalJSON) string {
	var b strings.Builder
	for k, g := range goals {
		switch {
		case g.Better == "higher":
			b.WriteString(" − ")
		case k > 0:
			b.WriteString(" + ")
		}
		fmt.Fprintf(&b, "%g × %s", g.Weight, metricTitle(g.Metric))
		if u := results.Describe(results.Metric{Name: g.Metric}).Unit(); u != "" {
			fmt.Fprintf(&b, " (%s)", u)
		}
	}
	return strings.TrimPrefix(b.String(), " ")
}

// definitionText says what a variant is: its policy, each unit type's own
// policy where mixed, the dispatch mode and the overrides of unit types
// ("static-beats; patrol_car: follow-incidents · point-to-point ·
// patrol_car count=4"); with params, every policy's parameters too. Empty
// for a results.json written before definitions.
func definitionText(d *results.VariantDefinition, params bool) string {
	if d == nil {
		return ""
	}
	policy := func(name string, ps map[string]string) string {
		if !params || len(ps) == 0 {
			return name
		}
		return name + " (" + pairs(ps) + ")"
	}
	parts := []string{policy(d.Policy, d.Params)}
	for _, u := range slices.Sorted(maps.Keys(d.ByUnit)) {
		parts[0] += "; " + u + ": " + policy(d.ByUnit[u].Policy, d.ByUnit[u].Params)
	}
	if d.Dispatch != "" {
		parts = append(parts, d.Dispatch)
	}
	for _, u := range slices.Sorted(maps.Keys(d.Overrides)) {
		parts = append(parts, u+" "+strings.ReplaceAll(pairs(d.Overrides[u]), ",", ""))
	}
	return strings.Join(parts, " · ")
}

// pairs writes a map as "k=v, k=v" in key order.
func pairs(m map[string]string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ", ")
}

// scoreCell writes a score as the terminal table does (results.ScoreCell).
func scoreCell(mean, lo, hi *float64) string {
	val := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	return results.ScoreCell(val(mean), val(lo), val(hi))
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
p.verdict { margin: 0.3em 0; font-weight: bold; }
p.warning { margin: 0.3em 0; color: #b00020; }
span.definition { color: #666; font-size: 0.85em; }
tr.benchmark td { color: #555; font-style: italic; }
table.variants th { white-space: normal; vertical-align: bottom; }
div.wide { overflow-x: auto; }
span.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; vertical-align: baseline; border-radius: 2px; }
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
{{if .Incidents}}<p class="meta">Incidents: {{.Incidents}}.</p>
{{end}}<p class="meta">{{.Replications}} replications per variant, seed {{.Seed}}.{{if .Objective}} Score = {{.Objective}}: lower is better, and it depends on no other variant.{{end}}</p>
{{range .Warnings}}<p class="warning">warning: {{.}}</p>
{{end}}{{range .Verdict}}<p class="verdict">{{.}}</p>
{{end}}<nav>{{range .Figures}}<a href="#{{.ID}}">{{.Title}}</a> {{end}}</nav>
<h2 id="summary">Variants</h2>
<div class="wide"><table class="variants">
<thead><tr><th>{{if .Grouped}}group{{else}}rank{{end}}</th><th class="name">variant</th><th>score ({{if .ScoreUnit}}{{.ScoreUnit}}, {{end}}lower better)</th><th>behind the best{{if .ScoreUnit}} ({{.ScoreUnit}}){{end}}</th><th>Pareto front (possibly)</th>{{range .Metrics}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr{{if .Benchmark}} class="benchmark"{{end}}><td>{{.Group}}</td><td class="name"{{if .Full}} title="{{.Full}}"{{end}}><span class="swatch" style="{{.Colour}}"></span>{{.Name}}{{if .Definition}}<br><span class="definition">{{.Definition}}</span>{{end}}</td><td>{{.Score}}</td><td>{{.Behind}}</td><td>{{if .Pareto}}●{{end}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
{{range .Notes}}<p class="meta">{{.}}</p>
{{end}}<p class="meta">Mean over replications ± half-width of the 95% confidence interval (Student t). Group 1=: may be the best, at {{.Confidence}} joint confidence
(multiple comparisons with the best, paired on common random numbers); behind the best: how far the score may be behind the best, the upper end of
its simultaneous interval; ●: possibly on the Pareto front (no other variant significantly better on one objective metric and not significantly worse
on any). Benchmarks use knowledge no real force has: shown, never ranked, never on the front.</p>
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
