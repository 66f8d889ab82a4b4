package optimize

import (
	"fmt"
	"strconv"
	"strings"
)

// What the written files say of a candidate and of the decision, by kind:
// write.go asks these and stays the same for every kind.

// Describe is the decision in one line, for the table's title.
func (pr *Problem) Describe() string {
	if pr.lengths() {
		return fmt.Sprintf("%s: shift patterns of %s units (%s) within %g officer-hours a day%s", pr.Base.File.Name, pr.Spec.Decision.Unit, pr.patternText(), pr.budget, pr.floorText())
	}
	if pr.kind == "shifts" {
		return fmt.Sprintf("%s: shift starts of %d %s units (%g h shifts; starts %s)%s", pr.Base.File.Name, pr.Most, pr.Spec.Decision.Unit, pr.shiftHours, strings.Join(pr.Spec.Decision.Starts, ", "), pr.floorText())
	}
	if pr.kind == "squad-size" {
		return fmt.Sprintf("%s: squad size of %s (%s officers) at %g officer-hours a day", pr.Base.File.Name, pr.Spec.Decision.Unit, joinInts(pr.squads, ", "), pr.hoursBudget)
	}
	if pr.kind == "post-sites" {
		return fmt.Sprintf("%s: %d %s units at %d of %d candidate sites (%s, at most %d a site)",
			pr.Base.File.Name, pr.Most, pr.Spec.Decision.Unit, pr.Most, pr.nSites, pr.Spec.Decision.Candidates, pr.Max)
	}
	return fmt.Sprintf("%s: %s units per district (%s), %s", pr.Base.File.Name, pr.Spec.Decision.Unit, strings.Join(pr.Names, ", "), pr.budgetText())
}

// ScreenText describes stage 1 in one line.
func (pr *Problem) ScreenText(sc *Screened, seconds float64) string {
	if pr.kind == "post-sites" {
		kept := fmt.Sprintf("kept the %d best", len(sc.Kept))
		if pr.current != nil {
			kept = fmt.Sprintf("kept the %d best and the current placement", len(sc.Kept)-1)
		}
		what := "expected travel to the first free unit"
		if pr.cover != nil {
			what = "share of calls without a free unit within " + minutesText(pr.cover.target) + " (MEXCLP)"
		}
		return fmt.Sprintf("screen: %s, busy q = %.3f, greedy addition then swaps, %d placements scored in %.2f s; %s",
			what, pr.Busy, sc.Evaluations, seconds, kept)
	}
	if pr.lengths() {
		return fmt.Sprintf("screen: mean response hour by hour (Erlang C wait + square-root-law travel from the hypercube of the whole force), every mix of lengths the budget affords, %d candidates scored in %.2f s; kept the %d best within %g officer-hours a day",
			sc.Evaluations, seconds, len(sc.Kept), pr.budget)
	}
	if pr.kind == "shifts" {
		return fmt.Sprintf("screen: mean response hour by hour (Erlang C wait + square-root-law travel from the hypercube of the whole force), %d candidates scored in %.2f s; kept the %d best with %d units",
			sc.Evaluations, seconds, len(sc.Kept), sc.Kept[0].Total())
	}
	if pr.kind == "squad-size" {
		return fmt.Sprintf("screen: hypercube mean response (a call of m officers counted as ⌈m/squad⌉ calls), %d models solved in %.2f s; kept the %d best",
			sc.Evaluations, seconds, len(sc.Kept))
	}
	return fmt.Sprintf("screen: hypercube mean response, %d models solved in %.2f s; kept the %d best with %d units",
		sc.Evaluations, seconds, len(sc.Kept), sc.Kept[0].Total())
}

// ScreenHeader is the table's column of the screen's score.
func (pr *Problem) ScreenHeader() string {
	switch {
	case pr.kind == "post-sites" && pr.cover != nil:
		return fmt.Sprintf("screen: calls covered in %s", minutesText(pr.cover.target))
	case pr.kind == "post-sites":
		return "screen: delay + expected travel (min)"
	}
	return "screen: mean response (min)"
}

// ScreenCell is the table's cell of c's screen score: minutes, or for
// coverage the share of calls covered (1 − the score), in per cent.
func (pr *Problem) ScreenCell(c Candidate) string {
	if pr.siteData != nil && pr.cover != nil {
		return strconv.FormatFloat(100*(1-c.Screen), 'f', 2, 64) + "%"
	}
	return minutes(c.Screen)
}

// ScreenColumn is the CSV column of the screen's score.
func (pr *Problem) ScreenColumn() string {
	switch {
	case pr.kind == "post-sites" && pr.cover != nil:
		return "screen_uncovered_share"
	case pr.kind == "post-sites":
		return "screen_expected_response_s"
	}
	return "screen_response_mean_s"
}

func minutesText(s float64) string {
	return strconv.FormatFloat(s/60, 'g', 4, 64) + " min"
}

// ScreenNote is the table's footnote on the screen's assumptions.
func (pr *Problem) ScreenNote() string {
	if pr.kind == "shifts" {
		return "The screen takes each hour as a steady M/M/n queue of the\nunits on duty (all types pooled); compare its column with the simulation's."
	}
	if pr.kind == "post-sites" {
		return "The screen counts the decided type alone (each unit busy\nwith the same probability, the rest of the force ignored); compare its column with the simulation's."
	}
	return "The screen assumes Larson's hypercube (every unit on duty,\none unit a call, exponential service); compare its column with the simulation's."
}

// SlotHeader and SlotCells are the CSV columns that give a candidate's
// decision: units per district, or the sites.
func (pr *Problem) SlotHeader() []string {
	if pr.kind == "post-sites" {
		return []string{"sites"}
	}
	if pr.kind == "squad-size" {
		return []string{"squad"}
	}
	head := make([]string, len(pr.Names))
	for k, n := range pr.Names {
		head[k] = "units_" + n
	}
	return head
}

// SlotCells: see SlotHeader.
func (pr *Problem) SlotCells(c Candidate) []string {
	if pr.kind == "post-sites" {
		return []string{strings.Join(pr.SiteList(c), " ")}
	}
	if pr.kind == "squad-size" {
		return []string{strconv.Itoa(pr.squads[pr.slot(c)])}
	}
	row := make([]string, len(c.Counts))
	for k, n := range c.Counts {
		row[k] = strconv.Itoa(n)
	}
	return row
}

// DecisionJSON is optimize.json's decision.
func (pr *Problem) DecisionJSON() map[string]any {
	d := pr.Spec.Decision
	if pr.kind == "shifts" {
		floor := make([]int, 24)
		for h := range floor {
			floor[h] = pr.floor.at(h)
		}
		if pr.lengths() {
			var pats []map[string]any
			for k := range pr.slotStart {
				pats = append(pats, map[string]any{"start": pr.slotStart[k], "hours": pr.slotHours[k], "officer_hours": pr.slotCost[k], "unit_type": pr.Units[k]})
			}
			return map[string]any{"kind": d.Kind, "unit": d.Unit, "patterns": pats, "officer_hours_per_day": pr.budget, "max": pr.Max, "floor_by_hour": floor}
		}
		return map[string]any{"kind": d.Kind, "unit": d.Unit, "starts": d.Starts, "unit_types": pr.Units, "shift_hours": pr.shiftHours, "count": pr.Most, "max": pr.Max, "floor_by_hour": floor}
	}
	if pr.kind == "squad-size" {
		return map[string]any{"kind": d.Kind, "unit": d.Unit, "squads": pr.squads, "units": pr.squadData.units, "officer_hours_per_day": pr.hoursBudget, "units_sent_a_call": pr.mult}
	}
	if pr.kind == "post-sites" {
		return map[string]any{"kind": d.Kind, "unit": d.Unit, "candidates": d.Candidates, "sites": pr.nSites, "current": pr.current != nil, "count": pr.Most, "max_per_site": pr.Max, "post_kind_in_chosen": pr.chosenAt}
	}
	return map[string]any{"kind": d.Kind, "unit": d.Unit, "districts": pr.Names, "unit_types": pr.Units, "min": pr.Min, "max": pr.Max}
}

// ScreenJSON is optimize.json's screen.
func (pr *Problem) ScreenJSON(sc *Screened) map[string]any {
	if pr.kind == "shifts" {
		return map[string]any{"method": Hourly, "score": "s: mean over the day (hours by call rate) of dispatch delay + M/M/n Erlang C wait + travel, n the units on duty that hour, travel the whole force's hypercube travel × sqrt(N/n) (Kolesar & Blum 1973)",
			"travel_all_on_duty_s": pr.fullTravel, "units_all": pr.nAll, "evaluations": sc.Evaluations, "kept": len(sc.Kept)}
	}
	if pr.kind == "squad-size" {
		return map[string]any{"method": Hypercube, "score": "mean response time, s: dispatch delay + Erlang C wait + mean travel; a call of m officers counted as ceil(m/squad) calls", "evaluations": sc.Evaluations, "kept": len(sc.Kept)}
	}
	if pr.kind == "post-sites" && pr.cover != nil {
		return map[string]any{"method": Coverage, "score": "share of calls not covered: no free unit of the type within the P1 target (dispatch delay + turnout + travel), each busy with probability busy (MEXCLP, Daskin 1983)",
			"target_s": pr.cover.target, "busy": pr.Busy, "search": "greedy addition, then swaps (Teitz & Bart 1968)", "evaluations": sc.Evaluations, "kept": len(sc.Kept)}
	}
	if pr.kind == "post-sites" {
		return map[string]any{"method": ExpectedTravel, "score": "s: mean dispatch delay + expected travel of the first free unit, each busy with probability busy (Daskin 1983); p-median at busy 0",
			"busy": pr.Busy, "search": "greedy addition, then swaps (Teitz & Bart 1968)", "evaluations": sc.Evaluations, "kept": len(sc.Kept)}
	}
	return map[string]any{"method": Hypercube, "score": "mean response time, s: dispatch delay + Erlang C wait + mean travel", "evaluations": sc.Evaluations, "kept": len(sc.Kept)}
}

// candidateJSON is a candidate's decision in optimize.json.
func (pr *Problem) candidateJSON(c Candidate) (counts []int, sites []string) {
	if pr.kind == "shifts" {
		return nil, nil // units_by_start
	}
	if pr.kind == "squad-size" {
		return nil, nil
	}
	if pr.kind == "post-sites" {
		return nil, pr.SiteList(c)
	}
	return c.Counts, nil
}

func joinInts(xs []int, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}

func (pr *Problem) floorText() string {
	f := pr.floor
	switch {
	case len(f) == 0:
		return ""
	case len(f) == 1:
		return fmt.Sprintf(", at least %d on duty every hour", f[0])
	}
	return ", at least " + joinInts(f, " ") + " on duty by hour"
}

// byStart is a shifts candidate's units by start, for optimize.json.
func (pr *Problem) byStart(c Candidate) []int {
	if pr.kind != "shifts" {
		return nil
	}
	return c.Counts
}
