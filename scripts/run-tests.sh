#!/usr/bin/env bash
# Runs ctest in each build directory given and prints one closing line for all of them.
# The tests labelled pg need a PostgreSQL: unless INFLUDASH_TEST_PG names one already, the
# whole run happens inside scripts/pg-test.sh, which starts a throwaway server and stops it.
set -uo pipefail
if [[ -z ${INFLUDASH_TEST_PG:-} ]]; then
    exec "$(dirname "$0")/pg-test.sh" "$0" "$@"
fi
passed=0; failed=0
for dir in "$@"; do
    echo "== tests in $dir"
    log=$(mktemp)
    (cd "$dir" && ctest --output-on-failure -j2 --timeout 900) 2>&1 | tee "$log"
    total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
    bad=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
    if [[ -z "$total" ]]; then total=1; bad=1; fi
    passed=$((passed + total - bad)); failed=$((failed + bad))
    rm -f "$log"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
