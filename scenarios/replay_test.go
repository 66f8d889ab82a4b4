package scenarios

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/sim"
)

// replayDoc is a scenario replaying log on the areas (absolute paths),
// with the incidents block's replay keys given by keys (indented by 2).
func replayDoc(areas, fields, keys, types string) string {
	return `version: 1
name: replay
duration: 31d
warmup: 1d
replications: 2
city:
  areas: ` + areas + `
  fields: ` + fields + `
incidents:
` + keys + `
  types:
` + types + `
units:
  - {name: car, count: 20, squad: 2, speed_kmh: 30, home: district}
variants:
  - {name: beats, policy: static-beats}
`
}

// TestReplaySF replays the SFPD incident reports of December 2013: 9,030
// rows, one per offence, 7,365 incidents once deduplicated on IncidntNum
// (../shared/data/README.md); every incident played is one of those, less
// the rows reported as left out.
func TestReplaySF(t *testing.T) {
	log := shareddata.Path(t, "sf/crime.csv")
	areas := shareddata.Path(t, "sf/sfpd_districts.geojson")
	doc := replayDoc(areas, "{name: DISTRICT, district: DISTRICT}", `  replay: `+log+`
  columns: {time: [Date, Time], time_layout: "%m/%d/%Y %H:%M", lon: lng, lat: lat, type: Category, id: IncidntNum}
  categories: {ASSAULT: violent, ROBBERY: violent, LARCENY/THEFT: theft}
  default_type: other`, `    - {name: violent, priority: 1, officers: 2, deterrable: 0.4, crime: true}
    - {name: theft, priority: 2, deterrable: 0.5, crime: true}
    - {name: other, priority: 3}`)
	s, err := LoadAt(filepath.Join(t.TempDir(), "sf.yaml"), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	r := s.Replay
	// Rows and distinct IncidntNum values: ../shared/data/README.md.
	if r.Rows != 9030 || r.Duplicates != 9030-7365 {
		t.Errorf("rows %d, duplicates %d; want 9030 and %d", r.Rows, r.Duplicates, 9030-7365)
	}
	// Every row is in December: with the default start (the first day)
	// and 31 days, none is outside the window.
	if r.OutsideWindow != 0 {
		t.Errorf("%d rows outside the window, want 0", r.OutsideWindow)
	}
	// 99.98% of the points fall inside a district (README): a handful out.
	if r.OutsideCity > 5 {
		t.Errorf("%d incidents outside the city, want at most 5", r.OutsideCity)
	}
	if want := 7365 - r.OutsideWindow - r.OutsideCity; r.Incidents != want || len(s.Config.Incidents.Replay.Incidents) != want {
		t.Errorf("%d incidents played (%d in the model), want 7365 − %d − %d = %d",
			r.Incidents, len(s.Config.Incidents.Replay.Incidents), r.OutsideWindow, r.OutsideCity, want)
	}
	if !r.Start.Equal(time.Date(2013, 12, 1, 0, 0, 0, 0, time.UTC)) || r.First.Day() != 1 || r.Last.Day() != 31 {
		t.Errorf("start %v, first %v, last %v; want the run to start 2013-12-01 00:00 and play Dec 1 … 31", r.Start, r.First, r.Last)
	}
	inc := s.Config.Incidents.Replay.Incidents
	if !slices.IsSortedFunc(inc, func(a, b sim.Recorded) int { return cmp.Compare(a.Occur, b.Occur) }) {
		t.Error("replayed incidents are not in time order")
	}
	// ASSAULT 746 rows, ROBBERY 251 and LARCENY/THEFT 2,515 of 9,030; the
	// other 31 of the file's 34 categories are the default's (those of
	// an incident's first row only: fewer may remain).
	var n [3]int
	for _, x := range inc {
		n[x.Type]++
	}
	unknown := 0
	for _, c := range r.Unknown {
		unknown += c.Count
	}
	if n[0] == 0 || n[1] == 0 || n[2] == 0 || r.Defaulted != n[2] || unknown != n[2] || len(r.Unknown) == 0 || len(r.Unknown) > 31 {
		t.Errorf("by type %v, defaulted %d in %d unknown categories (%d); want all types present, defaulted = other's count, at most 31 categories",
			n, r.Defaulted, len(r.Unknown), unknown)
	}
	if h := r.Header(); !strings.HasPrefix(h, "replayed from crime.csv (") || !strings.Contains(h, "2013-12-01 … 2013-12-31") {
		t.Errorf("header %q", h)
	}
}

// TestReplayChicago replays the aggravated assaults of February 2019 on
// the Chicago police districts: of the 148,636 rows (2010–2019), 956 are
// dated 2019-02 (`grep -c '^2019-02' chicago_aggravated_assaults_2010_2019.csv`).
func TestReplayChicago(t *testing.T) {
	log := shareddata.Path(t, "chicago/chicago_aggravated_assaults_2010_2019.csv")
	areas := shareddata.Path(t, "chicago/chicago_police_districts_2018.geojson")
	doc := replayDoc(areas, "{name: Name, district: Name}", `  replay: `+log+`
  columns: {time: date, time_layout: "%Y-%m-%d %H:%M", lon: longitude, lat: latitude}
  start: 2019-02-01`, `    - {name: assault, priority: 1, officers: 2, crime: true}`)
	doc = strings.Replace(doc, "duration: 31d", "duration: 28d", 1)
	s, err := LoadAt(filepath.Join(t.TempDir(), "chicago.yaml"), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	r := s.Replay
	if r.Rows != 148636 || r.OutsideWindow != 148636-956 {
		t.Errorf("rows %d, outside the window %d; want 148636 and %d", r.Rows, r.OutsideWindow, 148636-956)
	}
	if r.Incidents != 956-r.OutsideCity || r.OutsideCity > 10 {
		t.Errorf("%d played, %d outside the city; want 956 − outside, and few outside", r.Incidents, r.OutsideCity)
	}
	if r.First.Month() != time.February || r.Last.Month() != time.February {
		t.Errorf("first %v, last %v: want February 2019", r.First, r.Last)
	}
}

// TestReplayErrors: a bad log or bad replay keys are refused with a
// message naming the file, the line, the column and the value.
func TestReplayErrors(t *testing.T) {
	const good = "when,x,y,kind,prio,scene\n2024-03-01 10:00,100,200,a,1,12\n2024-03-01 11:00,300,400,zz,,\n"
	cases := []struct {
		name, csv, keys string
		want            []string
	}{
		{"no column", good, `columns: {time: stamp, x_m: x, y_m: y}`,
			[]string{"incidents.columns.time", `log.csv has no column "stamp"`, "when,x,y,kind,prio,scene"}},
		{"bad time", good + "2024-03-01 25:00,1,1,a,2,3\n", `columns: {time: when, x_m: x, y_m: y}`,
			[]string{"log.csv:4", `column "when"`, `"2024-03-01 25:00"`, `"2006-01-02 15:04"`}},
		{"bad strftime time", good, `columns: {time: when, time_layout: "%d/%m/%Y", x_m: x, y_m: y}`,
			[]string{"log.csv:2", `"2024-03-01 10:00"`, `"%d/%m/%Y"`}},
		{"bad layout", good, `columns: {time: when, time_layout: "%Y-%Q", x_m: x, y_m: y}`,
			[]string{"incidents.columns.time_layout", "%Q is not a conversion patrolsim reads"}},
		{"bad x", "when,x,y\n2024-03-01 10:00,east,200\n", `columns: {time: when, x_m: x, y_m: y}`,
			[]string{"log.csv:2", `column "x"`, `"east" is not a number`}},
		{"bad priority", good + "2024-03-01 12:00,1,1,a,urgent,3\n", `columns: {time: when, x_m: x, y_m: y, priority: prio}`,
			[]string{"log.csv:4", `column "prio"`, `"urgent"`}},
		{"bad on scene", good + "2024-03-01 12:00,1,1,a,1,-3\n", `columns: {time: when, x_m: x, y_m: y, on_scene_min: scene}`,
			[]string{"log.csv:4", `column "scene"`, `"-3"`}},
		{"unknown category", good, `columns: {time: when, x_m: x, y_m: y, type: kind}`,
			[]string{"incidents.categories", `"zz" (1)`, "default_type"}},
		{"category to no type", good, "columns: {time: when, x_m: x, y_m: y, type: kind}\n  categories: {zz: nothing}",
			[]string{"incidents.categories.zz", `"nothing"`}},
		{"lon on a grid", good, `columns: {time: when, lon: x, lat: y}`,
			[]string{"incidents.columns.lon", "grid city"}},
		{"no place", good, `columns: {time: when}`, []string{"incidents.columns", "lon and lat, or x_m and y_m"}},
		{"all outside", good, "columns: {time: when, x_m: x, y_m: y}\n  start: 2020-01-01",
			[]string{"none of its 2 rows", "2 outside the window"}},
		{"keys without replay", good, "", nil}, // see below
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "log.csv"), []byte(c.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			keys := "  replay: log.csv\n  " + c.keys
			if !strings.Contains(c.keys, "type: kind") {
				keys += "\n  default_type: a"
			}
			want := c.want
			if c.keys == "" {
				keys, want = "  default_type: a", []string{"incidents.default_type", "only for a replay"}
			}
			doc := `version: 1
name: bad
duration: 30d
city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 1}}
incidents:
` + keys + `
  types:
    - {name: a, priority: 1}
    - {name: b, priority: 2}
units: [{name: car, count: 2}]
variants: [{name: r, policy: random}]
`
			_, err := LoadAt(filepath.Join(dir, "s.yaml"), []byte(doc))
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "s.yaml:") {
				t.Errorf("error %q does not name the scenario file and line", err)
			}
		})
	}
}

// TestGoLayout: an empty layout is the default; others are translated by
// internal/timelayout (tested there).
func TestGoLayout(t *testing.T) {
	for in, want := range map[string]string{
		"":               DefaultTimeLayout,
		"%m/%d/%Y %H:%M": "01/02/2006 15:04",
	} {
		if got, err := goLayout(in); err != nil || got != want {
			t.Errorf("goLayout(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestExampleSFReplay: the README's replay example loads and replays the
// log as TestReplaySF counts it.
func TestExampleSFReplay(t *testing.T) {
	shareddata.Path(t, "sf/crime.csv") // skips without the data
	s, err := LoadFile("../docs/examples/sf-replay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Replay; r.Incidents != 7365-r.OutsideCity-r.OutsideWindow || r.Duplicates != 9030-7365 {
		t.Errorf("%d incidents played, %d duplicates: want 7365 less those left out, and %d", r.Incidents, r.Duplicates, 9030-7365)
	}
}

// FuzzReplayLog feeds logs to a replay scenario on a grid city. Loading
// must never panic; when it succeeds, the counts add up and every played
// incident is inside the city and the window, in time order.
func FuzzReplayLog(f *testing.F) {
	f.Add("when,x,y,kind\n2024-03-01 10:00,100,200,a\n2024-03-01 11:00,300,400,b\n")
	f.Add("when,x,y,kind\n2024-03-02 10:00,100,200,a\n2024-03-01 11:00,-5,400,zz\n2025-01-01 00:00,1,1,a\n")
	f.Add("\ufeffwhen,x,y\n2024-03-01 10:00,1e400,2\n")
	f.Add("when,x,y,kind\n\"2024-03-01\n10:00\",1,1,a\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, log string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "log.csv"), []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
		doc := `version: 1
name: fuzz
duration: 2d
city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 1}}
incidents:
  replay: log.csv
  columns: {time: when, x_m: x, y_m: y, type: kind}
  default_type: a
  types: [{name: a}, {name: b, priority: 1}]
units: [{name: car, count: 2}]
variants: [{name: r, policy: random}]
`
		s, err := LoadAt(filepath.Join(dir, "s.yaml"), []byte(doc))
		if err != nil {
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		r, inc := s.Replay, s.Config.Incidents.Replay.Incidents
		if r.Rows-r.Duplicates-r.OutsideWindow-r.OutsideCity != r.Incidents || len(inc) != r.Incidents {
			t.Fatalf("counts do not add up: %+v, %d played", r, len(inc))
		}
		for i, x := range inc {
			if x.Occur < 0 || x.Occur >= s.Config.Duration || s.Config.City.Locate(x.Pos) != int(x.Atom) || i > 0 && x.Occur < inc[i-1].Occur {
				t.Fatalf("incident %d: %+v", i, x)
			}
		}
	})
}

// BenchmarkReplayLoad loads a replay of the Chicago log (148,636 rows,
// 2010–2019, of which February 2019 is played): the cost of reading,
// parsing and placing a large log, in rows per second.
func BenchmarkReplayLoad(b *testing.B) {
	log := shareddata.Path(b, "chicago/chicago_aggravated_assaults_2010_2019.csv")
	areas := shareddata.Path(b, "chicago/chicago_police_districts_2018.geojson")
	doc := replayDoc(areas, "{name: Name, district: Name}", `  replay: `+log+`
  columns: {time: date, time_layout: "%Y-%m-%d %H:%M", lon: longitude, lat: latitude}
  start: 2019-02-01`, `    - {name: assault, priority: 1, officers: 2, crime: true}`)
	path := filepath.Join(b.TempDir(), "chicago.yaml")
	rows := 0
	for b.Loop() {
		s, err := LoadAt(path, []byte(doc))
		if err != nil {
			b.Fatal(err)
		}
		rows += s.Replay.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
