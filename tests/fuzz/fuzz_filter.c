/* fuzz_filter.c — libFuzzer target for the dashboard's query parameters: filter_parse
 * (src/filter.c) and api_settings_parse (src/api_data.c) through filter_kv_get, and
 * filter_parse_argv for the same parameters as command-line flags.
 * Input: a query string ("from=2025-01-01&platform=ig,yt&min_roas=2"), split on '&' and the
 * first '=', '+' as a space and %XX decoded the way libmicrohttpd hands parameters over (a
 * decoded NUL ends the value, as in a C string; the server refuses such a request before any
 * parser sees it, http.c, so this only keeps the parsers safe on what is left).
 * Invariants: a parsed filter's canonical query string parses back to the same filter (the
 * same "filters" JSON and the same query string again), it is empty exactly when
 * filter_is_set says nothing is filtered, and filter_json always completes; a failed parse
 * names the parameter and leaves nothing to release; parsed settings are in their documented
 * ranges (a compare range does not end before it starts). The same tokens as argv (--from=...) go
 * through filter_parse_argv. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_data.h"
#include "buf.h"
#include "err.h"
#include "filter.h"
#include "fuzz_util.h"
#include "json.h"

#include "banned.h"

/* name, value pairs and the NULL that ends them, all in one owned block. */
struct params {
    const char **kv;
    size_t n;
    struct buf strings;
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Appends the decoded s[0..len) and a NUL; returns the offset of the string. */
static size_t decode_into(struct buf *out, const char *s, size_t len)
{
    size_t start = out->len;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        buf_putc(out, c);
    }
    buf_putc(out, '\0');
    return start;
}

static void params_parse(struct params *p, const char *q, size_t len)
{
    memset(p, 0, sizeof *p);
    buf_init(&p->strings);
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += q[i] == '&';
    size_t *offs = xcalloc(cap * 2, sizeof *offs);
    size_t n = 0, i = 0;
    while (i < len) {
        const char *amp = memchr(q + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *eq = memchr(q + i, '=', end - i);
        size_t name_end = eq ? (size_t)(eq - q) : end;
        if (end > i) {
            offs[2 * n] = decode_into(&p->strings, q + i, name_end - i);
            offs[2 * n + 1] = eq ? decode_into(&p->strings, eq + 1, end - name_end - 1)
                                 : decode_into(&p->strings, "", 0);
            n++;
        }
        i = end + 1;
    }
    p->kv = xcalloc(2 * n + 1, sizeof *p->kv);
    for (size_t k = 0; k < 2 * n; k++)
        p->kv[k] = p->strings.data + offs[k];
    p->n = n;
    free(offs);
}

static void params_release(struct params *p)
{
    free(p->kv);
    buf_release(&p->strings);
}

static void filter_to_json(const struct filter *f, struct buf *out)
{
    struct json j;
    struct err e;
    json_init(&j, out);
    FUZZ_CHECK(filter_json(f, &j) == 0, "filter_json failed");
    FUZZ_CHECK(json_finish(&j, &e) == 0, "filter_json gave an incomplete document: %s", e.msg);
}

/* The canonical query string of f parses back to f. */
static void check_round_trip(const struct filter *f)
{
    struct buf json1 = BUF_INIT, json2 = BUF_INIT, qs1 = BUF_INIT, qs2 = BUF_INIT;
    filter_to_json(f, &json1);
    filter_query_string(f, &qs1);
    FUZZ_CHECK((qs1.len > 0) == (filter_is_set(f) != 0), "query string \"%s\" but is_set %d",
               buf_cstr(&qs1), filter_is_set(f));
    struct params p;
    params_parse(&p, buf_cstr(&qs1), qs1.len);
    struct filter again;
    struct err e = {0, ""};
    int rc = filter_parse(&again, filter_kv_get, (void *)p.kv, &e);
    FUZZ_CHECK(rc == 0, "the canonical query string \"%s\" does not parse: %s", buf_cstr(&qs1),
               e.msg);
    filter_to_json(&again, &json2);
    filter_query_string(&again, &qs2);
    fuzz_same(&json1, &json2, "filters before and after the query string");
    fuzz_same(&qs1, &qs2, "query strings of the filter and of its re-parse");
    filter_release(&again);
    params_release(&p);
    buf_release(&json1);
    buf_release(&json2);
    buf_release(&qs1);
    buf_release(&qs2);
}

static void check_filter(const struct params *p)
{
    struct filter f;
    struct err e = {0, ""};
    int rc = filter_parse(&f, filter_kv_get, (void *)p->kv, &e);
    if (rc < 0) {
        FUZZ_CHECK(rc == ERR_USAGE && e.code == ERR_USAGE, "code %d", rc);
        int named = 0;
        for (int k = 0; k < FILTER_NPARAMS; k++) {
            const char *name = filter_param_name((enum filter_param)k);
            size_t len = strlen(name);
            named |= strncmp(e.msg, name, len) == 0 && e.msg[len] == ':';
        }
        FUZZ_CHECK(named, "the message does not start with a parameter: %s", e.msg);
        filter_release(&f); /* documented as harmless after a failed parse */
        return;
    }
    FUZZ_CHECK(f.f.from_day <= f.f.to_day, "from day %d after to day %d", f.f.from_day, f.f.to_day);
    FUZZ_CHECK(!f.f.has_min_roas || (isfinite(f.f.min_roas) && f.f.min_roas >= 0), "min_roas %g",
               f.f.min_roas);
    check_round_trip(&f);
    filter_release(&f);
    filter_release(&f); /* releasing twice is harmless */
}

static void check_settings(const struct params *p)
{
    struct api_settings s;
    struct err e = {0, ""};
    api_settings_default(&s);
    if (api_settings_parse(&s, filter_kv_get, (void *)p->kv, &e) < 0) {
        FUZZ_CHECK(e.code == ERR_USAGE && e.msg[0], "code %d", e.code);
        return;
    }
    FUZZ_CHECK(isfinite(s.incremental.fixed_share) && s.incremental.fixed_share >= 0 &&
                   s.incremental.fixed_share <= 1,
               "fixed_share %g", s.incremental.fixed_share);
    FUZZ_CHECK(isfinite(s.insights.roas_benchmark) && s.insights.roas_benchmark >= 0,
               "roas_benchmark %g", s.insights.roas_benchmark);
    FUZZ_CHECK(isfinite(s.insights.roi_benchmark) && s.insights.roi_benchmark >= 0,
               "roi_benchmark %g", s.insights.roi_benchmark);
    FUZZ_CHECK(s.compare.kind != FILTER_COMPARE_RANGE || s.compare.from_day <= s.compare.to_day,
               "compare %d..%d", (int)s.compare.from_day, (int)s.compare.to_day);
}

/* The raw tokens as command-line arguments: "--from=2025-01-01", "--platform", "ig", ... */
static void check_argv(const char *q, size_t len)
{
    struct buf strings = BUF_INIT;
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += q[i] == '&';
    size_t *offs = xcalloc(cap, sizeof *offs);
    int argc = 0;
    size_t i = 0;
    while (i <= len && (size_t)argc < cap) {
        const char *amp = i < len ? memchr(q + i, '&', len - i) : NULL;
        size_t end = amp ? (size_t)(amp - q) : len;
        offs[argc++] = strings.len;
        buf_append(&strings, q + i, end - i);
        buf_putc(&strings, '\0');
        i = end + 1;
    }
    char **argv = xcalloc((size_t)argc + 1, sizeof *argv);
    char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
    for (int k = 0; k < argc; k++)
        argv[k] = strings.data + offs[k];
    struct filter f;
    struct err e = {0, ""};
    int nrest = 0;
    if (filter_parse_argv(&f, argc, argv, rest, &nrest, &e) == 0) {
        FUZZ_CHECK(nrest >= 0 && nrest <= argc, "nrest %d of %d", nrest, argc);
        for (int k = 0; k < nrest; k++) {
            int found = 0;
            for (int m = 0; m < argc; m++)
                found |= rest[k] == argv[m];
            FUZZ_CHECK(found, "rest[%d] is not one of the arguments", k);
        }
        check_round_trip(&f);
        filter_release(&f);
    } else {
        FUZZ_CHECK(e.code == ERR_USAGE && e.msg[0], "code %d", e.code);
    }
    free(argv);
    free(rest);
    free(offs);
    buf_release(&strings);
}

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size)
{
    const char *q = (const char *)udata;
    struct params p;
    params_parse(&p, q, size);
    check_filter(&p);
    check_settings(&p);
    params_release(&p);
    check_argv(q, size);
    return 0;
}
