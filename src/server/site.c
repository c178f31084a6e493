/* site.c — the workspaces of a `serve` run, their loaders, and the server's access to the
 * accounts (see site.h). Calls app, auth, engine, store and schema. */
#include "site.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "engine.h"

#include "banned.h"

/* Password checks at once: argon2id takes 64 MiB and most of a core each. */
#define HASH_SLOTS 2
/* How often the loader asks the store whether the data changed. */
#define LOADER_POLL_MS 250

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- the engine loader -------------------------------------------------------------- */

/* A thread with its own connection that loads the engine at start and again whenever the
 * stored data changes (an import through this server or any other process), publishing
 * each new engine to the app whole; requests go on with the previous one meanwhile.
 * Between checks it waits on the store's announcement of commits where the backend has
 * one (PostgreSQL LISTEN/NOTIFY: an import through another instance wakes it at once),
 * else sleeps; either way a check comes at least every LOADER_POLL_MS. */
struct app_loader {
    struct app *app;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;                                      /* guarded by lock */
    char last_error[sizeof((struct err *)0)->msg]; /* the last failure logged; the thread's own */
};

/* A failed round: logged when it differs from the last one logged (a database that is down
 * fails every round), and kept for the 503 the analytics answer meanwhile, without the
 * database's own words when the database failed: they name hosts, users, sockets and
 * paths, which are for the log. */
static void loader_failed(struct app_loader *l, const struct err *e)
{
    if (strcmp(l->last_error, e->msg) != 0) {
        fprintf(stderr, "infludash: loading the data of workspace %s failed: %s\n", l->app->slug,
                e->msg);
        snprintf(l->last_error, sizeof l->last_error, "%s", e->msg);
    }
    app_engine_failed(l->app, e->code == ERR_STORE ? "the database failed; the server log says why"
                                                   : e->msg);
}

/* Waits ms or until asked to stop; returns whether to stop. */
static int loader_wait(struct app_loader *l, int ms)
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

/* The stored rows a load left out (engine_skipped), in the log: how many, and the first
 * few with the reason; /api/status lists more. */
static void site_log_skipped(const struct app *app, const struct engine *eng)
{
    size_t total = engine_skipped_count(eng, DS_COUNT), n;
    if (total == 0)
        return;
    const struct engine_skipped_row *rows = engine_skipped(eng, &n);
    fprintf(stderr,
            "infludash: workspace %s: %zu stored row%s left out of the figures (a value the "
            "import would refuse; GET /api/status lists them, importing each again with a "
            "valid value fixes it)\n",
            app->slug, total, total == 1 ? " is" : "s are");
    for (size_t i = 0; i < n && i < 5; i++)
        fprintf(stderr, "infludash:   %s %s: %s: \"%s\": %s\n", schema_dataset(rows[i].ds)->name,
                rows[i].id[0] ? rows[i].id : "(rows)", rows[i].column, rows[i].value,
                rows[i].reason);
}

/* The engine cache file of a workspace (engine_cache_): --engine-cache FILE for the default
 * one and FILE-ws-SLUG for another; without it beside an SQLite file, and none for
 * PostgreSQL (no file of ours beside the database). Appended to out; 0, or -1 for none. */
static int cache_path(const struct app *app, struct buf *out)
{
    const char *given = app->site->engine_cache;
    if (given && given[0]) {
        buf_puts(out, given);
        if (strcmp(app->slug, AUTH_DEFAULT_WORKSPACE) != 0)
            buf_printf(out, "-ws-%s", app->slug);
        return 0;
    }
    if (strcmp(store_backend(app->store), "sqlite") != 0)
        return -1;
    buf_printf(out, "%s.engine", store_location(app->store));
    return 0;
}

/* The engine of a cache file of older data when only tracking rows were appended since
 * (engine_cache_read_base): its engine extended by those rows (engine_extend_snapshot),
 * else NULL after a log line saying why. */
static struct engine *loader_extend_cache(struct app *app, struct store *s, const char *path,
                                          const struct store_stamp *stamp, const char *stale)
{
    struct err e;
    err_clear(&e);
    int64_t version = 0;
    struct engine *base = engine_cache_read_base(path, stamp, app->slug, &version, &e);
    size_t had = base ? engine_count(base, DS_TRACKING) : 0;
    struct engine *eng = base ? engine_extend_snapshot(base, s, &e) : NULL; /* takes base */
    if (!eng && !base) /* why the base is refused too: the rows replaced, or the first reason */
        fprintf(stderr,
                "infludash: workspace %s: the engine cache is not used (%s); loading from the "
                "database\n",
                app->slug, e.code == ERR_NOTFOUND ? stale : e.msg);
    else if (!eng)
        fprintf(stderr,
                "infludash: workspace %s: the engine cache is not used (%s; it cannot be "
                "extended: %s); loading from the database\n",
                app->slug, stale, e.msg);
    else
        fprintf(stderr,
                "infludash: workspace %s: the engine cache of data version %lld extended by "
                "the %zu tracking rows stored since (the database is at %lld)\n",
                app->slug, (long long)version, engine_count(eng, DS_TRACKING) - had,
                (long long)stamp->version);
    return eng;
}

/* At start, before the first load from the store: the engine of the cache file when it was
 * written from exactly the stored data (its stamp), or from older data that only appended
 * tracking rows since (then extended by them, and *extended set: the caller writes the
 * file again), else NULL after a log line saying why it is not used (nothing for a missing
 * file: the load writes one). */
static struct engine *loader_read_cache(struct app *app, struct store *s, const char *path,
                                        double *ms, struct store_stamp *stamp_out, int *extended)
{
    struct err e;
    err_clear(&e);
    struct store_stamp stamp;
    if (store_data_stamp(s, &stamp, &e) < 0) {
        fprintf(stderr, "infludash: workspace %s: the engine cache is not used: %s\n", app->slug,
                e.msg);
        return NULL;
    }
    double t0 = now_ms();
    *extended = 0;
    *stamp_out = stamp;
    struct engine *eng = engine_cache_read(path, &stamp, app->slug, &e);
    if (!eng && e.code == ERR_NOTFOUND)
        return NULL;
    if (!eng) {
        eng = loader_extend_cache(app, s, path, &stamp, e.msg);
        if (!eng)
            return NULL;
        *extended = 1;
    }
    *ms = now_ms() - t0;
    fprintf(stderr,
            "infludash: data loaded in %.0f ms from the engine cache%s (workspace %s: %zu "
            "tracking rows in %zu entries, %zu influencers, %zu posts, %zu payouts)\n",
            *ms, *extended ? " and the rows stored since" : "", app->slug,
            engine_count(eng, DS_TRACKING), engine_cube_size(eng),
            engine_count(eng, DS_INFLUENCERS), engine_count(eng, DS_POSTS),
            engine_count(eng, DS_PAYOUTS));
    return eng;
}

/* After a load from the store, on the loader's thread (requests already use the engine):
 * the cache file for the next start. stamp was read before the load. A failure is logged;
 * the next start loads from the store. */
static void loader_write_cache(struct app *app, const struct engine *eng,
                               const struct store_stamp *stamp, const char *path)
{
    struct err e;
    err_clear(&e);
    double t0 = now_ms();
    if (engine_cache_write(eng, path, stamp, app->slug, &e) < 0)
        fprintf(stderr, "infludash: workspace %s: %s (the next start loads from the database)\n",
                app->slug, e.msg);
    else
        fprintf(stderr, "infludash: workspace %s: engine cache written in %.0f ms\n", app->slug,
                now_ms() - t0);
}

/* On a reload: the engine held (the loader's last published one, the app holds it until the
 * loader publishes another) extended by the tracking rows stored since its stamp (held: the
 * stamp read before it was loaded), when those are all the tracking rows changed; else NULL
 * (then the caller loads every row). now: the stamp read now, before the extension. A
 * change the data version did not count (the poll saw another connection commit, the
 * stamp stayed: a program other than infludash wrote into the database, which can have
 * updated or removed rows) is never taken for appended rows. */
static struct engine *loader_extend_held(struct app *app, struct store *s,
                                         const struct engine *held,
                                         const struct store_stamp *held_stamp,
                                         const struct store_stamp *now, double *ms)
{
    struct err e;
    err_clear(&e);
    if (!held || now->id != held_stamp->id || now->version <= held_stamp->version ||
        now->rewritten > held_stamp->version || engine_can_extend(held, &e) < 0)
        return NULL;
    double t0 = now_ms();
    struct engine *eng = engine_extend_snapshot_from(held, s, &e);
    if (!eng) {
        fprintf(stderr,
                "infludash: workspace %s: the engine is not extended (%s); loading from "
                "the database\n",
                app->slug, e.msg);
        return NULL;
    }
    *ms = now_ms() - t0;
    fprintf(stderr,
            "infludash: data loaded in %.0f ms: the engine extended by the %zu tracking rows "
            "stored since (workspace %s: %zu tracking rows in %zu entries, %zu influencers, %zu "
            "posts, %zu payouts)\n",
            *ms, engine_count(eng, DS_TRACKING) - engine_count(held, DS_TRACKING), app->slug,
            engine_count(eng, DS_TRACKING), engine_cube_size(eng),
            engine_count(eng, DS_INFLUENCERS), engine_count(eng, DS_POSTS),
            engine_count(eng, DS_PAYOUTS));
    return eng;
}

static void *loader_main(void *arg)
{
    struct app_loader *l = arg;
    struct app *app = l->app;
    struct store *s = NULL;
    int64_t loaded = 0;
    int have = 0;
    const struct engine *held = NULL; /* the last one published, and its stamp */
    struct store_stamp held_stamp = {0, 0, 0};
    struct buf cache = BUF_INIT;
    int cached = cache_path(app, &cache) == 0;
    int try_cache = cached; /* once, before the first load from the store */
    do {
        struct err e;
        err_clear(&e);
        /* A deleted or replaced file is not reopened: a new connection would make a new,
         * empty database at the path (or read another one) and the engine would show it. */
        if (store_check_file(app->store, &e) < 0 || (s && store_check_file(s, &e) < 0)) {
            loader_failed(l, &e);
            continue;
        }
        if (!s && store_open(app->db_url, &s, &e) < 0) {
            loader_failed(l, &e);
            s = NULL;
            continue;
        }
        int64_t version;
        if (store_data_version(s, &version, &e) < 0) {
            loader_failed(l, &e);
            store_close(s); /* reconnect on the next round */
            s = NULL;
            continue;
        }
        if (have && version == loaded)
            continue;
        if (!have && try_cache) {
            try_cache = 0;
            double ms = 0;
            struct store_stamp stamp;
            int extended = 0;
            struct engine *eng =
                loader_read_cache(app, s, buf_cstr(&cache), &ms, &stamp, &extended);
            if (eng) {
                site_log_skipped(app, eng);
                app_engine_publish(app, eng, version, ms);
                loaded = version;
                have = 1;
                held = eng;
                held_stamp = stamp;
                if (extended) /* the next start reads it as it is */
                    loader_write_cache(app, eng, &stamp, buf_cstr(&cache));
                continue;
            }
        }
        /* read before the load: the file never claims newer data than it holds */
        struct store_stamp stamp;
        int stamped = store_data_stamp(s, &stamp, &e) == 0;
        err_clear(&e);
        double ms = 0;
        struct engine *eng =
            stamped ? loader_extend_held(app, s, held, &held_stamp, &stamp, &ms) : NULL;
        if (!eng) {
            double t0 = now_ms();
            eng = engine_load_snapshot(s, app->db_url, &e);
            if (!eng) {
                loader_failed(l, &e);
                continue;
            }
            ms = now_ms() - t0;
            fprintf(stderr,
                    "infludash: data loaded in %.0f ms (workspace %s: %zu tracking rows in %zu "
                    "entries, %zu influencers, %zu posts, %zu payouts)\n",
                    ms, app->slug, engine_count(eng, DS_TRACKING), engine_cube_size(eng),
                    engine_count(eng, DS_INFLUENCERS), engine_count(eng, DS_POSTS),
                    engine_count(eng, DS_PAYOUTS));
        }
        l->last_error[0] = '\0';
        site_log_skipped(app, eng);
        app_engine_publish(app, eng, version, ms);
        xmalloc_trim(); /* what the load needed only while it ran */
        loaded = version;
        have = 1;
        held = stamped ? eng : NULL;
        held_stamp = stamp;
        if (stamped && cached) /* the app holds eng until the loader publishes another one */
            loader_write_cache(app, eng, &stamp, buf_cstr(&cache));
    } while (!loader_wait(l, s && store_wait_change(s, LOADER_POLL_MS) >= 0 ? 0 : LOADER_POLL_MS));
    store_close(s);
    buf_release(&cache);
    return NULL;
}

static int loader_start(struct app *app, struct err *e)
{
    struct app_loader *l = xcalloc(1, sizeof *l);
    l->app = app;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    int rc = pthread_create(&l->thread, NULL, loader_main, l);
    if (rc != 0) {
        pthread_cond_destroy(&l->wake);
        pthread_mutex_destroy(&l->lock);
        free(l);
        return err_set(e, ERR_IO, "cannot start the data loader: %s", strerror(rc));
    }
    app->loader = l;
    return 0;
}

static void loader_stop(struct app_loader *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stop = 1;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    pthread_join(l->thread, NULL);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/* ---- workspaces -------------------------------------------------------------------- */

static struct app *app_new(struct site *site, const char *slug, const char *db_url,
                           struct store *store)
{
    struct app *app = xcalloc(1, sizeof *app);
    app_init(app, store, site->version);
    snprintf(app->slug, sizeof app->slug, "%s", slug);
    app->site = site;
    app->db_url = xstrdup(db_url);
    app->spool = site->spool;
    app->settings = site->settings;
    app->answer_cache_bytes = site->answer_cache_bytes;
    app->schema = &site->schema;
    return app;
}

static void app_free(struct app *app)
{
    loader_stop(app->loader);
    app_release(app);
    store_close(app->own_store);
    free(app->db_url);
    free(app);
}

/* Loads every workspace that exists now, so that their first requests find the data
 * loaded (later ones start on first use). Failures are logged: they do not stop the
 * server, and the workspace's requests say what is wrong. */
static void site_start_workspaces(struct site *site)
{
    struct err e;
    err_clear(&e);
    struct store *acc = site_accounts_begin(site, 0, &e);
    if (!acc)
        return;
    struct auth_workspace *ws = NULL;
    size_t n = 0;
    int rc = auth_workspace_list(acc, &ws, &n, &e);
    site_accounts_end(site);
    if (rc < 0)
        fprintf(stderr, "infludash: listing the workspaces failed: %s\n", e.msg);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (strcmp(ws[i].slug, AUTH_DEFAULT_WORKSPACE) != 0 && !site_app(site, ws[i].slug, &e))
            fprintf(stderr, "infludash: opening workspace %s failed: %s\n", ws[i].slug, e.msg);
    free(ws);
}

int site_init(struct site *site, const char *db_url, struct store *store, const char *version,
              struct spool *spool, const struct api_settings *settings,
              const struct schema_config *schema, const char *engine_cache,
              size_t answer_cache_bytes, struct err *e)
{
    memset(site, 0, sizeof *site);
    site->engine_cache = engine_cache;
    site->answer_cache_bytes = answer_cache_bytes;
    if (schema)
        site->schema = *schema;
    else
        schema_config_default(&site->schema);
    site->db_url = db_url;
    site->version = version;
    site->spool = spool;
    site->settings = *settings;
    site->session_ttl = 12 * 3600;
    pthread_mutex_init(&site->lock, NULL);
    pthread_mutex_init(&site->accounts_lock, NULL);
    pthread_mutex_init(&site->hash_lock, NULL);
    pthread_mutex_init(&site->tax_lock, NULL);
    pthread_cond_init(&site->hash_free, NULL);
    auth_throttle_init(&site->throttle);
    atomic_store(&site->open_checked_ms, -1);
    atomic_store(&site->open, 1);
    int rc = auth_init(e);
    if (rc == 0) {
        site->apps = app_new(site, AUTH_DEFAULT_WORKSPACE, db_url, store);
        rc = loader_start(site->apps, e);
    }
    if (rc < 0) {
        site_release(site);
        return rc;
    }
    site_start_workspaces(site);
    return 0;
}

void site_release(struct site *site)
{
    struct app *lists[] = {site->apps, site->retired};
    for (size_t i = 0; i < 2; i++) {
        struct app *app = lists[i];
        while (app) {
            struct app *next = app->next;
            app_free(app);
            app = next;
        }
    }
    site->apps = site->retired = NULL;
    store_close(site->accounts);
    site->accounts = NULL;
    auth_throttle_release(&site->throttle);
    pthread_cond_destroy(&site->hash_free);
    pthread_mutex_destroy(&site->tax_lock);
    pthread_mutex_destroy(&site->hash_lock);
    pthread_mutex_destroy(&site->accounts_lock);
    pthread_mutex_destroy(&site->lock);
}

struct app *site_default_app(struct site *site)
{
    return site->apps;
}

struct app *site_app(struct site *site, const char *slug, struct err *e)
{
    pthread_mutex_lock(&site->lock);
    struct app *app = site->apps;
    while (app && strcmp(app->slug, slug) != 0)
        app = app->next;
    if (!app) {
        struct store *s = NULL;
        struct buf url = BUF_INIT;
        char part[AUTH_SLUG_MAX + 8];
        snprintf(part, sizeof part, "ws-%s", slug);
        store_part_url(site->db_url, part, &url);
        if (auth_workspace_store(site->db_url, slug, 1, &s, e) == 0) {
            app = app_new(site, slug, buf_cstr(&url), s);
            app->own_store = s;
            if (loader_start(app, e) < 0) {
                app_free(app);
                app = NULL;
            } else {
                /* after the default one, which stays first */
                app->next = site->apps->next;
                site->apps->next = app;
            }
        }
        buf_release(&url);
    }
    pthread_mutex_unlock(&site->lock);
    return app;
}

void site_retire(struct site *site, const char *slug)
{
    pthread_mutex_lock(&site->lock);
    struct app **link = &site->apps->next; /* never the default one */
    while (*link && strcmp((*link)->slug, slug) != 0)
        link = &(*link)->next;
    struct app *app = *link;
    if (app) {
        *link = app->next;
        app->next = site->retired;
        site->retired = app;
    }
    pthread_mutex_unlock(&site->lock);
    if (app) {
        loader_stop(app->loader);
        app->loader = NULL;
    }
}

/* ---- accounts ---------------------------------------------------------------------- */

/* Opens the accounts database when it has appeared (a `user add` elsewhere). Under
 * accounts_lock. */
static int accounts_open(struct site *site, int create, struct err *e)
{
    if (site->accounts)
        return 0;
    return auth_open(site->db_url, create, &site->accounts, e);
}

struct store *site_accounts_begin(struct site *site, int create, struct err *e)
{
    pthread_mutex_lock(&site->accounts_lock);
    if (site->accounts && store_check_file(site->accounts, e) < 0) {
        /* kept open: reopening would find no accounts, or others, at the path */
        pthread_mutex_unlock(&site->accounts_lock);
        return NULL;
    }
    if (accounts_open(site, create, e) < 0) {
        site->accounts = NULL;
        pthread_mutex_unlock(&site->accounts_lock);
        return NULL;
    }
    return site->accounts;
}

/* Whether workspace slug is still recorded (1), or was removed by another process (0, a
 * `workspace del` on the command line: its file went with it, and that is no fault). */
static int workspace_still_exists(struct site *site, const char *slug)
{
    struct err e;
    err_clear(&e);
    struct store *acc = site_accounts_begin(site, 0, &e);
    if (!acc)
        return 1;
    int rc = auth_workspace_exists(acc, slug, &e);
    site_accounts_end(site);
    return rc != 0; /* (an error: cannot tell, so it still counts) */
}

int site_check_files(struct site *site, struct err *e)
{
    int rc = 0;
    char failed[sizeof site->apps->slug] = "";
    pthread_mutex_lock(&site->lock);
    for (const struct app *app = site->apps; app && rc == 0; app = app->next)
        if ((rc = store_check_file(app->store, e)) < 0)
            snprintf(failed, sizeof failed, "%s", app->slug);
    pthread_mutex_unlock(&site->lock);
    if (rc < 0 && strcmp(failed, AUTH_DEFAULT_WORKSPACE) != 0 &&
        !workspace_still_exists(site, failed)) {
        site_retire(site, failed);
        return site_check_files(site, e); /* the others */
    }
    if (rc == 0) {
        pthread_mutex_lock(&site->accounts_lock);
        if (site->accounts)
            rc = store_check_file(site->accounts, e);
        pthread_mutex_unlock(&site->accounts_lock);
    }
    return rc;
}

void site_accounts_end(struct site *site)
{
    pthread_mutex_unlock(&site->accounts_lock);
}

int site_is_open(struct site *site)
{
    double now = now_ms();
    long long checked = atomic_load(&site->open_checked_ms);
    if (checked >= 0 && now - (double)checked < 1000)
        return atomic_load(&site->open);
    pthread_mutex_lock(&site->accounts_lock);
    checked = atomic_load(&site->open_checked_ms);
    if (checked < 0 || now - (double)checked >= 1000) {
        struct err e;
        err_clear(&e);
        int64_t users = 0;
        int rc = site->accounts ? store_check_file(site->accounts, &e) : 0;
        if (rc < 0) {
            /* the accounts file went: stay closed (and keep it, see site_accounts_begin) */
            atomic_store(&site->open, 0);
            atomic_store(&site->open_checked_ms, (long long)now);
            pthread_mutex_unlock(&site->accounts_lock);
            return 0;
        }
        rc = accounts_open(site, 0, &e);
        if (rc == 0)
            rc = auth_user_count(site->accounts, &users, &e);
        if (rc < 0 && e.code != ERR_NOTFOUND) {
            /* cannot tell: stay closed rather than open the door */
            fprintf(stderr, "infludash: reading the accounts failed: %s\n", e.msg);
            users = 1;
            if (site->accounts) {
                store_close(site->accounts); /* reconnect next time */
                site->accounts = NULL;
            }
        }
        atomic_store(&site->open, users == 0);
        atomic_store(&site->open_checked_ms, (long long)now);
    }
    pthread_mutex_unlock(&site->accounts_lock);
    return atomic_load(&site->open);
}

void site_accounts_changed(struct site *site)
{
    atomic_store(&site->open_checked_ms, -1);
}

void site_hash_begin(struct site *site)
{
    pthread_mutex_lock(&site->hash_lock);
    while (site->hashing >= HASH_SLOTS)
        pthread_cond_wait(&site->hash_free, &site->hash_lock);
    site->hashing++;
    pthread_mutex_unlock(&site->hash_lock);
}

void site_hash_end(struct site *site)
{
    pthread_mutex_lock(&site->hash_lock);
    site->hashing--;
    pthread_cond_signal(&site->hash_free);
    pthread_mutex_unlock(&site->hash_lock);
}
