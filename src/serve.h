/* serve.h — the `serve` command's runtime: opens the store, loads sample data into an
 * empty database when asked, starts the HTTP server with the app's routes and runs until
 * SIGTERM/SIGINT. Calls store, demo, http, routes. */
#ifndef INFLUDASH_SERVE_H
#define INFLUDASH_SERVE_H

#include <stdint.h>

#include "err.h"

struct serve_config {
    const char *db_url;
    const char *listen;        /* "HOST:PORT" */
    const char *version;
    int sample_if_empty;
    uint64_t sample_rows;
    uint64_t max_body_bytes;
};

void serve_config_default(struct serve_config *cfg);
int serve_run(const struct serve_config *cfg, struct err *e);

#endif
