package results

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsim/patrolsim/sim"
	"github.com/patrolsim/patrolsim/sim/geo"
)

// TraceRow is one incident of one run, for the trace file.
type TraceRow struct {
	Variant string
	Rep     int
	Counted bool
	Rec     sim.IncidentRecord
}

// TraceHeader is the header of the trace CSV. Times are seconds from the
// start of the run; empty where the stage never happened. x_m, y_m are the
// place in the city's plane (metres, 0.1 m); lon, lat the same place in
// WGS 84 degrees (6 decimals, about 0.1 m; a grid city is drawn at 0°E 0°N,
// GridAnchor).
var TraceHeader = []string{"variant", "replication", "id", "type", "priority", "atom", "district",
	"x_m", "y_m", "lon", "lat", "officers", "occur_s", "call_s", "ready_s", "dispatch_s", "arrive_s", "full_s", "clear_s",
	"counted", "units"}

// WriteTrace writes rows as CSV, naming atoms, districts and units (each
// row's units by its variant's force).
func WriteTrace(w io.Writer, variants []sim.Variant, rows []TraceRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TraceHeader); err != nil {
		return err
	}
	names := map[string][]string{}
	models := map[string]*sim.Model{}
	for _, v := range variants {
		names[v.Name] = UnitNames(v.Model)
		models[v.Name] = v.Model
	}
	rec := make([]string, len(TraceHeader))
	for i := range rows {
		traceFields(rec, &rows[i], models[rows[i].Variant], names[rows[i].Variant])
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// traceFields fills rec with row's fields, m being its variant's model and
// unitNames UnitNames(m).
func traceFields(rec []string, row *TraceRow, m *sim.Model, unitNames []string) {
	r := &row.Rec
	cfg := m.Cfg
	rec[0], rec[1] = row.Variant, strconv.Itoa(row.Rep)
	rec[2] = strconv.Itoa(r.ID)
	rec[3] = cfg.Incidents.Types[r.Type].Name
	rec[4] = strconv.Itoa(r.Priority)
	rec[5] = cfg.City.Atoms[r.Atom].Name
	rec[6] = cfg.City.Districts[r.District].Name
	rec[7] = strconv.FormatFloat(r.Pos.X, 'f', 1, 64)
	rec[8] = strconv.FormatFloat(r.Pos.Y, 'f', 1, 64)
	lon, lat := LonLat(cfg.City, geo.Point{X: r.Pos.X, Y: r.Pos.Y})
	rec[9] = strconv.FormatFloat(lon, 'f', 6, 64)
	rec[10] = strconv.FormatFloat(lat, 'f', 6, 64)
	rec[11] = strconv.Itoa(r.Needed)
	for j, t := range []float64{r.Occur, r.Call, r.Ready, r.Dispatch, r.Arrive, r.Full, r.Clear} {
		if t != t {
			rec[12+j] = ""
		} else {
			rec[12+j] = strconv.FormatFloat(t, 'f', 3, 64)
		}
	}
	rec[19] = strconv.FormatBool(row.Counted)
	names := make([]string, len(r.Units))
	for j, u := range r.Units {
		names[j] = unitNames[u]
	}
	rec[20] = strings.Join(names, ";")
}

// TraceChunkBytes is how many bytes of encoded rows a TraceRun holds in
// memory before it writes them, sorted by incident, as a chunk of its
// spool file: a run's trace costs about this much memory (plus an index
// of 24 bytes a held row), whatever its length, and writing trace.csv
// reads each chunk through a 4 KiB buffer.
var TraceChunkBytes = 1 << 20

// TraceRun streams one run's trace rows to a spool file as incidents
// complete: rows are encoded as trace.csv lines at once, held up to
// TraceChunkBytes, then sorted by incident and appended to the file as a
// chunk. Memory is one chunk whatever the run's length. One goroutine
// uses a TraceRun.
type TraceRun struct {
	path      string
	model     *sim.Model
	unitNames []string
	rec       []string
	buf       bytes.Buffer // encoded lines of the chunk being filled
	cw        *csv.Writer  // into buf
	rows      []spoolRow
	chunks    []int64 // offsets of each written chunk's start, then the file's end
	err       error
}

type spoolRow struct {
	id       int
	off, end int // in buf
}

// NewTraceRun makes the spool of one run of variant model in file path
// (created; the caller removes it).
func NewTraceRun(path string, model *sim.Model) *TraceRun {
	t := &TraceRun{path: path, model: model, unitNames: UnitNames(model), rec: make([]string, len(TraceHeader)), chunks: []int64{0}}
	t.cw = csv.NewWriter(&t.buf)
	return t
}

// Add encodes row and keeps it; a full chunk is written out. The first
// error is kept and returned by Close.
func (t *TraceRun) Add(row *TraceRow) {
	if t.err != nil {
		return
	}
	traceFields(t.rec, row, t.model, t.unitNames)
	if t.buf.Cap() == 0 {
		t.buf.Grow(TraceChunkBytes + 1<<12) // once: no doubling past the chunk
	}
	off := t.buf.Len()
	if err := t.cw.Write(t.rec); err != nil {
		t.err = err
		return
	}
	t.cw.Flush()
	t.rows = append(t.rows, spoolRow{row.Rec.ID, off, t.buf.Len()})
	if t.buf.Len() >= TraceChunkBytes {
		t.err = t.flush()
	}
}

// flush writes the held rows, sorted by incident, as one chunk: each row
// its id and length as uvarints, then its line.
func (t *TraceRun) flush() error {
	if len(t.rows) == 0 {
		return nil
	}
	slices.SortFunc(t.rows, func(a, b spoolRow) int { return cmp.Compare(a.id, b.id) })
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	data := t.buf.Bytes()
	var hdr [2 * binary.MaxVarintLen64]byte
	n := t.chunks[len(t.chunks)-1]
	for _, r := range t.rows {
		k := binary.PutUvarint(hdr[:], uint64(r.id))
		k += binary.PutUvarint(hdr[k:], uint64(r.end-r.off))
		bw.Write(hdr[:k])
		bw.Write(data[r.off:r.end])
		n += int64(k + r.end - r.off)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	t.chunks = append(t.chunks, n)
	t.rows = t.rows[:0]
	t.buf.Reset()
	return nil
}

// Close writes the last chunk, lets the chunk's memory go, and returns
// the first error met.
func (t *TraceRun) Close() error {
	if t.err == nil {
		t.err = t.flush()
	}
	t.buf, t.rows, t.cw = bytes.Buffer{}, nil, nil
	return t.err
}

// WriteTraceRuns writes trace.csv from runs' spools, in the order given
// (Execute's: by variant, then replication): the header, then each run's
// rows by incident, merging its chunks. The file is the one WriteTrace
// writes from the same rows held in memory, byte for byte.
func WriteTraceRuns(w io.Writer, runs []*TraceRun) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(TraceHeader); err != nil {
		return err
	}
	cw.Flush()
	for _, t := range runs {
		if err := t.merge(bw); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// chunkReader reads one chunk of a spool file, a row at a time.
type chunkReader struct {
	r    *bufio.Reader
	id   int
	line []byte
}

func (c *chunkReader) next() (bool, error) {
	id, err := binary.ReadUvarint(c.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := binary.ReadUvarint(c.r)
	if err != nil {
		return false, err
	}
	if cap(c.line) < int(n) {
		c.line = make([]byte, n)
	}
	c.line = c.line[:n]
	if _, err := io.ReadFull(c.r, c.line); err != nil {
		return false, err
	}
	c.id = int(id)
	return true, nil
}

// merge writes the run's rows in incident order: a k-way merge of its
// sorted chunks.
func (t *TraceRun) merge(w io.Writer) error {
	if len(t.chunks) < 2 {
		return nil
	}
	f, err := os.Open(t.path)
	if err != nil {
		return err
	}
	defer f.Close()
	var heads []*chunkReader
	for c := 0; c+1 < len(t.chunks); c++ {
		cr := &chunkReader{r: bufio.NewReaderSize(io.NewSectionReader(f, t.chunks[c], t.chunks[c+1]-t.chunks[c]), 1<<12)}
		ok, err := cr.next()
		if err != nil {
			return fmt.Errorf("trace spool %s: %w", t.path, err)
		}
		if ok {
			heads = append(heads, cr)
		}
	}
	h := chunkHeap(heads)
	heap.Init(&h)
	for len(h) > 0 {
		if _, err := w.Write(h[0].line); err != nil {
			return err
		}
		ok, err := h[0].next()
		if err != nil {
			return fmt.Errorf("trace spool %s: %w", t.path, err)
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}

// chunkHeap orders chunk readers by their next row's incident (ids are
// distinct within a run).
type chunkHeap []*chunkReader

func (h chunkHeap) Len() int           { return len(h) }
func (h chunkHeap) Less(i, j int) bool { return h[i].id < h[j].id }
func (h chunkHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *chunkHeap) Push(x any)        { *h = append(*h, x.(*chunkReader)) }
func (h *chunkHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// UnitNames names each unit "TYPE-N", N counting from 1 within its type.
func UnitNames(m *sim.Model) []string {
	count := make([]int, len(m.Cfg.Units))
	names := make([]string, len(m.World.Units))
	for u, unit := range m.World.Units {
		count[unit.Type]++
		names[u] = unit.TypeName + "-" + strconv.Itoa(count[unit.Type])
	}
	return names
}
