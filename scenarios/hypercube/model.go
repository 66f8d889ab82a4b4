package hypercube

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/analytic"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// Model is a scenario turned into Larson's model. Times in seconds, rates
// per second.
type Model struct {
	Name     string // the scenario's
	Cube     *analytic.Hypercube
	Travel   [][]float64 // mean travel time [atom][unit], turnout included
	UnitDist []int       // each unit's district
	AtomDist []int       // each area's district
	Units    []string    // unit names: type and index
	Atoms    []string    // area names
	OnScene  float64     // mean on-scene time
	Force    *sim.Model  // the first variant's
}

// DefaultExactUnits: up to this many units the exact solution is the
// default (0.13 s for 15 units and 100 areas, BenchmarkExact15).
const DefaultExactUnits = 15

// travelSamples is how many points of each area the mean travel time to it
// averages over.
const travelSamples = 256

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
	hm := &Model{Name: s.File.Name, Force: force}
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
	hm.Cube = &analytic.Hypercube{Units: len(units), Lambda: lambda, Loss: loss}
	for u, un := range units {
		hm.Units = append(hm.Units, fmt.Sprintf("%s %d", un.TypeName, u))
		hm.UnitDist = append(hm.UnitDist, un.District)
	}
	for a := range city.Atoms {
		at := &city.Atoms[a]
		hm.Atoms = append(hm.Atoms, at.Name)
		hm.AtomDist = append(hm.AtomDist, at.District)
		// Travel to an area is the mean over travelSamples points drawn
		// uniformly in it (a fixed stream), as the simulator places calls:
		// the centroid alone would miss the spread within the area (from a
		// unit at the centre of a square cell of side X, Manhattan travel
		// averages X/2, not 0).
		r := rand.New(rand.NewPCG(uint64(a), 0x6879706572637562))
		pts := make([]geo.Point, travelSamples)
		for i := range pts {
			pts[i] = city.RandomPoint(a, r)
		}
		t := make([]float64, len(units))
		for u, un := range units {
			ut := &cfg.Units[un.Type]
			var sum float64
			for _, p := range pts {
				sum += cfg.Travel.Time(un.At, p, ut.Speed)
			}
			t[u] = ut.Turnout + sum/travelSamples
		}
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
		hm.Cube.Pref = append(hm.Cube.Pref, pref)
	}
	return hm, nil
}

// Result is the analytic answer.
type Result struct {
	Sol         *analytic.Solution
	Method      string  // "exact" or "approximate"
	MeanService float64 // seconds: on-scene + mean travel
	TravelMean  float64 // seconds
	TravelAtom  []float64
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
	for j, l := range hm.Cube.Lambda {
		first += l * hm.Travel[j][hm.Cube.Pref[j][0]]
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
		r.TravelAtom, next = sol.MeanTravel(hm.Travel)
		done := math.Abs(next-travel) < 0.01
		travel = next
		if done {
			break
		}
	}
	r.MeanService = 1 / hm.Cube.Mu
	r.TravelMean = travel
	r.Cross = r.Sol.CrossShare(hm.UnitDist, hm.AtomDist)
	r.QueueWait = math.NaN()
	if !hm.Cube.Loss {
		// The number of busy units is the M/M/N queue whatever the
		// geography, so the mean wait is Erlang C's.
		r.QueueWait = analytic.MMcWait(hm.Cube.Units, total, hm.Cube.Mu)
	}
	return r, nil
}
