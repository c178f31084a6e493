/* api_simulate.h — GET /api/simulate (SPEC §10): the payout-model simulator's JSON over the
 * query's filters. Calls engine_simulate, engine, filter, json and number. */
#ifndef INFLUDASH_API_SIMULATE_H
#define INFLUDASH_API_SIMULATE_H

#include "buf.h"
#include "engine.h"
#include "engine_simulate.h"
#include "err.h"
#include "filter.h"

/* Reads basis (required: post|order|revenue_share|hybrid|actual), rate (required but for
 * actual) and share (hybrid, default 0) through get; ERR_USAGE naming the parameter. */
int api_simulate_terms(struct engine_sim_terms *t, filter_get_fn get, void *ctx, struct err *e);

/* {"filters","basis","rate","share","total":{"cost","revenue","roas","actual_cost",
 *  "actual_roas","change"},"influencers":[{"influencer_id","name","revenue","posts",
 *  "orders","cost","roas","actual_cost","change","break_even_rate"}]}; money in rupees,
 *  change = cost − actual_cost, null ratios where undefined. */
int api_simulate_json(const struct engine *eng, const struct filter *f,
                      const struct engine_sim_terms *t, struct buf *out, struct err *e);

#endif
