/* routes.c — the web application's route table (see routes.h): which method and path runs
 * which handler, with who may use it, and nothing else; the handlers are in routes_*.c
 * (routes_handlers.h). Calls the handlers'
 * files: routes_status, routes_analytics, routes_web, routes_data, routes_report,
 * routes_sources, routes_payouts and routes_auth (routes_guard). */
#include "routes.h"

#include "routes_handlers.h"

#include "banned.h"

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
    {HTTP_GET, "/api/import/progress", routes_api_import_progress, NULL, 0, ACCESS_IMPORT},
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
    {HTTP_GET, "/api/payouts/tax", routes_api_payouts_tax, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/payouts/batch.csv", routes_api_payouts_batch_csv, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/payouts/batch-refusals", routes_api_payouts_batch_refusals, NULL, 0,
     ACCESS_READ},
    {HTTP_GET, "/api/payouts/tax-rules", routes_api_tax_rules, NULL, 0, ACCESS_READ},
    {HTTP_POST, "/api/payouts/tax-rules", routes_api_tax_rules_replace, NULL, 0, ACCESS_ADMIN},
    {HTTP_GET, "/api/options", routes_api_options, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/simulate", routes_api_simulate, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/compliance", routes_api_compliance, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/unattributed", routes_api_unattributed, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/explain", routes_api_explain, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/explain/rows.csv", routes_api_explain_rows, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/sources", routes_api_sources, NULL, 0, ACCESS_READ},
    {HTTP_GET, "/api/sources/*", routes_api_source_runs, NULL, 0, ACCESS_READ},
    {HTTP_POST, "/api/sources/*", routes_api_source_sync, NULL, 0, ACCESS_IMPORT},
    {HTTP_GET, "/api/reports", routes_api_reports, NULL, 0, ACCESS_READ},
};

void routes_install(struct http_config *cfg, struct app *app)
{
    cfg->routes = routes_table;
    cfg->nroutes = sizeof routes_table / sizeof routes_table[0];
    cfg->app = app;
    cfg->guard = routes_guard;
}
