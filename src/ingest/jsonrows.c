/* jsonrows.c — streaming reader for a JSON array of flat objects (see jsonrows.h).
 * A byte-level state machine that keeps only the object being read: its keys and values
 * sit back to back in one buffer and are handed over when the object closes.
 * Calls only buf and err. */
#include "jsonrows.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "banned.h"

#define JSONROWS_DEFAULT_MAX_VALUE_BYTES ((size_t)1 << 20)
#define JSONROWS_DEFAULT_MAX_PAIRS ((size_t)4096)

static const unsigned char utf8_bom[3] = {0xEF, 0xBB, 0xBF};

enum jr_state {
    JR_BEFORE_ARRAY,  /* a BOM and whitespace, then '[' */
    JR_FIRST_ELEMENT, /* after '[': '{' or ']' */
    JR_ELEMENT,       /* after ',' between elements: '{' */
    JR_AFTER_ELEMENT, /* after an object: ',' or ']' */
    JR_FIRST_KEY,     /* after '{': '"' or '}' */
    JR_KEY,           /* after ',' inside an object: '"' */
    JR_COLON,
    JR_VALUE,
    JR_AFTER_VALUE, /* ',' or '}' */
    JR_STRING,      /* inside a key or a string value */
    JR_LITERAL,     /* a number, true, false or null */
    JR_NESTED,      /* inside a nested object or array, kept as raw text */
    JR_AFTER_ARRAY, /* only whitespace may follow */
};

/* Where an escape inside a string has got to. */
enum jr_escape {
    JR_ESC_NONE,
    JR_ESC_BACKSLASH,     /* after '\' */
    JR_ESC_HEX,           /* reading the 4 hex digits of \uXXXX */
    JR_ESC_LOW_BACKSLASH, /* after a high surrogate: expecting '\' of its low half */
    JR_ESC_LOW_U,         /* expecting 'u' of the low half */
};

/* A key/value pair of the object being read: offsets into text, which may move. */
struct jr_span {
    size_t key_off;
    size_t key_len;
    size_t value_off;
    size_t value_len;
    int is_null;
    uint64_t line;
};

struct jsonrows {
    jsonrows_object_fn fn;
    void *ctx;
    char *name;
    size_t max_value_bytes;
    size_t max_pairs;
    int keys_only;

    enum jr_state state;
    uint64_t line; /* position of the next byte: line and byte column, both 1-based */
    uint64_t column;
    uint64_t offset; /* bytes consumed */
    size_t bom_matched;
    int failed; /* 0, or the code that made the reader unusable */
    int finished;

    uint64_t object_line;
    uint64_t index;
    struct buf text; /* keys and values of the current object, each NUL-terminated */
    struct jr_span *spans;
    size_t nspans;
    size_t spans_cap;
    struct jsonrows_pair *pairs; /* capacity spans_cap */

    /* The token being read (a key, a string, a literal or a nested value). */
    size_t token_off; /* where it starts in text */
    int string_is_key;
    uint64_t token_line;
    uint64_t token_column;
    enum jr_escape escape;
    uint64_t escape_column; /* where the escape being read began (its backslash) */
    int hex_digits;
    unsigned hex_value;
    unsigned high_surrogate;
    struct buf nest; /* open brackets of a nested value, innermost last */
    int nest_in_string;
    int nest_escape;
};

/* Fills e with "NAME:LINE:COLUMN: reason", marks the reader unusable and returns code. */
__attribute__((format(printf, 6, 7))) static int jr_error(struct jsonrows *r, struct err *e,
                                                          int code, uint64_t line, uint64_t column,
                                                          const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    r->failed = code;
    return err_set(e, code, "%s:%" PRIu64 ":%" PRIu64 ": %s", r->name, line, column, reason);
}

/* An input error at the byte being looked at. */
#define jr_input_error(r, e, ...) jr_error(r, e, ERR_INPUT, (r)->line, (r)->column, __VA_ARGS__)

/* Names a byte for a message: 'x' when printable, else its hex value. */
static const char *byte_name(char c, char out[16])
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(out, 16, "'%c'", u);
    else
        snprintf(out, 16, "byte 0x%02X", u);
    return out;
}

struct jsonrows *jsonrows_new(const struct jsonrows_opts *opts, jsonrows_object_fn fn, void *ctx)
{
    static const struct jsonrows_opts defaults = {0, 0, NULL, 0};
    if (!opts)
        opts = &defaults;
    assert(fn);
    struct jsonrows *r = xcalloc(1, sizeof *r);
    r->fn = fn;
    r->ctx = ctx;
    r->name = xstrdup(opts->name ? opts->name : "input");
    r->max_value_bytes =
        opts->max_value_bytes ? opts->max_value_bytes : JSONROWS_DEFAULT_MAX_VALUE_BYTES;
    r->max_pairs = opts->max_pairs ? opts->max_pairs : JSONROWS_DEFAULT_MAX_PAIRS;
    r->keys_only = opts->keys_only;
    r->state = JR_BEFORE_ARRAY;
    r->line = 1;
    r->column = 1;
    buf_init(&r->text);
    buf_init(&r->nest);
    return r;
}

void jsonrows_free(struct jsonrows *r)
{
    if (!r)
        return;
    free(r->spans);
    free(r->pairs);
    buf_release(&r->text);
    buf_release(&r->nest);
    free(r->name);
    free(r);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_literal_byte(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '+' || c == '.';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_json_number(const char *s, size_t len)
{
    const char *end = s + len;
    if (s < end && *s == '-')
        s++;
    if (s == end || !is_digit(*s))
        return 0;
    if (*s == '0')
        s++;
    else
        while (s < end && is_digit(*s))
            s++;
    if (s < end && *s == '.') {
        s++;
        if (s == end || !is_digit(*s))
            return 0;
        while (s < end && is_digit(*s))
            s++;
    }
    if (s < end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        if (s == end || !is_digit(*s))
            return 0;
        while (s < end && is_digit(*s))
            s++;
    }
    return s == end;
}

/* Moves the position past one consumed byte. */
static void advance(struct jsonrows *r, char c)
{
    r->offset++;
    if (c == '\n') {
        r->line++;
        r->column = 1;
    } else {
        r->column++;
    }
}

/* Appends to the token being read, enforcing max_value_bytes. */
static int token_append(struct jsonrows *r, const char *data, size_t len, struct err *e)
{
    if (r->keys_only && r->state == JR_STRING && !r->string_is_key)
        return 0;
    size_t have = r->text.len - r->token_off;
    if (len > r->max_value_bytes - have)
        return jr_error(r, e, ERR_LIMIT, r->token_line, r->token_column, "%s longer than %zu bytes",
                        r->string_is_key ? "key" : "value", r->max_value_bytes);
    buf_append(&r->text, data, len); /* text has no cap of its own: cannot fail */
    return 0;
}

static int token_append_utf8(struct jsonrows *r, unsigned cp, struct err *e)
{
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return token_append(r, out, n, e);
}

static void begin_token(struct jsonrows *r, int is_key)
{
    r->token_off = r->text.len;
    r->string_is_key = is_key;
    r->token_line = r->line;
    r->token_column = r->column;
}

static void begin_object(struct jsonrows *r)
{
    r->object_line = r->line;
    r->nspans = 0;
    buf_reset(&r->text);
    r->state = JR_FIRST_KEY;
}

/* Opens a pair at the key's opening quote, enforcing max_pairs. */
static int begin_key(struct jsonrows *r, struct err *e)
{
    if (r->nspans == r->spans_cap) {
        if (r->nspans == r->max_pairs)
            return jr_error(r, e, ERR_LIMIT, r->line, r->column, "object has more than %zu keys",
                            r->max_pairs);
        size_t cap = r->spans_cap ? r->spans_cap * 2 : 16;
        if (cap > r->max_pairs)
            cap = r->max_pairs;
        r->spans = xrealloc(r->spans, cap * sizeof *r->spans);
        r->pairs = xrealloc(r->pairs, cap * sizeof *r->pairs);
        r->spans_cap = cap;
    }
    struct jr_span *span = &r->spans[r->nspans++];
    memset(span, 0, sizeof *span);
    begin_token(r, 1);
    span->key_off = r->token_off;
    r->escape = JR_ESC_NONE;
    r->state = JR_STRING;
    return 0;
}

/* Closes the key or value token that ends here (NUL-terminated in text). */
static void end_token(struct jsonrows *r)
{
    struct jr_span *span = &r->spans[r->nspans - 1];
    size_t len = r->text.len - r->token_off;
    if (r->string_is_key) {
        span->key_len = len;
        r->state = JR_COLON;
    } else {
        span->value_off = r->token_off;
        span->value_len = len;
        span->line = r->token_line;
        r->state = JR_AFTER_VALUE;
    }
    buf_putc(&r->text, '\0');
}

static int end_object(struct jsonrows *r)
{
    const char *base = buf_cstr(&r->text);
    for (size_t i = 0; i < r->nspans; i++) {
        const struct jr_span *span = &r->spans[i];
        struct jsonrows_pair *pair = &r->pairs[i];
        pair->key = base + span->key_off;
        pair->key_len = span->key_len;
        pair->value = base + span->value_off;
        pair->value_len = span->value_len;
        pair->is_null = span->is_null;
        pair->line = span->line;
    }
    r->state = JR_AFTER_ELEMENT;
    int rc = r->fn(r->ctx, r->pairs, r->nspans, r->object_line, r->index++);
    if (rc < 0) {
        r->failed = rc;
        return rc;
    }
    return 0;
}

/* Ends a number or true/false/null at the first byte that cannot belong to it. */
static int end_literal(struct jsonrows *r, struct err *e)
{
    const char *text = r->text.data + r->token_off;
    size_t len = r->text.len - r->token_off;
    int is_null = len == 4 && memcmp(text, "null", 4) == 0;
    int valid = is_null || (len == 4 && memcmp(text, "true", 4) == 0) ||
                (len == 5 && memcmp(text, "false", 5) == 0) || is_json_number(text, len);
    if (!valid)
        return jr_error(r, e, ERR_INPUT, r->token_line, r->token_column,
                        "not a JSON value: %.*s (expected a string in double quotes, a number, "
                        "true, false or null)",
                        (int)(len < 40 ? len : 40), text);
    if (is_null) {
        r->text.len = r->token_off;
        r->text.data[r->text.len] = '\0';
        r->spans[r->nspans - 1].is_null = 1;
    }
    end_token(r);
    return 0;
}

static int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int lone_high_surrogate(struct jsonrows *r, struct err *e)
{
    return jr_input_error(r, e,
                          "\\u%04X is the first half of a surrogate pair but no \\uDC00-"
                          "\\uDFFF second half follows",
                          r->high_surrogate);
}

/* \u0000 and the other C0 control characters but tab, newline and carriage return (\b, \f,
 * \u0001 ... \u001F): text cannot hold them (a CSV file with a NUL is refused as binary
 * data, and an export would write the byte raw), so a string with one is refused, naming its
 * key. */
static int control_escape(struct jsonrows *r, unsigned unit, struct err *e)
{
    const struct jr_span *span = r->nspans ? &r->spans[r->nspans - 1] : NULL;
    char what[48];
    if (unit == 0)
        snprintf(what, sizeof what, "\\u0000 (a NUL character)");
    else
        snprintf(what, sizeof what, "\\u%04X (a control character)", unit);
    if (r->string_is_key || !span)
        return jr_error(r, e, ERR_INPUT, r->line, r->escape_column,
                        "%s in a key: text cannot hold control characters other than tab "
                        "and newline",
                        what);
    const char *key = r->text.data + span->key_off;
    return jr_error(r, e, ERR_INPUT, r->line, r->escape_column,
                    "%.*s: %s in the value: text cannot hold control characters other than "
                    "tab and newline (a CSV file with a NUL is refused as binary data too)",
                    (int)(span->key_len < 64 ? span->key_len : 64), key, what);
}

/* The control characters a string may hold: tab, newline, carriage return. */
static int control_allowed(unsigned unit)
{
    return unit >= 0x20 || unit == '\t' || unit == '\n' || unit == '\r';
}

/* Takes the code unit of a finished \uXXXX escape, pairing surrogates. */
static int end_unicode_escape(struct jsonrows *r, struct err *e)
{
    unsigned unit = r->hex_value;
    r->escape = JR_ESC_NONE;
    if (!control_allowed(unit) && !r->high_surrogate)
        return control_escape(r, unit, e);
    if (r->high_surrogate) {
        if (unit < 0xDC00 || unit > 0xDFFF)
            return lone_high_surrogate(r, e);
        unsigned cp = 0x10000 + ((r->high_surrogate - 0xD800) << 10) + (unit - 0xDC00);
        r->high_surrogate = 0;
        return token_append_utf8(r, cp, e);
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        r->high_surrogate = unit;
        r->escape = JR_ESC_LOW_BACKSLASH;
        return 0;
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF)
        return jr_input_error(r, e,
                              "\\u%04X is the second half of a surrogate pair without "
                              "a first half",
                              unit);
    return token_append_utf8(r, unit, e);
}

/* Reads one byte of an escape sequence inside a string. */
static int escape_byte(struct jsonrows *r, char c, struct err *e)
{
    static const char plain[] = "\"\\/bfnrt";
    static const char meaning[] = "\"\\/\b\f\n\r\t";
    char name[16];
    const char *hit;
    int digit;
    switch (r->escape) {
    case JR_ESC_NONE:
        break;
    case JR_ESC_BACKSLASH:
        if (c == 'u') {
            r->escape = JR_ESC_HEX;
            r->hex_digits = 0;
            r->hex_value = 0;
            return 0;
        }
        hit = c ? strchr(plain, c) : NULL;
        if (!hit && (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
            return jr_input_error(r, e,
                                  "invalid escape '\\%c' in a string (valid: \\\" \\\\ \\/ "
                                  "\\b \\f \\n \\r \\t \\uXXXX)",
                                  c);
        if (!hit)
            return jr_input_error(r, e, "invalid escape: a backslash followed by %s in a string",
                                  byte_name(c, name));
        if (!control_allowed((unsigned char)meaning[hit - plain]))
            return control_escape(r, (unsigned char)meaning[hit - plain], e);
        r->escape = JR_ESC_NONE;
        return token_append(r, &meaning[hit - plain], 1, e);
    case JR_ESC_HEX:
        digit = hex_digit_value(c);
        if (digit < 0)
            return jr_input_error(r, e, "invalid \\u escape: %s is not a hex digit",
                                  byte_name(c, name));
        r->hex_value = r->hex_value * 16 + (unsigned)digit;
        if (++r->hex_digits == 4)
            return end_unicode_escape(r, e);
        return 0;
    case JR_ESC_LOW_BACKSLASH:
        if (c != '\\')
            return lone_high_surrogate(r, e);
        r->escape = JR_ESC_LOW_U;
        return 0;
    case JR_ESC_LOW_U:
        if (c != 'u')
            return lone_high_surrogate(r, e);
        r->escape = JR_ESC_HEX;
        r->hex_digits = 0;
        r->hex_value = 0;
        return 0;
    }
    assert(!"escape_byte outside an escape");
    return 0;
}

/* Reads string bytes from *pos: plain runs are copied whole; quotes, backslashes and
 * escapes one byte at a time. Stops when the string ends or the chunk does. */
static int string_bytes(struct jsonrows *r, const char **pos, const char *end, struct err *e)
{
    const char *s = *pos;
    char name[16];
    int rc = 0;
    while (s < end && rc == 0 && r->state == JR_STRING) {
        if (r->escape != JR_ESC_NONE) {
            rc = escape_byte(r, *s, e);
            if (rc == 0)
                advance(r, *s++);
            continue;
        }
        const char *run = s;
        while (s < end && *s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
            s++;
        if (s > run) {
            rc = token_append(r, run, (size_t)(s - run), e);
            r->column += (uint64_t)(s - run);
            r->offset += (uint64_t)(s - run);
            continue;
        }
        if (*s == '"') {
            end_token(r);
        } else if (*s == '\\') {
            r->escape = JR_ESC_BACKSLASH;
            r->escape_column = r->column;
        } else {
            rc = jr_input_error(r, e,
                                "control character (%s) inside a string: a string must "
                                "be closed on its line, or the character escaped",
                                byte_name(*s, name));
            break;
        }
        advance(r, *s++);
    }
    *pos = s;
    return rc;
}

/* Reads one byte of a nested object or array, kept as raw text with its brackets checked. */
static int nested_byte(struct jsonrows *r, char c, struct err *e)
{
    char name[16];
    int rc = token_append(r, &c, 1, e);
    if (rc < 0)
        return rc;
    if (r->nest_in_string) {
        if (r->nest_escape)
            r->nest_escape = 0;
        else if (c == '\\')
            r->nest_escape = 1;
        else if (c == '"')
            r->nest_in_string = 0;
        else if ((unsigned char)c < 0x20)
            return jr_input_error(r, e,
                                  "control character (%s) inside a string: a string "
                                  "must be closed on its line, or the character escaped",
                                  byte_name(c, name));
        return 0;
    }
    if (c == '"') {
        r->nest_in_string = 1;
    } else if (c == '{' || c == '[') {
        buf_putc(&r->nest, c);
    } else if (c == '}' || c == ']') {
        char open = r->nest.data[r->nest.len - 1];
        if ((open == '{') != (c == '}'))
            return jr_input_error(r, e, "'%c' does not match the '%c' it would close", c, open);
        r->nest.len--;
        if (r->nest.len == 0)
            end_token(r);
    }
    return 0;
}

static int begin_value(struct jsonrows *r, char c, struct err *e)
{
    char name[16];
    begin_token(r, 0);
    if (c == '"') {
        r->escape = JR_ESC_NONE;
        r->state = JR_STRING;
    } else if (c == '{' || c == '[') {
        buf_reset(&r->nest);
        r->nest_in_string = 0;
        r->nest_escape = 0;
        r->state = JR_NESTED;
        return nested_byte(r, c, e);
    } else if (is_literal_byte(c)) {
        r->state = JR_LITERAL;
        return token_append(r, &c, 1, e);
    } else {
        return jr_input_error(r, e, "expected a value after ':', found %s", byte_name(c, name));
    }
    return 0;
}

/* Handles one byte outside strings and nested values; the byte is consumed unless the
 * state ends a literal, which leaves it to the next state. */
static int structure_byte(struct jsonrows *r, char c, int *consumed, struct err *e)
{
    char name[16];
    *consumed = 1;
    if (is_space(c) && r->state != JR_LITERAL && r->state != JR_NESTED)
        return 0;
    switch (r->state) {
    case JR_BEFORE_ARRAY:
        if (c != '[')
            return jr_input_error(r, e, "expected a JSON array of objects ('['), found %s",
                                  byte_name(c, name));
        r->state = JR_FIRST_ELEMENT;
        return 0;
    case JR_FIRST_ELEMENT:
    case JR_ELEMENT:
        if (c == '{') {
            begin_object(r);
            return 0;
        }
        if (c == ']' && r->state == JR_FIRST_ELEMENT) {
            r->state = JR_AFTER_ARRAY;
            return 0;
        }
        if (c == ']')
            return jr_input_error(r, e, "trailing ',' before ']'");
        return jr_input_error(r, e,
                              "expected an object ('{') as array element %" PRIu64 ", found %s",
                              r->index + 1, byte_name(c, name));
    case JR_AFTER_ELEMENT:
        if (c == ',') {
            r->state = JR_ELEMENT;
            return 0;
        }
        if (c == ']') {
            r->state = JR_AFTER_ARRAY;
            return 0;
        }
        return jr_input_error(r, e, "expected ',' or ']' after an object, found %s",
                              byte_name(c, name));
    case JR_FIRST_KEY:
    case JR_KEY:
        if (c == '"')
            return begin_key(r, e);
        if (c == '}' && r->state == JR_FIRST_KEY)
            return end_object(r);
        if (c == '}')
            return jr_input_error(r, e, "trailing ',' before '}'");
        return jr_input_error(r, e, "expected a key in double quotes, found %s",
                              byte_name(c, name));
    case JR_COLON:
        if (c != ':')
            return jr_input_error(r, e, "expected ':' after a key, found %s", byte_name(c, name));
        r->state = JR_VALUE;
        return 0;
    case JR_VALUE:
        return begin_value(r, c, e);
    case JR_LITERAL:
        if (is_literal_byte(c))
            return token_append(r, &c, 1, e);
        *consumed = 0;
        return end_literal(r, e);
    case JR_AFTER_VALUE:
        if (c == ',') {
            r->state = JR_KEY;
            return 0;
        }
        if (c == '}')
            return end_object(r);
        return jr_input_error(r, e, "expected ',' or '}' after a value, found %s",
                              byte_name(c, name));
    case JR_AFTER_ARRAY:
        return jr_input_error(r, e, "unexpected %s after the closing ']' of the array",
                              byte_name(c, name));
    case JR_STRING:
    case JR_NESTED:
        break;
    }
    assert(!"structure_byte in a string or nested value");
    return 0;
}

static int already_failed(const struct jsonrows *r, struct err *e)
{
    return err_set(e, r->failed, "%s: reading stopped at an earlier error", r->name);
}

int jsonrows_feed(struct jsonrows *r, const char *data, size_t len, struct err *e)
{
    assert(!r->finished);
    if (r->failed)
        return already_failed(r, e);
    if (len == 0)
        return 0;
    const char *s = data;
    const char *end = data + len;
    int rc = 0;
    while (s < end && rc == 0) {
        char c = *s;
        if (r->state == JR_STRING) {
            rc = string_bytes(r, &s, end, e);
        } else if (r->state == JR_NESTED) {
            rc = nested_byte(r, c, e);
            if (rc == 0)
                advance(r, *s++);
        } else if (r->state == JR_BEFORE_ARRAY && r->offset == r->bom_matched &&
                   r->bom_matched < sizeof utf8_bom) {
            /* A leading UTF-8 BOM is skipped and takes no column; part of one is an error. */
            if ((unsigned char)c == utf8_bom[r->bom_matched]) {
                r->bom_matched++;
                r->offset++;
                s++;
            } else if (r->bom_matched > 0) {
                char name[16];
                rc = jr_input_error(r, e, "expected a JSON array of objects ('['), found %s",
                                    byte_name((char)utf8_bom[0], name));
            } else {
                r->bom_matched = sizeof utf8_bom; /* there is none */
            }
        } else {
            int consumed;
            rc = structure_byte(r, c, &consumed, e);
            if (rc == 0 && consumed)
                advance(r, *s++);
        }
    }
    return rc;
}

int jsonrows_finish(struct jsonrows *r, struct err *e)
{
    assert(!r->finished);
    if (r->failed)
        return already_failed(r, e);
    r->finished = 1;
    switch (r->state) {
    case JR_AFTER_ARRAY:
        return 0;
    case JR_BEFORE_ARRAY:
        return jr_input_error(r, e,
                              "expected a JSON array of objects, found the end of the "
                              "input");
    case JR_STRING:
        return jr_input_error(r, e,
                              "input ends inside a %s that starts at line %" PRIu64
                              ", column %" PRIu64 ": the file is truncated",
                              r->string_is_key ? "key" : "string", r->token_line, r->token_column);
    case JR_NESTED:
        return jr_input_error(r, e,
                              "input ends inside a nested value that starts at line %" PRIu64
                              ", column %" PRIu64 ": the file is truncated",
                              r->token_line, r->token_column);
    default:
        return jr_input_error(r, e,
                              "input ends before the closing ']' of the array: the file "
                              "is truncated");
    }
}
