package geo

import "math"

// Origin is a unit's position prepared for many travel-time queries from
// it (TimeFromOrigin), as Target is a destination: on roads its place is
// found once rather than at every query.
type Origin struct {
	P     Point
	place Place
}

// Origin prepares the position pos of a unit on leg l at time now for
// TimeFromOrigin: the place of the leg's end once the leg has arrived
// there (as TimeFrom uses it), else the place of pos.
func (t Travel) Origin(l *Leg, now float64, pos Point) Origin {
	if t.Roads == nil {
		return Origin{P: pos}
	}
	if l.roads == t.Roads && now >= l.Arrive && pos == l.To {
		return Origin{P: pos, place: l.pb}
	}
	return Origin{P: pos, place: t.Roads.Locate(pos)}
}

// TimeFromOrigin is TimeFrom(l, now, pos, b, speed) for o = Origin(l, now,
// pos): the same number, without locating pos again.
func (t Travel) TimeFromOrigin(o *Origin, b *Target, speed float64) float64 {
	if t.Roads != nil {
		return t.Roads.Seconds(o.P, o.place, b.P, b.place) * t.Roads.refSpeed / speed
	}
	return t.Distance(o.P, b.P) / speed
}

// Zones returns the number of zones of the road table (0 without roads).
// An Origin's zone (OriginZone) is one of 0 … Zones()−1.
func (t Travel) Zones() int {
	if t.Roads == nil {
		return 0
	}
	return t.Roads.Zones()
}

// OriginZone returns the zone of o's place on roads (0 without roads).
func (o *Origin) OriginZone() int { return int(o.place.Zone) }

// AccessTime returns the share of TimeFromOrigin(o, b, speed), for any b,
// that o's access makes (the straight way from o.P to its node), in
// seconds at speed: 0 without roads.
func (t Travel) AccessTime(o *Origin, speed float64) float64 {
	if t.Roads == nil {
		return 0
	}
	r := t.Roads
	return o.place.Access / min(AccessSpeed/3.6, r.topSpeed) * r.refSpeed / speed
}

// ZoneBound returns bounds lo ≤ hi on TimeFromOrigin(o, b, speed) −
// AccessTime(o, speed) over every Origin o on roads whose place is in zone
// z (any node of z, any access): it is the road time from o's node to b's
// place (Seconds less o's access), which varies within the zone only with
// the node's distance from b's node (monotonically: see Seconds), so it
// lies between its values at the least and the greatest distance from b's
// node to the box of z's nodes. The bounds are widened by a relative 1e-9
// and 1e-9 s, far above the rounding of either side (a few parts in 1e16
// of the times), so that a caller may decide TimeFromOrigin against a
// threshold without it wherever the threshold lies outside [lo, hi] plus
// AccessTime. Without roads it returns 0, +Inf (nothing decided).
func (t Travel) ZoneBound(z int, b *Target, speed float64) (lo, hi float64) {
	if t.Roads == nil {
		return 0, math.Inf(1)
	}
	r := t.Roads
	r.build()
	pb, nb := b.place, b.place.pos
	box := &r.zoneBox[z]
	// The least and greatest |dx| and |dy| from b's node to a point of
	// the box.
	dx0 := max(0, box[0]-nb.X, nb.X-box[2])
	dy0 := max(0, box[1]-nb.Y, nb.Y-box[3])
	dx1 := max(math.Abs(nb.X-box[0]), math.Abs(nb.X-box[2]))
	dy1 := max(math.Abs(nb.Y-box[1]), math.Abs(nb.Y-box[3]))
	var rlo, rhi float64
	if int32(z) == pb.Zone {
		rlo, rhi = (dx0+dy0)/r.refSpeed, (dx1+dy1)/r.refSpeed
	} else {
		nz := len(r.anchor)
		road := float64(r.time[z*nz+int(pb.Zone)])
		da := planeDist(r.anchorPos[z], r.anchorPos[pb.Zone])
		at := func(d float64) float64 { return max(road+(d-da)/r.refSpeed, d/r.topSpeed) }
		rlo, rhi = at(math.Sqrt(dx0*dx0+dy0*dy0)), at(math.Sqrt(dx1*dx1+dy1*dy1))
	}
	base := pb.Access / min(AccessSpeed/3.6, r.topSpeed)
	k := r.refSpeed / speed
	lo, hi = (base+rlo)*k, (base+rhi)*k
	return lo*(1-1e-9) - 1e-9, hi*(1+1e-9) + 1e-9
}

// ZoneBox returns the box (x0, y0, x1, y1) of the nodes of road zone z
// (the zero box without roads).
func (t Travel) ZoneBox(z int) [4]float64 {
	if t.Roads == nil {
		return [4]float64{}
	}
	t.Roads.build()
	return t.Roads.zoneBox[z]
}

// ZoneTarget is a Target prepared for deciding, for origins whose place
// is in one road zone, whether TimeFromOrigin is within a budget without
// computing it (Within): Seconds, less the origin's access, is a known
// function of the distance between the origin's node and the target's.
type ZoneTarget struct {
	nb   Point   // the target's node
	c    float64 // between zones: the anchors' road time less their straight distance at the reference speed
	base float64 // the target's access, seconds at the reference speed's scale (as Seconds counts it)
	k    float64 // reference speed ÷ the unit's speed
	same bool    // the target's node is in the zone
}

// ZoneTarget prepares b for Within from origins in zone z at speed (the
// zero ZoneTarget without roads).
func (t Travel) ZoneTarget(z int, b *Target, speed float64) ZoneTarget {
	if t.Roads == nil {
		return ZoneTarget{}
	}
	r := t.Roads
	r.build()
	pb := b.place
	zt := ZoneTarget{nb: pb.pos, base: pb.Access / min(AccessSpeed/3.6, r.topSpeed), k: r.refSpeed / speed, same: int32(z) == pb.Zone}
	if !zt.same {
		nz := len(r.anchor)
		zt.c = float64(r.time[z*nz+int(pb.Zone)]) - planeDist(r.anchorPos[z], r.anchorPos[pb.Zone])/r.refSpeed
	}
	return zt
}

// Within reports whether TimeFromOrigin(o, b, speed) ≤ budget, for o's
// place in the zone and b, speed those zt was prepared with, where it can
// tell without computing the time: decided is false where the two lie
// within a relative 1e-9 (and 1e-9 s) of each other, far above the
// rounding of either side, and then the caller computes the time. It
// compares the squared distance between the two nodes with the most the
// budget leaves for it: no square root, no table read.
func (t Travel) Within(o *Origin, zt *ZoneTarget, budget float64) (within, decided bool) {
	r := t.Roads
	if r == nil || zt.k == 0 {
		return false, false
	}
	acc := min(AccessSpeed/3.6, r.topSpeed)
	ya := o.place.Access / acc
	// The most the road part (Seconds less both accesses) may be, give or
	// take eps.
	y := budget/zt.k - ya - zt.base
	eps := 1e-9*(math.Abs(budget/zt.k)+ya+zt.base+math.Abs(zt.c)) + 1e-9
	dx, dy := o.place.pos.X-zt.nb.X, o.place.pos.Y-zt.nb.Y
	if zt.same {
		// Seconds' road part: the nodes' right-angle distance at the
		// reference speed.
		m := math.Abs(dx) + math.Abs(dy)
		switch {
		case m <= (y-eps)*r.refSpeed:
			return true, true
		case m > (y+eps)*r.refSpeed:
			return false, true
		}
		return false, false
	}
	// Between zones: max(c + d/ref, d/top), nondecreasing in the nodes'
	// distance d, is at most y' exactly where d ≤ min((y'−c)·ref, y'·top).
	lim := func(y float64) float64 { return min((y-zt.c)*r.refSpeed, y*r.topSpeed) }
	lo, hi := lim(y-eps), lim(y+eps)
	d2 := dx*dx + dy*dy
	switch {
	case hi < 0 || d2 > hi*hi:
		return false, true
	case lo >= 0 && d2 <= lo*lo:
		return true, true
	}
	return false, false
}
