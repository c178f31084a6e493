/* pages/sources.js — the Database page's Sources and Schedules sections (SPEC §9): each
 * source with its status, last run, next run and "Sync now" (GET /api/sources, POST
 * /api/sources/NAME/sync), and each scheduled report with its period, delivery and runs
 * (GET /api/reports). Sources and reports are added with the command line
 * (`infludash source add`, `infludash report add`). */
import { api } from '../api.js';
import { clear, errorBox, h, loading } from '../dom.js';
import { fmt } from '../format.js';
import { dataChanged } from '../sidebar.js';
import * as state from '../state.js';
import { table } from '../table.js';

const dash = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));

/* "ok · 7 rows" / "failed: the Instagram token expired …" / "never run". */
function runText(run) {
  if (!run) return h('span', { class: 'muted' }, 'never run');
  const when = fmt.dateTime(run.started_at);
  if (run.result === 'failed')
    return h('span', null, when, ' · ', h('strong', { class: 'bad-text' }, 'failed'), ': ', dash(run.error));
  return h(
    'span',
    null,
    when,
    ' · ',
    run.result,
    ' · ',
    fmt.int(run.rows),
    ' rows',
    run.detail ? ' · ' + run.detail : '',
  );
}

function statusText(s) {
  const cls = s === 'failed' ? 'bad-text' : s === 'never' ? 'muted' : '';
  return h('span', { class: 'source-status ' + cls }, s === 'never' ? 'not run yet' : s);
}

/* What a source reads from, in a few words. */
function target(s) {
  if (s.kind === 'url') return dash(s.url);
  if (s.kind === 'folder') return dash(s.dir);
  return (s.account || '') + (s.influencer ? ' → ' + s.influencer : '');
}

/* The Sources section into box. */
export async function sourcesSection(box, ctx, note) {
  const title = h('h2', { id: 'sources-h' }, 'Sources');
  const redraw = (node) => sourcesSection(box, ctx, node);
  let d;
  try {
    d = await api('/api/sources', { signal: ctx.signal });
  } catch (e) {
    if (ctx.stale() || (e && e.name === 'AbortError')) return;
    clear(box).append(
      title,
      errorBox(e, () => redraw()),
    );
    return;
  }
  if (ctx.stale()) return;
  const mayImport = state.can('import');
  const syncButton = (s) =>
    h(
      'button',
      {
        type: 'button',
        class: 'sync-now',
        'data-source': s.name,
        disabled: !mayImport,
        title: mayImport ? 'Sync ' + s.name + ' now' : 'Your role may not import data',
        onclick: async (ev) => {
          const b = ev.currentTarget;
          b.disabled = true;
          b.textContent = 'Syncing…';
          let msg;
          try {
            const r = await api('/api/sources/' + encodeURIComponent(s.name) + '/sync', { method: 'POST' });
            const run = r.run;
            if (run.result === 'failed') {
              msg = h('p', { class: 'error', role: 'alert' }, s.name + ': sync failed: ' + run.error);
            } else {
              msg = h(
                'p',
                { class: 'success', role: 'status' },
                s.name +
                  ': ' +
                  run.result +
                  ', ' +
                  fmt.int(run.rows) +
                  ' rows' +
                  (run.detail ? ' (' + run.detail + ')' : ''),
              );
              if (run.rows > 0) dataChanged();
            }
          } catch (e) {
            msg = h('p', { class: 'error', role: 'alert' }, s.name + ': sync failed: ' + e.message);
          }
          if (!ctx.stale()) redraw(msg);
        },
      },
      'Sync now',
    );
  const rows = (d && d.sources) || [];
  clear(box).append(
    title,
    note || '',
    h(
      'p',
      { class: 'muted' },
      'Data that arrives by itself (Instagram, YouTube, a file at a URL, a folder). Add a source with ',
      h('code', null, 'infludash source add NAME --kind K …'),
      '; times in ' + dash(d && d.time_zone) + '.',
    ),
    table(
      [
        { key: 'name', label: 'Source' },
        { key: 'kind', label: 'Kind' },
        { key: 'dataset', label: 'Dataset', fmt: (s) => dash(s.dataset || 'by file') },
        { key: 'target', label: 'From', nosort: true, fmt: target },
        { key: 'status', label: 'Status', fmt: (s) => statusText(s.status) },
        { key: 'last_run', label: 'Last run', nosort: true, fmt: (s) => runText(s.last_run) },
        {
          key: 'next_run',
          label: 'Next run',
          fmt: (s) => (s.next_run ? fmt.dateTime(s.next_run) + ' (' + s.schedule + ')' : 'by hand'),
        },
        {
          key: 'token',
          label: 'Token',
          nosort: true,
          fmt: (s) => (s.token.set ? 'set ' + fmt.dateTime(s.token.added_at) : '—'),
        },
        { key: 'sync', label: 'Action', nosort: true, fmt: syncButton },
      ],
      rows,
      { sortKey: 'name', sortDir: 'asc', cls: 'sources', empty: 'No source yet.' },
    ),
  );
}

/* The Schedules section into box: the scheduled reports. */
export async function schedulesSection(box, ctx) {
  const title = h('h2', { id: 'schedules-h' }, 'Schedules');
  let d;
  try {
    d = await api('/api/reports', { signal: ctx.signal });
  } catch (e) {
    if (ctx.stale() || (e && e.name === 'AbortError')) return;
    clear(box).append(
      title,
      errorBox(e, () => schedulesSection(box, ctx)),
    );
    return;
  }
  if (ctx.stale()) return;
  clear(box).append(
    title,
    h(
      'p',
      { class: 'muted' },
      'Reports made and sent by themselves. Add one with ',
      h('code', null, 'infludash report add NAME --format pdf --every "weekly MON 09:00" --mail …'),
      '.',
    ),
    table(
      [
        { key: 'name', label: 'Report' },
        { key: 'format', label: 'Format' },
        { key: 'filters', label: 'Filters', nosort: true, fmt: (r) => dash(r.filters || 'all data') },
        { key: 'period', label: 'Period', fmt: (r) => dash(r.period || 'all dates') },
        { key: 'to', label: 'Delivery', nosort: true, fmt: (r) => r.delivery + ': ' + r.to },
        { key: 'status', label: 'Status', fmt: (r) => statusText(r.status) },
        { key: 'last_run', label: 'Last run', nosort: true, fmt: (r) => runText(r.last_run) },
        { key: 'next_run', label: 'Next run', fmt: (r) => fmt.dateTime(r.next_run) + ' (' + r.schedule + ')' },
      ],
      (d && d.reports) || [],
      { sortKey: 'name', sortDir: 'asc', cls: 'schedules', empty: 'No scheduled report yet.' },
    ),
  );
}

/* Both sections, with their placeholders, appended to el. */
export function appendSourceSections(el, ctx) {
  const sources = h(
    'section',
    { class: 'sources-section', id: 'sources', 'aria-labelledby': 'sources-h' },
    h('h2', { id: 'sources-h' }, 'Sources'),
    loading(),
  );
  const schedules = h(
    'section',
    { class: 'schedules-section', id: 'schedules', 'aria-labelledby': 'schedules-h' },
    h('h2', { id: 'schedules-h' }, 'Schedules'),
    loading(),
  );
  el.append(sources, schedules);
  return Promise.all([sourcesSection(sources, ctx), schedulesSection(schedules, ctx)]);
}
