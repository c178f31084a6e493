/* api.js — the API client: JSON from the server, ?ws= added to data paths, the CSRF header on
 * state-changing requests, "still loading" retried, a 401 to the sign-in page, errors as
 * ApiError with the server's message. */
import { csrfHeaders, toLogin, wsPath } from './state.js';

/* API paths that are not about one workspace's data. */
const NO_WS = /^\/api\/(session|users|workspaces)(\/|\?|$)/;

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/* JSON from the API; a 503 ("still loading") is retried every second (onWait tells the page).
 * Adds ?ws= (the URL's workspace) to data paths and X-CSRF-Token to state-changing requests;
 * a 401 goes to the sign-in page (opts.no401: the caller handles it). */
export async function api(path, opts) {
  opts = opts || {};
  const method = (opts.method || 'GET').toUpperCase();
  if (path.startsWith('/api/') && !NO_WS.test(path)) path = wsPath(path);
  const headers = { Accept: 'application/json' };
  const init = {
    method,
    signal: opts.signal,
    headers: method === 'GET' || method === 'HEAD' ? headers : csrfHeaders(headers),
    body: opts.body,
    credentials: 'same-origin',
  };
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(path, init);
    if (res.status === 503 && attempt < 120 && !opts.noRetry) {
      if (opts.onWait) opts.onWait(attempt);
      await new Promise((r) => setTimeout(r, 1000));
      if (opts.signal && opts.signal.aborted) throw new DOMException('aborted', 'AbortError');
      continue;
    }
    if (res.status === 401 && !opts.no401) throw toLogin();
    let body;
    const ct = res.headers.get('content-type') || '';
    if (ct.includes('json')) {
      try {
        body = await res.json();
      } catch {
        body = null;
      }
    } else {
      try {
        body = await res.text();
      } catch {
        body = null;
      }
    }
    if (!res.ok) {
      const msg =
        body && body.error
          ? body.error
          : typeof body === 'string' && body
            ? body.slice(0, 300)
            : res.status + ' ' + res.statusText;
      throw new ApiError(res.status, msg, body);
    }
    return body;
  }
}

/* POSTs a file to /api/import[/{dataset}] as the raw body, with upload progress
 * (XMLHttpRequest: fetch has none). opts: {dataset, mode, skipInvalid, signal,
 * onProgress(done, total), onSent()}. Resolves {status, body}; rejects on a network error. */
export function sendFile(file, opts) {
  const q = new URLSearchParams();
  q.set('mode', opts.mode || 'append');
  if (opts.skipInvalid) q.set('skip_invalid', '1');
  q.set('filename', file.name);
  const url = wsPath('/api/import' + (opts.dataset ? '/' + encodeURIComponent(opts.dataset) : '') + '?' + q.toString());
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', url);
    x.setRequestHeader('Content-Type', file.type && file.type !== 'application/vnd.ms-excel' ? file.type : 'text/csv');
    x.setRequestHeader('Accept', 'application/json');
    const csrf = csrfHeaders();
    for (const k in csrf) x.setRequestHeader(k, csrf[k]);
    x.upload.onprogress = (e) => {
      if (opts.onProgress) opts.onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    };
    x.upload.onload = () => {
      if (opts.onSent) opts.onSent();
    };
    x.onload = () => {
      if (x.status === 401) {
        reject(toLogin());
        return;
      }
      let body;
      try {
        body = JSON.parse(x.responseText);
      } catch {
        body = { error: x.responseText ? x.responseText.slice(0, 300) : x.status + ' ' + x.statusText };
      }
      resolve({ status: x.status, body });
    };
    x.onerror = () => reject(new Error('the upload failed (network error)'));
    x.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    if (opts.signal) opts.signal.addEventListener('abort', () => x.abort());
    x.send(file);
  });
}
