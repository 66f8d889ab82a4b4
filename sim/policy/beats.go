package policy

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/patrolsim/patrolsim/sim/geo"
)

func init() {
	register(&Spec{
		Name: "static-beats",
		Doc: "Each district's areas are cut into one beat per district unit of a type, balanced by " +
			"expected incident volume along a serpentine sweep of the district; idle units patrol " +
			"their own beat at random (point uniform over the beat's area, a stop of `dwell`). " +
			"Community teams keep their community; units homed at a post keep it.",
		Params: []Param{dwellParam},
		New:    newBeats,
	})
}

type beats struct {
	w      *World
	home   homes[beatSpan] // by unit: its home, and where its beat is
	dwell  float64
	beat   []sampledAtom // every beat's atoms, each beat's in a run of its own
	centre []geo.Point   // by unit: area centroid of its beat
	// InBeat's copy, which dispatch asks of every unit it scans: by unit
	// where its beat is (as home's), and beat's atoms alone.
	span  []beatSpan
	atoms []int32
}

// beatSpan is where a unit's beat is in beats.beat (and atoms): [lo, hi),
// empty for a unit without a beat.
type beatSpan struct{ lo, hi int32 }

func newBeats(w *World, units []int, p Values) (Policy, error) {
	b := &beats{w: w, home: newHomes[beatSpan](w), dwell: p["dwell"], centre: make([]geo.Point, len(w.Units)), span: make([]beatSpan, len(w.Units))}
	// Group district-homed units by (type, district), in unit order.
	type key struct{ typ, district int }
	groups := map[key][]int{}
	var keys []key
	for _, u := range units {
		unit := &w.Units[u]
		if unit.Home != HomeDistrict {
			continue
		}
		k := key{unit.Type, unit.District}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], u)
	}
	for _, k := range keys {
		members := groups[k]
		parts := Beats(w.City, w.City.Districts[k.district].Atoms, len(members))
		for i, u := range members {
			lo := len(b.beat)
			b.beat = appendSampled(b.beat, w.City, parts[i])
			b.home[u].own = beatSpan{int32(lo), int32(len(b.beat))}
			for _, at := range parts[i] {
				b.atoms = append(b.atoms, int32(at))
			}
			var x, y, a float64
			for _, at := range parts[i] {
				atom := &w.City.Atoms[at]
				x += atom.Centroid.X * atom.Area
				y += atom.Centroid.Y * atom.Area
				a += atom.Area
			}
			b.centre[u] = geo.Point{X: x / a, Y: y / a}
		}
	}
	for u := range b.span {
		b.span[u] = b.home[u].own
	}
	return b, nil
}

// sampler is unit u's beat.
func (p *beats) sampler(x *homeOf[beatSpan]) areaSampler {
	return areaSampler{p.beat[x.own.lo:x.own.hi]}
}

func (p *beats) Next(now float64, u int, pos geo.Point, r *rand.Rand) Order {
	x := &p.home[u]
	if o, ok := x.order(p.w.City, p.dwell, r); ok {
		return o
	}
	return p.sampler(x).order(p.w.City, r, p.dwell)
}

// Beats cuts atoms into k beats of near-equal total Weight. Atoms are ordered
// by a serpentine sweep (bands of equal height south to north, west to east
// in even bands and east to west in odd ones, about sqrt(k) bands) and the
// sequence is cut where the running weight crosses j/k of the total, so beats
// are compact strips. Every beat gets at least one atom; when k exceeds the
// number of atoms, beats share atoms. The result is deterministic.
func Beats(c *geo.City, atoms []int, k int) [][]int {
	if k <= 0 || len(atoms) == 0 {
		return nil
	}
	order := slices.Clone(atoms)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, a := range order {
		ymin = min(ymin, c.Atoms[a].Centroid.Y)
		ymax = max(ymax, c.Atoms[a].Centroid.Y)
	}
	bands := max(1, int(math.Round(math.Sqrt(float64(k)))))
	h := (ymax - ymin) / float64(bands)
	band := func(a int) int {
		if h <= 0 {
			return 0
		}
		return min(bands-1, int((c.Atoms[a].Centroid.Y-ymin)/h))
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ba, bb := band(a), band(b)
		if ba != bb {
			return ba - bb
		}
		xa, xb := c.Atoms[a].Centroid.X, c.Atoms[b].Centroid.X
		if ba%2 == 1 {
			xa, xb = -xa, -xb
		}
		switch {
		case xa < xb:
			return -1
		case xa > xb:
			return 1
		}
		return a - b
	})
	out := make([][]int, k)
	if k >= len(order) {
		for j := range k {
			out[j] = []int{order[j*len(order)/k]}
		}
		return out
	}
	n := len(order)
	w := func(i int) float64 { return max(c.Atoms[order[i]].Weight, 0) }
	total := 0.0
	for i := range n {
		total += w(i)
	}
	// cuts[j] is the first atom of beat j: where the running weight, counted
	// to the middle of each atom, reaches j/k of the total; clamped so that
	// every beat keeps at least one atom.
	cuts := make([]int, k+1)
	cuts[k] = n
	run, i := 0.0, 0
	for j := 1; j < k; j++ {
		target := total * float64(j) / float64(k)
		for i < n && run+w(i)/2 < target {
			run += w(i)
			i++
		}
		cut := min(max(i, cuts[j-1]+1), n-(k-j))
		for i < cut {
			run += w(i)
			i++
		}
		cuts[j] = cut
	}
	for j := range k {
		out[j] = order[cuts[j]:cuts[j+1]]
	}
	return out
}

// Assumed is the centre of the unit's beat (its home for units without a
// beat): where hierarchical command assumes it patrols.
func (p *beats) Assumed(u int) geo.Point {
	if p.HasBeat(u) {
		return p.centre[u]
	}
	return p.w.Units[u].At
}

// HasBeat reports whether unit u has a beat (district units do).
func (p *beats) HasBeat(u int) bool { s := p.span[u]; return s.hi > s.lo }

// InBeat reports whether atom a is in unit u's beat.
func (p *beats) InBeat(u, a int) bool {
	s := p.span[u]
	if s.hi == s.lo {
		return false // no beat (a community team, a post's unit)
	}
	for _, x := range p.atoms[s.lo:s.hi] {
		if int(x) == a {
			return true
		}
	}
	return false
}
