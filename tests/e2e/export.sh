#!/usr/bin/env bash
# export.sh — dataset exports of wide data (`export --dataset`, GET /api/datasets/NAME.csv):
# linear in the columns and never in the way of an import. 2,000 influencers with 250 and
# with 2,000 extra columns export whole; an export of 8× the cells takes at most 24× the CPU
# time (linear is 8×; extra values looked up column by column made it 64×); and an import
# sent while the server is making a download is answered before the download's first byte
# (the download reads a snapshot on a connection of its own and takes no lock an import
# needs). Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

# wide FILE ROWS COLS : an influencers CSV with COLS extra columns x0000, x0001, ...
wide() {
    python3 - "$@" <<'EOF'
import sys
path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as out:
    out.write("influencer_id,name,platform,follower_count," +
              ",".join("x%04d" % c for c in range(cols)) + "\n")
    for r in range(rows):
        out.write("I%05d,Name %d,Instagram,%d," % (r, r, 1000 + r) +
                  ",".join("v%d_%d" % (r, c) for c in range(cols)) + "\n")
EOF
}

# cpu_seconds CMD... : user + system seconds of one run (the command must succeed)
cpu_seconds() {
    /usr/bin/time -f '%U %S' -o "$T/cpu" "$@" >/dev/null 2>"$T/cpu.err" || {
        echo "failed: $(cat "$T/cpu.err")" >&2
        return 1
    }
    awk '{print $1 + $2}' "$T/cpu"
}

declare -A CPU
for cols in 250 2000; do
    wide "$T/wide$cols.csv" 2000 "$cols"
    DB=$(db_url "wide$cols") || { fail "database for $cols columns" "db_url failed"; finish; }
    check "2,000 rows × $cols extra columns import" "$INFLUDASH" import --quiet --db "$DB" \
        --dataset influencers "$T/wide$cols.csv" || finish
    check "… and export" "$INFLUDASH" export --db "$DB" --dataset influencers -o "$T/out$cols.csv"
    check "… whole: every row with every extra column and its value" python3 -c '
import csv, sys
cols = int(sys.argv[2])
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 2000, len(rows)
extra = [k for k in rows[0] if k.startswith("x")]
assert extra == ["x%04d" % c for c in range(cols)], extra[:5]
r = rows[1234]
assert r["x%04d" % (cols - 1)] == "v%s_%d" % (r["influencer_id"][1:].lstrip("0") or "0", cols - 1), r
' "$T/out$cols.csv" "$cols"
    # the least of three runs: what the work costs, without the machine's other load
    best=
    for run in 1 2 3; do
        s=$(cpu_seconds "$INFLUDASH" export --db "$DB" --dataset influencers -o "$T/cpu$cols.csv") ||
            break
        [[ -z $best ]] || (($(awk -v a="$s" -v b="$best" 'BEGIN {print (a < b)}'))) && best=$s
    done
    CPU[$cols]=$best
    [[ $cols == 2000 ]] && WIDE_DB=$DB
done
ratio=$(awk -v a="${CPU[2000]:-0}" -v b="${CPU[250]:-0}" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 99)}')
if awk -v r="$ratio" 'BEGIN {exit !(r <= 24)}'; then
    pass "8× the columns: ${ratio}× the CPU time (${CPU[250]} s → ${CPU[2000]} s; linear is 8×)"
else
    fail "an export's time is linear in its columns" \
        "8× the columns took ${ratio}× the CPU time (${CPU[250]} s → ${CPU[2000]} s)"
fi

# ---- an import while the server makes a download ------------------------------------------
if ! serve_start "$WIDE_DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_data || fail "the data loads" "$(cat "$T/server.log")"
printf 'tracking_id,influencer_id,date,brand,orders,revenue\nTW1,I00001,2025-03-01,MuscleBlaze,1,100\n' \
    >"$T/one.csv"
# export_open : whether the server holds a download's spool file (unlinked once created, so
# it shows only among its open files)
export_open() {
    ls -l "/proc/$SERVER_PID/fd" 2>/dev/null | grep -q '/export-.*(deleted)'
}
t0=$(date +%s.%N)
curl -s -o "$T/download.csv" -w '%{time_starttransfer} %{http_code}' \
    "$BASE/api/datasets/influencers.csv" >"$T/download.time" &
curl_pid=$!
for i in $(seq 1 2000); do
    export_open && break
    sleep 0.005
done
if export_open; then
    code=$(curl -s -o "$T/import.json" -w '%{http_code}' -H 'Content-Type: text/csv' \
        --data-binary "@$T/one.csv" "$BASE/api/import/tracking_data?filename=one.csv")
    t_import=$(date +%s.%N)
    wait "$curl_pid"
    read -r first_byte dl_code <"$T/download.time"
    expect_eq "the import during the download is 200" 200 "$code"
    expect_eq "… and so is the download" 200 "$dl_code"
    t_first=$(awk -v a="$t0" -v b="$first_byte" 'BEGIN {printf "%.3f", a + b}')
    if awk -v i="$t_import" -v f="$t_first" 'BEGIN {exit !(i < f)}'; then
        pass "the import is answered before the download's first byte ($(awk -v i="$t_import" -v a="$t0" 'BEGIN {printf "%.2f", i - a}') s against $(awk -v b="$first_byte" 'BEGIN {printf "%.2f", b}') s)"
    else
        fail "an import does not wait for a download" \
            "the import was answered $(awk -v i="$t_import" -v a="$t0" 'BEGIN {printf "%.2f", i - a}') s after the download began, its first byte came at $(awk -v b="$first_byte" 'BEGIN {printf "%.2f", b}') s"
    fi
    expect_same_files "the download is the CLI's export" "$T/out2000.csv" "$T/download.csv"
else
    wait "$curl_pid"
    fail "the server makes the download in a spool file" "no export file among its open files"
fi
serve_stop
finish
