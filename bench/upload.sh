#!/usr/bin/env bash
# Upload benchmark (issue 19): a large tracking file (about 1 GB by default) sent to a running
# `infludash serve` through the same endpoint as the Upload page (POST /api/import/tracking,
# the file as the body), while the server's memory is sampled from /proc and the dashboard
# is asked over and over. It prints the file's size, the upload + import time, the server's
# peak memory (VmHWM, and the highest VmRSS sampled during the upload and the import), how
# often the dashboard answered meanwhile and its median and slowest answer, and the import
# progress (/api/import/progress) seen along the way. Goals of the issue: RSS under 300 MB,
# the dashboard answering, progress moving. There is no DuckDB side: DuckDB has no server.
# usage: bench/upload.sh [ROWS]     (default 8500000 tracking rows, about 1 GB as CSV; the
#   server's --max-upload-size is raised to fit whatever size ROWS gives)
# environment: INFLUDASH=build/infludash, KEEP=1 keeps the files.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-8500000}
BIN=${INFLUDASH:-build/infludash}
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || { echo "upload.sh: not a row count: $ROWS" >&2; exit 1; }
[[ -x $BIN ]] || make all >/dev/null
command -v curl >/dev/null || { echo "upload.sh: curl is needed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/infludash-upload.XXXXXX")
server_pid=
sampler_pid=
asker_pid=
cleanup() {
    for p in $asker_pid $sampler_pid $server_pid; do
        kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [[ ${KEEP:-0} == 1 ]]; then echo "files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
now() { date +%s.%N; }

echo "generating $ROWS tracking rows..."
"$BIN" demo --csv "$work/data" --rows "$ROWS" --seed 1 >/dev/null
file=$work/data/tracking_data.csv
size=$(stat -c %s "$file")
echo "  tracking_data.csv: $size bytes ($(awk -v s="$size" 'BEGIN {printf "%.2f", s / 1e9}') GB)"
# The other three datasets go in first, so the dashboard has influencers and payouts to show.
"$BIN" import --quiet --db "sqlite:$work/bench.db" "$work"/data/influencers.csv \
    "$work"/data/posts.csv "$work"/data/payouts.csv

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
console.log(s.address().port); s.close(); })')
base=http://127.0.0.1:$port
"$BIN" serve --db "sqlite:$work/bench.db" --listen "127.0.0.1:$port" \
    --max-upload-size $((size + 1048576)) >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/api/dashboard" || true) == 200 ]] && break
    sleep 0.1
done

# Memory: VmRSS every 0.2 s into rss.txt (kB).
(while kill -0 "$server_pid" 2>/dev/null; do
    awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || true
    sleep 0.2
done) >"$work/rss.txt" &
sampler_pid=$!
# The dashboard, asked one after another: "seconds http_code" per answer; and the import's
# progress every 0.5 s.
(while :; do
    curl -s -o /dev/null -w '%{time_total} %{http_code}\n' --max-time 30 \
        "$base/api/dashboard?platform=Instagram,YouTube&brand=MuscleBlaze" || echo "30 000"
    curl -s --max-time 5 "$base/api/import/progress" >>"$work/progress.jsonl" 2>/dev/null &&
        echo >>"$work/progress.jsonl"
    sleep 0.5
done) >"$work/dash.txt" &
asker_pid=$!

t=$(now)
code=$(curl -s -o "$work/answer.json" -w '%{http_code}' -H 'Content-Type: text/csv' \
    --data-binary @"$file" "$base/api/import/tracking?filename=tracking_data.csv")
import_s=$(awk -v a="$t" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
# The engine reloads after the commit: keep sampling until the dashboard shows the new rows.
# Before the import there are no tracking rows, so the dashboard's orders are 0 until the
# engine serves the new ones.
for _ in $(seq 1200); do
    orders=$(curl -s "$base/api/dashboard" | node -e 'let s = ""; process.stdin.on("data", d => s += d);
process.stdin.on("end", () => { try { console.log(JSON.parse(s).kpis.orders) } catch { console.log(0) } })')
    [[ $orders != 0 ]] && break
    sleep 0.5
done
reload_s=$(awk -v a="$t" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
kill "$asker_pid" 2>/dev/null || true
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
kill "$sampler_pid" 2>/dev/null || true

echo "upload + import: HTTP $code in $import_s s ($(head -c 300 "$work/answer.json"))"
echo "engine serving the new rows after: $reload_s s from the upload's start (orders: $orders)"
sort -n "$work/rss.txt" | tail -1 | awk '{printf "server peak VmRSS sampled: %.0f MiB\n", $1 / 1024}'
awk -v h="$hwm" 'BEGIN {printf "server VmHWM: %.0f MiB (goal: under 300 MB)\n", h / 1024}'
bad=$(awk '$2 != 200' "$work/dash.txt" | wc -l)
awk '{print $1 * 1000}' "$work/dash.txt" | sort -n | awk -v bad="$bad" '{t[++n] = $1} END {
    printf "dashboard during the upload and import: %d answers, %d not 200, median %.1f ms, max %.1f ms\n",
    n, bad, t[int((n + 1) / 2)], t[n]}'
grep -o '"bytes_done":[0-9]*' "$work/progress.jsonl" | sort -u | wc -l |
    awk '{print "distinct progress values seen (bytes_done): " $1}'
