package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patrolsim/patrolsim/internal/browsertest"
)

// TestSameLabelsEverywhere: one run of the built-in grid (its seed and
// replications) seen on three screens — the terminal table of run, the
// what-if page's ranking table in headless Chromium, and check's table —
// names each of the page's metrics by the same header, "P1 response, p90
// (min)", and shows the same value: the page's cell is the table's (mean ±
// half-width), and check's "now" is the table's mean. All three read the
// metric registry of package results. Without Chromium it skips, except
// under CI=true.
func TestSameLabelsEverywhere(t *testing.T) {
	bin := browsertest.Find(t)
	dir := t.TempDir()

	// The terminal table: header → variant → cell.
	code, stdout, stderr := runMain(t, context.Background(), "run", "builtin:grid", "-o", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	cli := terminalCells(t, stdout)

	// check against a baseline of the same run: every metric identical,
	// each row with its header and the values as run shows them.
	base := filepath.Join(dir, "base.json")
	if code, _, stderr := runMain(t, context.Background(), "baseline", "builtin:grid", "-o", base); code != 0 {
		t.Fatalf("baseline: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr = runMain(t, context.Background(), "check", "builtin:grid", "--baseline", base, "--all")
	if code != 0 {
		t.Fatalf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	check := checkCells(t, stdout)

	// The page: run the grid as it is and read the ranking table.
	ts := startServe(t, "builtin:grid", "")
	ctx := browsertest.Context(t, bin)
	sctx, scancel := context.WithTimeout(ctx, 60*time.Second)
	defer scancel()
	if err := chromedp.Do(sctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("unit-0-count")),
		chromedp.Click(chromedp.ID("run")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#ranking td[data-metric]") !== null`)); err != nil {
		t.Fatalf("running on the page: %v", err)
	}
	// [{metric, header, cells: {variant: text}}] of the ranking table.
	raw, err := chromedp.Run(sctx, chromedp.Evaluate[[]byte](`[...document.querySelectorAll("#ranking th[data-metric]")].map((th) => ({
		metric: th.dataset.metric, header: th.textContent,
		cells: Object.fromEntries([...document.querySelectorAll('#ranking td[data-metric="' + th.dataset.metric + '"]')].map((td) => [td.dataset.variant, td.textContent])),
	}))`))
	if err != nil {
		t.Fatal(err)
	}
	var page []struct {
		Metric, Header string
		Cells          map[string]string
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}

	// The grid has nothing deterrable, so it ranks by P1 p90 response
	// alone (results.ResponseObjective); the page shows it.
	if len(page) != 1 || page[0].Header != "P1 response, p90 (min)" {
		t.Fatalf("the page's ranking shows %+v, want P1 response, p90 (min) alone", page)
	}
	for _, col := range page {
		rows, ok := cli[col.Header]
		if !ok {
			t.Errorf("%s: the page's header %q is no row of the terminal table", col.Metric, col.Header)
			continue
		}
		if len(col.Cells) != 2 {
			t.Errorf("%s: the page shows %v, want the grid's 2 variants", col.Metric, col.Cells)
		}
		for variant, text := range col.Cells {
			if text != rows[variant] {
				t.Errorf("%s of %s: the page shows %q, run's table %q", col.Header, variant, text, rows[variant])
			}
			c, ok := check[variant+"/"+col.Metric]
			mean, _, _ := strings.Cut(rows[variant], " ± ")
			switch {
			case !ok:
				t.Errorf("%s of %s: no row in check's table", col.Metric, variant)
			case c.header != col.Header || c.now != mean:
				t.Errorf("%s of %s: check shows %q = %q, run's table %q = %q", col.Metric, variant, c.header, c.now, col.Header, mean)
			default:
				t.Logf("%s, %s: %s (run, page), now %s (check)", col.Header, variant, text, c.now)
			}
		}
	}
}

// terminalCells reads run's table: its rows by header, each a map from
// variant to cell ("5.46 ± 0.26"). Cells are 22 characters wide after a
// 26-character header (results.WriteTable).
func terminalCells(t *testing.T, table string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	var variants []string
	field := func(r []rune, k int) string {
		lo, hi := 26+22*k, 26+22*(k+1)
		if hi > len(r) {
			return ""
		}
		return strings.TrimSpace(string(r[lo:hi]))
	}
	lines := strings.Split(table, "\n")
	for i, line := range lines {
		r := []rune(line)
		if strings.HasPrefix(line, "group ") && i > 0 { // the line before names the block's variants
			variants = strings.Fields(lines[i-1])
			continue
		}
		if len(variants) == 0 || len(r) < 26 || strings.HasPrefix(line, "Differences") {
			continue
		}
		header := strings.TrimSpace(string(r[:26]))
		for k, v := range variants {
			if out[header] == nil {
				out[header] = map[string]string{}
			}
			out[header][v] = field(r, k)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no table in run's output:\n%s", table)
	}
	return out
}

type checkCell struct{ header, now string }

// checkCells reads check's table: by variant/metric, the header ("as
// shown") and the "now" column. Columns are at least two spaces apart.
func checkCells(t *testing.T, table string) map[string]checkCell {
	t.Helper()
	gap := regexp.MustCompile(`\s{2,}`)
	out := map[string]checkCell{}
	in := false
	for _, line := range strings.Split(table, "\n") {
		f := gap.Split(strings.TrimSpace(line), -1)
		switch {
		case len(f) >= 5 && f[0] == "variant" && f[2] == "as shown" && f[4] == "now":
			in = true
		case in && len(f) >= 5:
			out[f[0]+"/"+f[1]] = checkCell{header: f[2], now: f[4]}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no table in check's output:\n%s", table)
	}
	return out
}
