package run

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

// replayLog is a made-up log of n incidents over 3 days on the 3 km square
// grid city of replayScenario, with some priorities, on-scene times and
// recorded response times; it returns the CSV and the recorded values
// (NaN where the cell is empty), by row.
type logRow struct {
	at            time.Time
	x, y          float64
	kind          string
	prio          int
	scene, respMn float64
}

func replayLog(n int) (string, []logRow) {
	r := rand.New(rand.NewPCG(17, 1))
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("when,x,y,kind,prio,scene,resp\n")
	var rows []logRow
	for range n {
		row := logRow{at: start.Add(time.Duration(r.IntN(3*86400)) * time.Second), x: 3000 * r.Float64(), y: 3000 * r.Float64(),
			kind: []string{"a", "b"}[r.IntN(2)], scene: math.NaN(), respMn: math.NaN()}
		prio, scene, resp := "", "", ""
		if r.IntN(4) == 0 {
			row.prio = 1
			prio = "1"
		}
		if r.IntN(3) == 0 {
			row.scene = float64(5 + r.IntN(40))
			scene = strconv.Itoa(int(row.scene))
		}
		if r.IntN(2) == 0 {
			row.respMn = float64(1+r.IntN(200)) / 10
			resp = strconv.FormatFloat(row.respMn, 'f', 1, 64)
		}
		fmt.Fprintf(&b, "%s,%.1f,%.1f,%s,%s,%s,%s\n", row.at.Format("2006-01-02T15:04:05"), row.x, row.y, row.kind, prio, scene, resp)
		rows = append(rows, row)
	}
	return b.String(), rows
}

// replayScenario loads a replay of log on a 6 × 6 grid of 500 m cells
// with two variants that dispatch differently: random patrol and
// point-to-point, static beats and hierarchical.
func replayScenario(t *testing.T, log, extra string) *scenarios.Scenario {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "log.csv"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := `version: 1
name: replay-crn
seed: 5
duration: 3d
warmup: 0s
replications: 2
city: {grid: {rows: 6, cols: 6, cell_m: 500, districts: 2}}
incidents:
  replay: log.csv
  columns: {time: when, time_layout: "%Y-%m-%dT%H:%M:%S", x_m: x, y_m: y, type: kind, priority: prio, on_scene_min: scene, response_min: resp}
  report_delay: {dist: exponential, mean: 5m}
  types:
    - {name: a, priority: 2, on_scene: {dist: exponential, mean: 20m}, deterrable: 1}
    - {name: b, priority: 3, on_scene: {dist: exponential, mean: 30m}}
units: [{name: car, count: 6, squad: 1, speed_kmh: 30, home: district}]
reporting: {on_view_radius_m: 0}
variants:
  - {name: random, policy: random}
  - {name: beats, policy: static-beats, dispatch: hierarchical}
` + extra
	if err := os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.LoadFile(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReplayCRN: common random numbers across variants. Two variants that
// dispatch differently play, in each replication, the same replayed
// incidents with the same drawn attributes (reporting delay, on-scene
// time) and the log's own (time, place, type, priority, on-scene time);
// only the dispatch differs. A second replication plays the same log with
// other draws.
func TestReplayCRN(t *testing.T) {
	const n = 300
	log, rows := replayLog(n)
	s := replayScenario(t, log, "deterrence: {enabled: false}\n")
	res, err := Execute(context.Background(), s, Options{Workers: 2, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	// The recorder that measures the replayed responses passes the run's
	// end on: the collector let its times go, its areas' into the pool.
	if res.replay == nil || res.RunDetails(0, 0).AtomResps != nil {
		t.Error("a replay run kept its response times by area: its collector was not told the run finished")
	}
	// by[variant][rep][id]
	by := map[string]map[int]map[int]*sim.IncidentRecord{}
	for i := range res.Trace {
		tr := &res.Trace[i]
		if by[tr.Variant] == nil {
			by[tr.Variant] = map[int]map[int]*sim.IncidentRecord{}
		}
		if by[tr.Variant][tr.Rep] == nil {
			by[tr.Variant][tr.Rep] = map[int]*sim.IncidentRecord{}
		}
		by[tr.Variant][tr.Rep][tr.Rec.ID] = &tr.Rec
	}
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC) // the first day of the log: the run's default start
	rec := s.Config.Incidents.Replay.Incidents
	if len(rec) != n {
		t.Fatalf("%d incidents replayed, want all %d", len(rec), n)
	}
	dispatchDiffers := 0
	for rep := range 2 {
		a, b := by["random"][rep], by["beats"][rep]
		if len(a) != n || len(b) != n {
			t.Fatalf("replication %d: %d and %d incidents in the traces, want %d each (no deterrence, no near repeats)", rep, len(a), len(b), n)
		}
		for id := range n {
			x, y := a[id], b[id]
			scene := func(r *sim.IncidentRecord) float64 { return r.Clear - r.Full } // one officer needed: the on-scene time
			if x.Occur != y.Occur || x.Call != y.Call || x.Type != y.Type || x.Priority != y.Priority || x.Pos != y.Pos ||
				math.Abs(scene(x)-scene(y)) > 1e-6 {
				t.Fatalf("rep %d, incident %d differs between variants: %+v\nvs %+v", rep, id, *x, *y)
			}
			if x.Arrive != y.Arrive || fmt.Sprint(x.Units) != fmt.Sprint(y.Units) {
				dispatchDiffers++
			}
			// The log's own values, whatever is drawn. The rows are
			// played in time order: find this one's.
			r := rec[id]
			if x.Occur != r.Occur {
				t.Fatalf("rep %d, incident %d occurs at %v s, the log says %v s", rep, id, x.Occur, r.Occur)
			}
			if r.Priority != 0 && x.Priority != int(r.Priority) || r.Priority == 0 && x.Priority != s.Config.Incidents.Types[x.Type].Priority {
				t.Errorf("rep %d, incident %d: priority %d, recorded %d", rep, id, x.Priority, r.Priority)
			}
			if !math.IsNaN(r.OnScene) && math.Abs(scene(x)-r.OnScene) > 1e-6 {
				t.Errorf("rep %d, incident %d: on scene %v s, recorded %v s", rep, id, scene(x), r.OnScene)
			}
		}
	}
	if dispatchDiffers < n/4 {
		t.Errorf("only %d of %d×2 incidents dispatched differently by the two variants: are they different?", dispatchDiffers, n)
	}
	// The log's rows, in time order, are the replayed incidents.
	matched := 0
	for _, row := range rows {
		occur := row.at.Sub(start).Seconds()
		for id := range rec {
			if rec[id].Occur == occur && math.Abs(rec[id].Pos.X-row.x) < 0.06 && math.Abs(rec[id].Pos.Y-row.y) < 0.06 {
				matched++
				break
			}
		}
	}
	if matched != n {
		t.Errorf("%d of the log's %d rows found among the replayed incidents", matched, n)
	}
	// --replications varies what is drawn only: the same incidents, other
	// reporting delays.
	same, other := 0, 0
	r0, r1 := by["random"][0], by["random"][1]
	for id := range n {
		if r0[id].Occur != r1[id].Occur || r0[id].Pos != r1[id].Pos || r0[id].Type != r1[id].Type {
			t.Fatalf("incident %d differs between replications in what the log gives", id)
		}
		if r0[id].Call-r0[id].Occur == r1[id].Call-r1[id].Occur {
			same++
		} else {
			other++
		}
	}
	if other < n*9/10 {
		t.Errorf("reporting delays: %d the same, %d different between replications; want nearly all different (drawn)", same, other)
	}

	// Recorded vs simulated: the recorded mean is the log's (warm-up 0:
	// every row with a response time).
	rr := res.Summary.Replay.Recorded
	var sum float64
	var k int
	for _, row := range rows {
		if !math.IsNaN(row.respMn) {
			sum += row.respMn * 60
			k++
		}
	}
	if rr == nil || rr.Incidents != k || math.Abs(rr.MeanS-sum/float64(k)) > 1e-9 {
		t.Fatalf("recorded response %+v, want %d incidents with mean %v s", rr, k, sum/float64(k))
	}
	for v, e := range rr.Simulated {
		if !(e.Mean > 0) || !(e.Low <= e.Mean && e.Mean <= e.High) || rr.Reached[v] != float64(k) {
			t.Errorf("variant %d: simulated %+v over %v reached, want a positive mean with its interval over all %d", v, e, rr.Reached[v], k)
		}
	}
	var table strings.Builder
	if err := res.Summary.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"incidents: replayed from log.csv (300 incidents, 2024-03-04 … 2024-03-06)", "recorded (the log)", "own definition"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
	doc := res.Summary.Document()
	if doc.Incidents == nil || doc.Incidents.Source != "replay" || doc.Incidents.Incidents != n || doc.Incidents.Recorded == nil {
		t.Errorf("results.json incidents block: %+v", doc.Incidents)
	}
}

// deterCount counts, per run, the replayed incidents realised and those
// presence suppressed, and the displaced incidents realised.
type deterCount struct {
	n                             int // replayed candidates
	realised, suppressed, movedIn int
	space, time, again            int // replayed ones displaced in space, in time; displaced ones suppressed again
}

func (d *deterCount) Incident(r *sim.IncidentRecord) {
	switch {
	case r.ID < d.n && r.Origin == sim.Background:
		d.realised++
	case r.Origin == sim.DisplacedSpace || r.Origin == sim.DisplacedTime:
		d.movedIn++
	}
}
func (d *deterCount) Deterred(r *sim.DeterRecord) {
	if r.Origin != sim.Background {
		d.again++
		return
	}
	d.suppressed++
	switch r.Outcome {
	case sim.MovedSpace:
		d.space++
	case sim.MovedTime:
		d.time++
	}
}
func (*deterCount) Busy(int, float64, float64)   {}
func (*deterCount) OnDuty(int, float64, float64) {}
func (*deterCount) Presence(float64, []float64)  {}

// TestReplayDeterrence: presence acts on replayed incidents as on drawn
// ones: every replayed incident is either realised or suppressed (a
// prevented one is gone; a displaced one comes back as a new incident
// elsewhere or later, as a drawn one does: sim/deter.go), and some are.
func TestReplayDeterrence(t *testing.T) {
	const n = 300
	log, _ := replayLog(n)
	s := replayScenario(t, log, "deterrence: {enabled: true, radius_m: 1500, half_presence: 0.5, displaced_space: 0.3, displaced_time: 0.3}\n")
	counts := make([]*deterCount, 4)
	_, err := sim.ReplicateList(context.Background(), s.Variants, s.File.Seed, []int{0, 1}, 1, func(i, v int) sim.Recorder {
		counts[i*2+v] = &deterCount{n: n}
		return counts[i*2+v]
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range counts {
		if c.realised+c.suppressed != n {
			t.Errorf("run %d: %d realised + %d suppressed, want the %d replayed", k, c.realised, c.suppressed, n)
		}
		// A displaced incident is a new candidate, realised or suppressed
		// in its turn: one for each displaced in space, at most one for
		// each displaced in time (none past the end of the run).
		if c.space == 0 || c.time == 0 || c.suppressed <= c.space+c.time {
			t.Errorf("run %d: %d suppressed, %d displaced in space, %d in time: want some of each, and some prevented", k, c.suppressed, c.space, c.time)
		}
		if back := c.movedIn + c.again; back < c.space || back > c.space+c.time {
			t.Errorf("run %d: %d displaced incidents came back (%d realised, %d suppressed again), want between %d and %d",
				k, back, c.movedIn, c.again, c.space, c.space+c.time)
		}
	}
}

var _ sim.Recorder = (*deterCount)(nil)

// TestReplayReproducible: a replay gives byte-identical results serial
// and parallel, and its hash covers the log (a changed log, a new hash).
func TestReplayReproducible(t *testing.T) {
	log, _ := replayLog(200)
	s := replayScenario(t, log, "")
	var docs [2]strings.Builder
	for k, workers := range []int{1, 2} {
		res, err := Execute(context.Background(), s, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Summary.WriteJSON(&docs[k]); err != nil {
			t.Fatal(err)
		}
	}
	if docs[0].String() != docs[1].String() {
		t.Error("results.json differs between 1 and 2 workers")
	}
	h1, err := Hash(s)
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(filepath.Dir(s.Path), "log.csv")
	if err := os.WriteFile(logPath, []byte(strings.Replace(log, ",a,", ",b,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if h2, err := Hash(s); err != nil || h2 == h1 {
		t.Errorf("hash %s after the log changed, %s before (%v): want a new one", h2, h1, err)
	}
}

// TestReplaySFRuns plays the README's San Francisco replay
// (docs/examples/sf-replay.yaml, deterrence off) for one replication:
// every incident of the log inside the city is played once in each
// variant, and the table says the incidents are replayed.
func TestReplaySFRuns(t *testing.T) {
	shareddata.Path(t, "sf/crime.csv") // skips without the data
	s, err := scenarios.LoadFile("../../docs/examples/sf-replay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.File.Replications = 1
	res, err := Execute(context.Background(), s, Options{Workers: 2, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	n := s.Replay.Incidents
	seen := map[string]map[int]bool{}
	for _, tr := range res.Trace {
		if seen[tr.Variant] == nil {
			seen[tr.Variant] = map[int]bool{}
		}
		seen[tr.Variant][tr.Rec.ID] = true
	}
	for _, v := range s.Variants {
		if len(seen[v.Name]) != n {
			t.Errorf("%s: %d incidents in the trace, want the %d replayed", v.Name, len(seen[v.Name]), n)
		}
	}
	var table strings.Builder
	if err := res.Summary.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("incidents: replayed from crime.csv (%s incidents, 2013-12-01 … 2013-12-31)", thousands(n))
	if !strings.Contains(table.String(), want) {
		t.Errorf("the table lacks %q:\n%s", want, table.String()[:min(len(table.String()), 400)])
	}
}

func thousands(n int) string { return fmt.Sprintf("%d,%03d", n/1000, n%1000) }

// TestReplayChicagoRuns plays the aggravated assaults of February 2019 on
// the Chicago police districts (956 rows dated 2019-02: `grep -c
// '^2019-02'` on the log) for one replication, deterrence off: every
// incident inside the city is played once in each variant.
func TestReplayChicagoRuns(t *testing.T) {
	log := shareddata.Path(t, "chicago/chicago_aggravated_assaults_2010_2019.csv")
	areas := shareddata.Path(t, "chicago/chicago_police_districts_2018.geojson")
	doc := `version: 1
name: chicago-replay
duration: 28d
warmup: 1d
replications: 1
city: {areas: ` + areas + `, fields: {name: Name, district: Name}}
incidents:
  replay: ` + log + `
  columns: {time: date, time_layout: "%Y-%m-%d %H:%M", lon: longitude, lat: latitude}
  start: 2019-02-01
  types: [{name: assault, priority: 1, officers: 2, crime: true}]
units: [{name: car, count: 50, squad: 2, speed_kmh: 30, home: district}]
deterrence: {enabled: false}
variants:
  - {name: beats, policy: static-beats, dispatch: hierarchical}
  - {name: random, policy: random}
`
	s, err := scenarios.LoadAt(filepath.Join(t.TempDir(), "chicago.yaml"), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Replay; r.Incidents+r.OutsideCity != 956 {
		t.Fatalf("%d played + %d outside the city, want the 956 of February 2019", r.Incidents, r.OutsideCity)
	}
	res, err := Execute(context.Background(), s, Options{Workers: 2, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, tr := range res.Trace {
		if tr.Rec.ID < s.Replay.Incidents {
			count[tr.Variant]++
		}
	}
	for _, v := range s.Variants {
		if count[v.Name] != s.Replay.Incidents {
			t.Errorf("%s: %d replayed incidents in the trace, want %d", v.Name, count[v.Name], s.Replay.Incidents)
		}
	}
}
