/* report.h — the reports of SPEC §5 a marketer hands on: the filtered analytics as CSV,
 * PDF (cairo + pango, drawn natively) and XLSX (libxlsxwriter), the same from the Export
 * page, GET /api/export.{csv,pdf,xlsx} and `infludash export --format`. Every report
 * states the filters it was made with and when it was made. Each renderer queries the
 * engine itself (engine_run and its views, insights_sentences); and the rows behind a
 * figure (/api/explain/rows.csv). Calls api_tax (the table only), api_data (the settings, the CSV
 * table's name), engine, filter, insights, export, api_explain, csv, schema, format, tz and buf. */
#ifndef INFLUDASH_REPORT_H
#define INFLUDASH_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "api_data.h"
#include "api_explain.h"
#include "api_tax.h"
#include "engine.h"
#include "err.h"
#include "filter.h"
#include "store.h"

/* What every report is made from. Nothing is owned. */
struct report_input {
    const struct engine *eng;
    const struct filter *filter;         /* states itself: filter->from/to, filter_set() */
    const struct api_settings *settings; /* benchmarks, incremental method */
    int64_t made_at;                     /* unix seconds: "made on" line, file names */
    const char *period_label;            /* a scheduled report's relative period as resolved when it
                                          * ran ("last full week, 23–29 Nov 2026"), printed beside the
                                          * filters by the PDF and XLSX reports; NULL: none */
    const struct api_tax_table *tax;     /* an FY's TDS and GST (api_tax_table, the figures of
                                          * GET /api/payouts/tax): the XLSX's sheet "Tax" and the
                                          * PDF's last page "TDS and GST, FY ..."; NULL: none */
};

/* The comparison a report's settings ask for (SPEC §3.2, settings->compare): the earlier
 * period, its filter (the report's with the dates replaced; it points into in->filter) and
 * its KPIs. */
struct report_compare {
    int32_t from_day, to_day;
    char from[11], to[11];
    int previous; /* compare=previous (else a range) */
    struct engine_filter filter;
    struct engine_kpis kpis;
    struct engine_incremental inc;
};

/* 1 with *out filled, 0 when no comparison is asked (or `previous` has no dated data to
 * measure by), or a negative code with e filled (ERR_USAGE: a period before year 1). */
int report_compare_load(const struct report_input *in, struct report_compare *out, struct err *e);

/* Whether the groups' spend adds up to the total: only then is a group's spend a figure to
 * print (by platform always; by brand, campaign and day once the engine allocates spend,
 * SPEC §3.1); else the reports leave spend, ROAS and ROI empty rather than print 0. */
int report_groups_have_spend(const struct engine_group *g, size_t n, int64_t total);

/* The file name a report gets: "infludash-<name>-YYYYMMDD-HHMMSS.<ext>" in UTC. */
void report_file_name(const char *name, const char *ext, int64_t made_at, char *out, size_t cap);
/* The same with the report's filters, spelled as in a query string, after a space each:
 * "infludash-report-20260101-120000 from=2025-02-01 platform=Instagram,YouTube
 * min_roas=1.5.csv" (a value's / \ : * ? " < > | and control characters as '_'; past 160
 * bytes of filters the rest counted as " +N more"), then " table=T" for a CSV of another
 * table than the influencers and " compare=previous" or " compare=FROM..TO" when asked.
 * UTF-8 as the values are. Appended to out. The CSV report states its filters and time only there.
 */
void report_file_name_for(const char *name, const char *ext, const struct report_input *in,
                          struct buf *out);

/* A plain CSV table for pandas and spreadsheets (the header on line 1), chosen by
 * settings->csv_table (`table=`): by default one row per influencer of /api/influencers,
 * with cpm and cpe; `kpis`: metric,value (with compare=: earlier,abs,rel as kpis_previous
 * and kpis_change); `platform`, `brand`, `campaign`, `day`, `product`, `source`: one row per group
 * with revenue, orders, organic_revenue, spend, roas, roi, posts, reach, engagements (spend and its
 * ratios empty unless the groups' spend adds up to the total). Money in rupees with two decimals,
 * ratios at full precision (format_double) and text cells guarded against formulas
 * (csv_write_text). Its filters and time are in its file name (report_file_name_for). */
int report_csv(const struct report_input *in, FILE *out, struct err *e);

/* The stored rows of dataset ds that the filter covers (engine_result_keeps_row), as
 * `infludash export --dataset` writes them: canonical columns, then the extra ones. */
int report_dataset_csv(const struct report_input *in, struct store *s, enum dataset ds, FILE *out,
                       struct err *e);

/* The stored rows of ds behind metric (SPEC §3.3: /api/explain/rows.csv), as
 * report_dataset_csv writes them; as many as /api/explain's "rows" counts for ds. */
int report_explain_rows_csv(const struct report_input *in, struct store *s, const char *metric,
                            enum dataset ds, FILE *out, struct err *e);
/* The dataset named name ("" or NULL: the first of tracking_data, posts, payouts) among
 * those behind metric, or ERR_USAGE. */
int report_explain_dataset(const char *metric, const char *name, enum dataset *ds, struct err *e);

/* The PDF report (report_pdf.c) written to path. */
int report_pdf(const struct report_input *in, const char *path, struct err *e);

/* The XLSX workbook (report_xlsx.c) written to path. */
int report_xlsx(const struct report_input *in, const char *path, struct err *e);

#endif
