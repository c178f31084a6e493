/* main.js — the entry module (index.html loads it): the session first, then History-API
 * routing: every page address draws its page module into #page; links inside the app
 * navigate without a reload; back/forward redraw. Pages live in pages/, one module each:
 * a function of ctx = {el, filters, signal, params, stale()} that fetches and draws. */
import { loadSession, syncWorkspace } from './account.js';
import * as charts from './charts.js';
import { clear, errorBox, h } from './dom.js';
import { closeMenu, loadOptions, refreshStatus, setFilters, syncFilterControls } from './sidebar.js';
import * as state from './state.js';
import { dashboard } from './pages/dashboard.js';
import { database } from './pages/database.js';
import { exportPage } from './pages/export.js';
import { influencer } from './pages/influencer.js';
import { influencers } from './pages/influencers.js';
import { insights } from './pages/insights.js';
import { payouts } from './pages/payouts.js';
import { upload } from './pages/upload.js';

const PAGES = { dashboard, influencers, influencer, insights, payouts, upload, export: exportPage, database };
const ROUTES = [
  [/^\/$/, 'dashboard'],
  [/^\/influencers\/?$/, 'influencers'],
  [/^\/influencers\/([^/]+)$/, 'influencer'],
  [/^\/insights\/?$/, 'insights'],
  [/^\/payouts\/?$/, 'payouts'],
  [/^\/upload\/?$/, 'upload'],
  [/^\/export\/?$/, 'export'],
  [/^\/database\/?$/, 'database'],
];
function match(path) {
  for (const [re, name] of ROUTES) {
    const m = re.exec(path);
    if (m) return { name, params: m.slice(1).map(decodeURIComponent) };
  }
  return null;
}

let current = null; /* {ctrl} of the page being shown */
let shownWs = null; /* the workspace whose options and status the sidebar shows */
let shownPath = null; /* the page address drawn last */

/* Draws the page of the current URL. */
function route() {
  state.setFilters(state.readFilters());
  if (state.ws() !== shownWs) {
    /* first page, or another workspace (switcher, back/forward): its filter values and counts */
    if (shownWs !== null) document.getElementById('session-notice').hidden = true;
    shownWs = state.ws();
    syncWorkspace();
    refreshStatus();
    loadOptions();
  }
  updateNav();
  const m = match(location.pathname);
  if (current) current.ctrl.abort();
  charts.disposeAll();
  const el = clear(document.getElementById('page'));
  const ctrl = new AbortController();
  current = { ctrl };
  /* the phone menu closes when the user goes to another page, not when a filter changes
   * (the user may tick several) */
  if (location.pathname !== shownPath) closeMenu();
  shownPath = location.pathname;
  if (!m) {
    document.title = 'Not found · infludash';
    el.append(
      h('h1', null, 'Page not found'),
      h('p', null, h('a', { href: state.link('/') }, 'Back to the dashboard')),
    );
    return;
  }
  const page = PAGES[m.name];
  const ctx = { el, filters: state.filters, signal: ctrl.signal, params: m.params, stale: () => ctrl.signal.aborted };
  Promise.resolve()
    .then(() => page(ctx))
    .catch((err) => {
      if (ctrl.signal.aborted || (err && err.name === 'AbortError')) return;
      console.warn(err);
      /* the page stopped: no "Loading…" may stay above its error */
      for (const w of el.querySelectorAll('.loading')) w.remove();
      el.appendChild(refused(err) || errorBox(err, () => route()));
    });
}
state.setRouter(route);

/* The error box of a request the server refused for its filters (400: a reversed range, a
 * bad value): the server's reason and the ways out, instead of a Retry that would fail again. */
function refused(err) {
  const f = state.filters;
  if (!(err && err.status === 400) || !state.filtersActive(f)) return null;
  const box = errorBox(err);
  box.appendChild(
    h(
      'p',
      { class: 'row-actions' },
      f.from || f.to
        ? h(
            'button',
            {
              type: 'button',
              id: 'error-all-dates',
              onclick: () => setFilters(Object.assign({}, f, { from: '', to: '' })),
            },
            'Show all dates',
          )
        : null,
      h(
        'button',
        { type: 'button', id: 'error-reset', onclick: () => setFilters(state.readFilters('')) },
        'Reset all filters',
      ),
    ),
  );
  return box;
}

function updateNav() {
  const m = match(location.pathname);
  const active = m ? (m.name === 'influencer' ? 'influencers' : m.name) : '';
  for (const a of document.querySelectorAll('.nav a')) {
    const base = a.getAttribute('href').split('?')[0];
    a.setAttribute('href', state.link(base));
    if (a.dataset.route === 'upload') a.parentElement.hidden = !state.can('import');
    if (a.dataset.route === active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/assets/')) return;
  if (!match(url.pathname)) return;
  e.preventDefault();
  state.navigate(url.pathname + url.search + url.hash);
  document.getElementById('main').focus({ preventScroll: true });
  window.scrollTo(0, 0);
});
window.addEventListener('popstate', () => {
  state.setFilters(state.readFilters());
  syncFilterControls();
  route();
});

async function start() {
  if (!(await loadSession())) return;
  route();
  /* the chart library, once the first page's requests are out (a page without charts may
   * need it next) */
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
  idle(() => charts.ready().catch(() => {}));
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
