package sim

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/rng"
)

// Candidate is one incident as drawn before the run: everything random about
// it that no policy can change.
type Candidate struct {
	Occur   float64 // seconds
	Report  float64 // reporting delay, seconds
	OnScene float64 // on-scene work, seconds
	Seed    uint64  // source of the incident's own uniforms (see U)
	Pos     geo.Point
	Atom    int32
	Type    int16
	// Priority, when not 0, is the incident's own priority (a replayed
	// log's), instead of its type's.
	Priority int8
	// Origin says where the candidate comes from: drawn by Generate, or
	// created during a run by displacement or near-repeat excitation.
	Origin Origin
}

// Origin is where a candidate comes from.
type Origin uint8

const (
	Background     Origin = iota // the non-homogeneous Poisson process (Generate)
	DisplacedSpace               // a suppressed incident moved to a neighbouring area
	DisplacedTime                // a suppressed incident moved to a later time
	NearRepeat                   // an offspring of a realised incident
)

// Generate draws the incident candidates of replication rep, in time order.
// Each attribute has its own stream, so the draws of one never shift another.
// It holds them all; a run draws them one at a time instead (generator),
// the same candidates. With a replay log (Incidents.Replay) the candidates
// are the log's incidents, with what the log lacks drawn (see replayed).
func Generate(cfg *Config, seed uint64, rep int) []Candidate {
	if cfg.Incidents.Replay != nil {
		return replayed(cfg, seed, rep)
	}
	return generate(make([]Candidate, 0, int(cfg.Incidents.PerDay*cfg.Duration/86400*1.05)+16), cfg, seed, rep)
}

// generate appends the candidates of replication rep to dst (Generate).
func generate(dst []Candidate, cfg *Config, seed uint64, rep int) []Candidate {
	g := newGenerator(cfg, seed, rep)
	for {
		c, ok := g.next()
		if !ok {
			return dst
		}
		dst = append(dst, c)
	}
}

// generator draws the candidates of one replication one at a time, in
// time order: Generate's draws, from the same streams in the same order.
type generator struct {
	cfg                                   *Config
	rArr, rPlace, rKind, rSvc, rRep, rCmd *rand.Rand
	rate                                  [168]float64 // hourly rates over one week (incidents per hour)
	atomCum, typeCum                      []float64
	atomTotal, typeTotal                  float64
	atomGuide, typeGuide                  guide
	t, need                               float64 // time of the last arrival; Exp(1) left to integrate
}

func newGenerator(cfg *Config, seed uint64, rep int) *generator {
	inc := &cfg.Incidents
	g := &generator{cfg: cfg,
		rArr: rng.New(seed, rep, rng.Arrivals), rPlace: rng.New(seed, rep, rng.Place),
		rKind: rng.New(seed, rep, rng.Kind), rSvc: rng.New(seed, rep, rng.Service),
		rRep: rng.New(seed, rep, rng.Report), rCmd: rng.New(seed, rep, rng.Command)}
	g.rate = cfg.weekRates()
	g.atomCum = make([]float64, len(cfg.City.Atoms))
	for i := range cfg.City.Atoms {
		g.atomTotal += cfg.City.Atoms[i].Weight
		g.atomCum[i] = g.atomTotal
	}
	g.typeCum = make([]float64, len(inc.Types))
	for i, t := range inc.Types {
		g.typeTotal += t.Share
		g.typeCum[i] = g.typeTotal
	}
	g.atomGuide = newGuide(g.atomCum, g.atomTotal)
	g.typeGuide = newGuide(g.typeCum, g.typeTotal)
	g.need = g.rArr.ExpFloat64()
	return g
}

// weekRates returns the hourly rates of background incidents over one
// week, incidents per hour.
func (cfg *Config) weekRates() (rate [168]float64) {
	inc := &cfg.Incidents
	var hsum, dsum float64
	for _, h := range inc.HourOfDay {
		hsum += h
	}
	for _, d := range inc.DayOfWeek {
		dsum += d
	}
	weekly, wk := inc.weekly()
	for h := range rate {
		if weekly {
			rate[h] = inc.PerDay * 7 * inc.HourOfWeek[h] / wk
		} else {
			rate[h] = inc.PerDay * inc.HourOfDay[h%24] / hsum * inc.DayOfWeek[h/24] * 7 / dsum
		}
	}
	return rate
}

// arrival advances to the next arrival time, by inversion of the
// integrated rate: the next arrival comes when the integral of the rate
// since the last one reaches an Exp(1) draw. It reports false when the
// run's duration is reached first.
func arrival(rArr *rand.Rand, rate *[168]float64, t, need *float64, duration float64) bool {
	for *t < duration {
		hour := int(*t / 3600)
		end := float64(hour+1) * 3600
		lam := rate[hour%168] / 3600
		if lam > 0 && *t+*need/lam < end {
			*t += *need / lam
			if *t >= duration {
				return false
			}
			*need = rArr.ExpFloat64()
			return true
		}
		*need -= lam * (end - *t)
		*t = end
	}
	return false
}

// next returns the next candidate, or false when there is none left.
func (g *generator) next() (Candidate, bool) {
	if !arrival(g.rArr, &g.rate, &g.t, &g.need, g.cfg.Duration) {
		return Candidate{}, false
	}
	inc := &g.cfg.Incidents
	c := Candidate{Occur: g.t}
	a := g.atomGuide.pick(g.atomCum, g.rPlace.Float64()*g.atomTotal)
	c.Atom = int32(a)
	c.Pos = g.cfg.City.RandomPoint(a, g.rPlace)
	k := g.typeGuide.pick(g.typeCum, g.rKind.Float64()*g.typeTotal)
	c.Type = int16(k)
	c.OnScene = inc.Types[k].OnScene.Sample(g.rSvc)
	c.Report = inc.ReportDelay.Sample(g.rRep)
	c.Seed = g.rCmd.Uint64()
	return c, true
}

// countCandidates returns how many candidates replication rep has (what
// len(Generate(cfg, seed, rep)) is), from the arrival stream alone.
func countCandidates(cfg *Config, seed uint64, rep int) int {
	rArr := rng.New(seed, rep, rng.Arrivals)
	rate := cfg.weekRates()
	t, need := 0.0, rArr.ExpFloat64()
	n := 0
	for arrival(rArr, &rate, &t, &need, cfg.Duration) {
		n++
	}
	return n
}

// pick returns the first index whose cumulative weight exceeds x, skipping
// zero-weight entries.
func pick(cum []float64, x float64) int {
	i, _ := slices.BinarySearch(cum, x)
	for i < len(cum)-1 && cum[i] <= x {
		i++
	}
	return min(i, len(cum)-1)
}

// guide answers pick(cum, x) for x in [0, total) from a guide table
// (Chen and Asau's, for inversion): the bucket of x among len(cum) equal
// parts of [0, total) gives where the first index with cum[i] >= x (the
// binary search's answer) lies, or near it; steps down and up from there
// reach it exactly, whatever rounding did to the bucket, for cum does not
// decrease. Then pick's loop past zero weights. The same index as pick for
// every x, from the same uniform: a draw costs one or two comparisons
// rather than a binary search's mispredicted branches.
type guide struct {
	start []int32 // by bucket: the first i with cum[i] >= its lower end
	scale float64 // buckets per unit of x
}

// newGuide returns the guide of cum, whose last entry is total; with no
// table (pick then searches) unless cum rises from a positive first entry
// or 0 to a finite positive total.
func newGuide(cum []float64, total float64) guide {
	n := len(cum)
	if n == 0 || !(total > 0) || math.IsInf(total, 0) || !(cum[0] >= 0) {
		return guide{}
	}
	for i := 1; i < n; i++ {
		if !(cum[i] >= cum[i-1]) {
			return guide{}
		}
	}
	g := guide{start: make([]int32, n), scale: float64(n) / total}
	for b := range g.start {
		i, _ := slices.BinarySearch(cum, float64(b)/g.scale)
		g.start[b] = int32(i)
	}
	return g
}

// pick is pick(cum, x), cum the one g was made for.
func (g *guide) pick(cum []float64, x float64) int {
	if g.start == nil || !(x >= 0) || !(x*g.scale < float64(len(g.start))) {
		return pick(cum, x)
	}
	i := int(g.start[int(x*g.scale)])
	for i > 0 && cum[i-1] >= x {
		i--
	}
	for i < len(cum) && cum[i] < x {
		i++
	}
	for i < len(cum)-1 && cum[i] <= x {
		i++
	}
	return min(i, len(cum)-1)
}

// Uniform purposes: which pre-drawn uniform of an incident serves what.
// Values are part of the reproducibility contract: only append.
const (
	UCommand  = 0  // UCommand + k: the delay of command level k
	USuppress = 16 // whether presence suppresses the incident
	UDisplace = 17 // prevented, or displaced in space or time
	UWhere    = 18 // which neighbouring area, or how much later
	UObserve  = 19 // whether an observer sees the incident
	UObsDelay = 20 // the observer's delay
	UCallTake = 21 // the call-taking time (Dispatch.CallTakers)
)

// U returns the incident's k-th uniform in (0, 1): a pure function of its
// Seed, so every variant draws the same value for the same purpose.
func (c *Candidate) U(k int) float64 {
	x := c.Seed + uint64(k+1)*0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	return (float64(x>>11) + 0.5) / (1 << 53)
}

// RateFunc returns the expected rate of background incidents in atom a at
// time t, per second: the daily volume shaped by the hour-of-day and
// day-of-week profiles (or the hour-of-week one), times the atom's share of
// the weights. It is the
// intensity Generate draws from. The sums are computed once.
func (cfg *Config) RateFunc() func(a int, t float64) float64 {
	inc := &cfg.Incidents
	var hsum, dsum, wsum float64
	for _, h := range inc.HourOfDay {
		hsum += h
	}
	for _, d := range inc.DayOfWeek {
		dsum += d
	}
	for i := range cfg.City.Atoms {
		wsum += cfg.City.Atoms[i].Weight
	}
	weekly, wk := inc.weekly()
	return func(a int, t float64) float64 {
		if hsum <= 0 || dsum <= 0 || wsum <= 0 || t < 0 {
			return 0
		}
		hour := int(t/3600) % 168
		if weekly {
			return inc.PerDay / 3600 * 7 * inc.HourOfWeek[hour] / wk * cfg.City.Atoms[a].Weight / wsum
		}
		return inc.PerDay / 3600 * inc.HourOfDay[hour%24] / hsum * inc.DayOfWeek[hour/24] * 7 / dsum * cfg.City.Atoms[a].Weight / wsum
	}
}
