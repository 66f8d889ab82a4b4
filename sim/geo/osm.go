package geo

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
)

// DefaultOSMSpeeds are the travel speeds in km/h of the drivable
// OpenStreetMap highway classes (tag highway=…), used where a way has no
// usable maxspeed tag. They are the speed table of OSRM's car profile
// (Project-OSRM/osrm-backend, profiles/car.lua, speed_profile, v5), the
// routing engine's estimate of free-flow car speeds by road class. A way
// whose class is not listed is not drivable and is left out (footway,
// cycleway, path, track, steps, construction, …); a scenario's speeds may
// change a class's speed or add a class (e.g. track: 10).
var DefaultOSMSpeeds = map[string]float64{
	"motorway":       90,
	"motorway_link":  45,
	"trunk":          85,
	"trunk_link":     40,
	"primary":        65,
	"primary_link":   30,
	"secondary":      55,
	"secondary_link": 25,
	"tertiary":       40,
	"tertiary_link":  20,
	"unclassified":   25,
	"residential":    25,
	"living_street":  10,
	"service":        15,
}

// OSMRefClass is the OpenStreetMap class whose speed is a road table's
// reference speed (as TIGER's S1400 local street is for TIGER roads).
const OSMRefClass = "residential"

// Road file formats (RoadFormat).
const (
	FormatGeoJSON = "GeoJSON"
	FormatOSMPBF  = "OSM PBF"
	FormatOSMXML  = "OSM XML"
)

// RoadFormat returns the format of the road file name holding data, from
// its content (a PBF file's header, XML's "<", JSON's "{"), and an error
// when the content is none of them or contradicts the file's extension
// (.osm.pbf or .pbf, .osm or .xml, .geojson or .json).
func RoadFormat(name string, data []byte) (string, error) {
	var got string
	trim := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case isPBF(data):
		got = FormatOSMPBF
	case bytes.HasPrefix(trim, []byte("<")):
		got = FormatOSMXML
	case bytes.HasPrefix(trim, []byte("{")):
		got = FormatGeoJSON
	}
	lower := strings.ToLower(name)
	var want string
	switch {
	case strings.HasSuffix(lower, ".pbf"):
		want = FormatOSMPBF
	case strings.HasSuffix(lower, ".osm"), strings.HasSuffix(lower, ".xml"):
		want = FormatOSMXML
	case strings.HasSuffix(lower, ".geojson"), strings.HasSuffix(lower, ".json"):
		want = FormatGeoJSON
	}
	switch {
	case got == "":
		head := trim[:min(len(trim), 12)]
		return "", fmt.Errorf("neither GeoJSON, OpenStreetMap XML nor OpenStreetMap PBF (it starts with %q): want road line strings in GeoJSON (.geojson), an OpenStreetMap extract (.osm.pbf or .osm)", head)
	case want != "" && want != got:
		return "", fmt.Errorf("named %s (%s) but holds %s", filepath.Base(name), want, got)
	}
	return got, nil
}

// Roads reads the road file name (its content data) in the format
// RoadFormat finds: RoadsFromGeoJSON or RoadsFromOSM.
func (c *City) Roads(name string, data []byte, speeds map[string]float64) (*RoadNet, error) {
	f, err := RoadFormat(name, data)
	if err != nil {
		return nil, err
	}
	if f == FormatGeoJSON {
		return c.RoadsFromGeoJSON(data, speeds)
	}
	return c.RoadsFromOSM(data, speeds)
}

// RefSpeed returns the reference speed in km/h of a network read with the
// given speeds: the local street's (TIGER S1400, OSM residential), at most
// the network's top speed.
func (n *RoadNet) RefSpeed(speeds map[string]float64) float64 {
	class, table := "S1400", DefaultRoadSpeeds
	if n.osm {
		class, table = OSMRefClass, DefaultOSMSpeeds
	}
	ref := table[class]
	if v, ok := speeds[class]; ok {
		ref = v
	}
	return min(ref, n.maxSpeed)
}

// DefaultSpeeds returns the speed table of the network's format:
// DefaultOSMSpeeds or DefaultRoadSpeeds (TIGER).
func (n *RoadNet) DefaultSpeeds() map[string]float64 {
	if n.osm {
		return DefaultOSMSpeeds
	}
	return DefaultRoadSpeeds
}

// Maxspeeds returns how many ways of an OpenStreetMap network took their
// speed from a maxspeed tag, and how many had a malformed maxspeed and
// took their class's speed instead.
func (n *RoadNet) Maxspeeds() (used, malformed int) {
	return n.maxspeedTagged, n.maxspeedIgnored
}

// Maxspeed kinds: how ParseMaxspeed read a tag.
const (
	MaxspeedNumber    = iota // a speed: use it
	MaxspeedDefault          // none, signals, walk, a country code (DE:urban): the class's speed
	MaxspeedMalformed        // not understood: the class's speed, counted
)

var (
	maxspeedRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*(km/h|kmh|kph|mph|knots)?$`)
	// A zone or implicit limit (OSM wiki, Key:maxspeed): DE:urban,
	// RU:living_street, GB:nsl_single, FR:zone30, …
	maxspeedCountryRE = regexp.MustCompile(`^[A-Za-z]{2}(-[A-Za-z0-9]+)?:[A-Za-z0-9_]+$`)
)

// ParseMaxspeed reads an OpenStreetMap maxspeed value (Key:maxspeed on the
// OSM wiki): a number is km/h ("50"), or carries its unit ("50 km/h",
// "30 mph", "10 knots"); "none", "signals", "variable", "walk" and country
// codes ("DE:urban") say there is no number: the class's speed applies.
// Anything else, several values ("50;30") and speeds not in (0, 300] are
// malformed.
func ParseMaxspeed(s string) (kmh float64, kind int) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "none", "signals", "variable", "walk", "unposted", "implicit":
		return 0, MaxspeedDefault
	}
	if maxspeedCountryRE.MatchString(s) {
		return 0, MaxspeedDefault
	}
	m := maxspeedRE.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0, MaxspeedMalformed
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, MaxspeedMalformed
	}
	switch m[2] {
	case "mph":
		v *= 1.609344 // km per international mile
	case "knots":
		v *= 1.852 // km per nautical mile
	}
	if !(v > 0 && v <= 300) {
		return 0, MaxspeedMalformed
	}
	return v, MaxspeedNumber
}

// Oneway directions (OSMOneway).
const (
	OnewayNo      = 0  // both ways
	OnewayForward = 1  // along the way's node order only
	OnewayReverse = -1 // against it only
	OnewaySkip    = 2  // reversible or alternating: not used
)

// OSMOneway returns the directions a way may be driven in from its tags:
// oneway=yes/true/1 forward, -1/reverse backward, no/false/0 both;
// without a oneway tag, junction=roundabout (or circular) and
// highway=motorway are one-way forward (OSM wiki, Key:oneway: implied
// one-way). oneway=reversible or alternating (direction changing with the
// time of day) is not used; any other value counts as both ways.
func OSMOneway(tags map[string]string) int {
	switch v := strings.ToLower(strings.TrimSpace(tags["oneway"])); v {
	case "yes", "true", "1":
		return OnewayForward
	case "-1", "reverse":
		return OnewayReverse
	case "no", "false", "0":
		return OnewayNo
	case "reversible", "alternating":
		return OnewaySkip
	case "":
		switch tags["junction"] {
		case "roundabout", "circular":
			return OnewayForward
		}
		if tags["highway"] == "motorway" {
			return OnewayForward
		}
	}
	return OnewayNo
}

// RoadsFromOSM builds the directed road network of the city from an
// OpenStreetMap extract (PBF or XML, told apart by content), projected
// with the city's projection. Ways tagged with a drivable highway class
// (DefaultOSMSpeeds with speeds, km/h, overriding or adding classes) are
// read; ways with access, motor_vehicle or motorcar = no, and area=yes,
// are left out. A way's speed is its maxspeed where that parses
// (ParseMaxspeed), else its class's. Each pair of consecutive nodes of a
// way is a road segment, passable in the directions OSMOneway gives; a
// segment whose node the extract lacks (a way cut at the extract's edge)
// is left out. Only the largest strongly connected component is kept, so
// that every node reaches every other (Dropped counts the rest).
func (c *City) RoadsFromOSM(data []byte, speeds map[string]float64) (*RoadNet, error) {
	if c.Proj == nil {
		return nil, fmt.Errorf("a grid city has no lon/lat: road networks need a city read from GeoJSON")
	}
	speed := maps.Clone(DefaultOSMSpeeds)
	for k, v := range speeds {
		if !(v > 0) || !finite(v) {
			return nil, fmt.Errorf("road speed for %q: %g km/h, want a finite number > 0", k, v)
		}
		speed[k] = v
	}
	nodes := map[int64][2]float64{}
	var ways []osmWay
	classes := map[string]bool{}
	keepWay := func(w osmWay) {
		hw := w.tags["highway"]
		if hw == "" {
			return
		}
		classes[hw] = true
		if _, ok := speed[hw]; !ok || w.tags["area"] == "yes" || len(w.refs) < 2 {
			return
		}
		for _, k := range []string{"access", "motor_vehicle", "motorcar"} {
			if w.tags[k] == "no" {
				return
			}
		}
		ways = append(ways, w)
	}
	if isPBF(data) {
		// Two passes: the ways, then only the nodes they use (a city's
		// extract holds many more nodes than its roads need: buildings,
		// paths, points of interest).
		if err := readPBF(data, nil, keepWay); err != nil {
			return nil, fmt.Errorf("OpenStreetMap PBF: %w", err)
		}
		for _, w := range ways {
			for _, ref := range w.refs {
				nodes[ref] = [2]float64{math.NaN(), math.NaN()} // wanted, not yet seen
			}
		}
		err := readPBF(data, func(n osmNode) {
			if _, ok := nodes[n.id]; ok {
				nodes[n.id] = [2]float64{n.lon, n.lat}
			}
		}, nil)
		if err != nil {
			return nil, fmt.Errorf("OpenStreetMap PBF: %w", err)
		}
		for id, ll := range nodes {
			if math.IsNaN(ll[0]) {
				delete(nodes, id) // not in the extract
			}
		}
	} else {
		sc := osmxml.New(context.Background(), bytes.NewReader(data))
		for sc.Scan() {
			switch o := sc.Object().(type) {
			case *osm.Node:
				nodes[int64(o.ID)] = [2]float64{o.Lon, o.Lat}
			case *osm.Way:
				w := osmWay{id: int64(o.ID), tags: o.Tags.Map()}
				for _, wn := range o.Nodes {
					w.refs = append(w.refs, int64(wn.ID))
				}
				keepWay(w)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("OpenStreetMap XML: %w", err)
		}
		sc.Close()
	}
	if len(ways) == 0 {
		return nil, fmt.Errorf("no drivable way (highway = %s)", strings.Join(slices.Sorted(maps.Keys(speed)), ", "))
	}

	index := map[int64]int32{}
	var pos []Point
	nodeOf := func(id int64) (int32, error) {
		if i, ok := index[id]; ok {
			return i, nil
		}
		ll, ok := nodes[id]
		if !ok {
			return -1, nil
		}
		lon, lat := ll[0], ll[1]
		if !finite(lon) || !finite(lat) || lon < -180 || lon > 180 || lat < -85 || lat > 85 {
			return -1, fmt.Errorf("node %d (%g, %g) outside lon/lat range (lon in [-180, 180], lat in [-85, 85])", id, lon, lat)
		}
		i := int32(len(pos))
		pos = append(pos, c.Proj.Forward(lon, lat))
		index[id] = i
		return i, nil
	}
	var edges []roadEdge
	var tagged, malformed int
	for _, w := range ways {
		dir := OSMOneway(w.tags)
		if dir == OnewaySkip {
			continue
		}
		kmh := speed[w.tags["highway"]]
		if ms, ok := w.tags["maxspeed"]; ok {
			switch v, kind := ParseMaxspeed(ms); kind {
			case MaxspeedNumber:
				kmh = v
				tagged++
			case MaxspeedMalformed:
				malformed++
			}
		}
		mps := kmh / 3.6
		prev := int32(-1)
		for _, ref := range w.refs {
			u, err := nodeOf(ref)
			if err != nil {
				return nil, fmt.Errorf("way %d: %w", w.id, err)
			}
			if prev >= 0 && u >= 0 && u != prev {
				sec := pos[prev].Dist(pos[u]) / mps
				switch dir {
				case OnewayForward:
					edges = append(edges, roadEdge{prev, u, sec, kmh})
				case OnewayReverse:
					edges = append(edges, roadEdge{u, prev, sec, kmh})
				default:
					edges = append(edges, roadEdge{prev, u, sec, kmh}, roadEdge{u, prev, sec, kmh})
				}
			}
			prev = u
		}
	}
	net, err := c.buildRoadNet(pos, edges, classes, true)
	if err != nil {
		return nil, err
	}
	net.osm = true
	net.maxspeedTagged, net.maxspeedIgnored = tagged, malformed
	return net, nil
}
