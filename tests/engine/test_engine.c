/* test_engine.c — the columnar engine against hand-computed figures (every KPI, the
 * payout double-counting traps, null ratios, empty results, influencer filters leaving
 * organic revenue alone, inclusive date ranges) and against plain SQL on generated data
 * for many filter combinations, and the payout-model simulator by hand. Each test loads a fresh
 * SQLite store in a temp dir. Its timing over generated data is bench/engine_speed.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "teststore.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "demo.h"
#include "engine.h"
#include "engine_simulate.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

static int make_store(void **state)
{
    return teststore_open(state, "engine");
}

static int32_t day(const char *iso)
{
    int32_t d;
    assert_int_equal(schema_iso_to_days(iso, &d), 0);
    return d;
}

static struct engine_kpis kpis(const struct engine *eng, const struct engine_filter *f)
{
    struct engine_kpis k;
    struct err e;
    err_clear(&e);
    if (engine_kpis(eng, f, &k, &e) != 0)
        fail_msg("engine_kpis: %s", e.msg);
    return k;
}

#define SET(field, ...)                                                                            \
    do {                                                                                           \
        static const char *const values_[] = {__VA_ARGS__};                                        \
        (field).values = values_;                                                                  \
        (field).n = sizeof values_ / sizeof values_[0];                                            \
    } while (0)

static void assert_ratio(struct engine_ratio r, double num, double den)
{
    assert_true(r.has);
    assert_true(r.value == num / den);
}

/* The hand-computed fixture (amounts in paise, rates in millionths):
 *   I1 Fitness/Male/Instagram, order terms ₹100 for campaign Spring; 3 rows, 10 orders, ₹10,500
 *   I2 Beauty/Female/YouTube, post terms ₹1,000; 1 row 2 orders ₹1,500.50; 2 posts
 *   I3 Fitness/Female/Instagram, revenue share 10 %; 2 rows 3 orders ₹3,000.00
 *   I4 Nutrition/Male/Twitter, flat ₹5,000 paid 2025-03-20; 1 row ₹1,000
 *   I9 only in tracking (no influencer row, no payout); 1 row ₹500
 *   organic: 2025-03-01 ₹800 (source organic, MuscleBlaze), 2025-03-10 ₹1,200 (no influencer) */
static void load_fixture(struct store *s)
{
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "I1", "name", "Asha", "category", "Fitness", "gender",
        "Male", "platform", "Instagram", "follower_count", "50000", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "I2", "name", "Bela", "category", "Beauty", "gender",
        "Female", "platform", "YouTube", "follower_count", "200000", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "I3", "name", "Chitra", "category", "Fitness", "gender",
        "Female", "platform", "Instagram", "follower_count", "5000", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "I4", "name", "Dev", "category", "Nutrition", "gender",
        "Male", "platform", "Twitter", "follower_count", "700000", NULL);

    put(s, DS_POSTS, "post_id", "P1", "influencer_id", "I2", "date", "2025-03-02", "reach", "10000",
        "likes", "500", "comments", "50", "shares", "10", "saves", "5", NULL);
    put(s, DS_POSTS, "post_id", "P2", "influencer_id", "I2", "date", "2025-03-06", "reach", "20000",
        "likes", "800", "comments", "100", "shares", "20", "saves", "30", NULL);
    put(s, DS_POSTS, "post_id", "P3", "influencer_id", "I1", "platform", "Instagram", "date",
        "2025-03-01", "reach", "5000", "likes", "200", "comments", "20", NULL);

    static const struct {
        const char *id, *inf, *date, *brand, *campaign, *source, *orders, *revenue;
    } trk[] = {
        {"T1", "I1", "2025-03-01", "MuscleBlaze", "Spring", "Instagram", "4", "400000"},
        {"T2", "I1", "2025-03-05", "MuscleBlaze", "Spring", "Instagram", "3", "300000"},
        {"T3", "I1", "2025-03-10", "MuscleBlaze", "Spring", "Instagram", "3", "350000"},
        {"T4", "I2", "2025-03-03", "HKVitals", "Glow", "YouTube", "2", "150050"},
        {"T5", "I3", "2025-03-04", "Gritzo", "Kids", "Instagram", "1", "99999"},
        {"T6", "I3", "2025-03-08", "Gritzo", "Kids", "Instagram", "2", "200001"},
        {"T7", "I4", "2025-03-09", "HKVitals", "Glow", "Twitter", "1", "100000"},
        {"T8", "I9", "2025-03-02", "MuscleBlaze", "Spring", "Instagram", "1", "50000"},
        {"T9", "I1", "2025-03-01", "MuscleBlaze", "", "organic", "1", "80000"},
        {"T10", "", "2025-03-10", "HKVitals", "", "website", "2", "120000"},
    };
    for (size_t i = 0; i < sizeof trk / sizeof trk[0]; i++)
        put(s, DS_TRACKING, "tracking_id", trk[i].id, "influencer_id", trk[i].inf, "date",
            trk[i].date, "brand", trk[i].brand, "campaign", trk[i].campaign, "source",
            trk[i].source, "orders", trk[i].orders, "revenue", trk[i].revenue, NULL);

    put(s, DS_PAYOUTS, "payout_id", "Y1", "influencer_id", "I1", "campaign", "Spring", "basis",
        "order", "rate", "100000000", "orders", "10", "payout_date", "2025-03-25", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y2", "influencer_id", "I2", "basis", "post", "rate",
        "1000000000", "posts", "2", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y3", "influencer_id", "I3", "campaign", "Kids", "basis",
        "revenue_share", "rate", "100000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y4", "influencer_id", "I4", "basis", "flat", "total_payout",
        "500000", "payout_date", "2025-03-20", NULL);
    commit(s);
}

static void test_every_kpi_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    assert_int_equal(engine_count(eng, DS_INFLUENCERS), 5); /* I9 added from tracking */
    assert_int_equal(engine_count(eng, DS_POSTS), 3);
    assert_int_equal(engine_count(eng, DS_TRACKING), 10);
    assert_int_equal(engine_count(eng, DS_PAYOUTS), 4);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.revenue, 1650050);
    assert_int_equal(k.orders, 17);
    assert_int_equal(k.organic_revenue, 200000);
    assert_int_equal(k.organic_orders, 3);
    /* 100 × 10 orders + 1,000 × 2 posts + 10 % × 3,000 + flat 5,000 */
    assert_int_equal(k.spend, 100000 + 200000 + 30000 + 500000);
    assert_int_equal(k.posts, 3);
    assert_int_equal(k.reach, 35000);
    assert_int_equal(k.engagements, 565 + 950 + 220);
    assert_int_equal(k.influencers, 5);
    assert_ratio(k.roas, 1650050.0, 830000.0);
    assert_ratio(k.roi, 1650050.0 - 830000.0, 830000.0);
    assert_ratio(k.engagement_rate, 1735.0, 35000.0);
    assert_ratio(k.cpo, 830000.0, 17.0);
    assert_ratio(k.aov, 1650050.0, 17.0);
    assert_ratio(k.cpm, 830000.0 * 1000.0, 35000.0);
    assert_ratio(k.cpe, 830000.0, 1735.0);
    assert_ratio(k.conversion_rate, 17.0, 35000.0);
    assert_ratio(k.revenue_per_post, 1650050.0, 3.0);
    engine_free(eng);
}

/* I1 has three tracking rows and 10 orders under ₹100/order: spend is ₹1,000, never
 * ₹1,000 per row. */
static void test_order_payout_counted_once_not_per_row(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    SET(f.influencer, "I1");
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.orders, 10);
    assert_int_equal(k.revenue, 1050000);
    assert_int_equal(k.spend, 100000);
    assert_int_equal(k.influencers, 1);
    assert_int_equal(k.posts, 1);
    engine_free(eng);
}

/* Several payout rows of one influencer: campaign rows price their own campaign's
 * orders; a repeated row and a second campaign-less row with the same terms add nothing. */
static void test_several_payout_rows_never_double_count(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "X", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "Y", NULL);
    static const char *const a_rows[][3] = {
        {"A1", "A", "1"}, {"A2", "A", "3"}, {"B1", "B", "2"}, {"B2", "B", "2"}, {"B3", "B", "2"}};
    for (size_t i = 0; i < 5; i++)
        put(s, DS_TRACKING, "tracking_id", a_rows[i][0], "influencer_id", "X", "campaign",
            a_rows[i][1], "date", "2025-01-10", "orders", a_rows[i][2], "revenue", "100000", NULL);
    for (int i = 0; i < 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "Y%d", i);
        put(s, DS_TRACKING, "tracking_id", id, "influencer_id", "Y", "campaign", "C", "date",
            "2025-01-10", "orders", "1", "revenue", "100000", NULL);
    }
    put(s, DS_PAYOUTS, "payout_id", "PA", "influencer_id", "X", "campaign", "A", "basis", "order",
        "rate", "100000000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "PB", "influencer_id", "X", "campaign", "B", "basis", "order",
        "rate", "50000000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "PA-again", "influencer_id", "X", "campaign", "A", "basis",
        "order", "rate", "100000000", NULL);
    /* Y's rows name no campaign of the tracking data: the terms apply once to all orders */
    put(s, DS_PAYOUTS, "payout_id", "PY1", "influencer_id", "Y", "campaign", "Jan", "basis",
        "order", "rate", "10000000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "PY2", "influencer_id", "Y", "campaign", "Feb", "basis",
        "order", "rate", "10000000", NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    SET(f.influencer, "X");
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.orders, 10);
    assert_int_equal(k.spend, 100 * 4 * 100 + 50 * 6 * 100); /* ₹400 + ₹300 */
    SET(f.influencer, "Y");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, 10 * 5 * 100); /* ₹50, not ₹100 */
    /* a campaign filter narrows the priced orders with it */
    engine_filter_init(&f);
    SET(f.campaign, "B");
    k = kpis(eng, &f);
    assert_int_equal(k.orders, 6);
    assert_int_equal(k.spend, 50 * 6 * 100);
    engine_free(eng);
}

static void test_zero_spend_gives_null_roas_and_roi(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    SET(f.influencer, "I9");
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.revenue, 50000);
    assert_int_equal(k.spend, 0);
    assert_false(k.roas.has);
    assert_false(k.roi.has);
    assert_ratio(k.cpo, 0.0, 1.0);       /* orders > 0: a cost of 0 per order is a value */
    assert_false(k.engagement_rate.has); /* no posts, no reach */
    assert_ratio(k.aov, 50000.0, 1.0);
    assert_false(k.cpm.has || k.cpe.has || k.conversion_rate.has); /* no reach */
    assert_false(k.revenue_per_post.has);                          /* no posts */
    assert_int_equal(k.influencers, 1);
    engine_free(eng);
}

static void assert_all_zero(const struct engine_kpis *k)
{
    assert_int_equal(k->revenue, 0);
    assert_int_equal(k->orders, 0);
    assert_int_equal(k->organic_revenue, 0);
    assert_int_equal(k->spend, 0);
    assert_int_equal(k->posts, 0);
    assert_int_equal(k->reach, 0);
    assert_int_equal(k->engagements, 0);
    assert_int_equal(k->influencers, 0);
    assert_false(k->roas.has || k->roi.has || k->engagement_rate.has || k->cpo.has || k->aov.has);
    assert_false(k->cpm.has || k->cpe.has || k->conversion_rate.has || k->revenue_per_post.has);
}

static void test_empty_result_is_all_zero_with_null_ratios(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    f.from_day = day("2024-01-01");
    f.to_day = day("2024-12-31");
    struct engine_kpis k = kpis(eng, &f);
    assert_all_zero(&k);
    engine_filter_init(&f);
    SET(f.brand, "NoSuchBrand");
    SET(f.influencer, "nobody");
    k = kpis(eng, &f);
    assert_all_zero(&k);
    /* an inverted range is a usage error, not an empty result */
    f.from_day = 10;
    f.to_day = 9;
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_kpis(eng, &f, &k, &e), ERR_USAGE);
    engine_free(eng);
}

static void test_empty_store_loads_and_gives_zeros(void **state)
{
    struct fixture *fx = *state;
    struct engine *eng = load(fx->store);
    assert_int_equal(engine_count(eng, DS_TRACKING), 0);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    assert_all_zero(&k);
    SET(f.platform, "Instagram");
    k = kpis(eng, &f);
    assert_all_zero(&k);
    engine_free(eng);
    engine_free(NULL);
}

static void test_influencer_filters_leave_organic_revenue_alone(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    SET(f.gender, "Female");
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.revenue, 150050 + 300000);
    assert_int_equal(k.orders, 5);
    assert_int_equal(k.organic_revenue, 200000);
    assert_int_equal(k.spend, 200000 + 30000);
    assert_int_equal(k.posts, 2);
    assert_int_equal(k.reach, 30000);
    assert_int_equal(k.influencers, 2);

    engine_filter_init(&f);
    SET(f.platform, "Instagram");
    k = kpis(eng, &f);
    assert_int_equal(k.revenue, 1050000 + 300000);
    assert_int_equal(k.organic_revenue, 200000);
    assert_int_equal(k.posts, 1);

    engine_filter_init(&f);
    SET(f.basis, "flat", "post");
    k = kpis(eng, &f);
    assert_int_equal(k.revenue, 150050 + 100000);
    assert_int_equal(k.spend, 200000 + 500000);
    assert_int_equal(k.organic_revenue, 200000);

    /* tracking dimensions apply to organic rows too */
    engine_filter_init(&f);
    SET(f.brand, "MuscleBlaze");
    k = kpis(eng, &f);
    assert_int_equal(k.revenue, 1050000 + 50000);
    assert_int_equal(k.organic_revenue, 80000);
    SET(f.source, "organic");
    k = kpis(eng, &f);
    assert_int_equal(k.revenue, 0);
    assert_int_equal(k.organic_revenue, 80000);
    engine_free(eng);
}

/* The platform filter selects posts by the post's own platform (a post without one is on
 * its influencer's), and attributed rows by the influencer's (SPEC §3). */
static void test_platform_filter_applies_to_each_posts_own_platform(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "Z", "platform", "Instagram", NULL);
    put(s, DS_POSTS, "post_id", "Z1", "influencer_id", "Z", "platform", "YouTube", "reach", "7",
        NULL);
    put(s, DS_POSTS, "post_id", "Z2", "influencer_id", "Z", "platform", "Instagram", "reach", "11",
        NULL);
    put(s, DS_POSTS, "post_id", "Z3", "influencer_id", "Z", "reach", "13", NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.posts, 3);
    assert_int_equal(k.reach, 31);
    SET(f.platform, "Instagram");
    k = kpis(eng, &f);
    assert_int_equal(k.posts, 2);
    assert_int_equal(k.reach, 24);
    SET(f.platform, "YouTube");
    k = kpis(eng, &f);
    assert_int_equal(k.posts, 1); /* Z1, published on YouTube by an Instagram influencer */
    assert_int_equal(k.reach, 7);
    SET(f.platform, "YouTube", "Instagram");
    k = kpis(eng, &f);
    assert_int_equal(k.posts, 3);
    engine_free(eng);
}

static void test_date_range_is_inclusive_at_both_ends(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    f.from_day = day("2025-03-01");
    f.to_day = day("2025-03-05");
    struct engine_kpis k = kpis(eng, &f);
    /* T1 (first day) and T2 (last day) are in; T3, T6, T7 after */
    assert_int_equal(k.revenue, 400000 + 300000 + 150050 + 99999 + 50000);
    assert_int_equal(k.orders, 11);
    assert_int_equal(k.organic_revenue, 80000);
    assert_int_equal(k.posts, 2);
    assert_int_equal(k.reach, 15000);
    /* 100 × 7 orders, 1,000 × 1 post, 10 % × 999.99 = 99.999 → 100.00; flat paid 03-20 out */
    assert_int_equal(k.spend, 70000 + 100000 + 10000);
    assert_int_equal(k.influencers, 4);

    f.from_day = day("2025-03-02");
    f.to_day = day("2025-03-04");
    k = kpis(eng, &f);
    assert_int_equal(k.revenue, 150050 + 99999 + 50000);
    assert_int_equal(k.organic_revenue, 0);
    assert_int_equal(k.posts, 1);

    /* a flat payout counts when its payout date is in the range, on the day itself */
    f.from_day = day("2025-03-20");
    f.to_day = day("2025-03-20");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, 500000);
    assert_int_equal(k.revenue, 0);
    assert_int_equal(k.influencers, 1);
    engine_free(eng);
}

/* ---- breakdowns ------------------------------------------------------------------------ */

struct groups {
    struct engine_group *g;
    size_t n;
};

static struct groups breakdown(const struct engine *eng, const struct engine_filter *f,
                               enum engine_dim dim)
{
    struct groups out;
    struct err e;
    err_clear(&e);
    if (engine_breakdown(eng, f, dim, &out.g, &out.n, &e) != 0)
        fail_msg("engine_breakdown: %s", e.msg);
    for (size_t i = 1; i < out.n; i++) /* sorted, distinct, Unallocated last */
        assert_true(out.g[i].unallocated ? !out.g[i - 1].unallocated
                                         : strcmp(out.g[i - 1].key, out.g[i].key) < 0);
    return out;
}

static void assert_group(const struct engine_group *g, const char *key, int64_t revenue,
                         int64_t orders, int64_t organic_revenue, int64_t spend, int64_t posts,
                         int64_t reach)
{
    assert_string_equal(g->key, key);
    assert_int_equal(g->revenue, revenue);
    assert_int_equal(g->orders, orders);
    assert_int_equal(g->organic_revenue, organic_revenue);
    assert_int_equal(g->spend, spend);
    assert_int_equal(g->posts, posts);
    assert_int_equal(g->reach, reach);
    if (spend == 0)
        assert_false(g->roas.has);
    else
        assert_ratio(g->roas, (double)revenue, (double)spend);
}

/* By platform: each influencer's attributed rows, posts and spend under the influencer's
 * platform; I9 has none ("" group); organic rows are in no platform. */
static void test_breakdown_by_platform_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct groups g = breakdown(eng, &f, ENGINE_BY_PLATFORM);
    assert_int_equal(g.n, 4);
    assert_group(&g.g[0], "", 50000, 1, 0, 0, 0, 0);
    assert_group(&g.g[1], "Instagram", 1050000 + 300000, 13, 0, 100000 + 30000, 1, 5000);
    assert_group(&g.g[2], "Twitter", 100000, 1, 0, 500000, 0, 0);
    assert_group(&g.g[3], "YouTube", 150050, 2, 0, 200000, 2, 30000);
    free(g.g);
    /* a date range narrows activity and the spend priced on it; the flat fee of 03-20
     * falls outside */
    f.from_day = day("2025-03-01");
    f.to_day = day("2025-03-05");
    g = breakdown(eng, &f, ENGINE_BY_PLATFORM);
    assert_int_equal(g.n, 3);
    assert_group(&g.g[0], "", 50000, 1, 0, 0, 0, 0);
    assert_group(&g.g[1], "Instagram", 700000 + 99999, 8, 0, 70000 + 10000, 1, 5000);
    assert_group(&g.g[2], "YouTube", 150050, 2, 0, 100000, 1, 10000);
    free(g.g);
    engine_free(eng);
}

/* By brand: attributed and organic revenue per tracking brand, and the spend SPEC §3.1
 * allocates to it: Y1's orders and Y3's revenue share on their rows, Y2's posts and Y4's
 * flat fee split over their influencer's revenue (HKVitals alone); posts and reach 0. */
static void test_breakdown_by_brand_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct groups g = breakdown(eng, &f, ENGINE_BY_BRAND);
    assert_int_equal(g.n, 3);
    assert_group(&g.g[0], "Gritzo", 300000, 3, 0, 30000, 0, 0);
    assert_group(&g.g[1], "HKVitals", 250050, 3, 120000, 200000 + 500000, 0, 0);
    assert_group(&g.g[2], "MuscleBlaze", 1100000, 11, 80000, 100000, 0, 0);
    free(g.g);
    /* an influencer filter keeps every organic row: HKVitals stays, with organic only (I2's
     * posts are on YouTube, I4's fee on Twitter) */
    SET(f.platform, "Instagram");
    g = breakdown(eng, &f, ENGINE_BY_BRAND);
    assert_int_equal(g.n, 3);
    assert_group(&g.g[0], "Gritzo", 300000, 3, 0, 30000, 0, 0);
    assert_group(&g.g[1], "HKVitals", 0, 0, 120000, 0, 0, 0);
    assert_group(&g.g[2], "MuscleBlaze", 1050000, 10, 80000, 100000, 0, 0);
    free(g.g);
    engine_free(eng);
}

/* By day: tracking rows by their date and posts by theirs, in date order; a day with
 * only a post (03-06) or a dated flat fee (03-20) is a group too. Spend: on the order and
 * revenue-share rows' days, each post's and the flat fee's own day. */
static void test_breakdown_by_day_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct groups g = breakdown(eng, &f, ENGINE_BY_DAY);
    assert_int_equal(g.n, 10);
    assert_group(&g.g[0], "2025-03-01", 400000, 4, 80000, 40000, 1, 5000);
    assert_group(&g.g[1], "2025-03-02", 50000, 1, 0, 100000, 1, 10000);
    assert_group(&g.g[2], "2025-03-03", 150050, 2, 0, 0, 0, 0);
    /* 10 % of 999.99 and 2,000.01: 3,000.00 in all, the odd paisa to the larger remainder */
    assert_group(&g.g[3], "2025-03-04", 99999, 1, 0, 10000, 0, 0);
    assert_group(&g.g[4], "2025-03-05", 300000, 3, 0, 30000, 0, 0);
    assert_group(&g.g[5], "2025-03-06", 0, 0, 0, 100000, 1, 20000);
    assert_group(&g.g[6], "2025-03-08", 200001, 2, 0, 20000, 0, 0);
    assert_group(&g.g[7], "2025-03-09", 100000, 1, 0, 0, 0, 0);
    assert_group(&g.g[8], "2025-03-10", 350000, 3, 120000, 30000, 0, 0);
    assert_group(&g.g[9], "2025-03-20", 0, 0, 0, 500000, 0, 0);
    free(g.g);
    /* inclusive range, brand filter on tracking rows and spend; I2's posts count (it has
     * HKVitals rows in scope) and their price is all HKVitals */
    f.from_day = day("2025-03-02");
    f.to_day = day("2025-03-06");
    SET(f.brand, "HKVitals");
    g = breakdown(eng, &f, ENGINE_BY_DAY);
    assert_int_equal(g.n, 3);
    assert_group(&g.g[0], "2025-03-02", 0, 0, 0, 100000, 1, 10000);
    assert_group(&g.g[1], "2025-03-03", 150050, 2, 0, 0, 0, 0);
    assert_group(&g.g[2], "2025-03-06", 0, 0, 0, 100000, 1, 20000);
    free(g.g);
    engine_free(eng);
}

static void test_breakdown_empty_and_errors(void **state)
{
    struct fixture *fx = *state;
    struct engine *eng = load(fx->store); /* empty store */
    struct engine_filter f;
    engine_filter_init(&f);
    for (int dim = ENGINE_BY_PLATFORM; dim <= ENGINE_BY_DAY; dim++) {
        struct groups g = breakdown(eng, &f, (enum engine_dim)dim);
        assert_int_equal(g.n, 0);
        assert_null(g.g);
    }
    struct engine_group *out;
    size_t n;
    struct err e;
    err_clear(&e);
    f.from_day = 10;
    f.to_day = 9;
    assert_int_equal(engine_breakdown(eng, &f, ENGINE_BY_DAY, &out, &n, &e), ERR_USAGE);
    assert_null(out);
    engine_filter_init(&f);
    assert_int_equal(engine_breakdown(eng, &f, (enum engine_dim)99, &out, &n, &e), ERR_USAGE);
    engine_free(eng);
}

/* ---- influencers and personas ----------------------------------------------------------- */

struct inf_rows {
    struct engine_influencer_row *r;
    size_t n;
};

static struct inf_rows influencers(const struct engine *eng, const struct engine_filter *f)
{
    struct inf_rows out;
    struct err e;
    err_clear(&e);
    if (engine_influencers(eng, f, &out.r, &out.n, &e) != 0)
        fail_msg("engine_influencers: %s", e.msg);
    for (size_t i = 1; i < out.n; i++) /* revenue descending, then id */
        assert_true(
            out.r[i - 1].revenue > out.r[i].revenue ||
            (out.r[i - 1].revenue == out.r[i].revenue && strcmp(out.r[i - 1].id, out.r[i].id) < 0));
    return out;
}

struct persona_rows {
    struct engine_persona_row *r;
    size_t n;
};

static struct persona_rows personas(const struct engine *eng, const struct engine_filter *f,
                                    enum engine_persona_dim dim)
{
    struct persona_rows out;
    struct err e;
    err_clear(&e);
    if (engine_personas(eng, f, dim, &out.r, &out.n, &e) != 0)
        fail_msg("engine_personas: %s", e.msg);
    for (size_t i = 0; i < out.n; i++) { /* the key's fields only, sorted, distinct */
        const struct engine_persona_row *p = &out.r[i];
        if (dim == ENGINE_PERSONA_TIER) {
            assert_true(p->tier && !p->category && !p->gender);
            if (i > 0)
                assert_true(strcmp(out.r[i - 1].tier, p->tier) < 0);
        } else {
            assert_true(p->category && p->gender && !p->tier);
            if (i > 0) {
                int c = strcmp(out.r[i - 1].category, p->category);
                assert_true(c < 0 || (c == 0 && strcmp(out.r[i - 1].gender, p->gender) < 0));
            }
        }
    }
    return out;
}

static void assert_influencer(const struct engine_influencer_row *r, const char *id,
                              const char *name, const char *platform, const char *tier,
                              int64_t revenue, int64_t orders, int64_t spend, int64_t posts,
                              int64_t reach, int64_t engagements)
{
    assert_string_equal(r->id, id);
    assert_string_equal(r->name, name);
    assert_string_equal(r->platform, platform);
    assert_string_equal(r->tier, tier);
    assert_int_equal(r->revenue, revenue);
    assert_int_equal(r->orders, orders);
    assert_int_equal(r->spend, spend);
    assert_int_equal(r->posts, posts);
    assert_int_equal(r->reach, reach);
    assert_int_equal(r->engagements, engagements);
    if (spend == 0) {
        assert_false(r->roas.has);
        assert_false(r->roi.has);
    } else {
        assert_ratio(r->roas, (double)revenue, (double)spend);
        assert_ratio(r->roi, (double)(revenue - spend), (double)spend);
    }
}

/* Each influencer's own figures, by revenue: I1 (spend ₹100 × 10 orders), I3 (10 % of
 * ₹3,000), I2 (₹1,000 × 2 posts), I4 (flat ₹5,000), I9 with no spend (null ROAS and ROI)
 * and no attributes. Tiers are derived from follower counts. */
static void test_influencers_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct inf_rows r = influencers(eng, &f);
    assert_int_equal(r.n, 5);
    assert_influencer(&r.r[0], "I1", "Asha", "Instagram", "Micro", 1050000, 10, 100000, 1, 5000,
                      220);
    assert_string_equal(r.r[0].category, "Fitness");
    assert_string_equal(r.r[0].gender, "Male");
    assert_string_equal(r.r[0].persona, "Fitness \xC2\xB7 Male");
    assert_influencer(&r.r[1], "I3", "Chitra", "Instagram", "Nano", 300000, 3, 30000, 0, 0, 0);
    assert_influencer(&r.r[2], "I2", "Bela", "YouTube", "Mid", 150050, 2, 200000, 2, 30000,
                      565 + 950);
    assert_influencer(&r.r[3], "I4", "Dev", "Twitter", "Macro", 100000, 1, 500000, 0, 0, 0);
    assert_influencer(&r.r[4], "I9", "", "", "", 50000, 1, 0, 0, 0, 0);
    assert_string_equal(r.r[4].category, "");
    assert_string_equal(r.r[4].persona, "");
    free(r.r);

    /* A filter applies as in engine_kpis: brand MuscleBlaze keeps I1's and I9's attributed
     * rows and I1's post (I1 has MuscleBlaze rows in scope: SPEC §3.1); I2's posts and I4's
     * flat fee were bought with HKVitals revenue, so their spend is not MuscleBlaze's and
     * they drop out with I3. */
    SET(f.brand, "MuscleBlaze");
    r = influencers(eng, &f);
    assert_int_equal(r.n, 2);
    assert_influencer(&r.r[0], "I1", "Asha", "Instagram", "Micro", 1050000, 10, 100000, 1, 5000,
                      220);
    assert_influencer(&r.r[1], "I9", "", "", "", 50000, 1, 0, 0, 0, 0);
    assert_int_equal(kpis(eng, &f).influencers, 2);
    free(r.r);

    /* Nothing selected: no rows; an empty range is an error. */
    engine_filter_init(&f);
    SET(f.influencer, "nobody");
    r = influencers(eng, &f);
    assert_int_equal(r.n, 0);
    assert_null(r.r);
    f.influencer.n = 0;
    f.from_day = day("2025-03-10");
    f.to_day = day("2025-03-01");
    struct engine_influencer_row unused;
    struct engine_influencer_row *rows = &unused;
    size_t n = 99;
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_influencers(eng, &f, &rows, &n, &e), ERR_USAGE);
    assert_null(rows);
    assert_int_equal(n, 0);
    engine_free(eng);
}

static void assert_persona(const struct engine_persona_row *p, int64_t influencers, int64_t revenue,
                           int64_t orders, int64_t spend)
{
    assert_int_equal(p->influencers, influencers);
    assert_int_equal(p->revenue, revenue);
    assert_int_equal(p->orders, orders);
    assert_int_equal(p->spend, spend);
    if (spend == 0)
        assert_false(p->roas.has);
    else
        assert_ratio(p->roas, (double)revenue, (double)spend);
}

/* Personas by category × gender and by tier: on the fixture one influencer each (I9, with
 * no attributes, under ""); a second Fitness male of tier Micro then merges with I1, ROAS
 * as a ratio of sums. */
static void test_personas_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct persona_rows p = personas(eng, &f, ENGINE_PERSONA_CATEGORY_GENDER);
    assert_int_equal(p.n, 5);
    assert_string_equal(p.r[0].category, "");
    assert_string_equal(p.r[0].gender, "");
    assert_persona(&p.r[0], 1, 50000, 1, 0);
    assert_string_equal(p.r[1].category, "Beauty");
    assert_string_equal(p.r[1].gender, "Female");
    assert_persona(&p.r[1], 1, 150050, 2, 200000);
    assert_string_equal(p.r[2].category, "Fitness");
    assert_string_equal(p.r[2].gender, "Female");
    assert_persona(&p.r[2], 1, 300000, 3, 30000);
    assert_string_equal(p.r[3].category, "Fitness");
    assert_string_equal(p.r[3].gender, "Male");
    assert_persona(&p.r[3], 1, 1050000, 10, 100000);
    assert_string_equal(p.r[4].category, "Nutrition");
    assert_string_equal(p.r[4].gender, "Male");
    assert_persona(&p.r[4], 1, 100000, 1, 500000);
    free(p.r);

    p = personas(eng, &f, ENGINE_PERSONA_TIER);
    assert_int_equal(p.n, 5);
    static const char *const tiers[] = {"", "Macro", "Micro", "Mid", "Nano"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(p.r[i].tier, tiers[i]);
    assert_persona(&p.r[0], 1, 50000, 1, 0);
    assert_persona(&p.r[1], 1, 100000, 1, 500000);
    assert_persona(&p.r[2], 1, 1050000, 10, 100000);
    assert_persona(&p.r[3], 1, 150050, 2, 200000);
    assert_persona(&p.r[4], 1, 300000, 3, 30000);
    free(p.r);
    engine_free(eng);

    begin(fx->store);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I5", "name", "Esha", "category", "Fitness",
        "gender", "Male", "platform", "Instagram", "follower_count", "60000", NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "T11", "influencer_id", "I5", "date", "2025-03-07",
        "brand", "Gritzo", "source", "Instagram", "orders", "1", "revenue", "20000", NULL);
    put(fx->store, DS_PAYOUTS, "payout_id", "Y5", "influencer_id", "I5", "basis", "flat",
        "total_payout", "10000", NULL);
    commit(fx->store);
    eng = load(fx->store);
    p = personas(eng, &f, ENGINE_PERSONA_CATEGORY_GENDER);
    assert_int_equal(p.n, 5);
    assert_string_equal(p.r[3].category, "Fitness");
    assert_string_equal(p.r[3].gender, "Male");
    assert_persona(&p.r[3], 2, 1050000 + 20000, 11, 100000 + 10000);
    free(p.r);
    p = personas(eng, &f, ENGINE_PERSONA_TIER);
    assert_int_equal(p.n, 5);
    assert_string_equal(p.r[2].tier, "Micro");
    assert_persona(&p.r[2], 2, 1050000 + 20000, 11, 100000 + 10000);
    free(p.r);

    struct engine_persona_row *rows;
    size_t n;
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_personas(eng, &f, (enum engine_persona_dim)7, &rows, &n, &e),
                     ERR_USAGE);
    SET(f.influencer, "nobody");
    p = personas(eng, &f, ENGINE_PERSONA_TIER);
    assert_int_equal(p.n, 0);
    assert_null(p.r);
    engine_free(eng);
}

/* ---- cross-check against SQL on generated data --------------------------------------- */

struct values {
    char **v;
    size_t n;
};

static void distinct(sqlite3 *db, const char *sql, struct values *out)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    out->v = NULL;
    out->n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (!t || !*t)
            continue;
        out->v = realloc(out->v, (out->n + 1) * sizeof *out->v);
        assert_non_null(out->v);
        out->v[out->n++] = strdup(t);
    }
    sqlite3_finalize(st);
    assert_true(out->n > 0);
}

static void values_free(struct values *vals)
{
    for (size_t i = 0; i < vals->n; i++)
        free(vals->v[i]);
    free(vals->v);
}

static uint64_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

/* A filter dimension in both forms: the engine's set and a SQL condition. */
struct sql_query {
    char sql[4096];
    const char *bind[64];
    int nbind;
};

static void sql_cat(struct sql_query *q, const char *s)
{
    size_t len = strlen(q->sql);
    snprintf(q->sql + len, sizeof q->sql - len, "%s", s);
}

static void sql_in(struct sql_query *q, const char *expr, const struct engine_set *set)
{
    if (set->n == 0)
        return;
    sql_cat(q, " AND ");
    sql_cat(q, expr);
    sql_cat(q, " IN (");
    for (size_t i = 0; i < set->n; i++) {
        sql_cat(q, i ? ",?" : "?");
        assert_true(q->nbind < 64);
        q->bind[q->nbind++] = set->values[i];
    }
    sql_cat(q, ")");
}

static int has_influencer_filter(const struct engine_filter *f)
{
    return f->platform.n || f->category.n || f->gender.n || f->tier.n || f->persona.n ||
           f->influencer.n || f->basis.n;
}

/* influencer_id IN (the influencers selected by the attribute filters) */
/* with_platform: the platform filter selects by the influencer's platform (attributed rows);
 * posts are selected by their own (posts_sql). */
static void sql_influencers_on(struct sql_query *q, const char *id_expr,
                               const struct engine_filter *f, int with_platform)
{
    if (!has_influencer_filter(f) ||
        (!with_platform &&
         f->category.n + f->gender.n + f->tier.n + f->persona.n + f->influencer.n + f->basis.n ==
             0))
        return;
    sql_cat(q, " AND ");
    sql_cat(q, id_expr);
    sql_cat(q, " IN (SELECT influencer_id FROM influencers WHERE 1");
    if (with_platform)
        sql_in(q, "platform", &f->platform);
    sql_in(q, "category", &f->category);
    sql_in(q, "gender", &f->gender);
    sql_in(q, "tier", &f->tier);
    sql_in(q, "persona", &f->persona);
    sql_in(q, "influencer_id", &f->influencer);
    if (f->basis.n) {
        sql_cat(q, " AND influencer_id IN (SELECT influencer_id FROM payouts WHERE 1");
        sql_in(q, "basis", &f->basis);
        sql_cat(q, ")");
    }
    sql_cat(q, ")");
}

static void sql_influencers(struct sql_query *q, const char *id_expr, const struct engine_filter *f)
{
    sql_influencers_on(q, id_expr, f, 1);
}

static void sql_dates(struct sql_query *q, const char *col, const struct engine_filter *f,
                      char from[11], char to[11])
{
    if (f->from_day != INT32_MIN) {
        schema_days_to_iso(f->from_day, from);
        sql_cat(q, " AND substr(");
        sql_cat(q, col);
        sql_cat(q, ",1,10) >= ?");
        q->bind[q->nbind++] = from;
    }
    if (f->to_day != INT32_MAX) {
        schema_days_to_iso(f->to_day, to);
        sql_cat(q, " AND substr(");
        sql_cat(q, col);
        sql_cat(q, ",1,10) <= ?");
        q->bind[q->nbind++] = to;
    }
}

static void sql_sums(sqlite3 *db, const struct sql_query *q, int64_t *a, int64_t *b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, q->sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", q->sql, sqlite3_errmsg(db));
    for (int i = 0; i < q->nbind; i++)
        assert_int_equal(sqlite3_bind_text(st, i + 1, q->bind[i], -1, SQLITE_STATIC), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *a = sqlite3_column_int64(st, 0);
    *b = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
}

static void tracking_sql(struct sql_query *q, const struct engine_filter *f, int organic,
                         char from[11], char to[11])
{
    memset(q, 0, sizeof *q);
    sql_cat(q, organic
                   ? "SELECT total(revenue), total(orders) FROM tracking_data WHERE organic = 1"
                   : "SELECT total(revenue), total(orders) FROM tracking_data WHERE organic = 0");
    sql_dates(q, "date", f, from, to);
    sql_in(q, "brand", &f->brand);
    sql_in(q, "product", &f->product);
    sql_in(q, "campaign", &f->campaign);
    sql_in(q, "source", &f->source);
    if (!organic)
        sql_influencers(q, "influencer_id", f);
}

static void posts_sql(struct sql_query *q, const struct engine_filter *f, char from[11],
                      char to[11])
{
    memset(q, 0, sizeof *q);
    sql_cat(q, "SELECT count(*), total(reach) FROM posts p WHERE 1");
    sql_dates(q, "p.date", f, from, to);
    sql_influencers_on(q, "p.influencer_id", f, 0);
    sql_in(q,
           "coalesce(nullif(p.platform,''), (SELECT platform FROM influencers i "
           "WHERE i.influencer_id = p.influencer_id))",
           &f->platform);
    /* SPEC §3.1: under a brand, product, campaign or source filter, a post counts when it
     * carries a selected campaign, or carries none and its influencer has attributed rows
     * in scope (and, under brand, product or source, only when it has them) */
    if (f->brand.n + f->product.n + f->campaign.n + f->source.n == 0)
        return;
    static char from2[11], to2[11];
    struct sql_query scope;
    tracking_sql(&scope, f, 0, from2, to2);
    const char *rows = strstr(scope.sql, " WHERE ") + strlen(" WHERE ");
    if (f->campaign.n) {
        sql_cat(q, " AND (coalesce(p.campaign,'') <> ''");
        sql_in(q, "p.campaign", &f->campaign);
        sql_cat(q, " OR coalesce(p.campaign,'') = '' AND EXISTS (SELECT 1 FROM tracking_data t "
                   "WHERE t.influencer_id = p.influencer_id AND ");
        sql_cat(q, rows);
        sql_cat(q, "))");
        for (int i = 0; i < scope.nbind; i++)
            q->bind[q->nbind++] = scope.bind[i];
    }
    if (f->brand.n + f->product.n + f->source.n > 0) {
        sql_cat(q, " AND EXISTS (SELECT 1 FROM tracking_data t WHERE t.influencer_id = "
                   "p.influencer_id AND ");
        sql_cat(q, rows);
        sql_cat(q, ")");
        for (int i = 0; i < scope.nbind; i++)
            q->bind[q->nbind++] = scope.bind[i];
    }
}

/* Sets dimension dim to 1 to 3 random values (repeats allowed). */
static void pick(uint64_t *rng, const struct values *vals, const char **slots,
                 struct engine_set *set)
{
    size_t n = 1 + next_random(rng) % 3;
    for (size_t i = 0; i < n; i++)
        slots[i] = vals->v[next_random(rng) % vals->n];
    set->values = slots;
    set->n = n;
}

enum {
    V_PLATFORM,
    V_CATEGORY,
    V_GENDER,
    V_TIER,
    V_PERSONA,
    V_INFLUENCER,
    V_BASIS,
    V_BRAND,
    V_PRODUCT,
    V_CAMPAIGN,
    V_SOURCE,
    V_COUNT
};

/* Random filters over the values present in the generated database. */
struct filter_gen {
    struct values vals[V_COUNT];
    int32_t first, last; /* tracking date range */
};

static void filter_gen_init(sqlite3 *db, struct filter_gen *gen)
{
    static const char *const dims[V_COUNT] = {
        "SELECT DISTINCT platform FROM influencers",  "SELECT DISTINCT category FROM influencers",
        "SELECT DISTINCT gender FROM influencers",    "SELECT DISTINCT tier FROM influencers",
        "SELECT DISTINCT persona FROM influencers",   "SELECT influencer_id FROM influencers",
        "SELECT DISTINCT basis FROM payouts",         "SELECT DISTINCT brand FROM tracking_data",
        "SELECT DISTINCT product FROM tracking_data", "SELECT DISTINCT campaign FROM tracking_data",
        "SELECT DISTINCT source FROM tracking_data"};
    for (int i = 0; i < V_COUNT; i++)
        distinct(db, dims[i], &gen->vals[i]);
    struct values days;
    distinct(db,
             "SELECT substr(min(date),1,10) FROM tracking_data UNION ALL "
             "SELECT substr(max(date),1,10) FROM tracking_data",
             &days);
    gen->first = day(days.v[0]);
    gen->last = day(days.v[1]);
    values_free(&days);
}

static void filter_gen_release(struct filter_gen *gen)
{
    for (int i = 0; i < V_COUNT; i++)
        values_free(&gen->vals[i]);
}

/* Generated data in the store, the engine loaded from it, the database open read-only
 * for SQL cross-checks, and the values random filters draw from. */
struct generated {
    struct engine *eng;
    sqlite3 *db;
    struct filter_gen gen;
};

static void generated_open(struct fixture *fx, uint64_t seed, struct generated *g)
{
    struct demo_opts o = {.rows = 20000, .seed = seed};
    struct err e;
    err_clear(&e);
    if (demo_load(fx->store, &o, &e) != 0)
        fail_msg("demo_load: %s", e.msg);
    g->eng = load(fx->store);
    assert_int_equal(sqlite3_open_v2(fx->db, &g->db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    filter_gen_init(g->db, &g->gen);
}

static void generated_close(struct generated *g)
{
    filter_gen_release(&g->gen);
    sqlite3_close(g->db);
    engine_free(g->eng);
}

/* Round 0: no filter at all; then one to three dimensions at a time, and half the time a
 * date range (a quarter of those open at the start). slots hold the picked values. */
static void random_filter(uint64_t *rng, int round, const struct filter_gen *gen,
                          const char *slots[V_COUNT][3], struct engine_filter *f)
{
    engine_filter_init(f);
    struct engine_set *sets[V_COUNT] = {&f->platform, &f->category,   &f->gender, &f->tier,
                                        &f->persona,  &f->influencer, &f->basis,  &f->brand,
                                        &f->product,  &f->campaign,   &f->source};
    int ndims = round == 0 ? 0 : 1 + (int)(next_random(rng) % 3);
    for (int i = 0; i < ndims; i++) {
        int dim = (int)(next_random(rng) % V_COUNT);
        pick(rng, &gen->vals[dim], slots[dim], sets[dim]);
    }
    if (round > 0 && next_random(rng) % 2) {
        int32_t span = gen->last - gen->first + 1;
        int32_t a = gen->first + (int32_t)(next_random(rng) % (uint64_t)span);
        int32_t b = gen->first + (int32_t)(next_random(rng) % (uint64_t)span);
        f->from_day = a < b ? a : b;
        f->to_day = a < b ? b : a;
        if (next_random(rng) % 4 == 0)
            f->from_day = INT32_MIN;
    }
}

static void test_matches_sql_on_generated_data(void **state)
{
    struct fixture *fx = *state;
    struct generated data;
    generated_open(fx, 7, &data);
    struct engine *eng = data.eng;
    sqlite3 *db = data.db;
    struct filter_gen *gen = &data.gen;

    uint64_t rng = 12345;
    const char *slots[V_COUNT][3];
    int nonempty = 0, partial = 0; /* rounds with some, and with less than all, revenue */
    int64_t all_revenue = 0;
    for (int round = 0; round < 40; round++) {
        struct engine_filter f;
        random_filter(&rng, round, gen, slots, &f);
        struct engine_kpis k = kpis(eng, &f);
        struct sql_query q;
        char from[11], to[11];
        int64_t revenue, orders, organic_revenue, organic_orders, posts, reach;
        tracking_sql(&q, &f, 0, from, to);
        sql_sums(db, &q, &revenue, &orders);
        tracking_sql(&q, &f, 1, from, to);
        sql_sums(db, &q, &organic_revenue, &organic_orders);
        posts_sql(&q, &f, from, to);
        sql_sums(db, &q, &posts, &reach);
        if (k.revenue != revenue || k.orders != orders || k.organic_revenue != organic_revenue ||
            k.posts != posts || k.reach != reach)
            fail_msg("round %d: engine rev %lld ord %lld org %lld posts %lld reach %lld; "
                     "SQL %lld %lld %lld %lld %lld",
                     round, (long long)k.revenue, (long long)k.orders, (long long)k.organic_revenue,
                     (long long)k.posts, (long long)k.reach, (long long)revenue, (long long)orders,
                     (long long)organic_revenue, (long long)posts, (long long)reach);
        assert_int_equal(k.organic_orders, organic_orders);
        if (round == 0)
            all_revenue = k.revenue;
        nonempty += k.revenue > 0;
        partial += k.revenue > 0 && k.revenue < all_revenue;
        if (round == 0) {
            /* The whole data set: the generator records each payout row's orders, posts and
             * revenue (one row per influencer and campaign), so the spend the engine earns
             * from tracking and posts must equal the terms applied to those recorded
             * figures, each payout row rounded to the paisa (README "Allocation": a row's
             * spend is rounded once, then split in whole paise). */
            int64_t spend, unused;
            struct sql_query all = {.sql =
                                        "SELECT total(CASE WHEN m >= 0 THEN (m + 500000) / 1000000 "
                                        "ELSE -((-m + 500000) / 1000000) END), 0 FROM (SELECT CASE "
                                        "WHEN rate IS NULL THEN total_payout * 1000000 "
                                        "WHEN basis = 'order' THEN rate * orders * 100 "
                                        "WHEN basis = 'post' THEN rate * posts * 100 "
                                        "WHEN basis = 'revenue_share' THEN rate * revenue "
                                        "ELSE total_payout * 1000000 END AS m FROM payouts)"};
            sql_sums(db, &all, &spend, &unused);
            assert_int_equal(k.spend, spend);
            assert_true(k.revenue > 0 && k.organic_revenue > 0 && k.posts > 0);
        }
    }
    /* the random filters must mostly select something, or the comparison proves little */
    print_message("SQL cross-check: %d of 40 filters non-empty, %d partial\n", nonempty, partial);
    assert_true(nonempty >= 25 && partial >= 20);
    generated_close(&data);
}

/* Brand or day groups of the tracking rows by SQL: key, attributed revenue and orders,
 * organic revenue, in key order. */
static void breakdown_sql(struct sql_query *q, const char *key_expr, const struct engine_filter *f,
                          char from[11], char to[11])
{
    memset(q, 0, sizeof *q);
    sql_cat(q, "SELECT ");
    sql_cat(q, key_expr);
    sql_cat(q, " AS k, total(CASE WHEN organic = 0 THEN revenue END), "
               "total(CASE WHEN organic = 0 THEN orders END), "
               "total(CASE WHEN organic = 1 THEN revenue END) FROM tracking_data WHERE 1");
    sql_dates(q, "date", f, from, to);
    sql_in(q, "brand", &f->brand);
    sql_in(q, "product", &f->product);
    sql_in(q, "campaign", &f->campaign);
    sql_in(q, "source", &f->source);
    sql_cat(q, " AND (organic = 1 OR 1"); /* influencer filters: attributed rows only */
    sql_influencers(q, "influencer_id", f);
    sql_cat(q, ") GROUP BY k ORDER BY k");
}

/* Each SQL group has an engine group with the same figures, and the engine has no
 * revenue the SQL groups lack. Returns the number of SQL groups. */
static size_t assert_groups_match_sql(sqlite3 *db, const struct sql_query *q,
                                      const struct groups *g, int round)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, q->sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", q->sql, sqlite3_errmsg(db));
    for (int i = 0; i < q->nbind; i++)
        assert_int_equal(sqlite3_bind_text(st, i + 1, q->bind[i], -1, SQLITE_STATIC), SQLITE_OK);
    size_t nsql = 0, j = 0;
    int64_t sql_revenue = 0, sql_organic = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        int64_t revenue = sqlite3_column_int64(st, 1), orders = sqlite3_column_int64(st, 2);
        int64_t organic = sqlite3_column_int64(st, 3);
        while (j < g->n && strcmp(g->g[j].key, key) < 0)
            j++;
        if (j == g->n || strcmp(g->g[j].key, key) != 0)
            fail_msg("round %d: SQL group \"%s\" missing from the engine", round, key);
        if (g->g[j].revenue != revenue || g->g[j].orders != orders ||
            g->g[j].organic_revenue != organic)
            fail_msg("round %d: group %s: engine %lld %lld %lld, SQL %lld %lld %lld", round, key,
                     (long long)g->g[j].revenue, (long long)g->g[j].orders,
                     (long long)g->g[j].organic_revenue, (long long)revenue, (long long)orders,
                     (long long)organic);
        sql_revenue += revenue;
        sql_organic += organic;
        nsql++;
    }
    sqlite3_finalize(st);
    int64_t revenue = 0, organic = 0;
    for (size_t i = 0; i < g->n; i++) {
        revenue += g->g[i].revenue;
        organic += g->g[i].organic_revenue;
    }
    assert_int_equal(revenue, sql_revenue);
    assert_int_equal(organic, sql_organic);
    return nsql;
}

/* The groups of every dimension add up to the KPI totals under the same filter: revenue,
 * orders and spend always, organic revenue but by platform, posts and reach by platform,
 * day and campaign. By brand and by day they also match SQL GROUP BY. */
static void test_breakdowns_add_up_and_match_sql_on_generated_data(void **state)
{
    struct fixture *fx = *state;
    struct generated data;
    generated_open(fx, 11, &data);
    struct engine *eng = data.eng;
    sqlite3 *db = data.db;
    struct filter_gen *gen = &data.gen;
    uint64_t rng = 777;
    const char *slots[V_COUNT][3];
    int nonempty = 0, platform_spend = 0;
    for (int round = 0; round < 30; round++) {
        struct engine_filter f;
        random_filter(&rng, round, gen, slots, &f);
        struct engine_kpis k = kpis(eng, &f);
        nonempty += k.revenue > 0;
        for (int dim = ENGINE_BY_PLATFORM; dim <= ENGINE_BY_SOURCE; dim++) {
            struct groups g = breakdown(eng, &f, (enum engine_dim)dim);
            int64_t revenue = 0, orders = 0, organic = 0, spend = 0, posts = 0, reach = 0;
            for (size_t i = 0; i < g.n; i++) {
                revenue += g.g[i].revenue;
                orders += g.g[i].orders;
                organic += g.g[i].organic_revenue;
                spend += g.g[i].spend;
                posts += g.g[i].posts;
                reach += g.g[i].reach;
            }
            assert_int_equal(revenue, k.revenue);
            assert_int_equal(orders, k.orders);
            assert_int_equal(organic, dim == ENGINE_BY_PLATFORM ? 0 : k.organic_revenue);
            assert_int_equal(spend, k.spend);
            int no_posts =
                dim == ENGINE_BY_BRAND || dim == ENGINE_BY_PRODUCT || dim == ENGINE_BY_SOURCE;
            assert_int_equal(posts, no_posts ? 0 : k.posts);
            assert_int_equal(reach, no_posts ? 0 : k.reach);
            platform_spend += dim == ENGINE_BY_PLATFORM && g.n > 1 && spend > 0;
            if (dim == ENGINE_BY_BRAND || dim == ENGINE_BY_DAY) {
                struct sql_query q;
                char from[11], to[11];
                breakdown_sql(&q,
                              dim == ENGINE_BY_BRAND ? "coalesce(brand, '')" : "substr(date,1,10)",
                              &f, from, to);
                size_t nsql = assert_groups_match_sql(db, &q, &g, round);
                if (round == 0)
                    assert_true(nsql > 1);
            }
            free(g.g);
        }
    }
    print_message("breakdown checks: %d of 30 filters non-empty, %d with spend over platforms\n",
                  nonempty, platform_spend);
    assert_true(nonempty >= 15 && platform_spend >= 10);
    generated_close(&data);
}

/* Per-influencer attributed revenue and orders by SQL GROUP BY influencer_id. */
static void influencers_sql(struct sql_query *q, const struct engine_filter *f, char from[11],
                            char to[11])
{
    memset(q, 0, sizeof *q);
    sql_cat(q, "SELECT influencer_id, total(revenue), total(orders) FROM tracking_data "
               "WHERE organic = 0");
    sql_dates(q, "date", f, from, to);
    sql_in(q, "brand", &f->brand);
    sql_in(q, "product", &f->product);
    sql_in(q, "campaign", &f->campaign);
    sql_in(q, "source", &f->source);
    sql_influencers(q, "influencer_id", f);
    sql_cat(q, " GROUP BY influencer_id ORDER BY influencer_id");
}

/* Every SQL influencer has an engine row with its revenue and orders; engine rows absent
 * from SQL (posts or payouts only) have neither. Returns the number of SQL rows. */
static size_t assert_influencers_match_sql(sqlite3 *db, const struct sql_query *q,
                                           const struct inf_rows *r, int round)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, q->sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", q->sql, sqlite3_errmsg(db));
    for (int i = 0; i < q->nbind; i++)
        assert_int_equal(sqlite3_bind_text(st, i + 1, q->bind[i], -1, SQLITE_STATIC), SQLITE_OK);
    uint8_t *matched = calloc(r->n + 1, 1);
    assert_non_null(matched);
    size_t nsql = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int64_t revenue = sqlite3_column_int64(st, 1), orders = sqlite3_column_int64(st, 2);
        size_t j = 0;
        while (j < r->n && strcmp(r->r[j].id, id) != 0)
            j++;
        if (j == r->n)
            fail_msg("round %d: SQL influencer %s missing from the engine", round, id);
        if (r->r[j].revenue != revenue || r->r[j].orders != orders)
            fail_msg("round %d: influencer %s: engine %lld %lld, SQL %lld %lld", round, id,
                     (long long)r->r[j].revenue, (long long)r->r[j].orders, (long long)revenue,
                     (long long)orders);
        matched[j] = 1;
        nsql++;
    }
    sqlite3_finalize(st);
    for (size_t j = 0; j < r->n; j++)
        if (!matched[j] && (r->r[j].revenue != 0 || r->r[j].orders != 0))
            fail_msg("round %d: engine influencer %s has revenue SQL lacks", round, r->r[j].id);
    free(matched);
    return nsql;
}

/* The influencer rows add up to the KPI totals (revenue, orders, spend, posts, reach,
 * engagements, influencer count) for random filters, as do the persona rows of both keys
 * (revenue, orders, spend, influencers); every other round per-influencer revenue and
 * orders also match SQL GROUP BY influencer_id. */
static void test_influencers_and_personas_add_up_on_generated_data(void **state)
{
    struct fixture *fx = *state;
    struct generated data;
    generated_open(fx, 13, &data);
    struct engine *eng = data.eng;
    sqlite3 *db = data.db;
    struct filter_gen *gen = &data.gen;
    uint64_t rng = 4242;
    const char *slots[V_COUNT][3];
    int nonempty = 0, sql_checked = 0;
    for (int round = 0; round < 20; round++) {
        struct engine_filter f;
        random_filter(&rng, round, gen, slots, &f);
        struct engine_kpis k = kpis(eng, &f);
        struct inf_rows r = influencers(eng, &f);
        int64_t revenue = 0, orders = 0, spend = 0, posts = 0, reach = 0, engagements = 0;
        for (size_t i = 0; i < r.n; i++) {
            revenue += r.r[i].revenue;
            orders += r.r[i].orders;
            spend += r.r[i].spend;
            posts += r.r[i].posts;
            reach += r.r[i].reach;
            engagements += r.r[i].engagements;
        }
        assert_int_equal(revenue, k.revenue);
        assert_int_equal(orders, k.orders);
        assert_int_equal(spend, k.spend);
        assert_int_equal(posts, k.posts);
        assert_int_equal(reach, k.reach);
        assert_int_equal(engagements, k.engagements);
        assert_int_equal((int64_t)r.n, k.influencers);
        nonempty += r.n > 1 && k.revenue > 0;
        for (int dim = ENGINE_PERSONA_CATEGORY_GENDER; dim <= ENGINE_PERSONA_TIER; dim++) {
            struct persona_rows p = personas(eng, &f, (enum engine_persona_dim)dim);
            int64_t p_revenue = 0, p_orders = 0, p_spend = 0, p_influencers = 0;
            for (size_t i = 0; i < p.n; i++) {
                p_revenue += p.r[i].revenue;
                p_orders += p.r[i].orders;
                p_spend += p.r[i].spend;
                p_influencers += p.r[i].influencers;
            }
            assert_int_equal(p_revenue, k.revenue);
            assert_int_equal(p_orders, k.orders);
            assert_int_equal(p_spend, k.spend);
            assert_int_equal(p_influencers, k.influencers);
            if (round == 0)
                assert_true(p.n > 1);
            free(p.r);
        }
        if (round % 2 == 0) {
            struct sql_query q;
            char from[11], to[11];
            influencers_sql(&q, &f, from, to);
            size_t nsql = assert_influencers_match_sql(db, &q, &r, round);
            if (round == 0)
                assert_true(nsql > 1);
            sql_checked += nsql > 0;
        }
        free(r.r);
    }
    print_message("influencer checks: %d of 20 filters with several influencers and revenue, "
                  "%d of 10 SQL comparisons non-empty\n",
                  nonempty, sql_checked);
    assert_true(nonempty >= 10 && sql_checked >= 6);
    generated_close(&data);
}

/* ---- a result's scratch used again ---------------------------------------------------- */

/* Everything a result answers, as text: the KPIs, every breakdown, every influencer row and
 * the payouts check (the fields a document shows). */
static void result_text(const struct engine_result *r, struct buf *out)
{
    const struct engine_kpis *k = engine_result_kpis(r);
    buf_printf(out, "kpis %lld %lld %lld %lld %lld %lld %lld %lld %lld\n", (long long)k->revenue,
               (long long)k->orders, (long long)k->organic_revenue, (long long)k->spend,
               (long long)k->posts, (long long)k->reach, (long long)k->engagements,
               (long long)k->followers, (long long)k->influencers);
    struct err e;
    err_clear(&e);
    for (int dim = ENGINE_BY_PLATFORM; dim <= ENGINE_BY_SOURCE; dim++) {
        struct engine_group *g;
        size_t n;
        if (engine_result_breakdown(r, (enum engine_dim)dim, &g, &n, &e) != 0)
            fail_msg("engine_result_breakdown: %s", e.msg);
        for (size_t i = 0; i < n; i++)
            buf_printf(out, "by %d %s %lld %lld %lld %lld %lld\n", dim, g[i].key,
                       (long long)g[i].revenue, (long long)g[i].orders, (long long)g[i].spend,
                       (long long)g[i].posts, (long long)g[i].reach);
        free(g);
    }
    struct engine_influencer_row *rows;
    size_t n;
    assert_int_equal(engine_result_influencers(r, 1, &rows, &n), 0);
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "inf %s %lld %lld %lld %lld %lld\n", rows[i].id, (long long)rows[i].revenue,
                   (long long)rows[i].orders, (long long)rows[i].spend, (long long)rows[i].posts,
                   (long long)rows[i].engagements);
    free(rows);
    struct engine_payout_row *pay;
    struct engine_payout_totals t;
    assert_int_equal(engine_result_payouts(r, &pay, &n, &t), 0);
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "pay %s %lld %lld %d %lld %lld %lld %s\n", pay[i].id,
                   (long long)pay[i].earned, (long long)pay[i].recorded, (int)pay[i].check,
                   (long long)pay[i].compared_earned, (long long)pay[i].compared_recorded,
                   (long long)pay[i].difference, pay[i].reason);
    free(pay);
    struct engine_influencer_row one;
    for (int i = 0; engine_result_influencer(r, i, &one) == 0; i++)
        buf_printf(out, "one %d %lld %lld\n", i, (long long)one.revenue, (long long)one.spend);
}

/* A query answers the same on an engine that has answered others before (its sums come from
 * scratch the engine keeps and gives the next query: whatever the last one left in it must
 * not count) as on an engine fresh from the store, over random filters on generated data,
 * each asked after an unfiltered query (every influencer's activity written) and after the
 * filter before it. */
static void test_a_query_answers_the_same_after_others(void **state)
{
    struct fixture *fx = *state;
    struct generated data;
    generated_open(fx, 11, &data);
    uint64_t rng = 2024;
    const char *slots[V_COUNT][3];
    struct err e;
    err_clear(&e);
    struct buf used = BUF_INIT, fresh = BUF_INIT;
    for (int round = 0; round < 24; round++) {
        struct engine_filter f, all;
        random_filter(&rng, round, &data.gen, slots, &f);
        engine_filter_init(&all);
        struct engine_result *r;
        /* on the engine that has answered the rounds before, after an unfiltered query */
        assert_int_equal(engine_run(data.eng, &all, &r, &e), 0);
        engine_result_free(r);
        assert_int_equal(engine_run(data.eng, &f, &r, &e), 0);
        buf_reset(&used);
        result_text(r, &used);
        engine_result_free(r);
        /* on an engine that has answered nothing */
        struct engine *eng = load(fx->store);
        assert_int_equal(engine_run(eng, &f, &r, &e), 0);
        buf_reset(&fresh);
        result_text(r, &fresh);
        engine_result_free(r);
        engine_free(eng);
        if (used.len != fresh.len || memcmp(used.data, fresh.data, used.len) != 0)
            fail_msg("round %d: the used engine answers otherwise than a fresh one", round);
    }
    buf_release(&used);
    buf_release(&fresh);
    generated_close(&data);
}

/* ---- incremental revenue ------------------------------------------------------------ */

static struct engine_incremental incremental(const struct engine *eng,
                                             const struct engine_filter *f,
                                             const struct engine_incremental_opts *o)
{
    struct err e;
    err_clear(&e);
    struct engine_result *r;
    if (engine_run(eng, f, &r, &e) != 0)
        fail_msg("engine_run: %s", e.msg);
    struct engine_incremental inc;
    if (engine_result_incremental(r, o, &inc, &e) != 0)
        fail_msg("engine_result_incremental: %s", e.msg);
    engine_result_free(r);
    return inc;
}

/* Twenty days of organic revenue averaging ₹1,000 (₹900–1,100), then ten days on which
 * the same organic ₹1,000 comes in and influencer I1 adds ₹500 a day: a lift of exactly
 * ₹5,000 over a flat fee of ₹2,500. */
static void load_known_lift(struct store *s)
{
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "I1", "name", "Asha", "platform", "Instagram", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y1", "influencer_id", "I1", "basis", "flat", "total_payout",
        "250000", NULL);
    for (int d = 1; d <= 30; d++) {
        char date[16], id[16], revenue[16];
        snprintf(date, sizeof date, "2025-01-%02d", d);
        snprintf(id, sizeof id, "O%d", d);
        snprintf(revenue, sizeof revenue, "%d", d <= 20 ? 90000 + (d % 5) * 5000 : 100000);
        put(s, DS_TRACKING, "tracking_id", id, "date", date, "source", "organic", "revenue",
            revenue, NULL);
        if (d > 20) {
            snprintf(id, sizeof id, "A%d", d);
            put(s, DS_TRACKING, "tracking_id", id, "influencer_id", "I1", "date", date, "revenue",
                "50000", NULL);
        }
    }
    commit(s);
}

static void test_organic_method_recovers_a_known_lift(void **state)
{
    struct fixture *fx = *state;
    load_known_lift(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_incremental_opts o;
    engine_incremental_opts_default(&o);
    struct engine_incremental inc = incremental(eng, &f, &o);
    assert_int_equal(inc.method, ENGINE_IROAS_ORGANIC);
    assert_string_equal(engine_iroas_method_name(inc.method), "organic");
    assert_int_equal(inc.baseline_days, 20);
    assert_int_equal(inc.campaign_days, 10);
    assert_int_equal(inc.baseline_daily, 100000);
    assert_int_equal(inc.incremental_revenue, 500000);
    assert_ratio(inc.iroas, 500000.0, 250000.0);
    /* the baseline varies, so the interval has width, and it holds the true lift */
    assert_true(inc.has_interval);
    assert_true(inc.low < 500000 && 500000 < inc.high);
    assert_true(inc.high - inc.low < 100000);
    assert_true(inc.iroas_low.has && inc.iroas_high.has);
    assert_non_null(strstr(inc.why, "20 days without influencer activity"));
    /* the same seed gives the same interval */
    struct engine_incremental again = incremental(eng, &f, &o);
    assert_int_equal(again.low, inc.low);
    assert_int_equal(again.high, inc.high);

    /* Only campaign days in range: no baseline, no Test/Control rows → fixed_share at
     * p = 0.20 of the ₹5,000 attributed, and a chosen p is honoured. */
    f.from_day = day("2025-01-21");
    inc = incremental(eng, &f, &o);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_int_equal(inc.incremental_revenue, 400000);
    assert_false(inc.has_interval);
    o.fixed_share = 0.5;
    inc = incremental(eng, &f, &o);
    assert_int_equal(inc.incremental_revenue, 250000);
    assert_true(inc.fixed_share == 0.5);

    /* holdout asked for without Test/Control rows: chosen as if not asked */
    engine_filter_init(&f);
    engine_incremental_opts_default(&o);
    o.method = ENGINE_IROAS_HOLDOUT;
    inc = incremental(eng, &f, &o);
    assert_int_equal(inc.requested, ENGINE_IROAS_HOLDOUT);
    assert_int_equal(inc.method, ENGINE_IROAS_ORGANIC);

    /* fixed_share asked for explicitly is used even when organic applies */
    o.method = ENGINE_IROAS_FIXED_SHARE;
    inc = incremental(eng, &f, &o);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_int_equal(inc.incremental_revenue, 400000);

    /* a share outside 0..1 is refused */
    o.fixed_share = 1.5;
    struct engine_result *r;
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    assert_int_equal(engine_result_incremental(r, &o, &inc, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "fixed_share"));
    engine_result_free(r);
    engine_free(eng);
}

/* Every day has influencer activity (no baseline days); Test rows bring ₹3,000 through I1,
 * Control rows ₹1,000 without an influencer: holdout gives ₹2,000 over a spend of ₹1,000. */
static void test_holdout_method(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "I1", "platform", "YouTube", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y1", "influencer_id", "I1", "basis", "flat", "total_payout",
        "100000", NULL);
    put(s, DS_TRACKING, "tracking_id", "T1", "influencer_id", "I1", "date", "2025-02-01",
        "campaign", "Launch", "campaign_type", "Test", "revenue", "200000", NULL);
    put(s, DS_TRACKING, "tracking_id", "T2", "influencer_id", "I1", "date", "2025-02-02",
        "campaign", "Launch", "campaign_type", "test", "revenue", "100000", NULL);
    put(s, DS_TRACKING, "tracking_id", "C1", "date", "2025-02-01", "campaign", "Launch",
        "campaign_type", "Control", "revenue", "60000", NULL);
    put(s, DS_TRACKING, "tracking_id", "C2", "date", "2025-02-02", "campaign", "Launch",
        "campaign_type", "Control", "revenue", "40000", NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_incremental_opts o;
    engine_incremental_opts_default(&o);
    struct engine_incremental inc = incremental(eng, &f, &o);
    assert_int_equal(inc.method, ENGINE_IROAS_HOLDOUT);
    assert_int_equal(inc.test_revenue, 300000);
    assert_int_equal(inc.control_revenue, 100000);
    assert_int_equal(inc.test_rows, 2);
    assert_int_equal(inc.control_rows, 2);
    assert_int_equal(inc.incremental_revenue, 200000);
    assert_ratio(inc.iroas, 200000.0, 100000.0);
    /* one day: the same method on that day's rows */
    f.from_day = f.to_day = day("2025-02-02");
    inc = incremental(eng, &f, &o);
    assert_int_equal(inc.incremental_revenue, 100000 - 40000);
    engine_free(eng);
}

/* iROAS divides the unrounded incremental revenue by spend; only the money shown is
 * rounded to the paisa. Three baseline days of ₹1,000.00, ₹1,000.00 and ₹1,000.01 give a
 * baseline of 100000.333… paise; the one campaign day brings ₹1,500.00, so incremental is
 * 49999.666… paise (shown as ₹500.00) over a flat fee of ₹10: iROAS 49.99967, not 50. */
static void test_iroas_uses_the_unrounded_incremental_revenue(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "I1", "platform", "Instagram", NULL);
    /* two fees of ₹10, dated, so that each range below holds one whole (an undated fee
     * would spread over I1's revenue days, README "Allocation") */
    put(s, DS_PAYOUTS, "payout_id", "Y1", "influencer_id", "I1", "basis", "flat", "total_payout",
        "1000", "payout_date", "2025-01-04", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y2", "influencer_id", "I1", "basis", "flat", "total_payout",
        "1000", "payout_date", "2025-01-09", NULL);
    put(s, DS_TRACKING, "tracking_id", "O1", "date", "2025-01-01", "source", "organic", "revenue",
        "100000", NULL);
    put(s, DS_TRACKING, "tracking_id", "O2", "date", "2025-01-02", "source", "organic", "revenue",
        "100000", NULL);
    put(s, DS_TRACKING, "tracking_id", "O3", "date", "2025-01-03", "source", "organic", "revenue",
        "100001", NULL);
    put(s, DS_TRACKING, "tracking_id", "O4", "date", "2025-01-04", "source", "organic", "revenue",
        "100000", NULL);
    put(s, DS_TRACKING, "tracking_id", "A4", "influencer_id", "I1", "date", "2025-01-04", "revenue",
        "50000", NULL);
    /* four more baseline days and a second campaign day (the 9th), for the interval */
    static const char *const more[] = {"2025-01-05", "100003", "2025-01-06", "100007",
                                       "2025-01-07", "100012", "2025-01-08", "100020"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i += 2) {
        char id[16];
        snprintf(id, sizeof id, "B%zu", i);
        put(s, DS_TRACKING, "tracking_id", id, "date", more[i], "source", "organic", "revenue",
            more[i + 1], NULL);
    }
    put(s, DS_TRACKING, "tracking_id", "A9", "influencer_id", "I1", "date", "2025-01-09", "revenue",
        "70001", NULL);
    put(s, DS_TRACKING, "tracking_id", "O9", "date", "2025-01-09", "source", "organic", "revenue",
        "100000", NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    f.to_day = day("2025-01-04");
    struct engine_incremental_opts o;
    engine_incremental_opts_default(&o);
    struct engine_incremental inc = incremental(eng, &f, &o);
    assert_int_equal(inc.method, ENGINE_IROAS_ORGANIC);
    assert_int_equal(inc.baseline_days, 3);
    assert_int_equal(inc.incremental_revenue, 50000); /* the money, to the paisa */
    double exact = 150000.0 - (100000.0 + 100000.0 + 100001.0) / 3.0;
    assert_true(inc.iroas.has);
    assert_true(fabs(inc.iroas.value - exact / 1000.0) < 1e-12);
    assert_true(fabs(inc.iroas.value - 50.0) > 3e-4); /* not 50000 / 1000 */

    /* fixed_share: ₹700.01 attributed × (1 − 0.3) is 49000.7 paise (shown ₹490.01):
     * iROAS 49.0007, not 49.001 */
    engine_filter_init(&f);
    f.from_day = f.to_day = day("2025-01-09");
    o.method = ENGINE_IROAS_FIXED_SHARE;
    o.fixed_share = 0.3;
    inc = incremental(eng, &f, &o);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_int_equal(inc.incremental_revenue, 49001);
    assert_true(fabs(inc.iroas.value - (70001.0 - 0.3 * 70001.0) / 1000.0) < 1e-12);

    /* the interval's iROAS comes from the unrounded resampled lift too: with seven
     * baseline days a resample's baseline is a seventh of a sum of paise, a fraction */
    engine_filter_init(&f);
    engine_incremental_opts_default(&o);
    inc = incremental(eng, &f, &o);
    assert_int_equal(inc.method, ENGINE_IROAS_ORGANIC);
    assert_int_equal(inc.baseline_days, 7);
    assert_true(inc.has_interval && inc.iroas_low.has && inc.iroas_high.has);
    double lo = inc.iroas_low.value * 2000.0, hi = inc.iroas_high.value * 2000.0; /* both */
    assert_true(fabs(lo - (double)inc.low) <= 0.5 && fabs(hi - (double)inc.high) <= 0.5);
    print_message("interval in paise: %.6f .. %.6f (shown %lld .. %lld)\n", lo, hi,
                  (long long)inc.low, (long long)inc.high);
    assert_true(fabs(lo - round(lo)) > 1e-6); /* (with this seed the ends are not whole paise) */
    assert_true(fabs(hi - round(hi)) > 1e-6);
    engine_free(eng);
}

static struct engine_incremental incremental_between(const struct engine *eng, const char *from,
                                                     const char *to,
                                                     enum engine_iroas_method method)
{
    struct engine_filter f;
    engine_filter_init(&f);
    if (from)
        f.from_day = day(from);
    if (to)
        f.to_day = day(to);
    struct engine_incremental_opts o;
    engine_incremental_opts_default(&o);
    o.method = method;
    return incremental(eng, &f, &o);
}

static void assert_has(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("\"%s\" does not say \"%s\"", text, needle);
}

static void assert_lacks(const char *text, const char *needle)
{
    if (strstr(text, needle))
        fail_msg("\"%s\" says \"%s\"", text, needle);
}

/* Each reason the organic and holdout methods give for not applying is the true one for
 * its case (load_known_lift: days 1–20 organic only, 21–30 organic and I1; plus, here, a
 * Test row on the 25th and a Control row on the 26th). */
static void test_incremental_fallback_reasons(void **state)
{
    struct fixture *fx = *state;
    load_known_lift(fx->store);
    begin(fx->store);
    put(fx->store, DS_TRACKING, "tracking_id", "T25", "influencer_id", "I1", "date", "2025-01-25",
        "campaign_type", "Test", "revenue", "1000", NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "C26", "date", "2025-01-26", "campaign_type",
        "Control", "revenue", "500", NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "Z1", "date", "2025-02-01", "source", "organic",
        "revenue", "0", NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "Z2", "date", "2025-02-02", "source", "organic",
        "revenue", "0", NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "Z3", "influencer_id", "I1", "date", "2025-02-03",
        "revenue", "1000", NULL);
    commit(fx->store);
    struct engine *eng = load(fx->store);

    /* one baseline day and no campaign day: both said, nothing else */
    struct engine_incremental inc =
        incremental_between(eng, "2025-01-05", "2025-01-05", ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_has(inc.why, "only 1 day without influencer activity (the baseline needs at least 2)");
    assert_has(inc.why, "no day with influencer activity");
    assert_has(inc.why, "no campaign_type Test or Control rows");
    assert_lacks(inc.why, "no day without influencer activity");
    assert_lacks(inc.why, "no organic revenue");

    /* one baseline day beside a campaign day */
    inc = incremental_between(eng, "2025-01-20", "2025-01-21", ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_has(inc.why, "organic does not apply: only 1 day without influencer activity");
    assert_lacks(inc.why, "no day with influencer activity");

    /* two baseline days and a campaign day: organic */
    inc = incremental_between(eng, "2025-01-19", "2025-01-21", ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_ORGANIC);
    assert_int_equal(inc.baseline_days, 2);
    assert_lacks(inc.why, "does not apply");

    /* only campaign days; Test rows without Control rows */
    inc = incremental_between(eng, "2025-01-21", "2025-01-25", ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_has(inc.why, "organic does not apply: no day without influencer activity");
    assert_has(inc.why, "holdout does not apply: Test rows but no Control rows");
    assert_lacks(inc.why, "only 1 day");

    /* Control rows without Test rows */
    inc = incremental_between(eng, "2025-01-26", "2025-01-27", ENGINE_IROAS_AUTO);
    assert_has(inc.why, "holdout does not apply: Control rows but no Test rows");

    /* Test and Control rows, no baseline day: holdout, saying why not organic */
    inc = incremental_between(eng, "2025-01-25", "2025-01-26", ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_HOLDOUT);
    assert_has(inc.why, "organic does not apply: no day without influencer activity");

    /* organic rows of no revenue on the baseline days */
    inc = incremental_between(eng, "2025-02-01", "2025-02-03", ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_has(inc.why, "organic does not apply: no organic revenue in the filtered data");
    assert_lacks(inc.why, "day without influencer activity");

    /* asked for organic where it does not apply: said as asked */
    inc = incremental_between(eng, "2025-01-25", "2025-01-26", ENGINE_IROAS_ORGANIC);
    assert_int_equal(inc.method, ENGINE_IROAS_HOLDOUT);
    assert_has(inc.why, "organic was asked for but does not apply: no day without influencer "
                        "activity");

    /* asked for holdout where organic applies */
    inc = incremental_between(eng, NULL, "2025-01-24", ENGINE_IROAS_HOLDOUT);
    assert_int_equal(inc.method, ENGINE_IROAS_ORGANIC);
    assert_has(inc.why, "holdout was asked for but does not apply: no campaign_type Test or "
                        "Control rows");

    /* fixed_share asked for: no claim about the data */
    inc = incremental_between(eng, NULL, NULL, ENGINE_IROAS_FIXED_SHARE);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_has(inc.why, "as asked");
    assert_lacks(inc.why, "does not apply");
    assert_lacks(inc.why, "no day");
    engine_free(eng);
}

/* Organic revenue the import accepts row by row can make the organic estimate pass what
 * the engine sums: two baseline days of 200,000 rows at ₹9 crore each (₹18 lakh crore a
 * day) against 6,000 campaign days of ₹1 make an estimate of about −₹1.1 × 10^17, beyond
 * int64 paise (CI's fuzzer found it through the engine cache: the cast overflowed). Organic
 * then does not apply, and says why; the same days in a range of ten campaign days do. */
static void raw_sql(struct fixture *fx, const char *sql);

static void test_organic_estimate_beyond_what_the_engine_sums(void **state)
{
    struct fixture *fx = *state;
    begin(fx->store);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I1", "name", "Asha", "platform", "Instagram",
        NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "S1", "date", "2001-01-01", "source", "organic",
        "revenue", "100", NULL);
    commit(fx->store);
    raw_sql(fx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) "
                "INSERT INTO tracking_data (tracking_id, date, source, revenue, orders, organic) "
                "SELECT 'B' || i, CASE i % 2 WHEN 0 THEN '2001-01-01' ELSE '2001-01-02' END, "
                "'organic', 9000000000, 0, 1 FROM n;"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
                "INSERT INTO tracking_data (tracking_id, date, influencer_id, revenue, orders, "
                "organic) SELECT 'A' || i, date('2001-01-02', '+' || i || ' days'), 'I1', 100, "
                "1, 0 FROM n;");
    struct engine *eng = load(fx->store);
    struct engine_incremental inc = incremental_between(eng, NULL, NULL, ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_has(inc.why, "organic does not apply: 6000 days with activity against baseline days "
                        "this large could give an estimate beyond");
    assert_has(inc.why, "more than the engine sums");
    inc = incremental_between(eng, NULL, NULL, ENGINE_IROAS_ORGANIC);
    assert_int_equal(inc.method, ENGINE_IROAS_FIXED_SHARE);
    assert_has(inc.why, "organic was asked for but does not apply: 6000 days");
    /* ten campaign days: about −₹1.8 × 10^14, which fits */
    inc = incremental_between(eng, "2001-01-01", "2001-01-12", ENGINE_IROAS_AUTO);
    assert_int_equal(inc.method, ENGINE_IROAS_ORGANIC);
    assert_int_equal(inc.campaign_days, 10);
    assert_true(inc.incremental_revenue < -(int64_t)1000000000000000000 / 100);
    engine_free(eng);
}

/* ---- payouts -------------------------------------------------------------------------- */

/* A: ₹10 per order, 5 orders, ₹60 recorded and paid (a mismatch of ₹10).
 * B: ₹100 per post, 2 posts, ₹200 recorded, pending.
 * C: flat fees ₹300 paid on 2025-02-01 and ₹100 pending on 2025-03-01. */
static void test_payouts_earned_against_recorded(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "A", "name", "Asha", "platform", "Instagram", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "B", "name", "Bela", "platform", "YouTube", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "C", "name", "Chitra", "platform", "YouTube", NULL);
    put(s, DS_TRACKING, "tracking_id", "T1", "influencer_id", "A", "date", "2025-01-10", "orders",
        "2", "revenue", "300000", NULL);
    put(s, DS_TRACKING, "tracking_id", "T2", "influencer_id", "A", "date", "2025-02-10", "orders",
        "3", "revenue", "400000", NULL);
    put(s, DS_POSTS, "post_id", "P1", "influencer_id", "B", "date", "2025-01-05", "reach", "100",
        NULL);
    put(s, DS_POSTS, "post_id", "P2", "influencer_id", "B", "date", "2025-02-05", "reach", "100",
        NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y1", "influencer_id", "A", "basis", "order", "rate",
        "10000000", "total_payout", "6000", "status", "Paid", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y2", "influencer_id", "B", "basis", "post", "rate",
        "100000000", "total_payout", "20000", "status", "Pending", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y3", "influencer_id", "C", "basis", "flat", "total_payout",
        "30000", "payout_date", "2025-02-01", "status", "Paid", NULL);
    put(s, DS_PAYOUTS, "payout_id", "Y4", "influencer_id", "C", "basis", "flat", "total_payout",
        "10000", "payout_date", "2025-03-01", "status", "Pending", NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    struct err e;
    err_clear(&e);
    struct engine_result *r;
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    struct engine_payout_row *rows;
    size_t n;
    struct engine_payout_totals t;
    assert_int_equal(engine_result_payouts(r, &rows, &n, &t), 0);
    assert_int_equal(n, 3);
    /* the mismatch first, then by earned */
    assert_string_equal(rows[0].id, "A");
    assert_int_equal(rows[0].earned, 5000);
    assert_int_equal(rows[0].recorded, 6000);
    assert_int_equal(rows[0].difference, 1000);
    assert_true(rows[0].mismatch);
    assert_int_equal(rows[0].paid, 6000);
    assert_int_equal(rows[0].pending, 0);
    assert_string_equal(rows[0].basis, "order");
    assert_string_equal(rows[1].id, "C");
    assert_int_equal(rows[1].earned, 40000);
    assert_int_equal(rows[1].recorded, 40000);
    assert_false(rows[1].mismatch);
    assert_int_equal(rows[1].paid, 30000);
    assert_int_equal(rows[1].pending, 10000);
    assert_int_equal(rows[1].payout_rows, 2);
    assert_string_equal(rows[2].id, "B");
    assert_int_equal(rows[2].earned, 20000);
    assert_int_equal(rows[2].pending, 20000);
    assert_false(rows[2].mismatch);
    assert_int_equal(t.influencers, 3);
    assert_int_equal(t.earned, 65000);
    assert_int_equal(t.recorded, 66000);
    assert_int_equal(t.paid, 36000);
    assert_int_equal(t.pending, 30000);
    assert_int_equal(t.mismatches, 1);
    /* payouts agree with the KPI spend */
    assert_int_equal(t.earned, engine_result_kpis(r)->spend);
    free(rows);
    engine_result_free(r);

    /* Up to 2025-02-15: A earned ₹20 (2 orders) against its undated ₹60; C's March fee
     * is out of range; B earned for one post. */
    f.to_day = day("2025-02-15");
    f.from_day = day("2025-01-01");
    SET(f.platform, "YouTube");
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    assert_int_equal(engine_result_payouts(r, &rows, &n, &t), 0);
    assert_int_equal(n, 2); /* A is on Instagram */
    assert_string_equal(rows[0].id, "C");
    assert_int_equal(rows[0].recorded, 30000);
    assert_int_equal(rows[0].earned, 30000);
    assert_string_equal(rows[1].id, "B");
    assert_int_equal(rows[1].earned, 20000); /* both posts are before 2025-02-15 */
    free(rows);
    engine_result_free(r);
    engine_free(eng);
}

static const struct engine_payout_row *payout_of(const struct engine_payout_row *rows, size_t n,
                                                 const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].id, id) == 0)
            return &rows[i];
    fail_msg("no payout row for %s", id);
    return NULL;
}

/* Earned and recorded are compared only over the same activity (README, Payouts): a payout
 * row of activity terms (order, post, revenue_share) is comparable when the filters keep
 * all of the activity its terms price and each payout row of those terms is counted in the
 * range (dated in it, or undated); flat and hybrid fees are their recorded total.
 *   A ₹10/order, undated ₹50; 2 orders on 01-10 (MuscleBlaze), 3 on 02-10 (HKVitals)
 *   B ₹100/post, ₹200 dated 03-05; posts on 02-02 and 02-20
 *   C ₹10/order for campaign Spring, ₹40 dated 02-25; 3 orders on 02-12: a true mismatch
 *   D flat ₹300 dated 02-01
 *   E ₹10/order for campaign X, ₹20 dated 02-28, 2 orders (₹200) on 02-15; and a 10 %
 *     revenue share of all its revenue (X's too: hybrid terms), undated ₹170, on ₹1,000 on
 *     01-20 and ₹500 on 02-16
 *   F ₹10/order for campaign X, ₹25 dated 02-28 (earned ₹20: a mismatch) with 2 orders on
 *     02-15; and ₹100/post undated ₹200 on posts of 01-15 and 02-15
 *   G ₹10/order in two instalments of ₹25 (03-31 and 04-30) for 5 orders on 03-15
 *   H ₹10/order for campaign P, undated ₹20, orders on 01-05 and 02-05; and for campaign Q,
 *     ₹10 dated 03-10, an order on 02-06 */
static void test_payouts_compare_only_the_same_activity(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    static const char *const ids[] = {"A", "B", "C", "D", "E", "F", "G", "H"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        put(s, DS_INFLUENCERS, "influencer_id", ids[i], "platform", "Instagram", NULL);
    static const struct {
        const char *id, *inf, *date, *brand, *campaign, *orders, *revenue;
    } trk[] = {
        {"A1", "A", "2025-01-10", "MuscleBlaze", "", "2", "20000"},
        {"A2", "A", "2025-02-10", "HKVitals", "", "3", "30000"},
        {"C1", "C", "2025-02-12", "MuscleBlaze", "Spring", "3", "30000"},
        {"E1", "E", "2025-02-15", "MuscleBlaze", "X", "2", "20000"},
        {"E2", "E", "2025-01-20", "MuscleBlaze", "", "1", "100000"},
        {"E3", "E", "2025-02-16", "MuscleBlaze", "", "1", "50000"},
        {"F1", "F", "2025-02-15", "MuscleBlaze", "X", "2", "20000"},
        {"G1", "G", "2025-03-15", "MuscleBlaze", "", "5", "50000"},
        {"H1", "H", "2025-01-05", "MuscleBlaze", "P", "1", "10000"},
        {"H2", "H", "2025-02-05", "MuscleBlaze", "P", "1", "10000"},
        {"H3", "H", "2025-02-06", "MuscleBlaze", "Q", "1", "10000"},
    };
    for (size_t i = 0; i < sizeof trk / sizeof trk[0]; i++)
        put(s, DS_TRACKING, "tracking_id", trk[i].id, "influencer_id", trk[i].inf, "date",
            trk[i].date, "brand", trk[i].brand, "campaign", trk[i].campaign, "orders",
            trk[i].orders, "revenue", trk[i].revenue, NULL);
    put(s, DS_POSTS, "post_id", "PB1", "influencer_id", "B", "date", "2025-02-02", NULL);
    put(s, DS_POSTS, "post_id", "PB2", "influencer_id", "B", "date", "2025-02-20", NULL);
    put(s, DS_POSTS, "post_id", "PF1", "influencer_id", "F", "date", "2025-01-15", NULL);
    put(s, DS_POSTS, "post_id", "PF2", "influencer_id", "F", "date", "2025-02-15", NULL);
    static const struct {
        const char *id, *inf, *campaign, *basis, *rate, *total, *date, *status;
    } pay[] = {
        {"YA", "A", "", "order", "10000000", "5000", "", "Paid"},
        {"YB", "B", "", "post", "100000000", "20000", "2025-03-05", "Pending"},
        {"YC", "C", "Spring", "order", "10000000", "4000", "2025-02-25", "Paid"},
        {"YD", "D", "", "flat", "", "30000", "2025-02-01", "Paid"},
        {"YE1", "E", "X", "order", "10000000", "2000", "2025-02-28", "Paid"},
        {"YE2", "E", "", "revenue_share", "100000", "17000", "", "Pending"},
        {"YF1", "F", "X", "order", "10000000", "2500", "2025-02-28", "Paid"},
        {"YF2", "F", "", "post", "100000000", "20000", "", "Pending"},
        {"YG1", "G", "", "order", "10000000", "2500", "2025-03-31", "Paid"},
        {"YG2", "G", "", "order", "10000000", "2500", "2025-04-30", "Pending"},
        {"YH1", "H", "P", "order", "10000000", "2000", "", "Pending"},
        {"YH2", "H", "Q", "order", "10000000", "1000", "2025-03-10", "Paid"},
    };
    for (size_t i = 0; i < sizeof pay / sizeof pay[0]; i++)
        put(s, DS_PAYOUTS, "payout_id", pay[i].id, "influencer_id", pay[i].inf, "campaign",
            pay[i].campaign, "basis", pay[i].basis, "rate", pay[i].rate[0] ? pay[i].rate : "0",
            "total_payout", pay[i].total, "payout_date", pay[i].date, "status", pay[i].status,
            NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    struct err e;
    err_clear(&e);
    struct engine_result *r;
    struct engine_payout_row *rows;
    size_t n;
    struct engine_payout_totals t;

    /* No filter: everything is comparable, and the comparison is earned against recorded. */
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    assert_int_equal(engine_result_payouts(r, &rows, &n, &t), 0);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        assert_int_not_equal(rows[i].check, ENGINE_PAYOUT_NOT_COMPARABLE);
        assert_int_equal(rows[i].compared_earned, rows[i].earned);
        assert_int_equal(rows[i].compared_recorded, rows[i].recorded);
        assert_true(rows[i].has_difference);
        assert_int_equal(rows[i].difference, rows[i].recorded - rows[i].earned);
        assert_string_equal(rows[i].reason, "");
    }
    assert_int_equal(payout_of(rows, n, "C")->check, ENGINE_PAYOUT_MISMATCH);
    assert_int_equal(payout_of(rows, n, "F")->check, ENGINE_PAYOUT_MISMATCH);
    assert_int_equal(payout_of(rows, n, "A")->check, ENGINE_PAYOUT_MATCH);
    assert_int_equal(payout_of(rows, n, "G")->earned, 5000);
    assert_int_equal(payout_of(rows, n, "G")->recorded, 5000);
    assert_int_equal(payout_of(rows, n, "G")->check, ENGINE_PAYOUT_MATCH);
    assert_int_equal(t.mismatches, 2);
    assert_int_equal(t.not_comparable, 0);
    free(rows);
    engine_result_free(r);

    /* February */
    f.from_day = day("2025-02-01");
    f.to_day = day("2025-02-28");
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    assert_int_equal(engine_result_payouts(r, &rows, &n, &t), 0);
    const struct engine_payout_row *p = payout_of(rows, n, "A");
    assert_int_equal(p->earned, 3000);   /* 3 orders of February */
    assert_int_equal(p->recorded, 5000); /* the undated row prices all 5 */
    assert_int_equal(p->check, ENGINE_PAYOUT_NOT_COMPARABLE);
    assert_false(p->mismatch);
    assert_false(p->has_difference);
    assert_string_equal(p->reason, "the filters keep 1 of the 2 tracking rows priced by its "
                                   "order terms");
    p = payout_of(rows, n, "B");
    assert_int_equal(p->earned, 20000);
    assert_int_equal(p->recorded, 0);
    assert_int_equal(p->payout_rows, 0);
    assert_int_equal(p->check, ENGINE_PAYOUT_NOT_COMPARABLE);
    assert_string_equal(p->reason, "a payout row of its post terms is dated 2025-03-05, outside "
                                   "the range");
    p = payout_of(rows, n, "C");
    assert_int_equal(p->check, ENGINE_PAYOUT_MISMATCH);
    assert_true(p->mismatch);
    assert_int_equal(p->difference, 1000);
    p = payout_of(rows, n, "D");
    assert_int_equal(p->check, ENGINE_PAYOUT_MATCH);
    assert_int_equal(p->compared_earned, 30000);
    p = payout_of(rows, n, "E");
    assert_int_equal(p->earned, 2000 + 7000);
    assert_int_equal(p->recorded, 2000 + 17000);
    assert_int_equal(p->check, ENGINE_PAYOUT_NOT_COMPARABLE); /* campaign X agrees */
    assert_int_equal(p->compared_earned, 2000);
    assert_int_equal(p->compared_recorded, 2000);
    assert_string_equal(p->reason, "the filters keep 2 of the 3 tracking rows priced by its "
                                   "revenue-share terms");
    p = payout_of(rows, n, "F");
    assert_int_equal(p->check, ENGINE_PAYOUT_MISMATCH); /* campaign X differs by ₹5 */
    assert_int_equal(p->compared_earned, 2000);
    assert_int_equal(p->compared_recorded, 2500);
    assert_int_equal(p->difference, 500);
    assert_string_equal(p->reason, "the filters keep 1 of the 2 posts priced by its post terms");
    p = payout_of(rows, n, "H");
    assert_string_equal(p->reason, "the filters keep 1 of the 2 tracking rows priced by its "
                                   "order terms for campaign P (1 more of its payout terms is not "
                                   "comparable either)");
    assert_int_equal(t.mismatches, 2);
    assert_int_equal(t.not_comparable, 4);
    assert_int_equal(t.earned, engine_result_kpis(r)->spend);
    /* the sort: mismatches first */
    assert_true(rows[0].mismatch && rows[1].mismatch && !rows[2].mismatch);
    free(rows);
    engine_result_free(r);

    /* March: G's second instalment lies outside; March–April holds both */
    f.from_day = day("2025-03-01");
    f.to_day = day("2025-03-31");
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    assert_int_equal(engine_result_payouts(r, &rows, &n, &t), 0);
    p = payout_of(rows, n, "G");
    assert_int_equal(p->earned, 5000);
    assert_int_equal(p->recorded, 2500);
    assert_int_equal(p->check, ENGINE_PAYOUT_NOT_COMPARABLE);
    assert_string_equal(p->reason, "a payout row of its order terms is dated 2025-04-30, "
                                   "outside the range");
    free(rows);
    engine_result_free(r);
    f.to_day = day("2025-04-30");
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    assert_int_equal(engine_result_payouts(r, &rows, &n, &t), 0);
    p = payout_of(rows, n, "G");
    assert_int_equal(p->recorded, 5000);
    assert_int_equal(p->check, ENGINE_PAYOUT_MATCH);
    assert_true(p->has_difference && p->difference == 0);
    free(rows);
    engine_result_free(r);

    /* A brand filter cuts activity as a date range does */
    engine_filter_init(&f);
    SET(f.brand, "HKVitals");
    SET(f.influencer, "A");
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    assert_int_equal(engine_result_payouts(r, &rows, &n, &t), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].check, ENGINE_PAYOUT_NOT_COMPARABLE);
    assert_string_equal(rows[0].reason, "the filters keep 1 of the 2 tracking rows priced by "
                                        "its order terms");
    free(rows);
    engine_result_free(r);
    engine_free(eng);
}

/* min_roas keeps the influencers whose ROAS over the filter reaches the minimum. */
static void test_min_roas_filter(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    /* ROAS: I1 10,500/1,000 = 10.5; I2 1,500.50/2,000 = 0.75; I3 3,000/300 = 10;
     * I4 1,000/5,000 = 0.2; I9 has no spend */
    f.has_min_roas = 1;
    f.min_roas = 1.0;
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.influencers, 2);
    assert_int_equal(k.revenue, 1050000 + 300000);
    assert_int_equal(k.spend, 100000 + 30000);
    assert_int_equal(k.organic_revenue, 200000); /* organic rows are not influencers' */
    f.min_roas = 10.5;
    k = kpis(eng, &f);
    assert_int_equal(k.influencers, 1);
    assert_int_equal(k.revenue, 1050000);
    f.min_roas = -1;
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_kpis(eng, &f, &k, &e), ERR_USAGE);
    engine_free(eng);
}

/* Loading the tracking rows on three connections gives the same figures as one. */
static void test_parallel_load_matches_serial(void **state)
{
    struct fixture *fx = *state;
    struct generated data;
    generated_open(fx, 11, &data);
    struct store *stores[3] = {fx->store, NULL, NULL};
    struct err e;
    err_clear(&e);
    for (int i = 1; i < 3; i++)
        if (store_open(fx->url, &stores[i], &e) != 0)
            fail_msg("store_open: %s", e.msg);
    struct engine *par = engine_load_parallel(stores, 3, &e);
    if (!par)
        fail_msg("engine_load_parallel: %s", e.msg);
    assert_int_equal(engine_count(par, DS_TRACKING), engine_count(data.eng, DS_TRACKING));
    assert_int_equal(engine_count(par, DS_INFLUENCERS), engine_count(data.eng, DS_INFLUENCERS));
    assert_int_equal(engine_cube_size(par), engine_cube_size(data.eng));
    uint64_t rng = 777;
    const char *slots[V_COUNT][3];
    for (int round = 0; round < 20; round++) {
        struct engine_filter f;
        random_filter(&rng, round, &data.gen, slots, &f);
        struct engine_kpis a = kpis(data.eng, &f), b = kpis(par, &f);
        assert_int_equal(a.revenue, b.revenue);
        assert_int_equal(a.orders, b.orders);
        assert_int_equal(a.organic_revenue, b.organic_revenue);
        assert_int_equal(a.spend, b.spend);
        assert_int_equal(a.posts, b.posts);
        assert_int_equal(a.influencers, b.influencers);
        struct engine_group *ga, *gb;
        size_t na, nb;
        assert_int_equal(engine_breakdown(data.eng, &f, ENGINE_BY_DAY, &ga, &na, &e), 0);
        assert_int_equal(engine_breakdown(par, &f, ENGINE_BY_DAY, &gb, &nb, &e), 0);
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) {
            assert_string_equal(ga[i].key, gb[i].key);
            assert_int_equal(ga[i].revenue, gb[i].revenue);
            assert_int_equal(ga[i].organic_revenue, gb[i].organic_revenue);
        }
        free(ga);
        free(gb);
    }
    engine_free(par);
    for (int i = 1; i < 3; i++)
        store_close(stores[i]);
    generated_close(&data);
}

/* Tracking rows with the same day, influencer, brand, product, campaign, source and type are
 * merged into one entry as they are read, across the parts of a parallel load too (each row
 * of a key here has its twin in the other half of the table): the sums and the row counts are
 * those of the rows, the cube has one entry per key, and more keys than the table's first
 * size make it grow. */
static void test_tracking_rows_merge_into_entries(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    enum { KEYS = 1500, ROWS = 2 * KEYS };
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "I1", "platform", "Instagram", NULL);
    int64_t revenue = 0, orders = 0, day_revenue = 0;
    for (int i = 0; i < ROWS; i++) {
        int j = i % KEYS; /* day j % 28 of January, product j / 28: one key per j */
        char id[16], date[16], product[16], rev[24], ord[8];
        snprintf(id, sizeof id, "T%d", i);
        snprintf(date, sizeof date, "2025-01-%02d", j % 28 + 1);
        snprintf(product, sizeof product, "P%d", j / 28);
        snprintf(rev, sizeof rev, "%d", 100 * i + 1);
        snprintf(ord, sizeof ord, "%d", 1 + i % 3);
        put(s, DS_TRACKING, "tracking_id", id, "influencer_id", "I1", "date", date, "brand", "B",
            "product", product, "campaign", "C", "source", "S", "orders", ord, "revenue", rev,
            NULL);
        revenue += 100 * i + 1;
        orders += 1 + i % 3;
        if (j % 28 == 4 && j / 28 == 3) /* 2025-01-05, P3 */
            day_revenue += 100 * i + 1;
    }
    commit(s);
    struct store *stores[2] = {s, NULL};
    struct err e;
    err_clear(&e);
    if (store_open(fx->url, &stores[1], &e) != 0)
        fail_msg("store_open: %s", e.msg);
    struct engine *engines[2] = {load(s), engine_load_parallel(stores, 2, &e)};
    if (!engines[1])
        fail_msg("engine_load_parallel: %s", e.msg);
    for (int k = 0; k < 2; k++) {
        struct engine *eng = engines[k];
        assert_int_equal(engine_count(eng, DS_TRACKING), ROWS);
        assert_int_equal(engine_cube_size(eng), KEYS);
        struct engine_filter f;
        engine_filter_init(&f);
        struct engine_kpis kp = kpis(eng, &f);
        assert_int_equal(kp.revenue, revenue);
        assert_int_equal(kp.orders, orders);
        struct engine_result *r;
        assert_int_equal(engine_run(eng, &f, &r, &e), 0);
        struct engine_row_counts rc;
        engine_result_row_counts(r, &rc);
        assert_int_equal(rc.attributed_rows, ROWS);
        engine_result_free(r);
        f.from_day = f.to_day = day("2025-01-05");
        SET(f.product, "P3");
        kp = kpis(eng, &f);
        assert_int_equal(kp.revenue, day_revenue); /* the key's two rows */
        assert_int_equal(engine_run(eng, &f, &r, &e), 0);
        engine_result_row_counts(r, &rc);
        assert_int_equal(rc.attributed_rows, 2);
        engine_result_free(r);
        engine_free(eng);
    }
    store_close(stores[1]);
}

/* Posts without a date count only when the range is open at the start; dated posts are
 * found by day whatever order they were stored in. */
static void test_posts_without_a_date(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "I1", "platform", "Instagram", NULL);
    put(s, DS_POSTS, "post_id", "P3", "influencer_id", "I1", "date", "2025-03-03", "reach", "300",
        NULL);
    put(s, DS_POSTS, "post_id", "P0", "influencer_id", "I1", "reach", "1000", NULL);
    put(s, DS_POSTS, "post_id", "P1", "influencer_id", "I1", "date", "2025-03-01", "reach", "100",
        NULL);
    put(s, DS_POSTS, "post_id", "P2", "influencer_id", "I1", "date", "2025-03-02", "reach", "200",
        NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.posts, 4);
    assert_int_equal(k.reach, 1600);
    f.to_day = day("2025-03-02"); /* open at the start: the dateless post too */
    k = kpis(eng, &f);
    assert_int_equal(k.posts, 3);
    assert_int_equal(k.reach, 1300);
    f.from_day = day("2025-03-02");
    f.to_day = day("2025-03-03");
    k = kpis(eng, &f);
    assert_int_equal(k.posts, 2);
    assert_int_equal(k.reach, 500);
    struct err e;
    err_clear(&e);
    engine_filter_init(&f);
    struct engine_group *g;
    size_t n;
    assert_int_equal(engine_breakdown(eng, &f, ENGINE_BY_DAY, &g, &n, &e), 0);
    assert_int_equal(n, 4); /* "" (no date), then the three days */
    assert_string_equal(g[0].key, "");
    assert_int_equal(g[0].reach, 1000);
    assert_string_equal(g[3].key, "2025-03-03");
    assert_int_equal(g[3].reach, 300);
    free(g);
    engine_free(eng);
}

/* ---- stored rows the engine cannot use (issue 14: 1, 3) ---- */

/* Runs sql on the fixture's database file directly, as a row "stored by an older version"
 * or written around the import would be. */
static void raw_sql(struct fixture *fx, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

static const struct engine_skipped_row *skipped_of(const struct engine *eng, enum dataset ds,
                                                   const char *id)
{
    size_t n;
    const struct engine_skipped_row *rows = engine_skipped(eng, &n);
    for (size_t i = 0; i < n; i++)
        if (rows[i].ds == ds && strcmp(rows[i].id, id) == 0)
            return &rows[i];
    fail_msg("no left-out row %s %s", schema_dataset(ds)->name, id);
    return NULL;
}

/* Rows that once failed every load ("orders: 2147483648: out of range") or wrapped the
 * revenue total to −9.22e16 are left out, named with their id, column, value and reason,
 * and the rest loads with exact figures — also on several connections at once. */
static void test_stored_rows_out_of_range_are_left_out_and_named(void **state)
{
    struct fixture *fx = *state;
    begin(fx->store);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I1", "gender", "Male", NULL);
    for (int i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof id, "T%02d", i);
        put(fx->store, DS_TRACKING, "tracking_id", id, "influencer_id", "I1", "date", "2025-03-01",
            "orders", "1", "revenue", "10000", NULL);
    }
    put(fx->store, DS_POSTS, "post_id", "P1", "influencer_id", "I1", "date", "2025-03-01", "reach",
        "100", NULL);
    put(fx->store, DS_POSTS, "post_id", "P2", "influencer_id", "I1", "date", "2025-03-01", "reach",
        "100", NULL);
    put(fx->store, DS_PAYOUTS, "payout_id", "Y1", "influencer_id", "I1", "basis", "flat",
        "total_payout", "50000", NULL);
    put(fx->store, DS_PAYOUTS, "payout_id", "Y2", "influencer_id", "I1", "basis", "flat",
        "total_payout", "70000", NULL);
    commit(fx->store);
    raw_sql(fx,
            "UPDATE tracking_data SET orders = 2147483648 WHERE tracking_id = 'T03';"
            "UPDATE tracking_data SET revenue = 9223372036854775807 WHERE tracking_id = 'T37';"
            "UPDATE tracking_data SET date = 'some' || char(10) || 'day' WHERE tracking_id = 'T20';"
            "UPDATE posts SET likes = -1 WHERE post_id = 'P2';"
            "UPDATE payouts SET total_payout = 10000000001 WHERE payout_id = 'Y2';");
    struct err e;
    err_clear(&e);
    struct engine *engines[2] = {load(fx->store), engine_load_snapshot(fx->store, fx->url, &e)};
    if (!engines[1])
        fail_msg("engine_load_snapshot: %s", e.msg);
    for (int k = 0; k < 2; k++) {
        struct engine *eng = engines[k];
        assert_int_equal(engine_count(eng, DS_TRACKING), 37);
        assert_int_equal(engine_count(eng, DS_POSTS), 1);
        assert_int_equal(engine_count(eng, DS_PAYOUTS), 1);
        assert_int_equal(engine_skipped_count(eng, DS_TRACKING), 3);
        assert_int_equal(engine_skipped_count(eng, DS_POSTS), 1);
        assert_int_equal(engine_skipped_count(eng, DS_PAYOUTS), 1);
        assert_int_equal(engine_skipped_count(eng, DS_INFLUENCERS), 0);
        assert_int_equal(engine_skipped_count(eng, DS_COUNT), 5);
        const struct engine_skipped_row *r = skipped_of(eng, DS_TRACKING, "T03");
        assert_string_equal(r->column, "orders");
        assert_string_equal(r->value, "2147483648");
        assert_non_null(strstr(r->reason, "out of range"));
        r = skipped_of(eng, DS_TRACKING, "T37");
        assert_string_equal(r->column, "revenue");
        assert_string_equal(r->value, "92233720368547758.07");
        assert_non_null(strstr(r->reason, "out of range"));
        r = skipped_of(eng, DS_TRACKING, "T20");
        assert_string_equal(r->column, "date");
        assert_string_equal(r->value, "some day"); /* no line break into the log */
        r = skipped_of(eng, DS_POSTS, "P2");
        assert_string_equal(r->column, "likes");
        assert_string_equal(r->value, "-1");
        r = skipped_of(eng, DS_PAYOUTS, "Y2");
        assert_string_equal(r->column, "total_payout");
        assert_string_equal(r->value, "100000000.01");
        /* listed by dataset */
        size_t n;
        const struct engine_skipped_row *rows = engine_skipped(eng, &n);
        assert_int_equal(n, 5);
        for (size_t i = 1; i < n; i++)
            assert_true(rows[i - 1].ds <= rows[i].ds);
        struct engine_filter f;
        engine_filter_init(&f);
        struct engine_kpis kp = kpis(eng, &f);
        assert_int_equal(kp.revenue, 37 * 10000);
        assert_int_equal(kp.orders, 37);
        assert_int_equal(kp.spend, 50000);
        assert_int_equal(kp.posts, 1);
        assert_ratio(kp.roas, 370000.0, 50000.0);
        engine_free(eng);
    }
}

/* Only the first ENGINE_SKIPPED_KEEP are kept, the count covers every one. */
static void test_left_out_rows_are_all_counted_and_the_first_kept(void **state)
{
    struct fixture *fx = *state;
    begin(fx->store);
    for (int i = 0; i < 30; i++) {
        char id[16];
        snprintf(id, sizeof id, "T%02d", i);
        put(fx->store, DS_TRACKING, "tracking_id", id, "influencer_id", "I1", "date", "2025-03-01",
            "orders", "1", "revenue", "100", NULL);
    }
    commit(fx->store);
    raw_sql(fx, "UPDATE tracking_data SET orders = -5 WHERE tracking_id >= 'T05';"
                "UPDATE tracking_data SET tracking_id = 'T06' || replace(printf('%040d', 0), '0', "
                "'\xC5\xBB') WHERE tracking_id = 'T06'");
    struct engine *eng = load(fx->store);
    assert_int_equal(engine_count(eng, DS_TRACKING), 5);
    assert_int_equal(engine_skipped_count(eng, DS_TRACKING), 25);
    size_t n;
    const struct engine_skipped_row *rows = engine_skipped(eng, &n);
    assert_int_equal(n, ENGINE_SKIPPED_KEEP);
    assert_string_equal(rows[0].id, "T05");
    assert_string_equal(rows[0].reason, "negative count");
    /* a long id is shortened whole characters at a time (it goes into JSON) */
    assert_int_equal(strlen(rows[1].id), 3 + 2 * 30);
    for (size_t i = 3; i < strlen(rows[1].id); i += 2)
        assert_memory_equal(rows[1].id + i, "\xC5\xBB", 2);
    engine_free(eng);
}

/* Payout terms whose spend could pass ENGINE_SPEND_MAX (a rate the import accepts times
 * orders it accepts) are left out, so that spend can never wrap; terms that fit are priced
 * exactly, however large. */
static void test_payout_terms_that_could_overflow_spend_are_left_out(void **state)
{
    struct fixture *fx = *state;
    begin(fx->store);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I1", NULL);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I2", NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "T1", "influencer_id", "I1", "date", "2025-03-01",
        "orders", "2147483647", "revenue", "10000000000", NULL);
    put(fx->store, DS_TRACKING, "tracking_id", "T2", "influencer_id", "I2", "date", "2025-03-01",
        "orders", "2147483647", "revenue", "10000000000", NULL);
    /* ₹10 crore per order × 2,147,483,647 orders: ₹2.1e16 > what spend can sum */
    put(fx->store, DS_PAYOUTS, "payout_id", "Y1", "influencer_id", "I1", "basis", "order", "rate",
        "100000000000000", NULL);
    /* ₹1,000 per order × 2,147,483,647 orders: ₹2.1e12, exact */
    put(fx->store, DS_PAYOUTS, "payout_id", "Y2", "influencer_id", "I2", "basis", "order", "rate",
        "1000000000", NULL);
    commit(fx->store);
    struct engine *eng = load(fx->store);
    assert_int_equal(engine_count(eng, DS_PAYOUTS), 1);
    assert_int_equal(engine_skipped_count(eng, DS_PAYOUTS), 1);
    const struct engine_skipped_row *r = skipped_of(eng, DS_PAYOUTS, "Y1");
    assert_string_equal(r->column, "rate");
    assert_string_equal(r->value, "100000000");
    assert_non_null(strstr(r->reason, "2147483647 orders"));
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.spend, INT64_C(1000) * 100 * 2147483647);
    assert_int_equal(k.revenue, 2 * SCHEMA_MONEY_MAX);
    assert_int_equal(k.orders, INT64_C(2) * 2147483647);
    engine_free(eng);
}

/* SPEC §1: an influencer of the influencers file without a gender is Unknown — also one
 * stored before import said so — and gender=Unknown selects it; an id only other files use
 * has no attributes, and no attribute filter selects it (gender=Unknown included). */
static void test_unknown_gender_is_filterable_and_ids_without_attributes_are_not(void **state)
{
    struct fixture *fx = *state;
    begin(fx->store);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I1", "category", "Nutrition", NULL);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I2", "category", "Fitness", "gender", "Male",
        NULL);
    put(fx->store, DS_INFLUENCERS, "influencer_id", "I3", "category", "Fitness", "gender", "Female",
        NULL);
    static const char *const ids[] = {"I1", "I2", "I3", "I9"};
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "T%d", i);
        put(fx->store, DS_TRACKING, "tracking_id", id, "influencer_id", ids[i], "date",
            "2025-03-01", "revenue", i == 0 ? "100" : "1000", NULL);
    }
    commit(fx->store);
    raw_sql(fx, "UPDATE influencers SET gender = NULL WHERE influencer_id = 'I3'");
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    SET(f.gender, "Unknown");
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.revenue, 100 + 1000); /* I1 and I3, not I9 */
    assert_int_equal(k.influencers, 2);
    SET(f.gender, "Other");
    assert_int_equal(kpis(eng, &f).revenue, 0);
    engine_filter_init(&f);
    SET(f.persona, "Nutrition \xC2\xB7 Unknown");
    assert_int_equal(kpis(eng, &f).revenue, 100);
    engine_filter_init(&f);
    SET(f.category, "Nutrition", "Fitness");
    assert_int_equal(kpis(eng, &f).revenue, 2100); /* I9 has no category */
    const char **values;
    size_t n;
    assert_int_equal(engine_values(eng, ENGINE_FIELD_GENDER, &values, &n), 0);
    assert_int_equal(n, 2); /* I3's Female was taken away above */
    assert_string_equal(values[0], "Male");
    assert_string_equal(values[1], "Unknown");
    free(values);
    assert_int_equal(engine_values(eng, ENGINE_FIELD_PERSONA, &values, &n), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(values[i], "Nutrition \xC2\xB7 Unknown") == 0;
    assert_true(found);
    free(values);
    engine_free(eng);
}

/* The payout-model simulator (engine_simulate.h) on the fixture, by hand: I1 has 1 post,
 * 10 attributed orders and ₹10,500 revenue under ₹100 an order (₹1,000); I2 2 posts. */
static const struct engine_sim_row *sim_row(const struct engine_sim *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->rows[i].inf->id, id))
            return &s->rows[i];
    fail_msg("no simulated row for %s", id);
    return NULL;
}

static void simulate(const struct engine *eng, enum engine_sim_basis basis, double rate,
                     double share, struct engine_sim *out)
{
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_result *r;
    struct err e;
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    struct engine_sim_terms t = {basis, rate, share};
    assert_int_equal(engine_simulate(r, &t, out, &e), 0);
    engine_result_free(r); /* the rows are copies: they outlive the result */
}

static void test_simulator_prices_the_activity_under_other_terms(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    struct engine_sim s;

    simulate(eng, ENGINE_SIM_ACTUAL, 0, 0, &s);
    assert_int_equal(s.cost, k.spend); /* actual terms: the dashboard's spend */
    assert_int_equal(s.actual_cost, k.spend);
    assert_int_equal(sim_row(&s, "I1")->cost, 100000);
    assert_false(sim_row(&s, "I1")->break_even_rate.has);
    engine_sim_release(&s);

    simulate(eng, ENGINE_SIM_POST, 500, 0, &s);
    assert_int_equal(sim_row(&s, "I1")->cost, 50000);  /* ₹500 × 1 post */
    assert_int_equal(sim_row(&s, "I2")->cost, 100000); /* ₹500 × 2 posts */
    assert_int_equal(sim_row(&s, "I1")->actual_cost, 100000);
    assert_true(fabs(sim_row(&s, "I1")->roas.value - 21.0) < 1e-9); /* 10,500 / 500 */
    assert_true(fabs(sim_row(&s, "I1")->break_even_rate.value - 10500.0) < 1e-9);
    int64_t sum = 0;
    for (size_t i = 0; i < s.n; i++)
        sum += s.rows[i].cost;
    assert_int_equal(sum, s.cost);
    engine_sim_release(&s);

    simulate(eng, ENGINE_SIM_ORDER, 250.5, 0, &s);
    assert_int_equal(sim_row(&s, "I1")->cost, 250500); /* ₹250.50 × 10 */
    assert_true(fabs(sim_row(&s, "I1")->break_even_rate.value - 1050.0) < 1e-9);
    engine_sim_release(&s);

    simulate(eng, ENGINE_SIM_REVENUE_SHARE, 0.1, 0, &s);
    assert_int_equal(sim_row(&s, "I1")->cost, 105000);
    assert_true(fabs(sim_row(&s, "I1")->break_even_rate.value - 1.0) < 1e-12);
    engine_sim_release(&s);

    simulate(eng, ENGINE_SIM_HYBRID, 100, 0.05, &s);
    assert_int_equal(sim_row(&s, "I1")->cost, 10000 + 52500); /* ₹100 × 1 + 5 % of 10,500 */
    assert_true(fabs(sim_row(&s, "I1")->break_even_rate.value - 9975.0) < 1e-9);
    engine_sim_release(&s);

    struct engine_result *r;
    struct err e;
    assert_int_equal(engine_run(eng, &f, &r, &e), 0);
    struct engine_sim_terms bad[] = {
        {ENGINE_SIM_POST, -1, 0},
        {ENGINE_SIM_REVENUE_SHARE, 2, 0},
        {ENGINE_SIM_HYBRID, 10, 1.5},
        {ENGINE_SIM_ORDER, NAN, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(engine_simulate(r, &bad[i], &s, &e), ERR_USAGE);
    engine_result_free(r);
    assert_int_equal(engine_sim_basis_parse("revenue_share"), ENGINE_SIM_REVENUE_SHARE);
    assert_int_equal(engine_sim_basis_parse("flat"), -1);
    engine_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_kpi_on_the_fixture, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_simulator_prices_the_activity_under_other_terms,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_order_payout_counted_once_not_per_row, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_several_payout_rows_never_double_count, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_zero_spend_gives_null_roas_and_roi, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_empty_result_is_all_zero_with_null_ratios, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_empty_store_loads_and_gives_zeros, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_influencer_filters_leave_organic_revenue_alone,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_platform_filter_applies_to_each_posts_own_platform,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_date_range_is_inclusive_at_both_ends, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_breakdown_by_platform_on_the_fixture, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_breakdown_by_brand_on_the_fixture, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_breakdown_by_day_on_the_fixture, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_breakdown_empty_and_errors, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_influencers_on_the_fixture, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_personas_on_the_fixture, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_matches_sql_on_generated_data, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_breakdowns_add_up_and_match_sql_on_generated_data,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_influencers_and_personas_add_up_on_generated_data,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_a_query_answers_the_same_after_others, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_organic_method_recovers_a_known_lift, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_holdout_method, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_iroas_uses_the_unrounded_incremental_revenue,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_incremental_fallback_reasons, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_organic_estimate_beyond_what_the_engine_sums,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_payouts_earned_against_recorded, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_payouts_compare_only_the_same_activity, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_min_roas_filter, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_parallel_load_matches_serial, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_tracking_rows_merge_into_entries, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_posts_without_a_date, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_stored_rows_out_of_range_are_left_out_and_named,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_left_out_rows_are_all_counted_and_the_first_kept,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_payout_terms_that_could_overflow_spend_are_left_out,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(
            test_unknown_gender_is_filterable_and_ids_without_attributes_are_not, make_store,
            remove_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
