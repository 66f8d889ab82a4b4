package arch

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/patrolsim/patrolsim"

// mayImport lists, for each package of the module (by path under the
// module), the module packages it may import: the layers of
// docs/architecture.md. A pattern ending in /... also matches everything
// under it. A package missing from the table fails the test, so a new
// package must be placed in a layer.
var mayImport = map[string][]string{
	// Leaves: helpers for the whole module.
	"internal/errlist":     nil,
	"internal/yamlnode":    nil,
	"internal/shareddata":  nil,
	"internal/browsertest": nil,
	"internal/arch":        nil,
	"internal/inputs":      nil,
	"internal/outputs":     nil,
	"internal/suggest":     nil,

	// sim: the engine and the model, nothing above it.
	"sim/des":      nil,
	"sim/rng":      nil,
	"sim/analytic": {"sim/geo"}, // its tests check the geometry formulas against sim/geo
	"sim/geo":      {"internal/errlist"},
	"sim/policy":   {"sim/geo", "internal/errlist"},
	"sim":          {"sim/des", "sim/rng", "sim/geo", "sim/policy"},

	// results: what a run measures, its statistics and file formats.
	"results": {"sim", "sim/des", "sim/rng", "sim/geo", "sim/policy", "internal/..."},

	// scenarios: what goes in, and playing it.
	"scenarios":           {"sim/...", "results", "internal/..."},
	"scenarios/run":       {"sim/...", "results", "scenarios", "internal/..."},
	"scenarios/hypercube": {"sim/...", "results", "scenarios", "scenarios/run", "internal/..."},
	"scenarios/calibrate": {"sim/...", "results", "scenarios", "internal/..."},
	"scenarios/sweep":     {"sim/...", "results", "scenarios", "scenarios/run", "internal/..."},
	"scenarios/optimize":  {"sim/...", "results", "scenarios", "scenarios/run", "scenarios/hypercube", "scenarios/sweep", "results/report", "internal/..."},

	// Outputs drawn from what was played.
	"results/report": {"sim/...", "results", "scenarios", "scenarios/run", "scenarios/sweep", "internal/..."},

	// The command and its server: wiring only.
	"cmd/patrolsim/serve": {"sim/...", "results/...", "scenarios/...", "internal/..."},
	"cmd/patrolsim":       {"sim/...", "results/...", "scenarios/...", "cmd/patrolsim/serve", "internal/..."},
}

// testHelpers may be imported by any package's tests.
var testHelpers = []string{"internal/shareddata", "internal/browsertest"}

func allowed(pkg, imp string) bool {
	for _, p := range mayImport[pkg] {
		if rest, ok := strings.CutSuffix(p, "/..."); ok {
			if imp == rest || strings.HasPrefix(imp, rest+"/") {
				return true
			}
		} else if imp == p {
			return true
		}
	}
	return false
}

// TestLayers: every import between the module's packages (tests included)
// follows mayImport.
func TestLayers(t *testing.T) {
	// (-pgo=off: with cmd/patrolsim/default.pgo, go list of several
	// packages forks the command's dependencies for its profile and names
	// them in its imports as "results [module/cmd/patrolsim]"; the
	// layers are about packages, not their builds.)
	out, err := exec.Command("go", "list", "-pgo=off", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if rel == "" || strings.HasPrefix(rel, "scenarios/jinzhou") {
			continue // scenarios/jinzhou is the generator of the built-in city's data (package main, not built)
		}
		if _, ok := mayImport[rel]; !ok && strings.HasPrefix(rel, "internal/") {
			mayImport[rel] = []string{"internal/..."} // a helper: other helpers only
		}
		if _, ok := mayImport[rel]; !ok {
			t.Errorf("%s: not in any layer: add it to mayImport and docs/architecture.md", rel)
			continue
		}
		for i, list := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range list {
				r, ok := strings.CutPrefix(imp, module+"/")
				if !ok || r == rel {
					continue
				}
				if !allowed(rel, r) && !(i > 0 && slices.Contains(testHelpers, r)) {
					t.Errorf("%s imports %s, which its layer does not allow (docs/architecture.md)", rel, r)
				}
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list found %d packages, want the whole module", seen)
	}
}
