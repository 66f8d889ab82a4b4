package scenarios

// build: the whole document checked and turned into the model's input;
// each part has its own file (city.go, incidents.go, units.go, variants.go,
// ranking.go).

import (
	"fmt"
	"regexp"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/policy"
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// buildReporting checks the reporting block at path at ("reporting", or a
// variant's "variants[i].reporting") and sets cfg's on-view radius and
// observers.
func buildReporting(r *Reporting, at string, cfg *sim.Config, e *errs) {
	e.bound("reporting.on_view_radius_m", at+".on_view_radius_m", r.OnViewRadiusM)
	cfg.OnViewRadiusM = r.OnViewRadiusM
	ob := &r.Observers
	e.bound("reporting.observers.per_km2", at+".observers.per_km2", ob.PerKm2)
	e.bound("reporting.observers.radius_m", at+".observers.radius_m", ob.RadiusM)
	cfg.Observers = sim.Observers{PerKm2: ob.PerKm2, RadiusM: ob.RadiusM, Delay: buildDist(&ob.Delay, at+".observers.delay", true, e)}
}

// build validates f and makes the model input. It records every problem in
// e and returns nil values if there was one.
func build(f *File, read reader, e *errs) (*sim.Config, []sim.Variant, *ReplaySummary) {
	cfg := &sim.Config{Name: f.Name}
	if f.Version != 1 {
		e.add("version", "must be 1 (got %d)", f.Version)
	}
	if f.Name == "" {
		e.add("name", "must not be empty")
	}
	if f.Duration.check(e, "duration") {
		e.bound("duration", "duration", f.Duration.Seconds)
	}
	if f.Warmup.check(e, "warmup") && !f.Duration.bad {
		if f.Warmup.Seconds < 0 || f.Warmup.Seconds >= f.Duration.Seconds {
			e.add("warmup", "must be >= 0 and shorter than duration %s (got %s)", FormatDuration(f.Duration.Seconds), FormatDuration(f.Warmup.Seconds))
		}
	}
	if f.ZeroWindow.check(e, "zero_window") && !f.Duration.bad && !f.Warmup.bad && f.ZeroWindow.Seconds != 0 {
		// A window longer than the measurement window is the whole of it
		// (a shortened run, --duration, stays valid).
		if f.ZeroWindow.Seconds < 3600 {
			e.add("zero_window", "must be at least 1h (got %s)", FormatDuration(f.ZeroWindow.Seconds))
		} else {
			cfg.ZeroWindow = f.ZeroWindow.Seconds
		}
	}
	e.bound("replications", "replications", float64(f.Replications))
	cfg.Duration, cfg.Warmup = f.Duration.Seconds, f.Warmup.Seconds
	cfg.City = buildCity(&f.City, read, e)
	cfg.Travel = buildTravel(&f.Travel, cfg.City, read, e)
	cfg.Incidents = buildIncidents(&f.Incidents, f.Duration.Seconds, e)
	var replay *ReplaySummary
	cfg.Incidents.Replay, replay = buildReplay(&f.Incidents, cfg, read, e)
	cfg.Units = buildUnits(f, cfg, e)
	cfg.Dispatch = buildDispatch(&f.Dispatch, f.Units, "dispatch", e)
	cfg.Deterrence = buildDeterrence(&f.Deterrence, "deterrence", e)
	cfg.NearRepeat = buildNearRepeat(&f.Incidents.NearRepeat, e)
	buildReporting(&f.Reporting, "reporting", cfg, e)
	for p, d := range []Duration{f.Targets.P1, f.Targets.P2, f.Targets.P3} {
		path := fmt.Sprintf("targets.p%d", p+1)
		if d.check(e, path) {
			e.bound("targets.p[]", path, d.Seconds)
			cfg.Targets[p+1] = d.Seconds
		}
	}
	variants := buildVariants(f, cfg, e)
	checkRanking(f, cfg, e)
	checkBlock(f, e)
	if cfg.City != nil {
		total := 0.0
		for _, a := range cfg.City.Atoms {
			total += a.Weight
		}
		if !(total > 0) {
			e.add("city", "the areas' incident weights sum to 0: no incident could occur (see city.fields.weight)")
		}
	}
	checkEffort(f, cfg, variants, e)
	if len(e.list) > 0 {
		return nil, nil, nil
	}
	return cfg, variants, replay
}

func buildDist(d *Dist, path string, zeroOK bool, e *errs) sim.Dist {
	var out sim.Dist
	switch d.Dist {
	case "fixed":
		out.Kind = sim.Fixed
	case "exponential":
		out.Kind = sim.Exponential
	case "lognormal":
		out.Kind = sim.Lognormal
	case "":
		e.add(path+".dist", "missing: say dist: fixed, exponential or lognormal")
	default:
		e.add(path+".dist", "must be fixed, exponential or lognormal (got %q)", d.Dist)
	}
	if d.Mean.check(e, path+".mean") {
		if d.Mean.Seconds < 0 || (!zeroOK && d.Mean.Seconds == 0) || d.Mean.Seconds > 30*86400 {
			want := ">= 0"
			if !zeroOK {
				want = "> 0"
			}
			e.add(path+".mean", "must be %s and at most 30d (got %s)", want, FormatDuration(d.Mean.Seconds))
		}
	}
	if d.SD.check(e, path+".sd") {
		switch {
		case d.Dist == "lognormal" && !(d.SD.Seconds > 0):
			e.add(path+".sd", "a lognormal needs sd > 0 (got %s)", FormatDuration(d.SD.Seconds))
		case d.Dist != "lognormal" && d.SD.Seconds != 0:
			e.add(path+".sd", "only a lognormal has sd (dist is %s)", d.Dist)
		}
	}
	out.Mean, out.SD = d.Mean.Seconds, d.SD.Seconds
	return out
}

// checkName checks a name of a list item: its syntax, and that no earlier
// item (recorded in seen) has it.
func checkName(e *errs, path, what, name string, seen map[string]bool) {
	if !nameRE.MatchString(name) {
		e.add(path, "must be a name of letters, digits, _ . - (got %q)", name)
	} else if seen[name] {
		e.add(path, "duplicate %s %q", what, name)
	}
	seen[name] = true
}

// checkEffort refuses runs that would take hours: it estimates the events of
// one replication of each variant (about 6 per incident, and for each
// patrolling unit one per stop of the policy's dwell).
func checkEffort(f *File, cfg *sim.Config, variants []sim.Variant, e *errs) {
	if len(e.list) > 0 || cfg.City == nil {
		return
	}
	for i, v := range variants {
		events := 6 * cfg.Incidents.PerDay * cfg.Duration / 86400 / max(1e-9, 1-cfg.NearRepeat.Offspring)
		for t, ut := range v.Model.Cfg.Units {
			if dwell, ok := v.Policies[t].Params["dwell"]; ok && ut.Home != policy.HomePost {
				events += float64(ut.Count) * cfg.Duration / dwell
			}
		}
		if events > MaxEvents {
			e.add(fmt.Sprintf("variants[%d]", i), "about %.2g events per replication, more than the limit of %.0e: "+
				"shorten the duration, use fewer units or longer dwell times", events, MaxEvents)
		}
	}
}
