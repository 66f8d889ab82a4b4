package analytic

import (
	"fmt"
	"math"
)

// ErlangB returns the probability that a call finds all c servers busy in
// an M/G/c/c loss system with offered load a = λ/μ (Erlang 1917; Larson &
// Odoni, Urban Operations Research, 1981, §4.8, eq. 4.70):
//
//	B(c, a) = (a^c/c!) / Σ_{k=0..c} a^k/k!
//
// computed by the stable recursion B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1)).
// It is 1 for c = 0 and 0 for a = 0. It panics if c < 0 or a < 0.
func ErlangB(c int, a float64) float64 {
	if c < 0 || a < 0 {
		panic(fmt.Sprintf("analytic: ErlangB(%d, %v): negative argument", c, a))
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// ErlangC returns the probability that a call waits in an M/M/c queue with
// offered load a = λ/μ < c (Erlang 1917; Larson & Odoni 1981, §4.6;
// Kleinrock, Queueing Systems I, 1975, eq. 3.40), from Erlang B:
//
//	C(c, a) = c·B / (c − a·(1 − B)),  B = B(c, a)
//
// It returns 1 when a >= c (the queue is unstable: every call waits in the
// long run) and panics if c < 1 or a < 0.
func ErlangC(c int, a float64) float64 {
	if c < 1 || a < 0 {
		panic(fmt.Sprintf("analytic: ErlangC(%d, %v): need c >= 1 and a >= 0", c, a))
	}
	if a >= float64(c) {
		return 1
	}
	b := ErlangB(c, a)
	return float64(c) * b / (float64(c) - a*(1-b))
}

// MMcWait returns the mean wait in queue Wq of an M/M/c queue with arrival
// rate lambda and service rate mu per server (Larson & Odoni 1981, §4.6):
//
//	Wq = C(c, λ/μ) / (c·μ − λ)
//
// in the time unit of 1/lambda. It returns +Inf when λ >= c·μ and panics if
// c < 1, lambda < 0 or mu <= 0.
func MMcWait(c int, lambda, mu float64) float64 {
	if c < 1 || lambda < 0 || mu <= 0 {
		panic(fmt.Sprintf("analytic: MMcWait(%d, %v, %v): need c >= 1, lambda >= 0, mu > 0", c, lambda, mu))
	}
	if lambda >= float64(c)*mu {
		return math.Inf(1)
	}
	return ErlangC(c, lambda/mu) / (float64(c)*mu - lambda)
}

// PriorityWaits returns the mean wait in queue of each class of an M/M/c
// queue with non-preemptive priorities, class 0 first, every class served
// at the same rate mu per server, first come first served within a class.
// lambdas are the classes' arrival rates. Cobham (1954, "Priority
// assignment in waiting line problems", Operations Research 2(1)), in the
// form of Kleinrock (Queueing Systems II, 1976, §3.6) and Gross & Harris
// (Fundamentals of Queueing Theory, 1998, §3.4.1):
//
//	W_k = W0 / ((1 − σ_{k−1}) (1 − σ_k)),  σ_k = Σ_{i<=k} λ_i / (c·μ),  σ_{−1} = 0
//	W0  = C(c, λ/μ) / (c·μ)
//
// where W0 is the mean residual time until some server frees up, seen by an
// arrival, counted only when all are busy. With one class it is MMcWait.
// A class with σ_k >= 1 and every class after it wait +Inf. It panics if
// c < 1, mu <= 0 or a rate is negative.
func PriorityWaits(c int, lambdas []float64, mu float64) []float64 {
	if c < 1 || mu <= 0 {
		panic(fmt.Sprintf("analytic: PriorityWaits(%d, …, %v): need c >= 1 and mu > 0", c, mu))
	}
	var lambda float64
	for _, l := range lambdas {
		if l < 0 {
			panic(fmt.Sprintf("analytic: PriorityWaits: negative rate %v", l))
		}
		lambda += l
	}
	cmu := float64(c) * mu
	w0 := ErlangC(c, lambda/mu) / cmu
	out := make([]float64, len(lambdas))
	var prev float64
	for k, l := range lambdas {
		s := prev + l/cmu
		if s >= 1 {
			out[k] = math.Inf(1)
		} else {
			out[k] = w0 / ((1 - prev) * (1 - s))
		}
		prev = s
	}
	return out
}

// mmnBusy returns the distribution of the number of busy servers of an
// M/M/N system with offered load a = λ/μ: p[k] for k = 0…N, where p[N] is
// the probability that all are busy (with any queue behind them when loss is
// false; then a < N is required). loss selects the zero-capacity M/M/N/N
// system (Erlang's loss model).
func mmnBusy(n int, a float64, loss bool) []float64 {
	p := make([]float64, n+1)
	p[0] = 1
	sum := 1.0
	for k := 1; k <= n; k++ {
		p[k] = p[k-1] * a / float64(k)
		sum += p[k]
	}
	if !loss {
		// The queue tail: P{N + q in system} = p_N (a/N)^q, summed.
		sum += p[n] * (1/(1-a/float64(n)) - 1)
		p[n] /= 1 - a/float64(n)
	}
	for k := range p {
		p[k] /= sum
	}
	return p
}
