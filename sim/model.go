package sim

import (
	"fmt"
	"math"

	"github.com/patrolsim/patrolsim/sim/policy"
)

// Model is a Config with its units laid out. It is read-only and may be
// shared by concurrent runs.
type Model struct {
	Cfg   *Config
	World *policy.World
	// ableIn[d][p] lists the units homed in district d that may take
	// priority p, ascending.
	ableIn [][4][]int
	// ableBits[u] has bit p set when unit u may take priority p.
	ableBits []uint8
	// Over the units that may take priority p: the shortest turnout
	// (seconds) and the highest response speed (metres per second), which
	// bound the dispatch search.
	minTurnout, maxSpeed [4]float64
}

// NewModel lays out the units of cfg: unit i of a type homed in districts
// goes to district i mod D (at the district base), or to its
// Districts[i mod len] when the type lists its districts, of a type homed in
// communities to atom i mod A (at its centroid, or a point inside it when
// the centroid is not), and of a type homed at posts
// to the i mod P-th post of its kind.
func NewModel(cfg *Config) (*Model, error) {
	w := &policy.World{City: cfg.City, Rate: cfg.RateFunc(), NearRepeat: cfg.NearRepeat}
	c := cfg.City
	for t := range cfg.Units {
		ut := &cfg.Units[t]
		var posts []int
		if ut.Home == policy.HomePost {
			for p := range c.Posts {
				if ut.PostKind == "" || c.Posts[p].Kind == ut.PostKind {
					posts = append(posts, p)
				}
			}
			if len(posts) == 0 {
				return nil, fmt.Errorf("unit type %s: no posts of kind %q", ut.Name, ut.PostKind)
			}
		}
		for i := range ut.Count {
			u := policy.Unit{Type: t, TypeName: ut.Name, Squad: ut.Squad, Home: ut.Home, Post: -1}
			switch ut.Home {
			case policy.HomeDistrict:
				u.District = i % len(c.Districts)
				if len(ut.Districts) > 0 {
					u.District = ut.Districts[i%len(ut.Districts)]
				}
				u.At = c.Districts[u.District].Base
				u.Atom = c.Locate(u.At)
			case policy.HomeCommunity:
				u.Atom = i % len(c.Atoms)
				u.District = c.Atoms[u.Atom].District
				u.At = c.Atoms[u.Atom].Inside
			case policy.HomePost:
				u.Post = posts[i%len(posts)]
				p := &c.Posts[u.Post]
				u.At = p.At
				u.Atom = p.Atom
				u.District = 0
				if p.Atom >= 0 {
					u.District = c.Atoms[p.Atom].District
				}
			}
			w.Units = append(w.Units, u)
		}
	}
	m := &Model{Cfg: cfg, World: w, ableIn: make([][4][]int, len(c.Districts)), ableBits: make([]uint8, len(w.Units))}
	for p := range m.minTurnout {
		m.minTurnout[p], m.maxSpeed[p] = math.Inf(1), 0
	}
	for u, unit := range w.Units {
		ut := &cfg.Units[unit.Type]
		for p := 1; p <= 3; p++ {
			if ut.Priorities[p] {
				m.ableIn[unit.District][p] = append(m.ableIn[unit.District][p], u)
				m.ableBits[u] |= 1 << p
				m.minTurnout[p] = min(m.minTurnout[p], ut.Turnout)
				m.maxSpeed[p] = max(m.maxSpeed[p], ut.Speed)
			}
		}
	}
	return m, nil
}

// Able returns how many units homed in district d may take priority p.
func (m *Model) Able(d, p int) int { return len(m.ableIn[d][p]) }
