package optimize

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// coverPoints is about how many points of each area the coverage screen
// samples (a square lattice, as the hypercube's road travel does).
const coverPoints = 64

// coverData is the coverage screen's input: for each area, its sample
// points, and for each point the slots whose site reaches it within the
// target.
type coverData struct {
	target float64   // seconds: the P1 response target
	points [][][]int // [area][point] → the slots that cover the point, ascending
}

// prepareCover samples each area of cfg's city and finds, for each
// point, the sites (slot j at sites[j]) from which the decided type
// (speed, turnout: unit type ut) answers within target − delay seconds.
// Cost: areas × coverPoints × sites travel times.
func prepareCover(cfg *sim.Config, ut *sim.UnitType, sites []geo.Point, delay, target float64) *coverData {
	cd := &coverData{target: target}
	city := cfg.City
	cd.points = make([][][]int, len(city.Atoms))
	for a := range city.Atoms {
		at := &city.Atoms[a]
		for _, p := range samplePoints(at) {
			var by []int
			for j, s := range sites {
				if delay+ut.Turnout+cfg.Travel.Time(s, p, ut.Speed) <= target {
					by = append(by, j)
				}
			}
			cd.points[a] = append(cd.points[a], by)
		}
	}
	return cd
}

// samplePoints returns the centres of a square lattice's cells that lie in
// the atom (step √(area/coverPoints), halved up to 6 times until at least
// 16 do), or the atom's interior point if none does. It depends on the
// atom's shape alone.
func samplePoints(at *geo.Atom) []geo.Point {
	shape := at.Shape()
	b := shape.Bound()
	step := math.Sqrt(at.Area / coverPoints)
	var pts []geo.Point
	for range 7 {
		pts = pts[:0]
		// (less a hair, so that a box of whole steps is not given a
		// column of points on its border by rounding)
		nx := max(1, int(math.Ceil((b.Max[0]-b.Min[0])/step-1e-9)))
		ny := max(1, int(math.Ceil((b.Max[1]-b.Min[1])/step-1e-9)))
		x0 := (b.Min[0]+b.Max[0])/2 - float64(nx)*step/2
		y0 := (b.Min[1]+b.Max[1])/2 - float64(ny)*step/2
		for j := range ny {
			for i := range nx {
				p := orb.Point{x0 + (float64(i)+0.5)*step, y0 + (float64(j)+0.5)*step}
				if planar.MultiPolygonContains(shape, p) {
					pts = append(pts, geo.Point{X: p[0], Y: p[1]})
				}
			}
		}
		if len(pts) >= 16 {
			break
		}
		step /= 2
	}
	if len(pts) == 0 {
		return []geo.Point{at.Inside}
	}
	return slices.Clone(pts)
}

// coverScore is the coverage screen's score of counts: the share of calls
// NOT covered, a call covered when a free unit of the decided type stands
// at a site that reaches its point within the target; each unit busy with
// probability q independently (Daskin's 1983 maximal expected covering
// location model, MEXCLP: a point covered by m units is covered with
// probability 1 − q^m), averaged over each area's sample points and over
// the areas by their call rates. Lower is better, between 0 and 1. Cost:
// O(sample points × covering sites).
func (sd *siteData) coverScore(counts []int) float64 {
	var covered, total float64
	for a, pts := range sd.cover.points {
		var s float64
		for _, by := range pts {
			m := 0
			for _, j := range by {
				m += counts[j]
			}
			if m > 0 {
				s += 1 - math.Pow(sd.Busy, float64(m))
			}
		}
		covered += sd.rate[a] * s / float64(len(pts))
		total += sd.rate[a]
	}
	return 1 - covered/total
}
