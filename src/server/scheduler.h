/* scheduler.h — `serve` running what is due (SPEC §9): a thread with its own connection to
 * the installation's main database that runs jobs_run_due at start (so a run missed while
 * the server was down runs once, now) and then at the start of every minute, until
 * stopped. Every server of an installation may run one: each due run is claimed in the
 * database first (store_job_claim), so two servers on one PostgreSQL database run it once.
 * Each finished run is one line in the server's log. Calls jobs, store and pthread. */
#ifndef INFLUDASH_SCHEDULER_H
#define INFLUDASH_SCHEDULER_H

#include "err.h"
#include "jobs.h"

struct scheduler;

/* Starts the thread; c (and what it points at) must outlive scheduler_stop. */
int scheduler_start(const struct jobs_config *c, struct scheduler **out, struct err *e);
/* Asks the thread to stop (a run in progress finishes first) and waits for it; NULL does
 * nothing. */
void scheduler_stop(struct scheduler *s);

#endif
