package optimize

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// The files of an optimisation's output folder.
const (
	ChosenFile     = "chosen.yaml"     // the chosen deployment, a ready scenario
	CandidatesFile = "candidates.yaml" // the kept candidates as variants of one scenario
	TableFile      = "candidates.csv"  // screen vs simulation for each kept candidate
	ScreenFile     = "screen.csv"      // the screen's search path
	SummaryFile    = "optimize.json"   // what was decided, how, and the budget spent
	ResultsFile    = "results.json"    // the selection's run, as `patrolsim run` writes it
	ParetoFile     = "pareto.csv"      // the candidates on two objectives, the front marked
	ChartFile      = "optimize.svg"    // the front, and the screen against the simulation
)

func sortScored(xs []Scored) {
	slices.SortStableFunc(xs, func(a, b Scored) int {
		if c := cmp.Compare(a.Objective.Mean, b.Objective.Mean); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// objMetric is the objective's one metric when it has a single goal of
// weight 1 (its cost is then the metric's value, negated when higher is
// better), else nil.
func (o *Outcome) objMetric() *results.Metric {
	if len(o.Goals) != 1 || o.Goals[0].Weight != 1 {
		return nil
	}
	sum := o.Result.Summary
	if i := sum.Index(o.Goals[0].Metric); i >= 0 && sum.Metrics[i].Better != results.Neutral {
		return &sum.Metrics[i]
	}
	return nil
}

// objCell shows an objective cost as its metric's value (the cost negated
// back for a metric better high).
func (o *Outcome) objCell(e results.Estimate) string {
	if m := o.objMetric(); m != nil && m.Better == results.Higher {
		return m.Cell(results.Estimate{Mean: -e.Mean, Low: -e.High, High: -e.Low, N: e.N})
	}
	return o.costCell(e)
}

func minutes(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	if math.IsInf(x, 1) {
		return "∞"
	}
	return strconv.FormatFloat(x/60, 'f', 2, 64)
}

func minutesCI(e results.Estimate) string {
	if e.N == 0 || math.IsNaN(e.Mean) {
		return "–"
	}
	if math.IsNaN(e.Low) {
		return minutes(e.Mean)
	}
	return minutes(e.Mean) + " ± " + strconv.FormatFloat((e.High-e.Low)/2/60, 'f', 2, 64)
}

// costCell shows an objective cost (a difference too) in the objective's
// metric's unit, or as a score.
func (o *Outcome) costCell(e results.Estimate) string {
	if m := o.objMetric(); m != nil {
		return m.Cell(e)
	}
	if e.N == 0 {
		return "–"
	}
	return results.FormatScore(e.Mean) + " ± " + results.FormatScore((e.High-e.Low)/2)
}

func (o *Outcome) costHeader() string {
	if m := o.objMetric(); m != nil {
		return m.Header()
	}
	return "objective cost (score)"
}

// WriteTable prints the outcome for the terminal: the stages, then one
// row a kept candidate, the chosen first; seconds are the wall clock.
func (o *Outcome) WriteTable(w io.Writer) error {
	pr, d := o.Problem, o.Decision
	fmt.Fprintf(w, "optimize %s\n", pr.Describe())
	if pr.byCost() {
		fmt.Fprintf(w, "screen: hypercube mean response, %d models solved in %.2f s; kept the best split of each of %d totals (%d to %d units)\n",
			o.Screened.Evaluations, o.ScreenSeconds, len(o.Screened.Kept), o.Screened.Kept[0].Total(), o.Screened.Kept[len(o.Screened.Kept)-1].Total())
	} else {
		fmt.Fprintln(w, pr.ScreenText(o.Screened, o.ScreenSeconds))
	}
	if cons := pr.Spec.Objective.constraints; len(cons) > 0 {
		fmt.Fprintf(w, "select: %s, %d replications (budget %d) in %.1f s\n", o.feasibilityText(), d.Replications, d.Max, o.SelectSeconds)
	} else {
		fmt.Fprintf(w, "select: KN on %s, %d replications (%d first stage, budget %d) in %.1f s\n",
			o.objectiveText(), d.Replications, d.First, d.Max, o.SelectSeconds)
	}
	fmt.Fprintln(w, o.verdictLine())
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	cons := pr.Spec.Objective.constraints
	fmt.Fprintf(tw, "candidate\tunits\tofficer-h/day\t%s\tsim: mean response (min)\tsim: %s\tminus chosen, paired\tbest set", pr.ScreenHeader(), o.costHeader())
	for _, c := range cons {
		h := c.Text + ": status [bounds]"
		if u := o.metric(c.Metric).Format().Unit; u != "" {
			h += " (" + u + ")"
		}
		fmt.Fprintf(tw, "\t%s", h)
	}
	fmt.Fprintln(tw)
	for i, c := range o.Candidates {
		mark := ""
		if i == 0 {
			mark = " *"
		}
		vs := "(chosen)"
		if i > 0 {
			vs = o.costCell(c.VsChosen)
		}
		in := "no"
		if c.InBestSet {
			in = "yes"
		}
		fmt.Fprintf(tw, "%s%s\t%d\t%g\t%s\t%s\t%s\t%s\t%s", c.Name, mark, c.Total(), c.OfficerHours, pr.ScreenCell(c.Candidate), minutesCI(c.Response), o.objCell(c.Objective), vs, in)
		for j := range cons {
			fmt.Fprintf(tw, "\t%s", o.statusCell(c, j))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nIntervals are 95%% (t, over replications); \"minus chosen\" is paired on common random numbers:\nabove 0, the chosen is better. %s\n", pr.ScreenNote())
	return err
}

func (o *Outcome) objectiveText() string {
	var parts []string
	for _, g := range o.Goals {
		if g.Weight == 1 {
			parts = append(parts, g.Metric)
		} else {
			parts = append(parts, fmt.Sprintf("%g × %s", g.Weight, g.Metric))
		}
	}
	return strings.Join(parts, " + ")
}

func (o *Outcome) deltaText() string {
	if m := o.objMetric(); m != nil && m.Unit() == "s" {
		return fmt.Sprintf("%g s", o.Decision.Delta)
	}
	return fmt.Sprintf("%g (objective units)", o.Decision.Delta)
}

func (pr *Problem) budgetText() string {
	var parts []string
	if b := pr.Spec.Budget.Units; b > 0 {
		parts = append(parts, fmt.Sprintf("at most %d units", b))
	}
	if h := pr.Spec.Budget.OfficerHours; h > 0 {
		parts = append(parts, fmt.Sprintf("at most %g officer-hours a day (%g a unit)", h, pr.PerUnit))
	}
	return "budget " + strings.Join(parts, " and ")
}

// Folder is the output folder of an optimisation, one set of files.
func Folder(dir string) outputs.Folder {
	return outputs.Folder{Dir: dir, Set: "patrolsim optimize"}
}

// Write puts the outcome in dir as one set (outputs.Folder): the chosen
// scenario, the candidates' scenario, candidates.csv, screen.csv,
// optimize.json and the selection's results.json; a built-in scenario's
// data files beside them. Nothing written depends on the wall clock or
// the worker count, so the folder is byte-identical between runs.
func (o *Outcome) Write(ctx context.Context, dir string) error {
	if err := run.CheckOutput(dir, o.Problem.Base); err != nil {
		return err
	}
	chosen, err := o.Problem.scenario(o.Problem.Chosen(o.Chosen.Candidate))
	if err != nil {
		return fmt.Errorf("the chosen scenario does not load: %w", err)
	}
	cdoc, beside, err := run.Resolve(chosen, run.ResolveOptions{})
	if err != nil {
		return err
	}
	kdoc, _, err := run.Resolve(o.Scenario, run.ResolveOptions{})
	if err != nil {
		return err
	}
	note := fmt.Sprintf("# Chosen by patrolsim optimize: %s (%s)\n", o.Chosen.Name, o.verdict())
	cdoc = append([]byte(note), cdoc...)
	return Folder(dir).Write(ctx, func(stage string) error {
		files := []struct {
			name string
			fn   func(io.Writer) error
		}{
			{ChosenFile, bytesWriter(cdoc)},
			{CandidatesFile, bytesWriter(kdoc)},
			{TableFile, o.writeCSV},
			{ScreenFile, o.writeScreen},
			{SummaryFile, o.writeJSON},
			{ResultsFile, o.Result.Summary.WriteJSON},
			{ParetoFile, o.writePareto},
			{ChartFile, o.writeChart},
		}
		for _, f := range beside {
			files = append(files, struct {
				name string
				fn   func(io.Writer) error
			}{f.Name, bytesWriter(f.Data)})
		}
		for _, f := range files {
			if err := outputs.WriteNew(filepath.Join(stage, f.name), f.fn); err != nil {
				return err
			}
		}
		return nil
	})
}

func (o *Outcome) verdict() string {
	if len(o.Problem.Spec.Objective.constraints) > 0 {
		return o.constrainedVerdict()
	}
	if o.Decision.Decided {
		return fmt.Sprintf("decided: best or within %s of it with probability ≥ %.0f%%", o.deltaText(), 100*(1-o.Decision.Alpha))
	}
	return "not decided within the replication budget: the lowest mean of those in contention"
}

func bytesWriter(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

func num(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	if math.IsInf(x, 0) {
		return "inf"
	}
	return strconv.FormatFloat(x, 'g', 10, 64)
}

// writeCSV: one row a kept candidate (the chosen first); times in seconds.
func (o *Outcome) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"candidate", "chosen"}
	head = append(head, o.Problem.SlotHeader()...)
	head = append(head, "units", "officer_hours_per_day", o.Problem.ScreenColumn(), "screen_method",
		"sim_response_mean_s", "sim_response_mean_low_s", "sim_response_mean_high_s",
		"objective_cost", "objective_low", "objective_high", "minus_chosen", "minus_chosen_low", "minus_chosen_high", "in_best_set", "in_contention")
	cons := o.Problem.Spec.Objective.constraints
	if len(cons) > 0 {
		head = append(head, "feasibility")
	}
	for j, c := range cons {
		p := fmt.Sprintf("constraint%d_%s", j+1, c.Metric)
		head = append(head, p+"_mean", p+"_low", p+"_high")
	}
	cw.Write(head)
	for i, c := range o.Candidates {
		row := []string{c.Name, strconv.FormatBool(i == 0)}
		row = append(row, o.Problem.SlotCells(c.Candidate)...)
		row = append(row, strconv.Itoa(c.Total()), num(c.OfficerHours), num(c.Screen), c.Method,
			num(c.Response.Mean), num(c.Response.Low), num(c.Response.High),
			num(c.Objective.Mean), num(c.Objective.Low), num(c.Objective.High),
			num(c.VsChosen.Mean), num(c.VsChosen.Low), num(c.VsChosen.High),
			strconv.FormatBool(c.InBestSet), strconv.FormatBool(c.Alive))
		if len(cons) > 0 {
			row = append(row, c.Status.String())
		}
		for _, b := range c.Bounds {
			row = append(row, num(b.Mean), num(b.Low), num(b.High))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// writeScreen: the search's path, one row a step.
func (o *Outcome) writeScreen(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"step", "candidate"}
	head = append(head, o.Problem.SlotHeader()...)
	head = append(head, "units", o.Problem.ScreenColumn(), "screen_method")
	cw.Write(head)
	for i, c := range o.Screened.Path {
		row := []string{strconv.Itoa(i), o.Problem.Name(c)}
		row = append(row, o.Problem.SlotCells(c)...)
		row = append(row, strconv.Itoa(c.Total()), num(c.Screen), c.Method)
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// jsonBound is a constraint's metric: its mean and the feasibility
// test's bounds at its last look.
type jsonBound struct {
	Constraint string   `json:"constraint"`
	Mean       *float64 `json:"mean"`
	Low        *float64 `json:"low"`
	High       *float64 `json:"high"`
	N          int      `json:"n"`
}

// goalJSON is the OPT file's objective block as decided: nil without one.
func (o *Outcome) goalJSON() any {
	ob := o.Problem.Spec.Objective
	if !ob.set() {
		return nil
	}
	g := map[string]any{"constraints": ob.SubjectTo}
	if ob.Minimise != "" {
		g["minimise"] = ob.Minimise
	} else {
		g["maximise"] = ob.Maximise
	}
	if f := o.feas; f != nil {
		g["feasibility"] = map[string]any{"test": "one-sided t bounds on each constraint's mean, Bonferroni over candidates, constraints and looks",
			"alpha": f.alpha, "level_each": f.level, "looks": f.looks}
		if !o.Problem.byCost() {
			g["kn_from_replication"] = o.Phase2
		}
	}
	return g
}

type jsonEstimate struct {
	Mean *float64 `json:"mean"`
	Low  *float64 `json:"low"`
	High *float64 `json:"high"`
	N    int      `json:"n"`
}

func jnum(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func jest(e results.Estimate) jsonEstimate {
	return jsonEstimate{jnum(e.Mean), jnum(e.Low), jnum(e.High), e.N}
}

func (o *Outcome) writeJSON(w io.Writer) error {
	pr, d := o.Problem, o.Decision
	type cand struct {
		Name             string       `json:"name"`
		Counts           []int        `json:"units_by_district,omitempty"`
		Sites            []string     `json:"sites,omitempty"`
		ByStart          []int        `json:"units_by_start,omitempty"`
		Units            int          `json:"units"`
		OfficerHours     float64      `json:"officer_hours_per_day"`
		ScreenResponse   *float64     `json:"screen_response_mean_s"`
		ScreenMethod     string       `json:"screen_method"`
		SimResponse      jsonEstimate `json:"sim_response_mean_s"`
		Objective        jsonEstimate `json:"objective_cost"`
		MinusChosen      jsonEstimate `json:"minus_chosen"`
		InBestSet        bool         `json:"in_best_set"`
		StillInContetion bool         `json:"in_contention"`
		Feasibility      string       `json:"feasibility,omitempty"`
		Constraints      []jsonBound  `json:"constraints,omitempty"`
	}
	var cs []cand
	for _, c := range o.Candidates {
		counts, sites := pr.candidateJSON(c.Candidate)
		x := cand{Name: c.Name, Counts: counts, Sites: sites, ByStart: pr.byStart(c.Candidate), Units: c.Total(), OfficerHours: c.OfficerHours, ScreenResponse: jnum(c.Screen), ScreenMethod: c.Method,
			SimResponse: jest(c.Response), Objective: jest(c.Objective), MinusChosen: jest(c.VsChosen), InBestSet: c.InBestSet, StillInContetion: c.Alive}
		if o.feas != nil {
			x.Feasibility = c.Status.String()
			for j, b := range c.Bounds {
				x.Constraints = append(x.Constraints, jsonBound{pr.Spec.Objective.constraints[j].Text, jnum(b.Mean), jnum(b.Low), jnum(b.High), b.N})
			}
		}
		cs = append(cs, x)
	}
	doc := map[string]any{
		"scenario":  pr.Base.Path,
		"seed":      pr.Base.File.Seed,
		"variant":   pr.split.Variants[0].Name,
		"decision":  pr.DecisionJSON(),
		"budget":    map[string]any{"officer_hours_per_day": pr.Spec.Budget.OfficerHours, "units": pr.Spec.Budget.Units, "officer_hours_per_unit": pr.PerUnit, "most_units": pr.Most},
		"objective": o.Goals,
		"screen":    pr.ScreenJSON(o.Screened),
		"select": map[string]any{"procedure": "KN (Kim & Nelson 2001), common random numbers", "alpha": d.Alpha, "delta": d.Delta, "first": d.First, "max": d.Max,
			"replications": d.Replications, "decided": d.Decided, "best": d.Best, "alive": d.Alive, "dropped": d.Dropped, "fixed_sample_equivalent": d.Fixed},
		"goal":       o.goalJSON(),
		"chosen":     o.Chosen.Name,
		"verdict":    o.verdict(),
		"candidates": cs,
		"patrolsim":  run.Version(),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
