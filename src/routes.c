/* routes.c — the web application's route table (see routes.h) and its smaller handlers:
 * health check, status JSON, a plain status page (/status) and the analytics documents; the
 * pages and assets are in routes_web.c, uploads and dataset downloads in routes_data.c.
 * Every user-visible string goes through html_escape or the JSON writer. Calls http, api, html, app and store (under app->store_lock). */
#include "routes.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_data.h"
#include "app.h"
#include "filter.h"
#include "html.h"
#include "routes_handlers.h"
#include "site.h"

#include "banned.h"

/* ---- failures of the server's own, without their internals ---- */

static const char routes_gone_words[] =
    "the database file was deleted or replaced while the server ran; restart the server (the "
    "server log names the file)";

int routes_fail_message(struct http_request *req, const char *what, const struct err *e,
                        struct buf *msg)
{
    struct app *app = req->app;
    fprintf(stderr, "infludash: %s %s: %s: %s\n", req->method_name, req->path, what, e->msg);
    struct err gone;
    err_clear(&gone);
    if (app && app->site && site_check_files(app->site, &gone) < 0) {
        if (strcmp(gone.msg, e->msg) != 0)
            fprintf(stderr, "infludash: %s\n", gone.msg);
        buf_printf(msg, "%s: %s", what, routes_gone_words);
        return 503;
    }
    if (e->code == ERR_STORE) {
        buf_printf(msg, "%s: the database is not available or failed; try again in a minute, "
                        "and if it persists ask the operator (the server log says what "
                        "failed)", what);
        return 503;
    }
    buf_printf(msg, "%s failed on the server; ask the operator (the server log says why)", what);
    return 500;
}

int routes_fail(struct http_request *req, struct http_response *res, const char *what,
                const struct err *e)
{
    struct buf msg = BUF_INIT;
    int status = routes_fail_message(req, what, e, &msg);
    buf_reset(&res->body);
    http_response_error(res, status, "%s", buf_cstr(&msg));
    if (status == 503)
        http_response_header(res, "Retry-After", "60");
    buf_release(&msg);
    return 0;
}

int routes_check_store(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    if (store_check_file(app->store, &e) == 0)
        return 0;
    routes_fail(req, res, "reading the data", &e);
    return -1;
}

/* GET /healthz: 200 while the server can serve; 503 once a database file it has open was
 * deleted or replaced (it would serve data nobody can see again: restart it). */
static int routes_healthz(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    if (app->site && site_check_files(app->site, &e) < 0) {
        fprintf(stderr, "infludash: GET /healthz: %s\n", e.msg);
        struct buf text = BUF_INIT;
        buf_printf(&text, "%s\n", routes_gone_words);
        http_response_text(res, 503, buf_cstr(&text));
        buf_release(&text);
        return 0;
    }
    return http_response_text(res, 200, "ok\n");
}

/* Loads the status under the store lock; on failure answers 503/500 (routes_fail). */
static int routes_load_status(struct http_request *req, struct http_response *res,
                              struct api_status *st)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    pthread_mutex_lock(&app->store_lock);
    int rc = api_status_load(app->store, st, &e);
    pthread_mutex_unlock(&app->store_lock);
    if (rc < 0)
        routes_fail(req, res, "reading the database status", &e);
    return rc;
}

static int routes_api_status(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct api_status st;
    if (routes_load_status(req, res, &st) < 0)
        return 0;
    struct app_engine *ae = app_engine_acquire(app);
    char why[sizeof app->engine_error];
    pthread_mutex_lock(&app->engine_lock);
    snprintf(why, sizeof why, "%s", app->engine_error);
    pthread_mutex_unlock(&app->engine_lock);
    api_status_engine(&st, ae ? ae->eng : NULL, why);
    app_engine_release(app, ae);
    struct err e;
    err_clear(&e);
    http_response_json(res, 200);
    if (api_status_write(&st, &res->body, &e) < 0)
        return routes_fail(req, res, "writing the status", &e);
    buf_putc(&res->body, '\n');
    return 0;
}

/* ---- the front page ---- */

/* n with thousands separators: 1234567 → "1,234,567". */
static void routes_put_count(struct buf *out, int64_t n)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%" PRId64, n);
    int start = digits[0] == '-' ? 1 : 0;
    buf_append(out, digits, (size_t)start);
    for (int i = start; i < len; i++) {
        if (i > start && (len - i) % 3 == 0)
            buf_putc(out, ',');
        buf_putc(out, digits[i]);
    }
}

/* The --db argument that reaches this database from a shell, HTML-escaped. */
static void routes_put_db_arg(struct buf *out, const struct api_status *st)
{
    if (strcmp(st->backend, "sqlite") != 0 || !st->location)
        return;
    struct buf arg = BUF_INIT;
    buf_printf(&arg, "sqlite:%s", st->location);
    buf_puts(out, " --db ");
    if (strspn(arg.data,
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:-+,=@") ==
        arg.len) {
        html_escape(out, arg.data, arg.len);
    } else {
        /* Single quotes, with each ' written as '\'' . */
        buf_putc(out, '\'');
        for (size_t i = 0; i < arg.len; i++) {
            if (arg.data[i] == '\'')
                html_puts(out, "'\\''");
            else
                html_escape(out, &arg.data[i], 1);
        }
        buf_putc(out, '\'');
    }
    buf_release(&arg);
}

static const char routes_page_head[] =
    "<!doctype html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>infludash</title>\n"
    "<style>\n"
    "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}\n"
    "main{max-width:760px;margin:2rem auto;padding:0 1rem}\n"
    "h1{margin:0 0 .25rem}h2{margin-top:2rem;font-size:1.1rem}\n"
    "table{border-collapse:collapse;background:#fff;min-width:50%}\n"
    "th,td{padding:.35rem .8rem;border-bottom:1px solid #e3e6eb;text-align:left}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "pre,code{font:13px ui-monospace,monospace}\n"
    "pre{background:#1d2330;color:#f6f7f9;padding:.8rem 1rem;overflow:auto}\n"
    ".muted{color:#667085}\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<main>\n";

static void routes_page_datasets(struct buf *out, const struct api_status *st)
{
    buf_puts(out, "<h2>Data loaded</h2>\n<table>\n<thead><tr><th>Dataset</th>"
                  "<th>Rows</th></tr></thead>\n<tbody>\n");
    for (int ds = 0; ds < DS_COUNT; ds++) {
        buf_puts(out, "<tr><td>");
        html_puts(out, schema_dataset((enum dataset)ds)->name);
        buf_puts(out, "</td><td class=\"n\">");
        routes_put_count(out, st->counts[ds]);
        buf_puts(out, "</td></tr>\n");
    }
    buf_puts(out, "</tbody>\n</table>\n<p>Backend: <strong>");
    html_puts(out, st->backend);
    buf_puts(out, "</strong>, database <code>");
    html_puts(out, st->location);
    buf_printf(out, "</code>, schema version %d.</p>\n", st->schema_version);
}

static void routes_page_import_row(struct buf *out, const struct store_import_log *log)
{
    char finished[32];
    api_format_time(log->finished_at ? log->finished_at : log->started_at, finished);
    buf_puts(out, "<tr><td>");
    html_puts(out, finished[0] ? finished : "unknown");
    buf_puts(out, "</td><td>");
    html_puts(out, log->dataset);
    buf_puts(out, "</td><td><code>");
    html_puts(out, log->file);
    buf_puts(out, "</code></td><td>");
    html_puts(out, log->mode);
    buf_puts(out, "</td><td class=\"n\">");
    routes_put_count(out, log->accepted);
    buf_puts(out, "</td><td class=\"n\">");
    routes_put_count(out, log->rejected);
    buf_puts(out, "</td></tr>\n");
}

static void routes_page_imports(struct buf *out, const struct api_status *st)
{
    buf_puts(out, "<h2>Last import</h2>\n");
    if (st->nimports == 0) {
        buf_puts(out, "<p class=\"muted\">Nothing has been imported yet.</p>\n");
        return;
    }
    buf_puts(out, "<table>\n<thead><tr><th>Finished (UTC)</th><th>Dataset</th><th>File</th>"
                  "<th>Mode</th><th>Accepted</th><th>Rejected</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < st->nimports; i++)
        routes_page_import_row(out, &st->imports[i]);
    buf_puts(out, "</tbody>\n</table>\n");
    if (st->nimports > 1)
        buf_puts(out, "<p class=\"muted\">The first row is the last import; earlier ones "
                      "follow.</p>\n");
}

static void routes_page_commands(struct buf *out, const struct api_status *st)
{
    buf_puts(out, "<h2>Import data</h2>\n<p>From a shell on this machine (files are "
                  "recognised by name and header; <code>--dataset</code> names one "
                  "explicitly):</p>\n<pre>");
    buf_puts(out, "infludash import");
    routes_put_db_arg(out, st);
    buf_puts(out, " influencers.csv posts.csv tracking_data.csv payouts.csv\n");
    buf_puts(out, "infludash import");
    routes_put_db_arg(out, st);
    buf_puts(out, " --dataset tracking_data --mode replace --skip-invalid orders.csv\n");
    buf_puts(out, "infludash demo");
    routes_put_db_arg(out, st);
    buf_puts(out, " --rows 10000\n");
    buf_puts(out, "infludash status");
    routes_put_db_arg(out, st);
    buf_puts(out, "</pre>\n<p>Then reload this page. <code>infludash --help</code> lists every "
                  "command.</p>\n");
}

static int routes_home(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct api_status st;
    if (routes_load_status(req, res, &st) < 0)
        return 0;
    struct buf *out = &res->body;
    res->status = 200;
    res->content_type = "text/html; charset=utf-8";
    res->no_store = true; /* it shows live counts */
    http_response_header(res, "Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'");
    buf_puts(out, routes_page_head);
    buf_puts(out, "<h1>infludash</h1>\n<p class=\"muted\">Influencer-campaign analytics");
    if (app->version) {
        buf_puts(out, " &middot; version ");
        html_puts(out, app->version);
    }
    buf_puts(out, ". This page shows what is loaded; the dashboard is at <a href=\"/\">/</a>."
                  "</p>\n");
    if (site_is_open(app->site))
        buf_puts(out, "<p><strong>Open:</strong> no user accounts exist, so anyone who can "
                      "reach this server can read and change the data. Create one with "
                      "<code>infludash user add NAME --role admin</code>.</p>\n");
    else
        buf_printf(out, "<p class=\"muted\">Workspace <code>%s</code>.</p>\n", app->slug);
    routes_page_datasets(out, &st);
    routes_page_imports(out, &st);
    routes_page_commands(out, &st);
    buf_puts(out, "<p class=\"muted\">Machine-readable: <a href=\"/api/status\">/api/status</a>"
                  " &middot; health: <a href=\"/healthz\">/healthz</a></p>\n"
                  "</main>\n</body>\n</html>\n");
    return 0;
}

/* ---- the analytics endpoints ---- */

static const char *routes_query_get(void *req, const char *name)
{
    return http_query(req, name);
}

/* An analytics document: filters and settings from the query (400 naming the bad
 * parameter), the current engine (503 while the first load runs), then the document. */
typedef int (*routes_doc_fn)(const struct engine *eng, const struct filter *f,
                             const struct api_settings *s, const char *param, struct buf *out,
                             struct err *e);

int routes_analytics_begin(struct http_request *req, struct http_response *res,
                           struct filter *f, struct api_settings *settings,
                           struct app_engine **ae)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    if (filter_parse(f, routes_query_get, req, &e) < 0) {
        http_response_error(res, 400, "%s", e.msg);
        return -1;
    }
    *settings = app->settings;
    if (api_settings_parse(settings, routes_query_get, req, &e) < 0) {
        filter_release(f);
        http_response_error(res, 400, "%s", e.msg);
        return -1;
    }
    *ae = app_engine_acquire(app);
    if (!*ae) {
        filter_release(f);
        app_engine_unavailable(res, app);
        return -1;
    }
    return 0;
}

static int routes_document(struct http_request *req, struct http_response *res, routes_doc_fn fn)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    struct filter f;
    struct api_settings settings;
    struct app_engine *ae;
    if (routes_analytics_begin(req, res, &f, &settings, &ae) < 0)
        return 0;
    http_response_json(res, 200);
    int rc = fn(ae->eng, &f, &settings, req->path_param, &res->body, &e);
    app_engine_release(app, ae);
    filter_release(&f);
    if (rc < 0) {
        buf_reset(&res->body);
        if (rc != ERR_USAGE && rc != ERR_NOTFOUND)
            return routes_fail(req, res, "computing the answer", &e);
        return http_response_error(res, rc == ERR_USAGE ? 400 : 404, "%s", e.msg);
    }
    buf_putc(&res->body, '\n');
    return 0;
}

static int routes_doc_dashboard(const struct engine *eng, const struct filter *f,
                                const struct api_settings *s, const char *param, struct buf *out,
                                struct err *e)
{
    (void)param;
    return api_dashboard_json(eng, f, s, out, e);
}

static int routes_doc_influencers(const struct engine *eng, const struct filter *f,
                                  const struct api_settings *s, const char *param,
                                  struct buf *out, struct err *e)
{
    (void)param;
    return api_influencers_json(eng, f, s, out, e);
}

static int routes_doc_influencer(const struct engine *eng, const struct filter *f,
                                 const struct api_settings *s, const char *param,
                                 struct buf *out, struct err *e)
{
    return api_influencer_json(eng, f, param, s, out, e);
}

static int routes_doc_insights(const struct engine *eng, const struct filter *f,
                               const struct api_settings *s, const char *param, struct buf *out,
                               struct err *e)
{
    (void)param;
    return api_insights_json(eng, f, s, out, e);
}

static int routes_doc_payouts(const struct engine *eng, const struct filter *f,
                              const struct api_settings *s, const char *param, struct buf *out,
                              struct err *e)
{
    (void)param;
    return api_payouts_json(eng, f, s, out, e);
}

static int routes_api_dashboard(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_dashboard);
}

static int routes_api_influencers(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_influencers);
}

static int routes_api_influencer(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_influencer);
}

static int routes_api_insights(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_insights);
}

static int routes_api_payouts(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_payouts);
}

/* GET /api/options: what the sidebar's filters can choose from. */
static int routes_api_options(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct app_engine *ae = app_engine_acquire(app);
    if (!ae) {
        return app_engine_unavailable(res, app);
    }
    struct err e;
    err_clear(&e);
    http_response_json(res, 200);
    int rc = api_options_json(ae->eng, &res->body, &e);
    app_engine_release(app, ae);
    if (rc < 0)
        return routes_fail(req, res, "listing the filter options", &e);
    buf_putc(&res->body, '\n');
    return 0;
}

/* GET /metrics: the server's and the app's counters for Prometheus. */
static int routes_metrics(struct http_request *req, struct http_response *res)
{
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    res->no_store = true;
    http_metrics_write(req, &res->body);
    app_metrics_write(req->app, &res->body);
    return 0;
}

static const struct http_route routes_table[] = {
    {HTTP_GET, "/status", routes_home, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/influencers", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/influencers/*", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/insights", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/payouts", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/upload", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/export", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/database", routes_page, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/assets/*", routes_asset, NULL, 0, ACCESS_PUBLIC},
    {HTTP_GET, "/login", routes_login_page, NULL, 0, ACCESS_PUBLIC},
    {HTTP_POST, "/login", routes_login, NULL, 0, ACCESS_PUBLIC},
    {HTTP_POST, "/logout", routes_logout, NULL, 0, ACCESS_PUBLIC},
    {HTTP_GET, "/api/session", routes_api_session, NULL, 0, ACCESS_PUBLIC},
    {HTTP_POST, "/api/import", routes_api_import, routes_import_body, HTTP_MAX_UPLOAD,
     ACCESS_IMPORT},
    {HTTP_POST, "/api/import/*", routes_api_import, routes_import_body, HTTP_MAX_UPLOAD,
     ACCESS_IMPORT},
    {HTTP_GET, "/api/rejects/*", routes_api_rejects, NULL, 0, ACCESS_IMPORT},
    {HTTP_GET, "/api/datasets/*", routes_api_dataset_csv, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/export.csv", routes_api_export_csv, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/export.pdf", routes_api_export_pdf, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/export.xlsx", routes_api_export_xlsx, NULL, 0, ACCESS_READ},
    {HTTP_DELETE, "/api/datasets/*", routes_api_dataset_delete, NULL, 0, ACCESS_DELETE},
    {HTTP_POST, "/api/demo", routes_api_demo, NULL, 0, ACCESS_DELETE},
    {HTTP_GET, "/api/audit", routes_api_audit, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/audit.csv", routes_api_audit_csv, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/users", routes_api_users, NULL, 0, ACCESS_ADMIN},
    {HTTP_POST, "/api/users", routes_api_user_write, NULL, 0, ACCESS_ADMIN},
    {HTTP_POST, "/api/users/*", routes_api_user_write, NULL, 0, ACCESS_ADMIN},
    {HTTP_DELETE, "/api/users/*", routes_api_user_delete, NULL, 0, ACCESS_ADMIN},
    {HTTP_GET, "/api/workspaces", routes_api_workspaces, NULL, 0, ACCESS_SIGNED_IN},
    {HTTP_POST, "/api/workspaces", routes_api_workspace_add, NULL, 0, ACCESS_ADMIN},
    {HTTP_DELETE, "/api/workspaces/*", routes_api_workspace_delete, NULL, 0, ACCESS_ADMIN},
    {HTTP_GET, "/healthz", routes_healthz, NULL, 0, ACCESS_PUBLIC},
    {HTTP_GET, "/metrics", routes_metrics, NULL, 0, ACCESS_PUBLIC},
    {HTTP_GET, "/api/status", routes_api_status, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/dashboard", routes_api_dashboard, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/influencers", routes_api_influencers, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/influencers/*", routes_api_influencer, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/insights", routes_api_insights, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/payouts", routes_api_payouts, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/options", routes_api_options, NULL, 0, ACCESS_READ},
};

void routes_install(struct http_config *cfg, struct app *app)
{
    cfg->routes = routes_table;
    cfg->nroutes = sizeof routes_table / sizeof routes_table[0];
    cfg->app = app;
    cfg->guard = routes_guard;
}
