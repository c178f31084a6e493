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

export const fmt = {
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
    const a = Math.abs(v),
      sign = v < 0 ? '−' : '';
    if (a >= 1e7) return sign + '₹' + nf(2).format(a / 1e7) + ' Cr';
    if (a >= 1e5) return sign + '₹' + nf(2).format(a / 1e5) + ' L';
    return fmt.money(v);
  },
  int(v) {
    return isNum(v) ? nf(0).format(v) : DASH;
  },
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
  ratio(v, dec) {
    return isNum(v) ? nf(dec === undefined ? 2 : dec).format(v) : DASH;
  },
  roas(v) {
    return isNum(v) ? nf(2).format(v) + '×' : DASH;
  },
  date(s) {
    if (!s) return DASH;
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
    if (!m) return String(s);
    return +m[3] + ' ' + MONTHS[+m[2] - 1] + ' ' + m[1];
  },
  dateTime(s) {
    if (!s) return DASH;
    const d = new Date(s);
    if (isNaN(d)) return String(s);
    return d.toLocaleString('en-IN', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
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
/* "1 Dec 2025 – 31 Dec 2025" (either end may be missing: "from 1 Dec 2025"). */
export function dateRange(from, to) {
  if (from && to) return fmt.date(from) + ' – ' + fmt.date(to);
  if (from) return 'from ' + fmt.date(from);
  if (to) return 'up to ' + fmt.date(to);
  return 'all dates';
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
