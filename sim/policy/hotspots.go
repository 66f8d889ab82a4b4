package policy

func init() {
	register(&Spec{
		Name: "hot-spots",
		Doc: "Classic hot-spot patrol: the areas with the highest expected incident volume (their " +
			"weight, e.g. from last year's records) are the hot spots, fixed for the whole run, and " +
			"idle units share them out as follow-incidents does its hot areas, staying `dwell` at " +
			"each (Sherman & Weisburd 1995). It uses no incident of the run: the static counterpart " +
			"of follow-incidents.",
		Params: []Param{dwellParam, unitsPerAtomParam, scopeParam},
		New: func(w *World, units []int, p Values) (Policy, error) {
			// The hot list is computed once: an update interval longer than
			// any run keeps it.
			q := Values{"update": 1e12}
			for k, v := range p {
				q[k] = v
			}
			h, err := newHotspots("hot-spots", w, units, q, weightScorer{w})
			if err != nil {
				return nil, err
			}
			h.Update(0, nil)
			return h, nil
		},
	})
}

// weightScorer scores an atom by its weight: the expected incident volume
// the scenario gives it, known before the run.
type weightScorer struct{ w *World }

func (weightScorer) learn(Sighting) {}

func (s weightScorer) score(a int, t float64) float64 { return s.w.City.Atoms[a].Weight }
