package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sans is the typeface of every chart: Liberation Sans ships inside
// gonum/plot, so text is measured the same on every machine; browsers
// showing the SVG fall back to their own sans-serif.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func face(size vg.Length) font.Font {
	f := sans
	f.Size = size
	return f
}

// newPlot returns a plot with the house fonts and sizes.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = face(11)
	p.Title.Padding = 6
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = face(10)
		a.Tick.Label.Font = face(9)
		a.Padding = 2
		a.Tick.Marker = ticks{}
	}
	p.Legend.TextStyle.Font = face(9)
	p.Legend.ThumbnailWidth = 18
	p.Legend.Padding = 1
	return p
}

// addGrid adds light grid lines to p.
func addGrid(p *plot.Plot, vertical, horizontal bool) {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{0xe0}
	g.Horizontal.Color = color.Gray{0xe0}
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
}

// variantColors are distinguishable colours for up to 20 variants
// (Tableau 20: the ten Tableau 10 colours, then their lighter shades);
// beyond 20 they repeat, lines dashed.
var variantColors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
	{0xae, 0xc7, 0xe8, 0xff}, {0xff, 0xbb, 0x78, 0xff}, {0x98, 0xdf, 0x8a, 0xff}, {0xff, 0x98, 0x96, 0xff},
	{0xc5, 0xb0, 0xd5, 0xff}, {0xc4, 0x9c, 0x94, 0xff}, {0xf7, 0xb6, 0xd2, 0xff}, {0xc7, 0xc7, 0xc7, 0xff},
	{0xdb, 0xdb, 0x8d, 0xff}, {0x9e, 0xda, 0xe5, 0xff},
}

// variantColor returns the colour of the i-th variant in results.json
// order: the same in every chart of a report (lines, markers, bars), and
// so on the what-if page, which shows the report's charts. No chart uses
// these colours for anything but variants.
func variantColor(i int) color.RGBA {
	return variantColors[i%len(variantColors)]
}

// VariantColour returns, as #rrggbb, the colour of the i-th variant in
// results.json order in every chart of a report: the what-if page marks
// its tables' variants with it, so that a name and its lines, markers and
// bars agree.
func VariantColour(i int) string {
	c := variantColor(i)
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}

// variantLine returns the line style of the i-th variant in results.json
// order, the same in every chart.
func variantLine(i int) draw.LineStyle {
	ls := draw.LineStyle{Color: variantColor(i), Width: 1.5}
	switch i / (len(variantColors) / 2) % 3 { // the lighter shades dashed, and so on
	case 1:
		ls.Dashes = []vg.Length{5, 2}
	case 2:
		ls.Dashes = []vg.Length{1.5, 1.5}
	}
	return ls
}

// ramp is a sequential colour map through evenly spaced stops.
type ramp []color.RGBA

func hexRamp(hex ...string) ramp {
	r := make(ramp, len(hex))
	for i, h := range hex {
		var c color.RGBA
		fmt.Sscanf(h, "%02x%02x%02x", &c.R, &c.G, &c.B)
		c.A = 0xff
		r[i] = c
	}
	return r
}

// ColorBrewer sequential schemes, 9 classes (Harrower and Brewer 2003,
// colorbrewer2.org).
var (
	rampYlOrRd = hexRamp("ffffcc", "ffeda0", "fed976", "feb24c", "fd8d3c", "fc4e2a", "e31a1c", "bd0026", "800026")
	rampYlGnBu = hexRamp("ffffd9", "edf8b1", "c7e9b4", "7fcdbb", "41b6c4", "1d91c0", "225ea8", "253494", "081d58")
	rampPuRd   = hexRamp("f7f4f9", "e7e1ef", "d4b9da", "c994c7", "df65b0", "e7298a", "ce1256", "980043", "67001f")
	// RdYlBu, diverging, 9 classes, reversed (blue low, red high): its
	// middle, pale yellow, is no grey, so it never reads as "no data".
	rampRdYlBu = hexRamp("4575b4", "74add1", "abd9e9", "e0f3f8", "ffffbf", "fee090", "fdae61", "f46d43", "d73027")
)

// at returns the colour at t in [0, 1] (clamped), interpolated in sRGB.
func (r ramp) at(t float64) color.RGBA {
	if !(t > 0) {
		return r[0]
	}
	if t >= 1 {
		return r[len(r)-1]
	}
	x := t * float64(len(r)-1)
	i := int(x)
	f := x - float64(i)
	a, b := r[i], r[i+1]
	mix := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + f*(float64(q)-float64(p)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// How the report shows a metric: its declaration in the results registry
// (results.Lookup by name, so that a results.json of any version reads),
// the same label, unit and scale as the terminal table, check and the
// what-if page. Charts of distributions (details.json: response times,
// visibility by area) show times and shares in the formats of those kinds.
var (
	timeShown  = results.KindTime.Format()
	shareShown = results.KindShare.Format()
)

// metricUnit returns how a metric is shown: the factor from its stored
// unit (seconds, shares) and the shown unit ("min", "%", "").
func metricUnit(name string) (scale float64, unit string) {
	f := results.Describe(results.Metric{Name: name}).Format()
	return f.Scale, f.Unit
}

// metricTitle returns a metric's label, without its unit ("P1 response,
// p90"); for a metric the registry does not declare, its name in words.
func metricTitle(name string) string {
	m := results.Describe(results.Metric{Name: name})
	if m.Kind == results.KindUnknown {
		return strings.ReplaceAll(name, "_", " ")
	}
	return m.Label
}

// metricLabel is an axis label: label and unit ("P1 response, p90 (min)").
func metricLabel(name string) string {
	_, unit := metricUnit(name)
	if unit == "" {
		return metricTitle(name)
	}
	return metricTitle(name) + " (" + unit + ")"
}

// ticks are gonum's default tick positions with labels in the shortest
// form that reads back ("25", not "25.00").
type ticks struct{}

func (ticks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			v, _ := strconv.ParseFloat(strconv.FormatFloat(ts[i].Value, 'g', 10, 64), 64)
			ts[i].Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ts
}
