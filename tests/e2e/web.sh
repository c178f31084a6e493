#!/usr/bin/env bash
# web.sh — the web app's server side with the real binary and curl: built-in assets (gzip
# and plain give the same bytes, ETag/304, cache headers with and without ?v=, content
# types, no way out of the table), the page's import map (every module versioned, every
# import covered, its hash in the CSP), every page path answers index.html with its security
# headers, uploads (good, refused with every bad row listed, skip_invalid with a rejects
# download, over --max-upload-size), dataset downloads equal to `infludash export`, DELETE,
# sample data, 400s that name the bad parameter, and hostile values coming back escaped.
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/web.db
idx demo --db "sqlite:$DB" --rows 3000 --seed 11 || fail "demo data" "$(last_output)"
MAX_UPLOAD=65536
mkdir "$T/spool" # the server's temporary directory goes here, and must go away at exit
if ! TMPDIR=$T/spool serve_start "$DB" --max-upload-size "$MAX_UPLOAD"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
pass "server starts"
wait_data && pass "the data loads" || fail "the data loads" "$(cat "$T/server.log")"

# get PATH [CURL ARGS...]: body to $T/body, headers to $T/headers, status on stdout.
get() {
    local path=$1
    shift
    rm -f "$T/body" # curl leaves the file alone when there is no body
    : >"$T/body"
    curl -sS --max-time 60 -D "$T/headers" -o "$T/body" -w '%{http_code}' "$@" "$BASE$path"
}
# header NAME: the value of a response header in $T/headers ("" when absent).
header() {
    grep -i "^$1:" "$T/headers" | head -1 | sed -e 's/^[^:]*: *//' -e 's/\r$//'
}
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
status_counts() {
    curl -sS --max-time 30 "$BASE/api/status" | $UTIL status-counts
}

# --- assets ---------------------------------------------------------------------------
WEB=$SRC/web/src
assets=(echarts.min.js)
if [[ -d $WEB ]]; then
    while IFS= read -r f; do assets+=("${f#"$WEB"/}"); done < <(find "$WEB" -type f | sort)
fi
for name in "${assets[@]}"; do
    code=$(get "/assets/$name" -H 'Accept-Encoding: identity')
    expect_eq "/assets/$name is 200" 200 "$code" || continue
    cp "$T/body" "$T/plain"
    plain_etag=$(header etag)
    expect_eq "/assets/$name plain has no Content-Encoding" "" "$(header content-encoding)"
    code=$(get "/assets/$name" -H 'Accept-Encoding: gzip, deflate, br')
    if [[ $(header content-encoding) == gzip ]]; then
        gzip -dc <"$T/body" >"$T/decoded"
        expect_same_files "/assets/$name: gzip decodes to the plain bytes" "$T/plain" "$T/decoded"
        expect_eq "/assets/$name gzip varies on Accept-Encoding" "Accept-Encoding" "$(header vary)"
        check "/assets/$name: the gzip copy has its own ETag" test "$(header etag)" != "$plain_etag"
    else
        expect_same_files "/assets/$name: not compressible, sent plain" "$T/plain" "$T/body"
    fi
    if [[ $name != index.html ]]; then
        src_file=$WEB/$name
        [[ $name == echarts.min.js ]] && src_file=$SRC/web/node_modules/echarts/dist/echarts.min.js
        expect_same_files "/assets/$name is the file's bytes" "$src_file" "$T/plain"
    fi
    case $name in
    *.js) want='text/javascript; charset=utf-8' ;;
    *.css) want='text/css; charset=utf-8' ;;
    *.html) want='text/html; charset=utf-8' ;;
    *.svg) want='image/svg+xml' ;;
    *.json) want='application/json' ;;
    *.png) want='image/png' ;;
    *.woff2) want='font/woff2' ;;
    *) want=$(header content-type) ;;
    esac
    get "/assets/$name" >/dev/null
    expect_eq "/assets/$name Content-Type" "$want" "$(header content-type)"
    expect_eq "/assets/$name nosniff" nosniff "$(header x-content-type-options)"
done

# ETag, 304 and cache headers on the charting library (always built in).
get /assets/echarts.min.js --compressed >/dev/null
etag=$(header etag)
check "an asset has a quoted ETag" grep -Eq '^"[0-9a-f]{16}(-gz)?"$' <<<"$etag"
expect_eq "without ?v= an asset is revalidated" "no-cache" "$(header cache-control)"
code=$(get /assets/echarts.min.js --compressed -H "If-None-Match: $etag")
expect_eq "If-None-Match with the ETag gives 304" 304 "$code"
check "the 304 has no body" test ! -s "$T/body"
expect_eq "the 304 repeats the ETag" "$etag" "$(header etag)"
code=$(get /assets/echarts.min.js --compressed -H 'If-None-Match: "0000000000000000"')
expect_eq "If-None-Match with another ETag gives 200" 200 "$code"
version=$(tr -d '"' <<<"$etag" | sed 's/-gz$//')
get "/assets/echarts.min.js?v=$version" >/dev/null
expect_eq "with the right ?v= an asset is cached forever" \
    "public, max-age=31536000, immutable" "$(header cache-control)"
get "/assets/echarts.min.js?v=0123456789abcdef" >/dev/null
expect_eq "with a stale ?v= an asset is revalidated" "no-cache" "$(header cache-control)"
code=$(curl -sS --max-time 30 -I -o /dev/null -w '%{http_code}' "$BASE/assets/echarts.min.js")
expect_eq "HEAD on an asset is 200" 200 "$code"

# --- pages ----------------------------------------------------------------------------
if [[ -f $WEB/index.html ]]; then
    get /assets/index.html --compressed >/dev/null
    cp "$T/body" "$T/index.html"
    # Every /assets/NAME?v=X in the page names an embedded asset whose ETag is X.
    refs=$(grep -Eo '/assets/[^"'"'"' ?#)<>]+\?v=[0-9a-f]+' "$T/index.html" | sort -u)
    check "index.html refers to its assets with ?v=" test -n "$refs"
    while IFS= read -r ref; do
        [[ -n $ref ]] || continue
        get "$ref" -H 'Accept-Encoding: identity' >/dev/null
        expect_eq "$ref: ?v= is the asset's ETag" \
            "\"${ref##*\?v=}\" public, max-age=31536000, immutable" \
            "$(header etag) $(header cache-control)"
    done <<<"$refs"
    # The import map: every module of web/src under its versioned address, every import of
    # every module (relative or /assets/) resolving to an entry of it, and the map allowed by
    # the page's CSP through its SHA-256.
    get / --compressed >/dev/null
    check "the page's import map sends every module to its versioned address, and its CSP allows it" \
        python3 -c '
import base64, hashlib, json, os, posixpath, re, sys
page, web, csp = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], sys.argv[3]
maps = re.findall(r"<script type=\"importmap\">(.*?)</script>", page, re.S)
assert len(maps) == 1, "want one import map, found %d" % len(maps)
imports = json.loads(maps[0])["imports"]
digest = base64.b64encode(hashlib.sha256(maps[0].encode()).digest()).decode()
assert "script-src \x27self\x27 \x27sha256-%s\x27" % digest in csp, "the CSP lacks the map hash %s: %s" % (digest, csp)
mods = sorted(os.path.relpath(os.path.join(d, f), web) for d, _, fs in os.walk(web) for f in fs if f.endswith(".js"))
assert mods, "no module in " + web
for m in mods:
    to = imports.get("/assets/" + m, "")
    assert re.fullmatch(r"/assets/%s\?v=[0-9a-f]{16}" % re.escape(m), to), "/assets/%s maps to %r" % (m, to)
q = "[\x27\x22]([^\x27\x22]+)[\x27\x22]"  # a quoted specifier
spec = re.compile(r"^\s*(?:import|export)\s[^;\x27\x22]*?[\s}*]from\s*%s|^\s*import\s*%s|\bimport\(\s*%s" % (q, q, q), re.M)
n = 0
for m in mods:
    for s in ["".join(g) for g in spec.findall(open(os.path.join(web, m), encoding="utf-8").read())]:
        url = posixpath.normpath(posixpath.join("/assets", posixpath.dirname(m), s)) if s.startswith(".") else s
        assert url in imports, "%s imports %s (%s), which the import map does not version" % (m, s, url)
        n += 1
assert n > 20, "only %d imports found" % n
' "$T/index.html" "$WEB" "$(header content-security-policy)"
    get /assets/state.js --compressed >/dev/null
    expect_eq "a module without ?v= (an import the map missed) is revalidated" "no-cache" \
        "$(header cache-control)"
    check "a module without ?v= has an ETag" grep -Eq '^"[0-9a-f]{16}(-gz)?"$' <<<"$(header etag)"
    for page in / /influencers /influencers/INF00001 /influencers/x%3Cy /insights /payouts \
        /upload /export /database; do
        code=$(get "$page" --compressed)
        expect_eq "GET $page is 200" 200 "$code" || continue
        expect_same_files "GET $page is index.html" "$T/index.html" "$T/body"
        expect_eq "GET $page is HTML" "text/html; charset=utf-8" "$(header content-type)"
        expect_eq "GET $page is revalidated" "no-cache" "$(header cache-control)"
        csp=$(header content-security-policy)
        check "GET $page has a strict CSP" bash -c '
            for d in "script-src '\''self'\''" "default-src '\''self'\''" "connect-src '\''self'\''" \
                "style-src '\''self'\'' '\''unsafe-inline'\''" "img-src '\''self'\'' data: blob:" \
                "frame-ancestors '\''none'\''"; do
                [[ $1 == *"$d"* ]] || { echo "missing: $d"; exit 1; }
            done' _ "$csp"
        expect_eq "GET $page nosniff" nosniff "$(header x-content-type-options)"
    done
else
    fail "web/src/index.html exists" "the front end is missing: the pages cannot be checked"
fi

# --- nothing outside the table --------------------------------------------------------
for path in /assets/../CMakeLists.txt /assets/%2e%2e/CMakeLists.txt \
    /assets/%2e%2e%2fCMakeLists.txt /assets/..%2f..%2fetc%2fpasswd \
    /assets/%2E%2E/%2E%2E/etc/passwd /assets/....//CMakeLists.txt /assets/./index.html \
    /assets//etc/passwd /assets/%00index.html /assets/no-such-file.js /assets/ \
    /assets/index.html/ /assets/src/app.js; do
    code=$(get "$path" --path-as-is)
    check "GET $path is 404 and shows no file" bash -c \
        '[[ $1 == 404 ]] && ! grep -q -e cmake_minimum_required -e "root:" "$2"' _ "$code" \
        "$T/body"
done

# --- uploads --------------------------------------------------------------------------
before=$(status_counts)
# Append mode upserts by id: this renames INF00001 and adds two influencers.
cat >"$T/good.csv" <<'EOF'
influencer_id,name,category,gender,follower_count,platform
INF00001,<script>alert(1)</script>,Fitness,Male,2751,Instagram
INFW0001,Web One,Fitness,Female,1200,YouTube
INFW0002,Web Two,Beauty,Male,300000,Instagram
EOF
code=$(get "/api/import?filename=influencers.csv" -H 'Content-Type: text/csv' \
    --data-binary "@$T/good.csv")
expect_eq "a good upload is 200" 200 "$code" || cat "$T/body"
check "the good upload's answer" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dataset"] == "influencers" and d["file"] == "influencers.csv", d
assert d["mode"] == "append" and d["accepted"] == 3 and d["rejected"] == 0, d
assert d["errors"] == [] and d["rejects_url"] is None, d
' "$T/body"
read -r i0 p0 t0 y0 <<<"$before"
expect_eq "the upload's rows are in /api/status" "$((i0 + 2)) $p0 $t0 $y0" "$(status_counts)"
for i in $(seq 1 100); do
    get "/api/influencers?limit=1000" >/dev/null
    grep -q 'u003cscript' "$T/body" && break
    sleep 0.1
done
check "the renamed influencer shows within seconds, JSON-escaped" grep -q \
    '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e' "$T/body"
check "no raw <script> in the JSON" bash -c '! grep -q "<script>" "$1"' _ "$T/body"

# The dashboard follows an upload: tracking_data replaced by its first 200 rows.
get /api/dashboard >/dev/null
rev_before=$(json "$T/body" 'd["kpis"]["revenue"]')
"$INFLUDASH" export --db "sqlite:$DB" --dataset tracking_data -o "$T/tracking.csv"
head -201 "$T/tracking.csv" >"$T/tracking200.csv"
code=$(get "/api/import/tracking_data?mode=replace" -H 'Content-Type: text/csv' \
    --data-binary "@$T/tracking200.csv")
expect_eq "a replace upload is 200" 200 "$code" || cat "$T/body"
expect_eq "replace: accepted 200" "200 replace" "$(json "$T/body" 'd["accepted"], d["mode"]' | tr -d "(),'")"
"$INFLUDASH" query --db "sqlite:$DB" >"$T/query.json"
want=$(json "$T/query.json" 'd["kpis"]["revenue"]')
got=""
for i in $(seq 1 100); do
    get /api/dashboard >/dev/null
    got=$(json "$T/body" 'd["kpis"]["revenue"]')
    [[ $got == "$want" ]] && break
    sleep 0.1
done
expect_eq "the dashboard shows the uploaded data within seconds ($rev_before before)" "$want" "$got"
check "the revenue changed" test "$want" != "$rev_before"

# A bad file: every bad row listed with line, column, value and reason; nothing imported.
before=$(status_counts)
cat >"$T/bad.csv" <<'EOF'
influencer_id,name,category,gender,follower_count,platform
INFW0003,Fine,Fitness,Female,1200,YouTube
INFW0004,Bad count,Fitness,Female,lots,YouTube
INFW0005,Fine too,Fitness,Female,1300,YouTube
INFW0006,Negative,Fitness,Female,-7,YouTube
INFW0007,<img src=x onerror=alert(1)>,Fitness,Female,<b>9</b>,YouTube
EOF
code=$(get "/api/import/influencers?filename=people.csv" -H 'Content-Type: text/csv' \
    --data-binary "@$T/bad.csv")
expect_eq "a bad upload is 422" 422 "$code"
check "the 422 lists every bad row" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["accepted"] == 2 and d["rejected"] == 3 and d["rejects_url"] is None, d
got = [(e["line"], e["column"], e["value"]) for e in d["errors"]]
assert got == [(3, "follower_count", "lots"), (5, "follower_count", "-7"),
               (6, "follower_count", "<b>9</b>")], got
assert all(e["message"] for e in d["errors"]), d["errors"]
assert "nothing was imported" in d["error"] and "skip_invalid=1" in d["error"], d["error"]
' "$T/body"
check "the 422 escapes the values" grep -q '\\u003cb\\u003e9\\u003c/b\\u003e' "$T/body"
expect_eq "a refused upload imports nothing" "$before" "$(status_counts)"

# The same file with skip_invalid=1: the good rows, and the bad ones to download.
code=$(get "/api/import/influencers?skip_invalid=1&filename=people.csv" \
    -H 'Content-Type: text/csv' --data-binary "@$T/bad.csv")
expect_eq "skip_invalid=1 is 200" 200 "$code"
url=$(json "$T/body" 'd["rejects_url"]')
check "skip_invalid=1 gives a rejects URL" grep -Eq '^/api/rejects/[0-9a-f]{32}\.csv$' <<<"$url"
expect_eq "skip_invalid=1 counts" "2 3" "$(json "$T/body" 'd["accepted"], d["rejected"]' | tr -d '(),')"
read -r i0 p0 t0 y0 <<<"$before"
expect_eq "skip_invalid=1 imports the good rows" "$((i0 + 2)) $p0 $t0 $y0" "$(status_counts)"
code=$(get "$url")
expect_eq "the rejects CSV downloads" 200 "$code"
expect_eq "the rejects CSV is CSV" "text/csv; charset=utf-8" "$(header content-type)"
check "the rejects CSV has the bad rows and only those" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert [r["line"] for r in rows] == ["3", "5", "6"], rows
assert [r["influencer_id"] for r in rows] == ["INFW0004", "INFW0006", "INFW0007"], rows
assert rows[2]["name"] == "<img src=x onerror=alert(1)>", rows
assert all(r["reason"] for r in rows), rows
' "$T/body"
code=$(get "/api/rejects/0123456789abcdef0123456789abcdef.csv")
expect_eq "an unknown rejects id is 404" 404 "$code"
code=$(get "/api/rejects/..%2f..%2fetc%2fpasswd" --path-as-is)
expect_eq "a malformed rejects id is 404" 404 "$code"

# Over --max-upload-size: 413 naming the limit, nothing imported.
before=$(status_counts)
{
    echo "influencer_id,name,category,gender,follower_count,platform"
    for i in $(seq 1 3000); do echo "INFBIG$i,Big $i,Fitness,Male,100,Instagram"; done
} >"$T/big.csv"
code=$(get "/api/import/influencers" -H 'Content-Type: text/csv' --data-binary "@$T/big.csv")
expect_eq "an upload over --max-upload-size is 413" 413 "$code"
check "the 413 names the limit" grep -q "$MAX_UPLOAD" "$T/body"
expect_eq "an upload over the limit imports nothing" "$before" "$(status_counts)"
code=$(get "/api/import/influencers" -H 'Content-Type: text/csv' -H 'Transfer-Encoding: chunked' \
    --data-binary "@$T/big.csv" 2>/dev/null)
check "a chunked upload over the limit is refused" test "$code" != 200
expect_eq "a chunked upload over the limit imports nothing" "$before" "$(status_counts)"

# Bad parameters: 400 naming them; multipart: 415.
code=$(get "/api/import?mode=merge" --data-binary "@$T/good.csv")
check "mode=merge is 400 naming mode" bash -c '[[ $1 == 400 ]] && grep -q "mode" "$2"' _ "$code" "$T/body"
code=$(get "/api/import?skip_invalid=maybe" --data-binary "@$T/good.csv")
check "skip_invalid=maybe is 400 naming it" bash -c '[[ $1 == 400 ]] && grep -q "skip_invalid" "$2"' _ "$code" "$T/body"
code=$(get "/api/import/customers" --data-binary "@$T/good.csv")
check "an unknown dataset is 400 naming it" bash -c '[[ $1 == 400 ]] && grep -q "customers" "$2"' _ "$code" "$T/body"
code=$(get "/api/import/influencers" -X POST)
check "an empty body is 400" bash -c '[[ $1 == 400 ]] && grep -q "empty" "$2"' _ "$code" "$T/body"
code=$(get "/api/import/influencers" -F "file=@$T/good.csv")
expect_eq "multipart is 415" 415 "$code"
printf 'what,is,this\n1,2,3\n' >"$T/unknown.csv"
code=$(get "/api/import?filename=mystery.csv" --data-binary "@$T/unknown.csv")
check "an unrecognised file is 422 with a message" bash -c \
    '[[ $1 == 422 ]] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"error\"], d" "$2"' \
    _ "$code" "$T/body"
expect_eq "bad requests import nothing" "$before" "$(status_counts)"

# --- datasets -------------------------------------------------------------------------
for ds in "${DATASETS[@]}"; do
    code=$(get "/api/datasets/$ds.csv")
    expect_eq "GET /api/datasets/$ds.csv is 200" 200 "$code" || continue
    "$INFLUDASH" export --db "sqlite:$DB" --dataset "$ds" -o "$T/export-$ds.csv"
    expect_same_files "/api/datasets/$ds.csv equals infludash export" "$T/export-$ds.csv" "$T/body"
    expect_eq "/api/datasets/$ds.csv is CSV" "text/csv; charset=utf-8" "$(header content-type)"
    expect_eq "/api/datasets/$ds.csv is a download" "attachment; filename=\"$ds.csv\"" \
        "$(header content-disposition)"
done
check "the influencers download has the hostile name as CSV text" \
    grep -q '<script>alert(1)</script>' "$T/export-influencers.csv"
for path in /api/datasets/customers.csv /api/datasets/influencers /api/datasets/.csv \
    /api/datasets/..%2fweb.db; do
    code=$(get "$path" --path-as-is)
    expect_eq "GET $path is 404" 404 "$code"
done

read -r i0 p0 t0 y0 <<<"$(status_counts)"
code=$(get /api/datasets/payouts -X DELETE)
expect_eq "DELETE /api/datasets/payouts is 200" 200 "$code"
expect_eq "DELETE answers the rows deleted" "payouts $y0" \
    "$(json "$T/body" 'd["dataset"] + " " + str(d["deleted"])')"
expect_eq "the payouts are gone" "$i0 $p0 $t0 0" "$(status_counts)"
code=$(get /api/datasets/customers -X DELETE)
expect_eq "DELETE of an unknown dataset is 404" 404 "$code"

# --- sample data ----------------------------------------------------------------------
code=$(get "/api/demo?rows=2500&seed=3" -X POST)
expect_eq "POST /api/demo is 200" 200 "$code" || cat "$T/body"
read -r i0 p0 t0 y0 <<<"$(status_counts)"
expect_eq "the sample data replaced the tracking rows" 2500 "$t0"
check "the sample data has payouts again" test "$y0" -gt 0
for bad in rows=0 rows=2000001 rows=abc rows=-1 seed=x; do
    code=$(get "/api/demo?$bad" -X POST)
    check "POST /api/demo?$bad is 400 naming it" bash -c \
        '[[ $1 == 400 ]] && grep -q "${3%%=*}" "$2"' _ "$code" "$T/body" "$bad"
done
code=$(get "/api/demo" -X GET)
expect_eq "GET /api/demo is 405" 405 "$code"

serve_stop
expect_eq "server exits 0 on SIGTERM" 0 "$RC"
check "no sanitizer report in the server log" bash -c \
    '! grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$1"' _ "$T/server.log"
check "the server removed its temporary files" bash -c '[[ -z $(ls -A "$1") ]]' _ "$T/spool"
finish
