package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// builtin holds the scenarios shipped in the binary, one folder each with a
// scenario.yaml and its data files.
//
//go:embed jinzhou/*.yaml jinzhou/*.geojson jinzhou-reform/*.yaml grid/*.yaml metropolis/*.yaml
var builtin embed.FS

// DefaultName is the name of the built-in scenario run when none is given.
const DefaultName = "jinzhou"

// Builtins returns the names of the built-in scenarios.
func Builtins() []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// builtinFS is the folder of a built-in scenario: a scenario loaded from
// one is built in (IsBuiltin), whatever its name.
type builtinFS struct{ fs.FS }

// LoadBuiltin loads a built-in scenario by name.
func LoadBuiltin(name string) (*Scenario, error) {
	sub, err := builtinSub(name)
	if err != nil {
		return nil, err
	}
	data, err := fs.ReadFile(sub, "scenario.yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (built in: %s)", name, strings.Join(Builtins(), ", "))
	}
	return Load("builtin:"+name+"/scenario.yaml", data, sub)
}

// BuiltinFile returns a built-in scenario's document and its folder; a
// document loaded from that folder (Load) is built in.
func BuiltinFile(name string) ([]byte, fs.FS, error) {
	sub, err := builtinSub(name)
	if err != nil {
		return nil, nil, err
	}
	data, err := fs.ReadFile(sub, "scenario.yaml")
	if err != nil {
		return nil, nil, fmt.Errorf("no built-in scenario %q (built in: %s)", name, strings.Join(Builtins(), ", "))
	}
	return data, sub, nil
}

func builtinSub(name string) (fs.FS, error) {
	sub, err := fs.Sub(builtin, name)
	if err != nil {
		return nil, err
	}
	return builtinFS{sub}, nil
}

// BuiltinPrefix starts a data path that names a file of a built-in
// scenario, e.g. builtin:jinzhou/communities.geojson. Any scenario may use
// such paths; the served what-if page writes them into downloaded copies of
// a built-in scenario so they run anywhere.
const BuiltinPrefix = "builtin:"

// withBuiltins returns read extended to data paths starting with
// BuiltinPrefix, which are read from the binary.
func withBuiltins(read reader) reader {
	return func(name string) ([]byte, error) {
		rest, ok := strings.CutPrefix(name, BuiltinPrefix)
		if !ok {
			return read(name)
		}
		if !fs.ValidPath(rest) || !strings.Contains(rest, "/") {
			return nil, fmt.Errorf("%s is not a built-in data file (write builtin:SCENARIO/FILE, e.g. builtin:jinzhou/communities.geojson)", name)
		}
		data, err := fs.ReadFile(builtin, rest)
		if err != nil {
			return nil, fmt.Errorf("no built-in data file %s (built-in scenarios: %s)", name, strings.Join(Builtins(), ", "))
		}
		return data, nil
	}
}
