package policy

import (
	"math/rand/v2"

	"github.com/patrolsim/patrolsim/sim/geo"
)

func init() {
	register(&Spec{
		Name: "posts",
		Doc: "Units stand at a fixed point (屯警街面) and return there after every call: a post-homed " +
			"unit at its post, any other unit at its home (district base or community centre).",
		New: func(w *World, units []int, p Values) (Policy, error) { return posts{w}, nil },
	})
}

type posts struct{ w *World }

func (p posts) Next(now float64, u int, pos geo.Point, r *rand.Rand) Order {
	return stayAt(&p.w.Units[u])
}
