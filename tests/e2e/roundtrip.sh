#!/usr/bin/env bash
# roundtrip.sh — import → export → import gives the same rows (README: "Importing that file
# again gives the same rows"). For the demo data and for the peer sets (extra columns,
# multi-line captions, JSON, name-keyed files, day-first dates, rates as text): import into
# database A, export every dataset, import the exports into database B, export again, and
# compare A's and B's exports byte for byte.
source "$(dirname "$0")/lib.sh"
require_binary

PEERS=${PEERS:-$SRC/../shared/peers}

# roundtrip NAME FILE... : the whole check for one set of input files.
roundtrip() {
    local name=$1
    shift
    local dir=$T/rt/$name ds a b
    mkdir -p "$dir/a" "$dir/b"
    a=$(db_url "rt_${name}_a") && b=$(db_url "rt_${name}_b") || { fail "$name: databases" "db_url failed"; return; }
    printf '%s\n' "$a" >"$dir/a.url"
    check "$name: import into A" "$INFLUDASH" import --quiet --db "$a" "$@" || return
    for ds in "${DATASETS[@]}"; do
        check "$name: export $ds from A" "$INFLUDASH" export --db "$a" --dataset "$ds" \
            -o "$dir/a/$ds.csv" || return
    done
    check "$name: import A's exports into B" "$INFLUDASH" import --quiet --db "$b" \
        "$dir/a/influencers.csv" "$dir/a/posts.csv" "$dir/a/tracking_data.csv" "$dir/a/payouts.csv" ||
        return
    expect_eq "$name: B has A's counts" "$(counts "$a")" "$(counts "$b")"
    for ds in "${DATASETS[@]}"; do
        "$INFLUDASH" export --db "$b" --dataset "$ds" -o "$dir/b/$ds.csv" 2>"$dir/b/$ds.err"
        expect_same_files "$name: $ds export of B = export of A (byte for byte)" \
            "$dir/a/$ds.csv" "$dir/b/$ds.csv"
    done
}

# ---- demo data -------------------------------------------------------------------------
rows=5000
mkdir -p "$T/demo"
if check "demo --csv writes the four files (--rows $rows)" "$INFLUDASH" demo --csv "$T/demo" --rows $rows; then
    roundtrip demo "$T/demo/influencers.csv" "$T/demo/posts.csv" "$T/demo/tracking_data.csv" \
        "$T/demo/payouts.csv"
    expect_eq "demo: $rows tracking rows" "$rows" "$(counts "$(cat "$T/rt/demo/a.url")" | cut -d' ' -f3)"
    # The demo CSV is itself an export-shaped file: A's export reproduces it.
    for ds in "${DATASETS[@]}"; do
        expect_same_files "demo: $ds export of A = the demo CSV (byte for byte)" \
            "$T/demo/$ds.csv" "$T/rt/demo/a/$ds.csv"
    done
fi

# The small hand-written set in tests/data/e2e: quoted multi-line caption, doubled quotes,
# emoji, currency text, organic rows, extra columns.
roundtrip fixture "$SRC/tests/data/e2e/influencers.csv" "$SRC/tests/data/e2e/posts.csv" \
    "$SRC/tests/data/e2e/tracking_data.csv" "$SRC/tests/data/e2e/payouts.csv"

# Cells a spreadsheet would run as formulas come out guarded (an apostrophe, quoted) and go
# back in unguarded, numbers stay numbers, and a value that starts with an apostrophe itself
# (from JSON, which is never unguarded) survives: the rule of README "CSV files and
# spreadsheets".
mkdir -p "$T/formulas"
cat >"$T/formulas/influencers.json" <<'EOF'
[{"influencer_id": "F1", "name": "=HYPERLINK(\"http://x.example\",\"y\")", "category": "Fitness",
  "gender": "Female", "follower_count": 1000, "platform": "Instagram", "note": "'=already guarded",
  "score": "-5"},
 {"influencer_id": "F2", "name": "+91 98765 43210", "category": "-", "gender": "Male",
  "follower_count": 2000, "platform": "YouTube", "note": "'Tis", "score": "-2+3"},
 {"influencer_id": "F3", "name": "@handle", "category": "Beauty", "gender": "Female",
  "follower_count": 3000, "platform": "YouTube", "note": "''", "score": "+1.5e3"}]
EOF
printf '%s\n' 'tracking_id,influencer_id,date,brand,orders,revenue,is_return,coupon' \
    'T1,F1,2025-03-01,MuscleBlaze,1,-250.50,1,=1+1' 'T2,F2,2025-03-02,MuscleBlaze,1,100,0,-10%' \
    'T3,F3,2025-03-03,MuscleBlaze,1,100,0,@x' >"$T/formulas/tracking_data.csv"
roundtrip formulas "$T/formulas/influencers.json" "$T/formulas/tracking_data.csv"
f=$T/rt/formulas/a
# FILE<TAB>a cell as the export must write it (quoted where guarded)
while IFS=$'\t' read -r file cell; do
    expect_contains "formulas: the $file export holds $cell" "$f/$file.csv" "$cell"
done <<'EOF'
influencers	"'=HYPERLINK(""http://x.example"",""y"")"
influencers	"''=already guarded"
influencers	"'+91 98765 43210"
influencers	,"'-",
influencers	"'@handle"
influencers	,'Tis,
influencers	,-5
influencers	"'-2+3"
influencers	,+1.5e3
influencers	,"'''"
tracking_data	,-250.50,
tracking_data	"'=1+1"
tracking_data	"'-10%"
tracking_data	"'@x"
EOF

# A NUL character cannot come in through JSON (its export would write the byte, which no
# CSV reader takes back): refused naming the file, line, column and key; nothing stored.
printf '[{"influencer_id": "N1", "platform": "Instagram"},\n {"influencer_id": "N2", "name": "a\\u0000b"}]\n' \
    >"$T/nul.json"
nul_db=$(db_url rt_nul) || fail "nul: database" "db_url failed"
expect_fail "a JSON file with \\u0000 in a value is refused" 1 "$INFLUDASH" import --db "$nul_db" \
    --dataset influencers "$T/nul.json"
expect_contains "… naming file, line, column and key" "$ERR" 'nul.json:2:36: name: \u0000 (a NUL character)'
expect_eq "… and nothing is stored" "0 0 0 0" "$(counts "$nul_db")"

# ---- peer sets ---------------------------------------------------------------------------
if [[ ! -f $PEERS/README.md ]]; then
    if [[ ${INFLUDASH_SKIP_PEERS:-0} == 1 ]]; then
        echo "roundtrip: $PEERS/README.md not found; peer sets skipped (INFLUDASH_SKIP_PEERS=1)"
        finish
    fi
    fail "peer data present" "$PEERS/README.md not found (set PEERS=DIR, or INFLUDASH_SKIP_PEERS=1)"
    finish
fi
$UTIL manifest "$PEERS/README.md" >"$T/manifest" || fail "peers README tables parse" "see above"

# Every repository's importable files; the ones named in the brief must be there.
declare -A SEEN=()
for must in terminator2299__InternAssignment-Healthkart SurajSingh53__ROI-Tracker \
    nervewastaken__healthkart-influencer-dashboard prajwalkunapuli__Healthkart-Dashboard; do
    grep -q "^$must	" "$T/manifest" || fail "peer set $must listed in the README" "not in the README tables"
done
while IFS=$'\t' read -r repo _ _; do
    [[ -v "SEEN[$repo]" ]] && continue
    SEEN[$repo]=1
    files=()
    while IFS=$'\t' read -r r f k; do
        [[ $r == "$repo" && $k != AUX && -f $PEERS/$r/$f ]] && files+=("$PEERS/$r/$f")
    done <"$T/manifest"
    ((${#files[@]})) && roundtrip "$repo" "${files[@]}"
done <"$T/manifest"

# Multi-line captions survive: terminator2299's posts have captions spanning lines.
r=terminator2299__InternAssignment-Healthkart
if [[ -f $T/rt/$r/b/posts.csv ]]; then
    want=$(python3 -c '
import csv,sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1],encoding="utf-8",newline="")) if "\n" in r["caption"]))' \
        "$PEERS/$r/posts.csv")
    got=$(python3 -c '
import csv,sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1],encoding="utf-8",newline="")) if "\n" in r["caption"]))' \
        "$T/rt/$r/b/posts.csv")
    expect_eq "terminator2299: captions with line breaks survive the round trip ($want)" "$want" "$got"
    expect_eq "terminator2299: the source has multi-line captions" yes "$( ((want > 0)) && echo yes || echo no)"
fi
# Extra columns survive: SurajSingh53's influencers keep engagement_rate, avg_views, location.
r=SurajSingh53__ROI-Tracker
if [[ -f $T/rt/$r/b/influencers.csv ]]; then
    expect_eq "SurajSingh53: extra influencer columns kept through the round trip" \
        "avg_views engagement_rate location" \
        "$($UTIL header "$T/rt/$r/b/influencers.csv" | tail -3 | sort | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "SurajSingh53: extra values kept (INF first row's location)" \
        "$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1],encoding="utf-8")))["location"])' \
            "$PEERS/$r/influencers.csv")" \
        "$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1],encoding="utf-8")))["location"])' \
            "$T/rt/$r/b/influencers.csv")"
    expect_eq "SurajSingh53: cost_per_click kept on tracking rows" cost_per_click \
        "$($UTIL header "$T/rt/$r/b/tracking_data.csv" | tail -1)"
fi

finish
