package sim

import (
	"math"

	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/rng"
)

// Replay is a recorded incident log played instead of drawn arrivals: the
// when, where and what of every incident come from the log, in the log's
// order of time; what the log lacks is drawn as Generate draws it. Time 0
// is the start of the log's window (midnight of its first day by default),
// whatever its weekday: day 0 of a replay need not be a Monday.
type Replay struct {
	// Source names the log (its file name), for reports.
	Source string
	// Incidents are the recorded incidents inside the city and the run's
	// window, in time order (ties in the log's order).
	Incidents []Recorded
}

// Recorded is one incident of a log, placed in the run.
type Recorded struct {
	Occur float64 // seconds from the start of the run
	Pos   geo.Point
	Atom  int32
	Type  int16
	// Priority is the log's priority, 1 … 3; 0 takes the type's.
	Priority int8
	// OnScene is the log's on-scene time in seconds; NaN draws it from the
	// type's distribution.
	OnScene float64
}

// replayed returns the candidates of replication rep of the replay log of
// cfg: the recorded incidents, each with its on-scene time (when the log
// has none), reporting delay and incident seed drawn from the streams
// Generate uses, one draw of each per incident in the log's order, so the
// draws of one attribute never shift another's and every variant of a
// replication plays the same candidates (common random numbers). Only what
// is drawn differs between replications.
func replayed(cfg *Config, seed uint64, rep int) []Candidate {
	inc := &cfg.Incidents
	rSvc := rng.New(seed, rep, rng.Service)
	rRep := rng.New(seed, rep, rng.Report)
	rCmd := rng.New(seed, rep, rng.Command)
	out := make([]Candidate, 0, len(inc.Replay.Incidents))
	for i := range inc.Replay.Incidents {
		r := &inc.Replay.Incidents[i]
		if r.Occur >= cfg.Duration {
			break
		}
		c := Candidate{Occur: r.Occur, Pos: r.Pos, Atom: r.Atom, Type: r.Type, Priority: r.Priority}
		// Drawn even when recorded, so that a recorded on-scene time
		// does not shift the draws of the incidents after it.
		c.OnScene = inc.Types[r.Type].OnScene.Sample(rSvc)
		if !math.IsNaN(r.OnScene) {
			c.OnScene = r.OnScene
		}
		c.Report = inc.ReportDelay.Sample(rRep)
		c.Seed = rCmd.Uint64()
		out = append(out, c)
	}
	return out
}
