package results

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Regression checks (patrolsim check) compare a run with a stored
// Baseline, metric by metric and variant by variant.
//
// A metric is compared on its per-replication values, baseline against
// now (different seeds or a changed model: independent samples), in three
// ways:
//
//   - is there a difference? Welch's two-sample t test of equal means
//     (Welch, Biometrika 34, 1947), with the p-values of one check
//     adjusted by Holm's method over every comparison it makes (Holm,
//     Scand. J. Statistics 6(2), 1979), so that the chance that a check
//     reports any difference when there is none is at most the level;
//   - does it matter? The difference of the means must exceed the
//     metric's tolerance, max(abs, rel × |baseline mean|);
//   - is it shown to be negligible? Two one-sided tests (TOST; Schuirmann,
//     J. Pharmacokinetics and Biopharmaceutics 15(6), 1987) that the
//     difference lies within ± the tolerance, each at the check's level,
//     with Welch's standard error and degrees of freedom.
//
// A difference that is significant and beyond tolerance is better or worse
// by its direction (changed for a metric without one). A difference that
// the TOST shows to lie within tolerance is the same. Anything else is
// inconclusive: the replications cannot tell a change that matters from
// noise, and the row gives the smallest change the check could have
// detected (80% power at the level, EquivalenceTest). Not significant is
// not the same: with few replications a large change is not significant
// either. Values that are bit for bit those of the baseline are
// identical, which is what the same seed and unchanged inputs give.
//
// The TOST needs no correction for the number of metrics when the claim is
// that every metric is the same: that claim is an intersection–union test,
// whose level is that of its parts (Berger, Technometrics 24(4), 1982).
// Each "same" verdict on its own is wrong with probability at most the
// level when the true difference is at the tolerance, and less beyond it.

// DefaultCheckLevel is the default family-wise level of a check: the
// largest chance that noise alone makes a check report a difference.
const DefaultCheckLevel = 0.05

// Tolerance is how large a difference of means must be to matter.
type Tolerance struct {
	Rel float64 // relative to |baseline mean|; 0.05 is 5%
	Abs float64 // in the metric's unit (seconds, share, count)
}

// Threshold returns the difference beyond which a change matters:
// max(Abs, Rel × |ref|).
func (t Tolerance) Threshold(ref float64) float64 {
	if math.IsNaN(ref) || math.IsInf(ref, 0) {
		return t.Abs
	}
	return max(t.Abs, t.Rel*math.Abs(ref))
}

// Default tolerances by kind of metric (Kind). They are judgement calls,
// not taken from a source: a planner reads response times to a few
// seconds, shares to the percent point and counts to a couple of
// incidents, and a change of less than 5% rarely changes a deployment
// decision. Set them per metric in a check file (docs/ci.md).
var (
	TimeTolerance  = Tolerance{Rel: 0.05, Abs: 5}    // times (KindTime), seconds
	ShareTolerance = Tolerance{Rel: 0.05, Abs: 0.01} // shares (KindShare) and ratios (KindRatio)
	CountTolerance = Tolerance{Rel: 0.05, Abs: 2}    // counts (KindCount)
)

// DefaultTolerance returns the tolerance of m's kind, from its declaration
// (Describe): TimeTolerance for times, CountTolerance for counts,
// ShareTolerance for shares, ratios and metrics the registry does not
// declare.
func DefaultTolerance(m Metric) Tolerance { return kindTolerance(Describe(m).Kind) }

func kindTolerance(k Kind) Tolerance {
	switch k {
	case KindTime:
		return TimeTolerance
	case KindCount:
		return CountTolerance
	}
	return ShareTolerance
}

// Verdict is the outcome of one metric of one variant.
type Verdict string

const (
	VerdictIdentical    Verdict = "identical"    // every value bit for bit the baseline's
	VerdictSame         Verdict = "same"         // shown within tolerance (TOST at the level)
	VerdictInconclusive Verdict = "inconclusive" // neither shown within tolerance nor significantly beyond it
	VerdictBetter       Verdict = "better"       // significant and beyond tolerance, the good way
	VerdictWorse        Verdict = "worse"        // significant and beyond tolerance, the bad way
	VerdictChanged      Verdict = "changed"      // a metric without direction moved; or defined on one side only
	VerdictMissing      Verdict = "missing"      // in the baseline, not in this run
	VerdictNew          Verdict = "new"          // in this run, not in the baseline
)

// Verdicts lists the verdicts in the order reports count them.
var Verdicts = []Verdict{VerdictWorse, VerdictBetter, VerdictChanged, VerdictInconclusive, VerdictSame, VerdictIdentical, VerdictMissing, VerdictNew}

// CheckRow is the comparison of one metric of one variant (Metric is empty
// for a variant missing on one side).
type CheckRow struct {
	Variant, Metric string
	Declared        Metric // the metric's declaration (Describe): label, kind, format
	Better          Better
	Baseline, Now   float64 // means over the replications with a value; NaN if none
	Difference      float64 // Now − Baseline
	P, PHolm        float64 // Welch t test, raw and Holm-adjusted; NaN when not tested
	Significant     bool    // PHolm < level
	Tolerance       Tolerance
	Beyond          bool // |Difference| > Tolerance.Threshold(Baseline)
	// TOSTP is the p-value of the two one-sided tests that |Difference| ≤
	// Tolerance.Threshold(Baseline): same when below the level; NaN when
	// not tested (identical, missing, new, or defined on one side only).
	TOSTP float64
	// Detectable is the smallest true difference, in the metric's unit,
	// that a two-sided test at the check's level finds with 80% power at
	// these replication counts and spreads: (t_{1−level/2} + t_{0.8}) ×
	// Welch's standard error. NaN when not tested or fewer than two
	// values on a side.
	Detectable float64
	Verdict    Verdict
	Note       string // why, for changed, inconclusive without a test, missing and new rows
}

// RunInfo says what produced a set of values.
type RunInfo struct {
	Scenario     string
	ScenarioHash string
	Seed         uint64
	Replications int
	Version      string
}

func (b *Baseline) info() RunInfo {
	return RunInfo{b.Scenario, b.ScenarioHash, b.Seed, b.Replications, b.Version}
}

// CheckReport is the result of a check.
type CheckReport struct {
	BaselineFile    string // for messages
	Baseline, Now   RunInfo
	Level           float64
	Tests           int  // comparisons tested, over which p-values are Holm-adjusted
	Strict          bool // an inconclusive metric fails the check too (Failed)
	ScenarioChanged bool
	VersionChanged  bool
	Warnings        []string
	Rows            []CheckRow
}

// Count returns the number of rows with verdict v.
func (r *CheckReport) Count(v Verdict) int {
	n := 0
	for _, row := range r.Rows {
		if row.Verdict == v {
			n++
		}
	}
	return n
}

// Regression reports whether any metric got worse.
func (r *CheckReport) Regression() bool { return r.Count(VerdictWorse) > 0 }

// Failed reports whether the check fails (patrolsim check exits 1): a
// metric got worse or, when Strict is set, a metric is inconclusive.
func (r *CheckReport) Failed() bool {
	return r.Regression() || r.Strict && r.Count(VerdictInconclusive) > 0
}

// Compare checks now against base. metrics gives the metrics' directions
// and kinds (Summary.Metrics of the run that made now); nil takes them from
// now. cfg may be nil. The baseline's variants come first, in its order,
// then those new in now; within a variant, metrics come in now's order,
// then those only in the baseline.
func Compare(base, now *Baseline, metrics []Metric, cfg *CheckConfig) *CheckReport {
	if metrics == nil {
		metrics = now.Metrics
	}
	r := &CheckReport{Baseline: base.info(), Now: now.info(), Level: cfg.level()}
	r.ScenarioChanged = base.ScenarioHash != now.ScenarioHash
	r.VersionChanged = base.Version != now.Version
	if base.Scenario != now.Scenario {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the baseline is of scenario %q, this run of %q", base.Scenario, now.Scenario))
	}
	if r.ScenarioChanged {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the scenario or its data files changed since the baseline was made (%s, now %s)",
			shortHash(base.ScenarioHash), shortHash(now.ScenarioHash)))
	}
	if r.VersionChanged {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the baseline was made by patrolsim %s, this is %s", base.Version, now.Version))
	}
	if min(base.Replications, now.Replications) < 2 {
		r.Warnings = append(r.Warnings, "fewer than 2 replications on a side: no difference can be significant")
	}

	// Every metric on either side, in now's order, then the baseline's;
	// not the per-unit ones, which belong to one force (NewBaseline).
	all := slices.DeleteFunc(slices.Clone(metrics), Metric.PerUnit)
	for _, m := range base.Metrics {
		if !slices.ContainsFunc(all, func(x Metric) bool { return x.Name == m.Name }) {
			all = append(all, m)
		}
	}
	r.Warnings = append(r.Warnings, cfg.unmatched(all)...)

	for _, bv := range base.Variants {
		nv := now.Variant(bv.Name)
		if nv == nil {
			r.Rows = append(r.Rows, CheckRow{Variant: bv.Name, Verdict: VerdictMissing, Note: "variant not in this run"})
			continue
		}
		for _, m := range all {
			if !cfg.selects(m.Name) {
				continue
			}
			row := CheckRow{Variant: bv.Name, Metric: m.Name, Declared: Describe(m), Better: m.Better, Tolerance: cfg.Tolerance(m),
				Baseline: math.NaN(), Now: math.NaN(), Difference: math.NaN(), P: math.NaN(), PHolm: math.NaN(),
				TOSTP: math.NaN(), Detectable: math.NaN()}
			i0, i1 := base.Index(m.Name), now.Index(m.Name)
			switch {
			case i1 < 0:
				row.Verdict, row.Note = VerdictMissing, "metric not produced by this run"
				row.Baseline = meanOf(bv.Values[i0])
			case i0 < 0:
				row.Verdict, row.Note = VerdictNew, "metric not in the baseline"
				row.Now = meanOf(nv.Values[i1])
			default:
				row.compare(bv.Values[i0], nv.Values[i1], r.Level)
			}
			r.Rows = append(r.Rows, row)
		}
	}
	for _, nv := range now.Variants {
		if base.Variant(nv.Name) == nil {
			r.Rows = append(r.Rows, CheckRow{Variant: nv.Name, Verdict: VerdictNew, Note: "variant not in the baseline"})
		}
	}

	// Holm over every test of the check, then the verdicts: a
	// significant difference beyond tolerance is better or worse, a
	// difference shown within tolerance is the same, the rest is
	// inconclusive. (A difference shown within tolerance is never beyond
	// it: the TOST needs the whole 1 − 2·level interval inside.)
	var ps []float64
	var idx []int
	for k, row := range r.Rows {
		if row.Verdict == "" && !math.IsNaN(row.P) {
			ps = append(ps, row.P)
			idx = append(idx, k)
		}
	}
	r.Tests = len(ps)
	for j, p := range holmAdjust(ps) {
		r.Rows[idx[j]].PHolm = p
	}
	for k := range r.Rows {
		row := &r.Rows[k]
		if row.Verdict != "" {
			continue
		}
		row.Significant = row.PHolm < r.Level
		row.Beyond = math.Abs(row.Difference) > row.Tolerance.Threshold(row.Baseline)
		switch {
		case !row.Significant || !row.Beyond:
			row.Verdict = VerdictInconclusive
			if row.TOSTP < r.Level {
				row.Verdict = VerdictSame
			}
		case row.Better == Neutral:
			row.Verdict = VerdictChanged
		case (row.Difference > 0) == (row.Better == Lower):
			row.Verdict = VerdictWorse
		default:
			row.Verdict = VerdictBetter
		}
	}
	return r
}

// compare sets the means, difference, raw p-value, TOST p-value and
// detectable difference of a row (the TOST and detectable at level), or
// its verdict when there is nothing to test.
func (row *CheckRow) compare(base, now []float64, level float64) {
	if slices.EqualFunc(base, now, func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}) {
		row.Baseline, row.Now = meanOf(base), meanOf(now)
		row.Difference = 0
		if math.IsNaN(row.Baseline) {
			row.Difference = math.NaN()
		}
		row.Verdict = VerdictIdentical
		return
	}
	x, y := definedValues(base), definedValues(now)
	row.Baseline, row.Now = meanOf(x), meanOf(y)
	row.Difference = row.Now - row.Baseline
	// Infinite values (a 90th percentile of response when more than a
	// tenth of the calls were never answered) are extreme, not missing:
	// when the shares of replications with one differ, the number of such
	// replications is what is tested (Fisher's exact test), and the
	// difference is infinite in the direction of the infinities gained.
	if it, ok := TestInfinities(base, now); ok {
		row.Difference = math.Inf(it.Sign)
		row.P = it.P
		row.Note = it.Note("this run", "the baseline")
		return
	}
	switch {
	case len(x) == 0 && len(y) == 0:
		// Nothing measured on either side (no priority-1 call, say):
		// nothing shows the metric unchanged.
		row.Verdict, row.Note = VerdictInconclusive, "undefined in every replication of both"
	case len(x) == 0:
		row.Verdict, row.Note = VerdictChanged, "undefined in every replication of the baseline"
	case len(y) == 0:
		row.Verdict, row.Note = VerdictChanged, "undefined in every replication of this run"
	default:
		d := WelchDifference(y, x)
		row.P = d.P
		eq := EquivalenceOf(d, row.Tolerance.Threshold(row.Baseline), level)
		row.TOSTP, row.Detectable = eq.P, eq.Detectable
	}
}

// EquivalenceOf returns the two one-sided tests (EquivalenceTest) of a
// difference d, as PairedDifference or WelchDifference computed it,
// against ±margin at level alpha, and the smallest difference detectable
// at that level. The standard error is the half-width of d's 95% interval
// over t_{0.975, DF}, which is how both computed the interval: √(s²/n) of
// the pairs' differences, or Welch's √(s_x²/n_x + s_y²/n_y) with
// Welch–Satterthwaite's DF. An undefined difference or interval (a value
// not finite, fewer than two values on a side) gives P = 1 and Detectable
// NaN.
func EquivalenceOf(d Difference, margin, alpha float64) Equivalence {
	if !d.Defined() || math.IsNaN(d.Low) || math.IsNaN(d.High) || !(d.DF >= 1) {
		return EquivalenceTest(math.NaN(), math.NaN(), math.NaN(), margin, alpha)
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: d.DF}.Quantile(0.975)
	se := (d.High - d.Low) / (2 * q)
	return EquivalenceTest(d.Mean, se, d.DF, margin, alpha)
}

func shortHash(h string) string {
	if h == "" {
		return "no hash"
	}
	if len(h) > len("sha256:")+12 {
		return h[:len("sha256:")+12] + "…"
	}
	return h
}
