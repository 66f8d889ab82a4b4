// duckdb_types.mjs MODULES FILE... — how DuckDB reads patrolsim's files.
//
// MODULES is a folder where the npm package @duckdb/node-api is installed
// (it holds node_modules/@duckdb/node-api; .ci/run installs it outside the
// repository and names it in PATROLSIM_DUCKDB). For each FILE (.csv read
// with read_csv's defaults, as an analyst would; .parquet with
// read_parquet), it prints one JSON line:
//   {"file": FILE, "columns": [[name, type], ...], "rows": N,
//    "inf": {column: count of infinite values}, "nulls": {column: count}}
// for the Go test (TestDuckDBTypes) to check.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error('usage: node duckdb_types.mjs MODULES FILE...');
  process.exit(2);
}
const require = createRequire(join(modules, 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const ident = (s) => '"' + s.replaceAll('"', '""') + '"';
for (const file of files) {
  const from = file.endsWith('.parquet') ? `read_parquet(${quote(file)})` : `read_csv(${quote(file)})`;
  const desc = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
  const columns = desc.getRowObjects().map((r) => [r.column_name, r.column_type]);
  const parts = [`count(*) AS n`];
  for (const [name, type] of columns) {
    parts.push(`count(*) FILTER (WHERE ${ident(name)} IS NULL) AS ${ident('null:' + name)}`);
    if (type === 'DOUBLE' || type === 'FLOAT') {
      parts.push(`count(*) FILTER (WHERE isinf(${ident(name)})) AS ${ident('inf:' + name)}`);
    }
  }
  const res = await con.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${from}`);
  const row = res.getRowObjectsJson()[0];
  const out = { file, columns, rows: Number(row.n), inf: {}, nulls: {} };
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('inf:')) out.inf[k.slice(4)] = Number(v);
    if (k.startsWith('null:')) out.nulls[k.slice(5)] = Number(v);
  }
  console.log(JSON.stringify(out));
}
