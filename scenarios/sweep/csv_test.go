package sweep

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/results"
)

// TestCSVFiles: rows.csv and points.csv are byte for byte what
// encoding/csv's Writer wrote (writeRowsRef, writePointsRef), for a sweep
// whose swept text needs quoting (a comma, quotes, a leading space, a line
// break, \.); csvText quotes as the Writer does, and appendCSVFloat
// writes results.FormatFloat's text of awkward numbers.
func TestCSVFiles(t *testing.T) {
	s, err := Load(writeSweep(t, `version: 1
scenario: builtin:grid
design: grid
replications: 2
params:
  name: ["a, b", 'say "hi"', " lead", "two\nlines", '\.', plain]
  duration: [1d]
  warmup: [0d]
`))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	jpath := filepath.Join(out, JournalName(0, 1))
	want := s.header(Options{Shards: 1})
	lines := make([]string, s.Items())
	f, err := os.Open(jpath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := scanJournal(f, jpath, func(h header, item int, line string, end int64) error {
		if item >= 0 {
			lines[item] = line
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	read := readers(want, func(i int) (string, error) { return lines[i], nil })
	ref := t.TempDir()
	if err := s.writeRowsRef(ref, want, read)(); err != nil {
		t.Fatal(err)
	}
	if err := s.writePointsRef(ref, want, read, len(want.Variants), len(want.Metrics), s.Replications); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{RowsFile, PointsFile} {
		got, _ := os.ReadFile(filepath.Join(out, name))
		exp, _ := os.ReadFile(filepath.Join(ref, name))
		if string(got) != string(exp) {
			t.Errorf("%s differs from encoding/csv's:\n%s\nwant\n%s", name, got, exp)
		}
		if !strings.Contains(string(got), `"say ""hi"""`) {
			t.Errorf("%s: no quoted value", name)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1e21, 1e20, 1e-7, 1e-6, 123456789012345678, 1 << 53, -2.5, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), 0.1 + 0.2} {
		if got, want := string(appendCSVFloat([]byte("x"), x)), "x"+results.FormatFloat(x); got != want {
			t.Errorf("%v: %q, want %q", x, got, want)
		}
	}
	for _, f := range []string{"", " ", "\t", "a,b", `"`, "\r", `\.`, `\..`, "\u00a0x", "x ", "plain"} {
		var b strings.Builder
		cw := csv.NewWriter(&b)
		cw.Write([]string{"a", f, "b"})
		cw.Flush()
		if got, want := "a,"+csvText(f)+",b\n", b.String(); got != want {
			t.Errorf("%q: %q, want %q", f, got, want)
		}
	}
}

// writeRowsRef is writeRows as it was, with encoding/csv's Writer.
func (s *Sweep) writeRowsRef(dir string, want header, read func(int) ([][]float64, error)) func() error {
	nv := len(want.Variants)
	R := s.Replications
	return func() error {
		return outputs.WriteNew(filepath.Join(dir, RowsFile), func(w io.Writer) error {
			cw := csv.NewWriter(w)
			head := []string{"point", "replication", "variant"}
			for _, p := range s.Params {
				head = append(head, p.Path)
			}
			head = append(head, want.Metrics...)
			if err := cw.Write(head); err != nil {
				return err
			}
			row := make([]string, len(head))
			for i := range s.Items() {
				vals, err := read(i)
				if err != nil {
					return err
				}
				p, rep := i/R, i%R
				for v := range nv {
					row[0], row[1], row[2] = strconv.Itoa(p), strconv.Itoa(rep), want.Variants[v]
					for k := range s.Params {
						row[3+k] = s.Points[p][k].Value
					}
					for m, x := range vals[v] {
						row[3+len(s.Params)+m] = results.FormatFloat(x)
					}
					if err := cw.Write(row); err != nil {
						return err
					}
				}
			}
			cw.Flush()
			return cw.Error()
		})
	}
}

// writePointsRef is writePoints as it was, with encoding/csv's Writer.
func (s *Sweep) writePointsRef(dir string, want header, read func(int) ([][]float64, error), nv, nm, R int) error {
	return outputs.WriteNew(filepath.Join(dir, PointsFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		head := []string{"point", "variant"}
		for _, p := range s.Params {
			head = append(head, p.Path)
		}
		head = append(head, "metric", "mean", "ci95_low", "ci95_high", "n")
		if err := cw.Write(head); err != nil {
			return err
		}
		// One point at a time: its replications are consecutive items.
		col := make([][][]float64, nv) // [variant][metric][rep]
		for v := range col {
			col[v] = make([][]float64, nm)
		}
		for p := range s.Points {
			for v := range nv {
				for m := range nm {
					col[v][m] = col[v][m][:0]
				}
			}
			for rep := range R {
				vals, err := read(p*R + rep)
				if err != nil {
					return err
				}
				for v := range nv {
					for m := range nm {
						col[v][m] = append(col[v][m], vals[v][m])
					}
				}
			}
			for v := range nv {
				for m := range nm {
					e := results.EstimateOf(col[v][m])
					row := []string{strconv.Itoa(p), want.Variants[v]}
					for k := range s.Params {
						row = append(row, s.Points[p][k].Value)
					}
					row = append(row, want.Metrics[m], results.FormatFloat(e.Mean), results.FormatFloat(e.Low), results.FormatFloat(e.High), strconv.Itoa(e.N))
					if err := cw.Write(row); err != nil {
						return err
					}
				}
			}
		}
		cw.Flush()
		return cw.Error()
	})
}
