package scenarios

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// TestJinzhouRoutes checks the built-in city's patrol routes
// (jinzhou/routes.geojson, written by jinzhou/gen.go): 9 routes, every
// point of each inside the communities, each route's kind the name of a
// unit type, and each motorbike riding a route in its own district.
func TestJinzhouRoutes(t *testing.T) {
	s, err := LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	city := s.Config.City
	// 9 routes along the main streets, 3 per district (jinzhou/README.md).
	if got, want := len(city.Routes), 9; got != want {
		t.Fatalf("got %d routes, want %d", got, want)
	}
	types := map[string]int{}
	for i, u := range s.Config.Units {
		types[u.Name] = i
	}
	// byDistrict[k][d]: metres of route k in district d, sampled every metre
	// along the path; every sample must lie in a community.
	byDistrict := make([][]float64, len(city.Routes))
	for k := range city.Routes {
		rt := &city.Routes[k]
		if _, ok := types[rt.Kind]; !ok {
			t.Errorf("route %s: kind %q names no unit type", rt.Name, rt.Kind)
		}
		byDistrict[k] = make([]float64, len(city.Districts))
		outside := 0
		for s := 0.5; s < rt.Length(); s++ {
			a := city.Locate(rt.PointAt(s))
			if a < 0 {
				outside++
				continue
			}
			byDistrict[k][city.Atoms[a].District]++
		}
		if outside > 0 {
			t.Errorf("route %s: %d m of %.0f m outside the communities", rt.Name, outside, rt.Length())
		}
	}
	// The routes policy gives unit i of a type homed in districts the
	// (i mod R)-th route of its kind (sim/policy/routes.go: round robin in
	// unit order), and homes it in district i mod D (sim/model.go): gen.go
	// lists the routes so that each lies mostly (at least 80% of its length)
	// in its riders' district.
	mb := s.Config.Units[types["motorbike"]]
	var mine []int
	for k := range city.Routes {
		if city.Routes[k].Kind == mb.Name {
			mine = append(mine, k)
		}
	}
	if len(mine) == 0 {
		t.Fatal("no route of kind motorbike")
	}
	for i := range mb.Count {
		k, d := mine[i%len(mine)], i%len(city.Districts)
		total := 0.0
		for _, m := range byDistrict[k] {
			total += m
		}
		if share := byDistrict[k][d] / total; share < 0.8 {
			t.Errorf("motorbike %d (district %s) rides route %s, %.0f%% of it in its district, want at least 80%%",
				i+1, city.Districts[d].Name, city.Routes[k].Name, 100*share)
		}
	}
}

// TestJinzhouLinesPresence runs builtin:jinzhou's lines-p2p (motorbikes on
// the routes policy) and, as a control, mixed-p2p (the same but motorbikes
// on static beats), sampling every 5 minutes where each on-duty motorbike
// is (a probe wrapped round the motorbikes' policy: it moves nothing). On
// routes, the share of motorbike time within 100 m of a route must be far
// above the share of the city's area within 100 m of one (what a unit
// spread evenly over the city would show), and above the control's.
func TestJinzhouLinesPresence(t *testing.T) {
	const reps, near = 3, 100.0 // replications; metres from a route
	s, err := LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	city := s.Config.City
	onRoute := func(p geo.Point) bool {
		for k := range city.Routes {
			if _, d := city.Routes[k].Nearest(p); d <= near {
				return true
			}
		}
		return false
	}
	// The routes' area share: the city's points within near of a route, on
	// a 25 m grid over its bounding box.
	b := city.Bound()
	var in, nearIn float64
	for x := b.Min[0] + 12.5; x < b.Max[0]; x += 25 {
		for y := b.Min[1] + 12.5; y < b.Max[1]; y += 25 {
			p := geo.Point{X: x, Y: y}
			if city.Locate(p) < 0 {
				continue
			}
			in++
			if onRoute(p) {
				nearIn++
			}
		}
	}
	areaShare := nearIn / in

	mb := slices.IndexFunc(s.Config.Units, func(u sim.UnitType) bool { return u.Name == "motorbike" })
	share := func(name string) []float64 {
		t.Helper()
		i := slices.IndexFunc(s.Variants, func(v sim.Variant) bool { return v.Name == name })
		if i < 0 {
			t.Fatalf("builtin:jinzhou has no variant %s", name)
		}
		v := s.Variants[i]
		v.Policies = slices.Clone(v.Policies)
		inner := v.Policies[mb].Spec
		var out []float64
		for rep := range reps {
			pr := &probe{lo: s.Config.Warmup, hi: s.Config.Duration, onRoute: onRoute}
			v.Policies[mb].Spec = &policy.Spec{Name: inner.Name, New: func(w *policy.World, units []int, p policy.Values) (policy.Policy, error) {
				in, err := inner.New(w, units, p)
				pr.Policy, pr.w, pr.units = in, w, units
				return pr, err
			}}
			if _, err := v.RunReplication(context.Background(), s.File.Seed, rep, nopRecorder{}); err != nil {
				t.Fatal(err)
			}
			out = append(out, pr.near/pr.samples)
		}
		return out
	}
	lines, mixed := share("lines-p2p"), share("mixed-p2p")
	lm, lh := meanHalf95(lines)
	mm, mh := meanHalf95(mixed)
	t.Logf("share of the city's area within %.0f m of a route: %.1f%%", near, 100*areaShare)
	t.Logf("share of motorbike time within %.0f m of a route: lines-p2p %.1f%% ± %.1f, mixed-p2p %.1f%% ± %.1f (95%% CI, %d replications)",
		near, 100*lm, 100*lh, 100*mm, 100*mh, reps)
	// Far above: riding the routes, a motorbike is on one whenever it is
	// free (motorbikes are busy about 35–60% of the time, docs/jinzhou.md),
	// so at least twice the area share is asked; and clearly above the
	// control, whose motorbikes spread over their beats.
	if lm-lh < 2*areaShare {
		t.Errorf("lines-p2p: %.1f%% ± %.1f of motorbike time near a route, want at least twice the area share %.1f%%", 100*lm, 100*lh, 100*areaShare)
	}
	if lm-lh <= mm+mh {
		t.Errorf("lines-p2p: %.1f%% ± %.1f of motorbike time near a route, want above mixed-p2p's %.1f%% ± %.1f", 100*lm, 100*lh, 100*mm, 100*mh)
	}
}

// probe wraps a policy and samples, every 5 minutes of [lo, hi), whether
// each on-duty unit it governs is near a route. It gives no orders: the
// run plays as under the wrapped policy (of which it keeps Policy and
// Assumer; a BeatKeeper's beats go uncounted).
type probe struct {
	policy.Policy
	w             *policy.World
	units         []int
	fleet         policy.Fleet
	lo, hi        float64
	onRoute       func(geo.Point) bool
	samples, near float64
}

func (p *probe) Assumed(u int) geo.Point {
	if a, ok := p.Policy.(policy.Assumer); ok {
		return a.Assumed(u)
	}
	return p.w.Units[u].At // as the engine assumes for a policy without Assumed
}

func (p *probe) Attach(f policy.Fleet) (policy.Review, error) {
	p.fleet = f
	return policy.Review{Every: 300}, nil
}

func (p *probe) Command(now float64, _ *rand.Rand) []policy.Move {
	if now < p.lo || now >= p.hi {
		return nil
	}
	for _, u := range p.units {
		if p.fleet.Status(u) == policy.OffDuty {
			continue
		}
		p.samples++
		if p.onRoute(p.fleet.Pos(u)) {
			p.near++
		}
	}
	return nil
}

type nopRecorder struct{}

func (nopRecorder) Incident(*sim.IncidentRecord) {}
func (nopRecorder) Busy(int, float64, float64)   {}
func (nopRecorder) OnDuty(int, float64, float64) {}
func (nopRecorder) Deterred(*sim.DeterRecord)    {}
func (nopRecorder) Presence(float64, []float64)  {}

// meanHalf95 returns the mean of xs and the half-width of its 95% Student
// t interval (t quantiles for 2 … 6 observations).
func meanHalf95(xs []float64) (float64, float64) {
	n := float64(len(xs))
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= n
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	tq := []float64{0, 0, 12.706, 4.303, 3.182, 2.776, 2.571}[len(xs)]
	return m, tq * math.Sqrt(v/(n-1)/n)
}
