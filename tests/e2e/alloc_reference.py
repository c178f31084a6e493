#!/usr/bin/env python3
"""alloc_reference.py — SPEC §3 and §3.1 (spend follows the money) recomputed from the four
datasets as `infludash export --dataset` writes them, with the standard library only, and
compared to the paisa with `infludash query` under a list of filters: the KPIs (revenue,
orders, organic revenue, spend) and every breakdown (by_platform, by_brand, by_campaign,
by_product, by_source, daily: revenue, orders, organic revenue, spend per group).

usage: alloc_reference.py INFLUDASH DB_URL CSV_DIR
Prints one line per filter and exits 1 at the first difference (naming the filter, the
breakdown, the group and both figures).

The rules, in the README's words ("Allocation"): each payout row's spend is rounded to the
paisa once and split in whole paise by the largest remainder method, ties to the earlier
cell in text order (day, brand, product, campaign, source); order and revenue_share spend
lies on the attributed rows it was earned on; a post's price on its day and platform, split
over its influencer's attributed revenue in the filter's period (of its campaign when it
carries one) by brand, product, campaign and source; a recorded total (flat, hybrid, no
rate) on its payout_date's day split the same way over the revenue of its campaign in the
period, or, undated, over the days of all the revenue it bought; nothing to split over →
Unallocated, and without a day the undated day (counted only with no date filter)."""

import csv
import json
import os
import subprocess
import sys
from decimal import Decimal

U = "\x00Unallocated"  # the Unallocated group, apart from any real value
MICRO = 1000000


def money(text):
    """A canonical money value (rupees) as paise."""
    v = Decimal(text) * 100
    assert v == v.to_integral_value(), text
    return int(v)


def millionths(text):
    v = Decimal(text) * MICRO
    assert v == v.to_integral_value(), text
    return int(v)


def round_micro(m):
    """Millionths of a paisa to paise, half away from zero (engine_impl.h round_micro)."""
    return (m + 500000) // MICRO if m >= 0 else -((-m + 500000) // MICRO)


def largest_remainder(nums, den, total, keys):
    """Splits total over nums/den: floors, then the paise left to the largest remainders,
    ties to the earlier key."""
    floors = [n // den for n in nums]
    rems = [n - f * den for n, f in zip(nums, floors)]
    left = total - sum(floors)
    order = sorted(range(len(nums)), key=lambda i: (-rems[i], keys[i], i))
    i = 0
    while left != 0:
        floors[order[i % len(order)]] += 1 if left > 0 else -1
        left += -1 if left > 0 else 1
        i += 1
    return floors


def rank_key(value):
    """Text order with "no value" first and Unallocated last."""
    if value is None:
        return (0, "")
    if value == U:
        return (2, "")
    return (1, value.encode("utf-8"))


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Data:
    def __init__(self, d):
        self.platform = {}
        for r in read(os.path.join(d, "influencers.csv")):
            self.platform[r["influencer_id"]] = r["platform"] or None
        self.trk = []  # attributed and organic rows
        for r in read(os.path.join(d, "tracking_data.csv")):
            inf = r["influencer_id"] or None
            organic = inf is None or r["source"].lower() == "organic"
            self.trk.append({
                "inf": None if organic else inf, "organic": organic, "day": r["date"][:10],
                "brand": r["brand"] or None, "product": r["product"] or None,
                "campaign": r["campaign"] or None, "source": r["source"] or None,
                "ctype": {"Test": 1, "Control": 2}.get(r["campaign_type"], 0),
                "orders": int(r["orders"] or 1), "revenue": money(r["revenue"] or "0")})
        self.posts = []
        for r in read(os.path.join(d, "posts.csv")):
            inf = r["influencer_id"] or None
            self.posts.append({
                "inf": inf, "day": (r["date"] or "")[:10] or None,
                "platform": r["platform"] or self.platform.get(inf),
                "campaign": r["campaign"] or None})
        self.pay = []
        for r in read(os.path.join(d, "payouts.csv")):
            basis = r["basis"]
            rate = r["rate"]
            kind = "total"
            if rate and basis in ("order", "post", "revenue_share"):
                kind = basis
            self.pay.append({
                "inf": r["influencer_id"] or None, "campaign": r["campaign"] or None,
                "basis": basis or None, "kind": kind,
                "rate": millionths(rate) if rate else 0,
                "total": money(r["total_payout"] or "0"),
                "day": (r["payout_date"] or "")[:10] or None})
        self.build()

    def bucket(self, inf, campaign):
        return (inf, campaign) if (inf, campaign) in self.pairs else (inf, None)

    def build(self):
        in_trk = {t["campaign"] for t in self.trk if t["inf"] and t["campaign"]}
        in_posts = {p["campaign"] for p in self.posts if p["campaign"]}
        self.pairs, claims, seen = set(), {}, set()
        for p in self.pay:
            p["dup"], p["scoped"] = False, False
            if not p["inf"] or p["kind"] == "total":
                continue
            c = p["campaign"]
            scoped = c is not None and c in (in_posts if p["kind"] == "post" else in_trk)
            key = (p["inf"], p["kind"], c if scoped else None)
            if key in seen:
                p["dup"] = True
                continue
            seen.add(key)
            if scoped:
                p["scoped"] = True
                self.pairs.add((p["inf"], c))
                claims.setdefault((p["inf"], c), set()).add(p["kind"])
        self.claims = claims
        # entries: attributed rows merged by influencer, day and the cell
        entries = {}
        for t in self.trk:
            if t["organic"]:
                continue
            k = (t["inf"], t["day"], t["brand"], t["product"], t["campaign"], t["source"],
                 t["ctype"])
            e = entries.setdefault(k, [0, 0])
            e[0] += t["orders"]
            e[1] += t["revenue"]
        self.entries = [(k, v[0], v[1]) for k, v in entries.items()]
        self.by_inf = {}
        for e in self.entries:
            self.by_inf.setdefault(e[0][0], []).append(e)
        # lines: (day, inf, brand, product, campaign, source, amount, payout row)
        self.lines, self.unalloc = [], {}
        for i, p in enumerate(self.pay):
            if not p["inf"] or p["dup"]:
                continue
            mine = self.by_inf.get(p["inf"], [])
            if p["kind"] in ("order", "revenue_share"):
                def priced(e, p=p):
                    b = self.bucket(p["inf"], e[0][4])
                    if p["scoped"]:
                        return b == (p["inf"], p["campaign"])
                    return p["kind"] not in self.claims.get(b, set())
                es = [e for e in mine if priced(e)]
                if p["kind"] == "order":
                    nums = [p["rate"] * 100 * e[1] for e in es]
                else:
                    nums = [p["rate"] * e[2] for e in es]
                total = round_micro(sum(nums))
                self.add_lines(es, nums, MICRO, total, i)
            elif p["kind"] == "total" and p["day"] is None:
                es = [e for e in mine if e[2] > 0 and
                      (p["campaign"] is None or e[0][4] == p["campaign"])]
                if not es:
                    self.unalloc[i] = p["total"]
                    continue
                weight = sum(e[2] for e in es)
                self.add_lines(es, [e[2] * p["total"] for e in es], weight, p["total"], i)
        # each post's price
        unscoped, scoped_row = {}, {}
        for i, p in enumerate(self.pay):
            if p["kind"] != "post" or not p["inf"] or p["dup"]:
                continue
            if p["scoped"]:
                scoped_row[(p["inf"], p["campaign"])] = i
            else:
                unscoped.setdefault(p["inf"], i)
        order = sorted(range(len(self.posts)),
                       key=lambda j: ("" if self.posts[j]["day"] is None else
                                      "1" + self.posts[j]["day"], j))
        count = {}
        for post in self.posts:
            post["pay"] = None
            if not post["inf"]:
                continue
            b = self.bucket(post["inf"], post["campaign"])
            if b[1] is not None and "post" in self.claims.get(b, set()):
                post["pay"] = scoped_row[b]
            else:
                post["pay"] = unscoped.get(post["inf"])
            if post["pay"] is not None:
                count[post["pay"]] = count.get(post["pay"], 0) + 1
        extra = {}
        each = {}
        for i, n in count.items():
            total = round_micro(self.pay[i]["rate"] * 100 * n)
            each[i] = total // n
            extra[i] = total - each[i] * n
        for j in order:
            post = self.posts[j]
            post["price"] = 0
            if post["pay"] is not None:
                i = post["pay"]
                post["price"] = each[i] + (1 if extra[i] > 0 else 0)
                extra[i] -= 1 if extra[i] > 0 else 0

    def add_lines(self, es, nums, den, total, i):
        keys = [(e[0][1], rank_key(e[0][2]), rank_key(e[0][3]), rank_key(e[0][4]),
                 rank_key(e[0][5]), e[0][6]) for e in es]
        for e, a in zip(es, largest_remainder(nums, den, total, keys)):
            if a:
                k = e[0]
                self.lines.append((k[1], k[0], k[2], k[3], k[4], k[5], a, i))


class Query:
    def __init__(self, data, f):
        self.d, self.f = data, f

    def ok(self, dim, value):
        s = self.f.get(dim)
        if not s:
            return True
        if value == U:
            return "Unallocated" in s
        return value in s

    def in_range(self, day):
        lo, hi = self.f.get("from"), self.f.get("to")
        return (lo is None or day >= lo) and (hi is None or day <= hi)

    def basis_ok(self, i):
        s = self.f.get("basis")
        return not s or self.d.pay[i]["basis"] in s

    def selected(self, inf):
        s = self.f.get("basis")
        if not s:
            return True
        return any(p["inf"] == inf and p["basis"] in s for p in self.d.pay)

    def run(self):
        d = self.d
        out = {"kpis": [0, 0, 0, 0]}
        dims = ("platform", "brand", "campaign", "product", "source", "date")
        groups = {m: {} for m in dims}

        def add(dim, key, rev=0, orders=0, org=0, spend=0):
            g = groups[dim].setdefault(key, [0, 0, 0, 0])
            g[0] += rev
            g[1] += orders
            g[2] += org
            g[3] += spend

        for t in d.trk:
            if not self.in_range(t["day"]) or not all(
                    self.ok(k, t[k]) for k in ("brand", "product", "campaign", "source")):
                continue
            if t["organic"]:
                vals = (0, 0, t["revenue"])
            else:
                if not self.selected(t["inf"]) or not self.ok("platform",
                                                              d.platform.get(t["inf"])):
                    continue
                vals = (t["revenue"], t["orders"], 0)
                add("platform", d.platform.get(t["inf"]), vals[0], vals[1], 0)
            for k in ("brand", "campaign", "product", "source"):
                add(k, t[k], *vals)
            add("date", t["day"], *vals)
            out["kpis"][0] += vals[0]
            out["kpis"][1] += vals[1]
            out["kpis"][2] += vals[2]

        def emit(day, platform, brand, product, campaign, source, amount):
            cell = {"platform": platform, "brand": brand, "product": product,
                    "campaign": campaign, "source": source}
            if amount == 0 or not all(self.ok(k, v) for k, v in cell.items()):
                return
            for k, v in cell.items():
                add(k, v, spend=amount)
            add("date", day, spend=amount)
            out["kpis"][3] += amount

        for (day, inf, brand, product, campaign, source, amount, i) in d.lines:
            if self.in_range(day) and self.basis_ok(i) and self.selected(inf):
                emit(day, d.platform.get(inf), brand, product, campaign, source, amount)

        def cells_of(inf):
            cells = {}
            for (k, orders, revenue) in d.by_inf.get(inf, []):
                if self.in_range(k[1]) and revenue != 0:
                    c = (k[2], k[3], k[4], k[5])
                    cells[c] = cells.get(c, 0) + revenue
            return sorted(cells.items(), key=lambda kv: tuple(rank_key(x) for x in kv[0]))

        def split(inf, cells, day, platform, campaign, amount):
            if amount == 0:
                return
            mine = [(c, r) for c, r in cells if r > 0 and (campaign is None or c[2] == campaign)]
            if not mine:
                emit(day, platform, U, U, campaign if campaign is not None else U, U, amount)
                return
            weight = sum(r for c, r in mine)
            parts = largest_remainder([r * amount for c, r in mine], weight, amount,
                                      list(range(len(mine))))
            for (c, r), a in zip(mine, parts):
                emit(day, platform, c[0], c[1], c[2], c[3], a)

        lo, hi = self.f.get("from"), self.f.get("to")
        infs = sorted({p["inf"] for p in d.posts if p["inf"]} |
                      {p["inf"] for p in d.pay if p["inf"]})
        for inf in infs:
            if not self.selected(inf):
                continue
            cells = cells_of(inf)
            for post in d.posts:
                if post["inf"] != inf or post["pay"] is None or not self.basis_ok(post["pay"]):
                    continue
                if post["day"] is None:
                    if lo is not None:
                        continue
                elif not self.in_range(post["day"]):
                    continue
                split(inf, cells, post["day"], post["platform"], post["campaign"],
                      post["price"])
            for i, p in enumerate(d.pay):
                if p["inf"] != inf or p["kind"] != "total" or not self.basis_ok(i):
                    continue
                if p["day"] is None:
                    if lo is None and hi is None and i in d.unalloc:
                        emit(None, d.platform.get(inf), U, U,
                             p["campaign"] if p["campaign"] is not None else U, U,
                             d.unalloc[i])
                elif self.in_range(p["day"]):
                    split(inf, cells, p["day"], d.platform.get(inf), p["campaign"], p["total"])
        out["groups"] = groups
        return out


def query_args(f):
    args = []
    for k, v in f.items():
        args.append("--%s=%s" % (k, v if isinstance(v, str) else ",".join(v)))
    return args


def engine(binary, db, f):
    p = subprocess.run([binary, "query", "--db", db] + query_args(f), capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit("infludash query %s: %s" % (query_args(f), p.stderr))
    return json.loads(p.stdout, parse_float=Decimal)


def paise_of(x):
    return int(Decimal(x) * 100)


MEMBERS = {"platform": "by_platform", "brand": "by_brand", "campaign": "by_campaign",
           "product": "by_product", "source": "by_source", "date": "daily"}


def compare(binary, db, data, f):
    want = Query(data, f).run()
    got = engine(binary, db, f)
    k = got["kpis"]
    have = [paise_of(k["revenue"]), int(k["orders"]), paise_of(k["organic_revenue"]),
            paise_of(k["spend"])]
    if have != want["kpis"]:
        sys.exit("filter %s: kpis (revenue, orders, organic, spend) %s, reference %s" %
                 (f, have, want["kpis"]))
    for dim, member in MEMBERS.items():
        engine_groups = {}
        for g in got[member]:
            key = g[dim]
            key = U if key == "Unallocated" else key
            engine_groups[key] = [paise_of(g["revenue"]), int(g["orders"]),
                                  paise_of(g.get("organic_revenue", 0)), paise_of(g["spend"])]
        ref = {key: v for key, v in want["groups"][dim].items() if any(v)}
        if dim == "platform":
            ref = {key: [v[0], v[1], 0, v[3]] for key, v in ref.items()}
        eng = {key: v for key, v in engine_groups.items() if any(v)}
        if eng != ref:
            for key in sorted(set(eng) | set(ref), key=lambda x: rank_key(x)):
                if eng.get(key) != ref.get(key):
                    sys.exit("filter %s: %s[%r] (revenue, orders, organic, spend) %s, "
                             "reference %s" % (f, member, key, eng.get(key), ref.get(key)))
    return want["kpis"][3], len(data.lines)


def filters_for(data):
    """No filter, date ranges, and one value of each dimension, alone and with a range."""
    days = sorted({t["day"] for t in data.trk})
    first, last = days[0], days[-1]
    mid = days[len(days) // 2]
    out = [{}, {"from": first, "to": mid}, {"from": mid}, {"to": mid},
           {"from": mid, "to": mid}]
    def values(key):
        return sorted({t[key] for t in data.trk if t[key] and not t["organic"]})
    picks = {
        "brand": values("brand")[:3],
        "campaign": values("campaign")[:4],
        "product": values("product")[:2],
        "source": values("source")[:2],
        "platform": sorted({v for v in data.platform.values() if v})[:3],
        "basis": sorted({p["basis"] for p in data.pay if p["basis"]}),
    }
    for dim, vals in picks.items():
        for v in vals:
            out.append({dim: [v]})
        if vals:
            out.append({dim: vals[:2], "from": first, "to": mid})
    out.append({"brand": ["Unallocated"]})
    out.append({"campaign": ["Unallocated"], "to": last})
    out.append({"brand": ["No such brand"]})
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, db, d = sys.argv[1:]
    data = Data(d)
    n = 0
    for f in filters_for(data):
        spend, nlines = compare(binary, db, data, f)
        n += 1
        print("ok %s: spend %d paise" % (json.dumps(f), spend))
    print("%d filters agree to the paisa (%d allocated lines)" % (n, len(data.lines)))


if __name__ == "__main__":
    main()
