/* site.h — what one `serve` run holds across workspaces (docs/accounts.md): a struct app per
 * workspace (its store, its engine and the loader thread that keeps the engine current),
 * opened on first use; the accounts database with its own lock; the throttle of failed
 * sign-ins; and a bound on argon2id checks running at once. Calls app, auth, engine,
 * store, schema, tax and pthread.
 *
 * Locks: `lock` guards the list of apps; `accounts_lock` guards `accounts` and is held only
 * for the accounts calls themselves (never while hashing a password or writing to the
 * network). An app, once created, lives until site_release. */
#ifndef INFLUDASH_SITE_H
#define INFLUDASH_SITE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "app.h"
#include "auth.h"
#include "err.h"
#include "spool.h"
#include "store.h"
#include "tax.h"

struct jobs_config;

struct site {
    const char *db_url; /* not owned */
    /* the default workspace's engine cache file (FILE-ws-SLUG another's), or NULL: beside an
     * SQLite database, none for PostgreSQL (not owned) */
    const char *engine_cache;
    /* Room for each workspace's engine's answers (app.answer_cache_bytes); 0: none kept. */
    size_t answer_cache_bytes;
    const char *version;          /* not owned */
    struct spool *spool;          /* shared by every app; not owned */
    struct api_settings settings; /* every app's defaults */
    int64_t session_ttl;          /* seconds */
    int trust_proxy; /* the client is X-Forwarded-For's last address (serve --trust-proxy) */
    /* How sources are synced and reports made (the zone, a trust anchor), for the routes
     * of sources; not owned (serve.c sets it after site_init). */
    const struct jobs_config *jobs;
    struct schema_config schema; /* how every app's uploads read their rows (--platforms) */
    /* The TDS rules table (serve --tax-rules FILE, else the built-in one) and the brand's
     * GST state (--gst-state; 0: not set). tax_lock guards the table, which an admin may
     * replace (POST /api/payouts/tax-rules); held only while a document is computed. */
    pthread_mutex_t tax_lock;
    struct tax_rules *tax_rules;
    const char *tax_rules_path; /* the file it came from and is saved to; NULL: built in */
    int gst_state;

    pthread_mutex_t lock;
    struct app *apps;    /* guarded by lock; the default workspace's first */
    struct app *retired; /* guarded by lock: apps of removed workspaces, freed at release */

    pthread_mutex_t accounts_lock;
    struct store *accounts;       /* guarded by accounts_lock; NULL while none exists */
    atomic_llong open_checked_ms; /* when `open` was last checked (monotonic ms; -1: never) */
    atomic_int open;              /* 1 while no user exists (cached for a second) */

    struct auth_throttle throttle;
    pthread_mutex_t hash_lock;
    pthread_cond_t hash_free;
    int hashing; /* guarded by hash_lock */
};

/* store: the default workspace's connection for its handlers (not owned). engine_cache,
 * answer_cache_bytes: see struct site. Starts the default workspace's loader. */
int site_init(struct site *site, const char *db_url, struct store *store, const char *version,
              struct spool *spool, const struct api_settings *settings,
              const struct schema_config *schema, const char *engine_cache,
              size_t answer_cache_bytes, struct err *e);
/* Stops every loader and frees every app but the default one's store. No request may run. */
void site_release(struct site *site);

/* The default workspace's app (never NULL after site_init). */
struct app *site_default_app(struct site *site);
/* The app of workspace slug, opened (and its loader started) on first use; NULL with e
 * filled when it cannot be opened. The caller has checked that the workspace exists. */
struct app *site_app(struct site *site, const char *slug, struct err *e);

/* After workspace slug was removed: stops its loader and sets its app aside (requests in
 * flight may still hold it; it is freed by site_release), so that a workspace made later
 * under the same name starts afresh. */
void site_retire(struct site *site, const char *slug);

/* Whether no user exists (the installation is open); checked at most once a second, and
 * at once after site_accounts_changed. */
int site_is_open(struct site *site);
void site_accounts_changed(struct site *site);
/* The accounts database under accounts_lock, opened when it exists (create: also made when
 * it does not); NULL (lock not held) when it does not exist yet, with e->code ERR_NOTFOUND,
 * or cannot be opened (or its file was deleted or replaced: ERR_STORE). Every non-NULL result
 * goes back through site_accounts_end. */
struct store *site_accounts_begin(struct site *site, int create, struct err *e);
void site_accounts_end(struct site *site);

/* 0 while every database file the server has open (each workspace's, the accounts') is
 * still the one at its path; else ERR_STORE with the message of the first that was deleted
 * or replaced (store_check_file). Takes the site's locks for a moment: not for a caller
 * holding one. */
int site_check_files(struct site *site, struct err *e);

/* Waits for one of the few slots for a password check (argon2id takes 64 MiB and most of a
 * core), and gives it back. */
void site_hash_begin(struct site *site);
void site_hash_end(struct site *site);

#endif
