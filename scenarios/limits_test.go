package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLimitsAndWeights: problems found by review, each a case.
func TestLimitsAndWeights(t *testing.T) {
	dir := t.TempDir()
	zero := `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","properties":{"name":"a","district":"d","w":0},"geometry":{"type":"Polygon","coordinates":[[[121,41],[121.01,41],[121.01,41.01],[121,41.01],[121,41]]]}},` +
		`{"type":"Feature","properties":{"name":"b","district":"d","w":0},"geometry":{"type":"Polygon","coordinates":[[[121.01,41],[121.02,41],[121.02,41.01],[121.01,41.01],[121.01,41]]]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "zero.geojson"), []byte(zero), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"weights sum to zero",
			doc("city: {areas: zero.geojson, fields: {name: name, district: district, weight: w}}"),
			[]string{"s.yaml:6: city: the areas' incident weights sum to 0"}},
		{"too many events",
			doc("duration: 3650d", "units: [{name: car, count: 100000, squad: 1}]", "variants: [{name: random, policy: random, params: {dwell: 1m}}]"),
			[]string{"s.yaml:12: variants[0]: about 5.3e+11 events per replication, more than the limit of 5e+09"}},
		{"hierarchical without mutual aid leaves a district unserved",
			doc("units: [{name: car, count: 1}]", "dispatch: {mode: hierarchical, mutual_aid: false}"),
			[]string{"s.yaml:12: variants[0].dispatch: hierarchical dispatch without mutual aid: district D2 has no unit able to take priority-1 calls",
				"s.yaml:12: variants[0].dispatch: hierarchical dispatch without mutual aid: district D2 has no unit able to take priority-3 calls"}},
		{"speed below the floor",
			doc("units: [{name: car, count: 4, speed_kmh: 1e-300}]"),
			[]string{"s.yaml:9: units[0].speed_kmh: must be between 0.1 and 1000 (got 1e-300)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "s.yaml")
			if err := os.WriteFile(path, []byte(tc.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFile(path)
			if err == nil {
				t.Fatal("loaded, want problems")
			}
			for i := range tc.want {
				tc.want[i] = filepath.Join(dir, tc.want[i])
			}
			checkProblems(t, err, tc.want)
		})
	}
}

// TestShiftRounded: shift lengths are rounded to whole seconds (8.3 h is
// 29880 s, not 29880.000000000004).
func TestShiftRounded(t *testing.T) {
	s, err := Load("s.yaml", []byte(doc(`units: [{name: car, count: 4, shift: {start: "07:00", hours: 8.3}}]`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Config.Units[0].ShiftLen; got != 29880 {
		t.Errorf("ShiftLen = %v, want 29880", got)
	}
}

// TestCheckBlock: a scenario's check: block is read as a check file, and its
// problems are reported with the scenario's lines.
func TestCheckBlock(t *testing.T) {
	s, err := Load("s.yaml", []byte(doc("check: {level: 0.01, metrics: [\"response_*\"], tolerances: {response_mean_s: {rel: 0.1}}}")), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.CheckConfig()
	if c == nil || c.Level != 0.01 || len(c.Metrics) != 1 || len(c.Tolerances) != 1 {
		t.Fatalf("check config %+v, want level 0.01, one pattern, one tolerance", c)
	}
	_, err = Load("s.yaml", []byte(doc("check: {level: 2}")), nil)
	var le *Error
	if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Line != 13 || le.Problems[0].Path != "check.level" {
		t.Fatalf("got %v, want one problem on line 13 under check", err)
	}
	t.Log(err)
}

// TestEndlessFile: a data file that is not a regular file (a device, a
// FIFO: /dev/zero never ends) is refused without being read, and a
// regular file is read no further than MaxFileBytes (a sparse file of
// twice the lowered limit).
func TestEndlessFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	defer func(n int64) { maxFileBytes = n }(maxFileBytes)
	maxFileBytes = 1 << 20
	abs, err := filepath.Abs("testdata/city/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big.geojson")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 2<<20); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{"city: {areas: /dev/zero}", "not a regular file but a character device"},
		{"city: {areas: " + abs + ", posts: /dev/zero}", "not a regular file but a character device"},
		{"city: {areas: " + big + "}", "more than the limit of 1048576"},
	} {
		_, err := LoadAt(filepath.Join(t.TempDir(), "s.yaml"), []byte(doc(tc.line)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.line, err, tc.want)
		}
	}
	if _, err := LoadFile("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("scenario /dev/zero: got %v, want it refused", err)
	}
}

// TestYAMLMessages: syntax and type errors name the line, the field and the
// whole value, and say what is wrong in words (a tab, a control character,
// an alias without anchor); keys reached through aliases and merge keys are
// checked like any other.
func TestYAMLMessages(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"tab in indentation", "version: 1\nname: x\n\tseed: 3\n", "s.yaml:3: a tab character: YAML indents with spaces, never tabs"},
		{"tab at a key", "version: 1\n\tname: x\n", "s.yaml:2: a tab character: YAML indents with spaces, never tabs"},
		{"NUL byte", "version: 1\nname: x\x00\n", "s.yaml:2: a control character (byte 0x00) in the text"},
		{"undefined alias", "version: 1\nname: *foo\n", "s.yaml:2: alias *foo refers to no anchor &foo defined before it"},
		{"22-digit seed", "version: 1\nname: x\nseed: 1234567890123456789012\n", `s.yaml:3: seed: must be a whole number >= 0 (got "1234567890123456789012")`},
		{"unknown key through an alias", "a: &x {foo: 1}\nversion: 1\nname: x\nreporting: *x\n", `s.yaml:1: reporting.foo: unknown key "foo"`},
		{"unknown key through a merge", "a: &x {foo: 1}\nversion: 1\nname: x\nreporting:\n  <<: *x\n", `s.yaml:1: reporting.foo: unknown key "foo"`},
		{"syntax error", "version: 1\nname: [x\ncity: {\n", "s.yaml:2: did not find expected ',' or ']'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("s.yaml", []byte(tc.doc), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant a problem %q", err, tc.want)
			}
		})
	}
}

// TestAliasBomb: nested aliases (a "billion laughs" document) are refused
// or checked in bounded work, never expanded without end.
func TestAliasBomb(t *testing.T) {
	doc := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'j'; i++ {
		prev := string(i - 1)
		doc += string(i) + ": &" + string(i) + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
	}
	doc += "version: 1\nname: x\nunits: *j\n"
	if _, err := Load("s.yaml", []byte(doc), nil); err == nil {
		t.Fatal("loaded an alias bomb")
	}
}
