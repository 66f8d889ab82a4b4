package hypercube

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// TestGridCompare solves the built-in grid's model and simulates it: the
// simulation does not depend on the number of workers, and the table and
// the JSON document hold every unit with its analytic and simulated
// workload.
func TestGridCompare(t *testing.T) {
	s, err := scenarios.LoadBuiltin("grid")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(s, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Solve(m.Cube.Units <= DefaultExactUnits)
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != "exact" || len(res.Sol.Workload) != len(m.Units) {
		t.Fatalf("solution: method %s, %d workloads for %d units", res.Method, len(res.Sol.Workload), len(m.Units))
	}
	one, err := m.Simulate(context.Background(), s.File.Seed, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	two, err := m.Simulate(context.Background(), s.File.Seed, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, two) {
		t.Error("the simulation depends on the number of workers")
	}
	if one.Reps != 3 || len(one.Workload) != len(m.Units) || one.Travel.N != 3 || !(one.Travel.Low < one.Travel.Mean && one.Travel.Mean < one.Travel.High) {
		t.Errorf("simulated: %+v", one)
	}
	var table bytes.Buffer
	if err := WriteTable(&table, m, res, one, s.File.Seed); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hypercube model (exact", "3 replications, seed", "workload " + m.Units[0] + " (%)", " ± "} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
	var doc bytes.Buffer
	if err := WriteJSON(&doc, m, res, one, s.File.Seed); err != nil {
		t.Fatal(err)
	}
	var j JSON
	if err := json.Unmarshal(doc.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Compare == nil || len(j.Compare.Workloads) != len(m.Units) || len(j.Units) != len(m.Units) || j.Compare.TravelMean.Mean == nil {
		t.Errorf("JSON: %s", doc.String())
	}
}

// TestNewErrors: a scenario without units or incidents has no model; the
// errors say why.
func TestNewErrors(t *testing.T) {
	s, err := scenarios.LoadBuiltin("grid")
	if err != nil {
		t.Fatal(err)
	}
	s.Variants = nil
	if _, err := New(s, false); err == nil || !strings.Contains(err.Error(), "no variant") {
		t.Errorf("no variant: %v", err)
	}
	s, _ = scenarios.LoadBuiltin("grid")
	m, err := New(s, true)
	if err != nil {
		t.Fatal(err)
	}
	for a := range m.Cube.Lambda {
		m.Cube.Lambda[a] = 0
	}
	if _, err := m.Solve(true); err == nil || !strings.Contains(err.Error(), "no incidents") {
		t.Errorf("no incidents: %v", err)
	}
}
