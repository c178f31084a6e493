/* pages/database.js — Database (/database): the backend, each dataset's rows and last import
 * with download, replace and delete; sample data; the import history; the sources and
 * scheduled reports (pages/sources.js); the audit log; for admins the users (add, change
 * role, delete). */
import { api } from '../api.js';
import { clear, confirm, errorBox, h, loading } from '../dom.js';
import { fmt } from '../format.js';
import { dataChanged, refreshStatus } from '../sidebar.js';
import * as state from '../state.js';
import { scrollable, table } from '../table.js';
import { DATASETS, header } from './common.js';
import { appendSourceSections } from './sources.js';
import { FILE_TYPES, countRows, uploadInto } from './upload.js';

/* The outcome of the last change, shown on top of the redrawn page. */
let flash = null;
/* Redraws the Database page (after a change) with the outcome message on top. */
function refresh(msg) {
  if (location.pathname !== '/database') return;
  flash = msg || null;
  state.reroute();
}
const success = (text) => h('p', { class: 'success', role: 'status' }, text);

export async function database(ctx) {
  header(ctx, 'Database');
  const wait = loading();
  ctx.el.appendChild(wait);
  const s = await refreshStatus();
  if (ctx.stale()) return;
  wait.remove();
  if (!s) throw new Error('the status is unavailable');
  const el = ctx.el;
  if (flash) {
    el.appendChild(flash);
    flash = null;
  }
  el.appendChild(
    h(
      'p',
      null,
      'Backend: ',
      h('strong', null, fmt.text(s.backend)),
      ' · ',
      fmt.text(s.database),
      ' · schema ',
      fmt.text(s.schema_version),
      ' · version ',
      fmt.text(s.version),
    ),
  );
  const mayDelete = state.can('delete');
  const lastOf = (ds) => (s.imports || []).find((i) => i.dataset === ds);
  const out = h('div', { class: 'db-outcome', 'aria-live': 'polite' });
  const tbody = h('tbody');
  for (const [k, label] of DATASETS) {
    const li = lastOf(k);
    const file = h('input', {
      type: 'file',
      accept: FILE_TYPES,
      hidden: true,
      'aria-label': 'File to replace ' + label,
    });
    file.addEventListener('change', async () => {
      const f = file.files[0];
      file.value = '';
      if (!f) return;
      clear(out).appendChild(loading('Counting the rows of ' + f.name + '…'));
      const n = await countRows(f).catch(() => null);
      clear(out);
      const ok = await confirm(
        'Replace ' + label + '?',
        'The ' +
          fmt.int(s.counts[k]) +
          ' stored ' +
          (s.counts[k] === 1 ? 'row' : 'rows') +
          ' of ' +
          label +
          ' are replaced by the ' +
          (n === null ? '' : fmt.int(n) + ' ') +
          (n === 1 ? 'row' : 'rows') +
          ' of "' +
          f.name +
          '". This cannot be undone.',
        'Replace',
      );
      if (!ok) return;
      clear(out);
      uploadInto(out, f, { dataset: k, mode: 'replace' });
    });
    const del = h('button', { type: 'button', class: 'danger', 'data-delete': k }, 'Delete…');
    del.addEventListener('click', async () => {
      const ok = await confirm(
        'Delete ' + label + '?',
        'All ' + fmt.int(s.counts[k]) + ' rows of ' + label + ' are deleted. This cannot be undone.',
        'Delete',
      );
      if (!ok) return;
      clear(out).appendChild(loading('Deleting…'));
      try {
        const r = await api('/api/datasets/' + k, { method: 'DELETE' });
        await dataChanged(false);
        refresh(success('Deleted ' + fmt.int(r.deleted) + ' rows of ' + label + '.'));
      } catch (e) {
        clear(out).appendChild(errorBox(e));
      }
    });
    tbody.appendChild(
      h(
        'tr',
        null,
        h('th', { scope: 'row' }, label),
        h('td', { class: 'num' }, fmt.int(s.counts[k])),
        h(
          'td',
          null,
          li
            ? fmt.dateTime(li.finished_at || li.started_at) + ' · ' + li.mode + ' · ' + fmt.int(li.accepted) + ' rows'
            : '—',
        ),
        h(
          'td',
          { class: 'actions' },
          h(
            'a',
            { href: state.wsPath('/api/datasets/' + k + '.csv'), download: k + '.csv', class: 'button' },
            'Download CSV',
          ),
          mayDelete ? [h('button', { type: 'button', onclick: () => file.click() }, 'Replace…'), file, del] : null,
        ),
      ),
    );
  }
  el.appendChild(
    scrollable(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data' },
          h('caption', null, 'Datasets'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Dataset'),
              h('th', { scope: 'col', class: 'num' }, 'Rows'),
              h('th', { scope: 'col' }, 'Last import'),
              h('th', { scope: 'col' }, 'Actions'),
            ),
          ),
          tbody,
        ),
      ),
      'Datasets',
    ),
  );
  el.appendChild(out);

  const rowsIn = h('input', { type: 'number', id: 'demo-rows', min: 100, step: 1000, value: '50000' });
  const demoBtn = h('button', { type: 'button', id: 'demo-load' }, 'Load sample data…');
  const demoOut = h('div', { 'aria-live': 'polite' });
  demoBtn.addEventListener('click', async () => {
    const n = parseInt(rowsIn.value, 10) || 50000;
    const ok = await confirm(
      'Load sample data?',
      'Generated sample data (' + fmt.int(n) + ' tracking rows) replaces every dataset.',
      'Load sample data',
    );
    if (!ok) return;
    demoBtn.disabled = true;
    clear(demoOut).appendChild(loading('Generating sample data…'));
    try {
      await api('/api/demo?rows=' + n, { method: 'POST' });
      await dataChanged(false);
      refresh(success('Sample data loaded (' + fmt.int(n) + ' tracking rows).'));
    } catch (e) {
      clear(demoOut).appendChild(errorBox(e));
    }
    demoBtn.disabled = false;
  });
  if (mayDelete) {
    el.appendChild(
      h(
        'section',
        { class: 'panel wide', 'aria-label': 'Sample data' },
        h('h2', null, 'Sample data'),
        h('div', { class: 'toolbar' }, h('label', { for: 'demo-rows' }, 'Tracking rows'), rowsIn, demoBtn),
        demoOut,
      ),
    );
  } else {
    el.appendChild(
      h(
        'p',
        { class: 'muted role-note' },
        'Your role (' + state.roleName() + ') cannot replace or delete data or load sample data.',
      ),
    );
  }

  el.appendChild(h('h2', null, 'Import history'));
  el.appendChild(
    table(
      [
        { key: 'finished_at', label: 'Finished', fmt: (r) => fmt.dateTime(r.finished_at || r.started_at) },
        { key: 'dataset', label: 'Dataset' },
        { key: 'file', label: 'File' },
        { key: 'mode', label: 'Mode' },
        { key: 'accepted', label: 'Accepted', num: true, fmt: (r) => fmt.int(r.accepted) },
        { key: 'rejected', label: 'Rejected', num: true, fmt: (r) => fmt.int(r.rejected) },
      ],
      s.imports || [],
      { sortKey: 'finished_at', sortDir: 'desc', limit: 50, empty: 'No import yet.' },
    ),
  );

  const sourceSections = appendSourceSections(el, ctx);
  const auditBox = h(
    'section',
    { class: 'audit-section', id: 'audit', 'aria-labelledby': 'audit-h' },
    h('h2', { id: 'audit-h' }, 'Audit log'),
    loading(),
  );
  el.appendChild(auditBox);
  let usersBox = null;
  if (state.can('admin')) {
    usersBox = h(
      'section',
      { class: 'users-section', id: 'users', 'aria-labelledby': 'users-h' },
      h('h2', { id: 'users-h' }, 'Users'),
      loading(),
    );
    el.appendChild(usersBox);
  }
  await Promise.all([sourceSections, auditSection(auditBox, ctx), usersBox ? usersSection(usersBox, ctx) : null]);
}

/* Any value of an audit entry as text. */
const text = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/* The latest audit entries of the workspace (GET /api/audit), and the CSV download. */
async function auditSection(box, ctx) {
  let d;
  try {
    d = await api('/api/audit?limit=50', { signal: ctx.signal });
  } catch (e) {
    if (ctx.stale() || (e && e.name === 'AbortError')) return;
    box.lastChild.remove();
    const retry = () => {
      clear(box).append(h('h2', { id: 'audit-h' }, 'Audit log'), loading());
      auditSection(box, ctx);
    };
    box.appendChild(
      e.status === 404
        ? h('p', { class: 'muted', id: 'audit-unavailable' }, 'Audit log unavailable (this server does not keep one).')
        : errorBox(e, retry),
    );
    return;
  }
  if (ctx.stale()) return;
  box.lastChild.remove();
  box.append(
    h(
      'p',
      { class: 'toolbar' },
      h(
        'span',
        { class: 'muted' },
        'Newest first: imports, deletions, sample data' + (state.can('admin') ? ', user and workspace changes.' : '.'),
      ),
      ' ',
      h(
        'a',
        { href: state.wsPath('/api/audit.csv'), download: 'audit.csv', class: 'button', id: 'audit-csv' },
        'Download CSV',
      ),
    ),
    table(
      [
        { key: 'at', label: 'Time', fmt: (r) => fmt.dateTime(r.at) },
        { key: 'actor', label: 'Actor', fmt: (r) => text(r.actor) },
        { key: 'action', label: 'Action', fmt: (r) => text(r.action) },
        { key: 'target', label: 'Target', fmt: (r) => text(r.target) },
        { key: 'detail', label: 'Detail', nosort: true, fmt: (r) => text(r.detail) },
      ],
      (d && d.entries) || [],
      { sortKey: 'at', sortDir: 'desc', cls: 'audit', empty: 'Nothing recorded yet.' },
    ),
  );
}

/* Admins: the users (GET /api/users), add one, change a role, delete one. */
const ROLES = ['viewer', 'analyst', 'admin'];
const text0 = (v) => (v === null || v === undefined ? '' : String(v));
async function usersSection(box, ctx, flashNode) {
  const title = h('h2', { id: 'users-h' }, 'Users');
  const redraw = (node) => usersSection(box, ctx, node);
  let d;
  try {
    d = await api('/api/users', { signal: ctx.signal });
  } catch (e) {
    if (ctx.stale() || (e && e.name === 'AbortError')) return;
    clear(box).append(
      title,
      e.status === 404
        ? h('p', { class: 'muted' }, 'User management is unavailable on this server.')
        : errorBox(e, () => redraw()),
    );
    return;
  }
  if (ctx.stale()) return;
  const msg = h('div', { class: 'users-outcome', 'aria-live': 'polite' }, flashNode || null);
  const users = (d && d.users) || [];
  const say = (node) => clear(msg).appendChild(node);
  const session = state.session;
  const me = session && session.user ? session.user.name : null;
  const form = (fields) => {
    const p = new URLSearchParams();
    for (const k in fields) p.set(k, fields[k]);
    return p;
  };
  /* a change, then the list again with its outcome (an error too: the controls come back) */
  const act = async (fn, done) => {
    let node;
    try {
      await fn();
      node = success(done);
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      node = errorBox(e);
    }
    if (!ctx.stale()) await redraw(node);
  };
  const roleSelect = (u) => {
    const sel = h(
      'select',
      { 'aria-label': 'Role of ' + u.name, dataset: { userRole: u.name } },
      ROLES.map((r) => h('option', { value: r, selected: r === u.role }, r)),
    );
    sel.addEventListener('change', async () => {
      const role = sel.value;
      const yes = await confirm('Change the role of ' + u.name + '?', u.name + ' becomes ' + role + '.', 'Change role');
      if (!yes) {
        sel.value = u.role;
        return;
      }
      sel.disabled = true;
      await act(
        () => api('/api/users/' + encodeURIComponent(u.name), { method: 'POST', body: form({ role }) }),
        u.name + ' is now ' + role + '.',
      );
    });
    return sel;
  };
  const deleteButton = (u) => {
    const del = h('button', { type: 'button', class: 'danger', dataset: { deleteUser: u.name } }, 'Delete…');
    del.addEventListener('click', async () => {
      const yes = await confirm(
        'Delete user ' + u.name + '?',
        u.name + ' can no longer sign in.' + (u.name === me ? ' That is you: your session ends.' : ''),
        'Delete user',
      );
      if (!yes) return;
      del.disabled = true;
      await act(() => api('/api/users/' + encodeURIComponent(u.name), { method: 'DELETE' }), 'Deleted ' + u.name + '.');
    });
    return del;
  };

  const list = table(
    [
      { key: 'name', label: 'Name', fmt: (u) => text0(u.name) + (u.name === me ? ' (you)' : '') },
      { key: 'role', label: 'Role', fmt: roleSelect },
      {
        key: 'workspaces',
        label: 'Workspaces',
        sort: (u) => (u.workspaces || []).join(','),
        fmt: (u) => (u.workspaces || []).join(', ') || '—',
      },
      { key: 'created_at', label: 'Created', fmt: (u) => fmt.dateTime(u.created_at) },
      { key: 'actions', label: 'Actions', nosort: true, fmt: deleteButton },
    ],
    users,
    { sortKey: 'name', sortDir: 'asc', cls: 'users', empty: 'No user yet: the server is in open mode.' },
  );

  /* add a user */
  const name = h('input', {
    type: 'text',
    id: 'user-name',
    name: 'name',
    required: true,
    maxlength: 64,
    pattern: '[A-Za-z0-9._@\\-]{1,64}',
    autocomplete: 'off',
  });
  const role = h(
    'select',
    { id: 'user-role', name: 'role' },
    ROLES.map((r) => h('option', { value: r }, r)),
  );
  const pw = h('input', {
    type: 'password',
    id: 'user-password',
    name: 'password',
    required: true,
    minlength: 8,
    autocomplete: 'new-password',
  });
  const cur = state.currentWs();
  const wss = (session && session.workspaces) || [];
  const wsBoxes = wss.map((w) =>
    h('input', { type: 'checkbox', value: w.slug, checked: w.slug === cur || wss.length === 1 }),
  );
  const wsField = wss.length
    ? h(
        'fieldset',
        null,
        h('legend', null, 'Workspaces'),
        wsBoxes.map((cb) => h('label', null, cb, cb.value)),
      )
    : h(
        'label',
        null,
        'Workspaces (comma list)',
        h('input', { type: 'text', id: 'user-workspaces', value: cur || 'default' }),
      );
  const add = h('button', { type: 'submit', class: 'primary', id: 'user-add' }, 'Add user');
  const f = h(
    'form',
    { class: 'user-form', id: 'user-form' },
    h('label', null, 'Name', name),
    h('label', null, 'Role', role),
    h('label', null, 'Password (8+ characters)', pw),
    wsField,
    add,
  );
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!f.reportValidity()) return;
    const chosen = wss.length
      ? wsBoxes.filter((cb) => cb.checked).map((cb) => cb.value)
      : f
          .querySelector('#user-workspaces')
          .value.split(',')
          .map((x) => x.trim())
          .filter(Boolean);
    if (!chosen.length) {
      say(errorBox(new Error('choose at least one workspace')));
      return;
    }
    add.disabled = true;
    const n = name.value.trim();
    try {
      await api('/api/users', {
        method: 'POST',
        body: form({ name: n, role: role.value, password: pw.value, workspaces: chosen.join(',') }),
      });
    } catch (err) {
      /* keep what was typed; say why */
      add.disabled = false;
      if (!(err && err.name === 'AbortError')) say(errorBox(err));
      return;
    }
    if (!ctx.stale()) await redraw(success('Added ' + n + ' (' + role.value + ').'));
  });
  clear(box).append(title, list, h('h3', null, 'Add a user'), f, msg);
}
