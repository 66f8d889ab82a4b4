package results

import (
	"math"
	"testing"
)

// TestFormatFloatCSV: numbers read back exactly; NaN and ±Inf are empty,
// the one spelling DuckDB's, pandas' and R's default CSV readers all read
// as a missing number in a numeric column (docs/outputs.md; DuckDB's own
// check is TestDuckDBTypes in scenarios/sweep).
func TestFormatFloatCSV(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{
		{0.1, "0.1"}, {-3, "-3"}, {1e21, "1e+21"}, {123.456, "123.456"},
		{math.NaN(), ""}, {math.Inf(1), ""}, {math.Inf(-1), ""},
	} {
		if got := FormatFloat(c.x); got != c.want {
			t.Errorf("FormatFloat(%g) = %q, want %q", c.x, got, c.want)
		}
	}
}
