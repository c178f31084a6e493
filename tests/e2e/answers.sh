#!/usr/bin/env bash
# answers.sh — the answers a server keeps over its loaded data (serve --answer-cache, README
# "Answers asked again"): the same question asked again is answered byte for byte as a
# server that keeps none answers it, and counted as kept in /metrics; the same parameters in
# another order, another path (an influencer's page), another filter are answered for
# themselves; a refused request is never kept; after an import the server answers from the
# new data, never a kept answer of the old; --answer-cache 0 keeps none, and bad values of
# the option are refused.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

# the option's bad values are refused before anything starts
expect_fail "--answer-cache past 65536 MB is refused" 64 "$INFLUDASH" serve --db "sqlite:$T/none.db" --answer-cache 70000
expect_contains "naming the option and its range" "$ERR" "--answer-cache 70000: expected 0 to 65536 MB"
expect_fail "--answer-cache that is not a number is refused" 64 "$INFLUDASH" serve --db "sqlite:$T/none.db" --answer-cache 1x
expect_contains "naming the option" "$ERR" '--answer-cache: "1x" is not a whole number'

DB=$(db_url answers) || { fail "a database for the test" "db_url failed"; finish; }
idx demo --db "$DB" --rows 3000 --seed 9 || fail "demo data" "$(last_output)"

# metric NAME : a counter of the server at BASE
metric() {
    curl -s "$BASE/metrics" | sed -n "s/^infludash_answers_total{result=\"$1\"} //p"
}

# the reference: a server that keeps no answer
serve_start "$DB" --answer-cache 0 || { fail "a server without kept answers starts" "$(cat "$T/server.log")"; finish; }
wait_data || fail "it loads the data" "$(cat "$T/server.log")"
REF=$BASE
REF_PID=$SERVER_PID
mv "$T/server.log" "$T/ref.log" # (it goes on writing there)
Q='platform=Instagram,YouTube&brand=MuscleBlaze&from=2025-02-01&to=2025-06-30'
Q2='to=2025-06-30&from=2025-02-01&brand=MuscleBlaze&platform=Instagram,YouTube'
curl -s "$REF/api/dashboard?$Q" >"$T/ref.json"
curl -s "$REF/api/dashboard?$Q" >"$T/ref2.json"
curl -s "$REF/api/influencers?$Q" >"$T/ref-inf.json"
INF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["top_influencers"][0]["influencer_id"])' "$T/ref.json")
curl -s "$REF/api/influencers/$INF?$Q" >"$T/ref-one.json"
expect_eq "without kept answers nothing is counted as kept" 0 "$(metric kept)"
check "and the same question gets the same answer" cmp -s "$T/ref.json" "$T/ref2.json"

# the server under test, on the same database
serve_start "$DB" || { fail "a server with kept answers starts" "$(cat "$T/server.log")"; finish; }
wait_data || fail "it loads the data" "$(cat "$T/server.log")"
computed0=$(metric computed)
curl -s "$BASE/api/dashboard?$Q" >"$T/a1.json"
curl -s "$BASE/api/dashboard?$Q" >"$T/a2.json"
curl -s "$BASE/api/dashboard?$Q" >"$T/a3.json"
check "the first answer is the reference's" cmp -s "$T/ref.json" "$T/a1.json"
check "the answer asked again is byte for byte the same" cmp -s "$T/ref.json" "$T/a2.json"
check "and again" cmp -s "$T/ref.json" "$T/a3.json"
expect_eq "two of the three answers were kept ones" 2 "$(metric kept)"
expect_eq "one was computed" $((computed0 + 1)) "$(metric computed)"
curl -s "$BASE/api/dashboard?$Q2" >"$T/b.json"
check "the same parameters in another order: the same document" cmp -s "$T/ref.json" "$T/b.json"
expect_eq "computed for itself" $((computed0 + 2)) "$(metric computed)"
curl -s "$BASE/api/influencers?$Q" >"$T/inf.json"
curl -s "$BASE/api/influencers/$INF?$Q" >"$T/one.json"
curl -s "$BASE/api/influencers/$INF?$Q" >"$T/one2.json"
check "another path with the same parameters: its own document" cmp -s "$T/ref-inf.json" "$T/inf.json"
check "an influencer's page" cmp -s "$T/ref-one.json" "$T/one.json"
check "an influencer's page asked again" cmp -s "$T/ref-one.json" "$T/one2.json"
curl -s "$BASE/api/dashboard?platform=Instagram" >"$T/c.json"
curl -s "$REF/api/dashboard?platform=Instagram" >"$T/ref-c.json"
check "another filter: its own answer" cmp -s "$T/ref-c.json" "$T/c.json"
kept=$(metric kept)
for i in 1 2; do
    code=$(curl -s -o "$T/bad.json" -w '%{http_code}' "$BASE/api/dashboard?from=2025-13-01")
    expect_eq "a refused request is refused each time ($i)" 400 "$code"
done
expect_eq "and never kept" "$kept" "$(metric kept)"
bytes=$(curl -s "$BASE/metrics" | sed -n 's/^infludash_answers_kept_bytes //p')
if ((bytes > 0)); then pass "the kept bytes are counted"; else fail "the kept bytes are counted" "$bytes"; fi

# an import while it runs: the next answer is the new data's, not a kept one
before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kpis"]["revenue"])' "$T/a1.json")
printf 'tracking_id,influencer_id,date,brand,orders,revenue\nANS1,%s,2025-03-05,MuscleBlaze,3,98765.43\n' "$INF" >"$T/new.csv"
idx import --quiet --db "$DB" --dataset tracking_data "$T/new.csv" || fail "an import" "$(last_output)"
wait_loaded 2 || fail "the server loads the new data" "$(cat "$T/server.log")"
curl -s "$BASE/api/dashboard?$Q" >"$T/after.json"
after=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kpis"]["revenue"])' "$T/after.json")
expect_eq "after the import the dashboard has the new row's revenue" \
    "$(python3 -c "print(round($before + 98765.43, 2))")" "$(python3 -c "print(round($after, 2))")"
expect_eq "and was computed, not kept (the new data starts with none)" 0 "$(metric kept)"
curl -s "$BASE/api/dashboard?$Q" >"$T/after2.json"
check "the new answer asked again is the same" cmp -s "$T/after.json" "$T/after2.json"
expect_eq "and kept" 1 "$(metric kept)"
serve_stop
expect_eq "the server stops cleanly" 0 "$RC"
SERVER_PID=$REF_PID
serve_stop
finish
