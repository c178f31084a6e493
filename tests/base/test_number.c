/* test_number.c — numbers typed into query parameters and options (issue 14, item 24): the
 * whole text is the number, so trailing text, a NUL inside, hex, inf and nan are refused;
 * plain decimals, exponents and surrounding spaces are read exactly as strtod reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "number.h"

#include "banned.h"

static void double_is(const char *s, size_t len, double want)
{
    double v = -12345;
    if (number_parse_double(s, len, &v) != 0)
        fail_msg("\"%.*s\" is refused", (int)len, s);
    if (v != want)
        fail_msg("\"%.*s\" reads as %.17g, want %.17g", (int)len, s, v, want);
}

static void double_refused(const char *s, size_t len)
{
    double v = -12345;
    if (number_parse_double(s, len, &v) == 0)
        fail_msg("\"%.*s\" is read as %.17g", (int)len, s, v);
    assert_true(v == -12345); /* untouched */
}

#define DOUBLE_IS(lit, want) double_is(lit, sizeof lit - 1, want)
#define DOUBLE_REFUSED(lit) double_refused(lit, sizeof lit - 1)

static void test_plain_decimals_are_read(void **state)
{
    (void)state;
    DOUBLE_IS("1", 1);
    DOUBLE_IS("1.5", 1.5);
    DOUBLE_IS(".5", 0.5);
    DOUBLE_IS("5.", 5);
    DOUBLE_IS("+2", 2);
    DOUBLE_IS("-0", 0);
    DOUBLE_IS("-2.25", -2.25);
    DOUBLE_IS("2e3", 2000);
    DOUBLE_IS("2E-1", 0.2);
    DOUBLE_IS("1e+2", 100);
    DOUBLE_IS(" 4 ", 4);
    DOUBLE_IS("\t4", 4);
    DOUBLE_IS("0.1", 0.1);
}

static void test_trailing_text_and_other_forms_are_refused(void **state)
{
    (void)state;
    DOUBLE_REFUSED("1\0abc"); /* min_roas=1%00abc once read as 1 */
    DOUBLE_REFUSED("1abc");
    DOUBLE_REFUSED("1 2");
    DOUBLE_REFUSED("1,5");
    DOUBLE_REFUSED("0x10");
    DOUBLE_REFUSED("0x1p3");
    DOUBLE_REFUSED("inf");
    DOUBLE_REFUSED("-infinity");
    DOUBLE_REFUSED("nan");
    double v;
    assert_int_equal(number_parse_double("1e999", 5, &v), -2); /* a decimal, not finite */
    DOUBLE_REFUSED("1e");
    DOUBLE_REFUSED("e5");
    DOUBLE_REFUSED(".");
    DOUBLE_REFUSED("+");
    DOUBLE_REFUSED("--1");
    DOUBLE_REFUSED("1..2");
    DOUBLE_REFUSED("");
    DOUBLE_REFUSED("   ");
    DOUBLE_REFUSED("1%");
    DOUBLE_REFUSED("\342\202\2715"); /* ₹5 */
    char long_number[80];
    memset(long_number, '1', sizeof long_number);
    double_refused(long_number, sizeof long_number); /* past 64 characters */
}

static void test_whole_numbers_are_digits_only(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_int_equal(number_parse_u64("42", 2, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(number_parse_u64(" 0 ", 3, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(number_parse_u64("18446744073709551615", 20, &v), 0);
    assert_true(v == UINT64_MAX);
    static const char *const bad[] = {
        "18446744073709551616", "-1", "+1", "1.0", "1e3", "0x10", "12abc", "", " ", "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        if (number_parse_u64(bad[i], strlen(bad[i]), &v) == 0)
            fail_msg("\"%s\" is read as %llu", bad[i], (unsigned long long)v);
        assert_int_equal(v, 7);
    }
    static const char five_nul_zero[] = {'5', '\0', '0'};
    assert_int_equal(number_parse_u64(five_nul_zero, sizeof five_nul_zero, &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_decimals_are_read),
        cmocka_unit_test(test_trailing_text_and_other_forms_are_refused),
        cmocka_unit_test(test_whole_numbers_are_digits_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
