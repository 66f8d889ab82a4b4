package serve

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/patrolsim/patrolsim/results"
)

// mainMetrics are compared besides the objective's: response times overall
// and of priority 1, priority 1 within target, and incidents realised and
// prevented.
var mainMetrics = []string{"response_mean_s", "response_p90_s", "response_mean_s_p1", "response_p90_s_p1",
	"within_target_p1", "incidents_realised", "incidents_prevented"}

// Comparison is run B against run A, variant by variant.
type Comparison struct {
	A      string  `json:"a"`
	B      string  `json:"b"`
	Method string  `json:"method"` // "paired" or "welch"
	Why    string  `json:"why"`    // why that method, in a sentence
	Level  float64 `json:"level"`  // of the intervals and of "significant": 0.95
	// Variants present in both runs, in run A's order; the others.
	Variants []string     `json:"variants"`
	OnlyA    []string     `json:"only_a"`
	OnlyB    []string     `json:"only_b"`
	Rows     []CompareRow `json:"rows"`
}

// CompareRow is one variant and metric of a comparison.
type CompareRow struct {
	Variant string       `json:"variant"`
	Metric  string       `json:"metric"`
	Better  string       `json:"better"` // "lower", "higher" or "" (neither)
	A       estimateJSON `json:"a"`
	B       estimateJSON `json:"b"`
	// Difference is B − A: paired over replications, or Welch's.
	Difference  differenceJSON `json:"difference"`
	Significant bool           `json:"significant"` // the 95% interval of B − A excludes 0 (p < 0.05), for this row alone
	// Verdict: when significant, B is "better", "worse" or (no direction)
	// "changed"; else "same" when the two one-sided tests show B − A
	// within ±Equivalence.Margin, "inconclusive" when they do not; ""
	// when a value is undefined (Note says where).
	Verdict     string          `json:"verdict"`
	Equivalence equivalenceJSON `json:"equivalence"`
	// Note says what was tested instead of the means (the numbers of
	// replications with an infinite value: calls never answered) or why a
	// row has no verdict (a value undefined in a replication compared).
	Note string `json:"note,omitempty"`
}

// equivalenceJSON is the two one-sided tests (TOST, Schuirmann 1987) of a
// row against the metric's default tolerance (results.DefaultTolerance:
// by its kind, relative to A's mean), at level 0.05, with the difference's
// own standard error and degrees of freedom (paired or Welch's).
type equivalenceJSON struct {
	Margin *float64 `json:"margin"` // the tolerance, max(abs, rel × |A's mean|), in the metric's unit
	P      *float64 `json:"tost_p"` // the larger one-sided p-value; within ±margin when < 0.05
	// Equivalent: shown within ±margin (P < 0.05). A significant row may
	// be equivalent too: a real difference too small to matter.
	Equivalent bool `json:"equivalent"`
	// Detectable is the smallest true difference a two-sided test at 0.05
	// finds with 80% power at these replications and spreads; null when
	// the difference is undefined.
	Detectable *float64 `json:"detectable"`
}

type estimateJSON struct {
	Mean     *float64 `json:"mean"` // null when undefined or infinite
	Low      *float64 `json:"ci95_low"`
	High     *float64 `json:"ci95_high"`
	N        int      `json:"n"`        // replications with a value (infinite ones included)
	Infinite int      `json:"infinite"` // of those, infinite (a percentile beyond the answered calls)
}

type differenceJSON struct {
	Mean *float64 `json:"mean"`
	Low  *float64 `json:"ci95_low"`
	High *float64 `json:"ci95_high"`
	P    *float64 `json:"p_value"`
	DF   *float64 `json:"df"`
	NA   int      `json:"n_a"` // finite values of A (pairs with both finite, when paired)
	NB   int      `json:"n_b"`
	// Values of A and B that are not finite among those compared (the
	// first min(n) replications, when paired); when either is nonzero the
	// difference is undefined (null) and the row has no verdict.
	UndefinedA int `json:"undefined_a"`
	UndefinedB int `json:"undefined_b"`
}

// num is x, or nil (JSON null) when x is NaN or infinite.
func num(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// replications are a run's values by variant, metric and replication
// (NaN where undefined), from its summary.
type replications struct {
	metrics  []string // in the summary's order
	variants []string // in the summary's order
	values   map[string]map[string][]float64
}

func replicationsOf(s *results.Summary) *replications {
	out := &replications{values: map[string]map[string][]float64{}}
	for _, m := range s.Metrics {
		out.metrics = append(out.metrics, m.Name)
	}
	for _, v := range s.Variants {
		byMetric := map[string][]float64{}
		for j, m := range out.metrics {
			col := make([]float64, len(v.Reps))
			for r, vals := range v.Reps {
				col[r] = vals[j]
			}
			byMetric[m] = col
		}
		out.values[v.Name] = byMetric
		out.variants = append(out.variants, v.Name)
	}
	return out
}

// compareRuns compares run b with run a: for every variant in both and every
// metric of either objective and mainMetrics that both runs have, each
// run's mean with its 95% interval and the difference b − a. When both
// runs have the same seed, replication i of a and b drew the same random
// numbers (common random numbers: every stream is named by seed,
// replication and purpose, whatever the number of replications), so the
// difference is paired over the first min(n) replications; otherwise
// Welch's. A significant difference is better, worse or changed; one
// that two one-sided tests with the same standard error show within the
// metric's default tolerance is the same; the rest is inconclusive, with
// the smallest difference detectable at these replications. A row with a
// value that is not finite in a replication compared has no verdict
// (results.Difference).
func compareRuns(idA, idB string, a, b *Output, better map[string]string) (*Comparison, error) {
	for _, x := range []struct {
		out *Output
		id  string
	}{{a, idA}, {b, idB}} {
		if x.out.Summary == nil {
			return nil, fmt.Errorf("run %s has no summary", x.id)
		}
	}
	ra, rb := a.Summary, b.Summary
	ta, tb := replicationsOf(ra), replicationsOf(rb)
	c := &Comparison{A: idA, B: idB, Level: 0.95, Variants: []string{}, OnlyA: []string{}, OnlyB: []string{}, Rows: []CompareRow{}}
	paired := ra.Seed == rb.Seed
	for _, v := range ta.variants {
		if _, ok := tb.values[v]; ok {
			c.Variants = append(c.Variants, v)
		} else {
			c.OnlyA = append(c.OnlyA, v)
		}
	}
	for _, v := range tb.variants {
		if _, ok := ta.values[v]; !ok {
			c.OnlyB = append(c.OnlyB, v)
		}
	}
	var metrics []string
	for _, m := range slices.Concat(ra.RankedBy(), rb.RankedBy(), mainMetrics) {
		if !slices.Contains(metrics, m) && slices.Contains(ta.metrics, m) && slices.Contains(tb.metrics, m) {
			metrics = append(metrics, m)
		}
	}
	var dfs []float64 // of the rows with a t test, distinct
	undefined := 0
	for _, v := range c.Variants {
		for _, m := range metrics {
			xa, xb := ta.values[v][m], tb.values[v][m]
			var d results.Difference
			if paired {
				d = results.PairedDifference(xb, xa)
			} else {
				d = results.WelchDifference(xb, xa)
			}
			row := CompareRow{Variant: v, Metric: m, Better: better[m], A: estimateOf(xa), B: estimateOf(xb),
				Difference: differenceJSON{num(d.Mean), num(d.Low), num(d.High), num(d.P), num(d.DF), d.NY, d.NX, d.UndefinedY, d.UndefinedX}}
			margin := results.DefaultTolerance(results.Metric{Name: m}).Threshold(results.EstimateOf(xa).Mean)
			row.Equivalence.Margin = num(margin)
			mean, p := d.Mean, d.P
			tested := true // the means, by a t test
			ia, ib := xa, xb
			if paired { // the replications the difference pairs
				n := min(len(xa), len(xb))
				ia, ib = xa[:n], xb[:n]
			}
			if it, ok := results.TestInfinities(ia, ib); ok {
				// More (or fewer) replications with calls never answered:
				// tested by their number, as patrolsim check does.
				mean, p = math.Inf(it.Sign), it.P
				row.Difference.P = num(p)
				row.Note = it.Note("B ("+idB+")", "A ("+idA+")")
				tested = false
			} else if !d.Defined() {
				undefined++
				row.Note = "no verdict: " + d.UndefinedNote("B ("+idB+")", "A ("+idA+")")
				tested = false
			} else if !math.IsNaN(d.DF) && !slices.Contains(dfs, d.DF) {
				dfs = append(dfs, d.DF)
			}
			if tested {
				eq := results.EquivalenceOf(d, margin, 0.05)
				row.Equivalence.P, row.Equivalence.Detectable = num(eq.P), num(eq.Detectable)
				row.Equivalence.Equivalent = eq.P < 0.05
			}
			row.Significant = p < 0.05 // the same as: the 95% interval excludes 0; false for NaN
			switch {
			case row.Significant && row.Better == "":
				row.Verdict = "changed"
			case row.Significant && (mean < 0) == (row.Better == "lower"):
				row.Verdict = "better"
			case row.Significant:
				row.Verdict = "worse"
			case row.Equivalence.Equivalent:
				row.Verdict = "same"
			case tested || row.Difference.P != nil:
				// Not significant and not shown within tolerance; also a
				// difference in the number of infinite values that is not
				// significant (never within a tolerance).
				row.Verdict = "inconclusive"
			}
			c.Rows = append(c.Rows, row)
		}
	}
	c.Method, c.Why = method(ra, rb, dfs, undefined)
	return c, nil
}

// method names the comparison's method and says why in a sentence: the
// degrees of freedom are those of the rows tested (dfs), and rows without
// a verdict are counted.
func method(ra, rb *results.Summary, dfs []float64, undefined int) (string, string) {
	slices.Sort(dfs)
	var df string
	switch {
	case len(dfs) == 0:
		df = "no row has enough finite values for a t test"
	case len(dfs) == 1:
		df = fmt.Sprintf("%s degrees of freedom", strconv.FormatFloat(dfs[0], 'g', 4, 64))
	default:
		df = fmt.Sprintf("%s to %s degrees of freedom, as each row's df says", strconv.FormatFloat(dfs[0], 'g', 4, 64), strconv.FormatFloat(dfs[len(dfs)-1], 'g', 4, 64))
	}
	note := ""
	if undefined > 0 {
		note = fmt.Sprintf("; %d rows have no verdict: a value is not finite (no value, or calls never answered) in some replication compared", undefined)
	}
	na, nb := ra.Replications, rb.Replications
	switch {
	case ra.Seed != rb.Seed:
		return "welch", fmt.Sprintf("the runs have different seeds (%d, %d): independent samples, Welch's t (%s)%s", ra.Seed, rb.Seed, df, note)
	case na == nb:
		return "paired", fmt.Sprintf("both runs have seed %d and %d replications: replication i of each saw the same random numbers, so the difference is paired over replications (Student t, pairs − 1: %s)%s", ra.Seed, na, df, note)
	default:
		m := min(na, nb)
		longer := "B"
		if na > nb {
			longer = "A"
		}
		return "paired", fmt.Sprintf("both runs have seed %d (A %d replications, B %d): replication i of each saw the same random numbers whatever their number, so the difference is paired over the first %d replications, and %s's other %d are left out of it (Student t, pairs − 1: %s)%s", ra.Seed, na, nb, m, longer, max(na, nb)-m, df, note)
	}
}

func estimateOf(xs []float64) estimateJSON {
	e := results.EstimateOf(xs)
	inf := 0
	for _, x := range xs {
		if math.IsInf(x, 0) {
			inf++
		}
	}
	return estimateJSON{num(e.Mean), num(e.Low), num(e.High), e.N, inf}
}

// compare answers GET /api/compare?a=ID&b=ID: run b against run a.
func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids := []string{q.Get("a"), q.Get("b")}
	var outs [2]*Output
	better := map[string]string{}
	s.mu.Lock()
	for i, id := range ids {
		if rn := s.runs[id]; rn != nil {
			outs[i] = rn.out
			for m, b := range rn.better {
				if _, ok := better[m]; !ok {
					better[m] = b
				}
			}
		}
	}
	s.mu.Unlock()
	for i, id := range ids {
		if outs[i] == nil {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no finished run %q to compare (give ?a=ID&b=ID of two finished runs)", id))
			return
		}
	}
	c, err := compareRuns(ids[0], ids[1], outs[0], outs[1], better)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, c)
}
