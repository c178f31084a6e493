#!/usr/bin/env bash
# Import benchmark: infludash importing the four datasets (ROWS tracking rows) into a new
# SQLite database, validating and durable, against DuckDB loading the same CSV files into
# memory with read_csv, in the same run. Prints each side's median and the ratio, and the
# peak memory of an infludash import.
# With BENCH_PG=1 the same import also goes into PostgreSQL: a throwaway server started by
# scripts/pg-test.sh (fsync on, so commits are durable as SQLite's), or the one named by
# BENCH_PG_URL (a new database bench_import is made there for each run).
# usage: bench/import.sh [ROWS] [RUNS]     (defaults: 1000000 rows, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${BENCH_PG:-0} == 1 && -z ${BENCH_PG_URL:-} ]]; then
    if [[ -z ${INFLUDASH_TEST_PG:-} ]]; then
        PG_TEST_FSYNC=on exec scripts/pg-test.sh "$0" "$@"
    fi
    BENCH_PG_URL=$INFLUDASH_TEST_PG
fi
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
pgs=()
if [[ -n ${BENCH_PG_URL:-} ]]; then
    echo "infludash import into PostgreSQL ($RUNS runs)..."
    sep='?'
    [[ $BENCH_PG_URL == *\?* ]] && sep='&'
    for ((r = 0; r < RUNS; r++)); do
        psql -X -q "$BENCH_PG_URL" -c "DROP DATABASE IF EXISTS bench_import WITH (FORCE)" \
            -c "CREATE DATABASE bench_import"
        t0=$(date +%s.%N)
        $BIN import --quiet --db "$BENCH_PG_URL${sep}dbname=bench_import" \
            "$work"/influencers.csv "$work"/posts.csv "$work"/tracking_data.csv "$work"/payouts.csv
        t1=$(date +%s.%N)
        pgs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
    done
    psql -X -q "$BENCH_PG_URL" -c "DROP DATABASE IF EXISTS bench_import WITH (FORCE)"
fi
echo "duckdb read_csv into memory ($RUNS runs)..."
duck_json=$(cd bench && node duckdb_load.mjs "$work" "$RUNS")
duck=($(echo "$duck_json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' | tr ',' ' '))

ours_med=$(printf '%s\n' "${ours[@]}" | median)
duck_med=$(printf '%s\n' "${duck[@]}" | median)
echo
printf 'infludash import : median %.3f s  (runs: %s)\n' "$ours_med" "$(printf '%.3f ' "${ours[@]}")"
if ((${#pgs[@]} > 0)); then
    printf 'infludash → PG   : median %.3f s  (runs: %s)\n' "$(printf '%s\n' "${pgs[@]}" | median)" \
        "$(printf '%.3f ' "${pgs[@]}")"
fi
printf 'duckdb read_csv  : median %.3f s  (runs: %s)\n' "$duck_med" "$(printf '%.3f ' "${duck[@]}")"
printf 'ratio infludash/duckdb: %.2f  (goal <= 1.0)\n' "$(awk -v a="$ours_med" -v b="$duck_med" 'BEGIN {print a / b}')"
printf 'infludash peak RSS: %d MB  (goal < 200 MB)\n' $((peak / 1024))
