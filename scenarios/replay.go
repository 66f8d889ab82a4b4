package scenarios

// Replay of a recorded incident log (incidents.replay): the log's rows
// read, deduplicated, placed in the city and the run's window, and typed.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/timelayout"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// ReplayColumns names the columns of a replayed log (incidents.columns).
// Time and a place (lon and lat, or x_m and y_m) are required; the others
// are optional.
type ReplayColumns struct {
	// Time is the column of the incident's time, or several columns
	// (a date and a clock) whose values are joined by a space.
	Time Names `yaml:"time"`
	// TimeLayout reads Time: a Go layout ("2006-01-02 15:04") or a
	// strftime one ("%m/%d/%Y %H:%M"). Default "2006-01-02 15:04".
	TimeLayout string `yaml:"time_layout,omitempty"`
	Lon        string `yaml:"lon,omitempty"`  // longitude, degrees (a GeoJSON city)
	Lat        string `yaml:"lat,omitempty"`  // latitude, degrees
	XM         string `yaml:"x_m,omitempty"`  // or planar metres in the city's plane (a grid city)
	YM         string `yaml:"y_m,omitempty"`  //
	Type       string `yaml:"type,omitempty"` // the log's category (see incidents.categories)
	// ID: rows sharing an id are one incident (the first row is kept).
	ID string `yaml:"id,omitempty"`
	// Priority: 1, 2 or 3 (or A, B, C); an empty cell takes the type's.
	Priority string `yaml:"priority,omitempty"`
	// OnSceneMin: minutes on scene; an empty cell is drawn from the type.
	OnSceneMin string `yaml:"on_scene_min,omitempty"`
	// ResponseMin: the response time the log records, in minutes, shown
	// beside the simulated one and never used by the model.
	ResponseMin string `yaml:"response_min,omitempty"`
}

// Names is one name or a list of names: "Date" or [Date, Time].
type Names []string

// UnmarshalYAML accepts a single name as well as a list.
func (n *Names) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		*n = Names{node.Value}
		return nil
	}
	var list []string
	if err := node.Decode(&list); err != nil {
		return err
	}
	*n = list
	return nil
}

// MarshalYAML writes a single name as a scalar.
func (n Names) MarshalYAML() (any, error) {
	if len(n) == 1 {
		return n[0], nil
	}
	return []string(n), nil
}

// DefaultTimeLayout reads a replayed log's time column when the scenario
// gives no layout.
const DefaultTimeLayout = "2006-01-02 15:04"

// maxRowErrors is how many bad rows of a log are reported one by one.
const maxRowErrors = 10

// ReplaySummary describes a replay log as played (Scenario.Replay): what
// was read, what was left out and why, and the recorded response times.
type ReplaySummary struct {
	File  string    // as the scenario names it
	Start time.Time // the instant the run's time 0 stands for (the log's local time, as UTC)
	End   time.Time // Start + duration
	// Rows is the data rows of the log; Duplicates of them repeat an
	// earlier row's id; OutsideWindow are before Start or from End on;
	// OutsideCity fall in no area. Incidents = Rows − Duplicates −
	// OutsideWindow − OutsideCity.
	Rows, Duplicates, OutsideWindow, OutsideCity int
	Incidents                                    int
	// First and Last are the times of the first and last incident played.
	First, Last time.Time
	// Defaulted incidents have a category neither a type's name nor in
	// incidents.categories: they got default_type. Unknown lists those
	// categories, most frequent first, with their counts.
	Defaulted int
	Unknown   []CategoryCount
	// Response is the recorded response time of each played incident
	// (aligned with Config.Incidents.Replay.Incidents), seconds; NaN where
	// the log has none. Nil when the log has no response column.
	Response []float64
}

// CategoryCount is a category of the log and how many incidents have it.
type CategoryCount struct {
	Category string
	Count    int
}

// Header is the one-line description of the replay for the result table
// and document: "replayed from crime.csv (7,365 incidents, 2013-12-01 …
// 2013-12-31)".
func (r *ReplaySummary) Header() string {
	s := fmt.Sprintf("replayed from %s (%s incidents, %s … %s)", filepath.Base(r.File), thousands(r.Incidents),
		r.First.Format("2006-01-02"), r.Last.Format("2006-01-02"))
	var left []string
	for _, c := range []struct {
		n    int
		what string
	}{{r.Duplicates, "duplicate rows"}, {r.OutsideWindow, "outside the window"}, {r.OutsideCity, "outside the city"}} {
		if c.n > 0 {
			left = append(left, thousands(c.n)+" "+c.what)
		}
	}
	if len(left) > 0 {
		s += "; left out: " + strings.Join(left, ", ")
	}
	if r.Defaulted > 0 {
		s += fmt.Sprintf("; %s of unknown category played as the default type", thousands(r.Defaulted))
	}
	return s
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// buildReplay reads the log named by in.Replay and returns the model's
// replay and its summary, or records the problems in e. cfg holds the
// city, the duration and the incident types already built.
func buildReplay(in *Incidents, cfg *sim.Config, read reader, e *errs) (*sim.Replay, *ReplaySummary) {
	if in.Replay == "" {
		for _, k := range []struct {
			set  bool
			path string
		}{{in.Columns != nil, "columns"}, {in.Start != "", "start"}, {len(in.Categories) > 0, "categories"}, {in.DefaultType != "", "default_type"}} {
			if k.set {
				e.add("incidents."+k.path, "only for a replay: give incidents.replay, the log to play")
			}
		}
		return nil, nil
	}
	if in.Columns == nil {
		e.add("incidents.columns", "a replay needs its columns: time and lon/lat (or x_m/y_m) at least")
		return nil, nil
	}
	col := in.Columns
	problems := len(e.list) // before this log's
	layout, lerr := goLayout(col.TimeLayout)
	if lerr != nil {
		e.add("incidents.columns.time_layout", "%v", lerr)
	}
	if len(col.Time) == 0 {
		e.add("incidents.columns.time", "missing: name the time column (or [date, clock] columns)")
	}
	lonlat := col.Lon != "" || col.Lat != ""
	planar := col.XM != "" || col.YM != ""
	switch {
	case lonlat && planar:
		e.add("incidents.columns", "give lon and lat, or x_m and y_m, not both")
	case lonlat && (col.Lon == "" || col.Lat == ""):
		e.add("incidents.columns", "give both lon and lat")
	case planar && (col.XM == "" || col.YM == ""):
		e.add("incidents.columns", "give both x_m and y_m")
	case !lonlat && !planar:
		e.add("incidents.columns", "name the place columns: lon and lat, or x_m and y_m")
	case lonlat && cfg.City != nil && cfg.City.Proj == nil:
		e.add("incidents.columns.lon", "a grid city has no lon/lat: name x_m and y_m columns (planar metres)")
	}
	var start time.Time
	if in.Start != "" {
		t, err := time.Parse("2006-01-02", in.Start)
		if err != nil {
			e.add("incidents.start", "must be a date YYYY-MM-DD (got %q)", in.Start)
		}
		start = t
	}
	typeIdx := map[string]int{}
	for i, t := range cfg.Incidents.Types {
		typeIdx[t.Name] = i
	}
	catKeys := slices.Sorted(mapKeys(in.Categories))
	for _, k := range catKeys {
		if _, ok := typeIdx[in.Categories[k]]; !ok && len(cfg.Incidents.Types) > 0 {
			e.add("incidents.categories."+k, "names no incident type (got %q; types: %s)", in.Categories[k], typeNames(cfg))
		}
	}
	defType := -1
	if in.DefaultType != "" {
		if i, ok := typeIdx[in.DefaultType]; ok {
			defType = i
		} else if len(cfg.Incidents.Types) > 0 {
			e.add("incidents.default_type", "names no incident type (got %q; types: %s)", in.DefaultType, typeNames(cfg))
		}
	} else if col.Type == "" && len(cfg.Incidents.Types) == 1 {
		defType = 0
	} else if col.Type == "" {
		e.add("incidents.default_type", "without a type column every incident is of the default type: name it")
	}
	if len(e.list) > problems || cfg.City == nil {
		return nil, nil
	}
	data, ok := readData(read, e, "incidents.replay", in.Replay)
	if !ok {
		return nil, nil
	}
	lg := &logReader{file: in.Replay, e: e}
	rows := lg.read(data, col, layout)
	if rows == nil {
		return nil, nil
	}

	sum := &ReplaySummary{File: in.Replay, Rows: lg.rows}
	// Deduplicate on the id column, first row kept.
	if col.ID != "" {
		seen := make(map[string]bool, len(rows))
		kept := rows[:0]
		for _, r := range rows {
			if seen[r.id] {
				sum.Duplicates++
				continue
			}
			seen[r.id] = true
			kept = append(kept, r)
		}
		rows = kept
	}
	if start.IsZero() {
		first := rows[0].t
		for _, r := range rows {
			if r.t.Before(first) {
				first = r.t
			}
		}
		start = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
	}
	sum.Start = start
	sum.End = start.Add(time.Duration(cfg.Duration * float64(time.Second)))
	// Order of time, ties in the log's order.
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].t.Before(rows[j].t) })

	rp := &sim.Replay{Source: filepath.Base(in.Replay)}
	unknown := map[string]int{}
	if col.ResponseMin != "" {
		sum.Response = []float64{}
	}
	for _, r := range rows {
		occur := r.t.Sub(start).Seconds()
		if occur < 0 || occur >= cfg.Duration {
			sum.OutsideWindow++
			continue
		}
		p := geo.Point{X: r.x, Y: r.y}
		if lonlat {
			p = cfg.City.ProjectLonLat(r.x, r.y)
		}
		a := cfg.City.Locate(p)
		if a < 0 {
			sum.OutsideCity++
			continue
		}
		k := defType
		if col.Type != "" {
			if name, ok := in.Categories[r.cat]; ok {
				k = typeIdx[name]
			} else if i, ok := typeIdx[r.cat]; ok {
				k = i
			} else {
				unknown[r.cat]++
			}
		}
		if k < 0 {
			continue // reported below
		}
		if k == defType && col.Type != "" && unknown[r.cat] > 0 {
			sum.Defaulted++
		}
		rp.Incidents = append(rp.Incidents, sim.Recorded{Occur: occur, Pos: p, Atom: int32(a), Type: int16(k),
			Priority: r.prio, OnScene: r.onScene})
		if sum.Response != nil {
			sum.Response = append(sum.Response, r.response)
		}
		if sum.Incidents == 0 {
			sum.First = r.t
		}
		sum.Last = r.t
		sum.Incidents++
	}
	for c, n := range unknown {
		sum.Unknown = append(sum.Unknown, CategoryCount{c, n})
	}
	slices.SortFunc(sum.Unknown, func(a, b CategoryCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Category, b.Category)
	})
	if defType < 0 && len(sum.Unknown) > 0 {
		var list []string
		for i, c := range sum.Unknown {
			if i == 8 {
				list = append(list, fmt.Sprintf("and %d more", len(sum.Unknown)-8))
				break
			}
			list = append(list, fmt.Sprintf("%q (%d)", c.Category, c.Count))
		}
		e.add("incidents.categories", "%s: categories of column %q that are no type's name and not in categories: %s; map them, or give default_type",
			in.Replay, col.Type, strings.Join(list, ", "))
		return nil, nil
	}
	if sum.Incidents == 0 {
		e.add("incidents.replay", "%s: none of its %d rows falls inside the city and the window %s … %s (%d outside the window, %d outside the city)",
			in.Replay, sum.Rows, start.Format("2006-01-02 15:04"), sum.End.Format("2006-01-02 15:04"), sum.OutsideWindow, sum.OutsideCity)
		return nil, nil
	}
	if sum.Incidents > MaxIncidents {
		e.add("incidents.replay", "%s: %d incidents, more than the limit of %d", in.Replay, sum.Incidents, MaxIncidents)
		return nil, nil
	}
	// The log's mean daily volume: what the effort estimate and the
	// expected rate (RateFunc, the hotspot oracle's) go by.
	cfg.Incidents.PerDay = float64(sum.Incidents) * 86400 / cfg.Duration
	return rp, sum
}

func typeNames(cfg *sim.Config) string {
	var names []string
	for _, t := range cfg.Incidents.Types {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// logRow is one data row of a log, parsed.
type logRow struct {
	t        time.Time
	x, y     float64 // lon, lat or planar metres
	id, cat  string
	prio     int8
	onScene  float64 // seconds, NaN: none
	response float64 // seconds, NaN: none
}

// logReader reads a log's rows, recording bad ones in e.
type logReader struct {
	file string
	e    *errs
	rows int
	bad  int
}

// fail records a bad value of column name on line.
func (lg *logReader) fail(line int, name, value, format string, args ...any) {
	lg.bad++
	if lg.bad <= maxRowErrors {
		lg.e.add("incidents.replay", "%s:%d: column %q: %q %s", lg.file, line, name, clipValue(value), fmt.Sprintf(format, args...))
	}
}

func clipValue(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// read parses data; nil when it holds no usable row (reported).
func (lg *logReader) read(data []byte, col *ReplayColumns, layout string) []logRow {
	e := lg.e
	problems := len(e.list)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			e.add("incidents.replay", "%s: empty: a CSV file with a header row is needed", lg.file)
		} else {
			e.add("incidents.replay", "%s: reading the header row: %v", lg.file, err)
		}
		return nil
	}
	header = slices.Clone(header)
	index := func(key, name string) int {
		if name == "" {
			return -1
		}
		for i, h := range header {
			if strings.TrimSpace(h) == name {
				return i
			}
		}
		e.add("incidents.columns."+key, "%s has no column %q; its header row is: %s", lg.file, name, clipValue(strings.Join(header, ",")))
		return -1
	}
	var iTime []int
	for _, n := range col.Time {
		iTime = append(iTime, index("time", n))
	}
	xKey, yKey, xName, yName := "lon", "lat", col.Lon, col.Lat
	if col.XM != "" {
		xKey, yKey, xName, yName = "x_m", "y_m", col.XM, col.YM
	}
	iX, iY := index(xKey, xName), index(yKey, yName)
	iType, iID := index("type", col.Type), index("id", col.ID)
	iPrio, iScene, iResp := index("priority", col.Priority), index("on_scene_min", col.OnSceneMin), index("response_min", col.ResponseMin)
	if len(e.list) > problems {
		return nil
	}
	var rows []logRow
	cell := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	minutes := func(line int, rec []string, i int, name string) float64 {
		s := cell(rec, i)
		if i < 0 || s == "" {
			return math.NaN()
		}
		m, err := strconv.ParseFloat(s, 64)
		if err != nil || !(m >= 0) || m > 30*24*60 {
			lg.fail(line, name, s, "is not a number of minutes between 0 and 43200")
			return math.NaN()
		}
		return m * 60
	}
	var parts []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			lg.bad++
			e.add("incidents.replay", "%s:%d: not a CSV row: %v", lg.file, line, err)
			break
		}
		line, _ := r.FieldPos(0)
		lg.rows++
		if lg.rows > MaxIncidents {
			e.add("incidents.replay", "%s: more than %d rows", lg.file, MaxIncidents)
			return nil
		}
		var row logRow
		parts = parts[:0]
		for _, i := range iTime {
			parts = append(parts, cell(rec, i))
		}
		ts := strings.Join(parts, " ")
		t, err := time.Parse(layout, ts)
		if err != nil {
			lg.fail(line, strings.Join(col.Time, "+"), ts, "is not a time of layout %q", layoutText(col.TimeLayout))
			continue
		}
		row.t = t
		sx, sy := cell(rec, iX), cell(rec, iY)
		x, errX := strconv.ParseFloat(sx, 64)
		y, errY := strconv.ParseFloat(sy, 64)
		switch {
		case errX != nil || math.IsInf(x, 0) || math.IsNaN(x):
			lg.fail(line, xName, sx, "is not a number")
			continue
		case errY != nil || math.IsInf(y, 0) || math.IsNaN(y):
			lg.fail(line, yName, sy, "is not a number")
			continue
		case xKey == "lon" && (x < -180 || x > 180):
			lg.fail(line, xName, sx, "is not a longitude (-180 … 180)")
			continue
		case xKey == "lon" && (y < -90 || y > 90):
			lg.fail(line, yName, sy, "is not a latitude (-90 … 90)")
			continue
		}
		row.x, row.y = x, y
		row.id, row.cat = cell(rec, iID), cell(rec, iType)
		if iID >= 0 && row.id == "" {
			lg.fail(line, col.ID, "", "is empty: every row needs an id to deduplicate on")
			continue
		}
		if s := cell(rec, iPrio); s != "" {
			switch strings.ToUpper(s) {
			case "1", "A":
				row.prio = 1
			case "2", "B":
				row.prio = 2
			case "3", "C":
				row.prio = 3
			default:
				lg.fail(line, col.Priority, s, "is not a priority: 1, 2, 3 (or A, B, C)")
				continue
			}
		}
		row.onScene = minutes(line, rec, iScene, col.OnSceneMin)
		row.response = minutes(line, rec, iResp, col.ResponseMin)
		rows = append(rows, row)
	}
	if lg.bad > maxRowErrors {
		e.add("incidents.replay", "%s: %d bad rows in all (the first %d shown)", lg.file, lg.bad, maxRowErrors)
	}
	if lg.bad > 0 {
		return nil
	}
	if len(rows) == 0 {
		e.add("incidents.replay", "%s: no data rows", lg.file)
		return nil
	}
	return rows
}

func layoutText(l string) string {
	if l == "" {
		return DefaultTimeLayout
	}
	return l
}

// goLayout returns the Go layout of a time layout: a strftime layout
// (one holding %) is translated, a Go layout kept, "" is the default.
func goLayout(l string) (string, error) {
	if l == "" {
		return DefaultTimeLayout, nil
	}
	return timelayout.Go(l)
}
