/* store_sql.c — the SQL both store backends share (see store_sql.h): names and column lists,
 * the migration driver, the extra keys' list, fixed fields, and the import and audit logs
 * (store.h's store_log_import, store_recent_imports, store_audit_add, store_audit_list),
 * which go through the backend's store_ops.sql. Calls buf and err, and the
 * backends only through store_ops and store_dialect . */
#include "store_sql.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

/* ---- names and column lists ---------------------------------------------------------- */

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

/* Portable SQL: TEXT and BIGINT columns, no generated ids. Times are unix seconds. */
const char *const store_accounts_ddl[] = {
    "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL, "
    "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
    /* id: a hash of the session token (the token itself is never stored) */
    "CREATE TABLE sessions (id TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, "
    "created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)",
    "CREATE INDEX sessions_username ON sessions (username)",
    "CREATE TABLE workspaces (slug TEXT PRIMARY KEY, title TEXT NOT NULL, "
    "created_at BIGINT NOT NULL)",
    "CREATE TABLE members (workspace TEXT NOT NULL, username TEXT NOT NULL, "
    "PRIMARY KEY (workspace, username))",
    NULL,
};

/* ---- migrations ---------------------------------------------------------------------- */

int store_sql_applied_version(struct store *s, const struct store_dialect *d, int *version,
                              struct err *e)
{
    int64_t has_log, tables, v = 0;
    int rc = d->query_int(s, d->has_migrations_sql, &has_log, e, "reading the schema version");
    if (rc == 0 && !has_log) {
        rc = d->query_int(s, d->count_tables_sql, &tables, e, "reading the schema version");
        if (rc == 0 && tables > 0)
            return err_set(e, ERR_STORE, "%s: %s", s->location, d->not_ours);
    }
    if (rc == 0 && has_log)
        rc = d->query_int(s, "SELECT coalesce(max(version), 0) FROM schema_migrations", &v, e,
                          "reading the schema version");
    if (rc < 0)
        return rc;
    *version = v > INT32_MAX ? INT32_MAX : (int)v;
    return 0;
}

static int too_new(struct store *s, int version, struct err *e)
{
    return err_set(e, ERR_STORE,
                   "%s: the database has schema version %d, newer than this infludash "
                   "understands (%d); upgrade infludash, or point --db at another database",
                   s->location, version, STORE_SCHEMA_VERSION);
}

int store_sql_migrate(struct store *s, const struct store_dialect *d, struct err *e)
{
    int version;
    int rc = store_sql_applied_version(s, d, &version, e);
    if (rc < 0)
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return too_new(s, version, e);
    if (version == STORE_SCHEMA_VERSION)
        return 0;

    rc = d->begin_migration(s, e);
    if (rc < 0) {
        d->abort_migration(s);
        return rc;
    }
    /* Another process may have migrated between the read above and our lock. */
    rc = store_sql_applied_version(s, d, &version, e);
    if (rc == 0 && version > STORE_SCHEMA_VERSION)
        rc = too_new(s, version, e);
    if (rc == 0)
        rc = d->exec(s,
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     "version INTEGER PRIMARY KEY, applied_at TEXT)",
                     e, "creating the schema_migrations table");
    for (int v = version + 1; rc == 0 && v <= STORE_SCHEMA_VERSION; v++) {
        rc = d->migrations[v - 1](s, e);
        if (rc == 0)
            rc = d->record_migration(s, v, e);
        if (rc < 0)
            err_prefix(e, "schema migration %d failed (the database was left unchanged)", v);
    }
    if (rc == 0)
        rc = d->exec(s, "COMMIT", e, "committing the schema migration");
    if (rc < 0)
        d->abort_migration(s);
    return rc;
}

/* ---- the keys of extra ---------------------------------------------------------------- */

void store_key_list_init(struct store_key_list *kl)
{
    cbuf_init(&kl->list, STORE_EXTRA_KEYS_MAX * sizeof(char *));
    kl->count = 0;
}

int store_key_list_add(void *ctx, const char *key, size_t len)
{
    struct store_key_list *kl = ctx;
    char *copy = xstrndup(key, len);
    if (cbuf_append(&kl->list, &copy, sizeof copy) < 0) {
        free(copy);
        return ERR_LIMIT;
    }
    kl->count++;
    return 0;
}

int store_key_list_finish(struct store_key_list *kl, int rc, const char *location, const char *what,
                          char ***keys, size_t *n, struct err *e)
{
    if (rc == ERR_LIMIT)
        rc = err_set(e, ERR_LIMIT, "%s: %s: more than %d distinct extra columns", location, what,
                     STORE_EXTRA_KEYS_MAX);
    char **array = (char **)(void *)kl->list.b.data;
    if (rc < 0 || kl->count == 0) {
        for (size_t i = 0; i < kl->count; i++)
            free(array[i]);
        cbuf_release(&kl->list);
        return rc;
    }
    *keys = (char **)(void *)cbuf_detach(&kl->list);
    *n = kl->count;
    return 0;
}

/* ---- fixed fields ---------------------------------------------------------------------- */

void store_copy_field(char *dst, size_t size, const char *src, size_t len)
{
    if (!src)
        len = 0;
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

/* A column text of a store_ops.sql row into a fixed field. */
static void copy_column(char *dst, size_t size, const char *v)
{
    store_copy_field(dst, size, v, v ? strlen(v) : 0);
}

static int64_t int_column(const char *v)
{
    return v ? strtoll(v, NULL, 10) : 0;
}

/* ---- the import log -------------------------------------------------------------------- */

int store_log_import(struct store *s, const struct store_import_log *log, struct err *e)
{
    assert(log);
    char what[300];
    snprintf(what, sizeof what, "recording the import of %.*s", (int)sizeof log->file, log->file);
    /* the fields may fill their arrays without a NUL */
    char dataset[sizeof log->dataset + 1], file[sizeof log->file + 1], mode[sizeof log->mode + 1];
    snprintf(dataset, sizeof dataset, "%.*s", (int)sizeof log->dataset, log->dataset);
    snprintf(file, sizeof file, "%.*s", (int)sizeof log->file, log->file);
    snprintf(mode, sizeof mode, "%.*s", (int)sizeof log->mode, log->mode);
    char nums[4][24];
    snprintf(nums[0], sizeof nums[0], "%lld", (long long)log->accepted);
    snprintf(nums[1], sizeof nums[1], "%lld", (long long)log->rejected);
    snprintf(nums[2], sizeof nums[2], "%lld", (long long)log->started_at);
    snprintf(nums[3], sizeof nums[3], "%lld", (long long)log->finished_at);
    const char *params[] = {dataset, file, mode, nums[0], nums[1], nums[2], nums[3]};
    int rc = s->ops->sql(s,
                         "INSERT INTO imports (dataset, file, mode, accepted, rejected, "
                         "started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         7, params, NULL, NULL, what, e);
    return rc < 0 ? rc : 0;
}

struct imports_read {
    struct store_import_log *out;
    size_t max;
    size_t filled;
};

static int import_row(void *ctx, int ncols, const char *const *v)
{
    struct imports_read *r = ctx;
    if (ncols < 8 || r->filled >= r->max)
        return 0;
    struct store_import_log *log = &r->out[r->filled++];
    log->id = int_column(v[0]);
    copy_column(log->dataset, sizeof log->dataset, v[1]);
    copy_column(log->file, sizeof log->file, v[2]);
    copy_column(log->mode, sizeof log->mode, v[3]);
    log->accepted = int_column(v[4]);
    log->rejected = int_column(v[5]);
    log->started_at = int_column(v[6]);
    log->finished_at = int_column(v[7]);
    return 0;
}

int store_recent_imports(struct store *s, struct store_import_log *out, size_t max, size_t *n,
                         struct err *e)
{
    assert(n && (out || max == 0));
    *n = 0;
    if (max == 0)
        return 0;
    char limit[24];
    snprintf(limit, sizeof limit, "%zu", max > INT64_MAX ? (size_t)INT64_MAX : max);
    const char *params[] = {limit};
    struct imports_read r = {out, max, 0};
    int rc = s->ops->sql(s,
                         "SELECT id, dataset, file, mode, accepted, rejected, started_at, "
                         "finished_at FROM imports ORDER BY id DESC LIMIT ?",
                         1, params, import_row, &r, "reading the import log", e);
    *n = r.filled;
    return rc < 0 ? rc : 0;
}

/* ---- the audit log --------------------------------------------------------------------- */

/* store_sql's statement, through the backend (not store.c: this file is below it). */
static int accounts_sql(struct store *s, const char *sql, int nparams, const char *const *params,
                        store_sql_row_fn fn, void *ctx, struct err *e)
{
    return s->ops->sql(s, sql, nparams, params, fn, ctx,
                       "running a statement on the accounts tables", e);
}

int store_audit_add(struct store *s, const char *actor, const char *action, const char *workspace,
                    const char *target, const char *detail, struct err *e)
{
    char at[24];
    snprintf(at, sizeof at, "%lld", (long long)time(NULL));
    const char *params[] = {
        at, actor, action, workspace, target ? target : "", detail ? detail : ""};
    int rc = accounts_sql(s,
                          "INSERT INTO audit (at, actor, action, workspace, target, detail) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          6, params, NULL, NULL, e);
    return rc < 0 ? rc : 0;
}

struct audit_scan {
    store_audit_fn fn;
    void *ctx;
};

static int audit_row(void *ctx, int ncols, const char *const *v)
{
    struct audit_scan *a = ctx;
    if (ncols < 7)
        return 0;
    struct store_audit row;
    row.id = int_column(v[0]);
    row.at = int_column(v[1]);
    copy_column(row.actor, sizeof row.actor, v[2]);
    copy_column(row.action, sizeof row.action, v[3]);
    copy_column(row.workspace, sizeof row.workspace, v[4]);
    copy_column(row.target, sizeof row.target, v[5]);
    copy_column(row.detail, sizeof row.detail, v[6]);
    return a->fn(a->ctx, &row);
}

int store_audit_list(struct store *s, enum store_audit_scope scope, size_t limit, store_audit_fn fn,
                     void *ctx, struct err *e)
{
    static const char *const where[] = {
        "",
        " WHERE action NOT LIKE 'user.%' AND action NOT LIKE 'workspace.%'",
        " WHERE action LIKE 'user.%' OR action LIKE 'workspace.%'",
    };
    struct buf sql = BUF_INIT;
    buf_printf(&sql,
               "SELECT id, at, actor, action, workspace, target, detail FROM audit%s "
               "ORDER BY id DESC",
               where[scope]);
    if (limit)
        buf_printf(&sql, " LIMIT %zu", limit);
    struct audit_scan a = {fn, ctx};
    int rc = accounts_sql(s, buf_cstr(&sql), 0, NULL, audit_row, &a, e);
    buf_release(&sql);
    return rc < 0 ? rc : 0;
}
