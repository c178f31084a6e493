/* routes_data.c — the Data Upload and Database pages' endpoints: uploads streamed to a spool
 * file and then imported in one transaction (POST /api/import[/DATASET]), the rejected rows
 * of an import kept for download, a dataset's stored rows as CSV written to a spool file and
 * sent from disk, deleting a dataset, loading sample data. Every call on app->store holds
 * app->store_lock, and the network is never written under it; a download reads on a
 * connection of its own instead, in one snapshot, so imports never wait for it. Calls
 * routes_common, routes_report (filtered downloads), http, spool, ingest, export, demo, store,
 * schema, filter, number and json. */
#include "routes_handlers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "demo.h"
#include "export.h"
#include "ingest.h"
#include "json.h"
#include "number.h"
#include "schema.h"
#include "filter.h"
#include "spool.h"
#include "store.h"

#include "banned.h"

#define IMPORT_MAX_ERRORS 1000  /* row errors listed in a refused import's answer */
#define IMPORT_MAX_ISSUES 4000  /* issues kept by ingest: errors and warnings share it */
#define IMPORT_MAX_FILENAME 200 /* bytes of ?filename= kept */
#define IMPORT_CHUNK (256 * 1024)
#define DEMO_MAX_ROWS 2000000
#define DEMO_DEFAULT_ROWS 20000

/* ---- parameters ---- */

struct import_params {
    enum dataset ds; /* DS_NONE: recognised from the file name and header */
    bool replace;
    bool skip_invalid;
    const char *file;  /* a name for messages and recognition (arena) */
    const char *actor; /* for the audit log */
    const char *workspace;
};

/* The list of dataset names, for messages. */
static void routes_dataset_names(struct buf *out)
{
    for (int ds = 0; ds < DS_COUNT; ds++)
        buf_printf(out, "%s%s", ds ? ", " : "", schema_dataset((enum dataset)ds)->name);
}

static bool routes_flag_value(const char *v, bool *out)
{
    if (!v || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcmp(v, "") == 0) {
        *out = false;
        return true;
    }
    if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0) {
        *out = true;
        return true;
    }
    return false;
}

/* Reads and checks an import's parameters. 0, or the error code to refuse with (err.h's
 * table gives its status) and a message in msg. */
static int routes_import_params(struct http_request *req, struct import_params *p, struct buf *msg)
{
    memset(p, 0, sizeof *p);
    p->ds = DS_NONE;
    if (req->path_param) {
        p->ds = schema_dataset_by_name(req->path_param);
        if (p->ds == DS_NONE) {
            buf_printf(msg, "unknown dataset \"%s\" in the path (expected one of ",
                       req->path_param);
            routes_dataset_names(msg);
            buf_puts(msg, ")");
            return ERR_USAGE;
        }
    }
    const char *mode = http_query(req, "mode");
    if (mode && strcmp(mode, "append") != 0 && strcmp(mode, "replace") != 0) {
        buf_printf(msg, "mode: \"%s\" is not a mode (expected append or replace)", mode);
        return ERR_USAGE;
    }
    p->replace = mode && strcmp(mode, "replace") == 0;
    const char *skip = http_query(req, "skip_invalid");
    if (!routes_flag_value(skip, &p->skip_invalid)) {
        buf_printf(msg, "skip_invalid: \"%s\" is not a flag (expected 1 or 0)", skip);
        return ERR_USAGE;
    }
    const char *file = http_query(req, "filename");
    if (file) {
        const char *slash = strrchr(file, '/');
        const char *backslash = strrchr(file, '\\');
        if (backslash && (!slash || backslash > slash))
            slash = backslash;
        if (slash)
            file = slash + 1;
        if (!*file || strlen(file) > IMPORT_MAX_FILENAME) {
            buf_printf(msg, "filename: expected a file name of 1 to %d bytes", IMPORT_MAX_FILENAME);
            return ERR_USAGE;
        }
    }
    p->file = http_strdup(req, file ? file : "upload");
    const char *type = http_header(req, "Content-Type");
    if (type && strncasecmp(type, "multipart/", 10) == 0) {
        buf_puts(msg, "multipart uploads are not accepted: send the file itself as the request "
                      "body (Content-Type: text/csv or application/json) and its name as "
                      "?filename=");
        return ERR_MEDIA_TYPE;
    }
    return 0;
}

/* ---- the upload, streamed to disk ---- */

struct upload {
    struct buf path; /* the spool file; "" before it is created */
    int fd;
    uint64_t bytes;
    int status; /* the body was refused: answer this HTTP status with msg */
    struct buf msg;
};

static void routes_upload_free(void *state)
{
    struct upload *up = state;
    if (up->fd >= 0)
        close(up->fd);
    if (up->path.len)
        unlink(up->path.data);
    buf_release(&up->path);
    buf_release(&up->msg);
    free(up);
}

/* The first chunk checks the parameters, so a refused upload is not written to disk. */
static struct upload *routes_upload_start(struct http_request *req)
{
    struct app *app = req->app;
    struct upload *up = xcalloc(1, sizeof *up);
    up->fd = -1;
    req->state = up;
    req->state_free = routes_upload_free;
    struct import_params p;
    int code = routes_import_params(req, &p, &up->msg);
    if (code) {
        up->status = err_http_status(code);
        return up;
    }
    if (!app->spool) {
        up->status = err_http_status(ERR_UNAVAILABLE);
        buf_puts(&up->msg, "uploads are not available (no temporary directory)");
        return up;
    }
    struct err e;
    err_clear(&e);
    up->fd = spool_create(app->spool, "upload", &up->path, &e);
    if (up->fd < 0)
        up->status = routes_fail_message(req, "storing the upload", &e, &up->msg);
    return up;
}

int routes_import_body(struct http_request *req, const char *data, size_t len)
{
    struct upload *up = req->state ? req->state : routes_upload_start(req);
    if (up->status)
        return -1;
    while (len > 0) {
        ssize_t w = write(up->fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            up->status = err_http_status(ERR_NO_SPACE);
            buf_printf(&up->msg, "cannot store the upload on the server's disk: %s",
                       w < 0 ? strerror(errno) : "short write");
            return -1;
        }
        data += w;
        len -= (size_t)w;
        up->bytes += (uint64_t)w;
    }
    return 0;
}

/* ---- the import's progress (GET /api/import/progress) ---- */

static int64_t routes_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An upload in, waiting for store_lock (delta +1), or done waiting (-1). */
static void routes_progress_wait(struct app *app, int delta)
{
    pthread_mutex_lock(&app->import_lock);
    app->import.waiting = (unsigned)((int)app->import.waiting + delta);
    pthread_mutex_unlock(&app->import_lock);
}

/* The import of file (total bytes) begins; called under store_lock. */
static void routes_progress_start(struct app *app, const char *file, uint64_t total)
{
    pthread_mutex_lock(&app->import_lock);
    struct app_import *im = &app->import;
    im->phase = APP_IMPORT_READING;
    snprintf(im->file, sizeof im->file, "%s", file);
    im->dataset[0] = '\0';
    im->bytes_done = 0;
    im->bytes_total = total;
    im->rows = 0;
    im->started_ms = routes_now_ms();
    im->seq++;
    pthread_mutex_unlock(&app->import_lock);
}

/* done bytes of the upload read back and fed to in (NULL: the rows are not read again);
 * APP_IMPORT_IDLE ends the report. Called under store_lock. */
static void routes_progress_update(struct app *app, const struct ingest *in, uint64_t done,
                                   enum app_import_phase phase)
{
    enum dataset ds = DS_NONE;
    uint64_t rows = in ? ingest_rows_read(in, &ds) : 0;
    pthread_mutex_lock(&app->import_lock);
    struct app_import *im = &app->import;
    im->phase = phase;
    if (in && phase == APP_IMPORT_READING) {
        im->bytes_done = done;
        im->rows = rows;
        if (ds != DS_NONE)
            snprintf(im->dataset, sizeof im->dataset, "%s", schema_dataset(ds)->name);
    } else if (phase == APP_IMPORT_COMMITTING) {
        im->bytes_done = done;
    }
    pthread_mutex_unlock(&app->import_lock);
}

/* GET /api/import/progress: {"running":bool,"phase":"reading"|"committing"|null,"file",
 * "dataset","bytes_done","bytes_total","rows","elapsed_ms","waiting","seq"}. Never takes
 * store_lock, so it answers while an import runs. */
int routes_api_import_progress(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    pthread_mutex_lock(&app->import_lock);
    struct app_import im = app->import;
    pthread_mutex_unlock(&app->import_lock);
    bool running = im.phase != APP_IMPORT_IDLE;
    http_response_json(res, 200);
    res->no_store = true;
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_bool(&j, "running", running);
    if (running) {
        json_kv_str(&j, "phase", im.phase == APP_IMPORT_READING ? "reading" : "committing");
        json_kv_str(&j, "file", im.file);
        if (im.dataset[0])
            json_kv_str(&j, "dataset", im.dataset);
        else
            json_kv_null(&j, "dataset");
        json_kv_int(&j, "bytes_done", (int64_t)im.bytes_done);
        json_kv_int(&j, "bytes_total", (int64_t)im.bytes_total);
        json_kv_int(&j, "rows", (int64_t)im.rows);
        json_kv_int(&j, "elapsed_ms", routes_now_ms() - im.started_ms);
    } else {
        json_kv_null(&j, "phase");
    }
    json_kv_int(&j, "waiting", (int64_t)im.waiting);
    json_kv_int(&j, "seq", (int64_t)im.seq);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    return 0;
}

/* ---- the import ---- */

/* Feeds the spooled file to ingest and finishes the import (commit or rollback). */
static int routes_import_file(struct app *app, const struct upload *up,
                              const struct import_params *p, const char *rejects_path,
                              struct ingest_result *result, struct err *e)
{
    struct ingest_opts opts;
    ingest_opts_default(&opts);
    opts.dataset = p->ds;
    opts.replace = p->replace;
    opts.skip_invalid = p->skip_invalid;
    opts.rejects_path = rejects_path;
    opts.max_reported = IMPORT_MAX_ISSUES;
    opts.audit_actor = p->actor;
    opts.audit_workspace = p->workspace;
    opts.cfg = app->schema;
    if (lseek(up->fd, 0, SEEK_SET) < 0)
        return err_set(e, ERR_IO, "reading the upload back: %s", strerror(errno));
    char *chunk = xmalloc(IMPORT_CHUNK);
    routes_progress_wait(app, +1);
    pthread_mutex_lock(&app->store_lock);
    routes_progress_wait(app, -1);
    /* the file may have gone during the upload: an import into it would be lost */
    int rc = store_check_file(app->store, e);
    if (rc < 0)
        goto out;
    struct ingest *in = ingest_new(app->store, &opts, e);
    if (!in) {
        rc = e->code ? e->code : ERR_STORE;
        goto out;
    }
    rc = ingest_file_begin(in, p->file, p->ds, up->bytes, e);
    routes_progress_start(app, p->file, up->bytes);
    uint64_t done = 0;
    while (rc == 0) {
        ssize_t n = read(up->fd, chunk, IMPORT_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = err_set(e, ERR_IO, "reading the upload back: %s", strerror(errno));
        if (n <= 0)
            break;
        rc = ingest_feed(in, chunk, (size_t)n, e);
        done += (uint64_t)n;
        routes_progress_update(app, in, done, APP_IMPORT_READING);
    }
    if (rc == 0)
        rc = ingest_file_end(in, e);
    routes_progress_update(app, in, done, APP_IMPORT_COMMITTING);
    /* Finish also after a failure: it rolls back and hands over the issues found. */
    struct err finish_err;
    err_clear(&finish_err);
    int finish_rc = ingest_finish(in, result, &finish_err);
    if (rc == 0 && finish_rc < 0) {
        rc = finish_rc;
        *e = finish_err;
    }
    ingest_free(in);
out:
    routes_progress_update(app, NULL, 0, APP_IMPORT_IDLE);
    pthread_mutex_unlock(&app->store_lock);
    free(chunk);
    xmalloc_trim(); /* the import's page cache and batches, freed on this thread's arena */
    return rc;
}

static void routes_json_issue(struct json *j, const struct ingest_issue *is)
{
    json_obj_begin(j);
    json_kv_int(j, "line", (int64_t)is->line);
    if (is->column[0])
        json_kv_str(j, "column", is->column);
    else
        json_kv_null(j, "column");
    json_kv_str(j, "value", is->value);
    json_kv_str(j, "message", is->message);
    json_obj_end(j);
}

/* The import's answer (SPEC §5), with "error" (null on success) and the first warnings. */
static void routes_import_answer(struct buf *out, const struct import_params *p,
                                 const struct ingest_result *r, const char *error,
                                 const char *rejects_url)
{
    struct json j;
    json_init(&j, out);
    json_obj_begin(&j);
    enum dataset ds = r->nfiles ? r->files[0].ds : DS_NONE;
    if (ds == DS_NONE)
        ds = p->ds;
    if (ds != DS_NONE)
        json_kv_str(&j, "dataset", schema_dataset(ds)->name);
    else
        json_kv_null(&j, "dataset");
    json_kv_str(&j, "file", p->file);
    json_kv_str(&j, "mode", p->replace ? "replace" : "append");
    json_kv_bool(&j, "skip_invalid", p->skip_invalid);
    json_kv_bool(&j, "imported", r->committed != 0);
    json_kv_int(&j, "accepted", r->accepted);
    json_kv_int(&j, "rejected", r->rejected);
    json_kv_int(&j, "warnings", r->warnings);
    if (error)
        json_kv_str(&j, "error", error);
    else
        json_kv_null(&j, "error");
    size_t nerrors = 0, nwarnings = 0;
    json_key(&j, "errors");
    json_arr_begin(&j);
    for (size_t i = 0; i < r->nissues; i++) {
        if (!r->issues[i].warning && nerrors < IMPORT_MAX_ERRORS) {
            routes_json_issue(&j, &r->issues[i]);
            nerrors++;
        }
    }
    json_arr_end(&j);
    /* Whether the list holds every rejected row. */
    json_kv_bool(&j, "errors_complete", (int64_t)nerrors == r->rejected);
    json_key(&j, "warning_list");
    json_arr_begin(&j);
    for (size_t i = 0; i < r->nissues; i++) {
        if (r->issues[i].warning && nwarnings < IMPORT_MAX_ERRORS) {
            routes_json_issue(&j, &r->issues[i]);
            nwarnings++;
        }
    }
    json_arr_end(&j);
    if (rejects_url)
        json_kv_str(&j, "rejects_url", rejects_url);
    else
        json_kv_null(&j, "rejects_url");
    json_obj_end(&j);
    buf_putc(out, '\n');
}

static int routes_import_run(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct upload *up = req->state;
    if (up && up->status)
        return http_response_error(res, up->status, "%s", buf_cstr(&up->msg));
    struct import_params p;
    struct buf msg = BUF_INIT;
    int code = routes_import_params(req, &p, &msg);
    if (code) {
        http_response_err(res, code, "%s", buf_cstr(&msg));
        buf_release(&msg);
        return 0;
    }
    buf_release(&msg);
    p.actor = routes_actor(req);
    p.workspace = app->slug;
    if (!up || up->bytes == 0)
        return http_response_err(res, ERR_USAGE,
                                 "the request body is empty: send the file's contents as "
                                 "the body (Content-Type: text/csv or application/json)");

    char id[SPOOL_ID_LEN + 1] = "";
    struct buf rejects_path = BUF_INIT;
    if (p.skip_invalid)
        spool_new_rejects(app->spool, id, &rejects_path);
    struct ingest_result result;
    memset(&result, 0, sizeof result);
    struct err e;
    err_clear(&e);
    int rc =
        routes_import_file(app, up, &p, p.skip_invalid ? rejects_path.data : NULL, &result, &e);
    char url[64] = "";
    if (rc == 0 && p.skip_invalid && result.rejected > 0) {
        spool_keep_rejects(app->spool, id);
        snprintf(url, sizeof url, "/api/rejects/%s.csv", id);
    } else if (rejects_path.len) {
        unlink(rejects_path.data);
    }
    if (rc < 0 && !result.committed && !p.skip_invalid && result.rejected > 0)
        err_set(&e, ERR_INPUT,
                "%" PRId64 " row%s rejected; nothing was imported (fix the rows, or import the "
                "valid ones with skip_invalid=1)",
                result.rejected, result.rejected == 1 ? "" : "s");
    if (rc < 0 && !e.code)
        e.code = ERR_STORE;
    /* a refusal answers its own words; the database or the disk their kind, the details
     * going to the log (routes_fail_message, by the code's status) */
    struct buf failure = BUF_INIT;
    int status = rc < 0 ? routes_fail_message(req, "importing", &e, &failure) : 200;
    http_response_json(res, status);
    if (status == 503)
        http_response_header(res, "Retry-After", "60");
    routes_import_answer(&res->body, &p, &result, rc < 0 ? buf_cstr(&failure) : NULL,
                         url[0] ? url : NULL);
    buf_release(&failure);
    ingest_result_release(&result);
    buf_release(&rejects_path);
    return 0;
}

/* POST /api/import[/DATASET]: runs the import and counts its result for /metrics. */
int routes_api_import(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    int rc = routes_import_run(req, res);
    bool ok = rc == 0 && res->status >= 200 && res->status < 300;
    atomic_fetch_add_explicit(ok ? &app->imports_ok : &app->imports_failed, 1,
                              memory_order_relaxed);
    return rc;
}

int routes_api_rejects(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    const char *name = req->path_param;
    size_t len = strlen(name);
    char id[SPOOL_ID_LEN + 1] = "";
    if (len == SPOOL_ID_LEN + 4 && strcmp(name + SPOOL_ID_LEN, ".csv") == 0)
        memcpy(id, name, SPOOL_ID_LEN);
    uint64_t size = 0;
    int fd = app->spool && id[0] ? spool_open_rejects(app->spool, id, &size) : -1;
    if (fd < 0)
        return http_response_err(res, ERR_NOTFOUND,
                                 "no such rejects file: %s (only the last imports' are kept, "
                                 "until the server stops)",
                                 name);
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->no_store = true;
    http_response_header(res, "Content-Disposition", "attachment; filename=\"rejects.csv\"");
    http_response_fd(res, fd, size);
    return 0;
}

/* ---- datasets ---- */

/* The dataset named by the path (with suffix, e.g. ".csv", required when not NULL), or
 * DS_NONE after answering 404. */
/* Whether the query names any filter of SPEC §3 (a download of all rows needs no engine). */
static bool routes_has_filter(struct http_request *req)
{
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const char *v = http_query(req, filter_param_name((enum filter_param)p));
        if (v && *v)
            return true;
    }
    return false;
}

static enum dataset routes_path_dataset(struct http_request *req, struct http_response *res,
                                        const char *suffix)
{
    const char *name = req->path_param;
    size_t len = strlen(name), slen = suffix ? strlen(suffix) : 0;
    enum dataset ds = DS_NONE;
    if (len > slen && (!suffix || strcmp(name + len - slen, suffix) == 0)) {
        char *bare = http_strdup(req, name);
        bare[len - slen] = '\0';
        ds = schema_dataset_by_name(bare);
    }
    if (ds == DS_NONE) {
        struct buf names = BUF_INIT;
        routes_dataset_names(&names);
        http_response_err(res, ERR_NOTFOUND, "no such dataset: %s (the datasets are %s%s)", name,
                          buf_cstr(&names), suffix ? ", as NAME.csv" : "");
        buf_release(&names);
    }
    return ds;
}

int routes_api_dataset_csv(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    enum dataset ds = routes_path_dataset(req, res, ".csv");
    if (ds == DS_NONE)
        return 0;
    if (routes_has_filter(req)) /* the rows the filters cover (routes_report.c) */
        return routes_api_dataset_filtered(req, res, ds);
    if (!app->spool)
        return http_response_err(res, ERR_UNAVAILABLE,
                                 "downloads are not available (no temporary "
                                 "directory)");
    struct err e;
    err_clear(&e);
    struct buf path = BUF_INIT;
    int fd = spool_create(app->spool, "export", &path, &e);
    if (fd < 0) {
        buf_release(&path);
        return routes_fail(req, res, "preparing the download", &e);
    }
    /* The file is only reached through fd from here on. */
    unlink(path.data);
    buf_release(&path);
    int copy = dup(fd);
    FILE *out = copy >= 0 ? fdopen(copy, "w") : NULL;
    if (!out) {
        if (copy >= 0)
            close(copy);
        close(fd);
        err_set(&e, ERR_IO, "cannot write the export: %s", strerror(errno));
        return routes_fail(req, res, "preparing the download", &e);
    }
    /* A connection of its own, reading one snapshot: store_lock (which every import holds)
     * is never taken, so imports go on while the file is made. */
    struct store *reader = NULL;
    int rc = store_open(app->db_url, &reader, &e);
    if (rc == 0)
        rc = export_dataset_csv(reader, ds, out, &e);
    store_close(reader);
    if (fclose(out) != 0 && rc == 0)
        rc = err_set(&e, ERR_IO, "cannot write the export: %s", strerror(errno));
    struct stat st;
    if (rc == 0 && fstat(fd, &st) < 0)
        rc = err_set(&e, ERR_IO, "cannot read the export back: %s", strerror(errno));
    if (rc < 0) {
        close(fd);
        return routes_fail(req, res, "exporting the dataset", &e);
    }
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->no_store = true;
    char disposition[128];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s.csv\"",
             schema_dataset(ds)->name);
    http_response_header(res, "Content-Disposition", disposition);
    http_response_fd(res, fd, (uint64_t)st.st_size);
    return 0;
}

int routes_api_dataset_delete(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    enum dataset ds = routes_path_dataset(req, res, NULL);
    if (ds == DS_NONE)
        return 0;
    struct err e;
    err_clear(&e);
    int64_t n = 0;
    pthread_mutex_lock(&app->store_lock);
    int rc = store_check_file(app->store, &e);
    if (rc == 0)
        rc = store_begin(app->store, &e);
    if (rc == 0) {
        char detail[64];
        if ((rc = store_count(app->store, ds, &n, &e)) == 0 &&
            (rc = store_clear(app->store, ds, &e)) == 0) {
            snprintf(detail, sizeof detail, "%lld rows deleted", (long long)n);
            rc = store_audit_add(app->store, routes_actor(req), "delete", app->slug,
                                 schema_dataset(ds)->name, detail, &e);
        }
        if (rc == 0)
            rc = store_commit(app->store, &e);
        if (rc < 0)
            store_rollback(app->store);
    }
    pthread_mutex_unlock(&app->store_lock);
    if (rc < 0)
        return routes_fail(req, res, "deleting the dataset", &e);
    http_response_json(res, 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_str(&j, "dataset", schema_dataset(ds)->name);
    json_kv_int(&j, "deleted", n);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    return 0;
}

/* A whole number parameter in [min, max]; 0, or 400 answered naming it. */
static int routes_u64_param(struct http_request *req, struct http_response *res, const char *name,
                            uint64_t min, uint64_t max, uint64_t *out)
{
    const char *v = http_query(req, name);
    if (!v)
        return 0;
    uint64_t n;
    if (number_parse_u64(v, strlen(v), &n) < 0 || n < min || n > max) {
        http_response_err(res, ERR_USAGE,
                          "%s: \"%s\" is not a whole number from %" PRIu64 " to %" PRIu64, name, v,
                          min, max);
        return -1;
    }
    *out = n;
    return 0;
}

int routes_api_demo(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct demo_opts d = {.rows = DEMO_DEFAULT_ROWS, .seed = 42, .progress = 0};
    if (routes_u64_param(req, res, "rows", 1, DEMO_MAX_ROWS, &d.rows) < 0 ||
        routes_u64_param(req, res, "seed", 0, UINT64_MAX, &d.seed) < 0)
        return 0;
    d.audit_actor = routes_actor(req);
    d.audit_workspace = app->slug;
    struct err e;
    err_clear(&e);
    pthread_mutex_lock(&app->store_lock);
    int rc = store_check_file(app->store, &e);
    if (rc == 0)
        rc = demo_load(app->store, &d, &e);
    pthread_mutex_unlock(&app->store_lock);
    if (rc < 0)
        return routes_fail(req, res, "loading sample data", &e);
    http_response_json(res, 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_int(&j, "rows", (int64_t)d.rows);
    char seed[24];
    int seed_len = snprintf(seed, sizeof seed, "%" PRIu64, d.seed);
    json_key(&j, "seed");
    json_raw(&j, seed, (size_t)seed_len);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    return 0;
}
