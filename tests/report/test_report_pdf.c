/* test_report_pdf.c — the PDF report on generated demo data (20,000 tracking rows, loaded
 * once): a real PDF of at least three pages, without filter and for platform=Instagram,
 * whose text (pdftotext) carries the engine's revenue exactly as format_money and
 * format_money_compact print it, the filter's values, "Page 1 of N" and an insight
 * sentence; whose charts page renders (pdftoppm) to a picture with colour on it; an empty
 * filter result still makes a valid PDF with "–" for its ratios; a path that cannot be
 * written is ERR_IO naming it, and leaves no file behind. The poppler checks are skipped
 * only when pdftotext or pdftoppm is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_data.h"
#include "buf.h"
#include "demo.h"
#include "engine.h"
#include "filter.h"
#include "format.h"
#include "insights.h"
#include "report.h"
#include "store.h"

#include "banned.h"

#define DASH "\xe2\x80\x93"
#define MADE_AT 1767225600 /* 2026-01-01 00:00 UTC */

struct fixture {
    char dir[PATH_MAX];
    struct store *store;
    struct engine *eng;
};

static int setup_demo(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    assert_non_null(testutil_make_dir(fx->dir, sizeof fx->dir, "report-pdf"));
    char url[PATH_MAX + 64];
    snprintf(url, sizeof url, "sqlite:%s/infludash.db", fx->dir);
    struct err e;
    err_clear(&e);
    if (store_open(url, &fx->store, &e) != 0)
        fail_msg("store_open: %s", e.msg);
    struct demo_opts o = {.rows = 20000, .seed = 42};
    if (demo_load(fx->store, &o, &e) != 0)
        fail_msg("demo_load: %s", e.msg);
    fx->eng = engine_load(fx->store, &e);
    if (!fx->eng)
        fail_msg("engine_load: %s", e.msg);
    *state = fx;
    return 0;
}

/* Pango's font map and cairo's font caches live as long as the process (a server reuses
 * them for every report); released here so that LeakSanitizer sees only what the report
 * itself might have lost. */
static int teardown_demo(void **state)
{
    struct fixture *fx = *state;
    engine_free(fx->eng);
    store_close(fx->store);
    testutil_remove_dir(fx->dir);
    free(fx);
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    return 0;
}

/* fontconfig keeps about 300 bytes of its configuration for the process's life (released
 * only by FcFini, which nothing here links); measured the same after 1, 5 and 20 reports,
 * so it is not a per-report leak. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* ---- helpers ------------------------------------------------------------------------------ */

static int have_tool(const char *name)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static void parse_filter(struct filter *f, const char **kv)
{
    struct err e;
    err_clear(&e);
    if (filter_parse(f, filter_kv_get, (void *)kv, &e) != 0)
        fail_msg("filter_parse: %s", e.msg);
}

/* Writes the report for the filter kv (with compare=, when given) to dir/name and returns
 * its path in out. */
static void make_pdf_compared(struct fixture *fx, const char **kv, const char *compare,
                              const char *name, char *out, size_t cap)
{
    struct filter f;
    parse_filter(&f, kv);
    struct api_settings s;
    api_settings_default(&s);
    if (compare) {
        struct err ce;
        err_clear(&ce);
        assert_int_equal(filter_compare_parse(compare, &s.compare, &ce), 0);
    }
    struct report_input in = {fx->eng, &f, &s, MADE_AT, NULL, NULL};
    int n = snprintf(out, cap, "%s/%s", fx->dir, name);
    assert_true(n > 0 && (size_t)n < cap);
    struct err e;
    err_clear(&e);
    if (report_pdf(&in, out, &e) != 0)
        fail_msg("report_pdf: %s", e.msg);
    filter_release(&f);
    /* the temporary file is gone: renamed over the path */
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    assert_int_not_equal(access(tmp, F_OK), 0);
}

static void make_pdf(struct fixture *fx, const char **kv, const char *name, char *out, size_t cap)
{
    make_pdf_compared(fx, kv, NULL, name, out, cap);
}

static void read_file(const char *path, struct buf *out)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(out, chunk, n);
    fclose(fp);
}

/* Pages of the PDF as cairo writes them: one "/Type /Page" object each. */
static int count_pages(const struct buf *pdf)
{
    int pages = 0;
    const char *p = pdf->data;
    const char *end = pdf->data + pdf->len;
    static const char needle[] = "/Type /Page";
    size_t nlen = sizeof needle - 1;
    while (p && p + nlen < end) {
        p = memmem(p, (size_t)(end - p), needle, nlen);
        if (!p)
            break;
        if (p[nlen] != 's')
            pages++;
        p += nlen;
    }
    return pages;
}

static void assert_valid_pdf(const char *path, int min_pages)
{
    struct buf pdf = BUF_INIT;
    read_file(path, &pdf);
    assert_true(pdf.len > 1000);
    assert_memory_equal(pdf.data, "%PDF", 4);
    assert_non_null(strstr(pdf.data + pdf.len - 32, "%%EOF"));
    assert_true(count_pages(&pdf) >= min_pages);
    buf_release(&pdf);
}

/* The output of a shell command. */
static void run(const char *cmd, struct buf *out)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(out, chunk, n);
    assert_int_equal(pclose(p), 0);
}

/* Runs of spaces, tabs and newlines as one space, so wrapped lines compare as written. */
static void squash_space(char *s)
{
    char *w = s;
    int space = 0;
    for (const char *r = s; *r; r++) {
        if (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\r') {
            space = 1;
            continue;
        }
        if (space && w != s)
            *w++ = ' ';
        space = 0;
        *w++ = *r;
    }
    *w = '\0';
}

/* The PDF's text, pages separated by form feeds. */
static void pdf_text(const char *path, int layout, struct buf *out)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 %s '%s' -", layout ? "-layout" : "", path);
    run(cmd, out);
}

/* 1-based number of the first page whose text holds needle; 0 when none. */
static int page_with(const char *text, const char *needle)
{
    int page = 1;
    const char *hit = strstr(text, needle);
    if (!hit)
        return 0;
    for (const char *p = text; p < hit; p++)
        if (*p == '\f')
            page++;
    return page;
}

static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("the PDF's text lacks \"%s\"", needle);
}

static void engine_kpis_for(struct fixture *fx, const char **kv, struct engine_kpis *k)
{
    struct filter f;
    parse_filter(&f, kv);
    struct err e;
    err_clear(&e);
    if (engine_kpis(fx->eng, &f.f, k, &e) != 0)
        fail_msg("engine_kpis: %s", e.msg);
    filter_release(&f);
}

/* The checks on the text of a report made for filter kv. */
static void assert_text_states_the_kpis(struct fixture *fx, const char **kv, const char *path)
{
    struct engine_kpis k;
    engine_kpis_for(fx, kv, &k);
    struct buf text = BUF_INIT;
    pdf_text(path, 0, &text);
    int pages = 1;
    for (size_t i = 0; i < text.len; i++)
        pages += text.data[i] == '\f' && i + 1 < text.len;
    char money[FORMAT_MAX], compact[FORMAT_MAX], page1[64];
    format_money(money, sizeof money, k.revenue, 0);
    format_money_compact(compact, sizeof compact, k.revenue);
    snprintf(page1, sizeof page1, "Page 1 of %d", pages);
    assert_contains(text.data, money);
    assert_contains(text.data, compact);
    assert_contains(text.data, page1);
    assert_contains(text.data, "2026-01-01 00:00 UTC");
    assert_contains(text.data, "Revenue and ROAS by platform");
    assert_contains(text.data, "How incremental ROAS was computed");

    /* the first insight sentence, as insights_sentences writes it */
    struct filter f;
    parse_filter(&f, kv);
    struct insights_config c;
    insights_config_init(&c);
    struct insights_sentences s = {{NULL}, 0};
    struct err e;
    err_clear(&e);
    assert_int_equal(insights_sentences(fx->eng, &f.f, &c, &s, &e), 0);
    assert_true(s.n > 0);
    char *sentence = xstrdup(s.text[0]);
    squash_space(sentence);
    squash_space(text.data);
    assert_contains(text.data, sentence);
    free(sentence);
    insights_sentences_release(&s);
    filter_release(&f);
    buf_release(&text);
}

/* Renders page `page` at 50 dpi and counts its non-white and its coloured pixels. */
static void render_page(const char *path, int page, long *nonwhite, long *coloured)
{
    char prefix[PATH_MAX + 16], png[PATH_MAX + 32], cmd[3 * PATH_MAX];
    snprintf(prefix, sizeof prefix, "%s-page", path);
    snprintf(png, sizeof png, "%s.png", prefix);
    snprintf(cmd, sizeof cmd, "pdftoppm -png -r 50 -f %d -l %d -singlefile '%s' '%s'", page, page,
             path, prefix);
    struct buf out = BUF_INIT;
    run(cmd, &out);
    buf_release(&out);
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    cairo_format_t fmt = cairo_image_surface_get_format(img);
    assert_true(fmt == CAIRO_FORMAT_RGB24 || fmt == CAIRO_FORMAT_ARGB32);
    assert_true(w > 300 && h > 400); /* A4 at 50 dpi: 413 × 585 */
    const unsigned char *data = cairo_image_surface_get_data(img);
    *nonwhite = *coloured = 0;
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) {
            int r = (row[x] >> 16) & 0xff, g = (row[x] >> 8) & 0xff, b = row[x] & 0xff;
            int hi = r > g ? (r > b ? r : b) : (g > b ? g : b);
            int lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
            if (lo < 240)
                (*nonwhite)++;
            if (hi - lo > 60)
                (*coloured)++;
        }
    }
    cairo_surface_destroy(img);
    unlink(png);
}

/* The charts page is drawn: plenty of ink, and colour (bars, lines) beyond grey text. */
static void assert_charts_drawn(const char *path)
{
    struct buf text = BUF_INIT;
    pdf_text(path, 0, &text);
    int page = page_with(text.data, "Revenue and ROAS by platform");
    buf_release(&text);
    assert_true(page >= 2);
    long nonwhite, coloured;
    render_page(path, page, &nonwhite, &coloured);
    assert_true(nonwhite > 5000);
    assert_true(coloured > 2000);
}

static int poppler_missing(void)
{
    return !have_tool("pdftotext") || !have_tool("pdftoppm");
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_report_without_filter_states_all_data_and_kpis(void **state)
{
    struct fixture *fx = *state;
    const char *kv[] = {NULL};
    char path[PATH_MAX];
    make_pdf(fx, kv, "all.pdf", path, sizeof path);
    assert_valid_pdf(path, 3);
    if (poppler_missing())
        skip();
    assert_text_states_the_kpis(fx, kv, path);
    struct buf text = BUF_INIT;
    pdf_text(path, 0, &text);
    assert_contains(text.data, "All data");
    assert_contains(text.data, "Payouts by earned amount");
    buf_release(&text);
    assert_charts_drawn(path);
}

static void test_report_for_instagram_states_the_filter_and_its_kpis(void **state)
{
    struct fixture *fx = *state;
    const char *kv[] = {"platform", "ig", NULL};
    char path[PATH_MAX];
    make_pdf(fx, kv, "instagram.pdf", path, sizeof path);
    assert_valid_pdf(path, 3);
    if (poppler_missing())
        skip();
    assert_text_states_the_kpis(fx, kv, path);
    struct buf text = BUF_INIT;
    pdf_text(path, 0, &text);
    assert_contains(text.data, "Platform");
    assert_contains(text.data, "Instagram");
    assert_null(strstr(text.data, "All data"));
    buf_release(&text);
    assert_charts_drawn(path);
}

/* A line of `pdftotext -layout` text starting with label (after spaces), or NULL. */
static const char *layout_line(const char *text, const char *label, char *out, size_t cap)
{
    size_t len = strlen(label);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        const char *p = line;
        while (*p == ' ' || *p == '\f')
            p++;
        if (strncmp(p, label, len) == 0 && p[len] == ' ') {
            size_t n = end ? (size_t)(end - p) : strlen(p);
            snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
            return out;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

static void test_empty_result_gives_a_valid_pdf_with_dashes(void **state)
{
    struct fixture *fx = *state;
    const char *kv[] = {"platform", "Orkut", NULL};
    struct engine_kpis k;
    engine_kpis_for(fx, kv, &k);
    assert_int_equal(k.revenue, 0);
    assert_false(k.roas.has);
    char path[PATH_MAX];
    make_pdf(fx, kv, "empty.pdf", path, sizeof path);
    assert_valid_pdf(path, 3);
    if (poppler_missing())
        skip();
    struct buf text = BUF_INIT;
    pdf_text(path, 1, &text);
    assert_contains(text.data, "Orkut");
    assert_contains(text.data, "No data for this filter.");
    char line[512];
    static const char *const ratios[] = {"ROAS", "ROI", "iROAS", "CPO", "AOV", "Engagement rate"};
    for (size_t i = 0; i < sizeof ratios / sizeof *ratios; i++) {
        if (!layout_line(text.data, ratios[i], line, sizeof line))
            fail_msg("no %s line", ratios[i]);
        if (!strstr(line, DASH) || strstr(line, "inf") || strstr(line, "nan"))
            fail_msg("%s is not shown as a dash: %s", ratios[i], line);
    }
    if (!layout_line(text.data, "Revenue (attributed)", line, sizeof line) ||
        !strstr(line, "₹0.00"))
        fail_msg("revenue is not ₹0.00");
    buf_release(&text);
}

static void test_unwritable_path_is_an_io_error_naming_it(void **state)
{
    struct fixture *fx = *state;
    struct filter f;
    filter_init(&f);
    struct api_settings s;
    api_settings_default(&s);
    struct report_input in = {fx->eng, &f, &s, MADE_AT, NULL, NULL};
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/no-such-dir/report.pdf", fx->dir);
    struct err e;
    err_clear(&e);
    assert_int_equal(report_pdf(&in, path, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "no-such-dir/report.pdf"));
    assert_int_not_equal(access(path, F_OK), 0);
    filter_release(&f);
}

static void test_bad_filter_is_refused_before_any_file(void **state)
{
    struct fixture *fx = *state;
    struct filter f;
    filter_init(&f);
    f.f.from_day = 20000; /* after to_day: the engine refuses it */
    f.f.to_day = 19000;
    struct api_settings s;
    api_settings_default(&s);
    struct report_input in = {fx->eng, &f, &s, MADE_AT, NULL, NULL};
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/refused.pdf", fx->dir);
    struct err e;
    err_clear(&e);
    assert_int_equal(report_pdf(&in, path, &e), ERR_USAGE);
    assert_int_not_equal(access(path, F_OK), 0);
}

/* compare=FROM..TO: a table of each figure now, in the earlier period (the engine's KPIs
 * over it, the other filters unchanged) and the change; the sentences open with it. And the
 * spend and ROAS tables by platform, brand and campaign. */
static void test_comparison_and_spend_by_group(void **state)
{
    struct fixture *fx = *state;
    const char *kv[] = {"from", "2025-04-01", "to", "2025-04-30", NULL};
    const char *then_kv[] = {"from", "2025-03-01", "to", "2025-03-31", NULL};
    char path[PATH_MAX];
    make_pdf_compared(fx, kv, "2025-03-01..2025-03-31", "compare.pdf", path, sizeof path);
    assert_valid_pdf(path, 3);
    if (poppler_missing())
        skip();
    struct engine_kpis now, then;
    engine_kpis_for(fx, kv, &now);
    engine_kpis_for(fx, then_kv, &then);
    assert_true(now.revenue > 0 && then.revenue > 0);
    struct buf text = BUF_INIT;
    pdf_text(path, 1, &text);
    assert_contains(text.data, "Compared with 2025-03-01 to 2025-03-31");
    char a[FORMAT_MAX], b[FORMAT_MAX], c[FORMAT_MAX], line[4 * FORMAT_MAX];
    format_money(a, sizeof a, now.revenue, 0);
    format_money(b, sizeof b, then.revenue, 0);
    format_money(c, sizeof c, now.revenue - then.revenue, 0);
    /* the revenue row: this period, earlier, change in that order on one line */
    const char *row = strstr(strstr(text.data, "Compared with"), "Revenue (attributed)");
    assert_non_null(row);
    const char *end = strchr(row, '\n');
    snprintf(line, sizeof line, "%.*s", (int)(end - row), row);
    const char *pa = strstr(line, a), *pb = pa ? strstr(pa + strlen(a), b) : NULL,
               *pc = pb ? strstr(pb + strlen(b), c) : NULL;
    if (!pc)
        fail_msg("revenue row \"%s\" lacks %s, %s, %s in order", line, a, b, c);
    assert_contains(text.data, "Spend and ROAS by group");
    assert_contains(text.data, "By product");
    assert_contains(text.data, "By source");
    assert_contains(text.data, "By brand");
    assert_contains(text.data, "By campaign");
    buf_release(&text);
    pdf_text(path, 0, &text);
    assert_contains(text.data, "on 2025-03-01 to 2025-03-31");
    buf_release(&text);
    /* without compare: no comparison */
    make_pdf(fx, kv, "nocompare.pdf", path, sizeof path);
    pdf_text(path, 0, &text);
    assert_null(strstr(text.data, "Compared with"));
    assert_contains(text.data, "By brand");
    buf_release(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_without_filter_states_all_data_and_kpis),
        cmocka_unit_test(test_comparison_and_spend_by_group),
        cmocka_unit_test(test_report_for_instagram_states_the_filter_and_its_kpis),
        cmocka_unit_test(test_empty_result_gives_a_valid_pdf_with_dashes),
        cmocka_unit_test(test_unwritable_path_is_an_io_error_naming_it),
        cmocka_unit_test(test_bad_filter_is_refused_before_any_file),
    };
    return cmocka_run_group_tests(tests, setup_demo, teardown_demo);
}
