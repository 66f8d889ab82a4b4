package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/patrolsim/patrolsim/results"
)

// Figure widths: the report's column is 1200 px wide and a point is 4/3
// px, so a full-width figure shows at its natural size (fonts 9–11 pt).
const (
	fullW = 11.5 * vg.Inch
	halfW = 6.2 * vg.Inch
)

// drawPlots lays plots out in one row, their data areas aligned.
func drawPlots(c draw.Canvas, plots ...*plot.Plot) {
	t := draw.Tiles{Rows: 1, Cols: len(plots), PadX: 12, PadTop: 2, PadBottom: 2, PadLeft: 2, PadRight: 6}
	cs := plot.Align([][]*plot.Plot{plots}, t, c)
	for i, p := range plots {
		p.Draw(cs[0][i])
	}
}

// cdfFigure draws, per priority with calls, the share of calls answered
// within t against t for every variant, and the priority's target.
func cdfFigure(in *Input) *figure {
	binS := float64(in.Details.HistBinS)
	if binS <= 0 {
		binS = results.HistBinS
	}
	targets := in.Config().Targets
	var prios []int
	for p := 1; p <= 3; p++ {
		for _, v := range in.Details.Variants {
			if total(v, p) > 0 {
				prios = append(prios, p)
				break
			}
		}
	}
	if len(prios) == 0 {
		return nil
	}
	f := &figure{Name: "response-cdf", Title: "Response time distribution",
		Caption: "Share of calls answered within a given time, by priority, summed over replications; " +
			"calls never answered count in the total, so a curve can stay below 100%. The dashed line is the priority's target.",
		W: fullW, H: 3.6 * vg.Inch}
	f.Draw = func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		leg := panelLegend()
		const legW = 100
		var plots []*plot.Plot
		for k, p := range prios {
			pl := newPlot(fmt.Sprintf("Priority %d", p), "response time ("+timeShown.Unit+")", "")
			if k == 0 {
				pl.Y.Label.Text = "calls answered within (" + shareShown.Unit + ")"
			}
			addGrid(pl, true, true)
			xmax := 1.5 * targets[p] * timeShown.Scale
			for vi, v := range in.Details.Variants {
				n := total(v, p)
				if n == 0 {
					continue
				}
				h := v.RespHist[p]
				pts := plotter.XYs{{X: 0, Y: 0}}
				cum := 0
				reached := false
				for b := 0; b < len(h)-1; b++ { // the last bin is open-ended
					cum += h[b]
					x := float64(b+1) * binS * timeShown.Scale
					pts = append(pts, plotter.XY{X: x, Y: shareShown.Scale * float64(cum) / float64(n)})
					if !reached && float64(cum) >= 0.99*float64(n) {
						reached = true
						xmax = max(xmax, x)
					}
				}
				if !reached {
					xmax = math.Inf(1)
				}
				l, _ := plotter.NewLine(pts)
				l.LineStyle = variantLine(vi)
				pl.Add(l)
				if k == 0 {
					leg.Add(v.Name, l)
				}
			}
			pl.X.Min, pl.X.Max = 0, min(xmax*1.05, float64(len(in.Details.Variants[0].RespHist[p])-1)*binS*timeShown.Scale)
			pl.Y.Min, pl.Y.Max = 0, shareShown.Scale
			if t := targets[p]; t > 0 {
				tl, _ := plotter.NewLine(plotter.XYs{{X: t * timeShown.Scale, Y: 0}, {X: t * timeShown.Scale, Y: shareShown.Scale}})
				tl.LineStyle = draw.LineStyle{Color: color.Black, Width: 1, Dashes: []vg.Length{4, 3}}
				pl.Add(tl)
				lab, _ := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: t * timeShown.Scale, Y: 4}},
					Labels: []string{fmt.Sprintf(" target %g %s ", t*timeShown.Scale, timeShown.Unit)}})
				lab.TextStyle[0].Font = face(9)
				pl.Add(lab)
			}
			plots = append(plots, pl)
		}
		drawPlots(draw.Crop(c, 0, -legW, 0, 0), plots...)
		leg.Draw(draw.Crop(c, c.Max.X-c.Min.X-legW, 0, 0, -30))
	}
	return f
}

// total returns the calls of priority p: answered plus never answered.
func total(v results.VariantDetails, p int) int {
	n := v.Unanswered[p]
	for _, k := range v.RespHist[p] {
		n += k
	}
	return n
}

// objectiveMetrics returns the metrics the ranking used, at most three, or
// the mean response time when the run had no objective.
func objectiveMetrics(in *Input) []string {
	var ms []string
	for _, g := range in.Results.Objective {
		if in.hasMetric(g.Metric) && len(ms) < 3 {
			ms = append(ms, g.Metric)
		}
	}
	if len(ms) == 0 && in.hasMetric("response_mean_s") {
		ms = append(ms, "response_mean_s")
	}
	return ms
}

// rankLabel names a variant with its group and score: "1= follow-p2p
// (-987)", "oracle-p2p (benchmark) (-1000)", "beats-p2p (-939)".
func rankLabel(v results.VariantJSON) string {
	s := v.Name
	switch {
	case v.Group == results.GroupBest:
		s = "1= " + s
	case v.Group != "":
		s += " (" + v.Group + ")"
	}
	if v.Score != nil {
		s += " (" + results.FormatScore(*v.Score) + ")"
	}
	return s
}

// rankingFigure draws each objective metric's mean and 95% confidence
// interval per variant, best-ranked at the top.
func rankingFigure(in *Input) *figure {
	ms := objectiveMetrics(in)
	if len(ms) == 0 {
		return nil
	}
	order := in.ByRank()
	n := len(order)
	f := &figure{Name: "ranking", Title: "Ranking",
		Caption: "Variants in the table's order (group, name and score: lower is better; \"1=\": in the best set), with each objective " +
			"metric's mean over replications and its 95% confidence interval. Each variant has its colour of every chart; " +
			"ringed in black: possibly on the Pareto front; hollow: benchmarks, not ranked.",
		W: fullW, H: vg.Length(n)*16 + 80}
	f.Draw = func(c draw.Canvas) {
		var plots []*plot.Plot
		for k, m := range ms {
			scale, _ := metricUnit(m)
			better := ""
			for _, g := range in.Results.Objective {
				if g.Metric == m {
					better = " — " + g.Better + " is better"
				}
			}
			pl := newPlot(metricTitle(m)+better, metricLabel(m), "")
			addGrid(pl, true, false)
			names := make([]string, n)
			var errs plotter.XErrors
			var pts plotter.XYs
			var marks []*plotter.Scatter
			for pos, v := range order {
				y := float64(n - 1 - pos)
				if k == 0 {
					names[n-1-pos] = rankLabel(in.Results.Variants[v])
				}
				mean, lo, hi, ok := in.estimate(v, m)
				if !ok {
					continue
				}
				pt := plotter.XY{X: mean * scale, Y: y}
				pts = append(pts, pt)
				errs = append(errs, struct{ Low, High float64 }{(mean - lo) * scale, (hi - mean) * scale})
				sc, _ := plotter.NewScatter(plotter.XYs{pt})
				sc.GlyphStyle = statusGlyph(in.Results.Variants[v], v, 3.5)
				marks = append(marks, sc)
			}
			pl.NominalY(names...)
			if len(pts) > 0 {
				eb, err := plotter.NewXErrorBars(errorPoints{pts, errs})
				if err == nil {
					eb.LineStyle.Width = 1.2
					eb.CapWidth = 6
					pl.Add(eb)
				}
			}
			for _, sc := range marks {
				pl.Add(sc)
			}
			pl.Y.Min, pl.Y.Max = -0.6, float64(n)-0.4
			padRange(&pl.X)
			plots = append(plots, pl)
		}
		drawPlots(c, plots...)
	}
	return f
}

// errorPoints pairs points with their error bars for gonum's error bar
// plotters.
type errorPoints struct {
	plotter.XYs
	plotter.XErrors
}

type yErrorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// padRange widens an axis by 5% each side, and a zero-width one to ±1.
func padRange(a *plot.Axis) {
	d := a.Max - a.Min
	if !(d > 0) {
		d = math.Max(1, math.Abs(a.Min))
	}
	a.Min -= 0.05 * d
	a.Max += 0.05 * d
}

// Pareto chart metrics: the default objective's (incidents prevented per
// replication is the objective's rate per resident and month times a
// constant of the scenario, so the front is the same on either).
const (
	paretoX = "response_p90_s_p1"
	paretoY = "incidents_prevented"
)

// Markers of the Pareto and ranking charts. Colour is the variant's, as in
// every chart (variantColor); the shape says its standing: a filled disc
// ringed in black is possibly on the Pareto front, a plain filled disc is
// dominated, a hollow ring is a benchmark (never ranked). The legend draws
// the shapes in keyColor, a grey that is no variant's colour.
var keyColor = color.Gray{0x55}

func frontGlyph(c color.Color, r vg.Length) draw.GlyphStyle {
	return draw.GlyphStyle{Shape: ringedGlyph{}, Radius: r + 0.8, Color: c}
}

func otherGlyph(c color.Color, r vg.Length) draw.GlyphStyle {
	return draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: r, Color: c}
}

func benchGlyph(c color.Color, r vg.Length) draw.GlyphStyle {
	return draw.GlyphStyle{Shape: hollowGlyph{}, Radius: r, Color: c}
}

// statusGlyph is the marker of variant v (its index in results.json)
// whose standing vj gives.
func statusGlyph(vj results.VariantJSON, v int, r vg.Length) draw.GlyphStyle {
	c := variantColor(v)
	switch {
	case vj.Benchmark:
		return benchGlyph(c, r)
	case vj.Pareto:
		return frontGlyph(c, r)
	}
	return otherGlyph(c, r)
}

// ringedGlyph is a disc in the style's colour with a black ring: possibly
// on the Pareto front.
type ringedGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (ringedGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.SetColor(sty.Color)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 1.3})
	c.Stroke(p)
}

// hollowGlyph is a ring filled white, so that it stays hollow over the
// error bars it sits on (gonum's RingGlyph is a thin unfilled circle).
type hollowGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (hollowGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.SetColor(color.White)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: 1.5})
	c.Stroke(p)
}

// paretoLabel names a variant on the Pareto chart: "1= follow-p2p" in the
// best set, "oracle-p2p (benchmark)", "x (undefined)", else the name.
func paretoLabel(v results.VariantJSON) string {
	switch {
	case v.Group == results.GroupBest:
		return "1= " + v.Name
	case v.Benchmark || v.Group == results.GroupBenchmark:
		return v.Name + " (benchmark)"
	case v.Group != "":
		return v.Name + " (" + v.Group + ")"
	}
	return v.Name
}

// paretoFigure draws priority-1 p90 response time against incidents
// prevented (see newParetoFigure).
func paretoFigure(in *Input) *figure {
	f, _ := newParetoFigure(in)
	return f
}

// paretoMarkerRadius is the radius of the Pareto chart's markers.
const paretoMarkerRadius = 3.5

// newParetoFigure draws priority-1 p90 response time against incidents
// prevented, with 95% intervals, every variant named (its labels never
// overlap: see placeLabels); the variants possibly on the front, as
// results.json says (paired tests on the objective's metrics; never a
// benchmark), are ringed in black, benchmarks hollow; each point has its
// variant's colour (variantColor). It returns the
// labels' plotter too, whose boxes a test can read after a draw; nil
// figure without the metrics.
func newParetoFigure(in *Input) (*figure, *pointLabels) {
	if !in.hasMetric(paretoX) || !in.hasMetric(paretoY) {
		return nil, nil
	}
	f := &figure{Name: "pareto", Title: "Pareto chart",
		Caption: "Each variant's priority-1 90th-percentile response time against incidents prevented per replication, " +
			"with 95% confidence intervals; \"1=\": in the best set. Each variant has its colour of every chart. Ringed in black: possibly on the Pareto front " +
			"(no other variant is significantly better on one of the objective's metrics and not significantly worse on any; " +
			"paired tests, Holm's correction). Plain disc: dominated. Hollow: benchmarks, which use knowledge no real force has " +
			"(shown, never ranked, never on the front). A thin line joins a label set apart to its point.",
		W: 10 * vg.Inch, H: 5.5 * vg.Inch}
	var (
		all, front, rest, bench plotter.XYs
		xe                      plotter.XErrors
		ye                      plotter.YErrors
		labels                  []string
		styles                  []draw.GlyphStyle // per point of all
	)
	xs, _ := metricUnit(paretoX)
	for _, v := range in.ByRank() {
		vj := in.Results.Variants[v]
		x, xlo, xhi, ok1 := in.estimate(v, paretoX)
		y, ylo, yhi, ok2 := in.estimate(v, paretoY)
		if !ok1 || !ok2 || math.IsInf(x, 0) || math.IsInf(y, 0) {
			continue
		}
		pt := plotter.XY{X: x * xs, Y: y}
		all = append(all, pt)
		xe = append(xe, struct{ Low, High float64 }{(x - xlo) * xs, (xhi - x) * xs})
		ye = append(ye, struct{ Low, High float64 }{y - ylo, yhi - y})
		labels = append(labels, paretoLabel(vj))
		styles = append(styles, statusGlyph(vj, v, paretoMarkerRadius))
		switch {
		case vj.Benchmark:
			bench = append(bench, pt)
		case vj.Pareto:
			front = append(front, pt)
		default:
			rest = append(rest, pt)
		}
	}
	lab := newPointLabels(all, labels, 8, paretoMarkerRadius)
	for i, p := range all {
		lab.Lines = append(lab.Lines,
			[2]plotter.XY{{X: p.X - xe[i].Low, Y: p.Y}, {X: p.X + xe[i].High, Y: p.Y}},
			[2]plotter.XY{{X: p.X, Y: p.Y - ye[i].Low}, {X: p.X, Y: p.Y + ye[i].High}})
	}
	line := slices.Clone(front)
	slices.SortStableFunc(line, func(a, b plotter.XY) int { return cmpFloat(a.X, b.X) })
	for i := 1; i < len(line); i++ {
		lab.Lines = append(lab.Lines, [2]plotter.XY{line[i-1], line[i]})
	}
	f.Draw = func(c draw.Canvas) {
		if len(all) == 0 {
			return
		}
		pl := newPlot("Response time against prevention", metricLabel(paretoX), metricLabel(paretoY)+" per replication")
		addGrid(pl, true, true)
		ex, _ := plotter.NewXErrorBars(errorPoints{all, xe})
		ey, _ := plotter.NewYErrorBars(yErrorPoints{all, ye})
		for _, e := range []*draw.LineStyle{&ex.LineStyle, &ey.LineStyle} {
			e.Color = color.Gray{0x99}
		}
		ex.CapWidth, ey.CapWidth = 4, 4
		pl.Add(ex, ey)
		// No line joins the front: with uncertainty its members are only
		// possibly non-dominated, and a line would read as a trade-off
		// curve (labels still keep clear of where it would run).
		for i, p := range all {
			s, _ := plotter.NewScatter(plotter.XYs{p})
			s.GlyphStyle = styles[i]
			pl.Add(s)
		}
		// The legend: the shapes in a grey that is no variant's colour.
		leg := panelLegend()
		for _, g := range []struct {
			pts   plotter.XYs
			style draw.GlyphStyle
			name  string
		}{
			{front, frontGlyph(keyColor, paretoMarkerRadius), "possibly on the front"},
			{rest, otherGlyph(keyColor, paretoMarkerRadius), "dominated"},
			{bench, benchGlyph(keyColor, paretoMarkerRadius), "benchmark (not ranked)"},
		} {
			if len(g.pts) == 0 {
				continue
			}
			s, _ := plotter.NewScatter(g.pts[:1])
			s.GlyphStyle = g.style
			leg.Add(g.name, s)
		}
		pl.Add(lab)
		padRange(&pl.X)
		padRange(&pl.Y)
		// The legend beside the plot, so that no label can fall under it.
		const legW = 150
		drawPlots(draw.Crop(c, 0, -legW, 0, 0), pl)
		leg.Draw(draw.Crop(c, c.Max.X-c.Min.X-legW, 0, 0, -30))
	}
	return f, lab
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hourVariants returns the variants the hour-of-day chart compares: the
// best-ranked and the named one (default: the first listed, the reference,
// or the second-ranked when the reference is best).
func hourVariants(in *Input, compare string) []int {
	order := in.ByRank()
	best := order[0]
	other := 0
	if compare != "" {
		other = in.Variant(compare)
	} else if other == best && len(order) > 1 {
		other = order[1]
	}
	if other < 0 || other == best {
		return []int{best}
	}
	return []int{best, other}
}

// hoursFigure draws incidents realised, prevented and displaced by hour of
// day for the compared variants.
func hoursFigure(in *Input, vs []int) *figure {
	names := ""
	for i, v := range vs {
		if i > 0 {
			names += " and "
		}
		names += in.Results.Variants[v].Name
	}
	f := &figure{Name: "by-hour", Title: "Incidents by hour of day",
		Caption: "Mean incidents per replication by hour of day (hour 0 is 00:00–01:00) for " + names +
			": realised, prevented by visible police, and displaced (moved to another place or a later hour). " +
			"Prevention in one hour that reappears as displacement in the next is temporal displacement.",
		W: fullW, H: 3.3 * vg.Inch}
	f.Draw = func(c draw.Canvas) {
		series := []struct {
			title string
			get   func(results.HourDetails) [24]float64
		}{
			{"realised", func(h results.HourDetails) [24]float64 { return h.Realised }},
			{"prevented", func(h results.HourDetails) [24]float64 { return h.Prevented }},
			{"displaced", func(h results.HourDetails) [24]float64 { return h.Displaced }},
		}
		var plots []*plot.Plot
		for k, s := range series {
			pl := newPlot("Incidents "+s.title, "hour of day", "")
			if k == 0 {
				pl.Y.Label.Text = "incidents per replication"
			}
			addGrid(pl, true, true)
			for _, v := range vs {
				l, _ := plotter.NewLine(hourSteps(s.get(in.Details.Variants[v].Hours)))
				l.StepStyle = plotter.PostStep
				l.LineStyle = variantLine(v)
				pl.Add(l)
				if k == 0 {
					pl.Legend.Add(in.Results.Variants[v].Name, l)
				}
			}
			pl.X.Min, pl.X.Max = 0, 24
			pl.X.Tick.Marker = plot.ConstantTicks(hourTicks())
			pl.Y.Min = 0
			if pl.Y.Max <= 0 {
				pl.Y.Max = 1
			}
			pl.Y.Max *= 1.15 // room for the legend
			pl.Legend.Top = true
			plots = append(plots, pl)
		}
		drawPlots(c, plots...)
	}
	return f
}

// hourSteps returns the points of a by-hour step line (post steps): hour
// h's value from x = h to h + 1, the last step ending at x = 24 at hour
// 23's level. Hour 24 is hour 0 of the next day, so a point (24, hour 0's
// value) would draw a vertical drop (or rise) at the right edge that is
// no change at all.
func hourSteps(vals [24]float64) plotter.XYs {
	pts := make(plotter.XYs, 25)
	for h := range 24 {
		pts[h] = plotter.XY{X: float64(h), Y: vals[h]}
	}
	pts[24] = plotter.XY{X: 24, Y: vals[23]}
	return pts
}

func hourTicks() []plot.Tick {
	var t []plot.Tick
	for h := 0; h <= 24; h += 3 {
		t = append(t, plot.Tick{Value: float64(h), Label: fmt.Sprint(h)})
	}
	return t
}

// utilFigure draws each unit type's utilisation per variant as horizontal
// bars, one panel per unit type (at most three side by side), best-ranked
// variant at the top; each bar has its variant's colour, as in every
// chart.
func utilFigure(in *Input) *figure {
	type kind struct{ metric, name string }
	var kinds []kind
	for _, u := range in.Config().Units {
		m := "utilization_" + u.Name
		if in.hasMetric(m) {
			kinds = append(kinds, kind{m, u.Name})
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	order := in.ByRank()
	n := len(order)
	cols := min(len(kinds), 3)
	rows := (len(kinds) + cols - 1) / cols
	const bar = vg.Length(9)
	panelH := vg.Length(n)*(bar+5) + 60
	f := &figure{Name: "utilisation", Title: "Utilisation by unit type",
		Caption: "Share of on-duty time each unit type spends on calls (travel and on scene), mean over replications; " +
			"one panel per unit type, variants best-ranked first, each in its colour of every chart.",
		W: fullW, H: vg.Length(rows) * panelH}
	f.Draw = func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		names := make([]string, n)
		for pos, v := range order {
			names[n-1-pos] = rankLabel(in.Results.Variants[v])
		}
		grid := make([][]*plot.Plot, rows)
		for r := range grid {
			grid[r] = make([]*plot.Plot, cols)
		}
		for k, kd := range kinds {
			scale, _ := metricUnit(kd.metric)
			pl := newPlot(kd.name, "utilisation ("+shareShown.Unit+" of on-duty time on calls)", "")
			addGrid(pl, true, false)
			pl.NominalY(names...)
			if k%cols != 0 { // the names once per row, at its left
				blank := make([]plot.Tick, n)
				for y := range blank {
					blank[y] = plot.Tick{Value: float64(y)}
				}
				pl.Y.Tick.Marker = plot.ConstantTicks(blank)
			}
			hb := hBars{width: bar}
			xmax := 0.0
			for pos, v := range order {
				if mean, _, _, ok := in.estimate(v, kd.metric); ok {
					hb.bars = append(hb.bars, hBar{y: float64(n - 1 - pos), x: scale * mean, color: variantColor(v)})
					xmax = max(xmax, scale*mean)
				}
			}
			pl.Add(hb)
			pl.X.Min, pl.X.Max = 0, math.Max(1, xmax*1.1)
			pl.Y.Min, pl.Y.Max = -0.5, float64(n)-0.5
			grid[k/cols][k%cols] = pl
		}
		t := draw.Tiles{Rows: rows, Cols: cols, PadX: 12, PadY: 6, PadTop: 2, PadBottom: 2, PadLeft: 2, PadRight: 6}
		cs := plot.Align(grid, t, c)
		for r := range grid {
			for k, pl := range grid[r] {
				if pl != nil {
					pl.Draw(cs[r][k])
				}
			}
		}
	}
	return f
}

// hBars are horizontal bars from x = 0, each at its own y and colour.
type hBars struct {
	bars  []hBar
	width vg.Length
}

type hBar struct {
	y, x  float64
	color color.Color
}

// DataRange implements plot.DataRanger.
func (b hBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmax, ymin, ymax = 0, math.Inf(1), math.Inf(-1)
	for _, h := range b.bars {
		xmax, ymin, ymax = max(xmax, h.x), min(ymin, h.y), max(ymax, h.y)
	}
	return 0, xmax, ymin, ymax
}

// Plot implements plot.Plotter.
func (b hBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, h := range b.bars {
		x0, x1, y := trX(0), trX(h.x), trY(h.y)
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(h.color, []vg.Point{{X: x0, Y: y - b.width/2}, {X: x1, Y: y - b.width/2}, {X: x1, Y: y + b.width/2}, {X: x0, Y: y + b.width/2}})
	}
}

// panelLegend is the legend of the line charts drawn in panels (response
// time CDFs, sweep metrics): top left of its panel, 9 pt.
func panelLegend() plot.Legend {
	leg := plot.NewLegend()
	leg.TextStyle.Font = face(9)
	leg.ThumbnailWidth = 18
	leg.Top, leg.Left = true, true
	leg.Padding = 2.5
	leg.XOffs = 8
	return leg
}
