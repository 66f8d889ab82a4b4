package report

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pngDPI is the resolution of the PNG copies: sharp on a slide.
const pngDPI = 144

// figure is one chart: a drawing of a fixed size.
type figure struct {
	Name    string // file name without extension, e.g. "response-cdf"
	Title   string // heading in the report
	Caption string // what the chart shows and how to read it
	W, H    vg.Length
	Draw    func(c draw.Canvas)
}

// svg renders the figure as an SVG document. gonum/plot's SVG backend
// writes shapes in drawing order with fixed precision and no identifiers or
// dates, so the bytes depend only on the input.
func (f *figure) svg() (b []byte, err error) {
	defer catch(f.Name, &err)
	c := vgsvg.New(f.W, f.H)
	f.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// png renders the figure as a PNG image at pngDPI.
func (f *figure) png() (b []byte, err error) {
	defer catch(f.Name, &err)
	c := vgimg.NewWith(vgimg.UseWH(f.W, f.H), vgimg.UseDPI(pngDPI))
	f.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// catch turns a panic inside gonum/plot (it panics on some degenerate
// inputs, such as an axis range of zero width) into an error naming the
// chart.
func catch(name string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("chart %s: %v", name, r)
	}
}
