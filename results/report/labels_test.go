package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// loadResults reads testdata/NAME/results.json alone: enough for the
// ranking and Pareto charts and the table.
//
// testdata/jinzhou/results.json is the built-in city with 3 replications,
// cut to the metrics those use:
//
//	patrolsim run builtin:jinzhou --replications 3 -o DIR
//	jq --indent 1 '(["response_p90_s_p1","incidents_prevented","prevented_per_1000_month"]) as $keep
//	  | .comparisons = [] | .metrics |= map(select(.name as $n | $keep | index($n)))
//	  | .variants |= map(.metrics |= with_entries(select(.key as $k | $keep | index($k))))' DIR/results.json
func loadResults(t *testing.T, name string) *Input {
	t.Helper()
	in := &Input{}
	if err := readJSON(filepath.Join("testdata", name, "results.json"), &in.Results); err != nil {
		t.Fatal(err)
	}
	return in
}

// checkLabels fails when two label boxes intersect or one leaves the data
// area.
func checkLabels(t *testing.T, labels []string, boxes []vg.Rectangle, area vg.Rectangle) {
	t.Helper()
	if len(boxes) != len(labels) {
		t.Fatalf("%d boxes for %d labels", len(boxes), len(labels))
	}
	for i, a := range boxes {
		if a.Min.X < area.Min.X || a.Min.Y < area.Min.Y || a.Max.X > area.Max.X || a.Max.Y > area.Max.Y {
			t.Errorf("label %q at %v leaves the data area %v", labels[i], a, area)
		}
		for j := range i {
			if overlaps(a, boxes[j]) {
				t.Errorf("labels %q at %v and %q at %v intersect", labels[i], a, labels[j], boxes[j])
			}
		}
	}
}

// TestParetoLabelsBuiltinCity draws the Pareto chart of the built-in
// city (12 variants, five of them within 0.2 min and 10% of each other)
// and checks the label boxes it drew with: all twelve labelled, none
// intersecting another, all inside the data area; benchmarks labelled as
// such and hollow, never on the front.
func TestParetoLabelsBuiltinCity(t *testing.T) {
	in := loadResults(t, "jinzhou")
	f, lab := newParetoFigure(in)
	if f == nil {
		t.Fatal("no Pareto chart")
	}
	svg, err := f.svg()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(lab.Labels), len(in.Results.Variants); got != want {
		t.Fatalf("%d labels, want one per variant (%d)", got, want)
	}
	checkLabels(t, lab.Labels, lab.Boxes, lab.Area)
	leaders := 0
	for _, l := range lab.Leaders {
		if l {
			leaders++
		}
	}
	t.Logf("%d of %d labels set apart with a leader line", leaders, len(lab.Labels))

	// The PNG is drawn with the same boxes.
	before := append([]vg.Rectangle(nil), lab.Boxes...)
	if _, err := f.png(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before) != fmt.Sprint(lab.Boxes) {
		t.Errorf("the PNG's labels are placed otherwise than the SVG's")
	}

	for _, name := range []string{"oracle-p2p (benchmark)", "oracle-hier (benchmark)", "1= mixed-p2p", "posts-hier"} {
		if !strings.Contains(strings.Join(lab.Labels, "\n"), name) {
			t.Errorf("no label %q in %q", name, lab.Labels)
		}
		if !bytes.Contains(svg, []byte(">"+name+"<")) {
			t.Errorf("the SVG does not show %q", name)
		}
	}
	if !bytes.Contains(svg, []byte("benchmark (not ranked)")) || !bytes.Contains(svg, []byte("possibly on the front")) {
		t.Errorf("the legend lacks the benchmark or the front entry")
	}
}

// TestPlaceLabels: hard layouts for placeLabels (boxes 60×9 points, markers
// of radius 3 in a 400×300 area): labels never intersect and stay inside.
func TestPlaceLabels(t *testing.T) {
	area := vg.Rectangle{Min: vg.Point{X: 0, Y: 0}, Max: vg.Point{X: 400, Y: 300}}
	grid := func(n int, x0, y0, dx, dy vg.Length) []vg.Point {
		var out []vg.Point
		for i := range n {
			out = append(out, vg.Point{X: x0 + vg.Length(i%4)*dx, Y: y0 + vg.Length(i/4)*dy})
		}
		return out
	}
	column := func(n int, x vg.Length) []vg.Point {
		var out []vg.Point
		for k := range n {
			out = append(out, vg.Point{X: x, Y: 20 + vg.Length(k)*8})
		}
		return out
	}
	same := func(n int, p vg.Point) []vg.Point {
		out := make([]vg.Point, n)
		for i := range out {
			out[i] = p
		}
		return out
	}
	// Error bars through every point: 40 points each way.
	bars := func(marks []vg.Point) [][2]vg.Point {
		var out [][2]vg.Point
		for _, m := range marks {
			out = append(out, [2]vg.Point{{X: m.X - 40, Y: m.Y}, {X: m.X + 40, Y: m.Y}}, [2]vg.Point{{X: m.X, Y: m.Y - 40}, {X: m.X, Y: m.Y + 40}})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		marks []vg.Point
		bars  bool
	}{
		{"one", []vg.Point{{X: 200, Y: 150}}, false},
		{"twelve on one point", same(12, vg.Point{X: 200, Y: 150}), false},
		{"twelve on one point in a corner", same(12, vg.Point{X: 2, Y: 298}), false},
		{"a dense cluster", grid(16, 190, 140, 4, 3), false},
		{"a column at the right edge", column(10, 398), false},
		{"spread", grid(12, 40, 40, 100, 90), false},
		{"spread, with error bars", grid(12, 40, 40, 100, 90), true},
		{"a dense cluster, with error bars", grid(16, 190, 140, 4, 3), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marks := tc.marks
			sizes := make([]vg.Point, len(marks))
			labels := make([]string, len(marks))
			for i := range sizes {
				sizes[i] = vg.Point{X: 60, Y: 9}
				labels[i] = fmt.Sprint("label ", i)
			}
			var lines [][2]vg.Point
			if tc.bars {
				lines = bars(marks)
			}
			boxes, _ := placeLabels(marks, sizes, 3, area, lines)
			checkLabels(t, labels, boxes, area)
			// Deterministic: the same input, the same boxes.
			again, _ := placeLabels(marks, sizes, 3, area, lines)
			if fmt.Sprint(again) != fmt.Sprint(boxes) {
				t.Errorf("two placements of the same labels differ")
			}
		})
	}
}

func TestSegmentCrosses(t *testing.T) {
	box := vg.Rectangle{Min: vg.Point{X: 0, Y: 0}, Max: vg.Point{X: 10, Y: 10}}
	for _, tc := range []struct {
		name string
		a, b vg.Point
		want bool
	}{
		{"through", vg.Point{X: -5, Y: 5}, vg.Point{X: 15, Y: 5}, true},
		{"inside", vg.Point{X: 2, Y: 2}, vg.Point{X: 3, Y: 3}, true},
		{"diagonal through a corner's inside", vg.Point{X: -1, Y: 2}, vg.Point{X: 2, Y: -1}, true},
		{"ends before", vg.Point{X: -5, Y: 5}, vg.Point{X: -1, Y: 5}, false},
		{"passes beside", vg.Point{X: -5, Y: 12}, vg.Point{X: 15, Y: 12}, false},
		{"diagonal missing a corner", vg.Point{X: -3, Y: 2}, vg.Point{X: 2, Y: -3}, false},
		{"along an edge", vg.Point{X: -5, Y: 10}, vg.Point{X: 15, Y: 10}, false},
		{"vertical through", vg.Point{X: 5, Y: -5}, vg.Point{X: 5, Y: 15}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := segmentCrosses(tc.a, tc.b, box); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
