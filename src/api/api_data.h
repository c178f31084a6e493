/* api_data.h — the JSON documents of the analytics endpoints (SPEC §5), built from the
 * engine, shared by the HTTP routes and the CLI `query` (which prints the dashboard):
 *   GET /api/dashboard, /api/influencers, /api/influencers/{id}, /api/insights,
 *   /api/payouts.
 * Money is rupees with two decimals, ratios plain numbers (1.5 = 150 %), null where a
 * ratio has no denominator. Calls engine, filter, insights, json, format, number, tz, schema, buf
 * and err. */
#ifndef INFLUDASH_API_DATA_H
#define INFLUDASH_API_DATA_H

#include "buf.h"
#include "engine.h"
#include "err.h"
#include "filter.h"
#include "insights.h"
#include "json.h"
#include "tz.h"

/* What a request may set besides the filters: the incremental method and its share,
 * the benchmarks. Defaults: auto, p = 0.20, ROAS 4, ROI 200 %, top/bottom 5. */
/* Which table the CSV report writes (`table=`): the per-influencer metrics (default), the
 * KPIs (with the comparison's columns under compare=), or one breakdown. */
enum api_csv_table {
    API_CSV_INFLUENCERS,
    API_CSV_KPIS,
    API_CSV_PLATFORM,
    API_CSV_BRAND,
    API_CSV_CAMPAIGN,
    API_CSV_DAY,
    API_CSV_PRODUCT,
    API_CSV_SOURCE,
    API_CSV_NTABLES
};

/* "influencers", "kpis", "platform", "brand", "campaign", "day", "product", "source" */
const char *api_csv_table_name(enum api_csv_table t);

struct api_settings {
    struct insights_config insights;
    struct engine_incremental_opts incremental;
    struct filter_compare compare; /* `compare=` (SPEC §3.2); none by default */
    enum api_csv_table csv_table;  /* `table=` of the CSV report */
    int sort_by_roas; /* /api/influencers: sort=roas (by the ranking's key), else by revenue */
    /* the installation's time zone (serve --tz, default Asia/Kolkata): "as_of" is written in
     * it; NULL: UTC. Not owned. */
    const struct tz *tz;
};

/* Writes "as_of" (the engine's time of the last change to the data in s->tz, ISO 8601 with
 * its offset; null when unknown) and "time_zone" into the object the caller opened. Every
 * analytics document carries them. */
void api_as_of_json(struct json *j, const struct engine *eng, const struct api_settings *s);

void api_settings_default(struct api_settings *s);

/* Reads iroas_method (auto|organic|holdout|fixed_share), fixed_share (0..1),
 * roas_benchmark and roi_benchmark (numbers ≥ 0; roi as a fraction, 2 = 200 %), compare
 * (previous | FROM..TO, filter_compare_parse), table (api_csv_table_name), rank
 * (shrunk|raw), few_orders (a whole number ≥ 0) and sort (revenue|roas) through get
 * over s (whose values are the defaults for what is absent). ERR_USAGE with a message
 * starting with the parameter's name for a bad value. */
int api_settings_parse(struct api_settings *s, filter_get_fn get, void *ctx, struct err *e);

/* The keys of /api/dashboard's "kpis", in order (0 .. api_kpi_count() - 1), and one KPI's
 * value written as the dashboard writes it (money in rupees, ratios, null without a
 * denominator), so that /api/explain's "value" is the dashboard's. api_kpi_index: -1 for a
 * key that is not a KPI. */
size_t api_kpi_count(void);
const char *api_kpi_key(size_t i);
int api_kpi_index(const char *key);
void api_kpi_value_json(struct json *j, size_t i, const struct engine_kpis *k,
                        const struct engine_incremental *inc);

/* The comparison of SPEC §3.2, as the dashboard writes it, for other documents (explain):
 * api_compare_run runs the engine over settings' comparison period of f (other filters
 * unchanged): 1 with *r (engine_result_free) and its incremental revenue in *pinc, 0 when
 * settings ask for none or the data has no dated rows to measure "previous" by, < 0 an
 * error. api_compare_period_json writes "compare":{"from","to","days","kind"};
 * api_kpi_change_json one KPI's {"abs","rel"} as "kpis_change" has it, and
 * api_count_change_json the same for a count (money: paise written in rupees). */
int api_compare_run(const struct engine *eng, const struct filter *f, const struct api_settings *s,
                    int32_t *from, int32_t *to, struct engine_result **r,
                    struct engine_incremental *pinc, struct err *e);
void api_compare_period_json(struct json *j, const struct api_settings *s, int32_t from,
                             int32_t to);
void api_kpi_change_json(struct json *j, size_t i, const struct engine_kpis *k,
                         const struct engine_incremental *inc, const struct engine_kpis *pk,
                         const struct engine_incremental *pinc);
void api_count_change_json(struct json *j, int64_t now, int64_t then, int money);

/* Each appends one JSON document to out. With settings' compare, the dashboard adds after
 * "kpis" (SPEC §3.2):
 *   "compare":{"from","to","days","kind":"previous"|"range"}|null (null: `previous` with no
 *     dated data to measure the period by),
 *   "kpis_previous":{the keys of kpis over the comparison period, other filters unchanged}|null,
 *   "kpis_change":{per key of kpis {"abs","rel"}}|null: abs = now − then in the key's unit
 *     (money in rupees from the rounded paise, so it is the difference of the figures shown),
 *     null when either side is null; rel = abs / |then|, null when then is 0 or null (a
 *     change of a negative ROI is measured against its size, so a rise is positive);
 *     iroas_method, a name, has {"abs":null,"rel":null}.
 * ERR_USAGE for a filter the engine refuses (or a comparison period before year 1),
 * ERR_LIMIT as json_finish reports it (nesting past JSON_MAX_DEPTH). */
int api_dashboard_json(const struct engine *eng, const struct filter *f,
                       const struct api_settings *s, struct buf *out, struct err *e);
/* {"filters","sort","ranking":{"rank","few_orders_below","cohort_roas","between_variance",
 *  "interval"},"count","influencers":[every active influencer, by revenue descending, or
 *  with sort=roas by the shrunk (rank=raw: plain) ROAS descending, those without spend last]} */
int api_influencers_json(const struct engine *eng, const struct filter *f,
                         const struct api_settings *s, struct buf *out, struct err *e);
/* {"filters","influencer":{…,"followers"},"daily":[…],"by_campaign":[…],"posts":[…],
 *  "payout":{…}|null}; ERR_NOTFOUND when the engine has no influencer of that id. */
int api_influencer_json(const struct engine *eng, const struct filter *f, const char *id,
                        const struct api_settings *s, struct buf *out, struct err *e);
/* {"filters", insights_write's members, "incremental":{…}}; with settings' compare, the
 * sentences start with the comparison and "compare" gives the earlier period's figures
 * (insights_write_compared). */
int api_insights_json(const struct engine *eng, const struct filter *f,
                      const struct api_settings *s, struct buf *out, struct err *e);
/* {"filters","tolerance","totals":{…},"influencers":[…]} */
int api_payouts_json(const struct engine *eng, const struct filter *f, const struct api_settings *s,
                     struct buf *out, struct err *e);

/* GET /api/unattributed (SPEC §3.3): {"filters","total_revenue","attributed_revenue",
 *  "organic_revenue","unknown_influencer_revenue" (attributed + organic + unknown = total),
 *  the same four as "…_orders","sentences":[…],"by_source"|"by_campaign"|"by_brand"|"daily":
 *  [{"source"|"campaign"|"brand"|"date","revenue","orders","organic_revenue",
 *  "unknown_influencer_revenue"}],"unknown_ids":[{"influencer_id","orders","revenue"}]} */
int api_unattributed_json(const struct engine *eng, const struct filter *f,
                          const struct api_settings *s, struct buf *out, struct err *e);

/* GET /api/options: what the filters can choose from:
 * {"from":"2025-01-01"|null,"to":…|null,"platform":[…],"brand":[…],"product":[…],
 *  "campaign":[…],"source":[…],"category":[…],"gender":[…],"tier":[…],"persona":[…],
 *  "basis":[…],"influencer":[{"id","name"},…]} (sorted; influencers by id) */
int api_options_json(const struct engine *eng, const struct api_settings *s, struct buf *out,
                     struct err *e);

#endif
