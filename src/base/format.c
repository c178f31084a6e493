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

/* The reference way: the first of %.15g, %.16g, %.17g that strtod reads back as v. Used for
 * the doubles the exact path below leaves out (subnormals, tiny and huge magnitudes). */
static int format_double_by_printf(char tmp[40], double v)
{
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, 40, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* a locale with a decimal comma must not change the text */
    for (int i = 0; i < n; i++)
        if (tmp[i] == ',')
            tmp[i] = '.';
    return n;
}

#ifdef __SIZEOF_INT128__
/* The exact path. A finite double is m × 2^e with integers m < 2^53 and e, so v × 10^k is a
 * fraction a / b of integers; for |v| from about 10^-6 to 10^38 both fit in 128 bits and
 * every step below is exact integer arithmetic: the 17 leading digits q and the remainder r
 * (v × 10^k = q + r / b), their rounding to 15, 16 or 17 digits half to even (as printf
 * rounds), and whether strtod would read the rounded digits back as v (the decimal lies
 * inside v's rounding interval, ties going to the even mantissa, as strtod rounds). */
__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10_table[20] = {1,
                                         10,
                                         100,
                                         1000,
                                         10000,
                                         100000,
                                         1000000,
                                         10000000,
                                         100000000,
                                         1000000000,
                                         10000000000,
                                         100000000000,
                                         1000000000000,
                                         10000000000000,
                                         100000000000000,
                                         1000000000000000,
                                         10000000000000000,
                                         100000000000000000,
                                         1000000000000000000,
                                         10000000000000000000u};

/* 10^k for 0 <= k <= 38. */
static u128 pow10_u128(int k)
{
    if (k <= 19)
        return pow10_table[k];
    return (u128)pow10_table[19] * pow10_table[k - 19];
}

/* v × 10^k = q + r / b exactly, with 10^16 <= q < 10^17, and u = ulp(v) × 10^k × b (the
 * distance to v's upper neighbour in units of 1/b). */
struct scaled {
    uint64_t q;
    u128 r, b, u;
};

/* Scales m × 2^e by 10^k into s; -1 when a, b or the digits would not fit (or q is not 17
 * digits: the caller then tries k - 1, or gives up). */
static int scale_exact(uint64_t m, int e, int k, struct scaled *s)
{
    u128 a, q;
    if (k >= 0 && e >= 0) {
        if (k > 4 || e > 60) /* a < 2^53 × 2^60 × 10^4 < 2^127 */
            return -1;
        u128 p = pow10_u128(k);
        a = ((u128)m << e) * p;
        s->b = 1;
        s->u = p << e;
        q = a;
        s->r = 0;
    } else if (k >= 0) {
        if (k > 22 || e < -100) /* a < 2^53 × 10^22 < 2^127, b <= 2^100 */
            return -1;
        u128 p = pow10_u128(k);
        int shift = -e;
        a = (u128)m * p;
        s->b = (u128)1 << shift;
        s->u = p;
        q = a >> shift;
        s->r = a & (s->b - 1);
    } else {
        if (k < -22 || e < 0 || e > 73) /* a < 2^126, b <= 10^22 */
            return -1;
        a = (u128)m << e;
        s->b = pow10_u128(-k);
        s->u = (u128)1 << e;
        q = a / s->b;
        s->r = a - q * s->b;
    }
    if (q < pow10_table[16] || q >= pow10_table[17])
        return -1;
    s->q = (uint64_t)q;
    return 0;
}

/* s rounded to p significant digits (15 to 17), half to even, scaled back by 10^(17-p). */
static uint64_t round_digits(const struct scaled *s, int p)
{
    uint64_t unit = pow10_table[17 - p];
    uint64_t head = s->q / unit, low = s->q % unit;
    int above; /* the dropped part against half a unit: -1 below, 0 the half, 1 above */
    if (unit == 1)
        above = (s->r << 1) < s->b ? -1 : (s->r << 1) > s->b;
    else if (low != unit / 2)
        above = low < unit / 2 ? -1 : 1;
    else
        above = s->r != 0;
    if (above > 0 || (above == 0 && (head & 1)))
        head++;
    return head * unit;
}

/* Whether strtod reads digits (v × 10^k rounded, scaled like s->q) back as v = m × 2^e:
 * within half the gap to v's neighbour on that side, or exactly half with m even. Below a
 * power of two (m = 2^52) the lower gap is half the upper one. */
static int reads_back(const struct scaled *s, uint64_t digits, uint64_t m)
{
    u128 dist; /* |digits - v × 10^k| × b */
    int below;
    if (digits > s->q) {
        dist = (u128)(digits - s->q) * s->b - s->r;
        below = 0;
    } else {
        dist = (u128)(s->q - digits) * s->b + s->r;
        below = dist != 0;
    }
    u128 twice = dist << (below && m == (1ULL << 52) ? 2 : 1);
    return twice < s->u || (twice == s->u && (m & 1) == 0);
}

/* Writes the p-digit value n × 10^(x-p+1) as printf's %.{p}g does: style e when x < -4 or
 * x >= p, trailing zeros (and a bare point) dropped, the exponent signed with two digits or
 * more. Returns the length. */
static int put_g(char *dst, int negative, uint64_t n, int p, int x)
{
    char digits[20];
    int count = p;
    while (n % 10 == 0 && count > 1) {
        n /= 10;
        count--;
    }
    for (int i = count - 1; i >= 0; i--) {
        digits[i] = (char)('0' + n % 10);
        n /= 10;
    }
    char *o = dst;
    if (negative)
        *o++ = '-';
    if (x < -4 || x >= p) {
        *o++ = digits[0];
        if (count > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)count - 1);
            o += count - 1;
        }
        *o++ = 'e';
        *o++ = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        if (ax >= 100)
            *o++ = (char)('0' + ax / 100);
        *o++ = (char)('0' + ax / 10 % 10);
        *o++ = (char)('0' + ax % 10);
    } else if (x >= 0) {
        for (int i = 0; i <= x; i++)
            *o++ = i < count ? digits[i] : '0';
        if (count > x + 1) {
            *o++ = '.';
            memcpy(o, digits + x + 1, (size_t)(count - x - 1));
            o += count - x - 1;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)count);
        o += count;
    }
    *o = '\0';
    return (int)(o - dst);
}

/* v (finite) as format_double_by_printf writes it, or -1 when v is outside the exact path. */
static int format_double_exact(char tmp[40], double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int negative = (int)(bits >> 63);
    int biased = (int)(bits >> 52 & 0x7ff);
    if (bits << 1 == 0) /* 0 and -0, as %.15g writes them */
        return put_g(tmp, negative, 0, 1, 0);
    if (biased == 0) /* subnormal */
        return -1;
    uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int e = biased - 1075;  /* v = m × 2^e */
    int e2 = biased - 1023; /* 2^e2 <= |v| < 2^(e2+1) */
    if (e2 < -40 || e2 > 126)
        return -1;
    /* floor(e2 × log10 2) (78913 / 2^18 is close enough for |e2| < 1650), so that the
     * decimal exponent of v is that or one more */
    int x = e2 >= 0 ? (e2 * 78913) >> 18 : -((-e2 * 78913 + (1 << 18) - 1) >> 18);
    struct scaled s;
    if (scale_exact(m, e, 16 - x, &s) != 0) {
        x++;
        if (scale_exact(m, e, 16 - x, &s) != 0)
            return -1;
    }
    for (int p = 15; p <= 17; p++) {
        uint64_t digits = round_digits(&s, p);
        if (p < 17 && !reads_back(&s, digits, m))
            continue;
        /* 17 digits always read back; rounding up may carry into an 18th */
        int carry = digits == pow10_table[17];
        uint64_t unit = pow10_table[17 - p];
        uint64_t n = carry ? pow10_table[p - 1] : digits / unit;
        return put_g(tmp, negative, n, p, x + carry);
    }
    return -1;
}
#endif

int format_double(char *out, size_t size, double v)
{
    if (!isfinite(v)) {
        if (size > 0)
            out[0] = '\0';
        return 0;
    }
    char tmp[40];
    int n = -1;
#ifdef __SIZEOF_INT128__
    n = format_double_exact(tmp, v);
#endif
    if (n < 0)
        n = format_double_by_printf(tmp, v);
    if (size > 0) {
        size_t keep = (size_t)n < size ? (size_t)n : size - 1;
        memcpy(out, tmp, keep);
        out[keep] = '\0';
    }
    return n;
}
