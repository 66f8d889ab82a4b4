package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// Limits refuse scenarios that would exhaust memory or time rather than
// answer a question.
const (
	MaxDays         = 3650
	MaxReplications = 100000
	MaxUnits        = 100000
	MaxAtoms        = 200000
	MaxIncidents    = 10_000_000 // expected incidents in one replication
	MaxEvents       = 5e9        // estimated events in one run of one variant
	MaxFileBytes    = 256 << 20  // any file a scenario reads
	MaxRoadTable    = 2 << 30    // bytes of a road travel table (geo.RoadTable.Bytes)
)

// Scenario is a loaded, validated scenario ready to run.
type Scenario struct {
	File     File   // as written, defaults filled in
	Path     string // where it was read from
	Config   *sim.Config
	Variants []sim.Variant

	read    reader // data files named by the scenario
	builtin bool   // loaded from a built-in scenario's folder
}

// reader reads a data file named in a scenario.
type reader func(name string) ([]byte, error)

// LoadFile reads and validates a scenario file. Data files it names are
// read relative to its folder; absolute paths are allowed.
func LoadFile(path string) (*Scenario, error) {
	data, err := readFileLimited(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read scenario %s: %w", path, unwrapPath(err))
	}
	return LoadAt(path, data)
}

// LoadAt validates the scenario document data as if it were the file at
// path: messages name path, and data files are read relative to its folder.
func LoadAt(path string, data []byte) (*Scenario, error) {
	dir := filepath.Dir(path)
	return load(path, data, func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return readFileLimited(name)
	})
}

// Load validates a scenario document called name (for messages), reading
// data files from fsys, which may be nil for a scenario without any. Every
// problem found is reported in one *Error.
func Load(name string, data []byte, fsys fs.FS) (*Scenario, error) {
	s, err := load(name, data, func(file string) ([]byte, error) {
		if fsys == nil {
			return nil, errors.New("no folder to read data files from")
		}
		if !fs.ValidPath(file) {
			return nil, errors.New("data paths must stay inside the scenario's folder")
		}
		return readLimited(fsys, file)
	})
	if s != nil {
		_, s.builtin = fsys.(builtinFS)
	}
	return s, err
}

func load(name string, data []byte, read reader) (*Scenario, error) {
	e := &errs{file: name, lines: map[string]int{}, values: map[string]nodePos{}}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{[]FieldError{{File: name, Line: 1, Msg: "the file is empty; a scenario is a YAML mapping (version: 1, name: …, city: …)"}}}
		}
		return nil, yamlError(name, err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{[]FieldError{{File: name, Line: root.Line, Msg: "a scenario must be a YAML mapping (version: 1, name: …, city: …)"}}}
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, &Error{[]FieldError{{File: name, Line: max(second.Line, 1), Msg: "a second YAML document (after ---): a scenario file holds one"}}}
	}
	indexLines(&root, "", e.lines, e.values)
	checkKeys(&root, reflect.TypeFor[File](), "", e)
	f := Default()
	if err := root.Decode(&f); err != nil {
		return nil, e.typeErrors(err)
	}
	read = withBuiltins(read)
	s := &Scenario{File: f, Path: name, read: read}
	s.Config, s.Variants = build(&f, read, e)
	if err := e.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// yamlError turns a syntax error into a FieldError.
func yamlError(name string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(msg[len(m[0]):], " ")
		// go.yaml.in/yaml/v3 (decode.go, parser.fail) gives parser errors
		// the 0-based line of the construct they are in; scanner errors
		// are right. Parser errors are the "did not find expected" ones.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
	}
	return &Error{[]FieldError{{File: name, Line: line, Msg: msg}}}
}

var lineRE = regexp.MustCompile(`^line (\d+):`)

// typeErrors turns yaml.TypeError lines into FieldErrors with paths: the
// field is the one on the error's line whose value the error quotes (the
// first such, by column, if several).
func (e *errs) typeErrors(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return yamlError(e.file, err)
	}
	used := map[string]bool{}
	for _, m := range te.Errors {
		fe := FieldError{File: e.file, Msg: m}
		if mm := typeErrRE.FindStringSubmatch(m); mm != nil {
			fe.Line, _ = strconv.Atoi(mm[1])
			value, into := mm[3], mm[4]
			fe.Path = e.pathAt(fe.Line, value, used)
			used[fe.Path] = true
			fe.Msg = fmt.Sprintf("must be %s (got %q)", typeWords(into), value)
		} else if mm := lineRE.FindStringSubmatch(m); mm != nil {
			fe.Line, _ = strconv.Atoi(mm[1])
			fe.Msg = strings.TrimPrefix(m[len(mm[0]):], " ")
			fe.Path = e.keyAt(fe.Line)
		}
		e.list = append(e.list, fe)
	}
	return e.err()
}

var typeErrRE = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+|!<[^>]*>) `(.*)` into (.+)$")

// pathAt returns the path of the scalar value on line whose text is value,
// preferring paths not used yet and then the first by column.
func (e *errs) pathAt(line int, value string, used map[string]bool) string {
	best, bestCol := "", 0
	for p, v := range e.values {
		if v.line != line || v.value != value {
			continue
		}
		better := best == "" || (used[best] && !used[p]) ||
			(used[best] == used[p] && (v.col < bestCol || v.col == bestCol && p < best))
		if better {
			best, bestCol = p, v.col
		}
	}
	return best
}

// keyAt returns the shortest path (then the first in order) whose key or
// item is on line.
func (e *errs) keyAt(line int) string {
	best := ""
	for p, l := range e.lines {
		if l == line && p != "" && (best == "" || len(p) < len(best) || len(p) == len(best) && p < best) {
			best = p
		}
	}
	return best
}

func typeWords(goType string) string {
	switch goType {
	case "int", "int64", "int32":
		return "a whole number"
	case "uint64", "uint", "uint32":
		return "a whole number >= 0"
	case "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a text"
	}
	if strings.HasPrefix(goType, "[]") {
		return "a list"
	}
	if strings.HasPrefix(goType, "map[") || strings.HasPrefix(goType, "scenarios.") {
		return "a mapping"
	}
	return "a value of type " + goType
}

func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path)
}

func readAll(f fs.File, name string) ([]byte, error) {
	if st, err := f.Stat(); err == nil && st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the limit of %d", name, st.Size(), MaxFileBytes)
	}
	var b bytes.Buffer
	_, err := b.ReadFrom(f)
	return b.Bytes(), err
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, name)
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// build validates f and makes the model input. It records every problem in
// e and returns nil values if there was one.
func build(f *File, read reader, e *errs) (*sim.Config, []sim.Variant) {
	cfg := &sim.Config{Name: f.Name}
	if f.Version != 1 {
		e.add("version", "must be 1 (got %d)", f.Version)
	}
	if f.Name == "" {
		e.add("name", "must not be empty")
	}
	if f.Duration.check(e, "duration") {
		if f.Duration.Seconds <= 0 || f.Duration.Seconds > MaxDays*86400 {
			e.add("duration", "must be > 0 and at most %dd (got %s)", MaxDays, FormatDuration(f.Duration.Seconds))
		}
	}
	if f.Warmup.check(e, "warmup") && !f.Duration.bad {
		if f.Warmup.Seconds < 0 || f.Warmup.Seconds >= f.Duration.Seconds {
			e.add("warmup", "must be >= 0 and shorter than duration %s (got %s)", FormatDuration(f.Duration.Seconds), FormatDuration(f.Warmup.Seconds))
		}
	}
	if f.Replications < 1 || f.Replications > MaxReplications {
		e.add("replications", "must be between 1 and %d (got %d)", MaxReplications, f.Replications)
	}
	cfg.Duration, cfg.Warmup = f.Duration.Seconds, f.Warmup.Seconds
	cfg.City = buildCity(&f.City, read, e)
	cfg.Travel = buildTravel(&f.Travel, cfg.City, read, e)
	cfg.Incidents = buildIncidents(&f.Incidents, f.Duration.Seconds, e)
	cfg.Units = buildUnits(f, cfg, e)
	cfg.Dispatch = buildDispatch(&f.Dispatch, e)
	cfg.Deterrence = buildDeterrence(&f.Deterrence, e)
	cfg.NearRepeat = buildNearRepeat(&f.Incidents.NearRepeat, e)
	if r := f.Reporting.OnViewRadiusM; !(r >= 0 && r <= 5000) {
		e.add("reporting.on_view_radius_m", "must be between 0 and 5000 (got %g)", r)
	}
	cfg.OnViewRadiusM = f.Reporting.OnViewRadiusM
	ob := &f.Reporting.Observers
	if !(ob.PerKm2 >= 0 && ob.PerKm2 <= 1e5) {
		e.add("reporting.observers.per_km2", "must be between 0 and 100000 (got %g)", ob.PerKm2)
	}
	if !(ob.RadiusM >= 0 && ob.RadiusM <= 5000) {
		e.add("reporting.observers.radius_m", "must be between 0 and 5000 (got %g)", ob.RadiusM)
	}
	cfg.Observers = sim.Observers{PerKm2: ob.PerKm2, RadiusM: ob.RadiusM, Delay: buildDist(&ob.Delay, "reporting.observers.delay", true, e)}
	for p, d := range []Duration{f.Targets.P1, f.Targets.P2, f.Targets.P3} {
		path := fmt.Sprintf("targets.p%d", p+1)
		if d.check(e, path) {
			if d.Seconds < 0 {
				e.add(path, "must be >= 0 (got %s)", FormatDuration(d.Seconds))
			}
			cfg.Targets[p+1] = d.Seconds
		}
	}
	variants := buildVariants(f, cfg, e)
	checkRanking(f, cfg, e)
	if f.Check.Kind != 0 {
		if _, err := results.ParseCheckNode("", &f.Check); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				fe := FieldError{File: e.file, Path: "check", Msg: line}
				if m := checkErrRE.FindStringSubmatch(line); m != nil {
					fe.Line, _ = strconv.Atoi(m[1])
					fe.Msg = m[2]
				}
				e.list = append(e.list, fe)
			}
		}
	}
	if cfg.City != nil {
		total := 0.0
		for _, a := range cfg.City.Atoms {
			total += a.Weight
		}
		if !(total > 0) {
			e.add("city", "the areas' incident weights sum to 0: no incident could occur (see city.fields.weight)")
		}
	}
	checkEffort(f, cfg, variants, e)
	if len(e.list) > 0 {
		return nil, nil
	}
	return cfg, variants
}

func buildCity(c *City, read reader, e *errs) *geo.City {
	var city *geo.City
	switch {
	case c.Grid != nil && c.Areas != "":
		e.add("city", "give either grid or areas, not both")
		return nil
	case c.Grid != nil:
		g := c.Grid
		ok := true
		if g.Rows < 1 || g.Cols < 1 || g.Rows*g.Cols > MaxAtoms || g.Rows > MaxAtoms || g.Cols > MaxAtoms {
			e.add("city.grid", "rows and cols must be >= 1 with rows × cols at most %d (got %d × %d)", MaxAtoms, g.Rows, g.Cols)
			ok = false
		}
		if !(g.CellM > 0 && g.CellM <= 100000) {
			e.add("city.grid.cell_m", "must be > 0 and at most 100000 (got %g)", g.CellM)
			ok = false
		}
		if g.Districts < 1 || g.Districts > max(g.Cols, 1) {
			e.add("city.grid.districts", "must be between 1 and cols = %d (got %d)", g.Cols, g.Districts)
			ok = false
		}
		if !ok {
			return nil
		}
		var err error
		city, err = geo.NewGrid(geo.GridSpec{Rows: g.Rows, Cols: g.Cols, CellM: g.CellM, Districts: g.Districts})
		if err != nil {
			e.add("city.grid", "%v", err)
			return nil
		}
	case c.Areas != "":
		fields := geo.AreaFields{Name: "name", District: "district", Population: "", Weight: ""}
		if c.Fields != nil {
			fields = geo.AreaFields(*c.Fields)
			if fields.District == "" {
				e.add("city.fields.district", "must name the property that holds the district")
				return nil
			}
		}
		data, ok := readData(read, e, "city.areas", c.Areas)
		if !ok {
			return nil
		}
		var err error
		city, err = geo.FromGeoJSON(data, fields)
		if err != nil {
			e.add("city.areas", "%s: %v", c.Areas, err)
			return nil
		}
		if len(city.Atoms) > MaxAtoms {
			e.add("city.areas", "%s: %d areas, more than the limit of %d", c.Areas, len(city.Atoms), MaxAtoms)
			return nil
		}
	default:
		e.add("city", "give a grid ({rows, cols, cell_m, districts}) or areas (a GeoJSON file)")
		return nil
	}
	layer := func(key, file string, load func([]byte) error) {
		switch {
		case file == "":
		case city.Proj == nil:
			hint := ""
			if key == "posts" {
				hint = "; place posts with post_points {name, kind, x_m, y_m}"
			}
			e.add("city."+key, "a grid city has no lon/lat: %s from GeoJSON need a city given by areas (GeoJSON)%s", key, hint)
		default:
			if data, ok := readData(read, e, "city."+key, file); ok {
				if err := load(data); err != nil {
					e.add("city."+key, "%s: %v", file, err)
				}
			}
		}
	}
	layer("posts", c.Posts, city.PostsFromGeoJSON)
	layer("routes", c.Routes, city.RoutesFromGeoJSON)
	for i, p := range c.PostPoints {
		path := fmt.Sprintf("city.post_points[%d]", i)
		switch {
		case city.Proj == nil && p.XM != nil && p.YM != nil && p.Lon == nil && p.Lat == nil:
			city.AddPost(p.Name, p.Kind, geo.Point{X: *p.XM, Y: *p.YM})
		case city.Proj != nil && p.Lon != nil && p.Lat != nil && p.XM == nil && p.YM == nil:
			city.AddPost(p.Name, p.Kind, city.ProjectLonLat(*p.Lon, *p.Lat))
		case city.Proj == nil:
			e.add(path, "a grid city places posts with x_m and y_m (metres)")
			continue
		default:
			e.add(path, "a GeoJSON city places posts with lon and lat (degrees)")
			continue
		}
		if p.Name == "" {
			e.add(path+".name", "must not be empty")
		}
	}
	fromFile := len(city.Posts) - len(c.PostPoints)
	for i, p := range city.Posts {
		if p.Atom >= 0 {
			continue
		}
		if i < fromFile {
			e.add("city.posts", "%s: post %q lies outside every area", c.Posts, p.Name)
		} else {
			e.add(fmt.Sprintf("city.post_points[%d]", i-fromFile), "post %q lies outside every area", p.Name)
		}
	}
	return city
}

// readData reads the data file named by the field at path, or records why
// it cannot.
func readData(read reader, e *errs, path, file string) ([]byte, bool) {
	data, err := read(file)
	if err != nil {
		e.add(path, "cannot read %q: %v", file, unwrapPath(err))
		return nil, false
	}
	return data, true
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func buildTravel(t *Travel, city *geo.City, read reader, e *errs) geo.Travel {
	var out geo.Travel
	switch t.Model {
	case "manhattan":
		out.Metric = geo.Manhattan
	case "euclidean":
		out.Metric = geo.Euclidean
	case "road":
		out.Roads = buildRoads(t, city, read, e)
	default:
		e.add("travel.model", "must be manhattan, euclidean or road (got %q)", t.Model)
	}
	if t.Model != "road" {
		for _, k := range []struct {
			key string
			set bool
		}{{"roads", t.Roads != ""}, {"speeds", t.Speeds != nil}, {"zone_m", t.ZoneM != 0}} {
			if k.set {
				e.add("travel."+k.key, "is for model: road only (the model is %s)", t.Model)
			}
		}
	}
	if !(t.Detour >= 1 && t.Detour <= 5) {
		e.add("travel.detour", "must be between 1 and 5 (got %g)", t.Detour)
	}
	out.Detour = t.Detour
	if t.Turnout.check(e, "travel.turnout") && (t.Turnout.Seconds < 0 || t.Turnout.Seconds > 3600) {
		e.add("travel.turnout", "must be between 0 and 1h (got %s)", FormatDuration(t.Turnout.Seconds))
	}
	return out
}

// buildRoads reads the road network of a road travel model and checks that
// the city's areas and posts lie near it.
func buildRoads(t *Travel, city *geo.City, read reader, e *errs) *geo.RoadTable {
	if t.Roads == "" {
		e.add("travel.roads", "missing: model: road needs a GeoJSON file of road line strings (e.g. US Census TIGER/Line roads)")
		return nil
	}
	bad := false
	for _, class := range sortedKeys(t.Speeds) {
		if v := t.Speeds[class]; !(v >= 1 && v <= 200) {
			e.add("travel.speeds."+class, "must be between 1 and 200 km/h (got %g)", v)
			bad = true
		}
	}
	if bad {
		return nil
	}
	if t.ZoneM != 0 && !(t.ZoneM >= 50 && t.ZoneM <= 10000) {
		e.add("travel.zone_m", "must be between 50 and 10000 metres (got %g)", t.ZoneM)
		return nil
	}
	if city == nil {
		return nil
	}
	if city.Proj == nil {
		e.add("travel.model", "a grid city has no lon/lat: road travel needs a city given by areas (GeoJSON)")
		return nil
	}
	data, ok := readData(read, e, "travel.roads", t.Roads)
	if !ok {
		return nil
	}
	table, err := cachedRoadTable(data, t.Speeds, t.ZoneM, *city.Proj, func() (*geo.RoadTable, error) {
		net, err := city.RoadsFromGeoJSON(data, t.Speeds)
		if err != nil {
			return nil, err
		}
		ref := geo.DefaultRoadSpeeds["S1400"]
		if v, ok := t.Speeds["S1400"]; ok {
			ref = v
		}
		return geo.NewRoadTable(net, t.ZoneM, min(ref, net.MaxSpeed()))
	})
	if err != nil {
		e.add("travel.roads", "%s: %v", t.Roads, err)
		return nil
	}
	if b := table.Bytes(); b > MaxRoadTable {
		e.add("travel.zone_m", "zones of %g m over %s's %d road nodes make a travel table of about %.1f GB, more than the limit of %d GB: use larger zones", table.ZoneM, t.Roads, table.Net.Nodes(), float64(b)/1e9, MaxRoadTable>>30)
		return nil
	}
	net := table.Net
	ok = true
	// A speed for a class that is neither TIGER's nor in the file is a
	// typo (s1400 for S1400): it would change nothing.
	for _, class := range sortedKeys(t.Speeds) {
		if _, tiger := geo.DefaultRoadSpeeds[class]; !tiger && !slices.Contains(net.Classes(), class) {
			e.add("travel.speeds."+class, "no road of class %q in %s (its classes: %s)", class, t.Roads, strings.Join(net.Classes(), ", "))
			ok = false
		}
	}
	// Every area far from the roads, at most 5 named.
	var far []string
	for i := range city.Atoms {
		a := &city.Atoms[i]
		if _, d := net.Snap(a.Inside); d > geo.SnapLimit {
			far = append(far, fmt.Sprintf("%q (%.1f km)", a.Name, d/1000))
		}
	}
	if len(far) > 0 {
		more := ""
		if len(far) > 5 {
			far, more = far[:5], fmt.Sprintf(" and %d more", len(far)-5)
		}
		e.add("travel.roads", "%s: areas %s lie more than %g m from the nearest road: is the road file for this city?", t.Roads, strings.Join(far, ", ")+more, geo.SnapLimit)
		ok = false
	}
	for _, p := range city.Posts {
		if _, d := net.Snap(p.At); d > geo.SnapLimit {
			e.add("city.posts", "post %q lies %.1f km from the nearest road of %s (limit %g m)", p.Name, d/1000, t.Roads, geo.SnapLimit)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	// The resolved scenario says every speed and the zone size it ran with.
	speeds := maps.Clone(geo.DefaultRoadSpeeds)
	maps.Copy(speeds, t.Speeds)
	t.Speeds, t.ZoneM = speeds, table.ZoneM
	return table
}

func buildDist(d *Dist, path string, zeroOK bool, e *errs) sim.Dist {
	var out sim.Dist
	switch d.Dist {
	case "fixed":
		out.Kind = sim.Fixed
	case "exponential":
		out.Kind = sim.Exponential
	case "lognormal":
		out.Kind = sim.Lognormal
	case "":
		e.add(path+".dist", "missing: say dist: fixed, exponential or lognormal")
	default:
		e.add(path+".dist", "must be fixed, exponential or lognormal (got %q)", d.Dist)
	}
	if d.Mean.check(e, path+".mean") {
		if d.Mean.Seconds < 0 || (!zeroOK && d.Mean.Seconds == 0) || d.Mean.Seconds > 30*86400 {
			want := ">= 0"
			if !zeroOK {
				want = "> 0"
			}
			e.add(path+".mean", "must be %s and at most 30d (got %s)", want, FormatDuration(d.Mean.Seconds))
		}
	}
	if d.SD.check(e, path+".sd") {
		switch {
		case d.Dist == "lognormal" && !(d.SD.Seconds > 0):
			e.add(path+".sd", "a lognormal needs sd > 0 (got %s)", FormatDuration(d.SD.Seconds))
		case d.Dist != "lognormal" && d.SD.Seconds != 0:
			e.add(path+".sd", "only a lognormal has sd (dist is %s)", d.Dist)
		}
	}
	out.Mean, out.SD = d.Mean.Seconds, d.SD.Seconds
	return out
}

func buildIncidents(in *Incidents, duration float64, e *errs) sim.Incidents {
	var out sim.Incidents
	if !(in.PerDay > 0) {
		e.add("incidents.per_day", "must be > 0 (got %g)", in.PerDay)
	} else if exp := in.PerDay * duration / 86400 / max(1e-9, 1-min(in.NearRepeat.Offspring, 1)); exp > MaxIncidents {
		e.add("incidents.per_day", "%g a day over %s is %.3g incidents per replication, more than the limit of %d",
			in.PerDay, FormatDuration(duration), exp, MaxIncidents)
	}
	out.PerDay = in.PerDay
	profile := func(path string, xs []float64, n int, dst []float64) {
		if len(xs) != n {
			e.add(path, "must have %d values (got %d)", n, len(xs))
			return
		}
		total := 0.0
		for i, x := range xs {
			if !(x >= 0 && x <= 1e9) {
				e.add(fmt.Sprintf("%s[%d]", path, i), "must be >= 0 and at most 1e9 (got %g)", x)
			}
			total += x
		}
		if !(total > 0) {
			e.add(path, "must not be all zero")
		}
		copy(dst, xs)
	}
	profile("incidents.hour_of_day", in.HourOfDay, 24, out.HourOfDay[:])
	profile("incidents.day_of_week", in.DayOfWeek, 7, out.DayOfWeek[:])
	if in.HourOfWeek != nil {
		profile("incidents.hour_of_week", in.HourOfWeek, 168, out.HourOfWeek[:])
		// hour_of_week replaces the two; they may stay (flat, as a
		// resolved scenario writes their defaults) but not shape it too.
		flat := func(xs []float64) bool {
			return !slices.ContainsFunc(xs, func(x float64) bool { return x != xs[0] })
		}
		if !flat(in.HourOfDay) || !flat(in.DayOfWeek) {
			e.add("incidents.hour_of_week", "replaces hour_of_day and day_of_week: leave those out (or flat)")
		}
	}
	out.ReportDelay = buildDist(&in.ReportDelay, "incidents.report_delay", true, e)
	if len(in.Types) == 0 {
		e.add("incidents.types", "must list at least one incident type")
	}
	seen := map[string]bool{}
	shares := 0.0
	for i, t := range in.Types {
		path := fmt.Sprintf("incidents.types[%d]", i)
		checkName(e, path+".name", "incident type", t.Name, seen)
		if t.Priority < 1 || t.Priority > 3 {
			e.add(path+".priority", "must be 1, 2 or 3 (got %d)", t.Priority)
		}
		if !(t.Share > 0 && t.Share <= 1) {
			e.add(path+".share", "must be > 0 and at most 1 (got %g)", t.Share)
		}
		shares += t.Share
		if t.Officers < 1 || t.Officers > 100 {
			e.add(path+".officers", "must be between 1 and 100 (got %d)", t.Officers)
		}
		if !(t.Deterrable >= 0 && t.Deterrable <= 1) {
			e.add(path+".deterrable", "must be between 0 and 1 (got %g)", t.Deterrable)
		}
		out.Types = append(out.Types, sim.IncidentType{Name: t.Name, Priority: t.Priority, Share: t.Share,
			OnScene: buildDist(&t.OnScene, path+".on_scene", false, e), Officers: t.Officers, Deterrable: t.Deterrable})
	}
	if len(in.Types) > 0 && math.Abs(shares-1) > 1e-6 {
		e.add("incidents.types", "shares must sum to 1 (got %g)", shares)
	}
	return out
}

func buildUnits(f *File, cfg *sim.Config, e *errs) []sim.UnitType {
	var out []sim.UnitType
	if len(f.Units) == 0 {
		e.add("units", "must list at least one unit type")
	}
	seen := map[string]bool{}
	total := 0
	badCount := false
	for i, u := range f.Units {
		path := fmt.Sprintf("units[%d]", i)
		ut := sim.UnitType{Name: u.Name, Count: u.Count, Squad: u.Squad, PostKind: u.PostKind, Visibility: u.Visibility}
		if !(u.Visibility >= 0 && u.Visibility <= 10) {
			e.add(path+".visibility", "must be between 0 and 10 (got %g)", u.Visibility)
		}
		checkName(e, path+".name", "unit type", u.Name, seen)
		if u.Count < 0 || u.Count > MaxUnits {
			e.add(path+".count", "must be between 0 and %d (got %d)", MaxUnits, u.Count)
			badCount = true
		} else {
			total += u.Count
		}
		if u.Squad < 1 || u.Squad > 100 {
			e.add(path+".squad", "must be between 1 and 100 officers (got %d)", u.Squad)
		}
		if !(u.SpeedKmh >= 0.1 && u.SpeedKmh <= 1000) {
			e.add(path+".speed_kmh", "must be between 0.1 and 1000 (got %g)", u.SpeedKmh)
		}
		if !(u.PatrolSpeedKmh == 0 || u.PatrolSpeedKmh >= 0.1 && u.PatrolSpeedKmh <= 1000) {
			e.add(path+".patrol_speed_kmh", "must be between 0.1 and 1000, or 0 for speed_kmh (got %g)", u.PatrolSpeedKmh)
		}
		ut.Speed = u.SpeedKmh / 3.6
		ut.PatrolSpeed = ut.Speed
		if u.PatrolSpeedKmh > 0 {
			ut.PatrolSpeed = u.PatrolSpeedKmh / 3.6
		}
		ut.Turnout = f.Travel.Turnout.Seconds
		if u.Turnout != nil && u.Turnout.check(e, path+".turnout") {
			if u.Turnout.Seconds < 0 || u.Turnout.Seconds > 3600 {
				e.add(path+".turnout", "must be between 0 and 1h (got %s)", FormatDuration(u.Turnout.Seconds))
			}
			ut.Turnout = u.Turnout.Seconds
		}
		if start, err := parseClock(u.Shift.Start); err != nil {
			e.add(path+".shift.start", "%v", err)
		} else {
			ut.ShiftStart = start
		}
		// Shifts are whole seconds, so that their boundaries are exact.
		ut.ShiftLen = math.Round(u.Shift.Hours * 3600)
		if !(ut.ShiftLen >= 60 && u.Shift.Hours <= 24) {
			e.add(path+".shift.hours", "must be at least 1 minute (0.0167) and at most 24 (got %g)", u.Shift.Hours)
		}
		switch u.Home {
		case "district":
			ut.Home = policy.HomeDistrict
		case "community":
			ut.Home = policy.HomeCommunity
		case "post":
			ut.Home = policy.HomePost
			if cfg.City != nil {
				n := 0
				for _, p := range cfg.City.Posts {
					if u.PostKind == "" || p.Kind == u.PostKind {
						n++
					}
				}
				if n == 0 {
					if u.PostKind == "" {
						e.add(path+".home", "home post needs posts in the city (city.posts or city.post_points)")
					} else {
						e.add(path+".post_kind", "no post of kind %q in the city", u.PostKind)
					}
				}
			}
		default:
			e.add(path+".home", "must be district, community or post (got %q)", u.Home)
		}
		if u.PostKind != "" && u.Home != "post" {
			e.add(path+".post_kind", "only for home: post (home is %s)", u.Home)
		}
		if len(u.Priorities) == 0 {
			e.add(path+".priorities", "must list at least one of 1, 2, 3")
		}
		for j, p := range u.Priorities {
			if p < 1 || p > 3 {
				e.add(fmt.Sprintf("%s.priorities[%d]", path, j), "must be 1, 2 or 3 (got %d)", p)
				continue
			}
			ut.Priorities[p] = true
		}
		out = append(out, ut)
	}
	switch {
	case badCount:
		return out // the totals below would only repeat the count error
	case total > MaxUnits:
		e.add("units", "%d units in all, more than the limit of %d", total, MaxUnits)
	case total == 0 && len(f.Units) > 0:
		e.add("units", "there must be at least one unit (every count is 0)")
	}
	// Every incident type needs unit types able to bring its officers.
	for i, t := range cfg.Incidents.Types {
		if t.Priority < 1 || t.Priority > 3 {
			continue
		}
		officers := 0
		for _, ut := range out {
			if ut.Priorities[t.Priority] {
				officers += ut.Count * ut.Squad
			}
		}
		if officers < t.Officers {
			e.add(fmt.Sprintf("incidents.types[%d].officers", i), "%s needs %s but the unit types taking priority %d have %d in all",
				t.Name, plural(t.Officers, "officer"), t.Priority, officers)
		}
	}
	return out
}

var clockRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

func parseClock(s string) (float64, error) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("must be a time of day HH:MM from 00:00 to 23:59 (got %q)", s)
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return float64(h*3600 + mm*60), nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func parseMode(s string) (sim.Mode, bool) {
	switch s {
	case "point-to-point":
		return sim.PointToPoint, true
	case "hierarchical":
		return sim.Hierarchical, true
	}
	return 0, false
}

func buildDispatch(d *Dispatch, e *errs) sim.Dispatch {
	out := sim.Dispatch{Delay: buildDist(&d.Delay, "dispatch.delay", true, e), MutualAid: d.MutualAid, LostCalls: d.LostCalls}
	if _, ok := parseMode(d.Mode); !ok {
		e.add("dispatch.mode", "must be point-to-point or hierarchical (got %q)", d.Mode)
	}
	if len(d.Levels) == 0 || len(d.Levels) > sim.MaxLevels {
		e.add("dispatch.levels", "must list 1 to %d command levels (got %d)", sim.MaxLevels, len(d.Levels))
	}
	seen := map[string]bool{}
	for i, l := range d.Levels {
		path := fmt.Sprintf("dispatch.levels[%d]", i)
		checkName(e, path+".name", "level", l.Name, seen)
		out.Levels = append(out.Levels, sim.Level{Name: l.Name, Delay: buildDist(&l.Delay, path+".delay", true, e)})
	}
	return out
}

// buildVariants resolves each variant's policies, dispatch mode and force.
// A variant that changes the force gets a Config of its own (sharing the
// city and the incidents) and every variant its own Model.
func buildVariants(f *File, cfg *sim.Config, e *errs) []sim.Variant {
	var out []sim.Variant
	if len(f.Variants) == 0 {
		e.add("variants", "must list at least one variant (e.g. {name: beats, policy: static-beats})")
	}
	defMode, _ := parseMode(f.Dispatch.Mode)
	seen := map[string]bool{}
	for i, v := range f.Variants {
		path := fmt.Sprintf("variants[%d]", i)
		checkName(e, path+".name", "variant", v.Name, seen)
		def, ok := resolvePolicy(v.Policy, v.Params, path, e)
		sv := sim.Variant{Name: v.Name, Mode: defMode}
		if v.Dispatch != "" {
			m, good := parseMode(v.Dispatch)
			if !good {
				e.add(path+".dispatch", "must be point-to-point or hierarchical (got %q)", v.Dispatch)
				ok = false
			}
			sv.Mode = m
		}
		for _, u := range f.Units {
			choice := def
			if rule, has := v.ByUnit[u.Name]; has {
				if c, ok2 := resolvePolicy(rule.Policy, rule.Params, fmt.Sprintf("%s.by_unit.%s", path, u.Name), e); ok2 {
					choice = c
				} else {
					ok = false
				}
			}
			sv.Policies = append(sv.Policies, choice)
		}
		for _, name := range sortedKeys(v.ByUnit) {
			if !hasUnit(f.Units, name) {
				e.add(path+".by_unit."+name, "no unit type %q (units: %s)", name, unitNames(f.Units))
				ok = false
			}
		}
		for t, c := range sv.Policies {
			if c.Spec != nil && c.Spec.Name == "routes" && cfg.City != nil && len(cfg.City.Routes) == 0 {
				where := path + ".policy"
				if _, has := v.ByUnit[f.Units[t].Name]; has {
					where = path + ".by_unit." + f.Units[t].Name
				}
				e.add(where, "policy routes needs patrol routes: give city.routes (GeoJSON line strings)")
				ok = false
				break
			}
		}
		vcfg := cfg
		if len(v.Units) > 0 {
			c := *cfg
			c.Units = append([]sim.UnitType(nil), cfg.Units...)
			for _, name := range sortedKeys(v.Units) {
				o := v.Units[name]
				p := path + ".units." + name
				t := slices.IndexFunc(c.Units, func(ut sim.UnitType) bool { return ut.Name == name })
				if t < 0 {
					e.add(p, "no unit type %q (units: %s)", name, unitNames(f.Units))
					ok = false
					continue
				}
				if o.Count != nil {
					if *o.Count < 0 || *o.Count > MaxUnits {
						e.add(p+".count", "must be between 0 and %d (got %d)", MaxUnits, *o.Count)
						ok = false
					}
					c.Units[t].Count = *o.Count
				}
				if o.Squad != nil {
					if *o.Squad < 1 || *o.Squad > 100 {
						e.add(p+".squad", "must be between 1 and 100 officers (got %d)", *o.Squad)
						ok = false
					}
					c.Units[t].Squad = *o.Squad
				}
				if o.Shift != nil {
					base := f.Units[t].Shift // a part left out keeps the unit's own
					if o.Shift.Start == "" {
						o.Shift.Start = base.Start
					}
					if o.Shift.Hours == 0 {
						o.Shift.Hours = base.Hours
					}
					start, err := parseClock(o.Shift.Start)
					if err != nil {
						e.add(p+".shift.start", "%v", err)
						ok = false
					}
					l := math.Round(o.Shift.Hours * 3600)
					if !(l >= 60 && o.Shift.Hours <= 24) {
						e.add(p+".shift.hours", "must be at least 1 minute (0.0167) and at most 24 (got %g)", o.Shift.Hours)
						ok = false
					}
					c.Units[t].ShiftStart, c.Units[t].ShiftLen = start, l
				}
			}
			vcfg = &c
			if ok {
				checkForce(&c, path+".units", e)
			}
		}
		if ok && len(e.list) == 0 {
			m, err := sim.NewModel(vcfg)
			if err != nil {
				e.add(path, "%v", err)
				continue
			}
			sv.Model = m
			if sv.Mode == sim.Hierarchical && !vcfg.Dispatch.MutualAid {
				checkJurisdictions(m, path, e)
			}
			out = append(out, sv)
		}
	}
	return out
}

// checkForce checks that a variant's force can still answer every incident
// type.
func checkForce(c *sim.Config, path string, e *errs) {
	total := 0
	for _, ut := range c.Units {
		total += ut.Count
	}
	if total == 0 {
		e.add(path, "there must be at least one unit (every count is 0)")
	}
	if total > MaxUnits {
		e.add(path, "%d units in all, more than the limit of %d", total, MaxUnits)
	}
	for _, t := range c.Incidents.Types {
		officers := 0
		for _, ut := range c.Units {
			if ut.Priorities[t.Priority] {
				officers += ut.Count * ut.Squad
			}
		}
		if officers < t.Officers {
			e.add(path, "%s needs %s but the unit types taking priority %d have %d in all", t.Name, plural(t.Officers, "officer"), t.Priority, officers)
		}
	}
}

func hasUnit(units []Unit, name string) bool {
	for _, u := range units {
		if u.Name == name {
			return true
		}
	}
	return false
}

func unitNames(units []Unit) string {
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = u.Name
	}
	return strings.Join(names, ", ")
}

func resolvePolicy(name string, params map[string]yaml.Node, path string, e *errs) (sim.PolicyChoice, bool) {
	spec, ok := policy.Lookup(name)
	if !ok {
		if name == "" {
			e.add(path+".policy", "missing: say which policy (valid: %s)", strings.Join(policy.Names(), ", "))
		} else {
			e.add(path+".policy", "unknown policy %q (valid: %s)", name, strings.Join(policy.Names(), ", "))
		}
		return sim.PolicyChoice{}, false
	}
	raw := map[string]float64{}
	good := true
	for _, k := range sortedKeys(params) {
		n := params[k]
		p := path + ".params." + k
		i := slices.IndexFunc(spec.Params, func(pp policy.Param) bool { return pp.Name == k })
		if i < 0 {
			var names []string
			for _, pp := range spec.Params {
				names = append(names, pp.Name)
			}
			valid := strings.Join(names, ", ")
			if valid == "" {
				valid = "none"
			}
			e.add(p, "unknown parameter for policy %s (valid: %s)", name, valid)
			good = false
			continue
		}
		pp := spec.Params[i]
		var x float64
		var err error
		switch {
		case n.Kind != yaml.ScalarNode:
			err = errors.New("not a scalar")
		case pp.Kind == policy.Duration:
			x, err = ParseDuration(n.Value)
		case pp.Kind == policy.Choice:
			i := slices.Index(pp.Choices, n.Value)
			if i < 0 {
				err = errors.New("not a choice")
			}
			x = float64(i)
		default:
			x, err = strconv.ParseFloat(n.Value, 64)
		}
		switch {
		case err != nil && pp.Kind == policy.Choice:
			e.add(p, "must be one of %s (got %q)", strings.Join(pp.Choices, ", "), n.Value)
		case err != nil && pp.Kind == policy.Duration:
			e.add(p, "must be a duration such as 12m or 3d (got %q)", n.Value)
		case err != nil:
			e.add(p, "must be a number (got %q)", n.Value)
		case !(x >= pp.Min && x <= pp.Max) || (pp.Kind == policy.Integer && x != math.Trunc(x)):
			if pp.Kind == policy.Duration {
				e.add(p, "must be between %s and %s (got %s)", FormatDuration(pp.Min), FormatDuration(pp.Max), n.Value)
			} else {
				whole := ""
				if pp.Kind == policy.Integer {
					whole = "a whole number "
				}
				e.add(p, "must be %sbetween %g and %g (got %s)", whole, pp.Min, pp.Max, n.Value)
			}
		default:
			raw[k] = x
			continue
		}
		good = false
	}
	if !good {
		return sim.PolicyChoice{}, false
	}
	vals, err := spec.Resolve(raw)
	if err != nil {
		e.add(path+".params", "%v", err)
		return sim.PolicyChoice{}, false
	}
	return sim.PolicyChoice{Spec: spec, Params: vals}, true
}

// IsBuiltin reports whether the scenario is one of those in the binary (or
// a document loaded from its folder, as BuiltinFile gives it): its data
// files are in the binary. A name starting with builtin: does not make a
// scenario built in.
func (s *Scenario) IsBuiltin() bool { return s.builtin }

// ReadData reads a data file named in the scenario, as the loader did.
func (s *Scenario) ReadData(name string) ([]byte, error) { return s.read(name) }

// checkName checks a name of a list item: its syntax, and that no earlier
// item (recorded in seen) has it.
func checkName(e *errs, path, what, name string, seen map[string]bool) {
	if !nameRE.MatchString(name) {
		e.add(path, "must be a name of letters, digits, _ . - (got %q)", name)
	} else if seen[name] {
		e.add(path, "duplicate %s %q", what, name)
	}
	seen[name] = true
}

// checkRanking validates the objective's metric names against the metrics
// the configuration produces.
func checkRanking(f *File, cfg *sim.Config, e *errs) {
	if !(f.Ranking.Alpha > 0 && f.Ranking.Alpha <= 0.5) {
		e.add("ranking.alpha", "must be > 0 and at most 0.5 (got %g)", f.Ranking.Alpha)
	}
	if cfg.City == nil || len(f.Ranking.Objective) == 0 {
		return
	}
	var names []string
	neutral := map[string]bool{}
	for _, m := range results.Metrics(cfg) {
		names = append(names, m.Name)
		neutral[m.Name] = m.Better == results.Neutral
	}
	for i, g := range f.Ranking.Objective {
		path := fmt.Sprintf("ranking.objective[%d]", i)
		if !slices.Contains(names, g.Metric) {
			msg := fmt.Sprintf("unknown metric %q", g.Metric)
			if s := closest(g.Metric, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (the metrics are the keys of results.json; see README)"
			}
			e.add(path+".metric", "%s", msg)
		} else if neutral[g.Metric] {
			e.add(path+".metric", "%s is neither better high nor low, so it cannot rank variants", g.Metric)
		}
		if !(g.Weight > 0 && g.Weight <= 1e6) {
			e.add(path+".weight", "must be > 0 and at most 1e6 (got %g)", g.Weight)
		}
	}
}

// Objective returns the ranking objective: the scenario's, or the default.
func (s *Scenario) Objective() []results.Goal {
	if len(s.File.Ranking.Objective) == 0 {
		return results.DefaultObjective
	}
	out := make([]results.Goal, len(s.File.Ranking.Objective))
	for i, g := range s.File.Ranking.Objective {
		out[i] = results.Goal{Metric: g.Metric, Weight: g.Weight}
	}
	return out
}

// checkEffort refuses runs that would take hours: it estimates the events of
// one replication of each variant (about 6 per incident, and for each
// patrolling unit one per stop of the policy's dwell).
func checkEffort(f *File, cfg *sim.Config, variants []sim.Variant, e *errs) {
	if len(e.list) > 0 || cfg.City == nil {
		return
	}
	for i, v := range variants {
		events := 6 * cfg.Incidents.PerDay * cfg.Duration / 86400 / max(1e-9, 1-cfg.NearRepeat.Offspring)
		for t, ut := range v.Model.Cfg.Units {
			if dwell, ok := v.Policies[t].Params["dwell"]; ok && ut.Home != policy.HomePost {
				events += float64(ut.Count) * cfg.Duration / dwell
			}
		}
		if events > MaxEvents {
			e.add(fmt.Sprintf("variants[%d]", i), "about %.2g events per replication, more than the limit of %.0e: "+
				"shorten the duration, use fewer units or longer dwell times", events, MaxEvents)
		}
	}
}

func buildDeterrence(d *Deterrence, e *errs) sim.Deterrence {
	out := sim.Deterrence{On: d.Enabled, RadiusM: d.RadiusM, HalfPresence: d.HalfPresence,
		SpaceShare: d.DisplacedSpace, TimeShare: d.DisplacedTime, VisibleAbove: d.VisibleAbove}
	if !(d.RadiusM >= 0 && d.RadiusM <= 5000) {
		e.add("deterrence.radius_m", "must be between 0 and 5000 (got %g)", d.RadiusM)
	}
	if !(d.HalfPresence > 0 && d.HalfPresence <= 1e6) {
		e.add("deterrence.half_presence", "must be > 0 and at most 1e6 (got %g)", d.HalfPresence)
	}
	if d.ResidualDecay.check(e, "deterrence.residual_decay") && !(d.ResidualDecay.Seconds > 0) {
		e.add("deterrence.residual_decay", "must be > 0 (got %s)", FormatDuration(d.ResidualDecay.Seconds))
	}
	out.Tau = d.ResidualDecay.Seconds
	okMin := d.DoseMin.check(e, "deterrence.dose_min")
	okFull := d.DoseFull.check(e, "deterrence.dose_full")
	if okMin && okFull && !(d.DoseMin.Seconds >= 0 && d.DoseFull.Seconds > d.DoseMin.Seconds) {
		e.add("deterrence.dose_full", "must be longer than dose_min %s (got %s)", FormatDuration(d.DoseMin.Seconds), FormatDuration(d.DoseFull.Seconds))
	}
	out.DoseMin, out.DoseFull = d.DoseMin.Seconds, d.DoseFull.Seconds
	for _, x := range []struct {
		path string
		v    float64
	}{{"deterrence.displaced_space", d.DisplacedSpace}, {"deterrence.displaced_time", d.DisplacedTime}} {
		if !(x.v >= 0 && x.v <= 1) {
			e.add(x.path, "must be between 0 and 1 (got %g)", x.v)
		}
	}
	if d.DisplacedSpace+d.DisplacedTime > 1 {
		e.add("deterrence.displaced_time", "displaced_space + displaced_time must be at most 1 (got %g)", d.DisplacedSpace+d.DisplacedTime)
	}
	out.TimeShift = buildDist(&d.TimeShift, "deterrence.time_shift", true, e)
	if !(d.VisibleAbove >= 0) {
		e.add("deterrence.visible_above", "must be >= 0 (got %g)", d.VisibleAbove)
	}
	return out
}

func buildNearRepeat(n *NearRepeat, e *errs) policy.NearRepeat {
	if !(n.Offspring >= 0 && n.Offspring < 1) {
		e.add("incidents.near_repeat.offspring", "must be >= 0 and below 1, or incidents would multiply without end (got %g)", n.Offspring)
	}
	if n.Decay.check(e, "incidents.near_repeat.decay") && !(n.Decay.Seconds > 0) {
		e.add("incidents.near_repeat.decay", "must be > 0 (got %s)", FormatDuration(n.Decay.Seconds))
	}
	if !(n.RadiusM >= 0 && n.RadiusM <= 50000) {
		e.add("incidents.near_repeat.radius_m", "must be between 0 and 50000 (got %g)", n.RadiusM)
	}
	return policy.NearRepeat{Offspring: n.Offspring, Decay: n.Decay.Seconds, RadiusM: n.RadiusM}
}

// checkJurisdictions refuses hierarchical dispatch without mutual aid when a
// district has no unit able to take a priority that incidents have: its
// calls could never be answered.
func checkJurisdictions(m *sim.Model, path string, e *errs) {
	cfg := m.Cfg
	for p := 1; p <= 3; p++ {
		if !slices.ContainsFunc(cfg.Incidents.Types, func(t sim.IncidentType) bool { return t.Priority == p }) {
			continue
		}
		for d, dist := range cfg.City.Districts {
			if m.Able(d, p) == 0 {
				e.add(path+".dispatch", "hierarchical dispatch without mutual aid: district %s has no unit able to take priority-%d calls, which would never be answered (set dispatch.mutual_aid: true, or add units)", dist.Name, p)
			}
		}
	}
}

var checkErrRE = regexp.MustCompile(`^:(\d+): (.*)$`)

// CheckConfig returns the scenario's check: block, or nil if it has none.
func (s *Scenario) CheckConfig() *results.CheckConfig {
	if s.File.Check.Kind == 0 {
		return nil
	}
	c, err := results.ParseCheckNode(s.Path, &s.File.Check)
	if err != nil {
		return nil // validated when loaded
	}
	return c
}
