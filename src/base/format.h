/* format.h — numbers as an Indian reader expects them in sentences and reports: rupees from
 * paise with lakh/crore digit grouping (₹12,34,567.89), compact amounts (₹12.3 lakh),
 * grouped integers, one-decimal ratios and percentages, full-precision doubles for files,
 * and a timestamp as ISO 8601 UTC. Pure functions over snprintf with integer rounding, so
 * nothing depends on the C locale. Calls nothing but libc.
 *
 * Conventions (one style everywhere, so reports and the UI agree):
 * - Grouping: the last three digits, then groups of two: 1,00,000 (one lakh),
 *   1,00,00,000 (one crore).
 * - Rounding: half away from zero (₹0.50 → ₹1, −₹0.50 → −₹1).
 * - Negative amounts: an ASCII hyphen-minus before the sign: "-₹1,234.00" (ASCII, so CSV and
 *   XLSX readers and PDF base fonts take it); a value that rounds to zero has no sign.
 * - Percentages: a space before the sign, as in SPEC §3: "150 %".
 *
 * Every function writes into out (size bytes, always NUL-terminated when size > 0) and
 * returns the length of the full text, like snprintf: a return >= size means it was cut.
 * FORMAT_MAX bytes always suffice. */
#ifndef INFLUDASH_FORMAT_H
#define INFLUDASH_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define FORMAT_MAX 64

/* The rupee sign, U+20B9, in UTF-8. */
#define FORMAT_RUPEE "\xe2\x82\xb9"

enum format_money_flags {
    FORMAT_MONEY_WHOLE = 1,     /* no decimals: ₹12,34,568 (rounded half away from zero) */
    FORMAT_MONEY_NO_SYMBOL = 2, /* no ₹: 12,34,567.89 (for cells with their own currency) */
};

/* Paise as rupees with Indian grouping: 123456789 → "₹12,34,567.89"; flags from
 * enum format_money_flags, or 0. INT64_MIN and INT64_MAX format exactly. */
int format_money(char *out, size_t size, int64_t paise, unsigned flags);

/* Paise as a short amount for sentences, rounded half away from zero:
 *   below ₹1 lakh (after rounding to whole rupees): "₹4,500";
 *   below ₹1 crore: tenths of a lakh, "₹12.3 lakh";
 *   from ₹1 crore: tenths of a crore with grouping, "₹1.2 crore", "₹1,234.5 crore".
 * A unit is chosen by the rounded value (₹99,999.99 → "₹1 lakh", ₹99.96 lakh → "₹1 crore")
 * and a ".0" is dropped ("₹1 lakh", "₹100 crore"). Negatives as in format_money. */
int format_money_compact(char *out, size_t size, int64_t paise);

/* An integer with Indian grouping: 1234567 → "12,34,567", -1000 → "-1,000". */
int format_int(char *out, size_t size, int64_t v);

/* A ratio (ROAS, iROAS) with two decimals and grouping, as the web app shows it (a figure
 * reads the same on every page and report): 6.255 → "6.26", 1234.5 → "1,234.50", -0.004 →
 * "0.00". NaN, infinities (which callers should never pass: a ratio without a denominator is
 * null, see engine_ratio) and magnitudes past int64 once scaled (9·10^16 and more) give "n/a". */
int format_ratio(char *out, size_t size, double v);

/* A multiple of one figure over another ("2.5× Instagram") with one decimal and grouping:
 * 2.54 → "2.5", 1234.5 → "1,234.5". Non-numbers as format_ratio. */
int format_multiple(char *out, size_t size, double v);

/* A fraction as a percentage with `decimals` places (0 to 3, clamped): (1.5, 0) → "150 %",
 * (0.0123, 1) → "1.2 %", grouped like format_int ("1,500 %"). Non-numbers as format_ratio. */
int format_percent(char *out, size_t size, double fraction, int decimals);

/* A double at full precision, for files read by programs (JSON, CSV): the shortest of
 * %.15g, %.16g and %.17g that reads back as exactly v (0.1 → "0.1", 1/3 →
 * "0.3333333333333333"), with '.' as the decimal point whatever the locale. Not finite:
 * "" (callers write null or an empty cell). */
int format_double(char *out, size_t size, double v);

/* Enough for format_utc_time's text and its NUL. */
#define FORMAT_TIME_MAX 32

/* Seconds since the epoch as ISO 8601 UTC, "2025-03-01T09:30:00Z"; "" for t <= 0 (never
 * set) or a time gmtime_r cannot break down. */
void format_utc_time(int64_t t, char out[FORMAT_TIME_MAX]);

#endif
