package results

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Difference is the difference of two means, x − y, with its 95%
// confidence interval (Student t) and the two-sided p-value of the t test
// that it is zero. Fields are NaN when undefined: no values (Mean), or too
// few for an interval (Low, High, P, DF).
type Difference struct {
	Mean, Low, High float64
	P               float64
	DF              float64 // degrees of freedom of the t distribution
	NX, NY          int     // values used; equal (the pairs) for a paired difference
}

// PairedDifference is the mean of x[i] − y[i] over the indices where both
// are finite, for values that share common random numbers (replication i
// of both saw the same draws). The interval and test are Student t's with
// pairs − 1 degrees of freedom. When the differences do not vary, P is 1
// if they are all 0 and 0 otherwise, and the interval is the mean.
func PairedDifference(x, y []float64) Difference {
	var d []float64
	for i := range min(len(x), len(y)) {
		if finite(x[i]) && finite(y[i]) {
			d = append(d, x[i]-y[i])
		}
	}
	nan := math.NaN()
	out := Difference{Mean: nan, Low: nan, High: nan, P: nan, DF: nan, NX: len(d), NY: len(d)}
	if len(d) == 0 {
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

// WelchDifference is mean(x) − mean(y) over the finite values of each, for
// independent samples: Welch's t with Welch–Satterthwaite degrees of
// freedom (Welch, Biometrika 34, 1947). With fewer than two values on a
// side only Mean is defined. Without any spread on either side, P is 1 for
// equal means and 0 otherwise, and the interval is the mean.
func WelchDifference(x, y []float64) Difference {
	x, y = definedValues(x), definedValues(y)
	nan := math.NaN()
	out := Difference{Mean: nan, Low: nan, High: nan, P: nan, DF: nan, NX: len(x), NY: len(y)}
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
