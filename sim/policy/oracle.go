package policy

import "errors"

func init() {
	register(&Spec{
		Name: "hotspot-oracle",
		Doc: "Like follow-incidents, but areas are ranked by their true expected rate of incidents: " +
			"the background rate plus the near-repeat excitation of every incident that really " +
			"happened. No deployment that ranks areas by expected incidents can know more, so it is " +
			"the reference follow-incidents is measured against; it needs the true rates, which only " +
			"the simulator has.",
		Oracle: true,
		Params: []Param{updateParam, dwellParam, unitsPerAtomParam, scopeParam},
		New:    newOracle,
	})
}

// oracleScorer scores an atom by its true conditional intensity, incidents
// per second: the background rate plus, for each realised incident j of the
// atom (learnt as Truth at t_j), Offspring·exp(−(t − t_j)/Decay)/Decay, the
// expected rate of its offspring (an exponential kernel of mean Decay
// carrying Offspring incidents). Offspring that the model spreads within
// RadiusM metres are counted in their parent's atom: exact when the radius
// is small beside an atom, an approximation otherwise.
type oracleScorer struct {
	rate   func(a int, t float64) float64
	nr     NearRepeat
	excite decayed // Σ exp(−(t − t_j)/Decay) per atom; unused when off
	on     bool    // near-repeat excitation is on
}

func (o *oracleScorer) learn(s Sighting) {
	if s.How != Truth || !o.on || s.Sterile || s.Atom < 0 || s.Atom >= len(o.excite.v) {
		return
	}
	o.excite.add(s.Atom, s.Occur)
}

func (o *oracleScorer) score(a int, t float64) float64 {
	s := o.rate(a, t)
	if o.on {
		s += o.nr.Offspring / o.nr.Decay * o.excite.at(a, t)
	}
	return s
}

func newOracle(w *World, units []int, p Values) (Policy, error) {
	if w.Rate == nil {
		return nil, errors.New("policy hotspot-oracle needs the true rates (World.Rate)")
	}
	nr := w.NearRepeat
	sc := &oracleScorer{rate: w.Rate, nr: nr, on: nr.Offspring > 0 && nr.Decay > 0}
	if sc.on {
		sc.excite = newDecayed(len(w.City.Atoms), 1/nr.Decay)
	}
	return newHotspots("hotspot-oracle", w, units, p, sc)
}
