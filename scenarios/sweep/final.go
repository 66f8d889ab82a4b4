package sweep

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/parquet-go/parquet-go"
	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/inputs"
	"github.com/patrolsim/patrolsim/internal/outputs"
	"github.com/patrolsim/patrolsim/results"
)

// Output files of a sweep (besides its journals).
const (
	RowsFile    = "rows.csv"      // one row per (point, replication, variant)
	ParquetFile = "rows.parquet"  // the same rows, in Parquet
	PointsFile  = "points.csv"    // per (point, variant, metric): mean and 95% interval
	MetaFile    = "sweep.json"    // what was swept
	AreasFile   = "areas.geojson" // per (point, area): the areas' results in lon/lat (writeAreas)
)

type located struct {
	journal int
	off     int64
	length  int
}

// placed is where an item's line is in a journal, and the line when this
// process wrote it.
type placed struct {
	item   int
	off    int64
	length int
	line   string
}

// ErrIncomplete is returned when the journals do not hold every item.
var ErrIncomplete = errors.New("items are missing")

// Folder is a sweep's output folder as a set of files written as a unit
// (outputs.Folder): the final files; its journals and other plain files
// are carried over, a report drawn from the old files goes with them.
func Folder(dir string) outputs.Folder {
	return outputs.Folder{Dir: dir, Set: "sweep's results", Known: []string{RowsFile, ParquetFile, PointsFile, MetaFile, AreasFile},
		Derived: []string{"report.html", "charts"}}
}

// Finalize writes the final files of s into out from the journals, which
// together must hold every item exactly once (an item twice with the same
// values counts once) and belong to s (its hash). The files depend only on
// the items' results, not on how they were split or in which order they
// finished. They are written as one set (Folder): a crash leaves the old
// set or the new one. A journal a sweep is still writing is refused
// (*BusyError), a journal that is not one is a *JournalError, missing
// items are ErrIncomplete. When ctx is done before the new set is in
// place, the old one stays and ctx's error is returned.
func Finalize(ctx context.Context, out string, s *Sweep, journals []string) error {
	files := make([]*os.File, len(journals))
	infos := make([]os.FileInfo, len(journals))
	for k, path := range journals {
		f, err := inputs.Open(path)
		if err != nil {
			var nr *inputs.NotRegularError
			if errors.As(err, &nr) {
				return &JournalError{Path: path, Msg: nr.Error()}
			}
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		for j := range k {
			if os.SameFile(st, infos[j]) {
				return &JournalError{Path: path, Msg: fmt.Sprintf("the same journal as %s, given twice", journals[j])}
			}
		}
		infos[k] = st
		unlock, err := lockJournal(f, path, false)
		if err != nil {
			return err
		}
		defer unlock()
		files[k] = f
	}
	return s.finalize(ctx, out, files, journals, runtime.GOMAXPROCS(0))
}

// finalize is Finalize of journals already open (and locked), writing at
// most par files at a time.
func (s *Sweep) finalize(ctx context.Context, out string, files []*os.File, journals []string, par int) error {
	want := s.header(Options{Shards: 1})
	loc := make([]located, s.Items())
	for i := range loc {
		loc[i].journal = -1
	}
	shards := -1
	seenShard := map[int]string{}
	for k, path := range journals {
		_, h, err := scanJournal(files[k], path, func(h header, item int, line string, end int64) error {
			if item < 0 {
				if err := formatOK(path, h); err != nil {
					return err
				}
				hh := h
				hh.Shard, hh.Shards = 0, 1
				if !sameSweep(hh, want) {
					return fmt.Errorf("%s: %w (its results are of another sweep)", path, ErrChanged)
				}
				if shards >= 0 && h.Shards != shards {
					return &JournalError{Path: path, Msg: fmt.Sprintf("a slice of %d, others of %d", h.Shards, shards)}
				}
				shards = h.Shards
				if other, dup := seenShard[h.Shard]; dup {
					return &JournalError{Path: path, Msg: fmt.Sprintf("slice %d, as %s is: give each slice once", h.Shard, other)}
				}
				seenShard[h.Shard] = path
				return nil
			}
			off := end - int64(len(line))
			if l := loc[item]; l.journal >= 0 {
				// Recorded twice: results are deterministic, so the
				// same values are harmless; others are not.
				prev := make([]byte, l.length)
				if _, err := files[l.journal].ReadAt(prev, l.off); err != nil {
					return err
				}
				if string(prev) != line {
					return &JournalError{Path: path, Msg: fmt.Sprintf("item %d is recorded twice with different values (also in %s): the journals mix two runs", item, journals[l.journal])}
				}
				return nil
			}
			loc[item] = located{k, off, len(line)}
			return nil
		})
		if err != nil {
			return err
		}
		if h == nil {
			return &JournalError{Path: path, Msg: "no journal header: the file is empty or was cut short before a sweep recorded anything in it"}
		}
	}
	missing := 0
	for i := range loc {
		if loc[i].journal < 0 {
			missing++
		}
	}
	if missing > 0 {
		return fmt.Errorf("%w: %d of %d (run the missing slices, or the sweep again, first)", ErrIncomplete, missing, len(loc))
	}
	line := func(i int) (string, error) {
		l := loc[i]
		buf := make([]byte, l.length)
		if _, err := files[l.journal].ReadAt(buf, l.off); err != nil {
			return "", err
		}
		return string(buf), nil
	}
	return Folder(out).Write(ctx, func(stage string) error {
		return s.writeFinal(stage, want, readers(want, line), line, par, nil)
	})
}

// readers returns writeFinal's reader of item i's values (read), from its
// journal line; AreasFile reads the lines themselves (writeAreas).
func readers(want header, line func(i int) (string, error)) func(int) ([][]float64, error) {
	nv, nm := len(want.Variants), len(want.Metrics)
	// Three of the four readers want the metrics only: their lines'
	// areas (most of a line, and most of the cost of reading one) are
	// left unparsed (lines were checked in full when the journal was
	// scanned, or written by this process).
	return func(i int) ([][]float64, error) {
		l, err := line(i)
		if err != nil {
			return nil, err
		}
		return parseValues(l, nv, nm)
	}
}

// liveItems are the items of a sweep's one-slice run as they become
// durable in its journal: the final files' writers read item i as soon
// as it is there (line waits for it), so that they write beside the
// workers rather than after them. The files are the same as Finalize's
// from the finished journal: they read the same lines in the same order.
type liveItems struct {
	f    *os.File // the journal, read at the items' places (ReadAt)
	mu   sync.Mutex
	cond *sync.Cond
	at   []placed // by item; length 0 until the item is in the journal
	// reads counts the reads of an item's line kept in memory (at[i].line,
	// set for the items this run wrote): it is let go after finalReads,
	// and a later read takes it from the journal.
	reads []uint8
	err   error // the run failed: no more items come
}

// newLiveItems starts with the items the journal f held when the run
// began.
func newLiveItems(items int, f *os.File, done map[int]placed) *liveItems {
	l := &liveItems{f: f, at: make([]placed, items), reads: make([]uint8, items)}
	l.cond = sync.NewCond(&l.mu)
	for i, p := range done {
		l.at[i] = p
	}
	return l
}

// add makes items durable in the journal readable (runItems' committed).
func (l *liveItems) add(ps []placed) {
	l.mu.Lock()
	for _, p := range ps {
		if l.err != nil {
			p.line = "" // no file reads it any more (fail)
		}
		l.at[p.item] = p
	}
	l.mu.Unlock()
	l.cond.Broadcast()
}

// fail ends the waits of line: the run, or one of the files, stopped with
// err (the first kept). No line is kept in memory from then on: no file
// will read it.
func (l *liveItems) fail(err error) {
	l.mu.Lock()
	if l.err == nil {
		l.err = err
	}
	for i := range l.at {
		l.at[i].line = ""
	}
	l.mu.Unlock()
	l.cond.Broadcast()
}

// line returns item i's journal line, waiting until it is there.
func (l *liveItems) line(i int) (string, error) {
	l.mu.Lock()
	for l.at[i].length == 0 && l.err == nil {
		l.cond.Wait()
	}
	p, err := l.at[i], l.err
	if err != nil {
		l.mu.Unlock()
		return "", err // a file or the run failed: every reader stops
	}
	if p.line != "" {
		if l.reads[i]++; l.reads[i] >= finalReads {
			l.at[i].line = ""
		}
	}
	l.mu.Unlock()
	if p.line != "" {
		return p.line, nil
	}
	buf := make([]byte, p.length)
	if _, err := l.f.ReadAt(buf, p.off); err != nil {
		return "", err
	}
	return string(buf), nil
}

// finalizeLive writes the final files of a one-slice run into out as its
// items come (liveItems); it returns once every item is in and the files
// are in place, or, when the run fails (live.fail), with that error and
// the folder as it was.
func (s *Sweep) finalizeLive(ctx context.Context, out string, want header, live *liveItems) error {
	want.Shard, want.Shards = 0, 1
	return Folder(out).Write(ctx, func(stage string) error {
		// Every file at once: they wait on the items more than they work;
		// when one fails, the others' reads fail too (live.fail).
		return s.writeFinal(stage, want, readers(want, live.line), live.line, 5, live.fail)
	})
}

// finalReads is how many times writeFinal reads each item: once for each
// of RowsFile, ParquetFile, PointsFile and AreasFile (liveItems keeps a
// line in memory until then).
const finalReads = 4

// writeFinal writes the final files into dir, reading item i's values with
// read (line: its journal line, for AreasFile, not written when line is
// nil), par files at a time (at least one). Each file reads the items on
// its own, in item order, so the files are the same whatever par and
// whether the items are all there (Finalize) or come as a run finishes
// them (finalizeLive: read waits; the files cost ~8 ms of processor time
// a BenchmarkSweep sweep, ~1.5% of its items' work (BenchmarkFinalFiles),
// which a run used to spend after its items). The error is the first
// file's in the order RowsFile, ParquetFile, PointsFile, MetaFile,
// AreasFile.
func (s *Sweep) writeFinal(dir string, want header, read func(int) ([][]float64, error), line func(int) (string, error), par int, failed func(error)) error {
	nv, nm := len(want.Variants), len(want.Metrics)
	R := s.Replications
	writers := []func() error{s.writeRows(dir, want, read), func() error {
		return outputs.WriteNew(filepath.Join(dir, ParquetFile), func(w io.Writer) error {
			return writeParquet(w, s, want, read)
		})
	}, func() error {
		return s.writePoints(dir, want, read, nv, nm, R)
	}, func() error {
		return s.writeMeta(dir, want, R)
	}}
	if line != nil {
		writers = append(writers, func() error {
			return outputs.WriteNew(filepath.Join(dir, AreasFile), func(w io.Writer) error {
				return s.writeAreas(w, want, line)
			})
		})
	}
	errs := make([]error, len(writers))
	sem := make(chan struct{}, max(1, par))
	var wg sync.WaitGroup
	// Started longest first (areas.geojson, then Parquet: together most
	// of the time), so that the others fill in beside them.
	start := []int{1, 2, 0, 3} // Parquet, points, rows, meta
	if len(writers) == 5 {
		start = append([]int{4}, start...)
	}
	for _, k := range start {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[k] = writers[k]()
			if errs[k] != nil && failed != nil {
				failed(errs[k])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// writeRows returns the writer of RowsFile.
func (s *Sweep) writeRows(dir string, want header, read func(int) ([][]float64, error)) func() error {
	nv := len(want.Variants)
	R := s.Replications
	return func() error {
		return outputs.WriteNew(filepath.Join(dir, RowsFile), func(w io.Writer) error {
			head := []string{"point", "replication", "variant"}
			for _, p := range s.Params {
				head = append(head, p.Path)
			}
			head = append(head, want.Metrics...)
			if err := writeCSVHead(w, head); err != nil {
				return err
			}
			// A row as encoding/csv writes it: its text fields quoted
			// once (csvText), its numbers never needing it.
			variants := csvTexts(want.Variants)
			var values []string // point p's swept values
			var row []byte
			for i := range s.Items() {
				vals, err := read(i)
				if err != nil {
					return err
				}
				p, rep := i/R, i%R
				if i == 0 || rep == 0 {
					values = values[:0]
					for k := range s.Params {
						values = append(values, csvText(s.Points[p][k].Value))
					}
				}
				row = row[:0]
				for v := range nv {
					row = strconv.AppendInt(row, int64(p), 10)
					row = append(row, ',')
					row = strconv.AppendInt(row, int64(rep), 10)
					row = append(row, ',')
					row = append(row, variants[v]...)
					for _, x := range values {
						row = append(row, ',')
						row = append(row, x...)
					}
					for _, x := range vals[v] {
						row = append(row, ',')
						row = appendCSVFloat(row, x)
					}
					row = append(row, '\n')
				}
				if _, err := w.Write(row); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// writePoints writes PointsFile.
func (s *Sweep) writePoints(dir string, want header, read func(int) ([][]float64, error), nv, nm, R int) error {
	return outputs.WriteNew(filepath.Join(dir, PointsFile), func(w io.Writer) error {
		head := []string{"point", "variant"}
		for _, p := range s.Params {
			head = append(head, p.Path)
		}
		head = append(head, "metric", "mean", "ci95_low", "ci95_high", "n")
		if err := writeCSVHead(w, head); err != nil {
			return err
		}
		variants, metrics := csvTexts(want.Variants), csvTexts(want.Metrics)
		var values []string // point p's swept values
		var row []byte
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
			values = values[:0]
			for k := range s.Params {
				values = append(values, csvText(s.Points[p][k].Value))
			}
			row = row[:0]
			for v := range nv {
				for m := range nm {
					e := results.EstimateOf(col[v][m])
					row = strconv.AppendInt(row, int64(p), 10)
					row = append(row, ',')
					row = append(row, variants[v]...)
					for _, x := range values {
						row = append(row, ',')
						row = append(row, x...)
					}
					row = append(row, ',')
					row = append(row, metrics[m]...)
					for _, x := range []float64{e.Mean, e.Low, e.High} {
						row = append(row, ',')
						row = appendCSVFloat(row, x)
					}
					row = append(row, ',')
					row = strconv.AppendInt(row, int64(e.N), 10)
					row = append(row, '\n')
				}
			}
			if _, err := w.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeCSVHead writes a CSV file's header row with encoding/csv.
func writeCSVHead(w io.Writer, head []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvText is field as encoding/csv writes it in a row: quoted when it
// needs to be (a comma, a quote, a line break, a leading space, \.),
// its quotes doubled.
func csvText(field string) string {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.Write([]string{field})
	cw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

func csvTexts(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = csvText(f)
	}
	return out
}

// appendCSVFloat appends results.FormatFloat(x): the fewest digits that
// read back exactly, nothing for NaN or an infinity. Such a field never
// needs quotes.
func appendCSVFloat(b []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return b
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

// writeMeta writes MetaFile.
func (s *Sweep) writeMeta(dir string, want header, R int) error {
	return outputs.WriteNew(filepath.Join(dir, MetaFile), func(w io.Writer) error {
		meta := Meta{Sweep: s.Hash, Scenario: s.File.Scenario, Design: s.File.Design, Replications: R, Items: s.Items(), Variants: want.Variants}
		for _, p := range s.Params {
			meta.Params = append(meta.Params, p.Path)
		}
		for _, g := range s.Linked() {
			var paths []string
			for _, k := range g {
				paths = append(paths, s.Params[k].Path)
			}
			meta.Linked = append(meta.Linked, paths)
		}
		for i, pt := range s.Points {
			vals := map[string]string{}
			for k, p := range s.Params {
				vals[p.Path] = pt[k].Value
			}
			meta.Points = append(meta.Points, MetaPoint{i, vals})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(meta)
	})
}

// writeParquet writes the rows of rows.csv as Parquet, zstd-compressed:
// point and replication INT64, variant a string, each swept parameter
// typed by its values (paramType: INT64 when every value is a YAML
// integer, DOUBLE when every value is a number, else a string as written
// in the sweep file), every metric an optional DOUBLE (null where
// undefined, as the CSV's empty fields; +Inf where infinite, where the CSV
// is empty too). Parquet orders the columns by name.
func writeParquet(w io.Writer, s *Sweep, h header, read func(int) ([][]float64, error)) error {
	group := parquet.Group{
		"point":       parquet.Leaf(parquet.Int64Type),
		"replication": parquet.Leaf(parquet.Int64Type),
		"variant":     parquet.String(),
	}
	kinds := make([]paramKind, len(s.Params))
	for k, p := range s.Params {
		kinds[k] = paramType(s, k)
		switch kinds[k] {
		case paramInt:
			group[p.Path] = parquet.Leaf(parquet.Int64Type)
		case paramFloat:
			group[p.Path] = parquet.Leaf(parquet.DoubleType)
		default:
			group[p.Path] = parquet.String()
		}
	}
	for _, m := range h.Metrics {
		group[m] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
	}
	schema := parquet.NewSchema("sweep", group)
	col := map[string]int{}
	for i, path := range schema.Columns() {
		col[path[0]] = i
	}
	pw := parquet.NewWriter(w, schema, parquet.Compression(&parquet.Zstd))
	row := make(parquet.Row, len(col))
	R := s.Replications
	for i := range s.Items() {
		vals, err := read(i)
		if err != nil {
			return err
		}
		p, rep := i/R, i%R
		for v := range h.Variants {
			row[col["point"]] = parquet.Int64Value(int64(p)).Level(0, 0, col["point"])
			row[col["replication"]] = parquet.Int64Value(int64(rep)).Level(0, 0, col["replication"])
			row[col["variant"]] = parquet.ByteArrayValue([]byte(h.Variants[v])).Level(0, 0, col["variant"])
			for k, par := range s.Params {
				c := col[par.Path]
				val := s.Points[p][k].Value
				switch kinds[k] {
				case paramInt:
					x, _ := strconv.ParseInt(val, 0, 64)
					row[c] = parquet.Int64Value(x).Level(0, 0, c)
				case paramFloat:
					row[c] = parquet.DoubleValue(numberOf(val)).Level(0, 0, c)
				default:
					row[c] = parquet.ByteArrayValue([]byte(val)).Level(0, 0, c)
				}
			}
			for m, name := range h.Metrics {
				c := col[name]
				if x := vals[v][m]; x == x {
					row[c] = parquet.DoubleValue(x).Level(0, 1, c)
				} else {
					row[c] = parquet.NullValue().Level(0, 0, c)
				}
			}
			if _, err := pw.WriteRows([]parquet.Row{row}); err != nil {
				return err
			}
		}
	}
	return pw.Close()
}

// writeAreas writes areas.geojson: for each point in turn, each area of
// the base scenario's city with the point's swept values and, per variant,
// the measures of a run's areas.geojson over the point's replications
// (results.AreaMerge of the items' lines: MergeAreaItems, the p90 from
// pooled sketches). A point whose areas are not the base's (a swept city)
// has no features.
func (s *Sweep) writeAreas(w io.Writer, h header, line func(int) (string, error)) error {
	R := s.Replications
	nv := len(h.Variants)
	params := make([]results.AreaParam, len(s.Params))
	kinds := make([]paramKind, len(s.Params))
	for k := range s.Params {
		kinds[k] = paramType(s, k)
	}
	meta := map[string]any{
		"sweep":        s.Hash,
		"scenario":     s.File.Scenario,
		"replications": R,
		"points":       len(s.Points),
		"measures":     "one feature per point and area; per variant, VARIANT_MEASURE: incidents_* are means per replication over the measurement window; visibility a share 0-1; response_*_s seconds, the p90 within 0.5%; null where undefined (docs/outputs.md)",
	}
	merge := make([]results.AreaMerge, nv)
	fields := make([]string, nv)
	return results.WriteSweepAreasGeoJSON(w, s.Base.Config.City, meta, len(s.Points), func(p int) (results.AreaPoint, error) {
		pt := results.AreaPoint{Point: p, Variants: h.Variants}
		for k, par := range s.Params {
			val := s.Points[p][k].Value
			var raw []byte
			switch kinds[k] {
			case paramInt:
				x, _ := strconv.ParseInt(val, 0, 64)
				raw = strconv.AppendInt(nil, x, 10)
			case paramFloat:
				raw = strconv.AppendFloat(nil, numberOf(val), 'g', -1, 64)
			default:
				raw, _ = json.Marshal(val)
			}
			params[k] = results.AreaParam{Name: par.Path, Value: raw}
		}
		pt.Params = params
		for v := range merge {
			merge[v].Reset(h.Areas, R)
		}
		for rep := range R {
			l, err := line(p*R + rep)
			if err != nil {
				return pt, err
			}
			if err := areaFields(l, fields); err != nil {
				return pt, err
			}
			if fields[0] == "-" {
				return pt, nil // no features for this point
			}
			for v := range merge {
				if err := merge[v].Add(fields[v]); err != nil {
					return pt, fmt.Errorf("variant %d: %w", v+1, err)
				}
			}
		}
		for v := range merge {
			pt.Data = append(pt.Data, merge[v].Details())
		}
		return pt, nil
	})
}

// areaFields sets fields[v] to variant v's areas in a journal line (as
// checkFields reads it: "-" for every variant, or none).
func areaFields(line string, fields []string) error {
	nv := len(fields)
	line = strings.TrimSuffix(line, "\n")
	for range 1 + nv {
		_, rest, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("journal line with fewer fields than %d variants' metrics and areas", nv)
		}
		line = rest
	}
	for v := range nv {
		f, rest, ok := strings.Cut(line, "\t")
		if ok == (v == nv-1) {
			return fmt.Errorf("journal line without %d variants' areas", nv)
		}
		fields[v], line = f, rest
		switch {
		case f == "-" && fields[0] != "-":
			return fmt.Errorf("variant %d has no areas, variant 1 has", v+1)
		case f != "-" && fields[0] == "-":
			return fmt.Errorf("variant %d has areas, variant 1 has none", v+1)
		}
	}
	return nil
}

// numberOf reads a YAML number of a paramFloat column: an integer in any
// base YAML allows (0x1f), or a float.
func numberOf(v string) float64 {
	if i, err := strconv.ParseInt(v, 0, 64); err == nil {
		return float64(i)
	}
	x, _ := strconv.ParseFloat(v, 64)
	return x
}

// paramKind is the Parquet type of a swept parameter's column.
type paramKind int

const (
	paramString paramKind = iota
	paramInt
	paramFloat
)

// paramType returns the type of parameter k's column: paramInt when every
// point's value is a YAML integer (!!int) that fits an int64, paramFloat
// when every value is an integer or a finite float (!!float), else
// paramString (text, durations such as 30m, booleans, or a mixture).
func paramType(s *Sweep, k int) paramKind {
	kind := paramInt
	for _, pt := range s.Points {
		n := pt[k]
		if n.Kind != yaml.ScalarNode {
			return paramString
		}
		switch n.Tag {
		case "!!int":
			if _, err := strconv.ParseInt(n.Value, 0, 64); err != nil {
				if _, err := strconv.ParseFloat(n.Value, 64); err != nil {
					return paramString
				}
				kind = paramFloat
			}
		case "!!float":
			x, err := strconv.ParseFloat(n.Value, 64)
			if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
				return paramString
			}
			kind = paramFloat
		default:
			return paramString
		}
	}
	return kind
}

// Meta is a sweep's sweep.json (MetaFile): what was swept. The report
// package reads it back.
type Meta struct {
	Sweep    string   `json:"sweep"` // the sweep's hash
	Scenario string   `json:"scenario"`
	Design   string   `json:"design"`
	Params   []string `json:"params"` // parameter paths
	// Linked lists the linked groups (parameters varied together, one
	// dimension of the design) by their paths; absent when none.
	Linked       [][]string  `json:"linked,omitempty"`
	Replications int         `json:"replications"`
	Items        int         `json:"items"`
	Variants     []string    `json:"variants"`
	Points       []MetaPoint `json:"points"`
}

// MetaPoint is one design point of a sweep: parameter path → value.
type MetaPoint struct {
	Point  int               `json:"point"`
	Values map[string]string `json:"values"`
}
