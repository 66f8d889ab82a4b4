package results

import (
	"fmt"
	"math"
	"slices"

	"github.com/patrolsim/patrolsim/sim"
	"gonum.org/v1/gonum/stat"
)

// Better says which direction of a metric is an improvement.
type Better int

const (
	Neutral Better = iota
	Lower
	Higher
)

// Metric describes one metric. Names carry their unit: _s for seconds,
// a share in [0, 1] otherwise unless the doc says count.
type Metric struct {
	Name   string
	Doc    string
	Better Better
}

// Metrics lists the metrics of a configuration, in a fixed order: the
// order of columns in the per-replication CSV and of keys in tables.
func Metrics(cfg *sim.Config) []Metric {
	ms := []Metric{
		{"incidents", "incidents whose call came in the window (count)", Neutral},
		{"unresolved", "of those, not cleared by the end of the run (count)", Lower},
		{"response_mean_s", "call received → first unit on scene, mean over answered calls", Lower},
		{"response_median_s", "response time, median (unanswered calls count as infinitely late)", Lower},
		{"response_p90_s", "response time, 90th percentile (unanswered calls count as infinitely late)", Lower},
	}
	for p := 1; p <= 3; p++ {
		ms = append(ms,
			Metric{fmt.Sprintf("response_mean_s_p%d", p), fmt.Sprintf("response time of priority-%d calls, mean", p), Lower},
			Metric{fmt.Sprintf("response_median_s_p%d", p), fmt.Sprintf("response time of priority-%d calls, median", p), Lower},
			Metric{fmt.Sprintf("response_p90_s_p%d", p), fmt.Sprintf("response time of priority-%d calls, 90th percentile", p), Lower},
		)
		if cfg.Targets[p] > 0 {
			ms = append(ms, Metric{fmt.Sprintf("within_target_p%d", p),
				fmt.Sprintf("share of priority-%d calls answered within %gs", p, cfg.Targets[p]), Higher})
		}
	}
	ms = append(ms,
		Metric{"command_delay_mean_s", "call received → ready for dispatch, mean", Lower},
		Metric{"queue_wait_mean_s", "ready for dispatch → first unit sent, mean", Lower},
		Metric{"travel_mean_s", "first unit sent → first unit on scene (turnout included), mean", Lower},
		Metric{"full_strength_mean_s", "call received → enough officers on scene, mean", Lower},
		Metric{"utilization", "share of on-duty unit time spent on calls, all units", Neutral},
		Metric{"cross_district_share", "share of units sent that are homed in another district than the incident's", Lower},
	)
	for _, ut := range cfg.Units {
		ms = append(ms, Metric{"utilization_" + ut.Name, "share of on-duty time on calls, " + ut.Name, Neutral})
	}
	for p := 1; p <= 3; p++ {
		ms = append(ms, Metric{fmt.Sprintf("incidents_p%d", p), fmt.Sprintf("priority-%d incidents (count)", p), Neutral})
	}
	for _, t := range cfg.Incidents.Types {
		ms = append(ms, Metric{"incidents_type_" + t.Name, t.Name + " incidents (count)", Neutral})
	}
	for _, d := range cfg.City.Districts {
		ms = append(ms, Metric{"incidents_district_" + d.Name, "incidents in district " + d.Name + " (count)", Neutral})
	}
	return ms
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
	sent, cross int
	byPriority  [4]int
	byType      []int
	byDistrict  []int
	busy, duty  []float64 // by unit type, seconds in the window

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
		byType:     make([]int, len(cfg.Incidents.Types)),
		byDistrict: make([]int, len(cfg.City.Districts)),
		busy:       make([]float64, len(cfg.Units)),
		duty:       make([]float64, len(cfg.Units)),
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
	if !c.Counted(r) {
		return
	}
	c.byPriority[r.Priority]++
	c.byType[r.Type]++
	c.byDistrict[r.District]++
	if !r.Resolved() {
		c.unresolved++
	}
	c.sent += len(r.Units)
	c.cross += r.CrossDistrict
	c.cmd.add(r.Ready - r.Call)
	c.qwait.add(r.Dispatch - r.Ready)
	c.travel.add(r.Arrive - r.Dispatch)
	c.ful.add(r.Full - r.Call)
	// A call never answered counts as infinitely late in the quantiles
	// (it is left out of the mean, and counted in unresolved).
	resp := r.Arrive - r.Call
	if resp != resp {
		resp = math.Inf(1)
	}
	c.resp[0] = append(c.resp[0], resp)
	c.resp[r.Priority] = append(c.resp[r.Priority], resp)
	if t := c.cfg.Targets[r.Priority]; t > 0 && resp <= t {
		c.within[r.Priority]++
	}
}

// Busy implements sim.Recorder.
func (c *Collector) Busy(u int, from, to float64) { c.busy[c.unitType[u]] += c.clip(from, to) }

// OnDuty implements sim.Recorder.
func (c *Collector) OnDuty(u int, from, to float64) { c.duty[c.unitType[u]] += c.clip(from, to) }

func (c *Collector) clip(from, to float64) float64 {
	return max(0, min(to, c.hi)-max(from, c.lo))
}

// Values returns the metric values in the order of Metrics(cfg); NaN where
// a metric has no value in this run.
func (c *Collector) Values() []float64 {
	var v []float64
	nan := math.NaN()
	n := c.byPriority[1] + c.byPriority[2] + c.byPriority[3]
	v = append(v, float64(n), float64(c.unresolved))
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
	v = append(v, ratio(busy, duty), ratio(float64(c.cross), float64(c.sent)))
	for t := range c.busy {
		v = append(v, ratio(c.busy[t], c.duty[t]))
	}
	for p := 1; p <= 3; p++ {
		v = append(v, float64(c.byPriority[p]))
	}
	for _, k := range c.byType {
		v = append(v, float64(k))
	}
	for _, k := range c.byDistrict {
		v = append(v, float64(k))
	}
	return v
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
