package sim

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// TestFingerprint plays fixed runs and compares a hash of everything they
// report (every record, interval and presence sample, bit for bit, and the
// event count) with the hash stored here: a change that should only make
// the model faster (an index, a cache, pooled storage) must leave every
// answer as it was. The runs cover every policy under both dispatch modes
// on a grid city with posts, routes, shifts, deterrence, near repeats,
// on-view and observers, straight-line travel, lost calls, and road travel
// on a small synthetic network.
//
// A change meant to alter the model's answers changes the hashes: check
// that it should, then copy the new values from the failure messages.
//
// The hashes hold for the floating-point library they were taken with
// (math.Exp on amd64 uses FMA where the processor has it, and the compiler
// may fuse x*y+z on other architectures): where a probe of those results
// differs, the test is skipped, not failed.
func TestFingerprint(t *testing.T) {
	if got, want := fpProbe(), "a464d47b444ae96a"; got != want {
		t.Skipf("floating-point probe %s, want %s: the fingerprints were taken with another math library", got, want)
	}
	grid := fingerprintGrid(t)
	euclid := *grid
	euclid.Travel = geo.Travel{Metric: geo.Euclidean, Detour: 1}
	lost := *grid
	lost.Dispatch.LostCalls = true
	busy := *grid // two calls in three wait
	busy.Incidents = fingerprintIncidents(420)
	roads := fingerprintRoads(t)
	all := []string{"random", "static-beats", "posts", "follow-incidents", "hot-spots", "hotspot-oracle", "routes"}
	cases := []struct {
		name     string
		cfg      *Config
		policies []string
		modes    []Mode
		want     string
	}{
		{"grid", grid, all, []Mode{PointToPoint, Hierarchical}, "a8670cf88a27b239"},
		{"euclidean", &euclid, []string{"follow-incidents", "static-beats"}, []Mode{PointToPoint, Hierarchical}, "988f2d7b0ff5faa7"},
		{"lost calls", &lost, []string{"random"}, []Mode{PointToPoint, Hierarchical}, "d2e3f0a64b19719f"},
		{"busy", &busy, []string{"random", "follow-incidents"}, []Mode{PointToPoint, Hierarchical}, "03725b0bfaef6c9a"},
		{"roads", roads, []string{"random", "follow-incidents", "static-beats"}, []Mode{PointToPoint, Hierarchical}, "fc9032e0ae57267c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := fnv.New64a()
			for rep := range 2 {
				cands := Generate(tc.cfg, 11, rep)
				for _, v := range variantsFor(t, tc.cfg, tc.policies...) {
					for _, mode := range tc.modes {
						v.Mode = mode
						fmt.Fprintf(h, "%s %v %d\n", v.Name, mode, rep)
						st, err := v.Run(context.Background(), cands, 11, rep, &hashRecorder{h: h})
						if err != nil {
							t.Fatal(err)
						}
						fmt.Fprintf(h, "%d %x\n", st.Events, math.Float64bits(st.End))
					}
				}
			}
			if got := fmt.Sprintf("%016x", h.Sum64()); got != tc.want {
				t.Errorf("fingerprint %s, want %s", got, tc.want)
			}
		})
	}
}

// fpProbe hashes results that differ between floating-point libraries:
// exponentials and logarithms of arguments the model meets, and a product
// and sum that fused multiply-add would round once.
func fpProbe() string {
	h := fnv.New64a()
	var buf []byte
	x, y, z := 0.1, 10.0, -1.0
	for k := range 2000 {
		u := float64(k)/37 + 1e-3
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(math.Exp(-u)))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(math.Log1p(u)))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(math.Log(u)))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(math.Sqrt(u)))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(math.Sin(u)+math.Cos(u)))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x*y+z))
		x += 1e-3
	}
	h.Write(buf)
	return fmt.Sprintf("%016x", h.Sum64())
}

// hashRecorder writes every observation into h, floats by their bits.
type hashRecorder struct {
	h   hash.Hash64
	buf []byte
}

func (r *hashRecorder) put(xs ...float64) {
	r.buf = r.buf[:0]
	for _, x := range xs {
		r.buf = binary.LittleEndian.AppendUint64(r.buf, math.Float64bits(x))
	}
	r.h.Write(r.buf)
}

func (r *hashRecorder) Incident(i *IncidentRecord) {
	r.put(float64(i.ID), float64(i.Type), float64(i.Priority), float64(i.Atom), float64(i.District),
		i.Pos.X, i.Pos.Y, float64(i.Needed), i.Occur, i.Call, i.Ready, i.Dispatch, i.Arrive, i.Full, i.Clear,
		float64(i.CrossDistrict), float64(i.WithBeat), float64(i.OutsideBeat), float64(i.Origin),
		b2f(i.Discovered), b2f(i.Lost), float64(len(i.Units)))
	for _, u := range i.Units {
		r.put(float64(u))
	}
}

func (r *hashRecorder) Busy(u int, from, to float64)   { r.put(1, float64(u), from, to) }
func (r *hashRecorder) OnDuty(u int, from, to float64) { r.put(2, float64(u), from, to) }

func (r *hashRecorder) Deterred(d *DeterRecord) {
	r.put(3, d.Time, float64(d.Type), float64(d.Atom), float64(d.District), d.Presence, float64(d.Outcome), float64(d.Origin))
}

func (r *hashRecorder) Presence(t float64, byAtom []float64) {
	r.put(4, t)
	r.put(byAtom...)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// fingerprintUnits is a force of every kind of home, with shifts, squads,
// partial visibility and restricted priorities.
func fingerprintUnits() []UnitType {
	return []UnitType{
		{Name: "car", Count: 9, Squad: 2, Speed: 25 / 3.6, PatrolSpeed: 15 / 3.6, Turnout: 30, ShiftLen: 86400,
			Home: policy.HomeDistrict, Priorities: [4]bool{false, true, true, true}, Visibility: 1},
		{Name: "bike", Count: 4, Squad: 1, Speed: 25 / 3.6, PatrolSpeed: 12 / 3.6, Turnout: 20, ShiftStart: 7 * 3600, ShiftLen: 12 * 3600,
			Home: policy.HomeDistrict, Priorities: [4]bool{false, true, true, false}, Visibility: 0.7},
		{Name: "station_car", Count: 3, Squad: 2, Speed: 25 / 3.6, PatrolSpeed: 25 / 3.6, Turnout: 60, ShiftLen: 86400,
			Home: policy.HomePost, PostKind: "station", Priorities: [4]bool{false, true, true, true}, Visibility: 1},
		{Name: "platform", Count: 4, Squad: 2, Speed: 5 / 3.6, PatrolSpeed: 5 / 3.6, Turnout: 30, ShiftStart: 7 * 3600, ShiftLen: 16 * 3600,
			Home: policy.HomePost, PostKind: "platform", Priorities: [4]bool{false, true, true, false}, Visibility: 1},
		{Name: "team", Count: 30, Squad: 4, Speed: 4.5 / 3.6, PatrolSpeed: 4 / 3.6, ShiftStart: 18 * 3600, ShiftLen: 12 * 3600,
			Home: policy.HomeCommunity, Priorities: [4]bool{false, false, false, true}, Visibility: 0.5},
	}
}

// fingerprintIncidents is an incident model with every mechanism on: types
// of every priority needing 1 to 3 officers, deterrable or not, near
// repeats, a daily profile.
func fingerprintIncidents(perDay float64) Incidents {
	inc := Incidents{
		PerDay:      perDay,
		ReportDelay: Dist{Kind: Exponential, Mean: 240},
		Types: []IncidentType{
			{Name: "robbery", Priority: 1, Share: 0.1, OnScene: Dist{Kind: Lognormal, Mean: 2700, SD: 1500}, Officers: 3, Deterrable: 0.8},
			{Name: "dispute", Priority: 2, Share: 0.4, OnScene: Dist{Kind: Exponential, Mean: 1500}, Officers: 2, Deterrable: 0.3},
			{Name: "theft", Priority: 2, Share: 0.2, OnScene: Dist{Kind: Exponential, Mean: 1800}, Officers: 1, Deterrable: 0.6},
			{Name: "assist", Priority: 3, Share: 0.3, OnScene: Dist{Kind: Fixed, Mean: 1200}, Officers: 1},
		},
	}
	for h := range inc.HourOfDay {
		inc.HourOfDay[h] = 1 + 0.5*math.Sin(float64(h)/24*2*math.Pi)
	}
	for d := range inc.DayOfWeek {
		inc.DayOfWeek[d] = 1 + 0.05*float64(d)
	}
	return inc
}

// fingerprintConfig completes a config on city with the force, incidents
// and every reporting and deterrence mechanism.
func fingerprintConfig(city *geo.City, travel geo.Travel, perDay float64) *Config {
	return &Config{
		Name: "fingerprint", City: city, Travel: travel,
		Duration: 6 * 86400, Warmup: 86400,
		Incidents: fingerprintIncidents(perDay),
		Units:     fingerprintUnits(),
		Dispatch: Dispatch{Delay: Dist{Kind: Exponential, Mean: 60}, MutualAid: true,
			Levels: []Level{{"city", Dist{Mean: 45}}, {"district", Dist{Kind: Exponential, Mean: 60}}, {"station", Dist{Kind: Exponential, Mean: 90}}}},
		Targets: [4]float64{0, 300, 600, 1800},
		Deterrence: Deterrence{On: true, RadiusM: 200, HalfPresence: 4, Tau: 3600, DoseMin: 120, DoseFull: 900,
			SpaceShare: 0.15, TimeShare: 0.1, TimeShift: Dist{Kind: Exponential, Mean: 6 * 3600}, VisibleAbove: 1},
		NearRepeat:    policy.NearRepeat{Offspring: 0.3, Decay: 2 * 86400, RadiusM: 350},
		OnViewRadiusM: 50,
		Observers:     Observers{PerKm2: 30, RadiusM: 50, Delay: Dist{Kind: Exponential, Mean: 120}},
	}
}

// fingerprintGrid is a 10 × 12 grid of 400 m cells in 3 districts, with
// posts and two patrol routes.
func fingerprintGrid(t testing.TB) *Config {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: 10, Cols: 12, CellM: 400, Districts: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []geo.Point{{X: 700, Y: 900}, {X: 2500, Y: 2100}, {X: 4100, Y: 3300}} {
		city.AddPost(fmt.Sprintf("station %d", i), "station", p)
	}
	for i, p := range []geo.Point{{X: 1200, Y: 1200}, {X: 2000, Y: 3600}, {X: 3000, Y: 600}, {X: 4400, Y: 2800}} {
		city.AddPost(fmt.Sprintf("platform %d", i), "platform", p)
	}
	for _, r := range []struct {
		kind string
		path []geo.Point
	}{
		{"car", []geo.Point{{X: 200, Y: 200}, {X: 1500, Y: 200}, {X: 1500, Y: 3800}, {X: 200, Y: 3800}, {X: 200, Y: 200}}},
		{"car", []geo.Point{{X: 2600, Y: 500}, {X: 4600, Y: 3500}}},
		{"bike", []geo.Point{{X: 1700, Y: 2000}, {X: 3100, Y: 2000}, {X: 3100, Y: 2400}}},
	} {
		if err := city.AddRoute(r.kind, r.kind, r.path); err != nil {
			t.Fatal(err)
		}
	}
	if err := city.Finish(); err != nil {
		t.Fatal(err)
	}
	return fingerprintConfig(city, geo.Travel{Metric: geo.Manhattan, Detour: 1.2}, 160)
}

// fingerprintRoads is a city of 6 × 6 cells of 0.006° (about 500 × 670 m)
// near Jinzhou in 2 districts, on a lattice of local streets every 0.003°
// with a primary road across and a secondary one up the middle, and travel
// on those roads.
func fingerprintRoads(t testing.TB) *Config {
	t.Helper()
	const lon0, lat0, d = 121.10, 41.10, 0.006
	var fs []string
	for r := range 6 {
		for c := range 6 {
			x0, y0 := lon0+float64(c)*d, lat0+float64(r)*d
			fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"name":"a%d-%d","district":"D%d"},"geometry":{"type":"Polygon","coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}`,
				r, c, c/3, x0, y0, x0+d, y0, x0+d, y0+d, x0, y0+d, x0, y0))
		}
	}
	city, err := geo.FromGeoJSON([]byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`),
		geo.AreaFields{Name: "name", District: "district"})
	if err != nil {
		t.Fatal(err)
	}
	for i, ll := range [][2]float64{{121.107, 41.108}, {121.125, 41.121}, {121.131, 41.103}} {
		city.AddPost(fmt.Sprintf("station %d", i), "station", city.ProjectLonLat(ll[0], ll[1]))
	}
	for i, ll := range [][2]float64{{121.112, 41.113}, {121.119, 41.129}, {121.128, 41.111}, {121.133, 41.126}} {
		city.AddPost(fmt.Sprintf("platform %d", i), "platform", city.ProjectLonLat(ll[0], ll[1]))
	}
	if err := city.Finish(); err != nil {
		t.Fatal(err)
	}
	var roads []string
	line := func(class string, xy ...float64) {
		var pts []string
		for i := 0; i+1 < len(xy); i += 2 {
			pts = append(pts, fmt.Sprintf("[%.6f,%.6f]", xy[i], xy[i+1]))
		}
		roads = append(roads, fmt.Sprintf(`{"type":"Feature","properties":{"LINEARID":"%d","MTFCC":%q},"geometry":{"type":"LineString","coordinates":[%s]}}`,
			len(roads), class, strings.Join(pts, ",")))
	}
	const n, step = 13, d / 2
	for k := range n {
		class := "S1400"
		if k == 4 {
			class = "S1100"
		}
		var h, v []float64
		for j := range n {
			h = append(h, lon0+float64(j)*step, lat0+float64(k)*step)
			v = append(v, lon0+float64(k)*step, lat0+float64(j)*step)
		}
		line(class, h...)
		if k == 6 {
			class = "S1200"
		}
		line(class, v...)
	}
	net, err := city.RoadsFromGeoJSON([]byte(`{"type":"FeatureCollection","features":[`+strings.Join(roads, ",")+`]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	table, err := geo.NewRoadTable(net, 500, geo.DefaultRoadSpeeds["S1400"])
	if err != nil {
		t.Fatal(err)
	}
	cfg := fingerprintConfig(city, geo.Travel{Roads: table}, 100)
	cfg.Units[4].Count = 36
	return cfg
}

// TestReusedStorage: a run on storage left by other runs (larger ones, of
// other cities, with stale incidents and lists of units beyond what it
// uses) reports exactly what a run on fresh storage does.
func TestReusedStorage(t *testing.T) {
	small := fingerprintGrid(t)
	small.Duration = 2 * 86400
	busy := fingerprintGrid(t)
	busy.Incidents = fingerprintIncidents(420)
	roads := fingerprintRoads(t)
	hashOf := func(cfg *Config, name string, mode Mode) string {
		h := fnv.New64a()
		v := variantsFor(t, cfg, name)[0]
		v.Mode = mode
		st, err := v.Run(context.Background(), Generate(cfg, 5, 1), 5, 1, &hashRecorder{h: h})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%d", st.Events)
		return fmt.Sprintf("%016x", h.Sum64())
	}
	drain := func() {
		runPool.Lock()
		runPool.free = nil
		runPool.Unlock()
	}
	for _, mode := range []Mode{PointToPoint, Hierarchical} {
		drain()
		fresh := hashOf(small, "follow-incidents", mode)
		drain()
		hashOf(busy, "random", Hierarchical)
		hashOf(roads, "static-beats", PointToPoint)
		if got := hashOf(small, "follow-incidents", mode); got != fresh {
			t.Errorf("%v: on reused storage %s, on fresh storage %s", mode, got, fresh)
		}
	}
}
