package hypercube

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/analytic"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// Model is a scenario turned into Larson's model. Times in seconds, rates
// per second.
type Model struct {
	Name string // the scenario's
	// Cube is the hypercube. Its atoms are the areas, except that an area
	// whose units tie in travel time is split into equal parts with the
	// tied units in turn (see tieOrders): Area maps each of Cube's atoms
	// to its area.
	Cube     *analytic.Hypercube
	Area     []int
	Rate     []float64   // each area's call rate, per second
	Pref     [][]int     // each area's dispatch preference (ties to the lowest index)
	Travel   [][]float64 // mean travel time [area][unit], turnout included
	UnitDist []int       // each unit's district
	AtomDist []int       // each area's district
	Units    []string    // unit names: type and index
	Atoms    []string    // area names
	OnScene  float64     // mean on-scene time
	// TravelMethod says how Travel was computed: "exact" (closed-form
	// integration over each area's polygons, Manhattan or straight-line
	// metric) or "lattice" (road travel: the mean over a fixed lattice of
	// about LatticePoints points of each area).
	TravelMethod string
	// TravelSpread is, for "lattice", the largest difference in seconds,
	// over areas and units, between the means over the lattice's two
	// checkerboard halves: an indication of the lattice's error (zero for
	// "exact").
	TravelSpread float64
	Force        *sim.Model // the first variant's
}

// DefaultExactUnits: up to this many units the exact solution is the
// default (0.13 s for 15 units and 100 areas, BenchmarkExact15).
const DefaultExactUnits = 15

// LatticePoints is about how many points of an area the mean road travel
// time to it averages over (a lattice: see areaTravel).
const LatticePoints = 256

// New builds the hypercube of s's first variant, with zero line capacity
// (a call that finds every unit busy is lost) when loss. The mean service
// rate is left for Solve (it depends on the travel times). Its errors are
// the user's: a scenario without variant or units.
func New(s *scenarios.Scenario, loss bool) (*Model, error) {
	if len(s.Variants) == 0 {
		return nil, errors.New("the scenario has no variant")
	}
	force := s.Variants[0].Model
	cfg := force.Cfg
	city := cfg.City
	units := force.World.Units
	if len(units) == 0 {
		return nil, errors.New("the scenario's first variant has no units")
	}
	hm := &Model{Name: s.File.Name, Force: force, TravelMethod: "exact"}
	if cfg.Travel.Roads != nil {
		hm.TravelMethod = "lattice"
	}
	// Mean rate of each atom over the week: the hour-by-hour average of
	// the intensity the simulator draws from, times 1/(1 − offspring) for
	// near-repeat offspring (the long-run rate of the Hawkes process).
	rate := cfg.RateFunc()
	boost := 1.0
	if m := cfg.NearRepeat.Offspring; m > 0 && m < 1 {
		boost = 1 / (1 - m)
	}
	lambda := make([]float64, len(city.Atoms))
	for a := range city.Atoms {
		var sum float64
		for h := range 168 {
			sum += rate(a, float64(h)*3600+1800)
		}
		lambda[a] = sum / 168 * boost
	}
	for _, it := range cfg.Incidents.Types {
		hm.OnScene += it.Share * it.OnScene.Mean
	}
	hm.Cube = &analytic.Hypercube{Units: len(units), Loss: loss}
	hm.Rate = lambda
	for u, un := range units {
		hm.Units = append(hm.Units, fmt.Sprintf("%s %d", un.TypeName, u))
		hm.UnitDist = append(hm.UnitDist, un.District)
	}
	homes := make([]geo.Point, len(units))
	for u, un := range units {
		homes[u] = un.At
	}
	for a := range city.Atoms {
		at := &city.Atoms[a]
		hm.Atoms = append(hm.Atoms, at.Name)
		hm.AtomDist = append(hm.AtomDist, at.District)
		// Travel to an area is the mean over the area's points, uniform
		// as the simulator places calls: the centroid alone would miss
		// the spread within the area (from a unit at the centre of a
		// square cell of side X, Manhattan travel averages X/2, not 0).
		// See areaTravel: exact for a metric, a fixed lattice on roads.
		t, spread := areaTravel(cfg, units, at)
		hm.TravelSpread = max(hm.TravelSpread, spread)
		pref := make([]int, len(units))
		for u := range pref {
			pref[u] = u
		}
		// By travel time, ties to the lowest unit index as in dispatch.
		slices.SortStableFunc(pref, func(x, y int) int {
			switch {
			case t[x] < t[y]:
				return -1
			case t[x] > t[y]:
				return 1
			}
			return 0
		})
		hm.Travel = append(hm.Travel, t)
		hm.Pref = append(hm.Pref, pref)
		orders := tieOrders(pref, t, homes)
		for _, o := range orders {
			hm.Cube.Lambda = append(hm.Cube.Lambda, lambda[a]/float64(len(orders)))
			hm.Cube.Pref = append(hm.Cube.Pref, o)
			hm.Area = append(hm.Area, a)
		}
	}
	return hm, nil
}

// maxTieOrders bounds the parts an area with tied units is split into.
const maxTieOrders = 24

// tieOrders returns the dispatch orders of an area whose units, in
// preference order pref, have mean travel times t and homes at: pref
// alone, or, where units at different homes tie (times equal to a
// relative 1e-9, as symmetry makes them: homes mirror images about the
// area), one order for each turn of the tied homes, each group rotated in
// step. The simulator sends the unit nearest the call's own point, so each
// tied home answers an equal share of such an area's calls (by symmetry),
// not the lowest index all of them; the area's calls are split equally
// among the orders. Units sharing a home stay in index order, as the
// simulator breaks their ties. With groups of k₁, k₂, … tied homes there
// are lcm(k₁, k₂, …) orders, at most maxTieOrders (beyond, the groups'
// turns are no longer quite equal).
func tieOrders(pref []int, t []float64, at []geo.Point) [][]int {
	// blocks[g] is tie group g's units, one block per home, in pref order.
	var blocks [][][]int
	var spans [][2]int
	m := 1
	for i := 0; i < len(pref); {
		j := i + 1
		for j < len(pref) && t[pref[j]]-t[pref[i]] <= 1e-9*math.Abs(t[pref[i]]) {
			j++
		}
		var bl [][]int
		for _, u := range pref[i:j] {
			k := slices.IndexFunc(bl, func(b []int) bool { return at[b[0]] == at[u] })
			if k < 0 {
				bl = append(bl, []int{u})
			} else {
				bl[k] = append(bl[k], u)
			}
		}
		if len(bl) > 1 {
			blocks = append(blocks, bl)
			spans = append(spans, [2]int{i, j})
			m = min(lcm(m, len(bl)), maxTieOrders)
		}
		i = j
	}
	if len(blocks) == 0 {
		return [][]int{pref}
	}
	orders := make([][]int, m)
	for r := range m {
		o := slices.Clone(pref)
		for g, bl := range blocks {
			pos := spans[g][0]
			for i := range bl {
				pos += copy(o[pos:], bl[(i+r)%len(bl)])
			}
		}
		orders[r] = o
	}
	return orders
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// Result is the analytic answer.
type Result struct {
	Sol         *analytic.Solution
	Method      string      // "exact" or "approximate"
	MeanService float64     // seconds: on-scene + mean travel
	TravelMean  float64     // seconds
	TravelAtom  []float64   // seconds, by area: mean travel of its answered calls (NaN if none)
	Frac        [][]float64 // [area][unit]: share of the area's calls the unit answers
	Cross       float64
	QueueWait   float64 // seconds, mean over all calls (infinite queue), else NaN
}

// Solve solves hm, exactly (2^N states, at most analytic.MaxExactUnits
// units) or by Larson's approximation. The service time includes travel,
// and the mean travel depends on who answers, so the mean service time is
// found by fixed-point iteration: start from the on-scene time plus the
// travel of each area's first choice, solve, recompute the mean travel,
// until it moves by less than 0.01 s (at most 20 rounds; it usually takes
// 3). Its errors are the user's: no incidents, or a model the solver
// refuses (too many units for the exact solution).
func (hm *Model) Solve(exact bool) (*Result, error) {
	r := &Result{Method: "approximate"}
	if exact {
		r.Method = "exact"
	}
	var first, total float64
	travelOf := make([][]float64, len(hm.Area)) // by Cube's atom
	distOf := make([]int, len(hm.Area))
	for j, l := range hm.Cube.Lambda {
		travelOf[j], distOf[j] = hm.Travel[hm.Area[j]], hm.AtomDist[hm.Area[j]]
		first += l * travelOf[j][hm.Cube.Pref[j][0]]
		total += l
	}
	if total == 0 {
		return nil, errors.New("the scenario has no incidents (incidents.per_day or the area weights are zero)")
	}
	travel := first / total
	for range 20 {
		hm.Cube.Mu = 1 / (hm.OnScene + travel)
		var sol *analytic.Solution
		var err error
		if exact {
			sol, err = hm.Cube.Exact()
		} else {
			sol, err = hm.Cube.Approx()
		}
		if err != nil {
			return nil, err
		}
		r.Sol = sol
		var next float64
		_, next = sol.MeanTravel(travelOf)
		done := math.Abs(next-travel) < 0.01
		travel = next
		if done {
			break
		}
	}
	r.MeanService = 1 / hm.Cube.Mu
	r.TravelMean = travel
	r.Cross = r.Sol.CrossShare(hm.UnitDist, distOf)
	// By area: the parts' answered shares, weighted by their rates.
	r.Frac = make([][]float64, len(hm.Atoms))
	num := make([]float64, len(hm.Atoms))
	for a := range r.Frac {
		r.Frac[a] = make([]float64, hm.Cube.Units)
	}
	for j, f := range r.Sol.Frac {
		a := hm.Area[j]
		for u, x := range f {
			if hm.Rate[a] > 0 {
				r.Frac[a][u] += x * hm.Cube.Lambda[j] / hm.Rate[a]
			}
			num[a] += x * hm.Cube.Lambda[j] * hm.Travel[a][u]
		}
	}
	r.TravelAtom = make([]float64, len(hm.Atoms))
	for a := range r.TravelAtom {
		var den float64
		for _, x := range r.Frac[a] {
			den += x * hm.Rate[a]
		}
		r.TravelAtom[a] = math.NaN()
		if den > 0 {
			r.TravelAtom[a] = num[a] / den
		}
	}
	r.QueueWait = math.NaN()
	if !hm.Cube.Loss {
		// The number of busy units is the M/M/N queue whatever the
		// geography, so the mean wait is Erlang C's.
		r.QueueWait = analytic.MMcWait(hm.Cube.Units, total, hm.Cube.Mu)
	}
	return r, nil
}

// areaTravel returns the mean travel time in seconds, turnout included,
// from each unit's home to a point uniform over atom at, and for road
// travel the largest difference between the lattice's two checkerboard
// halves (0 otherwise). It depends on the atom's shape alone, never on its
// position in the file.
//
// With a metric (Manhattan or straight line, times the detour) the mean
// distance is integrated exactly over the atom's polygons
// (analytic.MeanManhattan, analytic.MeanEuclidean). On roads, where travel
// has no closed form, it is the mean over the points of a square lattice
// of step √(area/LatticePoints) (the cells' centres that lie in the atom;
// the step is halved, up to 6 times, until at least 16 do): a midpoint
// rule, whose error for a travel time with Lipschitz constant L is at most
// about L·step plus the share of the atom in cells cut by its border;
// road times jump where the nearest road changes, so no such L holds and
// the halves' difference is reported instead.
func areaTravel(cfg *sim.Config, units []policy.Unit, at *geo.Atom) ([]float64, float64) {
	t := make([]float64, len(units))
	shape := at.Shape()
	if cfg.Travel.Roads == nil {
		detour := cfg.Travel.Detour
		if !(detour > 0) {
			detour = 1
		}
		for u, un := range units {
			ut := &cfg.Units[un.Type]
			p := orb.Point{un.At.X, un.At.Y}
			var d float64
			if cfg.Travel.Metric == geo.Manhattan {
				d, _ = analytic.MeanManhattan(p, shape)
			} else {
				d, _ = analytic.MeanEuclidean(p, shape)
			}
			t[u] = ut.Turnout + d*detour/ut.Speed
		}
		return t, 0
	}
	return latticeTravel(cfg, units, at)
}

// latticeTravel is areaTravel by the lattice, whatever the travel model.
func latticeTravel(cfg *sim.Config, units []policy.Unit, at *geo.Atom) ([]float64, float64) {
	t := make([]float64, len(units))
	pts, parity := lattice(at.Shape(), at)
	var spread float64
	for u, un := range units {
		ut := &cfg.Units[un.Type]
		var sum [2]float64
		var n [2]int
		for i, p := range pts {
			sum[parity[i]] += cfg.Travel.Time(un.At, p, ut.Speed)
			n[parity[i]]++
		}
		t[u] = ut.Turnout + (sum[0]+sum[1])/float64(n[0]+n[1])
		if n[0] > 0 && n[1] > 0 {
			spread = max(spread, math.Abs(sum[0]/float64(n[0])-sum[1]/float64(n[1])))
		}
	}
	return t, spread
}

// lattice returns the centres of a square lattice's cells that lie in
// shape (see areaTravel), and each one's checkerboard parity; the atom's
// interior point if none does.
func lattice(shape orb.MultiPolygon, at *geo.Atom) ([]geo.Point, []int) {
	b := shape.Bound()
	step := math.Sqrt(at.Area / LatticePoints)
	var pts []geo.Point
	var parity []int
	for range 7 {
		pts, parity = pts[:0], parity[:0]
		nx := int(math.Ceil((b.Max[0] - b.Min[0]) / step))
		ny := int(math.Ceil((b.Max[1] - b.Min[1]) / step))
		// Centre the lattice on the box, so that it depends on the shape
		// alone.
		x0 := (b.Min[0]+b.Max[0])/2 - float64(nx)*step/2
		y0 := (b.Min[1]+b.Max[1])/2 - float64(ny)*step/2
		for j := range ny {
			for i := range nx {
				p := orb.Point{x0 + (float64(i)+0.5)*step, y0 + (float64(j)+0.5)*step}
				if planar.MultiPolygonContains(shape, p) {
					pts = append(pts, geo.Point{X: p[0], Y: p[1]})
					parity = append(parity, (i+j)%2)
				}
			}
		}
		if len(pts) >= 16 {
			break
		}
		step /= 2
	}
	if len(pts) == 0 {
		return []geo.Point{at.Inside}, []int{0}
	}
	return pts, parity
}
