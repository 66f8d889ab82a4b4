package sim

import (
	"context"
	"hash/fnv"
	"testing"
)

// coverNop is nopRecorder that also takes coverage samples (CoverRecorder),
// doing nothing with them: the cost of the samples alone.
type coverNop struct{ nopRecorder }

func (coverNop) Cover(t float64, covered []bool) {}

// BenchmarkCoverSamples measures what the coverage samples (every
// CoverEvery seconds, CoverRecorder) add to a run of a city like the
// built-in one: BenchmarkScale's ×1 city (built like builtin:jinzhou), 10
// days of its two variants, without a CoverRecorder ("off") and with one
// that does nothing with the samples ("on"). Compare cpu-ns/event with
// -cpu 1 (events are the model's, the same in both: samples are not
// counted as events).
func BenchmarkCoverSamples(b *testing.B) {
	cfg := scaledConfig(b, 1)
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
	for _, tc := range []struct {
		name string
		rec  Recorder
	}{{"off", nopRecorder{}}, {"on", coverNop{}}} {
		b.Run(tc.name, func(b *testing.B) {
			for _, v := range vs { // storage allocated before timing
				if _, err := v.Run(context.Background(), cands, 1, 0, tc.rec); err != nil {
					b.Fatal(err)
				}
			}
			var events uint64
			cpu0, cpuOK := cpuTime()
			for b.Loop() {
				for _, v := range vs {
					st, err := v.Run(context.Background(), cands, 1, 0, tc.rec)
					if err != nil {
						b.Fatal(err)
					}
					events += st.Events
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
			if cpu1, ok := cpuTime(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(events), "cpu-ns/event")
			}
		})
	}
}

// exactnessVariants are the two variants the exactness tests run on
// BenchmarkScale's city: incidents followed under GPS dispatch, and static
// beats under the command chain.
func exactnessVariants(t *testing.T, cfg *Config) []Variant {
	var out []Variant
	for _, c := range []struct {
		policy string
		mode   Mode
	}{{"follow-incidents", PointToPoint}, {"static-beats", Hierarchical}} {
		v := variantsFor(t, cfg, c.policy)[0]
		v.Mode = c.mode
		out = append(out, v)
	}
	return out
}

// TestCoverGridExact: how coverage samples search the free units changes
// no answer: samples with the defaults equal those of grids of one cell
// (every atom scans every free unit, still through the bound of each
// unit's type), of grids always or never (coverLinear), and of trying
// every free unit without any bound (coverBrute), on BenchmarkScale's ×4
// city (612 units, 2 days, both of its variants).
func TestCoverGridExact(t *testing.T) {
	cfg := scaledConfig(t, 4)
	cfg.Duration = 2 * 86400
	cands := Generate(cfg, 1, 0)
	for _, v := range exactnessVariants(t, cfg) {
		var sums []uint64
		var samples int
		for _, tc := range []struct {
			cells, linear int
			brute         bool
		}{{coverCells, coverLinear, false}, {1, coverLinear, false}, {coverCells, 0, false}, {coverCells, 1 << 30, false}, {coverCells, coverLinear, true}} {
			func() {
				defer func(cells, linear int, brute bool) {
					coverCells, coverLinear, coverBrute = cells, linear, brute
				}(coverCells, coverLinear, coverBrute)
				coverCells, coverLinear, coverBrute = tc.cells, tc.linear, tc.brute
				rec := &splitRecorder{records: &hashRecorder{h: fnv.New64a()}, cover: &coverHashRecorder{hashRecorder{h: fnv.New64a()}}}
				if _, err := v.Run(context.Background(), cands, 1, 0, rec); err != nil {
					t.Fatal(err)
				}
				sums, samples = append(sums, rec.cover.h.Sum64()), rec.samples
			}()
		}
		if samples == 0 {
			t.Fatalf("%s: no coverage samples", v.Name)
		}
		for i := 1; i < len(sums); i++ {
			if sums[i] != sums[0] {
				t.Errorf("%s: coverage samples differ between the searches (%x)", v.Name, sums)
				break
			}
		}
	}
}
