//go:build ignore

// gen writes the built-in city of the jinzhou scenario: communities.geojson
// (126 communities in 3 districts), posts.geojson (22 street platforms,
// 6 inter-city workstations, 18 police stations) and routes.geojson (9
// motorbike patrol routes along the main streets). Run it from this folder:
//
//	go run gen.go
//
// The layout is synthetic: a 14 × 9 lattice of ~700 m communities with
// jittered corners, centred on urban Jinzhou (121.13° E, 41.115° N). See
// README.md in this folder for the source or assumption behind each number.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
)

const (
	cols, rows = 14, 9
	cellM      = 700.0
	lon0, lat0 = 121.13, 41.115
	R          = 6371008.8
	population = 900000.0
)

var districts = []struct {
	name       string
	col0, col1 int // columns [col0, col1)
}{{"Taihe", 0, 4}, {"Guta", 4, 9}, {"Linghe", 9, 14}}

func lonlat(x, y float64) [2]float64 {
	lat := lat0 + y/R*180/math.Pi
	lon := lon0 + x/(R*math.Cos(lat0*math.Pi/180))*180/math.Pi
	return [2]float64{math.Round(lon*1e6) / 1e6, math.Round(lat*1e6) / 1e6}
}

type feature struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Geometry   map[string]any `json:"geometry"`
}

type collection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

func bump(x, y, cx, cy, s float64) float64 {
	return math.Exp(-((x-cx)*(x-cx) + (y-cy)*(y-cy)) / (2 * s * s))
}

func main() {
	r := rand.New(rand.NewPCG(2011, 1027))
	// Lattice corners, jittered inside so that communities are irregular
	// but still tile the city (shared corners).
	var corner [rows + 1][cols + 1][2]float64
	for i := 0; i <= rows; i++ {
		for j := 0; j <= cols; j++ {
			x := (float64(j) - cols/2.0) * cellM
			y := (float64(i) - rows/2.0) * cellM
			if i > 0 && i < rows && j > 0 && j < cols {
				x += (r.Float64() - 0.5) * 0.4 * cellM
				y += (r.Float64() - 0.5) * 0.4 * cellM
			}
			corner[i][j] = [2]float64{x, y}
		}
	}
	type comm struct {
		name, district string
		cx, cy         float64
		pop, weight    float64
		row, col       int
	}
	var comms []comm
	var fc collection
	popSum := 0.0
	for _, d := range districts {
		n := 0
		for c := d.col0; c < d.col1; c++ {
			for rw := 0; rw < rows; rw++ {
				n++
				cx := (corner[rw][c][0] + corner[rw][c+1][0] + corner[rw+1][c+1][0] + corner[rw+1][c][0]) / 4
				cy := (corner[rw][c][1] + corner[rw][c+1][1] + corner[rw+1][c+1][1] + corner[rw+1][c][1]) / 4
				// Residential density: highest in the old centre (Guta).
				dens := 0.6 + 1.0*bump(cx, cy, 0, 0, 2500)
				pop := dens * math.Exp(0.25*r.NormFloat64())
				// Incident volume: population, raised around the commercial
				// centre and the railway station, with local noise.
				w := pop * (1 + 1.5*bump(cx, cy, -300, 200, 900) + 1.0*bump(cx, cy, 2200, -1200, 700)) * math.Exp(0.3*r.NormFloat64())
				comms = append(comms, comm{name: fmt.Sprintf("%s-%02d", d.name, n), district: d.name, cx: cx, cy: cy, pop: pop, weight: w, row: rw, col: c})
				popSum += pop
			}
		}
	}
	wSum := 0.0
	for _, c := range comms {
		wSum += c.weight
	}
	for i := range comms {
		c := &comms[i]
		c.pop = math.Round(c.pop / popSum * population)
		c.weight = math.Round(c.weight/wSum*float64(len(comms))*1000) / 1000
		ring := [][2]float64{
			lonlat(corner[c.row][c.col][0], corner[c.row][c.col][1]),
			lonlat(corner[c.row][c.col+1][0], corner[c.row][c.col+1][1]),
			lonlat(corner[c.row+1][c.col+1][0], corner[c.row+1][c.col+1][1]),
			lonlat(corner[c.row+1][c.col][0], corner[c.row+1][c.col][1]),
		}
		ring = append(ring, ring[0])
		fc.Features = append(fc.Features, feature{Type: "Feature",
			Properties: map[string]any{"name": c.name, "district": c.district, "population": c.pop, "weight": c.weight},
			Geometry:   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}})
	}
	fc.Type = "FeatureCollection"
	write("communities.geojson", fc)

	var posts collection
	posts.Type = "FeatureCollection"
	add := func(name, kind string, x, y float64) {
		posts.Features = append(posts.Features, feature{Type: "Feature",
			Properties: map[string]any{"name": name, "kind": kind},
			Geometry:   map[string]any{"type": "Point", "coordinates": lonlat(x, y)}})
	}
	// 22 street police platforms at the 22 busiest communities.
	order := make([]int, len(comms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return comms[order[a]].weight > comms[order[b]].weight })
	for k, i := range order[:22] {
		add(fmt.Sprintf("platform-%02d", k+1), "platform", comms[i].cx, comms[i].cy)
	}
	// 6 inter-city workstations on the roads into the city, near its edge.
	hw, hh := cols/2.0*cellM-150, rows/2.0*cellM-150
	for k, p := range [][2]float64{{-hw, 0}, {hw, 0}, {0, hh}, {0, -hh}, {hw * 0.7, hh}, {-hw * 0.7, -hh}} {
		add(fmt.Sprintf("workstation-%d", k+1), "workstation", p[0], p[1])
	}
	// 18 police stations, 6 per district: one per block of its columns
	// (2 wide) × rows (3 high), at the centroid of the block's communities.
	for _, d := range districts {
		k := 0
		for bc := 0; bc < 2; bc++ {
			for br := 0; br < 3; br++ {
				var sx, sy, n float64
				for _, c := range comms {
					if c.district != d.name {
						continue
					}
					width := d.col1 - d.col0
					if (c.col-d.col0)*2/width == bc && c.row*3/rows == br {
						sx += c.cx
						sy += c.cy
						n++
					}
				}
				k++
				add(fmt.Sprintf("station-%s-%d", d.name, k), "station", sx/n, sy/n)
			}
		}
	}
	write("posts.geojson", posts)

	// 9 patrol routes along the main streets, for the district brigades'
	// motorbikes (kind motorbike): the "line" of point–line–area (点线面).
	// The report names no streets: these are assumed, straight streets of
	// the synthetic city through its centre, its busiest places and the
	// roads into it where the workstations stand (hw, hh above). Listed
	// Taihe, Guta, Linghe, Taihe, … so that the routes policy's round robin
	// (motorbike i is homed in district i mod 3 and rides route i mod 9)
	// gives every motorbike a route in its own district. No random draw: the
	// files above stay as they were.
	const (
		ringW, ringE = -2.5 * cellM, 1.5 * cellM // inner ring road's west and east sides
		ringS, ringN = -2 * cellM, 2.5 * cellM   // its south and north sides
		stationY     = -1200.0                   // the street past the railway station
	)
	roadSW, roadNE := -hw*0.7, hw*0.7 // the south-west and north-east roads in (workstations 6 and 5)
	var routes collection
	routes.Type = "FeatureCollection"
	line := func(name, district string, pts ...[2]float64) {
		var coords [][2]float64
		for _, p := range pts {
			coords = append(coords, lonlat(p[0], p[1]))
		}
		routes.Features = append(routes.Features, feature{Type: "Feature",
			Properties: map[string]any{"name": name, "kind": "motorbike", "district": district},
			Geometry:   map[string]any{"type": "LineString", "coordinates": coords}})
	}
	// The east–west arterial (y = 0) between the west and east workstations,
	// in three sections; the north–south arterial (x = 0) between the north
	// and south workstations.
	line("west-arterial", "Taihe", [2]float64{-hw, 0}, [2]float64{ringW, 0})
	line("north-south-arterial", "Guta", [2]float64{0, -hh}, [2]float64{0, hh})
	line("east-arterial", "Linghe", [2]float64{ringE, 0}, [2]float64{hw, 0})
	// The south-west and north-east roads into the city, through their
	// districts from edge to edge.
	line("southwest-road", "Taihe", [2]float64{roadSW, -hh}, [2]float64{roadSW, hh})
	// The inner ring road round the old centre and the commercial centre
	// (-300, 200): closed, ridden round and round.
	line("inner-ring", "Guta", [2]float64{ringW, ringS}, [2]float64{ringE, ringS},
		[2]float64{ringE, ringN}, [2]float64{ringW, ringN}, [2]float64{ringW, ringS})
	line("northeast-road", "Linghe", [2]float64{roadNE, hh}, [2]float64{roadNE, -hh})
	// Taihe's northern street, from the west edge to the ring road; the
	// arterial's central section through the commercial centre; the street
	// past the railway station (2200, -1200), from the ring road to the east edge.
	line("taihe-north-street", "Taihe", [2]float64{-hw, ringN}, [2]float64{ringW, ringN})
	line("central-arterial", "Guta", [2]float64{ringW, 0}, [2]float64{ringE, 0})
	line("station-street", "Linghe", [2]float64{ringE, stationY}, [2]float64{hw, stationY})
	write("routes.geojson", routes)
}

func write(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(name, append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
}
