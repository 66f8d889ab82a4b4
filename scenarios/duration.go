package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/yamlnode"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// Duration is a length of time written with its unit: 90s, 12m, 1.5h, 30d,
// 1w, or a sum such as 1h30m. A bare 0 is allowed. It holds seconds.
type Duration struct {
	Seconds float64
	raw     string // the text when it did not parse, for the error message
	why     string // the error message, if not the generic one
	bad     bool
}

// D returns a Duration of s seconds.
func D(s float64) Duration { return Duration{Seconds: s} }

var durationUnits = []struct {
	suffix string
	s      float64
}{{"w", 7 * 86400}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}

// ParseDuration parses the duration syntax described at Duration.
func ParseDuration(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "0" {
		return 0, nil
	}
	if t == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("must not be negative (got %s)", t)
	}
	total := 0.0
	for t != "" {
		i := 0
		for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid duration %q (want a number and a unit: s, m, h, d or w, e.g. 90s, 12m, 30d)", s)
		}
		num, err := strconv.ParseFloat(t[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		t = t[i:]
		j := 0
		for j < len(t) && t[j] >= 'a' && t[j] <= 'z' {
			j++
		}
		unit := t[:j]
		t = t[j:]
		mult := 0.0
		for _, u := range durationUnits {
			if u.suffix == unit {
				mult = u.s
			}
		}
		if mult == 0 {
			return 0, fmt.Errorf("invalid duration %q (want a number and a unit: s, m, h, d or w, e.g. 90s, 12m, 30d)", s)
		}
		total += num * mult
	}
	if math.IsInf(total, 0) || math.IsNaN(total) {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return total, nil
}

// FormatDuration writes seconds in the largest unit that divides them, or
// as a sum (e.g. 1h30m); fractions of a second are kept.
func FormatDuration(s float64) string {
	if s == 0 {
		return "0"
	}
	if s < 0 || s != math.Trunc(s) || s > 1e15 {
		// Plain decimal notation, which ParseDuration reads back exactly.
		return strconv.FormatFloat(s, 'f', -1, 64) + "s"
	}
	var b strings.Builder
	rest := s
	for _, u := range durationUnits {
		if u.suffix == "w" {
			continue
		}
		if n := math.Floor(rest / u.s); n >= 1 {
			b.WriteString(strconv.FormatFloat(n, 'f', 0, 64))
			b.WriteString(u.suffix)
			rest -= n * u.s
		}
	}
	return b.String()
}

// UnmarshalYAML reads a duration; a malformed one is kept and reported by
// validation with its field name.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	*d = Duration{}
	if n.Kind != yaml.ScalarNode {
		d.bad, d.why = true, "must be a duration such as 12m (got a "+yamlnode.KindName(n)+")"
		return nil
	}
	s, err := ParseDuration(n.Value)
	if err != nil {
		d.raw, d.bad = n.Value, true
		if strings.HasPrefix(strings.TrimSpace(n.Value), "-") {
			d.why = fmt.Sprintf("must not be negative (got %s)", n.Value)
		}
		return nil
	}
	d.Seconds = s
	return nil
}

// MarshalYAML writes the canonical form.
func (d Duration) MarshalYAML() (any, error) { return FormatDuration(d.Seconds), nil }

// check reports a malformed duration.
func (d Duration) check(e *errs, path string) bool {
	if d.bad {
		if d.why != "" {
			e.add(path, "%s", d.why)
		} else {
			e.add(path, "invalid duration %q (want a number and a unit: s, m, h, d or w, e.g. 90s, 12m, 30d)", d.raw)
		}
		return false
	}
	return true
}

// FormatParam writes the value x of a policy parameter as a scenario file
// would: a duration as "15m", a choice by its name, a number as it is.
func FormatParam(p policy.Param, x float64) string {
	switch p.Kind {
	case policy.Duration:
		return FormatDuration(x)
	case policy.Choice:
		if i := int(x); i >= 0 && i < len(p.Choices) {
			return p.Choices[i]
		}
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// ParamRange writes the valid values of a policy parameter: "1h … 90d" or
// "one of a, b".
func ParamRange(p policy.Param) string {
	if p.Kind == policy.Choice {
		return "one of " + strings.Join(p.Choices, ", ")
	}
	return FormatParam(p, p.Min) + " … " + FormatParam(p, p.Max)
}
