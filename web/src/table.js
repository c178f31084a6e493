/* table.js — the sortable data table of every page: click a header to sort (numbers
 * descending first, empty cells last either way), a row limit with "Show all". */
import { clear, h } from './dom.js';
import { fmt } from './format.js';
import { GLOSSARY, term } from './glossary.js';

let tips = 0;

/* A table's scroll box (.table-wrap, wrap) in a box that says when it scrolls sideways: a
 * hint above it ("4 of 15 columns in view: scroll sideways for the others") and a fade at
 * the edge that has more. The header row stays on top as the rows scroll (the box is at most
 * most of a window tall). A box that scrolls is a focusable region, so that a keyboard
 * scrolls it too. Returns the outer box. */
export function scrollable(wrap, label) {
  const hint = h('p', { class: 'scroll-hint', hidden: true });
  const frame = h('div', { class: 'table-frame' }, wrap);
  const box = h('div', { class: 'table-box' }, hint, frame);
  const update = () => {
    const wide = wrap.scrollWidth > wrap.clientWidth + 1;
    const tall = wrap.scrollHeight > wrap.clientHeight + 1;
    const left = wrap.scrollLeft > 1;
    const right = wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1;
    frame.classList.toggle('more-left', wide && left);
    frame.classList.toggle('more-right', wide && right);
    if (wide || tall) {
      wrap.setAttribute('tabindex', '0');
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', (label || 'Table') + (wide ? ' (scrolls sideways)' : ''));
    } else {
      wrap.removeAttribute('tabindex');
      wrap.removeAttribute('role');
      wrap.removeAttribute('aria-label');
    }
    hint.hidden = !wide;
    if (!wide) return;
    const ths = wrap.querySelectorAll('thead th');
    const r = wrap.getBoundingClientRect();
    let seen = 0;
    for (const th of ths) {
      const c = th.getBoundingClientRect();
      if (c.left >= r.left - 1 && c.right <= r.right + 1) seen++;
    }
    hint.textContent =
      (left ? '← ' : '') +
      fmt.int(seen) +
      ' of ' +
      fmt.int(ths.length) +
      ' columns in view: scroll sideways for the others' +
      (right ? ' →' : '');
  };
  wrap.addEventListener('scroll', update, { passive: true });
  if (typeof ResizeObserver === 'function') new ResizeObserver(update).observe(wrap);
  requestAnimationFrame(update);
  box.updateScroll = update;
  return box;
}

function compare(a, b) {
  const na = a === null || a === undefined,
    nb = b === null || b === undefined;
  if (na || nb) return na && nb ? 0 : na ? 1 : -1; /* empty last */
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
}

/* cols: [{key, label, fmt(row) → string|Node, num: bool, sort(row) → value, nosort}]
 * (help: a glossary key, explained on hover and focus)
 * opts: {sortKey, sortDir, limit, cls, caption, empty, nosort, rowClass(row), onSort(key, dir)}
 * Returns the wrapping element (see scrollable); its setRows(rows) redraws with other rows. */
export function table(cols, rows, opts) {
  opts = opts || {};
  let sortKey = opts.sortKey || null,
    sortDir = opts.sortDir || 'desc';
  const limit = opts.limit || 0;
  let showAll = false;
  const wrap = h('div', { class: 'table-wrap' });
  const tbl = h('table', { class: 'data' + (opts.cls ? ' ' + opts.cls : '') });
  if (opts.caption) tbl.appendChild(h('caption', null, opts.caption));
  const thead = h('thead'),
    tbody = h('tbody'),
    trh = h('tr');
  thead.appendChild(trh);
  tbl.append(thead, tbody);
  wrap.appendChild(tbl);
  const moreText = h('span');
  const moreBtn = h('button', {
    type: 'button',
    class: 'linkish',
    onclick: () => {
      showAll = !showAll;
      draw();
    },
  });
  const more = h('p', { class: 'more', hidden: true }, moreText, moreBtn);
  const box = scrollable(wrap, opts.caption || null);
  box.appendChild(more);
  const val = (c, r) => (c.sort ? c.sort(r) : r[c.key]);
  /* The header row is built once; a sort only updates its state, so that the button
   * pressed (by mouse, Enter or Space) keeps the focus. */
  const sorters = [];
  for (const c of cols) {
    const th = h('th', { scope: 'col', class: c.num ? 'num' : null });
    /* c.help: a glossary key; the header explains its words on hover and focus */
    const g = c.help && GLOSSARY[c.help];
    if (c.nosort || opts.nosort) th.appendChild(g ? term(c.help, c.label) : document.createTextNode(c.label));
    else {
      const arrow = h('span', { class: 'arrow', 'aria-hidden': 'true' });
      const onclick = () => {
        if (sortKey === c.key) sortDir = sortDir === 'asc' ? 'desc' : 'asc';
        else {
          sortKey = c.key;
          sortDir = c.num ? 'desc' : 'asc';
        }
        if (opts.onSort) opts.onSort(sortKey, sortDir);
        draw();
      };
      const tipId = g ? 'th-tip-' + ++tips : null;
      th.appendChild(
        h('button', { type: 'button', class: 'sort', onclick, 'aria-describedby': tipId }, c.label, arrow),
      );
      if (g) th.append(h('span', { class: 'term-tip', role: 'tooltip', id: tipId }, g.text));
      sorters.push([c, th, arrow]);
    }
    trh.appendChild(th);
  }
  function headers() {
    for (const [c, th, arrow] of sorters) {
      th.setAttribute('aria-sort', sortKey === c.key ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
      arrow.textContent = sortKey === c.key ? (sortDir === 'asc' ? ' ▲' : ' ▼') : '';
    }
  }
  function draw() {
    headers();
    let data = rows.slice();
    if (sortKey) {
      const c = cols.find((x) => x.key === sortKey);
      if (c) {
        data.sort((a, b) => compare(val(c, a), val(c, b)));
        if (sortDir === 'desc') {
          data.reverse();
          /* keep empties last */
          data.sort((a, b) => (val(c, a) == null) - (val(c, b) == null));
        }
      }
    }
    const n = data.length;
    if (limit && !showAll && n > limit) data = data.slice(0, limit);
    const frag = document.createDocumentFragment();
    for (const r of data) {
      const tr = h('tr', opts.rowClass ? { class: opts.rowClass(r) } : null);
      for (const c of cols) {
        const v = c.fmt ? c.fmt(r) : r[c.key];
        const td = h('td', { class: c.num ? 'num' : null });
        if (v instanceof Node) td.appendChild(v);
        else td.textContent = v === null || v === undefined ? '—' : String(v);
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    clear(tbody).appendChild(frag);
    if (!n)
      tbody.appendChild(
        h('tr', null, h('td', { colspan: cols.length, class: 'empty' }, opts.empty || 'Nothing matches the filters.')),
      );
    /* (the button stays the same element, so that it keeps the focus) */
    moreText.textContent = showAll
      ? 'Showing all ' + fmt.int(n) + ' rows. '
      : 'Showing ' + fmt.int(Math.min(limit, n)) + ' of ' + fmt.int(n) + ' rows. ';
    moreBtn.textContent = showAll ? 'Show fewer' : 'Show all';
    more.hidden = !(limit && n > limit);
    if (box.updateScroll) box.updateScroll();
  }
  draw();
  box.setRows = (r) => {
    rows = r;
    draw();
  };
  return box;
}
