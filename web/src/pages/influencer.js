/* pages/influencer.js — one influencer (/influencers/{id}): its tags and cards, orders and
 * revenue over time, the payout (earned under the terms against recorded), its campaigns and
 * its posts. */
import * as charts from '../charts.js';
import { card, h, loading } from '../dom.js';
import { explainable } from '../explain.js';
import { dateRange, fmt } from '../format.js';
import { basisKey, term } from '../glossary.js';
import { link } from '../state.js';
import { table } from '../table.js';
import { NOT_COMPARABLE, STATUS_LABEL, get, header, statusTag, tag } from './common.js';
import { setFilters } from '../sidebar.js';
import { complianceSection } from './compliance.js';

export async function influencer(ctx) {
  const id = ctx.params[0];
  const wait = loading();
  ctx.el.appendChild(wait);
  let d;
  try {
    d = await get('/api/influencers/' + encodeURIComponent(id), ctx);
  } catch (e) {
    if (e.status === 404) {
      wait.remove();
      header(ctx, 'Influencer not found');
      ctx.el.append(
        h(
          'p',
          null,
          'No influencer with ID ',
          h('code', null, id),
          '. ',
          h('a', { href: link('/influencers') }, 'Back to the list'),
        ),
      );
      return;
    }
    throw e;
  }
  if (ctx.stale()) return;
  wait.remove();
  const r = d.influencer;
  header(ctx, r.name || r.influencer_id);
  ctx.el.appendChild(
    h(
      'p',
      { class: 'tags' },
      h('a', { href: link('/influencers') }, '← All influencers'),
      ' ',
      tag(r.influencer_id),
      tag(r.platform || '—'),
      tag(r.category || '—'),
      tag(r.gender || '—'),
      tag(r.tier || '—'),
      r.persona ? tag(r.persona) : null,
    ),
  );
  if (d.excluded_by_filters)
    ctx.el.appendChild(
      h('p', { class: 'notice' }, 'This influencer is outside the current filters, so the figures below are empty.'),
    );
  const cards = ctx.el.appendChild(
    h(
      'div',
      { class: 'cards' },
      card('Revenue', fmt.moneyShort(r.revenue), { key: 'revenue', title: fmt.money(r.revenue, 2) }),
      card('Orders', fmt.int(r.orders), { key: 'orders' }),
      card('Spend', fmt.moneyShort(r.spend), { key: 'spend', title: fmt.money(r.spend, 2) }),
      card(term('roas'), fmt.ratio(r.roas), { key: 'roas' }),
      card(term('roi'), fmt.pct(r.roi), { key: 'roi' }),
      card(term('engagement_rate'), fmt.rate(r.engagement_rate), {
        key: 'engagement_rate',
        sub: 'by reach (the default)',
      }),
      card('Engagement rate by followers', fmt.rate(r.engagement_rate_followers), {
        key: 'engagement_rate_followers',
        sub:
          r.followers === null || r.followers === undefined
            ? 'no follower count'
            : fmt.int(r.followers) + ' followers, once per post',
      }),
      card('Engagement rate by views', fmt.rate(r.engagement_rate_views), { key: 'engagement_rate_views' }),
      card(term('cpo'), fmt.unit(r.cpo), { key: 'cpo' }),
      card(term('aov'), fmt.unit(r.aov), { key: 'aov' }),
      card(term('cpe', 'Cost per engagement (CPE)'), fmt.unit(r.cpe), { key: 'cpe' }),
      card('Posts', fmt.int(r.posts), { key: 'posts', sub: fmt.int(r.reach) + ' reach' }),
    ),
  );
  /* each card explains its figure: the dashboard's KPI under the page's filters, narrowed to
   * this influencer (as the page's figures are) */
  const one = { ...ctx.filters, influencer: [r.influencer_id] };
  for (const c of cards.querySelectorAll('.card[data-kpi]')) explainable(c, c.dataset.kpi, one);
  const grid = h('div', { class: 'grid' });
  ctx.el.appendChild(grid);
  const p = charts.panel('Orders over time', { wide: true });
  grid.appendChild(p.panel);
  const daily = d.daily || [];
  charts.draw(
    p.box,
    {
      legend: { top: 0, left: 0 },
      tooltip: Object.assign(charts.axisTooltip({ Orders: fmt.int, Revenue: fmt.money }, fmt.date), {
        axisPointer: { type: 'line' },
      }),
      grid: { left: 12, right: 16, top: 40, bottom: 50, containLabel: true },
      xAxis: charts.dateAxis(daily.map((x) => x.date)),
      yAxis: [
        { type: 'value', name: 'Orders', minInterval: 1 },
        Object.assign(charts.moneyAxis(daily.map((x) => x.revenue)), { splitLine: { show: false } }),
      ],
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 8 }],
      series: [
        { name: 'Orders', type: 'bar', data: daily.map((x) => x.orders) },
        { name: 'Revenue', type: 'line', yAxisIndex: 1, showSymbol: false, data: daily.map((x) => x.revenue) },
      ],
    },
    {
      table: charts.categoryTable(
        'Date',
        daily.map((x) => x.date),
        [
          { name: 'Orders', data: daily.map((x) => x.orders), fmt: fmt.int },
          { name: 'Revenue', data: daily.map((x) => x.revenue), fmt: fmt.money },
        ],
        { catFmt: fmt.date, limit: 31 },
      ),
    },
  );
  const pay = d.payout;
  const payBox = h(
    'section',
    { class: 'panel', 'aria-label': 'Payout' },
    h('div', { class: 'panel-head' }, h('h2', null, 'Payout')),
  );
  if (pay) {
    payBox.appendChild(
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, term('basis', 'Basis')),
        h('dd', null, basisKey(pay.basis) ? term(basisKey(pay.basis), pay.basis) : fmt.text(pay.basis)),
        h('dt', null, 'Earned (terms × activity)'),
        h('dd', null, fmt.money(pay.earned, 2)),
        h('dt', null, 'Recorded'),
        h('dd', null, fmt.money(pay.recorded, 2)),
        h('dt', null, 'Difference'),
        h(
          'dd',
          { class: pay.mismatch ? 'bad-text' : null, dataset: { check: pay.check } },
          pay.difference === null
            ? NOT_COMPARABLE + (pay.check_reason ? ': ' + fmt.datesIn(pay.check_reason) : '')
            : fmt.money(pay.difference, 2) +
                (pay.compared_earned !== pay.earned || pay.compared_recorded !== pay.recorded
                  ? ' (recorded ' +
                    fmt.money(pay.compared_recorded, 2) +
                    ' against earned ' +
                    fmt.money(pay.compared_earned, 2) +
                    ' over the same activity)'
                  : '') +
                (pay.mismatch ? ' — mismatch' : ''),
        ),
        h('dt', null, 'Paid'),
        h('dd', null, fmt.money(pay.paid, 2)),
        h('dt', null, 'Pending'),
        h('dd', null, fmt.money(pay.pending, 2)),
        h('dt', null, 'Status'),
        h('dd', null, statusTag(pay.status)),
      ),
    );
  } else if (ctx.filters.from || ctx.filters.to) {
    /* nothing in the range: say whether the influencer has payouts on other dates */
    const none = h('p', { class: 'muted', id: 'payout-none' }, 'Looking for payouts on other dates…');
    payBox.appendChild(none);
    get(
      '/api/influencers/' + encodeURIComponent(id),
      Object.assign({}, ctx, { filters: Object.assign({}, ctx.filters, { from: '', to: '' }) }),
    )
      .then((all) => {
        if (ctx.stale()) return;
        const p = all.payout;
        none.textContent = p
          ? 'No payout in ' +
            dateRange(ctx.filters.from, ctx.filters.to) +
            '. Over all dates: earned ' +
            fmt.money(p.earned, 2) +
            ', recorded ' +
            fmt.money(p.recorded, 2) +
            ' in ' +
            fmt.int(p.payout_rows) +
            (p.payout_rows === 1 ? ' payout row' : ' payout rows') +
            ' (' +
            (STATUS_LABEL[p.status] || p.status) +
            ').'
          : 'No payout recorded.';
        if (p)
          payBox.appendChild(
            h(
              'p',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: 'linkish',
                  id: 'payout-all-dates',
                  onclick: () => setFilters(Object.assign({}, ctx.filters, { from: '', to: '' })),
                },
                'Show all dates',
              ),
            ),
          );
      })
      .catch((e) => {
        if (!ctx.stale() && !(e && e.name === 'AbortError')) none.textContent = 'No payout in this range.';
      });
  } else payBox.appendChild(h('p', { class: 'muted', id: 'payout-none' }, 'No payout recorded.'));
  grid.appendChild(payBox);
  const camps = (d.by_campaign || []).filter((c) => c.campaign !== null && (c.revenue || c.posts || c.orders));
  const campBox = h(
    'section',
    { class: 'panel', 'aria-label': 'Campaigns' },
    h('div', { class: 'panel-head' }, h('h2', null, 'By campaign')),
    table(
      [
        { key: 'campaign', label: 'Campaign' },
        { key: 'revenue', label: 'Revenue', num: true, fmt: (x) => fmt.money(x.revenue) },
        { key: 'orders', label: 'Orders', num: true, fmt: (x) => fmt.int(x.orders) },
        /* spend and its ratios: null ("—") where the engine gives no figure */
        { key: 'spend', label: 'Spend', num: true, fmt: (x) => fmt.money(x.spend) },
        { key: 'roas', label: 'ROAS', help: 'roas', num: true, fmt: (x) => fmt.ratio(x.roas) },
        { key: 'roi', label: 'ROI', help: 'roi', num: true, fmt: (x) => fmt.pct(x.roi, 0) },
        { key: 'posts', label: 'Posts', num: true, fmt: (x) => fmt.int(x.posts) },
        {
          key: 'engagement_rate',
          label: 'Eng. rate',
          help: 'engagement_rate',
          num: true,
          fmt: (x) => fmt.rate(x.engagement_rate),
        },
      ],
      camps,
      { sortKey: 'revenue', cls: 'campaigns', empty: 'No campaign activity in the filters.' },
    ),
  );
  grid.appendChild(campBox);
  const posts = (d.posts || []).map((x) =>
    Object.assign({}, x, { engagements: (x.likes || 0) + (x.comments || 0) + (x.shares || 0) + (x.saves || 0) }),
  );
  const er = (x) => (x.reach ? x.engagements / x.reach : null);
  ctx.el.append(
    h('h2', null, 'Posts (' + fmt.int(posts.length) + ')'),
    table(
      [
        { key: 'date', label: 'Date', fmt: (x) => fmt.date(x.date), sort: (x) => x.date },
        { key: 'platform', label: 'Platform' },
        { key: 'campaign', label: 'Campaign' },
        { key: 'reach', label: 'Reach', num: true, fmt: (x) => fmt.int(x.reach) },
        { key: 'likes', label: 'Likes', num: true, fmt: (x) => fmt.int(x.likes) },
        { key: 'comments', label: 'Comments', num: true, fmt: (x) => fmt.int(x.comments) },
        { key: 'shares', label: 'Shares', num: true, fmt: (x) => fmt.int(x.shares) },
        { key: 'saves', label: 'Saves', num: true, fmt: (x) => fmt.int(x.saves) },
        { key: 'er', label: 'Eng. rate', help: 'engagement_rate', num: true, sort: er, fmt: (x) => fmt.rate(er(x)) },
      ],
      posts,
      { sortKey: 'date', sortDir: 'asc', limit: 200, empty: 'No posts in the filters.' },
    ),
  );
  await complianceSection(ctx, id);
}
