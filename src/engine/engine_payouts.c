/* engine_payouts.c — the payouts of a query's result (engine.h; README "Payouts: earned
 * against recorded"): per influencer, what it earned under its payout terms against the
 * payout rows counted in the filter, and whether the two agree over the same activity.
 * Calls schema, strmap and buf. */
#include "engine_impl.h"

#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "schema.h"
#include "strmap.h"

#include "banned.h"

/* ---- payouts --------------------------------------------------------------------------- */

const char *engine_payout_check_name(enum engine_payout_check c)
{
    switch (c) {
    case ENGINE_PAYOUT_MATCH:
        return "match";
    case ENGINE_PAYOUT_MISMATCH:
        return "mismatch";
    case ENGINE_PAYOUT_NOT_COMPARABLE:
        break;
    }
    return "not_comparable";
}

static int cmp_payout_row(const void *a, const void *b)
{
    const struct engine_payout_row *x = a, *y = b;
    if (x->mismatch != y->mismatch)
        return x->mismatch ? -1 : 1;
    if (x->earned != y->earned)
        return x->earned > y->earned ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* One influencer's activity terms in the payouts check: a rate row (the first of its
 * terms) with the rows that repeat those terms (SCOPE_DUPLICATE, priced there). */
struct payout_terms {
    size_t first;          /* the row whose terms price the activity */
    __int128 earned_micro; /* its spend over the filtered activity */
    int64_t recorded;      /* Σ total_payout of its rows, in range or not */
    int32_t outside_day;   /* the first of its rows dated outside the range, else NO_DAY */
};

/* The terms row i repeats: the earlier first row of the same influencer and kind, of the
 * same campaign when that one is campaign-scoped, else the unscoped one (build_buckets:
 * a row is scoped by its kind and campaign alone, so a repeat has its original's scope). */
static struct payout_terms *terms_of(const struct engine *eng, struct payout_terms *terms,
                                     size_t nterms, size_t i)
{
    const int32_t *kind = col32(&eng->pay_kind), *campaign = col32(&eng->pay_campaign);
    const int32_t *scope = col32(&eng->pay_scope);
    struct payout_terms *unscoped = NULL;
    for (size_t t = 0; t < nterms; t++) {
        size_t j = terms[t].first;
        if (kind[j] != kind[i])
            continue;
        if (scope[j] >= 0 && campaign[j] == campaign[i])
            return &terms[t];
        if (scope[j] == SCOPE_INFLUENCER)
            unscoped = &terms[t];
    }
    return unscoped;
}

/* Tracking rows (posts for post terms) that terms row i prices: *kept under the filter,
 * *all of them. Unscoped terms price the influencer's buckets no scoped terms of the same
 * kind claim (payout_row_spend). */
static void terms_activity(const struct engine_result *r, int32_t inf, size_t i, int64_t *kept,
                           int64_t *all)
{
    const struct engine *eng = r->eng;
    int32_t kind = col32(&eng->pay_kind)[i], scope = col32(&eng->pay_scope)[i];
    int posts = kind == PAY_POST;
    const int64_t *total = col64(posts ? &eng->bucket_posts : &eng->bucket_rows);
    const int32_t *claims = col32(&eng->bucket_claims);
    const int32_t *start = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    *kept = *all = 0;
    for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
        int32_t b = buckets[k];
        if (scope >= 0 ? b != scope : (claims[b] & (1 << kind)) != 0)
            continue;
        *kept += posts ? r->q.sums[b].posts : r->q.sums[b].rows;
        *all += total[b];
    }
}

/* The check of one influencer (rows[i] holds its counted rows' sums; earned is set). */
static void check_influencer(const struct engine_result *r, int32_t inf,
                             struct engine_payout_row *p)
{
    const struct engine *eng = r->eng;
    const int32_t *kind = col32(&eng->pay_kind), *scope = col32(&eng->pay_scope);
    const int32_t *pay_basis = col32(&eng->pay_basis), *pay_day = col32(&eng->pay_day);
    const int32_t *campaign = col32(&eng->pay_campaign);
    const int64_t *total = col64(&eng->pay_total);
    const int32_t *start = col32(&eng->inf_pay_start), *pays = col32(&eng->inf_pays);
    const struct influencer_activity *a = result_activity(r, (size_t)inf);
    size_t nrows = (size_t)(start[inf + 1] - start[inf]);
    struct payout_terms *terms = xmalloc((nrows + 1) * sizeof *terms);
    size_t nterms = 0;
    __int128 compared_micro = 0;
    int64_t compared_recorded = 0;
    size_t compared = 0;
    /* rows of the influencer, in row order: a repeat comes after its terms' first row */
    for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
        size_t i = (size_t)pays[k];
        if (!r->q.basis.ok[pay_basis[i] + 1])
            continue;
        int counted = payout_row_in(r, i);
        if (kind[i] == PAY_TOTAL) {
            if (counted) { /* earned is the recorded total itself */
                compared_micro += (__int128)total[i] * 1000000;
                compared_recorded += total[i];
                compared++;
            }
            continue;
        }
        struct payout_terms *t;
        if (scope[i] == SCOPE_DUPLICATE) {
            t = terms_of(eng, terms, nterms, i);
            if (!t)
                continue; /* cannot happen: build_buckets saw its first row */
        } else {
            t = &terms[nterms++];
            *t = (struct payout_terms){i, payout_row_spend(eng, &r->q, a, i), 0, ENGINE_NO_DAY};
        }
        t->recorded += total[i];
        if (!counted && t->outside_day == ENGINE_NO_DAY)
            t->outside_day = pay_day[i];
    }
    static const char *const kind_name[] = {
        [PAY_ORDER] = "order", [PAY_POST] = "post", [PAY_REVSHARE] = "revenue-share"};
    size_t left_out = 0;
    for (size_t t = 0; t < nterms; t++) {
        size_t i = terms[t].first;
        int64_t kept, all;
        terms_activity(r, inf, i, &kept, &all);
        if (kept == all && terms[t].outside_day == ENGINE_NO_DAY) {
            compared_micro += terms[t].earned_micro;
            compared_recorded += terms[t].recorded;
            compared++;
            continue;
        }
        if (left_out++ > 0)
            continue;
        char of[160] = "";
        if (scope[i] >= 0)
            snprintf(of, sizeof of, " for campaign %.100s",
                     dict_text(eng, DIM_CAMPAIGN, campaign[i]));
        if (kept != all) {
            snprintf(p->reason, sizeof p->reason,
                     "the filters keep %lld of the %lld %s priced by its %s terms%s",
                     (long long)kept, (long long)all,
                     kind[i] == PAY_POST ? (all == 1 ? "post" : "posts")
                                         : (all == 1 ? "tracking row" : "tracking rows"),
                     kind_name[kind[i]], of);
        } else {
            char date[11];
            schema_days_to_iso(terms[t].outside_day, date);
            snprintf(p->reason, sizeof p->reason,
                     "a payout row of its %s terms%s is dated %s, outside the range",
                     kind_name[kind[i]], of, date);
        }
    }
    if (left_out > 1) {
        size_t len = strlen(p->reason);
        snprintf(p->reason + len, sizeof p->reason - len,
                 " (%zu more of its payout terms %s not comparable either)", left_out - 1,
                 left_out == 2 ? "is" : "are");
    }
    free(terms);
    p->compared_earned = compared ? round_micro(compared_micro) : 0;
    p->compared_recorded = compared_recorded;
    int64_t difference = p->compared_recorded - p->compared_earned;
    int differs = difference > ENGINE_PAYOUT_TOLERANCE || difference < -ENGINE_PAYOUT_TOLERANCE;
    p->check = differs    ? ENGINE_PAYOUT_MISMATCH
               : left_out ? ENGINE_PAYOUT_NOT_COMPARABLE
                          : ENGINE_PAYOUT_MATCH;
    p->mismatch = p->check == ENGINE_PAYOUT_MISMATCH;
    p->has_difference = p->check != ENGINE_PAYOUT_NOT_COMPARABLE;
    p->difference = p->has_difference ? difference : 0;
}

int engine_result_payouts(const struct engine_result *r, struct engine_payout_row **out, size_t *n,
                          struct engine_payout_totals *totals)
{
    const struct engine *eng = r->eng;
    memset(totals, 0, sizeof *totals);
    struct engine_payout_row *rows = xcalloc(eng->ninf + 1, sizeof *rows);
    int32_t *basis = xmalloc((eng->ninf + 1) * sizeof *basis); /* -1 none, -2 several */
    for (size_t i = 0; i < eng->ninf; i++)
        basis[i] = -1;
    const int32_t *pay_inf = col32(&eng->pay_inf), *pay_basis = col32(&eng->pay_basis);
    const int32_t *status = col32(&eng->pay_status);
    const int64_t *total = col64(&eng->pay_total);
    for (size_t i = 0; i < eng->npay; i++) {
        if (!payout_row_in(r, i))
            continue;
        struct engine_payout_row *p = &rows[pay_inf[i]];
        p->payout_rows++;
        p->recorded += total[i];
        if (status[i] == PAY_STATUS_PAID)
            p->paid += total[i];
        else if (status[i] == PAY_STATUS_PENDING)
            p->pending += total[i];
        int32_t b = pay_basis[i];
        int32_t *seen = &basis[pay_inf[i]];
        *seen = *seen == -1 ? b : (*seen == b ? b : -2);
    }
    size_t k = 0;
    for (size_t i = 0; i < eng->ninf; i++) {
        struct engine_payout_row p = rows[i];
        int64_t earned = round_micro(result_activity(r, i)->spend_micro);
        if (p.payout_rows == 0 && earned == 0)
            continue;
        p.id = strmap_key(eng->dict[DIM_INFLUENCER], (int32_t)i, NULL);
        p.name = dict_text(eng, DIM_NAME, col32(&eng->inf_name)[i]);
        p.platform = dict_text(eng, DIM_PLATFORM, col32(&eng->inf_platform)[i]);
        p.basis = basis[i] == -2 ? "mixed" : dict_text(eng, DIM_BASIS, basis[i]);
        p.earned = earned;
        check_influencer(r, (int32_t)i, &p);
        totals->influencers++;
        totals->earned += p.earned;
        totals->recorded += p.recorded;
        totals->paid += p.paid;
        totals->pending += p.pending;
        totals->mismatches += p.mismatch;
        totals->not_comparable += p.check == ENGINE_PAYOUT_NOT_COMPARABLE;
        rows[k++] = p;
    }
    free(basis);
    if (k > 1)
        qsort(rows, k, sizeof *rows, cmp_payout_row);
    if (k == 0) {
        free(rows);
        rows = NULL;
    }
    *out = rows;
    *n = k;
    return 0;
}
