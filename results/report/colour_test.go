package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// hexColour matches a colour as gonum's SVG backend writes it (#RRGGBB).
var hexColour = regexp.MustCompile(`#[0-9A-F]{6}`)

func colourHex(i int) string {
	c := variantColor(i)
	return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B)
}

// TestVariantColoursOneMeaning renders every chart of the grid run and
// checks that the variant palette means variants only: a chart uses the
// colour of variant i only if it draws variant i, and every chart of
// variants uses the colour of each variant it draws. Before, the Pareto and
// ranking charts painted "possibly on the front" in the palette's red
// (variant 3's colour) and "dominated" in its blue (variant 0's), and the
// utilisation chart coloured unit types with the variants' colours.
func TestVariantColoursOneMeaning(t *testing.T) {
	in, err := Load(copyRun(t, "grid"))
	if err != nil {
		t.Fatal(err)
	}
	palette := map[string]int{}
	for i := range variantColors {
		palette[colourHex(i)] = i
	}
	all := make([]int, len(in.Results.Variants))
	for i := range all {
		all[i] = i
	}
	drawn := map[string][]int{ // the variants each chart draws
		"ranking": all, "pareto": all, "response-cdf": all, "utilisation": all,
		"by-hour": hourVariants(in, ""),
	}
	seen := 0
	for _, f := range in.figures(Options{}) {
		svg, err := f.svg()
		if err != nil {
			t.Fatal(err)
		}
		want, ok := drawn[f.Name]
		if !ok && !strings.HasPrefix(f.Name, "map-") {
			t.Errorf("chart %s: the test does not know which variants it draws", f.Name)
			continue
		}
		seen++
		used := map[int]bool{}
		for _, h := range hexColour.FindAllString(string(svg), -1) {
			if i, ok := palette[h]; ok {
				used[i] = true
			}
		}
		for i := range used {
			if !slices.Contains(want, i) {
				t.Errorf("chart %s uses %s, the colour of variant %d, which it does not draw", f.Name, colourHex(i), i)
			}
		}
		for _, v := range want {
			if !used[v] {
				t.Errorf("chart %s draws variant %s but never in its colour %s", f.Name, in.Results.Variants[v].Name, colourHex(v))
			}
		}
	}
	if seen != 8 {
		t.Errorf("checked %d charts, want the grid run's 8", seen)
	}

	// The table of the HTML report marks each name with the same colour.
	dir := copyRun(t, "grid")
	html, err := os.ReadFile(writeReport(t, dir, Options{}).HTML)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range in.Results.Variants {
		if want := `<span class="swatch" style="background: ` + VariantColour(i) + `"></span>` + v.Name + `<`; !strings.Contains(string(html), want) {
			t.Errorf("report.html: no %s", want)
		}
		if !strings.EqualFold(VariantColour(i), colourHex(i)) {
			t.Errorf("VariantColour(%d) = %s, the charts draw %s", i, VariantColour(i), colourHex(i))
		}
	}
}

// TestHourStepsNoDrop: the by-hour step line ends at x = 24 at hour 23's
// level. Hour 24 is hour 0 of the next day; drawing hour 0's value there
// made a vertical drop at the right edge that is no change.
func TestHourStepsNoDrop(t *testing.T) {
	var vals [24]float64
	for h := range vals {
		vals[h] = float64(10 + h) // hour 0: 10, hour 23: 33
	}
	pts := hourSteps(vals)
	if got := len(pts); got != 25 {
		t.Fatalf("%d points, want 25 (24 steps and the end)", got)
	}
	last := pts[len(pts)-1]
	if last.X != 24 || last.Y != vals[23] {
		t.Errorf("last point (%g, %g), want (24, %g): hour 23's step drawn to the end of the day", last.X, last.Y, vals[23])
	}
	for h, p := range pts[:24] {
		if p.X != float64(h) || p.Y != vals[h] {
			t.Errorf("point %d is (%g, %g), want (%d, %g)", h, p.X, p.Y, h, vals[h])
		}
	}
}

// uniformCity returns n areas' mean counts over reps replications, each
// replication's count Poisson with mean lambda: a city of equal areas.
func uniformCity(rng *rand.Rand, n, reps int, lambda float64) []float64 {
	pois := distuv.Poisson{Lambda: lambda, Src: rng}
	vals := make([]float64, n)
	for a := range vals {
		for range reps {
			vals[a] += pois.Rand() / float64(reps)
		}
	}
	return vals
}

// TestCountScaleUniformCity: on a city of equal areas, Poisson noise is
// drawn in one colour. The band is Bonferroni-corrected at 5% over the
// areas, so a uniform city has an area outside it in at most about 5% of
// cities (the normal approximation of a mean of 5 Poisson(8) counts; the
// correction is conservative). Over 400 simulated cities the share must
// be at most 0.05 + 3 standard errors of a binomial share,
// 3 × √(0.05 × 0.95 / 400) = 0.033. A scale without the band (the
// previous min–max scale) paints every one of them in many colours.
func TestCountScaleUniformCity(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 1))
	const cities, n, reps, lambda = 400, 100, 5, 8.0
	spotted := 0
	for range cities {
		vals := uniformCity(rng, n, reps, lambda)
		sc := countScale(vals, reps, 1)
		for _, x := range vals {
			if sc.t(x) != 0.5 {
				spotted++
				break
			}
		}
	}
	if share, limit := float64(spotted)/cities, 0.05+0.033; share > limit {
		t.Errorf("%d of %d uniform cities show an area off the middle colour (%.3f), want at most %.3f", spotted, cities, share, limit)
	}

	// The first city's map: one colour, and the note says why.
	vals := uniformCity(rand.New(rand.NewPCG(20, 2)), n, reps, lambda)
	sc := countScale(vals, reps, 1)
	fills := map[float64]bool{}
	for _, x := range vals {
		fills[sc.t(x)] = true
	}
	if len(fills) != 1 {
		t.Errorf("the uniform city's map uses %d colours, want 1", len(fills))
	}
	if note := sc.note("incidents"); !strings.Contains(note, "do not differ") {
		t.Errorf("note %q does not say the middle colour is noise", note)
	}

	// The test can fail: one area at twice the rate (8 more a replication,
	// 6.3 standard errors of √(8/5)) is off the middle colour, warmer.
	vals[0] += lambda
	sc = countScale(vals, reps, 1)
	if got := sc.t(vals[0]); !(got > 0.6) {
		t.Errorf("an area at twice the rate is at %.2f on the ramp, want above 0.6 (0.5: the middle colour)", got)
	}
}

// TestCountScaleBand checks the band's numbers: z = Φ⁻¹(1 − 0.025/n) (3.48
// for 100 areas, from the normal table), se = √(m × dispersion ÷ reps).
func TestCountScaleBand(t *testing.T) {
	if z := bonferroniZ(100); math.Abs(z-3.4808) > 1e-3 {
		t.Errorf("z for 100 areas %.4f, want 3.4808", z)
	}
	vals := make([]float64, 100)
	for a := range vals {
		vals[a] = 8 + float64(a%2) // mean 8.5
	}
	sc := countScale(vals, 5, dispersion(0.3))
	// 1/(1 − 0.3)² = 2.0408; se = √(8.5 × 2.0408 / 5) = 1.8626.
	if want := math.Sqrt(8.5 * 2.0408163 / 5); math.Abs(sc.se-want) > 1e-6 {
		t.Errorf("se %.6f, want %.6f", sc.se, want)
	}
	if want := bonferroniZ(100) * sc.se; math.Abs(sc.band-want) > 1e-9 {
		t.Errorf("band %.4f, want %.4f", sc.band, want)
	}
	if sc.lo != 0 || sc.hi != 8.5+2*sc.band {
		t.Errorf("range [%g, %g], want [0 (counts are never negative), %g]", sc.lo, sc.hi, 8.5+2*sc.band)
	}
}

// TestCityMapUniformExact: expected values that are all equal (the
// what-if page's map of a uniform-weight city, 1.667 a day in every area)
// are one colour, the note gives the value, and the colour bar spans it
// (before, the bar ran from 1.667 to 2.667 with every area at its bottom).
func TestCityMapUniformExact(t *testing.T) {
	vals := make([]float64, 60)
	for a := range vals {
		vals[a] = 100.0 / 60
	}
	sc := countScale(vals, 0, 1)
	for a, x := range vals {
		if sc.t(x) != 0.5 {
			t.Fatalf("area %d at %.3f on the ramp, want 0.5", a, sc.t(x))
		}
	}
	if !(sc.lo < vals[0] && vals[0] < sc.hi) || math.Abs((sc.lo+sc.hi)/2-vals[0]) > 1e-12 {
		t.Errorf("colour bar [%g, %g] is not centred on the value %g", sc.lo, sc.hi, vals[0])
	}
	if note, want := sc.note("incidents per day"), "Every area: 1.667 incidents per day"; !strings.Contains(note, want) {
		t.Errorf("note %q, want it to say %q", note, want)
	}
}
