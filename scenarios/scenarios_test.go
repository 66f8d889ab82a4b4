package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/patrolsim/patrolsim/sim/geo"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/sim/policy"
)

// shippedScenarios returns the path of every scenario.yaml in the folder
// tree of this package, test data excepted.
func shippedScenarios(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "scenario.yaml" {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("walking the scenario folders: %v", err)
	}
	if len(paths) == 0 {
		tb.Fatal("found no scenario.yaml under scenarios/")
	}
	return paths
}

func TestShippedScenariosLoad(t *testing.T) {
	for _, path := range shippedScenarios(t) {
		t.Run(path, func(t *testing.T) {
			s, err := LoadFile(path)
			if err != nil {
				t.Fatalf("LoadFile(%q): %v", path, err)
			}
			checkLoaded(t, s)
		})
	}
}

func TestBuiltinsLoad(t *testing.T) {
	names := Builtins()
	if !slices.Contains(names, DefaultName) {
		t.Errorf("Builtins() = %v, want it to hold DefaultName %q", names, DefaultName)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := LoadBuiltin(name)
			if err != nil {
				t.Fatalf("LoadBuiltin(%q): %v", name, err)
			}
			checkLoaded(t, s)
			if !s.IsBuiltin() {
				t.Errorf("IsBuiltin() = false for %q, want true", s.Path)
			}
			// The embedded copy is the file on disk.
			f, err := LoadFile(filepath.Join(name, "scenario.yaml"))
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if !reflect.DeepEqual(s.File, f.File) {
				t.Errorf("LoadBuiltin(%q).File differs from LoadFile of %s/scenario.yaml", name, name)
			}
		})
	}
}

func TestLoadBuiltinUnknown(t *testing.T) {
	_, err := LoadBuiltin("atlantis")
	if err == nil {
		t.Fatal("LoadBuiltin(\"atlantis\") succeeded, want an error")
	}
	for _, name := range Builtins() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("got error %q, want it to list the built-in %q", err, name)
		}
	}
}

// checkLoaded checks what every successfully loaded scenario must satisfy.
func checkLoaded(t *testing.T, s *Scenario) {
	t.Helper()
	if s.Config == nil || s.Config.City == nil {
		t.Fatalf("got Config %v, want a Config with a City", s.Config)
	}
	if len(s.Variants) < 1 || len(s.Variants) != len(s.File.Variants) {
		t.Errorf("got %d variants, want %d (>= 1)", len(s.Variants), len(s.File.Variants))
	}
	for _, v := range s.Variants {
		if len(v.Policies) != len(s.Config.Units) {
			t.Errorf("variant %s: got %d policies, want one per unit type (%d)", v.Name, len(v.Policies), len(s.Config.Units))
		}
	}
	if len(s.Config.Units) != len(s.File.Units) {
		t.Errorf("got %d unit types in Config, want %d", len(s.Config.Units), len(s.File.Units))
	}
}

func TestJinzhouFacts(t *testing.T) {
	s, err := LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	city := s.Config.City
	// 126 communities in 3 districts: jinzhou/scenario.yaml, from the 2011
	// Legal Daily report.
	if got, want := len(city.Atoms), 126; got != want {
		t.Errorf("got %d atoms, want %d", got, want)
	}
	if got, want := len(city.Districts), 3; got != want {
		t.Errorf("got %d districts, want %d", got, want)
	}
	kinds := map[string]int{}
	for _, p := range city.Posts {
		kinds[p.Kind]++
		if p.Atom < 0 {
			t.Errorf("post %s lies outside every community", p.Name)
		}
	}
	// 22 street platforms and 6 workstations [report], 18 stations (assumed).
	wantKinds := map[string]int{"platform": 22, "workstation": 6, "station": 18}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("got posts by kind %v, want %v", kinds, wantKinds)
	}
	// Unit counts from the report: 18 station cars (one a station), 22
	// platforms, 6 workstations, 126 community teams. Patrol cars and
	// motorbikes are assumptions (jinzhou/README.md) and may change.
	wantCounts := map[string]int{"station_car": 18, "platform": 22, "workstation": 6, "community_team": 126}
	total := 0
	for i, u := range s.Config.Units {
		if u.Name != s.File.Units[i].Name || u.Count != s.File.Units[i].Count {
			t.Errorf("unit %d: got %s × %d in Config, want %s × %d as in the file", i, u.Name, u.Count, s.File.Units[i].Name, s.File.Units[i].Count)
		}
		if want, ok := wantCounts[u.Name]; ok && u.Count != want {
			t.Errorf("unit %s: got count %d, want %d", u.Name, u.Count, want)
		}
		total += u.Count
	}
	// The sum of the counts as written, read without the loader's types.
	data, err := os.ReadFile(filepath.Join("jinzhou", "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Units []struct{ Count int }
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, u := range raw.Units {
		want += u.Count
	}
	if total != want || len(raw.Units) != len(s.Config.Units) {
		t.Errorf("got %d units of %d types in all, want %d of %d as in the file", total, len(s.Config.Units), want, len(raw.Units))
	}
}

// TestResolvedRoundTrip writes each shipped scenario back as YAML, as
// `patrolsim run` saves the resolved scenario, and loads it again.
func TestResolvedRoundTrip(t *testing.T) {
	for _, name := range Builtins() {
		t.Run(name, func(t *testing.T) {
			s, err := LoadBuiltin(name)
			if err != nil {
				t.Fatal(err)
			}
			sub, err := fs.Sub(builtin, name)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, s.File, sub)
		})
	}
	t.Run("fractional duration", func(t *testing.T) {
		f := Default()
		f.Duration = D(12.34567 * 86400) // 12.34567d, as a user may write it
		f.City.Grid = &Grid{Rows: 2, Cols: 2, CellM: 500, Districts: 1}
		f.Incidents.Types = []IncidentType{{Name: "any", Priority: 2, Share: 1, Officers: 1, OnScene: Dist{Dist: "fixed", Mean: D(600)}}}
		f.Units = []Unit{{Name: "car", Count: 1, Squad: 2, SpeedKmh: 30, Shift: Shift{Start: "00:00", Hours: 24}, Home: "district", Priorities: []int{1, 2, 3}}}
		f.Variants = []Variant{{Name: "random", Policy: "random"}}
		checkRoundTrip(t, f, nil)
	})
}

func checkRoundTrip(t *testing.T, f File, fsys fs.FS) {
	t.Helper()
	out, err := yaml.Marshal(f)
	if err != nil {
		t.Fatalf("yaml.Marshal: %v", err)
	}
	again, err := Load("resolved.yaml", out, fsys)
	if err != nil {
		t.Fatalf("loading the written scenario: %v\n%s", err, out)
	}
	a := again.File
	normNodes(&a)
	normNodes(&f)
	if !reflect.DeepEqual(a, f) {
		t.Errorf("got %+v after a round trip, want %+v", a, f)
	}
}

func TestTemplate(t *testing.T) {
	for _, tc := range []struct {
		name string
		fsys fs.FS
	}{
		{"nil fs", nil},
		{"empty fs", fstest.MapFS{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load("template", []byte(Template), tc.fsys)
			if err != nil {
				t.Fatalf("the template does not load: %v", err)
			}
			checkLoaded(t, s)
		})
	}
}

// TestTemplateTopLevelDefaults checks that the top-level values of the
// template are those of Default.
func TestTemplateTopLevelDefaults(t *testing.T) {
	s, err := Load("template", []byte(Template), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, want := s.File, Default()
	for _, tc := range []struct {
		field     string
		got, want any
	}{
		{"version", got.Version, want.Version},
		{"name", got.Name, want.Name},
		{"seed", got.Seed, want.Seed},
		{"duration", got.Duration, want.Duration},
		{"warmup", got.Warmup, want.Warmup},
		{"replications", got.Replications, want.Replications},
		{"travel", got.Travel, want.Travel},
		{"dispatch.delay", got.Dispatch.Delay, want.Dispatch.Delay},
		{"targets", got.Targets, want.Targets},
		{"incidents.per_day", got.Incidents.PerDay, want.Incidents.PerDay},
		{"incidents.hour_of_day", got.Incidents.HourOfDay, want.Incidents.HourOfDay},
		{"incidents.day_of_week", got.Incidents.DayOfWeek, want.Incidents.DayOfWeek},
		{"incidents.report_delay", got.Incidents.ReportDelay, want.Incidents.ReportDelay},
	} {
		t.Run(tc.field, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("template %s: got %+v, want the default %+v", tc.field, tc.got, tc.want)
			}
		})
	}
}

// listDefaults decodes a list item holding only a name, so that only the
// defaults of its UnmarshalYAML apply.
func listDefaults(t *testing.T) (Unit, IncidentType) {
	t.Helper()
	var u Unit
	if err := yaml.Unmarshal([]byte("{name: x}"), &u); err != nil {
		t.Fatal(err)
	}
	var it IncidentType
	if err := yaml.Unmarshal([]byte("{name: x}"), &it); err != nil {
		t.Fatal(err)
	}
	return u, it
}

func TestListItemDefaults(t *testing.T) {
	u, it := listDefaults(t)
	wantU := Unit{Name: "x", Count: 1, Squad: 2, SpeedKmh: 30, Shift: Shift{Start: "00:00", Hours: 24}, Home: "district", Priorities: []int{1, 2, 3}, Visibility: 1}
	if !reflect.DeepEqual(u, wantU) {
		t.Errorf("got unit defaults %+v, want %+v", u, wantU)
	}
	wantT := IncidentType{Name: "x", Priority: 2, Officers: 1, OnScene: Dist{Dist: "exponential", Mean: D(30 * 60)}}
	if !reflect.DeepEqual(it, wantT) {
		t.Errorf("got incident type defaults %+v, want %+v", it, wantT)
	}
}

// TestTemplateListItemDefaults compares the first unit of the template with
// the defaults of Unit.UnmarshalYAML, field by field, except count (the
// template's example has 8): its other values are the defaults. The first
// incident type is an example; its defaults are in its comments, which
// TestTemplateDefaultComments checks.
func TestTemplateListItemDefaults(t *testing.T) {
	s, err := Load("template", []byte(Template), nil)
	if err != nil {
		t.Fatal(err)
	}
	du, _ := listDefaults(t)
	u := s.File.Units[0]
	for _, tc := range []struct {
		field     string
		got, want any
	}{
		{"units[0].squad", u.Squad, du.Squad},
		{"units[0].speed_kmh", u.SpeedKmh, du.SpeedKmh},
		{"units[0].patrol_speed_kmh", u.PatrolSpeedKmh, du.PatrolSpeedKmh},
		{"units[0].turnout", u.Turnout, du.Turnout},
		{"units[0].shift", u.Shift, du.Shift},
		{"units[0].home", u.Home, du.Home},
		{"units[0].post_kind", u.PostKind, du.PostKind},
		{"units[0].priorities", u.Priorities, du.Priorities},
	} {
		t.Run(tc.field, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("template %s: got %+v, want the default %+v", tc.field, tc.got, tc.want)
			}
		})
	}
}

// TestTemplateDefaultComments checks each "(default …)" comment of the
// template against the default it describes.
func TestTemplateDefaultComments(t *testing.T) {
	du, dt := listDefaults(t)
	for _, tc := range []struct {
		key  string // the first template line starting with this key
		want string // its comment must hold this
	}{
		{"count:", fmt.Sprintf("(default %d)", du.Count)},
		{"squad:", fmt.Sprintf("(default %d)", du.Squad)},
		{"speed_kmh:", fmt.Sprintf("(default %g)", du.SpeedKmh)},
		{"priorities:", "(default all)"},
		{"priority:", fmt.Sprintf("(default %d)", dt.Priority)},
		{"officers:", fmt.Sprintf("(default %d)", dt.Officers)},
		{"on_scene:", fmt.Sprintf("(default %s %s)", dt.OnScene.Dist, FormatDuration(dt.OnScene.Mean.Seconds))},
	} {
		t.Run(tc.key, func(t *testing.T) {
			line := templateLine(t, tc.key)
			if !strings.Contains(line, tc.want) {
				t.Errorf("template line %q: got no %q, want the comment to state the default", line, tc.want)
			}
		})
	}
	if !reflect.DeepEqual(du.Priorities, []int{1, 2, 3}) {
		t.Errorf("got default priorities %v, want all of [1 2 3] as the template says", du.Priorities)
	}
	// The variants comment lists the policies.
	line := templateLine(t, "policy: random")
	for _, name := range policy.Names() {
		if !strings.Contains(line, name) {
			t.Errorf("template line %q: got no policy %q, want every registered policy listed", line, name)
		}
	}
}

func templateLine(t *testing.T, key string) string {
	t.Helper()
	for l := range strings.Lines(Template) {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(strings.TrimPrefix(l, "- "), key) {
			return l
		}
	}
	t.Fatalf("the template has no line starting with %q", key)
	return ""
}

// base is a small valid scenario with one top-level key a line, so that a
// case replaces whole lines and every line number is known:
//
//	1 version   4 warmup        7 travel      10 dispatch
//	2 name      5 replications  8 incidents   11 targets
//	3 duration  6 city          9 units       12 variants
//
// A line for a key not in base is appended as line 13.
const base = `version: 1
name: broken
duration: 10d
warmup: 1d
replications: 2
city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}}
travel: {model: manhattan, detour: 1, turnout: 30s}
incidents: {per_day: 50, types: [{name: urgent, priority: 1, share: 0.4, officers: 2}, {name: routine, priority: 3, share: 0.6}]}
units: [{name: car, count: 4}]
dispatch: {delay: 60s}
targets: {p1: 5m, p2: 10m, p3: 30m}
variants: [{name: random, policy: random}]
`

// doc returns base with each line of lines replacing the line of base with
// the same top-level key, or appended if base has none.
func doc(lines ...string) string {
	out := strings.Split(strings.TrimSuffix(base, "\n"), "\n")
	for _, l := range lines {
		key, _, _ := strings.Cut(l, ":")
		i := slices.IndexFunc(out, func(b string) bool { return strings.HasPrefix(b, key+":") })
		if i < 0 {
			out = append(out, l)
		} else {
			out[i] = l
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// brokenCase is a scenario with problems: an inline document (loaded as
// broken.yaml with data files from testdata/) or a file in testdata/broken.
type brokenCase struct {
	name string
	doc  string
	file string
	want []string // one substring a problem; every problem must be matched
}

func (c brokenCase) data(tb testing.TB) []byte {
	tb.Helper()
	if c.file == "" {
		return []byte(c.doc)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "broken", c.file))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func (c brokenCase) load() (*Scenario, error) {
	if c.file != "" {
		return LoadFile(filepath.Join("testdata", "broken", c.file))
	}
	return Load("broken.yaml", []byte(c.doc), os.DirFS("testdata"))
}

var brokenCases = []brokenCase{
	// Unknown keys.
	{name: "unknown top-level key", doc: doc("replication: 3"),
		want: []string{`broken.yaml:13: replication: unknown key "replication" (did you mean "replications"?)`}},
	{name: "unknown key in a unit", doc: doc("units: [{name: car, count: 4, colour: blue}]"),
		want: []string{`broken.yaml:9: units[0].colour: unknown key "colour" (valid: name, count, squad, speed_kmh, patrol_speed_kmh, turnout, shift, home, post_kind, districts, priorities, visibility)`}},
	{name: "unknown key in an incident type", doc: doc("incidents: {types: [{name: any, share: 1, officer: 2}]}"),
		want: []string{`broken.yaml:8: incidents.types[0].officer: unknown key "officer" (did you mean "officers"?)`}},
	{name: "unknown key in a dist", doc: doc("dispatch: {delay: {dist: exponential, mean: 60s, sdev: 5s}}"),
		want: []string{`broken.yaml:10: dispatch.delay.sdev: unknown key "sdev" (did you mean "sd"?)`}},
	{name: "unknown key in a shift", doc: doc(`units: [{name: car, count: 4, shift: {start: "07:00", hour: 8}}]`),
		want: []string{`broken.yaml:9: units[0].shift.hour: unknown key "hour" (did you mean "hours"?)`}},
	{name: "unknown key in a post point", doc: doc("city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}, post_points: [{name: p, x_m: 1, y_m: 1, z_m: 0}]}"),
		want: []string{`broken.yaml:6: city.post_points[0].z_m: unknown key "z_m"`}},
	{name: "unknown key in a by_unit rule", doc: doc("variants: [{name: v, policy: random, by_unit: {car: {policy: posts, parms: {}}}}]"),
		want: []string{`broken.yaml:12: variants[0].by_unit.car.parms: unknown key "parms" (did you mean "params"?)`}},
	{name: "unknown keys at every depth", file: "unknown_keys.yaml", want: []string{
		`unknown_keys.yaml:4: replication: unknown key "replication" (did you mean "replications"?)`,
		`unknown_keys.yaml:6: city.grid.district: unknown key "district" (did you mean "districts"?)`,
		// The misspelt districts stays 0.
		`unknown_keys.yaml:6: city.grid.districts: must be between 1 and cols = 4 (got 0)`,
		`unknown_keys.yaml:13: incidents.types[0].officer: unknown key "officer" (did you mean "officers"?)`,
		`unknown_keys.yaml:14: incidents.types[0].on_scene.sdev: unknown key "sdev" (did you mean "sd"?)`,
		`unknown_keys.yaml:18: units[0].colour: unknown key "colour"`,
		`unknown_keys.yaml:19: units[0].shift.hour: unknown key "hour" (did you mean "hours"?)`,
	}},

	// Top-level settings.
	{name: "wrong version", doc: doc("version: 2"),
		want: []string{"broken.yaml:1: version: must be 1 (got 2)"}},
	{name: "empty name", doc: doc(`name: ""`),
		want: []string{"broken.yaml:2: name: must not be empty"}},
	{name: "duration without a unit", doc: doc("duration: 5"),
		want: []string{`broken.yaml:3: duration: invalid duration "5" (want a number and a unit: s, m, h, d or w, e.g. 90s, 12m, 30d)`}},
	{name: "duration with an unknown unit", doc: doc("duration: 5x"),
		want: []string{`broken.yaml:3: duration: invalid duration "5x"`}},
	{name: "duration too long", doc: doc("duration: 3651d"), // MaxDays is 3650
		want: []string{"broken.yaml:3: duration: must be > 0 and at most 3650d (got 3651d)"}},
	{name: "warmup longer than duration", doc: doc("warmup: 40d"),
		want: []string{"broken.yaml:4: warmup: must be >= 0 and shorter than duration 10d (got 40d)"}},
	{name: "warmup as long as duration", doc: doc("warmup: 10d"),
		want: []string{"broken.yaml:4: warmup: must be >= 0 and shorter than duration 10d (got 10d)"}},
	{name: "replications 0", doc: doc("replications: 0"),
		want: []string{"broken.yaml:5: replications: must be between 1 and 100000 (got 0)"}},
	{name: "replications too many", doc: doc("replications: 100001"),
		want: []string{"broken.yaml:5: replications: must be between 1 and 100000 (got 100001)"}},
	{name: "header", file: "header.yaml", want: []string{
		"header.yaml:2: version: must be 1 (got 2)",
		`header.yaml:4: duration: invalid duration "5x"`,
		"header.yaml:6: replications: must be between 1 and 100000 (got 0)",
	}},

	// Hour of week.
	{name: "hour_of_week too short", doc: doc("incidents: {per_day: 50, hour_of_week: [1, 2, 3], types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.hour_of_week: must have 168 values (got 3)"}},
	{name: "hour_of_week with hour_of_day", doc: doc("incidents: {per_day: 50, hour_of_day: [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], hour_of_week: [" + strings.Repeat("1, ", 167) + "1], types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.hour_of_week: replaces hour_of_day and day_of_week: leave those out (or flat)"}},

	// Road travel.
	{name: "road travel without roads", doc: doc("city: {areas: city/areas.geojson}", "travel: {model: road}"),
		want: []string{"broken.yaml:7: travel.roads: missing: model: road needs a GeoJSON file"}},
	{name: "road travel on a grid", doc: doc("travel: {model: road, roads: city/roads.geojson}"),
		want: []string{"broken.yaml:7: travel.model: a grid city has no lon/lat: road travel needs a city given by areas (GeoJSON)"}},
	{name: "road options without road travel", doc: doc("travel: {model: manhattan, roads: city/roads.geojson, speeds: {S1400: 25}, zone_m: 300}"),
		want: []string{
			"broken.yaml:7: travel.roads: is for model: road only (the model is manhattan)",
			"broken.yaml:7: travel.speeds: is for model: road only",
			"broken.yaml:7: travel.zone_m: is for model: road only",
		}},
	{name: "road speed out of range", doc: doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/roads.geojson, speeds: {S1400: 0, S1200: 500}}"),
		want: []string{
			"broken.yaml:7: travel.speeds.S1200: must be between 1 and 200 km/h (got 500)",
			"broken.yaml:7: travel.speeds.S1400: must be between 1 and 200 km/h (got 0)",
		}},
	{name: "road zone too small", doc: doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/roads.geojson, zone_m: 10}"),
		want: []string{"broken.yaml:7: travel.zone_m: must be between 50 and 10000 metres (got 10)"}},
	{name: "road file missing", doc: doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/nothing.geojson}"),
		want: []string{`broken.yaml:7: travel.roads: cannot read "city/nothing.geojson"`}},
	{name: "roads of another city", doc: doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/farroads.geojson}"),
		want: []string{`broken.yaml:7: travel.roads: city/farroads.geojson: areas "w1" (27.6 km), "e1" (27.1 km) lie more than 1000 m from the nearest road: is the road file for this city?`}},
	{name: "road speed for a class not there", doc: doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/roads.geojson, speeds: {s1400: 25}}"),
		want: []string{`broken.yaml:7: travel.speeds.s1400: no road of class "s1400" in city/roads.geojson (its classes: S1200, S1400)`}},

	// City.
	{name: "neither grid nor areas", doc: doc("city: {}"),
		want: []string{"broken.yaml:6: city: give a grid ({rows, cols, cell_m, districts}) or areas (a GeoJSON file)"}},
	{name: "grid and areas", doc: doc("city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}, areas: city/areas.geojson}"),
		want: []string{"broken.yaml:6: city: give either grid or areas, not both"}},
	// 500 × 401 = 200500 cells, just over MaxAtoms = 200000.
	{name: "grid too big", doc: doc("city: {grid: {rows: 500, cols: 401, cell_m: 10, districts: 1}}"),
		want: []string{"broken.yaml:6: city.grid: rows and cols must be >= 1 with rows × cols at most 200000 (got 500 × 401)"}},
	{name: "grid with no rows", doc: doc("city: {grid: {rows: 0, cols: 4, cell_m: 500, districts: 1}}"),
		want: []string{"broken.yaml:6: city.grid: rows and cols must be >= 1"}},
	{name: "grid cell 0", doc: doc("city: {grid: {rows: 4, cols: 4, cell_m: 0, districts: 1}}"),
		want: []string{"broken.yaml:6: city.grid.cell_m: must be > 0 and at most 100000 (got 0)"}},
	{name: "grid with more districts than columns", doc: doc("city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 5}}"),
		want: []string{"broken.yaml:6: city.grid.districts: must be between 1 and cols = 4 (got 5)"}},
	{name: "areas file missing", file: "areas_missing.yaml",
		want: []string{`areas_missing.yaml:5: city.areas: cannot read "nowhere.geojson": no such file or directory`}},
	{name: "areas file malformed", file: "areas_malformed.yaml",
		want: []string{"areas_malformed.yaml:5: city.areas: malformed.geojson: not a GeoJSON FeatureCollection"}},
	{name: "areas of points", doc: doc("city: {areas: city/posts.geojson}"),
		want: []string{"broken.yaml:6: city.areas: city/posts.geojson: feature 0: geometry Point, want Polygon or MultiPolygon"}},
	{name: "areas without a district property", doc: doc("city: {areas: city/areas.geojson, fields: {name: name, district: zone}}"),
		want: []string{`broken.yaml:6: city.areas: city/areas.geojson: feature 0 (w1): no property "zone" for the district`}},
	{name: "fields with an empty district", doc: doc(`city: {areas: city/areas.geojson, fields: {name: name, district: ""}}`),
		want: []string{"broken.yaml:6: city.fields.district: must name the property that holds the district"}},
	{name: "posts file missing", doc: doc("city: {areas: city/areas.geojson, posts: city/nowhere.geojson}"),
		want: []string{`broken.yaml:6: city.posts: cannot read "city/nowhere.geojson": no such file or directory`}},
	{name: "posts file of polygons", doc: doc("city: {areas: city/areas.geojson, posts: city/areas.geojson}"),
		want: []string{"broken.yaml:6: city.posts: city/areas.geojson: feature 0: geometry Polygon, want Point"}},
	{name: "GeoJSON posts in a grid city", doc: doc("city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}, posts: city/posts.geojson}"),
		want: []string{"broken.yaml:6: city.posts:"}},

	// Travel.
	{name: "travel model invalid", doc: doc("travel: {model: taxi}"),
		want: []string{`broken.yaml:7: travel.model: must be manhattan, euclidean or road (got "taxi")`}},
	{name: "detour below 1", doc: doc("travel: {model: manhattan, detour: 0.9}"),
		want: []string{"broken.yaml:7: travel.detour: must be between 1 and 5 (got 0.9)"}},
	{name: "turnout over an hour", doc: doc("travel: {model: manhattan, detour: 1, turnout: 2h}"),
		want: []string{"broken.yaml:7: travel.turnout: must be between 0 and 1h (got 2h)"}},

	// Incidents.
	{name: "per_day 0", doc: doc("incidents: {per_day: 0, types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.per_day: must be > 0 (got 0)"}},
	{name: "per_day negative", doc: doc("incidents: {per_day: -3, types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.per_day: must be > 0 (got -3)"}},
	// 6e6 a day over 10d is 6e7 incidents, over MaxIncidents = 5e7.
	{name: "per_day too large", doc: doc("incidents: {per_day: 6000000, types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.per_day: 6e+06 a day over 10d is 6e+07 incidents per replication, more than the limit of 10000000"}},
	{name: "hour_of_day with 23 values", doc: doc("incidents: {hour_of_day: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.hour_of_day: must have 24 values (got 23)"}},
	{name: "hour_of_day all zero", doc: doc("incidents: {hour_of_day: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.hour_of_day: must not be all zero"}},
	{name: "hour_of_day summing to infinity", doc: doc("incidents: {hour_of_day: [1e308" + strings.Repeat(", 1e308", 23) + "], types: [{name: any, share: 1}]}"),
		// Each weight is bounded (1e9), so the sum cannot overflow.
		want: func() []string {
			var w []string
			for h := range 24 {
				w = append(w, fmt.Sprintf("broken.yaml:8: incidents.hour_of_day[%d]: must be between 0 and 1e9 (got 1e308)", h))
			}
			return w
		}()},
	{name: "negative weight", doc: doc("incidents: {day_of_week: [1, 1, 1, -1, 1, 1, 1], types: [{name: any, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.day_of_week[3]: must be between 0 and 1e9 (got -1)"}},
	{name: "shares not summing to 1", doc: doc("incidents: {types: [{name: a, share: 0.5}, {name: b, share: 0.25}]}"),
		want: []string{"broken.yaml:8: incidents.types: shares must sum to 1 (got 0.75)"}},
	{name: "share above 1", doc: doc("incidents: {types: [{name: a, share: 1.5}, {name: b, share: -0.5}]}"),
		want: []string{
			"broken.yaml:8: incidents.types[0].share: must be > 0 and at most 1 (got 1.5)",
			"broken.yaml:8: incidents.types[1].share: must be > 0 and at most 1 (got -0.5)",
		}},
	{name: "no incident types", doc: doc("incidents: {per_day: 50}"),
		want: []string{"broken.yaml:8: incidents.types: must list at least one incident type"}},
	{name: "duplicate type names", doc: doc("incidents: {types: [{name: a, share: 0.5}, {name: a, share: 0.5}]}"),
		want: []string{`broken.yaml:8: incidents.types[1].name: duplicate incident type "a"`}},
	{name: "bad type name", doc: doc(`incidents: {types: [{name: "a b", share: 1}]}`),
		want: []string{`broken.yaml:8: incidents.types[0].name: must be a name of letters, digits, _ . - (got "a b")`}},
	{name: "priority 4", doc: doc("incidents: {types: [{name: a, priority: 4, share: 1}]}"),
		want: []string{"broken.yaml:8: incidents.types[0].priority: must be 1, 2 or 3 (got 4)"}},
	{name: "officers 0", doc: doc("incidents: {types: [{name: a, share: 1, officers: 0}]}"),
		want: []string{"broken.yaml:8: incidents.types[0].officers: must be between 1 and 100 (got 0)"}},
	{name: "lognormal without sd", doc: doc("incidents: {types: [{name: a, share: 1, on_scene: {dist: lognormal, mean: 40m}}]}"),
		want: []string{"broken.yaml:8: incidents.types[0].on_scene.sd: a lognormal needs sd > 0 (got 0)"}},
	{name: "sd on an exponential", doc: doc("incidents: {types: [{name: a, share: 1, on_scene: {dist: exponential, mean: 30m, sd: 5m}}]}"),
		want: []string{"broken.yaml:8: incidents.types[0].on_scene.sd: only a lognormal has sd (dist is exponential)"}},
	{name: "unknown dist", doc: doc("incidents: {types: [{name: a, share: 1, on_scene: {dist: gamma, mean: 30m}}]}"),
		want: []string{`broken.yaml:8: incidents.types[0].on_scene.dist: must be fixed, exponential or lognormal (got "gamma")`}},
	{name: "on_scene 0", doc: doc("incidents: {types: [{name: a, share: 1, on_scene: 0}]}"),
		want: []string{"broken.yaml:8: incidents.types[0].on_scene.mean: must be > 0 and at most 30d (got 0)"}},
	{name: "bad duration in a dist", doc: doc("incidents: {report_delay: {dist: exponential, mean: soon}, types: [{name: a, share: 1}]}"),
		want: []string{`broken.yaml:8: incidents.report_delay.mean: invalid duration "soon"`}},
	{name: "incidents", file: "incidents.yaml", want: []string{
		"incidents.yaml:8: incidents.hour_of_day: must have 24 values (got 23)",
		"incidents.yaml:9: incidents.day_of_week[3]: must be between 0 and 1e9 (got -1)",
		// 0.25 + 0.25 + 0.125 + 0.125 + 0.0625 + 0.0625: exact in binary.
		"incidents.yaml:10: incidents.types: shares must sum to 1 (got 0.875)",
		`incidents.yaml:12: incidents.types[1].name: duplicate incident type "theft"`,
		"incidents.yaml:13: incidents.types[2].priority: must be 1, 2 or 3 (got 4)",
		"incidents.yaml:14: incidents.types[3].officers: must be between 1 and 100 (got 0)",
		"incidents.yaml:15: incidents.types[4].on_scene.sd: a lognormal needs sd > 0 (got 0)",
		"incidents.yaml:16: incidents.types[5].on_scene.sd: only a lognormal has sd (dist is exponential)",
	}},

	// Units. A second unit keeps the totals valid where a case breaks one.
	{name: "squad 0", doc: doc("units: [{name: car, count: 4}, {name: solo, squad: 0}]"),
		want: []string{"broken.yaml:9: units[1].squad: must be between 1 and 100 officers (got 0)"}},
	{name: "speed_kmh -5", doc: doc("units: [{name: car, count: 4, speed_kmh: -5}]"),
		want: []string{"broken.yaml:9: units[0].speed_kmh: must be between 0.1 and 1000 (got -5)"}},
	{name: "count -1", doc: doc("units: [{name: car, count: 4}, {name: ghost, count: -1}]"),
		want: []string{"broken.yaml:9: units[1].count: must be between 0 and 100000 (got -1)"}},
	{name: "count -1 of the only unit", doc: doc("units: [{name: car, count: -1}]"),
		want: []string{"broken.yaml:9: units[0].count: must be between 0 and 100000 (got -1)"}},
	{name: "all counts 0", doc: doc("units: [{name: car, count: 0}]"),
		want: []string{
			"broken.yaml:9: units: there must be at least one unit (every count is 0)",
			"broken.yaml:8: incidents.types[0].officers: urgent needs 2 officers but the unit types taking priority 1 have 0 in all",
			"broken.yaml:8: incidents.types[1].officers: routine needs 1 officer but the unit types taking priority 3 have 0 in all",
		}},
	{name: "no units", doc: doc("units: []"),
		want: []string{
			"broken.yaml:9: units: must list at least one unit type",
			"broken.yaml:8: incidents.types[0].officers: urgent needs 2 officers",
			"broken.yaml:8: incidents.types[1].officers: routine needs 1 officer",
		}},
	{name: "duplicate unit names", doc: doc("units: [{name: car, count: 4}, {name: car}]"),
		want: []string{`broken.yaml:9: units[1].name: duplicate unit type "car"`}},
	{name: "shift start 25:00", doc: doc(`units: [{name: car, count: 4, shift: {start: "25:00", hours: 8}}]`),
		want: []string{`broken.yaml:9: units[0].shift.start: must be a time of day HH:MM from 00:00 to 23:59 (got "25:00")`}},
	{name: "shift start +7:0", doc: doc(`units: [{name: car, count: 4, shift: {start: "+7:0", hours: 8}}]`),
		want: []string{`broken.yaml:9: units[0].shift.start: must be a time of day HH:MM from 00:00 to 23:59 (got "+7:0")`}},
	{name: "shift hours 0", doc: doc(`units: [{name: car, count: 4, shift: {start: "07:00", hours: 0}}]`),
		want: []string{"broken.yaml:9: units[0].shift.hours: must be at least 1 minute (0.0167) and at most 24 (got 0)"}},
	{name: "home garage", doc: doc("units: [{name: car, count: 4, home: garage}]"),
		want: []string{`broken.yaml:9: units[0].home: must be district, community or post (got "garage")`}},
	{name: "post_kind without home post", doc: doc("units: [{name: car, count: 4, post_kind: platform}]"),
		want: []string{"broken.yaml:9: units[0].post_kind: only for home: post (home is district)"}},
	{name: "home post without posts", doc: doc("units: [{name: car, count: 4, home: post}]"),
		want: []string{"broken.yaml:9: units[0].home: home post needs posts in the city (city.posts or city.post_points)"}},
	{name: "home post of a missing kind", doc: doc(
		"city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}, post_points: [{name: p, kind: platform, x_m: 100, y_m: 100}]}",
		"units: [{name: car, count: 4, home: post, post_kind: station}]"),
		want: []string{`broken.yaml:9: units[0].post_kind: no post of kind "station" in the city`}},
	{name: "priorities [4]", doc: doc("units: [{name: car, count: 4}, {name: odd, priorities: [4]}]"),
		want: []string{"broken.yaml:9: units[1].priorities[0]: must be 1, 2 or 3 (got 4)"}},
	{name: "dispatch reserve of priority 1, an unknown unit, in a loss system", doc: doc(
		"dispatch: {lost_calls: true, reserve: {priorities: [1, 5], free: -1, units: [bus]}}"),
		want: []string{
			"broken.yaml:10: dispatch.reserve.priorities[0]: priority 1 cannot be held: the reserve is kept for it",
			"broken.yaml:10: dispatch.reserve.priorities[1]: must be 2 or 3 (got 5)",
			"broken.yaml:10: dispatch.reserve.free: must be between 0 and 10000 units (got -1)",
			`broken.yaml:10: dispatch.reserve.units[0]: no unit type "bus" (units: car)`,
			"broken.yaml:10: dispatch.reserve: cannot hold calls in a loss system (lost_calls: true)",
		}},
	{name: "dispatch reserve without priorities", doc: doc("dispatch: {reserve: {free: 2}}"),
		want: []string{"broken.yaml:10: dispatch.reserve.priorities: must list the priorities held (2 or 3)"}},
	{name: "unit turnout not a duration", doc: doc("units: [{name: car, count: 4, turnout: 30}]"),
		want: []string{`broken.yaml:9: units[0].turnout: invalid duration "30"`}},
	{name: "more officers needed than the capable units have", doc: doc("units: [{name: car, count: 1, squad: 1}]"),
		want: []string{"broken.yaml:8: incidents.types[0].officers: urgent needs 2 officers but the unit types taking priority 1 have 1 in all"}},
	{name: "units", file: "units.yaml", want: []string{
		"units.yaml:13: units[1].squad: must be between 1 and 100 officers (got 0)",
		"units.yaml:15: units[2].speed_kmh: must be between 0.1 and 1000 (got -5)",
		"units.yaml:17: units[3].count: must be between 0 and 100000 (got -1)",
		`units.yaml:19: units[4].shift.start: must be a time of day HH:MM from 00:00 to 23:59 (got "25:00")`,
		"units.yaml:21: units[5].shift.hours: must be at least 1 minute (0.0167) and at most 24 (got 0)",
		`units.yaml:23: units[6].home: must be district, community or post (got "garage")`,
		"units.yaml:25: units[7].post_kind: only for home: post (home is district)",
		"units.yaml:27: units[8].home: home post needs posts in the city",
		"units.yaml:29: units[9].priorities[0]: must be 1, 2 or 3 (got 4)",
	}},

	// Dispatch and targets.
	{name: "dispatch delay bare number", doc: doc("dispatch: {delay: 60}"),
		want: []string{`broken.yaml:10: dispatch.delay.mean: invalid duration "60"`}},
	{name: "target not a duration", doc: doc("targets: {p1: 5, p2: 10m, p3: 30m}"),
		want: []string{`broken.yaml:11: targets.p1: invalid duration "5"`}},

	// Variants.
	{name: "no variants", doc: doc("variants: []"),
		want: []string{"broken.yaml:12: variants: must list at least one variant (e.g. {name: beats, policy: static-beats})"}},
	{name: "unknown policy", doc: doc("variants: [{name: v, policy: randm}]"),
		want: []string{`broken.yaml:12: variants[0].policy: unknown policy "randm" (valid: ` + strings.Join(policy.Names(), ", ") + ")"}},
	{name: "cover without a coverage time", doc: doc("targets: {p1: 0, p2: 10m, p3: 30m}", "variants: [{name: v, policy: cover}]"),
		want: []string{"broken.yaml:12: variants[0].policy: policy cover needs a coverage time: give its params.target, or targets.p1 (both are 0)"}},
	{name: "unknown policy parameter", doc: doc("variants: [{name: v, policy: random, params: {dwel: 15m}}]"),
		want: []string{"broken.yaml:12: variants[0].params.dwel: unknown parameter for policy random (valid: dwell)"}},
	{name: "parameter of a policy without any", doc: doc("variants: [{name: v, policy: posts, params: {dwell: 15m}}]"),
		want: []string{"broken.yaml:12: variants[0].params.dwell: unknown parameter for policy posts (valid: none)"}},
	{name: "duration parameter a bare number", doc: doc("variants: [{name: v, policy: random, params: {dwell: 5}}]"),
		want: []string{`broken.yaml:12: variants[0].params.dwell: must be a duration such as 12m or 3d (got "5")`}},
	// dwell is at most 1d (sim/policy/policy.go, dwellParam).
	{name: "duration parameter out of range", doc: doc("variants: [{name: v, policy: random, params: {dwell: 2d}}]"),
		want: []string{"broken.yaml:12: variants[0].params.dwell: must be between 1s and 1d (got 2d)"}},
	{name: "by_unit naming an unknown unit", doc: doc("variants: [{name: v, policy: random, by_unit: {bike: {policy: posts}}}]"),
		want: []string{`broken.yaml:12: variants[0].by_unit.bike: no unit type "bike" (units: car)`}},
	{name: "by_unit with an unknown policy", doc: doc("variants: [{name: v, policy: random, by_unit: {car: {policy: beats}}}]"),
		want: []string{`broken.yaml:12: variants[0].by_unit.car.policy: unknown policy "beats"`}},
	{name: "duplicate variant names", doc: doc("variants: [{name: v, policy: random}, {name: v, policy: posts}]"),
		want: []string{`broken.yaml:12: variants[1].name: duplicate variant "v"`}},
	{name: "variants", file: "variants.yaml", want: []string{
		`variants.yaml:12: variants[0].policy: unknown policy "randm" (valid: ` + strings.Join(policy.Names(), ", ") + `)`,
		"variants.yaml:13: variants[1].params.dwel: unknown parameter for policy random (valid: dwell)",
		`variants.yaml:14: variants[2].params.dwell: must be a duration such as 12m or 3d (got "5")`,
		"variants.yaml:15: variants[3].params.dwell: must be between 1s and 1d (got 2d)",
		`variants.yaml:16: variants[4].by_unit.bike: no unit type "bike" (units: car)`,
		`variants.yaml:17: variants[5].name: duplicate variant "typo"`,
	}},

	// Documents that are not scenarios.
	{name: "YAML syntax error", file: "syntax.yaml",
		want: []string{"did not find expected ',' or '}'"}},
	{name: "YAML syntax error line", file: "syntax.yaml",
		want: []string{"syntax.yaml:5: did not find expected ',' or '}'"}},
	{name: "tab indentation", doc: "version: 1\n\tname: tabs\n",
		want: []string{"broken.yaml:2: a tab character: YAML indents with spaces, never tabs"}},
	{name: "duplicate key", doc: base + "name: again\n",
		want: []string{`broken.yaml:13: name: mapping key "name" already defined at line 2`}},
	{name: "type error", doc: doc("replications: many"),
		want: []string{"broken.yaml:5: replications: must be a whole number (got \"many\")"}},
	{name: "type errors", file: "types.yaml", want: []string{
		"types.yaml:4: seed: must be a whole number >= 0 (got \"-1\")",
		"types.yaml:5: replications: must be a whole number (got \"many\")",
	}},
	{name: "type errors in one flow mapping", doc: doc("units: [{name: car, count: x, squad: y}]"),
		want: []string{
			"broken.yaml:9: units[0].count: must be a whole number (got \"x\")",
			"broken.yaml:9: units[0].squad: must be a whole number (got \"y\")",
		}},
	{name: "not a mapping", file: "not_mapping.yaml",
		want: []string{"not_mapping.yaml:2: a scenario must be a YAML mapping (version: 1, name: …, city: …)"}},
	{name: "a scalar", doc: "42\n",
		want: []string{"broken.yaml:1: a scenario must be a YAML mapping"}},
	{name: "empty document", doc: "# nothing but a comment\n",
		want: []string{"broken.yaml:1: the file is empty; a scenario is a YAML mapping"}},
	{name: "a second document", doc: base + "---\nversion: 7\n",
		want: []string{"broken.yaml:13:"}},
}

func TestBrokenScenarios(t *testing.T) {
	for _, tc := range brokenCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.load()
			if err == nil {
				t.Fatalf("got scenario %q, want problems:\n%s", s.File.Name, strings.Join(tc.want, "\n"))
			}
			checkProblems(t, err, tc.want)
			var le *Error
			if errors.As(err, &le) {
				for _, p := range le.Problems {
					if p.Line < 1 {
						t.Errorf("problem %q: got line %d, want the line it is on", p, p.Line)
					}
				}
			}
		})
	}
}

// checkProblems checks that err is an *Error whose problems are sorted by
// line and match want one to one (each want a substring of its problem).
func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	var le *Error
	if !errors.As(err, &le) {
		t.Fatalf("got error %T %q, want *Error", err, err)
	}
	got := make([]string, len(le.Problems))
	for i, p := range le.Problems {
		got[i] = p.String()
	}
	if e := err.Error(); e != strings.Join(got, "\n") {
		t.Errorf("got Error() %q, want the problems one a line", e)
	}
	if !sort.SliceIsSorted(le.Problems, func(i, j int) bool { return le.Problems[i].Line < le.Problems[j].Line }) {
		t.Errorf("problems are not sorted by line")
	}
	used := make([]bool, len(got))
	for _, w := range want {
		i := slices.IndexFunc(got, func(g string) bool { return strings.Contains(g, w) })
		for i >= 0 && used[i] {
			j := slices.IndexFunc(got[i+1:], func(g string) bool { return strings.Contains(g, w) })
			if j < 0 {
				i = -1
			} else {
				i += 1 + j
			}
		}
		if i < 0 {
			t.Errorf("missing problem %q", w)
			continue
		}
		used[i] = true
	}
	for i, g := range got {
		if !used[i] {
			t.Errorf("unexpected problem %q", g)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", err)
	}
}

// problemRE is the shape of one problem line: file:line: path: message.
var problemRE = regexp.MustCompile(`^[^:]+\.yaml:[1-9][0-9]*: [a-z_]+(\[[0-9]+\]|\.[a-zA-Z0-9_.-]+)*: \S`)

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    FieldError
		want string
	}{
		{"full", FieldError{File: "a.yaml", Line: 12, Path: "units[0].speed_kmh", Msg: "must be > 0 (got -5)"}, "a.yaml:12: units[0].speed_kmh: must be > 0 (got -5)"},
		{"no line", FieldError{File: "a.yaml", Path: "units", Msg: "m"}, "a.yaml: units: m"},
		{"no path", FieldError{File: "a.yaml", Line: 3, Msg: "syntax"}, "a.yaml:3: syntax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	e := &Error{Problems: []FieldError{{File: "a", Line: 1, Path: "x", Msg: "one"}, {File: "a", Line: 2, Path: "y", Msg: "two"}}}
	if got, want := e.Error(), "a:1: x: one\na:2: y: two"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	// Every field problem of a broken file has a line and a path.
	_, err := LoadFile(filepath.Join("testdata", "broken", "units.yaml"))
	if err == nil {
		t.Fatal("units.yaml loaded, want problems")
	}
	for l := range strings.Lines(err.Error()) {
		l = strings.TrimSuffix(l, "\n")
		if !problemRE.MatchString(l) {
			t.Errorf("got problem %q, want file:line: path: message", l)
		}
	}
}

// TestAllProblemsReported checks that problems in every part of one file
// are all reported, not only the first.
func TestAllProblemsReported(t *testing.T) {
	_, err := Load("broken.yaml", []byte(doc(
		"version: 3",
		"replications: 0",
		"travel: {model: taxi, detour: 0.5}",
		"units: [{name: car, count: 4, speed_kmh: -5, colour: red}]",
		"variants: [{name: v, policy: nope}]",
		"replication: 3",
	)), nil)
	checkProblems(t, err, []string{
		"broken.yaml:1: version: must be 1 (got 3)",
		"broken.yaml:5: replications: must be between 1 and 100000 (got 0)",
		`broken.yaml:7: travel.model: must be manhattan, euclidean or road (got "taxi")`,
		"broken.yaml:7: travel.detour: must be between 1 and 5 (got 0.5)",
		`broken.yaml:9: units[0].colour: unknown key "colour"`,
		"broken.yaml:9: units[0].speed_kmh: must be between 0.1 and 1000 (got -5)",
		`broken.yaml:12: variants[0].policy: unknown policy "nope"`,
		`broken.yaml:13: replication: unknown key "replication" (did you mean "replications"?)`,
	})
}

// TestYAMLMergeKey shares unit settings with an anchor and a merge key,
// which yaml.v3 decodes.
func TestYAMLMergeKey(t *testing.T) {
	s, err := Load("merge.yaml", []byte(doc("units: [&car {name: car, count: 4, speed_kmh: 40}, {<<: *car, name: van}]")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.File.Units[1].SpeedKmh, 40.0; got != want {
		t.Errorf("got van speed_kmh %g, want %g from the merged car", got, want)
	}
}

func TestBaseLoads(t *testing.T) {
	s, err := Load("base.yaml", []byte(base), nil)
	if err != nil {
		t.Fatalf("the base of the broken cases does not load: %v", err)
	}
	checkLoaded(t, s)
}

// TestLoadNilFS loads a GeoJSON scenario without a file system.
func TestLoadNilFS(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Load panicked: %v", r)
		}
	}()
	_, err := Load("nil.yaml", []byte(doc("city: {areas: city/areas.geojson}")), nil)
	if err == nil {
		t.Fatal("got no error, want one: there is no file system to read the areas from")
	}
}

// writeFile writes data to dir/name, making folders as needed.
func writeFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRelativePaths loads a scenario naming sub/areas.geojson from another
// working directory: data paths are relative to the scenario file.
func TestRelativePaths(t *testing.T) {
	areas, err := os.ReadFile(filepath.Join("testdata", "city", "areas.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	writeFile(t, root, "scen/sub/areas.geojson", areas)
	writeFile(t, root, "scen/scenario.yaml", []byte(doc("city: {areas: sub/areas.geojson}")))
	if err := os.Mkdir(filepath.Join(root, "elsewhere"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "elsewhere"))

	for _, tc := range []struct{ name, path string }{
		{"absolute", filepath.Join(root, "scen", "scenario.yaml")},
		{"relative", filepath.Join("..", "scen", "scenario.yaml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadFile(tc.path)
			if err != nil {
				t.Fatalf("LoadFile(%q): %v", tc.path, err)
			}
			if got, want := len(s.Config.City.Atoms), 2; got != want {
				t.Errorf("got %d areas, want %d (testdata/city/areas.geojson)", got, want)
			}
			if s.Path != tc.path {
				t.Errorf("got Path %q, want %q", s.Path, tc.path)
			}
		})
	}

	t.Run("parent folder", func(t *testing.T) {
		writeFile(t, root, "shared/areas.geojson", areas)
		writeFile(t, root, "scen/up.yaml", []byte(doc("city: {areas: ../shared/areas.geojson}")))
		if _, err := LoadFile(filepath.Join(root, "scen", "up.yaml")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("absolute path", func(t *testing.T) {
		abs := filepath.Join(root, "scen", "sub", "areas.geojson")
		writeFile(t, root, "scen/abs.yaml", []byte(doc("city: {areas: "+abs+"}")))
		if _, err := LoadFile(filepath.Join(root, "scen", "abs.yaml")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLoadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nowhere", "scenario.yaml")
	_, err := LoadFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want an error wrapping fs.ErrNotExist", err)
	}
	t.Run("message names the path", func(t *testing.T) {
		if !strings.Contains(err.Error(), path) {
			t.Errorf("got %q, want it to name %q", err, path)
		}
	})
}

func TestPostPoints(t *testing.T) {
	const grid = "city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}, post_points: "
	const areas = "city: {areas: city/areas.geojson, post_points: "
	posted := "units: [{name: car, count: 4}, {name: foot, count: 2, home: post, post_kind: platform}]"
	fsys := os.DirFS("testdata")
	for _, tc := range []struct {
		name      string
		city      string
		wantAtoms []int    // atom of each post
		want      []string // problems, if any
	}{
		// Cells are 500 m: (250, 250) is in cell r0c0 = atom 0,
		// (750, 250) in r0c1 = atom 1, (250, 750) in r1c0 = atom 4.
		{name: "grid metres", city: grid + "[{name: a, kind: platform, x_m: 250, y_m: 250}, {name: b, kind: platform, x_m: 750, y_m: 250}, {name: c, kind: platform, x_m: 250, y_m: 750}]}",
			wantAtoms: []int{0, 1, 4}},
		// w1 spans lon 121.00–121.01, e1 lon 121.01–121.02 (testdata/city/areas.geojson).
		{name: "GeoJSON lon/lat", city: areas + "[{name: a, kind: platform, lon: 121.005, lat: 41.005}, {name: b, kind: platform, lon: 121.015, lat: 41.005}]}",
			wantAtoms: []int{0, 1}},
		{name: "GeoJSON posts file", city: "city: {areas: city/areas.geojson, posts: city/posts.geojson}",
			wantAtoms: []int{0}},
		{name: "lon/lat in a grid city", city: grid + "[{name: a, kind: platform, lon: 121.005, lat: 41.005}]}",
			want: []string{"broken.yaml:6: city.post_points[0]: a grid city places posts with x_m and y_m (metres)"}},
		{name: "metres in a GeoJSON city", city: areas + "[{name: a, kind: platform, x_m: 250, y_m: 250}]}",
			want: []string{"broken.yaml:6: city.post_points[0]: a GeoJSON city places posts with lon and lat (degrees)"}},
		{name: "mixed in one point", city: grid + "[{name: a, kind: platform, x_m: 250, y_m: 250, lon: 121.005}]}",
			want: []string{"broken.yaml:6: city.post_points[0]: a grid city places posts with x_m and y_m (metres)"}},
		{name: "only x_m", city: grid + "[{name: a, kind: platform, x_m: 250}]}",
			want: []string{"broken.yaml:6: city.post_points[0]: a grid city places posts with x_m and y_m (metres)"}},
		{name: "no name", city: grid + "[{kind: platform, x_m: 250, y_m: 250}]}",
			want: []string{"broken.yaml:6: city.post_points[0].name: must not be empty"}},
		{name: "outside the city", city: grid + "[{name: far, kind: platform, x_m: 9000, y_m: 250}]}",
			want: []string{`broken.yaml:6: city.post_points[0]: post "far" lies outside every area`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			units := posted
			if tc.want != nil {
				units = "units: [{name: car, count: 4}]" // no post needed
			}
			s, err := Load("broken.yaml", []byte(doc(tc.city, units)), fsys)
			if tc.want != nil {
				checkProblems(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			posts := s.Config.City.Posts
			if len(posts) != len(tc.wantAtoms) {
				t.Fatalf("got %d posts, want %d", len(posts), len(tc.wantAtoms))
			}
			for i, p := range posts {
				if p.Atom != tc.wantAtoms[i] {
					t.Errorf("post %s: got atom %d, want %d", p.Name, p.Atom, tc.wantAtoms[i])
				}
				if p.Kind != "platform" {
					t.Errorf("post %s: got kind %q, want platform", p.Name, p.Kind)
				}
			}
			if got, want := s.Config.Units[1].Home, policy.HomePost; got != want {
				t.Errorf("got home %v, want HomePost", got)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    float64 // seconds
		wantErr bool
	}{
		{in: "90s", want: 90},
		{in: "12m", want: 12 * 60},
		{in: "1.5h", want: 5400},
		{in: "30d", want: 30 * 86400},
		{in: "1w", want: 7 * 86400},
		{in: "1h30m", want: 5400},
		{in: "2d12h", want: 2.5 * 86400},
		{in: ".5h", want: 1800},
		{in: "0", want: 0},
		{in: "0s", want: 0},
		{in: " 12m ", want: 720},
		{in: "", wantErr: true},
		{in: "5", wantErr: true},  // a bare number has no unit
		{in: "5x", wantErr: true}, // no unit x
		{in: "h", wantErr: true},  // no number
		{in: "-3m", wantErr: true},
		{in: "1h30", wantErr: true}, // 30 of what?
		{in: "1.2.3h", wantErr: true},
		{in: "5H", wantErr: true}, // units are lower case
		{in: "1e3s", wantErr: true},
		{in: "1 h", wantErr: true},
		{in: "0.0", wantErr: true},
		{in: strings.Repeat("9", 400) + "w", wantErr: true}, // overflows float64
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Errorf("ParseDuration(%q) = %g, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDuration(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseDuration(%q) = %g, want %g", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		s    float64
		want string
	}{
		{0, "0"},
		{1, "1s"},
		{90, "1m30s"},
		{3600, "1h"},
		{5400, "1h30m"},
		{86400, "1d"},
		{86400 + 1, "1d1s"},
		{7 * 86400, "7d"}, // weeks are read, never written
		{30 * 86400, "30d"},
		{1.5, "1.5s"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatDuration(tc.s); got != tc.want {
				t.Errorf("FormatDuration(%g) = %q, want %q", tc.s, got, tc.want)
			}
		})
	}
}

// TestFormatDurationRoundTrip checks ParseDuration(FormatDuration(s)) == s
// for whole seconds from 0 to past MaxDays.
func TestFormatDurationRoundTrip(t *testing.T) {
	for s := 0.0; s <= 2*MaxDays*86400; s = s*1.37 + 1 {
		w := math.Round(s)
		got, err := ParseDuration(FormatDuration(w))
		if err != nil || got != w {
			t.Errorf("ParseDuration(FormatDuration(%g) = %q) = %g, %v; want %g", w, FormatDuration(w), got, err, w)
		}
	}
}

// TestFormatDurationParses checks that FormatDuration writes what
// ParseDuration reads, fractions of a second included.
func TestFormatDurationParses(t *testing.T) {
	for _, tc := range []struct {
		in string
	}{
		{in: "1.5s"},
		{in: "95999.04s"},
		{in: "1.5h"},
		{in: "12.34567d"},
		{in: "0.00001s"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			s, err := ParseDuration(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			f := FormatDuration(s)
			got, err := ParseDuration(f)
			if err != nil || got != s {
				t.Errorf("ParseDuration(FormatDuration(%g) = %q) = %g, %v; want %g", s, f, got, err, s)
			}
		})
	}
}

func TestDurationYAML(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     float64
		bad      bool
	}{
		{name: "duration", in: "12m", want: 720},
		{name: "zero", in: "0", want: 0},
		{name: "bare number", in: "5", bad: true},
		{name: "mapping", in: "{a: 1}", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Duration
			if err := yaml.Unmarshal([]byte(tc.in), &d); err != nil {
				t.Fatalf("yaml.Unmarshal(%q): %v", tc.in, err)
			}
			if d.bad != tc.bad || !tc.bad && d.Seconds != tc.want {
				t.Errorf("got %+v, want %g seconds (bad %v)", d, tc.want, tc.bad)
			}
		})
	}
	out, err := yaml.Marshal(struct{ D Duration }{D(5400)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "d: 1h30m\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestBuiltinDataPaths: a scenario anywhere may name a built-in scenario's
// data files as builtin:SCENARIO/FILE; bad ones get a clear message.
func TestBuiltinDataPaths(t *testing.T) {
	doc0, _, err := BuiltinFile("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(doc0), "areas: communities.geojson", "areas: builtin:jinzhou/communities.geojson")
	text = strings.ReplaceAll(text, "posts: posts.geojson", "posts: builtin:jinzhou/posts.geojson")
	text = strings.ReplaceAll(text, "routes: routes.geojson", "routes: builtin:jinzhou/routes.geojson")
	dir := t.TempDir()
	writeFile(t, dir, "copy.yaml", []byte(text))
	s, err := LoadFile(filepath.Join(dir, "copy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	if got, w := len(s.Config.City.Atoms), len(want.Config.City.Atoms); got != w {
		t.Errorf("got %d areas, want %d", got, w)
	}
	for _, bad := range []string{"builtin:jinzhou/nothing.geojson", "builtin:communities.geojson", "builtin:../jinzhou/communities.geojson"} {
		writeFile(t, dir, "bad.yaml", []byte(strings.ReplaceAll(text, "builtin:jinzhou/communities.geojson", bad)))
		_, err := LoadFile(filepath.Join(dir, "bad.yaml"))
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: got %v, want an error naming it", bad, err)
		}
	}
}

// TestRoadTravel loads a small city on roads and checks the travel model it
// builds: road times between its areas, never shorter than the straight
// line at the top speed, and a unit's speed scaling them.
func TestRoadTravel(t *testing.T) {
	s, err := Load("roads.yaml", []byte(doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/roads.geojson, speeds: {S1200: 60}, zone_m: 200}")), os.DirFS("testdata"))
	if err != nil {
		t.Fatal(err)
	}
	tr := s.Config.Travel
	if tr.Roads == nil {
		t.Fatal("no road table")
	}
	if got := tr.Roads.Net.MaxSpeed(); got != 60 {
		t.Errorf("top speed %g km/h, want the S1200 override 60", got)
	}
	if got := tr.Roads.RefKmh; got != 30 {
		t.Errorf("reference speed %g km/h, want S1400's default 30", got)
	}
	a, b := s.Config.City.Atoms[0].Centroid, s.Config.City.Atoms[1].Centroid
	at30 := tr.Time(a, b, 30/3.6)
	if floor := a.Dist(b) / (60 / 3.6); at30 < floor {
		t.Errorf("road time %g s shorter than the straight line at 60 km/h %g s", at30, floor)
	}
	if at15 := tr.Time(a, b, 15/3.6); math.Abs(at15-2*at30) > 1e-9*at30 {
		t.Errorf("at half the speed %g s, want twice %g s", at15, at30)
	}
}

// TestHourOfWeekLoads: a 168-value hour_of_week reaches the model, and a
// resolved scenario (hour_of_day and day_of_week written flat beside it)
// loads again.
func TestHourOfWeekLoads(t *testing.T) {
	vals := make([]string, 168)
	for i := range vals {
		vals[i] = strconv.Itoa(1 + i%24/12) // afternoons twice the mornings
	}
	week := "[" + strings.Join(vals, ", ") + "]"
	for _, incidents := range []string{
		"incidents: {per_day: 50, hour_of_week: " + week + ", types: [{name: any, share: 1}]}",
		"incidents: {per_day: 50, hour_of_day: [" + strings.Repeat("1, ", 23) + "1], day_of_week: [1, 1, 1, 1, 1, 1, 1], hour_of_week: " + week + ", types: [{name: any, share: 1}]}",
	} {
		s, err := Load("week.yaml", []byte(doc(incidents)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Config.Incidents.HourOfWeek; got[0] != 1 || got[12] != 2 || got[167] != 2 {
			t.Errorf("hour_of_week %v…: want 1 before noon, 2 after", got[:24])
		}
	}
}

// TestRoadTableShared: loading the same road scenario again reuses its road
// table (a sweep loads it at every point); another zone size gets its own.
func TestRoadTableShared(t *testing.T) {
	load := func(zone string) *geo.RoadTable {
		t.Helper()
		s, err := Load("roads.yaml", []byte(doc("city: {areas: city/areas.geojson}", "travel: {model: road, roads: city/roads.geojson, zone_m: "+zone+"}")), os.DirFS("testdata"))
		if err != nil {
			t.Fatal(err)
		}
		return s.Config.Travel.Roads
	}
	a, b, c := load("200"), load("200"), load("300")
	if a != b {
		t.Error("the same scenario loaded twice built its road table twice")
	}
	if a == c || c.ZoneM != 300 {
		t.Errorf("zone_m 300 got the table of zone_m %g", c.ZoneM)
	}
}

// TestIsBuiltin: built in means loaded from a built-in scenario's folder,
// not named builtin:….
func TestIsBuiltin(t *testing.T) {
	s, err := LoadBuiltin("grid")
	if err != nil || !s.IsBuiltin() {
		t.Fatalf("LoadBuiltin(grid): built in %v, err %v", s != nil && s.IsBuiltin(), err)
	}
	data, fsys, err := BuiltinFile("grid")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Load("builtin:grid/scenario.yaml", data, fsys); err != nil || !s.IsBuiltin() {
		t.Errorf("a document loaded from BuiltinFile's folder: err %v, want built in", err)
	}
	if s, err := Load("builtin:evil.yaml", data, os.DirFS(t.TempDir())); err != nil || s.IsBuiltin() {
		t.Errorf("a document named builtin:… loaded from elsewhere: err %v, built in %v; want not built in", err, s != nil && s.IsBuiltin())
	}
}
