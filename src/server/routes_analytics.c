/* routes_analytics.c — the analytics documents: GET /api/dashboard, /api/influencers[/ID],
 * /api/insights, /api/payouts, /api/unattributed, /api/explain, /api/options and
 * /api/simulate, each the api_data (or api_simulate, api_explain) document of the query's
 * filters over the current engine, a question asked again answered from the engine's
 * answers. Calls routes_common, http, api_data, api_simulate, api_explain, app, answers,
 * filter, buf and err. */
#include "routes_handlers.h"

#include <string.h>

#include "answers.h"
#include "api_data.h"
#include "api_simulate.h"
#include "api_explain.h"
#include "app.h"
#include "filter.h"

#include "banned.h"

/* An analytics document: filters and settings from the query (400 naming the bad
 * parameter), the current engine (503 while the first load runs), then the document: the
 * one this engine already gave for the same path and parameters when it kept it (answers.h;
 * a document reads nothing but the engine, the parameters and the server's settings), else
 * computed and kept. */
typedef int (*routes_doc_fn)(const struct engine *eng, const struct filter *f,
                             const struct api_settings *s, const char *param, struct buf *out,
                             struct err *e);

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
    struct buf key = BUF_INIT;
    if (ae->answers) {
        buf_append(&key, req->path, strlen(req->path) + 1);
        http_query_key(req, &key);
    }
    int rc = 0;
    if (!answers_get(ae->answers, key.data, key.len, &res->body)) {
        rc = fn(ae->eng, &f, &settings, req->path_param, &res->body, &e);
        if (rc == 0) {
            buf_putc(&res->body, '\n');
            answers_put(ae->answers, key.data, key.len, res->body.data, res->body.len);
        }
    }
    buf_release(&key);
    app_engine_release(app, ae);
    filter_release(&f);
    if (rc < 0) {
        buf_reset(&res->body);
        return routes_fail(req, res, "computing the answer", &e);
    }
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
                                  const struct api_settings *s, const char *param, struct buf *out,
                                  struct err *e)
{
    (void)param;
    return api_influencers_json(eng, f, s, out, e);
}

static int routes_doc_influencer(const struct engine *eng, const struct filter *f,
                                 const struct api_settings *s, const char *param, struct buf *out,
                                 struct err *e)
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

static int routes_doc_explain(const struct engine *eng, const struct filter *f,
                              const struct api_settings *s, const char *param, struct buf *out,
                              struct err *e)
{
    return api_explain_json(eng, f, s, param, out, e);
}

int routes_api_explain(struct http_request *req, struct http_response *res)
{
    /* the metric is a query parameter, handed on as the document's parameter */
    req->path_param = http_query(req, "metric");
    return routes_document(req, res, routes_doc_explain);
}

static int routes_doc_unattributed(const struct engine *eng, const struct filter *f,
                                   const struct api_settings *s, const char *param, struct buf *out,
                                   struct err *e)
{
    (void)param;
    return api_unattributed_json(eng, f, s, out, e);
}

int routes_api_unattributed(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_unattributed);
}

int routes_api_dashboard(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_dashboard);
}

int routes_api_influencers(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_influencers);
}

int routes_api_influencer(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_influencer);
}

int routes_api_insights(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_insights);
}

int routes_api_payouts(struct http_request *req, struct http_response *res)
{
    return routes_document(req, res, routes_doc_payouts);
}

/* GET /api/options: what the sidebar's filters can choose from. */
int routes_api_options(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct app_engine *ae = app_engine_acquire(app);
    if (!ae) {
        return app_engine_unavailable(res, app);
    }
    struct err e;
    err_clear(&e);
    http_response_json(res, 200);
    int rc = api_options_json(ae->eng, &app->settings, &res->body, &e);
    app_engine_release(app, ae);
    if (rc < 0)
        return routes_fail(req, res, "listing the filter options", &e);
    buf_putc(&res->body, '\n');
    return 0;
}

/* The query's parameters for the simulator's filters: basis there is the simulated terms
 * (SPEC §10), not the payout-basis filter, which the simulator does not take. */
static const char *simulate_filter_get(void *ctx, const char *name)
{
    if (!strcmp(name, "basis"))
        return NULL;
    return http_query(ctx, name);
}

static const char *simulate_terms_get(void *ctx, const char *name)
{
    return http_query(ctx, name);
}

/* GET /api/simulate?basis=...&rate=...&FILTERS: the payout-model simulator. */
int routes_api_simulate(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct err e;
    err_clear(&e);
    struct engine_sim_terms terms;
    if (api_simulate_terms(&terms, simulate_terms_get, req, &e) < 0)
        return http_response_err(res, ERR_USAGE, "%s", e.msg);
    struct filter f;
    if (filter_parse(&f, simulate_filter_get, req, &e) < 0)
        return http_response_err(res, ERR_USAGE, "%s", e.msg);
    struct app_engine *ae = app_engine_acquire(app);
    if (!ae) {
        filter_release(&f);
        return app_engine_unavailable(res, app);
    }
    http_response_json(res, 200);
    int rc = api_simulate_json(ae->eng, &f, &terms, &res->body, &e);
    app_engine_release(app, ae);
    filter_release(&f);
    if (rc < 0) {
        buf_reset(&res->body);
        return routes_fail(req, res, "simulating the payout terms", &e);
    }
    buf_putc(&res->body, '\n');
    return 0;
}
