/* teststore.h — for unit tests that build a SQLite store in a temp dir and fill it row by
 * row (test_engine, test_insights): the fixture, and put/begin/commit/load that fail the
 * test with the store's message. Header-only, included after cmocka.h and testutil.h. */
#ifndef INFLUDASH_TESTSTORE_H
#define INFLUDASH_TESTSTORE_H

#include <errno.h>
#include <stdarg.h>

#include "engine.h"
#include "schema.h"
#include "store.h"

struct fixture {
    char dir[PATH_MAX];
    char db[PATH_MAX + 32];
    char url[PATH_MAX + 64];
    struct store *store;
};

/* A cmocka setup: a new store at TMPDIR/infludash-TAG-XXXXXX/infludash.db. */
static inline int teststore_open(void **state, const char *tag)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_non_null(testutil_make_dir(f->dir, sizeof f->dir, tag));
    snprintf(f->db, sizeof f->db, "%s/infludash.db", f->dir);
    snprintf(f->url, sizeof f->url, "sqlite:%s", f->db);
    struct err e;
    err_clear(&e);
    if (store_open(f->url, &f->store, &e) != 0)
        fail_msg("store_open: %s", e.msg);
    *state = f;
    return 0;
}

/* The matching cmocka teardown. */
static inline int remove_store(void **state)
{
    struct fixture *f = *state;
    store_close(f->store);
    testutil_remove_dir(f->dir);
    free(f);
    return 0;
}

/* Fills row (schema_row_init'ed for ds) from NULL-terminated "column", "value" pairs;
 * integer columns take stored units (paise, rate millionths). Derived fields are filled as
 * on import. */
static inline void row_from_pairs(struct schema_row *row, enum dataset ds, va_list ap)
{
    struct schema_config cfg;
    schema_config_default(&cfg);
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        const char *value = va_arg(ap, const char *);
        int col = schema_col_index(ds, name);
        if (col < 0)
            fail_msg("no column %s", name);
        if (schema_kind_is_int(schema_dataset(ds)->cols[col].kind)) {
            char *end;
            errno = 0;
            long long v = strtoll(value, &end, 10);
            assert_true(errno == 0 && *end == '\0');
            schema_row_set_int(row, col, v);
        } else {
            schema_row_set_text(row, col, value, strlen(value));
        }
    }
    schema_row_derive(row, &cfg);
}

/* Stores one row given as NULL-terminated "column", "value" pairs (row_from_pairs). */
static inline void put(struct store *s, enum dataset ds, ...)
{
    struct schema_row row;
    schema_row_init(&row, ds);
    va_list ap;
    va_start(ap, ds);
    row_from_pairs(&row, ds, ap);
    va_end(ap);
    struct err e;
    err_clear(&e);
    if (store_put(s, &row, &e) != 0)
        fail_msg("store_put: %s", e.msg);
    schema_row_release(&row);
}

static inline void begin(struct store *s)
{
    struct err e;
    err_clear(&e);
    assert_int_equal(store_begin(s, &e), 0);
}

static inline void commit(struct store *s)
{
    struct err e;
    err_clear(&e);
    if (store_commit(s, &e) != 0)
        fail_msg("store_commit: %s", e.msg);
}

static inline struct engine *load(struct store *s)
{
    struct err e;
    err_clear(&e);
    struct engine *eng = engine_load(s, &e);
    if (!eng)
        fail_msg("engine_load: %s", e.msg);
    return eng;
}

#endif
