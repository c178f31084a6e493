/* test_rank.c — SPEC §3.3 in the engine: engagement rate over its three denominators
 * (followers once per post, views where posts carry them), and honest rankings (a shrunk ROAS
 * that keeps an influencer with two orders off the top of a board, while rank=raw keeps the
 * plain ratio), each over a small SQLite store built row by row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "teststore.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

static int make_store(void **state)
{
    return teststore_open(state, "rank");
}

static struct engine_result *run_all(const struct engine *eng)
{
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_result *r;
    struct err e;
    err_clear(&e);
    if (engine_run(eng, &f, &r, &e) != 0)
        fail_msg("engine_run: %s", e.msg);
    return r;
}

/* I1 has 10,000 followers and two posts (one with video_views, one with only
 * impressions); I2 has no follower_count and one post without views. */
static void test_engagement_rate_denominators(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", "I1", "follower_count", "10000", NULL);
    put(s, DS_INFLUENCERS, "influencer_id", "I2", NULL);
    put(s, DS_POSTS, "post_id", "P1", "influencer_id", "I1", "date", "2025-03-01", "reach", "4000",
        "likes", "300", "comments", "100", "video_views", "8000", "impressions", "9000", NULL);
    put(s, DS_POSTS, "post_id", "P2", "influencer_id", "I1", "date", "2025-03-02", "reach", "1000",
        "likes", "50", "impressions", "2000", NULL);
    put(s, DS_POSTS, "post_id", "P3", "influencer_id", "I2", "date", "2025-03-02", "reach", "5000",
        "likes", "150", NULL);
    commit(s);
    struct engine *eng = load(s);
    struct engine_result *r = run_all(eng);
    const struct engine_kpis *k = engine_result_kpis(r);
    assert_int_equal(k->engagements, 600);
    assert_int_equal(k->reach, 10000);
    assert_true(k->engagement_rate.has && k->engagement_rate.value == 600.0 / 10000.0);
    /* followers: I1's 10,000 twice (two posts), engagements of those posts only */
    assert_int_equal(k->followers, 20000);
    assert_int_equal(k->follower_engagements, 450);
    assert_true(k->engagement_rate_followers.value == 450.0 / 20000.0);
    /* views: video_views of P1 (not its impressions), impressions of P2; P3 has neither */
    assert_int_equal(k->views, 10000);
    assert_int_equal(k->view_engagements, 450);
    assert_true(k->engagement_rate_views.value == 450.0 / 10000.0);
    struct engine_influencer_row *rows;
    size_t n;
    engine_result_influencers(r, 1, &rows, &n);
    assert_int_equal(n, 2);
    int64_t followers = 0, views = 0;
    for (size_t i = 0; i < n; i++) {
        followers += rows[i].followers;
        views += rows[i].views;
        if (strcmp(rows[i].id, "I2") == 0) {
            assert_false(rows[i].engagement_rate_followers.has);
            assert_false(rows[i].engagement_rate_views.has);
            assert_int_equal(rows[i].follower_count, -1);
        }
    }
    assert_int_equal(followers, k->followers); /* the rows add up to the KPI */
    assert_int_equal(views, k->views);
    free(rows);
    engine_result_free(r);
    engine_free(eng);
}

/* One influencer with orders, revenue and a flat fee (rupees). */
static void put_influencer(struct store *s, const char *id, const char *orders,
                           const char *revenue_paise, const char *fee_paise)
{
    char tid[16], pid[16];
    snprintf(tid, sizeof tid, "T%s", id);
    snprintf(pid, sizeof pid, "Y%s", id);
    put(s, DS_INFLUENCERS, "influencer_id", id, "category", "Fitness", "gender", "Male", NULL);
    put(s, DS_TRACKING, "tracking_id", tid, "influencer_id", id, "date", "2025-03-01", "brand",
        "MuscleBlaze", "source", "Instagram", "orders", orders, "revenue", revenue_paise, NULL);
    put(s, DS_PAYOUTS, "payout_id", pid, "influencer_id", id, "basis", "flat", "total_payout",
        fee_paise, NULL);
}

static int by_key_desc(const void *pa, const void *pb)
{
    const struct engine_influencer_row *a = pa, *b = pb;
    if (a->rank.key != b->rank.key)
        return a->rank.key > b->rank.key ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* SMALL: 2 orders, ROAS 40; BIG: 2,000 orders, ROAS 8; three ordinary influencers at ROAS
 * 2 to 4 with hundreds of orders. Shrunk, BIG tops the board and SMALL does not; raw, SMALL
 * is first. */
static void test_two_orders_do_not_top_the_board(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    put_influencer(s, "SMALL", "2", "400000", "10000");       /* ₹4,000 on ₹100: 40 */
    put_influencer(s, "BIG", "2000", "80000000", "10000000"); /* ₹8 lakh on ₹1 lakh: 8 */
    put_influencer(s, "C", "500", "20000000", "10000000");    /* 2 */
    put_influencer(s, "D", "300", "12000000", "4000000");     /* 3 */
    put_influencer(s, "E", "400", "16000000", "4000000");     /* 4 */
    commit(s);
    struct engine *eng = load(s);
    struct engine_result *r = run_all(eng);
    struct engine_influencer_row *rows;
    size_t n;
    engine_result_influencers(r, 1, &rows, &n);
    assert_int_equal(n, 5);

    struct engine_rank_opts o;
    engine_rank_opts_default(&o);
    assert_int_equal(o.mode, ENGINE_RANK_SHRUNK);
    assert_int_equal(o.few_orders, 30);
    engine_rank_influencers(rows, n, &o);
    qsort(rows, n, sizeof *rows, by_key_desc);
    assert_string_equal(rows[0].id, "BIG");
    for (size_t i = 0; i < n; i++) {
        const struct engine_ranked *k = &rows[i].rank;
        assert_true(k->roas_shrunk.has && k->roas_low.has && k->roas_high.has);
        assert_true(k->roas_low.value <= k->roas_shrunk.value);
        assert_true(k->roas_shrunk.value <= k->roas_high.value);
        assert_int_equal(k->few_orders, strcmp(rows[i].id, "SMALL") == 0);
        if (strcmp(rows[i].id, "SMALL") == 0) {
            assert_true(rows[i].roas.value == 40.0);
            assert_true(k->roas_shrunk.value < 8.0);
            /* its interval is wide: two orders say little */
            assert_true(k->roas_high.value - k->roas_low.value >
                        2 * (rows[0].rank.roas_high.value - rows[0].rank.roas_low.value));
        }
        if (strcmp(rows[i].id, "BIG") == 0) /* 2,000 orders barely move */
            assert_true(k->roas_shrunk.value > 7.5 && k->roas_shrunk.value <= 8.0);
    }

    o.mode = ENGINE_RANK_RAW;
    engine_rank_influencers(rows, n, &o);
    qsort(rows, n, sizeof *rows, by_key_desc);
    assert_string_equal(rows[0].id, "SMALL");
    assert_string_equal(rows[1].id, "BIG");
    assert_true(rows[0].rank.key == 40.0);

    o.few_orders = 350; /* the threshold moves the mark */
    engine_rank_influencers(rows, n, &o);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rows[i].rank.few_orders, rows[i].orders < 350);
    free(rows);
    engine_result_free(r);
    engine_free(eng);
}

/* The prior: R0 is Σ revenue / Σ spend; a cohort with no spread shrinks everyone to R0;
 * a row without spend has no shrunk ROAS. */
static void test_prior_and_rows_without_spend(void **state)
{
    (void)state;
    struct engine_rank_item items[] = {{300, 100, 10}, {600, 200, 20}, {500, 0, 5}};
    struct engine_rank_prior p;
    engine_rank_prior_of(items, 3, &p);
    assert_true(p.has);
    assert_true(p.cohort_roas == 3.0);
    struct engine_rank_opts o;
    engine_rank_opts_default(&o);
    struct engine_ranked a = engine_rank_one(&p, &items[0], &o);
    assert_true(a.roas_shrunk.has && a.roas_shrunk.value > 2.999 && a.roas_shrunk.value < 3.001);
    struct engine_ranked c = engine_rank_one(&p, &items[2], &o);
    assert_false(c.roas_shrunk.has || c.has_key);
    assert_true(c.few_orders);
    struct engine_rank_item none[] = {{100, 0, 1}};
    engine_rank_prior_of(none, 1, &p);
    assert_false(p.has);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_engagement_rate_denominators, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_two_orders_do_not_top_the_board, make_store,
                                        remove_store),
        cmocka_unit_test(test_prior_and_rows_without_spend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
