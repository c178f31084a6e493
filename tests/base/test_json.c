/* test_json.c — the streaming JSON writer: escaping (control characters, HTML-unsafe
 * characters, invalid UTF-8), commas and nesting, money and double formatting, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#include "banned.h"

/* Serialises one string value and compares the output. */
static void assert_str_json(const char *in, size_t len, const char *want)
{
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    assert_int_equal(json_strn(&j, in, len), 0);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), want);
    buf_release(&out);
}

#define STR_JSON(lit, want) assert_str_json(lit, sizeof(lit) - 1, want)

static void escapes_quotes_backslash_and_short_forms(void **state)
{
    (void)state;
    STR_JSON("plain", "\"plain\"");
    STR_JSON("", "\"\"");
    STR_JSON("say \"hi\"", "\"say \\\"hi\\\"\"");
    STR_JSON("C:\\dir", "\"C:\\\\dir\"");
    STR_JSON("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
    STR_JSON("slash/stays", "\"slash/stays\"");
}

static void escapes_other_control_chars_as_u00xx(void **state)
{
    (void)state;
    STR_JSON("\x01", "\"\\u0001\"");
    STR_JSON("a\037b", "\"a\\u001fb\""); /* octal: "\x1fb" would be one escape */
    STR_JSON("\x7f", "\"\\u007f\"");
    /* An embedded NUL is data when a length is given. */
    STR_JSON("x\0y", "\"x\\u0000y\"");
}

static void escapes_html_specials_so_script_cannot_close(void **state)
{
    (void)state;
    STR_JSON("</script><script>alert(1)</script>",
             "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
    STR_JSON("<!-- & -->", "\"\\u003c!-- \\u0026 --\\u003e\"");
    STR_JSON("\xE2\x80\xA8\xE2\x80\xA9", "\"\\u2028\\u2029\"");
}

static void keeps_valid_utf8(void **state)
{
    (void)state;
    STR_JSON("₹4,500 café 日本 😀", "\"₹4,500 café 日本 😀\"");
    STR_JSON("\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\""); /* U+10FFFF */
}

static void replaces_invalid_utf8_with_replacement_char(void **state)
{
    (void)state;
    /* Stray continuation byte, Latin-1 byte, bytes that never occur. (U+FFFD is EF BF BD,
     * octal 357 277 275.) */
    STR_JSON("a\200b", "\"a\357\277\275b\""); /* octal, as above */
    STR_JSON("caf\xE9", "\"caf\xEF\xBF\xBD\"");
    STR_JSON("\xFF\xFE", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    /* Overlong '/' (C0 AF) and overlong 3-byte form: each byte is its own subpart. */
    STR_JSON("\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    STR_JSON("\xE0\x80\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    /* A UTF-16 surrogate encoded in UTF-8, and a code point above U+10FFFF. */
    STR_JSON("\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    STR_JSON("\xF4\x90\x80\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    /* A truncated sequence is one maximal subpart: one U+FFFD, then the next character. */
    STR_JSON("\342\202A", "\"\357\277\275A\"");
    STR_JSON("end\xF0\x9F\x98", "\"end\xEF\xBF\xBD\"");
    /* An invalid byte next to something escaped. */
    STR_JSON("\x80<", "\"\xEF\xBF\xBD\\u003c\"");
}

static void null_string_is_null(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    assert_int_equal(json_str(&j, NULL), 0);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), "null");
    buf_release(&out);
}

static void places_commas_in_nested_containers(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_obj_begin(&j);
    json_kv_str(&j, "a", "x");
    json_key(&j, "list");
    json_arr_begin(&j);
    json_int(&j, 1);
    json_arr_begin(&j);
    json_arr_end(&j);
    json_obj_begin(&j);
    json_obj_end(&j);
    json_obj_begin(&j);
    json_kv_null(&j, "n");
    json_kv_bool(&j, "t", true);
    json_kv_bool(&j, "f", false);
    json_obj_end(&j);
    json_arr_end(&j);
    json_key(&j, "empty");
    json_obj_begin(&j);
    json_obj_end(&j);
    json_kv_int(&j, "last", -7);
    json_obj_end(&j);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), "{\"a\":\"x\",\"list\":[1,[],{},{\"n\":null,\"t\":true,"
                                        "\"f\":false}],\"empty\":{},\"last\":-7}");
    buf_release(&out);
}

static void escapes_keys_too(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_obj_begin(&j);
    json_kv_int(&j, "a\"<b>", 1);
    json_obj_end(&j);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), "{\"a\\\"\\u003cb\\u003e\":1}");
    buf_release(&out);
}

static void writes_int64_extremes(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_arr_begin(&j);
    json_int(&j, 0);
    json_int(&j, INT64_MAX);
    json_int(&j, INT64_MIN);
    json_arr_end(&j);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), "[0,9223372036854775807,-9223372036854775808]");
    buf_release(&out);
}

static void formats_money_with_two_decimals(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_arr_begin(&j);
    json_money(&j, 150616);
    json_money(&j, -5);
    json_money(&j, 0);
    json_money(&j, 100);
    json_money(&j, -150616);
    json_money(&j, 7);
    json_money(&j, -100);
    json_money(&j, INT64_MIN);
    json_money(&j, INT64_MAX);
    json_arr_end(&j);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), "[1506.16,-0.05,0.00,1.00,-1506.16,0.07,-1.00,"
                                        "-92233720368547758.08,92233720368547758.07]");
    buf_release(&out);
}

static void formats_doubles_shortest_round_trip(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_arr_begin(&j);
    json_double(&j, 0.1);
    json_double(&j, 1.5);
    json_double(&j, 3);
    json_double(&j, -2.25);
    json_double(&j, 1.0 / 3.0);
    json_double(&j, 1e21);
    json_double(&j, 5e-324);
    json_double(&j, NAN);
    json_double(&j, INFINITY);
    json_double(&j, -INFINITY);
    json_arr_end(&j);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), "[0.1,1.5,3,-2.25,0.3333333333333333,1e+21,"
                                        "4.94065645841247e-324,null,null,null]");
    buf_release(&out);
}

static void doubles_read_back_exactly(void **state)
{
    (void)state;
    const double values[] = {0.1 + 0.2, 123456.789, 2.0 / 3.0, 1e-7, 9007199254740993.0, -0.000123};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        struct buf out = BUF_INIT;
        struct json j;
        json_init(&j, &out);
        json_double(&j, values[i]);
        assert_int_equal(json_finish(&j, NULL), 0);
        assert_true(strtod(buf_cstr(&out), NULL) == values[i]);
        buf_release(&out);
    }
}

static void raw_values_are_placed_with_commas(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    json_arr_begin(&j);
    json_raw(&j, "{\"k\":\"v\"}", 9);
    json_raw(&j, "[1]", 3);
    json_arr_end(&j);
    assert_int_equal(json_finish(&j, NULL), 0);
    assert_string_equal(buf_cstr(&out), "[{\"k\":\"v\"},[1]]");
    buf_release(&out);
}

static void cap_on_the_buffer_is_a_sticky_limit_error(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out);
    struct json j;
    json_init_capped(&j, &out, 16);
    assert_int_equal(json_arr_begin(&j), 0);
    assert_int_equal(json_str(&j, "0123456789"), 0);
    assert_int_equal(json_str(&j, "this one does not fit"), -1);
    assert_int_equal(json_int(&j, 1), -1);
    assert_int_equal(json_arr_end(&j), -1);
    struct err e;
    err_clear(&e);
    assert_int_equal(json_finish(&j, &e), ERR_LIMIT);
    assert_non_null(strstr(e.msg, "16 bytes"));
    assert_true(out.len <= 16);
    buf_release(&out);
}

static void nesting_past_max_depth_is_a_limit_error(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct json j;
    json_init(&j, &out);
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        assert_int_equal(json_arr_begin(&j), 0);
    assert_int_equal(json_arr_begin(&j), -1);
    struct err e;
    err_clear(&e);
    assert_int_equal(json_finish(&j, &e), ERR_LIMIT);
    assert_non_null(strstr(e.msg, "deeper"));
    buf_release(&out);
}

static void escape_helper_appends_without_quotes(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    buf_puts(&out, "x=");
    json_escape(&out, "a\"<\x01", 4);
    assert_string_equal(buf_cstr(&out), "x=a\\\"\\u003c\\u0001");
    buf_release(&out);
}

/* Every ASCII byte, between plain letters and in a run of its own kind: written as it is
 * exactly when it is printable and none of '"', '\\', '<', '>', '&'; else its escape. */
static void escapes_every_ascii_byte_as_specified(void **state)
{
    (void)state;
    for (int c = 0; c < 0x80; c++) {
        char want[16];
        switch (c) {
        case '"':
            snprintf(want, sizeof want, "\\\"");
            break;
        case '\\':
            snprintf(want, sizeof want, "\\\\");
            break;
        case '\b':
            snprintf(want, sizeof want, "\\b");
            break;
        case '\f':
            snprintf(want, sizeof want, "\\f");
            break;
        case '\n':
            snprintf(want, sizeof want, "\\n");
            break;
        case '\r':
            snprintf(want, sizeof want, "\\r");
            break;
        case '\t':
            snprintf(want, sizeof want, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&')
                snprintf(want, sizeof want, "\\u%04x", (unsigned)c);
            else
                snprintf(want, sizeof want, "%c", c);
        }
        char in[] = {'a', 'b', (char)c, (char)c, 'y', 'z'};
        char expect[64];
        snprintf(expect, sizeof expect, "ab%s%syz", want, want);
        struct buf out = BUF_INIT;
        json_escape(&out, in, sizeof in);
        if (strcmp(buf_cstr(&out), expect) != 0)
            fail_msg("byte 0x%02x: \"%s\", want \"%s\"", (unsigned)c, buf_cstr(&out), expect);
        buf_release(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_quotes_backslash_and_short_forms),
        cmocka_unit_test(escapes_other_control_chars_as_u00xx),
        cmocka_unit_test(escapes_html_specials_so_script_cannot_close),
        cmocka_unit_test(keeps_valid_utf8),
        cmocka_unit_test(replaces_invalid_utf8_with_replacement_char),
        cmocka_unit_test(null_string_is_null),
        cmocka_unit_test(places_commas_in_nested_containers),
        cmocka_unit_test(escapes_keys_too),
        cmocka_unit_test(writes_int64_extremes),
        cmocka_unit_test(formats_money_with_two_decimals),
        cmocka_unit_test(formats_doubles_shortest_round_trip),
        cmocka_unit_test(doubles_read_back_exactly),
        cmocka_unit_test(raw_values_are_placed_with_commas),
        cmocka_unit_test(cap_on_the_buffer_is_a_sticky_limit_error),
        cmocka_unit_test(nesting_past_max_depth_is_a_limit_error),
        cmocka_unit_test(escape_helper_appends_without_quotes),
        cmocka_unit_test(escapes_every_ascii_byte_as_specified),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
