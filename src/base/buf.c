/* buf.c — the growable buffer, the capped buffer and the aborting allocators (see buf.h).
 * Calls only libc. */
#include "buf.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#include "banned.h"

static void die_oom(size_t n)
{
    fprintf(stderr, "infludash: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die_oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

void xmalloc_trim(void)
{
    malloc_trim(0);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void buf_init(struct buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(struct buf *b)
{
    buf_truncate(b, 0);
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len < b->len)
        b->len = len;
    if (b->data)
        b->data[b->len] = '\0';
}

/* Makes room for n more bytes plus the terminating NUL. */
static void buf_grow(struct buf *b, size_t n)
{
    if (n >= (size_t)-1 - b->len)
        die_oom(n);
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap < ((size_t)1 << 40) ? cap * 2 : need;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
    /* the room check first, without a call: a JSON answer appends a few bytes at a time */
    if (b->len >= b->cap || n >= b->cap - b->len)
        buf_grow(b, n);
    if (n == 1) /* a comma, colon or quote of JSON: no call to memcpy */
        b->data[b->len] = *(const char *)p;
    else if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_append_nul(struct buf *b, const void *p, size_t n)
{
    buf_grow(b, n + 1);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->data[b->len + n] = '\0';
    b->len += n + 1;
    b->data[b->len] = '\0';
}

char *buf_extend(struct buf *b, size_t n)
{
    buf_grow(b, n);
    char *at = b->data + b->len;
    b->len += n;
    b->data[b->len] = '\0';
    return at;
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return;
    }
    buf_append(b, &c, 1);
}

/* The length vsnprintf gives fmt with ap, and the text when it fits small. */
static size_t format_length(char *small, size_t size, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, size, fmt, copy);
    va_end(copy);
    /* vsnprintf fails only on a bad format or a length past INT_MAX: a programmer error. */
    if (n < 0) {
        fprintf(stderr, "infludash: bad format \"%s\"\n", fmt);
        abort();
    }
    return (size_t)n;
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    char small[256];
    size_t n = format_length(small, sizeof small, fmt, ap);
    if (n < sizeof small) {
        buf_append(b, small, n);
        return;
    }
    buf_grow(b, n);
    vsnprintf(b->data + b->len, n + 1, fmt, ap);
    b->len += n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *buf_cstr(const struct buf *b)
{
    return b->data ? b->data : "";
}

char *buf_detach(struct buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    buf_init(b);
    return p;
}

void cbuf_init(struct cbuf *c, size_t max)
{
    buf_init(&c->b);
    c->max = max;
}

void cbuf_release(struct cbuf *c)
{
    buf_release(&c->b);
}

void cbuf_reset(struct cbuf *c)
{
    buf_reset(&c->b);
}

/* Whether n more bytes stay within the cap. */
static bool cbuf_room(const struct cbuf *c, size_t n)
{
    return c->b.len <= c->max && n <= c->max - c->b.len;
}

int cbuf_append(struct cbuf *c, const void *p, size_t n)
{
    if (!cbuf_room(c, n))
        return ERR_LIMIT;
    buf_append(&c->b, p, n);
    return 0;
}

int cbuf_puts(struct cbuf *c, const char *s)
{
    return cbuf_append(c, s, strlen(s));
}

int cbuf_putc(struct cbuf *c, char ch)
{
    return cbuf_append(c, &ch, 1);
}

int cbuf_vprintf(struct cbuf *c, const char *fmt, va_list ap)
{
    char small[256];
    size_t n = format_length(small, sizeof small, fmt, ap);
    if (!cbuf_room(c, n))
        return ERR_LIMIT;
    if (n < sizeof small)
        buf_append(&c->b, small, n);
    else
        buf_vprintf(&c->b, fmt, ap);
    return 0;
}

int cbuf_printf(struct cbuf *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cbuf_vprintf(c, fmt, ap);
    va_end(ap);
    return rc;
}

int cbuf_fits(struct cbuf *c, size_t mark)
{
    if (c->b.len <= c->max)
        return 0;
    buf_truncate(&c->b, mark);
    return ERR_LIMIT;
}

const char *cbuf_cstr(const struct cbuf *c)
{
    return buf_cstr(&c->b);
}

char *cbuf_detach(struct cbuf *c)
{
    return buf_detach(&c->b);
}
