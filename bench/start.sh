#!/usr/bin/env bash
# Server start benchmark (issue 19): the time from exec of `infludash serve` to the first 200
# from GET /api/dashboard, and the server's peak memory (VmHWM) when it answers, RUNS times
# each way:
#  - cold: no engine cache beside the database (a first start, or the first after an
#    import): the engine is loaded from the stored rows, then the cache is written;
#  - warm: the cache written by the cold start before, read instead of the rows;
#  - after an import: APPEND more tracking rows (new ids, demo data of seed 2) imported by
#    `infludash import` while the server is down, into the database whose cache is current
#    (each run appends another APPEND rows), then a start: on SQLite the import extended the
#    engine file when it was at most 64 MB, else the start extends the cache's engine by
#    the appended rows (PostgreSQL too, from its --engine-cache file);
#  - after a fresh import: the four CSV files (demo data of seed 1, or CSV=DIR) imported by
#    `infludash import` into a new SQLite database, then its first start, which reads the
#    engine file the import left (only with generated rows, or CSV given).
# Prints every run and the medians. Given no database, generates one (demo data, seed 1).
# The after-import case writes to the database: with a DB_FILE or URL given it runs only
# when APPEND is set.
# A PostgreSQL URL is served with --engine-cache in the temporary directory (it has no file
# beside it), e.g. under scripts/pg-test.sh: bench/start.sh "$INFLUDASH_TEST_PG".
# usage: bench/start.sh [DB_FILE | postgresql://URL | ROWS]   (default: 10000000 generated rows)
# environment: RUNS=3, READY_TIMEOUT=120 (seconds), INFLUDASH=build/infludash,
#   APPEND=100000 (rows per after-import run; 0: no such runs), FRESH=1 (0: no runs after a
#   fresh import), CSV=DIR (the fresh imports' files; default: generated, ROWS of seed 1),
#   PORT (the servers' port; default: a free one)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
READY_TIMEOUT=${READY_TIMEOUT:-120}
BIN=${INFLUDASH:-build/infludash}
arg=${1:-10000000}
if [[ $arg =~ ^[0-9]+$ ]]; then
    APPEND=${APPEND:-100000}
    FRESH=${FRESH:-1}
else
    APPEND=${APPEND:-0}
    FRESH=${FRESH:-${CSV:+1}}
    FRESH=${FRESH:-0}
fi
CSV=${CSV:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/infludash-start.XXXXXX")
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
free_port() { [[ -n ${PORT:-} ]] && { echo "$PORT"; return; }; node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
console.log(s.address().port); s.close(); })'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

cache_args=()
if [[ $arg == postgres://* || $arg == postgresql://* ]]; then
    url=$arg
    cache=$work/pg.engine
    cache_args=(--engine-cache "$cache")
elif [[ -f $arg ]]; then
    url=sqlite:$arg
    cache=$arg.engine
else
    url=sqlite:$work/start.db
    cache=$work/start.db.engine
    t=$(now)
    "$BIN" demo --db "$url" --rows "$arg" --seed 1 >/dev/null
    echo "generated $arg tracking rows in $(elapsed "$t") s"
fi

# One start: prints "SECONDS VMHWM_MB"; stops the server once the cache is written (cold) or
# at once (warm), so that runs do not overlap.
one_start() {
    local log=$work/serve.log code t port
    port=$(free_port)
    t=$(now)
    "$BIN" serve --db "$url" --listen "127.0.0.1:$port" "${cache_args[@]}" >"$log" 2>&1 &
    server_pid=$!
    local started=$SECONDS
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$READY_TIMEOUT" \
            "http://127.0.0.1:$port/api/dashboard" || true)
        [[ $code == 200 ]] && break
        if ! kill -0 "$server_pid" 2>/dev/null || ((SECONDS - started > READY_TIMEOUT)); then
            echo "start.sh: no 200 from GET /api/dashboard; the server's log:" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        sleep 0.05 # polling takes CPU from the loading server: "ready" is exact to ~0.05 s
    done
    local ready hwm
    ready=$(elapsed "$t")
    hwm=$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$server_pid/status")
    while ! grep -q "engine cache written\|engine cache (\|next start loads" "$log" &&
        kill -0 "$server_pid" 2>/dev/null && ((SECONDS - started < 2 * READY_TIMEOUT)); do
        sleep 0.2
    done
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    grep -o "data loaded in [0-9]* ms[a-z ]*\|extended by the [0-9]* tracking rows\|engine cache written in [0-9]* ms" \
        "$log" | sed 's/^/    /' >&2
    echo "$ready $hwm"
}

declare -a cold_s cold_mb warm_s warm_mb
for ((i = 1; i <= RUNS; i++)); do
    rm -f "$cache"
    read -r s mb < <(one_start)
    cold_s+=("$s")
    cold_mb+=("$mb")
    echo "cold run $i: first answer $s s after exec, VmHWM $mb MB"
    read -r s mb < <(one_start)
    warm_s+=("$s")
    warm_mb+=("$mb")
    echo "warm run $i: first answer $s s after exec, VmHWM $mb MB"
done
declare -a after_s after_mb
if ((APPEND > 0)); then
    "$BIN" demo --csv "$work/append" --rows "$APPEND" --seed 2 >/dev/null
    for ((i = 1; i <= RUNS; i++)); do
        # new tracking ids: appended rows, none replacing a stored one
        sed "1!s/^/A$i-/" "$work/append/tracking_data.csv" >"$work/append-$i.csv"
        t=$(now)
        "$BIN" import --quiet --db "$url" --dataset tracking_data "$work/append-$i.csv"
        echo "after-import run $i: imported $APPEND rows in $(elapsed "$t") s"
        read -r s mb < <(one_start)
        after_s+=("$s")
        after_mb+=("$mb")
        echo "after-import run $i: first answer $s s after exec, VmHWM $mb MB"
    done
fi
declare -a fresh_s fresh_mb fresh_imp
if ((FRESH > 0)); then
    if [[ -z $CSV ]]; then
        CSV=$work/csv
        "$BIN" demo --csv "$CSV" --rows "$arg" --seed 1 >/dev/null
    fi
    saved_url=$url
    url=sqlite:$work/fresh.db
    for ((i = 1; i <= RUNS; i++)); do
        rm -f "$work/fresh.db" "$work/fresh.db-wal" "$work/fresh.db-shm" "$work/fresh.db.engine"
        t=$(now)
        "$BIN" import --quiet --db "$url" "$CSV/influencers.csv" "$CSV/posts.csv" \
            "$CSV/tracking_data.csv" "$CSV/payouts.csv"
        fresh_imp+=("$(elapsed "$t")")
        echo "fresh-import run $i: imported in ${fresh_imp[-1]} s" \
            "(engine file: $(du -h "$work/fresh.db.engine" 2>/dev/null | cut -f1 || echo none))"
        read -r s mb < <(one_start)
        fresh_s+=("$s")
        fresh_mb+=("$mb")
        echo "fresh-import run $i: first answer $s s after exec, VmHWM $mb MB"
    done
    url=$saved_url
fi
echo "cache file: $(du -h "$cache" | cut -f1)"
echo "median cold: $(median "${cold_s[@]}") s, VmHWM $(median "${cold_mb[@]}") MB"
echo "median warm: $(median "${warm_s[@]}") s, VmHWM $(median "${warm_mb[@]}") MB  (goal < 3 s, issue 19)"
if ((APPEND > 0)); then
    echo "median after an import of $APPEND rows: $(median "${after_s[@]}") s, VmHWM $(median "${after_mb[@]}") MB  (goal < 3 s, issue 19)"
fi
if ((FRESH > 0)); then
    echo "median first start after a fresh import into a new database: $(median "${fresh_s[@]}") s, VmHWM $(median "${fresh_mb[@]}") MB  (goal < 3 s, issue 19; the imports $(median "${fresh_imp[@]}") s)"
fi
