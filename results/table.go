package results

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParetoMark marks the variants on the Pareto front, in the terminal table,
// the report and the what-if page.
const ParetoMark = "●"

// variantsPerBlock keeps the table within 100 columns.
const variantsPerBlock = 3

// WriteTable prints the ranked table: the objective, what the evidence
// supports in words, then per variant (in table order, Position) its group
// ("1=" for the best set), score with its interval, distance from the best
// and Pareto mark, and a row for every metric declared for the table
// (Metric.Table), labelled with its header ("P1 response, p90 (min)");
// each cell is the mean ± the half-width of its 95% confidence interval in
// the metric's format (Metric.Cell): times in minutes, shares in percent.
// A dash stands for a value or an interval that does not exist (one
// replication).
func (s *Summary) WriteTable(w io.Writer) error {
	order := s.Order()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d replications, seed %d\n", s.Scenario, s.Replications, s.Seed)
	if s.Replay != nil {
		b.WriteString(wrap("incidents: "+s.Replay.Header, 100) + "\n")
	}
	b.WriteString(objectiveText(s))
	for _, warn := range s.Warnings {
		b.WriteString(wrap("warning: "+warn, 100) + "\n")
	}
	if words := s.Verdict(); words != "" {
		b.WriteString(wrap(words, 100) + "\n")
	}
	unit := s.ScoreUnit()
	// A priority's rows are left out, and said so below the table, when
	// no variant has a value in any of them: no incident of that priority
	// was counted (no type has it), and a column of dashes says nothing.
	skip, absent := s.absentPriorities()
	for start := 0; start < len(order); start += variantsPerBlock {
		block := order[start:min(start+variantsPerBlock, len(order))]
		b.WriteString("\n")
		fmt.Fprintf(&b, "%-26s", "")
		for _, v := range block {
			fmt.Fprintf(&b, "%22s", clip(s.Variants[v].Name, 21))
		}
		b.WriteString("\n")
		row := func(head string, cell func(v *VariantSummary) string) {
			fmt.Fprintf(&b, "%-26s", head)
			for _, v := range block {
				fmt.Fprintf(&b, "%22s", cell(&s.Variants[v]))
			}
			b.WriteString("\n")
		}
		row("group", func(v *VariantSummary) string {
			if v.Group == "" {
				return "–"
			}
			return v.Group
		})
		row(clip("score ("+unit+", lower better)", 25), func(v *VariantSummary) string { return ScoreCell(v.Score, v.ScoreLow, v.ScoreHigh) })
		row(clip("behind the best ("+unit+")", 25), func(v *VariantSummary) string {
			if v.Best || !finite(v.BehindHigh) {
				return "–"
			}
			return "up to " + FormatScore(v.BehindHigh)
		})
		row("Pareto front (possibly)", func(v *VariantSummary) string {
			if v.Pareto {
				return ParetoMark
			}
			return ""
		})
		for i, m := range s.Metrics {
			m = Describe(m)
			if !m.Table || skip[i] {
				continue
			}
			row(clip(m.Header(), 25), func(v *VariantSummary) string { return m.Cell(v.Estimates[i]) })
		}
	}
	for _, p := range absent {
		fmt.Fprintf(&b, "No priority-%s incident was counted: the P%s rows are left out.\n", p, p)
	}
	for _, v := range order {
		if n := s.Variants[v].Note; n != "" {
			b.WriteString(wrap(s.Variants[v].Name+": "+n, 100) + "\n")
		}
	}
	s.writeReplay(&b)
	s.writeComparisons(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// priorityMetric matches the name of a metric of one priority
// (response_p90_s_p2, within_target_p2) and captures the priority.
var priorityMetric = regexp.MustCompile(`_p([0-9])$`)

// absentPriorities returns the table metrics of priorities without a value
// in any variant (skip, by metric index) and those priorities, in order.
func (s *Summary) absentPriorities() (skip map[int]bool, absent []string) {
	defined := map[string]bool{}
	rows := map[string][]int{}
	for i, m := range s.Metrics {
		sub := priorityMetric.FindStringSubmatch(m.Name)
		if sub == nil || !Describe(m).Table {
			continue
		}
		p := sub[1]
		rows[p] = append(rows[p], i)
		for _, v := range s.Variants {
			if i < len(v.Estimates) && !math.IsNaN(v.Estimates[i].Mean) {
				defined[p] = true
			}
		}
	}
	skip = map[int]bool{}
	for p, idx := range rows {
		if defined[p] {
			continue
		}
		absent = append(absent, p)
		for _, i := range idx {
			skip[i] = true
		}
	}
	slices.Sort(absent)
	return skip, absent
}

// Order returns the variants' indices in table order (Position).
func (s *Summary) Order() []int {
	order := make([]int, len(s.Variants))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return s.Variants[a].Position - s.Variants[b].Position })
	return order
}

// ScoreUnit is the unit of the scores: the stored unit of the first goal's
// metric when its weight is 1 (s for the default objective), else
// "objective units".
func (s *Summary) ScoreUnit() string {
	if len(s.Objective) > 0 && s.Objective[0].Weight == 1 {
		if u := Describe(s.Metrics[s.Index(s.Objective[0].Metric)]).Unit(); u != "" {
			return u
		}
	}
	return "objective units"
}

// Verdict says in words what the evidence supports: which variants may be
// the best, at what confidence, and what is left out.
func (s *Summary) Verdict() string {
	var best, ranked, bench []string
	for _, v := range s.Order() {
		vs := &s.Variants[v]
		switch {
		case vs.Benchmark:
			bench = append(bench, vs.Name)
		case vs.Group != GroupUndefined && finite(vs.Score):
			ranked = append(ranked, vs.Name)
			if vs.Best {
				best = append(best, vs.Name)
			}
		}
	}
	conf := fmt.Sprintf("%g%%", 100*(1-s.Alpha))
	var b strings.Builder
	switch {
	case len(best) == 0:
	case len(ranked) == 1:
		fmt.Fprintf(&b, "Only %s is ranked.", best[0])
	case len(best) == 1:
		fmt.Fprintf(&b, "Best: %s, at %s joint confidence (multiple comparisons with the best, paired on common random numbers): every other variant is worse.", best[0], conf)
	case len(best) == len(ranked):
		fmt.Fprintf(&b, "The evidence cannot tell the %d variants apart: any may be the best at %s joint confidence (more replications: run --until-decided).", len(ranked), conf)
	default:
		fmt.Fprintf(&b, "The best is one of %s, at %s joint confidence (multiple comparisons with the best, paired on common random numbers); the %d others are each worse than at least one of them.",
			strings.Join(best, ", "), conf, len(ranked)-len(best))
	}
	if len(bench) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Benchmark%s, not ranked (%s knowledge no real force has): %s.", plural(len(bench)), map[bool]string{true: "uses", false: "use"}[len(bench) == 1], strings.Join(bench, ", "))
	}
	return b.String()
}

// wrap breaks text into lines of at most width columns at spaces (and
// at the line breaks it has), indenting continuation lines by two.
func wrap(text string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width:
				out = append(out, line)
				line = "  " + w
			default:
				line += " " + w
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ScoreCell writes a score with the half-width of its interval: "294 ± 12";
// a dash without a score (NaN), the mean alone without an interval. Every
// screen (terminal table, report, what-if page) writes scores so.
func ScoreCell(mean, lo, hi float64) string {
	if !finite(mean) {
		return "–"
	}
	if !finite(lo) || !finite(hi) {
		return FormatScore(mean)
	}
	return FormatScore(mean) + " ± " + FormatScore((hi-lo)/2)
}

// FormatScore writes a score to about four significant digits.
func FormatScore(x float64) string {
	switch a := math.Abs(x); {
	case a >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	default:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
}

// objectiveText says how the variants are scored, a line a goal.
func objectiveText(s *Summary) string {
	if len(s.Objective) == 0 {
		return "not ranked (no objective metric separates the variants)\n"
	}
	var b strings.Builder
	for k, g := range s.Objective {
		m := Describe(s.Metrics[s.Index(g.Metric)])
		sign := "+"
		if m.Better == Higher {
			sign = "−"
		}
		lead := "score = "
		if k > 0 {
			lead = "        "
		}
		if k == 0 && sign == "+" {
			sign = " "
		}
		fmt.Fprintf(&b, "%s%s %g × %s (%s; in %s)\n", lead, sign, g.Weight, g.Metric, m.Label, m.Unit())
	}
	return b.String()
}

// maxComparisonLines bounds the comparisons printed; the JSON has them all.
const maxComparisonLines = 12

// writeComparisons lists the paired differences between variants adjacent
// in rank, on each objective metric, with Holm-adjusted significance.
func (s *Summary) writeComparisons(b *strings.Builder) {
	if len(s.Variants) < 2 || len(s.Comparisons) == 0 {
		return
	}
	pos := map[string]int{}
	for _, v := range s.Variants {
		pos[v.Name] = v.Position
	}
	undefined := 0
	for _, c := range s.Comparisons {
		if c.Note != "" {
			undefined++
		}
	}
	over := fmt.Sprintf("all %d comparisons", len(s.Comparisons))
	if undefined > 0 {
		over = fmt.Sprintf("the %d tested;\n%d of the %d comparisons have no verdict: a value is not finite in a replication",
			len(s.Comparisons)-undefined, undefined, len(s.Comparisons))
	}
	fmt.Fprintf(b, "\nDifferences between neighbours in the table (paired on common random numbers;\n"+
		"95%% interval; significant at %g after Holm's correction over %s):\n", s.Alpha, over)
	n, metric := 0, ""
	for _, c := range s.Comparisons {
		if pos[c.B] != pos[c.A]+1 {
			continue
		}
		if n == maxComparisonLines {
			b.WriteString("  … (all comparisons are in results.json)\n")
			break
		}
		n++
		m := Describe(s.Metrics[s.Index(c.Metric)])
		scale := m.Format().Scale
		if c.Metric != metric {
			metric = c.Metric
			fmt.Fprintf(b, "  %s:\n", differenceHeader(m))
		}
		if c.Note != "" {
			fmt.Fprintf(b, "    %s − %s: %s\n", clip(c.A, 20), clip(c.B, 20), c.Note)
			continue
		}
		if !finite(c.Low) || !finite(c.High) || !finite(c.PHolm) {
			fmt.Fprintf(b, "    %s − %s: %+.3g (no interval and no test from %d replication%s)\n",
				clip(c.A, 20), clip(c.B, 20), c.Difference*scale, c.N, plural(c.N))
			continue
		}
		verdict := "not significant"
		if c.Significant {
			verdict = "significant"
		}
		fmt.Fprintf(b, "    %s − %s: %+.3g [%+.3g, %+.3g], p = %.2g, %s\n",
			clip(c.A, 20), clip(c.B, 20), c.Difference*scale, c.Low*scale, c.High*scale, c.PHolm, verdict)
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// differenceHeader names a metric for its differences: its label and the
// unit of a difference, "P1 response, p90 (min)"; a difference of
// percentages is in percentage points.
func differenceHeader(m Metric) string {
	switch u := m.Format().Unit; u {
	case "":
		return m.Label
	case "%":
		return m.Label + " (percentage points)"
	default:
		return m.Label + " (" + u + ")"
	}
}

// ANSI styles for Colorize.
const (
	ansiBold  = "\x1b[1m"
	ansiGreen = "\x1b[32m"
	ansiReset = "\x1b[0m"
)

// Colorize adds terminal colours to a table written by WriteTable: variant
// names and ranks in bold, the Pareto mark in green, significant
// differences in bold. The alignment is kept (colour codes take no
// columns). Use it only when the output is a terminal.
func Colorize(table string) string {
	lines := strings.Split(table, "\n")
	for i, l := range lines {
		switch {
		case i > 0 && strings.HasPrefix(l, "group "):
			lines[i] = ansiBold + l + ansiReset
			if i > 0 {
				lines[i-1] = ansiBold + lines[i-1] + ansiReset
			}
		case strings.HasPrefix(l, "Pareto front"):
			lines[i] = strings.ReplaceAll(l, ParetoMark, ansiGreen+ParetoMark+ansiReset)
		case strings.HasSuffix(l, ", significant"):
			lines[i] = strings.TrimSuffix(l, "significant") + ansiBold + "significant" + ansiReset
		}
	}
	return strings.Join(lines, "\n")
}
