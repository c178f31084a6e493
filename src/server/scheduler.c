/* scheduler.c — the thread of `serve` that runs the due syncs and reports (see
 * scheduler.h). Calls jobs, store and pthread. */
#include "scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "store.h"

#include "banned.h"

struct scheduler {
    const struct jobs_config *c;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop; /* guarded by lock */
};

/* Waits until the wall clock reaches unix second `until`, or until asked to stop; returns
 * whether to stop. */
static int wait_until(struct scheduler *s, int64_t until)
{
    struct timespec t = {(time_t)until, 0};
    pthread_mutex_lock(&s->lock);
    while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &t) != ETIMEDOUT)
        ;
    int stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static void log_run(void *ctx, const struct store_run *run)
{
    (void)ctx;
    const char *kind = run->job == STORE_JOB_SOURCE ? "source" : "report";
    if (!strcmp(run->result, "failed"))
        fprintf(stderr, "infludash: schedule: %s %s failed: %s\n", kind, run->name, run->error);
    else
        fprintf(stderr, "infludash: schedule: %s %s: %s, %lld row%s%s%s\n", kind, run->name,
                run->result, (long long)run->rows, run->rows == 1 ? "" : "s",
                *run->detail ? "; " : "", run->detail);
}

/* One pass over what is due now, on a connection of its own (opened each time, so that a
 * database that was down is reached again at the next minute). */
static void pass(struct scheduler *s, char *last_error, size_t cap)
{
    struct store *main = NULL;
    struct err e;
    err_clear(&e);
    struct jobs_config c = *s->c;
    c.now = (int64_t)time(NULL);
    int rc = store_open(c.db_url, &main, &e);
    if (rc == 0)
        rc = jobs_run_due(main, &c, 0, log_run, NULL, NULL, NULL, &e);
    store_close(main);
    /* a failed run was logged by log_run; a failure of the pass itself once per message */
    if (rc < 0 && e.code != ERR_INPUT && strcmp(last_error, e.msg) != 0)
        fprintf(stderr, "infludash: schedule: %s\n", e.msg);
    snprintf(last_error, cap, "%s", rc < 0 && e.code != ERR_INPUT ? e.msg : "");
}

static void *scheduler_main(void *arg)
{
    struct scheduler *s = arg;
    char last_error[sizeof((struct err *)0)->msg] = "";
    do {
        pass(s, last_error, sizeof last_error);
    } while (!wait_until(s, ((int64_t)time(NULL) / 60 + 1) * 60));
    return NULL;
}

int scheduler_start(const struct jobs_config *c, struct scheduler **out, struct err *e)
{
    struct scheduler *s = xcalloc(1, sizeof *s);
    s->c = c;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    int rc = pthread_create(&s->thread, NULL, scheduler_main, s);
    if (rc != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return err_set(e, ERR_IO, "cannot start the scheduler: %s", strerror(rc));
    }
    *out = s;
    return 0;
}

void scheduler_stop(struct scheduler *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
