// follow-incidents (警力跟着警情走) and the machinery it shares with
// hotspot-oracle (oracle.go): idle district units are sent to the atoms with
// the highest score, stay there a while, and move on.
//
// Scores. follow-incidents scores atom a at time t by the incidents it has
// learnt of there, each weighted by its age:
//
//	S_a(t) = Σ_i 2^(−(t − t_i)/h)
//
// over the incidents i of atom a that occurred at t_i, h the half-life: an
// exponentially weighted count, that is h/ln 2 times an exponentially
// smoothed estimate of the atom's rate. It is kept lazily, O(1) per
// sighting: per atom a value v and the time T it refers to, S_a(t) =
// v·2^(−(t−T)/h). A sighting at t_i ≥ T sets v ← v·2^(−(t_i−T)/h) + 1 and
// T ← t_i; one at t_i < T (a call reported after a later incident was
// already learnt) adds 2^(−(T−t_i)/h) to v. Either way S_a(t) equals the sum
// above, up to rounding, whatever the order in which the sightings arrive. A reported
// call is learnt at the call but dated at the incident.
//
// Hot atoms. Every `update` seconds the policy ranks, in each scope group
// (each district, or the whole city), the atoms by their score at that
// instant and keeps the K best with a positive score, K = ⌈n/units_per_atom⌉
// for the n governed district units of the group; ties go to the lower atom
// index. Cost: O(A log A) per update for A atoms (follow-incidents: A
// comparisons, and scores for the atoms that could be hot only).
//
// Orders. A district unit asking for an order first gives up the atom it was
// sent to last, then goes to the hot atom of its group with the fewest units
// sent there; among those, one other than the atom it just left, then the
// higher score, then the lower index. It goes to a point drawn uniformly in
// that atom and stays `dwell`, so units spread over the hot atoms and, where
// several are free, move from one to the next. A group without hot atoms
// (nothing learnt yet, or before the first update) patrols its district at
// random, as the random policy does. Units homed at a post or a
// community keep their home, as under random and static-beats. The policy
// knows assignments only through its own orders: a unit sent to an atom and
// then dispatched to a call still counts there until it asks again.
//
// The trap. What follow-incidents learns from is a parameter because it
// decides whether the policy can see the city at all. Police discover
// incidents (on-view) only where they patrol; a policy that learns only from
// discovered incidents sends units where incidents were found, finds more
// there because that is where the units are, and keeps going back to the
// atoms it happened to patrol first, whatever the true rates: Ensign,
// Friedler, Neville, Scheidegger & Venkatasubramanian (2018), "Runaway
// Feedback Loops in Predictive Policing", Conference on Fairness,
// Accountability and Transparency (FAT*), PMLR 81, prove it for an urn
// model, and show that reported incidents, which residents make wherever
// incidents happen, damp the loop without removing it. Lum & Isaac (2016),
// "To predict and serve?", Significance 13(5), show the same bias in
// practice: a predictive-policing algorithm fed Oakland's recorded drug
// crimes points at the neighbourhoods already policed, not at those where a
// health survey puts drug use. learn_from = discovered exposes the loop; the
// default, calls, learns from reported calls and discovered incidents alike.
// Neither ever learns the truth: Truth sightings are for hotspot-oracle only.

package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/patrolsim/patrolsim/sim/geo"
)

func init() {
	register(&Spec{
		Name: "follow-incidents",
		Doc: "Police follow incidents (警力跟着警情走): every `update`, the areas with the most incidents " +
			"learnt, each weighted by 2^(−age/`half_life`), become hot, one per `units_per_atom` district " +
			"units of a district (or of the city: `scope`). An idle district unit goes to the hot area with " +
			"the fewest units, stays `dwell` and moves on, or patrols its district at random while nothing " +
			"is hot; community teams and post units keep their home. `learn_from: discovered` learns only " +
			"from on-view incidents and shows the runaway feedback loop of Ensign et al. (2018); the " +
			"default, calls, learns from reported calls as well.",
		Params: []Param{halfLifeParam, updateParam, dwellParam, unitsPerAtomParam, scopeParam, learnFromParam},
		New:    newFollow,
	})
}

// halfLifeParam is the half-life of an incident's weight in the score. 3 days
// is a judgement, not a cited figure (the value of the design's example
// scenario): long enough that a hot atom rests on several incidents, short
// enough to follow near-repeat clusters as they move.
var halfLifeParam = Param{Name: "half_life", Kind: Duration, Default: 3 * 86400, Min: 3600, Max: 90 * 86400,
	Doc: "half-life of an incident's weight in an area's score"}

// updateParam is the interval between two revisions of the hot atoms. 1 hour
// is a judgement, not a cited figure (the design's example scenario): a few
// stops of `dwell` between revisions.
var updateParam = Param{Name: "update", Kind: Duration, Default: 3600, Min: 60, Max: 86400,
	Doc: "interval between two revisions of the hot areas"}

// unitsPerAtomParam is how many district units share one hot atom. 1 (one
// atom per unit, the widest spread) is a judgement, not a cited figure.
var unitsPerAtomParam = Param{Name: "units_per_atom", Kind: Integer, Default: 1, Min: 1, Max: 100,
	Doc: "district units per hot area: a group of n units has ceil(n/units_per_atom) hot areas"}

// scopeParam says where a unit's hot atoms may lie.
var scopeParam = Param{Name: "scope", Kind: Choice, Default: scopeDistrict, Min: 0, Max: 1,
	Choices: []string{"district", "city"},
	Doc:     "district: hot areas are chosen per district and a unit goes to those of its own; city: over the whole city"}

// learnFromParam says which sightings follow-incidents learns from.
var learnFromParam = Param{Name: "learn_from", Kind: Choice, Default: learnCalls, Min: 0, Max: 1,
	Choices: []string{"calls", "discovered"},
	Doc:     "calls: reported calls and on-view (discovered) incidents; discovered: on-view incidents only (the runaway feedback loop)"}

// Values of scopeParam and learnFromParam.
const (
	scopeDistrict = 0
	scopeCity     = 1

	learnCalls      = 0
	learnDiscovered = 1
)

// choiceOf returns the index chosen for a Choice parameter, or an error if
// the value is not one of its indices (Resolve checks the range only).
func choiceOf(name string, p Param, v Values) (int, error) {
	x := v[p.Name]
	if x != math.Trunc(x) || x < 0 || int(x) >= len(p.Choices) {
		return 0, fmt.Errorf("parameter %s of policy %s: must be one of %v, by index 0…%d (got %g)",
			p.Name, name, p.Choices, len(p.Choices)-1, x)
	}
	return int(x), nil
}

// scorer is what a hot-spot policy knows: it learns from sightings and
// scores atoms. It must be deterministic.
type scorer interface {
	learn(s Sighting)
	// score is atom a's score at time t; only a positive score can make
	// the atom hot. t is never earlier than the sightings learnt so far.
	score(a int, t float64) float64
}

// logBounder is a scorer that also gives, without computing the score, a
// number within logSlack of ln score(a, t) (−Inf for a score of 0), so
// that Update scores only the atoms that could enter the hot list:
// logBounds(t) returns key and off, and key[a] − off is that number, and
// least: the bound holds for scores of at least least only (below it a
// score may be subnormal, or the product of a subnormal decay, with too
// few bits left for logSlack to cover its rounding; Update then scores
// every atom).
type logBounder interface {
	logBounds(t float64) (key []float64, off, least float64)
}

// logSlack is the margin, in ln score, by which logBound must rule an
// atom out (a relative 1e-6: far above the rounding of logBound and of
// the score).
const logSlack = 1e-6

// decayed is, per atom, a sum of unit weights that decay exponentially at
// rate lambda (1/s): at(a, t) = Σ_i exp(−lambda·(t − t_i)) over the weights
// added to a at t_i. It keeps per atom a value v and the time T it refers to,
// at(a, t) = v·exp(−lambda·(t − T)), with T the latest t_i, so v stays
// bounded over long runs. add and at cost O(1).
type decayed struct {
	lambda float64
	v, t   []float64 // by atom
	// key, when kept (newDecayedKeyed), is by atom ln v + lambda·T (−Inf
	// while v is 0): ln at(a, t) = key − lambda·t, without an Exp, for
	// ruling atoms out of the hot list (logBound); vmax is the largest v
	// it was made from.
	key  []float64
	vmax float64
}

func newDecayed(atoms int, lambda float64) decayed {
	return decayed{lambda: lambda, v: make([]float64, atoms), t: make([]float64, atoms)}
}

// newDecayedKeyed is newDecayed keeping key.
func newDecayedKeyed(atoms int, lambda float64) decayed {
	d := newDecayed(atoms, lambda)
	d.key = make([]float64, atoms)
	for a := range d.key {
		d.key[a] = math.Inf(-1)
	}
	return d
}

// add adds a weight of 1 at time t to atom a. A weight dated before the
// atom's reference time is decayed to it instead of moving it back.
func (d *decayed) add(a int, t float64) {
	if t >= d.t[a] {
		d.v[a] = d.v[a]*math.Exp(-d.lambda*(t-d.t[a])) + 1
		d.t[a] = t
	} else {
		d.v[a] += math.Exp(-d.lambda * (d.t[a] - t))
	}
	if d.key != nil {
		d.key[a] = math.Log(d.v[a]) + d.lambda*d.t[a]
		d.vmax = max(d.vmax, d.v[a])
	}
}

// at returns the decayed sum of atom a at time t.
func (d *decayed) at(a int, t float64) float64 {
	if d.v[a] == 0 {
		return 0
	}
	return d.v[a] * math.Exp(-d.lambda*(t-d.t[a]))
}

// followScorer scores atoms by the incidents learnt there, halving their
// weight every half-life (follow-incidents).
type followScorer struct {
	count      decayed
	discovered bool // learn from Discovered sightings only
}

func (f *followScorer) learn(s Sighting) {
	switch s.How {
	case Discovered:
	case Reported:
		if f.discovered {
			return
		}
	default:
		return // Truth, for oracles only
	}
	if s.Atom < 0 || s.Atom >= len(f.count.v) {
		return // outside every atom: nowhere to send a unit
	}
	f.count.add(s.Atom, s.Occur)
}

func (f *followScorer) score(a int, t float64) float64 { return f.count.at(a, t) }

// logBounds gives ln score(a, t) as key[a] − off, within 1e-10 (the
// rounding of the score's and the key's few operations on numbers below
// 1e5), −Inf for a score of 0, for scores of at least 2^−1000·max(1,
// vmax): a score v·exp(−lambda·(t − T)) that large (or within logSlack of
// it) has a decay above 2^−1001 whatever its v ≤ vmax, and is itself
// above 2^−1001: both normal numbers carrying every bit. Below, a decay or a
// score may be subnormal (after some 1,000 half-lives without a sighting)
// and two scores whose logs differ by far more than logSlack may compute
// equal (TestUpdateBoundedSubnormal).
func (f *followScorer) logBounds(t float64) ([]float64, float64, float64) {
	return f.count.key, f.count.lambda * t, 0x1p-1000 * max(1, f.count.vmax)
}

func newFollow(w *World, units []int, p Values) (Policy, error) {
	from, err := choiceOf("follow-incidents", learnFromParam, p)
	if err != nil {
		return nil, err
	}
	sc := &followScorer{
		count:      newDecayedKeyed(len(w.City.Atoms), math.Ln2/p["half_life"]),
		discovered: from == learnDiscovered,
	}
	return newHotspots("follow-incidents", w, units, p, sc)
}

// hotspots is the policy behind follow-incidents and hotspot-oracle, which
// differ only in their scorer. See the file comment for the model.
type hotspots struct {
	name     string
	w        *World
	home     homes[sent] // by unit: its home, its group's hot list and its last atom
	sc       scorer
	interval float64 // seconds between updates
	dwell    float64 // seconds
	perAtom  int     // units per hot atom

	groups   []hotGroup
	count    []atomCount // by atom
	slots    []hotSlot   // every group's hot list, with the counts (hotGroup.base)
	rank     []float64   // by atom: score at the last update, 0 unless positive (or not computed: see Update)
	district []*areaSampler
	buf      []int      // scratch for Update
	bound    logBounder // sc, when it bounds its scores; else nil
}

// sent is what hotspots keeps by unit, in the unit's home record (one
// cache line for a stop).
type sent struct {
	base int32 // its group's hotGroup.base, -1 unless a governed district unit
	// at is where the atom it was last sent to is: at ≥ 0, slots[base+1+at]
	// (the atom is hot); at ≤ −2, atom −2 − at (not hot since the last
	// update); −1: none. Update moves it with the atom.
	at int32
}

// atomCount is an atom's count of units sent there and not yet released,
// while the atom is not hot (while it is, its slot in its group's hot list
// holds the count), and its index in that list (−1 when not hot). An atom
// is in one group at most: the groups are the districts, or the city.
type atomCount struct {
	count int32
	slot  int32
}

// hotGroup is one scope group: a district, or the whole city.
type hotGroup struct {
	atoms []int   // candidate atoms, ascending
	k     int     // number of hot atoms: ceil(units / units per atom)
	hot   []int   // hot atoms after the last update, best first
	units []int32 // the units it governs
	// base is where its hot list is in slots: the number of hot atoms n
	// in slots[base].atom, the hot atoms, best first, with their counts
	// in slots[base+1 : base+1+n] (room for k), so that a stop reads them
	// from one short array.
	base int32
}

// hotSlot is a hot atom and its count of units sent there and not yet
// released.
type hotSlot struct{ atom, count int32 }

var (
	_ Learner = (*hotspots)(nil)
	_ Updater = (*hotspots)(nil)
	_ Assumer = (*hotspots)(nil)
)

func newHotspots(name string, w *World, units []int, p Values, sc scorer) (*hotspots, error) {
	scope, err := choiceOf(name, scopeParam, p)
	if err != nil {
		return nil, err
	}
	c := w.City
	h := &hotspots{
		name: name, w: w, home: newHomes[sent](w), sc: sc,
		interval: p["update"], dwell: p["dwell"], perAtom: int(p["units_per_atom"]),
		count: make([]atomCount, len(c.Atoms)),
		rank:  make([]float64, len(c.Atoms)),
	}
	for a := range h.count {
		h.count[a].slot = -1
	}
	if scope == scopeCity {
		all := make([]int, len(c.Atoms))
		for a := range all {
			all[a] = a
		}
		h.groups = []hotGroup{{atoms: all}}
	} else {
		for d := range c.Districts {
			h.groups = append(h.groups, hotGroup{atoms: slices.Sorted(slices.Values(c.Districts[d].Atoms))})
		}
	}
	// An atom is in one group at most (see atomCount).
	in := make([]bool, len(c.Atoms))
	for _, grp := range h.groups {
		for _, a := range grp.atoms {
			if in[a] {
				return nil, fmt.Errorf("policy %s: atom %d is in two districts", name, a)
			}
			in[a] = true
		}
	}
	for d := range c.Districts {
		s := newAreaSampler(c, c.Districts[d].Atoms)
		h.district = append(h.district, &s)
	}
	h.bound, _ = sc.(logBounder)
	for u := range h.home {
		h.home[u].own = sent{base: -1, at: -1}
	}
	n := make([]int, len(h.groups)) // governed district units per group
	for _, u := range units {
		unit := &w.Units[u]
		if unit.Home != HomeDistrict {
			continue
		}
		g := 0
		if scope == scopeDistrict {
			g = unit.District
		}
		h.groups[g].units = append(h.groups[g].units, int32(u))
		n[g]++
	}
	for g := range h.groups {
		grp := &h.groups[g]
		grp.k = (n[g] + h.perAtom - 1) / h.perAtom
		grp.base = int32(len(h.slots))
		h.slots = append(h.slots, make([]hotSlot, 1+grp.k)...)
		for _, u := range grp.units {
			h.home[u].own.base = grp.base
		}
	}
	return h, nil
}

// Learn passes the sighting to the scorer, which keeps what it may know.
func (h *hotspots) Learn(now float64, s Sighting) { h.sc.learn(s) }

// Interval is the `update` parameter, in seconds.
func (h *hotspots) Interval() float64 { return h.interval }

// Update ranks each group's atoms by their score at now and keeps the K best
// with a positive score, ties by lower index. It draws nothing from r.
// Cost: A scores, and O(A log A) for A atoms (for K <= 64, O(A + K² log A):
// the K best are kept in order as the scores come, better being a strict
// order, so the list is the one a full sort would begin with; with a
// scorer that bounds its scores, only the atoms that could enter the list
// are scored: updateBounded).
func (h *hotspots) Update(now float64, r *rand.Rand) {
	clear(h.rank)
	for g := range h.groups {
		grp := &h.groups[g]
		// The counts of the atoms hot until now back to count, and the
		// units sent to them to the atom; then the new hot list's counts
		// beside it, and the units sent to its atoms to their slots.
		hot := h.slots[grp.base+1 : grp.base+1+h.slots[grp.base].atom]
		for _, u := range grp.units {
			if x := &h.home[u].own; x.at >= 0 {
				x.at = -2 - hot[x.at].atom
			}
		}
		for _, s := range hot {
			h.count[s.atom] = atomCount{count: s.count, slot: -1}
		}
		h.rank1(grp, now)
		h.slots[grp.base].atom = int32(len(grp.hot))
		for i, a := range grp.hot {
			h.slots[int(grp.base)+1+i] = hotSlot{atom: int32(a), count: h.count[a].count}
			h.count[a].slot = int32(i)
		}
		for _, u := range grp.units {
			if x := &h.home[u].own; x.at <= -2 {
				if i := h.count[-2-x.at].slot; i >= 0 {
					x.at = i
				}
			}
		}
	}
}

// rank1 is Update's ranking of one group: its hot list.
func (h *hotspots) rank1(grp *hotGroup, now float64) {
	if grp.k > 0 && grp.k <= 64 && h.bound != nil {
		h.updateBounded(grp, now)
		return
	}
	grp.hot = grp.hot[:0]
	if grp.k == 0 {
		return
	}
	if grp.k <= 64 {
		for _, a := range grp.atoms {
			if s := h.sc.score(a, now); s > 0 {
				h.rank[a] = s
				grp.hot = h.keepBest(grp.hot, grp.k, a)
			}
		}
		return
	}
	cand := h.buf[:0]
	for _, a := range grp.atoms {
		if s := h.sc.score(a, now); s > 0 {
			h.rank[a] = s
			cand = append(cand, a)
		}
	}
	slices.SortFunc(cand, h.better)
	grp.hot = append(grp.hot, cand[:min(grp.k, len(cand))]...)
	h.buf = cand
}

// updateBounded is Update's ranking of a group of at most 64 hot atoms
// with a scorer that bounds its scores (follow-incidents): the same hot
// list, computing the scores of fewer atoms. The atoms hot at the last
// update are scored first (they are likely to stay hot), then the others
// in index order, each only if its logBounds could reach the score of the
// last of a full list: one below it by more than logSlack cannot enter
// (nor tie it). The list is the K best under a strict order whatever the
// order the atoms come in (keepBest), so it is the one Update computes
// from every score. rank is set for the atoms scored (those the hot list
// is made of and compared with).
func (h *hotspots) updateBounded(grp *hotGroup, now float64) {
	prev := append(h.buf[:0], grp.hot...)
	h.buf = prev
	grp.hot = grp.hot[:0]
	for _, a := range prev {
		if s := h.sc.score(a, now); s > 0 {
			h.rank[a] = s
			grp.hot = h.keepBest(grp.hot, grp.k, a)
		}
	}
	// floor is ln of the last hot atom's score less logSlack once the
	// list is full (last is that atom), else −Inf.
	floor, last := math.Inf(-1), -1
	key, lnow, least := h.bound.logBounds(now)
	for _, a := range grp.atoms {
		if h.rank[a] > 0 {
			continue // scored above
		}
		if len(grp.hot) == grp.k {
			if l := grp.hot[grp.k-1]; l != last {
				last, floor = l, math.Log(h.rank[l])-logSlack+lnow
				if h.rank[l] < least {
					floor = math.Inf(-1) // (too small for the bounds: score every atom)
				}
			}
		}
		if !(key[a] >= floor) {
			continue
		}
		if s := h.sc.score(a, now); s > 0 {
			h.rank[a] = s
			grp.hot = h.keepBest(grp.hot, grp.k, a)
		}
	}
}

// keepBest inserts atom a into best, which is sorted by better and holds at
// most k atoms, dropping the last if it then holds more.
func (h *hotspots) keepBest(best []int, k, a int) []int {
	if len(best) == k && h.better(a, best[k-1]) > 0 {
		return best
	}
	i, _ := slices.BinarySearchFunc(best, a, h.better)
	if len(best) < k {
		best = append(best, 0)
	}
	copy(best[i+1:], best[i:len(best)-1])
	best[i] = a
	return best
}

// better orders atoms by descending score at the last update, then by
// ascending index.
func (h *hotspots) better(a, b int) int {
	switch {
	case h.rank[a] > h.rank[b]:
		return -1
	case h.rank[a] < h.rank[b]:
		return 1
	}
	return a - b
}

// Next releases unit u's last atom and sends a district unit to the hot atom
// of its group with the fewest units (ties: not the atom it just left, then
// the higher score, then the lower index), to a point uniform in it, for
// `dwell`; without hot atoms, to a point uniform over its district. Post and
// community units keep their home. It panics for a district unit the policy
// does not govern.
func (h *hotspots) Next(now float64, u int, pos geo.Point, r *rand.Rand) Order {
	x := &h.home[u]
	base, lastSlot := int(x.own.base), x.own.at
	switch {
	case lastSlot >= 0:
		h.slots[base+1+int(lastSlot)].count--
	case lastSlot <= -2:
		h.count[-2-lastSlot].count--
	}
	x.own.at = -1
	if o, ok := x.order(h.w.City, h.dwell, r); ok {
		return o
	}
	if base < 0 {
		panic(fmt.Sprintf("policy %s: unit %d is not governed by this policy", h.name, u))
	}
	n := int(h.slots[base].atom)
	if n == 0 {
		return h.district[h.w.Units[u].District].order(h.w.City, r, h.dwell)
	}
	// hot is sorted best first: the first atom of least count wins the
	// score and index ties, unless it is the one just left.
	hot := h.slots[base+1 : base+1+n]
	best, least := 0, hot[0].count
	for i := 1; i < len(hot); i++ {
		if c := hot[i].count; c < least || c == least && best == int(lastSlot) {
			best, least = i, c
		}
	}
	hot[best].count++
	x.own.at = int32(best)
	a := int(hot[best].atom)
	return Order{To: h.w.City.UniformPoint(a, r), Dwell: h.dwell, Atom: a}
}

// Assumed is the district base for a district unit, which the policy moves
// from atom to atom where command cannot follow it; the home for others.
func (h *hotspots) Assumed(u int) geo.Point {
	unit := &h.w.Units[u]
	if unit.Home == HomeDistrict {
		return h.w.City.Districts[unit.District].Base
	}
	return unit.At
}

// Score returns the policy's score of atom a at time t (seconds), for
// inspection: the decayed count of incidents learnt there (follow-incidents)
// or the true expected rate, incidents per second (hotspot-oracle). t must
// not be earlier than the sightings learnt so far.
func (h *hotspots) Score(a int, t float64) float64 { return h.sc.score(a, t) }

// Hot returns, for inspection, the hot atoms of each scope group after the
// last update, best first: one list per district, or one for the city.
func (h *hotspots) Hot() [][]int {
	out := make([][]int, len(h.groups))
	for g := range h.groups {
		out[g] = append([]int{}, h.groups[g].hot...)
	}
	return out
}
