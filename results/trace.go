package results

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// TraceRow is one incident of one run, for the trace file.
type TraceRow struct {
	Variant string
	Rep     int
	Counted bool
	Rec     sim.IncidentRecord
}

// TraceHeader is the header of the trace CSV. Times are seconds from the
// start of the run; empty where the stage never happened. x_m, y_m are the
// place in the city's plane (metres, 0.1 m); lon, lat the same place in
// WGS 84 degrees (6 decimals, about 0.1 m; a grid city is drawn at 0°E 0°N,
// GridAnchor).
var TraceHeader = []string{"variant", "replication", "id", "type", "priority", "atom", "district",
	"x_m", "y_m", "lon", "lat", "officers", "occur_s", "call_s", "ready_s", "dispatch_s", "arrive_s", "full_s", "clear_s",
	"counted", "units"}

// WriteTrace writes rows as CSV, naming atoms, districts and units (each
// row's units by its variant's force).
func WriteTrace(w io.Writer, variants []sim.Variant, rows []TraceRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TraceHeader); err != nil {
		return err
	}
	names := map[string][]string{}
	models := map[string]*sim.Model{}
	for _, v := range variants {
		names[v.Name] = UnitNames(v.Model)
		models[v.Name] = v.Model
	}
	rec := make([]string, len(TraceHeader))
	for i := range rows {
		r := &rows[i].Rec
		cfg := models[rows[i].Variant].Cfg
		unitNames := names[rows[i].Variant]
		rec[0], rec[1] = rows[i].Variant, strconv.Itoa(rows[i].Rep)
		rec[2] = strconv.Itoa(r.ID)
		rec[3] = cfg.Incidents.Types[r.Type].Name
		rec[4] = strconv.Itoa(r.Priority)
		rec[5] = cfg.City.Atoms[r.Atom].Name
		rec[6] = cfg.City.Districts[r.District].Name
		rec[7] = strconv.FormatFloat(r.Pos.X, 'f', 1, 64)
		rec[8] = strconv.FormatFloat(r.Pos.Y, 'f', 1, 64)
		lon, lat := LonLat(cfg.City, geo.Point{X: r.Pos.X, Y: r.Pos.Y})
		rec[9] = strconv.FormatFloat(lon, 'f', 6, 64)
		rec[10] = strconv.FormatFloat(lat, 'f', 6, 64)
		rec[11] = strconv.Itoa(r.Needed)
		for j, t := range []float64{r.Occur, r.Call, r.Ready, r.Dispatch, r.Arrive, r.Full, r.Clear} {
			if t != t {
				rec[12+j] = ""
			} else {
				rec[12+j] = strconv.FormatFloat(t, 'f', 3, 64)
			}
		}
		rec[19] = strconv.FormatBool(rows[i].Counted)
		names := make([]string, len(r.Units))
		for j, u := range r.Units {
			names[j] = unitNames[u]
		}
		rec[20] = strings.Join(names, ";")
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// UnitNames names each unit "TYPE-N", N counting from 1 within its type.
func UnitNames(m *sim.Model) []string {
	count := make([]int, len(m.Cfg.Units))
	names := make([]string, len(m.World.Units))
	for u, unit := range m.World.Units {
		count[unit.Type]++
		names[u] = unit.TypeName + "-" + strconv.Itoa(count[unit.Type])
	}
	return names
}
