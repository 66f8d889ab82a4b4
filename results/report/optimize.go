package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// OptimizePoint is one candidate of `patrolsim optimize` on its chart.
type OptimizePoint struct {
	Name string
	// X and Y are the two objectives, in the axes' shown units, with their
	// 95% intervals (Low = High = the value for an exact one).
	X, XLow, XHigh float64
	Y, YLow, YHigh float64
	Front          bool // on the Pareto front (by means)
	Chosen         bool
	// Screen and Sim are the screen's and the simulation's mean response
	// time in minutes, SimLow and SimHigh the latter's 95% interval;
	// Screen NaN or infinite when the screen has no value.
	Screen, Sim, SimLow, SimHigh float64
}

// OptimizeChart holds what OptimizeSVG draws.
type OptimizeChart struct {
	Title          string
	XLabel, YLabel string
	Points         []OptimizePoint
	// Limit, when not NaN, is a constraint's limit on Y, drawn as a
	// red dashed line across the left panel.
	Limit float64
}

// OptimizeSVG draws an optimisation's chart, two panels: the candidates'
// two objectives with 95% intervals, the Pareto front ringed and joined
// in order of X, the chosen labelled with a star; and the screen's mean
// response against the simulation's, with the line where they agree, so
// that a reader sees where the screen misleads. The bytes depend only on
// the input.
func OptimizeSVG(ch OptimizeChart) ([]byte, error) {
	f := &figure{Name: "optimize", W: 11 * vg.Inch, H: 5 * vg.Inch}
	f.Draw = func(c draw.Canvas) {
		var all, front plotter.XYs
		var xe plotter.XErrors
		var ye plotter.YErrors
		var labels []string
		var scr, scrSim plotter.XYs
		var scrErr plotter.YErrors
		var scrLabels []string
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range ch.Points {
			name := p.Name
			if p.Chosen {
				name += " *"
			}
			if finiteAll(p.X, p.Y) {
				pt := plotter.XY{X: p.X, Y: p.Y}
				all = append(all, pt)
				xe = append(xe, struct{ Low, High float64 }{orZero(p.X - p.XLow), orZero(p.XHigh - p.X)})
				ye = append(ye, struct{ Low, High float64 }{orZero(p.Y - p.YLow), orZero(p.YHigh - p.Y)})
				labels = append(labels, name)
				if p.Front {
					front = append(front, pt)
				}
			}
			if finiteAll(p.Screen, p.Sim) {
				scr = append(scr, plotter.XY{X: p.Screen, Y: p.Sim})
				scrErr = append(scrErr, struct{ Low, High float64 }{orZero(p.Sim - p.SimLow), orZero(p.SimHigh - p.Sim)})
				scrLabels = append(scrLabels, name)
				scrSim = append(scrSim, plotter.XY{X: p.Screen, Y: p.Sim})
				lo, hi = min(lo, p.Screen, p.Sim), max(hi, p.Screen, p.Sim)
			}
		}
		left := newPlot(ch.Title, ch.XLabel, ch.YLabel)
		addGrid(left, true, true)
		if len(all) > 0 {
			ex, _ := plotter.NewXErrorBars(errorPoints{all, xe})
			ey, _ := plotter.NewYErrorBars(yErrorPoints{all, ye})
			for _, e := range []*draw.LineStyle{&ex.LineStyle, &ey.LineStyle} {
				e.Color = color.Gray{0x99}
			}
			ex.CapWidth, ey.CapWidth = 4, 4
			left.Add(ex, ey)
			if !math.IsNaN(ch.Limit) {
				x0, x1 := math.Inf(1), math.Inf(-1)
				for i, p := range all {
					x0, x1 = min(x0, p.X-xe[i].Low), max(x1, p.X+xe[i].High)
				}
				l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: ch.Limit}, {X: x1, Y: ch.Limit}})
				l.Color = color.RGBA{R: 0xcc, A: 0xff}
				l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
				left.Add(l)
			}
			line := sortedByX(front)
			if len(line) > 1 {
				l, _ := plotter.NewLine(line)
				l.Color = keyColor
				l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
				left.Add(l)
			}
			s, _ := plotter.NewScatter(all)
			s.GlyphStyle = otherGlyph(keyColor, paretoMarkerRadius)
			left.Add(s)
			if len(front) > 0 {
				fs, _ := plotter.NewScatter(front)
				fs.GlyphStyle = frontGlyph(color.Black, paretoMarkerRadius)
				left.Add(fs)
			}
			left.Add(newPointLabels(all, labels, 8, paretoMarkerRadius))
			padRange(&left.X)
			padRange(&left.Y)
		}
		right := newPlot("Screen against simulation", "screen: mean response (min)", "simulation: mean response (min)")
		addGrid(right, true, true)
		if len(scr) > 0 {
			diag, _ := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
			diag.Color = color.Gray{0xaa}
			diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			ey, _ := plotter.NewYErrorBars(yErrorPoints{scr, scrErr})
			ey.Color = color.Gray{0x99}
			s, _ := plotter.NewScatter(scrSim)
			s.GlyphStyle = otherGlyph(keyColor, paretoMarkerRadius)
			right.Add(diag, ey, s, newPointLabels(scr, scrLabels, 8, paretoMarkerRadius))
			padRange(&right.X)
			padRange(&right.Y)
		}
		drawPlots(c, left, right)
	}
	return f.svg()
}

func finiteAll(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func orZero(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return x
}

func sortedByX(pts plotter.XYs) plotter.XYs {
	out := append(plotter.XYs(nil), pts...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && cmpFloat(out[j].X, out[j-1].X) < 0; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
