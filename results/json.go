package results

import (
	"encoding/json"
	"io"
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
	// Metrics describes the metrics of Variants[].Metrics, in the
	// registry's order (that of replications.csv's columns): how to read
	// and show their values. Files written before it have none.
	Metrics []MetricJSON `json:"metrics"`
	// ScoreUnit is the unit of the scores (s for the default objective).
	ScoreUnit string `json:"score_unit"`
	// Verdict says in words what the evidence supports (the best set).
	Verdict string `json:"verdict"`
	// Warnings: what the ranking could not do (an objective metric that
	// cannot separate the variants, one replication…).
	Warnings []string `json:"warnings"`
	// Incidents says where the incidents came from when they were
	// replayed from a log (source "replay"); absent when they were drawn.
	Incidents *ReplayJSON `json:"incidents,omitempty"`
}

// MetricJSON describes a metric (its declaration, Metric).
type MetricJSON struct {
	Name        string      `json:"name"`
	Label       string      `json:"label"` // short, for tables and axes: "P1 response, p90"
	Kind        string      `json:"kind"`  // time, share, count, ratio; unknown if not declared
	Unit        string      `json:"unit"`  // of the values: s, fraction (in [0, 1]), count, ratio
	Better      string      `json:"better"`
	Description string      `json:"description"`
	Table       bool        `json:"table"` // a row of the terminal table
	Display     DisplayJSON `json:"display"`
}

// DisplayJSON is how a metric is shown (Format): scale × the value, with
// digits decimals, in unit; its header is "label (unit)", or the label
// alone when unit is "".
type DisplayJSON struct {
	Unit   string  `json:"unit"` // "min", "%" or ""
	Scale  float64 `json:"scale"`
	Digits int     `json:"digits"`
}

// GoalJSON is one term of the objective.
type GoalJSON struct {
	Metric string  `json:"metric"`
	Weight float64 `json:"weight"`
	Better string  `json:"better"` // "lower" or "higher"
}

// VariantJSON is one variant in the JSON document.
type VariantJSON struct {
	Name string `json:"name"`
	// Rank is 1 for the variants of the best set (they may be the best at
	// 1 − alpha joint confidence) and 0 for the others: variants the
	// evidence cannot tell apart never carry different ranks. Position
	// orders the table.
	Rank   int      `json:"rank"`
	Score  *float64 `json:"score"`  // mean cost over replications, in score_unit, lower is better
	Pareto bool     `json:"pareto"` // possibly non-dominated
	// Fields added with the statistics of selecting the best.
	Position       int                `json:"position"`
	Group          string             `json:"group"` // "1=" (best set), "benchmark", "undefined" or ""
	Best           bool               `json:"best"`
	Benchmark      bool               `json:"benchmark"`
	ScoreLow       *float64           `json:"score_ci95_low"`
	ScoreHigh      *float64           `json:"score_ci95_high"`
	BehindBestLow  *float64           `json:"behind_best_low"` // simultaneous interval of the score's distance from the best of the others
	BehindBestHigh *float64           `json:"behind_best_high"`
	Note           string             `json:"note,omitempty"`
	Definition     *VariantDefinition `json:"definition,omitempty"`

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
		Alpha: s.Alpha, Objective: []GoalJSON{}, Comparisons: []ComparisonJSON{},
		ScoreUnit: s.ScoreUnit(), Verdict: s.Verdict(), Warnings: append([]string{}, s.Warnings...),
		Incidents: s.replayDocument()}
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
	doc.Metrics = []MetricJSON{}
	for _, m := range s.Metrics {
		m = Describe(m)
		f := m.Format()
		doc.Metrics = append(doc.Metrics, MetricJSON{Name: m.Name, Label: m.Label, Kind: m.Kind.String(), Unit: m.Unit(),
			Better: m.Better.String(), Description: m.Doc, Table: m.Table, Display: DisplayJSON{f.Unit, f.Scale, f.Digits}})
	}
	for _, v := range s.Variants {
		vj := VariantJSON{Name: v.Name, Rank: v.Rank, Score: num(v.Score), Pareto: v.Pareto,
			Position: v.Position, Group: v.Group, Best: v.Best, Benchmark: v.Benchmark,
			ScoreLow: num(v.ScoreLow), ScoreHigh: num(v.ScoreHigh), BehindBestLow: num(v.BehindLow), BehindBestHigh: num(v.BehindHigh),
			Note: v.Note, Definition: v.Definition, Metrics: map[string]EstimateJSON{}}
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
