#!/usr/bin/env bash
# pg-test.sh — runs a command beside a throwaway PostgreSQL (STACK.md gotcha 6): initdb into a
# short temporary directory as the postgres user, a unix socket there and no TCP port,
# fsync off; the command sees INFLUDASH_TEST_PG=postgresql://postgres@/postgres?host=DIR.
# The server is stopped and the directory removed however the command ends.
# PG_TEST_FSYNC=on keeps fsync (for benchmarks whose commits should be durable).
#   scripts/pg-test.sh COMMAND [ARGS...]     exit status: the command's (or 1 when the
#                                            server cannot start)
set -uo pipefail
if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 64
fi
bindir=$( (pg_config --bindir 2>/dev/null; ls -d /usr/lib/postgresql/*/bin 2>/dev/null) |
          while read -r d; do [[ -x $d/initdb ]] && { echo "$d"; break; }; done)
if [[ -z $bindir ]]; then
    echo "pg-test: PostgreSQL's server programs (initdb, pg_ctl) are not installed;" \
         "run scripts/deps.sh --test (Debian package postgresql-15)" >&2
    exit 1
fi
# As root the server runs as postgres (it refuses to run as root); otherwise as ourselves.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    as_pg=(runuser -u postgres --)
fi
# Socket paths are limited to 107 bytes: a short directory under /tmp.
dir=$(mktemp -d /tmp/pgt.XXXXXX) || exit 1
stop() {
    if [[ -f $dir/data/postmaster.pid ]]; then
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM
[[ ${#as_pg[@]} -eq 0 ]] || chown postgres "$dir"
chmod 700 "$dir"
if ! "${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
    echo "pg-test: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    exit 1
fi
if ! "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -o \
        "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=${PG_TEST_FSYNC:-off} -c full_page_writes=${PG_TEST_FSYNC:-off} -c synchronous_commit=${PG_TEST_FSYNC:-off} -c max_connections=200" \
        start >/dev/null 2>&1; then
    echo "pg-test: the PostgreSQL server did not start:" >&2
    cat "$dir/log" >&2
    exit 1
fi
export INFLUDASH_TEST_PG="postgresql://postgres@/postgres?host=$dir"
"$@"
