/* engine_explain.c — what a result's figures leave out and where they come from (SPEC §3.3):
 * the revenue of organic rows and of influencer ids the influencers dataset lacks, by source,
 * campaign, brand and day, with the unknown ids ranked. Reads a result of engine_query.c over
 * engine_impl.h; and the stored rows behind a figure (/api/explain). Calls engine_query,
 * schema, strmap, buf and err. */
#include "engine_impl.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* An influencer that came from the influencers dataset, not only from other datasets'
 * references: those always have a gender (Unknown when empty, engine_load.c). */
static int in_influencers_file(const struct engine *eng, int32_t inf)
{
    return col32(&eng->inf_gender)[inf] >= 0;
}

/* Sums of one slot while the breakdowns are gathered. */
struct unattributed_sums {
    int64_t organic_revenue, organic_orders, unknown_revenue, unknown_orders;
};

static int cmp_group_revenue(const void *a, const void *b)
{
    const struct engine_unattributed_group *x = a, *y = b;
    int64_t rx = x->organic_revenue + x->unknown_revenue;
    int64_t ry = y->organic_revenue + y->unknown_revenue;
    if (rx != ry)
        return rx > ry ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* The used slots of sums (slot code + 1; slot 0: no value) as groups named by dim. */
static struct engine_unattributed_group *groups_of(const struct engine *eng, enum dim dim,
                                                   const struct unattributed_sums *sums,
                                                   size_t nslots, size_t *n)
{
    struct engine_unattributed_group *g = xcalloc(nslots + 1, sizeof *g);
    size_t k = 0;
    for (size_t s = 0; s < nslots; s++) {
        const struct unattributed_sums *u = &sums[s];
        if (u->organic_orders == 0 && u->unknown_orders == 0 && u->organic_revenue == 0 &&
            u->unknown_revenue == 0)
            continue;
        g[k].key = dict_text(eng, dim, (int32_t)s - 1);
        g[k].organic_revenue = u->organic_revenue;
        g[k].organic_orders = u->organic_orders;
        g[k].unknown_revenue = u->unknown_revenue;
        g[k].unknown_orders = u->unknown_orders;
        k++;
    }
    if (k > 1)
        qsort(g, k, sizeof *g, cmp_group_revenue);
    *n = k;
    return g;
}

static void add_to(struct unattributed_sums *u, int organic, int64_t orders, int64_t revenue)
{
    if (organic) {
        u->organic_revenue += revenue;
        u->organic_orders += orders;
    } else {
        u->unknown_revenue += revenue;
        u->unknown_orders += orders;
    }
}

static int cmp_unknown_id(const void *a, const void *b)
{
    const struct engine_unknown_id *x = a, *y = b;
    if (x->revenue != y->revenue)
        return x->revenue > y->revenue ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The fine cube's entries of the range that the result keeps and that are organic or of an
 * unknown id, into the four breakdowns. The same selection as scan_tracking: a selected
 * bucket (the organic bucket always is) and selected brand, product, campaign and source. */
static void scan_unattributed(const struct engine_result *r, struct engine_unattributed *out)
{
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    const struct cube *c = &eng->cube[CUBE_FINE];
    const int32_t *bucket = col32(&c->bucket), *brand = col32(&c->brand);
    const int32_t *product = col32(&c->product), *campaign = col32(&c->campaign);
    const int32_t *source = col32(&c->source), *bucket_inf = col32(&eng->bucket_inf);
    const int64_t *orders = col64(&c->orders), *revenue = col64(&c->revenue);
    const int64_t *start = col64(&c->day_start);
    const int32_t *day_value = col32(&eng->day_value);
    int32_t organic_bucket = (int32_t)eng->nbuckets;
    size_t nsource = strmap_size(eng->dict[DIM_SOURCE]) + 1;
    size_t ncampaign = strmap_size(eng->dict[DIM_CAMPAIGN]) + 1;
    size_t nbrand = strmap_size(eng->dict[DIM_BRAND]) + 1;
    struct unattributed_sums *by_source = xcalloc(nsource, sizeof *by_source);
    struct unattributed_sums *by_campaign = xcalloc(ncampaign, sizeof *by_campaign);
    struct unattributed_sums *by_brand = xcalloc(nbrand, sizeof *by_brand);
    size_t ndays = r->day_hi > r->day_lo ? r->day_hi - r->day_lo : 0;
    out->daily = xcalloc(ndays + 1, sizeof *out->daily);
    for (size_t d = r->day_lo; d < r->day_hi; d++) {
        struct unattributed_sums day = {0, 0, 0, 0};
        for (int64_t i = start[d]; i < start[d + 1]; i++) {
            int32_t b = bucket[i];
            if (!q->bucket_selected[b] || !q->brand.ok[brand[i] + 1] ||
                !q->product.ok[product[i] + 1] || !q->campaign.ok[campaign[i] + 1] ||
                !q->source.ok[source[i] + 1])
                continue;
            int organic = b == organic_bucket;
            if (!organic && in_influencers_file(eng, bucket_inf[b]))
                continue;
            add_to(&by_source[source[i] + 1], organic, orders[i], revenue[i]);
            add_to(&by_campaign[campaign[i] + 1], organic, orders[i], revenue[i]);
            add_to(&by_brand[brand[i] + 1], organic, orders[i], revenue[i]);
            add_to(&day, organic, orders[i], revenue[i]);
        }
        if (day.organic_orders == 0 && day.unknown_orders == 0 && day.organic_revenue == 0 &&
            day.unknown_revenue == 0)
            continue;
        struct engine_unattributed_group *g = &out->daily[out->ndaily++];
        schema_days_to_iso(day_value[d], g->date);
        g->key = g->date;
        g->organic_revenue = day.organic_revenue;
        g->organic_orders = day.organic_orders;
        g->unknown_revenue = day.unknown_revenue;
        g->unknown_orders = day.unknown_orders;
    }
    out->by_source = groups_of(eng, DIM_SOURCE, by_source, nsource, &out->nby_source);
    out->by_campaign = groups_of(eng, DIM_CAMPAIGN, by_campaign, ncampaign, &out->nby_campaign);
    out->by_brand = groups_of(eng, DIM_BRAND, by_brand, nbrand, &out->nby_brand);
    free(by_source);
    free(by_campaign);
    free(by_brand);
}

void engine_result_unattributed(const struct engine_result *r, struct engine_unattributed *out)
{
    const struct engine *eng = r->eng;
    memset(out, 0, sizeof *out);
    /* the unknown ids from the activity the KPIs sum, so that the split is exact */
    out->unknown_ids = xcalloc(r->nactive + 1, sizeof *out->unknown_ids);
    for (size_t a = 0; a < r->nactive; a++) {
        int32_t i = r->active[a];
        const struct influencer_activity *act = &r->act[i];
        if (in_influencers_file(eng, i) || (act->rows == 0 && act->revenue == 0))
            continue;
        struct engine_unknown_id *u = &out->unknown_ids[out->nunknown_ids++];
        u->id = strmap_key(eng->dict[DIM_INFLUENCER], i, NULL);
        u->orders = act->orders;
        u->revenue = act->revenue;
        out->unknown_revenue += act->revenue;
        out->unknown_orders += act->orders;
    }
    if (out->nunknown_ids > 1)
        qsort(out->unknown_ids, out->nunknown_ids, sizeof *out->unknown_ids, cmp_unknown_id);
    out->organic_revenue = r->kpis.organic_revenue;
    out->organic_orders = r->kpis.organic_orders;
    out->attributed_revenue = r->kpis.revenue - out->unknown_revenue;
    out->attributed_orders = r->kpis.orders - out->unknown_orders;
    out->total_revenue = r->kpis.revenue + r->kpis.organic_revenue;
    out->total_orders = r->kpis.orders + r->kpis.organic_orders;
    scan_unattributed(r, out);
}

void engine_unattributed_release(struct engine_unattributed *u)
{
    free(u->by_source);
    free(u->by_campaign);
    free(u->by_brand);
    free(u->daily);
    free(u->unknown_ids);
    memset(u, 0, sizeof *u);
}

/* ---- the stored rows behind a figure ---- */

/* Whether payout terms of kind can price spend under the platform filter: post terms price
 * each post on its own platform (SPEC §3.1), the rest go by the influencer's platform. */
static int prices_in_platform(const struct engine_result *r, int32_t inf, int32_t kind)
{
    return kind == PAY_POST || r->q.platform.ok[col32(&r->eng->inf_platform)[inf] + 1];
}

void engine_result_row_counts(const struct engine_result *r, struct engine_row_counts *out)
{
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    memset(out, 0, sizeof *out);
    for (size_t a = 0; a < r->nactive; a++) {
        const struct influencer_activity *act = &r->act[r->active[a]];
        out->attributed_rows += act->rows;
        out->posts_with_followers += act->posts_with_followers;
        out->posts_with_views += act->posts_with_views;
    }
    out->organic_rows = q->sums[eng->nbuckets].rows;
    out->posts = r->kpis.posts;
    const int32_t *pay_basis = col32(&eng->pay_basis), *pay_kind = col32(&eng->pay_kind);
    const int32_t *pay_campaign = col32(&eng->pay_campaign);
    const int32_t *start = col32(&eng->inf_pay_start), *pays = col32(&eng->inf_pays);
    for (size_t s = 0; s < q->nselected; s++) {
        int32_t inf = q->selected[s];
        for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
            size_t i = (size_t)pays[k];
            if (!q->basis.ok[pay_basis[i] + 1])
                continue;
            if (payout_row_in(r, i))
                out->payouts_counted++;
            if (!prices_in_platform(r, inf, pay_kind[i]) ||
                (pay_kind[i] == PAY_TOTAL && !payout_row_in(r, i)))
                continue;
            out->payouts++;
            out->payouts_by_kind[pay_kind[i]]++;
            if (pay_campaign[i] >= 0)
                out->payouts_campaign_scoped++;
        }
    }
}

/* The code of a stored text under d, -1 when absent or unknown to the engine. */
static int32_t code_of(const struct engine *eng, enum dim d, const struct schema_value *v)
{
    if (!v->present || v->len == 0)
        return -1;
    return strmap_get(eng->dict[d], v->s, v->len);
}

static int payout_behind(const struct engine_result *r, const struct schema_row *row)
{
    const struct engine *eng = r->eng;
    const struct schema_value *v = row->v;
#define COL(name) (&v[schema_col_index(DS_PAYOUTS, name)])
    int32_t inf = code_of(eng, DIM_INFLUENCER, COL("influencer_id"));
    if (inf < 0 || !r->q.inf_selected[inf])
        return 0;
    const struct schema_value *basis = COL("basis");
    if (!r->q.basis.ok[code_of(eng, DIM_BASIS, basis) + 1])
        return 0;
    enum pay_kind kind = payout_kind_of(basis, COL("rate")->present);
    if (!prices_in_platform(r, inf, (int32_t)kind))
        return 0;
    if (kind != PAY_TOTAL)
        return 1; /* its terms price the filtered activity, whatever its payout_date */
    int32_t day = day_of(COL("payout_date"));
    return day == ENGINE_NO_DAY || (day >= r->from_day && day <= r->to_day);
#undef COL
}

/* A stored post that scan_posts counts: one engine_result_keeps_row keeps (its influencer,
 * range and platform) that a brand, product, campaign or source filter keeps too — under a
 * campaign filter, a post of a selected campaign, or without a campaign when its influencer
 * has attributed rows in scope; under the others, a post whose influencer has (SPEC §3.1). */
static int post_behind(const struct engine_result *r, const struct schema_row *row)
{
    const struct query *q = &r->q;
    if (!engine_result_keeps_row(r, row))
        return 0;
    int32_t inf =
        code_of(r->eng, DIM_INFLUENCER, &row->v[schema_col_index(DS_POSTS, "influencer_id")]);
    if (inf < 0)
        return 0;
    int in_scope = result_activity(r, (size_t)inf)->rows > 0;
    if (q->campaign.active) {
        int32_t campaign =
            code_of(r->eng, DIM_CAMPAIGN, &row->v[schema_col_index(DS_POSTS, "campaign")]);
        if (!(campaign >= 0 ? q->campaign.ok[campaign + 1] : in_scope))
            return 0;
    }
    if ((q->brand.active || q->product.active || q->source.active) && !in_scope)
        return 0;
    return 1;
}

int engine_result_row_behind(const struct engine_result *r, const struct schema_row *row,
                             unsigned kinds)
{
    switch (row->ds) {
    case DS_TRACKING: {
        if (!(kinds & (ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_ORGANIC)) ||
            !engine_result_keeps_row(r, row))
            return 0;
        const struct schema_value *inf = &row->v[schema_col_index(DS_TRACKING, "influencer_id")];
        const struct schema_value *organic = &row->v[schema_col_index(DS_TRACKING, "organic")];
        int is_organic = (organic->present && organic->i != 0) || !inf->present || inf->len == 0;
        return (kinds & (is_organic ? ENGINE_ROWS_ORGANIC : ENGINE_ROWS_ATTRIBUTED)) != 0;
    }
    case DS_POSTS:
        return (kinds & ENGINE_ROWS_POSTS) && post_behind(r, row);
    case DS_PAYOUTS:
        return ((kinds & ENGINE_ROWS_PAYOUTS) && payout_behind(r, row)) ||
               ((kinds & ENGINE_ROWS_PAYOUTS_COUNTED) && engine_result_keeps_row(r, row));
    default:
        return 0;
    }
}
