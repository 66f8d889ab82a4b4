package sweep

import (
	"bufio"
	"bytes"
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

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/internal/outputs"
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
	Format       int      `json:"format"` // JournalFormat; absent (0) in journals before it
	Sweep        string   `json:"sweep"`  // hash
	Items        int      `json:"items"`
	Points       int      `json:"points"`
	Replications int      `json:"replications"`
	Shard        int      `json:"shard"`
	Shards       int      `json:"shards"`
	Variants     []string `json:"variants"`
	Metrics      []string `json:"metrics"`
	Areas        int      `json:"areas"` // the base scenario's areas: each variant's per-area field holds this many
}

// JournalFormat is the format of the journals this version writes and
// reads. Format 2 (this one) added each item's per-area results, for
// areas.geojson; a journal of format 1 (no "format" in its header) holds
// city-wide metrics only and is refused with a clear error.
const JournalFormat = 2

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
	h := header{Format: JournalFormat, Areas: len(s.Base.Config.City.Atoms), Sweep: s.Hash, Items: s.Items(), Points: len(s.Points), Replications: s.Replications, Shard: opt.Shard, Shards: opt.Shards}
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
// and a later Run continues where it stopped. Another sweep writing the
// same journal is refused (*BusyError); an output folder that cannot be
// replaced as a whole is refused before anything runs (*outputs.Error).
func (s *Sweep) Run(ctx context.Context, opt Options) error {
	if opt.Shards < 1 {
		opt.Shards = 1
	}
	if opt.Shard < 0 || opt.Shard >= opt.Shards {
		return fmt.Errorf("shard %d of %d: must be from 0 to %d", opt.Shard, opt.Shards, opt.Shards-1)
	}
	if opt.Shards == 1 {
		// A slice of several only appends to its journal; the one
		// slice's run replaces the folder's final files at the end.
		if err := Folder(opt.Out).Check(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return err
	}
	// What writes of the final files stopped by a crash left beside the
	// folder goes (the files themselves are whole, old or new).
	if err := outputs.Clean(opt.Out); err != nil {
		return err
	}
	jpath := filepath.Join(opt.Out, JournalName(opt.Shard, opt.Shards))
	want := s.header(opt)
	if b := lineBound(want); b > MaxJournalLine {
		return fmt.Errorf("%s: %d variants × %d areas × %d metrics could make a journal line of %s, more than its limit %s: sweep fewer variants or a city of fewer areas", s.Path, len(want.Variants), want.Areas, len(want.Metrics), inputs.Size(int64(b)), inputs.Size(MaxJournalLine))
	}
	j, done, err := openJournal(jpath, want, opt.Restart)
	if err != nil {
		return err
	}
	defer j.Close()
	var todo []int
	total := 0
	for i := opt.Shard; i < s.Items(); i += opt.Shards {
		total++
		if _, ok := done[i]; !ok {
			todo = append(todo, i)
		}
	}
	ndone := total - len(todo)
	if opt.Progress != nil {
		opt.Progress(ndone, total)
	}
	tick := func() {
		ndone++
		if opt.Progress != nil {
			opt.Progress(ndone, total)
		}
	}
	if opt.Shards > 1 {
		return s.runItems(ctx, opt, todo, j, tick, nil)
	}
	// The one slice's run writes the final files as its items finish
	// (liveItems), beside them, not after them: what is left at the end
	// is the last point's share and the swap of the folder.
	// When the files cannot be written (a full disk, a folder that cannot
	// be staged), the items stop at once rather than run on for nothing,
	// and that error is the one returned.
	live := newLiveItems(s.Items(), j.f, done)
	itemsCtx, stopItems := context.WithCancel(ctx)
	defer stopItems()
	fin := make(chan error, 1)
	go func() {
		err := s.finalizeLive(ctx, opt.Out, want, live)
		if err != nil {
			stopItems()
		}
		fin <- err
	}()
	if err := s.runItems(itemsCtx, opt, todo, j, tick, live.add); err != nil {
		live.fail(err)
		// The staged files go; the folder stays as it was.
		if ferr := <-fin; ferr != nil && ctx.Err() == nil && itemsCtx.Err() != nil {
			return ferr // the files failed first: the items were stopped for it
		}
		return err
	}
	return <-fin
}

// runItems runs items on workers and appends each result to the journal;
// committed, if set, gets each item's place in the journal once it is
// synced.
func (s *Sweep) runItems(ctx context.Context, opt Options, todo []int, j *journal, tick func(), committed func([]placed)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, opt.Workers)
	// An item, and the workers it runs on: one, but the last items, as
	// many as there are workers, run their variants side by side
	// (run.Execute on more workers), so that workers without an item of
	// their own share the last ones rather than idle until the slowest
	// ends. The item handed out with r left (r ≤ workers) gets
	// min(workers, ⌈2·workers/r⌉): every worker for the last two, fewer
	// for the others, so that the runs in flight at the end stay within
	// some 2·workers·ln(workers) (a run's memory each) rather than
	// workers² (2 workers: the last two items on both).
	type work struct{ i, workers int }
	items := make(chan work)
	type result struct {
		item int
		line string
		err  error
	}
	// Buffered, so that workers go on while the writer syncs.
	out := make(chan result, 4*workers)
	var names []string // the journal's columns: the base scenario's metrics
	for _, m := range results.Metrics(s.Base.Config) {
		names = append(names, m.Name)
	}
	var wg sync.WaitGroup
	loads := &pointLoads{s: s, at: map[int]*pointLoad{}, latest: -1}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cache := pointCache{s: s, loads: loads, names: names}
			for w := range items {
				i := w.i
				line, err := cache.run(ctx, i, w.workers)
				loads.put(i / s.Replications)
				cache.lineLen = len(line)
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
		for k, i := range todo {
			loads.hold(i / s.Replications)
			select {
			case items <- work{i, itemWorkers(workers, len(todo)-k)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()
	// Group commit: the results that are ready are written together and
	// synced once; an item counts as done only after its sync.
	var first error
	var batch []byte
	var places []placed
	for r := range out {
		n := 0
		batch, places = batch[:0], places[:0]
		for {
			if first == nil {
				if r.err != nil {
					first = r.err
					cancel()
				} else {
					places = append(places, placed{r.item, j.size + int64(len(batch)), len(r.line), r.line})
					batch = append(batch, r.line...)
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
		if err := j.append(batch); err != nil {
			first = err
			cancel()
			continue
		}
		if committed != nil {
			committed(places)
		}
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

// pointLoads loads each point's scenario once for all the workers of a
// run (on 2 workers each used to load every point: 3 ms of processor time
// a point of builtin:grid), and keeps it while an item of the point is
// handed out and not finished (hold, put), or no later point has been
// handed out: so at most one point more than there are workers. A
// scenario is read, never changed, by the runs of its items (run.Execute
// runs a scenario's replications side by side).
type pointLoads struct {
	s      *Sweep
	mu     sync.Mutex
	at     map[int]*pointLoad
	latest int // the latest point handed out
}

// pointLoad is a point's scenario, loaded once (loadPoint).
type pointLoad struct {
	once  sync.Once
	sc    *scenarios.Scenario
	err   error
	items int // handed out and not finished
}

// loadPoint is Sweep.Point (a test counts the loads).
var loadPoint = (*Sweep).Point

// executeItem is run.Execute (a test notes the workers of each item).
var executeItem = run.Execute

// itemWorkers is the workers of the item handed out with left items left
// (itself included) in a run on workers: see runItems.
func itemWorkers(workers, left int) int {
	if left > workers {
		return 1
	}
	return min(workers, (2*workers+left-1)/left)
}

// hold notes an item of point p handed out: its scenario is kept until
// put(p).
func (l *pointLoads) hold(p int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.at[p]
	if e == nil {
		e = &pointLoad{}
		l.at[p] = e
	}
	e.items++
	if p > l.latest {
		l.latest = p
		for q, e := range l.at {
			if e.items == 0 && q < p {
				delete(l.at, q)
			}
		}
	}
}

// get returns the scenario of point p, which an item holds, loading it or
// waiting for its load.
func (l *pointLoads) get(p int) (*scenarios.Scenario, error) {
	l.mu.Lock()
	e := l.at[p]
	l.mu.Unlock()
	e.once.Do(func() { e.sc, e.err = loadPoint(l.s, p) })
	return e.sc, e.err
}

// put notes an item of point p finished.
func (l *pointLoads) put(p int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.at[p]; e != nil {
		if e.items--; e.items == 0 && p < l.latest {
			delete(l.at, p)
		}
	}
}

// pointCache is what a worker keeps from one item to the next: items of
// one point are consecutive.
type pointCache struct {
	s     *Sweep
	loads *pointLoads
	names []string // the journal's metrics, by name
	// col[k] is the column of the item's summary that holds names[k] (−1:
	// none), for summaries of the metrics sum.
	col     []int
	sum     []string
	lineLen int    // the last line's length: the next one's is about the same
	areas   []byte // a variant's areas in the line
}

// columns sets col for a summary of the metrics ms, unless it is set
// for these already (a point's items have the same).
func (c *pointCache) columns(ms []results.Metric) {
	if len(ms) == len(c.sum) && c.col != nil {
		same := true
		for k := range ms {
			if ms[k].Name != c.sum[k] {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	c.sum = c.sum[:0]
	at := make(map[string]int, len(ms))
	for k, m := range ms {
		c.sum = append(c.sum, m.Name)
		if _, dup := at[m.Name]; !dup {
			at[m.Name] = k // the first, as Summary.Index
		}
	}
	c.col = c.col[:0]
	for _, name := range c.names {
		k, ok := at[name]
		if !ok {
			k = -1
		}
		c.col = append(c.col, k)
	}
}

// run runs every variant of item i (run.Execute of its point, its one
// replication) and returns its journal line, on the given workers (more
// than one: its variants side by side).
func (c *pointCache) run(ctx context.Context, i, workers int) (string, error) {
	p, rep := i/c.s.Replications, i%c.s.Replications
	sc, err := c.loads.get(p)
	if err != nil {
		return "", err
	}
	res, err := executeItem(ctx, sc, run.Options{Workers: workers, Replications: []int{rep}})
	if err != nil {
		return "", err
	}
	// The journal's columns are the base scenario's metrics (its header),
	// taken by name: a point's force may differ (its per-unit metrics are
	// left out), and a metric the point lacks is NaN.
	c.columns(res.Summary.Metrics)
	var b strings.Builder
	b.Grow(c.lineLen + c.lineLen/8)
	b.WriteString(strconv.Itoa(i))
	var num []byte
	for _, v := range res.Summary.Variants {
		b.WriteByte('\t')
		for k, j := range c.col {
			if k > 0 {
				b.WriteByte(',')
			}
			x := math.NaN()
			if j >= 0 {
				x = v.Reps[0][j]
			}
			num = strconv.AppendFloat(num[:0], x, 'g', -1, 64)
			b.Write(num)
		}
	}
	// Then each variant's areas (AreaItem, ";" between areas), or "-"
	// when the point's areas are not the base scenario's (a swept city).
	same := sameAreas(sc, c.s.Base)
	for v := range res.Summary.Variants {
		b.WriteByte('\t')
		if !same {
			b.WriteByte('-')
			continue
		}
		c.areas = res.AppendAreaItems(c.areas[:0], v, 0)
		b.Write(c.areas)
	}
	b.WriteByte('\n')
	return b.String(), nil
}

// sameAreas reports whether the point p has the areas of the base b
// (names in order).
func sameAreas(p, b *scenarios.Scenario) bool {
	pa, ba := p.Config.City.Atoms, b.Config.City.Atoms
	if len(pa) != len(ba) {
		return false
	}
	for a := range pa {
		if pa[a].Name != ba[a].Name {
			return false
		}
	}
	return true
}

// journal is an append-only file of finished items, synced after each,
// locked for the run (lockJournal).
type journal struct {
	f      *os.File
	path   string
	size   int64 // the file's size: where the next append goes
	unlock func()
}

func (j *journal) append(lines []byte) error {
	n, err := j.f.Write(lines)
	j.size += int64(n)
	if err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *journal) Close() error {
	err := j.f.Close()
	j.unlock()
	return err
}

// MaxJournalLine bounds a journal line in bytes; a file with a longer line
// is not a journal. An item line holds about 20 bytes a metric and
// variant, and per variant and area at most maxAreaBytes (six numbers and
// a response-time sketch of at most results.AreaSketchMaxBins bins,
// whatever the number of calls); a sweep whose lines could pass the limit
// is refused before it runs (lineBound).
const MaxJournalLine = 256 << 20

// journalLineLimit is the limit the journal reader applies: MaxJournalLine
// (a test lowers it to try a line past it cheaply).
var journalLineLimit = MaxJournalLine

// maxAreaBytes bounds an area's field in an item line: five numbers of at
// most 25 bytes, the unanswered count, and each sketch bin "K:C " (at most
// 6 + 1 + 11 + 1 bytes).
var maxAreaBytes = 6*25 + results.AreaSketchMaxBins*19

// lineBound is the most bytes an item line of a journal with header h
// can take.
func lineBound(h header) int {
	return 12 + len(h.Variants)*(1+25*len(h.Metrics)+1+h.Areas*(maxAreaBytes+1))
}

// JournalError is a journal that cannot be read as one: the file, the line
// (1-based, 0 for the whole file) and what is wrong.
type JournalError struct {
	Path string
	Line int
	Msg  string
}

func (e *JournalError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// openJournal opens (or creates) a journal for appending and locks it;
// checks that it belongs to the sweep described by want; drops a last line
// cut short or garbled by a crash (a torn header too: the journal then
// starts again from its header, nothing else was recorded); and returns
// the items it holds, each where it first is (an item recorded twice with
// different values is a *JournalError: the journal mixes two runs). A
// journal another sweep is writing is refused (*BusyError).
func openJournal(path string, want header, restart bool) (*journal, map[int]placed, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, nil, &JournalError{Path: path, Msg: (&inputs.NotRegularError{Kind: "not a file"}).Error()}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := lockJournal(f, path, true)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	j := &journal{f: f, path: path, unlock: unlock}
	done := map[int]placed{}
	fail := func(err error) (*journal, map[int]placed, error) {
		j.Close()
		return nil, nil, err
	}
	if restart {
		// Under the lock: a sweep still writing it is refused first.
		if err := f.Truncate(0); err != nil {
			return fail(err)
		}
	}
	good, h, err := scanJournal(f, path, func(h header, item int, line string, end int64) error {
		if item < 0 {
			if err := formatOK(path, h); err != nil {
				return err
			}
			if !sameSweep(h, want) {
				return fmt.Errorf("%s: %w: refusing to mix results (run with --restart to start over)", path, ErrChanged)
			}
			return nil
		}
		off := end - int64(len(line))
		if p, dup := done[item]; dup {
			// As finalize: the same values twice are harmless.
			prev := make([]byte, p.length)
			if _, err := f.ReadAt(prev, p.off); err != nil {
				return err
			}
			if string(prev) != line {
				return &JournalError{Path: path, Msg: fmt.Sprintf("item %d is recorded twice with different values: the journal mixes two runs (run with --restart to start over)", item)}
			}
			return nil
		}
		done[item] = placed{item: item, off: off, length: len(line)}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	st, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if st.Size() > good {
		// A crash may leave a last line without its newline, or garbled:
		// cut it off (a torn header with it: the journal starts again).
		if err := f.Truncate(good); err != nil {
			return fail(err)
		}
	}
	j.size = good
	if h == nil {
		wantLine, _ := json.Marshal(want)
		if err := j.append(append(wantLine, '\n')); err != nil {
			return fail(err)
		}
	}
	return j, done, nil
}

// formatOK refuses a journal of another format than JournalFormat.
func formatOK(path string, h header) error {
	if h.Format == JournalFormat {
		return nil
	}
	f := h.Format
	if f == 0 {
		f = 1
	}
	if f < JournalFormat {
		return &JournalError{Path: path, Msg: fmt.Sprintf("a journal of format %d, written by an earlier patrolsim without per-area results; this version reads format %d: run the sweep again with --restart (its items are run again)", f, JournalFormat)}
	}
	return &JournalError{Path: path, Msg: fmt.Sprintf("a journal of format %d, written by a later patrolsim; this version reads format %d", f, JournalFormat)}
}

func sameSweep(a, b header) bool {
	return a.Format == b.Format && a.Areas == b.Areas && a.Sweep == b.Sweep && a.Items == b.Items && a.Shard == b.Shard && a.Shards == b.Shards &&
		slices.Equal(a.Variants, b.Variants) && slices.Equal(a.Metrics, b.Metrics)
}

// scanJournal reads a journal from the start: fn gets the header (item −1)
// and then each item line with the offset just after it. It returns the
// offset after the last good line and the header (nil when the journal
// holds none: empty, or a first line cut short or garbled with nothing
// after it, as a crash while it was written leaves it). A last line
// without its newline, or garbled with nothing after it, is torn by a
// crash and left out; a bad line before other lines is a *JournalError.
// Item lines are checked in full (item number, variants, metrics).
func scanJournal(r io.ReadSeeker, path string, fn func(h header, item int, line string, end int64) error) (int64, *header, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, nil, err
	}
	br := bufio.NewReaderSize(inputs.LineLimit(&headerLimit{r: r}, int64(journalLineLimit)), 1<<16)
	var (
		h    *header
		good int64
		n    int
		bad  *JournalError // a garbled line: fatal unless it is the last
	)
	for {
		line, err := br.ReadString('\n')
		var lt *inputs.LineTooLongError
		if errors.As(err, &lt) {
			return 0, nil, &JournalError{Path: path, Line: lt.Line, Msg: fmt.Sprintf("a line longer than %s: not a sweep journal", inputs.Size(lt.Limit))}
		}
		if err == io.EOF {
			return good, h, nil // a partial last line (or none) is torn
		}
		if err != nil {
			return 0, nil, err
		}
		n++
		if bad != nil {
			return 0, nil, bad
		}
		if h == nil {
			var hh header
			if err := json.Unmarshal([]byte(line), &hh); err != nil || !strings.HasPrefix(hh.Sweep, "sha256:") || hh.Items < 1 || hh.Shards < 1 {
				bad = &JournalError{Path: path, Line: n, Msg: "not a sweep journal: the first line is not a journal header (" + startOf(line) + ")"}
				continue
			}
			if err := fn(hh, -1, "", good+int64(len(line))); err != nil {
				return 0, nil, err
			}
			h = &hh
			good += int64(len(line))
			continue
		}
		item, err := checkLine(line, *h)
		if err != nil {
			bad = &JournalError{Path: path, Line: n, Msg: "corrupt journal line: " + err.Error() + " (run with --restart to start over)"}
			continue
		}
		good += int64(len(line))
		if err := fn(*h, item, line, good); err != nil {
			return 0, nil, err
		}
	}
}

// MaxHeaderLine bounds a journal's first line, its header (a few hundred
// bytes a variant and metric name).
const MaxHeaderLine = 1 << 20

// headerLimit reads r, failing with a *inputs.LineTooLongError when more
// than MaxHeaderLine bytes come before the first newline: a file that is
// not a journal is refused before much of it is read.
type headerLimit struct {
	r    io.Reader
	seen int64
	done bool
}

func (h *headerLimit) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if h.done {
		return n, err
	}
	if i := bytes.IndexByte(p[:n], '\n'); i >= 0 {
		h.done = true
		if h.seen+int64(i) <= MaxHeaderLine {
			return n, err
		}
	}
	h.seen += int64(n)
	if h.seen > MaxHeaderLine {
		return 0, &inputs.LineTooLongError{Line: 1, Limit: MaxHeaderLine}
	}
	return n, err
}

// checkLine reads an item line of a journal with header h: its item
// number and values.
func checkLine(line string, h header) (int, error) {
	num, _, ok := strings.Cut(line, "\t")
	item, err := strconv.Atoi(num)
	if !ok || err != nil {
		return 0, fmt.Errorf("%s, not an item number and a tab", startOf(line))
	}
	if item < 0 || item >= h.Items {
		return 0, fmt.Errorf("item %d, but the sweep has items 0 to %d", item, h.Items-1)
	}
	if err := checkFields(line, len(h.Variants), len(h.Metrics), h.Areas); err != nil {
		return 0, err
	}
	return item, nil
}

// startOf describes the start of a line that is not what it should be.
func startOf(line string) string {
	ex := inputs.Excerpt([]byte(line), 20)
	if strings.HasPrefix(ex, "binary data") {
		return "it is " + ex
	}
	return "it starts " + ex
}

// parseValues reads the values by variant of a line that checkFields
// accepts: the areas' fields after them are not read.
func parseValues(line string, nv, nm int) ([][]float64, error) {
	parts := strings.SplitN(line, "\t", nv+2)
	if len(parts) != nv+2 {
		return nil, fmt.Errorf("journal line with %d fields after the item, want %d (%d variants' metrics, then their areas)", len(parts)-1, 2*nv, nv)
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
				return nil, fmt.Errorf("value %d of variant %d is %s, not a number", k+1, v+1, inputs.Excerpt([]byte(f), 20))
			}
			out[v][k] = x
		}
	}
	return out, nil
}

// checkFields checks a journal line after its item number: each
// variant's values, and each variant's areas (none, "-", when the point's
// areas are not the base's), each read as results.ParseAreaItem reads it
// (results.CheckAreaItem: without making its sketch).
func checkFields(line string, nv, nm, na int) error {
	line = strings.TrimSuffix(line, "\n")
	if n := strings.Count(line, "\t"); n != 2*nv {
		return fmt.Errorf("journal line with %d fields after the item, want %d (%d variants' metrics, then their areas)", n, 2*nv, nv)
	}
	_, line, _ = strings.Cut(line, "\t")
	for v := range nv {
		var vals string
		vals, line, _ = strings.Cut(line, "\t")
		if n := strings.Count(vals, ",") + 1; n != nm {
			return fmt.Errorf("journal line with %d metrics, want %d", n, nm)
		}
		for k := range nm {
			var f string
			f, vals, _ = strings.Cut(vals, ",")
			if _, err := strconv.ParseFloat(f, 64); err != nil {
				return fmt.Errorf("value %d of variant %d is %s, not a number", k+1, v+1, inputs.Excerpt([]byte(f), 20))
			}
		}
	}
	areas := false
	for v := range nv {
		var f string
		f, line, _ = strings.Cut(line, "\t")
		if f == "-" {
			if v > 0 && areas {
				return fmt.Errorf("variant %d has no areas, variant 1 has", v+1)
			}
			continue
		}
		if v > 0 && !areas {
			return fmt.Errorf("variant %d has areas, variant 1 has none", v+1)
		}
		areas = true
		if n := strings.Count(f, ";") + 1; n != na {
			return fmt.Errorf("variant %d with %d areas, want %d", v+1, n, na)
		}
		for a := range na {
			var t string
			t, f, _ = strings.Cut(f, ";")
			if err := results.CheckAreaItem(t); err != nil {
				return fmt.Errorf("area %d of variant %d: %w", a+1, v+1, err)
			}
		}
	}
	return nil
}
