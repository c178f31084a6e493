/* tax.c — the TDS rules table, TDS per influencer and FY, and GST (see tax.h). The table
 * is read with the CSV parser into owned rows, each field checked where it stands so a
 * message can name its line and column; TDS walks the payments once in date order with
 * one running state per (FY, kind). Calls buf, err, csv, json (json_utf8_seq), schema and payid. */
#include "tax.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "json.h"
#include "payid.h"
#include "schema.h"

#include "banned.h"

/* Limits of the rules file: its size, its rows and its text fields. */
#define RULES_FILE_MAX ((size_t)1 << 20)
#define RULES_MAX 1000
#define ID_MAX 64
#define VERSION_MAX 64
#define TEXT_MAX 200
#define CITATION_MAX 2000

enum rule_column {
    RULE_ID,
    RULE_ACT,
    RULE_SECTION,
    RULE_CODE,
    RULE_KIND,
    RULE_RATE,
    RULE_NO_PAN_RATE,
    RULE_THRESHOLD,
    RULE_THRESHOLD_TYPE,
    RULE_FROM,
    RULE_TO,
    RULE_CITATION,
    RULE_NCOLUMNS
};

const char *const tax_rule_columns[] = {
    "rule_id",
    "act",
    "section",
    "payment_code",
    "kind",
    "rate_percent",
    "no_pan_rate_percent",
    "threshold_paise",
    "threshold_type",
    "from",
    "to",
    "citation",
};
const size_t tax_rule_ncolumns = RULE_NCOLUMNS;

const char *tax_kind_name(enum tax_kind kind)
{
    return kind == TAX_KIND_PRODUCT ? "product" : "fee";
}

void tax_rules_init(struct tax_rules *r)
{
    memset(r, 0, sizeof *r);
}

static void rule_release(struct tax_rule *rule)
{
    free(rule->id);
    free(rule->act);
    free(rule->section);
    free(rule->payment_code);
    free(rule->citation);
}

void tax_rules_release(struct tax_rules *r)
{
    for (size_t i = 0; i < r->nrules; i++)
        rule_release(&r->rules[i]);
    free(r->rules);
    free(r->name);
    free(r->version);
    tax_rules_init(r);
}

/* ---- reading the table ---- */

struct rules_reader {
    struct tax_rules *rules;
    const char *name;
    struct err *e;
    int seen_version, seen_header;
    size_t header_fields;
    int field_of[RULE_NCOLUMNS]; /* the record field (0-based) holding each column */
    size_t cap;
};

static int field_error(struct rules_reader *rd, uint64_t line, size_t field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "NAME:LINE:COLUMN: message" (COLUMN the 1-based field number, as the CSV parser says). */
static int field_error(struct rules_reader *rd, uint64_t line, size_t field, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(rd->e, ERR_INPUT, "%s:%" PRIu64 ":%zu: %s", rd->name, line, field + 1, msg);
}

/* A field without the spaces and tabs a spreadsheet may leave around it. */
static void trim(const char **p, size_t *len)
{
    while (*len > 0 && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*len)--;
    }
    while (*len > 0 && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
        (*len)--;
}

static int field_is(const struct csv_field *f, const char *word)
{
    const char *p = f->data;
    size_t len = f->len;
    trim(&p, &len);
    return len == strlen(word) && memcmp(p, word, len) == 0;
}

/* Checks a text field (UTF-8, no control characters, 1..max bytes, or empty when allowed)
 * and returns an owned copy through out. */
static int take_text(struct rules_reader *rd, const struct csv_record *rec, enum rule_column col,
                     size_t max, int may_be_empty, char **out)
{
    size_t fi = (size_t)rd->field_of[col];
    const char *p = rec->fields[fi].data;
    size_t len = rec->fields[fi].len;
    const char *name = tax_rule_columns[col];
    trim(&p, &len);
    if (len == 0 && !may_be_empty)
        return field_error(rd, rec->line, fi, "%s: empty; every rule needs one", name);
    if (len > max)
        return field_error(rd, rec->line, fi, "%s: %zu bytes, more than the %zu allowed", name, len,
                           max);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f)
            return field_error(rd, rec->line, fi,
                               "%s: holds a control character (byte 0x%02x at byte %zu); keep it "
                               "on one line",
                               name, c, i + 1);
        int n = json_utf8_seq((const unsigned char *)p + i, len - i);
        if (n < 0)
            return field_error(rd, rec->line, fi,
                               "%s: not valid UTF-8 at byte %zu; save the file as UTF-8", name,
                               i + 1);
        i += (size_t)n;
    }
    *out = xstrndup(p, len);
    return 0;
}

/* Reads the field of col into a NUL-terminated, trimmed copy (out must hold cap bytes);
 * returns its length, or (size_t)-1 when it is longer than cap - 1. */
static size_t field_copy(const struct rules_reader *rd, const struct csv_record *rec,
                         enum rule_column col, char *out, size_t cap)
{
    const struct csv_field *f = &rec->fields[rd->field_of[col]];
    const char *p = f->data;
    size_t len = f->len;
    trim(&p, &len);
    if (len >= cap)
        return (size_t)-1;
    memcpy(out, p, len);
    out[len] = '\0';
    return len;
}

/* A percentage with at most two decimals ("10", "0.1", "2.50") in basis points, 0..10000. */
static int parse_percent(const char *s, int32_t *bp)
{
    int32_t whole = 0, frac = 0;
    size_t i = 0, digits = 0, decimals = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (digits >= 3)
            return -1;
        whole = whole * 10 + (s[i] - '0');
    }
    if (digits == 0)
        return -1;
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, decimals++) {
            if (decimals >= 2)
                return -1;
            frac = frac * 10 + (s[i] - '0');
        }
        if (decimals == 0)
            return -1;
    }
    if (s[i] != '\0')
        return -1;
    if (decimals == 1)
        frac *= 10;
    int32_t v = whole * 100 + frac;
    if (v > 10000)
        return -1;
    *bp = v;
    return 0;
}

static int take_percent(struct rules_reader *rd, const struct csv_record *rec, enum rule_column col,
                        int32_t *bp)
{
    char s[16];
    size_t fi = (size_t)rd->field_of[col];
    size_t len = field_copy(rd, rec, col, s, sizeof s);
    if (len == (size_t)-1 || parse_percent(s, bp) < 0)
        return field_error(rd, rec->line, fi,
                           "%s: \"%.*s\" is not a percentage from 0 to 100 with at most two "
                           "decimals (write 10 for 10 %%)",
                           tax_rule_columns[col],
                           (int)(rec->fields[fi].len > 20 ? 20 : rec->fields[fi].len),
                           rec->fields[fi].data);
    return 0;
}

static int take_day(struct rules_reader *rd, const struct csv_record *rec, enum rule_column col,
                    int may_be_empty, int32_t *day)
{
    char s[16];
    size_t fi = (size_t)rd->field_of[col];
    size_t len = field_copy(rd, rec, col, s, sizeof s);
    if (len == 0 && may_be_empty) {
        *day = TAX_OPEN_END;
        return 0;
    }
    if (len != 10 || s[4] != '-' || s[7] != '-' || schema_iso_to_days(s, day) < 0)
        return field_error(
            rd, rec->line, fi, "%s: \"%.*s\" is not a date YYYY-MM-DD%s", tax_rule_columns[col],
            (int)(rec->fields[fi].len > 20 ? 20 : rec->fields[fi].len), rec->fields[fi].data,
            may_be_empty ? " (leave it empty for a rule with no end)" : "");
    return 0;
}

static int parse_rule(struct rules_reader *rd, const struct csv_record *rec, struct tax_rule *rule)
{
    int rc;
    char s[32];
    if ((rc = take_text(rd, rec, RULE_ID, ID_MAX, 0, &rule->id)) < 0)
        return rc;
    for (const char *p = rule->id; *p; p++) {
        int c = (unsigned char)*p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return field_error(rd, rec->line, (size_t)rd->field_of[RULE_ID],
                               "rule_id: \"%s\" may hold only letters, digits, '-', '_' and '.'",
                               rule->id);
    }
    for (size_t i = 0; i < rd->rules->nrules; i++)
        if (strcmp(rd->rules->rules[i].id, rule->id) == 0)
            return field_error(rd, rec->line, (size_t)rd->field_of[RULE_ID],
                               "rule_id: \"%s\" is already the id of the rule on line %" PRIu64
                               "; every rule needs its own",
                               rule->id, rd->rules->rules[i].line);
    if ((rc = take_text(rd, rec, RULE_ACT, TEXT_MAX, 0, &rule->act)) < 0 ||
        (rc = take_text(rd, rec, RULE_SECTION, TEXT_MAX, 0, &rule->section)) < 0 ||
        (rc = take_text(rd, rec, RULE_CODE, TEXT_MAX, 1, &rule->payment_code)) < 0)
        return rc;
    size_t code_len = strlen(rule->payment_code);
    int code_ok = code_len == 0 || code_len == 4;
    for (size_t i = 0; i < code_len; i++)
        if (rule->payment_code[i] < '0' || rule->payment_code[i] > '9')
            code_ok = 0;
    if (!code_ok)
        return field_error(rd, rec->line, (size_t)rd->field_of[RULE_CODE],
                           "payment_code: \"%s\" is not a four-digit payment code (leave it "
                           "empty for rules of the Income-tax Act, 1961)",
                           rule->payment_code);

    size_t fi = (size_t)rd->field_of[RULE_KIND];
    size_t len = field_copy(rd, rec, RULE_KIND, s, sizeof s);
    if (len != (size_t)-1 && strcmp(s, "fee") == 0)
        rule->kind = TAX_KIND_FEE;
    else if (len != (size_t)-1 && strcmp(s, "product") == 0)
        rule->kind = TAX_KIND_PRODUCT;
    else
        return field_error(rd, rec->line, fi, "kind: \"%.*s\" is neither fee nor product",
                           (int)(rec->fields[fi].len > 20 ? 20 : rec->fields[fi].len),
                           rec->fields[fi].data);

    if ((rc = take_percent(rd, rec, RULE_RATE, &rule->rate_bp)) < 0 ||
        (rc = take_percent(rd, rec, RULE_NO_PAN_RATE, &rule->no_pan_rate_bp)) < 0)
        return rc;
    if (rule->no_pan_rate_bp < rule->rate_bp)
        return field_error(rd, rec->line, (size_t)rd->field_of[RULE_NO_PAN_RATE],
                           "no_pan_rate_percent: %d.%02d is below rate_percent %d.%02d; without "
                           "a PAN the law sets the higher rate",
                           rule->no_pan_rate_bp / 100, rule->no_pan_rate_bp % 100,
                           rule->rate_bp / 100, rule->rate_bp % 100);

    fi = (size_t)rd->field_of[RULE_THRESHOLD];
    len = field_copy(rd, rec, RULE_THRESHOLD, s, sizeof s);
    char *end = NULL;
    errno = 0;
    long long threshold = len == (size_t)-1 || len == 0 ? -1 : strtoll(s, &end, 10);
    if (len == (size_t)-1 || len == 0 || s[0] < '0' || s[0] > '9' || errno || *end ||
        threshold > TAX_AMOUNT_MAX)
        return field_error(rd, rec->line, fi,
                           "threshold_paise: \"%.*s\" is not a whole number of paise from 0 to "
                           "%" PRId64 " (write 5000000 for Rs 50,000)",
                           (int)(rec->fields[fi].len > 24 ? 24 : rec->fields[fi].len),
                           rec->fields[fi].data, TAX_AMOUNT_MAX);
    rule->threshold = threshold;

    fi = (size_t)rd->field_of[RULE_THRESHOLD_TYPE];
    len = field_copy(rd, rec, RULE_THRESHOLD_TYPE, s, sizeof s);
    if (len != (size_t)-1 && strcmp(s, "aggregate_fy") == 0)
        rule->threshold_type = TAX_THRESHOLD_AGGREGATE_FY;
    else if (len != (size_t)-1 && strcmp(s, "per_payment") == 0)
        rule->threshold_type = TAX_THRESHOLD_PER_PAYMENT;
    else
        return field_error(rd, rec->line, fi,
                           "threshold_type: \"%.*s\" is neither aggregate_fy (the FY's total "
                           "to the payee) nor per_payment",
                           (int)(rec->fields[fi].len > 20 ? 20 : rec->fields[fi].len),
                           rec->fields[fi].data);

    if ((rc = take_day(rd, rec, RULE_FROM, 0, &rule->from_day)) < 0 ||
        (rc = take_day(rd, rec, RULE_TO, 1, &rule->to_day)) < 0)
        return rc;
    if (rule->to_day < rule->from_day) {
        char from[11], to[11];
        schema_days_to_iso(rule->from_day, from);
        schema_days_to_iso(rule->to_day, to);
        return field_error(rd, rec->line, (size_t)rd->field_of[RULE_TO], "to: %s is before from %s",
                           to, from);
    }
    if ((rc = take_text(rd, rec, RULE_CITATION, CITATION_MAX, 0, &rule->citation)) < 0)
        return rc;
    rule->line = rec->line;
    return 0;
}

static int read_version(struct rules_reader *rd, const struct csv_record *rec)
{
    if (rec->nfields < 1 || !field_is(&rec->fields[0], "rules_version"))
        return err_set(rd->e, ERR_INPUT,
                       "%s:%" PRIu64 ":1: the first line must be rules_version,<version> (the "
                       "version shown with every figure)",
                       rd->name, rec->line);
    for (size_t i = 2; i < rec->nfields; i++)
        if (rec->fields[i].len)
            return field_error(rd, rec->line, i, "unexpected text after the version");
    const char *p = rec->nfields > 1 ? rec->fields[1].data : "";
    size_t len = rec->nfields > 1 ? rec->fields[1].len : 0;
    trim(&p, &len);
    if (len == 0 || len > VERSION_MAX)
        return field_error(rd, rec->line, 1, "rules_version: give a version of 1 to %d characters",
                           VERSION_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
            return field_error(rd, rec->line, 1,
                               "rules_version: use printable ASCII (letters, digits, '.', '-')");
    rd->rules->version = xstrndup(p, len);
    rd->seen_version = 1;
    return 0;
}

static int read_header(struct rules_reader *rd, const struct csv_record *rec)
{
    for (size_t c = 0; c < RULE_NCOLUMNS; c++)
        rd->field_of[c] = -1;
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t c = 0;
        while (c < RULE_NCOLUMNS && !field_is(&rec->fields[i], tax_rule_columns[c]))
            c++;
        if (c == RULE_NCOLUMNS)
            return field_error(rd, rec->line, i,
                               "\"%.*s\" is not a column of the rules table (the columns are "
                               "rule_id, act, section, payment_code, kind, rate_percent, "
                               "no_pan_rate_percent, threshold_paise, threshold_type, from, to, "
                               "citation)",
                               (int)(rec->fields[i].len > 40 ? 40 : rec->fields[i].len),
                               rec->fields[i].data);
        if (rd->field_of[c] >= 0)
            return field_error(rd, rec->line, i, "column %s appears twice", tax_rule_columns[c]);
        rd->field_of[c] = (int)i;
    }
    for (size_t c = 0; c < RULE_NCOLUMNS; c++)
        if (rd->field_of[c] < 0)
            return err_set(rd->e, ERR_INPUT, "%s:%" PRIu64 ": the header has no column %s",
                           rd->name, rec->line, tax_rule_columns[c]);
    rd->header_fields = rec->nfields;
    rd->seen_header = 1;
    return 0;
}

static int on_record(void *ctx, const struct csv_record *rec)
{
    struct rules_reader *rd = ctx;
    if (!rd->seen_version)
        return read_version(rd, rec);
    if (!rd->seen_header)
        return read_header(rd, rec);
    if (rec->nfields != rd->header_fields)
        return err_set(rd->e, ERR_INPUT,
                       "%s:%" PRIu64 ": %zu fields, but the header has %zu (a comma inside a "
                       "citation needs the field in double quotes)",
                       rd->name, rec->line, rec->nfields, rd->header_fields);
    struct tax_rules *r = rd->rules;
    if (r->nrules >= RULES_MAX)
        return err_set(rd->e, ERR_LIMIT, "%s:%" PRIu64 ": more than %d rules", rd->name, rec->line,
                       RULES_MAX);
    if (r->nrules == rd->cap) {
        rd->cap = rd->cap ? rd->cap * 2 : 16;
        r->rules = xrealloc(r->rules, rd->cap * sizeof *r->rules);
    }
    struct tax_rule *rule = &r->rules[r->nrules];
    memset(rule, 0, sizeof *rule);
    int rc = parse_rule(rd, rec, rule);
    if (rc < 0) {
        rule_release(rule);
        return rc;
    }
    r->nrules++;
    return 0;
}

/* Two rules of one kind may not share a day: the one read later is named. */
static int check_overlaps(struct rules_reader *rd)
{
    const struct tax_rules *r = rd->rules;
    for (size_t i = 0; i < r->nrules; i++)
        for (size_t j = i + 1; j < r->nrules; j++) {
            const struct tax_rule *a = &r->rules[i], *b = &r->rules[j];
            if (a->kind != b->kind || b->from_day > a->to_day || a->from_day > b->to_day)
                continue;
            int32_t first = a->from_day > b->from_day ? a->from_day : b->from_day;
            char day[11];
            schema_days_to_iso(first, day);
            return field_error(rd, b->line, (size_t)rd->field_of[RULE_FROM],
                               "rule %s covers %s payments on %s, as rule %s (line %" PRIu64
                               ") does: end one rule the day before the other starts",
                               b->id, tax_kind_name(b->kind), day, a->id, a->line);
        }
    return 0;
}

int tax_rules_parse(struct tax_rules *r, const char *name, const char *data, size_t len,
                    struct err *e)
{
    tax_rules_release(r);
    struct rules_reader rd = {.rules = r, .name = name ? name : "rules", .e = e};
    struct csv_opts opts = {
        .delimiter = ',', .max_field_bytes = CITATION_MAX + 64, .max_fields = 64, .name = rd.name};
    struct csv_parser *p = csv_new(&opts, on_record, &rd);
    int rc = csv_feed(p, data, len, e);
    if (rc >= 0)
        rc = csv_finish(p, e);
    csv_free(p);
    if (rc >= 0 && !rd.seen_header)
        rc = err_set(e, ERR_INPUT,
                     "%s: no %s; the file needs rules_version,<version>, the "
                     "header and at least one rule",
                     rd.name, rd.seen_version ? "header" : "rules_version line");
    if (rc >= 0 && r->nrules == 0)
        rc = err_set(e, ERR_INPUT, "%s: the header is followed by no rule", rd.name);
    if (rc >= 0)
        rc = check_overlaps(&rd);
    if (rc < 0) {
        tax_rules_release(r);
        return rc;
    }
    r->name = xstrdup(rd.name);
    return 0;
}

int tax_rules_load(struct tax_rules *r, const char *path, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "%s: cannot open the TDS rules table: %s", path, strerror(errno));
    struct cbuf data;
    cbuf_init(&data, RULES_FILE_MAX);
    char chunk[8192];
    int rc = 0;
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n && cbuf_append(&data, chunk, n) < 0) {
            rc = err_set(e, ERR_LIMIT, "%s: larger than %zu bytes; is it the TDS rules table?",
                         path, RULES_FILE_MAX);
            break;
        }
        if (n < sizeof chunk) {
            if (ferror(f))
                rc = err_set(e, ERR_IO, "%s: read failed: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc == 0) {
        const char *slash = strrchr(path, '/');
        rc = tax_rules_parse(r, slash ? slash + 1 : path, cbuf_cstr(&data), data.b.len, e);
    }
    cbuf_release(&data);
    return rc;
}

const struct tax_rule *tax_rules_find(const struct tax_rules *r, enum tax_kind kind, int32_t day)
{
    for (size_t i = 0; i < r->nrules; i++) {
        const struct tax_rule *rule = &r->rules[i];
        if (rule->kind == kind && day >= rule->from_day && day <= rule->to_day)
            return rule;
    }
    return NULL;
}

/* ---- financial years ---- */

int32_t tax_fy_of_day(int32_t day)
{
    char iso[11];
    schema_days_to_iso(day, iso);
    int32_t year =
        (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
    int month = (iso[5] - '0') * 10 + (iso[6] - '0');
    return month >= 4 ? year : year - 1;
}

void tax_fy_name(int32_t fy, char out[8])
{
    unsigned y = (unsigned)fy % 10000u;
    snprintf(out, 8, "%04u-%02u", y, (y + 1) % 100u);
}

int tax_fy_parse(const char *s, int32_t *fy, struct err *e)
{
    int ok = strlen(s) == 7 && s[4] == '-';
    for (size_t i = 0; ok && i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            ok = 0;
    if (ok) {
        int32_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        int next = (s[5] - '0') * 10 + (s[6] - '0');
        if (y >= 1000 && y <= 9998 && next == (y + 1) % 100) {
            *fy = y;
            return 0;
        }
    }
    return err_set(e, ERR_USAGE,
                   "financial year \"%.16s\": write it as YYYY-YY, the April it starts and the "
                   "March it ends (2025-26 is 1 April 2025 to 31 March 2026)",
                   s);
}

void tax_fy_days(int32_t fy, int32_t *first, int32_t *last)
{
    char iso[16];
    unsigned y = (unsigned)fy % 10000u;
    snprintf(iso, sizeof iso, "%04u-04-01", y);
    schema_iso_to_days(iso, first);
    snprintf(iso, sizeof iso, "%04u-03-31", (y + 1) % 10000u);
    schema_iso_to_days(iso, last);
}

/* ---- TDS ---- */

void tax_result_init(struct tax_result *res)
{
    memset(res, 0, sizeof *res);
}

void tax_result_release(struct tax_result *res)
{
    free(res->lines);
    free(res->sections);
    tax_result_init(res);
}

/* The running state of one FY and kind. */
struct tax_stream {
    int32_t fy;
    enum tax_kind kind;
    int64_t total;  /* paise paid so far */
    int crossed;    /* the aggregate threshold has been passed */
    int64_t exact;  /* tax so far, in paise × basis points */
    int64_t rupees; /* the rounded running tax already deducted, in rupees */
};

struct order {
    int32_t day;
    size_t index;
};

static int by_day(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static struct tax_stream *stream_of(struct tax_stream **streams, size_t *n, size_t *cap, int32_t fy,
                                    enum tax_kind kind)
{
    for (size_t i = 0; i < *n; i++)
        if ((*streams)[i].fy == fy && (*streams)[i].kind == kind)
            return &(*streams)[i];
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *streams = xrealloc(*streams, *cap * sizeof **streams);
    }
    struct tax_stream *s = &(*streams)[(*n)++];
    memset(s, 0, sizeof *s);
    s->fy = fy;
    s->kind = kind;
    return s;
}

/* Paise × basis points to whole rupees, half up: 1 rupee = 100 paise × 10000 bp. */
static int64_t exact_to_rupees(int64_t exact)
{
    return (exact + 500000) / 1000000;
}

static int no_rule(const struct tax_rules *rules, const struct tax_payment *pay, size_t index,
                   struct err *e)
{
    char day[11];
    schema_days_to_iso(pay->day, day);
    return err_set(e, ERR_INPUT,
                   "payment %zu (%s, %s): no rule of the TDS table %s (version %s) covers %s "
                   "payments on that day; add a row for it to the table",
                   index + 1, day, tax_kind_name(pay->kind), rules->name ? rules->name : "",
                   rules->version ? rules->version : "?", tax_kind_name(pay->kind));
}

/* Sums the deducting lines per FY, rule and rate, in the order they first deduct. */
static void sum_sections(struct tax_result *res, const struct order *order, size_t n)
{
    size_t cap = 0;
    for (size_t k = 0; k < n; k++) {
        const struct tax_line *line = &res->lines[order[k].index];
        if (line->base == 0)
            continue;
        struct tax_section_total *t = NULL;
        for (size_t i = 0; i < res->nsections; i++)
            if (res->sections[i].fy == line->fy && res->sections[i].rule == line->rule &&
                res->sections[i].rate_bp == line->rate_bp)
                t = &res->sections[i];
        if (!t) {
            if (res->nsections == cap) {
                cap = cap ? cap * 2 : 4;
                res->sections = xrealloc(res->sections, cap * sizeof *res->sections);
            }
            t = &res->sections[res->nsections++];
            *t = (struct tax_section_total){
                .rule = line->rule, .fy = line->fy, .rate_bp = line->rate_bp};
        }
        t->base += line->base;
        t->tds += line->tds;
    }
}

int tax_compute(const struct tax_rules *rules, const struct tax_payment *payments, size_t n,
                struct tax_result *res, struct err *e)
{
    tax_result_release(res);
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct tax_payment *pay = &payments[i];
        if (pay->kind != TAX_KIND_FEE && pay->kind != TAX_KIND_PRODUCT)
            return err_set(e, ERR_INPUT, "payment %zu: kind %d is neither fee nor product", i + 1,
                           (int)pay->kind);
        if (pay->amount < 0 || pay->amount > TAX_AMOUNT_MAX) {
            char day[11];
            schema_days_to_iso(pay->day, day);
            return err_set(e, ERR_INPUT,
                           "payment %zu (%s): amount %" PRId64 " paise is outside 0 to %" PRId64,
                           i + 1, day, pay->amount, TAX_AMOUNT_MAX);
        }
        if (!tax_rules_find(rules, pay->kind, pay->day))
            return no_rule(rules, pay, i, e);
    }

    struct order *order = xmalloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (struct order){payments[i].day, i};
    qsort(order, n, sizeof *order, by_day);
    res->lines = xcalloc(n, sizeof *res->lines);
    res->nlines = n;
    struct tax_stream *streams = NULL;
    size_t nstreams = 0, cap = 0;
    int rc = 0;

    for (size_t k = 0; k < n; k++) {
        size_t i = order[k].index;
        const struct tax_payment *pay = &payments[i];
        struct tax_line *line = &res->lines[i];
        line->rule = tax_rules_find(rules, pay->kind, pay->day);
        line->fy = tax_fy_of_day(pay->day);
        line->rate_bp = pay->has_pan ? line->rule->rate_bp : line->rule->no_pan_rate_bp;
        struct tax_stream *s = stream_of(&streams, &nstreams, &cap, line->fy, pay->kind);

        int64_t total;
        if (__builtin_add_overflow(s->total, pay->amount, &total)) {
            rc =
                err_set(e, ERR_LIMIT, "payment %zu: the FY's total is too large to compute", i + 1);
            break;
        }
        s->total = total;
        if (line->rule->threshold_type == TAX_THRESHOLD_PER_PAYMENT) {
            line->base = pay->amount > line->rule->threshold ? pay->amount : 0;
        } else if (s->crossed) {
            line->base = pay->amount;
        } else if (total > line->rule->threshold) {
            /* the crossing payment carries the FY's earlier payments too */
            line->base = total;
            line->crossed = 1;
            s->crossed = 1;
        }
        int64_t tax, exact;
        if (__builtin_mul_overflow(line->base, (int64_t)line->rate_bp, &tax) ||
            __builtin_add_overflow(s->exact, tax, &exact)) {
            rc = err_set(e, ERR_LIMIT, "payment %zu: the FY's tax is too large to compute", i + 1);
            break;
        }
        s->exact = exact;
        int64_t rupees = exact_to_rupees(exact);
        line->tds = (rupees - s->rupees) * 100;
        s->rupees = rupees;
        res->tds += line->tds;
    }
    free(streams);
    if (rc == 0)
        sum_sections(res, order, n);
    free(order);
    if (rc < 0)
        tax_result_release(res);
    return rc;
}

/* ---- GST ---- */

/* amount × bp / 10000, half up (amount >= 0, within TAX_AMOUNT_MAX). */
static int64_t percent_of(int64_t amount, int64_t bp)
{
    return (amount * bp + 5000) / 10000;
}

int tax_gst(int64_t fee, const char *gstin, int brand_state, struct tax_gst *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!gstin || !*gstin)
        return 0;
    if (fee < 0 || fee > TAX_AMOUNT_MAX)
        return err_set(e, ERR_INPUT, "fee %" PRId64 " paise is outside 0 to %" PRId64, fee,
                       TAX_AMOUNT_MAX);
    int rc = payid_gstin(gstin, e);
    if (rc < 0)
        return rc;
    if (!payid_gst_state_name(brand_state))
        return err_set(e, ERR_USAGE,
                       "the brand's GST state %d is not a GST state code (01 to 38, or 97): set "
                       "it to the first two digits of the brand's own GSTIN (--gst-state 27 for "
                       "Maharashtra)",
                       brand_state);
    out->intra_state = payid_gstin_state(gstin) == brand_state;
    if (out->intra_state) {
        out->cgst = percent_of(fee, TAX_GST_RATE_BP / 2);
        out->sgst = percent_of(fee, TAX_GST_RATE_BP / 2);
    } else {
        out->igst = percent_of(fee, TAX_GST_RATE_BP);
    }
    out->total = out->cgst + out->sgst + out->igst;
    return 0;
}

int64_t tax_net(int64_t fee, int64_t gst, int64_t tds)
{
    return fee + gst - tds;
}
