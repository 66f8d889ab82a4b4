package serve

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEditsKeepComments: the downloaded scenario keeps the comments of
// the lines it edits (at the end of the line, and above it), whether the
// value sits in a block mapping or in a one-line flow mapping, and writes
// a whole float as YAML reads it back ("12", not "!!float 12"). Before,
// an edited value was replaced with a bare node and its comment dropped.
func TestEditsKeepComments(t *testing.T) {
	doc := []byte(`# the city
name: c
duration: 30d        # a month
replications: 8      # about 4 s
incidents:
  # background rate
  per_day: 60        # calls a day
deterrence: {enabled: true, half_presence: 2}   # on
units:
  # the cars
  - {name: car, count: 8, squad: 2}   # eight cars
  - name: van
    count: 2         # two vans
    shift:
      hours: 8       # day shift
variants:
  - {name: a, policy: random}   # the reference
`)
	out, err := applyEdits(doc, Edits{Duration: ptr("14d"), Replications: ptr(4), PerDay: ptr(90.0), Deterrence: ptr(false), HalfPresence: ptr(3.0),
		Units:   map[string]UnitEdit{"car": {Count: ptr(5)}, "van": {Count: ptr(1), ShiftHours: ptr(12.0)}},
		Variant: map[string]VariantEdit{"a": {Dispatch: ptr("hierarchical")}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range regexp.MustCompile(`#[^\n]*`).FindAllString(string(doc), -1) {
		if !strings.Contains(string(out), strings.TrimSpace(c)) {
			t.Errorf("the comment %q is gone:\n%s", c, out)
		}
	}
	for _, want := range []string{"duration: 14d # a month", "replications: 4 # about 4 s", "per_day: 90 # calls a day",
		"- {name: car, count: 5, squad: 2} # eight cars", "count: 1 # two vans", "hours: 12 # day shift"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "!!") {
		t.Errorf("explicit tags in\n%s", out)
	}
}

// withSolo adds a variant with its own force to the grid scenario:
// solo-cars has 4 cars of 1.
func withSolo(o *Options) {
	o.Doc = bytes.Replace(o.Doc, []byte("  - {name: beats, policy: static-beats}"),
		[]byte("  - {name: beats, policy: static-beats}\n  - {name: solo-cars, policy: random, units: {car: {count: 4, squad: 1}}, deterrence: {enabled: false}}"), 1)
}

// TestFormShowsOverrides: the form carries each variant's own force (and
// its own deterrence keys), so the page can show them.
func TestFormShowsOverrides(t *testing.T) {
	_, ts := testServer(t, newFake(), withSolo)
	_, b := do(t, "GET", ts.URL+"/api/scenario", "")
	var f Form
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Variants) != 3 || f.Variants[2].Name != "solo-cars" {
		t.Fatalf("variants %+v", f.Variants)
	}
	o, ok := f.Variants[2].Units["car"]
	if !ok || o.Count == nil || *o.Count != 4 || o.Squad == nil || *o.Squad != 1 || o.ShiftStart != nil {
		t.Errorf("solo-cars' own force: %s", b)
	}
	if got := f.Variants[2].Blocks["deterrence"]; got != "{enabled: false}" {
		t.Errorf("solo-cars' own deterrence %q, want {enabled: false}", got)
	}
	if f.Variants[0].Units != nil || f.Variants[1].Units != nil {
		t.Errorf("variants without overrides show some: %s", b)
	}
}

// TestRunChanges: the run list says the edits in words, against the
// scenario edited, only those that change something, and where one does
// not apply (a variant with its own count); before, it showed the raw
// edits ("units:car:count:5,squad:2,…").
func TestRunChanges(t *testing.T) {
	f := newFake()
	close(f.release)
	_, ts := testServer(t, f, withSolo)
	// The page sends every unit field; squad 2 and shift 00:00 are as they were.
	code, r, b := startRun(t, ts, `{"units":{"car":{"count":5,"squad":2,"shift_start":"00:00","shift_hours":24}},"per_day":60,"replications":3,"duration":"14d",
		"variants":["random","solo-cars"],"variant":{"random":{"dispatch":"hierarchical","params":{"dwell":"30m"}}}}`)
	if code != 202 {
		t.Fatalf("%d %s", code, b)
	}
	var texts []string
	for _, c := range r.Changes {
		s := c.Field + ": " + c.Text
		if c.Note != "" {
			s += " (" + c.Note + ")"
		}
		texts = append(texts, s)
	}
	want := []string{
		"units[0].count: car: count 8 → 5 (not in solo-cars, which has its own count 4)",
		"replications: replications 5 → 3",
		"variants: variants: only random, solo-cars (left out: beats)",
		"variants[0].dispatch: random: dispatch point-to-point → hierarchical",
		"variants[0].params.dwell: random: dwell default → 30m",
	}
	if !slices.Equal(texts, want) {
		t.Errorf("changes\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
	_, b = do(t, "GET", ts.URL+"/api/runs", "")
	if !strings.Contains(string(b), `"text": "car: count 8 → 5"`) {
		t.Errorf("the run list lacks the change in words: %s", b)
	}
}

// TestProblemNamesEditedField: a problem that follows from an edit shows
// at the edited field and names the edit. Four cars of one (8 → 1 cars, 2
// → 1 officers each) cannot bring the 2 officers urgent calls need: the
// loader reports it at incidents.types[0].officers, which the page has no
// field for; taking out either edit removes it, so both are named, at the
// first one's field. A problem of a variant kept is shown at its place in
// the form, whatever variants were left out.
func TestProblemNamesEditedField(t *testing.T) {
	_, ts := testServer(t, newFake(), nil)
	_, b := postJSON(t, ts.URL+"/api/validate", `{"units":{"car":{"count":1,"squad":1}}}`)
	var r struct {
		OK       bool      `json:"ok"`
		Problems []Problem `json:"problems"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.OK || len(r.Problems) == 0 {
		t.Fatalf("no problem: %s", b)
	}
	for _, p := range r.Problems {
		if !strings.HasPrefix(p.Path, "incidents.types[") || p.Field != "units[0].count" || p.Edit != "car: count 8 → 1 and car: squad 2 → 1" {
			t.Errorf("problem %+v: want it at units[0].count, after car: count 8 → 1 and car: squad 2 → 1", p)
		}
	}

	// A problem at the edited field itself names the edit directly.
	_, b = postJSON(t, ts.URL+"/api/validate", `{"units":{"car":{"squad":0}}}`)
	r.Problems = nil
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) == 0 {
		t.Errorf("squad 0: no problem")
	}
	for _, p := range r.Problems { // the squad itself, and the officers it leaves the incident types
		if p.Field != "units[0].squad" || p.Edit != "car: squad 2 → 0" {
			t.Errorf("squad 0: problem %+v, want it at units[0].squad after car: squad 2 → 0", p)
		}
	}

	// random left out: beats is variants[0] of the edited document, and
	// variants[1] on the page.
	_, b = postJSON(t, ts.URL+"/api/validate", `{"variants":["beats"],"variant":{"beats":{"params":{"dwell":"2y"}}}}`)
	r.Problems = nil
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 1 || !strings.HasPrefix(r.Problems[0].Path, "variants[0].params.dwell") ||
		r.Problems[0].Field != "variants[1].params.dwell" || r.Problems[0].Edit != "beats: dwell default → 2y" {
		t.Errorf("bad parameter of a variant kept: %s", b)
	}
}
