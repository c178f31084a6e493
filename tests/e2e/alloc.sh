#!/usr/bin/env bash
# alloc.sh — SPEC §3.1, spend follows the money, end to end: tests/e2e/alloc_reference.py
# recomputes the KPIs and every breakdown (by_platform, by_brand, by_campaign, by_product,
# by_source, daily) from the four datasets as `infludash export --dataset` writes them, from
# the SPEC alone (standard library Python), and compares them to the paisa with `infludash
# query` under some thirty filters each (date ranges, each brand, campaign, product, source,
# platform and basis, Unallocated, a value with no rows), on
# (a) the hand-made files of tests/data/alloc (every payout basis, two payout rows of one
#     influencer in two campaigns, fees with and without a payout_date, a post on another
#     platform than its influencer's, posts with and without a campaign, an influencer with
#     no revenue at all, a per-post rate with leftover paise);
# (b) the sample generator's data under three seeds;
# and checks the issue's examples: brand spends add up to the total, a brand with no rows
# has spend 0 and no posts, --campaign=X leaves out the other campaigns' fees.
source "$(dirname "$0")/lib.sh"
require_binary

REF="python3 $E2E_DIR/alloc_reference.py"
cd "$T" || exit 1

# reference NAME DB : exports DB's datasets into a directory and runs the reference over it
reference() {
    local name=$1 db=$2 dir
    dir=$T/csv-$name
    mkdir -p "$dir"
    for ds in influencers posts tracking_data payouts; do
        run "$INFLUDASH" export --db "$db" --dataset "$ds" -o "$dir/$ds.csv" ||
            { fail "$name: export $ds" "$(last_output)"; return; }
    done
    check "$name: the reference agrees to the paisa under every filter" $REF "$INFLUDASH" "$db" "$dir"
    grep -o '[0-9]* filters agree.*' "$OUT" || true
}

# ---- (a) the hand-made files -------------------------------------------------------------
DB=sqlite:$T/hand.db
check "(a) the hand-made files import" "$INFLUDASH" import --quiet --db "$DB" \
    "$SRC"/tests/data/alloc/{influencers,posts,tracking_data,payouts}.csv
reference "(a) hand-made" "$DB"
# the figures worked by hand (README "Allocation")
json_of() { python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    v = d
    for k in path.split("."):
        v = v[int(k)] if isinstance(v, list) else v[k]
    print(v)' "$@"; }
run "$INFLUDASH" query --db "$DB" && cp "$OUT" all.json
expect_eq "(a) total spend: every fee, post and share once" "7243.34" "$(json_of all.json kpis.spend)"
# D's fees have nothing to follow (Unallocated); the undated day holds D's undated fee and
# E's undated post (₹333.335 × 3 posts = ₹1,000.01: ₹333.34 to each of the first two posts by
# date, the undated one first)
expect_eq "(a) Unallocated brand ₹700 + ₹200; the undated day ₹700 + ₹333.34" \
    "Unallocated 900.0 None 1033.34" \
    "$(python3 -c 'import json; d = json.load(open("all.json"))
b = [g for g in d["by_brand"] if g["brand"] == "Unallocated"][0]
u = [g for g in d["daily"] if g["date"] is None][0]
print(b["brand"], b["spend"], u["date"], u["spend"])')"
run "$INFLUDASH" query --db "$DB" --campaign=GZ_Kids && cp "$OUT" gz.json
# B's GZ_Kids fee, a quarter of B's hybrid fee (₹2,000 of B's ₹8,000), E's GZ_Kids fee and a
# fifth of each of E's three posts (₹1,000 of E's ₹5,000): ₹66.67 + ₹66.67 + ₹66.67 by largest
# remainder; B's MB_Summer fee is not GZ_Kids'
expect_eq "(a) --campaign=GZ_Kids: only what GZ_Kids' revenue bought" \
    "1883.34" "$(json_of gz.json kpis.spend)"

# ---- (b) generated data, three seeds -------------------------------------------------------
for seed in 3 11 29; do
    DB=sqlite:$T/demo$seed.db
    check "(b) seed $seed: demo data" "$INFLUDASH" demo --db "$DB" --rows 6000 --seed "$seed"
    reference "(b) seed $seed" "$DB"
done
DB=sqlite:$T/demo3.db
run "$INFLUDASH" query --db "$DB" && cp "$OUT" d.json
expect_eq "(b) brand spends add up to the total" "$(json_of d.json kpis.spend)" \
    "$(python3 -c 'import json; from decimal import Decimal as D
d = json.load(open("d.json"), parse_float=D); print(sum(g["spend"] for g in d["by_brand"]))')"
run "$INFLUDASH" query --db "$DB" --brand=NoSuchBrand && cp "$OUT" none.json
expect_eq "(b) a brand with no rows: spend 0, no posts, null ROAS" "0.0 0 None" \
    "$(json_of none.json kpis.spend kpis.posts kpis.roas | tr '\n' ' ' | sed 's/ $//')"
finish
