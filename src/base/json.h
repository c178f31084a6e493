/* json.h — our streaming JSON writer: values are appended to a struct buf as they are
 * produced, with commas and nesting tracked here so callers never place punctuation.
 * Strings are escaped per RFC 8259 and made safe to embed in HTML (<, >, & and U+2028/9 as
 * \uXXXX); invalid UTF-8 becomes U+FFFD. Money is int64 minor units printed with exactly two
 * decimals. Calls buf, err and format.
 *
 *     struct json j;
 *     json_init(&j, &out);
 *     json_obj_begin(&j);
 *     json_key(&j, "revenue"); json_money(&j, 150616);   // "revenue":1506.16
 *     json_obj_end(&j);
 *     if (json_finish(&j, e) < 0) ...
 *
 * The output is a struct buf, which cannot fail; a writer made with json_init_capped has a
 * cap of its own for output that input decides the size of. Errors are sticky: once a
 * value would pass the cap (it is then not written) or nesting passed JSON_MAX_DEPTH,
 * every later call returns -1 and json_finish reports the first failure.
 * Misuse (a value in an object without a key, a key in an array, unbalanced ends) is a
 * programmer error and assert()ed. */
#ifndef INFLUDASH_JSON_H
#define INFLUDASH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define JSON_MAX_DEPTH 64

struct json {
    struct buf *out;                     /* not owned */
    size_t max;                          /* 0, or out->len at most (json_init_capped) */
    int depth;                           /* open containers */
    unsigned char frame[JSON_MAX_DEPTH]; /* per open container: object?, has members? */
    bool top_done;                       /* a complete top-level value was written */
    bool want_value;                     /* a key was written, its value is due */
    int error;                           /* 0, or ERR_LIMIT once the cap or the depth was passed */
    bool too_deep;                       /* the error was the depth */
};

void json_init(struct json *j, struct buf *out);
/* The same with a cap: out->len never passes max; the value that would is a limit error. */
void json_init_capped(struct json *j, struct buf *out, size_t max);

int json_obj_begin(struct json *j);
int json_obj_end(struct json *j);
int json_arr_begin(struct json *j);
int json_arr_end(struct json *j);

/* An object member's name; the next call must write its value. */
int json_key(struct json *j, const char *key);
int json_keyn(struct json *j, const char *key, size_t len);

/* s may be NULL: written as null. */
int json_str(struct json *j, const char *s);
int json_strn(struct json *j, const char *s, size_t len);
int json_int(struct json *j, int64_t v);
/* Minor units (cents, paise) as a decimal with two places: 150616 → 1506.16, -5 → -0.05. */
int json_money(struct json *j, int64_t minor);
/* Shortest of %.15g, %.16g, %.17g that reads back to the same double (so 0.1 prints as
 * 0.1 and every value round-trips); NaN and infinities are written as null. */
int json_double(struct json *j, double v);
int json_null(struct json *j);
int json_bool(struct json *j, bool v);
/* Already-serialised JSON (e.g. a stored `extra` object), written as one value unchecked. */
int json_raw(struct json *j, const char *text, size_t len);

/* Convenience: json_key followed by the value. */
int json_kv_str(struct json *j, const char *key, const char *s);
int json_kv_int(struct json *j, const char *key, int64_t v);
int json_kv_money(struct json *j, const char *key, int64_t minor);
int json_kv_double(struct json *j, const char *key, double v);
int json_kv_bool(struct json *j, const char *key, bool v);
int json_kv_null(struct json *j, const char *key);

/* 0 when the output is one complete value; else fills e: ERR_LIMIT when the writer's cap or
 * the depth was passed. Asserts that every container was closed. */
int json_finish(struct json *j, struct err *e);

/* Appends s escaped as the inside of a JSON string (no quotes) to out; for callers that
 * build JSON by other means. */
void json_escape(struct buf *out, const char *s, size_t len);

/* Length of the well-formed UTF-8 sequence at s (1..4, at most n bytes), or, when s starts
 * an ill-formed one, minus the length of its maximal subpart (the bytes that one U+FFFD
 * replaces, as Unicode §3.9 recommends). n must be > 0. */
int json_utf8_seq(const unsigned char *s, size_t n);

#endif
