package serve

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Change is one edit in words, against the scenario it edits: what the
// run list shows instead of the raw edits, and what a problem after an
// edit names.
type Change struct {
	// Field is the edited field's path in the scenario, numbered as in the
	// scenario edited (the form's numbering): units[0].count,
	// units[0].shift.start, incidents.per_day, duration, replications,
	// deterrence.enabled, deterrence.half_presence, deterrence.radius_m,
	// variants (the variants kept), variants[1].policy,
	// variants[1].dispatch, variants[1].params.half_life.
	Field string `json:"field"`
	// Text says it: "car: count 8 → 5".
	Text string `json:"text"`
	// Note says where it does not apply: "not in solo-cars, which has
	// its own count 4".
	Note string `json:"note,omitempty"`

	revert func(*Edits) // takes the edit out of a copy of the edits
}

// numText writes a number as the scenario file does.
func numText(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// describe lists the edits e makes to the scenario whose form is base, in
// the form's order; an edit that leaves a value as it was is no change.
func describe(base Form, e Edits) []Change {
	var out []Change
	add := func(field, text, note string, revert func(*Edits)) {
		out = append(out, Change{Field: field, Text: text, Note: note, revert: revert})
	}
	kept := func(name string) bool { return len(e.Variants) == 0 || slices.Contains(e.Variants, name) }
	for i, u := range base.Units {
		ue, ok := e.Units[u.Name]
		if !ok {
			continue
		}
		name := u.Name
		field := func(f string) string { return fmt.Sprintf("units[%d].%s", i, f) }
		undo := func(fn func(*UnitEdit)) func(*Edits) {
			return func(x *Edits) {
				ue := x.Units[name]
				fn(&ue)
				x.Units[name] = ue
			}
		}
		note := func(what string, own func(FormOverride) (string, bool)) string {
			var vs []string
			for _, v := range base.Variants {
				if o, has := v.Units[name]; has && kept(v.Name) {
					if val, set := own(o); set {
						vs = append(vs, fmt.Sprintf("%s, which has its own %s %s", v.Name, what, val))
					}
				}
			}
			if len(vs) == 0 {
				return ""
			}
			return "not in " + strings.Join(vs, "; nor in ")
		}
		if ue.Count != nil && *ue.Count != u.Count {
			add(field("count"), fmt.Sprintf("%s: count %d → %d", name, u.Count, *ue.Count),
				note("count", func(o FormOverride) (string, bool) { return ptrText(o.Count, strconv.Itoa) }),
				undo(func(x *UnitEdit) { x.Count = nil }))
		}
		if ue.Squad != nil && *ue.Squad != u.Squad {
			add(field("squad"), fmt.Sprintf("%s: squad %d → %d", name, u.Squad, *ue.Squad),
				note("squad", func(o FormOverride) (string, bool) { return ptrText(o.Squad, strconv.Itoa) }),
				undo(func(x *UnitEdit) { x.Squad = nil }))
		}
		if ue.ShiftStart != nil && *ue.ShiftStart != u.ShiftStart {
			add(field("shift.start"), fmt.Sprintf("%s: shift start %s → %s", name, u.ShiftStart, *ue.ShiftStart),
				note("shift start", func(o FormOverride) (string, bool) { return ptrText(o.ShiftStart, func(s string) string { return s }) }),
				undo(func(x *UnitEdit) { x.ShiftStart = nil }))
		}
		if ue.ShiftHours != nil && *ue.ShiftHours != u.ShiftHours {
			add(field("shift.hours"), fmt.Sprintf("%s: shift hours %s → %s", name, numText(u.ShiftHours), numText(*ue.ShiftHours)),
				note("shift hours", func(o FormOverride) (string, bool) { return ptrText(o.ShiftHours, numText) }),
				undo(func(x *UnitEdit) { x.ShiftHours = nil }))
		}
	}
	if e.PerDay != nil && *e.PerDay != base.PerDay {
		add("incidents.per_day", fmt.Sprintf("incidents per day %s → %s", numText(base.PerDay), numText(*e.PerDay)), "", func(x *Edits) { x.PerDay = nil })
	}
	if e.Deterrence != nil && *e.Deterrence != base.Deterrence {
		add("deterrence.enabled", "deterrence "+onOff(base.Deterrence)+" → "+onOff(*e.Deterrence), "", func(x *Edits) { x.Deterrence = nil })
	}
	if e.HalfPresence != nil && *e.HalfPresence != base.HalfPresence {
		add("deterrence.half_presence", fmt.Sprintf("deterrence half_presence %s → %s", numText(base.HalfPresence), numText(*e.HalfPresence)), "", func(x *Edits) { x.HalfPresence = nil })
	}
	if e.RadiusM != nil && *e.RadiusM != base.RadiusM {
		add("deterrence.radius_m", fmt.Sprintf("deterrence radius %s m → %s m", numText(base.RadiusM), numText(*e.RadiusM)), "", func(x *Edits) { x.RadiusM = nil })
	}
	if e.Duration != nil && strings.TrimSpace(*e.Duration) != base.Duration {
		add("duration", fmt.Sprintf("duration %s → %s", base.Duration, strings.TrimSpace(*e.Duration)), "", func(x *Edits) { x.Duration = nil })
	}
	if e.Replications != nil && *e.Replications != base.Replications {
		add("replications", fmt.Sprintf("replications %d → %d", base.Replications, *e.Replications), "", func(x *Edits) { x.Replications = nil })
	}
	if len(e.Variants) > 0 {
		var left []string
		for _, v := range base.Variants {
			if !kept(v.Name) {
				left = append(left, v.Name)
			}
		}
		if len(left) > 0 {
			add("variants", "variants: only "+strings.Join(e.Variants, ", ")+" (left out: "+strings.Join(left, ", ")+")", "", func(x *Edits) { x.Variants = nil })
		}
	}
	for i, v := range base.Variants {
		ve, ok := e.Variant[v.Name]
		if !ok {
			continue
		}
		name := v.Name
		field := func(f string) string { return fmt.Sprintf("variants[%d].%s", i, f) }
		undo := func(fn func(*VariantEdit)) func(*Edits) {
			return func(x *Edits) {
				ve := x.Variant[name]
				ve.Params = cloneMap(ve.Params)
				fn(&ve)
				x.Variant[name] = ve
			}
		}
		if ve.Policy != nil && *ve.Policy != v.Policy {
			add(field("policy"), fmt.Sprintf("%s: policy %s → %s", name, v.Policy, *ve.Policy), "", undo(func(x *VariantEdit) { x.Policy = nil }))
		}
		if ve.Dispatch != nil && *ve.Dispatch != v.Dispatch {
			add(field("dispatch"), fmt.Sprintf("%s: dispatch %s → %s", name, v.Dispatch, *ve.Dispatch), "", undo(func(x *VariantEdit) { x.Dispatch = nil }))
		}
		for _, k := range sortedKeys(ve.Params) {
			old, had := v.Params[k]
			val := ve.Params[k]
			if val == old && had || val == "" && !had {
				continue
			}
			from, to := old, val
			if !had {
				from = "default"
			}
			if val == "" {
				to = "default"
			}
			add(field("params."+k), fmt.Sprintf("%s: %s %s → %s", name, k, from, to), "", undo(func(x *VariantEdit) { delete(x.Params, k) }))
		}
	}
	return out
}

func ptrText[T any](p *T, f func(T) string) (string, bool) {
	if p == nil {
		return "", false
	}
	return f(*p), true
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func cloneMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// clone copies e deeply enough for a Change's revert to change the copy.
func (e Edits) clone() Edits {
	c := e
	c.Units = cloneMap(e.Units)
	c.Variant = cloneMap(e.Variant)
	c.Variants = slices.Clone(e.Variants)
	return c
}

// variantIndex matches a path into the variants of an edited scenario.
var variantIndex = regexp.MustCompile(`^variants\[(\d+)\]`)

// fieldOf returns a problem's path numbered as in the scenario edited:
// with variants left out, variants[k] of the edited document is the k-th
// variant kept.
func fieldOf(path string, base Form, e Edits) string {
	if len(e.Variants) == 0 {
		return path
	}
	m := variantIndex.FindStringSubmatch(path)
	if m == nil {
		return path
	}
	k, _ := strconv.Atoi(m[1])
	if k >= len(e.Variants) {
		return path
	}
	i := slices.IndexFunc(base.Variants, func(v FormVariant) bool { return v.Name == e.Variants[k] })
	if i < 0 {
		return path
	}
	return fmt.Sprintf("variants[%d]", i) + path[len(m[0]):]
}

// within reports whether path is field or inside it.
func within(path, field string) bool {
	return path == field || strings.HasPrefix(path, field+".") || strings.HasPrefix(path, field+"[")
}

// maxAttributions is the most edits taken out one at a time to find which
// one a problem follows from (each is a load of the scenario), and
// attributionTime the time they may take together (a scenario with a large
// road network loads slowly).
const (
	maxAttributions = 8
	attributionTime = 2 * time.Second
)

// attribute sets, on each problem, the form's field it is about (Field)
// and the edit it follows from (Edit). A problem at an edited field is
// about that edit. Another (a unit's squad made too small is reported at
// the incident type that needs more officers) follows from the edits
// without which the scenario no longer has it: each edit is taken out in
// turn (at most maxAttributions) and the scenario loaded again; the
// problem then shows at that edit's field, saying which edit it was. load
// returns the problems of the scenario with edits x, and false when it
// could not tell (the request went away, or the time for this was spent):
// then no more edits are tried.
func attribute(ps []Problem, base Form, e Edits, chs []Change, load func(x Edits) ([]Problem, bool)) {
	var open []int
	for i := range ps {
		if ps[i].Path == "" {
			continue
		}
		ps[i].Field = fieldOf(ps[i].Path, base, e)
		best := -1 // the most specific edit at the problem's field
		for k, c := range chs {
			if (within(ps[i].Field, c.Field) || within(c.Field, ps[i].Field) && ps[i].Field != "variants") &&
				(best < 0 || len(c.Field) > len(chs[best].Field)) {
				best = k
			}
		}
		if best >= 0 {
			ps[i].Edit = chs[best].Text
		}
		if ps[i].Edit == "" {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		return
	}
	at := make([]string, len(open)) // where the loader put each open problem
	for k, i := range open {
		at[k] = ps[i].Field
	}
	var tried int
	for _, c := range chs {
		if c.revert == nil || tried == maxAttributions {
			continue
		}
		tried++
		x := e.clone()
		c.revert(&x)
		found, ok := load(x)
		if !ok {
			return
		}
		still := map[string]bool{}
		for _, p := range found {
			still[fieldOf(p.Path, base, x)] = true
		}
		for k, i := range open {
			if still[at[k]] {
				continue
			}
			if ps[i].Edit == "" {
				ps[i].Field, ps[i].Edit = c.Field, c.Text
			} else {
				ps[i].Edit += " and " + c.Text
			}
		}
	}
}
