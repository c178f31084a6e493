#!/usr/bin/env bash
# browser.sh — the web app in headless Debian chromium (npm playwright-core and axe-core,
# tests/browser): every page loads without console errors, every module comes from its
# versioned address, a filter changes the KPI cards to what the API says and survives a
# reload and back/forward, a good and a bad upload, a name with markup shown as text, the
# open-mode banner and ?ws= kept, phone width, the status line when stored rows are left out
# of the figures; issue 21's checks (empty results, charts at their card's size with legends
# and tables, the keyboard, one format per figure, axe-core's WCAG 2.2 A/AA rules on every
# page at 1440 and 390 px); the Database page's Sources (Sync now, a failed sync) and
# Schedules (issue 18). Then a second server with accounts: sign-in, the viewer's rights,
# sign-out, the admin's audit log, users and workspace switcher. Screenshots of every page go
# to ${ARTEFACTS:-$SRC/build/artefacts}/screenshots/. Logs (not asserts) the dashboard's
# draw time.
source "$(dirname "$0")/lib.sh"
require_binary

BROWSER_DIR=$SRC/tests/browser
ART=${ARTEFACTS:-$SRC/build/artefacts}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [[ ! -x $CHROMIUM ]]; then
    fail "chromium is installed" "$CHROMIUM is missing: run scripts/deps.sh --test (it installs Debian's chromium package)"
    finish
fi
if ! command -v node >/dev/null; then
    fail "node is installed" "node is missing: run scripts/deps.sh"
    finish
fi
# (every devDependency of tests/browser/package.json: playwright-core, axe-core)
if [[ ! -d $BROWSER_DIR/node_modules/playwright-core || ! -f $BROWSER_DIR/node_modules/axe-core/axe.min.js ]]; then
    if ! (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1; then
        fail "npm ci in tests/browser" "$(tail -20 "$T/npm.log")"
        finish
    fi
fi

# count_node_output FILE RC : counts run.mjs's "ok"/"FAIL" lines (and echoes every line).
count_node_output() {
    local line
    while IFS= read -r line; do
        case $line in
        "ok   "*)
            PASSED=$((PASSED + 1))
            printf '%s\n' "$line"
            ;;
        "FAIL "*)
            FAILED=$((FAILED + 1))
            FAILURES+=("${line#FAIL }")
            printf '%s\n' "$line"
            ;;
        *) printf '%s\n' "$line" ;;
        esac
    done <"$1"
    if (($2 != 0)); then
        fail "the browser run finished" "node exited with status $2 (see above)"
    fi
}

DB=$T/ui.db
idx demo --db "sqlite:$DB" --rows 20000 --seed 7 || fail "demo data" "$(last_output)"
# Issue 18's sources for the Database page: a folder with one good file waiting (older than
# the 5 s a file is given to settle), a url whose address refuses (a port nobody listens
# on), a scheduled report into a folder.
mkdir -p "$T/drop" "$T/reports"
printf 'influencer_id,name,platform\nINFDROP1,Dropped In,Instagram\n' >"$T/drop/influencers-new.csv"
touch -d '1 minute ago' "$T/drop/influencers-new.csv"
idx source add drop --db "sqlite:$DB" --kind folder --dir "$T/drop" --dataset influencers ||
    fail "source add drop" "$(last_output)"
idx source add broken --db "sqlite:$DB" --kind url --url "http://127.0.0.1:$(free_port)/orders.csv" ||
    fail "source add broken" "$(last_output)"
idx report add weekly --db "sqlite:$DB" --format csv --period last-week --every "weekly mon 09:00" \
    --to-dir "$T/reports" || fail "report add weekly" "$(last_output)"
if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_data || fail "the data loads" "$(cat "$T/server.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/assets/echarts.min.js")
expect_eq "the binary serves the chart library" 200 "$code"

mkdir -p "$ART/screenshots"
BASE=$BASE UI_DB=$DB SOURCES=1 ARTEFACTS=$ART CHROMIUM=$CHROMIUM TMPDIR_TEST=$(mktemp -d "$T/browser.XXXXXX") \
    timeout 600 node "$BROWSER_DIR/run.mjs" >"$T/browser.out" 2>&1
rc=$?
count_node_output "$T/browser.out" "$rc"

# A second server with accounts (docs/accounts.md): two workspaces, an admin of both, an
# analyst and a viewer of default; run.mjs signs in through /login (AUTH_BASE, AUTH_USERS).
serve_stop
DB2=$T/auth.db
run "$INFLUDASH" user list --db "sqlite:$DB2"
if ((RC == 64)) && grep -qi 'unknown command' "$OUT" "$ERR"; then
    fail "accounts: the binary has the user command" "this binary has no accounts yet (\`user list\` exits 64: unknown command); the signed-in browser checks were skipped"
else
    auth_ok=1
    idx workspace add acme --db "sqlite:$DB2" --title 'Acme' || { fail "accounts: workspace add acme" "$(last_output)"; auth_ok=0; }
    # both workspaces get data, with different seeds, so that switching changes the figures
    idx demo --db "sqlite:$DB2" --rows 5000 --seed 5 || { fail "accounts: demo data in default" "$(last_output)"; auth_ok=0; }
    idx demo --db "sqlite:$DB2" --workspace acme --rows 5000 --seed 3 || { fail "accounts: demo data in acme" "$(last_output)"; auth_ok=0; }
    for spec in admin:adminpass1:admin:default,acme analyst:analystpass1:analyst:default viewer:viewerpass1:viewer:default; do
        IFS=: read -r u pw role wss <<<"$spec"
        LAST_CMD="$INFLUDASH user add $u --role $role --workspace $wss --db sqlite:$DB2 (password on stdin)"
        printf '%s\n' "$pw" | "$INFLUDASH" user add "$u" --role "$role" --workspace "$wss" --db "sqlite:$DB2" >"$OUT" 2>"$ERR"
        RC=$?
        ((RC == 0)) || { fail "accounts: user add $u" "$(last_output)"; auth_ok=0; }
    done
    if ((auth_ok)) && serve_start "$DB2"; then
        # (wait_data cannot tell here: signed out, /api/dashboard is 401)
        wait_loaded 2 || fail "accounts: both workspaces load" "$(cat "$T/server.log")"
        code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/dashboard")
        expect_eq "accounts: the API wants a session" 401 "$code"
        AUTH_BASE=$BASE AUTH_USERS=admin:adminpass1,analyst:analystpass1,viewer:viewerpass1 ARTEFACTS=$ART \
            CHROMIUM=$CHROMIUM TMPDIR_TEST=$(mktemp -d "$T/browser.XXXXXX") \
            timeout 120 node "$BROWSER_DIR/run.mjs" >"$T/browser-auth.out" 2>&1
        count_node_output "$T/browser-auth.out" "$?"
        serve_stop
    elif ((auth_ok)); then
        fail "accounts: the server starts" "$(cat "$T/server.log")"
    fi
fi

printf 'screenshots: %s/screenshots/\n' "$ART"
finish
