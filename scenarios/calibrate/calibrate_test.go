package calibrate

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

const dataDir = "../../../shared/data"

// needData skips when the shared data folder is absent, except under CI.
func needData(t *testing.T) {
	t.Helper()
	shareddata.Path(t, "")
}

var (
	chiOnce sync.Once
	chiRes  *Result
	chiErr  error
	chiDir  string
)

// chicago calibrates the Chicago beats once for the tests that need it.
func chicago(t *testing.T) *Result {
	t.Helper()
	needData(t)
	chiOnce.Do(func() {
		chiDir, chiErr = os.MkdirTemp("", "calibrate-chicago")
		if chiErr != nil {
			return
		}
		chiRes, chiErr = Run(Options{
			Incidents:     filepath.Join(dataDir, "chicago/chicago_aggravated_assaults_2010_2019.csv"),
			Areas:         filepath.Join(dataDir, "chicago/chicago_police_beats_2012.geojson"),
			NameField:     "BEAT_NUM",
			DistrictField: "DISTRICT",
			Time:          "date",
			From:          "2013-01-01",
			To:            "2019-12-31",
			Duration:      "28d",
			Out:           filepath.Join(chiDir, "chicago.yaml"),
		}, nil)
	})
	if chiErr != nil {
		t.Fatal(chiErr)
	}
	return chiRes
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chiDir != "" {
		os.RemoveAll(chiDir)
	}
	os.Exit(code)
}

func TestChicago(t *testing.T) {
	r := chicago(t)
	t.Logf("rows %d bad %d out of range %d outside %d inside %d days %g per_day %.3f midnight %d (exp %.0f, spread %.0f) chi2 %.0f/%g",
		r.Rows, r.Bad, r.OutOfRange, r.Outside, r.Inside, r.Days, r.PerDay, r.Midnight, r.MidnightExp, r.Spread, r.ChiSquare, r.DF)
	if r.Days != 2556 {
		t.Errorf("days = %g, want 2556", r.Days)
	}
	if r.Bad != 0 {
		t.Errorf("%d bad rows: %v", r.Bad, r.BadSamples)
	}
	inRange := r.Outside + r.Inside
	if r.Outside == 0 || float64(r.Outside) > 0.002*float64(inRange) {
		t.Errorf("outside = %d of %d, want a few (README: 99.94%% inside)", r.Outside, inRange)
	}
	if math.Abs(r.PerDay-float64(r.Inside)/2556) > 1e-9 {
		t.Errorf("per_day %g, want %g", r.PerDay, float64(r.Inside)/2556)
	}
	if len(r.AreaNames) < 270 {
		t.Errorf("%d beats", len(r.AreaNames))
	}
	s, err := scenarios.LoadFile(r.ScenarioPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Config.Incidents.PerDay; math.Abs(got-r.PerDay) > 1e-3 {
		t.Errorf("loaded per_day %g, want %g", got, r.PerDay)
	}
	c := s.Config.City
	for i, a := range c.Atoms {
		if a.Name != r.AreaNames[i] || math.Abs(a.Weight-r.Weights[i]) > 1e-9 {
			t.Fatalf("atom %d: %s weight %g, want %s %g", i, a.Name, a.Weight, r.AreaNames[i], r.Weights[i])
		}
	}
	txt, _ := os.ReadFile(r.ScenarioPath)
	if !strings.Contains(string(txt), "outside every area") || !strings.Contains(string(txt), "PLACEHOLDERS") {
		t.Errorf("scenario comments lack the outside count or the placeholder note:\n%s", txt)
	}
	if _, err := os.Stat(r.ReportPath); err != nil {
		t.Error(err)
	}
}

func TestSanFrancisco(t *testing.T) {
	needData(t)
	dir := t.TempDir()
	r, err := Run(Options{
		Incidents:     filepath.Join(dataDir, "sf/crime.csv"),
		Areas:         filepath.Join(dataDir, "sf/sfpd_districts.geojson"),
		NameField:     "DISTRICT",
		DistrictField: "DISTRICT",
		Lon:           "lng",
		Lat:           "lat",
		Date:          "Date",
		Clock:         "Time",
		Type:          "Category",
		ID:            "IncidntNum",
		Roads:         filepath.Join(dataDir, "sf/sf_roads_tiger2013.geojson"),
		Out:           filepath.Join(dir, "sf.yaml"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rows %d dup %d outside %d inside %d days %g per_day %.2f types %v", r.Rows, r.Duplicates, r.Outside, r.Inside, r.Days, r.PerDay, r.Types)
	if r.Rows != 9030 || r.Rows-r.Duplicates-r.Bad != 7365 {
		t.Errorf("rows %d, duplicates %d, bad %d: want 9030 rows, 7365 incidents", r.Rows, r.Duplicates, r.Bad)
	}
	if r.Days != 31 || r.Outside > 5 {
		t.Errorf("days %g outside %d", r.Days, r.Outside)
	}
	if len(r.Types) != 7 || r.Types[len(r.Types)-1].Name != "other" {
		t.Errorf("types %+v: want 6 + other", r.Types)
	}
	s, err := scenarios.LoadFile(r.ScenarioPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Config.City.Atoms) != 10 || len(s.Config.Incidents.Types) != 7 {
		t.Errorf("%d areas, %d types", len(s.Config.City.Atoms), len(s.Config.Incidents.Types))
	}
	if s.Config.Travel.Roads == nil || filepath.IsAbs(s.File.Travel.Roads) {
		t.Errorf("travel %+v: want the road network, named relative to the scenario", s.File.Travel)
	}
}

func TestBadRows(t *testing.T) {
	needData(t)
	dir := t.TempDir()
	csv := "date,longitude,latitude\n2014-01-01 10:00,-87.63,41.79\nyesterday,-87.63,41.79\n2014-01-02 11:00,x,41.79\n2014-01-02 12:00,-80.0,30.0\n" +
		"x\"y,-87.63,41.79\n" // a malformed quote in the first column: a ParseError, once a panic
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte(csv), 0o644)
	o := Options{Incidents: in, Areas: filepath.Join(dataDir, "chicago/chicago_police_beats_2012.geojson"),
		NameField: "BEAT_NUM", DistrictField: "DISTRICT", Time: "date", Out: filepath.Join(dir, "o.yaml")}
	_, err := Run(o, nil)
	if err == nil || !strings.Contains(err.Error(), "in.csv:3") || !strings.Contains(err.Error(), `"yesterday"`) || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("err = %v: want the file, line and values", err)
	}
	o.MaxBad = 0.9
	var warn strings.Builder
	r, err := Run(o, &warn)
	if err != nil {
		t.Fatal(err)
	}
	if r.Bad != 3 || r.Outside != 1 || r.Inside != 1 || !strings.Contains(warn.String(), "column \"date\"") || !strings.Contains(warn.String(), "in.csv:6") {
		t.Errorf("bad %d outside %d inside %d; warnings:\n%s", r.Bad, r.Outside, r.Inside, warn.String())
	}
}

type countRec struct {
	byAtom     []int
	byHour     [24]int
	byWeekHour [168]int
}

func (c *countRec) Incident(r *sim.IncidentRecord) {
	c.byAtom[r.Atom]++
	c.byHour[int(math.Mod(r.Occur, 86400)/3600)]++
	c.byWeekHour[int(math.Mod(r.Occur, 7*86400)/3600)]++
}
func (c *countRec) Busy(int, float64, float64)   {}
func (c *countRec) OnDuty(int, float64, float64) {}
func (c *countRec) Deterred(*sim.DeterRecord)    {}
func (c *countRec) Presence(float64, []float64)  {}

// TestSimulatedChicago runs the calibrated scenario and checks that it
// reproduces the data's beat shares, hour-of-day profile and weekend
// nights (the data are not separable, so the scenario has an hour-of-week
// profile).
func TestSimulatedChicago(t *testing.T) {
	r := chicago(t)
	s, err := scenarios.LoadFile(r.ScenarioPath)
	if err != nil {
		t.Fatal(err)
	}
	const reps = 2
	// Shares, not volume, are checked: 8 times the daily volume over 28 days
	// gives ~17,000 incidents, enough for the correlation to be measured
	// well above Poisson noise. Deterrence does nothing (every type has
	// deterrable 0), and is turned off here too; near repeats are off.
	cfg := s.Variants[0].Model.Cfg
	cfg.Incidents.PerDay *= 8
	cfg.Deterrence.On = false
	if cfg.NearRepeat.Offspring != 0 {
		t.Fatalf("offspring %g: want near repeats off", cfg.NearRepeat.Offspring)
	}
	recs := make([]*countRec, reps)
	if _, err := sim.Replicate(context.Background(), s.Variants[:1], 7, reps, 2, func(j sim.Job) sim.Recorder {
		recs[j.Rep] = &countRec{byAtom: make([]int, len(s.Config.City.Atoms))}
		return recs[j.Rep]
	}); err != nil {
		t.Fatal(err)
	}
	simA := make([]float64, len(r.AreaCounts))
	var simH [24]float64
	var n float64
	for _, c := range recs {
		for i, v := range c.byAtom {
			simA[i] += float64(v)
			n += float64(v)
		}
		for h, v := range c.byHour {
			simH[h] += float64(v)
		}
	}
	data := make([]float64, len(r.AreaCounts))
	for i, v := range r.AreaCounts {
		data[i] = float64(v)
	}
	rho := corr(simA, data)
	t.Logf("simulated %g incidents; correlation across beats %.4f", n, rho)
	if rho < 0.95 {
		t.Errorf("correlation across beats %.4f < 0.95", rho)
	}
	var hsum float64
	for _, v := range r.HourFitted {
		hsum += v
	}
	for h := range 24 {
		e := n * r.HourFitted[h] / hsum
		if d := math.Abs(simH[h] - e); d > 4*math.Sqrt(e) {
			t.Errorf("hour %02d: simulated %g, expected %.1f ± %.1f (4 Poisson s.e.)", h, simH[h], e, 4*math.Sqrt(e))
		}
	}
	// Weekend nights: Saturday and Sunday 00:00–04:00 (hours 120–123,
	// 144–147 of the week). The data's share, and the share a separable
	// profile would give (hour share × day share), differ; the simulation
	// must give the data's (binomial s.e. of the simulated share).
	if !r.Weekly || s.Config.Incidents.HourOfWeek[0] == 0 {
		t.Fatalf("Chicago is not separable (p = %g): want an hour-of-week profile", r.PValue)
	}
	nights := []int{120, 121, 122, 123, 144, 145, 146, 147}
	var dataN, sep, simN, week float64
	for _, v := range r.HourOfWeek {
		week += v
	}
	var days float64
	for _, v := range r.DayObserved {
		days += float64(v)
	}
	for _, h := range nights {
		dataN += r.HourOfWeek[h] / week
		sep += r.HourFitted[h%24] / hsum * float64(r.DayObserved[h/24]) / days
		for _, c := range recs {
			simN += float64(c.byWeekHour[h])
		}
	}
	simShare := simN / n
	se := math.Sqrt(dataN * (1 - dataN) / n)
	t.Logf("weekend nights: data %.4f, separable %.4f, simulated %.4f ± %.4f", dataN, sep, simShare, se)
	if math.Abs(simShare-dataN) > 4*se {
		t.Errorf("weekend nights: simulated share %.4f, data %.4f ± %.4f", simShare, dataN, 4*se)
	}
	if math.Abs(sep-dataN) < 8*se {
		t.Errorf("weekend nights: the separable share %.4f is close to the data's %.4f: the test shows nothing", sep, dataN)
	}
}

func corr(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}
