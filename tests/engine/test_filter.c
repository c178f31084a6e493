/* test_filter.c — unit tests for the dashboard filters (src/filter.c): every parameter
 * parsed, normalised and wired into struct engine_filter; every bad value refused with a
 * message naming the parameter; limits; the JSON echo; the query string and its round
 * trip through percent-decoding; command-line flags in both forms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "engine.h"
#include "err.h"
#include "filter.h"
#include "json.h"
#include "schema.h"
#include "banned.h"

/* ---- helpers ---------------------------------------------------------------------- */

/* Parses NULL-terminated name, value pairs; fails the test when parsing fails. */
static void parse_ok(struct filter *f, const char **kv)
{
    struct err e = {0, ""};
    int rc = filter_parse(f, filter_kv_get, kv, &e);
    if (rc != 0)
        fail_msg("filter_parse failed (%d): %s", rc, e.msg);
}

/* Parses and expects ERR_USAGE with exactly `message`; checks *f was left unfiltered. */
static void parse_fails(const char **kv, const char *message)
{
    struct filter f;
    struct err e = {0, ""};
    int rc = filter_parse(&f, filter_kv_get, kv, &e);
    assert_int_equal(rc, ERR_USAGE);
    assert_int_equal(e.code, ERR_USAGE);
    assert_string_equal(e.msg, message);
    for (int p = 0; p < FILTER_NPARAMS; p++)
        assert_null(f.values[p]);
    assert_int_equal(f.f.platform.n, 0);
    assert_int_equal(f.f.from_day, INT32_MIN);
    assert_int_equal(f.f.to_day, INT32_MAX);
    assert_int_equal(f.f.has_min_roas, 0);
    filter_release(&f); /* harmless after an error */
}

/* Compares a set with '|'-separated expected values ("" for an empty set). */
static void assert_set(const struct engine_set *set, const char *expected)
{
    char copy[1024];
    size_t n = 0;
    snprintf(copy, sizeof copy, "%s", expected);
    char *p = copy;
    while (*p) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        if (n >= set->n)
            fail_msg("set has %zu values, expected more: \"%s\"", set->n, expected);
        assert_string_equal(set->values[n], p);
        n++;
        if (!bar)
            break;
        p = bar + 1;
    }
    assert_int_equal(set->n, n);
}

static void assert_list(const char *name, const char *value, enum filter_param p,
                        const char *expected)
{
    const char *kv[] = {name, value, NULL};
    struct filter f;
    parse_ok(&f, kv);
    assert_set(filter_set(&f, p), expected);
    filter_release(&f);
}

static char *json_of(const struct filter *f)
{
    struct buf out = BUF_INIT;
    struct json j;
    struct err e = {0, ""};
    json_init(&j, &out);
    assert_int_equal(filter_json(f, &j), 0);
    assert_int_equal(json_finish(&j, &e), 0);
    return buf_detach(&out);
}

static char *query_of(const struct filter *f)
{
    struct buf out = BUF_INIT;
    filter_query_string(f, &out);
    return buf_detach(&out);
}

/* ---- a query-string decoder, as the HTTP layer decodes parameters ----------------- */

struct decoded {
    char *pairs[2 * FILTER_NPARAMS + 2]; /* name, value, ..., NULL */
    char *text;
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes s in place ('+' is a space, as in forms). */
static void percent_decode(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
            *w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
            r += 2;
        } else {
            *w++ = *r == '+' ? ' ' : *r;
        }
    }
    *w = '\0';
}

static void decode_query(struct decoded *d, const char *query)
{
    size_t n = 0;
    memset(d, 0, sizeof *d);
    d->text = xstrdup(query);
    char *p = d->text;
    while (*p) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        assert_non_null(eq);
        *eq = '\0';
        percent_decode(p);
        percent_decode(eq + 1);
        assert_true(n + 2 < sizeof d->pairs / sizeof d->pairs[0]);
        d->pairs[n++] = p;
        d->pairs[n++] = eq + 1;
        if (!amp)
            break;
        p = amp + 1;
    }
}

/* ---- no filter -------------------------------------------------------------------- */

static void test_no_parameters_select_everything(void **state)
{
    (void)state;
    const char *kv[] = {NULL};
    struct filter f;
    parse_ok(&f, kv);
    assert_int_equal(f.f.from_day, INT32_MIN);
    assert_int_equal(f.f.to_day, INT32_MAX);
    assert_int_equal(f.f.has_min_roas, 0);
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const struct engine_set *set = filter_set(&f, (enum filter_param)p);
        if (set)
            assert_int_equal(set->n, 0);
    }
    assert_string_equal(f.from, "");
    assert_string_equal(f.to, "");
    filter_release(&f);
}

static void test_blank_values_are_no_filter(void **state)
{
    (void)state;
    const char *kv[] = {"from",  "",  "to",       "  ", "platform", " , ,, ",
                        "brand", ",", "min_roas", " ",  NULL};
    struct filter f;
    parse_ok(&f, kv);
    assert_int_equal(f.f.from_day, INT32_MIN);
    assert_int_equal(f.f.to_day, INT32_MAX);
    assert_int_equal(f.f.platform.n, 0);
    assert_int_equal(f.f.brand.n, 0);
    assert_int_equal(f.f.has_min_roas, 0);
    char *q = query_of(&f);
    assert_string_equal(q, "");
    free(q);
    filter_release(&f);
}

/* ---- dates ------------------------------------------------------------------------ */

static void test_dates_become_inclusive_day_numbers(void **state)
{
    (void)state;
    const char *kv[] = {"from", " 2025-01-01 ", "to", "2025-01-31", NULL};
    struct filter f;
    int32_t from, to;
    parse_ok(&f, kv);
    assert_int_equal(schema_iso_to_days("2025-01-01", &from), 0);
    assert_int_equal(schema_iso_to_days("2025-01-31", &to), 0);
    assert_int_equal(f.f.from_day, from);
    assert_int_equal(f.f.to_day, to);
    assert_int_equal(f.f.to_day - f.f.from_day, 30);
    assert_string_equal(f.from, "2025-01-01");
    assert_string_equal(f.to, "2025-01-31");
    filter_release(&f);
}

static void test_one_date_leaves_the_other_end_open(void **state)
{
    (void)state;
    const char *from_only[] = {"from", "2024-02-29", NULL};
    const char *to_only[] = {"to", "2024-12-31", NULL};
    struct filter f;
    int32_t day;
    parse_ok(&f, from_only);
    assert_int_equal(schema_iso_to_days("2024-02-29", &day), 0);
    assert_int_equal(f.f.from_day, day);
    assert_int_equal(f.f.to_day, INT32_MAX);
    filter_release(&f);
    parse_ok(&f, to_only);
    assert_int_equal(schema_iso_to_days("2024-12-31", &day), 0);
    assert_int_equal(f.f.from_day, INT32_MIN);
    assert_int_equal(f.f.to_day, day);
    filter_release(&f);
}

static void test_a_one_day_range_is_allowed(void **state)
{
    (void)state;
    const char *kv[] = {"from", "2025-03-09", "to", "2025-03-09", NULL};
    struct filter f;
    parse_ok(&f, kv);
    assert_int_equal(f.f.from_day, f.f.to_day);
    filter_release(&f);
}

static void test_bad_dates_are_refused_naming_the_parameter(void **state)
{
    (void)state;
    static const struct {
        const char *param, *value, *message;
    } cases[] = {
        {"from", "2025-13-01", "from: \"2025-13-01\" is not a date (YYYY-MM-DD)"},
        {"from", "2025-02-30", "from: \"2025-02-30\" is not a date (YYYY-MM-DD)"},
        {"from", "2025-02-29", "from: \"2025-02-29\" is not a date (YYYY-MM-DD)"},
        {"from", "2025-00-10", "from: \"2025-00-10\" is not a date (YYYY-MM-DD)"},
        {"to", "garbage", "to: \"garbage\" is not a date (YYYY-MM-DD)"},
        {"to", "2025-1-01", "to: \"2025-1-01\" is not a date (YYYY-MM-DD)"},
        {"to", "01-02-2025", "to: \"01-02-2025\" is not a date (YYYY-MM-DD)"},
        {"to", "2025/01/02", "to: \"2025/01/02\" is not a date (YYYY-MM-DD)"},
        {"to", "2025-01-01T10:00", "to: \"2025-01-01T10:00\" is not a date (YYYY-MM-DD)"},
        {"from", "2025-01-0x", "from: \"2025-01-0x\" is not a date (YYYY-MM-DD)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *kv[] = {cases[i].param, cases[i].value, NULL};
        parse_fails(kv, cases[i].message);
    }
}

static void test_from_after_to_is_refused(void **state)
{
    (void)state;
    const char *kv[] = {"from", "2025-02-01", "to", "2025-01-01", "platform", "ig", NULL};
    parse_fails(kv, "to: 2025-01-01 is before from: 2025-02-01");
}

static void test_a_long_bad_value_is_shortened_in_the_message(void **state)
{
    (void)state;
    char value[200];
    memset(value, '9', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    const char *kv[] = {"from", value, NULL};
    struct filter f;
    struct err e = {0, ""};
    assert_int_equal(filter_parse(&f, filter_kv_get, kv, &e), ERR_USAGE);
    assert_true(strncmp(e.msg, "from: \"999", 10) == 0);
    assert_non_null(strstr(e.msg, "...\" is not a date"));
    assert_true(strlen(e.msg) < 120);
}

/* ---- min_roas --------------------------------------------------------------------- */

static void test_min_roas_takes_finite_numbers_from_zero(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        double expected;
    } cases[] = {{"1.5", 1.5}, {" 2 ", 2.0},  {"0", 0.0}, {"1e1", 10.0},
                 {"-0", 0.0},  {".25", 0.25}, {"+3", 3.0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *kv[] = {"min_roas", cases[i].value, NULL};
        struct filter f;
        parse_ok(&f, kv);
        assert_int_equal(f.f.has_min_roas, 1);
        assert_true(f.f.min_roas == cases[i].expected);
        filter_release(&f);
    }
    /* "-0" is echoed as 0, not -0 */
    const char *kv[] = {"min_roas", "-0", NULL};
    struct filter f;
    parse_ok(&f, kv);
    char *q = query_of(&f);
    assert_string_equal(q, "min_roas=0");
    free(q);
    filter_release(&f);
}

static void test_bad_min_roas_is_refused_naming_the_parameter(void **state)
{
    (void)state;
    static const struct {
        const char *value, *message;
    } cases[] = {
        {"abc", "min_roas: \"abc\" is not a number"},
        {"1.5x", "min_roas: \"1.5x\" is not a number"},
        {"nan", "min_roas: \"nan\" is not a number"},
        {"inf", "min_roas: \"inf\" is not a number"},
        {"-inf", "min_roas: \"-inf\" is not a number"},
        {"0x10", "min_roas: \"0x10\" is not a number"},
        {"1,5", "min_roas: \"1,5\" is not a number"},
        {"-", "min_roas: \"-\" is not a number"},
        {"1e999", "min_roas: \"1e999\" is not a finite number"},
        {"1 2", "min_roas: \"1 2\" is not a number"},
        {"2e", "min_roas: \"2e\" is not a number"},
        {"-1", "min_roas: \"-1\" is negative (ROAS is at least 0)"},
        {"-0.001", "min_roas: \"-0.001\" is negative (ROAS is at least 0)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *kv[] = {"min_roas", cases[i].value, NULL};
        parse_fails(kv, cases[i].message);
    }
}

/* ---- lists ------------------------------------------------------------------------ */

static void test_platform_is_spelled_as_the_store_spells_it(void **state)
{
    (void)state;
    assert_list("platform", "instagram, yt ,x,FACEBOOK,tiktok,linkedin,ig,Mastodon",
                FILTER_PLATFORM, "Instagram|YouTube|Twitter|Facebook|TikTok|LinkedIn|Mastodon");
}

static void test_gender_is_spelled_as_the_store_spells_it(void **state)
{
    (void)state;
    assert_list("gender", "f,M,male,non-binary,NB,xyz,Other", FILTER_GENDER,
                "Female|Male|Non-binary|Other");
    /* SPEC §1: Unknown (the gender of a blank) is a value of its own, not Other */
    assert_list("gender", "Unknown,unknown,n/a,Other", FILTER_GENDER, "Unknown|Other");
}

static void test_basis_is_spelled_as_the_store_spells_it(void **state)
{
    (void)state;
    assert_list("basis", "per_order,Per Post,revenue share,FLAT,hybrid,sale,Barter", FILTER_BASIS,
                "order|post|revenue_share|flat|hybrid|barter");
}

static void test_tier_is_spelled_as_the_store_spells_it(void **state)
{
    (void)state;
    assert_list("tier", "nano,MICRO,mid,Macro,mEGA,Giga", FILTER_TIER,
                "Nano|Micro|Mid|Macro|Mega|Giga");
}

static void test_brand_names_and_codes_become_the_brand(void **state)
{
    (void)state;
    assert_list("brand", "mb,HK Vitals,gz,MuscleBlaze,hkv,Acme,MB Protein", FILTER_BRAND,
                "MuscleBlaze|HKVitals|Gritzo|Acme|MB Protein");
}

static void test_other_lists_are_kept_as_given(void **state)
{
    (void)state;
    const char *kv[] = {"product",    " Whey Protein ,whey protein",
                        "campaign",   "Diwali Sale",
                        "source",     "instagram",
                        "category",   "Fitness,fitness",
                        "persona",    "Fitness · Female",
                        "influencer", "32.0, INF_7",
                        NULL};
    struct filter f;
    parse_ok(&f, kv);
    assert_set(&f.f.product, "Whey Protein|whey protein");
    assert_set(&f.f.campaign, "Diwali Sale");
    assert_set(&f.f.source, "instagram"); /* a free dimension: never a platform */
    assert_set(&f.f.category, "Fitness|fitness");
    assert_set(&f.f.persona, "Fitness · Female");
    assert_set(&f.f.influencer, "32.0|INF_7");
    assert_int_equal(f.f.platform.n, 0);
    filter_release(&f);
}

static void test_every_parameter_reaches_its_engine_set(void **state)
{
    (void)state;
    const char *kv[] = {"platform",   "a1",     "brand",  "a2",  "product",  "a3",
                        "campaign",   "a4",     "source", "a5",  "category", "a6",
                        "gender",     "female", "tier",   "a8",  "persona",  "a9",
                        "influencer", "a10",    "basis",  "a11", NULL};
    struct filter f;
    parse_ok(&f, kv);
    assert_set(&f.f.platform, "a1");
    assert_set(&f.f.brand, "a2");
    assert_set(&f.f.product, "a3");
    assert_set(&f.f.campaign, "a4");
    assert_set(&f.f.source, "a5");
    assert_set(&f.f.category, "a6");
    assert_set(&f.f.gender, "Female");
    assert_set(&f.f.tier, "a8");
    assert_set(&f.f.persona, "a9");
    assert_set(&f.f.influencer, "a10");
    assert_set(&f.f.basis, "a11");
    assert_ptr_equal(filter_set(&f, FILTER_BASIS), &f.f.basis);
    assert_null(filter_set(&f, FILTER_FROM));
    assert_null(filter_set(&f, FILTER_MIN_ROAS));
    filter_release(&f);
}

static void test_empty_items_and_duplicates_are_dropped(void **state)
{
    (void)state;
    assert_list("campaign", " a, ,a,,b , a,", FILTER_CAMPAIGN, "a|b");
    /* duplicates are found after normalisation, the first spelling's place kept */
    assert_list("platform", "yt,ig,Instagram,instagram,YouTube", FILTER_PLATFORM,
                "YouTube|Instagram");
}

static void test_parameter_names_are_exact(void **state)
{
    (void)state;
    for (int p = 0; p < FILTER_NPARAMS; p++)
        assert_non_null(filter_param_name((enum filter_param)p));
    assert_string_equal(filter_param_name(FILTER_FROM), "from");
    assert_string_equal(filter_param_name(FILTER_INFLUENCER), "influencer");
    assert_string_equal(filter_param_name(FILTER_MIN_ROAS), "min_roas");
    const char *kv[] = {"Platform", "ig", "min-roas", "2", NULL};
    struct filter f;
    parse_ok(&f, kv);
    assert_int_equal(f.f.platform.n, 0);
    assert_int_equal(f.f.has_min_roas, 0);
    filter_release(&f);
}

/* ---- limits ----------------------------------------------------------------------- */

/* "v0,v1,...,v(n-1)", or n copies of "same" when same is set. */
static char *many_values(int n, const char *same)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++) {
        if (same)
            buf_printf(&b, "%s%s", i ? "," : "", same);
        else
            buf_printf(&b, "%sv%d", i ? "," : "", i);
    }
    return buf_detach(&b);
}

static void test_a_thousand_values_is_the_limit(void **state)
{
    (void)state;
    char *ok = many_values(FILTER_MAX_VALUES, NULL);
    char *too_many = many_values(FILTER_MAX_VALUES + 1, NULL);
    char *repeats = many_values(FILTER_MAX_VALUES + 1, "x");
    const char *kv_ok[] = {"influencer", ok, NULL};
    struct filter f;
    parse_ok(&f, kv_ok);
    assert_int_equal(f.f.influencer.n, FILTER_MAX_VALUES);
    assert_string_equal(f.f.influencer.values[999], "v999");
    filter_release(&f);
    const char *kv_many[] = {"platform", "ig", "influencer", too_many, NULL};
    parse_fails(kv_many, "influencer: more than 1000 values");
    const char *kv_repeats[] = {"product", repeats, NULL};
    parse_fails(kv_repeats, "product: more than 1000 values");
    free(ok);
    free(too_many);
    free(repeats);
}

static void test_a_value_of_more_than_4096_bytes_is_refused(void **state)
{
    (void)state;
    char longest[FILTER_MAX_VALUE_LEN + 1], too_long[FILTER_MAX_VALUE_LEN + 2];
    memset(longest, 'a', FILTER_MAX_VALUE_LEN);
    longest[FILTER_MAX_VALUE_LEN] = '\0';
    memset(too_long, 'b', FILTER_MAX_VALUE_LEN + 1);
    too_long[FILTER_MAX_VALUE_LEN + 1] = '\0';
    const char *kv_ok[] = {"campaign", longest, NULL};
    struct filter f;
    parse_ok(&f, kv_ok);
    assert_int_equal(strlen(f.f.campaign.values[0]), FILTER_MAX_VALUE_LEN);
    filter_release(&f);

    const char *kv_bad[] = {"brand", too_long, NULL};
    struct err e = {0, ""};
    assert_int_equal(filter_parse(&f, filter_kv_get, kv_bad, &e), ERR_USAGE);
    assert_true(strncmp(e.msg, "brand: \"bbbb", 12) == 0);
    assert_non_null(strstr(e.msg, "...\" is longer than 4096 bytes"));
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void)state;
    const char *kv[] = {"persona", "ok,caf\xC3", NULL};
    parse_fails(kv, "persona: \"caf\xC3\" is not valid UTF-8");
}

static void test_an_error_after_good_values_leaves_nothing_to_release(void **state)
{
    (void)state;
    /* platform and brand allocate before min_roas fails; parse_fails checks the result
     * is unfiltered and the sanitizer build checks nothing leaked. */
    const char *kv[] = {"platform", "ig,yt", "brand", "mb", "min_roas", "x", NULL};
    parse_fails(kv, "min_roas: \"x\" is not a number");
}

/* ---- the JSON echo ---------------------------------------------------------------- */

static void test_json_echoes_every_parameter_in_order(void **state)
{
    (void)state;
    const char *kv[] = {"from",    "2025-01-01",    "platform", "ig,yt", "gender", "f",
                        "product", "Whey \"Gold\"", "min_roas", "1.5",   NULL};
    struct filter f;
    parse_ok(&f, kv);
    char *json = json_of(&f);
    assert_string_equal(json, "{\"from\":\"2025-01-01\",\"to\":null,"
                              "\"platform\":[\"Instagram\",\"YouTube\"],\"brand\":[],"
                              "\"product\":[\"Whey \\\"Gold\\\"\"],\"campaign\":[],"
                              "\"source\":[],\"category\":[],\"gender\":[\"Female\"],"
                              "\"tier\":[],\"persona\":[],\"influencer\":[],\"basis\":[],"
                              "\"min_roas\":1.5}");
    free(json);
    filter_release(&f);
}

static void test_json_of_no_filter_has_nulls_and_empty_lists(void **state)
{
    (void)state;
    struct filter f;
    filter_init(&f);
    char *json = json_of(&f);
    assert_string_equal(json, "{\"from\":null,\"to\":null,\"platform\":[],\"brand\":[],"
                              "\"product\":[],\"campaign\":[],\"source\":[],\"category\":[],"
                              "\"gender\":[],\"tier\":[],\"persona\":[],\"influencer\":[],"
                              "\"basis\":[],\"min_roas\":null}");
    free(json);
    filter_release(&f);
}

/* ---- the query string ------------------------------------------------------------- */

static void test_query_string_is_canonical(void **state)
{
    (void)state;
    /* given out of order and in other spellings */
    const char *kv[] = {"min_roas",   "2.50", "tier",       "micro",   "platform",  "yt, ig", "to",
                        "2025-01-31", "from", "2025-01-01", "product", "Whey & Co", NULL};
    struct filter f;
    parse_ok(&f, kv);
    char *q = query_of(&f);
    assert_string_equal(q, "from=2025-01-01&to=2025-01-31&platform=YouTube,Instagram"
                           "&product=Whey%20%26%20Co&tier=Micro&min_roas=2.5");
    free(q);
    filter_release(&f);
}

static void test_query_string_round_trips(void **state)
{
    (void)state;
    const char *kv[] = {"from",       "2024-12-01",
                        "to",         "2025-02-28",
                        "platform",   "instagram,Threads,My Platform",
                        "brand",      "A&B,C=D,mb",
                        "product",    "Whey + Creatine,100% Pure,a/b?c#d",
                        "campaign",   "Diwali 🪔 सेल,naïve café",
                        "source",     "organic;paid,\"quoted\"",
                        "category",   "Fitness",
                        "gender",     "m,f",
                        "tier",       "nano,mega",
                        "persona",    "Fitness · Female",
                        "influencer", "INF_1,INF 2,%41",
                        "basis",      "per_order,flat",
                        "min_roas",   "0.1",
                        NULL};
    struct filter f, back;
    parse_ok(&f, kv);
    char *q = query_of(&f);
    /* only unreserved characters, '%', '=', '&' and ',' remain */
    for (const char *p = q; *p; p++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789-._~%=&,",
                               *p));
    struct decoded d;
    decode_query(&d, q);
    parse_ok(&back, (const char **)d.pairs);
    char *j1 = json_of(&f), *j2 = json_of(&back), *q2 = query_of(&back);
    assert_string_equal(j1, j2);
    assert_string_equal(q, q2);
    assert_set(&back.f.campaign, "Diwali 🪔 सेल|naïve café");
    assert_set(&back.f.product, "Whey + Creatine|100% Pure|a/b?c#d");
    assert_set(&back.f.influencer, "INF_1|INF 2|%41");
    assert_true(back.f.min_roas == 0.1);
    assert_int_equal(back.f.from_day, f.f.from_day);
    assert_int_equal(back.f.to_day, f.f.to_day);
    free(j1);
    free(j2);
    free(q);
    free(q2);
    free(d.text);
    filter_release(&f);
    filter_release(&back);
}

static void test_min_roas_round_trips_exactly(void **state)
{
    (void)state;
    static const char *const values[] = {"0.1", "1e-7", "123456789.123", "4", "0.3333333333333333"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        const char *kv[] = {"min_roas", values[i], NULL};
        struct filter f, back;
        parse_ok(&f, kv);
        char *q = query_of(&f);
        struct decoded d;
        decode_query(&d, q);
        parse_ok(&back, (const char **)d.pairs);
        assert_true(back.f.min_roas == f.f.min_roas);
        free(q);
        free(d.text);
        filter_release(&f);
        filter_release(&back);
    }
}

static void test_query_string_respects_the_buffer_cap(void **state)
{
    (void)state;
    const char *kv[] = {"campaign", "a long campaign name that does not fit", NULL};
    struct filter f;
    struct cbuf out;
    parse_ok(&f, kv);
    cbuf_init(&out, 16);
    filter_query_string(&f, &out.b);
    assert_int_equal(cbuf_fits(&out, 0), ERR_LIMIT);
    assert_true(out.b.len <= 16);
    cbuf_release(&out);
    filter_release(&f);
}

/* ---- command-line flags ----------------------------------------------------------- */

static void test_flags_in_both_forms(void **state)
{
    (void)state;
    char *argv[] = {
        "--from=2025-01-01", "--to", "2025-01-31",  "--platform=ig,yt", "--brand",   "mb",
        "--min-roas",        "1.5",  "--gender=f",  "--basis",          "per_order", "--tier=MICRO",
        "--influencer",      "I1",   "--product=P", "--campaign",       "C",         "--source=S",
        "--category",        "K",    "--persona=X"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    struct filter f;
    struct err e = {0, ""};
    int rc = filter_parse_argv(&f, argc, argv, NULL, NULL, &e);
    if (rc != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(f.from, "2025-01-01");
    assert_string_equal(f.to, "2025-01-31");
    assert_set(&f.f.platform, "Instagram|YouTube");
    assert_set(&f.f.brand, "MuscleBlaze");
    assert_set(&f.f.gender, "Female");
    assert_set(&f.f.basis, "order");
    assert_set(&f.f.tier, "Micro");
    assert_set(&f.f.influencer, "I1");
    assert_set(&f.f.product, "P");
    assert_set(&f.f.campaign, "C");
    assert_set(&f.f.source, "S");
    assert_set(&f.f.category, "K");
    assert_set(&f.f.persona, "X");
    assert_int_equal(f.f.has_min_roas, 1);
    assert_true(f.f.min_roas == 1.5);
    filter_release(&f);

    char *underscore[] = {"--min_roas=3"};
    assert_int_equal(filter_parse_argv(&f, 1, underscore, NULL, NULL, &e), 0);
    assert_true(f.f.min_roas == 3.0);
    filter_release(&f);
}

static void test_other_arguments_pass_through_in_order(void **state)
{
    (void)state;
    char *argv[] = {"--db",
                    "sqlite:x.db",
                    "--platform",
                    "ig",
                    "-o",
                    "out.csv",
                    "--format=csv",
                    "file.csv",
                    "--from=2025-01-01",
                    "--",
                    "--to=2025-01-31",
                    "--platform=yt"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    char *rest[sizeof argv / sizeof argv[0]];
    int nrest = -1;
    struct filter f;
    struct err e = {0, ""};
    assert_int_equal(filter_parse_argv(&f, argc, argv, rest, &nrest, &e), 0);
    assert_int_equal(nrest, 9);
    const char *expected[] = {"--db",    "sqlite:x.db",     "-o",
                              "out.csv", "--format=csv",    "file.csv",
                              "--",      "--to=2025-01-31", "--platform=yt"};
    for (int i = 0; i < nrest; i++)
        assert_string_equal(rest[i], expected[i]);
    assert_set(&f.f.platform, "Instagram");
    assert_string_equal(f.from, "2025-01-01");
    assert_string_equal(f.to, "");
    filter_release(&f);
}

static void test_a_list_flag_given_twice_adds_to_the_list(void **state)
{
    (void)state;
    char *argv[] = {"--platform", "ig", "--platform=yt,ig", "--brand="};
    struct filter f;
    struct err e = {0, ""};
    assert_int_equal(filter_parse_argv(&f, 4, argv, NULL, NULL, &e), 0);
    assert_set(&f.f.platform, "Instagram|YouTube");
    assert_int_equal(f.f.brand.n, 0);
    filter_release(&f);
}

/* Runs filter_parse_argv (strict) and expects ERR_USAGE with `message`. */
static void argv_fails(int argc, char **argv, const char *message)
{
    struct filter f;
    struct err e = {0, ""};
    assert_int_equal(filter_parse_argv(&f, argc, argv, NULL, NULL, &e), ERR_USAGE);
    assert_string_equal(e.msg, message);
    assert_int_equal(f.f.platform.n, 0);
    assert_null(f.values[FILTER_PLATFORM]);
}

static void test_bad_flags_are_refused_naming_the_parameter(void **state)
{
    (void)state;
    char *twice[] = {"--platform=ig", "--from=2025-01-01", "--from", "2025-01-02"};
    argv_fails(4, twice, "from: given more than once");
    char *missing[] = {"--platform=ig", "--min-roas"};
    argv_fails(2, missing, "min_roas: --min-roas needs a value");
    char *bad_value[] = {"--platform=ig", "--min-roas", "abc"};
    argv_fails(3, bad_value, "min_roas: \"abc\" is not a number");
    char *bad_date[] = {"--to=2025-02-30"};
    argv_fails(1, bad_date, "to: \"2025-02-30\" is not a date (YYYY-MM-DD)");
    char *reversed[] = {"--from=2025-02-01", "--to=2025-01-01"};
    argv_fails(2, reversed, "to: 2025-01-01 is before from: 2025-02-01");
}

static void test_strict_parsing_refuses_other_arguments(void **state)
{
    (void)state;
    char *unknown[] = {"--platform=ig", "--db", "x"};
    argv_fails(3, unknown, "unknown option \"--db\"");
    char *positional[] = {"file.csv"};
    argv_fails(1, positional, "unexpected argument \"file.csv\"");
    char *prefix[] = {"--plat=ig"}; /* no abbreviations */
    argv_fails(1, prefix, "unknown option \"--plat=ig\"");
    char *dash[] = {"-"};
    argv_fails(1, dash, "unexpected argument \"-\"");
}

static void test_flags_match_inside_a_callers_option_loop(void **state)
{
    (void)state;
    /* "--platform" here is the value of the caller's -o: the caller's loop sees it first */
    char *argv[] = {"-o", "--platform", "--brand", "gz", "--db=sqlite:a.db", "--bogus"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    struct filter_args fa;
    struct err e = {0, ""};
    const char *out = NULL, *db = NULL, *unknown = NULL;
    filter_args_init(&fa);
    int i = 0;
    while (i < argc) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[i + 1];
            i += 2;
            continue;
        }
        if (strncmp(argv[i], "--db=", 5) == 0) {
            db = argv[i] + 5;
            i++;
            continue;
        }
        int rc = filter_args_match(&fa, argc, argv, &i, &e);
        assert_true(rc >= 0);
        if (rc == 0) {
            unknown = argv[i];
            i++;
        }
    }
    struct filter f;
    assert_int_equal(filter_args_parse(&f, &fa, &e), 0);
    filter_args_release(&fa);
    assert_string_equal(out, "--platform");
    assert_string_equal(db, "sqlite:a.db");
    assert_string_equal(unknown, "--bogus");
    assert_set(&f.f.brand, "Gritzo");
    assert_int_equal(f.f.platform.n, 0);
    filter_release(&f);
}

static void test_kv_get_finds_the_first_pair(void **state)
{
    (void)state;
    const char *kv[] = {"a", "1", "b", "2", "a", "3", NULL};
    assert_string_equal(filter_kv_get(kv, "a"), "1");
    assert_string_equal(filter_kv_get(kv, "b"), "2");
    assert_null(filter_kv_get(kv, "c"));
}

#define T(f) cmocka_unit_test(f)

/* ---- period comparison ---------------------------------------------------------- */

static int32_t day_of(const char *iso)
{
    int32_t d;
    assert_int_equal(schema_iso_to_days(iso, &d), 0);
    return d;
}

static void test_compare_takes_previous_and_a_range(void **state)
{
    (void)state;
    struct filter_compare c;
    struct err e = {0, ""};
    assert_int_equal(filter_compare_parse(NULL, &c, &e), 0);
    assert_int_equal(c.kind, FILTER_COMPARE_NONE);
    assert_int_equal(filter_compare_parse("  ", &c, &e), 0);
    assert_int_equal(c.kind, FILTER_COMPARE_NONE);
    assert_int_equal(filter_compare_parse(" Previous ", &c, &e), 0);
    assert_int_equal(c.kind, FILTER_COMPARE_PREVIOUS);
    assert_int_equal(filter_compare_parse("2025-01-01..2025-01-31", &c, &e), 0);
    assert_int_equal(c.kind, FILTER_COMPARE_RANGE);
    assert_int_equal(c.from_day, day_of("2025-01-01"));
    assert_int_equal(c.to_day, day_of("2025-01-31"));
    assert_int_equal(filter_compare_parse("2025-02-03..2025-02-03", &c, &e), 0);
    assert_int_equal(c.to_day - c.from_day, 0);
}

static void test_bad_compare_values_are_refused_naming_the_parameter(void **state)
{
    (void)state;
    static const struct {
        const char *value, *message;
    } cases[] = {
        {"last", "compare: \"last\" is not previous or FROM..TO (YYYY-MM-DD..YYYY-MM-DD)"},
        {"previous30", "compare: \"previous30\" is not previous or FROM..TO "
                       "(YYYY-MM-DD..YYYY-MM-DD)"},
        {"2025-01-01", "compare: \"2025-01-01\" is not previous or FROM..TO "
                       "(YYYY-MM-DD..YYYY-MM-DD)"},
        {"2025-13-01..2025-12-01", "compare: \"2025-13-01\" is not a date (YYYY-MM-DD)"},
        {"2025-01-01..", "compare: \"\" is not a date (YYYY-MM-DD)"},
        {"2025-01-01..2025-1-2", "compare: \"2025-1-2\" is not a date (YYYY-MM-DD)"},
        {"2025-03-01..2025-01-01", "compare: to 2025-01-01 is before from 2025-03-01"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct filter_compare c;
        struct err e = {0, ""};
        assert_int_equal(filter_compare_parse(cases[i].value, &c, &e), ERR_USAGE);
        assert_string_equal(e.msg, cases[i].message);
    }
}

static void test_previous_is_the_same_number_of_days_just_before(void **state)
{
    (void)state;
    const char *kv[] = {"from", "2025-03-01", "to", "2025-03-31", "brand", "mb", NULL};
    struct filter f;
    parse_ok(&f, kv);
    struct filter_compare c = {FILTER_COMPARE_PREVIOUS, 0, 0};
    int32_t from = 0, to = 0;
    struct err e = {0, ""};
    /* Both ends given: the data's range is not needed (no engine). */
    assert_int_equal(filter_compare_period(NULL, &f, &c, &from, &to, &e), 1);
    assert_int_equal(from, day_of("2025-01-29"));
    assert_int_equal(to, day_of("2025-02-28"));
    struct engine_filter pf;
    filter_compare_apply(&f, from, to, &pf);
    assert_int_equal(pf.from_day, from);
    assert_int_equal(pf.to_day, to);
    assert_int_equal(pf.brand.n, 1);
    assert_string_equal(pf.brand.values[0], "MuscleBlaze");
    /* A range is taken as given; none is no period. */
    c = (struct filter_compare){FILTER_COMPARE_RANGE, day_of("2024-03-01"), day_of("2024-03-31")};
    assert_int_equal(filter_compare_period(NULL, &f, &c, &from, &to, &e), 1);
    assert_int_equal(from, day_of("2024-03-01"));
    assert_int_equal(to, day_of("2024-03-31"));
    c.kind = FILTER_COMPARE_NONE;
    assert_int_equal(filter_compare_period(NULL, &f, &c, &from, &to, &e), 0);
    filter_release(&f);
}

static void test_previous_before_year_one_is_refused(void **state)
{
    (void)state;
    const char *kv[] = {"from", "0001-01-01", "to", "0001-01-10", NULL};
    struct filter f;
    parse_ok(&f, kv);
    struct filter_compare c = {FILTER_COMPARE_PREVIOUS, 0, 0};
    int32_t from, to;
    struct err e = {0, ""};
    assert_int_equal(filter_compare_period(NULL, &f, &c, &from, &to, &e), ERR_USAGE);
    assert_string_equal(e.msg, "compare: the previous period would start before 0001-01-01");
    filter_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_no_parameters_select_everything),
        T(test_blank_values_are_no_filter),
        T(test_dates_become_inclusive_day_numbers),
        T(test_one_date_leaves_the_other_end_open),
        T(test_a_one_day_range_is_allowed),
        T(test_bad_dates_are_refused_naming_the_parameter),
        T(test_from_after_to_is_refused),
        T(test_a_long_bad_value_is_shortened_in_the_message),
        T(test_min_roas_takes_finite_numbers_from_zero),
        T(test_bad_min_roas_is_refused_naming_the_parameter),
        T(test_platform_is_spelled_as_the_store_spells_it),
        T(test_gender_is_spelled_as_the_store_spells_it),
        T(test_basis_is_spelled_as_the_store_spells_it),
        T(test_tier_is_spelled_as_the_store_spells_it),
        T(test_brand_names_and_codes_become_the_brand),
        T(test_other_lists_are_kept_as_given),
        T(test_every_parameter_reaches_its_engine_set),
        T(test_empty_items_and_duplicates_are_dropped),
        T(test_parameter_names_are_exact),
        T(test_a_thousand_values_is_the_limit),
        T(test_a_value_of_more_than_4096_bytes_is_refused),
        T(test_invalid_utf8_is_refused),
        T(test_an_error_after_good_values_leaves_nothing_to_release),
        T(test_json_echoes_every_parameter_in_order),
        T(test_json_of_no_filter_has_nulls_and_empty_lists),
        T(test_query_string_is_canonical),
        T(test_query_string_round_trips),
        T(test_min_roas_round_trips_exactly),
        T(test_query_string_respects_the_buffer_cap),
        T(test_flags_in_both_forms),
        T(test_other_arguments_pass_through_in_order),
        T(test_a_list_flag_given_twice_adds_to_the_list),
        T(test_bad_flags_are_refused_naming_the_parameter),
        T(test_strict_parsing_refuses_other_arguments),
        T(test_flags_match_inside_a_callers_option_loop),
        T(test_kv_get_finds_the_first_pair),
        T(test_compare_takes_previous_and_a_range),
        T(test_bad_compare_values_are_refused_naming_the_parameter),
        T(test_previous_is_the_same_number_of_days_just_before),
        T(test_previous_before_year_one_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
