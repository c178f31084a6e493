/* store_jobs.c — the tables of SPEC §9 (schema version 3): sources, scheduled reports and
 * the runs of both, and the claim that lets one scheduler among several run a due job
 * (store.h). Portable SQL through the backend's store_ops.sql, so SQLite and PostgreSQL
 * share every statement here; the DDL is store_jobs_ddl (store_sql.h), which each backend's
 * migration 3 runs. Calls store_sql (fixed fields), buf and err, and the backends only
 * through store_ops. */
#include "store_sql.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The runs table's id differs by backend (each migration 3 creates it); the rest is
 * the same SQL. Times are unix seconds; absent texts are '' so that no column is NULL. */
const char *const store_jobs_ddl[] = {
    "CREATE TABLE sources (name TEXT PRIMARY KEY, kind TEXT NOT NULL, dataset TEXT NOT NULL, "
    "influencer TEXT NOT NULL, account TEXT NOT NULL, url TEXT NOT NULL, dir TEXT NOT NULL, "
    "base_url TEXT NOT NULL, token TEXT NOT NULL, token_added_at BIGINT NOT NULL, "
    "schedule TEXT NOT NULL, etag TEXT NOT NULL, last_modified TEXT NOT NULL, "
    "workspace TEXT NOT NULL, added_at BIGINT NOT NULL, last_due BIGINT NOT NULL)",
    "CREATE TABLE reports (name TEXT PRIMARY KEY, format TEXT NOT NULL, "
    "filters TEXT NOT NULL, compare TEXT NOT NULL, period TEXT NOT NULL, "
    "schedule TEXT NOT NULL, to_dir TEXT NOT NULL, mail_to TEXT NOT NULL, "
    "smtp_url TEXT NOT NULL, smtp_user TEXT NOT NULL, smtp_password TEXT NOT NULL, "
    "mail_from TEXT NOT NULL, workspace TEXT NOT NULL, added_at BIGINT NOT NULL, "
    "last_due BIGINT NOT NULL)",
    NULL,
};

/* ---- one record's columns, as a table ------------------------------------------------ */

struct column {
    const char *name;
    size_t offset;
    int is_int; /* int64_t, else char * */
    int kept;   /* not replaced when an existing record is put again */
};

#define TEXT(type, field)                                                                          \
    {                                                                                              \
#field, offsetof(struct type, field), 0, 0                                                 \
    }
#define INT(type, field, kept)                                                                     \
    {                                                                                              \
#field, offsetof(struct type, field), 1, kept                                              \
    }

static const struct column source_columns[] = {
    TEXT(store_source, name),          TEXT(store_source, kind),
    TEXT(store_source, dataset),       TEXT(store_source, influencer),
    TEXT(store_source, account),       TEXT(store_source, url),
    TEXT(store_source, dir),           TEXT(store_source, base_url),
    TEXT(store_source, token),         INT(store_source, token_added_at, 0),
    TEXT(store_source, schedule),      TEXT(store_source, etag),
    TEXT(store_source, last_modified), TEXT(store_source, workspace),
    INT(store_source, added_at, 1),    INT(store_source, last_due, 1),
};

static const struct column report_columns[] = {
    TEXT(store_report, name),          TEXT(store_report, format),
    TEXT(store_report, filters),       TEXT(store_report, compare),
    TEXT(store_report, period),        TEXT(store_report, schedule),
    TEXT(store_report, to_dir),        TEXT(store_report, mail_to),
    TEXT(store_report, smtp_url),      TEXT(store_report, smtp_user),
    TEXT(store_report, smtp_password), TEXT(store_report, mail_from),
    TEXT(store_report, workspace),     INT(store_report, added_at, 1),
    INT(store_report, last_due, 1),
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

struct table {
    const char *name;
    const struct column *cols;
    size_t ncols;
    size_t size; /* of the record struct */
};

static const struct table tables[] = {
    [STORE_JOB_SOURCE] = {"sources", source_columns, NCOLS(source_columns),
                          sizeof(struct store_source)},
    [STORE_JOB_REPORT] = {"reports", report_columns, NCOLS(report_columns),
                          sizeof(struct store_report)},
};

static const char *const job_names[] = {
    [STORE_JOB_SOURCE] = "source", [STORE_JOB_REPORT] = "report"};

static char **text_field(const struct column *c, const void *rec)
{
    return (char **)((char *)rec + c->offset);
}

static int64_t *int_field(const struct column *c, const void *rec)
{
    return (int64_t *)((char *)rec + c->offset);
}

static void record_release(const struct table *t, void *rec)
{
    if (!rec)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        if (!t->cols[i].is_int) {
            free(*text_field(&t->cols[i], rec));
            *text_field(&t->cols[i], rec) = NULL;
        }
}

void store_source_release(struct store_source *src)
{
    record_release(&tables[STORE_JOB_SOURCE], src);
}

void store_report_release(struct store_report *r)
{
    record_release(&tables[STORE_JOB_REPORT], r);
}

static int64_t int_text(const char *v)
{
    return v ? strtoll(v, NULL, 10) : 0;
}

/* ---- put, get, list, del --------------------------------------------------------------- */

/* INSERT ... ON CONFLICT (name) DO UPDATE (SQLite 3.24+ and PostgreSQL alike). */
static int record_put(struct store *s, const struct table *t, const void *rec, struct err *e)
{
    const char *name = *text_field(&t->cols[0], rec);
    if (!name || !*name)
        return err_set(e, ERR_USAGE, "a %s needs a name", t->name);
    struct buf sql = BUF_INIT;
    char nums[16][24];
    const char *params[16];
    assert(t->ncols <= 16);
    buf_printf(&sql, "INSERT INTO %s (", t->name);
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(&sql, "%s%s", i ? ", " : "", t->cols[i].name);
    buf_puts(&sql, ") VALUES (");
    for (size_t i = 0; i < t->ncols; i++) {
        const struct column *c = &t->cols[i];
        buf_puts(&sql, i ? ", ?" : "?");
        if (c->is_int) {
            snprintf(nums[i], sizeof nums[i], "%lld", (long long)*int_field(c, rec));
            params[i] = nums[i];
        } else {
            const char *v = *text_field(c, rec);
            params[i] = v ? v : "";
        }
    }
    buf_puts(&sql, ") ON CONFLICT (name) DO UPDATE SET ");
    int first = 1;
    for (size_t i = 1; i < t->ncols; i++) {
        if (t->cols[i].kept)
            continue;
        buf_printf(&sql, "%s%s = excluded.%s", first ? "" : ", ", t->cols[i].name, t->cols[i].name);
        first = 0;
    }
    char what[160];
    snprintf(what, sizeof what, "saving the %s %.80s", job_names[t == &tables[0] ? 0 : 1], name);
    int rc = s->ops->sql(s, buf_cstr(&sql), (int)t->ncols, params, NULL, NULL, what, e);
    buf_release(&sql);
    return rc < 0 ? rc : 0;
}

struct record_scan {
    const struct table *t;
    int (*fn)(void *ctx, const void *rec);
    void *ctx;
    void *one; /* get: the record to fill (fn NULL) */
    int found;
};

static int record_row(void *ctx, int ncols, const char *const *v)
{
    struct record_scan *r = ctx;
    const struct table *t = r->t;
    if ((size_t)ncols < t->ncols)
        return 0;
    union {
        struct store_source source;
        struct store_report report;
    } local;
    void *rec = r->one ? r->one : (void *)&local;
    memset(rec, 0, t->size);
    for (size_t i = 0; i < t->ncols; i++) {
        const struct column *c = &t->cols[i];
        if (c->is_int)
            *int_field(c, rec) = int_text(v[i]);
        else
            *text_field(c, rec) = xstrdup(v[i] ? v[i] : "");
    }
    r->found++;
    if (r->one)
        return 0;
    int rc = r->fn(r->ctx, rec);
    record_release(t, rec);
    return rc;
}

static void select_columns(struct buf *sql, const struct table *t)
{
    buf_puts(sql, "SELECT ");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(sql, "%s%s", i ? ", " : "", t->cols[i].name);
    buf_printf(sql, " FROM %s", t->name);
}

static int record_get(struct store *s, const struct table *t, const char *name, void *out,
                      struct err *e)
{
    struct buf sql = BUF_INIT;
    select_columns(&sql, t);
    buf_puts(&sql, " WHERE name = ?");
    struct record_scan r = {t, NULL, NULL, out, 0};
    const char *params[] = {name};
    int rc = s->ops->sql(s, buf_cstr(&sql), 1, params, record_row, &r, "reading a job", e);
    buf_release(&sql);
    if (rc < 0) {
        if (r.found)
            record_release(t, out);
        return rc;
    }
    if (!r.found) {
        const char *kind = job_names[t == &tables[0] ? 0 : 1];
        return err_set(e, ERR_NOTFOUND, "no %s named \"%s\" (list them with `infludash %s list`)",
                       kind, name, kind);
    }
    return 0;
}

static int record_list(struct store *s, const struct table *t, const char *workspace,
                       int (*fn)(void *ctx, const void *rec), void *ctx, struct err *e)
{
    struct buf sql = BUF_INIT;
    select_columns(&sql, t);
    if (workspace)
        buf_puts(&sql, " WHERE workspace = ?");
    buf_puts(&sql, " ORDER BY name");
    struct record_scan r = {t, fn, ctx, NULL, 0};
    const char *params[] = {workspace};
    int rc = s->ops->sql(s, buf_cstr(&sql), workspace ? 1 : 0, params, record_row, &r,
                         "listing the jobs", e);
    buf_release(&sql);
    return rc < 0 ? rc : 0;
}

/* The record and its runs, in one transaction unless the caller holds one. */
static int record_del(struct store *s, enum store_job job, const char *name, struct err *e)
{
    char sql[80];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE name = ?", tables[job].name);
    const char *params[] = {name};
    int n = s->ops->sql(s, sql, 1, params, NULL, NULL, "removing a job", e);
    if (n < 0)
        return n;
    const char *run_params[] = {job_names[job], name};
    int rc = s->ops->sql(s, "DELETE FROM runs WHERE job = ? AND name = ?", 2, run_params, NULL,
                         NULL, "removing a job's runs", e);
    return rc < 0 ? rc : n > 0;
}

/* The callbacks take the record as void *: these adapt the typed ones. */
struct typed_fn {
    store_source_fn source;
    store_report_fn report;
    void *ctx;
};

static int call_source(void *ctx, const void *rec)
{
    struct typed_fn *f = ctx;
    return f->source(f->ctx, rec);
}

static int call_report(void *ctx, const void *rec)
{
    struct typed_fn *f = ctx;
    return f->report(f->ctx, rec);
}

int store_source_put(struct store *s, const struct store_source *src, struct err *e)
{
    struct store_source copy = *src;
    copy.etag = copy.last_modified = ""; /* a new definition fetches its address again */
    return record_put(s, &tables[STORE_JOB_SOURCE], &copy, e);
}

int store_source_get(struct store *s, const char *name, struct store_source *out, struct err *e)
{
    return record_get(s, &tables[STORE_JOB_SOURCE], name, out, e);
}

int store_source_list(struct store *s, const char *workspace, store_source_fn fn, void *ctx,
                      struct err *e)
{
    struct typed_fn f = {fn, NULL, ctx};
    return record_list(s, &tables[STORE_JOB_SOURCE], workspace, call_source, &f, e);
}

int store_source_del(struct store *s, const char *name, struct err *e)
{
    return record_del(s, STORE_JOB_SOURCE, name, e);
}

int store_source_set_state(struct store *s, const char *name, const char *etag,
                           const char *last_modified, struct err *e)
{
    const char *params[] = {etag ? etag : "", last_modified ? last_modified : "", name};
    int rc = s->ops->sql(s, "UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?", 3,
                         params, NULL, NULL, "remembering a source's ETag", e);
    return rc < 0 ? rc : 0;
}

int store_report_put(struct store *s, const struct store_report *r, struct err *e)
{
    return record_put(s, &tables[STORE_JOB_REPORT], r, e);
}

int store_report_get(struct store *s, const char *name, struct store_report *out, struct err *e)
{
    return record_get(s, &tables[STORE_JOB_REPORT], name, out, e);
}

int store_report_list(struct store *s, const char *workspace, store_report_fn fn, void *ctx,
                      struct err *e)
{
    struct typed_fn f = {NULL, fn, ctx};
    return record_list(s, &tables[STORE_JOB_REPORT], workspace, call_report, &f, e);
}

int store_report_del(struct store *s, const char *name, struct err *e)
{
    return record_del(s, STORE_JOB_REPORT, name, e);
}

/* ---- the claim and the runs ------------------------------------------------------------ */

int store_job_claim(struct store *s, enum store_job job, const char *name, int64_t due_at,
                    struct err *e)
{
    char sql[96], due[24];
    snprintf(sql, sizeof sql, "UPDATE %s SET last_due = ? WHERE name = ? AND last_due < ?",
             tables[job].name);
    snprintf(due, sizeof due, "%lld", (long long)due_at);
    const char *params[] = {due, name, due};
    int n = s->ops->sql(s, sql, 3, params, NULL, NULL, "claiming a due job", e);
    return n < 0 ? n : n > 0;
}

int store_run_add(struct store *s, const struct store_run *run, struct err *e)
{
    char nums[3][24];
    snprintf(nums[0], sizeof nums[0], "%lld", (long long)run->started_at);
    snprintf(nums[1], sizeof nums[1], "%lld", (long long)run->finished_at);
    snprintf(nums[2], sizeof nums[2], "%lld", (long long)run->rows);
    const char *params[] = {
        job_names[run->job], run->name,  run->workspace, nums[0], nums[1], nums[2],
        run->result,         run->error, run->detail};
    int rc = s->ops->sql(s,
                         "INSERT INTO runs (job, name, workspace, started_at, finished_at, "
                         "nrows, result, error, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         9, params, NULL, NULL, "recording a run", e);
    return rc < 0 ? rc : 0;
}

struct run_scan {
    store_run_fn fn;
    void *ctx;
};

static int run_row(void *ctx, int ncols, const char *const *v)
{
    struct run_scan *r = ctx;
    if (ncols < 10)
        return 0;
    struct store_run run;
    memset(&run, 0, sizeof run);
    run.id = int_text(v[0]);
    run.job = v[1] && !strcmp(v[1], "report") ? STORE_JOB_REPORT : STORE_JOB_SOURCE;
    store_copy_field(run.name, sizeof run.name, v[2], v[2] ? strlen(v[2]) : 0);
    store_copy_field(run.workspace, sizeof run.workspace, v[3], v[3] ? strlen(v[3]) : 0);
    run.started_at = int_text(v[4]);
    run.finished_at = int_text(v[5]);
    run.rows = int_text(v[6]);
    store_copy_field(run.result, sizeof run.result, v[7], v[7] ? strlen(v[7]) : 0);
    store_copy_field(run.error, sizeof run.error, v[8], v[8] ? strlen(v[8]) : 0);
    store_copy_field(run.detail, sizeof run.detail, v[9], v[9] ? strlen(v[9]) : 0);
    return r->fn(r->ctx, &run);
}

int store_run_list(struct store *s, enum store_job job, const char *name, size_t limit,
                   store_run_fn fn, void *ctx, struct err *e)
{
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT id, job, name, workspace, started_at, finished_at, nrows, result, "
                   "error, detail FROM runs WHERE job = ?");
    if (name)
        buf_puts(&sql, " AND name = ?");
    buf_puts(&sql, " ORDER BY id DESC");
    if (limit)
        buf_printf(&sql, " LIMIT %zu", limit);
    const char *params[] = {job_names[job], name};
    struct run_scan r = {fn, ctx};
    int rc =
        s->ops->sql(s, buf_cstr(&sql), name ? 2 : 1, params, run_row, &r, "reading the runs", e);
    buf_release(&sql);
    return rc < 0 ? rc : 0;
}
