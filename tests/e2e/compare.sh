#!/usr/bin/env bash
# compare.sh — the period comparison (SPEC §3.2) end to end: `compare=previous` and
# `compare=FROM..TO` on /api/dashboard and `query --compare`; the comparison's KPIs are,
# key for key, the KPIs of a plain query over that period with the other filters unchanged;
# every kpis_change is now − then with rel = abs / |then| (null when then is 0 or null);
# `previous` without from/to compares the data's range with as many days before it; a bad
# value is a 400 (exit 64 from the CLI) naming the parameter; without compare the document
# has no comparison members. Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/compare.db
idx demo --db "sqlite:$DB" --rows 6000 --seed 11 || fail "demo data" "$(last_output)"

if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
pass "server starts"
wait_data && pass "the data loads" || fail "the data loads" "$(cat "$T/server.log")"

get() { # PATH?QUERY : body to $T/body, status code on stdout
    curl -sS --max-time 30 -o "$T/body" -w '%{http_code}' "$BASE$1"
}

# check_period NAME QUERY-STRING CLI-ARGS... : the HTTP and CLI documents are the same; their
# kpis_previous equal the kpis of a query over "compare" with the same other filters; every
# change is computed from the two sides.
check_period() {
    local name=$1 qs=$2
    shift 2
    local code
    code=$(get "/api/dashboard?$qs")
    cp "$T/body" "$T/cmp.json"
    if [[ $code != 200 ]]; then
        fail "$name: 200" "HTTP $code: $(head -c 400 "$T/body")"
        return
    fi
    if run "$INFLUDASH" query --db "sqlite:$DB" "$@" && cmp -s "$OUT" "$T/cmp.json"; then
        pass "$name: query --compare = /api/dashboard?compare="
    else
        fail "$name: query --compare = /api/dashboard?compare=" "$(last_output)"
    fi
    local from to
    from=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["compare"]["from"])' "$T/cmp.json")
    to=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["compare"]["to"])' "$T/cmp.json")
    # The same filters without compare and with the comparison period as from/to.
    local plain
    plain=$(python3 - "$qs" "$from" "$to" <<'EOF'
import sys, urllib.parse
qs, f, t = sys.argv[1:]
kept = [(k, v) for k, v in urllib.parse.parse_qsl(qs, keep_blank_values=True)
        if k not in ("compare", "from", "to")]
print(urllib.parse.urlencode(kept + [("from", f), ("to", t)]))
EOF
    )
    code=$(get "/api/dashboard?$plain")
    cp "$T/body" "$T/plain.json"
    local verdict
    verdict=$(python3 - "$T/cmp.json" "$T/plain.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
bad = []
if list(c["kpis_previous"]) != list(c["kpis"]):
    bad.append("kpis_previous keys differ from kpis keys")
if c["kpis_previous"] != p["kpis"]:
    bad.append("kpis_previous != plain query: " + str({k: (c["kpis_previous"][k], p["kpis"][k])
               for k in p["kpis"] if c["kpis_previous"].get(k) != p["kpis"][k]}))
if list(c["kpis_change"]) != list(c["kpis"]):
    bad.append("kpis_change keys differ from kpis keys")
for k, now in c["kpis"].items():
    then = c["kpis_previous"][k]
    ch = c["kpis_change"][k]
    if isinstance(now, str) or now is None or then is None:
        if ch != {"abs": None, "rel": None}:
            bad.append("%s: %r should be null" % (k, ch))
        continue
    if ch["abs"] is None or abs(ch["abs"] - (now - then)) > 0.0051:
        bad.append("%s: abs %r != %r - %r" % (k, ch["abs"], now, then))
    if then == 0:
        if ch["rel"] is not None:
            bad.append("%s: rel %r with then 0" % (k, ch["rel"]))
    elif ch["rel"] is None or abs(ch["rel"] - (now - then) / abs(then)) > 1e-6 * max(1, abs(ch["rel"])) + 1e-4:
        bad.append("%s: rel %r != (%r - %r) / |%r|" % (k, ch["rel"], now, then, then))
print("ok" if not bad else "; ".join(bad)[:1500])
EOF
    )
    if [[ $code == 200 && $verdict == ok ]]; then
        pass "$name: kpis_previous = the dashboard of $from..$to, changes computed"
    else
        fail "$name: kpis_previous = the dashboard of $from..$to" "HTTP $code; $verdict"
    fi
}

check_period "March against February" "from=2025-03-01&to=2025-03-31&compare=previous" \
    --from=2025-03-01 --to=2025-03-31 --compare=previous
expect_eq "previous of 31 days: the 31 days before from" "2025-01-29 2025-02-28 31 previous" \
    "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["compare"]; print(c["from"], c["to"], c["days"], c["kind"])' "$T/cmp.json")"
check_period "filters other than dates stay (brand, platform)" \
    "from=2025-04-01&to=2025-04-30&brand=MuscleBlaze&platform=Instagram,YouTube&compare=previous" \
    --from 2025-04-01 --to 2025-04-30 --brand=mb --platform ig,yt --compare previous
check_period "an explicit range" "from=2025-05-01&to=2025-05-31&compare=2025-02-01..2025-02-28" \
    --from=2025-05-01 --to=2025-05-31 --compare=2025-02-01..2025-02-28
expect_eq "the range is taken as given" "2025-02-01 2025-02-28 28 range" \
    "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["compare"]; print(c["from"], c["to"], c["days"], c["kind"])' "$T/cmp.json")"
check_period "a range with no filter dates" "compare=2025-06-01..2025-06-07" --compare 2025-06-01..2025-06-07

# previous without from/to: the data's range (first to last day of tracking rows and dated
# posts), compared with as many days before its first day.
code=$(get "/api/options")
read -r first last < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["from"], d["to"])' "$T/body")
check_period "previous without dates uses the data's range" "compare=previous" --compare previous
expect_eq "previous of the data's range $first..$last" "True" \
    "$(python3 - "$T/cmp.json" "$first" "$last" <<'EOF'
import datetime, json, sys
c = json.load(open(sys.argv[1]))["compare"]
d = datetime.date.fromisoformat
n = (d(sys.argv[3]) - d(sys.argv[2])).days + 1
print(c["days"] == n and d(c["to"]) == d(sys.argv[2]) - datetime.timedelta(days=1)
      and d(c["from"]) == d(sys.argv[2]) - datetime.timedelta(days=n))
EOF
)"
# only from: the data's last day closes the period
check_period "only from: to is the data's last day" "from=2025-10-01&compare=previous" \
    --from 2025-10-01 --compare previous
expect_eq "only from: the days from 2025-10-01 to $last before it" "True" \
    "$(python3 - "$T/cmp.json" "$last" <<'EOF'
import datetime, json, sys
c = json.load(open(sys.argv[1]))["compare"]
d = datetime.date.fromisoformat
n = (d(sys.argv[2]) - d("2025-10-01")).days + 1
print(c["days"] == n and c["to"] == "2025-09-30")
EOF
)"

# A period with no data: 0 and null ratios, and so null relative changes of those.
code=$(get "/api/dashboard?from=2025-01-01&to=2025-01-31&compare=2020-01-01..2020-01-31")
expect_eq "an empty earlier period: revenue 0, roas null, rel null, abs = now" "0 None None True" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["kpis_previous"]; c=d["kpis_change"]; print("%g" % p["revenue"], p["roas"], c["revenue"]["rel"], c["revenue"]["abs"] == d["kpis"]["revenue"])' "$T/body")"

# Without compare: no comparison members at all.
code=$(get "/api/dashboard?from=2025-03-01&to=2025-03-31")
expect_eq "no compare: no comparison members" "False False False" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("compare" in d, "kpis_previous" in d, "kpis_change" in d)' "$T/body")"
code=$(get "/api/dashboard?from=2025-03-01&to=2025-03-31&compare=")
expect_eq "an empty compare is none" "False" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("compare" in d)' "$T/body")"

# Insights: the first sentence compares with the same period, whose figures are the dashboard's.
code=$(get "/api/dashboard?from=2025-03-01&to=2025-03-31&compare=previous")
cp "$T/body" "$T/dash.json"
code=$(get "/api/insights?from=2025-03-01&to=2025-03-31&compare=previous")
expect_eq "insights compare with the dashboard's period and figures, first sentence" "True" \
    "$(python3 - "$T/dash.json" "$T/body" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
i = json.load(open(sys.argv[2]))
c, p = i["compare"], d["kpis_previous"]
print(c["from"] == d["compare"]["from"] and c["to"] == d["compare"]["to"]
      and c["revenue"] == p["revenue"] and c["spend"] == p["spend"] and c["roas"] == p["roas"]
      and i["sentences"][0].startswith("Revenue ") and "the previous 31 days" in i["sentences"][0])
EOF
)"
code=$(get "/api/insights?from=2025-03-01&to=2025-03-31")
expect_eq "insights without compare: no comparison" "False" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("compare" in d or d["sentences"][0].startswith("Revenue "))' "$T/body")"
bad_insights=$(get "/api/insights?compare=nope")
expect_eq "insights: 400 for a bad compare" 400 "$bad_insights"

# ---- the CSV report: table=kpis with the comparison, and the breakdowns ---------------------
code=$(get "/api/dashboard?from=2025-03-01&to=2025-03-31&platform=Instagram&compare=previous")
cp "$T/body" "$T/dash.json"
code=$(get "/api/export.csv?from=2025-03-01&to=2025-03-31&platform=Instagram&compare=previous&table=kpis")
cp "$T/body" "$T/kpis.csv"
expect_eq "export.csv?table=kpis&compare=previous: 200" 200 "$code"
expect_eq "table=kpis: value, earlier, abs and rel are the dashboard's kpis, kpis_previous, kpis_change" "ok" \
    "$(python3 - "$T/dash.json" "$T/kpis.csv" <<'EOF'
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
bad = []
num = lambda v: None if v == "" else float(v)
for r in rows:
    k = r["metric"]
    for col, want in (("value", d["kpis"][k]), ("earlier", d["kpis_previous"][k]),
                      ("abs", d["kpis_change"][k]["abs"]), ("rel", d["kpis_change"][k]["rel"])):
        got = num(r[col])
        if (got is None) != (want is None) or (got is not None and abs(got - want) > 1e-6 * max(1, abs(want))):
            bad.append("%s.%s: %r != %r" % (k, col, got, want))
keys = [r["metric"] for r in rows]
if keys != [k for k in d["kpis"] if k != "iroas_method"]:
    bad.append("metrics %s" % keys)
print("ok" if not bad else "; ".join(bad)[:1500])
EOF
)"
check "query --compare and export --table kpis --compare agree (CLI)" \
    "$INFLUDASH" export --db "sqlite:$DB" --format csv --table kpis --from 2025-03-01 --to 2025-03-31 \
    --platform Instagram --compare previous -o "$T/kpis-cli.csv"
expect_same_files "the CLI's table=kpis CSV is the route's" "$T/kpis.csv" "$T/kpis-cli.csv"
code=$(get "/api/export.csv?table=kpis")
expect_eq "table=kpis without compare: metric,value" "metric,value" "$(head -1 "$T/body")"
code=$(get "/api/dashboard")
cp "$T/body" "$T/dash.json"
for t in platform brand campaign day product source; do
    code=$(get "/api/export.csv?table=$t")
    cp "$T/body" "$T/$t.csv"
    expect_eq "table=$t: the rows and figures of the dashboard's breakdown" "ok" \
        "$(python3 - "$T/dash.json" "$T/$t.csv" "$t" <<'EOF'
import csv, json, sys
d = json.load(open(sys.argv[1]))
t = sys.argv[3]
member, key = {"platform": ("by_platform", "platform"), "brand": ("by_brand", "brand"),
               "campaign": ("by_campaign", "campaign"), "day": ("daily", "date"),
               "product": ("by_product", "product"), "source": ("by_source", "source")}[t]
rows = list(csv.DictReader(open(sys.argv[2])))
groups = d[member]
bad = []
if len(rows) != len(groups):
    bad.append("%d rows for %d groups" % (len(rows), len(groups)))
num = lambda v: None if v == "" else float(v)
for r, g in zip(rows, groups):
    if (r[key] or None) != g[key]:
        bad.append("key %r != %r" % (r[key], g[key]))
    for col in ("revenue", "orders", "spend", "roas", "roi"):
        got, want = num(r[col]), g[col]
        if (got is None) != (want is None) or (got is not None and abs(got - want) > 1e-6 * max(1, abs(want))):
            bad.append("%s %s: %r != %r" % (g[key], col, got, want))
if abs(sum(float(r["revenue"]) for r in rows) - d["kpis"]["revenue"]) > 0.005:
    bad.append("revenue does not add up")
spends = [num(r["spend"]) for r in rows]
if all(v is not None for v in spends) and rows and abs(sum(spends) - d["kpis"]["spend"]) > 0.005:
    bad.append("spend does not add up")
print("ok" if not bad else "; ".join(bad)[:1500])
EOF
)"
done
code=$(get "/api/export.csv?table=nope")
expect_eq "export.csv?table=nope: 400" 400 "$code"
code=$(get "/api/export.xlsx?compare=2025-03-01..2025-02-01")
expect_eq "export.xlsx with a bad compare: 400" 400 "$code"

# ---- bad values: 400 naming the parameter; the CLI exits 64 -----------------------------------
bad() { # QUERY-STRING NEEDLE
    local code
    code=$(get "/api/dashboard?$1")
    if [[ $code == 400 ]] && grep -qF -- "$2" "$T/body"; then
        pass "400 for $1"
    else
        fail "400 for $1" "HTTP $code: $(cat "$T/body")"
    fi
}
bad "compare=last" 'compare: \"last\" is not previous or FROM..TO (YYYY-MM-DD..YYYY-MM-DD)'
bad "compare=2025-13-01..2025-12-31" 'compare: \"2025-13-01\" is not a date (YYYY-MM-DD)'
bad "compare=2025-03-01..2025-02-01" "compare: to 2025-02-01 is before from 2025-03-01"
bad "from=0001-01-01&to=0001-12-31&compare=previous" "compare: the previous period would start before 0001-01-01"
expect_fail "query --compare with a bad range exits 64" 64 \
    "$INFLUDASH" query --db "sqlite:$DB" --compare 2025-03-01..2025-02-01
expect_contains "query names the bad parameter" "$ERR" "compare: to 2025-02-01 is before from 2025-03-01"
expect_fail "query --compare without a value exits 64" 64 "$INFLUDASH" query --db "sqlite:$DB" --compare

serve_stop
finish
