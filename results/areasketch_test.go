package results

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// TestAreaSketchQuantile: the sketch's pooled p90 is within
// AreaSketchAlpha (relative) of the exact empirical p90 (gonum's
// stat.Empirical, as MergeDetails computes it), on lognormal response
// times (median 400 s, the order of the built-in city's) split over
// replications and merged; +Inf when more than a tenth never answered;
// and its text reads back to the same counts. The bound is the sketch's
// construction (every value within α of its bin's centre, and the bins
// keep the values' order), not a statistical tolerance.
func TestAreaSketchQuantile(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 1 + r.IntN(400)
		var pooled AreaSketch
		xs := make([]float64, 0, n)
		for range 1 + r.IntN(4) {
			var s AreaSketch
			for range n {
				x := 400 * math.Exp(r.NormFloat64())
				s.Add(x)
				xs = append(xs, x)
			}
			back, err := ParseAreaSketch(s.String())
			if err != nil || !reflect.DeepEqual(back, s) {
				t.Fatalf("trial %d: %q read back as %v, %v", trial, s.String(), back, err)
			}
			pooled.Merge(s)
		}
		sortFloats(xs)
		exact := stat.Quantile(0.9, stat.Empirical, xs, nil)
		got := pooled.Quantile(0.9)
		if math.Abs(got-exact) > AreaSketchAlpha*exact*(1+1e-9) {
			t.Errorf("trial %d (%d values): p90 %g, exact %g: off by %.3g%%, bound %g%%", trial, len(xs), got, exact, 100*math.Abs(got-exact)/exact, 100*AreaSketchAlpha)
		}
	}
	var s AreaSketch
	for i := range 10 {
		s.Add(float64(i + 1))
	}
	s.Add(math.Inf(1))
	s.Add(math.Inf(1))
	if q := s.Quantile(0.9); !math.IsInf(q, 1) {
		t.Errorf("2 of 12 unanswered: p90 %g, want +Inf", q)
	}
	if q := (AreaSketch{}).Quantile(0.9); !math.IsNaN(q) {
		t.Errorf("no calls: p90 %g, want NaN", q)
	}
	for _, bad := range []string{"", "x", "0 5:1 4:1", "0 5:0", "-1"} {
		if _, err := ParseAreaSketch(bad); err == nil {
			t.Errorf("%q read as a sketch", bad)
		}
	}
}

func sortFloats(xs []float64) { slices.Sort(xs) }

// TestAreaPool: a pool counts exactly what AreaSketch.Add counts, in any
// order of replications (the same text), from response times spanning
// bins far apart (the dense bins grow both ways), unanswered and NaN
// included; and PooledSketches adds replications not pooled.
func TestAreaPool(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const areas = 3
	reps := make([][][]float32, 5)
	for i := range reps {
		reps[i] = make([][]float32, areas)
		for a := range areas {
			for range r.IntN(60) {
				x := float32(400 * math.Exp(2*r.NormFloat64()))
				switch r.IntN(20) {
				case 0:
					x = float32(math.Inf(1))
				case 1:
					x = float32(math.NaN())
				case 2:
					x = 0
				}
				reps[i][a] = append(reps[i][a], x)
			}
		}
	}
	want := make([]AreaSketch, areas)
	for _, rep := range reps {
		for a, xs := range rep {
			for _, x := range xs {
				want[a].Add(float64(x))
			}
		}
	}
	texts := func(s []AreaSketch) []string {
		var out []string
		for _, x := range s {
			out = append(out, x.String())
		}
		return out
	}
	for _, order := range [][]int{{0, 1, 2, 3, 4}, {4, 2, 0, 3, 1}} {
		p := NewAreaPool(areas)
		for _, i := range order[:3] {
			p.Add(reps[i])
		}
		var rest []RunDetails
		for _, i := range order[3:] {
			rest = append(rest, RunDetails{AtomResps: reps[i]})
		}
		if got := texts(PooledSketches(p, rest, areas)); !slices.Equal(got, texts(want)) {
			t.Errorf("order %v: pooled %q, want %q", order, got, texts(want))
		}
	}
}
