package sweep

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// TestSweepAreas: a sweep's areas.geojson parses with orb, holds one valid
// feature per point and area with the point's swept values (typed), and
// each point's measures are those of `run` on that point's scenario:
// counts, visibility, mean response and the pooled p90 exactly (the same
// replications, the same arithmetic; the p90 from the same sketch). (1 and 2 workers, resume after a
// crash and sharded+merged giving the same file is
// TestRunDeterministicResumableSharded, which compares areas.geojson too.)
func TestSweepAreas(t *testing.T) {
	path := writeSweep(t, `version: 1
scenario: builtin:grid
design: grid
replications: 2
params:
  units[car].count: [6, 9]
  duration: [10d]
`)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	if err := s.Run(ctx, Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, AreasFile))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	na := len(s.Base.Config.City.Atoms)
	if len(fc.Features) != len(s.Points)*na {
		t.Fatalf("%d features, want %d points × %d areas", len(fc.Features), len(s.Points), na)
	}
	checked := 0
	for p := range s.Points {
		sc, err := s.Point(p)
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Execute(ctx, sc, run.Options{Workers: 1, Replications: []int{0, 1}})
		if err != nil {
			t.Fatal(err)
		}
		for a := range na {
			f := fc.Features[p*na+a]
			if f.Geometry == nil || f.Geometry.Bound().IsEmpty() {
				t.Fatalf("point %d area %d: no geometry", p, a)
			}
			if got := f.Properties["point"]; got != float64(p) {
				t.Errorf("feature %d: point %v, want %d", p*na+a, got, p)
			}
			if got, want := f.Properties["units[car].count"], float64([]int{6, 9}[p]); got != want {
				t.Errorf("point %d: units[car].count %v (%T), want the number %v", p, got, got, want)
			}
			if f.Properties["area"] != sc.Config.City.Atoms[a].Name {
				t.Errorf("feature %d: area %v, want %s", p*na+a, f.Properties["area"], sc.Config.City.Atoms[a].Name)
			}
			for _, v := range res.Details.Variants {
				ad := v.AtomsData
				exact := map[string]float64{"incidents_realised": ad.Realised[a], "incidents_prevented": ad.Prevented[a],
					"incidents_displaced": ad.Displaced[a], "visibility": ad.Visibility[a]}
				if ad.RespMeanS[a] != nil {
					exact["response_mean_s"] = *ad.RespMeanS[a]
				}
				for m, want := range exact {
					if got := f.Properties[results.AreaProperty(v.Name, m)]; got != want {
						t.Errorf("point %d area %d %s %s: %v, run gives %v", p, a, v.Name, m, got, want)
					}
				}
				// The p90 too: a run reads it from the same pooled sketch.
				got, _ := f.Properties[results.AreaProperty(v.Name, "response_p90_s")].(float64)
				if ad.RespP90S[a] != nil {
					if want := *ad.RespP90S[a]; got != want {
						t.Errorf("point %d area %d %s p90: %v, run gives %v", p, a, v.Name, got, want)
					}
					checked++
				}
			}
		}
	}
	if checked < na {
		t.Errorf("only %d p90s compared", checked)
	}
}

// TestOldJournalRefused: a journal of format 1 (no "format" in its
// header, no per-area fields) is refused by a resumed sweep and by merge
// with a message naming its format and what to do.
func TestOldJournalRefused(t *testing.T) {
	s, err := Load(writeSweep(t, gridSweep))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(out, 0o755)
	jpath := filepath.Join(out, JournalName(0, 1))
	h := `{"sweep":"` + s.Hash + `","items":12,"points":4,"replications":3,"shard":0,"shards":1,"variants":["beats-p2p"],"metrics":["x"]}` + "\n"
	os.WriteFile(jpath, []byte(h), 0o644)
	for name, err := range map[string]error{
		"sweep": s.Run(context.Background(), Options{Out: out, Workers: 1}),
		"merge": Finalize(context.Background(), out, s, []string{jpath}),
	} {
		if err == nil || !strings.Contains(err.Error(), "format 1") || !strings.Contains(err.Error(), "--restart") || !strings.Contains(err.Error(), jpath) {
			t.Errorf("%s of a format-1 journal: %v, want an error naming the file, format 1 and --restart", name, err)
		}
	}
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2, Restart: true}); err != nil {
		t.Errorf("--restart: %v", err)
	}
}
