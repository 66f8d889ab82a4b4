package scenarios

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// FieldError is one problem in a scenario file.
type FieldError struct {
	File string // the scenario file
	Line int    // 1-based; 0 if unknown
	Path string // field path, e.g. units[2].speed_kmh
	Msg  string
}

func (e FieldError) String() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Error is every problem found in a scenario, one per line.
type Error struct{ Problems []FieldError }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// errs collects problems, finding each path's line in the document.
type errs struct {
	file   string
	data   []byte             // the document, for lines of errors that have none
	lines  map[string]int     // path → line of its key or item
	values map[string]nodePos // path → its scalar value and where it stands
	list   []FieldError
	walked int // nodes checkKeys visited: aliases are followed within maxWalk
}

// maxWalk bounds the nodes checkKeys visits, following aliases: a document
// of nested aliases ("billion laughs") expands exponentially.
const maxWalk = 1 << 20

// nodePos is a scalar value and its position in the document.
type nodePos struct {
	line, col int
	value     string
}

func (e *errs) add(path, format string, args ...any) {
	e.list = append(e.list, FieldError{File: e.file, Line: e.line(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// line returns the line of path, or of its nearest ancestor present in the
// document.
func (e *errs) line(path string) int {
	for p := path; ; {
		if l, ok := e.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return e.lines[""]
		}
		p = p[:i]
	}
}

func (e *errs) err() error {
	if len(e.list) == 0 {
		return nil
	}
	sort.SliceStable(e.list, func(i, j int) bool { return e.list[i].Line < e.list[j].Line })
	return &Error{Problems: e.list}
}

// indexLines records the line of every mapping value and sequence item, and
// the position of every scalar value.
func indexLines(n *yaml.Node, path string, out map[string]int, values map[string]nodePos) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		out[""] = n.Content[0].Line
		indexLines(n.Content[0], "", out, values)
		return
	}
	if n.Kind == yaml.ScalarNode {
		values[path] = nodePos{n.Line, n.Column, n.Value}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			out[p] = k.Line
			indexLines(v, p, out, values)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			out[p] = item.Line
			indexLines(item, p, out, values)
		}
	}
}

// checkKeys reports mapping keys that name no field of t (yaml tags), with a
// suggestion when a field is spelled alike. Types that decode themselves
// (implementing yaml.Unmarshaler) and maps are checked by their own code.
func checkKeys(n *yaml.Node, t reflect.Type, path string, e *errs) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) > 0 {
			checkKeys(n.Content[0], t, path, e)
		}
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if e.walked++; e.walked > maxWalk {
		return
	}
	if n.Kind == yaml.AliasNode {
		// The keys of an anchored mapping are checked where it is used,
		// against the type of that place.
		if n.Alias != nil {
			checkKeys(n.Alias, t, path, e)
		}
		return
	}
	switch t.Kind() {
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for i, item := range n.Content {
				checkKeys(item, t.Elem(), path+"["+strconv.Itoa(i)+"]", e)
			}
		}
		return
	case reflect.Map:
		// Keys are free; values that are structs have their keys checked.
		if n.Kind == yaml.MappingNode && t.Elem() != yamlNodeType {
			for i := 0; i+1 < len(n.Content); i += 2 {
				checkKeys(n.Content[i+1], t.Elem(), path+"."+n.Content[i].Value, e)
			}
		}
		return
	case reflect.Struct:
		if t == yamlNodeType {
			return
		}
	default:
		return
	}
	if n.Kind != yaml.MappingNode || reflect.PointerTo(t).Implements(unmarshalerType) && !selfChecked(t) {
		return
	}
	fields := map[string]reflect.Type{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = f.Type
		names = append(names, tag)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if k == "<<" {
			// A YAML merge key: the merged mappings' keys join this one's.
			v := n.Content[i+1]
			for _, m := range append([]*yaml.Node{v}, v.Content...) {
				if m.Kind == yaml.AliasNode || m.Kind == yaml.MappingNode && m != v {
					checkKeys(m, t, path, e)
				}
			}
			continue
		}
		p := k
		if path != "" {
			p = path + "." + k
		}
		ft, ok := fields[k]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", k)
			if s := closest(k, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (valid: " + strings.Join(names, ", ") + ")"
			}
			e.list = append(e.list, FieldError{File: e.file, Line: n.Content[i].Line, Path: p, Msg: msg})
			continue
		}
		checkKeys(n.Content[i+1], ft, p, e)
	}
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	yamlNodeType    = reflect.TypeFor[yaml.Node]()
)

// selfChecked marks struct types that implement yaml.Unmarshaler only to
// set defaults: their keys are still checked here.
func selfChecked(t reflect.Type) bool {
	_, ok := reflect.New(t).Interface().(interface{ defaultsOnly() })
	return ok
}

// closest is the candidate a misspelt word was probably meant to be.
func closest(s string, cands []string) string { return suggest.Closest(s, cands) }
