package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxPanels is the most small multiples a parameter's chart gets; with
// more combinations of the other parameters it averages over them.
const maxPanels = 6

// sweepPt is one mark: a position and the metric's mean and 95% interval,
// in display units.
type sweepPt struct{ x, mean, lo, hi float64 }

// sweepPanel is one panel of a parameter's chart: a series per variant.
type sweepPanel struct {
	title  string
	series [][]sweepPt
}

// sweepFigures returns the sweep report's charts: the metric against each
// parameter, then (grid designs with two parameters or more) the heat map.
func (in *SweepInput) sweepFigures(metric string, variant int) []*figure {
	var out []*figure
	for k := range in.axes {
		// A linked group is one dimension: its first parameter's chart
		// shows it; the others' would be the same with another axis.
		if g := in.group(k); g < 0 || in.Meta.Linked[g][0] == in.Meta.Params[k] {
			out = append(out, in.paramFigure(k, metric))
		}
	}
	if _, y := in.heatAxes(); y >= 0 && in.Gridded() {
		out = append(out, in.heatFigure(metric, variant))
	}
	return out
}

// group returns the linked group (sweep.json's linked) of parameter k, or
// -1.
func (in *SweepInput) group(k int) int {
	for g, paths := range in.Meta.Linked {
		if slices.Contains(paths, in.Meta.Params[k]) {
			return g
		}
	}
	return -1
}

// together reports whether parameters j and k vary together: the same
// one, or members of one linked group.
func (in *SweepInput) together(j, k int) bool {
	return j == k || in.group(j) >= 0 && in.group(j) == in.group(k)
}

// dims counts the dimensions of the design: parameters, a linked group
// counting once.
func (in *SweepInput) dims() int {
	n := 0
	for k := range in.Meta.Params {
		if g := in.group(k); g < 0 || in.Meta.Linked[g][0] == in.Meta.Params[k] {
			n++
		}
	}
	return n
}

// heatAxes returns the parameters of the heat map's axes: the first
// parameter and the first one not linked to it, or y = -1 when every
// parameter varies with the first.
func (in *SweepInput) heatAxes() (x, y int) {
	for k := range in.Meta.Params {
		if !in.together(0, k) {
			return 0, k
		}
	}
	return 0, -1
}

// linkedNote says which parameters vary with parameter k, for a caption,
// or "".
func (in *SweepInput) linkedNote(k int) string {
	g := in.group(k)
	if g < 0 {
		return ""
	}
	var others []string
	for _, p := range in.Meta.Linked[g] {
		if p != in.Meta.Params[k] {
			others = append(others, p)
		}
	}
	return " " + strings.Join(others, ", ") + " varies with it (a linked group: values paired by position)."
}

// slug turns a parameter path into a file name part.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// scaled returns e in display units.
func scaled(e estimate, scale, x float64) sweepPt {
	return sweepPt{x: x, mean: e.mean * scale, lo: e.low * scale, hi: e.high * scale}
}

// combos numbers the points by their values of every parameter but k, in
// order of first appearance, and names each combination.
func (in *SweepInput) combos(k int) (of []int, titles []string) {
	var keys []string
	for _, p := range in.Meta.Points {
		var parts []string
		for j, par := range in.Meta.Params {
			if !in.together(j, k) {
				parts = append(parts, par+" = "+p.Values[par])
			}
		}
		key := strings.Join(parts, ", ")
		i := slices.Index(keys, key)
		if i < 0 {
			i = len(keys)
			keys = append(keys, key)
		}
		of = append(of, i)
	}
	return of, keys
}

// otherParams lists every parameter path but k's.
func (in *SweepInput) otherParams(k int) string {
	var s []string
	for j, p := range in.Meta.Params {
		if !in.together(j, k) {
			s = append(s, p)
		}
	}
	return strings.Join(s, ", ")
}

// paramFigure draws the metric against parameter k: lines with 95% bands
// per variant for grids (small multiples over the other parameters, or
// their average), a scatter with interval bars otherwise.
func (in *SweepInput) paramFigure(k int, metric string) *figure {
	ax := in.withPartners(k)
	scale, _ := metricUnit(metric)
	est := in.est[metric]
	nv := len(in.Meta.Variants)
	reps := fmt.Sprintf("%d replications", in.Meta.Replications)
	var panels []sweepPanel
	var caption string
	lines := in.Gridded()
	switch {
	case !lines:
		pan := sweepPanel{series: make([][]sweepPt, nv)}
		span := ax.x[len(ax.x)-1] - ax.x[0]
		step := 0.006 * span
		if !ax.numeric || !(span > 0) {
			step = 0.1
		}
		for p := range in.Meta.Points {
			for v := range nv {
				if e := est[p][v]; e.ok {
					off := (float64(v) - float64(nv-1)/2) * step
					pan.series[v] = append(pan.series[v], scaled(e, scale, ax.x[ax.of[p]]+off))
				}
			}
		}
		panels = append(panels, pan)
		caption = fmt.Sprintf("Every point of the %s design: %s (mean over %s) against %s, with its 95%% confidence interval. ",
			in.Meta.Design, metricTitle(metric), reps, ax.path)
		if n := in.linkedNote(k); n != "" {
			caption += strings.TrimPrefix(n, " ") + " "
		}
		if in.otherParams(k) != "" {
			caption += "The other parameters (" + in.otherParams(k) + ") vary from point to point too, so the spread mixes their effects. "
		}
		if nv > 1 {
			caption += "Variants are shifted slightly sideways so that their bars do not overlap."
		}
	default:
		of, titles := in.combos(k)
		if len(titles) <= maxPanels {
			for c, title := range titles {
				pan := sweepPanel{series: make([][]sweepPt, nv)}
				if len(titles) > 1 {
					pan.title = title
				}
				for p := range in.Meta.Points {
					if of[p] != c {
						continue
					}
					for v := range nv {
						if e := est[p][v]; e.ok {
							pan.series[v] = append(pan.series[v], scaled(e, scale, ax.x[ax.of[p]]))
						}
					}
				}
				for _, s := range pan.series {
					slices.SortStableFunc(s, func(a, b sweepPt) int { return cmpFloat(a.x, b.x) })
				}
				panels = append(panels, pan)
			}
			caption = fmt.Sprintf("%s (mean over %s) at each value of %s, with its 95%% confidence interval shaded; one line per variant.",
				upperFirst(metricTitle(metric)), reps, ax.path) + in.linkedNote(k)
			if len(titles) > 1 {
				caption += " One panel per combination of the other parameters (" + in.otherParams(k) + "); the panels share the vertical scale."
			}
		} else {
			pan := sweepPanel{series: make([][]sweepPt, nv)}
			for i, x := range ax.x {
				for v := range nv {
					var sum sweepPt
					n := 0
					for p := range in.Meta.Points {
						if e := est[p][v]; ax.of[p] == i && e.ok {
							q := scaled(e, scale, x)
							sum.mean, sum.lo, sum.hi = sum.mean+q.mean, sum.lo+q.lo, sum.hi+q.hi
							n++
						}
					}
					if n > 0 {
						f := float64(n)
						pan.series[v] = append(pan.series[v], sweepPt{x, sum.mean / f, sum.lo / f, sum.hi / f})
					}
				}
			}
			panels = append(panels, pan)
			caption = fmt.Sprintf("%s (mean over %s) at each value of %s, averaged over the %d combinations of the other parameters (%s): "+
				"the line is the average of the points' means, the band the average of their 95%% confidence bounds — at least as wide as "+
				"the average's own interval, whatever the correlation between points. One line per variant.",
				upperFirst(metricTitle(metric)), reps, ax.path, len(titles), in.otherParams(k)) + in.linkedNote(k)
		}
	}
	cols := min(3, len(panels))
	if len(panels) == 4 {
		cols = 2
	}
	rows := (len(panels) + cols - 1) / cols
	w := fullW
	if cols == 1 {
		w = 8 * vg.Inch
	}
	f := &figure{Name: "sweep-" + slug(ax.path), Title: upperFirst(metricTitle(metric)) + " by " + ax.path,
		Caption: caption, W: w, H: vg.Length(rows)*2.9*vg.Inch + 0.3*vg.Inch}
	f.Draw = func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		const legW = 110
		leg := panelLegend()
		ylo, yhi := math.Inf(1), math.Inf(-1)
		for _, pan := range panels {
			for _, s := range pan.series {
				for _, q := range s {
					ylo, yhi = min(ylo, q.lo, q.mean), max(yhi, q.hi, q.mean)
				}
			}
		}
		if ylo > yhi {
			ylo, yhi = 0, 1
		}
		grid := make([][]*plot.Plot, rows)
		for r := range grid {
			grid[r] = make([]*plot.Plot, cols)
		}
		for i, pan := range panels {
			pl := newPlot(pan.title, ax.label(), "")
			if i%cols == 0 {
				pl.Y.Label.Text = metricLabel(metric)
			}
			if pan.title != "" {
				pl.Title.TextStyle.Font = face(9.5)
			}
			addGrid(pl, true, true)
			for v, s := range pan.series {
				if len(s) == 0 {
					continue
				}
				pts := make(plotter.XYs, len(s))
				for j, q := range s {
					pts[j] = plotter.XY{X: q.x, Y: q.mean}
				}
				col := variantColors[v%len(variantColors)]
				dots, _ := plotter.NewScatter(pts)
				dots.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: 2.5, Color: col}
				var thumb plot.Thumbnailer = dots
				if lines {
					var band plotter.XYs
					for _, q := range s {
						band = append(band, plotter.XY{X: q.x, Y: q.hi})
					}
					for j := len(s) - 1; j >= 0; j-- {
						band = append(band, plotter.XY{X: s[j].x, Y: s[j].lo})
					}
					if poly, err := plotter.NewPolygon(band); err == nil {
						poly.Color = color.NRGBA{col.R, col.G, col.B, 0x38}
						poly.LineStyle.Width = 0
						pl.Add(poly)
					}
					l, _ := plotter.NewLine(pts)
					l.LineStyle = variantLine(v)
					pl.Add(l)
					thumb = l
				} else {
					errs := make(plotter.YErrors, len(s))
					for j, q := range s {
						errs[j].Low, errs[j].High = q.mean-q.lo, q.hi-q.mean
					}
					if eb, err := plotter.NewYErrorBars(yErrorPoints{pts, errs}); err == nil {
						eb.LineStyle = variantLine(v)
						eb.LineStyle.Width = 1
						eb.CapWidth = 4
						pl.Add(eb)
					}
				}
				pl.Add(dots)
				if i == 0 {
					leg.Add(in.Meta.Variants[v], thumb)
				}
			}
			setParamAxis(pl, ax, lines)
			pl.Y.Min, pl.Y.Max = ylo, yhi
			padRange(&pl.Y)
			grid[i/cols][i%cols] = pl
		}
		t := draw.Tiles{Rows: rows, Cols: cols, PadX: 12, PadY: 10, PadTop: 2, PadBottom: 2, PadLeft: 2, PadRight: 6}
		body := draw.Crop(c, 0, -legW, 0, 0)
		cs := plot.Align(grid, t, body)
		for r := range grid {
			for j, pl := range grid[r] {
				if pl != nil {
					pl.Draw(cs[r][j])
				}
			}
		}
		leg.Draw(draw.Crop(c, c.Max.X-c.Min.X-legW, 0, 0, -20))
	}
	return f
}

// setParamAxis sets a panel's horizontal axis for parameter ax: ticks at
// the values of a grid when there are few, categories by name.
func setParamAxis(pl *plot.Plot, ax paramAxis, grid bool) {
	if !ax.numeric {
		var ts []plot.Tick
		for i, v := range ax.values {
			if ax.ticks != nil {
				v = ax.ticks[i]
			}
			ts = append(ts, plot.Tick{Value: float64(i), Label: v})
		}
		pl.X.Tick.Marker = plot.ConstantTicks(ts)
		pl.X.Min, pl.X.Max = -0.5, float64(len(ax.values))-0.5
		return
	}
	pl.X.Min, pl.X.Max = ax.x[0], ax.x[len(ax.x)-1]
	padRange(&pl.X)
	if grid && len(ax.x) <= 10 {
		var ts []plot.Tick
		for i, x := range ax.x {
			l := strconv.FormatFloat(x, 'g', 4, 64)
			if ax.ticks != nil {
				l = ax.ticks[i]
			}
			ts = append(ts, plot.Tick{Value: x, Label: l})
		}
		pl.X.Tick.Marker = plot.ConstantTicks(ts)
	}
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// heatCells draws a grid of coloured cells, vals[j][i] at column i and
// row j (NaN: no data), with the values printed when label is set.
type heatCells struct {
	vals   [][]float64
	lo, hi float64
	ramp   ramp
	label  func(float64) string // nil: no values in the cells
}

func (h heatCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(h.vals[0])) - 0.5, -0.5, float64(len(h.vals)) - 0.5
}

func (h heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for j, row := range h.vals {
		for i, x := range row {
			x0, x1 := trX(float64(i)-0.5), trX(float64(i)+0.5)
			y0, y1 := trY(float64(j)-0.5), trY(float64(j)+0.5)
			var col color.RGBA
			if x != x {
				col = color.RGBA{0xd9, 0xd9, 0xd9, 0xff}
			} else {
				col = h.ramp.at((x - h.lo) / (h.hi - h.lo))
			}
			rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			c.FillPolygon(col, rect)
			c.StrokeLines(draw.LineStyle{Color: color.White, Width: 1.5}, append(rect, rect[0]))
			if h.label == nil || x != x {
				continue
			}
			text := color.Color(color.Black)
			if 0.299*float64(col.R)+0.587*float64(col.G)+0.114*float64(col.B) < 140 {
				text = color.White
			}
			ts := draw.TextStyle{Color: text, Font: face(9), XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
			c.FillText(ts, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, h.label(x))
		}
	}
}

// maxLabelledCells is the most cells a heat map prints its values in.
const maxLabelledCells = 80

// heatFigure draws the metric of one variant over the first two
// parameters, averaged over the others, as equally sized cells.
func (in *SweepInput) heatFigure(metric string, variant int) *figure {
	kx, ky := in.heatAxes()
	ax, ay := in.axes[kx], in.axes[ky]
	scale, _ := metricUnit(metric)
	est := in.est[metric]
	nx, ny := len(ax.values), len(ay.values)
	vals := make([][]float64, ny)
	lo, hi := math.Inf(1), math.Inf(-1)
	for j := range vals {
		vals[j] = make([]float64, nx)
		for i := range vals[j] {
			sum, n := 0.0, 0
			for p := range in.Meta.Points {
				if e := est[p][variant]; ax.of[p] == i && ay.of[p] == j && e.ok {
					sum += e.mean * scale
					n++
				}
			}
			vals[j][i] = math.NaN()
			if n > 0 {
				vals[j][i] = sum / float64(n)
				lo, hi = min(lo, vals[j][i]), max(hi, vals[j][i])
			}
		}
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	name := in.Meta.Variants[variant]
	caption := fmt.Sprintf("%s of variant %s (mean over %d replications) for each combination of %s and %s",
		upperFirst(metricTitle(metric)), name, in.Meta.Replications, ax.path, ay.path)
	if others, titles := in.combos2(); len(others) > 0 {
		caption += fmt.Sprintf(", averaged over the %d combinations of the other parameters (%s)", titles, strings.Join(others, ", "))
	}
	if n := in.linkedNote(kx) + in.linkedNote(ky); n != "" {
		caption += "." + strings.TrimSuffix(n, ".")
	}
	caption += ". Cells are equally sized whatever the spacing of the values; darker is higher."
	if nx*ny > maxLabelledCells {
		caption += " Values are printed in the cells when there are at most " + strconv.Itoa(maxLabelledCells) + "."
	}
	cellH := vg.Length(0.42) * vg.Inch
	f := &figure{Name: "sweep-heatmap", Title: "Heat map: " + metricTitle(metric) + " by " + ax.path + " and " + ay.path,
		Caption: caption, W: 8 * vg.Inch, H: max(3.2*vg.Inch, min(7*vg.Inch, vg.Length(ny)*cellH+1.3*vg.Inch))}
	f.Draw = func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		const barW = vg.Length(80)
		unit := ""
		if _, u := metricUnit(metric); u != "" {
			unit = " (" + u + ")"
		}
		pl := newPlot(upperFirst(metricTitle(metric))+unit+", "+name, ax.path, ay.path)
		hc := heatCells{vals: vals, lo: lo, hi: hi, ramp: rampYlOrRd}
		if nx*ny <= maxLabelledCells {
			hc.label = fmtValue
		}
		pl.Add(hc)
		ticks := func(a paramAxis) plot.ConstantTicks {
			var ts []plot.Tick
			for i, v := range a.values {
				ts = append(ts, plot.Tick{Value: float64(i), Label: v})
			}
			return ts
		}
		pl.X.Tick.Marker, pl.Y.Tick.Marker = ticks(ax), ticks(ay)
		pl.X.Min, pl.X.Max = -0.5, float64(nx)-0.5
		pl.Y.Min, pl.Y.Max = -0.5, float64(ny)-0.5
		pl.Draw(draw.Crop(c, 0, -barW, 0, 0))

		bp := newPlot("", "", metricLabel(metric))
		bp.HideX()
		bp.Add(colourBar{rampYlOrRd, mapScale{lo: lo, hi: hi}})
		bp.Y.Min, bp.Y.Max = lo, hi
		bp.Y.Tick.Label.Font = face(8)
		bp.Y.Label.TextStyle.Font = face(9)
		bp.BackgroundColor = nil
		bp.Draw(draw.Crop(c, c.Max.X-c.Min.X-barW+8, -4, 30, -24))
	}
	return f
}

// combos2 names the parameters that vary with neither heat map axis and
// counts the combinations of their values.
func (in *SweepInput) combos2() ([]string, int) {
	kx, ky := in.heatAxes()
	var others []string
	for k, par := range in.Meta.Params {
		if !in.together(k, kx) && !in.together(k, ky) {
			others = append(others, par)
		}
	}
	var keys []string
	for _, p := range in.Meta.Points {
		var parts []string
		for _, par := range others {
			parts = append(parts, p.Values[par])
		}
		if key := strings.Join(parts, "\x00"); !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	return others, len(keys)
}

// fmtValue prints a value in display units with 2, 1 or 0 decimals by
// size.
func fmtValue(x float64) string {
	switch a := math.Abs(x); {
	case math.IsInf(x, 0):
		return "∞"
	case a < 10:
		return strconv.FormatFloat(x, 'f', 2, 64)
	case a < 100:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}
