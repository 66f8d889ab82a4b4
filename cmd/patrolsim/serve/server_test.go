package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/sim/geo"
	"github.com/patrolsim/patrolsim/sim/policy"
)

// fakeRunner runs until released (or cancelled), reporting progress.
type fakeRunner struct {
	mu      sync.Mutex
	release chan struct{}
	panics  bool
	started chan struct{}
	output  func(s *scenarios.Scenario) *Output // nil: a fixed output
}

func newFake() *fakeRunner {
	return &fakeRunner{release: make(chan struct{}), started: make(chan struct{}, 10)}
}

func (f *fakeRunner) run(ctx context.Context, s *scenarios.Scenario, progress func(done, total int)) (*Output, error) {
	f.mu.Lock()
	panics := f.panics
	f.mu.Unlock()
	f.started <- struct{}{}
	if panics {
		var m map[string]int
		m["boom"]++ // a nil map write: a real panic
	}
	total := len(s.Variants) * s.File.Replications
	progress(1, total)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-f.release:
	}
	progress(total, total)
	if f.output != nil {
		return f.output(s), nil
	}
	return fixedOutput(), nil
}

// fixedOutput is the fake runner's output unless told otherwise: one
// variant of two replications of one metric, a chart and a resolved
// scenario.
func fixedOutput() *Output {
	return &Output{Summary: fakeSummary(1, []string{"m"}, []string{"m"}, fakeVariant{"beats", [][]float64{{1.5}, {2.5}}}),
		Charts: map[string][]byte{"ranking.svg": []byte("<svg/>")}, Resolved: []byte("# resolved\n")}
}

func testServer(t *testing.T, f *fakeRunner, opt func(*Options)) (*Server, *httptest.Server) {
	t.Helper()
	return testServerWith(t, f, opt, nil)
}

// testServerWith is testServer with hook called on the server before it
// serves (to lower limits or replace parts).
func testServerWith(t *testing.T, f *fakeRunner, opt func(*Options), hook func(*Server)) (*Server, *httptest.Server) {
	t.Helper()
	data, fsys, err := scenarios.BuiltinFile("grid")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Name: "builtin:grid/scenario.yaml", Doc: data, Run: f.run,
		Load: func(doc []byte) (*scenarios.Scenario, error) {
			return scenarios.Load("builtin:grid/scenario.yaml", doc, fsys)
		}}
	if opt != nil {
		opt(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if hook != nil {
		hook(s)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s, ts
}

func do(t *testing.T, method, url, body string, hdr ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// postJSON posts body as JSON, as the page does.
func postJSON(t *testing.T, url, body string, hdr ...string) (int, []byte) {
	t.Helper()
	return do(t, "POST", url, body, append([]string{"Content-Type", "application/json"}, hdr...)...)
}

func startRun(t *testing.T, ts *httptest.Server, body string) (int, runView, []byte) {
	t.Helper()
	code, b := postJSON(t, ts.URL+"/api/runs", body)
	var v runView
	_ = json.Unmarshal(b, &v)
	return code, v, b
}

// waitStatus polls a run until its status is not running.
func waitStatus(t *testing.T, ts *httptest.Server, id string) runView {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, b := do(t, "GET", ts.URL+"/api/runs/"+id, "")
		var v runView
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if v.Status != "running" {
			return v
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("run %s still running", id)
	return runView{}
}

func TestScenarioAndPage(t *testing.T) {
	_, ts := testServer(t, newFake(), nil)
	code, b := do(t, "GET", ts.URL+"/api/scenario", "")
	if code != 200 {
		t.Fatalf("GET /api/scenario: %d %s", code, b)
	}
	var f Form
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.Name != "grid" || len(f.Units) != 1 || f.Units[0].Name != "car" || f.Units[0].Count != 8 || f.Units[0].Squad != 2 ||
		len(f.Variants) != 2 || f.Variants[1].Policy != "static-beats" || f.Variants[0].Dispatch == "" ||
		f.PerDay != 60 || f.Replications != 5 || f.Duration != "14d" || !f.Deterrence || f.Areas != 100 || f.MaxWork != DefaultMaxWork ||
		f.HalfPresence != 4 || f.RadiusM != 200 || // the defaults of docs/scenario-format.md
		len(f.Policies) != len(policy.Names()) {
		t.Errorf("form: %+v", f)
	}
	for _, p := range []string{"/", "/app.js", "/style.css"} {
		code, b := do(t, "GET", ts.URL+p, "")
		if code != 200 || len(b) == 0 {
			t.Errorf("GET %s: %d", p, code)
		}
	}
	_, b = do(t, "GET", ts.URL+"/", "")
	for _, want := range []string{`id="knobs"`, `id="map"`, `<label for="replications">`, `type="module"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") {
		t.Error("the page refers to the network")
	}
}

func TestValidate(t *testing.T) {
	_, ts := testServer(t, newFake(), nil)
	code, b := postJSON(t, ts.URL+"/api/validate", `{"units":{"car":{"count":12,"squad":3}},"per_day":80,"deterrence":false,"half_presence":2.5,"radius_m":150,"variants":["beats"]}`)
	var r struct {
		OK       bool      `json:"ok"`
		Problems []Problem `json:"problems"`
		Scenario Form      `json:"scenario"`
	}
	if err := json.Unmarshal(b, &r); err != nil || code != 200 {
		t.Fatalf("%d %s %v", code, b, err)
	}
	if !r.OK || r.Scenario.Units[0].Count != 12 || r.Scenario.Units[0].Squad != 3 || r.Scenario.PerDay != 80 || r.Scenario.Deterrence ||
		r.Scenario.HalfPresence != 2.5 || r.Scenario.RadiusM != 150 ||
		len(r.Scenario.Variants) != 1 || r.Scenario.Variants[0].Name != "beats" {
		t.Errorf("edits not applied: %s", b)
	}

	// Problems carry the loader's messages and paths.
	_, b = postJSON(t, ts.URL+"/api/validate", `{"units":{"car":{"squad":0}},"duration":"-3d"}`)
	r.OK, r.Problems = true, nil
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	data, fsys, _ := scenarios.BuiltinFile("grid")
	doc, err := applyEdits(data, Edits{Units: map[string]UnitEdit{"car": {Squad: ptr(0)}}, Duration: ptr("-3d")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, lerr := scenarios.Load("builtin:grid/scenario.yaml", doc, fsys)
	var se *scenarios.Error
	if !errors.As(lerr, &se) {
		t.Fatalf("loader: %v", lerr)
	}
	if r.OK || len(r.Problems) != len(se.Problems) {
		t.Fatalf("problems %s, loader %v", b, lerr)
	}
	for i, p := range se.Problems {
		if r.Problems[i].Text != p.String() || r.Problems[i].Path != p.Path || r.Problems[i].Path == "" {
			t.Errorf("problem %d: %+v, loader %q", i, r.Problems[i], p.String())
		}
	}

	// A variant's dispatch mode and parameters change; a bad parameter value
	// comes back as a problem at its path.
	_, b = postJSON(t, ts.URL+"/api/validate", `{"variant":{"random":{"dispatch":"hierarchical","params":{"dwell":"30m"}},"beats":{"policy":"follow-incidents","params":{"half_life":"1d"}}}}`)
	r.OK, r.Problems, r.Scenario = false, nil, Form{}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if !r.OK || len(r.Scenario.Variants) != 2 || r.Scenario.Variants[0].Dispatch != "hierarchical" ||
		r.Scenario.Variants[0].Params["dwell"] != "30m" || r.Scenario.Variants[1].Dispatch != "point-to-point" ||
		r.Scenario.Variants[1].Policy != "follow-incidents" || r.Scenario.Variants[1].Params["half_life"] != "1d" {
		t.Errorf("variant edit not applied: %s", b)
	}
	_, b = postJSON(t, ts.URL+"/api/validate", `{"variant":{"beats":{"params":{"dwell":"2y"}}}}`)
	r.OK, r.Problems = true, nil
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.OK || len(r.Problems) != 1 || !strings.HasPrefix(r.Problems[0].Path, "variants[1].params.dwell") {
		t.Errorf("bad parameter: %s", b)
	}

	// Unknown names and fields are refused.
	for _, body := range []string{`{"units":{"tank":{"count":1}}}`, `{"variants":["nope"]}`, `{"variant":{"nope":{"dispatch":"hierarchical"}}}`} {
		_, b = postJSON(t, ts.URL+"/api/validate", body)
		if !strings.Contains(string(b), `"ok": false`) || !strings.Contains(string(b), "no ") {
			t.Errorf("%s: %s", body, b)
		}
	}
	if code, b := postJSON(t, ts.URL+"/api/validate", `{"city":{"areas":"/etc/passwd"}}`); code != 400 {
		t.Errorf("unknown field: %d %s", code, b)
	}
}

func ptr[T any](x T) *T { return &x }

func TestLimits(t *testing.T) {
	f := newFake()
	_, ts := testServer(t, f, nil)
	big := `{"per_day": 1` + strings.Repeat(" ", MaxBodyBytes) + `}`
	for _, p := range []string{"/api/validate", "/api/runs"} {
		if code, b := postJSON(t, ts.URL+p, big); code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s big body: %d %s", p, code, b)
		}
	}
	code, _, b := startRun(t, ts, `{"replications":5000}`)
	if code != 400 || !strings.Contains(string(b), "too big") || !strings.Contains(string(b), "limit of 500000") {
		t.Errorf("run too big: %d %s", code, b)
	}
	if code, _, b := startRun(t, ts, `{"units":{"car":{"squad":0}}}`); code != 400 || !strings.Contains(string(b), "units[0].squad") {
		t.Errorf("invalid run: %d %s", code, b)
	}

	// Two runs at once; the third is refused; cancelling one frees its slot.
	code1, r1, _ := startRun(t, ts, `{}`)
	code2, r2, _ := startRun(t, ts, `{"replications":2}`)
	if code1 != 202 || code2 != 202 {
		t.Fatalf("start: %d %d", code1, code2)
	}
	<-f.started
	<-f.started
	code, _, b = startRun(t, ts, `{}`)
	if code != http.StatusTooManyRequests || !strings.Contains(string(b), "2 runs are in progress") {
		t.Errorf("third run: %d %s", code, b)
	}
	if code, b := do(t, "DELETE", ts.URL+"/api/runs/"+r1.ID, ""); code != 200 || !strings.Contains(string(b), "cancelled") {
		t.Errorf("cancel: %d %s", code, b)
	}
	if v := waitStatus(t, ts, r1.ID); v.Status != "cancelled" {
		t.Errorf("cancelled run: %+v", v)
	}
	var r3 runView
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, r3, b = startRun(t, ts, `{}`)
		if code == 202 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond) // the slot frees when the runner returns
	}
	if code != 202 {
		t.Fatalf("after cancel: %d %s", code, b)
	}
	close(f.release)
	for _, id := range []string{r2.ID, r3.ID} {
		if v := waitStatus(t, ts, id); v.Status != "done" || v.Done != v.Total {
			t.Errorf("run %s: %+v", id, v)
		}
	}
	_, b = do(t, "GET", ts.URL+"/api/runs", "")
	var list []runView
	if err := json.Unmarshal(b, &list); err != nil || len(list) != 3 || list[0].ID != r3.ID {
		t.Errorf("list: %s", b)
	}
}

func TestDownloadsAndEvents(t *testing.T) {
	f := newFake()
	_, ts := testServer(t, f, nil)
	code, r, b := startRun(t, ts, `{"units":{"car":{"count":11}},"replications":3}`)
	if code != 202 || r.Total != 6 {
		t.Fatalf("%d %s", code, b)
	}
	resp, err := http.Get(ts.URL + "/api/runs/" + r.ID + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	<-f.started
	for _, file := range []string{"results.json", "replications.csv", "resolved.yaml"} {
		if code, _ := do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/"+file, ""); code != 404 {
			t.Errorf("%s before the end: %d", file, code)
		}
	}
	close(f.release)
	var events []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if e, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			events = append(events, e)
		}
	}
	if len(events) < 2 || events[0] != "progress" || events[len(events)-1] != "end" {
		t.Errorf("events: %v", events)
	}
	code, b = do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/scenario.yaml", "")
	if code != 200 || !strings.Contains(string(b), "count: 11") || !strings.Contains(string(b), "replications: 3") {
		t.Errorf("scenario.yaml: %d\n%s", code, b)
	}
	data, fsys, _ := scenarios.BuiltinFile("grid")
	_ = data
	if s, err := scenarios.Load("x.yaml", b, fsys); err != nil || s.File.Units[0].Count != 11 {
		t.Errorf("downloaded scenario does not load: %v", err)
	}
	// The downloads are the summary's encodings, as patrolsim run writes
	// them.
	var want bytes.Buffer
	if err := fixedOutput().Summary.WriteJSON(&want); err != nil {
		t.Fatal(err)
	}
	if code, b := do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/results.json", ""); code != 200 || string(b) != want.String() {
		t.Errorf("results.json: %d %s", code, b)
	}
	if code, b := do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/replications.csv", ""); code != 200 || string(b) != "variant,replication,m\nbeats,0,1.5\nbeats,1,2.5\n" {
		t.Errorf("replications.csv: %d %s", code, b)
	}
	if code, b := do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/resolved.yaml", ""); code != 200 || string(b) != "# resolved\n" {
		t.Errorf("resolved.yaml: %d %s", code, b)
	}
	if code, b := do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/charts/ranking.svg", ""); code != 200 || string(b) != "<svg/>" {
		t.Errorf("chart: %d %s", code, b)
	}
	_, b = do(t, "GET", ts.URL+"/api/runs/"+r.ID, "")
	if !strings.Contains(string(b), `"results": {`) || !strings.Contains(string(b), `"variants": [`) || !strings.Contains(string(b), `"ranking.svg"`) {
		t.Errorf("run: %s", b)
	}
}

func TestPathTraversal(t *testing.T) {
	f := newFake()
	close(f.release)
	_, ts := testServer(t, f, nil)
	_, r, _ := startRun(t, ts, `{}`)
	waitStatus(t, ts, r.ID)
	for _, p := range []string{
		"/api/runs/..%2F..%2Fetc%2Fpasswd",
		"/api/runs/..%2F..%2Fetc%2Fpasswd/scenario.yaml",
		"/api/runs/%2Fetc%2Fpasswd/results.json",
		"/api/runs/" + r.ID + "/charts/..%2F..%2F..%2Fetc%2Fpasswd",
		"/api/runs/" + r.ID + "/charts/%2Fetc%2Fpasswd",
		"/api/runs/" + r.ID + "/charts/ranking.png",
		"/..%2F..%2Fetc%2Fpasswd",
		"/static/..%2F..%2Fserver.go",
		"/server.go",
	} {
		code, b := do(t, "GET", ts.URL+p, "")
		if code != 404 && code != 400 {
			t.Errorf("GET %s: %d %.80s", p, code, b)
		}
		if strings.Contains(string(b), "root:") || strings.Contains(string(b), "package serve") {
			t.Errorf("GET %s leaked a file", p)
		}
	}
	// Unencoded dots are cleaned by the client or redirected by the mux; none
	// reaches a file.
	req, _ := http.NewRequest("GET", ts.URL+"/api/runs/x/../../../etc/passwd", nil)
	req.URL.Opaque = "/api/runs/x/../../../etc/passwd"
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == 200 || strings.Contains(string(b), "root:") {
		t.Errorf("raw ../ path: %d %s", resp.StatusCode, b)
	}
}

func TestToken(t *testing.T) {
	const tok = "s3cret-token"
	f := newFake()
	f.output = compareOutputs
	close(f.release)
	_, ts := testServer(t, f, func(o *Options) { o.Token = tok })
	// Two finished runs to compare and an upload, made with the token.
	for _, n := range []string{"8", "4"} {
		if code, b := postJSON(t, ts.URL+"/api/runs", `{"units":{"car":{"count":`+n+`}},"replications":3}`, "Authorization", "Bearer "+tok); code != 202 {
			t.Fatalf("run with the token: %d %s", code, b)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, b := do(t, "GET", ts.URL+"/api/runs/r2", "", "Authorization", "Bearer "+tok)
		if strings.Contains(string(b), `"status": "done"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run r2: %s", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	doc, files := jinzhou(t)
	if code, b := upload(t, ts, "city.yaml", doc, files); code != 401 || !strings.Contains(string(b), "token") {
		t.Errorf("upload without token: %d %.100s", code, b)
	}
	if code, b := upload(t, ts, "city.yaml", doc, files, "Authorization", "Bearer wrong"); code != 401 {
		t.Errorf("upload with a wrong token: %d %.100s", code, b)
	}
	if code, b := upload(t, ts, "city.yaml", doc, files, "Authorization", "Bearer "+tok); code != 201 {
		t.Errorf("upload with the token: %d %.100s", code, b)
	}
	for _, p := range []string{"/", "/api/scenario", "/api/runs", "/api/scenarios", "/api/map.svg", "/api/map.svg?scenario=u1", "/api/compare?a=r1&b=r2"} {
		if code, b := do(t, "GET", ts.URL+p, ""); code != 401 || !strings.Contains(string(b), "token") {
			t.Errorf("GET %s without token: %d", p, code)
		}
		if code, _ := do(t, "GET", ts.URL+p, "", "Authorization", "Bearer wrong"); code != 401 {
			t.Errorf("GET %s wrong token: %d", p, code)
		}
		if code, _ := do(t, "GET", ts.URL+p, "", "Authorization", "Bearer "+tok); code != 200 {
			t.Errorf("GET %s with header: %d", p, code)
		}
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		if code, _ := do(t, "GET", ts.URL+p+sep+"token="+tok, ""); code != 200 {
			t.Errorf("GET %s with ?token: %d", p, code)
		}
	}
	// ?token= sets a cookie that the page's own requests (scripts, event
	// streams) carry.
	resp, err := http.Get(ts.URL + "/?token=" + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == tokenCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie: %+v", cookie)
	}
	if code, _ := do(t, "GET", ts.URL+"/app.js", "", "Cookie", tokenCookie+"="+tok); code != 200 {
		t.Errorf("with cookie: %d", code)
	}
	if code, _ := do(t, "GET", ts.URL+"/app.js", "", "Cookie", tokenCookie+"=nope"); code != 401 {
		t.Errorf("with a wrong cookie: %d", code)
	}
	for _, p := range []string{"/api/runs", "/api/validate"} {
		if code, _ := postJSON(t, ts.URL+p, "{}"); code != 401 {
			t.Errorf("POST %s without token: %d", p, code)
		}
	}
	if code, _ := do(t, "DELETE", ts.URL+"/api/runs/r1", ""); code != 401 {
		t.Errorf("DELETE without token: %d", code)
	}
	if a, b := NewToken(), NewToken(); len(a) != 32 || a == b {
		t.Errorf("tokens %q %q", a, b)
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true, "0.0.0.0:8080": false, ":8080": false, "192.168.1.2:80": false} {
		if IsLoopback(addr) != want {
			t.Errorf("IsLoopback(%q) = %v", addr, !want)
		}
	}
}

func TestPanicRecovered(t *testing.T) {
	f := newFake()
	f.panics = true
	_, ts := testServer(t, f, nil)
	_, r, _ := startRun(t, ts, `{}`)
	v := waitStatus(t, ts, r.ID)
	if v.Status != "failed" || !strings.Contains(v.Error, "panic") {
		t.Errorf("panicking run: %+v", v)
	}
	// The server keeps serving and the slot is free.
	f.mu.Lock()
	f.panics = false
	f.mu.Unlock()
	close(f.release)
	for range 3 {
		code, r, b := startRun(t, ts, `{}`)
		if code != 202 {
			t.Fatalf("after a panic: %d %s", code, b)
		}
		if v := waitStatus(t, ts, r.ID); v.Status != "done" {
			t.Errorf("after a panic: %+v", v)
		}
	}
}

func TestServeShutdown(t *testing.T) {
	f := newFake()
	data, fsys, _ := scenarios.BuiltinFile("grid")
	s, err := New(Options{Doc: data, Run: f.run, Load: func(doc []byte) (*scenarios.Scenario, error) { return scenarios.Load("g", doc, fsys) }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	code, b := postJSON(t, url+"/api/runs", "{}")
	if code != 202 {
		t.Fatalf("%d %s", code, b)
	}
	<-f.started
	resp, err := http.Get(url + "/api/runs/r1/events") // an open stream must not hold up shutdown
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	s.mu.Lock()
	st := s.runs["r1"].Status
	s.mu.Unlock()
	if st == "done" {
		t.Errorf("the run was not cancelled: %s", st)
	}
}

// TestVariantEdits: a parameter set to "" goes back to its default (is
// removed); others are set with the type YAML reads from the value. A
// variant written on one line stays on one line (with any comment it has).
func TestVariantEdits(t *testing.T) {
	doc := []byte("variants:\n  - {name: a, policy: follow-incidents, params: {half_life: 2d, units_per_atom: 2}}\n")
	out, err := applyEdits(doc, Edits{Variant: map[string]VariantEdit{"a": {Dispatch: ptr("hierarchical"),
		Params: map[string]string{"half_life": "", "units_per_atom": "3", "scope": "city"}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "variants:\n  - {name: a, policy: follow-incidents, params: {units_per_atom: 3, scope: city}, dispatch: hierarchical}\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestDataPaths: relative data paths (city.areas, posts, routes and
// travel.roads) become builtin:NAME/FILE for a built-in scenario and
// absolute for a file scenario; absolute and builtin: paths stay; without
// a rewrite nothing changes.
func TestDataPaths(t *testing.T) {
	doc := []byte("city:\n  areas: a.geojson\n  posts: /abs/p.geojson\n  routes: builtin:grid/r.geojson\ntravel:\n  roads: sub/roads.geojson\n")
	for _, c := range []struct {
		name    string
		rewrite func(string) string
		want    string
	}{
		{"builtin", inBuiltin("jinzhou"), "city:\n  areas: builtin:jinzhou/a.geojson\n  posts: /abs/p.geojson\n  routes: builtin:grid/r.geojson\ntravel:\n  roads: builtin:jinzhou/sub/roads.geojson\n"},
		{"dir", inDir("/data/city"), "city:\n  areas: /data/city/a.geojson\n  posts: /abs/p.geojson\n  routes: builtin:grid/r.geojson\ntravel:\n  roads: /data/city/sub/roads.geojson\n"},
		{"none", nil, string(doc)},
	} {
		got, err := applyEdits(doc, Edits{}, c.rewrite)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

// TestCrossSite: another site's page must not change anything: a
// cross-origin POST or DELETE (told by Sec-Fetch-Site or by an Origin that
// is not the Host) is 403, edits sent as anything but JSON (text/plain
// needs no preflight) are 415, and without a token only loopback Host names
// are served (a DNS-rebinding page has its own name as Host): 403. Nothing
// refused starts a run or keeps an upload.
func TestCrossSite(t *testing.T) {
	f := newFake()
	close(f.release)
	_, ts := testServer(t, f, nil)
	doc, files := jinzhou(t)
	for _, c := range []struct {
		name string
		code int
		msg  string
		send func() (int, []byte)
	}{
		{"run as text/plain", 415, "Content-Type: application/json", func() (int, []byte) {
			return do(t, "POST", ts.URL+"/api/runs", `{}`, "Content-Type", "text/plain")
		}},
		{"run without a type", 415, "Content-Type: application/json", func() (int, []byte) { return do(t, "POST", ts.URL+"/api/runs", `{}`) }},
		{"run as a form", 415, "Content-Type: application/json", func() (int, []byte) {
			return do(t, "POST", ts.URL+"/api/runs", `a=1`, "Content-Type", "application/x-www-form-urlencoded")
		}},
		{"validate as text/plain", 415, "Content-Type: application/json", func() (int, []byte) {
			return do(t, "POST", ts.URL+"/api/validate", `{}`, "Content-Type", "text/plain; charset=utf-8")
		}},
		{"run cross-site", 403, "cross-origin", func() (int, []byte) {
			return postJSON(t, ts.URL+"/api/runs", `{}`, "Sec-Fetch-Site", "cross-site")
		}},
		{"run from another port", 403, "cross-origin", func() (int, []byte) {
			return postJSON(t, ts.URL+"/api/runs", `{}`, "Sec-Fetch-Site", "same-site")
		}},
		{"run with a foreign Origin", 403, "cross-origin", func() (int, []byte) {
			return postJSON(t, ts.URL+"/api/runs", `{}`, "Origin", "http://evil.example")
		}},
		{"upload cross-site", 403, "cross-origin", func() (int, []byte) {
			return upload(t, ts, "city.yaml", doc, files, "Sec-Fetch-Site", "cross-site")
		}},
		{"upload with a foreign Origin", 403, "cross-origin", func() (int, []byte) {
			return upload(t, ts, "city.yaml", doc, files, "Origin", "http://evil.example")
		}},
		{"cancel cross-site", 403, "cross-origin", func() (int, []byte) {
			return do(t, "DELETE", ts.URL+"/api/runs/r1", "", "Sec-Fetch-Site", "cross-site")
		}},
	} {
		if code, b := c.send(); code != c.code || !strings.Contains(string(b), c.msg) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, b, c.code, c.msg)
		}
	}
	_, b := do(t, "GET", ts.URL+"/api/runs", "")
	if strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("a refused request started a run: %s", b)
	}
	_, b = do(t, "GET", ts.URL+"/api/scenarios", "")
	if strings.Contains(string(b), `"u1"`) {
		t.Errorf("a refused upload was kept: %s", b)
	}
	// The page's own requests: same origin, or no such header (curl).
	if code, b := postJSON(t, ts.URL+"/api/runs", `{}`, "Sec-Fetch-Site", "same-origin", "Origin", ts.URL); code != 202 {
		t.Errorf("same-origin run: %d %s", code, b)
	}
	if code, b := upload(t, ts, "city.yaml", doc, files, "Sec-Fetch-Site", "same-origin"); code != 201 {
		t.Errorf("same-origin upload: %d %.200s", code, b)
	}
	if code, b := postJSON(t, ts.URL+"/api/validate", `{}`, "Content-Type", "application/json; charset=utf-8"); code != 200 {
		t.Errorf("JSON with a charset: %d %s", code, b)
	}
	// Cross-origin reads are the browser's to refuse (no CORS headers); a
	// GET changes nothing.
	if code, _ := do(t, "GET", ts.URL+"/api/scenario", "", "Sec-Fetch-Site", "cross-site"); code != 200 {
		t.Errorf("cross-site GET: %d", code)
	}

	// Host names, without a token.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	for host, want := range map[string]int{
		"127.0.0.1:" + port: 200, "localhost:" + port: 200, "LocalHost": 200, "[::1]:" + port: 200, "[::1]": 200, "127.0.0.1": 200, "127.0.0.2:80": 200,
		"evil.example:" + port: 403, "evil.example": 403, "localhost.evil.example": 403, "192.168.1.2:" + port: 403, "0.0.0.0:" + port: 403,
	} {
		for _, p := range []string{"/", "/api/scenario", "/api/map.svg"} {
			req, _ := http.NewRequest("GET", ts.URL+p, nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want || (want == 403 && !strings.Contains(string(b), "without a token this server answers only to localhost")) {
				t.Errorf("GET %s with Host %q: %d %.120s, want %d", p, host, resp.StatusCode, b, want)
			}
		}
	}
	for _, h := range []string{"", "[]", "[::1", "localhost:80:80", "127.0.0.1.evil.example"} {
		if loopbackHost(h) {
			t.Errorf("loopbackHost(%q)", h)
		}
	}
	req, _ := http.NewRequest("POST", ts.URL+"/api/runs", strings.NewReader("{}"))
	req.Host, req.Header["Content-Type"] = "evil.example", []string{"application/json"}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("POST with Host evil.example: %v %v", err, resp.Status)
	} else {
		resp.Body.Close()
	}
	// With a token the token decides, whatever the Host.
	_, tts := testServer(t, newFake(), func(o *Options) { o.Token = "tok" })
	req, _ = http.NewRequest("GET", tts.URL+"/api/scenario", nil)
	req.Host, req.Header["Authorization"] = "patrol.example:8080", []string{"Bearer tok"}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("Host patrol.example with the token: %v %v", err, resp.Status)
	} else {
		resp.Body.Close()
	}
}

// TestKeptRunBytes: a finished run does not keep a chart larger than
// maxKeptChart (404 that says so), and the finished runs kept hold at most
// maxKeptRunBytes together, the oldest forgotten first but never the
// newest.
func TestKeptRunBytes(t *testing.T) {
	f := newFake()
	f.output = func(*scenarios.Scenario) *Output {
		return &Output{Summary: fakeSummary(1, nil, []string{"m"}, fakeVariant{"beats", [][]float64{{1}, {2}}}),
			Resolved: []byte("version: 1\n"),
			Charts:   map[string][]byte{"ranking.svg": []byte("<svg/>"), "map-realised.svg": []byte("<svg>" + strings.Repeat("x", 1000) + "</svg>")}}
	}
	close(f.release)
	srv, ts := testServerWith(t, f, nil, func(s *Server) { s.maxKeptChart = 100 })
	runOne := func() string {
		t.Helper()
		code, r, b := startRun(t, ts, `{}`)
		if code != 202 {
			t.Fatalf("%d %s", code, b)
		}
		if v := waitStatus(t, ts, r.ID); v.Status != "done" || strings.Join(v.Charts, ",") != "ranking.svg" || strings.Join(v.NotKept, ",") != "map-realised.svg" {
			t.Errorf("run %s: %+v", r.ID, v)
		}
		return r.ID
	}
	id := runOne()
	if code, b := do(t, "GET", ts.URL+"/api/runs/"+id+"/charts/map-realised.svg", ""); code != 404 || !strings.Contains(string(b), "larger than 0 MiB and not kept") {
		t.Errorf("chart not kept: %d %s", code, b)
	}
	if code, _ := do(t, "GET", ts.URL+"/api/runs/"+id+"/charts/ranking.svg", ""); code != 200 {
		t.Errorf("chart kept: %d", code)
	}
	srv.mu.Lock()
	// The scenario document, the resolved one, the summary (the name of its
	// variant, 5 bytes, two replications of one metric and its estimate of
	// four numbers, 8 bytes each) and the small chart.
	one := srv.runs[id].bytes
	if want := len(srv.runs[id].doc) + len("version: 1\n") + 5 + (2+4)*8 + len("<svg/>"); one != want {
		t.Errorf("run bytes %d, want %d", one, want)
	}
	srv.maxKeptRunBytes = 2*one + one/2
	srv.mu.Unlock()
	var ids []string
	for range 3 {
		ids = append(ids, runOne())
	}
	_, b := do(t, "GET", ts.URL+"/api/runs", "")
	var list []runView
	if err := json.Unmarshal(b, &list); err != nil || len(list) != 2 || list[0].ID != ids[2] || list[1].ID != ids[1] {
		t.Errorf("runs kept: %s", b)
	}
	// However small the budget, the newest finished run stays.
	srv.mu.Lock()
	srv.maxKeptRunBytes = 1
	srv.mu.Unlock()
	last := runOne()
	_, b = do(t, "GET", ts.URL+"/api/runs", "")
	if err := json.Unmarshal(b, &list); err != nil || len(list) != 1 || list[0].ID != last {
		t.Errorf("runs kept with a budget of 1 byte: %s", b)
	}
}

// TestAreasDownload: a finished run offers areas.geojson, the bytes
// `patrolsim run` writes (results.WriteAreasGeoJSON of the run's city and
// details), a FeatureCollection with one feature per area; a run whose
// runner gives no city answers 404.
func TestAreasDownload(t *testing.T) {
	var city *geo.City
	f := newFake()
	f.output = func(s *scenarios.Scenario) *Output {
		o := fixedOutput()
		city = s.Config.City
		o.City = city
		return o
	}
	_, ts := testServer(t, f, nil)
	code, r, b := startRun(t, ts, `{"replications":2}`)
	if code != 202 {
		t.Fatalf("%d %s", code, b)
	}
	close(f.release)
	waitStatus(t, ts, r.ID)
	code, b = do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/areas.geojson", "")
	var want bytes.Buffer
	if err := results.WriteAreasGeoJSON(&want, city, results.DetailsJSON{}); err != nil {
		t.Fatal(err)
	}
	if code != 200 || !bytes.Equal(b, want.Bytes()) {
		t.Fatalf("areas.geojson: %d, %d bytes, want 200 and the %d bytes patrolsim run writes", code, len(b), want.Len())
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil || len(fc.Features) != len(city.Atoms) {
		t.Errorf("areas.geojson: %v, want %d features", err, len(city.Atoms))
	}

	f2 := newFake()
	_, ts2 := testServer(t, f2, nil)
	_, r2, _ := startRun(t, ts2, `{"replications":2}`)
	close(f2.release)
	waitStatus(t, ts2, r2.ID)
	if code, _ := do(t, "GET", ts2.URL+"/api/runs/"+r2.ID+"/areas.geojson", ""); code != 404 {
		t.Errorf("areas.geojson of a run without a city: %d, want 404", code)
	}
}
