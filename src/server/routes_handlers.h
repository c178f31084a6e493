/* routes_handlers.h — the handlers that routes.c's table points at, from the files that hold
 * them: routes_status.c (health, status, metrics), routes_analytics.c (the analytics
 * documents), routes_web.c (the pages and their assets), routes_data.c (uploads, rejects,
 * dataset downloads and deletes, sample data), routes_report.c (reports and filtered
 * dataset downloads), routes_sources.c (sources, their runs, scheduled reports) and
 * routes_auth.c (sign-in, the guard, accounts, the audit log); and
 * what they share (routes_common.c). Private to src/server/; see routes.h. */
#ifndef INFLUDASH_ROUTES_HANDLERS_H
#define INFLUDASH_ROUTES_HANDLERS_H

#include "auth.h"
#include "http.h"
#include "schema.h"

/* Who may use a route (http_route.access), checked by routes_guard before the body is
 * read. 0 counts as ACCESS_READ. */
enum routes_access {
    ACCESS_PUBLIC = 1, /* anyone: health, metrics, assets, the sign-in page */
    ACCESS_SIGNED_IN,  /* any signed-in user (or open mode); no workspace */
    ACCESS_READ,       /* viewer and up, in a workspace they belong to */
    ACCESS_IMPORT,     /* analyst and up, in a workspace */
    ACCESS_DELETE,     /* admin, in a workspace: delete or replace data */
    ACCESS_ADMIN,      /* admin: users and workspaces */
};

/* What the guard found (req->auth). */
struct routes_auth {
    int open;      /* no user exists: everyone acts as admin */
    int signed_in; /* s is valid */
    struct auth_session s;
    enum auth_role role;
    const char *actor; /* for the audit log: the user, or "open" */
};

/* The http_config.guard of the app's routes (routes_auth.c): refuses cross-origin changes,
 * then (unless public) asks for a session, checks the CSRF token of state-changing
 * requests and the role, and points req->app at the request's workspace (?ws=). */
int routes_guard(struct http_request *req, const struct http_route *route,
                 struct http_response *res);

/* An error answered (routes_common.c) with the HTTP status of its code, which the table of
 * errors (err.h) decides. A refusal (a status below 500: ERR_USAGE, ERR_INPUT, ERR_LIMIT,
 * ERR_NOTFOUND ...) answers e's own words, meant for the client. A failure of the server's
 * own means (its database, their files, its disk: 500 and up) is answered without their
 * internals: e's message, which names paths, hosts, sockets, database users and schemas and
 * quotes SQLite or libpq, goes to the server log with the request; the client is told what
 * failed (what: "reading the accounts") and what to do: 503 with Retry-After when a database
 * file was deleted or replaced under the server (restart it) or the database failed
 * (ERR_STORE: unreachable, locked, damaged), else the code's status (500 for ERR_IO).
 * routes_fail_message only logs and puts the words in msg, returning the status (for answers
 * with a body of their own, as the import's). routes_fail returns 0. */
int routes_fail(struct http_request *req, struct http_response *res, const char *what,
                const struct err *e);
int routes_fail_message(struct http_request *req, const char *what, const struct err *e,
                        struct buf *msg);
/* Whether the request's workspace database is still the file it opened: 0, or -1 with 503
 * answered (routes_fail). */
int routes_check_store(struct http_request *req, struct http_response *res);
/* What a 503 says when a database file was deleted or replaced under the server. */
extern const char routes_gone_words[];
/* Who acts, for the audit log: the signed-in user, or "open". */
const char *routes_actor(struct http_request *req);

/* routes_auth.c: GET /login, POST /login, POST /logout, GET /api/session, the audit log,
 * users and workspaces. */
int routes_login_page(struct http_request *req, struct http_response *res);
int routes_login(struct http_request *req, struct http_response *res);
int routes_logout(struct http_request *req, struct http_response *res);
int routes_api_session(struct http_request *req, struct http_response *res);
int routes_api_audit(struct http_request *req, struct http_response *res);
int routes_api_audit_csv(struct http_request *req, struct http_response *res);
int routes_api_users(struct http_request *req, struct http_response *res);
int routes_api_user_write(struct http_request *req, struct http_response *res);
int routes_api_user_delete(struct http_request *req, struct http_response *res);
int routes_api_workspaces(struct http_request *req, struct http_response *res);
int routes_api_workspace_add(struct http_request *req, struct http_response *res);
int routes_api_workspace_delete(struct http_request *req, struct http_response *res);

/* routes_analytics.c: GET /api/simulate (the payout-model simulator). */
int routes_api_simulate(struct http_request *req, struct http_response *res);

/* routes_payouts.c: GET /api/payouts/tax, /api/payouts/batch.csv,
 * /api/payouts/batch-refusals, GET and POST /api/payouts/tax-rules. */
int routes_api_payouts_tax(struct http_request *req, struct http_response *res);
int routes_api_payouts_batch_csv(struct http_request *req, struct http_response *res);
int routes_api_payouts_batch_refusals(struct http_request *req, struct http_response *res);
int routes_api_tax_rules(struct http_request *req, struct http_response *res);
int routes_api_tax_rules_replace(struct http_request *req, struct http_response *res);
/* routes_payouts.c: GET /api/compliance (SPEC §11). */
int routes_api_compliance(struct http_request *req, struct http_response *res);

/* routes_sources.c: GET /api/sources, GET /api/sources/NAME/runs, POST
 * /api/sources/NAME/sync and GET /api/reports (SPEC §9). */
int routes_api_sources(struct http_request *req, struct http_response *res);
int routes_api_source_runs(struct http_request *req, struct http_response *res);
int routes_api_source_sync(struct http_request *req, struct http_response *res);
int routes_api_reports(struct http_request *req, struct http_response *res);

/* routes_status.c: GET /healthz (200 "ok" while the server can serve), GET /api/status,
 * GET /status (a plain HTML page) and GET /metrics (Prometheus text). */
int routes_healthz(struct http_request *req, struct http_response *res);
int routes_api_status(struct http_request *req, struct http_response *res);
int routes_home(struct http_request *req, struct http_response *res);
int routes_metrics(struct http_request *req, struct http_response *res);

/* routes_analytics.c: GET /api/dashboard, /api/influencers[/ID], /api/insights,
 * /api/payouts and /api/options. */
int routes_api_dashboard(struct http_request *req, struct http_response *res);
int routes_api_influencers(struct http_request *req, struct http_response *res);
int routes_api_influencer(struct http_request *req, struct http_response *res);
int routes_api_insights(struct http_request *req, struct http_response *res);
int routes_api_payouts(struct http_request *req, struct http_response *res);
int routes_api_options(struct http_request *req, struct http_response *res);
int routes_api_unattributed(struct http_request *req, struct http_response *res);
int routes_api_explain(struct http_request *req, struct http_response *res);
int routes_api_explain_rows(struct http_request *req, struct http_response *res);

/* GET /, /influencers[/ID], /insights, /payouts, /upload, /export, /database: the app's
 * index.html (the page's script reads the path). */
int routes_page(struct http_request *req, struct http_response *res);
/* GET /assets/NAME: a built-in file, gzip when accepted, ETag/304, cached forever when
 * asked with ?v=ETAG. */
int routes_asset(struct http_request *req, struct http_response *res);

/* POST /api/import[/DATASET]: the body streams to a spool file (routes_import_body), then
 * is imported in one transaction. */
int routes_import_body(struct http_request *req, const char *data, size_t len);
int routes_api_import(struct http_request *req, struct http_response *res);
/* GET /api/import/progress: the running import's bytes and rows read (never waits for it). */
int routes_api_import_progress(struct http_request *req, struct http_response *res);
/* GET /api/rejects/ID.csv: the rejected rows an import with skip_invalid=1 kept. */
int routes_api_rejects(struct http_request *req, struct http_response *res);
/* GET /api/datasets/NAME.csv and DELETE /api/datasets/NAME. */
int routes_api_dataset_csv(struct http_request *req, struct http_response *res);
int routes_api_dataset_delete(struct http_request *req, struct http_response *res);
/* POST /api/demo?rows=N&seed=S: replaces the data with generated sample data. */
int routes_api_demo(struct http_request *req, struct http_response *res);

/* The start of every analytics answer (routes_common.c): the filters and settings of the query
 * (a 400 naming a bad parameter), then the current engine with a reference held (a 503
 * while the first load runs). Returns 0, or -1 with the error answer already in res. On
 * 0 the caller releases f and the engine (app_engine_release). */
struct filter;
struct api_settings;
struct app_engine;
int routes_analytics_begin(struct http_request *req, struct http_response *res, struct filter *f,
                           struct api_settings *settings, struct app_engine **ae);

/* The tax table a PDF or XLSX export ends with (routes_payouts.c), as GET /api/payouts/tax
 * computes it: ?fy= (400 when bad or the rules table has no rule for it), else the FY of
 * to_day (INT32_MAX: open; none, *have 0, when the rules table has no rule for that FY),
 * else the newest FY with payouts; ?gst_state= over serve's --gst-state. 0, or -1 when res
 * holds the error. t initialised by the caller, who releases it. */
struct api_tax_table;
int routes_export_tax(struct http_request *req, struct http_response *res, int32_t to_day,
                      struct api_tax_table *t, int *have);

/* GET /api/export.csv|pdf|xlsx (routes_report.c): the reports over the query's filters. */
int routes_api_export_csv(struct http_request *req, struct http_response *res);
int routes_api_export_pdf(struct http_request *req, struct http_response *res);
int routes_api_export_xlsx(struct http_request *req, struct http_response *res);
/* GET /api/datasets/NAME.csv with filters: the rows they cover. */
int routes_api_dataset_filtered(struct http_request *req, struct http_response *res,
                                enum dataset ds);

#endif
