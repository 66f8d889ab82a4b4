package sweep

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkFinalFiles measures what each final file costs to write from a
// finished journal (BenchmarkSweep's sweep: 4 points × 10 replications),
// file by file, the journal's lines already in memory as a live run holds
// them: rows, parquet, points, meta and areas write one file each; all is
// Finalize, the journal's scan included.
func BenchmarkFinalFiles(b *testing.B) {
	path := writeSweep(b, strings.Replace(gridSweep, "replications: 3", "replications: 10", 1))
	s, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	out := b.TempDir()
	if err := s.Run(ctx, Options{Out: out, Workers: 2}); err != nil {
		b.Fatal(err)
	}
	jpath := filepath.Join(out, JournalName(0, 1))
	want := s.header(Options{Shards: 1})
	lines := make([]string, s.Items())
	f, err := os.Open(jpath)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := scanJournal(f, jpath, func(h header, item int, line string, end int64) error {
		if item >= 0 {
			lines[item] = line
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	line := func(i int) (string, error) { return lines[i], nil }
	read := readers(want, line)
	dir := b.TempDir()
	files := []struct {
		name  string
		write func() error
	}{
		{"rows", s.writeRows(dir, want, read)},
		{"parquet", func() error { return writeParquet(io.Discard, s, want, read) }},
		{"points", func() error {
			return s.writePoints(dir, want, read, len(want.Variants), len(want.Metrics), s.Replications)
		}},
		{"meta", func() error { return s.writeMeta(dir, want, s.Replications) }},
		{"areas", func() error { return s.writeAreas(io.Discard, want, line) }},
	}
	for _, fl := range files {
		b.Run(fl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				os.Remove(filepath.Join(dir, RowsFile))
				os.Remove(filepath.Join(dir, PointsFile))
				os.Remove(filepath.Join(dir, MetaFile))
				if err := fl.write(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := Finalize(ctx, filepath.Join(b.TempDir(), "again"), s, []string{jpath}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
