/* pages/export.js — Export (/export): the stored datasets as CSV (filters do not apply), the
 * reports of the filtered data (PDF, XLSX, CSV: the influencers, the KPIs and each breakdown;
 * with the Dashboard's comparison on, compare= goes with them), the filtered rows of each
 * dataset. */
import { h } from '../dom.js';
import { dateRange } from '../format.js';
import { term } from '../glossary.js';
import { describeFilters, withFilters, wsPath } from '../state.js';
import { DATASETS, header } from './common.js';

export function exportPage(ctx) {
  header(ctx, 'Export');
  const el = ctx.el;
  el.appendChild(
    h(
      'section',
      { class: 'panel wide', 'aria-label': 'Datasets' },
      h('h2', null, 'Stored datasets (CSV)'),
      h(
        'p',
        { class: 'muted' },
        'The rows as stored, in ',
        term('canonical_columns'),
        ' plus the kept extra columns — what was imported comes back out. Filters do not apply.',
      ),
      h(
        'ul',
        { class: 'downloads' },
        DATASETS.map(([k, label]) =>
          h(
            'li',
            null,
            h(
              'a',
              { href: wsPath('/api/datasets/' + k + '.csv'), download: k + '.csv', class: 'button' },
              '⬇ ' + label + ' (' + k + '.csv)',
            ),
          ),
        ),
      ),
    ),
  );
  const active = describeFilters(ctx.filters, dateRange);
  const report = (ext, label, table) =>
    h(
      'li',
      null,
      h(
        'a',
        {
          href: withFilters('/api/export.' + ext, ctx.filters, table ? { table } : undefined),
          class: 'button' + (table ? '' : ' primary'),
          id: 'export-' + ext + (table ? '-' + table : ''),
        },
        '⬇ ' + label,
      ),
    );
  el.appendChild(
    h(
      'section',
      { class: 'panel wide', 'aria-label': 'Reports' },
      h('h2', null, 'Reports of the filtered data'),
      h('p', null, active.length ? 'With the filters: ' + active.join(' · ') : 'No filter set: all data.'),
      h(
        'p',
        { class: 'muted' },
        'Each report states its filters and when it was made; the file name carries the report and the time.',
      ),
      h(
        'ul',
        { class: 'downloads' },
        report('pdf', 'PDF report (KPIs, charts, spend and ROAS by platform, brand and campaign, payouts, insights)'),
        report(
          'xlsx',
          'Excel workbook (Summary, Influencers, Platforms, Personas, Daily, Payouts, Brands, Campaigns, Products, Sources)',
        ),
        report('csv', 'Influencer metrics (CSV)'),
      ),
      h('p', { class: 'muted' }, 'CSV tables of the same figures: revenue, spend, ROAS and ROI per group.'),
      h(
        'ul',
        { class: 'downloads' },
        report('csv', ctx.filters.compare ? 'KPIs with the comparison (CSV)' : 'KPIs (CSV)', 'kpis'),
        report('csv', 'By platform (CSV)', 'platform'),
        report('csv', 'By brand (CSV)', 'brand'),
        report('csv', 'By campaign (CSV)', 'campaign'),
        report('csv', 'By day (CSV)', 'day'),
      ),
    ),
  );
  el.appendChild(
    h(
      'section',
      { class: 'panel wide', 'aria-label': 'Filtered rows' },
      h('h2', null, 'Filtered rows of each dataset (CSV)'),
      h('p', { class: 'muted' }, 'The stored rows the filters cover, in the same columns as above.'),
      h(
        'ul',
        { class: 'downloads' },
        DATASETS.map(([k, label]) =>
          h(
            'li',
            null,
            h(
              'a',
              {
                href: withFilters('/api/datasets/' + k + '.csv', ctx.filters),
                class: 'button',
                id: 'export-rows-' + k,
              },
              '⬇ ' + label + ' (filtered)',
            ),
          ),
        ),
      ),
    ),
  );
}
