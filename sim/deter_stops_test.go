package sim

import (
	"context"
	"hash/fnv"
	"testing"
)

// TestPresenceStops: what the presence samples read of the units from
// pres.stops (kept by placed) is what the units' records hold at every
// sample (checkStops), and leave's visibility from the unit's type
// (visTypes) changes no record, bit for bit, against r.vis: on
// BenchmarkScale's ×1 city (both of its variants, 10 days; platforms and
// community teams go off and on duty daily), with diffusion to
// neighbours.
func TestPresenceStops(t *testing.T) {
	cfg := scaledConfig(t, 1)
	cfg.Deterrence.Diffusion = 0.5
	cands := Generate(cfg, 1, 0)
	defer func(c, v bool) { checkStops, visTypes = c, v }(checkStops, visTypes)
	checkStops = true
	for _, v := range exactnessVariants(t, cfg) {
		var sums []uint64
		for _, byType := range []bool{false, true} {
			visTypes = byType
			rec := &hashRecorder{h: fnv.New64a()}
			if _, err := v.Run(context.Background(), cands, 1, 0, rec); err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			sums = append(sums, rec.h.Sum64())
		}
		if sums[0] != sums[1] {
			t.Errorf("%s: records differ with visibility by type (%x)", v.Name, sums)
		}
	}
}
