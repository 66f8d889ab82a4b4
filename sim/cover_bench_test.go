package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/patrolsim/patrolsim/sim/geo"
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
	cands, vs := scaleVariants(b, 1)
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

// TestCoverGridExact: how coverage samples search changes no answer:
// samples with the defaults equal those of a grid of one cell (every unit
// reads every atom, still through the bounds of its type), of units that
// stand again where they stood computing their atoms again (coverReuse
// off), of standing units searching the cells near them rather than their
// atom's list (coverLists off) or testing every atom of the list
// (coverSure off), of units on the way searching the cells
// near them however few atoms are left (coverOpen 0, or 3), and of trying every
// free unit for every atom without any bound (coverBrute), on
// BenchmarkScale's ×4 city (612 units, 2 days, both of its variants),
// under its Manhattan travel and under Euclidean travel.
func TestCoverGridExact(t *testing.T) {
	for _, metric := range []geo.Metric{geo.Manhattan, geo.Euclidean} {
		cfg := scaledConfig(t, 4)
		cfg.Duration = 2 * 86400
		cfg.Travel.Metric = metric
		cands := Generate(cfg, 1, 0)
		for _, v := range exactnessVariants(t, cfg) {
			coverSearchesAgree(t, fmt.Sprintf("%v %s", metric, v.Name), v, cands, []func(){
				func() {},
				func() { coverCells = 1 },
				func() { coverReuse = false },
				func() { coverLists = false },
				func() { coverSure = false },
				func() { coverOpen = 0 },
				func() { coverOpen = 3 },
				func() { coverBrute = true },
			})
		}
	}
}

// TestCoverRoadsExact: on roads (TestFingerprint's road city, 2 days),
// coverage samples from the zones' lists, their bounds deciding most atoms
// without a travel time, and units on the way passed over when their
// leg's box is beyond reach of every atom left, equal the samples without
// the lists (coverZones off: the atom's lists and the cells near a unit),
// without the bounds' sure side (coverZoneSure off), without the nodes'
// distance deciding (coverZoneWithin off), with every unit on
// the way trying the cells (coverOpen 0, or 3), and of trying every free
// unit for every atom without any bound (coverBrute).
func TestCoverRoadsExact(t *testing.T) {
	cfg := fingerprintRoads(t)
	cfg.Duration = 2 * 86400
	cands := Generate(cfg, 1, 0)
	for _, v := range exactnessVariants(t, cfg) {
		coverSearchesAgree(t, v.Name, v, cands, []func(){
			func() {},
			func() { coverZones = false },
			func() { coverZoneSure = false },
			func() { coverZoneWithin = false },
			func() { coverZoneSure, coverZoneWithin = false, false },
			func() { coverOpen = 0 },
			func() { coverOpen = 3 },
			func() { coverBrute = true },
		})
	}
}

// coverSearchesAgree runs variant v on cands once with each of sets (each
// changes how coverage samples search, and every such setting is restored
// after it) and fails unless every run's coverage samples are the same.
func coverSearchesAgree(t *testing.T, name string, v Variant, cands []Candidate, sets []func()) {
	t.Helper()
	var sums []uint64
	var samples int
	for _, set := range sets {
		func() {
			defer func(cells, open int, reuse, lists, sure, brute, zones, zoneSure, within bool) {
				coverCells, coverOpen, coverReuse, coverLists, coverSure, coverBrute = cells, open, reuse, lists, sure, brute
				coverZones, coverZoneSure, coverZoneWithin = zones, zoneSure, within
			}(coverCells, coverOpen, coverReuse, coverLists, coverSure, coverBrute, coverZones, coverZoneSure, coverZoneWithin)
			set()
			rec := &splitRecorder{records: &hashRecorder{h: fnv.New64a()}, cover: &coverHashRecorder{hashRecorder{h: fnv.New64a()}}}
			if _, err := v.Run(context.Background(), cands, 1, 0, rec); err != nil {
				t.Fatal(err)
			}
			sums, samples = append(sums, rec.cover.h.Sum64()), rec.samples
		}()
	}
	if samples == 0 {
		t.Fatalf("%s: no coverage samples", name)
	}
	for i := 1; i < len(sums); i++ {
		if sums[i] != sums[0] {
			t.Errorf("%s: coverage samples differ between the searches (%x)", name, sums)
			break
		}
	}
}
