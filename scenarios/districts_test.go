package scenarios

import (
	"strings"
	"testing"
)

// TestUnitDistricts: units[].districts homes a type's units in the listed
// districts only, in turn; a district that does not exist or is listed
// twice is an error naming the field and the value.
func TestUnitDistricts(t *testing.T) {
	doc := `version: 1
name: d
duration: 1d
warmup: 0s
city:
  grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}
incidents:
  per_day: 10
  types:
    - {name: urgent, priority: 1, share: 1, on_scene: {dist: exponential, mean: 20m}, officers: 1}
units:
  - {name: a, count: 3, home: district, districts: [D2]}
  - {name: b, count: 2, home: district}
variants:
  - {name: beats, policy: static-beats}
`
	s, err := Load("d.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, u := range s.Variants[0].Model.World.Units {
		got = append(got, u.District)
	}
	// a: all three in D2 (index 1); b: unit i in district i mod 2.
	want := []int{1, 1, 1, 0, 1}
	if len(got) != len(want) {
		t.Fatalf("got districts %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got districts %v, want %v", got, want)
		}
	}
	bad := strings.Replace(doc, "districts: [D2]", "districts: [D2, D7, D2]", 1)
	_, err = Load("d.yaml", []byte(bad), nil)
	for _, w := range []string{`d.yaml:12: units[0].districts[1]: no district "D7"`, `units[0].districts[2]: district "D2" listed twice`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v, want it to contain %q", err, w)
		}
	}
	bad = strings.Replace(doc, "home: district, districts", "home: community, districts", 1)
	if _, err = Load("d.yaml", []byte(bad), nil); err == nil || !strings.Contains(err.Error(), "units[0].districts: only for home: district") {
		t.Errorf("error %v, want units[0].districts: only for home: district", err)
	}
}
