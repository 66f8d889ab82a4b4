package sim

import (
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
// With a replay log (Incidents.Replay) the candidates are the log's
// incidents, with what the log lacks drawn (see replayed).
func Generate(cfg *Config, seed uint64, rep int) []Candidate {
	inc := &cfg.Incidents
	if inc.Replay != nil {
		return replayed(cfg, seed, rep)
	}
	rArr := rng.New(seed, rep, rng.Arrivals)
	rPlace := rng.New(seed, rep, rng.Place)
	rKind := rng.New(seed, rep, rng.Kind)
	rSvc := rng.New(seed, rep, rng.Service)
	rRep := rng.New(seed, rep, rng.Report)
	rCmd := rng.New(seed, rep, rng.Command)

	// Hourly rates over one week (incidents per hour).
	var hsum, dsum float64
	for _, h := range inc.HourOfDay {
		hsum += h
	}
	for _, d := range inc.DayOfWeek {
		dsum += d
	}
	var rate [168]float64
	weekly, wk := inc.weekly()
	for h := range rate {
		if weekly {
			rate[h] = inc.PerDay * 7 * inc.HourOfWeek[h] / wk
		} else {
			rate[h] = inc.PerDay * inc.HourOfDay[h%24] / hsum * inc.DayOfWeek[h/24] * 7 / dsum
		}
	}
	atomCum := make([]float64, len(cfg.City.Atoms))
	total := 0.0
	for i := range cfg.City.Atoms {
		total += cfg.City.Atoms[i].Weight
		atomCum[i] = total
	}
	typeCum := make([]float64, len(inc.Types))
	tsum := 0.0
	for i, t := range inc.Types {
		tsum += t.Share
		typeCum[i] = tsum
	}

	out := make([]Candidate, 0, int(inc.PerDay*cfg.Duration/86400*1.05)+16)
	// Inversion of the integrated rate: the next arrival comes when the
	// integral of the rate since the last one reaches an Exp(1) draw.
	t := 0.0
	need := rArr.ExpFloat64()
	for t < cfg.Duration {
		hour := int(t / 3600)
		end := float64(hour+1) * 3600
		lam := rate[hour%168] / 3600
		if lam > 0 && t+need/lam < end {
			t += need / lam
			if t >= cfg.Duration {
				break
			}
			need = rArr.ExpFloat64()
			c := Candidate{Occur: t}
			a := pick(atomCum, rPlace.Float64()*total)
			c.Atom = int32(a)
			c.Pos = cfg.City.RandomPoint(a, rPlace)
			k := pick(typeCum, rKind.Float64()*tsum)
			c.Type = int16(k)
			c.OnScene = inc.Types[k].OnScene.Sample(rSvc)
			c.Report = inc.ReportDelay.Sample(rRep)
			c.Seed = rCmd.Uint64()
			out = append(out, c)
			continue
		}
		need -= lam * (end - t)
		t = end
	}
	return out
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

// Uniform purposes: which pre-drawn uniform of an incident serves what.
// Values are part of the reproducibility contract: only append.
const (
	UCommand  = 0  // UCommand + k: the delay of command level k
	USuppress = 16 // whether presence suppresses the incident
	UDisplace = 17 // prevented, or displaced in space or time
	UWhere    = 18 // which neighbouring area, or how much later
	UObserve  = 19 // whether an observer sees the incident
	UObsDelay = 20 // the observer's delay
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
