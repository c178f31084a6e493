// The reference for bench/export.sh: DuckDB writing the same CSV. Loads the CSV file into an
// in-memory table once (not timed), then times COPY of the whole table to a CSV file with a
// header, RUNS times, and prints the wall times as JSON: {"times":[...],"rows":N,"bytes":B}.
// usage: node export_duckdb.mjs IN.csv OUT.csv RUNS
import { statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const quote = (s) => `'${s.replace(/'/g, "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`CREATE TABLE t AS SELECT * FROM read_csv(${quote(input)}, header = true,
  all_varchar = true)`);
const rows = Number((await con.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);
const times = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  await con.run(`COPY t TO ${quote(output)} (FORMAT csv, HEADER true)`);
  times.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
console.log(JSON.stringify({ times, rows, bytes: statSync(output).size }));
con.closeSync?.();
