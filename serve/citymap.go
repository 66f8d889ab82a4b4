package serve

import (
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/patrolsim/patrolsim/report"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// mapCacheSize is how many city maps the server keeps drawn: the page asks
// for one on load and one each time incidents per day change.
const mapCacheSize = 8

// mapCache holds the last maps drawn, by scenario id and incidents per
// day, oldest first. Server.mu guards it.
type mapCache struct {
	keys []string
	svgs map[string][]byte
}

// expectedIncidents returns the expected (background) incidents per day of
// each area: perDay × the area's share of the incident weight, the rate the
// simulation draws arrivals from before deterrence and near repeats. Nil
// when the city has no weight (no data).
func expectedIncidents(city *geo.City, perDay float64) []float64 {
	total := 0.0
	for a := range city.Atoms {
		total += city.Atoms[a].Weight
	}
	if !(total > 0) {
		return nil
	}
	out := make([]float64, len(city.Atoms))
	for a := range city.Atoms {
		out[a] = perDay * city.Atoms[a].Weight / total
	}
	return out
}

// cityMap answers the map of a scenario (?scenario=ID, default the start
// one) with its areas coloured by expected incidents per day, for
// ?per_day=X incidents a day (default the scenario's): the map the page
// shows before any run.
func (s *Server) cityMap(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	src := s.source(q.Get("scenario"))
	if src == nil {
		writeError(w, http.StatusNotFound, s.noSource(q.Get("scenario")))
		return
	}
	perDay := src.base.File.Incidents.PerDay
	if v := q.Get("per_day"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || !(x > 0) || math.IsInf(x, 0) {
			writeError(w, http.StatusBadRequest, "per_day must be a number > 0 (got "+strconv.Quote(v)+")")
			return
		}
		perDay = x
	}
	key := src.id + " " + strconv.FormatFloat(perDay, 'g', -1, 64)
	s.mu.Lock()
	svg := s.maps.svgs[key]
	s.mu.Unlock()
	if svg == nil {
		city := src.base.Config.City
		var err error
		svg, err = report.CityMapSVG(city, expectedIncidents(city, perDay), "Expected incidents — "+src.base.File.Name, "incidents per day")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		s.mu.Lock()
		if s.maps.svgs == nil {
			s.maps.svgs = map[string][]byte{}
		}
		if _, ok := s.maps.svgs[key]; !ok {
			s.maps.keys = append(s.maps.keys, key)
			s.maps.svgs[key] = svg
		}
		for len(s.maps.keys) > mapCacheSize {
			delete(s.maps.svgs, s.maps.keys[0])
			s.maps.keys = slices.Delete(s.maps.keys, 0, 1)
		}
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write(svg)
}
