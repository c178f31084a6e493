// Loads the four CSV files into an in-memory DuckDB with read_csv, the way an analyst
// would, and prints the wall time and the CPU time (user + system, all threads) of each run as
// JSON: the reference for bench/import.sh.
// usage: node duckdb_load.mjs DIR RUNS
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const files = ['influencers', 'posts', 'tracking_data', 'payouts'];
const times = [];
const cpu = [];
let rows = 0;
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  rows = 0;
  for (const f of files) {
    await con.run(`CREATE TABLE ${f} AS SELECT * FROM read_csv('${dir}/${f}.csv', header=true)`);
    const res = await con.runAndReadAll(`SELECT count(*) FROM ${f}`);
    rows += Number(res.getRows()[0][0]);
  }
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  times.push(Number(t1 - t0) / 1e9);
  cpu.push((c1.user + c1.system) / 1e6);
  con.closeSync?.();
}
console.log(JSON.stringify({ times, cpu, rows }));
