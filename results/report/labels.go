package report

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pointLabels is a plotter that names points without any two names
// overlapping: placeLabels chooses each label's box, measured with the
// font metrics gonum/plot draws with, and a label placed away from its
// point gets a thin leader line. Add it after the points' markers.
type pointLabels struct {
	XYs    plotter.XYs // the points, in data coordinates
	Labels []string
	Style  text.Style // font and colour of every label
	Radius vg.Length  // of the points' markers: labels keep clear of them
	// Lines are segments (data coordinates: error bars, a front) that
	// labels avoid when they can.
	Lines [][2]plotter.XY

	// Set by Plot, for tests: each label's box (in the order of Labels),
	// the data area they were placed in, and which got a leader line.
	Boxes   []vg.Rectangle
	Area    vg.Rectangle
	Leaders []bool
}

// newPointLabels labels pts with labels in sans-serif of size pt.
func newPointLabels(pts plotter.XYs, labels []string, size vg.Length, radius vg.Length) *pointLabels {
	return &pointLabels{XYs: pts, Labels: labels, Radius: radius,
		Style: text.Style{Color: color.Black, Font: face(size), Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YBottom}}
}

// Plot implements plot.Plotter.
func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	at := func(xy plotter.XY) vg.Point { return vg.Point{X: trX(xy.X), Y: trY(xy.Y)} }
	marks := make([]vg.Point, len(l.XYs))
	for i, xy := range l.XYs {
		marks[i] = at(xy)
	}
	lines := make([][2]vg.Point, len(l.Lines))
	for i, s := range l.Lines {
		lines[i] = [2]vg.Point{at(s[0]), at(s[1])}
	}
	sizes := make([]vg.Point, len(l.Labels))
	for i, s := range l.Labels {
		sizes[i] = l.Style.Rectangle(s).Size()
	}
	l.Area = c.Rectangle
	l.Boxes, l.Leaders = placeLabels(marks, sizes, l.Radius, c.Rectangle, lines)
	lead := draw.LineStyle{Color: color.Gray{0x66}, Width: 0.6}
	for i, b := range l.Boxes {
		if l.Leaders[i] {
			from, to := leaderEnds(marks[i], l.Radius, b)
			c.StrokeLine2(lead, from.X, from.Y, to.X, to.Y)
		}
	}
	for i, b := range l.Boxes {
		// A light ground keeps the text legible over lines it could not
		// avoid.
		c.SetColor(color.NRGBA{0xff, 0xff, 0xff, 0xc0})
		c.Fill(pad(b, 0.5).Path())
		// The text's box drawn at (0, 0) has its corner at r.Min: shift it
		// to the chosen box.
		r := l.Style.Rectangle(l.Labels[i])
		c.FillText(l.Style, b.Min.Sub(r.Min), l.Labels[i])
	}
}

// DataRange implements plot.DataRanger: the points' range.
func (l *pointLabels) DataRange() (xmin, xmax, ymin, ymax float64) {
	return plotter.XYRange(l.XYs)
}

// Label placement: a label's box sits beside its point, in the first
// direction of nearDirections whose box stays inside the data area and
// touches no label placed before it, no point's marker and no line (error
// bars, the front, leader lines placed before). Failing that, the same
// directions and those between them are tried farther out, a ring at a
// time, with a leader line joining label and point (it must cross no
// label either). Then both again allowing the lines, then allowing
// markers too (never labels); only a label that fits nowhere goes where it
// overlaps the least. Labels are placed in the order given, so the first
// get the nearest places; the result depends only on the input. Cost:
// O(n × (n + lines) × rings) box tests.
const (
	labelGap   = 2   // points between a marker and its label
	labelPad   = 1.5 // points kept free around a label's box
	labelRings = 24  // rings tried farther out, each a label height apart
)

// Directions in degrees, counterclockwise from the right: near the point
// right, left, above, below, then the diagonals; farther out also the
// directions between those.
var (
	nearDirections = []float64{0, 180, 90, 270, 45, 135, 315, 225}
	ringDirections = append(append([]float64{}, nearDirections...), 22.5, 157.5, 337.5, 202.5, 67.5, 112.5, 292.5, 247.5)
)

// placeLabels returns a box of size sizes[i] for the label of each marker
// (centre marks[i], radius r) inside area, and whether it stands away from
// its marker (so needs a leader line); lines are segments to avoid. See
// the comment above for the rule.
func placeLabels(marks []vg.Point, sizes []vg.Point, r vg.Length, area vg.Rectangle, lines [][2]vg.Point) ([]vg.Rectangle, []bool) {
	boxes := make([]vg.Rectangle, len(sizes))
	leaders := make([]bool, len(sizes))
	var placed []vg.Rectangle // padded boxes of the labels placed so far
	lines = slices.Clone(lines)
	markBoxes := make([]vg.Rectangle, len(marks))
	for i, m := range marks {
		markBoxes[i] = vg.Rectangle{Min: vg.Point{X: m.X - r, Y: m.Y - r}, Max: vg.Point{X: m.X + r, Y: m.Y + r}}
	}
	step := vg.Length(0)
	for _, s := range sizes {
		step = max(step, s.Y)
	}
	// free reports whether box b of marker i (with a leader line when
	// lead) is inside area and clear of the labels placed, and of markers
	// and lines as asked.
	free := func(i int, b vg.Rectangle, lead, avoidMarks, avoidLines bool) bool {
		if b.Min.X < area.Min.X || b.Min.Y < area.Min.Y || b.Max.X > area.Max.X || b.Max.Y > area.Max.Y {
			return false
		}
		p := pad(b, labelPad)
		var from, to vg.Point
		if lead {
			from, to = leaderEnds(marks[i], r, b)
		}
		for _, q := range placed {
			if overlaps(p, q) || lead && segmentCrosses(from, to, q) {
				return false
			}
		}
		if avoidMarks {
			for j, q := range markBoxes {
				if overlaps(b, q) || lead && j != i && segmentCrosses(from, to, q) {
					return false
				}
			}
		}
		if avoidLines {
			for _, s := range lines {
				if segmentCrosses(s[0], s[1], p) {
					return false
				}
			}
		}
		return true
	}
	for i, size := range sizes {
		m := marks[i]
		found := false
		try := func(dirs []float64, dist vg.Length, avoidMarks, avoidLines bool) {
			for _, d := range dirs {
				if found {
					return
				}
				b := boxToward(m, size, r+labelGap+dist, d)
				if free(i, b, dist > 0, avoidMarks, avoidLines) {
					boxes[i], leaders[i], found = b, dist > 0, true
				}
			}
		}
		for _, avoid := range []struct{ marks, lines bool }{{true, true}, {true, false}, {false, false}} {
			try(nearDirections, 0, avoid.marks, avoid.lines)
			for k := 1; k <= labelRings && !found; k++ {
				try(ringDirections, vg.Length(k)*step, avoid.marks, avoid.lines)
			}
			if found {
				break
			}
		}
		if !found {
			boxes[i], leaders[i] = leastOverlap(m, size, r, step, area, placed)
		}
		placed = append(placed, pad(boxes[i], labelPad))
		if leaders[i] {
			from, to := leaderEnds(m, r, boxes[i])
			lines = append(lines, [2]vg.Point{from, to})
		}
	}
	return boxes, leaders
}

// segmentCrosses reports whether the segment from a to b passes through
// the inside of box q (Liang and Barsky's clipping: the parameter range of
// the segment within each slab of the box).
func segmentCrosses(a, b vg.Point, q vg.Rectangle) bool {
	d := b.Sub(a)
	t0, t1 := 0.0, 1.0
	for _, e := range []struct{ p, q vg.Length }{
		{-d.X, a.X - q.Min.X}, {d.X, q.Max.X - a.X}, {-d.Y, a.Y - q.Min.Y}, {d.Y, q.Max.Y - a.Y},
	} {
		if e.p == 0 {
			if e.q <= 0 {
				return false
			}
			continue
		}
		t := float64(e.q / e.p)
		if e.p < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 >= t1 {
			return false
		}
	}
	return true
}

// boxToward returns the box of size s that touches the point at distance
// dist from m in direction deg (degrees counterclockwise from the right)
// with the side or corner facing m: to the right, the middle of its left
// side; above, the middle of its bottom; diagonally, near its corner.
func boxToward(m vg.Point, s vg.Point, dist vg.Length, deg float64) vg.Rectangle {
	rad := deg * math.Pi / 180
	cos, sin := math.Cos(rad), math.Sin(rad)
	// Exact zeros for the axis directions, so that boxes line up.
	if math.Abs(cos) < 1e-12 {
		cos = 0
	}
	if math.Abs(sin) < 1e-12 {
		sin = 0
	}
	at := vg.Point{X: m.X + dist*vg.Length(cos), Y: m.Y + dist*vg.Length(sin)}
	min := vg.Point{X: at.X - s.X*vg.Length((1-cos)/2), Y: at.Y - s.Y*vg.Length((1-sin)/2)}
	return vg.Rectangle{Min: min, Max: min.Add(s)}
}

// leastOverlap is the last resort: of every candidate inside area, the one
// whose box overlaps the placed labels least (the first of equals); a box
// larger than area goes at area's lower left corner.
func leastOverlap(m vg.Point, s vg.Point, r, step vg.Length, area vg.Rectangle, placed []vg.Rectangle) (vg.Rectangle, bool) {
	best, bestLeader, bestArea := vg.Rectangle{Min: area.Min, Max: area.Min.Add(s)}, true, vg.Length(math.Inf(1))
	for k := 0; k <= labelRings; k++ {
		for _, d := range ringDirections {
			b := boxToward(m, s, r+labelGap+vg.Length(k)*step, d)
			if b.Min.X < area.Min.X || b.Min.Y < area.Min.Y || b.Max.X > area.Max.X || b.Max.Y > area.Max.Y {
				continue
			}
			var a vg.Length
			for _, q := range placed {
				a += overlapArea(b, q)
			}
			if a < bestArea {
				best, bestLeader, bestArea = b, k > 0, a
			}
		}
	}
	return best, bestLeader
}

// leaderEnds returns the ends of the line from the edge of the marker at
// m (radius r) to the nearest point of box b.
func leaderEnds(m vg.Point, r vg.Length, b vg.Rectangle) (from, to vg.Point) {
	to = vg.Point{X: min(max(m.X, b.Min.X), b.Max.X), Y: min(max(m.Y, b.Min.Y), b.Max.Y)}
	d := to.Sub(m)
	n := vg.Length(math.Hypot(float64(d.X), float64(d.Y)))
	if n <= r {
		return m, to
	}
	return m.Add(d.Scale(r / n)), to
}

func pad(b vg.Rectangle, p vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: b.Min.X - p, Y: b.Min.Y - p}, Max: vg.Point{X: b.Max.X + p, Y: b.Max.Y + p}}
}

// overlaps reports whether a and b share an area (touching edges do not).
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

func overlapArea(a, b vg.Rectangle) vg.Length {
	w := min(a.Max.X, b.Max.X) - max(a.Min.X, b.Min.X)
	h := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}
