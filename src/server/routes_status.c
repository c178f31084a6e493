/* routes_status.c — the handlers of the server's state: GET /healthz, GET /api/status,
 * GET /status (a plain page of what is loaded and how to import) and GET /metrics. Every
 * user-visible string goes through html_escape or the JSON writer. Calls routes_common,
 * http, api (under app->store_lock, or on a store connection of its own while an import
 * holds it), store, app, site, html, schema and format. */
#include "routes_handlers.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "format.h"
#include "html.h"
#include "site.h"
#include "store.h"

#include "banned.h"

/* GET /healthz: 200 while the server can serve; 503 once a database file it has open was
 * deleted or replaced (it would serve data nobody can see again: restart it). */
int routes_healthz(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    if (app->site && site_check_files(app->site, &e) < 0) {
        fprintf(stderr, "infludash: GET /healthz: %s\n", e.msg);
        struct buf text = BUF_INIT;
        buf_printf(&text, "%s\n", routes_gone_words);
        http_response_text(res, err_http_status(ERR_UNAVAILABLE), buf_cstr(&text));
        buf_release(&text);
        return 0;
    }
    return http_response_text(res, 200, "ok\n");
}

/* Loads the status under the store lock; while an import holds it (for minutes, with a
 * large file), on a connection of its own instead, which reads the last committed data, so
 * the sidebar's status line never waits for the import. On failure answers 503/500
 * (routes_fail). */
static int routes_load_status(struct http_request *req, struct http_response *res,
                              struct api_status *st)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    int rc;
    if (pthread_mutex_trylock(&app->store_lock) == 0) {
        /* the counts of the last request when no commit came since (the version is read
         * first: a commit after it makes the next request count again) */
        int64_t version = 0;
        int known = store_data_version(app->store, &version, NULL) == 0;
        int same = known && app->counts_kept && version == app->counts_version;
        rc = api_status_load(app->store, st, same ? app->counts : NULL, &e);
        if (rc == 0 && known && !same) {
            memcpy(app->counts, st->counts, sizeof app->counts);
            app->counts_version = version;
            app->counts_kept = 1;
        }
        pthread_mutex_unlock(&app->store_lock);
    } else {
        struct store *reader = NULL;
        rc = store_open(app->db_url, &reader, &e);
        if (rc == 0)
            rc = api_status_load(reader, st, NULL, &e);
        store_close(reader);
        /* (these point into the store: the app's, which lives as long as the server, and
         * never changes them) */
        st->backend = store_backend(app->store);
        st->location = store_location(app->store);
    }
    if (rc < 0)
        routes_fail(req, res, "reading the database status", &e);
    return rc;
}

int routes_api_status(struct http_request *req, struct http_response *res)
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
    st.tz = app->settings.tz;
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
    format_utc_time(log->finished_at ? log->finished_at : log->started_at, finished);
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

int routes_home(struct http_request *req, struct http_response *res)
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

/* GET /metrics: the server's and the app's counters for Prometheus. */
int routes_metrics(struct http_request *req, struct http_response *res)
{
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    res->no_store = true;
    http_metrics_write(req, &res->body);
    app_metrics_write(req->app, &res->body);
    return 0;
}
