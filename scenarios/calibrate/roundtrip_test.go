package calibrate

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

// The synthetic round trips simulate a known scenario on a small lon/lat
// city (5 × 5 squares of 1 km near Chicago, written as GeoJSON so that
// calibrate reads it as it reads real data), write the simulated incidents
// as a records CSV (lon/lat by the city's inverse projection; time = a
// Monday + the occurrence time, to the second), calibrate and compare.

const rtRows, rtCols = 5, 5

var rtStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // a Monday: sim time 0

// rtWeights are the true area weights (row-major).
func rtWeights() []float64 {
	w := make([]float64, rtRows*rtCols)
	for i := range w {
		w[i] = 1 + float64((i*7)%5) // 1 … 5
	}
	return w
}

var rtHours = []float64{1.0, 0.85, 0.7, 0.55, 0.45, 0.4, 0.5, 0.7, 0.9, 1.0, 1.05, 1.1,
	1.1, 1.1, 1.15, 1.2, 1.3, 1.35, 1.4, 1.45, 1.45, 1.4, 1.3, 1.15}
var rtDays = []float64{1.0, 0.9, 0.9, 0.95, 1.1, 1.25, 1.1}

func rtCity(t *testing.T, dir string) string {
	t.Helper()
	const lon0, lat0 = -87.70, 41.85
	dLat := 1000 / 6371008.8 * 180 / math.Pi
	dLon := dLat / math.Cos(lat0*math.Pi/180)
	w := rtWeights()
	var feats []string
	for r := range rtRows {
		for c := range rtCols {
			x0, y0 := lon0+float64(c)*dLon, lat0+float64(r)*dLat
			x1, y1 := x0+dLon, y0+dLat
			ring := fmt.Sprintf("[[%.8f,%.8f],[%.8f,%.8f],[%.8f,%.8f],[%.8f,%.8f],[%.8f,%.8f]]", x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
			feats = append(feats, fmt.Sprintf(`{"type":"Feature","properties":{"name":"a%d%d","district":"d%d","weight":%g},"geometry":{"type":"Polygon","coordinates":[%s]}}`,
				r, c, c, w[r*rtCols+c], ring))
		}
	}
	p := filepath.Join(dir, "city.geojson")
	if err := os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(feats, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func floats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

type occRec struct{ recs []sim.IncidentRecord }

func (c *occRec) Incident(r *sim.IncidentRecord) { c.recs = append(c.recs, *r) }
func (c *occRec) Busy(int, float64, float64)     {}
func (c *occRec) OnDuty(int, float64, float64)   {}
func (c *occRec) Deterred(*sim.DeterRecord)      {}
func (c *occRec) Presence(float64, []float64)    {}

// simulateCSV simulates reps replications of the round-trip scenario and
// writes each one's incidents as a records CSV; it returns the CSV paths
// and the areas file.
func simulateCSV(t *testing.T, dir string, perDay float64, days int, offspring, decayDays, radius float64, reps int) ([]string, string) {
	t.Helper()
	areas := rtCity(t, dir)
	yaml := fmt.Sprintf(`version: 1
name: roundtrip
duration: %dd
warmup: 0
replications: 1
city:
  areas: city.geojson
  fields: {name: name, district: district, weight: weight}
incidents:
  per_day: %g
  hour_of_day: %s
  day_of_week: %s
  types:
    - {name: any, share: 1, on_scene: {dist: exponential, mean: 20m}}
  near_repeat: {offspring: %g, decay: %gh, radius_m: %g}
units:
  - {name: car, count: 6}
variants:
  - {name: random, policy: random}
`, days, perDay, floats(rtHours), floats(rtDays), offspring, decayDays*24, radius)
	sp := filepath.Join(dir, "truth.yaml")
	if err := os.WriteFile(sp, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.LoadFile(sp)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Variants[0].Model.Cfg
	cfg.Deterrence.On = false
	recs := make([]*occRec, reps)
	var mu sync.Mutex
	if _, err := sim.Replicate(context.Background(), s.Variants[:1], 11, reps, reps, func(j sim.Job) sim.Recorder {
		mu.Lock()
		defer mu.Unlock()
		recs[j.Rep] = &occRec{}
		return recs[j.Rep]
	}); err != nil {
		t.Fatal(err)
	}
	city := cfg.City
	var paths []string
	for k, rc := range recs {
		p := filepath.Join(dir, fmt.Sprintf("records%d.csv", k))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		w.Write([]string{"time", "longitude", "latitude"})
		for _, r := range rc.recs {
			lon, lat := city.Proj.Inverse(r.Pos)
			tm := rtStart.Add(time.Duration(r.Occur * float64(time.Second)))
			w.Write([]string{tm.Format("2006-01-02 15:04:05"), strconv.FormatFloat(lon, 'f', 8, 64), strconv.FormatFloat(lat, 'f', 8, 64)})
		}
		w.Flush()
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths, areas
}

func rtOptions(in, areas, out string, days int) Options {
	return Options{Incidents: in, Areas: areas, NameField: "name", DistrictField: "district",
		Time: "time", TimeFormat: "2006-01-02 15:04:05",
		From: rtStart.Format("2006-01-02"), To: rtStart.AddDate(0, 0, days-1).Format("2006-01-02"), Out: out}
}

// rtRadii is a shorter profile grid than the default (the test budget):
// 50 m steps around the truth, 300 m.
var rtRadii = []float64{100, 200, 250, 300, 350, 400, 500, 700}

// TestNearRepeatRoundTrip: a clustered scenario (offspring 0.4, decay 3 d,
// radius 300 m; ~6,000 incidents over 180 days in a 5 km city) is
// recovered: the radius within one grid step (50 m), m and τ each within 3
// of its own standard errors (from the observed information). The fit
// corrects the kernel at the city's edges (offspring the simulator redraws
// inside the city); without that correction m came out near 0.28. Measured
// with the correction: m 0.375, 0.349, 0.349 (se ≈ 0.02), τ 2.73, 2.85,
// 2.59 d (se ≈ 0.2–0.27): still slightly low on average (not because of
// the background's area weights: declustering them moved m by 0.001;
// docs/calibrate.md).
func TestNearRepeatRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const days, reps = 180, 3
	paths, areas := simulateCSV(t, dir, 20, days, 0.4, 3, 300, reps)
	var ms, taus []float64
	for k, p := range paths {
		o := rtOptions(p, areas, filepath.Join(dir, fmt.Sprintf("fit%d.yaml", k)), days)
		o.NearRepeat, o.Radii, o.WindowDays = true, rtRadii, 20
		r, err := Run(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		nr := r.NearRepeat
		t.Logf("rep %d: %d incidents, m %.3f ± %.3f, tau %.2f ± %.2f d, R %g m, background %.2f/day; logL gain %.1f; %s",
			k, nr.Events, nr.Offspring, nr.OffspringSE, nr.DecayDays, nr.DecayDaysSE, nr.RadiusM, nr.Background, nr.LogL-nr.LogL0, nr.Elapsed)
		ms = append(ms, nr.Offspring)
		taus = append(taus, nr.DecayDays)
		if !(math.Abs(nr.Offspring-0.4) <= 3*nr.OffspringSE) {
			t.Errorf("rep %d: offspring %.3f ± %.3f, want 0.4 within 3 standard errors", k, nr.Offspring, nr.OffspringSE)
		}
		if !(math.Abs(nr.DecayDays-3) <= 3*nr.DecayDaysSE) {
			t.Errorf("rep %d: decay %.3f ± %.3f d, want 3 within 3 standard errors", k, nr.DecayDays, nr.DecayDaysSE)
		}
		if math.Abs(nr.RadiusM-300) > 50 {
			t.Errorf("rep %d: radius %g, want 300 ± 50 (the grid step)", k, nr.RadiusM)
		}
		if 2*(nr.LogL-nr.LogL0) < 100 {
			t.Errorf("rep %d: 2 x log-likelihood gain %.1f: clustering not detected", k, 2*(nr.LogL-nr.LogL0))
		}
		if k == 0 {
			s, err := scenarios.LoadFile(r.ScenarioPath)
			if err != nil {
				t.Fatal(err)
			}
			inc := s.Config.Incidents
			cnr := s.Variants[0].Model.Cfg.NearRepeat
			if math.Abs(cnr.Offspring-nr.Offspring) > 1e-3 || math.Abs(cnr.Decay/86400-nr.DecayDays) > 1e-3 || cnr.RadiusM != nr.RadiusM {
				t.Errorf("scenario near_repeat %+v, fit m %g tau %g R %g", cnr, nr.Offspring, nr.DecayDays, nr.RadiusM)
			}
			if want := r.PerDay * (1 - nr.Offspring); math.Abs(inc.PerDay-want) > 1e-3 {
				t.Errorf("scenario per_day %g, want %g (background)", inc.PerDay, want)
			}
		}
	}
	t.Logf("over %d replications: m %.3f (sd %.3f), tau %.2f d (sd %.2f)", reps, mean(ms), sd(ms), mean(taus), sd(taus))
}

// TestNearRepeatNull: without near repeats the fitted m is near 0 and the
// likelihood ratio against Poisson is not significant. Under m = 0 the
// parameter is on the boundary of its range and τ, R are not identified,
// so 2ΔlogL is not χ²-distributed; its null distribution is stochastically
// smaller than χ² with 3 df for the boundary part (a ½χ²₀ + ½χ²₁ mixture for
// m alone) but the maximisation over the R grid and τ enlarges it: the
// 95% quantile of χ² with 3 df, 7.81, is a rough guide, not an exact test.
func TestNearRepeatNull(t *testing.T) {
	dir := t.TempDir()
	const days = 180
	paths, areas := simulateCSV(t, dir, 33, days, 0, 3, 300, 1)
	o := rtOptions(paths[0], areas, filepath.Join(dir, "fit.yaml"), days)
	o.NearRepeat, o.Radii, o.WindowDays = true, rtRadii, 20
	r, err := Run(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	nr := r.NearRepeat
	lr := 2 * (nr.LogL - nr.LogL0)
	t.Logf("%d incidents: m %.4f ± %.4f, tau %.2f d, R %g; 2 dlogL %.2f; AIC %.1f vs Poisson %.1f",
		nr.Events, nr.Offspring, nr.OffspringSE, nr.DecayDays, nr.RadiusM, lr, nr.AIC, nr.AIC0)
	if nr.Offspring > 0.05 {
		t.Errorf("offspring %.4f, want near 0", nr.Offspring)
	}
	if lr > 7.81 {
		t.Errorf("2 dlogL = %.2f > 7.81: spurious clustering", lr)
	}
	if nr.AIC < nr.AIC0 {
		t.Errorf("AIC prefers the Hawkes model (%.1f < %.1f) on unclustered data", nr.AIC, nr.AIC0)
	}
}

// TestWeightsProfilesRoundTrip: known area weights and hour/day profiles
// (no near repeats) are recovered: per area within 4 Poisson standard
// errors and a correlation of at least 0.95; per hour within 4 s.e.
func TestWeightsProfilesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const days = 180
	paths, areas := simulateCSV(t, dir, 40, days, 0, 3, 300, 1)
	r, err := Run(rtOptions(paths[0], areas, filepath.Join(dir, "fit.yaml"), days), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Outside != 0 || r.Bad != 0 || r.Days != days {
		t.Fatalf("outside %d bad %d days %g", r.Outside, r.Bad, r.Days)
	}
	n := float64(r.Inside)
	w := rtWeights()
	var ws float64
	for _, v := range w {
		ws += v
	}
	idx := map[string]int{}
	for r := range rtRows {
		for c := range rtCols {
			idx[fmt.Sprintf("a%d%d", r, c)] = r*rtCols + c
		}
	}
	truth := make([]float64, len(r.AreaNames))
	for i, name := range r.AreaNames {
		truth[i] = w[idx[name]]
		e := n * truth[i] / ws
		if d := math.Abs(float64(r.AreaCounts[i]) - e); d > 4*math.Sqrt(e) {
			t.Errorf("area %s: %d incidents, expected %.1f ± %.1f", name, r.AreaCounts[i], e, math.Sqrt(e))
		}
	}
	rho := corr(r.Weights, truth)
	t.Logf("%d incidents; correlation of the weights with the truth %.4f", r.Inside, rho)
	if rho < 0.95 {
		t.Errorf("correlation %.4f < 0.95", rho)
	}
	var hs float64
	for _, v := range rtHours {
		hs += v
	}
	for h := range 24 {
		e := n * rtHours[h] / hs
		if d := math.Abs(r.HourFitted[h] - e); d > 4*math.Sqrt(e) {
			t.Errorf("hour %02d: %.0f, expected %.1f ± %.1f", h, r.HourFitted[h], e, math.Sqrt(e))
		}
	}
	for d := range 7 {
		// The expected share of weekday d: its profile × its number of days.
		cnt := 0
		for k := range days {
			if (int(rtStart.AddDate(0, 0, k).Weekday())+6)%7 == d {
				cnt++
			}
		}
		var tot float64
		for k := range 7 {
			c := 0
			for j := range days {
				if (int(rtStart.AddDate(0, 0, j).Weekday())+6)%7 == k {
					c++
				}
			}
			tot += rtDays[k] * float64(c)
		}
		e := n * rtDays[d] * float64(cnt) / tot
		if diff := math.Abs(float64(r.DayObserved[d]) - e); diff > 4*math.Sqrt(e) {
			t.Errorf("day %d: %d, expected %.1f ± %.1f", d, r.DayObserved[d], e, math.Sqrt(e))
		}
	}
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func sd(v []float64) float64 {
	m := mean(v)
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}
