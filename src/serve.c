/* serve.c — the `serve` command's runtime (see serve.h). */
#include "serve.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "demo.h"
#include "http.h"
#include "routes.h"
#include "spool.h"
#include "store.h"

#include "banned.h"

void serve_config_default(struct serve_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = HTTP_DEFAULT_LISTEN;
    cfg->sample_rows = 20000;
    cfg->roas_benchmark = 4.0;
    cfg->roi_benchmark = 2.0;
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

/* ---- the engine loader -------------------------------------------------------------- */

/* How often the loader asks the store whether the data changed. */
#define LOADER_POLL_MS 250

/* A thread with its own connection that loads the engine at start and again whenever the
 * stored data changes (an import through this server or any other process), publishing
 * each new engine to the app whole; requests go on with the previous one meanwhile.
 * Between checks it waits on the store's announcement of commits where the backend has
 * one (PostgreSQL LISTEN/NOTIFY: an import through another instance wakes it at once),
 * else sleeps; either way a check comes at least every LOADER_POLL_MS. */
struct loader {
    struct app *app;
    const char *db_url;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop; /* guarded by lock */
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Waits ms or until asked to stop; returns whether to stop. */
static int loader_wait(struct loader *l, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += (long)ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&l->lock);
    while (!l->stop && pthread_cond_timedwait(&l->wake, &l->lock, &until) != ETIMEDOUT)
        ;
    int stop = l->stop;
    pthread_mutex_unlock(&l->lock);
    return stop;
}

static void *loader_main(void *arg)
{
    struct loader *l = arg;
    struct store *s = NULL;
    int64_t loaded = 0;
    int have = 0;
    do {
        struct err e;
        err_clear(&e);
        if (!s && store_open(l->db_url, &s, &e) < 0) {
            app_engine_failed(l->app, e.msg);
            s = NULL;
            continue;
        }
        int64_t version;
        if (store_data_version(s, &version, &e) < 0) {
            app_engine_failed(l->app, e.msg);
            store_close(s); /* reconnect on the next round */
            s = NULL;
            continue;
        }
        if (have && version == loaded)
            continue;
        double t0 = now_ms();
        struct engine *eng = engine_load_snapshot(s, l->db_url, &e);
        if (!eng) {
            fprintf(stderr, "infludash: loading the data failed: %s\n", e.msg);
            app_engine_failed(l->app, e.msg);
            continue;
        }
        double ms = now_ms() - t0;
        fprintf(stderr,
                "infludash: data loaded in %.0f ms (%zu tracking rows in %zu entries, %zu "
                "influencers, %zu posts, %zu payouts)\n",
                ms, engine_count(eng, DS_TRACKING), engine_cube_size(eng),
                engine_count(eng, DS_INFLUENCERS), engine_count(eng, DS_POSTS),
                engine_count(eng, DS_PAYOUTS));
        app_engine_publish(l->app, eng, version, ms);
        loaded = version;
        have = 1;
    } while (!loader_wait(l, s && store_wait_change(s, LOADER_POLL_MS) >= 0 ? 0 : LOADER_POLL_MS));
    store_close(s);
    return NULL;
}

static int loader_start(struct loader *l, struct app *app, const char *db_url, struct err *e)
{
    memset(l, 0, sizeof *l);
    l->app = app;
    l->db_url = db_url;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    int rc = pthread_create(&l->thread, NULL, loader_main, l);
    if (rc != 0) {
        pthread_cond_destroy(&l->wake);
        pthread_mutex_destroy(&l->lock);
        return err_set(e, ERR_IO, "cannot start the data loader: %s", strerror(rc));
    }
    return 0;
}

static void loader_stop(struct loader *l)
{
    pthread_mutex_lock(&l->lock);
    l->stop = 1;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    pthread_join(l->thread, NULL);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
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
    struct app app;
    app_init(&app, s, cfg->version);
    app.spool = spool;
    app.settings.insights.roas_benchmark = cfg->roas_benchmark;
    app.settings.insights.roi_benchmark = cfg->roi_benchmark;
    struct loader loader;
    if ((rc = loader_start(&loader, &app, cfg->db_url, e)) < 0) {
        app_release(&app);
        spool_free(spool);
        store_close(s);
        return rc;
    }
    struct http_config hc;
    http_config_default(&hc);
    hc.listen = cfg->listen;
    hc.max_body = cfg->max_body_bytes;
    hc.max_upload = cfg->max_upload_bytes;
    hc.connection_limit = cfg->max_connections;
    hc.connection_timeout = cfg->idle_timeout;
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
    loader_stop(&loader);
    app_release(&app);
    spool_free(spool);
    store_close(s);
    return rc;
}
