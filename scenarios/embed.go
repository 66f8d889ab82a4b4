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
//go:embed jinzhou/*.yaml jinzhou/*.geojson grid/*.yaml
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

// LoadBuiltin loads a built-in scenario by name.
func LoadBuiltin(name string) (*Scenario, error) {
	sub, err := fs.Sub(builtin, name)
	if err != nil {
		return nil, err
	}
	data, err := fs.ReadFile(sub, "scenario.yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (built in: %s)", name, strings.Join(Builtins(), ", "))
	}
	return Load("builtin:"+name+"/scenario.yaml", data, sub)
}

// BuiltinFile returns a built-in scenario's document and its folder.
func BuiltinFile(name string) ([]byte, fs.FS, error) {
	sub, err := fs.Sub(builtin, name)
	if err != nil {
		return nil, nil, err
	}
	data, err := fs.ReadFile(sub, "scenario.yaml")
	if err != nil {
		return nil, nil, fmt.Errorf("no built-in scenario %q (built in: %s)", name, strings.Join(Builtins(), ", "))
	}
	return data, sub, nil
}
