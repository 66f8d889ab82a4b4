package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The kill -9 harness: each command that writes a set of results is
// killed at 20 moments (seeded, so the same moments are aimed at every
// time; half of them while it writes) over a folder holding the previous
// complete set. After each kill the folder must hold that set or the new
// one, exactly; then the same command is run again and must leave the new
// set, identical to an uninterrupted run's, and no temporary file.

const killsPerCommand = 20

// killCommand is one command of the harness.
type killCommand struct {
	name string
	// prepare makes the previous complete set (and the command's inputs)
	// in the empty folder w.
	prepare func(t *testing.T, w string)
	// args of the command that writes the new set, in w.
	args func(w string) []string
	// set returns the set the folder w holds now, by file name: the files
	// the command writes, not its inputs or journals. ok is false when
	// the folder holds no consistent set (a scenario naming a missing
	// file).
	set func(t *testing.T, w string) (files map[string]string, ok bool)
	// writing reports whether the command is writing its set now: a
	// staging folder or temporary file exists in w.
	writing func(w string) bool
}

// killTally counts what the kills found.
type killTally struct {
	kills, duringWrite, old, new, mixed, leftovers, resumedDifferent int
}

func TestKillNine(t *testing.T) {
	if runtime.GOOS == "windows" || testing.Short() || raceEnabled {
		t.Skip("kills processes with SIGKILL and takes about a minute; not with -short, nor under the race detector (the processes it watches are not this one)")
	}
	bin := patrolsimBinary(t)
	tmpl := t.TempDir()
	inputs := killInputs(t, bin, tmpl)
	var total killTally
	start := time.Now()
	for ci, kc := range killCommands(bin, inputs) {
		t.Run(kc.name, func(t *testing.T) {
			// Reference: the previous set and the new one, uninterrupted,
			// and how long the command takes.
			ref := t.TempDir()
			kc.prepare(t, ref)
			old, ok := kc.set(t, ref)
			if !ok {
				t.Fatal("the previous set is not consistent")
			}
			t0 := time.Now()
			runOK(t, bin, ref, kc.args(ref)...)
			dur := time.Since(t0)
			want, ok := kc.set(t, ref)
			if !ok || sameSet(old, want) {
				t.Fatal("the new set is not consistent, or the same as the old one")
			}
			r := rand.New(rand.NewPCG(16, uint64(ci)))
			var tally killTally
			for k := range killsPerCommand {
				w := t.TempDir()
				kc.prepare(t, w)
				cmd := exec.Command(bin, kc.args(w)...)
				cmd.Dir = w
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				wrote := false
				if k%2 == 1 {
					// While it writes: wait for its staging, then a
					// random few hundred microseconds more.
					deadline := time.Now().Add(3*dur + 5*time.Second)
					for !kc.writing(w) && time.Now().Before(deadline) {
						time.Sleep(50 * time.Microsecond)
					}
					time.Sleep(time.Duration(r.IntN(400)) * time.Microsecond)
				} else {
					time.Sleep(time.Duration(r.Float64() * 1.1 * float64(dur)))
				}
				wrote = kc.writing(w)
				cmd.Process.Signal(syscall.SIGKILL)
				cmd.Wait()
				tally.kills++
				if wrote {
					tally.duringWrite++
				}
				got, ok := kc.set(t, w)
				switch {
				case ok && sameSet(got, old):
					tally.old++
				case ok && sameSet(got, want):
					tally.new++
				default:
					tally.mixed++
					t.Errorf("kill %d (%v into the run): the folder holds neither the previous set nor the new one: %v", k, cmd.ProcessState, setNames(got))
				}
				// The next run: the new set, as an uninterrupted run
				// made it, and nothing else left behind.
				runOK(t, bin, w, kc.args(w)...)
				if got, ok := kc.set(t, w); !ok || !sameSet(got, want) {
					tally.resumedDifferent++
					t.Errorf("kill %d: after the next run the set differs from an uninterrupted run's: %v", k, setNames(got))
				}
				if left := temporaries(t, w); len(left) > 0 {
					tally.leftovers++
					t.Errorf("kill %d: left after the next run: %v", k, left)
				}
			}
			t.Logf("%s: %d kills (%d while writing): %d left the previous set, %d the new one, %d mixed or partial; %d leftovers, %d resumed differently (an uninterrupted run takes %v)",
				kc.name, tally.kills, tally.duringWrite, tally.old, tally.new, tally.mixed, tally.leftovers, tally.resumedDifferent, dur.Round(time.Millisecond))
			total.kills += tally.kills
			total.duringWrite += tally.duringWrite
			total.old += tally.old
			total.new += tally.new
			total.mixed += tally.mixed
			total.leftovers += tally.leftovers
			total.resumedDifferent += tally.resumedDifferent
		})
	}
	t.Logf("in all: %d kills (%d while writing): %d previous sets, %d new sets, %d mixed or partial folders; %d leftovers; %d resumed differently; %v",
		total.kills, total.duringWrite, total.old, total.new, total.mixed, total.leftovers, total.resumedDifferent, time.Since(start).Round(time.Second))
}

// killInputs writes the harness's inputs into dir: two sweep files, the
// slices of the second, an incident CSV and areas for calibrate.
type killFiles struct {
	sweep1, sweep2 string
	shards         string // folder holding both slices' journals of sweep2
	finals1        string // folder holding sweep1's final files
	csv, areas     string
}

func killInputs(t *testing.T, bin, dir string) killFiles {
	f := killFiles{sweep1: filepath.Join(dir, "s1.yaml"), sweep2: filepath.Join(dir, "s2.yaml"),
		shards: filepath.Join(dir, "shards"), finals1: filepath.Join(dir, "finals1"),
		csv: filepath.Join(dir, "incidents.csv"), areas: filepath.Join(dir, "areas.geojson")}
	sweep := "version: 1\nscenario: builtin:grid\ndesign: grid\nreplications: 2\nparams:\n  units[car].count: %s\n  duration: [7d]\n"
	os.WriteFile(f.sweep1, fmt.Appendf(nil, sweep, "[6, 8]"), 0o644)
	os.WriteFile(f.sweep2, fmt.Appendf(nil, sweep, "[5, 7, 9]"), 0o644)
	runOK(t, bin, dir, "sweep", f.sweep1, "-o", f.finals1, "-q")
	os.Remove(filepath.Join(f.finals1, "journal.txt"))
	for i := range 2 {
		runOK(t, bin, dir, "sweep", f.sweep2, "-o", f.shards, "-q", "--shard", fmt.Sprintf("%d/2", i))
	}
	// Areas: 20 × 20 squares of 0.01°, two districts; incidents spread
	// over them and over January 2024 (fixed seed).
	var g strings.Builder
	g.WriteString(`{"type": "FeatureCollection", "features": [`)
	for i := range 400 {
		x, y := 121+0.01*float64(i%20), 41+0.01*float64(i/20)
		if i > 0 {
			g.WriteString(",")
		}
		fmt.Fprintf(&g, "\n {\"type\": \"Feature\", \"properties\": {\"name\": \"a%d\", \"district\": \"d%d\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[%.2f, %.2f], [%.2f, %.2f], [%.2f, %.2f], [%.2f, %.2f], [%.2f, %.2f]]]}}",
			i, i%20/10, x, y, x+0.01, y, x+0.01, y+0.01, x, y+0.01, x, y)
	}
	g.WriteString("\n]}\n")
	os.WriteFile(f.areas, []byte(g.String()), 0o644)
	r := rand.New(rand.NewPCG(3, 4))
	var c strings.Builder
	c.WriteString("date,longitude,latitude\n")
	for range 20000 {
		fmt.Fprintf(&c, "2024-01-%02d %02d:%02d,%.5f,%.5f\n", 1+r.IntN(31), r.IntN(24), r.IntN(60), 121+0.2*r.Float64(), 41+0.2*r.Float64())
	}
	os.WriteFile(f.csv, []byte(c.String()), 0o644)
	return f
}

func killCommands(bin string, in killFiles) []killCommand {
	isJournal := func(name string) bool { return strings.HasPrefix(name, "journal") }
	folderSet := func(sub string, skip func(string) bool) func(t *testing.T, w string) (map[string]string, bool) {
		return func(t *testing.T, w string) (map[string]string, bool) {
			return readSet(t, filepath.Join(w, sub), skip), true
		}
	}
	staging := func(sub string) func(w string) bool {
		return func(w string) bool {
			entries, _ := os.ReadDir(w)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), "."+sub+".tmp-") {
					return true
				}
			}
			return false
		}
	}
	return []killCommand{
		{
			name: "run",
			prepare: func(t *testing.T, w string) {
				runOK(t, bin, w, "run", "builtin:grid", "--seed", "7", "--trace", "-q", "-o", "out")
			},
			args: func(w string) []string {
				return []string{"run", "builtin:grid", "--seed", "99", "--trace", "-q", "-o", "out"}
			},
			set:     folderSet("out", nil),
			writing: staging("out"),
		},
		{
			name:    "sweep",
			prepare: func(t *testing.T, w string) { copyTree(t, in.finals1, filepath.Join(w, "out")) },
			args:    func(w string) []string { return []string{"sweep", in.sweep2, "-o", "out", "-q", "--workers", "2"} },
			set:     folderSet("out", isJournal),
			// A sweep stages its files as its items finish: it is
			// writing the set once every item is in the journal (a
			// header and sweep2's 6 items).
			writing: func(w string) bool {
				j, _ := os.ReadFile(filepath.Join(w, "out", "journal.txt"))
				return staging("out")(w) && strings.Count(string(j), "\n") >= 7
			},
		},
		{
			name: "merge",
			prepare: func(t *testing.T, w string) {
				copyTree(t, in.finals1, filepath.Join(w, "out"))
				copyTree(t, in.shards, filepath.Join(w, "out"))
			},
			args:    func(w string) []string { return []string{"merge", in.sweep2, "-o", "out"} },
			set:     folderSet("out", isJournal),
			writing: staging("out"),
		},
		{
			name: "baseline --update",
			prepare: func(t *testing.T, w string) {
				runOK(t, bin, w, "baseline", "builtin:grid", "--seed", "1", "--replications", "3", "-q", "-o", "b.json")
			},
			args: func(w string) []string {
				return []string{"check", "builtin:grid", "--baseline", "b.json", "--update", "--seed", "2", "--replications", "3"}
			},
			set:     folderSet(".", func(n string) bool { return strings.HasPrefix(n, ".") }),
			writing: staging("b.json"),
		},
		{
			name: "calibrate",
			prepare: func(t *testing.T, w string) {
				runOK(t, bin, w, append(calibrateKillArgs(in), "--to", "2024-01-10")...)
			},
			args: func(w string) []string { return calibrateKillArgs(in) },
			set:  calibratedSet,
			writing: func(w string) bool {
				entries, _ := os.ReadDir(w)
				for _, e := range entries {
					if strings.Contains(e.Name(), ".tmp-") {
						return true
					}
				}
				return false
			},
		},
	}
}

func calibrateKillArgs(in killFiles) []string {
	return []string{"calibrate", "--incidents", in.csv, "--areas", in.areas, "--time", "date", "--district-field", "district", "--name-field", "name", "-o", "city.yaml"}
}

var namedRE = regexp.MustCompile(`(?m)^  areas: "(city\.areas-[0-9a-f]{8}\.geojson)"$|^# Goodness of fit: (city\.fit-[0-9a-f]{8}\.txt)\.$`)

// calibratedSet is calibrate's set in w: city.yaml and the two files it
// names; ok is false when it names a file that is not there.
func calibratedSet(t *testing.T, w string) (map[string]string, bool) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(w, "city.yaml"))
	if err != nil {
		return nil, false
	}
	set := map[string]string{"city.yaml": string(doc)}
	for _, m := range namedRE.FindAllStringSubmatch(string(doc), -1) {
		name := m[1] + m[2]
		data, err := os.ReadFile(filepath.Join(w, name))
		if err != nil {
			return set, false
		}
		set[name] = string(data)
	}
	return set, len(set) == 3
}

// readSet reads the files of dir (not those skip names) by name, folders
// by slash path.
func readSet(t *testing.T, dir string, skip func(string) bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if skip != nil && skip(filepath.Base(rel)) {
			return nil
		}
		data, _ := os.ReadFile(path)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return out
}

func sameSet(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func setNames(s map[string]string) []string {
	var out []string
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// temporaries lists what writes leave behind under w: staging folders,
// old sets set aside, temporary files, and calibrate's copies and reports
// that the scenario does not name.
func temporaries(t *testing.T, w string) []string {
	t.Helper()
	var out []string
	named := map[string]bool{}
	if set, ok := calibratedSet(t, w); ok {
		for k := range set {
			named[k] = true
		}
	}
	filepath.WalkDir(w, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == w {
			return nil
		}
		name := d.Name()
		rel, _ := filepath.Rel(w, path)
		if strings.Contains(name, ".tmp-") || strings.Contains(name, ".old-") || strings.Contains(name, ".spool-") ||
			(regexp.MustCompile(`^city\.(areas|fit)-`).MatchString(name) && !named[name]) {
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func runOK(t *testing.T, bin, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("patrolsim %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
