package sweep

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// typedSweep sweeps an integer (a unit count), a number written once as an
// integer and once as a float (the detour factor) and a string (the
// dispatch mode): 8 points of one replication.
const typedSweep = `version: 1
scenario: builtin:grid
design: grid
replications: 1
params:
  units[car].count: [6, 8]
  travel.detour: [1, 1.25]
  dispatch.mode: [point-to-point, hierarchical]
`

// TestParquetTyped: rows.parquet types each column by what it holds: a
// swept integer INT64, a swept number DOUBLE (1 and 1.25 alike), a swept
// word a string, point and replication INT64, every metric an optional
// DOUBLE; every column chunk is zstd-compressed; and the values are those
// of rows.csv, row for row.
func TestParquetTyped(t *testing.T) {
	s, err := Load(writeSweep(t, typedSweep))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Run(context.Background(), Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, ParquetFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]parquet.Kind{
		"point": parquet.Int64, "replication": parquet.Int64, "variant": parquet.ByteArray,
		"units[car].count": parquet.Int64, "travel.detour": parquet.Double, "dispatch.mode": parquet.ByteArray,
		"response_mean_s": parquet.Double, "incidents_realised": parquet.Double,
	}
	fields := map[string]parquet.Field{}
	for _, fl := range pf.Schema().Fields() {
		fields[fl.Name()] = fl
	}
	for name, kind := range want {
		fl, ok := fields[name]
		if !ok {
			t.Errorf("no column %q", name)
			continue
		}
		if got := fl.Type().Kind(); got != kind {
			t.Errorf("%s: %v, want %v", name, got, kind)
		}
		if kind == parquet.ByteArray && fl.Type().LogicalType().String() != "STRING" {
			t.Errorf("%s: bytes without the STRING logical type", name)
		}
	}
	if !fields["response_mean_s"].Optional() {
		t.Error("response_mean_s is not optional (null where undefined)")
	}
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			if c.MetaData.Codec != format.Zstd {
				t.Errorf("column %v: codec %v, want ZSTD", c.MetaData.PathInSchema, c.MetaData.Codec)
			}
		}
	}

	// The values, against rows.csv.
	data, err := os.Open(filepath.Join(out, RowsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	recs, err := csv.NewReader(data).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	rows := make([]parquet.Row, pf.NumRows())
	r := parquet.NewReader(pf)
	if n, err := r.ReadRows(rows); n != len(rows) {
		t.Fatalf("read %d rows of %d: %v", n, len(rows), err)
	}
	if len(rows) != len(recs)-1 || len(rows) != 16 {
		t.Fatalf("%d Parquet rows, %d CSV rows, want 16 (8 points × 2 variants)", len(rows), len(recs)-1)
	}
	colOf := map[string]int{}
	for i, path := range pf.Schema().Columns() {
		colOf[path[0]] = i
	}
	for i, rec := range recs[1:] {
		for j, name := range head {
			v := rows[i][colOf[name]]
			cell := rec[j]
			switch {
			case v.IsNull():
				if cell != "" {
					t.Errorf("row %d %s: null, CSV %q", i, name, cell)
				}
			case v.Kind() == parquet.ByteArray:
				if v.String() != cell {
					t.Errorf("row %d %s: %q, CSV %q", i, name, v.String(), cell)
				}
			case v.Kind() == parquet.Int64:
				if strconv.FormatInt(v.Int64(), 10) != cell {
					t.Errorf("row %d %s: %d, CSV %q", i, name, v.Int64(), cell)
				}
			default:
				x, err := strconv.ParseFloat(cell, 64)
				if (err != nil && !math.IsInf(v.Double(), 0)) || (err == nil && x != v.Double()) {
					t.Errorf("row %d %s: %g, CSV %q", i, name, v.Double(), cell)
				}
			}
		}
	}
}
