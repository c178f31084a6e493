/* pages/payouts.js — Payouts (/payouts): earned under the payout terms for the filtered
 * activity against what was recorded, paid and pending; the status chart; every influencer's
 * payout with status, mismatch and search filters. Tabs (#tax, #simulator in the URL) hold
 * the tax, the bank batch and the simulator (payouts_tax.js). */

/* The page's tabs: Earned and paid (returned, drawn by the page), Tax and Simulator (drawn
 * when first opened). */
function tabs(ctx) {
  const names = [
    ['earned', 'Earned and paid'],
    ['tax', 'Tax and bank batch'],
    ['simulator', 'Simulator'],
  ];
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Payouts' });
  const panels = {};
  const buttons = {};
  const drawn = { earned: true };
  const show = (name) => {
    for (const [n] of names) {
      buttons[n].setAttribute('aria-selected', String(n === name));
      buttons[n].tabIndex = n === name ? 0 : -1;
      panels[n].hidden = n !== name;
    }
    if (!drawn[name]) {
      drawn[name] = true;
      if (name === 'tax') taxTab(ctx, panels.tax);
      else simulatorTab(ctx, panels.simulator);
    }
  };
  for (const [n, label] of names) {
    buttons[n] = h('button', { type: 'button', role: 'tab', id: 'tab-' + n, 'aria-controls': 'panel-' + n }, label);
    buttons[n].addEventListener('click', () => {
      history.replaceState(history.state, '', location.pathname + location.search + (n === 'earned' ? '' : '#' + n));
      show(n);
    });
    list.appendChild(buttons[n]);
    panels[n] = h('section', { role: 'tabpanel', id: 'panel-' + n, 'aria-labelledby': 'tab-' + n });
  }
  ctx.el.append(list, panels.earned, panels.tax, panels.simulator);
  const want = location.hash.slice(1);
  show(panels[want] ? want : 'earned');
  return panels.earned;
}
import * as charts from '../charts.js';
import { card, h, loading } from '../dom.js';
import { explainable } from '../explain.js';
import { fmt } from '../format.js';
import { table } from '../table.js';
import { STATUS_LABEL, get, header, influencerLink, noData, payCheck, statusTag } from './common.js';
import { simulatorTab, taxTab } from './payouts_tax.js';

export async function payouts(ctx) {
  header(
    ctx,
    'Payouts',
    'Earned under the payout terms for the filtered activity, against what was recorded for the same activity.',
  );
  const el = tabs(ctx);
  const wait = loading();
  el.appendChild(wait);
  const d = await get('/api/payouts', ctx);
  if (ctx.stale()) return;
  wait.remove();
  const t = d.totals || {};
  if (!(d.influencers || []).length) {
    el.appendChild(noData(ctx, 'payouts'));
    return;
  }
  const cards = el.appendChild(
    h(
      'div',
      { class: 'cards' },
      card('Earned', fmt.moneyShort(t.earned), { key: 'earned', title: fmt.money(t.earned, 2) }),
      card('Recorded', fmt.moneyShort(t.recorded), { key: 'recorded', title: fmt.money(t.recorded, 2) }),
      card('Paid', fmt.moneyShort(t.paid), { key: 'paid', title: fmt.money(t.paid, 2) }),
      card('Pending', fmt.moneyShort(t.pending), { key: 'pending', title: fmt.money(t.pending, 2) }),
      card('Mismatches', fmt.int(t.mismatches), {
        key: 'mismatches',
        cls: t.mismatches ? 'bad' : 'good',
        sub: 'difference over ' + fmt.money(d.tolerance, 2) + ' over the same activity',
      }),
      card('Not comparable', fmt.int(t.not_comparable), {
        key: 'not_comparable',
        sub: 'in this range: the Check column says why',
      }),
      card('Influencers', fmt.int(t.influencers), { key: 'influencers' }),
    ),
  );
  /* each card explains its total: earned is the dashboard's spend, the rest /api/payouts' */
  for (const c of cards.querySelectorAll('.card[data-kpi]'))
    explainable(c, c.dataset.kpi === 'earned' ? 'spend' : 'payouts.' + c.dataset.kpi, ctx.filters);
  const rows = d.influencers || [];
  /* paid and pending by status; how many influencers each, under its name (statuses are
   * separate groups: no line joins them) */
  const p = charts.panel('Payout status', { wide: true });
  el.appendChild(h('div', { class: 'grid' }, p.panel));
  const L = STATUS_LABEL;
  const st = [...new Set(rows.map((r) => r.status))];
  const sum = (s, k) => rows.reduce((a, r) => a + (r.status === s ? r[k] || 0 : 0), 0);
  const count = (s) => rows.filter((r) => r.status === s).length;
  const named = (s) => (L[s] || s) + '\n' + fmt.int(count(s)) + (count(s) === 1 ? ' influencer' : ' influencers');
  charts.draw(
    p.box,
    {
      legend: { top: 0, left: 0 },
      tooltip: charts.axisTooltip({ Paid: fmt.money, Pending: fmt.money }, (n) => n.replace('\n', ' · ')),
      grid: { left: 12, right: 16, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: st.map(named), axisLabel: charts.categoryLabels(p.box, { lineHeight: 16 }) },
      yAxis: charts.moneyAxis(st.map((s) => sum(s, 'paid') + sum(s, 'pending'))),
      series: [
        {
          name: 'Paid',
          type: 'bar',
          stack: 'amt',
          data: st.map((s) => sum(s, 'paid')),
          itemStyle: { color: '#35a37a' },
        },
        {
          name: 'Pending',
          type: 'bar',
          stack: 'amt',
          data: st.map((s) => sum(s, 'pending')),
          itemStyle: { color: '#e0803a' },
        },
      ],
    },
    {
      table: charts.categoryTable(
        'Status',
        st.map((s) => L[s] || s),
        [
          { name: 'Influencers', data: st.map(count), fmt: fmt.int },
          { name: 'Paid', data: st.map((s) => sum(s, 'paid')), fmt: fmt.money },
          { name: 'Pending', data: st.map((s) => sum(s, 'pending')), fmt: fmt.money },
        ],
      ),
    },
  );
  const statusSel = h(
    'select',
    { id: 'pay-status' },
    h('option', { value: '' }, 'All statuses'),
    st.map((s) => h('option', { value: s }, L[s] || s)),
  );
  const mm = h('input', { type: 'checkbox', id: 'pay-mm' });
  const search = h('input', { type: 'search', id: 'pay-search', placeholder: 'Search name or ID…' });
  const pick = () => {
    const q = search.value.trim().toLowerCase();
    return rows.filter(
      (r) =>
        (!statusSel.value || r.status === statusSel.value) &&
        (!mm.checked || r.mismatch) &&
        (!q || (r.name || '').toLowerCase().includes(q) || r.influencer_id.toLowerCase().includes(q)),
    );
  };
  const tbl = table(
    [
      { key: 'name', label: 'Influencer', fmt: influencerLink },
      { key: 'platform', label: 'Platform' },
      { key: 'basis', label: 'Basis', help: 'basis' },
      { key: 'earned', label: 'Earned', num: true, fmt: (r) => fmt.money(r.earned, 2) },
      { key: 'recorded', label: 'Recorded', num: true, fmt: (r) => fmt.money(r.recorded, 2) },
      {
        key: 'difference',
        label: 'Difference',
        num: true,
        fmt: (r) => (r.difference === null ? h('span', { class: 'muted' }, '—') : fmt.money(r.difference, 2)),
      },
      {
        key: 'check',
        label: 'Check',
        sort: (r) => ({ mismatch: 2, not_comparable: 1 })[r.check] || 0,
        fmt: payCheck,
      },
      { key: 'paid', label: 'Paid', num: true, fmt: (r) => fmt.money(r.paid, 2) },
      { key: 'pending', label: 'Pending', num: true, fmt: (r) => fmt.money(r.pending, 2) },
      { key: 'status', label: 'Status', fmt: (r) => statusTag(r.status) },
    ],
    pick(),
    { sortKey: 'earned', limit: 200, rowClass: (r) => (r.mismatch ? 'row-bad' : null) },
  );
  const upd = () => tbl.setRows(pick());
  statusSel.addEventListener('change', upd);
  mm.addEventListener('change', upd);
  search.addEventListener('input', upd);
  el.append(
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'pay-search', class: 'sr-only' }, 'Search payouts'),
      search,
      h('label', { for: 'pay-status' }, 'Status '),
      statusSel,
      h('label', { class: 'check' }, mm, ' Mismatches only'),
    ),
    tbl,
  );
}
