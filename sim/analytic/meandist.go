package analytic

import (
	"math"

	"github.com/paulmach/orb"
)

// MeanManhattan returns the mean right-angle distance |x − px| + |y − py|
// from p to a point uniform over mp (planar units), and mp's area, in
// closed form: no sampling, no quadrature. Each polygon is its outer ring
// less its holes; rings may run either way round but must be simple
// (polygons must not overlap). An mp of zero area gives NaN.
//
// How: ∬|x − px| dA = ∮ F(x) dy with F(x) = (x − px)|x − px|/2 (Green's
// theorem); along an edge, split where it crosses x = px, F is a quadratic
// in the edge parameter, so Simpson's rule integrates each piece exactly.
// Likewise for y. Cost O(v) for v vertices.
func MeanManhattan(p orb.Point, mp orb.MultiPolygon) (mean, area float64) {
	var sum float64
	for _, poly := range mp {
		for k, ring := range poly {
			a := math.Abs(ringArea(ring))
			ix := math.Abs(ringAbsMoment(ring, p[0], 0))
			iy := math.Abs(ringAbsMoment(ring, p[1], 1))
			if k == 0 {
				area += a
				sum += ix + iy
			} else {
				area -= a
				sum -= ix + iy
			}
		}
	}
	if !(area > 0) {
		return math.NaN(), area
	}
	return sum / area, area
}

// MeanEuclidean returns the mean straight-line distance from p to a point
// uniform over mp (planar units), and mp's area, in closed form. Rings as
// for MeanManhattan.
//
// How: the ring's interior is the signed sum, over its edges (a, b), of
// the triangles (p, a, b). In polar coordinates about p, a triangle whose
// far side lies on a line at distance h from p contributes
// ∫ r(φ)³/3 dφ with r = h sec φ, whose antiderivative in s, the signed
// position along the side from the foot of the perpendicular, is
// (h·r·s + h³·asinh(s/h))/6, r = √(h² + s²) (the classical
// ∫sec³ = (sec·tan + ln|sec + tan|)/2). Cost O(v).
func MeanEuclidean(p orb.Point, mp orb.MultiPolygon) (mean, area float64) {
	var sum float64
	for _, poly := range mp {
		for k, ring := range poly {
			a := math.Abs(ringArea(ring))
			i := math.Abs(ringRadialMoment(ring, p))
			if k == 0 {
				area += a
				sum += i
			} else {
				area -= a
				sum -= i
			}
		}
	}
	if !(area > 0) {
		return math.NaN(), area
	}
	return sum / area, area
}

// ringArea is the shoelace signed area of ring (closed or not).
func ringArea(ring orb.Ring) float64 {
	var s float64
	n := len(ring)
	for i := range n {
		a, b := ring[i], ring[(i+1)%n]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return s / 2
}

// ringAbsMoment is the signed (by orientation) integral of |c − c0| over
// ring's interior, c the coordinate axis (0: x, 1: y).
func ringAbsMoment(ring orb.Ring, c0 float64, axis int) float64 {
	// F(u) = (u − c0)|u − c0|/2; ∬ f dA = ∮ F(x) dy for f of x, and
	// −∮ F(y) dx for f of y.
	other := 1 - axis
	sign := 1.0
	if axis == 1 {
		sign = -1
	}
	F := func(u float64) float64 { d := u - c0; return d * math.Abs(d) / 2 }
	piece := func(u0, u1, v0, v1 float64) float64 {
		// ∫₀¹ F(u(t)) v'(t) dt with u, v linear: Simpson, exact for the
		// quadratic F on a piece that does not cross c0.
		return (v1 - v0) * (F(u0) + 4*F((u0+u1)/2) + F(u1)) / 6
	}
	var s float64
	n := len(ring)
	for i := range n {
		a, b := ring[i], ring[(i+1)%n]
		u0, u1, v0, v1 := a[axis], b[axis], a[other], b[other]
		if (u0-c0)*(u1-c0) < 0 {
			t := (c0 - u0) / (u1 - u0)
			vm := v0 + t*(v1-v0)
			s += piece(u0, c0, v0, vm) + piece(c0, u1, vm, v1)
		} else {
			s += piece(u0, u1, v0, v1)
		}
	}
	return sign * s
}

// ringRadialMoment is the signed (by orientation) integral of the distance
// to p over ring's interior.
func ringRadialMoment(ring orb.Ring, p orb.Point) float64 {
	var s float64
	n := len(ring)
	for i := range n {
		a, b := ring[i], ring[(i+1)%n]
		ax, ay := a[0]-p[0], a[1]-p[1]
		bx, by := b[0]-p[0], b[1]-p[1]
		ex, ey := bx-ax, by-ay
		l := math.Hypot(ex, ey)
		if l == 0 {
			continue
		}
		cross := ax*by - ay*bx // twice the signed area of (p, a, b)
		h := math.Abs(cross) / l
		if h <= 1e-12*l {
			continue // p on the side's line: a triangle of no area
		}
		ex, ey = ex/l, ey/l
		sa := ax*ex + ay*ey // position of a along the side from the foot
		sb := sa + l
		prim := func(s float64) float64 {
			return (h*math.Hypot(h, s)*s + h*h*h*math.Asinh(s/h)) / 6
		}
		v := prim(sb) - prim(sa)
		if cross < 0 {
			v = -v
		}
		s += v
	}
	return s
}
