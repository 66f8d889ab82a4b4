package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/patrolsim/patrolsim/internal/outputs"
)

// TestWriteIsOneSet: Write replaces the previous run's set as a whole: a
// report drawn from it and its stale files go, a user's plain file stays,
// nothing is left beside the folder; a write stopped (ctx done) before the
// swap leaves the previous set byte for byte; a folder holding another
// folder is refused before anything is written.
func TestWriteIsOneSet(t *testing.T) {
	s := loadBuiltin(t, "grid", 2)
	res, err := Execute(context.Background(), s, Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	if err := Write(dir, s, res); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "report.html"), []byte("of the previous run"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, ".results.json.tmp-12345"), []byte("half"), 0o644)
	before := readDir(t, dir)

	// Stopped before the swap: the folder as it was.
	ctx, cancel := context.WithCancel(context.Background())
	err = WriteWith(ctx, dir, s, res, func(stage string) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: %v", err)
	}
	if after := readDir(t, dir); !equalDirs(before, after) {
		t.Fatalf("a stopped write changed the folder:\n%v\n%v", dirNames(before), dirNames(after))
	}

	plain, err := Execute(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, s, plain); err != nil {
		t.Fatal(err)
	}
	got := dirNames(readDir(t, dir))
	want := []string{outputs.ManifestFile, AreasFile, DetailsFile, "notes.txt", ReplicationsFile, ResultsFile, ScenarioFile}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the folder holds %v, want %v", got, want)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Errorf("beside the folder: %v", entries)
	}
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	var fe *outputs.Error
	if err := Write(dir, s, plain); !errors.As(err, &fe) {
		t.Errorf("a folder holding another folder: %v", err)
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(data)
	}
	return out
}

func dirNames(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func equalDirs(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
