/* pages/influencers.js — Influencers (/influencers): every influencer of the filters in a
 * sortable table, with a search over name, ID, platform, category and persona that is kept
 * while moving between pages. */
import { h, loading } from '../dom.js';
import { fmt } from '../format.js';
import { table } from '../table.js';
import { get, header, infCols, noData } from './common.js';

let infSearch = '';

export async function influencers(ctx) {
  header(ctx, 'Influencers');
  const wait = loading();
  ctx.el.appendChild(wait);
  const d = await get('/api/influencers', ctx);
  if (ctx.stale()) return;
  wait.remove();
  const all = d.influencers || [];
  if (!all.length) {
    ctx.el.appendChild(noData(ctx, 'influencers'));
    return;
  }
  const search = h('input', {
    type: 'search',
    id: 'inf-search',
    placeholder: 'Search name, ID, platform, category, persona…',
    value: infSearch,
  });
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  const filterRows = () => {
    const q = search.value.trim().toLowerCase();
    infSearch = search.value;
    const rows = q
      ? all.filter((r) =>
          [r.name, r.influencer_id, r.platform, r.category, r.gender, r.tier, r.persona].some(
            (v) => v && String(v).toLowerCase().includes(q),
          ),
        )
      : all;
    count.textContent = fmt.int(rows.length) + ' of ' + fmt.int(all.length) + ' influencers';
    return rows;
  };
  const tbl = table(infCols(true), filterRows(), {
    sortKey: 'revenue',
    sortDir: 'desc',
    limit: 200,
    cls: 'influencers',
  });
  search.addEventListener('input', () => tbl.setRows(filterRows()));
  ctx.el.append(
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'inf-search', class: 'sr-only' }, 'Search influencers'),
      search,
      count,
    ),
    tbl,
  );
}
