package geo

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
