package run

import (
	"math"
	"slices"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

// replayed is a recorder that also measures the simulated response of the
// replayed incidents whose log records a response time, for the
// recorded-versus-simulated comparison (results.RecordedResponse).
type replayed struct {
	sim.Recorder
	recorded []float64 // by candidate id: the log's response time, seconds (NaN: none)
	warmup   float64
	sum      float64 // simulated response (call → first on scene), seconds
	n        int
}

func (r *replayed) Incident(rec *sim.IncidentRecord) {
	if rec.ID < len(r.recorded) && rec.Origin == sim.Background && !math.IsNaN(r.recorded[rec.ID]) &&
		rec.Occur >= r.warmup && !math.IsNaN(rec.Arrive) {
		r.sum += rec.Arrive - rec.Call
		r.n++
	}
	r.Recorder.Incident(rec)
}

// Finish passes the end of the run on to the recorder it wraps (the
// collector lets its times go and pools its areas' then).
func (r *replayed) Finish() {
	if f, ok := r.Recorder.(sim.Finisher); ok {
		f.Finish()
	}
}

// replayInfo makes the results' description of s's replay (nil when its
// incidents are drawn), with the recorded-versus-simulated comparison from
// the per-run measurements meas[v][i] (nil when the log records no
// response time).
func replayInfo(s *scenarios.Scenario, meas [][]*replayed) *results.Replay {
	rs := s.Replay
	if rs == nil {
		return nil
	}
	out := &results.Replay{Header: rs.Header(), File: rs.File, Start: rs.Start.Format("2006-01-02 15:04"), End: rs.End.Format("2006-01-02 15:04"),
		Rows: rs.Rows, Duplicates: rs.Duplicates, OutsideWindow: rs.OutsideWindow, OutsideCity: rs.OutsideCity,
		Incidents: rs.Incidents, Defaulted: rs.Defaulted}
	for _, c := range rs.Unknown {
		out.Unknown = append(out.Unknown, results.CategoryJSON{Category: c.Category, Count: c.Count})
	}
	if rs.Response == nil || meas == nil {
		return out
	}
	var rec []float64
	for i, t := range rs.Response {
		if !math.IsNaN(t) && s.Config.Incidents.Replay.Incidents[i].Occur >= s.Config.Warmup {
			rec = append(rec, t)
		}
	}
	rr := &results.RecordedResponse{Incidents: len(rec), MeanS: math.NaN(), P90S: math.NaN()}
	if len(rec) > 0 {
		total := 0.0
		for _, t := range rec {
			total += t
		}
		rr.MeanS = total / float64(len(rec))
		slices.Sort(rec)
		rr.P90S = rec[max(0, int(math.Ceil(0.9*float64(len(rec))))-1)] // nearest rank
	}
	for _, runs := range meas {
		means := make([]float64, len(runs))
		reached := 0.0
		for i, m := range runs {
			means[i] = math.NaN()
			if m.n > 0 {
				means[i] = m.sum / float64(m.n)
			}
			reached += float64(m.n)
		}
		rr.Simulated = append(rr.Simulated, results.EstimateOf(means))
		rr.Reached = append(rr.Reached, reached/float64(max(1, len(runs))))
	}
	out.Recorded = rr
	return out
}
