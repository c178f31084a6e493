/* insights.h — the Insights of SPEC §3/§5 over the public engine API: top and bottom
 * influencers, poor ROI with a reason and a likely cause, best personas, comparisons by
 * platform, brand and campaign, and plain sentences a marketer can paste into a mail.
 * One place writes an influencer as JSON, so every endpoint shows the same keys.
 * Calls engine, schema_value (dates), json, format, buf and err. */
#ifndef INFLUDASH_INSIGHTS_H
#define INFLUDASH_INSIGHTS_H

#include <stddef.h>

#include "buf.h"
#include "engine.h"
#include "err.h"
#include "json.h"

/* Read once at start and passed down (SPEC §3 benchmarks are configurable). */
struct insights_config {
    double roas_benchmark; /* revenue / spend; default 4 */
    double roi_benchmark;  /* (revenue − spend) / spend as a fraction; default 2.0 = 200 % */
    size_t top_n;          /* length of the top and bottom lists; default 5 */
    /* how rankings by ROAS rank (bottom influencers, best personas): shrunk by default */
    struct engine_rank_opts rank;
};

#define INSIGHTS_CONFIG_INIT                                                                       \
    {                                                                                              \
        4.0, 2.0, 5,                                                                               \
        {                                                                                          \
            ENGINE_RANK_SHRUNK, ENGINE_RANK_FEW_ORDERS                                             \
        }                                                                                          \
    }

void insights_config_init(struct insights_config *c);

/* Chooses the top and bottom influencers of rows (any order) as indexes into rows.
 * Top: the min(k, n) highest revenues, ties by id. Bottom, from the rows not in top: the
 * lowest rank.key (the shrunk or raw ROAS, as the rows were ranked) among those with spend > 0
 * (ties: lower revenue, then id); when none of them has spend, the lowest revenues (ties by id).
 * Both lists are in that order, at most k long and never share a row, so n < 2k gives a shorter
 * bottom. top and bottom need room for min(k, n) indexes each. */
void insights_pick(const struct engine_influencer_row *rows, size_t n, size_t k, size_t *top,
                   size_t *ntop, size_t *bottom, size_t *nbottom);

/* Writes one influencer as a JSON object, the form every endpoint uses:
 * {"influencer_id","name","platform","category","gender","tier","persona" (strings, null
 *  when the influencer lacks them),"revenue","orders","spend","posts","reach","engagements",
 *  "roas","roi","engagement_rate","engagement_rate_followers","engagement_rate_views",
 *  "followers","cpo","aov","cpe","roas_shrunk","roas_low","roas_high","few_orders"}
 * Money (revenue, spend, cpo = spend/orders, aov = revenue/orders, cpe =
 * spend/engagements) in rupees with two decimals (json_money; per-unit figures rounded to
 * the paisa); engagement_rate = engagements/reach, engagement_rate_followers and _views as
 * engine_kpis (followers: the influencer's follower_count, null when unknown). A ratio whose
 * denominator is 0 is null. Returns 0, or -1 once the json's output failed (see json_finish). */
int insights_influencer_json(struct json *j, const struct engine_influencer_row *r);
/* The ranking members of a ranked row (engine_ranked): "roas_shrunk","roas_low","roas_high"
 * (null without spend) and "few_orders", into the object the caller opened. */
void insights_ranked_json(struct json *j, const struct engine_ranked *r);

/* The longest poor_roi list written (the counts cover every one). */
#define INSIGHTS_MAX_POOR 50

/* Writes the members of the /api/insights document into the object the caller opened
 * (the caller writes "filters" before and closes the object after):
 *   "benchmarks":{"roas":4,"roi":2},
 *   "top_influencers":[influencer…], "bottom_influencers":[influencer…]   (insights_pick),
 *   "poor_roi_count":N, "losing_money_count":N (all of them),
 *   "poor_roi":[the worst INSIGHTS_MAX_POOR: influencer + "reason","diagnosis",
 *               "severity":"losing_money"|"below_benchmark"]   (losing money first, then by
 *               ROAS ascending, then revenue ascending, then id),
 *   "personas":{"category_gender":[{"category","gender",group…}],"tier":[{"tier",group…}],
 *               "best_category_gender":{…}|null,"best_tier":{…}|null},
 *   "comparisons":{"platform":[{"platform",group…}],"brand":[{"brand",group…}],
 *                  "campaign":[{"campaign",group…}],"best_platform":"…"|null,
 *                  "worst_platform":"…"|null},
 *   "sentences":["…",…]
 * where group… is "influencers" (personas only),"revenue","orders","organic_revenue"
 * (comparisons only),"spend","posts","reach" (comparisons only),"roas" (null without
 * spend), the members of insights_ranked_json (personas only),"revenue_share" (of the list's
 * attributed revenue; null when that is 0). A best persona has the highest ROAS among those with
 * spend (ties: more revenue), and is null when fewer than two have spend; best and worst platform
 * likewise by ROAS. An empty name (no platform, no brand) is written as null. When the engine
 * cannot break down by campaign (ERR_USAGE), "campaign" is [] and nothing else changes. Queries the
 * engine a fixed number of times: influencers once (twice when some influencer has poor ROI: the
 * second with basis flat/hybrid to find recorded fees), personas twice, breakdowns three times.
 * Returns 0, or a negative code with e filled: the engine's error, or ERR_LIMIT when the json's
 * output failed. */
int insights_write(struct json *j, const struct engine *eng, const struct engine_filter *f,
                   const struct insights_config *c, struct err *e);

/* An earlier period to compare with (SPEC §3.2): its filter (the same as the query's but
 * for the dates) and how a sentence names it. */
struct insights_compare {
    const struct engine_filter *filter;
    int32_t from_day, to_day; /* the earlier period, inclusive */
    int previous;             /* 1: "the previous N days"; 0: "FROM to TO" */
};

/* insights_write with a comparison (cmp NULL: none): the sentences start with how revenue,
 * spend and ROAS moved against the earlier period ("Revenue up 12 % on the previous 30 days
 * (₹12.3 lakh against ₹11 lakh); spend up 3 %; ROAS 3.1 against 2.9."), and the document
 * gains "compare":{"from","to","days","label","revenue","spend","roas"} (the earlier
 * period's figures; roas null without spend). One more engine query. */
int insights_write_compared(struct json *j, const struct engine *eng, const struct engine_filter *f,
                            const struct insights_compare *cmp, const struct insights_config *c,
                            struct err *e);

/* The "sentences" of insights_write alone (for PDF and mail), in the same order. */
#define INSIGHTS_MAX_SENTENCES 9

struct insights_sentences {
    char *text[INSIGHTS_MAX_SENTENCES]; /* UTF-8, one sentence each, owned */
    size_t n;
};

/* Fills out (which the caller releases with insights_sentences_release, also after an
 * error). Returns 0, or a negative code with e filled by the engine. */
int insights_sentences(const struct engine *eng, const struct engine_filter *f,
                       const struct insights_config *c, struct insights_sentences *out,
                       struct err *e);
/* insights_sentences with a comparison first (cmp NULL: none), as insights_write_compared. */
int insights_sentences_compared(const struct engine *eng, const struct engine_filter *f,
                                const struct insights_compare *cmp, const struct insights_config *c,
                                struct insights_sentences *out, struct err *e);
void insights_sentences_release(struct insights_sentences *s);

#endif
