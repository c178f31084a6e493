/* serve.c — the `serve` command's runtime (see serve.h).
 * Calls site, scheduler, jobs, tz, routes, http, store, spool, demo, tax, tax_builtin,
 * api_data and schema. */
#include "serve.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "site.h"
#include "demo.h"
#include "http.h"
#include "jobs.h"
#include "routes.h"
#include "scheduler.h"
#include "spool.h"
#include "store.h"
#include "tax.h"
#include "tz.h"

#include "banned.h"

void serve_config_default(struct serve_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = HTTP_DEFAULT_LISTEN;
    cfg->sample_rows = 20000;
    cfg->roas_benchmark = 4.0;
    cfg->roi_benchmark = 2.0;
    cfg->answer_cache_mb = 32;
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
    struct demo_opts d = {.rows = cfg->sample_rows,
                          .seed = 42,
                          .progress = 0,
                          .audit_actor = "serve --sample-if-empty",
                          .audit_workspace = "default"};
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
    struct spool *spool = spool_new(0, e);
    if (!spool) {
        store_close(s);
        return e->code;
    }
    size_t stale = 0;
    struct err stale_err;
    err_clear(&stale_err);
    if (spool_remove_stale(spool, &stale, &stale_err) < 0)
        fprintf(stderr, "infludash: %s\n", stale_err.msg); /* not a reason to stop */
    else if (stale > 0)
        fprintf(stderr,
                "infludash: removed the temporary files of %zu server%s that did not "
                "stop cleanly\n",
                stale, stale == 1 ? "" : "s");
    struct api_settings settings;
    api_settings_default(&settings);
    settings.insights.roas_benchmark = cfg->roas_benchmark;
    settings.insights.roi_benchmark = cfg->roi_benchmark;
    struct tax_rules rules;
    tax_rules_init(&rules);
    rc = cfg->tax_rules ? tax_rules_load(&rules, cfg->tax_rules, e) : tax_rules_builtin(&rules, e);
    /* the installation's time zone — --tz, else $INFLUDASH_TZ, else Asia/Kolkata: the
     * schedules run in it, "as_of" and the times the pages show are written in it */
    struct tz *zone = NULL;
    if (rc == 0) {
        rc = cfg->tz ? tz_load(cfg->tz, &zone, e) : jobs_zone_load(&zone, e);
        if (rc < 0 && cfg->tz)
            err_prefix(e, "--tz");
    }
    if (rc < 0) {
        tax_rules_release(&rules);
        spool_free(spool);
        store_close(s);
        return rc;
    }
    settings.tz = zone;
    struct schema_config schema;
    schema_config_default(&schema);
    if (cfg->platforms)
        schema.platforms = cfg->platforms;
    struct site site;
    if ((rc = site_init(&site, cfg->db_url, s, cfg->version, spool, &settings, &schema,
                        cfg->engine_cache, (size_t)cfg->answer_cache_mb << 20, e)) < 0) {
        tax_rules_release(&rules);
        tz_free(zone);
        spool_free(spool);
        store_close(s);
        return rc;
    }
    site.tax_rules = &rules;
    site.tax_rules_path = cfg->tax_rules;
    site.gst_state = cfg->gst_state;
    if (cfg->session_ttl)
        site.session_ttl = (int64_t)cfg->session_ttl;
    site.trust_proxy = cfg->trust_proxy;
    struct jobs_config jobs = {.db_url = cfg->db_url,
                               .zone = zone,
                               .ca_file = cfg->ca_file,
                               .schema = &site.schema,
                               .tax_rules = &rules,
                               .tax_lock = &site.tax_lock,
                               .gst_state = cfg->gst_state};
    site.jobs = &jobs;
    struct scheduler *scheduler = NULL;
    struct http_config hc;
    http_config_default(&hc);
    hc.listen = cfg->listen;
    hc.max_body = cfg->max_body_bytes;
    hc.max_upload = cfg->max_upload_bytes;
    hc.connection_limit = cfg->max_connections;
    hc.connection_timeout = cfg->idle_timeout;
    hc.header_timeout = cfg->header_timeout;
    hc.per_client_limit = cfg->max_connections_per_client;
    routes_install(&hc, site_default_app(&site));
    struct http_server *srv = http_start(&hc, e);
    if (!srv) {
        rc = e->code ? e->code : ERR_IO;
    } else {
        fprintf(stderr, "infludash: serving %s (database %s: %s)%s\n", http_url(srv),
                store_backend(s), store_location(s),
                site_is_open(&site) ? "; no user accounts exist, so it is open to anyone who "
                                      "can reach it"
                                    : "");
        struct err sched_err;
        err_clear(&sched_err);
        if (!cfg->no_scheduler && scheduler_start(&jobs, &scheduler, &sched_err) < 0)
            fprintf(stderr, "infludash: %s: sources and reports will not run by themselves\n",
                    sched_err.msg);
        http_run_until_signal(srv);
        scheduler_stop(scheduler);
        http_stop(srv);
        fprintf(stderr, "infludash: stopped\n");
    }
    site_release(&site);
    tax_rules_release(&rules);
    tz_free(zone);
    spool_free(spool);
    store_close(s);
    return rc;
}
