package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// osmExample returns the example scenario docs/examples/NAME.yaml on
// OpenStreetMap roads, loaded as if it were at its place (its road file is
// in the shared data beside the checkout: skipped when absent outside CI),
// with its duration and replications replaced, its travel line replaced
// by travel (unless empty), and its road file replaced by roads (unless
// empty).
func osmExample(tb testing.TB, name, roadsRel, duration, reps, travel, roads string) *scenarios.Scenario {
	tb.Helper()
	shareddata.Path(tb, roadsRel)
	path := filepath.Join("..", "..", "docs", "examples", name+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	doc := string(data)
	for _, r := range [][2]string{{"duration: 7d", "duration: " + duration}, {"replications: 4", "replications: " + reps}} {
		if !strings.Contains(doc, r[0]) {
			tb.Fatalf("%s: no %q to replace", path, r[0])
		}
		doc = strings.Replace(doc, r[0], r[1], 1)
	}
	roadsLine := "  roads: ../../../shared/data/" + roadsRel + "\n"
	if !strings.Contains(doc, "  model: road\n"+roadsLine) {
		tb.Fatalf("%s: no road travel to replace", path)
	}
	switch {
	case travel != "":
		doc = strings.Replace(doc, "travel:\n  model: road\n"+roadsLine, "travel: "+travel+"\n", 1)
	case roads != "":
		doc = strings.Replace(doc, roadsLine, "  roads: "+roads+"\n", 1)
	}
	s, err := scenarios.LoadAt(path, []byte(doc))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var osmExamples = []struct{ name, roads string }{
	{"baltimore", "osm/baltimore_central_2015.osm.pbf"},
	{"monaco", "osm/monaco_2016.osm.pbf"},
}

// TestOSMExamplesRun runs the README's OpenStreetMap examples (shortened
// to 2 days, 1 replication): they load, run on directed road tables, give
// the same bytes on one and two workers, and their mean travel time is
// within a factor of two of straight-line travel's (a loose sanity bound,
// as for San Francisco's TIGER roads).
func TestOSMExamplesRun(t *testing.T) {
	for _, ex := range osmExamples {
		t.Run(ex.name, func(t *testing.T) {
			road := osmExample(t, ex.name, ex.roads, "2d", "1", "", "")
			if rt := road.Config.Travel.Roads; rt == nil || !rt.Net.Directed() {
				t.Fatal("the example does not travel on a directed road network")
			}
			var docs [2][]byte
			var res [2]*run.Result
			for i, workers := range []int{1, 2} {
				r, err := run.Execute(context.Background(), road, run.Options{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				if err := r.Summary.WriteJSON(&b); err != nil {
					t.Fatal(err)
				}
				docs[i], res[i] = b.Bytes(), r
			}
			if !bytes.Equal(docs[0], docs[1]) {
				t.Fatal("results on OSM roads differ between 1 and 2 workers")
			}
			straight := osmExample(t, ex.name, ex.roads, "2d", "1", "{model: euclidean}", "")
			rs, err := run.Execute(context.Background(), straight, run.Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			k := rs.Summary.Index("travel_mean_s")
			for v := range rs.Summary.Variants {
				e, r := rs.Summary.Variants[v].Estimates[k].Mean, res[0].Summary.Variants[v].Estimates[k].Mean
				t.Logf("%s: mean travel %.1f s straight, %.1f s on roads", rs.Summary.Variants[v].Name, e, r)
				if !(r > 0.5*e && r < 2*e) {
					t.Errorf("%s: mean travel on roads %.1f s, straight %.1f s: more than a factor 2 apart", rs.Summary.Variants[v].Name, r, e)
				}
			}
		})
	}
}

// pbfPad returns a PBF blob of an unknown type ("pad", no data) repeated i
// times: appended to a PBF file it changes its bytes (and so its hash) but
// not what it holds, since readers skip blob types they do not know.
func pbfPad(i int) []byte {
	// BlobHeader{type (field 1) = "pad", datasize (field 3) = 0}
	hdr := []byte{0x0a, 3, 'p', 'a', 'd', 0x18, 0}
	var out []byte
	for range i {
		out = binary.BigEndian.AppendUint32(out, uint32(len(hdr)))
		out = append(out, hdr...)
	}
	return out
}

// BenchmarkBaltimoreRun is a whole run of the Baltimore example at the
// size of BenchmarkSanFranciscoRun (2 variants × 8 replications × 30
// days; the README's example runs 4 × 7 days), scenario loading included,
// with straight-line and with OpenStreetMap road travel: the ratio of the
// two is the slowdown of roads ("road": reading the road file and building
// the table included, once per run as on a first command-line run;
// "road-warm": the table read from the disk cache instead). It reports wall
// time (ns/op) and the process's CPU time (cpu-ms/op, all cores: less
// dependent on a shared machine's load). BenchmarkMonacoRun is the same
// for Monaco.
func BenchmarkBaltimoreRun(b *testing.B) { benchOSMRun(b, osmExamples[0].name, osmExamples[0].roads) }

func BenchmarkMonacoRun(b *testing.B) { benchOSMRun(b, osmExamples[1].name, osmExamples[1].roads) }

func benchOSMRun(b *testing.B, name, roadsRel string) {
	for _, tc := range []string{"straight", "road", "road-warm"} {
		b.Run(tc, func(b *testing.B) {
			roads := shareddata.Read(b, roadsRel)
			dir := b.TempDir()
			file := filepath.Join(dir, "roads.osm.pbf")
			if err := os.WriteFile(file, roads, 0o644); err != nil {
				b.Fatal(err)
			}
			travel := ""
			if tc == "straight" {
				travel = "{model: euclidean}"
			}
			if tc == "road-warm" {
				// The table read from the disk cache each time (the
				// process's cache forgotten), as by a later run.
				b.Setenv(scenarios.RoadCacheEnv, filepath.Join(dir, "cache"))
				scenarios.ForgetRoadTables()
				osmExample(b, name, roadsRel, "30d", "8", "", file)
			}
			i := 0
			cpu0, _ := cpuTime()
			for b.Loop() {
				scenarios.ForgetRoadTables()
				if tc == "road" {
					// A road file of other bytes each time (one more
					// empty blob), so that no cache serves it: every run
					// pays for reading and building, as a first
					// command-line run does.
					i++
					if err := os.WriteFile(file, append(roads, pbfPad(i)...), 0o644); err != nil {
						b.Fatal(err)
					}
				}
				s := osmExample(b, name, roadsRel, "30d", "8", travel, file)
				if _, err := run.Execute(context.Background(), s, run.Options{Workers: runtime.GOMAXPROCS(0)}); err != nil {
					b.Fatal(err)
				}
			}
			if cpu, ok := cpuTime(); ok {
				b.ReportMetric((cpu-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/op")
			}
		})
	}
}

// TestRoadCacheSameResults: a run whose road table is read from the disk
// cache gives the same bytes as the run that built it (Baltimore's
// example, 2 days, 1 replication).
func TestRoadCacheSameResults(t *testing.T) {
	t.Setenv(scenarios.RoadCacheEnv, t.TempDir())
	var docs [2][]byte
	for i, want := range []scenarios.RoadCacheStats{{Built: 1}, {Disk: 1}} {
		scenarios.ForgetRoadTables()
		before := scenarios.RoadCache()
		s := osmExample(t, "baltimore", osmExamples[0].roads, "2d", "1", "", "")
		got := scenarios.RoadCache()
		if got.Built-before.Built != want.Built || got.Disk-before.Disk != want.Disk {
			t.Fatalf("load %d: %+v then %+v, want %+v more", i+1, before, got, want)
		}
		r, err := run.Execute(context.Background(), s, run.Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.Summary.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		docs[i] = b.Bytes()
	}
	if !bytes.Equal(docs[0], docs[1]) {
		t.Fatal("results differ between the table built and the table read from the disk cache")
	}
}

// BenchmarkSanFranciscoRunCache is BenchmarkSanFranciscoRun (3 variants ×
// 8 replications × 30 days on TIGER roads) with the disk cache of road
// tables: "cold" pays for reading the road file, building the table and
// writing it to the cache (a first run); "warm" reads the table from the
// cache (every later run, and every sweep worker); "straight" is the
// straight-line run to compare with. Wall and CPU time per run.
func BenchmarkSanFranciscoRunCache(b *testing.B) {
	for _, tc := range []string{"straight", "cold", "warm"} {
		b.Run(tc, func(b *testing.B) {
			sfScenario(b, roadTravel, 30, 8) // skip early without the data
			roads := shareddata.Read(b, "sf/sf_roads_tiger2013.geojson")
			dir := b.TempDir()
			b.Setenv(scenarios.RoadCacheEnv, filepath.Join(dir, "cache"))
			file := filepath.Join(dir, "roads.geojson")
			if err := os.WriteFile(file, roads, 0o644); err != nil {
				b.Fatal(err)
			}
			travel := strings.ReplaceAll(roadTravel, "DIR/sf_roads_tiger2013.geojson", file)
			if tc == "straight" {
				travel = "{model: euclidean}"
			}
			if tc == "warm" {
				scenarios.ForgetRoadTables()
				sfScenario(b, travel, 30, 8) // fills the disk cache
			}
			i := 0
			cpu0, _ := cpuTime()
			for b.Loop() {
				scenarios.ForgetRoadTables()
				if tc == "cold" {
					// Other bytes each time (one more trailing space):
					// neither cache serves it.
					i++
					if err := os.WriteFile(file, append(roads, bytes.Repeat([]byte(" "), i)...), 0o644); err != nil {
						b.Fatal(err)
					}
				}
				s := sfScenario(b, travel, 30, 8)
				if _, err := run.Execute(context.Background(), s, run.Options{Workers: runtime.GOMAXPROCS(0)}); err != nil {
					b.Fatal(err)
				}
			}
			if cpu, ok := cpuTime(); ok {
				b.ReportMetric((cpu-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/op")
			}
		})
	}
}
