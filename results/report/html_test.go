package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/results"
)

// TestReportTableBuiltinCity: the report's table of the built-in city as
// the terminal table shows it: the verdict, groups (1= for the best set,
// benchmark for the oracles), scores as mean ± half-width in the score's
// unit, "up to" the distance from the best, the variants' definitions, and
// no NaN.
func TestReportTableBuiltinCity(t *testing.T) {
	in := loadResults(t, "jinzhou")
	in.Results.Warnings = append(in.Results.Warnings, "a warning to show")
	var b bytes.Buffer
	if err := in.writeHTML(&b, nil, ""); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	row := func(name string) string {
		m := regexp.MustCompile(`<tr[^>]*><td>[^<]*</td><td class="name"[^>]*><span class="swatch" style="background: #[0-9a-f]{6}"></span>` + regexp.QuoteMeta(name) + `<br>.*</tr>`).FindString(html)
		if m == "" {
			t.Errorf("no row for %s", name)
		}
		return m
	}
	var doc struct {
		Variants []struct {
			Name string
			Best bool
		}
	}
	data, _ := os.ReadFile(filepath.Join("testdata", "jinzhou", "results.json"))
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, v := range doc.Variants {
		r := row(v.Name)
		switch {
		case strings.HasPrefix(v.Name, "oracle"):
			if !strings.HasPrefix(r, `<tr class="benchmark"><td>benchmark</td>`) || !strings.Contains(r, "<td>–</td><td></td>") {
				t.Errorf("%s: want a benchmark row, not ranked, no distance, off the front: %s", v.Name, r)
			}
		case v.Best:
			if !strings.HasPrefix(r, `<tr><td>1=</td>`) || !strings.Contains(r, "<td>–</td><td>●</td>") {
				t.Errorf("%s: want group 1=, no distance, possibly on the front: %s", v.Name, r)
			}
		default:
			if !regexp.MustCompile(`^<tr><td>–</td>.*<td>up to \d`).MatchString(r) {
				t.Errorf("%s: want group –, up to a distance from the best: %s", v.Name, r)
			}
		}
		if !regexp.MustCompile(`<td>-?\d+(\.\d+)? ± \d+(\.\d+)?</td>`).MatchString(r) {
			t.Errorf("%s: no score with its interval: %s", v.Name, r)
		}
	}
	for _, want := range []string{
		`<p class="verdict">The best is one of mixed-p2p, follow-p2p, beats-p2p, at 95% joint confidence`,
		`<p class="verdict">Benchmarks, not ranked (use knowledge no real force has): oracle-p2p, oracle-hier.</p>`,
		`<p class="warning">warning: a warning to show</p>`,
		`<th>score (s, lower better)</th><th>behind the best (s)</th><th>Pareto front (possibly)</th>`,
		`Score = 1 × P1 response, p90 (s) − 1000 × prevented, rate (`,
		// A mixed variant's policy per unit type, in words and with parameters.
		`<td class="name" title="static-beats (dwell=15m); patrol_car: follow-incidents (dwell=15m, half_life=3d, learn_from=calls, scope=district, units_per_atom=1, update=1h) · point-to-point"><span class="swatch" style="background: #aec7e8"></span>mixed-p2p<br><span class="definition">static-beats; patrol_car: follow-incidents · point-to-point</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %s", want)
		}
	}
	if strings.Contains(html, "NaN") {
		t.Errorf("report.html shows NaN")
	}
}

func TestDefinitionText(t *testing.T) {
	for _, tc := range []struct {
		name        string
		def         *results.VariantDefinition
		short, full string
	}{
		{"none (results.json before definitions)", nil, "", ""},
		{"one policy", &results.VariantDefinition{Policy: "random", Params: map[string]string{"dwell": "15m"}, Dispatch: "point-to-point"},
			"random · point-to-point", "random (dwell=15m) · point-to-point"},
		{"mixed, with overrides", &results.VariantDefinition{Policy: "static-beats", Dispatch: "hierarchical",
			ByUnit:    map[string]results.UnitPolicy{"van": {Policy: "posts"}, "car": {Policy: "follow-incidents", Params: map[string]string{"update": "1h", "dwell": "15m"}}},
			Overrides: map[string]map[string]string{"car": {"squad": "2", "count": "4"}}},
			"static-beats; car: follow-incidents; van: posts · hierarchical · car count=4 squad=2",
			"static-beats; car: follow-incidents (dwell=15m, update=1h); van: posts · hierarchical · car count=4 squad=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := definitionText(tc.def, false); got != tc.short {
				t.Errorf("got %q, want %q", got, tc.short)
			}
			if got := definitionText(tc.def, true); got != tc.full {
				t.Errorf("with parameters: got %q, want %q", got, tc.full)
			}
		})
	}
}

// TestReportTableBeforeGroups: a results.json written before groups (no
// positions; ranks are places) shows its ranks, in their order.
func TestReportTableBeforeGroups(t *testing.T) {
	in := loadResults(t, "jinzhou")
	n := len(in.Results.Variants)
	for i := range in.Results.Variants {
		v := &in.Results.Variants[i]
		v.Position, v.Group, v.Best, v.Benchmark, v.Definition = 0, "", false, false, nil
		v.Rank = n - i // the listing reversed
	}
	var b bytes.Buffer
	if err := in.writeHTML(&b, nil, ""); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if !strings.Contains(html, "<thead><tr><th>rank</th>") {
		t.Errorf("no rank column")
	}
	rows := regexp.MustCompile(`<tr><td>(\d+)</td><td class="name"><span class="swatch" style="[^"]*"></span>([^<]+)</td>`).FindAllStringSubmatch(html, -1)
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for k, r := range rows {
		if want := in.Results.Variants[n-1-k].Name; r[1] != fmt.Sprint(k+1) || r[2] != want {
			t.Errorf("row %d: rank %s %s, want %d %s", k+1, r[1], r[2], k+1, want)
		}
	}
}

// TestReportReplayLine: a report of replayed incidents says so under its
// title; one of drawn incidents has no such line.
func TestReportReplayLine(t *testing.T) {
	in := loadResults(t, "jinzhou")
	html := func() string {
		var b bytes.Buffer
		if err := in.writeHTML(&b, nil, ""); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if strings.Contains(html(), "Incidents: ") {
		t.Error("a report of drawn incidents has an incidents line")
	}
	in.Results.Incidents = &results.ReplayJSON{Source: "replay", Description: "replayed from crime.csv (7,363 incidents, 2013-12-01 … 2013-12-31)"}
	if want := `<p class="meta">Incidents: replayed from crime.csv (7,363 incidents, 2013-12-01 … 2013-12-31).</p>`; !strings.Contains(html(), want) {
		t.Errorf("the report lacks %q", want)
	}
}
