package scenarios

import "testing"

// TestMetropolisFacts: builtin:metropolis has Chicago's size, as its
// scenario file cites: 22 districts, about 275 beats (Chicago: 277,
// ../shared/data/README.md) over about 605 km², 999 cars over three
// watches (333 on duty at any time), 15,000 calls a day.
func TestMetropolisFacts(t *testing.T) {
	s, err := LoadBuiltin("metropolis")
	if err != nil {
		t.Fatal(err)
	}
	city := s.Config.City
	if got := len(city.Districts); got != 22 {
		t.Errorf("%d districts, want 22", got)
	}
	if got := len(city.Atoms); got != 275 {
		t.Errorf("%d beats, want 275", got)
	}
	area := 0.0
	for _, a := range city.Atoms {
		area += a.Area
	}
	if km2 := area / 1e6; km2 < 590 || km2 > 620 {
		t.Errorf("%.0f km², want about 605", km2)
	}
	units, onDuty := 0, 0.0
	for _, u := range s.Config.Units {
		units += u.Count
		onDuty += float64(u.Count) * u.ShiftLen / 86400
	}
	if units != 999 || onDuty != 333 {
		t.Errorf("%d units, %g on duty on average; want 999 and 333", units, onDuty)
	}
	if got := s.Config.Incidents.PerDay; got != 15000 {
		t.Errorf("%g calls a day, want 15,000", got)
	}
}
