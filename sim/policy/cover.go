// cover: maximum expected coverage relocation ("move-up"), a fleet-aware
// policy (Commander).
//
// The model is Daskin's maximum expected covering location problem
// (MEXCLP; M. S. Daskin, "A maximum expected covering location model:
// formulation, properties and heuristic solution", Transportation Science
// 17(1), 1983, 48–70): demand d_i in area i is covered by a unit standing
// at site j when the unit would reach i's point within the target time T;
// each unit is busy, independently, with probability q; the expected
// covered demand of a placement with n_i units covering area i is
//
//	E = Σ_i d_i Σ_{k=1}^{n_i} (1−q) q^{k−1} = Σ_i d_i (1 − q^{n_i}).
//
// Adding a unit that covers i raises i's term by d_i (1−q) q^{n_i};
// removing one lowers it by d_i (1−q) q^{n_i−1}. Daskin solves the static
// problem with a greedy heuristic that adds one unit at a time where the
// gain is largest; dynamic relocation (Gendreau, Laporte & Semet, "A
// dynamic model and parallel tabu search heuristic for real-time ambulance
// relocation", Parallel Computing 27(12), 2001, 1641–1653) re-solves a
// coverage problem whenever a unit is dispatched or clears, and moves free
// units toward the gaps.
//
// What this policy does, and its simplifications:
//
//   - Sites are the areas' points (Atom.Inside); coverage from site j to
//     area i is Fleet.Reach (turnout plus travel at the unit type's
//     response speed) ≤ T, computed once per run for every unit type able
//     to take priority-1 calls (A² travel times per type for A areas).
//   - Demand is the areas' weights (the expected incidents of every type:
//     incidents are spread over areas in proportion to them).
//   - Busy probability q: the parameter busy, or (0) at each review the
//     share of the on-duty units able to take priority 1 that are busy —
//     Daskin's system-wide q, estimated from the fleet at that instant
//     rather than given. Busy units cover nothing; q discounts the free
//     ones, as the probability that they will be taken before the next
//     call.
//   - Free units count at their site: a unit this policy governs at the
//     area it was assigned (where it patrols), any other at the area
//     holding the end of its current leg.
//   - Placement when a unit asks for an order on going on duty or
//     clearing a call (not at the end of a stop it was sent to): the area where it adds the most expected
//     coverage given every other free unit (Daskin's greedy step), if that
//     beats staying by min_gain; it then patrols a random point of that
//     area for dwell, and asks again.
//   - Move-up at each review (when a unit is dispatched, clears, goes on
//     or off duty, and every review): up to moves relocations, each the
//     single move of one free governed unit to one site that raises E
//     most, if by at least min_gain; a unit moves at most once a review.
//     The sites tried for each unit are the 8 of highest gain (coverSites),
//     not all: a greedy, bounded search, not Gendreau et al.'s tabu search
//     nor an exact solution, and without their penalty on long or
//     repeated moves (min_gain is the only brake).
//   - Relocations drive at the patrol speed and count at their destination
//     at once (the unit is assumed there while it drives).
//
// Cost per review, for U units, A areas, F free governed units and c the
// mean number of areas a site covers: O(U·c) to count coverage, O(A·c)
// per move to weigh the sites, O(F·A) to pick each unit's 8 best and
// O(8·F·c) to pick the move. A unit asking for an order costs the same
// with F = 1.

package policy

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/patrolsim/patrolsim/sim/geo"
)

func init() {
	register(&Spec{
		Name: "cover",
		Doc: "Maximum expected coverage (Daskin 1983, MEXCLP) with move-up: each free district unit able to take " +
			"priority-1 calls is assigned the area where it adds the most expected covered demand (area weights within " +
			"`target` of a free unit, each unit busy with probability `busy`) and patrols it (stops of `dwell`); when a " +
			"unit is dispatched, clears or changes shift, and every `review`, up to `moves` free units relocate toward " +
			"the gaps, each move gaining at least `min_gain` of demand. Community teams and post units keep their home; " +
			"district units that cannot take priority 1 patrol their district at random.",
		Params: []Param{targetParam, busyParam, reviewParam, movesParam, minGainParam, coverScopeParam, dwellParam},
		New:    newCover,
	})
}

// targetParam is the coverage time; 0 takes the scenario's priority-1
// target (targets.p1, 5 minutes by default), the standard the coverage
// metric measures.
var targetParam = Param{Name: "target", Kind: Duration, Default: 0, Min: 0, Max: 86400,
	Doc: "a unit covers an area it would reach within this time (turnout + travel); 0: the scenario's targets.p1"}

// busyParam is Daskin's busy probability q; 0 estimates it from the fleet.
var busyParam = Param{Name: "busy", Kind: Number, Default: 0, Min: 0, Max: 0.95,
	Doc: "probability that a unit is busy (Daskin's q); 0: at each review, the share of on-duty units able to take priority 1 that are busy"}

// reviewParam: the periodic review. 10 minutes is a judgement, not a
// cited figure: placements already follow every dispatch and clearance,
// so the periodic review only catches what drifts between them.
var reviewParam = Param{Name: "review", Kind: Duration, Default: 600, Min: 0, Max: 86400,
	Doc: "interval of the periodic review, besides the review at every dispatch, clearance and shift change; 0: none"}

// movesParam bounds the work and the churn of a review. 2 is a judgement,
// not a cited figure: a dispatch opens at most one gap.
var movesParam = Param{Name: "moves", Kind: Integer, Default: 2, Min: 0, Max: 100,
	Doc: "relocations at most per review (each unit moves at most once a review)"}

// minGainParam: a move must raise the expected covered share of demand by
// this much. 0.5% is a judgement, not a cited figure: it keeps units from
// trading places for rounding-size gains.
var minGainParam = Param{Name: "min_gain", Kind: Number, Default: 0.005, Min: 0, Max: 1,
	Doc: "share of demand a relocation must add to expected coverage to be made"}

// coverScopeParam: where a unit may be sent. Move-up across districts is
// the point of the policy (a neighbour's car covers the gap), hence city.
var coverScopeParam = Param{Name: "scope", Kind: Choice, Default: scopeCity, Min: 0, Max: 1,
	Choices: []string{"district", "city"},
	Doc:     "district: a unit is placed in its own district only; city: anywhere"}

// coverSites is how many of the best sites (by the gain of one more unit
// there) a review tries for each free unit.
const coverSites = 8

type cover struct {
	w       *World
	home    homes[struct{}]
	dwell   float64
	target  float64 // seconds; 0 until Attach when the scenario's
	busy    float64 // 0: estimated
	minGain float64
	review  float64
	moves   int
	scope   int

	f        Fleet
	gov      []bool         // by unit: governed, district-homed, able to take priority 1
	assign   []int32        // by unit: the area a governed unit patrols
	random   []*areaSampler // by district: for governed units that cannot take priority 1
	d        []float64      // by area: share of demand
	typeCov  []int          // by unit type: index into cov, -1 if it cannot take priority 1
	cov      [][][]int32    // [k][site]: the areas a unit of the k-th able type covers from site
	headAt   []geo.Point    // by unit: the heading siteOf located last
	headAtom []int32        // by unit: its area (-2: not located yet)
	placed   []bool         // by unit: placed since the run began
	lastTo   []geo.Point    // by unit: the point of its last stop order

	// Scratch of a review.
	n     []int32   // by area: free units covering it
	free  []int     // free governed units, ascending
	q     float64   // busy probability of the review
	qpow  []float64 // q^k
	gain  []float64 // by site: gain of one more unit there
	tops  [][]int32 // by district + 1 (0: the city): the coverSites + 1 best sites there, best first
	topOK []bool    // by district + 1: tops is up to date with gain
	pick  []int32   // the sites a unit tries
	mark  []uint32  // by area: == stamp when in the moving unit's cover
	stamp uint32
}

func newCover(w *World, units []int, p Values) (Policy, error) {
	scope, err := choiceOf("cover", coverScopeParam, p)
	if err != nil {
		return nil, err
	}
	na := len(w.City.Atoms)
	c := &cover{w: w, home: newHomes[struct{}](w), dwell: p["dwell"], target: p["target"], busy: p["busy"],
		minGain: p["min_gain"], review: p["review"], moves: int(p["moves"]), scope: scope,
		gov: make([]bool, len(w.Units)), assign: make([]int32, len(w.Units)), placed: make([]bool, len(w.Units)), lastTo: make([]geo.Point, len(w.Units)),
		d: make([]float64, na), n: make([]int32, na), gain: make([]float64, na), mark: make([]uint32, na)}
	total := 0.0
	for a := range w.City.Atoms {
		c.d[a] = max(w.City.Atoms[a].Weight, 0)
		total += c.d[a]
	}
	for a := range c.d {
		if total > 0 {
			c.d[a] /= total
		}
	}
	for d := range w.City.Districts {
		s := newAreaSampler(w.City, w.City.Districts[d].Atoms)
		c.random = append(c.random, &s)
	}
	for _, u := range units {
		unit := &w.Units[u]
		if unit.Home != HomeDistrict {
			continue
		}
		c.gov[u] = true
		a := unit.Atom
		if a < 0 {
			a = w.City.Locate(unit.At)
		}
		if a < 0 {
			a = w.City.Districts[unit.District].Atoms[0]
		}
		c.assign[u] = int32(a)
	}
	return c, nil
}

// maxCoverAtoms bounds the areas of a city under cover, which computes
// travel times between every two areas for each unit type at the start of
// a run.
const maxCoverAtoms = 5000

// Attach implements Commander: it fixes the target and computes, for every
// unit type able to take priority 1, which areas each site covers.
func (c *cover) Attach(f Fleet) (Review, error) {
	c.f = f
	if c.target == 0 {
		c.target = f.Target(1)
	}
	if !(c.target > 0) {
		return Review{}, errors.New("policy cover: no coverage time: set its parameter target, or the scenario's targets.p1")
	}
	na := len(c.w.City.Atoms)
	if na > maxCoverAtoms {
		return Review{}, errors.New("policy cover: the city has more areas than cover can handle (at most 5000: it computes travel times between every two areas)")
	}
	nt := 0
	for _, u := range c.w.Units {
		nt = max(nt, u.Type+1)
	}
	c.typeCov = make([]int, nt)
	for t := range c.typeCov {
		c.typeCov[t] = -1
	}
	c.headAt = make([]geo.Point, len(c.w.Units))
	c.headAtom = make([]int32, len(c.w.Units))
	for u := range c.w.Units {
		c.headAtom[u] = -2
		t := c.w.Units[u].Type
		if c.typeCov[t] >= 0 || !f.Able(u, 1) {
			continue
		}
		// The first unit of the type stands for it: Reach depends on
		// the type alone.
		c.typeCov[t] = len(c.cov)
		lists := make([][]int32, na)
		for j := range na {
			from := c.w.City.Atoms[j].Inside
			for i := range na {
				if f.Reach(u, from, c.w.City.Atoms[i].Inside) <= c.target {
					lists[j] = append(lists[j], int32(i))
				}
			}
		}
		c.cov = append(c.cov, lists)
	}
	for u := range c.gov {
		if c.gov[u] && c.typeCov[c.w.Units[u].Type] < 0 {
			c.gov[u] = false // cannot take priority 1: patrols its district at random
		}
	}
	return Review{OnChange: true, Every: c.review}, nil
}

// Next implements Policy: a governed unit is placed (Daskin's greedy step
// for it alone) and patrols its area.
func (c *cover) Next(now float64, u int, pos geo.Point, r *rand.Rand) Order {
	if o, ok := c.home.order(c.w.City, u, c.dwell, r); ok {
		return o
	}
	switch {
	case c.f == nil:
		// Not attached (a test asking for orders alone): keep the area.
	case !c.gov[u]:
		// Unable to take priority 1: nothing to cover.
		return c.random[c.w.Units[u].District].order(c.w.City, r, c.dwell)
	case c.f.Status(u) == Free && !(c.placed[u] && pos == c.lastTo[u]):
		// Placed when it goes on duty or clears a call: a unit that has
		// just ended a stop where it was sent stays placed (the reviews
		// move it if the fleet changed).
		c.count()
		c.free = append(c.free[:0], u)
		if mv, j, g := c.best(); mv == u && g >= c.minGain {
			c.move(u, j)
		}
		c.placed[u] = true
	}
	return c.stop(u, r)
}

// stop is the order to patrol a point of unit u's area.
func (c *cover) stop(u int, r *rand.Rand) Order {
	a := int(c.assign[u])
	c.lastTo[u] = c.w.City.RandomPoint(a, r)
	return Order{To: c.lastTo[u], Dwell: c.dwell, Atom: a}
}

// Command implements Commander: up to moves relocations, each the best
// single move of a free governed unit.
func (c *cover) Command(now float64, r *rand.Rand) []Move {
	if c.moves == 0 {
		return nil
	}
	c.count()
	var out []Move
	for range c.moves {
		u, j, g := c.best()
		if u < 0 || g < c.minGain {
			break
		}
		c.move(u, j)
		out = append(out, Move{Unit: u, Order: c.stop(u, r)})
		c.free = slices.DeleteFunc(c.free, func(v int) bool { return v == u })
	}
	return out
}

// siteOf is the area where free unit u counts: its assignment if governed,
// else the area holding the end of its leg (-1 outside the city).
func (c *cover) siteOf(u int) int {
	if c.gov[u] {
		return int(c.assign[u])
	}
	h := c.f.Heading(u)
	if c.headAtom[u] == -2 || h != c.headAt[u] {
		c.headAt[u], c.headAtom[u] = h, int32(c.w.City.Locate(h))
	}
	return int(c.headAtom[u])
}

// count fills n with the free units covering each area, free with the free
// governed units, and q and its powers.
func (c *cover) count() {
	clear(c.n)
	c.free = c.free[:0]
	busy, on := 0, 0
	for u := range c.w.Units {
		k := c.typeCov[c.w.Units[u].Type]
		if k < 0 {
			continue
		}
		switch c.f.Status(u) {
		case OffDuty:
			continue
		case Busy:
			busy++
			on++
			continue
		}
		on++
		if c.gov[u] {
			c.free = append(c.free, u)
		}
		if s := c.siteOf(u); s >= 0 {
			for _, i := range c.cov[k][s] {
				c.n[i]++
			}
		}
	}
	c.q = c.busy
	if c.q == 0 && on > 0 {
		c.q = min(0.95, float64(busy)/float64(on))
	}
	c.qpow = append(c.qpow[:0], 1)
	for k := 1; k <= on+1; k++ {
		c.qpow = append(c.qpow, c.qpow[k-1]*c.q)
	}
}

// best returns the move (unit, site) among the free governed units c.free
// that raises expected coverage most, and the gain (a share of demand);
// unit −1 if none. Ties go to the lower unit, then the site of higher
// single-unit gain, then the lower site.
func (c *cover) best() (int, int, float64) {
	bu, bj, bg := -1, -1, math.Inf(-1)
	ranked := -1 // the able type c.gain is for
	for _, u := range c.free {
		k := c.typeCov[c.w.Units[u].Type]
		if k != ranked {
			c.rank(k)
			ranked = k
		}
		cur := int(c.assign[u])
		c.stamp++
		loss := 0.0
		for _, i := range c.cov[k][cur] {
			c.mark[i] = c.stamp
			loss += c.d[i] * (c.qpow[c.n[i]-1] - c.qpow[c.n[i]])
		}
		for _, j32 := range c.candidates(u, cur) {
			j := int(j32)
			g := -loss
			for _, i := range c.cov[k][j] {
				n := c.n[i]
				if c.mark[i] == c.stamp {
					n--
				}
				g += c.d[i] * (c.qpow[n] - c.qpow[n+1])
			}
			if g > bg {
				bu, bj, bg = u, j, g
			}
		}
	}
	return bu, bj, bg
}

// rank sets gain to the gain of one more unit of able type k at each
// site.
func (c *cover) rank(k int) {
	for j := range c.cov[k] {
		g := 0.0
		for _, i := range c.cov[k][j] {
			g += c.d[i] * (c.qpow[c.n[i]] - c.qpow[c.n[i]+1])
		}
		c.gain[j] = g
	}
	if c.tops == nil {
		c.tops = make([][]int32, len(c.w.City.Districts)+1)
		c.topOK = make([]bool, len(c.tops))
	}
	clear(c.topOK)
}

// candidates returns the sites unit u, now at cur, tries: the coverSites
// of highest gain (ties: the lower site) other than cur, in its own
// district under scope district; best first. The coverSites + 1 best of
// the city or of a district are found once for each rank, in O(A) mostly
// (O(A·coverSites) at worst).
func (c *cover) candidates(u, cur int) []int32 {
	d := 0
	if c.scope == scopeDistrict {
		d = c.w.Units[u].District + 1
	}
	if !c.topOK[d] {
		top := c.tops[d][:0]
		for j, g := range c.gain {
			if d > 0 && c.w.City.Atoms[j].District != d-1 {
				continue
			}
			if len(top) == coverSites+1 && !(g > c.gain[top[len(top)-1]]) {
				continue
			}
			pos := len(top)
			for pos > 0 && c.gain[top[pos-1]] < g {
				pos--
			}
			if len(top) <= coverSites {
				top = append(top, 0)
			}
			copy(top[pos+1:], top[pos:len(top)-1])
			top[pos] = int32(j)
		}
		c.tops[d], c.topOK[d] = top, true
	}
	c.pick = c.pick[:0]
	for _, j := range c.tops[d] {
		if int(j) != cur && len(c.pick) < coverSites {
			c.pick = append(c.pick, j)
		}
	}
	return c.pick
}

// move assigns unit u to site j and updates the coverage counts.
func (c *cover) move(u, j int) {
	k := c.typeCov[c.w.Units[u].Type]
	for _, i := range c.cov[k][c.assign[u]] {
		c.n[i]--
	}
	for _, i := range c.cov[k][j] {
		c.n[i]++
	}
	c.assign[u] = int32(j)
}
