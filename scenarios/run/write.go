package run

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

// Output files Write puts in a folder.
const (
	DetailsFile      = "details.json"
	ResultsFile      = "results.json"
	ReplicationsFile = "replications.csv"
	TraceFile        = "trace.csv"
	ScenarioFile     = "scenario.yaml"
	AreasFile        = "areas.geojson" // per-area results on the areas' polygons (results.WriteAreasGeoJSON)
)

// Folder is a run's output folder as one set of files written as a unit
// (outputs.Folder): the files Write puts there. Earlier versions' files of
// the same names are of the old set; a report drawn from it (report.html,
// charts/) goes with it; other plain files stay.
func Folder(dir string) outputs.Folder {
	return outputs.Folder{Dir: dir, Set: "run's results", Known: []string{DetailsFile, ResultsFile, ReplicationsFile, TraceFile, ScenarioFile, AreasFile},
		Derived: []string{"report.html", "charts"}}
}

// Write puts res, a result of s, in the folder dir as `patrolsim run`
// does, as one set (Folder): details.json, results.json, replications.csv,
// areas.geojson (per-area results in lon/lat, results.WriteAreasGeoJSON),
// trace.csv when res has a trace, and scenario.yaml, the resolved scenario
// (Resolve), with a built-in scenario's data files copied beside it. The
// set is staged beside dir and swapped in at once, so a crash at any
// moment leaves dir with the previous run's complete set or this one's,
// never a mixture (docs/guarantees.md); a trace.csv or a report of the
// previous run goes with it. It first refuses, with an *OverwriteError, a
// folder where an output would replace an input (CheckNoOverwrite), and,
// with an *outputs.Error, a folder that cannot be replaced as a whole.
func Write(dir string, s *scenarios.Scenario, res *Result) error {
	return WriteWith(context.Background(), dir, s, res, nil)
}

// WriteWith is Write, stopped when ctx is done before the set is in place
// (dir is left as it was; ctx's error is returned), and with also, if set,
// called with the staging folder once the run's files are in it: files it
// writes there (a report drawn from them) are part of the set.
func WriteWith(ctx context.Context, dir string, s *scenarios.Scenario, res *Result, also func(stage string) error) error {
	if err := CheckOutput(dir, s); err != nil {
		return err
	}
	doc, beside, err := Resolve(s, ResolveOptions{})
	if err != nil {
		return err
	}
	return Folder(dir).Write(ctx, func(stage string) error {
		if err := outputs.WriteNew(filepath.Join(stage, DetailsFile), res.Details.WriteJSON); err != nil {
			return err
		}
		if err := outputs.WriteNew(filepath.Join(stage, ResultsFile), res.Summary.WriteJSON); err != nil {
			return err
		}
		if err := outputs.WriteNew(filepath.Join(stage, ReplicationsFile), res.Summary.WriteCSV); err != nil {
			return err
		}
		if err := outputs.WriteNew(filepath.Join(stage, AreasFile), func(w io.Writer) error {
			return results.WriteAreasGeoJSON(w, s.Config.City, res.Details)
		}); err != nil {
			return err
		}
		if res.Trace != nil {
			if err := outputs.WriteNew(filepath.Join(stage, TraceFile), func(w io.Writer) error {
				return results.WriteTrace(w, s.Variants, res.Trace)
			}); err != nil {
				return err
			}
		} else if res.traceRuns != nil {
			// Spooled as incidents completed: merged by incident into
			// the same file.
			if err := outputs.WriteNew(filepath.Join(stage, TraceFile), func(w io.Writer) error {
				return results.WriteTraceRuns(w, res.traceRuns)
			}); err != nil {
				return err
			}
		}
		for _, f := range beside {
			if err := writeBytes(filepath.Join(stage, f.Name), f.Data); err != nil {
				return err
			}
		}
		if err := writeBytes(filepath.Join(stage, ScenarioFile), doc); err != nil {
			return err
		}
		if also != nil {
			return also(stage)
		}
		return nil
	})
}

func writeBytes(path string, data []byte) error {
	return outputs.WriteNew(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// DataFile is a data file that sits beside a resolved scenario.
type DataFile struct {
	Name string // file name, as the document names it
	Data []byte
}

// ResolveOptions choose how Resolve writes data paths. The zero value is
// what `patrolsim run` writes.
type ResolveOptions struct {
	// KeepRelative leaves the relative data paths of a scenario that is
	// not built in as they are, for a reader who has the files beside the
	// document (an uploaded scenario). The zero value makes them absolute
	// from the scenario's folder, so the document runs from anywhere on
	// this machine.
	KeepRelative bool
}

// Resolve returns the scenario as run, every default filled in (policy
// parameters included), as a YAML document that loads as it is and gives
// the same results, and the data files that must sit beside it. Data paths
// starting with builtin: stay as they are (they load anywhere); a built-in
// scenario's own data files are named by their file name and returned to
// sit beside the document; relative paths of a file scenario become
// absolute unless opts keep them. s is not changed.
func Resolve(s *scenarios.Scenario, opts ResolveOptions) (doc []byte, beside []DataFile, err error) {
	f := s.File
	for _, df := range f.DataFiles() {
		p := df.Path
		if *p == "" || strings.HasPrefix(*p, scenarios.BuiltinPrefix) {
			continue
		}
		switch {
		case s.IsBuiltin():
			data, err := s.ReadData(*p)
			if err != nil {
				return nil, nil, err
			}
			*p = filepath.Base(*p)
			beside = append(beside, DataFile{*p, data})
		case !filepath.IsAbs(*p) && !opts.KeepRelative:
			abs, err := filepath.Abs(filepath.Join(filepath.Dir(s.Path), *p))
			if err != nil {
				return nil, nil, err
			}
			*p = abs
		}
	}
	// Policy parameters with their defaults filled in, on copies of the
	// variants (f shares them with s).
	f.Variants = slices.Clone(f.Variants)
	for i := range f.Variants {
		f.Variants[i].ByUnit = maps.Clone(f.Variants[i].ByUnit)
		// The variant's own policy is the one of every unit type without
		// a by_unit rule.
		for t, u := range f.Units {
			if _, ruled := f.Variants[i].ByUnit[u.Name]; !ruled {
				f.Variants[i].Params = paramNodes(s.Variants[i].Policies[t])
				break
			}
		}
		for name, rule := range f.Variants[i].ByUnit {
			for t, u := range f.Units {
				if u.Name == name {
					rule.Params = paramNodes(s.Variants[i].Policies[t])
				}
			}
			f.Variants[i].ByUnit[name] = rule
		}
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Resolved scenario: %s as run by patrolsim %s, every default filled in.\n", s.Path, Version())
	var node yaml.Node
	if err := node.Encode(f); err != nil {
		return nil, nil, err
	}
	flowScalarLists(&node)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), beside, nil
}

// flowScalarLists writes lists of plain values on one line: [1, 2, 3].
func flowScalarLists(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode {
		flat := true
		for _, c := range n.Content {
			flat = flat && c.Kind == yaml.ScalarNode
		}
		if flat {
			n.Style = yaml.FlowStyle
		}
	}
	for _, c := range n.Content {
		flowScalarLists(c)
	}
}

// paramNodes writes a policy's resolved parameters as YAML values.
func paramNodes(c sim.PolicyChoice) map[string]yaml.Node {
	if len(c.Spec.Params) == 0 {
		return nil
	}
	out := map[string]yaml.Node{}
	for _, p := range c.Spec.Params {
		v := scenarios.FormatParam(p, c.Params[p.Name])
		out[p.Name] = yaml.Node{Kind: yaml.ScalarNode, Value: v}
	}
	return out
}

// Inputs returns the files on disk a scenario was read from: its document
// and the data files it names (builtin: paths left out), relative ones
// joined to the document's folder. A built-in scenario has none.
func Inputs(s *scenarios.Scenario) []string {
	if s.IsBuiltin() {
		return nil
	}
	inputs := []string{s.Path}
	for _, df := range s.File.DataFiles() {
		p := *df.Path
		if p == "" || strings.HasPrefix(p, scenarios.BuiltinPrefix) {
			continue
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(s.Path), p)
		}
		inputs = append(inputs, p)
	}
	return inputs
}

// OverwriteError is the refusal of an output folder where writing an
// output would replace an input of the scenario.
type OverwriteError struct {
	Dir    string // the output folder
	Output string // the output's file name
	Input  string // the input it is
}

func (e *OverwriteError) Error() string {
	return fmt.Sprintf("output folder %s: writing %s would overwrite the input %s; choose another folder with -o", e.Dir, e.Output, e.Input)
}

// CheckOutput refuses, before a run, an output folder Write would refuse:
// one where an output would replace an input (*OverwriteError), and one
// that cannot be replaced as a whole (*outputs.Error: a file, the current
// folder, a folder holding folders that are not a run's).
func CheckOutput(dir string, s *scenarios.Scenario) error {
	if err := Folder(dir).Check(); err != nil {
		return err
	}
	return CheckNoOverwrite(dir, s)
}

// CheckNoOverwrite returns an *OverwriteError when a file Write would
// replace or take out of dir (the previous run's set, a report drawn from
// it, the files it writes) is the scenario or one of its data files
// (Inputs), and nil otherwise.
func CheckNoOverwrite(dir string, s *scenarios.Scenario) error {
	inputs := Inputs(s)
	if len(inputs) == 0 {
		return nil
	}
	dropped, err := Folder(dir).Dropped([]string{ResultsFile, DetailsFile, ReplicationsFile, ScenarioFile, TraceFile, AreasFile})
	if err != nil {
		return err
	}
	for _, out := range dropped {
		o, err := os.Stat(out)
		if err != nil {
			continue
		}
		for _, in := range inputs {
			if i, err := os.Stat(in); err == nil && os.SameFile(i, o) {
				return &OverwriteError{dir, filepath.Base(out), in}
			}
		}
	}
	return nil
}
