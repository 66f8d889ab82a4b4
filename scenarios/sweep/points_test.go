package sweep

import (
	"context"
	"maps"
	"sync"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// TestPointLoadedOnce: a run on 2 workers loads each point's scenario
// once, not once a worker (the workers share it: pointLoads); a run
// resumed on 2 workers loads once each point with items left, and no
// other.
func TestPointLoadedOnce(t *testing.T) {
	var mu sync.Mutex
	loads := map[int]int{}
	defer func(f func(*Sweep, int) (*scenarios.Scenario, error)) { loadPoint = f }(loadPoint)
	loadPoint = func(s *Sweep, p int) (*scenarios.Scenario, error) {
		mu.Lock()
		loads[p]++
		mu.Unlock()
		return s.Point(p)
	}
	s, err := Load(writeSweep(t, gridSweep)) // 4 points × 3 replications
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), Options{Out: t.TempDir(), Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if want := map[int]int{0: 1, 1: 1, 2: 1, 3: 1}; !maps.Equal(loads, want) {
		t.Errorf("loads by point on 2 workers: %v, want %v", loads, want)
	}
	// Interrupted after 7 items on one worker (in order: points 0 and
	// 1 done, point 2 begun), then resumed on 2.
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Run(ctx, Options{Out: out, Workers: 1, Progress: func(done, total int) {
		if done == 7 {
			cancel()
		}
	}}); err == nil {
		t.Fatal("no error from an interrupted run")
	}
	clear(loads)
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if want := map[int]int{2: 1, 3: 1}; !maps.Equal(loads, want) {
		t.Errorf("loads by point resuming on 2 workers: %v, want %v", loads, want)
	}
}
