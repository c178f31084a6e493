/* json.c — the streaming JSON writer (see json.h). Punctuation is decided here from a
 * small stack of open containers; string escaping and UTF-8 repair live in json_escape.
 * Calls buf, err and format (format_double). */
#include "json.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#include "banned.h"

#define FRAME_OBJECT 0x1 /* the container is an object (else an array) */
#define FRAME_HAS 0x2    /* it has at least one member, so the next one needs a comma */

void json_init(struct json *j, struct buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

void json_init_capped(struct json *j, struct buf *out, size_t max)
{
    json_init(j, out);
    j->max = max;
}

static int json_fail(struct json *j)
{
    if (!j->error)
        j->error = ERR_LIMIT;
    return -1;
}

/* Whether out, now at mark + what was written, is still within the cap; else cuts it back. */
static int json_fits(struct json *j, size_t mark)
{
    if (!j->max || j->out->len <= j->max)
        return 0;
    buf_truncate(j->out, mark);
    return json_fail(j);
}

static int json_put(struct json *j, const char *s, size_t len)
{
    if (j->max && (j->out->len > j->max || len > j->max - j->out->len))
        return json_fail(j);
    buf_append(j->out, s, len);
    return 0;
}

/* Writes the comma a value needs in its container and checks that a value may come here. */
static int json_before_value(struct json *j)
{
    if (j->error)
        return -1;
    if (j->depth == 0) {
        assert(!j->top_done && "json: a second top-level value");
        return 0;
    }
    unsigned char *frame = &j->frame[j->depth - 1];
    if (*frame & FRAME_OBJECT) {
        assert(j->want_value && "json: a value in an object without json_key");
        j->want_value = false;
        return 0;
    }
    if (*frame & FRAME_HAS) {
        if (json_put(j, ",", 1) < 0)
            return -1;
    }
    *frame |= FRAME_HAS;
    return 0;
}

static void json_after_value(struct json *j)
{
    if (j->depth == 0)
        j->top_done = true;
}

static int json_scalar(struct json *j, const char *text, size_t len)
{
    if (json_before_value(j) < 0)
        return -1;
    if (json_put(j, text, len) < 0)
        return -1;
    json_after_value(j);
    return 0;
}

static int json_open(struct json *j, char bracket, unsigned char kind)
{
    if (json_before_value(j) < 0)
        return -1;
    if (j->depth == JSON_MAX_DEPTH) {
        j->too_deep = true;
        return json_fail(j);
    }
    if (json_put(j, &bracket, 1) < 0)
        return -1;
    j->frame[j->depth++] = kind;
    return 0;
}

static int json_close(struct json *j, char bracket, unsigned char kind)
{
    (void)kind; /* only checked by assert */
    if (j->error)
        return -1;
    assert(j->depth > 0 && "json: end without begin");
    assert((j->frame[j->depth - 1] & FRAME_OBJECT) == kind && "json: mismatched end");
    assert(!j->want_value && "json: object ended after a key without its value");
    if (json_put(j, &bracket, 1) < 0)
        return -1;
    j->depth--;
    json_after_value(j);
    return 0;
}

int json_obj_begin(struct json *j)
{
    return json_open(j, '{', FRAME_OBJECT);
}

int json_obj_end(struct json *j)
{
    return json_close(j, '}', FRAME_OBJECT);
}

int json_arr_begin(struct json *j)
{
    return json_open(j, '[', 0);
}

int json_arr_end(struct json *j)
{
    return json_close(j, ']', 0);
}

int json_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int trail;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the first continuation byte */
    if (c >= 0xC2 && c <= 0xDF) {
        trail = 1;
    } else if (c == 0xE0) {
        trail = 2;
        lo = 0xA0; /* no overlong forms */
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        trail = 2;
    } else if (c == 0xED) {
        trail = 2;
        hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c == 0xF0) {
        trail = 3;
        lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        trail = 3;
    } else if (c == 0xF4) {
        trail = 3;
        hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return -1; /* a stray continuation byte, C0, C1 or F5..FF */
    }
    for (int i = 1; i <= trail; i++) {
        if ((size_t)i >= n || s[i] < lo || s[i] > hi)
            return -i;
        lo = 0x80;
        hi = 0xBF;
    }
    return trail + 1;
}

/* The escape for one ASCII byte, or NULL when it is written as is. */
static const char *json_ascii_escape(unsigned char c, char tmp[7])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    case '<': /* so that "</script>" and "<!--" cannot end an HTML context */
        return "\\u003c";
    case '>':
        return "\\u003e";
    case '&':
        return "\\u0026";
    default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
        snprintf(tmp, 7, "\\u%04x", c);
        return tmp;
    }
    return NULL;
}

/* 1 for the bytes json_escape copies as they are: ASCII from space to '~' but for the five
 * json_ascii_escape writes otherwise ('"', '\\', '<', '>', '&'). */
static const unsigned char json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

void json_escape(struct buf *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0; /* s[run..i) is pending output that needs no escape */
    while (i < len) {
        /* most bytes of keys and labels need nothing: skip them a table lookup each */
        while (i < len && json_plain[s[i]])
            i++;
        if (i == len)
            break;
        const char *esc = NULL;
        char tmp[7];
        size_t skip = 1;
        if (s[i] < 0x80) {
            esc = json_ascii_escape(s[i], tmp);
        } else {
            int n = json_utf8_seq(s + i, len - i);
            if (n < 0) {
                esc = "\xEF\xBF\xBD"; /* U+FFFD REPLACEMENT CHARACTER */
                skip = (size_t)-n;
            } else if (n == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 &&
                       (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
                /* U+2028/U+2029 end a line in older JavaScript string literals. */
                esc = s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
                skip = 3;
            } else {
                skip = (size_t)n;
            }
        }
        if (esc) {
            buf_append(out, s + run, i - run);
            buf_puts(out, esc);
            run = i + skip;
        }
        i += skip;
    }
    buf_append(out, s + run, len - run);
}

static int json_quoted(struct json *j, const char *s, size_t len)
{
    if (json_put(j, "\"", 1) < 0)
        return -1;
    size_t mark = j->out->len;
    json_escape(j->out, s, len);
    if (json_fits(j, mark) < 0)
        return -1;
    return json_put(j, "\"", 1);
}

int json_keyn(struct json *j, const char *key, size_t len)
{
    if (j->error)
        return -1;
    assert(j->depth > 0 && (j->frame[j->depth - 1] & FRAME_OBJECT) &&
           "json: key outside an object");
    assert(!j->want_value && "json: two keys in a row");
    unsigned char *frame = &j->frame[j->depth - 1];
    if ((*frame & FRAME_HAS) && json_put(j, ",", 1) < 0)
        return -1;
    *frame |= FRAME_HAS;
    if (json_quoted(j, key, len) < 0 || json_put(j, ":", 1) < 0)
        return -1;
    j->want_value = true;
    return 0;
}

int json_key(struct json *j, const char *key)
{
    return json_keyn(j, key, strlen(key));
}

int json_strn(struct json *j, const char *s, size_t len)
{
    if (!s)
        return json_null(j);
    if (json_before_value(j) < 0)
        return -1;
    if (json_quoted(j, s, len) < 0)
        return -1;
    json_after_value(j);
    return 0;
}

int json_str(struct json *j, const char *s)
{
    return json_strn(j, s, s ? strlen(s) : 0);
}

/* Digits of v, written backwards from end; returns where they start. (snprintf is a
 * good part of an API answer's cost: every figure is an integer or money.) */
static char *put_digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

int json_int(struct json *j, int64_t v)
{
    char tmp[24];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = put_digits(tmp + sizeof tmp, mag);
    if (v < 0)
        *--p = '-';
    return json_scalar(j, p, (size_t)(tmp + sizeof tmp - p));
}

int json_money(struct json *j, int64_t minor)
{
    /* Unsigned magnitude, so INT64_MIN has one too. */
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    char tmp[32];
    char *end = tmp + sizeof tmp;
    *--end = (char)('0' + mag % 10);
    *--end = (char)('0' + mag / 10 % 10);
    *--end = '.';
    char *p = put_digits(end, mag / 100);
    if (minor < 0)
        *--p = '-';
    return json_scalar(j, p, (size_t)(tmp + sizeof tmp - p));
}

int json_double(struct json *j, double v)
{
    if (!isfinite(v))
        return json_null(j);
    char tmp[FORMAT_MAX];
    int n = format_double(tmp, sizeof tmp, v);
    return json_scalar(j, tmp, (size_t)n);
}

int json_null(struct json *j)
{
    return json_scalar(j, "null", 4);
}

int json_bool(struct json *j, bool v)
{
    return v ? json_scalar(j, "true", 4) : json_scalar(j, "false", 5);
}

int json_raw(struct json *j, const char *text, size_t len)
{
    return json_scalar(j, text, len);
}

int json_kv_str(struct json *j, const char *key, const char *s)
{
    return json_key(j, key) < 0 ? -1 : json_str(j, s);
}

int json_kv_int(struct json *j, const char *key, int64_t v)
{
    return json_key(j, key) < 0 ? -1 : json_int(j, v);
}

int json_kv_money(struct json *j, const char *key, int64_t minor)
{
    return json_key(j, key) < 0 ? -1 : json_money(j, minor);
}

int json_kv_double(struct json *j, const char *key, double v)
{
    return json_key(j, key) < 0 ? -1 : json_double(j, v);
}

int json_kv_bool(struct json *j, const char *key, bool v)
{
    return json_key(j, key) < 0 ? -1 : json_bool(j, v);
}

int json_kv_null(struct json *j, const char *key)
{
    return json_key(j, key) < 0 ? -1 : json_null(j);
}

int json_finish(struct json *j, struct err *e)
{
    if (j->too_deep)
        return err_set(e, ERR_LIMIT, "JSON output nested deeper than %d levels", JSON_MAX_DEPTH);
    if (j->error)
        return err_set(e, ERR_LIMIT, "JSON output larger than the limit of %zu bytes", j->max);
    assert(j->depth == 0 && !j->want_value && "json: unclosed container");
    assert(j->top_done && "json: nothing written");
    return 0;
}
