/* account.js — the session (GET /api/session: user, role, rights, workspaces, CSRF token)
 * into state.js, and what the page shows of it: the account line with "Sign out", the
 * open-mode banner, the workspace switcher. */
import { clear, h } from './dom.js';
import * as state from './state.js';

const OPEN_SESSION = {
  open: true,
  legacy: true,
  user: null,
  csrf: null,
  workspace: '',
  workspaces: [],
  can: { read: true, import: true, delete: true, admin: false },
};

async function getSession(ws) {
  const res = await fetch('/api/session' + (ws ? '?ws=' + encodeURIComponent(ws) : ''), {
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
  });
  let body;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

/* Loads the session and draws the account parts; resolves false when the page is leaving for
 * the sign-in page. */
export async function loadSession() {
  let notice = null;
  let session;
  try {
    let r = await getSession(state.ws());
    if (r.status === 404 && state.ws()) {
      /* an unknown workspace (or not the user's), or an old server without accounts */
      const r2 = await getSession('');
      if (r2.status === 200 && r2.body) {
        notice =
          'Workspace "' +
          state.ws() +
          '" does not exist or is not yours; showing "' +
          (r2.body.workspace || 'default') +
          '".';
        const p = new URLSearchParams(location.search);
        p.delete('ws');
        const q = p.toString();
        history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
      }
      r = r2;
    }
    if (r.status === 401) {
      state.toLogin();
      return false;
    }
    if (r.status === 200 && r.body && typeof r.body === 'object') session = r.body;
    else if (r.status === 404) session = Object.assign({}, OPEN_SESSION); /* a server without accounts */
    else throw new Error('GET /api/session answered ' + r.status + (r.body && r.body.error ? ': ' + r.body.error : ''));
  } catch (e) {
    /* Unknown state: go on with every control shown (the server still decides). */
    console.warn('session unavailable:', e);
    session = {
      open: false,
      unknown: true,
      user: null,
      csrf: null,
      workspace: '',
      workspaces: [],
      can: { read: true, import: true, delete: true, admin: false },
    };
  }
  if (!session.can) session.can = { read: true, import: true, delete: true, admin: !!session.open };
  if (!Array.isArray(session.workspaces)) session.workspaces = [];
  state.setSession(session);
  drawAccount(notice);
  return true;
}

async function signOut(btn) {
  btn.disabled = true;
  try {
    await fetch('/logout', {
      method: 'POST',
      headers: state.csrfHeaders({ Accept: 'application/json' }),
      credentials: 'same-origin',
      redirect: 'manual',
    });
  } catch (e) {
    console.warn('sign out:', e);
  }
  location.assign('/login');
}

function drawAccount(notice) {
  const s = state.session;
  const acct = clear(document.getElementById('account'));
  if (s.user) {
    const who = h('span', { class: 'who', id: 'account-name' }, s.user.name + ' (' + s.user.role + ')');
    const out = h('button', { type: 'button', id: 'sign-out', class: 'linkish' }, 'Sign out');
    out.addEventListener('click', () => signOut(out));
    acct.append(who, ' ', out);
    acct.hidden = false;
    const top = document.getElementById('top-account');
    if (top) top.textContent = s.user.name + ' (' + s.user.role + ')';
  } else acct.hidden = true;
  const banner = clear(document.getElementById('open-banner'));
  if (s.open) {
    banner.append(
      h('strong', null, 'Open mode: '),
      'no accounts exist — anyone who can reach this server can read and change the data. Create one with ',
      h('code', null, 'infludash user add NAME --role admin'),
      '.',
    );
    banner.hidden = false;
  } else banner.hidden = true;
  const n = document.getElementById('session-notice');
  n.textContent = notice || '';
  n.hidden = !notice;
  const box = clear(document.getElementById('workspace'));
  if (s.workspaces.length > 1) {
    const sel = h(
      'select',
      { id: 'ws-select' },
      s.workspaces.map((w) =>
        h('option', { value: w.slug }, w.title && w.title !== w.slug ? w.title + ' (' + w.slug + ')' : w.slug),
      ),
    );
    sel.addEventListener('change', () => {
      /* another workspace: its own filter values, so the filters start empty */
      const ws = '?ws=' + encodeURIComponent(sel.value);
      state.navigate(location.pathname.startsWith('/influencers/') ? '/influencers' + ws : location.pathname + ws);
    });
    box.append(h('label', { for: 'ws-select' }, 'Workspace'), sel);
    box.hidden = false;
  } else box.hidden = true;
  syncWorkspace();
}

/* Shows the current workspace in the switcher. */
export function syncWorkspace() {
  const sel = document.getElementById('ws-select');
  if (sel) sel.value = state.currentWs();
}
