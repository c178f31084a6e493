# shellcheck shell=bash
# lib.sh — sourced by the end-to-end tests in tests/e2e/*.sh. They drive the real binary.
#
# Environment (set by ctest, see CMakeLists.txt):
#   INFLUDASH   the binary (default: $SRC/build/infludash)
#   SRC         the repository root (default: two levels above this file)
#   BUILD_KIND  release | asan (default: release)
#   INFLUDASH_TEST_BACKEND  sqlite (default) | pg: where db_url makes the databases; pg
#               needs INFLUDASH_TEST_PG (scripts/pg-test.sh sets it) and fails without it
#
# Helpers:
#   run CMD...                 runs CMD; sets RC, and OUT/ERR (the files holding stdout/stderr)
#   idx ARGS...                runs the binary (through run)
#   check NAME CMD...          pass when CMD exits 0
#   expect_fail NAME STATUS CMD...   pass when CMD exits with STATUS (any non-zero: "nz")
#   expect_contains NAME FILE|TEXT NEEDLE   pass when the text (or file) contains NEEDLE
#   expect_match NAME FILE|TEXT ERE
#   expect_eq NAME EXPECTED GOT
#   pass NAME / fail NAME WHY  record a result directly
#   db_url NAME                prints the URL of a new, empty database for NAME: sqlite:$T/NAME.db,
#                              or a fresh PostgreSQL database (dropped on exit) with the pg backend
#   sql DB QUERY               runs a query (sqlite3 CLI, or psql for a PostgreSQL URL)
#   (DB: a database URL, or the path of an SQLite file)
#   counts DB                  "influencers posts tracking_data payouts" from `status`
#   snapshot DB DIR            writes `status` counts and an export of every dataset into DIR
#   serve_start DB [ARGS...]   starts `serve` on a free port (BASE, SERVER_PID, $T/server.log)
#                              and waits for /healthz; returns 1 when it never came up
#   wait_data                  waits until /api/dashboard answers 200 (the data is loaded)
#   finish                     prints "N passed, N failed" as the last line; exit 1 on failures
#
# Every test gets its own temporary directory $T, removed on exit.
set -uo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${SRC:-$(cd "$E2E_DIR/../.." && pwd)}
INFLUDASH=${INFLUDASH:-$SRC/build/infludash}
BUILD_KIND=${BUILD_KIND:-release}
UTIL="python3 $E2E_DIR/util.py"
DATASETS=(influencers posts tracking_data payouts)
export SRC INFLUDASH BUILD_KIND
# The tests name the database explicitly; an inherited one must not leak in.
unset DATABASE_URL
if [[ $BUILD_KIND == asan ]]; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86}
    # fontconfig keeps its caches for the life of a process that drew text (PDF reports)
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SRC/tests/lsan.supp}
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/infludash-e2e.XXXXXX")
BACKEND=${INFLUDASH_TEST_BACKEND:-sqlite}
case $BACKEND in
sqlite) ;;
pg)
    if [[ -z ${INFLUDASH_TEST_PG:-} ]]; then
        echo "FAIL $(basename "$0") on PostgreSQL: INFLUDASH_TEST_PG is not set (run the tests" \
             "under scripts/pg-test.sh, as make test does)" >&2
        rm -rf "$T"
        exit 1
    fi ;;
*)
    echo "FAIL: INFLUDASH_TEST_BACKEND=$BACKEND (sqlite or pg)" >&2
    rm -rf "$T"
    exit 1 ;;
esac
__e2e_pids=()
__e2e_cleanup() {
    local p db
    for p in "${__e2e_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    if [[ -f $T/.pg_databases ]]; then
        while read -r db; do
            psql -X -q "$INFLUDASH_TEST_PG" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
        done <"$T/.pg_databases"
    fi
    rm -rf "$T"
}
trap __e2e_cleanup EXIT
trap 'exit 130' INT TERM

PASSED=0
FAILED=0
FAILURES=()
OUT=$T/.out
ERR=$T/.err
RC=0

pass() {
    PASSED=$((PASSED + 1))
    printf 'ok   %s\n' "$1"
}

# fail NAME WHY...
fail() {
    local name=$1
    shift
    FAILED=$((FAILED + 1))
    FAILURES+=("$name")
    printf 'FAIL %s\n' "$name"
    local line
    while IFS= read -r line; do printf '     | %s\n' "$line"; done <<<"$*"
}

# A short description of the last command and its output, for failure messages.
last_output() {
    printf 'command: %s\nexit status: %s\n' "$LAST_CMD" "$RC"
    if [[ -s $OUT ]]; then
        printf 'stdout:\n'
        head -c 1500 "$OUT"
        [[ $(wc -c <"$OUT") -gt 1500 ]] && printf '\n[... stdout cut]'
        printf '\n'
    fi
    if [[ -s $ERR ]]; then
        printf 'stderr:\n'
        head -c 1500 "$ERR"
        [[ $(wc -c <"$ERR") -gt 1500 ]] && printf '\n[... stderr cut]'
        printf '\n'
    fi
}

SANITIZER_HITS=0
LAST_CMD=""
# run CMD... : runs CMD with stdout/stderr in $OUT/$ERR; sets RC. Sanitizer reports on
# stderr are failures of their own.
run() {
    LAST_CMD=$(printf '%q ' "$@")
    "$@" >"$OUT" 2>"$ERR"
    RC=$?
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$ERR" 2>/dev/null; then
        SANITIZER_HITS=$((SANITIZER_HITS + 1))
        fail "sanitizer report from: $LAST_CMD" "$(head -c 3000 "$ERR")"
    fi
    return $RC
}

idx() {
    run "$INFLUDASH" "$@"
}

# check NAME CMD... : passes when CMD exits 0.
check() {
    local name=$1
    shift
    if run "$@"; then
        pass "$name"
        return 0
    fi
    fail "$name" "$(last_output)"
    return 1
}

# expect_fail NAME STATUS CMD... : passes when CMD exits with STATUS ("nz": any non-zero).
expect_fail() {
    local name=$1 want=$2
    shift 2
    run "$@"
    if [[ $want == nz && $RC -ne 0 ]] || [[ $want != nz && $RC -eq $want ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "expected exit status $want
$(last_output)"
    return 1
}

# expect_contains NAME FILE-OR-TEXT NEEDLE : fixed-string match.
expect_contains() {
    local name=$1 hay=$2 needle=$3 text
    if [[ -f $hay ]]; then text=$(cat "$hay"); else text=$hay; fi
    if [[ $text == *"$needle"* ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "expected to find: $needle
in: $(printf '%s' "$text" | head -c 1500)"
    return 1
}

# expect_not_contains NAME FILE-OR-TEXT NEEDLE
expect_not_contains() {
    local name=$1 hay=$2 needle=$3 text
    if [[ -f $hay ]]; then text=$(cat "$hay"); else text=$hay; fi
    if [[ $text != *"$needle"* ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "did not expect: $needle
in: $(printf '%s' "$text" | head -c 1500)"
    return 1
}

# expect_match NAME FILE-OR-TEXT ERE : some line matches the extended regular expression.
expect_match() {
    local name=$1 hay=$2 re=$3 text
    if [[ -f $hay ]]; then text=$(cat "$hay"); else text=$hay; fi
    if grep -qE -- "$re" <<<"$text"; then
        pass "$name"
        return 0
    fi
    fail "$name" "expected a line matching: $re
in: $(printf '%s' "$text" | head -c 1500)"
    return 1
}

# expect_eq NAME EXPECTED GOT
expect_eq() {
    if [[ "$2" == "$3" ]]; then
        pass "$1"
        return 0
    fi
    fail "$1" "expected: $2
got:      $3"
    return 1
}

# expect_same_files NAME FILE1 FILE2 : byte for byte.
expect_same_files() {
    if cmp -s "$2" "$3"; then
        pass "$1"
        return 0
    fi
    fail "$1" "$2 and $3 differ:
$(diff "$2" "$3" | head -20)"
    return 1
}

# as_url DB : a database URL as given; a plain path is an SQLite file.
as_url() {
    case $1 in
    sqlite:* | postgres://* | postgresql://*) printf '%s\n' "$1" ;;
    *) printf 'sqlite:%s\n' "$1" ;;
    esac
}

# db_url NAME : a new, empty database on the backend under test.
db_url() {
    if [[ $BACKEND != pg ]]; then
        printf 'sqlite:%s/%s.db\n' "$T" "$1"
        return
    fi
    local db n=0
    # short and unique (PostgreSQL cuts names at 63 bytes): pid, serial, then NAME
    [[ -f $T/.pg_databases ]] && n=$(wc -l <"$T/.pg_databases")
    db=e2e_$$_${n}_$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_' | tr 'A-Z' 'a-z' | cut -c1-30)
    psql -X -q "$INFLUDASH_TEST_PG" -c "CREATE DATABASE $db" >&2 || return 1
    printf '%s\n' "$db" >>"$T/.pg_databases"
    local base=$INFLUDASH_TEST_PG sep='?'
    [[ $base == *\?* ]] && sep='&'
    printf '%s%sdbname=%s\n' "$base" "$sep" "$db"
}

# sql DB QUERY : prints the result (sqlite3 CLI in list mode, or psql unaligned).
sql() {
    local url
    url=$(as_url "$1")
    case $url in
    sqlite:*) sqlite3 -batch -noheader "${url#sqlite:}" "$2" ;;
    *) psql -X -q -A -t "$url" -c "$2" ;;
    esac
}

# counts DB : "influencers posts tracking_data payouts" as `status` reports them ("?" on error).
counts() {
    local c OUT=$T/.counts.out ERR=$T/.counts.err RC LAST_CMD
    if run "$INFLUDASH" status --db "$(as_url "$1")" && c=$($UTIL status-counts <"$OUT" 2>/dev/null); then
        printf '%s\n' "$c"
    else
        printf '?\n'
    fi
}

# snapshot DB DIR : status counts and an export of every dataset, to compare before/after.
snapshot() {
    local db dir=$2 ds
    db=$(as_url "$1")
    mkdir -p "$dir"
    counts "$db" >"$dir/counts"
    # The import log too: a failed import must not be recorded as one.
    "$INFLUDASH" status --db "$db" 2>/dev/null | $UTIL status-get last_import >"$dir/last_import" 2>&1
    for ds in "${DATASETS[@]}"; do
        "$INFLUDASH" export --db "$db" --dataset "$ds" >"$dir/$ds.csv" 2>"$dir/$ds.err" ||
            echo "export failed: $?" >>"$dir/$ds.csv"
    done
}

# expect_unchanged NAME DIR DB [data] : the database still matches a snapshot (with "data":
# the counts and the exports only, not the import log).
expect_unchanged() {
    local name=$1 before=$2 db=$3 what=${4:-all} after f diffs="" files
    after=$(mktemp -d "$T/snap.XXXXXX")
    snapshot "$db" "$after"
    files=(counts "${DATASETS[@]/%/.csv}")
    [[ $what == data ]] || files+=(last_import)
    for f in "${files[@]}"; do
        cmp -s "$before/$f" "$after/$f" || diffs+="$f differs: $(diff "$before/$f" "$after/$f" | head -6)
"
    done
    rm -rf "$after"
    if [[ -z $diffs ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "$diffs"
    return 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# serve_start DB [ARGS...] : another test may take the probed port before the server binds
# it, so a server that exits early is retried on a new port.
serve_start() {
    local db=$1 attempt i port
    shift
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        BASE="http://127.0.0.1:$port"
        "$INFLUDASH" serve --db "$(as_url "$db")" --listen "127.0.0.1:$port" "$@" \
            >"$T/server.out" 2>"$T/server.log" &
        SERVER_PID=$!
        __e2e_pids+=("$SERVER_PID")
        for i in $(seq 1 300); do
            curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null && return 0
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    done
    return 1
}

# wait_loaded N : up to 60 s until the server's log says N workspaces' data were loaded
# (for servers with accounts, where /api/dashboard needs a session).
wait_loaded() {
    local want=$1 i
    for i in $(seq 1 600); do
        (($(grep -c 'data loaded in' "$T/server.log" 2>/dev/null || true) >= want)) && return 0
        sleep 0.1
    done
    return 1
}

# wait_data : up to 60 s for the first engine load (ASan builds load slowly).
wait_data() {
    local i
    for i in $(seq 1 600); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/dashboard") == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

# serve_stop : SIGTERM, then the exit status of the server in RC.
serve_stop() {
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    RC=$?
}

# require_binary : the binary must exist and run; otherwise fail the whole test at once.
require_binary() {
    if [[ ! -x $INFLUDASH ]]; then
        fail "binary exists" "$INFLUDASH is not an executable file (build it first)"
        finish
    fi
}

finish() {
    if ((FAILED > 0)); then
        printf '\nfailed checks:\n'
        printf '  %s\n' "${FAILURES[@]}"
    fi
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    ((FAILED == 0)) && exit 0
    exit 1
}
