package sweep

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// duckdbReport is one line of testdata/duckdb_types.mjs: how DuckDB read
// one file.
type duckdbReport struct {
	File    string         `json:"file"`
	Columns [][2]string    `json:"columns"`
	Rows    int            `json:"rows"`
	Inf     map[string]int `json:"inf"`
	Nulls   map[string]int `json:"nulls"`
}

// duckdbModules returns $PATROLSIM_DUCKDB, the folder where .ci/run
// installs the npm package @duckdb/node-api. Without it the test is
// skipped, and fails under CI=true.
func duckdbModules(t *testing.T) string {
	t.Helper()
	mods := os.Getenv("PATROLSIM_DUCKDB")
	if mods == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PATROLSIM_DUCKDB is not set: CI must read the outputs with DuckDB (.ci/run installs @duckdb/node-api and sets it)")
		}
		t.Skip("PATROLSIM_DUCKDB not set (a folder with node_modules/@duckdb/node-api): skipping the DuckDB test")
	}
	return mods
}

// duckdbRead runs testdata/duckdb_types.mjs on files with the DuckDB node
// package in the folder mods.
func duckdbRead(t *testing.T, mods string, files ...string) map[string]duckdbReport {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "duckdb_types.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("node", append([]string{script, mods}, files...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	got := map[string]duckdbReport{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r duckdbReport
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("duckdb_types.mjs printed %q: %v", sc.Text(), err)
		}
		got[filepath.Base(r.File)] = r
	}
	if len(got) != len(files) {
		t.Fatalf("DuckDB read %d files, want %d:\n%s", len(got), len(files), out)
	}
	return got
}

// numericDuckDB are DuckDB's numeric column types.
var numericDuckDB = map[string]bool{"DOUBLE": true, "FLOAT": true, "BIGINT": true, "INTEGER": true, "SMALLINT": true, "TINYINT": true, "HUGEINT": true, "UBIGINT": true}

// TestDuckDBTypes: DuckDB (the npm package @duckdb/node-api, with
// read_csv's and read_parquet's defaults, as an analyst types them) reads
// every metric of a sweep's rows.csv and rows.parquet, and points.csv's
// mean, interval and n, as numbers, and the swept values typed. The
// sweep's values are made so the hard case is in the first data row:
// there, metrics are +Inf, NaN and −Inf in turn (a CSV column whose first
// value DuckDB's sniffer cannot read as a number is typed text, which is
// what the issue reports for +Inf). In rows.parquet the infinities stay
// infinite (DuckDB's isinf) and NaN is null.
func TestDuckDBTypes(t *testing.T) {
	mods := duckdbModules(t)
	// Two replications, so points.csv has intervals.
	s, err := Load(writeSweep(t, strings.Replace(typedSweep, "replications: 1", "replications: 2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	want := s.header(Options{Shards: 1})
	nv, nm := len(want.Variants), len(want.Metrics)
	// Item i, variant v, metric m: in item 0 +Inf, NaN, −Inf by m mod 3;
	// elsewhere a finite value, integral for even m (a column of whole
	// numbers, as counts are).
	read := func(i int) ([][]float64, error) {
		out := make([][]float64, nv)
		for v := range out {
			out[v] = make([]float64, nm)
			for m := range out[v] {
				switch {
				case i == 0 && m%3 == 0:
					out[v][m] = math.Inf(1)
				case i == 0 && m%3 == 1:
					out[v][m] = math.NaN()
				case i == 0:
					out[v][m] = math.Inf(-1)
				default:
					out[v][m] = float64(i*10+v) + 0.5*float64(m%2)
				}
			}
		}
		return out, nil
	}
	dir := t.TempDir()
	if err := s.writeFinal(dir, want, read, nil, 2, nil); err != nil {
		t.Fatal(err)
	}
	// And a real sweep's files, as `patrolsim sweep` writes them.
	real := t.TempDir()
	if err := s.Run(context.Background(), Options{Out: real, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, real} {
		got := duckdbRead(t, mods, filepath.Join(d, RowsFile), filepath.Join(d, ParquetFile), filepath.Join(d, PointsFile))
		name := map[string]string{dir: "made", real: "run"}[d]
		isMetric := map[string]bool{}
		for _, m := range want.Metrics {
			isMetric[m] = true
		}
		for _, file := range []string{RowsFile, ParquetFile} {
			r := got[file]
			if r.Rows != s.Items()*nv {
				t.Errorf("%s %s: %d rows, want %d", name, file, r.Rows, s.Items()*nv)
			}
			types := map[string]string{}
			for _, c := range r.Columns {
				types[c[0]] = c[1]
			}
			for _, m := range want.Metrics {
				typ := types[m]
				switch {
				case file == ParquetFile && typ != "DOUBLE":
					t.Errorf("%s %s: metric %s is %s, want DOUBLE", name, file, m, typ)
				case file == RowsFile && r.Nulls[m] == r.Rows:
					// Empty in every row: nothing to sniff a type from
					// (DuckDB says VARCHAR; docs/outputs.md).
				case file == RowsFile && !numericDuckDB[typ]:
					t.Errorf("%s %s: metric %s is %s, want a number", name, file, m, typ)
				}
			}
			for col, typ := range map[string]string{"point": "BIGINT", "replication": "BIGINT", "units[car].count": "BIGINT", "travel.detour": "DOUBLE", "dispatch.mode": "VARCHAR", "variant": "VARCHAR"} {
				if types[col] != typ {
					t.Errorf("%s %s: %s is %s, want %s", name, file, col, types[col], typ)
				}
			}
			if d == dir && file == ParquetFile {
				// +Inf and −Inf stay infinite, NaN is null: per variant,
				// item 0 only.
				for m, metric := range want.Metrics {
					wantInf, wantNull := 0, 0
					if m%3 == 1 {
						wantNull = nv
					} else {
						wantInf = nv
					}
					if r.Inf[metric] != wantInf || r.Nulls[metric] != wantNull {
						t.Errorf("%s: %s has %d infinite, %d null, want %d, %d", file, metric, r.Inf[metric], r.Nulls[metric], wantInf, wantNull)
					}
				}
			}
		}
		r := got[PointsFile]
		for _, c := range r.Columns {
			switch c[0] {
			case "mean", "ci95_low", "ci95_high", "n":
				if !numericDuckDB[c[1]] && r.Nulls[c[0]] < r.Rows {
					t.Errorf("%s %s: %s is %s, want a number", name, PointsFile, c[0], c[1])
				}
			}
		}
		if len(r.Columns) == 0 || !strings.Contains(r.Columns[0][0], "point") {
			t.Errorf("%s %s: columns %v", name, PointsFile, r.Columns)
		}
	}
}
