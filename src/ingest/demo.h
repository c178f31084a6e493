/* demo.h — realistic, self-consistent sample data of any size: influencers on six
 * platforms, their posts, tracking rows (attributed and organic orders, test/control
 * campaigns) and payouts whose totals follow from the payout terms. Deterministic for a
 * given seed. Memory stays constant in the number of tracking rows. Influencers carry
 * payment details (SPEC §10). Calls schema, payid, store, export. */
#ifndef INFLUDASH_DEMO_H
#define INFLUDASH_DEMO_H

#include <stdint.h>

#include "err.h"
#include "schema.h"
#include "store.h"

struct demo_opts {
    uint64_t rows; /* tracking rows; default 20000 */
    uint64_t seed; /* default 42 */
    int progress;  /* progress on stderr when it is a terminal */
    /* demo_load: when set, the load is written to the audit log in its own transaction,
     * by this actor, in this workspace. */
    const char *audit_actor;
    const char *audit_workspace;
};

/* Calls fn for every generated row: all influencers, then posts, tracking rows, payouts.
 * A negative return from fn stops generation and is returned. */
typedef int (*demo_row_fn)(void *ctx, const struct schema_row *row);
int demo_generate(const struct demo_opts *o, demo_row_fn fn, void *ctx, struct err *e);
/* Replaces the four datasets in the store with generated data, in one transaction. */
int demo_load(struct store *s, const struct demo_opts *o, struct err *e);
/* Writes influencers.csv, posts.csv, tracking_data.csv and payouts.csv into dir. */
int demo_write_csv(const char *dir, const struct demo_opts *o, struct err *e);

#endif
