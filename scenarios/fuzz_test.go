package scenarios

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// FuzzLoad feeds documents to Load with the data files of the jinzhou
// scenario at hand. Load must never panic; it either fails with an *Error
// whose problems name the file and are sorted by line, or returns a
// scenario ready to run. The same input must give the same answer twice.
func FuzzLoad(f *testing.F) {
	for _, path := range shippedScenarios(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(Template))
	f.Add([]byte(base))
	for _, c := range brokenCases {
		f.Add(c.data(f))
	}
	names, err := filepath.Glob(filepath.Join("testdata", "broken", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}

	fsys := os.DirFS("jinzhou")
	const name = "fuzz.yaml"
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load(name, data, fsys)
		_, err2 := Load(name, data, fsys)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("two loads of the same input differ:\n%v\n---\n%v", err, err2)
		}
		if err != nil {
			var le *Error
			if !errors.As(err, &le) || len(le.Problems) == 0 {
				t.Fatalf("got error %T %q, want an *Error with problems", err, err)
			}
			for _, p := range le.Problems {
				if p.File != name || p.Msg == "" {
					t.Errorf("problem %+v: want File %q and a message", p, name)
				}
			}
			if !sort.SliceIsSorted(le.Problems, func(i, j int) bool { return le.Problems[i].Line < le.Problems[j].Line }) {
				t.Errorf("problems not sorted by line:\n%v", err)
			}
			return
		}
		if s.Config == nil || s.Config.City == nil {
			t.Fatalf("got Config %v without error, want a Config with a City", s.Config)
		}
		if len(s.Variants) < 1 {
			t.Fatalf("got %d variants without error, want >= 1", len(s.Variants))
		}
		for _, v := range s.Variants {
			if len(v.Policies) != len(s.Config.Units) {
				t.Fatalf("variant %s: got %d policies, want %d (one a unit type)", v.Name, len(v.Policies), len(s.Config.Units))
			}
		}
	})
}

// FuzzParseDuration checks that what ParseDuration accepts is a finite
// number of seconds >= 0 that FormatDuration writes back in a form
// ParseDuration reads as the same value.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90s", "12m", "1.5h", "30d", "1w", "1h30m", "0", "", "5", "5x", "h", "-3m", ".5h", "2d12h", "1.5s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseDuration(in)
		if err != nil {
			return
		}
		if !(s >= 0) || math.IsInf(s, 0) {
			t.Fatalf("ParseDuration(%q) = %g, want a finite value >= 0", in, s)
		}
		out := FormatDuration(s)
		back, err := ParseDuration(out)
		if err != nil {
			t.Fatalf("ParseDuration(FormatDuration(%g) = %q): %v", s, out, err)
		}
		// Whole seconds up to 2^53 are exact; beyond, the sum of parts is
		// rounded at each step, so allow a relative 1e-12.
		if math.Abs(back-s) > 1e-12*s {
			t.Fatalf("ParseDuration(FormatDuration(%g) = %q) = %g, want %g", s, out, back, s)
		}
	})
}
