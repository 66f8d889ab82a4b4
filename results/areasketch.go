package results

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// AreaSketchAlpha is the relative accuracy of an AreaSketch: every
// response time is kept as the centre of a logarithmic bin, within 0.5% of
// the time (or 1 ms, below AreaSketchMinS). A sweep's per-area p90 is the
// pooled 90th percentile of those centres (docs/outputs.md).
const (
	AreaSketchAlpha = 0.005
	AreaSketchMinS  = 0.001
)

// sketchGamma is the ratio of consecutive bin bounds, (1+α)/(1−α): the
// centre 2γ^k/(γ+1) of bin (γ^(k−1), γ^k] is within α of every time in it.
var sketchGamma = (1 + AreaSketchAlpha) / (1 - AreaSketchAlpha)

var sketchLogGamma = math.Log(sketchGamma)

// AreaSketchMaxBins bounds the bins of an AreaSketch holding times from
// AreaSketchMinS to 10^7 s (116 days): the finite bins, plus one for the
// calls never answered. An area's line in a sweep journal holds at most
// this many bins whatever the number of calls.
var AreaSketchMaxBins = int(math.Ceil(math.Log(1e7/AreaSketchMinS)/sketchLogGamma)) + 2

// AreaSketch counts one area's response times in logarithmic bins: a
// bounded, mergeable summary (a DDSketch) from which a pooled quantile is
// read to within AreaSketchAlpha, whatever the number of calls. Inf counts
// the calls never answered.
type AreaSketch struct {
	Bins map[int]int
	Inf  int
}

func sketchBin(x float64) int {
	return int(math.Ceil(math.Log(max(x, AreaSketchMinS)) / sketchLogGamma))
}

func sketchValue(k int) float64 { return 2 * math.Pow(sketchGamma, float64(k)) / (sketchGamma + 1) }

// Add counts the response time x, seconds (+Inf: never answered).
func (s *AreaSketch) Add(x float64) {
	if math.IsInf(x, 1) {
		s.Inf++
		return
	}
	if x != x {
		return
	}
	if s.Bins == nil {
		s.Bins = map[int]int{}
	}
	s.Bins[sketchBin(x)]++
}

// AreaPool pools one variant's response times by area as its
// replications finish (Collector.Pool), in AreaSketch's bins: what a run
// keeps for the areas' p90 is then bounded by the bins an area's times
// span (a few hundred), not by the calls of every replication. Counts
// add, so the pool is the same whatever order replications finish in.
type AreaPool struct {
	mu    sync.Mutex
	areas []areaBins
}

// areaBins is an AreaSketch's counts in a dense run of bins from lo.
type areaBins struct {
	lo  int
	n   []uint32
	inf int
}

// NewAreaPool returns an empty pool for areas areas.
func NewAreaPool(areas int) *AreaPool { return &AreaPool{areas: make([]areaBins, areas)} }

// Add counts resps[a], area a's response times (as AreaSketch.Add).
func (p *AreaPool) Add(resps [][]float32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var bins []int // the bins of an area's finite times, in order
	for a, xs := range resps {
		b := &p.areas[a]
		bins = bins[:0]
		lo, hi := 0, -1
		for _, x32 := range xs {
			x := float64(x32)
			if math.IsInf(x, 1) {
				b.inf++
				continue
			}
			if x != x {
				continue
			}
			k := sketchBin(x)
			if len(bins) == 0 {
				lo, hi = k, k
			}
			lo, hi = min(lo, k), max(hi, k)
			bins = append(bins, k)
		}
		if len(bins) == 0 {
			continue
		}
		// Widen the area's run of bins once to hold lo … hi.
		switch {
		case len(b.n) == 0:
			b.lo, b.n = lo, make([]uint32, hi-lo+1)
		default:
			if lo < b.lo {
				b.n = append(make([]uint32, b.lo-lo, b.lo-lo+len(b.n)), b.n...)
				b.lo = lo
			}
			if hi >= b.lo+len(b.n) {
				b.n = append(b.n, make([]uint32, hi-b.lo-len(b.n)+1)...)
			}
		}
		for _, k := range bins {
			b.n[k-b.lo]++
		}
	}
}

// p90 is what p90Of gives for area a's sketch of the pool alone
// (PooledSketches without replications): the same quantile, read from the
// dense bins without making the sketch.
func (p *AreaPool) p90(a int) *float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := &p.areas[a]
	n := b.inf
	for _, c := range b.n {
		n += int(c)
	}
	if n == 0 {
		return nil // (NaN)
	}
	want := 0.9 * float64(n)
	cum := 0.0
	for i, c := range b.n {
		if c == 0 {
			continue // (not a bin of the sketch)
		}
		cum += float64(int(c))
		if cum >= want {
			if v := sketchValue(b.lo + i); !math.IsNaN(v) && !math.IsInf(v, 0) {
				return num(v)
			}
			return nil
		}
	}
	return nil // (+Inf)
}

// PooledSketches returns each area's sketch of the response times of
// pool (nil: none) and of reps' AtomResps (the replications not pooled):
// the counts MergeDetails reads the areas' p90 from.
func PooledSketches(pool *AreaPool, reps []RunDetails, areas int) []AreaSketch {
	out := make([]AreaSketch, areas)
	if pool != nil {
		pool.mu.Lock()
		for a, b := range pool.areas {
			out[a].Inf = b.inf
			for i, c := range b.n {
				if c > 0 {
					if out[a].Bins == nil {
						out[a].Bins = map[int]int{}
					}
					out[a].Bins[b.lo+i] = int(c)
				}
			}
		}
		pool.mu.Unlock()
	}
	for _, d := range reps {
		for a, xs := range d.AtomResps {
			for _, x := range xs {
				out[a].Add(float64(x))
			}
		}
	}
	return out
}

// p90Of is a pooled sketch's 90th percentile, seconds, as areas.geojson
// gives it: nil without calls or when infinite.
func p90Of(s AreaSketch) *float64 {
	if p90 := s.Quantile(0.9); !math.IsNaN(p90) && !math.IsInf(p90, 0) {
		return num(p90)
	}
	return nil
}

// Merge adds o's counts to s.
func (s *AreaSketch) Merge(o AreaSketch) {
	s.Inf += o.Inf
	for k, c := range o.Bins {
		if s.Bins == nil {
			s.Bins = map[int]int{}
		}
		s.Bins[k] += c
	}
}

// N is the number of times counted.
func (s AreaSketch) N() int {
	n := s.Inf
	for _, c := range s.Bins {
		n += c
	}
	return n
}

// Quantile returns the p-quantile as stat.Empirical defines it (the least
// value with at least a share p of the times at or below it), as the
// centre of its bin: +Inf when it falls among the unanswered calls, NaN
// without times.
func (s AreaSketch) Quantile(p float64) float64 {
	n := s.N()
	if n == 0 {
		return math.NaN()
	}
	want := p * float64(n)
	cum := 0.0
	for _, k := range slices.Sorted(mapKeys(s.Bins)) {
		cum += float64(s.Bins[k])
		if cum >= want {
			return sketchValue(k)
		}
	}
	return math.Inf(1)
}

func mapKeys(m map[int]int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// String writes the sketch as "INF" then " K:C" per bin in increasing K:
// the same counts give the same text.
func (s AreaSketch) String() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(s.Inf))
	for _, k := range slices.Sorted(mapKeys(s.Bins)) {
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(k))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(s.Bins[k]))
	}
	return b.String()
}

// ParseAreaSketch reads String's text back.
func ParseAreaSketch(text string) (AreaSketch, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return AreaSketch{}, fmt.Errorf("empty response-time sketch")
	}
	var s AreaSketch
	var err error
	if s.Inf, err = strconv.Atoi(fields[0]); err != nil || s.Inf < 0 {
		return AreaSketch{}, fmt.Errorf("response-time sketch starts %q, not a count of unanswered calls", fields[0])
	}
	if len(fields)-1 > AreaSketchMaxBins {
		return AreaSketch{}, fmt.Errorf("response-time sketch with %d bins, more than %d", len(fields)-1, AreaSketchMaxBins)
	}
	prev := math.MinInt
	for _, f := range fields[1:] {
		ks, cs, ok := strings.Cut(f, ":")
		k, err1 := strconv.Atoi(ks)
		c, err2 := strconv.Atoi(cs)
		if !ok || err1 != nil || err2 != nil || c < 1 || k <= prev {
			return AreaSketch{}, fmt.Errorf("response-time bin %q is not BIN:COUNT in increasing order", f)
		}
		prev = k
		if s.Bins == nil {
			s.Bins = map[int]int{}
		}
		s.Bins[k] = c
	}
	return s, nil
}

// AreaItem is what a sweep keeps of one area in one replication of one
// variant: the per-replication measures of RunDetails and a sketch of the
// response times.
type AreaItem struct {
	Realised, Prevented, Displaced int
	Visibility                     float64 // NaN: no sample
	RespMean                       float64 // NaN: no answered call
	Resp                           AreaSketch
}

// AreaItems takes from d what a sweep keeps per area, resp[a] the sketch
// of area a's response times (PooledSketches).
func AreaItems(d RunDetails, resp []AreaSketch) []AreaItem {
	out := make([]AreaItem, len(d.AtomRealised))
	for a := range out {
		it := &out[a]
		it.Realised = d.AtomRealised[a]
		if d.AtomPrevented != nil {
			it.Prevented, it.Displaced = d.AtomPrevented[a], d.AtomDisplaced[a]
		}
		it.Visibility, it.RespMean = d.AtomVisible[a], d.AtomResp[a]
		it.Resp = resp[a]
	}
	return out
}

// String writes the item as "REALISED,PREVENTED,DISPLACED,VISIBILITY,MEAN,SKETCH".
func (it AreaItem) String() string {
	return strconv.Itoa(it.Realised) + "," + strconv.Itoa(it.Prevented) + "," + strconv.Itoa(it.Displaced) + "," +
		strconv.FormatFloat(it.Visibility, 'g', -1, 64) + "," + strconv.FormatFloat(it.RespMean, 'g', -1, 64) + "," + it.Resp.String()
}

// ParseAreaItem reads String's text back.
func ParseAreaItem(text string) (AreaItem, error) {
	f := strings.SplitN(text, ",", 6)
	if len(f) != 6 {
		return AreaItem{}, fmt.Errorf("area values %q: want 6 fields", excerpt(text))
	}
	var it AreaItem
	var err error
	for i, p := range []*int{&it.Realised, &it.Prevented, &it.Displaced} {
		if *p, err = strconv.Atoi(f[i]); err != nil || *p < 0 {
			return AreaItem{}, fmt.Errorf("area count %q is not a whole number", excerpt(f[i]))
		}
	}
	for i, p := range []*float64{&it.Visibility, &it.RespMean} {
		if *p, err = strconv.ParseFloat(f[3+i], 64); err != nil {
			return AreaItem{}, fmt.Errorf("area value %q is not a number", excerpt(f[3+i]))
		}
	}
	if it.Resp, err = ParseAreaSketch(f[5]); err != nil {
		return AreaItem{}, err
	}
	return it, nil
}

func excerpt(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// MergeAreaItems turns reps[r][a], one variant's areas over its
// replications, into AtomDetails as MergeDetails makes them, except that
// the p90 is read from the pooled sketches (AreaSketchAlpha).
func MergeAreaItems(reps [][]AreaItem, na int) AtomDetails {
	ad := AtomDetails{Realised: make([]float64, na), Visibility: make([]float64, na), RespMeanS: make([]*float64, na),
		Prevented: make([]float64, na), Displaced: make([]float64, na), RespP90S: make([]*float64, na)}
	n := float64(len(reps))
	for a := range na {
		var respSum float64
		var respN int
		var pooled AreaSketch
		for _, items := range reps {
			it := items[a]
			ad.Realised[a] += float64(it.Realised) / n
			ad.Prevented[a] += float64(it.Prevented) / n
			ad.Displaced[a] += float64(it.Displaced) / n
			if x := it.Visibility; x == x {
				ad.Visibility[a] += x / n
			}
			if x := it.RespMean; x == x {
				respSum += x
				respN++
			}
			pooled.Merge(it.Resp)
		}
		if respN > 0 {
			ad.RespMeanS[a] = num(respSum / float64(respN))
		}
		ad.RespP90S[a] = p90Of(pooled)
	}
	return ad
}
