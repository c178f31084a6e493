/* schema_value.c — reading one value of a column kind (see schema_value.h): counts,
 * decimals as money or rates (thousands separators, currency signs, rates as text), flags,
 * dates in the layouts the peers use, the canonical spellings of gender, platform, basis,
 * status and brand, and the ranges every integer must keep. Pure functions over bytes.
 * Calls buf. */
#include "schema_value.h"
#include "schema_impl.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int schema_kind_is_int(enum col_kind kind)
{
    return kind == COL_COUNT || kind == COL_MONEY || kind == COL_RATE || kind == COL_FLAG;
}

/* ---- value parsers ---------------------------------------------------------------- */

/* Skips a currency sign or code at *p (₹ $ € £ Rs Rs. INR USD). */
static void skip_currency(const char **p, const char *end)
{
    const unsigned char *u = (const unsigned char *)*p;
    size_t left = (size_t)(end - *p);
    if (left >= 3 && u[0] == 0xE2 && u[1] == 0x82 && (u[2] == 0xB9 || u[2] == 0xAC)) {
        *p += 3; /* ₹ or € */
    } else if (left >= 2 && u[0] == 0xC2 && u[1] == 0xA3) {
        *p += 2; /* £ */
    } else if (left >= 1 && u[0] == '$') {
        *p += 1;
    } else if (left >= 3 && (!strncmp(*p, "INR", 3) || !strncmp(*p, "USD", 3))) {
        *p += 3;
    } else if (left >= 2 && (!strncmp(*p, "Rs", 2) || !strncmp(*p, "rs", 2))) {
        *p += 2;
        if (*p < end && **p == '.')
            (*p)++;
    } else {
        return;
    }
    /* Spaces and non-breaking spaces after the sign; anything else ends the skip. */
    for (;;) {
        if (*p < end && **p == ' ')
            *p += 1;
        else if (end - *p >= 2 && (unsigned char)(*p)[0] == 0xC2 && (unsigned char)(*p)[1] == 0xA0)
            *p += 2;
        else
            break;
    }
}

/*
 * Parses a decimal number with optional sign, currency sign, thousands separators
 * (western 1,234,567 or Indian 12,34,567 grouping), fraction and exponent into an
 * integer scaled by 10^scale, rounding half away from zero. With `tail` non-NULL,
 * trailing text after the number is allowed and returned there (for rates like
 * "₹4,500/post"); otherwise it is an error. `percent` is set when a '%' follows.
 */
static int parse_decimal(const char *s, size_t len, int scale, int64_t *out, const char **reason,
                         const char **tail, int *percent)
{
    const char *p = s, *end = s + len;
    trim(&p, &len);
    end = p + len;
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+'))
        neg = (*p++ == '-');
    skip_currency(&p, end);
    if (p < end && (*p == '-' || *p == '+'))
        neg = (*p++ == '-');
    uint64_t mant = 0; /* all digits seen, as an integer */
    int digits = 0, frac_digits = 0;
    int groups = 0, first_group = 0, group_len = 0, saw_comma = 0, bad_group = 0;
    const char *num_start = p;
    for (; p < end; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (mant > (UINT64_MAX - 9) / 10) {
                if (frac_digits > 0)
                    continue; /* beyond 19 significant digits: the rest cannot matter */
                *reason = "number too large";
                return -1;
            }
            mant = mant * 10 + (uint64_t)(c - '0');
            digits++;
            if (frac_digits > 0)
                frac_digits++;
            else
                group_len++;
        } else if (c == ',' && frac_digits == 0) {
            if (group_len == 0) {
                bad_group = 1;
                break;
            }
            if (!saw_comma)
                first_group = group_len;
            else if (group_len != 2 && group_len != 3)
                bad_group = 1;
            saw_comma = 1;
            groups++;
            group_len = 0;
        } else if (c == '.' && frac_digits == 0) {
            frac_digits = 1; /* 1 + digits after the point */
        } else {
            break;
        }
    }
    (void)first_group;
    (void)groups;
    if (saw_comma && group_len != 3)
        bad_group = 1;
    if (digits == 0 || bad_group || p == num_start) {
        *reason = "not a number";
        return -1;
    }
    int fraction = frac_digits > 0 ? frac_digits - 1 : 0;
    /* Exponent. */
    int exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0;
        if (q < end && (*q == '-' || *q == '+'))
            eneg = (*q++ == '-');
        int ed = 0, ev = 0;
        while (q < end && *q >= '0' && *q <= '9' && ev < 1000) {
            ev = ev * 10 + (*q++ - '0');
            ed++;
        }
        if (ed) {
            exp10 = eneg ? -ev : ev;
            p = q;
        }
    }
    int pct = 0;
    while (p < end && *p == ' ')
        p++;
    if (p < end && *p == '%') {
        pct = 1;
        p++;
    }
    if (p < end) {
        if (!tail) {
            *reason = "not a number";
            return -1;
        }
        *tail = p;
    } else if (tail) {
        *tail = NULL;
    }
    if (percent)
        *percent = pct;
    else if (pct) {
        *reason = "not a number";
        return -1;
    }
    /* value = mant * 10^(exp10 - fraction - 2*pct); we want value * 10^scale. */
    int shift = scale + exp10 - fraction - (pct ? 2 : 0);
    uint64_t v = mant;
    if (shift >= 0) {
        for (int i = 0; i < shift; i++) {
            if (v > UINT64_MAX / 10) {
                *reason = "number too large";
                return -1;
            }
            v *= 10;
        }
    } else {
        int k = -shift, first;
        if (k > 20) {
            v = 0, first = 0;
        } else {
            uint64_t p10 = 1;
            for (int i = 0; i < k - 1; i++)
                p10 *= 10;
            first = (int)((v / p10) % 10);
            v = v / p10 / 10;
        }
        if (first >= 5)
            v++;
    }
    if (v > (uint64_t)INT64_MAX) {
        *reason = "number too large";
        return -1;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* The reasons of schema_check_range (also for numbers too large for 64 bits). */
#define RANGE_COUNT "out of range: a count may be at most 2147483647 (2^31 - 1)"
#define RANGE_MONEY                                                                                \
    "out of range: an amount may be at most 100000000.00 (10 crore), positive or negative; "       \
    "split a larger amount over several rows"
#define RANGE_RATE                                                                                 \
    "out of range: a rate may be at most 100000000 (10 crore per order or post), positive or "     \
    "negative"

int schema_check_range(enum col_kind kind, int64_t v, const char **reason)
{
    switch (kind) {
    case COL_COUNT:
        if (v >= 0 && v <= SCHEMA_COUNT_MAX)
            return 0;
        *reason = v < 0 ? "negative count" : RANGE_COUNT;
        return -1;
    case COL_MONEY:
        if (v >= -SCHEMA_MONEY_MAX && v <= SCHEMA_MONEY_MAX)
            return 0;
        *reason = RANGE_MONEY;
        return -1;
    case COL_RATE:
        if (v >= -SCHEMA_RATE_MAX && v <= SCHEMA_RATE_MAX)
            return 0;
        *reason = RANGE_RATE;
        return -1;
    case COL_FLAG:
        if (v == 0 || v == 1)
            return 0;
        *reason = "not a yes/no value";
        return -1;
    default:
        return 0;
    }
}

/* The common forms of counts and amounts, read without parse_decimal: up to 12 digits, for
 * money optionally a point and one or two more ("2", "9298.14", "408.5"); *out in units of
 * 10^-scale (scale 0 or 2). False for anything else (signs, separators, spaces, currency,
 * exponents, more decimals): parse_decimal reads those, to the same value for these. */
static bool plain_decimal(const char *s, size_t len, int scale, int64_t *out)
{
    size_t i = 0;
    int64_t v = 0;
    while (i < len && i < 12 && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    if (i == 0)
        return false;
    int frac = 0;
    if (scale == 2 && i < len && s[i] == '.' && i + 1 < len) {
        size_t k = i + 1;
        while (k < len && k - i <= 2 && s[k] >= '0' && s[k] <= '9')
            v = v * 10 + (s[k++] - '0');
        frac = (int)(k - i - 1);
        if (frac == 0)
            return false;
        i = k;
    }
    if (i != len)
        return false;
    for (; frac < scale; frac++)
        v *= 10;
    *out = v;
    return true;
}

int schema_parse_count(const char *s, size_t len, int64_t *out, const char **reason)
{
    int64_t plain;
    if (plain_decimal(s, len, 0, &plain)) {
        if (schema_check_range(COL_COUNT, plain, reason) < 0)
            return -1;
        *out = plain;
        return 0;
    }
    int64_t scaled;
    /* Parse with 6 decimals so that "17.0" is whole and "17.5" is not. */
    if (parse_decimal(s, len, 6, &scaled, reason, NULL, NULL) < 0) {
        if (!strcmp(*reason, "number too large"))
            *reason = RANGE_COUNT;
        return -1;
    }
    if (scaled < 0) {
        *reason = "negative count";
        return -1;
    }
    if (scaled % 1000000) {
        *reason = "not a whole number";
        return -1;
    }
    if (schema_check_range(COL_COUNT, scaled / 1000000, reason) < 0)
        return -1;
    *out = scaled / 1000000;
    return 0;
}

int schema_parse_money(const char *s, size_t len, int64_t *cents, const char **reason)
{
    int64_t v;
    if (plain_decimal(s, len, 2, &v)) {
        if (schema_check_range(COL_MONEY, v, reason) < 0)
            return -1;
        *cents = v;
        return 0;
    }
    if (parse_decimal(s, len, 2, &v, reason, NULL, NULL) < 0) {
        if (!strcmp(*reason, "number too large"))
            *reason = RANGE_MONEY;
        return -1;
    }
    if (schema_check_range(COL_MONEY, v, reason) < 0)
        return -1;
    *cents = v;
    return 0;
}

int schema_parse_rate(const char *s, size_t len, int64_t *micros, const char **reason)
{
    int pct = 0;
    int64_t v;
    if (parse_decimal(s, len, 6, &v, reason, NULL, &pct) < 0) {
        if (!strcmp(*reason, "number too large"))
            *reason = RANGE_RATE;
        return -1;
    }
    if (schema_check_range(COL_RATE, v, reason) < 0)
        return -1;
    *micros = v;
    return 0;
}

/* Rates may arrive as text: "₹4,500/post", "₹58,800/post + 6.8%". The leading number is
 * the rate; *has_tail tells the caller to keep the original text. */
int schema_parse_rate_text(const char *s, size_t len, int64_t *micros, const char **reason,
                           int *has_tail)
{
    const char *tail = NULL;
    int pct = 0;
    if (parse_decimal(s, len, 6, micros, reason, &tail, &pct) < 0) {
        if (!strcmp(*reason, "number too large"))
            *reason = RANGE_RATE;
        return -1;
    }
    if (schema_check_range(COL_RATE, *micros, reason) < 0)
        return -1;
    *has_tail = tail != NULL;
    if (tail && !(*tail == '/' || *tail == ' ' || *tail == '+' || *tail == 'p')) {
        *reason = "not a number";
        return -1;
    }
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int read_digits(const char **p, const char *end, int min, int max, int *out)
{
    int n = 0, v = 0;
    while (*p < end && **p >= '0' && **p <= '9' && n < max) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min)
        return -1;
    *out = v;
    return 0;
}

int schema_parse_date(const char *s, size_t len, struct buf *out, const char **reason)
{
    const char *p = s, *end;
    trim(&p, &len);
    end = p + len;
    int y, m, d, a, b;
    const char *q = p;
    int day_first = 0;
    if (read_digits(&q, end, 1, 4, &a) < 0)
        goto bad;
    if (q - p == 4) {
        y = a;
        if (q >= end || (*q != '-' && *q != '/' && *q != '.'))
            goto bad;
        char sep = *q++;
        if (read_digits(&q, end, 1, 2, &m) < 0 || q >= end || *q++ != sep ||
            read_digits(&q, end, 1, 2, &d) < 0)
            goto bad;
    } else {
        day_first = 1;
        d = a;
        if (q >= end || (*q != '-' && *q != '/' && *q != '.'))
            goto bad;
        char sep = *q++;
        if (read_digits(&q, end, 1, 2, &b) < 0 || q >= end || *q++ != sep)
            goto bad;
        m = b;
        const char *ys = q;
        if (read_digits(&q, end, 4, 4, &y) < 0 || q - ys != 4)
            goto bad;
    }
    if (y < 1000 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        *reason = day_first ? "impossible date (dates in this form are read day first: DD-MM-YYYY)"
                            : "impossible date";
        return -1;
    }
    char day[10] = {(char)('0' + y / 1000),
                    (char)('0' + y / 100 % 10),
                    (char)('0' + y / 10 % 10),
                    (char)('0' + y % 10),
                    '-',
                    (char)('0' + m / 10),
                    (char)('0' + m % 10),
                    '-',
                    (char)('0' + d / 10),
                    (char)('0' + d % 10)};
    buf_append(out, day, sizeof day);
    if (q == end)
        return 0;
    /* Optional time: [T ]HH:MM[:SS[.frac]] [Z|+hh:mm] */
    if (*q != 'T' && *q != ' ')
        goto bad;
    q++;
    while (q < end && *q == ' ')
        q++;
    int hh, mm, ss = 0;
    if (read_digits(&q, end, 1, 2, &hh) < 0 || q >= end || *q++ != ':' ||
        read_digits(&q, end, 2, 2, &mm) < 0)
        goto bad;
    const char *frac = NULL;
    size_t frac_len = 0;
    if (q < end && *q == ':') {
        q++;
        if (read_digits(&q, end, 2, 2, &ss) < 0)
            goto bad;
        if (q < end && *q == '.') {
            frac = ++q;
            while (q < end && *q >= '0' && *q <= '9')
                q++;
            frac_len = (size_t)(q - frac);
            if (frac_len == 0 || frac_len > 9)
                goto bad;
        }
    }
    if (hh > 23 || mm > 59 || ss > 60) {
        *reason = "impossible time";
        return -1;
    }
    const char *tz = q;
    if (q < end && *q == 'Z') {
        q++;
        tz = q;
    } else if (q < end && (*q == '+' || *q == '-')) {
        q++;
        int th, tm = 0;
        if (read_digits(&q, end, 2, 2, &th) < 0)
            goto bad;
        if (q < end && *q == ':')
            q++;
        if (q < end && read_digits(&q, end, 2, 2, &tm) < 0)
            goto bad;
    }
    if (q != end)
        goto bad;
    int frac_zero = 1;
    for (size_t i = 0; i < frac_len; i++)
        if (frac[i] != '0')
            frac_zero = 0;
    /* A bare midnight (what JavaScript's Date adds to a day) carries no information. */
    if (hh == 0 && mm == 0 && ss == 0 && frac_zero && tz == end)
        return 0;
    buf_printf(out, " %02d:%02d:%02d", hh, mm, ss);
    if (frac_len)
        buf_printf(out, ".%.*s", (int)frac_len, frac);
    if (tz != end)
        buf_append(out, tz, (size_t)(end - tz));
    return 0;
bad:
    *reason = "not a date (expected YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY)";
    return -1;
}

int schema_iso_to_days(const char *iso, int32_t *days)
{
    int y, m, d;
    const char *p = iso, *end = iso + strnlen(iso, 10);
    if (read_digits(&p, end, 4, 4, &y) < 0 || p >= end || *p++ != '-' ||
        read_digits(&p, end, 2, 2, &m) < 0 || p >= end || *p++ != '-' ||
        read_digits(&p, end, 2, 2, &d) < 0)
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return 0;
}

void schema_days_to_iso(int32_t days, char out[11])
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    unsigned yy = (unsigned)y % 10000u, mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
    /* "%04u-%02u-%02u" written digit by digit: a document prints thousands of days, and
     * snprintf took 1,650 instructions for each */
    out[0] = (char)('0' + yy / 1000);
    out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10);
    out[3] = (char)('0' + yy % 10);
    out[4] = '-';
    out[5] = (char)('0' + mm / 10);
    out[6] = (char)('0' + mm % 10);
    out[7] = '-';
    out[8] = (char)('0' + dd / 10);
    out[9] = (char)('0' + dd % 10);
    out[10] = '\0';
}

void schema_norm_gender(const char *s, size_t len, struct buf *out)
{
    char k[32];
    trim(&s, &len);
    squash(s, len < sizeof k ? len : sizeof k - 1, k, sizeof k);
    if (!strcmp(k, "m") || !strcmp(k, "male") || !strcmp(k, "man"))
        buf_puts(out, "Male");
    else if (!strcmp(k, "f") || !strcmp(k, "female") || !strcmp(k, "woman"))
        buf_puts(out, "Female");
    else if (!strcmp(k, "nonbinary") || !strcmp(k, "nb") || !strcmp(k, "enby"))
        buf_puts(out, "Non-binary");
    else if (!k[0] || !strcmp(k, "unknown") || !strcmp(k, "na") || !strcmp(k, "none") ||
             !strcmp(k, "null") || !strcmp(k, "unspecified") || !strcmp(k, "notspecified"))
        buf_puts(out, "Unknown"); /* SPEC §1: empty → Unknown, shown and filterable */
    else
        buf_puts(out, "Other");
}

void schema_norm_platform(const char *s, size_t len, struct buf *out)
{
    static const struct {
        const char *key, *name;
    } known[] = {
        {"instagram", "Instagram"}, {"ig", "Instagram"},     {"insta", "Instagram"},
        {"youtube", "YouTube"},     {"yt", "YouTube"},       {"x", "Twitter"},
        {"twitter", "Twitter"},     {"xtwitter", "Twitter"}, {"twitterx", "Twitter"},
        {"facebook", "Facebook"},   {"fb", "Facebook"},      {"tiktok", "TikTok"},
        {"linkedin", "LinkedIn"},   {"threads", "Threads"},  {"snapchat", "Snapchat"},
        {"pinterest", "Pinterest"},
    };
    char k[64];
    trim(&s, &len);
    if (len < sizeof k) {
        squash(s, len, k, sizeof k);
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (!strcmp(k, known[i].key)) {
                buf_puts(out, known[i].name);
                return;
            }
    }
    buf_append(out, s, len);
}

void schema_norm_basis(const char *s, size_t len, struct buf *out)
{
    static const struct {
        const char *key, *name;
    } known[] = {
        {"post", "post"},
        {"perpost", "post"},
        {"posts", "post"},
        {"order", "order"},
        {"perorder", "order"},
        {"orders", "order"},
        {"sale", "order"},
        {"sales", "order"},
        {"persale", "order"},
        {"cpa", "order"},
        {"revenueshare", "revenue_share"},
        {"revshare", "revenue_share"},
        {"commission", "revenue_share"},
        {"percentage", "revenue_share"},
        {"flat", "flat"},
        {"fixed", "flat"},
        {"flatfee", "flat"},
        {"hybrid", "hybrid"},
    };
    char k[64];
    trim(&s, &len);
    if (len < sizeof k) {
        squash(s, len, k, sizeof k);
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (!strcmp(k, known[i].key)) {
                buf_puts(out, known[i].name);
                return;
            }
    }
    for (size_t i = 0; i < len; i++)
        buf_putc(out, (char)tolower((unsigned char)s[i]));
}

void schema_norm_status(const char *s, size_t len, struct buf *out)
{
    trim(&s, &len);
    if (squash_eq(s, len, "paid") || squash_eq(s, len, "completed") || squash_eq(s, len, "done"))
        buf_puts(out, "Paid");
    else if (squash_eq(s, len, "pending") || squash_eq(s, len, "unpaid") ||
             squash_eq(s, len, "due"))
        buf_puts(out, "Pending");
    else if (len) {
        buf_putc(out, (char)toupper((unsigned char)s[0]));
        buf_append(out, s + 1, len - 1);
    }
}

void schema_norm_brand(const char *s, size_t len, struct buf *out)
{
    /* A brand spelled as we store it stays as it is (the common case, checked first). */
    static const char *const canonical[] = {"MuscleBlaze", "HKVitals", "Gritzo"};
    for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++)
        if (len == strlen(canonical[i]) && !memcmp(s, canonical[i], len)) {
            buf_append(out, s, len);
            return;
        }
    char k[64];
    squash(s, len < sizeof k ? len : sizeof k - 1, k, sizeof k);
    const char *b = NULL;
    if (!strcmp(k, "muscleblaze") || !strcmp(k, "mb") || !strcmp(k, "hkvitals") ||
        !strcmp(k, "hkv") || !strcmp(k, "gritzo") || !strcmp(k, "gz"))
        b = schema_brand_in(s, len);
    if (b)
        buf_puts(out, b);
    else
        buf_append(out, s, len);
}

const char *schema_brand_in(const char *s, size_t len)
{
    /* Full names anywhere in the text (case-insensitive); short codes only as whole
     * tokens, so that "MB Protein" and "HKV_GlowUp" count but "Kombucha" does not. */
    char low[512];
    size_t n = len < sizeof low - 1 ? len : sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[n] = '\0';
    if (strstr(low, "muscleblaze") || strstr(low, "muscle blaze"))
        return "MuscleBlaze";
    if (strstr(low, "hkvital") || strstr(low, "hk vital") || strstr(low, "hk_vital"))
        return "HKVitals";
    if (strstr(low, "gritzo"))
        return "Gritzo";
    size_t i = 0;
    while (i < n) {
        while (i < n && !isalnum((unsigned char)low[i]))
            i++;
        size_t st = i;
        while (i < n && isalnum((unsigned char)low[i]))
            i++;
        size_t tl = i - st;
        if (tl == 2 && !memcmp(low + st, "mb", 2))
            return "MuscleBlaze";
        if (tl == 3 && !memcmp(low + st, "hkv", 3))
            return "HKVitals";
        if (tl == 2 && !memcmp(low + st, "gz", 2))
            return "Gritzo";
    }
    return NULL;
}

int schema_parse_flag(const char *s, size_t len, int64_t *out)
{
    trim(&s, &len);
    if (squash_eq(s, len, "1") || squash_eq(s, len, "true") || squash_eq(s, len, "yes") ||
        squash_eq(s, len, "y") || squash_eq(s, len, "return") || squash_eq(s, len, "returned") ||
        squash_eq(s, len, "refund") || squash_eq(s, len, "refunded")) {
        *out = 1;
        return 0;
    }
    if (len == 0 || squash_eq(s, len, "0") || squash_eq(s, len, "false") ||
        squash_eq(s, len, "no") || squash_eq(s, len, "n")) {
        *out = 0;
        return 0;
    }
    return -1;
}

void schema_format_int(enum col_kind kind, int64_t v, struct buf *out)
{
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    const char *sign = v < 0 ? "-" : "";
    if (kind == COL_MONEY) {
        buf_printf(out, "%s%llu.%02llu", sign, (unsigned long long)(a / 100),
                   (unsigned long long)(a % 100));
    } else if (kind == COL_RATE) {
        char frac[8];
        snprintf(frac, sizeof frac, "%06llu", (unsigned long long)(a % 1000000));
        int n = 6;
        while (n > 0 && frac[n - 1] == '0')
            frac[--n] = '\0';
        if (n)
            buf_printf(out, "%s%llu.%s", sign, (unsigned long long)(a / 1000000), frac);
        else
            buf_printf(out, "%s%llu", sign, (unsigned long long)(a / 1000000));
    } else {
        buf_printf(out, "%lld", (long long)v);
    }
}
