/* testbackend.h — for unit tests that run on each store backend (test_store, test_auth):
 * the backend from argv[1] ("sqlite", the default, or "pg" with $INFLUDASH_TEST_PG, which
 * scripts/pg-test.sh sets; without it the run fails, so a PostgreSQL test is never skipped
 * unseen), and a fixture of a fresh temporary directory and, on PostgreSQL, a fresh
 * database. Header-only, included after cmocka.h and testutil.h. */
#ifndef INFLUDASH_TESTBACKEND_H
#define INFLUDASH_TESTBACKEND_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

enum backend { BACKEND_SQLITE, BACKEND_PG };

/* The backend under test and, for PostgreSQL, the server's URL (testbackend_main sets
 * them). */
static enum backend backend;
static const char *pg_base_url;

struct fixture {
    enum backend kind;
    char dir[PATH_MAX];
    char db[PATH_MAX + 32]; /* SQLite: the main file; PostgreSQL: the database name */
    char url[PATH_MAX + 64];
    const char *location; /* what store_location and messages say */
};

/* A connection to the server as given (its maintenance database), for CREATE/DROP. */
static inline PGconn *pg_admin(void)
{
    PGconn *c = PQconnectdb(pg_base_url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", pg_base_url, PQerrorMessage(c));
    return c;
}

static inline void pg_admin_exec(const char *sql)
{
    PGconn *c = pg_admin();
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
}

/* A cmocka setup: TMPDIR/infludash-TAG-XXXXXX/, and the database URL of the fixture. */
static inline int testbackend_setup(void **state, const char *tag)
{
    static int serial;
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->kind = backend;
    assert_non_null(testutil_make_dir(f->dir, sizeof f->dir, tag));
    if (f->kind == BACKEND_SQLITE) {
        snprintf(f->db, sizeof f->db, "%s/infludash.db", f->dir);
        snprintf(f->url, sizeof f->url, "sqlite:%s", f->db);
        f->location = f->db;
    } else {
        snprintf(f->db, sizeof f->db, "infludash_%s_%ld_%d", tag, (long)getpid(), ++serial);
        char sql[PATH_MAX + 64];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->db);
        pg_admin_exec(sql);
        snprintf(f->url, sizeof f->url, "%s%cdbname=%s", pg_base_url,
                 strchr(pg_base_url, '?') ? '&' : '?', f->db);
        f->location = f->url;
    }
    *state = f;
    return 0;
}

/* The matching teardown. */
static inline int testbackend_teardown(void **state)
{
    struct fixture *f = *state;
    testutil_remove_dir(f->dir);
    if (f->kind == BACKEND_PG) {
        char sql[PATH_MAX + 64];
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", f->db);
        pg_admin_exec(sql);
    }
    free(f);
    return 0;
}

/* Reads argv[1] into backend; 0 to go on, else the exit status (the reason printed). */
static inline int testbackend_args(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "pg") == 0) {
        backend = BACKEND_PG;
        pg_base_url = getenv("INFLUDASH_TEST_PG");
        if (!pg_base_url || !*pg_base_url) {
            fprintf(stderr,
                    "%s pg: INFLUDASH_TEST_PG is not set: run the tests under "
                    "scripts/pg-test.sh (make test does), which starts a throwaway "
                    "PostgreSQL\n",
                    argv[0]);
            return 1;
        }
    } else if (argc > 1 && strcmp(argv[1], "sqlite") != 0) {
        fprintf(stderr, "usage: %s [sqlite|pg]\n", argv[0]);
        return 64;
    }
    return 0;
}

#endif
