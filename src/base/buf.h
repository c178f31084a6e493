/* buf.h — the one growable byte buffer (always NUL-terminated) and allocation helpers.
 * A buf may carry a cap: appends past it fail with -1 and leave the buffer unchanged,
 * so input-sized data can never grow without bound. x* allocators abort on out-of-memory. */
#ifndef INFLUDASH_BUF_H
#define INFLUDASH_BUF_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

struct buf {
    char *data; /* NUL-terminated; NULL only before the first append */
    size_t len;
    size_t cap;
    size_t max; /* 0: no limit */
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Returns 0, or -1 when the append would pass b->max (nothing is appended then). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Always a valid C string, "" when empty. */
const char *buf_cstr(const struct buf *b);
/* Hands the data to the caller (free() it) and resets b. */
char *buf_detach(struct buf *b);

#endif
