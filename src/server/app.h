/* app.h — the state the web handlers share about one workspace: its open store, the engine
 * the analytics endpoints read (replaced whole when the data changes) and what the pages
 * show about the build. One struct app per workspace lives for the whole `serve` run
 * (site.c owns them); handlers reach the request's through req->app, which the guard
 * points at the workspace asked for. Calls pthread, answers, engine, api_data, http and schema. */
#ifndef INFLUDASH_APP_H
#define INFLUDASH_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "answers.h"
#include "api_data.h"
#include "engine.h"
#include "schema.h"
#include "spool.h"
#include "store.h"

/* One loaded engine with the requests using it: the last release of a replaced engine
 * frees it, so a request never sees an engine change under it. */
struct app_engine {
    struct engine *eng;
    int refs;                /* guarded by app.engine_lock */
    int64_t version;         /* store_data_version when it was loaded */
    double load_ms;          /* how long the load took */
    int64_t loaded_at;       /* unix seconds */
    struct answers *answers; /* its answers kept (answers.h); NULL: none kept */
};

struct site;
struct app_loader;

/* The import POST /api/import is running, for GET /api/import/progress (guarded by
 * app.import_lock, taken once per chunk read back). Only the upload holding store_lock
 * writes it; the uploads waiting for that lock are counted in `waiting`. */
enum app_import_phase {
    APP_IMPORT_IDLE,      /* no import running */
    APP_IMPORT_READING,   /* the spooled upload is read back, checked and stored */
    APP_IMPORT_COMMITTING /* every row is in: the transaction is being committed */
};

struct app_import {
    enum app_import_phase phase;
    char file[208];
    char dataset[32]; /* "" until the header tells */
    uint64_t bytes_done, bytes_total;
    uint64_t rows;      /* data rows read so far */
    int64_t started_ms; /* CLOCK_MONOTONIC, milliseconds */
    unsigned waiting;   /* uploads in, waiting for the running import to finish */
    uint64_t seq;       /* imports started since the server did */
};

struct app {
    /* Which workspace this is, in which site (site.h); the site's list of apps. */
    char slug[40];
    struct site *site;
    struct app *next;
    char *db_url;              /* the workspace's database URL (owned) */
    struct store *own_store;   /* the store below when the app opened it (owned) */
    struct app_loader *loader; /* keeps engine current (site.c) */
    /* The store is single-threaded (store.h) and handlers run on many connection threads:
     * every use of `store` holds store_lock, only for the store calls themselves (never
     * while writing to the network). */
    pthread_mutex_t store_lock;
    struct store *store; /* guarded by store_lock; not owned (serve.c opens and closes it) */
    /* The stored rows' counts GET /api/status read last (a count(*) of each dataset: 55 ms
     * at 10,000,000 tracking rows), given again while store_data_version of `store` reads
     * counts_version, which any commit through any connection changes. Guarded by
     * store_lock. */
    int counts_kept;
    int64_t counts_version;
    int64_t counts[DS_COUNT];
    const char *version; /* shown on pages; not owned */
    /* engine_lock guards `engine` and every app_engine's refs, nothing else; it is never
     * held while a query runs. */
    pthread_mutex_t engine_lock;
    struct app_engine *engine;    /* the current one; NULL until the first load finishes */
    char engine_error[256];       /* why the last load failed, "" when it did not */
    struct api_settings settings; /* defaults for every request (benchmarks, iROAS) */
    size_t answer_cache_bytes; /* room for each engine's answers (serve --answer-cache); 0: none */
    const struct schema_config *schema; /* how uploads read rows (the site's); not owned */
    /* Uploads and downloads pass through here (thread-safe on its own); NULL: the upload
     * and download endpoints answer 503. Not owned (serve.c creates and frees it). */
    struct spool *spool;
    /* The running import's progress (GET /api/import/progress). */
    pthread_mutex_t import_lock;
    struct app_import import; /* guarded by import_lock */
    /* Counters for /metrics: atomics, no lock. */
    atomic_uint_fast64_t imports_ok, imports_failed; /* POST /api/import answers */
    atomic_uint_fast64_t engine_loads, engine_load_failures;
};

/* store is not owned by the app; app_release does not close it. */
void app_init(struct app *app, struct store *store, const char *version);
/* Frees the current engine; no request may be running. */
void app_release(struct app *app);

/* The current engine with a reference held, or NULL while none is loaded. Every non-NULL
 * result goes back through app_engine_release. */
struct app_engine *app_engine_acquire(struct app *app);
void app_engine_release(struct app *app, struct app_engine *ae);
/* Makes eng (owned from now on) the current engine; the replaced one is freed when its
 * last request releases it. */
void app_engine_publish(struct app *app, struct engine *eng, int64_t version, double load_ms);
/* Records why a load failed (shown by /api/status callers; "" clears it) and counts it. */
void app_engine_failed(struct app *app, const char *why);
/* The answer while no engine is loaded: 503 with Retry-After, saying why the last load
 * failed when it did, else that the data is still loading. Returns 0. */
struct http_response;
int app_engine_unavailable(struct http_response *res, struct app *app);

/* Appends the app's counters in the Prometheus text format (after http_metrics_write):
 * rows per dataset of the current engine, imports by result, engine loads and the last
 * load's duration, and the current engine's answers kept and given again. */
void app_metrics_write(struct app *app, struct buf *out);

#endif
