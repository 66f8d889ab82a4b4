package calibrate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// WeightFloor is added to every area's incident count to make its weight,
// so that an area without records can still see incidents (and the weights
// are never all 0).
const WeightFloor = 0.5

// MidnightFactor: records at exactly 00:00 are treated as "time unknown"
// when they exceed this multiple of the count expected there from on-the-hour
// rounding alone.
const MidnightFactor = 3.0

// WeeklyP is the p value of the hour × day interaction test below which
// the scenario gets one hour-of-week profile (168 weights) instead of the
// separable hour-of-day × day-of-week pair: weekday and weekend days then
// differ in shape, which the pair cannot say.
const WeeklyP = 1e-3

// Options are the inputs of Run.
type Options struct {
	Incidents     string // CSV file with a header row
	Areas         string // GeoJSON FeatureCollection
	NameField     string // feature property naming the area
	DistrictField string // feature property naming the district
	// PopulationField names a feature property holding residents; or
	// Population is the city's residents, spread over the areas in
	// proportion to their area (written as property population of the
	// copy). Residents weight visibility and the prevented incidents per
	// 1,000 residents the default ranking uses; without either the
	// loader's default, one resident per km², holds (with a warning).
	PopulationField string
	Population      float64

	Lon, Lat    string // coordinate columns (default longitude, latitude)
	Time        string // date-time column, parsed with TimeFormat
	Date, Clock string // or a date column (TimeFormat) and a clock column (ClockFormat)
	TimeFormat  string // Go or strftime layout (Layout); default "2006-01-02 15:04" (with Time) or "01/02/2006" (with Date)
	ClockFormat string // Go or strftime layout of Clock; default "15:04"
	Type        string // incident type column (optional)
	// Types maps the Type column's categories to incident types with
	// priority, on-scene time, officers, deterrable and crime: a YAML
	// file or builtin:NAME (LoadTypes). Empty: the TopTypes most frequent
	// values, each with placeholder priority 2 and 30 min on scene.
	Types string
	// Priority is a column of recorded priorities (1, 2, 3 or A, B, C):
	// each type gets its records' most frequent one. Optional.
	Priority string
	// OnScene is a column of recorded on-scene times (minutes, or
	// H:MM[:SS]); or Arrived and Cleared are columns of the times the
	// first unit arrived and the call was cleared (TimeFormat). Each type
	// with at least MinOnScene of them gets a fitted on-scene time
	// distribution. Optional.
	OnScene, Arrived, Cleared string
	ID                        string // record id column: rows repeating an id are counted once (optional)
	From, To                  string // inclusive date range, YYYY-MM-DD (optional)

	Out      string  // scenario YAML to write
	Name     string  // scenario name (default: Out's base name)
	TopTypes int     // incident types kept; the rest become "other" (default 6)
	Duration string  // scenario duration (default 30d)
	MaxBad   float64 // largest share of unparsable rows tolerated (default 0.01)
	// Roads, if set, is a GeoJSON road network the scenario travels on
	// (travel model road), named relative to Out's folder when it can be.
	Roads string

	// NearRepeat fits the self-exciting (Hawkes) model too and writes it
	// into the scenario (incidents.near_repeat, per_day lowered to the
	// background rate).
	NearRepeat bool
	Radii      []float64 // profile grid of radii, metres (default DefaultRadii)
	WindowDays float64   // longest parent–child delay, days (default DefaultWindowDays)
}

// TypeShare is one incident type of the mix.
type TypeShare struct {
	Name   string // scenario name (sanitised)
	Source string // the value(s) in the CSV
	Count  int
	Share  float64
	// Spec is what the scenario says of the type: the mapping's (or the
	// placeholder's), with the priority and on-scene time the log's
	// columns gave, if any. Notes say where each value comes from.
	Spec  TypeSpec
	Notes []string
	// OnSceneN is the number of its records with a usable on-scene time,
	// OnSceneFit the fit when there were at least MinOnScene.
	OnSceneN   int
	OnSceneFit *OnSceneFit
	Priorities [4]int // records by recorded priority (index 0: none or unreadable)
}

// Result is what Run measured and wrote.
type Result struct {
	Rows       int      // data rows read
	Bad        int      // rows that could not be parsed (skipped, reported)
	BadSamples []string // the first few problems
	Duplicates int      // rows repeating an earlier id
	OutOfRange int      // rows outside [From, To]
	Outside    int      // in range, outside every area
	Inside     int      // in range and inside an area: the calibrated incidents
	From, To   time.Time
	Days       float64
	PerDay     float64

	AreaNames  []string
	AreaCounts []int
	Weights    []float64

	HourObserved [24]int     // by hour, as recorded
	HourFitted   [24]float64 // after spreading the excess midnight records
	DayObserved  [7]int      // Monday first
	Midnight     int         // records at exactly 00:00
	MidnightExp  float64     // expected there from on-the-hour rounding alone
	Spread       float64     // records moved from 00:00 over the day (0 if none)

	Types []TypeShare

	ChiSquare, DF, PValue float64 // hour × day interaction test
	// HourOfWeek is the observed table by hour of the week (Monday 00:00
	// first; excess 00:00 records spread like HourFitted); Weekly says the
	// scenario uses it (PValue < WeeklyP).
	HourOfWeek    [168]float64
	Weekly        bool
	AreaChiSquare float64 // observed vs expected under the weights

	NearRepeat *NearRepeatFit // with Options.NearRepeat

	// Mapped is the type mapping applied (Options.Types), or nil;
	// Unmapped counts the records of each category it does not list
	// (they went to its Other type).
	Mapped   *TypeMap
	Unmapped map[string]int
	// Warnings are what the user must know about the calibration: each
	// is printed on stderr and written into the scenario as a comment
	// (and into the fit report).
	Warnings []string
	// Force is the placeholder force and the utilisation it gives.
	Force Force

	ScenarioPath, AreasPath, ReportPath string
}

type record struct {
	t     time.Time
	pos   geo.Point // projected, metres
	atom  int
	typ   string
	prio  int     // recorded priority 1 … 3, 0 if none
	scene float64 // recorded on-scene time, seconds; NaN if none
}

func (o *Options) defaults() error {
	if o.Incidents == "" || o.Areas == "" || o.Out == "" {
		return errors.New("the incidents CSV, the areas GeoJSON and the output file are required")
	}
	if o.DistrictField == "" {
		return errors.New("the district field is required")
	}
	if o.Lon == "" {
		o.Lon = "longitude"
	}
	if o.Lat == "" {
		o.Lat = "latitude"
	}
	switch {
	case o.Time != "" && (o.Date != "" || o.Clock != ""):
		return errors.New("give either a time column or date and clock columns, not both")
	case o.Time == "" && (o.Date == "" || o.Clock == ""):
		return errors.New("give a time column, or both a date and a clock column")
	}
	if o.TimeFormat == "" {
		if o.Time != "" {
			o.TimeFormat = "2006-01-02 15:04"
		} else {
			o.TimeFormat = "01/02/2006"
		}
	}
	if o.ClockFormat == "" {
		o.ClockFormat = "15:04"
	}
	var err error
	if o.TimeFormat, err = Layout(o.TimeFormat); err != nil {
		return fmt.Errorf("--time-format: %w", err)
	}
	if o.ClockFormat, err = Layout(o.ClockFormat); err != nil {
		return fmt.Errorf("--clock-format: %w", err)
	}
	if o.Types != "" && o.Type == "" {
		return errors.New("--types maps the values of the type column: name it with --type")
	}
	if (o.Arrived == "") != (o.Cleared == "") {
		return errors.New("--arrived and --cleared go together (the on-scene time is cleared − arrived)")
	}
	if o.OnScene != "" && o.Arrived != "" {
		return errors.New("give either --on-scene or --arrived and --cleared, not both")
	}
	if o.TopTypes <= 0 {
		o.TopTypes = 6
	}
	if o.Duration == "" {
		o.Duration = "30d"
	}
	if o.MaxBad == 0 {
		o.MaxBad = 0.01
	}
	if o.Name == "" {
		o.Name = strings.TrimSuffix(filepath.Base(o.Out), filepath.Ext(o.Out))
	}
	if len(o.Radii) == 0 {
		o.Radii = DefaultRadii
	}
	for _, r := range o.Radii {
		if !(r > 0) {
			return fmt.Errorf("near-repeat radius %g: must be > 0", r)
		}
	}
	if o.WindowDays == 0 {
		o.WindowDays = DefaultWindowDays
	}
	if !(o.WindowDays > 0) {
		return fmt.Errorf("near-repeat window %g days: must be > 0", o.WindowDays)
	}
	return nil
}

func parseDay(s, what string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf("%s date %q: want YYYY-MM-DD", what, s)
	}
	return t, nil
}

// Run reads the records and areas, writes the scenario, the weighted areas
// copy and the fit report, and returns the measurements. Progress notes
// (bad rows, points outside) go to warn, which may be nil.
//
// The three files are one set: the areas copy and the report are named by
// a hash of their content (SCENARIO.areas-HASH.geojson,
// SCENARIO.fit-HASH.txt) and written first, the scenario that names them
// last, each atomically; then the copies and reports of earlier runs go.
// So at any moment the scenario and the files it names are one run's, the
// previous or this one (docs/guarantees.md).
func Run(o Options, warn io.Writer) (*Result, error) {
	return RunContext(context.Background(), o, warn)
}

// RunContext is Run, writing nothing when ctx is done before the files are
// written and returning ctx's error when it is done by the end (the files
// are then written: a complete set).
func RunContext(ctx context.Context, o Options, warn io.Writer) (*Result, error) {
	if warn == nil {
		warn = io.Discard
	}
	if err := o.defaults(); err != nil {
		return nil, err
	}
	from, err := parseDay(o.From, "--from")
	if err != nil {
		return nil, err
	}
	to, err := parseDay(o.To, "--to")
	if err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, fmt.Errorf("--to %s is before --from %s", o.To, o.From)
	}
	areaData, err := inputs.ReadFile(o.Areas, scenarios.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("cannot read the areas %s: %w", o.Areas, inputs.Reason(err))
	}
	if o.PopulationField != "" && o.Population > 0 {
		return nil, errors.New("give either a population field or a population, not both")
	}
	if o.Population < 0 || math.IsNaN(o.Population) || math.IsInf(o.Population, 0) {
		return nil, fmt.Errorf("population %v: must be a number of residents >= 0", o.Population)
	}
	city, err := geo.FromGeoJSON(areaData, geo.AreaFields{Name: o.NameField, District: o.DistrictField, Population: o.PopulationField})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Areas, err)
	}
	var tm *TypeMap
	if o.Types != "" {
		if tm, err = LoadTypes(o.Types); err != nil {
			return nil, err
		}
	}
	recs, res, err := readRecords(&o, city, from, to)
	if err != nil {
		return nil, err
	}
	res.Mapped = tm
	if res.Bad > 0 {
		fmt.Fprintf(warn, "calibrate: %d of %d rows of %s could not be parsed and were skipped; the first:\n", res.Bad, res.Rows, o.Incidents)
		for _, s := range res.BadSamples {
			fmt.Fprintln(warn, "  "+s)
		}
	}
	if res.Inside == 0 {
		return nil, fmt.Errorf("%s: no record in the date range falls inside an area of %s", o.Incidents, o.Areas)
	}
	fmt.Fprintf(warn, "calibrate: %d of %d records in range fall outside every area of %s (%.2f%%): not used\n",
		res.Outside, res.Outside+res.Inside, o.Areas, 100*float64(res.Outside)/float64(res.Outside+res.Inside))
	fit(res, recs, city, o.TopTypes)
	fitTypes(res, recs, &o)
	if o.NearRepeat {
		ev, tEnd, g := hawkesEvents(res, recs, city)
		res.NearRepeat = fitHawkes(ev, tEnd, g, o.Radii, o.WindowDays, func(x, y float64) bool {
			return city.Locate(geo.Point{X: x, Y: y}) >= 0
		})
		nr := res.NearRepeat
		fmt.Fprintf(warn, "calibrate: near-repeat fit of %d incidents in %s: offspring %.3f, decay %.2f d, radius %g m; log-likelihood gain over Poisson %.1f\n",
			nr.Events, nr.Elapsed.Round(time.Millisecond), nr.Offspring, nr.DecayDays, nr.RadiusM, nr.LogL-nr.LogL0)
		if nr.DecayDays > nr.WindowDays/3 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("near repeats: tau (%.2f d) is more than a third of the window (%g d): the kernel is cut at the window, so the offspring %.3f is not the simulator's; the excitation is more likely fixed hot spots finer than the areas (the background cannot express them). Check near_repeat before use.",
				nr.DecayDays, nr.WindowDays, nr.Offspring))
		}
	}
	if o.PopulationField == "" && o.Population == 0 {
		var km2 float64
		for i := range city.Atoms {
			km2 += city.Atoms[i].Area / 1e6
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("the areas carry no population (--population-field) and none was given (--population): the scenario takes the loader's default, one resident per km² (%.0f in all), so visibility weights and the prevented incidents per 1,000 residents of the default ranking are not per real residents, and the exchange rate of the ranking is off by the ratio", km2))
	}
	if len(city.Atoms) == len(city.Districts) && len(city.Atoms) > 1 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("each of the %d areas is a district of its own: patrol policies that differ only within a district (random, static-beats) play alike, and a car anywhere in an area counts as present in all of it; finer areas separate policies", len(city.Atoms)))
	}
	res.Force = sizeForce(res, len(city.Districts))
	for _, w := range res.Warnings {
		fmt.Fprintln(warn, "calibrate: warning: "+w)
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := writeSet(ctx, &o, areaData, city, res); err != nil {
		return nil, err
	}
	return res, ctx.Err()
}

// writeSet writes the scenario, the areas copy and the fit report as one
// set (see Run) and removes the copies and reports of earlier runs.
func writeSet(ctx context.Context, o *Options, areaData []byte, city *geo.City, res *Result) error {
	res.ScenarioPath = o.Out
	base := strings.TrimSuffix(o.Out, filepath.Ext(o.Out))
	areas, err := weightedAreas(areaData, o, city, res)
	if err != nil {
		return err
	}
	var report bytes.Buffer
	if err := writeReport(&report, o, res); err != nil {
		return err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d:", len(areas))
	h.Write(areas)
	h.Write(report.Bytes())
	id := hex.EncodeToString(h.Sum(nil))[:8]
	res.AreasPath = base + ".areas-" + id + ".geojson"
	res.ReportPath = base + ".fit-" + id + ".txt"
	for _, f := range []struct {
		path string
		data []byte
	}{{res.AreasPath, areas}, {res.ReportPath, report.Bytes()}} {
		if err := outputs.WriteFile(f.path, func(w io.Writer) error { _, err := w.Write(f.data); return err }); err != nil {
			return err
		}
	}
	// The utilisation the placeholder force gives: the scenario, as it
	// will be written, loaded beside the files it names and run briefly.
	var doc bytes.Buffer
	if err := writeScenario(&doc, o, city, res); err != nil {
		return err
	}
	res.Force.measure(ctx, o.Out, doc.Bytes())
	if err := ctx.Err(); err != nil {
		// Stopped during the run: the scenario is not written, so the
		// previous one still names its own files (these two are removed
		// by the next run, as a stopped run's).
		return err
	}
	doc.Reset()
	if err := writeScenario(&doc, o, city, res); err != nil {
		return err
	}
	// The commit: from here the scenario names this run's files.
	if err := outputs.WriteFile(o.Out, func(w io.Writer) error { _, err := w.Write(doc.Bytes()); return err }); err != nil {
		return err
	}
	return removeOld(base, id)
}

// removeOld removes the areas copies and fit reports of base that are not
// of the run id: earlier runs', and those of a run stopped before its
// scenario was written.
func removeOld(base, id string) error {
	dir, name := filepath.Split(base)
	if dir == "" {
		dir = "."
	}
	old := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `\.(areas-[0-9a-f]{8}\.geojson|fit-[0-9a-f]{8}\.txt)$`)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if old.MatchString(n) && n != name+".areas-"+id+".geojson" && n != name+".fit-"+id+".txt" {
			if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func column(header []string, name, file, flag string) (int, error) {
	for i, h := range header {
		if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: no column %q (%s); the header row is %s", file, name, flag, headerText(header))
}

// headerText shows a header row in a message: the column names quoted,
// each cut short, at most 20 of them; a header of binary data (not a CSV
// file) is described, not printed.
func headerText(header []string) string {
	all := strings.Join(header, ",")
	if ex := inputs.Excerpt([]byte(all), 60); strings.HasPrefix(ex, "binary data") {
		return ex + ": is this a CSV file?"
	}
	var parts []string
	for i, h := range header {
		if i == 20 {
			parts = append(parts, fmt.Sprintf("and %d more", len(header)-20))
			break
		}
		parts = append(parts, inputs.Excerpt([]byte(h), 40))
	}
	return strings.Join(parts, ", ")
}

// MaxLineBytes bounds a line of the incident CSV: a record is a few
// hundred bytes; a file with a longer line is not a CSV of records (or is
// binary), and reading it whole would exhaust memory.
const MaxLineBytes = 1 << 20

func readRecords(o *Options, city *geo.City, from, to time.Time) ([]record, *Result, error) {
	f, err := inputs.Open(o.Incidents)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the incidents %s: %w", o.Incidents, inputs.Reason(err))
	}
	defer f.Close()
	return readRecordsFrom(f, o, city, from, to)
}

// readRecordsFrom reads the incident CSV from in (named o.Incidents).
func readRecordsFrom(in io.Reader, o *Options, city *geo.City, from, to time.Time) ([]record, *Result, error) {
	r := csv.NewReader(inputs.LineLimit(in, MaxLineBytes))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	tooLong := func(err error) error {
		var lt *inputs.LineTooLongError
		if errors.As(err, &lt) {
			return fmt.Errorf("%s:%d: %v", o.Incidents, lt.Line, lt)
		}
		return nil
	}
	header, err := r.Read()
	if err != nil {
		if e := tooLong(err); e != nil {
			return nil, nil, e
		}
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%s: empty: a CSV file with a header row is needed", o.Incidents)
		}
		return nil, nil, fmt.Errorf("%s: reading the header row: %w", o.Incidents, err)
	}
	header = slices.Clone(header)
	col := func(name, flag string) (int, error) {
		if name == "" {
			return -1, nil
		}
		return column(header, name, o.Incidents, flag)
	}
	var idx [11]int
	for i, c := range []struct{ name, flag string }{{o.Lon, "--lon"}, {o.Lat, "--lat"}, {o.Time, "--time"}, {o.Date, "--date"}, {o.Clock, "--clock"}, {o.Type, "--type"}, {o.ID, "--id"},
		{o.Priority, "--priority"}, {o.OnScene, "--on-scene"}, {o.Arrived, "--arrived"}, {o.Cleared, "--cleared"}} {
		if idx[i], err = col(c.name, c.flag); err != nil {
			return nil, nil, err
		}
	}
	iLon, iLat, iTime, iDate, iClock, iType, iID := idx[0], idx[1], idx[2], idx[3], idx[4], idx[5], idx[6]
	iPrio, iScene, iArr, iClr := idx[7], idx[8], idx[9], idx[10]
	res := &Result{}
	seen := map[string]bool{}
	var recs []record
	var first, last time.Time
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if e := tooLong(err); e != nil {
				return nil, nil, e
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Rows++
				res.Bad++
				if len(res.BadSamples) < 10 {
					res.BadSamples = append(res.BadSamples, fmt.Sprintf("%s:%d: %v", o.Incidents, pe.Line, pe.Err))
				}
				continue
			}
			return nil, nil, fmt.Errorf("%s: %w", o.Incidents, err)
		}
		res.Rows++
		// FieldPos only after a record was read: after a ParseError it
		// panics (a malformed quote in the first column, x"y,121,41).
		line, _ := r.FieldPos(0)
		bad := func(format string, a ...any) {
			res.Bad++
			if len(res.BadSamples) < 10 {
				res.BadSamples = append(res.BadSamples, fmt.Sprintf("%s:%d: ", o.Incidents, line)+fmt.Sprintf(format, a...))
			}
		}
		get := func(i int) (string, bool) {
			if i < 0 {
				return "", true
			}
			if i >= len(row) {
				bad("column %s missing (the row has %d fields)", inputs.Excerpt([]byte(header[i]), 40), len(row))
				return "", false
			}
			return strings.TrimSpace(row[i]), true
		}
		var t time.Time
		if iTime >= 0 {
			s, ok := get(iTime)
			if !ok {
				continue
			}
			if t, err = time.Parse(o.TimeFormat, s); err != nil {
				bad("column %q: value %s does not match the layout %q", o.Time, inputs.Excerpt([]byte(s), 40), o.TimeFormat)
				continue
			}
		} else {
			ds, ok1 := get(iDate)
			cs, ok2 := get(iClock)
			if !ok1 || !ok2 {
				continue
			}
			d, err := time.Parse(o.TimeFormat, ds)
			if err != nil {
				bad("column %q: value %s does not match the layout %q", o.Date, inputs.Excerpt([]byte(ds), 40), o.TimeFormat)
				continue
			}
			c, err := time.Parse(o.ClockFormat, cs)
			if err != nil {
				bad("column %q: value %s does not match the layout %q", o.Clock, inputs.Excerpt([]byte(cs), 40), o.ClockFormat)
				continue
			}
			t = time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), c.Second(), 0, time.UTC)
		}
		var ll [2]float64
		okAll := true
		for k, ci := range []int{iLon, iLat} {
			s, ok := get(ci)
			if !ok {
				okAll = false
				break
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > [2]float64{180, 90}[k] {
				bad("column %q: value %s is not a %s in degrees", header[ci], inputs.Excerpt([]byte(s), 40), [2]string{"longitude", "latitude"}[k])
				okAll = false
				break
			}
			ll[k] = v
		}
		if !okAll {
			continue
		}
		typ, _ := get(iType)
		id, ok := get(iID)
		if !ok {
			continue
		}
		// Priority and on-scene time are optional in every row: a value
		// that cannot be read counts as none (Priorities[0], OnSceneN).
		var prio int
		if iPrio >= 0 {
			ps, _ := get(iPrio)
			prio = parsePriority(ps)
		}
		scene := math.NaN()
		if iScene >= 0 {
			ss, _ := get(iScene)
			scene = parseMinutes(ss)
		} else if iArr >= 0 {
			as, _ := get(iArr)
			cs, _ := get(iClr)
			a, err1 := time.Parse(o.TimeFormat, as)
			c, err2 := time.Parse(o.TimeFormat, cs)
			if err1 == nil && err2 == nil {
				scene = c.Sub(a).Seconds()
			}
		}
		if iID >= 0 {
			if seen[id] {
				res.Duplicates++
				continue
			}
			seen[id] = true
		}
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if (!from.IsZero() && day.Before(from)) || (!to.IsZero() && day.After(to)) {
			res.OutOfRange++
			continue
		}
		if first.IsZero() || day.Before(first) {
			first = day
		}
		if last.IsZero() || day.After(last) {
			last = day
		}
		p := city.ProjectLonLat(ll[0], ll[1])
		a := city.Locate(p)
		if a < 0 {
			res.Outside++
			continue
		}
		res.Inside++
		recs = append(recs, record{t: t, pos: p, atom: a, typ: typ, prio: prio, scene: scene})
	}
	if res.Rows == 0 {
		return nil, nil, fmt.Errorf("%s: no data rows", o.Incidents)
	}
	if frac := float64(res.Bad) / float64(res.Rows); frac > o.MaxBad {
		return nil, res, fmt.Errorf("%s: %d of %d rows (%.1f%%) could not be parsed, more than the %.1f%% tolerated (--max-bad); the first: %s",
			o.Incidents, res.Bad, res.Rows, 100*frac, 100*o.MaxBad, strings.Join(res.BadSamples, "; "))
	}
	res.From, res.To = from, to
	if from.IsZero() {
		res.From = first
	}
	if to.IsZero() {
		res.To = last
	}
	if res.From.IsZero() || res.To.IsZero() {
		return recs, res, nil
	}
	res.Days = math.Round(res.To.Sub(res.From).Hours()/24) + 1
	return recs, res, nil
}

// fit computes weights, profiles, the type mix and the fit statistics.
func fit(res *Result, recs []record, city *geo.City, top int) {
	n := len(city.Atoms)
	res.AreaNames = make([]string, n)
	res.AreaCounts = make([]int, n)
	res.Weights = make([]float64, n)
	var cells [7][24]float64
	var minuteH0 [60]int        // minutes of the 00 hour
	var onHour, offHour [24]int // minute 0 / other minutes, by hour
	types := map[string]int{}
	for _, r := range recs {
		res.AreaCounts[r.atom]++
		h := r.t.Hour()
		d := (int(r.t.Weekday()) + 6) % 7
		res.HourObserved[h]++
		res.DayObserved[d]++
		cells[d][h]++
		if h == 0 {
			minuteH0[r.t.Minute()]++
		}
		if r.t.Minute() == 0 {
			onHour[h]++
		} else {
			offHour[h]++
		}
		types[r.typ]++
	}
	for i := range city.Atoms {
		res.AreaNames[i] = city.Atoms[i].Name
		res.Weights[i] = float64(res.AreaCounts[i]) + WeightFloor
	}
	res.PerDay = float64(res.Inside) / res.Days

	// Midnight: 00:00 against what on-the-hour rounding alone would put
	// there, the median ratio (minute 0)/(mean of minutes 1–59) of the
	// other hours times the mean of 00:01–00:59.
	res.Midnight = onHour[0]
	var ratios []float64
	for h := 1; h < 24; h++ {
		if offHour[h] > 0 {
			ratios = append(ratios, float64(onHour[h])/(float64(offHour[h])/59))
		}
	}
	ratio := 1.0
	if len(ratios) > 0 {
		sort.Float64s(ratios)
		ratio = ratios[len(ratios)/2]
	}
	res.MidnightExp = ratio * float64(offHour[0]) / 59
	for h := range 24 {
		res.HourFitted[h] = float64(res.HourObserved[h])
	}
	if float64(res.Midnight) > MidnightFactor*math.Max(res.MidnightExp, 1) {
		excess := float64(res.Midnight) - res.MidnightExp
		res.Spread = excess
		// Remove the excess from hour 0 (and from each day's hour 0 in
		// proportion), then spread it over the day in proportion to the
		// hours: the shares are those of the table without the excess.
		for d := range 7 {
			cells[d][0] -= excess * cells[d][0] / float64(res.HourObserved[0])
		}
		res.HourFitted[0] -= excess
		var tot float64
		for _, v := range res.HourFitted {
			tot += v
		}
		for h := range 24 {
			res.HourFitted[h] *= float64(res.Inside) / tot
		}
	}

	// Type mix (with a mapping: fitTypes).
	if res.Mapped == nil {
		topTypes(res, types, top)
	}

	// Hour × day interaction: the separable fit E = N·p(day)·p(hour)
	// against the 168-cell table.
	var rowS [7]float64
	var colS [24]float64
	var tot float64
	for d := range 7 {
		for h := range 24 {
			rowS[d] += cells[d][h]
			colS[h] += cells[d][h]
			tot += cells[d][h]
		}
	}
	df := 0.0
	for d := range 7 {
		for h := range 24 {
			e := rowS[d] * colS[h] / tot
			if e > 0 {
				res.ChiSquare += (cells[d][h] - e) * (cells[d][h] - e) / e
			}
		}
	}
	nd, nh := 0, 0
	for _, v := range rowS {
		if v > 0 {
			nd++
		}
	}
	for _, v := range colS {
		if v > 0 {
			nh++
		}
	}
	df = float64((nd - 1) * (nh - 1))
	res.DF = df
	res.PValue = math.NaN()
	if df > 0 {
		res.PValue = distuv.ChiSquared{K: df}.Survival(res.ChiSquare)
	}
	for d := range 7 {
		for h := range 24 {
			res.HourOfWeek[d*24+h] = cells[d][h] * float64(res.Inside) / tot
		}
	}
	res.Weekly = res.PValue < WeeklyP
	var wsum float64
	for _, w := range res.Weights {
		wsum += w
	}
	for i, c := range res.AreaCounts {
		e := float64(res.Inside) * res.Weights[i] / wsum
		res.AreaChiSquare += (float64(c) - e) * (float64(c) - e) / e
	}
}

var nameBad = regexp.MustCompile(`[^a-z0-9_.-]+`)

// typeName makes a scenario name (letters, digits, _ . -) of a CSV value.
func typeName(s string) string {
	n := strings.Trim(nameBad.ReplaceAllString(strings.ToLower(s), "-"), "-_.")
	if n == "" {
		return "incident"
	}
	return n
}

// weightedAreas returns the areas GeoJSON with a "weight" property on
// every feature: an area's weight on its first feature, 0 on its other
// parts (the loader adds the parts up). It also sets "incidents", the
// observed count.
func weightedAreas(data []byte, o *Options, city *geo.City, res *Result) ([]byte, error) {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, err
	}
	byName := map[string]int{}
	for i := range city.Atoms {
		byName[city.Atoms[i].Name] = i
	}
	done := make([]bool, len(city.Atoms))
	for i, ft := range fc.Features {
		a := i
		if o.NameField != "" {
			a = byName[propString(ft.Properties, o.NameField)]
		}
		if ft.Properties == nil {
			ft.Properties = geojson.Properties{}
		}
		if done[a] {
			ft.Properties["weight"] = 0.0
			ft.Properties["incidents"] = 0
			if o.Population > 0 {
				ft.Properties["population"] = 0.0
			}
			continue
		}
		done[a] = true
		ft.Properties["weight"] = res.Weights[a]
		ft.Properties["incidents"] = res.AreaCounts[a]
		if o.Population > 0 {
			ft.Properties["population"] = o.Population * city.Atoms[a].Area / cityArea(city)
		}
	}
	return fc.MarshalJSON()
}

// propString mirrors the loader's reading of a name property.
func propString(p geojson.Properties, name string) string {
	switch v := p[name].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func yamlQuote(s string) string { return strconv.Quote(s) }

// relTo returns file relative to dir when both can be made absolute, else
// file as given.
func relTo(dir, file string) string {
	ad, err1 := filepath.Abs(dir)
	af, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return file
	}
	if r, err := filepath.Rel(ad, af); err == nil {
		return filepath.ToSlash(r)
	}
	return af
}

func profile(v []float64) string { return "[" + profileOf(v, 0, len(v)) + "]" }

// profileOf writes v[from:to] relative to the mean of all of v, 4 decimals,
// comma-separated.
func profileOf(v []float64, from, to int) string {
	var s float64
	for _, x := range v {
		s += x
	}
	mean := s / float64(len(v))
	parts := make([]string, 0, to-from)
	for _, x := range v[from:to] {
		if mean > 0 {
			x /= mean
		}
		parts = append(parts, strconv.FormatFloat(x, 'f', 4, 64))
	}
	return strings.Join(parts, ", ")
}

func writeScenario(w io.Writer, o *Options, city *geo.City, res *Result) error {
	areas := filepath.Base(res.AreasPath) // beside the scenario: relative to its folder
	pf := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	comment := func(text, first, rest string) {
		for i, l := range wrap(text, 78-len(first)) {
			if i == 0 {
				pf("%s%s\n", first, l)
			} else {
				pf("%s%s\n", rest, l)
			}
		}
	}
	pf("# Calibrated by `patrolsim calibrate` from %s and %s.\n", o.Incidents, o.Areas)
	pf("# Date range %s to %s (%g days). Rows read %d; unparsable %d (skipped, see the fit\n", res.From.Format("2006-01-02"), res.To.Format("2006-01-02"), res.Days, res.Rows, res.Bad)
	pf("# report); duplicate ids %d; outside the range %d; outside every area %d (%.2f%%,\n",
		res.Duplicates, res.OutOfRange, res.Outside, 100*float64(res.Outside)/float64(res.Outside+res.Inside))
	pf("# not used); used %d.\n", res.Inside)
	pf("# Area weights (in %s, property weight) are the incident counts + %g.\n", areas, WeightFloor)
	pf("# Goodness of fit: %s.\n", filepath.Base(res.ReportPath))
	if res.Mapped != nil {
		pf("# Incident types: the categories of column %s mapped by %s (priority,\n", o.Type, res.Mapped.Source)
		pf("# on-scene time, officers, deterrable, crime); see the notes at each type.\n")
		pf("# The units, travel and dispatch below are PLACEHOLDERS: set them before use.\n")
	} else {
		pf("# The units, travel, dispatch, priorities and on-scene times below are\n")
		pf("# PLACEHOLDERS: the records say nothing about them. Set them before use\n")
		pf("# (--types maps the categories to types with priorities and on-scene times).\n")
	}
	for _, w := range res.Warnings {
		comment(w, "# WARNING: ", "#   ")
	}
	pf("version: 1\nname: %s\n", yamlQuote(o.Name))
	pf("description: %s\n", yamlQuote(fmt.Sprintf("calibrated from %s, %s to %s", filepath.Base(o.Incidents), res.From.Format("2006-01-02"), res.To.Format("2006-01-02"))))
	pf("duration: %s\nwarmup: 2d\nreplications: 10\n", o.Duration)
	pf("city:\n  areas: %s\n", yamlQuote(areas))
	name := o.NameField
	pop := ""
	switch {
	case o.PopulationField != "":
		pop = ", population: " + yamlQuote(o.PopulationField)
	case o.Population > 0:
		pop = ", population: population"
		pf("  # population: %g residents (--population) spread over the areas by area.\n", o.Population)
	}
	pf("  fields: {name: %s, district: %s, weight: weight%s}\n", yamlQuote(name), yamlQuote(o.DistrictField), pop)
	pf("incidents:\n")
	if nr := res.NearRepeat; nr != nil {
		pf("  # %d incidents inside the areas / %g days = %.4f a day in all; with the fitted\n", res.Inside, res.Days, res.PerDay)
		pf("  # near repeats (below) each incident has %.3f offspring on average, so the\n", nr.Offspring)
		pf("  # background is %.4f × (1 − %.3f) and the total stays %.4f a day.\n", res.PerDay, nr.Offspring, res.PerDay)
		pf("  per_day: %.4f\n", res.PerDay*(1-nr.Offspring))
	} else {
		pf("  per_day: %.4f  # %d incidents inside the areas / %g days\n", res.PerDay, res.Inside, res.Days)
	}
	if res.Spread > 0 {
		pf("  # %d records sit at exactly 00:00, against %.0f expected from on-the-hour\n", res.Midnight, res.MidnightExp)
		pf("  # rounding (median minute-0 excess of the other hours); the %.0f extra are\n", res.Spread)
		pf("  # taken as \"time unknown\" and spread over the day in proportion to the hours.\n")
	} else {
		pf("  # %d records at exactly 00:00 (%.0f expected from on-the-hour rounding): kept as they are.\n", res.Midnight, res.MidnightExp)
	}
	if res.Weekly {
		pf("  # Weekday and weekend hours differ in shape (hour x day chi-square %.0f on %g df,\n", res.ChiSquare, res.DF)
		pf("  # p = %.2g): one weight per hour of the week, Monday 00:00 first, 24 a line.\n", res.PValue)
		pf("  hour_of_week: [\n")
		for d := range 7 {
			row := profileOf(res.HourOfWeek[:], d*24, d*24+24)
			sep := ","
			if d == 6 {
				sep = ""
			}
			pf("    %s%s\n", row, sep)
		}
		pf("  ]\n")
	} else {
		pf("  hour_of_day: %s\n", profile(res.HourFitted[:]))
		dd := make([]float64, 7)
		for i, v := range res.DayObserved {
			dd[i] = float64(v)
		}
		pf("  day_of_week: %s  # Monday first\n", profile(dd))
	}
	if nr := res.NearRepeat; nr != nil {
		pf("  # Hawkes fit by maximum likelihood (see %s): log-likelihood %.1f against\n", filepath.Base(res.ReportPath), nr.LogL)
		pf("  # %.1f for plain Poisson (gain %.1f; AIC %.1f vs %.1f). Radius: best of a grid.\n", nr.LogL0, nr.LogL-nr.LogL0, nr.AIC, nr.AIC0)
		pf("  near_repeat: {offspring: %.4f, decay: %.2fh, radius_m: %g}\n", nr.Offspring, nr.DecayDays*24, nr.RadiusM)
	}
	pf("  # Type shares from the records (count after each type).\n")
	pf("  types:\n")
	var sum float64
	for i, t := range res.Types {
		share := math.Round(t.Share*1e9) / 1e9
		if i == len(res.Types)-1 {
			share = 1 - sum
		}
		sum += share
		for _, n := range t.Notes {
			comment(n, "    # ", "    #   ")
		}
		sp := &t.Spec
		pf("    - {name: %s, priority: %d, share: %s, on_scene: %s, officers: %d, deterrable: %s, crime: %t}  # %s: %d\n",
			yamlQuote(t.Name), sp.Priority, strconv.FormatFloat(share, 'f', 9, 64), sp.onSceneText(), sp.Officers,
			strconv.FormatFloat(sp.Deterrable, 'f', -1, 64), sp.Crime, strings.ReplaceAll(t.Source, "\n", " "), t.Count)
	}
	f := &res.Force
	cars := f.Cars
	pf("# Placeholder force: %d cars of %d officers, on duty all day. Offered load\n", cars, PlaceholderSquad)
	pf("# (computed: %.4g calls a day × each type's share × cars a call, ⌈officers ÷ %d⌉,\n", res.PerDay, PlaceholderSquad)
	pf("# × (its mean on-scene time + %s travel and turnout, an allowance)) = %.2f cars\n", durationText(TravelAllowance), f.Load)
	pf("# busy on average: %.1f%% of %d cars", 100*f.Load/float64(cars), cars)
	if cars == f.Districts && f.Load/float64(cars) < TargetUtilisation*0.95 {
		pf(" (sized for %.0f%%, but at least one car per\n# district, %d districts)", 100*TargetUtilisation, f.Districts)
	} else {
		pf(" (sized for %.0f%% busy)", 100*TargetUtilisation)
	}
	pf(".\n")
	if f.Measured == f.Measured {
		pf("# Measured: a run of this scenario (variant %s, replication 0, seed %d,\n", f.MeasuredVariant, f.MeasuredSeed)
		pf("# %g days after the warm-up) gives utilisation %.1f%% (busy ÷ on-duty time).\n", f.MeasuredDays, 100*f.Measured)
		if off := f.Load / float64(cars); math.Abs(f.Measured/off-1) > 0.25 {
			comment(fmt.Sprintf("The run is %.0f%% off the computed load: deterrence suppresses incidents, near-repeat offspring fall after the run ends (a long decay), and travel differs from the allowance; the measured figure is what the scenario gives.", 100*math.Abs(f.Measured/off-1)), "# ", "# ")
		}
	} else if f.MeasureErr != "" {
		comment("Not measured: the scenario could not be run ("+f.MeasureErr+").", "# ", "#   ")
	}
	pf("units:\n  - {name: patrol_car, count: %d, squad: %d, speed_kmh: 30}\n", cars, PlaceholderSquad)
	if o.Roads == "" {
		pf("# Placeholder dispatch and travel (the defaults).\n")
		pf("dispatch: {mode: point-to-point, delay: 60s}\n")
		pf("travel: {model: manhattan, detour: 1}\n")
	} else {
		pf("# Placeholder dispatch; travel on the road network of %s.\n", filepath.Base(o.Roads))
		pf("dispatch: {mode: point-to-point, delay: 60s}\n")
		pf("travel: {model: road, roads: %s}\n", yamlQuote(relTo(filepath.Dir(res.ScenarioPath), o.Roads)))
	}
	pf("variants:\n  - {name: random, policy: random}\n  - {name: static-beats, policy: static-beats}\n")
	return nil
}

func writeReport(w io.Writer, o *Options, res *Result) error {
	pf := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	pf("Goodness of fit: %s\n\n", o.Out)
	pf("Records: %d rows, %d unparsable, %d duplicate ids, %d outside the date range,\n", res.Rows, res.Bad, res.Duplicates, res.OutOfRange)
	pf("%d outside every area, %d used over %g days: %.4f a day.\n", res.Outside, res.Inside, res.Days, res.PerDay)
	for _, s := range res.BadSamples {
		pf("  unparsable: %s\n", s)
	}
	pf("\nHour of day (observed; fitted = observed with %.0f excess 00:00 records spread):\n", res.Spread)
	for h := range 24 {
		pf("  %02d  %8d  %10.1f\n", h, res.HourObserved[h], res.HourFitted[h])
	}
	pf("\nDay of week (observed = fitted):\n")
	for d, n := range []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} {
		pf("  %s %8d\n", n, res.DayObserved[d])
	}
	pf("\nSeparable profiles hour(h) x day(d) against the 168-cell table: chi-square\n")
	pf("%.1f on %g df, p = %.3g. A small p means the daily shape differs between days\n", res.ChiSquare, res.DF, res.PValue)
	pf("of the week (e.g. late nights at weekends); with large counts even small\n")
	pf("differences are significant: compare the chi-square to its df.\n")
	if res.Weekly {
		pf("p < %g: the scenario uses the observed hour-of-week profile (168 weights),\n", WeeklyP)
		pf("which reproduces the table exactly, instead of the separable pair.\n")
	} else {
		pf("p >= %g: the scenario uses the separable pair.\n", WeeklyP)
	}
	pf("\nAreas: weight = count + %g, so observed vs expected differs only by the\n", WeightFloor)
	pf("floor: chi-square %.2f over %d areas.\n", res.AreaChiSquare, len(res.AreaNames))
	pf("\nIncident types:\n")
	for _, t := range res.Types {
		pf("  %-24s %8d  %.4f  (%s)\n", t.Name, t.Count, t.Share, t.Source)
		for _, n := range t.Notes {
			pf("      %s\n", n)
		}
	}
	for _, w := range res.Warnings {
		pf("\nWARNING: %s\n", w)
	}
	if nr := res.NearRepeat; nr != nil {
		writeNearRepeat(w, res.PerDay, nr)
	}
	pf("\nArea counts (name, incidents, weight):\n")
	for i, n := range res.AreaNames {
		pf("  %-16s %8d %10.1f\n", n, res.AreaCounts[i], res.Weights[i])
	}
	return nil
}

// topTypes makes the type mix of the top most frequent values of the
// type column, the rest as other, each with the placeholder spec.
func topTypes(res *Result, types map[string]int, top int) {
	type kv struct {
		k string
		n int
	}
	var tl []kv
	for k, v := range types {
		tl = append(tl, kv{k, v})
	}
	sort.Slice(tl, func(i, j int) bool { return tl[i].n > tl[j].n || tl[i].n == tl[j].n && tl[i].k < tl[j].k })
	used := map[string]bool{}
	var other TypeShare
	for i, t := range tl {
		if i < top || len(tl) == top+1 {
			name := typeName(t.k)
			for k := 2; used[name]; k++ {
				name = fmt.Sprintf("%s-%d", typeName(t.k), k)
			}
			used[name] = true
			res.Types = append(res.Types, TypeShare{Name: name, Source: t.k, Count: t.n})
		} else {
			other.Count += t.n
		}
	}
	if other.Count > 0 {
		other.Name = "other"
		for k := 2; used[other.Name]; k++ {
			other.Name = fmt.Sprintf("other-%d", k)
		}
		other.Source = fmt.Sprintf("%d other values", len(tl)-top)
		res.Types = append(res.Types, other)
	}
	for i := range res.Types {
		res.Types[i].Share = float64(res.Types[i].Count) / float64(res.Inside)
	}
	for i := range res.Types {
		t := &res.Types[i]
		t.Spec = TypeSpec{Name: t.Name, Priority: 2, Dist: "exponential", Mean: 1800, Officers: 1}
		t.Notes = append(t.Notes, "priority 2, 30 min on scene, 1 officer, not deterrable: placeholders to set (or use --types)")
	}
}

// wrap cuts text into lines of at most width bytes at spaces (a longer
// word stays whole).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// cityArea is the sum of the areas' areas, square metres.
func cityArea(c *geo.City) float64 {
	var a float64
	for i := range c.Atoms {
		a += c.Atoms[i].Area
	}
	return a
}
