/* pages.js — Dashboard, Influencers (+ one influencer), Insights, Payouts, Export, Database.
 * Every page is a function of {el, filters, signal, params} that fetches and draws. */
'use strict';
(function () {
  const ID = window.ID;
  const { h, fmt, esc, charts } = ID;
  const pages = (ID.pages = ID.pages || {});

  function get(path, ctx, extra) {
    return ID.api(ID.withFilters(path, ctx.filters, extra), {
      signal: ctx.signal,
      onWait: () => { const w = ctx.el.querySelector('.loading'); if (w) w.lastChild.textContent = 'The data is still loading on the server; retrying…'; },
    });
  }
  function header(ctx, title, sub) {
    document.title = title + ' · infludash';
    const active = ID.describeFilters(ctx.filters);
    ctx.el.appendChild(h('div', { class: 'page-head' }, h('h1', null, title),
      sub ? h('p', { class: 'muted' }, sub) : null,
      active.length ? h('p', { class: 'active-filters' }, h('span', { class: 'muted' }, 'Filtered by '), active.join(' · ')) : null));
  }
  function tag(text, cls) { return h('span', { class: 'tag' + (cls ? ' ' + cls : '') }, text); }
  function benchSub(met, bench, f) {
    if (met === null || met === undefined) return h('span', { class: 'bench' }, 'Benchmark ' + f(bench) + ' · no spend');
    return h('span', { class: 'bench ' + (met ? 'met' : 'unmet') }, 'Benchmark ' + f(bench) + ' · ' + (met ? '✓ met' : '✗ not met'));
  }
  const METHOD = { organic: 'organic baseline', holdout: 'holdout test vs control', fixed_share: 'fixed share' };
  /* payment status of /api/payouts rows; outside_range: earned under terms whose payout rows are all dated outside the range */
  const PAY_STATUS = { paid: 'Paid', partly_paid: 'Partly paid', pending: 'Pending', unknown: 'Unknown', outside_range: 'Recorded outside the range' };
  const NOT_COMPARABLE = 'not comparable in this range';
  /* the check of a payout row: earned against recorded over the same activity (README, Payouts) */
  function payCheck(r) {
    const why = (pre) => (r.check_reason ? h('span', { class: 'muted check-reason' }, pre + r.check_reason) : null);
    if (r.check === 'mismatch') return h('span', { class: r.check_reason ? 'pay-check' : null }, tag('⚠ mismatch', 'status-pending'), why('not compared: '));
    if (r.check === 'not_comparable') return h('span', { class: 'pay-check' }, tag(NOT_COMPARABLE, 'status-unknown'), why(''));
    return h('span', { class: 'muted' }, 'ok');
  }
  ID.methodLabel = (m) => METHOD[m] || m || '—';

  /* The KPI cards of /api/dashboard (data-kpi=key; the browser test reads them). */
  ID.KPI_FORMAT = { revenue: 'moneyShort', orders: 'int', spend: 'moneyShort', roas: 'ratio', roi: 'pct', incremental_revenue: 'moneyShort', iroas: 'ratio', organic_revenue: 'moneyShort', engagement_rate: 'pct', cpo: 'money', aov: 'money', influencers: 'int' };
  function kpiCards(d) {
    const k = d.kpis, b = d.benchmarks || {}, inc = d.incremental || {};
    const F = (key) => fmt[ID.KPI_FORMAT[key]](k[key]);
    const full = (key) => fmt.money(k[key], 2);
    const ci = inc.interval ? '95 % CI ' + fmt.ratio(inc.interval.iroas_low) + '–' + fmt.ratio(inc.interval.iroas_high) : null;
    return h('div', { class: 'cards' },
      ID.card('Revenue (attributed)', F('revenue'), { key: 'revenue', title: full('revenue') }),
      ID.card('Orders', F('orders'), { key: 'orders' }),
      ID.card('Spend', F('spend'), { key: 'spend', title: full('spend') }),
      ID.card('ROAS', F('roas'), { key: 'roas', cls: b.roas_met === true ? 'good' : b.roas_met === false ? 'bad' : '', sub: benchSub(b.roas_met, b.roas, (x) => fmt.ratio(x)) }),
      ID.card('ROI', F('roi'), { key: 'roi', cls: b.roi_met === true ? 'good' : b.roi_met === false ? 'bad' : '', sub: benchSub(b.roi_met, b.roi, (x) => fmt.pct(x, 0)) }),
      ID.card('Incremental revenue', F('incremental_revenue'), { key: 'incremental_revenue', title: full('incremental_revenue'), sub: 'method: ' + ID.methodLabel(k.iroas_method) }),
      ID.card('iROAS', F('iroas'), { key: 'iroas', title: inc.basis || null, sub: h('span', null, h('span', { class: 'method', dataset: { method: k.iroas_method || '' } }, 'method: ' + ID.methodLabel(k.iroas_method)), ci ? h('br') : null, ci) }),
      ID.card('Organic revenue', F('organic_revenue'), { key: 'organic_revenue', title: full('organic_revenue') }),
      ID.card('Engagement rate', F('engagement_rate'), { key: 'engagement_rate', sub: fmt.intShort(k.engagements) + ' engagements / ' + fmt.intShort(k.reach) + ' reach' }),
      ID.card('Cost per order', F('cpo'), { key: 'cpo' }),
      ID.card('Average order value', F('aov'), { key: 'aov' }),
      ID.card('Influencers', F('influencers'), { key: 'influencers', sub: fmt.int(k.posts) + ' posts' }));
  }

  /* ---------------- Dashboard ---------------- */
  pages.dashboard = async function (ctx) {
    const t0 = performance.now();
    header(ctx, 'Dashboard');
    const cardsBox = h('div', { class: 'cards-box' }, ID.loading());
    const grid = h('div', { class: 'grid' });
    ctx.el.append(cardsBox, grid);
    ctx.el.dataset.state = 'loading';
    const pInf = get('/api/influencers', ctx);
    const pPay = get('/api/payouts', ctx);
    pInf.catch(() => {}); pPay.catch(() => {});
    const d = await get('/api/dashboard', ctx);
    if (ctx.stale()) return;
    ID.clear(cardsBox).appendChild(kpiCards(d));
    const draws = [];

    /* revenue and ROAS by platform */
    const p1 = charts.panel('Revenue and ROAS by platform');
    grid.appendChild(p1.panel);
    const bp = d.by_platform || [];
    draws.push(charts.draw(p1.box, {
      legend: { top: 0, left: 0 },
      tooltip: charts.axisTooltip({ Revenue: fmt.money, Spend: fmt.money, ROAS: fmt.ratio }),
      xAxis: { type: 'category', data: bp.map((r) => r.platform || '(none)'), axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: [charts.moneyAxis(), { type: 'value', splitLine: { show: false }, axisLabel: { formatter: (v) => v + '×' } }],
      series: [
        { name: 'Revenue', type: 'bar', data: bp.map((r) => r.revenue) },
        { name: 'Spend', type: 'bar', data: bp.map((r) => r.spend) },
        { name: 'ROAS', type: 'line', yAxisIndex: 1, data: bp.map((r) => r.roas), symbolSize: 8 },
      ],
    }));

    /* revenue over time */
    const p2 = charts.panel('Revenue over time (daily)', { wide: true });
    grid.appendChild(p2.panel);
    const daily = d.daily || [];
    draws.push(charts.draw(p2.box, {
      legend: { top: 0, left: 0 },
      tooltip: Object.assign(charts.axisTooltip({ 'Attributed revenue': fmt.money, 'Organic revenue': fmt.money, Orders: fmt.int }), { axisPointer: { type: 'line' } }),
      grid: { left: 12, right: 16, top: 40, bottom: 50, containLabel: true },
      xAxis: { type: 'category', data: daily.map((r) => r.date), boundaryGap: false },
      yAxis: charts.moneyAxis(),
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 8 }],
      series: [
        { name: 'Attributed revenue', type: 'line', showSymbol: false, areaStyle: { opacity: 0.15 }, data: daily.map((r) => r.revenue), sampling: 'lttb' },
        { name: 'Organic revenue', type: 'line', showSymbol: false, data: daily.map((r) => r.organic_revenue), sampling: 'lttb' },
      ],
    }));

    /* top and bottom influencers */
    const top = d.top_influencers || [], bottom = d.bottom_influencers || [];
    const infTip = (list) => charts.itemTooltip((p) => {
      const r = list[p.dataIndex];
      return [r.name || r.influencer_id, r.influencer_id + ' · ' + (r.platform || '—'), 'Revenue ' + fmt.money(r.revenue), 'Spend ' + fmt.money(r.spend), 'ROAS ' + fmt.ratio(r.roas)];
    });
    const p3 = charts.panel('Top influencers by revenue');
    const p4 = charts.panel('Bottom influencers by ROAS');
    grid.append(p3.panel, p4.panel);
    const barOpt = (list, key, f, color) => ({
      tooltip: infTip(list),
      grid: { left: 12, right: 40, top: 36, bottom: 8, containLabel: true },
      xAxis: key === 'roas' ? { type: 'value' } : charts.moneyAxis(),
      yAxis: { type: 'category', inverse: true, data: list.map((r) => r.name || r.influencer_id), axisLabel: { width: 120, overflow: 'truncate' } },
      series: [{ name: key === 'roas' ? 'ROAS' : 'Revenue', type: 'bar', data: list.map((r) => r[key]), itemStyle: { color }, label: { show: true, position: 'right', formatter: (p) => f(p.value) } }],
    });
    draws.push(charts.draw(p3.box, barOpt(top, 'revenue', fmt.moneyShort, '#35a37a')));
    draws.push(charts.draw(p4.box, barOpt(bottom, 'roas', (v) => fmt.ratio(v), '#d9534f')));

    /* persona heat map */
    const p5 = charts.panel('Persona heat map (category × gender)', { wide: true });
    grid.appendChild(p5.panel);
    const metricSel = h('select', { 'aria-label': 'Heat map metric' }, h('option', { value: 'roas' }, 'ROAS'), h('option', { value: 'revenue' }, 'Revenue'));
    p5.controls.append(metricSel);
    const personas = d.personas || [];
    const cats = [...new Set(personas.map((r) => r.category || '(none)'))].sort();
    const gens = [...new Set(personas.map((r) => r.gender || '(none)'))].sort();
    const heat = () => {
      const m = metricSel.value;
      const f = m === 'roas' ? (v) => fmt.ratio(v) : fmt.moneyShort;
      const data = personas.map((r, i) => ({ value: [cats.indexOf(r.category || '(none)'), gens.indexOf(r.gender || '(none)'), r[m] === null ? '-' : r[m]], idx: i }));
      const vals = personas.map((r) => r[m]).filter((v) => typeof v === 'number');
      return charts.draw(p5.box, {
        tooltip: charts.itemTooltip((p) => {
          const r = personas[p.data.idx];
          return [(r.category || '(none)') + ' · ' + (r.gender || '(none)'), 'ROAS ' + fmt.ratio(r.roas), 'Revenue ' + fmt.money(r.revenue), 'Spend ' + fmt.money(r.spend), fmt.int(r.influencers) + ' influencers'];
        }),
        grid: { left: 12, right: 16, top: 36, bottom: 56, containLabel: true },
        xAxis: { type: 'category', data: cats, splitArea: { show: true } },
        yAxis: { type: 'category', data: gens, splitArea: { show: true } },
        visualMap: { min: vals.length ? Math.min(...vals) : 0, max: vals.length ? Math.max(...vals) : 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, formatter: (v) => f(v), inRange: { color: ['#fbe3d6', '#f2a66b', '#35a37a'] } },
        series: [{ name: m === 'roas' ? 'ROAS' : 'Revenue', type: 'heatmap', data, label: { show: true, formatter: (p) => (p.value[2] === '-' ? '—' : f(p.value[2])) } }],
      });
    };
    metricSel.addEventListener('change', heat);
    draws.push(heat());

    /* engagement by platform */
    const p6 = charts.panel('Engagement rate by platform');
    grid.appendChild(p6.panel);
    draws.push(charts.draw(p6.box, {
      tooltip: charts.itemTooltip((p) => { const r = bp[p.dataIndex]; return [r.platform || '(none)', 'Engagement rate ' + fmt.pct(r.engagement_rate), fmt.int(r.engagements) + ' engagements', fmt.int(r.reach) + ' reach', fmt.int(r.posts) + ' posts']; }),
      xAxis: { type: 'category', data: bp.map((r) => r.platform || '(none)'), axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: 'value', axisLabel: { formatter: (v) => fmt.pct(v, 1) } },
      series: [{ name: 'Engagement rate', type: 'bar', data: bp.map((r) => ({ value: r.engagement_rate, itemStyle: { color: charts.PLATFORM_COLORS[r.platform] || '#3b6fd8' } })), label: { show: true, position: 'top', formatter: (p) => fmt.pct(p.value) } }],
    }));

    /* payout status and scatter need the other two documents */
    const p7 = charts.panel('Spend vs revenue per influencer', { wide: true, note: 'Each dot is an influencer; the dashed line is break-even (revenue = spend). Click a legend entry to hide a platform.' });
    const p8 = charts.panel('Payout status');
    grid.append(p7.panel, p8.panel);
    const [inf, pay] = await Promise.all([pInf, pPay]);
    if (ctx.stale()) return;
    const rows = inf.influencers || [];
    const byPlat = new Map();
    for (const r of rows) { const k = r.platform || '(none)'; if (!byPlat.has(k)) byPlat.set(k, []); byPlat.get(k).push(r); }
    let maxS = 0;
    for (const r of rows) maxS = Math.max(maxS, r.spend || 0);
    draws.push(charts.draw(p7.box, {
      legend: { top: 0, left: 0, type: 'scroll', right: 40 },
      tooltip: { trigger: 'item', confine: true, formatter: (p) => {
        if (p.seriesType !== 'scatter') return esc(p.seriesName);
        const r = byPlat.get(p.seriesName)[p.dataIndex];
        return '<b>' + esc(r.name || r.influencer_id) + '</b><br>' + esc(r.influencer_id + ' · ' + (r.platform || '—') + ' · ' + (r.tier || '—')) + '<br>Spend ' + esc(fmt.money(r.spend)) + '<br>Revenue ' + esc(fmt.money(r.revenue)) + '<br>ROAS ' + esc(fmt.ratio(r.roas));
      } },
      grid: { left: 12, right: 24, top: 40, bottom: 24, containLabel: true },
      xAxis: Object.assign(charts.moneyAxis(), { name: 'Spend', nameLocation: 'middle', nameGap: 24 }),
      yAxis: Object.assign(charts.moneyAxis(), { name: 'Revenue' }),
      dataZoom: [{ type: 'inside', xAxisIndex: 0 }, { type: 'inside', yAxisIndex: 0 }],
      series: [...byPlat.entries()].map(([plat, list], i) => ({
        name: plat, type: 'scatter', symbolSize: 7, large: list.length > 2000,
        itemStyle: { color: charts.PLATFORM_COLORS[plat] || charts.PALETTE[i % charts.PALETTE.length], opacity: 0.75 },
        data: list.map((r) => [r.spend, r.revenue]),
        markLine: i === 0 && maxS > 0 ? { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#888' }, label: { show: false }, data: [[{ coord: [0, 0] }, { coord: [maxS, maxS] }]] } : undefined,
      })),
    }));
    const STATUS = PAY_STATUS;
    const SCOL = { paid: '#35a37a', partly_paid: '#d3b23c', pending: '#e0803a', unknown: '#9aa0aa', outside_range: '#7d8fb3' };
    const agg = new Map();
    for (const r of pay.influencers || []) {
      const a = agg.get(r.status) || { n: 0, earned: 0, paid: 0, pending: 0 };
      a.n++; a.earned += r.earned || 0; a.paid += r.paid || 0; a.pending += r.pending || 0;
      agg.set(r.status, a);
    }
    const slices = [...agg.entries()];
    const t = pay.totals || {};
    p8.panel.appendChild(h('p', { class: 'panel-note' }, 'Paid ' + fmt.moneyShort(t.paid) + ' · pending ' + fmt.moneyShort(t.pending) + ' · ' + fmt.int(t.mismatches) + ' mismatches' + (t.not_comparable ? ' · ' + fmt.int(t.not_comparable) + ' ' + NOT_COMPARABLE : '')));
    draws.push(charts.draw(p8.box, {
      legend: { top: 0, left: 0 },
      tooltip: charts.itemTooltip((p) => { const [s, a] = slices[p.dataIndex]; return [STATUS[s] || s, fmt.int(a.n) + ' influencers (' + fmt.ratio(p.percent, 1) + ' %)', 'Earned ' + fmt.money(a.earned), 'Paid ' + fmt.money(a.paid), 'Pending ' + fmt.money(a.pending)]; }),
      series: [{ name: 'Payout status', type: 'pie', radius: ['38%', '68%'], top: 24, data: slices.map(([s, a]) => ({ name: STATUS[s] || s, value: a.n, itemStyle: { color: SCOL[s] } })), label: { formatter: (p) => p.name + ': ' + fmt.int(p.value) } }],
    }));

    await Promise.all(draws);
    if (ctx.stale()) return;
    ID.drawnMs = performance.now() - t0;
    ctx.el.dataset.state = 'drawn';
    ctx.el.dataset.drawnAt = String(Math.round(performance.now()));
  };

  /* ---------------- Influencers ---------------- */
  const infCols = (withLink) => [
    { key: 'name', label: 'Influencer', fmt: (r) => withLink ? h('a', { href: ID.link('/influencers/' + encodeURIComponent(r.influencer_id)) }, r.name || r.influencer_id) : (r.name || r.influencer_id) },
    { key: 'influencer_id', label: 'ID' },
    { key: 'platform', label: 'Platform' },
    { key: 'category', label: 'Category' },
    { key: 'gender', label: 'Gender' },
    { key: 'tier', label: 'Tier' },
    { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
    { key: 'orders', label: 'Orders', num: true, fmt: (r) => fmt.int(r.orders) },
    { key: 'spend', label: 'Spend', num: true, fmt: (r) => fmt.money(r.spend) },
    { key: 'roas', label: 'ROAS', num: true, fmt: (r) => fmt.ratio(r.roas) },
    { key: 'roi', label: 'ROI', num: true, fmt: (r) => fmt.pct(r.roi) },
    { key: 'engagement_rate', label: 'Eng. rate', num: true, fmt: (r) => fmt.pct(r.engagement_rate) },
    { key: 'cpo', label: 'CPO', num: true, fmt: (r) => fmt.money(r.cpo) },
    { key: 'aov', label: 'AOV', num: true, fmt: (r) => fmt.money(r.aov) },
    { key: 'posts', label: 'Posts', num: true, fmt: (r) => fmt.int(r.posts) },
  ];
  let infSearch = '';
  pages.influencers = async function (ctx) {
    header(ctx, 'Influencers');
    const wait = ID.loading();
    ctx.el.appendChild(wait);
    const d = await get('/api/influencers', ctx);
    if (ctx.stale()) return;
    wait.remove();
    const all = d.influencers || [];
    const search = h('input', { type: 'search', id: 'inf-search', placeholder: 'Search name, ID, platform, category, persona…', value: infSearch });
    const count = h('span', { class: 'muted', 'aria-live': 'polite' });
    const filterRows = () => {
      const q = search.value.trim().toLowerCase();
      infSearch = search.value;
      const rows = q ? all.filter((r) => [r.name, r.influencer_id, r.platform, r.category, r.gender, r.tier, r.persona].some((v) => v && String(v).toLowerCase().includes(q))) : all;
      count.textContent = fmt.int(rows.length) + ' of ' + fmt.int(all.length) + ' influencers';
      return rows;
    };
    const table = ID.table(infCols(true), filterRows(), { sortKey: 'revenue', sortDir: 'desc', limit: 200, cls: 'influencers' });
    search.addEventListener('input', () => table.setRows(filterRows()));
    ctx.el.append(h('div', { class: 'toolbar' }, h('label', { for: 'inf-search', class: 'sr-only' }, 'Search influencers'), search, count), table);
  };

  pages.influencer = async function (ctx) {
    const id = ctx.params[0];
    const wait = ID.loading();
    ctx.el.appendChild(wait);
    let d;
    try { d = await get('/api/influencers/' + encodeURIComponent(id), ctx); }
    catch (e) {
      if (e.status === 404) { wait.remove(); header(ctx, 'Influencer not found'); ctx.el.append(h('p', null, 'No influencer with ID ', h('code', null, id), '. ', h('a', { href: ID.link('/influencers') }, 'Back to the list'))); return; }
      throw e;
    }
    if (ctx.stale()) return;
    wait.remove();
    const r = d.influencer;
    header(ctx, r.name || r.influencer_id);
    ctx.el.appendChild(h('p', { class: 'tags' }, h('a', { href: ID.link('/influencers') }, '← All influencers'), ' ', tag(r.influencer_id), tag(r.platform || '—'), tag(r.category || '—'), tag(r.gender || '—'), tag(r.tier || '—'), r.persona ? tag(r.persona) : null));
    if (d.excluded_by_filters) ctx.el.appendChild(h('p', { class: 'notice' }, 'This influencer is outside the current filters, so the figures below are empty.'));
    ctx.el.appendChild(h('div', { class: 'cards' },
      ID.card('Revenue', fmt.moneyShort(r.revenue), { key: 'revenue', title: fmt.money(r.revenue, 2) }),
      ID.card('Orders', fmt.int(r.orders), { key: 'orders' }),
      ID.card('Spend', fmt.moneyShort(r.spend), { key: 'spend', title: fmt.money(r.spend, 2) }),
      ID.card('ROAS', fmt.ratio(r.roas), { key: 'roas' }),
      ID.card('ROI', fmt.pct(r.roi), { key: 'roi' }),
      ID.card('Engagement rate', fmt.pct(r.engagement_rate), { key: 'engagement_rate' }),
      ID.card('CPO', fmt.money(r.cpo), { key: 'cpo' }),
      ID.card('AOV', fmt.money(r.aov), { key: 'aov' }),
      ID.card('Cost per engagement', fmt.money(r.cpe), { key: 'cpe' }),
      ID.card('Posts', fmt.int(r.posts), { key: 'posts', sub: fmt.int(r.reach) + ' reach' })));
    const grid = h('div', { class: 'grid' });
    ctx.el.appendChild(grid);
    const p = charts.panel('Orders over time', { wide: true });
    grid.appendChild(p.panel);
    const daily = d.daily || [];
    charts.draw(p.box, {
      legend: { top: 0, left: 0 },
      tooltip: Object.assign(charts.axisTooltip({ Orders: fmt.int, Revenue: fmt.money }), { axisPointer: { type: 'line' } }),
      grid: { left: 12, right: 16, top: 40, bottom: 50, containLabel: true },
      xAxis: { type: 'category', data: daily.map((x) => x.date) },
      yAxis: [{ type: 'value', name: 'Orders', minInterval: 1 }, Object.assign(charts.moneyAxis(), { splitLine: { show: false } })],
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 8 }],
      series: [{ name: 'Orders', type: 'bar', data: daily.map((x) => x.orders) }, { name: 'Revenue', type: 'line', yAxisIndex: 1, showSymbol: false, data: daily.map((x) => x.revenue) }],
    });
    const pay = d.payout;
    const payBox = h('section', { class: 'panel', 'aria-label': 'Payout' }, h('div', { class: 'panel-head' }, h('h2', null, 'Payout')));
    if (pay) {
      payBox.appendChild(h('dl', { class: 'facts' },
        h('dt', null, 'Basis'), h('dd', null, fmt.text(pay.basis)),
        h('dt', null, 'Earned (terms × activity)'), h('dd', null, fmt.money(pay.earned, 2)),
        h('dt', null, 'Recorded'), h('dd', null, fmt.money(pay.recorded, 2)),
        h('dt', null, 'Difference'), h('dd', { class: pay.mismatch ? 'bad-text' : null, dataset: { check: pay.check } },
          pay.difference === null ? NOT_COMPARABLE + (pay.check_reason ? ': ' + pay.check_reason : '')
            : fmt.money(pay.difference, 2) + (pay.compared_earned !== pay.earned || pay.compared_recorded !== pay.recorded ? ' (recorded ' + fmt.money(pay.compared_recorded, 2) + ' against earned ' + fmt.money(pay.compared_earned, 2) + ' over the same activity)' : '') + (pay.mismatch ? ' — mismatch' : '')),
        h('dt', null, 'Paid'), h('dd', null, fmt.money(pay.paid, 2)),
        h('dt', null, 'Pending'), h('dd', null, fmt.money(pay.pending, 2)),
        h('dt', null, 'Status'), h('dd', null, statusTag(pay.status))));
    } else payBox.appendChild(h('p', { class: 'muted' }, 'No payout recorded.'));
    grid.appendChild(payBox);
    const camps = (d.by_campaign || []).filter((c) => c.campaign !== null && (c.revenue || c.posts || c.orders));
    const campBox = h('section', { class: 'panel', 'aria-label': 'Campaigns' }, h('div', { class: 'panel-head' }, h('h2', null, 'By campaign')),
      ID.table([
        { key: 'campaign', label: 'Campaign' },
        { key: 'revenue', label: 'Revenue', num: true, fmt: (x) => fmt.money(x.revenue) },
        { key: 'orders', label: 'Orders', num: true, fmt: (x) => fmt.int(x.orders) },
        { key: 'posts', label: 'Posts', num: true, fmt: (x) => fmt.int(x.posts) },
        { key: 'engagement_rate', label: 'Eng. rate', num: true, fmt: (x) => fmt.pct(x.engagement_rate) },
      ], camps, { sortKey: 'revenue', empty: 'No campaign activity in the filters.' }));
    grid.appendChild(campBox);
    const posts = (d.posts || []).map((x) => Object.assign({}, x, { engagements: (x.likes || 0) + (x.comments || 0) + (x.shares || 0) + (x.saves || 0) }));
    ctx.el.append(h('h2', null, 'Posts (' + fmt.int(posts.length) + ')'), ID.table([
      { key: 'date', label: 'Date', fmt: (x) => fmt.date(x.date) , sort: (x) => x.date },
      { key: 'platform', label: 'Platform' },
      { key: 'campaign', label: 'Campaign' },
      { key: 'reach', label: 'Reach', num: true, fmt: (x) => fmt.int(x.reach) },
      { key: 'likes', label: 'Likes', num: true, fmt: (x) => fmt.int(x.likes) },
      { key: 'comments', label: 'Comments', num: true, fmt: (x) => fmt.int(x.comments) },
      { key: 'shares', label: 'Shares', num: true, fmt: (x) => fmt.int(x.shares) },
      { key: 'saves', label: 'Saves', num: true, fmt: (x) => fmt.int(x.saves) },
      { key: 'er', label: 'Eng. rate', num: true, sort: (x) => (x.reach ? x.engagements / x.reach : null), fmt: (x) => fmt.pct(x.reach ? x.engagements / x.reach : null) },
    ], posts, { sortKey: 'date', sortDir: 'asc', limit: 200, empty: 'No posts in the filters.' }));
  };

  function statusTag(s) {
    return tag(PAY_STATUS[s] || fmt.text(s), 'status-' + s);
  }

  /* ---------------- Insights ---------------- */
  pages.insights = async function (ctx) {
    header(ctx, 'Insights');
    const wait = ID.loading();
    ctx.el.appendChild(wait);
    const d = await get('/api/insights', ctx);
    if (ctx.stale()) return;
    wait.remove();
    const el = ctx.el;
    el.appendChild(h('section', { class: 'panel wide sentences', 'aria-label': 'Summary' }, h('h2', null, 'In short'), h('ul', null, (d.sentences || []).map((s) => h('li', null, s)))));

    const inc = d.incremental || {};
    const pr = inc.params || {};
    const incBox = h('section', { class: 'panel', 'aria-label': 'Incremental ROAS' }, h('h2', null, 'How incremental ROAS was computed'),
      h('dl', { class: 'facts' },
        h('dt', null, 'Method'), h('dd', { class: 'method', dataset: { method: inc.method || '' } }, ID.methodLabel(inc.method) + (inc.requested && inc.requested !== inc.method ? ' (asked: ' + inc.requested + ')' : '')),
        h('dt', null, 'Basis'), h('dd', null, fmt.text(inc.basis)),
        h('dt', null, 'Incremental revenue'), h('dd', null, fmt.money(inc.incremental_revenue)),
        h('dt', null, 'iROAS'), h('dd', null, fmt.ratio(inc.iroas)),
        inc.interval ? [h('dt', null, Math.round((pr.confidence || 0.95) * 100) + ' % interval'), h('dd', null, fmt.money(inc.interval.low) + ' – ' + fmt.money(inc.interval.high) + ' (iROAS ' + fmt.ratio(inc.interval.iroas_low) + '–' + fmt.ratio(inc.interval.iroas_high) + ')')] : null,
        Object.keys(pr).map((k) => [h('dt', null, k.replace(/_/g, ' ')), h('dd', null, typeof pr[k] === 'number' ? (/revenue/.test(k) ? fmt.money(pr[k]) : k === 'fixed_share' || k === 'confidence' ? fmt.pct(pr[k], 0) : fmt.int(pr[k])) : fmt.text(pr[k]))])));
    const b = d.benchmarks || {};
    const pers = d.personas || {};
    const best = (x, label) => x ? h('p', null, h('strong', null, label + ': '), label === 'Best tier' ? x.tier : (x.category + ' · ' + x.gender), ' — ROAS ' + fmt.ratio(x.roas) + ', revenue ' + fmt.money(x.revenue) + ', ' + fmt.int(x.influencers) + ' influencers') : h('p', { class: 'muted' }, label + ': not enough influencers with spend.');
    const persBox = h('section', { class: 'panel', 'aria-label': 'Best personas' }, h('h2', null, 'Best personas'),
      best(pers.best_category_gender, 'Best category × gender'), best(pers.best_tier, 'Best tier'),
      ID.table([
        { key: 'tier', label: 'Tier' },
        { key: 'influencers', label: 'Influencers', num: true, fmt: (x) => fmt.int(x.influencers) },
        { key: 'revenue', label: 'Revenue', num: true, fmt: (x) => fmt.money(x.revenue) },
        { key: 'spend', label: 'Spend', num: true, fmt: (x) => fmt.money(x.spend) },
        { key: 'roas', label: 'ROAS', num: true, fmt: (x) => fmt.ratio(x.roas) },
      ], pers.tier || [], { sortKey: 'roas' }));
    el.appendChild(h('div', { class: 'grid' }, incBox, persBox));

    el.appendChild(h('h2', null, 'Poor ROI (' + fmt.int(d.poor_roi_count) + ' influencers, ' + fmt.int(d.losing_money_count) + ' losing money)'));
    el.appendChild(h('p', { class: 'muted' }, 'Below the ROAS benchmark of ' + fmt.ratio(b.roas) + ' (ROI benchmark ' + fmt.pct(b.roi, 0) + '). ' + ((d.poor_roi || []).length < d.poor_roi_count ? 'The worst ' + (d.poor_roi || []).length + ' are listed.' : '')));
    el.appendChild(ID.table([
      { key: 'name', label: 'Influencer', fmt: (r) => h('a', { href: ID.link('/influencers/' + encodeURIComponent(r.influencer_id)) }, r.name || r.influencer_id) },
      { key: 'platform', label: 'Platform' },
      { key: 'severity', label: 'Severity', fmt: (r) => tag(r.severity === 'losing_money' ? 'Losing money' : 'Below benchmark', r.severity === 'losing_money' ? 'status-pending' : 'status-partly_paid') },
      { key: 'roas', label: 'ROAS', num: true, fmt: (r) => fmt.ratio(r.roas) },
      { key: 'spend', label: 'Spend', num: true, fmt: (r) => fmt.money(r.spend) },
      { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
      { key: 'reason', label: 'Reason', nosort: true },
      { key: 'diagnosis', label: 'Likely cause', nosort: true },
    ], d.poor_roi || [], { cls: 'poor', limit: 20, empty: 'No influencer below the benchmark.' }));

    const cmp = d.comparisons || {};
    const cmpTable = (key, label, list) => h('section', { class: 'panel', 'aria-label': 'By ' + label }, h('h2', null, 'By ' + label),
      ID.table([
        { key, label: label[0].toUpperCase() + label.slice(1), fmt: (r) => r[key] === null ? '(none)' : r[key] },
        { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
        { key: 'spend', label: 'Spend', num: true, fmt: (r) => fmt.money(r.spend) },
        { key: 'roas', label: 'ROAS', num: true, fmt: (r) => fmt.ratio(r.roas) },
        { key: 'revenue_share', label: 'Share', num: true, fmt: (r) => fmt.pct(r.revenue_share) },
        { key: 'organic_revenue', label: 'Organic', num: true, fmt: (r) => fmt.money(r.organic_revenue) },
      ], list.filter((r) => r[key] !== null || r.revenue || r.spend), { sortKey: 'revenue' }));
    el.appendChild(h('h2', null, 'Comparisons'));
    if (cmp.best_platform || cmp.worst_platform) el.appendChild(h('p', null, 'Best platform by ROAS: ', h('strong', null, fmt.text(cmp.best_platform)), '; worst: ', h('strong', null, fmt.text(cmp.worst_platform)), '.'));
    el.appendChild(h('div', { class: 'grid' }, cmpTable('platform', 'platform', cmp.platform || []), cmpTable('brand', 'brand', cmp.brand || []), cmpTable('campaign', 'campaign', cmp.campaign || [])));

    const short = infCols(true).filter((c) => ['name', 'platform', 'revenue', 'spend', 'roas'].includes(c.key));
    el.appendChild(h('div', { class: 'grid' },
      h('section', { class: 'panel', 'aria-label': 'Top influencers' }, h('h2', null, 'Top influencers'), ID.table(short, d.top_influencers || [], { nosort: true })),
      h('section', { class: 'panel', 'aria-label': 'Bottom influencers' }, h('h2', null, 'Bottom influencers'), ID.table(short, d.bottom_influencers || [], { nosort: true }))));
  };

  /* ---------------- Payouts ---------------- */
  pages.payouts = async function (ctx) {
    header(ctx, 'Payouts', 'Earned under the payout terms for the filtered activity, against what was recorded for the same activity.');
    const wait = ID.loading();
    ctx.el.appendChild(wait);
    const d = await get('/api/payouts', ctx);
    if (ctx.stale()) return;
    wait.remove();
    const t = d.totals || {};
    ctx.el.appendChild(h('div', { class: 'cards' },
      ID.card('Earned', fmt.moneyShort(t.earned), { key: 'earned', title: fmt.money(t.earned, 2) }),
      ID.card('Recorded', fmt.moneyShort(t.recorded), { key: 'recorded', title: fmt.money(t.recorded, 2) }),
      ID.card('Paid', fmt.moneyShort(t.paid), { key: 'paid', title: fmt.money(t.paid, 2) }),
      ID.card('Pending', fmt.moneyShort(t.pending), { key: 'pending', title: fmt.money(t.pending, 2) }),
      ID.card('Mismatches', fmt.int(t.mismatches), { key: 'mismatches', cls: t.mismatches ? 'bad' : 'good', sub: 'difference over ' + fmt.money(d.tolerance, 2) + ' over the same activity' }),
      ID.card('Not comparable', fmt.int(t.not_comparable), { key: 'not_comparable', sub: 'in this range: the Check column says why' }),
      ID.card('Influencers', fmt.int(t.influencers), { key: 'influencers' })));
    const rows = d.influencers || [];
    const p = charts.panel('Payout status', { wide: true });
    ctx.el.appendChild(h('div', { class: 'grid' }, p.panel));
    const L = PAY_STATUS;
    const st = [...new Set(rows.map((r) => r.status))];
    const sum = (s, k) => rows.reduce((a, r) => a + (r.status === s ? r[k] || 0 : 0), 0);
    charts.draw(p.box, {
      legend: { top: 0, left: 0 },
      tooltip: charts.axisTooltip({ Paid: fmt.money, Pending: fmt.money, Influencers: fmt.int }),
      xAxis: { type: 'category', data: st.map((s) => L[s] || s) },
      yAxis: [charts.moneyAxis(), { type: 'value', name: 'Influencers', splitLine: { show: false }, minInterval: 1 }],
      series: [
        { name: 'Paid', type: 'bar', stack: 'amt', data: st.map((s) => sum(s, 'paid')), itemStyle: { color: '#35a37a' } },
        { name: 'Pending', type: 'bar', stack: 'amt', data: st.map((s) => sum(s, 'pending')), itemStyle: { color: '#e0803a' } },
        { name: 'Influencers', type: 'line', yAxisIndex: 1, data: st.map((s) => rows.filter((r) => r.status === s).length), symbolSize: 8 },
      ],
    });
    const statusSel = h('select', { id: 'pay-status' }, h('option', { value: '' }, 'All statuses'), st.map((s) => h('option', { value: s }, L[s] || s)));
    const mm = h('input', { type: 'checkbox', id: 'pay-mm' });
    const search = h('input', { type: 'search', id: 'pay-search', placeholder: 'Search name or ID…' });
    const pick = () => {
      const q = search.value.trim().toLowerCase();
      return rows.filter((r) => (!statusSel.value || r.status === statusSel.value) && (!mm.checked || r.mismatch) && (!q || (r.name || '').toLowerCase().includes(q) || r.influencer_id.toLowerCase().includes(q)));
    };
    const table = ID.table([
      { key: 'name', label: 'Influencer', fmt: (r) => h('a', { href: ID.link('/influencers/' + encodeURIComponent(r.influencer_id)) }, r.name || r.influencer_id) },
      { key: 'platform', label: 'Platform' },
      { key: 'basis', label: 'Basis' },
      { key: 'earned', label: 'Earned', num: true, fmt: (r) => fmt.money(r.earned, 2) },
      { key: 'recorded', label: 'Recorded', num: true, fmt: (r) => fmt.money(r.recorded, 2) },
      { key: 'difference', label: 'Difference', num: true, fmt: (r) => (r.difference === null ? h('span', { class: 'muted' }, '—') : fmt.money(r.difference, 2)) },
      { key: 'check', label: 'Check', sort: (r) => ({ mismatch: 2, not_comparable: 1 }[r.check] || 0), fmt: payCheck },
      { key: 'paid', label: 'Paid', num: true, fmt: (r) => fmt.money(r.paid, 2) },
      { key: 'pending', label: 'Pending', num: true, fmt: (r) => fmt.money(r.pending, 2) },
      { key: 'status', label: 'Status', fmt: (r) => statusTag(r.status) },
    ], pick(), { sortKey: 'earned', limit: 200, rowClass: (r) => (r.mismatch ? 'row-bad' : null) });
    const upd = () => table.setRows(pick());
    statusSel.addEventListener('change', upd); mm.addEventListener('change', upd); search.addEventListener('input', upd);
    ctx.el.append(h('div', { class: 'toolbar' },
      h('label', { for: 'pay-search', class: 'sr-only' }, 'Search payouts'), search,
      h('label', { for: 'pay-status' }, 'Status '), statusSel,
      h('label', { class: 'check' }, mm, ' Mismatches only')), table);
  };

  /* ---------------- Export ---------------- */
  ID.DATASETS = [['influencers', 'Influencers'], ['posts', 'Posts'], ['tracking_data', 'Tracking data'], ['payouts', 'Payouts']];
  pages.export = async function (ctx) {
    header(ctx, 'Export');
    const el = ctx.el;
    el.appendChild(h('section', { class: 'panel wide', 'aria-label': 'Datasets' }, h('h2', null, 'Stored datasets (CSV)'),
      h('p', { class: 'muted' }, 'The rows as stored, in canonical columns plus the kept extra columns — what was imported comes back out. Filters do not apply.'),
      h('ul', { class: 'downloads' }, ID.DATASETS.map(([k, label]) => h('li', null, h('a', { href: ID.wsPath('/api/datasets/' + k + '.csv'), download: k + '.csv', class: 'button' }, '⬇ ' + label + ' (' + k + '.csv)'))))));
    const active = ID.describeFilters(ctx.filters);
    const report = (ext, label) => h('li', null, h('a', { href: ID.withFilters('/api/export.' + ext, ctx.filters), class: 'button primary', id: 'export-' + ext }, '⬇ ' + label));
    el.appendChild(h('section', { class: 'panel wide', 'aria-label': 'Reports' }, h('h2', null, 'Reports of the filtered data'),
      h('p', null, active.length ? 'With the filters: ' + active.join(' · ') : 'No filter set: all data.'),
      h('p', { class: 'muted' }, 'Each report states its filters and when it was made; the file name carries the report and the time.'),
      h('ul', { class: 'downloads' },
        report('pdf', 'PDF report (KPIs, charts, top and bottom influencers, payouts, insights)'),
        report('xlsx', 'Excel workbook (Summary, Influencers, Platforms, Personas, Daily, Payouts)'),
        report('csv', 'Influencer metrics (CSV)'))));
    el.appendChild(h('section', { class: 'panel wide', 'aria-label': 'Filtered rows' }, h('h2', null, 'Filtered rows of each dataset (CSV)'),
      h('p', { class: 'muted' }, 'The stored rows the filters cover, in the same columns as above.'),
      h('ul', { class: 'downloads' }, ID.DATASETS.map(([k, label]) => h('li', null, h('a', { href: ID.withFilters('/api/datasets/' + k + '.csv', ctx.filters), class: 'button', id: 'export-rows-' + k }, '⬇ ' + label + ' (filtered)'))))));
  };

  /* ---------------- Database ---------------- */
  pages.database = async function (ctx) {
    header(ctx, 'Database');
    const wait = ID.loading();
    ctx.el.appendChild(wait);
    const s = await ID.refreshStatus();
    if (ctx.stale()) return;
    wait.remove();
    if (!s) throw new Error('the status is unavailable');
    const el = ctx.el;
    if (ID.flash) { el.appendChild(ID.flash); ID.flash = null; }
    el.appendChild(h('p', null, 'Backend: ', h('strong', null, fmt.text(s.backend)), ' · ', fmt.text(s.database), ' · schema ', fmt.text(s.schema_version), ' · version ', fmt.text(s.version)));
    const mayDelete = ID.can('delete');
    const lastOf = (ds) => (s.imports || []).find((i) => i.dataset === ds);
    const out = h('div', { class: 'db-outcome', 'aria-live': 'polite' });
    const tbody = h('tbody');
    for (const [k, label] of ID.DATASETS) {
      const li = lastOf(k);
      const file = h('input', { type: 'file', accept: '.csv,.tsv,.txt,.json,.jsonl,.ndjson,text/csv', hidden: true, 'aria-label': 'File to replace ' + label });
      file.addEventListener('change', async () => {
        const f = file.files[0];
        file.value = '';
        if (!f) return;
        const ok = await ID.confirm('Replace ' + label + '?', 'Every stored row of ' + label + ' (' + fmt.int(s.counts[k]) + ' rows) is replaced by the rows of "' + f.name + '". This cannot be undone.', 'Replace');
        if (!ok) return;
        ID.clear(out);
        ID.uploadInto(out, f, { dataset: k, mode: 'replace' });
      });
      const del = h('button', { type: 'button', class: 'danger', 'data-delete': k }, 'Delete…');
      del.addEventListener('click', async () => {
        const ok = await ID.confirm('Delete ' + label + '?', 'All ' + fmt.int(s.counts[k]) + ' rows of ' + label + ' are deleted. This cannot be undone.', 'Delete');
        if (!ok) return;
        ID.clear(out).appendChild(ID.loading('Deleting…'));
        try {
          const r = await ID.api('/api/datasets/' + k, { method: 'DELETE' });
          await ID.dataChanged(false);
          pages.database.refresh(h('p', { class: 'success', role: 'status' }, 'Deleted ' + fmt.int(r.deleted) + ' rows of ' + label + '.'));
        } catch (e) { ID.clear(out).appendChild(ID.errorBox(e)); }
      });
      tbody.appendChild(h('tr', null,
        h('th', { scope: 'row' }, label),
        h('td', { class: 'num' }, fmt.int(s.counts[k])),
        h('td', null, li ? fmt.dateTime(li.finished_at || li.started_at) + ' · ' + li.mode + ' · ' + fmt.int(li.accepted) + ' rows' : '—'),
        h('td', { class: 'actions' },
          h('a', { href: ID.wsPath('/api/datasets/' + k + '.csv'), download: k + '.csv', class: 'button' }, 'Download CSV'),
          mayDelete ? [h('button', { type: 'button', onclick: () => file.click() }, 'Replace…'), file, del] : null)));
    }
    el.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
      h('caption', null, 'Datasets'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Dataset'), h('th', { scope: 'col', class: 'num' }, 'Rows'), h('th', { scope: 'col' }, 'Last import'), h('th', { scope: 'col' }, 'Actions'))), tbody)));
    el.appendChild(out);

    const rowsIn = h('input', { type: 'number', id: 'demo-rows', min: 100, step: 1000, value: '50000' });
    const demoBtn = h('button', { type: 'button', id: 'demo-load' }, 'Load sample data…');
    const demoOut = h('div', { 'aria-live': 'polite' });
    demoBtn.addEventListener('click', async () => {
      const n = parseInt(rowsIn.value, 10) || 50000;
      const ok = await ID.confirm('Load sample data?', 'Generated sample data (' + fmt.int(n) + ' tracking rows) replaces every dataset.', 'Load sample data');
      if (!ok) return;
      demoBtn.disabled = true;
      ID.clear(demoOut).appendChild(ID.loading('Generating sample data…'));
      try {
        await ID.api('/api/demo?rows=' + n, { method: 'POST' });
        await ID.dataChanged(false);
        pages.database.refresh(h('p', { class: 'success', role: 'status' }, 'Sample data loaded (' + fmt.int(n) + ' tracking rows).'));
      } catch (e) { ID.clear(demoOut).appendChild(ID.errorBox(e)); }
      demoBtn.disabled = false;
    });
    if (mayDelete) el.appendChild(h('section', { class: 'panel wide', 'aria-label': 'Sample data' }, h('h2', null, 'Sample data'),
      h('div', { class: 'toolbar' }, h('label', { for: 'demo-rows' }, 'Tracking rows'), rowsIn, demoBtn), demoOut));
    else el.appendChild(h('p', { class: 'muted role-note' }, 'Your role (' + (ID.session && ID.session.user ? ID.session.user.role : 'current') + ') cannot replace or delete data or load sample data.'));

    el.appendChild(h('h2', null, 'Import history'));
    el.appendChild(ID.table([
      { key: 'finished_at', label: 'Finished', fmt: (r) => fmt.dateTime(r.finished_at || r.started_at) },
      { key: 'dataset', label: 'Dataset' },
      { key: 'file', label: 'File' },
      { key: 'mode', label: 'Mode' },
      { key: 'accepted', label: 'Accepted', num: true, fmt: (r) => fmt.int(r.accepted) },
      { key: 'rejected', label: 'Rejected', num: true, fmt: (r) => fmt.int(r.rejected) },
    ], s.imports || [], { sortKey: 'finished_at', sortDir: 'desc', limit: 50, empty: 'No import yet.' }));

    const auditBox = h('section', { class: 'audit-section', id: 'audit', 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'Audit log'), ID.loading());
    el.appendChild(auditBox);
    let usersBox = null;
    if (ID.can('admin')) {
      usersBox = h('section', { class: 'users-section', id: 'users', 'aria-labelledby': 'users-h' }, h('h2', { id: 'users-h' }, 'Users'), ID.loading());
      el.appendChild(usersBox);
    }
    await Promise.all([auditSection(auditBox, ctx), usersBox ? usersSection(usersBox, ctx) : null]);
  };

  /* The latest audit entries of the workspace (GET /api/audit), and the CSV download. */
  async function auditSection(box, ctx) {
    let d;
    try { d = await ID.api('/api/audit?limit=50', { signal: ctx.signal }); }
    catch (e) {
      if (ctx.stale() || (e && e.name === 'AbortError')) return;
      box.lastChild.remove();
      box.appendChild(e.status === 404 ? h('p', { class: 'muted', id: 'audit-unavailable' }, 'Audit log unavailable (this server does not keep one).') : ID.errorBox(e, () => { ID.clear(box).append(h('h2', { id: 'audit-h' }, 'Audit log'), ID.loading()); auditSection(box, ctx); }));
      return;
    }
    if (ctx.stale()) return;
    box.lastChild.remove();
    const text = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    box.append(
      h('p', { class: 'toolbar' }, h('span', { class: 'muted' }, 'Newest first: imports, deletions, sample data' + (ID.can('admin') ? ', user and workspace changes.' : '.')), ' ',
        h('a', { href: ID.wsPath('/api/audit.csv'), download: 'audit.csv', class: 'button', id: 'audit-csv' }, 'Download CSV')),
      ID.table([
        { key: 'at', label: 'Time', fmt: (r) => fmt.dateTime(r.at) },
        { key: 'actor', label: 'Actor', fmt: (r) => text(r.actor) },
        { key: 'action', label: 'Action', fmt: (r) => text(r.action) },
        { key: 'target', label: 'Target', fmt: (r) => text(r.target) },
        { key: 'detail', label: 'Detail', nosort: true, fmt: (r) => text(r.detail) },
      ], (d && d.entries) || [], { sortKey: 'at', sortDir: 'desc', cls: 'audit', empty: 'Nothing recorded yet.' }));
  }

  /* Admins: the users (GET /api/users), add one, change a role, delete one. */
  const ROLES = ['viewer', 'analyst', 'admin'];
  async function usersSection(box, ctx, flash) {
    const title = h('h2', { id: 'users-h' }, 'Users');
    const redraw = (node) => usersSection(box, ctx, node);
    let d;
    try { d = await ID.api('/api/users', { signal: ctx.signal }); }
    catch (e) {
      if (ctx.stale() || (e && e.name === 'AbortError')) return;
      ID.clear(box).append(title, e.status === 404 ? h('p', { class: 'muted' }, 'User management is unavailable on this server.') : ID.errorBox(e, () => redraw()));
      return;
    }
    if (ctx.stale()) return;
    const msg = h('div', { class: 'users-outcome', 'aria-live': 'polite' }, flash || null);
    const users = (d && d.users) || [];
    const say = (node) => ID.clear(msg).appendChild(node);
    const ok = (text) => h('p', { class: 'success', role: 'status' }, text);
    const me = ID.session && ID.session.user ? ID.session.user.name : null;
    const form = (fields) => { const p = new URLSearchParams(); for (const k in fields) p.set(k, fields[k]); return p; };
    /* a change, then the list again with its outcome (an error too: the controls come back) */
    const act = async (fn, done) => {
      let node;
      try { await fn(); node = ok(done); }
      catch (e) { if (e && e.name === 'AbortError') return; node = ID.errorBox(e); }
      if (!ctx.stale()) await redraw(node);
    };

    const table = ID.table([
      { key: 'name', label: 'Name', fmt: (u) => text0(u.name) + (u.name === me ? ' (you)' : '') },
      { key: 'role', label: 'Role', fmt: (u) => {
        const sel = h('select', { 'aria-label': 'Role of ' + u.name, dataset: { userRole: u.name } }, ROLES.map((r) => h('option', { value: r, selected: r === u.role }, r)));
        sel.addEventListener('change', async () => {
          const role = sel.value;
          const yes = await ID.confirm('Change the role of ' + u.name + '?', u.name + ' becomes ' + role + '.', 'Change role');
          if (!yes) { sel.value = u.role; return; }
          sel.disabled = true;
          await act(() => ID.api('/api/users/' + encodeURIComponent(u.name), { method: 'POST', body: form({ role }) }), u.name + ' is now ' + role + '.');
        });
        return sel;
      } },
      { key: 'workspaces', label: 'Workspaces', sort: (u) => (u.workspaces || []).join(','), fmt: (u) => (u.workspaces || []).join(', ') || '—' },
      { key: 'created_at', label: 'Created', fmt: (u) => fmt.dateTime(u.created_at) },
      { key: 'actions', label: 'Actions', nosort: true, fmt: (u) => {
        const del = h('button', { type: 'button', class: 'danger', dataset: { deleteUser: u.name } }, 'Delete…');
        del.addEventListener('click', async () => {
          const yes = await ID.confirm('Delete user ' + u.name + '?', u.name + ' can no longer sign in.' + (u.name === me ? ' That is you: your session ends.' : ''), 'Delete user');
          if (!yes) return;
          del.disabled = true;
          await act(() => ID.api('/api/users/' + encodeURIComponent(u.name), { method: 'DELETE' }), 'Deleted ' + u.name + '.');
        });
        return del;
      } },
    ], users, { sortKey: 'name', sortDir: 'asc', cls: 'users', empty: 'No user yet: the server is in open mode.' });

    /* add a user */
    const name = h('input', { type: 'text', id: 'user-name', name: 'name', required: true, maxlength: 64, pattern: '[A-Za-z0-9._@\\-]{1,64}', autocomplete: 'off' });
    const role = h('select', { id: 'user-role', name: 'role' }, ROLES.map((r) => h('option', { value: r }, r)));
    const pw = h('input', { type: 'password', id: 'user-password', name: 'password', required: true, minlength: 8, autocomplete: 'new-password' });
    const cur = ID.currentWs();
    const wss = (ID.session && ID.session.workspaces) || [];
    const wsBoxes = wss.map((w) => h('input', { type: 'checkbox', value: w.slug, checked: w.slug === cur || wss.length === 1 }));
    const wsField = wss.length
      ? h('fieldset', null, h('legend', null, 'Workspaces'), wsBoxes.map((cb) => h('label', null, cb, cb.value)))
      : h('label', null, 'Workspaces (comma list)', h('input', { type: 'text', id: 'user-workspaces', value: cur || 'default' }));
    const add = h('button', { type: 'submit', class: 'primary', id: 'user-add' }, 'Add user');
    const f = h('form', { class: 'user-form', id: 'user-form' },
      h('label', null, 'Name', name), h('label', null, 'Role', role), h('label', null, 'Password (8+ characters)', pw), wsField, add);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!f.reportValidity()) return;
      const list = wss.length ? wsBoxes.filter((cb) => cb.checked).map((cb) => cb.value) : f.querySelector('#user-workspaces').value.split(',').map((x) => x.trim()).filter(Boolean);
      if (!list.length) { say(ID.errorBox(new Error('choose at least one workspace'))); return; }
      add.disabled = true;
      const n = name.value.trim();
      try { await ID.api('/api/users', { method: 'POST', body: form({ name: n, role: role.value, password: pw.value, workspaces: list.join(',') }) }); }
      catch (err) {
        /* keep what was typed; say why */
        add.disabled = false;
        if (!(err && err.name === 'AbortError')) say(ID.errorBox(err));
        return;
      }
      if (!ctx.stale()) await redraw(ok('Added ' + n + ' (' + role.value + ').'));
    });
    ID.clear(box).append(title, table, h('h3', null, 'Add a user'), f, msg);
  }
  const text0 = (v) => (v === null || v === undefined ? '' : String(v));
  /* Redraws the Database page (after a change) with the outcome message on top. */
  pages.database.refresh = function (msg) {
    if (location.pathname !== '/database') return;
    ID.flash = msg || null;
    ID.reroute();
  };
})();
