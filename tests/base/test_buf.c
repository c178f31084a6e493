/* test_buf.c — the two buffers: struct buf grows without failing (long printf, truncate,
 * detach), struct cbuf refuses an append past its cap with ERR_LIMIT and is unchanged then,
 * and cbuf_fits undoes a writer's output that passed the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "err.h"

#include "banned.h"

static void buf_grows_past_any_size(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    for (int i = 0; i < 10000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(buf_cstr(&b)), 10000);
    /* Longer than printf's first try (256 bytes). */
    buf_printf(&b, "%0600d|%s", 7, "end");
    assert_int_equal(b.len, 10000 + 604);
    assert_string_equal(buf_cstr(&b) + b.len - 5, "7|end");
    buf_truncate(&b, 3);
    assert_string_equal(buf_cstr(&b), "abc");
    buf_truncate(&b, 99); /* past the length: nothing changes */
    assert_string_equal(buf_cstr(&b), "abc");
    char *owned = buf_detach(&b);
    assert_string_equal(owned, "abc");
    free(owned);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

/* buf_append_nul packs strings one after another, each with its NUL counted in the
 * length, across growth, and the buffer stays terminated. */
static void buf_append_nul_packs_terminated_strings(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    size_t off[200];
    char piece[64];
    for (int i = 0; i < 200; i++) {
        int n = snprintf(piece, sizeof piece, "v%d", i * 7919);
        off[i] = b.len;
        buf_append_nul(&b, piece, (size_t)n);
        assert_int_equal(b.len, off[i] + (size_t)n + 1);
        assert_int_equal(b.data[b.len], '\0');
    }
    for (int i = 0; i < 200; i++) {
        snprintf(piece, sizeof piece, "v%d", i * 7919);
        assert_string_equal(b.data + off[i], piece);
    }
    size_t len = b.len;
    buf_append_nul(&b, "", 0);
    assert_int_equal(b.len, len + 1);
    assert_int_equal(b.data[len], '\0');
    buf_release(&b);
}

/* buf_extend hands out room for the caller's bytes, keeps what was there and the NUL
 * after, as the buffer grows past its first allocation. */
static void buf_extend_gives_room_after_the_bytes(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "ab");
    for (int i = 0; i < 100; i++) {
        char *at = buf_extend(&b, 3);
        memcpy(at, "xyz", 3);
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(b.len, 2 + 300);
    assert_memory_equal(b.data, "abxyzxyz", 8);
    assert_memory_equal(b.data + b.len - 3, "xyz", 3);
    assert_non_null(buf_extend(&b, 0));
    assert_int_equal(b.len, 302);
    buf_release(&b);
}

static void cbuf_takes_up_to_its_cap_exactly(void **state)
{
    (void)state;
    struct cbuf c = CBUF_INIT(6);
    assert_int_equal(cbuf_puts(&c, "abc"), 0);
    assert_int_equal(cbuf_printf(&c, "%d", 12), 0);
    assert_int_equal(cbuf_putc(&c, 'z'), 0);
    assert_string_equal(cbuf_cstr(&c), "abc12z");
    assert_int_equal(cbuf_putc(&c, '!'), ERR_LIMIT);
    assert_int_equal(cbuf_append(&c, "", 0), 0);
    assert_string_equal(cbuf_cstr(&c), "abc12z");
    cbuf_reset(&c);
    assert_int_equal(c.max, 6);
    assert_int_equal(cbuf_puts(&c, "abcdef"), 0);
    cbuf_release(&c);
}

static void cbuf_past_its_cap_is_a_limit_and_unchanged(void **state)
{
    (void)state;
    struct cbuf c;
    cbuf_init(&c, 8);
    assert_int_equal(cbuf_puts(&c, "12345"), 0);
    assert_int_equal(cbuf_puts(&c, "6789"), ERR_LIMIT);
    assert_int_equal(cbuf_printf(&c, "%s", "6789"), ERR_LIMIT);
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(cbuf_printf(&c, "%s", big), ERR_LIMIT);
    assert_int_equal(cbuf_append(&c, big, (size_t)-1), ERR_LIMIT); /* no overflow */
    assert_string_equal(cbuf_cstr(&c), "12345");
    assert_int_equal(c.b.len, 5);
    char *owned = cbuf_detach(&c);
    assert_string_equal(owned, "12345");
    free(owned);
    assert_int_equal(c.max, 8);
    /* A printf longer than the first try that still fits. */
    struct cbuf wide = CBUF_INIT(1000);
    assert_int_equal(cbuf_printf(&wide, "%s", big), 0);
    assert_int_equal(wide.b.len, sizeof big - 1);
    cbuf_release(&wide);
    /* A cap of 0 takes nothing but the empty append. */
    struct cbuf none = CBUF_INIT(0);
    assert_int_equal(cbuf_putc(&none, 'a'), ERR_LIMIT);
    assert_int_equal(cbuf_append(&none, "", 0), 0);
    assert_string_equal(cbuf_cstr(&none), "");
    cbuf_release(&none);
}

static void cbuf_fits_undoes_a_writer_past_the_cap(void **state)
{
    (void)state;
    struct cbuf c = CBUF_INIT(10);
    size_t mark = c.b.len;
    csv_write_field(&c.b, "a b", 3, ',');
    assert_int_equal(cbuf_fits(&c, mark), 0);
    mark = c.b.len;
    buf_putc(&c.b, ',');
    csv_write_field(&c.b, "quote \"me\"", 10, ',');
    assert_true(c.b.len > c.max);
    assert_int_equal(cbuf_fits(&c, mark), ERR_LIMIT);
    assert_string_equal(cbuf_cstr(&c), "a b");
    /* Exactly at the cap fits. */
    buf_puts(&c.b, "1234567");
    assert_int_equal(cbuf_fits(&c, 3), 0);
    assert_int_equal(c.b.len, 10);
    cbuf_release(&c);
}

/* Appends of 0 to 70 bytes (one byte the most often, as JSON's punctuation), across every
 * capacity the buffer doubles through: the content is what was appended, NUL-terminated. */
static void buf_appends_of_every_size_keep_the_bytes(void **state)
{
    (void)state;
    static char want[100000];
    char piece[70];
    size_t len = 0;
    unsigned seed = 1;
    struct buf b = BUF_INIT;
    while (len < sizeof want - sizeof piece) {
        seed = seed * 1103515245u + 12345u;
        size_t n = seed >> 16 & 1 ? 1 : (seed >> 17) % sizeof piece;
        for (size_t i = 0; i < n; i++)
            piece[i] = (char)('!' + (len + i) % 90);
        buf_append(&b, piece, n);
        memcpy(want + len, piece, n);
        len += n;
        assert_int_equal(b.len, len);
        assert_true(b.cap > b.len);
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_memory_equal(b.data, want, len);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_grows_past_any_size),
        cmocka_unit_test(buf_append_nul_packs_terminated_strings),
        cmocka_unit_test(buf_appends_of_every_size_keep_the_bytes),
        cmocka_unit_test(buf_extend_gives_room_after_the_bytes),
        cmocka_unit_test(cbuf_takes_up_to_its_cap_exactly),
        cmocka_unit_test(cbuf_past_its_cap_is_a_limit_and_unchanged),
        cmocka_unit_test(cbuf_fits_undoes_a_writer_past_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
