package hypercube

import (
	"context"
	"errors"
	"math"
	"slices"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// ComparedConfig is a copy of cfg under the hypercube's assumptions: one
// incident type of priority 1 needing one officer, exponential on-scene time
// with the mean of cfg's types, no reporting or command delay, no
// deterrence, on-view or observers, near-repeat offspring replaced by
// their long-run rate, every unit on duty round the clock and able to take
// every call, point-to-point dispatch, calls lost when loss.
func ComparedConfig(cfg *sim.Config, onScene float64, loss bool) *sim.Config {
	c := *cfg
	c.Name = cfg.Name + "-hypercube"
	inc := cfg.Incidents
	if m := cfg.NearRepeat.Offspring; m > 0 && m < 1 {
		inc.PerDay /= 1 - m
	}
	inc.ReportDelay = sim.Dist{Kind: sim.Fixed}
	inc.Types = []sim.IncidentType{{Name: "call", Priority: 1, Share: 1, Officers: 1,
		OnScene: sim.Dist{Kind: sim.Exponential, Mean: onScene}}}
	c.Incidents = inc
	c.Units = slices.Clone(cfg.Units)
	for t := range c.Units {
		c.Units[t].ShiftLen = 86400
		c.Units[t].ShiftStart = 0
		c.Units[t].Priorities = [4]bool{false, true, true, true}
	}
	c.Dispatch = sim.Dispatch{Delay: sim.Dist{Kind: sim.Fixed}, LostCalls: loss}
	c.Deterrence = sim.Deterrence{}
	c.NearRepeat = policy.NearRepeat{}
	c.OnViewRadiusM = 0
	c.Observers = sim.Observers{}
	return &c
}

// ComparedVariant is the one variant of a comparison: posts policy for
// every unit type (units wait at home between calls) and point-to-point
// dispatch.
func ComparedVariant(cfg *sim.Config) (sim.Variant, error) {
	spec, ok := policy.Lookup("posts")
	if !ok {
		return sim.Variant{}, errors.New("no posts policy")
	}
	params, err := spec.Resolve(nil)
	if err != nil {
		return sim.Variant{}, err
	}
	m, err := sim.NewModel(cfg)
	if err != nil {
		return sim.Variant{}, err
	}
	v := sim.Variant{Name: "hypercube", Model: m, Mode: sim.PointToPoint}
	for range cfg.Units {
		v.Policies = append(v.Policies, sim.PolicyChoice{Spec: spec, Params: params})
	}
	return v, nil
}

// Simulated is what the simulator measured, each measure a mean over the
// replications with its 95% confidence interval (results.EstimateOf: a
// replication without a value, NaN, is left out).
type Simulated struct {
	Reps      int
	Workload  []results.Estimate // by unit: share of the window busy
	AllBusy   results.Estimate   // lost share (loss) or share of calls that waited
	Cross     results.Estimate   // share of calls answered from another district
	Travel    results.Estimate   // seconds
	QueueWait results.Estimate   // seconds, over all calls
	Service   results.Estimate   // seconds: busy time per answered call
}

// unitRecorder measures, in the window [lo, hi), each unit's busy time and,
// for the calls received in the window, how many were lost or waited, how
// many answered by a unit of another district, the first unit's travel, the
// queue wait. (It could become run.Execute with the metrics once the
// registry has per-unit utilisation, utilization_unit_…; until then it stays.)
type unitRecorder struct {
	lo, hi                       float64
	unitDist                     []int
	busy                         []float64
	n, lost, waited, cross, sent int
	travel, wait                 float64
}

func (r *unitRecorder) Incident(rec *sim.IncidentRecord) {
	if rec.Call < r.lo || rec.Call >= r.hi {
		return
	}
	r.n++
	if rec.Lost {
		r.lost++
		return
	}
	if len(rec.Units) == 0 || rec.Dispatch != rec.Dispatch {
		return
	}
	r.sent++
	if r.unitDist[rec.Units[0]] != rec.District {
		r.cross++
	}
	q := rec.Dispatch - rec.Ready
	r.wait += q
	if q > 0 {
		r.waited++
	}
	if rec.Arrive == rec.Arrive {
		r.travel += rec.Arrive - rec.Dispatch
	}
}

func (r *unitRecorder) Busy(u int, from, to float64) {
	from, to = max(from, r.lo), min(to, r.hi)
	if to > from {
		r.busy[u] += to - from
	}
}
func (r *unitRecorder) OnDuty(u int, from, to float64)  {}
func (r *unitRecorder) Deterred(d *sim.DeterRecord)     {}
func (r *unitRecorder) Presence(t float64, p []float64) {}

// Simulate runs the simulator under the model's assumptions
// (ComparedConfig, ComparedVariant) over reps replications from seed on
// workers goroutines (the result does not depend on their number).
func (m *Model) Simulate(ctx context.Context, seed uint64, reps, workers int) (*Simulated, error) {
	v, err := ComparedVariant(ComparedConfig(m.Force.Cfg, m.OnScene, m.Cube.Loss))
	if err != nil {
		return nil, err
	}
	return SimulateVariant(ctx, v, m.UnitDist, seed, reps, workers)
}

// SimulateVariant runs variant v over reps replications from seed and
// measures, for the calls received from the end of the warm-up to the end
// of the run, what Simulate does; unitDist gives each unit's district.
// P(all busy) is the share of calls lost when v's configuration loses
// calls (dispatch.lost_calls), else the share that waited. For the
// comparison to mean anything v should follow the model's assumptions
// (ComparedConfig).
func SimulateVariant(ctx context.Context, v sim.Variant, unitDist []int, seed uint64, reps, workers int) (*Simulated, error) {
	cfg := v.Model.Cfg
	units := len(v.Model.World.Units)
	recs := make([]*unitRecorder, reps)
	_, err := sim.Replicate(ctx, []sim.Variant{v}, seed, reps, workers, func(j sim.Job) sim.Recorder {
		r := &unitRecorder{lo: cfg.Warmup, hi: cfg.Duration, unitDist: unitDist, busy: make([]float64, units)}
		recs[j.Rep] = r
		return r
	})
	if err != nil {
		return nil, err
	}
	out := &Simulated{Reps: reps}
	span := cfg.Duration - cfg.Warmup
	col := func(f func(r *unitRecorder) float64) results.Estimate {
		xs := make([]float64, reps)
		for i, r := range recs {
			xs[i] = f(r)
		}
		return results.EstimateOf(xs)
	}
	for u := range units {
		out.Workload = append(out.Workload, col(func(r *unitRecorder) float64 { return r.busy[u] / span }))
	}
	out.AllBusy = col(func(r *unitRecorder) float64 {
		if cfg.Dispatch.LostCalls {
			return ratio(r.lost, r.n)
		}
		return ratio(r.waited, r.sent)
	})
	out.Cross = col(func(r *unitRecorder) float64 { return ratio(r.cross, r.sent) })
	out.Travel = col(func(r *unitRecorder) float64 { return r.travel / float64(r.sent) })
	out.QueueWait = col(func(r *unitRecorder) float64 { return r.wait / float64(r.sent) })
	out.Service = col(func(r *unitRecorder) float64 {
		var b float64
		for _, x := range r.busy {
			b += x
		}
		return b / float64(r.sent)
	})
	return out, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}
