package sweep

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
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

// TestLastItemsWide: on 2 workers the last 2 items of a sweep (as many as
// its workers) run on both (their variants side by side: itemWorkers),
// every other on one; on 1 worker every item runs on one. The final files are the same
// either way (TestRunDeterministicResumableSharded).
func TestLastItemsWide(t *testing.T) {
	type item struct{ point, rep int }
	var mu sync.Mutex
	points := map[*scenarios.Scenario]int{} // a point's scenario: its number, by first use
	workers := map[item]int{}               // the workers each item's run.Execute had
	defer func(f func(context.Context, *scenarios.Scenario, run.Options) (*run.Result, error)) { executeItem = f }(executeItem)
	executeItem = func(ctx context.Context, sc *scenarios.Scenario, o run.Options) (*run.Result, error) {
		mu.Lock()
		p, ok := points[sc]
		if !ok {
			p = len(points)
			points[sc] = p
		}
		workers[item{p, o.Replications[0]}] = o.Workers
		mu.Unlock()
		return run.Execute(ctx, sc, o)
	}
	s, err := Load(writeSweep(t, gridSweep)) // 4 points × 3 replications
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		clear(points)
		clear(workers)
		if err := s.Run(context.Background(), Options{Out: t.TempDir(), Workers: n}); err != nil {
			t.Fatal(err)
		}
		if len(workers) != 12 {
			t.Fatalf("%d workers: %d items run, want 12", n, len(workers))
		}
		wide := map[item]int{}
		for it, w := range workers {
			if w != 1 {
				wide[it] = w
			}
		}
		want := map[int]map[item]int{1: {}, 2: {{3, 1}: 2, {3, 2}: 2}}[n]
		if !maps.Equal(wide, want) {
			t.Errorf("%d workers: items run on more than one worker %v, want %v", n, wide, want)
		}
	}
}

// TestItemWorkers: the last items of a run on 8 workers get 8, 8, 6, 4, 4,
// 3, 3, 2 workers (the last first; ⌈16/r⌉ with r items left), the items
// before them one; on one worker every item gets one.
func TestItemWorkers(t *testing.T) {
	var got []int
	for left := 1; left <= 9; left++ {
		got = append(got, itemWorkers(8, left))
	}
	if want := []int{8, 8, 6, 4, 4, 3, 3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("8 workers, by items left 1…9: %v, want %v", got, want)
	}
	for left := 1; left <= 3; left++ {
		if w := itemWorkers(1, left); w != 1 {
			t.Errorf("1 worker, %d items left: %d workers", left, w)
		}
	}
}
