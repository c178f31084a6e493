/* report_pdf.c — the PDF report of SPEC §5, drawn natively with cairo (an A4 portrait PDF
 * surface) and pango (text: DejaVu Sans, the ₹ sign, wrapping, right-aligned numbers):
 * a cover stating the filters, period and time made; the KPI table against the benchmarks;
 * how incremental ROAS was computed; the insight sentences; charts (revenue and ROAS by
 * platform, revenue over time, top and bottom influencers, a persona heat map); tables of
 * top and bottom influencers and of payouts; "Page N of M" on every page.
 * Calls report, engine, filter, insights, format, tz, schema, buf and err; reads api_data's
 * settings.
 *
 * Everything the report shows is gathered first (struct report_data: a fixed number of
 * engine views, the top N only, so the PDF stays the same size for a million tracking rows
 * as for a thousand). The pages are then drawn twice: once into a stream that discards its
 * bytes, to count the pages, and once into "<path>.tmp" with the total known, which is
 * renamed over path only when cairo and the file system both succeeded. */
#include "report.h"

#include <assert.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "format.h"
#include "insights.h"
#include "schema.h"

#include "banned.h"

#define DASH "\xe2\x80\x93"   /* – for a ratio without a denominator */
#define BULLET "\xe2\x80\xa2" /* • */
#define MIDDOT "\xc2\xb7"     /* · */

/* ---- page geometry (PDF points) ------------------------------------------------------- */

#define PAGE_W 595.276 /* A4 portrait */
#define PAGE_H 841.890
#define MARGIN_X 50.0
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)
#define CONTENT_TOP 70.0
#define CONTENT_BOTTOM (PAGE_H - 60.0)
#define TABLE_ROW_H 15.0

/* The longest lists the report shows: never every influencer (SPEC §5 reports stay the
 * same size whatever the data). */
#define REPORT_MAX_TOP 20
#define REPORT_PAYOUT_ROWS 30
#define REPORT_MAX_FILTER_VALUES 40
#define HEATMAP_MAX_CATEGORIES 12
#define HEATMAP_MAX_GENDERS 6

/* ---- what the report shows ------------------------------------------------------------ */

struct report_data {
    struct engine_kpis kpis;
    struct engine_incremental inc;
    struct engine_group *platforms; /* engine_result_breakdown, owned */
    size_t nplatforms;
    struct engine_group *days; /* by day, owned */
    size_t ndays;
    struct engine_group *brands, *campaigns, *products, *sources; /* owned */
    size_t nbrands, ncampaigns, nproducts, nsources;
    int has_compare; /* compare= asked and a period found */
    struct report_compare compare;
    struct engine_influencer_row top[REPORT_MAX_TOP], bottom[REPORT_MAX_TOP];
    size_t ntop, nbottom;
    size_t influencer_count;             /* every active influencer of the filter */
    struct engine_persona_row *personas; /* category × gender, owned */
    size_t npersonas;
    struct engine_payout_row payouts[REPORT_PAYOUT_ROWS]; /* by earned, descending */
    size_t npayouts;
    struct engine_payout_totals payout_totals; /* over every influencer, not only those shown */
    struct insights_sentences sentences;
    int has_period;
    int32_t first_day, last_day;
    int period_from_data; /* an open end was closed with the data's range */
};

static void report_data_release(struct report_data *rd)
{
    free(rd->platforms);
    free(rd->days);
    free(rd->brands);
    free(rd->campaigns);
    free(rd->products);
    free(rd->sources);
    free(rd->personas);
    insights_sentences_release(&rd->sentences);
}

/* Payouts by earned, descending, then id (the table shows the largest amounts). */
static int cmp_payout_earned(const void *a, const void *b)
{
    const struct engine_payout_row *x = a, *y = b;
    if (x->earned != y->earned)
        return x->earned > y->earned ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void gather_influencers(struct report_data *rd, const struct engine_result *r,
                               const struct api_settings *s)
{
    struct engine_influencer_row *rows;
    size_t n;
    engine_result_influencers(r, 0, &rows, &n);
    rd->influencer_count = n;
    size_t k = s->insights.top_n;
    if (k < 1)
        k = 1;
    if (k > REPORT_MAX_TOP)
        k = REPORT_MAX_TOP;
    size_t top[REPORT_MAX_TOP], bottom[REPORT_MAX_TOP], ntop = 0, nbottom = 0;
    if (n > 0)
        insights_pick(rows, n, k, top, &ntop, bottom, &nbottom);
    for (size_t i = 0; i < ntop; i++)
        rd->top[i] = rows[top[i]];
    for (size_t i = 0; i < nbottom; i++)
        rd->bottom[i] = rows[bottom[i]];
    rd->ntop = ntop;
    rd->nbottom = nbottom;
    free(rows);
}

static void gather_payouts(struct report_data *rd, const struct engine_result *r)
{
    struct engine_payout_row *rows;
    size_t n;
    engine_result_payouts(r, &rows, &n, &rd->payout_totals);
    if (n > 1)
        qsort(rows, n, sizeof *rows, cmp_payout_earned);
    rd->npayouts = n < REPORT_PAYOUT_ROWS ? n : REPORT_PAYOUT_ROWS;
    if (rd->npayouts)
        memcpy(rd->payouts, rows, rd->npayouts * sizeof *rows);
    free(rows);
}

/* The period stated on the cover: the filter's dates, an open end closed by the data's
 * first or last day. */
static void gather_period(struct report_data *rd, const struct report_input *in)
{
    const struct engine_filter *f = &in->filter->f;
    int32_t first = 0, last = 0;
    int has_range = engine_day_range(in->eng, &first, &last) == 0;
    int has_from = f->from_day != INT32_MIN, has_to = f->to_day != INT32_MAX;
    if (!has_from && !has_to && !has_range)
        return;
    rd->first_day = has_from ? f->from_day : first;
    rd->last_day = has_to ? f->to_day : last;
    if ((!has_from || !has_to) && !has_range)
        return; /* one end open and no data to close it with */
    rd->has_period = 1;
    rd->period_from_data = !has_from || !has_to;
}

/* Runs the engine once for the filter and keeps what the pages show. */
static int gather(struct report_data *rd, const struct report_input *in, struct err *e)
{
    const struct api_settings *s = in->settings;
    struct engine_result *r = NULL;
    int rc = engine_run_views(in->eng, &in->filter->f, ENGINE_VIEW_ALL, &r, e);
    if (rc < 0)
        return rc;
    rd->kpis = *engine_result_kpis(r);
    rc = engine_result_incremental(r, &s->incremental, &rd->inc, e);
    if (rc == 0) {
        rc = report_compare_load(in, &rd->compare, e);
        rd->has_compare = rc == 1;
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0)
        rc = engine_result_breakdown(r, ENGINE_BY_BRAND, &rd->brands, &rd->nbrands, e);
    if (rc == 0)
        rc = engine_result_breakdown(r, ENGINE_BY_CAMPAIGN, &rd->campaigns, &rd->ncampaigns, e);
    if (rc == 0)
        rc = engine_result_breakdown(r, ENGINE_BY_PRODUCT, &rd->products, &rd->nproducts, e);
    if (rc == 0)
        rc = engine_result_breakdown(r, ENGINE_BY_SOURCE, &rd->sources, &rd->nsources, e);
    if (rc == 0)
        rc = engine_result_breakdown(r, ENGINE_BY_PLATFORM, &rd->platforms, &rd->nplatforms, e);
    if (rc == 0)
        rc = engine_result_breakdown(r, ENGINE_BY_DAY, &rd->days, &rd->ndays, e);
    if (rc == 0)
        rc = engine_result_personas(r, ENGINE_PERSONA_CATEGORY_GENDER, &rd->personas,
                                    &rd->npersonas, e);
    if (rc == 0) {
        gather_influencers(rd, r, s);
        gather_payouts(rd, r);
        struct insights_compare cmp = {&rd->compare.filter, rd->compare.from_day,
                                       rd->compare.to_day, rd->compare.previous};
        rc = insights_sentences_compared(in->eng, &in->filter->f, rd->has_compare ? &cmp : NULL,
                                         &s->insights, &rd->sentences, e);
    }
    engine_result_free(r);
    if (rc == 0)
        gather_period(rd, in);
    return rc;
}

/* ---- numbers as the report prints them ------------------------------------------------ */

static void cell_ratio(char out[FORMAT_MAX], struct engine_ratio r)
{
    if (r.has)
        format_ratio(out, FORMAT_MAX, r.value);
    else
        snprintf(out, FORMAT_MAX, DASH);
}

static void cell_percent(char out[FORMAT_MAX], struct engine_ratio r, int decimals)
{
    if (r.has)
        format_percent(out, FORMAT_MAX, r.value, decimals);
    else
        snprintf(out, FORMAT_MAX, DASH);
}

/* A ratio in paise per unit (CPO, AOV, CPM, CPE) as money. */
static void cell_money_ratio(char out[FORMAT_MAX], struct engine_ratio r)
{
    if (r.has && isfinite(r.value) && fabs(r.value) < 9e18)
        format_money(out, FORMAT_MAX, (int64_t)llround(r.value), 0);
    else
        snprintf(out, FORMAT_MAX, DASH);
}

static void cell_money(char out[FORMAT_MAX], int64_t paise)
{
    format_money(out, FORMAT_MAX, paise, 0);
}

static void cell_int(char out[FORMAT_MAX], int64_t v)
{
    format_int(out, FORMAT_MAX, v);
}

/* A benchmark as written in sentences: "4", "2.5". */
static void cell_plain_number(char out[FORMAT_MAX], double v)
{
    long long tenths = llround(v * 10.0);
    if (tenths % 10 == 0)
        snprintf(out, FORMAT_MAX, "%lld", tenths / 10);
    else
        format_ratio(out, FORMAT_MAX, v);
}

static const char *or_none(const char *s)
{
    return s && *s ? s : "(none)";
}

/* ---- the drawing context -------------------------------------------------------------- */

struct rgb {
    double r, g, b;
};

static const struct rgb INK = {0.13, 0.15, 0.20};
static const struct rgb MUTED = {0.42, 0.45, 0.50};
static const struct rgb RULE = {0.80, 0.82, 0.86};
static const struct rgb ZEBRA = {0.955, 0.965, 0.975};
static const struct rgb BLUE = {0.16, 0.38, 0.71};
static const struct rgb ORANGE = {0.91, 0.47, 0.11};
static const struct rgb GREEN = {0.17, 0.58, 0.33};
static const struct rgb RED = {0.79, 0.20, 0.18};
static const struct rgb AMBER = {0.98, 0.78, 0.25};

enum font_id {
    FONT_TINY,
    FONT_SMALL,
    FONT_SMALL_BOLD,
    FONT_BODY,
    FONT_BOLD,
    FONT_H2,
    FONT_H1,
    FONT_FIGURE,
    FONT_TITLE,
    FONT_COUNT
};

static const struct {
    double size;
    int bold;
} FONT_SPECS[FONT_COUNT] = {
    [FONT_TINY] = {6.5, 0}, [FONT_SMALL] = {8, 0},   [FONT_SMALL_BOLD] = {8, 1},
    [FONT_BODY] = {9.5, 0}, [FONT_BOLD] = {9.5, 1},  [FONT_H2] = {12, 1},
    [FONT_H1] = {16, 1},    [FONT_FIGURE] = {15, 1}, [FONT_TITLE] = {26, 1},
};

/* Text placement: alignment within the given width, and whether long text wraps or is cut
 * to one line with an ellipsis; TEXT_MEASURE lays out without drawing. */
enum text_flags {
    TEXT_LEFT = 0,
    TEXT_RIGHT = 1,
    TEXT_CENTER = 2,
    TEXT_ONE_LINE = 4,
    TEXT_MEASURE = 8,
};

struct doc {
    cairo_t *cr;
    PangoLayout *layout;
    PangoFontDescription *font[FONT_COUNT];
    const struct report_input *in;
    const struct report_data *rd;
    int page;  /* the page being drawn, from 1 */
    int total; /* pages in all; 0 while counting */
    double y;  /* the next free line on the page */
    char made[48];
};

static void set_color(struct doc *d, struct rgb c)
{
    cairo_set_source_rgb(d->cr, c.r, c.g, c.b);
}

/* Lays out s in font at (x, y) within width w (w <= 0: no limit) and draws it unless
 * TEXT_MEASURE. Returns the height taken; *width (when given) gets the ink width. */
static double text_box(struct doc *d, double x, double y, double w, enum font_id font,
                       unsigned flags, struct rgb color, const char *s, double *width)
{
    PangoLayout *l = d->layout;
    pango_layout_set_font_description(l, d->font[font]);
    pango_layout_set_width(l, w > 0 ? (int)(w * PANGO_SCALE) : -1);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_ellipsize(l, (flags & TEXT_ONE_LINE) && w > 0 ? PANGO_ELLIPSIZE_END
                                                                   : PANGO_ELLIPSIZE_NONE);
    pango_layout_set_alignment(l, (flags & TEXT_RIGHT)    ? PANGO_ALIGN_RIGHT
                                  : (flags & TEXT_CENTER) ? PANGO_ALIGN_CENTER
                                                          : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, s, -1);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    if (width)
        *width = (double)pw / PANGO_SCALE;
    if (!(flags & TEXT_MEASURE)) {
        set_color(d, color);
        cairo_move_to(d->cr, x, y);
        pango_cairo_show_layout(d->cr, l);
        cairo_new_path(d->cr); /* leave no current point for the next shape */
    }
    return (double)ph / PANGO_SCALE;
}

static double text_at(struct doc *d, double x, double y, double w, enum font_id font,
                      unsigned flags, struct rgb color, const char *s)
{
    return text_box(d, x, y, w, font, flags, color, s, NULL);
}

static double text_height(struct doc *d, double w, enum font_id font, const char *s)
{
    return text_box(d, 0, 0, w, font, TEXT_MEASURE, INK, s, NULL);
}

static double text_width(struct doc *d, enum font_id font, const char *s)
{
    double w;
    text_box(d, 0, 0, 0, font, TEXT_MEASURE, INK, s, &w);
    return w;
}

/* One line of text vertically centred on cy. */
static void text_mid(struct doc *d, double x, double cy, double w, enum font_id font,
                     unsigned flags, struct rgb color, const char *s)
{
    double h = text_height(d, 0, font, "Ag");
    text_at(d, x, cy - h / 2, w, font, flags | TEXT_ONE_LINE, color, s);
}

static void fill_rect(struct doc *d, double x, double y, double w, double h, struct rgb c)
{
    set_color(d, c);
    cairo_rectangle(d->cr, x, y, w, h);
    cairo_fill(d->cr);
}

static void line(struct doc *d, double x0, double y0, double x1, double y1, double width,
                 struct rgb c)
{
    set_color(d, c);
    cairo_set_line_width(d->cr, width);
    cairo_move_to(d->cr, x0, y0);
    cairo_line_to(d->cr, x1, y1);
    cairo_stroke(d->cr);
}

/* ---- pages ------------------------------------------------------------------------------ */

static void page_header(struct doc *d)
{
    char right[96] = "";
    const struct report_data *rd = d->rd;
    if (rd->has_period) {
        char a[11], b[11];
        schema_days_to_iso(rd->first_day, a);
        schema_days_to_iso(rd->last_day, b);
        snprintf(right, sizeof right, "%s " DASH " %s", a, b);
    }
    text_at(d, MARGIN_X, 30, CONTENT_W / 2, FONT_SMALL_BOLD, TEXT_ONE_LINE, MUTED,
            "Influencer marketing report");
    text_at(d, MARGIN_X + CONTENT_W / 2, 30, CONTENT_W / 2, FONT_SMALL, TEXT_RIGHT | TEXT_ONE_LINE,
            MUTED, right);
    line(d, MARGIN_X, 45, PAGE_W - MARGIN_X, 45, 0.6, RULE);
}

static void page_footer(struct doc *d)
{
    double y = PAGE_H - 40;
    line(d, MARGIN_X, y - 6, PAGE_W - MARGIN_X, y - 6, 0.6, RULE);
    char left[96], right[48];
    snprintf(left, sizeof left, "infludash " MIDDOT " made %s", d->made);
    if (d->total > 0)
        snprintf(right, sizeof right, "Page %d of %d", d->page, d->total);
    else
        snprintf(right, sizeof right, "Page %d", d->page);
    text_at(d, MARGIN_X, y, CONTENT_W * 0.7, FONT_SMALL, TEXT_ONE_LINE, MUTED, left);
    text_at(d, MARGIN_X + CONTENT_W * 0.5, y, CONTENT_W * 0.5, FONT_SMALL,
            TEXT_RIGHT | TEXT_ONE_LINE, MUTED, right);
}

static void page_begin(struct doc *d)
{
    d->page++;
    d->y = CONTENT_TOP;
    if (d->page > 1)
        page_header(d);
}

static void page_end(struct doc *d)
{
    page_footer(d);
    cairo_show_page(d->cr);
}

static void page_break(struct doc *d)
{
    page_end(d);
    page_begin(d);
}

/* Starts a new page unless h points still fit on this one. */
static void need(struct doc *d, double h)
{
    if (d->y + h > CONTENT_BOTTOM && d->y > CONTENT_TOP)
        page_break(d);
}

/* A section title kept with at least keep points of what follows. */
static void heading(struct doc *d, const char *title, double keep)
{
    double h = text_height(d, CONTENT_W, FONT_H1, title);
    if (d->y > CONTENT_TOP)
        d->y += 12;
    need(d, h + 8 + keep);
    text_at(d, MARGIN_X, d->y, CONTENT_W, FONT_H1, TEXT_LEFT, INK, title);
    d->y += h + 8;
}

static void subheading(struct doc *d, const char *title, double keep)
{
    double h = text_height(d, CONTENT_W, FONT_H2, title);
    need(d, h + 6 + keep);
    text_at(d, MARGIN_X, d->y, CONTENT_W, FONT_H2, TEXT_LEFT, INK, title);
    d->y += h + 6;
}

static void paragraph(struct doc *d, enum font_id font, struct rgb color, const char *s)
{
    double h = text_height(d, CONTENT_W, font, s);
    need(d, h);
    text_at(d, MARGIN_X, d->y, CONTENT_W, font, TEXT_LEFT, color, s);
    d->y += h + 4;
}

/* "Label   value that may wrap" with the label in a fixed column. */
static void label_value(struct doc *d, double label_w, const char *label, const char *value)
{
    double h = text_height(d, CONTENT_W - label_w, FONT_BODY, value);
    need(d, h);
    text_at(d, MARGIN_X, d->y, label_w - 8, FONT_BOLD, TEXT_LEFT, INK, label);
    text_at(d, MARGIN_X + label_w, d->y, CONTENT_W - label_w, FONT_BODY, TEXT_LEFT, INK, value);
    d->y += h + 4;
}

static void bullet(struct doc *d, const char *s)
{
    double indent = 14;
    double h = text_height(d, CONTENT_W - indent, FONT_BODY, s);
    need(d, h);
    text_at(d, MARGIN_X + 3, d->y, indent, FONT_BODY, TEXT_LEFT, BLUE, BULLET);
    text_at(d, MARGIN_X + indent, d->y, CONTENT_W - indent, FONT_BODY, TEXT_LEFT, INK, s);
    d->y += h + 5;
}

/* ---- tables ------------------------------------------------------------------------------ */

#define TABLE_MAX_COLS 8

struct table_col {
    const char *title;
    double width;
    unsigned align; /* TEXT_LEFT or TEXT_RIGHT */
};

/* One row's cells: text points at a literal, engine-owned string or into scratch. */
struct table_row {
    const char *cell[TABLE_MAX_COLS];
    char scratch[TABLE_MAX_COLS][FORMAT_MAX];
    int bold;
    struct rgb color[TABLE_MAX_COLS]; /* all INK unless the filler says otherwise */
};

typedef void (*table_fill_fn)(const void *ctx, size_t i, struct table_row *row);

struct table {
    const char *title; /* repeated with "(continued)" on a new page */
    const struct table_col *cols;
    size_t ncols;
};

static void table_row_init(struct table_row *row)
{
    memset(row, 0, sizeof *row);
    for (size_t c = 0; c < TABLE_MAX_COLS; c++) {
        row->cell[c] = "";
        row->color[c] = INK;
    }
}

static void table_header(struct doc *d, const struct table *t, int continued)
{
    if (continued) {
        char title[160];
        snprintf(title, sizeof title, "%s (continued)", t->title);
        subheading(d, title, 2 * TABLE_ROW_H);
    } else {
        subheading(d, t->title, 3 * TABLE_ROW_H);
    }
    double x = MARGIN_X;
    fill_rect(d, MARGIN_X, d->y, CONTENT_W, TABLE_ROW_H + 2, (struct rgb){0.88, 0.91, 0.96});
    for (size_t c = 0; c < t->ncols; c++) {
        text_mid(d, x + 4, d->y + (TABLE_ROW_H + 2) / 2, t->cols[c].width - 8, FONT_SMALL_BOLD,
                 t->cols[c].align, INK, t->cols[c].title);
        x += t->cols[c].width;
    }
    d->y += TABLE_ROW_H + 2;
}

static void table_draw_row(struct doc *d, const struct table *t, const struct table_row *row,
                           int zebra)
{
    if (zebra)
        fill_rect(d, MARGIN_X, d->y, CONTENT_W, TABLE_ROW_H, ZEBRA);
    if (row->bold)
        line(d, MARGIN_X, d->y, PAGE_W - MARGIN_X, d->y, 0.8, INK);
    double x = MARGIN_X;
    for (size_t c = 0; c < t->ncols; c++) {
        text_mid(d, x + 4, d->y + TABLE_ROW_H / 2, t->cols[c].width - 8,
                 row->bold ? FONT_SMALL_BOLD : FONT_SMALL, t->cols[c].align, row->color[c],
                 row->cell[c]);
        x += t->cols[c].width;
    }
    d->y += TABLE_ROW_H;
}

/* Draws a table of n rows (filled one at a time by fill) and, when totals is given, a bold
 * closing row; a row that does not fit starts a new page under the repeated header. */
static void table_draw(struct doc *d, const struct table *t, size_t n, table_fill_fn fill,
                       const void *ctx, const struct table_row *totals)
{
    assert(t->ncols <= TABLE_MAX_COLS);
    table_header(d, t, 0);
    struct table_row row;
    for (size_t i = 0; i < n; i++) {
        if (d->y + TABLE_ROW_H > CONTENT_BOTTOM) {
            page_break(d);
            table_header(d, t, 1);
        }
        table_row_init(&row);
        fill(ctx, i, &row);
        table_draw_row(d, t, &row, (int)(i % 2));
    }
    if (totals) {
        if (d->y + TABLE_ROW_H > CONTENT_BOTTOM) {
            page_break(d);
            table_header(d, t, 1);
        }
        table_draw_row(d, t, totals, 0);
    }
    line(d, MARGIN_X, d->y, PAGE_W - MARGIN_X, d->y, 0.6, RULE);
    d->y += 6;
}

/* ---- the cover -------------------------------------------------------------------------- */

static const char *const FILTER_LABELS[FILTER_NPARAMS] = {
    [FILTER_FROM] = "From",          [FILTER_TO] = "To",
    [FILTER_PLATFORM] = "Platform",  [FILTER_BRAND] = "Brand",
    [FILTER_PRODUCT] = "Product",    [FILTER_CAMPAIGN] = "Campaign",
    [FILTER_SOURCE] = "Source",      [FILTER_CATEGORY] = "Category",
    [FILTER_GENDER] = "Gender",      [FILTER_TIER] = "Tier",
    [FILTER_PERSONA] = "Persona",    [FILTER_INFLUENCER] = "Influencer",
    [FILTER_BASIS] = "Payout basis", [FILTER_MIN_ROAS] = "Min ROAS",
};

/* "Instagram, YouTube", influencers with their names, at most REPORT_MAX_FILTER_VALUES. */
static void filter_values_text(const struct engine *eng, enum filter_param p,
                               const struct engine_set *set, struct buf *out)
{
    size_t shown = set->n < REPORT_MAX_FILTER_VALUES ? set->n : REPORT_MAX_FILTER_VALUES;
    for (size_t i = 0; i < shown; i++) {
        if (i)
            buf_puts(out, ", ");
        buf_puts(out, set->values[i]);
        if (p == FILTER_INFLUENCER) {
            int index = engine_influencer_index(eng, set->values[i]);
            const char *id, *name = "";
            if (index >= 0)
                engine_influencer_names(eng, (size_t)index, &id, &name);
            if (*name)
                buf_printf(out, " (%s)", name);
        }
    }
    if (shown < set->n)
        buf_printf(out, " and %zu more", set->n - shown);
}

static void cover_filters(struct doc *d)
{
    const struct filter *f = d->in->filter;
    int any = 0;
    subheading(d, "Filters", 20);
    if (d->in->period_label) {
        label_value(d, 110, "Period", d->in->period_label);
        any = 1;
    }
    if (f->from[0] || f->to[0]) {
        char dates[64];
        snprintf(dates, sizeof dates, "%s " DASH " %s", f->from[0] ? f->from : "start",
                 f->to[0] ? f->to : "end");
        label_value(d, 110, "Dates", dates);
        any = 1;
    }
    struct buf values = BUF_INIT;
    for (int p = FILTER_PLATFORM; p <= FILTER_BASIS; p++) {
        const struct engine_set *set = filter_set(f, (enum filter_param)p);
        if (!set || set->n == 0)
            continue;
        buf_reset(&values);
        filter_values_text(d->in->eng, (enum filter_param)p, set, &values);
        label_value(d, 110, FILTER_LABELS[p], buf_cstr(&values));
        any = 1;
    }
    buf_release(&values);
    if (f->f.has_min_roas) {
        char v[FORMAT_MAX];
        format_ratio(v, sizeof v, f->f.min_roas);
        label_value(d, 110, FILTER_LABELS[FILTER_MIN_ROAS], v);
        any = 1;
    }
    if (!any)
        label_value(d, 110, "Scope", "All data");
}

static void cover_period(struct doc *d)
{
    const struct report_data *rd = d->rd;
    char text[160];
    if (rd->has_period) {
        char a[11], b[11];
        schema_days_to_iso(rd->first_day, a);
        schema_days_to_iso(rd->last_day, b);
        long long days = (long long)rd->last_day - rd->first_day + 1;
        snprintf(text, sizeof text, "%s " DASH " %s (%lld day%s%s)", a, b, days,
                 days == 1 ? "" : "s", rd->period_from_data ? ", as far as the data goes" : "");
    } else {
        snprintf(text, sizeof text, "No dated data");
    }
    d->y += 8;
    subheading(d, "Period", 20);
    label_value(d, 110, "Dates", text);
    d->y += 8;
    subheading(d, "Made", 20);
    label_value(d, 110, "On", d->made);
    /* "Data as of": the last change to the data, in the installation's time zone */
    char as_of[TZ_ISO_MAX + 48];
    const struct tz *zone = d->in->settings ? d->in->settings->tz : NULL;
    tz_format_iso(zone, engine_as_of(d->in->eng), as_of);
    if (as_of[0]) {
        size_t len = strlen(as_of);
        snprintf(as_of + len, sizeof as_of - len, " (%s)", zone ? tz_name(zone) : "UTC");
    }
    label_value(d, 110, "Data as of", as_of[0] ? as_of : "unknown (no change recorded)");
}

/* One headline figure in a box: label, value, a caption under it. */
static void figure_box(struct doc *d, double x, double y, double w, const char *label,
                       const char *value, const char *caption, struct rgb accent)
{
    double h = 64;
    fill_rect(d, x, y, w, h, ZEBRA);
    fill_rect(d, x, y, 3, h, accent);
    text_at(d, x + 10, y + 8, w - 14, FONT_SMALL, TEXT_ONE_LINE, MUTED, label);
    text_at(d, x + 10, y + 22, w - 14, FONT_FIGURE, TEXT_ONE_LINE, INK, value);
    text_at(d, x + 10, y + 44, w - 14, FONT_TINY, TEXT_ONE_LINE, MUTED, caption);
}

static void cover_figures(struct doc *d)
{
    const struct engine_kpis *k = &d->rd->kpis;
    const struct engine_incremental *inc = &d->rd->inc;
    const struct insights_config *c = &d->in->settings->insights;
    char revenue[FORMAT_MAX], spend[FORMAT_MAX], roas[FORMAT_MAX], iroas[FORMAT_MAX];
    char bench[FORMAT_MAX], cap_roas[96], cap_iroas[96], cap_revenue[96], cap_spend[96];
    format_money_compact(revenue, sizeof revenue, k->revenue);
    format_money_compact(spend, sizeof spend, k->spend);
    cell_ratio(roas, k->roas);
    cell_ratio(iroas, inc->iroas);
    cell_plain_number(bench, c->roas_benchmark);
    char orders[FORMAT_MAX], infl[FORMAT_MAX];
    format_int(orders, sizeof orders, k->orders);
    format_int(infl, sizeof infl, k->influencers);
    snprintf(cap_revenue, sizeof cap_revenue, "attributed, %s orders", orders);
    snprintf(cap_spend, sizeof cap_spend, "earned by %s influencers", infl);
    snprintf(cap_roas, sizeof cap_roas, "benchmark %s " MIDDOT " %s", bench,
             !k->roas.has                         ? "no spend"
             : k->roas.value >= c->roas_benchmark ? "met"
                                                  : "not met");
    snprintf(cap_iroas, sizeof cap_iroas, "incremental, method: %s",
             engine_iroas_method_name(inc->method));
    double gap = 10, w = (CONTENT_W - 3 * gap) / 4, y = d->y + 20;
    struct rgb roas_accent = !k->roas.has                         ? MUTED
                             : k->roas.value >= c->roas_benchmark ? GREEN
                                                                  : RED;
    figure_box(d, MARGIN_X, y, w, "Revenue", revenue, cap_revenue, BLUE);
    figure_box(d, MARGIN_X + (w + gap), y, w, "Spend", spend, cap_spend, ORANGE);
    figure_box(d, MARGIN_X + 2 * (w + gap), y, w, "ROAS", roas, cap_roas, roas_accent);
    figure_box(d, MARGIN_X + 3 * (w + gap), y, w, "iROAS", iroas, cap_iroas, BLUE);
    d->y = y + 64 + 16;
}

static void draw_cover(struct doc *d)
{
    fill_rect(d, 0, 0, PAGE_W, 8, BLUE);
    d->y = 110;
    d->y += text_at(d, MARGIN_X, d->y, CONTENT_W, FONT_TITLE, TEXT_LEFT, INK,
                    "Influencer marketing report");
    d->y += 6;
    d->y += text_at(d, MARGIN_X, d->y, CONTENT_W, FONT_H2, TEXT_LEFT, MUTED,
                    "Revenue, spend and returns of the influencer programme");
    d->y += 30;
    cover_filters(d);
    cover_period(d);
    cover_figures(d);
    paragraph(d, FONT_SMALL, MUTED,
              "Money is in Indian rupees (" FORMAT_RUPEE "), grouped in lakh and crore. Every "
              "ratio is a ratio of sums over the filtered data; " DASH " marks a ratio without a "
              "denominator (no spend, no orders, no reach). Spend is what the influencers earned "
              "under their payout terms over the filtered activity.");
}

/* ---- key figures -------------------------------------------------------------------------- */

struct kpi_line {
    const char *label;
    char value[FORMAT_MAX];
    char bench[FORMAT_MAX];
    char note[96];
    int verdict; /* 1 met, -1 not met, 0 none */
};

#define KPI_LINES 20

static struct kpi_line *kpi_add(struct kpi_line *lines, size_t *n, const char *label)
{
    assert(*n < KPI_LINES);
    struct kpi_line *l = &lines[(*n)++];
    memset(l, 0, sizeof *l);
    l->label = label;
    return l;
}

static void kpi_verdict(struct kpi_line *l, struct engine_ratio r, double benchmark)
{
    if (!r.has) {
        snprintf(l->note, sizeof l->note, DASH " (no spend)");
        return;
    }
    l->verdict = r.value >= benchmark ? 1 : -1;
    snprintf(l->note, sizeof l->note, "%s", l->verdict > 0 ? "met" : "not met");
}

static size_t kpi_lines(const struct doc *d, struct kpi_line *lines)
{
    const struct engine_kpis *k = &d->rd->kpis;
    const struct engine_incremental *inc = &d->rd->inc;
    const struct insights_config *c = &d->in->settings->insights;
    const char *method = engine_iroas_method_name(inc->method);
    size_t n = 0;
    struct kpi_line *l;
    cell_money(kpi_add(lines, &n, "Revenue (attributed)")->value, k->revenue);
    cell_int(kpi_add(lines, &n, "Orders")->value, k->orders);
    cell_money(kpi_add(lines, &n, "Spend")->value, k->spend);
    l = kpi_add(lines, &n, "ROAS");
    cell_ratio(l->value, k->roas);
    cell_plain_number(l->bench, c->roas_benchmark);
    kpi_verdict(l, k->roas, c->roas_benchmark);
    l = kpi_add(lines, &n, "ROI");
    cell_percent(l->value, k->roi, 0);
    format_percent(l->bench, sizeof l->bench, c->roi_benchmark, 0);
    kpi_verdict(l, k->roi, c->roi_benchmark);
    l = kpi_add(lines, &n, "Incremental revenue");
    cell_money(l->value, inc->incremental_revenue);
    snprintf(l->note, sizeof l->note, "method: %s", method);
    l = kpi_add(lines, &n, "iROAS");
    cell_ratio(l->value, inc->iroas);
    snprintf(l->note, sizeof l->note, "method: %s", method);
    cell_money(kpi_add(lines, &n, "Organic revenue")->value, k->organic_revenue);
    cell_percent(kpi_add(lines, &n, "Engagement rate")->value, k->engagement_rate, 2);
    cell_money_ratio(kpi_add(lines, &n, "CPO (cost per order)")->value, k->cpo);
    cell_money_ratio(kpi_add(lines, &n, "AOV (average order value)")->value, k->aov);
    cell_money_ratio(kpi_add(lines, &n, "CPM (per 1,000 reached)")->value, k->cpm);
    cell_money_ratio(kpi_add(lines, &n, "CPE (per engagement)")->value, k->cpe);
    cell_percent(kpi_add(lines, &n, "Conversion rate")->value, k->conversion_rate, 2);
    cell_money_ratio(kpi_add(lines, &n, "Revenue per post")->value, k->revenue_per_post);
    cell_int(kpi_add(lines, &n, "Influencers")->value, k->influencers);
    cell_int(kpi_add(lines, &n, "Posts")->value, k->posts);
    cell_int(kpi_add(lines, &n, "Reach")->value, k->reach);
    return n;
}

static const struct table_col KPI_COLS[] = {
    {"Metric", 170, TEXT_LEFT},
    {"Value", 130, TEXT_RIGHT},
    {"Benchmark", 80, TEXT_RIGHT},
    {"Against it", CONTENT_W - 380, TEXT_LEFT},
};

static void fill_kpi_row(const void *ctx, size_t i, struct table_row *row)
{
    const struct kpi_line *l = &((const struct kpi_line *)ctx)[i];
    row->cell[0] = l->label;
    row->cell[1] = l->value;
    row->cell[2] = l->bench[0] ? l->bench : "";
    row->cell[3] = l->note;
    if (l->verdict)
        row->color[3] = l->verdict > 0 ? GREEN : RED;
}

static void draw_kpis(struct doc *d)
{
    struct kpi_line lines[KPI_LINES];
    size_t n = kpi_lines(d, lines);
    heading(d, "Key figures", 60);
    struct table t = {"Against the benchmarks", KPI_COLS, sizeof KPI_COLS / sizeof *KPI_COLS};
    table_draw(d, &t, n, fill_kpi_row, lines, NULL);
}

/* ---- the comparison (SPEC §3.2) ------------------------------------------------------------ */

struct compare_line {
    const char *label;
    char now[FORMAT_MAX], then[FORMAT_MAX], change[FORMAT_MAX], rel[FORMAT_MAX];
};

/* kind: 0 money (paise), 1 count, 2 ratio, 3 percent. */
static void compare_add(struct compare_line *l, const char *label, int kind, int has_now,
                        double now, int has_then, double then)
{
    memset(l, 0, sizeof *l);
    l->label = label;
    char *cells[3] = {l->now, l->then, l->change};
    for (int side = 0; side < 3; side++) {
        int has = side == 0 ? has_now : side == 1 ? has_then : has_now && has_then;
        double v = side == 0 ? now : side == 1 ? then : now - then;
        if (!has)
            snprintf(cells[side], FORMAT_MAX, DASH);
        else if (kind == 0)
            format_money(cells[side], FORMAT_MAX, (int64_t)llround(v), 0);
        else if (kind == 1)
            format_int(cells[side], FORMAT_MAX, (int64_t)llround(v));
        else if (kind == 2) /* two decimals: a change of ROAS is often below 0.1 */
            snprintf(cells[side], FORMAT_MAX, "%.2f", v);
        else
            format_percent(cells[side], FORMAT_MAX, v, 1);
    }
    if (has_now && has_then && then != 0)
        format_percent(l->rel, sizeof l->rel, (now - then) / fabs(then), 1);
    else
        snprintf(l->rel, sizeof l->rel, DASH);
}

static const struct table_col COMPARE_COLS[] = {
    {"Metric", 150, TEXT_LEFT},
    {"This period", 105, TEXT_RIGHT},
    {"Earlier", 105, TEXT_RIGHT},
    {"Change", 70, TEXT_RIGHT},
    {"Change %", CONTENT_W - 430, TEXT_RIGHT},
};

static void fill_compare_row(const void *ctx, size_t i, struct table_row *row)
{
    const struct compare_line *l = &((const struct compare_line *)ctx)[i];
    row->cell[0] = l->label;
    row->cell[1] = l->now;
    row->cell[2] = l->then;
    row->cell[3] = l->change;
    row->cell[4] = l->rel;
}

static void draw_comparison(struct doc *d)
{
    const struct report_data *rd = d->rd;
    if (!rd->has_compare)
        return;
    const struct report_compare *c = &rd->compare;
    const struct engine_kpis *k = &rd->kpis, *p = &c->kpis;
    struct compare_line lines[12];
    size_t n = 0;
#define R(r) (r).has, (r).value
    compare_add(&lines[n++], "Revenue (attributed)", 0, 1, (double)k->revenue, 1,
                (double)p->revenue);
    compare_add(&lines[n++], "Orders", 1, 1, (double)k->orders, 1, (double)p->orders);
    compare_add(&lines[n++], "Spend", 0, 1, (double)k->spend, 1, (double)p->spend);
    compare_add(&lines[n++], "ROAS", 2, R(k->roas), R(p->roas));
    compare_add(&lines[n++], "ROI", 3, R(k->roi), R(p->roi));
    compare_add(&lines[n++], "Incremental revenue", 0, 1, (double)rd->inc.incremental_revenue, 1,
                (double)c->inc.incremental_revenue);
    compare_add(&lines[n++], "iROAS", 2, R(rd->inc.iroas), R(c->inc.iroas));
    compare_add(&lines[n++], "Organic revenue", 0, 1, (double)k->organic_revenue, 1,
                (double)p->organic_revenue);
    compare_add(&lines[n++], "CPO (cost per order)", 0, R(k->cpo), R(p->cpo));
    compare_add(&lines[n++], "AOV (average order value)", 0, R(k->aov), R(p->aov));
    compare_add(&lines[n++], "Influencers", 1, 1, (double)k->influencers, 1,
                (double)p->influencers);
    compare_add(&lines[n++], "Posts", 1, 1, (double)k->posts, 1, (double)p->posts);
#undef R
    char title[128];
    snprintf(title, sizeof title, "Compared with %s to %s%s", c->from, c->to,
             c->previous ? " (the previous period)" : "");
    struct table t = {title, COMPARE_COLS, sizeof COMPARE_COLS / sizeof *COMPARE_COLS};
    table_draw(d, &t, n, fill_compare_row, lines, NULL);
    paragraph(d, FONT_SMALL, MUTED,
              "The same filters over the earlier period; change % is the change over the "
              "earlier figure's size (" DASH " where it is 0 or has no value).");
}

/* ---- spend and ROAS by platform, brand, campaign, product and source ---------------------- */

#define REPORT_MAX_GROUP_ROWS 25

struct group_table {
    const struct engine_group *g;
    int has_spend;
};

static const struct table_col GROUP_COLS[] = {
    {"", 150, TEXT_LEFT},      {"Revenue", 95, TEXT_RIGHT}, {"Orders", 55, TEXT_RIGHT},
    {"Spend", 90, TEXT_RIGHT}, {"ROAS", 50, TEXT_RIGHT},    {"ROI", CONTENT_W - 440, TEXT_RIGHT},
};

static void fill_group_row(const void *ctx, size_t i, struct table_row *row)
{
    const struct group_table *t = ctx;
    const struct engine_group *g = &t->g[i];
    row->cell[0] = g->key[0] ? g->key : "(none)";
    cell_money(row->scratch[1], g->revenue);
    row->cell[1] = row->scratch[1];
    cell_int(row->scratch[2], g->orders);
    row->cell[2] = row->scratch[2];
    if (!t->has_spend) {
        row->cell[3] = row->cell[4] = row->cell[5] = DASH;
        return;
    }
    struct engine_ratio roas = {g->spend > 0,
                                g->spend > 0 ? (double)g->revenue / (double)g->spend : 0};
    struct engine_ratio roi = {
        g->spend > 0, g->spend > 0 ? (double)(g->revenue - g->spend) / (double)g->spend : 0};
    cell_money(row->scratch[3], g->spend);
    row->cell[3] = row->scratch[3];
    cell_ratio(row->scratch[4], roas);
    row->cell[4] = row->scratch[4];
    cell_percent(row->scratch[5], roi, 0);
    row->cell[5] = row->scratch[5];
}

static int cmp_group_revenue(const void *a, const void *b)
{
    const struct engine_group *x = a, *y = b;
    if (x->revenue != y->revenue)
        return x->revenue > y->revenue ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* One table: the groups (the REPORT_MAX_GROUP_ROWS with the most revenue), spend, ROAS and
 * ROI where the groups' spend adds up to the total (report_groups_have_spend). */
static void draw_group_table(struct doc *d, const char *title, const char *what,
                             const struct engine_group *g, size_t n)
{
    struct engine_group *sorted = n ? xmalloc(n * sizeof *sorted) : NULL;
    if (n)
        memcpy(sorted, g, n * sizeof *sorted);
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, cmp_group_revenue);
    struct table_col cols[sizeof GROUP_COLS / sizeof *GROUP_COLS];
    memcpy(cols, GROUP_COLS, sizeof cols);
    cols[0].title = what;
    struct group_table gt = {sorted, report_groups_have_spend(g, n, d->rd->kpis.spend)};
    struct table t = {title, cols, sizeof cols / sizeof *cols};
    size_t shown = n < REPORT_MAX_GROUP_ROWS ? n : REPORT_MAX_GROUP_ROWS;
    table_draw(d, &t, shown, fill_group_row, &gt, NULL);
    char note[200] = "";
    if (shown < n)
        snprintf(note, sizeof note, "The %zu with the most revenue of %zu. ", shown, n);
    if (!gt.has_spend)
        snprintf(note + strlen(note), sizeof note - strlen(note),
                 "Spend is not allocated to these groups: spend, ROAS and ROI show " DASH ".");
    if (note[0])
        paragraph(d, FONT_SMALL, MUTED, note);
    free(sorted);
}

static void draw_groups(struct doc *d)
{
    const struct report_data *rd = d->rd;
    heading(d, "Spend and ROAS by group", 80);
    draw_group_table(d, "By platform", "Platform", rd->platforms, rd->nplatforms);
    draw_group_table(d, "By brand", "Brand", rd->brands, rd->nbrands);
    draw_group_table(d, "By campaign", "Campaign", rd->campaigns, rd->ncampaigns);
    draw_group_table(d, "By product", "Product", rd->products, rd->nproducts);
    draw_group_table(d, "By source", "Source", rd->sources, rd->nsources);
}

/* ---- incremental ROAS --------------------------------------------------------------------- */

static void draw_incremental(struct doc *d)
{
    const struct engine_incremental *inc = &d->rd->inc;
    char text[512], a[FORMAT_MAX], b[FORMAT_MAX], c[FORMAT_MAX], x[FORMAT_MAX];
    heading(d, "How incremental ROAS was computed", 60);
    const char *method = engine_iroas_method_name(inc->method);
    if (inc->requested == ENGINE_IROAS_AUTO || inc->requested == inc->method)
        snprintf(text, sizeof text, "%s%s", method,
                 inc->requested == ENGINE_IROAS_AUTO ? " (chosen automatically)" : "");
    else
        snprintf(text, sizeof text, "%s (%s was asked for but does not apply to this data)", method,
                 engine_iroas_method_name(inc->requested));
    label_value(d, 120, "Method", text);
    label_value(d, 120, "Why", inc->why[0] ? inc->why : DASH);
    switch (inc->method) {
    case ENGINE_IROAS_ORGANIC:
        cell_money(a, inc->baseline_daily);
        cell_int(b, inc->baseline_days);
        cell_int(c, inc->campaign_days);
        snprintf(text, sizeof text,
                 "baseline %s a day (the mean daily revenue over %s day%s without influencer "
                 "activity), over %s campaign day%s",
                 a, b, inc->baseline_days == 1 ? "" : "s", c, inc->campaign_days == 1 ? "" : "s");
        break;
    case ENGINE_IROAS_HOLDOUT:
        cell_money(a, inc->test_revenue);
        cell_money(b, inc->control_revenue);
        cell_int(c, inc->test_rows);
        cell_int(x, inc->control_rows);
        snprintf(text, sizeof text,
                 "Test revenue %s over %s rows, Control revenue %s over %s rows; incremental = "
                 "Test " DASH " Control, over the filter's spend",
                 a, c, b, x);
        break;
    default:
        format_percent(a, sizeof a, inc->fixed_share, 0);
        snprintf(text, sizeof text,
                 "a share p = %s of attributed revenue would have come anyway; incremental = "
                 "revenue " DASH " p " MIDDOT " revenue",
                 a);
        break;
    }
    label_value(d, 120, "Parameters", text);
    cell_money(a, inc->incremental_revenue);
    cell_ratio(b, inc->iroas);
    snprintf(text, sizeof text, "incremental revenue %s, iROAS %s (incremental revenue / spend)", a,
             b);
    label_value(d, 120, "Result", text);
    if (inc->has_interval) {
        cell_money(a, inc->low);
        cell_money(b, inc->high);
        char lo[FORMAT_MAX], hi[FORMAT_MAX];
        cell_ratio(lo, inc->iroas_low);
        cell_ratio(hi, inc->iroas_high);
        snprintf(text, sizeof text,
                 "95 %% bootstrap interval over days: %s to %s (iROAS %s to %s), %u resamples, "
                 "seed %llu",
                 a, b, lo, hi, inc->bootstrap, (unsigned long long)inc->seed);
        label_value(d, 120, "Interval", text);
    } else {
        label_value(d, 120, "Interval", "none for this method");
    }
}

static void draw_sentences(struct doc *d)
{
    const struct insights_sentences *s = &d->rd->sentences;
    heading(d, "Insights", 30);
    if (s->n == 0)
        paragraph(d, FONT_BODY, MUTED, "Not enough data in this filter for insights.");
    for (size_t i = 0; i < s->n; i++)
        bullet(d, s->text[i]);
}

/* ---- charts: axes and scales ------------------------------------------------------------ */

/* A tick step of 1, 2 or 5 × 10^k giving about `ticks` steps up to max. */
static double nice_step(double max, int ticks)
{
    if (!(max > 0) || !isfinite(max))
        return 1;
    double raw = max / ticks;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * mag;
}

/* The axis top: max rounded up to a whole step (at least one step). */
static double nice_top(double max, double step)
{
    double top = ceil(max / step) * step;
    return top > 0 ? top : step;
}

struct frame {
    double x, y, w, h; /* the plot area, axes drawn along its left, right and bottom */
};

typedef void (*tick_label_fn)(char out[FORMAT_MAX], double v);

static void tick_money(char out[FORMAT_MAX], double paise)
{
    format_money_compact(out, FORMAT_MAX, (int64_t)llround(paise));
}

static void tick_ratio(char out[FORMAT_MAX], double v)
{
    cell_plain_number(out, v);
}

/* Horizontal grid lines and labels for 0..top; labels on the left (right == 0) or right. */
static void axis_y(struct doc *d, const struct frame *fr, double top, double step,
                   tick_label_fn label, int right, int grid)
{
    char s[FORMAT_MAX];
    for (int i = 0; i <= 20; i++) {
        double v = step * i;
        if (v > top * 1.0001)
            break;
        double y = fr->y + fr->h - v / top * fr->h;
        if (grid)
            line(d, fr->x, y, fr->x + fr->w, y, 0.4, i == 0 ? MUTED : RULE);
        label(s, v);
        if (right)
            text_mid(d, fr->x + fr->w + 4, y, 60, FONT_TINY, TEXT_LEFT, MUTED, s);
        else
            text_mid(d, fr->x - 64, y, 60, FONT_TINY, TEXT_RIGHT, MUTED, s);
    }
}

static void legend_swatch(struct doc *d, double *x, double y, struct rgb c, int as_line, int dashed,
                          const char *label)
{
    if (as_line) {
        if (dashed) {
            double dash[] = {3, 2};
            cairo_set_dash(d->cr, dash, 2, 0);
        }
        line(d, *x, y + 4, *x + 14, y + 4, 1.6, c);
        cairo_set_dash(d->cr, NULL, 0, 0);
    } else {
        fill_rect(d, *x, y, 10, 8, c);
    }
    *x += as_line ? 18 : 14;
    double w = text_width(d, FONT_SMALL, label);
    text_mid(d, *x, y + 4, w + 2, FONT_SMALL, TEXT_LEFT, INK, label);
    *x += w + 14;
}

static void chart_title(struct doc *d, const char *title, double h_body)
{
    subheading(d, title, h_body);
}

static void chart_empty(struct doc *d, double h)
{
    fill_rect(d, MARGIN_X, d->y, CONTENT_W, h, ZEBRA);
    text_mid(d, MARGIN_X, d->y + h / 2, CONTENT_W, FONT_BODY, TEXT_CENTER, MUTED,
             "No data for this filter.");
    d->y += h + 8;
}

/* ---- chart: revenue and ROAS by platform ------------------------------------------------ */

static void chart_platforms(struct doc *d)
{
    const struct report_data *rd = d->rd;
    double bench = d->in->settings->insights.roas_benchmark;
    const double h_total = 250;
    chart_title(d, "Revenue and ROAS by platform", h_total);
    if (rd->nplatforms == 0) {
        chart_empty(d, 120);
        return;
    }
    double legend_x = MARGIN_X;
    legend_swatch(d, &legend_x, d->y, BLUE, 0, 0, "Revenue (left axis)");
    legend_swatch(d, &legend_x, d->y, ORANGE, 1, 0, "ROAS (right axis)");
    legend_swatch(d, &legend_x, d->y, MUTED, 1, 1, "ROAS benchmark");
    struct frame fr = {MARGIN_X + 58, d->y + 22, CONTENT_W - 58 - 36, h_total - 70};
    double max_rev = 0, max_roas = bench;
    for (size_t i = 0; i < rd->nplatforms; i++) {
        const struct engine_group *g = &rd->platforms[i];
        if ((double)g->revenue > max_rev)
            max_rev = (double)g->revenue;
        if (g->roas.has && g->roas.value > max_roas && isfinite(g->roas.value))
            max_roas = g->roas.value;
    }
    double rev_step = nice_step(max_rev, 5), rev_top = nice_top(max_rev, rev_step);
    double roas_step = nice_step(max_roas * 1.1, 5), roas_top = nice_top(max_roas * 1.1, roas_step);
    axis_y(d, &fr, rev_top, rev_step, tick_money, 0, 1);
    axis_y(d, &fr, roas_top, roas_step, tick_ratio, 1, 0);
    double slot = fr.w / (double)rd->nplatforms;
    double bar = slot * 0.55 < 48 ? slot * 0.55 : 48;
    char s[FORMAT_MAX];
    for (size_t i = 0; i < rd->nplatforms; i++) {
        const struct engine_group *g = &rd->platforms[i];
        double cx = fr.x + slot * ((double)i + 0.5);
        double bh = (double)g->revenue / rev_top * fr.h;
        if (bh > 0)
            fill_rect(d, cx - bar / 2, fr.y + fr.h - bh, bar, bh, BLUE);
        text_at(d, cx - slot / 2, fr.y + fr.h + 4, slot, FONT_SMALL, TEXT_CENTER | TEXT_ONE_LINE,
                INK, or_none(g->key));
        format_money_compact(s, sizeof s, g->revenue);
        text_at(d, cx - slot / 2, fr.y + fr.h + 15, slot, FONT_TINY, TEXT_CENTER | TEXT_ONE_LINE,
                MUTED, s);
    }
    /* the benchmark, then the ROAS line over the bars */
    double by = fr.y + fr.h - bench / roas_top * fr.h;
    double dash[] = {4, 3};
    cairo_set_dash(d->cr, dash, 2, 0);
    line(d, fr.x, by, fr.x + fr.w, by, 0.9, MUTED);
    cairo_set_dash(d->cr, NULL, 0, 0);
    set_color(d, ORANGE);
    cairo_set_line_width(d->cr, 1.6);
    int started = 0;
    for (size_t i = 0; i < rd->nplatforms; i++) {
        const struct engine_group *g = &rd->platforms[i];
        if (!g->roas.has)
            continue;
        double cx = fr.x + slot * ((double)i + 0.5);
        double cy = fr.y + fr.h - fmin(g->roas.value, roas_top) / roas_top * fr.h;
        if (started)
            cairo_line_to(d->cr, cx, cy);
        else
            cairo_move_to(d->cr, cx, cy);
        started = 1;
    }
    cairo_stroke(d->cr);
    for (size_t i = 0; i < rd->nplatforms; i++) {
        const struct engine_group *g = &rd->platforms[i];
        double cx = fr.x + slot * ((double)i + 0.5);
        double cy = g->roas.has ? fr.y + fr.h - fmin(g->roas.value, roas_top) / roas_top * fr.h
                                : fr.y + fr.h - 6;
        if (g->roas.has) {
            set_color(d, ORANGE);
            cairo_new_path(d->cr);
            cairo_arc(d->cr, cx, cy, 3, 0, 2 * M_PI);
            cairo_fill(d->cr);
        }
        char label[FORMAT_MAX + 8];
        cell_ratio(s, g->roas);
        snprintf(label, sizeof label, "ROAS %s", s);
        double lw = fmin(text_width(d, FONT_TINY, label), slot);
        cairo_set_source_rgba(d->cr, 1, 1, 1, 0.85); /* readable over a bar */
        cairo_rectangle(d->cr, cx - lw / 2 - 2, cy - 15.5, lw + 4, 9.5);
        cairo_fill(d->cr);
        text_at(d, cx - slot / 2, cy - 15, slot, FONT_TINY, TEXT_CENTER | TEXT_ONE_LINE, ORANGE,
                label);
    }
    d->y = fr.y + fr.h + 34;
}

/* ---- chart: revenue over time ----------------------------------------------------------- */

static void chart_daily(struct doc *d)
{
    const struct report_data *rd = d->rd;
    const double h_total = 230;
    chart_title(d, "Revenue over time", h_total);
    /* the dated groups span first..last; days without activity are zero */
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (size_t i = 0; i < rd->ndays; i++) {
        int32_t day;
        if (schema_iso_to_days(rd->days[i].key, &day) != 0)
            continue;
        if (day < first)
            first = day;
        if (day > last)
            last = day;
    }
    if (first > last) {
        chart_empty(d, 120);
        return;
    }
    size_t span = (size_t)((int64_t)last - first + 1);
    double *attributed = xcalloc(span, sizeof *attributed);
    double *organic = xcalloc(span, sizeof *organic);
    double max = 0;
    for (size_t i = 0; i < rd->ndays; i++) {
        int32_t day;
        if (schema_iso_to_days(rd->days[i].key, &day) != 0)
            continue;
        attributed[day - first] += (double)rd->days[i].revenue;
        organic[day - first] += (double)rd->days[i].organic_revenue;
    }
    for (size_t i = 0; i < span; i++)
        max = fmax(max, fmax(attributed[i], organic[i]));
    double legend_x = MARGIN_X;
    legend_swatch(d, &legend_x, d->y, BLUE, 0, 0, "Attributed revenue");
    legend_swatch(d, &legend_x, d->y, GREEN, 1, 0, "Organic revenue");
    struct frame fr = {MARGIN_X + 58, d->y + 20, CONTENT_W - 58 - 10, h_total - 60};
    double step = nice_step(max, 5), top = nice_top(max, step);
    axis_y(d, &fr, top, step, tick_money, 0, 1);
    double dx = span > 1 ? fr.w / (double)(span - 1) : 0;
#define DAY_X(i) (span > 1 ? fr.x + dx * (double)(i) : fr.x + fr.w / 2)
#define VAL_Y(v) (fr.y + fr.h - (v) / top * fr.h)
    /* attributed: a filled area under a line */
    cairo_move_to(d->cr, DAY_X(0), fr.y + fr.h);
    for (size_t i = 0; i < span; i++)
        cairo_line_to(d->cr, DAY_X(i), VAL_Y(attributed[i]));
    cairo_line_to(d->cr, DAY_X(span - 1), fr.y + fr.h);
    cairo_close_path(d->cr);
    cairo_set_source_rgba(d->cr, BLUE.r, BLUE.g, BLUE.b, 0.25);
    cairo_fill(d->cr);
    set_color(d, BLUE);
    cairo_set_line_width(d->cr, 1.0);
    for (size_t i = 0; i < span; i++) {
        if (i == 0)
            cairo_move_to(d->cr, DAY_X(i), VAL_Y(attributed[i]));
        else
            cairo_line_to(d->cr, DAY_X(i), VAL_Y(attributed[i]));
    }
    cairo_stroke(d->cr);
    set_color(d, GREEN);
    for (size_t i = 0; i < span; i++) {
        if (i == 0)
            cairo_move_to(d->cr, DAY_X(i), VAL_Y(organic[i]));
        else
            cairo_line_to(d->cr, DAY_X(i), VAL_Y(organic[i]));
    }
    cairo_stroke(d->cr);
    /* about six date labels along the bottom */
    size_t nlabels = span < 6 ? span : 6;
    for (size_t k = 0; k < nlabels; k++) {
        size_t i = nlabels > 1 ? k * (span - 1) / (nlabels - 1) : 0;
        char iso[11];
        schema_days_to_iso(first + (int32_t)i, iso);
        double x = DAY_X(i);
        line(d, x, fr.y + fr.h, x, fr.y + fr.h + 3, 0.5, MUTED);
        text_at(d, x - 30, fr.y + fr.h + 5, 60, FONT_TINY, TEXT_CENTER | TEXT_ONE_LINE, MUTED, iso);
    }
#undef DAY_X
#undef VAL_Y
    free(attributed);
    free(organic);
    d->y = fr.y + fr.h + 24;
}

/* ---- chart: top and bottom influencers ---------------------------------------------------- */

enum bar_value { BAR_REVENUE, BAR_ROAS };

static double bar_value(const struct engine_influencer_row *r, enum bar_value v)
{
    if (v == BAR_REVENUE)
        return (double)r->revenue;
    return r->roas.has && isfinite(r->roas.value) ? fmax(r->roas.value, 0) : 0;
}

/* Horizontal bars, one per row: name on the left, value at the bar's end. */
static void hbars(struct doc *d, const char *title, const struct engine_influencer_row *rows,
                  size_t n, enum bar_value v, struct rgb color, double benchmark)
{
    const double bar_h = 14, gap = 5;
    double h = (double)n * (bar_h + gap) + 16;
    chart_title(d, title, h);
    if (n == 0) {
        chart_empty(d, 50);
        return;
    }
    double name_w = 150, value_w = 80;
    struct frame fr = {MARGIN_X + name_w, d->y, CONTENT_W - name_w - value_w, h - 16};
    double max = v == BAR_ROAS ? benchmark : 0;
    for (size_t i = 0; i < n; i++)
        max = fmax(max, bar_value(&rows[i], v));
    double top = max > 0 ? max * 1.05 : 1;
    line(d, fr.x, fr.y, fr.x, fr.y + fr.h, 0.6, MUTED);
    char s[FORMAT_MAX];
    for (size_t i = 0; i < n; i++) {
        const struct engine_influencer_row *r = &rows[i];
        double y = fr.y + (double)i * (bar_h + gap);
        char name[160];
        snprintf(name, sizeof name, "%s", r->name[0] ? r->name : r->id);
        text_mid(d, MARGIN_X, y + bar_h / 2, name_w - 8, FONT_SMALL, TEXT_RIGHT, INK, name);
        double w = bar_value(r, v) / top * fr.w;
        if (w > 0)
            fill_rect(d, fr.x, y, w, bar_h, color);
        if (v == BAR_REVENUE)
            format_money_compact(s, sizeof s, r->revenue);
        else
            cell_ratio(s, r->roas);
        text_mid(d, fr.x + w + 4, y + bar_h / 2, value_w - 4, FONT_SMALL, TEXT_LEFT, INK, s);
    }
    if (v == BAR_ROAS && benchmark > 0) {
        double bx = fr.x + benchmark / top * fr.w;
        double dash[] = {4, 3};
        cairo_set_dash(d->cr, dash, 2, 0);
        line(d, bx, fr.y - 2, bx, fr.y + fr.h, 0.9, MUTED);
        cairo_set_dash(d->cr, NULL, 0, 0);
        char label[FORMAT_MAX + 16], b[FORMAT_MAX];
        cell_plain_number(b, benchmark);
        snprintf(label, sizeof label, "benchmark %s", b);
        text_at(d, bx - 50, fr.y + fr.h + 2, 100, FONT_TINY, TEXT_CENTER | TEXT_ONE_LINE, MUTED,
                label);
    }
    d->y = fr.y + fr.h + 20;
}

static void chart_influencers(struct doc *d)
{
    const struct report_data *rd = d->rd;
    char title[96];
    if (rd->ntop > 0)
        snprintf(title, sizeof title, "Top %zu influencers by revenue", rd->ntop);
    else
        snprintf(title, sizeof title, "Top influencers by revenue");
    hbars(d, title, rd->top, rd->ntop, BAR_REVENUE, BLUE, 0);
    /* the bottom list is by ROAS when its influencers have spend, else by revenue */
    int by_roas = rd->nbottom > 0;
    for (size_t i = 0; i < rd->nbottom; i++)
        by_roas = by_roas && rd->bottom[i].roas.has;
    if (rd->nbottom > 0)
        snprintf(title, sizeof title, "Bottom %zu influencers by %s", rd->nbottom,
                 by_roas ? "ROAS" : "revenue");
    else
        snprintf(title, sizeof title, "Bottom influencers by ROAS");
    hbars(d, title, rd->bottom, rd->nbottom, by_roas ? BAR_ROAS : BAR_REVENUE,
          by_roas ? RED : ORANGE, d->in->settings->insights.roas_benchmark);
}

/* ---- chart: persona heat map (category × gender, ROAS) ----------------------------------- */

/* Red (ROAS 0) through amber (the benchmark) to green (twice the benchmark). */
static struct rgb heat_color(double roas, double benchmark)
{
    double t = benchmark > 0 ? roas / (2 * benchmark) : 1;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    struct rgb a = t < 0.5 ? RED : AMBER, b = t < 0.5 ? AMBER : GREEN;
    double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    return (struct rgb){a.r + (b.r - a.r) * u, a.g + (b.g - a.g) * u, a.b + (b.b - a.b) * u};
}

/* Index of s in list (adding it when there is room); -1 when the list is full. */
static int key_index(const char **list, size_t *n, size_t cap, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i], s) == 0)
            return (int)i;
    if (*n >= cap)
        return -1;
    list[*n] = s;
    return (int)(*n)++;
}

static const char *persona_category(const struct report_data *rd, size_t i)
{
    return rd->personas[i].category ? rd->personas[i].category : "";
}

/* The categories with the most revenue, up to HEATMAP_MAX_CATEGORIES, into cats; returns
 * their number and *all the number of categories (persona rows are sorted by category, so
 * each category is one run of rows). */
static size_t heat_categories(const struct report_data *rd, const char **cats, size_t *all)
{
    size_t n = 0;
    int64_t revenue[HEATMAP_MAX_CATEGORIES];
    *all = 0;
    for (size_t i = 0; i < rd->npersonas;) {
        const char *c = persona_category(rd, i);
        int64_t total = 0;
        size_t j = i;
        for (; j < rd->npersonas && strcmp(persona_category(rd, j), c) == 0; j++)
            total += rd->personas[j].revenue;
        i = j;
        (*all)++;
        if (n < HEATMAP_MAX_CATEGORIES) {
            cats[n] = c;
            revenue[n++] = total;
            continue;
        }
        size_t low = 0;
        for (size_t k = 1; k < n; k++)
            if (revenue[k] < revenue[low])
                low = k;
        if (total > revenue[low]) {
            cats[low] = c;
            revenue[low] = total;
        }
    }
    return n;
}

static void chart_personas(struct doc *d)
{
    const struct report_data *rd = d->rd;
    double bench = d->in->settings->insights.roas_benchmark;
    const char *cats[HEATMAP_MAX_CATEGORIES], *genders[HEATMAP_MAX_GENDERS];
    size_t ncat_all, ncats = heat_categories(rd, cats, &ncat_all), ngenders = 0;
    for (size_t i = 0; i < rd->npersonas; i++)
        key_index(genders, &ngenders, HEATMAP_MAX_GENDERS,
                  rd->personas[i].gender ? rd->personas[i].gender : "");
    const double cell_h = 26, head_h = 16;
    double h = head_h + (double)ncats * cell_h + 40;
    chart_title(d, "Personas: ROAS by category and gender", h);
    if (ncats == 0 || ngenders == 0) {
        chart_empty(d, 80);
        return;
    }
    double label_w = 130, cell_w = (CONTENT_W - label_w) / (double)ngenders;
    double y0 = d->y;
    for (size_t g = 0; g < ngenders; g++)
        text_mid(d, MARGIN_X + label_w + cell_w * (double)g, y0 + head_h / 2, cell_w,
                 FONT_SMALL_BOLD, TEXT_CENTER, INK, or_none(genders[g]));
    for (size_t c = 0; c < ncats; c++) {
        double y = y0 + head_h + cell_h * (double)c;
        text_mid(d, MARGIN_X, y + cell_h / 2, label_w - 8, FONT_SMALL, TEXT_RIGHT, INK,
                 or_none(cats[c]));
        for (size_t g = 0; g < ngenders; g++)
            fill_rect(d, MARGIN_X + label_w + cell_w * (double)g + 1, y + 1, cell_w - 2, cell_h - 2,
                      ZEBRA);
    }
    for (size_t i = 0; i < rd->npersonas; i++) {
        const struct engine_persona_row *p = &rd->personas[i];
        const char *cat = p->category ? p->category : "", *gen = p->gender ? p->gender : "";
        int c = -1, g = -1;
        for (size_t k = 0; k < ncats; k++)
            if (strcmp(cats[k], cat) == 0)
                c = (int)k;
        for (size_t k = 0; k < ngenders; k++)
            if (strcmp(genders[k], gen) == 0)
                g = (int)k;
        if (c < 0 || g < 0)
            continue;
        double x = MARGIN_X + label_w + cell_w * g + 1, y = y0 + head_h + cell_h * c + 1;
        struct rgb color = p->roas.has ? heat_color(p->roas.value, bench) : RULE;
        fill_rect(d, x, y, cell_w - 2, cell_h - 2, color);
        char roas[FORMAT_MAX], revenue[FORMAT_MAX], label[2 * FORMAT_MAX + 16];
        cell_ratio(roas, p->roas);
        format_money_compact(revenue, sizeof revenue, p->revenue);
        snprintf(label, sizeof label, "ROAS %s " MIDDOT " %s", roas, revenue);
        text_mid(d, x, y + (cell_h - 2) / 2, cell_w - 2, FONT_TINY, TEXT_CENTER, INK, label);
    }
    /* the colour scale */
    double ly = y0 + head_h + cell_h * (double)ncats + 10, lx = MARGIN_X + label_w, lw = 200;
    for (int i = 0; i < 100; i++)
        fill_rect(d, lx + lw * i / 100.0, ly, lw / 100.0 + 0.3, 8,
                  heat_color(2 * bench * i / 100.0, bench));
    char b0[FORMAT_MAX], b1[FORMAT_MAX], b2[FORMAT_MAX], lbl[FORMAT_MAX + 16];
    cell_plain_number(b0, 0);
    cell_plain_number(b1, bench);
    cell_plain_number(b2, 2 * bench);
    text_at(d, lx - 20, ly + 10, 40, FONT_TINY, TEXT_CENTER, MUTED, b0);
    snprintf(lbl, sizeof lbl, "%s (benchmark)", b1);
    text_at(d, lx + lw / 2 - 50, ly + 10, 100, FONT_TINY, TEXT_CENTER, MUTED, lbl);
    snprintf(lbl, sizeof lbl, "%s and more", b2);
    text_at(d, lx + lw - 40, ly + 10, 80, FONT_TINY, TEXT_CENTER, MUTED, lbl);
    fill_rect(d, lx + lw + 70, ly, 12, 8, RULE);
    text_mid(d, lx + lw + 86, ly + 4, 120, FONT_TINY, TEXT_LEFT, MUTED, "no spend (ROAS " DASH ")");
    d->y = ly + 26;
    if (ncat_all > ncats) {
        char note[128];
        snprintf(note, sizeof note, "The %zu categories with the most revenue of %zu.", ncats,
                 ncat_all);
        paragraph(d, FONT_SMALL, MUTED, note);
    }
}

/* ---- tables: influencers and payouts ------------------------------------------------------ */

static const struct table_col INFLUENCER_COLS[] = {
    {"#", 24, TEXT_RIGHT},       {"Influencer", 150, TEXT_LEFT},
    {"Platform", 75, TEXT_LEFT}, {"Revenue", 92, TEXT_RIGHT},
    {"Spend", 92, TEXT_RIGHT},   {"ROAS", CONTENT_W - 433, TEXT_RIGHT},
};

static void fill_influencer_row(const void *ctx, size_t i, struct table_row *row)
{
    const struct engine_influencer_row *r = &((const struct engine_influencer_row *)ctx)[i];
    snprintf(row->scratch[0], FORMAT_MAX, "%zu", i + 1);
    row->cell[0] = row->scratch[0];
    row->cell[1] = r->name[0] ? r->name : r->id;
    row->cell[2] = or_none(r->platform);
    cell_money(row->scratch[3], r->revenue);
    cell_money(row->scratch[4], r->spend);
    cell_ratio(row->scratch[5], r->roas);
    for (int c = 3; c <= 5; c++)
        row->cell[c] = row->scratch[c];
}

static void draw_influencer_tables(struct doc *d)
{
    const struct report_data *rd = d->rd;
    char count[FORMAT_MAX], note[256];
    heading(d, "Top and bottom influencers", 80);
    format_int(count, sizeof count, (int64_t)rd->influencer_count);
    snprintf(note, sizeof note,
             "Of %s active influencer%s: the top by revenue and the bottom by ROAS (those with "
             "spend; by revenue when none has spend).",
             count, rd->influencer_count == 1 ? "" : "s");
    paragraph(d, FONT_SMALL, MUTED, note);
    size_t ncols = sizeof INFLUENCER_COLS / sizeof *INFLUENCER_COLS;
    struct table top = {"Top influencers", INFLUENCER_COLS, ncols};
    struct table bottom = {"Bottom influencers", INFLUENCER_COLS, ncols};
    if (rd->ntop == 0) {
        paragraph(d, FONT_BODY, MUTED, "No influencer activity in this filter.");
        return;
    }
    table_draw(d, &top, rd->ntop, fill_influencer_row, rd->top, NULL);
    d->y += 6;
    if (rd->nbottom > 0)
        table_draw(d, &bottom, rd->nbottom, fill_influencer_row, rd->bottom, NULL);
}

static const struct table_col PAYOUT_COLS[] = {
    {"Influencer", 111, TEXT_LEFT},
    {"Earned", 76, TEXT_RIGHT},
    {"Recorded", 76, TEXT_RIGHT},
    {"Paid", 76, TEXT_RIGHT},
    {"Pending", 76, TEXT_RIGHT},
    {"Mismatch", CONTENT_W - 415, TEXT_RIGHT}, /* room for "not comparable" */
};

static void fill_payout_row(const void *ctx, size_t i, struct table_row *row)
{
    const struct engine_payout_row *p = &((const struct engine_payout_row *)ctx)[i];
    row->cell[0] = p->name[0] ? p->name : p->id;
    cell_money(row->scratch[1], p->earned);
    cell_money(row->scratch[2], p->recorded);
    cell_money(row->scratch[3], p->paid);
    cell_money(row->scratch[4], p->pending);
    for (int c = 1; c <= 4; c++)
        row->cell[c] = row->scratch[c];
    row->cell[5] = p->check == ENGINE_PAYOUT_MISMATCH ? "yes"
                   : p->check == ENGINE_PAYOUT_MATCH  ? "no"
                                                      : "not comparable";
    if (p->mismatch)
        row->color[5] = RED;
}

static void draw_payouts(struct doc *d)
{
    const struct report_data *rd = d->rd;
    const struct engine_payout_totals *t = &rd->payout_totals;
    heading(d, "Payouts", 80);
    if (rd->npayouts == 0) {
        paragraph(d, FONT_BODY, MUTED, "No payouts or spend in this filter.");
        return;
    }
    char count[FORMAT_MAX], mism[FORMAT_MAX], note[400];
    format_int(count, sizeof count, t->influencers);
    format_int(mism, sizeof mism, t->mismatches);
    snprintf(note, sizeof note,
             "Earned under the payout terms against what was recorded. The %zu influencers with "
             "the most earned of %s; the totals cover all of them. %s mismatch%s (earned and "
             "recorded differ by more than " FORMAT_RUPEE "1 over the same activity); %lld "
             "not comparable in this range.",
             rd->npayouts, count, mism, t->mismatches == 1 ? "" : "es",
             (long long)t->not_comparable);
    paragraph(d, FONT_SMALL, MUTED, note);
    struct table_row totals;
    table_row_init(&totals);
    totals.bold = 1;
    snprintf(totals.scratch[0], FORMAT_MAX, "Total (%.40s)", count);
    cell_money(totals.scratch[1], t->earned);
    cell_money(totals.scratch[2], t->recorded);
    cell_money(totals.scratch[3], t->paid);
    cell_money(totals.scratch[4], t->pending);
    snprintf(totals.scratch[5], FORMAT_MAX, "%s", mism);
    for (int c = 0; c <= 5; c++)
        totals.cell[c] = totals.scratch[c];
    struct table tab = {"Payouts by earned amount", PAYOUT_COLS,
                        sizeof PAYOUT_COLS / sizeof *PAYOUT_COLS};
    table_draw(d, &tab, rd->npayouts, fill_payout_row, rd->payouts, &totals);
}

/* ---- TDS and GST of an FY (in->tax, the figures of GET /api/payouts/tax) --------------- */

static const struct table_col TAX_COLS[] = {
    {"Influencer", 115, TEXT_LEFT}, {"Fees", 76, TEXT_RIGHT}, {"Products", 76, TEXT_RIGHT},
    {"TDS", 72, TEXT_RIGHT},        {"GST", 72, TEXT_RIGHT},  {"Net", CONTENT_W - 411, TEXT_RIGHT},
};

static void fill_tax_amounts(struct table_row *row, const struct api_tax_amounts *a)
{
    cell_money(row->scratch[1], a->fees);
    cell_money(row->scratch[2], a->products);
    cell_money(row->scratch[3], a->tds);
    cell_money(row->scratch[4], a->gst);
    cell_money(row->scratch[5], a->net);
    for (int c = 1; c <= 5; c++)
        row->cell[c] = row->scratch[c];
}

static void fill_tax_row(const void *ctx, size_t i, struct table_row *row)
{
    const struct api_tax_row *r = &((const struct api_tax_row *)ctx)[i];
    row->cell[0] = r->name ? r->name : r->influencer_id;
    fill_tax_amounts(row, &r->t);
}

static const struct table_col TAX_SECTION_COLS[] = {
    {"Influencer", 95, TEXT_LEFT}, {"Section", 120, TEXT_LEFT},
    {"Rule", 95, TEXT_LEFT},       {"Rate", 40, TEXT_RIGHT},
    {"Base", 75, TEXT_RIGHT},      {"TDS", CONTENT_W - 425, TEXT_RIGHT},
};

struct tax_section_ref {
    const struct api_tax_row *row;
    const struct api_tax_section *st;
};

static void fill_tax_section_row(const void *ctx, size_t i, struct table_row *row)
{
    const struct tax_section_ref *ref = &((const struct tax_section_ref *)ctx)[i];
    row->cell[0] = ref->row->name ? ref->row->name : ref->row->influencer_id;
    snprintf(row->scratch[1], FORMAT_MAX, "%s%s%s", ref->st->section,
             ref->st->payment_code[0] ? " code " : "", ref->st->payment_code);
    row->cell[1] = row->scratch[1];
    row->cell[2] = ref->st->rule;
    snprintf(row->scratch[3], FORMAT_MAX, "%g%%", ref->st->rate_bp / 100.0);
    cell_money(row->scratch[4], ref->st->base);
    cell_money(row->scratch[5], ref->st->amount);
    for (int c = 3; c <= 5; c++)
        row->cell[c] = row->scratch[c];
}

static void draw_tax(struct doc *d)
{
    const struct api_tax_table *t = d->in->tax;
    if (!t)
        return;
    char title[64], note[600];
    snprintf(title, sizeof title, "TDS and GST, FY %s", t->fy);
    page_break(d);
    heading(d, title, 80);
    snprintf(note, sizeof note,
             "By payment date over all stored payouts of the FY, whatever the filters. Rules "
             "version %s (%s). Net = fees + GST "
             "\xE2\x88\x92"
             " TDS on fees; the TDS on "
             "products is paid by the brand. Payouts without a date or an amount, left out: %lld.",
             t->rules_version, t->rules_file, (long long)t->undated);
    paragraph(d, FONT_SMALL, MUTED, note);
    if (t->nrows == 0) {
        paragraph(d, FONT_BODY, MUTED, "No payouts dated in this FY.");
        return;
    }
    struct table_row totals;
    table_row_init(&totals);
    totals.bold = 1;
    snprintf(totals.scratch[0], FORMAT_MAX, "Total FY %s", t->fy);
    totals.cell[0] = totals.scratch[0];
    fill_tax_amounts(&totals, &t->totals);
    struct table tab = {"Per influencer", TAX_COLS, sizeof TAX_COLS / sizeof *TAX_COLS};
    table_draw(d, &tab, t->nrows, fill_tax_row, t->rows, &totals);

    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++)
        n += t->rows[i].nsections;
    struct tax_section_ref *refs = xmalloc((n + 1) * sizeof *refs);
    n = 0;
    for (size_t i = 0; i < t->nrows; i++)
        for (size_t k = 0; k < t->rows[i].nsections; k++)
            refs[n++] = (struct tax_section_ref){&t->rows[i], &t->rows[i].sections[k]};
    struct table_row sect_total;
    table_row_init(&sect_total);
    sect_total.bold = 1;
    sect_total.cell[0] = "Total";
    cell_money(sect_total.scratch[5], t->totals.tds);
    sect_total.cell[5] = sect_total.scratch[5];
    struct table sections = {"TDS by section and rule", TAX_SECTION_COLS,
                             sizeof TAX_SECTION_COLS / sizeof *TAX_SECTION_COLS};
    table_draw(d, &sections, n, fill_tax_section_row, refs, &sect_total);
    free(refs);
    if (t->gst_state) {
        char cgst[FORMAT_MAX], sgst[FORMAT_MAX], igst[FORMAT_MAX];
        cell_money(cgst, t->totals.cgst);
        cell_money(sgst, t->totals.sgst);
        cell_money(igst, t->totals.igst);
        snprintf(note, sizeof note, "GST of the FY: CGST %s, SGST %s, IGST %s (brand state %d).",
                 cgst, sgst, igst, t->gst_state);
        paragraph(d, FONT_SMALL, MUTED, note);
    }
}

/* ---- one pass over the pages ------------------------------------------------------------ */

static void draw_report(struct doc *d)
{
    page_begin(d);
    draw_cover(d);
    page_break(d);
    draw_kpis(d);
    draw_comparison(d);
    draw_incremental(d);
    draw_sentences(d);
    page_break(d);
    heading(d, "Charts", 250);
    chart_platforms(d);
    chart_daily(d);
    chart_influencers(d);
    chart_personas(d);
    page_break(d);
    draw_groups(d);
    draw_influencer_tables(d);
    draw_payouts(d);
    draw_tax(d);
    page_end(d);
}

static int doc_fonts(struct doc *d)
{
    for (int i = 0; i < FONT_COUNT; i++) {
        PangoFontDescription *f = pango_font_description_new();
        pango_font_description_set_family(f, "DejaVu Sans");
        pango_font_description_set_absolute_size(f, FONT_SPECS[i].size * PANGO_SCALE);
        pango_font_description_set_weight(f, FONT_SPECS[i].bold ? PANGO_WEIGHT_BOLD
                                                                : PANGO_WEIGHT_NORMAL);
        d->font[i] = f;
    }
    return 0;
}

static void doc_release(struct doc *d)
{
    for (int i = 0; i < FONT_COUNT; i++)
        if (d->font[i])
            pango_font_description_free(d->font[i]);
    if (d->layout)
        g_object_unref(d->layout);
    if (d->cr)
        cairo_destroy(d->cr);
}

/* Draws every page onto surface (which the caller finishes); total is the page count
 * for "Page N of M" (0 while counting). Returns the cairo status; *pages the count. */
static cairo_status_t render(cairo_surface_t *surface, const struct report_input *in,
                             const struct report_data *rd, int total, int *pages)
{
    struct doc d;
    memset(&d, 0, sizeof d);
    d.in = in;
    d.rd = rd;
    d.total = total;
    time_t t = (time_t)in->made_at;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(d.made, sizeof d.made, "%Y-%m-%d %H:%M UTC", &tm);
    d.cr = cairo_create(surface);
    cairo_status_t st = cairo_status(d.cr);
    if (st == CAIRO_STATUS_SUCCESS) {
        d.layout = pango_cairo_create_layout(d.cr);
        /* PDF text is placed by its outline metrics, not snapped to a pixel grid */
        cairo_font_options_t *fo = cairo_font_options_create();
        cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
        pango_cairo_context_set_font_options(pango_layout_get_context(d.layout), fo);
        cairo_font_options_destroy(fo);
        pango_layout_context_changed(d.layout);
        doc_fonts(&d);
        draw_report(&d);
        st = cairo_status(d.cr);
    }
    *pages = d.page;
    doc_release(&d);
    return st;
}

/* ---- the file ------------------------------------------------------------------------------ */

struct sink {
    FILE *fp;  /* NULL: discard (the counting pass) */
    int error; /* errno of the first failed write */
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
    struct sink *s = closure;
    if (!s->fp)
        return CAIRO_STATUS_SUCCESS;
    if (s->error)
        return CAIRO_STATUS_WRITE_ERROR;
    if (length && fwrite(data, 1, length, s->fp) != length) {
        s->error = errno ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Renders into s's stream: a PDF surface, every page, finished. */
static int render_pdf(struct sink *s, const struct report_input *in, const struct report_data *rd,
                      int total, int *pages, const char *path, struct err *e)
{
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(sink_write, s, PAGE_W, PAGE_H);
    cairo_status_t st = cairo_surface_status(surface);
    if (st == CAIRO_STATUS_SUCCESS) {
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                       "Influencer marketing report");
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "infludash");
        st = render(surface, in, rd, total, pages);
        cairo_surface_finish(surface);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_status(surface);
    }
    cairo_surface_destroy(surface);
    if (st == CAIRO_STATUS_SUCCESS)
        return 0;
    if (s->error)
        return err_set(e, ERR_IO, "%s: %s", path, strerror(s->error));
    return err_set(e, ERR_IO, "%s: drawing the PDF failed: %s", path, cairo_status_to_string(st));
}

int report_pdf(const struct report_input *in, const char *path, struct err *e)
{
    assert(in && in->eng && in->filter && in->settings && path);
    struct report_data rd;
    memset(&rd, 0, sizeof rd);
    struct buf tmp = BUF_INIT;
    struct sink discard = {NULL, 0}, file = {NULL, 0};
    int counted = 0, pages = 0;
    int rc = gather(&rd, in, e);
    if (rc < 0)
        goto out;
    /* first pass: count the pages */
    rc = render_pdf(&discard, in, &rd, 0, &counted, path, e);
    if (rc < 0)
        goto out;
    buf_printf(&tmp, "%s.tmp", path);
    file.fp = fopen(buf_cstr(&tmp), "wb");
    if (!file.fp) {
        rc = err_set(e, ERR_IO, "%s: %s", buf_cstr(&tmp), strerror(errno));
        goto out;
    }
    rc = render_pdf(&file, in, &rd, counted, &pages, path, e);
    if (rc == 0 && pages != counted)
        rc = err_set(e, ERR_IO, "%s: the page count changed between passes (%d, %d)", path, counted,
                     pages);
    if (rc == 0 && fflush(file.fp) != 0)
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    FILE *fp = file.fp;
    file.fp = NULL;
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    if (rc == 0 && rename(buf_cstr(&tmp), path) != 0)
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    if (rc < 0)
        unlink(buf_cstr(&tmp));
out:
    if (file.fp) {
        fclose(file.fp);
        unlink(buf_cstr(&tmp));
    }
    buf_release(&tmp);
    report_data_release(&rd);
    return rc;
}
