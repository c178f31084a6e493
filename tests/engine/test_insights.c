/* test_insights.c — Insights on hand-built stores whose answers are known: top and bottom
 * picks (ties, n < 2k, nobody with spend), poor ROI with its reason and diagnosis, the
 * exact sentences (the "twice" case) and their absence when data is missing, the JSON of
 * one influencer and the shape of the /api/insights members. Each store test loads a fresh
 * SQLite store in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "teststore.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "format.h"
#include "insights.h"
#include "json.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

static int make_store(void **state)
{
    return teststore_open(state, "insights");
}

static void influencer(struct store *s, const char *id, const char *name, const char *platform,
                       const char *category, const char *gender, const char *followers)
{
    put(s, DS_INFLUENCERS, "influencer_id", id, "name", name, "platform", platform, "category",
        category, "gender", gender, "follower_count", followers, NULL);
}

static void post(struct store *s, const char *id, const char *inf, const char *reach,
                 const char *likes)
{
    put(s, DS_POSTS, "post_id", id, "influencer_id", inf, "date", "2025-03-05", "reach", reach,
        "likes", likes, NULL);
}

static void sale(struct store *s, const char *id, const char *inf, const char *brand,
                 const char *campaign, const char *orders, const char *revenue_paise)
{
    put(s, DS_TRACKING, "tracking_id", id, "influencer_id", inf, "date", "2025-03-06", "brand",
        brand, "campaign", campaign, "source", inf[0] ? "Instagram" : "website", "orders", orders,
        "revenue", revenue_paise, NULL);
}

/* An order-basis payout: rate in whole rupees per order. */
static void per_order(struct store *s, const char *id, const char *inf, const char *rupees)
{
    char rate[32];
    snprintf(rate, sizeof rate, "%s000000", rupees); /* millionths of a rupee */
    put(s, DS_PAYOUTS, "payout_id", id, "influencer_id", inf, "basis", "order", "rate", rate, NULL);
}

/* The main fixture (rupees; ROAS = revenue / spend):
 *   YouTube   Y1 Yash    Fitness/Female    10 orders ₹62,000, ₹1,000/order → 6.2
 *             Y2 Yamini  Fitness/Female     5 orders ₹31,000, ₹1,000/order → 6.2
 *   Instagram I1 Isha    Beauty/Female     20 orders ₹40,000, ₹600/order → 3.3 (below 4)
 *             I2 Ira     Beauty/Male        3 orders  ₹3,000, ₹2,000/order → 0.5 (loses)
 *             I3 Ishaan  Nutrition/Male     flat ₹10,000, one post, no order → 0.0 (loses)
 *             I4 Indu    Nutrition/Female  10 orders ₹55,200, ₹400/order → 13.8
 *             I5 Zoya    Fitness/Female     1 order   ₹1,000, no payout
 *   YouTube ₹93,000 / ₹15,000 = 6.2; Instagram ₹99,200 / ₹32,000 = 3.1: twice.
 *   Attributed ₹1,92,200 with 49 orders; organic ₹48,050 = 20 % of all.
 *   Reach 1,35,000 (1 order per 2,755); engagements 2,610 (1.9 %). */
static void load_fixture(struct store *s)
{
    begin(s);
    influencer(s, "Y1", "Yash", "YouTube", "Fitness", "Female", "200000");
    influencer(s, "Y2", "Yamini", "YouTube", "Fitness", "Female", "50000");
    influencer(s, "I1", "Isha", "Instagram", "Beauty", "Female", "50000");
    influencer(s, "I2", "Ira", "Instagram", "Beauty", "Male", "5000");
    influencer(s, "I3", "Ishaan", "Instagram", "Nutrition", "Male", "700000");
    influencer(s, "I4", "Indu", "Instagram", "Nutrition", "Female", "50000");
    influencer(s, "I5", "Zoya", "Instagram", "Fitness", "Female", "5000");

    post(s, "P1", "Y1", "20000", "1000");
    post(s, "P2", "Y2", "10000", "500");
    post(s, "P3", "I1", "15000", "30");
    post(s, "P4", "I1", "15000", "30");
    post(s, "P5", "I2", "60000", "600");
    post(s, "P6", "I3", "5000", "50");
    post(s, "P7", "I4", "10000", "400");

    sale(s, "T1", "Y1", "MuscleBlaze", "Spring", "10", "6200000");
    sale(s, "T2", "Y2", "MuscleBlaze", "Spring", "5", "3100000");
    sale(s, "T3", "I1", "HKVitals", "Glow", "20", "4000000");
    sale(s, "T4", "I2", "HKVitals", "Glow", "3", "300000");
    sale(s, "T5", "I4", "HKVitals", "Glow", "10", "5520000");
    sale(s, "T6", "I5", "HKVitals", "Glow", "1", "100000");
    sale(s, "T7", "", "MuscleBlaze", "", "4", "4805000");

    per_order(s, "Y-1", "Y1", "1000");
    per_order(s, "Y-2", "Y2", "1000");
    per_order(s, "Y-3", "I1", "600");
    per_order(s, "Y-4", "I2", "2000");
    put(s, DS_PAYOUTS, "payout_id", "Y-5", "influencer_id", "I3", "basis", "flat", "total_payout",
        "1000000", NULL);
    per_order(s, "Y-6", "I4", "400");
    commit(s);
}

/* ---- picks on plain rows ------------------------------------------------------------ */

static struct engine_influencer_row row(const char *id, int64_t revenue, int64_t spend)
{
    struct engine_influencer_row r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.name = r.platform = r.category = r.gender = r.tier = r.persona = "";
    r.revenue = revenue;
    r.spend = spend;
    if (spend > 0) {
        r.roas.has = r.roi.has = 1;
        r.roas.value = (double)revenue / (double)spend;
        r.roi.value = (double)(revenue - spend) / (double)spend;
        r.rank.has_key = 1; /* ranked raw: the picks below are by plain ROAS */
        r.rank.key = r.roas.value;
    }
    return r;
}

static void assert_ids(const struct engine_influencer_row *rows, const size_t *picked, size_t n,
                       const char *want)
{
    char got[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len +=
            (size_t)snprintf(got + len, sizeof got - len, "%s%s", i ? "," : "", rows[picked[i]].id);
    if (strcmp(got, want) != 0)
        fail_msg("picked \"%s\", want \"%s\"", got, want);
}

static void test_pick_breaks_ties_by_revenue_then_id(void **state)
{
    (void)state;
    /* Top by revenue (B before C on the id); bottom by ROAS 0.5 for three of them: the
     * lower revenue first, then the id. */
    const struct engine_influencer_row rows[] = {
        row("C", 9000, 1000), row("B", 9000, 0), row("A", 100, 200),  row("E", 50, 100),
        row("D", 50, 100),    row("F", 10, 0),   row("G", 1000, 100),
    };
    size_t top[2], bottom[2], ntop, nbottom;
    insights_pick(rows, 7, 2, top, &ntop, bottom, &nbottom);
    assert_int_equal(ntop, 2);
    assert_ids(rows, top, ntop, "B,C");
    assert_int_equal(nbottom, 2);
    assert_ids(rows, bottom, nbottom, "D,E");
    size_t top3[3], bottom3[3];
    insights_pick(rows, 7, 3, top3, &ntop, bottom3, &nbottom);
    assert_ids(rows, top3, ntop, "B,C,G");
    assert_ids(rows, bottom3, nbottom, "D,E,A"); /* F has no spend, so no ROAS */
}

static void test_pick_with_fewer_rows_than_two_lists(void **state)
{
    (void)state;
    const struct engine_influencer_row rows[] = {row("A", 300, 100), row("B", 200, 100),
                                                 row("C", 100, 100)};
    size_t top[5], bottom[5], ntop, nbottom;
    insights_pick(rows, 3, 2, top, &ntop, bottom, &nbottom);
    assert_ids(rows, top, ntop, "A,B");
    assert_ids(rows, bottom, nbottom, "C"); /* never one already in top */
    insights_pick(rows, 3, 5, top, &ntop, bottom, &nbottom);
    assert_ids(rows, top, ntop, "A,B,C");
    assert_int_equal(nbottom, 0);
    insights_pick(rows, 0, 5, top, &ntop, bottom, &nbottom);
    assert_int_equal(ntop + nbottom, 0);
    insights_pick(rows, 3, 0, top, &ntop, bottom, &nbottom);
    assert_int_equal(ntop + nbottom, 0);
}

static void test_pick_without_spend_takes_lowest_revenue(void **state)
{
    (void)state;
    const struct engine_influencer_row rows[] = {
        row("A", 500, 0), row("B", 10, 0), row("C", 900, 0), row("D", 10, 0), row("E", 70, 0)};
    size_t top[2], bottom[2], ntop, nbottom;
    insights_pick(rows, 5, 2, top, &ntop, bottom, &nbottom);
    assert_ids(rows, top, ntop, "C,A");
    assert_ids(rows, bottom, nbottom, "B,D");
    /* Only a top influencer has spend: the rest have none, so the lowest revenue again. */
    const struct engine_influencer_row some[] = {row("A", 500, 100), row("B", 10, 0),
                                                 row("C", 70, 0)};
    insights_pick(some, 3, 1, top, &ntop, bottom, &nbottom);
    assert_ids(some, top, ntop, "A");
    assert_ids(some, bottom, nbottom, "B");
}

/* ---- one influencer as JSON --------------------------------------------------------- */

static char *influencer_json(const struct engine_influencer_row *r)
{
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    assert_int_equal(insights_influencer_json(&j, r), 0);
    struct err e;
    err_clear(&e);
    assert_int_equal(json_finish(&j, &e), 0);
    return buf_detach(&out);
}

static void test_influencer_json_keys_and_nulls(void **state)
{
    (void)state;
    struct engine_influencer_row r = row("I7", 1000000, 250000);
    r.name = "Asha \"A\"";
    r.platform = "Instagram";
    r.category = "Fitness";
    r.orders = 3;
    r.posts = 2;
    r.reach = 40000;
    r.engagements = 1000;
    r.followers = 50000; /* two posts of an influencer of 25,000 followers */
    r.follower_engagements = 1000;
    r.follower_count = 25000;
    r.rank.roas_shrunk = (struct engine_ratio){1, 3.5};
    r.rank.roas_low = (struct engine_ratio){1, 2};
    r.rank.roas_high = (struct engine_ratio){1, 5};
    r.rank.few_orders = 1;
    char *got = influencer_json(&r);
    assert_string_equal(
        got, "{\"influencer_id\":\"I7\",\"name\":\"Asha \\\"A\\\"\",\"platform\":\"Instagram\","
             "\"category\":\"Fitness\",\"gender\":null,\"tier\":null,\"persona\":null,"
             "\"revenue\":10000.00,\"orders\":3,\"spend\":2500.00,\"posts\":2,\"reach\":40000,"
             "\"engagements\":1000,\"roas\":4,\"roi\":3,\"engagement_rate\":0.025,"
             "\"engagement_rate_followers\":0.02,\"engagement_rate_views\":null,"
             "\"followers\":25000,"
             "\"cpo\":833.33,\"aov\":3333.33,\"cpe\":2.50,\"roas_shrunk\":3.5,"
             "\"roas_low\":2,\"roas_high\":5,\"few_orders\":true}");
    free(got);
    /* Every denominator 0: nulls, never 0 and never infinity. */
    struct engine_influencer_row z = row("Z", 5000, 0);
    got = influencer_json(&z);
    assert_non_null(strstr(got,
                           "\"roas\":null,\"roi\":null,\"engagement_rate\":null,"
                           "\"engagement_rate_followers\":null,\"engagement_rate_views\":null,"));
    assert_non_null(strstr(got, "\"cpo\":null,\"aov\":null,\"cpe\":null,\"roas_shrunk\":null,"
                                "\"roas_low\":null,\"roas_high\":null,\"few_orders\":false}"));
    free(got);
}

/* ---- the fixture -------------------------------------------------------------------- */

static int engine_has_campaigns(const struct engine *eng)
{
    struct engine_filter f;
    engine_filter_init(&f);
    struct engine_group *groups = NULL;
    size_t n = 0;
    struct err e;
    err_clear(&e);
    int rc = engine_breakdown(eng, &f, ENGINE_BY_CAMPAIGN, &groups, &n, &e);
    free(groups);
    return rc == 0;
}

static void test_sentences_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct insights_config c = INSIGHTS_CONFIG_INIT;
    struct insights_sentences s;
    struct err e;
    err_clear(&e);
    if (insights_sentences(eng, &f, &c, &s, &e) != 0)
        fail_msg("insights_sentences: %s", e.msg);
    const char *want[] = {
        "ROAS 4.09 is above the benchmark of 4.",
        "YouTube returns " FORMAT_RUPEE "6.20 per " FORMAT_RUPEE "1 spent, twice Instagram "
        "(" FORMAT_RUPEE "3.10).",
        "The top 5 influencers brought " FORMAT_RUPEE "1.9 lakh, 99 % of attributed revenue.",
        "2 influencers lose money (ROAS below 1); the worst is Ishaan at 0.00.",
        "Nutrition \xc2\xb7 Female is the best persona: ROAS 13.80 over 1 influencer.",
        "Organic revenue is 20 % of all revenue.",
        "HKVitals brought the most attributed revenue: " FORMAT_RUPEE "99,200, 52 %.",
        "Campaign Glow brought the most attributed revenue: " FORMAT_RUPEE "99,200, 52 %.",
    };
    size_t nwant = engine_has_campaigns(eng) ? 8 : 7;
    for (size_t i = 0; i < s.n; i++)
        print_message("sentence %zu: %s\n", i, s.text[i]);
    assert_int_equal(s.n, nwant);
    for (size_t i = 0; i < nwant; i++)
        assert_string_equal(s.text[i], want[i]);
    insights_sentences_release(&s);

    /* A stricter benchmark and a shorter top list change their sentences. */
    c.roas_benchmark = 5;
    c.top_n = 3;
    assert_int_equal(insights_sentences(eng, &f, &c, &s, &e), 0);
    assert_string_equal(s.text[0], "ROAS 4.09 is below the benchmark of 5.");
    assert_string_equal(s.text[2], "The top 3 influencers brought " FORMAT_RUPEE
                                   "1.6 lakh, 82 % of attributed revenue.");
    insights_sentences_release(&s);
    engine_free(eng);
}

static char *insights_doc(const struct engine *eng, const struct engine_filter *f,
                          const struct insights_config *c)
{
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_obj_begin(&j);
    json_key(&j, "filters");
    json_obj_begin(&j);
    json_obj_end(&j);
    struct err e;
    err_clear(&e);
    if (insights_write(&j, eng, f, c, &e) != 0)
        fail_msg("insights_write: %s", e.msg);
    json_obj_end(&j);
    assert_int_equal(json_finish(&j, &e), 0);
    return buf_detach(&out);
}

/* Asserts that the needles occur in doc in this order. */
static void assert_in_order(const char *doc, const char *const *needles, size_t n)
{
    const char *at = doc;
    for (size_t i = 0; i < n; i++) {
        const char *hit = strstr(at, needles[i]);
        if (!hit) {
            printf("document: %s\n", doc); /* cmocka cuts long messages */
            fail_msg("missing, or out of order: %s", needles[i]);
        }
        at = hit + strlen(needles[i]);
    }
}

static void test_document_members_on_the_fixture(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct insights_config c;
    insights_config_init(&c);
    char *doc = insights_doc(eng, &f, &c);
    const char *const members[] = {
        "{\"filters\":{},\"benchmarks\":{\"roas\":4,\"roi\":2},",
        "\"top_influencers\":[{\"influencer_id\":\"Y1\",",
        "{\"influencer_id\":\"I4\"",
        "{\"influencer_id\":\"I1\"",
        "{\"influencer_id\":\"Y2\"",
        "{\"influencer_id\":\"I2\"",
        /* n = 7 < 2k: two left, and only I3 of them has spend */
        "],\"bottom_influencers\":[{\"influencer_id\":\"I3\",",
        "}],\"poor_roi_count\":3,\"losing_money_count\":2,\"poor_roi\":[",
        /* losing money first, worst ROAS first */
        "{\"influencer_id\":\"I3\",",
        "\"reason\":\"Losing money: ROAS 0.00, " FORMAT_RUPEE "0 back for " FORMAT_RUPEE
        "10,000 spent.\",\"diagnosis\":\"A flat fee of " FORMAT_RUPEE
        "10,000 was recorded for only 1 post and 0 orders.\",\"severity\":\"losing_money\"}",
        "{\"influencer_id\":\"I2\",",
        "\"reason\":\"Losing money: ROAS 0.50, " FORMAT_RUPEE "3,000 back for " FORMAT_RUPEE
        "6,000 spent.\",\"diagnosis\":\"Few orders for its reach: 1 order per 20,000 people "
        "reached vs 1 per 2,755 on average.\",\"severity\":\"losing_money\"}",
        "{\"influencer_id\":\"I1\",",
        "\"reason\":\"ROAS 3.33 is below the benchmark of 4.\",\"diagnosis\":\"Low engagement: "
        "0.2 % of its reach engaged vs 1.9 % on average.\",\"severity\":\"below_benchmark\"}]",
        ",\"personas\":{\"category_gender\":[",
        "],\"tier\":[",
        "],\"best_category_gender\":{\"category\":\"Nutrition\",\"gender\":\"Female\","
        "\"influencers\":1,\"revenue\":55200.00,\"orders\":10,\"spend\":4000.00,\"roas\":13.8,",
        ",\"best_tier\":{",
        "},\"comparisons\":{\"platform\":[",
        "{\"platform\":\"Instagram\",\"revenue\":99200.00,\"orders\":34,\"organic_revenue\":0.00,"
        "\"spend\":32000.00,",
        "\"roas\":3.1,",
        "{\"platform\":\"YouTube\",",
        "\"roas\":6.2,",
        /* spend follows the money (SPEC §3.1); I3's flat fee has no revenue to follow */
        "],\"brand\":[{\"brand\":\"HKVitals\",",
        "\"spend\":22000.00,",
        "{\"brand\":\"Unallocated\",\"revenue\":0.00,\"orders\":0,\"organic_revenue\":0.00,"
        "\"spend\":10000.00,",
        "],\"campaign\":[",
        "{\"campaign\":\"Glow\",\"revenue\":99200.00,\"orders\":34,\"organic_revenue\":0.00,"
        "\"spend\":22000.00,",
        "],\"best_platform\":\"YouTube\",\"worst_platform\":\"Instagram\"},\"sentences\":[\"ROAS "
        "4.09 is above the benchmark of 4.\",",
        "\"]}",
    };
    assert_in_order(doc, members, sizeof members / sizeof members[0]);
    /* every poor-ROI influencer, and nobody else */
    const char *poor = strstr(doc, "\"poor_roi\""), *personas = strstr(doc, "\"personas\"");
    size_t count = 0;
    for (const char *p = poor; p && p < personas; p = strstr(p + 1, "\"severity\""))
        count += p != poor;
    assert_int_equal(count, 3);
    free(doc);
    engine_free(eng);
}

/* Two more causes on a store of their own: no orders at all, and a high cost per order. */
static void test_diagnosis_names_no_orders_and_cost_per_order(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    influencer(s, "A", "Anu", "Instagram", "Fitness", "Female", "5000");
    influencer(s, "B", "Bina", "Instagram", "Fitness", "Female", "5000");
    influencer(s, "C", "Chand", "Instagram", "Fitness", "Female", "5000");
    post(s, "PA1", "A", "5000", "100");
    post(s, "PA2", "A", "5000", "100");
    post(s, "PB", "B", "5000", "100");
    post(s, "PC", "C", "20000", "400");
    sale(s, "TB", "B", "Gritzo", "Kids", "10", "1000000");
    sale(s, "TC", "C", "Gritzo", "Kids", "40", "8000000");
    put(s, DS_PAYOUTS, "payout_id", "PY-A", "influencer_id", "A", "basis", "post", "rate",
        "1000000000", NULL);
    per_order(s, "PY-B", "B", "900");
    per_order(s, "PY-C", "C", "100");
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    struct insights_config c = INSIGHTS_CONFIG_INIT;
    char *doc = insights_doc(eng, &f, &c);
    const char *const want[] = {
        "\"poor_roi\":[{\"influencer_id\":\"A\",",
        "\"diagnosis\":\"No attributed orders at all: 2 posts reaching 10,000 people brought no "
        "sale.\",\"severity\":\"losing_money\"}",
        "{\"influencer_id\":\"B\",",
        "\"reason\":\"ROAS 1.11 is below the benchmark of 4.\",\"diagnosis\":\"Cost per "
        "order " FORMAT_RUPEE "900 vs " FORMAT_RUPEE
        "300 on average.\",\"severity\":\"below_benchmark\"}]",
    };
    assert_in_order(doc, want, sizeof want / sizeof want[0]);
    free(doc);
    engine_free(eng);
}

/* One platform, one brand, no payouts, no organic rows: nothing to compare, no ROAS, so no
 * sentence at all and null bests; nothing divides by zero. */
static void test_missing_data_gives_no_sentence(void **state)
{
    struct fixture *fx = *state;
    struct store *s = fx->store;
    begin(s);
    influencer(s, "A", "Anu", "YouTube", "Fitness", "Female", "5000");
    influencer(s, "B", "Bina", "YouTube", "Beauty", "Male", "5000");
    sale(s, "TA", "A", "Gritzo", "Kids", "1", "100000");
    sale(s, "TB", "B", "Gritzo", "Kids", "2", "300000");
    commit(s);
    struct engine *eng = load(s);
    struct engine_filter f;
    engine_filter_init(&f);
    struct insights_config c = INSIGHTS_CONFIG_INIT;
    struct insights_sentences sentences;
    struct err e;
    err_clear(&e);
    assert_int_equal(insights_sentences(eng, &f, &c, &sentences, &e), 0);
    assert_int_equal(sentences.n, 0);
    insights_sentences_release(&sentences);
    char *doc = insights_doc(eng, &f, &c);
    const char *const want[] = {
        "\"top_influencers\":[{\"influencer_id\":\"B\",",
        "\"bottom_influencers\":[],",
        "\"poor_roi\":[],",
        "\"best_category_gender\":null,\"best_tier\":null}",
        "\"best_platform\":null,\"worst_platform\":null},\"sentences\":[]}",
    };
    assert_in_order(doc, want, sizeof want / sizeof want[0]);
    free(doc);

    /* An empty selection: empty lists, no error. */
    static const char *const nobody[] = {"nobody"};
    f.influencer.values = nobody;
    f.influencer.n = 1;
    doc = insights_doc(eng, &f, &c);
    assert_non_null(strstr(doc, "\"top_influencers\":[],\"bottom_influencers\":[],"
                                "\"poor_roi_count\":0,\"losing_money_count\":0,\"poor_roi\":[],"));
    free(doc);
    /* An engine error comes back with its code. */
    engine_filter_init(&f);
    f.from_day = 10;
    f.to_day = 9;
    assert_int_equal(insights_sentences(eng, &f, &c, &sentences, &e), ERR_USAGE);
    insights_sentences_release(&sentences);
    engine_free(eng);
}

/* A capped output buffer is reported as a limit, not written half. */
static void test_output_cap_is_an_error(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter f;
    engine_filter_init(&f);
    struct insights_config c = INSIGHTS_CONFIG_INIT;
    struct buf out;
    buf_init(&out);
    struct json j;
    json_init_capped(&j, &out, 256);
    json_obj_begin(&j);
    struct err e;
    err_clear(&e);
    assert_int_equal(insights_write(&j, eng, &f, &c, &e), ERR_LIMIT);
    buf_release(&out);
    engine_free(eng);
}

/* The comparison sentence comes first and says how revenue, spend and ROAS moved; its
 * figures are the engine's KPIs of each period; the document's "compare" carries the
 * earlier period's. The fixture's sales are on 2025-03-06; one more sale on 2025-03-05. */
static void test_comparison_sentence_and_member(void **state)
{
    struct fixture *fx = *state;
    load_fixture(fx->store);
    begin(fx->store);
    put(fx->store, DS_TRACKING, "tracking_id", "T8", "influencer_id", "Y1", "date", "2025-03-05",
        "brand", "MuscleBlaze", "campaign", "Spring", "source", "Instagram", "orders", "5",
        "revenue", "3100000", NULL);
    commit(fx->store);
    struct engine *eng = load(fx->store);
    struct engine_filter now, then;
    engine_filter_init(&now);
    assert_int_equal(schema_iso_to_days("2025-03-06", &now.from_day), 0);
    now.to_day = now.from_day;
    then = now;
    then.from_day = then.to_day = now.from_day - 1;
    struct insights_compare cmp = {&then, then.from_day, then.to_day, 1};
    struct insights_config c = INSIGHTS_CONFIG_INIT;
    struct insights_sentences s;
    struct err e;
    err_clear(&e);
    if (insights_sentences_compared(eng, &now, &cmp, &c, &s, &e) != 0)
        fail_msg("insights_sentences_compared: %s", e.msg);
    struct engine_kpis kn, kt;
    assert_int_equal(engine_kpis(eng, &now, &kn, &e), 0);
    assert_int_equal(engine_kpis(eng, &then, &kt, &e), 0);
    assert_int_equal(kn.revenue, 19220000);
    assert_int_equal(kt.revenue, 3100000);
    assert_true(kt.spend > 0 && kn.spend > 0);
    /* The rest follows from the two periods' KPIs, whatever the spend rules price. */
    struct buf want = BUF_INIT;
    buf_puts(&want, "Revenue up 520 % on the previous day (" FORMAT_RUPEE
                    "1.9 lakh against " FORMAT_RUPEE "31,000); spend ");
    double rel = ((double)kn.spend - (double)kt.spend) / (double)kt.spend;
    char pct[FORMAT_MAX], a[FORMAT_MAX], b[FORMAT_MAX];
    format_percent(pct, sizeof pct, rel < 0 ? -rel : rel, 0);
    if (llround((rel < 0 ? -rel : rel) * 100.0) == 0)
        buf_puts(&want, "flat");
    else
        buf_printf(&want, "%s %s", rel > 0 ? "up" : "down", pct);
    format_ratio(a, sizeof a, (double)kn.revenue / (double)kn.spend);
    format_ratio(b, sizeof b, (double)kt.revenue / (double)kt.spend);
    buf_printf(&want, "; ROAS %s against %s.", a, b);
    assert_true(s.n >= 2);
    assert_string_equal(s.text[0], buf_cstr(&want));
    /* Without a comparison the same list follows, one shorter. */
    struct insights_sentences plain;
    assert_int_equal(insights_sentences(eng, &now, &c, &plain, &e), 0);
    assert_int_equal(plain.n + 1, s.n);
    for (size_t i = 0; i < plain.n; i++)
        assert_string_equal(plain.text[i], s.text[i + 1]);
    insights_sentences_release(&plain);
    insights_sentences_release(&s);

    /* A named range, and an earlier period without revenue. */
    then.from_day = now.from_day - 40;
    then.to_day = now.from_day - 31;
    cmp = (struct insights_compare){&then, then.from_day, then.to_day, 0};
    assert_int_equal(insights_sentences_compared(eng, &now, &cmp, &c, &s, &e), 0);
    /* (what follows depends on whether a fee without a date is spend of that period) */
    static const char none[] = "Revenue " FORMAT_RUPEE "1.9 lakh against none in 2025-01-25 to "
                               "2025-02-03";
    assert_memory_equal(s.text[0], none, strlen(none));
    assert_true(s.text[0][strlen(none)] == '.' || s.text[0][strlen(none)] == ';');
    insights_sentences_release(&s);

    /* The document: "compare" with the earlier period's figures, the sentence first. */
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_obj_begin(&j);
    then.from_day = then.to_day = now.from_day - 1;
    cmp = (struct insights_compare){&then, then.from_day, then.to_day, 1};
    assert_int_equal(insights_write_compared(&j, eng, &now, &cmp, &c, &e), 0);
    json_obj_end(&j);
    assert_int_equal(json_finish(&j, &e), 0);
    assert_non_null(strstr(buf_cstr(&out), "\"compare\":{\"from\":\"2025-03-05\",\"to\":"
                                           "\"2025-03-05\",\"days\":1,\"label\":\"the "
                                           "previous day\",\"revenue\":31000.00,"));
    assert_non_null(
        strstr(buf_cstr(&out), "\"sentences\":[\"Revenue up 520 % on the previous day"));
    buf_release(&out);
    buf_release(&want);
    engine_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_breaks_ties_by_revenue_then_id),
        cmocka_unit_test(test_pick_with_fewer_rows_than_two_lists),
        cmocka_unit_test(test_pick_without_spend_takes_lowest_revenue),
        cmocka_unit_test(test_influencer_json_keys_and_nulls),
        cmocka_unit_test_setup_teardown(test_sentences_on_the_fixture, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_document_members_on_the_fixture, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_diagnosis_names_no_orders_and_cost_per_order,
                                        make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_missing_data_gives_no_sentence, make_store,
                                        remove_store),
        cmocka_unit_test_setup_teardown(test_output_cap_is_an_error, make_store, remove_store),
        cmocka_unit_test_setup_teardown(test_comparison_sentence_and_member, make_store,
                                        remove_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
