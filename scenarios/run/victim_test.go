package run

import (
	"bytes"
	"context"
	"testing"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
)

// TestTaxiAlliance: removing the taxi "patrol alliance" (the built-in
// city's observers) lengthens what a victim waits — occurrence → first
// unit on scene — significantly, paired on common random numbers (same
// seed, same incidents), while response time, which starts at the call,
// does not see it.
func TestTaxiAlliance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built-in city twice")
	}
	doc, fsys, err := scenarios.BuiltinFile("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	run := func(doc []byte) *results.Summary {
		s, err := scenarios.Load("builtin:jinzhou/scenario.yaml", doc, fsys)
		if err != nil {
			t.Fatal(err)
		}
		// 6: under hierarchical dispatch the reserve's queue makes the
		// paired differences noisier (3 left random-hier's interval at
		// [−3, +85] s).
		s.File.Replications = 6
		res, err := Execute(context.Background(), s, Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		return res.Summary
	}
	doc = bytes.Replace(doc, []byte("duration: 30d"), []byte("duration: 8d"), 1) // a week after the warm-up: enough
	with := run(doc)
	without := run(bytes.Replace(doc, []byte("observers: {per_km2: 37,"), []byte("observers: {per_km2: 0,"), 1))
	vw := with.Index("victim_wait_mean_s")
	for v := range with.Variants {
		x, y := make([]float64, len(with.Variants[v].Reps)), make([]float64, len(without.Variants[v].Reps))
		for r := range x {
			x[r], y[r] = without.Variants[v].Reps[r][vw], with.Variants[v].Reps[r][vw]
		}
		d := results.PairedDifference(x, y)
		if !(d.Low > 0) {
			t.Errorf("%s: victim's wait without − with the taxi alliance %+.1f s [%+.1f, %+.1f], want a significant increase",
				with.Variants[v].Name, d.Mean, d.Low, d.High)
		}
		if v == 0 {
			t.Logf("%s: victim's wait without − with the taxi alliance %+.1f s [%+.1f, %+.1f]", with.Variants[v].Name, d.Mean, d.Low, d.High)
		}
	}
}
