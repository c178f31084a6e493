/* filter.c — the dashboard filters (see filter.h): one table of parameters drives parsing,
 * the JSON echo, the query string and the command-line flags, so they cannot disagree.
 * Calls engine, schema, strmap, json, number, buf and err. */
#include "filter.h"

#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "schema.h"
#include "strmap.h"

#include "banned.h"

/* ---- the parameters --------------------------------------------------------------- */

typedef void (*norm_fn)(const char *s, size_t len, struct buf *out);

static void norm_tier(const char *s, size_t len, struct buf *out);

enum param_kind { PARAM_DATE, PARAM_LIST, PARAM_NUMBER };

#define SET(member) offsetof(struct engine_filter, member)

static const struct param {
    const char *name;
    enum param_kind kind;
    size_t set;   /* lists: offset of the engine_set in struct engine_filter */
    norm_fn norm; /* lists: canonical spelling; NULL keeps values as given */
} params[FILTER_NPARAMS] = {
    [FILTER_FROM] = {"from", PARAM_DATE, 0, NULL},
    [FILTER_TO] = {"to", PARAM_DATE, 0, NULL},
    [FILTER_PLATFORM] = {"platform", PARAM_LIST, SET(platform), schema_norm_platform},
    [FILTER_BRAND] = {"brand", PARAM_LIST, SET(brand), schema_norm_brand},
    [FILTER_PRODUCT] = {"product", PARAM_LIST, SET(product), NULL},
    [FILTER_CAMPAIGN] = {"campaign", PARAM_LIST, SET(campaign), NULL},
    [FILTER_SOURCE] = {"source", PARAM_LIST, SET(source), NULL},
    [FILTER_CATEGORY] = {"category", PARAM_LIST, SET(category), NULL},
    [FILTER_GENDER] = {"gender", PARAM_LIST, SET(gender), schema_norm_gender},
    [FILTER_TIER] = {"tier", PARAM_LIST, SET(tier), norm_tier},
    [FILTER_PERSONA] = {"persona", PARAM_LIST, SET(persona), NULL},
    [FILTER_INFLUENCER] = {"influencer", PARAM_LIST, SET(influencer), NULL},
    [FILTER_BASIS] = {"basis", PARAM_LIST, SET(basis), schema_norm_basis},
    [FILTER_MIN_ROAS] = {"min_roas", PARAM_NUMBER, 0, NULL},
};

#undef SET

const char *filter_param_name(enum filter_param p)
{
    assert(p >= 0 && p < FILTER_NPARAMS);
    return params[p].name;
}

const struct engine_set *filter_set(const struct filter *f, enum filter_param p)
{
    assert(p >= 0 && p < FILTER_NPARAMS);
    if (params[p].kind != PARAM_LIST)
        return NULL;
    return (const struct engine_set *)((const char *)&f->f + params[p].set);
}

/* The engine's set of list parameter p, to fill. */
static struct engine_set *set_to_fill(struct filter *f, enum filter_param p)
{
    assert(params[p].kind == PARAM_LIST);
    return (struct engine_set *)((char *)&f->f + params[p].set);
}

/* ---- lifecycle -------------------------------------------------------------------- */

void filter_init(struct filter *f)
{
    memset(f, 0, sizeof *f);
    engine_filter_init(&f->f);
}

void filter_release(struct filter *f)
{
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const struct engine_set *set = filter_set(f, (enum filter_param)p);
        if (!f->values[p])
            continue;
        for (size_t i = 0; i < set->n; i++)
            free(f->values[p][i]);
        free(f->values[p]);
    }
    filter_init(f);
}

/* ---- text helpers ----------------------------------------------------------------- */

/* Trims ASCII white space and U+00A0 at both ends, as import trims every field. */
static void trim(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len;
    for (;;) {
        if (n && isspace(p[0]))
            p++, n--;
        else if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
            p += 2, n -= 2;
        else
            break;
    }
    for (;;) {
        if (n && isspace(p[n - 1]))
            n--;
        else if (n >= 2 && p[n - 2] == 0xC2 && p[n - 1] == 0xA0)
            n -= 2;
        else
            break;
    }
    *s = (const char *)p;
    *len = n;
}

static int utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        int n = json_utf8_seq((const unsigned char *)s + i, len - i);
        if (n < 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

/* A user's value inside an error message: at most 60 bytes, cut on a character boundary,
 * with "..." when shortened. */
static void shorten(const char *s, size_t len, char out[64])
{
    size_t n = len;
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(out, 64, "%.*s%s", (int)n, s, n < len ? "..." : "");
}

/* ---- normalisers schema.c keeps to itself ------------------------------------------ */

/* Tiers as schema_tier names them, in any case; other tiers as given. */
static void norm_tier(const char *s, size_t len, struct buf *out)
{
    static const char *const tiers[] = {"Nano", "Micro", "Mid", "Macro", "Mega"};
    for (size_t i = 0; i < sizeof tiers / sizeof tiers[0]; i++)
        if (len == strlen(tiers[i]) && strncasecmp(s, tiers[i], len) == 0) {
            buf_puts(out, tiers[i]);
            return;
        }
    buf_append(out, s, len);
}

/* ---- parsing ---------------------------------------------------------------------- */

/* from / to: "" (after trimming) is an open end. */
static int parse_date(enum filter_param p, const char *raw, char iso[11], int32_t *day,
                      struct err *e)
{
    const char *s = raw;
    size_t len = strlen(raw);
    trim(&s, &len);
    if (len == 0)
        return 0;
    char tmp[11] = "";
    if (len == 10) {
        memcpy(tmp, s, 10);
        tmp[10] = '\0';
    }
    if (len != 10 || schema_iso_to_days(tmp, day) < 0) {
        char shown[64];
        shorten(s, len, shown);
        return err_set(e, ERR_USAGE, "%s: \"%s\" is not a date (YYYY-MM-DD)", params[p].name,
                       shown);
    }
    memcpy(iso, tmp, 11);
    return 0;
}

/* min_roas: a plain decimal ("1.5", "2e3"); strtod's "nan", "inf" and hex forms are not
 * numbers here. "" (after trimming) is no filter. */
static int parse_min_roas(const char *raw, struct engine_filter *ef, struct err *e)
{
    const char *s = raw;
    size_t len = strlen(raw);
    trim(&s, &len);
    if (len == 0)
        return 0;
    char shown[64];
    shorten(s, len, shown);
    double v = 0;
    int rc = number_parse_double(s, len, &v);
    if (rc == -2)
        return err_set(e, ERR_USAGE, "min_roas: \"%s\" is not a finite number", shown);
    if (rc < 0)
        return err_set(e, ERR_USAGE, "min_roas: \"%s\" is not a number", shown);
    if (v < 0)
        return err_set(e, ERR_USAGE, "min_roas: \"%s\" is negative (ROAS is at least 0)", shown);
    ef->has_min_roas = 1;
    ef->min_roas = v == 0 ? 0.0 : v; /* -0 reads as 0 */
    return 0;
}

/* Appends one item, normalised, to the list unless it is empty or already there. */
static int add_item(struct filter *out, enum filter_param p, const char *s, size_t len,
                    struct strmap *seen, struct buf *scratch, struct err *e)
{
    const char *name = params[p].name;
    struct engine_set *set = set_to_fill(out, p);
    char shown[64];
    if (len > FILTER_MAX_VALUE_LEN) {
        shorten(s, len, shown);
        return err_set(e, ERR_USAGE, "%s: \"%s\" is longer than %d bytes", name, shown,
                       FILTER_MAX_VALUE_LEN);
    }
    if (!utf8_valid(s, len)) {
        shorten(s, len, shown);
        return err_set(e, ERR_USAGE, "%s: \"%s\" is not valid UTF-8", name, shown);
    }
    buf_reset(scratch);
    if (params[p].norm)
        params[p].norm(s, len, scratch);
    else
        buf_append(scratch, s, len);
    if (scratch->len == 0)
        return 0;
    int added = 0;
    strmap_put(seen, buf_cstr(scratch), scratch->len, &added);
    if (!added)
        return 0;
    /* Room for the most a list may hold (parse_list counts), allocated once. */
    if (!out->values[p])
        out->values[p] = xcalloc(FILTER_MAX_VALUES, sizeof *out->values[p]);
    out->values[p][set->n++] = buf_detach(scratch);
    set->values = (const char *const *)out->values[p];
    return 0;
}

static int parse_list(struct filter *out, enum filter_param p, const char *raw, struct strmap *seen,
                      struct buf *scratch, struct err *e)
{
    size_t items = 0;
    strmap_clear(seen);
    const char *item = raw;
    for (;;) {
        const char *comma = strchr(item, ',');
        size_t len = comma ? (size_t)(comma - item) : strlen(item);
        const char *s = item;
        trim(&s, &len);
        if (len > 0) {
            /* Counted before duplicates go, so a long list of repeats is refused too. */
            if (++items > FILTER_MAX_VALUES)
                return err_set(e, ERR_USAGE, "%s: more than %d values", params[p].name,
                               FILTER_MAX_VALUES);
            int rc = add_item(out, p, s, len, seen, scratch, e);
            if (rc < 0)
                return rc;
        }
        if (!comma)
            break;
        item = comma + 1;
    }
    return 0;
}

int filter_parse(struct filter *out, filter_get_fn get, void *ctx, struct err *e)
{
    struct strmap *seen = strmap_new();
    struct buf scratch = BUF_INIT;
    int rc = 0;
    filter_init(out);
    for (int i = 0; i < FILTER_NPARAMS && rc == 0; i++) {
        enum filter_param p = (enum filter_param)i;
        const char *raw = get(ctx, params[p].name);
        if (!raw)
            continue;
        switch (params[p].kind) {
        case PARAM_DATE:
            rc = parse_date(p, raw, p == FILTER_FROM ? out->from : out->to,
                            p == FILTER_FROM ? &out->f.from_day : &out->f.to_day, e);
            break;
        case PARAM_LIST:
            rc = parse_list(out, p, raw, seen, &scratch, e);
            break;
        case PARAM_NUMBER:
            rc = parse_min_roas(raw, &out->f, e);
            break;
        }
    }
    if (rc == 0 && out->from[0] && out->to[0] && out->f.from_day > out->f.to_day)
        rc = err_set(e, ERR_USAGE, "to: %s is before from: %s", out->to, out->from);
    if (rc < 0)
        filter_release(out);
    buf_release(&scratch);
    strmap_free(seen);
    return rc;
}

const char *filter_kv_get(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (size_t i = 0; kv[i]; i += 2)
        if (strcmp(kv[i], name) == 0)
            return kv[i + 1];
    return NULL;
}

/* ---- output ----------------------------------------------------------------------- */

int filter_json(const struct filter *f, struct json *j)
{
    json_obj_begin(j);
    for (int i = 0; i < FILTER_NPARAMS; i++) {
        enum filter_param p = (enum filter_param)i;
        json_key(j, params[p].name);
        switch (params[p].kind) {
        case PARAM_DATE: {
            const char *iso = p == FILTER_FROM ? f->from : f->to;
            json_str(j, iso[0] ? iso : NULL);
            break;
        }
        case PARAM_LIST: {
            const struct engine_set *set = filter_set(f, p);
            json_arr_begin(j);
            for (size_t k = 0; k < set->n; k++)
                json_str(j, set->values[k]);
            json_arr_end(j);
            break;
        }
        case PARAM_NUMBER:
            if (f->f.has_min_roas)
                json_double(j, f->f.min_roas);
            else
                json_null(j);
            break;
        }
    }
    return json_obj_end(j);
}

/* Shortest of %.15g, %.16g, %.17g that reads back to v, as json_double prints. */
static void format_double(double v, char out[32])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

static void put_encoded(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_putc(out, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(out, esc, sizeof esc);
        }
    }
}

void filter_query_string(const struct filter *f, struct buf *out)
{
    int first = 1;
    for (int i = 0; i < FILTER_NPARAMS; i++) {
        enum filter_param p = (enum filter_param)i;
        const struct engine_set *set = filter_set(f, p);
        const char *date = p == FILTER_FROM ? f->from : p == FILTER_TO ? f->to : "";
        if (set ? set->n == 0 : p == FILTER_MIN_ROAS ? !f->f.has_min_roas : !date[0])
            continue;
        buf_printf(out, "%s%s=", first ? "" : "&", params[p].name);
        first = 0;
        if (set) {
            for (size_t k = 0; k < set->n; k++) {
                if (k > 0)
                    buf_putc(out, ',');
                put_encoded(out, set->values[k]);
            }
        } else if (p == FILTER_MIN_ROAS) {
            char num[32];
            format_double(f->f.min_roas, num);
            put_encoded(out, num);
        } else {
            put_encoded(out, date);
        }
    }
}

/* ---- command-line flags ----------------------------------------------------------- */

/* Room for a list's raw flags: the most a valid list can take, with its commas. */
#define ARGS_RAW_MAX ((size_t)FILTER_MAX_VALUES * (FILTER_MAX_VALUE_LEN + 1))

void filter_args_init(struct filter_args *a)
{
    memset(a, 0, sizeof *a);
    for (int p = 0; p < FILTER_NPARAMS; p++)
        cbuf_init(&a->raw[p], ARGS_RAW_MAX);
}

void filter_args_release(struct filter_args *a)
{
    for (int p = 0; p < FILTER_NPARAMS; p++)
        cbuf_release(&a->raw[p]);
    memset(a, 0, sizeof *a);
}

/* Does the flag name (after "--", len bytes) name parameter p? '-' matches '_'. */
static int flag_names(const char *flag, size_t len, enum filter_param p)
{
    const char *name = params[p].name;
    if (strlen(name) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = flag[i] == '-' ? '_' : flag[i];
        if (c != name[i])
            return 0;
    }
    return 1;
}

int filter_args_match(struct filter_args *a, int argc, char **argv, int *i, struct err *e)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    const char *flag = arg + 2, *eq = strchr(flag, '=');
    size_t len = eq ? (size_t)(eq - flag) : strlen(flag);
    int p = 0;
    while (p < FILTER_NPARAMS && !flag_names(flag, len, (enum filter_param)p))
        p++;
    if (p == FILTER_NPARAMS)
        return 0;
    const char *name = params[p].name, *value = eq ? eq + 1 : NULL;
    int used = 1;
    if (!value) {
        if (*i + 1 >= argc)
            return err_set(e, ERR_USAGE, "%s: --%.*s needs a value", name, (int)len, flag);
        value = argv[*i + 1];
        used = 2;
    }
    struct cbuf *raw = &a->raw[p];
    if (a->given[p] && params[p].kind != PARAM_LIST)
        return err_set(e, ERR_USAGE, "%s: given more than once", name);
    if ((a->given[p] && cbuf_putc(raw, ',') < 0) || cbuf_puts(raw, value) < 0)
        return err_set(e, ERR_USAGE, "%s: more than %d values or %d bytes in all", name,
                       FILTER_MAX_VALUES, (int)ARGS_RAW_MAX);
    a->given[p] = 1;
    *i += used;
    return 1;
}

static const char *args_get(void *ctx, const char *name)
{
    const struct filter_args *a = ctx;
    for (int p = 0; p < FILTER_NPARAMS; p++)
        if (strcmp(params[p].name, name) == 0)
            return a->given[p] ? cbuf_cstr(&a->raw[p]) : NULL;
    return NULL;
}

int filter_args_parse(struct filter *out, const struct filter_args *a, struct err *e)
{
    return filter_parse(out, args_get, (void *)a, e);
}

int filter_parse_argv(struct filter *out, int argc, char **argv, char **rest, int *nrest,
                      struct err *e)
{
    struct filter_args a;
    int rc = 0, i = 0, n = 0;
    filter_init(out);
    filter_args_init(&a);
    while (i < argc && rc == 0) {
        if (strcmp(argv[i], "--") == 0) {
            if (!rest) {
                rc = err_set(e, ERR_USAGE, "unexpected argument \"--\"");
                break;
            }
            while (i < argc)
                rest[n++] = argv[i++];
            break;
        }
        int matched = filter_args_match(&a, argc, argv, &i, e);
        if (matched < 0)
            rc = matched;
        else if (matched)
            continue;
        else if (rest)
            rest[n++] = argv[i++];
        else if (argv[i][0] == '-' && argv[i][1])
            rc = err_set(e, ERR_USAGE, "unknown option \"%s\"", argv[i]);
        else
            rc = err_set(e, ERR_USAGE, "unexpected argument \"%s\"", argv[i]);
    }
    if (rc >= 0)
        rc = filter_args_parse(out, &a, e);
    filter_args_release(&a);
    if (nrest)
        *nrest = n;
    return rc < 0 ? rc : 0;
}

int filter_is_set(const struct filter *f)
{
    if (f->from[0] || f->to[0] || f->f.has_min_roas)
        return 1;
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const struct engine_set *set = filter_set(f, (enum filter_param)p);
        if (set && set->n > 0)
            return 1;
    }
    return 0;
}

/* ---- period comparison ------------------------------------------------------------- */

/* One ISO date of compare's value: [s, s + len) trimmed. */
static int compare_date(const char *s, size_t len, int32_t *day, struct err *e)
{
    trim(&s, &len);
    char tmp[11] = "";
    if (len == 10) {
        memcpy(tmp, s, 10);
        tmp[10] = '\0';
    }
    if (len != 10 || schema_iso_to_days(tmp, day) < 0) {
        char shown[64];
        shorten(s, len, shown);
        return err_set(e, ERR_USAGE, "compare: \"%s\" is not a date (YYYY-MM-DD)", shown);
    }
    return 0;
}

int filter_compare_parse(const char *raw, struct filter_compare *out, struct err *e)
{
    out->kind = FILTER_COMPARE_NONE;
    out->from_day = out->to_day = 0;
    if (!raw)
        return 0;
    const char *s = raw;
    size_t len = strlen(raw);
    trim(&s, &len);
    if (len == 0)
        return 0;
    if (len == 8 && strncasecmp(s, "previous", 8) == 0) {
        out->kind = FILTER_COMPARE_PREVIOUS;
        return 0;
    }
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    if (!dots) {
        char shown[64];
        shorten(s, len, shown);
        return err_set(e, ERR_USAGE,
                       "compare: \"%s\" is not previous or FROM..TO (YYYY-MM-DD..YYYY-MM-DD)",
                       shown);
    }
    int32_t from, to;
    if (compare_date(s, (size_t)(dots - s), &from, e) < 0 ||
        compare_date(dots + 2, len - (size_t)(dots + 2 - s), &to, e) < 0)
        return e->code;
    if (from > to) {
        char a[11], b[11];
        schema_days_to_iso(to, a);
        schema_days_to_iso(from, b);
        return err_set(e, ERR_USAGE, "compare: to %s is before from %s", a, b);
    }
    out->kind = FILTER_COMPARE_RANGE;
    out->from_day = from;
    out->to_day = to;
    return 0;
}

int filter_compare_period(const struct engine *eng, const struct filter *f,
                          const struct filter_compare *c, int32_t *from_day, int32_t *to_day,
                          struct err *e)
{
    if (c->kind == FILTER_COMPARE_NONE)
        return 0;
    if (c->kind == FILTER_COMPARE_RANGE) {
        *from_day = c->from_day;
        *to_day = c->to_day;
        return 1;
    }
    int32_t start = f->f.from_day, end = f->f.to_day;
    if (!f->from[0] || !f->to[0]) {
        int32_t first, last;
        if (engine_day_range(eng, &first, &last) < 0)
            return 0;
        if (!f->from[0])
            start = first;
        if (!f->to[0])
            end = last > start ? last : start;
    }
    int32_t oldest;
    schema_iso_to_days("0001-01-01", &oldest);
    int64_t days = (int64_t)end - start + 1;
    if ((int64_t)start - days < oldest)
        return err_set(e, ERR_USAGE, "compare: the previous period would start before 0001-01-01");
    *from_day = (int32_t)(start - days);
    *to_day = start - 1;
    return 1;
}

void filter_compare_apply(const struct filter *f, int32_t from_day, int32_t to_day,
                          struct engine_filter *out)
{
    *out = f->f;
    out->from_day = from_day;
    out->to_day = to_day;
}
