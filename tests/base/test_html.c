/* test_html.c — HTML escaping: the five special characters, UTF-8 kept, invalid UTF-8
 * replaced, caps honoured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "err.h"
#include "html.h"

#include "banned.h"

static void escape_is(const char *in, size_t len, const char *want)
{
    struct buf out = BUF_INIT;
    html_escape(&out, in, len);
    assert_string_equal(buf_cstr(&out), want);
    buf_release(&out);
}

#define ESCAPE_IS(lit, want) escape_is(lit, sizeof(lit) - 1, want)

static void escapes_the_five_specials(void **state)
{
    (void)state;
    ESCAPE_IS("plain text", "plain text");
    ESCAPE_IS("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    ESCAPE_IS("a & b \"c\"", "a &amp; b &quot;c&quot;");
    ESCAPE_IS("&amp;", "&amp;amp;");
}

static void keeps_utf8_and_replaces_invalid_bytes(void **state)
{
    (void)state;
    ESCAPE_IS("₹4,500 · café", "₹4,500 · café");
    ESCAPE_IS("caf\xE9 <", "caf\xEF\xBF\xBD &lt;");
    ESCAPE_IS("\xE2\x82", "\xEF\xBF\xBD");
}

static void null_appends_nothing(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    html_puts(&out, NULL);
    html_puts(&out, "<b>");
    assert_string_equal(buf_cstr(&out), "&lt;b&gt;");
    buf_release(&out);
}

static void honours_the_buffer_cap(void **state)
{
    (void)state;
    struct cbuf out;
    cbuf_init(&out, 8);
    html_puts(&out.b, "<<<");
    assert_int_equal(cbuf_fits(&out, 0), ERR_LIMIT);
    assert_string_equal(cbuf_cstr(&out), "");
    buf_release(&out.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_the_five_specials),
        cmocka_unit_test(keeps_utf8_and_replaces_invalid_bytes),
        cmocka_unit_test(null_appends_nothing),
        cmocka_unit_test(honours_the_buffer_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
