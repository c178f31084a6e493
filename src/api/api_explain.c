/* api_explain.c — GET /api/explain (SPEC §3.3): for one KPI of /api/dashboard, its value (the
 * dashboard's, written by the same code), its formula in words, its inputs with their values,
 * the rules that applied (payout terms, the incremental method and its parameters,
 * benchmarks, how ratios and denominators are formed) and the number of stored rows of each
 * dataset behind it; and which rows those are, for /api/explain/rows.csv.
 * Calls api_data, engine, engine_explain, filter, json, format and buf. */
#include "api_explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"

#include "banned.h"

/* What a metric's rules say (one flag per rule). */
#define RULE_ATTRIBUTED 0x01u  /* attributed = non-organic tracking rows */
#define RULE_ORGANIC 0x02u     /* organic rows, and the filters that do not apply to them */
#define RULE_SPEND 0x04u       /* payout terms, priced per influencer, campaign scope */
#define RULE_INCREMENTAL 0x08u /* the method, why, its parameters */
#define RULE_ROAS_BENCH 0x10u
#define RULE_ROI_BENCH 0x20u
#define RULE_RATIO 0x40u /* a ratio of sums, null without a denominator */
#define RULE_FOLLOWERS 0x80u
#define RULE_VIEWS 0x100u
#define RULE_POSTS 0x200u
#define RULE_ACTIVE 0x400u

#define ROWS_ACTIVITY (ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_POSTS | ENGINE_ROWS_PAYOUTS)

static const struct api_explanation {
    const char *metric, *label, *formula;
    const char *inputs[4]; /* KPI keys or the names of special_input */
    unsigned rows;         /* ENGINE_ROWS_* */
    unsigned rules;
} explanations[] = {
    {"revenue",
     "Revenue",
     "the sum of revenue over attributed (non-organic) tracking rows",
     {"attributed_rows"},
     ENGINE_ROWS_ATTRIBUTED,
     RULE_ATTRIBUTED},
    {"orders",
     "Orders",
     "the sum of orders over attributed (non-organic) tracking rows",
     {"attributed_rows"},
     ENGINE_ROWS_ATTRIBUTED,
     RULE_ATTRIBUTED},
    {"spend",
     "Spend",
     "the sum over influencers of what each earned under its payout terms over the filtered "
     "activity: order → rate × attributed orders, post → rate × posts, revenue_share → rate × "
     "revenue, flat/hybrid/other → the recorded total_payout",
     {"payout_rows", "orders", "posts", "revenue"},
     ROWS_ACTIVITY,
     RULE_SPEND},
    {"roas",
     "ROAS",
     "revenue ÷ spend",
     {"revenue", "spend"},
     ROWS_ACTIVITY,
     RULE_ATTRIBUTED | RULE_SPEND | RULE_RATIO | RULE_ROAS_BENCH},
    {"roi",
     "ROI",
     "(revenue − spend) ÷ spend",
     {"revenue", "spend"},
     ROWS_ACTIVITY,
     RULE_ATTRIBUTED | RULE_SPEND | RULE_RATIO | RULE_ROI_BENCH},
    {"incremental_revenue",
     "Incremental revenue",
     "revenue above what would have come anyway, by the method shown",
     {"revenue", "organic_revenue"},
     ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_ORGANIC,
     RULE_INCREMENTAL | RULE_ATTRIBUTED | RULE_ORGANIC},
    {"iroas",
     "Incremental ROAS",
     "incremental revenue ÷ spend",
     {"incremental_revenue", "spend"},
     ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_ORGANIC | ENGINE_ROWS_POSTS | ENGINE_ROWS_PAYOUTS,
     RULE_INCREMENTAL | RULE_SPEND | RULE_RATIO},
    {"iroas_method",
     "Incremental method",
     "organic when the filtered data has organic rows and days without influencer activity, "
     "else holdout when it has Test and Control rows, else fixed_share (unless one is asked "
     "for)",
     {"organic_revenue"},
     ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_ORGANIC,
     RULE_INCREMENTAL},
    {"organic_revenue",
     "Organic revenue",
     "the sum of revenue over organic tracking rows (no influencer_id, or source organic)",
     {"organic_rows"},
     ENGINE_ROWS_ORGANIC,
     RULE_ORGANIC},
    {"organic_orders",
     "Organic orders",
     "the sum of orders over organic tracking rows",
     {"organic_rows"},
     ENGINE_ROWS_ORGANIC,
     RULE_ORGANIC},
    {"posts",
     "Posts",
     "the number of posts of the selected influencers in the filter",
     {"posts"},
     ENGINE_ROWS_POSTS,
     RULE_POSTS},
    {"reach",
     "Reach",
     "the sum of reach over those posts",
     {"posts"},
     ENGINE_ROWS_POSTS,
     RULE_POSTS},
    {"engagements",
     "Engagements",
     "the sum of likes + comments + shares + saves over those posts",
     {"posts"},
     ENGINE_ROWS_POSTS,
     RULE_POSTS},
    {"engagement_rate",
     "Engagement rate (by reach)",
     "engagements ÷ reach",
     {"engagements", "reach"},
     ENGINE_ROWS_POSTS,
     RULE_POSTS | RULE_RATIO},
    {"engagement_rate_followers",
     "Engagement rate (by followers)",
     "engagements ÷ followers, over the posts whose influencer has a follower_count",
     {"follower_engagements", "followers", "posts_with_followers", "posts"},
     ENGINE_ROWS_POSTS,
     RULE_POSTS | RULE_RATIO | RULE_FOLLOWERS},
    {"engagement_rate_views",
     "Engagement rate (by views)",
     "engagements ÷ views, over the posts that carry video_views or impressions",
     {"view_engagements", "views", "posts_with_views", "posts"},
     ENGINE_ROWS_POSTS,
     RULE_POSTS | RULE_RATIO | RULE_VIEWS},
    {"cpo",
     "Cost per order",
     "spend ÷ orders",
     {"spend", "orders"},
     ROWS_ACTIVITY,
     RULE_SPEND | RULE_ATTRIBUTED | RULE_RATIO},
    {"aov",
     "Average order value",
     "revenue ÷ orders",
     {"revenue", "orders"},
     ENGINE_ROWS_ATTRIBUTED,
     RULE_ATTRIBUTED | RULE_RATIO},
    {"cpm",
     "Cost per 1,000 reached",
     "spend ÷ reach × 1,000",
     {"spend", "reach"},
     ROWS_ACTIVITY,
     RULE_SPEND | RULE_POSTS | RULE_RATIO},
    {"cpe",
     "Cost per engagement",
     "spend ÷ engagements",
     {"spend", "engagements"},
     ROWS_ACTIVITY,
     RULE_SPEND | RULE_POSTS | RULE_RATIO},
    {"conversion_rate",
     "Conversion rate",
     "orders ÷ reach",
     {"orders", "reach"},
     ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_POSTS,
     RULE_ATTRIBUTED | RULE_POSTS | RULE_RATIO},
    {"revenue_per_post",
     "Revenue per post",
     "revenue ÷ posts",
     {"revenue", "posts"},
     ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_POSTS,
     RULE_ATTRIBUTED | RULE_POSTS | RULE_RATIO},
    {"influencers",
     "Influencers",
     "the number of selected influencers with a post, an attributed row or a recorded payout "
     "in the filter",
     {"attributed_rows", "posts", "payout_rows"},
     ROWS_ACTIVITY,
     RULE_ACTIVE},
};

/* The Payouts page's totals (GET /api/payouts "totals"), explained alike; "value" is written
 * as that document writes it. */
enum payout_total {
    PT_RECORDED,
    PT_PAID,
    PT_PENDING,
    PT_MISMATCHES,
    PT_NOT_COMPARABLE,
    PT_INFLUENCERS
};

#define RULE_PAYOUTS_COUNTED 0x800u
#define RULE_PAYOUTS_CHECK 0x1000u

static const struct api_explanation payout_explanations[] = {
    {"payouts.recorded",
     "Recorded",
     "the sum of total_payout over the payout rows counted",
     {"counted_payout_rows"},
     ENGINE_ROWS_PAYOUTS_COUNTED,
     RULE_PAYOUTS_COUNTED},
    {"payouts.paid",
     "Paid",
     "the sum of total_payout over the counted rows with status Paid",
     {"counted_payout_rows", "payouts.recorded"},
     ENGINE_ROWS_PAYOUTS_COUNTED,
     RULE_PAYOUTS_COUNTED},
    {"payouts.pending",
     "Pending",
     "the sum of total_payout over the counted rows with status Pending",
     {"counted_payout_rows", "payouts.recorded"},
     ENGINE_ROWS_PAYOUTS_COUNTED,
     RULE_PAYOUTS_COUNTED},
    {"payouts.mismatches",
     "Mismatches",
     "the number of influencers whose recorded and earned differ by more than the tolerance "
     "over the same activity",
     {"payouts.recorded", "spend"},
     ENGINE_ROWS_PAYOUTS_COUNTED | ROWS_ACTIVITY,
     RULE_PAYOUTS_COUNTED | RULE_PAYOUTS_CHECK},
    {"payouts.not_comparable",
     "Not comparable",
     "the number of influencers some of whose payout terms the filters do not let be compared",
     {"payouts.recorded", "spend"},
     ENGINE_ROWS_PAYOUTS_COUNTED | ROWS_ACTIVITY,
     RULE_PAYOUTS_COUNTED | RULE_PAYOUTS_CHECK},
    {"payouts.influencers",
     "Influencers",
     "the number of selected influencers with payout rows counted in the filter, or spend",
     {"counted_payout_rows", "spend"},
     ENGINE_ROWS_PAYOUTS_COUNTED | ROWS_ACTIVITY,
     RULE_PAYOUTS_COUNTED},
};

#define NPAYOUT_METRICS (sizeof payout_explanations / sizeof payout_explanations[0])

static const struct api_explanation *find(const char *metric)
{
    for (size_t i = 0; i < sizeof explanations / sizeof explanations[0]; i++)
        if (strcmp(explanations[i].metric, metric) == 0)
            return &explanations[i];
    for (size_t i = 0; i < NPAYOUT_METRICS; i++)
        if (strcmp(payout_explanations[i].metric, metric) == 0)
            return &payout_explanations[i];
    return NULL;
}

/* The index of a payouts total, -1 for another metric. */
static int payout_index(const char *metric)
{
    for (size_t i = 0; i < NPAYOUT_METRICS; i++)
        if (strcmp(payout_explanations[i].metric, metric) == 0)
            return (int)i;
    return -1;
}

/* A payouts total as an integer (paise or a count), and whether it is money. */
static int64_t payout_number(int index, const struct engine_payout_totals *t, int *money)
{
    *money = index <= PT_PENDING;
    switch ((enum payout_total)index) {
    case PT_RECORDED:
        return t->recorded;
    case PT_PAID:
        return t->paid;
    case PT_PENDING:
        return t->pending;
    case PT_MISMATCHES:
        return t->mismatches;
    case PT_NOT_COMPARABLE:
        return t->not_comparable;
    case PT_INFLUENCERS:
        return t->influencers;
    }
    return 0;
}

static void payout_value(struct json *j, int index, const struct engine_payout_totals *t)
{
    int money;
    int64_t v = payout_number(index, t, &money);
    if (money)
        json_money(j, v);
    else
        json_int(j, v);
}

/* A metric the dashboard has and this file explains; ERR_USAGE naming the choices. */
static const struct api_explanation *lookup(const char *metric, struct err *e)
{
    const struct api_explanation *x = metric && *metric ? find(metric) : NULL;
    if (x && (api_kpi_index(metric) >= 0 || payout_index(metric) >= 0))
        return x;
    struct buf keys = BUF_INIT;
    for (size_t i = 0; i < api_kpi_count(); i++)
        buf_printf(&keys, "%s%s", i ? ", " : "", api_kpi_key(i));
    for (size_t i = 0; i < NPAYOUT_METRICS; i++)
        buf_printf(&keys, ", %s", payout_explanations[i].metric);
    err_set(e, ERR_USAGE, "metric: \"%.60s\" is not one of %s", metric ? metric : "",
            buf_cstr(&keys));
    buf_release(&keys);
    return NULL;
}

int api_explain_rows(const char *metric, unsigned *rows, struct err *e)
{
    const struct api_explanation *x = lookup(metric, e);
    if (!x)
        return e->code;
    *rows = x->rows;
    return 0;
}

/* An input that is not a KPI: the sums behind the denominators and the row counts. */
static int special_input(struct json *j, const char *name, const struct engine_kpis *k,
                         const struct engine_row_counts *c)
{
    static const char *const names[] = {
        "attributed_rows", "organic_rows",         "payout_rows",
        "followers",       "follower_engagements", "posts_with_followers",
        "views",           "view_engagements",     "posts_with_views"};
    const int64_t values[] = {c->attributed_rows, c->organic_rows,         c->payouts,
                              k->followers,       k->follower_engagements, c->posts_with_followers,
                              k->views,           k->view_engagements,     c->posts_with_views};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(names[i], name) == 0) {
            json_int(j, values[i]);
            return 0;
        }
    }
    return -1;
}

static void rule(struct json *j, const char *name, const char *text)
{
    json_obj_begin(j);
    json_kv_str(j, "name", name);
    json_kv_str(j, "text", text);
    json_obj_end(j);
}

static void spend_rules(struct json *j, const struct engine_row_counts *c)
{
    char text[512];
    static const char *const kinds[] = {"order: rate × attributed orders", "post: rate × posts",
                                        "revenue_share: rate × attributed revenue",
                                        "the recorded total_payout (flat, hybrid, or terms "
                                        "without a rate), counted when its payout_date is in "
                                        "the range or it has none"};
    for (int k = 0; k < 4; k++) {
        if (c->payouts_by_kind[k] == 0)
            continue;
        snprintf(text, sizeof text, "%lld payout row%s priced as %s",
                 (long long)c->payouts_by_kind[k], c->payouts_by_kind[k] == 1 ? "" : "s", kinds[k]);
        rule(j, "payout_basis", text);
    }
    if (c->payouts_campaign_scoped > 0) {
        snprintf(text, sizeof text,
                 "%lld payout row%s name%s a campaign and price%s only that campaign's activity",
                 (long long)c->payouts_campaign_scoped, c->payouts_campaign_scoped == 1 ? "" : "s",
                 c->payouts_campaign_scoped == 1 ? "s" : "",
                 c->payouts_campaign_scoped == 1 ? "s" : "");
        rule(j, "payout_campaign", text);
    }
    rule(j, "spend_per_influencer",
         "spend is priced per influencer first: a payout is never counted once per order, and "
         "a repeated payout row of the same terms prices nothing twice");
    rule(j, "allocation",
         "then it follows the money (SPEC §3.1), so that every breakdown adds up and every "
         "filter cuts spend as it cuts revenue: order and revenue_share spend goes to each "
         "priced tracking row's day, brand, product, campaign and source; a post's price to its "
         "day and own platform, and to the brand, product and source of its influencer's "
         "attributed revenue in the period (its campaign's, when it carries one); a flat or "
         "hybrid total over the influencer's attributed revenue in the payout's campaign, on "
         "the payout_date (undated: over the days of that revenue); with nothing to split over, "
         "to Unallocated; split in whole paise by the largest remainder");
    if (c->payouts == 0)
        rule(j, "no_payouts", "no payout row prices spend in this filter: spend is 0");
}

static void incremental_rules(struct json *j, const struct engine_incremental *inc)
{
    char text[640];
    snprintf(text, sizeof text, "method %s (asked: %s): %s", engine_iroas_method_name(inc->method),
             engine_iroas_method_name(inc->requested), inc->why);
    rule(j, "incremental_method", text);
    char a[48], b[48];
    switch (inc->method) {
    case ENGINE_IROAS_ORGANIC:
        format_money(a, sizeof a, inc->baseline_daily, 0);
        snprintf(text, sizeof text,
                 "baseline %s a day: the mean daily revenue of %lld day%s without influencer "
                 "activity; incremental = Σ over %lld campaign day%s of (revenue − baseline); "
                 "95 %% bootstrap interval over days (%u resamples, seed %llu)",
                 a, (long long)inc->baseline_days, inc->baseline_days == 1 ? "" : "s",
                 (long long)inc->campaign_days, inc->campaign_days == 1 ? "" : "s", inc->bootstrap,
                 (unsigned long long)inc->seed);
        break;
    case ENGINE_IROAS_HOLDOUT:
        format_money(a, sizeof a, inc->test_revenue, 0);
        format_money(b, sizeof b, inc->control_revenue, 0);
        snprintf(text, sizeof text,
                 "Test rows (%lld) brought %s, Control rows (%lld) %s: incremental = Test − "
                 "Control",
                 (long long)inc->test_rows, a, (long long)inc->control_rows, b);
        break;
    default:
        snprintf(text, sizeof text,
                 "baseline = %g × attributed revenue would have come anyway; incremental = "
                 "attributed revenue − baseline",
                 inc->fixed_share);
        break;
    }
    rule(j, "incremental_parameters", text);
}

static void write_rules(struct json *j, unsigned rules, const struct engine_row_counts *c,
                        const struct engine_kpis *k, const struct engine_incremental *inc,
                        const struct api_settings *s)
{
    char text[512], v[32];
    json_key(j, "rules");
    json_arr_begin(j);
    if (rules & RULE_ATTRIBUTED)
        rule(j, "attributed",
             "attributed rows are tracking rows with an influencer_id whose source is not "
             "organic; rows of ids the influencers file lacks count too (GET /api/unattributed "
             "lists them)");
    if (rules & RULE_ORGANIC)
        rule(j, "organic",
             "a row is organic when its influencer_id is empty or its source is organic; "
             "filters on influencer attributes (category, gender, tier, persona, influencer, "
             "basis) do not apply to organic rows");
    if (rules & RULE_POSTS)
        rule(j, "posts",
             "posts of the selected influencers, in the date range (undated posts only when the "
             "range is open), on a selected platform: the post's own, else its influencer's; "
             "under a campaign filter the posts of that campaign, and those without a campaign "
             "whose influencer has attributed revenue in scope; under a brand, product or source "
             "filter the posts of influencers with attributed revenue in scope (these may count "
             "under several groups)");
    if (rules & RULE_SPEND)
        spend_rules(j, c);
    if (rules & RULE_INCREMENTAL)
        incremental_rules(j, inc);
    if (rules & RULE_RATIO)
        rule(j, "ratio_of_sums",
             "a ratio of the filtered sums, never a mean of per-row ratios; null when the "
             "denominator is 0");
    if (rules & RULE_ROAS_BENCH) {
        format_double(v, sizeof v, s->insights.roas_benchmark);
        snprintf(text, sizeof text, "benchmark ROAS %s: %s", v,
                 !k->roas.has                                  ? "no ROAS without spend"
                 : k->roas.value >= s->insights.roas_benchmark ? "met"
                                                               : "not met");
        rule(j, "benchmark", text);
    }
    if (rules & RULE_ROI_BENCH) {
        format_percent(v, sizeof v, s->insights.roi_benchmark, 0);
        snprintf(text, sizeof text, "benchmark ROI %s: %s", v,
                 !k->roi.has                                 ? "no ROI without spend"
                 : k->roi.value >= s->insights.roi_benchmark ? "met"
                                                             : "not met");
        rule(j, "benchmark", text);
    }
    if (rules & RULE_FOLLOWERS) {
        snprintf(text, sizeof text,
                 "an influencer's follower_count counts once per post; %lld of %lld posts have "
                 "an influencer with a follower_count, the rest are left out of both sums",
                 (long long)c->posts_with_followers, (long long)c->posts);
        rule(j, "followers_once_per_post", text);
    }
    if (rules & RULE_VIEWS) {
        snprintf(text, sizeof text,
                 "a post's views are its video_views, else its impressions; %lld of %lld posts "
                 "carry one, the rest are left out of both sums",
                 (long long)c->posts_with_views, (long long)c->posts);
        rule(j, "views", text);
    }
    if (rules & RULE_PAYOUTS_COUNTED) {
        snprintf(text, sizeof text,
                 "%lld payout rows are counted: those of the selected influencers and bases "
                 "dated in the range, or undated (a payout_date says when a payout was "
                 "recorded, not which activity it pays for)",
                 (long long)c->payouts_counted);
        rule(j, "payouts_counted", text);
    }
    if (rules & RULE_PAYOUTS_CHECK)
        rule(j, "payouts_check",
             "earned (the terms over the filtered activity, the dashboard's spend) and recorded "
             "are compared only over the same activity: terms priced by activity when the "
             "filters keep all of it and every payout row of those terms; a difference over "
             "₹1 is a mismatch");
    if (rules & RULE_ACTIVE)
        rule(j, "active",
             "an influencer selected by the filters but without a post, an attributed row or a "
             "recorded payout in them is not counted");
    json_arr_end(j);
}

static const char *const dataset_names[] = {"tracking_data", "posts", "payouts"};

static int64_t rows_of(int which, unsigned kinds, const struct engine_row_counts *c)
{
    if (which == 2 && (kinds & ENGINE_ROWS_PAYOUTS_COUNTED) && !(kinds & ENGINE_ROWS_PAYOUTS))
        return c->payouts_counted;
    switch (which) {
    case 0:
        return ((kinds & ENGINE_ROWS_ATTRIBUTED) ? c->attributed_rows : 0) +
               ((kinds & ENGINE_ROWS_ORGANIC) ? c->organic_rows : 0);
    case 1:
        return (kinds & ENGINE_ROWS_POSTS) ? c->posts : 0;
    default:
        return (kinds & ENGINE_ROWS_PAYOUTS) ? c->payouts : 0;
    }
}

static int dataset_used(int which, unsigned kinds)
{
    static const unsigned masks[] = {ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_ORGANIC,
                                     ENGINE_ROWS_POSTS,
                                     ENGINE_ROWS_PAYOUTS | ENGINE_ROWS_PAYOUTS_COUNTED};
    return (kinds & masks[which]) != 0;
}

/* The figures of one engine result that an explanation reads. */
struct explain_figures {
    const struct engine_kpis *k;
    struct engine_incremental inc;
    struct engine_row_counts c;
    struct engine_payout_totals totals;
};

/* Runs the incremental method of s over r and reads r's figures into *x. */
static int read_figures(const struct engine_result *r, const struct api_settings *s,
                        struct explain_figures *x, struct err *e)
{
    int rc = engine_result_incremental(r, &s->incremental, &x->inc, e);
    if (rc < 0)
        return rc;
    x->k = engine_result_kpis(r);
    engine_result_row_counts(r, &x->c);
    struct engine_payout_row *payout_rows;
    size_t npayout_rows;
    engine_result_payouts(r, &payout_rows, &npayout_rows, &x->totals);
    free(payout_rows);
    return 0;
}

static void write_value(struct json *j, const struct api_explanation *x,
                        const struct explain_figures *f)
{
    if (payout_index(x->metric) >= 0)
        payout_value(j, payout_index(x->metric), &f->totals);
    else
        api_kpi_value_json(j, (size_t)api_kpi_index(x->metric), f->k, &f->inc);
}

static void write_inputs(struct json *j, const char *member, const struct api_explanation *x,
                         const struct explain_figures *f)
{
    json_key(j, member);
    json_arr_begin(j);
    for (size_t i = 0; i < sizeof x->inputs / sizeof x->inputs[0] && x->inputs[i]; i++) {
        json_obj_begin(j);
        json_kv_str(j, "name", x->inputs[i]);
        json_key(j, "value");
        int index = api_kpi_index(x->inputs[i]);
        if (index >= 0)
            api_kpi_value_json(j, (size_t)index, f->k, &f->inc);
        else if (payout_index(x->inputs[i]) >= 0)
            payout_value(j, payout_index(x->inputs[i]), &f->totals);
        else if (special_input(j, x->inputs[i], f->k, &f->c) < 0)
            json_null(j); /* cannot happen: every name of the table is one or the other */
        json_obj_end(j);
    }
    json_arr_end(j);
}

/* With settings' compare (SPEC §3.2): "compare", "value_previous", "change" {"abs","rel"} and
 * "inputs_previous", the same figures over the comparison period; null members when the data
 * has no period to compare with; nothing without compare. */
static int write_comparison(struct json *j, const struct engine *eng, const struct filter *f,
                            const struct api_settings *s, const struct api_explanation *x,
                            const struct explain_figures *now, struct err *e)
{
    int32_t from, to;
    struct engine_result *r;
    struct engine_incremental pinc;
    int rc = api_compare_run(eng, f, s, &from, &to, &r, &pinc, e);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (s->compare.kind != FILTER_COMPARE_NONE) {
            json_kv_null(j, "compare");
            json_kv_null(j, "value_previous");
            json_kv_null(j, "change");
            json_kv_null(j, "inputs_previous");
        }
        return 0;
    }
    struct explain_figures then;
    rc = read_figures(r, s, &then, e);
    if (rc == 0) {
        api_compare_period_json(j, s, from, to);
        json_key(j, "value_previous");
        write_value(j, x, &then);
        json_key(j, "change");
        int index = payout_index(x->metric);
        if (index >= 0) {
            int money;
            int64_t a = payout_number(index, &now->totals, &money);
            int64_t b = payout_number(index, &then.totals, &money);
            api_count_change_json(j, a, b, money);
        } else
            api_kpi_change_json(j, (size_t)api_kpi_index(x->metric), now->k, &now->inc, then.k,
                                &then.inc);
        write_inputs(j, "inputs_previous", x, &then);
    }
    engine_result_free(r);
    return rc;
}

int api_explain_json(const struct engine *eng, const struct filter *f, const struct api_settings *s,
                     const char *metric, struct buf *out, struct err *e)
{
    const struct api_explanation *x = lookup(metric, e);
    if (!x)
        return e->code;
    struct engine_result *r;
    int rc = engine_run_views(eng, &f->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct explain_figures now;
    rc = read_figures(r, s, &now, e);
    if (rc < 0) {
        engine_result_free(r);
        return rc;
    }
    struct json j;
    json_init(&j, out);
    json_obj_begin(&j);
    json_kv_str(&j, "metric", x->metric);
    api_as_of_json(&j, eng, s);
    json_kv_str(&j, "label", x->label);
    json_key(&j, "value");
    write_value(&j, x, &now);
    json_kv_str(&j, "formula", x->formula);
    write_inputs(&j, "inputs", x, &now);
    json_key(&j, "filters");
    filter_json(f, &j);
    write_rules(&j, x->rules, &now.c, now.k, &now.inc, s);
    json_key(&j, "rows");
    json_obj_begin(&j);
    for (int d = 0; d < 3; d++)
        json_kv_int(&j, dataset_names[d], rows_of(d, x->rows, &now.c));
    json_obj_end(&j);
    /* where the rows are: one plain table per dataset behind the figure */
    struct buf query = BUF_INIT, link = BUF_INIT;
    filter_query_string(f, &query);
    json_key(&j, "rows_csv");
    json_obj_begin(&j);
    for (int d = 0; d < 3; d++) {
        if (!dataset_used(d, x->rows))
            continue;
        buf_reset(&link);
        buf_printf(&link, "/api/explain/rows.csv?metric=%s&dataset=%s%s%s", x->metric,
                   dataset_names[d], query.len ? "&" : "", buf_cstr(&query));
        json_kv_str(&j, dataset_names[d], buf_cstr(&link));
    }
    json_obj_end(&j);
    buf_release(&query);
    buf_release(&link);
    rc = write_comparison(&j, eng, f, s, x, &now, e);
    json_obj_end(&j);
    engine_result_free(r);
    if (rc < 0)
        return rc;
    return json_finish(&j, e);
}
