/* routes_common.c — what the route handlers share (routes_handlers.h): a failure of the
 * server's own answered without its internals, the check that the workspace's database is
 * still its file, the start of every analytics answer (filters, settings and the engine)
 * and who acts for the audit log. Calls http, app, site, filter, api_data, store, buf and err. */
#include "routes_handlers.h"

#include <stdio.h>
#include <string.h>

#include "api_data.h"
#include "app.h"
#include "filter.h"
#include "site.h"

#include "banned.h"

/* ---- failures of the server's own, without their internals ---- */

const char routes_gone_words[] =
    "the database file was deleted or replaced while the server ran; restart the server (the "
    "server log names the file)";

int routes_fail_message(struct http_request *req, const char *what, const struct err *e,
                        struct buf *msg)
{
    int status = err_http_status(e->code);
    if (status < 500) { /* a refusal: its own words, meant for the client */
        buf_puts(msg, e->msg);
        return status;
    }
    struct app *app = req->app;
    fprintf(stderr, "infludash: %s %s: %s: %s\n", req->method_name, req->path, what, e->msg);
    struct err gone;
    err_clear(&gone);
    if (app && app->site && site_check_files(app->site, &gone) < 0) {
        if (strcmp(gone.msg, e->msg) != 0)
            fprintf(stderr, "infludash: %s\n", gone.msg);
        buf_printf(msg, "%s: %s", what, routes_gone_words);
        return err_http_status(ERR_UNAVAILABLE);
    }
    if (e->code == ERR_STORE) {
        buf_printf(msg,
                   "%s: the database is not available or failed; try again in a minute, "
                   "and if it persists ask the operator (the server log says what "
                   "failed)",
                   what);
        return status;
    }
    buf_printf(msg, "%s failed on the server; ask the operator (the server log says why)", what);
    return status;
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

/* ---- the start of an analytics answer ---- */

static const char *routes_query_get(void *req, const char *name)
{
    return http_query(req, name);
}

int routes_analytics_begin(struct http_request *req, struct http_response *res, struct filter *f,
                           struct api_settings *settings, struct app_engine **ae)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    if (filter_parse(f, routes_query_get, req, &e) < 0) {
        http_response_err(res, ERR_USAGE, "%s", e.msg);
        return -1;
    }
    *settings = app->settings;
    if (api_settings_parse(settings, routes_query_get, req, &e) < 0) {
        filter_release(f);
        http_response_err(res, ERR_USAGE, "%s", e.msg);
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

/* ---- who acts ---- */

const char *routes_actor(struct http_request *req)
{
    const struct routes_auth *ra = req->auth;
    return ra && ra->actor ? ra->actor : "open";
}
