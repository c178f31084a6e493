#!/usr/bin/env bash
# report.sh — the reports end to end: `infludash export --format csv|pdf|xlsx` and
# GET /api/export.{csv,pdf,xlsx} over the same filters. The CSV is a plain table (header on
# line 1) named for its filters and time, its rows add up to what /api/dashboard says and its
# columns equal /api/influencers' at full precision; the filtered rows of a dataset are the
# rows SQL finds for the same filter; the PDF's text carries the API's KPIs and its chart
# pages are not blank; the workbook has its sheets and values; names carry the report and
# the time; a bad filter is refused; a 1,000,000-row data set exports in bounded memory.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/report.db
idx demo --db "sqlite:$DB" --rows 8000 --seed 5 || fail "demo data" "$(last_output)"
if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_data || fail "the data loads" "$(cat "$T/server.log")"

QS="platform=Instagram,YouTube&brand=MuscleBlaze&from=2025-02-01&to=2025-08-31"
FLAGS=(--platform=Instagram,YouTube --brand=MuscleBlaze --from=2025-02-01 --to=2025-08-31)
curl -s -o "$T/dash.json" "$BASE/api/dashboard?$QS"

# json FILE EXPR : a Python expression over the document d
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- the per-influencer CSV ------------------------------------------------------------------
# A plain table (header on line 1, as pandas, Excel and Sheets read it); its filters and the
# time it was made are in its file name, spelled as the query string spells them.
code=$(curl -s -D "$T/h" -o "$T/api.csv" -w '%{http_code}' "$BASE/api/export.csv?$QS")
expect_eq "GET /api/export.csv is 200" 200 "$code"
NAME_RE='infludash-report-[0-9]{8}-[0-9]{6} from=2025-02-01 to=2025-08-31 platform=Instagram,YouTube brand=MuscleBlaze\.csv'
expect_match "its file name carries the report, the time and the filters" "$T/h" "filename=\"$NAME_RE\""
expect_match "… also as filename* (RFC 6266)" "$T/h" \
    "filename\\*=UTF-8''infludash-report-[0-9]{8}-[0-9]{6}%20from%3D2025-02-01%20to%3D2025-08-31%20platform%3DInstagram%2CYouTube%20brand%3DMuscleBlaze\\.csv"
(cd "$T" && check "export --format csv" "$INFLUDASH" export --db "sqlite:$DB" --format csv "${FLAGS[@]}")
cli_csv=$(ls "$T"/infludash-report-*.csv 2>/dev/null | head -1)
expect_match "the CLI names its file alike" "$(basename "${cli_csv:-none}")" "^$NAME_RE\$"
expect_same_files "CLI and API write the same CSV" "$cli_csv" "$T/api.csv"
check "line 1 is the header, every line a row of as many cells (python3 csv)" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
want = ("influencer_id,name,platform,category,gender,tier,persona,revenue,orders,spend,posts,"
        "reach,engagements,roas,roi,engagement_rate,cpo,aov,cpm,cpe,engagement_rate_followers,"
        "engagement_rate_views,roas_shrunk,roas_low,roas_high,few_orders").split(",")
assert rows[0] == want, rows[0]
assert len(rows) > 1 and all(len(r) == len(want) for r in rows), "ragged rows"
assert not any(r[0].startswith("#") for r in rows), "a comment line"
' "$T/api.csv"
sums=$(python3 - "$T/api.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(len(rows), round(sum(float(r["revenue"]) for r in rows), 2),
      round(sum(float(r["spend"]) for r in rows), 2), sum(int(r["orders"]) for r in rows))
EOF
)
expect_eq "the CSV parses and adds up to the dashboard (influencers, revenue, spend, orders)" \
    "$(json "$T/dash.json" '"%d %s %s %d" % (d["kpis"]["influencers"], round(d["kpis"]["revenue"], 2), round(d["kpis"]["spend"], 2), d["kpis"]["orders"])')" \
    "$sums"
# every column as /api/influencers says: ratios to the last bit, money to the paisa, and cpm
# (not in that JSON) as the dashboard computes it: spend per 1,000 reached
curl -s -o "$T/inf.json" "$BASE/api/influencers?$QS&limit=100000"
check "each row is /api/influencers' (ratios exact, cpo, aov, cpe; cpm = spend × 1000 / reach)" \
    python3 -c '
import csv, json, sys
rows = {r["influencer_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
inf = {i["influencer_id"]: i for i in json.load(open(sys.argv[2]))["influencers"]}
assert set(rows) == set(inf), (len(rows), len(inf))
long_ratio = 0
for k, i in inf.items():
    r = rows[k]
    for col in ("roas", "roi", "engagement_rate"):
        want = i[col]
        got = None if r[col] == "" else float(r[col])
        assert got == want, (k, col, r[col], want)  # exactly the same double
        long_ratio += len(r[col]) > 10
    for col in ("revenue", "spend", "cpo", "aov", "cpe"):
        want = "" if i[col] is None else "%.2f" % i[col]
        assert r[col] == want, (k, col, r[col], want)
    paise = round(i["spend"] * 100)
    want = "" if i["reach"] == 0 else "%.2f" % (round(paise * 1000 / i["reach"]) / 100)
    assert r["cpm"] == want, (k, "cpm", r["cpm"], want)
assert long_ratio > 0, "no ratio printed beyond 10 characters: not full precision"
' "$T/api.csv" "$T/inf.json"
curl -s -D "$T/h" -o /dev/null "$BASE/api/export.csv"
expect_match "without filters the name is the report and the time alone" "$T/h" \
    'filename="infludash-report-[0-9]{8}-[0-9]{6}\.csv"'
ENC=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("Fitness · Male", safe=""))')
curl -s -D "$T/h" -o /dev/null "$BASE/api/export.csv?persona=$ENC&min_roas=1.5"
expect_match "a name with non-ASCII filters: ASCII filename, UTF-8 filename*" "$T/h" \
    "filename=\"infludash-report-[0-9]{8}-[0-9]{6} persona=Fitness _ Male min_roas=1\\.5\\.csv\"; filename\\*=UTF-8''infludash-report-[0-9]{8}-[0-9]{6}%20persona%3DFitness%20%C2%B7%20Male%20min_roas%3D1\\.5\\.csv"
expect_eq "a bad filter is refused (API)" 400 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/export.csv?from=2025-02-30")"
expect_fail "a bad filter is refused (CLI)" 64 "$INFLUDASH" export --db "sqlite:$DB" --format csv --to=nope
expect_fail "an unknown format is refused" 64 "$INFLUDASH" export --db "sqlite:$DB" --format docx

# ---- the PDF --------------------------------------------------------------------------------
# indian PAISE: the money as the reports print it (₹12,34,567.89)
indian() {
    python3 -c '
import sys
p = int(sys.argv[1]); neg = p < 0; p = abs(p)
r, c = divmod(p, 100); s = str(r)
head, tail = s[:-3], s[-3:]
groups = []
while len(head) > 2:
    groups.insert(0, head[-2:]); head = head[:-2]
if head: groups.insert(0, head)
print(("-" if neg else "") + "\u20b9" + ",".join(groups + [tail]) + ".%02d" % c)' "$1"
}
code=$(curl -s -D "$T/h" -o "$T/api.pdf" -w '%{http_code}' "$BASE/api/export.pdf?$QS")
expect_eq "GET /api/export.pdf is 200" 200 "$code"
expect_match "… a PDF named for the report, the time and the filters" "$T/h" "filename=\"${NAME_RE%csv}pdf\""
expect_eq "… it is a PDF" "%PDF" "$(head -c 4 "$T/api.pdf")"
if command -v pdftotext >/dev/null; then
    pdftotext -layout "$T/api.pdf" "$T/api.txt"
    revenue=$(indian "$(json "$T/dash.json" 'round(d["kpis"]["revenue"] * 100)')")
    spend=$(indian "$(json "$T/dash.json" 'round(d["kpis"]["spend"] * 100)')")
    expect_contains "the PDF's text carries the API's revenue ($revenue)" "$T/api.txt" "$revenue"
    expect_contains "… and its spend ($spend)" "$T/api.txt" "$spend"
    expect_contains "… and the ROAS, to two decimals as on the pages" "$T/api.txt" "$(json "$T/dash.json" '"ROAS %.2f is" % d["kpis"]["roas"]')"
    expect_contains "… and the iROAS method" "$T/api.txt" "$(json "$T/dash.json" 'd["kpis"]["iroas_method"]')"
    expect_contains "… and its filters" "$T/api.txt" "MuscleBlaze"
    expect_match "… and page numbers" "$T/api.txt" 'Page 1 of [0-9]+'
    pages=$(pdfinfo "$T/api.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
    blank=0
    for ((p = 2; p <= ${pages:-0}; p++)); do
        pdftoppm -png -r 40 -f "$p" -l "$p" -singlefile "$T/api.pdf" "$T/page"
        # a page with a chart has many pixels that are neither white nor black text
        colour=$(python3 -c '
import sys, zlib, struct
data = open(sys.argv[1], "rb").read()
w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
idat = b"".join(data[i + 8:i + 8 + struct.unpack(">I", data[i:i + 4])[0]]
                for i in range(8, len(data)) if data[i + 4:i + 8] == b"IDAT")
raw = zlib.decompress(idat); bpp = 3 if ctype == 2 else 4; stride = w * bpp
prev = bytearray(stride); n = 0; pos = 0
for y in range(h):
    f = raw[pos]; line = bytearray(raw[pos + 1:pos + 1 + stride]); pos += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        n += max(r, g, bl) - min(r, g, bl) > 40
    prev = line
print(n)' "$T/page.png")
        ((colour > 500)) && blank=$((blank + 1))
    done
    ((blank >= 2)) && pass "the PDF has chart pages in colour ($blank of $pages pages)" ||
        fail "the PDF has chart pages in colour" "only $blank of ${pages:-?} pages have colour"
else
    fail "pdftotext installed" "poppler-utils missing: run scripts/deps.sh --test"
fi

# ---- the workbook ---------------------------------------------------------------------------
code=$(curl -s -D "$T/h" -o "$T/api.xlsx" -w '%{http_code}' "$BASE/api/export.xlsx?$QS")
expect_eq "GET /api/export.xlsx is 200" 200 "$code"
expect_match "… named for the report, the time and the filters" "$T/h" "filename=\"${NAME_RE%csv}xlsx\""
book=$(python3 - "$T/api.xlsx" <<'EOF2'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
wb = z.read("xl/workbook.xml").decode()
names = re.findall(r'<sheet name="([^"]+)"', wb)
inf = z.read("xl/worksheets/sheet2.xml").decode()
rows = len(re.findall(r"<row ", inf))
charts = [n for n in z.namelist() if n.startswith("xl/charts/")]
print(",".join(names), rows, "chart" if charts else "no-chart",
      "frozen" if "<pane " in inf else "not-frozen", "filter" if "<autoFilter" in inf else "no-filter")
EOF2
)
expect_eq "the workbook: ten sheets and Tax, a row per influencer, a chart, frozen headers, filters"     "Summary,Influencers,Platforms,Personas,Daily,Payouts,Brands,Campaigns,Products,Sources,Tax $(($(json "$T/dash.json" 'd["kpis"]["influencers"]') + 1)) chart frozen filter"     "$book"
expect_eq "the workbook's revenue cell holds the API's revenue" True "$(python3 - "$T/api.xlsx" "$(json "$T/dash.json" 'd["kpis"]["revenue"]')" <<'EOF2'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); want = float(sys.argv[2])
vals = [float(v) for v in re.findall(r"<v>([-0-9.eE]+)</v>", z.read("xl/worksheets/sheet1.xml").decode())]
print(any(abs(v - want) < 0.005 for v in vals))
EOF2
)"
(cd "$T" && check "export --format pdf (CLI)" "$INFLUDASH" export --db "sqlite:$DB" --format pdf "${FLAGS[@]}" -o "$T/cli.pdf")
check "export --format xlsx (CLI)" "$INFLUDASH" export --db "sqlite:$DB" --format xlsx "${FLAGS[@]}" -o "$T/cli.xlsx"
expect_eq "a report that cannot be written fails naming the file" 1 \
    "$("$INFLUDASH" export --db "sqlite:$DB" --format pdf -o "$T/no/such/dir/r.pdf" 2>"$T/err"; echo $?)"
expect_contains "… with the path in the message" "$T/err" "$T/no/such/dir/r.pdf"

# ---- the filtered rows of each dataset ---------------------------------------------------------
sel="SELECT influencer_id FROM influencers WHERE platform IN ('Instagram','YouTube')"
want_trk=$(sql "$DB" "SELECT count(*) FROM tracking_data WHERE brand = 'MuscleBlaze'
    AND substr(date,1,10) BETWEEN '2025-02-01' AND '2025-08-31'
    AND (organic = 1 OR influencer_id IN ($sel))")
want_pay=$(sql "$DB" "SELECT count(*) FROM payouts WHERE influencer_id IN ($sel)
    AND (payout_date IS NULL OR substr(payout_date,1,10) BETWEEN '2025-02-01' AND '2025-08-31')")
want_inf=$(sql "$DB" "SELECT count(*) FROM influencers WHERE platform IN ('Instagram','YouTube')")
for pair in "tracking_data:$want_trk" "payouts:$want_pay" "influencers:$want_inf"; do
    ds=${pair%%:*} want=${pair#*:}
    curl -s -o "$T/$ds.csv" "$BASE/api/datasets/$ds.csv?$QS"
    got=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=""))))' "$T/$ds.csv")
    expect_eq "filtered $ds rows: as many as SQL finds" "$want" "$got"
    check "export --dataset $ds with filters" "$INFLUDASH" export --db "sqlite:$DB" --dataset "$ds" \
        "${FLAGS[@]}" -o "$T/$ds.cli.csv"
    expect_same_files "… the CLI writes the same rows" "$T/$ds.csv" "$T/$ds.cli.csv"
done
# A name a spreadsheet would run as a formula comes out inert in the report CSV.
printf 'influencer_id,name,platform\nEVIL1,"=HYPERLINK(""http://x.example"",""y"")",Instagram\n' >"$T/evil.csv"
curl -s -o /dev/null --data-binary @"$T/evil.csv" -H 'Content-Type: text/csv' \
    "$BASE/api/import/influencers?filename=evil.csv"
printf 'tracking_id,influencer_id,date,brand,orders,revenue\nEV1,EVIL1,2025-03-03,MuscleBlaze,1,10\n' >"$T/evil_t.csv"
curl -s -o /dev/null --data-binary @"$T/evil_t.csv" -H 'Content-Type: text/csv' \
    "$BASE/api/import/tracking_data?filename=evil_t.csv"
for i in $(seq 1 50); do
    curl -s -o "$T/evil.out" "$BASE/api/export.csv?influencer=EVIL1"
    grep -q "^EVIL1," "$T/evil.out" && break
    sleep 0.1
done
expect_contains "a formula-like name is written as text" "$T/evil.out" \
    "EVIL1,\"'=HYPERLINK(\"\"http://x.example\"\",\"\"y\"\")\""

all=$(curl -s "$BASE/api/datasets/tracking_data.csv" | wc -l)
expect_eq "without filters a dataset comes whole" "$(($(sql "$DB" "SELECT count(*) FROM tracking_data") + 1))" "$all"

# ---- a workspace's report: that workspace's data, all of it ------------------------------------
# (the engine reads the tracking rows on several connections: each must open the workspace)
check "workspace add acme" "$INFLUDASH" workspace add acme --db "sqlite:$DB"
idx demo --db "sqlite:$DB" --workspace acme --rows 20000 --seed 8 || fail "demo data in acme" "$(last_output)"
want=$(sql "$T/report-ws-acme.db" "SELECT sum(orders) FROM tracking_data WHERE organic = 0")
check "export --workspace acme --format csv" "$INFLUDASH" export --db "sqlite:$DB" --workspace acme \
    --format csv -o "$T/acme.csv"
expect_eq "… its orders are the workspace's (SQL: $want)" "$want" \
    "$(python3 -c 'import csv, sys; print(sum(int(r["orders"]) for r in csv.DictReader(open(sys.argv[1]))))' "$T/acme.csv")"
expect_eq "… and so are query --workspace acme's" "$want" \
    "$("$INFLUDASH" query --db "sqlite:$DB" --workspace acme | python3 -c 'import json, sys; print(json.load(sys.stdin)["kpis"]["orders"])')"

# ---- a report that cannot be made: a 500 that names no file of the server ---------------------
# A server whose temporary directory is gone: every report and download fails, and says why
# without the server's paths (they go to its log).
serve_stop
mkdir -p "$T/spool"
if TMPDIR=$T/spool serve_start "$DB" && wait_data; then
    rm -rf "$T"/spool/infludash-serve.*
    for path in export.xlsx export.pdf "export.csv?platform=YouTube" datasets/posts.csv \
        "datasets/posts.csv?platform=YouTube"; do
        code=$(curl -s -o "$T/err.json" -w '%{http_code}' "$BASE/api/$path")
        expect_eq "no temporary directory: GET /api/$path is 500" 500 "$code"
        expect_not_contains "… its answer names no path of the server" "$T/err.json" "$T"
        expect_not_contains "… nor the temporary directory's name" "$T/err.json" "infludash-serve."
        expect_match "… and says what failed" "$T/err.json" "(making the report|preparing the download) failed on the server; ask the operator"
    done
    expect_contains "the server's log has the paths" "$T/server.log" "$T/spool/infludash-serve."
else
    fail "a server with its own temporary directory starts" "$(cat "$T/server.log")"
fi

# ---- a million rows: every report in bounded memory (release build: ASan's memory differs) -----
if [[ $BUILD_KIND != asan ]]; then
    BIG=$T/big.db
    idx demo --db "sqlite:$BIG" --rows 1000000 --seed 3 || fail "demo 1M" "$(last_output)"
    for fmt in csv pdf xlsx; do
        run /usr/bin/time -f '%M' -o "$T/rss" "$INFLUDASH" export --db "sqlite:$BIG" --format "$fmt" \
            -o "$T/big.$fmt"
        rss=$(tail -1 "$T/rss")
        if ((RC == 0 && rss < 600000)); then
            pass "1,000,000 rows: $fmt report made with a peak of $((rss / 1024)) MB"
        else
            fail "1,000,000 rows: $fmt report in bounded memory" "exit $RC, peak ${rss:-?} KB; $(last_output)"
        fi
    done
    run /usr/bin/time -f '%M' -o "$T/rss" "$INFLUDASH" export --db "sqlite:$BIG" --dataset tracking_data \
        --platform=YouTube -o "$T/big.rows.csv"
    rss=$(tail -1 "$T/rss")
    ((RC == 0 && rss < 600000)) && pass "1,000,000 rows: filtered rows exported with a peak of $((rss / 1024)) MB" ||
        fail "1,000,000 rows: filtered rows in bounded memory" "exit $RC, peak ${rss:-?} KB"
fi

serve_stop
finish
