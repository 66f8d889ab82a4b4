package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"testing"
	"time"
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
	for _, reps := range [][]int{{0, 1, 2}, {1}} {
		replicateShared(t, vs, seed, reps)
	}
}

// replicateShared checks every run of ReplicateList of replications reps
// against RunReplication of its variant alone: on 1, 2, 3 and 8 workers
// (whole replications, then the last a variant at a time; every
// replication a variant at a time), with and without room to share the
// candidates.
func replicateShared(t *testing.T, vs []Variant, seed uint64, reps []int) {
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
		for _, workers := range []int{1, 2, 3, 8} {
			t.Run(fmt.Sprintf("replications %v, budget %d, %d workers", reps, budget, workers), func(t *testing.T) {
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

// TestReplicateSplitsReplication: with fewer replications left than
// workers, the variants of a replication run side by side: on 2 workers,
// the two variants of a single replication are both running at once (each
// run's recorder is made as it starts, and the first two wait for each
// other; run one at a time, the first would wait in vain); and on 2
// workers with 3 replications, the last one's variants too, once the
// first two replications are done.
func TestReplicateSplitsReplication(t *testing.T) {
	cfg := invariantConfig(t)
	vs := variantsFor(t, cfg, "random", "static-beats")
	for _, tc := range []struct {
		reps []int
		last int // the replication whose variants must run at once
	}{{[]int{4}, 0}, {[]int{0, 1, 2}, 2}} {
		var mu sync.Mutex
		started := 0
		both := make(chan struct{})
		_, err := ReplicateList(context.Background(), vs, 3, tc.reps, 2, func(i, v int) Recorder {
			if i == tc.last {
				mu.Lock()
				if started++; started == 2 {
					close(both)
				}
				mu.Unlock()
				select {
				case <-both:
				case <-time.After(time.Minute):
					t.Errorf("replications %v: variant %d of replication %d ran alone", tc.reps, v, tc.reps[i])
				}
			}
			return nopRecorder{}
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
}
