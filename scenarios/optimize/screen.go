package optimize

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
	"github.com/patrolsim/patrolsim/sim"
)

// Candidate is one deployment: a count per slot (decided district, or
// candidate site).
type Candidate struct {
	Counts []int // aligned with Problem.Names
	// Screen is the screen's score in seconds. unit-counts: the
	// hypercube's mean response time, dispatch delay + queue wait (Erlang
	// C) + mean travel (turnout included); +Inf when the model has no
	// unit or no solution. post-sites: dispatch delay + the expected
	// travel of the first free unit (siteScore).
	Screen float64
	// Method is the hypercube solution, exact or approximate ("unstable"
	// when the calls outrun the units), or expected-travel.
	Method string

	label string // post-sites: the kept candidate's name, by screen rank

	// strain orders unstable candidates: the largest calls per unit over
	// the decided districts (per second per unit).
	strain float64
}

// better reports whether a scores lower than b: by the screen, and among
// unstable candidates by the lower strain, so that the search adds units
// where calls most outrun them until the queue is stable.
func better(a, b Candidate) bool {
	if math.IsInf(a.Screen, 1) && math.IsInf(b.Screen, 1) {
		return a.strain < b.strain
	}
	return a.Screen < b.Screen
}

// Total is the candidate's units.
func (c Candidate) Total() int {
	n := 0
	for _, x := range c.Counts {
		n += x
	}
	return n
}

// Name is the candidate's variant name. unit-counts: the counts by
// district, in order (D1-3_D2-5); post-sites: sites-N, N its rank in the
// screen, once kept.
func (pr *Problem) Name(c Candidate) string {
	switch pr.kind {
	case "post-sites":
		return pr.siteName(c)
	case "squad-size":
		return pr.squadName(c)
	}
	if pr.lengths() {
		// Only the patterns used: there may be many.
		var parts []string
		for k, n := range c.Counts {
			if n > 0 {
				parts = append(parts, pr.Names[k]+"-"+strconv.Itoa(n))
			}
		}
		return strings.Join(parts, "_")
	}
	parts := make([]string, len(c.Counts))
	for k, n := range c.Counts {
		parts[k] = unsafeRE.ReplaceAllString(pr.Names[k], "_") + "-" + strconv.Itoa(n)
	}
	return strings.Join(parts, "_")
}

// OfficerHours is c's officer-hours a day.
func (pr *Problem) OfficerHours(c Candidate) float64 {
	if pr.kind == "squad-size" {
		k := pr.slot(c)
		return float64(c.Counts[k]*pr.squads[k]) * pr.hours
	}
	if pr.lengths() {
		return pr.lengthCost(c)
	}
	return float64(c.Total()) * pr.PerUnit
}

// Screened is stage 1's outcome.
type Screened struct {
	Kept        []Candidate // the best Keep, best first
	Evaluations int         // hypercube models solved
	Path        []Candidate // the search's steps: greedy additions, then exchanges
}

// exactUnits: up to this many units the screen solves the hypercube
// exactly (2^N states; 10 units take a few milliseconds), above by
// Larson's approximation, which stays within a few per cent of it (Larson
// 1975).
const exactUnits = 10

// evaluate scores counts by the kind's screen: the hypercube's mean
// response (unit-counts) or the expected travel (post-sites).
func (pr *Problem) evaluate(counts []int) (Candidate, error) {
	c := Candidate{Counts: slices.Clone(counts), Screen: math.Inf(1)}
	if pr.kind == "post-sites" {
		if pr.cover != nil {
			c.Screen, c.Method = pr.coverScore(counts), Coverage
		} else {
			c.Screen, c.Method = pr.siteScore(pr.delay, counts), ExpectedTravel
		}
		return c, nil
	}
	switch pr.kind {
	case "squad-size":
		return pr.evaluateSquad(c)
	case "shifts":
		return pr.shiftScore(c), nil
	}
	cfg := *pr.cfg
	cfg.Units = slices.Clone(pr.cfg.Units)
	for k, i := range pr.at {
		cfg.Units[i].Count = counts[k]
	}
	return pr.solve(c, &cfg, 1, func(hm *hypercube.Model) float64 {
		rate := make([]float64, len(pr.cfg.City.Districts))
		for a, l := range hm.Rate {
			rate[hm.AtomDist[a]] += l
		}
		var strain float64
		for k, d := range pr.districts {
			strain = max(strain, rate[d]/float64(max(counts[k], 0)))
		}
		return strain
	})
}

// solve scores c by the hypercube of cfg, its calls' rates times factor
// (units sent a call, on average); strain gives c's strain from the
// model, for the order of unstable candidates.
func (pr *Problem) solve(c Candidate, cfg *sim.Config, factor float64, strain func(*hypercube.Model) float64) (Candidate, error) {
	m, err := sim.NewModel(cfg)
	if err != nil {
		return c, err
	}
	if len(m.World.Units) == 0 {
		return c, nil
	}
	s := &scenarios.Scenario{File: pr.split, Config: cfg, Variants: []sim.Variant{{Name: pr.Name(c), Model: m}}}
	hm, err := hypercube.New(s, false)
	if err != nil {
		return c, err
	}
	for j := range hm.Cube.Lambda {
		hm.Cube.Lambda[j] *= factor
	}
	for a := range hm.Rate {
		hm.Rate[a] *= factor
	}
	c.strain = strain(hm)
	exact := len(m.World.Units) <= exactUnits
	res, err := hm.Solve(exact)
	if err != nil {
		// The one refusal that depends on the counts (analytic's
		// Hypercube.Check): the calls outrun the units.
		if strings.Contains(err.Error(), "offered load") {
			c.Method = "unstable"
			return c, nil
		}
		return c, err
	}
	c.Method = res.Method
	c.Screen = pr.delay + res.QueueWait + res.TravelMean
	if math.IsNaN(c.Screen) {
		c.Screen = math.Inf(1) // an unstable queue: every unit busy for ever
	}
	return c, nil
}

// search is the shared state of the screens' greedy-then-exchange
// searches: every candidate scored once (seen, by counts), and the
// screen's record (out: evaluations and path).
type search struct {
	pr   *Problem
	seen map[string]Candidate
	out  *Screened
}

func (pr *Problem) newSearch() *search {
	return &search{pr: pr, seen: map[string]Candidate{}, out: &Screened{}}
}

// eval scores counts, once.
func (s *search) eval(counts []int) (Candidate, error) {
	k := fmt.Sprint(counts)
	if c, ok := s.seen[k]; ok {
		return c, nil
	}
	c, err := s.pr.evaluate(counts)
	if err != nil {
		return c, fmt.Errorf("screen %s: %w", s.pr.Name(Candidate{Counts: counts}), err)
	}
	s.out.Evaluations++
	s.seen[k] = c
	return c, nil
}

// add is the best candidate with one unit more than cur (ties to the lower
// slot), or nil when every slot is at its cap.
func (s *search) add(cur []int) (*Candidate, error) {
	var next *Candidate
	for k := range cur {
		if cur[k] >= s.pr.cap(k) {
			continue
		}
		try := slices.Clone(cur)
		try[k]++
		c, err := s.eval(try)
		if err != nil {
			return nil, err
		}
		if next == nil || better(c, *next) {
			next = &c
		}
	}
	return next, nil
}

// exchange moves one unit from one slot to another, the best move first,
// while a move lowers the score, recording each step in the path; it
// returns where it stops.
func (s *search) exchange(best Candidate) (Candidate, error) {
	cur := best.Counts
	for range 1000 { // a bound the exchanges never reach: each strictly lowers the score
		var next *Candidate
		for from := range cur {
			for to := range cur {
				if from == to || cur[from] <= s.pr.Min || cur[to] >= s.pr.cap(to) {
					continue
				}
				try := slices.Clone(cur)
				try[from]--
				try[to]++
				c, err := s.eval(try)
				if err != nil {
					return best, err
				}
				if better(c, best) && (next == nil || better(c, *next)) {
					next = &c
				}
			}
		}
		if next == nil {
			break
		}
		best, cur = *next, next.Counts
		s.out.Path = append(s.out.Path, best)
	}
	return best, nil
}

// Screen searches the counts per slot with the kind's score (evaluate):
// marginal allocation from every slot at Min (add the unit whose slot
// lowers the score most, ties to the lower slot, until the budget or every
// slot's cap stops it), then exchanges (move one unit from one slot to
// another, the best move first, while one lowers the score). It keeps the
// Keep best candidates with the most units it reached, ranked by score
// then counts. For a separable convex score the marginal allocation alone
// is optimal (Fox 1966); the hypercube's cross-district dispatch makes the
// score not quite separable, which the exchanges repair. Over sites the
// same two steps are the greedy addition and the vertex substitution of
// Teitz & Bart (1968); post-sites also keeps the current placement (last,
// named current). squad-size scores every squad size instead (screenSquad).
func (pr *Problem) Screen() (*Screened, error) {
	if pr.kind == "squad-size" {
		return pr.screenSquad()
	}
	if pr.lengths() {
		return pr.screenLengths()
	}
	sr := pr.newSearch()
	seen, out, eval := sr.seen, sr.out, sr.eval
	D := len(pr.Names)
	cur := make([]int, D)
	for k := range cur {
		cur[k] = pr.Min
	}
	best, err := eval(cur)
	if err != nil {
		return nil, err
	}
	out.Path = append(out.Path, best)
	for best.Total() < pr.Most {
		next, err := sr.add(cur)
		if err != nil {
			return nil, err
		}
		if next == nil {
			break
		}
		best, cur = *next, next.Counts
		out.Path = append(out.Path, best)
	}
	total := best.Total()
	if best, err = sr.exchange(best); err != nil {
		return nil, err
	}
	cur = best.Counts
	// Fill the pool up to Keep: exchange neighbours of the best found,
	// in order, until there are enough or none is new.
	visited := map[string]bool{fmt.Sprint(cur): true}
	for frontier := [][]int{cur}; len(frontier) > 0 && pr.countAt(seen, total) < pr.Spec.Screen.Keep; {
		var next [][]int
		for _, at := range frontier {
			for from := range D {
				for to := range D {
					if from == to || at[from] <= pr.Min || at[to] >= pr.cap(to) {
						continue
					}
					try := slices.Clone(at)
					try[from]--
					try[to]++
					if visited[fmt.Sprint(try)] {
						continue
					}
					visited[fmt.Sprint(try)] = true
					if _, err := eval(try); err != nil {
						return nil, err
					}
					next = append(next, try)
				}
			}
		}
		frontier = next
	}
	var pool []Candidate
	for _, c := range seen {
		if c.Total() == total && !math.IsInf(c.Screen, 1) {
			pool = append(pool, c)
		}
	}
	slices.SortFunc(pool, func(a, b Candidate) int {
		if c := cmp.Compare(a.Screen, b.Screen); c != 0 {
			return c
		}
		return slices.Compare(a.Counts, b.Counts)
	})
	out.Kept = pool[:min(len(pool), pr.Spec.Screen.Keep)]
	if pr.kind == "post-sites" {
		for i := range out.Kept {
			out.Kept[i].label = "sites-" + strconv.Itoa(i+1)
		}
		if pr.current != nil {
			counts := make([]int, len(pr.Names))
			copy(counts[pr.nSites:], pr.current)
			c, err := eval(counts)
			if err != nil {
				return nil, err
			}
			c.label = "current"
			out.Kept = append(out.Kept, c)
		}
	}
	if len(out.Kept) == 0 {
		return nil, fmt.Errorf("screen: no candidate with %d units has a finite mean response (the queue is unstable: too few units for the calls)", total)
	}
	return out, nil
}

// countAt counts the candidates of seen with total units and a finite score.
func (pr *Problem) countAt(seen map[string]Candidate, total int) int {
	n := 0
	for _, c := range seen {
		if c.Total() == total && !math.IsInf(c.Screen, 1) {
			n++
		}
	}
	return n
}

// File returns the scenario of the candidates cs, one variant each, named
// by Name, on the base variant's policies.
func (pr *Problem) File(cs []Candidate) scenarios.File {
	switch pr.kind {
	case "post-sites":
		return pr.siteFile(cs)
	case "squad-size":
		return pr.squadFile(cs)
	}
	f := pr.split
	f.Units = slices.Clone(pr.split.Units)
	if (pr.kind == "shifts" || pr.Min == 0) && len(cs) > 0 {
		// The file's own counts are the first candidate's: with a floor (or
		// a min) of 0 a start (or district) may have no unit, and the
		// loader checks the force of the file before the variants change it.
		for i := range f.Units {
			if k := slices.Index(pr.Units, f.Units[i].Name); k >= 0 {
				f.Units[i].Count = cs[0].Counts[k]
			}
		}
	}
	base := pr.split.Variants[0]
	f.Variants = nil
	for _, c := range cs {
		v := base
		v.Name = pr.Name(c)
		v.Units = map[string]scenarios.UnitOverride{}
		for k, un := range pr.Units {
			n := c.Counts[k]
			v.Units[un] = scenarios.UnitOverride{Count: &n}
		}
		f.Variants = append(f.Variants, v)
	}
	return f
}

// Chosen returns the scenario of c alone, the base variant under its own
// name: unit-counts and shifts, the decided type split by slot with c's
// counts; post-sites, the type at c's sites (siteChosen); squad-size, the
// type at c's count and squad (squadChosen).
func (pr *Problem) Chosen(c Candidate) scenarios.File {
	switch pr.kind {
	case "post-sites":
		return pr.siteChosen(c)
	case "squad-size":
		return pr.squadChosen(c)
	}
	f := pr.split
	f.Units = slices.Clone(pr.split.Units)
	for i := range f.Units {
		if k := slices.Index(pr.Units, f.Units[i].Name); k >= 0 {
			f.Units[i].Count = c.Counts[k]
		}
	}
	return f
}

// marshal writes f as a YAML document.
func marshal(f scenarios.File) ([]byte, error) {
	var node yaml.Node
	if err := node.Encode(f); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
