#!/usr/bin/env bash
# tax.sh — SPEC §10 end to end with the real binary: influencers with PAN, GSTIN, account,
# IFSC and UPI id and payouts with a kind import; GET /api/payouts/tax gives the TDS of
# hand-computed cases (a threshold crossed within an FY, the ₹30,000 → ₹50,000 change of
# 1 April 2025, the Income-tax Act 2025 §393 rule from 1 April 2026, no PAN at 20 %, a
# product under §194R), each figure naming its rule and section; GST is CGST + SGST in the
# brand's state and IGST elsewhere; the bank batch file of pending payouts carries the net
# amounts and refuses what cannot be paid, listed by /api/payouts/batch-refusals; an admin
# replaces the rules table (checked whole; its version shown); the XLSX export's sheet Tax and
# the PDF's page "TDS and GST, FY …" (GET /api/export.*, infludash export) carry the figures of
# /api/payouts/tax. Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/tax.db
cd "$T" || exit 1
cat >influencers.csv <<'EOF'
influencer_id,name,pan,gstin,account_number,ifsc,upi_id
INF1,Asha Rao,abcpe1234f,,001234567890,hdfc0001234,
INF2,Vikram Singh,,27AAPFU0939F1ZV,,,vikram@okaxis
INF3,Meera Iyer,ABCPM1111K,,,,
INF4,Rohan Das,ABCPD2222L,,009876543210,,
EOF
cat >payouts.csv <<'EOF'
payout_id,influencer_id,campaign,basis,total_payout,payout_date,status,kind
Y1,INF1,MB_Summer,flat,20000,2025-05-10,Paid,fee
Y2,INF1,MB_Summer,flat,25000,2025-07-15,Paid,fee
Y3,INF1,MB_Summer,flat,10000,2025-09-01,Pending,fee
Y4,INF1,MB_Summer,flat,8000,2025-12-01,Pending,
Y5,INF2,HKV_Glow,flat,60000,2025-06-01,Pending,fee
Y6,INF3,GZ_Kids,flat,25000,2025-06-01,Pending,product
Y7,INF3,GZ_Kids,flat,5000,2025-06-02,Pending,fee
Y8,INF4,GZ_Kids,flat,20000,2025-02-10,Paid,fee
Y9,INF4,GZ_Kids,flat,15000,2025-03-20,Paid,fee
Y10,INF4,GZ_Kids,flat,20000,2025-04-05,Pending,fee
Y11,INF1,MB_Winter,flat,60000,2026-04-10,Paid,fee
Y12,INF1,MB_Winter,flat,,,Pending,fee
EOF
check "payment details and kinds import" "$INFLUDASH" import --quiet --db "sqlite:$DB" \
    influencers.csv payouts.csv

if ! serve_start "$DB" --gst-state 29; then
    fail "server starts with --gst-state 29" "$(cat "$T/server.log")"
    finish
fi
pass "server starts with --gst-state 29"

get() { # PATH?QUERY : body to $T/body, status code on stdout
    curl -sS --max-time 30 -D "$T/headers" -o "$T/body" -w '%{http_code}' "$BASE$1"
}
json() { # EXPR over the document d in $T/body
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/body" "$1"
}
# inf ID EXPR : EXPR over that influencer's row i
inf() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); i = next(i for i in d["influencers"] if i["influencer_id"] == sys.argv[2]); print(eval(sys.argv[3]))' "$T/body" "$1" "$2"
}

# ---- FY 2025-26 --------------------------------------------------------------------------
expect_eq "tax FY 2025-26: 200" 200 "$(get '/api/payouts/tax?fy=2025-26')"
expect_eq "the answer names the FY, the rules version and the brand's state" \
    "2025-26 2026.04-1 29" "$(json 'd["fy"], d["rules_version"], d["gst_state"]' | tr -d "(),'")"
# INF1: 20,000 + 25,000 stay under ₹50,000; 10,000 crosses it (TDS on 55,000 = 5,500),
# 8,000 after it (800): 6,300; Y11 is in FY 2026-27 and Y12 has no date.
expect_eq "crossing within the FY: fees 63000, TDS 6300, net 56700" "63000.0 6300.0 56700.0" \
    "$(inf INF1 'i["fees"], i["tds"], i["net"]' | tr -d '(),')"
expect_eq "each figure names its rule and section (§194J, FY 2025-26 row, 10 %)" \
    "IT1961-194J-2025|194J(1)(a) fees for professional services|0.1|6300.0" \
    "$(inf INF1 '"|".join(str(x) for s in i["tds_by_section"] for x in (s["rule"], s["section"], s["rate"], s["amount"]))')"
# INF2: no PAN → 20 % of 60,000; GSTIN of Maharashtra (27), brand in Karnataka (29): IGST.
expect_eq "no PAN: 20 % (12000); inter-state GST: IGST 10800; net 58800" \
    "12000.0 0.2 10800.0 0.0 58800.0" \
    "$(inf INF2 'i["tds"], i["tds_by_section"][0]["rate"], i["igst"], i["cgst"], i["net"]' | tr -d '(),')"
# INF3: a product of 25,000 over the ₹20,000 of §194R: 2,500 borne by the brand; the fee of
# 5,000 stays under ₹50,000.
expect_eq "product under §194R: 2500, not taken from the net" \
    "25000.0 2500.0 0.0 5000.0 IT1961-194R-2023" \
    "$(inf INF3 'i["products"], i["tds_products"], i["tds_fees"], i["net"], i["tds_by_section"][0]["rule"]' | tr -d "(),'")"
# INF4: 20,000 on 5 April 2025 is under the new ₹50,000 threshold: nothing in FY 2025-26.
expect_eq "after 1 April 2025 the ₹50,000 threshold: 20000 taxes nothing" "20000.0 0.0" \
    "$(inf INF4 'i["fees"], i["tds"]' | tr -d '(),')"
expect_eq "totals add up over the influencers" "True" \
    "$(json 'all(abs(d["totals"][k] - sum(i[k] for i in d["influencers"])) < 0.005 for k in ("fees","products","tds","gst","net"))')"
expect_eq "an undated payout is counted, not taxed" "1" "$(json 'd["undated"]')"

# ---- FY 2024-25: ₹30,000 -------------------------------------------------------------------
get '/api/payouts/tax?fy=2024-25' >/dev/null
expect_eq "before 1 April 2025 the ₹30,000 threshold: 20000 + 15000 crosses it, TDS 3500" \
    "35000.0 3500.0 IT1961-194J-2023" \
    "$(inf INF4 'i["fees"], i["tds"], i["tds_by_section"][0]["rule"]' | tr -d "(),'")"

# ---- FY 2026-27: the Income-tax Act, 2025 ---------------------------------------------------
get '/api/payouts/tax?fy=2026-27' >/dev/null
expect_eq "from 1 April 2026: §393, payment code 1027, TDS 6000 on 60000" \
    "IT2025-393-1027|1027|Income-tax Act, 2025|6000.0" \
    "$(inf INF1 '"|".join(str(x) for x in (i["tds_by_section"][0]["rule"], i["tds_by_section"][0]["payment_code"], i["tds_by_section"][0]["act"], i["tds"]))')"

# ---- without ?fy= -----------------------------------------------------------------------------
get '/api/payouts/tax' >/dev/null
expect_eq "without ?fy: the newest FY with payouts, and the FYs listed newest first" \
    "2026-27 2026-27,2025-26,2024-25" "$(json 'd["fy"] + " " + ",".join(d["fys"])')"

# ---- the XLSX and PDF exports carry the same tax table -----------------------------------------
# xlsx_tax BOOK JSON : "ok" when the workbook's sheet Tax holds the JSON's figures (each
# influencer's row, the FY's totals, its rules version and each rule), else what differs.
xlsx_tax() {
    python3 - "$1" "$2" <<'EOF2'
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); d = json.load(open(sys.argv[2]))
names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
if "Tax" not in names:
    sys.exit(print("no sheet Tax in", names))
xml = z.read("xl/worksheets/sheet%d.xml" % (names.index("Tax") + 1)).decode()
rows = {}
for r, body in re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', xml):
    cells = {}
    for col, cell in re.findall(r'<c r="([A-Z]+)\d+"[^>]*>(.*?)</c>', body):
        m = re.search(r"<t[^>]*>(.*?)</t>|<v>(.*?)</v>", cell)
        cells[col] = m.group(1) if m.group(1) is not None else float(m.group(2))
    rows[cells.get("A")] = cells
bad = []
cols = dict(E="fees", F="products", G="tds_fees", H="tds_products", I="tds", J="gst",
            K="cgst", L="sgst", M="igst", N="net", O="payments")
def same(what, got, want):
    for c, k in cols.items():
        w = want[k]
        g = got.get(c)
        if (w is None) != (g is None) or (w is not None and abs(g - w) > 0.005):
            bad.append("%s %s: %r, the API %r" % (what, k, g, w))
for i in d["influencers"]:
    row = rows.get(i["influencer_id"])
    if not row:
        bad.append("no row " + i["influencer_id"]); continue
    same(i["influencer_id"], row, i)
    for st in i["tds_by_section"]:
        if st["rule"] not in row.get("P", "") or st["section"] not in row.get("P", ""):
            bad.append("%s: rule %s not named" % (i["influencer_id"], st["rule"]))
if "Total" not in rows:
    bad.append("no Total row")
else:
    same("Total", rows["Total"], d["totals"])
title = rows.get("TDS and GST, FY " + d["fy"])
if title is None:
    bad.append("no title for FY " + d["fy"])
if not any(isinstance(r.get("A"), str) and "Rules version " + d["rules_version"] in r["A"] for r in rows.values()):
    bad.append("no rules version")
print("; ".join(bad) or "ok")
EOF2
}
# pdf_tax TEXT JSON : the same for the PDF's text (pdftotext -layout): the heading, each
# influencer's line (fees, products, TDS, GST, net), the totals, each rule with its TDS.
pdf_tax() {
    python3 - "$1" "$2" <<'EOF2'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read(); d = json.load(open(sys.argv[2]))
def inr(v):  # ₹1,23,456.78 as the reports print money
    neg, p = v < 0, round(abs(v) * 100)
    r, ps = divmod(p, 100); s = str(r)
    if len(s) > 3:
        head, tail = s[:-3], s[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:]); head = head[:-2]
        if head: groups.insert(0, head)
        s = ",".join(groups + [tail])
    return ("-" if neg else "") + "\u20b9%s.%02d" % (s, ps)
bad = []
if "TDS and GST, FY " + d["fy"] not in text:
    sys.exit(print("no page TDS and GST, FY " + d["fy"]))
page = text[text.index("TDS and GST, FY " + d["fy"]):]
lines = page.splitlines()
def line_of(label, figures, what):
    for l in lines:
        if l.strip().startswith(label) and [w for w in l.split() if w.startswith("\u20b9") or w.startswith("-\u20b9")][:len(figures)] == figures:
            return
    bad.append("%s: no line %s %s" % (what, label, " ".join(figures)))
keys = ("fees", "products", "tds", "gst", "net")
for i in d["influencers"]:
    line_of(i["name"] or i["influencer_id"], [inr(i[k]) for k in keys], i["influencer_id"])
    for st in i["tds_by_section"]:
        if not any(st["rule"] in l and l.rstrip().endswith(inr(st["amount"])) for l in lines):
            bad.append("%s: no line for rule %s" % (i["influencer_id"], st["rule"]))
line_of("Total FY " + d["fy"], [inr(d["totals"][k]) for k in keys], "totals")
if "Rules version " + d["rules_version"] not in page:
    bad.append("no rules version")
print("; ".join(bad) or "ok")
EOF2
}
get '/api/payouts/tax?fy=2025-26' >/dev/null
cp "$T/body" tax2526.json
expect_eq "export.xlsx?fy=2025-26: 200" 200 "$(get '/api/export.xlsx?fy=2025-26')"
cp "$T/body" tax.xlsx
expect_eq "the workbook's sheet Tax holds /api/payouts/tax's figures, totals, rules" ok \
    "$(xlsx_tax tax.xlsx tax2526.json)"
expect_eq "export.pdf?fy=2025-26: 200" 200 "$(get '/api/export.pdf?fy=2025-26')"
cp "$T/body" tax.pdf
if command -v pdftotext >/dev/null; then
    pdftotext -layout -enc UTF-8 tax.pdf tax.txt
    expect_eq "the PDF's page \"TDS and GST, FY 2025-26\" carries the same figures" ok \
        "$(pdf_tax tax.txt tax2526.json)"
else
    fail "pdftotext installed" "poppler-utils missing: run scripts/deps.sh --test"
fi
get '/api/payouts/tax?fy=2025-26&gst_state=27' >/dev/null
cp "$T/body" tax2526-27.json
get '/api/export.xlsx?fy=2025-26&gst_state=27' >/dev/null
cp "$T/body" tax27.xlsx
expect_eq "?gst_state= applies to the sheet as to the API (CGST + SGST)" ok \
    "$(xlsx_tax tax27.xlsx tax2526-27.json)"
# without fy=: the FY of the filter's end, else the newest FY with payouts
get '/api/payouts/tax?fy=2024-25' >/dev/null
cp "$T/body" tax2425.json
get '/api/export.xlsx?to=2025-03-31' >/dev/null
cp "$T/body" tax-to.xlsx
expect_eq "to=2025-03-31: the sheet is FY 2024-25's" ok "$(xlsx_tax tax-to.xlsx tax2425.json)"
get '/api/payouts/tax' >/dev/null
cp "$T/body" taxlatest.json
get '/api/export.pdf' >/dev/null
cp "$T/body" taxlatest.pdf
pdftotext -layout -enc UTF-8 taxlatest.pdf taxlatest.txt
expect_eq "no fy=, no to=: the newest FY (2026-27, §393) in the PDF" ok \
    "$(pdf_tax taxlatest.txt taxlatest.json)"
expect_eq "export.xlsx of an FY the rules do not cover: 400" 400 "$(get '/api/export.xlsx?fy=2019-20')"
expect_contains "… saying to add that year" "$T/body" "add that year"
expect_eq "export.pdf?fy=2025-27: 400" 400 "$(get '/api/export.pdf?fy=2025-27')"
expect_eq "a period before the rules table (to=2019-06-30): the report, without a tax table" \
    "200 no sheet Tax" \
    "$(get '/api/export.xlsx?to=2019-06-30') $(xlsx_tax "$T/body" tax2526.json | cut -c1-12)"
# the CLI: the same table from the stored rows
check "export --format xlsx --fy 2025-26 --gst-state 29" "$INFLUDASH" export --db "sqlite:$DB" \
    --format xlsx --fy 2025-26 --gst-state 29 -o cli-tax.xlsx
expect_eq "the CLI's sheet Tax equals /api/payouts/tax" ok "$(xlsx_tax cli-tax.xlsx tax2526.json)"
check "export --format pdf --to 2025-12-31 --gst-state 29" "$INFLUDASH" export --db "sqlite:$DB" \
    --format pdf --to 2025-12-31 --gst-state 29 -o cli-tax.pdf
pdftotext -layout -enc UTF-8 cli-tax.pdf cli-tax.txt
expect_eq "the CLI's PDF (FY of --to) equals /api/payouts/tax" ok "$(pdf_tax cli-tax.txt tax2526.json)"
expect_fail "export --fy 2019-20 is refused" 1 "$INFLUDASH" export --db "sqlite:$DB" \
    --format pdf --fy 2019-20 -o never.pdf
expect_contains "… naming the FY" "$ERR" "2019-20"
expect_fail "export --gst-state 99 is refused" 64 "$INFLUDASH" export --db "sqlite:$DB" \
    --format pdf --gst-state 99 -o never.pdf
# scheduled reports end with the same table (schedule run, then serve's scheduler below)
mkdir -p sched
check "report add (scheduled xlsx, to 2025-12-31)" "$INFLUDASH" report add taxx --db "sqlite:$DB" \
    --format xlsx --to 2025-12-31 --every hourly --to-dir "$T/sched"
check "report add (scheduled pdf, the whole data)" "$INFLUDASH" report add taxp --db "sqlite:$DB" \
    --format pdf --every hourly --to-dir "$T/sched"
check "schedule run --now --gst-state 27" "$INFLUDASH" schedule run --db "sqlite:$DB" --now \
    --gst-state 27
expect_eq "a scheduled workbook: the sheet Tax of its --to's FY (gst_state 27), as the API's" ok \
    "$(xlsx_tax "$(ls sched/infludash-taxx-*.xlsx | head -1)" tax2526-27.json)"
pdftotext -layout -enc UTF-8 "$(ls sched/infludash-taxp-*.pdf | head -1)" sched.txt
expect_eq "a scheduled PDF of the whole data: the newest FY's page, as the API's" ok \
    "$(pdf_tax sched.txt taxlatest.json)"
printf 'rules_version,bad\nrule_id,act\nX,Y\n' >bad-sched.csv
expect_fail "schedule run --tax-rules of a bad file is refused" 1 "$INFLUDASH" schedule run \
    --db "sqlite:$DB" --now --tax-rules bad-sched.csv
expect_match "… naming the file and line" "$ERR" 'bad-sched\.csv:2'
expect_fail "schedule run --gst-state 99 is refused" 64 "$INFLUDASH" schedule run \
    --db "sqlite:$DB" --now --gst-state 99
run "$INFLUDASH" report del taxp --db "sqlite:$DB"
rm -f sched/*

# ---- GST in the brand's state -----------------------------------------------------------------
get '/api/payouts/tax?fy=2025-26&gst_state=27' >/dev/null
expect_eq "intra-state GST (the page's setting 27): CGST 5400 + SGST 5400, no IGST" \
    "5400.0 5400.0 0.0 10800.0" "$(inf INF2 'i["cgst"], i["sgst"], i["igst"], i["gst"]' | tr -d '(),')"
expect_eq "a GST state that does not exist: 400" 400 "$(get '/api/payouts/tax?fy=2025-26&gst_state=99')"
expect_contains "the 400 names the parameter" "$T/body" "gst_state"
expect_eq "a malformed FY: 400" 400 "$(get '/api/payouts/tax?fy=2025-27')"
expect_eq "an FY the rules do not cover: 400" 400 "$(get '/api/payouts/tax?fy=2019-20')"
expect_contains "the 400 says to add that year's rows" "$T/body" "add that year"

# ---- the bank batch file ----------------------------------------------------------------------
expect_eq "batch.csv: 200" 200 "$(get '/api/payouts/batch.csv?status=Pending')"
cp "$T/body" batch.csv
expect_match "the file is CSV" "$T/headers" '^Content-Type: text/csv'
expect_eq "the header carries the fields a bank asks for" \
    "beneficiary_name,account_number,ifsc,upi_id,payment_mode,amount,narration,payout_id,influencer_id,payout_date,fee,gst,tds,tds_rule" \
    "$(head -1 batch.csv | tr -d '\r')"
rows=$(python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print(r["payout_id"], r["beneficiary_name"], r["account_number"], r["ifsc"], r["upi_id"] or "-",
          r["payment_mode"], r["amount"], r["tds"], sep="|")' batch.csv)
expect_eq "rows: net of TDS, + GST where registered, UPI where there is no account" \
    "Y3|Asha Rao|001234567890|HDFC0001234|-|NEFT|4500.00|5500.00
Y4|Asha Rao|001234567890|HDFC0001234|-|NEFT|7200.00|800.00
Y5|Vikram Singh|||vikram@okaxis|UPI|58800.00|12000.00" "$rows"
expect_match "the refusals are counted in a header, the file stays uploadable" "$T/headers" \
    '^X-Refused-Rows: 4'
expect_eq "batch-refusals: 200" 200 "$(get '/api/payouts/batch-refusals?status=Pending')"
expect_eq "refused: the product, no details, an account without IFSC, no date" \
    "Y6:product Y7:no payment details Y10:without an IFSC Y12:no total_payout" \
    "$(json '" ".join(r["payout_id"] + ":" + next(w for w in ("product", "no payment details", "without an IFSC", "no total_payout", "no payout_date") if w in r["reason"]) for r in d["refused"])')"
expect_eq "the refusals' totals: 3 rows, 70500 paid" "3 70500.0 4" \
    "$(json 'd["rows"], d["amount"], d["refused_count"]' | tr -d '(),')"

# ---- the rules table: read, replaced by an admin ---------------------------------------------
expect_eq "GET /api/payouts/tax-rules: 200" 200 "$(get /api/payouts/tax-rules)"
cp "$T/body" rules.csv
expect_eq "it starts with the version" "rules_version,2026.04-1" "$(head -1 rules.csv)"
sed 's/^rules_version,.*/rules_version,test-2/; s/IT1961-194J-2025,\(.*\),fee,10\.00,20\.00,5000000,/IT1961-194J-2025,\1,fee,10.00,20.00,6000000,/' \
    rules.csv >rules2.csv
printf 'rules_version,bad\nrule_id,act\nX,Y\n' >bad.csv
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H 'Origin: '"$BASE" -H 'Content-Type: text/csv' \
    --data-binary @bad.csv "$BASE/api/payouts/tax-rules")
expect_eq "a bad table is refused as invalid data: 422" 422 "$code"
expect_match "the refusal names the table and the line" "$T/body" 'uploaded rules table:2'
get '/api/payouts/tax?fy=2025-26' >/dev/null
expect_eq "the table in use stays" "2026.04-1" "$(json 'd["rules_version"]')"
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H 'Origin: '"$BASE" -H 'Content-Type: text/csv' \
    --data-binary @rules2.csv "$BASE/api/payouts/tax-rules")
expect_eq "a good table replaces it: 200" 200 "$code"
get '/api/payouts/tax?fy=2025-26' >/dev/null
expect_eq "its version is shown" "test-2" "$(json 'd["rules_version"]')"
# with ₹60,000, INF1's 63,000 crosses at Y4 (8,000): TDS on 63,000 = 6,300 all at Y4
expect_eq "and its threshold applies" "6300.0" "$(inf INF1 'i["tds"]')"
get /api/audit >/dev/null
expect_contains "the replacement is in the audit log" "$T/body" "tax-rules"
serve_stop

# ---- serve's options -------------------------------------------------------------------------
expect_fail "--gst-state 99 is refused" 64 "$INFLUDASH" serve --db "sqlite:$DB" --gst-state 99
expect_contains "the message names the option" "$ERR" "--gst-state"
expect_fail "a bad --tax-rules file stops serve" 1 "$INFLUDASH" serve --db "sqlite:$DB" \
    --listen 127.0.0.1:0 --tax-rules bad.csv
expect_match "the message names the file and line" "$ERR" 'bad\.csv:2'
# the scheduled workbook is due (its hour passed): serve's scheduler makes it at start, with
# serve's rules table and GST state
sql "$DB" "UPDATE reports SET added_at = added_at - 7200, last_due = 0 WHERE name = 'taxx'" >/dev/null
if serve_start "$DB" --tax-rules "$T/rules2.csv" --gst-state 27; then
    get '/api/payouts/tax?fy=2025-26' >/dev/null
    expect_eq "serve --tax-rules FILE: that table's version and file" "test-2 rules2.csv" \
        "$(json 'd["rules_version"] + " " + d["rules_file"].split("/")[-1]')"
    get '/api/payouts/tax?fy=2025-26&gst_state=27' >/dev/null
    cp "$T/body" tax-rules2.json
    for _ in $(seq 1 100); do
        ls sched/infludash-taxx-*.xlsx >/dev/null 2>&1 && break
        sleep 0.1
    done
    sleep 0.5 # written under a hidden name, renamed when whole
    expect_eq "serve's scheduled workbook: serve's rules table and GST state, as its API" ok \
        "$(xlsx_tax "$(ls sched/infludash-taxx-*.xlsx 2>/dev/null | head -1)" tax-rules2.json)"
    serve_stop
else
    fail "serve --tax-rules FILE starts" "$(cat "$T/server.log")"
fi
finish
