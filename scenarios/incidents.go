package scenarios

// Incidents, near repeats and deterrence.

import (
	"fmt"
	"math"
	"slices"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/policy"
)

func buildIncidents(in *Incidents, duration float64, e *errs) sim.Incidents {
	var out sim.Incidents
	replay := in.Replay != "" // per_day and shares draw nothing (replay.go)
	if !e.bound("incidents.per_day", "incidents.per_day", in.PerDay) {
		// reported
	} else if replay {
		// the log's size is checked when it is read
	} else if exp := in.PerDay * duration / 86400 / max(1e-9, 1-min(in.NearRepeat.Offspring, 1)); exp > MaxIncidents {
		e.add("incidents.per_day", "%g a day over %s is %.3g incidents per replication, more than the limit of %d",
			in.PerDay, FormatDuration(duration), exp, MaxIncidents)
	}
	out.PerDay = in.PerDay
	profile := func(path string, xs []float64, n int, dst []float64) {
		if len(xs) != n {
			e.add(path, "must have %d values (got %d)", n, len(xs))
			return
		}
		total := 0.0
		for i, x := range xs {
			e.bound("incidents.profile[]", fmt.Sprintf("%s[%d]", path, i), x)
			total += x
		}
		if !(total > 0) {
			e.add(path, "must not be all zero")
		}
		copy(dst, xs)
	}
	profile("incidents.hour_of_day", in.HourOfDay, 24, out.HourOfDay[:])
	profile("incidents.day_of_week", in.DayOfWeek, 7, out.DayOfWeek[:])
	if in.HourOfWeek != nil {
		profile("incidents.hour_of_week", in.HourOfWeek, 168, out.HourOfWeek[:])
		// hour_of_week replaces the two; they may stay (flat, as a
		// resolved scenario writes their defaults) but not shape it too.
		flat := func(xs []float64) bool {
			return !slices.ContainsFunc(xs, func(x float64) bool { return x != xs[0] })
		}
		if !flat(in.HourOfDay) || !flat(in.DayOfWeek) {
			e.add("incidents.hour_of_week", "replaces hour_of_day and day_of_week: leave those out (or flat)")
		}
	}
	out.ReportDelay = buildDist(&in.ReportDelay, "incidents.report_delay", true, e)
	if len(in.Types) == 0 {
		e.add("incidents.types", "must list at least one incident type")
	}
	seen := map[string]bool{}
	shares := 0.0
	for i, t := range in.Types {
		path := fmt.Sprintf("incidents.types[%d]", i)
		checkName(e, path+".name", "incident type", t.Name, seen)
		if t.Priority < 1 || t.Priority > 3 {
			e.add(path+".priority", "must be 1, 2 or 3 (got %d)", t.Priority)
		}
		if !replay || t.Share != 0 {
			e.bound("incidents.types[].share", path+".share", t.Share)
		}
		shares += t.Share
		e.bound("incidents.types[].officers", path+".officers", float64(t.Officers))
		e.bound("incidents.types[].deterrable", path+".deterrable", t.Deterrable)
		out.Types = append(out.Types, sim.IncidentType{Name: t.Name, Priority: t.Priority, Share: t.Share,
			OnScene: buildDist(&t.OnScene, path+".on_scene", false, e), Officers: t.Officers, Deterrable: t.Deterrable, Crime: t.Crime,
			NoNearRepeat: t.NearRepeat != nil && !*t.NearRepeat})
	}
	if len(in.Types) > 0 && math.Abs(shares-1) > 1e-6 && !replay {
		e.add("incidents.types", "shares must sum to 1 (got %g)", shares)
	}
	return out
}

func buildNearRepeat(n *NearRepeat, e *errs) policy.NearRepeat {
	e.bound("incidents.near_repeat.offspring", "incidents.near_repeat.offspring", n.Offspring)
	if n.Decay.check(e, "incidents.near_repeat.decay") {
		e.bound("incidents.near_repeat.decay", "incidents.near_repeat.decay", n.Decay.Seconds)
	}
	e.bound("incidents.near_repeat.radius_m", "incidents.near_repeat.radius_m", n.RadiusM)
	return policy.NearRepeat{Offspring: n.Offspring, Decay: n.Decay.Seconds, RadiusM: n.RadiusM}
}

// buildDeterrence checks the deterrence block at path at ("deterrence",
// or a variant's "variants[i].deterrence") and makes the model's.
func buildDeterrence(d *Deterrence, at string, e *errs) sim.Deterrence {
	out := sim.Deterrence{On: d.Enabled, RadiusM: d.RadiusM, HalfPresence: d.HalfPresence,
		SpaceShare: d.DisplacedSpace, TimeShare: d.DisplacedTime, VisibleAbove: d.VisibleAbove}
	e.bound("deterrence.radius_m", at+".radius_m", d.RadiusM)
	e.bound("deterrence.half_presence", at+".half_presence", d.HalfPresence)
	if d.ResidualDecay.check(e, at+".residual_decay") {
		e.bound("deterrence.residual_decay", at+".residual_decay", d.ResidualDecay.Seconds)
	}
	out.Tau = d.ResidualDecay.Seconds
	okMin := d.DoseMin.check(e, at+".dose_min")
	okFull := d.DoseFull.check(e, at+".dose_full")
	if okMin && okFull && !(d.DoseMin.Seconds >= 0 && d.DoseFull.Seconds > d.DoseMin.Seconds) {
		e.add(at+".dose_full", "must be longer than dose_min %s (got %s)", FormatDuration(d.DoseMin.Seconds), FormatDuration(d.DoseFull.Seconds))
	}
	out.DoseMin, out.DoseFull = d.DoseMin.Seconds, d.DoseFull.Seconds
	e.bound("deterrence.displaced_space", at+".displaced_space", d.DisplacedSpace)
	e.bound("deterrence.displaced_time", at+".displaced_time", d.DisplacedTime)
	if d.DisplacedSpace+d.DisplacedTime > 1 {
		e.add(at+".displaced_time", "displaced_space + displaced_time must be at most 1 (got %g)", d.DisplacedSpace+d.DisplacedTime)
	}
	out.TimeShift = buildDist(&d.TimeShift, at+".time_shift", true, e)
	e.bound("deterrence.visible_above", at+".visible_above", d.VisibleAbove)
	e.bound("deterrence.diffusion", at+".diffusion", d.Diffusion)
	out.Diffusion = d.Diffusion
	return out
}
