package run

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// TestWrite: Write puts the result's encodings on disk, a trace only when
// the result has one (an older trace.csv is removed), and a resolved
// scenario that runs to the same results.
func TestWrite(t *testing.T) {
	s := loadBuiltin(t, "grid", 2)
	res, err := Execute(context.Background(), s, Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Write(dir, s, res); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{ResultsFile, func(b *bytes.Buffer) error { return res.Summary.WriteJSON(b) }},
		{ReplicationsFile, func(b *bytes.Buffer) error { return res.Summary.WriteCSV(b) }},
		{DetailsFile, func(b *bytes.Buffer) error { return res.Details.WriteJSON(b) }},
	} {
		var want bytes.Buffer
		if err := f.write(&want); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(filepath.Join(dir, f.name)); err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s differs from the result's encoding (%v)", f.name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, TraceFile)); err != nil {
		t.Errorf("no trace: %v", err)
	}
	plain, err := Execute(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, s, plain); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, TraceFile)); !os.IsNotExist(err) {
		t.Errorf("a stale trace.csv stays beside results without one: %v", err)
	}
	again, err := scenarios.LoadFile(filepath.Join(dir, ScenarioFile))
	if err != nil {
		t.Fatal(err)
	}
	res2, err := Execute(context.Background(), again, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if encoded(t, res2) != encoded(t, plain) {
		t.Error("the resolved scenario runs to other results")
	}
}

// TestResolve: a built-in scenario's data files come beside its resolved
// document, named by file name; a file scenario's relative data paths
// become absolute unless kept; the scenario itself is not changed.
func TestResolve(t *testing.T) {
	s := loadBuiltin(t, "jinzhou", 0)
	before := s.File
	before.Variants = nil
	variants := make([]string, len(s.File.Variants))
	for i, v := range s.File.Variants {
		variants[i] = v.Name
	}
	params := make([]int, len(s.File.Variants))
	for i, v := range s.File.Variants {
		params[i] = len(v.Params)
	}
	doc, beside, err := Resolve(s, ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range beside {
		names = append(names, f.Name)
		want, err := s.ReadData(f.Name)
		if err != nil || !bytes.Equal(f.Data, want) {
			t.Errorf("%s: not the built-in data file (%v)", f.Name, err)
		}
		if !bytes.Contains(doc, []byte(": "+f.Name+"\n")) {
			t.Errorf("the resolved document does not name %s by its file name", f.Name)
		}
	}
	if strings.Join(names, ",") != "communities.geojson,posts.geojson,routes.geojson" {
		t.Errorf("beside the document: %v", names)
	}
	after := s.File
	after.Variants = nil
	for i, v := range s.File.Variants {
		if v.Name != variants[i] || len(v.Params) != params[i] {
			t.Errorf("Resolve changed the scenario's variant %d", i)
		}
	}
	if !reflect.DeepEqual(before, after) {
		t.Error("Resolve changed the scenario")
	}

	dir := t.TempDir()
	copyFiles(t, filepath.Join("testdata", "roads"), dir, "scenario.yaml", "areas.geojson", "posts.geojson", "roads.geojson")
	fs, err := scenarios.LoadFile(filepath.Join(dir, "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		opts ResolveOptions
		want string
	}{
		{ResolveOptions{}, "roads: " + filepath.Join(dir, "roads.geojson") + "\n"},
		{ResolveOptions{KeepRelative: true}, "roads: roads.geojson\n"},
	} {
		doc, beside, err := Resolve(fs, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(doc, []byte(c.want)) || len(beside) != 0 {
			t.Errorf("%+v: the document lacks %q (or has %d files beside):\n%s", c.opts, c.want, len(beside), doc)
		}
	}
}

// TestWriteRefusesInputs: a folder where an output would replace an input
// of the scenario is refused before anything is written.
func TestWriteRefusesInputs(t *testing.T) {
	dir := t.TempDir()
	copyFiles(t, filepath.Join("testdata", "roads"), dir, "scenario.yaml", "posts.geojson", "roads.geojson")
	areas, err := os.ReadFile(filepath.Join("testdata", "roads", "areas.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	// The areas file is called details.json.
	os.WriteFile(filepath.Join(dir, DetailsFile), areas, 0o644)
	path := filepath.Join(dir, "scenario.yaml")
	doc, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(doc, []byte("areas: areas.geojson"), []byte("areas: "+DetailsFile), 1), 0o644)
	s, err := scenarios.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := Inputs(s); len(got) != 4 || got[0] != path || got[1] != filepath.Join(dir, DetailsFile) {
		t.Errorf("inputs %v", got)
	}
	res, err := Execute(context.Background(), s, Options{Replications: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	err = Write(dir, s, res)
	var oe *OverwriteError
	if !errors.As(err, &oe) || oe.Output != DetailsFile || !strings.Contains(err.Error(), "would overwrite the input") {
		t.Fatalf("got %v, want an OverwriteError for %s", err, DetailsFile)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, DetailsFile)); !bytes.Equal(got, areas) {
		t.Error("the input was changed")
	}
	if _, err := os.Stat(filepath.Join(dir, ResultsFile)); !os.IsNotExist(err) {
		t.Error("results written beside a refusal")
	}
	if err := CheckNoOverwrite(dir, loadBuiltin(t, "grid", 0)); err != nil {
		t.Errorf("a built-in scenario has no inputs on disk: %v", err)
	}
}
