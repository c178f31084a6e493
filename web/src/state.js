/* state.js — the little the pages share, in one place: the filters (kept in the URL query
 * string with the API's parameter names), the workspace (?ws=), the session (user, rights,
 * CSRF token), the filter values and data status of the workspace shown, and navigation.
 * Only this module assigns them (the exported bindings are live and read-only elsewhere:
 * use the setters). Imports nothing. */

/* ---------- filters in the URL ---------- */
export const MULTI = [
  'platform',
  'brand',
  'product',
  'campaign',
  'source',
  'category',
  'gender',
  'tier',
  'persona',
  'influencer',
  'basis',
];
export const SINGLE = [
  'from',
  'to',
  'min_roas',
  'iroas_method',
  'fixed_share',
  'roas_benchmark',
  'roi_benchmark',
  'compare',
];
export const LABELS = {
  platform: 'Platform',
  brand: 'Brand',
  product: 'Product',
  campaign: 'Campaign',
  source: 'Source',
  category: 'Category',
  gender: 'Gender',
  tier: 'Tier',
  persona: 'Persona',
  influencer: 'Influencer',
  basis: 'Payout basis',
  from: 'From',
  to: 'To',
  min_roas: 'Min ROAS',
  iroas_method: 'iROAS method',
  fixed_share: 'Fixed share',
  roas_benchmark: 'ROAS benchmark',
  roi_benchmark: 'ROI benchmark',
  compare: 'Compared with',
};

/* The filters of a query string (default: the page's). */
export function readFilters(search) {
  const p = new URLSearchParams(search === undefined ? location.search : search);
  const f = {};
  for (const k of MULTI) {
    const v = p.get(k);
    f[k] = v ? v.split(',').filter((x) => x !== '') : [];
  }
  for (const k of SINGLE) f[k] = p.get(k) || '';
  return f;
}
/* The query string (no '?') of the filters, in a fixed order. */
export function filterQuery(f) {
  const p = new URLSearchParams();
  for (const k of SINGLE.slice(0, 2)) if (f[k]) p.set(k, f[k]);
  for (const k of MULTI) if (f[k] && f[k].length) p.set(k, f[k].join(','));
  for (const k of SINGLE.slice(2)) if (f[k] !== '' && f[k] !== undefined && f[k] !== null) p.set(k, f[k]);
  return p.toString();
}
/* (a comparison is a way of showing the figures, not a filter of them) */
export function filtersActive(f) {
  return MULTI.some((k) => f[k].length) || SINGLE.some((k) => k !== 'compare' && f[k]);
}
/* Human description of the filters, one "name: values" per filter set; range(from, to)
 * writes the dates (format.js dateRange: "1 Dec 2025 – 31 Dec 2025"). */
export function describeFilters(f, range) {
  const out = [];
  if (f.from || f.to)
    out.push('Dates: ' + (range ? range(f.from, f.to) : (f.from || 'start') + ' to ' + (f.to || 'end')));
  for (const k of MULTI) {
    if (f[k].length)
      out.push(LABELS[k] + ': ' + f[k].map((v) => (k === 'influencer' ? influencerName(v) : v)).join(', '));
  }
  for (const k of SINGLE.slice(2))
    if (f[k]) out.push(LABELS[k] + ': ' + (k === 'compare' && f[k] === 'previous' ? 'the previous period' : f[k]));
  return out;
}
/* "Name (ID)" of an influencer ID, once the filter values are known. */
export function influencerName(id) {
  const m = options && options.influencerMap;
  const n = m && m.get(id);
  return n ? n + ' (' + id + ')' : id;
}

/* The filters of the page being shown. */
export let filters = readFilters();
export function setFilters(f) {
  filters = f;
}

/* ---------- the workspace's filter values and data status ---------- */
/* The answer of GET /api/options (with influencerMap: ID → name); null until loaded. */
export let options = null;
export function setOptions(o) {
  options = o;
}
/* The answer of GET /api/status; null until loaded. */
export let status = null;
export function setStatus(s) {
  status = s;
}

/* ---------- session, workspace, CSRF ---------- */
/* The answer of GET /api/session (account.js loads it before the first page); null until
 * then. An old server without accounts has no /api/session: account.js puts an open-mode
 * stand-in. */
export let session = null;
export function setSession(s) {
  session = s;
}
/* The current workspace: the URL's ?ws= ('' when absent: the server picks the session's). */
export function ws() {
  return new URLSearchParams(location.search).get('ws') || '';
}
/* The slug shown as current: ?ws=, else the session's workspace. */
export function currentWs() {
  return ws() || (session && session.workspace) || '';
}
/* path (may carry a query) with ws=<slug> added when the URL names a workspace and the path
 * has none yet. */
export function wsPath(path) {
  const w = ws();
  if (!w || /[?&]ws=/.test(path)) return path;
  return path + (path.includes('?') ? '&' : '?') + 'ws=' + encodeURIComponent(w);
}
/* The rights of the session (everything in open mode or before the session is known). */
export function can(right) {
  const c = session && session.can;
  return c ? !!c[right] : true;
}
/* The role to name in "Your role (…) cannot …". */
export function roleName() {
  return session && session.user ? session.user.role : 'current';
}
/* Headers of a state-changing request: the session's CSRF token when there is one. */
export function csrfHeaders(headers) {
  const out = Object.assign({}, headers || {});
  const t = session && session.csrf;
  if (t) out['X-CSRF-Token'] = t;
  return out;
}
/* The session ended (or never was): to the sign-in page, back here afterwards. Returns the
 * AbortError to throw, so that the page in progress stops quietly. */
let leaving = false;
export function toLogin() {
  if (!leaving) {
    leaving = true;
    location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
  }
  return new DOMException('signing in again', 'AbortError');
}

/* ---------- addresses and navigation ---------- */
/* The query string (no '?') of a page URL: ws first (when the URL has one), then filters. */
export function pageQuery(f) {
  const w = ws();
  const q = filterQuery(f);
  return [w ? 'ws=' + encodeURIComponent(w) : '', q].filter(Boolean).join('&');
}
/* A link to a page that keeps the workspace and the filters. */
export function link(path) {
  const q = pageQuery(filters);
  return q ? path + '?' + q : path;
}
/* path?<filters>&<extra>, plus ws= when the URL names a workspace (API and export links). */
export function withFilters(path, f, extra) {
  const q = filterQuery(f);
  const e = extra ? new URLSearchParams(extra).toString() : '';
  const all = [q, e].filter(Boolean).join('&');
  return wsPath(all ? path + '?' + all : path);
}

/* The router (main.js) draws the page of the current URL; it registers itself here so that
 * pages can move on without importing it. */
let router = () => {};
export function setRouter(fn) {
  router = fn;
}
/* Draws the page of the current URL again. */
export function reroute() {
  router();
}
/* Goes to url (a new history entry, or replacing this one) and draws its page. */
export function navigate(url, replace) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  router();
}
