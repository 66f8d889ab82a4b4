package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/internal/suggest"
	"github.com/patrolsim/patrolsim/internal/yamlnode"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// Limits.
const (
	MaxPoints = 1_000_000
	MaxItems  = 10_000_000
)

// File is a sweep file as written.
//
//	version: 1
//	scenario: city.yaml          # or builtin:NAME; relative to the sweep file
//	design: grid                 # grid, random or latin
//	points: 20                   # random and latin: how many points
//	seed: 1                      # random and latin: seed of the sampling
//	replications: 10             # per point (default: the scenario's)
//	params:                      # path into the scenario → values
//	  units[patrol_car].count: [20, 30, 40]
//	  variants[follow].params.half_life: {min: 1d, max: 28d}
//	  linked:                    # varied together: one dimension
//	    variants[one].units.car.count: [24, 36]
//	    variants[two].units.car.count: [12, 18]
//
// linked holds one group (a mapping) or several (a list of mappings).
type File struct {
	Version      int       `yaml:"version"`
	Name         string    `yaml:"name"`
	Scenario     string    `yaml:"scenario"`
	Design       string    `yaml:"design"`
	Points       int       `yaml:"points"`
	Seed         uint64    `yaml:"seed"`
	Replications int       `yaml:"replications"`
	Params       yaml.Node `yaml:"params"`
}

// Param is one swept parameter.
type Param struct {
	Path   string
	Line   int          // in the sweep file
	Values []*yaml.Node // a list of values, or
	Min    float64      // a range: [Min, Max]
	Max    float64
	Kind   rangeKind
	Steps  int // grid over a range: this many evenly spaced values
	// Dim is the parameter's dimension of the design: its own, or its
	// linked group's, shared by every member of the group.
	Dim int
}

// LinkedKey is the key of params that holds linked groups: parameters
// varied together, their values paired by position (lists) or drawn at
// the same place in their ranges. A group is one dimension of the design.
const LinkedKey = "linked"

type rangeKind int

const (
	list rangeKind = iota
	realRange
	intRange
	durationRange
)

// Sweep is a loaded, validated sweep: its points, each a valid scenario.
type Sweep struct {
	Path         string
	File         File
	Params       []Param
	Points       [][]*yaml.Node // by point, by parameter: the value set
	Dims         int            // dimensions of the design: parameters, a linked group counting once
	Replications int
	Hash         string // of the sweep file, the base scenario and its data files (hash)
	Base         *scenarios.Scenario

	base     yaml.Node // the base scenario document
	basePath string    // for messages and data files
	builtin  fs.FS     // the base's folder when built in
}

// fileKeys are the keys of a sweep file, in the order of File.
var fileKeys = []string{"version", "name", "scenario", "design", "points", "seed", "replications", "params"}

// decodeFile reads the sweep file's mapping into f, collecting every
// problem with its line: unknown keys (with the key probably meant), and
// values of the wrong kind, in the file's words, not Go's.
func decodeFile(path string, root *yaml.Node, f *File) error {
	var errs []error
	bad := func(line int, format string, args ...any) { errs = append(errs, errorf(path, line, format, args...)) }
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		scalar := func() bool {
			if v.Kind != yaml.ScalarNode {
				bad(v.Line, "%s: must be a single value (got a %s)", k.Value, yamlnode.KindName(v))
				return false
			}
			return true
		}
		whole := func(dst any, what string) {
			if scalar() && (v.ShortTag() != "!!int" || v.Decode(dst) != nil) {
				bad(v.Line, "%s: must be %s (got %s)", k.Value, what, inputs.Excerpt([]byte(v.Value), 40))
			}
		}
		switch k.Value {
		case "version":
			whole(&f.Version, "1")
		case "points":
			whole(&f.Points, "a whole number")
		case "replications":
			whole(&f.Replications, "a whole number")
		case "seed":
			whole(&f.Seed, "a whole number from 0 to 18446744073709551615")
		case "name":
			if scalar() {
				f.Name = v.Value
			}
		case "scenario":
			if scalar() {
				f.Scenario = v.Value
			}
		case "design":
			if scalar() {
				f.Design = v.Value
			}
		case "params":
			f.Params = *v
		default:
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if c := suggest.Closest(k.Value, fileKeys); c != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", c)
			} else {
				msg += " (the keys are " + strings.Join(fileKeys, ", ") + ")"
			}
			bad(k.Line, "%s", msg)
		}
	}
	return errors.Join(errs...)
}

// syntaxError turns a YAML syntax error of the sweep file into a message
// with its line, worded as the scenario loader words them (a tab, a
// control character, an undefined alias).
func syntaxError(path string, data []byte, err error) error {
	if _, lerr := scenarios.Load(path, data, noFiles{}); lerr != nil {
		var se *scenarios.Error
		if errors.As(lerr, &se) {
			for _, p := range se.Problems {
				if p.Path == "" && p.Line > 0 {
					return errorf(path, p.Line, "%s", p.Msg)
				}
			}
		}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.Contains(msg, "UTF-8") {
		// The parser says where for no encoding error: the first byte
		// that is not UTF-8 does.
		valid := data
		for len(valid) > 0 {
			r, n := utf8.DecodeRune(valid)
			if r == utf8.RuneError && n <= 1 {
				break
			}
			valid = valid[n:]
		}
		line := 1 + bytes.Count(data[:len(data)-len(valid)], []byte("\n"))
		return errorf(path, line, "%s: is this a YAML file?", msg)
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return errorf(path, line, "%s", strings.TrimSpace(msg[len(m[0]):]))
	}
	return errorf(path, 0, "%s", msg)
}

var yamlLineRE = regexp.MustCompile(`^line (\d+):`)

// noFiles is a file system without files.
type noFiles struct{}

func (noFiles) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// errorf makes an error naming the sweep file and a line.
func errorf(path string, line int, format string, args ...any) error {
	if line > 0 {
		return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
}

// Load reads and validates a sweep file: its syntax, the base scenario, the
// parameter paths and every point's scenario. Errors name the sweep file's
// lines.
func Load(path string) (*Sweep, error) {
	data, err := inputs.ReadFile(path, scenarios.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("cannot read sweep file %s: %w", path, inputs.Reason(err))
	}
	return load(path, data)
}

// load is Load of the sweep file's bytes.
func load(path string, data []byte) (*Sweep, error) {
	s := &Sweep{Path: path, File: File{Version: 1, Design: "grid", Seed: 1}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(path, data, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errorf(path, 1, "a sweep file is a mapping (version, scenario, design, params)")
	}
	if err := decodeFile(path, doc.Content[0], &s.File); err != nil {
		return nil, err
	}
	f := &s.File
	var errs []error
	bad := func(line int, format string, args ...any) { errs = append(errs, errorf(path, line, format, args...)) }
	line := func(key string) int {
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == key {
				return root.Content[i].Line
			}
		}
		return 1
	}
	if f.Version != 1 {
		bad(line("version"), "version: must be 1 (got %d)", f.Version)
	}
	if f.Scenario == "" {
		bad(1, "scenario: missing: name the base scenario (a file, or builtin:NAME)")
	}
	switch f.Design {
	case "grid":
		if f.Points != 0 {
			bad(line("points"), "points: only for design random or latin (the grid's points are its product)")
		}
	case "random", "latin":
		if f.Points < 1 || f.Points > MaxPoints {
			bad(line("points"), "points: must be between 1 and %d for design %s (got %d)", MaxPoints, f.Design, f.Points)
		}
	default:
		bad(line("design"), "design: must be grid, random or latin (got %q)", f.Design)
	}
	if f.Replications < 0 || f.Replications > scenarios.MaxReplications {
		bad(line("replications"), "replications: must be between 1 and %d, or 0 for the scenario's (got %d)", scenarios.MaxReplications, f.Replications)
	}
	if f.Params.Kind != yaml.MappingNode || len(f.Params.Content) == 0 {
		bad(line("params"), "params: must map scenario paths to values, e.g. units[car].count: [4, 6, 8]")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// The base scenario.
	var baseData []byte
	var err error
	if name, ok := strings.CutPrefix(f.Scenario, "builtin:"); ok {
		baseData, s.builtin, err = scenarios.BuiltinFile(name)
		s.basePath = "builtin:" + name + "/scenario.yaml"
	} else {
		s.basePath = f.Scenario
		if !filepath.IsAbs(s.basePath) {
			s.basePath = filepath.Join(filepath.Dir(path), s.basePath)
		}
		baseData, err = inputs.ReadFile(s.basePath, scenarios.MaxFileBytes)
	}
	if err != nil {
		return nil, errorf(path, line("scenario"), "scenario: cannot read %s: %v", s.basePath, inputs.Reason(err))
	}
	if s.Base, err = s.loadScenario(baseData); err != nil {
		return nil, fmt.Errorf("%s: the base scenario is invalid:\n%w", path, err)
	}
	if err := yaml.Unmarshal(baseData, &s.base); err != nil {
		return nil, err
	}
	s.Replications = f.Replications
	if s.Replications == 0 {
		s.Replications = s.Base.File.Replications
	}
	// Parameters, in the order written.
	if err := s.parseParams(); err != nil {
		return nil, err
	}
	if err := s.design(); err != nil {
		return nil, err
	}
	if n := len(s.Points) * s.Replications; n > MaxItems {
		return nil, errorf(path, 1, "%d points × %d replications is %d items, more than the limit of %d", len(s.Points), s.Replications, n, MaxItems)
	}
	// Every point must make a valid scenario; report each failing value
	// once, at its parameter's line.
	seen := map[string]bool{}
	for pi := range s.Points {
		if _, err := s.Point(pi); err != nil {
			key := err.Error()
			if !seen[key] {
				seen[key] = true
				errs = append(errs, err)
			}
			if len(errs) >= 10 {
				break
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.Hash, err = s.hash(data)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Sweep) loadScenario(data []byte) (*scenarios.Scenario, error) {
	if s.builtin != nil {
		return scenarios.Load(s.basePath, data, s.builtin)
	}
	return scenarios.LoadAt(s.basePath, data)
}

// parseParams reads params in the order written: each parameter is a
// dimension of the design, and each linked group one dimension whose
// members' values go together. Every problem is reported, with its line.
func (s *Sweep) parseParams() error {
	path, design := s.Path, s.File.Design
	var errs []error
	bad := func(line int, format string, args ...any) { errs = append(errs, errorf(path, line, format, args...)) }
	seen := map[string]int{} // path → line
	add := func(k, v *yaml.Node, prefix string) (Param, bool) {
		p, err := parseParam(path, k, v, design)
		if err != nil {
			errs = append(errs, err)
			return p, false
		}
		if _, err := parsePath(p.Path); err != nil {
			bad(k.Line, "params%s: %v", prefix, err)
			return p, false
		}
		if line, ok := seen[p.Path]; ok {
			bad(k.Line, "params%s.%s: swept twice (also at line %d): give each path once", prefix, p.Path, line)
			return p, false
		}
		seen[p.Path] = k.Line
		p.Dim = s.Dims
		return p, true
	}
	for i := 0; i+1 < len(s.File.Params.Content); i += 2 {
		k, v := s.File.Params.Content[i], s.File.Params.Content[i+1]
		if k.Value != LinkedKey {
			if p, ok := add(k, v, ""); ok {
				s.Params = append(s.Params, p)
				s.Dims++
			}
			continue
		}
		var groups []*yaml.Node
		switch v.Kind {
		case yaml.MappingNode:
			groups = []*yaml.Node{v}
		case yaml.SequenceNode:
			groups = v.Content
			if len(groups) == 0 {
				bad(v.Line, "params.linked: the list of groups is empty")
			}
		default:
			bad(v.Line, "params.linked: must map two or more scenario paths to values of the same length, paired by position (or be a list of such groups); got a %s", yamlnode.KindName(v))
		}
		for _, g := range groups {
			if err := s.parseGroup(g, add); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// parseGroup reads one linked group: two or more parameters, all lists of
// the same length (their values paired by position) or all ranges (with
// the same steps in a grid), drawn together as one dimension.
func (s *Sweep) parseGroup(g *yaml.Node, add func(k, v *yaml.Node, prefix string) (Param, bool)) error {
	path := s.Path
	if g.Kind != yaml.MappingNode {
		return errorf(path, g.Line, "params.linked: a group maps scenario paths to values, e.g. {units[car].count: [8, 16], units[car].squad: [2, 1]} (got a %s)", yamlnode.KindName(g))
	}
	if len(g.Content) < 4 {
		return errorf(path, g.Line, "params.linked: a group links two or more parameters (got %d): a single one goes directly under params", len(g.Content)/2)
	}
	var group []Param
	var errs []error
	for i := 0; i+1 < len(g.Content); i += 2 {
		k, v := g.Content[i], g.Content[i+1]
		if k.Value == LinkedKey {
			errs = append(errs, errorf(path, k.Line, "params.linked: groups do not nest: put every parameter varied together in one group"))
			continue
		}
		if p, ok := add(k, v, ".linked"); ok {
			group = append(group, p)
		}
	}
	if len(errs) > 0 || len(group) < len(g.Content)/2 {
		return errors.Join(errs...)
	}
	first := &group[0]
	for _, p := range group[1:] {
		switch {
		case (p.Values == nil) != (first.Values == nil):
			what := func(q Param) string {
				if q.Values != nil {
					return "a list"
				}
				return "a range"
			}
			return errorf(path, p.Line, "params.linked.%s: %s, but %s is %s: a linked group is all lists (values paired by position) or all ranges (drawn at the same place in each)", p.Path, what(p), first.Path, what(*first))
		case p.Values != nil && len(p.Values) != len(first.Values):
			return errorf(path, p.Line, "params.linked.%s: %d values, but %s has %d: linked values are paired by position, so every list needs the same length", p.Path, len(p.Values), first.Path, len(first.Values))
		case p.Values == nil && p.Steps != first.Steps:
			return errorf(path, p.Line, "params.linked.%s: steps %d, but %s has %d: linked ranges are paired step by step, so they need the same steps", p.Path, p.Steps, first.Path, first.Steps)
		}
	}
	s.Params = append(s.Params, group...)
	s.Dims++
	return nil
}

// parseParam reads one parameter: a list of values, or a range
// {min, max[, steps]} of numbers, whole numbers or durations.
func parseParam(path string, k, v *yaml.Node, design string) (Param, error) {
	p := Param{Path: k.Value, Line: k.Line}
	switch v.Kind {
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return p, errorf(path, k.Line, "params.%s: the list of values is empty", p.Path)
		}
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return p, errorf(path, item.Line, "params.%s: values must be single values (got a %s)", p.Path, yamlnode.KindName(item))
			}
			p.Values = append(p.Values, item)
		}
		return p, nil
	case yaml.MappingNode:
		var minN, maxN, stepsN *yaml.Node
		for i := 0; i+1 < len(v.Content); i += 2 {
			switch v.Content[i].Value {
			case "min":
				minN = v.Content[i+1]
			case "max":
				maxN = v.Content[i+1]
			case "steps":
				stepsN = v.Content[i+1]
			default:
				return p, errorf(path, v.Content[i].Line, "params.%s: unknown key %q (a range has min, max and, for a grid, steps)", p.Path, v.Content[i].Value)
			}
		}
		if minN == nil || maxN == nil {
			return p, errorf(path, v.Line, "params.%s: a range needs min and max", p.Path)
		}
		lo, kindLo, err1 := rangeValue(minN)
		hi, kindHi, err2 := rangeValue(maxN)
		if err1 != nil || err2 != nil || kindLo != kindHi {
			return p, errorf(path, v.Line, "params.%s: min and max must both be numbers, or both durations such as 12m (got %q and %q)", p.Path, minN.Value, maxN.Value)
		}
		if !(lo < hi) {
			return p, errorf(path, v.Line, "params.%s: min must be below max (got %s and %s)", p.Path, minN.Value, maxN.Value)
		}
		p.Min, p.Max, p.Kind = lo, hi, kindLo
		if stepsN != nil {
			n, err := strconv.Atoi(stepsN.Value)
			if err != nil || n < 2 || n > 10000 {
				return p, errorf(path, stepsN.Line, "params.%s.steps: must be a whole number from 2 to 10000 (got %s)", p.Path, stepsN.Value)
			}
			p.Steps = n
		}
		if design == "grid" && p.Steps == 0 {
			return p, errorf(path, v.Line, "params.%s: a grid needs a list of values, or a range with steps", p.Path)
		}
		return p, nil
	}
	return p, errorf(path, v.Line, "params.%s: give a list of values [a, b, …] or a range {min, max}", p.Path)
}

func rangeValue(n *yaml.Node) (float64, rangeKind, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, 0, errors.New("not a value")
	}
	if n.Tag == "!!int" {
		x, err := strconv.ParseFloat(n.Value, 64)
		return x, intRange, err
	}
	if n.Tag == "!!float" {
		x, err := strconv.ParseFloat(n.Value, 64)
		return x, realRange, err
	}
	x, err := scenarios.ParseDuration(n.Value)
	return x, durationRange, err
}

// valueNode makes the YAML value of x for a range parameter.
func (p *Param) valueNode(x float64) *yaml.Node {
	switch p.Kind {
	case intRange:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(int64(math.Round(x)), 10)}
	case durationRange:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: scenarios.FormatDuration(math.Round(x))}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'g', 10, 64)}
}

// design lays out the points over the dimensions (Param.Dim): a linked
// group's members take the value at the same position, or at the same
// place in their ranges.
func (s *Sweep) design() error {
	f := &s.File
	np := len(s.Params)
	switch f.Design {
	case "grid":
		// Every combination; the first dimension varies slowest.
		levels := make([][]*yaml.Node, np)
		size := make([]int, s.Dims)
		total := 1
		for i := range s.Params {
			p := &s.Params[i]
			if p.Values != nil {
				levels[i] = p.Values
			} else {
				for k := range p.Steps {
					levels[i] = append(levels[i], p.valueNode(p.Min+(p.Max-p.Min)*float64(k)/float64(p.Steps-1)))
				}
			}
			if size[p.Dim] == 0 {
				size[p.Dim] = len(levels[i])
				total *= len(levels[i])
			}
			if total > MaxPoints {
				return errorf(s.Path, p.Line, "the grid has more than %d points", MaxPoints)
			}
		}
		idx := make([]int, s.Dims)
		for range total {
			pt := make([]*yaml.Node, np)
			for i := range np {
				pt[i] = levels[i][idx[s.Params[i].Dim]]
			}
			s.Points = append(s.Points, pt)
			for d := s.Dims - 1; d >= 0; d-- {
				idx[d]++
				if idx[d] < size[d] {
					break
				}
				idx[d] = 0
			}
		}
	case "random", "latin":
		r := rand.New(rand.NewPCG(f.Seed, 0x73776565702d7074)) // "sweep-pt"
		n := f.Points
		// For a Latin hypercube each dimension gets a random permutation of
		// the n strata; a random sample draws each value independently.
		// A linked group draws one number for all its members.
		strata := make([][]int, s.Dims)
		for d := range strata {
			if f.Design == "latin" {
				strata[d] = r.Perm(n)
			}
		}
		u := make([]float64, s.Dims)
		for k := range n {
			for d := range u {
				u[d] = r.Float64()
				if f.Design == "latin" {
					u[d] = (float64(strata[d][k]) + u[d]) / float64(n)
				}
			}
			pt := make([]*yaml.Node, np)
			for i := range s.Params {
				p := &s.Params[i]
				if p.Values != nil {
					pt[i] = p.Values[min(len(p.Values)-1, int(u[p.Dim]*float64(len(p.Values))))]
				} else {
					pt[i] = p.valueNode(p.Min + u[p.Dim]*(p.Max-p.Min))
				}
			}
			s.Points = append(s.Points, pt)
		}
	}
	return nil
}

// Linked returns the linked groups: each one's parameter indexes, in the
// order written.
func (s *Sweep) Linked() [][]int {
	var out [][]int
	for i, p := range s.Params {
		if i > 0 && s.Params[i-1].Dim == p.Dim {
			if len(out) > 0 && s.Params[out[len(out)-1][0]].Dim == p.Dim {
				out[len(out)-1] = append(out[len(out)-1], i)
			} else {
				out = append(out, []int{i - 1, i})
			}
		}
	}
	return out
}

// Point returns the scenario of point i.
func (s *Sweep) Point(i int) (*scenarios.Scenario, error) {
	doc := deepCopy(&s.base)
	for k, p := range s.Params {
		if err := setPath(doc.Content[0], p.Path, deepCopy(s.Points[i][k])); err != nil {
			return nil, errorf(s.Path, p.Line, "params.%s: %v", p.Path, err)
		}
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	sc, err := s.loadScenario(data)
	if err != nil {
		var se *scenarios.Error
		if !errors.As(err, &se) {
			return nil, err
		}
		var lines []string
		for _, pr := range se.Problems {
			lines = append(lines, pr.Path+": "+pr.Msg)
		}
		// Blame the first parameter whose value alone breaks the scenario.
		for k, p := range s.Params {
			if s.breaks(k, s.Points[i][k]) {
				return nil, errorf(s.Path, p.Line, "params.%s: the value %s makes the scenario invalid: %s", p.Path, s.Points[i][k].Value, strings.Join(lines, "; "))
			}
		}
		return nil, errorf(s.Path, s.Params[0].Line, "point %s makes the scenario invalid: %s", s.Label(i), strings.Join(lines, "; "))
	}
	return sc, nil
}

// breaks reports whether setting parameter k alone to v makes the base
// scenario invalid.
func (s *Sweep) breaks(k int, v *yaml.Node) bool {
	doc := deepCopy(&s.base)
	if err := setPath(doc.Content[0], s.Params[k].Path, deepCopy(v)); err != nil {
		return true
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return true
	}
	_, err = s.loadScenario(data)
	return err != nil
}

// Label describes point i: "path=value, …".
func (s *Sweep) Label(i int) string {
	var parts []string
	for k, p := range s.Params {
		parts = append(parts, p.Path+"="+s.Points[i][k].Value)
	}
	return strings.Join(parts, ", ")
}

func deepCopy(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = deepCopy(ch)
	}
	return &c
}

// hash identifies the sweep: the sweep file's bytes and the base
// scenario's run.Hash (its document and every data file it names: areas,
// posts, routes and roads), so a journal of another sweep file, scenario or
// data is refused.
func (s *Sweep) hash(sweepData []byte) (string, error) {
	base, err := run.Hash(s.Base)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d:", len(sweepData))
	h.Write(sweepData)
	fmt.Fprintf(h, "scenario %s\n", base)
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
