package results

import (
	"encoding/csv"
	"io"
	"strconv"
)

// WriteCSV writes one row per (variant, replication): the variant, the
// replication number and every metric (empty where undefined).
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

// FormatFloat formats x with the fewest digits that read back exactly, or
// as an empty string when x is NaN.
func FormatFloat(x float64) string {
	if x != x {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
