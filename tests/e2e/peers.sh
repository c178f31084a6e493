#!/usr/bin/env bash
# peers.sh — every real-world data file in shared/peers (see its README) imports: each
# INF/POST/TRK/PAY file alone, and each repository's files together in one command, with
# the stored count equal to the number of data records (counted with Python's csv/json,
# not by infludash). Then a few normalisations the README describes are checked against
# `infludash export --dataset ...`.
source "$(dirname "$0")/lib.sh"
require_binary

PEERS=${PEERS:-$SRC/../shared/peers}
if [[ ! -f $PEERS/README.md ]]; then
    if [[ ${INFLUDASH_SKIP_PEERS:-0} == 1 ]]; then
        echo "peers: $PEERS/README.md not found; skipped (INFLUDASH_SKIP_PEERS=1)"
        finish
    fi
    fail "peer data present" "$PEERS/README.md not found: the peer data files live in
shared/peers beside the repository (set PEERS=DIR to point elsewhere, or
INFLUDASH_SKIP_PEERS=1 to skip this test)"
    finish
fi
PEERS=$(cd "$PEERS" && pwd)

declare -A KEY2DS=([INF]=influencers [POST]=posts [TRK]=tracking_data [PAY]=payouts)
declare -A DSIDX=([influencers]=0 [posts]=1 [tracking_data]=2 [payouts]=3)

if ! $UTIL manifest "$PEERS/README.md" >"$T/manifest" 2>"$T/manifest.err"; then
    fail "peers README tables parse" "$(cat "$T/manifest.err")"
    finish
fi
pass "peers README tables parse ($(wc -l <"$T/manifest") files listed)"

repos=()
declare -A REPO_FILES=()   # repo -> newline-separated "dataset<TAB>path"
nfiles=0
while IFS=$'\t' read -r repo file key; do
    path=$PEERS/$repo/$file
    if [[ ! -f $path ]]; then
        fail "listed file exists: $repo/$file" "$path is listed in the README but missing"
        continue
    fi
    [[ $key == AUX ]] && continue
    [[ -v "REPO_FILES[$repo]" ]] || { repos+=("$repo"); REPO_FILES[$repo]=""; }
    REPO_FILES[$repo]+="${KEY2DS[$key]}"$'\t'"$path"$'\n'
    nfiles=$((nfiles + 1))
done <"$T/manifest"
expect_eq "the README lists importable files in every repo (>= 20 repos)" yes \
    "$( ((${#repos[@]} >= 20)) && echo yes || echo "no: ${#repos[@]}")"

# expected_counts DS N : the four counts when only dataset DS holds N rows.
expected_counts() {
    local c=(0 0 0 0)
    c[${DSIDX[$1]}]=$2
    echo "${c[*]}"
}

# ---- each file alone ------------------------------------------------------------------
for repo in "${repos[@]}"; do
    while IFS=$'\t' read -r ds path; do
        [[ -n $path ]] || continue
        rel=${path#"$PEERS"/}
        db=$T/alone.db
        rm -f "$db" "$db-wal" "$db-shm"
        if ! check "import alone: $rel" "$INFLUDASH" import --quiet --db "sqlite:$db" "$path"; then
            continue
        fi
        n=$($UTIL count "$path")
        expect_eq "stored count = records ($n, as $ds): $rel" "$(expected_counts "$ds" "$n")" \
            "$(counts "$db")"
    done <<<"${REPO_FILES[$repo]}"
done

# ---- each repository's files together ---------------------------------------------------
for repo in "${repos[@]}"; do
    db=$T/$repo.db
    paths=()
    declare -A byds=()
    while IFS=$'\t' read -r ds path; do
        [[ -n $path ]] || continue
        paths+=("$path")
        byds[$ds]+="$path"$'\n'
    done <<<"${REPO_FILES[$repo]}"
    if ! check "import together (${#paths[@]} files in one command): $repo" \
        "$INFLUDASH" import --quiet --db "sqlite:$db" "${paths[@]}"; then
        unset byds
        continue
    fi
    cp "$ERR" "$T/$repo.import.err"
    want=()
    for ds in "${DATASETS[@]}"; do
        if [[ -n ${byds[$ds]:-} ]]; then
            mapfile -t files < <(printf '%s' "${byds[$ds]}")
            want+=("$($UTIL distinct "$ds" "${files[@]}")")
        else
            want+=(0)
        fi
    done
    expect_eq "stored counts = distinct records per dataset: $repo" "${want[*]}" "$(counts "$db")"
    unset byds
done

# ---- normalisations (README notes), checked on the exports -------------------------------
# export_of REPO DATASET : exports the dataset of the repo's together-database to a file.
export_of() {
    local f=$T/$1.$2.csv
    "$INFLUDASH" export --db "sqlite:$T/$1.db" --dataset "$2" >"$f" 2>"$f.err" || : >"$f"
    echo "$f"
}

# bsid24082: float-typed ids `32.0` stored as `32`; 100 organic rows with empty influencer_id.
r=bsid24082__HealthKart-Influencer-Campaign-Dashboard
if [[ -f $T/$r.db ]]; then
    trk=$(export_of "$r" tracking_data)
    inf=$(export_of "$r" influencers)
    ids=$($UTIL column "$trk" influencer_id | sort -u | grep -v '^$' | tr '\n' ' ')
    src_ids=$(python3 -c '
import csv,sys,re
s=set()
for r in csv.DictReader(open(sys.argv[1],encoding="utf-8-sig")):
    v=r["influencer_id"].strip()
    if v: s.add(re.sub(r"\.0+$","",v))
print(" ".join(sorted(s)))' "$PEERS/$r/tracking_data.csv")
    expect_eq "bsid24082: tracking ids 32.0 are stored as 32 (the set of ids)" \
        "$src_ids" "$(echo "$ids" | tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' ' | sed 's/ $//')"
    expect_not_contains "bsid24082: no id keeps a .0" "$ids" ".0 "
    expect_contains "bsid24082: id 32 present in tracking export" " $ids" " 32 "
    inf_ids=$($UTIL column "$inf" influencer_id | sort -u | tr '\n' ' ')
    missing=""
    for id in $ids; do [[ " $inf_ids" == *" $id "* ]] || missing+="$id "; done
    expect_eq "bsid24082: every tracking influencer_id names a stored influencer" "" "$missing"
    expect_not_contains "bsid24082: no unknown-influencer warning on import" \
        "$(cat "$T/$r.import.err")" "unknown influencer"
    expect_eq "bsid24082: 100 organic rows have an empty influencer_id in the export" 100 \
        "$($UTIL where "$trk" influencer_id "")"
    expect_eq "bsid24082: the organic rows keep source=organic" 100 "$($UTIL where "$trk" source organic)"
    expect_eq "bsid24082: 100 rows stored as organic" 100 \
        "$(sql "$T/$r.db" 'SELECT count(*) FROM tracking_data WHERE organic = 1')"
    expect_eq "bsid24082: platform X is stored as Twitter" \
        "$(grep -c ',X,\|,X$' "$PEERS/$r/influencers.csv" | tr -d ' ')" \
        "$($UTIL where "$inf" platform Twitter)"
fi

# WorksbyVishesh: UTF-8 BOM, capitalised headers, blank rows, DD-MM-YYYY dates.
r=WorksbyVishesh__Healthkart-Dashboard
if [[ -f $T/$r.db ]]; then
    inf=$(export_of "$r" influencers)
    posts=$(export_of "$r" posts)
    trk=$(export_of "$r" tracking_data)
    expect_eq "WorksbyVishesh: BOM header ID read as influencer_id (ids 1..5, blank rows skipped)" \
        "1 2 3 4 5" "$($UTIL column "$inf" influencer_id | sort -n | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "WorksbyVishesh: Follower_Count read (id 2 has 75000)" 75000 \
        "$($UTIL get "$inf" influencer_id 2 follower_count)"
    expect_eq "WorksbyVishesh: DD-MM-YYYY 01-07-2025 becomes 2025-07-01" 2025-07-01 \
        "$($UTIL get "$posts" url http://insta.com/p1 date)"
    iso_dates=$(python3 -c '
import csv,sys
for r in csv.DictReader(open(sys.argv[1],encoding="utf-8-sig")):
    if not r["Date"].strip(): continue
    d,m,y=r["Date"].strip().split("-"); print("%s-%s-%s"%(y,m,d))' "$PEERS/$r/Posts.csv" | sort | tr '\n' ' ')
    expect_eq "WorksbyVishesh: every post date is the ISO form of the day-first date" "$iso_dates" \
        "$($UTIL column "$posts" date | sort | tr '\n' ' ')"
    bad=$($UTIL column "$trk" date | grep -vcE '^[0-9]{4}-[0-9]{2}-[0-9]{2}' || true)
    expect_eq "WorksbyVishesh: tracking dates are ISO" 0 "$bad"
    expect_eq "WorksbyVishesh: Brands column read as brand (no row Unknown)" 0 \
        "$($UTIL where "$trk" brand Unknown)"
fi

# nervewastaken: rate as text "₹437,947/post" → 437947; payout_amount → total_payout.
r=nervewastaken__healthkart-influencer-dashboard
if [[ -f $T/$r.db ]]; then
    pay=$(export_of "$r" payouts)
    hk1=$(python3 -c '
import csv,sys
for r in csv.DictReader(open(sys.argv[1],newline="")):
    if r["influencer_id"]=="HK001": print(r["rate"], r["basis"], r["total_payout"])' "$pay" | tr '\n' '|')
    expect_contains "nervewastaken: ₹437,947/post is stored as rate 437947 (basis post)" \
        "$hk1" "437947 post "
    expect_contains "nervewastaken: ₹455,230/post (sample_new_payouts) is stored as rate 455230" \
        "$hk1" "455230 post "
    expect_contains "nervewastaken: payout_amount 2189734.22 is the total_payout" "$hk1" \
        " 2189734.22|"
    hk2=$($UTIL get "$pay" influencer_id HK002 rate)
    expect_eq "nervewastaken: ₹35,391/post is stored as rate 35391" 35391 "$hk2"
    expect_eq "nervewastaken: hybrid basis kept" hybrid "$($UTIL get "$pay" influencer_id HK003 basis)"
    hdr=$($UTIL header "$pay" | tr '\n' ' ')
    expect_contains "nervewastaken: extra column gifted_products_cost kept on export" "$hdr" \
        "gifted_products_cost"
fi

# SHREYANSHx07: influencers without ids, other files keyed by influencer_name.
r=SHREYANSHx07__Influencers_analytics
if [[ -f $T/$r.db ]]; then
    inf=$(export_of "$r" influencers)
    sarah=$($UTIL get "$inf" name "Sarah Johnson" influencer_id)
    expect_eq "SHREYANSHx07: influencers get non-empty, distinct ids" "55 55" \
        "$($UTIL column "$inf" influencer_id | grep -c . ) $($UTIL column "$inf" influencer_id | sort -u | grep -c .)"
    for ds in posts tracking_data payouts; do
        f=$(export_of "$r" "$ds")
        bad=$(python3 -c '
import csv,sys
ids={r["influencer_id"] for r in csv.DictReader(open(sys.argv[1],newline=""))}
rows=list(csv.DictReader(open(sys.argv[2],newline="")))
bad=[r["influencer_id"] for r in rows if r["influencer_id"] not in ids]
print(len(rows), len(bad), bad[:3])' "$inf" "$f")
        expect_eq "SHREYANSHx07: every $ds row resolves to a stored influencer id" "55 0 []" "$bad"
    done
    posts=$(export_of "$r" posts)
    expect_eq "SHREYANSHx07: Sarah Johnson's post carries her influencer id" "$sarah" \
        "$($UTIL get "$posts" url https://instagram.com/p/abc123 influencer_id)"
    expect_not_contains "SHREYANSHx07: no unknown-influencer warning on import" \
        "$(cat "$T/$r.import.err")" "unknown influencer"
    expect_eq "SHREYANSHx07: lower-case platform instagram → Instagram" \
        "$(grep -ci ',instagram *$' "$PEERS/$r/influencers.csv")" "$($UTIL where "$inf" platform Instagram)"
    expect_eq "SHREYANSHx07: gender female → Female" Female "$($UTIL get "$inf" name "Sarah Johnson" gender)"
fi

# pranavadache: basis per_order; total_orders_by_influencer → orders. SPEC §1: an `order`
# rate between 0 and 1 is a revenue share, and this row's rate is 0.19 (total 1744.09 is
# not 0.19 × 6 orders), so the stored basis is revenue_share.
r=pranavadache__healthkart-influencer-dashboard
if [[ -f $T/$r.db ]]; then
    pay=$(export_of "$r" payouts)
    expect_eq "pranavadache: per_order basis at rate 0.19 stored as revenue_share (SPEC §1)" revenue_share \
        "$($UTIL get "$pay" influencer_id INF050 basis)"
    expect_eq "pranavadache: total_orders_by_influencer (6) stored as orders" 6 \
        "$($UTIL get "$pay" influencer_id INF050 orders)"
    expect_eq "pranavadache: rate 0.19 kept" 0.19 "$($UTIL get "$pay" influencer_id INF050 rate)"
    expect_eq "pranavadache: total_payout 1744.09 kept" 1744.09 \
        "$($UTIL get "$pay" influencer_id INF050 total_payout)"
    expect_eq "pranavadache: Non-Binary gender → Non-binary" \
        "$(grep -ci ',non-binary,' "$PEERS/$r/influencers.csv")" \
        "$($UTIL where "$(export_of "$r" influencers)" gender Non-binary)"
fi

# harshavv2504: 26,136 payout rows (one per payable event), basis Post/Order (the Order
# rows pay a 0.08 commission: a revenue share under SPEC §1).
r=harshavv2504__HealthKart-Dashboard
if [[ -f $T/$r.db ]]; then
    pay=$(export_of "$r" payouts)
    n=$($UTIL count "$PEERS/$r/payouts.csv")
    expect_eq "harshavv2504: all $n payout rows exported" "$n" "$($UTIL nrows "$pay")"
    expect_eq "harshavv2504: 26136 payout rows in the source" 26136 "$n"
    expect_eq "harshavv2504: payout ids kept (p_out_001)" inf_001 "$($UTIL get "$pay" payout_id p_out_001 influencer_id)"
    bases=$($UTIL column "$pay" basis | sort -u | tr '\n' ' ')
    expect_eq "harshavv2504: basis Post → post, Order at rate 0.08 → revenue_share" \
        "post revenue_share " "$bases"
fi

finish
