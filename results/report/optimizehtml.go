package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
)

// The files of `patrolsim optimize`'s folder the optimisation report reads
// (scenarios/optimize writes them; it imports this package, so the names
// are repeated here).
const (
	optimizeJSON = "optimize.json"
	optimizeCSV  = "candidates.csv"
	optimizeSVG  = "optimize.svg"
)

// IsOptimizeDir reports whether dir holds an optimisation's output:
// optimize.json, candidates.csv and optimize.svg.
func IsOptimizeDir(dir string) bool {
	for _, name := range []string{optimizeJSON, optimizeCSV, optimizeSVG} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// OptimizeInput is what an optimisation report is drawn from: the
// folder's optimize.json, candidates.csv and optimize.svg, as written.
type OptimizeInput struct {
	Dir  string
	Meta struct {
		Scenario string `json:"scenario"`
		Variant  string `json:"variant"`
		Decision struct {
			Kind string `json:"kind"`
			Unit string `json:"unit"`
		} `json:"decision"`
		Select struct {
			Replications int     `json:"replications"`
			Alpha        float64 `json:"alpha"`
			Delta        float64 `json:"delta"`
		} `json:"select"`
		Chosen  string `json:"chosen"`
		Verdict string `json:"verdict"`
	}
	Header []string   // candidates.csv's header
	Rows   [][]string // its rows, the chosen first
	SVG    []byte     // optimize.svg
}

// LoadOptimize reads an optimisation's folder. Its errors name the file
// and what is wrong.
func LoadOptimize(dir string) (*OptimizeInput, error) {
	in := &OptimizeInput{Dir: dir}
	if err := readJSON(filepath.Join(dir, optimizeJSON), &in.Meta); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, optimizeCSV)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: no candidate", path)
	}
	in.Header, in.Rows = recs[0], recs[1:]
	if in.Rows[0][0] != in.Meta.Chosen {
		return nil, fmt.Errorf("%s: the first candidate is %q but %s says the chosen is %q (files of different runs?)", path, in.Rows[0][0], optimizeJSON, in.Meta.Chosen)
	}
	if in.SVG, err = os.ReadFile(filepath.Join(dir, optimizeSVG)); err != nil {
		return nil, err
	}
	return in, nil
}

// Write writes the optimisation report, one self-contained HTML file
// (default report.html in the folder): the decision, the verdict, the
// chart of optimize.svg and the table of candidates.csv. It draws no chart
// of its own: optimize wrote optimize.svg.
func (in *OptimizeInput) Write(htmlPath string) (string, error) {
	if htmlPath == "" {
		htmlPath = filepath.Join(in.Dir, "report.html")
	}
	// The link to optimize.svg, relative to the HTML file.
	link := ""
	a, err1 := filepath.Abs(filepath.Dir(htmlPath))
	b, err2 := filepath.Abs(filepath.Join(in.Dir, optimizeSVG))
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(a, b); err == nil {
			link = filepath.ToSlash(rel)
		}
	}
	var buf bytes.Buffer
	if err := optimizeTemplate.Execute(&buf, map[string]any{"In": in, "M": in.Meta, "SVG": inlineSVG(in.SVG), "Link": link}); err != nil {
		return "", err
	}
	if dir := filepath.Dir(htmlPath); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
	}
	return htmlPath, writeBytes(htmlPath, buf.Bytes())
}

var optimizeTemplate = template.Must(template.New("optimize").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>patrolsim optimize report: {{.M.Scenario}}</title>
<style>
` + pageCSS + `tr.chosen td { font-weight: bold; }
</style>
</head>
<body>
<h1>patrolsim optimize report: {{.M.Scenario}}</h1>
<p class="meta">Decision: {{.M.Decision.Kind}} of unit type {{.M.Decision.Unit}}, on variant {{.M.Variant}}; {{.M.Select.Replications}} replications of each kept candidate (α = {{.M.Select.Alpha}}, δ = {{.M.Select.Delta}}).</p>
<p class="verdict">Chosen: {{.M.Chosen}}. {{.M.Verdict}}</p>
<section id="optimize">
<h2>The candidates</h2>
<figure style="max-width: 960px">
{{.SVG}}
<figcaption>Left: the candidates' two objectives with 95% intervals, the Pareto front ringed, the chosen starred. Right: the screen's mean response against the simulation's; on the line they agree.{{if .Link}} File: <a href="{{.Link}}">optimize.svg</a>.{{end}}</figcaption>
</figure>
</section>
<h2 id="table">candidates.csv</h2>
<div class="wide"><table>
<thead><tr>{{range $j, $h := .In.Header}}<th{{if eq $j 0}} class="name"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{range $i, $r := .In.Rows}}<tr{{if eq $i 0}} class="chosen"{{end}}>{{range $j, $c := $r}}<td{{if eq $j 0}} class="name"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
<p class="meta">As <code>patrolsim optimize</code> wrote it, the chosen first: times in seconds, shares as fractions; <code>_low</code> and <code>_high</code> bound 95% intervals. docs/optimize.md explains every column.</p>
</body>
</html>
`))
