/* jobs.h — SPEC §9's jobs as the commands and the server run them: a stored source synced
 * (its token opened, connect_sync into its workspace, the run recorded, a url's ETag kept),
 * a stored scheduled report made (its period resolved, its filters applied, the file written
 * to a folder or mailed), and the scheduler's pass over every job that is due.
 *
 * The records are the store's (store_source, store_report, store_run) in the
 * installation's main database; the data goes to each job's workspace. Due times follow
 * schedule.h in the installation's zone; a run due several times while nobody ran it runs
 * once. Before running a due job the scheduler claims it (store_job_claim), so two servers
 * on one PostgreSQL database run it once. Nothing here prints: each finished run is handed
 * to a callback. Calls connect, schedule, mail, secret, auth, report, engine,
 * filter, api_data, api_tax, tax, tax_builtin, store, schema, format, form, tz, buf and err. */
#ifndef INFLUDASH_JOBS_H
#define INFLUDASH_JOBS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "tz.h"

struct schema_config;
struct tax_rules;

struct jobs_config {
    const char *db_url;    /* the installation (--db): key file, workspaces */
    const struct tz *zone; /* schedules, post dates and report periods */
    int64_t now;           /* the instant due times are judged at; 0: the clock */
    const char *ca_file;   /* an extra trust anchor for HTTPS and SMTP (NULL: the system's) */
    int mail_attempts;     /* 0: mail's default (3 attempts, 5 s then 10 s) */
    double mail_backoff;   /* first wait between mail attempts; 0: mail's default */
    const struct schema_config *schema; /* what a sync's rows may hold (--platforms); NULL:
                                           the defaults */
    /* A PDF or XLSX report's tax table (SPEC 10): the rules table (NULL: the built-in one),
     * the lock held while reading it (serve's can be replaced; NULL: none) and the brand's
     * GST state code (0: unknown). */
    const struct tax_rules *tax_rules;
    pthread_mutex_t *tax_lock;
    int gst_state;
};

/* The installation's time zone: $INFLUDASH_TZ when set, else TZ_DEFAULT (Asia/Kolkata). */
int jobs_zone_load(struct tz **out, struct err *e);

/* Syncs the source into its workspace and records the run in main (the store of
 * c->db_url). Returns 0 when the sync succeeded (or a url was unchanged), else its error;
 * *run (when not NULL) gets the record either way. */
int jobs_sync(struct store *main, const struct jobs_config *c, const struct store_source *src,
              struct store_run *run, struct err *e);

/* Makes the report and delivers it (a folder, or e-mail with retries); records the run. */
int jobs_report(struct store *main, const struct jobs_config *c, const struct store_report *r,
                struct store_run *run, struct err *e);

/* What a job's record says about its next run: the first due instant after now (0 when it
 * has no schedule), and whether a run is due now. last is when it last ran (its claimed
 * due time) or, if never, when it was added. */
int64_t jobs_next_run(const char *schedule, const struct tz *z, int64_t last, int64_t now);
int jobs_is_due(const char *schedule, const struct tz *z, int64_t last, int64_t now);

/* Runs every source sync, then every report, that is due at c->now (all of them when
 * force: `schedule run --now`, which claims nothing). Each due job is claimed first; a job
 * another scheduler claimed is left to it. fn (when not NULL) gets each finished run.
 * *ran and *failed count the runs. Returns 0 when every run succeeded, ERR_INPUT when one
 * failed, or a store error that stopped the pass. */
typedef void (*jobs_run_fn)(void *ctx, const struct store_run *run);
int jobs_run_due(struct store *main, const struct jobs_config *c, int force, jobs_run_fn fn,
                 void *ctx, size_t *ran, size_t *failed, struct err *e);

#endif
