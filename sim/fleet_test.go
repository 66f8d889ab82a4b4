package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// testCommander keeps every unit at home and, at its first review at or
// after at, gives the orders moves; at every review it notes what the
// fleet shows of unit 0.
type testCommander struct {
	w     *policy.World
	f     policy.Fleet
	at    float64
	moves []policy.Move
	done  bool
	seen  []fleetSeen
}

type fleetSeen struct {
	now          float64
	pos, heading geo.Point
	status       policy.Status
}

func (c *testCommander) Next(now float64, u int, pos geo.Point, r *rand.Rand) policy.Order {
	return policy.Order{To: c.w.Units[u].At, Dwell: math.Inf(1), Atom: c.w.Units[u].Atom}
}

func (c *testCommander) Attach(f policy.Fleet) (policy.Review, error) {
	c.f = f
	return policy.Review{Every: 60}, nil
}

func (c *testCommander) Command(now float64, r *rand.Rand) []policy.Move {
	c.seen = append(c.seen, fleetSeen{now, c.f.Pos(0), c.f.Heading(0), c.f.Status(0)})
	if c.done || now < c.at {
		return nil
	}
	c.done = true
	return c.moves
}

// fleetConfig is a row of four 1 km cells in one district, two cars always
// on duty at the district base, the centre of cell 1 (1500, 500): of the
// two atoms nearest the district's centroid (2000, 500), the first.
func fleetConfig(t *testing.T) *Config {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 4, CellM: 1000, Districts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &Config{
		City: city, Travel: geo.Travel{Metric: geo.Manhattan, Detour: 1},
		Duration:  3600,
		Incidents: Incidents{Types: []IncidentType{{Name: "urgent", Priority: 1, Share: 1, Officers: 1}}},
		Units: []UnitType{{Name: "car", Count: 2, Squad: 1, Speed: 10, PatrolSpeed: 5, Turnout: 30,
			ShiftLen: 86400, Home: policy.HomeDistrict, Priorities: [4]bool{false, true, true, true}, Visibility: 1}},
		Targets: [4]float64{0, 300, 600, 1800},
	}
}

// runCommander plays cfg without incidents under c.
func runCommander(t *testing.T, cfg *Config, c *testCommander) error {
	t.Helper()
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.w = m.World
	spec := &policy.Spec{Name: "test", New: func(*policy.World, []int, policy.Values) (policy.Policy, error) { return c, nil }}
	v := Variant{Name: "test", Model: m, Policies: []PolicyChoice{{Spec: spec, Params: policy.Values{}}}}
	_, err = v.Run(context.Background(), nil, 1, 0, &hashRecorder{h: fnv.New64a()})
	return err
}

// TestRelocationHonoured: an order given at the review of 120 s sends car 0
// from the base (1500, 500) to (3500, 500) at its patrol speed, 5 m/s:
// 2000 m in 400 s, so at 180 s it is 300 m along and from 520 s on it is
// there; the fleet shows it where it is, heading there, and free, and car
// 1 stays at the base.
func TestRelocationHonoured(t *testing.T) {
	cfg := fleetConfig(t)
	to := geo.Point{X: 3500, Y: 500}
	c := &testCommander{at: 120, moves: []policy.Move{{Unit: 0, Order: policy.Order{To: to, Dwell: math.Inf(1), Atom: 3}}}}
	if err := runCommander(t, cfg, c); err != nil {
		t.Fatal(err)
	}
	base := geo.Point{X: 1500, Y: 500}
	want := map[float64]fleetSeen{
		60:   {60, base, base, policy.Free},
		120:  {120, base, base, policy.Free}, // seen before the order
		180:  {180, geo.Point{X: 1800, Y: 500}, to, policy.Free},
		480:  {480, geo.Point{X: 3300, Y: 500}, to, policy.Free},
		540:  {540, to, to, policy.Free},
		3540: {3540, to, to, policy.Free},
	}
	found := 0
	for _, s := range c.seen {
		if w, ok := want[s.now]; ok {
			found++
			if s.pos.Dist(w.pos) > 1e-9 || s.heading != w.heading || s.status != w.status {
				t.Errorf("at %g s: got %+v, want %+v", s.now, s, w)
			}
		}
	}
	if found != len(want) {
		t.Errorf("reviews seen at %d of the %d instants checked, want all (every 60 s)", found, len(want))
	}
}

// TestRelocationRefused: an order for a unit the policy does not govern,
// or for one that is not free (off duty after its 30-minute shift), stops
// the run with an error naming the unit.
func TestRelocationRefused(t *testing.T) {
	cases := []struct {
		name  string
		shift float64
		at    float64
		unit  int
		want  string
	}{
		{"not governed", 86400, 60, 7, "unit 7, which it does not govern"},
		{"negative", 86400, 60, -1, "unit -1, which it does not govern"},
		{"off duty", 1800, 1800, 1, "unit 1, which is not free"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fleetConfig(t)
			cfg.Units[0].ShiftLen = tc.shift
			c := &testCommander{at: tc.at, moves: []policy.Move{{Unit: tc.unit, Order: policy.Order{To: geo.Point{X: 500, Y: 500}, Dwell: 60}}}}
			err := runCommander(t, cfg, c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// coverHashRecorder is a hashRecorder that also hashes coverage samples.
type coverHashRecorder struct{ hashRecorder }

func (r *coverHashRecorder) Cover(t float64, covered []bool) {
	r.put(5, t)
	for _, c := range covered {
		r.put(b2f(c))
	}
}

// TestCoverageSamplesChangeNothing: a recorder that takes coverage samples
// sees every other record exactly as one that does not, and the run counts
// the same events: sampling is measurement, not model.
func TestCoverageSamplesChangeNothing(t *testing.T) {
	cfg := fingerprintGrid(t)
	cfg.Duration = 2 * 86400 // of the grid's 6 days: enough for every mechanism to happen
	for _, v := range variantsFor(t, cfg, "static-beats", "follow-incidents", "cover") {
		for _, mode := range []Mode{PointToPoint, Hierarchical} {
			v.Mode = mode
			cands := Generate(cfg, 3, 0)
			plain := &hashRecorder{h: fnv.New64a()}
			st1, err := v.Run(context.Background(), cands, 3, 0, plain)
			if err != nil {
				t.Fatal(err)
			}
			// The same records, and the samples only in their own hash.
			both := &coverHashRecorder{hashRecorder{h: fnv.New64a()}}
			records := &splitRecorder{records: &hashRecorder{h: fnv.New64a()}, cover: both}
			st2, err := v.Run(context.Background(), cands, 3, 0, records)
			if err != nil {
				t.Fatal(err)
			}
			if plain.h.Sum64() != records.records.h.Sum64() || st1 != st2 {
				t.Errorf("%s %v: records or stats differ with coverage samples (%+v, %+v)", v.Name, mode, st1, st2)
			}
			if records.samples == 0 {
				t.Errorf("%s %v: no coverage samples", v.Name, mode)
			}
		}
	}
}

// splitRecorder passes records to one recorder and coverage samples to
// another.
type splitRecorder struct {
	records *hashRecorder
	cover   *coverHashRecorder
	samples int
}

func (s *splitRecorder) Incident(r *IncidentRecord)           { s.records.Incident(r) }
func (s *splitRecorder) Busy(u int, from, to float64)         { s.records.Busy(u, from, to) }
func (s *splitRecorder) OnDuty(u int, from, to float64)       { s.records.OnDuty(u, from, to) }
func (s *splitRecorder) Deterred(d *DeterRecord)              { s.records.Deterred(d) }
func (s *splitRecorder) Presence(t float64, byAtom []float64) { s.records.Presence(t, byAtom) }
func (s *splitRecorder) Cover(t float64, covered []bool) {
	s.samples++
	s.cover.Cover(t, covered)
}

// TestCoverDeterministic: the cover policy, which relocates units at its
// reviews, gives byte-identical records and coverage samples when a run is
// repeated, and when replications run serially or in parallel.
func TestCoverDeterministic(t *testing.T) {
	cfg := fingerprintGrid(t)
	cfg.Duration = 2 * 86400
	vs := variantsFor(t, cfg, "cover")
	vh := vs[0]
	vh.Mode = Hierarchical
	vs = append(vs, vh)
	hashes := func(workers int) []uint64 {
		recs := make([]*coverHashRecorder, 2*len(vs))
		_, err := Replicate(context.Background(), vs, 5, 2, workers, func(j Job) Recorder {
			r := &coverHashRecorder{hashRecorder{h: fnv.New64a()}}
			recs[j.Rep*len(vs)+j.Variant] = r
			return r
		})
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, r := range recs {
			out = append(out, r.h.Sum64())
		}
		return out
	}
	a, b, c := hashes(1), hashes(1), hashes(2)
	if fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) != fmt.Sprint(c) {
		t.Errorf("hashes: serial %x, again %x, parallel %x; want identical", a, b, c)
	}
}

// BenchmarkCover plays a replication of the fingerprint grid (6 days, 120
// areas, 50 units) under static-beats and under cover, whose reviews at
// every dispatch and clearance are the cost of relocation; with a
// recorder that takes coverage samples, whose cost is measurement.
func BenchmarkCover(b *testing.B) {
	cfg := fingerprintGrid(b)
	cands := Generate(cfg, 3, 0)
	for _, v := range variantsFor(b, cfg, "static-beats", "cover") {
		for _, sampled := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/samples=%v", v.Name, sampled), func(b *testing.B) {
				var events uint64
				for b.Loop() {
					var rec Recorder = &hashRecorder{h: fnv.New64a()}
					if sampled {
						rec = &coverHashRecorder{hashRecorder{h: fnv.New64a()}}
					}
					st, err := v.Run(context.Background(), cands, 3, 0, rec)
					if err != nil {
						b.Fatal(err)
					}
					events += st.Events
				}
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
