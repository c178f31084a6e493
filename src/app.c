/* app.c — the shared state of the web handlers (app.h): the current engine, swapped whole
 * and reference-counted. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

#include "banned.h"

void app_init(struct app *app, struct store *store, const char *version)
{
    memset(app, 0, sizeof *app);
    pthread_mutex_init(&app->store_lock, NULL);
    pthread_mutex_init(&app->engine_lock, NULL);
    app->store = store;
    app->version = version;
    api_settings_default(&app->settings);
}

static void engine_drop(struct app_engine *ae)
{
    engine_free(ae->eng);
    free(ae);
}

void app_release(struct app *app)
{
    if (app->engine)
        engine_drop(app->engine);
    app->engine = NULL;
    pthread_mutex_destroy(&app->engine_lock);
    pthread_mutex_destroy(&app->store_lock);
}

struct app_engine *app_engine_acquire(struct app *app)
{
    pthread_mutex_lock(&app->engine_lock);
    struct app_engine *ae = app->engine;
    if (ae)
        ae->refs++;
    pthread_mutex_unlock(&app->engine_lock);
    return ae;
}

void app_engine_release(struct app *app, struct app_engine *ae)
{
    if (!ae)
        return;
    pthread_mutex_lock(&app->engine_lock);
    int last = --ae->refs == 0;
    pthread_mutex_unlock(&app->engine_lock);
    if (last)
        engine_drop(ae);
}

void app_engine_publish(struct app *app, struct engine *eng, int64_t version, double load_ms)
{
    struct app_engine *ae = xcalloc(1, sizeof *ae);
    ae->eng = eng;
    ae->refs = 1; /* the app's own reference */
    ae->version = version;
    ae->load_ms = load_ms;
    ae->loaded_at = (int64_t)time(NULL);
    pthread_mutex_lock(&app->engine_lock);
    struct app_engine *old = app->engine;
    app->engine = ae;
    app->engine_error[0] = '\0';
    pthread_mutex_unlock(&app->engine_lock);
    app_engine_release(app, old);
}

void app_engine_failed(struct app *app, const char *why)
{
    pthread_mutex_lock(&app->engine_lock);
    snprintf(app->engine_error, sizeof app->engine_error, "%s", why);
    pthread_mutex_unlock(&app->engine_lock);
}
