/* buf.h — the two growable byte buffers (always NUL-terminated) and allocation helpers.
 * struct buf is for text the program makes itself (a response, SQL, a report): its appends
 * cannot fail, and out of memory aborts like every x* allocator. struct cbuf is for text
 * that grows with input (a request body, a file read whole, a list of a file's keys): it
 * carries a cap, and an append past it returns ERR_LIMIT and leaves the buffer unchanged,
 * so input can never grow memory without bound. The type says which one a caller meant.
 * Calls only libc (and err.h for ERR_LIMIT). */
#ifndef INFLUDASH_BUF_H
#define INFLUDASH_BUF_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Gives the memory the allocator holds free back to the system (every thread's arena, not
 * only the top of the main heap): after a large transient load (an import, an engine
 * load) whose freed pages would otherwise stay in the process's RSS. */
void xmalloc_trim(void);

/* An uncapped buffer: internal text. */
struct buf {
    char *data; /* NUL-terminated; NULL only before the first append */
    size_t len;
    size_t cap; /* bytes allocated */
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Appends cannot fail: they grow the buffer (or abort when memory is out). */
void buf_append(struct buf *b, const void *p, size_t n);
/* Appends n bytes and a NUL, both counted in the length (strings packed one after another,
 * each terminated): buf_append then buf_putc('\0') in one step. */
void buf_append_nul(struct buf *b, const void *p, size_t n);
/* Adds n bytes to the length and returns where they start, for the caller to fill (the
 * buffer stays NUL-terminated after them). */
char *buf_extend(struct buf *b, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Cuts b back to its first len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Always a valid C string, "" when empty. */
const char *buf_cstr(const struct buf *b);
/* Hands the data to the caller (free() it) and resets b. */
char *buf_detach(struct buf *b);

/* A capped buffer: input. b is readable as a struct buf (c.b.data, c.b.len, buf_cstr(&c.b))
 * but is only written through cbuf_* (or through a writer followed by cbuf_fits), so b.len
 * never stays above max. */
struct cbuf {
    struct buf b;
    size_t max; /* bytes of text at most; more than 0 */
};

#define CBUF_INIT(max)                                                                             \
    {                                                                                              \
        BUF_INIT, (max)                                                                            \
    }

void cbuf_init(struct cbuf *c, size_t max);
void cbuf_release(struct cbuf *c);
void cbuf_reset(struct cbuf *c);
/* Return 0, or ERR_LIMIT when the append would pass c->max (nothing is appended then). */
int cbuf_append(struct cbuf *c, const void *p, size_t n);
int cbuf_puts(struct cbuf *c, const char *s);
int cbuf_putc(struct cbuf *c, char ch);
int cbuf_printf(struct cbuf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cbuf_vprintf(struct cbuf *c, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* For a writer that takes a struct buf (csv_write_field, html_escape, ...) used on &c->b:
 * 0 when c->b.len is within c->max; else cuts c->b back to mark (its length before the
 * writer ran) and returns ERR_LIMIT, so the buffer is as it was before that write. */
int cbuf_fits(struct cbuf *c, size_t mark);
const char *cbuf_cstr(const struct cbuf *c);
/* Hands the data to the caller (free() it) and resets c, keeping its cap. */
char *cbuf_detach(struct cbuf *c);

#endif
