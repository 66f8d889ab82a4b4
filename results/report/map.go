package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"gonum.org/v1/gonum/stat/distuv"
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

// mapScale maps an area's value to a position t in [0, 1] on a ramp.
//
// A sequential scale (counted false) runs linearly from lo to hi. A count
// scale (counted true, for incident counts) is centred on the city-wide
// mean: t = ½ at the mean, below it on the lower half of the ramp, above
// it on the upper half, and every value within ±band of the mean drawn in
// the middle colour. band is z × the standard error a count would have if
// every area had the mean's rate (Poisson, see countScale), so that areas
// differing only by chance read as one colour; the range reaches at
// least 2 × band either side, so that a value just outside the band is
// only a shade off the middle.
type mapScale struct {
	lo, hi  float64
	counted bool
	mean    float64 // counted: the ramp's middle
	band    float64 // counted: half-width of the middle colour's band around mean
	se      float64 // counted: the standard error band is a multiple of
	uniform bool    // every value the same (within 1e-9 of the mean, relative)
}

// t returns x's position on the ramp.
func (s mapScale) t(x float64) float64 {
	if !s.counted {
		if !(s.hi > s.lo) {
			return 0.5
		}
		return (x - s.lo) / (s.hi - s.lo)
	}
	switch {
	case s.uniform || math.Abs(x-s.mean) <= s.band:
		return 0.5
	case x < s.mean:
		if d := s.mean - s.band - s.lo; d > 0 {
			return 0.5 * (x - s.lo) / d
		}
		return 0
	default:
		if d := s.hi - s.mean - s.band; d > 0 {
			return 0.5 + 0.5*(x-s.mean-s.band)/d
		}
		return 1
	}
}

// seqScale is the sequential scale over the finite values of vals.
func seqScale(vals []float64) mapScale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range vals {
		if x == x {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	switch {
	case lo > hi:
		lo, hi = 0, 1
	case hi == lo:
		hi = lo + 1
	}
	return mapScale{lo: lo, hi: hi}
}

// countScale is the count scale (mapScale) of vals, each area's mean count
// over reps replications (reps 0: exact expected values, no noise), with
// index of dispersion disp (variance ÷ mean of one replication's count:
// 1 for Poisson arrivals; 1/(1 − o)² with near repeats of o offspring an
// incident, the variance of a Poisson cluster process whose clusters are
// the total progeny of a Poisson Galton–Watson process, E[S²] = 1/(1 − o)³
// and E[S] = 1/(1 − o); Harris 1963, ch. I).
//
// Under "every area has the city mean m", an area's mean count has
// standard error se = √(m × disp ÷ reps). The band is z se with z the
// two-sided 5% normal quantile Bonferroni-corrected over the n areas,
// Φ⁻¹(1 − 0.025/n) (3.48 for 100 areas, 3.54 for 126): on a uniform city
// every area falls inside it with probability about 95%, so the map is
// one colour. The range is [min(lowest, m − 2 band), max(highest, m + 2
// band)], cut at 0.
func countScale(vals []float64, reps int, disp float64) mapScale {
	sum, n := 0.0, 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range vals {
		if x == x {
			sum += x
			n++
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if n == 0 {
		return seqScale(vals)
	}
	m := sum / float64(n)
	s := mapScale{counted: true, mean: m}
	if reps > 0 && m > 0 {
		s.se = math.Sqrt(m * max(disp, 1) / float64(reps))
		s.band = bonferroniZ(n) * s.se
	}
	s.lo, s.hi = max(0, min(lo, m-2*s.band)), max(hi, m+2*s.band) // counts are never negative
	s.uniform = hi-lo <= 1e-9*math.Abs(m)
	if s.uniform && s.band == 0 {
		// Exact and equal: a bar of ±10% around the one value.
		d := math.Max(0.1*math.Abs(m), 1e-9)
		s.lo, s.hi = m-d, m+d
	}
	return s
}

// bonferroniZ is Φ⁻¹(1 − 0.025/n): a two-sided 5% test over n areas at
// once, Bonferroni-corrected.
func bonferroniZ(n int) float64 {
	return distuv.UnitNormal.Quantile(1 - 0.025/float64(max(n, 1)))
}

// note says what a count scale's middle colour means, for under the map;
// "" for a sequential scale.
func (s mapScale) note(unit string) string {
	switch {
	case !s.counted:
		return ""
	case s.uniform && s.band == 0:
		return fmt.Sprintf("Every area: %s %s (one colour).", fmtSig(s.mean), unit)
	case s.band > 0:
		return fmt.Sprintf("Middle colour: the area mean %s ± %s (%.2f s.e. of Poisson noise): areas this close do not differ.",
			fmtSig(s.mean), fmtSig(s.band), s.band/s.se)
	}
	return fmt.Sprintf("Centred on the area mean %s: above it warmer, below it cooler.", fmtSig(s.mean))
}

// fmtSig writes a value with 4 significant digits, without trailing
// zeros.
func fmtSig(x float64) string {
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// colourBar draws a vertical colour scale from the scale's lo to hi, each
// value in the colour an area with it gets.
type colourBar struct {
	ramp  ramp
	scale mapScale
}

func (b colourBar) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, 1, b.scale.lo, b.scale.hi
}

func (b colourBar) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	const steps = 64
	lo, hi := b.scale.lo, b.scale.hi
	for i := range steps {
		y0 := lo + (hi-lo)*float64(i)/steps
		y1 := lo + (hi-lo)*float64(i+1)/steps
		col := b.ramp.at(b.scale.t((y0 + y1) / 2))
		c.FillPolygon(col, []vg.Point{{X: trX(0), Y: trY(y0)}, {X: trX(1), Y: trY(y0)}, {X: trX(1), Y: trY(y1) + 0.3}, {X: trX(0), Y: trY(y1) + 0.3}})
	}
	if b.scale.counted { // the mean, and the band's edges
		ls := draw.LineStyle{Color: color.Black, Width: 0.8}
		c.StrokeLine2(ls, trX(-0.15), trY(b.scale.mean), trX(1.15), trY(b.scale.mean))
		if b.scale.band > 0 {
			thin := draw.LineStyle{Color: color.Gray{0x44}, Width: 0.5, Dashes: []vg.Length{2, 1}}
			for _, y := range []float64{b.scale.mean - b.scale.band, b.scale.mean + b.scale.band} {
				c.StrokeLine2(thin, trX(0), trY(y), trX(1), trY(y))
			}
		}
	}
}

// mapFigure draws one map of city: per-area values coloured on ramp by
// scale, with a colour bar labelled label and the scale's note under the
// map. vals[a] NaN is no data, shown grey and, if there is any, named
// noDataLabel in the legend.
func mapFigure(city *geo.City, name, title, caption, label, noDataLabel string, vals []float64, rp ramp, scale mapScale, note string) *figure {
	missing := false
	fill := make([]color.Color, len(vals))
	for a, x := range vals {
		if x != x {
			fill[a] = noData
			missing = true
		} else {
			fill[a] = rp.at(scale.t(x))
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
	noteH := vg.Length(0)
	if note != "" {
		noteH = 14
	}
	legendH := vg.Length(entries)*10 + 4
	dx, dy := cm.bounds.Max[0]-cm.bounds.Min[0], cm.bounds.Max[1]-cm.bounds.Min[1]
	mapH := vg.Length(math.Min(330, math.Max(150, float64(halfW-barW-8)*dy/dx)))
	f := &figure{Name: name, Title: title, Caption: caption, W: halfW, H: titleH + legendH + mapH + scaleH + noteH}
	f.Draw = func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		ts := draw.TextStyle{Color: color.Black, Font: face(11), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		c.FillText(ts, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - 4}, title)
		if note != "" {
			ns := draw.TextStyle{Color: color.Black, Font: face(7.5), XAlign: draw.XLeft, YAlign: draw.YBottom, Handler: plot.DefaultTextHandler}
			c.FillText(ns, vg.Point{X: c.Min.X + 4, Y: c.Min.Y + 3}, note)
			c = draw.Crop(c, 0, 0, noteH, 0)
		}
		body := draw.Crop(c, 4, -barW, 0, -titleH)
		leg.Draw(draw.Crop(body, 0, 0, body.Max.Y-body.Min.Y-legendH, 0))
		cm.Plot(draw.Crop(body, 0, 0, scaleH, -legendH), nil)

		bp := newPlot("", "", label)
		bp.HideX()
		bp.Add(colourBar{rp, scale})
		bp.Y.Min, bp.Y.Max = scale.lo, scale.hi
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
	cs := countScale(d.AtomsData.Realised, in.Results.Replications, dispersion(in.Config().NearRepeat.Offspring))
	return []*figure{
		mapFigure(in.City(), "map-realised", "Incidents realised — "+name,
			"Mean incidents realised per replication in each area (community) under the best-ranked variant, "+name+
				", on a scale centred on the mean area: warmer above it, cooler below it; areas within Poisson noise of the mean "+
				"(the band marked on the colour bar) share its colour, so a city of equal areas reads as one colour.",
			"incidents per replication", "no calls", d.AtomsData.Realised, rampRdYlBu, cs, cs.note("incidents per replication")),
		mapFigure(in.City(), "map-visibility", "Police visibility — "+name,
			"Share of hours in which police were visible in each area (at or above the visibility threshold), "+name+".",
			"hours with police visible ("+shareShown.Unit+")", "no calls", vis, rampYlGnBu, seqScale(vis), ""),
		mapFigure(in.City(), "map-response", "Mean response time — "+name,
			"Mean response time of the calls answered in each area, "+name+"; grey: no calls.",
			"mean response time ("+timeShown.Unit+")", "no calls", resp, rampPuRd, seqScale(resp), ""),
	}
}

// dispersion is the index of dispersion (variance ÷ mean) of an area's
// incident count with near repeats of o offspring an incident (see
// countScale): 1/(1 − o)², 1 without.
func dispersion(o float64) float64 {
	if o > 0 && o < 1 {
		return 1 / ((1 - o) * (1 - o))
	}
	return 1
}
