#!/usr/bin/env bash
# sources.sh — SPEC §9 end to end, against our own servers on 127.0.0.1 only
# (tests/servers/platforms.py answering like the Graph API, the YouTube Data API and a file
# server; tests/servers/smtp.py keeping what it receives, with STARTTLS): sources added with
# --base-url, synced, synced again without duplicates; url ETags; a folder with a good and a
# bad file; the platforms' errors (expired token, quota, 429 with Retry-After, malformed
# JSON, a 50 MB body) as runs a person can act on, importing nothing; tokens never printed,
# logged or exported; runs and the audit log; `schedule run --now` mailing a report whose
# attached PDF is read back (pdftotext); `schedule run --at` replaying moments (due, not
# again, a missed run once); a mail refused then shown as failed, a 451 retried; two servers
# on one database running a due job once. With INFLUDASH_TEST_BACKEND=pg, on PostgreSQL.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

# A python3 with aiosmtpd (Debian's python3-aiosmtpd; a python of one's own may lack it).
PY=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import aiosmtpd' 2>/dev/null; then
        PY=$p
        break
    fi
done
if [[ -z $PY ]]; then
    fail "python3 with aiosmtpd" "install python3-aiosmtpd (scripts/deps.sh --test)"
    finish
fi
command -v pdftotext >/dev/null || { fail "pdftotext" "install poppler-utils (scripts/deps.sh --test)"; finish; }

# start_server NAME CMD... : runs a test server, its port (first line) into NAME_PORT.
start_server() {
    local name=$1 i port=
    shift
    "$@" >"$T/$name.out" 2>"$T/$name.err" &
    __e2e_pids+=("$!")
    for i in $(seq 1 100); do
        port=$(head -1 "$T/$name.out" 2>/dev/null)
        [[ $port =~ ^[0-9]+$ ]] && break
        sleep 0.1
    done
    [[ $port =~ ^[0-9]+$ ]] || { fail "$name starts" "$(cat "$T/$name.err")"; finish; }
    printf -v "${name}_PORT" '%s' "$port"
}
mkdir -p "$T/files" "$T/mail" "$T/tls" "$T/mail2" "$T/drop" "$T/reports"
start_server platforms "$PY" "$SRC/tests/servers/platforms.py" --files "$T/files" --lifetime 900
start_server smtp "$PY" "$SRC/tests/servers/smtp.py" --out "$T/mail" --starttls "$T/tls" --lifetime 900
start_server smtp2 "$PY" "$SRC/tests/servers/smtp.py" --out "$T/mail2" --tempfail 1 --lifetime 900
API="http://127.0.0.1:$platforms_PORT"
export INFLUDASH_CA_FILE=$T/tls/cert.pem # smtp.py's self-signed certificate
export INFLUDASH_TZ=Asia/Kolkata
# PostgreSQL has no place beside the database for the key file (docs/connections.md)
if [[ $BACKEND == pg ]]; then
    INFLUDASH_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    export INFLUDASH_SECRET_KEY
fi

DB=$(db_url sources) || { fail "a database for the test" "db_url failed"; finish; }
idx demo --db "$DB" --rows 300 --seed 3 || fail "demo data" "$(last_output)"
read -r _ posts0 _ _ <<<"$(counts "$DB")"
printf 'test-token' >"$T/ig.token"
printf 'test-key\n' >"$T/yt.key"

# ---- sources are added; the token is never shown ----------------------------------------
check "source add instagram" "$INFLUDASH" source add ig --db "$DB" --kind instagram \
    --account 17841400000000001 --influencer INF00001 --base-url "$API" --token-file "$T/ig.token"
check "source add youtube" "$INFLUDASH" source add yt --db "$DB" --kind youtube \
    --account UCtest000000000000000001 --influencer INF00002 --base-url "$API" \
    --token-file "$T/yt.key" --every "daily 06:00"
printf 'influencer_id,name,platform\nINFURL1,From A Url,YouTube\n' >"$T/files/influencers.csv"
check "source add url" "$INFLUDASH" source add shop --db "$DB" --kind url \
    --url "$API/files/influencers.csv" --dataset influencers
expect_fail "an instagram source without --account is refused" 64 "$INFLUDASH" source add x \
    --db "$DB" --kind instagram --influencer INF00001
expect_contains "… saying what it needs" "$ERR" "needs --account"
expect_fail "an unknown kind is refused" 64 "$INFLUDASH" source add x --db "$DB" --kind tiktok
expect_fail "a bad --every is refused" 64 "$INFLUDASH" source add x --db "$DB" --kind url \
    --url "$API/files/x.csv" --every "fortnightly"
check "source list" "$INFLUDASH" source list --db "$DB"
expect_contains "source list shows that a token is set and when" "$OUT" "token: set, added 20"
expect_not_contains "source list never prints the token" "$OUT" "test-token"
expect_not_contains "… nor the API key" "$OUT" "test-key"
expect_contains "source list shows the schedule and next run" "$OUT" "every: daily 06:00, next run: 20"

# ---- sync, and sync again -----------------------------------------------------------------
check "sync of three sources" "$INFLUDASH" sync --db "$DB" ig yt shop
expect_contains "instagram: 7 media" "$OUT" "source ig: ok, 7 rows"
expect_contains "youtube: 119 videos (one deleted)" "$OUT" "source yt: ok, 119 rows"
expect_contains "url: its one file" "$OUT" "source shop: ok, 1 row; 1 file imported"
read -r infl1 posts1 _ _ <<<"$(counts "$DB")"
expect_eq "the posts are the media of both platforms" $((posts0 + 126)) "$posts1"
check "sync again" "$INFLUDASH" sync --db "$DB" ig yt shop
read -r infl2 posts2 _ _ <<<"$(counts "$DB")"
expect_eq "a second sync updates, never duplicates" "$posts1" "$posts2"
expect_eq "… nor the url's rows" "$infl1" "$infl2"
expect_contains "an unchanged url is not imported again (ETag)" "$OUT" \
    "source shop: unchanged, 0 rows; unchanged since the last run (HTTP 304)"
sleep 1.1 # a new modification time, so a new ETag
printf 'influencer_id,name,platform\nINFURL1,From A Url,YouTube\nINFURL2,Second,Instagram\n' \
    >"$T/files/influencers.csv"
check "a changed url file is imported" "$INFLUDASH" sync --db "$DB" shop
expect_contains "… with its rows" "$OUT" "source shop: ok, 2 rows"
check "export of posts" "$INFLUDASH" export --db "$DB" --dataset posts -o "$T/posts.csv"
expect_match "an Instagram media is a post of the source's influencer" "$T/posts.csv" \
    "^18000000000000007,INF00001,"
expect_not_contains "no token in the export" "$T/posts.csv" "test-token"

# ---- the import history and the audit log under the source's name ------------------------
check "status" "$INFLUDASH" status --db "$DB"
expect_contains "the import history names the sync" "$OUT" '"file":"ig (instagram sync)"'
check "audit" "$INFLUDASH" audit --db "$DB"
expect_match "the audit log records the sync under the source's name" "$OUT" \
    "source:ig +import .*posts: file ig \(instagram sync\)"
expect_contains "… and the source's addition" "$OUT" "source.add"
check "source list after syncs" "$INFLUDASH" source list --db "$DB"
expect_match "the last run is shown with its rows" "$OUT" "last run: 20.*, ok, 7 rows"

# ---- the platforms' errors: a run that says what to do, nothing imported -----------------
scenario() { # NAME KIND PREFIX: a source of KIND against the scenario PREFIX
    local acct=17841400000000001 infl=INF00001 tok=$T/ig.token
    if [[ $2 == youtube ]]; then acct=UCtest000000000000000001 tok=$T/yt.key; fi
    run "$INFLUDASH" source add "$1" --db "$DB" --kind "$2" --account $acct --influencer $infl \
        --base-url "$API/s/$3" --token-file "$tok"
}
scenario igexp instagram expired-e2e
expect_fail "an expired token fails the sync" 1 "$INFLUDASH" sync --db "$DB" igexp
expect_contains "… saying when it expired and what to run" "$OUT" \
    "the Instagram token expired on 2026-11-30: add a new one with \`infludash source add igexp --kind instagram --token-file F\`"
scenario ytquota youtube quota-e2e
expect_fail "a used-up YouTube quota fails the sync" 1 "$INFLUDASH" sync --db "$DB" ytquota
expect_match "… saying when it resets, in the installation's time" "$OUT" "resets at midnight Pacific time"
scenario igbad instagram malformed-e2e
expect_fail "malformed JSON fails the sync" 1 "$INFLUDASH" sync --db "$DB" igbad
scenario ighuge instagram huge-e2e
expect_fail "a 50 MB answer fails the sync" 1 "$INFLUDASH" sync --db "$DB" ighuge
read -r _ posts3 _ _ <<<"$(counts "$DB")"
expect_eq "failed syncs imported nothing" "$posts2" "$posts3"
scenario igslow instagram ratelimit-e2e
check "a 429 with Retry-After is waited out" "$INFLUDASH" sync --db "$DB" igslow
expect_match "… and the run says how long it waited" "$OUT" "source igslow: ok, 7 rows; .*s waited"
check "source list with failed runs" "$INFLUDASH" source list --db "$DB"
expect_contains "the failed run is listed with its error" "$OUT" "failed: source \"igexp\": the Instagram token expired"
for f in "$OUT" "$ERR"; do
    expect_not_contains "no token in the output ($(basename "$f"))" "$f" "test-token"
done
if [[ $BACKEND == sqlite ]]; then
    expect_not_contains "the token is not in the database file in the clear" \
        "$(strings "${DB#sqlite:}" "${DB#sqlite:}-wal" 2>/dev/null)" "test-token"
    expect_eq "the key file beside the database is private" 600 "$(stat -c %a "${DB#sqlite:}.key")"
fi

# ---- a folder with a good and a bad file ---------------------------------------------------
printf 'influencer_id,name,platform\nINFDIR1,In A Folder,Instagram\n' >"$T/drop/good.csv"
printf 'influencer_id,name,platform,followers\nINFDIR2,Bad,Instagram,lots\n' >"$T/drop/influencers-bad.csv"
touch -d '1 minute ago' "$T/drop/good.csv" "$T/drop/influencers-bad.csv"
check "source add folder" "$INFLUDASH" source add drop --db "$DB" --kind folder --dir "$T/drop" \
    --dataset influencers
expect_fail "a folder with a refused file: the sync fails" 1 "$INFLUDASH" sync --db "$DB" drop
expect_contains "… naming where the refused file went" "$OUT" "moved to $T/drop/failed/"
[[ -f $T/drop/done/good.csv ]] && pass "the good file is in done/" || fail "the good file is in done/" "$(ls -R "$T/drop")"
[[ -f $T/drop/failed/influencers-bad.csv ]] && pass "the bad file is in failed/" || fail "the bad file is in failed/" "$(ls -R "$T/drop")"
expect_contains "failed/NAME.error.txt says why, with line and column" \
    "$T/drop/failed/influencers-bad.csv.error.txt" 'influencers-bad.csv:2: followers: "lots": not a number'
check "the good file's row was imported" "$INFLUDASH" export --db "$DB" --dataset influencers -o "$T/infl.csv"
expect_contains "… INFDIR1" "$T/infl.csv" "INFDIR1"
expect_not_contains "… and the bad one's not" "$T/infl.csv" "INFDIR2"
check "a second folder sync finds nothing new" "$INFLUDASH" sync --db "$DB" drop
expect_contains "… and says so" "$OUT" "source drop: ok, 0 rows; no new file"
expect_fail "sync of every source fails when one does" 1 "$INFLUDASH" sync --db "$DB"
expect_fail "sync of a source that does not exist" 1 "$INFLUDASH" sync --db "$DB" nosuch
expect_contains "… names it" "$ERR" 'no source named "nosuch"'

# ---- a sync reads rows as the installation's --platforms says ------------------------------
mkdir -p "$T/plat"
printf 'influencer_id,name,platform\nINFMS1,Space Person,Myspace\n' >"$T/plat/influencers.csv"
touch -d '1 minute ago' "$T/plat/influencers.csv"
check "source add folder (another platform)" "$INFLUDASH" source add plat --db "$DB" --kind folder \
    --dir "$T/plat" --dataset influencers
expect_fail "a platform outside the default list: the sync refuses the file" 1 \
    "$INFLUDASH" sync --db "$DB" plat
expect_contains "… naming the platform" "$T/plat/failed/influencers.csv.error.txt" '"Myspace"'
mv "$T/plat/failed/influencers.csv" "$T/plat/influencers.csv"
touch -d '1 minute ago' "$T/plat/influencers.csv"
expect_fail "sync --platforms refuses a bad list" 64 "$INFLUDASH" sync --db "$DB" --platforms ',,' plat
check "sync --platforms with it imports the file" "$INFLUDASH" sync --db "$DB" \
    --platforms Instagram,YouTube,Myspace plat
expect_contains "… one row" "$OUT" "source plat: ok, 1 row"
check "the row is there" "$INFLUDASH" export --db "$DB" --dataset influencers -o "$T/infl2.csv"
expect_contains "… with its platform as the list spells it" "$T/infl2.csv" "INFMS1,Space Person,,Unknown,,Myspace"
run "$INFLUDASH" source del plat --db "$DB"

# ---- scheduled reports: mailed with STARTTLS, read back ------------------------------------
printf 'mailpass\n' >"$T/smtp.pw"
check "report add (mail)" "$INFLUDASH" report add weekly --db "$DB" --format pdf --platform Instagram \
    --period last-week --every "weekly mon 09:00" --mail "ana@brand.in, ravi@brand.in" \
    --smtp "smtp://localhost:$smtp_PORT" --mail-from reports@brand.in
check "report add (folder)" "$INFLUDASH" report add monthly --db "$DB" --format xlsx \
    --period last-month --every "monthly 1 07:00" --to-dir "$T/reports"
mkdir -p "$T/creports"
check "report add (folder, compared with the previous period)" "$INFLUDASH" report add cmp \
    --db "$DB" --format pdf --period last-month --compare previous --every "monthly 1 07:00" \
    --to-dir "$T/creports"
expect_fail "a bad --compare is refused" 64 "$INFLUDASH" report add c \
    --db "$DB" --format pdf --compare bogus --every hourly --to-dir "$T/reports"
expect_contains "… naming it" "$ERR" '--compare: "bogus" is not previous or FROM..TO'
expect_fail "--period with --from is refused" 64 "$INFLUDASH" report add c --db "$DB" --format pdf \
    --period last-week --from 2026-01-01 --every hourly --to-dir "$T/reports"
expect_fail "a report needs a delivery" 64 "$INFLUDASH" report add c --db "$DB" --format pdf --every hourly
check "report list" "$INFLUDASH" report list --db "$DB"
expect_contains "report list shows the filters and period" "$OUT" "filters: platform=Instagram, period: last-week"
# the sources' syncs run too (--now runs every job); drop the failing ones first
for s in igexp ytquota igbad ighuge igslow drop; do run "$INFLUDASH" source del "$s" --db "$DB"; done
check "schedule run --now" "$INFLUDASH" schedule run --db "$DB" --now
expect_contains "the mailed report's run" "$OUT" "report weekly: ok, 1 row; mailed infludash-weekly-"
expect_contains "the folder report's run" "$OUT" "report monthly: ok, 1 row; wrote $T/reports/infludash-monthly-"
ls "$T"/reports/infludash-monthly-*.xlsx >/dev/null 2>&1 && pass "the XLSX is in the folder" ||
    fail "the XLSX is in the folder" "$(ls "$T/reports")"
cmp_pdf=$(ls "$T"/creports/infludash-cmp-*.pdf 2>/dev/null | head -1)
if [[ -n $cmp_pdf ]] && pdftotext -layout "$cmp_pdf" "$T/cmp.txt" 2>/dev/null; then
    expect_contains "the compared report has the earlier period's table" "$T/cmp.txt" "Earlier"
    expect_contains "… and says what it compares" "$T/cmp.txt" "The same filters over the earlier period"
else
    fail "the compared report is in its folder" "$(ls "$T/creports" 2>&1)"
fi
if [[ -f $T/mail/msg-1.eml ]]; then
    pass "the SMTP server received the mail"
    "$PY" - "$T/mail/msg-1.eml" "$T/got.pdf" >"$T/mail.txt" 2>&1 <<'EOF'
import email, json, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
print("Subject:", m["Subject"])
print("To:", m["To"])
for p in m.walk():
    if p.get_content_type() == "text/plain" and not p.get_filename():
        print("Body:", p.get_payload(decode=True).decode())
    if p.get_content_type() == "application/pdf":
        open(sys.argv[2], "wb").write(p.get_payload(decode=True))
        print("Attachment:", p.get_filename())
EOF
    expect_contains "the subject names the report" "$T/mail.txt" "Subject: infludash report: weekly"
    expect_contains "it went to both recipients" "$T/mail/msg-1.json" '"rcpt_tos": ["ana@brand.in", "ravi@brand.in"]'
    expect_contains "over STARTTLS" "$T/mail/msg-1.json" '"tls": true'
    expect_match "the body says the period, resolved now" "$T/mail.txt" "Period: last full week, "
    expect_contains "… and the filters" "$T/mail.txt" "platform=Instagram"
    expect_match "… and the headline figures" "$T/mail.txt" "Revenue ₹.* from .* orders; spend ₹"
    expect_match "the PDF is attached" "$T/mail.txt" "Attachment: infludash-weekly-.*platform=Instagram\.pdf"
    if pdftotext "$T/got.pdf" "$T/got.txt" 2>"$T/pdftotext.err"; then
        pass "the attached PDF reads"
        expect_match "the PDF prints its period" "$T/got.txt" "last full week, "
        expect_contains "… and its filters" "$T/got.txt" "Instagram"
    else
        fail "the attached PDF reads" "$(cat "$T/pdftotext.err")"
    fi
else
    fail "the SMTP server received the mail" "$(ls "$T/mail"; cat "$T/smtp.err")"
fi

# a refused recipient: retried? no, a 5xx is final: shown as failed
check "report add (refused)" "$INFLUDASH" report add refused --db "$DB" --format csv \
    --every hourly --mail "x@refused.test" --smtp "smtp://localhost:$smtp_PORT"
# a 451 is retried (5 s later) and then delivered
check "report add (tempfail)" "$INFLUDASH" report add later --db "$DB" --format csv \
    --every hourly --mail "ana@brand.in" --smtp "smtp://127.0.0.1:$smtp2_PORT"
expect_fail "schedule run --now with a refused mail fails" 1 "$INFLUDASH" schedule run --db "$DB" --now
expect_contains "the refusal is quoted" "$OUT" "report refused: failed:"
expect_contains "… with the server's words" "$OUT" "550"
expect_match "a 451 was retried and delivered" "$OUT" "report later: ok, 1 row; mailed .* \(2 attempts\)"
check "report list after" "$INFLUDASH" report list --db "$DB"
expect_match "the failed delivery is shown as failed" "$OUT" "last run: .*, failed: "
run "$INFLUDASH" report del refused --db "$DB"
run "$INFLUDASH" report del later --db "$DB"

printf 'influencer_id,name,platform\nINFMS2,Second Space,myspace\n' >"$T/plat/influencers2.csv"
touch -d '1 minute ago' "$T/plat/influencers2.csv"
check "source add folder (another platform, scheduled)" "$INFLUDASH" source add plat --db "$DB" \
    --kind folder --dir "$T/plat" --dataset influencers --every hourly
run "$INFLUDASH" schedule run --db "$DB" --now --platforms Instagram,YouTube,Myspace
expect_contains "schedule run --platforms: the sync reads the other platform" "$OUT" "source plat: ok, 1 row"
run "$INFLUDASH" source del plat --db "$DB"
# ---- schedule run at replayed moments: due once, a missed run once ------------------------
check "report del weekly" "$INFLUDASH" report del weekly --db "$DB"
expect_fail "report del of a report that is gone" 1 "$INFLUDASH" report del weekly --db "$DB"
run "$INFLUDASH" report del monthly --db "$DB"
for s in ig shop; do run "$INFLUDASH" source del "$s" --db "$DB"; done
# yt is "daily 06:00" (Asia/Kolkata): the next 06:00 after now (today's before 06:00 there,
# that is from 18:30 to 00:30 UTC, tomorrow's after)
if (($(TZ=Asia/Kolkata date +%-H) < 6)); then
    tomorrow=$(TZ=Asia/Kolkata date +%Y-%m-%d)
else
    tomorrow=$(TZ=Asia/Kolkata date -d 'tomorrow' +%Y-%m-%d)
fi
check "schedule run before it is due" "$INFLUDASH" schedule run --db "$DB" --at "${tomorrow}T05:59"
expect_contains "… runs nothing" "$OUT" "nothing was due"
check "schedule run when it is due" "$INFLUDASH" schedule run --db "$DB" --at "${tomorrow}T06:01"
expect_contains "… runs the sync" "$OUT" "source yt: ok, 119 rows"
check "schedule run again at the same moment" "$INFLUDASH" schedule run --db "$DB" --at "${tomorrow}T06:30"
expect_contains "… does not run it twice" "$OUT" "nothing was due"
later=$(date -d "$tomorrow + 3 days" +%Y-%m-%d)
check "schedule run after three missed days" "$INFLUDASH" schedule run --db "$DB" --at "${later}T07:00"
n=$(grep -c "source yt:" "$OUT")
expect_eq "… runs the missed job once" 1 "$n"
expect_fail "a bad --at is refused" 64 "$INFLUDASH" schedule run --db "$DB" --at "tomorrow"

# ---- two schedulers at once, then two servers, on one database run a due job once --------
check "source add daily" "$INFLUDASH" source add race --db "$DB" --kind url \
    --url "$API/files/influencers.csv" --dataset influencers --every "daily 06:00"
"$INFLUDASH" schedule run --db "$DB" --at "${later}T08:00" >"$T/race1.out" 2>&1 &
r1=$!
"$INFLUDASH" schedule run --db "$DB" --at "${later}T08:00" >"$T/race2.out" 2>&1 &
r2=$!
wait $r1 $r2
n=$(cat "$T/race1.out" "$T/race2.out" | grep -c "source race:")
expect_eq "two schedule runs at once run a due job once" 1 "$n"
run "$INFLUDASH" source del race --db "$DB"
# ---- two servers on one database run a due job once ---------------------------------------
check "source add hourly" "$INFLUDASH" source add twice --db "$DB" --kind url \
    --url "$API/files/influencers.csv" --dataset influencers --every hourly
# added two hours ago: a run was due while no server ran
sql "$DB" "UPDATE sources SET added_at = added_at - 7200 WHERE name = 'twice'" >/dev/null
runs_of() { sql "$DB" "SELECT count(*) FROM runs WHERE job = 'source' AND name = '$1'"; }
serve_start "$DB" || { fail "server A starts" "$(cat "$T/server.log")"; finish; }
A_BASE=$BASE A_PID=$SERVER_PID
cp "$T/server.log" "$T/a.log"
serve_start "$DB" || { fail "server B starts" "$(cat "$T/server.log")"; finish; }
B_BASE=$BASE
for _ in $(seq 1 100); do
    [[ $(runs_of twice) -ge 1 ]] && break
    sleep 0.1
done
sleep 2 # the other server's pass at start has had its chance to run it too
expect_eq "the missed run ran once, not once per server" 1 "$(runs_of twice)"
code=$(curl -s -o "$T/sources.json" -w '%{http_code}' "$A_BASE/api/sources")
expect_eq "GET /api/sources" 200 "$code"
"$PY" - "$T/sources.json" >"$T/sources.txt" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["sources"]:
    print(s["name"], s["kind"], s["status"], s["token"]["set"], s["next_run"] is not None,
          (s["last_run"] or {}).get("rows"))
EOF
expect_contains "it lists the sources with status, token and next run" "$T/sources.txt" "yt youtube ok True True 119"
expect_contains "… and the scheduled one, run once" "$T/sources.txt" "twice url ok False True 2"
expect_not_contains "no token in the API" "$T/sources.json" "test-key"
code=$(curl -s -o "$T/sync.json" -w '%{http_code}' -X POST "$B_BASE/api/sources/yt/sync")
expect_eq "POST /api/sources/yt/sync" 200 "$code"
expect_contains "… answers the run" "$T/sync.json" '"result":"ok","error":null'
code=$(curl -s -o "$T/runs.json" -w '%{http_code}' "$A_BASE/api/sources/yt/runs")
expect_eq "GET /api/sources/yt/runs" 200 "$code"
n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$T/runs.json")
expect_eq "… lists every run of yt" "$(sql "$DB" "SELECT count(*) FROM runs WHERE job = 'source' AND name = 'yt'")" "$n"
check "a source whose address refuses" "$INFLUDASH" source add gone --db "$DB" --kind url \
    --url "http://127.0.0.1:$(free_port)/x.csv"
code=$(curl -s -o "$T/gone.json" -w '%{http_code}' -X POST "$A_BASE/api/sources/gone/sync")
expect_eq "POST sync of a failing source answers its run" 200 "$code"
expect_match "… whose result is failed, with the reason" "$T/gone.json" '"result":"failed","error":".*127\.0\.0\.1'
run "$INFLUDASH" source del gone --db "$DB"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$A_BASE/api/sources/nosuch/sync")
expect_eq "POST sync of an unknown source is 404" 404 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Origin: http://evil.example' "$A_BASE/api/sources/yt/sync")
expect_eq "a cross-origin POST sync is refused" 403 "$code"
expect_not_contains "no token in the server's log" "$(cat "$T/a.log" "$T/server.log" | tr -d '\000')" "test-key"

# ---- who may sync: roles, CSRF, workspaces (SPEC §7) --------------------------------------
check "workspace add acme" "$INFLUDASH" workspace add acme --db "$DB"
check "a source of workspace acme" "$INFLUDASH" source add acmefeed --db "$DB" --workspace acme \
    --kind url --url "$API/files/influencers.csv" --dataset influencers
code=$(curl -s -o "$T/s.json" -w '%{http_code}' "$A_BASE/api/sources")
expect_not_contains "default's sources leave out acme's" "$T/s.json" "acmefeed"
code=$(curl -s -o "$T/s.json" -w '%{http_code}' "$A_BASE/api/sources?ws=acme")
expect_contains "acme's list has it" "$T/s.json" '"name":"acmefeed"'
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$A_BASE/api/sources/acmefeed/sync")
expect_eq "a source is synced only through its own workspace" 404 "$code"
for spec in viewer:viewerpass1 analyst:analystpass1; do
    IFS=: read -r u pw <<<"$spec"
    printf '%s\n' "$pw" | "$INFLUDASH" user add "$u" --role "$u" --workspace default --db "$DB" \
        >/dev/null 2>&1 || fail "user add $u" "exit status $?"
done
sleep 1.2 # the servers look again whether users exist after a second
code=$(curl -s -o /dev/null -w '%{http_code}' "$A_BASE/api/sources")
expect_eq "signed out, /api/sources wants a session" 401 "$code"
signin() { # NAME PASSWORD JAR: signs in; prints the CSRF token
    curl -s -o /dev/null -c "$3" -d "username=$1" --data-urlencode "password=$2" "$A_BASE/login"
    curl -s -b "$3" "$A_BASE/api/session" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["csrf"])'
}
VT=$(signin viewer viewerpass1 "$T/viewer.jar")
AT=$(signin analyst analystpass1 "$T/analyst.jar")
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/viewer.jar" "$A_BASE/api/sources")
expect_eq "a viewer reads the sources" 200 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -b "$T/viewer.jar" -H "X-CSRF-Token: $VT" \
    "$A_BASE/api/sources/yt/sync")
expect_eq "a viewer may not sync" 403 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -b "$T/analyst.jar" "$A_BASE/api/sources/yt/sync")
expect_eq "an analyst's sync without the CSRF token is refused" 403 "$code"
code=$(curl -s -o "$T/sync2.json" -w '%{http_code}' -X POST -b "$T/analyst.jar" -H "X-CSRF-Token: $AT" \
    "$A_BASE/api/sources/yt/sync")
expect_eq "an analyst syncs" 200 "$code"
kill -TERM "$A_PID" 2>/dev/null
serve_stop
finish
