package geo_test

import (
	"fmt"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// A city of 2 × 3 square cells of 1 km in three districts (one per column),
// a point located in it, and the travel between two cell centres on a street
// grid with a 20% detour at 36 km/h (10 m/s).
func ExampleNewGrid() {
	city, err := geo.NewGrid(geo.GridSpec{Rows: 2, Cols: 3, CellM: 1000, Districts: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(city.Atoms), "atoms in", len(city.Districts), "districts")

	i := city.Locate(geo.Point{X: 1500, Y: 1200})
	a := city.Atoms[i]
	fmt.Printf("(1500, 1200) is in atom %d (%s) of district %s, centroid %v\n",
		i, a.Name, city.Districts[a.District].Name, a.Centroid)
	// A shared border goes to the atom listed first.
	fmt.Println("(100, 1000), on the border of atoms 0 and 3, is in atom", city.Locate(geo.Point{X: 100, Y: 1000}))
	fmt.Println("(-5, 0) is in atom", city.Locate(geo.Point{X: -5, Y: 0}))

	from, to := city.Atoms[0].Centroid, city.Atoms[5].Centroid
	tr := geo.Travel{Metric: geo.Manhattan, Detour: 1.2}
	fmt.Printf("%v to %v: %.0f m, %.0f s\n", from, to, tr.Distance(from, to), tr.Time(from, to, 10))

	// The car drives along x first, then y, at constant speed.
	leg := geo.Leg{From: from, To: to, Depart: 0, Arrive: tr.Time(from, to, 10), Metric: geo.Manhattan}
	p := leg.At(100)
	fmt.Printf("at 100 s the car is at (%.1f, %.1f)\n", p.X, p.Y)
	// Output:
	// 6 atoms in 3 districts
	// (1500, 1200) is in atom 4 (r1c1) of district D2, centroid {1500 1500}
	// (100, 1000), on the border of atoms 0 and 3, is in atom 0
	// (-5, 0) is in atom -1
	// {500 500} to {2500 1500}: 3600 m, 360 s
	// at 100 s the car is at (1333.3, 500.0)
}
