// run.mjs — the web app in headless Debian chromium (playwright-core), driven by
// tests/e2e/browser.sh. Env: BASE (a running `infludash serve` with data), ARTEFACTS (where
// screenshots go), CHROMIUM (default /usr/bin/chromium). Prints "ok   NAME" / "FAIL NAME"
// lines (the shell script counts them) and "info ..." lines.
// BENCH=N: only measures navigation → dashboard fully drawn N times, prints the median.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const BASE = process.env.BASE;
const ART = process.env.ARTEFACTS || 'artefacts';
const SHOTS = path.join(ART, 'screenshots');
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const TMP = process.env.TMPDIR_TEST || fs.mkdtempSync('/tmp/infludash-browser-');
fs.mkdirSync(SHOTS, { recursive: true });

const ok = (n) => console.log('ok   ' + n);
const fail = (n, why) => { console.log('FAIL ' + n); for (const l of String(why).split('\n').slice(0, 12)) console.log('     | ' + l); };
const info = (s) => console.log('info ' + s);
const check = (n, cond, why) => (cond ? ok(n) : fail(n, why || 'condition false'));
async function step(name, fn) {
  try { await fn(); } catch (e) { fail(name, (e && e.stack) || e); }
}

const browser = await chromium.launch({ executablePath: EXE, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
const page = await context.newPage();
let problems = [];
let dialogs = [];
page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
page.on('dialog', async (d) => { dialogs.push(d.type() + ': ' + d.message()); await d.dismiss().catch(() => {}); });
const api = async (p) => { const r = await page.request.get(BASE + p); if (!r.ok()) throw new Error(p + ' → ' + r.status()); return r.json(); };
const drawn = () => page.waitForSelector('#page[data-state=drawn]', { timeout: 20000 });
const cards = () => page.$$eval('[data-kpi-value]', (els) => Object.fromEntries(els.map((e) => [e.dataset.kpiValue, e.textContent])));

async function drawTime() {
  await page.goto(BASE + '/', { waitUntil: 'commit' });
  await drawn();
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return Number(document.getElementById('page').dataset.drawnAt) - (nav ? nav.startTime : 0);
  });
}

if (process.env.BENCH) {
  const n = Number(process.env.BENCH) || 5;
  const times = [];
  await drawTime(); // warm-up: the server's first answers, the browser's cache
  for (let i = 0; i < n; i++) times.push(await drawTime());
  times.sort((a, b) => a - b);
  console.log('dashboard drawn (navigation → all charts rendered), ms: ' + times.map((t) => Math.round(t)).join(' ') + '; median ' + Math.round(times[Math.floor(n / 2)]));
  await browser.close();
  process.exit(0);
}

const PAGES = [
  ['dashboard', '/', '#page[data-state=drawn]'],
  ['influencers', '/influencers', 'table.influencers tbody tr'],
  ['influencer', null, '.cards [data-kpi=revenue]'],
  ['insights', '/insights', 'table.poor'],
  ['payouts', '/payouts', '[data-kpi=earned]'],
  ['upload', '/upload', '#upload-file'],
  ['export', '/export', '#export-pdf'],
  ['database', '/database', '[data-delete=tracking_data]'],
];

await step('every page loads without console errors', async () => {
  const first = (await api('/api/influencers')).influencers[0];
  for (const [name, url0, sel] of PAGES) {
    const url = url0 || '/influencers/' + encodeURIComponent(first.influencer_id);
    problems = [];
    const t0 = Date.now();
    await page.goto(BASE + url);
    await page.waitForSelector(sel, { timeout: 20000 });
    if (name === 'dashboard') info('dashboard drawn in ' + (Date.now() - t0) + ' ms after navigation (' + (await page.evaluate(() => Math.round(window.ID.drawnMs))) + ' ms of it fetching and drawing)');
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(SHOTS, name + '-1280.png'), fullPage: true });
    check('page ' + name + ' (' + url + ') without console or page errors', problems.length === 0, problems.join('\n'));
  }
});

await step('navigation by the sidebar keeps the URL', async () => {
  await page.goto(BASE + '/');
  await drawn();
  await page.click('.nav a[data-route=payouts]');
  await page.waitForSelector('[data-kpi=earned]');
  check('sidebar link goes to /payouts without a reload', new URL(page.url()).pathname === '/payouts');
  await page.goBack();
  await drawn();
  check('back returns to the dashboard', new URL(page.url()).pathname === '/');
});

await step('a platform filter gives the KPIs of the API', async () => {
  await page.goto(BASE + '/');
  await drawn();
  const before = await cards();
  const opts = await api('/api/options');
  const plat = opts.platform.includes('Instagram') ? 'Instagram' : opts.platform[0];
  await page.click('details[data-filter=platform] > summary');
  await page.check('details[data-filter=platform] input[value="' + plat + '"]');
  await page.waitForURL((u) => new URL(u).searchParams.get('platform') === plat);
  await drawn();
  const after = await cards();
  const d = await api('/api/dashboard?platform=' + encodeURIComponent(plat));
  const expected = await page.evaluate((k) => Object.fromEntries(Object.entries(window.ID.KPI_FORMAT).map(([key, f]) => [key, window.ID.fmt[f](k[key])])), d.kpis);
  const diffs = Object.keys(expected).filter((k) => after[k] !== expected[k]).map((k) => k + ': shown ' + after[k] + ', API ' + expected[k]);
  check('KPI cards equal /api/dashboard?platform=' + plat + ' (' + Object.keys(expected).length + ' cards)', diffs.length === 0 && Object.keys(after).length >= 12, diffs.join('\n') || JSON.stringify(after));
  check('orders shown in Indian grouping', after.orders === new Intl.NumberFormat('en-IN').format(d.kpis.orders), after.orders);
  check('the filter changed the revenue card', before.revenue !== after.revenue, before.revenue + ' → ' + after.revenue);
  check('revenue card is in lakh/crore', /^₹[\d,]+(\.\d+)? (L|Cr)$|^₹[\d,]+$/.test(after.revenue), after.revenue);
  check('iROAS card names the method', (await page.textContent('[data-kpi=iroas]')).includes('method: '));
  check('ROAS card shows the benchmark', /Benchmark .*(met|no spend)/.test(await page.textContent('[data-kpi=roas]')));
  await page.reload();
  await drawn();
  const reloaded = await cards();
  check('after a reload the URL keeps the filter and the KPIs are the same', new URL(page.url()).searchParams.get('platform') === plat && JSON.stringify(reloaded) === JSON.stringify(after), JSON.stringify(reloaded));
  check('the sidebar shows the filter after a reload', (await page.textContent('details[data-filter=platform] summary')).includes(plat));
  await page.click('.nav a[data-route=influencers]');
  await page.waitForSelector('table.influencers tbody tr');
  check('navigation keeps the filter', new URL(page.url()).searchParams.get('platform') === plat, page.url());
  const plats = await page.$$eval('table.influencers tbody tr td:nth-child(3)', (tds) => [...new Set(tds.map((t) => t.textContent))]);
  check('the influencers table is filtered', plats.length === 1 && plats[0] === plat, plats.join(','));
  await page.goBack();
  await drawn();
  await page.goBack();
  await drawn();
  const back = await cards();
  check('back/forward gives the unfiltered view again', JSON.stringify(back) === JSON.stringify(before), JSON.stringify(back));
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-filtered-1280.png'), fullPage: true });
});

async function statusCounts() { return (await api('/api/status')).counts; }
function tmpFile(name, text) { const f = path.join(TMP, name); fs.writeFileSync(f, text); return f; }

await step('a good upload imports', async () => {
  problems = [];
  const c0 = await statusCounts();
  await page.goto(BASE + '/upload');
  const f = tmpFile('influencers-good.csv', 'influencer_id,name,category,gender,follower_count,platform\nXSS001,<script>alert(1)</script>,Fitness,Female,12000,Instagram\nXSS002,"Quote "" & <b>bold</b>",Yoga,Male,5000,YouTube\n');
  await page.setInputFiles('#upload-file', f);
  await page.selectOption('#upload-dataset', 'influencers');
  await page.click('#upload-go');
  await page.waitForSelector('.outcome', { timeout: 20000 });
  const st = await page.getAttribute('.outcome', 'data-status');
  const c1 = await statusCounts();
  check('good upload answered 200 and shows the accepted rows', st === '200' && (await page.textContent('.outcome .accepted')) === '2', 'status ' + st + ': ' + (await page.textContent('.outcome')));
  check('good upload changed the counts', c1.influencers === c0.influencers + 2, JSON.stringify(c0) + ' → ' + JSON.stringify(c1));
  await page.waitForFunction((n) => document.querySelector('.status-counts') && document.querySelector('.status-counts').textContent.includes(n), new Intl.NumberFormat('en-IN').format(c1.influencers), { timeout: 5000 }).then(() => ok('the status line shows the new count'), (e) => fail('the status line shows the new count', e.message));
  await page.screenshot({ path: path.join(SHOTS, 'upload-good-1280.png'), fullPage: true });
  check('no console errors on the good upload', problems.length === 0, problems.join('\n'));
});

await step('a bad upload shows line-numbered errors and imports nothing', async () => {
  problems = [];
  const c0 = await statusCounts();
  const s0 = (await api('/api/status')).last_import;
  await page.goto(BASE + '/upload');
  const f = tmpFile('tracking-bad.csv', 'tracking_id,source,campaign,influencer_id,user_id,product,date,orders,revenue\nTB1,instagram_story,X,INF00001,U1,Whey,2025-07-01,1,100\nTB2,instagram_story,X,INF00001,U2,Whey,2025-07-02,1,bad\nTB3,instagram_story,X,INF00001,U3,Whey,not-a-date,1,100\n');
  await page.setInputFiles('#upload-file', f);
  await page.selectOption('#upload-dataset', 'tracking_data');
  await page.click('#upload-go');
  await page.waitForSelector('.outcome', { timeout: 20000 });
  const st = await page.getAttribute('.outcome', 'data-status');
  const rows = await page.$$eval('table.import-errors tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  check('bad upload refused (422)', st === '422', 'status ' + st + ': ' + (await page.textContent('.outcome')));
  check('errors shown in a table with line numbers', rows.length >= 2 && rows.some((r) => r[0] === '3') && rows.some((r) => r[0] === '4'), JSON.stringify(rows));
  check('the refused value is shown', rows.some((r) => r[2] === 'bad'), JSON.stringify(rows));
  check('"Import the valid rows anyway" is offered', (await page.$('#import-valid')) !== null);
  const c1 = await statusCounts();
  const s1 = (await api('/api/status')).last_import;
  check('bad upload imported nothing', JSON.stringify(c0) === JSON.stringify(c1) && JSON.stringify(s0) === JSON.stringify(s1), JSON.stringify(c0) + ' → ' + JSON.stringify(c1));
  await page.screenshot({ path: path.join(SHOTS, 'upload-bad-1280.png'), fullPage: true });
  const expectErr = problems.filter((p) => !/status of 422/.test(p));
  check('no console errors on the bad upload (besides the 422 itself)', expectErr.length === 0, expectErr.join('\n'));
});

await step('a name with markup shows as text', async () => {
  // The influencer comes from the good upload above (or the API, when that failed); a post
  // gives it activity, so that it is listed.
  const post = (ds, body) => page.request.post(BASE + '/api/import/' + ds + '?mode=append&filename=xss-' + ds + '.csv', { data: body, headers: { 'Content-Type': 'text/csv' } });
  const opts = await api('/api/options');
  if (!opts.influencer.some((r) => r.id === 'XSS001')) await post('influencers', 'influencer_id,name,category,gender,platform\nXSS001,<script>alert(1)</script>,Fitness,Female,Instagram\n');
  const r = await post('posts', 'post_id,influencer_id,platform,date,url,caption,reach,likes,comments,shares\nPXSS1,XSS001,Instagram,2025-06-01,https://example.com/p/x,"<img src=x onerror=alert(2)>",1000,50,5,1\n');
  check('a post for the markup influencer imports', r.status() === 200, r.status() + ' ' + (await r.text()));
  for (let i = 0; i < 100; i++) { // the engine takes the import in the background
    if ((await api('/api/influencers')).influencers.some((x) => x.influencer_id === 'XSS001')) break;
    await page.waitForTimeout(100);
  }
  dialogs = [];
  problems = [];
  await page.goto(BASE + '/influencers');
  await page.waitForSelector('table.influencers tbody tr');
  await page.fill('#inf-search', 'script');
  const names = await page.$$eval('table.influencers tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  const injected = await page.$$eval('#page script, #page b', (e) => e.length);
  check('the name shows as text on the Influencers page', names.includes('<script>alert(1)</script>'), JSON.stringify(names));
  check('no element was injected', injected === 0, injected + ' elements');
  await page.screenshot({ path: path.join(SHOTS, 'influencers-xss-1280.png'), fullPage: true });
  await page.click('table.influencers tbody tr a');
  await page.waitForSelector('.cards [data-kpi=revenue]');
  check('the name shows as text on its own page', (await page.textContent('h1')) === '<script>alert(1)</script>');
  await page.goto(BASE + '/?influencer=XSS001');
  await drawn();
  await page.click('details[data-filter=influencer] > summary');
  await page.fill('details[data-filter=influencer] .ms-search', 'XSS');
  check('the name shows as text in the influencer filter', (await page.textContent('details[data-filter=influencer]')).includes('<script>alert(1)</script>'));
  await page.waitForTimeout(300);
  check('no dialog opened', dialogs.length === 0, dialogs.join('\n'));
  check('no console errors with the markup name', problems.length === 0, problems.join('\n'));
});

await step('phone width', async () => {
  problems = [];
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(BASE + '/');
  await drawn();
  check('the sidebar is collapsed on a phone', !(await page.isVisible('#filters')));
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-390.png'), fullPage: true });
  await page.click('#menu-toggle');
  check('the menu opens the sidebar', await page.isVisible('#filters'));
  await page.screenshot({ path: path.join(SHOTS, 'menu-390.png') });
  await page.click('.nav a[data-route=influencers]');
  await page.waitForSelector('table.influencers tbody tr');
  await page.screenshot({ path: path.join(SHOTS, 'influencers-390.png') });
  check('no console errors at phone width', problems.length === 0, problems.join('\n'));
});

await browser.close();
fs.rmSync(TMP, { recursive: true, force: true });
