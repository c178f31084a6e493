/* routes.h — the web application's routes: which path and method runs which handler.
 * Handlers take the shared state from req->app (struct app) and hold its store_lock only
 * around store calls. routes.c calls the handlers' files: routes_status, routes_analytics,
 * routes_web, routes_data, routes_report and routes_auth.
 *
 * The table is handed to the server through its config, before it starts, so it never
 * changes while requests run (serve.c):
 *
 *     struct site site;
 *     site_init(&site, db_url, store, INFLUDASH_VERSION, spool, &settings, NULL, 32 << 20,
 *               &e);
 *     struct http_config cfg;
 *     http_config_default(&cfg);
 *     cfg.listen = listen;                          // --listen
 *     routes_install(&cfg, site_default_app(&site)); // cfg.routes, .nroutes, .app, .guard
 *     struct http_server *srv = http_start(&cfg, &e);
 *     ...
 *     http_run_until_signal(srv);
 *     http_stop(srv);
 *     site_release(&site);
 *
 * Every routed request first passes routes_guard (routes_auth.c): sign-in, CSRF token, role
 * and workspace; it points req->app at the workspace's app.
 *
 * Routes: GET /healthz (text "ok"), GET /metrics (Prometheus text), GET /api/status, GET /status (a
 * plain HTML page of what is loaded and how to import), the analytics documents (/api/dashboard,
 * /api/influencers
 * [/ID], /api/insights, /api/payouts, /api/options), the web app's pages (/, /influencers
 * [/ID], /insights, /payouts, /upload, /export, /database: index.html) and /assets/NAME
 * (routes_web.c), and the data endpoints (routes_data.c): POST /api/import[/DATASET],
 * GET /api/rejects/ID.csv, GET /api/datasets/NAME.csv, DELETE /api/datasets/NAME,
 * POST /api/demo; and the accounts (routes_auth.c): GET/POST /login, POST /logout,
 * GET /api/session, /api/audit[.csv], /api/users[/NAME], /api/workspaces[/SLUG]. */
#ifndef INFLUDASH_ROUTES_H
#define INFLUDASH_ROUTES_H

#include "app.h"
#include "http.h"

/* Points cfg at the route table and app (which must outlive the server). */
void routes_install(struct http_config *cfg, struct app *app);

#endif
