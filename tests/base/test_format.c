/* test_format.c — Indian number formatting: lakh/crore grouping at every boundary, rounding
 * half away from zero, the compact forms and their unit changes, negatives, int64 extremes,
 * truncation into a short buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

#include "banned.h"

#define R FORMAT_RUPEE

static void money_is(int64_t paise, unsigned flags, const char *want)
{
    char out[FORMAT_MAX];
    int n = format_money(out, sizeof out, paise, flags);
    if (strcmp(out, want) != 0)
        fail_msg("format_money(%lld, %u) = \"%s\", want \"%s\"", (long long)paise, flags, out,
                 want);
    assert_int_equal(n, (int)strlen(want));
}

static void compact_is(int64_t paise, const char *want)
{
    char out[FORMAT_MAX];
    int n = format_money_compact(out, sizeof out, paise);
    if (strcmp(out, want) != 0)
        fail_msg("format_money_compact(%lld) = \"%s\", want \"%s\"", (long long)paise, out, want);
    assert_int_equal(n, (int)strlen(want));
}

static void int_is(int64_t v, const char *want)
{
    char out[FORMAT_MAX];
    format_int(out, sizeof out, v);
    if (strcmp(out, want) != 0)
        fail_msg("format_int(%lld) = \"%s\", want \"%s\"", (long long)v, out, want);
}

static void ratio_is(double v, const char *want)
{
    char out[FORMAT_MAX];
    format_ratio(out, sizeof out, v);
    if (strcmp(out, want) != 0)
        fail_msg("format_ratio(%.17g) = \"%s\", want \"%s\"", v, out, want);
}

static void multiple_is(double v, const char *want)
{
    char out[FORMAT_MAX];
    format_multiple(out, sizeof out, v);
    if (strcmp(out, want) != 0)
        fail_msg("format_multiple(%.17g) = \"%s\", want \"%s\"", v, out, want);
}

static void percent_is(double v, int decimals, const char *want)
{
    char out[FORMAT_MAX];
    format_percent(out, sizeof out, v, decimals);
    if (strcmp(out, want) != 0)
        fail_msg("format_percent(%.17g, %d) = \"%s\", want \"%s\"", v, decimals, out, want);
}

static void test_money_groups_lakhs_and_crores(void **state)
{
    (void)state;
    money_is(0, 0, R "0.00");
    money_is(5, 0, R "0.05");
    money_is(99999, 0, R "999.99");
    money_is(100000, 0, R "1,000.00");
    money_is(9999999, 0, R "99,999.99");
    money_is(10000000, 0, R "1,00,000.00");           /* 1 lakh */
    money_is(990000000, 0, R "99,00,000.00");         /* 99 lakh */
    money_is(1000000000, 0, R "1,00,00,000.00");      /* 1 crore */
    money_is(100000000000, 0, R "1,00,00,00,000.00"); /* 100 crore */
    money_is(123456789, 0, R "12,34,567.89");
}

static void test_money_whole_rounds_half_away_from_zero(void **state)
{
    (void)state;
    money_is(123456789, FORMAT_MONEY_WHOLE, R "12,34,568");
    money_is(123456749, FORMAT_MONEY_WHOLE, R "12,34,567");
    money_is(50, FORMAT_MONEY_WHOLE, R "1");
    money_is(49, FORMAT_MONEY_WHOLE, R "0");
    money_is(-50, FORMAT_MONEY_WHOLE, "-" R "1");
    money_is(-49, FORMAT_MONEY_WHOLE, R "0"); /* rounds to zero: no sign */
    money_is(9999999, FORMAT_MONEY_WHOLE, R "1,00,000");
    money_is(123456789, FORMAT_MONEY_WHOLE | FORMAT_MONEY_NO_SYMBOL, "12,34,568");
    money_is(123456789, FORMAT_MONEY_NO_SYMBOL, "12,34,567.89");
}

static void test_money_negatives_and_int64_extremes(void **state)
{
    (void)state;
    money_is(-123400, 0, "-" R "1,234.00");
    money_is(-1, 0, "-" R "0.01");
    money_is(INT64_MAX, 0, R "92,23,37,20,36,85,47,758.07");
    money_is(INT64_MIN, 0, "-" R "92,23,37,20,36,85,47,758.08");
    money_is(INT64_MAX, FORMAT_MONEY_WHOLE, R "92,23,37,20,36,85,47,758");
    money_is(INT64_MIN, FORMAT_MONEY_WHOLE, "-" R "92,23,37,20,36,85,47,758");
}

static void test_compact_switches_units_on_the_rounded_value(void **state)
{
    (void)state;
    compact_is(0, R "0");
    compact_is(450000, R "4,500");
    compact_is(9999949, R "99,999"); /* ₹99,999.49 */
    compact_is(9999999, R "1 lakh"); /* ₹99,999.99 rounds to one lakh */
    compact_is(10000000, R "1 lakh");
    compact_is(123000000, R "12.3 lakh");
    compact_is(123456789, R "12.3 lakh");
    compact_is(124500000, R "12.5 lakh"); /* ₹12.45 lakh: half away from zero */
    compact_is(990000000, R "99 lakh");
    compact_is(999400000, R "99.9 lakh");
    compact_is(999600000, R "1 crore"); /* ₹99.96 lakh */
    compact_is(1000000000, R "1 crore");
    compact_is(1200000000, R "1.2 crore");
    compact_is(100000000000, R "100 crore");
    compact_is(1234567000000000, R "12,34,567 crore");
    compact_is(-450000, "-" R "4,500");
    compact_is(-123000000, "-" R "12.3 lakh");
    compact_is(-40, R "0");
    compact_is(INT64_MAX, R "9,22,33,72,036.9 crore");
    compact_is(INT64_MIN, "-" R "9,22,33,72,036.9 crore");
}

static void test_integers_group_like_money(void **state)
{
    (void)state;
    int_is(0, "0");
    int_is(999, "999");
    int_is(1000, "1,000");
    int_is(99999, "99,999");
    int_is(100000, "1,00,000");
    int_is(1234567, "12,34,567");
    int_is(-1000, "-1,000");
    int_is(INT64_MAX, "92,23,37,20,36,85,47,75,807");
    int_is(INT64_MIN, "-92,23,37,20,36,85,47,75,808");
}

static void test_ratios_and_percentages(void **state)
{
    (void)state;
    /* two decimals, as the web app shows ROAS (issue 21: a figure reads the same everywhere) */
    ratio_is(6.2, "6.20");
    ratio_is(3.0589, "3.06");
    ratio_is(6.255, "6.26");
    ratio_is(0.0, "0.00");
    ratio_is(-0.004, "0.00");
    ratio_is(-0.255, "-0.26");
    ratio_is(1234.5, "1,234.50");
    ratio_is(NAN, "n/a");
    ratio_is(INFINITY, "n/a");
    ratio_is(1e30, "n/a");
    multiple_is(2.54, "2.5");
    multiple_is(1234.5, "1,234.5");
    multiple_is(NAN, "n/a");
    percent_is(1.5, 0, "150 %");
    percent_is(0.41, 0, "41 %");
    percent_is(0.005, 0, "1 %");
    percent_is(0.0123, 1, "1.2 %");
    percent_is(-0.25, 0, "-25 %");
    percent_is(15.0, 0, "1,500 %");
    percent_is(0.1234, 9, "12.340 %"); /* decimals capped at 3 */
    percent_is(NAN, 0, "n/a");
}

static void test_short_buffer_is_cut_and_terminated(void **state)
{
    (void)state;
    char out[6];
    int n = format_money(out, sizeof out, 123456789, 0);
    assert_int_equal(n, (int)strlen(R "12,34,567.89"));
    assert_int_equal(strlen(out), sizeof out - 1);
    assert_int_equal(format_int(NULL, 0, 1234567), 9); /* size 0: only the length */
}

/* A timestamp as ISO 8601 UTC, and "" for one never set (0 or negative). */
static void test_utc_time_is_iso_8601_or_empty(void **state)
{
    (void)state;
    char out[FORMAT_TIME_MAX];
    format_utc_time(1740821400, out);
    assert_string_equal(out, "2025-03-01T09:30:00Z");
    format_utc_time(1, out);
    assert_string_equal(out, "1970-01-01T00:00:01Z");
    format_utc_time(0, out);
    assert_string_equal(out, "");
    format_utc_time(-5, out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_groups_lakhs_and_crores),
        cmocka_unit_test(test_money_whole_rounds_half_away_from_zero),
        cmocka_unit_test(test_money_negatives_and_int64_extremes),
        cmocka_unit_test(test_compact_switches_units_on_the_rounded_value),
        cmocka_unit_test(test_integers_group_like_money),
        cmocka_unit_test(test_ratios_and_percentages),
        cmocka_unit_test(test_short_buffer_is_cut_and_terminated),
        cmocka_unit_test(test_utc_time_is_iso_8601_or_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
