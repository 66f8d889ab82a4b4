package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"testing"
)

// TestReplicateShared checks that a worker's shared candidates (candShare)
// change no run: every run of ReplicateList, on 1 and 2 workers, records
// what RunReplication of its variant alone records, for variants whose
// configurations draw alike (one Config, and a copy of it with its own
// force) and one that draws other candidates (fewer incidents a day) placed
// between them, so that the share must be drawn again for it and again
// after it; and the same with a budget too small to hold them, where each
// run draws its own. It fails if sameDraws took the busier configuration's
// candidates for the other (or the other way round), or if the runs over
// the budget were given a wrong count.
func TestReplicateShared(t *testing.T) {
	cfg := invariantConfig(t)
	own := *cfg // its own force, the same city and incidents: draws alike
	own.Units = append([]UnitType(nil), cfg.Units...)
	own.Units[0].Count = 3
	quiet := *cfg // other draws
	quiet.Incidents.PerDay = 80
	var vs []Variant
	for _, c := range []*Config{cfg, &own, &quiet, cfg} {
		vs = append(vs, variantsFor(t, c, "random")...)
	}
	if !sameDraws(cfg, &own) || sameDraws(cfg, &quiet) {
		t.Fatal("sameDraws: want the copy with its own force alike, the quieter one not")
	}
	const seed = 17
	reps := []int{0, 1, 2}
	want := make([]string, len(reps)*len(vs))
	for i, rep := range reps {
		for v := range vs {
			h := fnv.New64a()
			st, err := vs[v].RunReplication(context.Background(), seed, rep, &hashRecorder{h: h})
			if err != nil {
				t.Fatal(err)
			}
			want[i*len(vs)+v] = fmt.Sprintf("%x %d", h.Sum64(), st.Events)
		}
	}
	for _, budget := range []int{shareBudget, 100} {
		for _, workers := range []int{1, 2} {
			t.Run(fmt.Sprintf("budget %d, %d workers", budget, workers), func(t *testing.T) {
				defer func(b int) { shareBudget = b }(shareBudget)
				shareBudget = budget
				recs := make([]*hashRecorder, len(want))
				stats, err := ReplicateList(context.Background(), vs, seed, reps, workers, func(i, v int) Recorder {
					r := &hashRecorder{h: fnv.New64a()}
					recs[i*len(vs)+v] = r
					return r
				}, nil)
				if err != nil {
					t.Fatal(err)
				}
				for j := range want {
					if got := fmt.Sprintf("%x %d", recs[j].h.Sum64(), stats[j].Events); got != want[j] {
						t.Errorf("replication %d, variant %d: %s, RunReplication %s", reps[j/len(vs)], j%len(vs), got, want[j])
					}
				}
			})
		}
	}
}
