// ab_dashboard.mjs — two infludash servers on the same database, asked the same dashboards
// alternately over kept-open connections (A then B, then B then A), so that the machine's
// load falls on both alike: `node bench/ab_dashboard.mjs http://127.0.0.1:PORT_A
// http://127.0.0.1:PORT_B N` prints both medians, their ratio and how many answers differ
// (bytes). The ranges and filters are those of bench/dashboard.sh (demo data of 2025). The
// sequence is the same in every run and repeats some ranges: start a server that keeps its
// answers with `serve --answer-cache 0`, so that every answer is computed.
import http from 'node:http';
const [a, b, n] = [process.argv[2], process.argv[3], +process.argv[4]];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (url) => new Promise((res, rej) => http.get(url, { agent }, (r) => { const c = []; r.on('data', (x) => c.push(x)); r.on('end', () => res(Buffer.concat(c).toString())); }).on('error', rej));
function rnd(s) { return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648; }
const R = rnd(7); const ta = [], tb = []; let diff = 0;
for (let i = 0; i < n; i++) {
  const d0 = Math.floor(R() * 300), len = 7 + Math.floor(R() * 200);
  const day = (k) => new Date(Date.UTC(2025, 0, 1 + k)).toISOString().slice(0, 10);
  const q = `/api/dashboard?platform=Instagram,YouTube&brand=MuscleBlaze&from=${day(d0)}&to=${day(Math.min(364, d0 + len))}`;
  const order = i % 2 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]];
  const bodies = [];
  for (const [base, t] of order) { const s = process.hrtime.bigint(); bodies.push(await get(base + q)); t.push(Number(process.hrtime.bigint() - s) / 1e6); }
  if (bodies[0] !== bodies[1]) diff++;
}
const med = (v) => { const s = [...v].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(JSON.stringify({ n, a_median_ms: med(ta), b_median_ms: med(tb), ratio_b_over_a: med(tb) / med(ta), differing_bodies: diff }));
