#!/usr/bin/env bash
# tests/fuzz/run.sh — builds the libFuzzer targets with clang into build-fuzz/ (when needed),
# replays each target's regressions and seed corpus, then fuzzes each for a bounded time.
#   run.sh [--seconds N] [--replay-only] [TARGET...]  (targets: csv schema json filter form tax asci cache)
# New crashes go to tests/fuzz/crashes/TARGET-*; once understood, move each input into
# tests/fuzz/regressions/TARGET/ so every test run replays it. Prints one line per target
# (executions, time, coverage) and "N passed, N failed"; exits non-zero when any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-300}
replay_only=0
targets=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --replay-only) replay_only=1; shift ;;
    *) targets+=("$1"); shift ;;
    esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(csv schema json filter form tax asci cache)
declare -A max_len=([csv]=4096 [schema]=4096 [json]=4096 [filter]=1024 [form]=1024 [tax]=4096 [asci]=2048 [cache]=65536)

cc=${FUZZ_CC:-$(command -v clang-14 || command -v clang || true)}
if [[ -z $cc ]]; then
    echo "fuzz: clang not found (scripts/deps.sh --test installs clang-14)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
# One build at a time: make test runs this from two build trees.
mkdir -p "$build"
exec 9>"$build/.lock"
flock 9
if [[ ! -f $build/build.ninja ]]; then
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=None \
        >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; echo "0 passed, 1 failed"; exit 1; }
fi
if ! cmake --build "$build" >"$build/build.log" 2>&1; then
    cat "$build/build.log" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
flock -u 9

mkdir -p "$here/crashes"
passed=0; failed=0
for t in "${targets[@]}"; do
    bin=$build/fuzz_$t
    log=$(mktemp)
    # Replay: every regression and seed input once, no mutation.
    if ! "$bin" -runs=0 "$here/regressions/$t" "$here/corpus/$t" >"$log" 2>&1; then
        echo "fuzz_$t: FAILED replaying regressions/corpus:"
        grep -v '^#\|^INFO' "$log" | head -60
        failed=$((failed + 1)); rm -f "$log"; continue
    fi
    if [[ $replay_only == 1 ]]; then
        echo "fuzz_$t: replayed $(ls "$here/regressions/$t" "$here/corpus/$t" | grep -vc ':$\|^$') inputs: ok"
        passed=$((passed + 1)); rm -f "$log"; continue
    fi
    work=$(mktemp -d)
    cp "$here/corpus/$t"/* "$work"/ 2>/dev/null
    start=$(date +%s)
    "$bin" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$here/crashes/$t-" "$work" >"$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
    if [[ $rc -eq 0 ]]; then
        echo "fuzz_$t: ${execs:-?} executions in ${took}s, ${cov:-cov ?}, corpus $(ls "$work" | wc -l) inputs: no crash"
        passed=$((passed + 1))
    else
        echo "fuzz_$t: FAILED after ${execs:-?} executions in ${took}s (${cov:-cov ?}):"
        grep -A40 'ERROR\|invariant failed\|differ' "$log" | head -60
        grep 'Test unit written to' "$log"
        failed=$((failed + 1))
    fi
    rm -rf "$work" "$log"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
