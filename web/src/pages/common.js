/* pages/common.js — what several pages share: the filtered GET, the page heading with the
 * active filters, tags, the influencer table's columns, the datasets' names. */
import { api } from '../api.js';
import { h } from '../dom.js';
import { dateRange, fmt } from '../format.js';
import { setFilters, whenOptions } from '../sidebar.js';
import * as state from '../state.js';

const { describeFilters, link, withFilters } = state;

/* GET path with the page's filters (and extra parameters); "still loading" shown in the
 * page's loading line while the server retries. */
export function get(path, ctx, extra) {
  return api(withFilters(path, ctx.filters, extra), {
    signal: ctx.signal,
    onWait: () => {
      const w = ctx.el.querySelector('.loading');
      if (w) w.lastChild.textContent = 'The data is still loading on the server; retrying…';
    },
  });
}

/* The page's title (also the document's), a subtitle, and the filters in force. */
export function header(ctx, title, sub) {
  document.title = title + ' · infludash';
  const active = describeFilters(ctx.filters, dateRange);
  ctx.el.appendChild(
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, title),
      sub ? h('p', { class: 'muted' }, sub) : null,
      active.length
        ? h('p', { class: 'active-filters' }, h('span', { class: 'muted' }, 'Filtered by '), active.join(' · '))
        : null,
    ),
  );
}

/* True when a /api/dashboard answer's KPIs count nothing at all: no attributed or organic
 * order, no spend, no post, no influencer. */
export function emptyKpis(k) {
  return (
    !!k &&
    ['revenue', 'orders', 'organic_revenue', 'organic_orders', 'spend', 'posts', 'influencers'].every((x) => !k[x])
  );
}

/* In place of a page's figures when its filters select nothing: says so, with the range the
 * data covers, and the ways back (all dates, no filters). what: "payouts", … (default "data"). */
export function noData(ctx, what) {
  const f = ctx.filters;
  const any = state.filtersActive(f);
  const dates = !!(f.from || f.to);
  const range = h('p', { class: 'no-data-range' });
  const box = h(
    'section',
    { class: 'no-data', id: 'no-data', role: 'status', 'aria-labelledby': 'no-data-h' },
    h(
      'h2',
      { id: 'no-data-h' },
      any ? 'No ' + (what || 'data') + ' for these filters' : 'No ' + (what || 'data') + ' yet',
    ),
    range,
    any
      ? h(
          'p',
          { class: 'row-actions' },
          dates
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'primary',
                  id: 'no-data-all-dates',
                  onclick: () => setFilters(Object.assign({}, f, { from: '', to: '' })),
                },
                'Show all dates',
              )
            : null,
          h(
            'button',
            { type: 'button', id: 'no-data-reset', onclick: () => setFilters(state.readFilters('')) },
            'Reset all filters',
          ),
        )
      : h(
          'p',
          null,
          h('a', { href: link('/upload') }, 'Import data'),
          ' or load the sample data on the ',
          h('a', { href: link('/database') }, 'Database'),
          ' page.',
        ),
  );
  whenOptions().then(() => {
    const o = state.options || {};
    const covers = o.from ? 'The data covers ' + dateRange(o.from, o.to) : 'The data holds no dated rows';
    range.textContent = covers + (dates ? '; the filters ask for ' + dateRange(f.from, f.to) + '.' : '.');
  });
  return box;
}

export function tag(text, cls) {
  return h('span', { class: 'tag' + (cls ? ' ' + cls : '') }, text);
}

const METHOD = { organic: 'organic baseline', holdout: 'holdout test vs control', fixed_share: 'fixed share' };
/* The incrementality method in words. */
export const methodLabel = (m) => METHOD[m] || m || '—';

/* Payout statuses in words. */
export const STATUS_LABEL = {
  paid: 'Paid',
  partly_paid: 'Partly paid',
  pending: 'Pending',
  unknown: 'Unknown',
  /* earned under terms whose payout rows are all dated outside the range */
  outside_range: 'Recorded outside the range',
};
/* The words for a payout whose earned and recorded cover different activity. */
export const NOT_COMPARABLE = 'not comparable in this range';
/* The check of a payout row: earned against recorded over the same activity (README, Payouts). */
export function payCheck(r) {
  const why = (pre) =>
    r.check_reason ? h('span', { class: 'muted check-reason' }, pre + fmt.datesIn(r.check_reason)) : null;
  if (r.check === 'mismatch')
    return h(
      'span',
      { class: r.check_reason ? 'pay-check' : null },
      tag('⚠ mismatch', 'status-pending'),
      why('not compared: '),
    );
  if (r.check === 'not_comparable')
    return h('span', { class: 'pay-check' }, tag(NOT_COMPARABLE, 'status-unknown'), why(''));
  return h('span', { class: 'muted' }, 'ok');
}
export function statusTag(s) {
  return tag(STATUS_LABEL[s] || fmt.text(s), 'status-' + s);
}

/* The stored datasets: [name, label]. */
export const DATASETS = [
  ['influencers', 'Influencers'],
  ['posts', 'Posts'],
  ['tracking_data', 'Tracking data'],
  ['payouts', 'Payouts'],
];

/* A link to an influencer's page (keeping workspace and filters). */
export function influencerLink(r) {
  return h('a', { href: link('/influencers/' + encodeURIComponent(r.influencer_id)) }, r.name || r.influencer_id);
}

/* The columns of an influencer table (withLink: the name links to the influencer's page). */
export const infCols = (withLink) => [
  { key: 'name', label: 'Influencer', fmt: (r) => (withLink ? influencerLink(r) : r.name || r.influencer_id) },
  { key: 'influencer_id', label: 'ID' },
  { key: 'platform', label: 'Platform' },
  { key: 'category', label: 'Category' },
  { key: 'gender', label: 'Gender' },
  { key: 'tier', label: 'Tier' },
  { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => fmt.money(r.revenue) },
  { key: 'orders', label: 'Orders', num: true, fmt: (r) => fmt.int(r.orders) },
  { key: 'spend', label: 'Spend', num: true, fmt: (r) => fmt.money(r.spend) },
  { key: 'roas', label: 'ROAS', help: 'roas', num: true, fmt: (r) => fmt.ratio(r.roas) },
  { key: 'roi', label: 'ROI', help: 'roi', num: true, fmt: (r) => fmt.pct(r.roi) },
  {
    key: 'engagement_rate',
    label: 'Eng. rate',
    help: 'engagement_rate',
    num: true,
    fmt: (r) => fmt.rate(r.engagement_rate),
  },
  {
    key: 'engagement_rate_followers',
    label: 'Eng. rate (followers)',
    num: true,
    fmt: (r) => fmt.rate(r.engagement_rate_followers),
  },
  {
    key: 'engagement_rate_views',
    label: 'Eng. rate (views)',
    num: true,
    fmt: (r) => fmt.rate(r.engagement_rate_views),
  },
  {
    key: 'roas_shrunk',
    label: 'ROAS (shrunk)',
    num: true,
    fmt: (r) =>
      r.roas_shrunk === null || r.roas_shrunk === undefined
        ? '—'
        : h(
            'span',
            {
              title:
                '90 % interval ' +
                fmt.ratio(r.roas_low) +
                '–' +
                fmt.ratio(r.roas_high) +
                (r.few_orders ? '; few orders' : ''),
            },
            fmt.ratio(r.roas_shrunk),
            r.few_orders ? h('span', { class: 'few-orders', dataset: { fewOrders: '' } }, ' · few orders') : null,
          ),
  },
  { key: 'cpo', label: 'CPO', help: 'cpo', num: true, fmt: (r) => fmt.unit(r.cpo) },
  { key: 'aov', label: 'AOV', help: 'aov', num: true, fmt: (r) => fmt.unit(r.aov) },
  { key: 'posts', label: 'Posts', num: true, fmt: (r) => fmt.int(r.posts) },
];
