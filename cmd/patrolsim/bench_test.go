package main

import (
	"context"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// BenchmarkDefaultScenario runs the built-in city, every variant, for two
// replications on one worker.
func BenchmarkDefaultScenario(b *testing.B) {
	s, err := scenarios.LoadBuiltin(scenarios.DefaultName)
	if err != nil {
		b.Fatal(err)
	}
	s.File.Replications = 2
	var events uint64
	for b.Loop() {
		res, err := Execute(context.Background(), s, 1, false)
		if err != nil {
			b.Fatal(err)
		}
		events += res.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
