/* pages/dashboard.js — Dashboard (/): the KPI cards of /api/dashboard with their benchmarks
 * (and, with "Compare with previous period" ticked, each one's change: compare=previous in
 * the URL), and the charts: revenue and ROAS by platform, ROAS by brand and by campaign,
 * revenue and spend over time, top and bottom influencers, the persona heat map, engagement
 * by platform, spend against revenue per influencer, payout status. */
import * as charts from '../charts.js';
import { card, clear, h, loading } from '../dom.js';
import { explainable } from '../explain.js';
import { dateRange, esc, fmt } from '../format.js';
import { term } from '../glossary.js';
import { setFilters } from '../sidebar.js';
import { LABELS } from '../state.js';
import { NOT_COMPARABLE, STATUS_LABEL, emptyKpis, get, header, methodLabel, noData } from './common.js';

/* How each KPI card shows its value: a key of fmt (the browser test formats the API's
 * figures with it and compares). */
export const KPI_FORMAT = {
  revenue: 'moneyShort',
  orders: 'int',
  spend: 'moneyShort',
  roas: 'ratio',
  roi: 'pct',
  incremental_revenue: 'moneyShort',
  iroas: 'ratio',
  organic_revenue: 'moneyShort',
  engagement_rate: 'rate',
  engagement_rate_followers: 'rate',
  engagement_rate_views: 'rate',
  cpo: 'unit',
  aov: 'unit',
  influencers: 'int',
};
/* Milliseconds the last dashboard took from the start of its drawing to every chart drawn. */
export let drawnMs = null;

/* "Benchmark 4.00 (= ROI 300 %) · ✗ not met": the benchmark also in the other ratio's terms
 * (ROI = ROAS − 1), so that a ROAS card and a ROI card that disagree can be read side by side. */
function benchSub(met, bench, f, other) {
  const what = 'Benchmark ' + f(bench) + (other ? ' (= ' + other + ')' : '');
  if (met === null || met === undefined) return h('span', { class: 'bench' }, what + ' · no spend');
  return h('span', { class: 'bench ' + (met ? 'met' : 'unmet') }, what + ' · ' + (met ? '✓ met' : '✗ not met'));
}
const metClass = (met) => (met === true ? 'good' : met === false ? 'bad' : '');

/* The filters that select influencers (and with them their rows): organic rows have none, so
 * these leave organic revenue as it is (SPEC §3). */
export const INFLUENCER_FILTERS = [
  'platform',
  'category',
  'gender',
  'tier',
  'persona',
  'influencer',
  'basis',
  'min_roas',
];
const isSet = (v) => (Array.isArray(v) ? v.length > 0 : !!v);

/* Why incremental revenue can be above attributed revenue, by method. */
function incrementalNote(k) {
  if (!(typeof k.incremental_revenue === 'number' && k.incremental_revenue > k.revenue)) return null;
  const why =
    k.iroas_method === 'organic'
      ? 'this method counts all revenue above the baseline on campaign days, organic sales included'
      : k.iroas_method === 'holdout'
        ? "the holdout method counts the test group's revenue above the control group's, over all of the test rows"
        : 'the method counts more than the attributed orders';
  return ['above-attributed', 'Above attributed revenue: ' + why + '.'];
}

/* The KPI cards of /api/dashboard (data-kpi=key; the browser test reads them). */
function kpiCards(d, filters) {
  const k = d.kpis,
    b = d.benchmarks || {},
    inc = d.incremental || {};
  const F = (key) => fmt[KPI_FORMAT[key]](k[key]);
  const full = (key) => fmt.money(k[key], 2);
  const ci = inc.interval
    ? [term('ci'), ' ' + fmt.ratio(inc.interval.iroas_low) + '–' + fmt.ratio(inc.interval.iroas_high)]
    : null;
  const method = () => ['method: ', term(k.iroas_method, methodLabel(k.iroas_method))];
  const roasAsRoi = typeof b.roas === 'number' ? 'ROI ' + fmt.pct(b.roas - 1, 0) : null;
  const roiAsRoas = typeof b.roi === 'number' ? 'ROAS ' + fmt.ratio(b.roi + 1) : null;
  const influencerFilters = INFLUENCER_FILTERS.filter((f) => isSet(filters[f])).map(
    (f) => LABELS[f].charAt(0).toLowerCase() + LABELS[f].slice(1),
  );
  const cards = h(
    'div',
    { class: 'cards' },
    card(term('revenue'), F('revenue'), { key: 'revenue', title: full('revenue') }),
    card('Orders', F('orders'), { key: 'orders' }),
    card(term('spend'), F('spend'), { key: 'spend', title: full('spend') }),
    card(term('roas'), F('roas'), {
      key: 'roas',
      cls: metClass(b.roas_met),
      sub: benchSub(b.roas_met, b.roas, (x) => fmt.ratio(x), roasAsRoi),
    }),
    card(term('roi'), F('roi'), {
      key: 'roi',
      cls: metClass(b.roi_met),
      sub: benchSub(b.roi_met, b.roi, (x) => fmt.pct(x, 0), roiAsRoas),
    }),
    card(term('incremental_revenue'), F('incremental_revenue'), {
      key: 'incremental_revenue',
      title: full('incremental_revenue'),
      sub: h('span', null, method()),
      notes: [incrementalNote(k)],
    }),
    card(term('iroas'), F('iroas'), {
      key: 'iroas',
      title: fmt.datesIn(inc.basis) || null,
      sub: h(
        'span',
        null,
        h('span', { class: 'method', dataset: { method: k.iroas_method || '' } }, method()),
        ci ? h('br') : null,
        ci,
      ),
    }),
    card(term('organic_revenue'), F('organic_revenue'), {
      key: 'organic_revenue',
      title: full('organic_revenue'),
      notes: [
        influencerFilters.length
          ? [
              'influencer-filters',
              'Not cut by the ' +
                influencerFilters.join(', ') +
                ' filter' +
                (influencerFilters.length > 1 ? 's' : '') +
                ': organic sales have no influencer.',
            ]
          : null,
      ],
    }),
    card(term('engagement_rate'), F('engagement_rate'), {
      key: 'engagement_rate',
      sub: fmt.intShort(k.engagements) + ' engagements / ' + fmt.intShort(k.reach) + ' reach (the default)',
    }),
    card('Engagement rate by followers', F('engagement_rate_followers'), {
      key: 'engagement_rate_followers',
      sub: 'followers counted once per post',
    }),
    card('Engagement rate by views', F('engagement_rate_views'), {
      key: 'engagement_rate_views',
      sub: 'posts with video views or impressions',
    }),
    card(term('cpo', 'Cost per order (CPO)'), F('cpo'), { key: 'cpo' }),
    card(term('aov', 'Average order value (AOV)'), F('aov'), { key: 'aov' }),
    card('Influencers', F('influencers'), { key: 'influencers', sub: fmt.int(k.posts) + ' posts' }),
  );
  /* ROAS and ROI judged against benchmarks that do not say the same thing (ROAS 4 is ROI
   * 300 %, not 200 %) can disagree: say why, where the reader sees it */
  const split = typeof b.roas_met === 'boolean' && typeof b.roi_met === 'boolean' && b.roas_met !== b.roi_met;
  if (!split) return cards;
  return h(
    'div',
    null,
    cards,
    h(
      'p',
      { class: 'cards-note notice', id: 'bench-note', role: 'note' },
      'ROAS and ROI are judged against different bars: the ROAS benchmark ' +
        fmt.ratio(b.roas) +
        ' is ' +
        roasAsRoi +
        ', the ROI benchmark ' +
        fmt.pct(b.roi, 0) +
        ' is ' +
        roiAsRoas +
        '. ROAS ' +
        F('roas') +
        ' (ROI ' +
        F('roi') +
        ') clears the lower one only. Set both in the sidebar under "Benchmarks & incrementality".',
    ),
  );
}

/* "▲ 12.0 %" / "▼ 3.1 %" / "no change": a KPI's change against the earlier period (rel when
 * there is one, else abs in the card's own format, else "—": nothing to compare with). */
export function changeText(key, ch) {
  if (!ch) return fmt.text(null);
  const arrow = (v) => (v > 0 ? '▲ ' : v < 0 ? '▼ ' : '');
  if (typeof ch.rel === 'number') {
    const t = fmt.pct(Math.abs(ch.rel));
    return t === fmt.pct(0) ? 'no change' : arrow(ch.rel) + t;
  }
  if (typeof ch.abs === 'number') {
    if (ch.abs === 0) return 'no change';
    const f = fmt[KPI_FORMAT[key]] || fmt.int;
    return arrow(ch.abs) + (ch.abs > 0 ? '+' : '') + f(ch.abs);
  }
  return fmt.text(null);
}

/* The KPIs where a fall is the good news (spend itself is neither: it is shown plainly). */
const LOWER_IS_BETTER = new Set(['cpo']);
const NEUTRAL = new Set(['spend']);

/* Each card's change line (data-kpi-change=key), and one line above the cards naming the
 * period compared with. */
function addChanges(cards, d) {
  const ch = d.kpis_change,
    prev = d.kpis_previous || {};
  for (const el of cards.querySelectorAll('[data-kpi]')) {
    const key = el.dataset.kpi;
    if (!(key in KPI_FORMAT)) continue;
    const c = ch[key];
    const dir = c && typeof c.abs === 'number' ? (c.abs > 0 ? 'up' : c.abs < 0 ? 'down' : 'flat') : 'none';
    /* green for the better way: more revenue, less cost per order */
    const better = NEUTRAL.has(key)
      ? ''
      : dir === 'up' || dir === 'down'
        ? (dir === 'up') !== LOWER_IS_BETTER.has(key)
          ? ' better'
          : ' worse'
        : '';
    el.appendChild(
      h(
        'div',
        { class: 'card-change ' + dir + better, dataset: { kpiChange: key } },
        changeText(key, c),
        h('span', { class: 'muted' }, ' · was ' + fmt[KPI_FORMAT[key]](prev[key])),
      ),
    );
  }
}

/* The "Compare with previous period" switch (off by default; compare=previous in the URL). */
function compareToggle(ctx, d) {
  const box = h('input', { type: 'checkbox', id: 'compare-toggle', checked: !!ctx.filters.compare });
  box.addEventListener('change', () =>
    setFilters(Object.assign({}, ctx.filters, { compare: box.checked ? 'previous' : '' })),
  );
  const c = d.compare;
  const what = !ctx.filters.compare
    ? null
    : c
      ? (c.kind === 'previous' ? 'the previous ' + fmt.int(c.days) + (c.days === 1 ? ' day' : ' days') + ', ' : '') +
        dateRange(c.from, c.to)
      : 'no earlier period: the data has no dates';
  return h(
    'div',
    { class: 'compare-bar' },
    h('label', { class: 'compare-toggle', for: 'compare-toggle' }, box, ' Compare with previous period'),
    what ? h('span', { class: 'muted', id: 'compare-period' }, ' — against ' + what) : null,
  );
}

/* A bar chart of revenue and spend with ROAS as a line, by one dimension (by_platform,
 * by_brand, by_campaign): a group without spend has no ROAS ("—" in the table, a gap in
 * the line). */
function roasChart(p, rows, key, label) {
  const names = rows.map((r) => (r[key] === null || r[key] === undefined ? '(none)' : r[key]));
  const num = (v) => (typeof v === 'number' ? v : null);
  return charts.draw(
    p.box,
    {
      legend: { top: 0, left: 0 },
      tooltip: charts.axisTooltip({ Revenue: fmt.money, Spend: fmt.money, ROAS: fmt.ratio }),
      xAxis: { type: 'category', data: names, axisLabel: charts.categoryLabels(p.box) },
      yAxis: [
        charts.moneyAxis(rows.flatMap((r) => [r.revenue, num(r.spend)]).filter((v) => v !== null)),
        { type: 'value', splitLine: { show: false }, axisLabel: { formatter: (v) => v + '×' } },
      ],
      series: [
        { name: 'Revenue', type: 'bar', data: rows.map((r) => r.revenue) },
        { name: 'Spend', type: 'bar', data: rows.map((r) => num(r.spend)) },
        { name: 'ROAS', type: 'line', yAxisIndex: 1, data: rows.map((r) => num(r.roas)), symbolSize: 8 },
      ],
    },
    {
      table: charts.categoryTable(label, names, [
        { name: 'Revenue', data: rows.map((r) => r.revenue), fmt: fmt.money },
        { name: 'Spend', data: rows.map((r) => num(r.spend)), fmt: fmt.money },
        { name: 'ROAS', data: rows.map((r) => num(r.roas)), fmt: fmt.ratio },
        { name: 'ROI', data: rows.map((r) => num(r.roi)), fmt: (v) => fmt.pct(v, 0) },
      ]),
    },
  );
}

/* The note under a ROAS chart when some groups have no spend figure. */
function spendNote(p, rows, what) {
  const missing = rows.filter((r) => typeof r.spend !== 'number').length;
  if (!missing) return;
  p.note.textContent =
    fmt.int(missing) +
    ' of ' +
    fmt.int(rows.length) +
    ' ' +
    what +
    ' have no spend figure here: their ROAS shows as —.';
  p.note.hidden = false;
}

const SCOL = {
  paid: '#35a37a',
  partly_paid: '#d3b23c',
  pending: '#e0803a',
  unknown: '#9aa0aa',
  outside_range: '#7d8fb3',
};

export async function dashboard(ctx) {
  const t0 = performance.now();
  header(ctx, 'Dashboard');
  const cardsBox = h('div', { class: 'cards-box' }, loading());
  const grid = h('div', { class: 'grid' });
  ctx.el.append(cardsBox, grid);
  ctx.el.dataset.state = 'loading';
  const pInf = get('/api/influencers', ctx);
  const pPay = get('/api/payouts', ctx);
  pInf.catch(() => {});
  pPay.catch(() => {});
  const d = await get('/api/dashboard', ctx);
  if (ctx.stale()) return;
  if (emptyKpis(d.kpis)) {
    /* nothing to draw: say why instead of ₹0 cards and empty charts */
    clear(cardsBox).appendChild(noData(ctx));
    grid.remove();
    drawnMs = performance.now() - t0;
    ctx.el.dataset.state = 'drawn';
    ctx.el.dataset.drawnAt = String(Math.round(performance.now()));
    return;
  }
  const kc = kpiCards(d, ctx.filters);
  clear(cardsBox).append(compareToggle(ctx, d), kc);
  if (d.kpis_change) addChanges(kc, d);
  /* every card opens "How is this computed?" for its KPI under the page's filters */
  for (const c of cardsBox.querySelectorAll('.card[data-kpi]')) explainable(c, c.dataset.kpi, ctx.filters);
  const draws = [];

  /* revenue and ROAS by platform */
  const p1 = charts.panel('Revenue and ROAS by platform');
  grid.appendChild(p1.panel);
  const bp = d.by_platform || [];
  draws.push(
    charts.draw(
      p1.box,
      {
        legend: { top: 0, left: 0 },
        tooltip: charts.axisTooltip({ Revenue: fmt.money, Spend: fmt.money, ROAS: fmt.ratio }),
        xAxis: {
          type: 'category',
          data: bp.map((r) => r.platform || '(none)'),
          axisLabel: charts.categoryLabels(p1.box),
        },
        yAxis: [
          charts.moneyAxis(bp.flatMap((r) => [r.revenue, r.spend])),
          { type: 'value', splitLine: { show: false }, axisLabel: { formatter: (v) => v + '×' } },
        ],
        series: [
          { name: 'Revenue', type: 'bar', data: bp.map((r) => r.revenue) },
          { name: 'Spend', type: 'bar', data: bp.map((r) => r.spend) },
          { name: 'ROAS', type: 'line', yAxisIndex: 1, data: bp.map((r) => r.roas), symbolSize: 8 },
        ],
      },
      {
        table: charts.categoryTable(
          'Platform',
          bp.map((r) => r.platform || '(none)'),
          [
            { name: 'Revenue', data: bp.map((r) => r.revenue), fmt: fmt.money },
            { name: 'Spend', data: bp.map((r) => r.spend), fmt: fmt.money },
            { name: 'ROAS', data: bp.map((r) => r.roas), fmt: fmt.ratio },
          ],
        ),
      },
    ),
  );

  /* ROAS by brand and by campaign (the campaigns with the most revenue) */
  const pb = charts.panel('ROAS by brand');
  grid.appendChild(pb.panel);
  const brands = (d.by_brand || []).filter((r) => r.revenue || r.spend || r.orders);
  spendNote(pb, brands, 'brands');
  draws.push(roasChart(pb, brands, 'brand', 'Brand'));
  const pc = charts.panel('ROAS by campaign');
  grid.appendChild(pc.panel);
  const allCampaigns = (d.by_campaign || []).filter((r) => r.revenue || r.spend || r.orders);
  const campaigns = allCampaigns
    .slice()
    .sort((a, b) => b.revenue - a.revenue || String(a.campaign).localeCompare(String(b.campaign)))
    .slice(0, 12);
  spendNote(pc, campaigns, 'campaigns');
  if (campaigns.length < allCampaigns.length) {
    pc.note.textContent =
      'The ' +
      campaigns.length +
      ' campaigns with the most revenue of ' +
      fmt.int(allCampaigns.length) +
      ' (all of them: Insights → Comparisons). ' +
      (pc.note.hidden ? '' : pc.note.textContent);
    pc.note.hidden = false;
  }
  draws.push(roasChart(pc, campaigns, 'campaign', 'Campaign'));

  /* revenue and spend over time; spend without a day (an undated post or fee) is not on the
   * axis: the note gives it */
  const p2 = charts.panel('Revenue and spend over time (daily)', { wide: true });
  grid.appendChild(p2.panel);
  const undated = (d.daily || []).filter((r) => !r.date);
  const daily = (d.daily || []).filter((r) => r.date);
  const undatedSpend = undated.reduce((a, r) => a + (typeof r.spend === 'number' ? r.spend : 0), 0);
  if (undatedSpend) {
    p2.note.textContent = 'Unallocated (no day): spend ' + fmt.money(undatedSpend) + ', not on the time axis.';
    p2.note.hidden = false;
  }
  const daySpend = daily.map((r) => (typeof r.spend === 'number' ? r.spend : null));
  draws.push(
    charts.draw(
      p2.box,
      {
        legend: { top: 0, left: 0 },
        tooltip: Object.assign(
          charts.axisTooltip(
            { 'Attributed revenue': fmt.money, 'Organic revenue': fmt.money, Spend: fmt.money, Orders: fmt.int },
            fmt.date,
          ),
          {
            axisPointer: { type: 'line' },
          },
        ),
        grid: { left: 12, right: 16, top: 40, bottom: 50, containLabel: true },
        xAxis: charts.dateAxis(
          daily.map((r) => r.date),
          { boundaryGap: false },
        ),
        yAxis: charts.moneyAxis(
          daily.flatMap((r, i) => [r.revenue, r.organic_revenue, daySpend[i]]).filter((v) => v !== null),
        ),
        dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 8 }],
        series: [
          {
            name: 'Attributed revenue',
            type: 'line',
            showSymbol: false,
            areaStyle: { opacity: 0.15 },
            data: daily.map((r) => r.revenue),
            sampling: 'lttb',
          },
          {
            name: 'Organic revenue',
            type: 'line',
            showSymbol: false,
            data: daily.map((r) => r.organic_revenue),
            sampling: 'lttb',
          },
          {
            name: 'Spend',
            type: 'line',
            showSymbol: false,
            lineStyle: { type: 'dashed' },
            data: daySpend,
            sampling: 'lttb',
          },
        ],
      },
      {
        table: charts.categoryTable(
          'Date',
          daily.map((r) => r.date),
          [
            { name: 'Attributed revenue', data: daily.map((r) => r.revenue), fmt: fmt.money },
            { name: 'Organic revenue', data: daily.map((r) => r.organic_revenue), fmt: fmt.money },
            { name: 'Spend', data: daySpend, fmt: fmt.money },
            { name: 'Orders', data: daily.map((r) => r.orders), fmt: fmt.int },
          ],
          { catFmt: fmt.date, limit: 31 },
        ),
      },
    ),
  );

  /* top influencers by revenue (those without revenue left out, and counted once the
   * influencer list is in) and bottom ones by ROAS, drawn as the spend they did not return */
  const top = (d.top_influencers || []).filter((r) => r.revenue > 0),
    bottom = d.bottom_influencers || [];
  const lost = (r) => Math.max(0, (r.spend || 0) - (r.revenue || 0));
  const infTip = (list) =>
    charts.itemTooltip((p) => {
      const r = list[p.dataIndex];
      return [
        r.name || r.influencer_id,
        r.influencer_id + ' · ' + (r.platform || '—'),
        'Revenue ' + fmt.money(r.revenue),
        'Spend ' + fmt.money(r.spend),
        'Not returned ' + fmt.money(lost(r)),
        'ROAS ' + fmt.ratio(r.roas),
      ];
    });
  const p3 = charts.panel('Top influencers by revenue');
  const p4 = charts.panel('Bottom influencers by ROAS', {
    note: 'Bars: the spend each did not return (spend − revenue); the label gives the ROAS.',
  });
  grid.append(p3.panel, p4.panel);
  const barOpt = (list, name, values, label, color, right) => ({
    tooltip: infTip(list),
    grid: { left: 12, right, top: 24, bottom: 8, containLabel: true },
    xAxis: charts.moneyAxis(values),
    yAxis: {
      type: 'category',
      inverse: true,
      data: list.map((r) => r.name || r.influencer_id),
      axisLabel: { width: 120, overflow: 'truncate' },
    },
    series: [
      {
        name,
        type: 'bar',
        data: values,
        itemStyle: { color },
        label: { show: true, position: 'right', color: '#1d2330', formatter: (p) => label(list[p.dataIndex]) },
      },
    ],
  });
  const infTable = (list, extra) =>
    charts.categoryTable(
      'Influencer',
      list.map((r) => r.name || r.influencer_id),
      [
        { name: 'Revenue', data: list.map((r) => r.revenue), fmt: fmt.money },
        { name: 'Spend', data: list.map((r) => r.spend), fmt: fmt.money },
        { name: 'ROAS', data: list.map((r) => r.roas), fmt: fmt.ratio },
      ].concat(extra || []),
    );
  if (top.length)
    draws.push(
      charts.draw(
        p3.box,
        barOpt(
          top,
          'Revenue',
          top.map((r) => r.revenue),
          (r) => fmt.moneyShort(r.revenue),
          '#17703f',
          70,
        ),
        { table: infTable(top) },
      ),
    );
  else p3.box.replaceWith(h('p', { class: 'chart-empty' }, 'No influencer has attributed revenue in these filters.'));
  const bottomLost = bottom.map(lost);
  if (bottom.length)
    draws.push(
      charts.draw(
        p4.box,
        barOpt(
          bottom,
          'Not returned',
          bottomLost,
          (r) => 'ROAS ' + fmt.ratio(r.roas) + (lost(r) > 0 ? ' · −' + fmt.moneyShort(lost(r)) : ''),
          '#b3261e',
          130,
        ),
        { table: infTable(bottom, [{ name: 'Not returned', data: bottomLost, fmt: fmt.money }]) },
      ),
    );
  else p4.box.replaceWith(h('p', { class: 'chart-empty' }, 'No influencer with spend in these filters.'));

  /* persona heat map */
  const p5 = charts.panel('Persona heat map (category × gender)', {
    wide: true,
    note: 'A blank cell: no influencer of that category and gender in the filters. A cell with — has influencers but no spend, so no ROAS.',
  });
  grid.appendChild(p5.panel);
  const metricSel = h(
    'select',
    { 'aria-label': 'Heat map metric' },
    h('option', { value: 'roas' }, 'ROAS'),
    h('option', { value: 'revenue' }, 'Revenue'),
  );
  p5.controls.append(metricSel);
  const personas = d.personas || [];
  const cats = [...new Set(personas.map((r) => r.category || '(none)'))].sort();
  const gens = [...new Set(personas.map((r) => r.gender || '(none)'))].sort();
  /* the heat map as a table: a row per category, a column per gender */
  const heatTable = (m, f) => ({
    cols: [{ key: 'category', label: 'Category' }].concat(
      gens.map((g) => ({
        key: g,
        label: g,
        num: true,
        fmt: (r) => (r[g] === undefined ? '' : r[g] === null ? '—' : f(r[g])),
      })),
    ),
    rows: cats.map((cat) =>
      Object.assign(
        { category: cat },
        ...personas.filter((r) => (r.category || '(none)') === cat).map((r) => ({ [r.gender || '(none)']: r[m] })),
      ),
    ),
  });
  const heat = () => {
    const m = metricSel.value;
    const f = m === 'roas' ? (v) => fmt.ratio(v) : fmt.moneyShort;
    const data = personas.map((r, i) => ({
      value: [gens.indexOf(r.gender || '(none)'), cats.indexOf(r.category || '(none)'), r[m] === null ? '-' : r[m]],
      idx: i,
    }));
    const vals = personas.map((r) => r[m]).filter((v) => typeof v === 'number');
    return charts.draw(
      p5.box,
      {
        tooltip: charts.itemTooltip((p) => {
          const r = personas[p.data.idx];
          return [
            (r.category || '(none)') + ' · ' + (r.gender || '(none)'),
            'ROAS ' + fmt.ratio(r.roas),
            'Revenue ' + fmt.money(r.revenue),
            'Spend ' + fmt.money(r.spend),
            fmt.int(r.influencers) + ' influencers',
          ];
        }),
        /* categories down the side (every one labelled, on a phone too), genders across */
        grid: { left: 12, right: 16, top: 44, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: gens, position: 'top', splitArea: { show: true }, axisLabel: { interval: 0 } },
        yAxis: { type: 'category', data: cats, splitArea: { show: true }, inverse: true, axisLabel: { interval: 0 } },
        visualMap: {
          min: vals.length ? Math.min(...vals) : 0,
          max: vals.length ? Math.max(...vals) : 1,
          text: m === 'roas' ? 'ROAS' : 'Revenue',
          formatter: (v) => f(v),
          inRange: { color: ['#fbe3d6', '#f2a66b', '#35a37a'] },
        },
        series: [
          {
            name: m === 'roas' ? 'ROAS' : 'Revenue',
            type: 'heatmap',
            data,
            label: { show: true, formatter: (p) => (p.value[2] === '-' ? '—' : f(p.value[2])) },
          },
        ],
      },
      { table: heatTable(m, f) },
    );
  };
  p5.box.style.height = Math.max(240, 60 + cats.length * 34) + 'px';
  metricSel.addEventListener('change', heat);
  draws.push(heat());

  /* engagement by platform */
  const p6 = charts.panel('Engagement rate by platform');
  grid.appendChild(p6.panel);
  draws.push(
    charts.draw(
      p6.box,
      {
        tooltip: charts.itemTooltip((p) => {
          const r = bp[p.dataIndex];
          return [
            r.platform || '(none)',
            'Engagement rate ' + fmt.rate(r.engagement_rate),
            fmt.int(r.engagements) + ' engagements',
            fmt.int(r.reach) + ' reach',
            fmt.int(r.posts) + ' posts',
          ];
        }),
        xAxis: {
          type: 'category',
          data: bp.map((r) => r.platform || '(none)'),
          axisLabel: charts.categoryLabels(p6.box),
        },
        yAxis: { type: 'value', axisLabel: { formatter: (v) => fmt.pct(v, 1) } },
        series: [
          {
            name: 'Engagement rate',
            type: 'bar',
            data: bp.map((r) => r.engagement_rate),
            itemStyle: { color: '#3b6fd8' },
            label: { show: true, position: 'top', formatter: (p) => fmt.rate(p.value) },
          },
        ],
      },
      {
        table: charts.categoryTable(
          'Platform',
          bp.map((r) => r.platform || '(none)'),
          [
            { name: 'Engagement rate', data: bp.map((r) => r.engagement_rate), fmt: fmt.rate },
            { name: 'Engagements', data: bp.map((r) => r.engagements), fmt: fmt.int },
            { name: 'Reach', data: bp.map((r) => r.reach), fmt: fmt.int },
            { name: 'Posts', data: bp.map((r) => r.posts), fmt: fmt.int },
          ],
        ),
      },
    ),
  );

  /* payout status and scatter need the other two documents */
  const p7 = charts.panel('Spend vs revenue per influencer', {
    wide: true,
    note: 'Each dot is an influencer; the dashed line is break-even (revenue = spend). Click a legend entry to hide a platform.',
  });
  const p8 = charts.panel('Payout status (influencers)');
  grid.append(p7.panel, p8.panel);
  const [inf, pay] = await Promise.all([pInf, pPay]);
  if (ctx.stale()) return;
  const rows = inf.influencers || [];
  const noRevenue = rows.filter((r) => !r.revenue).length;
  if (noRevenue) {
    p3.note.textContent =
      fmt.int(noRevenue) +
      (noRevenue === 1 ? ' influencer' : ' influencers') +
      ' with spend or posts but no attributed revenue in these filters ' +
      (noRevenue === 1 ? 'is' : 'are') +
      ' left out.';
    p3.note.hidden = false;
  }
  const byPlat = new Map();
  for (const r of rows) {
    const k = r.platform || '(none)';
    if (!byPlat.has(k)) byPlat.set(k, []);
    byPlat.get(k).push(r);
  }
  let maxS = 0;
  for (const r of rows) maxS = Math.max(maxS, r.spend || 0);
  draws.push(
    charts.draw(
      p7.box,
      {
        legend: { top: 0, left: 0, type: 'scroll', right: 40 },
        tooltip: {
          trigger: 'item',
          confine: true,
          formatter: (p) => {
            if (p.seriesType !== 'scatter') return esc(p.seriesName);
            const r = byPlat.get(p.seriesName)[p.dataIndex];
            return (
              '<b>' +
              esc(r.name || r.influencer_id) +
              '</b><br>' +
              esc(r.influencer_id + ' · ' + (r.platform || '—') + ' · ' + (r.tier || '—')) +
              '<br>Spend ' +
              esc(fmt.money(r.spend)) +
              '<br>Revenue ' +
              esc(fmt.money(r.revenue)) +
              '<br>ROAS ' +
              esc(fmt.ratio(r.roas))
            );
          },
        },
        grid: { left: 12, right: 24, top: 40, bottom: 24, containLabel: true },
        xAxis: Object.assign(charts.moneyAxis(rows.map((r) => r.spend)), {
          name: 'Spend',
          nameLocation: 'middle',
          nameGap: 24,
        }),
        yAxis: Object.assign(charts.moneyAxis(rows.map((r) => r.revenue)), { name: 'Revenue' }),
        dataZoom: [
          { type: 'inside', xAxisIndex: 0 },
          { type: 'inside', yAxisIndex: 0 },
        ],
        series: [...byPlat.entries()].map(([plat, list], i) => ({
          name: plat,
          type: 'scatter',
          symbol: charts.platformStyle(plat, i).symbol,
          legendMark: charts.platformStyle(plat, i).mark,
          symbolSize: 8,
          large: list.length > 2000,
          itemStyle: { color: charts.platformStyle(plat, i).color, opacity: 0.8 },
          data: list.map((r) => [r.spend, r.revenue]),
          markLine:
            i === 0 && maxS > 0
              ? {
                  silent: true,
                  symbol: 'none',
                  lineStyle: { type: 'dashed', color: '#888' },
                  label: { show: false },
                  data: [[{ coord: [0, 0] }, { coord: [maxS, maxS] }]],
                }
              : undefined,
        })),
      },
      {
        table: {
          cols: [
            { key: 'name', label: 'Influencer', fmt: (r) => r.name || r.influencer_id },
            { key: 'platform', label: 'Platform' },
            { key: 'spend', label: 'Spend', num: true, fmt: (r) => fmt.money(r.spend) },
            { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
            { key: 'roas', label: 'ROAS', num: true, fmt: (r) => fmt.ratio(r.roas) },
          ],
          rows,
          opts: { sortKey: 'spend', limit: 50 },
        },
      },
    ),
  );
  const agg = new Map();
  for (const r of pay.influencers || []) {
    const a = agg.get(r.status) || { n: 0, earned: 0, paid: 0, pending: 0 };
    a.n++;
    a.earned += r.earned || 0;
    a.paid += r.paid || 0;
    a.pending += r.pending || 0;
    agg.set(r.status, a);
  }
  const slices = [...agg.entries()];
  const nPay = slices.reduce((n, [, a]) => n + a.n, 0) || 1;
  const t = pay.totals || {};
  p8.panel.appendChild(
    h(
      'p',
      { class: 'panel-note' },
      'Paid ' +
        fmt.moneyShort(t.paid) +
        ' · pending ' +
        fmt.moneyShort(t.pending) +
        ' · ' +
        fmt.int(t.mismatches) +
        ' mismatches' +
        (t.not_comparable ? ' · ' + fmt.int(t.not_comparable) + ' ' + NOT_COMPARABLE : ''),
    ),
  );
  draws.push(
    charts.draw(
      p8.box,
      {
        legend: { top: 0, left: 0 },
        tooltip: charts.itemTooltip((p) => {
          const [s, a] = slices[p.dataIndex];
          return [
            STATUS_LABEL[s] || s,
            fmt.int(a.n) + ' influencers (' + fmt.ratio(p.percent, 1) + ' %)',
            'Earned ' + fmt.money(a.earned),
            'Paid ' + fmt.money(a.paid),
            'Pending ' + fmt.money(a.pending),
          ];
        }),
        series: [
          {
            name: 'Payout status',
            type: 'pie',
            radius: ['35%', '62%'],
            /* each slice named beside it, on two short lines held inside the card (never cut
             * at the edge of a phone's card); the legend gives the unit: "Paid: 50
             * influencers (50.0 %)" */
            data: slices.map(([s, a]) => ({
              name: STATUS_LABEL[s] || s,
              value: a.n,
              itemStyle: { color: SCOL[s] },
              legend:
                ': ' + fmt.int(a.n) + (a.n === 1 ? ' influencer' : ' influencers') + ' (' + fmt.pct(a.n / nPay) + ')',
            })),
            label: {
              formatter: (p) => p.name + '\n' + fmt.int(p.value),
              alignTo: 'edge',
              edgeDistance: 6,
              lineHeight: 15,
              overflow: 'break',
            },
            labelLine: { length: 8, length2: 6 },
          },
        ],
      },
      {
        table: {
          cols: [
            { key: 'status', label: 'Status', fmt: (r) => STATUS_LABEL[r.status] || r.status },
            { key: 'n', label: 'Influencers', num: true, fmt: (r) => fmt.int(r.n) },
            { key: 'earned', label: 'Earned', num: true, fmt: (r) => fmt.money(r.earned) },
            { key: 'paid', label: 'Paid', num: true, fmt: (r) => fmt.money(r.paid) },
            { key: 'pending', label: 'Pending', num: true, fmt: (r) => fmt.money(r.pending) },
          ],
          rows: slices.map(([status, a]) => Object.assign({ status }, a)),
        },
      },
    ),
  );

  await Promise.all(draws);
  if (ctx.stale()) return;
  drawnMs = performance.now() - t0;
  ctx.el.dataset.state = 'drawn';
  ctx.el.dataset.drawnAt = String(Math.round(performance.now()));
}
