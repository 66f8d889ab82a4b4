package results

import (
	"fmt"

	"github.com/patrolsim/patrolsim/sim"
)

// Better says which direction of a metric is an improvement.
type Better int

const (
	Neutral Better = iota
	Lower
	Higher
)

// Metric describes one metric. Names carry their unit: _s for seconds,
// a share in [0, 1] otherwise unless the doc says count.
type Metric struct {
	Name   string
	Doc    string
	Better Better
}

// Metrics lists the metrics of a configuration, in a fixed order: the
// order of columns in the per-replication CSV and of keys in tables.
func Metrics(cfg *sim.Config) []Metric {
	ms := []Metric{
		{"incidents", "incidents whose call came in the window (count)", Neutral},
		{"unresolved", "of those, not cleared by the end of the run (count)", Lower},
		{"lost_share", "share of those lost because no unit was free (dispatch.lost_calls)", Lower},
		{"response_mean_s", "call received → first unit on scene, mean over answered calls", Lower},
		{"response_median_s", "response time, median (unanswered calls count as infinitely late)", Lower},
		{"response_p90_s", "response time, 90th percentile (unanswered calls count as infinitely late)", Lower},
	}
	for p := 1; p <= 3; p++ {
		ms = append(ms,
			Metric{fmt.Sprintf("response_mean_s_p%d", p), fmt.Sprintf("response time of priority-%d calls, mean", p), Lower},
			Metric{fmt.Sprintf("response_median_s_p%d", p), fmt.Sprintf("response time of priority-%d calls, median", p), Lower},
			Metric{fmt.Sprintf("response_p90_s_p%d", p), fmt.Sprintf("response time of priority-%d calls, 90th percentile", p), Lower},
		)
		if cfg.Targets[p] > 0 {
			ms = append(ms, Metric{fmt.Sprintf("within_target_p%d", p),
				fmt.Sprintf("share of priority-%d calls answered within %gs", p, cfg.Targets[p]), Higher})
		}
	}
	ms = append(ms,
		Metric{"command_delay_mean_s", "call received → ready for dispatch, mean", Lower},
		Metric{"queue_wait_mean_s", "ready for dispatch → first unit sent, mean", Lower},
		Metric{"travel_mean_s", "first unit sent → first unit on scene (turnout included), mean", Lower},
		Metric{"full_strength_mean_s", "call received → enough officers on scene, mean", Lower},
		Metric{"utilization", "share of on-duty unit time spent on calls, all units", Neutral},
		Metric{"cross_district_share", "share of units sent that are homed in another district than the incident's", Lower},
		Metric{"outside_beat_share", "share of units with a beat sent to an incident outside their beat", Lower},
	)
	for _, ut := range cfg.Units {
		ms = append(ms, Metric{"utilization_" + ut.Name, "share of on-duty time on calls, " + ut.Name, Neutral})
	}
	ms = append(ms,
		Metric{"incidents_realised", "incidents that happened in the window, by occurrence time (count)", Lower},
		Metric{"incidents_realised_day", "of those, between 06:00 and 18:00 (count)", Lower},
		Metric{"incidents_realised_night", "of those, between 18:00 and 06:00 (count)", Lower},
		Metric{"incidents_prevented", "candidates suppressed by presence and not displaced, in the window (count)", Higher},
		Metric{"incidents_prevented_day", "of those, between 06:00 and 18:00 (count)", Higher},
		Metric{"incidents_prevented_night", "of those, between 18:00 and 06:00 (count)", Higher},
		Metric{"incidents_displaced", "candidates suppressed and displaced in space or time, in the window (count)", Neutral},
		Metric{"incidents_displaced_space", "of those, to a neighbouring area (count)", Neutral},
		Metric{"incidents_displaced_time", "of those, to a later time (count)", Neutral},
		Metric{"incidents_displaced_night", "displaced candidates that would have happened between 18:00 and 06:00 (count)", Neutral},
		Metric{"incidents_near_repeat", "realised incidents that were near-repeat offspring (count)", Lower},
		Metric{"discovered_share", "share of counted incidents seen on view by a unit", Neutral},
		Metric{"visibility", "population-weighted share of area-hours with presence above the threshold (见警率)", Higher},
		Metric{"zero_incident_atoms", "areas of nonzero weight with no incident realised in the window (count)", Higher},
		Metric{"workload_cv", "coefficient of variation of the busy share across units on duty (0: even)", Lower},
	)
	for p := 1; p <= 3; p++ {
		ms = append(ms, Metric{fmt.Sprintf("incidents_p%d", p), fmt.Sprintf("priority-%d incidents (count)", p), Neutral})
	}
	for _, t := range cfg.Incidents.Types {
		ms = append(ms, Metric{"incidents_type_" + t.Name, t.Name + " incidents (count)", Neutral})
	}
	for _, d := range cfg.City.Districts {
		ms = append(ms, Metric{"incidents_district_" + d.Name, "incidents in district " + d.Name + " (count)", Neutral})
	}
	for _, t := range cfg.Incidents.Types {
		if t.Deterrable > 0 {
			ms = append(ms, Metric{"prevented_type_" + t.Name, t.Name + " candidates prevented (count)", Higher})
		}
	}
	for _, d := range cfg.City.Districts {
		ms = append(ms, Metric{"prevented_district_" + d.Name, "candidates prevented in district " + d.Name + " (count)", Higher})
	}
	return ms
}
