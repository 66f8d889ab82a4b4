package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// noData is the fill of an area without a value (no calls to time).
var noData = color.RGBA{0xd9, 0xd9, 0xd9, 0xff}

// postKinds are the glyphs of posts, by the order kinds first appear.
var postGlyphs = []draw.GlyphDrawer{draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CircleGlyph{}, draw.PlusGlyph{}, draw.CrossGlyph{}}

var postColors = []color.RGBA{{0x08, 0x30, 0x6b, 0xff}, {0x00, 0x6d, 0x2c, 0xff}, {0x54, 0x27, 0x88, 0xff}, {0x00, 0x00, 0x00, 0xff}}

// cityMap draws a city in planar metres at equal scale on both axes,
// centred in the data canvas: areas filled by value, area outlines, district
// borders, routes, posts, district names and a scale bar.
type cityMap struct {
	city   *geo.City
	fill   []color.Color // by atom
	bounds orb.Bound
	kinds  []string // post kinds in order of first appearance
	border []bool   // per atom ring segment (flattened): on a district border
}

func newCityMap(city *geo.City, fill []color.Color) *cityMap {
	m := &cityMap{city: city, fill: fill}
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for a := range city.Atoms {
		b = b.Union(city.Atoms[a].Shape().Bound())
	}
	m.bounds = b
	for _, p := range city.Posts {
		if !slices.Contains(m.kinds, p.Kind) {
			m.kinds = append(m.kinds, p.Kind)
		}
	}
	m.border = districtBorders(city)
	return m
}

// segKey identifies a segment by its end points rounded to 0.1 m, in either
// direction.
type segKey struct{ ax, ay, bx, by int64 }

func keyOf(p, q orb.Point) segKey {
	a := [2]int64{int64(math.Round(p[0] * 10)), int64(math.Round(p[1] * 10))}
	b := [2]int64{int64(math.Round(q[0] * 10)), int64(math.Round(q[1] * 10))}
	if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
		a, b = b, a
	}
	return segKey{a[0], a[1], b[0], b[1]}
}

// districtBorders marks every ring segment of every atom, in drawing order,
// that is not shared with an atom of the same district: district borders
// and the city's edge.
func districtBorders(city *geo.City) []bool {
	type use struct {
		district int
		count    int
		mixed    bool
	}
	uses := map[segKey]*use{} // looked up only, never iterated
	eachSeg(city, func(a int, p, q orb.Point) {
		k := keyOf(p, q)
		u := uses[k]
		if u == nil {
			uses[k] = &use{district: city.Atoms[a].District, count: 1}
			return
		}
		u.count++
		u.mixed = u.mixed || u.district != city.Atoms[a].District
	})
	var out []bool
	eachSeg(city, func(a int, p, q orb.Point) {
		u := uses[keyOf(p, q)]
		out = append(out, u.count == 1 || u.mixed)
	})
	return out
}

func eachSeg(city *geo.City, fn func(a int, p, q orb.Point)) {
	for a := range city.Atoms {
		for _, poly := range city.Atoms[a].Shape() {
			for _, ring := range poly {
				for i := 1; i < len(ring); i++ {
					fn(a, ring[i-1], ring[i])
				}
			}
		}
	}
}

// DataRange implements plot.DataRanger.
func (m *cityMap) DataRange() (xmin, xmax, ymin, ymax float64) {
	return m.bounds.Min[0], m.bounds.Max[0], m.bounds.Min[1], m.bounds.Max[1]
}

// Plot implements plot.Plotter with its own transform: one scale for x and
// y, so the city keeps its shape whatever the canvas.
func (m *cityMap) Plot(c draw.Canvas, _ *plot.Plot) {
	dx, dy := m.bounds.Max[0]-m.bounds.Min[0], m.bounds.Max[1]-m.bounds.Min[1]
	w, h := float64(c.Max.X-c.Min.X), float64(c.Max.Y-c.Min.Y)
	if !(dx > 0) || !(dy > 0) || !(w > 0) || !(h > 0) {
		return
	}
	s := math.Min(w/dx, h/dy)
	ox := float64(c.Min.X) + (w-s*dx)/2
	oy := float64(c.Min.Y) + (h-s*dy)/2
	tr := func(x, y float64) vg.Point {
		return vg.Point{X: vg.Length(ox + s*(x-m.bounds.Min[0])), Y: vg.Length(oy + s*(y-m.bounds.Min[1]))}
	}
	// Fills, then outlines, then borders on top.
	for a := range m.city.Atoms {
		var path vg.Path
		for _, poly := range m.city.Atoms[a].Shape() {
			for _, ring := range poly {
				for i, p := range ring {
					if i == 0 {
						path.Move(tr(p[0], p[1]))
					} else {
						path.Line(tr(p[0], p[1]))
					}
				}
				path.Close()
			}
		}
		c.SetColor(m.fill[a])
		c.Fill(path)
	}
	thin := draw.LineStyle{Color: color.RGBA{0xff, 0xff, 0xff, 0xff}, Width: 0.4}
	thick := draw.LineStyle{Color: color.RGBA{0x25, 0x25, 0x25, 0xff}, Width: 1.6}
	var inner, outer [][]vg.Point
	i := 0
	eachSeg(m.city, func(_ int, p, q orb.Point) {
		seg := []vg.Point{tr(p[0], p[1]), tr(q[0], q[1])}
		if m.border[i] {
			outer = append(outer, seg)
		} else {
			inner = append(inner, seg)
		}
		i++
	})
	c.StrokeLines(thin, inner...)
	c.StrokeLines(thick, outer...)
	route := routeStyle()
	for _, r := range m.city.Routes {
		pts := make([]vg.Point, len(r.Path))
		for i, p := range r.Path {
			pts[i] = tr(p.X, p.Y)
		}
		c.StrokeLines(route, pts)
	}
	for _, p := range m.city.Posts {
		c.DrawGlyph(m.postStyle(p.Kind), tr(p.At.X, p.At.Y))
	}
	label := draw.TextStyle{Color: color.Black, Font: face(9), XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	halo := label
	halo.Color = color.NRGBA{0xff, 0xff, 0xff, 0xc0}
	for _, d := range m.city.Districts {
		pt := tr(d.Centroid.X, d.Centroid.Y)
		r := label.Rectangle(d.Name)
		c.FillPolygon(halo.Color, []vg.Point{
			{X: pt.X + r.Min.X - 2, Y: pt.Y + r.Min.Y - 1}, {X: pt.X + r.Max.X + 2, Y: pt.Y + r.Min.Y - 1},
			{X: pt.X + r.Max.X + 2, Y: pt.Y + r.Max.Y + 1}, {X: pt.X + r.Min.X - 2, Y: pt.Y + r.Max.Y + 1}})
		c.FillText(label, pt, d.Name)
	}
	m.scaleBar(c, s, tr(m.bounds.Min[0], m.bounds.Min[1]))
}

// scaleBar draws a bar of a round length (1, 2 or 5 × 10ⁿ m) about a fifth
// of the city's width at its lower left.
func (m *cityMap) scaleBar(c draw.Canvas, s float64, at vg.Point) {
	want := (m.bounds.Max[0] - m.bounds.Min[0]) / 5
	step := math.Pow(10, math.Floor(math.Log10(want)))
	for _, f := range []float64{5, 2, 1} {
		if f*step <= want {
			step *= f
			break
		}
	}
	x0, y0 := at.X, at.Y-9
	if y0 < c.Min.Y+2 {
		y0 = c.Min.Y + 2
	}
	x1 := x0 + vg.Length(step*s)
	ls := draw.LineStyle{Color: color.Black, Width: 1.5}
	c.StrokeLines(ls, []vg.Point{{X: x0, Y: y0 + 3}, {X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y0 + 3}})
	lab := fmt.Sprintf("%g m", step)
	if step >= 1000 {
		lab = fmt.Sprintf("%g km", step/1000)
	}
	st := draw.TextStyle{Color: color.Black, Font: face(8), XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	c.FillText(st, vg.Point{X: x1 + 3, Y: y0 + 1}, lab)
}

func routeStyle() draw.LineStyle {
	return draw.LineStyle{Color: color.RGBA{0x3f, 0x00, 0x7d, 0xff}, Width: 1.2, Dashes: []vg.Length{3, 1.5}}
}

func (m *cityMap) postStyle(kind string) draw.GlyphStyle {
	k := slices.Index(m.kinds, kind)
	return draw.GlyphStyle{Shape: postGlyphs[k%len(postGlyphs)], Color: postColors[k%len(postColors)], Radius: 2.6}
}

// legend adds the posts, routes and borders to l, and a grey swatch
// labelled noDataLabel unless that is empty.
func (m *cityMap) legend(l *plot.Legend, noDataLabel string) (entries int) {
	border, _ := plotter.NewLine(plotter.XYs{{}, {X: 1}})
	border.LineStyle = draw.LineStyle{Color: color.RGBA{0x25, 0x25, 0x25, 0xff}, Width: 1.6}
	l.Add("district border", border)
	if len(m.city.Routes) > 0 {
		r, _ := plotter.NewLine(plotter.XYs{{}, {X: 1}})
		r.LineStyle = routeStyle()
		l.Add("patrol route", r)
	}
	for _, k := range m.kinds {
		s, _ := plotter.NewScatter(plotter.XYs{{}})
		s.GlyphStyle = m.postStyle(k)
		name := k
		if name == "" {
			name = "post"
		}
		l.Add(name, s)
	}
	if noDataLabel != "" {
		b, _ := plotter.NewBarChart(plotter.Values{1}, 1)
		b.Color = noData
		b.LineStyle.Width = 0
		l.Add(noDataLabel, b)
		entries++
	}
	return entries + 1 + len(m.kinds) + min(1, len(m.city.Routes))
}

// colourBar draws a vertical colour scale from lo to hi.
type colourBar struct {
	ramp   ramp
	lo, hi float64
}

func (b colourBar) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, b.lo, b.hi }

func (b colourBar) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	const steps = 64
	for i := range steps {
		y0 := b.lo + (b.hi-b.lo)*float64(i)/steps
		y1 := b.lo + (b.hi-b.lo)*float64(i+1)/steps
		col := b.ramp.at((float64(i) + 0.5) / steps)
		c.FillPolygon(col, []vg.Point{{X: trX(0), Y: trY(y0)}, {X: trX(1), Y: trY(y0)}, {X: trX(1), Y: trY(y1) + 0.3}, {X: trX(0), Y: trY(y1) + 0.3}})
	}
}

// mapFigure draws one map of city: per-area values coloured on ramp, with
// a colour bar labelled label. vals[a] NaN is no data, shown grey and, if
// there is any, named noDataLabel in the legend.
func mapFigure(city *geo.City, name, title, caption, label, noDataLabel string, vals []float64, rp ramp) *figure {
	lo, hi := math.Inf(1), math.Inf(-1)
	missing := false
	for _, x := range vals {
		if x != x {
			missing = true
			continue
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	fill := make([]color.Color, len(vals))
	for a, x := range vals {
		if x != x {
			fill[a] = noData
		} else {
			fill[a] = rp.at((x - lo) / (hi - lo))
		}
	}
	cm := newCityMap(city, fill)
	leg := plot.NewLegend()
	leg.TextStyle.Font = face(8)
	leg.ThumbnailWidth = 12
	leg.Padding = 1
	leg.Top, leg.Left = true, false
	if !missing {
		noDataLabel = ""
	}
	entries := cm.legend(&leg, noDataLabel)
	const (
		barW   = vg.Length(72)
		titleH = vg.Length(22)
		scaleH = vg.Length(16)
	)
	legendH := vg.Length(entries)*10 + 4
	dx, dy := cm.bounds.Max[0]-cm.bounds.Min[0], cm.bounds.Max[1]-cm.bounds.Min[1]
	mapH := vg.Length(math.Min(330, math.Max(150, float64(halfW-barW-8)*dy/dx)))
	f := &figure{Name: name, Title: title, Caption: caption, W: halfW, H: titleH + legendH + mapH + scaleH}
	f.Draw = func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		ts := draw.TextStyle{Color: color.Black, Font: face(11), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		c.FillText(ts, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - 4}, title)
		body := draw.Crop(c, 4, -barW, 0, -titleH)
		leg.Draw(draw.Crop(body, 0, 0, body.Max.Y-body.Min.Y-legendH, 0))
		cm.Plot(draw.Crop(body, 0, 0, scaleH, -legendH), nil)

		bp := newPlot("", "", label)
		bp.HideX()
		bp.Add(colourBar{rp, lo, hi})
		bp.Y.Min, bp.Y.Max = lo, hi
		bp.Y.Tick.Label.Font = face(8)
		bp.Y.Label.TextStyle.Font = face(9)
		bp.BackgroundColor = nil
		bp.Draw(draw.Crop(c, c.Max.X-c.Min.X-barW, -4, scaleH, -titleH-legendH/2))
	}
	return f
}

// mapFigures returns the three maps of the best-ranked variant.
func mapFigures(in *Input) []*figure {
	best := in.ByRank()[0]
	d := in.Details.Variants[best]
	name := in.Results.Variants[best].Name
	n := len(d.AtomsData.Realised)
	vis := make([]float64, n)
	resp := make([]float64, n)
	for a := range n {
		vis[a] = shareShown.Scale * d.AtomsData.Visibility[a]
		resp[a] = math.NaN()
		if r := d.AtomsData.RespMeanS[a]; r != nil {
			resp[a] = *r * timeShown.Scale
		}
	}
	return []*figure{
		mapFigure(in.City(), "map-realised", "Incidents realised — "+name,
			"Mean incidents realised per replication in each area (community) under the best-ranked variant, "+name+".",
			"incidents per replication", "no calls", d.AtomsData.Realised, rampYlOrRd),
		mapFigure(in.City(), "map-visibility", "Police visibility — "+name,
			"Share of hours in which police were visible in each area (at or above the visibility threshold), "+name+".",
			"hours with police visible ("+shareShown.Unit+")", "no calls", vis, rampYlGnBu),
		mapFigure(in.City(), "map-response", "Mean response time — "+name,
			"Mean response time of the calls answered in each area, "+name+"; grey: no calls.",
			"mean response time ("+timeShown.Unit+")", "no calls", resp, rampPuRd),
	}
}
