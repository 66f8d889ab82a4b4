package run

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
)

func loadBuiltin(t testing.TB, name string, reps int) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.LoadBuiltin(name)
	if err != nil {
		t.Fatal(err)
	}
	if reps > 0 {
		s.File.Replications = reps
	}
	return s
}

// encoded returns what Write puts in results.json and replications.csv.
func encoded(t *testing.T, res *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := res.Summary.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := res.Summary.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if err := res.Details.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestExecuteDeterministic: one worker, three workers and the same run
// again give identical summaries, details, statistics and traces.
func TestExecuteDeterministic(t *testing.T) {
	s := loadBuiltin(t, "grid", 3)
	var first *Result
	for _, workers := range []int{1, 3, 3} {
		res, err := Execute(context.Background(), s, Options{Workers: workers, Trace: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Trace) == 0 || len(res.Stats) != 3*len(s.Variants) || !reflect.DeepEqual(res.Replications, []int{0, 1, 2}) {
			t.Fatalf("%d workers: %d trace rows, %d stats, replications %v", workers, len(res.Trace), len(res.Stats), res.Replications)
		}
		if first == nil {
			first = res
			continue
		}
		if encoded(t, res) != encoded(t, first) || !reflect.DeepEqual(res.Stats, first.Stats) || !reflect.DeepEqual(res.Trace, first.Trace) {
			t.Errorf("%d workers: the result differs from 1 worker's", workers)
		}
	}
}

// sameValue is x == y, NaN equal to NaN.
func sameValue(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }

// TestExecuteSubset: replications run alone or in another order give the
// values, statistics and trace rows the full run gives for them (their
// streams depend on the seed and their number only), which is how a sweep
// runs them one at a time.
func TestExecuteSubset(t *testing.T) {
	s := loadBuiltin(t, "grid", 4)
	full, err := Execute(context.Background(), s, Options{Workers: 2, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	nv := len(s.Variants)
	for _, reps := range [][]int{{3}, {2, 0}, {1, 3, 0, 2}} {
		sub, err := Execute(context.Background(), s, Options{Workers: 2, Trace: true, Replications: reps})
		if err != nil {
			t.Fatal(err)
		}
		if sub.Summary.Replications != len(reps) || !reflect.DeepEqual(sub.Replications, reps) {
			t.Fatalf("replications %v: summary of %d, result lists %v", reps, sub.Summary.Replications, sub.Replications)
		}
		for i, r := range reps {
			for v := range nv {
				got, want := sub.Summary.Variants[v].Reps[i], full.Summary.Variants[v].Reps[r]
				for m := range want {
					if !sameValue(got[m], want[m]) {
						t.Errorf("replications %v: variant %d replication %d metric %s: %v, full run %v",
							reps, v, r, full.Summary.Metrics[m].Name, got[m], want[m])
					}
				}
				if sub.Stats[i*nv+v] != full.Stats[r*nv+v] {
					t.Errorf("replications %v: stats of variant %d replication %d differ", reps, v, r)
				}
			}
		}
		for _, row := range sub.Trace {
			if !slices.Contains(reps, row.Rep) {
				t.Fatalf("replications %v: a trace row of replication %d", reps, row.Rep)
			}
		}
	}
	for _, bad := range [][]int{{1, 1}, {-1}} {
		if _, err := Execute(context.Background(), s, Options{Replications: bad}); err == nil {
			t.Errorf("replications %v: no error", bad)
		}
	}
}

// TestExecuteProgress: progress starts at 0, never decreases, ends at
// variants × replications; a cancelled run fails with the cancellation.
func TestExecuteProgress(t *testing.T) {
	s := loadBuiltin(t, "grid", 2)
	var mu sync.Mutex
	var seen []int
	_, err := Execute(context.Background(), s, Options{Workers: 2, Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != 4 {
			t.Errorf("progress total %d, want 4", total)
		}
		seen = append(seen, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 1, 2, 3, 4}; !reflect.DeepEqual(seen, want) {
		t.Errorf("progress %v, want %v", seen, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Execute(ctx, s, Options{Workers: 2, Progress: func(int, int) {}}); err != context.Canceled {
		t.Errorf("a cancelled run: %v, want context.Canceled", err)
	}
}

// TestExecuteSummary: the summary is results.Summarize of the per
// replication values, so its estimates skip undefined values as every
// other estimate does.
func TestExecuteSummary(t *testing.T) {
	s := loadBuiltin(t, "grid", 3)
	res, err := Execute(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Summary.Variants {
		for m := range res.Summary.Metrics {
			col := make([]float64, len(v.Reps))
			for r := range v.Reps {
				col[r] = v.Reps[r][m]
			}
			want, got := results.EstimateOf(col), v.Estimates[m]
			if !sameValue(got.Mean, want.Mean) || !sameValue(got.Low, want.Low) || got.N != want.N {
				t.Errorf("%s %s: estimate %+v, want %+v", v.Name, res.Summary.Metrics[m].Name, got, want)
			}
		}
	}
}

// BenchmarkDefaultScenario runs the built-in city, every variant, for two
// replications on one worker: events per second of wall time, per second
// of processor time (events/cpu-s: the figure to compare on a shared
// machine), and the peak live heap (reportRun).
func BenchmarkDefaultScenario(b *testing.B) {
	reportRun(b, loadBuiltin(b, scenarios.DefaultName, 2), 1)
}
