package results

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// randomAreaItem is an area's item as a sweep's journal holds it: counts,
// a visibility and a mean response that may be undefined (NaN), and a
// sketch of lognormal response times, some never answered; now and then
// none, or times far apart (bins both sides of the others').
func randomAreaItem(r *rand.Rand) AreaItem {
	it := AreaItem{Realised: r.IntN(30), Prevented: r.IntN(5), Displaced: r.IntN(3), Visibility: r.Float64(), RespMean: 100 + 900*r.Float64()}
	if r.IntN(8) == 0 {
		it.Visibility = math.NaN()
	}
	if r.IntN(6) == 0 {
		it.RespMean = math.NaN()
	}
	scale := 400.0
	switch r.IntN(10) {
	case 0:
		scale = 0.01
	case 1:
		scale = 1e6
	}
	for range r.IntN(40) {
		it.Resp.Add(scale * math.Exp(r.NormFloat64()))
	}
	for range r.IntN(3) {
		if r.IntN(3) == 0 {
			it.Resp.Add(math.Inf(1))
		}
	}
	return it
}

// detailsText writes merged areas as areas.geojson writes their numbers
// (null for nil, NaN or infinite), to compare them exactly.
func detailsText(ad AtomDetails) string {
	var b strings.Builder
	f := func(x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null ")
			return
		}
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64) + " ")
	}
	for a := range ad.Realised {
		f(ad.Realised[a])
		f(ad.Prevented[a])
		f(ad.Displaced[a])
		f(ad.Visibility[a])
		f(ptrAt(ad.RespMeanS, a))
		f(ptrAt(ad.RespP90S, a))
		b.WriteString("\n")
	}
	return b.String()
}

// TestAreaMerge: merging the items' text with AreaMerge gives, bit for
// bit, what MergeAreaItems gives for the parsed items (the means in the
// same order, the pooled p90), over random items, replications and
// areas, one AreaMerge reused for every trial; and so do texts written
// otherwise that ParseAreaItem accepts (signs, leading zeros, runs of
// white space, bins kept in a map: far apart).
func TestAreaMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var m AreaMerge
	for trial := range 300 {
		na, reps := 1+r.IntN(6), 1+r.IntN(12)
		items := make([][]AreaItem, reps)
		texts := make([]string, reps)
		for rep := range reps {
			var parts []string
			for range na {
				text := rewrite(r, randomAreaItem(r).String())
				it, err := ParseAreaItem(text)
				if err != nil {
					t.Fatalf("%q: %v", text, err)
				}
				items[rep] = append(items[rep], it)
				parts = append(parts, text)
			}
			texts[rep] = strings.Join(parts, ";")
		}
		if trial%7 == 3 {
			// Bins far apart: one area's sketch gets a bin past the
			// others' by more than any response time makes.
			rep, a := r.IntN(reps), r.IntN(na)
			items[rep][a].Resp.Add(1)
			if items[rep][a].Resp.Bins == nil {
				items[rep][a].Resp.Bins = map[int]int{}
			}
			items[rep][a].Resp.Bins[1<<40]++
			parts := strings.Split(texts[rep], ";")
			parts[a] = items[rep][a].String()
			texts[rep] = strings.Join(parts, ";")
		}
		want := detailsText(MergeAreaItems(items, na))
		m.Reset(na, reps)
		for rep := range reps {
			if err := m.Add(texts[rep]); err != nil {
				t.Fatalf("trial %d: %v", trial, err)
			}
		}
		if got := detailsText(m.Details()); got != want {
			t.Fatalf("trial %d (%d areas, %d replications): merged\n%s\nwant (MergeAreaItems)\n%s", trial, na, reps, got, want)
		}
	}
	m.Reset(2, 1)
	if err := m.Add("1,0,0,0.5,NaN,0"); err == nil {
		t.Error("one area's text for two areas: no error")
	}
}

// rewrite writes an item's text otherwise, as ParseAreaItem still reads
// it, now and then: a plus sign or leading zeros on a whole number, more
// spaces or a tab in the sketch.
func rewrite(r *rand.Rand, text string) string {
	switch r.IntN(12) {
	case 0:
		return "+" + text
	case 1:
		return "007" + text
	case 2:
		return strings.ReplaceAll(text, " ", "  ") + " "
	case 3:
		return strings.Replace(text, " ", "\t", 1)
	case 4:
		return strings.Replace(text, ":", ":0", 1)
	}
	return text
}

// TestCheckAreaItem: CheckAreaItem (and AreaMerge.Add, for one area)
// accepts what ParseAreaItem accepts and refuses what it refuses, with
// its message, on items changed a byte at a time and on a few written by
// hand: whole numbers past 18 digits, signs, bins out of order or empty.
func TestCheckAreaItem(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cases := []string{"", ",,,,,", "1,2,3,0.5,NaN,0", "1,2,3,0.5,NaN,", "1,2,3,0.5,NaN, ", "1,2,3,0.5,NaN,0 5:1 4:1",
		"1,2,3,0.5,NaN,0 5:0", "1,2,3,0.5,NaN,-1", "-1,2,3,0.5,NaN,0", "1,2,3,x,NaN,0", "1,2,3,0.5,NaN,0 5:1:2",
		"1,2,3,0.5,NaN,0 5", "1,2,3,0.5,NaN,0 :5", "1,2,3,0.5,NaN,0 5:", "1,2,3,0.5,NaN,0 -:1", "1,2,3,0.5,NaN,0 - 5:1",
		"1234567890123456789,0,0,0,0,0", "9999999999999999999,0,0,0,0,0", "1,2,3,0.5,NaN,9223372036854775808", "1,2,3,0.5,NaN,0 9999999999999999999:1", "123456789012345678,0,0,0,0,0", "1,2,3,0.5,NaN,0 99999999999999999999:1",
		"1,2,3,0.5,NaN,0 -5:1 +6:2", "1,2,3,0.5,NaN,0\u00a05:1", "1,2,3,0.5,NaN,0 5:1,2", "1,2,3,Inf,-Inf,0 1:1",
		"1,2,3,0x1p-2,1_0,0", "00,-0,+0,0,0,+0 -0:+1"}
	for range 2000 {
		b := []byte(randomAreaItem(r).String())
		for range 1 + r.IntN(2) {
			i := r.IntN(len(b))
			switch r.IntN(3) {
			case 0:
				b[i] = " ,:;+-0123456789\t\nx."[r.IntN(20)]
			case 1:
				b = append(b[:i], b[i+1:]...)
			default:
				b = append(b[:i], append([]byte{"  :-0,"[r.IntN(6)]}, b[i:]...)...)
			}
			if len(b) == 0 {
				break
			}
		}
		cases = append(cases, string(b))
	}
	var m AreaMerge
	accepted := 0
	for _, text := range cases {
		_, want := ParseAreaItem(text)
		got := CheckAreaItem(text)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q: CheckAreaItem %v, ParseAreaItem %v", text, got, want)
		}
		if strings.Contains(text, ";") {
			continue // two areas' texts to AreaMerge.Add
		}
		m.Reset(1, 1)
		if err := m.Add(text); (err == nil) != (want == nil) {
			t.Fatalf("%q: AreaMerge.Add %v, ParseAreaItem %v", text, err, want)
		}
		if want == nil {
			accepted++
			it, _ := ParseAreaItem(text)
			if got, w := detailsText(m.Details()), detailsText(MergeAreaItems([][]AreaItem{{it}}, 1)); got != w {
				t.Fatalf("%q: merged %s, want %s", text, got, w)
			}
		}
	}
	if accepted < 200 {
		t.Errorf("only %d of %d texts accepted: the changes test refusals alone", accepted, len(cases))
	}
}

// TestAppendAreaItems: the text AppendAreaItems writes is that of
// AreaItems and PooledSketches, each item's String and ";" between them:
// from the pool's dense bins when every replication is pooled (bins both
// sides, unanswered and NaN times, areas without calls, no prevention
// counts), and through the sketches when a replication is not.
func TestAppendAreaItems(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 200 {
		areas := 1 + r.IntN(5)
		pool := NewAreaPool(areas)
		var reps []RunDetails
		for range 1 + r.IntN(3) {
			resps := make([][]float32, areas)
			for a := range resps {
				for range r.IntN(30) {
					x := float32(400 * math.Exp(2*r.NormFloat64()))
					switch r.IntN(15) {
					case 0:
						x = float32(math.Inf(1))
					case 1:
						x = float32(math.NaN())
					}
					resps[a] = append(resps[a], x)
				}
			}
			d := RunDetails{AtomRealised: make([]int, areas), AtomVisible: make([]float64, areas), AtomResp: make([]float64, areas)}
			if r.IntN(3) > 0 {
				d.AtomPrevented, d.AtomDisplaced = make([]int, areas), make([]int, areas)
			}
			for a := range areas {
				d.AtomRealised[a], d.AtomVisible[a], d.AtomResp[a] = r.IntN(40), r.Float64(), 300*r.Float64()
				if r.IntN(5) == 0 {
					d.AtomVisible[a], d.AtomResp[a] = math.NaN(), math.NaN()
				}
				if d.AtomPrevented != nil {
					d.AtomPrevented[a], d.AtomDisplaced[a] = r.IntN(4), r.IntN(3)
				}
			}
			if trial%5 == 4 && len(reps) > 0 {
				d.AtomResps = resps // not pooled
			} else {
				pool.Add(resps)
			}
			reps = append(reps, d)
		}
		d := reps[r.IntN(len(reps))]
		var want []string
		for _, it := range AreaItems(d, PooledSketches(pool, reps, areas)) {
			want = append(want, it.String())
		}
		if got := string(AppendAreaItems([]byte("x"), d, pool, reps, areas)); got != "x"+strings.Join(want, ";") {
			t.Fatalf("trial %d: %q\nwant %q", trial, got, "x"+strings.Join(want, ";"))
		}
	}
}
