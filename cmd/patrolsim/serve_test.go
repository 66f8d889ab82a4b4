package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/serve"
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
// would and checks Execute gives byte-identical results.json. The built-in
// city has data files: in the download their paths are
// builtin:jinzhou/FILE, which load anywhere.
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
			opts, err := serveOptions(path, 2)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := serve.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			defer srv.Close()
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
				for _, want := range []string{"areas: builtin:jinzhou/communities.geojson", "posts: builtin:jinzhou/posts.geojson"} {
					if !bytes.Contains(doc, []byte(want)) {
						t.Errorf("the downloaded scenario lacks %q:\n%s", want, doc)
					}
				}
			}
			res, err := Execute(context.Background(), s, 1, false)
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

func TestExecuteProgressCounts(t *testing.T) {
	s, err := scenarios.LoadBuiltin("grid")
	if err != nil {
		t.Fatal(err)
	}
	s.File.Replications = 2
	var mu sync.Mutex
	last, calls := -1, 0
	_, err = execute(context.Background(), s, 2, false, func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if total != 4 || done < 0 || done > total {
			t.Errorf("progress %d/%d", done, total)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != 4 || calls < 3 {
		t.Errorf("last progress %d after %d calls", last, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := execute(ctx, s, 2, false, func(int, int) {}); err == nil {
		t.Error("a cancelled run succeeded")
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

// TestServeBrowserResults runs the grid through the real runner, then loads
// the page in headless Chromium: the ranking table and the report's map must
// be shown, without console errors. Without Chromium it skips, except under
// CI=true.
func TestServeBrowserResults(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium found (install the Debian package chromium)")
		}
		t.Skip("no Chromium in PATH; install it to run the browser test")
	}
	opts, err := serveOptions("builtin:grid", 2)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := serve.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close()
	resp, err := http.Post(ts.URL+"/api/runs", "application/json", strings.NewReader(`{"duration":"3d","replications":2}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(60 * time.Second)
	for !bytes.Contains(serveGet(t, ts.URL+"/api/runs/r1"), []byte(`"status": "done"`)) {
		if time.Now().After(deadline) {
			t.Fatal("the run did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--window-size=1280,800",
		"--virtual-time-budget=8000", "--dump-dom", ts.URL+"/")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	dom := out.String()
	for _, line := range regexp.MustCompile(`(?m)^.*(ERROR:CONSOLE|Uncaught|Failed to load resource|net::ERR_).*$`).FindAllString(errb.String(), -1) {
		t.Errorf("the page logged an error: %s", strings.TrimSpace(line))
	}
	for _, want := range []string{`<caption>2 replications`, `>beats`, `>random`, `src="api/runs/r1/charts/map-realised.svg"`, `src="api/runs/r1/charts/ranking.svg"`, `href="api/runs/r1/scenario.yaml"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
	if shot := os.Getenv("PATROLSIM_SERVE_SHOT"); shot != "" {
		// A screenshot at 1280×800 for a human to look at.
		cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--no-first-run", "--user-data-dir="+t.TempDir(), "--window-size=1280,800", "--hide-scrollbars",
			"--virtual-time-budget=8000", "--screenshot="+shot, ts.URL+"/")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("screenshot: %v\n%s", err, out)
		}
	}
}
