#!/usr/bin/env python3
"""Checks for tests/e2e/escaping.sh: every sink of user data, read by an independent parser.

usage: escaping_check.py COMMAND ARGS...
  gen DIR                    writes influencers/posts/tracking_data/payouts CSVs of hostile values
  upload FILE                writes an influencers CSV of hostile values under other ids
  json FILE PATHS...         FILE is valid JSON; no raw < > & or U+2028/2029 in its bytes; at
                             every PATH (".a[].b") the hostile values are found verbatim
  report-csv FILE            the report CSV parses with its header on line 1; a text cell never
                             starts with = + - @ unless it is a number; the hostile names are
                             there, formula-like ones behind an apostrophe
  dataset-csv FILE DATASET   the dataset export holds every hostile value, the formula-like ones
                             behind the apostrophe that import takes off (guarded())
  dataset-db DB              the SQLite database that the exports were imported into holds
                             every hostile value verbatim, as first imported
  xlsx FILE                  the workbook's text holds the hostile names as string cells, and no
                             <f> element mentions them
  pdf-text FILE              the PDF's text (pdftotext) shows hostile names literally
  rejects FILE               the rejects CSV holds the hostile row as uploaded
"""
import csv
import io
import json
import re
import sys
import zipfile

# The hostile values: markup, quotes and backslashes, line breaks, U+2028, formula-like cells.
HOSTILE = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '"\\\'\\\\',
    'line1\nline2',
    'cr1\rcr2',
    'u\u2028v',
    '=HYPERLINK("http://evil.example","x")',
    '+1+1',
    '-2+3',
    '@SUM(1)',
    "'=1+1",   # an apostrophe before a formula: what a guard looks like, kept as it is
    "'Tis",    # an apostrophe before anything else
    '-5',      # a number in a text column: not a formula, left alone
]
NUMBER = re.compile(r'^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$')


def guarded(v):
    """The cell csv_write_text writes for v: an apostrophe before a value a spreadsheet would
    run as a formula (= + - @ tab CR first, not a plain number), and before a value that
    starts with an apostrophe followed by one of those or by another apostrophe."""
    if v and v[0] in '=+-@\t\r' and not NUMBER.match(v):
        return "'" + v
    if len(v) > 1 and v[0] == "'" and v[1] in "=+-@\t\r'":
        return "'" + v
    return v


# The values a spreadsheet would take for a formula.
FORMULA_LIKE = [h for h in HOSTILE if h[0] in '=+-@' and not NUMBER.match(h)]
# The values that fit on one line of PDF text.
ONE_LINE = [h for h in HOSTILE if not re.search('[\r\n\u2028]', h)]
N = len(HOSTILE)


def h(i):
    return HOSTILE[i % N]


def write(path, header, rows):
    """A CSV of the rows, every value as our import is to store it: a value that starts with
    an apostrophe before = + - @ or another apostrophe is written with one more apostrophe,
    as our export writes it (import takes one off: README "CSV files and spreadsheets");
    the formula-like values are written raw, as any other program would."""
    def cell(v):
        v = str(v)
        return "'" + v if len(v) > 1 and v[0] == "'" and v[1] in "=+-@\t\r'" else v
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n', quoting=csv.QUOTE_ALL)
        w.writerow(header)
        w.writerows([[cell(v) for v in r] for r in rows])


# Each dataset's hostile text columns, and the value in row i.
TEXT_COLUMNS = {
    'influencers': {'name': 0, 'category': 1, 'city': 2},
    'posts': {'caption': 0},
    'tracking_data': {'source': 3, 'campaign': 0, 'product': 1, 'brand': 2},
    'payouts': {'campaign': 0},
}


def gen(d):
    write(f'{d}/influencers.csv',
          ['influencer_id', 'name', 'category', 'gender', 'follower_count', 'platform', 'city'],
          [[f'INFX{i:02d}', h(i), h(i + 1), 'Female', 1000 + i, 'Instagram', h(i + 2)]
           for i in range(N)])
    write(f'{d}/posts.csv',
          ['post_id', 'influencer_id', 'platform', 'date', 'url', 'caption', 'reach', 'likes',
           'comments', 'shares'],
          [[f'PX{i:02d}', f'INFX{i:02d}', 'Instagram', '2025-06-01', f'https://x.example/{i}',
            h(i), 100, 10, 1, 1] for i in range(N)])
    write(f'{d}/tracking_data.csv',
          ['tracking_id', 'source', 'campaign', 'influencer_id', 'user_id', 'product', 'brand',
           'date', 'orders', 'revenue'],
          [[f'TX{i:02d}', h(i + 3), h(i), f'INFX{i:02d}', f'U{i}', h(i + 1), h(i + 2),
            '2025-06-02', 1, 100 * (i + 1)] for i in range(N)])
    write(f'{d}/payouts.csv',
          ['payout_id', 'influencer_id', 'campaign', 'basis', 'rate', 'orders', 'posts',
           'total_payout', 'payout_date', 'status'],
          [[f'YX{i:02d}', f'INFX{i:02d}', h(i), 'post', 500, '', 1, 500, '2025-06-30', 'Paid']
           for i in range(N)])


def upload(path):
    write(path, ['influencer_id', 'name', 'category', 'gender', 'follower_count', 'platform'],
          [[f'INFY{i:02d}', h(i), h(i + 5), 'Male', 2000 + i, 'YouTube'] for i in range(N)])


def at(doc, path):
    """The values at ".a[].b" in doc."""
    vals = [doc]
    for part in re.findall(r'\.[^.\[]+|\[\]', path):
        nxt = []
        for v in vals:
            if part == '[]':
                nxt.extend(v if isinstance(v, list) else [])
            elif isinstance(v, dict) and part[1:] in v:
                nxt.append(v[part[1:]])
        vals = nxt
    return vals


def check_json(path, *paths):
    raw = open(path, 'rb').read()
    doc = json.loads(raw.decode('utf-8'))
    for bad in (b'<', b'>', b'&', '\u2028'.encode(), '\u2029'.encode()):
        assert bad not in raw, f'raw {bad!r} in the JSON bytes (json.c escapes it)'
    for p in paths:
        found = set(v for v in at(doc, p) if isinstance(v, str))
        hostile = [x for x in HOSTILE if x in found]
        assert hostile, f'{p}: no hostile value found verbatim; values: {sorted(found)[:12]}'
        # A value that carries a hostile marker must be one of them whole (nothing mangled).
        for v in found:
            if 'alert(1)' in v or 'HYPERLINK' in v:
                assert v in HOSTILE, f'{p}: mangled value {v!r}'


def check_report_csv(path):
    text = open(path, newline='', encoding='utf-8').read()
    assert text.startswith('influencer_id,name,'), f'line 1 is not the header: {text[:80]!r}'
    rows = list(csv.DictReader(io.StringIO(text, newline='')))
    assert rows, 'no rows'
    for r in rows:
        for k, v in r.items():
            if v and v[0] in '=+-@\t\r':
                assert NUMBER.match(v), f'{k}: formula-like cell {v!r} without an apostrophe'
    names = {r['name'] for r in rows}
    for x in HOSTILE:
        assert guarded(x) in names, f'name {guarded(x)!r} missing; names: {sorted(names)}'


def check_dataset_csv(path, dataset):
    rows = list(csv.DictReader(open(path, newline='', encoding='utf-8')))
    prefix = {'influencers': 'INFX', 'posts': 'PX', 'tracking_data': 'TX', 'payouts': 'YX'}
    idcol = {'influencers': 'influencer_id', 'posts': 'post_id', 'tracking_data': 'tracking_id',
             'payouts': 'payout_id'}
    byid = {r[idcol[dataset]]: r for r in rows}
    for i in range(N):
        r = byid[f'{prefix[dataset]}{i:02d}']
        for col, off in TEXT_COLUMNS[dataset].items():
            want = guarded(h(i + off))
            assert r[col] == want, f'{dataset} row {i} {col}: {r[col]!r} != {want!r}'
    for k, v in ((k, v) for r in rows for k, v in r.items()):
        if v and v[0] in '=+-@\t\r':
            assert NUMBER.match(v), f'{k}: formula-like cell {v!r} without an apostrophe'


def check_dataset_db(path):
    import sqlite3
    db = sqlite3.connect(path)
    ids = {'influencers': 'influencer_id', 'posts': 'post_id', 'tracking_data': 'tracking_id',
           'payouts': 'payout_id'}
    prefix = {'influencers': 'INFX', 'posts': 'PX', 'tracking_data': 'TX', 'payouts': 'YX'}
    for ds, cols in TEXT_COLUMNS.items():
        for col, off in cols.items():
            table = {r[1] for r in db.execute(f'PRAGMA table_info("{ds}")')}
            value = f'"{col}"' if col in table else f"json_extract(extra, '$.{col}')"
            got = dict(db.execute(f'SELECT "{ids[ds]}", {value} FROM "{ds}"'))
            for i in range(N):
                v = got[f'{prefix[ds]}{i:02d}']
                assert v == h(i + off), f'{ds} row {i} {col}: {v!r} != {h(i + off)!r}'


def check_xlsx(path):
    z = zipfile.ZipFile(path)
    text = ''
    for n in z.namelist():
        if not n.endswith('.xml'):
            continue
        t = z.read(n).decode('utf-8')
        for f in re.findall(r'<f[ >].*?</f>', t, re.S):
            for marker in ('alert', 'HYPERLINK', 'SUM(', 'evil.example', '1+1', '2+3'):
                assert marker not in f, f'{n}: formula element {f!r} holds user data'
        if n.startswith('xl/worksheets/') or n == 'xl/sharedStrings.xml':
            text += t
    from xml.sax.saxutils import escape
    strings = set()
    for m in re.finditer(r'<t(?: [^>]*)?>(.*?)</t>', text, re.S):
        strings.add(m.group(1))
    for x in ONE_LINE:
        assert escape(x) in strings, f'{x!r} not a text cell (escaped {escape(x)!r})'
    # the formula-like names are string cells, not formulas
    for x in FORMULA_LIKE:
        assert re.search(r't="(inlineStr|s|str)"[^>]*>(<is>)?<t[^>]*>' + re.escape(escape(x)) + '<',
                         text) or escape(x) in strings, f'{x!r} not stored as a string'


def check_pdf_text(path):
    t = open(path, encoding='utf-8').read()
    for x in ONE_LINE:
        assert x in t, f'{x!r} not in the PDF text'


def check_rejects(path):
    raw = open(path, 'rb').read()
    rows = list(csv.DictReader(io.StringIO(raw.decode('utf-8', 'surrogateescape'), newline='')))
    names = [r['name'] for r in rows]
    assert '\'=HYPERLINK("http://evil.example","x")' in names, names
    assert '<script>alert(1)</script>' in names, names
    assert any('\udcff' in n or '\ufffd' in n for n in names + [r.get('value', '') for r in rows]), \
        f'the invalid UTF-8 row is missing: {rows}'


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'gen': gen, 'upload': upload, 'json': check_json, 'report-csv': check_report_csv,
     'dataset-csv': check_dataset_csv, 'dataset-db': check_dataset_db, 'xlsx': check_xlsx, 'pdf-text': check_pdf_text,
     'rejects': check_rejects}[cmd](*args)
