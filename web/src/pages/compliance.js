/* pages/compliance.js — the ASCI disclosure check (SPEC §11) as a page section: posts whose
 * caption carries none of the accepted labels (Ad, Sponsored, Collaboration, …), counted per
 * influencer and campaign, and listed (/api/compliance, with the page's dates and, on an
 * influencer's page, that influencer). Used by the Insights and influencer pages. */
import { api } from '../api.js';
import { errorBox, h } from '../dom.js';
import { fmt } from '../format.js';
import { wsPath } from '../state.js';
import { table } from '../table.js';
import { influencerLink } from './common.js';

export async function complianceSection(ctx, influencer) {
  const q = new URLSearchParams();
  if (ctx.filters.from) q.set('from', ctx.filters.from);
  if (ctx.filters.to) q.set('to', ctx.filters.to);
  if (influencer) q.set('influencer', influencer);
  const box = h(
    'section',
    { class: 'panel', id: 'compliance', 'aria-labelledby': 'compliance-h' },
    h('h2', { id: 'compliance-h' }, 'Disclosure check (ASCI)'),
  );
  ctx.el.appendChild(box);
  let d;
  try {
    d = await api(wsPath('/api/compliance?' + q), { signal: ctx.signal });
  } catch (err) {
    if (err.name !== 'AbortError') box.appendChild(errorBox(err));
    return;
  }
  if (ctx.stale()) return;
  box.appendChild(
    h(
      'p',
      { id: 'compliance-summary' },
      fmt.int(d.flagged) +
        ' of ' +
        fmt.int(d.checked) +
        ' captions carry no disclosure label' +
        (d.without_caption ? ' (' + fmt.int(d.without_caption) + ' posts have no caption to check)' : '') +
        '. Labels accepted: ' +
        d.labels.join(', ') +
        '. A flag means "no label found", for a person to review.',
    ),
  );
  if (!influencer && d.by_influencer.some((r) => r.flagged))
    box.appendChild(
      table(
        [
          { key: 'name', label: 'Influencer', fmt: (r) => influencerLink({ ...r, name: r.name || r.influencer_id }) },
          { key: 'posts', label: 'Posts checked', num: true, fmt: (r) => fmt.int(r.posts) },
          { key: 'flagged', label: 'Without a label', num: true, fmt: (r) => fmt.int(r.flagged) },
        ],
        d.by_influencer.filter((r) => r.flagged),
        { sortKey: 'flagged', limit: 20 },
      ),
    );
  if (d.by_campaign.some((r) => r.flagged))
    box.appendChild(
      table(
        [
          { key: 'campaign', label: 'Campaign', fmt: (r) => r.campaign || '—' },
          { key: 'posts', label: 'Posts checked', num: true, fmt: (r) => fmt.int(r.posts) },
          { key: 'flagged', label: 'Without a label', num: true, fmt: (r) => fmt.int(r.flagged) },
        ],
        d.by_campaign.filter((r) => r.flagged),
        { sortKey: 'flagged', limit: 20 },
      ),
    );
  if (influencer && d.flagged_posts.length)
    box.appendChild(
      table(
        [
          { key: 'date', label: 'Date', fmt: (x) => fmt.date(x.date), sort: (x) => x.date },
          { key: 'campaign', label: 'Campaign' },
          { key: 'caption', label: 'Caption', fmt: (x) => (x.caption || '').slice(0, 140) },
        ],
        d.flagged_posts,
        { sortKey: 'date', limit: 50 },
      ),
    );
}
