/* report.c — the report file names and the CSV reports (see report.h); the PDF and the
 * workbook are in report_pdf.c and report_xlsx.c. The CSVs are plain tables (the header on
 * line 1) whose text cells are guarded against spreadsheet formulas (csv_write_text).
 * Calls api_data (table names), engine, engine_explain, api_explain, filter, schema_value,
 * export, schema, csv and format. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "csv.h"
#include "export.h"
#include "format.h"
#include "schema.h"

#include "banned.h"

void report_file_name(const char *name, const char *ext, int64_t made_at, char *out, size_t cap)
{
    time_t t = (time_t)made_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, cap, "infludash-%s-%s.%s", name, stamp, ext);
}

/* The filter part of a report's file name at most this long (bytes): with the rest of the
 * name well under the 255 bytes a file name may have. */
#define REPORT_NAME_FILTERS_MAX 160

/* A value as part of a file name: bytes that a file system or a shell quote refuses (/ \ :
 * * ? " < > | and control characters) become '_'. */
static void put_name_part(struct buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        buf_putc(out, c < 0x20 || c == 0x7f || strchr("/\\:*?\"<>|", c) ? '_' : (char)c);
    }
}

/* " from=… to=… platform=A,B brand=… min_roas=…": the filters as the query string spells
 * them, in the fixed order; past REPORT_NAME_FILTERS_MAX bytes the rest is counted ("+12
 * more"). Nothing for no filter. */
static void put_name_filters(struct buf *out, const struct filter *f)
{
    size_t start = out->len, left_out = 0;
    if (f->from[0])
        buf_printf(out, " from=%s", f->from);
    if (f->to[0])
        buf_printf(out, " to=%s", f->to);
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const struct engine_set *set = filter_set(f, (enum filter_param)p);
        if (!set || set->n == 0)
            continue;
        size_t shown = 0;
        for (size_t i = 0; i < set->n; i++) {
            size_t need = strlen(set->values[i]) + (shown ? 1 : strlen(filter_param_name(p)) + 2);
            if (left_out || out->len - start + need > REPORT_NAME_FILTERS_MAX) {
                left_out++;
                continue;
            }
            if (shown++ == 0)
                buf_printf(out, " %s=", filter_param_name((enum filter_param)p));
            else
                buf_putc(out, ',');
            put_name_part(out, set->values[i]);
        }
    }
    if (f->f.has_min_roas) {
        char v[FORMAT_MAX];
        format_double(v, sizeof v, f->f.min_roas);
        buf_printf(out, " min_roas=%s", v);
    }
    if (left_out)
        buf_printf(out, " +%zu more", left_out);
}

void report_file_name_for(const char *name, const char *ext, const struct report_input *in,
                          struct buf *out)
{
    char stamp[128];
    report_file_name(name, ext, in->made_at, stamp, sizeof stamp);
    buf_append(out, stamp, strlen(stamp) - strlen(ext) - 1);
    put_name_filters(out, in->filter);
    const struct api_settings *st = in->settings;
    if (st && st->csv_table != API_CSV_INFLUENCERS && strcmp(ext, "csv") == 0)
        buf_printf(out, " table=%s", api_csv_table_name(st->csv_table));
    if (st && st->compare.kind == FILTER_COMPARE_PREVIOUS) {
        buf_puts(out, " compare=previous");
    } else if (st && st->compare.kind == FILTER_COMPARE_RANGE) {
        char a[11], b[11];
        schema_days_to_iso(st->compare.from_day, a);
        schema_days_to_iso(st->compare.to_day, b);
        buf_printf(out, " compare=%s..%s", a, b);
    }
    buf_printf(out, ".%s", ext);
}

static void put_text(struct buf *out, const char *s)
{
    if (!s)
        s = "";
    csv_write_text(out, s, strlen(s), ',');
}

static void put_money(struct buf *out, int64_t paise)
{
    uint64_t mag = paise < 0 ? (uint64_t)0 - (uint64_t)paise : (uint64_t)paise;
    buf_printf(out, "%s%llu.%02u", paise < 0 ? "-" : "", (unsigned long long)(mag / 100),
               (unsigned)(mag % 100));
}

/* A ratio at full precision (the JSON's number); empty when undefined. */
static void put_ratio(struct buf *out, struct engine_ratio r)
{
    char v[FORMAT_MAX];
    if (r.has && format_double(v, sizeof v, r.value) > 0)
        buf_puts(out, v);
}

/* An amount per unit (paise / units) in rupees, rounded to the paisa as in the JSON;
 * empty without units. */
static void put_money_per(struct buf *out, double paise, int64_t units)
{
    if (units == 0)
        return;
    double v = paise / (double)units;
    if (isfinite(v))
        put_money(out, (int64_t)llround(v));
}

static struct engine_ratio ratio_of(int64_t num, int64_t den)
{
    struct engine_ratio r = {den != 0, den != 0 ? (double)num / (double)den : 0.0};
    return r;
}

static int write_out(FILE *out, struct buf *b, struct err *e)
{
    if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
        return err_set(e, ERR_IO, "cannot write the report: %s", strerror(errno));
    buf_reset(b);
    return 0;
}

/* One KPI row of the kpis table: metric, value[, earlier, abs, rel]. kind: 0 money (paise),
 * 1 count, 2 ratio. */
static void kpi_row(struct buf *b, const char *name, int kind, int has_now, double now,
                    int has_then, double then, int compared)
{
    buf_puts(b, name);
    for (int side = 0; side < (compared ? 3 : 1); side++) {
        buf_putc(b, ',');
        int has = side == 0 ? has_now : side == 1 ? has_then : has_now && has_then;
        double v = side == 0 ? now : side == 1 ? then : now - then;
        if (!has)
            continue;
        if (kind == 0)
            put_money(b, (int64_t)llround(v));
        else if (kind == 1)
            buf_printf(b, "%lld", (long long)llround(v));
        else
            put_ratio(b, (struct engine_ratio){1, v});
    }
    if (compared) {
        buf_putc(b, ',');
        if (has_now && has_then && then != 0)
            put_ratio(b, (struct engine_ratio){1, (now - then) / fabs(then)});
    }
    buf_putc(b, '\n');
}

/* table=kpis: metric,value — and with compare= earlier,abs,rel as /api/dashboard's
 * kpis_previous and kpis_change (per-unit money rounded to the paisa first). */
static int report_csv_kpis(const struct report_input *in, FILE *out, struct err *e)
{
    struct engine_result *r;
    int rc = engine_run_views(in->eng, &in->filter->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct engine_incremental inc, pinc;
    struct report_compare c;
    rc = engine_result_incremental(r, &in->settings->incremental, &inc, e);
    int compared = 0;
    if (rc == 0) {
        rc = report_compare_load(in, &c, e);
        compared = rc == 1;
        rc = rc < 0 ? rc : 0;
    }
    if (rc < 0) {
        engine_result_free(r);
        return rc;
    }
    const struct engine_kpis *k = engine_result_kpis(r);
    struct engine_kpis none;
    memset(&none, 0, sizeof none);
    memset(&pinc, 0, sizeof pinc);
    const struct engine_kpis *p = compared ? &c.kpis : &none;
    if (compared)
        pinc = c.inc;
    struct buf b = BUF_INIT;
    buf_puts(&b, compared ? "metric,value,earlier,abs,rel\n" : "metric,value\n");
#define M(name, a, bb) kpi_row(&b, name, 0, 1, (double)(a), 1, (double)(bb), compared)
#define N(name, a, bb) kpi_row(&b, name, 1, 1, (double)(a), 1, (double)(bb), compared)
#define R(name, a, bb) kpi_row(&b, name, 2, (a).has, (a).value, (bb).has, (bb).value, compared)
#define U(name, a, bb)                                                                             \
    kpi_row(&b, name, 0, (a).has &&isfinite((a).value), (double)llround((a).value),                \
            (bb).has &&isfinite((bb).value), (double)llround((bb).value), compared)
    M("revenue", k->revenue, p->revenue);
    N("orders", k->orders, p->orders);
    M("spend", k->spend, p->spend);
    R("roas", k->roas, p->roas);
    R("roi", k->roi, p->roi);
    M("incremental_revenue", inc.incremental_revenue, pinc.incremental_revenue);
    R("iroas", inc.iroas, pinc.iroas);
    M("organic_revenue", k->organic_revenue, p->organic_revenue);
    N("organic_orders", k->organic_orders, p->organic_orders);
    N("posts", k->posts, p->posts);
    N("reach", k->reach, p->reach);
    N("engagements", k->engagements, p->engagements);
    R("engagement_rate", k->engagement_rate, p->engagement_rate);
    R("engagement_rate_followers", k->engagement_rate_followers, p->engagement_rate_followers);
    R("engagement_rate_views", k->engagement_rate_views, p->engagement_rate_views);
    U("cpo", k->cpo, p->cpo);
    U("aov", k->aov, p->aov);
    U("cpm", k->cpm, p->cpm);
    U("cpe", k->cpe, p->cpe);
    R("conversion_rate", k->conversion_rate, p->conversion_rate);
    U("revenue_per_post", k->revenue_per_post, p->revenue_per_post);
    N("influencers", k->influencers, p->influencers);
#undef M
#undef N
#undef R
#undef U
    rc = write_out(out, &b, e);
    if (rc == 0 && fflush(out) != 0)
        rc = err_set(e, ERR_IO, "cannot write the report: %s", strerror(errno));
    buf_release(&b);
    engine_result_free(r);
    return rc;
}

/* table=platform|brand|campaign|day|product|source: one row per group, with spend, ROAS and ROI
 * where the groups' spend adds up to the total (report_groups_have_spend), else empty. */
static int report_csv_groups(const struct report_input *in, enum engine_dim dim, const char *key,
                             FILE *out, struct err *e)
{
    struct engine_result *r;
    int rc = engine_run_views(in->eng, &in->filter->f, ENGINE_VIEW_ALL, &r, e);
    if (rc < 0)
        return rc;
    struct engine_group *g;
    size_t n;
    rc = engine_result_breakdown(r, dim, &g, &n, e);
    if (rc < 0) {
        engine_result_free(r);
        return rc;
    }
    int has_spend = report_groups_have_spend(g, n, engine_result_kpis(r)->spend);
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s,revenue,orders,organic_revenue,spend,roas,roi,posts,reach,engagements\n",
               key);
    for (size_t i = 0; i < n; i++) {
        put_text(&b, g[i].key);
        buf_putc(&b, ',');
        put_money(&b, g[i].revenue);
        buf_printf(&b, ",%lld,", (long long)g[i].orders);
        put_money(&b, g[i].organic_revenue);
        buf_putc(&b, ',');
        if (has_spend) {
            put_money(&b, g[i].spend);
            buf_putc(&b, ',');
            put_ratio(&b, ratio_of(g[i].revenue, g[i].spend));
            buf_putc(&b, ',');
            put_ratio(&b, ratio_of(g[i].revenue - g[i].spend, g[i].spend));
        } else {
            buf_puts(&b, ",,");
        }
        buf_printf(&b, ",%lld,%lld,%lld\n", (long long)g[i].posts, (long long)g[i].reach,
                   (long long)g[i].engagements);
    }
    rc = write_out(out, &b, e);
    if (rc == 0 && fflush(out) != 0)
        rc = err_set(e, ERR_IO, "cannot write the report: %s", strerror(errno));
    buf_release(&b);
    free(g);
    engine_result_free(r);
    return rc;
}

int report_csv(const struct report_input *in, FILE *out, struct err *e)
{
    switch (in->settings->csv_table) {
    case API_CSV_KPIS:
        return report_csv_kpis(in, out, e);
    case API_CSV_PLATFORM:
        return report_csv_groups(in, ENGINE_BY_PLATFORM, "platform", out, e);
    case API_CSV_BRAND:
        return report_csv_groups(in, ENGINE_BY_BRAND, "brand", out, e);
    case API_CSV_CAMPAIGN:
        return report_csv_groups(in, ENGINE_BY_CAMPAIGN, "campaign", out, e);
    case API_CSV_DAY:
        return report_csv_groups(in, ENGINE_BY_DAY, "date", out, e);
    case API_CSV_PRODUCT:
        return report_csv_groups(in, ENGINE_BY_PRODUCT, "product", out, e);
    case API_CSV_SOURCE:
        return report_csv_groups(in, ENGINE_BY_SOURCE, "source", out, e);
    default:
        break;
    }
    struct engine_result *r;
    int rc = engine_run_views(in->eng, &in->filter->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct engine_influencer_row *rows;
    size_t n;
    engine_result_influencers(r, 1, &rows, &n);
    struct buf b = BUF_INIT;
    buf_puts(&b, "influencer_id,name,platform,category,gender,tier,persona,revenue,orders,spend,"
                 "posts,reach,engagements,roas,roi,engagement_rate,cpo,aov,cpm,cpe,"
                 "engagement_rate_followers,engagement_rate_views,roas_shrunk,roas_low,roas_high,"
                 "few_orders\n");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct engine_influencer_row *x = &rows[i];
        const char *text[] = {x->id,     x->name, x->platform, x->category,
                              x->gender, x->tier, x->persona};
        for (size_t t = 0; t < sizeof text / sizeof text[0]; t++) {
            put_text(&b, text[t]);
            buf_putc(&b, ',');
        }
        put_money(&b, x->revenue);
        buf_printf(&b, ",%lld,", (long long)x->orders);
        put_money(&b, x->spend);
        buf_printf(&b, ",%lld,%lld,%lld,", (long long)x->posts, (long long)x->reach,
                   (long long)x->engagements);
        put_ratio(&b, x->spend != 0 ? x->roas : ratio_of(0, 0));
        buf_putc(&b, ',');
        put_ratio(&b, x->spend != 0 ? x->roi : ratio_of(0, 0));
        buf_putc(&b, ',');
        put_ratio(&b, ratio_of(x->engagements, x->reach));
        buf_putc(&b, ',');
        put_money_per(&b, (double)x->spend, x->orders);
        buf_putc(&b, ',');
        put_money_per(&b, (double)x->revenue, x->orders);
        buf_putc(&b, ',');
        put_money_per(&b, (double)x->spend * 1000.0, x->reach);
        buf_putc(&b, ',');
        put_money_per(&b, (double)x->spend, x->engagements);
        buf_putc(&b, ',');
        put_ratio(&b, x->engagement_rate_followers);
        buf_putc(&b, ',');
        put_ratio(&b, x->engagement_rate_views);
        const struct engine_ratio ranked[] = {x->rank.roas_shrunk, x->rank.roas_low,
                                              x->rank.roas_high};
        for (size_t k = 0; k < 3; k++) {
            buf_putc(&b, ',');
            put_ratio(&b, ranked[k]);
        }
        buf_puts(&b, x->rank.few_orders ? ",true\n" : ",false\n");
        if (b.len > (1 << 20))
            rc = write_out(out, &b, e);
    }
    if (rc == 0)
        rc = write_out(out, &b, e);
    if (rc == 0 && fflush(out) != 0)
        rc = err_set(e, ERR_IO, "cannot write the report: %s", strerror(errno));
    buf_release(&b);
    free(rows);
    engine_result_free(r);
    return rc;
}

int report_compare_load(const struct report_input *in, struct report_compare *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    int rc = filter_compare_period(in->eng, in->filter, &in->settings->compare, &out->from_day,
                                   &out->to_day, e);
    if (rc <= 0)
        return rc;
    out->previous = in->settings->compare.kind == FILTER_COMPARE_PREVIOUS;
    schema_days_to_iso(out->from_day, out->from);
    schema_days_to_iso(out->to_day, out->to);
    filter_compare_apply(in->filter, out->from_day, out->to_day, &out->filter);
    struct engine_result *r;
    rc = engine_run_views(in->eng, &out->filter, 0, &r, e);
    if (rc < 0)
        return rc;
    out->kpis = *engine_result_kpis(r);
    rc = engine_result_incremental(r, &in->settings->incremental, &out->inc, e);
    engine_result_free(r);
    return rc < 0 ? rc : 1;
}

int report_groups_have_spend(const struct engine_group *g, size_t n, int64_t total)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += g[i].spend;
    return sum == total;
}

static int keep_row(void *ctx, const struct schema_row *row)
{
    return engine_result_keeps_row(ctx, row);
}

struct explain_keep {
    const struct engine_result *r;
    unsigned kinds;
};

static int keep_explained(void *ctx, const struct schema_row *row)
{
    const struct explain_keep *k = ctx;
    return engine_result_row_behind(k->r, row, k->kinds);
}

int report_explain_dataset(const char *metric, const char *name, enum dataset *ds, struct err *e)
{
    unsigned kinds;
    if (api_explain_rows(metric, &kinds, e) < 0)
        return e->code;
    static const struct {
        enum dataset ds;
        unsigned kinds;
    } behind[] = {{DS_TRACKING, ENGINE_ROWS_ATTRIBUTED | ENGINE_ROWS_ORGANIC},
                  {DS_POSTS, ENGINE_ROWS_POSTS},
                  {DS_PAYOUTS, ENGINE_ROWS_PAYOUTS | ENGINE_ROWS_PAYOUTS_COUNTED}};
    for (size_t i = 0; i < sizeof behind / sizeof behind[0]; i++) {
        if (!(kinds & behind[i].kinds))
            continue;
        if (!name || !*name || strcmp(name, schema_dataset(behind[i].ds)->name) == 0) {
            *ds = behind[i].ds;
            return 0;
        }
    }
    return err_set(e, ERR_USAGE, "dataset: \"%.60s\" has no rows behind %s", name, metric);
}

int report_explain_rows_csv(const struct report_input *in, struct store *s, const char *metric,
                            enum dataset ds, FILE *out, struct err *e)
{
    unsigned kinds;
    if (api_explain_rows(metric, &kinds, e) < 0)
        return e->code;
    struct engine_result *r;
    int rc = engine_run_views(in->eng, &in->filter->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct explain_keep keep = {r, kinds};
    rc = export_dataset_csv_where(s, ds, keep_explained, &keep, out, e);
    engine_result_free(r);
    return rc;
}

int report_dataset_csv(const struct report_input *in, struct store *s, enum dataset ds, FILE *out,
                       struct err *e)
{
    struct engine_result *r;
    int rc = engine_run_views(in->eng, &in->filter->f, 0, &r, e);
    if (rc < 0)
        return rc;
    rc = export_dataset_csv_where(s, ds, keep_row, r, out, e);
    engine_result_free(r);
    return rc;
}
