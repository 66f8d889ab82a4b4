package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// BaselineFormat is the version of the baseline file format written.
// Format 2 writes infinite values as "+Inf" and "-Inf" (format 1 wrote
// them as null, like undefined ones); both are read.
const BaselineFormat = 2

// Baseline is a stored run of a scenario that later runs are checked
// against (patrolsim baseline, patrolsim check): per variant, every
// metric's value in every replication, and what produced them.
//
// Its file is JSON with a fixed key order and one line per metric, so the
// same run always gives the same bytes and a changed value shows as a
// one-line diff. Undefined values are written as null and read back as
// NaN; infinite ones (a percentile of response beyond the answered calls)
// as "+Inf" or "-Inf", so that check can count them.
type Baseline struct {
	Scenario     string // the scenario's name
	ScenarioHash string // "sha256:…" of the scenario file and its data files
	Seed         uint64
	Replications int
	Version      string // of the patrolsim that made it
	Metrics      []Metric
	Variants     []BaselineVariant
}

// BaselineVariant is one variant's values.
type BaselineVariant struct {
	Name   string
	Values [][]float64 // [metric][replication], aligned with Baseline.Metrics; NaN: undefined
}

// NewBaseline returns the baseline of a run summarised in s: every metric
// but the per-unit ones (Metric.PerUnit), which belong to one force.
func NewBaseline(s *Summary, scenarioHash, version string) *Baseline {
	b := &Baseline{Scenario: s.Scenario, ScenarioHash: scenarioHash, Seed: s.Seed,
		Replications: s.Replications, Version: version}
	var kept []int
	for i, m := range s.Metrics {
		if m.PerUnit() {
			continue
		}
		kept = append(kept, i)
		b.Metrics = append(b.Metrics, Metric{Name: m.Name, Better: m.Better})
	}
	for _, v := range s.Variants {
		bv := BaselineVariant{Name: v.Name, Values: make([][]float64, len(kept))}
		for k, i := range kept {
			col := make([]float64, len(v.Reps))
			for r := range v.Reps {
				col[r] = v.Reps[r][i]
			}
			bv.Values[k] = col
		}
		b.Variants = append(b.Variants, bv)
	}
	return b
}

// Index returns the position of the named metric, or -1.
func (b *Baseline) Index(metric string) int {
	for i, m := range b.Metrics {
		if m.Name == metric {
			return i
		}
	}
	return -1
}

// Variant returns the named variant, or nil.
func (b *Baseline) Variant(name string) *BaselineVariant {
	for i := range b.Variants {
		if b.Variants[i].Name == name {
			return &b.Variants[i]
		}
	}
	return nil
}

// betterName writes a direction as the files do: lower, higher or neutral.
func betterName(d Better) string {
	switch d {
	case Lower:
		return "lower"
	case Higher:
		return "higher"
	}
	return "neutral"
}

func parseBetter(s string) (Better, bool) {
	switch s {
	case "lower":
		return Lower, true
	case "higher":
		return Higher, true
	case "neutral":
		return Neutral, true
	}
	return Neutral, false
}

// WriteJSON writes the baseline file. The bytes depend only on the
// baseline: keys in a fixed order, metrics in the run's order, numbers in
// the shortest form that reads back exactly.
func (b *Baseline) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	str := func(s string) string {
		q, _ := json.Marshal(s)
		return string(q)
	}
	fmt.Fprintf(&buf, "{\n  \"format\": %d,\n", BaselineFormat)
	fmt.Fprintf(&buf, "  \"scenario\": %s,\n", str(b.Scenario))
	fmt.Fprintf(&buf, "  \"scenario_hash\": %s,\n", str(b.ScenarioHash))
	fmt.Fprintf(&buf, "  \"seed\": %d,\n", b.Seed)
	fmt.Fprintf(&buf, "  \"replications\": %d,\n", b.Replications)
	fmt.Fprintf(&buf, "  \"patrolsim_version\": %s,\n", str(b.Version))
	buf.WriteString("  \"metrics\": [")
	for i, m := range b.Metrics {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, "\n    {\"name\": %s, \"better\": %s}", str(m.Name), str(betterName(m.Better)))
	}
	buf.WriteString("\n  ],\n  \"variants\": [")
	for v, bv := range b.Variants {
		if v > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, "\n    {\n      \"name\": %s,\n      \"values\": {", str(bv.Name))
		for i, m := range b.Metrics {
			if i > 0 {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, "\n        %s: [", str(m.Name))
			for r, x := range bv.Values[i] {
				if r > 0 {
					buf.WriteString(", ")
				}
				buf.WriteString(jsonNumber(x))
			}
			buf.WriteByte(']')
		}
		buf.WriteString("\n      }\n    }")
	}
	buf.WriteString("\n  ]\n}\n")
	_, err := w.Write(buf.Bytes())
	return err
}

// jsonNumber writes x as encoding/json would, null when x is NaN, and
// "+Inf" or "-Inf" when it is infinite.
func jsonNumber(x float64) string {
	switch {
	case math.IsNaN(x):
		return "null"
	case math.IsInf(x, 1):
		return `"+Inf"`
	case math.IsInf(x, -1):
		return `"-Inf"`
	}
	q, _ := json.Marshal(x)
	return string(q)
}

type baselineFile struct {
	Format       *int                   `json:"format"`
	Scenario     string                 `json:"scenario"`
	ScenarioHash string                 `json:"scenario_hash"`
	Seed         *uint64                `json:"seed"`
	Replications int                    `json:"replications"`
	Version      string                 `json:"patrolsim_version"`
	Metrics      []baselineMetricFile   `json:"metrics"`
	Variants     []baselineVariantsFile `json:"variants"`
}

type baselineMetricFile struct {
	Name   string `json:"name"`
	Better string `json:"better"`
}

type baselineVariantsFile struct {
	Name   string                     `json:"name"`
	Values map[string][]baselineValue `json:"values"`
}

// baselineValue is a value of the file: a number, null (NaN), "+Inf" or
// "-Inf".
type baselineValue float64

func (v *baselineValue) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*v = baselineValue(math.NaN())
	case `"+Inf"`:
		*v = baselineValue(math.Inf(1))
	case `"-Inf"`:
		*v = baselineValue(math.Inf(-1))
	default:
		var x float64
		if err := json.Unmarshal(b, &x); err != nil {
			return fmt.Errorf("value %s: want a number, null, \"+Inf\" or \"-Inf\"", b)
		}
		*v = baselineValue(x)
	}
	return nil
}

// ReadBaseline reads a baseline file written by WriteJSON; name (the file
// name) prefixes every message. It reports every problem it finds at once.
// Keys it does not know are ignored, so that newer files with added fields
// still read.
func ReadBaseline(name string, r io.Reader) (*Baseline, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var f baselineFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: not a patrolsim baseline: %s", name, jsonErrorAt(data, err))
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	switch {
	case f.Format == nil:
		bad("format: missing; not a patrolsim baseline (make one with patrolsim baseline)")
	case *f.Format != 1 && *f.Format != BaselineFormat:
		bad("format: must be 1 or %d (got %d); this patrolsim reads baseline formats 1 to %d", BaselineFormat, *f.Format, BaselineFormat)
	}
	if f.Seed == nil {
		bad("seed: missing")
	}
	if f.Replications < 1 {
		bad("replications: must be >= 1 (got %d)", f.Replications)
	}
	if f.Scenario == "" {
		bad("scenario: missing")
	}
	if len(f.Variants) == 0 {
		bad("variants: the baseline holds no variant")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	b := &Baseline{Scenario: f.Scenario, ScenarioHash: f.ScenarioHash, Seed: *f.Seed,
		Replications: f.Replications, Version: f.Version}
	seen := map[string]bool{}
	for i, m := range f.Metrics {
		better, ok := parseBetter(m.Better)
		switch {
		case m.Name == "":
			bad("metrics[%d].name: missing", i)
		case seen[m.Name]:
			bad("metrics[%d].name: %q listed twice", i, m.Name)
		case !ok:
			bad("metrics[%d].better: must be lower, higher or neutral (got %q)", i, m.Better)
		}
		seen[m.Name] = true
		b.Metrics = append(b.Metrics, Metric{Name: m.Name, Better: better})
	}
	names := map[string]bool{}
	for v, fv := range f.Variants {
		if fv.Name == "" {
			bad("variants[%d].name: missing", v)
		} else if names[fv.Name] {
			bad("variants[%d].name: %q listed twice", v, fv.Name)
		}
		names[fv.Name] = true
		bv := BaselineVariant{Name: fv.Name, Values: make([][]float64, len(b.Metrics))}
		for i, m := range b.Metrics {
			vals, ok := fv.Values[m.Name]
			if !ok {
				bad("variants[%d].values: no values for metric %s", v, m.Name)
				continue
			}
			if len(vals) != b.Replications {
				bad("variants[%d].values.%s: %d values, want one per replication (%d)", v, m.Name, len(vals), b.Replications)
			}
			col := make([]float64, len(vals))
			for r, x := range vals {
				col[r] = float64(x)
			}
			bv.Values[i] = col
		}
		var unknown []string
		for metric := range fv.Values {
			if !seen[metric] {
				unknown = append(unknown, metric)
			}
		}
		slices.Sort(unknown)
		for _, metric := range unknown {
			bad("variants[%d].values.%s: not in the list of metrics", v, metric)
		}
		b.Variants = append(b.Variants, bv)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return b, nil
}

// jsonErrorAt adds the line of a JSON decoding error.
func jsonErrorAt(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if off < 0 || off > int64(len(data)) {
		return msg
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	return "line " + strconv.Itoa(line) + ": " + msg
}
