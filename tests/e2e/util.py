#!/usr/bin/env python3
"""Helpers for the end-to-end tests (tests/e2e/*.sh): reading the peers README, counting
records, reading CSV exports and status JSON. Independent of the binary on purpose: the
counts the tests compare against come from Python's csv/json modules, not from infludash.

usage: util.py COMMAND ARGS...
  manifest README              repo<TAB>file<TAB>KEY for every file of every table row
  count FILE                   data records (CSV: non-blank rows after the header; JSON:
                               elements of the top-level array)
  distinct DATASET FILE...     stored rows expected when FILE... are imported together:
                               distinct ids (ids normalised like `32.0` -> `32`), every
                               record counting once when the file has no id column
  status-counts                read status JSON on stdin, print the four counts
  status-get KEY...            read JSON on stdin, print the value at KEY/KEY/...
  nrows FILE                   data rows of a CSV file (blank rows included)
  header FILE                  the header of a CSV file, one name a line
  column FILE COL              the values of COL, one a line (newlines escaped as \\n)
  get FILE KEYCOL KEY COL      COL of the first row whose KEYCOL is KEY
  where FILE COL VALUE         number of rows whose COL equals VALUE
  rejects FILE                 rows of a rejects CSV as line<TAB>column<TAB>value<TAB>reason
"""
import csv
import io
import json
import re
import sys

csv.field_size_limit(1 << 30)

KEYS = ("INF", "POST", "TRK", "PAY", "AUX")


def manifest(path):
    repo = None
    out = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = re.match(r"^###\s+(\S+)", line)
            if m:
                repo = m.group(1)
                continue
            if not line.startswith("|") or repo is None:
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 2:
                continue
            if cells[0].lower() == "file" or set(cells[0]) <= set("-: "):
                continue
            files = [x.strip().strip("`") for x in re.split(r"[,/]", cells[0]) if x.strip()]
            cell = cells[1]
            while True:  # drop parenthesised remarks, innermost first
                stripped = re.sub(r"\([^()]*\)", "", cell)
                if stripped == cell:
                    break
                cell = stripped
            keys = []  # "POST / TRK / PAY", "INF/POST/TRK/PAY, a second set", "PAY. Checked: 27/27"
            for part in cell.split("/"):
                w = re.match(r"\s*([A-Z]+)\b", part)
                if not w or w.group(1) not in KEYS:
                    break
                keys.append(w.group(1))
            if not keys:
                sys.exit("manifest: cannot read the dataset keys in: %s" % line)
            if len(keys) == 1:
                keys = keys * len(files)
            if len(keys) != len(files):
                sys.exit("manifest: %d files but %d dataset keys in: %s" %
                         (len(files), len(keys), line))
            for fn, k in zip(files, keys):
                out.append((repo, fn, k))
    for repo, fn, k in out:
        print("%s\t%s\t%s" % (repo, fn, k))


def sniff_delim(first_line):
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    first = text.split("\n", 1)[0]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delim(first)))


def is_blank(row):
    return all(not c.strip() for c in row)


def records(path):
    """Header (list) and the data records as dicts, blank rows skipped."""
    if is_json(path):
        with open(path, encoding="utf-8-sig") as f:
            data = json.load(f)
        header = []
        for obj in data:
            for k in obj:
                if k not in header:
                    header.append(k)
        return header, [{k: ("" if v is None else str(v)) for k, v in o.items()} for o in data]
    rows = read_csv(path)
    rows = [r for r in rows if not is_blank(r)]
    if not rows:
        return [], []
    header = [h.strip() for h in rows[0]]
    return header, [dict(zip(header, r)) for r in rows[1:]]


def is_json(path):
    with open(path, "rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    return head[:1] == b"["


def count(path):
    print(len(records(path)[1]))


ID_ALIASES = {
    "influencers": ["influencer_id", "id", "influencerid", "inf_id", "influencer_code"],
    "posts": ["post_id", "id", "postid"],
    "tracking_data": ["tracking_id", "id", "trackingid", "order_id", "event_id", "transaction_id"],
    "payouts": ["payout_id", "id", "payoutid"],
}


def norm_id(v):
    v = v.strip()
    m = re.match(r"^(-?\d+)\.0+$", v)
    return m.group(1) if m else v


def norm_header(h):
    return re.sub(r"[\s_\-]", "", h.strip().lower())


def distinct(dataset, paths):
    seen = set()
    anon = 0
    for p in paths:
        header, recs = records(p)
        normed = {norm_header(h): h for h in header}
        keycol = None
        for a in ID_ALIASES[dataset]:
            if norm_header(a) in normed:
                keycol = normed[norm_header(a)]
                break
        if keycol is None and dataset == "influencers":
            for a in ("name", "influencer_name"):
                if a in normed:
                    keycol = normed[a]
                    break
        for r in recs:
            v = r.get(keycol, "") if keycol else ""
            if keycol and v.strip():
                k = norm_id(v)
                if keycol in ("name", "influencer_name") or normed.get("name") == keycol:
                    k = " ".join(k.lower().split())
                seen.add(k)
            else:
                anon += 1
    print(len(seen) + anon)


def status_counts():
    d = json.load(sys.stdin)
    c = d["counts"]
    print(" ".join(str(c[k]) for k in ("influencers", "posts", "tracking_data", "payouts")))


def status_get(keys):
    d = json.load(sys.stdin)
    for k in keys:
        d = d[int(k)] if isinstance(d, list) else d[k]
    print(json.dumps(d) if isinstance(d, (dict, list)) else d)


def export_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "manifest":
        manifest(args[0])
    elif cmd == "count":
        count(args[0])
    elif cmd == "distinct":
        distinct(args[0], args[1:])
    elif cmd == "status-counts":
        status_counts()
    elif cmd == "status-get":
        status_get(args)
    elif cmd == "nrows":
        print(len(export_rows(args[0])))
    elif cmd == "header":
        with open(args[0], encoding="utf-8", newline="") as f:
            for h in next(csv.reader(f)):
                print(h)
    elif cmd == "column":
        for r in export_rows(args[0]):
            print((r.get(args[1]) or "").replace("\n", "\\n"))
    elif cmd == "get":
        for r in export_rows(args[0]):
            if r.get(args[1]) == args[2]:
                print(r.get(args[3], ""))
                return
        sys.exit("get: no row with %s=%s in %s" % (args[1], args[2], args[0]))
    elif cmd == "where":
        print(sum(1 for r in export_rows(args[0]) if r.get(args[1]) == args[2]))
    elif cmd == "rejects":
        for r in export_rows(args[0]):
            print("\t".join((r.get(k) or "").replace("\n", "\\n")
                            for k in ("line", "column", "value", "reason")))
    else:
        sys.exit("util.py: unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
