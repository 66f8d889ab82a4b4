package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestOutputRefusedBeforeRun: an output that cannot be written (-o naming
// a file, a folder for a file) is refused with exit status 2 before the
// simulation: a run that would take minutes answers at once.
func TestOutputRefusedBeforeRun(t *testing.T) {
	w := t.TempDir()
	file := filepath.Join(w, "taken")
	os.WriteFile(file, []byte("mine\n"), 0o644)
	cases := [][]string{
		{"run", "builtin:jinzhou", "--replications", "200", "-o", file},
		{"baseline", "builtin:jinzhou", "--replications", "200", "-o", w},
		{"check", "builtin:jinzhou", "--replications", "200", "--baseline", filepath.Join(w, "b.json"), "--update", "--junit", w},
	}
	for _, args := range cases {
		start := time.Now()
		code, _, stderr := runMain(t, context.Background(), args...)
		if code != 2 || time.Since(start) > 5*time.Second {
			t.Errorf("%s: exit %d after %v: %s", strings.Join(args, " "), code, time.Since(start), stderr)
		}
	}
	if data, _ := os.ReadFile(file); string(data) != "mine\n" {
		t.Errorf("the file named by -o changed: %q", data)
	}
}

// TestInterruptWhileWriting: Ctrl-C (SIGINT) while run or sweep writes
// its results exits 130, not 0, and leaves the previous set or the new
// one.
func TestInterruptWhileWriting(t *testing.T) {
	if runtime.GOOS == "windows" || raceEnabled {
		t.Skip("signals a process")
	}
	bin := patrolsimBinary(t)
	sweepFile := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(sweepFile, []byte("version: 1\nscenario: builtin:grid\nreplications: 2\nparams:\n  units[car].count: [5, 7, 9]\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "builtin:grid", "--trace", "-q", "-o", "out"}},
		{"sweep", []string{"sweep", sweepFile, "-q", "-o", "out"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hit := 0
			for attempt := 0; attempt < 8 && hit < 2; attempt++ {
				w := t.TempDir()
				cmd := exec.Command(bin, tc.args...)
				cmd.Dir = w
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Writing: a staging folder beside out, or (as earlier
				// versions wrote) a temporary file in it.
				staged := func() bool {
					for _, dir := range []string{w, filepath.Join(w, "out")} {
						entries, _ := os.ReadDir(dir)
						for _, e := range entries {
							if strings.Contains(e.Name(), ".tmp-") {
								return true
							}
						}
					}
					return false
				}
				for deadline := time.Now().Add(5 * time.Second); !staged() && time.Now().Before(deadline); {
					time.Sleep(50 * time.Microsecond)
				}
				during := staged()
				cmd.Process.Signal(os.Interrupt)
				cmd.Wait()
				if !during {
					continue // finished before the signal could be sent
				}
				hit++
				if code := cmd.ProcessState.ExitCode(); code != 130 {
					t.Errorf("SIGINT while writing: exit status %d, want 130; stderr:\n%s", code, stderr.String())
				}
				if !strings.Contains(stderr.String(), "interrupted") {
					t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
				}
			}
			if hit == 0 {
				t.Skip("no signal arrived while the results were written (the machine is too fast or too loaded)")
			}
		})
	}
}

// TestServeAddrPrinted: serve on every interface prints an address a
// browser opens as it is (not 0.0.0.0 or [::]), and how other machines
// reach the server.
func TestServeAddrPrinted(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0"} {
		var stdout, stderr serveBuffer
		cmd := NewMain(&stdout, &stderr).serveCmd()
		cmd.SetArgs([]string{"builtin:grid", "--addr", addr})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(ctx) }()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stdout.String(), "open http://") && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		out := stdout.String()
		i := strings.Index(out, "open http://")
		if i < 0 {
			cancel()
			<-done
			if strings.Contains(stderr.String(), "address") {
				t.Logf("%s: %s", addr, stderr.String()) // no IPv6 here
				continue
			}
			t.Fatalf("%s: %q", addr, out)
		}
		url := strings.Fields(out[i+len("open "):])[0]
		if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(out, "from another machine open http://") {
			t.Errorf("%s: printed %q", addr, out)
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("%s: the printed address %s: %v", addr, url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: GET %s as printed: %d", addr, url, resp.StatusCode)
		}
		cancel()
		<-done
	}
}
