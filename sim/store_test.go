package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"testing"
)

// TestRunReplicationIsRun: a run drawing its candidates as it goes
// (RunReplication, as ReplicateList plays) reports every observation, bit
// for bit, as Run over Generate's candidates: the fingerprint's
// scenarios (displacement in space and time, near-repeat offspring, lost
// calls, hierarchical dispatch), hashed both ways.
func TestRunReplicationIsRun(t *testing.T) {
	grid := fingerprintGrid(t)
	lost := *grid
	lost.Dispatch.LostCalls = true
	busy := *grid
	busy.Incidents = fingerprintIncidents(420)
	for _, tc := range []struct {
		name string
		cfg  *Config
	}{{"grid", grid}, {"lost calls", &lost}, {"busy", &busy}} {
		t.Run(tc.name, func(t *testing.T) {
			hashOf := func(held bool) string {
				h := fnv.New64a()
				for rep := range 1 {
					for _, v := range variantsFor(t, tc.cfg, "random", "follow-incidents") {
						for _, mode := range []Mode{PointToPoint, Hierarchical} {
							v.Mode = mode
							var st Stats
							var err error
							if held {
								st, err = v.Run(context.Background(), Generate(tc.cfg, 11, rep), 11, rep, &hashRecorder{h: h})
							} else {
								st, err = v.RunReplication(context.Background(), 11, rep, &hashRecorder{h: h})
							}
							if err != nil {
								t.Fatal(err)
							}
							fmt.Fprintf(h, "%d %d %x\n", st.Events, st.Incidents, math.Float64bits(st.End))
						}
					}
				}
				return fmt.Sprintf("%016x", h.Sum64())
			}
			if a, b := hashOf(true), hashOf(false); a != b {
				t.Errorf("RunReplication %s, Run over Generate %s: want the same observations", b, a)
			}
		})
	}
}

// TestStoreHoldsInFlight: a run holds the incidents in flight, not every
// incident of the run. On the fingerprint grid (every mechanism on, 120
// incidents a day) the store's peak for 160 days is at most twice that
// for 20 days (a page more or less) and far below the 160 days'
// candidates, which are eight times as many.
func TestStoreHoldsInFlight(t *testing.T) {
	held := map[int]Stats{}
	for _, days := range []int{20, 160} {
		cfg := fingerprintGrid(t)
		cfg.Duration = float64(days) * 86400
		v := variantsFor(t, cfg, "follow-incidents")[0]
		st, err := v.RunReplication(context.Background(), 5, 0, nopRecorder{})
		if err != nil {
			t.Fatal(err)
		}
		held[days] = st
		t.Logf("%d days: %d background candidates, at most %d held", days, st.Incidents, st.Held)
	}
	short, long := held[20], held[160]
	if long.Incidents < 7*short.Incidents {
		t.Fatalf("candidates: %d in 160 days, %d in 20: want about 8 times as many", long.Incidents, short.Incidents)
	}
	// In flight at 120 a day: those open (minutes to hours), plus the
	// near-repeat offspring waiting (0.3 each, about 2 days ahead), a few
	// hundred; a page is 512, and each page stays until its last id is
	// done.
	if long.Held > 2*short.Held || long.Held > long.Incidents/8 {
		t.Errorf("held at most %d incidents in 160 days (%d candidates), %d in 20: want at most twice as many as in 20 days, and far fewer than the run's", long.Held, long.Incidents, short.Held)
	}
}
