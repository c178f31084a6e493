/* insights.c — SPEC §3/§5 Insights (see insights.h). The engine is queried a fixed number of
 * times into one `struct gathered`; everything after that — picks, poor ROI, personas,
 * comparisons, sentences — is plain arithmetic over those rows, so the JSON and the
 * sentences always agree. Totals come from the influencer rows, which sum to the KPIs.
 * Calls engine, schema_value (dates), json, format, buf and err. */
#include "insights.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "schema.h"

#include "banned.h"

/* "Well below / well above the average" in the poor-ROI diagnosis. */
#define WELL_BELOW 0.5
#define WELL_ABOVE 1.5

#define MIDDLE_DOT "\xc2\xb7"
#define TIMES_SIGN "\xc3\x97"

void insights_config_init(struct insights_config *c)
{
    const struct insights_config defaults = INSIGHTS_CONFIG_INIT;
    *c = defaults;
}

/* ---- helpers ------------------------------------------------------------------------ */

static struct engine_ratio ratio_of(double num, double den)
{
    struct engine_ratio r = {0, 0.0};
    if (den != 0.0) {
        r.has = 1;
        r.value = num / den;
    }
    return r;
}

/* Paise as a double (a per-order figure) rounded to the paisa, clamped to int64. */
static int64_t round_paise(double v)
{
    if (!(v < 9.0e18))
        return INT64_MAX;
    if (!(v > -9.0e18))
        return INT64_MIN;
    return (int64_t)llround(v);
}

static const char *display_name(const struct engine_influencer_row *r)
{
    return r->name && *r->name ? r->name : r->id;
}

static const char *plural(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void kv_text(struct json *j, const char *key, const char *s)
{
    if (s && *s)
        json_kv_str(j, key, s);
    else
        json_kv_null(j, key);
}

static void kv_ratio(struct json *j, const char *key, struct engine_ratio r)
{
    if (r.has)
        json_kv_double(j, key, r.value);
    else
        json_kv_null(j, key);
}

/* A per-unit amount in paise (spend per order, …) as money, null without units. */
static void kv_money_per(struct json *j, const char *key, int64_t paise, int64_t units)
{
    if (units != 0)
        json_kv_money(j, key, round_paise((double)paise / (double)units));
    else
        json_kv_null(j, key);
}

static int compare_id(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* ---- top and bottom ----------------------------------------------------------------- */

static int by_revenue_desc(const void *pa, const void *pb)
{
    const struct engine_influencer_row *a = *(const struct engine_influencer_row *const *)pa;
    const struct engine_influencer_row *b = *(const struct engine_influencer_row *const *)pb;
    if (a->revenue != b->revenue)
        return a->revenue > b->revenue ? -1 : 1;
    return compare_id(a->id, b->id);
}

static int by_revenue_asc(const void *pa, const void *pb)
{
    const struct engine_influencer_row *a = *(const struct engine_influencer_row *const *)pa;
    const struct engine_influencer_row *b = *(const struct engine_influencer_row *const *)pb;
    if (a->revenue != b->revenue)
        return a->revenue < b->revenue ? -1 : 1;
    return compare_id(a->id, b->id);
}

/* The plain ROAS (poor ROI: losing money is a fact, not a ranking). */
static int by_roas_asc(const void *pa, const void *pb)
{
    const struct engine_influencer_row *a = *(const struct engine_influencer_row *const *)pa;
    const struct engine_influencer_row *b = *(const struct engine_influencer_row *const *)pb;
    if (a->roas.value != b->roas.value)
        return a->roas.value < b->roas.value ? -1 : 1;
    return by_revenue_asc(pa, pb);
}

/* The ranking's key (bottom influencers: the shrunk ROAS unless ranked raw). */
static int by_rank_asc(const void *pa, const void *pb)
{
    const struct engine_influencer_row *a = *(const struct engine_influencer_row *const *)pa;
    const struct engine_influencer_row *b = *(const struct engine_influencer_row *const *)pb;
    if (a->rank.key != b->rank.key)
        return a->rank.key < b->rank.key ? -1 : 1;
    return by_revenue_asc(pa, pb);
}

static int has_spend(const struct engine_influencer_row *r)
{
    return r->spend > 0 && r->roas.has && r->rank.has_key;
}

/* The first (at most) k rows in the order of cmp, skipping rows marked in skip and those
 * want refuses, into out as indexes in that order; returns how many. A linear pass with
 * an insertion into the k kept so far: k is small, n is every influencer. */
static size_t select_first(const struct engine_influencer_row *rows, size_t n, size_t k,
                           int (*cmp)(const void *, const void *),
                           int (*want)(const struct engine_influencer_row *),
                           const unsigned char *skip, size_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if ((skip && skip[i]) || (want && !want(&rows[i])))
            continue;
        const struct engine_influencer_row *p = &rows[i];
        if (m == k) {
            const struct engine_influencer_row *last = &rows[out[m - 1]];
            if (cmp(&p, &last) >= 0)
                continue;
        }
        size_t j = m < k ? m++ : k - 1;
        while (j > 0) {
            const struct engine_influencer_row *q = &rows[out[j - 1]];
            if (cmp(&p, &q) >= 0)
                break;
            out[j] = out[j - 1];
            j--;
        }
        out[j] = i;
    }
    return m;
}

void insights_pick(const struct engine_influencer_row *rows, size_t n, size_t k, size_t *top,
                   size_t *ntop, size_t *bottom, size_t *nbottom)
{
    *ntop = *nbottom = 0;
    if (n == 0 || k == 0)
        return;
    *ntop = select_first(rows, n, k, by_revenue_desc, NULL, NULL, top);
    unsigned char *in_top = xcalloc(n, 1);
    for (size_t i = 0; i < *ntop; i++)
        in_top[top[i]] = 1;
    /* the bottom candidates: the rows not in top with spend, or, when none has, all of them */
    int any_spend = 0;
    for (size_t i = 0; i < n && !any_spend; i++)
        any_spend = !in_top[i] && has_spend(&rows[i]);
    *nbottom = any_spend ? select_first(rows, n, k, by_rank_asc, has_spend, in_top, bottom)
                         : select_first(rows, n, k, by_revenue_asc, NULL, in_top, bottom);
    free(in_top);
}

/* ---- one influencer ----------------------------------------------------------------- */

static void influencer_members(struct json *j, const struct engine_influencer_row *r)
{
    kv_text(j, "influencer_id", r->id);
    kv_text(j, "name", r->name);
    kv_text(j, "platform", r->platform);
    kv_text(j, "category", r->category);
    kv_text(j, "gender", r->gender);
    kv_text(j, "tier", r->tier);
    kv_text(j, "persona", r->persona);
    json_kv_money(j, "revenue", r->revenue);
    json_kv_int(j, "orders", r->orders);
    json_kv_money(j, "spend", r->spend);
    json_kv_int(j, "posts", r->posts);
    json_kv_int(j, "reach", r->reach);
    json_kv_int(j, "engagements", r->engagements);
    kv_ratio(j, "roas", r->spend != 0 ? r->roas : ratio_of(0, 0));
    kv_ratio(j, "roi", r->spend != 0 ? r->roi : ratio_of(0, 0));
    kv_ratio(j, "engagement_rate", ratio_of((double)r->engagements, (double)r->reach));
    kv_ratio(j, "engagement_rate_followers",
             ratio_of((double)r->follower_engagements, (double)r->followers));
    kv_ratio(j, "engagement_rate_views", ratio_of((double)r->view_engagements, (double)r->views));
    json_key(j, "followers");
    if (r->follower_count >= 0)
        json_int(j, r->follower_count);
    else
        json_null(j);
    kv_money_per(j, "cpo", r->spend, r->orders);
    kv_money_per(j, "aov", r->revenue, r->orders);
    kv_money_per(j, "cpe", r->spend, r->engagements);
    insights_ranked_json(j, &r->rank);
}

void insights_ranked_json(struct json *j, const struct engine_ranked *r)
{
    kv_ratio(j, "roas_shrunk", r->roas_shrunk);
    kv_ratio(j, "roas_low", r->roas_low);
    kv_ratio(j, "roas_high", r->roas_high);
    json_kv_bool(j, "few_orders", r->few_orders != 0);
}

int insights_influencer_json(struct json *j, const struct engine_influencer_row *r)
{
    json_obj_begin(j);
    influencer_members(j, r);
    json_obj_end(j);
    return j->error ? -1 : 0;
}

/* ---- gathering ---------------------------------------------------------------------- */

/* Filtered totals: Σ of the influencer rows (which sum to the KPIs) and the organic revenue
 * of the brand breakdown (which sums to the KPI's). */
struct totals {
    int64_t revenue, orders, spend, posts, reach, engagements, organic_revenue;
};

struct gathered {
    struct engine_influencer_row *rows;
    size_t nrows;
    struct engine_persona_row *category_gender, *tiers;
    size_t ncategory_gender, ntiers;
    struct engine_group *platforms, *brands, *campaigns;
    size_t nplatforms, nbrands, ncampaigns;
    struct totals total;
};

static void gathered_release(struct gathered *g)
{
    free(g->rows);
    free(g->category_gender);
    free(g->tiers);
    free(g->platforms);
    free(g->brands);
    free(g->campaigns);
    memset(g, 0, sizeof *g);
}

static int gather(const struct engine *eng, const struct engine_filter *f,
                  const struct insights_config *c, struct gathered *g, struct err *e)
{
    memset(g, 0, sizeof *g);
    int rc = engine_influencers(eng, f, &g->rows, &g->nrows, e);
    if (rc == 0)
        rc = engine_personas(eng, f, ENGINE_PERSONA_CATEGORY_GENDER, &g->category_gender,
                             &g->ncategory_gender, e);
    if (rc == 0)
        rc = engine_personas(eng, f, ENGINE_PERSONA_TIER, &g->tiers, &g->ntiers, e);
    if (rc == 0)
        rc = engine_breakdown(eng, f, ENGINE_BY_PLATFORM, &g->platforms, &g->nplatforms, e);
    if (rc == 0)
        rc = engine_breakdown(eng, f, ENGINE_BY_BRAND, &g->brands, &g->nbrands, e);
    if (rc == 0) {
        /* An engine without campaign breakdowns answers ERR_USAGE: the comparison is then
         * left out, and everything else stands. */
        struct err campaign_err;
        err_clear(&campaign_err);
        int crc = engine_breakdown(eng, f, ENGINE_BY_CAMPAIGN, &g->campaigns, &g->ncampaigns,
                                   &campaign_err);
        if (crc == ERR_USAGE) {
            g->campaigns = NULL;
            g->ncampaigns = 0;
        } else if (crc != 0) {
            rc = crc;
            if (e)
                *e = campaign_err;
        }
    }
    if (rc != 0) {
        gathered_release(g);
        return rc;
    }
    for (size_t i = 0; i < g->nrows; i++) {
        const struct engine_influencer_row *r = &g->rows[i];
        g->total.revenue += r->revenue;
        g->total.orders += r->orders;
        g->total.spend += r->spend;
        g->total.posts += r->posts;
        g->total.reach += r->reach;
        g->total.engagements += r->engagements;
    }
    for (size_t i = 0; i < g->nbrands; i++)
        g->total.organic_revenue += g->brands[i].organic_revenue;
    engine_rank_influencers(g->rows, g->nrows, &c->rank);
    engine_rank_personas(g->category_gender, g->ncategory_gender, &c->rank);
    engine_rank_personas(g->tiers, g->ntiers, &c->rank);
    return 0;
}

/* ---- poor ROI ----------------------------------------------------------------------- */

struct poor {
    const struct engine_influencer_row *row;
    int losing_money;     /* ROAS < 1; else below a benchmark */
    int64_t recorded_fee; /* paise of its spend from flat or hybrid payouts */
};

static int poor_severity(const void *pa, const void *pb)
{
    const struct poor *a = pa, *b = pb;
    if (a->losing_money != b->losing_money)
        return a->losing_money ? -1 : 1;
    const struct engine_influencer_row *ra = a->row, *rb = b->row;
    return by_roas_asc(&ra, &rb);
}

/* The influencers with spend whose ROAS or ROI misses, most severe first. *out is owned by
 * the caller (NULL when none). */
static size_t find_poor(const struct gathered *g, const struct insights_config *c,
                        struct poor **out)
{
    struct poor *poor = NULL;
    size_t n = 0;
    for (size_t i = 0; i < g->nrows; i++) {
        const struct engine_influencer_row *r = &g->rows[i];
        if (!has_spend(r))
            continue;
        int losing = r->roas.value < 1.0;
        int below =
            r->roas.value < c->roas_benchmark || (r->roi.has && r->roi.value < c->roi_benchmark);
        if (!losing && !below)
            continue;
        if (!poor)
            poor = xmalloc(g->nrows * sizeof *poor);
        poor[n].row = r;
        poor[n].losing_money = losing;
        poor[n].recorded_fee = 0;
        n++;
    }
    if (n > 1)
        qsort(poor, n, sizeof *poor, poor_severity);
    *out = poor;
    return n;
}

static int by_id(const void *pa, const void *pb)
{
    const struct engine_influencer_row *a = *(const struct engine_influencer_row *const *)pa;
    const struct engine_influencer_row *b = *(const struct engine_influencer_row *const *)pb;
    return compare_id(a->id, b->id);
}

/* Fills each poor influencer's recorded_fee: its spend under the flat and hybrid payout rows
 * (the rows priced by their recorded total, not by activity), from one more
 * engine_influencers with the basis filter narrowed to those bases. */
static int find_recorded_fees(const struct engine *eng, const struct engine_filter *f,
                              struct poor *poor, size_t npoor, struct err *e)
{
    static const char *const fee_bases[] = {"flat", "hybrid"};
    const char *bases[2];
    size_t nbases = 0;
    for (size_t b = 0; b < 2; b++) {
        int chosen = f->basis.n == 0;
        for (size_t i = 0; i < f->basis.n && !chosen; i++)
            chosen = strcmp(f->basis.values[i], fee_bases[b]) == 0;
        if (chosen)
            bases[nbases++] = fee_bases[b];
    }
    if (npoor == 0 || nbases == 0)
        return 0;
    struct engine_filter fee_filter = *f;
    fee_filter.basis.values = bases;
    fee_filter.basis.n = nbases;
    fee_filter.has_min_roas = 0; /* the fee-only ROAS must not drop anyone */
    struct engine_influencer_row *rows = NULL;
    size_t n = 0;
    int rc = engine_influencers(eng, &fee_filter, &rows, &n, e);
    if (rc != 0)
        return rc;
    const struct engine_influencer_row **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &rows[i];
    qsort(sorted, n, sizeof *sorted, by_id);
    for (size_t i = 0; i < npoor; i++) {
        const struct engine_influencer_row *key = poor[i].row;
        const struct engine_influencer_row **hit =
            n ? bsearch(&key, sorted, n, sizeof *sorted, by_id) : NULL;
        poor[i].recorded_fee = hit ? (*hit)->spend : 0;
    }
    free(sorted);
    free(rows);
    return 0;
}

/* A number for a sentence: as a ratio, without a trailing ".00" (a benchmark of 4). */
static const char *short_number(char out[FORMAT_MAX], double v)
{
    int n = format_ratio(out, FORMAT_MAX, v);
    if (n >= 3 && n < FORMAT_MAX && strcmp(out + n - 3, ".00") == 0)
        out[n - 3] = '\0';
    return out;
}

static void poor_reason(struct buf *b, const struct poor *p, const struct insights_config *c)
{
    const struct engine_influencer_row *r = p->row;
    char roas[FORMAT_MAX], bench[FORMAT_MAX], revenue[FORMAT_MAX], spend[FORMAT_MAX];
    format_ratio(roas, sizeof roas, r->roas.value);
    if (p->losing_money) {
        format_money_compact(revenue, sizeof revenue, r->revenue);
        format_money_compact(spend, sizeof spend, r->spend);
        buf_printf(b, "Losing money: ROAS %s, %s back for %s spent.", roas, revenue, spend);
    } else if (r->roas.value < c->roas_benchmark) {
        buf_printf(b, "ROAS %s is below the benchmark of %s.", roas,
                   short_number(bench, c->roas_benchmark));
    } else {
        char roi[FORMAT_MAX];
        format_percent(roi, sizeof roi, r->roi.value, 0);
        format_percent(bench, sizeof bench, c->roi_benchmark, 0);
        buf_printf(b, "ROI %s is below the benchmark of %s.", roi, bench);
    }
}

/* A recorded fee is the cause when it is most of the spend and bought little: at most one
 * post and at most half the average orders per influencer. */
static int fee_with_little_activity(const struct poor *p, const struct gathered *g)
{
    const struct engine_influencer_row *r = p->row;
    double average_orders = g->nrows ? (double)g->total.orders / (double)g->nrows : 0.0;
    return p->recorded_fee > 0 && 2.0 * (double)p->recorded_fee >= (double)r->spend &&
           r->posts <= 1 && (double)r->orders <= WELL_BELOW * average_orders;
}

/* Names the likely cause by comparing the influencer with the filtered totals, first match
 * of: a recorded fee with little activity, no orders, few orders for the reach, a high cost
 * per order, low engagement, small orders. */
static void poor_diagnosis(struct buf *b, const struct poor *p, const struct gathered *g)
{
    const struct engine_influencer_row *r = p->row;
    const struct totals *t = &g->total;
    char x[FORMAT_MAX], y[FORMAT_MAX], z[FORMAT_MAX];
    if (fee_with_little_activity(p, g)) {
        format_money_compact(x, sizeof x, p->recorded_fee);
        format_int(y, sizeof y, r->posts);
        format_int(z, sizeof z, r->orders);
        buf_printf(b, "A flat fee of %s was recorded for only %s %s and %s %s.", x, y,
                   plural(r->posts, "post", "posts"), z, plural(r->orders, "order", "orders"));
        return;
    }
    if (r->orders == 0) {
        if (r->posts == 0) {
            buf_puts(b, "No attributed orders at all, and no posts in the period.");
            return;
        }
        format_int(x, sizeof x, r->posts);
        format_int(y, sizeof y, r->reach);
        buf_printf(b, "No attributed orders at all: %s %s reaching %s people brought no sale.", x,
                   plural(r->posts, "post", "posts"), y);
        return;
    }
    struct engine_ratio conversion = ratio_of((double)r->orders, (double)r->reach);
    struct engine_ratio average_conversion = ratio_of((double)t->orders, (double)t->reach);
    if (conversion.has && average_conversion.has &&
        conversion.value < WELL_BELOW * average_conversion.value) {
        format_int(x, sizeof x, llround(1.0 / conversion.value));
        format_int(y, sizeof y, llround(1.0 / average_conversion.value));
        buf_printf(b,
                   "Few orders for its reach: 1 order per %s people reached vs 1 per %s on "
                   "average.",
                   x, y);
        return;
    }
    double cpo = (double)r->spend / (double)r->orders;
    struct engine_ratio average_cpo = ratio_of((double)t->spend, (double)t->orders);
    if (average_cpo.has && cpo > WELL_ABOVE * average_cpo.value) {
        format_money(x, sizeof x, round_paise(cpo), FORMAT_MONEY_WHOLE);
        format_money(y, sizeof y, round_paise(average_cpo.value), FORMAT_MONEY_WHOLE);
        buf_printf(b, "Cost per order %s vs %s on average.", x, y);
        return;
    }
    struct engine_ratio engagement = ratio_of((double)r->engagements, (double)r->reach);
    struct engine_ratio average_engagement = ratio_of((double)t->engagements, (double)t->reach);
    if (engagement.has && average_engagement.has &&
        engagement.value < WELL_BELOW * average_engagement.value) {
        format_percent(x, sizeof x, engagement.value, 1);
        format_percent(y, sizeof y, average_engagement.value, 1);
        buf_printf(b, "Low engagement: %s of its reach engaged vs %s on average.", x, y);
        return;
    }
    double aov = (double)r->revenue / (double)r->orders;
    struct engine_ratio average_aov = ratio_of((double)t->revenue, (double)t->orders);
    if (average_aov.has && aov < WELL_BELOW * average_aov.value) {
        format_money(x, sizeof x, round_paise(aov), FORMAT_MONEY_WHOLE);
        format_money(y, sizeof y, round_paise(average_aov.value), FORMAT_MONEY_WHOLE);
        buf_printf(b, "Small orders: %s per order vs %s on average.", x, y);
        return;
    }
    buf_puts(b, "No single cause stands out: orders, cost per order and engagement are near the "
                "average, so the payout terms are high for what this influencer sells.");
}

/* ---- personas and comparisons ------------------------------------------------------- */

static int persona_named(const struct engine_persona_row *p, enum engine_persona_dim dim)
{
    if (dim == ENGINE_PERSONA_TIER)
        return p->tier && *p->tier;
    return (p->category && *p->category) || (p->gender && *p->gender);
}

/* The named persona with the highest rank.key (shrunk or raw ROAS; ties: more revenue, then the
 * first), or -1 when fewer than two named personas have spend. */
static long best_persona(const struct engine_persona_row *p, size_t n, enum engine_persona_dim dim)
{
    long best = -1;
    size_t eligible = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(p[i].spend > 0 && p[i].rank.has_key && persona_named(&p[i], dim)))
            continue;
        eligible++;
        if (best < 0 || p[i].rank.key > p[best].rank.key ||
            (p[i].rank.key == p[best].rank.key && p[i].revenue > p[best].revenue))
            best = (long)i;
    }
    return eligible >= 2 ? best : -1;
}

static int64_t persona_revenue(const struct engine_persona_row *p, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i].revenue;
    return sum;
}

static void write_persona(struct json *j, const struct engine_persona_row *p,
                          enum engine_persona_dim dim, int64_t total_revenue)
{
    json_obj_begin(j);
    if (dim == ENGINE_PERSONA_TIER) {
        kv_text(j, "tier", p->tier);
    } else {
        kv_text(j, "category", p->category);
        kv_text(j, "gender", p->gender);
    }
    json_kv_int(j, "influencers", p->influencers);
    json_kv_money(j, "revenue", p->revenue);
    json_kv_int(j, "orders", p->orders);
    json_kv_money(j, "spend", p->spend);
    kv_ratio(j, "roas", p->spend != 0 ? p->roas : ratio_of(0, 0));
    insights_ranked_json(j, &p->rank);
    kv_ratio(j, "revenue_share", ratio_of((double)p->revenue, (double)total_revenue));
    json_obj_end(j);
}

static void write_personas(struct json *j, const struct gathered *g)
{
    int64_t cg_revenue = persona_revenue(g->category_gender, g->ncategory_gender);
    int64_t tier_revenue = persona_revenue(g->tiers, g->ntiers);
    json_key(j, "personas");
    json_obj_begin(j);
    json_key(j, "category_gender");
    json_arr_begin(j);
    for (size_t i = 0; i < g->ncategory_gender; i++)
        write_persona(j, &g->category_gender[i], ENGINE_PERSONA_CATEGORY_GENDER, cg_revenue);
    json_arr_end(j);
    json_key(j, "tier");
    json_arr_begin(j);
    for (size_t i = 0; i < g->ntiers; i++)
        write_persona(j, &g->tiers[i], ENGINE_PERSONA_TIER, tier_revenue);
    json_arr_end(j);
    long best =
        best_persona(g->category_gender, g->ncategory_gender, ENGINE_PERSONA_CATEGORY_GENDER);
    json_key(j, "best_category_gender");
    if (best >= 0)
        write_persona(j, &g->category_gender[best], ENGINE_PERSONA_CATEGORY_GENDER, cg_revenue);
    else
        json_null(j);
    best = best_persona(g->tiers, g->ntiers, ENGINE_PERSONA_TIER);
    json_key(j, "best_tier");
    if (best >= 0)
        write_persona(j, &g->tiers[best], ENGINE_PERSONA_TIER, tier_revenue);
    else
        json_null(j);
    json_obj_end(j);
}

/* Best and worst named group by ROAS among those with spend (ties: more revenue is better);
 * both -1 when fewer than two have spend. */
static void best_and_worst(const struct engine_group *gr, size_t n, long *best, long *worst)
{
    size_t eligible = 0;
    *best = *worst = -1;
    for (size_t i = 0; i < n; i++) {
        if (!(gr[i].spend > 0 && gr[i].roas.has && gr[i].key && *gr[i].key))
            continue;
        eligible++;
        double v = gr[i].roas.value;
        if (*best < 0 || v > gr[*best].roas.value ||
            (v == gr[*best].roas.value && gr[i].revenue > gr[*best].revenue))
            *best = (long)i;
        if (*worst < 0 || v < gr[*worst].roas.value ||
            (v == gr[*worst].roas.value && gr[i].revenue < gr[*worst].revenue))
            *worst = (long)i;
    }
    if (eligible < 2)
        *best = *worst = -1;
}

/* The named group with the most attributed revenue, or -1 unless two named groups have
 * revenue. */
static long top_by_revenue(const struct engine_group *gr, size_t n)
{
    long top = -1;
    size_t eligible = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(gr[i].revenue > 0 && gr[i].key && *gr[i].key))
            continue;
        eligible++;
        if (top < 0 || gr[i].revenue > gr[top].revenue)
            top = (long)i;
    }
    return eligible >= 2 ? top : -1;
}

static int64_t group_revenue(const struct engine_group *gr, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += gr[i].revenue;
    return sum;
}

static void write_groups(struct json *j, const char *list, const char *key_name,
                         const struct engine_group *gr, size_t n)
{
    int64_t total_revenue = group_revenue(gr, n);
    json_key(j, list);
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        json_obj_begin(j);
        kv_text(j, key_name, gr[i].key);
        json_kv_money(j, "revenue", gr[i].revenue);
        json_kv_int(j, "orders", gr[i].orders);
        json_kv_money(j, "organic_revenue", gr[i].organic_revenue);
        json_kv_money(j, "spend", gr[i].spend);
        json_kv_int(j, "posts", gr[i].posts);
        json_kv_int(j, "reach", gr[i].reach);
        kv_ratio(j, "roas", gr[i].spend != 0 ? gr[i].roas : ratio_of(0, 0));
        kv_ratio(j, "revenue_share", ratio_of((double)gr[i].revenue, (double)total_revenue));
        json_obj_end(j);
    }
    json_arr_end(j);
}

static void write_comparisons(struct json *j, const struct gathered *g)
{
    json_key(j, "comparisons");
    json_obj_begin(j);
    write_groups(j, "platform", "platform", g->platforms, g->nplatforms);
    write_groups(j, "brand", "brand", g->brands, g->nbrands);
    write_groups(j, "campaign", "campaign", g->campaigns, g->ncampaigns);
    long best, worst;
    best_and_worst(g->platforms, g->nplatforms, &best, &worst);
    kv_text(j, "best_platform", best >= 0 ? g->platforms[best].key : NULL);
    kv_text(j, "worst_platform", worst >= 0 ? g->platforms[worst].key : NULL);
    json_obj_end(j);
}

/* ---- sentences ---------------------------------------------------------------------- */

static void add_sentence(struct insights_sentences *s, struct buf *b)
{
    if (b->len > 0 && s->n < INSIGHTS_MAX_SENTENCES)
        s->text[s->n++] = buf_detach(b);
    buf_reset(b);
}

/* "ROAS 3.2 is below the benchmark of 4." */
static void say_benchmark(struct buf *b, const struct gathered *g, const struct insights_config *c)
{
    if (g->total.spend <= 0)
        return;
    double roas = (double)g->total.revenue / (double)g->total.spend;
    char value[FORMAT_MAX], bench[FORMAT_MAX];
    format_ratio(value, sizeof value, roas);
    short_number(bench, c->roas_benchmark);
    const char *verdict = roas < c->roas_benchmark   ? "is below"
                          : roas > c->roas_benchmark ? "is above"
                                                     : "meets";
    buf_printf(b, "ROAS %s %s the benchmark of %s.", value, verdict, bench);
}

/* "YouTube returns ₹6.2 per ₹1 spent, twice Instagram (₹3.1)." */
static void say_platforms(struct buf *b, const struct gathered *g)
{
    long best, worst;
    best_and_worst(g->platforms, g->nplatforms, &best, &worst);
    if (best < 0 || best == worst)
        return;
    const struct engine_group *hi = &g->platforms[best], *lo = &g->platforms[worst];
    char hi_roas[FORMAT_MAX], lo_roas[FORMAT_MAX], times[FORMAT_MAX];
    format_ratio(hi_roas, sizeof hi_roas, hi->roas.value);
    format_ratio(lo_roas, sizeof lo_roas, lo->roas.value);
    /* the multiple in tenths, when there is one to speak of */
    long long tenths = 0;
    if (lo->roas.value > 0 && hi->roas.value / lo->roas.value < 1e6)
        tenths = llround(hi->roas.value / lo->roas.value * 10.0);
    buf_printf(b, "%s returns " FORMAT_RUPEE "%s per " FORMAT_RUPEE "1 spent", hi->key, hi_roas);
    if (tenths == 20)
        buf_printf(b, ", twice %s (" FORMAT_RUPEE "%s).", lo->key, lo_roas);
    else if (tenths == 30)
        buf_printf(b, ", three times %s (" FORMAT_RUPEE "%s).", lo->key, lo_roas);
    else if (tenths >= 15) {
        format_multiple(times, sizeof times, (double)tenths / 10.0);
        buf_printf(b, ", %s" TIMES_SIGN " %s (" FORMAT_RUPEE "%s).", times, lo->key, lo_roas);
    } else
        buf_printf(b, " vs %s (" FORMAT_RUPEE "%s).", lo->key, lo_roas);
}

/* "The top 5 influencers brought ₹12.3 lakh, 41 % of attributed revenue." */
static void say_top(struct buf *b, const struct gathered *g, const struct insights_config *c)
{
    if (g->total.revenue <= 0 || c->top_n == 0 || g->nrows <= c->top_n)
        return;
    size_t *top = xmalloc(c->top_n * sizeof *top), *bottom = xmalloc(c->top_n * sizeof *bottom);
    size_t ntop, nbottom;
    insights_pick(g->rows, g->nrows, c->top_n, top, &ntop, bottom, &nbottom);
    int64_t revenue = 0;
    for (size_t i = 0; i < ntop; i++)
        revenue += g->rows[top[i]].revenue;
    free(top);
    free(bottom);
    if (revenue <= 0)
        return;
    char amount[FORMAT_MAX], share[FORMAT_MAX];
    format_money_compact(amount, sizeof amount, revenue);
    format_percent(share, sizeof share, (double)revenue / (double)g->total.revenue, 0);
    if (ntop == 1)
        buf_printf(b, "The top influencer brought %s, %s of attributed revenue.", amount, share);
    else
        buf_printf(b, "The top %zu influencers brought %s, %s of attributed revenue.", ntop, amount,
                   share);
}

/* "12 influencers lose money (ROAS below 1); the worst is X at 0.3." */
static void say_losing(struct buf *b, const struct poor *poor, size_t npoor)
{
    size_t losing = 0;
    while (losing < npoor && poor[losing].losing_money)
        losing++;
    if (losing == 0)
        return;
    char roas[FORMAT_MAX], count[FORMAT_MAX];
    format_ratio(roas, sizeof roas, poor[0].row->roas.value);
    if (losing == 1) {
        buf_printf(b, "1 influencer loses money (ROAS below 1): %s at %s.",
                   display_name(poor[0].row), roas);
        return;
    }
    format_int(count, sizeof count, (int64_t)losing);
    buf_printf(b, "%s influencers lose money (ROAS below 1); the worst is %s at %s.", count,
               display_name(poor[0].row), roas);
}

/* "Fitness · Female is the best persona: ROAS 7.9 over 120 influencers." */
static void say_persona(struct buf *b, const struct gathered *g)
{
    long best =
        best_persona(g->category_gender, g->ncategory_gender, ENGINE_PERSONA_CATEGORY_GENDER);
    if (best < 0)
        return;
    const struct engine_persona_row *p = &g->category_gender[best];
    char roas[FORMAT_MAX], count[FORMAT_MAX];
    format_ratio(roas, sizeof roas, p->roas.value);
    format_int(count, sizeof count, p->influencers);
    buf_printf(b, "%s " MIDDLE_DOT " %s is the best persona: ROAS %s over %s %s.",
               p->category && *p->category ? p->category : "Unknown",
               p->gender && *p->gender ? p->gender : "Unknown", roas, count,
               plural(p->influencers, "influencer", "influencers"));
}

/* "Organic revenue is 23 % of all revenue." */
static void say_organic(struct buf *b, const struct gathered *g)
{
    int64_t organic = g->total.organic_revenue, all = organic + g->total.revenue;
    if (organic <= 0 || all <= 0)
        return;
    char share[FORMAT_MAX];
    format_percent(share, sizeof share, (double)organic / (double)all, 0);
    buf_printf(b, "Organic revenue is %s of all revenue.", share);
}

/* "MuscleBlaze brought the most attributed revenue: ₹8.1 lakh, 55 %." */
static void say_top_group(struct buf *b, const char *prefix, const struct engine_group *gr,
                          size_t n)
{
    long top = top_by_revenue(gr, n);
    int64_t total = group_revenue(gr, n);
    if (top < 0 || total <= 0)
        return;
    char amount[FORMAT_MAX], share[FORMAT_MAX];
    format_money_compact(amount, sizeof amount, gr[top].revenue);
    format_percent(share, sizeof share, (double)gr[top].revenue / (double)total, 0);
    buf_printf(b, "%s%s brought the most attributed revenue: %s, %s.", prefix, gr[top].key, amount,
               share);
}

/* The earlier period's figures, and how sentences name it. */
struct earlier {
    int has;
    struct engine_kpis k;
    char label[64]; /* "the previous 30 days", "2025-01-01 to 2025-01-31" */
    char from[11], to[11];
    int64_t days;
};

static int gather_earlier(const struct engine *eng, const struct insights_compare *cmp,
                          struct earlier *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!cmp)
        return 0;
    int rc = engine_kpis(eng, cmp->filter, &out->k, e);
    if (rc != 0)
        return rc;
    out->has = 1;
    out->days = (int64_t)cmp->to_day - cmp->from_day + 1;
    schema_days_to_iso(cmp->from_day, out->from);
    schema_days_to_iso(cmp->to_day, out->to);
    if (!cmp->previous)
        snprintf(out->label, sizeof out->label, "%s to %s", out->from, out->to);
    else if (out->days == 1)
        snprintf(out->label, sizeof out->label, "the previous day");
    else
        snprintf(out->label, sizeof out->label, "the previous %lld days", (long long)out->days);
    return 0;
}

/* "up 12 %", "down 5 %", "flat": now against then (then > 0), rounded to the percent. */
static void say_move(struct buf *b, int64_t now, int64_t then)
{
    double rel = ((double)now - (double)then) / (double)then;
    char pct[FORMAT_MAX];
    format_percent(pct, sizeof pct, fabs(rel), 0);
    if (llround(fabs(rel) * 100.0) == 0)
        buf_puts(b, "flat");
    else
        buf_printf(b, "%s %s", rel > 0 ? "up" : "down", pct);
}

/* "Revenue up 12 % on the previous 30 days (₹12.3 lakh against ₹11 lakh); spend up 3 %;
 * ROAS 3.1 against 2.9." */
static void say_comparison(struct buf *b, const struct gathered *g, const struct earlier *p)
{
    if (!p->has)
        return;
    const struct totals *t = &g->total;
    char now[FORMAT_MAX], then[FORMAT_MAX];
    format_money_compact(now, sizeof now, t->revenue);
    format_money_compact(then, sizeof then, p->k.revenue);
    if (p->k.revenue <= 0 && t->revenue <= 0) {
        buf_printf(b, "No attributed revenue in this period or in %s.", p->label);
        return;
    }
    if (p->k.revenue <= 0) {
        buf_printf(b, "Revenue %s against none in %s", now, p->label);
    } else {
        buf_puts(b, "Revenue ");
        say_move(b, t->revenue, p->k.revenue);
        buf_printf(b, " on %s (%s against %s)", p->label, now, then);
    }
    if (p->k.spend > 0) {
        buf_puts(b, "; spend ");
        say_move(b, t->spend, p->k.spend);
    }
    if (p->k.spend > 0 && t->spend > 0) {
        char a[FORMAT_MAX], c[FORMAT_MAX];
        format_ratio(a, sizeof a, (double)t->revenue / (double)t->spend);
        format_ratio(c, sizeof c, (double)p->k.revenue / (double)p->k.spend);
        buf_printf(b, "; ROAS %s against %s", a, c);
    }
    buf_putc(b, '.');
}

static void build_sentences(struct insights_sentences *s, const struct gathered *g,
                            const struct poor *poor, size_t npoor, const struct insights_config *c,
                            const struct earlier *earlier)
{
    struct buf b = BUF_INIT;
    if (earlier) {
        say_comparison(&b, g, earlier);
        add_sentence(s, &b);
    }
    say_benchmark(&b, g, c);
    add_sentence(s, &b);
    say_platforms(&b, g);
    add_sentence(s, &b);
    say_top(&b, g, c);
    add_sentence(s, &b);
    say_losing(&b, poor, npoor);
    add_sentence(s, &b);
    say_persona(&b, g);
    add_sentence(s, &b);
    say_organic(&b, g);
    add_sentence(s, &b);
    say_top_group(&b, "", g->brands, g->nbrands);
    add_sentence(s, &b);
    say_top_group(&b, "Campaign ", g->campaigns, g->ncampaigns);
    add_sentence(s, &b);
    buf_release(&b);
}

void insights_sentences_release(struct insights_sentences *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->text[i]);
    s->n = 0;
}

int insights_sentences_compared(const struct engine *eng, const struct engine_filter *f,
                                const struct insights_compare *cmp, const struct insights_config *c,
                                struct insights_sentences *out, struct err *e)
{
    out->n = 0;
    struct earlier earlier;
    int rc = gather_earlier(eng, cmp, &earlier, e);
    if (rc != 0)
        return rc;
    struct gathered g;
    rc = gather(eng, f, c, &g, e);
    if (rc != 0)
        return rc;
    struct poor *poor = NULL;
    size_t npoor = find_poor(&g, c, &poor);
    build_sentences(out, &g, poor, npoor, c, &earlier);
    free(poor);
    gathered_release(&g);
    return 0;
}

int insights_sentences(const struct engine *eng, const struct engine_filter *f,
                       const struct insights_config *c, struct insights_sentences *out,
                       struct err *e)
{
    return insights_sentences_compared(eng, f, NULL, c, out, e);
}

/* ---- the document ------------------------------------------------------------------- */

static void write_picks(struct json *j, const struct gathered *g, const struct insights_config *c)
{
    size_t k = c->top_n < g->nrows ? c->top_n : g->nrows;
    size_t *top = xmalloc((k ? k : 1) * sizeof *top),
           *bottom = xmalloc((k ? k : 1) * sizeof *bottom);
    size_t ntop, nbottom;
    insights_pick(g->rows, g->nrows, k, top, &ntop, bottom, &nbottom);
    json_key(j, "top_influencers");
    json_arr_begin(j);
    for (size_t i = 0; i < ntop; i++)
        insights_influencer_json(j, &g->rows[top[i]]);
    json_arr_end(j);
    json_key(j, "bottom_influencers");
    json_arr_begin(j);
    for (size_t i = 0; i < nbottom; i++)
        insights_influencer_json(j, &g->rows[bottom[i]]);
    json_arr_end(j);
    free(top);
    free(bottom);
}

static void write_poor(struct json *j, const struct gathered *g, const struct poor *poor,
                       size_t npoor, const struct insights_config *c)
{
    struct buf text = BUF_INIT;
    size_t losing = 0;
    for (size_t i = 0; i < npoor; i++)
        losing += poor[i].losing_money != 0;
    json_kv_int(j, "poor_roi_count", (int64_t)npoor);
    json_kv_int(j, "losing_money_count", (int64_t)losing);
    json_key(j, "poor_roi");
    json_arr_begin(j);
    for (size_t i = 0; i < npoor && i < INSIGHTS_MAX_POOR; i++) {
        json_obj_begin(j);
        influencer_members(j, poor[i].row);
        buf_reset(&text);
        poor_reason(&text, &poor[i], c);
        json_kv_str(j, "reason", buf_cstr(&text));
        buf_reset(&text);
        poor_diagnosis(&text, &poor[i], g);
        json_kv_str(j, "diagnosis", buf_cstr(&text));
        json_kv_str(j, "severity", poor[i].losing_money ? "losing_money" : "below_benchmark");
        json_obj_end(j);
    }
    json_arr_end(j);
    buf_release(&text);
}

static void write_earlier(struct json *j, const struct earlier *p)
{
    if (!p->has)
        return;
    json_key(j, "compare");
    json_obj_begin(j);
    json_kv_str(j, "from", p->from);
    json_kv_str(j, "to", p->to);
    json_kv_int(j, "days", p->days);
    json_kv_str(j, "label", p->label);
    json_kv_money(j, "revenue", p->k.revenue);
    json_kv_money(j, "spend", p->k.spend);
    json_key(j, "roas");
    if (p->k.roas.has)
        json_double(j, p->k.roas.value);
    else
        json_null(j);
    json_obj_end(j);
}

int insights_write(struct json *j, const struct engine *eng, const struct engine_filter *f,
                   const struct insights_config *c, struct err *e)
{
    return insights_write_compared(j, eng, f, NULL, c, e);
}

int insights_write_compared(struct json *j, const struct engine *eng, const struct engine_filter *f,
                            const struct insights_compare *cmp, const struct insights_config *c,
                            struct err *e)
{
    struct earlier earlier;
    int rc = gather_earlier(eng, cmp, &earlier, e);
    if (rc != 0)
        return rc;
    struct gathered g;
    rc = gather(eng, f, c, &g, e);
    if (rc != 0)
        return rc;
    struct poor *poor = NULL;
    size_t npoor = find_poor(&g, c, &poor);
    rc = find_recorded_fees(eng, f, poor, npoor, e);
    if (rc != 0)
        goto out;

    json_key(j, "benchmarks");
    json_obj_begin(j);
    json_kv_double(j, "roas", c->roas_benchmark);
    json_kv_double(j, "roi", c->roi_benchmark);
    json_obj_end(j);
    write_picks(j, &g, c);
    write_poor(j, &g, poor, npoor, c);
    write_personas(j, &g);
    write_comparisons(j, &g);
    write_earlier(j, &earlier);

    struct insights_sentences s = {{NULL}, 0};
    build_sentences(&s, &g, poor, npoor, c, &earlier);
    json_key(j, "sentences");
    json_arr_begin(j);
    for (size_t i = 0; i < s.n; i++)
        json_str(j, s.text[i]);
    json_arr_end(j);
    insights_sentences_release(&s);

    if (j->error)
        rc = err_set(e, ERR_LIMIT, "insights: the response passed its size limit");
out:
    free(poor);
    gathered_release(&g);
    return rc;
}
