package sim

import (
	"context"
	"testing"
)

// TestPickAbleMatchesPick plays hierarchical runs (the fingerprint's grid,
// straight-line, busy and road cities, every policy keeping beats or not)
// and checks that every answer pickAble reads from a pickOrder list is
// pick's, the scan of the district's units.
func TestPickAbleMatchesPick(t *testing.T) {
	grid := fingerprintGrid(t)
	busy := *grid
	busy.Incidents = fingerprintIncidents(420)
	ordered, differ := 0, 0
	checkPick = func(got, want int) {
		ordered++
		if got != want {
			differ++
		}
	}
	defer func() { checkPick = nil }()
	for _, cfg := range []*Config{grid, &busy, fingerprintRoads(t)} {
		for rep := range 2 {
			cands := Generate(cfg, 11, rep)
			for _, v := range variantsFor(t, cfg, "random", "static-beats", "follow-incidents") {
				v.Mode = Hierarchical
				if _, err := v.Run(context.Background(), cands, 11, rep, nopRecorder{}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if ordered == 0 || differ > 0 {
		t.Errorf("%d of %d answers from pickOrder lists differ from pick's", differ, ordered)
	}
	t.Logf("%d answers from pickOrder lists", ordered)
}
