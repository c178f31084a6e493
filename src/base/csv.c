/* csv.c — streaming RFC 4180 reader and CSV field writer (see csv.h).
 * A record that lies wholly inside the caller's chunk is handed over in place, without
 * copying; one that spans chunks, or needs unescaping, is assembled in a buffer by a
 * byte-level state machine. Calls only buf and err. */
#include "csv.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "banned.h"

#define CSV_DEFAULT_MAX_FIELD_BYTES ((size_t)1 << 20)
#define CSV_DEFAULT_MAX_FIELDS ((size_t)4096)
/* Delimiter detection decides from at most this much of the first record. */
#define CSV_DETECT_WINDOW ((size_t)64 << 10)

static const unsigned char utf8_bom[3] = {0xEF, 0xBB, 0xBF};

enum csv_state {
    CSV_RECORD_START,   /* between records: nothing is pending */
    CSV_FIELD_START,    /* a record is open and the next byte starts a field */
    CSV_UNQUOTED,       /* inside a field that did not open with a quote */
    CSV_QUOTED,         /* inside quotes */
    CSV_QUOTE_IN_QUOTED /* after a quote inside quotes: it closes, or doubles the next */
};

/* A field of the record being assembled: offsets into record_bytes, which may move. */
struct csv_span {
    size_t off;
    size_t len;
    int quoted;
};

/* Delimiter detection over the first record (see detect_scan). */
struct csv_detect {
    struct buf held;      /* input held back until the delimiter is known */
    uint64_t held_offset; /* input offset of held.data[0] */
    size_t counts[3];     /* ',' ';' '\t' seen outside quotes */
    int in_quotes;
    int just_closed; /* the previous byte closed a quote: '"' now reopens it */
    int at_field_start;
    int seen_text; /* the first record has begun (leading empty lines are skipped) */
};

/* The bytes that end a run: `first` (the delimiter outside quotes, the quote inside them),
 * CR, LF and NUL, as a table and as the byte itself. */
struct stop_set {
    unsigned char table[256];
    char first;
};

static void stop_set_init(struct stop_set *st, char first)
{
    memset(st->table, 0, sizeof st->table);
    st->table[(unsigned char)first] = 1;
    st->table['\r'] = 1;
    st->table['\n'] = 1;
    st->table['\0'] = 1;
    st->first = first;
}

struct csv_parser {
    csv_record_fn fn;
    void *ctx;
    char *name;
    char delimiter; /* 0 until detected */
    size_t max_field_bytes;
    size_t max_fields;
    int keep_blank_records;
    int unguard_text;

    /* Bytes that end a run of plain bytes, so the hot loops can skip runs. */
    struct stop_set unquoted_stop, quoted_stop;

    uint64_t bytes_fed;
    uint64_t line;  /* physical line of the next byte to parse */
    uint64_t index; /* index of the next record handed over */
    int failed;     /* 0, or the code that made the parser unusable */
    int finished;

    size_t bom_matched; /* leading bytes that matched the UTF-8 BOM so far */
    int bom_done;
    struct csv_detect detect;

    enum csv_state state;
    int skip_lf;        /* the last record ended with CR: a following LF belongs to it */
    int quoted_prev_cr; /* inside quotes, the previous byte was CR (CRLF is one line) */
    uint64_t record_line;
    uint64_t record_offset;
    uint64_t field_line;
    struct buf record_bytes; /* the assembled record's field bytes, back to back */
    struct csv_span *spans;
    size_t nspans;
    struct csv_field *fields; /* what the callback sees; capacity fields_cap */
    size_t fields_cap;        /* also the capacity of spans */
};

/* A stretch of input and where it sits in the whole input. */
struct csv_chunk {
    const char *start;
    const char *end;
    uint64_t offset; /* input offset of start */
};

/* Fills e with "NAME:LINE:COLUMN: reason", marks the parser unusable and returns code. */
__attribute__((format(printf, 6, 7))) static int csv_error(struct csv_parser *p, struct err *e,
                                                           int code, uint64_t line, size_t column,
                                                           const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    p->failed = code;
    return err_set(e, code, "%s:%" PRIu64 ":%zu: %s", p->name, line, column, reason);
}

static int nul_error(struct csv_parser *p, struct err *e, size_t column)
{
    return csv_error(p, e, ERR_INPUT, p->line, column, "binary data (NUL byte): not a text file");
}

static void set_delimiter(struct csv_parser *p, char delimiter)
{
    assert(delimiter && delimiter != '"' && delimiter != '\r' && delimiter != '\n');
    p->delimiter = delimiter;
    stop_set_init(&p->unquoted_stop, delimiter);
    stop_set_init(&p->quoted_stop, '"');
}

struct csv_parser *csv_new(const struct csv_opts *opts, csv_record_fn fn, void *ctx)
{
    static const struct csv_opts defaults = {0, 0, 0, 0, NULL, 0};
    if (!opts)
        opts = &defaults;
    assert(fn);
    struct csv_parser *p = xcalloc(1, sizeof *p);
    p->fn = fn;
    p->ctx = ctx;
    p->name = xstrdup(opts->name ? opts->name : "input");
    p->max_field_bytes =
        opts->max_field_bytes ? opts->max_field_bytes : CSV_DEFAULT_MAX_FIELD_BYTES;
    p->max_fields = opts->max_fields ? opts->max_fields : CSV_DEFAULT_MAX_FIELDS;
    p->keep_blank_records = opts->keep_blank_records;
    p->unguard_text = opts->unguard_text;
    p->line = 1;
    p->state = CSV_RECORD_START;
    buf_init(&p->record_bytes);
    buf_init(&p->detect.held);
    p->detect.at_field_start = 1;
    if (opts->delimiter)
        set_delimiter(p, opts->delimiter);
    return p;
}

void csv_free(struct csv_parser *p)
{
    if (!p)
        return;
    free(p->fields);
    free(p->spans);
    buf_release(&p->record_bytes);
    buf_release(&p->detect.held);
    free(p->name);
    free(p);
}

char csv_delimiter(const struct csv_parser *p)
{
    return p->delimiter;
}

uint64_t csv_bytes(const struct csv_parser *p)
{
    return p->bytes_fed;
}

/* Returns the first byte at or after s that is in the set, or end. This is the hot loop:
 * 16 bytes to a step with SSE2 (every x86-64 has it), else unrolled so the common short
 * run costs a few table loads and no per-byte branch on end. */
static inline const char *scan_to_stop(const struct stop_set *st, const char *s, const char *end)
{
    const unsigned char *stop = st->table;
#ifdef __SSE2__
    const __m128i first = _mm_set1_epi8(st->first), cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n'), nul = _mm_setzero_si128();
    while (end - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, first), _mm_cmpeq_epi8(v, cr)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, nul)));
        unsigned bits = (unsigned)_mm_movemask_epi8(hit);
        if (bits)
            return s + __builtin_ctz(bits);
        s += 16;
    }
#endif
    while (end - s >= 8) {
        if (stop[(unsigned char)s[0]])
            return s;
        if (stop[(unsigned char)s[1]])
            return s + 1;
        if (stop[(unsigned char)s[2]])
            return s + 2;
        if (stop[(unsigned char)s[3]])
            return s + 3;
        if (stop[(unsigned char)s[4]])
            return s + 4;
        if (stop[(unsigned char)s[5]])
            return s + 5;
        if (stop[(unsigned char)s[6]])
            return s + 6;
        if (stop[(unsigned char)s[7]])
            return s + 7;
        s += 8;
    }
    while (s < end && !stop[(unsigned char)*s])
        s++;
    return s;
}

/* Makes room for one more field in fields and spans. The caller checks max_fields. */
static void grow_fields(struct csv_parser *p)
{
    size_t cap = p->fields_cap ? p->fields_cap * 2 : 16;
    if (cap > p->max_fields)
        cap = p->max_fields;
    p->fields = xrealloc(p->fields, cap * sizeof *p->fields);
    p->spans = xrealloc(p->spans, cap * sizeof *p->spans);
    p->fields_cap = cap;
}

static int record_is_blank(const struct csv_field *fields, size_t nfields)
{
    for (size_t i = 0; i < nfields; i++)
        if (fields[i].len || fields[i].quoted)
            return 0;
    return 1;
}

/* Hands fields[0..nfields) to the callback unless the record is blank and blanks are skipped. */
static int emit_record(struct csv_parser *p, size_t nfields, uint64_t line, uint64_t offset)
{
    if (!p->keep_blank_records && record_is_blank(p->fields, nfields))
        return 0;
    if (p->unguard_text)
        for (size_t i = 0; i < nfields; i++)
            if (csv_text_guarded(p->fields[i].data, p->fields[i].len)) {
                p->fields[i].data++;
                p->fields[i].len--;
            }
    struct csv_record rec = {p->fields, nfields, line, p->index, offset};
    p->index++;
    int rc = p->fn(p->ctx, &rec);
    if (rc < 0) {
        p->failed = rc;
        return rc;
    }
    return 0;
}

/* Tries to hand over the record that starts at *pos straight from the chunk. Returns 1 when
 * it did (and moves *pos past it), a negative value when the callback stopped, and 0 when the
 * record needs assembling: it runs past the chunk, holds a doubled quote or text after a
 * closing quote, a NUL byte, or passes a limit. Nothing has changed when it returns 0. */
static int parse_record_in_place(struct csv_parser *p, const struct csv_chunk *chunk,
                                 const char **pos)
{
    const char *s = *pos;
    const char *end = chunk->end;
    const char delimiter = p->delimiter;
    uint64_t newlines = 0; /* inside quoted fields */
    size_t n = 0;
    const char *stop;
    for (;;) {
        if (s >= end)
            return 0;
        if (n == p->fields_cap) {
            if (n == p->max_fields)
                return 0;
            grow_fields(p);
        }
        struct csv_field *f = &p->fields[n++];
        if (*s == '"') {
            const char *q = s + 1;
            for (;;) {
                q = scan_to_stop(&p->quoted_stop, q, end);
                if (q >= end || *q == '\0')
                    return 0;
                if (*q == '"')
                    break;
                if (*q == '\r' && q + 1 < end && q[1] == '\n')
                    q++;
                newlines++;
                q++;
            }
            stop = q + 1;
            if (stop >= end || (*stop != delimiter && *stop != '\n' && *stop != '\r'))
                return 0;
            f->data = s + 1;
            f->len = (size_t)(q - (s + 1));
            f->quoted = 1;
        } else {
            stop = scan_to_stop(&p->unquoted_stop, s, end);
            if (stop >= end || *stop == '\0')
                return 0;
            f->data = s;
            f->len = (size_t)(stop - s);
            f->quoted = 0;
        }
        if (f->len > p->max_field_bytes)
            return 0;
        if (*stop != delimiter)
            break;
        s = stop + 1;
    }
    /* The record ends at stop, a CR or LF; a CR at the chunk's end may yet have its LF. */
    const char *next = stop + 1;
    if (*stop == '\r') {
        if (next == end)
            p->skip_lf = 1;
        else if (*next == '\n')
            next++;
    }
    uint64_t line = p->line;
    uint64_t offset = chunk->offset + (uint64_t)(*pos - chunk->start);
    p->line += newlines + 1;
    *pos = next;
    int rc = emit_record(p, n, line, offset);
    return rc < 0 ? rc : 1;
}

static void begin_record(struct csv_parser *p, uint64_t offset)
{
    p->record_line = p->line;
    p->record_offset = offset;
    p->nspans = 0;
    buf_reset(&p->record_bytes);
    p->state = CSV_FIELD_START;
}

static int begin_field(struct csv_parser *p, struct err *e)
{
    if (p->nspans == p->fields_cap) {
        if (p->nspans == p->max_fields)
            return csv_error(p, e, ERR_LIMIT, p->line, p->nspans + 1,
                             "record has more than %zu fields", p->max_fields);
        grow_fields(p);
    }
    struct csv_span *span = &p->spans[p->nspans++];
    span->off = p->record_bytes.len;
    span->len = 0;
    span->quoted = 0;
    p->field_line = p->line;
    return 0;
}

/* Appends bytes to the current field, enforcing max_field_bytes. */
static int append_to_field(struct csv_parser *p, const char *data, size_t len, struct err *e)
{
    struct csv_span *span = &p->spans[p->nspans - 1];
    if (len > p->max_field_bytes - span->len)
        return csv_error(p, e, ERR_LIMIT, p->field_line, p->nspans, "field longer than %zu bytes",
                         p->max_field_bytes);
    buf_append(&p->record_bytes, data, len); /* cannot fail */
    span->len += len;
    return 0;
}

/* Ends the assembled record (its line break, if any, is already consumed) and hands it over. */
static int end_assembled_record(struct csv_parser *p)
{
    const char *base = buf_cstr(&p->record_bytes);
    for (size_t i = 0; i < p->nspans; i++) {
        p->fields[i].data = base + p->spans[i].off;
        p->fields[i].len = p->spans[i].len;
        p->fields[i].quoted = p->spans[i].quoted;
    }
    p->state = CSV_RECORD_START;
    return emit_record(p, p->nspans, p->record_line, p->record_offset);
}

/* Ends the assembled record at a line break byte (already consumed). */
static int end_record_at_break(struct csv_parser *p, char line_break)
{
    p->skip_lf = line_break == '\r';
    p->line++;
    return end_assembled_record(p);
}

/* Runs the assembling state machine over the chunk from *pos until the open record ends
 * (and is handed over) or the chunk is used up. Returns 0 or a negative code. */
static int parse_record_assembled(struct csv_parser *p, const struct csv_chunk *chunk,
                                  const char **pos, struct err *e)
{
    const char *s = *pos;
    const char *end = chunk->end;
    const char *stop;
    int rc = 0;
    char c;
    while (s < end && rc == 0) {
        switch (p->state) {
        case CSV_RECORD_START:
            assert(!"a record is open while assembling");
            return 0;
        case CSV_FIELD_START:
            rc = begin_field(p, e);
            if (rc == 0 && *s == '"') {
                p->spans[p->nspans - 1].quoted = 1;
                p->quoted_prev_cr = 0;
                p->state = CSV_QUOTED;
                s++;
            } else {
                p->state = CSV_UNQUOTED;
            }
            break;
        case CSV_UNQUOTED:
            stop = scan_to_stop(&p->unquoted_stop, s, end);
            rc = append_to_field(p, s, (size_t)(stop - s), e);
            s = stop;
            if (rc < 0 || s == end)
                break;
            c = *s++;
            if (c == '\0')
                rc = nul_error(p, e, p->nspans);
            else if (c == p->delimiter)
                p->state = CSV_FIELD_START;
            else
                rc = end_record_at_break(p, c);
            if (p->state == CSV_RECORD_START)
                goto out;
            break;
        case CSV_QUOTED:
            stop = scan_to_stop(&p->quoted_stop, s, end);
            if (stop > s) {
                rc = append_to_field(p, s, (size_t)(stop - s), e);
                p->quoted_prev_cr = 0;
            }
            s = stop;
            if (rc < 0 || s == end)
                break;
            c = *s++;
            if (c == '"') {
                p->state = CSV_QUOTE_IN_QUOTED;
            } else if (c == '\0') {
                rc = nul_error(p, e, p->nspans);
            } else {
                rc = append_to_field(p, &c, 1, e);
                if (c == '\r' || !p->quoted_prev_cr)
                    p->line++;
                p->quoted_prev_cr = c == '\r';
            }
            break;
        case CSV_QUOTE_IN_QUOTED:
            c = *s;
            if (c == '"') {
                rc = append_to_field(p, &c, 1, e);
                p->quoted_prev_cr = 0;
                p->state = CSV_QUOTED;
                s++;
            } else if (c == p->delimiter) {
                p->state = CSV_FIELD_START;
                s++;
            } else if (c == '\r' || c == '\n') {
                s++;
                rc = end_record_at_break(p, c);
                goto out;
            } else if (c == '\0') {
                rc = nul_error(p, e, p->nspans);
            } else {
                /* Text after a closing quote: kept, and read on as unquoted (like Python). */
                p->state = CSV_UNQUOTED;
            }
            break;
        }
    }
out:
    *pos = s;
    return rc;
}

/* Parses body bytes (after the BOM) once the delimiter is known. */
static int parse_chunk(struct csv_parser *p, const char *data, size_t len, uint64_t offset,
                       struct err *e)
{
    struct csv_chunk chunk = {data, data + len, offset};
    const char *s = data;
    int rc;
    while (s < chunk.end) {
        if (p->state == CSV_RECORD_START) {
            if (p->skip_lf) {
                p->skip_lf = 0;
                if (*s == '\n') {
                    s++;
                    continue;
                }
            }
            rc = parse_record_in_place(p, &chunk, &s);
            if (rc < 0)
                return rc;
            if (rc > 0)
                continue;
            begin_record(p, chunk.offset + (uint64_t)(s - data));
        }
        rc = parse_record_assembled(p, &chunk, &s, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Picks the most frequent candidate; ties go to the earlier of ',' ';' '\t'. */
static void decide_delimiter(struct csv_parser *p)
{
    static const char candidates[3] = {',', ';', '\t'};
    size_t best = 0;
    for (size_t i = 1; i < 3; i++)
        if (p->detect.counts[i] > p->detect.counts[best])
            best = i;
    set_delimiter(p, candidates[best]);
}

/* Counts candidate delimiters outside quotes until the first record's line break (empty lines
 * before it are skipped) or a NUL byte, and then decides. Returns the bytes scanned. */
static size_t detect_scan(struct csv_parser *p, const char *data, size_t len)
{
    struct csv_detect *d = &p->detect;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\0') {
            decide_delimiter(p);
            return i;
        }
        if (d->in_quotes) {
            if (c == '"') {
                d->in_quotes = 0;
                d->just_closed = 1;
            }
            continue;
        }
        if (c == '"' && (d->at_field_start || d->just_closed)) {
            d->in_quotes = 1;
            d->at_field_start = 0;
            d->just_closed = 0;
            d->seen_text = 1;
            continue;
        }
        d->just_closed = 0;
        d->at_field_start = 1;
        switch (c) {
        case ',':
            d->counts[0]++;
            break;
        case ';':
            d->counts[1]++;
            break;
        case '\t':
            d->counts[2]++;
            break;
        case '\r':
        case '\n':
            if (d->seen_text) {
                decide_delimiter(p);
                return i + 1;
            }
            continue;
        default:
            d->at_field_start = 0;
            break;
        }
        d->seen_text = 1;
    }
    return len;
}

/* Parses the input held back for detection, once the delimiter is known. */
static int parse_held(struct csv_parser *p, struct err *e)
{
    struct csv_detect *d = &p->detect;
    if (d->held.len == 0)
        return 0;
    struct buf held = d->held;
    buf_init(&d->held);
    int rc = parse_chunk(p, held.data, held.len, d->held_offset, e);
    buf_release(&held);
    return rc;
}

/* Parses bytes after the BOM, holding the first record back until its delimiter is known. */
static int feed_body(struct csv_parser *p, const char *data, size_t len, uint64_t offset,
                     struct err *e)
{
    if (!p->delimiter) {
        struct csv_detect *d = &p->detect;
        detect_scan(p, data, len);
        if (!p->delimiter && d->held.len + len >= CSV_DETECT_WINDOW)
            decide_delimiter(p);
        if (!p->delimiter) {
            if (d->held.len == 0)
                d->held_offset = offset;
            buf_append(&d->held, data, len);
            return 0;
        }
        int rc = parse_held(p, e);
        if (rc < 0)
            return rc;
    }
    return parse_chunk(p, data, len, offset, e);
}

static int already_failed(const struct csv_parser *p, struct err *e)
{
    return err_set(e, p->failed, "%s: reading stopped at an earlier error", p->name);
}

int csv_feed(struct csv_parser *p, const char *data, size_t len, struct err *e)
{
    assert(!p->finished);
    if (p->failed)
        return already_failed(p, e);
    if (len == 0)
        return 0;
    uint64_t offset = p->bytes_fed;
    p->bytes_fed += len;
    if (!p->bom_done) {
        while (len > 0 && p->bom_matched < sizeof utf8_bom &&
               (unsigned char)*data == utf8_bom[p->bom_matched]) {
            p->bom_matched++;
            data++;
            len--;
            offset++;
        }
        if (p->bom_matched < sizeof utf8_bom && len == 0)
            return 0; /* all of it may still be a BOM */
        p->bom_done = 1;
        if (p->bom_matched < sizeof utf8_bom) {
            /* Not a BOM after all: the bytes that matched are data. */
            int rc = feed_body(p, (const char *)utf8_bom, p->bom_matched, 0, e);
            if (rc < 0)
                return rc;
        }
    }
    return feed_body(p, data, len, offset, e);
}

int csv_finish(struct csv_parser *p, struct err *e)
{
    assert(!p->finished);
    if (p->failed)
        return already_failed(p, e);
    p->finished = 1;
    int rc;
    if (!p->bom_done) {
        p->bom_done = 1;
        rc = feed_body(p, (const char *)utf8_bom, p->bom_matched, 0, e);
        if (rc < 0)
            return rc;
    }
    if (!p->delimiter) {
        decide_delimiter(p);
        rc = parse_held(p, e);
        if (rc < 0)
            return rc;
    }
    switch (p->state) {
    case CSV_RECORD_START:
        return 0;
    case CSV_QUOTED:
        return csv_error(p, e, ERR_INPUT, p->field_line, p->nspans,
                         "quoted field is never closed: the quote opened here runs to the "
                         "end of the input");
    case CSV_FIELD_START:
        rc = begin_field(p, e); /* the empty field after a final delimiter */
        if (rc < 0)
            return rc;
        break;
    case CSV_UNQUOTED:
    case CSV_QUOTE_IN_QUOTED:
        break;
    }
    return end_assembled_record(p);
}

/* A field needs quotes when a reader would otherwise split, unescape or trim it, or (as the
 * first field of a file) take its leading bytes for a BOM. */
static int field_needs_quotes(const char *s, size_t len, char delimiter)
{
    if (len == 0)
        return 0;
    if (s[0] == ' ' || s[len - 1] == ' ')
        return 1;
    if (len >= sizeof utf8_bom && memcmp(s, utf8_bom, sizeof utf8_bom) == 0)
        return 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == delimiter || c == '"' || c == '\r' || c == '\n')
            return 1;
    }
    return 0;
}

/* Appends s quoted, after prefix (0 for none). */
static void write_quoted(struct buf *out, char prefix, const char *s, size_t len)
{
    buf_putc(out, '"');
    if (prefix)
        buf_putc(out, prefix);
    const char *end = s + len;
    while (s < end) {
        const char *quote = memchr(s, '"', (size_t)(end - s));
        const char *run_end = quote ? quote + 1 : end;
        buf_append(out, s, (size_t)(run_end - s));
        if (quote)
            buf_putc(out, '"');
        s = run_end;
    }
    buf_putc(out, '"');
}

void csv_write_field(struct buf *out, const char *s, size_t len, char delimiter)
{
    if (!field_needs_quotes(s, len, delimiter))
        buf_append(out, s, len);
    else
        write_quoted(out, 0, s, len);
}

/* The first bytes a spreadsheet takes for the start of a formula (OWASP, "CSV Injection"). */
static int formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static int all_digits(const char *s, const char *end)
{
    for (; s < end; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* A plain decimal number: [+-] digits [. digits] [e [+-] digits] (or .digits), which every
 * spreadsheet reads as a number and never as a formula. */
static int plain_number(const char *s, size_t len)
{
    const char *end = s + len, *p = s;
    if (p < end && (*p == '+' || *p == '-'))
        p++;
    const char *mantissa = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    size_t whole = (size_t)(p - mantissa), frac = 0;
    if (p < end && *p == '.') {
        const char *f = ++p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        frac = (size_t)(p - f);
    }
    if (whole + frac == 0)
        return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        return p < end && all_digits(p, end);
    }
    return p == end;
}

/* Whether csv_write_text guards s: a formula start that is not a plain number, or an
 * apostrophe that the reader would otherwise take for a guard. */
static int needs_guard(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (formula_start(s[0]))
        return !plain_number(s, len);
    return s[0] == '\'' && len > 1 && (formula_start(s[1]) || s[1] == '\'');
}

void csv_write_text(struct buf *out, const char *s, size_t len, char delimiter)
{
    if (!needs_guard(s, len))
        csv_write_field(out, s, len, delimiter);
    else
        write_quoted(out, '\'', s, len);
}

int csv_text_guarded(const char *s, size_t len)
{
    return len > 1 && s[0] == '\'' && (formula_start(s[1]) || s[1] == '\'');
}
