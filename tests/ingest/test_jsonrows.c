/* test_jsonrows.c — unit tests for the streaming JSON-rows reader (src/jsonrows.c).
 * Objects are collected into one text line each ("LINE#INDEX{key=value@line,...}") so a
 * whole parse compares as one string, and chunked parses compare with the unchunked one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "err.h"
#include "jsonrows.h"
#include "banned.h"

struct collected {
    struct buf text; /* one line per object */
    size_t objects;
    size_t stop_after; /* when > 0: the callback returns -42 on this object */
};

/* Writes bytes readably: , = { } \ and non-printables escaped. */
static void put_escaped(struct buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            buf_puts(b, "\\n");
        else if (c == ',' || c == '=' || c == '{' || c == '}' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            buf_printf(b, "\\x%02X", c);
        else
            buf_putc(b, (char)c);
    }
}

static int collect_object(void *ctx, const struct jsonrows_pair *pairs, size_t npairs,
                          uint64_t line, uint64_t index)
{
    struct collected *c = ctx;
    c->objects++;
    buf_printf(&c->text, "%" PRIu64 "#%" PRIu64 "{", line, index);
    for (size_t i = 0; i < npairs; i++) {
        if (i)
            buf_putc(&c->text, ',');
        assert_int_equal(strlen(pairs[i].key), pairs[i].key_len);
        assert_int_equal(pairs[i].value[pairs[i].value_len], '\0');
        put_escaped(&c->text, pairs[i].key, pairs[i].key_len);
        buf_putc(&c->text, '=');
        if (pairs[i].is_null) {
            assert_int_equal(pairs[i].value_len, 0);
            buf_puts(&c->text, "null");
        } else {
            buf_putc(&c->text, '\'');
            put_escaped(&c->text, pairs[i].value, pairs[i].value_len);
            buf_putc(&c->text, '\'');
        }
        buf_printf(&c->text, "@%" PRIu64, pairs[i].line);
    }
    buf_puts(&c->text, "}\n");
    if (c->stop_after && c->objects == c->stop_after)
        return -42;
    return 0;
}

static void collected_init(struct collected *c)
{
    memset(c, 0, sizeof *c);
    buf_init(&c->text);
}

/* Parses data fed as chunks of at most chunk bytes (0: all at once) and finishes. */
static int parse_chunked(const char *data, size_t len, const struct jsonrows_opts *opts,
                         size_t chunk, struct collected *c, struct err *e)
{
    struct jsonrows *r = jsonrows_new(opts, collect_object, c);
    int rc = 0;
    size_t pos = 0;
    if (chunk == 0)
        chunk = len ? len : 1;
    while (rc == 0 && pos < len) {
        size_t n = len - pos < chunk ? len - pos : chunk;
        rc = jsonrows_feed(r, data + pos, n, e);
        pos += n;
    }
    if (rc == 0)
        rc = jsonrows_finish(r, e);
    jsonrows_free(r);
    return rc;
}

static void assert_parses_with(const char *input, const struct jsonrows_opts *opts,
                               const char *expected)
{
    struct collected c;
    collected_init(&c);
    struct err e = {0, ""};
    int rc = parse_chunked(input, strlen(input), opts, 0, &c, &e);
    if (rc != 0)
        fail_msg("unexpected error %d: %s", rc, e.msg);
    assert_string_equal(buf_cstr(&c.text), expected);
    buf_release(&c.text);
}

static void assert_parses_to(const char *input, const char *expected)
{
    assert_parses_with(input, NULL, expected);
}

/* Checks the input fails with code and message, whole and in 1-byte chunks. */
static void assert_fails_with(const char *input, const struct jsonrows_opts *opts, int code,
                              const char *message)
{
    for (size_t chunk = 0; chunk < 2; chunk++) {
        struct collected c;
        collected_init(&c);
        struct err e = {0, ""};
        int rc = parse_chunked(input, strlen(input), opts, chunk, &c, &e);
        assert_int_equal(rc, code);
        assert_int_equal(e.code, code);
        assert_string_equal(e.msg, message);
        buf_release(&c.text);
    }
}

static void test_jsonrows_flat_objects_give_pairs_with_lines(void **state)
{
    (void)state;
    assert_parses_to("[\n"
                     "  {\"id\": \"inf001\", \"followers\": 50000},\n"
                     "  {\"id\": \"inf002\",\n"
                     "   \"followers\": 42000}\n"
                     "]\n",
                     "2#0{id='inf001'@2,followers='50000'@2}\n"
                     "3#1{id='inf002'@3,followers='42000'@4}\n");
}

static void test_jsonrows_whitespace_anywhere(void **state)
{
    (void)state;
    assert_parses_to(" \r\n\t[ \n{ \"a\" \t:\r\n 1 , \"b\" : \"x\" } \n, { } ] \n\t",
                     "3#0{a='1'@4,b='x'@4}\n5#1{}\n");
    assert_parses_to("[{\"a\":1,\"b\":true}]", "1#0{a='1'@1,b='true'@1}\n");
}

static void test_jsonrows_empty_array_gives_no_objects(void **state)
{
    (void)state;
    assert_parses_to("[]", "");
    assert_parses_to(" [ \n ] \n", "");
}

static void test_jsonrows_string_escapes_are_decoded(void **state)
{
    (void)state;
    assert_parses_to("[{\"k\\\"ey\":\"q\\\" b\\\\ s\\/ \\n\\r\\t end\"}]",
                     "1#0{k\"ey='q\" b\\\\ s/ \\n\\x0D\\x09 end'@1}\n");
}

static void test_jsonrows_unicode_escapes_become_utf8(void **state)
{
    (void)state;
    /* U+0041, U+00E9, U+20B9 (rupee), U+1F600 as a surrogate pair, U+0009 (tab). */
    static const char input[] = "[{\"u\":\"\\u0041\\u00e9\\u20B9\\uD83D\\uDE00\\u0009!\"}]";
    struct collected c;
    collected_init(&c);
    struct err e = {0, ""};
    assert_int_equal(parse_chunked(input, sizeof input - 1, NULL, 0, &c, &e), 0);
    assert_string_equal(buf_cstr(&c.text), "1#0{u='A\\xC3\\xA9\\xE2\\x82\\xB9\\xF0\\x9F\\x98\\x80"
                                           "\\x09!'@1}\n");
    buf_release(&c.text);
    /* Raw UTF-8 passes through untouched. */
    assert_parses_to("[{\"name\":\"\xE2\x82\xB9 caf\xC3\xA9\"}]",
                     "1#0{name='\\xE2\\x82\\xB9 caf\\xC3\\xA9'@1}\n");
}

/* \u0000 and the other C0 controls but tab, newline and carriage return (\b, \f, \u0001 ...
 * \u001F) are refused, naming the line, the column of its backslash and the key. */
static void test_jsonrows_nul_escape_fails_naming_key(void **state)
{
    (void)state;
    assert_fails_with("[{\"id\":\"A1\",\n  \"name\":\"a\\u0000b\"}]", NULL, ERR_INPUT,
                      "input:2:12: name: \\u0000 (a NUL character) in the value: text cannot "
                      "hold control characters other than tab and newline (a CSV file with a "
                      "NUL is refused as binary data too)");
    struct jsonrows_opts opts = {.name = "people.json"};
    assert_fails_with("[{\"x\\u0000\":1}]", &opts, ERR_INPUT,
                      "people.json:1:5: \\u0000 (a NUL character) in a key: text cannot hold "
                      "control characters other than tab and newline");
    assert_fails_with("[{\"a\":\"\\u0000\"}]", NULL, ERR_INPUT,
                      "input:1:8: a: \\u0000 (a NUL character) in the value: text cannot hold "
                      "control characters other than tab and newline (a CSV file with a NUL is "
                      "refused as binary data too)");
    /* the other C0 controls, escaped as \uXXXX or as \b and \f */
    assert_fails_with("[{\"c\":\"x\\u0001\"}]", NULL, ERR_INPUT,
                      "input:1:9: c: \\u0001 (a control character) in the value: text cannot "
                      "hold control characters other than tab and newline (a CSV file with a "
                      "NUL is refused as binary data too)");
    assert_fails_with("[{\"c\":\"\\u001f\"}]", NULL, ERR_INPUT,
                      "input:1:8: c: \\u001F (a control character) in the value: text cannot "
                      "hold control characters other than tab and newline (a CSV file with a "
                      "NUL is refused as binary data too)");
    assert_fails_with("[{\"c\":\"\\b\"}]", NULL, ERR_INPUT,
                      "input:1:8: c: \\u0008 (a control character) in the value: text cannot "
                      "hold control characters other than tab and newline (a CSV file with a "
                      "NUL is refused as binary data too)");
    assert_fails_with("[{\"c\":\"\\f\"}]", NULL, ERR_INPUT,
                      "input:1:8: c: \\u000C (a control character) in the value: text cannot "
                      "hold control characters other than tab and newline (a CSV file with a "
                      "NUL is refused as binary data too)");
    /* tab, newline, carriage return and DEL stay */
    assert_parses_to("[{\"c\":\"\\t\\u000a\\r\\u007f\"}]", "1#0{c='\\x09\\n\\x0D\\x7F'@1}\n");
    /* in a nested value the escape stays text: no NUL is made */
    assert_parses_to("[{\"n\":{\"k\":\"\\u0000\"}}]", "1#0{n='\\{\"k\":\"\\\\u0000\"\\}'@1}\n");
}

/* keys_only: the keys as always, every string value empty (numbers, literals and nested
 * values as they are); the input is checked all the same. */
static void test_jsonrows_keys_only_drops_string_values(void **state)
{
    (void)state;
    struct jsonrows_opts opts = {.keys_only = 1};
    assert_parses_with("[{\"a\":\"long \\\"text\\\" \\u00e9\",\"b\":12,\"c\":null,\"d\":[\"x\"]},\n"
                       " {\"k\\u0041\":\"v\"}]",
                       &opts, "1#0{a=''@1,b='12'@1,c=null@1,d='[\"x\"]'@1}\n2#1{kA=''@2}\n");
    assert_fails_with("[{\"a\":\"x\\u0000\"}]", &opts, ERR_INPUT,
                      "input:1:9: a: \\u0000 (a NUL character) in the value: text cannot hold "
                      "control characters other than tab and newline (a CSV file with a NUL is "
                      "refused as binary data too)");
}

static void test_jsonrows_lone_surrogates_fail(void **state)
{
    (void)state;
    assert_fails_with("[{\"a\":\"\\uD83D\"}]", NULL, ERR_INPUT,
                      "input:1:14: \\uD83D is the first half of a surrogate pair but no "
                      "\\uDC00-\\uDFFF second half follows");
    assert_fails_with("[{\"a\":\"\\uD83D\\u0041\"}]", NULL, ERR_INPUT,
                      "input:1:19: \\uD83D is the first half of a surrogate pair but no "
                      "\\uDC00-\\uDFFF second half follows");
    assert_fails_with("[{\"a\":\"x\\uDE00\"}]", NULL, ERR_INPUT,
                      "input:1:14: \\uDE00 is the second half of a surrogate pair without a "
                      "first half");
}

static void test_jsonrows_invalid_escapes_fail(void **state)
{
    (void)state;
    assert_fails_with("[{\"a\":\"\\x41\"}]", NULL, ERR_INPUT,
                      "input:1:9: invalid escape '\\x' in a string (valid: \\\" \\\\ \\/ \\b \\f "
                      "\\n \\r \\t \\uXXXX)");
    assert_fails_with("[{\"a\":\"\\u12G4\"}]", NULL, ERR_INPUT,
                      "input:1:12: invalid \\u escape: 'G' is not a hex digit");
}

static void test_jsonrows_control_character_in_string_fails(void **state)
{
    (void)state;
    assert_fails_with("[{\"a\":\"line\nbreak\"}]", NULL, ERR_INPUT,
                      "input:1:12: control character (byte 0x0A) inside a string: a string "
                      "must be closed on its line, or the character escaped");
}

static void test_jsonrows_null_sets_is_null_with_empty_value(void **state)
{
    (void)state;
    assert_parses_to("[{\"a\":null,\"b\":\"null\",\"c\":\"\"}]",
                     "1#0{a=null@1,b='null'@1,c=''@1}\n");
}

static void test_jsonrows_numbers_and_booleans_are_kept_as_text(void **state)
{
    (void)state;
    assert_parses_to("[{\"i\":-12,\"z\":0,\"f\":8100.50,\"e\":1.5e-3,\"E\":2E+10,\"t\":true,"
                     "\"n\":false}]",
                     "1#0{i='-12'@1,z='0'@1,f='8100.50'@1,e='1.5e-3'@1,E='2E+10'@1,"
                     "t='true'@1,n='false'@1}\n");
}

static void test_jsonrows_invalid_literals_fail(void **state)
{
    (void)state;
    static const char *const bad[] = {"01",   "1.",  ".5",  "+1",    "-",   "1e",
                                      "True", "nul", "NaN", "1.2.3", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char input[64];
        char msg[256];
        snprintf(input, sizeof input, "[{\"a\":%s}]", bad[i]);
        snprintf(msg, sizeof msg,
                 "input:1:7: not a JSON value: %s (expected a string in double quotes, a "
                 "number, true, false or null)",
                 bad[i]);
        assert_fails_with(input, NULL, ERR_INPUT, msg);
    }
}

static void test_jsonrows_nested_values_are_kept_as_raw_json(void **state)
{
    (void)state;
    assert_parses_to(
        "[{\"tags\":[\"a\", \"b]\\\"}\"],\"meta\":{\"x\":{\"y\":[1,{}]}},\"n\":1}]",
        "1#0{tags='[\"a\"\\, \"b]\\\\\"\\}\"]'@1,meta='\\{\"x\":\\{\"y\":[1\\,\\{\\}]\\}"
        "\\}'@1,n='1'@1}\n");
    assert_parses_to("[{\"a\":[\n1,\n2]}]", "1#0{a='[\\n1\\,\\n2]'@1}\n");
}

static void test_jsonrows_mismatched_nested_brackets_fail(void **state)
{
    (void)state;
    assert_fails_with("[{\"a\":[1,2}]}]", NULL, ERR_INPUT,
                      "input:1:11: '}' does not match the '[' it would close");
    assert_fails_with("[{\"a\":{\"b\":[}}]", NULL, ERR_INPUT,
                      "input:1:13: '}' does not match the '[' it would close");
}

static void test_jsonrows_utf8_bom_is_skipped(void **state)
{
    (void)state;
    assert_parses_to("\xEF\xBB\xBF[{\"a\":1}]", "1#0{a='1'@1}\n");
    assert_fails_with("\xEF\xBB[]", NULL, ERR_INPUT,
                      "input:1:1: expected a JSON array of objects ('['), found byte 0xEF");
}

static void test_jsonrows_top_level_that_is_not_an_array_fails(void **state)
{
    (void)state;
    struct jsonrows_opts opts = {.name = "summary.json"};
    assert_fails_with("{\"total\": 1}", &opts, ERR_INPUT,
                      "summary.json:1:1: expected a JSON array of objects ('['), found '{'");
    assert_fails_with("\n  42", &opts, ERR_INPUT,
                      "summary.json:2:3: expected a JSON array of objects ('['), found '4'");
    assert_fails_with("", &opts, ERR_INPUT,
                      "summary.json:1:1: expected a JSON array of objects, found the end of "
                      "the input");
}

static void test_jsonrows_element_that_is_not_an_object_fails(void **state)
{
    (void)state;
    assert_fails_with("[{\"a\":1},\n 2]", NULL, ERR_INPUT,
                      "input:2:2: expected an object ('{') as array element 2, found '2'");
    assert_fails_with("[[1]]", NULL, ERR_INPUT,
                      "input:1:2: expected an object ('{') as array element 1, found '['");
}

static void test_jsonrows_structural_errors_fail(void **state)
{
    (void)state;
    assert_fails_with("[{\"a\":1},]", NULL, ERR_INPUT, "input:1:10: trailing ',' before ']'");
    assert_fails_with("[{\"a\":1,}]", NULL, ERR_INPUT, "input:1:9: trailing ',' before '}'");
    assert_fails_with("[{a:1}]", NULL, ERR_INPUT,
                      "input:1:3: expected a key in double quotes, found 'a'");
    assert_fails_with("[{\"a\" 1}]", NULL, ERR_INPUT,
                      "input:1:7: expected ':' after a key, found '1'");
    assert_fails_with("[{\"a\":1 \"b\":2}]", NULL, ERR_INPUT,
                      "input:1:9: expected ',' or '}' after a value, found '\"'");
    assert_fails_with("[{\"a\":}]", NULL, ERR_INPUT,
                      "input:1:7: expected a value after ':', found '}'");
    assert_fails_with("[{\"a\":1} {\"a\":2}]", NULL, ERR_INPUT,
                      "input:1:10: expected ',' or ']' after an object, found '{'");
}

static void test_jsonrows_trailing_garbage_fails(void **state)
{
    (void)state;
    assert_fails_with("[{\"a\":1}]\n\nx", NULL, ERR_INPUT,
                      "input:3:1: unexpected 'x' after the closing ']' of the array");
    assert_fails_with("[] []", NULL, ERR_INPUT,
                      "input:1:4: unexpected '[' after the closing ']' of the array");
}

static void test_jsonrows_truncated_input_names_line_and_column(void **state)
{
    (void)state;
    struct jsonrows_opts opts = {.name = "posts.json"};
    assert_fails_with("[\n  {\"a\": 1},\n  {\"b\": 2", &opts, ERR_INPUT,
                      "posts.json:3:10: input ends before the closing ']' of the array: the "
                      "file is truncated");
    assert_fails_with("[{\"a\":1}", &opts, ERR_INPUT,
                      "posts.json:1:9: input ends before the closing ']' of the array: the file "
                      "is truncated");
    assert_fails_with("[{\"a\": \"unfinished", &opts, ERR_INPUT,
                      "posts.json:1:19: input ends inside a string that starts at line 1, "
                      "column 8: the file is truncated");
    assert_fails_with("[{\"a\": [1, {", &opts, ERR_INPUT,
                      "posts.json:1:13: input ends inside a nested value that starts at line "
                      "1, column 8: the file is truncated");
    assert_fails_with("[{\"a\": 12", &opts, ERR_INPUT,
                      "posts.json:1:10: input ends before the closing ']' of the array: the "
                      "file is truncated");
}

static void test_jsonrows_value_limit_fails(void **state)
{
    (void)state;
    struct jsonrows_opts opts = {.max_value_bytes = 4, .name = "v.json"};
    assert_parses_with("[{\"abcd\":\"wxyz\",\"\\u00e9\":1234}]", &opts,
                       "1#0{abcd='wxyz'@1,\\xC3\\xA9='1234'@1}\n");
    assert_fails_with("[{\"a\":\"wxyz\"},\n{\"a\":\"\\u00e9\\u00e9x\"}]", &opts, ERR_LIMIT,
                      "v.json:2:6: value longer than 4 bytes");
    assert_fails_with("[{\"abcde\":1}]", &opts, ERR_LIMIT, "v.json:1:3: key longer than 4 bytes");
    assert_fails_with("[{\"a\":12345}]", &opts, ERR_LIMIT, "v.json:1:7: value longer than 4 bytes");
    assert_fails_with("[{\"a\":[1,2,3]}]", &opts, ERR_LIMIT,
                      "v.json:1:7: value longer than 4 bytes");
}

static void test_jsonrows_default_value_limit_is_one_mebibyte(void **state)
{
    (void)state;
    size_t big = ((size_t)1 << 20) + 1;
    struct buf input = BUF_INIT;
    buf_puts(&input, "[{\"a\":\"");
    char *value = malloc(big);
    memset(value, 'x', big);
    buf_append(&input, value, big);
    free(value);
    buf_puts(&input, "\"}]");
    assert_fails_with(input.data, NULL, ERR_LIMIT, "input:1:7: value longer than 1048576 bytes");
    buf_release(&input);
}

static void test_jsonrows_pair_limit_fails(void **state)
{
    (void)state;
    struct jsonrows_opts opts = {.max_pairs = 2};
    assert_fails_with("[{\"a\":1,\"b\":2},{\"a\":1,\"b\":2,\"c\":3}]", &opts, ERR_LIMIT,
                      "input:1:29: object has more than 2 keys");
}

static void test_jsonrows_callback_stop_is_passed_through(void **state)
{
    (void)state;
    struct collected c;
    collected_init(&c);
    c.stop_after = 2;
    struct jsonrows *r = jsonrows_new(NULL, collect_object, &c);
    struct err e = {0, ""};
    const char *input = "[{\"a\":1},{\"a\":2},{\"a\":3}]";
    assert_int_equal(jsonrows_feed(r, input, strlen(input), &e), -42);
    assert_int_equal(c.objects, 2);
    assert_int_equal(jsonrows_feed(r, "]", 1, &e), -42);
    assert_int_equal(jsonrows_finish(r, &e), -42);
    assert_int_equal(c.objects, 2);
    jsonrows_free(r);
    buf_release(&c.text);
}

static const char tricky_json[] = "\xEF\xBB\xBF [\r\n"
                                  " {\"id\" : \"inf\\u00e9\\uD83D\\uDE00\", \"n\":-1.5e+2,\n"
                                  "  \"t\":true, \"f\":false, \"z\":null,\n"
                                  "  \"nested\": {\"s\": \"}]\\\"\", \"l\": [1, [2, {}]]},\n"
                                  "  \"esc\": \"a\\\\b\\/c\\n\"},\n"
                                  " {},\n"
                                  " {\"last\":\"\"}\n"
                                  "]\n";

static const char tricky_json_expected[] =
    "2#0{id='inf\\xC3\\xA9\\xF0\\x9F\\x98\\x80'@2,n='-1.5e+2'@2,t='true'@3,f='false'@3,"
    "z=null@3,nested='\\{\"s\": \"\\}]\\\\\"\"\\, \"l\": [1\\, [2\\, \\{\\}]]\\}'@4,"
    "esc='a\\\\b/c\\n'@5}\n"
    "6#1{}\n"
    "7#2{last=''@7}\n";

static void test_jsonrows_every_split_point_gives_identical_objects(void **state)
{
    (void)state;
    size_t len = sizeof tricky_json - 1;
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            struct collected c;
            collected_init(&c);
            struct err e = {0, ""};
            struct jsonrows *r = jsonrows_new(NULL, collect_object, &c);
            int rc = jsonrows_feed(r, tricky_json, a, &e);
            if (rc == 0)
                rc = jsonrows_feed(r, tricky_json + a, b - a, &e);
            if (rc == 0)
                rc = jsonrows_feed(r, tricky_json + b, len - b, &e);
            if (rc == 0)
                rc = jsonrows_finish(r, &e);
            jsonrows_free(r);
            if (rc != 0)
                fail_msg("split at %zu and %zu: %s", a, b, e.msg);
            if (strcmp(buf_cstr(&c.text), tricky_json_expected) != 0)
                fail_msg("split at %zu and %zu gave:\n%s", a, b, buf_cstr(&c.text));
            buf_release(&c.text);
        }
    }
}

static int count_objects(void *ctx, const struct jsonrows_pair *pairs, size_t npairs, uint64_t line,
                         uint64_t index)
{
    (void)pairs;
    (void)npairs;
    (void)line;
    (void)index;
    (*(size_t *)ctx)++;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Parses one .json file when it holds an array (other shapes are not datasets). */
static size_t parse_file_if_array(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    struct buf content = BUF_INIT;
    static char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&content, chunk, n);
    fclose(f);
    const char *s = buf_cstr(&content);
    s += strspn(s, "\xEF\xBB\xBF \t\r\n");
    if (*s != '[') {
        buf_release(&content);
        return 0;
    }
    size_t objects = 0;
    struct jsonrows_opts opts = {.name = path};
    struct err e = {0, ""};
    for (size_t step = 1; step <= 4096; step *= 64) {
        objects = 0;
        struct jsonrows *r = jsonrows_new(&opts, count_objects, &objects);
        int rc = 0;
        for (size_t pos = 0; rc == 0 && pos < content.len; pos += step)
            rc = jsonrows_feed(r, content.data + pos,
                               content.len - pos < step ? content.len - pos : step, &e);
        if (rc == 0)
            rc = jsonrows_finish(r, &e);
        jsonrows_free(r);
        if (rc != 0)
            fail_msg("%s", e.msg);
    }
    buf_release(&content);
    return 1;
}

static size_t parse_json_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open directory %s", dir);
    size_t files = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            files += parse_json_tree(path);
        else if (ends_with(ent->d_name, ".json"))
            files += parse_file_if_array(path);
    }
    closedir(d);
    return files;
}

static void test_jsonrows_every_peer_array_file_parses(void **state)
{
    (void)state;
    const char *dir = getenv("INFLUDASH_PEERS");
    if (!dir || !*dir)
        skip();
    parse_json_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonrows_flat_objects_give_pairs_with_lines),
        cmocka_unit_test(test_jsonrows_whitespace_anywhere),
        cmocka_unit_test(test_jsonrows_empty_array_gives_no_objects),
        cmocka_unit_test(test_jsonrows_string_escapes_are_decoded),
        cmocka_unit_test(test_jsonrows_unicode_escapes_become_utf8),
        cmocka_unit_test(test_jsonrows_lone_surrogates_fail),
        cmocka_unit_test(test_jsonrows_invalid_escapes_fail),
        cmocka_unit_test(test_jsonrows_control_character_in_string_fails),
        cmocka_unit_test(test_jsonrows_null_sets_is_null_with_empty_value),
        cmocka_unit_test(test_jsonrows_numbers_and_booleans_are_kept_as_text),
        cmocka_unit_test(test_jsonrows_invalid_literals_fail),
        cmocka_unit_test(test_jsonrows_nested_values_are_kept_as_raw_json),
        cmocka_unit_test(test_jsonrows_mismatched_nested_brackets_fail),
        cmocka_unit_test(test_jsonrows_utf8_bom_is_skipped),
        cmocka_unit_test(test_jsonrows_top_level_that_is_not_an_array_fails),
        cmocka_unit_test(test_jsonrows_element_that_is_not_an_object_fails),
        cmocka_unit_test(test_jsonrows_structural_errors_fail),
        cmocka_unit_test(test_jsonrows_trailing_garbage_fails),
        cmocka_unit_test(test_jsonrows_truncated_input_names_line_and_column),
        cmocka_unit_test(test_jsonrows_value_limit_fails),
        cmocka_unit_test(test_jsonrows_default_value_limit_is_one_mebibyte),
        cmocka_unit_test(test_jsonrows_pair_limit_fails),
        cmocka_unit_test(test_jsonrows_callback_stop_is_passed_through),
        cmocka_unit_test(test_jsonrows_every_split_point_gives_identical_objects),
        cmocka_unit_test(test_jsonrows_every_peer_array_file_parses),
        cmocka_unit_test(test_jsonrows_nul_escape_fails_naming_key),
        cmocka_unit_test(test_jsonrows_keys_only_drops_string_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
