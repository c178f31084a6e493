#!/usr/bin/env bash
# instances.sh — several infludash servers on one database stay in step: an import through
# one shows in the other's dashboard (the time it took is printed, not asserted: timings on a
# shared machine are noise), a delete likewise; with PostgreSQL
# (INFLUDASH_TEST_BACKEND=pg) the servers also outlive their database connections being
# cut: they keep answering from memory and see later imports once reconnected.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$(db_url instances) || { fail "a database for the test" "db_url failed"; finish; }
idx demo --db "$DB" --rows 3000 --seed 11 || fail "demo data" "$(last_output)"

start() { # NAME: a server, its BASE and PID kept as NAME_BASE / NAME_PID
    if ! serve_start "$DB"; then
        fail "server $1 starts" "$(cat "$T/server.log")"
        finish
    fi
    cp "$T/server.log" "$T/$1.log" 2>/dev/null
    wait_data || fail "server $1 loads the data" "$(cat "$T/server.log")"
    printf -v "${1}_BASE" '%s' "$BASE"
    printf -v "${1}_PID" '%s' "$SERVER_PID"
}
start A
start B
pass "two servers on one database"

INF=$(curl -s "$A_BASE/api/options" | python3 -c 'import json,sys; print(json.load(sys.stdin)["influencer"][0]["id"])')
revenue() { # BASE: the influencer's attributed revenue in 2026
    curl -s "$1/api/dashboard?influencer=$INF&from=2026-01-01" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["kpis"]["revenue"])'
}
expect_eq "nothing in 2026 yet (B)" "0.0" "$(revenue "$B_BASE")"

# waits_for BASE WANT : polls the revenue every 50 ms for up to 30 s; prints the time in ms
waits_for() {
    local start now got
    start=$(date +%s%N)
    for _ in $(seq 1 600); do
        got=$(revenue "$1")
        if [[ $got == "$2" ]]; then
            now=$(date +%s%N)
            echo $(((now - start) / 1000000))
            return 0
        fi
        sleep 0.05
    done
    echo "never (last: $got)"
    return 1
}

printf 'tracking_id,influencer_id,date,brand,orders,revenue\nI2026A,%s,2026-01-05,MuscleBlaze,2,1234.56\n' "$INF" >"$T/new.csv"
code=$(curl -s -o "$T/imp.json" -w '%{http_code}' --data-binary @"$T/new.csv" \
    -H 'Content-Type: text/csv' "$A_BASE/api/import/tracking_data?filename=new.csv")
expect_eq "an import through server A" 200 "$code"
ms=$(waits_for "$B_BASE" "1234.56")
if [[ $ms =~ ^[0-9]+$ ]]; then
    pass "server B shows it ($ms ms after A answered)"
else
    fail "server B shows A's import" "after: $ms"
fi

code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$B_BASE/api/datasets/tracking_data")
expect_eq "a delete through server B" 200 "$code"
ms=$(waits_for "$A_BASE" "0.0")
[[ $ms =~ ^[0-9]+$ ]] && pass "server A sees the delete ($ms ms)" ||
    fail "server A sees B's delete" "after: $ms"

if [[ $BACKEND == pg ]]; then
    # Cut every connection of the servers to this database: they go on answering from
    # memory, reconnect, and see the next import.
    dbname=${DB##*dbname=}
    psql -X -q -t "$INFLUDASH_TEST_PG" -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE datname = '$dbname' AND pid <> pg_backend_pid()" >"$T/killed" 2>&1
    expect_match "the servers' connections were cut" "$T/killed" '[1-9]'
    expect_eq "server A still answers from memory" 200 \
        "$(curl -s -o /dev/null -w '%{http_code}' "$A_BASE/api/dashboard")"
    check "an import by the command line" "$INFLUDASH" import --quiet --db "$DB" \
        --dataset tracking_data "$T/new.csv"
    ms=$(waits_for "$A_BASE" "1234.56")
    [[ $ms =~ ^[0-9]+$ ]] && pass "server A reconnected and shows the import ($ms ms)" ||
        fail "server A reconnects and shows the import" "after: $ms; $(tail -5 "$T/server.log")"
    ms=$(waits_for "$B_BASE" "1234.56")
    [[ $ms =~ ^[0-9]+$ ]] && pass "server B too ($ms ms)" || fail "server B reconnects" "after: $ms"
fi

for s in A B; do
    pid_var=${s}_PID
    kill -TERM "${!pid_var}" 2>/dev/null
    wait "${!pid_var}" 2>/dev/null
    expect_eq "server $s exits 0 on SIGTERM" 0 "$?"
done
finish
