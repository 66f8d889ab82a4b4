package optimize

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResume: an optimisation interrupted in its selection leaves its
// finished replications in the journal; the rerun reads them (it
// simulates only the rest) and writes files byte-identical to those of
// an uninterrupted run without a journal, for 1 and 2 workers. A journal
// of other candidates is refused, and --restart (Restart) empties it.
func TestResume(t *testing.T) {
	dir := twoDistricts(t)
	write := func(out *Outcome) string {
		o := filepath.Join(t.TempDir(), "out")
		if err := out.Write(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	for _, opt := range []string{twoOpt, costOpt} {
		pr := prepare(t, dir, opt)
		ref, err := pr.Run(context.Background(), Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		want := write(ref)
		jpath := filepath.Join(t.TempDir(), JournalFile)
		// Interrupted after the first stage's replications.
		ctx, cancel := context.WithCancel(context.Background())
		_, err = prepare(t, dir, opt).Run(ctx, Options{Workers: 2, Journal: jpath, Step: func(r int, _ []string) {
			if r == 3 {
				cancel()
			}
		}})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted run: %v, want context.Canceled", err)
		}
		for _, workers := range []int{1, 2} {
			out, err := prepare(t, dir, opt).Run(context.Background(), Options{Workers: workers, Journal: jpath})
			if err != nil {
				t.Fatal(err)
			}
			if out.Resumed < 10 {
				t.Errorf("rerun with %d workers resumed %d replications, want the first stage's 10 or more", workers, out.Resumed)
			}
			got := write(out)
			for _, name := range []string{ChosenFile, CandidatesFile, TableFile, ScreenFile, SummaryFile, ResultsFile, ParetoFile, ChartFile} {
				a, _ := os.ReadFile(filepath.Join(want, name))
				b, _ := os.ReadFile(filepath.Join(got, name))
				if !bytes.Equal(a, b) {
					t.Errorf("%s differs between the uninterrupted run and the resumed one (%d workers)", name, workers)
				}
			}
		}
	}
	// A journal of other candidates.
	jpath := filepath.Join(t.TempDir(), JournalFile)
	if _, err := prepare(t, dir, twoOpt).Run(context.Background(), Options{Workers: 2, Journal: jpath}); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(twoOpt, "keep: 3", "keep: 2", 1)
	_, err := prepare(t, dir, other).Run(context.Background(), Options{Workers: 2, Journal: jpath})
	if !errors.Is(err, ErrJournalChanged) || !strings.Contains(err.Error(), "--restart") {
		t.Errorf("a journal of other candidates: %v, want ErrJournalChanged naming --restart", err)
	}
	out, err := prepare(t, dir, other).Run(context.Background(), Options{Workers: 2, Journal: jpath, Restart: true})
	if err != nil || out.Resumed != 0 {
		t.Errorf("restart: %v, resumed %d, want a fresh run", err, out.Resumed)
	}
}

// TestSlices: two slices (--shard 0/2 and 1/2) of the selection's budget,
// run into one folder with 1 and 2 workers, then the deciding run over
// their journals: it simulates nothing and writes files byte-identical
// to a single run's.
func TestSlices(t *testing.T) {
	dir := twoDistricts(t)
	ref, err := prepare(t, dir, costOpt).Run(context.Background(), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(t.TempDir(), "out")
	if err := ref.Write(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for shard := range 2 {
		sl, err := prepare(t, dir, costOpt).RunSlice(context.Background(), Options{Workers: shard + 1}, out, shard, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sl.Replications != 40 || filepath.Base(sl.Journal) != "journal-"+string(rune('0'+shard))+"-of-2.txt" {
			t.Errorf("slice %d: %d replications in %s, want 40 in journal-%d-of-2.txt", shard, sl.Replications, sl.Journal, shard)
		}
	}
	got, err := prepare(t, dir, costOpt).Run(context.Background(), Options{Workers: 2, Journal: filepath.Join(out, JournalFile)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Resumed != 80 {
		t.Errorf("the deciding run read %d replications from the slices, want 80", got.Resumed)
	}
	if err := got.Write(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ChosenFile, CandidatesFile, TableFile, ScreenFile, SummaryFile, ResultsFile, ParetoFile, ChartFile} {
		a, _ := os.ReadFile(filepath.Join(want, name))
		b, _ := os.ReadFile(filepath.Join(out, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between a single run and the sliced one", name)
		}
	}
	if j, _ := os.ReadFile(filepath.Join(out, JournalFile)); strings.Count(string(j), "\n") != 1 {
		t.Errorf("the deciding run simulated replications the slices had: journal.txt has %d lines, want the header alone", strings.Count(string(j), "\n"))
	}
}
