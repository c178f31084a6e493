/* routes_handlers.h — handlers that routes.c's table points at, from the files that hold
 * them: routes_web.c (the pages and their assets) and routes_data.c (uploads, rejects,
 * dataset downloads and deletes, sample data). Private to the routes; see routes.h. */
#ifndef INFLUDASH_ROUTES_HANDLERS_H
#define INFLUDASH_ROUTES_HANDLERS_H

#include "http.h"
#include "schema.h"

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

/* GET /api/export.csv|pdf|xlsx (routes_report.c): the reports over the query's filters. */
int routes_api_export_csv(struct http_request *req, struct http_response *res);
int routes_api_export_pdf(struct http_request *req, struct http_response *res);
int routes_api_export_xlsx(struct http_request *req, struct http_response *res);
/* GET /api/datasets/NAME.csv with filters: the rows they cover. */
int routes_api_dataset_filtered(struct http_request *req, struct http_response *res,
                                enum dataset ds);

#endif
