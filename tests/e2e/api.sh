#!/usr/bin/env bash
# api.sh — the analytics API end to end with the real binary: `infludash query` prints what
# GET /api/dashboard answers, byte for byte, for several filters; the dashboard carries the
# keys of SPEC §5 and its parts add up; revenue matches plain SQL over the stored rows to
# the paisa; bad filter values get a 400 (and exit 64 from the CLI) naming the parameter;
# /api/influencers, /api/influencers/{id}, /api/insights and /api/payouts agree with the
# dashboard; an import by another process shows in the server's answers without a restart.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/api.db
idx demo --db "sqlite:$DB" --rows 6000 --seed 7 || fail "demo data" "$(last_output)"

if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
pass "server starts"
wait_data && pass "the data loads and /api/dashboard answers 200" ||
    fail "the data loads" "$(cat "$T/server.log")"

# get PATH?QUERY : body to $T/body, status code on stdout
get() {
    curl -sS --max-time 30 -o "$T/body" -w '%{http_code}' "$BASE$1"
}

# json FILE EXPR : evaluates a Python expression over the document d
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- query and /api/dashboard give the same document ----------------------------------------
same_as_query() { # NAME QUERY-STRING CLI-ARGS...
    local name=$1 qs=$2
    shift 2
    local code
    code=$(get "/api/dashboard?$qs")
    cp "$T/body" "$T/http.json"
    if ! run "$INFLUDASH" query --db "sqlite:$DB" "$@"; then
        fail "$name" "$(last_output)"
        return
    fi
    if [[ $code == 200 ]] && cmp -s "$OUT" "$T/http.json"; then
        pass "$name"
    else
        fail "$name" "HTTP $code; $(diff <(head -c 600 "$OUT") <(head -c 600 "$T/http.json") | head -8)"
    fi
}
same_as_query "no filter: query = /api/dashboard" ""
same_as_query "the benchmark filter: query = /api/dashboard" \
    "platform=Instagram,YouTube&brand=MuscleBlaze&from=2025-02-01&to=2025-06-30" \
    --platform=Instagram,YouTube --brand=MuscleBlaze --from=2025-02-01 --to=2025-06-30
same_as_query "aliases normalised alike (ig, mb, f)" \
    "platform=ig&brand=mb&gender=f&from=2025-03-01" \
    --platform ig --brand mb --gender f --from 2025-03-01
same_as_query "tier, basis, min_roas and fixed_share" \
    "tier=Mega,Macro&basis=per_order&min_roas=1.5&iroas_method=fixed_share&fixed_share=0.3" \
    --tier=Mega,Macro --basis=per_order --min-roas=1.5 --iroas-method fixed_share --fixed-share 0.3

# ---- the dashboard's keys and sums ----------------------------------------------------------
get "/api/dashboard?platform=Instagram,YouTube&brand=MuscleBlaze&from=2025-02-01&to=2025-06-30" >/dev/null
cp "$T/body" "$T/dash.json"
expect_eq "dashboard has the SPEC §5 members" True "$(json "$T/dash.json" \
    'all(k in d for k in ["filters","kpis","by_platform","by_brand","daily","top_influencers","bottom_influencers","personas"])')"
expect_eq "kpis has the SPEC §5 keys" True "$(json "$T/dash.json" \
    'all(k in d["kpis"] for k in ["revenue","orders","spend","roas","roi","incremental_revenue","iroas","iroas_method","organic_revenue","posts","reach","engagement_rate","cpo","aov","influencers"])')"
expect_eq "filters echoed as given" "['Instagram', 'YouTube'] ['MuscleBlaze'] 2025-02-01 2025-06-30" \
    "$(json "$T/dash.json" '" ".join(map(str, [d["filters"]["platform"], d["filters"]["brand"], d["filters"]["from"], d["filters"]["to"]]))')"
expect_eq "by_platform revenue and spend add up to the KPIs" True "$(json "$T/dash.json" \
    'round(sum(g["revenue"] for g in d["by_platform"]),2) == d["kpis"]["revenue"] and round(sum(g["spend"] for g in d["by_platform"]),2) == d["kpis"]["spend"]')"
expect_eq "only the filtered platforms appear" "['Instagram', 'YouTube']" \
    "$(json "$T/dash.json" 'sorted(g["platform"] for g in d["by_platform"])')"
expect_eq "daily revenue adds up, inside the range" True "$(json "$T/dash.json" \
    'round(sum(g["revenue"] for g in d["daily"]),2) == d["kpis"]["revenue"] and all("2025-02-01" <= g["date"] <= "2025-06-30" for g in d["daily"])')"
expect_eq "by_brand is MuscleBlaze alone" "['MuscleBlaze']" "$(json "$T/dash.json" '[g["brand"] for g in d["by_brand"]]')"
expect_eq "the incremental method is reported with its parameters" True "$(json "$T/dash.json" \
    'd["incremental"]["method"] == d["kpis"]["iroas_method"] and d["incremental"]["method"] in ("organic","holdout","fixed_share") and len(d["incremental"]["params"]) > 0')"
expect_eq "top influencers by revenue, at most 5" True "$(json "$T/dash.json" \
    'len(d["top_influencers"]) == 5 and [r["revenue"] for r in d["top_influencers"]] == sorted([r["revenue"] for r in d["top_influencers"]], reverse=True)')"
expect_eq "ROAS is revenue over spend" True "$(json "$T/dash.json" \
    'abs(d["kpis"]["roas"] - d["kpis"]["revenue"] / d["kpis"]["spend"]) < 1e-9')"

# Revenue, orders and organic revenue against SQL over the stored rows, to the paisa.
sql_rev=$(sql "$DB" "SELECT coalesce(sum(revenue),0), coalesce(sum(orders),0) FROM tracking_data t
    WHERE organic = 0 AND brand = 'MuscleBlaze' AND substr(date,1,10) BETWEEN '2025-02-01' AND '2025-06-30'
    AND influencer_id IN (SELECT influencer_id FROM influencers WHERE platform IN ('Instagram','YouTube'))")
sql_org=$(sql "$DB" "SELECT coalesce(sum(revenue),0) FROM tracking_data WHERE organic = 1
    AND brand = 'MuscleBlaze' AND substr(date,1,10) BETWEEN '2025-02-01' AND '2025-06-30'")
expect_eq "revenue and orders equal SQL to the paisa" "$sql_rev" \
    "$(json "$T/dash.json" '"%d|%d" % (round(d["kpis"]["revenue"] * 100), d["kpis"]["orders"])')"
expect_eq "organic revenue equals SQL to the paisa" "$sql_org" \
    "$(json "$T/dash.json" 'round(d["kpis"]["organic_revenue"] * 100)')"

# One day without influencer activity and none with it: fixed_share, saying why organic does
# not apply (it needs 2 such days and a day with activity), not "no days without activity".
quiet_day=$(sql "$DB" "SELECT d FROM (SELECT substr(date,1,10) AS d FROM tracking_data GROUP BY d
    HAVING sum(organic = 0) = 0) WHERE d NOT IN (SELECT substr(date,1,10) FROM posts WHERE date IS NOT NULL)
    ORDER BY d LIMIT 1")
get "/api/dashboard?from=$quiet_day&to=$quiet_day" >/dev/null
expect_eq "one baseline day ($quiet_day): fixed_share with the true reasons" "fixed_share True" \
    "$(json "$T/body" 'd["incremental"]["method"] + " " + str("organic does not apply: only 1 day without influencer activity (the baseline needs at least 2), no day with influencer activity" in d["incremental"]["basis"] and "no day without" not in d["incremental"]["basis"])')"

# ---- bad filter values: 400 naming the parameter; the CLI exits 64 ---------------------------
bad() { # QUERY-STRING NEEDLE
    local code
    code=$(get "/api/dashboard?$1")
    if [[ $code == 400 ]] && grep -qF -- "$2" "$T/body"; then
        pass "400 for $1"
    else
        fail "400 for $1" "HTTP $code: $(cat "$T/body")"
    fi
}
bad "from=2025-02-30" '"error":"from: \"2025-02-30\" is not a date'
bad "to=yesterday" '"error":"to: '
bad "from=2025-03-01&to=2025-02-01" "to: 2025-02-01 is before from: 2025-03-01"
bad "min_roas=abc" '"error":"min_roas: '
bad "min_roas=-1" '"error":"min_roas: '
bad "iroas_method=magic" '"error":"iroas_method: '
bad "fixed_share=1.5" '"error":"fixed_share: '
bad "roas_benchmark=x" '"error":"roas_benchmark: '
bad "platform=$(printf 'p%d,' $(seq 1 1001))" '"error":"platform: '
for path in /api/influencers /api/insights /api/payouts /api/influencers/INF0001; do
    code=$(get "$path?from=2025-13-01")
    expect_eq "400 for a bad date on $path" 400 "$code"
done
expect_fail "query with a bad date exits 64" 64 "$INFLUDASH" query --db "sqlite:$DB" --from=2025-13-01
expect_contains "query names the bad parameter" "$ERR" 'from: "2025-13-01" is not a date'
expect_fail "query with an unknown option exits 64" 64 "$INFLUDASH" query --db "sqlite:$DB" --plattform=x

# ---- the other endpoints agree with the dashboard ---------------------------------------------
QS="platform=Instagram,YouTube&brand=MuscleBlaze&from=2025-02-01&to=2025-06-30"
expect_eq "/api/influencers is 200" 200 "$(get "/api/influencers?$QS")"
cp "$T/body" "$T/inf.json"
expect_eq "/api/influencers counts the dashboard's influencers" "$(json "$T/dash.json" 'd["kpis"]["influencers"]')" \
    "$(json "$T/inf.json" 'str(d["count"]) if d["count"] == len(d["influencers"]) else "count differs from rows"')"
expect_eq "influencer revenue adds up to the dashboard's" "$(json "$T/dash.json" 'd["kpis"]["revenue"]')" \
    "$(json "$T/inf.json" 'round(sum(r["revenue"] for r in d["influencers"]), 2)')"
top=$(json "$T/dash.json" 'd["top_influencers"][0]["influencer_id"]')
expect_eq "/api/influencers/{id} is 200" 200 "$(get "/api/influencers/$top?$QS")"
cp "$T/body" "$T/one.json"
expect_eq "the influencer page has the dashboard's figures for it" \
    "$(json "$T/dash.json" '(d["top_influencers"][0]["revenue"], d["top_influencers"][0]["spend"])')" \
    "$(json "$T/one.json" '(d["influencer"]["revenue"], d["influencer"]["spend"])')"
expect_eq "its daily orders add up" "$(json "$T/one.json" 'd["influencer"]["orders"]')" \
    "$(json "$T/one.json" 'sum(g["orders"] for g in d["daily"])')"
expect_eq "its posts are listed" "$(json "$T/one.json" 'd["influencer"]["posts"]')" \
    "$(json "$T/one.json" 'len(d["posts"])')"
get "/api/influencers/$top?influencer=INF00001" >/dev/null
expect_eq "an influencer the filters leave out is shown, flagged as excluded" "True True" \
    "$(json "$T/body" 'str(d["excluded_by_filters"]) + " " + str(d["influencer"]["influencer_id"] == "'"$top"'")')"
expect_eq "an unknown influencer is 404" 404 "$(get "/api/influencers/NOBODY")"
expect_contains "the 404 names the id" "$T/body" 'no influencer with id \"NOBODY\"'

expect_eq "/api/insights is 200" 200 "$(get "/api/insights?$QS")"
cp "$T/body" "$T/ins.json"
expect_eq "insights: sentences, top/bottom, poor ROI, personas, comparisons, incremental" True \
    "$(json "$T/ins.json" 'len(d["sentences"]) >= 3 and all(k in d for k in ["top_influencers","bottom_influencers","poor_roi","personas","comparisons","incremental","benchmarks"])')"
expect_eq "poor ROI: at most 50 listed, all counted, losing money first" True \
    "$(json "$T/ins.json" 'len(d["poor_roi"]) == min(50, d["poor_roi_count"]) and d["losing_money_count"] <= d["poor_roi_count"] and [p["severity"] for p in d["poor_roi"]] == sorted([p["severity"] for p in d["poor_roi"]], key=lambda s: s != "losing_money")')"
expect_eq "insights and dashboard pick the same top influencer" "$top" \
    "$(json "$T/ins.json" 'd["top_influencers"][0]["influencer_id"]')"

expect_eq "/api/payouts is 200" 200 "$(get "/api/payouts?$QS")"
cp "$T/body" "$T/pay.json"
expect_eq "payouts earned = dashboard spend" "$(json "$T/dash.json" 'd["kpis"]["spend"]')" \
    "$(json "$T/pay.json" 'd["totals"]["earned"]')"
expect_eq "payouts: paid + pending ≤ recorded, each row flagged by the tolerance" True \
    "$(json "$T/pay.json" 'all(r["paid"] + r["pending"] <= r["recorded"] + 0.001 and r["mismatch"] == (r["check"] == "mismatch") and (r["difference"] is None if r["check"] == "not_comparable" else (abs(r["difference"] - (r["compared_recorded"] - r["compared_earned"])) < 0.005 and r["mismatch"] == (abs(r["difference"]) > d["tolerance"]))) for r in d["influencers"])')"
expect_eq "payouts: a row not comparable says why" True \
    "$(json "$T/pay.json" 'all(bool(r["check_reason"]) for r in d["influencers"] if r["check"] == "not_comparable")')"

# Earned against recorded over the same activity (README, Payouts). The demo's payout totals
# follow exactly from their terms, so no mismatch is true, in any range; without filters
# every term is comparable; under a month the terms whose campaign or payout date reaches
# past it are not comparable, which the reference below decides from the stored rows.
get "/api/payouts" >/dev/null
expect_eq "payouts without filters: all comparable, no mismatch, the check is recorded − earned" "0 0 True" \
    "$(json "$T/body" '"%d %d %s" % (d["totals"]["mismatches"], d["totals"]["not_comparable"], all(r["compared_earned"] == r["earned"] and r["compared_recorded"] == r["recorded"] and r["check"] == "match" for r in d["influencers"]))')"
get "/api/payouts?from=2025-04-01&to=2025-04-30" >/dev/null
cp "$T/body" "$T/pay-april.json"
expect_eq "payouts in April: no false mismatch, and some terms not comparable" "0 True" \
    "$(json "$T/pay-april.json" '"%d %s" % (d["totals"]["mismatches"], d["totals"]["not_comparable"] > 0)')"
expect_eq "payouts in April: an influencer paid only after April is outside_range, not comparable" True \
    "$(json "$T/pay-april.json" 'any(r["status"] == "outside_range" for r in d["influencers"]) and all(r["check"] == "not_comparable" and r["recorded"] == 0 for r in d["influencers"] if r["status"] == "outside_range")')"
pay_reference() { # FROM TO PAYOUTS-JSON: "ok", or the influencers whose check differs
    python3 - "$DB" "$1" "$2" "$3" <<'PY'
import json, sqlite3, sys
db, lo, hi, doc = sys.argv[1:]
d = json.load(open(doc))
c = sqlite3.connect(db)
inr = lambda day: day is not None and day != "" and lo <= day[:10] <= hi
trk_campaigns = {r[0] for r in c.execute("SELECT DISTINCT campaign FROM tracking_data WHERE organic = 0 AND campaign IS NOT NULL")}
post_campaigns = {r[0] for r in c.execute("SELECT DISTINCT campaign FROM posts WHERE campaign IS NOT NULL")}
KIND = {"order": "order", "post": "post", "revenue_share": "revenue_share"}
bad = []
for r in d["influencers"]:
    x = r["influencer_id"]
    terms = {}
    for campaign, basis, rate, day in c.execute("SELECT campaign, basis, rate, payout_date FROM payouts WHERE influencer_id = ? ORDER BY rowid", (x,)):
        kind = KIND.get(basis) if rate is not None else None
        if kind is None:
            continue  # priced by its recorded total: always agrees
        scoped = campaign if campaign and campaign in (post_campaigns if kind == "post" else trk_campaigns) else None
        terms.setdefault((kind, scoped), []).append(day)
    trk = list(c.execute("SELECT campaign, date FROM tracking_data WHERE organic = 0 AND influencer_id = ?", (x,)))
    posts = list(c.execute("SELECT campaign, date FROM posts WHERE influencer_id = ?", (x,)))
    comparable = True
    for (kind, scoped), days in terms.items():
        rows = posts if kind == "post" else trk
        claimed = {k[1] for k in terms if k[0] == kind and k[1] is not None}
        priced = [day for campaign, day in rows if (campaign == scoped if scoped is not None else campaign not in claimed)]
        if not all(inr(day) for day in priced) or not all(day in (None, "") or inr(day) for day in days):
            comparable = False
    want = "match" if comparable else "not_comparable"
    if r["check"] != want:
        bad.append("%s: %s, the reference says %s (%s)" % (x, r["check"], want, r["check_reason"]))
print("ok" if not bad else "\n".join(bad[:5]))
PY
}
expect_eq "payouts in April: each check as the README's rule decides it from the stored rows" ok \
    "$(pay_reference 2025-04-01 2025-04-30 "$T/pay-april.json")"
get "/api/payouts?from=2025-03-01&to=2025-08-31" >/dev/null
cp "$T/body" "$T/pay-spring.json"
expect_eq "payouts from March to August: each check as the rule decides it, some comparable" "ok True" \
    "$(pay_reference 2025-03-01 2025-08-31 "$T/pay-spring.json") $(json "$T/pay-spring.json" 'any(r["check"] == "match" for r in d["influencers"])')"

# /api/options: what the filters can choose from, as stored
expect_eq "/api/options is 200" 200 "$(get "/api/options")"
expect_eq "options: the platforms, brands and date range of the data" \
    "$(sql "$DB" "SELECT group_concat(p) FROM (SELECT DISTINCT platform p FROM influencers WHERE platform IS NOT NULL ORDER BY p)")|$(sql "$DB" "SELECT group_concat(b) FROM (SELECT DISTINCT brand b FROM tracking_data ORDER BY b)")|$(sql "$DB" "SELECT min(substr(date,1,10)) || ' ' || max(substr(date,1,10)) FROM tracking_data")" \
    "$(json "$T/body" '",".join(d["platform"]) + "|" + ",".join(d["brand"]) + "|" + d["from"] + " " + d["to"]')"
expect_eq "options: every influencer with its name" "$(sql "$DB" "SELECT count(*) FROM influencers")" \
    "$(json "$T/body" 'len([i for i in d["influencer"] if i["id"] and "name" in i])')"

# min_roas keeps only influencers at or above it
get "/api/influencers?min_roas=2" >/dev/null
expect_eq "min_roas=2 keeps influencers with ROAS ≥ 2 only" True \
    "$(json "$T/body" 'len(d["influencers"]) > 0 and all(r["roas"] is not None and r["roas"] >= 2 for r in d["influencers"])')"

# ---- an import by another process reaches the running server ----------------------------------
# (The reads by `query` and sqlite3 above matter: they once made this fail, when opening a
# second connection in the server dropped the process's locks on the database file.)
before=$(get "/api/dashboard?influencer=INF00001&from=2026-01-01" >/dev/null; json "$T/body" 'd["kpis"]["revenue"]')
printf 'tracking_id,influencer_id,date,brand,orders,revenue\nNEW1,INF00001,2026-01-05,MuscleBlaze,2,1234.56\nNEW2,INF00001,2026-01-06,MuscleBlaze,1,100.01\n' >"$T/more.csv"
check "import while serving" "$INFLUDASH" import --quiet --db "sqlite:$DB" --dataset tracking_data "$T/more.csv"
after=$before
for i in $(seq 1 100); do
    get "/api/dashboard?influencer=INF00001&from=2026-01-01" >/dev/null
    after=$(json "$T/body" 'd["kpis"]["revenue"]')
    [[ $after != "$before" ]] && break
    sleep 0.1
done
expect_eq "the new rows show without a restart" "0.0 -> 1334.57" "$before -> $after" ||
    grep -v "\"GET " "$T/server.log"

serve_stop
expect_eq "server exits 0 on SIGTERM" 0 "$RC"
finish
