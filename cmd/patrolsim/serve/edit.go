package serve

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// Edits are the knobs of the page, applied to the scenario document. A nil
// field leaves the document as it is.
type Edits struct {
	Scenario     string                 `json:"scenario,omitempty"` // which scenario: "" (or "start") the one the server started with, else an upload's id
	Units        map[string]UnitEdit    `json:"units,omitempty"`    // unit type name → changes
	Variants     []string               `json:"variants,omitempty"` // the variants to keep, by name; empty: all
	Variant      map[string]VariantEdit `json:"variant,omitempty"`  // variant name → changes
	PerDay       *float64               `json:"per_day,omitempty"`
	Duration     *string                `json:"duration,omitempty"` // e.g. "30d"
	Replications *int                   `json:"replications,omitempty"`
	Deterrence   *bool                  `json:"deterrence,omitempty"`
	HalfPresence *float64               `json:"half_presence,omitempty"` // deterrence.half_presence
	RadiusM      *float64               `json:"radius_m,omitempty"`      // deterrence.radius_m
}

// UnitEdit changes one unit type.
type UnitEdit struct {
	Count      *int     `json:"count,omitempty"`
	Squad      *int     `json:"squad,omitempty"`
	ShiftStart *string  `json:"shift_start,omitempty"` // HH:MM
	ShiftHours *float64 `json:"shift_hours,omitempty"`
}

// VariantEdit changes one variant: its dispatch mode and policy parameters.
// A parameter's value is written as YAML would read it, so "3", "2h" and
// "true" keep their types; the loader checks them as it checks a file.
type VariantEdit struct {
	Policy   *string           `json:"policy,omitempty"`   // a registered policy name
	Dispatch *string           `json:"dispatch,omitempty"` // point-to-point or hierarchical
	Params   map[string]string `json:"params,omitempty"`   // "" removes the parameter: back to its default
}

// Form is the scenario as the page's form shows it.
type Form struct {
	ID           string        `json:"id"`     // "start", or the upload's id ("u1", …)
	Source       string        `json:"source"` // the document's name in messages: its path, builtin:NAME/scenario.yaml or the uploaded file's name
	Files        []string      `json:"files"`  // data files uploaded with it
	Name         string        `json:"name"`
	Duration     string        `json:"duration"`
	DurationDays float64       `json:"duration_days"`
	Replications int           `json:"replications"`
	PerDay       float64       `json:"per_day"`
	Deterrence   bool          `json:"deterrence"`
	HalfPresence float64       `json:"half_presence"`
	RadiusM      float64       `json:"radius_m"`
	Units        []FormUnit    `json:"units"`
	Variants     []FormVariant `json:"variants"`
	Areas        int           `json:"areas"`
	Districts    int           `json:"districts"`
	MaxWork      int           `json:"max_work"`              // the run size limit
	MapProblem   string        `json:"map_problem,omitempty"` // why GET /api/map.svg does not draw this city (too big); "" when it does
	Policies     []FormPolicy  `json:"policies"`              // what a variant may choose
}

// FormPolicy is one registered policy and its parameters.
type FormPolicy struct {
	Name   string      `json:"name"`
	Doc    string      `json:"doc"`
	Params []FormParam `json:"params"`
}

// FormParam is one policy parameter, its values written as in a scenario.
type FormParam struct {
	Name    string `json:"name"`
	Default string `json:"default"`
	Valid   string `json:"valid"` // "1h … 90d" or "one of a, b"
	Doc     string `json:"doc"`
}

// policies lists the registered policies in name order.
func policies() []FormPolicy {
	out := []FormPolicy{}
	for _, name := range policy.Names() {
		spec, _ := policy.Lookup(name)
		fp := FormPolicy{Name: name, Doc: spec.Doc, Params: []FormParam{}}
		for _, p := range spec.Params {
			fp.Params = append(fp.Params, FormParam{Name: p.Name, Default: scenarios.FormatParam(p, p.Default), Valid: scenarios.ParamRange(p), Doc: p.Doc})
		}
		out = append(out, fp)
	}
	return out
}

// FormUnit is one unit type.
type FormUnit struct {
	Name       string  `json:"name"`
	Count      int     `json:"count"`
	Squad      int     `json:"squad"`
	ShiftStart string  `json:"shift_start"`
	ShiftHours float64 `json:"shift_hours"`
}

// FormVariant is one variant.
type FormVariant struct {
	Name     string            `json:"name"`
	Policy   string            `json:"policy"`
	Dispatch string            `json:"dispatch"`
	Params   map[string]string `json:"params,omitempty"` // "" removes the parameter: back to its default
	// Units are the variant's own force (its units: block), by unit type:
	// they replace the scenario's count, squad or shift in this variant,
	// so an edit of that field in the units table does not reach it.
	Units map[string]FormOverride `json:"units,omitempty"`
	// ByUnit are the unit types with a policy of their own in this
	// variant: "follow-incidents" or "follow-incidents (half_life=1d)".
	ByUnit map[string]string `json:"by_unit,omitempty"`
	// Blocks are the variant's own deterrence and reporting keys, as
	// YAML: {"deterrence": "{enabled: false}"}.
	Blocks map[string]string `json:"blocks,omitempty"`
}

// FormOverride is a variant's own force for one unit type; a nil field is
// the scenario's.
type FormOverride struct {
	Count      *int     `json:"count,omitempty"`
	Squad      *int     `json:"squad,omitempty"`
	ShiftStart *string  `json:"shift_start,omitempty"`
	ShiftHours *float64 `json:"shift_hours,omitempty"`
}

// overrideOf returns a variant's override as the form shows it.
func overrideOf(o scenarios.UnitOverride) FormOverride {
	fo := FormOverride{Count: o.Count, Squad: o.Squad}
	if o.Shift != nil {
		if o.Shift.Start != "" {
			fo.ShiftStart = &o.Shift.Start
		}
		if o.Shift.Hours != 0 {
			fo.ShiftHours = &o.Shift.Hours
		}
	}
	return fo
}

func formOf(s *scenarios.Scenario, maxWork int) Form {
	f := s.File
	out := Form{Name: f.Name, Duration: scenarios.FormatDuration(f.Duration.Seconds), DurationDays: f.Duration.Seconds / 86400,
		Replications: f.Replications, PerDay: f.Incidents.PerDay, Deterrence: f.Deterrence.Enabled,
		HalfPresence: f.Deterrence.HalfPresence, RadiusM: f.Deterrence.RadiusM,
		Units: []FormUnit{}, Variants: []FormVariant{}, MaxWork: maxWork, Policies: policies()}
	if s.Config != nil && s.Config.City != nil {
		out.Areas, out.Districts = len(s.Config.City.Atoms), len(s.Config.City.Districts)
	}
	for _, u := range f.Units {
		out.Units = append(out.Units, FormUnit{Name: u.Name, Count: u.Count, Squad: u.Squad, ShiftStart: u.Shift.Start, ShiftHours: u.Shift.Hours})
	}
	for i, v := range f.Variants {
		fv := FormVariant{Name: v.Name, Policy: v.Policy, Dispatch: v.Dispatch}
		if i < len(s.Variants) {
			fv.Dispatch = s.Variants[i].Mode.String()
		}
		for k, n := range v.Params {
			if fv.Params == nil {
				fv.Params = map[string]string{}
			}
			fv.Params[k] = n.Value
		}
		for u, o := range v.Units {
			if fv.Units == nil {
				fv.Units = map[string]FormOverride{}
			}
			fv.Units[u] = overrideOf(o)
		}
		for u, r := range v.ByUnit {
			if fv.ByUnit == nil {
				fv.ByUnit = map[string]string{}
			}
			text := r.Policy
			if len(r.Params) > 0 {
				var ps []string
				for _, k := range sortedKeys(r.Params) {
					ps = append(ps, k+"="+r.Params[k].Value)
				}
				text += " (" + strings.Join(ps, ", ") + ")"
			}
			fv.ByUnit[u] = text
		}
		for _, b := range []struct {
			key  string
			node *yaml.Node
		}{{"deterrence", &v.Deterrence}, {"reporting", &v.Reporting}} {
			if b.node.Kind == 0 {
				continue
			}
			if fv.Blocks == nil {
				fv.Blocks = map[string]string{}
			}
			fv.Blocks[b.key] = flowText(b.node)
		}
		out.Variants = append(out.Variants, fv)
	}
	return out
}

// work is the size of a run: replications × duration in days × units.
func work(s *scenarios.Scenario) float64 {
	return float64(s.File.Replications) * s.File.Duration.Seconds / 86400 * float64(units(s))
}

func units(s *scenarios.Scenario) int {
	n := 0
	for _, u := range s.File.Units {
		n += u.Count
	}
	return n
}

// Cost is what a run is expected to take, estimated before it is admitted
// (costOf).
type Cost struct {
	// PerRun is the incidents expected in one replication of one variant:
	// per_day × days, divided by 1 − offspring with near repeats (each
	// incident's expected descendants).
	PerRun float64
	// Incidents is PerRun × replications × variants: what the run plays.
	Incidents float64
	// Live is how many replications are played at once: the server's
	// workers, at most the replications.
	Live int
	// Bytes is the peak of the Go heap the run adds (garbage not yet
	// collected included), Seconds its wall time on the server's workers.
	Bytes, Seconds float64
}

// The estimate's constants, measured on the built-in cities and on grids
// overloaded up to 10,000 incidents a day (peak Go heap sampled every
// 10 ms above the heap before the run, 1 and 2 workers; see
// TestAdmittedRunsStayUnderTheCeiling): a finished run keeps 40–60 bytes
// an incident for its summary until the run ends; a replication being
// played holds 420–880 bytes an incident of it (its candidates, queue and
// records, and garbage); the slowest was 47 µs an incident (1,300 units).
// The constants round these up.
const (
	costBytesPerIncident     = 64   // kept until the run ends
	costBytesPerLiveIncident = 1024 // of each replication being played
	costBytesPerUnit         = 2048 // of each replication being played
	costBaseBytes            = 16 << 20
	costSecondsPerIncident   = 50e-6
)

// costOf estimates a run of s on workers workers.
func costOf(s *scenarios.Scenario, workers int) Cost {
	f := s.File
	per := f.Incidents.PerDay * f.Duration.Seconds / 86400
	if o := f.Incidents.NearRepeat.Offspring; o > 0 && o < 1 {
		per /= 1 - o
	}
	c := Cost{PerRun: per, Live: max(1, min(workers, f.Replications))}
	c.Incidents = per * float64(f.Replications) * float64(max(1, len(s.Variants)))
	c.Bytes = costBaseBytes + costBytesPerIncident*c.Incidents +
		float64(c.Live)*(costBytesPerLiveIncident*per+costBytesPerUnit*float64(units(s)))
	c.Seconds = costSecondsPerIncident * c.Incidents / float64(c.Live)
	return c
}

// isRelativeData reports whether a data path is relative to the scenario's
// folder: neither absolute nor a builtin:SCENARIO/FILE path.
func isRelativeData(p string) bool {
	return p != "" && !filepath.IsAbs(p) && !strings.HasPrefix(p, scenarios.BuiltinPrefix)
}

// inDir returns a rewrite of relative data paths into absolute ones in dir.
func inDir(dir string) func(string) string {
	return func(p string) string { return filepath.Join(dir, p) }
}

// inBuiltin returns a rewrite of relative data paths into builtin:NAME/FILE
// paths, which the loader reads from the binary wherever the document is.
func inBuiltin(name string) func(string) string {
	return func(p string) string { return scenarios.BuiltinPrefix + path.Join(name, p) }
}

// applyEdits returns the document doc with the edits applied. rewrite,
// when set, rewrites relative data paths (city.areas, city.posts,
// city.routes, travel.roads) so the result stands on its own: absolute for
// a file scenario, builtin:NAME/FILE for a built-in one.
func applyEdits(doc []byte, e Edits, rewrite func(string) string) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, err
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the scenario is not a YAML mapping")
	}
	top := root.Content[0]
	if rewrite != nil {
		for _, df := range new(scenarios.File).DataFiles() {
			section, key, _ := strings.Cut(df.Key, ".")
			if n := get(get(top, section), key); n != nil && n.Kind == yaml.ScalarNode && isRelativeData(n.Value) {
				n.Value = rewrite(n.Value)
			}
		}
	}
	if e.PerDay != nil {
		setFloat(ensureMap(top, "incidents"), "per_day", *e.PerDay)
	}
	if e.Duration != nil {
		set(top, "duration", *e.Duration, "!!str")
	}
	if e.Replications != nil {
		set(top, "replications", strconv.Itoa(*e.Replications), "!!int")
	}
	if e.Deterrence != nil {
		set(ensureMap(top, "deterrence"), "enabled", strconv.FormatBool(*e.Deterrence), "!!bool")
	}
	if e.HalfPresence != nil {
		setFloat(ensureMap(top, "deterrence"), "half_presence", *e.HalfPresence)
	}
	if e.RadiusM != nil {
		setFloat(ensureMap(top, "deterrence"), "radius_m", *e.RadiusM)
	}
	if len(e.Units) > 0 {
		names := byName(get(top, "units"))
		for _, name := range sortedKeys(e.Units) {
			ue := e.Units[name]
			item, ok := names[name]
			if !ok {
				return nil, fmt.Errorf("no unit type %q in the scenario", name)
			}
			// The item keeps its style (a one-line flow mapping stays one
			// line, with its comment); a map it gains takes the same style.
			if ue.Count != nil {
				set(item, "count", strconv.Itoa(*ue.Count), "!!int")
			}
			if ue.Squad != nil {
				set(item, "squad", strconv.Itoa(*ue.Squad), "!!int")
			}
			if ue.ShiftStart != nil {
				set(ensureMap(item, "shift"), "start", *ue.ShiftStart, "!!str")
			}
			if ue.ShiftHours != nil {
				setFloat(ensureMap(item, "shift"), "hours", *ue.ShiftHours)
			}
		}
	}
	if len(e.Variant) > 0 {
		names := byName(get(top, "variants"))
		for _, name := range sortedKeys(e.Variant) {
			ve := e.Variant[name]
			item, ok := names[name]
			if !ok {
				return nil, fmt.Errorf("no variant %q in the scenario", name)
			}
			if ve.Policy != nil {
				set(item, "policy", *ve.Policy, "!!str")
			}
			if ve.Dispatch != nil {
				set(item, "dispatch", *ve.Dispatch, "!!str")
			}
			if len(ve.Params) > 0 {
				params := ensureMap(item, "params")
				for _, k := range sortedKeys(ve.Params) {
					if ve.Params[k] == "" {
						del(params, k)
						continue
					}
					set(params, k, ve.Params[k], "") // untagged: YAML resolves the type
				}
			}
		}
	}
	if len(e.Variants) > 0 {
		vs := get(top, "variants")
		if vs == nil || vs.Kind != yaml.SequenceNode {
			return nil, errors.New("the scenario lists no variants to choose from")
		}
		var keep []*yaml.Node
		found := map[string]bool{}
		for _, item := range vs.Content {
			if n := get(item, "name"); n != nil && slices.Contains(e.Variants, n.Value) {
				keep = append(keep, item)
				found[n.Value] = true
			}
		}
		for _, name := range e.Variants {
			if !found[name] {
				return nil, fmt.Errorf("no variant %q in the scenario", name)
			}
		}
		vs.Content = keep
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// byName indexes the mappings of a sequence (units, variants) by their
// name; nil or another kind of node gives an empty index.
func byName(seq *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return out
	}
	for _, item := range seq.Content {
		if n := get(item, "name"); n != nil && item.Kind == yaml.MappingNode {
			out[n.Value] = item
		}
	}
	return out
}

// sortedKeys returns the keys of m in order, so edits apply the same way
// every time.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// set gives key the scalar value in mapping m (tag "": as YAML resolves
// the plain value), adding the key when m has none. A replaced value keeps
// its comments (the one at the end of its line above all) and, unless the
// new value needs another, its quoting style.
func set(m *yaml.Node, key, value, tag string) {
	if n := get(m, key); n != nil {
		style := n.Style
		if n.Kind != yaml.ScalarNode || style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			style = 0
		}
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value, Style: style,
			HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment}
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value})
}

func del(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}

// setFloat writes v as YAML reads it back: untagged, so 12 is written
// "12", not "!!float 12" (the loader reads an integer into a float field).
func setFloat(m *yaml.Node, key string, v float64) {
	set(m, key, strconv.FormatFloat(v, 'g', -1, 64), "")
}

func ensureMap(m *yaml.Node, key string) *yaml.Node {
	if n := get(m, key); n != nil && n.Kind == yaml.MappingNode {
		return n
	} else if n != nil {
		*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: m.Style & yaml.FlowStyle,
			HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment}
		return n
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: m.Style & yaml.FlowStyle}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, n)
	return n
}

// flowText writes a YAML node on one line, in flow style.
func flowText(n *yaml.Node) string {
	c := *n
	c.Style |= yaml.FlowStyle
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	b, err := yaml.Marshal(&c)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
