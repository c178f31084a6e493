// The dashboard benchmark's client (see bench/dashboard.sh): asks a running infludash for
// GET /api/dashboard over a keep-alive connection, and computes the same figures with SQL in
// an in-memory DuckDB loaded from the same CSV files, for the same date ranges, in this one
// process. Checks that both answers agree and prints the timings as one JSON line on stdout
// (progress and mismatches go to stderr).
//
// usage: node dashboard_duckdb.mjs --csv DIR [--url http://HOST:PORT] [--requests N]
//            [--runs R] [--seed S] [--dump]
//   --url     the infludash server; without it only DuckDB runs
//   --dump    print DuckDB's figures for each range as JSON lines instead (for checks)
import http from 'node:http';
import { DuckDBInstance } from '@duckdb/node-api';

const args = parseArgs(process.argv.slice(2));
const PLATFORMS = ['Instagram', 'YouTube'];
const BRANDS = ['MuscleBlaze'];
const TOP_N = 5;

function parseArgs(argv) {
  const a = { requests: 200, runs: 1, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--dump') a.dump = true;
    else if (k.startsWith('--') && i + 1 < argv.length) a[k.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.csv) throw new Error('--csv DIR is required');
  a.requests = Number(a.requests);
  a.runs = Number(a.runs);
  a.seed = Number(a.seed);
  return a;
}

/* ---- the date ranges: a deterministic pseudo-random sequence inside 2025 ---------------- */

// xorshift32, so that the same seed gives the same ranges on every machine.
function* rangesOf(n, seed) {
  let x = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  const day0 = Date.UTC(2025, 0, 1);
  const iso = (d) => new Date(day0 + d * 86400000).toISOString().slice(0, 10);
  for (let i = 0; i < n; i++) {
    const a = next() % 365, b = next() % 365;
    yield { from: iso(Math.min(a, b)), to: iso(Math.max(a, b)) };
  }
}

/* ---- DuckDB: load once, then the dashboard's figures by SQL ----------------------------- */

const q = (s) => `'${s.replace(/'/g, "''")}'`;
const inList = (vals) => `(${vals.map(q).join(',')})`;

// Money arrives as rupees with decimals: read it as DECIMAL and keep paise (BIGINT), rates
// as millionths, as infludash stores them. Organic rows (no influencer, or source organic)
// lose their influencer_id, so that no influencer filter can reach them.
async function loadDuckDB(con, dir) {
  const csv = (f, types) =>
    `read_csv('${dir}/${f}.csv', header=true, types=${types})`;
  await con.run(`CREATE TABLE influencers AS SELECT influencer_id, name, category, gender,
      platform, tier FROM ${csv('influencers', "{'influencer_id':'VARCHAR','follower_count':'BIGINT'}")}`);
  await con.run(`CREATE TABLE posts AS SELECT row_number() OVER () AS rn, influencer_id,
      platform, date, campaign,
      coalesce(reach, 0) AS reach,
      coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0)
        AS engagements
    FROM ${csv('posts', "{'influencer_id':'VARCHAR','date':'DATE','reach':'BIGINT','likes':'BIGINT','comments':'BIGINT','shares':'BIGINT','saves':'BIGINT'}")}`);
  await con.run(`CREATE TABLE tracking AS SELECT organic,
      CASE WHEN NOT organic THEN influencer_id END AS influencer_id,
      campaign, brand, product, source,
      CASE campaign_type WHEN 'Test' THEN 1 WHEN 'Control' THEN 2 ELSE 0 END AS ctype,
      date, coalesce(orders, 1) AS orders,
      CAST(coalesce(revenue, 0) * 100 AS BIGINT) AS revenue
    FROM (SELECT *, coalesce(influencer_id, '') = '' OR lower(coalesce(source, '')) = 'organic'
            AS organic
          FROM ${csv('tracking_data', "{'influencer_id':'VARCHAR','date':'DATE','orders':'BIGINT','revenue':'DECIMAL(18,2)'}")})`);
  // Spend rules, part 1 (src/engine/engine_load.c): what each payout row prices. kind 'total' is a recorded
  // amount (no rate, or a basis without an activity: flat, hybrid, ...). An activity row is
  // campaign-scoped when its campaign occurs in that activity anywhere in the data; of rows
  // with the same target only the first (in file order) counts.
  await con.run(`CREATE TABLE payouts AS SELECT row_number() OVER () AS rn, *
    FROM ${csv('payouts', "{'influencer_id':'VARCHAR','rate':'DECIMAL(18,6)','total_payout':'DECIMAL(18,2)','payout_date':'DATE'}")}`);
  await con.run(`CREATE TABLE pay AS
    WITH p AS (
      SELECT rn, influencer_id, campaign, payout_date,
        CASE WHEN rate IS NOT NULL AND basis IN ('order', 'post', 'revenue_share') THEN basis
             ELSE 'total' END AS kind,
        CAST(coalesce(rate, 0) * 1000000 AS BIGINT) AS rate_micro,
        CAST(coalesce(total_payout, 0) * 100 AS BIGINT) AS total_paise
      FROM payouts WHERE coalesce(influencer_id, '') <> ''),
    s AS (
      SELECT p.*, coalesce(CASE kind
          WHEN 'post' THEN campaign IN (SELECT campaign FROM posts WHERE campaign IS NOT NULL)
          WHEN 'total' THEN false
          ELSE campaign IN (SELECT campaign FROM tracking
                            WHERE NOT organic AND campaign IS NOT NULL) END, false) AS scoped
      FROM p)
    SELECT *, kind <> 'total' AND row_number() OVER (
        PARTITION BY influencer_id, kind, CASE WHEN scoped THEN campaign END ORDER BY rn) > 1
      AS dup
    FROM s`);
  // (influencer, campaign) pairs priced by campaign-scoped terms, per kind.
  await con.run(`CREATE TABLE claim AS SELECT influencer_id, campaign,
      bool_or(kind = 'order') AS c_order, bool_or(kind = 'revenue_share') AS c_rev,
      bool_or(kind = 'post') AS c_post
    FROM pay WHERE scoped AND NOT dup GROUP BY ALL`);
  await allocateDuckDB(con);
  const counts = {};
  for (const t of ['influencers', 'posts', 'tracking', 'payouts']) {
    const r = await con.runAndReadAll(`SELECT count(*)::BIGINT FROM ${t}`);
    counts[t] = Number(r.getRows()[0][0]);
  }
  return counts;
}

// Half away from zero, millionths of a paisa to paise (engine_impl.h round_micro).
const roundMicro = (m) => `CASE WHEN ${m} >= 0 THEN (${m} + 500000) // 1000000
    ELSE -((-(${m}) + 500000) // 1000000) END`;

// SPEC §3.1 at load (src/engine/engine_allocate.c, README "Allocation"): ent, the attributed
// rows merged as the engine's cube merges them; lines, the spend of order and revenue_share
// terms and of undated recorded totals on those entries (each row's spend rounded once, then
// largest remainder, ties to the earlier cell in text order); pprice, each post's price and
// the row pricing it (equal shares, the odd paise to the first posts by date).
async function allocateDuckDB(con) {
  await con.run(`CREATE TABLE ent AS SELECT influencer_id, date, brand, product, campaign,
      source, ctype, sum(orders)::BIGINT AS orders, sum(revenue)::BIGINT AS revenue
    FROM tracking WHERE NOT organic GROUP BY ALL`);
  await con.run(`CREATE TABLE lines AS
    WITH terms AS (
      SELECT y.rn AS pay, e.*,
        CASE y.kind WHEN 'order' THEN y.rate_micro::HUGEINT * 100 * e.orders
             ELSE y.rate_micro::HUGEINT * e.revenue END AS num
      FROM pay y JOIN ent e ON e.influencer_id = y.influencer_id
        LEFT JOIN claim c ON c.influencer_id = e.influencer_id AND c.campaign = e.campaign
      WHERE NOT y.dup AND y.kind IN ('order', 'revenue_share') AND CASE
          WHEN y.scoped THEN e.campaign = y.campaign
          WHEN y.kind = 'order' THEN NOT coalesce(c.c_order, false)
          ELSE NOT coalesce(c.c_rev, false) END),
    t1 AS (SELECT *, 1000000::HUGEINT AS den,
             (${roundMicro('sum(num) OVER (PARTITION BY pay)')})::HUGEINT AS target FROM terms),
    fees AS (
      SELECT y.rn AS pay, e.*, e.revenue::HUGEINT * y.total_paise AS num,
        sum(e.revenue) OVER (PARTITION BY y.rn)::HUGEINT AS den, y.total_paise::HUGEINT AS target
      FROM pay y JOIN ent e ON e.influencer_id = y.influencer_id
      WHERE y.kind = 'total' AND y.payout_date IS NULL AND e.revenue > 0
        AND (y.campaign IS NULL OR e.campaign = y.campaign)),
    t AS (SELECT * FROM t1 UNION ALL SELECT * FROM fees),
    f AS (SELECT *, ((num % den) + den) % den AS rem FROM t),
    g AS (SELECT *, (num - rem) // den AS fl FROM f),
    h AS (SELECT *, target - sum(fl) OVER (PARTITION BY pay) AS leftover,
            row_number() OVER (PARTITION BY pay ORDER BY rem DESC, date, brand NULLS FIRST,
              product NULLS FIRST, campaign NULLS FIRST, source NULLS FIRST, ctype) AS k
          FROM g)
    SELECT pay, influencer_id, date, brand, product, campaign, source,
      (fl + CASE WHEN k <= leftover THEN 1 ELSE 0 END)::BIGINT AS amount
    FROM h`);
  await con.run(`CREATE TABLE pprice AS
    WITH pp AS (
      SELECT p.rn, p.influencer_id, p.platform, p.date, p.campaign,
        CASE WHEN coalesce(c.c_post, false)
          THEN (SELECT min(y.rn) FROM pay y WHERE y.influencer_id = p.influencer_id
                  AND y.kind = 'post' AND y.scoped AND NOT y.dup AND y.campaign = p.campaign)
          ELSE (SELECT min(y.rn) FROM pay y WHERE y.influencer_id = p.influencer_id
                  AND y.kind = 'post' AND NOT y.scoped AND NOT y.dup) END AS pay
      FROM posts p LEFT JOIN claim c
        ON c.influencer_id = p.influencer_id AND c.campaign = p.campaign),
    cnt AS (SELECT pay, count(*) AS n FROM pp WHERE pay IS NOT NULL GROUP BY pay),
    tot AS (SELECT c.pay, c.n,
              (${roundMicro('y.rate_micro::HUGEINT * 100 * c.n')})::HUGEINT AS total
            FROM cnt c JOIN pay y ON y.rn = c.pay)
    SELECT pp.*, (tot.total // tot.n + CASE WHEN row_number() OVER (PARTITION BY pp.pay
        ORDER BY pp.date NULLS FIRST, pp.rn) <= tot.total - (tot.total // tot.n) * tot.n
        THEN 1 ELSE 0 END)::BIGINT AS price
    FROM pp JOIN tot USING (pay)`);
}

// Filter semantics (SPEC §3, §3.1): platform selects attributed rows by the influencer's
// platform and posts (with their price) by their own; brand and dates select tracking rows,
// organic ones included, and the spend cells; posts count under the brand filter when their
// influencer has attributed rows in scope; organic rows are never filtered by influencer
// attributes. A post's price and a dated fee are split over the influencer's attributed
// revenue in the range (of their campaign when they carry one); what has nothing to split
// over is Unallocated, which the bench's brand filter never selects, and undated spend
// without revenue counts only without a date range, which the bench always sets.
function dashboardSql(platforms, brands) {
  const sel = `SELECT influencer_id, platform, coalesce(category, '') AS category,
      coalesce(gender, '') AS gender FROM influencers WHERE platform IN ${inList(platforms)}`;
  return {
    // filtered tracking rows, summed per influencer, campaign, brand and day
    ft: `CREATE OR REPLACE TEMP TABLE ft AS
      SELECT organic, influencer_id, campaign, brand, date, sum(orders)::BIGINT AS orders,
        sum(revenue)::BIGINT AS revenue, count(*) AS n
      FROM tracking
      WHERE date BETWEEN $1::DATE AND $2::DATE AND brand IN ${inList(brands)}
        AND (organic OR influencer_id IN (SELECT influencer_id FROM (${sel})))
      GROUP BY ALL`,
    // filtered posts, per influencer, campaign and day
    fp: `CREATE OR REPLACE TEMP TABLE fp AS
      SELECT p.influencer_id, coalesce(p.platform, i.platform) AS platform, p.date,
        count(*) AS posts, sum(p.reach)::BIGINT AS reach,
        sum(p.engagements)::BIGINT AS engagements
      FROM posts p LEFT JOIN influencers i USING (influencer_id)
      WHERE p.date BETWEEN $1::DATE AND $2::DATE AND p.influencer_id IS NOT NULL
        AND coalesce(p.platform, i.platform) IN ${inList(platforms)}
        AND EXISTS (SELECT 1 FROM ft WHERE NOT ft.organic
                    AND ft.influencer_id = p.influencer_id)
      GROUP BY ALL`,
    // the spend cells of the range that the filters keep
    sc: `CREATE OR REPLACE TEMP TABLE sc AS
      WITH cells AS (
        SELECT influencer_id, brand, product, campaign, source, sum(revenue) AS r FROM ent
        WHERE date BETWEEN $1::DATE AND $2::DATE GROUP BY ALL HAVING sum(revenue) > 0),
      items AS (
        SELECT 0 AS kind, rn AS id, influencer_id, date, platform, campaign, price AS amount
        FROM pprice WHERE date BETWEEN $1::DATE AND $2::DATE
        UNION ALL
        SELECT 1, y.rn, y.influencer_id, y.payout_date, i.platform, y.campaign, y.total_paise
        FROM pay y LEFT JOIN influencers i USING (influencer_id)
        WHERE y.kind = 'total' AND y.payout_date BETWEEN $1::DATE AND $2::DATE),
      sh AS (
        SELECT it.*, c.brand, c.product, c.campaign AS cell_campaign, c.source,
          c.r::HUGEINT * it.amount AS num,
          sum(c.r) OVER (PARTITION BY it.kind, it.id)::HUGEINT AS den
        FROM items it JOIN cells c ON c.influencer_id = it.influencer_id
          AND (it.campaign IS NULL OR c.campaign = it.campaign)),
      fl AS (SELECT *, num // den AS f, num - (num // den) * den AS rem FROM sh),
      lr AS (SELECT *, amount - sum(f) OVER (PARTITION BY kind, id) AS leftover,
               row_number() OVER (PARTITION BY kind, id ORDER BY rem DESC, brand NULLS FIRST,
                 product NULLS FIRST, cell_campaign NULLS FIRST, source NULLS FIRST) AS k
             FROM fl),
      allc AS (
        SELECT influencer_id, date, platform, brand,
          (f + CASE WHEN k <= leftover THEN 1 ELSE 0 END)::BIGINT AS amount FROM lr
        UNION ALL
        SELECT l.influencer_id, l.date, i.platform, l.brand, l.amount
        FROM lines l LEFT JOIN influencers i USING (influencer_id)
        WHERE l.date BETWEEN $1::DATE AND $2::DATE)
      SELECT * FROM allc
      WHERE platform IN ${inList(platforms)} AND brand IN ${inList(brands)} AND amount <> 0`,
    // per influencer: attributed activity (of influencers on the platforms), posts (on the
    // platforms) and the spend of the cells kept
    fi: `CREATE OR REPLACE TEMP TABLE fi AS
      WITH a AS (SELECT influencer_id, sum(revenue) AS r, sum(orders) AS o, sum(n) AS n
                 FROM ft WHERE NOT organic GROUP BY 1),
      pa AS (SELECT influencer_id, sum(posts) AS p, sum(reach) AS reach,
               sum(engagements) AS e FROM fp GROUP BY 1),
      sp AS (SELECT influencer_id, sum(amount) AS spend FROM sc GROUP BY 1),
      ids AS (SELECT influencer_id FROM a UNION SELECT influencer_id FROM pa
              UNION SELECT influencer_id FROM sp)
      SELECT ids.influencer_id, i.platform, coalesce(i.category, '') AS category,
        coalesce(i.gender, '') AS gender,
        coalesce(a.r, 0)::BIGINT AS revenue, coalesce(a.o, 0)::BIGINT AS orders,
        coalesce(a.n, 0)::BIGINT AS n, coalesce(pa.p, 0)::BIGINT AS posts,
        coalesce(pa.reach, 0)::BIGINT AS reach, coalesce(pa.e, 0)::BIGINT AS engagements,
        coalesce(sp.spend, 0)::BIGINT AS spend,
        coalesce(a.n, 0) > 0 OR coalesce(pa.p, 0) > 0 OR coalesce(sp.spend, 0) <> 0 AS active
      FROM ids LEFT JOIN influencers i USING (influencer_id) LEFT JOIN a USING (influencer_id)
        LEFT JOIN pa USING (influencer_id) LEFT JOIN sp USING (influencer_id)`,
    kpis: `SELECT
        sum(revenue)::BIGINT, sum(orders)::BIGINT,
        (SELECT coalesce(sum(revenue), 0) FROM ft WHERE organic)::BIGINT,
        sum(spend)::BIGINT, sum(posts)::BIGINT, sum(reach)::BIGINT, sum(engagements)::BIGINT,
        count(*) FILTER (WHERE active),
        sum(revenue) / nullif(sum(spend), 0),
        (sum(revenue) - sum(spend)) / nullif(sum(spend), 0)
      FROM fi`,
    by_platform: `SELECT coalesce(platform, ''), sum(rv)::BIGINT, sum(od)::BIGINT,
        sum(sp)::BIGINT, sum(ps)::BIGINT, sum(rc)::BIGINT
      FROM (SELECT platform, revenue AS rv, orders AS od, 0 AS sp, 0 AS ps, 0 AS rc FROM fi
            UNION ALL SELECT platform, 0, 0, amount, 0, 0 FROM sc
            UNION ALL SELECT platform, 0, 0, 0, posts, reach FROM fp)
      GROUP BY 1 ORDER BY 1`,
    by_brand: `SELECT coalesce(brand, ''), coalesce(sum(revenue) FILTER (WHERE NOT organic), 0)::BIGINT,
        coalesce(sum(orders) FILTER (WHERE NOT organic), 0)::BIGINT,
        coalesce(sum(revenue) FILTER (WHERE organic), 0)::BIGINT,
        coalesce(sum(spend), 0)::BIGINT
      FROM (SELECT brand, organic, revenue, orders, 0 AS spend FROM ft
            UNION ALL SELECT brand, false, 0, 0, amount FROM sc)
      GROUP BY 1 ORDER BY 1`,
    daily: `WITH t AS (SELECT date,
          coalesce(sum(revenue) FILTER (WHERE NOT organic), 0) AS revenue,
          coalesce(sum(orders) FILTER (WHERE NOT organic), 0) AS orders,
          coalesce(sum(revenue) FILTER (WHERE organic), 0) AS organic_revenue
        FROM ft GROUP BY date),
      p AS (SELECT date, sum(posts) AS posts FROM fp GROUP BY date),
      s AS (SELECT date, sum(amount) AS spend FROM sc GROUP BY date)
      SELECT date::VARCHAR, coalesce(t.revenue, 0)::BIGINT, coalesce(t.orders, 0)::BIGINT,
        coalesce(t.organic_revenue, 0)::BIGINT, coalesce(p.posts, 0)::BIGINT,
        coalesce(s.spend, 0)::BIGINT
      FROM t FULL JOIN p USING (date) FULL JOIN s USING (date) ORDER BY date`,
    top: `SELECT influencer_id, revenue, spend FROM fi WHERE active
      ORDER BY revenue DESC, influencer_id LIMIT ${TOP_N}`,
    bottom: `SELECT influencer_id, revenue, spend FROM fi WHERE active AND spend > 0
      ORDER BY revenue / spend, influencer_id LIMIT ${TOP_N}`,
    personas: `SELECT category, gender, count(*), sum(revenue)::BIGINT, sum(orders)::BIGINT,
        sum(spend)::BIGINT
      FROM fi WHERE active GROUP BY ALL ORDER BY category, gender`,
  };
}

// Prepared once; the temp tables ft, fp, fi are made (over an empty range) before the
// statements that read them are prepared.
async function prepareAll(con, sql) {
  const out = {};
  for (const [k, s] of Object.entries(sql)) {
    out[k] = await con.prepare(s);
    if (k === 'fi') {
      await out[k].run(); /* no parameters: it reads ft, fp and sc */
    } else if (k === 'ft' || k === 'fp' || k === 'sc') {
      out[k].bind(['2000-01-02', '2000-01-01']);
      await out[k].run();
    }
  }
  return out;
}

const num = (v) => (v === null || v === undefined ? 0 : Number(v));

// One dashboard by SQL: the figures, in paise, in the shape of normalize() below.
async function duckDashboard(st, range) {
  for (const k of ['ft', 'fp', 'sc', 'fi']) {
    if (k !== 'fi') st[k].bind([range.from, range.to]);
    await st[k].run();
  }
  const rows = async (k) => (await st[k].runAndReadAll()).getRows();
  const k = (await rows('kpis'))[0];
  const out = {
    kpis: {
      revenue: num(k[0]), orders: num(k[1]), organic_revenue: num(k[2]), spend: num(k[3]),
      posts: num(k[4]), reach: num(k[5]), engagements: num(k[6]), influencers: num(k[7]),
    },
    by_platform: {}, by_brand: {}, personas: {},
  };
  for (const r of await rows('by_platform'))
    out.by_platform[r[0]] = {
      revenue: num(r[1]), orders: num(r[2]), spend: num(r[3]), posts: num(r[4]), reach: num(r[5]),
    };
  for (const r of await rows('by_brand'))
    out.by_brand[r[0]] = {
      revenue: num(r[1]), orders: num(r[2]), organic_revenue: num(r[3]), spend: num(r[4]),
    };
  const daily = await rows('daily');
  out.daily = { n: daily.length, revenue: 0, orders: 0, organic_revenue: 0, posts: 0, spend: 0 };
  for (const r of daily) {
    out.daily.revenue += num(r[1]);
    out.daily.orders += num(r[2]);
    out.daily.organic_revenue += num(r[3]);
    out.daily.posts += num(r[4]);
    out.daily.spend += num(r[5]);
  }
  out.top = (await rows('top')).map((r) => [r[0], num(r[1]), num(r[2])]);
  out.bottom = (await rows('bottom')).map((r) => [r[0], num(r[1]), num(r[2])]);
  for (const r of await rows('personas'))
    out.personas[`${r[0]}|${r[1]}`] = {
      influencers: num(r[2]), revenue: num(r[3]), orders: num(r[4]), spend: num(r[5]),
    };
  return out;
}

/* ---- infludash over HTTP ---------------------------------------------------------------- */

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200)
          reject(new Error(`GET ${url}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`));
        else resolve(body);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function dashboardUrl(base, range) {
  const p = new URLSearchParams({
    platform: PLATFORMS.join(','), brand: BRANDS.join(','), from: range.from, to: range.to,
  });
  return `${base}/api/dashboard?${p.toString().replace(/%2C/g, ',')}`;
}

// Rupees with 2 decimals to paise, half away from zero.
const paise = (x) => (x === null || x === undefined ? 0 : Math.sign(x) * Math.round(Math.abs(x) * 100));

// The figures of GET /api/dashboard in the shape of duckDashboard().
function normalize(d) {
  const k = d.kpis;
  const out = {
    kpis: {
      revenue: paise(k.revenue), orders: num(k.orders), organic_revenue: paise(k.organic_revenue),
      spend: paise(k.spend), posts: num(k.posts), reach: num(k.reach),
      engagements: num(k.engagements), influencers: num(k.influencers),
    },
    by_platform: {}, by_brand: {}, personas: {},
  };
  for (const g of d.by_platform || [])
    out.by_platform[g.platform] = {
      revenue: paise(g.revenue), orders: num(g.orders), spend: paise(g.spend),
      posts: num(g.posts), reach: num(g.reach),
    };
  for (const g of d.by_brand || [])
    out.by_brand[g.brand ?? ''] = {
      revenue: paise(g.revenue), orders: num(g.orders), organic_revenue: paise(g.organic_revenue),
      spend: paise(g.spend),
    };
  out.daily = { n: (d.daily || []).length, revenue: 0, orders: 0, organic_revenue: 0, posts: 0, spend: 0 };
  for (const g of d.daily || []) {
    out.daily.revenue += paise(g.revenue);
    out.daily.orders += num(g.orders);
    out.daily.organic_revenue += paise(g.organic_revenue);
    out.daily.posts += num(g.posts);
    out.daily.spend += paise(g.spend);
  }
  const inf = (r) => [r.influencer_id, paise(r.revenue), paise(r.spend)];
  out.top = (d.top_influencers || []).map(inf);
  out.bottom = (d.bottom_influencers || []).map(inf);
  for (const p of d.personas || [])
    out.personas[`${p.category ?? ''}|${p.gender ?? ''}`] = {
      influencers: num(p.influencers), revenue: paise(p.revenue), orders: num(p.orders),
      spend: paise(p.spend),
    };
  return out;
}

/* ---- comparison ------------------------------------------------------------------------- */

// The first difference between two answers as a readable path, or null. Groups compare by
// key, a group missing on one side counting as zeros. Influencer rows compare by id against
// DuckDB's figures for that influencer (byId), so that the choice of rows is not at stake.
function firstDifference(ours, duck, byId) {
  const diff = (path, a, b) => (a === b ? null : `${path}: infludash ${a}, duckdb ${b}`);
  for (const f of ['revenue', 'orders', 'spend', 'organic_revenue', 'posts', 'reach',
    'engagements', 'influencers']) {
    const d = diff(`kpis.${f}`, ours.kpis[f], duck.kpis[f]);
    if (d) return d;
  }
  const groups = (name, fields) => {
    const keys = new Set([...Object.keys(ours[name]), ...Object.keys(duck[name])]);
    for (const key of [...keys].sort())
      for (const f of fields) {
        const d = diff(`${name}[${key}].${f}`, ours[name][key]?.[f] ?? 0, duck[name][key]?.[f] ?? 0);
        if (d) return d;
      }
    return null;
  };
  const d = groups('by_platform', ['revenue', 'orders', 'spend', 'posts', 'reach']) ||
    groups('by_brand', ['revenue', 'orders', 'organic_revenue', 'spend']) ||
    groups('personas', ['influencers', 'revenue', 'orders', 'spend']);
  if (d) return d;
  for (const f of ['n', 'revenue', 'orders', 'organic_revenue', 'posts', 'spend']) {
    const e = diff(`daily.${f === 'n' ? 'days' : `sum ${f}`}`, ours.daily[f], duck.daily[f]);
    if (e) return e;
  }
  for (const list of ['top', 'bottom'])
    for (const [id, revenue, spend] of ours[list]) {
      const ref = byId.get(id) || [id, 0, 0];
      const e = diff(`${list}_influencers[${id}].revenue`, revenue, ref[1]) ||
        diff(`${list}_influencers[${id}].spend`, spend, ref[2]);
      if (e) return e;
    }
  return null;
}

/* ---- timing ----------------------------------------------------------------------------- */

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const stats = (xs) => ({ median: percentile(xs, 50), p90: percentile(xs, 90), n: xs.length });

async function main() {
  const ranges = [...rangesOf(args.requests, args.seed)];
  const log = (s) => process.stderr.write(`${s}\n`);

  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  let t0 = now();
  const counts = await loadDuckDB(con, args.csv);
  const loadMs = now() - t0;
  log(`  duckdb: loaded ${JSON.stringify(counts)} in ${(loadMs / 1000).toFixed(2)} s`);
  const st = await prepareAll(con, dashboardSql(PLATFORMS, BRANDS));

  if (args.dump) {
    for (const r of ranges) console.log(JSON.stringify({ ...r, ...(await duckDashboard(st, r)) }));
    return;
  }

  // infludash: one pass untimed (its answers are checked), then timed passes.
  let ours = null, oursTimes = [];
  if (args.url) {
    ours = [];
    for (const r of ranges) ours.push(normalize(JSON.parse(await get(dashboardUrl(args.url, r)))));
    for (let run = 0; run < args.runs; run++)
      for (const r of ranges) {
        const t = now();
        JSON.parse(await get(dashboardUrl(args.url, r)));
        oursTimes.push(now() - t);
      }
    log(`  infludash: ${oursTimes.length} timed requests`);
  }

  // DuckDB: one pass untimed (checked against infludash), then timed passes.
  let mismatches = 0, firstMismatch = null;
  const byIdSt = await con.prepare('SELECT influencer_id, revenue, spend FROM fi');
  for (let i = 0; i < ranges.length; i++) {
    const duck = await duckDashboard(st, ranges[i]);
    if (!ours) continue;
    const listed = new Set([...ours[i].top, ...ours[i].bottom].map((r) => r[0]));
    const byId = new Map();
    if (listed.size)
      for (const r of (await byIdSt.runAndReadAll()).getRows())
        if (listed.has(r[0])) byId.set(r[0], [r[0], num(r[1]), num(r[2])]);
    const d = firstDifference(ours[i], duck, byId);
    if (d) {
      mismatches++;
      firstMismatch ??= `from=${ranges[i].from} to=${ranges[i].to}: ${d}`;
    }
  }
  const duckTimes = [];
  for (let run = 0; run < args.runs; run++)
    for (const r of ranges) {
      const t = now();
      await duckDashboard(st, r);
      duckTimes.push(now() - t);
    }
  log(`  duckdb: ${duckTimes.length} timed query sets`);

  console.log(JSON.stringify({
    ranges: ranges.length,
    infludash: args.url ? stats(oursTimes) : null,
    duckdb: stats(duckTimes),
    duckdb_load_s: loadMs / 1000,
    checked: ours ? ranges.length : 0,
    mismatches,
    first_mismatch: firstMismatch,
  }));
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`dashboard_duckdb: ${e.stack || e}\n`);
    process.exit(2);
  },
);
