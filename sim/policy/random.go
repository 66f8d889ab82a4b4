package policy

import (
	"math/rand/v2"

	"github.com/patrolsim/patrolsim/sim/geo"
)

func init() {
	register(&Spec{
		Name: "random",
		Doc: "Idle units patrol at random: a point drawn uniformly over the area of the unit's " +
			"district (its community, for a community team), a stop of `dwell`, then the next point. " +
			"Units homed at a post keep it.",
		Params: []Param{dwellParam},
		New:    newRandom,
	})
}

type random struct {
	w        *World
	home     homes[struct{}]
	dwell    float64
	samplers map[int]*areaSampler // by unit, built lazily per area
	district []*areaSampler
}

func newRandom(w *World, units []int, p Values) (Policy, error) {
	r := &random{w: w, home: newHomes[struct{}](w), dwell: p["dwell"], samplers: map[int]*areaSampler{}}
	for d := range w.City.Districts {
		s := newAreaSampler(w.City, w.City.Districts[d].Atoms)
		r.district = append(r.district, &s)
	}
	return r, nil
}

func (p *random) Next(now float64, u int, pos geo.Point, r *rand.Rand) Order {
	if o, ok := p.home.order(p.w.City, u, p.dwell, r); ok {
		return o
	}
	unit := &p.w.Units[u]
	return p.district[unit.District].order(p.w.City, r, p.dwell)
}
