#!/usr/bin/env bash
# simulate.sh — GET /api/simulate (SPEC §10) on generated data: basis=actual costs exactly
# the dashboard's spend under the same filters (several filters, to the paisa), per
# influencer and in total; other terms price the same activity (rate × posts, rate ×
# orders, share × revenue, hybrid), each influencer's break-even rate gives ROAS 1, totals
# add up, and bad terms get a 400 naming the parameter. Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/sim.db
idx demo --db "sqlite:$DB" --rows 6000 --seed 11 || fail "demo data" "$(last_output)"
if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_data || fail "the data loads" "$(cat "$T/server.log")"

get() { curl -sS --max-time 30 -o "$1" -w '%{http_code}' "$BASE$2"; }

for qs in "" "platform=Instagram" "brand=MuscleBlaze" "from=2025-02-01&to=2025-03-15" \
    "category=Fitness&gender=Female" "platform=YouTube&brand=HKVitals&from=2025-01-10"; do
    expect_eq "actual [$qs]: 200" 200 "$(get "$T/sim.json" "/api/simulate?basis=actual&$qs")"
    get "$T/dash.json" "/api/dashboard?$qs" >/dev/null
    get "$T/infl.json" "/api/influencers?$qs" >/dev/null
    expect_eq "actual [$qs]: total cost = dashboard spend, = Σ influencers, revenue = Σ" "True True True True" \
        "$(python3 - "$T/sim.json" "$T/dash.json" "$T/infl.json" <<'EOF'
import json, sys
s, d, inf = (json.load(open(p)) for p in sys.argv[1:4])
t = s["total"]
by = {i["influencer_id"]: i for i in inf["influencers"]}
print(round(t["cost"], 2) == round(d["kpis"]["spend"], 2),
      round(sum(i["cost"] for i in s["influencers"]), 2) == round(t["cost"], 2),
      all(round(i["cost"], 2) == round(by[i["influencer_id"]]["spend"], 2) == round(i["actual_cost"], 2) for i in s["influencers"]),
      round(sum(i["revenue"] for i in s["influencers"]), 2) == round(t["revenue"], 2))
EOF
)"
done

qs="platform=Instagram&from=2025-01-01&to=2025-06-30"
get "$T/post.json" "/api/simulate?basis=post&rate=4500&$qs" >/dev/null
get "$T/order.json" "/api/simulate?basis=order&rate=250.5&$qs" >/dev/null
get "$T/share.json" "/api/simulate?basis=revenue_share&rate=0.12&$qs" >/dev/null
get "$T/hybrid.json" "/api/simulate?basis=hybrid&rate=1000&share=0.05&$qs" >/dev/null
get "$T/actual.json" "/api/simulate?basis=actual&$qs" >/dev/null
expect_eq "other terms price the same activity; change = cost - actual; break-even gives ROAS 1" \
    "True True True True True True" "$(python3 - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
p, o, s, h, a = (json.load(open(f"{t}/{n}.json")) for n in ("post", "order", "share", "hybrid", "actual"))
near = lambda x, y: abs(x - y) < 0.006
ok_post = all(near(i["cost"], 4500 * i["posts"]) for i in p["influencers"])
ok_order = all(near(i["cost"], round(250.5 * i["orders"], 2)) for i in o["influencers"])
ok_share = all(abs(i["cost"] - 0.12 * i["revenue"]) < 0.011 for i in s["influencers"])
ok_hybrid = all(abs(i["cost"] - 1000 * i["posts"] - 0.05 * i["revenue"]) < 0.011 for i in h["influencers"])
ok_change = near(p["total"]["change"], p["total"]["cost"] - a["total"]["cost"]) and near(p["total"]["actual_cost"], a["total"]["cost"])
be = [i for i in p["influencers"] if i["break_even_rate"] and i["posts"]]
ok_be = bool(be) and all(abs(i["break_even_rate"] * i["posts"] - i["revenue"]) < 0.01 for i in be)
print(ok_post, ok_order, ok_share, ok_hybrid, ok_change, ok_be)
EOF
)"

expect_eq "no basis: 400" 400 "$(get "$T/err.json" "/api/simulate?rate=5")"
expect_contains "the 400 names basis" "$T/err.json" "basis"
expect_eq "no rate for post: 400" 400 "$(get "$T/err.json" "/api/simulate?basis=post")"
expect_contains "the 400 names rate" "$T/err.json" "rate"
expect_eq "a share over 1: 400" 400 "$(get "$T/err.json" "/api/simulate?basis=revenue_share&rate=1.5")"
expect_eq "a negative rate: 400" 400 "$(get "$T/err.json" "/api/simulate?basis=order&rate=-1")"
serve_stop
finish
