package geo

import "math"

// Metric is how distance is measured on the plane.
type Metric int

const (
	Euclidean Metric = iota // straight line
	Manhattan               // |dx| + |dy|: a street grid aligned with the axes
)

// Travel turns two points and a speed into a travel time: distance × Detour
// ÷ speed, or with Roads the road time. The turnout delay (getting under way
// after a dispatch) is the caller's, since patrol legs have none.
type Travel struct {
	Metric Metric
	Detour float64 // >= 1; 1 means the metric distance itself (0 is read as 1)
	// Roads, if set, makes travel follow the road network: Metric and
	// Detour are not used, and a unit of speed v takes the table's time ×
	// RefKmh / v (its speed is its speed on a local street; faster and
	// slower roads scale it).
	Roads *RoadTable
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
func (t Travel) Time(a, b Point, speed float64) float64 {
	if t.Roads != nil {
		return t.Roads.Time(a, b) * t.Roads.refSpeed / speed
	}
	return t.Distance(a, b) / speed
}

// MinTime returns a lower bound on the travel time in seconds between any
// two points at least d metres apart in a straight line, at speed metres
// per second: Time, TimeTo and TimeFrom between them are never shorter.
// Without roads a metric distance is at least the straight one, times the
// detour; on roads no road time is shorter than the straight line at the
// network's top speed (see RoadTable), scaled as Time scales it. The bound
// is lowered by a relative 1e-9, far above the rounding of either side, so
// that it holds in floating point too. A search may stop once MinTime of
// the distance left exceeds the best time found.
func (t Travel) MinTime(d, speed float64) float64 {
	const margin = 1 - 1e-9
	if t.Roads != nil {
		return d / t.Roads.topSpeed * t.Roads.refSpeed / speed * margin
	}
	if t.Detour > 0 {
		d *= t.Detour
	}
	return d / speed * margin
}

// Target is a destination prepared for many travel-time queries (TimeTo):
// on roads its place is found once.
type Target struct {
	P     Point
	place Place
}

// Target prepares b for TimeTo.
func (t Travel) Target(b Point) Target {
	if t.Roads != nil {
		return Target{P: b, place: t.Roads.Locate(b)}
	}
	return Target{P: b}
}

// TimeTo is Time(a, b.P, speed).
func (t Travel) TimeTo(a Point, b *Target, speed float64) float64 {
	if t.Roads != nil {
		return t.Roads.Seconds(a, t.Roads.Locate(a), b.P, b.place) * t.Roads.refSpeed / speed
	}
	return t.Distance(a, b.P) / speed
}

// TimeFrom is TimeTo from the position pos of a unit on leg l at time now:
// once l has arrived, the place of its end, found when the leg was made,
// is used again.
func (t Travel) TimeFrom(l *Leg, now float64, pos Point, b *Target, speed float64) float64 {
	if t.Roads != nil && l.roads == t.Roads && now >= l.Arrive && pos == l.To {
		return t.Roads.Seconds(pos, l.pb, b.P, b.place) * t.Roads.refSpeed / speed
	}
	return t.TimeTo(pos, b, speed)
}

// Leg returns the leg from a to b that departs at depart at speed metres
// per second.
func (t Travel) Leg(a, b Point, depart, speed float64) Leg {
	var l Leg
	t.SetLeg(&l, a, b, depart, speed)
	return l
}

// SetLeg sets *l to Leg(a, b, depart, speed), in place (a leg is 160
// bytes, and the simulator makes one at every patrol stop).
func (t Travel) SetLeg(l *Leg, a, b Point, depart, speed float64) {
	if t.Roads == nil {
		// Field by field: places and box are read only on roads, so
		// whatever they hold stays (not 160 bytes written a stop).
		l.From, l.To, l.Depart, l.Metric, l.roads = a, b, depart, t.Metric, nil
		l.Arrive = depart + t.Distance(a, b)/speed
		return
	}
	var pa Place
	if l.roads == t.Roads && a == l.To {
		pa = l.pb // from where the last leg ended: its place is known
	} else {
		pa = t.Roads.Locate(a)
	}
	*l = Leg{From: a, To: b, Depart: depart, Metric: t.Metric}
	pb := t.Roads.Locate(b)
	l.roads, l.pa, l.pb = t.Roads, pa, pb
	l.box[0], l.box[1], l.box[2], l.box[3] = t.Roads.pathBox(l)
	l.Arrive = depart + t.Roads.Seconds(a, pa, b, pb)*t.Roads.refSpeed/speed
}

// Leg is a movement from From to To, standing still at From until Depart and
// arriving at Arrive (seconds). Positions in between follow the metric's path:
// a straight line, or for Manhattan first along x then along y, at constant
// speed; a leg made by Travel.Leg on roads follows the road path (see
// RoadTable). A leg with Arrive <= Depart is a stop at To from Depart on.
type Leg struct {
	From, To       Point
	Depart, Arrive float64
	Metric         Metric

	roads *RoadTable // set for a leg on roads
	// For a leg on roads only (read only when roads is set; stale otherwise):
	pa, pb Place      // the places of From and To (their nodes, zones and the nodes' positions)
	box    [4]float64 // its path's box (x0, y0, x1, y1)
}

// Box returns a box holding every position of the leg.
func (l *Leg) Box() (x0, y0, x1, y1 float64) {
	if l.roads != nil {
		return l.box[0], l.box[1], l.box[2], l.box[3]
	}
	return min(l.From.X, l.To.X), min(l.From.Y, l.To.Y), max(l.From.X, l.To.X), max(l.From.Y, l.To.Y)
}

// RoadPath returns the points a leg on roads passes through (nil for
// another leg).
func (l *Leg) RoadPath() []Point {
	if l.roads == nil {
		return nil
	}
	return l.roads.Path(l)
}

// Stay returns a leg that stands at p from time t.
func Stay(p Point, t float64) Leg { return Leg{From: p, To: p, Depart: t, Arrive: t} }

// AtCached is At with the road path between the leg's zones kept in c
// (faster when positions on legs between the same zones are asked again).
func (l *Leg) AtCached(t float64, c *PathCache) Point {
	if l.roads == nil || t <= l.Depart || t >= l.Arrive {
		return l.At(t)
	}
	return l.roads.atCached(l, (t-l.Depart)/(l.Arrive-l.Depart), c)
}

// Reach returns how far in a straight line the position at time t (At)
// may be from the leg's ends: at most from of From and at most to of To,
// the lengths of its path from From to that position and from there to
// To (give or take rounding, far below a metre). It reads no more than a
// few lengths, however long the leg's road.
func (l *Leg) Reach(t float64) (from, to float64) {
	var length float64
	switch {
	case l.roads != nil:
		length = l.roads.pathLen(l)
	case l.Metric == Manhattan:
		length = math.Abs(l.To.X-l.From.X) + math.Abs(l.To.Y-l.From.Y)
	default:
		length = planeDist(l.From, l.To)
	}
	f := 1.0 // at To, or standing (Arrive <= Depart)
	if t <= l.Depart && l.Arrive > l.Depart {
		f = 0
	} else if t < l.Arrive {
		f = (t - l.Depart) / (l.Arrive - l.Depart)
	}
	return f * length, (1 - f) * length
}

// Beyond reports whether the position at time t (At) is farther than d
// from p in a straight line, less rounding (far below a metre: callers
// add a metre to d), by the lengths of its path from From and to To
// (Reach): the position is within the first of From and within the
// second of To, so p farther than d plus the first from From, or than d
// plus the second from To, is farther than d from it. It reads no
// position on the leg's road (on roads three lengths, see pathLen: callers
// try the leg's box first). False for d negative, NaN or +Inf.
func (l *Leg) Beyond(t float64, p Point, d float64) bool {
	if !(d >= 0) || math.IsInf(d, 1) {
		return false
	}
	from, to := l.Reach(t)
	return l.BeyondReach(from, to, p, d)
}

// BeyondReach is Beyond for the lengths from and to that Reach returns at
// the time asked (for many points at one time: Reach once); d must not
// be negative or NaN.
func (l *Leg) BeyondReach(from, to float64, p Point, d float64) bool {
	ax, ay := p.X-l.From.X, p.Y-l.From.Y
	if r := from + d; ax*ax+ay*ay > r*r {
		return true
	}
	bx, by := p.X-l.To.X, p.Y-l.To.Y
	r := to + d
	return bx*bx+by*by > r*r
}

// OnRoads reports whether the leg follows a road network (made by
// Travel.Leg on roads), whose positions cost a walk along its road.
func (l *Leg) OnRoads() bool { return l.roads != nil }

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
	if l.roads != nil {
		return l.roads.at(l, f)
	}
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
