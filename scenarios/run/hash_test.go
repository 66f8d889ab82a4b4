package run

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/scenarios"
)

// copyFiles copies the named files of folder from into folder to.
func copyFiles(t *testing.T, from, to string, names ...string) {
	t.Helper()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func hashOf(t *testing.T, path string) string {
	t.Helper()
	s, err := scenarios.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Hash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestHashGolden: the hash of testdata/roads (areas, posts and roads) is
// the one `patrolsim baseline` wrote before this package existed
// (cmd/patrolsim's scenarioHash at commit 82a2b0a), so baselines written
// then still match.
func TestHashGolden(t *testing.T) {
	const want = "sha256:35e69b1b87f3717e3f99e6d12cdbbaa85ac00feb275439402208a99b28847c90"
	if got := hashOf(t, filepath.Join("testdata", "roads", "scenario.yaml")); got != want {
		t.Errorf("hash %s, want %s", got, want)
	}
}

// TestHash: a copy of a built-in scenario hashes as the built-in one;
// editing the scenario (even a comment) or any data file (posts, routes,
// areas, roads) changes the hash, and moving the files does not.
func TestHash(t *testing.T) {
	dir := t.TempDir()
	copyFiles(t, filepath.Join("..", "jinzhou"), dir, "scenario.yaml", "communities.geojson", "posts.geojson", "routes.geojson")
	builtin, err := scenarios.LoadBuiltin("jinzhou")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Hash(builtin)
	if err != nil {
		t.Fatal(err)
	}
	copied := hashOf(t, filepath.Join(dir, "scenario.yaml"))
	if copied != want || !strings.HasPrefix(want, "sha256:") || len(want) != len("sha256:")+64 {
		t.Fatalf("copy %s, built-in %s: want equal sha256 hashes", copied, want)
	}
	seen := map[string]string{"unchanged": copied}
	for _, edit := range []struct{ name, file, text string }{
		{"posts edited", "posts.geojson", "\n"},
		{"routes edited", "routes.geojson", "\n"},
		{"scenario comment", "scenario.yaml", "# a comment\n"},
	} {
		appendTo(t, filepath.Join(dir, edit.file), edit.text)
		h := hashOf(t, filepath.Join(dir, "scenario.yaml"))
		for prev, ph := range seen {
			if h == ph {
				t.Errorf("%s: same hash as %s", edit.name, prev)
			}
		}
		seen[edit.name] = h
	}

	roads := t.TempDir()
	files := []string{"scenario.yaml", "areas.geojson", "posts.geojson", "roads.geojson"}
	copyFiles(t, filepath.Join("testdata", "roads"), roads, files...)
	path := filepath.Join(roads, "scenario.yaml")
	if got, want := hashOf(t, path), hashOf(t, filepath.Join("testdata", "roads", "scenario.yaml")); got != want {
		t.Errorf("moved: hash %s, want %s as before the move", got, want)
	}
	seen = map[string]string{"unchanged": hashOf(t, path)}
	for _, file := range []string{"roads.geojson", "areas.geojson"} {
		appendTo(t, filepath.Join(roads, file), "\n")
		h := hashOf(t, path)
		for prev, ph := range seen {
			if h == ph {
				t.Errorf("%s edited: same hash as %s", file, prev)
			}
		}
		seen[file] = h
	}
}
