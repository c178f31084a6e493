/* report.c — the report file names and the CSV reports (see report.h); the PDF and the
 * workbook are in report_pdf.c and report_xlsx.c. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "buf.h"
#include "csv.h"
#include "export.h"

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

/* A text cell a spreadsheet must not take for a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe; then CSV quoting. */
static void put_text(struct buf *out, const char *s)
{
    if (!s)
        s = "";
    struct buf cell = BUF_INIT;
    if (strchr("=+-@\t\r", s[0]) && s[0])
        buf_putc(&cell, '\'');
    buf_puts(&cell, s);
    csv_write_field(out, buf_cstr(&cell), cell.len, ',');
    buf_release(&cell);
}

static void put_money(struct buf *out, int64_t paise)
{
    uint64_t mag = paise < 0 ? (uint64_t)0 - (uint64_t)paise : (uint64_t)paise;
    buf_printf(out, "%s%llu.%02u", paise < 0 ? "-" : "", (unsigned long long)(mag / 100),
               (unsigned)(mag % 100));
}

/* A ratio with enough digits to be useful in a sheet; empty when undefined. */
static void put_ratio(struct buf *out, struct engine_ratio r)
{
    if (r.has && isfinite(r.value))
        buf_printf(out, "%.6g", r.value);
}

static void put_money_ratio(struct buf *out, struct engine_ratio r)
{
    if (r.has && isfinite(r.value))
        put_money(out, (int64_t)llround(r.value));
}

/* "# key: value" lines: what the report was made from. */
static void put_header_lines(const struct report_input *in, const char *title, struct buf *out)
{
    char made[32];
    api_format_time(in->made_at, made);
    buf_printf(out, "# infludash %s\n# made: %s\n", title, made);
    const struct filter *f = in->filter;
    if (f->from[0] || f->to[0])
        buf_printf(out, "# period: %s to %s\n", f->from[0] ? f->from : "the start",
                   f->to[0] ? f->to : "the end");
    int any = f->from[0] || f->to[0];
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const struct engine_set *set = filter_set(f, (enum filter_param)p);
        if (!set || set->n == 0)
            continue;
        any = 1;
        buf_printf(out, "# %s: ", filter_param_name((enum filter_param)p));
        for (size_t i = 0; i < set->n; i++) {
            if (i)
                buf_puts(out, ", ");
            /* a comment line must stay one line, and as the values are joined with ", "
             * each is a cell of its own to a spreadsheet: neutralised like put_text */
            if (set->values[i][0] && strchr("=+-@\t\r", set->values[i][0]))
                buf_putc(out, '\'');
            for (const char *c = set->values[i]; *c; c++)
                buf_putc(out, *c == '\n' || *c == '\r' ? ' ' : *c);
        }
        buf_putc(out, '\n');
    }
    if (f->f.has_min_roas)
        buf_printf(out, "# min_roas: %g\n", f->f.min_roas);
    if (!any && !f->f.has_min_roas)
        buf_puts(out, "# filters: none (all data)\n");
}

static int write_out(FILE *out, struct buf *b, struct err *e)
{
    if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
        return err_set(e, ERR_IO, "cannot write the report: %s", strerror(errno));
    buf_reset(b);
    return 0;
}

int report_csv(const struct report_input *in, FILE *out, struct err *e)
{
    struct engine_result *r;
    int rc = engine_run_views(in->eng, &in->filter->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct engine_influencer_row *rows;
    size_t n;
    engine_result_influencers(r, 1, &rows, &n);
    struct buf b = BUF_INIT;
    put_header_lines(in, "influencer metrics", &b);
    buf_puts(&b, "influencer_id,name,platform,category,gender,tier,persona,revenue,orders,spend,"
                 "posts,reach,engagements,roas,roi,engagement_rate,cpo,aov\n");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct engine_influencer_row *x = &rows[i];
        const char *text[] = {x->id, x->name, x->platform, x->category, x->gender, x->tier,
                              x->persona};
        for (size_t t = 0; t < sizeof text / sizeof text[0]; t++) {
            put_text(&b, text[t]);
            buf_putc(&b, ',');
        }
        put_money(&b, x->revenue);
        buf_printf(&b, ",%lld,", (long long)x->orders);
        put_money(&b, x->spend);
        buf_printf(&b, ",%lld,%lld,%lld,", (long long)x->posts, (long long)x->reach,
                   (long long)x->engagements);
        put_ratio(&b, x->roas);
        buf_putc(&b, ',');
        put_ratio(&b, x->roi);
        buf_putc(&b, ',');
        struct engine_ratio er = {x->reach != 0, x->reach ? (double)x->engagements / (double)x->reach : 0};
        put_ratio(&b, er);
        buf_putc(&b, ',');
        struct engine_ratio cpo = {x->orders != 0, x->orders ? (double)x->spend / (double)x->orders : 0};
        put_money_ratio(&b, cpo);
        buf_putc(&b, ',');
        struct engine_ratio aov = {x->orders != 0, x->orders ? (double)x->revenue / (double)x->orders : 0};
        put_money_ratio(&b, aov);
        buf_putc(&b, '\n');
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

static int keep_row(void *ctx, const struct schema_row *row)
{
    return engine_result_keeps_row(ctx, row);
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
