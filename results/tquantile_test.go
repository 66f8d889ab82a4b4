package results

import (
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestTQuantileMemo: the memoised quantile is gonum's, bit for bit, asked
// once or again (estimate's intervals, and so points.csv, unchanged).
func TestTQuantileMemo(t *testing.T) {
	for range 2 {
		for df := 1; df <= 60; df++ {
			want := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
			if got := tQuantile975(df); got != want {
				t.Fatalf("df %d: %v, want %v", df, got, want)
			}
		}
	}
	// 2 replications: 12.706 (t table, 1 degree of freedom, 0.975).
	if q := tQuantile975(1); q < 12.7062 || q > 12.7063 {
		t.Errorf("df 1: %v, want 12.7062…", q)
	}
}
