#!/usr/bin/env bash
# Installs the Debian packages infludash builds, runs and tests with, when any is missing.
# Needs root (or sudo) only when something has to be installed.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libmicrohttpd-dev libsqlite3-dev
          libcmocka-dev sqlite3 curl valgrind)
missing=()
for p in "${packages[@]}"; do
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
