/* serve.c — the `serve` command's runtime (see serve.h). */
#include "serve.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "demo.h"
#include "http.h"
#include "routes.h"
#include "store.h"

#include "banned.h"

void serve_config_default(struct serve_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = HTTP_DEFAULT_LISTEN;
    cfg->sample_rows = 20000;
}

/* Loads sample data when every dataset is empty. */
static int sample_if_empty(struct store *s, const struct serve_config *cfg, struct err *e)
{
    int64_t total = 0;
    for (int ds = 0; ds < DS_COUNT; ds++) {
        int64_t n = 0;
        if (store_count(s, ds, &n, e) < 0)
            return e->code;
        total += n;
    }
    if (total > 0)
        return 0;
    struct demo_opts d = {cfg->sample_rows, 42, 0};
    fprintf(stderr, "infludash: the database is empty: loading sample data (%llu tracking rows)\n",
            (unsigned long long)d.rows);
    return demo_load(s, &d, e);
}

int serve_run(const struct serve_config *cfg, struct err *e)
{
    struct store *s = NULL;
    if (store_open(cfg->db_url, &s, e) < 0)
        return e->code;
    int rc = 0;
    if (cfg->sample_if_empty && (rc = sample_if_empty(s, cfg, e)) < 0) {
        store_close(s);
        return rc;
    }
    struct app app;
    app_init(&app, s, cfg->version);
    struct http_config hc;
    http_config_default(&hc);
    hc.listen = cfg->listen;
    hc.max_body = cfg->max_body_bytes;
    routes_install(&hc, &app);
    struct http_server *srv = http_start(&hc, e);
    if (!srv) {
        rc = e->code ? e->code : ERR_IO;
    } else {
        fprintf(stderr, "infludash: serving %s (database %s: %s)\n", http_url(srv),
                store_backend(s), store_location(s));
        http_run_until_signal(srv);
        http_stop(srv);
        fprintf(stderr, "infludash: stopped\n");
    }
    app_release(&app);
    store_close(s);
    return rc;
}
