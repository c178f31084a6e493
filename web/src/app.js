/* app.js — the shell: the session (GET /api/session: user, role, rights, workspaces, CSRF
 * token), History-API routing, the sidebar filters (kept in the URL query string with the
 * API's parameter names, with ?ws= the workspace), the data status line. Pages live in
 * pages.js/upload.js. */
'use strict';
(function () {
  const ID = window.ID;
  const { h, fmt } = ID;

  ID.filters = ID.readFilters();
  ID.options = null;
  let current = null; /* {ctrl} of the page being shown */

  /* ---------- routing ---------- */
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
  /* The query string (no '?') of a page URL: ws first (when the URL has one), then filters. */
  function pageQuery(f) {
    const ws = ID.ws();
    const q = ID.filterQuery(f);
    return [ws ? 'ws=' + encodeURIComponent(ws) : '', q].filter(Boolean).join('&');
  }
  /* A link to a page that keeps the workspace and the filters. */
  ID.link = function (path) {
    const q = pageQuery(ID.filters);
    return q ? path + '?' + q : path;
  };
  ID.navigate = function (url, replace) {
    if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
    route();
  };
  /* Filters changed from the sidebar: a new history entry, same page. */
  ID.setFilters = function (f) {
    ID.filters = f;
    const q = pageQuery(f);
    history.pushState(null, '', location.pathname + (q ? '?' + q : ''));
    syncFilterControls();
    route();
  };

  let shownWs = null; /* the workspace whose options and status the sidebar shows */
  function route() {
    ID.filters = ID.readFilters();
    if (ID.ws() !== shownWs) {
      /* first page, or another workspace (switcher, back/forward): its filter values and counts */
      if (shownWs !== null) document.getElementById('session-notice').hidden = true;
      shownWs = ID.ws();
      syncWorkspace();
      ID.refreshStatus();
      ID.loadOptions();
    }
    updateNav();
    const m = match(location.pathname);
    if (current) current.ctrl.abort();
    ID.charts.disposeAll();
    const el = ID.clear(document.getElementById('page'));
    const ctrl = new AbortController();
    current = { ctrl };
    closeMenu();
    if (!m) {
      document.title = 'Not found · infludash';
      el.append(h('h1', null, 'Page not found'), h('p', null, h('a', { href: ID.link('/') }, 'Back to the dashboard')));
      return;
    }
    const page = ID.pages[m.name];
    const ctx = { el, filters: ID.filters, signal: ctrl.signal, params: m.params, stale: () => ctrl.signal.aborted };
    Promise.resolve()
      .then(() => page(ctx))
      .catch((err) => {
        if (ctrl.signal.aborted || (err && err.name === 'AbortError')) return;
        console.warn(err);
        el.appendChild(ID.errorBox(err, () => route()));
      });
  }
  ID.reroute = route;

  function updateNav() {
    const m = match(location.pathname);
    const active = m ? (m.name === 'influencer' ? 'influencers' : m.name) : '';
    for (const a of document.querySelectorAll('.nav a')) {
      const base = a.getAttribute('href').split('?')[0];
      a.setAttribute('href', ID.link(base));
      if (a.dataset.route === 'upload') a.parentElement.hidden = !ID.can('import');
      if (a.dataset.route === active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
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
    ID.navigate(url.pathname + url.search + url.hash);
    document.getElementById('main').focus({ preventScroll: true });
    window.scrollTo(0, 0);
  });
  window.addEventListener('popstate', () => { ID.filters = ID.readFilters(); syncFilterControls(); route(); });

  /* ---------- phone menu ---------- */
  const toggle = document.getElementById('menu-toggle');
  const sidebar = document.getElementById('sidebar');
  function closeMenu() { sidebar.classList.remove('open'); toggle.setAttribute('aria-expanded', 'false'); }
  toggle.addEventListener('click', () => {
    const open = !sidebar.classList.contains('open');
    sidebar.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', String(open));
  });

  /* ---------- sidebar filters ---------- */
  const controls = {}; /* key → {sync()} */

  function multiSelect(key, values, searchable) {
    /* values: [{value, label}] */
    const id = 'f-' + key;
    const summaryText = h('span', { class: 'ms-value' });
    const summary = h('summary', { id: id + '-summary' }, h('span', { class: 'ms-label' }, ID.LABELS[key]), summaryText);
    const list = h('div', { class: 'ms-list', role: 'group', 'aria-labelledby': id + '-summary' });
    const search = searchable ? h('input', { type: 'search', class: 'ms-search', placeholder: 'Search ' + ID.LABELS[key].toLowerCase() + '…', 'aria-label': 'Search ' + ID.LABELS[key].toLowerCase() }) : null;
    const note = h('p', { class: 'ms-note muted' });
    const LIMIT = 200;
    function selected() { return ID.filters[key]; }
    function drawList() {
      ID.clear(list);
      const q = search ? search.value.trim().toLowerCase() : '';
      const sel = new Set(selected());
      let shown = 0, matched = 0;
      /* selected first, so they stay reachable when the list is long */
      const ordered = values.filter((v) => sel.has(v.value)).concat(values.filter((v) => !sel.has(v.value)));
      for (const v of ordered) {
        if (q && !(v.label.toLowerCase().includes(q) || v.value.toLowerCase().includes(q))) continue;
        matched++;
        if (shown >= LIMIT) continue;
        shown++;
        const cb = h('input', { type: 'checkbox', value: v.value, checked: sel.has(v.value) });
        cb.addEventListener('change', () => {
          const cur = new Set(selected());
          if (cb.checked) cur.add(v.value); else cur.delete(v.value);
          const f = Object.assign({}, ID.filters, { [key]: values.map((x) => x.value).filter((x) => cur.has(x)).concat([...cur].filter((x) => !values.some((y) => y.value === x))) });
          ID.setFilters(f);
        });
        list.appendChild(h('label', { class: 'ms-item' }, cb, h('span', null, v.label)));
      }
      note.textContent = matched > shown ? 'Showing ' + shown + ' of ' + matched + '; type to search.' : matched === 0 ? 'No match.' : '';
    }
    const clearBtn = h('button', { type: 'button', class: 'linkish', onclick: () => ID.setFilters(Object.assign({}, ID.filters, { [key]: [] })) }, 'Clear');
    if (search) search.addEventListener('input', drawList);
    const det = h('details', { class: 'ms', dataset: { filter: key } }, summary,
      h('div', { class: 'ms-panel' }, search, list, note, h('div', { class: 'ms-actions' }, clearBtn)));
    det.addEventListener('toggle', () => { if (det.open) drawList(); });
    function sync() {
      const sel = selected();
      summaryText.textContent = sel.length === 0 ? 'All' : sel.length === 1 ? (key === 'influencer' ? ID.influencerName(sel[0]) : sel[0]) : sel.length + ' selected';
      det.classList.toggle('active', sel.length > 0);
      if (det.open) drawList();
    }
    controls[key] = { sync };
    sync();
    return det;
  }

  /* Date presets relative to the data's last date. */
  function iso(d) { return d.toISOString().slice(0, 10); }
  function parseISO(s) { const [y, m, d] = s.split('-').map(Number); return new Date(Date.UTC(y, m - 1, d)); }
  function presets() {
    const o = ID.options || {};
    if (!o.to) return {};
    const last = parseISO(o.to);
    const y = last.getUTCFullYear(), m = last.getUTCMonth();
    const minus = (n) => { const d = new Date(last); d.setUTCDate(d.getUTCDate() - (n - 1)); return iso(d); };
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

  function dateControls() {
    const sel = h('select', { id: 'f-preset' });
    sel.appendChild(h('option', { value: 'all' }, 'All time'));
    const ps = presets();
    for (const k in ps) sel.appendChild(h('option', { value: k }, ps[k][0]));
    sel.appendChild(h('option', { value: 'custom' }, 'Custom range'));
    const o = ID.options || {};
    const from = h('input', { type: 'date', id: 'f-from', min: o.from || null, max: o.to || null });
    const to = h('input', { type: 'date', id: 'f-to', min: o.from || null, max: o.to || null });
    sel.addEventListener('change', () => {
      const v = sel.value;
      if (v === 'all') ID.setFilters(Object.assign({}, ID.filters, { from: '', to: '' }));
      else if (ps[v]) ID.setFilters(Object.assign({}, ID.filters, { from: ps[v][1], to: ps[v][2] }));
      else from.focus();
    });
    const onDate = () => ID.setFilters(Object.assign({}, ID.filters, { from: from.value, to: to.value }));
    from.addEventListener('change', onDate);
    to.addEventListener('change', onDate);
    controls.dates = {
      sync() {
        const f = ID.filters;
        from.value = f.from; to.value = f.to;
        let p = 'custom';
        if (!f.from && !f.to) p = 'all';
        else for (const k in ps) if (ps[k][1] === f.from && ps[k][2] === f.to) { p = k; break; }
        sel.value = p;
      },
    };
    controls.dates.sync();
    return h('div', { class: 'dates' },
      h('label', { for: 'f-preset' }, 'Date range'), sel,
      h('div', { class: 'date-pair' },
        h('span', null, h('label', { for: 'f-from' }, 'From'), from),
        h('span', null, h('label', { for: 'f-to' }, 'To'), to)));
  }

  function singleInput(key, label, attrs) {
    const id = 'f-' + key;
    const input = attrs.options
      ? h('select', { id }, attrs.options.map(([v, t]) => h('option', { value: v }, t)))
      : h('input', Object.assign({ id, type: 'number', inputmode: 'decimal' }, attrs));
    input.addEventListener('change', () => ID.setFilters(Object.assign({}, ID.filters, { [key]: input.value.trim() })));
    controls[key] = { sync() { input.value = ID.filters[key] || (attrs.options ? attrs.options[0][0] : ''); } };
    controls[key].sync();
    return h('div', { class: 'single' }, h('label', { for: id }, label), input);
  }

  function buildFilters() {
    const box = ID.clear(document.getElementById('filters'));
    const o = ID.options || {};
    const opt = (k) => (o[k] || []).map((v) => ({ value: String(v), label: String(v) }));
    box.appendChild(dateControls());
    for (const k of ID.MULTI) {
      const vals = k === 'influencer' ? (o.influencer || []).map((x) => ({ value: x.id, label: (x.name || x.id) + ' · ' + x.id })) : opt(k);
      box.appendChild(multiSelect(k, vals, k === 'influencer' || k === 'product' || vals.length > 12));
    }
    box.appendChild(singleInput('min_roas', 'Min ROAS (per influencer)', { min: 0, step: 0.1, placeholder: 'e.g. 1' }));
    const adv = h('details', { class: 'assumptions' }, h('summary', null, 'Benchmarks & incrementality'),
      singleInput('iroas_method', 'iROAS method', { options: [['', 'Automatic'], ['organic', 'Organic baseline'], ['holdout', 'Holdout (test vs control)'], ['fixed_share', 'Fixed share']] }),
      singleInput('fixed_share', 'Fixed share p (0–1)', { min: 0, max: 1, step: 0.05, placeholder: '0.20' }),
      singleInput('roas_benchmark', 'ROAS benchmark', { min: 0, step: 0.5, placeholder: '4' }),
      singleInput('roi_benchmark', 'ROI benchmark (2 = 200 %)', { min: 0, step: 0.5, placeholder: '2' }));
    if (ID.filters.iroas_method || ID.filters.fixed_share || ID.filters.roas_benchmark || ID.filters.roi_benchmark) adv.open = true;
    box.appendChild(adv);
  }
  function syncFilterControls() {
    for (const k in controls) controls[k].sync();
    document.getElementById('filters-reset').disabled = !ID.filtersActive(ID.filters);
  }
  document.getElementById('filters-reset').addEventListener('click', () => ID.setFilters(ID.readFilters('')));

  /* ---------- options and status ---------- */
  ID.loadOptions = async function () {
    const ws = ID.ws();
    try {
      const o = await ID.api('/api/options');
      if (ws !== ID.ws()) return; /* the workspace changed meanwhile */
      o.influencerMap = new Map((o.influencer || []).map((x) => [x.id, x.name]));
      ID.options = o;
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      ID.options = ID.options || {};
      const box = ID.clear(document.getElementById('filters'));
      box.appendChild(ID.errorBox(e, () => ID.loadOptions()));
      return;
    }
    buildFilters();
    syncFilterControls();
  };
  ID.refreshStatus = async function () {
    const el = document.getElementById('data-status');
    const ws = ID.ws();
    try {
      const s = await ID.api('/api/status');
      if (ws !== ID.ws()) return s; /* the workspace changed meanwhile */
      ID.status = s;
      const c = s.counts || {};
      ID.clear(el).append(
        h('span', { class: 'status-counts' }, fmt.int(c.influencers) + ' influencers · ' + fmt.int(c.posts) + ' posts · ' + fmt.int(c.tracking_data) + ' tracking rows · ' + fmt.int(c.payouts) + ' payouts'),
        h('br'),
        h('span', { class: 'status-import' }, s.last_import ? 'Last import: ' + s.last_import.dataset + ', ' + fmt.int(s.last_import.accepted) + ' rows, ' + fmt.dateTime(s.last_import.finished_at || s.last_import.started_at) : 'No import yet'));
      /* stored rows the analytics leave out (a value the import would refuse): say so */
      const eng = s.engine || {};
      if (eng.skipped_rows > 0) {
        const first = (eng.skipped || [])[0];
        el.append(h('br'), h('span', { class: 'status-skipped', title: (first ? first.dataset + ' ' + first.id + ': ' + first.column + ' "' + first.value + '": ' + first.reason + '. ' : '') + (eng.fix || '') },
          '\u26a0 ' + fmt.int(eng.skipped_rows) + ' stored row' + (eng.skipped_rows === 1 ? ' is' : 's are') + ' left out of the figures (see /api/status)'));
      } else if (eng.error && !eng.loaded) {
        el.append(h('br'), h('span', { class: 'status-skipped' }, 'The data could not be loaded: ' + eng.error));
      }
      return s;
    } catch (e) {
      ID.clear(el).append('Status unavailable: ' + e.message);
      return null;
    }
  };
  /* After an import, delete or demo load: new counts, new filter values, redraw. */
  ID.dataChanged = async function (redraw) {
    await Promise.all([ID.refreshStatus(), ID.loadOptions()]);
    if (redraw) route();
  };

  /* ---------- session, account, workspace switcher ---------- */
  const OPEN_SESSION = { open: true, legacy: true, user: null, csrf: null, workspace: '', workspaces: [], can: { read: true, import: true, delete: true, admin: false } };
  async function getSession(ws) {
    const res = await fetch('/api/session' + (ws ? '?ws=' + encodeURIComponent(ws) : ''), { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return { status: res.status, body };
  }
  /* Resolves false when the page is leaving for the sign-in page. */
  async function loadSession() {
    let notice = null;
    try {
      let r = await getSession(ID.ws());
      if (r.status === 404 && ID.ws()) {
        /* an unknown workspace (or not the user's), or an old server without accounts */
        const r2 = await getSession('');
        if (r2.status === 200 && r2.body) {
          notice = 'Workspace "' + ID.ws() + '" does not exist or is not yours; showing "' + (r2.body.workspace || 'default') + '".';
          const p = new URLSearchParams(location.search);
          p.delete('ws');
          const q = p.toString();
          history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
        }
        r = r2;
      }
      if (r.status === 401) { ID.toLogin(); return false; }
      if (r.status === 200 && r.body && typeof r.body === 'object') ID.session = r.body;
      else if (r.status === 404) ID.session = Object.assign({}, OPEN_SESSION); /* a server without accounts */
      else throw new Error('GET /api/session answered ' + r.status + (r.body && r.body.error ? ': ' + r.body.error : ''));
    } catch (e) {
      /* Unknown state: go on with every control shown (the server still decides). */
      console.warn('session unavailable:', e);
      ID.session = { open: false, unknown: true, user: null, csrf: null, workspace: '', workspaces: [], can: { read: true, import: true, delete: true, admin: false } };
    }
    if (!ID.session.can) ID.session.can = { read: true, import: true, delete: true, admin: !!ID.session.open };
    if (!Array.isArray(ID.session.workspaces)) ID.session.workspaces = [];
    drawAccount(notice);
    return true;
  }
  async function signOut(btn) {
    btn.disabled = true;
    try {
      await fetch('/logout', { method: 'POST', headers: ID.csrfHeaders({ Accept: 'application/json' }), credentials: 'same-origin', redirect: 'manual' });
    } catch (e) { console.warn('sign out:', e); }
    location.assign('/login');
  }
  function drawAccount(notice) {
    const s = ID.session;
    const acct = ID.clear(document.getElementById('account'));
    if (s.user) {
      const who = h('span', { class: 'who', id: 'account-name' }, s.user.name + ' (' + s.user.role + ')');
      const out = h('button', { type: 'button', id: 'sign-out', class: 'linkish' }, 'Sign out');
      out.addEventListener('click', () => signOut(out));
      acct.append(who, ' ', out);
      acct.hidden = false;
      const top = document.getElementById('top-account');
      if (top) top.textContent = s.user.name + ' (' + s.user.role + ')';
    } else acct.hidden = true;
    const banner = ID.clear(document.getElementById('open-banner'));
    if (s.open) {
      banner.append(h('strong', null, 'Open mode: '), 'no accounts exist — anyone who can reach this server can read and change the data. Create one with ', h('code', null, 'infludash user add NAME --role admin'), '.');
      banner.hidden = false;
    } else banner.hidden = true;
    const n = document.getElementById('session-notice');
    n.textContent = notice || '';
    n.hidden = !notice;
    const box = ID.clear(document.getElementById('workspace'));
    if (s.workspaces.length > 1) {
      const sel = h('select', { id: 'ws-select' }, s.workspaces.map((w) => h('option', { value: w.slug }, w.title && w.title !== w.slug ? w.title + ' (' + w.slug + ')' : w.slug)));
      sel.addEventListener('change', () => {
        /* another workspace: its own filter values, so the filters start empty */
        ID.navigate(location.pathname.startsWith('/influencers/') ? '/influencers?ws=' + encodeURIComponent(sel.value) : location.pathname + '?ws=' + encodeURIComponent(sel.value));
      });
      box.append(h('label', { for: 'ws-select' }, 'Workspace'), sel);
      box.hidden = false;
    } else box.hidden = true;
    syncWorkspace();
  }
  function syncWorkspace() {
    const sel = document.getElementById('ws-select');
    if (sel) sel.value = ID.currentWs();
  }

  async function start() {
    if (!(await loadSession())) return;
    route();
    let t = 0;
    window.addEventListener('resize', () => { clearTimeout(t); t = setTimeout(() => ID.charts.resizeAll(), 120); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
