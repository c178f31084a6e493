/* report_xlsx.c — the XLSX workbook of SPEC §5 (report.h): sheets Summary (filters, period,
 * KPIs against the benchmarks, with compare= the KPIs of the earlier period and the change,
 * insight sentences, how iROAS was computed, a native chart), Influencers, Platforms,
 * Personas, Daily, Payouts, Brands, Campaigns, Products and Sources (spend, ROAS and ROI
 * where the groups' spend adds up), with real number formats, frozen
 * headers and autofilters. Written by libxlsxwriter in constant_memory mode (each sheet's
 * rows in order, straight to a temp file) to path.tmp, then renamed over path.
 * Calls report, engine, filter, insights, format, tz, schema, buf and err; reads api_data's
 * settings. */
#include "report.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "buf.h"
#include "format.h"
#include "insights.h"
#include "schema.h"

#include "banned.h"

/* Number formats. Spreadsheets group digits by the reader's locale, and a format's own
 * locale tag does not change that; Indian grouping (1,23,45,678) is therefore spelled out
 * with literal commas, which need exactly as many digits as the pattern has places. So
 * every money and integer cell gets the pattern of its magnitude (grouped_format):
 * level 0 "#,##0" below one lakh, level 1 "##\,##\,##0" below one crore, and one more
 * "\,##" per further factor of 100. One section without conditions, so a negative amount
 * keeps its minus sign (LibreOffice drops it in a conditional section, measured).
 * [$₹-4009] is the rupee sign tagged en-IN, read by Excel and LibreOffice alike. */
#define XLSX_RUPEE "[$" FORMAT_RUPEE "-4009]"
#define XLSX_GROUP_LEVELS 8
/* Chart axis labels are never negative: two conditions are safe there. */
#define XLSX_FMT_AXIS_MONEY                                                                        \
    "[>=10000000]" XLSX_RUPEE "##\\,##\\,##\\,##0;[>=100000]" XLSX_RUPEE                           \
    "##\\,##\\,##0;" XLSX_RUPEE "#,##0"
#define XLSX_FMT_PERCENT "0.0%"
#define XLSX_FMT_SMALL_PERCENT "0.00%"
#define XLSX_FMT_RATIO "0.00"
#define XLSX_FMT_DATE "yyyy-mm-dd"
#define XLSX_FMT_DATETIME "yyyy-mm-dd hh:mm:ss \"UTC\""

/* Excel's day number of 1970-01-01 (its epoch is 1899-12-30). */
#define XLSX_UNIX_EPOCH_DAY 25569.0
/* The longest text a cell holds (Excel's limit, in characters; we count bytes). */
#define XLSX_MAX_TEXT 32767

enum xlsx_format {
    XF_TITLE,
    XF_HEADING,
    XF_HEADER,
    XF_LABEL,
    XF_TEXT,
    XF_PERCENT,
    XF_SMALL_PERCENT,
    XF_RATIO,
    XF_DATE,
    XF_DATETIME,
    XF_COUNT
};

/* One workbook being written: the formats, the first libxlsxwriter error (later writes are
 * still attempted, so the file is closed and freed on one path) and a scratch buffer for
 * text cells. */
struct xlsx {
    lxw_workbook *wb;
    lxw_format *fmt[XF_COUNT];
    /* Money and integer formats by grouping level, made when first needed. */
    lxw_format *money[XLSX_GROUP_LEVELS], *integer[XLSX_GROUP_LEVELS];
    lxw_error first_error;
    const char *error_sheet; /* the sheet being written at the first error, NULL before */
    struct buf text;
};

/* A column of a table: its header and width in characters. */
struct xlsx_column {
    const char *header;
    double width;
};

/* Everything the sheets are made from, computed once. */
struct xlsx_data {
    const struct report_input *in;
    struct engine_result *result;
    const struct engine_kpis *kpis;
    struct engine_incremental inc;
    struct engine_group *platforms, *days, *brands, *campaigns, *products, *sources;
    size_t nplatforms, ndays, nbrands, ncampaigns, nproducts, nsources;
    int has_compare; /* compare= asked for and a period found */
    struct report_compare compare;
    struct engine_influencer_row *influencers;
    size_t ninfluencers;
    struct engine_persona_row *category_gender, *tiers;
    size_t ncategory_gender, ntiers;
    struct engine_payout_row *payouts;
    size_t npayouts;
    struct engine_payout_totals payout_totals;
    struct insights_sentences sentences;
};

/* ---- cells --------------------------------------------------------------------------- */

static void note_error(struct xlsx *x, lxw_error rc)
{
    if (rc != LXW_NO_ERROR && x->first_error == LXW_NO_ERROR)
        x->first_error = rc;
}

/* Text as a cell: nothing for NULL or "" (an absent attribute is an empty cell). Control
 * characters other than tab and newline, which XML cannot carry, become spaces; text past
 * the cell limit is cut at a UTF-8 character boundary. */
static void put_text(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
                     enum xlsx_format f)
{
    if (!s || !*s)
        return;
    size_t len = strlen(s);
    if (len > XLSX_MAX_TEXT) {
        len = XLSX_MAX_TEXT;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    buf_reset(&x->text);
    buf_append(&x->text, s, len);
    for (size_t i = 0; i < x->text.len; i++) {
        unsigned char c = (unsigned char)x->text.data[i];
        if (c < 0x20 && c != '\t' && c != '\n')
            x->text.data[i] = ' ';
    }
    note_error(x, worksheet_write_string(ws, row, col, buf_cstr(&x->text), x->fmt[f]));
}

static void put_number(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
                       enum xlsx_format f)
{
    if (isfinite(v))
        note_error(x, worksheet_write_number(ws, row, col, v, x->fmt[f]));
}

/* The money (₹, two decimals) or integer format with Indian grouping for v. The level
 * follows the value as displayed (rounded to the paisa or the unit). */
static lxw_format *grouped_format(struct xlsx *x, int money, double v)
{
    double whole = money ? floor(fabs(round(v * 100.0)) / 100.0) : fabs(round(v));
    int level = 0;
    for (double limit = 1e5; whole >= limit && level < XLSX_GROUP_LEVELS - 1; limit *= 100.0)
        level++;
    lxw_format **slot = money ? &x->money[level] : &x->integer[level];
    if (!*slot) {
        char pattern[128];
        size_t len = (size_t)snprintf(pattern, sizeof pattern, "%s", money ? XLSX_RUPEE : "");
        if (level == 0) {
            snprintf(pattern + len, sizeof pattern - len, "#,##0");
        } else {
            len += (size_t)snprintf(pattern + len, sizeof pattern - len, "##");
            for (int i = 0; i < level; i++)
                len += (size_t)snprintf(pattern + len, sizeof pattern - len, "\\,##");
            snprintf(pattern + len, sizeof pattern - len, "\\,##0");
        }
        len = strlen(pattern);
        if (money)
            snprintf(pattern + len, sizeof pattern - len, ".00");
        *slot = workbook_add_format(x->wb);
        format_set_num_format(*slot, pattern);
    }
    return *slot;
}

static void put_grouped(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
                        int money)
{
    if (isfinite(v))
        note_error(x, worksheet_write_number(ws, row, col, v, grouped_format(x, money, v)));
}

static void put_money(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      int64_t paise)
{
    put_grouped(x, ws, row, col, (double)paise / 100.0, 1);
}

static void put_int(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t v)
{
    put_grouped(x, ws, row, col, (double)v, 0);
}

/* A ratio, or an empty cell when it has no denominator (never 0). */
static void put_ratio(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      struct engine_ratio r, enum xlsx_format f)
{
    if (r.has)
        put_number(x, ws, row, col, r.value, f);
}

/* A per-unit amount in paise (CPO, AOV, ...), as rupees; empty when undefined. */
static void put_money_ratio(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                            struct engine_ratio r)
{
    if (r.has)
        put_grouped(x, ws, row, col, r.value / 100.0, 1);
}

static struct engine_ratio ratio_of(int64_t num, int64_t den)
{
    struct engine_ratio r = {0, 0.0};
    if (den != 0) {
        r.has = 1;
        r.value = (double)num / (double)den;
    }
    return r;
}

/* The header row of a table with its column widths. */
static void put_header(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t first_col,
                       const struct xlsx_column *cols, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        lxw_col_t c = (lxw_col_t)(first_col + i);
        note_error(x, worksheet_set_column(ws, c, c, cols[i].width, NULL));
        put_text(x, ws, row, c, cols[i].header, XF_HEADER);
    }
}

/* Frozen header rows and an autofilter over a table's header and its nrows rows. Called
 * right after the header, before any row: in constant_memory mode libxlsxwriter refuses
 * (LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE) a range that ends above a row already written,
 * which a table beside a longer one would otherwise do. */
static void filter_table(struct xlsx *x, lxw_worksheet *ws, lxw_row_t header_row,
                         lxw_col_t first_col, size_t ncols, size_t nrows)
{
    worksheet_freeze_panes(ws, header_row + 1, 0);
    note_error(x, worksheet_autofilter(ws, header_row, first_col, (lxw_row_t)(header_row + nrows),
                                       (lxw_col_t)(first_col + ncols - 1)));
}

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Summary ------------------------------------------------------------------------- */

/* The label of a filter parameter on the Summary sheet. */
static void put_filter_label(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, enum filter_param p)
{
    static const char *const labels[FILTER_NPARAMS] = {
        [FILTER_PLATFORM] = "Platform",  [FILTER_BRAND] = "Brand",
        [FILTER_PRODUCT] = "Product",    [FILTER_CAMPAIGN] = "Campaign",
        [FILTER_SOURCE] = "Source",      [FILTER_CATEGORY] = "Category",
        [FILTER_GENDER] = "Gender",      [FILTER_TIER] = "Tier",
        [FILTER_PERSONA] = "Persona",    [FILTER_INFLUENCER] = "Influencer",
        [FILTER_BASIS] = "Payout basis", [FILTER_MIN_ROAS] = "Min ROAS",
    };
    const char *label = labels[p] ? labels[p] : filter_param_name(p);
    put_text(x, ws, row, 0, label, XF_LABEL);
}

/* A filter's values joined by ", " in one cell; past the cell limit, "… and N more". */
static void put_filter_values(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row,
                              const struct engine_set *set)
{
    struct cbuf joined;
    cbuf_init(&joined, XLSX_MAX_TEXT - 64);
    size_t i = 0;
    for (; i < set->n; i++) {
        size_t mark = joined.b.len;
        if ((i && cbuf_puts(&joined, ", ") < 0) || cbuf_puts(&joined, set->values[i]) < 0) {
            buf_truncate(&joined.b, mark);
            break;
        }
    }
    /* The tail has the 64 bytes kept free under the cell's limit. */
    if (i < set->n)
        buf_printf(&joined.b, " … and %zu more", set->n - i);
    put_text(x, ws, row, 1, cbuf_cstr(&joined), XF_TEXT);
    cbuf_release(&joined);
}

/* Title, made-on time, period and filters, from row 0; returns the next free row. */
static lxw_row_t put_statement(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    const struct filter *f = d->in->filter;
    lxw_row_t row = 0;
    put_text(x, ws, row++, 0, "infludash — influencer marketing report", XF_TITLE);
    row++;
    put_text(x, ws, row, 0, "Made on", XF_LABEL);
    put_number(x, ws, row++, 1, (double)d->in->made_at / 86400.0 + XLSX_UNIX_EPOCH_DAY,
               XF_DATETIME);
    /* "Data as of": the last change to the data, in the installation's time zone */
    char as_of[TZ_ISO_MAX + 48];
    const struct tz *zone = d->in->settings ? d->in->settings->tz : NULL;
    tz_format_iso(zone, engine_as_of(d->in->eng), as_of);
    if (as_of[0]) {
        size_t len = strlen(as_of);
        snprintf(as_of + len, sizeof as_of - len, " (%s)", zone ? tz_name(zone) : "UTC");
    }
    put_text(x, ws, row, 0, "Data as of", XF_LABEL);
    put_text(x, ws, row++, 1, as_of[0] ? as_of : "unknown (no change recorded)", XF_TEXT);

    int32_t first = 0, last = 0;
    int have_days = engine_day_range(d->in->eng, &first, &last) == 0;
    char first_iso[11] = "", last_iso[11] = "", period[96];
    if (have_days) {
        schema_days_to_iso(first, first_iso);
        schema_days_to_iso(last, last_iso);
    }
    const char *from = f->from[0] ? f->from : first_iso;
    const char *to = f->to[0] ? f->to : last_iso;
    if (!f->from[0] && !f->to[0] && !have_days)
        snprintf(period, sizeof period, "All dates (the data has no dated rows)");
    else
        snprintf(period, sizeof period, "%s to %s%s", from[0] ? from : "the start",
                 to[0] ? to : "the end",
                 !f->from[0] && !f->to[0] ? " (all dates in the data)" : "");
    put_text(x, ws, row, 0, "Period", XF_LABEL);
    put_text(x, ws, row++, 1, d->in->period_label ? d->in->period_label : period, XF_TEXT);

    put_text(x, ws, row++, 0, "Filters", XF_HEADING);
    int any = 0;
    if (f->from[0] || f->to[0]) {
        any = 1;
        put_text(x, ws, row, 0, "Dates", XF_LABEL);
        snprintf(period, sizeof period, "%s to %s", f->from[0] ? f->from : "the start",
                 f->to[0] ? f->to : "the end");
        put_text(x, ws, row++, 1, period, XF_TEXT);
    }
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const struct engine_set *set = filter_set(f, (enum filter_param)p);
        if (!set || set->n == 0)
            continue;
        any = 1;
        put_filter_label(x, ws, row, (enum filter_param)p);
        put_filter_values(x, ws, row++, set);
    }
    if (f->f.has_min_roas) {
        any = 1;
        put_filter_label(x, ws, row, FILTER_MIN_ROAS);
        put_number(x, ws, row++, 1, f->f.min_roas, XF_RATIO);
    }
    if (!any)
        put_text(x, ws, row++, 0, "All data", XF_TEXT);
    return row + 1;
}

/* "met" / "not met" against a benchmark; "no spend" when the ratio is undefined. */
static const char *benchmark_status(struct engine_ratio r, double benchmark)
{
    if (!r.has)
        return "no spend";
    return r.value >= benchmark ? "met" : "not met";
}

static lxw_row_t put_kpis(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row,
                          const struct xlsx_data *d)
{
    static const struct xlsx_column cols[] = {
        {"Metric", 26}, {"Value", 20}, {"Benchmark", 12}, {"Status", 10}, {"Note", 60}};
    const struct engine_kpis *k = d->kpis;
    const struct insights_config *c = &d->in->settings->insights;
    const char *method = engine_iroas_method_name(d->inc.method);
    char note[160];

    put_text(x, ws, row++, 0, "Key figures", XF_HEADING);
    put_header(x, ws, row++, 0, cols, NCOLS(cols));

    put_text(x, ws, row, 0, "Revenue", XF_LABEL);
    put_money(x, ws, row, 1, k->revenue);
    put_text(x, ws, row++, 4, "attributed (non-organic) orders", XF_TEXT);
    put_text(x, ws, row, 0, "Orders", XF_LABEL);
    put_int(x, ws, row++, 1, k->orders);
    put_text(x, ws, row, 0, "Spend", XF_LABEL);
    put_money(x, ws, row, 1, k->spend);
    put_text(x, ws, row++, 4, "earned under each influencer's payout terms", XF_TEXT);

    put_text(x, ws, row, 0, "ROAS", XF_LABEL);
    put_ratio(x, ws, row, 1, k->roas, XF_RATIO);
    put_number(x, ws, row, 2, c->roas_benchmark, XF_RATIO);
    put_text(x, ws, row, 3, benchmark_status(k->roas, c->roas_benchmark), XF_TEXT);
    put_text(x, ws, row++, 4, "revenue / spend", XF_TEXT);
    put_text(x, ws, row, 0, "ROI", XF_LABEL);
    put_ratio(x, ws, row, 1, k->roi, XF_PERCENT);
    put_number(x, ws, row, 2, c->roi_benchmark, XF_PERCENT);
    put_text(x, ws, row, 3, benchmark_status(k->roi, c->roi_benchmark), XF_TEXT);
    put_text(x, ws, row++, 4, "(revenue − spend) / spend", XF_TEXT);

    snprintf(note, sizeof note, "method: %s (see below)", method);
    put_text(x, ws, row, 0, "Incremental revenue", XF_LABEL);
    put_money(x, ws, row, 1, d->inc.incremental_revenue);
    put_text(x, ws, row++, 4, note, XF_TEXT);
    snprintf(note, sizeof note, "incremental revenue / spend; method: %s", method);
    put_text(x, ws, row, 0, "iROAS", XF_LABEL);
    put_ratio(x, ws, row, 1, d->inc.iroas, XF_RATIO);
    put_text(x, ws, row++, 4, note, XF_TEXT);
    put_text(x, ws, row, 0, "iROAS method", XF_LABEL);
    put_text(x, ws, row++, 1, method, XF_TEXT);

    put_text(x, ws, row, 0, "Organic revenue", XF_LABEL);
    put_money(x, ws, row, 1, k->organic_revenue);
    put_text(x, ws, row++, 4, "orders without an influencer", XF_TEXT);
    put_text(x, ws, row, 0, "Engagement rate", XF_LABEL);
    put_ratio(x, ws, row, 1, k->engagement_rate, XF_PERCENT);
    put_text(x, ws, row++, 4, "(likes + comments + shares + saves) / reach", XF_TEXT);
    put_text(x, ws, row, 0, "Engagement rate (followers)", XF_LABEL);
    put_ratio(x, ws, row, 1, k->engagement_rate_followers, XF_PERCENT);
    put_text(x, ws, row++, 4, "engagements / followers, once per post of influencers with a count",
             XF_TEXT);
    put_text(x, ws, row, 0, "Engagement rate (views)", XF_LABEL);
    put_ratio(x, ws, row, 1, k->engagement_rate_views, XF_PERCENT);
    put_text(x, ws, row++, 4, "engagements / views, over posts with video_views or impressions",
             XF_TEXT);
    put_text(x, ws, row, 0, "CPO", XF_LABEL);
    put_money_ratio(x, ws, row, 1, k->cpo);
    put_text(x, ws, row++, 4, "spend / orders", XF_TEXT);
    put_text(x, ws, row, 0, "AOV", XF_LABEL);
    put_money_ratio(x, ws, row, 1, k->aov);
    put_text(x, ws, row++, 4, "revenue / orders", XF_TEXT);
    put_text(x, ws, row, 0, "CPM", XF_LABEL);
    put_money_ratio(x, ws, row, 1, k->cpm);
    put_text(x, ws, row++, 4, "spend per 1,000 reached", XF_TEXT);
    put_text(x, ws, row, 0, "CPE", XF_LABEL);
    put_money_ratio(x, ws, row, 1, k->cpe);
    put_text(x, ws, row++, 4, "spend / engagements", XF_TEXT);
    put_text(x, ws, row, 0, "Conversion rate", XF_LABEL);
    put_ratio(x, ws, row, 1, k->conversion_rate, XF_SMALL_PERCENT);
    put_text(x, ws, row++, 4, "orders / reach", XF_TEXT);
    put_text(x, ws, row, 0, "Revenue per post", XF_LABEL);
    put_money_ratio(x, ws, row++, 1, k->revenue_per_post);
    put_text(x, ws, row, 0, "Influencers", XF_LABEL);
    put_int(x, ws, row++, 1, k->influencers);
    put_text(x, ws, row, 0, "Posts", XF_LABEL);
    put_int(x, ws, row++, 1, k->posts);
    put_text(x, ws, row, 0, "Reach", XF_LABEL);
    put_int(x, ws, row++, 1, k->reach);
    put_text(x, ws, row, 0, "Engagements", XF_LABEL);
    put_int(x, ws, row++, 1, k->engagements);
    return row + 1;
}

static lxw_row_t put_sentences(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row,
                               const struct xlsx_data *d)
{
    put_text(x, ws, row++, 0, "Insights", XF_HEADING);
    if (d->sentences.n == 0)
        put_text(x, ws, row++, 0, "No insights for this selection.", XF_TEXT);
    for (size_t i = 0; i < d->sentences.n; i++)
        put_text(x, ws, row++, 0, d->sentences.text[i], XF_TEXT);
    return row + 1;
}

/* How incremental revenue and iROAS were computed (SPEC §3: always shown with them). */
static lxw_row_t put_incremental(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row,
                                 const struct xlsx_data *d)
{
    const struct engine_incremental *inc = &d->inc;
    put_text(x, ws, row++, 0, "How iROAS was computed", XF_HEADING);
    put_text(x, ws, row, 0, "Method", XF_LABEL);
    put_text(x, ws, row, 1, engine_iroas_method_name(inc->method), XF_TEXT);
    if (inc->requested != inc->method) {
        char asked[96];
        snprintf(asked, sizeof asked, "asked for: %s", engine_iroas_method_name(inc->requested));
        put_text(x, ws, row, 4, asked, XF_TEXT);
    }
    row++;
    put_text(x, ws, row, 0, "Basis", XF_LABEL);
    put_text(x, ws, row++, 1, inc->why, XF_TEXT);
    put_text(x, ws, row, 0, "Formula", XF_LABEL);
    put_text(x, ws, row++, 1, "iROAS = incremental revenue / spend", XF_TEXT);
    switch (inc->method) {
    case ENGINE_IROAS_ORGANIC:
        put_text(x, ws, row, 0, "Baseline daily revenue", XF_LABEL);
        put_money(x, ws, row, 1, inc->baseline_daily);
        put_text(x, ws, row++, 4, "mean daily revenue on days without influencer activity",
                 XF_TEXT);
        put_text(x, ws, row, 0, "Baseline days", XF_LABEL);
        put_int(x, ws, row++, 1, inc->baseline_days);
        put_text(x, ws, row, 0, "Campaign days", XF_LABEL);
        put_int(x, ws, row++, 1, inc->campaign_days);
        if (inc->has_interval) {
            put_text(x, ws, row, 0, "95 % interval, low", XF_LABEL);
            put_money(x, ws, row, 1, inc->low);
            put_ratio(x, ws, row, 2, inc->iroas_low, XF_RATIO);
            put_text(x, ws, row++, 4, "incremental revenue and iROAS", XF_TEXT);
            put_text(x, ws, row, 0, "95 % interval, high", XF_LABEL);
            put_money(x, ws, row, 1, inc->high);
            put_ratio(x, ws, row, 2, inc->iroas_high, XF_RATIO);
            put_text(x, ws, row++, 4, "incremental revenue and iROAS", XF_TEXT);
        }
        put_text(x, ws, row, 0, "Bootstrap resamples", XF_LABEL);
        put_int(x, ws, row, 1, inc->bootstrap);
        put_text(x, ws, row++, 4, "percentile bootstrap over days", XF_TEXT);
        put_text(x, ws, row, 0, "Seed", XF_LABEL);
        put_grouped(x, ws, row++, 1, (double)inc->seed, 0);
        break;
    case ENGINE_IROAS_HOLDOUT:
        put_text(x, ws, row, 0, "Test revenue", XF_LABEL);
        put_money(x, ws, row++, 1, inc->test_revenue);
        put_text(x, ws, row, 0, "Control revenue", XF_LABEL);
        put_money(x, ws, row++, 1, inc->control_revenue);
        put_text(x, ws, row, 0, "Test rows", XF_LABEL);
        put_int(x, ws, row++, 1, inc->test_rows);
        put_text(x, ws, row, 0, "Control rows", XF_LABEL);
        put_int(x, ws, row++, 1, inc->control_rows);
        break;
    default:
        put_text(x, ws, row, 0, "Fixed share", XF_LABEL);
        put_number(x, ws, row, 1, inc->fixed_share, XF_PERCENT);
        put_text(x, ws, row++, 4, "of attributed revenue taken as coming anyway", XF_TEXT);
        break;
    }
    return row;
}

/* Revenue and spend by platform, a column chart over the Platforms sheet. */
static void put_platform_chart(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    if (!chart) {
        note_error(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    /* An empty selection still gets a chart: over the (empty) first row. */
    lxw_row_t last = (lxw_row_t)(d->nplatforms > 0 ? d->nplatforms : 1);
    for (lxw_col_t col = 1; col <= 2; col++) {
        lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
        if (!s) {
            note_error(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(s, "Platforms", 1, 0, last, 0);
        chart_series_set_values(s, "Platforms", 1, col, last, col);
        chart_series_set_name_range(s, "Platforms", 0, col);
    }
    chart_title_set_name(chart, "Revenue and spend by platform");
    chart_axis_set_num_format(chart->y_axis, XLSX_FMT_AXIS_MONEY);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options opt = {.x_offset = 10, .y_offset = 0, .x_scale = 1.3, .y_scale = 1.3};
    note_error(x, worksheet_insert_chart_opt(ws, 2, 6, chart, &opt));
}

/* A figure of the comparison: now, then, the change and the change relative to |then|
 * (empty where a side has no value or then is 0). kind: 0 money (paise), 1 count, 2 ratio,
 * 3 percent ratio. */
static void put_compared(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, const char *label,
                         int kind, int has_now, double now, int has_then, double then)
{
    put_text(x, ws, row, 0, label, XF_LABEL);
    for (int side = 0; side < 3; side++) {
        int has = side == 0 ? has_now : side == 1 ? has_then : has_now && has_then;
        double v = side == 0 ? now : side == 1 ? then : now - then;
        if (!has)
            continue;
        lxw_col_t col = (lxw_col_t)(1 + side);
        if (kind == 0)
            put_grouped(x, ws, row, col, v / 100.0, 1);
        else if (kind == 1)
            put_grouped(x, ws, row, col, v, 0);
        else
            put_number(x, ws, row, col, v, kind == 2 ? XF_RATIO : XF_PERCENT);
    }
    if (has_now && has_then && then != 0)
        put_number(x, ws, row, 4, (now - then) / fabs(then), XF_PERCENT);
}

static lxw_row_t put_comparison(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row,
                                const struct xlsx_data *d)
{
    if (!d->has_compare)
        return row;
    static const struct xlsx_column cols[] = {
        {"Metric", 26}, {"Value", 20}, {"Earlier", 12}, {"Change", 10}, {"Change %", 60}};
    const struct report_compare *c = &d->compare;
    const struct engine_kpis *k = d->kpis, *p = &c->kpis;
    char title[96];
    snprintf(title, sizeof title, "Compared with %s to %s (%s)", c->from, c->to,
             c->previous ? "the previous period" : "the period asked for");
    put_text(x, ws, row++, 0, title, XF_HEADING);
    put_header(x, ws, row++, 0, cols, NCOLS(cols));
#define R(r) (r).has, (r).value
    put_compared(x, ws, row++, "Revenue", 0, 1, (double)k->revenue, 1, (double)p->revenue);
    put_compared(x, ws, row++, "Orders", 1, 1, (double)k->orders, 1, (double)p->orders);
    put_compared(x, ws, row++, "Spend", 0, 1, (double)k->spend, 1, (double)p->spend);
    put_compared(x, ws, row++, "ROAS", 2, R(k->roas), R(p->roas));
    put_compared(x, ws, row++, "ROI", 3, R(k->roi), R(p->roi));
    put_compared(x, ws, row++, "Incremental revenue", 0, 1, (double)d->inc.incremental_revenue, 1,
                 (double)c->inc.incremental_revenue);
    put_compared(x, ws, row++, "iROAS", 2, R(d->inc.iroas), R(c->inc.iroas));
    put_compared(x, ws, row++, "Organic revenue", 0, 1, (double)k->organic_revenue, 1,
                 (double)p->organic_revenue);
    put_compared(x, ws, row++, "Engagement rate", 3, R(k->engagement_rate), R(p->engagement_rate));
    put_compared(x, ws, row++, "CPO", 0, R(k->cpo), R(p->cpo));
    put_compared(x, ws, row++, "AOV", 0, R(k->aov), R(p->aov));
    put_compared(x, ws, row++, "Influencers", 1, 1, (double)k->influencers, 1,
                 (double)p->influencers);
    put_compared(x, ws, row++, "Posts", 1, 1, (double)k->posts, 1, (double)p->posts);
#undef R
    return row + 1;
}

static void write_summary(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    lxw_row_t row = put_statement(x, ws, d);
    row = put_kpis(x, ws, row, d);
    row = put_comparison(x, ws, row, d);
    row = put_sentences(x, ws, row, d);
    put_incremental(x, ws, row, d);
    put_platform_chart(x, ws, d);
}

/* ---- the tables ---------------------------------------------------------------------- */

static void write_influencers(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    static const struct xlsx_column cols[] = {
        {"Influencer ID", 14},
        {"Name", 24},
        {"Platform", 12},
        {"Category", 14},
        {"Gender", 9},
        {"Tier", 8},
        {"Persona", 18},
        {"Revenue", 16},
        {"Orders", 10},
        {"Spend", 16},
        {"Posts", 8},
        {"Reach", 14},
        {"Engagements", 13},
        {"ROAS", 8},
        {"ROI", 9},
        {"Engagement rate", 11},
        {"CPO", 12},
        {"AOV", 12},
        {"Engagement rate (followers)", 13},
        {"Engagement rate (views)", 13},
        {"ROAS shrunk", 10},
    };
    put_header(x, ws, 0, 0, cols, NCOLS(cols));
    filter_table(x, ws, 0, 0, NCOLS(cols), d->ninfluencers);
    for (size_t i = 0; i < d->ninfluencers; i++) {
        const struct engine_influencer_row *r = &d->influencers[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        put_text(x, ws, row, 0, r->id, XF_TEXT);
        put_text(x, ws, row, 1, r->name, XF_TEXT);
        put_text(x, ws, row, 2, r->platform, XF_TEXT);
        put_text(x, ws, row, 3, r->category, XF_TEXT);
        put_text(x, ws, row, 4, r->gender, XF_TEXT);
        put_text(x, ws, row, 5, r->tier, XF_TEXT);
        put_text(x, ws, row, 6, r->persona, XF_TEXT);
        put_money(x, ws, row, 7, r->revenue);
        put_int(x, ws, row, 8, r->orders);
        put_money(x, ws, row, 9, r->spend);
        put_int(x, ws, row, 10, r->posts);
        put_int(x, ws, row, 11, r->reach);
        put_int(x, ws, row, 12, r->engagements);
        put_ratio(x, ws, row, 13, r->roas, XF_RATIO);
        put_ratio(x, ws, row, 14, r->roi, XF_PERCENT);
        put_ratio(x, ws, row, 15, ratio_of(r->engagements, r->reach), XF_PERCENT);
        put_money_ratio(x, ws, row, 16, ratio_of(r->spend, r->orders));
        put_money_ratio(x, ws, row, 17, ratio_of(r->revenue, r->orders));
        put_ratio(x, ws, row, 18, r->engagement_rate_followers, XF_PERCENT);
        put_ratio(x, ws, row, 19, r->engagement_rate_views, XF_PERCENT);
        put_ratio(x, ws, row, 20, r->rank.roas_shrunk, XF_RATIO);
    }
}

/* Revenue and spend are columns B and C: the Summary chart reads them. */
static void write_platforms(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    static const struct xlsx_column cols[] = {
        {"Platform", 14},
        {"Revenue", 16},
        {"Spend", 16},
        {"ROAS", 8},
        {"ROI", 9},
        {"Orders", 10},
        {"AOV", 12},
        {"Posts", 8},
        {"Reach", 14},
        {"Engagements", 13},
        {"Engagement rate", 11},
        {"Revenue share", 10},
    };
    put_header(x, ws, 0, 0, cols, NCOLS(cols));
    filter_table(x, ws, 0, 0, NCOLS(cols), d->nplatforms);
    for (size_t i = 0; i < d->nplatforms; i++) {
        const struct engine_group *g = &d->platforms[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        put_text(x, ws, row, 0, g->key[0] ? g->key : "(no platform)", XF_TEXT);
        put_money(x, ws, row, 1, g->revenue);
        put_money(x, ws, row, 2, g->spend);
        put_ratio(x, ws, row, 3, g->roas, XF_RATIO);
        put_ratio(x, ws, row, 4, ratio_of(g->revenue - g->spend, g->spend), XF_PERCENT);
        put_int(x, ws, row, 5, g->orders);
        put_money_ratio(x, ws, row, 6, ratio_of(g->revenue, g->orders));
        put_int(x, ws, row, 7, g->posts);
        put_int(x, ws, row, 8, g->reach);
        put_int(x, ws, row, 9, g->engagements);
        put_ratio(x, ws, row, 10, g->engagement_rate, XF_PERCENT);
        put_ratio(x, ws, row, 11, ratio_of(g->revenue, d->kpis->revenue), XF_PERCENT);
    }
}

/* Brands or campaigns: revenue, orders, organic revenue, and spend with ROAS and ROI where
 * the groups' spend adds up to the total (report_groups_have_spend; else empty cells and a
 * note under the table). */
static void write_groups(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d,
                         const char *what, const struct engine_group *gr, size_t n)
{
    const struct xlsx_column cols[] = {
        {what, 22},    {"Revenue", 16}, {"Orders", 10}, {"Organic revenue", 16},
        {"Spend", 16}, {"ROAS", 8},     {"ROI", 9},     {"Revenue share", 10},
    };
    int has_spend = report_groups_have_spend(gr, n, d->kpis->spend);
    put_header(x, ws, 0, 0, cols, NCOLS(cols));
    if (!has_spend) /* beside the header: the rows below stay the table's */
        put_text(x, ws, 0, (lxw_col_t)(NCOLS(cols) + 1),
                 "Spend, ROAS and ROI are left empty: spend is not allocated to these groups "
                 "(their spend would not add up to the total).",
                 XF_TEXT);
    filter_table(x, ws, 0, 0, NCOLS(cols), n);
    for (size_t i = 0; i < n; i++) {
        const struct engine_group *g = &gr[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        put_text(x, ws, row, 0, g->key[0] ? g->key : "(none)", XF_TEXT);
        put_money(x, ws, row, 1, g->revenue);
        put_int(x, ws, row, 2, g->orders);
        put_money(x, ws, row, 3, g->organic_revenue);
        if (has_spend) {
            put_money(x, ws, row, 4, g->spend);
            put_ratio(x, ws, row, 5, ratio_of(g->revenue, g->spend), XF_RATIO);
            put_ratio(x, ws, row, 6, ratio_of(g->revenue - g->spend, g->spend), XF_PERCENT);
        }
        put_ratio(x, ws, row, 7, ratio_of(g->revenue, d->kpis->revenue), XF_PERCENT);
    }
}

static void write_brands(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    write_groups(x, ws, d, "Brand", d->brands, d->nbrands);
}

static void write_campaigns(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    write_groups(x, ws, d, "Campaign", d->campaigns, d->ncampaigns);
}

static void write_products(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    write_groups(x, ws, d, "Product", d->products, d->nproducts);
}

static void write_sources(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    write_groups(x, ws, d, "Source", d->sources, d->nsources);
}

static void put_persona_values(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                               const struct engine_persona_row *p)
{
    put_int(x, ws, row, col, p->influencers);
    put_money(x, ws, row, (lxw_col_t)(col + 1), p->revenue);
    put_int(x, ws, row, (lxw_col_t)(col + 2), p->orders);
    put_money(x, ws, row, (lxw_col_t)(col + 3), p->spend);
    put_ratio(x, ws, row, (lxw_col_t)(col + 4), p->roas, XF_RATIO);
}

/* Two tables side by side, so their rows can be written in order (constant_memory): by
 * category and gender in A:G (with the sheet's autofilter: Excel allows one per sheet
 * outside Excel tables, which constant_memory cannot write), by tier in I:N. */
static void write_personas(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    static const struct xlsx_column by_cg[] = {
        {"Category", 16}, {"Gender", 10}, {"Influencers", 11}, {"Revenue", 16},
        {"Orders", 10},   {"Spend", 16},  {"ROAS", 8},
    };
    static const struct xlsx_column by_tier[] = {
        {"Tier", 10},   {"Influencers", 11}, {"Revenue", 16},
        {"Orders", 10}, {"Spend", 16},       {"ROAS", 8},
    };
    const lxw_col_t tier_col = NCOLS(by_cg) + 1;
    note_error(x, worksheet_set_column(ws, NCOLS(by_cg), NCOLS(by_cg), 3, NULL));
    put_text(x, ws, 0, 0, "By category and gender", XF_HEADING);
    put_text(x, ws, 0, tier_col, "By tier", XF_HEADING);
    put_header(x, ws, 1, 0, by_cg, NCOLS(by_cg));
    put_header(x, ws, 1, tier_col, by_tier, NCOLS(by_tier));
    filter_table(x, ws, 1, 0, NCOLS(by_cg), d->ncategory_gender);
    size_t n = d->ncategory_gender > d->ntiers ? d->ncategory_gender : d->ntiers;
    for (size_t i = 0; i < n; i++) {
        lxw_row_t row = (lxw_row_t)(i + 2);
        if (i < d->ncategory_gender) {
            const struct engine_persona_row *p = &d->category_gender[i];
            put_text(x, ws, row, 0, p->category[0] ? p->category : "(none)", XF_TEXT);
            put_text(x, ws, row, 1, p->gender[0] ? p->gender : "(none)", XF_TEXT);
            put_persona_values(x, ws, row, 2, p);
        }
        if (i < d->ntiers) {
            const struct engine_persona_row *p = &d->tiers[i];
            put_text(x, ws, row, tier_col, p->tier[0] ? p->tier : "(none)", XF_TEXT);
            put_persona_values(x, ws, row, (lxw_col_t)(tier_col + 1), p);
        }
    }
}

/* One row per day in date order; posts without a date, if any, last as "(no date)". */
static void write_daily(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    static const struct xlsx_column cols[] = {
        {"Date", 12}, {"Revenue", 16}, {"Orders", 10}, {"Organic revenue", 16},
        {"Posts", 8}, {"Reach", 14},   {"Spend", 16},  {"ROAS", 8},
        {"ROI", 9},
    };
    int has_spend = report_groups_have_spend(d->days, d->ndays, d->kpis->spend);
    if (!has_spend) /* beside the header (written with it: rows go in order) */
        put_text(x, ws, 0, (lxw_col_t)(NCOLS(cols) + 1),
                 "Spend, ROAS and ROI are left empty: spend is not allocated to days (it would "
                 "not add up to the total).",
                 XF_TEXT);
    const struct engine_group *undated = NULL;
    size_t dated = 0;
    int32_t day;
    for (size_t i = 0; i < d->ndays; i++) {
        if (!d->days[i].key[0] || schema_iso_to_days(d->days[i].key, &day) != 0)
            undated = &d->days[i];
        else
            dated++;
    }
    put_header(x, ws, 0, 0, cols, NCOLS(cols));
    filter_table(x, ws, 0, 0, NCOLS(cols), dated + (undated != NULL));
    lxw_row_t row = 1;
    for (size_t i = 0; i < d->ndays; i++) {
        const struct engine_group *g = &d->days[i];
        if (g == undated || !g->key[0] || schema_iso_to_days(g->key, &day) != 0)
            continue;
        put_number(x, ws, row, 0, (double)day + XLSX_UNIX_EPOCH_DAY, XF_DATE);
        put_money(x, ws, row, 1, g->revenue);
        put_int(x, ws, row, 2, g->orders);
        put_money(x, ws, row, 3, g->organic_revenue);
        put_int(x, ws, row, 4, g->posts);
        put_int(x, ws, row, 5, g->reach);
        if (has_spend) {
            put_money(x, ws, row, 6, g->spend);
            put_ratio(x, ws, row, 7, ratio_of(g->revenue, g->spend), XF_RATIO);
            put_ratio(x, ws, row, 8, ratio_of(g->revenue - g->spend, g->spend), XF_PERCENT);
        }
        row++;
    }
    if (undated) {
        put_text(x, ws, row, 0, "(no date)", XF_TEXT);
        put_money(x, ws, row, 1, undated->revenue);
        put_int(x, ws, row, 2, undated->orders);
        put_money(x, ws, row, 3, undated->organic_revenue);
        put_int(x, ws, row, 4, undated->posts);
        put_int(x, ws, row, 5, undated->reach);
        if (has_spend) {
            put_money(x, ws, row, 6, undated->spend);
            put_ratio(x, ws, row, 7, ratio_of(undated->revenue, undated->spend), XF_RATIO);
            put_ratio(x, ws, row, 8, ratio_of(undated->revenue - undated->spend, undated->spend),
                      XF_PERCENT);
        }
        row++;
    }
}

/* As /api/payouts: paid, pending, partly paid, or outside the range (earned under terms
 * whose payout rows are all dated outside it). */
static const char *payout_status(const struct engine_payout_row *p)
{
    if (p->payout_rows == 0)
        return "Outside the range";
    if (p->pending == 0 && p->paid > 0)
        return "Paid";
    if (p->paid == 0 && p->pending > 0)
        return "Pending";
    if (p->paid > 0 && p->pending > 0)
        return "Partly paid";
    return "Unknown";
}

/* Mismatches first (the engine's order), then the totals two rows below the table. */
static void write_payouts(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    static const struct xlsx_column cols[] = {
        {"Influencer ID", 14}, {"Name", 24},   {"Platform", 12}, {"Earned", 16},
        {"Recorded", 16},      {"Paid", 16},   {"Pending", 16},  {"Difference", 16},
        {"Check", 16},         {"Status", 12}, {"Basis", 14},    {"Payout rows", 11},
    };
    put_header(x, ws, 0, 0, cols, NCOLS(cols));
    filter_table(x, ws, 0, 0, NCOLS(cols), d->npayouts);
    for (size_t i = 0; i < d->npayouts; i++) {
        const struct engine_payout_row *p = &d->payouts[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        put_text(x, ws, row, 0, p->id, XF_TEXT);
        put_text(x, ws, row, 1, p->name, XF_TEXT);
        put_text(x, ws, row, 2, p->platform, XF_TEXT);
        put_money(x, ws, row, 3, p->earned);
        put_money(x, ws, row, 4, p->recorded);
        put_money(x, ws, row, 5, p->paid);
        put_money(x, ws, row, 6, p->pending);
        if (p->has_difference)
            put_money(x, ws, row, 7, p->difference);
        put_text(x, ws, row, 8,
                 p->check == ENGINE_PAYOUT_MISMATCH ? "Mismatch"
                 : p->check == ENGINE_PAYOUT_MATCH  ? "Match"
                                                    : "Not comparable",
                 XF_TEXT);
        put_text(x, ws, row, 9, payout_status(p), XF_TEXT);
        put_text(x, ws, row, 10, p->basis, XF_TEXT);
        put_int(x, ws, row, 11, p->payout_rows);
    }

    const struct engine_payout_totals *t = &d->payout_totals;
    lxw_row_t row = (lxw_row_t)(d->npayouts + 2);
    put_text(x, ws, row, 0, "Total", XF_LABEL);
    put_int(x, ws, row, 2, t->influencers);
    put_money(x, ws, row, 3, t->earned);
    put_money(x, ws, row, 4, t->recorded);
    put_money(x, ws, row, 5, t->paid);
    put_money(x, ws, row, 6, t->pending);
    put_money(x, ws, row, 7, t->recorded - t->earned);
    put_int(x, ws, row, 8, t->mismatches);
    row++;
    char tolerance[FORMAT_MAX], text[512];
    format_money(tolerance, sizeof tolerance, ENGINE_PAYOUT_TOLERANCE, 0);
    snprintf(text, sizeof text,
             "Earned follows the payout terms over the filtered activity; a mismatch is a "
             "difference of more than %s over the same activity. Not comparable: the filters "
             "keep part of the activity a payout row prices, or one of its payout rows is "
             "dated outside the range. The total row counts influencers and mismatches.",
             tolerance);
    put_text(x, ws, row, 0, text, XF_TEXT);
}

/* The FY's TDS and GST (in->tax, the figures of GET /api/payouts/tax): one row per
 * influencer, the FY's totals, the rules table's version. */
static void write_tax(struct xlsx *x, lxw_worksheet *ws, const struct xlsx_data *d)
{
    static const struct xlsx_column cols[] = {
        {"Influencer ID", 14}, {"Name", 24},     {"PAN", 6},          {"GST registered", 10},
        {"Fees", 16},          {"Products", 16}, {"TDS on fees", 14}, {"TDS on products", 14},
        {"TDS", 14},           {"GST", 14},      {"CGST", 14},        {"SGST", 14},
        {"IGST", 14},          {"Net", 16},      {"Payments", 10},    {"TDS by section (rule)", 60},
    };
    const struct api_tax_table *t = d->in->tax;
    char text[512];
    snprintf(text, sizeof text, "TDS and GST, FY %s", t->fy);
    put_text(x, ws, 0, 0, text, XF_TITLE);
    snprintf(text, sizeof text, "Rules version %s (%s); by payment date, whatever the filters",
             t->rules_version, t->rules_file);
    put_text(x, ws, 1, 0, text, XF_TEXT);
    const lxw_row_t head = 3;
    put_header(x, ws, head, 0, cols, NCOLS(cols));
    int split = t->gst_state != 0;
    struct buf sec = BUF_INIT;
    for (size_t i = 0; i <= t->nrows; i++) {
        const struct api_tax_row *r = i < t->nrows ? &t->rows[i] : NULL;
        const struct api_tax_amounts *a = r ? &r->t : &t->totals;
        lxw_row_t row = (lxw_row_t)(head + 1 + i + (r ? 0 : 1));
        if (r) {
            put_text(x, ws, row, 0, r->influencer_id, XF_TEXT);
            if (r->name)
                put_text(x, ws, row, 1, r->name, XF_TEXT);
            put_text(x, ws, row, 2, r->has_pan ? "Yes" : "No", XF_TEXT);
            put_text(x, ws, row, 3, r->gst_registered ? "Yes" : "No", XF_TEXT);
        } else {
            put_text(x, ws, row, 0, "Total", XF_LABEL);
        }
        put_money(x, ws, row, 4, a->fees);
        put_money(x, ws, row, 5, a->products);
        put_money(x, ws, row, 6, a->tds_fees);
        put_money(x, ws, row, 7, a->tds_products);
        put_money(x, ws, row, 8, a->tds);
        put_money(x, ws, row, 9, a->gst);
        if (split) {
            put_money(x, ws, row, 10, a->cgst);
            put_money(x, ws, row, 11, a->sgst);
            put_money(x, ws, row, 12, a->igst);
        }
        put_money(x, ws, row, 13, a->net);
        put_int(x, ws, row, 14, a->payments);
        if (r) {
            buf_reset(&sec);
            for (size_t k = 0; k < r->nsections; k++) {
                const struct api_tax_section *st = &r->sections[k];
                char amount[FORMAT_MAX];
                format_money(amount, sizeof amount, st->amount, 0);
                buf_printf(&sec, "%s§%s%s%s %g%% %s (%s)", k ? "; " : "", st->section,
                           st->payment_code[0] ? " code " : "", st->payment_code,
                           st->rate_bp / 100.0, amount, st->rule);
            }
            put_text(x, ws, row, 15, buf_cstr(&sec), XF_TEXT);
        }
    }
    buf_release(&sec);
    lxw_row_t row = (lxw_row_t)(head + t->nrows + 3);
    snprintf(text, sizeof text,
             "net = fees + GST − TDS on fees; a product's TDS is paid by the brand. CGST, SGST "
             "and IGST are empty without the brand's GST state. Payouts without a date or an "
             "amount, left out: %lld.",
             (long long)t->undated);
    put_text(x, ws, row, 0, text, XF_TEXT);
}

/* ---- the workbook -------------------------------------------------------------------- */

static void add_formats(struct xlsx *x)
{
    static const char *const num[XF_COUNT] = {
        [XF_PERCENT] = XLSX_FMT_PERCENT,   [XF_SMALL_PERCENT] = XLSX_FMT_SMALL_PERCENT,
        [XF_RATIO] = XLSX_FMT_RATIO,       [XF_DATE] = XLSX_FMT_DATE,
        [XF_DATETIME] = XLSX_FMT_DATETIME,
    };
    for (int i = 0; i < XF_COUNT; i++) {
        x->fmt[i] = workbook_add_format(x->wb);
        if (num[i])
            format_set_num_format(x->fmt[i], num[i]);
    }
    format_set_bold(x->fmt[XF_TITLE]);
    format_set_font_size(x->fmt[XF_TITLE], 16);
    format_set_bold(x->fmt[XF_HEADING]);
    format_set_font_size(x->fmt[XF_HEADING], 12);
    format_set_bold(x->fmt[XF_HEADER]);
    format_set_text_wrap(x->fmt[XF_HEADER]);
    format_set_align(x->fmt[XF_HEADER], LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(x->fmt[XF_HEADER], 0xDDE4EE);
    format_set_bottom(x->fmt[XF_HEADER], LXW_BORDER_THIN);
    format_set_bold(x->fmt[XF_LABEL]);
}

/* Runs the engine once for every view the sheets show. */
static int xlsx_data_load(struct xlsx_data *d, const struct report_input *in, struct err *e)
{
    memset(d, 0, sizeof *d);
    d->in = in;
    const struct engine_filter *f = &in->filter->f;
    int rc = engine_run_views(in->eng, f, ENGINE_VIEW_ALL, &d->result, e);
    if (rc < 0)
        return rc;
    d->kpis = engine_result_kpis(d->result);
    rc = report_compare_load(in, &d->compare, e);
    if (rc < 0)
        return rc;
    d->has_compare = rc == 1;
    rc = engine_result_incremental(d->result, &in->settings->incremental, &d->inc, e);
    if (rc == 0)
        rc = engine_result_breakdown(d->result, ENGINE_BY_PLATFORM, &d->platforms, &d->nplatforms,
                                     e);
    if (rc == 0)
        rc = engine_result_breakdown(d->result, ENGINE_BY_DAY, &d->days, &d->ndays, e);
    if (rc == 0)
        rc = engine_result_breakdown(d->result, ENGINE_BY_BRAND, &d->brands, &d->nbrands, e);
    if (rc == 0)
        rc = engine_result_breakdown(d->result, ENGINE_BY_CAMPAIGN, &d->campaigns, &d->ncampaigns,
                                     e);
    if (rc == 0)
        rc = engine_result_breakdown(d->result, ENGINE_BY_PRODUCT, &d->products, &d->nproducts, e);
    if (rc == 0)
        rc = engine_result_breakdown(d->result, ENGINE_BY_SOURCE, &d->sources, &d->nsources, e);
    if (rc == 0) {
        rc = engine_result_influencers(d->result, 1, &d->influencers, &d->ninfluencers);
        if (rc < 0)
            rc = err_set(e, rc, "cannot list the influencers");
    }
    if (rc == 0)
        rc = engine_result_personas(d->result, ENGINE_PERSONA_CATEGORY_GENDER, &d->category_gender,
                                    &d->ncategory_gender, e);
    if (rc == 0)
        rc = engine_result_personas(d->result, ENGINE_PERSONA_TIER, &d->tiers, &d->ntiers, e);
    if (rc == 0) {
        rc = engine_result_payouts(d->result, &d->payouts, &d->npayouts, &d->payout_totals);
        if (rc < 0)
            rc = err_set(e, rc, "cannot list the payouts");
    }
    if (rc == 0) {
        struct insights_compare cmp = {&d->compare.filter, d->compare.from_day, d->compare.to_day,
                                       d->compare.previous};
        rc = insights_sentences_compared(in->eng, f, d->has_compare ? &cmp : NULL,
                                         &in->settings->insights, &d->sentences, e);
    }
    return rc;
}

static void xlsx_data_release(struct xlsx_data *d)
{
    insights_sentences_release(&d->sentences);
    free(d->payouts);
    free(d->tiers);
    free(d->category_gender);
    free(d->influencers);
    free(d->days);
    free(d->brands);
    free(d->campaigns);
    free(d->products);
    free(d->sources);
    free(d->platforms);
    engine_result_free(d->result);
}

/* Writes the sheets into x->wb (not yet closed). */
static int write_sheets(struct xlsx *x, const struct xlsx_data *d, const char *path, struct err *e)
{
    /* (Brands and Campaigns last: the sheets before keep their places) */
    static const char *const names[] = {"Summary",  "Influencers", "Platforms", "Personas",
                                        "Daily",    "Payouts",     "Brands",    "Campaigns",
                                        "Products", "Sources"};
    static void (*const writers[])(struct xlsx *, lxw_worksheet *, const struct xlsx_data *) = {
        write_summary, write_influencers, write_platforms, write_personas, write_daily,
        write_payouts, write_brands,      write_campaigns, write_products, write_sources};
    lxw_worksheet *ws[NCOLS(names)];
    for (size_t i = 0; i < NCOLS(names); i++) {
        ws[i] = workbook_add_worksheet(x->wb, names[i]);
        if (!ws[i])
            return err_set(e, ERR_IO, "%s: cannot start sheet %s (temporary file?)", path,
                           names[i]);
    }
    lxw_worksheet *tax = NULL;
    if (d->in->tax && !(tax = workbook_add_worksheet(x->wb, "Tax")))
        return err_set(e, ERR_IO, "%s: cannot start sheet Tax (temporary file?)", path);
    for (size_t i = 0; i < NCOLS(names); i++) {
        writers[i](x, ws[i], d);
        if (x->first_error != LXW_NO_ERROR && !x->error_sheet)
            x->error_sheet = names[i];
    }
    if (tax) {
        write_tax(x, tax, d);
        if (x->first_error != LXW_NO_ERROR && !x->error_sheet)
            x->error_sheet = "Tax";
    }
    return 0;
}

int report_xlsx(const struct report_input *in, const char *path, struct err *e)
{
    assert(in && in->eng && in->filter && in->settings && path);
    struct xlsx_data d;
    struct buf tmp_path = BUF_INIT;
    struct xlsx x = {.wb = NULL, .first_error = LXW_NO_ERROR};
    buf_init(&x.text);

    int rc = xlsx_data_load(&d, in, e);
    if (rc < 0)
        goto out;
    buf_printf(&tmp_path, "%s.tmp", path);
    /* Create the file first: a path that cannot be written fails here, with the system's
     * reason, before any work (libxlsxwriter would only find out when closing). */
    FILE *probe = fopen(buf_cstr(&tmp_path), "wb");
    if (!probe) {
        rc = err_set(e, ERR_IO, "%s: cannot create %s: %s", path, buf_cstr(&tmp_path),
                     strerror(errno));
        goto out;
    }
    fclose(probe);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = 0};
    x.wb = workbook_new_opt(buf_cstr(&tmp_path), &opt);
    if (!x.wb) {
        rc = err_set(e, ERR_IO, "%s: cannot start the workbook (out of memory?)", path);
        unlink(buf_cstr(&tmp_path));
        goto out;
    }
    lxw_doc_properties props = {.title = "infludash report",
                                .subject = "Influencer marketing analytics",
                                .author = "infludash",
                                .created = (time_t)in->made_at};
    note_error(&x, workbook_set_properties(x.wb, &props));
    add_formats(&x);
    rc = write_sheets(&x, &d, path, e);

    errno = 0;
    lxw_error closed = workbook_close(x.wb); /* frees the workbook in every case */
    int close_errno = errno;
    if (rc == 0 && x.first_error != LXW_NO_ERROR)
        rc = err_set(e, ERR_IO, "%s: cannot write the workbook (sheet %s): %s", path,
                     x.error_sheet ? x.error_sheet : "properties", lxw_strerror(x.first_error));
    if (rc == 0 && closed != LXW_NO_ERROR)
        rc = err_set(e, ERR_IO, "%s: cannot write the workbook: %s%s%s", path, lxw_strerror(closed),
                     close_errno ? " " : "", close_errno ? strerror(close_errno) : "");
    if (rc == 0 && rename(buf_cstr(&tmp_path), path) != 0)
        rc = err_set(e, ERR_IO, "%s: cannot rename %s into place: %s", path, buf_cstr(&tmp_path),
                     strerror(errno));
    if (rc < 0)
        unlink(buf_cstr(&tmp_path));
out:
    buf_release(&x.text);
    buf_release(&tmp_path);
    xlsx_data_release(&d);
    return rc;
}
