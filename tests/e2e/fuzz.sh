#!/usr/bin/env bash
# tests/e2e/fuzz.sh — the libFuzzer targets (tests/fuzz/) within make test: in the release
# tree each is fuzzed for FUZZ_SECONDS (default 12) after replaying its regressions and seed
# corpus; in the sanitizer tree (the fuzzers carry ASan+UBSan already) only the replay runs.
set -uo pipefail
root=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
if [[ ${BUILD_KIND:-release} == asan ]]; then
    exec "$root/tests/fuzz/run.sh" --replay-only
fi
exec "$root/tests/fuzz/run.sh" --seconds "${FUZZ_SECONDS:-12}"
