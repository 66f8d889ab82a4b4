package outputs

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tree returns the files under dir, by slash path, with their contents;
// folders end in /.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(path)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func names(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func fillWith(files map[string]string) func(string) error {
	return func(stage string) error {
		for name, data := range files {
			p := filepath.Join(stage, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

var runFolder = Folder{Set: "test set", Known: []string{"results.json", "trace.csv"}, Derived: []string{"report.html", "charts"}}

// TestWriteReplacesTheSet: the new set replaces the old one (its manifest's
// files), what was made from it goes, a user's plain files and the
// journals stay, temporaries go, and nothing is left beside the folder.
func TestWriteReplacesTheSet(t *testing.T) {
	root := t.TempDir()
	f := runFolder
	f.Dir = filepath.Join(root, "out")
	ctx := context.Background()
	if err := f.Write(ctx, fillWith(map[string]string{"results.json": "1", "trace.csv": "t1", "areas.geojson": "a1"})); err != nil {
		t.Fatal(err)
	}
	// Made from the set, a user's file, a journal, a temporary of an
	// atomic write interrupted by a crash.
	for name, data := range map[string]string{"report.html": "r1", "charts/a.svg": "c", "notes.txt": "mine", "journal.txt": "j", ".results.json.tmp-123": "x"} {
		os.MkdirAll(filepath.Dir(filepath.Join(f.Dir, name)), 0o755)
		os.WriteFile(filepath.Join(f.Dir, name), []byte(data), 0o644)
	}
	if err := f.Write(ctx, fillWith(map[string]string{"results.json": "2", "details.json": "d2"})); err != nil {
		t.Fatal(err)
	}
	got := tree(t, f.Dir)
	want := []string{ManifestFile, "details.json", "journal.txt", "notes.txt", "results.json"}
	if !slices.Equal(names(got), want) {
		t.Fatalf("folder holds %v, want %v", names(got), want)
	}
	if got["results.json"] != "2" || got["notes.txt"] != "mine" || got["journal.txt"] != "j" {
		t.Errorf("contents: %v", got)
	}
	m, err := ReadManifest(f.Dir)
	if err != nil || !slices.Equal(m.Files, []string{"details.json", "results.json"}) || m.Set != "test set" {
		t.Errorf("manifest %+v, %v", m, err)
	}
	if left := names(tree(t, root)); !slices.Equal(left, []string{"out/", "out/" + ManifestFile, "out/details.json", "out/journal.txt", "out/notes.txt", "out/results.json"}) {
		t.Errorf("beside the folder: %v", left)
	}
}

// TestWriteKeepsTheOldSetOnFailure: a failing fill or a cancelled context
// leaves the old folder exactly as it was and no staging folder.
func TestWriteKeepsTheOldSetOnFailure(t *testing.T) {
	root := t.TempDir()
	f := runFolder
	f.Dir = filepath.Join(root, "out")
	if err := f.Write(context.Background(), fillWith(map[string]string{"results.json": "1"})); err != nil {
		t.Fatal(err)
	}
	before := tree(t, root)
	boom := errors.New("boom")
	if err := f.Write(context.Background(), func(stage string) error {
		os.WriteFile(filepath.Join(stage, "results.json"), []byte("2"), 0o644)
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := f.Write(ctx, func(stage string) error {
		cancel() // Ctrl-C while the set is written
		return fillWith(map[string]string{"results.json": "3"})(stage)
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: got %v", err)
	}
	if after := tree(t, root); !slices.Equal(names(after), names(before)) || after["out/results.json"] != "1" {
		t.Fatalf("after failures: %v, want %v", after, before)
	}
}

func TestCheck(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o644)
	foreign := filepath.Join(root, "project")
	os.MkdirAll(filepath.Join(foreign, "src"), 0o755)
	legacy := filepath.Join(root, "legacy")
	os.MkdirAll(filepath.Join(legacy, "charts"), 0o755)
	os.WriteFile(filepath.Join(legacy, "results.json"), nil, 0o644)
	wd, _ := os.Getwd()
	cases := []struct{ dir, want string }{
		{file, "exists and is not a folder"},
		{foreign, "holds src, which is not of a test set"},
		{wd, "is the current folder or holds it"},
		{filepath.Dir(wd), "is the current folder or holds it"},
		{legacy, ""},
		{filepath.Join(root, "new", "deeper"), ""},
	}
	for _, tc := range cases {
		f := runFolder
		f.Dir = tc.dir
		err := f.Check()
		var fe *Error
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.dir, err)
			}
			continue
		}
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.dir, err, tc.want)
		}
	}
}

// deadPID returns the id of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// TestCleanStale: staging folders and temporaries of processes that ended
// are removed, those of a running process stay; a swap without exchange
// stopped between its renames is completed.
func TestCleanStale(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	os.MkdirAll(dir, 0o755)
	dead := strconv.Itoa(deadPID(t))
	live := strconv.Itoa(os.Getppid())
	for _, name := range []string{".out.tmp-" + dead + "-0123abcd", ".out.old-" + dead + "-0123abce", ".out.tmp-" + live + "-0123abcd", ".out.tmp-x", ".outer.tmp-" + dead + "-0123abcd"} {
		os.MkdirAll(filepath.Join(root, name), 0o755)
	}
	if err := Clean(dir); err != nil {
		t.Fatal(err)
	}
	if got := names(tree(t, root)); !slices.Equal(got, []string{".out.tmp-" + live + "-0123abcd/", ".out.tmp-x/", ".outer.tmp-" + dead + "-0123abcd/", "out/"}) {
		t.Errorf("left: %v", got)
	}

	// Stopped between the renames: the folder is missing, the new set
	// staged and the old one aside.
	root = t.TempDir()
	dir = filepath.Join(root, "out")
	tag := dead + "-00000001"
	os.MkdirAll(filepath.Join(root, ".out.tmp-"+tag), 0o755)
	os.WriteFile(filepath.Join(root, ".out.tmp-"+tag, "results.json"), []byte("new"), 0o644)
	os.MkdirAll(filepath.Join(root, ".out.old-"+tag), 0o755)
	os.WriteFile(filepath.Join(root, ".out.old-"+tag, "results.json"), []byte("old"), 0o644)
	if err := Clean(dir); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, root); !slices.Equal(names(got), []string{"out/", "out/results.json"}) || got["out/results.json"] != "new" {
		t.Errorf("after recovery: %v", got)
	}
	// Stopped after the first rename, before the staging was complete
	// cannot happen (the old folder is set aside only then); an old set
	// aside alone goes back.
	os.RemoveAll(dir)
	os.MkdirAll(filepath.Join(root, ".out.old-"+tag), 0o755)
	os.WriteFile(filepath.Join(root, ".out.old-"+tag, "results.json"), []byte("old"), 0o644)
	if err := Clean(dir); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, root); got["out/results.json"] != "old" || len(got) != 2 {
		t.Errorf("old set back: %v", got)
	}
}

// TestSwapWithoutExchange: the two-rename swap gives the same folder.
func TestSwapWithoutExchange(t *testing.T) {
	root := t.TempDir()
	stage, dir := filepath.Join(root, ".out.tmp-1-00000000"), filepath.Join(root, "out")
	os.MkdirAll(stage, 0o755)
	os.WriteFile(filepath.Join(stage, "a"), []byte("new"), 0o644)
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a"), []byte("old"), 0o644)
	if runtime.GOOS == "linux" {
		if err := exchange(stage, dir); err != nil {
			t.Logf("no exchange on this file system: %v", err)
		} else if data, _ := os.ReadFile(filepath.Join(dir, "a")); string(data) != "new" {
			t.Fatalf("after exchange: %q", data)
		} else {
			exchange(stage, dir) // back
		}
	}
	aside := filepath.Join(root, ".out.old-1-00000000")
	if err := os.Rename(dir, aside); err != nil {
		t.Fatal(err)
	}
	os.Rename(stage, dir)
	os.RemoveAll(aside)
	if got := tree(t, root); got["out/a"] != "new" || len(got) != 2 {
		t.Errorf("got %v", got)
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges")
	}
	root := t.TempDir()
	real := filepath.Join(root, "real")
	os.MkdirAll(real, 0o755)
	link := filepath.Join(root, "link")
	os.Symlink(real, link)
	f := runFolder
	f.Dir = link
	if err := f.Write(context.Background(), fillWith(map[string]string{"results.json": "1"})); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(real, "results.json")); string(data) != "1" {
		t.Fatalf("through the link: %q", data)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.json")
	dead := strconv.Itoa(deadPID(t))
	live := strconv.Itoa(os.Getppid())
	for _, name := range []string{".b.json.tmp-" + dead + "-0123abcd", ".b.json.tmp-" + live + "-0123abcd", ".b.json.tmp-4242", ".c.json.tmp-4242"} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
	}
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if got := names(tree(t, dir)); !slices.Equal(got, []string{".b.json.tmp-" + live + "-0123abcd", ".c.json.tmp-4242", "b.json"}) {
		t.Errorf("left: %v", got)
	}
	boom := errors.New("boom")
	if err := WriteFile(path, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Errorf("after a failed write: %q", data)
	}
}
