/* pages/payouts_tax.js — the Payouts page's Tax tab (SPEC §10): TDS by rule and section, GST
 * and net per influencer for a financial year (/api/payouts/tax), with the FY, the rules
 * version and the brand's GST state (kept in this browser); the bank batch file of what is
 * pending and the rows it refuses; and the payout-model simulator (/api/simulate). */
import { api } from '../api.js';
import { card, errorBox, h, loading } from '../dom.js';
import { fmt } from '../format.js';
import { wsPath, withFilters } from '../state.js';
import { table } from '../table.js';
import { influencerLink } from './common.js';

const GST_KEY = 'infludash.gst_state';

/* The brand's GST state set on this page ('' when not set: the server's --gst-state). */
export function gstState() {
  try {
    return localStorage.getItem(GST_KEY) || '';
  } catch {
    return '';
  }
}

function setGstState(v) {
  try {
    if (v) localStorage.setItem(GST_KEY, v);
    else localStorage.removeItem(GST_KEY);
  } catch {
    /* private mode: the setting lasts for this page only */
  }
}

const money = (v) => (v === null || v === undefined ? h('span', { class: 'muted' }, '—') : fmt.money(v, 2));

function sections(r) {
  return (r.tds_by_section || []).map((s) =>
    h(
      'div',
      { class: 'tds-rule', title: s.act + (s.payment_code ? ', payment code ' + s.payment_code : '') },
      fmt.money(s.amount, 2) + ' · §' + s.section + ' · ' + fmt.pct(s.rate, 0) + ' · ' + s.rule,
    ),
  );
}

/* The Tax tab into el. */
export async function taxTab(ctx, el) {
  const params = new URLSearchParams();
  const fyWanted = ctx.taxFy || '';
  if (fyWanted) params.set('fy', fyWanted);
  const gst = gstState();
  if (gst) params.set('gst_state', gst);
  const wait = loading();
  el.appendChild(wait);
  let d;
  try {
    d = await api('/api/payouts/tax' + (params.toString() ? '?' + params : ''), { signal: ctx.signal });
  } catch (err) {
    wait.remove();
    if (err.name !== 'AbortError') el.appendChild(errorBox(err));
    return;
  }
  if (ctx.stale()) return;
  wait.remove();
  const redraw = () => {
    el.replaceChildren();
    taxTab(ctx, el);
  };
  const fySel = h(
    'select',
    { id: 'tax-fy' },
    [...new Set([d.fy, ...(d.fys || [])])]
      .sort()
      .reverse()
      .map((f) => h('option', { value: f, selected: f === d.fy }, 'FY ' + f)),
  );
  fySel.addEventListener('change', () => {
    ctx.taxFy = fySel.value;
    redraw();
  });
  const gstIn = h('input', {
    id: 'tax-gst-state',
    inputmode: 'numeric',
    maxlength: 2,
    size: 3,
    placeholder: 'e.g. 27',
    value: gst || (d.gst_state ? String(d.gst_state).padStart(2, '0') : ''),
  });
  const gstMsg = h('span', { class: 'muted', id: 'tax-gst-msg' });
  gstIn.addEventListener('change', () => {
    const v = gstIn.value.trim();
    if (v && !/^\d{1,2}$/.test(v)) {
      gstMsg.textContent = 'two digits: the GST state code (27 Maharashtra, 06 Haryana, 29 Karnataka)';
      return;
    }
    setGstState(v);
    redraw();
  });
  el.append(
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'tax-fy' }, 'Financial year '),
      fySel,
      h('label', { for: 'tax-gst-state' }, "Brand's GST state "),
      gstIn,
      gstMsg,
      h(
        'span',
        { class: 'muted', id: 'tax-rules-version', title: d.rules_file },
        'Rules ' + d.rules_version + ' (' + d.rules_file + ')',
      ),
    ),
  );
  const t = d.totals || {};
  el.appendChild(
    h(
      'div',
      { class: 'cards', id: 'tax-totals' },
      card('Fees', fmt.moneyShort(t.fees), { key: 'tax_fees', title: fmt.money(t.fees, 2) }),
      card('Products', fmt.moneyShort(t.products), { key: 'tax_products', title: fmt.money(t.products, 2) }),
      card('TDS', fmt.moneyShort(t.tds), {
        key: 'tax_tds',
        title: fmt.money(t.tds, 2),
        sub: 'on fees ' + fmt.money(t.tds_fees, 2) + ', on products ' + fmt.money(t.tds_products, 2),
      }),
      card('GST', fmt.moneyShort(t.gst), {
        key: 'tax_gst',
        title: fmt.money(t.gst, 2),
        sub:
          t.cgst === null
            ? "set the brand's GST state to split CGST + SGST from IGST"
            : 'CGST ' + fmt.money(t.cgst, 2) + ' · SGST ' + fmt.money(t.sgst, 2) + ' · IGST ' + fmt.money(t.igst, 2),
      }),
      card('Net', fmt.moneyShort(t.net), {
        key: 'tax_net',
        title: fmt.money(t.net, 2),
        sub: 'fees + GST − TDS on fees',
      }),
    ),
  );
  const rows = d.influencers || [];
  if (!rows.length) {
    el.appendChild(h('p', { class: 'muted', id: 'tax-empty' }, 'No dated payout in FY ' + d.fy + '.'));
  } else {
    el.appendChild(
      h(
        'div',
        { id: 'tax-table' },
        table(
          [
            { key: 'name', label: 'Influencer', fmt: (r) => influencerLink({ ...r, name: r.name || r.influencer_id }) },
            {
              key: 'has_pan',
              label: 'PAN',
              fmt: (r) => (r.has_pan ? 'yes' : h('span', { class: 'tag bad' }, 'none: 20 %')),
            },
            { key: 'fees', label: 'Fees', num: true, fmt: (r) => money(r.fees) },
            { key: 'products', label: 'Products', num: true, fmt: (r) => money(r.products) },
            { key: 'tds', label: 'TDS', num: true, fmt: (r) => money(r.tds) },
            { key: 'rule', label: 'TDS by rule and section', sort: (r) => r.tds, fmt: sections },
            { key: 'gst', label: 'GST', num: true, fmt: (r) => money(r.gst) },
            { key: 'net', label: 'Net', num: true, fmt: (r) => money(r.net) },
          ],
          rows,
          { sortKey: 'net', limit: 200 },
        ),
      ),
    );
  }
  if (d.undated)
    el.appendChild(
      h('p', { class: 'muted' }, fmt.int(d.undated) + ' payout rows have no payout_date or amount and are in no FY.'),
    );
  await batchSection(ctx, el, gst);
}

/* The bank batch: a download and the refused rows. */
async function batchSection(ctx, el, gst) {
  const q = 'status=Pending' + (gst ? '&gst_state=' + encodeURIComponent(gst) : '');
  const box = h(
    'section',
    { class: 'panel', id: 'tax-batch', 'aria-labelledby': 'tax-batch-h' },
    h('h2', { id: 'tax-batch-h' }, 'Bank batch of pending payouts'),
    h(
      'p',
      {},
      'A CSV for a bulk NEFT/UPI upload: amount = fee + GST − TDS of that payment. ',
      h(
        'a',
        { href: wsPath('/api/payouts/batch.csv?' + q), download: 'payout-batch.csv', id: 'tax-batch-download' },
        'Download the batch file',
      ),
    ),
  );
  el.appendChild(box);
  let r;
  try {
    r = await api('/api/payouts/batch-refusals?' + q, { signal: ctx.signal });
  } catch (err) {
    if (err.name !== 'AbortError') box.appendChild(errorBox(err));
    return;
  }
  if (ctx.stale()) return;
  box.appendChild(
    h(
      'p',
      { id: 'tax-batch-summary' },
      fmt.int(r.rows) + ' rows, ' + fmt.money(r.amount, 2) + '; ' + fmt.int(r.refused_count) + ' left out:',
    ),
  );
  if ((r.refused || []).length)
    box.appendChild(
      table(
        [
          { key: 'payout_id', label: 'Payout' },
          { key: 'name', label: 'Influencer', fmt: (x) => influencerLink({ ...x, name: x.name || x.influencer_id }) },
          { key: 'amount', label: 'Amount', num: true, fmt: (x) => money(x.amount) },
          { key: 'reason', label: 'Why it is not in the file' },
        ],
        r.refused,
        { limit: 100 },
      ),
    );
}

/* The simulator into el: terms typed by the user, the filtered period replayed. */
export function simulatorTab(ctx, el) {
  const basis = h(
    'select',
    { id: 'sim-basis' },
    [
      ['actual', "Each influencer's own terms"],
      ['post', 'Per post'],
      ['order', 'Per order'],
      ['revenue_share', 'Revenue share'],
      ['hybrid', 'Hybrid (per post + share)'],
    ].map(([v, l]) => h('option', { value: v }, l)),
  );
  const rate = h('input', { id: 'sim-rate', inputmode: 'decimal', size: 8, placeholder: '₹ or share' });
  const share = h('input', { id: 'sim-share', inputmode: 'decimal', size: 6, placeholder: '0.05' });
  const out = h('div', { id: 'sim-out' });
  const run = async () => {
    out.replaceChildren(loading());
    const f = { ...ctx.filters };
    delete f.basis; /* basis here is the simulated terms */
    const extra = { basis: basis.value };
    if (basis.value !== 'actual') extra.rate = rate.value.trim();
    if (basis.value === 'hybrid') extra.share = share.value.trim() || '0';
    let d;
    try {
      d = await api(withFilters('/api/simulate', f, extra), { signal: ctx.signal });
    } catch (err) {
      out.replaceChildren();
      if (err.name !== 'AbortError') out.appendChild(errorBox(err));
      return;
    }
    const t = d.total;
    out.replaceChildren(
      h(
        'div',
        { class: 'cards' },
        card('Cost', fmt.moneyShort(t.cost), { key: 'sim_cost', title: fmt.money(t.cost, 2) }),
        card('ROAS', fmt.roas(t.roas), { key: 'sim_roas' }),
        card('Actual cost', fmt.moneyShort(t.actual_cost), { key: 'sim_actual', title: fmt.money(t.actual_cost, 2) }),
        card('Change', fmt.money(t.change, 2), { key: 'sim_change', cls: t.change > 0 ? 'bad' : 'good' }),
      ),
      table(
        [
          { key: 'name', label: 'Influencer', fmt: (r) => influencerLink({ ...r, name: r.name || r.influencer_id }) },
          { key: 'revenue', label: 'Revenue', num: true, fmt: (r) => money(r.revenue) },
          { key: 'cost', label: 'Cost', num: true, fmt: (r) => money(r.cost) },
          { key: 'roas', label: 'ROAS', num: true, fmt: (r) => fmt.roas(r.roas) },
          { key: 'actual_cost', label: 'Actual cost', num: true, fmt: (r) => money(r.actual_cost) },
          { key: 'change', label: 'Change', num: true, fmt: (r) => money(r.change) },
          {
            key: 'break_even_rate',
            label: 'Break-even rate',
            num: true,
            fmt: (r) =>
              r.break_even_rate === null
                ? h('span', { class: 'muted' }, '—')
                : d.basis === 'revenue_share'
                  ? fmt.pct(r.break_even_rate, 0)
                  : fmt.money(r.break_even_rate, 2),
          },
        ],
        d.influencers,
        { sortKey: 'revenue', limit: 100 },
      ),
    );
  };
  const go = h('button', { type: 'button', id: 'sim-run', onclick: run }, 'Simulate');
  el.append(
    h(
      'p',
      {},
      'The filtered period replayed under other payout terms, per influencer: what it would have cost, its ROAS, the change against the actual terms, and the rate at which each influencer breaks even (ROAS 1).',
    ),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'sim-basis' }, 'Terms '),
      basis,
      h('label', { for: 'sim-rate' }, 'Rate '),
      rate,
      h('label', { for: 'sim-share' }, 'Share (hybrid) '),
      share,
      go,
    ),
    out,
  );
  run();
}
