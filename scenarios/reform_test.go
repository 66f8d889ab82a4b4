package scenarios

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDispatchRules: a variant's dispatch_rules change, for itself only,
// the keys of the dispatch block it gives (call-takers, levels with
// dispatchers, territory), and a variant's units may take other
// priorities; the scenario's other variants keep the scenario's block.
func TestDispatchRules(t *testing.T) {
	s, err := Load("s.yaml", []byte(doc(
		"units: [{name: car, count: 4}, {name: stn, count: 2, home: post, post_kind: station, priorities: [3]}]",
		"city: {grid: {rows: 4, cols: 4, cell_m: 500, districts: 2}, post_points: [{name: a, kind: station, x_m: 250, y_m: 250}]}",
		"variants: [{name: after, policy: random}, {name: before, policy: random, dispatch: hierarchical, units: {stn: {priorities: [1, 2, 3]}}, "+
			"dispatch_rules: {call_takers: 3, territory: station-first, levels: [{name: city, delay: 1m, servers: 2}, {name: station, delay: 2m}]}}]",
	)), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, before := s.Variants[0].Model.Cfg, s.Variants[1].Model.Cfg
	if after.Dispatch.CallTakers != 0 || after.Dispatch.Territory || len(after.Dispatch.Levels) != 3 || after.Units[1].Priorities[1] {
		t.Errorf("after: %+v, stn priorities %v; want the scenario's dispatch block and priorities", after.Dispatch, after.Units[1].Priorities)
	}
	d := before.Dispatch
	if d.CallTakers != 3 || !d.Territory || !d.Station[1] || d.Station[0] || len(d.Levels) != 2 || len(d.LevelServers) != 1 || d.LevelServers[0] != 2 ||
		!before.Units[1].Priorities[1] || d.Delay.Mean != 60 || d.TerritoryFor != [4]bool{false, true, true, true} {
		t.Errorf("before: %+v, stn priorities %v; want 3 call-takers, station-first with stn, 2 levels (2 dispatchers at the first), stn taking 1–3", d, before.Units[1].Priorities)
	}
	_, err = Load("s.yaml", []byte(doc(
		"variants: [{name: a, policy: random, units: {car: {priorities: [4]}}, dispatch_rules: {mode: hierarchical, call_takers: -1, territory: nearest, stations: [bus], territory_priorities: [0]}}]",
	)), nil)
	for _, want := range []string{
		`variants[0].units.car.priorities[0]: must be 1, 2 or 3 (got 4)`,
		`variants[0].dispatch_rules.mode: the mode is the variant's dispatch key`,
		`variants[0].dispatch_rules.call_takers: must be between 0 and 10000`,
		`variants[0].dispatch_rules.territory: must be none or station-first (got "nearest")`,
		`variants[0].dispatch_rules.stations[0]: no unit type "bus"`,
		`variants[0].dispatch_rules.territory_priorities[0]: must be 1, 2 or 3 (got 0)`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant a problem %q", err, want)
		}
	}
	_, err = Load("s.yaml", []byte(doc("dispatch: {delay: 60s, territory: station-first}")), nil)
	if want := "s.yaml:10: dispatch.territory: station-first needs a police station's units"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v\nwant a problem %q", err, want)
	}
}

// normNodes rewrites the partial blocks a file keeps as YAML nodes (a
// variant's overrides) as if read from their own text, so that two files
// saying the same compare equal wherever their lines were.
func normNodes(f *File) {
	norm := func(n *yaml.Node) {
		if n.Kind == 0 {
			return
		}
		out, err := yaml.Marshal(n)
		if err != nil {
			panic(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(out, &doc); err != nil {
			panic(err)
		}
		*n = *doc.Content[0]
	}
	norm(&f.Check)
	for i := range f.Variants {
		v := &f.Variants[i]
		norm(&v.Deterrence)
		norm(&v.Reporting)
		norm(&v.DispatchRules)
	}
}

// TestReformLoadIsJinzhou: builtin:jinzhou-reform plays builtin:jinzhou's
// incidents (its file carries a copy of the block so that it reads alone):
// the two incident blocks and zero windows must be the same.
func TestReformLoadIsJinzhou(t *testing.T) {
	a, err := LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadBuiltin("jinzhou-reform")
	if err != nil {
		t.Fatal(err)
	}
	ya, _ := yaml.Marshal(a.File.Incidents)
	yb, _ := yaml.Marshal(b.File.Incidents)
	if string(ya) != string(yb) {
		t.Errorf("builtin:jinzhou-reform's incidents differ from builtin:jinzhou's:\n%s\nvs\n%s", yb, ya)
	}
	if a.File.ZeroWindow != b.File.ZeroWindow {
		t.Errorf("zero_window %v vs %v", b.File.ZeroWindow, a.File.ZeroWindow)
	}
}
