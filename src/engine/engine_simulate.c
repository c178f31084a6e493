/* engine_simulate.c — the payout-model simulator (engine_simulate.h): one pass over a
 * query result's influencer rows. Calls engine. */
#include "engine_simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const basis_names[] = {
    [ENGINE_SIM_POST] = "post",
    [ENGINE_SIM_ORDER] = "order",
    [ENGINE_SIM_REVENUE_SHARE] = "revenue_share",
    [ENGINE_SIM_HYBRID] = "hybrid",
    [ENGINE_SIM_ACTUAL] = "actual",
};

int engine_sim_basis_parse(const char *s)
{
    for (int b = 0; s && b <= ENGINE_SIM_ACTUAL; b++)
        if (!strcmp(s, basis_names[b]))
            return b;
    return -1;
}

const char *engine_sim_basis_name(enum engine_sim_basis b)
{
    return basis_names[b];
}

static struct engine_ratio ratio(double num, double den)
{
    struct engine_ratio r = {0, 0};
    if (den != 0) {
        r.has = 1;
        r.value = num / den;
    }
    return r;
}

/* Paise of rupees × units, half away from zero. */
static int64_t paise(double rupees_per_unit, int64_t units)
{
    return (int64_t)llround(rupees_per_unit * 100.0 * (double)units);
}

int engine_simulate(const struct engine_result *r, const struct engine_sim_terms *t,
                    struct engine_sim *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    const double rate_max = 1e8; /* ₹10 crore per post or order, as import allows */
    int fraction = t->basis == ENGINE_SIM_REVENUE_SHARE;
    if (!isfinite(t->rate) || t->rate < 0 || t->rate > (fraction ? 1.0 : rate_max))
        return err_set(e, ERR_USAGE, "rate: %g is not a rate from 0 to %s", t->rate,
                       fraction ? "1 (a share of revenue)" : "100000000 rupees");
    if (!isfinite(t->share) || t->share < 0 || t->share > 1)
        return err_set(e, ERR_USAGE, "share: %g is not a share of revenue from 0 to 1", t->share);
    engine_result_influencers(r, 1, &out->influencers, &out->n);
    out->rows = calloc(out->n ? out->n : 1, sizeof *out->rows);
    if (!out->rows)
        abort();
    for (size_t i = 0; i < out->n; i++) {
        const struct engine_influencer_row *inf = &out->influencers[i];
        struct engine_sim_row *row = &out->rows[i];
        row->inf = inf;
        row->actual_cost = inf->spend;
        double revenue = (double)inf->revenue; /* paise */
        switch (t->basis) {
        case ENGINE_SIM_POST:
            row->cost = paise(t->rate, inf->posts);
            row->break_even_rate = ratio(revenue / 100.0, (double)inf->posts);
            break;
        case ENGINE_SIM_ORDER:
            row->cost = paise(t->rate, inf->orders);
            row->break_even_rate = ratio(revenue / 100.0, (double)inf->orders);
            break;
        case ENGINE_SIM_REVENUE_SHARE:
            row->cost = (int64_t)llround(t->rate * revenue);
            row->break_even_rate = ratio(1, 1);
            break;
        case ENGINE_SIM_HYBRID:
            row->cost = paise(t->rate, inf->posts) + (int64_t)llround(t->share * revenue);
            row->break_even_rate =
                ratio((revenue - t->share * revenue) / 100.0, (double)inf->posts);
            break;
        case ENGINE_SIM_ACTUAL:
            row->cost = inf->spend;
            break;
        }
        row->roas = ratio(revenue, (double)row->cost);
        out->cost += row->cost;
        out->actual_cost += row->actual_cost;
        out->revenue += inf->revenue;
    }
    out->roas = ratio((double)out->revenue, (double)out->cost);
    out->actual_roas = ratio((double)out->revenue, (double)out->actual_cost);
    return 0;
}

void engine_sim_release(struct engine_sim *s)
{
    free(s->rows);
    free(s->influencers);
    memset(s, 0, sizeof *s);
}
