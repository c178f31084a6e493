#!/usr/bin/env bash
# kill9.sh — an import killed with SIGKILL leaves the database exactly as it was (README:
# "all files apply whole or not at all, also when the process is killed"). A small good set
# is imported, every dataset is exported and checksummed, then a large import is started
# and killed with kill -9 at three moments (early, midway, late: 5, 50 and 90 % read).
# After each kill: PRAGMA integrity_check is ok and the exports and the engine file beside
# the database are unchanged. Then later imports (small and the large one) work.
source "$(dirname "$0")/lib.sh"
require_binary

if [[ $BUILD_KIND == asan ]]; then rows=${KILL9_ROWS:-250000}; else rows=${KILL9_ROWS:-1500000}; fi
DB=$T/kill9.db
URL=sqlite:$DB
BIG=$T/big
GOOD=$SRC/tests/data/e2e

command -v sqlite3 >/dev/null || { fail "sqlite3 CLI installed" "run scripts/deps.sh"; finish; }

mkdir -p "$BIG"
check "demo --csv writes $rows tracking rows" "$INFLUDASH" demo --csv "$BIG" --rows "$rows" || finish
BIGFILE=$BIG/tracking_data.csv
BIGSIZE=$(stat -c %s "$BIGFILE")
check "small good set imports" "$INFLUDASH" import --engine-file yes --quiet --db "$URL" \
    "$GOOD/influencers.csv" "$GOOD/posts.csv" "$GOOD/tracking_data.csv" "$GOOD/payouts.csv"
expect_eq "small good set counts" "5 6 8 5" "$(counts "$DB")"

# checksums DB : counts, last import and a sha256 of every dataset's export.
checksums() {
    local ds
    counts "$1"
    "$INFLUDASH" status --db "sqlite:$1" 2>/dev/null | $UTIL status-get last_import
    for ds in "${DATASETS[@]}"; do
        printf '%s ' "$ds"
        "$INFLUDASH" export --db "sqlite:$1" --dataset "$ds" 2>&1 | sha256sum | cut -c1-64
    done
    # the engine file beside it (written after the commit, renamed into place whole)
    printf 'engine '
    sha256sum <"$1.engine" | cut -c1-64
}
check "the small import left an engine file" test -s "$DB.engine"
checksums "$DB" >"$T/sums.before"
expect_eq "checksums taken (4 datasets, the engine file)" 5 "$(grep -c '^[a-z_]* [0-9a-f]\{64\}$' "$T/sums.before")"

# read_pos PID FILE : the read offset of PID in FILE (empty when it has not opened it).
read_pos() {
    local fd
    for fd in /proc/"$1"/fd/*; do
        if [[ $(readlink "$fd" 2>/dev/null) == "$2" ]]; then
            awk '/^pos:/ {print $2}' "/proc/$1/fdinfo/${fd##*/}" 2>/dev/null
            return
        fi
    done
}

# kill_at LABEL PERCENT : starts the large import, waits until it has read PERCENT % of
# the tracking file, checks it is still running, kills it with SIGKILL, then checks the
# database.
kill_at() {
    local label=$1 pct=$2 pid pos=0 target status t0 waited
    target=$((BIGSIZE * pct / 100))
    "$INFLUDASH" import --engine-file yes --quiet --db "$URL" "$BIG/influencers.csv" "$BIG/posts.csv" "$BIGFILE" \
        "$BIG/payouts.csv" >"$T/import.$pct.out" 2>"$T/import.$pct.err" &
    pid=$!
    __e2e_pids+=("$pid")
    t0=$SECONDS
    while kill -0 "$pid" 2>/dev/null && ((SECONDS - t0 < 120)); do
        pos=$(read_pos "$pid" "$BIGFILE")
        [[ -n $pos ]] && ((pos >= target)) && break
        sleep 0.01
    done
    waited=$((SECONDS - t0))
    if kill -0 "$pid" 2>/dev/null && [[ -n $pos ]] && ((pos >= target)); then
        kill -9 "$pid"
        { wait "$pid"; } 2>/dev/null
        status=$?
        expect_eq "$label: import was running (read $((pos * 100 / BIGSIZE)) % of the file after ~${waited}s) and died of SIGKILL" \
            137 "$status"
    else
        { wait "$pid"; } 2>/dev/null
        status=$?
        fail "$label: import was still running when killed" \
            "it exited (status $status) before reading $pct % of $BIGFILE ($pos of $BIGSIZE bytes read); use more rows (KILL9_ROWS)
$(tail -c 600 "$T/import.$pct.err")"
    fi
    local ic
    ic=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
    expect_eq "$label: PRAGMA integrity_check is ok" ok "$ic"
    checksums "$DB" >"$T/sums.after"
    if cmp -s "$T/sums.before" "$T/sums.after"; then
        pass "$label: counts, last import and export checksums unchanged"
    else
        fail "$label: counts, last import and export checksums unchanged" \
            "$(diff "$T/sums.before" "$T/sums.after")"
    fi
}

kill_at "kill -9 early (5 % read)" 5
kill_at "kill -9 midway (50 % read)" 50
kill_at "kill -9 late (90 % read)" 90

# The first import into a new database writes the file directly under a rollback journal
# (store_begin_bulk): killed midway it leaves a hot journal, which the next open rolls
# back, and the database comes back in WAL mode, empty and whole.
FRESH=$T/fresh.db
pid=
"$INFLUDASH" import --engine-file yes --quiet --db "sqlite:$FRESH" "$BIG/influencers.csv" "$BIG/posts.csv" \
    "$BIGFILE" "$BIG/payouts.csv" >"$T/fresh.out" 2>"$T/fresh.err" &
pid=$!
__e2e_pids+=("$pid")
t0=$SECONDS
pos=0
while kill -0 "$pid" 2>/dev/null && ((SECONDS - t0 < 120)); do
    pos=$(read_pos "$pid" "$BIGFILE")
    [[ -n $pos ]] && ((pos >= BIGSIZE / 2)) && break
    sleep 0.01
done
if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    { wait "$pid"; } 2>/dev/null
    expect_eq "new database: the first import was killed midway" 137 "$?"
    check "new database: the killed import left its rollback journal (it wrote the file directly)" \
        test -s "$FRESH-journal"
    expect_eq "new database: after the kill every dataset is empty" "0 0 0 0" "$(counts "$FRESH")"
    check "new database: no engine file after the kill" test ! -e "$FRESH.engine"
    check "new database: the next open rolled the journal back" test ! -e "$FRESH-journal"
    expect_eq "new database: PRAGMA integrity_check is ok" ok "$(sqlite3 "$FRESH" 'PRAGMA integrity_check' 2>&1)"
    expect_eq "new database: back in WAL mode" wal "$(sqlite3 "$FRESH" 'PRAGMA journal_mode' 2>&1)"
else
    { wait "$pid"; } 2>/dev/null
    fail "new database: the first import was killed midway" \
        "it exited (status $?) before reading half of $BIGFILE; use more rows (KILL9_ROWS)"
fi
check "new database: the import runs to the end after the kill" "$INFLUDASH" import --engine-file yes --quiet \
    --db "sqlite:$FRESH" "$BIG/influencers.csv" "$BIG/posts.csv" "$BIGFILE" "$BIG/payouts.csv"
expect_eq "new database: $rows tracking rows" "$rows" "$(counts "$FRESH" | cut -d' ' -f3)"
check "new database: the import left an engine file" test -s "$FRESH.engine"
expect_eq "new database: in WAL mode after the import" wal "$(sqlite3 "$FRESH" 'PRAGMA journal_mode' 2>&1)"
expect_eq "new database: PRAGMA integrity_check is ok after the import" ok \
    "$(sqlite3 "$FRESH" 'PRAGMA integrity_check' 2>&1)"

# Later imports work on the same database.
cat >"$T/more.csv" <<'EOF'
tracking_id,source,campaign,influencer_id,user_id,product,brand,date,orders,revenue
T900,instagram,MB_Summer,INF001,U9,MuscleBlaze Whey,MuscleBlaze,2025-06-20,1,2299
EOF
check "a later import of a small tracking file works" "$INFLUDASH" import --engine-file yes --quiet --db "$URL" "$T/more.csv"
expect_eq "the later import added its row" "5 6 9 5" "$(counts "$DB")"
check "the large import runs to the end on the same database" "$INFLUDASH" import --engine-file yes --quiet --db "$URL" \
    "$BIG/influencers.csv" "$BIG/posts.csv" "$BIGFILE" "$BIG/payouts.csv"
n=$((rows + 9))
expect_eq "after the large import: $n tracking rows" "$n" "$(counts "$DB" | cut -d' ' -f3)"
expect_eq "after the large import: PRAGMA integrity_check is ok" ok "$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)"

finish
