/* test_allocate.c — SPEC §3.1, spend follows the money (engine_allocate.c): a hand-made file
 * with every payout basis against figures computed by hand, and the invariants on the sample
 * generator's data under several seeds: for every breakdown Σ groups = the total (revenue,
 * orders, organic revenue, spend); a single-value filter's KPIs = that group's row of the
 * unfiltered breakdown; a value with no rows gives 0 and null ratios; and the shortcuts of
 * the query's allocation give the same answers as the full computation on random filters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "teststore.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "engine.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

static int make_store(void **state)
{
    return teststore_open(state, "allocate");
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
    return out;
}

/* The group of key in g, failing when there is none. */
static const struct engine_group *group(const struct groups *g, const char *key)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->g[i].key, key) == 0)
            return &g->g[i];
    fail_msg("no group %s", key);
    return NULL;
}

static int64_t spend_of(const struct engine *eng, const struct engine_filter *f,
                        enum engine_dim dim, const char *key)
{
    struct groups g = breakdown(eng, f, dim);
    int64_t spend = group(&g, key)->spend;
    free(g.g);
    return spend;
}

#define ONE(field, value)                                                                          \
    do {                                                                                           \
        static const char *values_[1];                                                             \
        values_[0] = (value);                                                                      \
        (field).values = values_;                                                                  \
        (field).n = 1;                                                                             \
    } while (0)

/* ---- a hand-made file with every basis ------------------------------------------------ */

/* Influencers A, C (Instagram), B (YouTube), D (Twitter, no revenue at all).
 * Tracking: A MuscleBlaze/MB_Summer ₹3,000 (05-01) and HKVitals/HK_Glow ₹1,000 (05-02); B
 * Gritzo/GZ_Kids ₹2,000 (05-03) and MuscleBlaze/MB_Summer ₹6,000 (05-04); C HKVitals/HK_Glow
 * 4 orders ₹4,000 (05-02); organic MuscleBlaze ₹500 (05-01).
 * Posts: A on 05-01 on Instagram for MB_Summer; A on 05-02 on YouTube with no campaign (a
 * cross-platform post); B on 05-03 with no campaign.
 * Payouts: A ₹1,000 per post (unscoped) and 10 % revenue share for HK_Glow; B flat ₹1,500
 * for GZ_Kids paid 05-10, flat ₹900 for MB_Summer undated, hybrid ₹333.33 undated; C ₹50
 * per order; D flat ₹700 undated and ₹200 paid 05-03 (nothing to split over). */
static void load_every_basis(struct store *s)
{
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "A", "platform", "Instagram", "gender", "Female", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "B", "platform", "YouTube", "gender", "Male", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "C", "platform", "Instagram", "gender", "Male", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "D", "platform", "Twitter", "gender", "Female", NULL);
    static const struct {
        const char *id, *inf, *date, *brand, *product, *campaign, *source, *orders, *revenue;
    } trk[] = {
        {"t1", "A", "2025-05-01", "MuscleBlaze", "MB Whey", "MB_Summer", "insta", "2", "300000"},
        {"t2", "A", "2025-05-02", "HKVitals", "HK Fish Oil", "HK_Glow", "insta", "1", "100000"},
        {"t3", "B", "2025-05-03", "Gritzo", "GZ Milk", "GZ_Kids", "yt", "1", "200000"},
        {"t4", "B", "2025-05-04", "MuscleBlaze", "MB Whey", "MB_Summer", "yt", "3", "600000"},
        {"t5", "C", "2025-05-02", "HKVitals", "HK Fish Oil", "HK_Glow", "insta", "4", "400000"},
        {"t6", "", "2025-05-01", "MuscleBlaze", "MB Whey", "", "organic", "1", "50000"},
    };
    for (size_t i = 0; i < sizeof trk / sizeof trk[0]; i++)
        put(s, DS_TRACKING, "tracking_id", trk[i].id, "influencer_id", trk[i].inf, "date",
            trk[i].date, "brand", trk[i].brand, "product", trk[i].product, "campaign",
            trk[i].campaign, "source", trk[i].source, "orders", trk[i].orders, "revenue",
            trk[i].revenue, NULL);
    put(s, DS_POSTS, "post_id", "pA1", "influencer_id", "A", "date", "2025-05-01", "platform",
        "Instagram", "campaign", "MB_Summer", "reach", "1000", NULL);
    put(s, DS_POSTS, "post_id", "pA2", "influencer_id", "A", "date", "2025-05-02", "platform",
        "YouTube", "reach", "2000", NULL);
    put(s, DS_POSTS, "post_id", "pB1", "influencer_id", "B", "date", "2025-05-03", "reach", "4000",
        NULL);
    put(s, DS_PAYOUTS, "payout_id", "yA", "influencer_id", "A", "basis", "post", "rate",
        "1000000000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "yA2", "influencer_id", "A", "campaign", "HK_Glow", "basis",
        "revenue_share", "rate", "100000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "yB1", "influencer_id", "B", "campaign", "GZ_Kids", "basis",
        "flat", "total_payout", "150000", "payout_date", "2025-05-10", NULL);
    put(s, DS_PAYOUTS, "payout_id", "yB2", "influencer_id", "B", "campaign", "MB_Summer", "basis",
        "flat", "total_payout", "90000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "yB3", "influencer_id", "B", "basis", "hybrid", "total_payout",
        "33333", NULL);
    put(s, DS_PAYOUTS, "payout_id", "yC", "influencer_id", "C", "basis", "order", "rate",
        "50000000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "yD", "influencer_id", "D", "basis", "flat", "total_payout",
        "70000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "yD2", "influencer_id", "D", "basis", "flat", "total_payout",
        "20000", "payout_date", "2025-05-03", NULL);
    commit(s);
}

#define TOTAL_SPEND (200000 + 10000 + 150000 + 90000 + 33333 + 20000 + 70000 + 20000)

static void assert_spends(const struct engine *eng, const struct engine_filter *f,
                          enum engine_dim dim, const char *const *keys, const int64_t *spend,
                          size_t n)
{
    struct groups g = breakdown(eng, f, dim);
    int64_t sum = 0;
    for (size_t i = 0; i < g.n; i++)
        sum += g.g[i].spend;
    assert_int_equal(sum, kpis(eng, f).spend);
    for (size_t i = 0; i < n; i++) {
        const struct engine_group *x = group(&g, keys[i]);
        if (x->spend != spend[i])
            fail_msg("group %s: spend %lld, expected %lld", keys[i], (long long)x->spend,
                     (long long)spend[i]);
        if (spend[i] == 0) {
            assert_false(x->roas.has);
            assert_false(x->roi.has);
        }
    }
    free(g.g);
}

static void test_every_basis_by_hand(void **state)
{
    struct fixture *fx = *state;
    load_every_basis(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.spend, TOTAL_SPEND);
    assert_int_equal(k.revenue, 1600000);

    /* A's posts: pA1 carries MB_Summer, so all of it is MuscleBlaze; pA2 carries nothing and
     * splits 3:1 over A's revenue (MuscleBlaze ₹3,000, HKVitals ₹1,000). B's hybrid fee
     * splits 1:3 over Gritzo and MuscleBlaze: 8,333.25 and 24,999.75 paise, the odd paisa
     * to the larger remainder. D's fees have nothing to follow: Unallocated. */
    static const char *const brands[] = {"MuscleBlaze", "HKVitals", "Gritzo", ENGINE_UNALLOCATED};
    static const int64_t brand_spend[] = {100000 + 75000 + 90000 + 25000, 25000 + 10000 + 20000,
                                          150000 + 8333, 70000 + 20000};
    assert_spends(eng, &f, ENGINE_BY_BRAND, brands, brand_spend, 4);
    static const char *const campaigns[] = {"MB_Summer", "HK_Glow", "GZ_Kids", ENGINE_UNALLOCATED};
    assert_spends(eng, &f, ENGINE_BY_CAMPAIGN, campaigns, brand_spend, 4);
    static const char *const products[] = {"MB Whey", "HK Fish Oil", "GZ Milk", ENGINE_UNALLOCATED};
    assert_spends(eng, &f, ENGINE_BY_PRODUCT, products, brand_spend, 4);
    static const char *const sources[] = {"insta", "yt", ENGINE_UNALLOCATED};
    static const int64_t source_spend[] = {100000 + 100000 + 10000 + 20000, 150000 + 90000 + 33333,
                                           90000};
    assert_spends(eng, &f, ENGINE_BY_SOURCE, sources, source_spend, 3);
    /* the cross-platform post's price is YouTube's; the rest is on the influencer's */
    static const char *const platforms[] = {"Instagram", "YouTube", "Twitter"};
    static const int64_t platform_spend[] = {100000 + 10000 + 20000,
                                             100000 + 150000 + 90000 + 33333, 90000};
    assert_spends(eng, &f, ENGINE_BY_PLATFORM, platforms, platform_spend, 3);
    /* days: each post's own, the dated fees' payout dates, the undated fees the days of
     * the revenue they follow, D's undated fee on the undated day ("") */
    static const char *const days[] = {"",           "2025-05-01", "2025-05-02",
                                       "2025-05-03", "2025-05-04", "2025-05-10"};
    static const int64_t day_spend[] = {70000,        100000,        100000 + 10000 + 20000,
                                        8333 + 20000, 90000 + 25000, 150000};
    assert_spends(eng, &f, ENGINE_BY_DAY, days, day_spend, 6);

    /* filters cut spend exactly as the breakdowns group it */
    ONE(f.brand, "MuscleBlaze");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, brand_spend[0]);
    assert_int_equal(k.revenue, 900000);
    assert_int_equal(k.organic_revenue, 50000);
    assert_int_equal(k.posts, 3); /* A and B have MuscleBlaze rows in scope */
    engine_filter_init(&f);
    ONE(f.platform, "YouTube");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, platform_spend[1]);
    assert_int_equal(k.revenue, 800000);
    assert_int_equal(k.posts, 2); /* pA2 and pB1 */
    engine_filter_init(&f);
    ONE(f.campaign, "GZ_Kids");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, 158333); /* B's MB_Summer fee is not GZ_Kids' */
    assert_int_equal(k.revenue, 200000);
    assert_int_equal(k.posts, 1); /* pB1: no campaign, B has GZ_Kids rows */
    engine_filter_init(&f);
    ONE(f.brand, "NoSuchBrand");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, 0);
    assert_int_equal(k.revenue, 0);
    assert_int_equal(k.posts, 0);
    assert_false(k.roas.has);
    assert_false(k.roi.has);
    engine_filter_init(&f);
    ONE(f.brand, ENGINE_UNALLOCATED);
    assert_int_equal(kpis(eng, &f).spend, 90000);

    /* a date range: pA2 now follows A's revenue in the range alone (HKVitals); the fee paid
     * 05-10 and D's undated one are outside */
    engine_filter_init(&f);
    f.from_day = day("2025-05-02");
    f.to_day = day("2025-05-04");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, 100000 + 10000 + 20000 + 8333 + 20000 + 90000 + 25000);
    assert_int_equal(spend_of(eng, &f, ENGINE_BY_BRAND, "HKVitals"), 100000 + 10000 + 20000);
    ONE(f.brand, "HKVitals");
    assert_int_equal(kpis(eng, &f).spend, 100000 + 10000 + 20000);

    /* a basis filter counts only its rows: B's flat fees without its hybrid one */
    engine_filter_init(&f);
    ONE(f.basis, "flat");
    k = kpis(eng, &f);
    assert_int_equal(k.spend, 150000 + 90000 + 70000 + 20000);
    assert_int_equal(spend_of(eng, &f, ENGINE_BY_BRAND, "MuscleBlaze"), 90000);
    ONE(f.basis, "hybrid");
    assert_int_equal(kpis(eng, &f).spend, 33333);
    assert_int_equal(spend_of(eng, &f, ENGINE_BY_DAY, "2025-05-04"), 25000);
    engine_free(eng);
}

/* ---- the invariants on generated data --------------------------------------------------- */

static const enum engine_dim cell_dims[] = {ENGINE_BY_PLATFORM, ENGINE_BY_BRAND,  ENGINE_BY_PRODUCT,
                                            ENGINE_BY_CAMPAIGN, ENGINE_BY_SOURCE, ENGINE_BY_DAY};

static struct engine_set *set_of(struct engine_filter *f, enum engine_dim dim)
{
    switch (dim) {
    case ENGINE_BY_PLATFORM:
        return &f->platform;
    case ENGINE_BY_BRAND:
        return &f->brand;
    case ENGINE_BY_PRODUCT:
        return &f->product;
    case ENGINE_BY_CAMPAIGN:
        return &f->campaign;
    case ENGINE_BY_SOURCE:
        return &f->source;
    case ENGINE_BY_DAY:
        break;
    }
    return NULL;
}

struct tally {
    int groups_checked, filters_checked, unallocated_seen, undated_seen;
};

static void assert_kpis_equal_group(const struct engine_kpis *k, const struct engine_group *g,
                                    int organic_too, const char *what)
{
    if (k->revenue != g->revenue || k->orders != g->orders || k->spend != g->spend ||
        (organic_too && k->organic_revenue != g->organic_revenue))
        fail_msg("%s %s: KPIs revenue %lld orders %lld spend %lld organic %lld, group %lld %lld "
                 "%lld %lld",
                 what, g->key, (long long)k->revenue, (long long)k->orders, (long long)k->spend,
                 (long long)k->organic_revenue, (long long)g->revenue, (long long)g->orders,
                 (long long)g->spend, (long long)g->organic_revenue);
    assert_int_equal(k->roas.has, g->roas.has);
    if (k->roas.has)
        assert_true(k->roas.value == g->roas.value);
}

/* Every invariant of SPEC §3.1 under base filter f. */
static void check_invariants(const struct engine *eng, const struct engine_filter *base,
                             struct tally *t)
{
    struct engine_kpis k = kpis(eng, base);
    for (size_t d = 0; d < sizeof cell_dims / sizeof cell_dims[0]; d++) {
        enum engine_dim dim = cell_dims[d];
        struct groups g = breakdown(eng, base, dim);
        int64_t revenue = 0, orders = 0, organic = 0, spend = 0;
        for (size_t i = 0; i < g.n; i++) {
            revenue += g.g[i].revenue;
            orders += g.g[i].orders;
            organic += g.g[i].organic_revenue;
            spend += g.g[i].spend;
            t->unallocated_seen += g.g[i].unallocated;
        }
        assert_int_equal(revenue, k.revenue);
        assert_int_equal(orders, k.orders);
        assert_int_equal(organic, dim == ENGINE_BY_PLATFORM ? 0 : k.organic_revenue);
        assert_int_equal(spend, k.spend);
        /* each group's value as a filter (days: one day as the range); every few days */
        for (size_t i = 0; i < g.n; i++) {
            const struct engine_group *x = &g.g[i];
            if (x->key[0] == '\0') {
                t->undated_seen += dim == ENGINE_BY_DAY && x->spend != 0;
                continue; /* no value: nothing a filter can name */
            }
            if (dim == ENGINE_BY_DAY && i % 11 != 0)
                continue;
            struct engine_filter one = *base;
            if (dim == ENGINE_BY_DAY) {
                int32_t dn = day(x->key);
                if (dn < one.from_day || dn > one.to_day)
                    fail_msg("day %s outside the range", x->key);
                one.from_day = one.to_day = dn;
            } else {
                struct engine_set *s = set_of(&one, dim);
                if (s->n)
                    continue; /* the base already filters this dimension */
                s->values = &x->key;
                s->n = 1;
            }
            struct engine_kpis kx = kpis(eng, &one);
            /* organic rows pass a platform filter (they have no influencer) */
            assert_kpis_equal_group(&kx, x, dim != ENGINE_BY_PLATFORM, "group");
            t->filters_checked++;
        }
        t->groups_checked += (int)g.n;
        free(g.g);
    }
    /* influencers, and personas of them: Σ = total, and one influencer as a filter */
    struct engine_influencer_row *rows;
    size_t n;
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_influencers(eng, base, &rows, &n, &e), 0);
    int64_t revenue = 0, orders = 0, spend = 0;
    for (size_t i = 0; i < n; i++) {
        revenue += rows[i].revenue;
        orders += rows[i].orders;
        spend += rows[i].spend;
    }
    assert_int_equal(revenue, k.revenue);
    assert_int_equal(orders, k.orders);
    assert_int_equal(spend, k.spend);
    for (size_t i = 0; i < n && base->influencer.n == 0; i += 1 + n / 15) {
        struct engine_filter one = *base;
        one.influencer.values = &rows[i].id;
        one.influencer.n = 1;
        struct engine_kpis kx = kpis(eng, &one);
        assert_int_equal(kx.revenue, rows[i].revenue);
        assert_int_equal(kx.spend, rows[i].spend);
        t->filters_checked++;
    }
    free(rows);
    for (int p = ENGINE_PERSONA_CATEGORY_GENDER; p <= ENGINE_PERSONA_TIER; p++) {
        struct engine_persona_row *pr;
        assert_int_equal(engine_personas(eng, base, (enum engine_persona_dim)p, &pr, &n, &e), 0);
        revenue = orders = spend = 0;
        for (size_t i = 0; i < n; i++) {
            revenue += pr[i].revenue;
            orders += pr[i].orders;
            spend += pr[i].spend;
            if (pr[i].tier && pr[i].tier[0] && base->tier.n == 0) {
                struct engine_filter one = *base;
                one.tier.values = &pr[i].tier;
                one.tier.n = 1;
                struct engine_kpis kx = kpis(eng, &one);
                assert_int_equal(kx.revenue, pr[i].revenue);
                assert_int_equal(kx.spend, pr[i].spend);
                t->filters_checked++;
            }
        }
        assert_int_equal(revenue, k.revenue);
        assert_int_equal(orders, k.orders);
        assert_int_equal(spend, k.spend);
        free(pr);
    }
    /* a value with no rows: 0 and nulls */
    struct engine_filter none = *base;
    ONE(none.brand, "No such brand");
    struct engine_kpis kn = kpis(eng, &none);
    assert_int_equal(kn.revenue, 0);
    assert_int_equal(kn.spend, 0);
    assert_int_equal(kn.posts, 0);
    assert_false(kn.roas.has);
    assert_false(kn.roi.has);
}

static void invariants_on_seed(struct fixture *fx, uint64_t seed)
{
    struct demo_opts o = {.rows = 8000, .seed = seed};
    struct err e;
    err_clear(&e);
    if (demo_load(fx->store, &o, &e) != 0)
        fail_msg("demo_load: %s", e.msg);
    struct engine *eng = load(fx->store);
    struct tally t = {0};
    struct engine_filter f;
    engine_filter_init(&f);
    check_invariants(eng, &f, &t); /* all time */
    f.from_day = day("2025-04-01");
    f.to_day = day("2025-06-30");
    check_invariants(eng, &f, &t); /* a quarter */
    ONE(f.gender, "Female");
    check_invariants(eng, &f, &t); /* with an influencer attribute */
    engine_filter_init(&f);
    ONE(f.basis, "flat");
    check_invariants(eng, &f, &t); /* with a basis */
    print_message("seed %llu: %d groups, %d single-value filters, %d Unallocated groups, %d "
                  "undated spend\n",
                  (unsigned long long)seed, t.groups_checked, t.filters_checked, t.unallocated_seen,
                  t.undated_seen);
    assert_true(t.groups_checked > 100 && t.filters_checked > 100);
    engine_free(eng);
}

static void test_invariants_on_generated_data(void **state)
{
    static const uint64_t seeds[] = {1, 7, 42};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        invariants_on_seed(*state, seeds[i]);
}

static void test_invariants_on_the_hand_made_file(void **state)
{
    struct fixture *fx = *state;
    load_every_basis(fx->store);
    struct engine *eng = load(fx->store);
    struct tally t = {0};
    struct engine_filter f;
    engine_filter_init(&f);
    check_invariants(eng, &f, &t);
    f.from_day = day("2025-05-02");
    f.to_day = day("2025-05-04");
    check_invariants(eng, &f, &t);
    engine_filter_init(&f);
    ONE(f.basis, "flat");
    check_invariants(eng, &f, &t);
    assert_true(t.unallocated_seen > 0 && t.undated_seen > 0);
    engine_free(eng);
}

/* A date range without any activity has no active influencer: an undated fee (D's 70,000
 * without revenue, B's undated fees) lies on the days of the revenue it bought, and so
 * counts in a range only through the spend those days carry; without a range it counts. */
static void test_an_empty_range_has_no_active_influencer(void **state)
{
    struct fixture *fx = *state;
    load_every_basis(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_kpis k = kpis(eng, &f);
    assert_int_equal(k.influencers, 4);
    f.from_day = day("2025-05-05");
    f.to_day = day("2025-05-06");
    k = kpis(eng, &f);
    assert_int_equal(k.influencers, 0);
    assert_int_equal(k.spend, 0);
    assert_int_equal(k.revenue, 0);
    engine_free(eng);
}

/* ---- the shortcuts of alloc_query against the full computation ------------------------ */

/* splitmix64, so that the filters are the same on every run */
static uint64_t next_random(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A random set of one to three of the field's values into set (sometimes Unallocated too,
 * for a cell field), or none; vals holds the strings (room for 4). */
static void random_set(const struct engine *eng, enum engine_field field, int cell, uint64_t *x,
                       struct engine_set *set, const char **vals)
{
    set->n = 0;
    set->values = vals;
    if (next_random(x) % 100 >= 40)
        return;
    const char **all;
    size_t n;
    assert_int_equal(engine_values(eng, field, &all, &n), 0);
    size_t want = 1 + next_random(x) % 3;
    for (size_t i = 0; i < want && n > 0; i++)
        vals[set->n++] = all[next_random(x) % n];
    if (cell && next_random(x) % 100 < 15)
        vals[set->n++] = ENGINE_UNALLOCATED;
    free(all);
}

/* Fails unless results a and b (the same filter, with and without the shortcuts) give the
 * same spend and revenue everywhere: KPIs, every breakdown's groups, every influencer. */
static void assert_same_results(const struct engine_result *a, const struct engine_result *b,
                                const char *what)
{
    const struct engine_kpis *ka = engine_result_kpis(a), *kb = engine_result_kpis(b);
    if (ka->spend != kb->spend || ka->revenue != kb->revenue ||
        ka->influencers != kb->influencers || ka->posts != kb->posts)
        fail_msg("%s: KPIs spend %lld / %lld, influencers %lld / %lld", what, (long long)ka->spend,
                 (long long)kb->spend, (long long)ka->influencers, (long long)kb->influencers);
    struct err e;
    err_clear(&e);
    for (size_t d = 0; d < sizeof cell_dims / sizeof cell_dims[0]; d++) {
        struct engine_group *ga, *gb;
        size_t na, nb;
        assert_int_equal(engine_result_breakdown(a, cell_dims[d], &ga, &na, &e), 0);
        assert_int_equal(engine_result_breakdown(b, cell_dims[d], &gb, &nb, &e), 0);
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) {
            assert_string_equal(ga[i].key, gb[i].key);
            if (ga[i].spend != gb[i].spend || ga[i].revenue != gb[i].revenue ||
                ga[i].unallocated != gb[i].unallocated || ga[i].orders != gb[i].orders ||
                ga[i].organic_revenue != gb[i].organic_revenue)
                fail_msg("%s: dimension %d group %s spend %lld / %lld", what, (int)cell_dims[d],
                         ga[i].key, (long long)ga[i].spend, (long long)gb[i].spend);
        }
        free(ga);
        free(gb);
    }
    struct engine_influencer_row *ra, *rb;
    size_t na, nb;
    assert_int_equal(engine_result_influencers(a, 0, &ra, &na), 0);
    assert_int_equal(engine_result_influencers(b, 0, &rb, &nb), 0);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(ra[i].id, rb[i].id);
        if (ra[i].spend != rb[i].spend)
            fail_msg("%s: influencer %s spend %lld / %lld", what, ra[i].id, (long long)ra[i].spend,
                     (long long)rb[i].spend);
    }
    free(ra);
    free(rb);
}

/* A random filter over the cell fields, basis, tier and a date range in [first, last] (the
 * k-th of a sequence), its values in fc. */
struct filter_case {
    struct engine_filter f;
    const char *vals[8][4];
};

static void random_filter(const struct engine *eng, uint64_t *x, int32_t first, int32_t last, int k,
                          struct filter_case *fc)
{
    struct engine_filter *f = &fc->f;
    engine_filter_init(f);
    random_set(eng, ENGINE_FIELD_PLATFORM, 0, x, &f->platform, fc->vals[0]);
    random_set(eng, ENGINE_FIELD_BRAND, 1, x, &f->brand, fc->vals[1]);
    random_set(eng, ENGINE_FIELD_PRODUCT, 1, x, &f->product, fc->vals[2]);
    random_set(eng, ENGINE_FIELD_CAMPAIGN, 1, x, &f->campaign, fc->vals[3]);
    random_set(eng, ENGINE_FIELD_SOURCE, 1, x, &f->source, fc->vals[4]);
    random_set(eng, ENGINE_FIELD_BASIS, 0, x, &f->basis, fc->vals[5]);
    if (next_random(x) % 100 < 15)
        random_set(eng, ENGINE_FIELD_TIER, 0, x, &f->tier, fc->vals[6]);
    if (k % 3 == 0) {
        /* the product and source groups from the rollups: no product, source, basis
         * or tier filter (the exhaustive run scans the fine cube) */
        f->product.n = f->source.n = f->basis.n = f->tier.n = 0;
    }
    if (next_random(x) % 100 < 75) {
        int32_t span = last - first + 1;
        f->from_day = first + (int32_t)(next_random(x) % (uint64_t)span);
        /* short ranges too: cells with no revenue in them, splits with none to lie on */
        uint64_t len = next_random(x) % 2 ? 15 : 200;
        f->to_day = f->from_day + (int32_t)(next_random(x) % len);
    }
}

/* The engine of `rows` generated tracking rows of seed, stored in fx's store, and its days. */
static struct engine *demo_engine(struct fixture *fx, uint64_t rows, uint64_t seed, int32_t *first,
                                  int32_t *last)
{
    struct demo_opts o = {.rows = rows, .seed = seed};
    struct err e;
    err_clear(&e);
    if (demo_load(fx->store, &o, &e) != 0)
        fail_msg("demo_load: %s", e.msg);
    struct engine *eng = load(fx->store);
    assert_int_equal(engine_day_range(eng, first, last), 0);
    return eng;
}

/* Random filters over the cell fields, basis, tier and date ranges on `rows` tracking rows
 * of generated data: every answer with the shortcuts (a split left out when the filter keeps
 * none of it, only the counted shares' extra paise found, lookups skipped; from 1,024
 * selected influencers on, the walk shared with the engine's helper thread) equals the full
 * allocation's (one walk, every split in full). */
static void shortcuts_on_seed(struct fixture *fx, uint64_t seed, int nfilters, uint64_t rows)
{
    int32_t first, last;
    struct engine *eng = demo_engine(fx, rows, seed, &first, &last);
    struct err e;
    err_clear(&e);
    uint64_t x = seed;
    int with_spend = 0;
    for (int k = 0; k < nfilters; k++) {
        struct filter_case fc;
        random_filter(eng, &x, first, last, k, &fc);
        struct engine_result *fast, *full;
        engine_set_exhaustive_allocation(eng, 0);
        assert_int_equal(engine_run(eng, &fc.f, &fast, &e), 0);
        engine_set_exhaustive_allocation(eng, 1);
        assert_int_equal(engine_run(eng, &fc.f, &full, &e), 0);
        char what[64];
        snprintf(what, sizeof what, "seed %llu filter %d", (unsigned long long)seed, k);
        assert_same_results(fast, full, what);
        with_spend += engine_result_kpis(fast)->spend != 0;
        engine_result_free(fast);
        engine_result_free(full);
    }
    engine_set_exhaustive_allocation(eng, 0);
    print_message("seed %llu: %d filters, %d with spend\n", (unsigned long long)seed, nfilters,
                  with_spend);
    assert_true(with_spend > nfilters / 4);
    engine_free(eng);
}

static void test_shortcuts_equal_the_full_allocation(void **state)
{
    static const uint64_t seeds[] = {1, 7, 42, 2026};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        shortcuts_on_seed(*state, seeds[i], 400, 30000);
}

/* 1,100 influencers (220,000 rows): most filters select enough of them for the query's
 * thread to share the walk with the engine's helper thread. */
static void test_the_shared_walk_equals_the_full_allocation(void **state)
{
    shortcuts_on_seed(*state, 5, 120, 220000);
}

/* Queries on one engine from several threads at once: one of them at a time has the
 * engine's helper, the others walk alone, and every answer equals the full allocation's
 * made one query at a time beforehand. */
enum { AT_ONCE_THREADS = 3, AT_ONCE_FILTERS = 24 };

struct at_once {
    const struct engine *eng;
    const struct filter_case *cases;
    struct engine_result *results[AT_ONCE_FILTERS];
    int failed;
};

static void *run_at_once(void *arg)
{
    struct at_once *t = arg;
    struct err e;
    err_clear(&e);
    for (int k = 0; k < AT_ONCE_FILTERS; k++)
        t->failed |= engine_run(t->eng, &t->cases[k].f, &t->results[k], &e) != 0;
    return NULL;
}

static void test_queries_at_once_equal_the_full_allocation(void **state)
{
    struct fixture *fx = *state;
    int32_t first, last;
    struct engine *eng = demo_engine(fx, 220000, 11, &first, &last);
    struct err e;
    err_clear(&e);
    static struct filter_case cases[AT_ONCE_FILTERS];
    struct engine_result *full[AT_ONCE_FILTERS];
    uint64_t x = 11;
    engine_set_exhaustive_allocation(eng, 1);
    for (int k = 0; k < AT_ONCE_FILTERS; k++) {
        random_filter(eng, &x, first, last, k, &cases[k]);
        assert_int_equal(engine_run(eng, &cases[k].f, &full[k], &e), 0);
    }
    engine_set_exhaustive_allocation(eng, 0);
    struct at_once threads[AT_ONCE_THREADS];
    pthread_t tid[AT_ONCE_THREADS];
    for (int t = 0; t < AT_ONCE_THREADS; t++) {
        threads[t] = (struct at_once){.eng = eng, .cases = cases};
        assert_int_equal(pthread_create(&tid[t], NULL, run_at_once, &threads[t]), 0);
    }
    for (int t = 0; t < AT_ONCE_THREADS; t++)
        assert_int_equal(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < AT_ONCE_THREADS; t++) {
        assert_false(threads[t].failed);
        for (int k = 0; k < AT_ONCE_FILTERS; k++) {
            char what[64];
            snprintf(what, sizeof what, "thread %d filter %d", t, k);
            assert_same_results(threads[t].results[k], full[k], what);
            engine_result_free(threads[t].results[k]);
        }
    }
    for (int k = 0; k < AT_ONCE_FILTERS; k++)
        engine_result_free(full[k]);
    engine_free(eng);
}

/* Posts of one price for campaigns X, Y, X in a range where only X has revenue: the second
 * X post is split over X's cell like the first (the Y post, with no cell to lie on, goes to
 * Unallocated and must not leave its empty split behind for the next post of X's price). */
static void test_a_split_after_one_with_nothing_to_lie_on(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "A", "platform", "Instagram", NULL);
    put(s, DS_TRACKING, "tracking_id", "t1", "influencer_id", "A", "date", "2025-05-01", "brand",
        "MuscleBlaze", "product", "MB Whey", "campaign", "MB_Summer", "source", "insta", "orders",
        "2", "revenue", "300000", NULL);
    put(s, DS_TRACKING, "tracking_id", "t2", "influencer_id", "A", "date", "2025-05-20", "brand",
        "HKVitals", "product", "HK Fish Oil", "campaign", "HK_Glow", "source", "insta", "orders",
        "1", "revenue", "100000", NULL);
    put(s, DS_POSTS, "post_id", "p1", "influencer_id", "A", "date", "2025-05-02", "platform",
        "Instagram", "campaign", "MB_Summer", NULL);
    put(s, DS_POSTS, "post_id", "p2", "influencer_id", "A", "date", "2025-05-03", "platform",
        "Instagram", "campaign", "HK_Glow", NULL);
    put(s, DS_POSTS, "post_id", "p3", "influencer_id", "A", "date", "2025-05-04", "platform",
        "Instagram", "campaign", "MB_Summer", NULL);
    put(s, DS_PAYOUTS, "payout_id", "y1", "influencer_id", "A", "basis", "post", "rate",
        "1000000000", NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    f.from_day = day("2025-05-01");
    f.to_day = day("2025-05-10");
    for (int exhaustive = 0; exhaustive <= 1; exhaustive++) {
        engine_set_exhaustive_allocation(eng, exhaustive);
        assert_int_equal(kpis(eng, &f).spend, 300000);
        static const char *const brands[] = {"MuscleBlaze", ENGINE_UNALLOCATED};
        static const int64_t spend[] = {200000, 100000};
        assert_spends(eng, &f, ENGINE_BY_BRAND, brands, spend, 2);
    }
    engine_free(eng);
}

/* One influencer's cells by campaign: X's two cells differ in brand, product and source, Y's
 * one cell is Gritzo's; five posts of ₹1,000 (X, X, Y, none, X). Each post's split over its
 * campaign's cells (all of them for the post without one) is the same whichever cell filter
 * asks, with the shortcuts (a group the filter keeps whole or none of, a split made again for
 * the next post) and in full: X 75,000 + 25,000 paise, Y 1,00,000 on Gritzo, the last post's
 * 50,000 + 16,667 + 33,333 (the leftover paisa to HKVitals' larger remainder). */
static void test_splits_by_campaign_group(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "A", "platform", "Instagram", NULL);
    put(s, DS_TRACKING, "tracking_id", "t1", "influencer_id", "A", "date", "2025-05-01", "brand",
        "MuscleBlaze", "product", "MB Whey", "campaign", "X", "source", "insta", "orders", "2",
        "revenue", "300000", NULL);
    put(s, DS_TRACKING, "tracking_id", "t2", "influencer_id", "A", "date", "2025-05-02", "brand",
        "HKVitals", "product", "HK Fish Oil", "campaign", "X", "source", "yt", "orders", "1",
        "revenue", "100000", NULL);
    put(s, DS_TRACKING, "tracking_id", "t3", "influencer_id", "A", "date", "2025-05-03", "brand",
        "Gritzo", "product", "GZ Milk", "campaign", "Y", "source", "insta", "orders", "1",
        "revenue", "200000", NULL);
    static const char *const post_campaign[] = {"X", "X", "Y", "", "X"};
    for (int i = 0; i < 5; i++) {
        char id[8], date[11];
        snprintf(id, sizeof id, "p%d", i + 1);
        snprintf(date, sizeof date, "2025-05-%02d", i + 4);
        put(s, DS_POSTS, "post_id", id, "influencer_id", "A", "date", date, "platform", "Instagram",
            "campaign", post_campaign[i], NULL);
    }
    put(s, DS_PAYOUTS, "payout_id", "y1", "influencer_id", "A", "basis", "post", "rate",
        "1000000000", NULL);
    commit(s);
    struct engine *eng = load(s);
    static const struct {
        enum engine_field field;
        const char *value;
        int64_t spend;
    } cases[] = {
        {ENGINE_FIELD_BRAND, NULL, 500000},        {ENGINE_FIELD_BRAND, "MuscleBlaze", 275000},
        {ENGINE_FIELD_BRAND, "HKVitals", 91667},   {ENGINE_FIELD_BRAND, "Gritzo", 133333},
        {ENGINE_FIELD_PRODUCT, "MB Whey", 275000}, {ENGINE_FIELD_PRODUCT, "GZ Milk", 133333},
        {ENGINE_FIELD_SOURCE, "yt", 91667},        {ENGINE_FIELD_SOURCE, "insta", 408333},
        {ENGINE_FIELD_CAMPAIGN, "X", 366667},      {ENGINE_FIELD_CAMPAIGN, "Y", 133333},
    };
    struct err e;
    err_clear(&e);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct engine_filter f;
        engine_filter_init(&f);
        f.from_day = day("2025-05-01");
        f.to_day = day("2025-05-10");
        const char *vals[1] = {cases[c].value};
        struct engine_set *set = cases[c].field == ENGINE_FIELD_BRAND     ? &f.brand
                                 : cases[c].field == ENGINE_FIELD_PRODUCT ? &f.product
                                 : cases[c].field == ENGINE_FIELD_SOURCE  ? &f.source
                                                                          : &f.campaign;
        set->values = vals;
        set->n = cases[c].value ? 1 : 0;
        struct engine_result *r[2];
        for (int exhaustive = 0; exhaustive <= 1; exhaustive++) {
            engine_set_exhaustive_allocation(eng, exhaustive);
            assert_int_equal(engine_run(eng, &f, &r[exhaustive], &e), 0);
            if (engine_result_kpis(r[exhaustive])->spend != cases[c].spend)
                fail_msg("%s (exhaustive %d): spend %lld, expected %lld",
                         cases[c].value ? cases[c].value : "no filter", exhaustive,
                         (long long)engine_result_kpis(r[exhaustive])->spend,
                         (long long)cases[c].spend);
        }
        assert_same_results(r[0], r[1], cases[c].value ? cases[c].value : "no filter");
        engine_result_free(r[0]);
        engine_result_free(r[1]);
    }
    engine_set_exhaustive_allocation(eng, 0);
    struct engine_filter f;
    engine_filter_init(&f);
    f.from_day = day("2025-05-01");
    f.to_day = day("2025-05-10");
    static const char *const brands[] = {"MuscleBlaze", "HKVitals", "Gritzo"};
    static const int64_t spend[] = {275000, 91667, 133333};
    assert_spends(eng, &f, ENGINE_BY_BRAND, brands, spend, 3);
    engine_free(eng);
}

/* A product's or source's group: its attributed and organic revenue (fail when absent). */
static void assert_group_revenue(const struct engine *eng, const struct engine_filter *f,
                                 enum engine_dim dim, const char *key, int64_t revenue,
                                 int64_t organic)
{
    struct engine_group *g;
    size_t n;
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_breakdown(eng, f, dim, &g, &n, &e), 0);
    size_t i = 0;
    while (i < n && strcmp(g[i].key, key) != 0)
        i++;
    if (i == n)
        fail_msg("no group %s", key);
    if (g[i].revenue != revenue || g[i].organic_revenue != organic)
        fail_msg("group %s: revenue %lld organic %lld, expected %lld and %lld", key,
                 (long long)g[i].revenue, (long long)g[i].organic_revenue, (long long)revenue,
                 (long long)organic);
    free(g);
}

/* The product and source groups come from the rollups only when every influencer is
 * selected and neither product nor source is filtered; each other filter (an influencer's
 * attribute, basis, min_roas, product, source) falls back to the fine cube's scan, and
 * gives only the selected influencers' and cells' revenue. A (Instagram, Nano) and B
 * (YouTube, Mega) sell the same product from different sources; one organic row. */
static void test_product_and_source_groups_by_rollup_and_by_scan(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "A", "platform", "Instagram", "tier", "Nano", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "B", "platform", "YouTube", "tier", "Mega", NULL);
    put(s, DS_TRACKING, "tracking_id", "t1", "influencer_id", "A", "date", "2025-05-01", "brand",
        "MuscleBlaze", "product", "MB Whey", "campaign", "MB_Summer", "source", "insta", "orders",
        "2", "revenue", "300000", NULL);
    put(s, DS_TRACKING, "tracking_id", "t2", "influencer_id", "B", "date", "2025-05-02", "brand",
        "MuscleBlaze", "product", "MB Whey", "campaign", "MB_Summer", "source", "yt", "orders", "1",
        "revenue", "100000", NULL);
    put(s, DS_TRACKING, "tracking_id", "t3", "influencer_id", "B", "date", "2025-05-20", "brand",
        "MuscleBlaze", "product", "MB Bar", "campaign", "MB_Summer", "source", "yt", "orders", "1",
        "revenue", "50000", NULL);
    put(s, DS_TRACKING, "tracking_id", "t4", "date", "2025-05-03", "brand", "MuscleBlaze",
        "product", "MB Whey", "source", "organic", "orders", "1", "revenue", "7000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "y1", "influencer_id", "A", "basis", "order", "rate",
        "50000000000", NULL);
    put(s, DS_PAYOUTS, "payout_id", "y2", "influencer_id", "B", "basis", "flat", "total_payout",
        "1000", NULL);
    commit(s);
    struct engine *eng = load(s);
    assert_true(engine_rollup_bytes(eng) > 0);
    for (int exhaustive = 0; exhaustive <= 1; exhaustive++) {
        engine_set_exhaustive_allocation(eng, exhaustive);
        struct engine_filter f;
        /* the rollups: no filter, a platform, a range */
        engine_filter_init(&f);
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Whey", 400000, 7000);
        assert_group_revenue(eng, &f, ENGINE_BY_SOURCE, "yt", 150000, 0);
        const char *instagram[] = {"Instagram"};
        f.platform = (struct engine_set){instagram, 1};
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Whey", 300000, 7000);
        engine_filter_init(&f);
        f.from_day = day("2025-05-02");
        f.to_day = day("2025-05-10");
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Whey", 100000, 7000);
        assert_group_revenue(eng, &f, ENGINE_BY_SOURCE, "yt", 100000, 0);
        /* the fine scan: an influencer's attribute */
        const char *nano[] = {"Nano"};
        engine_filter_init(&f);
        f.tier = (struct engine_set){nano, 1};
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Whey", 300000, 7000);
        /* basis: B's flat row only */
        const char *flat[] = {"flat"};
        engine_filter_init(&f);
        f.basis = (struct engine_set){flat, 1};
        assert_group_revenue(eng, &f, ENGINE_BY_SOURCE, "yt", 150000, 0);
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Whey", 100000, 7000);
        /* min_roas: A's ROAS is 3 (300000 over 2 orders at 50000), B's 150 */
        engine_filter_init(&f);
        f.has_min_roas = 1;
        f.min_roas = 10;
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Whey", 100000, 7000);
        /* a product filter, by source; a source filter, by product */
        const char *whey[] = {"MB Whey"}, *yt[] = {"yt"};
        engine_filter_init(&f);
        f.product = (struct engine_set){whey, 1};
        assert_group_revenue(eng, &f, ENGINE_BY_SOURCE, "yt", 100000, 0);
        engine_filter_init(&f);
        f.source = (struct engine_set){yt, 1};
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Bar", 50000, 0);
        assert_group_revenue(eng, &f, ENGINE_BY_PRODUCT, "MB Whey", 100000, 0);
    }
    engine_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_basis_by_hand, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_an_empty_range_has_no_active_influencer, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_invariants_on_the_hand_made_file, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_invariants_on_generated_data, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_shortcuts_equal_the_full_allocation, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_the_shared_walk_equals_the_full_allocation, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_queries_at_once_equal_the_full_allocation, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_a_split_after_one_with_nothing_to_lie_on, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_splits_by_campaign_group, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_product_and_source_groups_by_rollup_and_by_scan,
                                        make_store, remove_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
