package optimize

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Spec is an OPT.yaml file: what to search, within what budget, and how.
type Spec struct {
	Version int `yaml:"version"`
	// Scenario is the scenario to optimise: a path relative to the OPT
	// file, or builtin:NAME.
	Scenario string `yaml:"scenario"`
	// Variant names the scenario's variant whose policies and dispatch
	// every candidate uses; empty means the first.
	Variant  string   `yaml:"variant"`
	Decision Decision `yaml:"decision"`
	Budget   Budget   `yaml:"budget"`
	Screen   Screen   `yaml:"screen"`
	Select   Select   `yaml:"select"`
	// Objective is what the selection ranks by and its constraints
	// (objective.go); absent, the scenario's ranking objective.
	Objective Objective `yaml:"objective"`

	pos *parser // the file's name and the line of each field, for Prepare's messages
}

// Decision is the decision variable.
type Decision struct {
	// Kind is unit-counts, post-sites, squad-size or shifts (Kinds).
	Kind string `yaml:"kind"`
	// Unit is the scenario's unit type whose deployment is decided: with
	// unit-counts a type with home: district, with post-sites one with
	// home: post.
	Unit string `yaml:"unit"`
	// Districts (unit-counts) are the districts that get a count, by
	// name; empty means every district.
	Districts []string `yaml:"districts"`
	// Candidates (post-sites) are the sites to choose from: "communities"
	// (a point inside each area of the city, its centroid when that lies
	// inside) or a GeoJSON file of Point features (path relative to the
	// OPT file; property name, default siteN).
	Candidates string `yaml:"candidates"`
	// Count (post-sites) is k, the units to place; 0 means the unit
	// type's count in the scenario.
	Count int `yaml:"count"`
	// Current (post-sites) also simulates the scenario's own placement of
	// the unit type, as candidate "current", beside the screen's best;
	// nil means true.
	Current *bool `yaml:"current"`
	// Squads (squad-size) are the squad sizes to compare at equal
	// officer-hours; empty means [1, 2].
	Squads []int `yaml:"squads"`
	// Starts (shifts) are the shift starts (HH:MM) to choose from; each
	// unit of the type starts at one of them, for the type's shift hours
	// (or, with Hours, for each of Hours).
	Starts []string `yaml:"starts"`
	// Hours (shifts) are the shift lengths to choose from, with Starts:
	// every start with every length is a pattern. One number or a list;
	// empty means the type's own length and a fixed count of units.
	Hours Hours `yaml:"hours"`
	// Shifts (shifts) are the patterns to choose from, each a start and a
	// length, instead of Starts.
	Shifts []Pattern `yaml:"shifts"`
	// Floor (shifts) is the units of the type on duty, at least, in each
	// hour: one number or 24.
	Floor Floor `yaml:"floor"`
	// Min and Max bound each district's count (unit-counts) or each
	// site's units (post-sites). Max 0 means: no bound but the budget's
	// (unit-counts), 1 (post-sites).
	Min int `yaml:"min"`
	Max int `yaml:"max"`
}

// Budget bounds the decided units; zero fields are no bound, and at least
// one must be given.
type Budget struct {
	// OfficerHours is the most officer-hours a day: Σ count × squad ×
	// shift hours over the decided units.
	OfficerHours float64 `yaml:"officer_hours"`
	// Units is the most decided units in all.
	Units int `yaml:"units"`
}

// Screen is stage 1.
type Screen struct {
	// Method is hypercube (unit-counts and squad-size), expected-travel
	// (post-sites' default) or coverage (post-sites), or hourly (shifts);
	// empty means the kind's default.
	Method string `yaml:"method"`
	Keep   int    `yaml:"keep"` // candidates passed to the selection (default 4)
	// Busy (post-sites) is the probability that a unit of the decided
	// type is busy when a call comes, in [0, 0.95]; nil means the force's
	// offered load per unit (the hypercube's pooled utilisation). 0 makes
	// the score the p-median's.
	Busy *float64 `yaml:"busy"`
}

// Select is stage 2.
type Select struct {
	// Delta is the indifference zone in the objective's units (seconds
	// for response times); 0 means run.DefaultDelta.
	Delta float64 `yaml:"delta"`
	// Alpha is 1 − the probability of correct selection; 0 means the
	// scenario's ranking.alpha.
	Alpha float64 `yaml:"alpha"`
	First int     `yaml:"first"` // first-stage replications; 0 means run.DefaultFirst
	Max   int     `yaml:"max"`   // the most replications; 0 means run.DefaultMaxReplications
}

// Kinds are the decision kinds (issue 18).
var Kinds = []string{"unit-counts", "post-sites", "squad-size", "shifts"}

// Screen methods.
const (
	Hypercube      = "hypercube"       // Larson's hypercube: mean response (unit-counts)
	ExpectedTravel = "expected-travel" // expected travel to the first free unit, p-median at busy 0 (post-sites)
	Coverage       = "coverage"        // MEXCLP: the share of calls without a free unit within the P1 target (post-sites)
	Hourly         = "hourly"          // hour by hour Erlang C of the units on duty (shifts)
)

// Defaults.
const (
	DefaultKeep = 4
	MaxKeep     = 20
	MaxSquad    = 100 // officers a squad, as units[].squad allows
)

// FieldError is one problem of an OPT file.
type FieldError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Field, e.Msg)
}

// Error is every problem found in an OPT file.
type Error struct{ List []FieldError }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the optimisation file:", len(e.List))
	for _, f := range e.List {
		b.WriteString("\n  " + f.Error())
	}
	return b.String()
}

// Parse reads and checks an OPT document called name (for messages). All
// problems found are returned in one *Error, each naming the file, line,
// field and value. References to the scenario (unit, districts, variant)
// are checked by Prepare, once the scenario is loaded.
func Parse(name string, data []byte) (*Spec, error) {
	p := &parser{file: name, lines: map[string]int{}}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			p.add("", "the file is empty; an optimisation is a YAML mapping (version: 1, scenario: …, decision: …, budget: …)")
			return nil, p.err()
		}
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		p.add("", "an optimisation must be a YAML mapping (version: 1, scenario: …, decision: …, budget: …)")
		return nil, p.err()
	}
	top := root.Content[0]
	p.index(top, "")
	p.keys(top, "", "version", "scenario", "variant", "decision", "budget", "screen", "select", "objective")
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i].Value, top.Content[i+1]
		switch k {
		case "decision":
			p.keys(v, "decision", "kind", "unit", "districts", "candidates", "count", "current", "squads", "starts", "hours", "shifts", "floor", "min", "max")
			for j := 0; j+1 < len(v.Content); j += 2 {
				if v.Content[j].Value == "shifts" && v.Content[j+1].Kind == yaml.SequenceNode {
					for i, item := range v.Content[j+1].Content {
						p.keys(item, fmt.Sprintf("decision.shifts[%d]", i), "start", "hours")
					}
				}
			}
		case "budget":
			p.keys(v, "budget", "officer_hours", "units")
		case "screen":
			p.keys(v, "screen", "method", "keep", "busy")
		case "select":
			p.keys(v, "select", "delta", "alpha", "first", "max")
		case "objective":
			p.keys(v, "objective", "minimise", "maximise", "subject_to")
		}
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	s := &Spec{Screen: Screen{Keep: DefaultKeep}}
	if err := top.Decode(s); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				p.list = append(p.list, p.typeError(m))
			}
			return nil, p.err()
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p.check(s)
	p.checkObjective(s)
	if len(p.list) > 0 {
		return nil, p.err()
	}
	s.pos = p
	return s, nil
}

func (p *parser) check(s *Spec) {
	if s.Version != 1 {
		p.add("version", "must be 1 (got %d)", s.Version)
	}
	if s.Scenario == "" {
		p.add("scenario", "missing: the scenario to optimise (a path relative to this file, or builtin:NAME)")
	}
	d := s.Decision
	switch {
	case d.Kind == "":
		p.add("decision.kind", "missing: say which decision (%s)", strings.Join(Kinds, ", "))
	case slices.Contains(Kinds, d.Kind):
	default:
		p.add("decision.kind", "unknown kind (valid: %s; got %q)", strings.Join(Kinds, ", "), d.Kind)
	}
	if d.Unit == "" {
		switch d.Kind {
		case "unit-counts":
			p.add("decision.unit", "missing: the scenario's unit type whose count per district is decided")
		case "post-sites":
			p.add("decision.unit", "missing: the scenario's unit type (home: post) whose sites are decided")
		case "squad-size":
			p.add("decision.unit", "missing: the scenario's unit type whose squad size is decided")
		case "shifts":
			p.add("decision.unit", "missing: the scenario's unit type (home: district) whose shift starts are decided")
		}
	}
	if d.Min < 0 {
		p.add("decision.min", "must be at least 0 (got %d)", d.Min)
	}
	if d.Max < 0 || (d.Max > 0 && d.Max < d.Min) {
		p.add("decision.max", "must be 0 (no bound) or at least decision.min = %d (got %d)", d.Min, d.Max)
	}
	b := s.Budget
	if b.OfficerHours < 0 || b.OfficerHours != b.OfficerHours {
		p.add("budget.officer_hours", "must be positive, officer-hours a day (got %g)", b.OfficerHours)
	}
	if b.Units < 0 {
		p.add("budget.units", "must be positive (got %d)", b.Units)
	}
	if d.Count < 0 {
		p.add("decision.count", "must be positive, the units to place (got %d)", d.Count)
	}
	if d.Kind != "post-sites" && d.Current != nil {
		p.add("decision.current", "is for post-sites")
	}
	if d.Kind != "squad-size" && len(d.Squads) > 0 {
		p.add("decision.squads", "is for squad-size")
	}
	if d.Kind != "shifts" && len(d.Starts) > 0 {
		p.add("decision.starts", "is for shifts")
	}
	if d.Kind != "shifts" && len(d.Floor) > 0 {
		p.add("decision.floor", "is for shifts")
	}
	if d.Kind != "shifts" && len(d.Hours) > 0 {
		p.add("decision.hours", "is for shifts")
	}
	if d.Kind != "shifts" && len(d.Shifts) > 0 {
		p.add("decision.shifts", "is for shifts")
	}
	switch d.Kind {
	case "shifts":
		p.checkShifts(s)
	case "squad-size":
		for i, q := range d.Squads {
			if q < 1 || q > MaxSquad {
				p.add(fmt.Sprintf("decision.squads[%d]", i), "must be between 1 and %d officers (got %d)", MaxSquad, q)
			} else if slices.Index(d.Squads, q) < i {
				p.add(fmt.Sprintf("decision.squads[%d]", i), "squad size %d listed twice", q)
			}
		}
		if len(d.Squads) == 1 {
			p.add("decision.squads", "give at least two squad sizes to compare (got %v)", d.Squads)
		}
		if len(d.Squads) > MaxKeep {
			p.add("decision.squads", "at most %d squad sizes (got %d)", MaxKeep, len(d.Squads))
		}
		if d.Candidates != "" || d.Count != 0 || len(d.Districts) > 0 || d.Min != 0 || d.Max != 0 {
			p.add("decision", "squad-size takes unit and squads only (candidates, count, districts, min and max are for the other kinds)")
		}
		if b.Units != 0 {
			p.add("budget.units", "squad-size compares squads at equal officer-hours: give budget.officer_hours (default: the unit type's own) instead of units")
		}
		if s.Screen.Method == "" {
			s.Screen.Method = Hypercube
		}
		if s.Screen.Method != Hypercube {
			p.add("screen.method", "must be %s for squad-size (got %q)", Hypercube, s.Screen.Method)
		}
		if s.Screen.Busy != nil {
			p.add("screen.busy", "is for the expected-travel screen of post-sites")
		}
	case "post-sites":
		if d.Candidates == "" {
			p.add("decision.candidates", "missing: communities (a point inside each area) or a GeoJSON file of Point features")
		}
		if len(d.Districts) > 0 {
			p.add("decision.districts", "is for unit-counts: post-sites chooses among decision.candidates")
		}
		if b.OfficerHours != 0 || b.Units != 0 {
			p.add("budget", "post-sites places decision.count units (default: the unit type's count): give no budget")
		}
		if d.Min != 0 {
			p.add("decision.min", "post-sites has no floor per site: give 0 or leave it out (got %d)", d.Min)
		}
		if s.Screen.Method == "" {
			s.Screen.Method = ExpectedTravel
		}
		if s.Screen.Method != ExpectedTravel && s.Screen.Method != Coverage {
			p.add("screen.method", "must be %s or %s for post-sites (got %q; the hypercube pools the whole force and takes too long at 20 sites or more: docs/optimize.md)", ExpectedTravel, Coverage, s.Screen.Method)
		}
		if x := s.Screen.Busy; x != nil && !(*x >= 0 && *x <= 0.95) {
			p.add("screen.busy", "must be between 0 and 0.95, the probability that a unit is busy (got %g)", *x)
		}
	case "unit-counts":
		if d.Candidates != "" {
			p.add("decision.candidates", "is for post-sites: unit-counts decides counts per district")
		}
		if d.Count != 0 {
			p.add("decision.count", "is for post-sites: unit-counts takes the number of units from the budget")
		}
		if b.OfficerHours == 0 && b.Units == 0 {
			p.add("budget", "give officer_hours (a day) or units, or both: without a budget more units are always better")
		}
		if s.Screen.Method == "" {
			s.Screen.Method = Hypercube
		}
		if s.Screen.Method != Hypercube {
			p.add("screen.method", "must be %s for unit-counts, the one screen of this version (got %q)", Hypercube, s.Screen.Method)
		}
		if s.Screen.Busy != nil {
			p.add("screen.busy", "is for the expected-travel screen of post-sites")
		}
	}
	if s.Screen.Keep < 2 || s.Screen.Keep > MaxKeep {
		p.add("screen.keep", "must be between 2 and %d candidates (got %d)", MaxKeep, s.Screen.Keep)
	}
	sel := s.Select
	if sel.Delta < 0 || sel.Delta != sel.Delta {
		p.add("select.delta", "must be positive, in the objective's units (got %g)", sel.Delta)
	}
	if sel.Alpha < 0 || sel.Alpha >= 0.5 || sel.Alpha != sel.Alpha {
		p.add("select.alpha", "must be in (0, 0.5), or 0 for the scenario's ranking.alpha (got %g)", sel.Alpha)
	}
	if sel.First != 0 && sel.First < 2 {
		p.add("select.first", "must be at least 2 replications (got %d)", sel.First)
	}
	if sel.Max < 0 || (sel.Max > 0 && sel.Max < max(sel.First, 2)) {
		p.add("select.max", "must be at least select.first (got %d)", sel.Max)
	}
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// typeError turns yaml's "line N: cannot unmarshal !!str `x` into int"
// into a problem naming the field on that line.
func (p *parser) typeError(m string) FieldError {
	fe := FieldError{File: p.file, Field: "(value)", Msg: m}
	g := lineRE.FindStringSubmatch(m)
	if g == nil {
		return fe
	}
	fe.Line, _ = strconv.Atoi(g[1])
	fe.Msg = strings.Replace(g[2], "cannot unmarshal", "wrong type: cannot read", 1)
	for f, l := range p.lines {
		// The deepest field on the line (a flow mapping holds several:
		// the lowest path in order for determinism).
		if l == fe.Line && f != "" && (fe.Field == "(value)" || len(f) > len(fe.Field) || (len(f) == len(fe.Field) && f < fe.Field)) {
			fe.Field = f
		}
	}
	return fe
}

type parser struct {
	file  string
	lines map[string]int // field path → line
	list  []FieldError
}

func (p *parser) add(field, format string, args ...any) {
	p.list = append(p.list, FieldError{File: p.file, Line: p.line(field), Field: field, Msg: fmt.Sprintf(format, args...)})
}

// line is the line of field, or of its nearest parent that has one.
func (p *parser) line(field string) int {
	for f := field; ; {
		if l, ok := p.lines[f]; ok {
			return l
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			return p.lines[""]
		}
		f = f[:i]
	}
}

func (p *parser) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &Error{p.list}
}

// index records the line of every field under n.
func (p *parser) index(n *yaml.Node, path string) {
	if _, ok := p.lines[path]; !ok {
		p.lines[path] = n.Line
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if path != "" {
				k = path + "." + k
			}
			p.lines[k] = n.Content[i+1].Line
			p.index(n.Content[i+1], k)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p.index(c, path+"["+strconv.Itoa(i)+"]")
		}
	}
}

// keys refuses the keys of mapping n (at path) that are not in valid.
func (p *parser) keys(n *yaml.Node, path string, valid ...string) {
	if n.Kind != yaml.MappingNode {
		if path != "" {
			p.add(path, "must be a mapping (keys: %s)", strings.Join(valid, ", "))
		}
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !slices.Contains(valid, k) {
			f := k
			if path != "" {
				f = path + "." + k
			}
			p.list = append(p.list, FieldError{File: p.file, Line: n.Content[i].Line, Field: f, Msg: fmt.Sprintf("unknown key %q (valid: %s)", k, strings.Join(valid, ", "))})
		}
	}
}
