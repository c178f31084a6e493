/* routes.h — the web application's routes: which path and method runs which handler.
 * Handlers take the shared state from req->app (struct app) and hold its store_lock only
 * around store calls. Calls http, api, html, json, app.
 *
 * The table is handed to the server through its config, before it starts, so it never
 * changes while requests run:
 *
 *     struct app app;
 *     app_init(&app, store, INFLUDASH_VERSION);
 *     struct http_config cfg;
 *     http_config_default(&cfg);
 *     cfg.listen = listen;              // --listen
 *     routes_install(&cfg, &app);       // cfg.routes, cfg.nroutes, cfg.app
 *     struct http_server *srv = http_start(&cfg, &e);
 *     ...
 *     http_run_until_signal(srv);
 *     http_stop(srv);
 *     app_release(&app);
 *
 * Routes: GET /healthz (text "ok"), GET /metrics (Prometheus text), GET /api/status, GET /status (a plain HTML page of what
 * is loaded and how to import), the analytics documents (/api/dashboard, /api/influencers
 * [/ID], /api/insights, /api/payouts, /api/options), the web app's pages (/, /influencers
 * [/ID], /insights, /payouts, /upload, /export, /database: index.html) and /assets/NAME
 * (routes_web.c), and the data endpoints (routes_data.c): POST /api/import[/DATASET],
 * GET /api/rejects/ID.csv, GET /api/datasets/NAME.csv, DELETE /api/datasets/NAME,
 * POST /api/demo. */
#ifndef INFLUDASH_ROUTES_H
#define INFLUDASH_ROUTES_H

#include "app.h"
#include "http.h"

/* Points cfg at the route table and app (which must outlive the server). */
void routes_install(struct http_config *cfg, struct app *app);

#endif
