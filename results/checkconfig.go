package results

import (
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CheckConfig says which metrics a check compares, with which tolerances
// and at which level. The zero value is valid: every metric, the default
// tolerances, level DefaultCheckLevel.
type CheckConfig struct {
	File       string          // where it was read from, for messages; "" if none
	Level      float64         // family-wise level in (0, 0.5]; 0: DefaultCheckLevel
	Metrics    []Pattern       // metrics to compare; none: every metric
	Tolerances []ToleranceRule // exact names first, then the first matching pattern
}

// Pattern is a metric name or a pattern of path.Match ("response_*_p1").
type Pattern struct {
	Pattern string
	Line    int // in the check file, 0 if unknown
}

// ToleranceRule sets the tolerance of the metrics matching Pattern. A nil
// field keeps the default of the metric's kind.
type ToleranceRule struct {
	Pattern
	Rel, Abs *float64
}

func (p Pattern) matches(name string) bool {
	if p.Pattern == name {
		return true
	}
	ok, _ := path.Match(p.Pattern, name)
	return ok
}

func (c *CheckConfig) level() float64 {
	if c == nil || c.Level == 0 {
		return DefaultCheckLevel
	}
	return c.Level
}

// selects reports whether metric is compared.
func (c *CheckConfig) selects(metric string) bool {
	if c == nil || len(c.Metrics) == 0 {
		return true
	}
	return slices.ContainsFunc(c.Metrics, func(p Pattern) bool { return p.matches(metric) })
}

// Tolerance returns m's tolerance: the rule naming m exactly, else the
// first rule whose pattern matches, else the default of m's kind.
func (c *CheckConfig) Tolerance(m Metric) Tolerance {
	t := DefaultTolerance(m)
	if c == nil {
		return t
	}
	k := slices.IndexFunc(c.Tolerances, func(r ToleranceRule) bool { return r.Pattern.Pattern == m.Name })
	if k < 0 {
		k = slices.IndexFunc(c.Tolerances, func(r ToleranceRule) bool { return r.matches(m.Name) })
	}
	if k >= 0 {
		if r := c.Tolerances[k]; r.Rel != nil {
			t.Rel = *r.Rel
		}
		if r := c.Tolerances[k]; r.Abs != nil {
			t.Abs = *r.Abs
		}
	}
	return t
}

// ParseCheckConfig reads a check file:
//
//	level: 0.05                      # family-wise level, in (0, 0.5]
//	metrics: [response_*, within_target_p1, incidents_prevented]
//	tolerances:
//	  response_p90_s_p1: {rel: 0.1, abs: 30}
//	  "*_share": {abs: 0.02}
//
// name prefixes every message. Unknown keys, values of the wrong type or
// out of range and bad patterns are errors naming file and line; all of
// them are reported at once. An empty file is the zero configuration.
func ParseCheckConfig(name string, data []byte) (*CheckConfig, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, checkYAMLError(name, err)
	}
	if len(doc.Content) == 0 {
		return &CheckConfig{File: name}, nil
	}
	return ParseCheckNode(name, doc.Content[0])
}

// CheckProblem is one problem of a check configuration, at a line of its
// file (or of the scenario whose check: block it is).
type CheckProblem struct {
	File  string
	Line  int
	Field string // "level", "metrics[1]", "tolerances.response_mean_s.rel"; "" for the whole block
	Msg   string
}

func (p *CheckProblem) Error() string {
	msg := p.Msg
	if p.Field != "" {
		msg = p.Field + ": " + msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, msg)
}

// ParseCheckNode reads a check configuration from a YAML mapping, such as
// the check: block of a scenario; its error joins one *CheckProblem per
// problem, each with the node's line.
func ParseCheckNode(name string, root *yaml.Node) (*CheckConfig, error) {
	c := &CheckConfig{File: name}
	var errs []error
	bad := func(n *yaml.Node, field, format string, args ...any) {
		errs = append(errs, &CheckProblem{File: name, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if root.Kind != yaml.MappingNode {
		bad(root, "", "a check file is a mapping with the keys level, metrics and tolerances")
		return nil, errors.Join(errs...)
	}
	number := func(n *yaml.Node, field string) (float64, bool) {
		var x float64
		if n.Kind != yaml.ScalarNode || n.Decode(&x) != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			bad(n, field, "must be a number (got %s)", nodeText(n))
			return 0, false
		}
		return x, true
	}
	pattern := func(n *yaml.Node, field string) (Pattern, bool) {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
			bad(n, field, "must be a metric name or pattern such as response_*_p1 (got %s)", nodeText(n))
			return Pattern{}, false
		}
		if _, err := path.Match(n.Value, ""); err != nil {
			bad(n, field, "bad pattern %q: %v", n.Value, err)
			return Pattern{}, false
		}
		return Pattern{Pattern: n.Value, Line: n.Line}, true
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			bad(k, k.Value, "given twice")
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "level":
			if x, ok := number(v, "level"); ok {
				if !(x > 0 && x <= 0.5) {
					bad(v, "level", "must be in (0, 0.5] (got %s)", v.Value)
				} else {
					c.Level = x
				}
			}
		case "metrics":
			if v.Kind != yaml.SequenceNode {
				bad(v, "metrics", "must be a list of metric names or patterns (got %s)", nodeText(v))
				continue
			}
			for j, item := range v.Content {
				if p, ok := pattern(item, fmt.Sprintf("metrics[%d]", j)); ok {
					c.Metrics = append(c.Metrics, p)
				}
			}
		case "tolerances":
			if v.Kind != yaml.MappingNode {
				bad(v, "tolerances", "must be a mapping of metric names or patterns to {rel, abs} (got %s)", nodeText(v))
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				pk, pv := v.Content[j], v.Content[j+1]
				field := "tolerances." + pk.Value
				p, ok := pattern(pk, field)
				if !ok {
					continue
				}
				if slices.ContainsFunc(c.Tolerances, func(r ToleranceRule) bool { return r.Pattern.Pattern == p.Pattern }) {
					bad(pk, field, "given twice")
					continue
				}
				if pv.Kind != yaml.MappingNode {
					bad(pv, field, "must be a mapping {rel: …, abs: …} (got %s)", nodeText(pv))
					continue
				}
				rule := ToleranceRule{Pattern: p}
				for m := 0; m+1 < len(pv.Content); m += 2 {
					tk, tv := pv.Content[m], pv.Content[m+1]
					f := field + "." + tk.Value
					var dst **float64
					switch tk.Value {
					case "rel":
						dst = &rule.Rel
					case "abs":
						dst = &rule.Abs
					default:
						bad(tk, f, "unknown key (valid: rel, abs)")
						continue
					}
					if *dst != nil {
						bad(tk, f, "given twice")
						continue
					}
					if x, ok := number(tv, f); ok {
						if x < 0 {
							bad(tv, f, "must be >= 0 (got %s)", tv.Value)
							continue
						}
						*dst = &x
					}
				}
				c.Tolerances = append(c.Tolerances, rule)
			}
		default:
			bad(k, "", "unknown key %q (valid: level, metrics, tolerances)", k.Value)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func nodeText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "an alias"
}

// checkYAMLError turns a YAML syntax error into "file:line: message".
func checkYAMLError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.Contains(msg, "anchor") {
		msg += ` (a pattern that starts with * must be quoted: "*_share")`
	}
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		// go.yaml.in/yaml/v3 gives parser errors ("did not find
		// expected …") the 0-based line of their construct.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
		return fmt.Errorf("%s:%d: %s", name, line, msg)
	}
	return fmt.Errorf("%s: %s", name, msg)
}

// unmatched warns of the configuration's patterns that match no metric.
func (c *CheckConfig) unmatched(metrics []Metric) []string {
	if c == nil {
		return nil
	}
	var out []string
	check := func(p Pattern, what string) {
		if !slices.ContainsFunc(metrics, func(m Metric) bool { return p.matches(m.Name) }) {
			out = append(out, fmt.Sprintf("%s:%d: %s %q matches no metric of this run", c.File, p.Line, what, p.Pattern))
		}
	}
	for _, p := range c.Metrics {
		check(p, "metrics:")
	}
	for _, r := range c.Tolerances {
		check(r.Pattern, "tolerances:")
	}
	return out
}
