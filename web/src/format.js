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
