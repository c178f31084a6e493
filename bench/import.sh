#!/usr/bin/env bash
# Import benchmark: infludash importing the four datasets (ROWS tracking rows) into a new
# SQLite database, validating and durable, against DuckDB loading the same CSV files into
# memory with read_csv, in the same run. Prints each side's median and the ratio, and the
# peak memory of an infludash import.
# usage: bench/import.sh [ROWS] [RUNS]     (defaults: 1000000 rows, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
RUNS=${2:-5}
BIN=build/infludash
[[ -x $BIN ]] || make all >/dev/null
[[ -d bench/node_modules/@duckdb/node-api ]] ||
    (cd bench && npm install --no-audit --no-fund --silent)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "generating $ROWS tracking rows of sample data..."
$BIN demo --csv "$work" --rows "$ROWS" --seed 1
ls -l "$work"/*.csv | awk '{printf "  %-20s %10d bytes\n", $9, $5}' | sed "s|$work/||"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "infludash import ($RUNS runs)..."
ours=()
peak=0
for ((r = 0; r < RUNS; r++)); do
    rm -f "$work"/bench.db*
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" $BIN import --quiet --db "sqlite:$work/bench.db" \
        "$work"/influencers.csv "$work"/posts.csv "$work"/tracking_data.csv "$work"/payouts.csv
    t1=$(date +%s.%N)
    ours+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
    rss=$(cat "$work/rss")
    ((rss > peak)) && peak=$rss
done
echo "duckdb read_csv into memory ($RUNS runs)..."
duck_json=$(cd bench && node duckdb_load.mjs "$work" "$RUNS")
duck=($(echo "$duck_json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' | tr ',' ' '))

ours_med=$(printf '%s\n' "${ours[@]}" | median)
duck_med=$(printf '%s\n' "${duck[@]}" | median)
echo
printf 'infludash import : median %.3f s  (runs: %s)\n' "$ours_med" "$(printf '%.3f ' "${ours[@]}")"
printf 'duckdb read_csv  : median %.3f s  (runs: %s)\n' "$duck_med" "$(printf '%.3f ' "${duck[@]}")"
printf 'ratio infludash/duckdb: %.2f  (goal <= 1.0)\n' "$(awk -v a="$ours_med" -v b="$duck_med" 'BEGIN {print a / b}')"
printf 'infludash peak RSS: %d MB  (goal < 200 MB)\n' $((peak / 1024))
