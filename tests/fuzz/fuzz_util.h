/* fuzz_util.h — helpers the libFuzzer targets share: an invariant check that names what
 * broke before it aborts, and the input's leading option byte. Header-only, static. */
#ifndef INFLUDASH_FUZZ_UTIL_H
#define INFLUDASH_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* An invariant the code under test promises: on failure print what and where, then abort so
 * libFuzzer saves the input. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Two transcripts must be byte-identical; prints both on a mismatch. */
static inline void fuzz_same(const struct buf *a, const struct buf *b, const char *what)
{
    if (a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0))
        return;
    fprintf(stderr, "%s differ:\n--- first (%zu bytes)\n%s\n--- second (%zu bytes)\n%s\n", what,
            a->len, buf_cstr(a), b->len, buf_cstr(b));
    abort();
}

/* Appends s[0..len) to a transcript, escaped so transcripts print readably. */
static inline void fuzz_put_bytes(struct buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf_putc(out, (char)c);
        else
            buf_printf(out, "\\x%02x", c);
    }
}

/* Splits off the first byte of the input as options (0 when the input is empty). */
static inline unsigned fuzz_take_byte(const uint8_t **data, size_t *size)
{
    if (*size == 0)
        return 0;
    unsigned b = **data;
    (*data)++;
    (*size)--;
    return b;
}

#endif
