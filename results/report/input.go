package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// Input is what a report is drawn from: the files of one run's output
// folder (Load), or a run held in memory (its Summary.Document, details
// and scenario as loaded; Dir empty, for SVGCharts).
type Input struct {
	Dir      string
	Results  results.JSON
	Details  results.DetailsJSON
	Scenario *scenarios.Scenario // the resolved scenario.yaml, for the geometry and targets
}

// Load reads dir/results.json, dir/details.json and dir/scenario.yaml and
// checks that they belong together (same variants, same areas). Its errors
// name the file and what is wrong; they are the user's (a folder not written
// by run, or files from different runs).
func Load(dir string) (*Input, error) {
	in := &Input{Dir: dir}
	if err := readJSON(filepath.Join(dir, "results.json"), &in.Results); err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(dir, "details.json"), &in.Details); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "scenario.yaml")
	s, err := loadScenario(path)
	if err != nil {
		return nil, err
	}
	in.Scenario = s
	return in, in.check()
}

// loadScenario loads the resolved scenario. When it does not validate, it
// tries again without the variants' policy parameters, which a report does
// not need: resolved scenarios of variants with per-unit-type policies have
// been written with the first unit type's parameters at the variant's level
// (the built-in city's mixed-p2p, say), which its own policy rejects.
func loadScenario(path string) (*scenarios.Scenario, error) {
	s, err := scenarios.LoadFile(path)
	if err == nil {
		return s, nil
	}
	var se *scenarios.Error
	data, rerr := os.ReadFile(path)
	if !errors.As(err, &se) || rerr != nil {
		return nil, err
	}
	stripped, ok := withoutParams(data)
	if !ok {
		return nil, err
	}
	if s, err2 := scenarios.LoadAt(path, stripped); err2 == nil {
		return s, nil
	}
	return nil, err
}

// withoutParams returns the scenario document without the params keys of
// its variants and their by_unit rules.
func withoutParams(data []byte) ([]byte, bool) {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil, false
	}
	variants := mapValue(root.Content[0], "variants")
	if variants == nil || variants.Kind != yaml.SequenceNode {
		return nil, false
	}
	for _, v := range variants.Content {
		dropKey(v, "params")
		if bu := mapValue(v, "by_unit"); bu != nil && bu.Kind == yaml.MappingNode {
			for i := 1; i < len(bu.Content); i += 2 {
				dropKey(bu.Content[i], "params")
			}
		}
	}
	out, err := yaml.Marshal(&root)
	return out, err == nil
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func dropKey(n *yaml.Node, key string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return
		}
	}
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w (is this a folder written by patrolsim run?)", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// check verifies that the three files describe the same run.
func (in *Input) check() error {
	dir := in.Dir
	if len(in.Results.Variants) == 0 {
		return fmt.Errorf("%s: no variants", filepath.Join(dir, "results.json"))
	}
	if len(in.Details.Variants) != len(in.Results.Variants) {
		return fmt.Errorf("%s has %d variants, %s has %d: the files come from different runs",
			filepath.Join(dir, "details.json"), len(in.Details.Variants), filepath.Join(dir, "results.json"), len(in.Results.Variants))
	}
	for i, v := range in.Results.Variants {
		if d := in.Details.Variants[i].Name; d != v.Name {
			return fmt.Errorf("%s: variant %d is %q, results.json says %q: the files come from different runs",
				filepath.Join(dir, "details.json"), i+1, d, v.Name)
		}
	}
	atoms := in.City().Atoms
	if len(in.Details.Atoms) != len(atoms) {
		return fmt.Errorf("%s has %d areas, %s has %d: the files come from different runs",
			filepath.Join(dir, "details.json"), len(in.Details.Atoms), filepath.Join(dir, "scenario.yaml"), len(atoms))
	}
	for a, name := range in.Details.Atoms {
		if atoms[a].Name != name {
			return fmt.Errorf("%s: area %d is %q, scenario.yaml says %q: the files come from different runs",
				filepath.Join(dir, "details.json"), a+1, name, atoms[a].Name)
		}
	}
	for i, v := range in.Details.Variants {
		n := len(in.Details.Atoms)
		if len(v.AtomsData.Realised) != n || len(v.AtomsData.Visibility) != n || len(v.AtomsData.RespMeanS) != n {
			return fmt.Errorf("%s: variant %q: by_atom lists need %d values each", filepath.Join(dir, "details.json"), in.Details.Variants[i].Name, n)
		}
	}
	return nil
}

// Config returns the resolved scenario's model input.
func (in *Input) Config() *sim.Config { return in.Scenario.Config }

// City returns the geometry.
func (in *Input) City() *geo.City { return in.Scenario.Config.City }

// ByRank returns the variants' indices in table order (position: ranked
// variants by score, then undefined ones, then benchmarks). A results.json
// written before positions existed is ordered by its rank.
func (in *Input) ByRank() []int {
	idx := make([]int, len(in.Results.Variants))
	for i := range idx {
		idx[i] = i
	}
	key := func(v results.VariantJSON) int {
		if v.Position > 0 {
			return v.Position
		}
		return v.Rank
	}
	slices.SortStableFunc(idx, func(a, b int) int { return key(in.Results.Variants[a]) - key(in.Results.Variants[b]) })
	return idx
}

// groupLabel is a variant's group as the table shows it: "1=" for the best
// set, "benchmark", "undefined", or "–".
func groupLabel(v results.VariantJSON) string {
	if v.Group == "" {
		return "–"
	}
	return v.Group
}

// Variant returns the index of the named variant, or -1.
func (in *Input) Variant(name string) int {
	return slices.IndexFunc(in.Results.Variants, func(v results.VariantJSON) bool { return v.Name == name })
}

// estimate returns variant v's metric as mean, low, high (ok false when the
// metric or its mean is missing; low and high equal the mean when the
// interval is).
func (in *Input) estimate(v int, metric string) (mean, low, high float64, ok bool) {
	e, found := in.Results.Variants[v].Metrics[metric]
	if !found || e.Mean == nil {
		return 0, 0, 0, false
	}
	mean, low, high = *e.Mean, *e.Mean, *e.Mean
	if e.Low != nil && e.High != nil {
		low, high = *e.Low, *e.High
	}
	return mean, low, high, true
}

// hasMetric reports whether any variant has a value for metric.
func (in *Input) hasMetric(metric string) bool {
	for v := range in.Results.Variants {
		if _, _, _, ok := in.estimate(v, metric); ok {
			return true
		}
	}
	return false
}
