/* test_csv.c — unit tests for the streaming CSV reader and field writer (src/csv.c).
 * Records are collected into one text line each ("LINE:INDEX:OFFSET|field|q:quoted...") so
 * a whole parse compares as one string, and chunked parses compare with the unchunked one. */
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
#include "csv.h"
#include "err.h"
#include "banned.h"

struct collected {
    struct buf text; /* one line per record */
    size_t records;
    size_t stop_after; /* when > 0: the callback returns -42 on this record */
    int fields_only;   /* write "INDEX|field|field" without positions or quoting marks */
};

/* Writes bytes so that every record is one readable line: | \ and non-printables escaped. */
static void put_escaped(struct buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            buf_puts(b, "\\n");
        else if (c == '\r')
            buf_puts(b, "\\r");
        else if (c == '|' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            buf_printf(b, "\\x%02X", c);
        else
            buf_putc(b, (char)c);
    }
}

static int collect_record(void *ctx, const struct csv_record *rec)
{
    struct collected *c = ctx;
    c->records++;
    if (c->fields_only)
        buf_printf(&c->text, "%" PRIu64, rec->index);
    else
        buf_printf(&c->text, "%" PRIu64 ":%" PRIu64 ":%" PRIu64, rec->line, rec->index,
                   rec->offset);
    for (size_t i = 0; i < rec->nfields; i++) {
        buf_puts(&c->text, rec->fields[i].quoted && !c->fields_only ? "|q:" : "|");
        put_escaped(&c->text, rec->fields[i].data, rec->fields[i].len);
    }
    buf_putc(&c->text, '\n');
    if (c->stop_after && c->records == c->stop_after)
        return -42;
    return 0;
}

static void collected_init(struct collected *c)
{
    memset(c, 0, sizeof *c);
    buf_init(&c->text);
}

/* Parses data fed as chunks of at most chunk bytes (0: all at once) and finishes.
 * Returns the first non-zero result; the records are in c. */
static int parse_chunked(const char *data, size_t len, const struct csv_opts *opts, size_t chunk,
                         struct collected *c, struct err *e)
{
    struct csv_parser *p = csv_new(opts, collect_record, c);
    int rc = 0;
    size_t pos = 0;
    if (chunk == 0)
        chunk = len ? len : 1;
    while (rc == 0 && pos < len) {
        size_t n = len - pos < chunk ? len - pos : chunk;
        rc = csv_feed(p, data + pos, n, e);
        pos += n;
    }
    if (rc == 0)
        rc = csv_finish(p, e);
    csv_free(p);
    return rc;
}

/* Parses a NUL-terminated input at once and returns the collected text (caller frees). */
static char *parse_text(const char *input, const struct csv_opts *opts)
{
    struct collected c;
    collected_init(&c);
    struct err e = {0, ""};
    int rc = parse_chunked(input, strlen(input), opts, 0, &c, &e);
    if (rc != 0)
        fail_msg("unexpected error %d: %s", rc, e.msg);
    return buf_detach(&c.text);
}

static void assert_parses_to(const char *input, const struct csv_opts *opts, const char *expected)
{
    char *got = parse_text(input, opts);
    assert_string_equal(got, expected);
    free(got);
}

/* Parses input and checks it fails with code and message. */
static void assert_fails_with(const char *input, size_t len, const struct csv_opts *opts,
                              size_t chunk, int code, const char *message)
{
    struct collected c;
    collected_init(&c);
    struct err e = {0, ""};
    int rc = parse_chunked(input, len, opts, chunk, &c, &e);
    assert_int_equal(rc, code);
    assert_int_equal(e.code, code);
    assert_string_equal(e.msg, message);
    buf_release(&c.text);
}

static void test_csv_simple_records_carry_line_index_and_offset(void **state)
{
    (void)state;
    assert_parses_to("name,age\nbob,42\nann,7\n", NULL,
                     "1:0:0|name|age\n2:1:9|bob|42\n3:2:16|ann|7\n");
}

static void test_csv_quoted_field_keeps_delimiter(void **state)
{
    (void)state;
    assert_parses_to("a,\"x,y\",c\n", NULL, "1:0:0|a|q:x,y|c\n");
}

static void test_csv_doubled_quotes_become_one_quote(void **state)
{
    (void)state;
    assert_parses_to("\"say \"\"hi\"\"\",\"\"\"\"\n", NULL, "1:0:0|q:say \"hi\"|q:\"\n");
}

static void test_csv_line_breaks_inside_quotes_keep_physical_line_numbers(void **state)
{
    (void)state;
    assert_parses_to("id,caption\n"
                     "1,\"two\nlines\"\n"
                     "2,\"three\r\nline\rs\"\n"
                     "3,end\n",
                     NULL,
                     "1:0:0|id|caption\n"
                     "2:1:11|1|q:two\\nlines\n"
                     "4:2:25|2|q:three\\r\\nline\\rs\n"
                     "7:3:43|3|end\n");
}

static void test_csv_crlf_line_endings(void **state)
{
    (void)state;
    assert_parses_to("a,b\r\nc,d\r\n", NULL, "1:0:0|a|b\n2:1:5|c|d\n");
}

static void test_csv_lone_cr_line_endings(void **state)
{
    (void)state;
    assert_parses_to("a,b\rc,d\re,f", NULL, "1:0:0|a|b\n2:1:4|c|d\n3:2:8|e|f\n");
}

static void test_csv_utf8_bom_is_stripped(void **state)
{
    (void)state;
    /* Offsets still count the BOM: they are positions in the input. */
    assert_parses_to("\xEF\xBB\xBFid,name\n1,x\n", NULL, "1:0:3|id|name\n2:1:11|1|x\n");
}

static void test_csv_bytes_that_only_begin_like_a_bom_are_data(void **state)
{
    (void)state;
    const char *input = "\xEF\xBBx,y\n";
    const char *expected = "1:0:0|\\xEF\\xBBx|y\n";
    for (size_t chunk = 0; chunk <= 3; chunk++) {
        struct collected c;
        collected_init(&c);
        struct err e = {0, ""};
        assert_int_equal(parse_chunked(input, strlen(input), NULL, chunk, &c, &e), 0);
        assert_string_equal(buf_cstr(&c.text), expected);
        buf_release(&c.text);
    }
    assert_parses_to("\xEF", NULL, "1:0:0|\\xEF\n");
}

static char detected_delimiter(const char *input)
{
    struct collected c;
    collected_init(&c);
    struct csv_parser *p = csv_new(NULL, collect_record, &c);
    struct err e = {0, ""};
    assert_int_equal(csv_feed(p, input, strlen(input), &e), 0);
    assert_int_equal(csv_finish(p, &e), 0);
    char d = csv_delimiter(p);
    csv_free(p);
    buf_release(&c.text);
    return d;
}

static void test_csv_detects_semicolon(void **state)
{
    (void)state;
    assert_int_equal(detected_delimiter("a;b;c\n1;2,5;3\n"), ';');
    assert_parses_to("a;b;c\n1;2,5;3\n", NULL, "1:0:0|a|b|c\n2:1:6|1|2,5|3\n");
}

static void test_csv_detects_tab(void **state)
{
    (void)state;
    assert_int_equal(detected_delimiter("a\tb\tc\n1\t2\t3\n"), '\t');
    assert_parses_to("a\tb,x\tc\n", NULL, "1:0:0|a|b,x|c\n");
}

static void test_csv_detection_defaults_to_comma(void **state)
{
    (void)state;
    assert_int_equal(detected_delimiter("single\nvalue\n"), ',');
    assert_int_equal(detected_delimiter(""), ',');
}

static void test_csv_detection_tie_goes_to_comma(void **state)
{
    (void)state;
    assert_int_equal(detected_delimiter("a,b;c\n"), ',');
    assert_int_equal(detected_delimiter("a\tb;c\n"), ';');
}

static void test_csv_quoted_delimiter_does_not_count_in_detection(void **state)
{
    (void)state;
    assert_int_equal(detected_delimiter("\"a;b;c\",d\n1,2\n"), ',');
    assert_int_equal(detected_delimiter("\"x,y,z\";w\n1;2\n"), ';');
    assert_int_equal(detected_delimiter("\"x,\"\"y,z\";w\n1;2\n"), ';');
}

static void test_csv_detection_uses_first_record_after_empty_lines(void **state)
{
    (void)state;
    assert_int_equal(detected_delimiter("\n\r\na;b\n"), ';');
    assert_parses_to("\n\r\na;b\n", NULL, "3:0:3|a|b\n");
}

static void test_csv_detection_waits_for_the_end_of_the_first_record(void **state)
{
    (void)state;
    struct collected c;
    collected_init(&c);
    struct csv_parser *p = csv_new(NULL, collect_record, &c);
    struct err e = {0, ""};
    assert_int_equal(csv_feed(p, "a,b;c", 5, &e), 0);
    assert_int_equal(csv_delimiter(p), 0);
    assert_int_equal(csv_feed(p, ";d\n1;2", 6, &e), 0);
    assert_int_equal(csv_delimiter(p), ';');
    assert_int_equal(csv_bytes(p), 11);
    assert_int_equal(csv_finish(p, &e), 0);
    assert_string_equal(buf_cstr(&c.text), "1:0:0|a,b|c|d\n2:1:8|1|2\n");
    csv_free(p);
    buf_release(&c.text);
}

static void test_csv_explicit_delimiter_skips_detection(void **state)
{
    (void)state;
    struct csv_opts opts = {.delimiter = ';'};
    assert_parses_to("a,b,c;d\n", &opts, "1:0:0|a,b,c|d\n");
}

/* An input that exercises every rule: BOM, detection with a quoted candidate, CRLF, CR,
 * line breaks and doubled quotes inside quotes, blank records, literal quotes, text after
 * a closing quote, an empty quoted field, and no final line break. */
static const char tricky_input[] = "\xEF\xBB\xBF"
                                   "id;\"na;me\";note\r\n"
                                   "1;\"multi\r\nline\";\"say \"\"hi\"\"\"\r"
                                   "\r\n"
                                   "2;;\"\"\n"
                                   ";;\n"
                                   "3;x\"y;\"ab\"c\n"
                                   "\"4\";\"\r\";\"\n\"\r"
                                   "5;last;no newline";

static const char tricky_expected[] = "1:0:3|id|q:na;me|note\n"
                                      "2:1:20|1|q:multi\\r\\nline|q:say \"hi\"\n"
                                      "5:2:51|2||q:\n"
                                      "7:3:60|3|x\"y|q:abc\n"
                                      "8:4:72|q:4|q:\\r|q:\\n\n"
                                      "11:5:84|5|last|no newline\n";

static void test_csv_tricky_input_parses_as_expected(void **state)
{
    (void)state;
    struct collected c;
    collected_init(&c);
    struct err e = {0, ""};
    assert_int_equal(parse_chunked(tricky_input, sizeof tricky_input - 1, NULL, 0, &c, &e), 0);
    assert_string_equal(buf_cstr(&c.text), tricky_expected);
    buf_release(&c.text);
}

/* Feeds data in up to three pieces cut at a and b, with empty feeds at the cuts. */
static void parse_in_three(const char *data, size_t len, size_t a, size_t b, struct collected *c,
                           struct err *e)
{
    struct csv_parser *p = csv_new(NULL, collect_record, c);
    assert_int_equal(csv_feed(p, data, a, e), 0);
    assert_int_equal(csv_feed(p, data + a, 0, e), 0);
    assert_int_equal(csv_feed(p, data + a, b - a, e), 0);
    assert_int_equal(csv_feed(p, data + b, len - b, e), 0);
    assert_int_equal(csv_finish(p, e), 0);
    assert_int_equal(csv_bytes(p), len);
    csv_free(p);
}

static void test_csv_every_split_point_gives_identical_records(void **state)
{
    (void)state;
    size_t len = sizeof tricky_input - 1;
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            struct collected c;
            collected_init(&c);
            struct err e = {0, ""};
            parse_in_three(tricky_input, len, a, b, &c, &e);
            if (strcmp(buf_cstr(&c.text), tricky_expected) != 0)
                fail_msg("split at %zu and %zu gave:\n%s", a, b, buf_cstr(&c.text));
            buf_release(&c.text);
        }
    }
}

static void test_csv_small_chunks_give_identical_records(void **state)
{
    (void)state;
    /* Many copies of the tricky body make records straddle chunks in every way. */
    struct buf input = BUF_INIT;
    buf_append(&input, tricky_input, sizeof tricky_input - 1);
    for (int i = 0; i < 50; i++) {
        buf_puts(&input, "\n");
        buf_append(&input, tricky_input + 3, sizeof tricky_input - 4);
    }
    struct collected whole;
    collected_init(&whole);
    struct err e = {0, ""};
    assert_int_equal(parse_chunked(input.data, input.len, NULL, 0, &whole, &e), 0);
    assert_true(whole.records > 300);
    static const size_t chunks[] = {1, 2, 3, 7, 64, 4096};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        struct collected c;
        collected_init(&c);
        assert_int_equal(parse_chunked(input.data, input.len, NULL, chunks[i], &c, &e), 0);
        assert_string_equal(buf_cstr(&c.text), buf_cstr(&whole.text));
        buf_release(&c.text);
    }
    buf_release(&whole.text);
    buf_release(&input);
}

static void test_csv_blank_records_are_skipped(void **state)
{
    (void)state;
    assert_parses_to("a,b\n\n,,\n\r\n\"\",\nc,d\n,,,,,", NULL,
                     "1:0:0|a|b\n5:1:10|q:|\n6:2:14|c|d\n");
}

static void test_csv_blank_records_are_kept_when_asked(void **state)
{
    (void)state;
    struct csv_opts opts = {.keep_blank_records = 1};
    assert_parses_to("a,b\n\n,,\nc,d\n", &opts, "1:0:0|a|b\n2:1:4|\n3:2:5|||\n4:3:8|c|d\n");
}

static void test_csv_three_megabyte_field_fails_with_line_and_column(void **state)
{
    (void)state;
    size_t big = (size_t)3 << 20;
    struct buf input = BUF_INIT;
    buf_puts(&input, "a,b\n1,2\n3,");
    char *field = malloc(big);
    memset(field, 'x', big);
    buf_append(&input, field, big);
    buf_puts(&input, "\n");
    struct csv_opts opts = {.name = "big.csv"};
    const char *msg = "big.csv:3:2: field longer than 1048576 bytes";
    assert_fails_with(input.data, input.len, &opts, 0, ERR_LIMIT, msg);
    assert_fails_with(input.data, input.len, &opts, 65536, ERR_LIMIT, msg);
    /* The same field quoted, opening on line 3 and running over line breaks. */
    buf_reset(&input);
    buf_puts(&input, "a,b\n1,2\n3,\"");
    memset(field, '\n', 16);
    buf_append(&input, field, big);
    buf_puts(&input, "\"\n");
    assert_fails_with(input.data, input.len, &opts, 65536, ERR_LIMIT, msg);
    free(field);
    buf_release(&input);
}

static void test_csv_field_limit_from_options(void **state)
{
    (void)state;
    struct csv_opts opts = {.max_field_bytes = 4};
    assert_parses_to("abcd,\"efgh\"\n", &opts, "1:0:0|abcd|q:efgh\n");
    assert_fails_with("abcd,abcde\n", 11, &opts, 0, ERR_LIMIT,
                      "input:1:2: field longer than 4 bytes");
    assert_fails_with("abcd,\"ab\"\"cd\"\n", 14, &opts, 1, ERR_LIMIT,
                      "input:1:2: field longer than 4 bytes");
}

static void test_csv_too_many_fields_fails(void **state)
{
    (void)state;
    struct csv_opts opts = {.max_fields = 3, .name = "wide.csv"};
    assert_parses_to("a,b,c\n", &opts, "1:0:0|a|b|c\n");
    const char *input = "a,b,c\n1,2,3,4\n";
    assert_fails_with(input, strlen(input), &opts, 0, ERR_LIMIT,
                      "wide.csv:2:4: record has more than 3 fields");
    assert_fails_with(input, strlen(input), &opts, 1, ERR_LIMIT,
                      "wide.csv:2:4: record has more than 3 fields");
    assert_fails_with("a,b,c,", 6, &opts, 0, ERR_LIMIT,
                      "wide.csv:1:4: record has more than 3 fields");
}

static void test_csv_nul_byte_fails_as_binary(void **state)
{
    (void)state;
    struct csv_opts opts = {.name = "t.csv"};
    static const char unquoted[] = "a,b\nc,d\0e\n";
    static const char quoted[] = "a,b\nc,\"x\ny\0\"\n";
    static const char first[] = "\0abc";
    for (size_t chunk = 0; chunk < 3; chunk++) {
        assert_fails_with(unquoted, sizeof unquoted - 1, &opts, chunk, ERR_INPUT,
                          "t.csv:2:2: binary data (NUL byte): not a text file");
        assert_fails_with(quoted, sizeof quoted - 1, &opts, chunk, ERR_INPUT,
                          "t.csv:3:2: binary data (NUL byte): not a text file");
        assert_fails_with(first, sizeof first - 1, &opts, chunk, ERR_INPUT,
                          "t.csv:1:1: binary data (NUL byte): not a text file");
    }
}

static void test_csv_unterminated_quote_names_the_line_it_opened_on(void **state)
{
    (void)state;
    struct csv_opts opts = {.name = "f.csv"};
    const char *input = "a,b\n1,\"open\nmore\nlines\n";
    const char *msg = "f.csv:2:2: quoted field is never closed: the quote opened here runs to "
                      "the end of the input";
    assert_fails_with(input, strlen(input), &opts, 0, ERR_INPUT, msg);
    assert_fails_with(input, strlen(input), &opts, 1, ERR_INPUT, msg);
}

static void test_csv_callback_stop_is_passed_through(void **state)
{
    (void)state;
    struct collected c;
    collected_init(&c);
    c.stop_after = 2;
    struct csv_parser *p = csv_new(NULL, collect_record, &c);
    struct err e = {0, ""};
    const char *input = "h\n1\n2\n3\n";
    assert_int_equal(csv_feed(p, input, strlen(input), &e), -42);
    assert_int_equal(c.records, 2);
    assert_int_equal(csv_feed(p, "4\n", 2, &e), -42);
    assert_int_equal(csv_finish(p, &e), -42);
    assert_int_equal(c.records, 2);
    csv_free(p);
    buf_release(&c.text);
    /* Also when the stopping record is assembled across chunks. */
    collected_init(&c);
    c.stop_after = 1;
    assert_int_equal(parse_chunked(input, strlen(input), NULL, 1, &c, &e), -42);
    assert_int_equal(c.records, 1);
    buf_release(&c.text);
}

static void test_csv_last_record_without_line_break_is_flushed_at_finish(void **state)
{
    (void)state;
    assert_parses_to("a,b\nc,d", NULL, "1:0:0|a|b\n2:1:4|c|d\n");
    assert_parses_to("a,b\nc,", NULL, "1:0:0|a|b\n2:1:4|c|\n");
    assert_parses_to("a,b\n\"c\"", NULL, "1:0:0|a|b\n2:1:4|q:c\n");
}

static void test_csv_trailing_delimiter_gives_an_empty_last_field(void **state)
{
    (void)state;
    assert_parses_to("a,b,\n1,2,\n", NULL, "1:0:0|a|b|\n2:1:5|1|2|\n");
}

static void test_csv_empty_input_gives_no_records(void **state)
{
    (void)state;
    assert_parses_to("", NULL, "");
    assert_parses_to("\xEF\xBB\xBF", NULL, "");
    assert_parses_to("\n\r\n\r", NULL, "");
}

static void test_csv_quote_inside_unquoted_field_is_literal(void **state)
{
    (void)state;
    assert_parses_to("5\" screen,x\"\"y\n", NULL, "1:0:0|5\" screen|x\"\"y\n");
}

static void test_csv_text_after_closing_quote_is_kept(void **state)
{
    (void)state;
    assert_parses_to("\"ab\"c,d\n\"ab\"c\"d\",e\n", NULL, "1:0:0|q:abc|d\n2:1:8|q:abc\"d\"|e\n");
}

static void test_csv_error_names_input_without_a_name(void **state)
{
    (void)state;
    assert_fails_with("a\n\"b", 4, NULL, 0, ERR_INPUT,
                      "input:2:1: quoted field is never closed: the quote opened here runs to "
                      "the end of the input");
}

static void test_csv_write_field_quotes_only_when_needed(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        char delimiter;
        const char *out;
    } cases[] = {
        {"plain", ',', "plain"},
        {"", ',', ""},
        {"a,b", ',', "\"a,b\""},
        {"a,b", ';', "a,b"},
        {"a;b", ';', "\"a;b\""},
        {"a\tb", '\t', "\"a\tb\""},
        {"say \"hi\"", ',', "\"say \"\"hi\"\"\""},
        {"\"", ',', "\"\"\"\""},
        {"two\nlines", ',', "\"two\nlines\""},
        {"cr\r", ',', "\"cr\r\""},
        {" lead", ',', "\" lead\""},
        {"trail ", ',', "\"trail \""},
        {"in side", ',', "in side"},
        {"\xEF\xBB\xBFx", ',', "\"\xEF\xBB\xBFx\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf out = BUF_INIT;
        csv_write_field(&out, cases[i].in, strlen(cases[i].in), cases[i].delimiter);
        assert_string_equal(buf_cstr(&out), cases[i].out);
        buf_release(&out);
    }
}

static void test_csv_write_field_leaves_a_full_buffer_unchanged(void **state)
{
    (void)state;
    struct cbuf out;
    cbuf_init(&out, 8);
    csv_write_field(&out.b, "abc", 3, ',');
    assert_int_equal(cbuf_fits(&out, 0), 0);
    csv_write_field(&out.b, "a,\"b\"", 5, ',');
    assert_int_equal(cbuf_fits(&out, 3), ERR_LIMIT);
    assert_string_equal(cbuf_cstr(&out), "abc");
    cbuf_release(&out);
}

/* csv_write_text: a cell a spreadsheet would run as a formula is quoted with an apostrophe
 * in front (OWASP), plain numbers stay numbers, and an apostrophe the reader would take for
 * the guard gets one more. */
static void test_csv_write_text_guards_formulas(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"=1+1", "\"'=1+1\""},
        {"+91 98765", "\"'+91 98765\""},
        {"-2+3", "\"'-2+3\""},
        {"@SUM(A1)", "\"'@SUM(A1)\""},
        {"\tx", "\"'\tx\""},
        {"\rx", "\"'\rx\""},
        {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
        {"-", "\"'-\""},
        {"-5", "-5"},
        {"+5", "+5"},
        {"-12.50", "-12.50"},
        {"-.5", "-.5"},
        {"+1.5e3", "+1.5e3"},
        {"-1e-3", "-1e-3"},
        {"-1e", "\"'-1e\""},
        {"-5 apples", "\"'-5 apples\""},
        {"'=x", "\"''=x\""},
        {"''", "\"'''\""},
        {"'-5", "\"''-5\""},
        {"'Tis", "'Tis"},
        {"'", "'"},
        {"a=b", "a=b"},
        {"", ""},
        {"plain, text", "\"plain, text\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf out = BUF_INIT;
        csv_write_text(&out, cases[i].in, strlen(cases[i].in), ',');
        if (strcmp(buf_cstr(&out), cases[i].out) != 0)
            fail_msg("csv_write_text(\"%s\") = %s, expected %s", cases[i].in, buf_cstr(&out),
                     cases[i].out);
        buf_release(&out);
    }
}

/* Reading with unguard_text gives back exactly what csv_write_text was given, for values
 * that look like guards themselves too; without it the guard is plain text. */
static void test_csv_unguard_text_round_trips(void **state)
{
    (void)state;
    static const char *const values[] = {
        "=1+1", "'=1+1", "''=1+1", "'",   "''",   "'''", "-5",    "'-5", "-x",  "@",
        "'@",   "'Tis",  "\t",     "'\t", "\r\n", "+",   "plain", "",    "'a'", "=\"q\"",
    };
    size_t n = sizeof values / sizeof values[0];
    struct buf file = BUF_INIT, expected = BUF_INIT;
    buf_puts(&expected, "0");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&file, ',');
        csv_write_text(&file, values[i], strlen(values[i]), ',');
        buf_putc(&expected, '|');
        put_escaped(&expected, values[i], strlen(values[i]));
    }
    buf_putc(&file, '\n');
    buf_putc(&expected, '\n');
    for (size_t chunk = 0; chunk < 4; chunk++) {
        struct collected c;
        collected_init(&c);
        c.fields_only = 1;
        struct err e = {0, ""};
        struct csv_opts opts = {.delimiter = ',', .keep_blank_records = 1, .unguard_text = 1};
        assert_int_equal(parse_chunked(file.data, file.len, &opts, chunk, &c, &e), 0);
        assert_string_equal(buf_cstr(&c.text), buf_cstr(&expected));
        buf_release(&c.text);
    }
    /* the same bytes without unguard_text: the guards are kept */
    struct csv_opts plain = {.delimiter = ','};
    char *got = parse_text("\"'=1\",'-x,'Tis,''\n", &plain);
    assert_string_equal(got, "1:0:0|q:'=1|'-x|'Tis|''\n");
    free(got);
    struct csv_opts unguard = {.delimiter = ',', .unguard_text = 1};
    got = parse_text("\"'=1\",'-x,'Tis,''\n", &unguard);
    assert_string_equal(got, "1:0:0|q:=1|-x|'Tis|'\n");
    free(got);
    buf_release(&file);
    buf_release(&expected);
}

/* Writes records with csv_write_field, parses them back, and checks the fields match. */
static void assert_round_trip(const char *const *const *records, size_t nrecords,
                              const size_t *nfields, const size_t *const *lens, char delimiter,
                              size_t chunk)
{
    struct buf file = BUF_INIT;
    struct buf expected = BUF_INIT;
    for (size_t r = 0; r < nrecords; r++) {
        buf_printf(&expected, "%zu", r);
        for (size_t f = 0; f < nfields[r]; f++) {
            if (f)
                buf_putc(&file, delimiter);
            csv_write_field(&file, records[r][f], lens[r][f], delimiter);
            buf_putc(&expected, '|');
            put_escaped(&expected, records[r][f], lens[r][f]);
        }
        buf_putc(&file, '\n');
        buf_putc(&expected, '\n');
    }
    struct collected c;
    collected_init(&c);
    c.fields_only = 1;
    struct err e = {0, ""};
    struct csv_opts opts = {.delimiter = delimiter, .keep_blank_records = 1};
    assert_int_equal(parse_chunked(file.data, file.len, &opts, chunk, &c, &e), 0);
    assert_string_equal(buf_cstr(&c.text), buf_cstr(&expected));
    buf_release(&c.text);
    buf_release(&expected);
    buf_release(&file);
}

static void test_csv_write_field_round_trips(void **state)
{
    (void)state;
    static const char *const rec0[] = {"id", "caption, with comma", " padded ", ""};
    static const char *const rec1[] = {"\"quoted\"", "multi\r\nline\rand\n", "tab\there", "x"};
    static const char *const rec2[] = {""};
    static const char *const rec3[] = {"", ""};
    static const char *const rec4[] = {"\xEF\xBB\xBF", "semi;colon", "\"", "a\"b"};
    static const char *const *const records[] = {rec4, rec0, rec1, rec2, rec3};
    static const size_t nfields[] = {4, 4, 4, 1, 2};
    size_t lens_store[5][4];
    const size_t *lens[5];
    for (size_t r = 0; r < 5; r++) {
        for (size_t f = 0; f < nfields[r]; f++)
            lens_store[r][f] = strlen(records[r][f]);
        lens[r] = lens_store[r];
    }
    static const char delimiters[] = {',', ';', '\t'};
    for (size_t d = 0; d < 3; d++)
        for (size_t chunk = 0; chunk < 4; chunk++)
            assert_round_trip(records, 5, nfields, lens, delimiters[d], chunk);
}

/* xorshift64: a fixed sequence, the same on every machine. */
static uint64_t next_random(uint64_t *seed)
{
    uint64_t x = *seed;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *seed = x;
    return x;
}

static void test_csv_write_field_round_trips_random_bytes(void **state)
{
    (void)state;
    enum { NRECORDS = 400, MAXFIELDS = 6, MAXLEN = 24 };
    /* Bytes 1..255 (NUL cannot be in a text file), biased towards the ones that matter. */
    static const char special[] = {',', ';', '\t', '"', '\r', '\n', ' ', '\xEF', '\xBB', '\xBF'};
    uint64_t seed = 0x9E3779B97F4A7C15u;
    static char data[NRECORDS][MAXFIELDS][MAXLEN];
    static size_t lens_store[NRECORDS][MAXFIELDS];
    static const char *fields_store[NRECORDS][MAXFIELDS];
    static const char *const *records[NRECORDS];
    static const size_t *lens[NRECORDS];
    static size_t nfields[NRECORDS];
    static const char delimiters[] = {',', ';', '\t'};
    for (int round = 0; round < 6; round++) {
        for (size_t r = 0; r < NRECORDS; r++) {
            nfields[r] = 1 + next_random(&seed) % MAXFIELDS;
            for (size_t f = 0; f < nfields[r]; f++) {
                size_t len = next_random(&seed) % MAXLEN;
                for (size_t i = 0; i < len; i++) {
                    uint64_t x = next_random(&seed);
                    data[r][f][i] = x % 3 == 0 ? special[(x >> 8) % sizeof special]
                                               : (char)(1 + (x >> 8) % 255);
                }
                lens_store[r][f] = len;
                fields_store[r][f] = data[r][f];
            }
            records[r] = fields_store[r];
            lens[r] = lens_store[r];
        }
        size_t chunk = (size_t)round * 5; /* 0 (whole), 5, 10, ... */
        assert_round_trip(records, NRECORDS, nfields, lens, delimiters[round % 3], chunk);
    }
}

static int count_records(void *ctx, const struct csv_record *rec)
{
    (void)rec;
    (*(size_t *)ctx)++;
    return 0;
}

/* Parses one file in 64 KiB reads; returns the records or fails the test. */
static size_t parse_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t records = 0;
    struct csv_opts opts = {.name = path};
    struct csv_parser *p = csv_new(&opts, count_records, &records);
    struct err e = {0, ""};
    static char chunk[65536];
    int rc = 0;
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = csv_feed(p, chunk, n, &e);
    if (rc == 0)
        rc = csv_finish(p, &e);
    csv_free(p);
    fclose(f);
    if (rc != 0)
        fail_msg("%s", e.msg);
    return records;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Parses every .csv under dir (recursively); returns how many files. */
static size_t parse_csv_tree(const char *dir)
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
        if (S_ISDIR(st.st_mode)) {
            files += parse_csv_tree(path);
        } else if (ends_with(ent->d_name, ".csv")) {
            size_t records = parse_file(path);
            if (st.st_size > 0 && records == 0)
                fail_msg("%s: no records", path);
            files++;
        }
    }
    closedir(d);
    return files;
}

static void test_csv_every_peer_file_parses(void **state)
{
    (void)state;
    const char *dir = getenv("INFLUDASH_PEERS");
    if (!dir || !*dir)
        skip();
    assert_true(parse_csv_tree(dir) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_simple_records_carry_line_index_and_offset),
        cmocka_unit_test(test_csv_quoted_field_keeps_delimiter),
        cmocka_unit_test(test_csv_doubled_quotes_become_one_quote),
        cmocka_unit_test(test_csv_line_breaks_inside_quotes_keep_physical_line_numbers),
        cmocka_unit_test(test_csv_crlf_line_endings),
        cmocka_unit_test(test_csv_lone_cr_line_endings),
        cmocka_unit_test(test_csv_utf8_bom_is_stripped),
        cmocka_unit_test(test_csv_bytes_that_only_begin_like_a_bom_are_data),
        cmocka_unit_test(test_csv_detects_semicolon),
        cmocka_unit_test(test_csv_detects_tab),
        cmocka_unit_test(test_csv_detection_defaults_to_comma),
        cmocka_unit_test(test_csv_detection_tie_goes_to_comma),
        cmocka_unit_test(test_csv_quoted_delimiter_does_not_count_in_detection),
        cmocka_unit_test(test_csv_detection_uses_first_record_after_empty_lines),
        cmocka_unit_test(test_csv_detection_waits_for_the_end_of_the_first_record),
        cmocka_unit_test(test_csv_explicit_delimiter_skips_detection),
        cmocka_unit_test(test_csv_tricky_input_parses_as_expected),
        cmocka_unit_test(test_csv_every_split_point_gives_identical_records),
        cmocka_unit_test(test_csv_small_chunks_give_identical_records),
        cmocka_unit_test(test_csv_blank_records_are_skipped),
        cmocka_unit_test(test_csv_blank_records_are_kept_when_asked),
        cmocka_unit_test(test_csv_three_megabyte_field_fails_with_line_and_column),
        cmocka_unit_test(test_csv_field_limit_from_options),
        cmocka_unit_test(test_csv_too_many_fields_fails),
        cmocka_unit_test(test_csv_nul_byte_fails_as_binary),
        cmocka_unit_test(test_csv_unterminated_quote_names_the_line_it_opened_on),
        cmocka_unit_test(test_csv_callback_stop_is_passed_through),
        cmocka_unit_test(test_csv_last_record_without_line_break_is_flushed_at_finish),
        cmocka_unit_test(test_csv_trailing_delimiter_gives_an_empty_last_field),
        cmocka_unit_test(test_csv_empty_input_gives_no_records),
        cmocka_unit_test(test_csv_quote_inside_unquoted_field_is_literal),
        cmocka_unit_test(test_csv_text_after_closing_quote_is_kept),
        cmocka_unit_test(test_csv_error_names_input_without_a_name),
        cmocka_unit_test(test_csv_write_field_quotes_only_when_needed),
        cmocka_unit_test(test_csv_write_field_leaves_a_full_buffer_unchanged),
        cmocka_unit_test(test_csv_write_field_round_trips),
        cmocka_unit_test(test_csv_write_text_guards_formulas),
        cmocka_unit_test(test_csv_unguard_text_round_trips),
        cmocka_unit_test(test_csv_write_field_round_trips_random_bytes),
        cmocka_unit_test(test_csv_every_peer_file_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
