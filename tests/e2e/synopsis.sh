#!/usr/bin/env bash
# synopsis.sh — the README's "Command line" block is what the commands' --help print: the same
# commands, forms and options in the same order (synopsis_check.py compares word for word),
# so that neither can drift from the option tables (src/cli/) the usage is printed from.
source "$(dirname "$0")/lib.sh"
require_binary

CHECK=$SRC/tests/e2e/synopsis_check.py
check "the README synopsis matches every command's --help" python3 "$CHECK" "$INFLUDASH" "$SRC/README.md"
# The check catches what once happened: the serve synopsis without --max-body-size.
expect_fail "a README without --max-body-size is caught" 1 \
    python3 "$CHECK" "$INFLUDASH" "$SRC/README.md" --drop --max-body-size
expect_contains "… naming the serve line" "$OUT" "--max-body-size"
# Each command listed by `infludash help` has a usage; `help COMMAND` prints the same as --help.
for c in $("$INFLUDASH" help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
    expect_eq "help $c is $c --help" "$("$INFLUDASH" "$c" --help)" "$("$INFLUDASH" help "$c")"
done
finish
