#!/usr/bin/env bash
# limits.sh — the HTTP server's limits with hostile clients (issue 7): malformed requests get
# a 4xx and never take the server down, bodies over the cap get 413 with a JSON error
# (Content-Length and chunked), 200 idle connections do not block others, idle and
# byte-per-second clients are cut after --idle-timeout, and /metrics counts the 4xx seen.
# Needs INFLUDASH, curl and python3. Prints "N passed, N failed".
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

serve_start "$T/db.sqlite" --sample-if-empty --sample-rows 2000 --idle-timeout 3 \
    --max-body-size 1000 || { fail "server starts" "see $T/server.log"; finish; }
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
if [[ $code == 413 || $code == 000 ]]; then
    pass "chunked body over the cap is refused (HTTP $code)"
else
    fail "chunked body over the cap is refused" "got HTTP $code"
fi
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

# ---- timeouts (--idle-timeout 3) ----
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
for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 20:
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
if [[ $slow_s != None && -n $slow_s ]] && awk -v s="$slow_s" 'BEGIN {exit !(s >= 2.5 && s < 7)}'; then
    pass "a client sending its head a byte a second is cut after the timeout (${slow_s} s)"
else
    fail "a byte-a-second client is cut after the timeout" "got '$slow_s'"
fi
still_up "timeouts"

# ---- /metrics ----
curl -s -D "$T/metrics.h" -o "$T/metrics" "$BASE/metrics"
expect_contains "/metrics is Prometheus text" "$T/metrics.h" "text/plain; version=0.0.4"
expect_match "/metrics counts the 413s under the route pattern" "$T/metrics" \
    '^infludash_http_requests_total\{route="/api/demo",code="4xx"\} [1-9]'
expect_match "/metrics counts /api/dashboard 2xx" "$T/metrics" \
    '^infludash_http_requests_total\{route="/api/dashboard",code="2xx"\} [1-9]'
expect_match "/metrics counts the timeouts" "$T/metrics" '^infludash_http_timeouts_total [1-9]'
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
