package scenarios

import "testing"

// TestNearRepeatTypeKey: incidents.types[].near_repeat defaults to true
// (the type self-excites, as every type did before the key), and the
// built-in city turns it off for traffic accidents and assistance calls
// only (docs/scenario-format.md; scenarios/jinzhou/scenario.yaml).
func TestNearRepeatTypeKey(t *testing.T) {
	s, err := LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"traffic_accident": true, "assistance": true}
	for _, ty := range s.Config.Incidents.Types {
		if ty.NoNearRepeat != want[ty.Name] {
			t.Errorf("builtin:jinzhou type %s: NoNearRepeat %v, want %v", ty.Name, ty.NoNearRepeat, want[ty.Name])
		}
	}
	if len(s.Config.Incidents.Types) < 3 {
		t.Fatalf("builtin:jinzhou has %d incident types", len(s.Config.Incidents.Types))
	}
}
