#!/usr/bin/env bash
# lint-web.sh — the web app's modules (web/src/**/*.js, and web/eslint.config.js) against
# eslint (web/eslint.config.js) and prettier (web/.prettierrc); exits non-zero on any finding.
# ctest runs it as lint_web. The tools come from web/package-lock.json, installed by the
# build's `npm ci` (cmake/npm_ci.cmake). Before linting, it makes sure that the rules still
# catch what they are there for: a file with an unused variable must fail eslint, and a badly
# formatted one prettier. CSS and HTML are not checked (yet).
#   scripts/lint-web.sh          check
#   scripts/lint-web.sh --fix    let eslint fix what it can and prettier format, then check
set -uo pipefail
cd "$(dirname "$0")/../web" || exit 1
BIN=node_modules/.bin
JS=('src/**/*.js' eslint.config.js)
for tool in eslint prettier; do
    if [[ ! -x $BIN/$tool ]]; then
        echo "lint-web: $tool is not installed in web/node_modules: build first (\`make\` runs npm ci)" >&2
        exit 1
    fi
done
if [[ ${1:-} == --fix ]]; then
    "$BIN/eslint" --fix src eslint.config.js
    "$BIN/prettier" --log-level warn --write "${JS[@]}"
fi

status=0
# The rules work: eslint refuses an unused variable, prettier a misformatted line.
if printf 'export const used = 1;\nconst unused = 2;\n' |
    "$BIN/eslint" --stdin --stdin-filename src/lint-probe.js >/dev/null 2>&1; then
    echo "lint-web: eslint passed a module with an unused variable: web/eslint.config.js no longer catches it" >&2
    status=1
fi
probe='export const  x = [1,2]'
if [[ $(printf '%s\n' "$probe" | "$BIN/prettier" --stdin-filepath src/lint-probe.js 2>&1) == "$probe" ]]; then
    echo "lint-web: prettier left a misformatted line as it was: web/.prettierrc no longer formats anything" >&2
    status=1
fi

echo "eslint: web/src"
"$BIN/eslint" --max-warnings 0 src eslint.config.js || status=1
echo "prettier --check: web/src/**/*.js"
"$BIN/prettier" --check "${JS[@]}" || status=1
if ((status == 0)); then echo "lint-web: clean"; else echo "lint-web: FAILED (scripts/lint-web.sh --fix formats; the eslint findings need a hand)"; fi
exit "$status"
