/* dom.js — building the pages with DOM APIs only (text through textContent, never HTML
 * strings), and the small widgets every page uses: loading line, error box, KPI card, the
 * confirmation dialog. */
import { fmt } from './format.js';

/* h('div', {class:'x', onclick: fn, 'aria-label': 'y'}, child, 'text', [more]) */
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const k in attrs) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'multiple')
        el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, kids);
  return el;
}
function append(el, kids) {
  for (const c of kids) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}
/* Removes every child of el; returns el. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/* ---------- small widgets ---------- */
export function loading(text) {
  return h(
    'p',
    { class: 'loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    text || 'Loading…',
  );
}
export function errorBox(err, retry) {
  const box = h(
    'div',
    { class: 'error', role: 'alert' },
    h('strong', null, err && err.status === 400 ? 'The request was refused: ' : 'Something went wrong: '),
    fmt.datesIn(err && err.message ? err.message : String(err)),
  );
  if (retry) box.appendChild(h('button', { type: 'button', class: 'retry', onclick: retry }, 'Retry'));
  return box;
}
/* A KPI card: data-kpi=key on the card, data-kpi-value=key on the value (the browser test
 * reads them). opts: {key, cls, title, sub, notes}; sub: a line under the value (text or a
 * node); notes: what a reader needs to read the figure right (why it differs from a figure
 * beside it, a filter that does not apply), each [name, text] → <p class="card-note"
 * data-note=name>. */
export function card(label, value, opts) {
  opts = opts || {};
  return h(
    'div',
    { class: 'card' + (opts.cls ? ' ' + opts.cls : ''), dataset: { kpi: opts.key || '' } },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', title: opts.title || null, dataset: { kpiValue: opts.key || '' } }, value),
    opts.sub ? h('div', { class: 'card-sub' }, opts.sub) : null,
    (opts.notes || [])
      .filter(Boolean)
      .map(([name, text]) => h('p', { class: 'card-note', dataset: { note: name } }, text)),
  );
}

/* Confirmation in a <dialog> (no window.confirm). Resolves true/false. */
export function confirm(title, text, okLabel) {
  const d = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel || 'Confirm';
  d.returnValue = '';
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true });
    d.showModal();
  });
}
