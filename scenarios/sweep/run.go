package sweep

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/patrolsim/patrolsim/results"
	"github.com/patrolsim/patrolsim/scenarios"
	"github.com/patrolsim/patrolsim/scenarios/run"
)

// Options control a run of a sweep.
type Options struct {
	Out     string // output folder
	Workers int    // items run in parallel (>= 1)
	Shard   int    // this run's slice, 0 … Shards−1
	Shards  int    // number of slices (>= 1); item i belongs to slice i mod Shards
	Restart bool   // discard a partial run's journal and start over
	// Progress, if set, is called after every finished item (and once at
	// the start) with the items done and the items of this slice.
	Progress func(done, total int)
}

// header is the first line of a journal: what the journal belongs to.
type header struct {
	Sweep        string   `json:"sweep"` // hash
	Items        int      `json:"items"`
	Points       int      `json:"points"`
	Replications int      `json:"replications"`
	Shard        int      `json:"shard"`
	Shards       int      `json:"shards"`
	Variants     []string `json:"variants"`
	Metrics      []string `json:"metrics"`
}

// Items returns the number of items: points × replications. Item i is
// point i / Replications, replication i mod Replications.
func (s *Sweep) Items() int { return len(s.Points) * s.Replications }

// JournalName is the journal of a slice in the output folder.
func JournalName(shard, shards int) string {
	if shards == 1 {
		return "journal.txt"
	}
	return fmt.Sprintf("journal-%d-of-%d.txt", shard, shards)
}

func (s *Sweep) header(opt Options) header {
	h := header{Sweep: s.Hash, Items: s.Items(), Points: len(s.Points), Replications: s.Replications, Shard: opt.Shard, Shards: opt.Shards}
	for _, v := range s.Base.Variants {
		h.Variants = append(h.Variants, v.Name)
	}
	for _, m := range results.Metrics(s.Base.Config) {
		h.Metrics = append(h.Metrics, m.Name)
	}
	return h
}

// ErrChanged is returned when a partial run's journal belongs to another
// sweep (the sweep file or the scenario changed since).
var ErrChanged = errors.New("the sweep or its scenario changed since the partial run")

// Run runs the items of one slice that its journal does not hold yet,
// recording each durably as it finishes, and, when the sweep is one slice,
// writes the final files. Interrupted (ctx done), it returns ctx's error
// and a later Run continues where it stopped.
func (s *Sweep) Run(ctx context.Context, opt Options) error {
	if opt.Shards < 1 {
		opt.Shards = 1
	}
	if opt.Shard < 0 || opt.Shard >= opt.Shards {
		return fmt.Errorf("shard %d of %d: must be from 0 to %d", opt.Shard, opt.Shards, opt.Shards-1)
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return err
	}
	jpath := filepath.Join(opt.Out, JournalName(opt.Shard, opt.Shards))
	if opt.Restart {
		if err := os.Remove(jpath); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	want := s.header(opt)
	j, done, err := openJournal(jpath, want)
	if err != nil {
		return err
	}
	defer j.Close()
	var todo []int
	total := 0
	for i := opt.Shard; i < s.Items(); i += opt.Shards {
		total++
		if !done[i] {
			todo = append(todo, i)
		}
	}
	ndone := total - len(todo)
	if opt.Progress != nil {
		opt.Progress(ndone, total)
	}
	if err := s.runItems(ctx, opt, todo, j, func() {
		ndone++
		if opt.Progress != nil {
			opt.Progress(ndone, total)
		}
	}); err != nil {
		return err
	}
	if opt.Shards == 1 {
		return Finalize(opt.Out, s, []string{jpath})
	}
	return nil
}

// runItems runs items on workers and appends each result to the journal.
func (s *Sweep) runItems(ctx context.Context, opt Options, todo []int, j *journal, tick func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make(chan int)
	type result struct {
		item int
		line string
		err  error
	}
	// Buffered, so that workers go on while the writer syncs.
	out := make(chan result, 4*max(1, opt.Workers))
	var wg sync.WaitGroup
	for range max(1, opt.Workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cache := pointCache{s: s, point: -1}
			for i := range items {
				line, err := cache.run(ctx, i)
				select {
				case out <- result{i, line, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(items)
		for _, i := range todo {
			select {
			case items <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()
	// Group commit: the results that are ready are written together and
	// synced once; an item counts as done only after its sync.
	var first error
	var batch strings.Builder
	for r := range out {
		n := 0
		for {
			if first == nil {
				if r.err != nil {
					first = r.err
					cancel()
				} else {
					batch.WriteString(r.line)
					n++
				}
			}
			var more bool
			select {
			case r, more = <-out:
			default:
			}
			if !more {
				break
			}
		}
		if first != nil || n == 0 {
			continue
		}
		if err := j.append(batch.String()); err != nil {
			first = err
			cancel()
			continue
		}
		batch.Reset()
		for range n {
			tick()
		}
	}
	if first != nil && !errors.Is(first, context.Canceled) {
		return first
	}
	if err := ctx.Err(); err != nil {
		if first == nil || errors.Is(first, context.Canceled) {
			return context.Canceled
		}
	}
	return first
}

// pointCache keeps the scenario of the last point a worker ran: items of
// one point are consecutive.
type pointCache struct {
	s     *Sweep
	point int
	sc    *scenarios.Scenario
}

// run runs every variant of item i (run.Execute of its point, its one
// replication) and returns its journal line.
func (c *pointCache) run(ctx context.Context, i int) (string, error) {
	p, rep := i/c.s.Replications, i%c.s.Replications
	if p != c.point {
		sc, err := c.s.Point(p)
		if err != nil {
			return "", err
		}
		c.point, c.sc = p, sc
	}
	res, err := run.Execute(ctx, c.sc, run.Options{Workers: 1, Replications: []int{rep}})
	if err != nil {
		return "", err
	}
	// The journal's columns are the base scenario's metrics (its header),
	// taken by name: a point's force may differ (its per-unit metrics are
	// left out), and a metric the point lacks is NaN.
	var b strings.Builder
	b.WriteString(strconv.Itoa(i))
	for _, v := range res.Summary.Variants {
		b.WriteByte('\t')
		for k, m := range results.Metrics(c.s.Base.Config) {
			if k > 0 {
				b.WriteByte(',')
			}
			x := math.NaN()
			if j := res.Summary.Index(m.Name); j >= 0 {
				x = v.Reps[0][j]
			}
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	b.WriteByte('\n')
	return b.String(), nil
}

// journal is an append-only file of finished items, synced after each.
type journal struct {
	f *os.File
}

func (j *journal) append(line string) error {
	if _, err := j.f.WriteString(line); err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *journal) Close() error { return j.f.Close() }

// openJournal opens (or creates) a journal, checks that it belongs to the
// sweep described by want, drops a last line cut short by a crash, and
// returns the items it holds.
func openJournal(path string, want header) (*journal, map[int]bool, error) {
	done := map[int]bool{}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	wantLine, _ := json.Marshal(want)
	if st.Size() == 0 {
		if _, err := f.Write(append(wantLine, '\n')); err == nil {
			err = f.Sync()
		}
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return &journal{f}, done, nil
	}
	var good int64
	err = scanJournal(f, func(h header, item int, line string, end int64) error {
		if item < 0 {
			if !sameSweep(h, want) {
				return fmt.Errorf("%s: %w: refusing to mix results (run with --restart to start over)", path, ErrChanged)
			}
		} else {
			done[item] = true
		}
		good = end
		return nil
	})
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	// A crash may leave a last line without its newline: cut it off.
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	return &journal{f}, done, nil
}

func sameSweep(a, b header) bool {
	return a.Sweep == b.Sweep && a.Items == b.Items && a.Shard == b.Shard && a.Shards == b.Shards &&
		slices.Equal(a.Variants, b.Variants) && slices.Equal(a.Metrics, b.Metrics)
}

// scanJournal reads a journal from the start: fn gets the header (item −1)
// and then each complete item line with the offset just after it. A last
// line without a newline is not passed.
func scanJournal(r io.ReadSeeker, fn func(h header, item int, line string, end int64) error) error {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(r, 1<<16)
	var h header
	var off int64
	first := true
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			return nil // a partial last line (or none) is ignored
		}
		if err != nil {
			return err
		}
		off += int64(len(line))
		if first {
			first = false
			if err := json.Unmarshal([]byte(line), &h); err != nil {
				return fmt.Errorf("not a sweep journal (first line: %v)", err)
			}
			if err := fn(h, -1, "", off); err != nil {
				return err
			}
			continue
		}
		tab := strings.IndexByte(line, '\t')
		item, err := strconv.Atoi(line[:max(tab, 0)])
		if tab < 0 || err != nil || item < 0 || item >= h.Items {
			return fmt.Errorf("corrupt journal line at byte %d", off-int64(len(line)))
		}
		if err := fn(h, item, line, off); err != nil {
			return err
		}
	}
}

// parseLine turns a journal line back into values by variant.
func parseLine(line string, nv, nm int) ([][]float64, error) {
	parts := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
	if len(parts) != nv+1 {
		return nil, fmt.Errorf("journal line with %d variants, want %d", len(parts)-1, nv)
	}
	out := make([][]float64, nv)
	for v := range nv {
		fields := strings.Split(parts[v+1], ",")
		if len(fields) != nm {
			return nil, fmt.Errorf("journal line with %d metrics, want %d", len(fields), nm)
		}
		out[v] = make([]float64, nm)
		for k, f := range fields {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, err
			}
			out[v][k] = x
		}
	}
	return out, nil
}
