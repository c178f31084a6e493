/* routes_handlers.h — handlers that routes.c's table points at, from the files that hold
 * them: routes_web.c (the pages and their assets) and routes_data.c (uploads, rejects,
 * dataset downloads and deletes, sample data). Private to the routes; see routes.h. */
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
    int open;       /* no user exists: everyone acts as admin */
    int signed_in;  /* s is valid */
    struct auth_session s;
    enum auth_role role;
    const char *actor; /* for the audit log: the user, or "open" */
};

/* The http_config.guard of the app's routes (routes_auth.c): refuses cross-origin changes,
 * then (unless public) asks for a session, checks the CSRF token of state-changing
 * requests and the role, and points req->app at the request's workspace (?ws=). */
int routes_guard(struct http_request *req, const struct http_route *route,
                 struct http_response *res);
/* Who acts, for the audit log. */
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
/* GET /api/rejects/ID.csv: the rejected rows an import with skip_invalid=1 kept. */
int routes_api_rejects(struct http_request *req, struct http_response *res);
/* GET /api/datasets/NAME.csv and DELETE /api/datasets/NAME. */
int routes_api_dataset_csv(struct http_request *req, struct http_response *res);
int routes_api_dataset_delete(struct http_request *req, struct http_response *res);
/* POST /api/demo?rows=N&seed=S: replaces the data with generated sample data. */
int routes_api_demo(struct http_request *req, struct http_response *res);

/* The start of every analytics answer (routes.c): the filters and settings of the query
 * (a 400 naming a bad parameter), then the current engine with a reference held (a 503
 * while the first load runs). Returns 0, or -1 with the error answer already in res. On
 * 0 the caller releases f and the engine (app_engine_release). */
struct filter;
struct api_settings;
struct app_engine;
int routes_analytics_begin(struct http_request *req, struct http_response *res,
                           struct filter *f, struct api_settings *settings,
                           struct app_engine **ae);

/* The answer when a report or a download could not be made (routes_report.c): the whole
 * message (it may name the server's files: its temporary directory, the database) goes to
 * the server's log, and the 500 says what failed with every absolute path left out. Returns
 * 0. */
int routes_server_error(struct http_response *res, const char *what, const char *detail);

/* GET /api/export.csv|pdf|xlsx (routes_report.c): the reports over the query's filters. */
int routes_api_export_csv(struct http_request *req, struct http_response *res);
int routes_api_export_pdf(struct http_request *req, struct http_response *res);
int routes_api_export_xlsx(struct http_request *req, struct http_response *res);
/* GET /api/datasets/NAME.csv with filters: the rows they cover. */
int routes_api_dataset_filtered(struct http_request *req, struct http_response *res,
                                enum dataset ds);

#endif
