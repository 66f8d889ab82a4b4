package analytic

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// meanAbs1D is E|U − c| for U uniform on [lo, hi]: the integral of |u − c|
// split at c, ((hi−c)|hi−c| − (lo−c)|lo−c|)/(2(hi − lo)).
func meanAbs1D(lo, hi, c float64) float64 {
	return ((hi-c)*math.Abs(hi-c) - (lo-c)*math.Abs(lo-c)) / (2 * (hi - lo))
}

// TestMeanDistanceRectangles: closed forms the polygon integrals must
// reproduce to rounding. Manhattan: the mean is the sum of the two 1-D
// means (meanAbs1D), for points inside, on the edge of and outside the
// rectangle. Euclidean: from the centre of a square of side a the mean
// distance is a(√2 + ln(1 + √2))/6 ≈ 0.3826a, from a corner twice that
// (the classical result, e.g. Larson & Odoni 1981, §3.3 problems; it is
// ∫sec³ over the eight half-quadrant triangles).
func TestMeanDistanceRectangles(t *testing.T) {
	k := math.Sqrt2 + math.Log(1+math.Sqrt2)
	for _, tc := range []struct {
		name    string
		mp      orb.MultiPolygon
		p       orb.Point
		man     float64
		euc     float64 // NaN: not checked
		wantAre float64
	}{
		{"square centre", rect(0, 0, 2, 2), orb.Point{1, 1}, 1, 2 * k / 6, 4},
		{"square corner", rect(0, 0, 2, 2), orb.Point{0, 0}, 2, 2 * k / 3, 4},
		{"rectangle, inside", rect(-1, 0, 3, 0.5), orb.Point{0.3, 0.1}, meanAbs1D(-1, 3, 0.3) + meanAbs1D(0, 0.5, 0.1), math.NaN(), 2},
		{"rectangle, outside", rect(-1, 0, 3, 0.5), orb.Point{5, -2}, meanAbs1D(-1, 3, 5) + meanAbs1D(0, 0.5, -2), math.NaN(), 2},
		{"rectangle, on an edge", rect(-1, 0, 3, 0.5), orb.Point{3, 0.25}, meanAbs1D(-1, 3, 3) + meanAbs1D(0, 0.5, 0.25), math.NaN(), 2},
		{"far away", rect(0, 0, 1, 1), orb.Point{1e6 + 0.5, 0.5}, 1e6 + 0.25, math.NaN(), 1},
	} {
		got, area := MeanManhattan(tc.p, tc.mp)
		if math.Abs(got-tc.man) > 1e-12*max(1, tc.man) || math.Abs(area-tc.wantAre) > 1e-12 {
			t.Errorf("%s: Manhattan %.15g (area %g), want %.15g (area %g)", tc.name, got, area, tc.man, tc.wantAre)
		}
		if tc.euc == tc.euc {
			got, _ := MeanEuclidean(tc.p, tc.mp)
			if math.Abs(got-tc.euc) > 1e-12 {
				t.Errorf("%s: Euclidean %.15g, want %.15g", tc.name, got, tc.euc)
			}
		}
	}
	// Far from a unit square the mean straight-line distance is the
	// distance d to its centroid plus E[v²]/(2d) = 1/(24d) (v uniform on
	// ±1/2). The signed triangles cancel to a relative rounding of about
	// ε·d/side = 2e-10 here (a unit 10 km from a 100 m area: 2e-14), so
	// within 1e-4.
	if got, _ := MeanEuclidean(orb.Point{1e6 + 0.5, 0.5}, rect(0, 0, 1, 1)); math.Abs(got-1e6-1/24e6) > 1e-4 {
		t.Errorf("far Euclidean %.9f, want 1e6", got)
	}
}

// lShapeWithHole is an L of area 12 − 1 = 11: the 4 × 4 square less its
// north-east 2 × 2 quarter, less a unit square hole at (0.5…1.5)².
var lShapeWithHole = orb.MultiPolygon{{
	{{0, 0}, {4, 0}, {4, 2}, {2, 2}, {2, 4}, {0, 4}, {0, 0}},
	{{0.5, 0.5}, {0.5, 1.5}, {1.5, 1.5}, {1.5, 0.5}, {0.5, 0.5}},
}}

// TestMeanDistancePolygonMonteCarlo: on a non-convex polygon with a hole
// (and a second, separate polygon), from points inside, inside the hole
// and outside, the closed forms agree with a Monte Carlo mean over 200 000
// uniform points (rejection from the box, fixed seed) within 4 standard
// errors of that mean.
func TestMeanDistancePolygonMonteCarlo(t *testing.T) {
	mp := append(slices.Clone(lShapeWithHole), rect(5, 5, 6, 7)[0])
	const wantArea = 11 + 2
	b := mp.Bound()
	r := rand.New(rand.NewPCG(17, 6))
	var pts []orb.Point
	for len(pts) < 200000 {
		q := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		if planar.MultiPolygonContains(mp, q) {
			pts = append(pts, q)
		}
	}
	for _, p := range []orb.Point{{1, 1}, {3, 1}, {3.5, 3.5}, {-2, 7}, {5.5, 6}} {
		for _, m := range []struct {
			name string
			f    func(orb.Point, orb.MultiPolygon) (float64, float64)
			d    func(a, b orb.Point) float64
		}{
			{"manhattan", MeanManhattan, func(a, b orb.Point) float64 { return math.Abs(a[0]-b[0]) + math.Abs(a[1]-b[1]) }},
			{"euclidean", MeanEuclidean, func(a, b orb.Point) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }},
		} {
			got, area := m.f(p, mp)
			if math.Abs(area-wantArea) > 1e-12 {
				t.Errorf("%s: area %g, want %d", m.name, area, wantArea)
			}
			var s, s2 float64
			for _, q := range pts {
				d := m.d(p, q)
				s += d
				s2 += d * d
			}
			n := float64(len(pts))
			mc := s / n
			se := math.Sqrt((s2/n - mc*mc) / n)
			if math.Abs(got-mc) > 4*se {
				t.Errorf("%s from %v: closed form %.5f, Monte Carlo %.5f ± %.5f", m.name, p, got, mc, se)
			}
		}
	}
}

// TestMeanDistanceRingOrder: the result does not depend on which way the
// rings run, where they start, or the order of the polygons (to rounding).
func TestMeanDistanceRingOrder(t *testing.T) {
	mp := append(slices.Clone(lShapeWithHole), rect(5, 5, 6, 7)[0])
	rev := orb.MultiPolygon{}
	for i := len(mp) - 1; i >= 0; i-- {
		var poly orb.Polygon
		for _, ring := range mp[i] {
			rr := slices.Clone(ring[:len(ring)-1])
			slices.Reverse(rr)
			rr = append(rr[2:], rr[:2]...) // another start
			rr = append(rr, rr[0])
			poly = append(poly, rr)
		}
		rev = append(rev, poly)
	}
	p := orb.Point{2.7, 0.9}
	for _, f := range []func(orb.Point, orb.MultiPolygon) (float64, float64){MeanManhattan, MeanEuclidean} {
		a, _ := f(p, mp)
		b, _ := f(p, rev)
		if math.Abs(a-b) > 1e-12 {
			t.Errorf("reordered rings: %.15g vs %.15g", a, b)
		}
	}
	if m, _ := MeanEuclidean(p, orb.MultiPolygon{}); m == m {
		t.Errorf("no area: mean %v, want NaN", m)
	}
}
