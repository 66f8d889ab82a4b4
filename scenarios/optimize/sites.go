package optimize

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/hypercube"
	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// MaxSites bounds the candidate sites of post-sites (each is a unit type
// of the probe scenario that measures travel times).
const MaxSites = 2000

// siteData is what post-sites adds to a Problem: the candidate sites and
// the expected-travel score's inputs.
type siteData struct {
	sites []scenarios.PostPoint // each slot's post, kind = its unit type (Problem.Units)
	// travel[a][j] is the mean travel time in seconds, turnout included,
	// from site j to a point uniform over area a (the hypercube's
	// integration, hypercube.Model.Travel); order[a] the sites by it,
	// ties to the lower index.
	travel [][]float64
	order  [][]int
	rate   []float64 // each area's call rate, per second
	// Busy is the probability q that a unit is busy when a call comes.
	Busy     float64
	single   scenarios.File // the base, its base variant alone, no check block
	chosenAt string         // the post kind of the chosen sites in chosen.yaml
	// nSites is how many of the slots are candidate sites; the slots
	// after them are the posts the type stands at in the scenario, which
	// only the current placement uses (the search may not choose them).
	nSites  int
	current []int      // the current placement's counts, nil without it
	cover   *coverData // the coverage screen's, nil for expected-travel
}

// cap is the most units the search may put in slot k.
func (pr *Problem) cap(k int) int {
	if pr.siteData != nil && k >= pr.nSites {
		return 0
	}
	return pr.Max
}

// prepareSites is Prepare for post-sites: the decided type must be homed
// at posts; the sites are read and each becomes a post and a unit type of
// its own (count 0 or more a candidate) in the split scenario; a probe with
// one unit at every site gives the travel times.
func (pr *Problem) prepareSites(p *parser) (*Problem, error) {
	spec, base := pr.Spec, pr.Base
	f := base.File
	d := spec.Decision
	if pr.unit >= 0 {
		u := f.Units[pr.unit]
		if u.Home != "post" {
			p.add("decision.unit", "unit type %q is homed at %s: post-sites decides where units of a type with home: post stand", d.Unit, u.Home)
		}
		pr.PerUnit = float64(u.Squad) * u.Shift.Hours
		for i, o := range f.Units {
			if i != pr.unit && o.Home == "post" && o.PostKind == "" {
				p.add("decision.unit", "unit type %q stands at any post (home: post without post_kind): the candidate sites would become its posts too; give it a post_kind", o.Name)
			}
		}
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	city := base.Config.City
	sd := &siteData{}
	pr.siteData = sd
	type site struct {
		name string
		pt   scenarios.PostPoint
	}
	var sites []site
	if d.Candidates == "communities" {
		for _, a := range city.Atoms {
			pt := scenarios.PostPoint{Name: a.Name}
			pointAt(city, &pt, a.Inside)
			sites = append(sites, site{a.Name, pt})
		}
	} else {
		path := d.Candidates
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(p.file), path)
		}
		data, err := inputs.ReadFile(path, scenarios.MaxFileBytes)
		if err != nil {
			p.add("decision.candidates", "cannot read %s: %v (give communities or a GeoJSON file of Point features, relative to this file)", d.Candidates, inputs.Reason(err))
			return nil, p.err()
		}
		fc, err := geojson.UnmarshalFeatureCollection(data)
		if err != nil {
			p.add("decision.candidates", "%s: not a GeoJSON FeatureCollection: %v", d.Candidates, err)
			return nil, p.err()
		}
		if city.Proj == nil {
			p.add("decision.candidates", "%s: a grid city has no lon/lat; give candidates: communities, or a city given by areas (GeoJSON)", d.Candidates)
			return nil, p.err()
		}
		for i, ft := range fc.Features {
			pt, ok := ft.Geometry.(orb.Point)
			if !ok {
				p.add("decision.candidates", "%s: feature %d: must be a Point (got %s)", d.Candidates, i, geomType(ft.Geometry))
				continue
			}
			name := "site" + strconv.Itoa(i+1)
			if n, ok := ft.Properties["name"].(string); ok && n != "" {
				name = n
			}
			lon, lat := pt[0], pt[1]
			if city.Locate(city.ProjectLonLat(lon, lat)) < 0 {
				p.add("decision.candidates", "%s: feature %d (%q, lon %g, lat %g) lies outside every area of the city", d.Candidates, i, name, lon, lat)
				continue
			}
			sites = append(sites, site{name, scenarios.PostPoint{Name: name, Lon: &lon, Lat: &lat}})
		}
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	if len(sites) > MaxSites {
		p.add("decision.candidates", "%d sites, more than the limit of %d", len(sites), MaxSites)
		return nil, p.err()
	}
	u := f.Units[pr.unit]
	pr.Most = u.Count
	if d.Count > 0 {
		pr.Most = d.Count
	}
	pr.Min, pr.Max = 0, max(d.Max, 1)
	switch {
	case len(sites) == 0:
		p.add("decision.candidates", "no candidate site")
	case pr.Most > pr.Max*len(sites):
		p.add("decision.count", "%d units but only %d candidate sites of at most %d units each (decision.max)", pr.Most, len(sites), pr.Max)
	case pr.Most > scenarios.MaxUnits:
		p.add("decision.count", "more than the limit of %d units (got %d)", scenarios.MaxUnits, pr.Most)
	}
	if len(p.list) > 0 {
		return nil, p.err()
	}
	// Names, unit types and post kinds: unique, and apart from the
	// scenario's.
	seen := map[string]bool{}
	for _, x := range f.Units {
		seen[x.Name] = true
	}
	for _, x := range city.Posts {
		seen[x.Kind] = true
	}
	fresh := func(s string) string {
		out := s
		for k := 2; seen[out]; k++ {
			out = s + "-" + strconv.Itoa(k)
		}
		seen[out] = true
		return out
	}
	sd.chosenAt = fresh(u.Name + "-site")
	sd.nSites = len(sites)
	if d.Current == nil || *d.Current {
		// The type's own posts, each with its units, as slots of their own.
		at := map[int]int{}
		var posts []int
		for _, un := range base.Variants[pr.variant].Model.World.Units {
			if un.TypeName != u.Name || un.Post < 0 {
				continue
			}
			if at[un.Post] == 0 {
				posts = append(posts, un.Post)
			}
			at[un.Post]++
		}
		slices.Sort(posts)
		for _, i := range posts {
			post := city.Posts[i]
			pt := scenarios.PostPoint{Name: post.Name}
			pointAt(city, &pt, post.At)
			sites = append(sites, site{post.Name, pt})
			sd.current = append(sd.current, at[i])
		}
	}
	for _, s := range sites {
		pr.Names = append(pr.Names, s.name)
		un := fresh(u.Name + "-" + unsafeRE.ReplaceAllString(s.name, "_"))
		pr.Units = append(pr.Units, un)
		pt := s.pt
		pt.Kind = un
		sd.sites = append(sd.sites, pt)
	}
	// The base, its variant alone; then split: one type per site.
	single := f
	single.Check = yaml.Node{}
	single.Variants = []scenarios.Variant{f.Variants[pr.variant]}
	sd.single = single
	sf := single
	sf.Units = nil
	for i, x := range f.Units {
		if i != pr.unit {
			sf.Units = append(sf.Units, x)
			continue
		}
		for k := range pr.Names {
			v := x
			v.Name, v.PostKind, v.Count = pr.Units[k], pr.Units[k], 0
			sf.Units = append(sf.Units, v)
		}
	}
	sf.City.PostPoints = append(slices.Clone(f.City.PostPoints), sd.sites...)
	sf.Variants = []scenarios.Variant{pr.baseVariant(pr.Units)}
	pr.split = sf
	pr.load = loader(base)
	// The probe: one unit at every site, for the travel times.
	s, err := pr.probe(1, "at every candidate site")
	if err != nil {
		return nil, err
	}
	hm, err := hypercube.New(s, false)
	if err != nil {
		return nil, fmt.Errorf("travel times to the candidate sites: %w", err)
	}
	slot := map[string]int{}
	for k, un := range pr.Units {
		slot[un] = k
	}
	A := len(city.Atoms)
	sd.travel = make([][]float64, A)
	for a := range A {
		sd.travel[a] = make([]float64, len(pr.Names))
	}
	for ui, un := range hm.Force.World.Units {
		k, ok := slot[pr.cfg.Units[un.Type].Name]
		if !ok {
			continue
		}
		for a := range A {
			sd.travel[a][k] = hm.Travel[a][ui]
		}
	}
	sd.order = make([][]int, A)
	for a := range A {
		o := make([]int, len(pr.Names))
		for j := range o {
			o[j] = j
		}
		slices.SortStableFunc(o, func(x, y int) int { return cmp.Compare(sd.travel[a][x], sd.travel[a][y]) })
		sd.order[a] = o
	}
	sd.rate = hm.Rate
	if spec.Screen.Busy != nil {
		sd.Busy = *spec.Screen.Busy
	} else {
		// The force's offered load per unit: calls × mean time on scene
		// over the units of the base variant (the hypercube's pooled
		// utilisation, travel left out).
		var lambda float64
		for _, l := range hm.Rate {
			lambda += l
		}
		n := len(base.Variants[pr.variant].Model.World.Units)
		sd.Busy = min(0.95, lambda*hm.OnScene/float64(max(n, 1)))
	}
	if s.Variants[0].Mode == sim.PointToPoint {
		pr.delay = pr.cfg.Dispatch.Delay.Mean
	} else {
		for _, l := range pr.cfg.Dispatch.Levels {
			pr.delay += l.Delay.Mean
		}
	}
	if spec.Screen.Method == Coverage {
		target := pr.cfg.Targets[1]
		if !(target > 0) {
			p.add("screen.method", "coverage needs the scenario's priority-1 response target (targets: {p1: …}); %s has none", base.Path)
			return nil, p.err()
		}
		at := make([]geo.Point, len(pr.Units))
		for _, un := range hm.Force.World.Units {
			if k, ok := slot[pr.cfg.Units[un.Type].Name]; ok {
				at[k] = un.At
			}
		}
		ut := &pr.cfg.Units[slices.IndexFunc(pr.cfg.Units, func(x sim.UnitType) bool { return x.Name == pr.Units[0] })]
		sd.cover = prepareCover(pr.cfg, ut, at, pr.delay, target)
	}
	return pr, nil
}

func geomType(g orb.Geometry) string {
	if g == nil {
		return "no geometry"
	}
	return g.GeoJSONType()
}

// pointAt sets pt's position to q (planar metres): lon/lat for a GeoJSON
// city, x_m/y_m for a grid city.
func pointAt(city *geo.City, pt *scenarios.PostPoint, q geo.Point) {
	if city.Proj == nil {
		x, y := q.X, q.Y
		pt.XM, pt.YM = &x, &y
		return
	}
	lon, lat := city.Proj.Inverse(q)
	pt.Lon, pt.Lat = &lon, &lat
}

// siteScore is the expected-travel score of counts (units per site): the
// mean dispatch delay plus, averaged over the calls (each area by its
// rate), the expected travel time of the first free unit when each unit
// is busy with probability q independently of the others — the nearest
// with probability 1 − q, the second nearest with q(1 − q), …,
// renormalised over the n units (the assumption of Daskin's 1983 maximal
// expected covering location model, applied to travel time instead of
// coverage). With q = 0 it is the p-median's demand-weighted distance to
// the nearest site (Hakimi 1964). Seconds; +Inf without units.
// Cost: O(areas × sites).
func (sd *siteData) siteScore(delay float64, counts []int) float64 {
	n := 0
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return math.Inf(1)
	}
	q := sd.Busy
	norm := 1 - math.Pow(q, float64(n))
	var sum, total float64
	for a, o := range sd.order {
		var e float64
		w := 1 - q // probability the next unit in order is the first free one
		left := n
		for _, j := range o {
			for range counts[j] {
				e += w * sd.travel[a][j]
				w *= q
				left--
			}
			if left == 0 || w == 0 {
				break
			}
		}
		sum += sd.rate[a] * e / norm
		total += sd.rate[a]
	}
	return delay + sum/total
}

// siteName is a post-sites candidate's name: its label (sites-1, … by
// screen rank) once kept, else its sites.
func (pr *Problem) siteName(c Candidate) string {
	if c.label != "" {
		return c.label
	}
	return strings.Join(pr.SiteList(c), "_")
}

// SiteList is a post-sites candidate's sites, in slot order, a site with
// several units repeated.
func (pr *Problem) SiteList(c Candidate) []string {
	var out []string
	for k, n := range c.Counts {
		for range n {
			out = append(out, pr.Names[k])
		}
	}
	return out
}

// siteFile is File for post-sites: only the sites some candidate uses
// are posts and unit types of the candidates' scenario.
func (pr *Problem) siteFile(cs []Candidate) scenarios.File {
	used := make([]bool, len(pr.Names))
	for _, c := range cs {
		for k, n := range c.Counts {
			used[k] = used[k] || n > 0
		}
	}
	f := pr.split
	f.Units = nil
	for _, u := range pr.split.Units {
		if k := slices.Index(pr.Units, u.Name); k < 0 || used[k] {
			f.Units = append(f.Units, u)
		}
	}
	f.City.PostPoints = slices.Clone(pr.single.City.PostPoints)
	for k, pt := range pr.sites {
		if used[k] {
			f.City.PostPoints = append(f.City.PostPoints, pt)
		}
	}
	var usedUnits []string
	for k, un := range pr.Units {
		if used[k] {
			usedUnits = append(usedUnits, un)
		}
	}
	base := pr.baseVariant(usedUnits)
	f.Variants = nil
	for _, c := range cs {
		v := base
		v.Name = pr.Name(c)
		v.Units = map[string]scenarios.UnitOverride{}
		for k, un := range pr.Units {
			if used[k] {
				n := c.Counts[k]
				v.Units[un] = scenarios.UnitOverride{Count: &n}
			}
		}
		f.Variants = append(f.Variants, v)
	}
	return f
}

// siteChosen is Chosen for post-sites: the decided type under its own
// name, its units at the chosen sites, given inline (city.post_points) as
// posts of a kind of their own, one post a unit.
func (pr *Problem) siteChosen(c Candidate) scenarios.File {
	f := pr.single
	f.Units = slices.Clone(f.Units)
	u := &f.Units[pr.unit]
	u.PostKind = pr.chosenAt
	u.Count = c.Total()
	f.City.PostPoints = slices.Clone(f.City.PostPoints)
	for k, n := range c.Counts {
		for i := range n {
			pt := pr.sites[k]
			pt.Kind = pr.chosenAt
			if i > 0 {
				pt.Name += "#" + strconv.Itoa(i+1)
			}
			f.City.PostPoints = append(f.City.PostPoints, pt)
		}
	}
	return f
}
