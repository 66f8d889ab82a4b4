package serve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/patrolsim/patrolsim/sim/geo"
)

// mapCache holds the maps drawn, by scenario id and incidents per day,
// least recently used first, at most Server.mapCacheBytes of them together
// (a map larger than Server.maxCachedMap is not kept); and the drawings in
// progress, which later requests for the same map wait for. Server.mu
// guards it.
type mapCache struct {
	keys     []string
	svgs     map[string][]byte
	bytes    int
	inflight map[string]*mapCall
}

// mapCall is one drawing of a map; done is closed when svg or err is set.
type mapCall struct {
	done chan struct{}
	svg  []byte
	err  error
}

// get returns the map kept under key and marks it most recently used.
func (c *mapCache) get(key string) ([]byte, bool) {
	svg, ok := c.svgs[key]
	if ok {
		i := slices.Index(c.keys, key)
		c.keys = append(slices.Delete(c.keys, i, i+1), key)
	}
	return svg, ok
}

// put keeps svg under key unless it is larger than maxOne, then forgets
// the least recently used maps until the rest fit in maxAll.
func (c *mapCache) put(key string, svg []byte, maxOne, maxAll int) {
	if len(svg) > maxOne {
		return
	}
	if c.svgs == nil {
		c.svgs = map[string][]byte{}
	}
	if _, ok := c.svgs[key]; ok {
		return
	}
	c.keys = append(c.keys, key)
	c.svgs[key] = svg
	c.bytes += len(svg)
	for c.bytes > maxAll {
		c.bytes -= len(c.svgs[c.keys[0]])
		delete(c.svgs, c.keys[0])
		c.keys = slices.Delete(c.keys, 0, 1)
	}
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

// cityVertices counts the vertices the map of city draws: the areas'
// rings and the routes.
func cityVertices(city *geo.City) int {
	n := 0
	for a := range city.Atoms {
		for _, p := range city.Atoms[a].Shape() {
			for _, r := range p {
				n += len(r)
			}
		}
	}
	for _, r := range city.Routes {
		n += len(r.Path)
	}
	return n
}

// mapProblem says why the scenario's map is not drawn (too many areas or
// vertices), or "".
func (src *source) mapProblem() string {
	if src.areas > MaxMapAreas || src.vertices > MaxMapVertices {
		return fmt.Sprintf("the city map is not drawn here: %d areas with %d vertices, more than the %d areas and %d vertices a map may have; patrolsim report draws it", src.areas, src.vertices, MaxMapAreas, MaxMapVertices)
	}
	return ""
}

// cityMap answers the map of a scenario (?scenario=ID, default the start
// one) with its areas coloured by expected incidents per day, for
// ?per_day=X incidents a day (default the scenario's): the map the page
// shows before any run. A city too big to draw is 400.
func (s *Server) cityMap(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	src := s.source(q.Get("scenario"))
	if src == nil {
		writeError(w, http.StatusNotFound, s.noSource(q.Get("scenario")))
		return
	}
	if msg := src.mapProblem(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
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
	svg, err := s.drawMap(r.Context(), key, func() ([]byte, error) {
		city := src.base.Config.City
		return s.cityMapSVG(city, expectedIncidents(city, perDay), "Expected incidents — "+src.base.File.Name, "incidents per day")
	})
	if err != nil {
		if r.Context().Err() == nil {
			writeError(w, http.StatusInternalServerError, err.Error())
		}
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write(svg)
}

// drawMap returns the map under key: kept, or being drawn for another
// request (then it waits for that drawing), or drawn now by render, with
// at most MaxMapRenders drawings at once (it waits for a turn). It gives
// up when ctx is done; the requests that were waiting for its drawing then
// draw it themselves.
func (s *Server) drawMap(ctx context.Context, key string, render func() ([]byte, error)) ([]byte, error) {
	for {
		s.mu.Lock()
		if svg, ok := s.maps.get(key); ok {
			s.mu.Unlock()
			return svg, nil
		}
		if c := s.maps.inflight[key]; c != nil {
			s.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded) {
				continue // its request went away before drawing: take over
			}
			return c.svg, c.err
		}
		c := &mapCall{done: make(chan struct{})}
		if s.maps.inflight == nil {
			s.maps.inflight = map[string]*mapCall{}
		}
		s.maps.inflight[key] = c
		s.mu.Unlock()

		select {
		case s.renderSlots <- struct{}{}:
			func() {
				defer func() {
					<-s.renderSlots
					if p := recover(); p != nil {
						c.svg, c.err = nil, fmt.Errorf("drawing the map: internal error (panic): %v", p)
					}
				}()
				c.svg, c.err = render()
			}()
		case <-ctx.Done():
			c.err = ctx.Err()
		}
		s.mu.Lock()
		delete(s.maps.inflight, key)
		if c.err == nil {
			s.maps.put(key, c.svg, s.maxCachedMap, s.mapCacheBytes)
		}
		s.mu.Unlock()
		close(c.done)
		return c.svg, c.err
	}
}
