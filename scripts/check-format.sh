#!/usr/bin/env bash
# check-format.sh — the C sources (src/, tests/, tools/, bench/, cmake/) against .clang-format
# with clang-format 14, Debian 12's (another version lays some lines out differently);
# ctest runs it as `format`, and any difference fails it. It first makes sure that a badly
# laid out file does fail.
#   scripts/check-format.sh          check (clang-format --dry-run -Werror)
#   scripts/check-format.sh --fix    format the files in place (make format)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
cf=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
if [[ -z $cf ]]; then
    echo "check-format: clang-format not found (scripts/deps.sh --test installs clang-format-14)" >&2
    exit 1
fi
mapfile -t files < <(find src tests tools bench cmake -name node_modules -prune -o \
    -type f \( -name '*.c' -o -name '*.h' \) -print | sort)
if [[ ${1:-} == --fix ]]; then
    exec "$cf" -i "${files[@]}"
fi
if printf 'int  main( void ) { return 0; }\n' |
    "$cf" --dry-run -Werror --assume-filename=src/probe.c >/dev/null 2>&1; then
    echo "check-format: $cf accepted a badly laid out file; is .clang-format read?" >&2
    exit 1
fi
if ! "$cf" --dry-run -Werror "${files[@]}"; then
    echo "check-format: run \`make format\` (or scripts/check-format.sh --fix) and commit" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files as .clang-format lays them out"
