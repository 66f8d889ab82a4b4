package results

import (
	"math"
	"testing"
)

// TestAreaP90Pooled: an area's p90 response is the empirical 90th
// percentile of its calls pooled over the replications (gonum's
// stat.Empirical: the smallest x with at least 90% of the values at or
// below it), nil when more than a tenth were never answered or there were
// no calls; prevented and displaced are means per replication.
func TestAreaP90Pooled(t *testing.T) {
	inf := float32(math.Inf(1))
	run := func(resps [][]float32, prev, disp []int) RunDetails {
		return RunDetails{AtomRealised: make([]int, 3), AtomVisible: make([]float64, 3), AtomResp: []float64{1, 1, math.NaN()},
			AtomPrevented: prev, AtomDisplaced: disp, AtomResps: resps}
	}
	// Area 0: 1…10 s split over two replications; the pooled p90 is 9 s
	// (9 of 10 values are ≤ 9), where the mean of the replications' own
	// p90s would be (5 + 10)/2 = 7.5 s. Area 1: 2 of 10 never answered,
	// so the p90 is infinite. Area 2: no calls.
	runs := [][]RunDetails{{
		run([][]float32{{1, 2, 3, 4, 5}, {1, 2, 3, 4, inf}, nil}, []int{2, 0, 1}, []int{1, 0, 0}),
		run([][]float32{{6, 7, 8, 9, 10}, {5, 6, 7, 8, inf}, nil}, []int{4, 0, 0}, []int{0, 0, 3}),
	}}
	d := MergeDetails("s", []string{"a", "b", "c"}, []string{"v"}, runs, nil).Variants[0].AtomsData
	// 9 s as its sketch bin's centre, within AreaSketchAlpha of it.
	if d.RespP90S[0] == nil || *d.RespP90S[0] != sketchValue(sketchBin(9)) || math.Abs(*d.RespP90S[0]-9) > 9*AreaSketchAlpha {
		t.Errorf("area 0: p90 %v, want 9 as its bin's centre, %v", d.RespP90S[0], sketchValue(sketchBin(9)))
	}
	if d.RespP90S[1] != nil || d.RespP90S[2] != nil {
		t.Errorf("areas 1, 2: p90 %v, %v, want nil (infinite, no calls)", d.RespP90S[1], d.RespP90S[2])
	}
	if d.Prevented[0] != 3 || d.Prevented[2] != 0.5 || d.Displaced[0] != 0.5 || d.Displaced[2] != 1.5 {
		t.Errorf("prevented %v, displaced %v, want [3 0 0.5], [0.5 0 1.5]", d.Prevented, d.Displaced)
	}
}
