#!/usr/bin/env bash
# explain.sh — SPEC §3.3 end to end with the real binary: GET /api/explain equals the
# dashboard for every KPI under ten filter sets, with row counts equal to its rows.csv and to
# SQL (explain_check.py); GET /api/unattributed adds up and lists influencer ids the
# influencers file lacks; `infludash explain` prints what the server answers and writes the
# rows; honest rankings: an influencer with 2 orders at ROAS 40 does not top
# /api/influencers?sort=roas over one with 2,000 orders at ROAS 8, while rank=raw puts it first.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/explain.db
idx demo --db "sqlite:$DB" --rows 3000 --seed 11 || fail "demo data" "$(last_output)"
cat >"$T/ghosts.csv" <<'CSV'
tracking_id,influencer_id,source,brand,campaign,date,orders,revenue
G1,GHOST1,Instagram,MuscleBlaze,Ghost_Campaign,2025-03-02,3,4500
G2,GHOST2,YouTube,HKVitals,,2025-03-03,1,999.50
G3,GHOST1,Instagram,MuscleBlaze,Ghost_Campaign,2025-03-04,2,1200
CSV
idx import --db "sqlite:$DB" --dataset tracking_data "$T/ghosts.csv" ||
    fail "rows of unknown influencers import (with a warning)" "$(last_output)"

if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_data || fail "the data loads" "$(cat "$T/server.log")"

while IFS= read -r line; do
    case $line in
    "ok "*) pass "${line#ok }" ;;
    "not ok "*) fail "${line#not ok }" "" ;;
    *) echo "$line" ;;
    esac
done < <(python3 "$E2E_DIR/explain_check.py" "$BASE" "$DB" 2>&1 || echo "not ok explain_check.py ran to its end")

# ---- the CLI prints what the server answers --------------------------------------------------
for metric in roas engagement_rate_followers organic_revenue; do
    curl -sS -o "$T/http.json" "$BASE/api/explain?metric=$metric&platform=Instagram"
    run "$INFLUDASH" explain --db "sqlite:$DB" "$metric" --platform=Instagram
    if [[ $RC == 0 ]] && cmp -s "$T/http.json" "$OUT"; then
        pass "infludash explain $metric prints GET /api/explain's document"
    else
        fail "infludash explain $metric prints GET /api/explain's document" "$(head -c 300 "$OUT")"
    fi
done
run "$INFLUDASH" explain --db "sqlite:$DB" revenue --brand=MuscleBlaze --rows "$T/rows.csv"
rows=$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1])))) - 1)' "$T/rows.csv")
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"]["tracking_data"])' "$OUT")
expect_eq "infludash explain --rows writes the rows it counts" "$want" "$rows"
curl -sS -o "$T/rows_http.csv" "$BASE/api/explain/rows.csv?metric=revenue&brand=MuscleBlaze"
check "infludash explain --rows writes what rows.csv answers" cmp -s "$T/rows.csv" "$T/rows_http.csv"
expect_fail "an unknown metric is a usage error naming the choices" 64 \
    "$INFLUDASH" explain --db "sqlite:$DB" bogus
expect_contains "the error names the KPI keys" "$ERR" "engagement_rate_views"
code=$(curl -sS -o "$T/body" -w '%{http_code}' "$BASE/api/explain?metric=bogus")
expect_eq "GET /api/explain of an unknown metric is a 400" 400 "$code"
code=$(curl -sS -o "$T/body" -w '%{http_code}' "$BASE/api/explain/rows.csv?metric=posts&dataset=payouts")
expect_eq "rows.csv of a dataset not behind the metric is a 400" 400 "$code"

# ---- compare= (SPEC §3.2): the same figure over the earlier period, and its change -----------
Q='from=2025-04-01&to=2025-04-30&platform=Instagram'
curl -sS -o "$T/cmp_dash.json" "$BASE/api/dashboard?$Q&compare=previous"
curl -sS -o "$T/prev_dash.json" "$BASE/api/dashboard?from=2025-03-02&to=2025-03-31&platform=Instagram"
curl -sS -o "$T/prev_pay.json" "$BASE/api/payouts?from=2025-03-02&to=2025-03-31&platform=Instagram"
for metric in roas spend engagement_rate iroas_method payouts.pending payouts.influencers; do
    curl -sS -o "$T/cmp_$metric.json" "$BASE/api/explain?metric=$metric&$Q&compare=previous"
    curl -sS -o "$T/prev_$metric.json" "$BASE/api/explain?metric=$metric&from=2025-03-02&to=2025-03-31&platform=Instagram"
    check "explain $metric with compare=previous: the dashboard's period, its earlier value and change, the earlier inputs" \
        python3 -c '
import json, sys
m, d, p, x = sys.argv[1], *(json.load(open(f)) for f in sys.argv[2:5])
assert x["compare"] == d["compare"] == {"from": "2025-03-02", "to": "2025-03-31", "days": 30, "kind": "previous"}, x["compare"]
assert x["value_previous"] == p["value"], (x["value_previous"], p["value"])
assert x["inputs_previous"] == p["inputs"], (x["inputs_previous"], p["inputs"])
if m in d["kpis"]:
    assert x["value"] == d["kpis"][m] and x["value_previous"] == d["kpis_previous"][m]
    assert x["change"] == d["kpis_change"][m], (x["change"], d["kpis_change"][m])
else:
    now, then = x["value"], x["value_previous"]
    assert x["change"]["abs"] == round(now - then, 2), x["change"]
    assert x["change"]["rel"] == (None if then == 0 else (now - then) / abs(then)), x["change"]
' "$metric" "$T/cmp_dash.json" "$T/prev_$metric.json" "$T/cmp_$metric.json"
done
check "payouts.pending over the earlier period is what /api/payouts answers for it" python3 -c '
import json, sys
x, p = (json.load(open(f)) for f in sys.argv[1:3])
assert x["value_previous"] == p["totals"]["pending"], (x["value_previous"], p["totals"])
' "$T/cmp_payouts.pending.json" "$T/prev_pay.json"
curl -sS -o "$T/cmp_none.json" "$BASE/api/explain?metric=roas&compare=2020-01-01..2020-01-31"
check "explain with a comparison period the data does not reach: value_previous null, change null" \
    python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))
assert x["compare"]["kind"] == "range" and x["value_previous"] is None
assert x["change"] == {"abs": None, "rel": None}, x["change"]
' "$T/cmp_none.json"
curl -sS -o "$T/plain.json" "$BASE/api/explain?metric=roas&$Q"
check "explain without compare has no comparison members" python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))
assert not {"compare", "value_previous", "change", "inputs_previous"} & set(x), sorted(x)
' "$T/plain.json"
run "$INFLUDASH" explain --db "sqlite:$DB" roas --from 2025-04-01 --to 2025-04-30 --platform=Instagram --compare previous
cp "$OUT" "$T/cli_cmp_roas.json"
check "infludash explain --compare prints what GET /api/explain answers" python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a == b, {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
' "$T/cmp_roas.json" "$T/cli_cmp_roas.json"
code=$(curl -sS -o "$T/body" -w '%{http_code}' "$BASE/api/explain?metric=roas&compare=lastyear")
expect_eq "explain with a bad compare is a 400" 400 "$code"

# ---- honest rankings -------------------------------------------------------------------------
RDB=$T/rank.db
cat >"$T/influencers.csv" <<'CSV'
influencer_id,name,category,gender,platform,follower_count
SMALL,Small,Fitness,Male,Instagram,5000
BIG,Big,Fitness,Male,Instagram,900000
C,Cee,Beauty,Female,Instagram,50000
D,Dee,Beauty,Female,YouTube,60000
E,Eee,Nutrition,Male,YouTube,70000
CSV
cat >"$T/tracking_data.csv" <<'CSV'
tracking_id,influencer_id,source,brand,date,orders,revenue
T1,SMALL,Instagram,MuscleBlaze,2025-03-01,2,4000
T2,BIG,Instagram,MuscleBlaze,2025-03-01,2000,800000
T3,C,Instagram,HKVitals,2025-03-01,500,200000
T4,D,YouTube,HKVitals,2025-03-01,300,120000
T5,E,YouTube,Gritzo,2025-03-01,400,160000
CSV
cat >"$T/payouts.csv" <<'CSV'
payout_id,influencer_id,basis,total_payout,status
Y1,SMALL,flat,100,Paid
Y2,BIG,flat,100000,Paid
Y3,C,flat,100000,Paid
Y4,D,flat,40000,Paid
Y5,E,flat,40000,Paid
CSV
idx import --db "sqlite:$RDB" "$T/influencers.csv" "$T/tracking_data.csv" "$T/payouts.csv" ||
    fail "the ranking board imports" "$(last_output)"
run "$INFLUDASH" query --db "sqlite:$RDB"
cp "$OUT" "$T/rank_dash.json"
order() { python3 -c 'import json,sys; print(",".join(r["influencer_id"] for r in json.load(open(sys.argv[1]))["influencers"]))' "$1"; }
kill "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
if serve_start "$RDB"; then
    wait_data
    curl -sS -o "$T/shrunk.json" "$BASE/api/influencers?sort=roas"
    curl -sS -o "$T/raw.json" "$BASE/api/influencers?sort=roas&rank=raw"
    shrunk=$(order "$T/shrunk.json")
    raw=$(order "$T/raw.json")
    expect_match "sort=roas (shrunk): 2,000 orders at ROAS 8 top the board, not 2 orders at 40" \
        "$shrunk" '^BIG,'
    expect_match "sort=roas&rank=raw: the plain ratio puts 2 orders at 40 first" "$raw" '^SMALL,BIG,'
    check "every ranked row carries roas, roas_shrunk, roas_low, roas_high, orders, few_orders" \
        python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"roas", "roas_shrunk", "roas_low", "roas_high", "orders", "few_orders"}
rows = d["influencers"]
assert rows and all(keys <= set(r) for r in rows)
small = [r for r in rows if r["influencer_id"] == "SMALL"][0]
assert small["few_orders"] is True and small["roas"] == 40
assert small["roas_low"] <= small["roas_shrunk"] <= small["roas_high"] and small["roas_shrunk"] < 8
assert all(r["few_orders"] is False for r in rows if r["influencer_id"] != "SMALL")
assert d["ranking"]["rank"] == "shrunk" and d["ranking"]["few_orders_below"] == 30
' "$T/shrunk.json"
    curl -sS -o "$T/few.json" "$BASE/api/influencers?sort=roas&few_orders=400"
    check "few_orders=N moves the mark" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))["influencers"]
assert all(r["few_orders"] == (r["orders"] < 400) for r in rows)' "$T/few.json"
    curl -sS -o "$T/dash.json" "$BASE/api/dashboard"
    check "personas carry the ranking keys" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"roas", "roas_shrunk", "roas_low", "roas_high", "orders", "few_orders"}
assert d["personas"] and all(keys <= set(p) for p in d["personas"])' "$T/dash.json"
    code=$(curl -sS -o "$T/body" -w '%{http_code}' "$BASE/api/influencers?rank=best")
    expect_eq "rank=best is a 400" 400 "$code"
else
    fail "server starts on the ranking board" "$(cat "$T/server.log")"
fi

finish
