/* engine_rank.c — honest rankings by ROAS (SPEC §3.3): an empirical-Bayes ROAS shrunk toward
 * the cohort's, with a 90 % interval and a few-orders mark, for influencer and persona rows
 * (the estimator is written out in engine.h and the README).
 * Calls buf. */
#include "engine.h"

#include <math.h>
#include <stdlib.h>

#include "buf.h"

#include "banned.h"

/* z of a two-sided 90 % normal interval */
#define RANK_Z90 1.6448536269514722

void engine_rank_opts_default(struct engine_rank_opts *o)
{
    o->mode = ENGINE_RANK_SHRUNK;
    o->few_orders = ENGINE_RANK_FEW_ORDERS;
}

const char *engine_rank_mode_name(enum engine_rank_mode m)
{
    return m == ENGINE_RANK_RAW ? "raw" : "shrunk";
}

/* v_i of the formula: the sampling variance of a ROAS over orders orders, or over the
 * orders the cohort's rate would give that spend when those are more (expected). */
static double sampling_variance(double roas, double r0, int64_t orders, double expected)
{
    double m = roas > r0 ? roas : r0, n = (double)orders > expected ? (double)orders : expected;
    return m * m / n;
}

void engine_rank_prior_of(const struct engine_rank_item *items, size_t n,
                          struct engine_rank_prior *p)
{
    p->has = 0;
    p->cohort_roas = 0;
    p->between_variance = 0;
    p->orders_per_spend = 0;
    double revenue = 0, spend = 0, orders = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].spend > 0) {
            revenue += (double)items[i].revenue;
            spend += (double)items[i].spend;
            orders += (double)(items[i].orders > 0 ? items[i].orders : 0);
        }
    }
    if (!(spend > 0))
        return;
    double r0 = revenue / spend;
    p->orders_per_spend = orders / spend;
    /* the spread of the rows' ROAS around R0, and the part of it that is noise */
    double weight = 0, spread = 0, noise = 0;
    for (size_t i = 0; i < n; i++) {
        const struct engine_rank_item *it = &items[i];
        double s = (double)it->spend, expected = s * p->orders_per_spend;
        if (it->spend <= 0 || (it->orders <= 0 && !(expected > 0)))
            continue;
        double roas = (double)it->revenue / s, d = roas - r0;
        weight += s;
        spread += s * d * d;
        noise += s * sampling_variance(roas, r0, it->orders, expected);
    }
    double floor = (r0 / 1000) * (r0 / 1000);
    double tau2 = weight > 0 ? (spread - noise) / weight : 0;
    if (!(tau2 > floor))
        tau2 = floor;
    p->has = 1;
    p->cohort_roas = r0;
    p->between_variance = tau2;
}

struct engine_ranked engine_rank_one(const struct engine_rank_prior *p,
                                     const struct engine_rank_item *item,
                                     const struct engine_rank_opts *o)
{
    struct engine_ranked r = {{0, 0}, {0, 0}, {0, 0}, 0, 0, 0};
    r.few_orders = item->orders < o->few_orders;
    if (item->spend <= 0 || !p->has)
        return r;
    double raw = (double)item->revenue / (double)item->spend;
    double r0 = p->cohort_roas, tau2 = p->between_variance;
    double shrunk, variance;
    double expected = (double)item->spend * p->orders_per_spend;
    if ((item->orders > 0 || expected > 0) && tau2 > 0) {
        double v = sampling_variance(raw, r0, item->orders, expected);
        double b = tau2 / (tau2 + v);
        shrunk = r0 + b * (raw - r0);
        variance = b * v;
    } else { /* no orders, none expected: nothing but the cohort */
        shrunk = r0;
        variance = tau2;
    }
    double half = RANK_Z90 * sqrt(variance);
    r.roas_shrunk = (struct engine_ratio){1, shrunk};
    r.roas_low = (struct engine_ratio){1, shrunk - half > 0 ? shrunk - half : 0};
    r.roas_high = (struct engine_ratio){1, shrunk + half};
    r.has_key = 1;
    r.key = o->mode == ENGINE_RANK_RAW ? raw : shrunk;
    return r;
}

void engine_rank_influencers(struct engine_influencer_row *rows, size_t n,
                             const struct engine_rank_opts *o)
{
    struct engine_rank_item *items = xmalloc((n + 1) * sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = (struct engine_rank_item){rows[i].revenue, rows[i].spend, rows[i].orders};
    struct engine_rank_prior p;
    engine_rank_prior_of(items, n, &p);
    for (size_t i = 0; i < n; i++)
        rows[i].rank = engine_rank_one(&p, &items[i], o);
    free(items);
}

void engine_rank_personas(struct engine_persona_row *rows, size_t n,
                          const struct engine_rank_opts *o)
{
    struct engine_rank_item *items = xmalloc((n + 1) * sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = (struct engine_rank_item){rows[i].revenue, rows[i].spend, rows[i].orders};
    struct engine_rank_prior p;
    engine_rank_prior_of(items, n, &p);
    for (size_t i = 0; i < n; i++)
        rows[i].rank = engine_rank_one(&p, &items[i], o);
    free(items);
}
