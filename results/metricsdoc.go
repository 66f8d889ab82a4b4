package results

import (
	"fmt"
	"io"
	"strings"
)

// WriteReference writes the metric reference, docs/metrics.md, from the
// registry: every metric (or family) with its name, label, unit, kind,
// direction and description.
func WriteReference(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`# Metrics

<!-- Generated from the metric registry (results/metrics.go) by
go test ./results -run TestMetricsDoc -update; edit the registry, not this file. -->

Every metric is a key of ` + "`variants[].metrics`" + ` in ` + "`results.json`" + `
(whose ` + "`metrics`" + ` block repeats this description for the run's metrics),
a column of ` + "`replications.csv`" + ` and of a sweep's ` + "`rows.csv`" + `, a metric
of a baseline and of ` + "`patrolsim check`" + `, and a possible ranking goal
(` + "`ranking.objective`" + `; not the neutral ones). Names never change; new
metrics are added at the end of the list, so columns keep their places.

Which incidents count: those whose call is received in the measurement
window [warm-up, duration). Unit time counts only inside that window. A
metric without a value in a replication (no priority-1 call, say) is left
out of that replication's mean rather than counted as zero.

## Kinds

A metric's kind sets the unit its values are stored in, how they are
shown (the terminal table of ` + "`run`" + `, ` + "`check`" + ` and the what-if page
show the same number, under the same label; the report uses the same
labels and units), and its default tolerance in ` + "`check`" + ` (the larger
of the relative and the absolute; see [ci.md](ci.md)).

| kind | stored in | shown in | check's default tolerance |
|---|---|---|---|
`)
	for _, k := range []Kind{KindTime, KindShare, KindCount, KindRatio, KindRate} {
		f := k.Format()
		shown := fmt.Sprintf("%d decimals", f.Digits)
		switch {
		case f.Digits == 0:
			shown = "whole numbers"
		case f.Digits == 1:
			shown = "1 decimal"
		}
		if f.Unit != "" {
			shown = f.Unit + ", " + shown
		}
		t := kindTolerance(k)
		abs := fmt.Sprintf("%g", t.Abs)
		if k == KindTime {
			abs += " s"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %g%%, at least %s |\n", k, k.Unit(), shown, 100*t.Rel, abs)
	}
	b.WriteString(`
A name with a part in braces stands for a family, one metric per key:
`)
	seen := map[string]bool{}
	for _, e := range Reference() {
		if e.Keys != "" && !seen[e.Keys] {
			seen[e.Keys] = true
			fmt.Fprintf(&b, "- %s\n", e.Keys)
		}
	}
	b.WriteString(`
The table column says whether the metric is a row of the terminal table
of ` + "`patrolsim run`" + ` (every metric is in the files). The per-unit metrics
are in ` + "`results.json`" + ` and ` + "`replications.csv`" + ` of a run that lists
them (` + "`results.RunMetrics`" + `), never in the terminal table; a sweep leaves
them out, as its force changes from point to point.

| name | label | unit | kind | better | table | description |
|---|---|---|---|---|---|---|
`)
	for _, e := range Reference() {
		m := e.Metric
		unit := m.Unit()
		if u := m.Format().Unit; u != "" {
			unit += ", shown in " + u
		}
		table := ""
		if m.Table {
			table = "yes"
		}
		doc := m.Doc
		if e.When != "" {
			doc += " (only " + e.When + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", m.Name, m.Label, unit, m.Kind, m.Better, table, escapeCell(doc))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeCell keeps a text inside one cell of a Markdown table.
func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
