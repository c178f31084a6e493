#!/usr/bin/env bash
# browser.sh — the web app in headless Debian chromium (npm playwright-core, tests/browser):
# every page loads without console errors, a filter changes the KPI cards to what the API
# says and survives a reload and back/forward, a good and a bad upload, a name with markup
# shown as text, phone width. Screenshots of every page go to
# ${ARTEFACTS:-$SRC/build/artefacts}/screenshots/. Logs (not asserts) the dashboard's draw time.
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
if [[ ! -d $BROWSER_DIR/node_modules/playwright-core ]]; then
    if ! (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1; then
        fail "npm ci in tests/browser" "$(tail -20 "$T/npm.log")"
        finish
    fi
fi

DB=$T/ui.db
idx demo --db "sqlite:$DB" --rows 20000 --seed 7 || fail "demo data" "$(last_output)"
if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_data || fail "the data loads" "$(cat "$T/server.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/assets/echarts.min.js")
expect_eq "the binary serves the chart library" 200 "$code"

mkdir -p "$ART/screenshots"
BASE=$BASE ARTEFACTS=$ART CHROMIUM=$CHROMIUM TMPDIR_TEST=$(mktemp -d "$T/browser.XXXXXX") \
    timeout 120 node "$BROWSER_DIR/run.mjs" >"$T/browser.out" 2>&1
rc=$?
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
done <"$T/browser.out"
if ((rc != 0)); then
    fail "the browser run finished" "node exited with status $rc (see above)"
fi
printf 'screenshots: %s/screenshots/\n' "$ART"
finish
