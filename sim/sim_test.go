package sim

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// queueConfig is a city with one 1 m cell and c identical one-officer units
// standing at its centre, no delays, and exponential on-scene times: travel
// is under 0.01 s, so the model is an M/M/c queue.
func queueConfig(t testing.TB, lambdaPerHour, meanService float64, c int, days float64) (*Config, []Variant) {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 1, CellM: 1, Districts: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{
		Name: "mmc", City: city, Travel: geo.Travel{Metric: geo.Euclidean, Detour: 1},
		Duration: days * 86400, Warmup: 2 * 86400,
		Incidents: Incidents{
			PerDay: lambdaPerHour * 24,
			Types:  []IncidentType{{Name: "call", Priority: 1, Share: 1, OnScene: Dist{Kind: Exponential, Mean: meanService}, Officers: 1}},
		},
		Units: []UnitType{{Name: "unit", Count: c, Squad: 1, Speed: 1000 / 3.6, PatrolSpeed: 1000 / 3.6,
			ShiftLen: 86400, Home: policy.HomeDistrict, Priorities: [4]bool{false, true, true, true}}},
	}
	for h := range cfg.Incidents.HourOfDay {
		cfg.Incidents.HourOfDay[h] = 1
	}
	for d := range cfg.Incidents.DayOfWeek {
		cfg.Incidents.DayOfWeek[d] = 1
	}
	return cfg, variantsFor(t, cfg, "posts")
}

// waitRecorder measures the probability of waiting and the mean wait of the
// calls received in the window.
type waitRecorder struct {
	lo, hi    float64
	n, waited int
	wait      float64
	nopRecorder
}

type nopRecorder struct{}

func (nopRecorder) Incident(r *IncidentRecord)      {}
func (nopRecorder) Busy(u int, from, to float64)    {}
func (nopRecorder) OnDuty(u int, from, to float64)  {}
func (nopRecorder) Deterred(d *DeterRecord)         {}
func (nopRecorder) Presence(t float64, p []float64) {}

func (w *waitRecorder) Incident(r *IncidentRecord) {
	if r.Call < w.lo || r.Call >= w.hi {
		return
	}
	w.n++
	q := r.Dispatch - r.Ready
	w.wait += q
	if q > 0 {
		w.waited++
	}
}

// erlangC returns the probability that a call waits in an M/M/c queue with
// offered load a = λ/μ (Erlang C formula; Larson & Odoni, Urban Operations
// Research, 1981, §4.6; Kleinrock, Queueing Systems I, 1975, eq. 3.40):
//
//	C(c, a) = (a^c/c! · c/(c−a)) / (Σ_{k<c} a^k/k! + a^c/c! · c/(c−a))
func erlangC(c int, a float64) float64 {
	term, sum := 1.0, 0.0
	for k := range c {
		if k > 0 {
			term *= a / float64(k)
		}
		sum += term
	}
	last := term * a / float64(c) * float64(c) / (float64(c) - a)
	return last / (sum + last)
}

func meanSE(xs []float64) (mean, se float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1) / float64(len(xs)))
}

// TestErlangC checks the dispatch queue against the M/M/c formulas: the
// probability of waiting C(c, a) and the mean wait Wq = C(c, a)/(cμ − λ).
// Estimates are means over independent replications; the tolerance is 4
// standard errors of that mean (a false failure would need a 4-sigma draw,
// probability about 6e-5, and the seeds are fixed anyway).
func TestErlangC(t *testing.T) {
	cases := []struct {
		name          string
		lambdaPerHour float64
		meanService   float64 // seconds
		c             int
		days          float64
	}{
		{"M/M/1 rho=0.5", 3, 600, 1, 120},
		{"M/M/2 rho=0.75", 3, 1800, 2, 150},
		{"M/M/5 rho=0.8", 12, 1200, 5, 60},
	}
	const reps = 20
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, variants := queueConfig(t, tc.lambdaPerHour, tc.meanService, tc.c, tc.days)
			var pw, wq []float64
			for rep := range reps {
				rec := &waitRecorder{lo: cfg.Warmup, hi: cfg.Duration}
				if _, err := variants[0].Run(context.Background(), Generate(cfg, 7, rep), 7, rep, rec); err != nil {
					t.Fatal(err)
				}
				pw = append(pw, float64(rec.waited)/float64(rec.n))
				wq = append(wq, rec.wait/float64(rec.n))
			}
			lambda := tc.lambdaPerHour / 3600
			mu := 1 / tc.meanService
			a := lambda / mu
			wantP := erlangC(tc.c, a)
			wantW := wantP / (float64(tc.c)*mu - lambda)
			gotP, seP := meanSE(pw)
			gotW, seW := meanSE(wq)
			t.Logf("P(wait) got %.4f ± %.4f, want %.4f; Wq got %.1fs ± %.1f, want %.1fs", gotP, seP, wantP, gotW, seW, wantW)
			if math.Abs(gotP-wantP) > 4*seP {
				t.Errorf("P(wait) = %.4f (se %.4f), want %.4f", gotP, seP, wantP)
			}
			if math.Abs(gotW-wantW) > 4*seW {
				t.Errorf("mean wait = %.1fs (se %.1f), want %.1fs", gotW, seW, wantW)
			}
		})
	}
}

func TestErlangCFormula(t *testing.T) {
	// M/M/1: C(1, a) = a. M/M/2 with a = 1: C = (1/2·2)/(1 + 1 + 1) = 1/3
	// (from the formula by hand).
	if got := erlangC(1, 0.5); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("C(1, 0.5) = %v, want 0.5", got)
	}
	if got := erlangC(2, 1); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("C(2, 1) = %v, want 1/3", got)
	}
}

// TestPoissonVolume checks the arrival process: the count of candidates in
// a replication is Poisson with mean per_day × days, shaped by the profiles.
func TestPoissonVolume(t *testing.T) {
	cfg, _ := queueConfig(t, 10, 600, 1, 28)
	cfg.Incidents.HourOfDay[3] = 0 // nothing between 03:00 and 04:00
	cfg.Incidents.HourOfDay[18] = 3
	cfg.Incidents.DayOfWeek[6] = 2
	var counts []float64
	var hour18, hour17 float64
	for rep := range 30 {
		cands := Generate(cfg, 3, rep)
		counts = append(counts, float64(len(cands)))
		for i, c := range cands {
			h := int(math.Mod(c.Occur, 86400) / 3600)
			if h == 3 {
				t.Fatalf("incident at %v in hour 3, which has weight 0", c.Occur)
			}
			if h == 18 {
				hour18++
			}
			if h == 17 {
				hour17++
			}
			if i > 0 && c.Occur < cands[i-1].Occur {
				t.Fatal("candidates out of time order")
			}
		}
	}
	// The mean count is per_day × days = 240 × 28 = 6720 (day-of-week
	// weights only move volume between days); the sd of a Poisson count is
	// its square root, so the mean of 30 has se sqrt(6720/30).
	mean, _ := meanSE(counts)
	if se := math.Sqrt(6720.0 / 30); math.Abs(mean-6720) > 4*se {
		t.Errorf("mean count %.1f, want 6720 ± %.1f", mean, 4*se)
	}
	// Hour 18 has weight 3 against 1 for hour 17.
	if r := hour18 / hour17; math.Abs(r-3) > 0.15 {
		t.Errorf("hour 18 / hour 17 = %.3f, want 3", r)
	}
}

// TestHourOfWeek: with an hour-of-week profile, the counts of every hour
// of the week follow it (and RateFunc agrees with what Generate draws).
// Profile: weekdays busy 08:00–18:00 (weight 3), weekend nights busy
// 22:00–04:00 (weight 4), hour 100 (Friday 04:00) empty, else 1. Over 30
// replications of 28 days (4 weeks) at 120 a day, hour h of the week
// expects 120 × 7 × 4 × 30 × w_h / Σw incidents; each count is Poisson, so
// within 4.5 √E (a 168-cell family at a false-alarm rate of about 1e-3).
func TestHourOfWeek(t *testing.T) {
	cfg, _ := queueConfig(t, 5, 600, 1, 28)
	var w [168]float64
	for h := range w {
		day, hod := h/24, h%24
		switch {
		case day < 5 && hod >= 8 && hod < 18:
			w[h] = 3
		case day >= 5 && (hod >= 22 || hod < 4):
			w[h] = 4
		default:
			w[h] = 1
		}
	}
	w[100] = 0
	cfg.Incidents.HourOfWeek = w
	var sum float64
	for _, x := range w {
		sum += x
	}
	var counts [168]float64
	const reps = 30
	for rep := range reps {
		for _, c := range Generate(cfg, 5, rep) {
			counts[int(c.Occur/3600)%168]++
		}
	}
	if counts[100] != 0 {
		t.Fatalf("%g incidents in hour 100, which has weight 0", counts[100])
	}
	rate := cfg.RateFunc()
	for h := range 168 {
		e := cfg.Incidents.PerDay * 7 * 4 * reps * w[h] / sum
		if d := math.Abs(counts[h] - e); d > 4.5*math.Sqrt(max(e, 1)) {
			t.Errorf("hour %d of the week: %g incidents, expected %.1f", h, counts[h], e)
		}
		// RateFunc, summed over atoms, is the same expected rate per second.
		var r float64
		for a := range cfg.City.Atoms {
			r += rate(a, float64(h)*3600+1)
		}
		if want := cfg.Incidents.PerDay * 7 * w[h] / sum / 3600; math.Abs(r-want) > 1e-12*want+1e-15 {
			t.Errorf("hour %d: RateFunc %g /s, want %g", h, r, want)
		}
	}
}

// checkRecorder asserts the invariants of a run.
type checkRecorder struct {
	nopRecorder
	t        testing.TB
	cfg      *Config
	units    []policy.Unit
	seen     map[int]bool
	busy     [][][2]float64
	resolved int
}

func (c *checkRecorder) Incident(r *IncidentRecord) {
	t := c.t
	t.Helper()
	if c.seen[r.ID] {
		t.Fatalf("incident %d reported twice", r.ID)
	}
	c.seen[r.ID] = true
	times := []float64{r.Occur, r.Call, r.Ready, r.Dispatch, r.Arrive, r.Clear}
	if r.Full == r.Full && !(r.Arrive <= r.Full && r.Full <= r.Clear) {
		t.Fatalf("incident %d: full strength at %v outside [arrive %v, clear %v]", r.ID, r.Full, r.Arrive, r.Clear)
	}
	last := math.Inf(-1)
	for i, x := range times {
		if x != x {
			// Once a stage is missing, later ones are too.
			for _, y := range times[i:] {
				if y == y {
					t.Fatalf("incident %d: stage after a missing one: %v", r.ID, times)
				}
			}
			break
		}
		if x < last {
			t.Fatalf("incident %d: times go backwards: %v", r.ID, times)
		}
		last = x
	}
	if r.Resolved() {
		c.resolved++
		officers := 0
		for _, u := range r.Units {
			officers += c.units[u].Squad
			if !c.cfg.Units[c.units[u].Type].Priorities[r.Priority] {
				t.Fatalf("incident %d (priority %d) got unit %d that may not take it", r.ID, r.Priority, u)
			}
		}
		// Full strength is reached only with the officers needed; an
		// incident may clear understaffed (the work then took longer).
		if r.Full == r.Full && officers < r.Needed {
			t.Fatalf("incident %d at full strength with %d officers, needs %d", r.ID, officers, r.Needed)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(r.Units)))) != len(r.Units) {
		t.Fatalf("incident %d: a unit sent twice: %v", r.ID, r.Units)
	}
}

func (c *checkRecorder) Busy(u int, from, to float64) {
	if to < from {
		c.t.Fatalf("unit %d busy [%v, %v)", u, from, to)
	}
	for _, iv := range c.busy[u] {
		if from < iv[1] && iv[0] < to {
			c.t.Fatalf("unit %d busy twice at once: [%v, %v) and %v", u, from, to, iv)
		}
	}
	c.busy[u] = append(c.busy[u], [2]float64{from, to})
}

func (c *checkRecorder) OnDuty(u int, from, to float64) {
	if to < from {
		c.t.Fatalf("unit %d on duty [%v, %v)", u, from, to)
	}
}

func invariantConfig(t testing.TB) *Config {
	city, err := geo.NewGrid(geo.GridSpec{Rows: 4, Cols: 5, CellM: 800, Districts: 2})
	if err != nil {
		t.Fatal(err)
	}
	city.AddPost("p", "platform", geo.Point{X: 1000, Y: 1000})
	if err := city.Finish(); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{
		Name: "inv", City: city, Travel: geo.Travel{Metric: geo.Manhattan, Detour: 1.2},
		Duration: 3 * 86400, Warmup: 3600,
		Incidents: Incidents{
			PerDay:      120,
			ReportDelay: Dist{Kind: Exponential, Mean: 120},
			Types: []IncidentType{
				{Name: "a", Priority: 1, Share: 0.3, OnScene: Dist{Kind: Lognormal, Mean: 1800, SD: 900}, Officers: 3},
				{Name: "b", Priority: 2, Share: 0.4, OnScene: Dist{Kind: Exponential, Mean: 1500}, Officers: 2},
				{Name: "c", Priority: 3, Share: 0.3, OnScene: Dist{Kind: Fixed, Mean: 900}, Officers: 1},
			},
		},
		Units: []UnitType{
			{Name: "car", Count: 4, Squad: 2, Speed: 8, PatrolSpeed: 5, Turnout: 30, ShiftLen: 86400, Home: policy.HomeDistrict, Priorities: [4]bool{false, true, true, true}},
			{Name: "foot", Count: 5, Squad: 1, Speed: 1.4, PatrolSpeed: 1.2, ShiftStart: 8 * 3600, ShiftLen: 10 * 3600, Home: policy.HomeCommunity, Priorities: [4]bool{false, false, true, true}},
			{Name: "post", Count: 1, Squad: 2, Speed: 1.4, PatrolSpeed: 1.4, ShiftStart: 20 * 3600, ShiftLen: 8 * 3600, Home: policy.HomePost, Priorities: [4]bool{false, true, true, false}},
		},
		Dispatch: Dispatch{Delay: Dist{Kind: Exponential, Mean: 60}},
	}
	for h := range cfg.Incidents.HourOfDay {
		cfg.Incidents.HourOfDay[h] = 1 + float64(h%5)
	}
	for d := range cfg.Incidents.DayOfWeek {
		cfg.Incidents.DayOfWeek[d] = 1
	}
	return cfg
}

func variantsFor(t testing.TB, cfg *Config, names ...string) []Variant {
	t.Helper()
	var vs []Variant
	for _, n := range names {
		spec, ok := policy.Lookup(n)
		if !ok {
			t.Fatalf("no policy %s", n)
		}
		params, err := spec.Resolve(nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(cfg)
		if err != nil {
			t.Fatal(err)
		}
		v := Variant{Name: n, Model: m}
		for range cfg.Units {
			v.Policies = append(v.Policies, PolicyChoice{Spec: spec, Params: params})
		}
		vs = append(vs, v)
	}
	return vs
}

func runChecked(t testing.TB, seed uint64) {
	cfg := invariantConfig(t)
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cands := Generate(cfg, seed, 0)
	for _, v := range variantsFor(t, cfg, "random", "static-beats", "posts") {
		rec := &checkRecorder{t: t, cfg: cfg, units: m.World.Units, seen: map[int]bool{}, busy: make([][][2]float64, len(m.World.Units))}
		st, err := v.Run(context.Background(), cands, seed, 0, rec)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.seen) != len(cands) {
			t.Fatalf("%s: %d incidents reported, want every one of %d", v.Name, len(rec.seen), len(cands))
		}
		if st.End < cfg.Duration && len(cands) > 0 {
			t.Fatalf("%s: run stopped at %v before the end %v", v.Name, st.End, cfg.Duration)
		}
	}
}

func TestInvariants(t *testing.T) {
	for seed := range uint64(5) {
		runChecked(t, seed)
	}
}

// FuzzRun plays whole runs over random seeds and checks the invariants:
// time never goes backwards within an incident, no unit is busy twice at
// once, every incident is reported exactly once, resolved or not.
func FuzzRun(f *testing.F) {
	f.Add(uint64(1))
	f.Add(uint64(20111027))
	f.Fuzz(func(t *testing.T, seed uint64) { runChecked(t, seed) })
}

// TestCommonRandomNumbers checks that variants of one replication see the
// same incidents: Generate does not depend on the variant, and running a
// variant does not change the candidates.
func TestCommonRandomNumbers(t *testing.T) {
	cfg := invariantConfig(t)
	a := Generate(cfg, 9, 2)
	b := Generate(cfg, 9, 2)
	if !slices.Equal(a, b) {
		t.Fatal("Generate is not deterministic")
	}
	if c := Generate(cfg, 9, 3); slices.Equal(a, c) {
		t.Fatal("replications 2 and 3 drew the same candidates")
	}
	before := slices.Clone(a)
	for _, v := range variantsFor(t, cfg, "random", "posts") {
		if _, err := v.Run(context.Background(), a, 9, 2, nopRecorder{}); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(a, before) {
		t.Fatal("a run changed the candidates")
	}
}

// TestReplicateWorkers checks that results do not depend on the number of
// workers.
func TestReplicateWorkers(t *testing.T) {
	cfg := invariantConfig(t)
	vs := variantsFor(t, cfg, "random", "static-beats")
	collect := func(workers int) [][]float64 {
		out := make([][]float64, 4*len(vs))
		_, err := Replicate(context.Background(), vs, 5, 4, workers, func(j Job) Recorder {
			return &sumRecorder{out: &out[j.Rep*len(vs)+j.Variant]}
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	one, two := collect(1), collect(2)
	for i := range one {
		if !slices.Equal(one[i], two[i]) {
			t.Fatalf("job %d: 1 worker %v, 2 workers %v", i, one[i], two[i])
		}
	}
}

type sumRecorder struct {
	nopRecorder
	out *[]float64
}

func (s *sumRecorder) Incident(r *IncidentRecord) { *s.out = append(*s.out, r.Arrive, r.Clear) }

func TestReplicateCancel(t *testing.T) {
	cfg := invariantConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Replicate(ctx, variantsFor(t, cfg, "random"), 1, 8, 2, func(Job) Recorder { return nopRecorder{} }); err == nil {
		t.Fatal("no error from a cancelled context")
	}
}

// TestShifts checks duty periods: a unit with an 8-hour shift is on duty a
// third of the time.
func TestShifts(t *testing.T) {
	ut := UnitType{ShiftStart: 20 * 3600, ShiftLen: 8 * 3600}
	cases := []struct {
		t    float64
		want bool
	}{{0, true}, {3.99 * 3600, true}, {4 * 3600, false}, {19.99 * 3600, false}, {20 * 3600, true}, {86400 + 3600, true}}
	for _, c := range cases {
		if got := ut.OnDutyAt(c.t); got != c.want {
			t.Errorf("OnDutyAt(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	if got := ut.nextShiftChange(0); got != 4*3600 {
		t.Errorf("nextShiftChange(0) = %v, want 4h", got)
	}
	if got := ut.nextShiftChange(4 * 3600); got != 20*3600 {
		t.Errorf("nextShiftChange(4h) = %v, want 20h", got)
	}
}

func BenchmarkRun(b *testing.B) {
	cfg := invariantConfig(b)
	cfg.Duration = 30 * 86400
	cfg.Incidents.PerDay = 300
	vs := variantsFor(b, cfg, "random")
	cands := Generate(cfg, 1, 0)
	var events uint64
	for b.Loop() {
		st, err := vs[0].Run(context.Background(), cands, 1, 0, nopRecorder{})
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// TestUnderstaffedWork: one officer on a two-officer incident works at half
// rate, so fixed on-scene work of 600 s takes 1200 s; a second unit arriving
// half-way finishes the rest at full rate.
func TestUnderstaffedWork(t *testing.T) {
	cases := []struct {
		name  string
		units int
		want  float64 // clear − first arrival, seconds
	}{
		{"alone", 1, 1200},
		{"two units", 2, 600},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := queueConfig(t, 1, 600, tc.units, 3)
			cfg.Incidents.Types[0].Officers = 2
			cfg.Incidents.Types[0].OnScene = Dist{Kind: Fixed, Mean: 600}
			v := variantsFor(t, cfg, "posts")[0]
			cands := []Candidate{{Occur: 100, OnScene: 600, Atom: 0, Pos: cfg.City.Atoms[0].Centroid}}
			var got *IncidentRecord
			rec := &keepRecorder{f: func(r *IncidentRecord) { c := *r; got = &c }}
			if _, err := v.Run(context.Background(), cands, 1, 0, rec); err != nil {
				t.Fatal(err)
			}
			if got == nil || !got.Resolved() {
				t.Fatalf("incident not resolved: %+v", got)
			}
			if d := got.Clear - got.Arrive; math.Abs(d-tc.want) > 1e-6 {
				t.Errorf("on scene %v s, want %v", d, tc.want)
			}
			if full := got.Full == got.Full; full != (tc.units == 2) {
				t.Errorf("full strength reached = %v, want %v", full, tc.units == 2)
			}
		})
	}
}

type keepRecorder struct {
	nopRecorder
	f func(*IncidentRecord)
}

func (k *keepRecorder) Incident(r *IncidentRecord) { k.f(r) }

// TestNoDeadlockMultiOfficer: two one-officer units and incidents needing
// two officers. Partial crews keep working at half rate, so every incident
// ends (before, each unit could wait forever for the other).
func TestNoDeadlockMultiOfficer(t *testing.T) {
	cfg, _ := queueConfig(t, 40.0/24, 1800, 2, 12)
	cfg.Incidents.Types = []IncidentType{
		{Name: "a", Priority: 1, Share: 0.3, OnScene: Dist{Kind: Exponential, Mean: 1800}, Officers: 2},
		{Name: "b", Priority: 2, Share: 0.4, OnScene: Dist{Kind: Exponential, Mean: 1800}, Officers: 2},
		{Name: "c", Priority: 3, Share: 0.3, OnScene: Dist{Kind: Exponential, Mean: 1200}, Officers: 1},
	}
	m, _ := NewModel(cfg)
	for _, v := range variantsFor(t, cfg, "posts", "random") {
		rec := &checkRecorder{t: t, cfg: cfg, units: m.World.Units, seen: map[int]bool{}, busy: make([][][2]float64, len(m.World.Units))}
		cands := Generate(cfg, 3, 0)
		if _, err := v.Run(context.Background(), cands, 3, 0, rec); err != nil {
			t.Fatal(err)
		}
		if rec.resolved != len(cands) {
			t.Errorf("%s: %d of %d incidents resolved", v.Name, rec.resolved, len(cands))
		}
	}
}

// TestFractionalShiftAndIdleEnd: a shift that is not a whole number of hours
// advances the clock, and a run whose units never patrol (posts) still closes
// duty time at the end of the run, not at its last event.
func TestFractionalShiftAndIdleEnd(t *testing.T) {
	cfg, _ := queueConfig(t, 0.1, 600, 2, 10)
	cfg.Units[0].ShiftStart = 7 * 3600
	cfg.Units[0].ShiftLen = 29880 // 8.3 h
	cfg.Units = append(cfg.Units, UnitType{Name: "always", Count: 1, Squad: 1, Speed: 10, PatrolSpeed: 10,
		ShiftLen: 86400, Home: policy.HomeDistrict, Priorities: [4]bool{false, true, true, true}})
	for _, v := range variantsFor(t, cfg, "posts") {
		var duty float64
		rec := &dutyRecorder{sum: &duty}
		st, err := v.Run(context.Background(), Generate(cfg, 1, 0), 1, 0, rec)
		if err != nil {
			t.Fatal(err)
		}
		if st.End < cfg.Duration {
			t.Errorf("run ended at %v, before the end %v", st.End, cfg.Duration)
		}
		// The always-on unit: the whole run; the two shift units: 8.3 h a
		// day each from 07:00, cut at the end of the run.
		want := st.End
		for day := 0.0; day*86400 < st.End; day++ {
			start := day*86400 + 7*3600
			want += 2 * max(0, min(start+29880, st.End)-start)
		}
		if math.Abs(duty-want) > 1e-6 {
			t.Errorf("on-duty time %v s, want %v", duty, want)
		}
	}
}

type dutyRecorder struct {
	nopRecorder
	sum *float64
}

func (d *dutyRecorder) OnDuty(u int, from, to float64) { *d.sum += to - from }

func TestRunCancel(t *testing.T) {
	cfg := invariantConfig(t)
	cfg.Duration = 60 * 86400
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vs := variantsFor(t, cfg, "random")
	if _, err := vs[0].Run(ctx, Generate(cfg, 1, 0), 1, 0, nopRecorder{}); err == nil {
		t.Fatal("no error from a cancelled run")
	}
}

// lostRecorder counts the calls in the window and the lost ones.
type lostRecorder struct {
	nopRecorder
	lo, hi  float64
	n, lost int
}

func (l *lostRecorder) Incident(r *IncidentRecord) {
	if r.Call >= l.lo && r.Call < l.hi {
		l.n++
		if r.Lost {
			l.lost++
		}
	}
}

// erlangB is the probability that a call finds all c servers busy in an
// M/G/c/c loss system with offered load a (Erlang B; Larson & Odoni 1981,
// §4.8), by the stable recursion B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1)).
func erlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// TestErlangB: with lost calls, the share of calls lost is Erlang B, within
// 4 standard errors of the mean over replications.
func TestErlangB(t *testing.T) {
	// B(2, 1) = (1/2)/(1 + 1 + 1/2) = 0.2 (by hand from the formula).
	if got := erlangB(2, 1); math.Abs(got-0.2) > 1e-12 {
		t.Fatalf("erlangB(2, 1) = %v, want 0.2", got)
	}
	for _, tc := range []struct {
		name          string
		lambdaPerHour float64
		meanService   float64
		c             int
	}{
		{"c=2 a=1.5", 3, 1800, 2},
		{"c=4 a=3", 9, 1200, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, variants := queueConfig(t, tc.lambdaPerHour, tc.meanService, tc.c, 60)
			cfg.Dispatch.LostCalls = true
			var shares []float64
			for rep := range 20 {
				rec := &lostRecorder{lo: cfg.Warmup, hi: cfg.Duration}
				if _, err := variants[0].Run(context.Background(), Generate(cfg, 5, rep), 5, rep, rec); err != nil {
					t.Fatal(err)
				}
				shares = append(shares, float64(rec.lost)/float64(rec.n))
			}
			got, se := meanSE(shares)
			want := erlangB(tc.c, tc.lambdaPerHour*tc.meanService/3600)
			t.Logf("lost share %.4f ± %.4f, want %.4f", got, se, want)
			if math.Abs(got-want) > 4*se {
				t.Errorf("lost share %.4f (se %.4f), want Erlang B %.4f", got, se, want)
			}
		})
	}
}
