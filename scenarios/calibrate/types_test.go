package calibrate

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/scenarios"
)

// TestParseTypesErrors: each problem of a mapping file is reported with
// the file, the line of its entry, the field and the value, all at once.
func TestParseTypesErrors(t *testing.T) {
	doc := `types:
  - {name: a, categories: [X, Y], priority: 4}
  - {name: b, categories: [y], officers: 0, deterrable: 1.5}
  - {name: a, categories: [Z], on_scene: {dist: lognormal, mean: 30m}}
  - {name: "bad name", categories: [W], on_scene: {dist: gamma, mean: 10}}
other: {name: c, categories: [V]}
`
	_, err := ParseTypes("map.yaml", []byte(doc))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"map.yaml:2: types[0].priority: must be 1, 2 or 3 (got 4)",
		`map.yaml:3: types[1].categories: "y" is already in types[0] (a)`,
		"map.yaml:3: types[1].officers: must be between 1 and 100 (got 0)",
		"map.yaml:3: types[1].deterrable: must be between 0 and 1 (got 1.5)",
		`map.yaml:4: types[2].name: "a" is also the name of types[0]`,
		`map.yaml:4: types[2].on_scene.sd: a lognormal needs a duration`,
		`map.yaml:5: types[3].name: "bad name": use letters`,
		`map.yaml:5: types[3].on_scene.dist: must be fixed, exponential or lognormal (got "gamma")`,
		`map.yaml:5: types[3].on_scene.mean: must be a duration > 0 such as 30m (got "10")`,
		"map.yaml:6: other.categories: other gathers the categories no type lists",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	if _, err := ParseTypes("m.yaml", []byte("types:\n  - {name: a, categories: [X], colour: red}\n")); err == nil || !strings.Contains(err.Error(), "m.yaml:2: field colour is not a key of a type mapping") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := LoadTypes("builtin:paris"); err == nil || !strings.Contains(err.Error(), "builtin:chicago, builtin:sf") {
		t.Errorf("unknown built-in: %v", err)
	}
}

// TestBuiltinTypesCoverData: the built-in mappings load, and every
// category of the shared data is mapped (SF Category, December 2013;
// Chicago loc_cat, 2010–2019): none falls to the fallback type.
func TestBuiltinTypesCoverData(t *testing.T) {
	needData(t)
	for _, tc := range []struct{ builtin, file, col string }{
		{"sf", "sf/crime.csv", "Category"},
		{"chicago", "chicago/chicago_aggravated_assaults_2010_2019.csv", "loc_cat"},
	} {
		m, err := LoadTypes("builtin:" + tc.builtin)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dataDir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		head, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		c := -1
		for i, h := range head {
			if h == tc.col {
				c = i
			}
		}
		missing := map[string]int{}
		for {
			row, err := r.Read()
			if err != nil {
				break
			}
			if m.Lookup(row[c]) < 0 {
				missing[row[c]]++
			}
		}
		f.Close()
		if len(missing) > 0 {
			t.Errorf("builtin:%s does not map %v", tc.builtin, missing)
		}
	}
}

// typedCSV writes a log of the round-trip city (rtCity): n records of
// type "LONG" with lognormal on-scene times (mean 40 min, sd 30 min, so
// ln-sd √ln(1 + 0.5625) ≈ 0.668), recorded priority A; n of type "short"
// with exponential on-scene times of mean 20 min, priority 3 (a tenth
// unreadable); 10 of type "rare"; 5 of type "odd" that the mapping does
// not list. On-scene times are written as arrival and clearance
// date-times, to the second, all three times as DD/MM/YYYY HH:MM:SS.
func typedCSV(t *testing.T, dir string, n int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 17))
	const lon0, lat0 = -87.70, 41.85
	dLat := 5000 / 6371008.8 * 180 / math.Pi
	dLon := dLat / math.Cos(lat0*math.Pi/180)
	var b strings.Builder
	b.WriteString("when,lon,lat,kind,prio,arrived,cleared\n")
	sigma := math.Sqrt(math.Log(1 + 0.75*0.75))
	mu := math.Log(40*60) - sigma*sigma/2
	row := func(kind, prio string, scene float64) {
		at := rtStart.Add(time.Duration(r.Float64() * 28 * 24 * float64(time.Hour))).Truncate(time.Minute)
		arr := at.Add(5 * time.Minute)
		clr := arr.Add(time.Duration(scene) * time.Second)
		fmt.Fprintf(&b, "%s,%.6f,%.6f,%s,%s,%s,%s\n", at.Format("02/01/2006 15:04:05"), lon0+(0.05+0.9*r.Float64())*dLon, lat0+(0.05+0.9*r.Float64())*dLat,
			kind, prio, arr.Format("02/01/2006 15:04:05"), clr.Format("02/01/2006 15:04:05"))
	}
	for range n {
		row("LONG", "A", math.Exp(mu+sigma*r.NormFloat64()))
	}
	for i := range n {
		p := "3"
		if i%10 == 0 {
			p = "?"
		}
		row("short", p, r.ExpFloat64()*20*60)
	}
	for range 10 {
		row("rare", "2", 600)
	}
	for range 5 {
		row("odd", "1", 600)
	}
	p := filepath.Join(dir, "log.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTypedCalibration: a mapping file and a log with priorities and
// arrival/clearance times (strftime layouts). Each type gets its records'
// most frequent priority; on-scene times are fitted where a type has at
// least MinOnScene of them: lognormal chosen for the lognormal sample,
// exponential for the exponential one, each mean within 3 standard errors
// of the sample's truth (40 and 20 min; the standard error of a mean of n
// = 600 draws is sd/√n: 30/√600 ≈ 1.2 min and 20/√600 ≈ 0.8 min); the
// rare type keeps the mapping's on-scene time. The unmapped category goes
// to the mapping's other type with a warning on stderr, in the YAML and in
// the fit report; the YAML loads and carries officers, deterrable and
// crime, and states the utilisation a run of it measured.
func TestTypedCalibration(t *testing.T) {
	dir := t.TempDir()
	const n = 600
	in := typedCSV(t, dir, n)
	areas := rtCity(t, dir)
	mapping := filepath.Join(dir, "types.yaml")
	os.WriteFile(mapping, []byte(`types:
  - {name: long, categories: [long], priority: 3, on_scene: {dist: fixed, mean: 1h}, officers: 2, deterrable: 0.7, crime: true}
  - {name: short, categories: [SHORT], priority: 1, officers: 1, deterrable: 0.2}
  - {name: rare, categories: [rare], priority: 2, on_scene: {dist: exponential, mean: 45m}, deterrable: 0.4, crime: true}
other: {name: unlisted, priority: 3, on_scene: 25m}
`), 0o644)
	out := filepath.Join(dir, "typed.yaml")
	var warn strings.Builder
	res, err := Run(Options{Incidents: in, Areas: areas, NameField: "name", DistrictField: "district",
		Lon: "lon", Lat: "lat", Time: "when", TimeFormat: "%d/%m/%Y %H:%M:%S", Type: "kind", Types: mapping,
		Priority: "prio", Arrived: "arrived", Cleared: "cleared", Duration: "14d", Out: out}, &warn)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*TypeShare{}
	for i := range res.Types {
		byName[res.Types[i].Name] = &res.Types[i]
	}
	long, short, rare, other := byName["long"], byName["short"], byName["rare"], byName["unlisted"]
	if long == nil || short == nil || rare == nil || other == nil || len(res.Types) != 4 {
		t.Fatalf("types %+v", res.Types)
	}
	if long.Spec.Priority != 1 || short.Spec.Priority != 3 || rare.Spec.Priority != 2 || other.Spec.Priority != 1 {
		t.Errorf("priorities long %d short %d rare %d other %d, want 1 3 2 1", long.Spec.Priority, short.Spec.Priority, rare.Spec.Priority, other.Spec.Priority)
	}
	if short.Priorities[0] != n/10 || short.Priorities[3] != n-n/10 {
		t.Errorf("short's priorities %v", short.Priorities)
	}
	// Times are written to the second, so each is off by less than 1 s.
	for _, c := range []struct {
		ts         *TypeShare
		dist       string
		mean, seMn float64 // minutes
	}{{long, "lognormal", 40, 30 / math.Sqrt(n)}, {short, "exponential", 20, 20 / math.Sqrt(n)}} {
		f := c.ts.OnSceneFit
		if f == nil || f.N != n {
			t.Fatalf("%s: fit %+v", c.ts.Name, f)
		}
		t.Logf("%s: %s, mean %.2f min, sd %.2f min (log-likelihood exponential %.1f, lognormal %.1f)", c.ts.Name, f.Dist, f.Mean/60, f.SD/60, f.LogLExp, f.LogLLog)
		if f.Dist != c.dist || c.ts.Spec.Dist != c.dist {
			t.Errorf("%s: fitted %s, want %s", c.ts.Name, f.Dist, c.dist)
		}
		if math.Abs(f.Mean/60-c.mean) > 3*c.seMn {
			t.Errorf("%s: mean %.2f min, want %g ± %.2f (3 s.e.)", c.ts.Name, f.Mean/60, c.mean, 3*c.seMn)
		}
	}
	if rare.OnSceneFit != nil || rare.Spec.Mean != 45*60 || rare.Spec.Dist != "exponential" {
		t.Errorf("rare: %+v, want the mapping's 45 min kept", rare.Spec)
	}
	yaml, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// A warning in the YAML is a comment wrapped at about 80 columns, where
	// the wrap falls depending on the text before (a temporary path).
	flat := strings.ReplaceAll(string(yaml), "\n#   ", " ")
	for _, want := range []string{"went to type unlisted", `"odd" (5)`} {
		if !strings.Contains(warn.String(), want) || !strings.Contains(flat, want) {
			t.Errorf("warning %q not on stderr and in the YAML:\nstderr:\n%s\nYAML:\n%s", want, warn.String(), yaml)
		}
		rep, _ := os.ReadFile(res.ReportPath)
		if !strings.Contains(string(rep), want) {
			t.Errorf("warning %q not in the fit report", want)
		}
	}
	if !strings.Contains(string(yaml), "# Measured: a run of this scenario") || !(res.Force.Measured > 0) {
		t.Errorf("force %+v; YAML:\n%s", res.Force, yaml)
	}
	s, err := scenarios.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range s.Config.Incidents.Types {
		if it.Name == "long" && (it.Officers != 2 || it.Deterrable != 0.7 || !it.Crime || it.Priority != 1) {
			t.Errorf("long in the scenario: %+v", it)
		}
	}
}

// TestForceSizing: the offered load is calls a second × Σ share × cars a
// call × (on-scene mean + TravelAllowance). Two types, 240 calls a day
// (1/360 a second): 3/4 need one car for 30 min, 1/4 need 3 officers (2
// cars) for 50 min: load = (0.75 × 1 × 2400 + 0.25 × 2 × 3600)/360 = 10
// cars; 30% busy needs ⌈10/0.3⌉ = 34 cars; with 40 districts, 40.
func TestForceSizing(t *testing.T) {
	res := &Result{PerDay: 240, Types: []TypeShare{
		{Share: 0.75, Spec: TypeSpec{Officers: 1, Mean: 1800}},
		{Share: 0.25, Spec: TypeSpec{Officers: 3, Mean: 3000}},
	}}
	f := sizeForce(res, 3)
	if math.Abs(f.Load-10) > 1e-9 || f.Cars != 34 {
		t.Errorf("load %v cars %d, want 10 and 34", f.Load, f.Cars)
	}
	if f := sizeForce(res, 40); f.Cars != 40 {
		t.Errorf("40 districts: %d cars", f.Cars)
	}
}

// TestParseLogValues: recorded priorities and on-scene times.
func TestParseLogValues(t *testing.T) {
	for in, want := range map[string]int{"1": 1, " a ": 1, "E": 1, "B": 2, "2": 2, "c": 3, "3": 3, "4": 0, "": 0, "high": 0} {
		if got := parsePriority(in); got != want {
			t.Errorf("parsePriority(%q) = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[string]float64{"12": 720, "1.5": 90, "0:30": 1800, "1:02:03": 3723, "x": math.NaN(), "1:75": math.NaN(), "": math.NaN()} {
		got := parseMinutes(in)
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("parseMinutes(%q) = %v, want %v", in, got, want)
		}
	}
}
