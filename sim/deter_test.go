package sim

import (
	"context"
	"hash/fnv"
	"math"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// countRecorder counts realised incidents (by occurrence in [lo, hi)) and
// suppressed candidates by outcome.
type countRecorder struct {
	nopRecorder
	lo, hi     float64
	realised   int
	discovered int
	byOrigin   [4]int
	outcomes   [3]int
}

func (c *countRecorder) Incident(r *IncidentRecord) {
	if r.Occur >= c.lo && r.Occur < c.hi {
		c.realised++
		c.byOrigin[r.Origin]++
		if r.Discovered {
			c.discovered++
		}
	}
}

func (c *countRecorder) Deterred(d *DeterRecord) {
	if d.Time >= c.lo && d.Time < c.hi && d.Origin == Background {
		c.outcomes[d.Outcome]++
	}
}

// deterConfig is a 3 × 3 grid of 1 km cells with one post unit at the
// centre of the middle cell, a single deterrable type, and deterrence with
// a radius that covers the whole city, so presence is exactly the unit's
// visibility × squad = 2 wherever an incident happens, plus residual
// deterrence when it leaves its post for a call.
func deterConfig(t testing.TB, deterrable float64) *Config {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: 3, Cols: 3, CellM: 1000, Districts: 1})
	if err != nil {
		t.Fatal(err)
	}
	city.AddPost("p", "post", geo.Point{X: 1500, Y: 1500})
	cfg := &Config{
		Name: "deter", City: city, Travel: geo.Travel{Metric: geo.Euclidean, Detour: 1},
		Duration: 60 * 86400, Warmup: 86400,
		Incidents: Incidents{PerDay: 50, Types: []IncidentType{{Name: "street", Priority: 3, Share: 1,
			OnScene: Dist{Kind: Fixed, Mean: 1}, Officers: 1, Deterrable: deterrable}}},
		Units: []UnitType{{Name: "post", Count: 1, Squad: 2, Speed: 1e3, PatrolSpeed: 1e3, ShiftLen: 86400,
			Home: policy.HomePost, Priorities: [4]bool{false, true, true, true}, Visibility: 1}},
		Deterrence: Deterrence{On: true, RadiusM: 5000, HalfPresence: 4, Tau: 3600, DoseMin: 120, DoseFull: 900,
			TimeShift: Dist{Kind: Fixed, Mean: 3600}},
	}
	for h := range cfg.Incidents.HourOfDay {
		cfg.Incidents.HourOfDay[h] = 1
	}
	for d := range cfg.Incidents.DayOfWeek {
		cfg.Incidents.DayOfWeek[d] = 1
	}
	return cfg
}

func runCount(t *testing.T, cfg *Config, reps int) []*countRecorder {
	t.Helper()
	v := variantsFor(t, cfg, "posts")[0]
	var out []*countRecorder
	for rep := range reps {
		rec := &countRecorder{lo: cfg.Warmup, hi: cfg.Duration}
		if _, err := v.Run(context.Background(), Generate(cfg, 11, rep), 11, rep, rec); err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

// TestSuppressionProbability: presence 2 and half-presence 4 suppress a
// fully deterrable candidate with probability 1 − exp(−2/4) = 0.3935
// (deterrence.go, the saturating formula of DESIGN.md §2); with no
// displacement every suppressed candidate is prevented. The share over all
// background candidates is binomial: the tolerance is 4 standard errors.
func TestSuppressionProbability(t *testing.T) {
	cfg := deterConfig(t, 1)
	cfg.Deterrence.Tau = 1e-3 // no residual: presence is the unit alone
	var prevented, total int
	for _, rec := range runCount(t, cfg, 5) {
		prevented += rec.outcomes[Prevented]
		total += rec.outcomes[Prevented] + rec.realised
		if rec.outcomes[MovedSpace]+rec.outcomes[MovedTime] != 0 {
			t.Fatalf("displaced %v with displacement shares 0", rec.outcomes)
		}
	}
	want := 1 - math.Exp(-0.5)
	got := float64(prevented) / float64(total)
	se := math.Sqrt(want * (1 - want) / float64(total))
	if math.Abs(got-want) > 4*se {
		t.Errorf("suppressed share %.4f of %d, want %.4f ± %.4f", got, total, want, 4*se)
	}
}

// TestDeterrenceOff: with deterrence off, or a type that is not deterrable,
// nothing is suppressed.
func TestDeterrenceOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func() *Config
	}{
		{"switched off", func() *Config { c := deterConfig(t, 1); c.Deterrence.On = false; return c }},
		{"not deterrable", func() *Config { return deterConfig(t, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, rec := range runCount(t, tc.cfg(), 2) {
				if n := rec.outcomes[0] + rec.outcomes[1] + rec.outcomes[2]; n != 0 {
					t.Errorf("%d candidates suppressed, want 0", n)
				}
			}
		})
	}
}

// TestDisplacementShares: of the suppressed background candidates, the
// shares moved in space and in time are the configured 0.3 and 0.2 (every
// cell of a 3 × 3 grid has a neighbour); binomial tolerance of 4 standard
// errors.
func TestDisplacementShares(t *testing.T) {
	cfg := deterConfig(t, 1)
	cfg.Deterrence.SpaceShare, cfg.Deterrence.TimeShare = 0.3, 0.2
	var n [3]int
	for _, rec := range runCount(t, cfg, 5) {
		for k := range n {
			n[k] += rec.outcomes[k]
		}
	}
	total := float64(n[0] + n[1] + n[2])
	for k, want := range map[Outcome]float64{MovedSpace: 0.3, MovedTime: 0.2, Prevented: 0.5} {
		got := float64(n[k]) / total
		se := math.Sqrt(want * (1 - want) / total)
		if math.Abs(got-want) > 4*se {
			t.Errorf("outcome %d: share %.4f, want %.4f ± %.4f", k, got, want, 4*se)
		}
	}
}

// TestNearRepeatRate: without deterrence, a Hawkes process with expected
// offspring m and an exponential kernel of mean τ has long-run rate
// μ/(1 − m) (Hawkes 1971; the branching structure of Hawkes & Oakes 1974).
// Started empty at 0, its intensity is μ/(1−m)·(1 − m·e^(−(1−m)t/τ)), so the
// realised count over the window [w, T) divided by the background count
// μ(T − w) is 1/(1−m)·[1 − m·τ/((1−m)(T−w))·(e^(−(1−m)w/τ) − e^(−(1−m)T/τ))]:
// with m = 0.5, τ = 1 d, w = 1 d, T = 60 d, 1.97944. The tolerance is 4
// standard errors of the mean ratio over replications.
func TestNearRepeatRate(t *testing.T) {
	cfg := deterConfig(t, 0)
	cfg.NearRepeat = policy.NearRepeat{Offspring: 0.5, Decay: 86400, RadiusM: 300}
	var ratios []float64
	for _, rec := range runCount(t, cfg, 12) {
		bg := float64(rec.byOrigin[Background])
		ratios = append(ratios, float64(rec.realised)/bg)
	}
	mean, se := meanSE(ratios)
	want := 2 * (1 - 1/(0.5*59)*0.5*(math.Exp(-0.5)-math.Exp(-30)))
	if math.Abs(mean-want) > 4*se {
		t.Errorf("realised/background = %.4f ± %.4f, want %.4f", mean, se, want)
	}
}

// TestOnView: a unit within the on-view radius sees every incident: calls
// come at once and are marked discovered.
func TestOnView(t *testing.T) {
	cfg := deterConfig(t, 0)
	cfg.OnViewRadiusM = 5000
	cfg.Incidents.ReportDelay = Dist{Kind: Fixed, Mean: 600}
	for _, rec := range runCount(t, cfg, 1) {
		if rec.discovered != rec.realised || rec.realised == 0 {
			t.Errorf("discovered %d of %d, want all", rec.discovered, rec.realised)
		}
	}
}

// TestDose: Koper's dose curve as configured (0 below 2 min, linear to 1 at
// 15 min).
func TestDose(t *testing.T) {
	d := Deterrence{DoseMin: 120, DoseFull: 900}
	for _, c := range []struct{ stay, want float64 }{
		{0, 0}, {119, 0}, {120, 0}, {510, 0.5}, {900, 1}, {7200, 1},
	} {
		if got := d.Dose(c.stay); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Dose(%v) = %v, want %v", c.stay, got, c.want)
		}
	}
}

// TestResidual: the post unit (squad 2, visibility 1) has stood at its post
// in atom 4 since time 0 when it is sent, at 3600 s, to an incident in
// atom 0; it comes back at once. The hourly sample at 7200 s sees in atom 4
// the unit (2) plus the residual of its one-hour stay: 2 × g(3600 s) = 2,
// decayed for 3600 s with τ = 3600 s: 2·e^−1.
func TestResidual(t *testing.T) {
	cfg := deterConfig(t, 0)
	v := variantsFor(t, cfg, "posts")[0]
	cands := []Candidate{{Occur: 3600, OnScene: 60, Atom: 0, Pos: geo.Point{X: 500, Y: 500}}}
	rec := &presenceRecorder{at: 7200, atom: 4}
	if _, err := v.Run(context.Background(), cands, 1, 0, rec); err != nil {
		t.Fatal(err)
	}
	if want := 2 + 2*math.Exp(-1); math.Abs(rec.got-want) > 1e-9 {
		t.Errorf("presence in atom 4 at 7200 s = %v, want %v", rec.got, want)
	}
}

type presenceRecorder struct {
	nopRecorder
	at   float64
	atom int
	got  float64
}

func (p *presenceRecorder) Presence(t float64, byAtom []float64) {
	if t == p.at {
		p.got = byAtom[p.atom]
	}
}

// TestObservers: with observers everywhere (seen share 1 − e^−π·10⁴ ≈ 1),
// every call comes after the observers' delay (10 s) rather than the
// ordinary reporting delay (10 min).
func TestObservers(t *testing.T) {
	cfg := deterConfig(t, 0)
	cfg.Incidents.ReportDelay = Dist{Kind: Fixed, Mean: 600}
	cfg.Observers = Observers{PerKm2: 1e4, RadiusM: 1000, Delay: Dist{Kind: Fixed, Mean: 10}}
	v := variantsFor(t, cfg, "posts")[0]
	n := 0
	rec := &keepRecorder{f: func(r *IncidentRecord) {
		n++
		if d := r.Call - r.Occur; d != 10 {
			t.Fatalf("reporting delay %v, want 10 s", d)
		}
	}}
	if _, err := v.Run(context.Background(), Generate(cfg, 2, 0), 2, 0, rec); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no incident")
	}
	if s := cfg.Observers.SeenShare(); s < 1-1e-12 {
		t.Errorf("seen share %v, want ~1", s)
	}
}

// TestSettleExact: adding the stays' residual deterrence when the
// residuals are next read (settle) rather than as each unit leaves changes
// nothing a recorder sees (presence samples, suppressions, incidents), bit
// for bit: runs that settle after every stay (maxStays 1, as leave once
// did), after a few, and at the default bound give the same records. On
// BenchmarkScale's ×1 city (built like builtin:jinzhou, deterrence on)
// with diffusion to neighbours, 3 days, both of its variants.
func TestSettleExact(t *testing.T) {
	cfg := scaledConfig(t, 1)
	cfg.Duration = 3 * 86400
	cfg.Deterrence.Diffusion = 0.5
	cands := Generate(cfg, 1, 0)
	for _, v := range exactnessVariants(t, cfg) {
		var sums []uint64
		for _, n := range []int{1, 3, maxStays} {
			func() {
				defer func(n int) { maxStays = n }(maxStays)
				maxStays = n
				rec := &hashRecorder{h: fnv.New64a()}
				if _, err := v.Run(context.Background(), cands, 1, 0, rec); err != nil {
					t.Fatal(err)
				}
				sums = append(sums, rec.h.Sum64())
			}()
		}
		if sums[1] != sums[0] || sums[2] != sums[0] {
			t.Errorf("%s: records differ with the stays settled at once, after 3 and at the default bound (%x)", v.Name, sums)
		}
	}
}
