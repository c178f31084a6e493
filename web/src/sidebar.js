/* sidebar.js — the sidebar: the filters (multi-selects, date presets relative to the data's
 * last day, single values; a change is a new history entry of the same page), the data
 * status line, and the phone menu that shows it. */
import { api } from './api.js';
import { clear, errorBox, h } from './dom.js';
import { dateRange, fmt, parseDate, setTimeZone, shortRange } from './format.js';
import * as state from './state.js';

/* ---------- phone menu ---------- */
const toggle = document.getElementById('menu-toggle');
const sidebar = document.getElementById('sidebar');
export function closeMenu() {
  sidebar.classList.remove('open');
  toggle.setAttribute('aria-expanded', 'false');
}
toggle.addEventListener('click', () => {
  const open = !sidebar.classList.contains('open');
  sidebar.classList.toggle('open', open);
  toggle.setAttribute('aria-expanded', String(open));
});

/* ---------- filters ---------- */
const controls = {}; /* key → {sync()} */

/* Filters changed from the sidebar: a new history entry, same page. */
export function setFilters(f) {
  state.setFilters(f);
  const q = state.pageQuery(f);
  history.pushState(null, '', location.pathname + (q ? '?' + q : ''));
  syncFilterControls();
  state.reroute();
}
/* The filters with key set to value. */
const withFilter = (key, value) => Object.assign({}, state.filters, { [key]: value });

function multiSelect(key, values, searchable) {
  /* values: [{value, label}] */
  const id = 'f-' + key;
  const label = state.LABELS[key];
  const summaryText = h('span', { class: 'ms-value' });
  const summary = h('summary', { id: id + '-summary' }, h('span', { class: 'ms-label' }, label), summaryText);
  const list = h('div', { class: 'ms-list', role: 'group', 'aria-labelledby': id + '-summary' });
  const search = searchable
    ? h('input', {
        type: 'search',
        class: 'ms-search',
        placeholder: 'Search ' + label.toLowerCase() + '…',
        'aria-label': 'Search ' + label.toLowerCase(),
      })
    : null;
  const note = h('p', { class: 'ms-note muted' });
  const LIMIT = 200;
  const selected = () => state.filters[key];
  /* The list is drawn when it opens and when the search changes, with the ticked values
   * first (so that they stay reachable in a long list); a tick only updates the boxes, so
   * nothing moves under the pointer and the focus stays on the box ticked. */
  function drawList() {
    clear(list);
    const q = search ? search.value.trim().toLowerCase() : '';
    const sel = new Set(selected());
    let shown = 0,
      matched = 0;
    const ordered = values.filter((v) => sel.has(v.value)).concat(values.filter((v) => !sel.has(v.value)));
    for (const v of ordered) {
      if (q && !(v.label.toLowerCase().includes(q) || v.value.toLowerCase().includes(q))) continue;
      matched++;
      if (shown >= LIMIT) continue;
      shown++;
      const cb = h('input', { type: 'checkbox', value: v.value, checked: sel.has(v.value) });
      cb.addEventListener('change', () => {
        const cur = new Set(selected());
        if (cb.checked) cur.add(v.value);
        else cur.delete(v.value);
        const known = values.map((x) => x.value).filter((x) => cur.has(x));
        const unknown = [...cur].filter((x) => !values.some((y) => y.value === x));
        setFilters(withFilter(key, known.concat(unknown)));
      });
      list.appendChild(h('label', { class: 'ms-item' }, cb, h('span', null, v.label)));
    }
    note.textContent =
      matched > shown ? 'Showing ' + shown + ' of ' + matched + '; type to search.' : matched === 0 ? 'No match.' : '';
  }
  const clearBtn = h(
    'button',
    { type: 'button', class: 'linkish', onclick: () => setFilters(withFilter(key, [])) },
    'Clear',
  );
  if (search) search.addEventListener('input', drawList);
  const det = h(
    'details',
    { class: 'ms', dataset: { filter: key } },
    summary,
    h('div', { class: 'ms-panel' }, search, list, note, h('div', { class: 'ms-actions' }, clearBtn)),
  );
  det.addEventListener('toggle', () => {
    if (det.open) drawList();
  });
  function sync() {
    const sel = selected();
    summaryText.textContent =
      sel.length === 0
        ? 'All'
        : sel.length === 1
          ? key === 'influencer'
            ? state.influencerName(sel[0])
            : sel[0]
          : sel.length + ' selected';
    det.classList.toggle('active', sel.length > 0);
    const on = new Set(sel);
    for (const cb of list.querySelectorAll('input[type=checkbox]')) cb.checked = on.has(cb.value);
  }
  controls[key] = { sync };
  sync();
  return det;
}

/* Date presets relative to the data's last date: key → [label, from, to]. */
const iso = (d) => d.toISOString().slice(0, 10);
function parseISO(s) {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}
function presets() {
  const o = state.options || {};
  if (!o.to) return {};
  const last = parseISO(o.to);
  const y = last.getUTCFullYear(),
    m = last.getUTCMonth();
  const minus = (n) => {
    const d = new Date(last);
    d.setUTCDate(d.getUTCDate() - (n - 1));
    return iso(d);
  };
  const q0 = Math.floor(m / 3) * 3;
  return {
    last7: ['Last 7 days', minus(7), o.to],
    last30: ['Last 30 days', minus(30), o.to],
    last90: ['Last 90 days', minus(90), o.to],
    this_month: ['This month', iso(new Date(Date.UTC(y, m, 1))), o.to],
    last_month: ['Last month', iso(new Date(Date.UTC(y, m - 1, 1))), iso(new Date(Date.UTC(y, m, 0)))],
    this_quarter: ['This quarter', iso(new Date(Date.UTC(y, q0, 1))), o.to],
    ytd: ['Year to date', iso(new Date(Date.UTC(y, 0, 1))), o.to],
  };
}

/* A date field: the date written as everywhere in the app ("1 Dec 2025"), typed (parseDate
 * reads the usual forms) or picked from the browser's calendar (the button), which offers the
 * data's range. set(iso) shows a date; the field calls onChange(iso, text) when the user changes
 * it ('' when emptied, null when what was typed is not a date). */
function dateField(id, label, onChange) {
  const o = state.options || {};
  const text = h('input', {
    type: 'text',
    id,
    class: 'date-text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: (label === 'to' ? o.to : o.from) ? fmt.date(label === 'to' ? o.to : o.from) : '1 Jan 2025',
    'aria-describedby': 'f-dates-hint',
  });
  const native = h('input', {
    type: 'date',
    class: 'date-native',
    tabindex: '-1',
    'aria-hidden': 'true',
    min: o.from || null,
    max: o.to || null,
  });
  const pick = h('button', {
    type: 'button',
    class: 'date-pick',
    'aria-label': 'Pick the ' + label + ' date from a calendar',
    title: 'Pick from a calendar',
  });
  let iso = '';
  const set = (v) => {
    iso = v || '';
    text.value = iso ? fmt.date(iso) : '';
    native.value = iso;
  };
  text.addEventListener('change', () => {
    const t = text.value.trim();
    const v = t === '' ? '' : parseDate(t);
    if (v !== null) set(v);
    onChange(v, t);
  });
  native.addEventListener('change', () => {
    set(native.value);
    onChange(iso, text.value);
  });
  pick.addEventListener('click', () => {
    native.value = iso || (label === 'from' ? o.from : o.to) || '';
    try {
      native.showPicker();
    } catch {
      native.focus();
    }
  });
  return { el: h('span', { class: 'date-field' }, text, pick, native), set, text };
}

function dateControls() {
  const sel = h('select', { id: 'f-preset' });
  sel.appendChild(h('option', { value: 'all' }, 'All time'));
  const ps = presets();
  /* each preset says which days it means (they count back from the data's last day) */
  for (const k in ps)
    sel.appendChild(h('option', { value: k }, ps[k][0] + ' (' + shortRange(ps[k][1], ps[k][2]) + ')'));
  sel.appendChild(h('option', { value: 'custom' }, 'Custom range'));
  const o = state.options || {};
  const problem = h('p', { class: 'date-problem', id: 'f-dates-problem', role: 'alert', hidden: true });
  const say = (msg) => {
    problem.textContent = msg || '';
    problem.hidden = !msg;
  };
  /* a new range from the fields: refused here when it cannot be right (the page keeps
   * showing the last good one) */
  const apply = () => {
    const f = from.text.value.trim(),
      t = to.text.value.trim();
    const fv = f === '' ? '' : parseDate(f),
      tv = t === '' ? '' : parseDate(t);
    if (fv === null || tv === null) {
      say('Not a date: "' + (fv === null ? f : t) + '". Write it as ' + fmt.date(o.to || '2025-12-01') + '.');
      return;
    }
    if (fv && tv && fv > tv) {
      say('From (' + fmt.date(fv) + ') is after To (' + fmt.date(tv) + ').');
      return;
    }
    say('');
    setFilters(Object.assign({}, state.filters, { from: fv, to: tv }));
  };
  const from = dateField('f-from', 'from', apply);
  const to = dateField('f-to', 'to', apply);
  sel.addEventListener('change', () => {
    const v = sel.value;
    say('');
    if (v === 'all') setFilters(Object.assign({}, state.filters, { from: '', to: '' }));
    else if (ps[v]) setFilters(Object.assign({}, state.filters, { from: ps[v][1], to: ps[v][2] }));
    else from.text.focus();
  });
  controls.dates = {
    sync() {
      const f = state.filters;
      from.set(f.from);
      to.set(f.to);
      say('');
      let p = 'custom';
      if (!f.from && !f.to) p = 'all';
      else {
        for (const k in ps) {
          if (ps[k][1] === f.from && ps[k][2] === f.to) {
            p = k;
            break;
          }
        }
      }
      sel.value = p;
    },
  };
  controls.dates.sync();
  return h(
    'div',
    { class: 'dates' },
    h('label', { for: 'f-preset' }, 'Date range'),
    sel,
    h(
      'div',
      { class: 'date-pair' },
      h('span', null, h('label', { for: 'f-from' }, 'From'), from.el),
      h('span', null, h('label', { for: 'f-to' }, 'To'), to.el),
    ),
    h(
      'p',
      { class: 'date-hint', id: 'f-dates-hint' },
      o.from
        ? 'The data covers ' + dateRange(o.from, o.to) + '; the presets count back from its last day.'
        : 'No dated data yet.',
    ),
    problem,
  );
}

function singleInput(key, label, attrs) {
  const id = 'f-' + key;
  const input = attrs.options
    ? h(
        'select',
        { id },
        attrs.options.map(([v, t]) => h('option', { value: v }, t)),
      )
    : h('input', Object.assign({ id, type: 'number', inputmode: 'decimal' }, attrs));
  input.addEventListener('change', () => setFilters(withFilter(key, input.value.trim())));
  controls[key] = {
    sync() {
      input.value = state.filters[key] || (attrs.options ? attrs.options[0][0] : '');
    },
  };
  controls[key].sync();
  return h('div', { class: 'single' }, h('label', { for: id }, label), input);
}

function buildFilters() {
  const box = clear(document.getElementById('filters'));
  const o = state.options || {};
  const opt = (k) => (o[k] || []).map((v) => ({ value: String(v), label: String(v) }));
  box.appendChild(dateControls());
  for (const k of state.MULTI) {
    const vals =
      k === 'influencer'
        ? (o.influencer || []).map((x) => ({ value: x.id, label: (x.name || x.id) + ' · ' + x.id }))
        : opt(k);
    box.appendChild(multiSelect(k, vals, k === 'influencer' || k === 'product' || vals.length > 12));
  }
  box.appendChild(singleInput('min_roas', 'Min ROAS (per influencer)', { min: 0, step: 0.1, placeholder: 'e.g. 1' }));
  const methods = [
    ['', 'Automatic'],
    ['organic', 'Organic baseline'],
    ['holdout', 'Holdout (test vs control)'],
    ['fixed_share', 'Fixed share'],
  ];
  const adv = h(
    'details',
    { class: 'assumptions' },
    h('summary', null, 'Benchmarks & incrementality'),
    singleInput('iroas_method', 'iROAS method', { options: methods }),
    singleInput('fixed_share', 'Fixed share p (0–1)', { min: 0, max: 1, step: 0.05, placeholder: '0.20' }),
    singleInput('roas_benchmark', 'ROAS benchmark', { min: 0, step: 0.5, placeholder: '4' }),
    singleInput('roi_benchmark', 'ROI benchmark (2 = 200 %)', { min: 0, step: 0.5, placeholder: '2' }),
  );
  const f = state.filters;
  if (f.iroas_method || f.fixed_share || f.roas_benchmark || f.roi_benchmark) adv.open = true;
  box.appendChild(adv);
}
/* Shows the current filters in the controls. */
export function syncFilterControls() {
  for (const k in controls) controls[k].sync();
  document.getElementById('filters-reset').disabled = !state.filtersActive(state.filters);
}
document.getElementById('filters-reset').addEventListener('click', () => setFilters(state.readFilters('')));

/* ---------- options and status ---------- */
/* The workspace's filter values (GET /api/options), then the filter controls. */
let optionsLoading = null;
export function loadOptions() {
  optionsLoading = fetchOptions();
  return optionsLoading;
}
/* Resolves once the filter values of the workspace shown are loaded (state.options). */
export function whenOptions() {
  return optionsLoading || loadOptions();
}
async function fetchOptions() {
  const ws = state.ws();
  try {
    const o = await api('/api/options');
    if (ws !== state.ws()) return; /* the workspace changed meanwhile */
    o.influencerMap = new Map((o.influencer || []).map((x) => [x.id, x.name]));
    state.setOptions(o);
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    state.setOptions(state.options || {});
    const box = clear(document.getElementById('filters'));
    box.appendChild(errorBox(e, () => loadOptions()));
    return;
  }
  buildFilters();
  syncFilterControls();
}
/* The status line (GET /api/status: counts and the last import); resolves the status, or null
 * when unavailable. */
export async function refreshStatus() {
  const el = document.getElementById('data-status');
  const ws = state.ws();
  try {
    const s = await api('/api/status');
    if (ws !== state.ws()) return s; /* the workspace changed meanwhile */
    state.setStatus(s);
    setTimeZone(s.time_zone);
    const c = s.counts || {};
    const li = s.last_import;
    clear(el).append(
      h(
        'span',
        { class: 'status-counts' },
        fmt.int(c.influencers) +
          ' influencers · ' +
          fmt.int(c.posts) +
          ' posts · ' +
          fmt.int(c.tracking_data) +
          ' tracking rows · ' +
          fmt.int(c.payouts) +
          ' payouts',
      ),
      h('br'),
      h(
        'span',
        {
          class: 'status-as-of',
          id: 'data-as-of',
          title: 'the last change to the data, in ' + (s.time_zone || "the installation's time zone"),
        },
        'Data as of ' + (s.as_of ? fmt.dateTime(s.as_of) : '— (no change recorded)'),
      ),
      h('br'),
      h(
        'span',
        { class: 'status-import' },
        li
          ? 'Last import: ' +
              li.dataset +
              ', ' +
              fmt.int(li.accepted) +
              ' rows, ' +
              fmt.dateTime(li.finished_at || li.started_at)
          : 'No import yet',
      ),
    );
    /* stored rows the analytics leave out (a value the import would refuse): say so */
    const eng = s.engine || {};
    if (eng.skipped_rows > 0) {
      const first = (eng.skipped || [])[0];
      el.append(
        h('br'),
        h(
          'span',
          {
            class: 'status-skipped',
            title:
              (first
                ? first.dataset +
                  ' ' +
                  first.id +
                  ': ' +
                  first.column +
                  ' "' +
                  first.value +
                  '": ' +
                  first.reason +
                  '. '
                : '') + (eng.fix || ''),
          },
          '\u26a0 ' +
            fmt.int(eng.skipped_rows) +
            ' stored row' +
            (eng.skipped_rows === 1 ? ' is' : 's are') +
            ' left out of the figures (see /api/status)',
        ),
      );
    } else if (eng.error && !eng.loaded) {
      el.append(h('br'), h('span', { class: 'status-skipped' }, 'The data could not be loaded: ' + eng.error));
    }
    return s;
  } catch (e) {
    clear(el).append('Status unavailable: ' + e.message);
    return null;
  }
}
/* After an import, delete or demo load: new counts, new filter values; redraw: the page too. */
export async function dataChanged(redraw) {
  await Promise.all([refreshStatus(), loadOptions()]);
  if (redraw) state.reroute();
}
