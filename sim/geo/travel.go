package geo

import "math"

// Metric is how distance is measured on the plane.
type Metric int

const (
	Euclidean Metric = iota // straight line
	Manhattan               // |dx| + |dy|: a street grid aligned with the axes
)

// Travel turns two points and a speed into a travel time: distance × Detour
// ÷ speed. The turnout delay (getting under way after a dispatch) is the
// caller's, since patrol legs have none.
type Travel struct {
	Metric Metric
	Detour float64 // >= 1; 1 means the metric distance itself (0 is read as 1)
}

// Distance returns the travel distance from a to b in metres, detour included.
func (t Travel) Distance(a, b Point) float64 {
	var d float64
	if t.Metric == Manhattan {
		d = math.Abs(b.X-a.X) + math.Abs(b.Y-a.Y)
	} else {
		d = math.Hypot(b.X-a.X, b.Y-a.Y)
	}
	if t.Detour > 0 {
		d *= t.Detour
	}
	return d
}

// Time returns the travel time in seconds from a to b at speed metres per
// second.
func (t Travel) Time(a, b Point, speed float64) float64 { return t.Distance(a, b) / speed }

// Leg is a movement from From to To, standing still at From until Depart and
// arriving at Arrive (seconds). Positions in between follow the metric's path:
// a straight line, or for Manhattan first along x then along y, at constant
// speed. A leg with Arrive <= Depart is a stop at To from Depart on.
type Leg struct {
	From, To       Point
	Depart, Arrive float64
	Metric         Metric
}

// Stay returns a leg that stands at p from time t.
func Stay(p Point, t float64) Leg { return Leg{From: p, To: p, Depart: t, Arrive: t} }

// At returns the exact position at time t.
func (l *Leg) At(t float64) Point {
	if t <= l.Depart {
		if l.Arrive <= l.Depart {
			return l.To
		}
		return l.From
	}
	if t >= l.Arrive {
		return l.To
	}
	f := (t - l.Depart) / (l.Arrive - l.Depart)
	dx, dy := l.To.X-l.From.X, l.To.Y-l.From.Y
	if l.Metric != Manhattan {
		return Point{l.From.X + f*dx, l.From.Y + f*dy}
	}
	ax, ay := math.Abs(dx), math.Abs(dy)
	s := f * (ax + ay)
	if s <= ax {
		return Point{l.From.X + math.Copysign(s, dx), l.From.Y}
	}
	return Point{l.To.X, l.From.Y + math.Copysign(s-ax, dy)}
}
