#!/usr/bin/env bash
# UI benchmark (issues 4, 21): cold loads of the dashboard in headless Debian chromium, at ROWS
# tracking rows (default 1,000,000): from the start of navigation to the dashboard API call,
# to the first KPI card shown and to every chart drawn. Generates sample data (seed 1) into a
# temporary SQLite database, starts `infludash serve`, waits for the data, then
# tests/browser/run.mjs with BENCH=RUNS loads / (after one warm-up) RUNS times, each in a new
# browser context (an empty cache), and prints each figure and the medians. Goal: under 1 s.
# usage: bench/ui.sh [ROWS]     environment: RUNS=5, INFLUDASH=build/infludash,
#   CHROMIUM=/usr/bin/chromium, READY_TIMEOUT=120 (seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
RUNS=${RUNS:-5}
BIN=${INFLUDASH:-build/infludash}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
READY_TIMEOUT=${READY_TIMEOUT:-120}
die() {
    echo "ui.sh: $*" >&2
    exit 1
}
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "not a row count: $ROWS"
[[ -x $BIN ]] || make all >/dev/null || die "cannot build $BIN"
[[ -x $CHROMIUM ]] || die "$CHROMIUM is missing: run scripts/deps.sh --test"
if [[ ! -d tests/browser/node_modules/playwright-core ]]; then
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in tests/browser failed"
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/infludash-ui-bench.XXXXXX")
PID=
cleanup() {
    [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT
"$BIN" demo --db "sqlite:$DIR/ui.db" --rows "$ROWS" --seed 1 >/dev/null || die "demo failed"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
"$BIN" serve --db "sqlite:$DIR/ui.db" --listen "127.0.0.1:$PORT" >"$DIR/server.log" 2>&1 &
PID=$!
for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/dashboard") == 200 ]] && break
    kill -0 "$PID" 2>/dev/null || die "the server exited: $(cat "$DIR/server.log")"
    sleep 0.1
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/dashboard") == 200 ]] || die "no data after ${READY_TIMEOUT}s"
counts=$(curl -s "$BASE/api/status" | python3 -c 'import json,sys; c=json.load(sys.stdin)["counts"]; print(" ".join(f"{k}={v}" for k,v in c.items()))')
echo "data: $counts"
BASE=$BASE CHROMIUM=$CHROMIUM ARTEFACTS=$DIR BENCH=$RUNS node tests/browser/run.mjs
