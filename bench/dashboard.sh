#!/usr/bin/env bash
# Dashboard benchmark (issue 3): infludash serving GET /api/dashboard against DuckDB computing
# the same figures with SQL over the same data, in the same run. Per size (tracking rows):
#  - generates the sample data once (seed 1): CSV for DuckDB, imported into SQLite for infludash;
#  - starts `infludash serve` and times exec → first 200 from /api/dashboard ("ready");
#  - bench/dashboard_duckdb.mjs asks both for the same REQUESTS date ranges (Instagram and
#    YouTube, MuscleBlaze, a different range inside 2025 each time) over a keep-alive
#    connection and warm in-memory DuckDB, checks the answers agree, and times them;
#  - reads the server's peak memory (VmHWM);
#  - times them with `serve --answer-cache 0` (every answer computed, as DuckDB computes);
#  - at WRK_ROWS, restarts it as it runs by default (keeping its answers) and measures
#    throughput with wrk: bench/dashboard.lua (a new date range per request) and one fixed
#    dashboard asked by every connection, open and signed in.
# Exits non-zero when any answer differs from DuckDB's (after printing the figures), or
# when the server does not come up.
# usage: bench/dashboard.sh [ROWS...]        (default: 1000000 10000000)
# environment: REQUESTS=200 date ranges, RUNS=1 timed passes over them, WRK_ROWS=1000000
#   (sizes that get the wrk run; empty for none), WRK_THREADS=2, WRK_CONNECTIONS=64,
#   WRK_DURATION=10s, READY_TIMEOUT=120 (seconds), INFLUDASH=build/infludash,
#   KEEP=1 keeps the generated data (its directory is printed).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
((${#SIZES[@]})) || SIZES=(1000000 10000000)
REQUESTS=${REQUESTS:-200}
RUNS=${RUNS:-1}
WRK_ROWS=${WRK_ROWS-1000000}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
WRK_DURATION=${WRK_DURATION:-10s}
READY_TIMEOUT=${READY_TIMEOUT:-120}
BIN=${INFLUDASH:-build/infludash}
QUERY='platform=Instagram,YouTube&brand=MuscleBlaze'

die() {
    echo "dashboard.sh: $*" >&2
    exit 1
}
for n in "${SIZES[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "not a row count: $n"
done
[[ -x $BIN ]] || make all >/dev/null || die "cannot build $BIN"
command -v node >/dev/null || die "node is needed (DuckDB runs in node)"
command -v curl >/dev/null || die "curl is needed"
[[ -d bench/node_modules/@duckdb/node-api ]] ||
    (cd bench && npm install --no-audit --no-fund --silent) || die "npm install failed in bench/"

work=$(mktemp -d "${TMPDIR:-/tmp}/infludash-dashboard.XXXXXX")
# For wrk runs of one fixed path: dashboard.lua's report alone.
sed -n '/^function done/,$p' bench/dashboard.lua >"$work/fixed.lua"
server_pid=
stop_server() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() {
    stop_server
    if [[ -n ${KEEP:-} ]]; then
        echo "data kept in $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}'; }
# A field of a JSON document (path as JS: .a.b), printed as is; "null" when absent.
json() { node -e 'let v = JSON.parse(process.argv[1]);
for (const k of process.argv[2].split(".").filter(Boolean)) v = v == null ? v : v[k];
console.log(typeof v === "string" || typeof v === "number" ? String(v) : JSON.stringify(v ?? null))' "$1" "$2"; }
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
console.log(s.address().port); s.close(); })'; }
fmt_ms() { awk -v x="$1" 'BEGIN {printf "%.2f ms", x}'; }

# Generates the data of one size into $1: the CSV files, then the same files imported into
# $1/bench.db (so that both sides read identical rows).
generate() {
    local dir=$1 rows=$2 t
    mkdir -p "$dir"
    t=$(now)
    "$BIN" demo --csv "$dir" --rows "$rows" --seed 1 >/dev/null
    echo "  generated CSV in $(elapsed "$t") s: $(du -sh "$dir" | cut -f1)"
    t=$(now)
    "$BIN" import --quiet --db "sqlite:$dir/bench.db" "$dir"/influencers.csv "$dir"/posts.csv \
        "$dir"/tracking_data.csv "$dir"/payouts.csv
    echo "  imported into SQLite in $(elapsed "$t") s: $(du -h "$dir/bench.db" | cut -f1)"
}

# Starts the server on $1 (database; $3: more serve options) and waits for GET
# /api/dashboard to answer 200; sets server_pid, port and ready_s.
start_server() {
    local db=$1 log=$2 code=000 t
    local -a more=()
    [[ -n ${3:-} ]] && read -ra more <<<"$3"
    port=$(free_port)
    t=$(now)
    local started=$SECONDS
    "$BIN" serve --db "sqlite:$db" --listen "127.0.0.1:$port" "${more[@]}" >"$log" 2>&1 &
    server_pid=$!
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$READY_TIMEOUT" \
            "http://127.0.0.1:$port/api/dashboard" || true)
        [[ $code == 200 ]] && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            wait "$server_pid" && rc=0 || rc=$?
            server_pid=
            echo "dashboard.sh: the server exited (status $rc) before answering; its log:" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        if ((SECONDS - started > READY_TIMEOUT)); then
            echo "dashboard.sh: GET /api/dashboard gave no 200 within ${READY_TIMEOUT} s" \
                "(last answer: HTTP $code); the server's log:" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        # Polling costs CPU the loading server needs (2 cores): every 0.1 s, so "ready" is
        # exact to about 0.1 s.
        sleep 0.1
    done
    ready_s=$(elapsed "$t")
}

# wrk_run TITLE PATH WRK-ARGS... : a wrk run on /api/dashboard (or PATH) printing requests/s,
# latency and errors; sets rps.
wrk_run() {
    local title=$1 path=${2:-/api/dashboard} out w
    shift 2
    echo "  wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION, $title:"
    out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" "$@" \
        "http://127.0.0.1:$port$path") || die "wrk failed: $out"
    w=$(sed -n 's/^WRK_RESULT //p' <<<"$out")
    [[ -n $w ]] || die "no result from wrk: $out"
    rps=$(awk -v n="$(json "$w" .requests)" -v us="$(json "$w" .duration_us)" \
        'BEGIN {printf "%.0f", n / (us / 1e6)}')
    echo "    requests/s             : $rps  (goal >= 5000)"
    echo "    latency                : p50 $(fmt_ms "$(json "$w" .latency_us.p50)e-3")," \
        "p90 $(fmt_ms "$(json "$w" .latency_us.p90)e-3"), p99 $(fmt_ms "$(json "$w" .latency_us.p99)e-3")," \
        "max $(fmt_ms "$(json "$w" .latency_us.max)e-3")"
    echo "    errors                 : non-2xx $(json "$w" .non2xx), connect $(json "$w" .connect_errors)," \
        "read $(json "$w" .read_errors), write $(json "$w" .write_errors), timeouts $(json "$w" .timeouts)  (goal 0)"
}

vm_hwm_mb() { awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

declare -A SUMMARY
failed=0
for rows in "${SIZES[@]}"; do
    echo "== $rows tracking rows"
    dir=$work/$rows
    generate "$dir" "$rows"
    # The latencies are the engine's: no answer kept to be given again (the untimed pass
    # asks every range first), as DuckDB keeps none.
    start_server "$dir/bench.db" "$dir/server.log" "--answer-cache 0"
    echo "  server ready (GET /api/dashboard → 200) $ready_s s after exec, port $port"
    ready_first=$ready_s # the wrk runs restart it

    echo "  $REQUESTS date ranges × $RUNS timed pass(es), infludash then DuckDB..."
    result=$(node bench/dashboard_duckdb.mjs --csv "$dir" --url "http://127.0.0.1:$port" \
        --requests "$REQUESTS" --runs "$RUNS") || die "the client failed"
    kill -0 "$server_pid" 2>/dev/null || die "the server died during the run (see $dir/server.log)"
    hwm=$(vm_hwm_mb "$server_pid")

    ours=$(json "$result" .infludash.median)
    duck=$(json "$result" .duckdb.median)
    ratio=$(awk -v a="$duck" -v b="$ours" 'BEGIN {printf "%.1f", a / b}')
    mismatches=$(json "$result" .mismatches)
    echo "  infludash /api/dashboard : median $(fmt_ms "$ours"), p90 $(fmt_ms "$(json "$result" .infludash.p90)")"
    echo "  duckdb SQL (warm)        : median $(fmt_ms "$duck"), p90 $(fmt_ms "$(json "$result" .duckdb.p90)")"
    echo "  ratio duckdb/infludash   : ${ratio}×  (goal >= 20×)"
    echo "  ready                    : $ready_s s  (goal < 3 s at 10M, issue 19)"
    echo "  server VmHWM             : $hwm MB  (goal < 512 MB at 10M, issue 19)"
    echo "  answers checked          : $(json "$result" .checked) ranges, $mismatches mismatching"
    if ((mismatches > 0)); then
        echo "  first mismatch           : $(json "$result" .first_mismatch)"
        failed=1
    fi
    rps_col=-

    if [[ " $WRK_ROWS " == *" $rows "* ]]; then
        if command -v wrk >/dev/null; then
            # The server as it runs by default, keeping its answers (serve --answer-cache).
            stop_server
            start_server "$dir/bench.db" "$dir/server-wrk.log"
            fixed="/api/dashboard?platform=Instagram,YouTube&brand=MuscleBlaze&from=2025-03-01&to=2025-05-31"
            wrk_run "a new date range per request" "" -s bench/dashboard.lua
            rps_new=$rps
            echo "  server VmHWM after wrk   : $(vm_hwm_mb "$server_pid") MB"
            wrk_run "one dashboard asked by every connection ($fixed)" "$fixed" -s "$work/fixed.lua"
            rps_fixed=$rps
            # The same signed in: every request then checks its session in the accounts
            # database (docs/accounts.md). Adding a user closes the open installation.
            printf 'bench-password-1\n' | "$BIN" user add bench --role viewer \
                --db "sqlite:$dir/bench.db" >/dev/null || die "user add failed"
            sleep 1.2 # the server looks at the accounts once a second
            cookie=$(curl -s -o /dev/null -c - -d username=bench -d password=bench-password-1 \
                "http://127.0.0.1:$port/login" | awk '$6 == "infludash_session" {print $7}')
            [[ -n $cookie ]] || die "signing in failed"
            wrk_run "signed in, a new date range per request" "" \
                -H "Cookie: infludash_session=$cookie" -s bench/dashboard.lua
            rps_new_auth=$rps
            wrk_run "signed in, one dashboard" "$fixed" -H "Cookie: infludash_session=$cookie" \
                -s "$work/fixed.lua"
            rps_fixed_auth=$rps
            rps_col="$rps_fixed/s one, $rps_new/s new ($rps_fixed_auth/s, $rps_new_auth/s signed in)"
        else
            echo "  wrk is not installed: throughput not measured (apt-get install wrk)"
        fi
    fi
    SUMMARY[$rows]="$(printf '%12s  %10s  %10s  %7s×  %8s s  %7s MB  %10s  %s' "$rows" \
        "$(fmt_ms "$ours")" "$(fmt_ms "$duck")" "$ratio" "$ready_first" "$hwm" "$rps_col" "$mismatches")"
    stop_server
    [[ -n ${KEEP:-} ]] || rm -rf "$dir"
done

echo
echo "== summary (median latency per dashboard; ratio = duckdb/infludash)"
printf '%12s  %10s  %10s  %8s  %10s  %10s  %10s  %s\n' rows infludash duckdb ratio ready VmHWM wrk mismatches
for rows in "${SIZES[@]}"; do
    echo "${SUMMARY[$rows]}"
done
exit "$failed"
