package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/patrolsim/patrolsim/cmd/patrolsim/serve"
	"github.com/patrolsim/patrolsim/scenarios"
)

// brokenCase is one broken input of the corpus in testdata/broken: a
// command line run as a program, in a fresh working folder.
type brokenCase struct {
	kind, name string
	// args: {b} is testdata/broken, {w} the case's working folder (the
	// current folder of the command), {fifo} a named pipe in it that no
	// one writes, {bin} 8 KiB of binary data in it, {long} a CSV file
	// in it whose second line is 2 MiB long.
	args []string
	// setup, if set, makes more files in the working folder first.
	setup func(t *testing.T, w string)
	// want: every one is in the message (file, line, field, what).
	want []string
}

// The limits every case must keep: the broken-input corpus proves that no
// input, however broken or endless, takes more.
const (
	brokenTime  = 10 * time.Second // wall time of one case
	brokenMaxRS = 256 << 20        // peak resident memory of one case's process, bytes
)

const gridSweep = "{b}/sweep/good.yaml"

var brokenCases = []brokenCase{
	// Scenario files.
	{kind: "scenario", name: "tab", args: []string{"validate", "{b}/scenario/tab.yaml"}, want: []string{"tab.yaml:9:", "a tab character"}},
	{kind: "scenario", name: "NUL byte", args: []string{"validate", "{b}/scenario/nul.yaml"}, want: []string{"nul.yaml:2:", "control character (byte 0x00)"}},
	{kind: "scenario", name: "undefined alias", args: []string{"validate", "{b}/scenario/alias-undefined.yaml"}, want: []string{"alias-undefined.yaml:9:", "alias *rate"}},
	{kind: "scenario", name: "22-digit seed", args: []string{"validate", "{b}/scenario/seed-22-digits.yaml"}, want: []string{"seed-22-digits.yaml:3: seed:", "1234567890123456789012"}},
	{kind: "scenario", name: "unknown key", args: []string{"validate", "{b}/scenario/unknown-key.yaml"}, want: []string{"unknown-key.yaml:9: incidents.per_dya:", `did you mean "per_day"`}},
	{kind: "scenario", name: "unknown key by alias", args: []string{"validate", "{b}/scenario/unknown-key-alias.yaml"}, want: []string{"unknown-key-alias.yaml:11: units[0].share: unknown key"}},
	{kind: "scenario", name: "alias bomb", args: []string{"validate", "{b}/scenario/alias-bomb.yaml"}, want: []string{"alias-bomb.yaml"}},
	{kind: "scenario", name: "syntax", args: []string{"validate", "{b}/scenario/syntax.yaml"}, want: []string{"syntax.yaml:"}},
	{kind: "scenario", name: "not YAML", args: []string{"validate", "{b}/scenario/zip-bytes.yaml"}, want: []string{"zip-bytes.yaml:1:"}},
	{kind: "scenario", name: "empty", args: []string{"validate", "{b}/scenario/empty.yaml"}, want: []string{"empty.yaml"}},
	{kind: "scenario", name: "negative rate", args: []string{"run", "{b}/scenario/negative-rate.yaml", "-o", "{w}/out"}, want: []string{"negative-rate.yaml:9: incidents.per_day:", "(got -10)"}},
	{kind: "scenario", name: "binary", args: []string{"validate", "{bin}"}, want: []string{"data.bin", "UTF-8"}},
	{kind: "scenario", name: "/dev/zero", args: []string{"validate", "/dev/zero"}, want: []string{"cannot read scenario /dev/zero: not a regular file but a character device"}},
	{kind: "scenario", name: "FIFO", args: []string{"run", "{fifo}", "-o", "{w}/out"}, want: []string{"fifo.geojson: not a regular file but a named pipe"}},
	{kind: "scenario", name: "areas /dev/zero", args: []string{"validate", "{b}/scenario/areas-devzero.yaml"}, want: []string{"areas-devzero.yaml:7: city.areas:", "/dev/zero"}},
	{kind: "scenario", name: "areas FIFO", args: []string{"validate", "{w}/areas-fifo.yaml"},
		setup: copyInto("scenario/areas-fifo.yaml"), want: []string{"areas-fifo.yaml:7: city.areas:", "named pipe"}},
	{kind: "scenario", name: "name with ..", args: []string{"baseline", "{b}/scenario/name-escape.yaml"}, want: []string{`the scenario's name "../escaped" cannot name the baseline file`, "-o"}},
	{kind: "scenario", name: "absolute name", args: []string{"baseline", "{b}/scenario/name-absolute.yaml"}, want: []string{`"/tmp/absolute" cannot name the baseline file`}},
	{kind: "scenario", name: "name with a newline", args: []string{"baseline", "{b}/scenario/name-newline.yaml"}, want: []string{`"two\nlines" cannot name the baseline file`, "control character"}},
	{kind: "scenario", name: "-o names a file", args: []string{"run", "builtin:grid", "-o", "{w}/taken"}, setup: makeFile("taken"), want: []string{"taken: exists and is not a folder"}},
	{kind: "scenario", name: "-o holds other folders", args: []string{"run", "builtin:grid", "-o", "{w}/project"}, setup: makeFile("project/src/main.go"), want: []string{"holds src, which is not of a run's results"}},
	{kind: "scenario", name: "-o is the current folder", args: []string{"run", "builtin:grid", "-o", "."}, want: []string{"output folder .: is the current folder"}},

	// GeoJSON, as a scenario's areas and as calibrate's.
	{kind: "geojson", name: "unclosed ring", args: []string{"validate", "{b}/geojson/unclosed-ring.yaml"}, want: []string{"unclosed-ring.yaml:7: city.areas:", "unclosed-ring.geojson"}},
	{kind: "geojson", name: "self-intersecting", args: []string{"validate", "{b}/geojson/self-intersecting.yaml"}, want: []string{"self-intersecting.yaml:7: city.areas:", "self-intersecting.geojson"}},
	{kind: "geojson", name: "not JSON", args: []string{"validate", "{b}/geojson/not-json.yaml"}, want: []string{"not-json.yaml:7: city.areas:", "not-json.geojson"}},
	{kind: "geojson", name: "point for a polygon", args: []string{"validate", "{b}/geojson/point-not-polygon.yaml"}, want: []string{"point-not-polygon.yaml:7: city.areas:", "Point"}},
	{kind: "geojson", name: "no district", args: []string{"validate", "{b}/geojson/no-district.yaml"}, want: []string{"no-district.yaml:7: city.areas:", "district"}},
	{kind: "geojson", name: "empty", args: []string{"validate", "{b}/geojson/empty.yaml"}, want: []string{"empty.yaml:7: city.areas:"}},
	{kind: "geojson", name: "truncated", args: []string{"validate", "{b}/geojson/truncated.yaml"}, want: []string{"truncated.yaml:7: city.areas:", "truncated.geojson"}},
	{kind: "geojson", name: "calibrate unclosed ring", args: calibrateArgs("{b}/calibrate/good.csv", "{b}/geojson/unclosed-ring.geojson"), want: []string{"unclosed-ring.geojson"}},
	{kind: "geojson", name: "calibrate not JSON", args: calibrateArgs("{b}/calibrate/good.csv", "{b}/geojson/not-json.geojson"), want: []string{"not-json.geojson"}},
	{kind: "geojson", name: "calibrate areas /dev/zero", args: calibrateArgs("{b}/calibrate/good.csv", "/dev/zero"), want: []string{"/dev/zero", "character device"}},
	{kind: "geojson", name: "calibrate areas FIFO", args: calibrateArgs("{b}/calibrate/good.csv", "{fifo}"), want: []string{"fifo.geojson", "named pipe"}},

	// Sweep files.
	{kind: "sweep", name: "typo", args: []string{"sweep", "{b}/sweep/typo.yaml", "-o", "{w}/out"}, want: []string{"typo.yaml:3:", `unknown key "desing" (did you mean "design"?)`}},
	{kind: "sweep", name: "not whole", args: []string{"sweep", "{b}/sweep/not-whole.yaml", "-o", "{w}/out"}, want: []string{"not-whole.yaml:4: replications: must be a whole number (got \"1.5\")"}},
	{kind: "sweep", name: "list for a number", args: []string{"sweep", "{b}/sweep/list-for-number.yaml", "-o", "{w}/out"}, want: []string{"list-for-number.yaml:4: replications: must be a single value"}},
	{kind: "sweep", name: "bad value", args: []string{"sweep", "{b}/sweep/bad-value.yaml", "-o", "{w}/out"}, want: []string{"bad-value.yaml:6: params.units[car].count: the value -1"}},
	{kind: "sweep", name: "bad path", args: []string{"sweep", "{b}/sweep/bad-path.yaml", "-o", "{w}/out"}, want: []string{"bad-path.yaml:6: params.units[van].count:", `no units named "van"`}},
	{kind: "sweep", name: "syntax", args: []string{"sweep", "{b}/sweep/syntax.yaml", "-o", "{w}/out"}, want: []string{"syntax.yaml:"}},
	{kind: "sweep", name: "tab", args: []string{"sweep", "{b}/sweep/tab.yaml", "-o", "{w}/out"}, want: []string{"tab.yaml:6: a tab character"}},
	{kind: "sweep", name: "missing base", args: []string{"sweep", "{b}/sweep/missing-base.yaml", "-o", "{w}/out"}, want: []string{"missing-base.yaml:2: scenario: cannot read", "missing.yaml"}},
	{kind: "sweep", name: "base /dev/zero", args: []string{"sweep", "{b}/sweep/base-devzero.yaml", "-o", "{w}/out"}, want: []string{"base-devzero.yaml:2: scenario:", "character device"}},
	{kind: "sweep", name: "broken base", args: []string{"sweep", "{b}/sweep/base-broken.yaml", "-o", "{w}/out"}, want: []string{"base-broken.yaml: the base scenario is invalid: 1 problem(s) in the scenario:", "tab.yaml:9: a tab character"}},
	{kind: "sweep", name: "sweep file /dev/zero", args: []string{"sweep", "/dev/zero", "-o", "{w}/out"}, want: []string{"/dev/zero", "character device"}},
	{kind: "sweep", name: "sweep file FIFO", args: []string{"sweep", "{fifo}", "-o", "{w}/out"}, want: []string{"fifo.geojson", "named pipe"}},
	{kind: "sweep", name: "binary sweep file", args: []string{"sweep", "{bin}", "-o", "{w}/out"}, want: []string{"data.bin:1: invalid leading UTF-8 octet: is this a YAML file?"}},
	{kind: "sweep", name: "-o names a file", args: []string{"sweep", gridSweep, "-o", "{w}/taken"}, setup: makeFile("taken"), want: []string{"taken: exists and is not a folder"}},

	// Incident CSVs.
	{kind: "csv", name: "malformed quotes", args: calibrateArgs("{b}/calibrate/quotes.csv", "{b}/geojson/good-areas.geojson"), want: []string{"quotes.csv:2:", "5 of 6 rows"}},
	{kind: "csv", name: "no such column", args: calibrateArgs("{b}/calibrate/no-column.csv", "{b}/geojson/good-areas.geojson"), want: []string{"no-column.csv:", `no column "longitude"`, `"when", "x", "y"`}},
	{kind: "csv", name: "empty", args: calibrateArgs("{b}/calibrate/empty.csv", "{b}/geojson/good-areas.geojson"), want: []string{"empty.csv: empty"}},
	{kind: "csv", name: "header only", args: calibrateArgs("{b}/calibrate/header-only.csv", "{b}/geojson/good-areas.geojson"), want: []string{"header-only.csv: no data rows"}},
	{kind: "csv", name: "all outside", args: calibrateArgs("{b}/calibrate/outside.csv", "{b}/geojson/good-areas.geojson"), want: []string{"outside.csv: no record", "inside an area"}},
	{kind: "csv", name: "bad values", args: calibrateArgs("{b}/calibrate/bad-values.csv", "{b}/geojson/good-areas.geojson"), want: []string{"bad-values.csv:2:", `"yesterday"`, "bad-values.csv:3:", `"abc"`}},
	{kind: "csv", name: "binary", args: calibrateArgs("{bin}", "{b}/geojson/good-areas.geojson"), want: []string{"data.bin", "binary data"}},
	{kind: "csv", name: "endless line", args: calibrateArgs("{long}", "{b}/geojson/good-areas.geojson"), want: []string{"long.csv:2: line 2 is longer than 1 MiB"}},
	{kind: "csv", name: "/dev/zero", args: calibrateArgs("/dev/zero", "{b}/geojson/good-areas.geojson"), want: []string{"/dev/zero", "character device"}},
	{kind: "csv", name: "FIFO", args: calibrateArgs("{fifo}", "{b}/geojson/good-areas.geojson"), want: []string{"fifo.geojson", "named pipe"}},
	{kind: "csv", name: "-o names a folder", args: append(calibrateArgs("{b}/calibrate/good.csv", "{b}/geojson/good-areas.geojson")[:9], "-o", "{w}/taken"), setup: makeFile("taken/x"), want: []string{"taken: exists and is not a file"}},

	// Baselines and check files.
	{kind: "baseline", name: "truncated", args: []string{"check", "builtin:grid", "--baseline", "{b}/baseline/truncated.json"}, want: []string{"truncated.json", "not a patrolsim baseline"}},
	{kind: "baseline", name: "garbage", args: []string{"check", "builtin:grid", "--baseline", "{b}/baseline/garbage.json"}, want: []string{"garbage.json", "not a patrolsim baseline"}},
	{kind: "baseline", name: "format 9", args: []string{"check", "builtin:grid", "--baseline", "{b}/baseline/wrong-format.json"}, want: []string{"wrong-format.json: format: must be 1 or 2 (got 9)"}},
	{kind: "baseline", name: "array", args: []string{"check", "builtin:grid", "--baseline", "{b}/baseline/array.json"}, want: []string{"array.json: not a patrolsim baseline: line 1: must be an object (got an array)"}},
	{kind: "baseline", name: "wrong type", args: []string{"check", "builtin:grid", "--baseline", "{b}/baseline/wrong-type.json"}, want: []string{"wrong-type.json: not a patrolsim baseline: line 1: seed: must be a whole number from 0 to 18446744073709551615 (got a string)"}},
	{kind: "baseline", name: "negative seed", args: []string{"check", "builtin:grid", "--baseline", "{b}/baseline/negative-seed.json"}, want: []string{"negative-seed.json: not a patrolsim baseline: line 1: seed: must be a whole number from 0 to 18446744073709551615 (got -1)"}},
	{kind: "baseline", name: "binary", args: []string{"check", "builtin:grid", "--baseline", "{bin}"}, want: []string{"data.bin", "not a patrolsim baseline"}},
	{kind: "baseline", name: "/dev/zero", args: []string{"check", "builtin:grid", "--baseline", "/dev/zero"}, want: []string{"cannot read baseline /dev/zero", "character device"}},
	{kind: "baseline", name: "FIFO", args: []string{"check", "builtin:grid", "--baseline", "{fifo}"}, want: []string{"fifo.geojson", "named pipe"}},
	{kind: "baseline", name: "update a folder", args: []string{"check", "builtin:grid", "--baseline", "{w}/taken", "--update"}, setup: makeFile("taken/x"), want: []string{"taken", "folder"}},
	{kind: "baseline", name: "-o names a folder", args: []string{"baseline", "builtin:grid", "-o", "{w}/taken"}, setup: makeFile("taken/x"), want: []string{"baseline", "taken is a folder"}},
	{kind: "baseline", name: "check file tab", args: []string{"check", "builtin:grid", "--baseline", "{w}/b.json", "--update", "--config", "{b}/checkconfig/tab.yaml"}, want: []string{"tab.yaml:", "tab character"}}, // the line: results.ParseCheckConfig says 3 for 4
	{kind: "baseline", name: "check file /dev/zero", args: []string{"check", "builtin:grid", "--baseline", "{w}/b.json", "--update", "--config", "/dev/zero"}, want: []string{"cannot read check file /dev/zero", "character device"}},
	{kind: "baseline", name: "check file unknown key", args: []string{"check", "builtin:grid", "--baseline", "{w}/b.json", "--update", "--config", "{b}/checkconfig/unknown-key.yaml"}, want: []string{"unknown-key.yaml:1:", "levle"}},
	{kind: "baseline", name: "check file bad level", args: []string{"check", "builtin:grid", "--baseline", "{w}/b.json", "--update", "--config", "{b}/checkconfig/bad-level.yaml"}, want: []string{"bad-level.yaml:1: level:", "7"}},

	// Journals and the folders merge reads.
	{kind: "journal", name: "garbage", args: []string{"merge", gridSweep, "-o", "{w}/out"}, setup: journals(map[string]string{"out/journal-0-of-2.txt": "\x89PNG\r\n\x1a\nnot a journal\x00\n"}), want: []string{"journal-0-of-2.txt:1: not a sweep journal: the first line is not a journal header (it is binary data (starts \"\\x89PNG"}},
	{kind: "journal", name: "of another sweep", args: []string{"merge", gridSweep, "-o", "{w}/out"}, setup: journals(map[string]string{"out/journal-0-of-2.txt": otherSweepHeader}), want: []string{"journal-0-of-2.txt", "the sweep or its scenario changed"}},
	{kind: "journal", name: "header cut short", args: []string{"merge", gridSweep, "-o", "{w}/out"}, setup: journals(map[string]string{"out/journal-0-of-2.txt": `{"sweep":"sha256:ab`}), want: []string{"journal-0-of-2.txt: no journal header"}},
	{kind: "journal", name: "corrupt line", args: []string{"merge", gridSweep, "-o", "{w}/out"}, setup: sweepShards(func(j string) string { return strings.Replace(j, "\t", "\tNaN,x,", 1) + "0\t1\n" }), want: []string{"journal-0-of-2.txt:2: corrupt journal line"}},
	{kind: "journal", name: "FIFO", args: []string{"merge", gridSweep, "-o", "{w}/out"}, setup: fifoAt("out/journal-1-of-2.txt"), want: []string{"journal-1-of-2.txt", "named pipe"}},
	{kind: "journal", name: "line without end", args: []string{"merge", gridSweep, "-o", "{w}/out"}, setup: longJournal, want: []string{"journal-0-of-2.txt:1: a line longer than 1 MiB"}},
	{kind: "merge", name: "no journals", args: []string{"merge", gridSweep, "-o", "{w}/out", "{w}/elsewhere"}, want: []string{"no journal-I-of-N.txt in", "out", "elsewhere"}},
	{kind: "merge", name: "a slice twice", args: []string{"merge", gridSweep, "-o", "{w}/out", "{w}/copy"}, setup: sweepShards(nil, "copy/journal-0-of-2.txt"), want: []string{"journal-0-of-2.txt: slice 0, as", "is: give each slice once"}},
	{kind: "merge", name: "a slice missing", args: []string{"merge", gridSweep, "-o", "{w}/out"}, setup: sweepShards(nil, "-out/journal-1-of-2.txt"), want: []string{"items are missing: 1 of 2"}},
	{kind: "merge", name: "-o names a file", args: []string{"merge", gridSweep, "-o", "{w}/taken", "{w}/out"}, setup: func(t *testing.T, w string) { sweepShards(nil)(t, w); makeFile("taken")(t, w) }, want: []string{"taken: exists and is not a folder"}},
}

// otherSweepHeader is a journal header of a sweep that is not sweep/good.yaml.
const otherSweepHeader = `{"format":2,"sweep":"sha256:0000000000000000000000000000000000000000000000000000000000000000","items":2,"points":2,"replications":1,"shard":0,"shards":2,"variants":["random","beats"],"metrics":["a"]}` + "\n"

func calibrateArgs(csv, areas string) []string {
	return []string{"calibrate", "--incidents", csv, "--areas", areas, "--time", "date", "--district-field", "district", "-o", "{w}/city.yaml"}
}

// copyInto copies testdata/broken/rel into the working folder and makes a
// FIFO fifo.geojson beside it.
func copyInto(rel string) func(t *testing.T, w string) {
	return func(t *testing.T, w string) {
		data, err := os.ReadFile(filepath.Join("testdata", "broken", rel))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(w, filepath.Base(rel)), data, 0o644)
		mkfifo(t, filepath.Join(w, "fifo.geojson"))
	}
}

func makeFile(rel string) func(t *testing.T, w string) {
	return func(t *testing.T, w string) {
		p := filepath.Join(w, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("mine\n"), 0o644)
	}
}

func fifoAt(rel string) func(t *testing.T, w string) {
	return func(t *testing.T, w string) {
		sweepShards(nil, "-"+rel)(t, w)
		mkfifo(t, filepath.Join(w, rel))
	}
}

func journals(files map[string]string) func(t *testing.T, w string) {
	return func(t *testing.T, w string) {
		for rel, data := range files {
			p := filepath.Join(w, rel)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(data), 0o644)
		}
	}
}

func longJournal(t *testing.T, w string) {
	os.MkdirAll(filepath.Join(w, "out"), 0o755)
	os.WriteFile(filepath.Join(w, "out", "journal-0-of-2.txt"), bytes.Repeat([]byte("{"), 2<<20), 0o644)
}

// sweepShards runs both slices of sweep/good.yaml into w/out (once per
// test binary, then copied), passes slice 0's journal through edit (if
// set), and makes the extra files: "copy/journal-0-of-2.txt" copies slice
// 0 there, "-out/journal-1-of-2.txt" removes slice 1.
func sweepShards(edit func(string) string, extra ...string) func(t *testing.T, w string) {
	return func(t *testing.T, w string) {
		t.Helper()
		out := filepath.Join(w, "out")
		for i := range 2 {
			data := shardJournal(t, i)
			if i == 0 && edit != nil {
				data = edit(data)
			}
			os.MkdirAll(out, 0o755)
			os.WriteFile(filepath.Join(out, "journal-"+strconv.Itoa(i)+"-of-2.txt"), []byte(data), 0o644)
		}
		for _, e := range extra {
			if rel, ok := strings.CutPrefix(e, "-"); ok {
				os.Remove(filepath.Join(w, rel))
				continue
			}
			p := filepath.Join(w, e)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(shardJournal(t, 0)), 0o644)
		}
	}
}

var shardJournals = map[int]string{}

// shardJournal returns the journal of slice i of 2 of sweep/good.yaml.
func shardJournal(t *testing.T, i int) string {
	t.Helper()
	if j, ok := shardJournals[i]; ok {
		return j
	}
	dir := t.TempDir()
	for k := range 2 {
		cmd := exec.Command(patrolsimBinary(t), "sweep", filepath.Join("testdata", "broken", "sweep", "good.yaml"), "-o", dir, "--shard", strconv.Itoa(k)+"/2", "-q")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("slice %d: %v\n%s", k, err, out)
		}
		data, err := os.ReadFile(filepath.Join(dir, "journal-"+strconv.Itoa(k)+"-of-2.txt"))
		if err != nil {
			t.Fatal(err)
		}
		shardJournals[k] = string(data)
	}
	return shardJournals[i]
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

// listing describes every file and folder under dir: path, type, size and
// modification time.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, rel+" "+info.Mode().String()+" "+strconv.FormatInt(info.Size(), 10)+" "+info.ModTime().String())
		return nil
	})
	slices.Sort(out)
	return out
}

// TestBrokenInputs runs every case of the corpus as a program: it must
// exit with status 2 and a message naming the file, line and field where
// there are ones, without a panic, without writing anything (the working
// folder and the corpus are as they were), within brokenTime and
// brokenMaxRS. .ci/run runs it under a memory cap too.
func TestBrokenInputs(t *testing.T) {
	if runtime.GOOS == "windows" || raceEnabled {
		t.Skip("FIFOs and /dev/zero; not under the race detector (the processes it watches are not this one)")
	}
	bin := patrolsimBinary(t)
	corpus, _ := filepath.Abs(filepath.Join("testdata", "broken"))
	before := listing(t, corpus)
	kinds := map[string]int{}
	for _, tc := range brokenCases {
		kinds[tc.kind]++
		t.Run(tc.kind+"/"+tc.name, func(t *testing.T) {
			w := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, w)
			}
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				switch a {
				case "{fifo}":
					a = filepath.Join(w, "fifo.geojson")
					mkfifo(t, a)
				case "{bin}":
					a = filepath.Join(w, "data.bin")
					os.WriteFile(a, binaryData(8<<10), 0o644)
				case "{long}":
					a = filepath.Join(w, "long.csv")
					os.WriteFile(a, append([]byte("date,longitude,latitude\n"), bytes.Repeat([]byte("x"), 2<<20)...), 0o644)
				}
				args[i] = strings.NewReplacer("{b}", corpus, "{w}", w).Replace(a)
			}
			made := listing(t, w)
			ctx, cancel := context.WithTimeout(context.Background(), 3*brokenTime)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = w
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)
			msg := stderr.String()
			if testing.Verbose() {
				t.Logf("patrolsim %s\n%s", strings.Join(tc.args, " "), msg)
			}
			code := -1
			if cmd.ProcessState != nil {
				code = cmd.ProcessState.ExitCode()
			}
			if code != 2 {
				t.Errorf("exit status %d (%v), want 2; stderr:\n%s", code, err, msg)
			}
			for _, want := range tc.want {
				if !strings.Contains(msg, want) {
					t.Errorf("the message lacks %q:\n%s", want, msg)
				}
			}
			for _, bad := range []string{"panic", "goroutine ", "runtime error", "sweep.File", "*yaml.Node", "Go struct", "Go value", "of type"} {
				if strings.Contains(msg, bad) {
					t.Errorf("the message shows %q:\n%s", bad, msg)
				}
			}
			if elapsed > brokenTime {
				t.Errorf("took %v, more than %v", elapsed, brokenTime)
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss*1024 > brokenMaxRS {
				t.Errorf("peak resident memory %d MiB, more than %d MiB", ru.Maxrss>>10, brokenMaxRS>>20)
			}
			if after := listing(t, w); !slices.Equal(after, made) {
				t.Errorf("the working folder changed:\nbefore %q\nafter  %q", made, after)
			}
		})
	}
	if after := listing(t, corpus); !slices.Equal(after, before) {
		t.Errorf("the corpus changed")
	}
	for _, k := range []string{"scenario", "geojson", "sweep", "csv", "baseline", "journal", "merge"} {
		if kinds[k] == 0 {
			t.Errorf("no case of kind %s", k)
		}
	}
}

// binaryData returns n bytes of noise with NUL bytes (fixed seed), which
// starts like no compiled program (.ci/run refuses those).
func binaryData(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	copy(b, "\x89PNG\r\n\x1a\n\x00\x00")
	return b
}

// TestBrokenUploads sends the corpus's broken scenarios and data files to
// the what-if server as uploads and bodies: each is answered 4xx with the
// file, line and field, and the server goes on serving.
func TestBrokenUploads(t *testing.T) {
	b := filepath.Join("testdata", "broken")
	read := func(rel string) []byte {
		data, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	opts, err := serveOptions("builtin:grid", 1)
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
	type file struct {
		field, name string
		data        []byte
	}
	cases := []struct {
		name  string
		files []file
		body  io.Reader // instead of files
		ctype string
		code  int
		want  []string
	}{
		{name: "tab", files: []file{{"scenario", "tab.yaml", read("scenario/tab.yaml")}}, code: 400, want: []string{"tab.yaml:9:", "a tab character"}},
		{name: "NUL byte", files: []file{{"scenario", "nul.yaml", read("scenario/nul.yaml")}}, code: 400, want: []string{"nul.yaml:2:", "control character"}},
		{name: "unknown key by alias", files: []file{{"scenario", "u.yaml", read("scenario/unknown-key-alias.yaml")}}, code: 400, want: []string{"u.yaml:11: units[0].share: unknown key"}},
		{name: "alias bomb", files: []file{{"scenario", "bomb.yaml", read("scenario/alias-bomb.yaml")}}, code: 400, want: []string{"bomb.yaml"}},
		{name: "binary", files: []file{{"scenario", "data.bin", binaryData(8 << 10)}}, code: 400, want: []string{"data.bin", "UTF-8"}},
		{name: "unclosed ring", files: []file{{"scenario", "city.yaml", read("geojson/unclosed-ring.yaml")}, {"data", "unclosed-ring.geojson", read("geojson/unclosed-ring.geojson")}}, code: 400, want: []string{"city.yaml:7: city.areas:", "unclosed-ring.geojson"}},
		{name: "self-intersecting", files: []file{{"scenario", "city.yaml", read("geojson/self-intersecting.yaml")}, {"data", "self-intersecting.geojson", read("geojson/self-intersecting.geojson")}}, code: 400, want: []string{"city.yaml:7: city.areas:"}},
		{name: "data file missing", files: []file{{"scenario", "city.yaml", read("geojson/unclosed-ring.yaml")}}, code: 400, want: []string{"city.yaml:7: city.areas:", "not uploaded"}},
		{name: "areas /dev/zero", files: []file{{"scenario", "city.yaml", read("scenario/areas-devzero.yaml")}}, code: 400, want: []string{"city.yaml:7: city.areas:"}},
		{name: "name with folders", files: []file{{"scenario", "../x.yaml", read("scenario/tab.yaml")}}, code: 400, want: []string{"not a plain file name"}},
		{name: "endless body", body: io.MultiReader(strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"scenario\"; filename=\"z.yaml\"\r\n\r\n"), io.LimitReader(zeroReader{}, serve.MaxUploadBytes+1<<20)), ctype: "multipart/form-data; boundary=x", code: 413, want: []string{"larger than the limit of 32 MiB"}},
		{name: "endless headers", body: io.LimitReader(zeroReader{}, serve.MaxUploadBytes+1<<20), ctype: "multipart/form-data; boundary=x", code: 400},
		{name: "not multipart", body: strings.NewReader("{}"), ctype: "application/json", code: 415},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, ctype := tc.body, tc.ctype
			if body == nil {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for _, f := range tc.files {
					h := make(map[string][]string)
					h["Content-Disposition"] = []string{`form-data; name="` + f.field + `"; filename="` + f.name + `"`}
					h["Content-Type"] = []string{"application/octet-stream"}
					p, _ := mw.CreatePart(h)
					p.Write(f.data)
				}
				mw.Close()
				body, ctype = &buf, mw.FormDataContentType()
			}
			start := time.Now()
			resp, err := http.Post(ts.URL+"/api/scenarios", ctype, body)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Errorf("%d, want %d: %s", resp.StatusCode, tc.code, out)
			}
			for _, want := range tc.want {
				if !strings.Contains(string(out), want) {
					t.Errorf("the answer lacks %q: %s", want, out)
				}
			}
			limit := brokenTime
			if raceEnabled {
				limit *= 5 // the race detector slows reading 33 MiB about tenfold
			}
			if d := time.Since(start); d > limit {
				t.Errorf("took %v, more than %v", d, limit)
			}
		})
	}
	// Still serving, and still without uploads.
	resp, err := http.Get(ts.URL + "/api/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Count(string(out), `"id"`) != 1 {
		t.Errorf("after the broken uploads: %d %s", resp.StatusCode, out)
	}
	_ = scenarios.MaxFileBytes
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
