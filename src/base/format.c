/* format.c — Indian number formatting (see format.h). Every value is first turned into an
 * unsigned count of its smallest printed unit (paise, tenths, whole rupees), rounded half
 * away from zero in integer arithmetic, and then printed digit by digit with lakh/crore
 * grouping, so no locale and no binary fraction can change a digit. Calls only libc. */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

/* Writes v with Indian grouping into dst (at least 32 bytes: 20 digits and 9 commas) and
 * returns its length. */
static size_t group_indian(char *dst, uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        int left = n - i; /* digits from here to the end */
        /* a comma before the last three digits, and before every second digit left of them */
        if (i > 0 && left >= 3 && (left == 3 || (left - 3) % 2 == 0))
            dst[len++] = ',';
        dst[len++] = digits[i];
    }
    dst[len] = '\0';
    return len;
}

static uint64_t pow10_u64(unsigned decimals)
{
    uint64_t p = 1;
    while (decimals-- > 0)
        p *= 10;
    return p;
}

/* Magnitude of v without overflow (INT64_MIN included). */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* n / d rounded half away from zero, for a magnitude n (n + d/2 cannot overflow: n <= 2^63). */
static uint64_t div_round(uint64_t n, uint64_t d)
{
    return n / d + (n % d >= d - d / 2 ? 1 : 0);
}

/* Prints a fixed-point magnitude: units counts 10^-decimals; the sign only when units != 0,
 * then prefix, the grouped whole part, the fraction and suffix. */
static int put_fixed(char *out, size_t size, int negative, uint64_t units, unsigned decimals,
                     const char *prefix, const char *suffix)
{
    uint64_t scale = pow10_u64(decimals);
    char whole[32];
    group_indian(whole, units / scale);
    char frac[24] = "";
    if (decimals > 0)
        snprintf(frac, sizeof frac, ".%0*llu", (int)decimals, (unsigned long long)(units % scale));
    return snprintf(out, size, "%s%s%s%s%s", negative && units != 0 ? "-" : "", prefix, whole, frac,
                    suffix);
}

int format_money(char *out, size_t size, int64_t paise, unsigned flags)
{
    const char *prefix = (flags & FORMAT_MONEY_NO_SYMBOL) ? "" : FORMAT_RUPEE;
    uint64_t mag = magnitude(paise);
    if (flags & FORMAT_MONEY_WHOLE)
        return put_fixed(out, size, paise < 0, div_round(mag, 100), 0, prefix, "");
    return put_fixed(out, size, paise < 0, mag, 2, prefix, "");
}

/* Prints tenths of a unit, dropping a ".0". */
static int put_tenths(char *out, size_t size, int negative, uint64_t tenths, const char *suffix)
{
    if (tenths % 10 == 0)
        return put_fixed(out, size, negative, tenths / 10, 0, FORMAT_RUPEE, suffix);
    return put_fixed(out, size, negative, tenths, 1, FORMAT_RUPEE, suffix);
}

int format_money_compact(char *out, size_t size, int64_t paise)
{
    const uint64_t lakh = 100000 * 100ULL, crore = 100 * lakh; /* in paise */
    uint64_t mag = magnitude(paise);
    int negative = paise < 0;
    uint64_t rupees = div_round(mag, 100);
    if (rupees < 100000)
        return put_fixed(out, size, negative, rupees, 0, FORMAT_RUPEE, "");
    uint64_t tenths_of_lakh = div_round(mag, lakh / 10);
    if (tenths_of_lakh < 1000)
        return put_tenths(out, size, negative, tenths_of_lakh, " lakh");
    return put_tenths(out, size, negative, div_round(mag, crore / 10), " crore");
}

int format_int(char *out, size_t size, int64_t v)
{
    return put_fixed(out, size, v < 0, magnitude(v), 0, "", "");
}

/* v × 10^decimals rounded half away from zero, printed with decimals places. */
static int put_double(char *out, size_t size, double v, unsigned decimals, const char *suffix)
{
    double scaled = v * (double)pow10_u64(decimals);
    if (!isfinite(scaled))
        return snprintf(out, size, "n/a");
    /* Beyond int64 llround is undefined; a ratio of 10^17 or more only shows a data error,
     * so it is not printed as a number. */
    if (fabs(scaled) >= 9.0e18)
        return snprintf(out, size, "n/a");
    long long units = llround(scaled);
    return put_fixed(out, size, units < 0, magnitude(units), decimals, "", suffix);
}

int format_ratio(char *out, size_t size, double v)
{
    return put_double(out, size, v, 2, "");
}

int format_multiple(char *out, size_t size, double v)
{
    return put_double(out, size, v, 1, "");
}

int format_percent(char *out, size_t size, double fraction, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 3)
        decimals = 3;
    return put_double(out, size, fraction * 100.0, (unsigned)decimals, " %");
}

void format_utc_time(int64_t t, char out[FORMAT_TIME_MAX])
{
    out[0] = '\0';
    if (t <= 0)
        return;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return;
    strftime(out, FORMAT_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int format_double(char *out, size_t size, double v)
{
    if (!isfinite(v)) {
        if (size > 0)
            out[0] = '\0';
        return 0;
    }
    char tmp[40];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* a locale with a decimal comma must not change the text */
    for (int i = 0; i < n; i++)
        if (tmp[i] == ',')
            tmp[i] = '.';
    return snprintf(out, size, "%s", tmp);
}
