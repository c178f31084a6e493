#!/usr/bin/env bash
# Dataset export benchmark (issue 14): `infludash export --dataset influencers` of ROWS
# influencers with 1,000, 2,000 and 4,000 extra columns, from SQLite, against DuckDB writing
# the same CSV (COPY of the same table, loaded from the same file, to a CSV file), in the
# same run. Prints per width the file's size, each side's median wall time and infludash's
# CPU time, and the ratio infludash/DuckDB; then how the time grows with the columns (a
# linear export doubles with them; the old one, which looked up each extra column by a scan
# of all of them, quadrupled).
# usage: bench/export.sh [ROWS] [RUNS]      (defaults: 2000 rows, 3 runs)
#   environment: COLUMNS_LIST="1000 2000 4000", INFLUDASH=build/infludash
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-2000}
RUNS=${2:-3}
read -r -a WIDTHS <<<"${COLUMNS_LIST:-1000 2000 4000}"
BIN=${INFLUDASH:-build/infludash}
[[ -x $BIN ]] || make all >/dev/null
command -v node >/dev/null || { echo "export.sh: node is needed (DuckDB runs in node)" >&2; exit 1; }
[[ -d bench/node_modules/@duckdb/node-api ]] ||
    (cd bench && npm install --no-audit --no-fund --silent)
work=$(mktemp -d "${TMPDIR:-/tmp}/infludash-export.XXXXXX")
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '%8s %10s %12s %12s %12s %8s\n' columns MB infludash_s cpu_s duckdb_s ratio
declare -a MEDIANS
for cols in "${WIDTHS[@]}"; do
    python3 - "$work/in.csv" "$ROWS" "$cols" <<'PY'
import sys
path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as out:
    out.write("influencer_id,name,platform,follower_count," +
              ",".join("x%04d" % c for c in range(cols)) + "\n")
    for r in range(rows):
        out.write("I%05d,Name %d,Instagram,%d," % (r, r, 1000 + r) +
                  ",".join("v%d_%d" % (r, c) for c in range(cols)) + "\n")
PY
    rm -f "$work"/bench.db*
    $BIN import --quiet --db "sqlite:$work/bench.db" --dataset influencers "$work/in.csv"
    walls=() cpus=()
    for ((r = 0; r < RUNS; r++)); do
        t0=$(date +%s.%N)
        /usr/bin/time -f '%U %S' -o "$work/cpu" $BIN export --db "sqlite:$work/bench.db" \
            --dataset influencers -o "$work/out.csv"
        t1=$(date +%s.%N)
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
        cpus+=("$(awk '{print $1 + $2}' "$work/cpu")")
    done
    bytes=$(stat -c %s "$work/out.csv")
    duck_json=$(cd bench && node export_duckdb.mjs "$work/in.csv" "$work/duck.csv" "$RUNS")
    duck=($(echo "$duck_json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' | tr ',' ' '))
    ours=$(printf '%s\n' "${walls[@]}" | median)
    cpu=$(printf '%s\n' "${cpus[@]}" | median)
    theirs=$(printf '%s\n' "${duck[@]}" | median)
    MEDIANS+=("$ours")
    printf '%8d %10.1f %12.3f %12.3f %12.3f %8.2f\n' "$cols" "$(awk -v b="$bytes" 'BEGIN {print b / 1e6}')" \
        "$ours" "$cpu" "$theirs" "$(awk -v a="$ours" -v b="$theirs" 'BEGIN {print a / b}')"
done
echo
for ((i = 1; i < ${#WIDTHS[@]}; i++)); do
    printf '%d → %d columns: %.2f× the time (linear: %.2f×)\n' "${WIDTHS[i-1]}" "${WIDTHS[i]}" \
        "$(awk -v a="${MEDIANS[i]}" -v b="${MEDIANS[i-1]}" 'BEGIN {print a / b}')" \
        "$(awk -v a="${WIDTHS[i]}" -v b="${WIDTHS[i-1]}" 'BEGIN {print a / b}')"
done
echo "ratio = infludash / DuckDB median wall time (goal <= 1.0)"
