package calibrate

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/scenarios"
)

//go:embed types/*.yaml
var builtinTypes embed.FS

// BuiltinTypes lists the names of the built-in type mappings
// (--types builtin:NAME).
func BuiltinTypes() []string { return []string{"chicago", "sf"} }

// TypeSpec is one incident type of a type mapping: the log's categories it
// gathers and what the scenario says of it. Durations in seconds.
type TypeSpec struct {
	Name       string
	Categories []string
	Priority   int     // 1 … 3
	Dist       string  // fixed, exponential or lognormal
	Mean, SD   float64 // on-scene time, seconds (SD for lognormal)
	Officers   int     // >= 1
	Deterrable float64 // 0 … 1
	Crime      bool
}

// TypeMap maps a log's categories (values of the --type column) to
// incident types: Types in order, Other for the categories none lists.
// Categories match ignoring case and surrounding space.
type TypeMap struct {
	Source string // the file, or builtin:NAME
	Types  []TypeSpec
	Other  TypeSpec
	index  map[string]int // folded category → index into Types
}

// Lookup returns the index into Types of category, or -1 (Other).
func (m *TypeMap) Lookup(category string) int {
	if i, ok := m.index[fold(category)]; ok {
		return i
	}
	return -1
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// typeFile is the document: see docs/calibrate.md.
type typeFile struct {
	Types []typeEntry `yaml:"types"`
	Other *typeEntry  `yaml:"other"`
}

type typeEntry struct {
	Name       string     `yaml:"name"`
	Categories []string   `yaml:"categories"`
	Priority   *int       `yaml:"priority"`
	OnScene    *distEntry `yaml:"on_scene"`
	Officers   *int       `yaml:"officers"`
	Deterrable *float64   `yaml:"deterrable"`
	Crime      bool       `yaml:"crime"`
}

// distEntry is an on-scene distribution: a mapping {dist, mean, sd} or,
// as in a scenario, a bare duration (fixed).
type distEntry struct {
	Dist string `yaml:"dist"`
	Mean string `yaml:"mean"`
	SD   string `yaml:"sd"`
}

// UnmarshalYAML accepts the bare-duration shorthand.
func (d *distEntry) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*d = distEntry{Dist: "fixed", Mean: n.Value}
		return nil
	}
	type plain distEntry
	return n.Decode((*plain)(d))
}

// LoadTypes reads a type mapping: builtin:NAME (BuiltinTypes) or a YAML
// file. Its errors name the file, the line, the field and the value.
func LoadTypes(name string) (*TypeMap, error) {
	var data []byte
	var err error
	if b, ok := strings.CutPrefix(name, "builtin:"); ok {
		if !slices.Contains(BuiltinTypes(), b) {
			return nil, fmt.Errorf("--types %s: no such built-in mapping (there are builtin:%s)", name, strings.Join(BuiltinTypes(), ", builtin:"))
		}
		data, err = builtinTypes.ReadFile("types/" + b + ".yaml")
	} else {
		data, err = inputs.ReadFile(name, scenarios.MaxFileBytes)
		if err != nil {
			return nil, fmt.Errorf("cannot read the type mapping %s: %w", name, inputs.Reason(err))
		}
	}
	if err != nil {
		return nil, err
	}
	return ParseTypes(name, data)
}

// ParseTypes parses the type mapping data read from name.
func ParseTypes(name string, data []byte) (*TypeMap, error) {
	var f typeFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty: a type mapping needs a types: list", name)
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var errs []error
			for _, e := range te.Errors {
				// "line N: field x not found in type calibrate.typeEntry"
				msg := e
				if l, rest, ok := strings.Cut(strings.TrimPrefix(e, "line "), ": "); ok {
					msg = name + ":" + l + ": " + rest
				}
				if i := strings.Index(msg, " not found in type "); i >= 0 {
					msg = msg[:i] + " is not a key of a type mapping (types: and other: take name, categories, priority, on_scene, officers, deterrable, crime)"
				}
				errs = append(errs, errors.New(msg))
			}
			return nil, errors.Join(errs...)
		}
		return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	// The lines of the entries, for the messages.
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	lines := map[string]int{}
	if len(root.Content) == 1 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			k, v := doc.Content[i].Value, doc.Content[i+1]
			switch k {
			case "types":
				for j, e := range v.Content {
					lines[fmt.Sprintf("types[%d]", j)] = e.Line
				}
			case "other":
				lines["other"] = v.Line
			}
		}
	}
	var errs []error
	bad := func(path, field, format string, a ...any) {
		where := name
		if l := lines[path]; l > 0 {
			where = fmt.Sprintf("%s:%d", name, l)
		}
		errs = append(errs, fmt.Errorf("%s: %s.%s: %s", where, path, field, fmt.Sprintf(format, a...)))
	}
	if len(f.Types) == 0 {
		errs = append(errs, fmt.Errorf("%s: types: must list at least one incident type", name))
	}
	m := &TypeMap{Source: name, index: map[string]int{}}
	names := map[string]string{}
	for i, e := range f.Types {
		path := fmt.Sprintf("types[%d]", i)
		t := spec(e, path, bad)
		if len(e.Categories) == 0 {
			bad(path, "categories", "must list the log's values this type gathers")
		}
		for _, c := range e.Categories {
			k := fold(c)
			if k == "" {
				bad(path, "categories", "an empty category")
				continue
			}
			if j, dup := m.index[k]; dup {
				bad(path, "categories", "%q is already in types[%d] (%s)", c, j, f.Types[j].Name)
				continue
			}
			m.index[k] = i
		}
		if p, dup := names[t.Name]; dup && t.Name != "" {
			bad(path, "name", "%q is also the name of %s", t.Name, p)
		}
		names[t.Name] = path
		m.Types = append(m.Types, t)
	}
	if f.Other != nil {
		if len(f.Other.Categories) > 0 {
			bad("other", "categories", "other gathers the categories no type lists; it takes none of its own")
		}
		m.Other = spec(*f.Other, "other", bad)
		if p, dup := names[m.Other.Name]; dup && m.Other.Name != "" {
			bad("other", "name", "%q is also the name of %s", m.Other.Name, p)
		}
	} else {
		// The placeholder calibrate uses without a mapping.
		m.Other = TypeSpec{Name: "other", Priority: 2, Dist: "exponential", Mean: 1800, Officers: 1}
		for k := 2; names[m.Other.Name] != ""; k++ {
			m.Other.Name = fmt.Sprintf("other-%d", k)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// spec checks entry e (at path) and returns its type; problems go to bad.
func spec(e typeEntry, path string, bad func(path, field, format string, a ...any)) TypeSpec {
	t := TypeSpec{Name: e.Name, Categories: e.Categories, Priority: 2, Dist: "exponential", Mean: 1800, Officers: 1, Crime: e.Crime}
	if e.Name == "" {
		bad(path, "name", "missing")
	} else if n := typeName(e.Name); n != e.Name {
		bad(path, "name", "%q: use letters, digits, _ . - only (e.g. %q)", e.Name, n)
	}
	if e.Priority != nil {
		t.Priority = *e.Priority
		if t.Priority < 1 || t.Priority > 3 {
			bad(path, "priority", "must be 1, 2 or 3 (got %d)", t.Priority)
		}
	}
	if e.Officers != nil {
		t.Officers = *e.Officers
		if t.Officers < 1 || t.Officers > 100 {
			bad(path, "officers", "must be between 1 and 100 (got %d)", t.Officers)
		}
	}
	if e.Deterrable != nil {
		t.Deterrable = *e.Deterrable
		if !(t.Deterrable >= 0 && t.Deterrable <= 1) {
			bad(path, "deterrable", "must be between 0 and 1 (got %v)", t.Deterrable)
		}
	}
	if os := e.OnScene; os != nil {
		t.Dist = os.Dist
		switch os.Dist {
		case "exponential", "fixed", "lognormal":
		case "":
			t.Dist = "exponential"
		default:
			bad(path, "on_scene.dist", "must be fixed, exponential or lognormal (got %q)", os.Dist)
		}
		mean, err := scenarios.ParseDuration(os.Mean)
		if err != nil || !(mean > 0) {
			bad(path, "on_scene.mean", "must be a duration > 0 such as 30m (got %q)", os.Mean)
		}
		t.Mean = mean
		if t.Dist == "lognormal" {
			sd, err := scenarios.ParseDuration(os.SD)
			if err != nil || !(sd > 0) {
				bad(path, "on_scene.sd", "a lognormal needs a duration > 0 such as 20m (got %q)", os.SD)
			}
			t.SD = sd
		} else if os.SD != "" {
			bad(path, "on_scene.sd", "is for dist: lognormal only (got %q with %s)", os.SD, t.Dist)
		}
	}
	return t
}

// durationText writes seconds as a scenario duration: whole minutes as
// 12m, else seconds.
func durationText(s float64) string {
	if m := s / 60; m == math.Round(m) {
		return strconv.FormatFloat(m, 'f', -1, 64) + "m"
	}
	return strconv.FormatFloat(math.Round(s), 'f', -1, 64) + "s"
}

// onSceneText is the on_scene mapping of t.
func (t *TypeSpec) onSceneText() string {
	if t.Dist == "lognormal" {
		return fmt.Sprintf("{dist: lognormal, mean: %s, sd: %s}", durationText(t.Mean), durationText(t.SD))
	}
	return fmt.Sprintf("{dist: %s, mean: %s}", t.Dist, durationText(t.Mean))
}
