#!/usr/bin/env bash
# limits.sh — the HTTP server's limits with hostile clients (issues 7 and 14): malformed
# requests get a 4xx and never take the server down, a bad Content-Length and a body over
# the cap (Content-Length and chunked) get exactly one answer with a JSON error, 200 idle
# connections do not block others, idle clients are cut after --idle-timeout and
# byte-per-second ones after --header-timeout, 600 slow clients (slow_clients.py) neither
# keep /healthz nor a normal request from answering, one address gets 256 connections,
# and /metrics counts what it saw. Needs INFLUDASH, curl and python3. Prints "N passed,
# N failed".
source "$(dirname "$0")/lib.sh"
require_binary

# raw BYTES(python expression) [WAIT]: sends the bytes on a new connection and prints the status
# code of the answer, or "closed" when the server closed without one.
raw() {
    python3 - "$PORT" "$1" "${2:-5}" <<'PY'
import socket, sys
port, data, wait = int(sys.argv[1]), eval(sys.argv[2]), float(sys.argv[3])  # our own literals
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(wait)
try:
    s.sendall(data)
    head = b""
    while b"\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
except (ConnectionError, socket.timeout):
    head = b""
parts = head.split(b" ")
print(parts[1].decode() if head.startswith(b"HTTP/1.") and len(parts) > 1 else "closed")
PY
}

still_up() { check "$1: the server still answers /healthz" curl -fsS -o /dev/null --max-time 2 "$BASE/healthz"; }
# expect_4xx NAME BYTES [ALSO]: the answer is a 4xx, or ALSO (a regex: 505 for an unknown
# version; "closed" where libmicrohttpd drops a connection whose first line is not HTTP).
expect_4xx() {
    local got
    got=$(raw "$2")
    if [[ $got == 4?? || ( -n ${3:-} && $got =~ ^(${3:-})$ ) ]]; then
        pass "$1: answered $got"
    else
        fail "$1" "got '$got', expected a 4xx${3:+ or $3}"
    fi
    still_up "$1"
}

# whole PYTHON_LITERAL: sends the bytes on a new connection and prints all the server sends
# until it closes, as a Python bytes literal.
whole() {
    python3 - "$PORT" "$1" <<'PY'
import socket, sys
port, data = int(sys.argv[1]), eval(sys.argv[2])  # our own literals
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(10)
got = b""
try:
    s.sendall(data)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
except (ConnectionError, socket.timeout):
    pass
print(repr(got))
PY
}
# answered_once NAME BYTES STATUS NEEDLE: the server sends exactly one status line, STATUS,
# with NEEDLE in the body, then closes.
answered_once() {
    local got
    got=$(whole "$2")
    if [[ $(grep -o 'HTTP/1\.[01] ' <<<"$got" | wc -l) == 1 && $got == "b'HTTP/1.1 $3 "* &&
        $got == *"$4"* ]]; then
        pass "$1: one answer, $3"
    else
        fail "$1" "expected one $3 answer with '$4', got: ${got:0:600}"
    fi
}

# ---- the flags ----
expect_fail "serve --header-timeout 0 is a usage error" 64 idx serve --header-timeout 0
expect_contains "... naming the range" "$ERR" "--header-timeout 0: expected 1 to 3600 seconds"
expect_fail "serve --max-connections-per-client 0 is a usage error" 64 \
    idx serve --max-connections-per-client 0
expect_contains "... naming the range" "$ERR" "--max-connections-per-client 0: expected 1 to 65536"
idx serve --help
for flag in --header-timeout --max-connections-per-client; do
    expect_contains "serve --help documents $flag" "$OUT" "$flag"
done

serve_start "$T/db.sqlite" --sample-if-empty --sample-rows 2000 --idle-timeout 3 \
    --header-timeout 8 --max-connections 300 --max-body-size 1000 --max-upload-size 4000 ||
    { fail "server starts" "see $T/server.log"; finish; }
PORT=${BASE##*:}
wait_data || fail "data loads" "no 200 from /api/dashboard"

# ---- malformed requests ----
expect_4xx "garbage request line" "b'\\x00\\x01garbage\\r\\n\\r\\n'" closed
expect_4xx "request line without a version" "b'GARBAGE /\\r\\n\\r\\n'" closed
expect_4xx "bad HTTP version" "b'GET / HTTP/9.7\\r\\nHost: x\\r\\n\\r\\n'" 505
expect_4xx "header without a colon" "b'GET / HTTP/1.1\\r\\nHost: x\\r\\nno colon here\\r\\n\\r\\n'"
expect_4xx "header line over connection_memory" "b'GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Big: ' + b'a' * 200000 + b'\\r\\n\\r\\n'"
expect_4xx "NUL in the path" "b'GET /he\\x00althz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'"
expect_4xx "overlong URL" "b'GET /' + b'a' * 200000 + b' HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'"

# ---- body caps ----
head -c 5000 /dev/zero | tr '\0' a >"$T/big"
code=$(curl -s -o "$T/413.json" -w '%{http_code}' -X POST --data-binary @"$T/big" \
    -H 'Content-Type: application/json' "$BASE/api/demo")
expect_eq "body over --max-body-size (Content-Length): 413" 413 "$code"
expect_contains "413 body is a JSON error" "$T/413.json" '"error":'
code=$(curl -s -o "$T/413c.json" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' \
    --data-binary @"$T/big" "$BASE/api/demo")
expect_eq "chunked body over --max-body-size: curl gets 413" 413 "$code"
expect_contains "chunked 413 body is a JSON error" "$T/413c.json" '"error":"request body is larger than the limit of 1000 bytes"'
answered_once "chunked body over the cap" \
    "b'POST /api/demo HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\nConnection: close\\r\\n\\r\\n' + b'1388\\r\\n' + b'a' * 5000 + b'\\r\\n0\\r\\n\\r\\n'" \
    413 '"error":"request body is larger than the limit of 1000 bytes"'
answered_once "chunked upload over --max-upload-size, in many chunks" \
    "b'POST /api/import/influencers HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: text/csv\\r\\nTransfer-Encoding: chunked\\r\\nConnection: close\\r\\n\\r\\n' + (b'400\\r\\n' + b'a' * 1024 + b'\\r\\n') * 10 + b'0\\r\\n\\r\\n'" \
    413 'larger than the limit of 4000 bytes (the server'
for cl in abc 12abc -1 "1 2" 0x10; do
    answered_once "Content-Length: $cl" \
        "b'POST /api/demo HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: $cl\\r\\n\\r\\n'" 400 \
        '"error":"the Content-Length header is not a number of bytes"'
done
answered_once "Content-Length past 64 bits" \
    "b'POST /api/demo HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 99999999999999999999999\\r\\n\\r\\n'" \
    413 '"error":"the Content-Length header is too large'
still_up "bodies over the cap"

# ---- 200 idle connections ----
python3 - "$PORT" >"$T/idle.out" 2>&1 <<'PY' &
import socket, sys, time
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(200)]
print("open", len(conns), flush=True)
time.sleep(2.5)
PY
idle_pid=$!
for _ in $(seq 50); do grep -q open "$T/idle.out" 2>/dev/null && break; sleep 0.1; done
expect_contains "200 idle connections are open" "$T/idle.out" "open 200"
t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "$BASE/api/dashboard")
if [[ ${t% *} == 200 ]] && awk -v s="${t#* }" 'BEGIN {exit !(s < 2)}'; then
    pass "/api/dashboard answers in ${t#* } s beside 200 idle connections"
else
    fail "/api/dashboard answers promptly beside 200 idle connections" "got $t"
fi
wait "$idle_pid"

# ---- timeouts (--idle-timeout 3, --header-timeout 8) ----
python3 - "$PORT" >"$T/timeouts.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def closed_after(sock, limit):
    """seconds until the server closes sock (reading), or None past limit"""
    t0 = time.monotonic()
    sock.settimeout(limit)
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        return None
    except ConnectionError:
        pass
    return time.monotonic() - t0
idle = socket.create_connection(("127.0.0.1", port))
print("idle", closed_after(idle, 8), flush=True)
slow = socket.create_connection(("127.0.0.1", port))
t0 = time.monotonic()
cut = None
for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
    try:
        slow.send(bytes([b]))
    except OSError:
        cut = time.monotonic() - t0
        break
    slow.settimeout(1)
    try:
        if slow.recv(4096) == b"":
            cut = time.monotonic() - t0
            break
    except socket.timeout:
        pass
    except ConnectionError:
        cut = time.monotonic() - t0
        break
print("slow", cut, flush=True)
PY
idle_s=$(sed -n 's/^idle //p' "$T/timeouts.out")
slow_s=$(sed -n 's/^slow //p' "$T/timeouts.out")
if [[ $idle_s != None && -n $idle_s ]] && awk -v s="$idle_s" 'BEGIN {exit !(s >= 2.5 && s < 6)}'; then
    pass "an idle connection is closed after --idle-timeout 3 (${idle_s} s)"
else
    fail "an idle connection is closed after --idle-timeout" "got '$idle_s' ($(cat "$T/timeouts.out"))"
fi
if [[ $slow_s != None && -n $slow_s ]] && awk -v s="$slow_s" 'BEGIN {exit !(s >= 7.5 && s < 12)}'; then
    pass "a client sending its head a byte a second outlives --idle-timeout 3 and is cut after --header-timeout 8 (${slow_s} s)"
else
    fail "a byte-a-second client is cut after --header-timeout 8" "got '$slow_s'"
fi
still_up "timeouts"

# ---- 600 slow clients (slow_clients.py: a header line a second, a head that never ends) ----
# /healthz must answer within 4 s (it takes milliseconds; the slow heads last 8 s), a
# normal request within 20 s.
# probe_ok NAME FILE PROBE: the probe got a 200 (within its wait).
probe_ok() {
    local got
    got=$(sed -n "s/^probe $3 //p" "$2")
    if [[ $got == "200 "* ]]; then
        got=${got#200 }
        pass "$1 (in ${got% *} s, after ${got#* } busy answers)"
    else
        fail "$1" "got '$got' ($(tr '\n' ' ' <"$2"))"
    fi
}
# From one address: it keeps its share (256, the default) and its half of the reserve (8);
# the rest are closed at once, and everyone else is served as usual.
python3 "$E2E_DIR/slow_clients.py" "$PORT" 600 1 4 20 >"$T/slow1.out" 2>&1
expect_eq "600 slow clients from one address connect" 600 "$(sed -n 's/^opened //p' "$T/slow1.out")"
expect_eq "the server keeps 256 + 8 of them and closes the other 336 at once" 336 \
    "$(sed -n 's/^refused //p' "$T/slow1.out")"
probe_ok "/healthz answers beside 600 slow clients from one address" "$T/slow1.out" healthz
probe_ok "a normal request answers beside 600 slow clients from one address" "$T/slow1.out" normal
expect_match "... without a busy answer" "$(sed -n 's/^probe normal //p' "$T/slow1.out")" ' 0$'
# From 10 addresses (60 each, under the share): they fill the pool (300) and the reserve (16).
# /healthz still answers (a slow head on the reserve gives way to it), a normal request gets
# 503 until --header-timeout 8 cuts the slow heads, then 200.
python3 "$E2E_DIR/slow_clients.py" "$PORT" 600 10 4 20 >"$T/slow10.out" 2>&1
expect_eq "600 slow clients from 10 addresses: 316 kept, 284 closed at once" 284 \
    "$(sed -n 's/^refused //p' "$T/slow10.out")"
probe_ok "/healthz answers while 600 slow clients hold every connection" "$T/slow10.out" healthz
probe_ok "a normal request answers once the slow heads are cut" "$T/slow10.out" normal
longest=$(sed -n 's/^longest //p' "$T/slow10.out")
if awk -v s="$longest" 'BEGIN {exit !(s != "" && s < 16)}'; then
    pass "no slow client outlives --header-timeout by much (longest ${longest} s)"
else
    fail "slow clients are cut after --header-timeout" "longest '$longest'"
fi
still_up "600 slow clients"

# One address (a reverse proxy, wrk -c256) gets 256 connections at once, all served; the
# 257th gets only the health check.
python3 - "$PORT" >"$T/share.out" 2>&1 <<'PY'
import socket, sys
port = int(sys.argv[1])
def conn():
    s = socket.socket()
    s.bind(("127.0.0.3", 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s
def status(s, path):
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(65536)
        if not chunk:
            return "closed"
        head += chunk
    return head.split(b" ")[1].decode()
conns = [conn() for _ in range(256)]
codes = [status(s, b"/api/status") for s in conns]
print("ok", codes.count("200"))
extra = conn()
print("extra", status(extra, b"/api/status"))
extra = conn()
print("extra-health", status(extra, b"/healthz"))
PY
expect_eq "256 connections from one address are all served" "ok 256" "$(grep '^ok' "$T/share.out")"
expect_eq "the 257th from that address gets 503" "extra 503" "$(grep '^extra ' "$T/share.out")"
expect_eq "... and /healthz on it" "extra-health 200" "$(grep '^extra-health' "$T/share.out")"

# ---- /metrics ----
curl -s -D "$T/metrics.h" -o "$T/metrics" "$BASE/metrics"
expect_contains "/metrics is Prometheus text" "$T/metrics.h" "text/plain; version=0.0.4"
expect_match "/metrics counts the 413s under the route pattern" "$T/metrics" \
    '^infludash_http_requests_total\{route="/api/demo",code="4xx"\} [1-9]'
expect_match "/metrics counts /api/dashboard 2xx" "$T/metrics" \
    '^infludash_http_requests_total\{route="/api/dashboard",code="2xx"\} [1-9]'
expect_match "/metrics counts the timeouts" "$T/metrics" '^infludash_http_timeouts_total [1-9]'
expect_match "/metrics counts the connections refused" "$T/metrics" \
    '^infludash_http_connections_refused_total [1-9]'
expect_match "/metrics shows the reserve in use" "$T/metrics" '^infludash_http_reserve_connections [0-9]+$'
expect_match "/metrics has the latency histogram" "$T/metrics" \
    '^infludash_http_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]'
expect_match "/metrics has rows per dataset" "$T/metrics" '^infludash_rows\{dataset="tracking_data"\} 2000$'
expect_match "/metrics counts engine loads" "$T/metrics" '^infludash_engine_loads_total\{result="ok"\} [1-9]'
curl -s -o /dev/null "$BASE/no-such-page-xyz"
curl -s -o "$T/metrics2" "$BASE/metrics"
expect_not_contains "/metrics never labels a raw path" "$T/metrics2" 'xyz'
expect_match "/metrics counts unmatched paths as one series" "$T/metrics2" \
    '^infludash_http_requests_total\{route="unmatched",code="4xx"\} [1-9]'

serve_stop
expect_eq "the server exits 0 on SIGTERM" 0 "$RC"
finish
