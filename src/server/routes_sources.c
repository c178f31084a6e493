/* routes_sources.c — the routes of SPEC §9: GET /api/sources (the workspace's sources with
 * their schedule, next run and last run; a token only as "set" and when it was added),
 * GET /api/sources/NAME/runs, POST /api/sources/NAME/sync (analyst and up: one sync now)
 * and GET /api/reports (the workspace's scheduled reports). Each request opens its own
 * connection to the installation's main database, where sources and reports are kept, so
 * that a sync that takes minutes holds no lock of the workspace's handlers. Calls
 * routes_common, site, app, jobs, store, json, http, tz and buf. */
#include "routes_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "buf.h"
#include "jobs.h"
#include "json.h"
#include "site.h"
#include "store.h"

#include "banned.h"

/* Runs listed by GET /api/sources/NAME/runs at most (newest first). */
#define RUNS_LIMIT 100

static struct app *app_of(const struct http_request *req)
{
    return req->app;
}

static void iso_time(struct json *j, const char *key, int64_t t)
{
    if (t <= 0) {
        json_kv_null(j, key);
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    char text[32];
    gmtime_r(&tt, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_kv_str(j, key, text);
}

static void run_json(struct json *j, const struct store_run *run)
{
    json_obj_begin(j);
    if (run->id) /* a run just made has no id here: the store numbers it */
        json_kv_int(j, "id", run->id);
    else
        json_kv_null(j, "id");
    iso_time(j, "started_at", run->started_at);
    iso_time(j, "finished_at", run->finished_at);
    json_kv_int(j, "rows", run->rows);
    json_kv_str(j, "result", run->result);
    if (*run->error)
        json_kv_str(j, "error", run->error);
    else
        json_kv_null(j, "error");
    json_kv_str(j, "detail", run->detail);
    json_obj_end(j);
}

/* The main database on a connection of the request's own; NULL after answering 503. */
static struct store *open_main(struct http_request *req, struct http_response *res)
{
    struct store *s = NULL;
    struct err e;
    err_clear(&e);
    if (!app_of(req)->site->jobs) { /* a site that serve.c did not set up for jobs */
        http_response_err(res, ERR_UNAVAILABLE, "sources are not available on this server");
        return NULL;
    }
    if (store_open(app_of(req)->site->db_url, &s, &e) < 0) {
        routes_fail(req, res, "opening the database of sources", &e);
        return NULL;
    }
    return s;
}

struct last_run {
    int found;
    struct store_run run;
};

static int keep_first(void *ctx, const struct store_run *run)
{
    struct last_run *l = ctx;
    if (!l->found) {
        l->found = 1;
        l->run = *run;
    }
    return 0;
}

struct listing {
    struct store *s;
    struct json *j;
    const struct jobs_config *jobs;
    int64_t now;
    int rc;
    struct err e;
};

/* "last_run" and "status" (the last run's result, "never" before the first). */
static void last_run_json(struct listing *l, enum store_job job, const char *name)
{
    struct last_run last = {0};
    if (store_run_list(l->s, job, name, 1, keep_first, &last, &l->e) < 0)
        l->rc = -1;
    json_kv_str(l->j, "status", last.found ? last.run.result : "never");
    json_key(l->j, "last_run");
    if (last.found)
        run_json(l->j, &last.run);
    else
        json_null(l->j);
}

static int source_json(void *ctx, const struct store_source *src)
{
    struct listing *l = ctx;
    struct json *j = l->j;
    json_obj_begin(j);
    json_kv_str(j, "name", src->name);
    json_kv_str(j, "kind", src->kind);
    if (*src->dataset)
        json_kv_str(j, "dataset", src->dataset);
    else
        json_kv_null(j, "dataset");
    json_kv_str(j, "workspace", src->workspace);
    static const char *const texts[] = {"account", "influencer", "url", "dir", "base_url"};
    const char *values[] = {src->account, src->influencer, src->url, src->dir, src->base_url};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (*values[i])
            json_kv_str(j, texts[i], values[i]);
        else
            json_kv_null(j, texts[i]);
    }
    json_key(j, "token");
    json_obj_begin(j);
    json_kv_bool(j, "set", *src->token != '\0');
    iso_time(j, "added_at", *src->token ? src->token_added_at : 0);
    json_obj_end(j);
    if (*src->schedule)
        json_kv_str(j, "schedule", src->schedule);
    else
        json_kv_null(j, "schedule");
    int64_t last = src->last_due ? src->last_due : src->added_at;
    iso_time(j, "next_run", jobs_next_run(src->schedule, l->jobs->zone, last, l->now));
    last_run_json(l, STORE_JOB_SOURCE, src->name);
    json_obj_end(j);
    return l->rc;
}

static int report_json(void *ctx, const struct store_report *r)
{
    struct listing *l = ctx;
    struct json *j = l->j;
    json_obj_begin(j);
    json_kv_str(j, "name", r->name);
    json_kv_str(j, "format", r->format);
    json_kv_str(j, "workspace", r->workspace);
    json_kv_str(j, "filters", r->filters);
    if (*r->period)
        json_kv_str(j, "period", r->period);
    else
        json_kv_null(j, "period");
    json_kv_str(j, "schedule", r->schedule);
    if (*r->to_dir) {
        json_kv_str(j, "delivery", "folder");
        json_kv_str(j, "to", r->to_dir);
    } else {
        json_kv_str(j, "delivery", "mail");
        json_kv_str(j, "to", r->mail_to);
    }
    int64_t last = r->last_due ? r->last_due : r->added_at;
    iso_time(j, "next_run", jobs_next_run(r->schedule, l->jobs->zone, last, l->now));
    last_run_json(l, STORE_JOB_REPORT, r->name);
    json_obj_end(j);
    return l->rc;
}

/* GET /api/sources and GET /api/reports: the request's workspace's jobs. */
static int list_jobs(struct http_request *req, struct http_response *res, enum store_job job)
{
    struct store *s = open_main(req, res);
    if (!s)
        return 0;
    struct json j;
    struct buf body = BUF_INIT;
    json_init(&j, &body);
    struct listing l = {s, &j, app_of(req)->site->jobs, (int64_t)time(NULL), 0, {0, {0}}};
    const char *key = job == STORE_JOB_SOURCE ? "sources" : "reports";
    json_obj_begin(&j);
    json_kv_str(&j, "workspace", app_of(req)->slug);
    json_kv_str(&j, "time_zone", tz_name(l.jobs->zone));
    json_key(&j, key);
    json_arr_begin(&j);
    int rc = job == STORE_JOB_SOURCE
                 ? store_source_list(s, app_of(req)->slug, source_json, &l, &l.e)
                 : store_report_list(s, app_of(req)->slug, report_json, &l, &l.e);
    json_arr_end(&j);
    json_obj_end(&j);
    store_close(s);
    if (rc < 0 || l.rc < 0 || json_finish(&j, &l.e) < 0) {
        buf_release(&body);
        return routes_fail(req, res, "listing the sources", &l.e);
    }
    http_response_json(res, 200);
    buf_append(&res->body, body.data, body.len);
    buf_putc(&res->body, '\n');
    buf_release(&body);
    return 0;
}

int routes_api_sources(struct http_request *req, struct http_response *res)
{
    return list_jobs(req, res, STORE_JOB_SOURCE);
}

int routes_api_reports(struct http_request *req, struct http_response *res)
{
    return list_jobs(req, res, STORE_JOB_REPORT);
}

/* NAME of "NAME/verb" in the path after /api/sources/, when verb is the one asked; else
 * 404 answered and 0 returned. */
static int path_name(struct http_request *req, struct http_response *res, const char *verb,
                     char *name, size_t cap)
{
    const char *p = req->path_param ? req->path_param : "";
    const char *slash = strchr(p, '/');
    if (!slash || slash == p || (size_t)(slash - p) >= cap || strcmp(slash + 1, verb) != 0) {
        http_response_err(res, ERR_NOTFOUND, "no such route: use /api/sources/NAME/%s", verb);
        return 0;
    }
    memcpy(name, p, (size_t)(slash - p));
    name[slash - p] = '\0';
    return 1;
}

/* The source named in the path, of the request's workspace; 0 after answering 404. */
static int find_source(struct http_request *req, struct http_response *res, struct store *s,
                       const char *name, struct store_source *src)
{
    struct err e;
    err_clear(&e);
    int rc = store_source_get(s, name, src, &e);
    if (rc == 0 && strcmp(src->workspace, app_of(req)->slug) != 0) {
        store_source_release(src);
        rc = ERR_NOTFOUND;
    }
    if (rc == ERR_NOTFOUND) {
        http_response_err(res, ERR_NOTFOUND, "no source named \"%s\" in workspace %s", name,
                          app_of(req)->slug);
        return 0;
    }
    if (rc < 0) {
        routes_fail(req, res, "reading the source", &e);
        return 0;
    }
    return 1;
}

static int collect_run(void *ctx, const struct store_run *run)
{
    run_json(ctx, run);
    return 0;
}

/* GET /api/sources/NAME/runs */
int routes_api_source_runs(struct http_request *req, struct http_response *res)
{
    char name[80];
    if (!path_name(req, res, "runs", name, sizeof name))
        return 0;
    struct store *s = open_main(req, res);
    if (!s)
        return 0;
    struct store_source src;
    if (!find_source(req, res, s, name, &src)) {
        store_close(s);
        return 0;
    }
    store_source_release(&src);
    struct json j;
    struct buf body = BUF_INIT;
    json_init(&j, &body);
    struct err e;
    err_clear(&e);
    json_obj_begin(&j);
    json_kv_str(&j, "source", name);
    json_key(&j, "runs");
    json_arr_begin(&j);
    int rc = store_run_list(s, STORE_JOB_SOURCE, name, RUNS_LIMIT, collect_run, &j, &e);
    json_arr_end(&j);
    json_obj_end(&j);
    store_close(s);
    if (rc < 0 || json_finish(&j, &e) < 0) {
        buf_release(&body);
        return routes_fail(req, res, "reading the runs", &e);
    }
    http_response_json(res, 200);
    buf_append(&res->body, body.data, body.len);
    buf_putc(&res->body, '\n');
    buf_release(&body);
    return 0;
}

/* POST /api/sources/NAME/sync: one sync now, answered when it is over with its run: 200
 * whether the sync succeeded or not (the request was carried out; the run's result and
 * error say how it went, as they do in GET .../runs). */
int routes_api_source_sync(struct http_request *req, struct http_response *res)
{
    char name[80];
    if (!path_name(req, res, "sync", name, sizeof name))
        return 0;
    struct store *s = open_main(req, res);
    if (!s)
        return 0;
    struct store_source src;
    if (!find_source(req, res, s, name, &src)) {
        store_close(s);
        return 0;
    }
    struct jobs_config c = *app_of(req)->site->jobs;
    c.now = 0;
    struct store_run run;
    struct err e;
    err_clear(&e);
    int rc = jobs_sync(s, &c, &src, &run, &e);
    store_source_release(&src);
    store_close(s);
    if (rc < 0 && run.finished_at == 0)
        return routes_fail(req, res, "syncing the source", &e);
    fprintf(stderr, "infludash: sync of source %s asked by %s: %s\n", name, routes_actor(req),
            run.result);
    http_response_json(res, 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_str(&j, "source", name);
    json_key(&j, "run");
    run_json(&j, &run);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    return 0;
}
