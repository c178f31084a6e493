#!/usr/bin/env bash
# escaping.sh — hostile values reach every sink of user data safely (issue 7, escaping audit).
# Influencers, posts, tracking rows and payouts whose name, category, city, caption, campaign,
# product, brand and source are <script> tags, "><img onerror>, quotes and backslashes, a
# newline, a CR, U+2028, formula-like cells (=HYPERLINK(...), +1+1, -2+3, @SUM(1)), values
# that start with an apostrophe ('=1+1, 'Tis) and a number in a text column (-5) are
# imported with `infludash import` and with POST /api/import (under a hostile file name).
# Then: the /status page escapes them; every JSON endpoint is valid JSON with the values
# verbatim and < > & U+2028 escaped; the report CSV parses with its header on line 1 and its
# formula-like cells start with an apostrophe; the XLSX holds them as text, never in a
# formula; the PDF shows them literally; an upload with invalid UTF-8 is refused and its
# rejects CSV carries the row.
#
# Every CSV we write guards a cell a spreadsheet would run as a formula the way OWASP says
# (an apostrophe in front, the cell quoted; README "CSV files and spreadsheets"), and import
# takes exactly that guard off: the dataset CSV (/api/datasets/NAME.csv, `export --dataset`)
# and the rejects CSV are re-imported to restore or to fix rows, so export → import gives
# back every value as it first came in, apostrophes included.
source "$(dirname "$0")/lib.sh"
require_binary

CHECK="python3 $E2E_DIR/escaping_check.py"
DB=$T/escaping.db
URL=sqlite:$DB
mkdir -p "$T/in"
$CHECK gen "$T/in"
check "hostile values import with infludash import" "$INFLUDASH" import --quiet --db "$URL" \
    "$T/in/influencers.csv" "$T/in/posts.csv" "$T/in/tracking_data.csv" "$T/in/payouts.csv"
expect_eq "every hostile row stored" "13 13 13 13" "$(counts "$DB")"

if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_data || fail "the data loads" "$(cat "$T/server.log")"

# get PATH [CURL ARGS...] : the body in $T/body, prints the status code
get() {
    local path=$1
    shift
    curl -sS --max-time 60 -o "$T/body" -w '%{http_code}' "$@" "$BASE$path"
}

# ---- upload: POST /api/import under a hostile file name ---------------------------------------
$CHECK upload "$T/upload.csv"
# (no "/" in it: the server keeps only the part after the last "/" of a file name)
HOSTILE_FILE='<img src=x onerror=alert(1)>".csv'
ENC_FILE=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$HOSTILE_FILE")
code=$(get "/api/import/influencers?filename=$ENC_FILE" -H 'Content-Type: text/csv' \
    --data-binary "@$T/upload.csv")
expect_eq "hostile values import with POST /api/import (hostile file name)" 200 "$code" ||
    cat "$T/body"
check "the upload's answer is valid, escaped JSON" $CHECK json "$T/body"
for i in $(seq 1 100); do
    [[ $(curl -s "$BASE/api/status" | $UTIL status-counts) == "26 13 13 13" ]] && break
    sleep 0.1
done
for i in $(seq 1 100); do # the engine reloads after the upload
    get /api/options >/dev/null
    grep -q INFY09 "$T/body" && break
    sleep 0.1
done
check "the uploaded influencers are served (/api/options)" grep -q INFY09 "$T/body"

# ---- /status: HTML ----------------------------------------------------------------------------
code=$(get /status)
expect_eq "GET /status is 200" 200 "$code"
expect_not_contains "/status: no raw <img onerror>" "$T/body" "<img src=x"
expect_contains "/status: the hostile file name is HTML-escaped" "$T/body" \
    '&lt;img src=x onerror=alert(1)&gt;&quot;.csv'

# ---- JSON endpoints ---------------------------------------------------------------------------
# json_sink NAME PATH JSONPATHS... : valid JSON, escaped, hostile values verbatim at each path
json_sink() {
    local name=$1 path=$2
    shift 2
    code=$(get "$path")
    expect_eq "GET $path is 200" 200 "$code"
    check "$name: valid JSON, < > & U+2028 escaped, values verbatim" $CHECK json "$T/body" "$@"
}
json_sink "/api/dashboard" /api/dashboard '.top_influencers[].name' '.top_influencers[].category' \
    '.by_brand[].brand'
json_sink "/api/influencers" "/api/influencers?limit=1000" '.influencers[].name' \
    '.influencers[].category'
json_sink "/api/influencers/{id}" /api/influencers/INFX00 '.influencer.name' \
    '.influencer.category' '.by_campaign[].campaign'
json_sink "/api/insights" /api/insights '.top_influencers[].name' '.comparisons.brand[].brand' \
    '.comparisons.campaign[].campaign'
json_sink "/api/payouts" /api/payouts '.influencers[].name'
json_sink "/api/options" /api/options '.brand[]' '.campaign[]' '.category[]' '.product[]' \
    '.source[]' '.influencer[].name'
json_sink "/api/status" /api/status
# a filter on a hostile brand works and is echoed escaped
ENC_BRAND=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("<script>alert(1)</script>", safe=""))')
json_sink "/api/dashboard?brand=<script>" "/api/dashboard?brand=$ENC_BRAND" '.by_brand[].brand'

# ---- report CSV: for spreadsheets, guarded ----------------------------------------------------
code=$(get /api/export.csv)
expect_eq "GET /api/export.csv is 200" 200 "$code"
check "report CSV: header on line 1; formula-like cells start with an apostrophe; names there" \
    $CHECK report-csv "$T/body"
# brand=a,"=1+1": the filters are in the file name now, where a spreadsheet never sees a cell;
# the header must stay one header line, without quotes or line breaks from the value
ENC_F=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("a,=1+1,\"x\r\nSet-Cookie: y", safe=""))')
code=$(curl -sS -D "$T/h" -o "$T/body" -w '%{http_code}' "$BASE/api/export.csv?brand=$ENC_F")
expect_eq "GET /api/export.csv with a hostile filter value is 200" 200 "$code"
expect_eq "… no header line comes from the value" 0 "$(grep -c '^Set-Cookie' "$T/h")"
expect_match "… its file name carries the value with the quote and line break made '_'" "$T/h" \
    '^Content-Disposition: attachment; filename="infludash-report-[0-9]{8}-[0-9]{6} brand=a,=1\+1,_x__'
check "… and the CSV is still a table with its header on line 1" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][0] == "influencer_id", rows[0]' "$T/body"

# ---- dataset CSV: guarded, and import takes the guard off -------------------------------------
for ds in influencers posts tracking_data payouts; do
    code=$(get "/api/datasets/$ds.csv")
    expect_eq "GET /api/datasets/$ds.csv is 200" 200 "$code"
    cp "$T/body" "$T/$ds.export.csv"
    check "dataset CSV $ds: formula-like values behind an apostrophe, numbers and the rest as they are" \
        $CHECK dataset-csv "$T/body" "$ds"
done
DB2=$T/roundtrip.db
check "the dataset CSVs import into a fresh database" "$INFLUDASH" import --quiet --db "sqlite:$DB2" \
    "$T/influencers.export.csv" "$T/posts.export.csv" "$T/tracking_data.export.csv" \
    "$T/payouts.export.csv"
check "import takes the guards off: the fresh database holds every hostile value as first imported" \
    $CHECK dataset-db "$DB2"
for ds in influencers posts tracking_data payouts; do
    "$INFLUDASH" export --db "sqlite:$DB2" --dataset "$ds" >"$T/$ds.again.csv" 2>"$T/err"
    expect_same_files "dataset CSV $ds: export, import, export is byte for byte the same" \
        "$T/$ds.export.csv" "$T/$ds.again.csv"
done

# ---- XLSX --------------------------------------------------------------------------------------
code=$(get /api/export.xlsx)
expect_eq "GET /api/export.xlsx is 200" 200 "$code"
check "XLSX: hostile names are text cells; no <f> element holds user data" $CHECK xlsx "$T/body"

# ---- PDF ---------------------------------------------------------------------------------------
code=$(get /api/export.pdf)
expect_eq "GET /api/export.pdf is 200" 200 "$code"
if command -v pdftotext >/dev/null; then
    pdftotext -enc UTF-8 "$T/body" "$T/pdf.txt" 2>"$T/err"
    check "PDF: the text shows the hostile names literally (<script>, =HYPERLINK(, quotes)" \
        $CHECK pdf-text "$T/pdf.txt"
else
    fail "pdftotext installed" "run scripts/deps.sh"
fi

# ---- rejects CSV of a skip-invalid upload ------------------------------------------------------
{
    printf 'influencer_id,name,category,gender,follower_count,platform\n'
    printf 'INFZ01,"=HYPERLINK(""http://evil.example"",""x"")",Fitness,Female,lots,YouTube\n'
    printf 'INFZ02,<script>alert(1)</script>,Fitness,Female,-7,YouTube\n'
    printf 'INFZ03,Bad \xff\xfe bytes,Fitness,Female,1200,YouTube\n'
    printf 'INFZ04,Fine,Fitness,Female,1200,YouTube\n'
} >"$T/bad.csv"
code=$(get "/api/import/influencers?skip_invalid=1&filename=bad.csv" -H 'Content-Type: text/csv' \
    --data-binary "@$T/bad.csv")
expect_eq "a skip-invalid upload with hostile bad rows is 200" 200 "$code" || cat "$T/body"
check "its answer is valid, escaped JSON (invalid UTF-8 made valid)" $CHECK json "$T/body"
expect_eq "accepted 1, rejected 3" "1 3" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["accepted"], d["rejected"])' "$T/body")"
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rejects_url"])' "$T/body")
code=$(get "$url")
expect_eq "the rejects CSV downloads" 200 "$code"
check "rejects CSV: the rows as uploaded, formula-like values guarded" $CHECK rejects "$T/body"
expect_fail "CLI: invalid UTF-8 is refused" 1 "$INFLUDASH" import --db "sqlite:$T/utf8.db" \
    --dataset influencers "$T/bad.csv"
expect_contains "CLI: the message names the line" "$ERR" 'bad.csv:4: name: '
expect_contains "CLI: … and says invalid UTF-8" "$ERR" 'invalid UTF-8 text'

serve_stop
expect_eq "the server stops cleanly" 0 "$RC"
finish
