package scenarios

// YAML decoding errors turned into FieldErrors with a line and a path.

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlError turns a syntax error into a FieldError.
func yamlError(name string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(msg[len(m[0]):], " ")
		// go.yaml.in/yaml/v3 (decode.go, parser.fail) gives parser errors
		// the 0-based line of the construct they are in; scanner errors
		// are right. Parser errors are the "did not find expected" ones.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
	}
	return &Error{[]FieldError{{File: name, Line: line, Msg: msg}}}
}

var lineRE = regexp.MustCompile(`^line (\d+):`)

// typeErrors turns yaml.TypeError lines into FieldErrors with paths: the
// field is the one on the error's line whose value the error quotes (the
// first such, by column, if several).
func (e *errs) typeErrors(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return yamlError(e.file, err)
	}
	used := map[string]bool{}
	for _, m := range te.Errors {
		fe := FieldError{File: e.file, Msg: m}
		if mm := typeErrRE.FindStringSubmatch(m); mm != nil {
			fe.Line, _ = strconv.Atoi(mm[1])
			value, into := mm[3], mm[4]
			fe.Path = e.pathAt(fe.Line, value, used)
			used[fe.Path] = true
			fe.Msg = fmt.Sprintf("must be %s (got %q)", typeWords(into), value)
		} else if mm := lineRE.FindStringSubmatch(m); mm != nil {
			fe.Line, _ = strconv.Atoi(mm[1])
			fe.Msg = strings.TrimPrefix(m[len(mm[0]):], " ")
			fe.Path = e.keyAt(fe.Line)
		}
		e.list = append(e.list, fe)
	}
	return e.err()
}

var typeErrRE = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+|!<[^>]*>) `(.*)` into (.+)$")

// pathAt returns the path of the scalar value on line whose text is value,
// preferring paths not used yet and then the first by column.
func (e *errs) pathAt(line int, value string, used map[string]bool) string {
	best, bestCol := "", 0
	for p, v := range e.values {
		if v.line != line || v.value != value {
			continue
		}
		better := best == "" || (used[best] && !used[p]) ||
			(used[best] == used[p] && (v.col < bestCol || v.col == bestCol && p < best))
		if better {
			best, bestCol = p, v.col
		}
	}
	return best
}

// keyAt returns the shortest path (then the first in order) whose key or
// item is on line.
func (e *errs) keyAt(line int) string {
	best := ""
	for p, l := range e.lines {
		if l == line && p != "" && (best == "" || len(p) < len(best) || len(p) == len(best) && p < best) {
			best = p
		}
	}
	return best
}

func typeWords(goType string) string {
	switch goType {
	case "int", "int64", "int32":
		return "a whole number"
	case "uint64", "uint", "uint32":
		return "a whole number >= 0"
	case "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a text"
	}
	if strings.HasPrefix(goType, "[]") {
		return "a list"
	}
	if strings.HasPrefix(goType, "map[") || strings.HasPrefix(goType, "scenarios.") {
		return "a mapping"
	}
	return "a value of type " + goType
}
