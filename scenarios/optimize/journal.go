package optimize

// The journal of finished replications of the selection stage: a rerun
// of an interrupted optimisation resumes where it stopped.

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// JournalFile is the journal's name in the output folder.
const JournalFile = "journal.txt"

// journalFormat is the format of the journals this version writes.
const journalFormat = 1

// journalHeader is a journal's first line: what its values belong to.
type journalHeader struct {
	Format   int      `json:"format"`
	Optimize string   `json:"optimize"` // hash of the candidates' scenario and the base scenario's data
	Variants []string `json:"variants"`
	Metrics  []string `json:"metrics"`
}

// journal is a run.Store on a file: one line a finished replication,
// "R<TAB>values of candidate 1<TAB>…", each a comma-separated list in the
// order of the header's metrics, appended and synced before the
// selection reads it. The values of replication r depend only on the
// candidates' scenario, its seed and r (common random numbers), not on
// the procedure: a journal holds for any delta, alpha or budget, and a
// rerun with the same candidates reads it instead of simulating.
type journal struct {
	f       *os.File
	path    string
	nm      int
	have    map[int][][]float64
	resumed int // replications held when opened
}

// ErrJournalChanged is returned when the journal in the output folder
// belongs to other candidates (the OPT file's decision, budget or screen,
// the scenario or its data changed) and --restart was not given.
var ErrJournalChanged = errors.New("the journal in the output folder belongs to another optimisation")

// journalHash identifies the candidates' scenario: its document and the
// base scenario's run.Hash (its document and data files).
func (pr *Problem) journalHash(s *scenarios.Scenario, cs []Candidate) (string, error) {
	doc, err := marshal(pr.File(cs))
	if err != nil {
		return "", err
	}
	base, err := run.Hash(pr.Base)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "candidates %d\n", len(doc))
	h.Write(doc)
	fmt.Fprintf(h, "\nseed %d\nbase %s\n", s.File.Seed, base)
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// openJournal opens (or creates) the journal at path for s, the
// candidates' scenario, and reads the replications it holds. A last line
// cut short by a crash is dropped; restart empties the journal first.
func openJournal(path string, want journalHeader, restart bool) (*journal, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a file", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	j := &journal{f: f, path: path, nm: len(want.Metrics), have: map[int][][]float64{}}
	fail := func(err error) (*journal, error) {
		f.Close()
		return nil, err
	}
	if restart {
		if err := f.Truncate(0); err != nil {
			return fail(err)
		}
	}
	good, header, err := j.scan(f, want)
	if err != nil {
		return fail(err)
	}
	j.resumed = len(j.have)
	if err := f.Truncate(good); err != nil {
		return fail(err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		return fail(err)
	}
	if !header {
		b, _ := json.Marshal(want)
		if err := j.append(string(b) + "\n"); err != nil {
			return fail(err)
		}
	}
	return j, nil
}

// scan reads a journal's lines into j.have: the header must be want's;
// a last line without its newline (torn by a crash) is left out. It
// returns the offset after the last good line and whether a header was
// read.
func (j *journal) scan(r io.Reader, want journalHeader) (int64, bool, error) {
	br := bufio.NewReader(r)
	var good int64
	header := false
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			return good, header, nil // a last line without its newline is torn: dropped
		}
		if err != nil {
			return 0, false, err
		}
		if !header {
			var h journalHeader
			if json.Unmarshal([]byte(line), &h) != nil || h.Format == 0 {
				return 0, false, fmt.Errorf("%s:1: not an optimisation journal (run with --restart to start over)", j.path)
			}
			if h.Format != journalFormat || h.Optimize != want.Optimize || !slices.Equal(h.Variants, want.Variants) || !slices.Equal(h.Metrics, want.Metrics) {
				return 0, false, fmt.Errorf("%s: %w: its candidates, scenario or data differ (run with --restart to start over)", j.path, ErrJournalChanged)
			}
			header = true
			good += int64(len(line))
			continue
		}
		r, vals, err := j.parse(line, len(want.Variants))
		if err != nil {
			return 0, false, fmt.Errorf("%s:%d: corrupt journal line: %v (run with --restart to start over)", j.path, n, err)
		}
		j.have[r] = vals
		good += int64(len(line))
	}
}

// readSlices adds to j the replications of the slices' journals
// (journal-I-of-N.txt, written by --shard runs) in dir: read only, each
// of them checked to belong to the same candidates.
func (j *journal) readSlices(dir string, want journalHeader) error {
	paths, err := filepath.Glob(filepath.Join(dir, "journal-*-of-*.txt"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		k := &journal{path: p, nm: j.nm, have: map[int][][]float64{}}
		_, _, err = k.scan(f, want)
		f.Close()
		if err != nil {
			return err
		}
		for r, v := range k.have {
			if _, ok := j.have[r]; !ok {
				j.have[r] = v
			}
		}
	}
	return nil
}

func (j *journal) parse(line string, nv int) (int, [][]float64, error) {
	parts := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
	if len(parts) != nv+1 {
		return 0, nil, fmt.Errorf("%d fields, want a replication and %d candidates", len(parts), nv)
	}
	r, err := strconv.Atoi(parts[0])
	if err != nil || r < 0 {
		return 0, nil, fmt.Errorf("replication %q is not a number", parts[0])
	}
	vals := make([][]float64, nv)
	for v := range nv {
		fs := strings.Split(parts[v+1], ",")
		if len(fs) != j.nm {
			return 0, nil, fmt.Errorf("candidate %d has %d values, want %d", v+1, len(fs), j.nm)
		}
		vals[v] = make([]float64, j.nm)
		for k, s := range fs {
			if vals[v][k], err = strconv.ParseFloat(s, 64); err != nil {
				return 0, nil, fmt.Errorf("value %d of candidate %d is %q, not a number", k+1, v+1, s)
			}
		}
	}
	return r, vals, nil
}

func (j *journal) append(s string) error {
	if _, err := j.f.WriteString(s); err != nil {
		return err
	}
	return j.f.Sync()
}

// Get is run.Store's: the values of replication r, if the journal has them.
func (j *journal) Get(r int) ([][]float64, bool) {
	v, ok := j.have[r]
	return v, ok
}

// Put is run.Store's: replication r's values, appended and synced.
func (j *journal) Put(r int, vals [][]float64) error {
	var b strings.Builder
	b.WriteString(strconv.Itoa(r))
	for _, vs := range vals {
		b.WriteByte('\t')
		for k, x := range vs {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	b.WriteByte('\n')
	if err := j.append(b.String()); err != nil {
		return err
	}
	j.have[r] = vals
	return nil
}

func (j *journal) Close() error { return j.f.Close() }

// Resumed is how many replications the journal held when it was opened.
func (j *journal) Resumed() int { return j.resumed }

// newJournal opens the journal of s, the candidates' scenario of cs, at
// path; unless it is a slice's (shard) or restarts, it also reads the
// slices' journals beside it.
func (pr *Problem) newJournal(path string, s *scenarios.Scenario, cs []Candidate, restart, shard bool) (*journal, error) {
	hash, err := pr.journalHash(s, cs)
	if err != nil {
		return nil, err
	}
	want := journalHeader{Format: journalFormat, Optimize: hash}
	for _, v := range s.Variants {
		want.Variants = append(want.Variants, v.Name)
	}
	for _, m := range results.RunMetrics(s.Config, s.Variants) {
		want.Metrics = append(want.Metrics, m.Name)
	}
	j, err := openJournal(path, want, restart)
	if err != nil || shard || restart {
		return j, err
	}
	if err := j.readSlices(filepath.Dir(path), want); err != nil {
		j.Close()
		return nil, err
	}
	j.resumed = len(j.have)
	return j, nil
}
