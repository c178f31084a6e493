/* api_data.c — the analytics endpoints' JSON (api_data.h): one engine pass per document,
 * then its views written with the streaming JSON writer.
 * Calls engine, engine_rank, engine_explain, filter, insights, json, format, number, tz and
 * schema. */
#include "api_data.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "number.h"
#include "schema.h"

#include "banned.h"

void api_settings_default(struct api_settings *s)
{
    insights_config_init(&s->insights);
    engine_incremental_opts_default(&s->incremental);
    s->compare.kind = FILTER_COMPARE_NONE;
    s->compare.from_day = s->compare.to_day = 0;
    s->csv_table = API_CSV_INFLUENCERS;
    s->sort_by_roas = 0;
    s->tz = NULL;
}

const char *api_csv_table_name(enum api_csv_table t)
{
    static const char *const names[API_CSV_NTABLES] = {"influencers", "kpis", "platform", "brand",
                                                       "campaign",    "day",  "product",  "source"};
    return (unsigned)t < API_CSV_NTABLES ? names[t] : "";
}

void api_as_of_json(struct json *j, const struct engine *eng, const struct api_settings *s)
{
    char at[TZ_ISO_MAX];
    tz_format_iso(s->tz, engine_as_of(eng), at);
    json_kv_str(j, "as_of", at[0] ? at : NULL);
    json_kv_str(j, "time_zone", s->tz ? tz_name(s->tz) : "UTC");
}

/* A number ≥ 0 (and ≤ max) from a query parameter, the whole value (number.h); 0 when
 * absent or empty. */
static int parse_number(filter_get_fn get, void *ctx, const char *name, double max, double *out,
                        int *given, struct err *e)
{
    const char *raw = get(ctx, name);
    *given = 0;
    if (!raw || !*raw)
        return 0;
    double v;
    if (number_parse_double(raw, strlen(raw), &v) < 0 || v < 0 || v > max)
        return err_set(e, ERR_USAGE, "%s: \"%.60s\" is not a number from 0 to %g", name, raw, max);
    *out = v;
    *given = 1;
    return 0;
}

int api_settings_parse(struct api_settings *s, filter_get_fn get, void *ctx, struct err *e)
{
    const char *method = get(ctx, "iroas_method");
    if (method && *method) {
        static const enum engine_iroas_method all[] = {ENGINE_IROAS_AUTO, ENGINE_IROAS_ORGANIC,
                                                       ENGINE_IROAS_HOLDOUT,
                                                       ENGINE_IROAS_FIXED_SHARE};
        size_t i = 0;
        while (i < 4 && strcmp(method, engine_iroas_method_name(all[i])) != 0)
            i++;
        if (i == 4)
            return err_set(e, ERR_USAGE,
                           "iroas_method: \"%.60s\" is not one of auto, organic, holdout, "
                           "fixed_share",
                           method);
        s->incremental.method = all[i];
    }
    double v;
    int given;
    if (parse_number(get, ctx, "fixed_share", 1.0, &v, &given, e) < 0)
        return e->code;
    if (given)
        s->incremental.fixed_share = v;
    const char *rank = get(ctx, "rank");
    if (rank && *rank) {
        if (strcmp(rank, "shrunk") == 0)
            s->insights.rank.mode = ENGINE_RANK_SHRUNK;
        else if (strcmp(rank, "raw") == 0)
            s->insights.rank.mode = ENGINE_RANK_RAW;
        else
            return err_set(e, ERR_USAGE, "rank: \"%.60s\" is not one of shrunk, raw", rank);
    }
    if (parse_number(get, ctx, "few_orders", 1e9, &v, &given, e) < 0)
        return e->code;
    if (given) {
        if (v != floor(v))
            return err_set(e, ERR_USAGE, "few_orders: \"%.60s\" is not a whole number",
                           get(ctx, "few_orders"));
        s->insights.rank.few_orders = (int64_t)v;
    }
    const char *sort = get(ctx, "sort");
    if (sort && *sort) {
        if (strcmp(sort, "revenue") == 0)
            s->sort_by_roas = 0;
        else if (strcmp(sort, "roas") == 0)
            s->sort_by_roas = 1;
        else
            return err_set(e, ERR_USAGE, "sort: \"%.60s\" is not one of revenue, roas", sort);
    }
    if (parse_number(get, ctx, "roas_benchmark", 1e9, &v, &given, e) < 0)
        return e->code;
    if (given)
        s->insights.roas_benchmark = v;
    if (parse_number(get, ctx, "roi_benchmark", 1e9, &v, &given, e) < 0)
        return e->code;
    if (given)
        s->insights.roi_benchmark = v;
    const char *compare = get(ctx, "compare");
    if (compare && filter_compare_parse(compare, &s->compare, e) < 0)
        return e->code;
    const char *table = get(ctx, "table");
    if (table && *table) {
        int t = 0;
        while (t < API_CSV_NTABLES && strcmp(table, api_csv_table_name((enum api_csv_table)t)))
            t++;
        if (t == API_CSV_NTABLES)
            return err_set(e, ERR_USAGE,
                           "table: \"%.60s\" is not one of influencers, kpis, platform, brand, "
                           "campaign, day, product, source",
                           table);
        s->csv_table = (enum api_csv_table)t;
    }
    return 0;
}

/* ---- small writers --------------------------------------------------------------------- */

static void kv_ratio(struct json *j, const char *key, struct engine_ratio r)
{
    json_key(j, key);
    if (r.has)
        json_double(j, r.value);
    else
        json_null(j);
}

/* A name, null when empty. */
static void kv_name(struct json *j, const char *key, const char *s)
{
    json_kv_str(j, key, s && *s ? s : NULL);
}

/* Whether a ratio meets its benchmark: null without the ratio. */
static void kv_met(struct json *j, const char *key, struct engine_ratio r, double benchmark)
{
    json_key(j, key);
    if (r.has)
        json_bool(j, r.value >= benchmark);
    else
        json_null(j);
}

static int finish(struct json *j, int rc, struct err *e)
{
    if (rc < 0)
        return rc;
    return json_finish(j, e);
}

/* The KPIs of /api/dashboard in their order: one table, so that the dashboard and
 * /api/explain write each value the same way. */
enum kpi_kind {
    KPI_MONEY,
    KPI_INT,
    KPI_RATIO,
    KPI_MONEY_RATIO,
    KPI_INCREMENTAL,
    KPI_IROAS,
    KPI_IROAS_METHOD
};

#define KPI_AT(member) offsetof(struct engine_kpis, member)

static const struct {
    const char *key;
    enum kpi_kind kind;
    size_t offset; /* of the int64_t or struct engine_ratio in struct engine_kpis */
} kpi_table[] = {
    {"revenue", KPI_MONEY, KPI_AT(revenue)},
    {"orders", KPI_INT, KPI_AT(orders)},
    {"spend", KPI_MONEY, KPI_AT(spend)},
    {"roas", KPI_RATIO, KPI_AT(roas)},
    {"roi", KPI_RATIO, KPI_AT(roi)},
    {"incremental_revenue", KPI_INCREMENTAL, 0},
    {"iroas", KPI_IROAS, 0},
    {"iroas_method", KPI_IROAS_METHOD, 0},
    {"organic_revenue", KPI_MONEY, KPI_AT(organic_revenue)},
    {"organic_orders", KPI_INT, KPI_AT(organic_orders)},
    {"posts", KPI_INT, KPI_AT(posts)},
    {"reach", KPI_INT, KPI_AT(reach)},
    {"engagements", KPI_INT, KPI_AT(engagements)},
    {"engagement_rate", KPI_RATIO, KPI_AT(engagement_rate)},
    {"engagement_rate_followers", KPI_RATIO, KPI_AT(engagement_rate_followers)},
    {"engagement_rate_views", KPI_RATIO, KPI_AT(engagement_rate_views)},
    {"cpo", KPI_MONEY_RATIO, KPI_AT(cpo)},
    {"aov", KPI_MONEY_RATIO, KPI_AT(aov)},
    {"cpm", KPI_MONEY_RATIO, KPI_AT(cpm)},
    {"cpe", KPI_MONEY_RATIO, KPI_AT(cpe)},
    {"conversion_rate", KPI_RATIO, KPI_AT(conversion_rate)},
    {"revenue_per_post", KPI_MONEY_RATIO, KPI_AT(revenue_per_post)},
    {"influencers", KPI_INT, KPI_AT(influencers)},
};

size_t api_kpi_count(void)
{
    return sizeof kpi_table / sizeof kpi_table[0];
}

const char *api_kpi_key(size_t i)
{
    return i < api_kpi_count() ? kpi_table[i].key : NULL;
}

int api_kpi_index(const char *key)
{
    for (size_t i = 0; i < api_kpi_count(); i++)
        if (strcmp(kpi_table[i].key, key) == 0)
            return (int)i;
    return -1;
}

void api_kpi_value_json(struct json *j, size_t i, const struct engine_kpis *k,
                        const struct engine_incremental *inc)
{
    const char *base = (const char *)k + kpi_table[i].offset;
    struct engine_ratio r;
    int64_t v;
    switch (kpi_table[i].kind) {
    case KPI_MONEY:
        memcpy(&v, base, sizeof v);
        json_money(j, v);
        break;
    case KPI_INT:
        memcpy(&v, base, sizeof v);
        json_int(j, v);
        break;
    case KPI_RATIO:
    case KPI_MONEY_RATIO:
        memcpy(&r, base, sizeof r);
        if (!r.has || !isfinite(r.value))
            json_null(j);
        else if (kpi_table[i].kind == KPI_RATIO)
            json_double(j, r.value);
        else
            json_money(j, (int64_t)llround(r.value));
        break;
    case KPI_INCREMENTAL:
        json_money(j, inc->incremental_revenue);
        break;
    case KPI_IROAS:
        if (inc->iroas.has)
            json_double(j, inc->iroas.value);
        else
            json_null(j);
        break;
    case KPI_IROAS_METHOD:
        json_str(j, engine_iroas_method_name(inc->method));
        break;
    }
}

/* One member of "kpis" as a value, for "kpis_change": how it is measured and its value. */
enum kpi_value_kind {
    KV_MONEY, /* paise in i (money, and per-unit amounts rounded to the paisa) */
    KV_INT,   /* a count in i */
    KV_RATIO, /* d */
    KV_NAME,  /* not a number (iroas_method) */
};

struct kpi_value {
    const char *key;
    enum kpi_value_kind kind;
    int has;
    int64_t i;
    double d;
};

#define KPI_MAX 32
_Static_assert(sizeof kpi_table / sizeof kpi_table[0] <= KPI_MAX, "kpis_change holds every KPI");

static struct kpi_value kpi_value_at(size_t i, const struct engine_kpis *k,
                                     const struct engine_incremental *inc)
{
    struct kpi_value v = {kpi_table[i].key, KV_NAME, 0, 0, 0};
    const char *base = (const char *)k + kpi_table[i].offset;
    struct engine_ratio r;
    switch (kpi_table[i].kind) {
    case KPI_MONEY:
    case KPI_INT:
        v.kind = kpi_table[i].kind == KPI_MONEY ? KV_MONEY : KV_INT;
        v.has = 1;
        memcpy(&v.i, base, sizeof v.i);
        break;
    case KPI_RATIO:
    case KPI_MONEY_RATIO:
        memcpy(&r, base, sizeof r);
        v.has = r.has && isfinite(r.value);
        if (kpi_table[i].kind == KPI_RATIO) {
            v.kind = KV_RATIO;
            v.d = r.value;
        } else {
            v.kind = KV_MONEY;
            v.i = v.has ? (int64_t)llround(r.value) : 0;
        }
        break;
    case KPI_INCREMENTAL:
        v.kind = KV_MONEY;
        v.has = 1;
        v.i = inc->incremental_revenue;
        break;
    case KPI_IROAS:
        v.kind = KV_RATIO;
        v.has = inc->iroas.has && isfinite(inc->iroas.value);
        v.d = inc->iroas.value;
        break;
    case KPI_IROAS_METHOD:
        break;
    }
    return v;
}

static void write_kpi_object(struct json *j, const char *member, const struct engine_kpis *k,
                             const struct engine_incremental *inc)
{
    json_key(j, member);
    json_obj_begin(j);
    for (size_t i = 0; i < api_kpi_count(); i++) {
        json_key(j, kpi_table[i].key);
        api_kpi_value_json(j, i, k, inc);
    }
    json_obj_end(j);
}

static void write_kpis(struct json *j, const struct engine_kpis *k,
                       const struct engine_incremental *inc)
{
    write_kpi_object(j, "kpis", k, inc);
}

/* Writes {"abs","rel"} of one KPI value, now (a) against then (b). */
static void write_change(struct json *j, const struct kpi_value *a, const struct kpi_value *b)
{
    json_obj_begin(j);
    json_key(j, "abs");
    int both = a->has && b->has && a->kind != KV_NAME;
    double before = 0, diff = 0;
    if (!both) {
        json_null(j);
    } else if (a->kind == KV_RATIO) {
        before = b->d;
        diff = a->d - b->d;
        json_double(j, diff);
    } else {
        before = (double)b->i;
        diff = (double)(a->i - b->i);
        if (a->kind == KV_INT)
            json_int(j, a->i - b->i);
        else
            json_money(j, a->i - b->i);
    }
    json_key(j, "rel");
    if (both && before != 0)
        json_double(j, diff / fabs(before));
    else
        json_null(j);
    json_obj_end(j);
}

void api_kpi_change_json(struct json *j, size_t i, const struct engine_kpis *k,
                         const struct engine_incremental *inc, const struct engine_kpis *pk,
                         const struct engine_incremental *pinc)
{
    struct kpi_value now = kpi_value_at(i, k, inc), then = kpi_value_at(i, pk, pinc);
    write_change(j, &now, &then);
}

void api_count_change_json(struct json *j, int64_t now, int64_t then, int money)
{
    struct kpi_value a = {"", money ? KV_MONEY : KV_INT, 1, now, 0};
    struct kpi_value b = {"", money ? KV_MONEY : KV_INT, 1, then, 0};
    write_change(j, &a, &b);
}

/* "kpis_change": now against then, key by key (api_data.h). */
static void write_kpi_change(struct json *j, const struct engine_kpis *k,
                             const struct engine_incremental *inc, const struct engine_kpis *pk,
                             const struct engine_incremental *pinc)
{
    json_key(j, "kpis_change");
    json_obj_begin(j);
    for (size_t i = 0; i < api_kpi_count(); i++) {
        json_key(j, kpi_table[i].key);
        api_kpi_change_json(j, i, k, inc, pk, pinc);
    }
    json_obj_end(j);
}

int api_compare_run(const struct engine *eng, const struct filter *f, const struct api_settings *s,
                    int32_t *from, int32_t *to, struct engine_result **r,
                    struct engine_incremental *pinc, struct err *e)
{
    *r = NULL;
    if (s->compare.kind == FILTER_COMPARE_NONE)
        return 0;
    int rc = filter_compare_period(eng, f, &s->compare, from, to, e);
    if (rc <= 0)
        return rc;
    struct engine_filter pf;
    filter_compare_apply(f, *from, *to, &pf);
    rc = engine_run_views(eng, &pf, 0, r, e);
    if (rc < 0)
        return rc;
    rc = engine_result_incremental(*r, &s->incremental, pinc, e);
    if (rc < 0) {
        engine_result_free(*r);
        *r = NULL;
        return rc;
    }
    return 1;
}

void api_compare_period_json(struct json *j, const struct api_settings *s, int32_t from, int32_t to)
{
    char a[11], b[11];
    schema_days_to_iso(from, a);
    schema_days_to_iso(to, b);
    json_key(j, "compare");
    json_obj_begin(j);
    json_kv_str(j, "from", a);
    json_kv_str(j, "to", b);
    json_kv_int(j, "days", (int64_t)to - from + 1);
    json_kv_str(j, "kind", s->compare.kind == FILTER_COMPARE_PREVIOUS ? "previous" : "range");
    json_obj_end(j);
}

/* "compare", "kpis_previous" and "kpis_change" when settings ask for a comparison
 * (api_data.h); nothing otherwise. */
static int write_comparison(struct json *j, const struct engine *eng, const struct filter *f,
                            const struct api_settings *s, const struct engine_kpis *k,
                            const struct engine_incremental *inc, struct err *e)
{
    if (s->compare.kind == FILTER_COMPARE_NONE)
        return 0;
    int32_t from, to;
    struct engine_result *r;
    struct engine_incremental pinc;
    int rc = api_compare_run(eng, f, s, &from, &to, &r, &pinc, e);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        json_kv_null(j, "compare");
        json_kv_null(j, "kpis_previous");
        json_kv_null(j, "kpis_change");
        return 0;
    }
    api_compare_period_json(j, s, from, to);
    write_kpi_object(j, "kpis_previous", engine_result_kpis(r), &pinc);
    write_kpi_change(j, k, inc, engine_result_kpis(r), &pinc);
    engine_result_free(r);
    return 0;
}

static void write_benchmarks(struct json *j, const struct engine_kpis *k,
                             const struct insights_config *c)
{
    json_key(j, "benchmarks");
    json_obj_begin(j);
    json_kv_double(j, "roas", c->roas_benchmark);
    json_kv_double(j, "roi", c->roi_benchmark);
    kv_met(j, "roas_met", k->roas, c->roas_benchmark);
    kv_met(j, "roi_met", k->roi, c->roi_benchmark);
    json_obj_end(j);
}

/* How incremental revenue was computed: the method, why, and its parameters (SPEC §3:
 * always shown next to the figure). */
static void write_incremental(struct json *j, const struct engine_incremental *inc)
{
    json_key(j, "incremental");
    json_obj_begin(j);
    json_kv_str(j, "method", engine_iroas_method_name(inc->method));
    json_kv_str(j, "requested", engine_iroas_method_name(inc->requested));
    json_kv_str(j, "basis", inc->why);
    json_kv_money(j, "incremental_revenue", inc->incremental_revenue);
    kv_ratio(j, "iroas", inc->iroas);
    json_key(j, "params");
    json_obj_begin(j);
    switch (inc->method) {
    case ENGINE_IROAS_ORGANIC:
        json_kv_money(j, "baseline_daily_revenue", inc->baseline_daily);
        json_kv_int(j, "baseline_days", inc->baseline_days);
        json_kv_int(j, "campaign_days", inc->campaign_days);
        json_kv_int(j, "bootstrap_resamples", inc->bootstrap);
        json_kv_int(j, "seed", (int64_t)inc->seed);
        json_kv_double(j, "confidence", 0.95);
        break;
    case ENGINE_IROAS_HOLDOUT:
        json_kv_money(j, "test_revenue", inc->test_revenue);
        json_kv_money(j, "control_revenue", inc->control_revenue);
        json_kv_int(j, "test_rows", inc->test_rows);
        json_kv_int(j, "control_rows", inc->control_rows);
        break;
    default:
        json_kv_double(j, "fixed_share", inc->fixed_share);
        break;
    }
    json_obj_end(j);
    json_key(j, "interval");
    if (inc->has_interval) {
        json_obj_begin(j);
        json_kv_money(j, "low", inc->low);
        json_kv_money(j, "high", inc->high);
        kv_ratio(j, "iroas_low", inc->iroas_low);
        kv_ratio(j, "iroas_high", inc->iroas_high);
        json_obj_end(j);
    } else {
        json_null(j);
    }
    json_obj_end(j);
}

/* A breakdown as an array of objects keyed by key_name; which sums depend on dim. */
static int write_breakdown(struct json *j, const struct engine_result *r, enum engine_dim dim,
                           const char *member, const char *key_name, struct err *e)
{
    struct engine_group *g;
    size_t n;
    int rc = engine_result_breakdown(r, dim, &g, &n, e);
    if (rc < 0)
        return rc;
    json_key(j, member);
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        json_obj_begin(j);
        /* "" is a group without a value (null), the undated day included (SPEC §3.1) */
        kv_name(j, key_name, g[i].key);
        json_kv_money(j, "revenue", g[i].revenue);
        json_kv_int(j, "orders", g[i].orders);
        if (dim != ENGINE_BY_PLATFORM)
            json_kv_money(j, "organic_revenue", g[i].organic_revenue);
        json_kv_money(j, "spend", g[i].spend);
        kv_ratio(j, "roas", g[i].roas);
        kv_ratio(j, "roi", g[i].roi);
        if (dim != ENGINE_BY_BRAND && dim != ENGINE_BY_PRODUCT && dim != ENGINE_BY_SOURCE) {
            json_kv_int(j, "posts", g[i].posts);
            json_kv_int(j, "reach", g[i].reach);
            json_kv_int(j, "engagements", g[i].engagements);
            kv_ratio(j, "engagement_rate", g[i].engagement_rate);
        }
        json_obj_end(j);
    }
    json_arr_end(j);
    free(g);
    return 0;
}

static int write_personas(struct json *j, const struct engine_result *r,
                          enum engine_persona_dim dim, const char *member,
                          const struct engine_rank_opts *rank, struct err *e)
{
    struct engine_persona_row *p;
    size_t n;
    int rc = engine_result_personas(r, dim, &p, &n, e);
    if (rc < 0)
        return rc;
    engine_rank_personas(p, n, rank);
    json_key(j, member);
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        json_obj_begin(j);
        if (dim == ENGINE_PERSONA_TIER) {
            kv_name(j, "tier", p[i].tier);
        } else {
            kv_name(j, "category", p[i].category);
            kv_name(j, "gender", p[i].gender);
        }
        json_kv_int(j, "influencers", p[i].influencers);
        json_kv_money(j, "revenue", p[i].revenue);
        json_kv_int(j, "orders", p[i].orders);
        json_kv_money(j, "spend", p[i].spend);
        kv_ratio(j, "roas", p[i].roas);
        insights_ranked_json(j, &p[i].rank);
        json_obj_end(j);
    }
    json_arr_end(j);
    free(p);
    return 0;
}

/* How the rows of a document were ranked by ROAS (README, "Honest rankings"). */
static void write_ranking(struct json *j, const struct engine_rank_opts *o,
                          const struct engine_influencer_row *rows, size_t n)
{
    struct engine_rank_item *items = xmalloc((n + 1) * sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = (struct engine_rank_item){rows[i].revenue, rows[i].spend, rows[i].orders};
    struct engine_rank_prior p;
    engine_rank_prior_of(items, n, &p);
    free(items);
    json_key(j, "ranking");
    json_obj_begin(j);
    json_kv_str(j, "rank", engine_rank_mode_name(o->mode));
    json_kv_int(j, "few_orders_below", o->few_orders);
    json_key(j, "cohort_roas");
    if (p.has)
        json_double(j, p.cohort_roas);
    else
        json_null(j);
    json_key(j, "between_variance");
    if (p.has)
        json_double(j, p.between_variance);
    else
        json_null(j);
    json_kv_double(j, "interval", 0.90);
    json_obj_end(j);
}

static void write_influencer_list(struct json *j, const char *member,
                                  const struct engine_influencer_row *rows, const size_t *idx,
                                  size_t n)
{
    json_key(j, member);
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++)
        insights_influencer_json(j, &rows[idx[i]]);
    json_arr_end(j);
}

static int run(const struct engine *eng, const struct filter *f, const struct api_settings *s,
               unsigned views, struct engine_result **r, struct engine_incremental *inc,
               struct err *e)
{
    int rc = engine_run_views(eng, &f->f, views, r, e);
    if (rc < 0)
        return rc;
    rc = engine_result_incremental(*r, &s->incremental, inc, e);
    if (rc < 0) {
        engine_result_free(*r);
        *r = NULL;
    }
    return rc;
}

/* Starts a document, {"filters":{…},"as_of","time_zone", for its members to follow and
 * json_obj_end to close. */
static void document_begin(struct json *j, struct buf *out, const struct filter *f,
                           const struct engine *eng, const struct api_settings *s)
{
    json_init(j, out);
    json_obj_begin(j);
    json_key(j, "filters");
    filter_json(f, j);
    api_as_of_json(j, eng, s);
}

/* ---- the documents ----------------------------------------------------------------------- */

int api_dashboard_json(const struct engine *eng, const struct filter *f,
                       const struct api_settings *s, struct buf *out, struct err *e)
{
    struct engine_result *r;
    struct engine_incremental inc;
    int rc = run(eng, f, s, ENGINE_VIEW_ALL, &r, &inc, e);
    if (rc < 0)
        return rc;
    const struct engine_kpis *k = engine_result_kpis(r);
    struct json j;
    document_begin(&j, out, f, eng, s);
    write_kpis(&j, k, &inc);
    rc = write_comparison(&j, eng, f, s, k, &inc, e);
    write_benchmarks(&j, k, &s->insights);
    write_incremental(&j, &inc);
    if (rc == 0)
        rc = write_breakdown(&j, r, ENGINE_BY_PLATFORM, "by_platform", "platform", e);
    if (rc == 0)
        rc = write_breakdown(&j, r, ENGINE_BY_BRAND, "by_brand", "brand", e);
    if (rc == 0)
        rc = write_breakdown(&j, r, ENGINE_BY_DAY, "daily", "date", e);
    if (rc == 0)
        rc = write_breakdown(&j, r, ENGINE_BY_CAMPAIGN, "by_campaign", "campaign", e);
    if (rc == 0)
        rc = write_breakdown(&j, r, ENGINE_BY_PRODUCT, "by_product", "product", e);
    if (rc == 0)
        rc = write_breakdown(&j, r, ENGINE_BY_SOURCE, "by_source", "source", e);
    if (rc == 0) {
        struct engine_influencer_row *rows;
        size_t n, ntop, nbottom;
        engine_result_influencers(r, 0, &rows, &n);
        engine_rank_influencers(rows, n, &s->insights.rank);
        write_ranking(&j, &s->insights.rank, rows, n);
        size_t k_top = s->insights.top_n < n ? s->insights.top_n : n;
        size_t *top = xmalloc((k_top + 1) * sizeof *top);
        size_t *bottom = xmalloc((k_top + 1) * sizeof *bottom);
        insights_pick(rows, n, s->insights.top_n, top, &ntop, bottom, &nbottom);
        write_influencer_list(&j, "top_influencers", rows, top, ntop);
        write_influencer_list(&j, "bottom_influencers", rows, bottom, nbottom);
        free(top);
        free(bottom);
        free(rows);
    }
    if (rc == 0)
        rc =
            write_personas(&j, r, ENGINE_PERSONA_CATEGORY_GENDER, "personas", &s->insights.rank, e);
    if (rc == 0)
        rc = write_personas(&j, r, ENGINE_PERSONA_TIER, "tiers", &s->insights.rank, e);
    if (rc == 0)
        json_obj_end(&j);
    engine_result_free(r);
    return finish(&j, rc, e);
}

/* By rank.key descending (rows without spend last), then revenue descending, then id. */
static int cmp_by_rank_desc(const void *pa, const void *pb)
{
    const struct engine_influencer_row *a = pa, *b = pb;
    if (a->rank.has_key != b->rank.has_key)
        return a->rank.has_key ? -1 : 1;
    if (a->rank.has_key && a->rank.key != b->rank.key)
        return a->rank.key > b->rank.key ? -1 : 1;
    if (a->revenue != b->revenue)
        return a->revenue > b->revenue ? -1 : 1;
    return strcmp(a->id, b->id);
}

int api_influencers_json(const struct engine *eng, const struct filter *f,
                         const struct api_settings *s, struct buf *out, struct err *e)
{
    struct engine_result *r;
    int rc = engine_run_views(eng, &f->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct engine_influencer_row *rows;
    size_t n;
    engine_result_influencers(r, 1, &rows, &n);
    engine_rank_influencers(rows, n, &s->insights.rank);
    if (s->sort_by_roas && n > 1)
        qsort(rows, n, sizeof *rows, cmp_by_rank_desc);
    struct json j;
    document_begin(&j, out, f, eng, s);
    json_kv_str(&j, "sort", s->sort_by_roas ? "roas" : "revenue");
    write_ranking(&j, &s->insights.rank, rows, n);
    json_kv_int(&j, "count", (int64_t)n);
    json_key(&j, "influencers");
    json_arr_begin(&j);
    for (size_t i = 0; i < n; i++)
        insights_influencer_json(&j, &rows[i]);
    json_arr_end(&j);
    json_obj_end(&j);
    free(rows);
    engine_result_free(r);
    return json_finish(&j, e);
}

static void write_payout_row(struct json *j, const struct engine_payout_row *p)
{
    json_obj_begin(j);
    json_kv_str(j, "influencer_id", p->id);
    kv_name(j, "name", p->name);
    kv_name(j, "platform", p->platform);
    kv_name(j, "basis", p->basis);
    json_kv_money(j, "earned", p->earned);
    json_kv_money(j, "recorded", p->recorded);
    json_kv_money(j, "paid", p->paid);
    json_kv_money(j, "pending", p->pending);
    /* earned against recorded over the same activity (README, Payouts) */
    json_kv_str(j, "check", engine_payout_check_name(p->check));
    json_kv_str(j, "check_reason", p->reason[0] ? p->reason : NULL);
    json_kv_money(j, "compared_earned", p->compared_earned);
    json_kv_money(j, "compared_recorded", p->compared_recorded);
    json_key(j, "difference");
    if (p->has_difference)
        json_money(j, p->difference);
    else
        json_null(j);
    json_kv_bool(j, "mismatch", p->mismatch != 0);
    json_kv_int(j, "payout_rows", p->payout_rows);
    /* paid, pending, partly paid, or outside_range: earned under terms whose payout rows
     * are all dated outside the range (none is counted in it) */
    const char *status = p->payout_rows == 0              ? "outside_range"
                         : p->pending == 0 && p->paid > 0 ? "paid"
                         : p->paid == 0 && p->pending > 0 ? "pending"
                         : p->paid > 0 && p->pending > 0  ? "partly_paid"
                                                          : "unknown";
    json_kv_str(j, "status", status);
    json_obj_end(j);
}

int api_influencer_json(const struct engine *eng, const struct filter *f, const char *id,
                        const struct api_settings *s, struct buf *out, struct err *e)
{
    (void)s;
    int index = engine_influencer_index(eng, id);
    if (index < 0)
        return err_set(e, ERR_NOTFOUND, "no influencer with id \"%.100s\"", id);
    /* The user's filters, narrowed to this influencer. When their influencer filter
     * leaves it out, its figures are shown all the same, flagged as excluded. */
    int excluded = f->f.influencer.n > 0;
    for (size_t i = 0; i < f->f.influencer.n && excluded; i++)
        excluded = strcmp(f->f.influencer.values[i], id) != 0;
    struct engine_filter one = f->f;
    const char *ids[] = {id};
    one.influencer.values = ids;
    one.influencer.n = 1;
    struct engine_result *r;
    int rc = engine_run(eng, &one, &r, e);
    if (rc < 0)
        return rc;
    struct engine_influencer_row row;
    engine_result_influencer(r, index, &row);
    struct json j;
    document_begin(&j, out, f, eng, s);
    json_key(&j, "influencer");
    insights_influencer_json(&j, &row);
    json_kv_bool(&j, "excluded_by_filters", excluded != 0);
    rc = write_breakdown(&j, r, ENGINE_BY_DAY, "daily", "date", e);
    if (rc == 0)
        rc = write_breakdown(&j, r, ENGINE_BY_CAMPAIGN, "by_campaign", "campaign", e);
    if (rc == 0) {
        struct engine_post_row *posts;
        size_t n;
        engine_result_posts(r, index, &posts, &n);
        json_key(&j, "posts");
        json_arr_begin(&j);
        for (size_t i = 0; i < n; i++) {
            json_obj_begin(&j);
            json_kv_str(&j, "date", posts[i].date[0] ? posts[i].date : NULL);
            kv_name(&j, "platform", posts[i].platform);
            kv_name(&j, "campaign", posts[i].campaign);
            json_kv_int(&j, "reach", posts[i].reach);
            json_kv_int(&j, "likes", posts[i].likes);
            json_kv_int(&j, "comments", posts[i].comments);
            json_kv_int(&j, "shares", posts[i].shares);
            json_kv_int(&j, "saves", posts[i].saves);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        free(posts);
        struct engine_payout_row *pay;
        struct engine_payout_totals t;
        engine_result_payouts(r, &pay, &n, &t);
        json_key(&j, "payout");
        if (n > 0)
            write_payout_row(&j, &pay[0]);
        else
            json_null(&j);
        free(pay);
        json_obj_end(&j);
    }
    engine_result_free(r);
    return finish(&j, rc, e);
}

int api_insights_json(const struct engine *eng, const struct filter *f,
                      const struct api_settings *s, struct buf *out, struct err *e)
{
    struct engine_result *r;
    struct engine_incremental inc;
    int rc = run(eng, f, s, 0, &r, &inc, e);
    if (rc < 0)
        return rc;
    struct json j;
    document_begin(&j, out, f, eng, s);
    write_incremental(&j, &inc);
    engine_result_free(r);
    struct engine_filter pf;
    struct insights_compare cmp;
    int32_t from, to;
    rc = filter_compare_period(eng, f, &s->compare, &from, &to, e);
    if (rc < 0)
        return finish(&j, rc, e);
    if (rc == 1) {
        filter_compare_apply(f, from, to, &pf);
        cmp = (struct insights_compare){&pf, from, to, s->compare.kind == FILTER_COMPARE_PREVIOUS};
    }
    rc = insights_write_compared(&j, eng, &f->f, rc == 1 ? &cmp : NULL, &s->insights, e);
    if (rc == 0)
        json_obj_end(&j);
    return finish(&j, rc, e);
}

int api_payouts_json(const struct engine *eng, const struct filter *f, const struct api_settings *s,
                     struct buf *out, struct err *e)
{
    (void)s;
    struct engine_result *r;
    int rc = engine_run_views(eng, &f->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct engine_payout_row *rows;
    size_t n;
    struct engine_payout_totals t;
    engine_result_payouts(r, &rows, &n, &t);
    struct json j;
    document_begin(&j, out, f, eng, s);
    json_kv_money(&j, "tolerance", ENGINE_PAYOUT_TOLERANCE);
    json_key(&j, "totals");
    json_obj_begin(&j);
    json_kv_int(&j, "influencers", t.influencers);
    json_kv_money(&j, "earned", t.earned);
    json_kv_money(&j, "recorded", t.recorded);
    json_kv_money(&j, "paid", t.paid);
    json_kv_money(&j, "pending", t.pending);
    json_kv_int(&j, "mismatches", t.mismatches);
    json_kv_int(&j, "not_comparable", t.not_comparable);
    json_obj_end(&j);
    json_key(&j, "influencers");
    json_arr_begin(&j);
    for (size_t i = 0; i < n; i++)
        write_payout_row(&j, &rows[i]);
    json_arr_end(&j);
    json_obj_end(&j);
    free(rows);
    engine_result_free(r);
    return json_finish(&j, e);
}

/* ---- what the figures leave out ---------------------------------------------------------- */

static void write_unattributed_groups(struct json *j, const char *member, const char *key_name,
                                      const struct engine_unattributed_group *g, size_t n)
{
    json_key(j, member);
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        json_obj_begin(j);
        if (g[i].key == g[i].date)
            json_kv_str(j, key_name, g[i].key);
        else
            kv_name(j, key_name, g[i].key);
        json_kv_money(j, "revenue", g[i].organic_revenue + g[i].unknown_revenue);
        json_kv_int(j, "orders", g[i].organic_orders + g[i].unknown_orders);
        json_kv_money(j, "organic_revenue", g[i].organic_revenue);
        json_kv_money(j, "unknown_influencer_revenue", g[i].unknown_revenue);
        json_obj_end(j);
    }
    json_arr_end(j);
}

/* "N % of revenue" with a share that rounds to 0 said as "less than 1 %". */
static void share_words(char *out, size_t size, int64_t part, int64_t total)
{
    double share = total != 0 ? (double)part / (double)total : 0;
    if (share > 0 && share < 0.005)
        snprintf(out, size, "less than 1 %%");
    else
        format_percent(out, size, share, 0);
}

/* The sentences of the unattributed document: what the programme's figures leave out. */
static void write_unattributed_sentences(struct json *j, const struct engine_unattributed *u)
{
    char share[32], text[320];
    json_key(j, "sentences");
    json_arr_begin(j);
    if (u->total_revenue > 0 && u->nunknown_ids > 0) {
        share_words(share, sizeof share, u->unknown_revenue, u->total_revenue);
        snprintf(text, sizeof text,
                 "%s of revenue comes from %zu influencer id%s that %s not in your influencers "
                 "file.",
                 share, u->nunknown_ids, u->nunknown_ids == 1 ? "" : "s",
                 u->nunknown_ids == 1 ? "is" : "are");
        json_str(j, text);
    }
    if (u->total_revenue > 0 && u->organic_revenue != 0) {
        share_words(share, sizeof share, u->organic_revenue, u->total_revenue);
        snprintf(text, sizeof text,
                 "%s of revenue is organic: rows without an influencer, or with source "
                 "\"organic\".",
                 share);
        json_str(j, text);
    }
    json_arr_end(j);
}

int api_unattributed_json(const struct engine *eng, const struct filter *f,
                          const struct api_settings *s, struct buf *out, struct err *e)
{
    (void)s;
    struct engine_result *r;
    int rc = engine_run_views(eng, &f->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct engine_unattributed u;
    engine_result_unattributed(r, &u);
    struct json j;
    document_begin(&j, out, f, eng, s);
    json_kv_money(&j, "total_revenue", u.total_revenue);
    json_kv_money(&j, "attributed_revenue", u.attributed_revenue);
    json_kv_money(&j, "organic_revenue", u.organic_revenue);
    json_kv_money(&j, "unknown_influencer_revenue", u.unknown_revenue);
    json_kv_int(&j, "total_orders", u.total_orders);
    json_kv_int(&j, "attributed_orders", u.attributed_orders);
    json_kv_int(&j, "organic_orders", u.organic_orders);
    json_kv_int(&j, "unknown_influencer_orders", u.unknown_orders);
    write_unattributed_sentences(&j, &u);
    write_unattributed_groups(&j, "by_source", "source", u.by_source, u.nby_source);
    write_unattributed_groups(&j, "by_campaign", "campaign", u.by_campaign, u.nby_campaign);
    write_unattributed_groups(&j, "by_brand", "brand", u.by_brand, u.nby_brand);
    write_unattributed_groups(&j, "daily", "date", u.daily, u.ndaily);
    json_key(&j, "unknown_ids");
    json_arr_begin(&j);
    for (size_t i = 0; i < u.nunknown_ids; i++) {
        json_obj_begin(&j);
        json_kv_str(&j, "influencer_id", u.unknown_ids[i].id);
        json_kv_int(&j, "orders", u.unknown_ids[i].orders);
        json_kv_money(&j, "revenue", u.unknown_ids[i].revenue);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    engine_unattributed_release(&u);
    engine_result_free(r);
    return json_finish(&j, e);
}

static int cmp_influencer_id(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(x[0], y[0]);
}

int api_options_json(const struct engine *eng, const struct api_settings *s, struct buf *out,
                     struct err *e)
{
    static const char *const names[ENGINE_FIELD_COUNT] = {
        "platform", "brand",  "product", "campaign", "source",
        "category", "gender", "tier",    "persona",  "basis",
    };
    struct json j;
    json_init(&j, out);
    json_obj_begin(&j);
    api_as_of_json(&j, eng, s);
    int32_t first, last;
    char iso[11];
    int have = engine_day_range(eng, &first, &last) == 0;
    json_key(&j, "from");
    if (have) {
        schema_days_to_iso(first, iso);
        json_str(&j, iso);
    } else {
        json_null(&j);
    }
    json_key(&j, "to");
    if (have) {
        schema_days_to_iso(last, iso);
        json_str(&j, iso);
    } else {
        json_null(&j);
    }
    for (int field = 0; field < ENGINE_FIELD_COUNT; field++) {
        const char **values;
        size_t n;
        engine_values(eng, (enum engine_field)field, &values, &n);
        json_key(&j, names[field]);
        json_arr_begin(&j);
        for (size_t i = 0; i < n; i++)
            json_str(&j, values[i]);
        json_arr_end(&j);
        free(values);
    }
    /* influencers as (id, name) pairs sorted by id */
    size_t ninf = engine_influencer_total(eng);
    const char **pairs = xmalloc((2 * ninf + 1) * sizeof *pairs);
    for (size_t i = 0; i < ninf; i++)
        engine_influencer_names(eng, i, &pairs[2 * i], &pairs[2 * i + 1]);
    if (ninf > 1)
        qsort(pairs, ninf, 2 * sizeof *pairs, cmp_influencer_id);
    json_key(&j, "influencer");
    json_arr_begin(&j);
    for (size_t i = 0; i < ninf; i++) {
        json_obj_begin(&j);
        json_kv_str(&j, "id", pairs[2 * i]);
        kv_name(&j, "name", pairs[2 * i + 1]);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    free(pairs);
    json_obj_end(&j);
    return json_finish(&j, e);
}
