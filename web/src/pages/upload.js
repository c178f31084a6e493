/* pages/upload.js — Data Upload (/upload): pick or drop a file, the dataset recognised by the
 * server (or chosen), append/replace, an upload progress bar, then the outcome: rows
 * accepted, or the line-numbered errors with "Import the valid rows anyway" and the rejects.
 * uploadInto is also the Database page's "Replace…". */
import { api, sendFile } from '../api.js';
import { clear, confirm, errorBox, h } from '../dom.js';
import { bytes, fmt } from '../format.js';
import { dataChanged, refreshStatus } from '../sidebar.js';
import { can, roleName, wsPath } from '../state.js';
import { table } from '../table.js';
import { DATASETS } from './common.js';

const DS_LABEL = { influencers: 'Influencers', posts: 'Posts', tracking_data: 'Tracking data', payouts: 'Payouts' };
export const FILE_TYPES = '.csv,.tsv,.txt,.json,.jsonl,.ndjson,text/csv';

/* The data rows of a file, counted in the browser (the file read as it streams, nothing
 * sent): CSV and TSV records (quoted fields may span lines; blank lines do not count), less
 * the header; the objects of a JSON array; the lines of JSON lines. For the confirmation of
 * a replace: "the 20,000 stored rows … are replaced by the 1,234 rows of …". */
export async function countRows(file) {
  const reader = file.stream().getReader();
  const dec = new TextDecoder();
  let kind = null; /* 'csv' | 'array' | 'lines' */
  let records = 0,
    filled = false,
    quoted = false,
    depth = 0,
    inString = false,
    escaped = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = dec.decode(value, { stream: true });
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (kind === null) {
        if (c === '\ufeff' || c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
        kind = c === '[' ? 'array' : c === '{' ? 'lines' : 'csv';
      }
      if (kind === 'csv') {
        if (c === '"') quoted = !quoted;
        else if (c === '\n' && !quoted) {
          if (filled) records++;
          filled = false;
          continue;
        }
        if (!quoted && (c === ',' || c === '\t' || c === ';' || c === ' ' || c === '\r')) continue;
        filled = true;
      } else if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') {
        if (depth === (kind === 'array' ? 1 : 0)) records++;
        depth++;
      } else if (c === '}') depth--;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
    }
  }
  if (kind === 'csv') return Math.max(0, records + (filled ? 1 : 0) - 1);
  return records;
}

/* Uploads file and shows the progress and the outcome inside box. opts: {dataset, mode,
 * skipInvalid, onDone(result)} */
export function uploadInto(box, file, opts) {
  clear(box);
  const bar = h('progress', { max: 100, value: 0, id: 'upload-progress', 'aria-label': 'Upload progress' });
  const label = h('span', { class: 'progress-label' }, 'Sending ' + file.name + ' (' + bytes(file.size) + ')…');
  const prog = h('div', { class: 'progress', role: 'status', 'aria-live': 'polite' }, bar, label);
  box.appendChild(prog);
  const t0 = performance.now();
  /* The import's own progress (GET /api/import/progress): the share of the file read back,
   * checked and stored, and the rows so far; then the commit. Asked from the start, every
   * 300 ms, and shown once the server reports this file's import (its name and size): the
   * browser's "sent" event can come late (or with the answer itself), so the page does not
   * wait for it. Once the import shows, the sending's events no longer change the label. */
  let answered = false;
  let importing = false;
  let sent = false;
  const poll = async () => {
    while (!answered) {
      await new Promise((r) => setTimeout(r, 300));
      if (answered) break;
      const p = await api('/api/import/progress').catch(() => null);
      if (answered || !p) continue;
      const ours = p.running && p.file === file.name && p.bytes_total === file.size;
      if (ours && p.phase === 'reading' && p.bytes_total > 0) {
        importing = true;
        const pc = Math.min(99, Math.floor((p.bytes_done / p.bytes_total) * 100));
        bar.value = pc;
        label.textContent =
          'Importing ' + file.name + ': ' + pc + ' % read, ' + fmt.int(p.rows) + ' rows checked and stored…';
      } else if (ours && p.phase === 'committing') {
        importing = true;
        bar.removeAttribute('value');
        label.textContent = 'Importing ' + file.name + ': ' + fmt.int(p.rows) + ' rows in; committing…';
      } else if (sent && !p.running && p.waiting > 0) {
        label.textContent = 'Sent; waiting for another import to finish…';
      }
    }
  };
  poll();
  return sendFile(file, {
    dataset: opts.dataset,
    mode: opts.mode,
    skipInvalid: opts.skipInvalid,
    onProgress: (done, total) => {
      if (importing) return;
      const pc = total ? Math.round((done / total) * 100) : 0;
      bar.value = pc;
      const secs = (performance.now() - t0) / 1000;
      label.textContent =
        'Sending ' +
        file.name +
        ': ' +
        pc +
        ' % of ' +
        bytes(total) +
        (secs > 1 ? ' (' + bytes(done / secs) + '/s)' : '');
    },
    onSent: () => {
      sent = true;
      if (importing) return;
      bar.removeAttribute('value');
      label.textContent = 'Sent; the server is checking and storing the rows…';
    },
  }).then(
    async (res) => {
      answered = true;
      prog.remove();
      showOutcome(box, file, opts, res);
      if (res.status === 200) await dataChanged(false);
      if (opts.onDone) opts.onDone(res);
      return res;
    },
    (err) => {
      answered = true;
      prog.remove();
      if (err && err.name === 'AbortError') return;
      box.appendChild(errorBox(err));
    },
  );
}

/* A warning of the import's answer as a line of text. */
function warningText(w) {
  if (typeof w === 'string') return w;
  if (!(w && w.message)) return JSON.stringify(w);
  const where = w.line ? 'line ' + w.line + (w.column ? ', ' + w.column : '') + ': ' : '';
  const value = w.value !== undefined && w.value !== null && w.value !== '' ? ' (' + w.value + ')' : '';
  return where + w.message + value;
}

/* What to do about a file refused as a whole. */
function fileAdvice(file, opts, b) {
  const advice = h('div', { class: 'advice', id: 'upload-advice' }, h('strong', null, 'What to do: '));
  const text = h('span');
  advice.appendChild(text);
  const chooser = document.getElementById('upload-dataset');
  const unrecognised = !b.dataset && !opts.dataset;
  const say = (binary) => {
    const parts = [];
    if (binary)
      parts.push(
        file.name +
          ' is not a text file' +
          (file.type ? ' (' + file.type + ')' : '') +
          ': save the data as CSV (comma-separated values), TSV or JSON lines first.',
      );
    if (unrecognised)
      parts.push(
        (binary ? 'If it holds rows, choose' : 'Choose') +
          ' its dataset in the Dataset menu (Influencers, Posts, Tracking data or Payouts) and upload it again.',
      );
    else parts.push('Check the first line of ' + file.name + ': it must name the columns (see the reason above).');
    parts.push('The first line of a file names its columns, for example influencer_id,name,platform.');
    text.textContent = ' ' + parts.join(' ');
  };
  say(/^image\/|^audio\/|^video\/|^application\/(pdf|zip|octet-stream)/.test(file.type || ''));
  /* a binary file whose type the browser does not know: a NUL byte in its first kilobyte */
  if (file.slice && !/^image\//.test(file.type || ''))
    file
      .slice(0, 1024)
      .arrayBuffer()
      .then((buf) => {
        if (new Uint8Array(buf).includes(0)) say(true);
      })
      .catch(() => {});
  if (unrecognised && chooser)
    advice.appendChild(
      h(
        'button',
        { type: 'button', class: 'linkish', id: 'upload-choose-dataset', onclick: () => chooser.focus() },
        'Choose the dataset',
      ),
    );
  return advice;
}

function showOutcome(box, file, opts, res) {
  const b = res.body || {};
  const ds = b.dataset ? DS_LABEL[b.dataset] || b.dataset : opts.dataset || 'the dataset';
  const out = h('div', { class: 'outcome', dataset: { status: String(res.status) } });
  box.appendChild(out);
  if (res.status === 200) {
    out.appendChild(
      h(
        'p',
        { class: 'success', role: 'status' },
        '✓ Imported ',
        h('strong', { class: 'accepted' }, fmt.int(b.accepted)),
        ' rows into ' +
          ds +
          ' (' +
          (b.mode || opts.mode) +
          ')' +
          (b.rejected ? '; ' + fmt.int(b.rejected) + ' invalid rows skipped' : '') +
          '.',
      ),
    );
    if (b.rejected && b.rejects_url)
      out.appendChild(
        h('p', null, h('a', { href: wsPath(b.rejects_url), download: '' }, 'Download the rejected rows (CSV)')),
      );
  } else if (res.status === 422 && b.error && !(b.errors || []).length && !b.rejected) {
    /* the file as a whole was refused (its dataset not recognised, a required column
     * missing): the server's reason, and what to do about it */
    out.appendChild(
      h(
        'div',
        { class: 'error', role: 'alert' },
        h('strong', null, 'Nothing was imported. '),
        h('span', { class: 'server-reason' }, b.error),
      ),
    );
    out.appendChild(fileAdvice(file, opts, b));
  } else if (res.status === 422) {
    const errs = b.errors || [];
    out.appendChild(
      h(
        'div',
        { class: 'error', role: 'alert' },
        h('strong', null, 'Nothing was imported. '),
        file.name +
          ' (' +
          ds +
          ') has ' +
          fmt.int(b.rejected !== undefined ? b.rejected : errs.length) +
          ' invalid row' +
          (b.rejected === 1 ? '' : 's') +
          (b.accepted !== undefined ? ' and ' + fmt.int(b.accepted) + ' valid ones' : '') +
          '.',
      ),
    );
    const actions = h('div', { class: 'row-actions' });
    if (b.accepted > 0) {
      const again = h(
        'button',
        { type: 'button', class: 'primary', id: 'import-valid' },
        'Import the valid rows anyway',
      );
      again.addEventListener('click', () =>
        uploadInto(box, file, Object.assign({}, opts, { dataset: opts.dataset || b.dataset, skipInvalid: true })),
      );
      actions.appendChild(again);
    }
    if (b.rejects_url) {
      actions.appendChild(
        h(
          'a',
          { href: wsPath(b.rejects_url), download: '', class: 'button', id: 'rejects-link' },
          'Download the rejected rows (CSV)',
        ),
      );
    }
    out.appendChild(actions);
    out.appendChild(
      table(
        [
          {
            key: 'line',
            label: 'Line',
            num: true,
            fmt: (e) => (e.line === null || e.line === undefined ? '—' : fmt.int(e.line)),
          },
          { key: 'column', label: 'Column', fmt: (e) => fmt.text(e.column) },
          {
            key: 'value',
            label: 'Value',
            fmt: (e) => h('code', null, e.value === null || e.value === undefined ? '' : String(e.value)),
          },
          { key: 'message', label: 'Reason' },
        ],
        errs,
        {
          sortKey: 'line',
          sortDir: 'asc',
          limit: 100,
          cls: 'import-errors',
          caption: 'Rows refused' + (errs.length < b.rejected ? ' (the first ' + errs.length + ')' : ''),
        },
      ),
    );
  } else {
    const why = res.status === 413 ? 'The file is too large for this server.' : '';
    out.appendChild(
      h(
        'div',
        { class: 'error', role: 'alert' },
        h('strong', null, 'The upload was refused (' + res.status + '): '),
        why,
        ' ',
        b.error || '',
      ),
    );
    if (b.errors && b.errors.length) {
      out.appendChild(
        table(
          [
            { key: 'line', label: 'Line', num: true },
            { key: 'column', label: 'Column' },
            { key: 'value', label: 'Value' },
            { key: 'message', label: 'Reason' },
          ],
          b.errors,
          { cls: 'import-errors' },
        ),
      );
    }
  }
  const warns = Array.isArray(b.warning_list) ? b.warning_list : Array.isArray(b.warnings) ? b.warnings : [];
  if (warns.length) {
    out.appendChild(
      h(
        'div',
        { class: 'notice' },
        h('strong', null, 'Warnings (' + fmt.int(typeof b.warnings === 'number' ? b.warnings : warns.length) + ')'),
        h(
          'ul',
          null,
          warns.slice(0, 50).map((w) => h('li', null, warningText(w))),
        ),
      ),
    );
  }
}

export function upload(ctx) {
  document.title = 'Data Upload · infludash';
  const el = ctx.el;
  if (!can('import')) {
    el.append(
      h('div', { class: 'page-head' }, h('h1', null, 'Data Upload')),
      h(
        'p',
        { class: 'notice role-note', id: 'upload-denied' },
        'Your role (' + roleName() + ') cannot import. An analyst or an admin can.',
      ),
    );
    return;
  }
  let file = null;
  const input = h('input', { type: 'file', id: 'upload-file', accept: FILE_TYPES });
  const chosen = h('p', { class: 'chosen muted', 'aria-live': 'polite' }, 'No file chosen.');
  /* the drop zone is for the mouse; the keyboard (and a screen reader) uses the file input
   * inside it, which is a control of its own */
  const drop = h(
    'div',
    { class: 'dropzone', id: 'dropzone' },
    h(
      'p',
      null,
      h('strong', null, 'Drop a file here'),
      ' or ',
      h('label', { for: 'upload-file', class: 'linkish' }, 'choose one'),
    ),
    input,
    chosen,
  );
  const go = h('button', { type: 'submit', class: 'primary', id: 'upload-go', disabled: true }, 'Upload');
  const setFile = (f) => {
    file = f || null;
    chosen.textContent = file ? file.name + ' · ' + bytes(file.size) : 'No file chosen.';
    go.disabled = !file;
  };
  input.addEventListener('change', () => setFile(input.files[0]));
  for (const t of ['dragenter', 'dragover']) {
    drop.addEventListener(t, (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
  }
  for (const t of ['dragleave', 'drop']) drop.addEventListener(t, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) setFile(e.dataTransfer.files[0]);
  });
  const ds = h(
    'select',
    { id: 'upload-dataset' },
    h('option', { value: '' }, 'Recognise automatically'),
    DATASETS.map(([k, l]) => h('option', { value: k }, l)),
  );
  /* replacing deletes the stored rows: only for a role that may delete (the server refuses it too) */
  const mayReplace = can('delete');
  const mode = h(
    'select',
    { id: 'upload-mode' },
    h('option', { value: 'append' }, 'Append (add and update rows)'),
    mayReplace ? h('option', { value: 'replace' }, 'Replace the dataset') : null,
  );
  const result = h('div', { id: 'upload-result' });
  const modeNote = h('p', { class: 'error', id: 'upload-mode-problem', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'upload-form', novalidate: true },
    drop,
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'upload-dataset' }, 'Dataset'),
      ds,
      h('label', { for: 'upload-mode' }, 'Mode'),
      mode,
      go,
    ),
    modeNote,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file) return;
    modeNote.hidden = true;
    if (mode.value === 'replace') {
      /* replacing deletes the stored rows: the user names the dataset, and sees how many
       * rows go and how many come */
      if (!ds.value) {
        modeNote.textContent = 'Choose the dataset to replace (the Dataset menu): replacing deletes its stored rows.';
        modeNote.hidden = false;
        ds.focus();
        return;
      }
      go.disabled = true;
      chosen.textContent = 'Counting the rows of ' + file.name + '…';
      const n = await countRows(file).catch(() => null);
      const st = await refreshStatus();
      setFile(file);
      const stored = ((st && st.counts) || {})[ds.value];
      const ok = await confirm(
        'Replace ' + DS_LABEL[ds.value] + '?',
        'The ' +
          (typeof stored === 'number'
            ? fmt.int(stored) + ' stored ' + (stored === 1 ? 'row' : 'rows')
            : 'stored rows') +
          ' of ' +
          DS_LABEL[ds.value] +
          ' are replaced by the ' +
          (n === null ? '' : fmt.int(n) + ' ') +
          (n === 1 ? 'row' : 'rows') +
          ' of "' +
          file.name +
          '". This cannot be undone.',
        'Replace',
      );
      if (!ok) return;
    }
    go.disabled = true;
    await uploadInto(result, file, { dataset: ds.value, mode: mode.value });
    go.disabled = !file;
  });
  el.append(
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Data Upload'),
      h(
        'p',
        { class: 'muted' },
        'CSV (or TSV/JSON lines) for influencers, posts, tracking data or payouts. A file with invalid rows is refused as a whole unless you choose to import its valid rows.',
      ),
    ),
    form,
  );
  if (!mayReplace)
    el.append(
      h(
        'p',
        { class: 'muted role-note', id: 'upload-no-replace' },
        'Your role (' + roleName() + ') adds and updates rows; replacing a dataset is for an admin.',
      ),
    );
  el.append(result);
}
