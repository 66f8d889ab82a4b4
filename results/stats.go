package results

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Difference is the difference of two means, x − y, with its 95%
// confidence interval (Student t) and the two-sided p-value of the t test
// that it is zero. Fields are NaN when undefined: no values (Mean), too few
// for an interval (Low, High, P, DF), or a value that is not finite
// (everything but the counts; see UndefinedX).
type Difference struct {
	Mean, Low, High float64
	P               float64
	DF              float64 // degrees of freedom of the t distribution
	NX, NY          int     // finite values; equal (the pairs with both finite) for a paired difference
	// UndefinedX and UndefinedY count the values of x and y that are not
	// finite (NaN: no value; ±Inf, such as a response percentile beyond
	// the answered calls), among the first min(len(x), len(y)) for a
	// paired difference. When either is nonzero the difference is
	// undefined and Mean, Low, High, P and DF are NaN: leaving those
	// replications out would test a biased remainder (an infinite
	// percentile is the worst value, not a missing one), so a run with
	// unanswered calls in half its replications could be called better.
	UndefinedX, UndefinedY int

	cx, cy int // values compared on each side, for UndefinedNote
}

// Defined reports whether every value compared is finite (the statistics
// may still be NaN for want of values).
func (d Difference) Defined() bool { return d.UndefinedX == 0 && d.UndefinedY == 0 }

// UndefinedNote says, for an undefined difference, which side has values
// that are not finite and in how many of the replications compared, with x
// and y named as given: "undefined (no value or infinite) in 4 of 8
// replications of B". It is "" for a defined difference.
func (d Difference) UndefinedNote(xName, yName string) string {
	nx, ny := d.cx, d.cy
	side := func(k, n int, name string) string {
		if k == n {
			return fmt.Sprintf("every replication of %s", name)
		}
		return fmt.Sprintf("%d of %d replications of %s", k, n, name)
	}
	switch {
	case d.Defined():
		return ""
	case d.UndefinedY == 0:
		return "undefined (no value or infinite) in " + side(d.UndefinedX, nx, xName)
	case d.UndefinedX == 0:
		return "undefined (no value or infinite) in " + side(d.UndefinedY, ny, yName)
	default:
		return "undefined (no value or infinite) in " + side(d.UndefinedX, nx, xName) + " and " + side(d.UndefinedY, ny, yName)
	}
}

// PairedDifference is the mean of x[i] − y[i] over the first min(len(x),
// len(y)) indices, for values that share common random numbers
// (replication i of both saw the same draws). The interval and test are
// Student t's with pairs − 1 degrees of freedom. When the differences do
// not vary, P is 1 if they are all 0 and 0 otherwise, the interval is the
// mean and DF is still pairs − 1. When a value at any of those indices is
// not finite the difference is undefined (see Difference.UndefinedX).
func PairedDifference(x, y []float64) Difference {
	n := min(len(x), len(y))
	nan := math.NaN()
	out := Difference{Mean: nan, Low: nan, High: nan, P: nan, DF: nan, cx: n, cy: n}
	d := make([]float64, 0, n)
	for i := range n {
		fx, fy := finite(x[i]), finite(y[i])
		if !fx {
			out.UndefinedX++
		}
		if !fy {
			out.UndefinedY++
		}
		if fx && fy {
			d = append(d, x[i]-y[i])
		}
	}
	out.NX, out.NY = len(d), len(d)
	if len(d) == 0 || !out.Defined() {
		return out
	}
	out.Mean = stat.Mean(d, nil)
	if len(d) < 2 {
		return out
	}
	sd := stat.StdDev(d, nil)
	se := sd / math.Sqrt(float64(len(d)))
	out.DF = float64(len(d) - 1)
	tdist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: out.DF}
	q := tdist.Quantile(0.975)
	out.Low, out.High = out.Mean-q*se, out.Mean+q*se
	switch {
	case se > 0:
		out.P = 2 * tdist.Survival(math.Abs(out.Mean)/se)
	case out.Mean == 0:
		out.P = 1 // identical in every replication
	default:
		out.P = 0 // the same nonzero difference in every replication
	}
	return out
}

// WelchDifference is mean(x) − mean(y) for independent samples: Welch's t
// with Welch–Satterthwaite degrees of freedom (Welch, Biometrika 34,
// 1947). With fewer than two values on a side only Mean is defined.
// Without any spread on either side, P is 1 for equal means and 0
// otherwise, the interval is the mean, and DF is n_x + n_y − 2 (Student's
// pooled t, which Welch–Satterthwaite's equals for equal sizes and
// variances; the formula itself is 0/0 there), as PairedDifference keeps
// pairs − 1. When a value is not finite the difference is undefined (see
// Difference.UndefinedX).
func WelchDifference(x, y []float64) Difference {
	nan := math.NaN()
	out := Difference{Mean: nan, Low: nan, High: nan, P: nan, DF: nan, cx: len(x), cy: len(y)}
	fx, fy := definedValues(x), definedValues(y)
	out.NX, out.NY = len(fx), len(fy)
	out.UndefinedX, out.UndefinedY = len(x)-len(fx), len(y)-len(fy)
	if !out.Defined() {
		return out
	}
	x, y = fx, fy
	if len(x) > 0 && len(y) > 0 {
		out.Mean = stat.Mean(x, nil) - stat.Mean(y, nil)
	}
	n0, n1 := float64(len(x)), float64(len(y))
	if n0 < 2 || n1 < 2 {
		return out
	}
	m0, v0 := stat.MeanVariance(x, nil)
	m1, v1 := stat.MeanVariance(y, nil)
	out.Mean = m0 - m1
	a, b := v0/n0, v1/n1
	se := math.Sqrt(a + b)
	d := math.Abs(m1 - m0)
	if se == 0 {
		out.Low, out.High = out.Mean, out.Mean
		out.DF = n0 + n1 - 2
		if d == 0 {
			out.P = 1
		} else {
			out.P = 0
		}
		return out
	}
	out.DF = (a + b) * (a + b) / (a*a/(n0-1) + b*b/(n1-1))
	tdist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: out.DF}
	q := tdist.Quantile(0.975)
	out.Low, out.High = out.Mean-q*se, out.Mean+q*se
	out.P = min(1, 2*tdist.Survival(d/se))
	return out
}

// InfinityTest compares how often two samples hold an infinite value (a
// percentile of response when calls were never answered): KX of NX values
// of x (NaN not counted), KY of NY of y, the two-sided p-value of Fisher's
// exact test on those counts, and Sign, the direction of y against x: +1
// when y holds a larger share of +Inf values (or a smaller share of −Inf
// ones), −1 the other way.
type InfinityTest struct {
	KX, NX, KY, NY int
	Sign           int
	P              float64
}

// TestInfinities tests x against y by their infinite values; ok is false
// when neither has one or both have the same share, and the finite values
// are then what is to be compared. Infinite values are extreme, not
// missing: dropping them would let a run that leaves calls unanswered in
// some replications look better on the rest.
func TestInfinities(x, y []float64) (InfinityTest, bool) {
	kx, sx, nx := infinities(x)
	ky, sy, ny := infinities(y)
	if kx+ky == 0 || kx*ny == ky*nx {
		return InfinityTest{}, false
	}
	sign := max(sx, sy) // +1 for +Inf values, −1 for −Inf
	if ky*nx < kx*ny {
		sign = -sign
	}
	return InfinityTest{KX: kx, NX: nx, KY: ky, NY: ny, Sign: sign, P: fisherExact(kx, nx, ky, ny)}, true
}

// Note says what was tested, naming y and x.
func (it InfinityTest) Note(yName, xName string) string {
	return fmt.Sprintf("infinite in %d of %d replications of %s, %d of %d of %s (Fisher's exact test on those counts)", it.KY, it.NY, yName, it.KX, it.NX, xName)
}

// infinities counts the replications with an infinite value among those
// with a value (not NaN), and the sign of the infinities (+1, −1, or 0 when
// there are none; +1 when both signs occur).
func infinities(xs []float64) (k, sign, n int) {
	for _, x := range xs {
		switch {
		case math.IsNaN(x):
			continue
		case math.IsInf(x, 1):
			k, sign = k+1, 1
		case math.IsInf(x, -1):
			k++
			if sign == 0 {
				sign = -1
			}
		}
		n++
	}
	return k, sign, n
}

// fisherExact returns the two-sided p-value of Fisher's exact test that a
// of n1 and b of n2 come from the same proportion: the probability, under
// the hypergeometric law with the table's margins, of every table no more
// likely than the one observed.
func fisherExact(a, n1, b, n2 int) float64 {
	k, n := a+b, n1+n2
	lchoose := func(n, r int) float64 {
		x, _ := math.Lgamma(float64(n + 1))
		y, _ := math.Lgamma(float64(r + 1))
		z, _ := math.Lgamma(float64(n - r + 1))
		return x - y - z
	}
	prob := func(x int) float64 { return math.Exp(lchoose(k, x) + lchoose(n-k, n1-x) - lchoose(n, n1)) }
	p0 := prob(a)
	var p float64
	for x := max(0, k-n2); x <= min(k, n1); x++ {
		if q := prob(x); q <= p0*(1+1e-7) {
			p += q
		}
	}
	return min(p, 1)
}

// Estimate is a metric over replications: the mean and the 95% confidence
// interval of the mean (Student t with N−1 degrees of freedom). Fields are
// NaN when undefined: no replication had a value, or (for the interval)
// fewer than two did. The mean is +Inf, with no interval, when a
// replication's value was +Inf (a quantile of response times beyond the
// answered calls).
type Estimate struct {
	Mean, Low, High float64
	N               int // replications with a value
}

// Estimate computes the estimate of the mean of xs, ignoring NaNs.
func estimate(xs []float64) Estimate {
	var vals []float64
	for _, x := range xs {
		if x == x {
			vals = append(vals, x)
		}
	}
	e := Estimate{Mean: math.NaN(), Low: math.NaN(), High: math.NaN(), N: len(vals)}
	if len(vals) == 0 {
		return e
	}
	e.Mean = stat.Mean(vals, nil)
	if len(vals) < 2 || math.IsInf(e.Mean, 0) {
		return e // no interval from one value, or around an infinite mean
	}
	se := stat.StdDev(vals, nil) / math.Sqrt(float64(len(vals)))
	t := tQuantile975(len(vals) - 1)
	e.Low, e.High = e.Mean-t*se, e.Mean+t*se
	return e
}

// tQuantiles holds the 97.5% quantiles of Student's t by whole degrees
// of freedom that estimate has computed: each is an inverse incomplete
// beta function (~10 µs), and a sweep's points.csv asks for the same one
// for every point, variant and metric.
var tQuantiles sync.Map // int → float64

// tQuantile975 is the 97.5% quantile of Student's t with df degrees of
// freedom (df >= 1), computed once per df.
func tQuantile975(df int) float64 {
	if q, ok := tQuantiles.Load(df); ok {
		return q.(float64)
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
	tQuantiles.Store(df, q)
	return q
}

// EstimateOf is the mean and 95% confidence interval of xs over
// replications, NaNs left out (as in a Summary).
func EstimateOf(xs []float64) Estimate { return estimate(xs) }

// holmAdjust returns Holm's step-down adjustment of ps (same order):
// with the m defined p-values sorted ascending, p_(j) becomes the
// maximum over i <= j of min(1, (m − i + 1) p_(i)). NaNs stay NaN.
func holmAdjust(ps []float64) []float64 {
	out := make([]float64, len(ps))
	var idx []int
	for k, p := range ps {
		out[k] = math.NaN()
		if !math.IsNaN(p) {
			idx = append(idx, k)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(ps[a], ps[b]) })
	m := len(idx)
	run := 0.0
	for j, k := range idx {
		run = max(run, min(1, float64(m-j)*ps[k]))
		out[k] = run
	}
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func definedValues(xs []float64) []float64 {
	var out []float64
	for _, x := range xs {
		if finite(x) {
			out = append(out, x)
		}
	}
	return out
}

func meanOf(xs []float64) float64 {
	xs = definedValues(xs)
	if len(xs) == 0 {
		return math.NaN()
	}
	return stat.Mean(xs, nil)
}

// welch returns the two-sided p-value of Welch's t test that x and y have
// the same mean (WelchDifference); NaN with fewer than two values on a
// side.
func welch(x, y []float64) float64 { return WelchDifference(x, y).P }
