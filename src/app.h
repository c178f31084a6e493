/* app.h — the state the web handlers share: the open store and what the pages show about
 * the build. One struct app lives for the whole `serve` run (owned by the CLI); handlers
 * reach it through req->app. Calls pthread and store. */
#ifndef INFLUDASH_APP_H
#define INFLUDASH_APP_H

#include <pthread.h>

#include "store.h"

struct app {
    /* The store is single-threaded (store.h) and handlers run on many connection threads:
     * every use of `store` holds store_lock, only for the store calls themselves (never
     * while writing to the network). It is the only lock of struct app. */
    pthread_mutex_t store_lock;
    struct store *store; /* guarded by store_lock; not owned (the CLI opens and closes it) */
    const char *version; /* shown on pages; not owned */
};

/* store is not owned by the app; app_release does not close it. */
static inline void app_init(struct app *app, struct store *store, const char *version)
{
    pthread_mutex_init(&app->store_lock, NULL);
    app->store = store;
    app->version = version;
}

static inline void app_release(struct app *app)
{
    pthread_mutex_destroy(&app->store_lock);
}

#endif
