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
