/* app.c — the shared state of the web handlers (app.h): the current engine, swapped whole
 * and reference-counted, with the answers given over it. Calls answers, engine, api_data,
 * http and schema. */
#include "app.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "http.h"
#include "schema.h"

#include "banned.h"

void app_init(struct app *app, struct store *store, const char *version)
{
    memset(app, 0, sizeof *app);
    pthread_mutex_init(&app->store_lock, NULL);
    pthread_mutex_init(&app->engine_lock, NULL);
    pthread_mutex_init(&app->import_lock, NULL);
    app->store = store;
    app->version = version;
    api_settings_default(&app->settings);
}

/* The engine freed, and the memory it held given back to the system at once: it was
 * allocated on the loader's threads, whose arenas would otherwise keep it in the server's
 * RSS while the next load grows its own. */
static void engine_drop(struct app_engine *ae)
{
    answers_free(ae->answers);
    engine_free(ae->eng);
    free(ae);
    xmalloc_trim();
}

void app_release(struct app *app)
{
    if (app->engine)
        engine_drop(app->engine);
    app->engine = NULL;
    pthread_mutex_destroy(&app->import_lock);
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
    ae->answers = answers_new(app->answer_cache_bytes);
    pthread_mutex_lock(&app->engine_lock);
    struct app_engine *old = app->engine;
    app->engine = ae;
    app->engine_error[0] = '\0';
    pthread_mutex_unlock(&app->engine_lock);
    app_engine_release(app, old);
    atomic_fetch_add_explicit(&app->engine_loads, 1, memory_order_relaxed);
}

int app_engine_unavailable(struct http_response *res, struct app *app)
{
    char why[sizeof app->engine_error];
    pthread_mutex_lock(&app->engine_lock);
    snprintf(why, sizeof why, "%s", app->engine_error);
    pthread_mutex_unlock(&app->engine_lock);
    http_response_header(res, "Retry-After", "1");
    if (why[0])
        return http_response_err(res, ERR_UNAVAILABLE,
                                 "the data could not be loaded (%s); the server tries again "
                                 "every second",
                                 why);
    return http_response_err(res, ERR_UNAVAILABLE, "the data is still loading; try again shortly");
}

void app_engine_failed(struct app *app, const char *why)
{
    pthread_mutex_lock(&app->engine_lock);
    snprintf(app->engine_error, sizeof app->engine_error, "%s", why);
    pthread_mutex_unlock(&app->engine_lock);
    if (why[0])
        atomic_fetch_add_explicit(&app->engine_load_failures, 1, memory_order_relaxed);
}

void app_metrics_write(struct app *app, struct buf *out)
{
    buf_puts(out, "# HELP infludash_rows Rows of each dataset in the loaded data.\n"
                  "# TYPE infludash_rows gauge\n");
    struct app_engine *ae = app_engine_acquire(app);
    if (ae) {
        for (int ds = 0; ds < DS_COUNT; ds++)
            buf_printf(out, "infludash_rows{dataset=\"%s\"} %zu\n", schema_dataset(ds)->name,
                       engine_count(ae->eng, ds));
    }
    double load_seconds = ae ? ae->load_ms / 1e3 : 0;
    int64_t loaded_at = ae ? ae->loaded_at : 0;
    struct answers_stats kept;
    answers_stats(ae ? ae->answers : NULL, &kept);
    app_engine_release(app, ae);
    buf_printf(out,
               "# HELP infludash_imports_total Imports through POST /api/import, by result.\n"
               "# TYPE infludash_imports_total counter\n"
               "infludash_imports_total{result=\"ok\"} %" PRIuFAST64 "\n"
               "infludash_imports_total{result=\"failed\"} %" PRIuFAST64 "\n"
               "# HELP infludash_engine_loads_total Loads of the data into memory, by result.\n"
               "# TYPE infludash_engine_loads_total counter\n"
               "infludash_engine_loads_total{result=\"ok\"} %" PRIuFAST64 "\n"
               "infludash_engine_loads_total{result=\"failed\"} %" PRIuFAST64 "\n"
               "# HELP infludash_engine_last_load_seconds How long the current data took to "
               "load.\n# TYPE infludash_engine_last_load_seconds gauge\n"
               "infludash_engine_last_load_seconds %.3f\n"
               "# HELP infludash_engine_loaded_timestamp_seconds When the current data was "
               "loaded (unix time; 0: not yet).\n"
               "# TYPE infludash_engine_loaded_timestamp_seconds gauge\n"
               "infludash_engine_loaded_timestamp_seconds %" PRId64 "\n"
               "# HELP infludash_answers_total Analytics answers of the current data, by whether "
               "they were computed or given again.\n"
               "# TYPE infludash_answers_total counter\n"
               "infludash_answers_total{result=\"computed\"} %" PRIu64 "\n"
               "infludash_answers_total{result=\"kept\"} %" PRIu64 "\n"
               "# HELP infludash_answers_kept_bytes Bytes of the current data's answers kept.\n"
               "# TYPE infludash_answers_kept_bytes gauge\n"
               "infludash_answers_kept_bytes %zu\n",
               atomic_load(&app->imports_ok), atomic_load(&app->imports_failed),
               atomic_load(&app->engine_loads), atomic_load(&app->engine_load_failures),
               load_seconds, loaded_at, kept.misses, kept.hits, kept.bytes);
}
