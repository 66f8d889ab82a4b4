package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/patrolsim/patrolsim/cmd/patrolsim/serve"
	"github.com/patrolsim/patrolsim/internal/browsertest"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

func serveGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b
}

// TestServeMatchesRun runs an edited scenario through the server, then
// loads the downloaded scenario.yaml from another folder as `patrolsim run`
// would and checks run.Execute gives byte-identical results.json and
// replications.csv (encoded by the server from the run in memory), and so
// does the downloaded resolved scenario. The built-in city has data files:
// in the download their paths are builtin:jinzhou/FILE, which load
// anywhere.
func TestServeMatchesRun(t *testing.T) {
	grid := `{"units":{"car":{"count":6,"squad":1}},"duration":"3d","replications":3,"per_day":40,"deterrence":false}`
	for _, c := range []struct {
		name, body string
		total      int
	}{
		{"builtin:grid", grid, 6},
		{"file", grid, 6},
		{"builtin:jinzhou", `{"units":{"patrol_car":{"count":6}},"duration":"3d","replications":2,"variants":["beats-p2p","posts-hier"],"deterrence":false}`, 4},
	} {
		name, body := c.name, c.body
		t.Run(name, func(t *testing.T) {
			path := name
			if name == "file" {
				// A scenario file with a data file beside it, relative path.
				dir := t.TempDir()
				data, _, err := scenarios.BuiltinFile("grid")
				if err != nil {
					t.Fatal(err)
				}
				path = filepath.Join(dir, "s.yaml")
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ts := startServe(t, path, "")
			resp, err := http.Post(ts.URL+"/api/runs", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 202 {
				t.Fatalf("%d %s", resp.StatusCode, b)
			}
			var v struct {
				ID, Status, Error string
				Done, Total       int
				Charts            []string
			}
			deadline := time.Now().Add(60 * time.Second)
			for {
				if err := json.Unmarshal(serveGet(t, ts.URL+"/api/runs/r1"), &v); err != nil {
					t.Fatal(err)
				}
				if v.Status != "running" || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if v.Status != "done" || v.Done != c.total || v.Total != c.total {
				t.Fatalf("run: %+v", v)
			}
			for _, c := range []string{"ranking.svg", "map-realised.svg"} {
				if !strings.Contains(strings.Join(v.Charts, " "), c) {
					t.Errorf("no chart %s in %v", c, v.Charts)
				}
			}
			if svg := serveGet(t, ts.URL+"/api/runs/r1/charts/map-realised.svg"); !bytes.Contains(svg, []byte("<svg")) {
				t.Error("map-realised.svg is no SVG")
			}
			doc := serveGet(t, ts.URL+"/api/runs/r1/scenario.yaml")
			got := serveGet(t, ts.URL+"/api/runs/r1/results.json")

			file := filepath.Join(t.TempDir(), "downloaded.yaml")
			if err := os.WriteFile(file, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := scenarios.LoadFile(file)
			if err != nil {
				t.Fatalf("the downloaded scenario does not load: %v\n%s", err, doc)
			}
			if s.File.Units[0].Count != 6 || s.File.Replications != c.total/2 || s.File.Deterrence.Enabled {
				t.Errorf("edits lost: %+v", s.File.Units[0])
			}
			if name == "builtin:jinzhou" {
				for _, want := range []string{"areas: builtin:jinzhou/communities.geojson", "posts: builtin:jinzhou/posts.geojson", "routes: builtin:jinzhou/routes.geojson"} {
					if !bytes.Contains(doc, []byte(want)) {
						t.Errorf("the downloaded scenario lacks %q:\n%s", want, doc)
					}
				}
			}
			res, err := run.Execute(context.Background(), s, run.Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := res.Summary.WriteJSON(&want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("results.json from the server differs from Execute on the downloaded scenario")
			}
			want.Reset()
			if err := res.Summary.WriteCSV(&want); err != nil {
				t.Fatal(err)
			}
			if got := serveGet(t, ts.URL+"/api/runs/r1/replications.csv"); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("replications.csv from the server differs from Execute on the downloaded scenario")
			}
			// The resolved scenario the server offers runs to the same
			// results.
			resolved := filepath.Join(t.TempDir(), "resolved.yaml")
			if err := os.WriteFile(resolved, serveGet(t, ts.URL+"/api/runs/r1/resolved.yaml"), 0o644); err != nil {
				t.Fatal(err)
			}
			rs, err := scenarios.LoadFile(resolved)
			if err != nil {
				t.Fatalf("the resolved scenario does not load: %v", err)
			}
			rres, err := run.Execute(context.Background(), rs, run.Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			want.Reset()
			if err := rres.Summary.WriteJSON(&want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("the resolved scenario from the server runs to other results")
			}
			// And `patrolsim run` accepts the file unchanged.
			var stdout, stderr bytes.Buffer
			out := t.TempDir()
			if code := NewMain(&stdout, &stderr).Run(context.Background(), []string{"run", "-q", "-o", out, file}); code != 0 {
				t.Errorf("patrolsim run on the downloaded scenario: %d %s", code, stderr.String())
			}
			if b, err := os.ReadFile(filepath.Join(out, "results.json")); err != nil || !bytes.Equal(b, got) {
				t.Errorf("patrolsim run's results.json differs from the server's (%v)", err)
			}
			// The run's resolved scenario.yaml loads too (patrolsim report
			// reads it).
			if _, err := scenarios.LoadFile(filepath.Join(out, "scenario.yaml")); err != nil {
				t.Errorf("the resolved scenario of the run does not load: %v", err)
			}
		})
	}
}

// TestServeCommand starts the command on a free port, checks it prints the
// address (and a token on a non-loopback address) and stops on cancel.
func TestServeCommand(t *testing.T) {
	for _, c := range []struct {
		addr  string
		token bool
	}{{"127.0.0.1:0", false}, {"0.0.0.0:0", true}} {
		var stdout, stderr serveBuffer
		m := NewMain(&stdout, &stderr)
		cmd := m.serveCmd()
		cmd.SetArgs([]string{"builtin:grid", "--addr", c.addr})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(ctx) }()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(stdout.String(), "open http://") && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		out := stdout.String()
		if !strings.Contains(out, "open http://") || strings.Contains(out, "token:") != c.token || strings.Contains(out, "?token=") != c.token {
			t.Errorf("%s: output %q", c.addr, out)
		}
		url := strings.TrimSpace(out[strings.Index(out, "http://"):])
		url = strings.Fields(url)[0]
		url = strings.Replace(url, "0.0.0.0", "127.0.0.1", 1)
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: GET %s: %d", c.addr, url, resp.StatusCode)
		}
		if c.token {
			bare := url[:strings.Index(url, "?")] + "api/scenario"
			if resp, err := http.Get(bare); err != nil || resp.StatusCode != 401 {
				t.Errorf("no token: %v %v", err, resp)
			} else {
				resp.Body.Close()
			}
		} else {
			// Without a token: another site's page may neither post edits
			// as text/plain nor reach the server by a rebound name.
			if resp, err := http.Post(url+"api/runs", "text/plain", strings.NewReader("{}")); err != nil || resp.StatusCode != 415 {
				t.Errorf("text/plain run: %v %v", err, resp)
			} else {
				resp.Body.Close()
			}
			req, _ := http.NewRequest("GET", url+"api/scenario", nil)
			req.Host = "rebound.example"
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
				t.Errorf("Host rebound.example: %v %v", err, resp)
			} else {
				resp.Body.Close()
			}
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop")
		}
	}
}

type serveBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeEndToEnd drives the what-if page in headless Chromium as a
// planner would, against the real runner on the built-in grid (5
// replications of 14 days, 2 variants: a run takes well under a second):
// the city map shows before any run; a run as-is is the reference, its
// ranking in groups (the best set "1="); halving
// the patrol cars (8 → 4) and running again must raise the priority-1
// response time of every variant in the ranking table; the compare view
// must call that difference significant; the downloaded scenario must pass
// patrolsim validate; an upload through the page switches the scenario
// (the built-in city), whose shortened run labels the hotspot oracle a
// benchmark; the page must never show NaN and must log no console error. It saves a screenshot of the
// page in the test's artifact folder (go test -artifacts keeps it).
// Without Chromium it skips, except under CI=true.
func TestServeEndToEnd(t *testing.T) {
	bin := browsertest.Find(t)
	begin := time.Now()
	const tok = "e2e-token"
	ts := startServe(t, "builtin:grid", tok)

	ctx := browsertest.Context(t, bin)
	// Console messages (console API calls, uncaught exceptions, the browser
	// log: failed loads) from the start; read after the steps.
	var (
		mu      sync.Mutex
		console []chromedp.ConsoleMessage
	)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			console = append(console, m)
			mu.Unlock()
		}
	}()
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		defer scancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			// Say what the page showed, for a failure that does not
			// reproduce.
			dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
			defer dcancel()
			state, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`["status", "problems", "comparison"].map((id) => id + ": " + (document.getElementById(id)?.innerText ?? "-")).join(" | ") + " | compare " + document.getElementById("compare-a")?.value + " vs " + document.getElementById("compare-b")?.value + " of " + document.querySelectorAll("#compare-a option").length`))
			t.Fatalf("%s: %v\npage: %s", what, err, state)
		}
	}
	eval := func(what, js string, v any) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		defer scancel()
		raw, err := chromedp.Run(sctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
		if err == nil {
			err = json.Unmarshal(raw, v)
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// responses reads the ranking table's priority-1 90th-percentile
	// response time (the objective's first metric), by variant.
	responses := func() map[string]float64 {
		t.Helper()
		var out map[string]float64
		eval("reading the ranking", `Object.fromEntries([...document.querySelectorAll('#ranking td[data-metric="response_p90_s_p1"]')].map((td) => [td.dataset.variant, Number(td.dataset.mean)]))`, &out)
		if len(out) != 2 {
			t.Fatalf("ranking cells: %v", out)
		}
		return out
	}
	runAndWait := func(id string) {
		t.Helper()
		step("run "+id, chromedp.Click(chromedp.ID("run")),
			chromedp.Poll[chromedp.Void](`document.getElementById("results-run").textContent.includes("run `+id+`") && document.querySelector("#ranking td[data-metric]") !== null`))
	}

	// The page, and the map before any run.
	step("open the page", chromedp.Navigate(ts.URL+"/?token="+tok), chromedp.WaitVisible(chromedp.ID("unit-0-count")),
		chromedp.Poll[chromedp.Void](`(() => { const m = document.getElementById("expected-map"); return m.complete && m.naturalWidth > 300; })()`))
	var cars string
	eval("car count", `document.getElementById("unit-0-count").value`, &cars)
	if cars != "8" {
		t.Fatalf("the form shows %s cars, want the grid's 8", cars)
	}

	// ranking reads the ranking table: each variant's group, the verdict
	// above the table, and whether the page shows NaN anywhere.
	type shown struct {
		Groups  map[string]string
		Verdict string
		NaN     bool
	}
	ranking := func() shown {
		t.Helper()
		var out shown
		eval("reading the groups", `({groups: Object.fromEntries([...document.querySelectorAll("#ranking tbody tr")].map((tr) => [tr.dataset.variant, tr.querySelector("td.group").textContent])),
			verdict: [...document.querySelectorAll("#ranking .verdict")].map((p) => p.textContent).join("\n"),
			nan: document.documentElement.outerHTML.includes("NaN")})`, &out)
		if out.NaN {
			t.Errorf("the page shows NaN")
		}
		return out
	}

	// Run as-is: the reference.
	runAndWait("r1")
	before := responses()
	// The groups as the terminal table shows them: the best set "1=", the
	// others "–" (which are in the best set depends on the noise).
	grid := ranking()
	best := 0
	for v, g := range grid.Groups {
		switch g {
		case "1=":
			best++
		case "–":
		default:
			t.Errorf("grid: %s in group %q, want 1= or –", v, g)
		}
	}
	if best == 0 || !strings.Contains(grid.Verdict, "95% joint confidence") {
		t.Errorf("grid: no variant in the best set (groups %v), or no verdict: %q", grid.Groups, grid.Verdict)
	}

	// Half the cars. At seed 1 the grid's priority-1 p90 response is 5.5
	// and 6.2 min (beats, random) with 8 cars and 9.8 and 9.9 min with 4
	// (patrolsim run; 95% intervals within ±0.9 min): fewer cars are
	// farther away and busier (utilisation 16% → 35%), so the rise is
	// large against the noise and does not hang on the seed.
	step("halve the cars", chromedp.Evaluate[chromedp.Void](`document.getElementById("unit-0-count").select()`),
		chromedp.SendKeys(chromedp.ID("unit-0-count"), "4"))
	eval("car count", `document.getElementById("unit-0-count").value`, &cars)
	if cars != "4" {
		t.Fatalf("typed 4 cars, the form has %q", cars)
	}
	runAndWait("r2")
	after := responses()
	for v, x := range before {
		if !(after[v] > x) {
			t.Errorf("%s: priority-1 p90 response %.0f s with 4 cars, %.0f s with 8: it did not go up", v, after[v], x)
		}
	}

	// Compare r2 (B) with r1 (A): same seed and replications, so paired;
	// the response time difference must be significant, in words.
	step("compare", chromedp.Poll[chromedp.Void](`document.querySelectorAll("#compare-a option").length >= 2 && !document.getElementById("compare").disabled`),
		chromedp.SetValue(chromedp.ID("compare-a"), "r1"), chromedp.SetValue(chromedp.ID("compare-b"), "r2"),
		chromedp.Click(chromedp.ID("compare")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#comparison td[data-significant]") !== null`))
	var verdicts map[string]string
	eval("reading the comparison", `Object.fromEntries([...document.querySelectorAll('#comparison td.sig[data-metric="response_p90_s_p1"]')].map((td) => [td.dataset.variant, td.textContent]))`, &verdicts)
	var caption string
	eval("comparison caption", `document.querySelector("#comparison caption").textContent`, &caption)
	if len(verdicts) != 2 || !strings.Contains(caption, "paired") {
		t.Errorf("comparison: %v, caption %q", verdicts, caption)
	}
	for v, text := range verdicts {
		if text != "▲ significant (worse)" {
			t.Errorf("%s: the comparison says %q, want ▲ significant (worse)", v, text)
		}
	}

	// Download r2's scenario from within the page (its link, its token) and
	// validate it as patrolsim validate does.
	var doc string
	eval("download", `fetch(document.querySelector('#runs a[href*="r2/scenario.yaml"]').href).then((r) => r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)))`, &doc)
	file := filepath.Join(t.TempDir(), "scenario-r2.yaml")
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := NewMain(&stdout, &stderr).Run(context.Background(), []string{"validate", file}); code != 0 {
		t.Errorf("patrolsim validate on the downloaded scenario: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if s, err := scenarios.LoadFile(file); err != nil || s.File.Units[0].Count != 4 {
		t.Errorf("downloaded scenario: %v", err)
	}
	// The report's charts and map of r2 are shown and load.
	step("charts", chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('img[src*="api/runs/r2/charts/"]')].filter((i) => i.complete && i.naturalWidth > 0).length >= 4 && document.querySelector('#map img[src*="r2/charts/map-realised.svg"]') !== null`))

	// The screenshot: the whole page at 1280 px.
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is no PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1280 || b.Dy() < 800 || colours(img) < 50 {
		t.Errorf("screenshot %v with %d colours: not the page", b, colours(img))
	}
	shotFile := filepath.Join(t.ArtifactDir(), "serve.png")
	if err := os.WriteFile(shotFile, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%v)", shotFile, img.Bounds().Size())

	// Upload the built-in city (scenario and data files) through the page:
	// it becomes the scenario being edited, with its map.
	dir := t.TempDir()
	jdoc, jfs, err := scenarios.BuiltinFile("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	upload := []string{filepath.Join(dir, "city.yaml")}
	if err := os.WriteFile(upload[0], jdoc, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"communities.geojson", "posts.geojson", "routes.geojson"} {
		data, err := fs.ReadFile(jfs, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
		upload = append(upload, filepath.Join(dir, n))
	}
	step("upload", chromedp.SetUploadFiles(chromedp.ID("upload-files"), upload), chromedp.Click(chromedp.ID("upload")),
		chromedp.Poll[chromedp.Void](`document.getElementById("scenario-choice").value === "u1" && document.getElementById("unit-0-count").value === "18" && document.getElementById("expected-map").src.includes("scenario=u1")`),
		chromedp.Poll[chromedp.Void](`(() => { const m = document.getElementById("expected-map"); return m.complete && m.naturalWidth > 300; })()`))

	// Run the built-in city, shortened (four of its variants, 3
	// replications of 3 days, its 2 days of warm-up included): its hotspot
	// oracle is labelled a benchmark, not ranked, and named as such in the
	// verdict.
	step("shorten the city's run", chromedp.Evaluate[chromedp.Void](`(() => {
		const keep = ["beats-p2p", "follow-p2p", "posts-hier", "oracle-p2p"];
		for (const c of document.querySelectorAll("input[data-variant]")) c.checked = keep.includes(c.dataset.variant);
		document.getElementById("replications").value = "3";
		document.getElementById("duration").value = "3d";
	})()`))
	runAndWait("r3")
	city := ranking()
	if len(city.Groups) != 4 || city.Groups["oracle-p2p"] != "benchmark" || !slices.Contains(slices.Collect(maps.Values(city.Groups)), "1=") {
		t.Errorf("built-in city: groups %v, want four variants, oracle-p2p a benchmark, one at least in the best set (1=)", city.Groups)
	}
	if !strings.Contains(city.Verdict, "Benchmark, not ranked (uses knowledge no real force has): oracle-p2p.") {
		t.Errorf("built-in city: the verdict does not name the benchmark: %q", city.Verdict)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "serve-city.png"), shot, 0o644); err != nil {
			t.Error(err)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	for _, m := range console {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			t.Errorf("the page logged an error: %s (%s:%d)", m, m.URL, m.Line)
		}
	}
	t.Logf("end to end in %v", time.Since(begin).Round(time.Millisecond))
}

// colours counts the distinct colours of img, up to 1000.
func colours(img image.Image) int {
	seen := map[color.Color]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			seen[img.At(x, y)] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// TestServeUploadNotBuiltin: an upload named like a built-in scenario
// (builtin:evil.yaml) whose areas file is named results.json must be
// refused by name; and the runner must not write an upload's data files
// anywhere, so that even a scenario that claims to be built-in (its path
// starts with builtin:) cannot replace the run's results with a data file.
// Before, the upload was accepted, the run copied results.json (the areas'
// GeoJSON) over the results and failed with a panic "index out of range".
func TestServeUploadNotBuiltin(t *testing.T) {
	ts := startServe(t, "builtin:grid", "")
	doc, jfs, err := scenarios.BuiltinFile("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	areas, err := fs.ReadFile(jfs, "communities.geojson")
	if err != nil {
		t.Fatal(err)
	}
	posts, err := fs.ReadFile(jfs, "posts.geojson")
	if err != nil {
		t.Fatal(err)
	}
	routes, err := fs.ReadFile(jfs, "routes.geojson")
	if err != nil {
		t.Fatal(err)
	}
	doc = bytes.Replace(doc, []byte("areas: communities.geojson"), []byte("areas: results.json"), 1)
	doc = bytes.Replace(doc, []byte("replications: 8"), []byte("replications: 2"), 1)
	doc = bytes.Replace(doc, []byte("duration: 30d"), []byte("duration: 3d"), 1)
	files := map[string][]byte{"results.json": areas, "posts.geojson": posts, "routes.geojson": routes}

	post := func(name string) (int, []byte) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("scenario", name)
		w.Write(doc)
		for _, n := range []string{"posts.geojson", "results.json", "routes.geojson"} {
			w, _ := mw.CreateFormFile("data", n)
			w.Write(files[n])
		}
		mw.Close()
		resp, err := http.Post(ts.URL+"/api/scenarios", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, b := post("builtin:evil.yaml"); code != 400 || !strings.Contains(string(b), "not a plain file name") {
		t.Fatalf("upload named builtin:evil.yaml: %d %s", code, b)
	}

	// The runner, given a scenario whose path claims builtin: (as the
	// upload's did), keeps the results its run made.
	s, err := scenarios.Load("builtin:evil.yaml", doc, fstest.MapFS{
		"results.json": {Data: areas}, "posts.geojson": {Data: posts}, "routes.geojson": {Data: routes}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := serveRunner(2)(context.Background(), s, func(int, int) {})
	if err != nil {
		t.Fatalf("the run failed: %.300v", err)
	}
	if sum := out.Summary; sum.Scenario != "jinzhou" || len(sum.Variants) == 0 || len(out.Charts) == 0 {
		t.Errorf("the output is not the run's: scenario %q, %d variants, %d charts", sum.Scenario, len(sum.Variants), len(out.Charts))
	}
}

// startServe starts the what-if server of `patrolsim serve SCENARIO` (2
// workers, token if not empty) behind a test HTTP server, closed with the
// test.
func startServe(t *testing.T, scenario, token string) *httptest.Server {
	t.Helper()
	opts, err := serveOptions(scenario, 2)
	if err != nil {
		t.Fatal(err)
	}
	opts.Token = token
	srv, err := serve.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close() // first: it ends open event streams, which ts.Close waits for
		ts.Close()
	})
	return ts
}
