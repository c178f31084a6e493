/* store.c — picks a storage backend from the database URL and dispatches every store_
 * call through its struct store_ops (store_impl.h). Backends live in store_sqlite.c and
 * store_pg.c. Calls err and the backends' open functions only. */
#include "store.h"

#include <assert.h>
#include <string.h>

#include "store_impl.h"

#include "buf.h"

#include "banned.h"

/* Length of a leading "scheme://" (letters, digits, '+', '-', '.'), 0 when url has none. */
static size_t url_scheme_len(const char *url)
{
    size_t i = 0;
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return 0;
    while (url[i] && url[i] != ':') {
        char c = url[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '-' || c == '.';
        if (!ok)
            return 0;
        i++;
    }
    return strncmp(url + i, "://", 3) == 0 ? i : 0;
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Accepted forms: "sqlite:PATH", "sqlite://PATH" (so "sqlite:///abs/x.db" is /abs/x.db), a
 * plain path, and "postgresql://" / "postgres://" URLs. Anything else that looks like a
 * URL is refused rather than created as a file with a strange name. */
int store_open(const char *url, struct store **out, struct err *e)
{
    assert(url && out);
    *out = NULL;
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
        return store_pg_open(url, out, e);
    const char *path = url;
    if (has_prefix(url, "sqlite://"))
        path = url + strlen("sqlite://");
    else if (has_prefix(url, "sqlite:"))
        path = url + strlen("sqlite:");
    else if (url_scheme_len(url) > 0)
        return err_set(e, ERR_USAGE,
                       "%.*s: unknown kind of database URL (use sqlite:PATH, a file path, or "
                       "postgresql://...)",
                       (int)url_scheme_len(url) + 3, url);
    if (!path[0])
        return err_set(e, ERR_USAGE, "no database file named in \"%s\" (use sqlite:PATH)", url);
    return store_sqlite_open(path, out, e);
}

void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

const char *store_backend(const struct store *s)
{
    return s->ops->backend;
}

const char *store_location(const struct store *s)
{
    return s->location;
}

int store_schema_version(struct store *s, int *version, struct err *e)
{
    assert(version);
    return s->ops->schema_version(s, version, e);
}

int store_begin(struct store *s, struct err *e)
{
    return s->ops->begin(s, e);
}

int store_commit(struct store *s, struct err *e)
{
    return s->ops->commit(s, e);
}

void store_rollback(struct store *s)
{
    s->ops->rollback(s);
}

int store_clear(struct store *s, enum dataset ds, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT);
    return s->ops->clear(s, ds, e);
}

int store_put(struct store *s, const struct schema_row *row, struct err *e)
{
    assert(row && row->ds >= 0 && row->ds < DS_COUNT);
    return s->ops->put(s, row, e);
}

int store_put_many(struct store *s, const struct schema_row *rows, size_t n, struct err *e)
{
    if (s->ops->put_many)
        return s->ops->put_many(s, rows, n, e);
    for (size_t i = 0; i < n; i++) {
        int rc = s->ops->put(s, &rows[i], e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int store_count(struct store *s, enum dataset ds, int64_t *n, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT && n);
    return s->ops->count(s, ds, n, e);
}

int store_scan_part(struct store *s, enum dataset ds, int part, int nparts, uint64_t columns,
                    store_row_fn fn, void *ctx, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT && fn && nparts >= 1 && part >= 0 && part < nparts);
    return s->ops->scan_part(s, ds, part, nparts, columns, fn, ctx, e);
}

int store_read_begin(struct store *s, struct err *e)
{
    return s->ops->read_begin(s, e);
}

int store_wait_change(struct store *s, int timeout_ms)
{
    return s->ops->wait_change ? s->ops->wait_change(s, timeout_ms) : -1;
}

int store_data_version(struct store *s, int64_t *version, struct err *e)
{
    assert(version);
    return s->ops->data_version(s, version, e);
}

int store_scan(struct store *s, enum dataset ds, store_row_fn fn, void *ctx, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT && fn);
    return s->ops->scan(s, ds, fn, ctx, e);
}

int store_each_key(struct store *s, enum dataset ds, store_key_fn fn, void *ctx, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT && fn);
    return s->ops->each_key(s, ds, fn, ctx, e);
}

int store_extra_keys(struct store *s, enum dataset ds, char ***keys, size_t *n, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT && keys && n);
    *keys = NULL;
    *n = 0;
    return s->ops->extra_keys(s, ds, keys, n, e);
}

int store_log_import(struct store *s, const struct store_import_log *log, struct err *e)
{
    assert(log);
    return s->ops->log_import(s, log, e);
}

int store_recent_imports(struct store *s, struct store_import_log *out, size_t max, size_t *n,
                         struct err *e)
{
    assert(n && (out || max == 0));
    *n = 0;
    return s->ops->recent_imports(s, out, max, n, e);
}

/* ---- SQL helpers shared by the backends ------------------------------------------------ */

/* Table and column names come from schema.c, never from input; they are quoted anyway, and
 * must stay plain so that quoting is all they need. Checked in debug builds. */
#ifndef NDEBUG
static int is_plain_identifier(const char *name)
{
    if (!name[0])
        return 0;
    for (const char *p = name; *p; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
        if (!ok)
            return 0;
    }
    return 1;
}
#endif

void store_sql_ident(struct buf *b, const char *name)
{
    assert(is_plain_identifier(name));
    buf_printf(b, "\"%s\"", name);
}

int store_key_col(const struct schema_dataset *d)
{
    for (int i = 0; i < d->ncols; i++)
        if (d->cols[i].flags & SCHEMA_KEY)
            return i;
    assert(!"dataset without a key column");
    return -1;
}

void store_sql_columns(struct buf *b, const struct schema_dataset *d)
{
    for (int i = 0; i < d->ncols; i++) {
        store_sql_ident(b, d->cols[i].name);
        buf_puts(b, ",");
    }
    buf_puts(b, "\"extra\"");
}
