package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/scenarios"
)

// upload posts a scenario and data files as the page does: field scenario
// for the YAML, data for each other file.
func upload(t *testing.T, ts *httptest.Server, name string, doc []byte, data map[string][]byte, hdr ...string) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("scenario", name)
	fw.Write(doc)
	for _, n := range sortedKeys(data) {
		fw, _ := mw.CreateFormFile("data", n)
		fw.Write(data[n])
	}
	mw.Close()
	return do(t, "POST", ts.URL+"/api/scenarios", body.String(), append([]string{"Content-Type", mw.FormDataContentType()}, hdr...)...)
}

// jinzhou returns the built-in city's document and data files.
func jinzhou(t *testing.T) ([]byte, map[string][]byte) {
	t.Helper()
	doc, fsys, err := scenarios.BuiltinFile("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, n := range []string{"communities.geojson", "posts.geojson", "routes.geojson"} {
		if files[n], err = fs.ReadFile(fsys, n); err != nil {
			t.Fatal(err)
		}
	}
	return doc, files
}

type uploadAnswer struct {
	Form
	Error    string    `json:"error"`
	Problems []Problem `json:"problems"`
}

func TestUpload(t *testing.T) {
	f := newFake()
	close(f.release)
	_, ts := testServer(t, f, nil)
	doc, files := jinzhou(t)

	// The built-in city uploaded with its data files becomes scenario u1:
	// its form, validation, map and runs.
	code, b := upload(t, ts, "city.yaml", doc, files)
	var u uploadAnswer
	if err := json.Unmarshal(b, &u); err != nil || code != http.StatusCreated {
		t.Fatalf("upload: %d %s %v", code, b, err)
	}
	if u.ID != "u1" || u.Name != "jinzhou" || u.Source != "city.yaml" || strings.Join(u.Files, ",") != "communities.geojson,posts.geojson,routes.geojson" || u.Areas != 126 {
		t.Errorf("uploaded form: %+v", u.Form)
	}
	if code, b := do(t, "GET", ts.URL+"/api/scenario?id=u1", ""); code != 200 || !strings.Contains(string(b), `"name": "jinzhou"`) {
		t.Errorf("GET /api/scenario?id=u1: %d %.200s", code, b)
	}
	if code, b := do(t, "GET", ts.URL+"/api/scenario", ""); code != 200 || !strings.Contains(string(b), `"name": "grid"`) || !strings.Contains(string(b), `"id": "start"`) {
		t.Errorf("the start scenario: %d %.200s", code, b)
	}
	_, b = do(t, "GET", ts.URL+"/api/scenarios", "")
	var list []scenarioEntry
	if err := json.Unmarshal(b, &list); err != nil || len(list) != 2 || list[0].ID != "start" || list[1].ID != "u1" || list[1].Name != "jinzhou" {
		t.Errorf("scenarios: %s", b)
	}
	_, b = postJSON(t, ts.URL+"/api/validate", `{"scenario":"u1","units":{"patrol_car":{"count":5}}}`)
	if !strings.Contains(string(b), `"ok": true`) || !strings.Contains(string(b), `"count": 5`) {
		t.Errorf("validate u1: %.300s", b)
	}
	if code, b := do(t, "GET", ts.URL+"/api/map.svg?scenario=u1", ""); code != 200 || !bytes.Contains(b, []byte("Expected incidents — jinzhou")) {
		t.Errorf("map of u1: %d %.100s", code, b)
	}
	code, r, b := startRun(t, ts, `{"scenario":"u1","replications":2,"duration":"3d"}`)
	if code != 202 {
		t.Fatalf("run u1: %d %s", code, b)
	}
	waitStatus(t, ts, r.ID)
	// The download keeps the data paths as uploaded: it runs with the
	// uploaded files beside it.
	_, b = do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/scenario.yaml", "")
	dir := t.TempDir()
	for n, data := range files {
		os.WriteFile(filepath.Join(dir, n), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "s.yaml"), b, 0o644)
	if !bytes.Contains(b, []byte("areas: communities.geojson")) {
		t.Errorf("data path rewritten:\n%s", b)
	}
	if s, err := scenarios.LoadFile(filepath.Join(dir, "s.yaml")); err != nil || s.File.Replications != 2 {
		t.Errorf("the download beside the uploaded files: %v", err)
	}
	// An unknown scenario id.
	if code, b := do(t, "GET", ts.URL+"/api/scenario?id=u7", ""); code != 404 || !strings.Contains(string(b), "upload it again") {
		t.Errorf("unknown id: %d %s", code, b)
	}
	if code, _, b := startRun(t, ts, `{"scenario":"../s.yaml"}`); code != 400 || !strings.Contains(string(b), `"path": "scenario"`) {
		t.Errorf("run of an unknown scenario: %d %s", code, b)
	}

	// Only the last MaxKeptUploads are kept.
	for range MaxKeptUploads {
		if code, b := upload(t, ts, "city.yaml", doc, files); code != 201 {
			t.Fatalf("upload: %d %.200s", code, b)
		}
	}
	if code, _ := do(t, "GET", ts.URL+"/api/scenario?id=u1", ""); code != 404 {
		t.Errorf("u1 kept after %d more uploads: %d", MaxKeptUploads, code)
	}
	if code, _ := do(t, "GET", ts.URL+"/api/scenario?id=u2", ""); code != 200 {
		t.Errorf("u2 dropped: %d", code)
	}
	// The download of the run of a dropped scenario still works.
	if code, _ := do(t, "GET", ts.URL+"/api/runs/"+r.ID+"/scenario.yaml", ""); code != 200 {
		t.Errorf("download after the upload was dropped: %d", code)
	}
}

// TestUploadProblems: a bad upload is refused with the messages of
// patrolsim validate, and no data path of an upload reaches the disk, not
// even one naming a file that exists there.
func TestUploadProblems(t *testing.T) {
	_, ts := testServer(t, newFake(), nil)
	doc, files := jinzhou(t)

	// A real file on disk, by absolute path and by a ../ path (relative to
	// the test's folder, cmd/patrolsim/serve/): were either read, the upload would load
	// (it is the city's own areas file); it must be refused instead.
	onDisk := filepath.Join(t.TempDir(), "communities.geojson")
	if err := os.WriteFile(onDisk, files["communities.geojson"], 0o644); err != nil {
		t.Fatal(err)
	}
	const upPath = "../../../scenarios/jinzhou/communities.geojson"
	if _, err := os.Stat(upPath); err != nil {
		t.Fatal(err)
	}
	grid, _, _ := scenarios.BuiltinFile("grid")
	badSquad := bytes.Replace(grid, []byte("squad: 2"), []byte("squad: 0"), 1)
	with := func(areas string) []byte {
		return bytes.Replace(doc, []byte("areas: communities.geojson"), []byte("areas: "+areas), 1)
	}
	for _, c := range []struct {
		name  string
		doc   []byte
		files map[string][]byte
		path  string // of the problem
		msg   string // in its message
	}{
		{"bad-field", badSquad, nil, "units[0].squad", "must be"},
		{"not-uploaded", doc, map[string][]byte{"posts.geojson": files["posts.geojson"]}, "city.areas", `cannot read "communities.geojson"`},
		{"absolute", with(onDisk), files, "city.areas", "must stay inside the scenario's folder"},
		{"dotdot", with(upPath), files, "city.areas", "must stay inside the scenario's folder"},
		{"dotdot-uploaded-name", with("../communities.geojson"), files, "city.areas", "must stay inside the scenario's folder"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, b := upload(t, ts, "bad.yaml", c.doc, c.files)
			var u uploadAnswer
			if err := json.Unmarshal(b, &u); err != nil || code != 400 {
				t.Fatalf("%d %s %v", code, b, err)
			}
			// The same problems as patrolsim validate, which loads the file
			// from disk, gives for the document with the same data files.
			_, lerr := scenarios.Load("bad.yaml", c.doc, memFS(c.files))
			var se *scenarios.Error
			if !errors.As(lerr, &se) || len(se.Problems) != len(u.Problems) {
				t.Fatalf("problems %+v, loader %v", u.Problems, lerr)
			}
			found := false
			for i, p := range u.Problems {
				if p.Text != se.Problems[i].String() || p.Line != se.Problems[i].Line {
					t.Errorf("problem %d: %+v, loader %q", i, p, se.Problems[i].String())
				}
				if p.Path == c.path && strings.Contains(p.Message, c.msg) && p.Line > 0 && strings.HasPrefix(p.Text, "bad.yaml:") {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %s with %q (and a line): %+v", c.path, c.msg, u.Problems)
			}
			if !strings.Contains(u.Error, "bad.yaml:") {
				t.Errorf("error %q", u.Error)
			}
		})
	}
	_, b := do(t, "GET", ts.URL+"/api/scenarios", "")
	if strings.Contains(string(b), `"u`) {
		t.Errorf("a refused upload was kept: %s", b)
	}

	// The form itself.
	for _, c := range []struct {
		name, ctype, body string
		code              int
		msg               string
	}{
		{"json", "application/json", `{"city":{"areas":"/etc/passwd"}}`, 415, "multipart/form-data"},
		{"no-scenario", "", "data:x.geojson", 400, "no scenario file"},
		{"other-field", "", "other:x.yaml", 400, "unknown field"},
		{"two-scenarios", "", "scenario:a.yaml,scenario:b.yaml", 400, "more than one scenario"},
		{"dotdot-name", "", "scenario:..", 400, "not a plain file name"},
		// Names as sent, not as Part.FileName cleans them (x.yaml).
		{"folder-name", "", "scenario:a/x.yaml", 400, `\"a/x.yaml\" is not a plain file name`},
		{"dotdot-folder-name", "", "scenario:../x.yaml", 400, `\"../x.yaml\" is not a plain file name`},
		{"backslash-name", "", `scenario:a\x.yaml`, 400, "not a plain file name"},
		{"builtin-name", "", "scenario:builtin:evil.yaml", 400, `\"builtin:evil.yaml\" is not a plain file name`},
		{"builtin-data-name", "", "scenario:a.yaml,data:builtin:jinzhou/posts.geojson", 400, "not a plain file name"},
		{"drive-name", "", "scenario:C:x.yaml", 400, "not a plain file name"},
		{"control-name", "", "scenario:x\t.yaml", 400, "not a plain file name"},
		{"duplicate", "", "scenario:a.yaml,data:x.geojson,data:x.geojson", 400, "uploaded twice"},
		{"too-many", "", strings.Repeat("data:x.geojson,", MaxUploadFiles) + "scenario:a.yaml", 400, "more than 16 files"},
	} {
		body, ctype := c.body, c.ctype
		if ctype == "" {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for i, part := range strings.Split(c.body, ",") {
				field, name, _ := strings.Cut(part, ":")
				if c.name == "too-many" && field == "data" {
					name = strings.Repeat("y", i+1) + name
				}
				w, _ := mw.CreateFormFile(field, name)
				w.Write([]byte("version: 1\n"))
			}
			mw.Close()
			body, ctype = buf.String(), mw.FormDataContentType()
		}
		code, b := do(t, "POST", ts.URL+"/api/scenarios", body, "Content-Type", ctype)
		if code != c.code || !strings.Contains(string(b), c.msg) {
			t.Errorf("%s: %d %s", c.name, code, b)
		}
	}
	// Bounded: one byte over the limit is refused; 2 MB (more than
	// MaxBodyBytes) is fine.
	big := make([]byte, MaxUploadBytes)
	if code, b := upload(t, ts, "big.yaml", big, nil); code != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "32 MiB") {
		t.Errorf("too big: %d %s", code, b)
	}
	padded := append(append([]byte{}, doc...), "\n# "+strings.Repeat("x", 2<<20)+"\n"...)
	if code, b := upload(t, ts, "padded.yaml", padded, files); code != 201 {
		t.Errorf("2 MB upload: %d %.300s", code, b)
	}
}

// TestMemFS: the uploaded files' file system opens only their names.
func TestMemFS(t *testing.T) {
	m := memFS{"a.geojson": []byte("{}")}
	if b, err := fs.ReadFile(m, "a.geojson"); err != nil || string(b) != "{}" {
		t.Errorf("read: %q %v", b, err)
	}
	for _, name := range []string{"b.geojson", "/a.geojson", "../a.geojson", "./a.geojson", "x/../a.geojson", ""} {
		if _, err := m.Open(name); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		}
	}
	f, _ := m.Open("a.geojson")
	if st, err := f.Stat(); err != nil || st.Size() != 2 || st.Name() != "a.geojson" || st.IsDir() {
		t.Errorf("stat: %v %v", st, err)
	}
}

// TestValidUploadName: plain file names only; ':' in particular, so that an
// upload's path (its name) can never start with builtin:.
func TestValidUploadName(t *testing.T) {
	for name, want := range map[string]bool{
		"city.yaml": true, "communities.geojson": true, "锦州 城区.yaml": true, "a..b.yaml": true, ".hidden.yaml": true,
		"": false, ".": false, "..": false, "a/b.yaml": false, "../b.yaml": false, "/etc/passwd": false, `a\b.yaml`: false,
		"builtin:evil.yaml": false, "builtin:jinzhou/communities.geojson": false, "C:x.yaml": false, "x:": false,
		"a*.yaml": false, "a?.yaml": false, `a".yaml`: false, "a<b>.yaml": false, "a|b.yaml": false,
		"x\x00.yaml": false, "x\n.yaml": false, "x\x7f.yaml": false, " x.yaml": false, "x.yaml ": false,
		"\xff.yaml": false, strings.Repeat("x", 256): false, strings.Repeat("x", 255): true,
	} {
		if got := validUploadName(name); got != want {
			t.Errorf("validUploadName(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzValidUploadName: a name accepted is its own base name, relative,
// without ':' (never builtin:…), and a valid fs path.
func FuzzValidUploadName(f *testing.F) {
	for _, s := range []string{"city.yaml", "builtin:x.yaml", "../x", `a\b`, "C:x", "x\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !validUploadName(name) {
			return
		}
		if strings.ContainsAny(name, `:/\`) || strings.HasPrefix(name, scenarios.BuiltinPrefix) || filepath.Base(name) != name ||
			filepath.IsAbs(name) || !fs.ValidPath(name) || name == "." || name == ".." {
			t.Errorf("accepted %q", name)
		}
	})
}

// TestUploadBudget: an upload is bounded by what it costs once loaded, not
// only by its bytes: a few bytes of YAML asking for a 400 × 500 grid
// (200,000 areas, 80 MiB loaded, a 94 MB map) are refused before loading;
// so are data files with too many coordinate positions, scenarios with
// too many areas, and road networks whose table would be too big. Nothing
// refused is kept.
func TestUploadBudget(t *testing.T) {
	srv, ts := testServer(t, newFake(), nil)
	grid, _, _ := scenarios.BuiltinFile("grid")
	big := bytes.Replace(grid, []byte("grid: {rows: 10, cols: 10, cell_m: 500, districts: 2}"), []byte("grid: {rows: 400, cols: 500}"), 1)
	start := time.Now()
	code, b := upload(t, ts, "big.yaml", big, nil)
	if code != 400 || !strings.Contains(string(b), "big.yaml: city.grid: 400 × 500 = 200000 areas, more than the 20000 an uploaded scenario may have") {
		t.Errorf("400 × 500 grid: %d %s", code, b)
	}
	if d := time.Since(start); d > time.Second { // loading it takes 2 s
		t.Errorf("refused after %v: loaded first?", d)
	}
	if code, b := upload(t, ts, "ok.yaml", bytes.Replace(grid, []byte("rows: 10, cols: 10"), []byte("rows: 100, cols: 200"), 1), nil); code != 201 {
		t.Errorf("100 × 200 grid (20,000 areas): %d %.200s", code, b)
	}

	// Positions: the built-in city's areas have 630, its posts 46, its
	// routes 21.
	doc, files := jinzhou(t)
	if n := positions(files["communities.geojson"]); n != 630 {
		t.Errorf("positions in communities.geojson: %d, want 630", n)
	}
	if n := positions([]byte(`{"a": "[1, 2]", "b": "\"[3", "c": [ [1,2], [ -3.5, 4], [[5, 6]]], "d": ["x", [true]]}`)); n != 3 {
		t.Errorf("positions: %d, want 3 (none inside strings)", n)
	}
	srv.uploadPositions = 600
	code, b = upload(t, ts, "city.yaml", doc, files)
	if code != 400 || !strings.Contains(string(b), "hold 697 coordinate positions, more than the 600 an upload may have") {
		t.Errorf("too many positions: %d %s", code, b)
	}
	srv.uploadPositions, srv.uploadAreas = MaxUploadPositions, 100
	code, b = upload(t, ts, "city.yaml", doc, files)
	if code != 400 || !strings.Contains(string(b), "city.yaml: 126 areas, more than the 100 an uploaded scenario may have") {
		t.Errorf("too many areas: %d %s", code, b)
	}
	srv.uploadAreas = MaxUploadAreas

	// Roads: the test city's network, whose table is a few hundred bytes.
	roads := map[string][]byte{}
	for _, n := range []string{"areas.geojson", "roads.geojson"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "scenarios", "testdata", "city", n))
		if err != nil {
			t.Fatal(err)
		}
		roads[n] = data
	}
	rdoc := bytes.Replace(grid, []byte("grid: {rows: 10, cols: 10, cell_m: 500, districts: 2}"), []byte("areas: areas.geojson"), 1)
	rdoc = bytes.Replace(rdoc, []byte("travel: {model: manhattan, detour: 1, turnout: 30s}"), []byte("travel: {model: road, roads: roads.geojson, zone_m: 200}"), 1)
	srv.uploadRoadBytes = 100
	code, b = upload(t, ts, "roads.yaml", rdoc, roads)
	if code != 400 || !strings.Contains(string(b), "roads.yaml: travel.roads: a run would build a road table of about") {
		t.Errorf("road table too big: %d %s", code, b)
	}
	srv.uploadRoadBytes = MaxUploadRoadTableBytes
	if code, b := upload(t, ts, "roads.yaml", rdoc, roads); code != 201 {
		t.Errorf("road scenario: %d %.300s", code, b)
	}
	_, b = do(t, "GET", ts.URL+"/api/scenarios", "")
	var list []scenarioEntry
	if err := json.Unmarshal(b, &list); err != nil || len(list) != 3 || list[1].Source != "ok.yaml" || list[2].Source != "roads.yaml" {
		t.Errorf("scenarios kept: %s", b)
	}
}

// TestUploadSlots: one upload is read and loaded at a time (another is
// 429), a slow one gives up its slot after the read timeout (408), and
// edited scenarios wait for a loading slot rather than fail.
func TestUploadSlots(t *testing.T) {
	srv, ts := testServerWith(t, newFake(), nil, func(s *Server) { s.uploadTimeout = 300 * time.Millisecond })
	doc, files := jinzhou(t)
	srv.uploadSlots <- struct{}{}
	if code, b := upload(t, ts, "city.yaml", doc, files); code != http.StatusTooManyRequests || !strings.Contains(string(b), "another upload is being read") {
		t.Errorf("second upload at once: %d %s", code, b)
	}
	<-srv.uploadSlots
	if code, b := upload(t, ts, "city.yaml", doc, files); code != 201 {
		t.Errorf("upload after the first: %d %.200s", code, b)
	}

	// A body that stops half-way.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, _ := mw.CreateFormFile("scenario", "slow.yaml")
		w.Write(doc[:100])
		time.Sleep(2 * time.Second)
		pw.CloseWithError(errors.New("gave up"))
	}()
	req, _ := http.NewRequest("POST", ts.URL+"/api/scenarios", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		// The server may close before the client has read the answer.
		t.Logf("slow upload: %v", err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "longer than 300ms") {
			t.Errorf("slow upload: %d %s", resp.StatusCode, b)
		}
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("the slow upload held on for %v", d)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(srv.uploadSlots) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(srv.uploadSlots) != 0 {
		t.Error("the slow upload kept its slot")
	}

	// Every loading slot busy: a check waits, then answers.
	for range MaxParses {
		srv.parseSlots <- struct{}{}
	}
	done := make(chan int, 1)
	go func() {
		code, _ := postJSON(t, ts.URL+"/api/validate", `{}`)
		done <- code
	}()
	select {
	case code := <-done:
		t.Errorf("a check answered %d with every loading slot busy", code)
	case <-time.After(200 * time.Millisecond):
	}
	<-srv.parseSlots
	if code := <-done; code != 200 {
		t.Errorf("the check: %d", code)
	}
	<-srv.parseSlots
}
