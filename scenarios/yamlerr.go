package scenarios

// YAML decoding errors turned into FieldErrors with a line and a path.

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlError turns a syntax error in data into a FieldError with a line:
// the parser's own, or for the errors that come without one (a control
// character, an undefined alias) the line of the culprit in data.
func yamlError(name string, data []byte, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	lineOf := func(i int) int { return bytes.Count(data[:i], []byte("\n")) + 1 }
	if m := anchorRE.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line = lineOf(i)
		}
		msg = fmt.Sprintf("alias *%s refers to no anchor &%s defined before it", m[1], m[1])
	} else if strings.Contains(msg, "control characters are not allowed") {
		if i := bytes.IndexFunc(data, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }); i >= 0 {
			line = lineOf(i)
			msg = fmt.Sprintf("a control character (byte 0x%02x) in the text: is this a YAML file?", data[i])
		}
	} else if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(msg[len(m[0]):], " ")
		// go.yaml.in/yaml/v3 (decode.go, parser.fail) gives parser errors
		// the 0-based line of the construct they are in; scanner errors
		// are right. Parser errors are the "did not find expected" ones.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
		// A tab where indentation is read: the scanner's words do not
		// always say "tab", and its line may be the one before.
		if strings.Contains(msg, "cannot start any token") || strings.Contains(msg, "tab character") {
			lines := bytes.Split(data, []byte("\n"))
			for l := line; l >= 1 && l <= min(line+1, len(lines)); l++ {
				if bytes.Contains(lines[l-1], []byte("\t")) {
					line, msg = l, "a tab character: YAML indents with spaces, never tabs"
					break
				}
			}
		}
	}
	return &Error{[]FieldError{{File: name, Line: line, Msg: msg}}}
}

var (
	lineRE   = regexp.MustCompile(`^line (\d+):`)
	anchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// typeErrors turns yaml.TypeError lines into FieldErrors with paths: the
// field is the one on the error's line whose value the error quotes (the
// first such, by column, if several).
func (e *errs) typeErrors(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return yamlError(e.file, e.data, err)
	}
	used := map[string]bool{}
	for _, m := range te.Errors {
		fe := FieldError{File: e.file, Msg: m}
		if mm := typeErrRE.FindStringSubmatch(m); mm != nil {
			fe.Line, _ = strconv.Atoi(mm[1])
			value, into := mm[3], mm[4]
			fe.Path = e.pathAt(fe.Line, value, used)
			used[fe.Path] = true
			if v, ok := e.values[fe.Path]; ok {
				value = v.value // the decoder cuts long values short: 1234567...
			}
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
		cut, short := strings.CutSuffix(value, "...")
		if v.line != line || v.value != value && !(short && strings.HasPrefix(v.value, cut)) {
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
