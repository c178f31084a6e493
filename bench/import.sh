#!/usr/bin/env bash
# Import benchmark: infludash importing the four datasets (ROWS tracking rows) into a new
# SQLite database, validating and durable, against DuckDB loading the same CSV files into
# memory with read_csv, in the same run. Two cases, each with its own figures:
#  - "with tracking_id": the generated files as they are (sequential ids);
#  - "no tracking_id": the same files with tracking_data.csv's tracking_id column removed,
#    as most real exports come, so that infludash generates the ids (the row's place in the
#    file and a content hash, "T0000000001-33805c5a37ac308d").
# Per case it prints each side's median and runs, the ratio, the same for CPU time (user +
# system of all threads: on a machine shared with other work the wall times of both sides
# move with the load, their CPU times much less), the peak memory of an
# infludash import (/usr/bin/time), and, when strace is installed, the pwrite calls of one
# more import (strace -c -f; that run is not timed).
# With BENCH_PG=1 the same imports also go into PostgreSQL: a throwaway server started by
# scripts/pg-test.sh (fsync on, so commits are durable as SQLite's), or the one named by
# BENCH_PG_URL (a new database bench_import is made there for each run); the ratio to the
# SQLite median is printed (goal: at most 2).
# usage: bench/import.sh [ROWS] [RUNS]     (defaults: 1000000 rows, 5 runs)
# environment: CASES="id noid" (the cases to run), KEEP=1 keeps the generated files,
# INFLUDASH=PATH the binary to time (default build/infludash).
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
CASES=${CASES:-id noid}
BIN=${INFLUDASH:-build/infludash}
[[ -x $BIN ]] || make all >/dev/null
[[ -d bench/node_modules/@duckdb/node-api ]] ||
    (cd bench && npm install --no-audit --no-fund --silent)
work=$(mktemp -d "${TMPDIR:-/tmp}/infludash-import.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then
    echo "files kept in $work"
else
    trap 'rm -rf "$work"' EXIT
fi

echo "generating $ROWS tracking rows of sample data..."
$BIN demo --csv "$work/id" --rows "$ROWS" --seed 1
# The case without ids: tracking_id is the generated file's first column, and its fields
# are never quoted (checked), so cutting at the first comma removes exactly that column.
mkdir "$work/noid"
head -c 12 "$work/id/tracking_data.csv" | grep -q '^tracking_id,' ||
    { echo "import.sh: tracking_id is not the first column" >&2; exit 1; }
if grep -q '"' "$work/id/tracking_data.csv"; then
    echo "import.sh: tracking_data.csv has quoted fields; cannot cut its first column" >&2
    exit 1
fi
cut -d, -f2- "$work/id/tracking_data.csv" >"$work/noid/tracking_data.csv"
for f in influencers posts payouts; do ln "$work/id/$f.csv" "$work/noid/$f.csv"; done
for c in id noid; do
    ls -l "$work/$c"/tracking_data.csv | awk -v c="$c" '{printf "  %-4s %-20s %10d bytes\n", c, "tracking_data.csv", $5}'
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
files() { echo "$work/$1"/influencers.csv "$work/$1"/posts.csv "$work/$1"/tracking_data.csv "$work/$1"/payouts.csv; }

summary=()
for c in $CASES; do
    case $c in
    id) label="with tracking_id" ;;
    noid) label="no tracking_id" ;;
    *) echo "import.sh: unknown case $c (id or noid)" >&2; exit 1 ;;
    esac
    echo
    echo "== $label: infludash import ($RUNS runs)..."
    ours=()
    ours_cpu=()
    peak=0
    for ((r = 0; r < RUNS; r++)); do
        rm -f "$work"/bench.db*
        t0=$(date +%s.%N)
        # shellcheck disable=SC2046
        /usr/bin/time -f "%M %U %S" -o "$work/rss" $BIN import --quiet --db "sqlite:$work/bench.db" $(files "$c")
        t1=$(date +%s.%N)
        ours+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
        read -r rss user sys <"$work/rss"
        ours_cpu+=("$(awk -v a="$user" -v b="$sys" 'BEGIN {print a + b}')")
        ((rss > peak)) && peak=$rss
    done
    pwrites=
    if command -v strace >/dev/null; then
        rm -f "$work"/bench.db*
        # shellcheck disable=SC2046
        strace -c -f -e trace=pwrite64 -o "$work/strace" $BIN import --quiet \
            --db "sqlite:$work/bench.db" $(files "$c")
        pwrites=$(awk '$NF == "pwrite64" {print $4}' "$work/strace")
    fi
    rm -f "$work"/bench.db*
    pgs=()
    if [[ -n ${BENCH_PG_URL:-} ]]; then
        echo "== $label: infludash import into PostgreSQL ($RUNS runs)..."
        sep='?'
        [[ $BENCH_PG_URL == *\?* ]] && sep='&'
        for ((r = 0; r < RUNS; r++)); do
            psql -X -q "$BENCH_PG_URL" -c "DROP DATABASE IF EXISTS bench_import WITH (FORCE)" \
                -c "CREATE DATABASE bench_import"
            t0=$(date +%s.%N)
            # shellcheck disable=SC2046
            $BIN import --quiet --db "$BENCH_PG_URL${sep}dbname=bench_import" $(files "$c")
            t1=$(date +%s.%N)
            pgs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
        done
        psql -X -q "$BENCH_PG_URL" -c "DROP DATABASE IF EXISTS bench_import WITH (FORCE)"
    fi
    echo "== $label: duckdb read_csv into memory ($RUNS runs)..."
    duck_json=$(cd bench && node duckdb_load.mjs "$work/$c" "$RUNS")
    read -r -a duck <<<"$(echo "$duck_json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' | tr ',' ' ')"
    read -r -a duck_cpu <<<"$(echo "$duck_json" | sed 's/.*"cpu":\[\([^]]*\)\].*/\1/' | tr ',' ' ')"

    ours_med=$(printf '%s\n' "${ours[@]}" | median)
    duck_med=$(printf '%s\n' "${duck[@]}" | median)
    ratio=$(awk -v a="$ours_med" -v b="$duck_med" 'BEGIN {printf "%.2f", a / b}')
    ours_cpu_med=$(printf '%s\n' "${ours_cpu[@]}" | median)
    duck_cpu_med=$(printf '%s\n' "${duck_cpu[@]}" | median)
    cpu_ratio=$(awk -v a="$ours_cpu_med" -v b="$duck_cpu_med" 'BEGIN {printf "%.2f", a / b}')
    echo
    printf 'infludash import : median %.3f s  (runs: %s)\n' "$ours_med" "$(printf '%.3f ' "${ours[@]}")"
    pg_line=
    if ((${#pgs[@]} > 0)); then
        pg_med=$(printf '%s\n' "${pgs[@]}" | median)
        printf 'infludash → PG   : median %.3f s  (runs: %s)\n' "$pg_med" "$(printf '%.3f ' "${pgs[@]}")"
        pg_line=$(awk -v a="$pg_med" -v b="$ours_med" -v d="$duck_med" \
            'BEGIN {printf "PG %.3f s, %.2f× SQLite, %.2f× DuckDB", a, a / b, a / d}')
    fi
    printf 'duckdb read_csv  : median %.3f s  (runs: %s)\n' "$duck_med" "$(printf '%.3f ' "${duck[@]}")"
    printf 'ratio infludash/duckdb: %s  (goal <= 1.0)\n' "$ratio"
    printf 'CPU time         : infludash %.2f s, duckdb %.2f s (medians), ratio %s\n' \
        "$ours_cpu_med" "$duck_cpu_med" "$cpu_ratio"
    if [[ -n $pg_line ]]; then
        printf 'ratio PG/SQLite: %s  (goal <= 2.0)\n' \
            "$(awk -v a="$pg_med" -v b="$ours_med" 'BEGIN {printf "%.2f", a / b}')"
    fi
    printf 'infludash peak RSS: %d MB  (goal < 200 MB)\n' $((peak / 1024))
    [[ -n $pwrites ]] && printf 'pwrite calls of one import: %s\n' "$pwrites"
    summary+=("$(printf '%-17s %s rows: infludash %.3f s, DuckDB %.3f s, ratio %s; CPU %.2f s vs %.2f s, ratio %s; peak %d MB%s%s' \
        "$label" "$ROWS" "$ours_med" "$duck_med" "$ratio" "$ours_cpu_med" "$duck_cpu_med" \
        "$cpu_ratio" $((peak / 1024)) \
        "${pwrites:+; $pwrites pwrite}" "${pg_line:+; $pg_line}")")
done
echo
echo "summary (medians of $RUNS runs):"
printf '  %s\n' "${summary[@]}"
