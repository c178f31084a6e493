#!/usr/bin/env bash
# cache.sh — the engine cache beside an SQLite database, or at --engine-cache FILE with
# PostgreSQL (INFLUDASH_TEST_BACKEND=pg; README "How the analytics are computed"): the first
# start loads from the database and writes the file (mode 600); the next start reads it and
# answers the same dashboard byte for byte; after an import that appended tracking rows the
# start extends the file's engine by them (PostgreSQL too: its seq numbers the rows, and each
# commit records whether it replaced any) and answers as a load from the database does (and so does the file such an import extends
# itself, `infludash import` on SQLite); after an import that replaced a stored row, or a
# replace-mode import, a file of before is not extended and the start loads the stored rows
# (and rewrites the file); a running server extends its engine by appended rows the same way,
# and loads every row after a replaced one; a file cut short or damaged is not used, and the
# answers stay those of the stored rows.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$(db_url cache) || { fail "a database for the test" "db_url failed"; finish; }
if [[ $BACKEND == pg ]]; then # no file beside the database: --engine-cache names one
    FILE=$T/pg.engine
    CACHE_ARGS=(--engine-cache "$FILE")
else
    FILE=${DB#sqlite:}.engine
    CACHE_ARGS=()
fi
idx demo --db "$DB" --rows 3000 --seed 5 || fail "demo data" "$(last_output)"

# start_and_answer OUTFILE : a server on DB, its dashboard into OUTFILE once the data is
# loaded; waits until the cache is written or read before stopping it.
start_and_answer() {
    if ! serve_start "$DB" "${CACHE_ARGS[@]}"; then
        fail "server starts" "$(cat "$T/server.log")"
        finish
    fi
    wait_data || fail "the server loads the data" "$(cat "$T/server.log")"
    curl -s "$BASE/api/dashboard?platform=Instagram" >"$1"
    curl -s "$BASE/api/dashboard" >>"$1"
    local i
    for i in $(seq 1 300); do
        grep -q "engine cache written\|from the engine cache (" "$T/server.log" && break
        sleep 0.1
    done
    serve_stop
    cp "$T/server.log" "$1.log"
}

start_and_answer "$T/cold.json"
expect_contains "the first start loads from the database" "$(cat "$T/cold.json.log")" "data loaded in"
expect_contains "and writes the cache" "$(cat "$T/cold.json.log")" "engine cache written"
expect_eq "the cache file is private" 600 "$(stat -c %a "$FILE" 2>/dev/null)"

start_and_answer "$T/warm.json"
expect_contains "the next start reads the cache" "$(cat "$T/warm.json.log")" "from the engine cache ("
if cmp -s "$T/cold.json" "$T/warm.json"; then
    pass "the same dashboards from the cache"
else
    fail "the same dashboards from the cache" "$(diff <(tr ',' '\n' <"$T/cold.json") <(tr ',' '\n' <"$T/warm.json") | head -10)"
fi

# an import: the file is stale
INF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["top_influencers"][0]["influencer_id"])' "$T/cold.json" 2>/dev/null ||
    sql "$DB" "SELECT influencer_id FROM influencers LIMIT 1")
printf 'tracking_id,influencer_id,date,brand,orders,revenue\nCACHE1,%s,2025-06-05,MuscleBlaze,3,98765.43\n' "$INF" >"$T/new.csv"
cp "$FILE" "$T/before.engine"
idx import --engine-file yes --quiet --db "$DB" --dataset tracking_data "$T/new.csv" || fail "an import" "$(last_output)"
if [[ $BACKEND == sqlite ]]; then
    # the import extends the file itself: the next start reads it as it is
    start_and_answer "$T/after-import.json"
    expect_contains "after an import of appended rows the import's file is read as it is" \
        "$(cat "$T/after-import.json.log")" "from the engine cache ("
    # a file left stale (by an import that wrote none): the start extends it
    cp "$T/before.engine" "$FILE"
fi
start_and_answer "$T/after.json"
# on both: PostgreSQL's seq numbers its rows, and its commits record whether one replaced rows
expect_contains "after an import of appended rows the cache is extended by them" \
    "$(cat "$T/after.json.log")" "extended by the 1 tracking rows stored since"
expect_contains "and read with them" "$(cat "$T/after.json.log")" "from the engine cache and the rows stored since"
if [[ $BACKEND == sqlite ]]; then
    check "the import's file answers as the start's extension" cmp -s "$T/after-import.json" "$T/after.json"
fi
if cmp -s "$T/cold.json" "$T/after.json"; then
    fail "the dashboard shows the import" "it is the one before"
else
    pass "the dashboard shows the import"
fi
# same_as_stored NAME JSON : the revenue of query over the stored rows
same_as_stored() {
    idx query --db "$DB"
    expect_eq "$1" \
        "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["kpis"]["revenue"])' "$OUT")" \
        "$(tail -n 1 "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["kpis"]["revenue"])')"
}
same_as_stored "the same revenue as query over the stored rows" "$T/after.json"
# the extended engine answers as a load of every stored row
start_and_answer "$T/after-warm.json"
expect_contains "the extended file is read as it is at the next start" \
    "$(cat "$T/after-warm.json.log")" "from the engine cache ("
rm -f "$FILE"
start_and_answer "$T/after-cold.json"
check "the extended engine answers as a load from the database" cmp -s "$T/after.json" "$T/after-cold.json"
check "and so does the file written from it" cmp -s "$T/after-warm.json" "$T/after-cold.json"

# a stored row imported again with other values (an upsert): not extended, loaded
printf 'tracking_id,influencer_id,date,brand,orders,revenue\nCACHE1,%s,2025-06-05,MuscleBlaze,4,12345.67\n' "$INF" >"$T/upd.csv"
idx import --engine-file yes --quiet --db "$DB" --dataset tracking_data "$T/upd.csv" || fail "an upsert" "$(last_output)"
start_and_answer "$T/upd.json"
expect_contains "after a row is replaced the cache is not extended" "$(cat "$T/upd.json.log")" \
    "tracking rows were replaced or removed"
expect_contains "and the rows are loaded from the database" "$(cat "$T/upd.json.log")" "data loaded in"
same_as_stored "the replaced row's revenue, as query over the stored rows" "$T/upd.json"
cp "$T/upd.json" "$T/after.json" # what the damaged files' starts must answer
if [[ $BACKEND == sqlite ]]; then
    # a replace-mode import (every tracking row removed first), then an append: not extended
    # (the upsert's import left no file: the start loaded and wrote one)
    idx export --db "$DB" --dataset tracking_data -o "$T/all.csv" || fail "an export" "$(last_output)"
    cp "$FILE" "$T/before-replace.engine"
    idx import --engine-file yes --quiet --db "$DB" --mode replace --dataset tracking_data "$T/all.csv" || fail "a replace" "$(last_output)"
    printf 'tracking_id,influencer_id,date,brand,orders,revenue\nCACHE2,%s,2025-06-06,MuscleBlaze,1,500.00\n' "$INF" >"$T/new2.csv"
    idx import --engine-file yes --quiet --db "$DB" --dataset tracking_data "$T/new2.csv" || fail "an import" "$(last_output)"
    # the replace-mode import made the file from the rows it stored, the next one extended it
    start_and_answer "$T/repl-import.json"
    expect_contains "after a replace and an append the imports' file is read as it is" \
        "$(cat "$T/repl-import.json.log")" "from the engine cache ("
    cp "$T/before-replace.engine" "$FILE" # as an import that left no file would
    start_and_answer "$T/repl.json"
    expect_contains "after a replace the cache is not extended" "$(cat "$T/repl.json.log")" \
        "tracking rows were replaced or removed"
    same_as_stored "after a replace, the stored rows' revenue" "$T/repl.json"
    check "the imports' file answers as the load after a replace" cmp -s "$T/repl-import.json" "$T/repl.json"
    cp "$T/repl.json" "$T/after.json" # what the damaged files' starts must answer

    # a running server that sees an import of appended rows extends its engine; one that
    # replaced a row loads every row
    if ! serve_start "$DB"; then
        fail "server starts" "$(cat "$T/server.log")"
        finish
    fi
    wait_data || fail "the server loads the data" "$(cat "$T/server.log")"
    printf 'tracking_id,influencer_id,date,brand,orders,revenue\nCACHE3,%s,2025-06-07,MuscleBlaze,2,777.00\nCACHE4,,2025-06-07,MuscleBlaze,1,100.00\n' "$INF" >"$T/new3.csv"
    idx import --engine-file yes --quiet --db "$DB" --dataset tracking_data "$T/new3.csv" || fail "an import" "$(last_output)"
    wait_loaded 2 || fail "the server reloads" "$(cat "$T/server.log")"
    expect_contains "a running server extends its engine by appended rows" "$(cat "$T/server.log")" \
        "the engine extended by the 2 tracking rows stored since"
    curl -s "$BASE/api/dashboard?platform=Instagram" >"$T/live.json"
    curl -s "$BASE/api/dashboard" >>"$T/live.json"
    idx import --engine-file yes --quiet --db "$DB" --dataset tracking_data "$T/upd.csv" || fail "an upsert" "$(last_output)"
    wait_loaded 3 || fail "the server reloads" "$(cat "$T/server.log")"
    expect_contains "and loads every row after a row is replaced" "$(tail -n 3 "$T/server.log")" \
        "data loaded in"
    expect_not_contains "(not by extending)" "$(grep 'data loaded in' "$T/server.log" | tail -n 1)" \
        "extended"
    if [[ $BACKEND == sqlite ]]; then
        # a row updated by another program (the data version does not count it): every row
        # is loaded again, never taken for appended rows
        rid=$(sql "$DB" "SELECT rowid FROM tracking_data WHERE tracking_id = 'CACHE3'")
        sql "$DB" "UPDATE tracking_data SET revenue = revenue + 100000 WHERE rowid = $rid" >/dev/null
        wait_loaded 4 || fail "the server reloads" "$(cat "$T/server.log")"
        expect_not_contains "a row updated outside infludash: every row loaded (not extended)" \
            "$(grep 'data loaded in' "$T/server.log" | tail -n 1)" "extended"
        curl -s "$BASE/api/dashboard" >"$T/outside.json"
        same_as_stored "… and the dashboard has the updated revenue" "$T/outside.json"
        sql "$DB" "UPDATE tracking_data SET revenue = revenue - 100000 WHERE rowid = $rid" >/dev/null
        wait_loaded 5 || fail "the server reloads" "$(cat "$T/server.log")"
    fi
    serve_stop
    # the upsert stored the values the row had: the data is that of the extended engine
    rm -f "$FILE"
    start_and_answer "$T/live-cold.json"
    # the upsert is an import of its own: "as_of" (the newest import's time) may have moved
    # on by a second, the figures not
    sed 's/"as_of":"[^"]*"/"as_of":-/' "$T/live.json" >"$T/live.fig"
    sed 's/"as_of":"[^"]*"/"as_of":-/' "$T/live-cold.json" >"$T/live-cold.fig"
    check "the extended engine answered as a load of the same rows" cmp -s "$T/live.fig" "$T/live-cold.fig"
    cp "$T/live-cold.json" "$T/after.json"
fi

# cut short, then damaged: not used, same answers as the stored rows
size=$(stat -c %s "$FILE")
truncate -s $((size / 2)) "$FILE"
start_and_answer "$T/cut.json"
expect_contains "a cut file is not used" "$(cat "$T/cut.json.log")" "is not used"
check "the answers of a cut file's start are the stored rows'" cmp -s "$T/after.json" "$T/cut.json"
printf 'xxxxxxxx' | dd of="$FILE" bs=1 seek=$((size / 3)) conv=notrunc status=none
start_and_answer "$T/bad.json"
expect_contains "a damaged file is not used" "$(cat "$T/bad.json.log")" "checksum"
check "the answers of a damaged file's start are the stored rows'" cmp -s "$T/after.json" "$T/bad.json"
finish
