package results

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestBaselineRoundTrip: a baseline reads back equal, NaN and ±Inf become
// null and then NaN, and writing what was read gives the same bytes.
func TestBaselineRoundTrip(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	s := Summarize("test", 42, []Metric{
		{Name: "response_p90_s", Better: Lower},
		{Name: "incidents", Better: Neutral},
		{Name: "visibility", Better: Higher},
	}, []string{"a", "b"}, [][][]float64{
		{{300.25, 10, 0.1}, {inf, 12, 1.0 / 3}},
		{{nan, 11, 0.2}, {1e-7, 13, 0.30000000000000004}},
	}, nil, DefaultAlpha)
	b := NewBaseline(s, "sha256:abc", "v1.2.3")
	var first bytes.Buffer
	if err := b.WriteJSON(&first); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(first.Bytes()) {
		t.Fatalf("not valid JSON:\n%s", first.String())
	}
	if !strings.Contains(first.String(), `"response_p90_s": [300.25, "+Inf"]`) || !strings.Contains(first.String(), `"response_p90_s": [null, 1e-7]`) {
		t.Errorf("want one line per metric, Inf as \"+Inf\", NaN as null:\n%s", first.String())
	}
	got, err := ReadBaseline("b.json", bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Scenario != "test" || got.Seed != 42 || got.Replications != 2 || got.Version != "v1.2.3" || got.ScenarioHash != "sha256:abc" {
		t.Fatalf("head: got %+v", got)
	}
	if len(got.Metrics) != 3 || got.Metrics[2].Better != Higher || got.Metrics[1].Better != Neutral {
		t.Fatalf("metrics: got %+v", got.Metrics)
	}
	want := [][]float64{{300.25, inf}, {10, 12}, {0.1, 1.0 / 3}}
	for i, col := range got.Variant("a").Values {
		for r, x := range col {
			w := want[i][r]
			if !(x == w || math.IsNaN(x) && math.IsNaN(w)) {
				t.Errorf("a %s rep %d: got %v, want %v", got.Metrics[i].Name, r, x, w)
			}
		}
	}
	if x := got.Variant("b").Values[2][1]; x != 0.30000000000000004 {
		t.Errorf("b visibility rep 1: got %v, want 0.30000000000000004 exactly", x)
	}
	var second bytes.Buffer
	if err := got.WriteJSON(&second); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Fatalf("not byte-identical after a round trip:\n%s\n---\n%s", first.String(), second.String())
	}
}

func TestReadBaselineErrors(t *testing.T) {
	good := `{"format": 1, "scenario": "g", "scenario_hash": "", "seed": 1, "replications": 2, "patrolsim_version": "devel",
  "metrics": [{"name": "incidents", "better": "neutral"}],
  "variants": [{"name": "a", "values": {"incidents": [1, 2]}}]}`
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"not JSON", "{\n\"format\": 1,\n oops}", []string{"b.json: not a patrolsim baseline: line 3: invalid character"}},
		{"wrong type", "{\n\"format\": \"one\"}", []string{"b.json: not a patrolsim baseline: line 2:", "format"}},
		{"empty object", "{}", []string{"b.json: format: missing", "b.json: seed: missing", "b.json: replications: must be >= 1 (got 0)", "b.json: variants: the baseline holds no variant"}},
		{"future format", strings.Replace(good, `"format": 1`, `"format": 3`, 1), []string{"b.json: format: must be 1 or 2 (got 3)"}},
		{"bad value", strings.Replace(good, "[1, 2]", `[1, "Infinity"]`, 1), []string{`value "Infinity": want a number, null, "+Inf" or "-Inf"`}},
		{"short values", strings.Replace(good, "[1, 2]", "[1]", 1), []string{"b.json: variants[0].values.incidents: 1 values, want one per replication (2)"}},
		{"unknown metric", strings.Replace(good, `"incidents": [1, 2]`, `"incidents": [1, 2], "zzz": [1, 2], "aaa": [1, 2]`, 1),
			[]string{"variants[0].values.aaa: not in the list of metrics\nb.json: variants[0].values.zzz: not in the list of metrics"}},
		{"bad direction", strings.Replace(good, `"neutral"`, `"up"`, 1), []string{`metrics[0].better: must be lower, higher or neutral (got "up")`}},
		{"missing values", strings.Replace(good, `"incidents": [1, 2]`, ``, 1), []string{"variants[0].values: no values for metric incidents"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadBaseline("b.json", strings.NewReader(tc.doc))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
		})
	}
	if _, err := ReadBaseline("b.json", strings.NewReader(good)); err != nil {
		t.Fatalf("good baseline: %v", err)
	}
}
