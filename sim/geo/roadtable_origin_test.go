package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTimeFromOrigin: TimeFromOrigin of a prepared Origin is TimeFrom bit
// for bit (it only spares locating the position again), for every metric
// and on roads (the synthetic lattice), from a leg's start, its end (the
// place of the end reused) and positions on the way.
func TestTimeFromOrigin(t *testing.T) {
	tab, around := synTable(t)
	for _, tr := range []Travel{{Metric: Euclidean}, {Metric: Manhattan, Detour: 1.2}, {Roads: tab}} {
		r := rand.New(rand.NewPCG(5, 6))
		point := func() Point { return around(r) }
		ends := 0
		for i := range 3000 {
			v := 1 + r.Float64()*20
			leg := tr.Leg(point(), point(), 0, v)
			now := leg.Arrive * float64(i%3) / 2 // start, middle, end
			pos := leg.At(now)
			if pos == leg.To && now >= leg.Arrive {
				ends++
			}
			target := tr.Target(point())
			o := tr.Origin(&leg, now, pos)
			got, want := tr.TimeFromOrigin(&o, &target, v), tr.TimeFrom(&leg, now, pos, &target, v)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%+v pair %d: TimeFromOrigin %.17g s, TimeFrom %.17g s", tr, i, got, want)
			}
		}
		if ends == 0 {
			t.Fatal("no position at a leg's end: the reused place is untested")
		}
	}
}

// TestSetLegFromLastEnd: a leg set in place from where the last leg ended
// (which reuses the place of that end rather than locating it again) is the
// leg made afresh, field for field, on roads (the synthetic lattice).
func TestSetLegFromLastEnd(t *testing.T) {
	tab, around := synTable(t)
	tr := Travel{Roads: tab}
	r := rand.New(rand.NewPCG(9, 10))
	point := func() Point { return around(r) }
	var l Leg
	tr.SetLeg(&l, point(), point(), 0, 10)
	for i := range 500 {
		from, to := l.To, point()
		if i%5 == 0 {
			from = point() // not from the last end: located
		}
		tr.SetLeg(&l, from, to, l.Arrive, 10)
		if fresh := tr.Leg(from, to, l.Depart, 10); l != fresh {
			t.Fatalf("leg %d: set in place %+v, afresh %+v", i, l, fresh)
		}
	}
}

// TestZoneBound: TimeFromOrigin less AccessTime lies within ZoneBound of
// the origin's zone, on the synthetic lattice (undirected) for origins
// anywhere (on a leg's way, at its ends, off the roads), and the bounds
// are not vacuous (most pairs decided against a threshold between them
// and the exact time's neighbours).
func TestZoneBound(t *testing.T) {
	tab, around := synTable(t)
	tr := Travel{Roads: tab}
	r := rand.New(rand.NewPCG(7, 8))
	point := func() Point { return around(r) }
	width := 0.0
	for i := range 3000 {
		v := 1 + r.Float64()*20
		leg := tr.Leg(point(), point(), 0, v)
		now := leg.Arrive * float64(i%3) / 2
		o := tr.Origin(&leg, now, leg.At(now))
		b := tr.Target(point())
		got := tr.TimeFromOrigin(&o, &b, v) - tr.AccessTime(&o, v)
		l, h := tr.ZoneBound(o.OriginZone(), &b, v)
		if !(l <= got && got <= h) {
			t.Fatalf("pair %d: TimeFromOrigin − AccessTime %.17g s outside ZoneBound [%.17g, %.17g]", i, got, l, h)
		}
		width += (h - l) / max(got, 1)
	}
	if w := width / 3000; w > 1 {
		t.Errorf("ZoneBound's mean relative width %.3g: too loose to decide anything", w)
	}
	if l, h := (Travel{}).ZoneBound(0, &Target{}, 1); l != 0 || !math.IsInf(h, 1) {
		t.Errorf("without roads: ZoneBound %g, %g, want 0, +Inf", l, h)
	}
}

// TestLegReach: a leg's position at any time is within Reach's lengths of
// its ends (by a margin far below a metre), for every metric and on roads
// (the synthetic lattice), before, during and after the leg.
func TestLegReach(t *testing.T) {
	tab, around := synTable(t)
	for _, tr := range []Travel{{Metric: Euclidean}, {Metric: Manhattan, Detour: 1.2}, {Roads: tab}} {
		r := rand.New(rand.NewPCG(11, 12))
		point := func() Point { return around(r) }
		for i := range 3000 {
			leg := tr.Leg(point(), point(), 10, 1+r.Float64()*20)
			now := 10 + (leg.Arrive-10)*(r.Float64()*1.2-0.1)
			pos := leg.At(now)
			from, to := leg.Reach(now)
			if d := pos.Dist(leg.From); d > from+1e-6 {
				t.Fatalf("%+v leg %d at %g: %.9g m from its start, Reach says at most %.9g", tr, i, now, d, from)
			}
			if d := pos.Dist(leg.To); d > to+1e-6 {
				t.Fatalf("%+v leg %d at %g: %.9g m from its end, Reach says at most %.9g", tr, i, now, d, to)
			}
		}
	}
}

// TestLegBeyond: where Beyond says a leg's position is farther than d
// from a point, it is (by a margin far below a metre), for every metric
// and on roads (the synthetic lattice), before, during and after the leg;
// and it says so for most points well beyond d of the position.
func TestLegBeyond(t *testing.T) {
	tab, around := synTable(t)
	for _, tr := range []Travel{{Metric: Euclidean}, {Metric: Manhattan, Detour: 1.2}, {Roads: tab}} {
		r := rand.New(rand.NewPCG(15, 16))
		point := func() Point { return around(r) }
		said, far := 0, 0
		for i := range 3000 {
			leg := tr.Leg(point(), point(), 10, 1+r.Float64()*20)
			now := 10 + (leg.Arrive-10)*(r.Float64()*1.2-0.1)
			pos, p := leg.At(now), point()
			dist := pos.Dist(p)
			for _, d := range []float64{dist, dist * 0.999, dist * 0.5, dist * (1 + 1e-9), 0} {
				if leg.Beyond(now, p, d) {
					said++
					if dist <= d-1e-6 {
						t.Fatalf("%+v leg %d at %g: Beyond(%g) but the position is %.9g m away", tr, i, now, d, dist)
					}
				} else if d == 0 && dist > 0 {
					far++
				}
			}
			if leg.Beyond(now, p, math.Inf(1)) || leg.Beyond(now, p, math.NaN()) || leg.Beyond(now, p, -1) {
				t.Fatalf("leg %d: Beyond says yes to +Inf, NaN or -1", i)
			}
		}
		if said < 3000 {
			t.Errorf("%+v: Beyond decided only %d of 15,000 (%d at d = 0 undecided)", tr, said, far)
		}
	}
}

// TestWithin: where Within decides, it decides as TimeFromOrigin does, for
// budgets at the exact time, a rounding step either side, and relative
// offsets up to ±30% (synthetic lattice); and it decides most of the
// budgets away from the time.
func TestWithin(t *testing.T) {
	tab, around := synTable(t)
	tr := Travel{Roads: tab}
	r := rand.New(rand.NewPCG(13, 14))
	point := func() Point { return around(r) }
	decided, far := 0, 0
	for i := range 3000 {
		v := 1 + r.Float64()*20
		leg := tr.Leg(point(), point(), 0, v)
		now := leg.Arrive * float64(i%3) / 2
		o := tr.Origin(&leg, now, leg.At(now))
		b := tr.Target(point())
		zt := tr.ZoneTarget(o.OriginZone(), &b, v)
		exact := tr.TimeFromOrigin(&o, &b, v)
		for _, budget := range []float64{exact, math.Nextafter(exact, 0), math.Nextafter(exact, math.Inf(1)), exact * (1 + (r.Float64()-0.5)*0.6)} {
			in, ok := tr.Within(&o, &zt, budget)
			if ok && in != (exact <= budget) {
				t.Fatalf("pair %d: Within(budget %.17g) says %v, the time %.17g", i, budget, in, exact)
			}
			if math.Abs(budget-exact) > 1e-6*exact {
				far++
				if ok {
					decided++
				}
			}
		}
	}
	if decided < far*9/10 {
		t.Errorf("Within decided %d of %d budgets more than 1e-6 from the time", decided, far)
	}
}

// synTable returns the synthetic lattice's road table (zones of 200 m, a
// 30 km/h reference street) and a function drawing a point with r over
// the lattice and 300 m around it.
func synTable(t *testing.T) (*RoadTable, func(r *rand.Rand) Point) {
	t.Helper()
	c, net := synNet(t)
	tab, err := NewRoadTable(net, 200, 30)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := c.ProjectLonLat(synLon(0), synLat(0)), c.ProjectLonLat(synLon(2), synLat(2))
	return tab, func(r *rand.Rand) Point {
		return Point{lo.X - 300 + r.Float64()*(hi.X-lo.X+600), lo.Y - 300 + r.Float64()*(hi.Y-lo.Y+600)}
	}
}

// TestZoneBoundDirected: ZoneBound, Within and Leg.Reach on the
// directed OSM networks (Monaco, Baltimore: one-way streets, directed
// anchor times), for origins on a leg's way, at its end and off the roads
// (points up to 3 km outside the city), against TimeFromOrigin and At.
func TestZoneBoundDirected(t *testing.T) {
	for _, oc := range osmCities {
		c, tab := osmTable(t, oc)
		tr := Travel{Roads: tab}
		r := rand.New(rand.NewPCG(31, 32))
		b := c.Bound()
		point := func() Point {
			if r.IntN(3) > 0 {
				return randomCityPoint(c, r)
			}
			return Point{b.Min[0] - 3000 + r.Float64()*(b.Max[0]-b.Min[0]+6000), b.Min[1] - 3000 + r.Float64()*(b.Max[1]-b.Min[1]+6000)}
		}
		decided := 0
		for i := range 20000 {
			v := 1 + r.Float64()*20
			leg := tr.Leg(point(), point(), 0, v)
			now := leg.Arrive * float64(i%4) / 3
			pos := leg.At(now)
			from, to := leg.Reach(now)
			if d := pos.Dist(leg.From); d > from+1e-6 {
				t.Fatalf("%s leg %d: %.9g m from its start, Reach %.9g", oc.name, i, d, from)
			}
			if d := pos.Dist(leg.To); d > to+1e-6 {
				t.Fatalf("%s leg %d: %.9g m from its end, Reach %.9g", oc.name, i, d, to)
			}
			o := tr.Origin(&leg, now, pos)
			tg := tr.Target(point())
			exact := tr.TimeFromOrigin(&o, &tg, v)
			got := exact - tr.AccessTime(&o, v)
			lo, hi := tr.ZoneBound(o.OriginZone(), &tg, v)
			if !(lo <= got && got <= hi) && !(math.IsInf(got, 1) && math.IsInf(lo, 1)) {
				t.Fatalf("%s pair %d: %.17g outside ZoneBound [%.17g, %.17g]", oc.name, i, got, lo, hi)
			}
			zt := tr.ZoneTarget(o.OriginZone(), &tg, v)
			for _, budget := range []float64{exact, math.Nextafter(exact, 0), math.Nextafter(exact, math.Inf(1)), exact * (1 + (r.Float64()-0.5)*0.6), r.Float64() * 2000} {
				in, ok := tr.Within(&o, &zt, budget)
				if ok {
					decided++
					if in != (exact <= budget) {
						t.Fatalf("%s pair %d: Within(%.17g) = %v, time %.17g", oc.name, i, budget, in, exact)
					}
				}
			}
		}
		t.Logf("%s: %d decided", oc.name, decided)
	}
}
