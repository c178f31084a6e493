#!/usr/bin/env bash
# http.sh — `infludash serve` end to end with the real binary and curl: /healthz, the status
# JSON of an empty database, the HTML status page (/status; / is the web app, see web.sh),
# keep-alive, JSON 404 for unknown /api/
# paths, 405 with Allow, the access log, HEAD, and a clean exit on SIGTERM.
# Needs INFLUDASH (the binary), curl and python3. Prints "N passed, N failed".
set -uo pipefail

: "${INFLUDASH:?set INFLUDASH to the infludash binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/infludash-http.XXXXXX")
server_pid=""
passed=0
failed=0

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }
# check NAME COMMAND...: runs the command, counts the result under NAME.
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts the server on a free port (another test may take the port between our probe and the
# server's bind, so a server that exits early is retried on a new port) and waits for /healthz.
start_server() {
    local attempt i
    for attempt in 1 2 3 4 5; do
        PORT=$(free_port)
        BASE="http://127.0.0.1:$PORT"
        "$INFLUDASH" serve --db "sqlite:$TMP/t.db" --listen "127.0.0.1:$PORT" \
            >"$TMP/server.out" 2>"$TMP/server.log" &
        server_pid=$!
        for i in $(seq 1 300); do
            if curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null; then
                return 0
            fi
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        echo "# server did not come up on port $PORT (attempt $attempt):"
        sed 's/^/#   /' "$TMP/server.log"
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=""
    done
    return 1
}

# get URL: body to $TMP/body, headers to $TMP/headers, status code on stdout.
get() {
    curl -sS --max-time 10 -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' "$@"
}

header_is() { # header_is NAME VALUE: a response header in $TMP/headers has exactly VALUE
    grep -qi "^$1: $2"$'\r'"\?$" "$TMP/headers"
}

# --- the server starts and answers its health check ---
if ! start_server; then
    fail "server starts and answers /healthz"
    echo "$passed passed, $failed failed"
    exit 1
fi
pass "server starts and answers /healthz"

code=$(get "$BASE/healthz")
check "GET /healthz is 200" test "$code" = 200
check "GET /healthz says ok" test "$(cat "$TMP/body")" = "ok"
check "GET /healthz is text/plain" grep -qi '^content-type: text/plain' "$TMP/headers"

# --- status JSON of an empty database ---
# (once the data is loaded: "engine" says whether it is, and `infludash status` loads it)
for i in $(seq 1 300); do
    get "$BASE/api/status" >/dev/null
    grep -q '"loaded":true' "$TMP/body" && break
    sleep 0.1
done
code=$(get "$BASE/api/status")
check "GET /api/status is 200" test "$code" = 200
check "GET /api/status is application/json" header_is content-type application/json
check "GET /api/status is not cached" header_is cache-control no-store
check "GET /api/status has zero counts, sqlite backend, no imports, the time zone" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["counts"] == {"influencers": 0, "posts": 0, "tracking_data": 0, "payouts": 0}, s["counts"]
assert s["backend"] == "sqlite", s["backend"]
assert s["database"].endswith("t.db"), s["database"]
assert isinstance(s["schema_version"], int) and s["schema_version"] >= 1, s["schema_version"]
assert s["time_zone"] == "Asia/Kolkata", s["time_zone"]
assert isinstance(s["version"], str) and s["version"], s["version"]
assert s["last_import"] is None, s["last_import"]
assert s["imports"] == [], s["imports"]
' "$TMP/body"
check "status over HTTP equals infludash status" python3 -c '
import json, subprocess, sys
http = json.load(open(sys.argv[1]))
cli = json.loads(subprocess.run([sys.argv[2], "status", "--db", sys.argv[3]],
                                capture_output=True, check=True).stdout)
assert http == cli, (http, cli)
' "$TMP/body" "$INFLUDASH" "sqlite:$TMP/t.db"

# --- the status page ---
code=$(get "$BASE/status")
check "GET /status is 200" test "$code" = 200
check "GET /status is UTF-8 HTML" header_is content-type 'text/html; charset=utf-8'
check "GET /status is titled infludash" grep -q '<title>infludash</title>' "$TMP/body"
check "GET /status names every dataset" python3 -c '
import sys
page = open(sys.argv[1], encoding="utf-8").read()
for name in ("influencers", "posts", "tracking_data", "payouts"):
    assert name in page, name
assert "infludash import" in page
assert "Nothing has been imported yet" in page
' "$TMP/body"
check "GET /status loads nothing from elsewhere" bash -c '! grep -Eqi "(src|href)=\"(https?:)?//" "$1"' _ "$TMP/body"

code=$(curl -sS --max-time 10 -I -o /dev/null -w '%{http_code}' "$BASE/status")
check "HEAD /status is 200" test "$code" = 200

# --- keep-alive: two requests on one connection ---
curl -sv --max-time 10 -o /dev/null -o /dev/null "$BASE/healthz" "$BASE/api/status" \
    2>"$TMP/verbose"
check "keep-alive: the second request re-uses the connection" \
    grep -q "Re-using existing connection" "$TMP/verbose"
check "keep-alive: no Connection: close" bash -c '! grep -qi "^< connection: close" "$1"' _ \
    "$TMP/verbose"

# --- errors ---
code=$(get "$BASE/api/no-such-thing")
check "unknown /api/ path is 404" test "$code" = 404
check "unknown /api/ path answers JSON" python3 -c '
import json, sys
body = json.load(open(sys.argv[1]))
assert "/api/no-such-thing" in body["error"], body
' "$TMP/body"
code=$(get "$BASE/no-such-page")
check "unknown page is 404" test "$code" = 404

code=$(get -X POST --data 'x=1' "$BASE/healthz")
check "POST /healthz is 405" test "$code" = 405
check "405 names the allowed methods" grep -qi '^allow: GET, HEAD' "$TMP/headers"

# --- after an import (by another process): counts, last import, and escaping on the page ---
evil="$TMP/inf <b>&'x'.csv"
printf 'influencer_id,name,category,gender,follower_count,platform\n1,A,Fitness,M,5000,instagram\n2,B,Health,F,150000,youtube\n' >"$evil"
if "$INFLUDASH" import --db "sqlite:$TMP/t.db" --dataset influencers "$evil" >"$TMP/import.out" 2>&1; then
    pass "a file with <, & and ' in its name imports"
    code=$(get "$BASE/api/status")
    check "status after the import has the rows and the import" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["counts"]["influencers"] == 2, s["counts"]
last = s["last_import"]
assert last["dataset"] == "influencers" and last["accepted"] == 2 and last["rejected"] == 0, last
assert last["file"].endswith("inf <b>&'"'"'x'"'"'.csv"), last["file"]
assert last["finished_at"].endswith("Z") and len(last["finished_at"]) == 20, last["finished_at"]
assert s["imports"][0] == last, s["imports"]
' "$TMP/body"
    check "status JSON escapes < > & in strings" grep -q 'inf \\u003cb\\u003e\\u0026' "$TMP/body"
    code=$(get "$BASE/status")
    check "the page shows the import with its file name escaped" \
        grep -q "inf &lt;b&gt;&amp;&#39;x&#39;.csv" "$TMP/body"
    check "the page has no raw markup from the file name" bash -c '! grep -q "<b>&" "$1"' _ \
        "$TMP/body"
else
    fail "a file with <, & and ' in its name imports"
    sed 's/^/#   /' "$TMP/import.out"
fi

# --- the counts are kept between requests while no commit came (the import above by
# another process already showed); a row written into the file by another program shows at
# the next request too ---
status_counts() {
    get "$BASE/api/status" >/dev/null
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["counts"]; print(c["influencers"], c["posts"], c["tracking_data"], c["payouts"])' "$TMP/body"
}
check "GET /api/status twice: the same counts" test "$(status_counts) $(status_counts)" = "2 0 0 0 2 0 0 0"
python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("INSERT INTO influencers (influencer_id, name) VALUES (?, ?)", ("BY_HAND_1", "By Hand"))
db.commit()
' "$TMP/t.db"
check "GET /api/status counts a row written by another program" test "$(status_counts)" = "3 0 0 0"

# --- access log: one line per request, with method, path, status, bytes and time ---
check "access log has a line for GET /api/status" \
    grep -Eq '"GET /api/status" 200 [0-9]+ [0-9.]+ms' "$TMP/server.log"
check "access log has the 405" grep -q '"POST /healthz" 405 ' "$TMP/server.log"
check "access log has the 404" grep -q '"GET /api/no-such-thing" 404 ' "$TMP/server.log"

# --- SIGTERM stops the server cleanly ---
kill -TERM "$server_pid"
exited=""
for i in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        exited=1
        break
    fi
    sleep 0.1
done
if [[ -n "$exited" ]]; then
    wait "$server_pid"
    status=$?
    server_pid=""
    pass "SIGTERM stops the server within 10 s"
    check "the server exits with status 0 after SIGTERM" test "$status" = 0
    check "the port is closed after SIGTERM" bash -c '! curl -s --max-time 2 -o /dev/null "$1"' _ \
        "$BASE/healthz"
else
    fail "SIGTERM stops the server within 10 s"
fi

if [[ $failed -gt 0 ]]; then
    echo "# server log:"
    sed 's/^/#   /' "$TMP/server.log"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
