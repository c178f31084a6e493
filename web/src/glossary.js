/* glossary.js — the words of the trade in one place: what each metric, method and payout basis
 * means, in the words the PDF report uses ("CPO (cost per order)", "iROAS (incremental
 * revenue / spend)", "95 % bootstrap interval over days", "chosen automatically"); term()
 * shows one on hover and on focus, wherever it appears. Imports dom.js only. */
import { h } from './dom.js';

export const GLOSSARY = {
  revenue: {
    term: 'Revenue (attributed)',
    text: 'Revenue of the orders tracked to an influencer (organic orders not included).',
  },
  spend: {
    term: 'Spend',
    text: 'What the influencers earned under their payout terms for the activity in the filters: rate × posts, rate × orders, rate × revenue, or the recorded fee.',
  },
  roas: { term: 'ROAS', text: 'ROAS (return on ad spend): revenue / spend. 4 means ₹4 of revenue per ₹1 spent.' },
  roi: {
    term: 'ROI',
    text: 'ROI (return on investment): (revenue − spend) / spend, in %. ROI = ROAS − 1: ROAS 4 is ROI 300 %.',
  },
  incremental_revenue: {
    term: 'Incremental revenue',
    text: 'Revenue that would not have come without the influencers: revenue above the baseline of the method shown.',
  },
  iroas: {
    term: 'iROAS',
    text: 'iROAS (incremental ROAS): incremental revenue / spend — what each ₹1 spent brought beyond what would have come anyway.',
  },
  ci: {
    term: '95 % CI',
    text: '95 % CI: the 95 % bootstrap interval over days. The days are resampled many times (the bootstrap resamples); 95 % of the resampled values fall in this range.',
  },
  bootstrap_resamples: {
    term: 'bootstrap resamples',
    text: 'How many times the days were drawn again at random to compute the 95 % bootstrap interval over days; more resamples give a steadier interval.',
  },
  auto: {
    term: 'chosen automatically',
    text: 'The method was chosen automatically (iROAS method: Automatic): the first that applies to the data, in this order: organic baseline, holdout test vs control, fixed share.',
  },
  organic: {
    term: 'organic baseline',
    text: 'Organic baseline: the mean daily revenue of the days without influencer activity is what would have come anyway; incremental = revenue above it on campaign days.',
  },
  holdout: {
    term: 'holdout test vs control',
    text: 'Holdout: incremental = revenue of the Test group − revenue of the Control group (campaign_type), over the spend on the test.',
  },
  fixed_share: {
    term: 'fixed share',
    text: 'Fixed share: a share p of attributed revenue (default 20 %) would have come anyway; incremental = revenue − p × revenue.',
  },
  organic_revenue: {
    term: 'Organic revenue',
    text: 'Revenue of the orders with no influencer (or with source organic). Influencer filters do not cut it: these orders have no influencer.',
  },
  engagement_rate: {
    term: 'Engagement rate',
    text: 'Engagement rate: (likes + comments + shares + saves) / reach, over the posts in the filters.',
  },
  cpo: { term: 'CPO', text: 'CPO (cost per order): spend / orders.' },
  aov: { term: 'AOV', text: 'AOV (average order value): revenue / orders.' },
  cpm: { term: 'CPM', text: 'CPM (per 1,000 reached): spend / reach × 1,000.' },
  cpe: { term: 'CPE', text: 'CPE (per engagement): spend / engagements.' },
  basis: {
    term: 'Payout basis',
    text: 'How an influencer is paid: post (rate × posts), order (rate × attributed orders), revenue_share (rate × revenue), flat or hybrid (the recorded total payout).',
  },
  basis_post: { term: 'post', text: 'Paid per post: rate × posts.' },
  basis_order: { term: 'order', text: 'Paid per order: rate × attributed orders.' },
  basis_revenue_share: { term: 'revenue_share', text: 'Paid a share of revenue: rate × attributed revenue.' },
  basis_flat: { term: 'flat', text: 'A flat fee: the recorded total payout.' },
  basis_hybrid: { term: 'hybrid', text: 'A fee plus a variable part: the recorded total payout.' },
  canonical_columns: {
    term: 'canonical columns',
    text: 'The column names infludash uses for each dataset (influencer_id, name, platform, date, revenue, …), whatever the uploaded file called them.',
  },
};

let tips = 0;
/* The words for key with its meaning on hover and focus: a button (a tap opens it too;
 * Escape closes it) described by a tooltip. label: the text shown (default the term's own). */
export function term(key, label) {
  const g = GLOSSARY[key];
  if (!g) return label === undefined ? key : label;
  const id = 'tip-' + ++tips;
  const tip = h('span', { class: 'term-tip', role: 'tooltip', id }, g.text);
  const b = h(
    'button',
    { type: 'button', class: 'term', 'aria-describedby': id, dataset: { term: key } },
    label === undefined ? g.term : label,
  );
  const wrap = h('span', { class: 'term-wrap' }, b, tip);
  b.addEventListener('click', () => wrap.classList.toggle('open'));
  b.addEventListener('blur', () => wrap.classList.remove('open'));
  return wrap;
}

/* Escape hides the explanation shown for the focused word (or table header) until the
 * focus moves on (WCAG 1.4.13: dismissible without moving the pointer or the focus). */
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || !document.activeElement) return;
  const host = document.activeElement.closest('.term-wrap, th');
  if (host && host.querySelector('.term-tip')) host.classList.add('tip-dismissed');
});
document.addEventListener('focusout', (e) => {
  const host = e.target.closest && e.target.closest('.tip-dismissed');
  if (host) host.classList.remove('tip-dismissed', 'open');
});

/* The glossary key of a payout basis ("post" → "basis_post"), null for another value. */
export function basisKey(basis) {
  return basis && GLOSSARY['basis_' + basis] ? 'basis_' + basis : null;
}
