#!/usr/bin/env bash
# import_errors.sh — bad input gets a clear error that names the file, the line and the
# column, exit status 1, and nothing is imported: the `status` counts, the last import
# and an export of every dataset are the same before and after (SPEC §2). Then the ways to
# import anyway: --skip-invalid (exit 2) with --rejects, unknown influencers (a warning),
# --mode replace, append upserts, and --dataset for a file that cannot be told.
source "$(dirname "$0")/lib.sh"
require_binary

GOOD=$SRC/tests/data/e2e
URL=$(db_url db) || exit 1
DB=$URL
cd "$T" || exit 1

# The database every bad import is tried against: the good set.
check "good set imports" "$INFLUDASH" import --quiet --db "$URL" \
    "$GOOD/influencers.csv" "$GOOD/posts.csv" "$GOOD/tracking_data.csv" "$GOOD/payouts.csv"
expect_eq "good set counts" "5 6 8 5" "$(counts "$DB")"
BEFORE=$T/before
snapshot "$DB" "$BEFORE"

# case NAME : a fresh directory for one case's files; cd into it (messages carry the
# relative names).
case_dir() {
    mkdir -p "$T/$1"
    cd "$T/$1" || exit 1
}

# rejected NAME STATUS ARGS... : the import exits with STATUS and leaves the store as it was.
rejected() {
    local name=$1 status=$2
    shift 2
    expect_fail "$name: exit status $status" "$status" "$INFLUDASH" import --db "$URL" "$@"
    cp "$ERR" "$T/last.err"
    expect_unchanged "$name: nothing imported (counts, last import, exports unchanged)" "$BEFORE" "$DB"
}

# ---- empty file ----------------------------------------------------------------------
case_dir empty
: >influencers.csv
rejected "empty file" 1 influencers.csv
expect_match "empty file: the message names the file and says it is empty" "$T/last.err" \
    'influencers\.csv.*empty'
printf '\n\n\n' >posts.csv
rejected "file of blank lines" 1 posts.csv
expect_contains "file of blank lines: the message names the file" "$T/last.err" "posts.csv"

# ---- binary garbage ------------------------------------------------------------------
case_dir garbage
head -c 4096 /dev/urandom >garbage.csv
rejected "4 KiB of random bytes" 1 garbage.csv
expect_contains "random bytes: the message names the file" "$T/last.err" "garbage.csv"
rejected "random bytes with --dataset influencers" 1 --dataset influencers garbage.csv
# Depending on the bytes, the header is refused (garbage.csv:1: missing required column)
# or a NUL byte is found (garbage.csv:LINE:COLUMN: binary data).
expect_match "random bytes with --dataset: the message is garbage.csv:LINE[:COLUMN]: reason" \
    "$T/last.err" 'garbage\.csv:[0-9]+:([0-9]+:)? [a-z]'
printf 'influencer_id,name,category\nINF100,Nul\0Byte,Fitness\n' >influencers.csv
rejected "file with a NUL byte" 1 influencers.csv
expect_match "NUL byte: the message is influencers.csv:2:2: ..." "$T/last.err" \
    'influencers\.csv:2:2: .*(NUL|binary)'

# ---- limits --------------------------------------------------------------------------
case_dir bigfield
python3 -c '
import sys
sys.stdout.write("influencer_id,name,category\nINF100,Big,")
sys.stdout.write("x" * (3 << 20))
sys.stdout.write("\n")' >influencers.csv
rejected "a 3 MB field" 1 influencers.csv
expect_match "3 MB field: the message is influencers.csv:2:3: ... longer ..." "$T/last.err" \
    'influencers\.csv:2:3: .*(long|large|limit)'
rejected "a 3 MB field with --max-field-size 1M" 1 --max-field-size 1M influencers.csv
BIGFIELD=$(db_url bigfield)
check "a 3 MB field imports with --max-field-size 4M (the limit is configurable)" \
    "$INFLUDASH" import --quiet --db "$BIGFIELD" --max-field-size 4M influencers.csv
expect_eq "3 MB field stored whole" $((3 << 20)) \
    "$(sql "$BIGFIELD" "SELECT length(category) FROM influencers WHERE influencer_id = 'INF100'")"

case_dir maxrows
rejected "more rows than --max-rows 3" 1 --max-rows 3 "$GOOD/tracking_data.csv"
expect_match "--max-rows: the message names the file, the line and the limit" "$T/last.err" \
    'tracking_data\.csv:[0-9]+: .*3 rows.*--max-rows'
check "--max-rows 8 admits the 8-row file" "$INFLUDASH" import --quiet --db "$(db_url maxrows)" \
    --max-rows 8 "$GOOD/tracking_data.csv"

case_dir maxsize
size=$(wc -c <"$GOOD/tracking_data.csv")
rejected "a file over --max-file-size" 1 --max-file-size $((size - 1)) "$GOOD/tracking_data.csv"
expect_match "--max-file-size: the message names the file and the option" "$T/last.err" \
    'tracking_data\.csv.*--max-file-size'
check "--max-file-size equal to the size admits the file" "$INFLUDASH" import --quiet \
    --db "$(db_url maxsize)" --max-file-size "$size" "$GOOD/tracking_data.csv"
rejected "a 3 MB file over --max-file-size 1M" 1 --max-file-size 1M \
    "$T/bigfield/influencers.csv"

# ---- header problems -----------------------------------------------------------------
case_dir missingcol
cut -d, -f1-9 "$GOOD/tracking_data.csv" >tracking_data.csv
rejected "tracking file without revenue" 1 tracking_data.csv
expect_contains "missing column: the message names the column" "$T/last.err" \
    'missing required column "revenue"'
expect_match "missing column: the message is tracking_data.csv:1: missing required column ..." \
    "$T/last.err" 'tracking_data\.csv:1: missing required column "revenue"'

# ---- bad values: file:line: column: "value": reason ----------------------------------
case_dir badnumber
# A multi-line quoted field before the bad row: LINE is the physical line in the file.
python3 - "$GOOD/tracking_data.csv" <<'EOF' >tracking_data.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
rows[2][2] = "MB_Summer\nsecond line"      # record 2 spans lines 3-4
rows[6][9] = "12,3x"                       # record 6 starts on line 8
csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
EOF
line=$(grep -n '12,3x' tracking_data.csv | cut -d: -f1)
expect_eq "bad-number fixture: the bad row is on line 8" 8 "$line"
rejected "revenue 12,3x" 1 tracking_data.csv
expect_contains "bad number: message tracking_data.csv:$line: revenue: \"12,3x\": not a number" \
    "$T/last.err" "tracking_data.csv:$line: revenue: \"12,3x\": not a number"
expect_match "bad number: a closing line says nothing was imported" "$T/last.err" 'nothing was imported'

case_dir baddate
python3 - "$GOOD/posts.csv" <<'EOF' >posts.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
rows[4][3] = "2025-02-30"                  # P004; P002 spans two lines, so line 6
csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
EOF
rejected "an impossible date 2025-02-30" 1 posts.csv
expect_match "impossible date: message posts.csv:6: date: \"2025-02-30\": reason" "$T/last.err" \
    '^posts\.csv:6: date: "2025-02-30": [a-z]'

case_dir negative
python3 - "$GOOD/posts.csv" <<'EOF' >posts.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
rows[1][7] = "-5"                          # likes of P001, line 2
csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
EOF
rejected "a negative count (likes -5)" 1 posts.csv
expect_match "negative count: message posts.csv:2: likes: \"-5\": reason" "$T/last.err" \
    '^posts\.csv:2: likes: "-5": [a-z]'

# SPEC §10: payment details are checked on import (PAN, GSTIN with its check character,
# IFSC, UPI id, account number) and a payout's kind is fee or product.
case_dir payid
printf 'influencer_id,name,pan,gstin,ifsc,upi_id,account_number\nINF001,Asha Rao,ABCPE1234F,27AAPFU0939F1ZV,HDFC0001234,asha@okaxis,001234567890\nINF002,Vikram Singh,ABCPE1234G,27AAPFU0939F1ZA,,,\n' >influencers.csv
rejected "a GSTIN with a wrong check character" 1 influencers.csv
expect_match "bad GSTIN: message influencers.csv:3: gstin: \"27AAPFU0939F1ZA\": ... V" "$T/last.err" \
    '^influencers\.csv:3: gstin: "27AAPFU0939F1ZA": .*V'
printf 'influencer_id,name,pan\nINF001,Asha Rao,ABCXE1234F\n' >influencers.csv
rejected "a PAN with a wrong holder type" 1 influencers.csv
expect_match "bad PAN: message influencers.csv:2: pan: ... holder type" "$T/last.err" \
    '^influencers\.csv:2: pan: "ABCXE1234F": .*holder type'
printf 'influencer_id,name,ifsc,upi_id\nINF001,Asha Rao,HDFC1001234,\nINF002,Vikram Singh,,vikram\n' >influencers.csv
rejected "an IFSC without its zero" 1 influencers.csv
expect_match "bad IFSC: message influencers.csv:2: ifsc: ..." "$T/last.err" '^influencers\.csv:2: ifsc: "HDFC1001234": '
expect_match "bad UPI id: message influencers.csv:3: upi_id: ..." "$T/last.err" '^influencers\.csv:3: upi_id: "vikram": '
printf 'payout_id,influencer_id,total_payout,payout_date,kind\nY900,INF001,100,2025-06-30,gift\n' >payouts.csv
rejected "a payout kind other than fee or product" 1 payouts.csv
expect_match "bad kind: message payouts.csv:2: kind: \"gift\": not a payout kind" "$T/last.err" \
    '^payouts\.csv:2: kind: "gift": not a payout kind'

case_dir unterminated
printf 'influencer_id,name,category\nINF100,"Open quote,Fitness\nINF101,Other,Fitness\n' >influencers.csv
rejected "an unterminated quote" 1 influencers.csv
expect_match "unterminated quote: message influencers.csv:2:2: ... quote ..." "$T/last.err" \
    'influencers\.csv:2:2: .*quote'

# ---- one transaction over several files ---------------------------------------------
case_dir txn
cat >influencers.csv <<'EOF'
influencer_id,name,category,gender,follower_count,platform
INF100,New One,Fitness,F,1000,Instagram
EOF
cat >posts.csv <<'EOF'
post_id,influencer_id,platform,date,url,caption,reach,likes,comments
P100,INF100,Instagram,2025-07-01,https://instagram.com/p/100,New,100,10,1
EOF
printf 'tracking_id,source,campaign,influencer_id,user_id,product,date,orders,revenue\nT100,instagram,X,INF100,U1,Whey,2025-07-01,1,12;3x\n' \
    >tracking_data.csv
rejected "bad file first, good files after" 1 tracking_data.csv influencers.csv posts.csv
rejected "good files first, bad file last" 1 influencers.csv posts.csv tracking_data.csv
expect_contains "several files: the message names the bad file and line" "$T/last.err" \
    'tracking_data.csv:2: revenue: "12;3x"'
rejected "good file and a missing file" 1 influencers.csv no-such-file.csv
expect_contains "missing file: the message names it" "$T/last.err" "no-such-file.csv"

# ---- --skip-invalid and --rejects ----------------------------------------------------
case_dir skip
python3 - "$GOOD/tracking_data.csv" <<'EOF' >tracking_data.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
for r in rows[1:]:
    r[0] = r[0].replace("T", "S")          # new ids: S001..S008
rows[3][9] = "12,3x"                       # S003, line 4
rows[7][7] = "2025-13-10"                  # S007, line 8
csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
EOF
expect_fail "--skip-invalid with 2 bad rows: exit status 2" 2 \
    "$INFLUDASH" import --db "$URL" --skip-invalid --rejects rejects.csv tracking_data.csv
cp "$ERR" "$T/last.err"
expect_contains "--skip-invalid: bad row reported" "$T/last.err" 'tracking_data.csv:4: revenue: "12,3x": not a number'
expect_match "--skip-invalid: second bad row reported" "$T/last.err" '^tracking_data\.csv:8: date: "2025-13-10": '
expect_eq "--skip-invalid: the 6 valid rows were added" "5 6 14 5" "$(counts "$DB")"
"$INFLUDASH" export --db "$URL" --dataset tracking_data >export.csv 2>/dev/null
expect_eq "--skip-invalid: the valid rows are stored, the bad ones not" "S001 S002 S004 S005 S006 S008" \
    "$($UTIL column export.csv tracking_id | grep '^S' | sort | tr '\n' ' ' | sed 's/ $//')"
if [[ -f rejects.csv ]]; then
    pass "--rejects wrote rejects.csv"
    expect_eq "--rejects: line, column, value, reason of each rejected row" \
        "4	revenue	12,3x	not a number|8	date	2025-13-10	" \
        "$($UTIL rejects rejects.csv | sed 's/\(2025-13-10\t\).*/\1/' | tr '\n' '|' | sed 's/|$//')"
    reasons=$($UTIL rejects rejects.csv | cut -f4 | grep -c .)
    expect_eq "--rejects: every rejected row has a reason" 2 "$reasons"
    expect_eq "--rejects: the rejected rows keep their fields (tracking_id)" "S003 S007" \
        "$($UTIL column rejects.csv tracking_id | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "--rejects: the rejected row keeps its original revenue text" "12,3x" \
        "$($UTIL get rejects.csv tracking_id S003 revenue)"
else
    fail "--rejects wrote rejects.csv" "no rejects.csv in $(pwd): $(ls)"
fi
check "--skip-invalid on a clean file: exit status 0" "$INFLUDASH" import --quiet --db "$(db_url clean)" \
    --skip-invalid "$GOOD/influencers.csv"
snapshot "$DB" "$BEFORE"   # the new state is the reference from here on

# ---- unknown influencers: a warning, the row is kept ----------------------------------
case_dir unknown
cat >posts.csv <<'EOF'
post_id,influencer_id,platform,date,url,caption,reach,likes,comments
P900,INF999,Instagram,2025-07-01,https://instagram.com/p/900,Who?,100,10,1
EOF
check "unknown influencer: exit status 0" "$INFLUDASH" import --db "$URL" posts.csv
expect_match "unknown influencer: a warning naming file, line, column and id" "$ERR" \
    'posts\.csv:2: influencer_id: "INF999": .*unknown'
expect_eq "unknown influencer: the row is kept" "5 7 14 5" "$(counts "$DB")"
"$INFLUDASH" export --db "$URL" --dataset posts >export.csv 2>/dev/null
expect_eq "unknown influencer: the row is in the export" INF999 "$($UTIL get export.csv post_id P900 influencer_id)"

# ---- append upserts, replace replaces -------------------------------------------------
case_dir modes
snapshot "$DB" "$T/modes.before"
check "append the same file again: exit status 0" "$INFLUDASH" import --quiet --db "$URL" "$GOOD/tracking_data.csv"
expect_unchanged "append the same file again: same rows (upsert by id)" "$T/modes.before" "$DB" data
expect_eq "append twice: tracking count unchanged" "5 7 14 5" "$(counts "$DB")"
sed 's/^T002,youtube,MB_Summer,INF002,U2,MuscleBlaze Whey,MuscleBlaze,2025-06-03,1,2299,/T002,youtube,MB_Summer,INF002,U2,MuscleBlaze Whey,MuscleBlaze,2025-06-03,3,6897,/' \
    "$GOOD/tracking_data.csv" >tracking_data.csv
check "append a changed row" "$INFLUDASH" import --quiet --db "$URL" tracking_data.csv
"$INFLUDASH" export --db "$URL" --dataset tracking_data >export.csv 2>/dev/null
expect_eq "append upserts: T002 updated in place" "3 6897.00" \
    "$($UTIL get export.csv tracking_id T002 orders) $($UTIL get export.csv tracking_id T002 revenue)"
expect_eq "append upserts: count unchanged" "5 7 14 5" "$(counts "$DB")"
# A file without ids: re-importing the same file does not duplicate (generated ids are stable).
cat >payouts.csv <<'EOF'
influencer_id,basis,rate,orders,total_payout
INF001,post,100,,300
INF002,order,50,4,200
EOF
check "append a payouts file without ids" "$INFLUDASH" import --quiet --db "$URL" payouts.csv
check "append it again" "$INFLUDASH" import --quiet --db "$URL" payouts.csv
expect_eq "a file without ids imported twice: rows added once" "5 7 14 7" "$(counts "$DB")"
# Generated ids are the record's place and its content hash, ascending through the file
# (they go into the key's index in order: issue 19).
expect_eq "generated ids: place (ten digits), then the content hash" "2" \
    "$(sql "$DB" "SELECT count(*) FROM payouts WHERE payout_id LIKE 'Y000000000_-________________'")"
# A store that holds a file's rows under the ids of older versions (the prefix and the
# hash alone) keeps them: the file imported again replaces its rows, in place.
sql "$DB" "UPDATE payouts SET payout_id = 'Y' || substr(payout_id, 13) WHERE payout_id LIKE 'Y000000000_-%'" >/dev/null
expect_eq "ids of older versions: in the store" "2" \
    "$(sql "$DB" "SELECT count(*) FROM payouts WHERE length(payout_id) = 17 AND payout_id LIKE 'Y%'")"
snapshot "$DB" "$T/legacy.before"
check "append the file again over ids of older versions" "$INFLUDASH" import --quiet --db "$URL" payouts.csv
expect_unchanged "ids of older versions: the same rows, not added again" "$T/legacy.before" "$DB" data
expect_eq "ids of older versions: counts unchanged" "5 7 14 7" "$(counts "$DB")"
head -4 "$GOOD/tracking_data.csv" >tracking_data.csv
check "--mode replace: exit status 0" "$INFLUDASH" import --quiet --db "$URL" --mode replace tracking_data.csv
expect_eq "--mode replace: the dataset holds exactly the file's rows, others untouched" "5 7 3 7" \
    "$(counts "$DB")"
"$INFLUDASH" export --db "$URL" --dataset tracking_data >export.csv 2>/dev/null
expect_eq "--mode replace: the rows are the file's" "T001 T002 T003" \
    "$($UTIL column export.csv tracking_id | tr '\n' ' ' | sed 's/ $//')"
snapshot "$DB" "$BEFORE"
printf 'tracking_id,source,campaign,influencer_id,user_id,product,date,orders,revenue\nT100,x,X,INF001,U1,Whey,2025-07-01,1,bad\n' \
    >tracking_data.csv
rejected "--mode replace with a bad row" 1 --mode replace tracking_data.csv
expect_fail "--mode other: usage error" 64 "$INFLUDASH" import --db "$URL" --mode merge tracking_data.csv

# ---- a file whose dataset cannot be told ---------------------------------------------
case_dir detect
cat >data.csv <<'EOF'
influencer_id,campaign,notes
INF001,MB_Summer,first
INF002,MB_Summer,second
EOF
rejected "ambiguous file without --dataset" 1 data.csv
expect_match "ambiguous file: the message names the file and says to use --dataset" "$T/last.err" \
    'data\.csv.*--dataset'
check "ambiguous file with --dataset payouts: imported" "$INFLUDASH" import --quiet --db "$URL" \
    --dataset payouts data.csv
expect_eq "ambiguous file with --dataset payouts: 2 payout rows added" "5 7 3 9" "$(counts "$DB")"
expect_fail "--dataset unknown name: usage error" 64 "$INFLUDASH" import --db "$URL" --dataset nonsense data.csv

finish
