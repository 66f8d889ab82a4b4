package calibrate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim"
)

// MinOnScene is the fewest recorded on-scene times of a type for which its
// distribution is fitted; with fewer it keeps the mapping's.
const MinOnScene = 30

// TravelAllowance is the travel and turnout time, in seconds, each car
// sent to a call is assumed to add to its on-scene time when the
// placeholder force is sized: an allowance, not a measurement (the run
// that checks the force measures it).
const TravelAllowance = 600

// TargetUtilisation is the share of time the placeholder force is sized
// to be busy with calls (offered load ÷ cars).
const TargetUtilisation = 0.3

// MeasureDays bounds the days after the warm-up the measuring run plays
// (the scenario's duration if shorter): enough for the utilisation to a
// few tenths of a percentage point at tens of calls a day, at a fraction
// of a second.
const MeasureDays = 14

// PlaceholderSquad is the officers per car of the placeholder force.
const PlaceholderSquad = 2

// OnSceneFit is the fit of one type's recorded on-scene times: an
// exponential and a lognormal by maximum likelihood, the one with the
// lower AIC kept. Times in seconds.
type OnSceneFit struct {
	N                    int     // positive times fitted
	Dropped              int     // zero or negative times left out
	SampleMean, SampleSD float64 // of the times fitted
	LogLExp, LogLLog     float64 // maximised log-likelihoods
	Dist                 string  // exponential or lognormal
	Mean, SD             float64 // the kept distribution's (SD 0 for exponential)
}

// fitOnScene fits xs (seconds, all > 0).
func fitOnScene(xs []float64, dropped int) *OnSceneFit {
	n := float64(len(xs))
	f := &OnSceneFit{N: len(xs), Dropped: dropped}
	var s, sl, ss float64
	for _, x := range xs {
		s += x
		sl += math.Log(x)
	}
	f.SampleMean = s / n
	mu := sl / n
	var vl float64
	for _, x := range xs {
		ss += (x - f.SampleMean) * (x - f.SampleMean)
		vl += (math.Log(x) - mu) * (math.Log(x) - mu)
	}
	f.SampleSD = math.Sqrt(ss / (n - 1))
	s2 := vl / n
	// Exponential: λ̂ = 1/x̄, log L = −n ln x̄ − n. Lognormal: μ̂, σ̂² the
	// mean and variance of ln x, log L = −Σ ln x − (n/2) ln(2πσ̂²) − n/2.
	f.LogLExp = -n*math.Log(f.SampleMean) - n
	f.LogLLog = -sl - n/2*math.Log(2*math.Pi*s2) - n/2
	if s2 > 0 && 2*2-2*f.LogLLog < 2*1-2*f.LogLExp {
		f.Dist = "lognormal"
		f.Mean = math.Exp(mu + s2/2)
		f.SD = f.Mean * math.Sqrt(math.Expm1(s2))
	} else {
		f.Dist, f.Mean = "exponential", f.SampleMean
	}
	return f
}

// parsePriority reads a recorded priority: 1, 2 or 3, or San Francisco's
// A, B, C (and E, emergency, as 1); 0 for anything else.
func parsePriority(s string) int {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "1", "A", "E":
		return 1
	case "2", "B":
		return 2
	case "3", "C":
		return 3
	}
	return 0
}

// parseMinutes reads a recorded on-scene time: minutes (a number) or
// H:MM or H:MM:SS, in seconds; NaN when it cannot.
func parseMinutes(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return math.NaN()
	}
	if !strings.Contains(s, ":") {
		m, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(m, 0) {
			return math.NaN()
		}
		return m * 60
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return math.NaN()
	}
	var secs float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || i > 0 && v >= 60 {
			return math.NaN()
		}
		secs += v * []float64{3600, 60, 1}[i]
	}
	return secs
}

// fitTypes makes the type mix from the mapping (when there is one) and
// applies the log's priority and on-scene columns to every type.
func fitTypes(res *Result, recs []record, o *Options) {
	typeOf := func(r *record) int { return 0 }
	if m := res.Mapped; m != nil {
		counts := make([]int, len(m.Types)+1)
		res.Unmapped = map[string]int{}
		for _, r := range recs {
			i := m.Lookup(r.typ)
			if i < 0 {
				i = len(m.Types)
				res.Unmapped[r.typ]++
			}
			counts[i]++
		}
		where := make([]int, len(m.Types)+1) // index into res.Types, or -1
		res.Types = nil
		for i, t := range append(slices.Clone(m.Types), m.Other) {
			where[i] = -1
			if counts[i] == 0 {
				continue
			}
			src := strings.Join(t.Categories, ", ")
			if i == len(m.Types) {
				src = fmt.Sprintf("%d %s %s does not list", len(res.Unmapped), plural(len(res.Unmapped), "category", "categories"), m.Source)
			}
			where[i] = len(res.Types)
			res.Types = append(res.Types, TypeShare{Name: t.Name, Source: src, Count: counts[i], Spec: t})
		}
		var empty []string
		for i, t := range m.Types {
			if counts[i] == 0 {
				empty = append(empty, t.Name)
			}
		}
		if len(empty) > 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("types of %s with no record, left out of the scenario: %s", m.Source, strings.Join(empty, ", ")))
		}
		if len(res.Unmapped) > 0 {
			type kv struct {
				k string
				n int
			}
			var l []kv
			total := 0
			for k, n := range res.Unmapped {
				l = append(l, kv{k, n})
				total += n
			}
			sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || l[i].n == l[j].n && l[i].k < l[j].k })
			var parts []string
			for i, x := range l {
				if i == 8 {
					parts = append(parts, fmt.Sprintf("and %d more", len(l)-8))
					break
				}
				parts = append(parts, fmt.Sprintf("%q (%d)", x.k, x.n))
			}
			res.Warnings = append(res.Warnings, fmt.Sprintf("%d records (%.1f%%) of %d %s that %s does not list went to type %s (priority %d, %s on scene, deterrable %g): %s",
				total, 100*float64(total)/float64(len(recs)), len(l), plural(len(l), "category", "categories"), m.Source, m.Other.Name, m.Other.Priority, durationText(m.Other.Mean), m.Other.Deterrable, strings.Join(parts, ", ")))
		}
		for i := range res.Types {
			res.Types[i].Share = float64(res.Types[i].Count) / float64(res.Inside)
		}
		typeOf = func(r *record) int {
			i := m.Lookup(r.typ)
			if i < 0 {
				i = len(m.Types)
			}
			return where[i]
		}
	} else {
		byValue := map[string]int{}
		other := -1
		for i, t := range res.Types {
			if strings.HasSuffix(t.Source, " other values") && strings.HasPrefix(t.Name, "other") {
				other = i
			} else {
				byValue[t.Source] = i
			}
		}
		typeOf = func(r *record) int {
			if i, ok := byValue[r.typ]; ok {
				return i
			}
			return other
		}
	}
	if o.Priority != "" {
		for k := range recs {
			if i := typeOf(&recs[k]); i >= 0 {
				res.Types[i].Priorities[recs[k].prio]++
			}
		}
		for i := range res.Types {
			t := &res.Types[i]
			best := 0
			for p := 1; p <= 3; p++ {
				if t.Priorities[p] > t.Priorities[best] || best == 0 && t.Priorities[p] > 0 {
					best = p
				}
			}
			if best == 0 {
				t.Notes = append(t.Notes, fmt.Sprintf("no readable priority in column %s: priority %d kept", o.Priority, t.Spec.Priority))
				continue
			}
			t.Spec.Priority = best
			t.Notes = append(t.Notes, fmt.Sprintf("priority %d: the most frequent in column %s (1: %d, 2: %d, 3: %d, unreadable: %d)",
				best, o.Priority, t.Priorities[1], t.Priorities[2], t.Priorities[3], t.Priorities[0]))
		}
	}
	if o.OnScene != "" || o.Arrived != "" {
		col := o.OnScene
		if col == "" {
			col = o.Cleared + " − " + o.Arrived
		}
		xs := make([][]float64, len(res.Types))
		dropped := make([]int, len(res.Types))
		for k := range recs {
			r := &recs[k]
			i := typeOf(r)
			if i < 0 || math.IsNaN(r.scene) {
				continue
			}
			if r.scene > 0 {
				xs[i] = append(xs[i], r.scene)
			} else {
				dropped[i]++
			}
		}
		for i := range res.Types {
			t := &res.Types[i]
			t.OnSceneN = len(xs[i])
			if len(xs[i]) < MinOnScene {
				t.Notes = append(t.Notes, fmt.Sprintf("only %d recorded on-scene times (%s; fewer than %d): on scene %s kept", len(xs[i]), col, MinOnScene, t.Spec.onSceneText()))
				continue
			}
			f := fitOnScene(xs[i], dropped[i])
			t.OnSceneFit = f
			t.Spec.Dist, t.Spec.Mean, t.Spec.SD = f.Dist, f.Mean, f.SD
			half := 1.96 * f.SampleSD / math.Sqrt(float64(f.N))
			t.Notes = append(t.Notes, fmt.Sprintf("on scene fitted to %d recorded times (%s): sample mean %.1f ± %.1f min (95%%), sd %.1f min; %s kept by AIC (log-likelihood exponential %.1f, lognormal %.1f)%s",
				f.N, col, f.SampleMean/60, half/60, f.SampleSD/60, f.Dist, f.LogLExp, f.LogLLog, droppedText(f.Dropped)))
		}
	}
}

func droppedText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %d zero or negative times left out", n)
}

// Force is the placeholder force: Cars cars of PlaceholderSquad, on duty
// all day, and the utilisation it gives.
type Force struct {
	Cars      int
	Districts int
	// Load is the offered load in cars busy on average, computed:
	// calls a second × Σ share × cars a call × (mean on-scene time +
	// TravelAllowance), cars a call = ⌈officers ÷ PlaceholderSquad⌉.
	Load float64
	// Measured is the utilisation a run of the written scenario gives
	// (results' "utilization": busy ÷ on-duty time): replication 0 of its
	// first variant, MeasuredVariant, over MeasuredDays after its warm-up
	// (its duration, at most MeasureDays). NaN when the run could not be
	// made (MeasureErr).
	Measured        float64
	MeasuredVariant string
	MeasuredDays    float64
	MeasuredSeed    uint64
	MeasureErr      string
}

// sizeForce sizes the placeholder force: enough cars for TargetUtilisation
// of the offered load, and at least one per district.
func sizeForce(res *Result, districts int) Force {
	var perCall float64
	for _, t := range res.Types {
		cars := math.Ceil(float64(t.Spec.Officers) / PlaceholderSquad)
		perCall += t.Share * cars * (t.Spec.Mean + TravelAllowance)
	}
	load := res.PerDay / 86400 * perCall
	return Force{Cars: max(districts, int(math.Ceil(load/TargetUtilisation))), Districts: districts, Load: load, Measured: math.NaN()}
}

// measure loads doc (the scenario as it will be written to path, the
// files it names already beside it) and runs replication 0 of its first
// variant, recording the utilisation.
func (f *Force) measure(ctx context.Context, path string, doc []byte) {
	s, err := scenarios.LoadAt(path, doc)
	if err != nil {
		f.MeasureErr = err.Error()
		return
	}
	v := s.Variants[:1]
	cfg := v[0].Model.Cfg // this load's own: shortened for the measurement only
	cfg.Duration = min(cfg.Duration, cfg.Warmup+MeasureDays*86400)
	col := results.NewCollector(v[0].Model)
	if _, err := sim.Replicate(ctx, v, s.File.Seed, 1, 1, func(sim.Job) sim.Recorder { return col }); err != nil {
		f.MeasureErr = err.Error()
		return
	}
	f.Measured = col.Value(results.Metric{Name: "utilization"})
	f.MeasuredVariant = s.File.Variants[0].Name
	f.MeasuredDays = (cfg.Duration - cfg.Warmup) / 86400
	f.MeasuredSeed = s.File.Seed
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
