/* pages/insights.js — Insights (/insights): the summary sentences, how incremental ROAS was
 * computed, the best personas, the influencers with poor ROI and why, comparisons by
 * platform, brand and campaign (revenue, spend, ROAS and ROI, sortable by each), the top and
 * bottom influencers. With compare= in the URL (the Dashboard's "Compare with previous
 * period") the first sentence compares with that period. */
import { complianceSection } from './compliance.js';
import { h, loading } from '../dom.js';
import { fmt } from '../format.js';
import { term } from '../glossary.js';
import { table } from '../table.js';
import { get, header, infCols, influencerLink, methodLabel, noData, tag } from './common.js';

export async function insights(ctx) {
  header(ctx, 'Insights');
  const wait = loading();
  ctx.el.appendChild(wait);
  const d = await get('/api/insights', ctx);
  if (ctx.stale()) return;
  wait.remove();
  const el = ctx.el;
  if (!(d.sentences || []).length && !(d.top_influencers || []).length && !(d.bottom_influencers || []).length) {
    el.appendChild(noData(ctx));
    return;
  }
  el.appendChild(
    h(
      'section',
      { class: 'panel wide sentences', 'aria-label': 'Summary' },
      h('h2', null, 'In short'),
      h(
        'ul',
        null,
        (d.sentences || []).map((s) => h('li', null, fmt.datesIn(s))),
      ),
    ),
  );

  const inc = d.incremental || {};
  const pr = inc.params || {};
  const param = (k) =>
    typeof pr[k] === 'number'
      ? /revenue/.test(k)
        ? fmt.money(pr[k])
        : k === 'fixed_share' || k === 'confidence'
          ? fmt.pct(pr[k], 0)
          : fmt.int(pr[k])
      : fmt.text(pr[k]);
  const incBox = h(
    'section',
    { class: 'panel', 'aria-label': 'Incremental ROAS' },
    h('h2', null, 'How incremental ROAS was computed'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Method'),
      h(
        'dd',
        { class: 'method', dataset: { method: inc.method || '' } },
        term(inc.method, methodLabel(inc.method)),
        inc.requested === 'auto'
          ? [' (', term('auto'), ')']
          : inc.requested && inc.requested !== inc.method
            ? ' (' + methodLabel(inc.requested) + ' was asked for but does not apply to this data)'
            : null,
      ),
      h('dt', null, 'Basis'),
      h('dd', null, fmt.text(fmt.datesIn(inc.basis))),
      h('dt', null, 'Incremental revenue'),
      h('dd', null, fmt.money(inc.incremental_revenue)),
      h('dt', null, term('iroas')),
      h('dd', null, fmt.ratio(inc.iroas)),
      inc.interval
        ? [
            h('dt', null, term('ci', Math.round((pr.confidence || 0.95) * 100) + ' % interval')),
            h(
              'dd',
              null,
              fmt.money(inc.interval.low) +
                ' – ' +
                fmt.money(inc.interval.high) +
                ' (iROAS ' +
                fmt.ratio(inc.interval.iroas_low) +
                '–' +
                fmt.ratio(inc.interval.iroas_high) +
                ')',
            ),
          ]
        : null,
      Object.keys(pr).map((k) => [h('dt', null, term(k, k.replace(/_/g, ' '))), h('dd', null, param(k))]),
    ),
  );
  const b = d.benchmarks || {};
  const pers = d.personas || {};
  const best = (x, label) =>
    x
      ? h(
          'p',
          null,
          h('strong', null, label + ': '),
          label === 'Best tier' ? x.tier : x.category + ' · ' + x.gender,
          ' — ROAS ' +
            fmt.ratio(x.roas) +
            ', revenue ' +
            fmt.money(x.revenue) +
            ', ' +
            fmt.int(x.influencers) +
            ' influencers',
        )
      : h('p', { class: 'muted' }, label + ': not enough influencers with spend.');
  const persBox = h(
    'section',
    { class: 'panel', 'aria-label': 'Best personas' },
    h('h2', null, 'Best personas'),
    best(pers.best_category_gender, 'Best category × gender'),
    best(pers.best_tier, 'Best tier'),
    table(
      [
        { key: 'tier', label: 'Tier' },
        { key: 'influencers', label: 'Influencers', num: true, fmt: (x) => fmt.int(x.influencers) },
        { key: 'revenue', label: 'Revenue', num: true, fmt: (x) => fmt.money(x.revenue) },
        { key: 'spend', label: 'Spend', num: true, fmt: (x) => fmt.money(x.spend) },
        { key: 'roas', label: 'ROAS', num: true, fmt: (x) => fmt.ratio(x.roas) },
      ],
      pers.tier || [],
      { sortKey: 'roas' },
    ),
  );
  el.appendChild(h('div', { class: 'grid' }, incBox, persBox));

  const poor = d.poor_roi || [];
  el.appendChild(
    h(
      'h2',
      null,
      'Poor ROI (' + fmt.int(d.poor_roi_count) + ' influencers, ' + fmt.int(d.losing_money_count) + ' losing money)',
    ),
  );
  el.appendChild(
    h(
      'p',
      { class: 'muted' },
      'Below the ROAS benchmark of ' +
        fmt.ratio(b.roas) +
        ' (ROI benchmark ' +
        fmt.pct(b.roi, 0) +
        '). ' +
        (poor.length < d.poor_roi_count ? 'The worst ' + poor.length + ' are listed.' : ''),
    ),
  );
  const losing = (r) => r.severity === 'losing_money';
  el.appendChild(
    table(
      [
        { key: 'name', label: 'Influencer', fmt: influencerLink },
        { key: 'platform', label: 'Platform' },
        {
          key: 'severity',
          label: 'Severity',
          fmt: (r) =>
            tag(losing(r) ? 'Losing money' : 'Below benchmark', losing(r) ? 'status-pending' : 'status-partly_paid'),
        },
        { key: 'roas', label: 'ROAS', num: true, fmt: (r) => fmt.ratio(r.roas) },
        { key: 'spend', label: 'Spend', num: true, fmt: (r) => fmt.money(r.spend) },
        { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
        { key: 'reason', label: 'Reason', nosort: true },
        { key: 'diagnosis', label: 'Likely cause', nosort: true },
      ],
      poor,
      { cls: 'poor', limit: 20, empty: 'No influencer below the benchmark.' },
    ),
  );

  const cmp = d.comparisons || {};
  const roi = (r) => (typeof r.roas === 'number' ? r.roas - 1 : null);
  const cmpTable = (key, label, list) =>
    h(
      'section',
      { class: 'panel', 'aria-label': 'By ' + label },
      h('h2', null, 'By ' + label),
      table(
        [
          { key, label: label[0].toUpperCase() + label.slice(1), fmt: (r) => (r[key] === null ? '(none)' : r[key]) },
          { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
          { key: 'spend', label: 'Spend', num: true, fmt: (r) => fmt.money(r.spend) },
          { key: 'roas', label: 'ROAS', help: 'roas', num: true, fmt: (r) => fmt.ratio(r.roas) },
          /* ROI = (revenue − spend) / spend = ROAS − 1, of the group's sums */
          { key: 'roi', label: 'ROI', help: 'roi', num: true, sort: roi, fmt: (r) => fmt.pct(roi(r), 0) },
          { key: 'revenue_share', label: 'Share', num: true, fmt: (r) => fmt.pct(r.revenue_share) },
          { key: 'organic_revenue', label: 'Organic', num: true, fmt: (r) => fmt.money(r.organic_revenue) },
        ],
        list.filter((r) => r[key] !== null || r.revenue || r.spend),
        { sortKey: 'revenue', cls: 'cmp-' + key },
      ),
    );
  el.appendChild(h('h2', null, 'Comparisons'));
  if (cmp.best_platform || cmp.worst_platform) {
    el.appendChild(
      h(
        'p',
        null,
        'Best platform by ROAS: ',
        h('strong', null, fmt.text(cmp.best_platform)),
        '; worst: ',
        h('strong', null, fmt.text(cmp.worst_platform)),
        '.',
      ),
    );
  }
  el.appendChild(
    h(
      'div',
      { class: 'grid' },
      cmpTable('platform', 'platform', cmp.platform || []),
      cmpTable('brand', 'brand', cmp.brand || []),
      cmpTable('campaign', 'campaign', cmp.campaign || []),
    ),
  );

  const short = infCols(true).filter((c) =>
    ['name', 'platform', 'revenue', 'spend', 'roas', 'roas_shrunk'].includes(c.key),
  );
  el.appendChild(
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'panel', 'aria-label': 'Top influencers' },
        h('h2', null, 'Top influencers'),
        table(short, d.top_influencers || [], { nosort: true }),
      ),
      h(
        'section',
        { class: 'panel', 'aria-label': 'Bottom influencers' },
        h('h2', null, 'Bottom influencers'),
        h(
          'p',
          { class: 'muted' },
          'By ROAS shrunk toward the average of all influencers: a few orders cannot put one here.',
        ),
        table(short, d.bottom_influencers || [], { nosort: true }),
      ),
    ),
  );
  await complianceSection(ctx, null);
  el.appendChild(await unattributedSection(ctx));
}

/* What the programme's figures leave out (GET /api/unattributed): organic revenue and the
 * revenue of influencer ids the influencers file lacks. */
async function unattributedSection(ctx) {
  const u = await get('/api/unattributed', ctx);
  const box = h(
    'section',
    { class: 'panel wide', id: 'unattributed', 'aria-labelledby': 'unattributed-h' },
    h('h2', { id: 'unattributed-h' }, 'What the figures leave out'),
    h(
      'ul',
      null,
      (u.sentences || []).map((s) => h('li', null, s)),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'All revenue'),
      h('dd', { dataset: { unattributed: 'total' } }, fmt.money(u.total_revenue)),
      h('dt', null, 'Attributed to influencers in the file'),
      h('dd', { dataset: { unattributed: 'attributed' } }, fmt.money(u.attributed_revenue)),
      h('dt', null, 'Organic'),
      h('dd', { dataset: { unattributed: 'organic' } }, fmt.money(u.organic_revenue)),
      h('dt', null, 'Influencer ids not in the influencers file'),
      h('dd', { dataset: { unattributed: 'unknown' } }, fmt.money(u.unknown_influencer_revenue)),
    ),
  );
  const cols = (key, label) => [
    { key, label, fmt: (r) => (r[key] === null ? '(none)' : r[key]) },
    { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
    { key: 'organic_revenue', label: 'Organic', num: true, fmt: (r) => fmt.money(r.organic_revenue) },
    {
      key: 'unknown_influencer_revenue',
      label: 'Unknown ids',
      num: true,
      fmt: (r) => fmt.money(r.unknown_influencer_revenue),
    },
  ];
  const grid = h('div', { class: 'grid' });
  for (const [part, key, label] of [
    ['by_source', 'source', 'Source'],
    ['by_campaign', 'campaign', 'Campaign'],
    ['by_brand', 'brand', 'Brand'],
  ])
    grid.appendChild(
      h('div', null, h('h3', null, 'By ' + label.toLowerCase()), table(cols(key, label), u[part] || [], { limit: 10 })),
    );
  grid.appendChild(
    h(
      'div',
      null,
      h('h3', null, 'Unknown influencer ids, by revenue'),
      table(
        [
          { key: 'influencer_id', label: 'Influencer id' },
          { key: 'orders', label: 'Orders', num: true, fmt: (r) => fmt.int(r.orders) },
          { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
        ],
        u.unknown_ids || [],
        { limit: 10, empty: 'Every influencer id of the tracking data is in the influencers file.' },
      ),
    ),
  );
  box.appendChild(grid);
  return box;
}
