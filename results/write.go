package results

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// JSON is the public result document (see README, "JSON output"). Keys of
// Metrics are metric names; a value undefined in every replication, or an
// interval from fewer than two, is null.
type JSON struct {
	Scenario     string           `json:"scenario"`
	Seed         uint64           `json:"seed"`
	Replications int              `json:"replications"`
	RankedBy     []string         `json:"ranked_by"`
	Objective    []GoalJSON       `json:"objective"`
	Alpha        float64          `json:"alpha"`
	Variants     []VariantJSON    `json:"variants"`
	Comparisons  []ComparisonJSON `json:"comparisons"`
}

// GoalJSON is one term of the objective.
type GoalJSON struct {
	Metric string  `json:"metric"`
	Weight float64 `json:"weight"`
	Better string  `json:"better"` // "lower" or "higher"
}

// VariantJSON is one variant in the JSON document.
type VariantJSON struct {
	Name    string                  `json:"name"`
	Rank    int                     `json:"rank"`
	Score   *float64                `json:"score"`
	Pareto  bool                    `json:"pareto"`
	Metrics map[string]EstimateJSON `json:"metrics"`
}

// ComparisonJSON is a paired difference A − B.
type ComparisonJSON struct {
	Metric      string   `json:"metric"`
	A           string   `json:"a"`
	B           string   `json:"b"`
	Difference  *float64 `json:"difference"`
	Low         *float64 `json:"ci95_low"`
	High        *float64 `json:"ci95_high"`
	P           *float64 `json:"p_value"`
	PHolm       *float64 `json:"p_holm"`
	Significant bool     `json:"significant"`
	N           int      `json:"n"` // replications where both values are finite
	// When a value is not finite in some replication there is no verdict
	// (difference and p-values null, not significant): how many on each
	// side, and why in words. Absent otherwise.
	UndefinedA int    `json:"undefined_a,omitempty"`
	UndefinedB int    `json:"undefined_b,omitempty"`
	Note       string `json:"note,omitempty"`
}

// EstimateJSON is one metric in the JSON document.
type EstimateJSON struct {
	Mean *float64 `json:"mean"`
	Low  *float64 `json:"ci95_low"`
	High *float64 `json:"ci95_high"`
}

func num(x float64) *float64 {
	if x != x || x > 1e300 || x < -1e300 {
		return nil
	}
	return &x
}

// Document returns the summary as the public JSON document.
func (s *Summary) Document() JSON {
	doc := JSON{Scenario: s.Scenario, Seed: s.Seed, Replications: s.Replications, RankedBy: s.RankedBy(),
		Alpha: s.Alpha, Objective: []GoalJSON{}, Comparisons: []ComparisonJSON{}}
	for _, g := range s.Objective {
		better := "lower"
		if s.Metrics[s.Index(g.Metric)].Better == Higher {
			better = "higher"
		}
		doc.Objective = append(doc.Objective, GoalJSON{g.Metric, g.Weight, better})
	}
	for _, c := range s.Comparisons {
		doc.Comparisons = append(doc.Comparisons, ComparisonJSON{c.Metric, c.A, c.B,
			num(c.Difference), num(c.Low), num(c.High), num(c.P), num(c.PHolm), c.Significant, c.N, c.UndefinedA, c.UndefinedB, c.Note})
	}
	for _, v := range s.Variants {
		vj := VariantJSON{Name: v.Name, Rank: v.Rank, Score: num(v.Score), Pareto: v.Pareto, Metrics: map[string]EstimateJSON{}}
		for i, m := range s.Metrics {
			e := v.Estimates[i]
			vj.Metrics[m.Name] = EstimateJSON{num(e.Mean), num(e.Low), num(e.High)}
		}
		doc.Variants = append(doc.Variants, vj)
	}
	return doc
}

// WriteJSON writes the JSON document, indented, with a final newline.
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s.Document())
}

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

// WriteFileAtomic writes a file through fn so that path holds either its old
// content or the complete new one, never a part: it writes a temporary file
// in the same folder, syncs it and renames it over path.
func WriteFileAtomic(path string, fn func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = fn(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
