#!/usr/bin/env bash
# cli.sh — the command line (README "Command line", SPEC §5): --help on every command,
# usage errors exit 64 with a message, `status` JSON with the four counts, `demo`, `export`
# with and without -o. In the release build, the commands also run under valgrind with
# every leak kind an error (skipped under ASan, which checks the same in its own build).
source "$(dirname "$0")/lib.sh"
require_binary

GOOD=$SRC/tests/data/e2e
DB=$T/cli.db
URL=sqlite:$DB
cd "$T" || exit 1

# ---- help ------------------------------------------------------------------------------
check "infludash --help exits 0" "$INFLUDASH" --help
for c in serve import demo export status; do
    expect_contains "infludash --help lists $c" "$OUT" "$c"
done
check "infludash --version exits 0" "$INFLUDASH" --version
expect_match "--version prints a version" "$OUT" '^infludash [0-9]+\.[0-9]+'

# scripts/deps.sh refuses what it does not know, before it installs anything (an option
# misspelt used to install the build's packages alone, silently).
for a in --tset "--test --bench"; do
    # shellcheck disable=SC2086
    expect_fail "deps.sh $a is a usage error" 2 "$SRC/scripts/deps.sh" $a
    expect_contains "deps.sh $a says its usage" "$ERR" "usage: scripts/deps.sh [--test | --bench]"
done

declare -A OPTS=(
    [serve]="--db --listen --sample-if-empty --sample-rows"
    [import]="--db --dataset --mode --skip-invalid --rejects --max-file-size --max-rows --max-field-size --quiet"
    [demo]="--db --rows --seed --csv"
    [export]="--db --dataset -o"
    [status]="--db"
)
for c in serve import demo export status; do
    if check "$c --help exits 0" "$INFLUDASH" "$c" --help; then
        cp "$OUT" "$T/help.$c"
        expect_match "$c --help prints a usage line" "$T/help.$c" "^usage: infludash $c"
        missing=""
        for o in ${OPTS[$c]}; do
            grep -qF -- "$o" "$T/help.$c" || missing+="$o "
        done
        expect_eq "$c --help mentions its options (${OPTS[$c]})" "" "$missing"
    fi
    check "$c -h exits 0" "$INFLUDASH" "$c" -h
done
expect_match "import --help explains the exit status" "$T/help.import" '[Ee]xit status'

# ---- usage errors: 64 with a message -------------------------------------------------------
expect_fail "no command: exit status 64" 64 "$INFLUDASH"
expect_contains "no command: usage on stderr" "$ERR" "usage:"
expect_fail "unknown command: exit status 64" 64 "$INFLUDASH" frobnicate
expect_contains "unknown command: the message names it" "$ERR" "frobnicate"
for c in serve import demo export status; do
    expect_fail "$c --bogus: exit status 64" 64 "$INFLUDASH" "$c" --bogus --db "$URL"
    expect_contains "$c --bogus: the message names the option" "$ERR" "--bogus"
done
expect_fail "import without a file: exit status 64" 64 "$INFLUDASH" import --db "$URL"
expect_contains "import without a file: the message says so" "$ERR" "no file"
expect_fail "--db without a value: exit status 64" 64 "$INFLUDASH" status --db
expect_contains "--db without a value: the message names the option" "$ERR" "--db"
expect_fail "demo --rows abc: exit status 64" 64 "$INFLUDASH" demo --db "$URL" --rows abc
expect_contains "demo --rows abc: the message names the value" "$ERR" "abc"
expect_fail "export without --dataset: exit status 64" 64 "$INFLUDASH" export --db "$URL"
expect_contains "export without --dataset: the message names --dataset" "$ERR" "--dataset"
expect_fail "export --dataset nonsense: exit status 64" 64 "$INFLUDASH" export --db "$URL" --dataset nonsense
expect_contains "export --dataset nonsense: the message names it" "$ERR" "nonsense"
expect_fail "import --max-rows -3: exit status 64" 64 "$INFLUDASH" import --db "$URL" --max-rows -3 "$GOOD/posts.csv"
expect_fail "a missing file: exit status 1" 1 "$INFLUDASH" import --db "$URL" "$T/nope.csv"
expect_contains "a missing file: the message names it" "$ERR" "nope.csv"
expect_fail "an unopenable database: exit status 1" 1 "$INFLUDASH" status --db "sqlite:$T/no/such/dir/x.db"
expect_contains "an unopenable database: the message names it" "$ERR" "x.db"

# ---- status ------------------------------------------------------------------------------
check "status on a new database exits 0" "$INFLUDASH" status --db "$URL"
cp "$OUT" "$T/status.json"
check "status prints valid JSON" python3 -m json.tool "$T/status.json"
expect_eq "status JSON has the four counts, all 0" '{"influencers": 0, "posts": 0, "tracking_data": 0, "payouts": 0}' \
    "$($UTIL status-get counts <"$T/status.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({k: d[k] for k in ("influencers","posts","tracking_data","payouts")}))')"
expect_eq "status JSON names the backend" sqlite "$($UTIL status-get backend <"$T/status.json")"
expect_eq "status JSON: no import yet" None "$($UTIL status-get last_import <"$T/status.json")"
check "import the good set" "$INFLUDASH" import --quiet --db "$URL" "$GOOD"/*.csv
check "status after an import" "$INFLUDASH" status --db "$URL"
cp "$OUT" "$T/status.json"
expect_eq "status counts after the import" "5 6 8 5" "$($UTIL status-counts <"$T/status.json")"
expect_eq "status JSON: the last import is listed" "$(
    $UTIL status-get last_import dataset <"$T/status.json")" payouts
expect_eq "DATABASE_URL is honoured" "5 6 8 5" \
    "$(DATABASE_URL=$URL "$INFLUDASH" status 2>/dev/null | $UTIL status-counts 2>&1)"

# ---- a workspace's figures are its own ---------------------------------------------------------
# query, export and status load on several connections at once: every one of them must read
# the workspace asked for (they once read the default workspace's tracking rows in part).
WDB=$T/ws.db
check "a second workspace" "$INFLUDASH" workspace add acme --db "sqlite:$WDB"
check "demo data in default" "$INFLUDASH" demo --db "sqlite:$WDB" --rows 20000 --seed 1
check "other demo data in acme" "$INFLUDASH" demo --db "sqlite:$WDB" --workspace acme --rows 3000 --seed 2
alone=$("$INFLUDASH" query --db "sqlite:$T/ws-ws-acme.db" | $UTIL status-get kpis orders)
expect_eq "query --workspace acme: the orders of acme's rows alone" "$alone" \
    "$("$INFLUDASH" query --db "sqlite:$WDB" --workspace acme | $UTIL status-get kpis orders)"
# (the per-influencer table; comment lines carry the time it was made)
"$INFLUDASH" export --db "sqlite:$WDB" --workspace acme --format csv -o - 2>/dev/null |
    grep -v '^#' >ws-acme.csv
"$INFLUDASH" export --db "sqlite:$T/ws-ws-acme.db" --format csv -o - 2>/dev/null |
    grep -v '^#' >ws-alone.csv
expect_eq "export --workspace acme: the report of acme's rows alone" yes \
    "$([[ -s ws-alone.csv ]] && cmp -s ws-alone.csv ws-acme.csv && echo yes || echo no)"
sqlite3 "$WDB" "UPDATE tracking_data SET orders = -1 WHERE rowid = (SELECT max(rowid) FROM tracking_data)"
expect_eq "status: a row the analytics leave out in default is reported there" 1 \
    "$("$INFLUDASH" status --db "sqlite:$WDB" | $UTIL status-get engine skipped_rows)"
expect_eq "status --workspace acme: … and not in acme" 0 \
    "$("$INFLUDASH" status --db "sqlite:$WDB" --workspace acme | $UTIL status-get engine skipped_rows)"

# ---- demo ------------------------------------------------------------------------------
DEMO=$T/demo.db
check "demo --rows 2000 exits 0" "$INFLUDASH" demo --db "sqlite:$DEMO" --rows 2000
c=$(counts "$DEMO")
read -r ni np nt npay <<<"$c"
expect_eq "demo --rows 2000: 2000 tracking rows" 2000 "$nt"
expect_eq "demo --rows 2000: influencers, posts and payouts are loaded too" yes \
    "$( ((ni > 0 && np > 0 && npay > 0)) && echo yes || echo "no: $c")"
check "demo again (replaces the data)" "$INFLUDASH" demo --db "sqlite:$DEMO" --rows 1000
expect_eq "demo replaces: 1000 tracking rows" 1000 "$(counts "$DEMO" | cut -d' ' -f3)"
check "demo --seed 7 twice gives the same data (1)" "$INFLUDASH" demo --csv "$(mkdir -p s1 && echo s1)" --rows 300 --seed 7
check "demo --seed 7 twice gives the same data (2)" "$INFLUDASH" demo --csv "$(mkdir -p s2 && echo s2)" --rows 300 --seed 7
check "demo --seed 7: same files" diff -r s1 s2
check "demo --csv writes the four files" test -s s1/influencers.csv -a -s s1/posts.csv -a -s s1/tracking_data.csv -a -s s1/payouts.csv
expect_eq "demo --csv --rows 300: 300 tracking records" 300 "$($UTIL count s1/tracking_data.csv)"

# ---- export ------------------------------------------------------------------------------
check "export --dataset posts to stdout" "$INFLUDASH" export --db "$URL" --dataset posts
cp "$OUT" "$T/posts.stdout.csv"
expect_eq "export to stdout: header and 6 rows" 6 "$($UTIL nrows "$T/posts.stdout.csv")"
expect_match "export: canonical columns first" "$T/posts.stdout.csv" '^post_id,influencer_id,platform,date,'
check "export -o FILE exits 0" "$INFLUDASH" export --db "$URL" --dataset posts -o "$T/posts.o.csv"
expect_eq "export -o prints nothing on stdout" "" "$(cat "$OUT")"
expect_same_files "export -o FILE writes the same bytes as stdout" "$T/posts.stdout.csv" "$T/posts.o.csv"
check "export --output=FILE works too" "$INFLUDASH" export --db "$URL" --dataset=tracking_data --output="$T/t.csv"
expect_eq "export --output: 8 tracking rows" 8 "$($UTIL nrows "$T/t.csv")"
for short in influencer post tracking payout; do
    check "export --dataset $short (short name) exits 0" "$INFLUDASH" export --db "$URL" --dataset "$short"
done
expect_fail "export -o into a missing directory: exit status 1" 1 \
    "$INFLUDASH" export --db "$URL" --dataset posts -o "$T/no/such/dir/p.csv"
expect_contains "export -o into a missing directory: the message names the file" "$ERR" "p.csv"
check "export of an empty dataset exits 0" "$INFLUDASH" export --db "sqlite:$T/empty.db" --dataset payouts
expect_eq "export of an empty dataset: just the header" 1 "$(wc -l <"$OUT" | tr -d ' ')"

# ---- valgrind (release build only) ---------------------------------------------------------
if [[ $BUILD_KIND == asan ]]; then
    echo "valgrind checks skipped: BUILD_KIND=asan (ASan/LSan check the same)"
elif ! command -v valgrind >/dev/null; then
    fail "valgrind installed" "valgrind not found: run scripts/deps.sh"
else
    # The binary links GLib (through pango, for PDF reports): GLib's constructors keep
    # their type system for the life of the process. Its own suppressions and ours
    # (tests/valgrind.supp) cover exactly that; everything else still counts.
    VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99
        --suppressions="$SRC/tests/valgrind.supp")
    [[ -f /usr/share/glib-2.0/valgrind/glib.supp ]] &&
        VG+=(--suppressions=/usr/share/glib-2.0/valgrind/glib.supp)
    VDB=sqlite:$T/vg.db
    printf 'tracking_id,source,campaign,influencer_id,user_id,product,date,orders,revenue\nV1,instagram,X,INF001,U1,Whey,2025-07-01,1,12;3x\nV2,instagram,X,INF001,U1,Whey,2025-07-01,1,100\n' \
        >"$T/bad_tracking.csv"
    cat >"$T/payouts.json" <<'EOF'
[{"payout_id": "J1", "influencer_id": "INF001", "basis": "post", "rate": "₹4,500/post", "posts": 2},
 {"payout_id": "J2", "influencer_id": "INF002", "basis": "order", "rate": 250, "orders": 3, "note": {"a": [1, 2]}}]
EOF
    # vg NAME WANT_STATUS ARGS... : the command exits with WANT_STATUS (not 99) under valgrind.
    vg() {
        local name=$1 want=$2
        shift 2
        run "${VG[@]}" "$INFLUDASH" "$@"
        if ((RC == want)); then
            pass "valgrind: $name (exit $RC, no errors or leaks)"
        elif ((RC == 99)); then
            fail "valgrind: $name: memory errors or leaks" "$(last_output)"
        else
            fail "valgrind: $name: exit status $RC, expected $want" "$(last_output)"
        fi
    }
    vg "import of the good set" 0 import --quiet --db "$VDB" "$GOOD"/*.csv
    vg "import of a JSON file" 0 import --quiet --db "$VDB" "$T/payouts.json"
    vg "import of a bad file" 1 import --db "$VDB" "$T/bad_tracking.csv"
    vg "import --skip-invalid --rejects" 2 import --db "$VDB" --skip-invalid --rejects "$T/rej.csv" "$T/bad_tracking.csv"
    printf 'influencer_id,name\nINF100,"open\n' >"$T/unterminated.csv"
    vg "import of an unterminated quote" 1 import --db "$VDB" --dataset influencers "$T/unterminated.csv"
    vg "import over --max-rows" 1 import --db "$VDB" --max-rows 1 "$T/bad_tracking.csv"
    vg "import of a missing file" 1 import --db "$VDB" "$T/nope.csv"
    vg "export" 0 export --db "$VDB" --dataset tracking_data
    vg "export -o" 0 export --db "$VDB" --dataset payouts -o "$T/vg.payouts.csv"
    vg "status" 0 status --db "$VDB"
    vg "demo --rows 500" 0 demo --db "$VDB" --rows 500
    vg "demo --csv --rows 500" 0 demo --csv "$T/s1" --rows 500
    vg "unknown option" 64 import --bogus
    vg "query with filters" 0 query --db "$VDB" --platform=Instagram,YouTube --from=2025-01-01 --iroas-method fixed_share
    vg "query with a bad date" 64 query --db "$VDB" --from=2025-13-01
    vg "export --format csv with filters" 0 export --db "$VDB" --format csv --platform=YouTube -o "$T/vg.report.csv"
    vg "export --format xlsx" 0 export --db "$VDB" --format xlsx -o "$T/vg.report.xlsx"
    vg "export --dataset with filters" 0 export --db "$VDB" --dataset tracking_data --from=2025-01-01 -o "$T/vg.rows.csv"
    # Drawing text makes GLib and pango register types and per-thread data for the life of
    # the process ("reachable" and "possibly lost"): for the PDF, definite and indirect
    # leaks are the errors.
    run "${VG[@]}" --errors-for-leak-kinds=definite,indirect \
        "$INFLUDASH" export --db "$VDB" --format pdf -o "$T/vg.report.pdf"
    ((RC == 0)) && pass "valgrind: export --format pdf (exit 0, no errors or definite leaks)" ||
        fail "valgrind: export --format pdf" "$(last_output)"
    vg "--help" 0 import --help
    # accounts: argon2id hashing, the accounts database, workspaces and the audit log
    printf 'vg-password-1\n' >"$T/vg.pw"
    vg "workspace add" 0 workspace add vgws --db "$VDB" --title 'Valgrind'
    vg "user add (password on stdin)" 0 user add vgadmin --role admin --workspace default,vgws --db "$VDB" <"$T/vg.pw"
    vg "user add with a short password" 64 user add vgshort --role viewer --db "$VDB" < <(printf 'short\n')
    vg "user passwd" 0 user passwd vgadmin --db "$VDB" <"$T/vg.pw"
    vg "user set" 0 user set vgadmin --workspace vgws --db "$VDB"
    vg "user list" 0 user list --db "$VDB"
    vg "import into a workspace" 0 import --quiet --db "$VDB" --workspace vgws "$GOOD"/influencers.csv
    vg "import into an unknown workspace" 1 import --quiet --db "$VDB" --workspace nope "$GOOD"/influencers.csv
    vg "audit --format csv" 0 audit --db "$VDB" --workspace vgws --format csv
    vg "user del" 0 user del vgadmin --db "$VDB"
    vg "workspace del" 0 workspace del vgws --db "$VDB"
fi

finish
