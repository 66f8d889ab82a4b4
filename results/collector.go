package results

import (
	"math"
	"slices"
	"sync"

	"github.com/patrolsim/patrolsim/sim"
	"gonum.org/v1/gonum/stat"
)

// Night is the part of the day counted as night in the day/night metrics:
// from 18:00 to 06:00, the night patrol period of the Jinzhou reform.
const nightStart, nightEnd = 18 * 3600, 6 * 3600

func hourOf(t float64) int { return int(dayTime(t) / 3600) }

func isNight(t float64) bool {
	s := dayTime(t)
	return s >= nightStart || s < nightEnd
}

// dayTime is math.Mod(t, 86400), the time of day, bit for bit, without
// math.Mod's loop for the usual t (0 <= t < 2^52): t − 86400k with k the
// whole days, exact (the result is representable, and so is 86400k), k
// corrected when t / 86400 rounded up to the next whole day.
func dayTime(t float64) float64 {
	if !(t >= 0 && t < 1<<52) {
		return math.Mod(t, 86400)
	}
	s := t - 86400*math.Floor(t/86400)
	if s < 0 {
		s += 86400
	}
	return s
}

// Collector is a sim.Recorder that accumulates the observations of one
// run; each metric's declaration (metrics.go) computes its value from them
// (Value).
type Collector struct {
	cfg       *sim.Config
	unitType  []int
	unitIndex map[string]int // by unit id (UnitNames): car-3
	lo, hi    float64        // measurement window

	// resp[p]: the response times of priority p's counted calls; resp[0]
	// holds a call of no priority (twice: as all and as its own) and not
	// the others, which dist merges from resp[1…3] (sorted) when it needs
	// all of them rather than keeping every time twice.
	resp        [4][]float64
	within      [4]int
	cmd, qwait  sum
	cmdWait     sum // waiting for a call-taker or dispatcher, calls received
	travel, ful sum
	unresolved  int
	lost        int
	waited      int // calls sent their first unit after they were ready, or never
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
	crimes, crimesNight               int // realised crimes (types with crime: true), and those at night
	prevented, preventedNight         int
	movedSpace, movedTime, movedNight int
	diffused                          int // suppressed candidates that only the diffusion of benefits suppressed
	nearRepeat, discovered            int
	preventedType, preventedDist      []int
	atomHits                          []int
	atomCrimes                        []int // realised crimes by area
	atomTypeHits                      []int // realised incidents by type and area: [type*areas + area]
	// With cfg.ZeroWindow: the complete windows of the measurement window
	// and, as bits, whether a crime (winCrime: [window*areas + area]) or an
	// incident of a type (winType: [(window*types + type)*areas + area])
	// was realised in an area in a window.
	zeroWins          int
	winCrime, winType []uint64
	victim            [4]sum // occurrence → first unit on scene, answered counted calls, by priority ([0] all)
	visSeen, visAll   float64
	coverSum          float64   // Σ over coverage samples in the window of the covered share of demand
	coverN            int       // coverage samples in the window
	coverW            []float64 // by area: its weight in coverage (max(Weight, 0)), from the first sample
	coverAll          float64   // Σ coverW, in area order

	dists  [4][3]float64 // mean, median, p90 of resp, by priority (dist)
	sorted bool          // dists is up to date

	// After Finish: resp let go, its histograms kept for Details.
	finished   bool
	respHist   [4][]int
	unanswered [4]int

	// Details for charts and maps (Details).
	hourRealised, hourPrevented, hourDisplaced [24]int
	atomSeen                                   []int // hourly samples with presence at or above the threshold
	samples                                    int
	atomResp                                   []sum       // response time by atom
	atomPrevented, atomDisplaced               []int       // suppressed candidates by the area they would have happened in
	atomResps                                  [][]float32 // response times by atom (+Inf: never answered), for its quantiles; float32 halves what a long run keeps

	// Keep, if set, receives every incident record (counted or not).
	Keep func(r *sim.IncidentRecord)
	// Pool, if set, receives the run's response times by area when it
	// finishes (Finish), and Details then gives no AtomResps: a run of
	// many replications keeps the areas' sketches, not every call.
	Pool *AreaPool
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
		atomCrimes:    make([]int, len(cfg.City.Atoms)),
		atomTypeHits:  make([]int, len(cfg.City.Atoms)*len(cfg.Incidents.Types)),
		atomSeen:      make([]int, len(cfg.City.Atoms)),
		atomResp:      make([]sum, len(cfg.City.Atoms)),
		atomPrevented: make([]int, len(cfg.City.Atoms)),
		atomDisplaced: make([]int, len(cfg.City.Atoms)),
		atomResps:     getAtomResps(len(cfg.City.Atoms)),
	}
	for p := 1; p < len(c.resp); p++ {
		c.resp[p] = getTimes()
	}
	if cfg.ZeroWindow > 0 {
		c.zeroWins = max(1, int((c.hi-c.lo)/cfg.ZeroWindow))
		nA, nT := len(cfg.City.Atoms), len(cfg.Incidents.Types)
		c.winCrime = make([]uint64, (c.zeroWins*nA+63)/64)
		c.winType = make([]uint64, (c.zeroWins*nT*nA+63)/64)
	}
	for _, u := range m.World.Units {
		c.unitType = append(c.unitType, u.Type)
	}
	c.unitIndex = make(map[string]int, len(m.World.Units))
	for u, id := range UnitNames(m) {
		c.unitIndex[id] = u
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
		c.atomTypeHits[r.Type*len(c.atomHits)+r.Atom]++
		crime := c.cfg.Incidents.Types[r.Type].Crime
		if crime {
			c.atomCrimes[r.Atom]++
			c.crimes++
			if isNight(r.Occur) {
				c.crimesNight++
			}
		}
		if c.zeroWins > 0 {
			if w := int((r.Occur - c.lo) / c.cfg.ZeroWindow); w < c.zeroWins {
				nA := len(c.atomHits)
				setBit(c.winType, (w*len(c.cfg.Incidents.Types)+r.Type)*nA+r.Atom)
				if crime {
					setBit(c.winCrime, w*nA+r.Atom)
				}
			}
		}
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
		return // no response to measure, and it did not wait
	}
	if r.Ready == r.Ready && !(r.Dispatch <= r.Ready) { // a NaN dispatch: never sent
		c.waited++
	}
	c.sent += len(r.Units)
	c.cross += r.CrossDistrict
	c.withBeat += r.WithBeat
	c.outsideBeat += r.OutsideBeat
	c.cmd.add(r.Ready - r.Call)
	if r.Call == r.Call {
		c.cmdWait.add(r.CommandWait)
	}
	c.qwait.add(r.Dispatch - r.Ready)
	c.travel.add(r.Arrive - r.Dispatch)
	c.ful.add(r.Full - r.Call)
	c.victim[0].add(r.Arrive - r.Occur) // NaN (never answered) is left out
	c.victim[r.Priority].add(r.Arrive - r.Occur)
	// A call never answered counts as infinitely late in the quantiles
	// (it is left out of the mean, and counted in unresolved).
	resp := r.Arrive - r.Call
	if resp != resp {
		resp = math.Inf(1)
	} else {
		c.atomResp[r.Atom].add(resp)
	}
	c.sorted = false
	c.atomResps[r.Atom] = append(c.atomResps[r.Atom], float32(resp))
	c.resp[r.Priority] = append(c.resp[r.Priority], resp)
	if r.Priority == 0 {
		c.resp[0] = append(c.resp[0], resp)
	}
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
	if d.Diffused {
		c.diffused++
	}
	if d.Outcome == sim.Prevented {
		c.hourPrevented[hourOf(d.Time)]++
		c.atomPrevented[d.Atom]++
	} else {
		c.hourDisplaced[hourOf(d.Time)]++
		c.atomDisplaced[d.Atom]++
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

// The collector reads presence against a threshold only.
var _ sim.PresenceThreshold = (*Collector)(nil)

// PresenceAbove implements sim.PresenceThreshold: the presence at which an
// area-hour counts as seeing police, VisibleAbove less 1e-9 (one officer
// standing there is "at least one").
func (c *Collector) PresenceAbove() float64 {
	return c.cfg.Deterrence.VisibleAbove - 1e-9
}

// Presence implements sim.Recorder: the hourly samples make visibility.
func (c *Collector) Presence(t float64, byAtom []float64) {
	if t < c.lo || t >= c.hi {
		return
	}
	thr := c.PresenceAbove()
	c.samples++
	for a, p := range byAtom {
		pop := c.cfg.City.Atoms[a].Population
		c.visAll += pop
		if p >= thr {
			c.visSeen += pop
			c.atomSeen[a]++
		}
	}
}

// The collector takes coverage samples.
var _ sim.CoverRecorder = (*Collector)(nil)

// Cover implements sim.CoverRecorder: each sample in the window adds the
// share of expected demand (the areas' weights: incidents are spread over
// areas in proportion to them) that a free unit covers; the coverage
// metric is their mean. Samples are equally spaced (sim.CoverEvery), so the
// mean is the time average.
func (c *Collector) Cover(t float64, covered []bool) {
	if t < c.lo || t >= c.hi {
		return
	}
	if c.coverW == nil {
		// The weights and their sum, the same at every sample.
		c.coverW = make([]float64, len(covered))
		for a := range covered {
			c.coverW[a] = max(c.cfg.City.Atoms[a].Weight, 0)
			c.coverAll += c.coverW[a]
		}
	}
	// in is the sum, in area order, of the weights of the areas covered:
	// each area adds its weight's bits masked by its answer, all or none,
	// so that an area not covered adds +0, which leaves in (never −0) as
	// it was: the same sum, without a branch on each area.
	var in float64
	all := c.coverAll
	w := c.coverW[:len(covered)]
	for a, ok := range covered {
		var b uint64
		if ok {
			b = 1
		}
		in += math.Float64frombits(math.Float64bits(w[a]) & -b)
	}
	if all > 0 {
		c.coverSum += in / all
		c.coverN++
	}
}

func (c *Collector) clip(from, to float64) float64 {
	return max(0, min(to, c.hi)-max(from, c.lo))
}

// Value returns m's value in this run, computed by its declaration: NaN
// when the run has none (no priority-1 call; a unit type, incident type,
// district or unit the run does not have; a metric not declared).
func (c *Collector) Value(m Metric) float64 {
	if m.decl == nil {
		d, ok := Lookup(m.Name)
		if !ok {
			return math.NaN()
		}
		m = d
	}
	i := m.decl.over.index(c, m.key)
	if i < 0 {
		return math.NaN()
	}
	return m.decl.value(c, i)
}

// ValuesFor returns the values of ms in this run, in their order (Value).
func (c *Collector) ValuesFor(ms []Metric) []float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = c.Value(m)
	}
	return v
}

// Values returns the values of Metrics(cfg) of the run's configuration, in
// that order; NaN where a metric has no value in this run. It is
// ValuesFor(Metrics(cfg)).
func (c *Collector) Values() []float64 { return c.ValuesFor(Metrics(c.cfg)) }

// counted is the number of incidents that count.
func (c *Collector) counted() int { return c.byPriority[1] + c.byPriority[2] + c.byPriority[3] }

// zeroAtoms counts the areas where incidents can happen (nonzero weight)
// with none realised in the window.
// zeroAreas counts the areas where incidents can happen (nonzero weight)
// with hits[a] zero.
func (c *Collector) zeroAreas(hits []int) int {
	zero := 0
	for a, h := range hits {
		if h == 0 && c.cfg.City.Atoms[a].Weight > 0 {
			zero++
		}
	}
	return zero
}

// zeroAreasWindows is, under cfg.ZeroWindow, the mean over the complete
// windows of the areas of nonzero weight whose bit is unset in bits, where
// window w's areas start at bit w*stride + off.
func (c *Collector) zeroAreasWindows(bits []uint64, stride, off int) float64 {
	zero := 0
	for w := range c.zeroWins {
		base := w*stride + off
		for a := range c.atomHits {
			if i := base + a; bits[i>>6]&(1<<(i&63)) == 0 && c.cfg.City.Atoms[a].Weight > 0 {
				zero++
			}
		}
	}
	return float64(zero) / float64(c.zeroWins)
}

func setBit(bits []uint64, i int) { bits[i>>6] |= 1 << (i & 63) }

func (c *Collector) zeroAtoms() int {
	zero := 0
	for a, h := range c.atomHits {
		if h == 0 && c.cfg.City.Atoms[a].Weight > 0 {
			zero++
		}
	}
	return zero
}

// Finish implements sim.Finisher: the run is over, so the response times
// kept for the quantiles (8 bytes a counted call) are summarised — the
// quantiles (dist) and Details' histograms — and given back for the next
// collector (their storage only), and with a Pool the times by area (4
// bytes a counted call) go into it. Memory: while a run goes, a float64
// and a float32 a counted call (and, while dist works, a sorted copy of
// all of them and the radix sort's keys); once it is finished, the metric
// state only.
func (c *Collector) Finish() {
	if c.finished {
		return
	}
	c.dist(0)
	c.respHist, c.unanswered = c.histograms()
	for p := range c.resp {
		putTimes(c.resp[p])
	}
	c.resp = [4][]float64{}
	if c.Pool != nil {
		c.Pool.Add(c.atomResps)
		putAtomResps(c.atomResps)
		c.atomResps = nil
	}
	c.coverW = nil
	c.finished = true
}

// Finished collectors give back their lists of response times for the
// next to fill (of the same city for those by area): a replication's
// lists, grown call by call, are the same size as the next's, so the
// next does not grow them again. Only their storage is reused.
var timesPool, atomRespsPool sync.Pool

func getTimes() []float64 {
	if p, ok := timesPool.Get().(*[]float64); ok {
		return (*p)[:0]
	}
	return nil
}

func putTimes(xs []float64) {
	if cap(xs) > 0 {
		xs = xs[:0]
		timesPool.Put(&xs)
	}
}

func getAtomResps(n int) [][]float32 {
	if p, ok := atomRespsPool.Get().(*[][]float32); ok && len(*p) == n {
		return *p
	}
	return make([][]float32, n)
}

func putAtomResps(r [][]float32) {
	for a := range r {
		r[a] = r[a][:0]
	}
	atomRespsPool.Put(&r)
}

// dist returns the mean, median and 90th percentile of the response times
// of priority p (0: all).
func (c *Collector) dist(p int) [3]float64 {
	if !c.sorted {
		for q := range c.resp {
			sortTimes(c.resp[q])
		}
		// All priorities: the sorted merge of resp[0…3], the same slice
		// as sorting every time together (no time is NaN or −0).
		n := 0
		for q := range c.resp {
			n += len(c.resp[q])
		}
		all := mergeSorted(make([]float64, 0, n), c.resp[:])
		c.dists[0] = distOf(all)
		for q := 1; q < len(c.resp); q++ {
			c.dists[q] = distOf(c.resp[q])
		}
		c.sorted = true
	}
	return c.dists[p]
}

// sortTimes sorts xs ascending: the slice slices.Sort makes. Times (no
// NaN, no sign bit: +0 … +Inf) order as their bits do as unsigned
// integers, so a long list of them is sorted by those bits, byte by byte
// from the lowest (a least-significant-digit radix sort: a pass a byte in
// which the values differ); any other list by slices.Sort.
func sortTimes(xs []float64) {
	const minRadix = 256 // below, the sort is about as fast
	n := len(xs)
	if n < minRadix {
		slices.Sort(xs)
		return
	}
	keys := make([]uint64, 2*n)
	a, b := keys[:n], keys[n:]
	var count [8][256]int
	for i, x := range xs {
		k := math.Float64bits(x)
		if k>>63 != 0 || x != x {
			slices.Sort(xs)
			return
		}
		a[i] = k
		for d := range 8 {
			count[d][byte(k>>(8*d))]++
		}
	}
	for d := range 8 {
		c := &count[d]
		if c[byte(a[0]>>(8*d))] == n {
			continue // every key has this byte: the pass would not move them
		}
		at := 0
		for v := range c {
			c[v], at = at, at+c[v]
		}
		for _, k := range a {
			v := byte(k >> (8 * d))
			b[c[v]] = k
			c[v]++
		}
		a, b = b, a
	}
	for i, k := range a {
		xs[i] = math.Float64frombits(k)
	}
}

// mergeSorted appends to dst the values of the sorted lists (at most 4)
// in ascending order, and returns it.
func mergeSorted(dst []float64, lists [][]float64) []float64 {
	var at [4]int
	for {
		k := -1
		for j, l := range lists {
			if at[j] < len(l) && (k < 0 || l[at[j]] < lists[k][at[k]]) {
				k = j
			}
		}
		if k < 0 {
			return dst
		}
		dst = append(dst, lists[k][at[k]])
		at[k]++
	}
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

// distOf returns the mean, median and 90th percentile of xs, sorted
// (slices.Sort, so that the mean sums them in that order). Quantiles are the empirical inverse CDF (gonum stat.Empirical)
// and may be +Inf when more than that share of xs is +Inf (unanswered);
// the mean is over the finite values. All are NaN without values.
func distOf(xs []float64) [3]float64 {
	if len(xs) == 0 {
		return [3]float64{math.NaN(), math.NaN(), math.NaN()}
	}
	finite := xs
	for len(finite) > 0 && math.IsInf(finite[len(finite)-1], 1) {
		finite = finite[:len(finite)-1]
	}
	mean := math.NaN()
	if len(finite) > 0 {
		mean = stat.Mean(finite, nil)
	}
	return [3]float64{mean, stat.Quantile(0.5, stat.Empirical, xs, nil), stat.Quantile(0.9, stat.Empirical, xs, nil)}
}

// perResidentMonth turns a count in the window into a rate per 1,000
// residents (the areas' population) per 30 days; NaN without population or
// window.
func (c *Collector) perResidentMonth(n float64) float64 {
	var pop float64
	for _, a := range c.cfg.City.Atoms {
		pop += a.Population
	}
	days := (c.hi - c.lo) / 86400
	if !(pop > 0 && days > 0) {
		return math.NaN()
	}
	return n / (pop / 1000) / (days / 30)
}
