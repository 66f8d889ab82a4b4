package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/internal/shareddata"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// BenchmarkRoadSlowdown reports what road travel costs against straight
// lines, as ratios of processor time, for the two OpenStreetMap examples
// (Baltimore, Monaco: 2 variants × 8 replications × 30 days) and San
// Francisco on TIGER roads (3 variants × 8 replications × 30 days), each
// at the size of BenchmarkSanFranciscoRun, scenario loading included. Each
// iteration runs, one after the other, the scenario with straight-line
// travel (travel: {model: euclidean}), on roads from a road file no cache
// has seen ("cold": reading the file and building the table, as a first
// command-line run) and on roads with the table read from the disk cache
// ("warm": every later run, and every sweep worker). Running the three in
// turn within each iteration keeps the ratios steady on a shared machine,
// where the load drifts between runs of a benchmark. Metrics: cpu-ms of
// each, and road/straight and warm/straight (issue 19's target: a road
// run at most 2× the straight-line run).
func BenchmarkRoadSlowdown(b *testing.B) {
	type example struct {
		name, roads, ext string
		// scenario returns the example with travel (a travel line), or
		// on roads from the file roads.
		scenario func(tb testing.TB, travel, roads string) *scenarios.Scenario
		pad      func(data []byte, i int) []byte // other bytes, the same roads
	}
	osm := func(k int) example {
		ex := osmExamples[k]
		return example{ex.name, ex.roads, ".osm.pbf",
			func(tb testing.TB, travel, roads string) *scenarios.Scenario {
				return osmExample(tb, ex.name, ex.roads, "30d", "8", travel, roads)
			},
			func(data []byte, i int) []byte { return append(data, pbfPad(i)...) }}
	}
	sf := example{"sanfrancisco", "sf/sf_roads_tiger2013.geojson", ".geojson",
		func(tb testing.TB, travel, roads string) *scenarios.Scenario {
			if travel == "" {
				travel = strings.ReplaceAll(roadTravel, "DIR/sf_roads_tiger2013.geojson", roads)
			}
			return sfScenario(tb, travel, 30, 8)
		},
		func(data []byte, i int) []byte { return append(data, bytes.Repeat([]byte(" "), i)...) }}
	for _, ex := range []example{osm(0), osm(1), sf} {
		b.Run(ex.name, func(b *testing.B) {
			if _, ok := cpuTime(); !ok {
				b.Skip("no processor time on this system")
			}
			data := shareddata.Read(b, ex.roads)
			dir := b.TempDir()
			b.Setenv(scenarios.RoadCacheEnv, filepath.Join(dir, "cache"))
			warmFile := filepath.Join(dir, "warm"+ex.ext)
			coldFile := filepath.Join(dir, "cold"+ex.ext)
			if err := os.WriteFile(warmFile, data, 0o644); err != nil {
				b.Fatal(err)
			}
			scenarios.ForgetRoadTables()
			ex.scenario(b, "", warmFile) // fills the disk cache
			measure := func(s func() *scenarios.Scenario) time.Duration {
				c0, _ := cpuTime()
				scenarios.ForgetRoadTables()
				if _, err := run.Execute(context.Background(), s(), run.Options{Workers: runtime.GOMAXPROCS(0)}); err != nil {
					b.Fatal(err)
				}
				c1, _ := cpuTime()
				return c1 - c0
			}
			var straight, cold, warm time.Duration
			i := 0
			for b.Loop() {
				straight += measure(func() *scenarios.Scenario { return ex.scenario(b, "{model: euclidean}", "") })
				i++
				if err := os.WriteFile(coldFile, ex.pad(data, i), 0o644); err != nil {
					b.Fatal(err)
				}
				cold += measure(func() *scenarios.Scenario { return ex.scenario(b, "", coldFile) })
				warm += measure(func() *scenarios.Scenario { return ex.scenario(b, "", warmFile) })
			}
			ms := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(b.N) }
			b.ReportMetric(ms(straight), "straight-cpu-ms")
			b.ReportMetric(ms(cold), "road-cpu-ms")
			b.ReportMetric(ms(warm), "warm-cpu-ms")
			b.ReportMetric(float64(cold)/float64(straight), "road/straight")
			b.ReportMetric(float64(warm)/float64(straight), "warm/straight")
		})
	}
}
