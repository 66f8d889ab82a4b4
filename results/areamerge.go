package results

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// AreaMerge merges one variant's areas over a point's replications from
// their text in a sweep's journal (AreaItem.String, ";" between areas):
// what MergeAreaItems gives for the parsed items, the same sums in the
// same order and the p90 from the same pooled counts, without a map or an
// AreaItem for each area and replication (the bins of an area are counted
// in one dense run, as AreaPool's, and read in order without a sort).
// Reset it for each point and variant; it keeps its storage.
type AreaMerge struct {
	n    float64 // replications: the divisor of the means, as MergeAreaItems's
	acc  []areaAcc
	bins []areaBin // one item's bins, as parsed
}

// areaAcc is one area's sums over the replications added so far.
type areaAcc struct {
	realised, prevented, displaced, visibility float64
	respSum                                    float64
	respN                                      int
	inf                                        int
	lo                                         int         // the bin of counts[0]
	counts                                     []int       // by bin from lo; 0: not a bin of the pooled sketch
	sparse                                     map[int]int // instead of counts, for bins too far apart
}

// areaBin is a bin of an AreaSketch and its count.
type areaBin struct{ k, c int }

// areaFields are an AreaItem's values but its sketch (areaBins' and Inf).
type areaFields struct {
	realised, prevented, displaced int
	visibility, respMean           float64
	inf                            int
}

// Reset makes m empty, for na areas over reps replications.
func (m *AreaMerge) Reset(na, reps int) {
	m.n = float64(reps)
	if cap(m.acc) < na {
		m.acc = make([]areaAcc, na)
	}
	m.acc = m.acc[:na]
	for a := range m.acc {
		m.acc[a] = areaAcc{counts: m.acc[a].counts[:0]}
	}
}

// Add adds one replication's areas: the text of one variant's areas in a
// journal line, each area an AreaItem's text and ";" between them (an
// error when there are not as many areas as Reset was given, or when an
// area's text is not an AreaItem's: ParseAreaItem's).
func (m *AreaMerge) Add(text string) error {
	na := len(m.acc)
	if strings.Count(text, ";")+1 != na {
		return fmt.Errorf("%d areas, want %d", strings.Count(text, ";")+1, na)
	}
	for a := range na {
		t := text
		if i := strings.IndexByte(text, ';'); i >= 0 {
			t, text = text[:i], text[i+1:]
		}
		f, bins, ok := parseAreaFast(t, m.bins[:0])
		m.bins = bins
		if !ok {
			// Not as AreaItem.String writes it: read it as ParseAreaItem
			// does (the same values, or its error).
			it, err := ParseAreaItem(t)
			if err != nil {
				return fmt.Errorf("area %d: %w", a+1, err)
			}
			f = areaFields{it.Realised, it.Prevented, it.Displaced, it.Visibility, it.RespMean, it.Resp.Inf}
			m.bins = m.bins[:0]
			for k, c := range it.Resp.Bins {
				m.bins = append(m.bins, areaBin{k, c})
			}
			sortBins(m.bins)
		}
		m.acc[a].add(m.n, f, m.bins)
	}
	return nil
}

// sortBins sorts a few bins by k (insertion: a sketch's text gives them
// sorted already, a map rarely many).
func sortBins(bs []areaBin) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].k < bs[j-1].k; j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

// add adds an area's item, its bins in increasing k, as MergeAreaItems
// adds it to its sums and its pooled sketch.
func (acc *areaAcc) add(n float64, f areaFields, bins []areaBin) {
	acc.realised += float64(f.realised) / n
	acc.prevented += float64(f.prevented) / n
	acc.displaced += float64(f.displaced) / n
	if x := f.visibility; x == x {
		acc.visibility += x / n
	}
	if x := f.respMean; x == x {
		acc.respSum += x
		acc.respN++
	}
	acc.inf += f.inf
	if len(bins) == 0 {
		return
	}
	lo, hi := bins[0].k, bins[len(bins)-1].k
	if len(acc.counts) > 0 {
		lo, hi = min(lo, acc.lo), max(hi, acc.lo+len(acc.counts)-1)
	}
	if acc.sparse == nil && uint(hi)-uint(lo) >= maxDense {
		// Bins farther apart than any response times make (a journal
		// written otherwise): counted in a map, as AreaSketch.Merge.
		acc.sparse = map[int]int{}
		for i, c := range acc.counts {
			if c > 0 {
				acc.sparse[acc.lo+i] = c
			}
		}
		acc.counts = acc.counts[:0]
	}
	if acc.sparse != nil {
		for _, b := range bins {
			acc.sparse[b.k] += b.c
		}
		return
	}
	switch {
	case len(acc.counts) == 0:
		acc.lo = lo
		acc.counts = grow(acc.counts, hi-lo+1)
	case lo < acc.lo:
		old := len(acc.counts)
		acc.counts = grow(acc.counts, old+acc.lo-lo)
		copy(acc.counts[acc.lo-lo:], acc.counts[:old])
		clear(acc.counts[:acc.lo-lo])
		acc.lo = lo
		fallthrough
	default:
		acc.counts = grow(acc.counts, hi-acc.lo+1)
	}
	for _, b := range bins {
		acc.counts[b.k-acc.lo] += b.c
	}
}

// maxDense bounds an area's dense run of bins: response times from
// AreaSketchMinS to 10^7 s span AreaSketchMaxBins.
var maxDense = uint(4 * AreaSketchMaxBins)

// grow returns c lengthened to n (when shorter), the new entries zero.
func grow(c []int, n int) []int {
	old := len(c)
	if n <= old {
		return c
	}
	if cap(c) >= n {
		c = c[:n]
		clear(c[old:])
		return c
	}
	return append(c, make([]int, n-old)...)
}

// p90 is p90Of of the pooled sketch.
func (acc *areaAcc) p90() *float64 {
	if acc.sparse != nil {
		return p90Of(AreaSketch{Bins: acc.sparse, Inf: acc.inf})
	}
	n := acc.inf
	for _, c := range acc.counts {
		n += c
	}
	if n == 0 {
		return nil // (NaN)
	}
	want := 0.9 * float64(n)
	cum := 0.0
	for i, c := range acc.counts {
		if c == 0 {
			continue // (not a bin of the sketch)
		}
		cum += float64(c)
		if cum >= want {
			if v := sketchValue(acc.lo + i); !math.IsNaN(v) && !math.IsInf(v, 0) {
				return num(v)
			}
			return nil
		}
	}
	return nil // (+Inf)
}

// Details returns the merged areas, as MergeAreaItems.
func (m *AreaMerge) Details() AtomDetails {
	na := len(m.acc)
	ad := AtomDetails{Realised: make([]float64, na), Visibility: make([]float64, na), RespMeanS: make([]*float64, na),
		Prevented: make([]float64, na), Displaced: make([]float64, na), RespP90S: make([]*float64, na)}
	for a := range m.acc {
		acc := &m.acc[a]
		ad.Realised[a], ad.Prevented[a], ad.Displaced[a], ad.Visibility[a] = acc.realised, acc.prevented, acc.displaced, acc.visibility
		if acc.respN > 0 {
			ad.RespMeanS[a] = num(acc.respSum / float64(acc.respN))
		}
		ad.RespP90S[a] = acc.p90()
	}
	return ad
}

// CheckAreaItem reports whether text reads as an AreaItem (ParseAreaItem's
// error if not), without making its sketch.
func CheckAreaItem(text string) error {
	var buf [64]areaBin
	if _, _, ok := parseAreaFast(text, buf[:0]); ok {
		return nil
	}
	_, err := ParseAreaItem(text)
	return err
}

// parseAreaFast reads an AreaItem's text as ParseAreaItem does, its bins
// appended to bins (in increasing k), when the text is one ParseAreaItem
// accepts and every whole number in it is written as AreaItem.String
// writes it (an optional minus and at most 18 digits) and its sketch's
// fields are apart by spaces alone; ok is false otherwise (then
// ParseAreaItem decides). The values are those ParseAreaItem reads: the
// same fields (SplitN's, Fields'), strconv.ParseFloat's numbers, and the
// whole numbers strconv.Atoi reads from such text.
func parseAreaFast(text string, bins []areaBin) (f areaFields, _ []areaBin, ok bool) {
	var field [5]string
	for i := range field {
		j := strings.IndexByte(text, ',')
		if j < 0 {
			return f, bins, false
		}
		field[i], text = text[:j], text[j+1:]
	}
	for i, p := range [3]*int{&f.realised, &f.prevented, &f.displaced} {
		x, n := leadingInt(field[i])
		if n == 0 || n != len(field[i]) || x < 0 {
			return f, bins, false
		}
		*p = x
	}
	var err error
	if f.visibility, err = strconv.ParseFloat(field[3], 64); err != nil {
		return f, bins, false
	}
	if f.respMean, err = strconv.ParseFloat(field[4], 64); err != nil {
		return f, bins, false
	}
	// The sketch: the count of unanswered calls, then "K:C" per bin, in
	// increasing K, each C at least 1 (ParseAreaSketch's checks).
	words, prev := 0, math.MinInt
	for {
		for text != "" && text[0] == ' ' {
			text = text[1:]
		}
		if text == "" {
			break
		}
		x, n := leadingInt(text)
		if n == 0 {
			return f, bins, false
		}
		text = text[n:]
		if words == 0 {
			if x < 0 {
				return f, bins, false
			}
			f.inf = x
		} else {
			if text == "" || text[0] != ':' {
				return f, bins, false
			}
			c, n := leadingInt(text[1:])
			if n == 0 || c < 1 || x <= prev {
				return f, bins, false
			}
			text = text[1+n:]
			prev = x
			bins = append(bins, areaBin{x, c})
		}
		if text != "" && text[0] != ' ' {
			return f, bins, false
		}
		words++
	}
	if words == 0 || words-1 > AreaSketchMaxBins {
		return f, bins, false
	}
	return f, bins, true
}

// leadingInt reads a whole number at the start of s, an optional minus
// and 1 to 18 digits (no overflow): its value and length, 0 when s does
// not start with one.
func leadingInt(s string) (int, int) {
	i := 0
	if s != "" && s[0] == '-' {
		i++
	}
	x, start := 0, i
	for i < len(s) && i-start < 18 && s[i]-'0' <= 9 {
		x = 10*x + int(s[i]-'0')
		i++
	}
	if i == start {
		return 0, 0
	}
	if start > 0 {
		x = -x
	}
	return x, i
}

// AppendAreaItems appends the text of a replication's areas as a sweep's
// journal holds it: AreaItems(d, PooledSketches(pool, reps, areas)), each
// item's String, ";" between them. When every replication's times are in
// pool (reps hold none, as Collector.Pool leaves them) each sketch's text
// is written from the pool's dense bins, in order, without making it.
func AppendAreaItems(b []byte, d RunDetails, pool *AreaPool, reps []RunDetails, areas int) []byte {
	pooledOnly := pool != nil && len(pool.areas) == areas && len(d.AtomRealised) <= areas
	for _, r := range reps {
		pooledOnly = pooledOnly && r.AtomResps == nil
	}
	if !pooledOnly {
		for a, it := range AreaItems(d, PooledSketches(pool, reps, areas)) {
			if a > 0 {
				b = append(b, ';')
			}
			b = append(b, it.String()...)
		}
		return b
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for a := range d.AtomRealised {
		if a > 0 {
			b = append(b, ';')
		}
		prevented, displaced := 0, 0
		if d.AtomPrevented != nil {
			prevented, displaced = d.AtomPrevented[a], d.AtomDisplaced[a]
		}
		b = strconv.AppendInt(b, int64(d.AtomRealised[a]), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(prevented), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(displaced), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, d.AtomVisible[a], 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, d.AtomResp[a], 'g', -1, 64)
		b = append(b, ',')
		bins := &pool.areas[a]
		b = strconv.AppendInt(b, int64(bins.inf), 10)
		for i, c := range bins.n {
			if c > 0 {
				b = append(b, ' ')
				b = strconv.AppendInt(b, int64(bins.lo+i), 10)
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(c), 10)
			}
		}
	}
	return b
}
