package results

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// variantOf is a variant of cfg with every unit type under the named policy
// and its default parameters.
func variantOf(t *testing.T, cfg *sim.Config, name string) sim.Variant {
	t.Helper()
	spec, ok := policy.Lookup(name)
	if !ok {
		t.Fatalf("no policy %s", name)
	}
	params, err := spec.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sim.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v := sim.Variant{Name: name, Model: m}
	for range cfg.Units {
		v.Policies = append(v.Policies, sim.PolicyChoice{Spec: spec, Params: params})
	}
	return v
}

// TestCoverageByHand: on a city of three 1 km cells in a row, weights 1, 2
// and 5, one car stands at a post in the middle of the first cell, on duty
// 00:00–12:00. It reaches the first cell's centre in its 30 s turnout, the
// second's in 30 + 1000 m / 10 m/s = 130 s, the third's in 230 s: within
// the 150 s target it covers the first two, (1 + 2) / 8 = 3/8 of demand.
// Samples every 600 s in [1 h, 2 d): 282 of them, 3600 … 172200 s; the car
// is on duty at 66 of the first day's (3600 … 42600) and 72 of the
// second's (86400 … 129000): at 43200 s its shift ends before the sample
// is taken (the shift event was scheduled first). So coverage is
// 3/8 × 138/282.
func TestCoverageByHand(t *testing.T) {
	city, err := geo.NewGrid(geo.GridSpec{Rows: 1, Cols: 3, CellM: 1000, Districts: 1})
	if err != nil {
		t.Fatal(err)
	}
	for a, w := range []float64{1, 2, 5} {
		city.Atoms[a].Weight = w
	}
	city.AddPost("post", "station", geo.Point{X: 500, Y: 500})
	if err := city.Finish(); err != nil {
		t.Fatal(err)
	}
	cfg := &sim.Config{
		City: city, Travel: geo.Travel{Metric: geo.Manhattan, Detour: 1},
		Duration: 2 * 86400, Warmup: 3600,
		Incidents: sim.Incidents{Types: []sim.IncidentType{{Name: "urgent", Priority: 1, Share: 1, Officers: 1}}},
		Units: []sim.UnitType{{Name: "car", Count: 1, Squad: 1, Speed: 10, PatrolSpeed: 10, Turnout: 30,
			ShiftLen: 12 * 3600, Home: policy.HomePost, Priorities: [4]bool{false, true, true, true}, Visibility: 1}},
		Targets: [4]float64{0, 150, 0, 0},
	}
	v := variantOf(t, cfg, "posts")
	c := NewCollector(v.Model)
	if _, err := v.Run(context.Background(), nil, 1, 0, c); err != nil {
		t.Fatal(err)
	}
	m, _ := Lookup("coverage")
	if got, want := c.Value(m), 3.0/8*138/282; math.Abs(got-want) > 1e-12 {
		t.Errorf("coverage: got %.15g, want 3/8 × 138/282 = %.15g", got, want)
	}
	if got := c.coverN; got != 282 {
		t.Errorf("coverage samples: got %d, want 282", got)
	}

	// Without a priority-1 target there is nothing to cover: no value.
	cfg.Targets[1] = 0
	v = variantOf(t, cfg, "posts")
	c = NewCollector(v.Model)
	if _, err := v.Run(context.Background(), nil, 1, 0, c); err != nil {
		t.Fatal(err)
	}
	if got := c.Value(m); !math.IsNaN(got) {
		t.Errorf("coverage without a P1 target: got %g, want NaN", got)
	}
}

// moveUpConfig is a city where one district's cars are often all busy: 6 ×
// 4 cells of 1 km in two districts of three cars each; the west district
// has four times the east's weight, so 80% of the calls, all priority 1,
// one car each for 45 minutes on average. A car covers what it reaches
// within 5 minutes (30 s turnout, then 30 km/h on a street grid: 2.25 km).
func moveUpConfig(t *testing.T) *sim.Config {
	t.Helper()
	city, err := geo.NewGrid(geo.GridSpec{Rows: 4, Cols: 6, CellM: 1000, Districts: 2})
	if err != nil {
		t.Fatal(err)
	}
	for a := range city.Atoms {
		if city.Atoms[a].District == 0 {
			city.Atoms[a].Weight = 4
		}
	}
	inc := sim.Incidents{PerDay: 40, ReportDelay: sim.Dist{Kind: sim.Fixed, Mean: 60},
		Types: []sim.IncidentType{{Name: "urgent", Priority: 1, Share: 1, Officers: 1,
			OnScene: sim.Dist{Kind: sim.Exponential, Mean: 45 * 60}}}}
	for h := range inc.HourOfDay {
		inc.HourOfDay[h] = 1
	}
	for d := range inc.DayOfWeek {
		inc.DayOfWeek[d] = 1
	}
	return &sim.Config{
		City: city, Travel: geo.Travel{Metric: geo.Manhattan, Detour: 1},
		Duration: 4 * 86400, Warmup: 43200,
		Incidents: inc,
		Units: []sim.UnitType{{Name: "car", Count: 6, Squad: 1, Speed: 30 / 3.6, PatrolSpeed: 15 / 3.6, Turnout: 30,
			ShiftLen: 86400, Home: policy.HomeDistrict, Priorities: [4]bool{false, true, true, true}, Visibility: 1}},
		Dispatch: sim.Dispatch{Delay: sim.Dist{Kind: sim.Fixed, Mean: 60}},
		Targets:  [4]float64{0, 300, 600, 1800},
	}
}

// moveUpRecorder is a Collector that also keeps, at each coverage sample,
// the share of the west district's areas covered, and every unit's busy
// intervals, so that the samples taken while the west's cars were all
// busy can be picked out afterwards.
type moveUpRecorder struct {
	*Collector
	west    []int // the west district's areas
	samples [][2]float64
	busy    [][][2]float64
}

func (r *moveUpRecorder) Cover(t float64, covered []bool) {
	r.Collector.Cover(t, covered)
	n := 0
	for _, a := range r.west {
		if covered[a] {
			n++
		}
	}
	r.samples = append(r.samples, [2]float64{t, float64(n) / float64(len(r.west))})
}

func (r *moveUpRecorder) Busy(u int, from, to float64) {
	r.Collector.Busy(u, from, to)
	r.busy[u] = append(r.busy[u], [2]float64{from, to})
}

// westWhenAllBusy is the mean covered share of the west's areas over the
// samples at which every west car (units whose home district is 0) was
// busy, and how many samples that was.
func (r *moveUpRecorder) westWhenAllBusy(m *sim.Model) (float64, int) {
	isBusy := func(u int, t float64) bool {
		for _, iv := range r.busy[u] {
			if iv[0] <= t && t < iv[1] {
				return true
			}
		}
		return false
	}
	var sum float64
	n := 0
	for _, s := range r.samples {
		all := true
		for u, unit := range m.World.Units {
			if unit.District == 0 && !isBusy(u, s[0]) {
				all = false
				break
			}
		}
		if all {
			sum += s[1]
			n++
		}
	}
	return sum / float64(n), n
}

// TestCoverBeatsStaticBeats: when the west district's cars are all busy,
// static beats leave it to the east's cars on their own beats, while cover
// moves free cars toward the gap. The west's coverage over the samples
// taken while its three cars were all busy, and coverage over the whole
// run, are compared replication by replication on common random numbers
// (the same incidents for both policies), and so is the share of
// priority-1 calls answered within the target. The test asks that the 95%
// confidence interval of each mean paired difference (Student t with n − 1
// degrees of freedom: the replications' differences are independent, and
// each a mean of many samples, near normal) lies above 0. The seed is
// fixed, so the test is deterministic; the tolerance is the interval
// itself, not a margin chosen to pass.
func TestCoverBeatsStaticBeats(t *testing.T) {
	cfg := moveUpConfig(t)
	beats, cover := variantOf(t, cfg, "static-beats"), variantOf(t, cfg, "cover")
	const reps, seed = 10, 2024
	cov, _ := Lookup("coverage")
	within, _ := Lookup("within_target_p1")
	west := cfg.City.Districts[0].Atoms
	var dWest, dCov, dWithin []float64
	allBusy := 0
	for rep := range reps {
		cands := sim.Generate(cfg, seed, rep)
		var vals [2][3]float64
		for k, v := range []sim.Variant{beats, cover} {
			r := &moveUpRecorder{Collector: NewCollector(v.Model), west: west, busy: make([][][2]float64, len(v.Model.World.Units))}
			if _, err := v.Run(context.Background(), cands, seed, rep, r); err != nil {
				t.Fatal(err)
			}
			w, n := r.westWhenAllBusy(v.Model)
			if n == 0 {
				t.Fatalf("%s, replication %d: the west's cars were never all busy at a sample; the test needs a busier city", v.Name, rep)
			}
			if k == 0 {
				allBusy += n
			}
			vals[k] = [3]float64{w, r.Value(cov), r.Value(within)}
		}
		dWest = append(dWest, vals[1][0]-vals[0][0])
		dCov = append(dCov, vals[1][1]-vals[0][1])
		dWithin = append(dWithin, vals[1][2]-vals[0][2])
	}
	t.Logf("static-beats: the west's cars all busy at %d of %d samples", allBusy, reps*int((cfg.Duration-cfg.Warmup)/sim.CoverEvery))
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: reps - 1}.Quantile(0.975)
	for _, d := range []struct {
		name string
		x    []float64
	}{{"west coverage while its cars are all busy", dWest}, {"coverage", dCov}, {"P1 within target", dWithin}} {
		mean, sd := stat.MeanStdDev(d.x, nil)
		hw := tq * sd / math.Sqrt(reps)
		t.Logf("%s, cover − static-beats: %+.4f [%+.4f, %+.4f] (share; %d paired replications)", d.name, mean, mean-hw, mean+hw, reps)
		if !(mean-hw > 0) {
			t.Errorf("%s, cover − static-beats: %+.4f [%+.4f, %+.4f]: want the 95%% interval above 0", d.name, mean, mean-hw, mean+hw)
		}
	}
}
