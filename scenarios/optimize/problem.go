package optimize

import (
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// ScenarioPath is where spec's scenario is: builtin:NAME as it is, a
// relative path joined to the folder of the OPT file at optPath.
func ScenarioPath(optPath string, spec *Spec) string {
	p := spec.Scenario
	if strings.HasPrefix(p, scenarios.BuiltinPrefix) || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(optPath), p)
}

// Problem is a Spec bound to its loaded scenario.
//
// Every kind decides a count per slot: a district (unit-counts) or a
// candidate site (post-sites). A Candidate is a count for each slot, and
// the kinds share one pipeline: Screen (a greedy addition then exchanges
// over the slots, scored by the kind's screen), Run (the selection) and
// Write; the kind shows only in evaluate, Name, File and Chosen.
type Problem struct {
	Spec *Spec
	Base *scenarios.Scenario
	// Names are the slots' names (decided districts, or candidate sites),
	// Units the unit type each slot gets in the candidates' scenarios (the
	// decided type split by slot: car-D1 with districts: [D1], …, or
	// platform-c017 at site c017).
	Names []string
	Units []string
	// PerUnit is one unit's officer-hours a day (squad × shift hours).
	PerUnit float64
	// Most is the most decided units the budget allows; Min and Max each
	// district's bounds (Max never above Most).
	Most, Min, Max int

	kind      string         // Spec.Decision.Kind
	variant   int            // the base variant
	unit      int            // the decided unit type, in Base.File.Units
	split     scenarios.File // the base with the decided type split by slot, the base variant only
	cfg       *sim.Config    // the split scenario's (its variant's) config
	at        []int          // cfg.Units index of each decided district's type
	districts []int          // each decided district's index in the city
	delay     float64        // mean dispatch delay, seconds (the screen adds it)
	load      func(doc []byte) (*scenarios.Scenario, error)

	*siteData  // post-sites only
	*squadData // squad-size only
	*shiftData // shifts only
}

var unsafeRE = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Prepare binds spec to base, its loaded scenario: the variant, unit type
// and districts must exist, the unit type must be homed in districts and
// the budget must afford each district's minimum. Problems name the OPT
// file's line and field.
func Prepare(spec *Spec, base *scenarios.Scenario) (*Problem, error) {
	p := spec.pos
	if p == nil {
		p = &parser{file: "optimisation", lines: map[string]int{}}
	}
	p.list = nil
	pr := &Problem{Spec: spec, Base: base, kind: spec.Decision.Kind}
	f := base.File
	pr.variant = 0
	if spec.Variant != "" {
		pr.variant = slices.IndexFunc(f.Variants, func(v scenarios.Variant) bool { return v.Name == spec.Variant })
		if pr.variant < 0 {
			p.add("variant", "no variant %q in %s (variants: %s)", spec.Variant, base.Path, names(f.Variants, func(v scenarios.Variant) string { return v.Name }))
		}
	}
	d := spec.Decision
	pr.unit = slices.IndexFunc(f.Units, func(u scenarios.Unit) bool { return u.Name == d.Unit })
	if pr.unit < 0 {
		p.add("decision.unit", "no unit type %q in %s (units: %s)", d.Unit, base.Path, names(f.Units, func(u scenarios.Unit) string { return u.Name }))
	}
	if pr.variant >= 0 && pr.unit >= 0 {
		if _, has := f.Variants[pr.variant].Units[d.Unit]; has {
			p.add("variant", "variant %q changes the force of unit type %q (its units: block): give that in the scenario's units", f.Variants[pr.variant].Name, d.Unit)
		}
	}
	switch pr.kind {
	case "post-sites":
		return pr.prepareSites(p)
	case "squad-size":
		return pr.prepareSquad(p)
	case "shifts":
		return pr.prepareShifts(p)
	}
	if pr.unit >= 0 {
		u := f.Units[pr.unit]
		switch {
		case u.Home != "district":
			p.add("decision.unit", "unit type %q is homed at %s: unit-counts decides counts per district, for a type with home: district", d.Unit, u.Home)
		case len(u.Districts) > 0:
			p.add("decision.unit", "unit type %q already lists its districts (%s) in the scenario: give the districts in decision.districts instead", d.Unit, strings.Join(u.Districts, ", "))
		}
		pr.PerUnit = float64(u.Squad) * u.Shift.Hours
	}
	city := base.Config.City
	var ds []int
	if len(d.Districts) == 0 {
		for i := range city.Districts {
			ds = append(ds, i)
		}
	}
	for j, name := range d.Districts {
		i := slices.IndexFunc(city.Districts, func(x geo.District) bool { return x.Name == name })
		field := fmt.Sprintf("decision.districts[%d]", j)
		switch {
		case i < 0:
			p.add(field, "no district %q in %s (districts: %s)", name, base.Path, names(city.Districts, func(x geo.District) string { return x.Name }))
		case slices.Contains(ds, i):
			p.add(field, "district %q listed twice", name)
		default:
			ds = append(ds, i)
		}
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	seen := map[string]bool{}
	for _, u := range f.Units {
		seen[u.Name] = true
	}
	pr.districts = ds
	for _, i := range ds {
		name := city.Districts[i].Name
		pr.Names = append(pr.Names, name)
		un := d.Unit + "-" + unsafeRE.ReplaceAllString(name, "_")
		for k := 2; seen[un]; k++ {
			un = d.Unit + "-" + unsafeRE.ReplaceAllString(name, "_") + "-" + strconv.Itoa(k)
		}
		seen[un] = true
		pr.Units = append(pr.Units, un)
	}
	// The budget, in units.
	pr.Most = math.MaxInt
	if spec.Budget.Units > 0 {
		pr.Most = spec.Budget.Units
	}
	if spec.Budget.OfficerHours > 0 {
		pr.Most = min(pr.Most, int(math.Floor(spec.Budget.OfficerHours/pr.PerUnit+1e-9)))
	}
	pr.Min, pr.Max = d.Min, d.Max
	if pr.Max == 0 || pr.Max > pr.Most {
		pr.Max = pr.Most
	}
	pr.Max = min(pr.Max, scenarios.MaxUnits)
	if need := pr.Min * len(ds); need > pr.Most {
		field := "budget.units"
		if spec.Budget.OfficerHours > 0 && (spec.Budget.Units == 0 || int(math.Floor(spec.Budget.OfficerHours/pr.PerUnit+1e-9)) < spec.Budget.Units) {
			field = "budget.officer_hours"
		}
		p.add(field, "affords %d %s units (%g officer-hours a day each) but decision.min needs %d (%d in each of %d districts)", pr.Most, d.Unit, pr.PerUnit, need, pr.Min, len(ds))
		return nil, p.err()
	}
	if pr.Most == 0 {
		p.add("budget", "affords no %s unit (%g officer-hours a day each)", d.Unit, pr.PerUnit)
		return nil, p.err()
	}
	// The split scenario: the decided type as one type per district, the
	// base variant alone, no check block (it may name other variants).
	pr.split = pr.splitFile(func(k int, v *scenarios.Unit) {
		v.Districts = []string{pr.Names[k]}
		v.Count = pr.Min
	})
	pr.load = loader(base)
	s, err := pr.probe(max(1, pr.Min), "split by district")
	if err != nil {
		return nil, err
	}
	pr.locate(s)
	if err := pr.prepareObjective(); err != nil {
		return nil, err
	}
	return pr, nil
}

// baseVariant is the base variant with the decided type's by_unit rule,
// if any, given to each of the types split from it.
func (pr *Problem) baseVariant(split []string) scenarios.Variant {
	f := pr.Base.File
	bv := f.Variants[pr.variant]
	if rule, has := bv.ByUnit[f.Units[pr.unit].Name]; has {
		byUnit := map[string]scenarios.UnitRule{}
		for k, r := range bv.ByUnit {
			if k != f.Units[pr.unit].Name {
				byUnit[k] = r
			}
		}
		for _, un := range split {
			byUnit[un] = rule
		}
		bv.ByUnit = byUnit
	}
	return bv
}

// loader loads a document as if it were base's: data paths resolve as
// base's do.
func loader(base *scenarios.Scenario) func([]byte) (*scenarios.Scenario, error) {
	if base.IsBuiltin() {
		name := strings.TrimSuffix(strings.TrimPrefix(base.Path, scenarios.BuiltinPrefix), "/scenario.yaml")
		return func(doc []byte) (*scenarios.Scenario, error) {
			_, fsys, err := scenarios.BuiltinFile(name)
			if err != nil {
				return nil, err
			}
			return scenarios.Load(base.Path, doc, fsys.(fs.FS))
		}
	}
	return func(doc []byte) (*scenarios.Scenario, error) { return scenarios.LoadAt(base.Path, doc) }
}

// scenario loads the document of f.
func (pr *Problem) scenario(f scenarios.File) (*scenarios.Scenario, error) {
	doc, err := marshal(f)
	if err != nil {
		return nil, err
	}
	return pr.load(doc)
}

func names[T any](xs []T, name func(T) string) string {
	var out []string
	for _, x := range xs {
		out = append(out, name(x))
	}
	return strings.Join(out, ", ")
}

// splitFile is the base file with the decided type split into pr.Units,
// each set by set(k, unit), the base variant alone and no check block (it
// may name other variants). The dispatch block's references to the
// decided type (police stations' types, the reserve's counted types) name
// the split types.
func (pr *Problem) splitFile(set func(k int, v *scenarios.Unit)) scenarios.File {
	f := pr.Base.File
	name := f.Units[pr.unit].Name
	sf := f
	sf.Check = yaml.Node{}
	sf.Units = nil
	for i, u := range f.Units {
		if i != pr.unit {
			sf.Units = append(sf.Units, u)
			continue
		}
		for k := range pr.Units {
			v := u
			v.Name = pr.Units[k]
			set(k, &v)
			sf.Units = append(sf.Units, v)
		}
	}
	sf.Dispatch.Stations = splitRefs(f.Dispatch.Stations, name, pr.Units)
	if r := f.Dispatch.Reserve; r != nil {
		rc := *r
		rc.Units = splitRefs(r.Units, name, pr.Units)
		sf.Dispatch.Reserve = &rc
	}
	sf.Variants = []scenarios.Variant{pr.baseVariant(pr.Units)}
	return sf
}

// splitRefs is names with name replaced by the types split from it, in
// order; nil stays nil (a default).
func splitRefs(names []string, name string, split []string) []string {
	if names == nil {
		return nil
	}
	var out []string
	for _, n := range names {
		if n == name {
			out = append(out, split...)
		} else {
			out = append(out, n)
		}
	}
	return out
}

// probe loads the split scenario with count units of each split type —
// enough to keep the loader's force checks quiet while the config is
// read; candidates set their own — and sets pr.cfg. what says how the
// type is split, for the error.
func (pr *Problem) probe(count int, what string) (*scenarios.Scenario, error) {
	probe := pr.split
	probe.Units = slices.Clone(pr.split.Units)
	for i := range probe.Units {
		if slices.Contains(pr.Units, probe.Units[i].Name) {
			probe.Units[i].Count = count
		}
	}
	s, err := pr.scenario(probe)
	if err != nil {
		return nil, fmt.Errorf("the scenario with %s %s does not load: %w", pr.Spec.Decision.Unit, what, err)
	}
	pr.cfg = s.Variants[0].Model.Cfg
	return s, nil
}

// locate sets, from the probe s, where each split type is in the config
// (pr.at) and the mean command delay of the base variant's mode (pr.delay).
func (pr *Problem) locate(s *scenarios.Scenario) {
	for _, un := range pr.Units {
		pr.at = append(pr.at, slices.IndexFunc(pr.cfg.Units, func(u sim.UnitType) bool { return u.Name == un }))
	}
	if s.Variants[0].Mode == sim.PointToPoint {
		pr.delay = pr.cfg.Dispatch.Delay.Mean
	} else {
		for _, l := range pr.cfg.Dispatch.Levels {
			pr.delay += l.Delay.Mean
		}
	}
}
