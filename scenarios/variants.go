package scenarios

// Variants: a policy per unit type, dispatch mode and force overrides.

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/policy"
	"go.yaml.in/yaml/v3"
)

// buildVariants resolves each variant's policies, dispatch mode and force.
// A variant that changes the force gets a Config of its own (sharing the
// city and the incidents) and every variant its own Model.
func buildVariants(f *File, cfg *sim.Config, e *errs) []sim.Variant {
	var out []sim.Variant
	if len(f.Variants) == 0 {
		e.add("variants", "must list at least one variant (e.g. {name: beats, policy: static-beats})")
	}
	defMode, _ := parseMode(f.Dispatch.Mode)
	seen := map[string]bool{}
	for i, v := range f.Variants {
		path := fmt.Sprintf("variants[%d]", i)
		checkName(e, path+".name", "variant", v.Name, seen)
		def, ok := resolvePolicy(v.Policy, v.Params, path, e)
		sv := sim.Variant{Name: v.Name, Mode: defMode}
		if v.Dispatch != "" {
			m, good := parseMode(v.Dispatch)
			if !good {
				e.add(path+".dispatch", "must be point-to-point or hierarchical (got %q)", v.Dispatch)
				ok = false
			}
			sv.Mode = m
		}
		for _, u := range f.Units {
			choice := def
			if rule, has := v.ByUnit[u.Name]; has {
				if c, ok2 := resolvePolicy(rule.Policy, rule.Params, fmt.Sprintf("%s.by_unit.%s", path, u.Name), e); ok2 {
					choice = c
				} else {
					ok = false
				}
			}
			sv.Policies = append(sv.Policies, choice)
		}
		for _, name := range sortedKeys(v.ByUnit) {
			if !hasUnit(f.Units, name) {
				e.add(path+".by_unit."+name, "no unit type %q (units: %s)", name, unitNames(f.Units))
				ok = false
			}
		}
		for t, c := range sv.Policies {
			where := path + ".policy"
			if _, has := v.ByUnit[f.Units[t].Name]; has {
				where = path + ".by_unit." + f.Units[t].Name
			}
			if c.Spec != nil && c.Spec.Name == "routes" && cfg.City != nil && len(cfg.City.Routes) == 0 {
				e.add(where, "policy routes needs patrol routes: give city.routes (GeoJSON line strings)")
				ok = false
				break
			}
			if c.Spec != nil && c.Spec.Name == "cover" && c.Params["target"] == 0 && cfg.Targets[1] == 0 {
				e.add(where, "policy cover needs a coverage time: give its params.target, or targets.p1 (both are 0)")
				ok = false
				break
			}
		}
		vcfg := cfg
		if len(v.Units) > 0 {
			c := *cfg
			c.Units = append([]sim.UnitType(nil), cfg.Units...)
			for _, name := range sortedKeys(v.Units) {
				o := v.Units[name]
				p := path + ".units." + name
				t := slices.IndexFunc(c.Units, func(ut sim.UnitType) bool { return ut.Name == name })
				if t < 0 {
					e.add(p, "no unit type %q (units: %s)", name, unitNames(f.Units))
					ok = false
					continue
				}
				if o.Count != nil {
					ok = e.bound("units[].count", p+".count", float64(*o.Count)) && ok
					c.Units[t].Count = *o.Count
				}
				if o.Squad != nil {
					ok = e.bound("units[].squad", p+".squad", float64(*o.Squad)) && ok
					c.Units[t].Squad = *o.Squad
				}
				if o.Shift != nil {
					base := f.Units[t].Shift // a part left out keeps the unit's own
					if o.Shift.Start == "" {
						o.Shift.Start = base.Start
					}
					if o.Shift.Hours == 0 {
						o.Shift.Hours = base.Hours
					}
					start, err := parseClock(o.Shift.Start)
					if err != nil {
						e.add(p+".shift.start", "%v", err)
						ok = false
					}
					l := math.Round(o.Shift.Hours * 3600)
					if !(l >= 60 && o.Shift.Hours <= 24) {
						e.add(p+".shift.hours", "must be at least 1 minute (0.0167) and at most 24 (got %g)", o.Shift.Hours)
						ok = false
					}
					c.Units[t].ShiftStart, c.Units[t].ShiftLen = start, l
				}
				if o.Priorities != nil {
					var set [4]bool
					for j, pr := range o.Priorities {
						if pr < 1 || pr > 3 {
							e.add(fmt.Sprintf("%s.priorities[%d]", p, j), "must be 1, 2 or 3 (got %d)", pr)
							ok = false
							continue
						}
						set[pr] = true
					}
					c.Units[t].Priorities = set
				}
			}
			vcfg = &c
			if ok {
				checkForce(&c, path+".units", e)
			}
		}
		if v.DispatchRules.Kind != 0 {
			c := *vcfg
			d := f.Dispatch // the keys the variant gives replace the scenario's
			d.Levels = append([]Level(nil), d.Levels...)
			if overlay(&v.DispatchRules, &d, path+".dispatch_rules", e) {
				if d.Mode != f.Dispatch.Mode {
					e.add(path+".dispatch_rules.mode", "the mode is the variant's dispatch key (dispatch: %s)", d.Mode)
					ok = false
				}
				c.Dispatch = buildDispatch(&d, f.Units, path+".dispatch_rules", e)
			} else {
				ok = false
			}
			vcfg = &c
		}
		if v.Deterrence.Kind != 0 || v.Reporting.Kind != 0 {
			c := *vcfg
			if v.Deterrence.Kind != 0 {
				d := f.Deterrence // the keys the variant gives replace the scenario's
				ok = overlay(&v.Deterrence, &d, path+".deterrence", e) && ok
				c.Deterrence = buildDeterrence(&d, path+".deterrence", e)
			}
			if v.Reporting.Kind != 0 {
				r := f.Reporting
				ok = overlay(&v.Reporting, &r, path+".reporting", e) && ok
				buildReporting(&r, path+".reporting", &c, e)
			}
			vcfg = &c
		}
		if ok && len(e.list) == 0 {
			m, err := sim.NewModel(vcfg)
			if err != nil {
				e.add(path, "%v", err)
				continue
			}
			sv.Model = m
			if sv.Mode == sim.Hierarchical && !vcfg.Dispatch.MutualAid {
				checkJurisdictions(m, path, e)
			}
			out = append(out, sv)
		}
	}
	return out
}

// overlay decodes a variant's partial block n onto dst, a copy of the
// scenario's block: its unknown keys and wrong types are problems at path.
func overlay[T any](n *yaml.Node, dst *T, path string, e *errs) bool {
	before := len(e.list)
	if n.Kind != yaml.MappingNode {
		e.add(path, "must be a mapping of the keys to change")
		return false
	}
	checkKeys(n, reflect.TypeFor[T](), path, e)
	if err := n.Decode(dst); err != nil {
		e.add(path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return len(e.list) == before
}

func resolvePolicy(name string, params map[string]yaml.Node, path string, e *errs) (sim.PolicyChoice, bool) {
	spec, ok := policy.Lookup(name)
	if !ok {
		if name == "" {
			e.add(path+".policy", "missing: say which policy (valid: %s)", strings.Join(policy.Names(), ", "))
		} else {
			e.add(path+".policy", "unknown policy %q (valid: %s)", name, strings.Join(policy.Names(), ", "))
		}
		return sim.PolicyChoice{}, false
	}
	raw := map[string]float64{}
	good := true
	for _, k := range sortedKeys(params) {
		n := params[k]
		p := path + ".params." + k
		i := slices.IndexFunc(spec.Params, func(pp policy.Param) bool { return pp.Name == k })
		if i < 0 {
			var names []string
			for _, pp := range spec.Params {
				names = append(names, pp.Name)
			}
			valid := strings.Join(names, ", ")
			if valid == "" {
				valid = "none"
			}
			e.add(p, "unknown parameter for policy %s (valid: %s)", name, valid)
			good = false
			continue
		}
		pp := spec.Params[i]
		var x float64
		var err error
		switch {
		case n.Kind != yaml.ScalarNode:
			err = errors.New("not a scalar")
		case pp.Kind == policy.Duration:
			x, err = ParseDuration(n.Value)
		case pp.Kind == policy.Choice:
			i := slices.Index(pp.Choices, n.Value)
			if i < 0 {
				err = errors.New("not a choice")
			}
			x = float64(i)
		default:
			x, err = strconv.ParseFloat(n.Value, 64)
		}
		switch {
		case err != nil && pp.Kind == policy.Choice:
			e.add(p, "must be one of %s (got %q)", strings.Join(pp.Choices, ", "), n.Value)
		case err != nil && pp.Kind == policy.Duration:
			e.add(p, "must be a duration such as 12m or 3d (got %q)", n.Value)
		case err != nil:
			e.add(p, "must be a number (got %q)", n.Value)
		case !(x >= pp.Min && x <= pp.Max) || (pp.Kind == policy.Integer && x != math.Trunc(x)):
			if pp.Kind == policy.Duration {
				e.add(p, "must be between %s and %s (got %s)", FormatDuration(pp.Min), FormatDuration(pp.Max), n.Value)
			} else {
				whole := ""
				if pp.Kind == policy.Integer {
					whole = "a whole number "
				}
				e.add(p, "must be %sbetween %g and %g (got %s)", whole, pp.Min, pp.Max, n.Value)
			}
		default:
			raw[k] = x
			continue
		}
		good = false
	}
	if !good {
		return sim.PolicyChoice{}, false
	}
	vals, err := spec.Resolve(raw)
	if err != nil {
		e.add(path+".params", "%v", err)
		return sim.PolicyChoice{}, false
	}
	return sim.PolicyChoice{Spec: spec, Params: vals}, true
}

// checkJurisdictions refuses hierarchical dispatch without mutual aid when a
// district has no unit able to take a priority that incidents have: its
// calls could never be answered.
func checkJurisdictions(m *sim.Model, path string, e *errs) {
	cfg := m.Cfg
	for p := 1; p <= 3; p++ {
		if !slices.ContainsFunc(cfg.Incidents.Types, func(t sim.IncidentType) bool { return t.Priority == p }) {
			continue
		}
		for d, dist := range cfg.City.Districts {
			if m.Able(d, p) == 0 {
				e.add(path+".dispatch", "hierarchical dispatch without mutual aid: district %s has no unit able to take priority-%d calls, which would never be answered (set dispatch.mutual_aid: true, or add units)", dist.Name, p)
			}
		}
	}
}
