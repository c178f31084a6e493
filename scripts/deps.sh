#!/usr/bin/env bash
# Installs the Debian packages infludash builds and runs with, when any is missing; with
# --test also what the tests use (cmocka, valgrind, the sqlite3 and curl commands,
# chromium for the browser tests, clang and its libFuzzer runtime for tests/fuzz/,
# clang-format 14 for the layout check (scripts/check-format.sh), and
# the PostgreSQL server that scripts/pg-test.sh starts for the store tests, python3 with
# aiosmtpd and openssl for the local platform and SMTP test servers of tests/servers/);
# with --bench all of that and what the benchmarks of bench/ run (GNU time for the import's
# CPU time and peak memory, wrk for the request rates, strace for the import's write calls).
# Needs root (or sudo) only when something has to be installed.
set -euo pipefail
case $#:${1:-} in
0: | 1:--test | 1:--bench) ;;
*)
    echo "usage: scripts/deps.sh [--test | --bench] (not \"$*\")" >&2
    exit 2
    ;;
esac
packages=(build-essential cmake ninja-build pkg-config libmicrohttpd-dev libsqlite3-dev
          libpq-dev zlib1g-dev nodejs npm libcairo2-dev libpango1.0-dev fonts-dejavu-core
          libxlsxwriter-dev libsodium-dev libcurl4-openssl-dev libjansson-dev
          tzdata ca-certificates)
if [[ ${1:-} == --test || ${1:-} == --bench ]]; then
    packages+=(libcmocka-dev sqlite3 curl valgrind chromium poppler-utils clang-14
               libclang-rt-14-dev clang-format-14 postgresql-15 python3 python3-aiosmtpd
               openssl)
fi
if [[ ${1:-} == --bench ]]; then
    packages+=(time wrk strace)
fi
missing=()
for p in "${packages[@]}"; do
    # Node may come from elsewhere (NodeSource's nodejs bundles npm and conflicts with
    # Debian's npm): a working command is enough.
    case $p in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
