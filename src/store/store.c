/* store.c — picks a storage backend from the database URL and dispatches every store_
 * call through its struct store_ops (store_impl.h). Backends live in store_sqlite.c and
 * store_pg.c. Calls the backends' open
 * functions (store_sqlite, store_pg), buf and err. */
#include "store.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int is_pg_url(const char *url)
{
    return has_prefix(url, "postgresql://") || has_prefix(url, "postgres://");
}

/* The file path of an SQLite URL: "sqlite:PATH", "sqlite://PATH" (so "sqlite:///abs/x.db"
 * is /abs/x.db) or a plain path. Anything else that looks like a URL is refused rather
 * than created as a file with a strange name. */
static int sqlite_path(const char *url, const char **path, struct err *e)
{
    const char *p = url;
    if (has_prefix(url, "sqlite://"))
        p = url + strlen("sqlite://");
    else if (has_prefix(url, "sqlite:"))
        p = url + strlen("sqlite:");
    else if (url_scheme_len(url) > 0)
        return err_set(e, ERR_USAGE,
                       "%.*s: unknown kind of database URL (use sqlite:PATH, a file path, or "
                       "postgresql://...)",
                       (int)url_scheme_len(url) + 3, url);
    if (!p[0])
        return err_set(e, ERR_USAGE, "no database file named in \"%s\" (use sqlite:PATH)", url);
    *path = p;
    return 0;
}

/* Accepted forms: those of sqlite_path, and "postgresql://" / "postgres://" URLs. */
int store_open(const char *url, struct store **out, struct err *e)
{
    assert(url && out);
    *out = NULL;
    if (is_pg_url(url))
        return store_pg_open(url, out, e);
    const char *path;
    int rc = sqlite_path(url, &path, e);
    return rc < 0 ? rc : store_sqlite_open(path, out, e);
}

/* ---- the parts of an installation -------------------------------------------------- */

static int part_name_ok(const char *part)
{
    if (!part[0] || strlen(part) > 48)
        return 0;
    for (const char *p = part; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return 1;
}

/* "data.db" + "ws-acme" → "data-ws-acme.db": the part's name before the main file's
 * extension (.db, .sqlite, .sqlite3), or after the name when it has none. */
static void part_file(struct buf *out, const char *path, const char *part)
{
    static const char *const exts[] = {".db", ".sqlite", ".sqlite3"};
    size_t len = strlen(path);
    size_t stem = len;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t n = strlen(exts[i]);
        const char *slash = strrchr(path, '/');
        size_t base = slash ? (size_t)(slash - path) + 1 : 0;
        if (len > base + n && strcmp(path + len - n, exts[i]) == 0) {
            stem = len - n;
            break;
        }
    }
    buf_append(out, path, stem);
    buf_printf(out, "-%s%s", part, path + stem);
}

/* "ws-acme" → "infludash_ws_acme". */
static void part_schema(struct buf *out, const char *part)
{
    buf_puts(out, "infludash_");
    for (const char *p = part; *p; p++)
        buf_putc(out, *p == '-' ? '_' : *p);
}

void store_part_url(const char *url, const char *part, struct buf *out)
{
    if (is_pg_url(url)) {
        /* libpq takes the last of repeated parameters, so this one wins */
        buf_puts(out, url);
        buf_puts(out, strchr(url, '?') ? "&" : "?");
        buf_puts(out, "options=-csearch_path%3D");
        part_schema(out, part);
        return;
    }
    const char *path;
    struct err ignored;
    if (sqlite_path(url, &path, &ignored) < 0)
        path = url;
    buf_puts(out, "sqlite:");
    part_file(out, path, part);
}

int store_open_part(const char *url, const char *part, int create, struct store **out,
                    struct err *e)
{
    assert(url && part && out);
    *out = NULL;
    if (!part_name_ok(part))
        return err_set(e, ERR_USAGE, "\"%s\" is not a valid name for a part of the database", part);
    const char *path;
    int rc = is_pg_url(url) ? 0 : sqlite_path(url, &path, e);
    if (rc < 0)
        return rc;
    struct buf part_url = BUF_INIT, name = BUF_INIT;
    store_part_url(url, part, &part_url);
    if (is_pg_url(url)) {
        part_schema(&name, part);
        rc = store_pg_open_schema(buf_cstr(&part_url), buf_cstr(&name), create, out, e);
    } else {
        part_file(&name, path, part);
        rc = store_sqlite_open_part(buf_cstr(&name), create, out, e);
    }
    buf_release(&name);
    buf_release(&part_url);
    return rc;
}

int store_drop_part(const char *url, const char *part, struct err *e)
{
    if (!part_name_ok(part))
        return err_set(e, ERR_USAGE, "\"%s\" is not a valid name for a part of the database", part);
    struct buf name = BUF_INIT;
    int rc;
    if (is_pg_url(url)) {
        part_schema(&name, part);
        rc = store_pg_drop_schema(url, buf_cstr(&name), e);
    } else {
        const char *path;
        rc = sqlite_path(url, &path, e);
        if (rc == 0) {
            part_file(&name, path, part);
            /* with the engine's cache of the part (engine_cache_write, `serve`) */
            static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".engine"};
            for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0] && rc == 0; i++) {
                size_t base_len = name.len;
                buf_puts(&name, suffixes[i]);
                if (unlink(buf_cstr(&name)) < 0 && errno != ENOENT)
                    rc = err_set(e, ERR_IO, "%s: cannot remove it: %s", buf_cstr(&name),
                                 strerror(errno));
                name.len = base_len;
            }
        }
    }
    buf_release(&name);
    return rc;
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

int store_begin_bulk(struct store *s, struct err *e)
{
    return s->ops->begin_bulk ? s->ops->begin_bulk(s, e) : s->ops->begin(s, e);
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

int store_last_seq(struct store *s, enum dataset ds, int64_t *seq, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT && seq);
    if (!s->ops->last_seq) {
        *seq = -1;
        return 0;
    }
    return s->ops->last_seq(s, ds, seq, e);
}

int store_scan_after(struct store *s, enum dataset ds, int64_t seq, uint64_t columns,
                     store_row_fn fn, void *ctx, struct err *e)
{
    assert(ds >= 0 && ds < DS_COUNT && fn);
    if (!s->ops->scan_after)
        return err_set(e, ERR_STORE, "%s: the %s backend has no row numbers to read after",
                       s->location, s->ops->backend);
    return s->ops->scan_after(s, ds, seq, columns, fn, ctx, e);
}

int store_read_begin(struct store *s, struct err *e)
{
    return s->ops->read_begin(s, e);
}

int store_wait_change(struct store *s, int timeout_ms)
{
    return s->ops->wait_change ? s->ops->wait_change(s, timeout_ms) : -1;
}

int store_check_file(struct store *s, struct err *e)
{
    return s->ops->check_file ? s->ops->check_file(s, e) : 0;
}

int store_data_version(struct store *s, int64_t *version, struct err *e)
{
    assert(version);
    return s->ops->data_version(s, version, e);
}

int store_data_stamp(struct store *s, struct store_stamp *out, struct err *e)
{
    assert(out);
    return s->ops->data_stamp(s, out, e);
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

int store_sql(struct store *s, const char *sql, int nparams, const char *const *params,
              store_sql_row_fn fn, void *ctx, struct err *e)
{
    assert(sql && nparams >= 0 && (params || nparams == 0));
    return s->ops->sql(s, sql, nparams, params, fn, ctx,
                       "running a statement on the accounts tables", e);
}
