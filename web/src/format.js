/* format.js — how numbers, money and dates read on the pages: Indian digit grouping
 * (12,34,567), lakh and crore for cards, percentages, dates; and HTML escaping for the few
 * places a library wants an HTML string (echarts tooltips). Imports nothing. */

const nfCache = new Map();
function nf(dec) {
  let f = nfCache.get(dec);
  if (!f) {
    f = new Intl.NumberFormat('en-IN', { minimumFractionDigits: dec, maximumFractionDigits: dec });
    nfCache.set(dec, f);
  }
  return f;
}
export const DASH = '—';
const isNum = (v) => typeof v === 'number' && isFinite(v);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/* '−' before a negative value, unless it rounds to zero (never "−0.00"). */
const sign = (v, s) => (v < 0 && /[1-9]/.test(s) ? '−' : '') + s;

/* The time zone of the installation (GET /api/status's time_zone; sidebar.js sets it): times
 * are shown there, whatever the browser's zone. */
export const DEFAULT_TIME_ZONE = 'Asia/Kolkata';
let timeZone = DEFAULT_TIME_ZONE;
let dtf = null;
export function setTimeZone(tz) {
  const z = tz || DEFAULT_TIME_ZONE;
  if (z === timeZone && dtf) return;
  try {
    new Intl.DateTimeFormat('en-IN', { timeZone: z });
    timeZone = z;
  } catch {
    timeZone = DEFAULT_TIME_ZONE; /* a zone this browser does not know */
  }
  dtf = null;
}
export function getTimeZone() {
  return timeZone;
}

/* One rounding per kind of figure, on every page (a figure reads the same wherever it is):
 *   money        whole rupees, ₹12,34,567 (revenue, spend; payouts ask for paise: money(v, 2))
 *   unit         paise, ₹1,519.63 (per-order, per-engagement amounts: CPO, AOV, CPE, CPM)
 *   moneyShort   lakh and crore with 2 decimals for cards, ₹5.92 Cr, ₹12.35 L
 *   pct          1 decimal, 235.1 % (ROI, shares); rate: 2 decimals, 3.66 % (engagement rates)
 *   ratio        2 decimals, 2.51 (ROAS, iROAS)
 * Negative values carry '−', and a value that rounds to zero carries none. */
export const fmt = {
  money(v, dec) {
    if (!isNum(v)) return DASH;
    return sign(v, '₹' + nf(dec === undefined ? 0 : dec).format(Math.abs(v)));
  },
  unit(v) {
    return fmt.money(v, 2);
  },
  moneyShort(v) {
    if (!isNum(v)) return DASH;
    const a = Math.abs(v);
    if (a >= 1e7) return sign(v, '₹' + nf(2).format(a / 1e7) + ' Cr');
    if (a >= 1e5) return sign(v, '₹' + nf(2).format(a / 1e5) + ' L');
    return fmt.money(v);
  },
  int(v) {
    return isNum(v) ? sign(v, nf(0).format(Math.abs(v))) : DASH;
  },
  /* a count for cards: 12.30 L, 4.50 Cr */
  intShort(v) {
    if (!isNum(v)) return DASH;
    const a = Math.abs(v);
    if (a >= 1e7) return sign(v, nf(2).format(a / 1e7) + ' Cr');
    if (a >= 1e5) return sign(v, nf(2).format(a / 1e5) + ' L');
    return fmt.int(v);
  },
  /* a fraction as percent: 2.351 → 235.1 % */
  pct(v, dec) {
    if (!isNum(v)) return DASH;
    return sign(v, nf(dec === undefined ? 1 : dec).format(Math.abs(v * 100)) + ' %');
  },
  rate(v) {
    return fmt.pct(v, 2);
  },
  ratio(v, dec) {
    return isNum(v) ? sign(v, nf(dec === undefined ? 2 : dec).format(Math.abs(v))) : DASH;
  },
  roas(v) {
    return isNum(v) ? fmt.ratio(v) + '×' : DASH;
  },
  /* "1 Dec 2025", the one date style of the app */
  date(s) {
    if (!s) return DASH;
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
    if (!m) return String(s);
    return +m[3] + ' ' + MONTHS[+m[2] - 1] + ' ' + m[1];
  },
  /* "2 Dec 2025, 07:54 IST": a moment in the installation's time zone */
  dateTime(s) {
    if (!s) return DASH;
    const d = new Date(s);
    if (isNaN(d)) return String(s);
    if (!dtf)
      dtf = new Intl.DateTimeFormat('en-IN', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZone,
        timeZoneName: 'short',
      });
    return dtf.format(d);
  },
  /* text from the server with its ISO dates in the app's style ("dated 1 Dec 2025") */
  datesIn(text) {
    return text === null || text === undefined
      ? text
      : String(text).replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (iso) => fmt.date(iso));
  },
  text(v) {
    return v === null || v === undefined || v === '' ? DASH : String(v);
  },
};

const MONTH_NUMBER = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
/* A date as a person types it, to ISO "2025-12-01"; null when it is not a date. Takes the
 * app's own style ("1 Dec 2025", "1 December 2025", "1-Dec-2025"), ISO ("2025-12-01") and,
 * day first as the imports read them, "01-12-2025", "01/12/2025" and "1.12.2025". */
export function parseDate(text) {
  const s = String(text || '')
    .trim()
    .toLowerCase();
  let y, m, d;
  let r = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (r) [y, m, d] = [+r[1], +r[2], +r[3]];
  else if ((r = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s))) [d, m, y] = [+r[1], +r[2], +r[3]];
  else if ((r = /^(\d{1,2})[\s-]+([a-z]{3,9})\.?,?[\s-]+(\d{4})$/.exec(s))) {
    m = MONTH_NUMBER[r[2].slice(0, 3)];
    if (!m || (r[2].length > 3 && !MONTHS_LONG[m - 1].startsWith(r[2]))) return null;
    [d, y] = [+r[1], +r[3]];
  } else return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return String(y).padStart(4, '0') + '-' + String(m).padStart(2, '0') + '-' + String(d).padStart(2, '0');
}
const MONTHS_LONG = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
/* "2 Dec – 31 Dec 2025" (the year once when both ends share it; "1 Dec 2024 – 5 Jan 2025"). */
export function shortRange(from, to) {
  if (!(from && to) || from.slice(0, 4) !== to.slice(0, 4)) return dateRange(from, to);
  return fmt.date(from).replace(/ \d{4}$/, '') + ' – ' + fmt.date(to);
}
/* "1 Dec 2025 – 31 Dec 2025" (either end may be missing: "from 1 Dec 2025"). */
export function dateRange(from, to) {
  if (from && to) return fmt.date(from) + ' – ' + fmt.date(to);
  if (from) return 'from ' + fmt.date(from);
  if (to) return 'up to ' + fmt.date(to);
  return 'all dates';
}

/* The labels of a money axis in one unit: the largest of values decides (crore, lakh or
 * rupees) and every tick is written in it with the same decimals (₹0.5 Cr, ₹1.0 Cr, …; never
 * ₹50.00 L beside ₹1.00 Cr). */
export function moneyAxisFormat(values) {
  let max = 0;
  for (const v of values) if (isNum(v)) max = Math.max(max, Math.abs(v));
  const [div, suffix] = max >= 1e7 ? [1e7, ' Cr'] : max >= 1e5 ? [1e5, ' L'] : [1, ''];
  const units = max / div;
  const dec = units >= 10 ? 0 : units >= 1 ? 1 : 2;
  return (v) => (isNum(v) ? sign(v, '₹' + nf(dec).format(Math.abs(v) / div) + suffix) : DASH);
}

/* A byte count for people: 1.5 MB. */
export function bytes(n) {
  if (n >= 1 << 30) return (n / (1 << 30)).toFixed(2) + ' GB';
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + ' MB';
  if (n >= 1024) return (n / 1024).toFixed(0) + ' KB';
  return n + ' bytes';
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
/* HTML escaping for the few places a library wants an HTML string (echarts tooltips). */
export function esc(s) {
  return String(s === null || s === undefined ? '' : s).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}
