package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"reflect"

	"github.com/patrolsim/patrolsim/sim"
	"go.yaml.in/yaml/v3"
)

// Scenario is a loaded, validated scenario ready to run.
type Scenario struct {
	File     File   // as written, defaults filled in
	Path     string // where it was read from
	Config   *sim.Config
	Variants []sim.Variant
	// Replay describes the incident log the scenario replays (what was
	// read, left out, and the recorded response times); nil when its
	// incidents are drawn.
	Replay *ReplaySummary

	read    reader // data files named by the scenario
	builtin bool   // loaded from a built-in scenario's folder
}

// reader reads a data file named in a scenario.
type reader func(name string) ([]byte, error)

// LoadFile reads and validates a scenario file. Data files it names are
// read relative to its folder; absolute paths are allowed.
func LoadFile(path string) (*Scenario, error) {
	data, err := readFileLimited(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read scenario %s: %w", path, unwrapPath(err))
	}
	return LoadAt(path, data)
}

// LoadAt validates the scenario document data as if it were the file at
// path: messages name path, and data files are read relative to its folder.
func LoadAt(path string, data []byte) (*Scenario, error) {
	dir := filepath.Dir(path)
	return load(path, data, func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return readFileLimited(name)
	})
}

// Load validates a scenario document called name (for messages), reading
// data files from fsys, which may be nil for a scenario without any. Every
// problem found is reported in one *Error.
func Load(name string, data []byte, fsys fs.FS) (*Scenario, error) {
	s, err := load(name, data, func(file string) ([]byte, error) {
		if fsys == nil {
			return nil, errors.New("no folder to read data files from")
		}
		if !fs.ValidPath(file) {
			return nil, errors.New("data paths must stay inside the scenario's folder")
		}
		return readLimited(fsys, file)
	})
	if s != nil {
		_, s.builtin = fsys.(builtinFS)
	}
	return s, err
}

func load(name string, data []byte, read reader) (*Scenario, error) {
	e := &errs{file: name, data: data, lines: map[string]int{}, values: map[string]nodePos{}}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{[]FieldError{{File: name, Line: 1, Msg: "the file is empty; a scenario is a YAML mapping (version: 1, name: …, city: …)"}}}
		}
		return nil, yamlError(name, data, err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{[]FieldError{{File: name, Line: root.Line, Msg: "a scenario must be a YAML mapping (version: 1, name: …, city: …)"}}}
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, &Error{[]FieldError{{File: name, Line: max(second.Line, 1), Msg: "a second YAML document (after ---): a scenario file holds one"}}}
	}
	indexLines(&root, "", e.lines, e.values)
	checkKeys(&root, reflect.TypeFor[File](), "", e)
	f := Default()
	if err := root.Decode(&f); err != nil {
		return nil, e.typeErrors(err)
	}
	read = withBuiltins(read)
	s := &Scenario{File: f, Path: name, read: read}
	s.Config, s.Variants, s.Replay = build(&f, read, e)
	if err := e.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// IsBuiltin reports whether the scenario is one of those in the binary (or
// a document loaded from its folder, as BuiltinFile gives it): its data
// files are in the binary. A name starting with builtin: does not make a
// scenario built in.
func (s *Scenario) IsBuiltin() bool { return s.builtin }

// ReadData reads a data file named in the scenario, as the loader did.
func (s *Scenario) ReadData(name string) ([]byte, error) { return s.read(name) }
