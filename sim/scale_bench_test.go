package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// BenchmarkScale measures the cost of an event as the city, the force and
// the incident volume grow together. Scale ×k is k tiles of a city built
// like the built-in one (scenarios/jinzhou: 14 × 9 communities of about
// 700 m with jittered corners, 3 districts, 22 platforms, 6 workstations
// and 18 stations; 18 patrol cars, 9 motorbikes and 126 community teams;
// 210 background incidents a day, deterrence, near repeats, on-view and
// observers as there), laid out √k × √k: every tile brings its own
// districts, posts, units and incidents, so the density of units and
// incidents, the length of legs and the load per unit stay those of ×1 and
// only the number of units a search could meet grows. Each size plays 10
// days of two variants: follow-incidents with point-to-point dispatch and
// static beats with hierarchical dispatch and mutual aid. A model whose
// cost per event does not depend on the size of the force reports the same
// ns/event at every scale. With -cpu 1, cpu-ns/event (processor time of the
// whole process, collector included) is the figure to compare on a machine
// shared with other work.
func BenchmarkScale(b *testing.B) {
	for _, k := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			play := scalePlay(b, k)
			var events uint64
			cpu0, cpuOK := cpuTime()
			for b.Loop() {
				events += play()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			// On a shared machine the wall clock counts the time other
			// processes took the processor; processor time does not.
			if cpu1, ok := cpuTime(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(events), "cpu-ns/event")
			}
		})
	}
}

// BenchmarkScaleRatio is issue 19's figure for the force (×16 within 1.3×
// of ×1) measured in pairs: every iteration plays scale ×1 sixteen times
// and scale ×16 once (about the same number of events), one after the
// other, and the ratio of their processor time per event over all
// iterations is x16/x1. BenchmarkScale's sizes run one after another,
// seconds apart, and on a shared machine whose speed changes from one
// minute to the next (other work, the host) a ratio of two such figures
// moves by ±30%; a pair run within a second shares the machine's state.
func BenchmarkScaleRatio(b *testing.B) {
	if _, ok := cpuTime(); !ok {
		b.Skip("no processor time on this system")
	}
	small, large := scalePlay(b, 1), scalePlay(b, 16)
	var cpu [2]time.Duration
	var events [2]uint64
	for b.Loop() {
		c0, _ := cpuTime()
		for range 16 {
			events[0] += small()
		}
		c1, _ := cpuTime()
		events[1] += large()
		c2, _ := cpuTime()
		cpu[0] += c1 - c0
		cpu[1] += c2 - c1
	}
	x1 := float64(cpu[0].Nanoseconds()) / float64(events[0])
	x16 := float64(cpu[1].Nanoseconds()) / float64(events[1])
	b.ReportMetric(x1, "x1-cpu-ns/event")
	b.ReportMetric(x16, "x16-cpu-ns/event")
	b.ReportMetric(x16/x1, "x16/x1")
}

// scalePlay prepares BenchmarkScale's city at scale k and returns a
// function that plays its two variants once and returns their events.
func scalePlay(b *testing.B, k int) func() uint64 {
	b.Helper()
	cands, vs := scaleVariants(b, k)
	play := func() uint64 {
		var events uint64
		for _, v := range vs {
			st, err := v.Run(context.Background(), cands, 1, 0, nopRecorder{})
			if err != nil {
				b.Fatal(err)
			}
			events += st.Events
		}
		return events
	}
	// One run of each variant first: the steady state of a run of many
	// replications, where a run reuses the storage of the last (and a
	// benchmark of one iteration, at ×16, would time the first allocation
	// of everything).
	play()
	return play
}

// scaleVariants returns the candidates of BenchmarkScale's city at scale
// k (seed 1) and its two variants: follow-incidents with point-to-point
// dispatch and static beats with hierarchical dispatch.
func scaleVariants(b *testing.B, k int) ([]Candidate, []Variant) {
	b.Helper()
	cfg := scaledConfig(b, k)
	cands := Generate(cfg, 1, 0)
	var vs []Variant
	for _, c := range []struct {
		policy string
		mode   Mode
	}{{"follow-incidents", PointToPoint}, {"static-beats", Hierarchical}} {
		v := variantsFor(b, cfg, c.policy)[0]
		v.Mode = c.mode
		vs = append(vs, v)
	}
	return cands, vs
}

// scaledConfig is the configuration of BenchmarkScale at scale k (1, 4,
// 16, …: a square number of tiles).
func scaledConfig(tb testing.TB, k int) *Config {
	tb.Helper()
	s := int(math.Round(math.Sqrt(float64(k))))
	if s*s != k {
		tb.Fatalf("scale %d: want a square number of tiles", k)
	}
	const cols, rows, cellM = 14, 9, 700.0
	nx, ny := cols*s, rows*s
	r := rand.New(rand.NewPCG(2011, 1027))
	// Lattice corners, jittered inside so that communities are irregular
	// but tile the city.
	corner := make([][][2]float64, ny+1)
	for i := range corner {
		corner[i] = make([][2]float64, nx+1)
		for j := range corner[i] {
			x, y := float64(j)*cellM, float64(i)*cellM
			if i > 0 && i < ny && j > 0 && j < nx {
				x += (r.Float64() - 0.5) * 0.4 * cellM
				y += (r.Float64() - 0.5) * 0.4 * cellM
			}
			corner[i][j] = [2]float64{x, y}
		}
	}
	const lon0, lat0, earth = 121.13, 41.115, 6371008.8
	lonlat := func(x, y float64) string {
		lat := lat0 + y/earth*180/math.Pi
		lon := lon0 + x/(earth*math.Cos(lat0*math.Pi/180))*180/math.Pi
		return fmt.Sprintf("[%.6f,%.6f]", lon, lat)
	}
	// Districts: each tile's columns 0–3, 4–8 and 9–13, as in Jinzhou.
	district := func(i, j int) int {
		tile := (i/rows)*s + j/cols
		d := 0
		switch c := j % cols; {
		case c >= 9:
			d = 2
		case c >= 4:
			d = 1
		}
		return 3*tile + d
	}
	var fs []string
	for i := range ny {
		for j := range nx {
			ring := []string{lonlat(corner[i][j][0], corner[i][j][1]), lonlat(corner[i][j+1][0], corner[i][j+1][1]),
				lonlat(corner[i+1][j+1][0], corner[i+1][j+1][1]), lonlat(corner[i+1][j][0], corner[i+1][j][1])}
			ring = append(ring, ring[0])
			// Weights: a few busy communities among quiet ones.
			w := 0.2 + r.Float64()
			if r.IntN(8) == 0 {
				w += 2 + 2*r.Float64()
			}
			fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"name":"c%d-%d","district":"D%d","weight":%.3f},"geometry":{"type":"Polygon","coordinates":[[%s]]}}`,
				i, j, district(i, j), w, strings.Join(ring, ",")))
		}
	}
	city, err := geo.FromGeoJSON([]byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`),
		geo.AreaFields{Name: "name", District: "district", Weight: "weight"})
	if err != nil {
		tb.Fatal(err)
	}
	// Posts, drawn per tile within its inner part.
	for ti := range s {
		for tj := range s {
			for _, p := range []struct {
				kind string
				n    int
			}{{"platform", 22}, {"workstation", 6}, {"station", 18}} {
				for n := range p.n {
					x := (float64(tj*cols) + 0.5 + r.Float64()*(cols-1)) * cellM
					y := (float64(ti*rows) + 0.5 + r.Float64()*(rows-1)) * cellM
					city.AddPost(fmt.Sprintf("%s %d-%d-%d", p.kind, ti, tj, n), p.kind,
						geo.Point{X: x - float64(nx)*cellM/2, Y: y - float64(ny)*cellM/2})
				}
			}
		}
	}
	if err := city.Finish(); err != nil {
		tb.Fatal(err)
	}
	kmh := func(v float64) float64 { return v / 3.6 }
	all := [4]bool{false, true, true, true}
	units := []UnitType{
		{Name: "patrol_car", Count: 18 * k, Squad: 2, Speed: kmh(25), PatrolSpeed: kmh(15), Turnout: 30, ShiftLen: 86400,
			Home: policy.HomeDistrict, Priorities: all, Visibility: 1},
		{Name: "motorbike", Count: 9 * k, Squad: 1, Speed: kmh(25), PatrolSpeed: kmh(15), Turnout: 30, ShiftLen: 86400,
			Home: policy.HomeDistrict, Priorities: all, Visibility: 1},
		{Name: "station_car", Count: 18 * k, Squad: 2, Speed: kmh(25), PatrolSpeed: kmh(25), Turnout: 30, ShiftLen: 86400,
			Home: policy.HomePost, PostKind: "station", Priorities: all, Visibility: 1},
		{Name: "platform", Count: 22 * k, Squad: 2, Speed: kmh(5), PatrolSpeed: kmh(5), Turnout: 30, ShiftStart: 7 * 3600, ShiftLen: 16 * 3600,
			Home: policy.HomePost, PostKind: "platform", Priorities: [4]bool{false, true, true, false}, Visibility: 1},
		{Name: "workstation", Count: 6 * k, Squad: 2, Speed: kmh(25), PatrolSpeed: kmh(25), Turnout: 30, ShiftLen: 86400,
			Home: policy.HomePost, PostKind: "workstation", Priorities: [4]bool{false, true, false, false}, Visibility: 1},
		{Name: "community_team", Count: 126 * k, Squad: 4, Speed: kmh(4.5), PatrolSpeed: kmh(4.5), ShiftStart: 18 * 3600, ShiftLen: 12 * 3600,
			Home: policy.HomeCommunity, Priorities: [4]bool{false, false, false, true}, Visibility: 1},
	}
	ln := func(mean, sd float64) Dist { return Dist{Kind: Lognormal, Mean: mean * 60, SD: sd * 60} }
	ex := func(mean float64) Dist { return Dist{Kind: Exponential, Mean: mean * 60} }
	inc := Incidents{
		PerDay:    210 * float64(k),
		HourOfDay: [24]float64{1.0, 0.85, 0.7, 0.55, 0.45, 0.4, 0.5, 0.7, 0.9, 1.0, 1.05, 1.1, 1.1, 1.1, 1.15, 1.2, 1.3, 1.35, 1.4, 1.45, 1.45, 1.4, 1.3, 1.15},
		DayOfWeek: [7]float64{1.0, 0.97, 0.97, 0.98, 1.05, 1.1, 1.05},
		// As in scenarios/jinzhou/scenario.yaml.
		ReportDelay: ex(4),
		Types: []IncidentType{
			{Name: "street_robbery", Priority: 1, Share: 0.04, OnScene: ln(45, 25), Officers: 2, Deterrable: 0.8},
			{Name: "assault", Priority: 1, Share: 0.08, OnScene: ln(40, 20), Officers: 2, Deterrable: 0.4},
			{Name: "domestic", Priority: 2, Share: 0.07, OnScene: ln(45, 25), Officers: 2},
			{Name: "traffic_accident", Priority: 2, Share: 0.18, OnScene: ln(35, 20), Officers: 2, Deterrable: 0.1},
			{Name: "dispute", Priority: 2, Share: 0.25, OnScene: ex(25), Officers: 2, Deterrable: 0.3},
			{Name: "theft", Priority: 2, Share: 0.20, OnScene: ex(30), Officers: 1, Deterrable: 0.6},
			{Name: "assistance", Priority: 3, Share: 0.18, OnScene: ex(20), Officers: 1},
		},
	}
	return &Config{
		Name: fmt.Sprintf("scale x%d", k), City: city, Travel: geo.Travel{Metric: geo.Manhattan, Detour: 1.2},
		Duration: 10 * 86400, Warmup: 86400,
		Incidents: inc,
		Units:     units,
		Dispatch: Dispatch{Delay: Dist{Mean: 60}, MutualAid: true,
			Levels: []Level{{"city", Dist{Mean: 45}}, {"district", ex(1)}, {"station", ex(1.5)}}},
		Targets: [4]float64{0, 300, 600, 1800},
		Deterrence: Deterrence{On: true, RadiusM: 200, HalfPresence: 4, Tau: 3600, DoseMin: 120, DoseFull: 900,
			SpaceShare: 0.15, TimeShare: 0.1, TimeShift: ex(360), VisibleAbove: 1},
		NearRepeat:    policy.NearRepeat{Offspring: 0.3, Decay: 7 * 86400, RadiusM: 350},
		OnViewRadiusM: 50,
		Observers:     Observers{PerKm2: 37, RadiusM: 50, Delay: ex(2)},
	}
}
