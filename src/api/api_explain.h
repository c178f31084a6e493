/* api_explain.h — GET /api/explain?metric=NAME&FILTERS (SPEC §3.3), shared by the route and
 * `infludash explain`: how one KPI of /api/dashboard was computed.
 * Calls api_data, engine, filter, json, format and buf. */
#ifndef INFLUDASH_API_EXPLAIN_H
#define INFLUDASH_API_EXPLAIN_H

#include "api_data.h"
#include "buf.h"
#include "engine.h"
#include "err.h"
#include "filter.h"

/* Appends {"metric","label","value" (the dashboard's "kpis" value for the same filters and
 * settings),"formula","inputs":[{"name","value"}],"filters","rules":[{"name","text"}],
 * "rows":{"tracking_data","posts","payouts"} (stored rows behind it: 0 for a dataset that is
 * not),"rows_csv":{dataset: "/api/explain/rows.csv?…" for each dataset behind it}} to out.
 * metric is a KPI key, or one of the Payouts page's totals (GET /api/payouts "totals"):
 * payouts.recorded, payouts.paid, payouts.pending, payouts.mismatches,
 * payouts.not_comparable, payouts.influencers, whose value is that document's.
 * ERR_USAGE naming the choices for any other metric. */
int api_explain_json(const struct engine *eng, const struct filter *f, const struct api_settings *s,
                     const char *metric, struct buf *out, struct err *e);

/* The ENGINE_ROWS_* kinds of rows behind metric (engine_result_row_behind), or ERR_USAGE. */
int api_explain_rows(const char *metric, unsigned *rows, struct err *e);

#endif
