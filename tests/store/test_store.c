/* test_store.c — the store on each backend: SQLite (no argument or "sqlite") and the
 * throwaway PostgreSQL of scripts/pg-test.sh ("pg": $INFLUDASH_TEST_PG, required). The same
 * cases run on both: URLs, migrations and reopening, round trips of every column kind for
 * all four datasets, upserts (one by one and in bulk), transactions (rollback, clear),
 * snapshots and the data version, scans in parts, extra keys, the import log, clear errors
 * the audit log, clear errors for bad, missing and locked databases, a lost connection, and
 * an import-sized bulk write (its throughput is bench/store_speed.c's).
 * Each test gets a fresh temporary directory, and on PostgreSQL a fresh database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "testbackend.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store.h"

/* The schema version this build migrates to (store_sql.h's STORE_SCHEMA_VERSION). */
#define STORE_VERSION_NOW 7

#include "banned.h"

static int make_dir(void **state)
{
    return testbackend_setup(state, "store");
}

static int remove_dir(void **state)
{
    return testbackend_teardown(state);
}

static struct store *open_ok(const char *url)
{
    struct store *s = NULL;
    struct err e;
    err_clear(&e);
    int rc = store_open(url, &s, &e);
    if (rc != 0)
        print_error("store_open(%s): %s\n", url, e.msg);
    assert_int_equal(rc, 0);
    assert_non_null(s);
    return s;
}

/* Runs a query on the database directly (not through the store) and returns its one
 * integer or text result. */
static void raw_query(const struct fixture *f, const char *sql, char *out, size_t size)
{
    if (f->kind == BACKEND_PG) {
        PGconn *c = PQconnectdb(f->url);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PGresult *res = PQexec(c, sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1)
            fail_msg("%s: %s", sql, PQerrorMessage(c));
        snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        PQfinish(c);
        return;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    snprintf(out, size, "%s", text ? (const char *)text : "");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void raw_exec(const struct fixture *f, const char *sql)
{
    if (f->kind == BACKEND_PG) {
        PGconn *c = PQconnectdb(f->url);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PGresult *res = PQexec(c, sql);
        if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(c));
        PQclear(res);
        PQfinish(c);
        return;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* ---- rows -------------------------------------------------------------------------- */

static int key_index(enum dataset ds)
{
    const struct schema_dataset *d = schema_dataset(ds);
    for (int i = 0; i < d->ncols; i++)
        if (d->cols[i].flags & SCHEMA_KEY)
            return i;
    fail_msg("dataset %d has no key", ds);
    return -1;
}

static void set_key(struct schema_row *row, const char *key)
{
    schema_row_set_text(row, key_index(row->ds), key, strlen(key));
}

/* Every column present: integers over the whole int64 range, text with UTF-8, quotes,
 * commas and a line break; extra JSON with non-ASCII keys and values. */
static void fill_full_row(struct schema_row *row, enum dataset ds, const char *key, int seed)
{
    const struct schema_dataset *d = schema_dataset(ds);
    schema_row_clear(row);
    row->ds = ds;
    for (int i = 0; i < d->ncols; i++) {
        if (i == key_index(ds)) {
            set_key(row, key);
        } else if (schema_kind_is_int(d->cols[i].kind)) {
            int64_t v = (int64_t)(i + 1) * 1000000007LL * (seed + 1) * (i % 2 ? -1 : 1);
            if (i == d->ncols - 1)
                v = seed % 2 ? INT64_MAX : INT64_MIN;
            schema_row_set_int(row, i, v);
        } else {
            char text[256];
            int n =
                snprintf(text, sizeof text, "%s #%d: ₹1,506.16 café 東京 \"quoted\"\nsecond line",
                         d->cols[i].name, seed);
            schema_row_set_text(row, i, text, (size_t)n);
        }
    }
    char extra[128];
    int n = snprintf(extra, sizeof extra, "{\"note\":\"gültig %d\",\"région\":\"Île\"}", seed);
    schema_row_set_extra(row, extra, (size_t)n);
}

/* Only the key: every other value NULL, no extra. */
static void fill_sparse_row(struct schema_row *row, enum dataset ds, const char *key)
{
    schema_row_clear(row);
    row->ds = ds;
    set_key(row, key);
}

/* Text values present but empty, integers zero: not the same as NULL. */
static void fill_empty_row(struct schema_row *row, enum dataset ds, const char *key)
{
    const struct schema_dataset *d = schema_dataset(ds);
    schema_row_clear(row);
    row->ds = ds;
    for (int i = 0; i < d->ncols; i++) {
        if (i == key_index(ds))
            set_key(row, key);
        else if (schema_kind_is_int(d->cols[i].kind))
            schema_row_set_int(row, i, 0);
        else
            schema_row_set_text(row, i, "", 0);
    }
    schema_row_set_extra(row, "{}", 2);
}

static void assert_rows_equal(const struct schema_row *want, const struct schema_row *got)
{
    assert_int_equal(want->ds, got->ds);
    const struct schema_dataset *d = schema_dataset(want->ds);
    for (int i = 0; i < d->ncols; i++) {
        const struct schema_value *w = &want->v[i], *g = &got->v[i];
        if (w->present != g->present)
            fail_msg("%s.%s: present %d, got %d", d->name, d->cols[i].name, w->present, g->present);
        if (!w->present)
            continue;
        if (schema_kind_is_int(d->cols[i].kind)) {
            if (w->i != g->i)
                fail_msg("%s.%s: want %lld, got %lld", d->name, d->cols[i].name, (long long)w->i,
                         (long long)g->i);
        } else {
            assert_non_null(g->s);
            if (w->len != g->len || memcmp(w->s, g->s, w->len) != 0)
                fail_msg("%s.%s: want \"%s\", got \"%s\"", d->name, d->cols[i].name, w->s, g->s);
            assert_int_equal(g->s[g->len], '\0');
        }
    }
    if (!want->extra) {
        assert_null(got->extra);
    } else {
        assert_non_null(got->extra);
        assert_int_equal(want->extra_len, got->extra_len);
        assert_memory_equal(want->extra, got->extra, want->extra_len);
    }
}

/* Scan callback: checks each row against the expected list, in order. */
struct expect {
    struct schema_row *rows;
    int n;
    int seen;
};

static int check_row(void *ctx, const struct schema_row *row)
{
    struct expect *x = ctx;
    if (x->seen >= x->n)
        fail_msg("scan returned more than %d rows", x->n);
    assert_rows_equal(&x->rows[x->seen], row);
    x->seen++;
    return 0;
}

static void assert_scan(struct store *s, enum dataset ds, struct schema_row *rows, int n)
{
    struct err e;
    struct expect x = {rows, n, 0};
    int rc = store_scan(s, ds, check_row, &x, &e);
    if (rc != 0)
        fail_msg("store_scan: %s", e.msg);
    assert_int_equal(x.seen, n);
    int64_t count = -1;
    assert_int_equal(store_count(s, ds, &count, &e), 0);
    assert_int_equal(count, n);
}

static void put_ok(struct store *s, const struct schema_row *row)
{
    struct err e;
    int rc = store_put(s, row, &e);
    if (rc != 0)
        fail_msg("store_put: %s", e.msg);
}

static void begin_ok(struct store *s)
{
    struct err e;
    int rc = store_begin(s, &e);
    if (rc != 0)
        fail_msg("store_begin: %s", e.msg);
}

static void commit_ok(struct store *s)
{
    struct err e;
    int rc = store_commit(s, &e);
    if (rc != 0)
        fail_msg("store_commit: %s", e.msg);
}

static int64_t count_of(struct store *s, enum dataset ds)
{
    struct err e;
    int64_t n = -1;
    assert_int_equal(store_count(s, ds, &n, &e), 0);
    return n;
}

/* ---- opening and migrations -------------------------------------------------------- */

static void opens_new_database_migrates_and_reopens_at_same_version(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct store *s = open_ok(f->url);
    assert_string_equal(store_backend(s), f->kind == BACKEND_PG ? "postgresql" : "sqlite");
    assert_string_equal(store_location(s), f->location);
    int version = 0;
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, STORE_VERSION_NOW);
    store_close(s);

    char got[64];
    if (f->kind == BACKEND_SQLITE) {
        raw_query(f, "PRAGMA journal_mode", got, sizeof got);
        assert_string_equal(got, "wal");
    }
    raw_query(f, "SELECT count(*) FROM schema_migrations WHERE applied_at LIKE '20%Z'", got,
              sizeof got);
    assert_string_equal(got, "7");
    /* Canonical columns in order, plus extra (and PostgreSQL's seq, last). */
    for (int ds = 0; ds < DS_COUNT; ds++) {
        const struct schema_dataset *d = schema_dataset((enum dataset)ds);
        char sql[512];
        if (f->kind == BACKEND_PG)
            snprintf(sql, sizeof sql,
                     "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                     "information_schema.columns WHERE table_schema = current_schema() AND "
                     "table_name = '%s'",
                     d->name);
        else
            snprintf(sql, sizeof sql, "SELECT group_concat(name, ',') FROM pragma_table_info('%s')",
                     d->name);
        struct buf want = BUF_INIT;
        for (int i = 0; i < d->ncols; i++)
            buf_printf(&want, "%s,", d->cols[i].name);
        buf_puts(&want, f->kind == BACKEND_PG ? "extra,seq" : "extra");
        char all[1024];
        raw_query(f, sql, all, sizeof all);
        assert_string_equal(all, buf_cstr(&want));
        buf_release(&want);
    }

    /* The other spellings of the same database. */
    char url[PATH_MAX + 64];
    if (f->kind == BACKEND_PG)
        snprintf(url, sizeof url, "postgres://%s", strstr(f->url, "://") + 3);
    else
        snprintf(url, sizeof url, "sqlite://%s", f->db);
    s = open_ok(url);
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, STORE_VERSION_NOW);
    if (f->kind == BACKEND_SQLITE)
        assert_string_equal(store_location(s), f->db);
    store_close(s);
    if (f->kind == BACKEND_SQLITE) {
        s = open_ok(f->db);
        assert_int_equal(store_schema_version(s, &version, &e), 0);
        assert_int_equal(version, STORE_VERSION_NOW);
        store_close(s);
    }
    raw_query(f, "SELECT count(*) FROM schema_migrations", got, sizeof got);
    assert_string_equal(got, "7");
}

/* A database made by a version-3 build (no payment details, no payout kind) gains those
 * columns on open (migration 4), its rows kept and the new columns empty. */
static void upgrades_a_version_3_database(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    store_close(s);
    raw_exec(f, "ALTER TABLE influencers DROP COLUMN pan; "
                "ALTER TABLE influencers DROP COLUMN gstin; "
                "ALTER TABLE influencers DROP COLUMN bank_account; "
                "ALTER TABLE influencers DROP COLUMN ifsc; "
                "ALTER TABLE influencers DROP COLUMN upi; "
                "ALTER TABLE payouts DROP COLUMN kind; "
                "INSERT INTO influencers (influencer_id, name) VALUES ('OLD1', 'Old'); "
                "DELETE FROM schema_migrations WHERE version >= 4");
    s = open_ok(f->url);
    struct err e;
    int version = 0;
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, STORE_VERSION_NOW);
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    fill_full_row(&row, DS_INFLUENCERS, "INF2", 2);
    int pan = schema_col_index(DS_INFLUENCERS, "pan");
    schema_row_set_text(&row, pan, "ABCPE1234F", 10);
    begin_ok(s);
    put_ok(s, &row);
    commit_ok(s);
    schema_row_release(&row);
    int64_t n = 0;
    assert_int_equal(store_count(s, DS_INFLUENCERS, &n, &e), 0);
    assert_int_equal(n, 2);
    store_close(s);
    char got[64];
    raw_query(f, "SELECT pan FROM influencers WHERE influencer_id = 'INF2'", got, sizeof got);
    assert_string_equal(got, "ABCPE1234F");
    raw_query(f, "SELECT count(*) FROM influencers WHERE pan IS NULL", got, sizeof got);
    assert_string_equal(got, "1");
}

/* A database made by a version-1 build (the tables of versions 2 and 3 absent, with data) is
 * brought up to the current version on open, its rows kept. */
static void upgrades_a_version_1_database(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    fill_full_row(&row, DS_INFLUENCERS, "INF1", 1);
    begin_ok(s);
    put_ok(s, &row);
    commit_ok(s);
    schema_row_release(&row);
    store_close(s);
    raw_exec(f, "DROP TABLE users; DROP TABLE sessions; DROP TABLE workspaces; "
                "DROP TABLE members; DROP TABLE audit; DROP TABLE sources; "
                "DROP TABLE reports; DROP TABLE runs; "
                "DELETE FROM schema_migrations WHERE version >= 2");
    s = open_ok(f->url);
    struct err e;
    int version = 0;
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, STORE_VERSION_NOW);
    int64_t n = 0;
    assert_int_equal(store_count(s, DS_INFLUENCERS, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_audit_add(s, "cli:test", "import", "default", "influencers", "x", &e),
                     0);
    assert_true(store_sql(s, "SELECT count(*) FROM users", 0, NULL, NULL, NULL, &e) >= 0);
    assert_true(store_sql(s, "SELECT count(*) FROM sources", 0, NULL, NULL, NULL, &e) >= 0);
    store_close(s);
}

/* postgresql:// and postgres:// go to PostgreSQL (an unreachable one fails naming the URL
 * without its password); unknown schemes are refused. */
static void dispatches_urls_by_scheme(void **state)
{
    struct fixture *f = *state;
    struct store *s = (struct store *)1;
    struct err e;
    char url[PATH_MAX + 128];
    snprintf(url, sizeof url, "postgresql://someone:s3cret@/nodb?host=%s/nosocket", f->dir);
    assert_int_equal(store_open(url, &s, &e), ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(e.msg, "cannot connect to PostgreSQL"));
    assert_non_null(strstr(e.msg, "postgresql://someone@/nodb"));
    assert_null(strstr(e.msg, "s3cret"));
    snprintf(url, sizeof url, "postgres:///nodb?host=%s/nosocket&password=s3cret", f->dir);
    assert_int_equal(store_open(url, &s, &e), ERR_STORE);
    assert_non_null(strstr(e.msg, "cannot connect to PostgreSQL"));
    assert_null(strstr(e.msg, "s3cret"));
    assert_int_equal(store_open("mysql://localhost/db", &s, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "mysql://"));
    assert_int_equal(store_open("sqlite:", &s, &e), ERR_USAGE);
}

static void refuses_database_newer_than_the_code(void **state)
{
    struct fixture *f = *state;
    store_close(open_ok(f->url));
    raw_exec(f, "INSERT INTO schema_migrations VALUES (99, '2099-01-01T00:00:00Z')");
    struct store *s = NULL;
    struct err e;
    assert_int_equal(store_open(f->url, &s, &e), ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(e.msg, f->location));
    assert_non_null(strstr(e.msg, "schema version 99"));
    assert_non_null(strstr(e.msg, "upgrade infludash"));
}

static void refuses_database_of_another_program(void **state)
{
    struct fixture *f = *state;
    raw_exec(f, "CREATE TABLE customers (id INTEGER, name TEXT)");
    struct store *s = NULL;
    struct err e;
    assert_int_equal(store_open(f->url, &s, &e), ERR_STORE);
    assert_non_null(strstr(e.msg, f->location));
    assert_non_null(strstr(e.msg, "not an infludash one"));
    char got[64];
    raw_query(f,
              f->kind == BACKEND_PG ? "SELECT count(*) FROM pg_tables WHERE tablename = 'posts'"
                                    : "SELECT count(*) FROM sqlite_master WHERE name = 'posts'",
              got, sizeof got);
    assert_string_equal(got, "0");
}

/* Opening fails naming the file, and the file is left exactly as it was. */
static void assert_not_a_database(const char *path, const char *url, const char *content,
                                  int repeat)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < repeat; i++)
        fputs(content, fp);
    fclose(fp);

    struct store *s = NULL;
    struct err e;
    assert_int_equal(store_open(url, &s, &e), ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "not a database"));

    char got[256] = "";
    fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    assert_int_equal(ftell(fp), (long)strlen(content) * repeat);
    rewind(fp);
    assert_int_equal(fread(got, 1, strlen(content), fp), strlen(content));
    fclose(fp);
    assert_memory_equal(got, content, strlen(content));
}

static void reports_file_that_is_not_a_database(void **state)
{
    struct fixture *f = *state;
    if (f->kind != BACKEND_SQLITE)
        return; /* files only */
    /* Big garbage: SQLite's own check. */
    assert_not_a_database(f->db, f->url, "influencer_id,name\nthis is a CSV, not a database\n",
                          200);
    /* Shorter than SQLite's header: SQLite alone would take it for an empty database and
     * overwrite it. */
    assert_not_a_database(f->db, f->url, "x", 1);
    assert_not_a_database(f->db, f->url, "SQLite format 3", 1);
}

static void reports_database_that_cannot_be_opened(void **state)
{
    struct fixture *f = *state;
    if (f->kind == BACKEND_PG) {
        char url[PATH_MAX + 128];
        snprintf(url, sizeof url, "%s%cdbname=no_such_database", pg_base_url,
                 strchr(pg_base_url, '?') ? '&' : '?');
        struct store *s = NULL;
        struct err e;
        assert_int_equal(store_open(url, &s, &e), ERR_STORE);
        assert_null(s);
        assert_non_null(strstr(e.msg, url));
        assert_non_null(strstr(e.msg, "cannot connect"));
        assert_non_null(strstr(e.msg, "no_such_database"));
        return;
    }
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/no/such/dir/x.db", f->dir);
    struct store *s = NULL;
    struct err e;
    assert_int_equal(store_open(path, &s, &e), ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "cannot open"));
}

static void reports_locked_database_when_writing(void **state)
{
    struct fixture *f = *state;
    struct store *holder = open_ok(f->url);
    struct store *other = open_ok(f->url);
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    fill_sparse_row(&row, DS_INFLUENCERS, "I1");
    begin_ok(holder);
    put_ok(holder, &row);

    /* A third connection can still open (the schema is current: nothing to write). */
    struct store *third = open_ok(f->url);
    store_close(third);

    struct err e;
    err_clear(&e);
    assert_int_equal(store_begin(other, &e), ERR_STORE);
    assert_non_null(strstr(e.msg, f->location));
    assert_non_null(strstr(e.msg, "database is locked by another process"));
    assert_non_null(strstr(e.msg, "try again"));
    /* Readers see the last committed state meanwhile. */
    assert_int_equal(count_of(other, DS_INFLUENCERS), 0);

    commit_ok(holder);
    begin_ok(other);
    store_rollback(other);
    assert_int_equal(count_of(other, DS_INFLUENCERS), 1);
    schema_row_release(&row);
    store_close(other);
    store_close(holder);
}

/* ---- rows ---------------------------------------------------------------------------- */

static void round_trips_every_column_kind_of_all_datasets(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct schema_row rows[DS_COUNT][4];
    begin_ok(s);
    for (int ds = 0; ds < DS_COUNT; ds++) {
        for (int i = 0; i < 4; i++)
            schema_row_init(&rows[ds][i], (enum dataset)ds);
        /* Keys that do not sort in insertion order: scans follow insertion. */
        fill_full_row(&rows[ds][0], (enum dataset)ds, "Z-9 ü", 1);
        fill_sparse_row(&rows[ds][1], (enum dataset)ds, "A1");
        fill_empty_row(&rows[ds][2], (enum dataset)ds, "M-東京");
        fill_full_row(&rows[ds][3], (enum dataset)ds, "32", 2);
        for (int i = 0; i < 4; i++)
            put_ok(s, &rows[ds][i]);
    }
    commit_ok(s);
    for (int ds = 0; ds < DS_COUNT; ds++)
        assert_scan(s, (enum dataset)ds, rows[ds], 4);
    store_close(s);

    /* And after reopening, from the file. */
    s = open_ok(f->url);
    for (int ds = 0; ds < DS_COUNT; ds++) {
        assert_scan(s, (enum dataset)ds, rows[ds], 4);
        for (int i = 0; i < 4; i++)
            schema_row_release(&rows[ds][i]);
    }
    store_close(s);
}

static void upsert_replaces_row_with_same_key_in_place(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct schema_row want[3];
    for (int i = 0; i < 3; i++)
        schema_row_init(&want[i], DS_TRACKING);
    begin_ok(s);
    fill_full_row(&want[0], DS_TRACKING, "T1", 1);
    put_ok(s, &want[0]);
    fill_full_row(&want[1], DS_TRACKING, "T2", 2);
    put_ok(s, &want[1]);
    commit_ok(s);

    /* A second import: T1 again with other values (and NULLs, and no extra), and T3. */
    begin_ok(s);
    fill_sparse_row(&want[0], DS_TRACKING, "T1");
    schema_row_set_text(&want[0], schema_col_index(DS_TRACKING, "source"), "YouTube", 7);
    schema_row_set_int(&want[0], schema_col_index(DS_TRACKING, "revenue"), 99);
    put_ok(s, &want[0]);
    fill_full_row(&want[2], DS_TRACKING, "T3", 3);
    put_ok(s, &want[2]);
    commit_ok(s);

    assert_scan(s, DS_TRACKING, want, 3);
    for (int i = 0; i < 3; i++)
        schema_row_release(&want[i]);
    store_close(s);
}

static void rollback_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct schema_row row;
    schema_row_init(&row, DS_POSTS);
    begin_ok(s);
    for (int i = 0; i < 50; i++) {
        char key[16];
        snprintf(key, sizeof key, "P%d", i);
        fill_full_row(&row, DS_POSTS, key, i);
        put_ok(s, &row);
    }
    assert_int_equal(count_of(s, DS_POSTS), 50);
    store_rollback(s);
    assert_int_equal(count_of(s, DS_POSTS), 0);
    store_rollback(s); /* nothing open: harmless */
    schema_row_release(&row);
    store_close(s);

    /* Closing with a transaction open rolls it back too. */
    s = open_ok(f->url);
    schema_row_init(&row, DS_POSTS);
    begin_ok(s);
    fill_sparse_row(&row, DS_POSTS, "P1");
    put_ok(s, &row);
    store_close(s);
    s = open_ok(f->url);
    assert_int_equal(count_of(s, DS_POSTS), 0);
    schema_row_release(&row);
    store_close(s);
}

static void clear_in_rolled_back_transaction_keeps_rows(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    struct schema_row rows[2];
    schema_row_init(&rows[0], DS_PAYOUTS);
    schema_row_init(&rows[1], DS_PAYOUTS);
    fill_full_row(&rows[0], DS_PAYOUTS, "Y1", 1);
    fill_sparse_row(&rows[1], DS_PAYOUTS, "Y2");
    begin_ok(s);
    put_ok(s, &rows[0]);
    put_ok(s, &rows[1]);
    commit_ok(s);

    begin_ok(s);
    assert_int_equal(store_clear(s, DS_PAYOUTS, &e), 0);
    assert_int_equal(count_of(s, DS_PAYOUTS), 0);
    store_rollback(s);
    assert_scan(s, DS_PAYOUTS, rows, 2);

    /* Replace mode: clear then put, committed. */
    begin_ok(s);
    assert_int_equal(store_clear(s, DS_PAYOUTS, &e), 0);
    put_ok(s, &rows[1]);
    commit_ok(s);
    assert_scan(s, DS_PAYOUTS, &rows[1], 1);
    schema_row_release(&rows[0]);
    schema_row_release(&rows[1]);
    store_close(s);
}

static int stop_after_two(void *ctx, const struct schema_row *row)
{
    (void)row;
    int *seen = ctx;
    return ++*seen == 2 ? -42 : 0;
}

static int collect_key(void *ctx, const char *key, size_t len)
{
    struct buf *b = ctx;
    buf_append(b, key, len);
    buf_putc(b, ';');
    return 0;
}

static void scan_stops_on_negative_return_and_keys_follow_insertion(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    begin_ok(s);
    const char *keys[] = {"I9", "I10", "Ä1", "I2"};
    for (int i = 0; i < 4; i++) {
        fill_sparse_row(&row, DS_INFLUENCERS, keys[i]);
        put_ok(s, &row);
    }
    commit_ok(s);
    int seen = 0;
    assert_int_equal(store_scan(s, DS_INFLUENCERS, stop_after_two, &seen, &e), -42);
    assert_int_equal(seen, 2);

    struct buf got = BUF_INIT;
    assert_int_equal(store_each_key(s, DS_INFLUENCERS, collect_key, &got, &e), 0);
    assert_string_equal(buf_cstr(&got), "I9;I10;Ä1;I2;");
    buf_release(&got);

    /* Empty datasets scan nothing. */
    seen = 0;
    assert_int_equal(store_scan(s, DS_PAYOUTS, stop_after_two, &seen, &e), 0);
    assert_int_equal(seen, 0);
    schema_row_release(&row);
    store_close(s);
}

static void lists_distinct_extra_keys_sorted(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    char **keys = (char **)1;
    size_t n = 99;
    assert_int_equal(store_extra_keys(s, DS_TRACKING, &keys, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_null(keys);

    struct schema_row row;
    schema_row_init(&row, DS_TRACKING);
    begin_ok(s);
    fill_sparse_row(&row, DS_TRACKING, "T1");
    schema_row_set_extra(&row, "{\"utm_medium\":\"story\",\"coupon\":\"MB10\"}", 38);
    put_ok(s, &row);
    fill_sparse_row(&row, DS_TRACKING, "T2");
    put_ok(s, &row);
    fill_sparse_row(&row, DS_TRACKING, "T3");
    const char *json = "{\"coupon\":\"HK5\",\"région\":\"Nord\",\"Zone\":\"\"}";
    schema_row_set_extra(&row, json, strlen(json));
    put_ok(s, &row);
    commit_ok(s);

    assert_int_equal(store_extra_keys(s, DS_TRACKING, &keys, &n, &e), 0);
    assert_int_equal(n, 4);
    assert_string_equal(keys[0], "Zone");
    assert_string_equal(keys[1], "coupon");
    assert_string_equal(keys[2], "région");
    assert_string_equal(keys[3], "utm_medium");
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    assert_int_equal(store_extra_keys(s, DS_POSTS, &keys, &n, &e), 0);
    assert_int_equal(n, 0);
    schema_row_release(&row);
    store_close(s);
}

static void import_log_lists_newest_first(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    struct store_import_log out[4];
    size_t n = 99;
    assert_int_equal(store_recent_imports(s, out, 4, &n, &e), 0);
    assert_int_equal(n, 0);

    const char *files[] = {"influencers.csv", "posts.csv", "tracking_data — März.csv"};
    for (int i = 0; i < 3; i++) {
        struct store_import_log log;
        memset(&log, 0, sizeof log);
        snprintf(log.dataset, sizeof log.dataset, "%s", schema_dataset((enum dataset)i)->name);
        snprintf(log.file, sizeof log.file, "%s", files[i]);
        snprintf(log.mode, sizeof log.mode, "%s", i == 1 ? "replace" : "append");
        log.accepted = 1000 + i;
        log.rejected = i;
        log.started_at = 1700000000 + 10 * i;
        log.finished_at = 1700000005 + 10 * i;
        if (i == 2)
            begin_ok(s); /* inside an import's transaction, too */
        assert_int_equal(store_log_import(s, &log, &e), 0);
        if (i == 2)
            commit_ok(s);
    }

    assert_int_equal(store_recent_imports(s, out, 2, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].file, "tracking_data — März.csv");
    assert_string_equal(out[0].dataset, "tracking_data");
    assert_string_equal(out[0].mode, "append");
    assert_int_equal(out[0].accepted, 1002);
    assert_int_equal(out[0].rejected, 2);
    assert_int_equal(out[0].started_at, 1700000020);
    assert_int_equal(out[0].finished_at, 1700000025);
    assert_string_equal(out[1].file, "posts.csv");
    assert_string_equal(out[1].mode, "replace");
    assert_true(out[0].id > out[1].id);

    assert_int_equal(store_recent_imports(s, out, 4, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_string_equal(out[2].file, "influencers.csv");
    assert_int_equal(store_recent_imports(s, out, 0, &n, &e), 0);
    assert_int_equal(n, 0);
    store_close(s);
}

/* Text longer than an entry's field is cut at a UTF-8 character boundary, in the audit log
 * as in the import log, never in the middle of a character. */
static int keep_audit(void *ctx, const struct store_audit *a)
{
    *(struct store_audit *)ctx = *a;
    return 0;
}

static void audit_fields_are_cut_at_a_character_boundary(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    char target[2 * 100 + 1];
    for (int i = 0; i < 100; i++)
        memcpy(target + 2 * i, "\xc3\xa9", 2); /* é: 200 bytes, more than the field's 159 */
    target[200] = '\0';
    assert_int_equal(
        store_audit_add(s, "cli:t\xc3\xa9st", "import", "default", target, "d\xc3\xa9tail", &e), 0);
    struct store_audit got;
    memset(&got, 0, sizeof got);
    assert_int_equal(store_audit_list(s, STORE_AUDIT_ALL, 0, keep_audit, &got, &e), 0);
    assert_int_equal(strlen(got.target), 158); /* 79 whole characters */
    assert_memory_equal(got.target, target, 158);
    assert_string_equal(got.actor, "cli:t\xc3\xa9st");
    assert_string_equal(got.detail, "d\xc3\xa9tail");
    assert_string_equal(got.action, "import");
    assert_true(got.id > 0 && got.at > 0);
    store_close(s);
}

/* ---- bulk writes, parts, snapshots ----------------------------------------------------- */

/* Keys in random order (the content-hash ids of a file without ids), where now and then a
 * row repeats a key stored by an earlier call or earlier in the same call, and groups of
 * only new keys come between (store_put_many takes those in bulk): the rows end as store_put
 * of each row in order would leave them, in the order their keys first came. */
static void put_many_random_keys_with_repeats(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    enum { N = 6000 };
    struct schema_row *rows = calloc(N, sizeof *rows);
    struct schema_row *want = calloc(N, sizeof *want);
    assert_non_null(rows);
    assert_non_null(want);
    for (int i = 0; i < N; i++) {
        schema_row_init(&rows[i], DS_TRACKING);
        schema_row_init(&want[i], DS_TRACKING);
    }
    uint64_t x = 88172645463325252ULL; /* xorshift: the same keys on every run */
    int nwant = 0;
    for (int i = 0; i < N; i++) {
        char key[32];
        int repeat = i >= 100 && (i % 1000 < 200 ? i % 7 == 0 : i % 97 == 0);
        int k;
        if (repeat) {
            k = (int)(x % (uint64_t)nwant); /* an earlier row's key */
            const struct schema_value *v = &want[k].v[key_index(DS_TRACKING)];
            snprintf(key, sizeof key, "%.*s", (int)v->len, v->s);
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            snprintf(key, sizeof key, "T%016llx", (unsigned long long)x);
            k = nwant++;
        }
        fill_full_row(&rows[i], DS_TRACKING, key, i);
        rows[i].line = (uint64_t)i + 2;
        schema_row_copy(&want[k], &rows[i]);
    }
    begin_ok(s);
    const size_t chunks[] = {1024, 1024, 1000, 1, 1951, 1000}; /* 6000 in all */
    size_t done = 0;
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        if (store_put_many(s, rows + done, chunks[c], &e) != 0)
            fail_msg("store_put_many: %s", e.msg);
        done += chunks[c];
    }
    assert_int_equal(done, N);
    commit_ok(s);
    assert_int_equal(count_of(s, DS_TRACKING), nwant);
    assert_scan(s, DS_TRACKING, want, nwant);
    for (int i = 0; i < N; i++) {
        schema_row_release(&rows[i]);
        schema_row_release(&want[i]);
    }
    free(rows);
    free(want);
    store_close(s);
}

/* store_put_many behaves like store_put of each row in order: a key repeated within one
 * call and across calls keeps its first place and takes its last values, datasets may
 * alternate, and single puts in between keep their order. */
/* Values and NULLs take turns in each column across the groups of a bulk write (a store may
 * keep a NULL bound from one group to the next): every row is stored as it was given. */
static void put_many_values_and_nulls_take_turns(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    enum { N = 700 };
    const struct schema_dataset *d = schema_dataset(DS_TRACKING);
    struct schema_row *rows = calloc(N, sizeof *rows);
    assert_non_null(rows);
    for (int i = 0; i < N; i++) {
        char key[16];
        snprintf(key, sizeof key, "K%04d", i);
        schema_row_init(&rows[i], DS_TRACKING);
        fill_full_row(&rows[i], DS_TRACKING, key, i);
        /* column c (and extra, as column ncols) absent in runs of a few rows, out of step
         * with one another and with the groups */
        for (int c = 0; c <= d->ncols; c++) {
            if (c == key_index(DS_TRACKING) || (i / (3 + c % 5) + c) % 3 != 0)
                continue;
            if (c == d->ncols)
                rows[i].extra = NULL;
            else
                rows[i].v[c].present = 0;
        }
    }
    begin_ok(s);
    if (store_put_many(s, rows, 300, &e) != 0 || store_put_many(s, rows + 300, N - 300, &e) != 0)
        fail_msg("store_put_many: %s", e.msg);
    commit_ok(s);
    assert_scan(s, DS_TRACKING, rows, N);
    for (int i = 0; i < N; i++)
        schema_row_release(&rows[i]);
    free(rows);
    store_close(s);
}

static void put_many_is_put_of_each_row_in_order(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    enum { N = 3000 };
    struct schema_row *rows = calloc(N, sizeof *rows);
    struct schema_row *want = calloc(N, sizeof *want);
    assert_non_null(rows);
    assert_non_null(want);
    for (int i = 0; i < N; i++) {
        schema_row_init(&rows[i], DS_TRACKING);
        schema_row_init(&want[i], DS_TRACKING);
    }
    /* Keys K0..K1999 in order, then 1000 rows that repeat every other earlier key with new
     * values (some within the same call as the original). */
    int nwant = 0;
    for (int i = 0; i < N; i++) {
        char key[16];
        int k = i < 2000 ? i : (i - 2000) * 2;
        snprintf(key, sizeof key, "K%d", k);
        fill_full_row(&rows[i], DS_TRACKING, key, i);
        rows[i].line = (uint64_t)i + 2;
        if (i < 2000)
            schema_row_copy(&want[nwant++], &rows[i]);
        else
            schema_row_copy(&want[k], &rows[i]);
    }
    struct schema_row influencer;
    schema_row_init(&influencer, DS_INFLUENCERS);
    fill_sparse_row(&influencer, DS_INFLUENCERS, "I1");
    begin_ok(s);
    size_t done = 0;
    const size_t chunks[] = {1, 1023, 700, 1276}; /* 3000 in all, batches of odd sizes */
    for (int c = 0; c < 4; c++) {
        if (store_put_many(s, rows + done, chunks[c], &e) != 0)
            fail_msg("store_put_many: %s", e.msg);
        done += chunks[c];
        if (c == 1) { /* another dataset in between, one by one and in bulk */
            put_ok(s, &influencer);
            assert_int_equal(store_put_many(s, &influencer, 1, &e), 0);
        }
    }
    assert_int_equal(done, N);
    assert_int_equal(count_of(s, DS_TRACKING), 2000);
    commit_ok(s);
    assert_scan(s, DS_TRACKING, want, nwant);
    assert_scan(s, DS_INFLUENCERS, &influencer, 1);

    /* Rolled back bulk writes leave nothing. */
    begin_ok(s);
    fill_sparse_row(&rows[0], DS_TRACKING, "NEW");
    assert_int_equal(store_put_many(s, rows, 1, &e), 0);
    store_rollback(s);
    assert_scan(s, DS_TRACKING, want, nwant);

    for (int i = 0; i < N; i++) {
        schema_row_release(&rows[i]);
        schema_row_release(&want[i]);
    }
    free(rows);
    free(want);
    schema_row_release(&influencer);
    store_close(s);
}

/* One bulk write whose rows change dataset every few rows (the store groups only rows of
 * one dataset): each dataset's rows end in the order given, every value as given. */
static void put_many_takes_mixed_datasets_in_order(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    enum { N = 600 };
    struct schema_row *rows = calloc(N, sizeof *rows);
    struct schema_row *want_t = calloc(N, sizeof *want_t);
    struct schema_row *want_i = calloc(N, sizeof *want_i);
    assert_non_null(rows);
    assert_non_null(want_t);
    assert_non_null(want_i);
    int nt = 0, ni = 0;
    for (int i = 0; i < N; i++) {
        char key[16];
        int inf = (i / 7) % 3 == 1 || i % 50 == 0; /* runs of 7, and lone rows */
        enum dataset ds = inf ? DS_INFLUENCERS : DS_TRACKING;
        snprintf(key, sizeof key, "%s%d", inf ? "I" : "T", i);
        schema_row_init(&rows[i], ds);
        fill_full_row(&rows[i], ds, key, i);
        struct schema_row *w = inf ? &want_i[ni++] : &want_t[nt++];
        schema_row_init(w, ds);
        schema_row_copy(w, &rows[i]);
    }
    begin_ok(s);
    if (store_put_many(s, rows, N, &e) != 0)
        fail_msg("store_put_many: %s", e.msg);
    commit_ok(s);
    assert_scan(s, DS_TRACKING, want_t, nt);
    assert_scan(s, DS_INFLUENCERS, want_i, ni);
    for (int i = 0; i < N; i++)
        schema_row_release(&rows[i]);
    for (int i = 0; i < nt; i++)
        schema_row_release(&want_t[i]);
    for (int i = 0; i < ni; i++)
        schema_row_release(&want_i[i]);
    free(rows);
    free(want_t);
    free(want_i);
    store_close(s);
}

/* A row without its key in the middle of a bulk write: the write fails and names the row
 * (SQLite: its line; PostgreSQL: the lines of its batch), and the rolled back transaction
 * leaves nothing. */
static void put_many_names_the_row_that_cannot_be_stored(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    enum { N = 300, BAD = 100 };
    struct schema_row *rows = calloc(N, sizeof *rows);
    assert_non_null(rows);
    for (int i = 0; i < N; i++) {
        char key[16];
        snprintf(key, sizeof key, "K%d", i);
        schema_row_init(&rows[i], DS_TRACKING);
        fill_full_row(&rows[i], DS_TRACKING, key, i);
        rows[i].line = (uint64_t)i + 2;
    }
    rows[BAD].v[key_index(DS_TRACKING)].present = 0;
    begin_ok(s);
    /* SQLite fails at once; PostgreSQL streams the batch and fails when it ends, at the
     * commit here */
    int rc = store_put_many(s, rows, N, &e);
    if (strncmp(f->url, "sqlite:", 7) == 0) {
        assert_true(rc < 0);
        assert_non_null(strstr(e.msg, "row of line 102"));
    } else {
        if (rc == 0)
            rc = store_commit(s, &e);
        assert_true(rc < 0);
        assert_non_null(strstr(e.msg, "lines 2 to 301"));
    }
    store_rollback(s);
    assert_int_equal(count_of(s, DS_TRACKING), 0);
    for (int i = 0; i < N; i++)
        schema_row_release(&rows[i]);
    free(rows);
    store_close(s);
}

/* 80 rows of 256 KiB a round (so that PostgreSQL ends its batches on their bytes, not their
 * count), new keys, then the same keys again with other values, then new keys after the
 * repeat in the same transaction, and new keys in the next one: every key once, in the
 * order it first came, with its last values. */
static void put_many_large_rows_then_repeats_then_new_keys(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    enum { ROUND = 80, BIG = 256 * 1024 };
    struct schema_row *rows = calloc(ROUND, sizeof *rows);
    struct schema_row *want = calloc(3 * ROUND, sizeof *want);
    char *extra = malloc(BIG + 1);
    assert_non_null(rows);
    assert_non_null(want);
    assert_non_null(extra);
    for (int i = 0; i < ROUND; i++)
        schema_row_init(&rows[i], DS_TRACKING);
    for (int i = 0; i < 3 * ROUND; i++)
        schema_row_init(&want[i], DS_TRACKING);
    /* round 0: A0..A79; 1: A0..A79 again; 2: B0..B79; 3 (next transaction): C0..C79 */
    for (int round = 0; round < 4; round++) {
        if (round == 0 || round == 3)
            begin_ok(s);
        for (int i = 0; i < ROUND; i++) {
            char key[16];
            snprintf(key, sizeof key, "%c%d", "AABC"[round], i);
            fill_full_row(&rows[i], DS_TRACKING, key, round * ROUND + i);
            int n = snprintf(extra, BIG + 1, "{\"pad\":\"%d:", round * ROUND + i);
            memset(extra + n, 'x', (size_t)(BIG - n - 2));
            memcpy(extra + BIG - 2, "\"}", 2);
            schema_row_set_extra(&rows[i], extra, BIG);
            rows[i].line = (uint64_t)i + 2;
            int k = (round == 0 ? 0 : round - 1) * ROUND + i;
            schema_row_copy(&want[k], &rows[i]);
        }
        if (store_put_many(s, rows, ROUND, &e) != 0)
            fail_msg("store_put_many: %s", e.msg);
        if (round == 2)
            commit_ok(s);
    }
    commit_ok(s);
    assert_int_equal(count_of(s, DS_TRACKING), 3 * ROUND);
    assert_scan(s, DS_TRACKING, want, 3 * ROUND);
    for (int i = 0; i < ROUND; i++)
        schema_row_release(&rows[i]);
    for (int i = 0; i < 3 * ROUND; i++)
        schema_row_release(&want[i]);
    free(rows);
    free(want);
    free(extra);
    store_close(s);
}

struct part_check {
    struct buf keys;
    int rows;
    uint64_t columns;
    int key;
};

/* Records the key; checks that only the asked-for columns are present. */
static int part_row(void *ctx, const struct schema_row *row)
{
    struct part_check *pc = ctx;
    const struct schema_dataset *d = schema_dataset(row->ds);
    for (int i = 0; i < d->ncols; i++)
        if (row->v[i].present && !(pc->columns >> i & 1))
            fail_msg("column %s read but not asked for", d->cols[i].name);
    if (row->extra && !(pc->columns >> d->ncols & 1))
        fail_msg("extra read but not asked for");
    if (pc->columns >> pc->key & 1) {
        buf_append(&pc->keys, row->v[pc->key].s, row->v[pc->key].len);
        buf_putc(&pc->keys, ';');
    }
    pc->rows++;
    return 0;
}

/* The parts of a scan are every row once, in insertion order part after part, with only
 * the columns asked for. */
/* PRAGMA cache_size of the connection, as text into ctx (a char[32]). */
static int cache_size_row(void *ctx, int ncols, const char *const *vals)
{
    snprintf(ctx, 32, "%s", ncols > 0 && vals[0] ? vals[0] : "");
    return 0;
}

struct cache_check {
    struct store *s;
    char during[32];
};

static int cache_during_scan(void *ctx, const struct schema_row *row)
{
    (void)row;
    struct cache_check *c = ctx;
    struct err e;
    assert_true(store_sql(c->s, "PRAGMA cache_size", 0, NULL, cache_size_row, c->during, &e) >= 0);
    return 0;
}

/* SQLite: a scan reads with a small page cache (the engine load's memory), and the
 * connection has its 64 MB again after it; inside a write transaction the cache is left as
 * it is (a smaller one would spill the transaction's pages to the file). */
static void scan_reads_with_a_small_page_cache(void **state)
{
    struct fixture *f = *state;
    if (f->kind == BACKEND_PG)
        skip();
    struct store *s = open_ok(f->url);
    struct err e;
    struct schema_row row;
    schema_row_init(&row, DS_POSTS);
    begin_ok(s);
    fill_full_row(&row, DS_POSTS, "P1", 1);
    put_ok(s, &row);
    commit_ok(s);
    struct cache_check c = {s, ""};
    char after[32] = "";
    assert_int_equal(store_scan(s, DS_POSTS, cache_during_scan, &c, &e), 0);
    assert_string_equal(c.during, "-2048");
    assert_true(store_sql(s, "PRAGMA cache_size", 0, NULL, cache_size_row, after, &e) >= 0);
    assert_string_equal(after, "-65536");
    begin_ok(s);
    put_ok(s, &row);
    assert_int_equal(store_scan(s, DS_POSTS, cache_during_scan, &c, &e), 0);
    assert_string_equal(c.during, "-65536");
    commit_ok(s);
    schema_row_release(&row);
    store_close(s);
}

/* A commit gives its page cache back (a server kept an import's, up to 64 MB, on its
 * connection for as long as it ran, and through the import's checkpoint while it loaded the
 * new data), and a WAL past 1000 pages is still checkpointed into the database file after
 * it, as SQLite's automatic checkpoint did. */
static void commit_gives_back_its_page_cache_then_checkpoints(void **state)
{
    struct fixture *f = *state;
    if (f->kind == BACKEND_PG)
        skip();
    struct store *s = open_ok(f->url);
    struct stat before;
    assert_int_equal(stat(f->db, &before), 0);
    struct schema_row row;
    schema_row_init(&row, DS_POSTS);
    begin_ok(s);
    for (int i = 0; i < 40000; i++) {
        char key[16];
        snprintf(key, sizeof key, "P%05d", (i * 7919) % 40000);
        fill_full_row(&row, DS_POSTS, key, i);
        put_ok(s, &row);
    }
    sqlite3_int64 during = sqlite3_memory_used();
    commit_ok(s);
    sqlite3_int64 after = sqlite3_memory_used();
    if (during - after < 8 << 20)
        fail_msg("SQLite held %lld bytes before the commit and %lld after it", (long long)during,
                 (long long)after);
    struct stat checkpointed;
    assert_int_equal(stat(f->db, &checkpointed), 0);
    assert_true(checkpointed.st_size >= before.st_size + (8 << 20));
    schema_row_release(&row);
    store_close(s);
}

static void scan_parts_cover_every_row_once_in_order(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->url);
    struct err e;
    struct schema_row row;
    schema_row_init(&row, DS_POSTS);
    struct buf want = BUF_INIT;
    begin_ok(s);
    for (int i = 0; i < 101; i++) {
        char key[16];
        snprintf(key, sizeof key, "P%03d", (i * 37) % 101);
        fill_full_row(&row, DS_POSTS, key, i);
        put_ok(s, &row);
        buf_printf(&want, "%s;", key);
    }
    commit_ok(s);
    const struct schema_dataset *d = schema_dataset(DS_POSTS);
    int key = schema_col_index(DS_POSTS, "post_id");
    uint64_t columns = (uint64_t)1 << key | (uint64_t)1 << d->ncols; /* the key and extra */
    for (int nparts = 1; nparts <= 4; nparts++) {
        struct part_check pc = {BUF_INIT, 0, columns, key};
        for (int part = 0; part < nparts; part++)
            assert_int_equal(store_scan_part(s, DS_POSTS, part, nparts, columns, part_row, &pc, &e),
                             0);
        assert_int_equal(pc.rows, 101);
        assert_string_equal(buf_cstr(&pc.keys), buf_cstr(&want));
        buf_release(&pc.keys);
    }
    /* No columns at all: only the count of rows. */
    struct part_check none = {BUF_INIT, 0, 0, key};
    none.columns = (uint64_t)1 << 63; /* a bit past every column: none present */
    assert_int_equal(store_scan_part(s, DS_POSTS, 0, 1, (uint64_t)1 << 63, part_row, &none, &e), 0);
    assert_int_equal(none.rows, 101);
    buf_release(&none.keys);
    /* An empty dataset in parts. */
    struct part_check empty = {BUF_INIT, 0, 0, 0};
    empty.columns = ~(uint64_t)0;
    assert_int_equal(store_scan_part(s, DS_PAYOUTS, 1, 3, 0, part_row, &empty, &e), 0);
    assert_int_equal(empty.rows, 0);
    buf_release(&want);
    schema_row_release(&row);
    store_close(s);
}

/* A read transaction sees one snapshot while another connection commits; the data
 * version changes with that commit and stays put without one. */
static void read_snapshot_and_data_version_follow_other_connections(void **state)
{
    struct fixture *f = *state;
    struct store *reader = open_ok(f->url);
    struct store *writer = open_ok(f->url);
    struct err e;
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    int64_t v0, v1, v2;
    assert_int_equal(store_data_version(reader, &v0, &e), 0);
    assert_int_equal(store_data_version(reader, &v1, &e), 0);
    assert_int_equal(v0, v1);

    begin_ok(writer);
    fill_sparse_row(&row, DS_INFLUENCERS, "I1");
    put_ok(writer, &row);
    commit_ok(writer);
    assert_int_equal(store_data_version(reader, &v1, &e), 0);
    assert_true(v1 != v0);

    assert_int_equal(store_read_begin(reader, &e), 0);
    assert_int_equal(count_of(reader, DS_INFLUENCERS), 1);
    begin_ok(writer);
    fill_sparse_row(&row, DS_INFLUENCERS, "I2");
    put_ok(writer, &row);
    commit_ok(writer);
    /* still the snapshot: the count, the scan and the keys */
    assert_int_equal(count_of(reader, DS_INFLUENCERS), 1);
    struct buf keys = BUF_INIT;
    assert_int_equal(store_each_key(reader, DS_INFLUENCERS, collect_key, &keys, &e), 0);
    assert_string_equal(buf_cstr(&keys), "I1;");
    store_rollback(reader);
    assert_int_equal(count_of(reader, DS_INFLUENCERS), 2);
    assert_int_equal(store_data_version(reader, &v2, &e), 0);
    assert_true(v2 != v1);
    buf_release(&keys);
    schema_row_release(&row);
    store_close(writer);
    store_close(reader);
}

static struct store_stamp stamp_of(struct store *s)
{
    struct err e;
    err_clear(&e);
    struct store_stamp st = {0, 0, 0};
    int rc = store_data_stamp(s, &st, &e);
    if (rc != 0)
        print_error("store_data_stamp: %s\n", e.msg);
    assert_int_equal(rc, 0);
    return st;
}

/* The data stamp: counted up by a commit that changed a dataset (a put, a put_many, a
 * clear), seen alike by every connection, and kept by the database across a reopen; not
 * by reads, rolled-back writes or commits that changed no dataset. */
static void data_stamp_counts_dataset_commits_and_survives_reopen(void **state)
{
    struct fixture *f = *state;
    struct store *a = open_ok(f->url);
    struct store *b = open_ok(f->url);
    struct err e;
    err_clear(&e);
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    struct store_stamp s0 = stamp_of(a), t0 = stamp_of(b);
    assert_true(s0.id == t0.id && s0.version == t0.version);

    /* reads, an empty write transaction and a rolled-back put leave it */
    assert_int_equal(count_of(a, DS_INFLUENCERS), 0);
    assert_int_equal(store_read_begin(a, &e), 0);
    assert_int_equal(count_of(a, DS_INFLUENCERS), 0);
    store_rollback(a);
    begin_ok(a);
    commit_ok(a);
    begin_ok(a);
    fill_sparse_row(&row, DS_INFLUENCERS, "I1");
    put_ok(a, &row);
    store_rollback(a);
    struct store_stamp s1 = stamp_of(b);
    if (f->kind == BACKEND_SQLITE) /* PostgreSQL counts every writing commit */
        assert_int_equal(s1.version, s0.version);

    /* a put, put_many and clear each count once per commit, seen by the other connection */
    begin_ok(a);
    put_ok(a, &row);
    commit_ok(a);
    struct store_stamp s2 = stamp_of(b);
    assert_true(s2.id == s0.id && s2.version > s1.version);
    begin_ok(b);
    fill_sparse_row(&row, DS_INFLUENCERS, "I2");
    assert_int_equal(store_put_many(b, &row, 1, &e), 0);
    commit_ok(b);
    struct store_stamp s3 = stamp_of(a);
    assert_true(s3.version > s2.version);
    begin_ok(a);
    assert_int_equal(store_clear(a, DS_INFLUENCERS, &e), 0);
    commit_ok(a);
    struct store_stamp s4 = stamp_of(a);
    assert_true(s4.version > s3.version);
    store_close(a);
    store_close(b);

    /* durable: a new connection reads the same stamp */
    struct store *c = open_ok(f->url);
    struct store_stamp s5 = stamp_of(c);
    assert_true(s5.id == s0.id && s5.version == s4.version);
    store_close(c);
    schema_row_release(&row);
}

static int count_row(void *ctx, const struct schema_row *row)
{
    (void)row;
    ++*(int *)ctx;
    return 0;
}

/* The rewrite version: appended tracking rows (put, put_many, and an upsert of a new key)
 * and rows of the other datasets leave it; an upsert over a stored tracking key, put_many
 * meeting one, and a clear move it to their commit's version. The row numbers: the last
 * one, and a scan of the rows after a number (PostgreSQL's seq). The same on both. */
static void rewrite_version_moves_only_when_tracking_rows_are_replaced(void **state)
{
    struct fixture *f = *state;
    struct store *a = open_ok(f->url);
    struct err e;
    err_clear(&e);
    struct schema_row rows[3];
    for (int i = 0; i < 3; i++)
        schema_row_init(&rows[i], DS_TRACKING);
    struct store_stamp s0 = stamp_of(a);

    begin_ok(a);
    fill_sparse_row(&rows[0], DS_TRACKING, "T1");
    put_ok(a, &rows[0]);
    fill_sparse_row(&rows[1], DS_TRACKING, "T2");
    fill_sparse_row(&rows[2], DS_TRACKING, "T3");
    assert_int_equal(store_put_many(a, &rows[1], 2, &e), 0);
    commit_ok(a);
    struct store_stamp s1 = stamp_of(a);
    assert_true(s1.version > s0.version);
    assert_int_equal(s1.rewritten, s0.rewritten);
    int64_t last = 0;
    assert_int_equal(store_last_seq(a, DS_TRACKING, &last, &e), 0);
    assert_int_equal(last, 3);

    begin_ok(a); /* another dataset, and a new tracking key through the upsert */
    schema_row_clear(&rows[0]);
    fill_sparse_row(&rows[0], DS_INFLUENCERS, "I1");
    put_ok(a, &rows[0]);
    fill_sparse_row(&rows[0], DS_TRACKING, "T4");
    put_ok(a, &rows[0]);
    commit_ok(a);
    struct store_stamp s2 = stamp_of(a);
    assert_int_equal(s2.rewritten, s0.rewritten);
    int n = 0;
    assert_int_equal(store_scan_after(a, DS_TRACKING, last, 0, count_row, &n, &e), 0);
    assert_int_equal(n, 1); /* T4 */
    n = 0;
    assert_int_equal(store_scan_after(a, DS_TRACKING, 0, 0, count_row, &n, &e), 0);
    assert_int_equal(n, 4);

    begin_ok(a); /* a stored key again */
    fill_sparse_row(&rows[0], DS_TRACKING, "T2");
    put_ok(a, &rows[0]);
    commit_ok(a);
    struct store_stamp s3 = stamp_of(a);
    assert_true(s3.version > s2.version);
    assert_int_equal(s3.rewritten, s3.version);

    begin_ok(a); /* put_many meeting a stored key (a group of 32 rows, then the rest) */
    struct schema_row many[40];
    for (int i = 0; i < 40; i++) {
        schema_row_init(&many[i], DS_TRACKING);
        char key[16];
        snprintf(key, sizeof key, "M%d", i == 35 ? 1 : i);
        fill_sparse_row(&many[i], DS_TRACKING, i == 20 ? "T3" : key);
    }
    assert_int_equal(store_put_many(a, many, 40, &e), 0);
    commit_ok(a);
    struct store_stamp s4 = stamp_of(a);
    assert_int_equal(s4.rewritten, s4.version);
    for (int i = 0; i < 40; i++)
        schema_row_release(&many[i]);

    begin_ok(a); /* appends after a rewrite leave it where it was */
    fill_sparse_row(&rows[0], DS_TRACKING, "T5");
    put_ok(a, &rows[0]);
    commit_ok(a);
    struct store_stamp s5 = stamp_of(a);
    assert_int_equal(s5.rewritten, s4.version);

    begin_ok(a);
    assert_int_equal(store_clear(a, DS_TRACKING, &e), 0);
    commit_ok(a);
    struct store_stamp s6 = stamp_of(a);
    assert_int_equal(s6.rewritten, s6.version);
    store_close(a);

    struct store *b = open_ok(f->url); /* durable */
    assert_int_equal(stamp_of(b).rewritten, s6.rewritten);
    store_close(b);
    for (int i = 0; i < 3; i++)
        schema_row_release(&rows[i]);
}

/* PostgreSQL: when the server drops the connection, the next call fails with a clear
 * error, a transaction in progress is refused until rolled back, and the call after that
 * reconnects. */
static void lost_connection_is_reported_then_reconnected(void **state)
{
    struct fixture *f = *state;
    if (f->kind != BACKEND_PG)
        return;
    struct store *s = open_ok(f->url);
    struct err e;
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    char sql[PATH_MAX + 512];
    snprintf(sql, sizeof sql,
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
             "'%s' AND pid <> pg_backend_pid()",
             f->db);
    char got[64];

    /* Outside a transaction. */
    raw_query(f, sql, got, sizeof got);
    assert_string_equal(got, "1");
    int64_t n = -1;
    err_clear(&e);
    assert_int_equal(store_count(s, DS_INFLUENCERS, &n, &e), ERR_STORE);
    assert_non_null(strstr(e.msg, "lost the connection to PostgreSQL at"));
    assert_non_null(strstr(e.msg, f->location));
    assert_int_equal(count_of(s, DS_INFLUENCERS), 0); /* reconnected */

    /* Inside a write transaction: nothing of it is stored, nothing after it either. */
    begin_ok(s);
    fill_sparse_row(&row, DS_INFLUENCERS, "I1");
    assert_int_equal(store_put_many(s, &row, 1, &e), 0);
    raw_query(f, sql, got, sizeof got);
    err_clear(&e);
    assert_true(store_put(s, &row, &e) < 0);
    if (!strstr(e.msg, "lost the connection"))
        fail_msg("not a lost connection: %s", e.msg);
    err_clear(&e);
    assert_int_equal(store_commit(s, &e), ERR_STORE);
    assert_non_null(strstr(e.msg, "lost with the connection"));
    store_rollback(s);
    assert_int_equal(count_of(s, DS_INFLUENCERS), 0);
    begin_ok(s);
    put_ok(s, &row);
    commit_ok(s);
    assert_int_equal(count_of(s, DS_INFLUENCERS), 1);
    schema_row_release(&row);
    store_close(s);
}

/* ---- an import-sized bulk write ---------------------------------------------------- */

static void fill_tracking_row(struct schema_row *row, long i)
{
    char text[64];
    int n;
    schema_row_clear(row);
    row->ds = DS_TRACKING;
#define TEXT(col, ...)                                                                             \
    n = snprintf(text, sizeof text, __VA_ARGS__);                                                  \
    schema_row_set_text(row, schema_col_index(DS_TRACKING, col), text, (size_t)n)
    TEXT("tracking_id", "T%08ld", i);
    TEXT("source", "%s", i % 3 ? "instagram" : "youtube");
    TEXT("campaign", "Summer Sale %ld", i % 12);
    TEXT("influencer_id", "INF%04ld", i % 500);
    TEXT("user_id", "U%07ld", (i * 7919) % 1000000);
    TEXT("product", "%s", i % 2 ? "Whey Protein 1kg" : "Multivitamin Tablets");
    TEXT("brand", "%s", i % 2 ? "MuscleBlaze" : "HKVitals");
    TEXT("date", "2025-%02ld-%02ld", 1 + i % 12, 1 + i % 28);
    TEXT("campaign_type", "%s", i % 2 ? "Test" : "Control");
#undef TEXT
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "orders"), 1 + i % 3);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "revenue"), 150616 + i % 1000);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "clicks"), i % 40);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "is_return"), 0);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "organic"), i % 10 == 0);
}

/* 100,000 tracking rows into one transaction, in batches as an import hands them over
 * (more than PostgreSQL's staging table takes before it flushes): every row is stored. */
static void bulk_write_of_an_import_stores_every_row(void **state)
{
    struct fixture *f = *state;
    const long rows = 100000;
    struct store *s = open_ok(f->url);
    enum { BATCH = 1024 }; /* as an import hands rows to the store */
    struct schema_row *batch = calloc(BATCH, sizeof *batch);
    assert_non_null(batch);
    for (int i = 0; i < BATCH; i++)
        schema_row_init(&batch[i], DS_TRACKING);
    struct err e;
    begin_ok(s);
    for (long i = 0; i < rows;) {
        size_t n = 0;
        for (; n < BATCH && i < rows; n++, i++)
            fill_tracking_row(&batch[n], i);
        if (store_put_many(s, batch, n, &e) != 0)
            fail_msg("store_put_many: %s", e.msg);
    }
    commit_ok(s);
    assert_int_equal(count_of(s, DS_TRACKING), rows);
    for (int i = 0; i < BATCH; i++)
        schema_row_release(&batch[i]);
    free(batch);
    store_close(s);
}

/* ---- sources, scheduled reports, runs (schema version 3) ----------------------------- */

struct source_names {
    char names[8][80];
    char tokens[8][80];
    int n;
};

static int collect_source(void *ctx, const struct store_source *src)
{
    struct source_names *c = ctx;
    if (c->n < 8) {
        snprintf(c->names[c->n], sizeof c->names[0], "%s", src->name);
        snprintf(c->tokens[c->n], sizeof c->tokens[0], "%s", src->token);
        c->n++;
    }
    return 0;
}

/* A source is put, read back field by field, replaced (keeping when it was added and its
 * last claimed run, forgetting the url's ETag), listed by workspace and removed with its
 * runs. */
static void sources_round_trip_replace_list_and_delete(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct store *s = open_ok(f->url);
    struct store_source src = {.name = "shop",
                               .kind = "url",
                               .dataset = "tracking_data",
                               .influencer = "",
                               .account = "",
                               .url = "http://127.0.0.1:1/orders.csv",
                               .dir = "",
                               .base_url = "",
                               .token = "sb1:sealed",
                               .token_added_at = 1700000000,
                               .schedule = "daily 06:00",
                               .etag = "",
                               .last_modified = "",
                               .workspace = "default",
                               .added_at = 1700000001,
                               .last_due = 0};
    assert_int_equal(store_source_put(s, &src, &e), 0);
    struct store_source ig = src;
    ig.name = "ig";
    ig.kind = "instagram";
    ig.workspace = "acme";
    assert_int_equal(store_source_put(s, &ig, &e), 0);
    assert_int_equal(store_source_set_state(s, "shop", "\"v1\"", "Mon, 30 Nov 2026", &e), 0);
    assert_int_equal(store_job_claim(s, STORE_JOB_SOURCE, "shop", 1700003600, &e), 1);

    struct store_source got;
    assert_int_equal(store_source_get(s, "shop", &got, &e), 0);
    assert_string_equal(got.kind, "url");
    assert_string_equal(got.dataset, "tracking_data");
    assert_string_equal(got.url, "http://127.0.0.1:1/orders.csv");
    assert_string_equal(got.token, "sb1:sealed");
    assert_true(got.token_added_at == 1700000000);
    assert_string_equal(got.schedule, "daily 06:00");
    assert_string_equal(got.etag, "\"v1\"");
    assert_string_equal(got.last_modified, "Mon, 30 Nov 2026");
    assert_true(got.added_at == 1700000001);
    assert_true(got.last_due == 1700003600);
    store_source_release(&got);

    /* replaced: a new token, added_at and last_due kept, the ETag forgotten */
    src.token = "sb1:other";
    src.added_at = 1800000000;
    assert_int_equal(store_source_put(s, &src, &e), 0);
    assert_int_equal(store_source_get(s, "shop", &got, &e), 0);
    assert_string_equal(got.token, "sb1:other");
    assert_true(got.added_at == 1700000001);
    assert_true(got.last_due == 1700003600);
    assert_string_equal(got.etag, "");
    store_source_release(&got);

    struct source_names all = {{{0}}, {{0}}, 0}, acme = {{{0}}, {{0}}, 0};
    assert_int_equal(store_source_list(s, NULL, collect_source, &all, &e), 0);
    assert_int_equal(all.n, 2);
    assert_string_equal(all.names[0], "ig");
    assert_string_equal(all.names[1], "shop");
    assert_int_equal(store_source_list(s, "acme", collect_source, &acme, &e), 0);
    assert_int_equal(acme.n, 1);
    assert_string_equal(acme.names[0], "ig");

    struct store_run run = {
        .job = STORE_JOB_SOURCE, .started_at = 5, .finished_at = 6, .rows = 3, .result = "ok"};
    snprintf(run.name, sizeof run.name, "shop");
    snprintf(run.workspace, sizeof run.workspace, "default");
    assert_int_equal(store_run_add(s, &run, &e), 0);
    assert_int_equal(store_source_del(s, "shop", &e), 1);
    assert_int_equal(store_source_del(s, "shop", &e), 0);
    assert_int_equal(store_source_get(s, "shop", &got, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "no source named \"shop\""));
    char n[32];
    raw_query(f, "SELECT count(*) FROM runs", n, sizeof n);
    assert_string_equal(n, "0");
    store_close(s);
}

struct run_list {
    char names[8][80];
    char results[8][16];
    int64_t rows[8];
    int n;
};

static int collect_run(void *ctx, const struct store_run *run)
{
    struct run_list *c = ctx;
    if (c->n < 8) {
        snprintf(c->names[c->n], sizeof c->names[0], "%s", run->name);
        snprintf(c->results[c->n], sizeof c->results[0], "%s", run->result);
        c->rows[c->n] = run->rows;
        c->n++;
    }
    return 0;
}

/* Runs are listed newest first, by job and name, with a limit; a report's runs are apart
 * from a source's of the same name; a report round-trips. */
static void runs_are_listed_newest_first_by_job(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct store *s = open_ok(f->url);
    for (int i = 0; i < 3; i++) {
        struct store_run run = {
            .job = STORE_JOB_SOURCE, .started_at = 10 + i, .finished_at = 11 + i, .rows = i};
        snprintf(run.name, sizeof run.name, "a");
        snprintf(run.workspace, sizeof run.workspace, "default");
        snprintf(run.result, sizeof run.result, "%s", i == 1 ? "failed" : "ok");
        snprintf(run.error, sizeof run.error, "%s", i == 1 ? "it broke" : "");
        assert_int_equal(store_run_add(s, &run, &e), 0);
    }
    struct store_run rep = {.job = STORE_JOB_REPORT, .rows = 9, .result = "ok"};
    snprintf(rep.name, sizeof rep.name, "a");
    assert_int_equal(store_run_add(s, &rep, &e), 0);

    struct run_list l = {{{0}}, {{0}}, {0}, 0};
    assert_int_equal(store_run_list(s, STORE_JOB_SOURCE, "a", 2, collect_run, &l, &e), 0);
    assert_int_equal(l.n, 2);
    assert_true(l.rows[0] == 2 && l.rows[1] == 1);
    assert_string_equal(l.results[1], "failed");
    struct run_list r = {{{0}}, {{0}}, {0}, 0};
    assert_int_equal(store_run_list(s, STORE_JOB_REPORT, NULL, 0, collect_run, &r, &e), 0);
    assert_int_equal(r.n, 1);
    assert_true(r.rows[0] == 9);

    struct store_report report = {.name = "weekly",
                                  .format = "pdf",
                                  .filters = "platform=Instagram",
                                  .compare = "",
                                  .period = "last-week",
                                  .schedule = "weekly MON 09:00",
                                  .to_dir = "",
                                  .mail_to = "a@b.in",
                                  .smtp_url = "smtp://127.0.0.1:2525",
                                  .smtp_user = "u",
                                  .smtp_password = "sb1:x",
                                  .mail_from = "r@b.in",
                                  .workspace = "default",
                                  .added_at = 7,
                                  .last_due = 0};
    assert_int_equal(store_report_put(s, &report, &e), 0);
    struct store_report got;
    assert_int_equal(store_report_get(s, "weekly", &got, &e), 0);
    assert_string_equal(got.filters, "platform=Instagram");
    assert_string_equal(got.period, "last-week");
    assert_string_equal(got.smtp_password, "sb1:x");
    assert_string_equal(got.mail_to, "a@b.in");
    store_report_release(&got);
    assert_int_equal(store_job_claim(s, STORE_JOB_REPORT, "weekly", 100, &e), 1);
    assert_int_equal(store_report_del(s, "weekly", &e), 1);
    assert_int_equal(store_report_get(s, "weekly", &got, &e), ERR_NOTFOUND);
    store_close(s);
}

/* Two connections claiming the same due run: exactly one wins; a later due run can be
 * claimed again, an earlier one never. */
static void a_due_run_is_claimed_once_across_connections(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct store *a = open_ok(f->url), *b = open_ok(f->url);
    struct store_source src = {.name = "yt",
                               .kind = "youtube",
                               .dataset = "posts",
                               .influencer = "INF1",
                               .account = "UC1",
                               .url = "",
                               .dir = "",
                               .base_url = "",
                               .token = "",
                               .schedule = "hourly",
                               .etag = "",
                               .last_modified = "",
                               .workspace = "default",
                               .added_at = 1000};
    assert_int_equal(store_source_put(a, &src, &e), 0);
    assert_int_equal(store_job_claim(a, STORE_JOB_SOURCE, "yt", 3600, &e), 1);
    assert_int_equal(store_job_claim(b, STORE_JOB_SOURCE, "yt", 3600, &e), 0);
    assert_int_equal(store_job_claim(b, STORE_JOB_SOURCE, "yt", 1800, &e), 0);
    assert_int_equal(store_job_claim(b, STORE_JOB_SOURCE, "yt", 7200, &e), 1);
    assert_int_equal(store_job_claim(a, STORE_JOB_SOURCE, "yt", 7200, &e), 0);
    assert_int_equal(store_job_claim(a, STORE_JOB_SOURCE, "gone", 7200, &e), 0);
    store_close(a);
    store_close(b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, make_dir, remove_dir)

/* argv[1]: the backend (testbackend.h): "sqlite", the default, or "pg". */
/* Whether the file PATH SUFFIX exists. */
static int file_exists(const char *path, const char *suffix)
{
    char name[2 * PATH_MAX];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return access(name, F_OK) == 0;
}

static void begin_bulk_ok(struct store *s)
{
    struct err e;
    int rc = store_begin_bulk(s, &e);
    if (rc != 0)
        fail_msg("store_begin_bulk: %s", e.msg);
}

/* store_begin_bulk: on SQLite, into empty datasets with the database to itself, the
 * transaction writes the file under a rollback journal (a -journal file while it runs)
 * and the database is in WAL mode again after its commit or rollback; with rows stored, or
 * with another connection open, it is store_begin (the WAL). On PostgreSQL it is
 * store_begin. The rows are the same either way. */
static void bulk_begin_skips_the_wal_only_when_alone_and_empty(void **state)
{
    struct fixture *f = *state;
    int sq = f->kind == BACKEND_SQLITE;
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    char got[64];
    struct store *s = open_ok(f->url);

    /* alone and empty, rolled back: nothing stored, WAL again */
    begin_bulk_ok(s);
    fill_sparse_row(&row, DS_INFLUENCERS, "I1");
    put_ok(s, &row);
    if (sq) {
        assert_true(file_exists(f->db, "-journal"));
        assert_false(file_exists(f->db, "-wal"));
    }
    store_rollback(s);
    assert_int_equal(count_of(s, DS_INFLUENCERS), 0);
    if (sq) {
        raw_query(f, "PRAGMA journal_mode", got, sizeof got);
        assert_string_equal(got, "wal");
    }

    /* alone and empty, committed */
    begin_bulk_ok(s);
    put_ok(s, &row);
    if (sq)
        assert_true(file_exists(f->db, "-journal"));
    commit_ok(s);
    assert_int_equal(count_of(s, DS_INFLUENCERS), 1);
    if (sq) {
        assert_false(file_exists(f->db, "-journal"));
        raw_query(f, "PRAGMA journal_mode", got, sizeof got);
        assert_string_equal(got, "wal");
    }

    /* a dataset holds a row: the WAL */
    begin_bulk_ok(s);
    fill_sparse_row(&row, DS_INFLUENCERS, "I2");
    put_ok(s, &row);
    if (sq) {
        assert_false(file_exists(f->db, "-journal"));
        assert_true(file_exists(f->db, "-wal"));
    }
    commit_ok(s);
    assert_int_equal(count_of(s, DS_INFLUENCERS), 2);

    /* empty again, but another connection has the database open: the WAL, and the other
     * connection reads the last commit meanwhile */
    begin_ok(s);
    struct err e;
    assert_int_equal(store_clear(s, DS_INFLUENCERS, &e), 0);
    commit_ok(s);
    struct store *other = open_ok(f->url);
    assert_int_equal(count_of(other, DS_INFLUENCERS), 0);
    begin_bulk_ok(s);
    put_ok(s, &row);
    if (sq)
        assert_false(file_exists(f->db, "-journal"));
    assert_int_equal(count_of(other, DS_INFLUENCERS), 0);
    commit_ok(s);
    assert_int_equal(count_of(other, DS_INFLUENCERS), 1);
    store_close(other);
    store_close(s);
    if (sq) {
        raw_query(f, "PRAGMA integrity_check", got, sizeof got);
        assert_string_equal(got, "ok");
    }
    schema_row_release(&row);
}

/* fdatasync, as the store and SQLite call it in this program: counted when a thread other
 * than the tests' own calls it (the bulk import's syncer), and failed with EIO there while
 * fail_other_syncs is set, as a write error the disk reports would be. */
static pthread_t tests_thread;
static atomic_int other_syncs, fail_other_syncs;

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
    if (!pthread_equal(pthread_self(), tests_thread)) {
        atomic_fetch_add(&other_syncs, 1);
        if (atomic_load(&fail_other_syncs)) {
            errno = EIO;
            return -1;
        }
    }
    return real(fd);
}

/* Stores n tracking rows (about 600 bytes each, keys from first on) with store_put_many, in
 * batches. */
static void put_tracking_rows(struct store *s, int first, int n)
{
    enum { BATCH = 4096 };
    struct schema_row *rows = calloc(BATCH, sizeof *rows);
    assert_non_null(rows);
    for (int i = 0; i < BATCH; i++)
        schema_row_init(&rows[i], DS_TRACKING);
    struct err e;
    for (int done = 0; done < n;) {
        int k = n - done < BATCH ? n - done : BATCH;
        for (int i = 0; i < k; i++) {
            char key[24];
            snprintf(key, sizeof key, "T%09d", first + done + i);
            fill_full_row(&rows[i], DS_TRACKING, key, first + done + i);
        }
        if (store_put_many(s, rows, (size_t)k, &e) != 0)
            fail_msg("store_put_many: %s", e.msg);
        done += k;
    }
    for (int i = 0; i < BATCH; i++)
        schema_row_release(&rows[i]);
    free(rows);
}

/* SQLite: a bulk import syncs the database file while it goes on (from a thread of its
 * own, so that the commit has little left to sync), and a sync of that thread that fails
 * fails the commit, which then stores nothing: the error is reported once, to that sync,
 * and SQLite's own sync at the commit would not see it. A large import through the WAL
 * does the same with the WAL. */
static void bulk_import_syncs_meanwhile_and_a_failed_sync_fails_it(void **state)
{
    struct fixture *f = *state;
    if (f->kind == BACKEND_PG)
        skip();
    enum { N = 80000 }; /* past the first flush of the page cache (65536 rows) */
    struct store *s = open_ok(f->url);
    atomic_store(&other_syncs, 0);
    begin_bulk_ok(s);
    put_tracking_rows(s, 0, N);
    int during = atomic_load(&other_syncs);
    commit_ok(s);
    assert_true(during >= 1);
    assert_int_equal(count_of(s, DS_TRACKING), N);
    store_close(s);

    /* a new database, its syncer's syncs failing */
    char url[PATH_MAX + 64];
    snprintf(url, sizeof url, "sqlite:%s/second.db", f->dir);
    s = open_ok(url);
    atomic_store(&other_syncs, 0);
    atomic_store(&fail_other_syncs, 1);
    begin_bulk_ok(s);
    put_tracking_rows(s, 0, N);
    assert_true(atomic_load(&other_syncs) >= 1);
    struct err e;
    err_clear(&e);
    assert_int_not_equal(store_commit(s, &e), 0);
    atomic_store(&fail_other_syncs, 0);
    assert_non_null(strstr(e.msg, "cannot commit the changes: writing the database file: "));
    assert_non_null(strstr(e.msg, strerror(EIO)));
    store_rollback(s);
    assert_int_equal(count_of(s, DS_TRACKING), 0);
    store_close(s);
    s = open_ok(url);
    assert_int_equal(count_of(s, DS_TRACKING), 0);
    store_close(s);

    /* the first database again, holding rows: the import goes through the WAL, which the
     * syncer syncs as it goes; a failed sync fails the commit, and the rows stay as they were */
    s = open_ok(f->url);
    for (int fail = 1; fail >= 0; fail--) {
        atomic_store(&other_syncs, 0);
        atomic_store(&fail_other_syncs, fail);
        begin_bulk_ok(s);
        assert_false(file_exists(f->db, "-journal"));
        put_tracking_rows(s, N, N);
        assert_true(atomic_load(&other_syncs) >= 1);
        err_clear(&e);
        int rc = store_commit(s, &e);
        atomic_store(&fail_other_syncs, 0);
        if (!fail) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_not_equal(rc, 0);
            assert_non_null(strstr(e.msg, strerror(EIO)));
            store_rollback(s);
        }
        assert_int_equal(count_of(s, DS_TRACKING), fail ? N : 2 * N);
    }
    store_close(s);
    char got[64];
    raw_query(f, "PRAGMA integrity_check", got, sizeof got);
    assert_string_equal(got, "ok");
}

int main(int argc, char **argv)
{
    tests_thread = pthread_self();
    int status = testbackend_args(argc, argv);
    if (status)
        return status;
    const struct CMUnitTest tests[] = {
        T(opens_new_database_migrates_and_reopens_at_same_version),
        T(upgrades_a_version_1_database),
        T(upgrades_a_version_3_database),
        T(dispatches_urls_by_scheme),
        T(refuses_database_newer_than_the_code),
        T(refuses_database_of_another_program),
        T(reports_file_that_is_not_a_database),
        T(reports_database_that_cannot_be_opened),
        T(reports_locked_database_when_writing),
        T(round_trips_every_column_kind_of_all_datasets),
        T(upsert_replaces_row_with_same_key_in_place),
        T(rollback_leaves_nothing),
        T(clear_in_rolled_back_transaction_keeps_rows),
        T(scan_stops_on_negative_return_and_keys_follow_insertion),
        T(lists_distinct_extra_keys_sorted),
        T(import_log_lists_newest_first),
        T(put_many_is_put_of_each_row_in_order),
        T(put_many_values_and_nulls_take_turns),
        T(put_many_takes_mixed_datasets_in_order),
        T(put_many_names_the_row_that_cannot_be_stored),
        T(put_many_random_keys_with_repeats),
        T(put_many_large_rows_then_repeats_then_new_keys),
        T(scan_parts_cover_every_row_once_in_order),
        T(scan_reads_with_a_small_page_cache),
        T(commit_gives_back_its_page_cache_then_checkpoints),
        T(read_snapshot_and_data_version_follow_other_connections),
        T(data_stamp_counts_dataset_commits_and_survives_reopen),
        T(rewrite_version_moves_only_when_tracking_rows_are_replaced),
        T(lost_connection_is_reported_then_reconnected),
        T(audit_fields_are_cut_at_a_character_boundary),
        T(bulk_write_of_an_import_stores_every_row),
        T(bulk_begin_skips_the_wal_only_when_alone_and_empty),
        T(bulk_import_syncs_meanwhile_and_a_failed_sync_fails_it),
        T(sources_round_trip_replace_list_and_delete),
        T(runs_are_listed_newest_first_by_job),
        T(a_due_run_is_claimed_once_across_connections),
    };
    return cmocka_run_group_tests_name(
        backend == BACKEND_PG ? "store on PostgreSQL" : "store on SQLite", tests, NULL, NULL);
}
