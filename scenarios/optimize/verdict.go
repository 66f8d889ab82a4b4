package optimize

// What the table and the files say about the selection: the verdict, and
// with constraints the feasibility of each candidate.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/results"
)

// constraintsText is the constraints as written, joined by "and".
func (pr *Problem) constraintsText() string {
	var parts []string
	for _, c := range pr.Spec.Objective.constraints {
		parts = append(parts, c.Text)
	}
	return strings.Join(parts, " and ")
}

// feasibilityText says how the constraints were tested.
func (o *Outcome) feasibilityText() string {
	f, pr := o.feas, o.Problem
	var ls []string
	for _, l := range f.looks {
		ls = append(ls, strconv.Itoa(l))
	}
	t := fmt.Sprintf("feasibility of %s by one-sided t bounds at r = %s (Bonferroni over %s × %s × %s, α = %g)",
		pr.constraintsText(), strings.Join(ls, ", "), plural(len(f.status), "candidate"), plural(len(f.cons), "constraint"), plural(len(f.looks), "look"), f.alpha)
	if !pr.byCost() {
		t += fmt.Sprintf(", then KN on %s among the feasible from replication %d (δ = %s, α = %g)", o.objectiveText(), o.Phase2+1, o.deltaText(), o.Decision.Alpha/2)
	}
	return t
}

// verdictLine is the table's line on the decision.
func (o *Outcome) verdictLine() string {
	d := o.Decision
	if len(o.Problem.Spec.Objective.constraints) > 0 {
		return o.constrainedVerdict()
	}
	if d.Decided {
		return fmt.Sprintf("decided: %s is the best or within %s of it with probability ≥ %.0f%% (indifference zone δ = %s)",
			d.Best, o.deltaText(), 100*(1-d.Alpha), o.deltaText())
	}
	return fmt.Sprintf("NOT decided within %d replications: %d candidates still in contention (%s); chosen the lowest mean among them, without the guarantee",
		d.Max, len(d.Alive), strings.Join(d.Alive, ", "))
}

// constrainedVerdict says what the feasibility test (and KN) decided.
func (o *Outcome) constrainedVerdict() string {
	pr, d, c := o.Problem, o.Decision, o.Chosen
	cons := pr.constraintsText()
	if pr.byCost() {
		switch {
		case d.Decided:
			return fmt.Sprintf("decided: %s (%d units, %g officer-hours a day) is the cheapest candidate shown to meet %s, every cheaper one shown not to; all these claims hold together with probability ≥ %.0f%%",
				c.Name, c.Total(), c.OfficerHours, cons, 100*(1-d.Alpha))
		case c.Status == Feasible:
			var cheaper []string
			for _, x := range o.Candidates {
				if x.Status == Undecided && x.OfficerHours < c.OfficerHours {
					cheaper = append(cheaper, x.Name)
				}
			}
			return fmt.Sprintf("NOT decided within %d replications: chosen %s, shown to meet %s, but the cheaper %s may meet it too (undecided); raise select.max",
				d.Replications, c.Name, cons, strings.Join(cheaper, ", "))
		case c.Status == Undecided:
			return fmt.Sprintf("NOT decided within %d replications: %s undecided; chosen %s, the cheapest that may meet %s, without the guarantee",
				d.Replications, strings.Join(d.Alive, ", "), c.Name, cons)
		}
		return fmt.Sprintf("NO candidate meets %s within the budget (every one shown not to): chosen %s, the most units", cons, c.Name)
	}
	switch {
	case d.Decided:
		return fmt.Sprintf("decided: %s meets %s and is the best of those that do, or within %s of it, with probability ≥ %.0f%% (feasibility at α/2, KN at α/2)",
			c.Name, cons, o.deltaText(), 100*(1-d.Alpha))
	case c.Status == Feasible:
		return fmt.Sprintf("NOT decided within %d replications: %s meets %s but KN did not single it out (%s still in contention); chosen the lowest mean among them, without the guarantee",
			d.Replications, c.Name, cons, strings.Join(d.Alive, ", "))
	case c.Status == Undecided:
		return fmt.Sprintf("NOT decided: no candidate was shown to meet %s within %d replications; chosen %s among those not shown to break it, without the guarantee", cons, d.Replications, c.Name)
	}
	return fmt.Sprintf("NO candidate meets %s (every one shown not to): chosen %s, infeasible", cons, c.Name)
}

// statusCell is candidate c's feasibility and constraint j's bounds at
// the test's level, in the metric's format: "feasible [6.55, 6.95]".
func (o *Outcome) statusCell(c Scored, j int) string {
	if j >= len(c.Bounds) {
		return "–"
	}
	b := c.Bounds[j]
	m := o.metric(o.Problem.Spec.Objective.constraints[j].Metric)
	if b.Low != b.Low {
		return c.Status.String() + " (not finite)"
	}
	return fmt.Sprintf("%s [%s, %s]", c.Status, m.Text(b.Low), m.Text(b.High))
}

// metric is the selection run's metric called name (a bare one if the
// run lacks it).
func (o *Outcome) metric(name string) results.Metric {
	sum := o.Result.Summary
	if i := sum.Index(name); i >= 0 {
		return sum.Metrics[i]
	}
	return results.Metric{Name: name}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
