package sim

import (
	"context"
	"hash/fnv"
	"testing"
)

// aboveRecorder hashes the run's records (hashRecorder) except the
// presence samples, of which it hashes, for each atom, only whether the
// presence is at least thr: what a PresenceThreshold may read. With bounds
// set it is a PresenceThreshold.
type aboveRecorder struct {
	hashRecorder
	thr     float64
	n, seen int
}

func (r *aboveRecorder) Presence(t float64, byAtom []float64) {
	r.put(4, t)
	for _, p := range byAtom {
		r.n++
		if p >= r.thr {
			r.seen++
			r.put(1)
		} else {
			r.put(0)
		}
	}
}

type aboveBounds struct{ *aboveRecorder }

func (r aboveBounds) PresenceAbove() float64 { return r.thr }

// TestPresenceBoundsExact: what a PresenceThreshold reads of the presence
// samples (each atom's presence against its threshold) and every other
// record are the same whether the engine computes every atom's presence
// (presenceBounds off, or a recorder that is no PresenceThreshold) or
// reports bounds where they decide it, on BenchmarkScale's ×1 city (both
// of its variants, 10 days), at thresholds about the built-in one (1 −
// 1e-9, that of results.Collector), between one unit and two, and at the
// scale of the residuals alone.
func TestPresenceBoundsExact(t *testing.T) {
	cfg := scaledConfig(t, 1)
	cands := Generate(cfg, 1, 0)
	for _, v := range exactnessVariants(t, cfg) {
		for _, thr := range []float64{1 - 1e-9, 0.3, 1.5, 2 - 1e-9, 0.05} {
			var sums []uint64
			for _, bounds := range []bool{false, true} {
				rec := &aboveRecorder{hashRecorder: hashRecorder{h: fnv.New64a()}, thr: thr}
				var rr Recorder = rec
				if bounds {
					rr = aboveBounds{rec}
				}
				if _, err := v.Run(context.Background(), cands, 1, 0, rr); err != nil {
					t.Fatal(err)
				}
				if rec.n == 0 {
					t.Fatalf("%s: no presence samples", v.Name)
				}
				sums = append(sums, rec.h.Sum64())
				if bounds {
					t.Logf("%s thr %g: %d of %d atom-hours at or above", v.Name, thr, rec.seen, rec.n)
				}
			}
			if sums[0] != sums[1] {
				t.Errorf("%s thr %g: records differ with presence bounds (%x)", v.Name, thr, sums)
			}
		}
	}
}
