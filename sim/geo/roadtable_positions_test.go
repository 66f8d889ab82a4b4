package geo

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// legQuery is a position asked: unit, leg and time.
type legQuery struct {
	unit int
	leg  int
	t    float64
}

// legWorkload returns legs and positions to ask on them, as a run asks
// them: units patrolling within their own area (legs between random points
// of it, each from the end of the unit's last), each leg asked for its
// position 0 to 3 times at increasing times.
func legWorkload(c *City, tab *RoadTable, units, legs int, seed uint64) ([]Leg, []legQuery) {
	r := rand.New(rand.NewPCG(seed, 1))
	tr := Travel{Roads: tab}
	home := make([]int, units)
	pos := make([]Point, units)
	for u := range home {
		home[u] = r.IntN(len(c.Atoms))
		pos[u] = c.RandomPoint(home[u], r)
	}
	ls := make([]Leg, 0, legs)
	var qs []legQuery
	for i := range legs {
		u := i % units
		b := c.RandomPoint(home[u], r)
		ls = append(ls, tr.Leg(pos[u], b, 0, 15/3.6))
		l := &ls[len(ls)-1]
		ts := make([]float64, r.IntN(4))
		for k := range ts {
			ts[k] = r.Float64() * l.Arrive
		}
		slices.Sort(ts)
		for _, t := range ts {
			qs = append(qs, legQuery{u, len(ls) - 1, t})
		}
		pos[u] = b
	}
	return ls, qs
}

// BenchmarkLegPositions: positions on legs on roads (Leg.AtCached, with a
// PathCache per unit as the simulator keeps them) as a run asks them:
// legWorkload's 20 units, 20,000 legs, 0 to 3 positions a leg. Reports
// ns per position, in wall-clock and processor time.
func BenchmarkLegPositions(b *testing.B) {
	type city struct {
		name string
		load func(testing.TB) (*City, *RoadTable)
	}
	cities := []city{
		{"SanFrancisco", func(tb testing.TB) (*City, *RoadTable) { c, tab := sfTable(tb); tab.Build(); return c, tab }},
		{"Baltimore", func(tb testing.TB) (*City, *RoadTable) { return osmTable(tb, osmCities[0]) }},
	}
	for _, ct := range cities {
		b.Run(ct.name, func(b *testing.B) {
			c, tab := ct.load(b)
			legs, qs := legWorkload(c, tab, 20, 20000, 9)
			caches := make([]PathCache, 20)
			var sink float64
			cpu0, cpuOK := cpuTime()
			for b.Loop() {
				clear(caches)
				for _, q := range qs {
					p := legs[q.leg].AtCached(q.t, &caches[q.unit])
					sink += p.X
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(qs)), "ns/position")
			if cpu1, ok := cpuTime(); ok && cpuOK { // processor time: steadier on a loaded machine
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N*len(qs)), "cpu-ns/position")
			}
			_ = sink
		})
	}
}
