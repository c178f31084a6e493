/* explain.js — "How is this computed?": a KPI card's drawer with GET /api/explain's answer
 * (the value, the formula in words, its inputs, the rules that applied, the stored rows behind
 * it with a link to each dataset's rows as CSV). One <dialog> for the whole app, opened by the
 * card's button (Enter or Space) or a click on the card; Escape or Close shuts it and focus
 * goes back to the button that opened it. */
import { api } from './api.js';
import { clear, h } from './dom.js';
import { fmt, shortRange } from './format.js';
import { withFilters, wsPath } from './state.js';

let drawer = null;
let opener = null;
let seq = 0;

const DATASET_LABELS = { tracking_data: 'tracking rows', posts: 'posts', payouts: 'payout rows' };

function ensureDrawer() {
  if (drawer) return drawer;
  drawer = h(
    'dialog',
    { id: 'explain-drawer', class: 'drawer', 'aria-labelledby': 'explain-title' },
    h(
      'div',
      { class: 'drawer-head' },
      h('h2', { id: 'explain-title' }, 'How is this computed?'),
      h('button', { type: 'button', class: 'drawer-close', 'aria-label': 'Close', onclick: () => drawer.close() }, '✕'),
    ),
    h('div', { class: 'drawer-body', id: 'explain-body' }),
  );
  /* a click on the backdrop (outside the panel) closes it too */
  drawer.addEventListener('click', (ev) => {
    if (ev.target === drawer) drawer.close();
  });
  drawer.addEventListener('close', () => {
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });
  document.body.appendChild(drawer);
  return drawer;
}

/* An input's value as the page would show it: money for money keys, a rate for rates. */
function showValue(name, v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (/revenue|spend|^cpo$|^aov$|^cpm$|^cpe$|per_post/.test(name)) return fmt.money(v, 2);
  if (/rate/.test(name)) return fmt.rate(v);
  if (/^roas|^iroas|^roi$/.test(name)) return name === 'roi' ? fmt.pct(v) : fmt.ratio(v);
  return fmt.int(v);
}

/* With compare= (SPEC §3.2) the answer carries the earlier period, the figure over it and the
 * change: "Earlier (2 Mar – 31 Mar 2025): 1.74; change +1.27 (+73.1 %)". */
function comparison(x) {
  if (!('compare' in x)) return '';
  if (!x.compare || x.value_previous === null || x.value_previous === undefined)
    return h(
      'p',
      { class: 'drawer-compare muted', dataset: { explain: 'compare' } },
      'No earlier figure to compare with: the data has no rows in that period.',
    );
  const c = x.change || {};
  const abs = c.abs === null || c.abs === undefined ? null : (c.abs > 0 ? '+' : '') + showValue(x.metric, c.abs);
  const rel = c.rel === null || c.rel === undefined ? null : (c.rel > 0 ? '+' : '') + fmt.pct(c.rel);
  return h(
    'p',
    { class: 'drawer-compare', dataset: { explain: 'compare' } },
    h('span', { class: 'muted' }, 'Earlier (' + shortRange(x.compare.from, x.compare.to) + '): '),
    showValue(x.metric, x.value_previous),
    abs ? '; change ' + abs + (rel ? ' (' + rel + ')' : '') : '',
  );
}

function render(body, x, shown) {
  const rows = x.rows || {};
  const links = x.rows_csv || {};
  const earlier = x.inputs_previous && x.compare ? x.inputs_previous : null;
  clear(body).append(
    h('p', { class: 'drawer-metric' }, h('strong', null, x.label), ': ', shown || showValue(x.metric, x.value)),
    comparison(x),
    h(
      'p',
      { class: 'drawer-formula', dataset: { explain: 'formula' } },
      h('span', { class: 'muted' }, 'Formula: '),
      x.formula,
    ),
    h('h3', null, 'Inputs'),
    h(
      'table',
      { class: 'drawer-inputs', dataset: { explain: 'inputs' } },
      earlier
        ? h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Input'),
              h('th', { scope: 'col' }, 'This period'),
              h('th', { scope: 'col' }, shortRange(x.compare.from, x.compare.to)),
            ),
          )
        : null,
      h(
        'tbody',
        null,
        (x.inputs || []).map((i, n) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, i.name.replace(/_/g, ' ')),
            h('td', null, showValue(i.name, i.value)),
            earlier && earlier[n] ? h('td', null, showValue(i.name, earlier[n].value)) : null,
          ),
        ),
      ),
    ),
    h('h3', null, 'Rules that applied'),
    h(
      'ul',
      { class: 'drawer-rules', dataset: { explain: 'rules' } },
      (x.rules || []).map((r) => h('li', { dataset: { rule: r.name } }, r.text)),
    ),
    h('h3', null, 'Rows behind it'),
    h(
      'ul',
      { class: 'drawer-rows', dataset: { explain: 'rows' } },
      Object.keys(DATASET_LABELS)
        .filter((ds) => rows[ds] || links[ds])
        .map((ds) =>
          h(
            'li',
            { dataset: { rows: ds } },
            fmt.int(rows[ds]) + ' ' + DATASET_LABELS[ds] + ' ',
            links[ds]
              ? h('a', { href: wsPath(links[ds]), download: '', dataset: { rowsLink: ds } }, 'download as CSV')
              : null,
          ),
        ),
    ),
  );
}

/* Opens the drawer for metric under filters (extra: more query parameters), from button. */
export async function openExplain(metric, filters, extra, button, shown) {
  const d = ensureDrawer();
  const body = d.querySelector('#explain-body');
  const mine = ++seq;
  opener = button;
  clear(body).appendChild(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  if (!d.open) d.showModal();
  try {
    const x = await api(withFilters('/api/explain', filters, { metric, ...(extra || {}) }));
    if (mine === seq) render(body, x, shown);
  } catch (err) {
    if (mine === seq)
      clear(body).appendChild(
        h(
          'p',
          { class: 'error', role: 'alert' },
          'Could not explain this figure: ' + (err && err.message ? err.message : String(err)),
        ),
      );
  }
}

/* Makes a KPI card (dom.js card) open the drawer for metric: a button at its foot, and a
 * click anywhere on the card. Returns the card. */
export function explainable(cardEl, metric, filters, extra) {
  const value = cardEl.querySelector('.card-value');
  const button = h(
    'button',
    { type: 'button', class: 'explain-btn linkish', 'aria-haspopup': 'dialog', dataset: { explain: metric } },
    'How is this computed?',
  );
  button.addEventListener('click', (ev) => {
    ev.stopPropagation();
    openExplain(metric, filters, extra, button, value ? value.textContent : null);
  });
  cardEl.appendChild(button);
  cardEl.classList.add('explainable');
  cardEl.addEventListener('click', (ev) => {
    if (ev.target.closest('a, button')) return;
    openExplain(metric, filters, extra, button, value ? value.textContent : null);
  });
  return cardEl;
}
