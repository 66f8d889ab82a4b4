package results

import (
	"fmt"
	"io"
	"strings"
)

// ParetoMark marks the variants on the Pareto front, in the terminal table,
// the report and the what-if page.
const ParetoMark = "●"

// variantsPerBlock keeps the table within 100 columns.
const variantsPerBlock = 3

// WriteTable prints the ranked table: a row for every metric declared for
// the table (Metric.Table), labelled with its header ("P1 response, p90
// (min)"); each cell is the mean ± the half-width of its 95% confidence
// interval in the metric's format (Metric.Cell): times in minutes, shares
// in percent.
func (s *Summary) WriteTable(w io.Writer) error {
	order := make([]int, len(s.Variants))
	for i, v := range s.Variants {
		order[v.Rank-1] = i
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d replications, seed %d\n%s", s.Scenario, s.Replications, s.Seed, objectiveText(s))
	for start := 0; start < len(order); start += variantsPerBlock {
		block := order[start:min(start+variantsPerBlock, len(order))]
		b.WriteString("\n")
		fmt.Fprintf(&b, "%-26s", "")
		for _, v := range block {
			fmt.Fprintf(&b, "%22s", clip(s.Variants[v].Name, 21))
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "%-26s", "rank")
		for _, v := range block {
			fmt.Fprintf(&b, "%22d", s.Variants[v].Rank)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "%-26s", "score (lower is better)")
		for _, v := range block {
			score := "–"
			if x := s.Variants[v].Score; x == x {
				score = fmt.Sprintf("%.3f", x)
			}
			fmt.Fprintf(&b, "%22s", score)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "%-26s", "Pareto front")
		for _, v := range block {
			mark := ""
			if s.Variants[v].Pareto {
				mark = ParetoMark
			}
			fmt.Fprintf(&b, "%22s", mark)
		}
		b.WriteString("\n")
		for i, m := range s.Metrics {
			m = Describe(m)
			if !m.Table {
				continue
			}
			fmt.Fprintf(&b, "%-26s", clip(m.Header(), 25))
			for _, v := range block {
				fmt.Fprintf(&b, "%22s", m.Cell(s.Variants[v].Estimates[i]))
			}
			b.WriteString("\n")
		}
	}
	s.writeComparisons(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// objectiveText says how the variants are ranked, a line a goal.
func objectiveText(s *Summary) string {
	if len(s.Objective) == 0 {
		return "ranked by name (no objective metric)\n"
	}
	var b strings.Builder
	for k, g := range s.Objective {
		dir := "lower"
		if s.Metrics[s.Index(g.Metric)].Better == Higher {
			dir = "higher"
		}
		lead := "ranked by score = "
		if k > 0 {
			lead = "                 + "
		}
		fmt.Fprintf(&b, "%s%g × %s (%s is better; relative to %s)\n", lead, g.Weight, g.Metric, dir, s.Variants[0].Name)
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
	rank := map[string]int{}
	for _, v := range s.Variants {
		rank[v.Name] = v.Rank
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
	fmt.Fprintf(b, "\nDifferences between neighbours in rank (paired on common random numbers;\n"+
		"95%% interval; significant at %g after Holm's correction over %s):\n", s.Alpha, over)
	n, metric := 0, ""
	for _, c := range s.Comparisons {
		if rank[c.B] != rank[c.A]+1 {
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
		case i > 0 && strings.HasPrefix(l, "rank "):
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
