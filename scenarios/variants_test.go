package scenarios

import (
	"strings"
	"testing"
)

// TestVariantOverrides: a variant changes, for itself only, the keys of
// the deterrence and reporting blocks it gives; the others keep the
// scenario's; its problems are reported at its own lines, with did-you-mean
// for unknown keys.
func TestVariantOverrides(t *testing.T) {
	s, err := Load("s.yaml", []byte(doc(
		"deterrence: {enabled: true, radius_m: 300}",
		"reporting: {on_view_radius_m: 50, observers: {per_km2: 30, radius_m: 50, delay: 2m}}",
		"variants: [{name: after, policy: random}, {name: before, policy: random, deterrence: {enabled: false}, reporting: {observers: {per_km2: 0}}}]",
	)), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, before := s.Variants[0].Model.Cfg, s.Variants[1].Model.Cfg
	if !after.Deterrence.On || after.Observers.PerKm2 != 30 {
		t.Errorf("after: deterrence %v observers %g, want the scenario's (on, 30)", after.Deterrence.On, after.Observers.PerKm2)
	}
	if before.Deterrence.On || before.Observers.PerKm2 != 0 || before.Deterrence.RadiusM != 300 || before.Observers.RadiusM != 50 || before.OnViewRadiusM != 50 {
		t.Errorf("before: %+v %+v on-view %g, want deterrence off, no observers, the rest the scenario's", before.Deterrence, before.Observers, before.OnViewRadiusM)
	}
	_, err = Load("s.yaml", []byte(doc(
		"variants: [{name: a, policy: random, deterrence: {radius: 10, half_presence: -1}, reporting: {observers: {per_km2: -5}}}]",
	)), nil)
	for _, want := range []string{
		`s.yaml:12: variants[0].deterrence.radius: unknown key "radius" (did you mean "radius_m"?)`,
		`variants[0].reporting.observers.per_km2: must be between 0 and 100000 (got -5)`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant a problem %q", err, want)
		}
	}
}
