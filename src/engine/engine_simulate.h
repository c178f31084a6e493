/* engine_simulate.h — the payout-model simulator (SPEC §10): the filtered period's activity
 * per influencer (posts, attributed orders and revenue, as engine_run counts them) priced
 * under other terms, against what the influencer's own terms cost (the dashboard's spend).
 * Calls engine.
 *
 * Terms: post → rate × posts; order → rate × orders; revenue_share → rate × revenue (rate
 * a fraction); hybrid → rate × posts + share × revenue; actual → each influencer's spend
 * under its recorded terms, so the total is engine_kpis.spend. Each influencer's cost is
 * rounded half away from zero to the paisa and the total is the sum of those.
 * Break-even rate: the rate at which the influencer's cost equals its revenue (ROAS 1):
 * revenue / posts (post), revenue / orders (order), 1 (revenue_share), (revenue − share ×
 * revenue) / posts (hybrid: the per-post rate with the share fixed); none (has 0) where
 * the units are 0, and for actual (its terms are the influencer's own, not one rate). */
#ifndef INFLUDASH_ENGINE_SIMULATE_H
#define INFLUDASH_ENGINE_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

enum engine_sim_basis {
    ENGINE_SIM_POST,
    ENGINE_SIM_ORDER,
    ENGINE_SIM_REVENUE_SHARE,
    ENGINE_SIM_HYBRID,
    ENGINE_SIM_ACTUAL,
};

/* "post", "order", "revenue_share", "hybrid", "actual"; -1 for anything else. */
int engine_sim_basis_parse(const char *s);
const char *engine_sim_basis_name(enum engine_sim_basis b);

struct engine_sim_terms {
    enum engine_sim_basis basis;
    double rate;  /* rupees per post or order; a fraction for revenue_share */
    double share; /* hybrid: the revenue share (fraction) */
};

struct engine_sim_row {
    const struct engine_influencer_row *inf; /* points into the result's rows */
    int64_t cost;                            /* paise under the terms */
    int64_t actual_cost;                     /* paise: the influencer's spend */
    struct engine_ratio roas;                /* revenue / cost */
    struct engine_ratio break_even_rate;     /* in rupees (post, order, hybrid) or a fraction */
};

struct engine_sim {
    struct engine_influencer_row *influencers; /* by revenue, as engine_result_influencers */
    struct engine_sim_row *rows;
    size_t n;
    int64_t cost, actual_cost, revenue; /* totals, paise */
    struct engine_ratio roas, actual_roas;
};

/* Prices r's influencers under terms. ERR_USAGE when a rate is negative, not finite or
 * over ₹10 crore per unit (a share over 1). Free with engine_sim_release. */
int engine_simulate(const struct engine_result *r, const struct engine_sim_terms *terms,
                    struct engine_sim *out, struct err *e);
void engine_sim_release(struct engine_sim *s);

#endif
