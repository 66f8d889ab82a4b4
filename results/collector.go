package results

import (
	"math"
	"slices"

	"github.com/patrolsim/patrolsim/sim"
	"gonum.org/v1/gonum/stat"
)

// Night is the part of the day counted as night in the day/night metrics:
// from 18:00 to 06:00, the night patrol period of the Jinzhou reform.
const nightStart, nightEnd = 18 * 3600, 6 * 3600

func hourOf(t float64) int { return int(math.Mod(t, 86400) / 3600) }

func isNight(t float64) bool {
	s := math.Mod(t, 86400)
	return s >= nightStart || s < nightEnd
}

// Collector is a sim.Recorder that computes the metrics of one run.
type Collector struct {
	cfg      *sim.Config
	unitType []int
	lo, hi   float64 // measurement window

	resp        [4][]float64 // [0] all priorities
	within      [4]int
	cmd, qwait  sum
	travel, ful sum
	unresolved  int
	lost        int
	sent, cross int
	withBeat    int
	outsideBeat int
	byPriority  [4]int
	byType      []int
	byDistrict  []int
	busy, duty  []float64 // by unit type, seconds in the window
	unitBusy    []float64 // by unit
	unitDuty    []float64

	realised, realisedNight           int
	prevented, preventedNight         int
	movedSpace, movedTime, movedNight int
	nearRepeat, discovered            int
	preventedType, preventedDist      []int
	atomHits                          []int
	visSeen, visAll                   float64

	// Details for charts and maps (Details).
	hourRealised, hourPrevented, hourDisplaced [24]int
	atomSeen                                   []int // hourly samples with presence at or above the threshold
	samples                                    int
	atomResp                                   []sum // response time by atom

	// Keep, if set, receives every incident record (counted or not).
	Keep func(r *sim.IncidentRecord)
}

type sum struct {
	s float64
	n int
}

func (s *sum) add(x float64) {
	if x == x {
		s.s += x
		s.n++
	}
}

func (s sum) mean() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	return s.s / float64(s.n)
}

// NewCollector returns a collector for runs of m.
func NewCollector(m *sim.Model) *Collector {
	cfg := m.Cfg
	c := &Collector{cfg: cfg, lo: cfg.Warmup, hi: cfg.Duration,
		byType:        make([]int, len(cfg.Incidents.Types)),
		byDistrict:    make([]int, len(cfg.City.Districts)),
		busy:          make([]float64, len(cfg.Units)),
		duty:          make([]float64, len(cfg.Units)),
		unitBusy:      make([]float64, len(m.World.Units)),
		unitDuty:      make([]float64, len(m.World.Units)),
		preventedType: make([]int, len(cfg.Incidents.Types)),
		preventedDist: make([]int, len(cfg.City.Districts)),
		atomHits:      make([]int, len(cfg.City.Atoms)),
		atomSeen:      make([]int, len(cfg.City.Atoms)),
		atomResp:      make([]sum, len(cfg.City.Atoms)),
	}
	for _, u := range m.World.Units {
		c.unitType = append(c.unitType, u.Type)
	}
	return c
}

// Counted reports whether an incident counts in the metrics: its call came
// in the window.
func (c *Collector) Counted(r *sim.IncidentRecord) bool {
	return r.Call >= c.lo && r.Call < c.hi
}

// Incident implements sim.Recorder.
func (c *Collector) Incident(r *sim.IncidentRecord) {
	if c.Keep != nil {
		c.Keep(r)
	}
	if r.Occur >= c.lo && r.Occur < c.hi {
		c.realised++
		c.hourRealised[hourOf(r.Occur)]++
		if isNight(r.Occur) {
			c.realisedNight++
		}
		if r.Origin == sim.NearRepeat {
			c.nearRepeat++
		}
		c.atomHits[r.Atom]++
	}
	if !c.Counted(r) {
		return
	}
	if r.Discovered {
		c.discovered++
	}
	c.byPriority[r.Priority]++
	c.byType[r.Type]++
	c.byDistrict[r.District]++
	if !r.Resolved() {
		c.unresolved++
	}
	if r.Lost {
		c.lost++
		return // no response to measure
	}
	c.sent += len(r.Units)
	c.cross += r.CrossDistrict
	c.withBeat += r.WithBeat
	c.outsideBeat += r.OutsideBeat
	c.cmd.add(r.Ready - r.Call)
	c.qwait.add(r.Dispatch - r.Ready)
	c.travel.add(r.Arrive - r.Dispatch)
	c.ful.add(r.Full - r.Call)
	// A call never answered counts as infinitely late in the quantiles
	// (it is left out of the mean, and counted in unresolved).
	resp := r.Arrive - r.Call
	if resp != resp {
		resp = math.Inf(1)
	} else {
		c.atomResp[r.Atom].add(resp)
	}
	c.resp[0] = append(c.resp[0], resp)
	c.resp[r.Priority] = append(c.resp[r.Priority], resp)
	if t := c.cfg.Targets[r.Priority]; t > 0 && resp <= t {
		c.within[r.Priority]++
	}
}

// Busy implements sim.Recorder.
func (c *Collector) Busy(u int, from, to float64) {
	d := c.clip(from, to)
	c.busy[c.unitType[u]] += d
	c.unitBusy[u] += d
}

// OnDuty implements sim.Recorder.
func (c *Collector) OnDuty(u int, from, to float64) {
	d := c.clip(from, to)
	c.duty[c.unitType[u]] += d
	c.unitDuty[u] += d
}

// Deterred implements sim.Recorder.
func (c *Collector) Deterred(d *sim.DeterRecord) {
	if d.Time < c.lo || d.Time >= c.hi {
		return
	}
	if d.Outcome == sim.Prevented {
		c.hourPrevented[hourOf(d.Time)]++
	} else {
		c.hourDisplaced[hourOf(d.Time)]++
	}
	switch d.Outcome {
	case sim.Prevented:
		c.prevented++
		if isNight(d.Time) {
			c.preventedNight++
		}
		c.preventedType[d.Type]++
		c.preventedDist[d.District]++
	case sim.MovedSpace:
		c.movedSpace++
	case sim.MovedTime:
		c.movedTime++
	}
	if d.Outcome != sim.Prevented && isNight(d.Time) {
		c.movedNight++
	}
}

// Presence implements sim.Recorder: the hourly samples make visibility.
func (c *Collector) Presence(t float64, byAtom []float64) {
	if t < c.lo || t >= c.hi {
		return
	}
	thr := c.cfg.Deterrence.VisibleAbove
	c.samples++
	for a, p := range byAtom {
		pop := c.cfg.City.Atoms[a].Population
		c.visAll += pop
		if p >= thr-1e-9 { // one officer standing there is "at least one"
			c.visSeen += pop
			c.atomSeen[a]++
		}
	}
}

func (c *Collector) clip(from, to float64) float64 {
	return max(0, min(to, c.hi)-max(from, c.lo))
}

// Values returns the metric values in the order of Metrics(cfg); NaN where
// a metric has no value in this run.
func (c *Collector) Values() []float64 {
	var v []float64
	nan := math.NaN()
	n := c.byPriority[1] + c.byPriority[2] + c.byPriority[3]
	v = append(v, float64(n), float64(c.unresolved), ratio(float64(c.lost), float64(n)))
	v = appendDist(v, c.resp[0])
	for p := 1; p <= 3; p++ {
		v = appendDist(v, c.resp[p])
		if c.cfg.Targets[p] > 0 {
			if c.byPriority[p] == 0 {
				v = append(v, nan)
			} else {
				// Unanswered calls count as missed.
				v = append(v, float64(c.within[p])/float64(c.byPriority[p]))
			}
		}
	}
	v = append(v, c.cmd.mean(), c.qwait.mean(), c.travel.mean(), c.ful.mean())
	var busy, duty float64
	for t := range c.busy {
		busy += c.busy[t]
		duty += c.duty[t]
	}
	v = append(v, ratio(busy, duty), ratio(float64(c.cross), float64(c.sent)), ratio(float64(c.outsideBeat), float64(c.withBeat)))
	for t := range c.busy {
		v = append(v, ratio(c.busy[t], c.duty[t]))
	}
	zero := 0
	for a, h := range c.atomHits {
		if h == 0 && c.cfg.City.Atoms[a].Weight > 0 { // areas where incidents can happen
			zero++
		}
	}
	v = append(v,
		float64(c.realised), float64(c.realised-c.realisedNight), float64(c.realisedNight),
		float64(c.prevented), float64(c.prevented-c.preventedNight), float64(c.preventedNight),
		float64(c.movedSpace+c.movedTime), float64(c.movedSpace), float64(c.movedTime), float64(c.movedNight),
		float64(c.nearRepeat), ratio(float64(c.discovered), float64(n)),
		ratio(c.visSeen, c.visAll), float64(zero), c.workloadCV())
	for p := 1; p <= 3; p++ {
		v = append(v, float64(c.byPriority[p]))
	}
	for _, k := range c.byType {
		v = append(v, float64(k))
	}
	for _, k := range c.byDistrict {
		v = append(v, float64(k))
	}
	for t, k := range c.preventedType {
		if c.cfg.Incidents.Types[t].Deterrable > 0 {
			v = append(v, float64(k))
		}
	}
	for _, k := range c.preventedDist {
		v = append(v, float64(k))
	}
	return v
}

// workloadCV is the coefficient of variation (sd / mean) of the busy share
// of the units that were on duty in the window.
func (c *Collector) workloadCV() float64 {
	var shares []float64
	for u := range c.unitBusy {
		if c.unitDuty[u] > 0 {
			shares = append(shares, c.unitBusy[u]/c.unitDuty[u])
		}
	}
	if len(shares) < 2 {
		return math.NaN()
	}
	mean, sd := stat.MeanStdDev(shares, nil)
	if mean == 0 {
		return math.NaN()
	}
	return sd / mean
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return math.NaN()
	}
	return a / b
}

// appendDist appends mean, median and 90th percentile of xs (sorted in
// place). Quantiles are the empirical inverse CDF (gonum stat.Empirical)
// and may be +Inf when more than that share of xs is +Inf (unanswered);
// the mean is over the finite values.
func appendDist(v, xs []float64) []float64 {
	if len(xs) == 0 {
		return append(v, math.NaN(), math.NaN(), math.NaN())
	}
	slices.Sort(xs)
	finite := xs
	for len(finite) > 0 && math.IsInf(finite[len(finite)-1], 1) {
		finite = finite[:len(finite)-1]
	}
	mean := math.NaN()
	if len(finite) > 0 {
		mean = stat.Mean(finite, nil)
	}
	return append(v, mean, stat.Quantile(0.5, stat.Empirical, xs, nil), stat.Quantile(0.9, stat.Empirical, xs, nil))
}
