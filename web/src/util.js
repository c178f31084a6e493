/* util.js — formatting (Indian grouping, lakh/crore), DOM helpers, the API client and the
 * filter state kept in the URL. Everything is shown through textContent / DOM APIs. */
'use strict';
(function () {
  const ID = (window.ID = window.ID || {});

  /* ---------- formatting ---------- */
  const nfCache = new Map();
  function nf(dec) {
    let f = nfCache.get(dec);
    if (!f) {
      f = new Intl.NumberFormat('en-IN', { minimumFractionDigits: dec, maximumFractionDigits: dec });
      nfCache.set(dec, f);
    }
    return f;
  }
  const DASH = '—';
  const isNum = (v) => typeof v === 'number' && isFinite(v);
  const fmt = {
    /* ₹12,34,567 (dec decimals, default 0 from ₹1,000 up, else 2) */
    money(v, dec) {
      if (!isNum(v)) return DASH;
      if (dec === undefined) dec = Math.abs(v) >= 1000 || v === 0 ? 0 : 2;
      const s = nf(dec).format(Math.abs(v));
      return (v < 0 && s.replace(/[0.,]/g, '') !== '' ? '−' : '') + '₹' + s;
    },
    /* lakh / crore for cards: ₹5.92 Cr, ₹12.35 L, below a lakh in full */
    moneyShort(v) {
      if (!isNum(v)) return DASH;
      const a = Math.abs(v), sign = v < 0 ? '−' : '';
      if (a >= 1e7) return sign + '₹' + nf(2).format(a / 1e7) + ' Cr';
      if (a >= 1e5) return sign + '₹' + nf(2).format(a / 1e5) + ' L';
      return fmt.money(v);
    },
    int(v) { return isNum(v) ? nf(0).format(v) : DASH; },
    /* a count for cards: 12.3 L, 4.5 Cr */
    intShort(v) {
      if (!isNum(v)) return DASH;
      const a = Math.abs(v);
      if (a >= 1e7) return nf(2).format(v / 1e7) + ' Cr';
      if (a >= 1e5) return nf(2).format(v / 1e5) + ' L';
      return nf(0).format(v);
    },
    /* a fraction as percent: 2.35 → 235.1 % */
    pct(v, dec) {
      if (!isNum(v)) return DASH;
      if (dec === undefined) dec = Math.abs(v) < 0.1 ? 2 : 1;
      const s = nf(dec).format(Math.abs(v * 100));
      return (v < 0 && /[1-9]/.test(s) ? '−' : '') + s + ' %';
    },
    ratio(v, dec) { return isNum(v) ? nf(dec === undefined ? 2 : dec).format(v) : DASH; },
    roas(v) { return isNum(v) ? nf(2).format(v) + '×' : DASH; },
    date(s) {
      if (!s) return DASH;
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
      if (!m) return String(s);
      const mon = ['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'][+m[2] - 1];
      return +m[3] + ' ' + mon + ' ' + m[1];
    },
    dateTime(s) {
      if (!s) return DASH;
      const d = new Date(s);
      if (isNaN(d)) return String(s);
      return d.toLocaleString('en-IN', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    },
    text(v) { return v === null || v === undefined || v === '' ? DASH : String(v); },
  };
  ID.fmt = fmt;

  /* HTML escaping for the few places a library wants an HTML string (echarts tooltips). */
  ID.esc = function (s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' }[c]));
  };

  /* ---------- DOM ---------- */
  /* h('div', {class:'x', onclick: fn, 'aria-label': 'y'}, child, 'text', [more]) */
  function h(tag, attrs, ...kids) {
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
        else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'multiple') el[k] = !!v;
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
  ID.h = h;
  ID.clear = (el) => { while (el.firstChild) el.removeChild(el.firstChild); return el; };

  /* ---------- filters in the URL ---------- */
  ID.MULTI = ['platform', 'brand', 'product', 'campaign', 'source', 'category', 'gender', 'tier', 'persona', 'influencer', 'basis'];
  ID.SINGLE = ['from', 'to', 'min_roas', 'iroas_method', 'fixed_share', 'roas_benchmark', 'roi_benchmark'];
  ID.LABELS = { platform: 'Platform', brand: 'Brand', product: 'Product', campaign: 'Campaign', source: 'Source', category: 'Category', gender: 'Gender', tier: 'Tier', persona: 'Persona', influencer: 'Influencer', basis: 'Payout basis', from: 'From', to: 'To', min_roas: 'Min ROAS', iroas_method: 'iROAS method', fixed_share: 'Fixed share', roas_benchmark: 'ROAS benchmark', roi_benchmark: 'ROI benchmark' };

  ID.readFilters = function (search) {
    const p = new URLSearchParams(search === undefined ? location.search : search);
    const f = {};
    for (const k of ID.MULTI) {
      const v = p.get(k);
      f[k] = v ? v.split(',').filter((x) => x !== '') : [];
    }
    for (const k of ID.SINGLE) f[k] = p.get(k) || '';
    return f;
  };
  /* The query string (no '?') of the filters, in a fixed order. */
  ID.filterQuery = function (f) {
    const p = new URLSearchParams();
    for (const k of ID.SINGLE.slice(0, 2)) if (f[k]) p.set(k, f[k]);
    for (const k of ID.MULTI) if (f[k] && f[k].length) p.set(k, f[k].join(','));
    for (const k of ID.SINGLE.slice(2)) if (f[k] !== '' && f[k] !== undefined && f[k] !== null) p.set(k, f[k]);
    return p.toString();
  };
  ID.filtersActive = function (f) {
    return ID.MULTI.some((k) => f[k].length) || ID.SINGLE.some((k) => f[k]);
  };
  /* Human description of the filters, one "name: values" per filter set. */
  ID.describeFilters = function (f) {
    const out = [];
    if (f.from || f.to) out.push('Dates: ' + (f.from || 'start') + ' to ' + (f.to || 'end'));
    for (const k of ID.MULTI) if (f[k].length) out.push(ID.LABELS[k] + ': ' + f[k].map((v) => (k === 'influencer' ? ID.influencerName(v) : v)).join(', '));
    for (const k of ID.SINGLE.slice(2)) if (f[k]) out.push(ID.LABELS[k] + ': ' + f[k]);
    return out;
  };
  ID.influencerName = function (id) {
    const m = ID.options && ID.options.influencerMap;
    const n = m && m.get(id);
    return n ? n + ' (' + id + ')' : id;
  };

  /* ---------- session, workspace, CSRF ---------- */
  /* The answer of GET /api/session (app.js loads it before the first page); null until then.
   * An old server without accounts has no /api/session: app.js puts an open-mode stand-in. */
  ID.session = null;
  /* The current workspace: the URL's ?ws= ('' when absent: the server picks the session's). */
  ID.ws = function () { return new URLSearchParams(location.search).get('ws') || ''; };
  /* The slug shown as current: ?ws=, else the session's workspace. */
  ID.currentWs = function () { return ID.ws() || (ID.session && ID.session.workspace) || ''; };
  /* path (may carry a query) with ws=<slug> added when the URL names a workspace and the path
   * has none yet. */
  ID.wsPath = function (path) {
    const ws = ID.ws();
    if (!ws || /[?&]ws=/.test(path)) return path;
    return path + (path.includes('?') ? '&' : '?') + 'ws=' + encodeURIComponent(ws);
  };
  /* The rights of the session (everything in open mode or before the session is known). */
  ID.can = function (right) {
    const c = ID.session && ID.session.can;
    return c ? !!c[right] : true;
  };
  /* Headers of a state-changing request: the session's CSRF token when there is one. */
  ID.csrfHeaders = function (headers) {
    const out = Object.assign({}, headers || {});
    const t = ID.session && ID.session.csrf;
    if (t) out['X-CSRF-Token'] = t;
    return out;
  };
  /* The session ended (or never was): to the sign-in page, back here afterwards. */
  let leaving = false;
  ID.toLogin = function () {
    if (!leaving) {
      leaving = true;
      location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
    }
    return new DOMException('signing in again', 'AbortError');
  };
  /* API paths that are not about one workspace's data. */
  const NO_WS = /^\/api\/(session|users|workspaces)(\/|\?|$)/;

  /* ---------- API ---------- */
  class ApiError extends Error {
    constructor(status, message, body) { super(message); this.status = status; this.body = body; }
  }
  ID.ApiError = ApiError;
  /* JSON from the API; a 503 ("still loading") is retried every second (onWait tells the page).
   * Adds ?ws= (the URL's workspace) to data paths and X-CSRF-Token to state-changing requests;
   * a 401 goes to the sign-in page (opts.no401: the caller handles it). */
  ID.api = async function (path, opts) {
    opts = opts || {};
    const method = (opts.method || 'GET').toUpperCase();
    if (path.startsWith('/api/') && !NO_WS.test(path)) path = ID.wsPath(path);
    const headers = { Accept: 'application/json' };
    const init = { method, signal: opts.signal, headers: method === 'GET' || method === 'HEAD' ? headers : ID.csrfHeaders(headers), body: opts.body, credentials: 'same-origin' };
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(path, init);
      if (res.status === 503 && attempt < 120 && !opts.noRetry) {
        if (opts.onWait) opts.onWait(attempt);
        await new Promise((r) => setTimeout(r, 1000));
        if (opts.signal && opts.signal.aborted) throw new DOMException('aborted', 'AbortError');
        continue;
      }
      if (res.status === 401 && !opts.no401) throw ID.toLogin();
      let body = null;
      const ct = res.headers.get('content-type') || '';
      if (ct.includes('json')) { try { body = await res.json(); } catch (e) { body = null; } }
      else { try { body = await res.text(); } catch (e) { body = null; } }
      if (!res.ok) {
        const msg = body && body.error ? body.error : (typeof body === 'string' && body ? body.slice(0, 300) : res.status + ' ' + res.statusText);
        throw new ApiError(res.status, msg, body);
      }
      return body;
    }
  };
  /* path?<filters>&<extra>, plus ws= when the URL names a workspace (API and export links). */
  ID.withFilters = function (path, f, extra) {
    const q = ID.filterQuery(f);
    const e = extra ? new URLSearchParams(extra).toString() : '';
    const all = [q, e].filter(Boolean).join('&');
    return ID.wsPath(all ? path + '?' + all : path);
  };

  /* ---------- small widgets ---------- */
  ID.loading = (text) => h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text || 'Loading…');
  ID.errorBox = function (err, retry) {
    const box = h('div', { class: 'error', role: 'alert' },
      h('strong', null, err && err.status === 400 ? 'The request was refused: ' : 'Something went wrong: '),
      err && err.message ? err.message : String(err));
    if (retry) box.appendChild(h('button', { type: 'button', class: 'retry', onclick: retry }, 'Retry'));
    return box;
  };
  ID.card = function (label, value, opts) {
    opts = opts || {};
    return h('div', { class: 'card' + (opts.cls ? ' ' + opts.cls : ''), dataset: { kpi: opts.key || '' } },
      h('div', { class: 'card-label' }, label),
      h('div', { class: 'card-value', title: opts.title || null, dataset: { kpiValue: opts.key || '' } }, value),
      opts.sub ? h('div', { class: 'card-sub' }, opts.sub) : null);
  };

  /* A sortable table. cols: [{key, label, fmt(row) → string|Node, num: bool, sort(row) → value}] */
  ID.table = function (cols, rows, opts) {
    opts = opts || {};
    let sortKey = opts.sortKey || null, sortDir = opts.sortDir || 'desc';
    const limit = opts.limit || 0;
    let showAll = false;
    const wrap = h('div', { class: 'table-wrap' });
    const table = h('table', { class: 'data' + (opts.cls ? ' ' + opts.cls : '') });
    if (opts.caption) table.appendChild(h('caption', null, opts.caption));
    const thead = h('thead'), tbody = h('tbody'), trh = h('tr');
    thead.appendChild(trh);
    table.append(thead, tbody);
    wrap.appendChild(table);
    const more = h('p', { class: 'more' });
    wrap.appendChild(more);
    function val(c, r) { return c.sort ? c.sort(r) : r[c.key]; }
    function cmp(a, b) {
      const na = a === null || a === undefined, nb = b === null || b === undefined;
      if (na || nb) return na && nb ? 0 : na ? 1 : -1; /* empty last */
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
    }
    function headers() {
      ID.clear(trh);
      for (const c of cols) {
        const th = h('th', { scope: 'col', class: c.num ? 'num' : null });
        if (c.nosort || opts.nosort) th.textContent = c.label;
        else {
          th.setAttribute('aria-sort', sortKey === c.key ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
          th.appendChild(h('button', { type: 'button', class: 'sort', onclick: () => {
            if (sortKey === c.key) sortDir = sortDir === 'asc' ? 'desc' : 'asc';
            else { sortKey = c.key; sortDir = c.num ? 'desc' : 'asc'; }
            if (opts.onSort) opts.onSort(sortKey, sortDir);
            draw();
          } }, c.label, h('span', { class: 'arrow', 'aria-hidden': 'true' }, sortKey === c.key ? (sortDir === 'asc' ? ' ▲' : ' ▼') : '')));
        }
        trh.appendChild(th);
      }
    }
    function draw() {
      headers();
      let data = rows.slice();
      if (sortKey) {
        const c = cols.find((x) => x.key === sortKey);
        if (c) { data.sort((a, b) => cmp(val(c, a), val(c, b))); if (sortDir === 'desc') { data.reverse(); /* keep empties last */ data.sort((a, b) => ((val(c, a) == null) - (val(c, b) == null))); } }
      }
      const n = data.length;
      if (limit && !showAll && n > limit) data = data.slice(0, limit);
      const frag = document.createDocumentFragment();
      for (const r of data) {
        const tr = h('tr', opts.rowClass ? { class: opts.rowClass(r) } : null);
        for (const c of cols) {
          const v = c.fmt ? c.fmt(r) : r[c.key];
          const td = h('td', { class: c.num ? 'num' : null });
          if (v instanceof Node) td.appendChild(v); else td.textContent = v === null || v === undefined ? '—' : String(v);
          tr.appendChild(td);
        }
        frag.appendChild(tr);
      }
      ID.clear(tbody).appendChild(frag);
      if (!n) tbody.appendChild(h('tr', null, h('td', { colspan: cols.length, class: 'empty' }, opts.empty || 'Nothing matches the filters.')));
      ID.clear(more);
      if (limit && n > limit) {
        more.append(showAll ? 'Showing all ' + fmt.int(n) + ' rows. ' : 'Showing ' + fmt.int(limit) + ' of ' + fmt.int(n) + ' rows. ',
          h('button', { type: 'button', class: 'linkish', onclick: () => { showAll = !showAll; draw(); } }, showAll ? 'Show fewer' : 'Show all'));
      }
    }
    draw();
    wrap.setRows = (r) => { rows = r; draw(); };
    return wrap;
  };

  /* Confirmation in a <dialog> (no window.confirm). Resolves true/false. */
  ID.confirm = function (title, text, okLabel) {
    const d = document.getElementById('confirm-dialog');
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-ok').textContent = okLabel || 'Confirm';
    d.returnValue = '';
    return new Promise((resolve) => {
      d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true });
      d.showModal();
    });
  };

  /* Downloads text as a file (Blob URL). */
  ID.download = function (name, text, type) {
    const blob = new Blob([text], { type: type || 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
  };
  /* One CSV field (RFC 4180), with spreadsheet formula injection defused for text. */
  ID.csvField = function (v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return String(v);
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
})();
