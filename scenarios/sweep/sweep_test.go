package sweep

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"go.yaml.in/yaml/v3"
)

func writeSweep(t testing.TB, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sweep.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const gridSweep = `version: 1
scenario: builtin:grid
design: grid
replications: 3
params:
  units[car].count: [6, 8]
  units[car].squad: [1, 2]
  incidents.per_day: [40]
`

func TestSetPath(t *testing.T) {
	doc := `units:
  - {name: car, count: 4}
  - {name: bike, count: 2}
dispatch: {mode: point-to-point}
`
	cases := []struct {
		path, value, want string
		err               string
	}{
		{"units[car].count", "9", "count: 9", ""},
		{"units[1].count", "7", "{name: bike, count: 7}", ""},
		{"dispatch.mode", "hierarchical", "mode: hierarchical", ""},
		{"units[car].squad", "3", "squad: 3", ""}, // a missing key is added
		{"travel.detour", "1.2", "detour: 1.2", ""},
		{"units[van].count", "1", "", `no units named "van" (there are: car, bike)`},
		{"units[7].count", "1", "", "units has 2 items, no item 7"},
		{"units", "1", "", "units is a list in the scenario, not a single value"},
		{"units[car", "1", "", "bad path segment"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
				t.Fatal(err)
			}
			err := setPath(root.Content[0], tc.path, &yaml.Node{Kind: yaml.ScalarNode, Value: tc.value})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, _ := yaml.Marshal(&root)
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("document:\n%s\nwant it to contain %q", out, tc.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"unknown path", strings.Replace(gridSweep, "units[car].squad", "units[van].squad", 1), `sweep.yaml:7: params.units[van].squad: units[van].squad: no units named "van"`},
		{"invalid value", strings.Replace(gridSweep, "[6, 8]", "[6, -1]", 1), "sweep.yaml:6: params.units[car].count: the value -1 makes the scenario invalid: units[0].count: must be between 0 and 100000 (got -1)"},
		{"bad design", strings.Replace(gridSweep, "design: grid", "design: sobol", 1), `sweep.yaml:3: design: must be grid, random or latin (got "sobol")`},
		{"range in a grid", strings.Replace(gridSweep, "[6, 8]", "{min: 4, max: 8}", 1), "sweep.yaml:6: params.units[car].count: a grid needs a list of values, or a range with steps"},
		{"unknown key", gridSweep + "colour: red\n", `sweep.yaml:9: unknown key "colour" (the keys are version, name, scenario, design, points, seed, replications, params)`},
		{"typo", strings.Replace(gridSweep, "design:", "desing:", 1), `sweep.yaml:3: unknown key "desing" (did you mean "design"?)`},
		{"not a number", strings.Replace(gridSweep, "replications: 3", "replications: three", 1), `sweep.yaml:4: replications: must be a whole number (got "three")`},
		{"seed too large", gridSweep + "seed: 1234567890123456789012\n", `sweep.yaml:9: seed: must be a whole number from 0 to 18446744073709551615 (got "1234567890123456789012")`},
		{"tab", strings.Replace(gridSweep, "  units[car].squad", "\tunits[car].squad", 1), "sweep.yaml:7: a tab character: YAML indents with spaces, never tabs"},
		{"syntax", gridSweep + "points: [1\n", "sweep.yaml:9: did not find expected"},
		{"no scenario", strings.Replace(gridSweep, "scenario: builtin:grid\n", "", 1), "scenario: missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeSweep(t, tc.body)
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestDesigns(t *testing.T) {
	s, err := Load(writeSweep(t, gridSweep))
	if err != nil {
		t.Fatal(err)
	}
	// 2 × 2 × 1 points, the first parameter varying slowest.
	if got := len(s.Points); got != 4 || s.Label(1) != "units[car].count=6, units[car].squad=2, incidents.per_day=40" {
		t.Fatalf("%d points, point 1 %q", got, s.Label(1))
	}
	latin := `version: 1
scenario: builtin:grid
design: latin
points: 10
replications: 1
params:
  units[car].count: {min: 2, max: 12}
  variants[random].params.dwell: {min: 10m, max: 20m}
`
	s, err = Load(writeSweep(t, latin))
	if err != nil {
		t.Fatal(err)
	}
	// A Latin hypercube puts exactly one point in each of the 10 strata of
	// every parameter: counts from 2 + [k, k+1) round to 2 + k or 3 + k, so
	// no count appears more than twice.
	seen := map[string]int{}
	for i := range s.Points {
		seen[s.Points[i][0].Value]++
	}
	for v, n := range seen {
		if n > 2 {
			t.Errorf("count %s drawn %d times", v, n)
		}
	}
	if len(s.Points) != 10 {
		t.Fatalf("%d points, want 10", len(s.Points))
	}
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range []string{RowsFile, ParquetFile, PointsFile, MetaFile, AreasFile} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = data
	}
	return out
}

func sameFiles(t *testing.T, a, b map[string][]byte, what string) {
	t.Helper()
	for f := range a {
		if !bytes.Equal(a[f], b[f]) {
			t.Errorf("%s: %s differs", what, f)
		}
	}
}

// TestRunDeterministicResumableSharded: the final files are the same for 1
// and 2 workers, after a crash that cut the journal short, and when the
// sweep runs as three slices merged afterwards.
func TestRunDeterministicResumableSharded(t *testing.T) {
	path := writeSweep(t, gridSweep)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	one := filepath.Join(t.TempDir(), "one")
	if err := s.Run(ctx, Options{Out: one, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	want := files(t, one)
	two := filepath.Join(t.TempDir(), "two")
	if err := s.Run(ctx, Options{Out: two, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, want, files(t, two), "2 workers")

	// A crash: keep the header, 5 items and half of the 6th line.
	crash := filepath.Join(t.TempDir(), "crash")
	os.MkdirAll(crash, 0o755)
	j, _ := os.ReadFile(filepath.Join(one, JournalName(0, 1)))
	lines := strings.SplitAfter(string(j), "\n")
	cut := strings.Join(lines[:6], "") + lines[6][:len(lines[6])/2]
	os.WriteFile(filepath.Join(crash, JournalName(0, 1)), []byte(cut), 0o644)
	done := -1
	if err := s.Run(ctx, Options{Out: crash, Workers: 2, Progress: func(d, total int) {
		if done < 0 {
			done = d
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if done != 5 {
		t.Errorf("resumed with %d items done, want the 5 complete ones", done)
	}
	sameFiles(t, want, files(t, crash), "resumed")

	// Three slices in one folder, then a merge.
	sh := filepath.Join(t.TempDir(), "sharded")
	var journals []string
	for i := range 3 {
		if err := s.Run(ctx, Options{Out: sh, Workers: 1, Shard: i, Shards: 3}); err != nil {
			t.Fatal(err)
		}
		journals = append(journals, filepath.Join(sh, JournalName(i, 3)))
		if i < 2 {
			if err := Finalize(ctx, sh, s, journals); err == nil || !strings.Contains(err.Error(), "missing") {
				t.Fatalf("merge of %d slices: %v, want items missing", i+1, err)
			}
		}
	}
	if err := Finalize(ctx, sh, s, journals); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, want, files(t, sh), "sharded")
	if err := Finalize(ctx, sh, s, append(journals, journals[0])); err == nil {
		t.Error("a slice given twice was accepted")
	}
}

// TestChangedSweepRefused: a partial run of another sweep is not mixed in.
func TestChangedSweepRefused(t *testing.T) {
	out := t.TempDir()
	s, err := Load(writeSweep(t, gridSweep))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), Options{Out: out, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(writeSweep(t, strings.Replace(gridSweep, "[40]", "[50]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Run(context.Background(), Options{Out: out, Workers: 1}); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Fatalf("got %v, want the change refused", err)
	}
	if err := s2.Run(context.Background(), Options{Out: out, Workers: 1, Restart: true}); err != nil {
		t.Fatalf("restart: %v", err)
	}
}

// TestInterrupted: a cancelled run returns the cancellation and keeps its
// journal; running again completes it.
func TestInterrupted(t *testing.T) {
	s, err := Load(writeSweep(t, gridSweep))
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = s.Run(ctx, Options{Out: out, Workers: 1, Progress: func(d, total int) {
		if n++; n == 4 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("no error from an interrupted run")
	}
	if _, err := os.Stat(filepath.Join(out, RowsFile)); !os.IsNotExist(err) {
		t.Fatal("final files written by an interrupted run")
	}
	// The final files were being written as the items finished, in a
	// staging folder beside out: it goes with the interruption.
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("beside the output folder after the interruption: %v, want out alone", names)
	}
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSweep runs a grid sweep (40 items) on 1 and 2 workers:
// items/s (wall clock: the speed-up, on a quiet machine), items/cpu-s
// (processor time of the whole process: what the second worker costs in
// all, on a shared machine too) and tail-% (the wall time of a Run after
// its last item was in the journal, as a share of the Run's: what is left
// of the final files).
func BenchmarkSweep(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[workers], func(b *testing.B) {
			path := writeSweep(b, strings.Replace(gridSweep, "replications: 3", "replications: 10", 1))
			s, err := Load(path)
			if err != nil {
				b.Fatal(err)
			}
			items := 0
			var tail time.Duration
			c0, cpuOK := cpuTime()
			for b.Loop() {
				out := b.TempDir()
				var last time.Time
				if err := s.Run(context.Background(), Options{Out: out, Workers: workers, Progress: func(done, total int) {
					if done == total {
						last = time.Now()
					}
				}}); err != nil {
					b.Fatal(err)
				}
				tail += time.Since(last)
				items += s.Items()
			}
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
			if c1, _ := cpuTime(); cpuOK {
				b.ReportMetric(float64(items)/(c1-c0).Seconds(), "items/cpu-s")
			}
			b.ReportMetric(100*tail.Seconds()/b.Elapsed().Seconds(), "tail-%")
		})
	}
}

// TestParquet: rows.parquet holds the rows of rows.csv.
func TestParquet(t *testing.T) {
	s, err := Load(writeSweep(t, gridSweep))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, ParquetFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	// 4 points × 3 replications × 2 variants.
	if n := pf.NumRows(); n != 24 {
		t.Fatalf("%d rows, want 24", n)
	}
	csvRows, _ := os.ReadFile(filepath.Join(out, RowsFile))
	if got := strings.Count(string(csvRows), "\n") - 1; got != 24 {
		t.Fatalf("rows.csv has %d rows, want 24", got)
	}
	cols := map[string]bool{}
	for _, c := range pf.Schema().Columns() {
		cols[c[0]] = true
	}
	for _, c := range []string{"point", "replication", "variant", "units[car].count", "response_mean_s", "incidents_prevented"} {
		if !cols[c] {
			t.Errorf("no column %q", c)
		}
	}
}

// TestHashCoversRoads: a changed road file changes the sweep's hash, so a
// partial run on the old roads is refused; so does a changed areas file.
func TestHashCoversRoads(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"areas.geojson", "roads.geojson"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "city", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	scenario := `version: 1
name: roads
duration: 2d
warmup: 1d
replications: 1
city: {areas: areas.geojson}
travel: {model: road, roads: roads.geojson, speeds: {S1200: 60}, zone_m: 200}
incidents: {per_day: 20, types: [{name: a, share: 1, officers: 1}]}
units: [{name: car, count: 2}]
variants: [{name: random, policy: random}]
`
	if err := os.WriteFile(filepath.Join(dir, "scenario.yaml"), []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sweep.yaml")
	if err := os.WriteFile(path, []byte("version: 1\nscenario: scenario.yaml\nparams:\n  units[car].count: [1, 2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() *Sweep {
		t.Helper()
		s, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := load()
	out := t.TempDir()
	if err := s.Run(context.Background(), Options{Out: out, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	if again := load(); again.Hash != s.Hash {
		t.Fatalf("the same files hash %s, then %s", s.Hash, again.Hash)
	}
	seen := map[string]string{"unchanged": s.Hash}
	for _, name := range []string{"roads.geojson", "areas.geojson"} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("\n")
		f.Close()
		changed := load()
		for prev, h := range seen {
			if changed.Hash == h {
				t.Errorf("%s changed: the sweep's hash is that of %s", name, prev)
			}
		}
		seen[name] = changed.Hash
		if err := changed.Run(context.Background(), Options{Out: out, Workers: 1}); !errors.Is(err, ErrChanged) {
			t.Errorf("%s changed: a run on the old journal gave %v, want ErrChanged", name, err)
		}
	}
}

// linkedSweep pairs count and squad (12 × 1 and 6 × 2: 12 officers each)
// and crosses the pair with the incident rate: 2 × 2 points.
const linkedSweep = `version: 1
scenario: builtin:grid
design: grid
replications: 2
params:
  duration: [4d]
  incidents.per_day: [40, 60]
  linked:
    units[car].count: [12, 6]
    units[car].squad: [1, 2]
`

func TestLinkedErrors(t *testing.T) {
	head := "version: 1\nscenario: builtin:grid\ndesign: grid\nreplications: 1\nparams:\n"
	cases := []struct{ name, params, want string }{
		{"lengths differ", "  linked:\n    units[car].count: [12, 6, 4]\n    units[car].squad: [1, 2]\n",
			"sweep.yaml:8: params.linked.units[car].squad: 2 values, but units[car].count has 3: linked values are paired by position, so every list needs the same length"},
		{"one parameter", "  linked:\n    units[car].count: [12, 6]\n",
			"sweep.yaml:7: params.linked: a group links two or more parameters (got 1): a single one goes directly under params"},
		{"list and range", "  linked:\n    units[car].count: [12, 6]\n    incidents.per_day: {min: 40, max: 60, steps: 2}\n",
			"sweep.yaml:8: params.linked.incidents.per_day: a range, but units[car].count is a list: a linked group is all lists (values paired by position) or all ranges (drawn at the same place in each)"},
		{"steps differ", "  linked:\n    units[car].count: {min: 4, max: 12, steps: 3}\n    incidents.per_day: {min: 40, max: 60, steps: 2}\n",
			"sweep.yaml:8: params.linked.incidents.per_day: steps 2, but units[car].count has 3: linked ranges are paired step by step, so they need the same steps"},
		{"a value", "  linked: [12, 6]\n",
			"sweep.yaml:6: params.linked: a group maps scenario paths to values, e.g. {units[car].count: [8, 16], units[car].squad: [2, 1]} (got a value)"},
		{"a scalar", "  linked: 12\n",
			"sweep.yaml:6: params.linked: must map two or more scenario paths to values of the same length, paired by position (or be a list of such groups); got a value"},
		{"empty list", "  linked: []\n", "sweep.yaml:6: params.linked: the list of groups is empty"},
		{"nested", "  linked:\n    units[car].count: [12, 6]\n    linked:\n      units[car].squad: [1, 2]\n      duration: [2d, 3d]\n",
			"sweep.yaml:8: params.linked: groups do not nest"},
		{"twice", "  units[car].squad: [1, 2]\n  linked:\n    units[car].count: [12, 6]\n    units[car].squad: [1, 2]\n",
			"sweep.yaml:9: params.linked.units[car].squad: swept twice (also at line 6): give each path once"},
		{"twice plain", "  units[car].squad: [1, 2]\n  units[car].squad: [2]\n",
			"sweep.yaml:7: params.units[car].squad: swept twice (also at line 6): give each path once"},
		{"bad path", "  linked:\n    units[van].count: [12, 6]\n    units[car].squad: [1, 2]\n",
			`sweep.yaml:7: params.units[van].count: units[van].count: no units named "van"`},
		{"bad value", "  linked:\n    units[car].count: [12, -6]\n    units[car].squad: [1, 2]\n",
			"sweep.yaml:7: params.units[car].count: the value -6 makes the scenario invalid"},
		{"range without steps", "  linked:\n    units[car].count: {min: 4, max: 12}\n    units[car].squad: [1, 2]\n",
			"sweep.yaml:7: params.units[car].count: a grid needs a list of values, or a range with steps"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeSweep(t, head+tc.params))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestLinkedDesigns: a linked group is one dimension of every design; its
// members' values stay paired.
func TestLinkedDesigns(t *testing.T) {
	s, err := Load(writeSweep(t, linkedSweep))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"duration=4d, incidents.per_day=40, units[car].count=12, units[car].squad=1",
		"duration=4d, incidents.per_day=40, units[car].count=6, units[car].squad=2",
		"duration=4d, incidents.per_day=60, units[car].count=12, units[car].squad=1",
		"duration=4d, incidents.per_day=60, units[car].count=6, units[car].squad=2",
	}
	if len(s.Points) != len(want) || s.Dims != 3 {
		t.Fatalf("%d points over %d dimensions, want %d over 3", len(s.Points), s.Dims, len(want))
	}
	for i, w := range want {
		if got := s.Label(i); got != w {
			t.Errorf("point %d: got %q, want %q", i, got, w)
		}
	}
	if got := s.Linked(); len(got) != 1 || len(got[0]) != 2 || got[0][0] != 2 || got[0][1] != 3 {
		t.Errorf("linked groups %v, want [[2 3]]", got)
	}
	for _, design := range []string{"random", "latin"} {
		// A range beside the group, and the group written as a list of
		// one group.
		body := `version: 1
scenario: builtin:grid
design: ` + design + `
points: 12
replications: 1
params:
  duration: [4d]
  incidents.per_day: {min: 40, max: 60}
  linked:
    - units[car].count: [12, 6, 4]
      units[car].squad: [1, 2, 3]
  variants[random].params.dwell: {min: 10m, max: 20m}
`
		t.Run(design, func(t *testing.T) {
			s, err := Load(writeSweep(t, body))
			if err != nil {
				t.Fatalf("%v\n%s", err, body)
			}
			counts := map[string]int{}
			for i, pt := range s.Points {
				// count × squad is 12 at every point.
				c, sq := pt[2].Value, pt[3].Value
				if c+"x"+sq != "12x1" && c+"x"+sq != "6x2" && c+"x"+sq != "4x3" {
					t.Errorf("point %d: count %s with squad %s", i, c, sq)
				}
				counts[c]++
			}
			// A Latin hypercube puts 4 of the 12 points in each third of
			// the group's one stratified dimension.
			if design == "latin" {
				for c, n := range counts {
					if n != 4 {
						t.Errorf("count %s drawn %d times, want 4", c, n)
					}
				}
			}
		})
	}
}

// TestLinkedRanges: linked ranges are drawn at the same place in each,
// in a random design and on a grid's steps.
func TestLinkedRanges(t *testing.T) {
	for _, design := range []string{"random\npoints: 8", "grid"} {
		body := "version: 1\nscenario: builtin:grid\ndesign: " + design + `
replications: 1
params:
  linked:
    units[car].count: {min: 4, max: 12, steps: 5}
    incidents.per_day: {min: 40.0, max: 80.0, steps: 5}
`
		s, err := Load(writeSweep(t, body))
		if err != nil {
			t.Fatal(err)
		}
		for i, pt := range s.Points {
			count, _ := strconv.Atoi(pt[0].Value)
			perDay, _ := strconv.ParseFloat(pt[1].Value, 64)
			// count = 4 + 8u rounded, per_day = 40 + 40u: the same u.
			if u := (perDay - 40) / 40; math.Abs(float64(count)-(4+8*u)) > 0.5+1e-9 {
				t.Errorf("%s point %d: count %d with per_day %g (u = %.3f)", design, i, count, perDay, u)
			}
		}
		if design == "grid" && len(s.Points) != 5 {
			t.Errorf("grid: %d points, want the 5 steps", len(s.Points))
		}
	}
}

// TestLinkedRun: a sweep with a linked group writes the same files with 1
// and 2 workers, resumed after a crash and sharded; sweep.json names the group and the
// Parquet file has one column per member.
func TestLinkedRun(t *testing.T) {
	s, err := Load(writeSweep(t, linkedSweep))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	one := filepath.Join(t.TempDir(), "one")
	if err := s.Run(ctx, Options{Out: one, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	want := files(t, one)
	two := filepath.Join(t.TempDir(), "two")
	if err := s.Run(ctx, Options{Out: two, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, want, files(t, two), "2 workers")
	// Resumed after a crash that cut the journal in its 4th item line.
	crash := filepath.Join(t.TempDir(), "crash")
	os.MkdirAll(crash, 0o755)
	j, _ := os.ReadFile(filepath.Join(one, JournalName(0, 1)))
	lines := strings.SplitAfter(string(j), "\n")
	os.WriteFile(filepath.Join(crash, JournalName(0, 1)), []byte(strings.Join(lines[:4], "")+lines[4][:len(lines[4])/2]), 0o644)
	if err := s.Run(ctx, Options{Out: crash, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, want, files(t, crash), "resumed")
	sh := filepath.Join(t.TempDir(), "sharded")
	var journals []string
	for i := range 2 {
		if err := s.Run(ctx, Options{Out: sh, Workers: 1, Shard: i, Shards: 2}); err != nil {
			t.Fatal(err)
		}
		journals = append(journals, filepath.Join(sh, JournalName(i, 2)))
	}
	if err := Finalize(ctx, sh, s, journals); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, want, files(t, sh), "sharded")
	if !bytes.Contains(want[MetaFile], []byte(`"linked": [
    [
      "units[car].count",
      "units[car].squad"
    ]
  ]`)) {
		t.Errorf("sweep.json does not name the group:\n%s", want[MetaFile])
	}
	head := strings.SplitN(string(want[RowsFile]), "\n", 2)[0]
	if !strings.HasPrefix(head, "point,replication,variant,duration,incidents.per_day,units[car].count,units[car].squad,") {
		t.Errorf("rows.csv header %q", head)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(want[ParquetFile]), int64(len(want[ParquetFile])))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"units[car].count", "units[car].squad"} {
		if _, ok := pf.Schema().Lookup(c); !ok {
			t.Errorf("rows.parquet has no column %s", c)
		}
	}
}

// TestSquadSizeExample: the shipped squad-size sweeps (docs/squad-size.md)
// load, and every point gives both variants the same officers on duty.
func TestSquadSizeExample(t *testing.T) {
	for _, file := range []string{"squad-size-sweep.yaml", "squad-size-quick.yaml", "squad-size-jinzhou.yaml"} {
		t.Run(file, func(t *testing.T) {
			s, err := Load(filepath.Join("..", "..", "docs", "examples", file))
			if err != nil {
				t.Fatal(err)
			}
			// Its journal lines fit the limit (14 variants of builtin:jinzhou
			// over 126 areas once did not).
			if b := lineBound(s.header(Options{Shards: 1})); b > MaxJournalLine {
				t.Errorf("a journal line could take %d bytes, over MaxJournalLine %d", b, MaxJournalLine)
			}
			// Officers on patrol in each variant (variant counts and
			// squads where given, else the unit type's).
			var officers []map[string]int
			for i := range s.Points {
				sc, err := s.Point(i)
				if err != nil {
					t.Fatal(err)
				}
				per := map[string]int{}
				for _, v := range sc.File.Variants {
					for _, u := range sc.File.Units {
						if u.Name != "patrol_car" {
							continue
						}
						count, squad := u.Count, u.Squad
						if o, ok := v.Units[u.Name]; ok {
							if o.Count != nil {
								count = *o.Count
							}
							if o.Squad != nil {
								squad = *o.Squad
							}
						}
						per[v.Name] = count * squad
					}
				}
				officers = append(officers, per)
			}
			switch file {
			case "squad-size-jinzhou.yaml": // the same officers at both points
				if len(officers) != 2 || officers[0]["random-p2p"] != 36 || officers[1]["random-p2p"] != 36 {
					t.Errorf("officers %v, want 36 at both points", officers)
				}
			default: // the same officers in both variants at each point
				for i, per := range officers {
					if per["one-officer"] == 0 || per["one-officer"] != per["two-officer"] {
						t.Errorf("point %d (%s): officers %v, want equal", i, s.Label(i), per)
					}
				}
			}
		})
	}
}
