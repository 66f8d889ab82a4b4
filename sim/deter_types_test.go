package sim

import (
	"math"
	"testing"

	"github.com/patrolsim/patrolsim/sim/policy"
)

// typeCounter counts realised incidents by type and origin, by occurrence
// in [lo, hi).
type typeCounter struct {
	nopRecorder
	lo, hi float64
	n      [2][4]int // [type][origin]
}

func (c *typeCounter) Incident(r *IncidentRecord) {
	if r.Occur >= c.lo && r.Occur < c.hi {
		c.n[r.Type][r.Origin]++
	}
}

// TestNearRepeatPerType: of two types with the same share, the one with
// NoNearRepeat brings no offspring at all, and the other's realised/
// background ratio is the Hawkes value of TestNearRepeatRate (m = 0.5,
// τ = 1 d, window [1 d, 60 d): 1.97944), within 4 standard errors of the
// mean over replications: excitation stays within its type.
func TestNearRepeatPerType(t *testing.T) {
	cfg := deterConfig(t, 0)
	cfg.Deterrence.On = false
	on := cfg.Incidents.Types[0]
	on.Name, on.Share = "burglary", 0.5
	off := on
	off.Name, off.NoNearRepeat = "accident", true
	cfg.Incidents.Types = []IncidentType{on, off}
	cfg.NearRepeat = policy.NearRepeat{Offspring: 0.5, Decay: 86400, RadiusM: 300}
	v := variantsFor(t, cfg, "posts")[0]
	var ratios []float64
	for rep := range 12 {
		rec := &typeCounter{lo: cfg.Warmup, hi: cfg.Duration}
		if _, err := v.RunReplication(t.Context(), 11, rep, rec); err != nil {
			t.Fatal(err)
		}
		if n := rec.n[1][NearRepeat]; n != 0 {
			t.Fatalf("replication %d: %d near repeats of a type with NoNearRepeat, want 0", rep, n)
		}
		if rec.n[1][Background] == 0 {
			t.Fatalf("replication %d: no incidents of the type without near repeats", rep)
		}
		bg := rec.n[0][Background]
		ratios = append(ratios, float64(bg+rec.n[0][NearRepeat])/float64(bg))
	}
	mean, se := meanSE(ratios)
	want := 2 * (1 - 1/(0.5*59)*0.5*(math.Exp(-0.5)-math.Exp(-30)))
	if math.Abs(mean-want) > 4*se {
		t.Errorf("burglary realised/background = %.4f ± %.4f, want %.4f", mean, se, want)
	}
}

// diffCounter counts as countRecorder does, and the suppressed background
// candidates marked Diffused.
type diffCounter struct {
	countRecorder
	diffused int
}

func (c *diffCounter) Deterred(d *DeterRecord) {
	c.countRecorder.Deterred(d)
	if d.Time >= c.lo && d.Time < c.hi && d.Origin == Background && d.Diffused {
		c.diffused++
	}
}

func runDiff(t *testing.T, cfg *Config, reps int) (realised, suppressed, diffused int) {
	t.Helper()
	v := variantsFor(t, cfg, "posts")[0]
	for rep := range reps {
		rec := &diffCounter{countRecorder: countRecorder{lo: cfg.Warmup, hi: cfg.Duration}}
		if _, err := v.RunReplication(t.Context(), 11, rep, rec); err != nil {
			t.Fatal(err)
		}
		realised += rec.realised
		suppressed += rec.outcomes[Prevented] + rec.outcomes[MovedSpace] + rec.outcomes[MovedTime]
		diffused += rec.diffused
	}
	return
}

// TestDiffusion: the diffusion of benefits acts through the residual
// deterrence of neighbouring areas. In deterConfig the post unit covers the
// whole city (presence 2 everywhere) and leaves residual deterrence in the
// centre cell when called away. Without residual (τ → 0) diffusion changes
// nothing, exactly; with it (τ = 1 h) and diffusion 1 the outer cells,
// all neighbours of the centre, see more presence: some suppressions are
// marked diffused and more candidates are suppressed than with diffusion 0
// (the same candidates: common random numbers).
func TestDiffusion(t *testing.T) {
	for _, tau := range []float64{1e-3, 3600} {
		cfg := deterConfig(t, 1)
		cfg.Deterrence.Tau = tau
		r0, s0, d0 := runDiff(t, cfg, 4)
		cfg.Deterrence.Diffusion = 1
		r1, s1, d1 := runDiff(t, cfg, 4)
		if d0 != 0 {
			t.Errorf("τ %g: %d diffused with diffusion 0, want 0", tau, d0)
		}
		if tau < 1 {
			if r0 != r1 || s0 != s1 || d1 != 0 {
				t.Errorf("no residual: diffusion 1 gives %d realised, %d suppressed, %d diffused; diffusion 0 %d, %d: want the same and 0 diffused", r1, s1, d1, r0, s0)
			}
			continue
		}
		if d1 == 0 || s1 <= s0 {
			t.Errorf("residual τ 1 h: diffusion 1 suppresses %d (%d diffused), diffusion 0 %d: want more, some diffused", s1, d1, s0)
		}
		t.Logf("τ 1 h: suppressed %d → %d with diffusion 1 (%d diffused)", s0, s1, d1)
	}
}
