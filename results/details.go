package results

import (
	"encoding/json"
	"io"
	"math"
	"slices"
)

// HistBinS is the width of the response-time histogram bins, seconds; the
// histogram covers 0 to HistMaxS, longer times fall in the last bin.
const (
	HistBinS = 15
	HistMaxS = 3600
)

// RunDetails are the distributions of one run that charts and maps need:
// what the table's means summarise.
type RunDetails struct {
	RespHist     [4][]int  // by priority ([0]: all), counts per HistBinS bin
	Unanswered   [4]int    // calls never answered, by priority
	HourRealised [24]int   // incidents realised in the window, by hour of day
	HourPrevent  [24]int   // prevented, by hour of day
	HourDisplace [24]int   // displaced, by hour of day
	AtomRealised []int     // incidents realised in the window, by atom
	AtomVisible  []float64 // share of hourly samples with presence at or above the threshold, by atom
	AtomResp     []float64 // mean response time of the atom's answered calls, seconds (NaN: none)
	// By the atom the candidate would have happened in: suppressed and
	// not displaced, and displaced (in space or time).
	AtomPrevented, AtomDisplaced []int
	// AtomResps are the atom's response times, seconds (+Inf: never
	// answered), in no particular order, as float32 (7 significant
	// digits: 1 ms at 10,000 s); nil when the collector pooled them
	// (Collector.Pool) as the run finished.
	AtomResps [][]float32
}

// Details returns the run's distributions.
func (c *Collector) Details() RunDetails {
	d := RunDetails{HourRealised: c.hourRealised, HourPrevent: c.hourPrevented, HourDisplace: c.hourDisplaced}
	if c.finished {
		for p := range 4 {
			d.RespHist[p] = append([]int(nil), c.respHist[p]...)
		}
		d.Unanswered = c.unanswered
	} else {
		d.RespHist, d.Unanswered = c.histograms()
	}
	d.AtomRealised = append([]int(nil), c.atomHits...)
	d.AtomPrevented = append([]int(nil), c.atomPrevented...)
	d.AtomDisplaced = append([]int(nil), c.atomDisplaced...)
	if c.atomResps != nil {
		d.AtomResps = make([][]float32, len(c.atomResps))
		for a, xs := range c.atomResps {
			if len(xs) > 0 { // (an empty list may be a reused one's: nil, as a new one's)
				d.AtomResps[a] = slices.Clone(xs)
			}
		}
	}
	for a := range c.atomSeen {
		d.AtomVisible = append(d.AtomVisible, ratio(float64(c.atomSeen[a]), float64(c.samples)))
		d.AtomResp = append(d.AtomResp, c.atomResp[a].mean())
	}
	return d
}

// histograms counts the response times by priority in HistBinS bins, and
// the calls never answered.
func (c *Collector) histograms() (hist [4][]int, unanswered [4]int) {
	bins := HistMaxS/HistBinS + 1
	for p := range 4 {
		hist[p] = make([]int, bins)
		for _, x := range c.resp[p] {
			if math.IsInf(x, 1) {
				unanswered[p]++
				continue
			}
			hist[p][min(bins-1, int(x/HistBinS))]++
		}
	}
	// All priorities (resp[0] holds the calls of none: see Collector.resp).
	for p := 1; p < 4; p++ {
		for b, n := range hist[p] {
			hist[0][b] += n
		}
		unanswered[0] += unanswered[p]
	}
	return hist, unanswered
}

// DetailsJSON is the document run writes as details.json: per variant, the
// distributions summed (histograms) or averaged (per replication: hours,
// atoms) over replications. Atoms are in the scenario's order.
type DetailsJSON struct {
	Scenario     string           `json:"scenario"`
	Replications int              `json:"replications"`
	HistBinS     int              `json:"response_hist_bin_s"`
	Atoms        []string         `json:"atoms"`
	Variants     []VariantDetails `json:"variants"`
}

// VariantDetails is one variant's distributions.
type VariantDetails struct {
	Name string `json:"name"`
	// RespHist[p] counts calls by response time bin, summed over
	// replications; p = 0 is all priorities, 1–3 each priority.
	RespHist   [4][]int    `json:"response_hist"`
	Unanswered [4]int      `json:"unanswered"`
	Hours      HourDetails `json:"by_hour"`
	AtomsData  AtomDetails `json:"by_atom"`
}

// HourDetails are mean counts per replication by hour of day (0 = 00:00).
type HourDetails struct {
	Realised  [24]float64 `json:"realised"`
	Prevented [24]float64 `json:"prevented"`
	Displaced [24]float64 `json:"displaced"`
}

// AtomDetails are per-atom means over replications. The fields not in
// details.json are for areas.geojson (WriteAreasGeoJSON).
type AtomDetails struct {
	Realised   []float64  `json:"realised"`
	Visibility []float64  `json:"visibility"`
	RespMeanS  []*float64 `json:"response_mean_s"`

	Prevented []float64 `json:"-"` // candidates suppressed and not displaced, mean per replication
	Displaced []float64 `json:"-"` // candidates displaced away from the atom (in space or time), mean per replication
	// RespP90S is the 90th percentile of the atom's response times pooled
	// over the replications (an unanswered call counts as infinitely late,
	// as in response_p90_s), seconds, read from their AreaSketch (within
	// AreaSketchAlpha, as a sweep reads it: a run and a sweep give one
	// figure); nil without calls or when infinite.
	RespP90S []*float64 `json:"-"`
}

// MergeDetails combines runs[v][rep] into the document; pools[v] (nil, or
// nil for a variant: none) holds the response times by area of variant
// v's replications that pooled them (Collector.Pool).
func MergeDetails(scenario string, atoms []string, names []string, runs [][]RunDetails, pools []*AreaPool) DetailsJSON {
	doc := DetailsJSON{Scenario: scenario, HistBinS: HistBinS, Atoms: atoms}
	for v, name := range names {
		reps := runs[v]
		doc.Replications = len(reps)
		vd := VariantDetails{Name: name}
		n := float64(len(reps))
		na := len(atoms)
		vd.AtomsData = AtomDetails{Realised: make([]float64, na), Visibility: make([]float64, na), RespMeanS: make([]*float64, na),
			Prevented: make([]float64, na), Displaced: make([]float64, na), RespP90S: make([]*float64, na)}
		var pool *AreaPool
		if pools != nil {
			pool = pools[v]
		}
		// Every replication pooled (the usual run): the p90 is read from
		// the pool's bins (AreaPool.p90) without making the sketches.
		pooledOnly := pool != nil
		for _, d := range reps {
			pooledOnly = pooledOnly && d.AtomResps == nil
		}
		var sketches []AreaSketch
		if !pooledOnly {
			sketches = PooledSketches(pool, reps, na)
		}
		respSum := make([]float64, na)
		respN := make([]int, na)
		for p := range 4 {
			vd.RespHist[p] = make([]int, HistMaxS/HistBinS+1)
		}
		for _, d := range reps {
			for p := range 4 {
				for b, k := range d.RespHist[p] {
					vd.RespHist[p][b] += k
				}
				vd.Unanswered[p] += d.Unanswered[p]
			}
			for h := range 24 {
				vd.Hours.Realised[h] += float64(d.HourRealised[h]) / n
				vd.Hours.Prevented[h] += float64(d.HourPrevent[h]) / n
				vd.Hours.Displaced[h] += float64(d.HourDisplace[h]) / n
			}
			for a := range na {
				vd.AtomsData.Realised[a] += float64(d.AtomRealised[a]) / n
				if d.AtomPrevented != nil {
					vd.AtomsData.Prevented[a] += float64(d.AtomPrevented[a]) / n
					vd.AtomsData.Displaced[a] += float64(d.AtomDisplaced[a]) / n
				}
				if x := d.AtomVisible[a]; x == x {
					vd.AtomsData.Visibility[a] += x / n
				}
				if x := d.AtomResp[a]; x == x {
					respSum[a] += x
					respN[a]++
				}
			}
		}
		for a := range na {
			if respN[a] > 0 {
				vd.AtomsData.RespMeanS[a] = num(respSum[a] / float64(respN[a]))
			}
			if pooledOnly {
				vd.AtomsData.RespP90S[a] = pool.p90(a)
			} else {
				vd.AtomsData.RespP90S[a] = p90Of(sketches[a])
			}
		}
		doc.Variants = append(doc.Variants, vd)
	}
	return doc
}

// WriteJSON writes the document, indented.
func (d DetailsJSON) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(d)
}
