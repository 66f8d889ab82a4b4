package report

import (
	"fmt"
	"math"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// CityMapSVG draws city as the report draws its map of incidents realised
// (areas filled on the diverging ramp centred on the area mean; values are
// exact, so there is no noise band, and a city of equal values is one
// colour with a note saying the value; district borders and names, routes, posts, a
// scale bar and a colour bar labelled label) from values, one per area
// (city.Atoms order), and returns the SVG document. A NaN value, or a nil
// values, is no data: the area is grey and the legend says "no data". It
// needs no run: the what-if page shows the scenario's expected incidents
// with it before the first one. The bytes depend only on the arguments.
func CityMapSVG(city *geo.City, values []float64, title, label string) ([]byte, error) {
	if city == nil || len(city.Atoms) == 0 {
		return nil, fmt.Errorf("city map: the city has no areas")
	}
	if values == nil {
		values = make([]float64, len(city.Atoms))
		for a := range values {
			values[a] = math.NaN()
		}
	}
	if len(values) != len(city.Atoms) {
		return nil, fmt.Errorf("city map: %d values for %d areas", len(values), len(city.Atoms))
	}
	sc := countScale(values, 0, 1)
	return mapFigure(city, "city-map", title, "", label, "no data", values, rampRdYlBu, sc, sc.note(label)).svg()
}
