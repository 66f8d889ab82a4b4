package results

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
)

// WriteCSV writes one row per (variant, replication): the variant, the
// replication number and every metric (FormatFloat: empty where undefined
// or infinite).
func (s *Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"variant", "replication"}
	for _, m := range s.Metrics {
		head = append(head, m.Name)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	row := make([]string, len(head))
	for _, v := range s.Variants {
		for r, vals := range v.Reps {
			row[0], row[1] = v.Name, strconv.Itoa(r)
			for i, x := range vals {
				row[2+i] = FormatFloat(x)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// FormatFloat formats x for a CSV file with the fewest digits that read
// back exactly, or as an empty string when x is NaN (undefined) or
// infinite (a quantile of response times with too many calls unanswered).
//
// Empty is the one spelling that DuckDB's, pandas' and R's default CSV
// readers all read as a missing number in a numeric column (tested with
// DuckDB 1.5, pandas 1.5, R 4.2; docs/outputs.md): DuckDB's sniffer takes a
// column for text when its first row is "inf", "Inf" or "Infinity", or
// when any row is "+Inf"; pandas takes "1e999" for text. The difference between undefined and
// infinite is kept in rows.parquet (null and +Inf).
func FormatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
