/* serve.h — the `serve` command's runtime: opens the store, loads sample data into an
 * empty database when asked, starts the HTTP server with the app's routes and runs until
 * SIGTERM/SIGINT. A loader thread with its own connection loads the engine at start and
 * again whenever the stored data changes; the analytics endpoints answer 503 until the first
 * load is done. Unless told not to, a scheduler thread runs the due syncs and reports once a
 * minute (scheduler.h). Calls site (the loaders), scheduler, jobs, tz, routes, http, store,
 * spool, demo, tax, tax_builtin, api_data and schema. */
#ifndef INFLUDASH_SERVE_H
#define INFLUDASH_SERVE_H

#include <stdint.h>

#include "err.h"

struct serve_config {
    const char *db_url;
    const char *listen; /* "HOST:PORT" */
    const char *version;
    int sample_if_empty;
    uint64_t sample_rows;
    uint64_t max_body_bytes;
    uint64_t max_upload_bytes;           /* POST /api/import body cap; 0: 1 GiB */
    unsigned max_connections;            /* connections served at once (a thread each); 0: 512 */
    unsigned idle_timeout;               /* seconds a connection may sit idle; 0: 30 */
    unsigned header_timeout;             /* seconds to send a whole request head; 0: 10 */
    unsigned max_connections_per_client; /* connections from one address; 0: 256 */
    double roas_benchmark;               /* default 4 */
    double roi_benchmark;                /* as a fraction; default 2.0 = 200 % */
    uint64_t session_ttl;                /* seconds a sign-in lasts; 0: 12 hours */
    int trust_proxy;                     /* take the client's address from X-Forwarded-For */
    const char *ca_file;   /* an extra trust anchor for sources and SMTP ($INFLUDASH_CA_FILE) */
    int no_scheduler;      /* do not run due syncs and reports (another process does) */
    const char *platforms; /* the platforms an upload's rows may name (NULL: the default) */
    const char *tax_rules; /* --tax-rules FILE: the TDS rules table; NULL: the built-in one */
    int gst_state;         /* --gst-state NN: the brand's GST state code; 0: not set */
    const char *tz;        /* IANA time zone; NULL: $INFLUDASH_TZ, else Asia/Kolkata */
    /* --engine-cache FILE: the default workspace's engine cache (FILE-ws-SLUG another's);
     * NULL: beside an SQLite database, none for PostgreSQL (site.c) */
    const char *engine_cache;
    /* --answer-cache MB: room for each workspace's answers kept (app.h); 0: none kept */
    unsigned answer_cache_mb;
};

void serve_config_default(struct serve_config *cfg);
int serve_run(const struct serve_config *cfg, struct err *e);

#endif
