package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/scenarios"
	play "github.com/patrolsim/patrolsim/scenarios/run"
)

// TestBearerCaseInsensitive: the scheme of Authorization is matched
// without regard to case (RFC 7235 §2.1), the token exactly.
func TestBearerCaseInsensitive(t *testing.T) {
	const tok = "s3cret-token"
	_, ts := testServer(t, newFake(), func(o *Options) { o.Token = tok })
	cases := []struct {
		header string
		code   int
	}{
		{"Bearer " + tok, 200},
		{"bearer " + tok, 200},
		{"BEARER  " + tok, 200},
		{"Bearer " + strings.ToUpper(tok), 401},
		{"Basic " + tok, 401},
		{"Bearer", 401},
		{tok, 401},
	}
	for _, tc := range cases {
		if code, _ := do(t, "GET", ts.URL+"/api/scenario", "", "Authorization", tc.header); code != tc.code {
			t.Errorf("Authorization: %q: %d, want %d", tc.header, code, tc.code)
		}
	}
}

// TestEditsOneObject: the edits are one JSON object; anything after it but
// white space is refused.
func TestEditsOneObject(t *testing.T) {
	_, ts := testServer(t, newFake(), nil)
	cases := []struct {
		body string
		code int
	}{
		{`{"replications": 2}`, 200},
		{"{\"replications\": 2}\n  \n", 200},
		{``, 200},
		{`{"replications": 2} {"replications": 900000}`, 400},
		{`{"replications": 2}garbage`, 400},
		{`{"replications": 2}]`, 400},
		{`{"replications": 2},`, 400},
	}
	for _, tc := range cases {
		for _, path := range []string{"/api/validate", "/api/runs"} {
			code, b := postJSON(t, ts.URL+path, tc.body)
			if path == "/api/runs" && tc.code == 200 {
				continue // a run; validate says enough
			}
			if code != tc.code {
				t.Errorf("POST %s %q: %d %s, want %d", path, tc.body, code, b, tc.code)
			}
		}
	}
}

// TestNoServerPathsInProblems: a scenario served from a folder is named by
// its file name in problems and in the form, never by the server's
// absolute path; nor are its data files.
func TestNoServerPathsInProblems(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "city.yaml")
	data, _, err := scenarios.BuiltinFile("grid")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, data, 0o644)
	s, err := New(Options{Name: path, Doc: data, DataDir: dir, Run: newFake().run,
		Load: func(doc []byte) (*scenarios.Scenario, error) { return scenarios.LoadAt(path, doc) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		s.problemsOf(fmt.Errorf("%s:3: replications: must be between 1 and 100000 (got 0)", path), s.start)[0].Text,
		s.problemsOf(fmt.Errorf(`city.areas: cannot read "%s": no such file`, filepath.Join(dir, "sub", "areas.geojson")), s.start)[0].Text,
		s.problemsOf(fmt.Errorf(`travel.roads: cannot read "/srv/data/roads.geojson": permission denied`), s.start)[0].Text,
		s.start.name,
	} {
		if strings.Contains(text, dir) || strings.Contains(text, "/srv") {
			t.Errorf("%q shows a server path", text)
		}
		t.Log(text)
	}
	if got := s.problemsOf(fmt.Errorf("%s:3: x", path), s.start)[0].Text; got != "city.yaml:3: x" {
		t.Errorf("got %q, want city.yaml:3: x", got)
	}
	// Through the API: a bad edit of the served scenario.
	ts := httptestServer(t, s)
	code, b := postJSON(t, ts+"/api/validate", `{"replications": 0}`)
	if code != 200 || strings.Contains(string(b), dir) || !strings.Contains(string(b), "city.yaml:") {
		t.Errorf("validate: %d %s", code, b)
	}
}

// loadGrid loads the built-in grid with its document changed by the
// replacements old → new.
func loadGrid(t testing.TB, repl ...string) *scenarios.Scenario {
	t.Helper()
	data, fsys, err := scenarios.BuiltinFile("grid")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.NewReplacer(repl...).Replace(string(data))
	s, err := scenarios.Load("builtin:grid/scenario.yaml", []byte(doc), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRunCostRefused: a run whose expected incidents would need more
// memory or time than a run may take is refused before it starts, with
// the numbers; the example (300,000 a day for 30 days) is one.
func TestRunCostRefused(t *testing.T) {
	_, ts := testServer(t, newFake(), func(o *Options) { o.Workers = 2 })
	code, b := postJSON(t, ts.URL+"/api/validate", `{"per_day": 300000, "duration": "30d"}`)
	var v struct {
		OK       bool      `json:"ok"`
		Problems []Problem `json:"problems"`
	}
	json.Unmarshal(b, &v)
	if code != 200 || v.OK || len(v.Problems) != 1 || v.Problems[0].Path != "incidents.per_day" {
		t.Fatalf("%d %s", code, b)
	}
	msg := v.Problems[0].Message
	for _, want := range []string{"90000000 expected incidents (300000 a day × 30 days", "× 5 replications × 2 variants", "MiB of memory, more than the 512 MiB a run may take"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if code, b := postJSON(t, ts.URL+"/api/runs", `{"per_day": 300000, "duration": "30d"}`); code != 400 || !strings.Contains(string(b), "MiB of memory") {
		t.Errorf("run: %d %s", code, b)
	}
	// Time: many incidents on a machine with one worker.
	_, ts1 := testServer(t, newFake(), func(o *Options) { o.Workers = 1; o.MaxRunBytes = 1 << 40 })
	_, b = postJSON(t, ts1.URL+"/api/validate", `{"per_day": 100000, "duration": "30d"}`)
	if !strings.Contains(string(b), "minutes, more than the 20 a run may take") {
		t.Errorf("time: %s", b)
	}
	// The built-in cities' own runs are far inside.
	for _, name := range []string{"grid", "jinzhou"} {
		s, err := scenarios.LoadBuiltin(name)
		if err != nil {
			t.Fatal(err)
		}
		c := costOf(s, 2)
		if c.Bytes > DefaultMaxRunBytes/2 || c.Seconds > DefaultMaxRunSeconds/4 {
			t.Errorf("%s: %+v", name, c)
		}
	}
}

// TestAdmittedRunsStayUnderTheCeiling runs, with a run limit of 64 MiB
// and two runs at once, the largest run the server admits twice at the
// same time on the real simulation: the Go heap must stay under the stated
// ceiling, the heap before them plus 2 × 64 MiB. The run is the grid,
// 7 days, 2 replications, overloaded (far more incidents a day than its
// cars answer: queues grow, the worst case of memory an incident). Then a
// third is cancelled midway: the server gives the memory back (the heap
// the process holds from the system returns to about where it was).
func TestAdmittedRunsStayUnderTheCeiling(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("runs the simulation and measures the heap: not with -short, nor under the race detector (which multiplies memory)")
	}
	const limit = 64 << 20
	repl := []string{"duration: 14d", "duration: 7d", "replications: 5", "replications: 2"}
	// The largest per_day admitted: the estimate is linear in it.
	c1 := costOf(loadGrid(t, append(repl, "per_day: 60", "per_day: 1000")...), 2)
	c2 := costOf(loadGrid(t, append(repl, "per_day: 60", "per_day: 2000")...), 2)
	perDay := 1000 + 1000*(limit-c1.Bytes)/(c2.Bytes-c1.Bytes)
	perDay = float64(int(perDay)) // whole: the edit's value as written
	if c := costOf(loadGrid(t, append(repl, "per_day: 60", fmt.Sprintf("per_day: %g", perDay))...), 2); c.Bytes > limit {
		t.Fatalf("per_day %g: %+v", perDay, c)
	}
	runner := func(ctx context.Context, s *scenarios.Scenario, progress func(done, total int)) (*Output, error) {
		res, err := play.Execute(ctx, s, play.Options{Workers: 2, Progress: progress})
		if err != nil {
			return nil, err
		}
		return &Output{Summary: res.Summary, Details: res.Details}, nil
	}
	data, fsys, _ := scenarios.BuiltinFile("grid")
	doc := strings.NewReplacer(repl...).Replace(string(data))
	srv, err := New(Options{Name: "grid.yaml", Doc: []byte(doc), Run: runner, Workers: 2, MaxRuns: 2, MaxRunBytes: limit,
		Load: func(doc []byte) (*scenarios.Scenario, error) {
			return scenarios.Load("builtin:grid/scenario.yaml", doc, fsys)
		}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptestServer(t, srv)
	edits := fmt.Sprintf(`{"per_day": %g}`, perDay)
	if code, b := postJSON(t, ts+"/api/validate", fmt.Sprintf(`{"per_day": %g}`, perDay*1.02)); code != 200 || !strings.Contains(string(b), "MiB of memory") {
		t.Fatalf("2%% more is not refused: %s", b)
	}
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, baseHeld := ms.HeapAlloc, ms.HeapSys-ms.HeapReleased
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var ids []string
	for range 2 {
		code, b := postJSON(t, ts+"/api/runs", edits)
		var v runView
		json.Unmarshal(b, &v)
		if code != 202 {
			t.Fatalf("the largest admitted run: %d %s", code, b)
		}
		ids = append(ids, v.ID)
	}
	for _, id := range ids {
		if v := waitRun(t, ts, id, 2*time.Minute); v.Status != "done" {
			t.Fatalf("run %s: %+v", id, v)
		}
	}
	close(stop)
	<-sampled
	grew := peak.Load() - base
	t.Logf("per_day %g (limit %d MiB a run): two runs in %v, heap grew by %.1f MiB at most (ceiling %d MiB)",
		perDay, limit>>20, time.Since(start).Round(time.Millisecond), float64(grew)/(1<<20), 2*limit>>20)
	if grew > 2*limit {
		t.Errorf("the heap grew by %d MiB, more than the ceiling of 2 × %d MiB", grew>>20, limit>>20)
	}

	// Cancel a run midway: its memory goes back.
	code, b := postJSON(t, ts+"/api/runs", edits)
	var v runView
	json.Unmarshal(b, &v)
	if code != 202 {
		t.Fatalf("third run: %d %s", code, b)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		_, b := do(t, "GET", ts+"/api/runs/"+v.ID, "")
		var rv runView
		json.Unmarshal(b, &rv)
		if rv.Done >= 1 || time.Now().After(deadline) {
			break
		}
	}
	do(t, "DELETE", ts+"/api/runs/"+v.ID, "")
	// The slot is free once the run has stopped and given its memory back.
	for deadline := time.Now().Add(time.Minute); len(srv.slots) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the cancelled run did not stop")
		}
	}
	runtime.ReadMemStats(&ms)
	held := ms.HeapSys - ms.HeapReleased
	t.Logf("heap held from the system: %.1f MiB before the runs, %.1f MiB after the cancel", float64(baseHeld)/(1<<20), float64(held)/(1<<20))
	if held > baseHeld+16<<20 {
		t.Errorf("after the cancel the heap holds %d MiB of the system's memory, %d MiB before the runs", held>>20, baseHeld>>20)
	}
}

// waitRun polls a run until it is not running.
func waitRun(t *testing.T, base, id string, within time.Duration) runView {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_, b := do(t, "GET", base+"/api/runs/"+id, "")
		var v runView
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if v.Status != "running" {
			return v
		}
	}
	t.Fatalf("run %s still running after %v", id, within)
	return runView{}
}

// httptestServer serves s for the test and returns its URL.
func httptestServer(t *testing.T, s *Server) string {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return ts.URL
}
