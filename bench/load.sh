#!/usr/bin/env bash
# Load benchmark (issue 7): a bounded wrk run on loopback against /api/dashboard (with
# bench/dashboard.lua, a new date range per request), /, /assets/main.js and /api/status.
# Generates its own sample data (demo --rows ROWS) in a temporary directory, removed at the
# end. Prints requests/s, p50/p90/p99 latency and errors (non-2xx, socket) per endpoint;
# exits 1 when any endpoint saw an error (the goal is zero).
# usage: bench/load.sh   environment: ROWS=1000000 THREADS=2 CONNECTIONS=64 DURATION=10s
#                                     INFLUDASH=build/infludash
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
BIN=${INFLUDASH:-build/infludash}
command -v wrk >/dev/null || { echo "load.sh: wrk is needed (apt-get install wrk)" >&2; exit 1; }
[[ -x $BIN ]] || make all >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/infludash-load.XXXXXX")
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "generating $ROWS tracking rows..."
"$BIN" demo --db "sqlite:$work/load.db" --rows "$ROWS" --seed 1 >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --db "sqlite:$work/load.db" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1200); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/api/dashboard") == 200 ]] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "load.sh: the server exited" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done

# The same WRK_RESULT line as dashboard.lua, for the fixed-path endpoints.
cat >"$work/fixed.lua" <<'LUA'
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format('WRK_RESULT %d %d %d %d %d %d %d %d %d %d\n', summary.requests,
      summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
LUA
# dashboard.lua prints JSON; turn it into the same fields.
to_fields() {
    python3 -c 'import json, sys
for line in sys.stdin:
    if line.startswith("WRK_RESULT {"):
        j = json.loads(line[11:]); l = j["latency_us"]
        print("WRK_RESULT", j["requests"], j["duration_us"], j["non2xx"], j["connect_errors"],
              j["read_errors"], j["write_errors"], j["timeouts"], l["p50"], l["p90"], l["p99"])
    elif line.startswith("WRK_RESULT "):
        print(line.strip())'
}

rows=()
errors_total=0
run() {
    local name=$1 script=$2 path=$3 out
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION $name ..."
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s "$script" "$base$path" | to_fields)
    read -r _ n us non2xx conn rd wr to p50 p90 p99 <<<"$(grep '^WRK_RESULT' <<<"$out")"
    local errs=$((non2xx + conn + rd + wr + to))
    errors_total=$((errors_total + errs))
    rows+=("$(printf '%-16s %10.0f %9.2f %9.2f %9.2f %8d %8d' "$name" \
        "$(awk -v n="$n" -v us="$us" 'BEGIN {print n / (us / 1e6)}')" \
        "$(awk -v x="$p50" 'BEGIN {print x / 1e3}')" "$(awk -v x="$p90" 'BEGIN {print x / 1e3}')" \
        "$(awk -v x="$p99" 'BEGIN {print x / 1e3}')" "$non2xx" "$((conn + rd + wr + to))")")
}
run /api/dashboard bench/dashboard.lua /api/dashboard
run / "$work/fixed.lua" /
run /assets/main.js "$work/fixed.lua" /assets/main.js
run /api/status "$work/fixed.lua" /api/status

echo
echo "== $ROWS tracking rows, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, loopback"
printf '%-16s %10s %9s %9s %9s %8s %8s\n' endpoint req/s p50_ms p90_ms p99_ms non2xx socket
printf '%s\n' "${rows[@]}"
echo "server /metrics (includes the 503s answered while the data loaded):"
curl -s "$base/metrics" | grep -E "^infludash_http_(errors|timeouts)_total" || true
((errors_total == 0)) || { echo "load.sh: $errors_total errors (goal 0)" >&2; exit 1; }
