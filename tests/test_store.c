/* test_store.c — the store on SQLite: URLs, migrations and reopening, round trips of every
 * column kind for all four datasets, upserts, transactions (rollback, clear), extra keys,
 * the import log, clear errors for bad, missing and locked files, and insert throughput.
 * Each test gets a fresh temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

#include "banned.h"

struct fixture {
    char dir[PATH_MAX];
    char db[PATH_MAX + 32];
    char url[PATH_MAX + 64];
};

static int make_dir(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_non_null(testutil_make_dir(f->dir, sizeof f->dir, "store"));
    snprintf(f->db, sizeof f->db, "%s/infludash.db", f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:%s", f->db);
    *state = f;
    return 0;
}

static int remove_dir(void **state)
{
    struct fixture *f = *state;
    testutil_remove_dir(f->dir);
    free(f);
    return 0;
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

/* Runs a query on the file directly (not through the store) and returns its one integer
 * or text result. */
static void raw_query(const char *path, const char *sql, char *out, size_t size)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    snprintf(out, size, "%s", text ? (const char *)text : "");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
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
            int n = snprintf(text, sizeof text,
                             "%s #%d: ₹1,506.16 café 東京 \"quoted\"\nsecond line",
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
            fail_msg("%s.%s: present %d, got %d", d->name, d->cols[i].name, w->present,
                     g->present);
        if (!w->present)
            continue;
        if (schema_kind_is_int(d->cols[i].kind)) {
            if (w->i != g->i)
                fail_msg("%s.%s: want %lld, got %lld", d->name, d->cols[i].name,
                         (long long)w->i, (long long)g->i);
        } else {
            assert_non_null(g->s);
            if (w->len != g->len || memcmp(w->s, g->s, w->len) != 0)
                fail_msg("%s.%s: want \"%s\", got \"%s\"", d->name, d->cols[i].name, w->s,
                         g->s);
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
    assert_string_equal(store_backend(s), "sqlite");
    assert_string_equal(store_location(s), f->db);
    int version = 0;
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, 1);
    store_close(s);

    char got[64];
    raw_query(f->db, "PRAGMA journal_mode", got, sizeof got);
    assert_string_equal(got, "wal");
    raw_query(f->db, "SELECT count(*) FROM schema_migrations WHERE applied_at LIKE '20%Z'", got,
              sizeof got);
    assert_string_equal(got, "1");
    /* Canonical columns in order, plus extra. */
    for (int ds = 0; ds < DS_COUNT; ds++) {
        const struct schema_dataset *d = schema_dataset((enum dataset)ds);
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT group_concat(name, ',') FROM pragma_table_info('%s')",
                 d->name);
        struct buf want = BUF_INIT;
        for (int i = 0; i < d->ncols; i++)
            buf_printf(&want, "%s,", d->cols[i].name);
        buf_puts(&want, "extra");
        char all[1024];
        raw_query(f->db, sql, all, sizeof all);
        assert_string_equal(all, buf_cstr(&want));
        buf_release(&want);
    }

    /* The other spellings of the same file. */
    char url[PATH_MAX + 64];
    snprintf(url, sizeof url, "sqlite://%s", f->db);
    s = open_ok(url);
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, 1);
    assert_string_equal(store_location(s), f->db);
    store_close(s);
    s = open_ok(f->db);
    assert_int_equal(store_schema_version(s, &version, &e), 0);
    assert_int_equal(version, 1);
    store_close(s);
    raw_query(f->db, "SELECT count(*) FROM schema_migrations", got, sizeof got);
    assert_string_equal(got, "1");
}

static void refuses_postgres_and_unknown_urls(void **state)
{
    (void)state;
    struct store *s = (struct store *)1;
    struct err e;
    assert_int_equal(store_open("postgresql://u@localhost/db", &s, &e), ERR_USAGE);
    assert_null(s);
    assert_non_null(strstr(e.msg, "PostgreSQL support is not built yet"));
    assert_int_equal(store_open("postgres://localhost/db", &s, &e), ERR_USAGE);
    assert_int_equal(store_open("mysql://localhost/db", &s, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "mysql://"));
    assert_int_equal(store_open("sqlite:", &s, &e), ERR_USAGE);
}

static void refuses_database_newer_than_the_code(void **state)
{
    struct fixture *f = *state;
    store_close(open_ok(f->url));
    raw_exec(f->db, "INSERT INTO schema_migrations VALUES (99, '2099-01-01T00:00:00Z')");
    struct store *s = NULL;
    struct err e;
    assert_int_equal(store_open(f->url, &s, &e), ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(e.msg, f->db));
    assert_non_null(strstr(e.msg, "schema version 99"));
    assert_non_null(strstr(e.msg, "upgrade infludash"));
}

static void refuses_sqlite_database_of_another_program(void **state)
{
    struct fixture *f = *state;
    raw_exec(f->db, "CREATE TABLE customers (id INTEGER, name TEXT)");
    struct store *s = NULL;
    struct err e;
    assert_int_equal(store_open(f->url, &s, &e), ERR_STORE);
    assert_non_null(strstr(e.msg, f->db));
    assert_non_null(strstr(e.msg, "not an infludash one"));
    char got[64];
    raw_query(f->db, "SELECT count(*) FROM sqlite_master WHERE name = 'posts'", got,
              sizeof got);
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
    /* Big garbage: SQLite's own check. */
    assert_not_a_database(f->db, f->url, "influencer_id,name\nthis is a CSV, not a database\n",
                          200);
    /* Shorter than SQLite's header: SQLite alone would take it for an empty database and
     * overwrite it. */
    assert_not_a_database(f->db, f->url, "x", 1);
    assert_not_a_database(f->db, f->url, "SQLite format 3", 1);
}

static void reports_file_that_cannot_be_opened(void **state)
{
    struct fixture *f = *state;
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
    assert_non_null(strstr(e.msg, f->db));
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
        snprintf(log.dataset, sizeof log.dataset, "%s",
                 schema_dataset((enum dataset)i)->name);
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

/* ---- throughput ---------------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill_tracking_row(struct schema_row *row, long i)
{
    char text[64];
    int n;
    schema_row_clear(row);
    row->ds = DS_TRACKING;
#define TEXT(col, ...)                                                                         \
    n = snprintf(text, sizeof text, __VA_ARGS__);                                              \
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

/* Tracking rows into one transaction, as an import does. Prints rows/s; the figure that
 * matters comes from an optimised build (INFLUDASH_STORE_BENCH_ROWS sets the row count). */
static void measures_tracking_insert_throughput(void **state)
{
    struct fixture *f = *state;
    long rows = 100000;
    const char *env = getenv("INFLUDASH_STORE_BENCH_ROWS");
    if (env && *env) {
        char *end;
        rows = strtol(env, &end, 10);
        assert_true(*end == '\0' && rows > 0);
    }
    struct store *s = open_ok(f->url);
    struct schema_row row;
    schema_row_init(&row, DS_TRACKING);
    double t0 = now_seconds();
    begin_ok(s);
    for (long i = 0; i < rows; i++) {
        fill_tracking_row(&row, i);
        put_ok(s, &row);
    }
    double t1 = now_seconds();
    commit_ok(s);
    double t2 = now_seconds();
    assert_int_equal(count_of(s, DS_TRACKING), rows);
    printf("store_put: %ld tracking_data rows in %.3f s = %.0f rows/s (commit %.3f s, "
           "%.0f rows/s with it)\n",
           rows, t1 - t0, (double)rows / (t1 - t0), t2 - t1, (double)rows / (t2 - t0));
    schema_row_release(&row);
    store_close(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, make_dir, remove_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(opens_new_database_migrates_and_reopens_at_same_version),
        T(refuses_postgres_and_unknown_urls),
        T(refuses_database_newer_than_the_code),
        T(refuses_sqlite_database_of_another_program),
        T(reports_file_that_is_not_a_database),
        T(reports_file_that_cannot_be_opened),
        T(reports_locked_database_when_writing),
        T(round_trips_every_column_kind_of_all_datasets),
        T(upsert_replaces_row_with_same_key_in_place),
        T(rollback_leaves_nothing),
        T(clear_in_rolled_back_transaction_keeps_rows),
        T(scan_stops_on_negative_return_and_keys_follow_insertion),
        T(lists_distinct_extra_keys_sorted),
        T(import_log_lists_newest_first),
        T(measures_tracking_insert_throughput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
